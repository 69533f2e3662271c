"""Long-text benchmark: time and peak memory of `kg ner` and `kg build` on one very long line.

Each point runs in a fresh process (benchmarks/robustness.py's run_point: peak RSS from
wait4). The inputs are invented county-paper articles (robustness.article) written
as ONE line of --mb megabytes, the shape of a page whose line breaks were lost:

  ner, Chinese line     `kg ner` of a file: a short line, the long line, a short line
  ner, ASCII line       the same with a long line of ASCII words (no CJK, no 。)
  build, Chinese line   `kg build` of a normal article file plus a file of the long line

Usage: python benchmarks/long_text_benchmark.py [--mb 1 3] [--points ner build]
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from robustness import article, run_point  # noqa: E402

SHORT = "青禾镇人民政府召开防汛工作会议，镇长林晓峰出席。"


def chinese_line(megabytes: float) -> str:
    """Invented articles, paragraphs run together, until the line has `megabytes` of UTF-8."""
    parts, size, i = [], 0, 0
    while size < megabytes * 2**20:
        part = "".join(article(i))
        parts.append(part)
        size += len(part.encode("utf-8"))
        i += 1
    return "".join(parts)


def ascii_line(megabytes: float) -> str:
    words = ("county", "office", "river", "flood", "meeting", "village", "road", "2024")
    count = int(megabytes * 2**20 / 7)
    return " ".join(words[i % len(words)] for i in range(count))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="*", default=[1, 3])
    parser.add_argument("--points", nargs="*", choices=("ner", "build"), default=["ner", "build"])
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kg-long-text-"))
    python = sys.executable
    try:
        for megabytes in args.mb:
            for kind, line in (("Chinese", chinese_line(megabytes)), ("ASCII", ascii_line(megabytes))):
                if "ner" not in args.points:
                    break
                path = work / f"ner_{kind}_{megabytes}.txt"
                path.write_text(f"{SHORT}\n{line}\n{SHORT}\n", encoding="utf-8")
                output = work / "ner.jsonl"
                command = f"exec {shlex.quote(python)} -m kg.cli ner {shlex.quote(str(path))} > {shlex.quote(str(output))}"
                run_point(f"ner, {kind} line", ["sh", "-c", command],
                          {"mb": round(path.stat().st_size / 2**20, 2), "chars": len(line)})
                records = [json.loads(record) for record in output.read_text(encoding="utf-8").splitlines()]
                assert len(records) == 3 and records[1]["text"] == line, "kg ner lost or split a line"
                print(json.dumps({"point": f"ner, {kind} line", "entities_in_long_line": len(records[1]["entities"])}))
            if "build" not in args.points:
                continue
            good = work / "good.txt"
            good.write_text("\n\n".join(article(7)) + "\n", encoding="utf-8")
            long_file = work / f"line_{megabytes}.txt"
            long_file.write_text(chinese_line(megabytes) + "\n", encoding="utf-8")
            out = work / f"out_{megabytes}"
            run_point("build, Chinese line", [python, "-m", "kg.cli", "build", str(good), str(long_file), "-o", str(out)],
                      {"mb": round(long_file.stat().st_size / 2**20, 2), "chars": len(long_file.read_text("utf-8"))},
                      out / "report.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Robustness benchmark: time and peak memory of ingest and `kg build` at the extremes of a batch.

Each point runs in a fresh process; its peak RSS comes from wait4, its time from the clock
around it. The inputs are invented county-paper pages, hard-wrapped at WRAP characters a
line as text extracted from PDF is:

  ingest, most lines    one file of N lines (--lines, several N to show the growth)
  ingest, largest file  one file of --largest-mb megabytes
  build, most lines     `kg build` of one file of --build-lines lines
  build, most files     `kg build` of a folder of --files small files

Usage: python benchmarks/robustness.py [--lines 10000 20000 200000] [--largest-mb 60]
                                       [--build-lines 20000] [--files 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WRAP = 20
TOWNS = ["青禾镇", "柳溪镇", "石桥镇", "云岭乡", "白鹭镇", "松坡乡", "南塘镇", "枫林乡"]
TOPICS = [("农民丰收节", "开幕"), ("防汛工作会议", "召开"), ("人居环境整治行动", "启动"), ("消费帮扶展销会", "举办")]

INGEST = """
import json, sys, time
from kg.ingest import load_documents
clock = time.perf_counter()
articles, skipped = load_documents(sys.argv[1:])
print(json.dumps({"documents": len(articles), "skipped": len(skipped), "seconds_ingest": time.perf_counter() - clock}))
"""


def article(i: int) -> list[str]:
    """One invented article as paragraphs: headline, dateline paragraph, body, a captioned photo."""
    town, (topic, verb) = TOWNS[i % len(TOWNS)], TOPICS[i % len(TOPICS)]
    return [f"{town}{verb}第{i}届{topic}",
            f"本报讯（记者林{'晓立东'[i % 3]}峰 通讯员周{'红岚'[i % 2]}）{i % 12 + 1}月{i % 28 + 1}日，{town}"
            f"第{i}届{topic}{verb}，全镇{i % 40 + 10}个村的{i * 3 + 100}余名群众参加。",
            f"据介绍，今年{town}共投入资金{i % 90 + 10}万元，完成道路硬化{i % 17 + 2}公里，"
            f"新建村级服务站{i % 7 + 1}个，惠及群众{i * 7 + 300}户。",
            f"{town}党委书记表示，下一步将围绕第{i}项重点任务，持续推进{topic}常态化、长效化。",
            f"图为{town}第{i}届{topic}现场。 本报通讯员 周{'红岚'[i % 2]} 摄"]


def page(lines: int) -> str:
    """Articles hard-wrapped at WRAP characters until the page has `lines` lines."""
    out: list[str] = []
    i = 0
    while len(out) < lines:
        for paragraph in article(i):
            out += [paragraph[k: k + WRAP] for k in range(0, len(paragraph), WRAP)] + [""]
        i += 1
    return "\n".join(out[:lines]) + "\n"


def run_point(name: str, command: list[str], size: dict, report: Path | None = None) -> dict:
    """`command` in a fresh process, reaped with wait4 for its own peak RSS; what it prints
    as JSON (ingest) or writes in `report` (kg build) is added to the row."""
    clock = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO,
                                   env={**os.environ, "OMP_NUM_THREADS": "1"})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - clock
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{name}: {' '.join(command[:4])} ... failed:\n{stderr[-2000:]}")
    row = {"point": name, **size, "seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}
    if stdout.startswith("{"):
        row.update({k: round(v, 2) if isinstance(v, float) else v for k, v in json.loads(stdout).items()})
    if report is not None:
        built = json.loads(report.read_text(encoding="utf-8"))
        row.update({"documents": built["documents"], "skipped": len(built["skipped"]),
                    **{f"seconds_{stage}": round(s, 2) for stage, s in built["seconds"].items()}})
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="*", default=[10_000, 20_000, 200_000])
    parser.add_argument("--largest-mb", type=float, default=60)
    parser.add_argument("--build-lines", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=2_000)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="kg-robustness-"))
    python = sys.executable
    try:
        for lines in args.lines:
            path = work / f"lines_{lines}.txt"
            path.write_text(page(lines), encoding="utf-8")
            run_point("ingest, most lines", [python, "-c", INGEST, str(path)],
                      {"files": 1, "lines": lines, "mb": round(path.stat().st_size / 2**20, 1)})
        if args.largest_mb:
            path = work / "largest.txt"
            bytes_per_line = len(page(10_000).encode("utf-8")) / 10_000
            path.write_text(page(int(args.largest_mb * 2**20 / bytes_per_line)), encoding="utf-8")
            run_point("ingest, largest file", [python, "-c", INGEST, str(path)],
                      {"files": 1, "lines": page_lines(path), "mb": round(path.stat().st_size / 2**20, 1)})
            path.unlink()
        if args.build_lines:
            path = work / f"build_{args.build_lines}.txt"
            path.write_text(page(args.build_lines), encoding="utf-8")
            run_point("build, most lines", [python, "-m", "kg.cli", "build", str(path), "-o", str(work / "out1")],
                      {"files": 1, "lines": args.build_lines, "mb": round(path.stat().st_size / 2**20, 1)},
                      work / "out1" / "report.json")
        if args.files:
            folder = work / "many"
            folder.mkdir()
            for i in range(args.files):
                (folder / f"{i:05d}.txt").write_text("\n\n".join(article(i)) + "\n", encoding="utf-8")
            size = sum(p.stat().st_size for p in folder.iterdir())
            run_point("build, most files", [python, "-m", "kg.cli", "build", str(folder), "-o", str(work / "out2")],
                      {"files": args.files, "lines": None, "mb": round(size / 2**20, 1)}, work / "out2" / "report.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def page_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


if __name__ == "__main__":
    sys.exit(main())

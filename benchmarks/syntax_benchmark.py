"""What the syntax stage (kg_syntax: words, POS tags, parse) costs `kg build`.

Runs benchmarks/build_benchmark.py in fresh processes, alternating the pipeline
without and with kg_syntax for ROUNDS rounds (the machine's load drifts, so the two
are interleaved), and prints the median end-to-end characters/s, NLP-stage
characters/s and pipeline load seconds of each.

Usage: python benchmarks/syntax_benchmark.py [--rounds 3] [--copies 10]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(copies: int, without: bool) -> dict:
    cmd = [sys.executable, str(HERE / "build_benchmark.py"), "--copies", str(copies)]
    if without:
        cmd.append("--without-syntax")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out[out.index("{"):])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args(argv)
    results: dict[str, list[dict]] = {"without_syntax": [], "with_syntax": []}
    for _ in range(args.rounds):
        for name in results:
            results[name].append(run(args.copies, name == "without_syntax"))
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            "characters": runs[0]["characters"],
            "chars_per_second": statistics.median(r["chars_per_second"] for r in runs),
            "chars_per_second_nlp": statistics.median(r["chars_per_second_nlp"] for r in runs),
            "load_seconds": statistics.median(r["seconds_per_stage"]["load_pipeline"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "rounds": [r["chars_per_second"] for r in runs],
        }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

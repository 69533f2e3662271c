"""Throughput of `kg build`: characters per second per stage, and peak memory.

Builds COPIES copies of every input page (each copy its own file, as a batch of pages
would be) in one run and reads the seconds per stage from report.json.

--without-syntax leaves out the last stage (kg_syntax: words, tags, parse), to
measure what it costs (benchmarks/syntax_benchmark.py runs both in turn).

Usage: python benchmarks/build_benchmark.py [--copies 20] [--without-syntax] [INPUT ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", default=[str(REPO / "seeds"), str(REPO / "tests" / "data" / "news")])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--without-syntax", action="store_true", help="the pipeline without kg_syntax")
    args = parser.parse_args(argv)

    from kg.build import build

    if args.without_syntax:
        from kg.nlp import pipeline

        def without_syntax(path=None):
            nlp = pipeline.assemble() if path is None else pipeline.spacy.load(path)
            if pipeline.SYNTAX in nlp.pipe_names:
                nlp.remove_pipe(pipeline.SYNTAX)
            return nlp

        pipeline.load_pipeline = without_syntax
    from kg.ingest import iter_input_files, read_text_file

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        chars = 0
        for path in iter_input_files(args.inputs):
            text = read_text_file(path)
            for i in range(args.copies):
                (work / "in").mkdir(exist_ok=True)
                (work / "in" / f"{i:04d}_{Path(path).name}").write_text(text, encoding="utf-8")
                chars += len(text)
        clock = time.perf_counter()
        report = build([str(work / "in")], work / "out", progress=False)
        total = time.perf_counter() - clock
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = report["seconds"]
    print(json.dumps({"files": report["files_read"], "documents": report["documents"], "characters": chars,
                      "seconds_total": round(total, 2), "chars_per_second": round(chars / total),
                      "chars_per_second_nlp": round(chars / stages["nlp"]) if stages.get("nlp") else None,
                      "seconds_per_stage": stages, "peak_rss_mb": round(peak_mb)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does `kg build` stream? Characters/s and peak RSS on synthetic archives of two sizes.

Makes a JSON Lines archive of N short articles (a dateline, then real news sentences
from the MSRA NER corpus shuffled with a fixed seed: the same N gives the same file),
runs `kg build` on it in a fresh process per size and reads that process's peak RSS
after the pipeline loads, once the graph is built (streaming done, nothing written)
and at the end (writing graph.json, GraphML and GEXF holds the whole graph).
If the build streams, peak RSS grows with the entity table, not with the number of
documents. `--format txt` writes one .txt file per article instead (what main's build
could read before archive inputs), to compare.

Usage: python benchmarks/scale_benchmark.py [--sizes 2000 8000] [--seed 16] [--with-text] [--format jsonl|txt]
       [--corpus ../shared/corpora/msra/train.bio] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "msra" / "train.bio"
SENTENCES_PER_ARTICLE = (3, 6)

# Runs kg build in this process and prints its peak RSS (kB on Linux) at four points:
# after the pipeline loads, when every document has gone through (results in shards, the
# entity table in memory), when the graph is built (before writing), and at the end.
DRIVER = ("import resource, sys\n"
          "import kg.build, kg.nlp.pipeline\n"
          "from kg.cli import main\n"
          "def peak(what):\n"
          "    print(what, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr, flush=True)\n"
          "load, write, assemble = kg.nlp.pipeline.load_pipeline, kg.build._write, kg.build.graph_from_shards\n"
          "def load_pipeline(*a, **k):\n"
          "    nlp = load(*a, **k); peak('PEAK_RSS_KB_LOADED'); return nlp\n"
          "def _write(*a, **k):\n"
          "    peak('PEAK_RSS_KB_BUILT'); return write(*a, **k)\n"
          "def graph_from_shards(*a, **k):\n"
          "    peak('PEAK_RSS_KB_STREAMED'); return assemble(*a, **k)\n"
          "kg.nlp.pipeline.load_pipeline, kg.build._write = load_pipeline, _write\n"
          "kg.build.graph_from_shards = graph_from_shards\n"
          "rc = main(sys.argv[1:])\n"
          "peak('PEAK_RSS_KB')\n"
          "sys.exit(rc)\n")


def read_sentences(path: Path) -> list[str]:
    """Sentences of a char<TAB>tag BIO file (blank line between sentences)."""
    sentences, chars = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if chars:
                    sentences.append("".join(chars))
                    chars = []
                continue
            chars.append(line.split("\t", 1)[0])
    if chars:
        sentences.append("".join(chars))
    return [s for s in sentences if 8 <= len(s) <= 200]


def write_corpus(sentences: list[str], documents: int, seed: int, folder: Path, fmt: str) -> int:
    """Write `documents` synthetic articles; returns the characters of article text written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    handle = open(folder / "archive.jsonl", "w", encoding="utf-8") if fmt == "jsonl" else None
    try:
        for number in range(documents):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            body = "".join(rng.choice(sentences) for _ in range(rng.randint(*SENTENCES_PER_ARTICLE)))
            text = f"本报讯 {month}月{day}日，{body}"
            chars += len(text)
            if handle is not None:
                row = {"id": f"syn-{number:07d}", "date": f"2023-{month:02d}-{day:02d}", "text": text}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                (folder / f"{number:07d}.txt").write_text(text, encoding="utf-8")
    finally:
        if handle is not None:
            handle.close()
    return chars


def run_build(inputs: Path, outdir: Path, with_text: bool) -> dict:
    args = [sys.executable, "-c", DRIVER, "build", str(inputs), "-o", str(outdir)] + ([] if with_text else ["--no-text"])
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    clock = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - clock
    if result.returncode != 0:
        raise SystemExit(f"kg build failed ({result.returncode}): {result.stderr[-2000:]}")
    peaks = {line.split()[0]: int(line.split()[1]) / 1024 for line in result.stderr.splitlines()
             if line.startswith("PEAK_RSS_KB")}
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "peak_rss_mb": peaks["PEAK_RSS_KB"], "rss_loaded_mb": peaks["PEAK_RSS_KB_LOADED"],
            "peak_rss_built_mb": peaks["PEAK_RSS_KB_BUILT"], "peak_rss_streamed_mb": peaks["PEAK_RSS_KB_STREAMED"],
            "report": report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000], help="documents per corpus")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    parser.add_argument("--with-text", action="store_true", help="keep article text in the graph (no --no-text)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="BIO file of news sentences")
    parser.add_argument("--keep", type=Path, help="keep the corpora and outputs in this folder")
    args = parser.parse_args(argv)

    sentences = read_sentences(args.corpus)
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    rows = []
    try:
        for size in args.sizes:
            corpus = work / f"corpus_{size}"
            chars = write_corpus(sentences, size, args.seed, corpus, args.format)
            measured = run_build(corpus, work / f"out_{size}", args.with_text)
            report = measured["report"]
            rows.append({"documents": report["documents"], "characters": chars,
                         "seconds_total": round(measured["seconds"], 1),
                         "chars_per_second": round(chars / measured["seconds"]),
                         "chars_per_second_nlp": round(chars / report["seconds"]["nlp"]),
                         "seconds_per_stage": report["seconds"],
                         "entities": report["counts"]["entities"], "events": report["counts"]["events"],
                         "edges": report["counts"]["edges"],
                         "rss_after_pipeline_load_mb": round(measured["rss_loaded_mb"]),
                         "peak_rss_streamed_mb": round(measured["peak_rss_streamed_mb"]),
                         "peak_rss_before_write_mb": round(measured["peak_rss_built_mb"]),
                         "peak_rss_mb": round(measured["peak_rss_mb"])})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(json.dumps({"documents_ratio": round(last["documents"] / first["documents"], 2),
                          "peak_rss_ratio": round(last["peak_rss_mb"] / first["peak_rss_mb"], 2),
                          "peak_rss_growth_mb": last["peak_rss_mb"] - first["peak_rss_mb"],
                          "peak_rss_streamed_growth_mb": last["peak_rss_streamed_mb"] - first["peak_rss_streamed_mb"],
                          "peak_rss_before_write_growth_mb":
                              last["peak_rss_before_write_mb"] - first["peak_rss_before_write_mb"],
                          "entities_ratio": round(last["entities"] / max(1, first["entities"]), 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

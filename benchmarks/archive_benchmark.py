"""Local build vs `--engine ray` on synthetic archives of a given size: characters/s and
peak RSS of the whole process tree (the Ray workers included).

The corpus: real news sentences (the MSRA NER corpus, see scale_benchmark.read_sentences)
shuffled with a fixed seed into articles of 3-6 sentences, each opened by a dateline
(本报讯 or 新华社 + a city of the gazetteer + a date: 新华社<city>3月5日电), written as one
JSON Lines archive of about `--mb` MB of UTF-8 (the same size and seed give the same file).
Each build runs in a fresh `kg build` process; its RSS and that of every descendant
(Ray's raylet, GCS and workers) are summed every 0.2 s and the peak kept.

Usage: python benchmarks/archive_benchmark.py [--mb 1 10] [--engines local ray:1 ray:2] [--seed 16]
       [--keep DIR]
100 MB takes about 45 minutes per build on one core of the development machine.
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
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_benchmark import CORPUS, REPO, SENTENCES_PER_ARTICLE, read_sentences  # noqa: E402

SAMPLE_SECONDS = 0.2


def dateline_cities() -> list[str]:
    """Short names of the gazetteer's prefecture-level cities (the cities datelines name)."""
    from kg.nlp.pipeline import load_pipeline

    gazetteer = load_pipeline().get_pipe("kg_places").gazetteer
    return sorted({(d.short or d.name) for d in gazetteer.divisions if d.level == "prefecture" and d.code})


def write_archive(sentences: list[str], cities: list[str], megabytes: float, seed: int, path: Path) -> dict:
    """About `megabytes` MB of articles as JSON Lines; returns {'documents', 'characters', 'bytes'}."""
    rng = random.Random(seed)
    limit = int(megabytes * 1_000_000)
    written = documents = characters = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < limit:
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            opening = f"新华社{rng.choice(cities)}{month}月{day}日电 " if rng.random() < 0.5 else "本报讯 "
            body = "".join(rng.choice(sentences) for _ in range(rng.randint(*SENTENCES_PER_ARTICLE)))
            text = opening + body
            line = json.dumps({"id": f"syn-{documents:08d}", "date": f"2023-{month:02d}-{day:02d}", "text": text},
                              ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            documents += 1
            characters += len(text)
    return {"documents": documents, "characters": characters, "bytes": written}


def tree_rss(process) -> int:
    """Bytes resident in `process` and all its descendants (psutil)."""
    import psutil

    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # gone between listing and reading
            pass
    return total


def run_build(archive: Path, outdir: Path, engine: str) -> dict:
    import psutil

    args = [sys.executable, "-m", "kg.cli", "build", str(archive), "-o", str(outdir), "--no-text"]
    if engine.startswith("ray"):
        args += ["--engine", "ray", "--workers", engine.split(":")[1]]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    peak = [0]
    clock = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process = psutil.Process(child.pid)

    def sample():
        while child.poll() is None:
            try:
                peak[0] = max(peak[0], tree_rss(process))
            except psutil.Error:
                break
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    seconds = time.perf_counter() - clock
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"kg build ({engine}) failed ({child.returncode}): {stderr[-2000:]}")
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "peak_tree_rss_mb": peak[0] / 2**20, "report": report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1.0], help="archive sizes in MB")
    parser.add_argument("--engines", nargs="+", default=["local", "ray:1", "ray:2"],
                        help="local, or ray:N (N workers)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="BIO file of news sentences")
    parser.add_argument("--keep", type=Path, help="keep the archives and outputs in this folder")
    args = parser.parse_args(argv)

    sentences = read_sentences(args.corpus)
    cities = dateline_cities()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for megabytes in args.mb:
            archive = work / f"archive_{megabytes:g}mb.jsonl"
            corpus = write_archive(sentences, cities, megabytes, args.seed, archive)
            for engine in args.engines:
                load = os.getloadavg()
                measured = run_build(archive, work / f"out_{megabytes:g}_{engine.replace(':', '')}", engine)
                report = measured["report"]
                print(json.dumps({"mb": megabytes, "engine": engine, **corpus,
                                  "seconds": round(measured["seconds"], 1),
                                  "chars_per_second": round(corpus["characters"] / measured["seconds"]),
                                  "chars_per_second_nlp": round(corpus["characters"] / report["seconds"]["nlp"]),
                                  "peak_tree_rss_mb": round(measured["peak_tree_rss_mb"]),
                                  "entities": report["counts"]["entities"], "events": report["counts"]["events"],
                                  "graph_written": report["graph"]["written"],
                                  "load_average_before": [round(x, 2) for x in load]}, ensure_ascii=False),
                      flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

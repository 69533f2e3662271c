"""Evaluate a trained NER model on the held-out MSRA and CLUENER dev text.

Inputs : MODEL (a spaCy model dir), DATA/dev_msra.bio, DATA/dev_cluener.jsonl
Outputs: OUT (metrics JSON): per-label and overall exact-span P/R/F1 for
         - msra:           PERSON, PLACE, ORG (AGENCY merged into ORG, MSRA style)
         - cluener:        PERSON, PLACE, AGENCY, ORG (CLUENER mapping)
         - cluener_merged: the same with AGENCY merged into ORG (comparable with peers)
         plus characters/second of the model on that text (single process), and
         the recall of gold entities whose text is / is not an entity of
         DATA/train.spacy ("seen" / "unseen": how far the model generalises to names
         it was not shown; README, "Honest dev split").

Model labels are mapped on output: ADDRESS -> PLACE, POSITION -> not scored.

Usage: python pipelines/ner/evaluate.py [--model DIR | --pipeline] [--data DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from spacy.tokens import DocBin  # noqa: E402
from spacy.vocab import Vocab  # noqa: E402

from kg.evaluate import (  # noqa: E402
    GOLD_LABEL_MAP,
    PRED_LABEL_MAP,
    evaluate_spans,
    format_table,
    load_model,
    predict_spans,
    public_spans,
    read_bio,
    read_cluener,
)

DEFAULT_MODEL = HERE / "training" / "model-best"
DEFAULT_DATA = HERE / "corpus"
DEFAULT_OUT = HERE / "training" / "metrics.json"


def training_entities(data: Path) -> frozenset[str] | None:
    """The text of every entity in DATA/train.spacy, or None without that file."""
    path = data / "train.spacy"
    if not path.is_file():
        return None
    return _entities_of(str(path.resolve()), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _entities_of(path: str, _mtime: int) -> frozenset[str]:
    """Read once per file version (select_checkpoint.py scores many checkpoints)."""
    return frozenset(ent.text for doc in DocBin().from_disk(path).get_docs(Vocab())
                     for ent in doc.ents)


def recall_by_seen(sentences, predicted, seen: set[str], merge_agency: bool) -> dict:
    """Recall of gold spans (public labels) whose text is / is not a training entity."""
    counts = {"seen": [0, 0], "unseen": [0, 0]}
    for sentence, spans in zip(sentences, predicted, strict=True):
        found = public_spans(spans, PRED_LABEL_MAP, merge_agency)
        for span in public_spans(sentence.spans, GOLD_LABEL_MAP, merge_agency):
            key = "seen" if sentence.text[span[0]:span[1]] in seen else "unseen"
            counts[key][0] += span in found
            counts[key][1] += 1
    return {key: {"r": hit / total if total else 0.0, "found": hit, "gold": total}
            for key, (hit, total) in counts.items()}


def evaluate_model(model_dir: Path | None, data: Path, limit: int = 0) -> dict:
    """Score the model (None: the whole `kg ner` pipeline) on both dev sets; also time it."""
    nlp = load_model(str(model_dir) if model_dir else None)
    seen = training_entities(data)
    sets = {
        "msra": read_bio(data / "dev_msra.bio"),
        "cluener": read_cluener(data / "dev_cluener.jsonl"),
    }
    results = {"model": str(model_dir) if model_dir else "kg ner pipeline"}
    for name, sentences in sets.items():
        if limit:
            sentences = sentences[:limit]
        texts = [s.text for s in sentences]
        started = time.perf_counter()
        predicted = predict_spans(nlp, texts)
        seconds = time.perf_counter() - started
        results[name] = evaluate_spans(sentences, predicted)
        results[name]["chars_per_second"] = sum(map(len, texts)) / max(seconds, 1e-9)
        if seen is not None:
            results[name]["recall_by_seen"] = recall_by_seen(
                sentences, predicted, seen, results[name]["merge_agency"])
        if name == "cluener":
            results["cluener_merged"] = evaluate_spans(sentences, predicted, merge_agency=True)
    return results


def markdown(results: dict) -> str:
    """Per-label table of the three scores, for the README."""
    lines = ["| dev set | label | P | R | F1 | gold spans |", "|---|---|---|---|---|---|"]
    for name in ("msra", "cluener", "cluener_merged"):
        result = results[name]
        rows = list(result["labels"].items()) + [("**overall**", result["overall"])]
        for label, m in rows:
            lines.append(f"| {name} | {label} | {m['p']:.3f} | {m['r']:.3f} | {m['f']:.3f} | {m['support']} |")
    for name in ("msra", "cluener"):
        by_seen = results[name].get("recall_by_seen")
        if by_seen:
            lines.append("")
            lines.append(f"{name}: recall of gold entities seen as a training entity "
                         f"{by_seen['seen']['r']:.3f} ({by_seen['seen']['gold']}), unseen "
                         f"{by_seen['unseen']['r']:.3f} ({by_seen['unseen']['gold']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--pipeline", action="store_true",
                        help="score the whole `kg ner` pipeline instead of --model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with dev_msra.bio and dev_cluener.jsonl (convert.py output)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--limit", type=int, default=0, help="first N sentences of each set")
    parser.add_argument("--markdown", type=Path, help="also write the per-label table as Markdown")
    args = parser.parse_args(argv)
    model = None if args.pipeline else args.model
    for required in ([] if args.pipeline else [args.model / "config.cfg"]) + [
            args.data / "dev_msra.bio", args.data / "dev_cluener.jsonl"]:
        if not required.is_file():
            print(f"evaluate: missing input {required}", file=sys.stderr)
            return 2
    results = evaluate_model(model, args.data, args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    for name in ("msra", "cluener", "cluener_merged"):
        print(f"== {name} ({results[name]['sentences']} sentences)")
        print(format_table(results[name]))
        by_seen = results[name].get("recall_by_seen")
        if by_seen:
            print("recall " + ", ".join(f"{key} {m['r']:.3f} ({m['gold']} gold)"
                                        for key, m in by_seen.items()))
    if args.markdown:
        args.markdown.write_text(markdown(results) + "\n", encoding="utf-8")
    print(f"evaluate: metrics written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

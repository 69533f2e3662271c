"""Score a pkuseg model directory on the held-out split: word P/R/F1 and speed.

Inputs: a model dir (default kg/models/pkuseg) and corpus/test.txt.
Output: the scores printed as JSON, and written to --output if given.
The model runs through the kg_words component's own segmentation
(kg.nlp.segmenter), so the score is the one the pipeline gets.

    python pipelines/segmenter/evaluate.py [--model DIR] [--test FILE] [--output FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kg.nlp.segmenter import DEFAULT_MODEL_DIR, WordSegmenter  # noqa: E402


def word_offsets(words: list[str]) -> set[tuple[int, int]]:
    """Character (start, end) of each word of a segmented sentence."""
    spans, start = set(), 0
    for word in words:
        spans.add((start, start + len(word)))
        start += len(word)
    return spans


def read_gold(path: Path, limit: int | None = None) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        sentences = [line.split() for line in handle if line.strip()]
    return sentences[:limit] if limit else sentences


def evaluate(model_dir: Path, gold: list[list[str]]) -> dict:
    """Word-level precision/recall/F1 (exact boundaries) and chars/s."""
    segmenter = WordSegmenter(None, model_path=str(model_dir))
    load_start = time.perf_counter()
    segmenter.initialize()
    load_seconds = time.perf_counter() - load_start
    n_gold = n_pred = n_correct = n_chars = 0
    seconds = 0.0
    for words in gold:
        text = "".join(words)
        start = time.perf_counter()
        predicted = set(segmenter.segment(text))
        seconds += time.perf_counter() - start
        expected = word_offsets(words)
        n_gold += len(expected)
        n_pred += len(predicted)
        n_correct += len(expected & predicted)
        n_chars += len(text)
    precision = n_correct / n_pred if n_pred else 0.0
    recall = n_correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "model": str(model_dir),
        "sentences": len(gold),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "chars_per_second": round(n_chars / seconds) if seconds else None,
        "load_seconds": round(load_seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--test", type=Path, default=HERE / "corpus" / "test.txt")
    parser.add_argument("--limit", type=int, default=None, help="first N test sentences only")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.test.exists():
        print(f"{args.test}: not found (run corpus.py first)", file=sys.stderr)
        return 1
    scores = evaluate(args.model, read_gold(args.test, args.limit))
    text = json.dumps(scores, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

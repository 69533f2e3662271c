"""`kg evaluate FILE`: score the NER on a BIO or CLUENER JSON Lines file.

Gold files come in two formats, detected from the content:
- BIO: one `char<TAB>tag` per line (tags B-X / I-X / O), blank line between
  sentences (MSRA style; labels PER/LOC/ORG or the project's own labels);
- CLUENER: one JSON object per line with `text` and `entity_list` (CLUENER2020 style,
  `entity_index.end` exclusive).

Both gold and predicted labels are mapped onto the project's public labels
(PERSON, PLACE, AGENCY, ORG) before exact span matching. When the gold file has no
AGENCY class (MSRA's ORG mixes government bodies and companies), predicted AGENCY is
merged into ORG so the two sides are comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

EVAL_LABELS = ("PERSON", "PLACE", "AGENCY", "ORG")

# Gold labels of the known corpora -> public label (absent = not scored).
GOLD_LABEL_MAP = {
    "PER": "PERSON", "PERSON": "PERSON", "name": "PERSON",
    "LOC": "PLACE", "PLACE": "PLACE", "GPE": "PLACE", "address": "PLACE",
    "ORG": "ORG", "organization": "ORG", "company": "ORG",
    "AGENCY": "AGENCY", "government": "AGENCY",
}

# Labels the project's models emit -> public label (absent = not scored).
# ADDRESS is the model's internal label for whole postal addresses (CLUENER).
PRED_LABEL_MAP = {
    "PERSON": "PERSON", "PLACE": "PLACE", "ADDRESS": "PLACE",
    "AGENCY": "AGENCY", "ORG": "ORG",
    # peers' labels (benchmarks)
    "PER": "PERSON", "LOC": "PLACE",
}


class GoldFormatError(ValueError):
    """A gold file that cannot be read; the message names the file and line."""


@dataclass
class Sentence:
    """One gold sentence: its text and (start, end, raw_label) character spans."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


# ---------------------------------------------------------------- reading gold


def detect_format(path: Path) -> str:
    """'cluener' if the first non-blank line is a JSON object, else 'bio'."""
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped:
                return "cluener" if stripped.startswith("{") else "bio"
    raise GoldFormatError(f"{path}: file is empty")


def read_bio(path: Path) -> list[Sentence]:
    """Read `char<TAB>tag` lines; a tag I-X after O or another label opens a span."""
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if chars:
                    sentences.append(_bio_sentence(chars, tags))
                    chars, tags = [], []
                continue
            parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise GoldFormatError(
                    f"{path}:{line_no}: expected 'char<TAB>tag', got {line!r}"
                )
            tag = parts[1].strip()
            if tag != "O" and not (len(tag) > 2 and tag[:2] in ("B-", "I-", "E-", "S-", "M-")):
                raise GoldFormatError(f"{path}:{line_no}: bad tag {tag!r}")
            chars.append(parts[0])
            tags.append(tag)
    if chars:
        sentences.append(_bio_sentence(chars, tags))
    return sentences


def _bio_sentence(chars: list[str], tags: list[str]) -> Sentence:
    """Turn per-character BIO(ES) tags into character spans."""
    text = "".join(chars)
    offsets = []
    pos = 0
    for ch in chars:
        offsets.append(pos)
        pos += len(ch)
    spans = []
    start = label = None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, tag_label = tag.partition("-")
        continues = prefix in ("I", "M", "E") and label == tag_label
        if start is not None and not continues:
            spans.append((offsets[start], offsets[i - 1] + len(chars[i - 1]), label))
            start = label = None
        if prefix in ("B", "S") or (prefix in ("I", "M", "E") and start is None):
            start, label = i, tag_label
        if prefix in ("E", "S") and start is not None:
            spans.append((offsets[start], offsets[i] + len(chars[i]), label))
            start = label = None
    return Sentence(text, spans)


def read_cluener(path: Path) -> list[Sentence]:
    """Read CLUENER JSON Lines (`entity_list` or the original `label` dict form)."""
    sentences = []
    with open(path, encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                spans = list(_cluener_spans(record))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise GoldFormatError(f"{path}:{line_no}: {type(exc).__name__}: {exc}") from exc
            for start, end, _label in spans:
                if not (0 <= start < end <= len(text)):
                    raise GoldFormatError(
                        f"{path}:{line_no}: span {start}-{end} outside the text"
                    )
            sentences.append(Sentence(text, spans))
    return sentences


def _cluener_spans(record: dict) -> Iterator[tuple[int, int, str]]:
    """Spans of one CLUENER record; both the list form and the nested dict form."""
    if "entity_list" in record:
        for entity in record["entity_list"]:
            index = entity["entity_index"]
            yield int(index["begin"]), int(index["end"]), entity["entity_type"]
    elif "label" in record:  # original CLUENER: {label: {name: [[b, e_inclusive]]}}
        for label, names in (record["label"] or {}).items():
            for positions in names.values():
                for begin, end_inclusive in positions:
                    yield int(begin), int(end_inclusive) + 1, label
    else:
        raise KeyError("entity_list")


def read_gold(path: Path) -> tuple[str, list[Sentence]]:
    """Detect the format and read the file."""
    path = Path(path)
    if not path.is_file():
        raise GoldFormatError(f"{path}: no such file")
    fmt = detect_format(path)
    return fmt, (read_cluener(path) if fmt == "cluener" else read_bio(path))


# ---------------------------------------------------------------- scoring


def public_spans(spans: Iterable[tuple[int, int, str]], label_map: dict,
                 merge_agency: bool) -> set[tuple[int, int, str]]:
    """Map raw labels to public ones, dropping unscored labels."""
    result = set()
    for start, end, label in spans:
        public = label_map.get(label)
        if public is None:
            continue
        if merge_agency and public == "AGENCY":
            public = "ORG"
        result.add((start, end, public))
    return result


def gold_has_agency(sentences: list[Sentence]) -> bool:
    """True if any gold span maps to AGENCY (otherwise AGENCY and ORG are merged)."""
    return any(
        GOLD_LABEL_MAP.get(label) == "AGENCY" for s in sentences for _, _, label in s.spans
    )


def score(gold: list[set], predicted: list[set]) -> dict:
    """Exact-match precision/recall/F1 per label and micro-averaged overall."""
    counts: dict[str, list[int]] = {}
    for gold_set, pred_set in zip(gold, predicted, strict=True):
        for label in {s[2] for s in gold_set | pred_set}:
            tp_fp_fn = counts.setdefault(label, [0, 0, 0])
            g = {s for s in gold_set if s[2] == label}
            p = {s for s in pred_set if s[2] == label}
            tp_fp_fn[0] += len(g & p)
            tp_fp_fn[1] += len(p - g)
            tp_fp_fn[2] += len(g - p)
    per_label = {label: _prf(*c) for label, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    return {"labels": per_label, "overall": _prf(*total)}


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f": f1, "tp": tp, "fp": fp, "fn": fn,
            "support": tp + fn}


def evaluate_spans(sentences: list[Sentence],
                   predicted_raw: list[list[tuple[int, int, str]]],
                   merge_agency: bool | None = None) -> dict:
    """Score raw predicted spans against gold sentences with the label mappings."""
    if merge_agency is None:
        merge_agency = not gold_has_agency(sentences)
    gold = [public_spans(s.spans, GOLD_LABEL_MAP, merge_agency) for s in sentences]
    pred = [public_spans(p, PRED_LABEL_MAP, merge_agency) for p in predicted_raw]
    result = score(gold, pred)
    result["merge_agency"] = merge_agency
    result["sentences"] = len(sentences)
    return result


def predict_spans(nlp, texts: list[str], batch_size: int = 256) -> list[list]:
    """Run a spaCy pipeline and return (start_char, end_char, label) per text."""
    from kg.nlp.pipeline import entities_only

    with entities_only(nlp):
        return [
            [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in nlp.pipe(texts, batch_size=batch_size)
        ]


def load_model(model_dir: str | None):
    """The project's pipeline, or a trained model directory given with --model."""
    import spacy

    from kg.nlp.pipeline import load_pipeline  # also registers the kg components

    if model_dir:
        nlp = spacy.load(model_dir)
        add_missing_segmenter(nlp)
        return nlp
    return load_pipeline()


def add_missing_segmenter(nlp) -> None:
    """A packaged NER model leaves out `kg_words` (shipped in kg/models/pkuseg); put it back.

    Its word features (TAG, LEMMA) come from the segmenter's words, so scoring the
    model without it would understate it.
    """
    if "kg_char_features" not in nlp.pipe_names or "kg_words" in nlp.pipe_names:
        return
    nlp.add_pipe("kg_words", first=True).initialize(nlp=nlp)


def format_table(result: dict) -> str:
    """Plain-text table: label, P, R, F1, support."""
    lines = [f"{'label':<9}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}"]
    rows = list(result["labels"].items()) + [("overall", result["overall"])]
    for label, m in rows:
        lines.append(f"{label:<9}{m['p']:>8.3f}{m['r']:>8.3f}{m['f']:>8.3f}{m['support']:>8d}")
    return "\n".join(lines)


# ---------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="gold file: BIO (char<TAB>tag) or CLUENER JSON Lines")
    parser.add_argument("--model", help="trained spaCy model directory (default: the project pipeline)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N sentences")


def run(args: argparse.Namespace) -> int:
    try:
        fmt, sentences = read_gold(Path(args.file))
    except (GoldFormatError, UnicodeDecodeError, OSError) as exc:
        print(f"kg evaluate: {exc}" if isinstance(exc, GoldFormatError)
              else f"kg evaluate: {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        sentences = sentences[: args.limit]
    nlp = load_model(args.model)
    predicted = predict_spans(nlp, [s.text for s in sentences])
    result = evaluate_spans(sentences, predicted)
    result["format"] = fmt
    result["file"] = str(args.file)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        merged = " (AGENCY merged into ORG: the gold file has no AGENCY)" if result["merge_agency"] else ""
        print(f"{args.file}: {fmt}, {len(sentences)} sentences{merged}")
        print(format_table(result))
    return 0

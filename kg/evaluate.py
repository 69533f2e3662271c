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
from .cli import count_at_least

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
    with open(path, encoding="utf-8-sig", errors="replace", newline="\n") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped:
                return "cluener" if stripped.startswith("{") else "bio"
    raise GoldFormatError(f"{path}: file is empty")


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, text without its line end) of a UTF-8 file, split on "\\n" only;
    None as the text of a line that is not UTF-8."""
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="\n") as handle:
        for line_no, line in enumerate(handle, 1):
            line = line.removesuffix("\n").removesuffix("\r")
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:
                yield line_no, None
                continue
            yield line_no, line


class _Problems:
    """Bad lines: raised at once (problems=None, the library default) or collected and skipped."""

    def __init__(self, path: Path, problems: list[str] | None):
        self.path, self.problems = path, problems

    def report(self, line_no: int, reason: str) -> None:
        message = f"{self.path}:{line_no}: {reason}"
        if self.problems is None:
            raise GoldFormatError(message)
        self.problems.append(message)


def read_bio(path: Path, problems: list[str] | None = None, limit: int | None = None) -> list[Sentence]:
    """Read `char<TAB>tag` lines; a tag I-X after O or another label opens a span.

    A bad line raises GoldFormatError, or, given a `problems` list, is added to it as
    `FILE:LINE: reason` and its sentence skipped. `limit` stops after that many sentences."""
    bad = _Problems(path, problems)
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    broken = False
    for line_no, line in _lines(path):
        if line is not None and not line.strip():
            if chars and not broken:
                sentences.append(_bio_sentence(chars, tags))
                if limit is not None and len(sentences) >= limit:
                    return sentences
            chars, tags, broken = [], [], False
            continue
        reason = _bio_problem(line)
        if reason:
            bad.report(line_no, reason + "; its sentence is skipped")
            broken = True
            continue
        parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
        chars.append(parts[0])
        tags.append(parts[1].strip())
    if chars and not broken and (limit is None or len(sentences) < limit):
        sentences.append(_bio_sentence(chars, tags))
    return sentences


def _bio_problem(line: str | None) -> str | None:
    """Why a BIO line cannot be read, or None."""
    if line is None:
        return "not UTF-8"
    parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return f"expected 'char<TAB>tag', got {line[:80]!r}"
    tag = parts[1].strip()
    if tag != "O" and not (len(tag) > 2 and tag[:2] in ("B-", "I-", "E-", "S-", "M-")):
        return f"bad tag {tag[:80]!r}"
    return None


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


def read_cluener(path: Path, problems: list[str] | None = None, limit: int | None = None) -> list[Sentence]:
    """Read CLUENER JSON Lines (`entity_list` or the original `label` dict form).

    A bad line raises GoldFormatError, or, given a `problems` list, is added to it as
    `FILE:LINE: reason` and skipped. `limit` stops after that many sentences."""
    bad = _Problems(path, problems)
    sentences = []
    for line_no, line in _lines(path):
        if line is not None and not line.strip():
            continue
        try:
            if line is None:
                raise ValueError("not UTF-8")
            sentences.append(_cluener_sentence(line))
        except ValueError as exc:
            bad.report(line_no, str(exc))
            continue
        if limit is not None and len(sentences) >= limit:
            break
    return sentences


def _cluener_sentence(line: str) -> Sentence:
    """One CLUENER line as a Sentence; ValueError saying what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {_kind(record)}")
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f"'text' must be a string, got {_kind(text)}")
    spans = list(_cluener_spans(record))
    for start, end, _label in spans:
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"span {start}-{end} outside the text")
    return Sentence(text, spans)


def _cluener_spans(record: dict) -> Iterator[tuple[int, int, str]]:
    """Spans of one CLUENER record; both the list form and the nested dict form."""
    if "entity_list" in record:
        entities = record["entity_list"]
        if not isinstance(entities, list):
            raise ValueError(f"'entity_list' must be a list, got {_kind(entities)}")
        for entity in entities:
            index = entity.get("entity_index") if isinstance(entity, dict) else None
            if not isinstance(index, dict):
                raise ValueError(f"an entity must be an object with 'entity_index', got {_kind(entity)}")
            yield _offset(index.get("begin"), "begin"), _offset(index.get("end"), "end"), \
                _label(entity.get("entity_type"))
    elif "label" in record:  # original CLUENER: {label: {name: [[b, e_inclusive]]}}
        labels = record["label"] or {}
        if not isinstance(labels, dict):
            raise ValueError(f"'label' must be an object, got {_kind(labels)}")
        for label, names in labels.items():
            if not isinstance(names, dict):
                raise ValueError(f"'label.{label}' must be an object, got {_kind(names)}")
            for positions in names.values():
                if not isinstance(positions, list):
                    raise ValueError(f"positions must be a list, got {_kind(positions)}")
                for position in positions:
                    if not (isinstance(position, list) and len(position) == 2):
                        raise ValueError(f"a position must be [begin, end], got {json.dumps(position)[:40]}")
                    yield _offset(position[0], "begin"), _offset(position[1], "end") + 1, label
    else:
        raise ValueError("no 'entity_list' (or 'label')")


def _offset(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{name}' must be a whole number, got {_kind(value)}")
    return value


def _label(value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"'entity_type' must be a string, got {_kind(value)}")
    return value


def _kind(value) -> str:
    return "null" if value is None else f"{type(value).__name__} {json.dumps(value, ensure_ascii=False)[:40]}"


def read_gold(path: Path, problems: list[str] | None = None, limit: int | None = None,
              ) -> tuple[str, list[Sentence]]:
    """Detect the format and read the file (bad lines: see read_bio / read_cluener)."""
    path = Path(path)
    if not path.is_file():
        raise GoldFormatError(f"{path}: no such file")
    fmt = detect_format(path)
    reader = read_cluener if fmt == "cluener" else read_bio
    return fmt, reader(path, problems, limit)


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
    """Run a spaCy pipeline and return (start_char, end_char, label) per text; a text of
    any length goes through in chunks (kg/nlp/chunking.py)."""
    from kg.nlp.chunking import pipe_chunks
    from kg.nlp.pipeline import entities_only

    predicted: list[list] = []
    spans: list = []
    with entities_only(nlp):
        for _, offset, doc, last in pipe_chunks(nlp, ((text, None) for text in texts), batch_size=batch_size):
            spans += [(ent.start_char + offset, ent.end_char + offset, ent.label_) for ent in doc.ents]
            if last:
                predicted.append(spans)
                spans = []
    return predicted


def load_model(model_dir: str | None):
    """The project's pipeline, or a trained model directory given with --model."""
    import spacy

    from kg.nlp.pipeline import load_pipeline  # also registers the kg components

    if model_dir:
        nlp = spacy.load(model_dir)
        add_missing_segmenter(nlp)
        return nlp
    return load_pipeline(entities_only=True)


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
    parser.add_argument("--limit", type=count_at_least(1), metavar="N", help="score only the first N sentences")




def run(args: argparse.Namespace) -> int:
    """Bad lines are reported (FILE:LINE: reason) and skipped; the rest is scored."""
    problems: list[str] = []
    try:
        fmt, sentences = read_gold(Path(args.file), problems, args.limit)
    except (GoldFormatError, OSError) as exc:
        print(f"kg evaluate: {exc}" if isinstance(exc, GoldFormatError)
              else f"kg evaluate: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"kg evaluate: {problem}", file=sys.stderr)
    if not sentences:
        print(f"kg evaluate: {args.file}: no sentence to score", file=sys.stderr)
        return 2
    nlp = load_model(args.model)
    predicted = predict_spans(nlp, [s.text for s in sentences])
    result = evaluate_spans(sentences, predicted)
    result["format"] = fmt
    result["file"] = str(args.file)
    result["bad_lines"] = len(problems)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        merged = " (AGENCY merged into ORG: the gold file has no AGENCY)" if result["merge_agency"] else ""
        skipped = f", {len(problems)} bad lines skipped" if problems else ""
        print(f"{args.file}: {fmt}, {len(sentences)} sentences{skipped}{merged}")
        print(format_table(result))
    return 0

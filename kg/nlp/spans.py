"""Shared helpers for the rule components: span groups, extensions, boundaries."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .lexicon import FUNCTION_CHARS, PUNCT

# Extension attributes every kg component may read or write.
for _name, _default in (("kg_division", None), ("kg_source", None), ("kg_title", None)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=_default)
if not Doc.has_extension("kg_place_context"):
    # Division keys known to be relevant (e.g. every place named on the same page).
    Doc.set_extension("kg_place_context", default=None)


def char_span(doc: Doc, start: int, end: int, label: str, source: str) -> Span | None:
    """A span over characters [start, end), or None if it cannot align."""
    span = doc.char_span(start, end, label=label, alignment_mode="contract")
    if span is None or not span.text.strip():
        return None
    span._.kg_source = source
    return span


def set_group(doc: Doc, group: str, spans: list[Span]) -> None:
    doc.spans[group] = sorted(spans, key=lambda s: (s.start, -s.end))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def is_boundary(ch: str) -> bool:
    """Characters that cannot be inside a name: punctuation and function words."""
    return ch in PUNCT or ch in FUNCTION_CHARS or ch.isspace()


def word_ends(doc: Doc) -> set[int] | None:
    """Character offsets where a word of the segmenter ends (None without one)."""
    if "words" not in doc.spans:
        return None
    return {span.end_char for span in doc.spans["words"]}


def word_starts(doc: Doc) -> set[int] | None:
    if "words" not in doc.spans:
        return None
    return {span.start_char for span in doc.spans["words"]}

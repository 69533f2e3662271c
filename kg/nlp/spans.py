"""Shared helpers for the rule components: span groups, extensions, boundaries."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .lexicon import FUNCTION_CHARS, PUNCT

# Extension attributes every kg component may read or write.
# kg_refers_to: the full name a short reference stands for (王书记 -> the 王某某 who is 书记).
SPAN_ATTRIBUTES = ("kg_division", "kg_source", "kg_title", "kg_refers_to")  # each None by default
for _name in SPAN_ATTRIBUTES:
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
if not Doc.has_extension("kg_place_context"):
    # Division keys known to be relevant (e.g. every place named on the same page).
    Doc.set_extension("kg_place_context", default=None)
if not Doc.has_extension("kg_text_style"):
    # "press" or "web" (kg_char_features' reading of the text_style classifier), None
    # without a classifier: MSRA and CLUENER conventions differ on which places to name.
    Doc.set_extension("kg_text_style", default=None)


TEXT_KEY = "kg.text"  # doc.user_data: the text, kept by the first component that reads it
# doc.user_data: (the segmenter's letters, the word offsets read from them)
WORD_OFFSETS_KEY = "kg.word_offsets"


def doc_text(doc: Doc) -> str:
    """doc.text, built once per Doc: spaCy joins it token by token on every access,
    which for one-character tokens cost each component as much as its own work."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def char_span(doc: Doc, start: int, end: int, label: str, source: str) -> Span | None:
    """A span over characters [start, end), or None if it cannot align."""
    span = doc.char_span(start, end, label=label, alignment_mode="contract")
    if span is None or not span.text.strip():
        return None
    span._.kg_source = source
    return span


def set_group(doc: Doc, group: str, spans: list[Span]) -> None:
    doc.spans[group] = sorted(spans, key=lambda s: (s.start, -s.end))


class RuleTagger:
    """A rule component: `find(doc)` yields (start_char, end_char, label, title) and the
    spans land in doc.spans[group], marked with their source (and title, for people)."""

    group = ""
    source = ""

    def __init__(self, name: str):
        self.name = name

    def find(self, doc: Doc):
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for start, end, label, title in self.find(doc):
            span = char_span(doc, start, end, label, self.source)
            if span is not None:
                span._.kg_title = title
                spans.append(span)
        set_group(doc, self.group, spans)
        return doc


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def is_boundary(ch: str) -> bool:
    """Characters that cannot be inside a name: punctuation and function words."""
    return ch in PUNCT or ch in FUNCTION_CHARS or ch.isspace()


def word_offsets(doc: Doc) -> list[tuple[int, int]] | None:
    """(start_char, end_char) of the segmenter's words (None without a segmenter). Read
    from the per-token B/M/E/S letters kg_words keeps (kg/nlp/segmenter.py), which is much
    cheaper than making a Span per word."""
    letters = doc.user_data.get("kg_words.word_pos")
    if letters is None or len(letters) != len(doc):
        if "words" not in doc.spans:
            return None
        return [(w.start_char, w.end_char) for w in doc.spans["words"]]
    cached = doc.user_data.get(WORD_OFFSETS_KEY)
    if cached is not None and cached[0] is letters:  # several rules ask, per doc
        return cached[1]
    offsets = doc.to_array("IDX").tolist()
    lengths = doc.to_array("LENGTH").tolist()
    words, start = [], 0
    for i, letter in enumerate(letters):
        if letter == "B" or letter == "S":
            start = offsets[i]
        if letter == "E" or letter == "S":
            words.append((start, offsets[i] + lengths[i]))
    doc.user_data[WORD_OFFSETS_KEY] = (letters, words)
    return words


def word_bounds(doc: Doc) -> tuple[set[int], set[int]] | None:
    """(starts, ends): the character offsets where the segmenter's words start and end
    (None without a segmenter)."""
    words = word_offsets(doc)
    if words is None:
        return None
    return {start for start, _ in words}, {end for _, end in words}


def words_by_start(doc: Doc) -> dict[int, int] | None:
    """Start -> end character offsets of the segmenter's words (None without one)."""
    words = word_offsets(doc)
    return None if words is None else dict(words)

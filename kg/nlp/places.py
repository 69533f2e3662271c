"""`kg_places`: places from the gazetteer of Chinese administrative divisions.

Full names (苏州市, 桃花镇, 长阳土家族自治县) are certain. Short forms of provinces and
prefectures (江苏, 苏州) are accepted when unambiguous; short forms of counties (昆山)
only when an ancestor is named in the same text or page context, since many county
short forms are also ordinary words. Villages named right after their town
(…镇张庄村, …镇张庄、李庄) are places too. The matching itself lives in
`kg.nlp.gazetteer` (no spaCy needed); this module is the spaCy component.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .gazetteer import (PACKAGED_GAZETTEER, PACKAGED_IDIOMS, Gazetteer, find_places, idioms_with_places,
                        read_gazetteer, read_word_list, set_phrases, write_gazetteer, write_word_list)
from .spans import char_span, doc_text, set_group, word_offsets

GROUP = "kg_places"
# Idioms and slogans with a place name inside (长治久安, 金山银山): the statistical NER's
# places inside them are dropped by kg_entities too.
PHRASES_GROUP = "kg_fixed_phrases"


# Squares are named by one word before 广场 (人民广场, 某某广场); size and quantity words
# before it describe a square, they do not name one.
NOT_SQUARE_NAMES = {"大型", "小型", "中型", "各类", "各个", "周边", "附近", "重点", "主要", "这个", "那个", "一个",
                    "多个", "所有", "城市", "商业", "休闲", "公共", "市民", "社区", "新建", "该"}


def find_squares(doc: Doc):
    """Yield (start, end) of squares: a 2-3 character word of the segmenter + the word 广场."""
    text = doc_text(doc)
    if "广场" not in text:
        return
    offsets = word_offsets(doc) or []
    for (start, before_end), (word_start, end) in zip(offsets, offsets[1:]):
        before = text[start:before_end]
        if text[word_start:end] == "广场" and before_end == word_start and 2 <= len(before) <= 3 \
                and before not in NOT_SQUARE_NAMES and all("\u4e00" <= ch <= "\u9fff" for ch in before):
            yield start, end


@Language.factory("kg_places", default_config={})
def make_place_tagger(nlp: Language, name: str) -> "PlaceTagger":
    return PlaceTagger(name)


class PlaceTagger:
    """Writes doc.spans["kg_places"]; each span's `._.kg_division` is a division key."""

    def __init__(self, name: str = "kg_places"):
        self.name = name
        self.gazetteer: Gazetteer | None = None
        self.idioms: frozenset[str] = frozenset()

    def initialize(self, get_examples=None, *, nlp=None, gazetteer_path: str | None = None) -> None:
        """Load the packaged gazetteer (built by pipelines/gazetteer.py), or build it from jionlp."""
        path = Path(gazetteer_path) if gazetteer_path else PACKAGED_GAZETTEER
        if path.exists():
            self.gazetteer = read_gazetteer(path)
        else:
            self.gazetteer = Gazetteer.from_jionlp()
        # the idioms that hold a place name (pipelines/gazetteer.py writes them beside it)
        idioms_path = path.parent / PACKAGED_IDIOMS.name
        self.idioms = read_word_list(idioms_path) if idioms_path.exists() \
            else frozenset(idioms_with_places(self.gazetteer))

    def __call__(self, doc: Doc) -> Doc:
        if self.gazetteer is None:
            raise ValueError("kg_places is not initialised: call nlp.initialize() first")
        spans = []
        text = doc_text(doc)
        phrases = set_phrases(text, self.gazetteer, self.idioms)
        phrase_spans = [char_span(doc, s, e, "PHRASE", "idiom") for s, e in phrases]
        set_group(doc, PHRASES_GROUP, [p for p in phrase_spans if p is not None])
        for m in find_places(text, self.gazetteer, doc._.kg_place_context, phrases=phrases):
            span = char_span(doc, m.start, m.end, "PLACE", "gazetteer" if m.certain else "gazetteer-short")
            if span is not None:
                span._.kg_division = m.division.key if m.division else None
                spans.append(span)
        taken = {i for s in spans for i in range(s.start, s.end)}
        for start, end in find_squares(doc):
            span = char_span(doc, start, end, "PLACE", "venue")
            if span is not None and not any(i in taken for i in range(span.start, span.end)):
                spans.append(span)
        set_group(doc, "kg_places", spans)
        return doc

    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        write_gazetteer(self.gazetteer, path / "gazetteer.json.gz")
        write_word_list(self.idioms, path / PACKAGED_IDIOMS.name)

    def from_disk(self, path, exclude=tuple()) -> "PlaceTagger":
        self.gazetteer = read_gazetteer(Path(path) / "gazetteer.json.gz")
        self.idioms = read_word_list(Path(path) / PACKAGED_IDIOMS.name)
        return self

"""`kg_places`: places from the gazetteer of Chinese administrative divisions.

Full names (沧州市, 兴村镇, 孟村回族自治县) are certain. Short forms of provinces and
prefectures (河北, 沧州) are accepted when unambiguous; short forms of counties (河间)
only when an ancestor is named in the same text or page context, since many county
short forms are also ordinary words. A village named right after its town
(…镇…村) is a place too.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .gazetteer import Division, Gazetteer
from .spans import char_span, set_group

GROUP = "kg_places"
PACKAGED_GAZETTEER = Path(__file__).resolve().parent.parent / "models" / "gazetteer.json.gz"
VILLAGES_FILE = "villages.json.gz"  # beside the gazetteer file
VILLAGE_SUFFIXES = ("村", "社区", "居委会", "村委会")
# A level character glued to a short form that is really a word (市场, 县城...).
MIN_FULL_LEN = 3


@dataclass
class PlaceMatch:
    start: int
    end: int
    division: Division | None  # None: a place outside the gazetteer (villages)
    certain: bool


def find_places(text: str, gazetteer: Gazetteer, context: set[int] | None = None) -> list[PlaceMatch]:
    """Greedy longest-match of division names, resolved with context."""
    context = set(context or ())
    found: list[PlaceMatch] = []
    pending_short: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        best = None
        for length in range(min(gazetteer.max_len, n - i), 1, -1):
            piece = text[i:i + length]
            if piece in gazetteer.by_full:
                level_ok = length >= MIN_FULL_LEN or any(
                    d.level in ("province", "prefecture") for d in gazetteer.by_full[piece])
                if level_ok:
                    best = ("full", length, piece)
                    break
            if piece in gazetteer.by_short:
                best = ("short", length, piece)
                break
        if best is None:
            i += 1
            continue
        kind, length, piece = best
        if kind == "full":
            div = gazetteer.resolve(piece, context)
            found.append(PlaceMatch(i, i + length, div, True))
            if div is not None:
                context.add(div.key)
        else:
            pending_short.append((i, i + length, piece))
        i += length
    # Short forms: accept high levels outright, counties only with support.
    for start, end, piece in pending_short:
        candidates = gazetteer.by_short[piece]
        high = [d for d in candidates if d.level in ("province", "prefecture")]
        div = gazetteer.resolve(piece, context)
        if div is None and len(high) == 1:
            div = high[0]
        if div is None:
            continue
        supported = div.level in ("province", "prefecture") or any(
            a.key in context for a in gazetteer.ancestors(div))
        if supported:
            found.append(PlaceMatch(start, end, div, False))
    found.extend(_villages(text, found, gazetteer))
    return sorted(found, key=lambda m: m.start)


def _villages(text: str, places: list[PlaceMatch], gazetteer: Gazetteer) -> list[PlaceMatch]:
    """Villages named right after their town, with or without 村: 某镇大庄村, 某镇大庄、阁上."""
    villages = []
    for place in places:
        if place.division is None or place.division.level != "town":
            continue
        pos = place.end
        while True:
            match = _village_at(text, pos, place.division, gazetteer)
            if match is None:
                break
            villages.append(match)
            if text[match.end:match.end + 1] != "、":
                break
            pos = match.end + 1
    return villages


def _village_at(text: str, pos: int, town: Division, gazetteer: Gazetteer) -> PlaceMatch | None:
    for length in range(6, 1, -1):
        written = text[pos:pos + length]
        if len(written) < length:
            continue
        for name in [written] + [written + suffix for suffix in VILLAGE_SUFFIXES]:
            div = gazetteer.village(town, name)
            if div is not None:
                return PlaceMatch(pos, pos + length, div, True)
    return None


def page_context(text: str, gazetteer: Gazetteer) -> set[int]:
    """Division keys named with certainty in a text (a whole page), with ancestors."""
    keys = set()
    for m in find_places(text, gazetteer):
        if m.division is not None:
            keys.add(m.division.key)
            keys.update(a.key for a in gazetteer.ancestors(m.division))
    return keys


@Language.factory("kg_places", default_config={})
def make_place_tagger(nlp: Language, name: str) -> "PlaceTagger":
    return PlaceTagger(name)


class PlaceTagger:
    """Writes doc.spans["kg_places"]; each span's `._.kg_division` is a division key."""

    def __init__(self, name: str = "kg_places"):
        self.name = name
        self.gazetteer: Gazetteer | None = None

    def initialize(self, get_examples=None, *, nlp=None, gazetteer_path: str | None = None) -> None:
        """Load the packaged gazetteer (built by pipelines/gazetteer.py), or build it from jionlp."""
        path = Path(gazetteer_path) if gazetteer_path else PACKAGED_GAZETTEER
        if path.exists():
            self.gazetteer = read_gazetteer(path)
        else:
            self.gazetteer = Gazetteer.from_jionlp()

    def __call__(self, doc: Doc) -> Doc:
        if self.gazetteer is None:
            raise ValueError("kg_places is not initialised: call nlp.initialize() first")
        spans = []
        for m in find_places(doc.text, self.gazetteer, doc._.kg_place_context):
            span = char_span(doc, m.start, m.end, "PLACE", "gazetteer" if m.certain else "gazetteer-short")
            if span is not None:
                span._.kg_division = m.division.key if m.division else None
                spans.append(span)
        set_group(doc, "kg_places", spans)
        return doc

    def to_disk(self, path, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        write_gazetteer(self.gazetteer, path / "gazetteer.json.gz")

    def from_disk(self, path, exclude=tuple()) -> "PlaceTagger":
        self.gazetteer = read_gazetteer(Path(path) / "gazetteer.json.gz")
        return self


def write_gazetteer(gazetteer: Gazetteer, path: Path) -> None:
    """Divisions to `path`, villages beside it (read lazily: they are 90% of the data)."""
    path = Path(path)
    path.write_bytes(gzip.compress(gazetteer.to_bytes(), mtime=0))
    (path.parent / VILLAGES_FILE).write_bytes(gzip.compress(gazetteer.villages_to_bytes(), mtime=0))


def read_gazetteer(path: Path) -> Gazetteer:
    path = Path(path)
    villages = path.parent / VILLAGES_FILE

    def load_villages():
        return json.loads(gzip.decompress(villages.read_bytes())) if villages.exists() else {}

    return Gazetteer.from_bytes(gzip.decompress(path.read_bytes()), load_villages)

"""Chinese administrative divisions: loading, lookup, the hierarchy, and finding them in text.

The data comes from the jionlp package's `china_location.zip` (provinces,
prefectures, counties with codes and short forms; towns by name). It is read once
when a pipeline is initialised and then serialised inside the pipeline, so loading
a pipeline never parses the 700k-line source again.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEVELS = ("province", "prefecture", "county", "town", "village")
# Full-name suffixes that make a name unmistakably a division, longest first.
DIVISION_SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "地区", "新区",
    "省", "市", "县", "区", "旗", "盟", "州", "镇", "乡",
)
# Town-level entries whose name is a generic word, not a place (经济开发区, 工业园区).
GENERIC_TOWN_RE = re.compile(
    r"^(经济技术|经济|高新技术|高新|工业|产业|综合|保税|出口加工|现代|农业|科技)*"
    r"(开发区|园区|新区|管理区|管委会|示范区|产业园|工业区|城区)$")


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    key: int            # index in Gazetteer.divisions
    name: str           # full name, e.g. 苏州市
    short: str | None   # short form, e.g. 苏州
    code: str | None    # 6-digit administrative code (towns: None)
    level: str          # province / prefecture / county / town
    parent: int | None  # key of the parent division


def jionlp_dictionary(archive_name: str, what: str) -> list[str]:
    """The lines of one of jionlp's zipped dictionaries (`dictionary/NAME.zip` holds `NAME.txt`)."""
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the jionlp package is needed to build {what}")
    archive = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / f"{archive_name}.zip"
    with zipfile.ZipFile(archive) as zf:
        with zf.open(f"{archive_name}.txt") as fh:
            return io.TextIOWrapper(fh, encoding="utf-8").read().splitlines()


def _jionlp_location_lines() -> list[str]:
    return jionlp_dictionary("china_location", "the place gazetteer")


def _jionlp_idiom_lines() -> list[str]:
    """jionlp's idiom list (`idiom<TAB>frequency` lines)."""
    return jionlp_dictionary("chinese_idiom", "the list of idioms")


def parse_jionlp(lines: list[str]) -> tuple[list[dict], dict[str, list[str]]]:
    """Parse jionlp's indented tree: divisions (depth 0-3) and villages by town key."""
    rows: list[dict] = []
    villages: dict[str, list[str]] = {}
    stack: list[int | None] = [None, None, None, None]
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        if not line.strip():
            continue
        if depth == 4:
            if stack[3] is not None:
                villages.setdefault(str(stack[3]), []).append(line.strip())
            continue
        fields = line.strip().split("\t")
        name = fields[0]
        code = fields[1] if len(fields) > 1 else None
        short = fields[2] if len(fields) > 2 else None
        parent = stack[depth - 1] if depth else None
        # Municipalities repeat themselves as their own prefecture: keep one node.
        if parent is not None and rows[parent]["name"] == name and rows[parent]["code"] == code:
            stack[depth] = parent
            continue
        rows.append({"name": name, "short": short if short and short != name else None,
                     "code": code, "level": LEVELS[depth], "parent": parent})
        stack[depth] = len(rows) - 1
        for deeper in range(depth + 1, 4):
            stack[deeper] = None
    return rows, villages


def _json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Gazetteer:
    """Name -> divisions lookup with the administrative tree."""

    def __init__(self, rows: list[dict], villages: dict[str, list[str]] | None = None,
                 load_villages=None):
        self.rows = rows
        # town key (str) -> its villages' names joined by tabs: villages are 90% of the
        # data, so they are read on first use (`load_villages()` gives this mapping) and
        # a town's names are split only when a text names the town
        self._village_lines = None if villages is None else {key: "\t".join(names) for key, names in villages.items()}
        self._load_villages = load_villages
        self._town_villages: dict[str, frozenset[str]] = {}
        self.divisions = [Division(key=i, **row) for i, row in enumerate(rows)]
        self._village_divisions: dict[tuple[int, str], Division] = {}
        self.by_full: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        for div in self.divisions:
            if div.level == "town" and GENERIC_TOWN_RE.match(div.name):
                continue
            self.by_full.setdefault(div.name, []).append(div)
            if div.short and len(div.short) >= 2:
                self.by_short.setdefault(div.short, []).append(div)
        # Townships are often upgraded (乡 -> 镇) after the gazetteer was made.
        for div in self.divisions:
            if div.level == "town" and div.name[-1] in "乡镇":
                variant = div.name[:-1] + ("镇" if div.name[-1] == "乡" else "乡")
                if variant not in self.by_full:
                    self.by_full.setdefault(variant, []).append(div)
        # first character -> name lengths to try there, longest first (most characters
        # start no name, so matching skips them after one lookup)
        lengths: dict[str, set[int]] = {}
        for name in [*self.by_full, *self.by_short]:
            if len(name) >= 2:
                lengths.setdefault(name[0], set()).add(len(name))
        self.lengths_by_first = {char: sorted(found, reverse=True)
                                 for char, found in lengths.items()}
        # the first two characters of every name: most positions of a text start none
        self.first_pairs = frozenset(name[:2] for name in [*self.by_full, *self.by_short] if len(name) >= 2)

    @classmethod
    def from_jionlp(cls) -> "Gazetteer":
        return cls(*parse_jionlp(_jionlp_location_lines()))

    def _villages_by_town(self) -> dict[str, str]:
        if self._village_lines is None:
            self._village_lines = self._load_villages() if self._load_villages else {}
        return self._village_lines

    @property
    def villages(self) -> dict[str, list[str]]:
        """Town key (str) -> names of its villages and communities."""
        return {key: line.split("\t") for key, line in self._villages_by_town().items()}

    def to_bytes(self) -> bytes:
        return _json_bytes(self.rows)

    def villages_to_bytes(self) -> bytes:
        """One line a town: its key, then its villages' names, separated by tabs."""
        return "".join(f"{key}\t{line}\n" for key, line in self._villages_by_town().items()).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, load_villages=None) -> "Gazetteer":
        return cls(json.loads(data.decode("utf-8")), load_villages=load_villages)

    def village(self, town: Division, name: str) -> Division | None:
        """The village or community of `town` called `name` (张庄村), or None.

        Villages join the division tree on first use, so linking treats them like
        any other division (PART_OF their town)."""
        town_key = str(town.key)
        names = self._town_villages.get(town_key)
        if names is None:
            line = self._villages_by_town().get(town_key)
            names = self._town_villages[town_key] = frozenset(line.split("\t") if line else ())
        if name not in names:
            return None
        key = (town.key, name)
        if key not in self._village_divisions:
            div = Division(key=len(self.divisions), name=name, short=None, code=None, level="village",
                           parent=town.key)
            self.divisions.append(div)
            self._village_divisions[key] = div
        return self._village_divisions[key]

    def ancestors(self, div: Division) -> list[Division]:
        """Parents from the nearest up to the province."""
        chain = []
        while div.parent is not None:
            div = self.divisions[div.parent]
            chain.append(div)
        return chain

    def lookup(self, name: str) -> list[Division]:
        """Divisions whose full name or (province..county) short form is `name`."""
        return self.by_full.get(name) or self.by_short.get(name, [])

    def resolve(self, name: str, context: set[int] = frozenset()) -> Division | None:
        """The one division `name` means, using divisions already seen as context.

        A candidate wins when it or one of its ancestors is in `context`; failing
        that, an unambiguous name resolves to its only candidate.
        """
        candidates = self.lookup(name)
        if len(candidates) == 1:
            return candidates[0]
        # Supported candidates, by how close the nearest division in context is (self = 0).
        distance = {}
        for d in candidates:
            chain = [d, *self.ancestors(d)]
            hits = [i for i, a in enumerate(chain) if a.key in context]
            if hits:
                distance[d.key] = hits[0]
        if distance:
            best = min(distance.values())
            nearest = [d for d in candidates if distance.get(d.key) == best]
            if len(nearest) == 1:
                return nearest[0]
        # Prefer the highest level when one candidate outranks all others (吉林省 vs 吉林市).
        if candidates:
            ranks = sorted(candidates, key=lambda d: LEVELS.index(d.level))
            if LEVELS.index(ranks[0].level) < LEVELS.index(ranks[1].level):
                return ranks[0]
        return None


# -- finding places in text --------------------------------------------------

PACKAGED_GAZETTEER = Path(__file__).resolve().parent.parent / "models" / "gazetteer.json.gz"
VILLAGES_FILE = "villages.tsv.gz"  # beside the gazetteer file
VILLAGE_SUFFIXES = ("村", "社区", "居委会", "村委会")
# Full names shorter than this are only accepted for provinces and prefectures (城区, 矿区 are words).
MIN_FULL_LEN = 3


PACKAGED_IDIOMS = PACKAGED_GAZETTEER.parent / "place_idioms.txt"


def idioms_with_places(gazetteer: Gazetteer, lines: list[str] | None = None) -> list[str]:
    """The idioms (jionlp's list) that hold a division name as a proper part: 长治久安,
    安居乐业, 车水马龙. Only these can hide a false place, so only these are kept (~500)."""
    lines = _jionlp_idiom_lines() if lines is None else lines
    names = {n for n in [*gazetteer.by_full, *gazetteer.by_short] if len(n) >= 2}
    kept = set()
    for line in lines:
        idiom = line.split("\t")[0].strip()
        if not 4 <= len(idiom) <= 8 or not all("\u4e00" <= ch <= "\u9fff" for ch in idiom):
            continue
        if any(idiom[i:j] in names for i in range(len(idiom)) for j in range(i + 2, len(idiom) + 1)
               if (i, j) != (0, len(idiom))):
            kept.add(idiom)
    return sorted(kept)


def _is_name(piece: str, gazetteer: Gazetteer) -> bool:
    return piece in gazetteer.by_full or piece in gazetteer.by_short


# A slogan's second half is a word like its first: it never starts with a division's
# suffix or a function word (青海省海北: 青海 + 省, no slogan).
SLOGAN_NEVER_STARTS = set("省市县区州旗盟镇乡村的和与及在是为了对将把被")


# Four Han characters ABCB with A != C: the shape of a parallel slogan (金山银山).
PARALLEL_SHAPE = re.compile(r"(?=([\u4e00-\u9fff])([\u4e00-\u9fff])(?!\1)([\u4e00-\u9fff])\2)")


@lru_cache(maxsize=4)
def _idiom_index(idioms: frozenset[str]) -> dict[str, tuple[int, ...]]:
    """First two characters -> the lengths of the idioms starting with them."""
    index: dict[str, set[int]] = {}
    for idiom in idioms:
        index.setdefault(idiom[:2], set()).add(len(idiom))
    return {prefix: tuple(sorted(lengths)) for prefix, lengths in index.items()}


def set_phrases(text: str, gazetteer: Gazetteer, idioms: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """(start, end) of the fixed phrases of `text` that a place name inside is no place of:
    the known idioms (社会长治久安) and the parallel slogans of two halves sharing their
    second character (金山银山) where one half only is a division name (two divisions
    written together, 东城西城, stay places)."""
    found = []
    if idioms:
        index = _idiom_index(frozenset(idioms))
        for i in range(len(text) - 1):
            lengths = index.get(text[i:i + 2])
            if lengths:
                found += [(i, i + length) for length in lengths if text[i:i + length] in idioms]
    for match in PARALLEL_SHAPE.finditer(text):
        i = match.start()
        if text[i + 2] not in SLOGAN_NEVER_STARTS \
                and _is_name(text[i:i + 2], gazetteer) != _is_name(text[i + 2:i + 4], gazetteer):
            found.append((i, i + 4))
    return sorted(found)


def inside_phrase(start: int, end: int, phrases: list[tuple[int, int]]) -> bool:
    """A name that is a proper part of one of `phrases`."""
    return any(s <= start and end <= e and end - start < e - s for s, e in phrases)


def read_word_list(path: Path) -> frozenset[str]:
    """A packaged word list (place_idioms.txt, common_words.txt): one word a line; empty if missing."""
    return frozenset(Path(path).read_text(encoding="utf-8").split()) if Path(path).exists() else frozenset()


def write_word_list(words, path: Path) -> None:
    Path(path).write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")


@dataclass
class PlaceMatch:
    start: int
    end: int
    division: Division | None  # None: a place outside the gazetteer (villages)
    certain: bool


def find_places(text: str, gazetteer: Gazetteer, context: set[int] | None = None,
                idioms: frozenset[str] = frozenset(), phrases: list[tuple[int, int]] | None = None) -> list[PlaceMatch]:
    """Greedy longest-match of division names, resolved with context; no name inside an
    idiom or a parallel slogan (`phrases`: what `set_phrases` gives, when known)."""
    if phrases is None:
        phrases = set_phrases(text, gazetteer, idioms)
    return [m for m in _find_places(text, gazetteer, context) if not inside_phrase(m.start, m.end, phrases)]


def _find_places(text: str, gazetteer: Gazetteer, context: set[int] | None = None) -> list[PlaceMatch]:
    context = set(context or ())
    found: list[PlaceMatch] = []
    pending_short: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    first_pairs = gazetteer.first_pairs
    while i < n:
        if text[i:i + 2] not in first_pairs:
            i += 1
            continue
        best = None
        for length in gazetteer.lengths_by_first.get(text[i], ()):
            if length > n - i:
                continue
            piece = text[i:i + length]
            if piece in gazetteer.by_full and not (piece.endswith("市") and text.startswith("民", i + length)):
                # (拉萨市民: the people of 拉萨, whose short name matches next)
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
    """Villages named right after their town, with or without 村: 某镇张庄村, 某镇张庄、李庄."""
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


def write_gazetteer(gazetteer: Gazetteer, path: Path) -> None:
    """Divisions to `path`, villages beside it (read lazily: they are 90% of the data)."""
    path = Path(path)
    path.write_bytes(gzip.compress(gazetteer.to_bytes(), mtime=0))
    (path.parent / VILLAGES_FILE).write_bytes(gzip.compress(gazetteer.villages_to_bytes(), mtime=0))


def read_gazetteer(path: Path) -> Gazetteer:
    path = Path(path)
    villages = path.parent / VILLAGES_FILE

    def load_villages() -> dict[str, str]:
        if not villages.exists():
            return {}
        lines = gzip.decompress(villages.read_bytes()).decode("utf-8").split("\n")
        return dict(line.split("\t", 1) for line in lines if line)

    return Gazetteer.from_bytes(gzip.decompress(path.read_bytes()), load_villages)

"""Chinese administrative divisions: loading, lookup and the hierarchy.

The data comes from the jionlp package's `china_location.zip` (provinces,
prefectures, counties with codes and short forms; towns by name). It is read once
when a pipeline is initialised and then serialised inside the pipeline, so loading
a pipeline never parses the 700k-line source again.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
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
    name: str           # full name, e.g. 沧州市
    short: str | None   # short form, e.g. 沧州
    code: str | None    # 6-digit administrative code (towns: None)
    level: str          # province / prefecture / county / town
    parent: int | None  # key of the parent division

    @property
    def id(self) -> str:
        """Stable identifier: the code, or parent code + name for towns."""
        return self.code or f"{self.parent}:{self.name}"


def _jionlp_location_lines() -> list[str]:
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the jionlp package is needed to build the place gazetteer")
    archive = Path(list(spec.submodule_search_locations)[0]) / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(archive) as zf:
        with zf.open("china_location.txt") as fh:
            return io.TextIOWrapper(fh, encoding="utf-8").read().splitlines()


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
        self._villages = villages
        self._load_villages = load_villages  # villages are many: read them on first use
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
        self.max_len = max(len(name) for name in self.by_full)

    @classmethod
    def from_jionlp(cls) -> "Gazetteer":
        return cls(*parse_jionlp(_jionlp_location_lines()))

    @property
    def villages(self) -> dict[str, list[str]]:
        """Town key (str) -> names of its villages and communities."""
        if self._villages is None:
            self._villages = self._load_villages() if self._load_villages else {}
        return self._villages

    def to_bytes(self) -> bytes:
        return _json_bytes(self.rows)

    def villages_to_bytes(self) -> bytes:
        return _json_bytes(self.villages)

    @classmethod
    def from_bytes(cls, data: bytes, load_villages=None) -> "Gazetteer":
        return cls(json.loads(data.decode("utf-8")), load_villages=load_villages)

    def village(self, town: Division, name: str) -> Division | None:
        """The village or community of `town` called `name` (大庄村), or None.

        Villages join the division tree on first use, so linking treats them like
        any other division (PART_OF their town)."""
        if name not in self.villages.get(str(town.key), ()):
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

"""Mentions -> canonical entities.

One entity per real thing, with a stable id derived from its label and canonical
key, every surface form kept as an alias:
- places resolve to gazetteer divisions (苏州 = 苏州市, code 320500) and bring their
  ancestors along for PART_OF;
- agencies get their jurisdiction filled in from the article's home place
  (市生态环境局 in a Suzhou article = 苏州市生态环境局), abbreviations expanded
  (人社局 = 人力资源和社会保障局, kept as an alias) and the 中共 prefix dropped;
- programmes written with and without their head (“X”系列活动 / X) are one entity.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from .nlp.gazetteer import Division, Gazetteer
from .nlp.lexicon import AGENCY_ABBREVIATIONS
from .nlp.gazetteer import find_places

QUOTE_CORE_RE = re.compile(r"“([^”]+)”")
LEVEL_SUFFIX = {"市": ("prefecture", "county"), "县": ("county",), "区": ("county",), "省": ("province",),
                "州": ("prefecture",), "旗": ("county",), "镇": ("town",), "乡": ("town",), "村": ("village",)}
NOT_LEVEL_PREFIX_RE = re.compile(r"^(市场|市民|市容|县城|县域|区域|省份|镇上)")


def stable_id(prefix: str, *parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]
    return f"{prefix}:{digest}"


@dataclass
class Entity:
    id: str
    label: str
    name: str
    aliases: Counter = field(default_factory=Counter)
    mentions: int = 0
    admin_code: str | None = None
    admin_level: str | None = None
    positions: list[str] = field(default_factory=list)
    parent: str | None = None        # PLACE: id of the containing division
    based_in: str | None = None      # AGENCY/ORG: id of the place in its name
    issued_by: str | None = None     # PROGRAM: id of the agency its title starts with

    def add_alias(self, surface: str) -> None:
        self.aliases[surface] += 1


def program_key(name: str) -> str:
    """Programmes named with and without their head share the quoted core."""
    core = QUOTE_CORE_RE.search(name)
    key = core.group(1) if core else name
    return re.sub(r"[\s“”《》\"']", "", key)


def strip_marks(text: str) -> str:
    """Drop the 《》 around a title, and quotes only when they wrap the whole name."""
    text = text.strip()
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    if text.startswith("“") and text.endswith("”") and text.count("“") == 1:
        text = text[1:-1]
    return text.strip()


class Linker:
    """Collects mentions of one build and turns them into canonical entities."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.entities: dict[str, Entity] = {}

    # -- places -----------------------------------------------------------
    def place_for_division(self, div: Division, surface: str | None = None) -> Entity:
        """The entity of a division, creating it and its ancestors on first use."""
        entity_id = f"place:{div.code}" if div.code else stable_id("place", str(div.parent), div.name)
        entity = self.entities.get(entity_id)
        # A township upgraded since the gazetteer (乡 -> 镇): the text's form is current.
        upgraded = bool(surface) and surface != div.name and surface[:-1] == div.name[:-1] and surface[-1] in "乡镇"
        if entity is not None and upgraded:
            entity.name = surface
        if entity is None:
            name = surface if upgraded else div.name
            entity = Entity(entity_id, "PLACE", name, admin_code=div.code, admin_level=div.level)
            entity.aliases[div.name] += 0
            if div.short:  # the usual short form (江苏 for 江苏省) is an alias even before it is seen
                entity.aliases[div.short] += 0
            self.entities[entity_id] = entity
            if div.parent is not None:
                entity.parent = self.place_for_division(self.gazetteer.divisions[div.parent]).id
        return entity

    def _place(self, surface: str, division_key: int | None, parent_id: str | None) -> Entity:
        if division_key is not None:
            return self.place_for_division(self.gazetteer.divisions[division_key], surface)
        entity_id = stable_id("place", parent_id or "", surface)
        entity = self.entities.setdefault(entity_id, Entity(entity_id, "PLACE", surface))
        entity.parent = entity.parent or parent_id
        if entity.admin_level is None and surface.endswith(("村", "社区")):
            entity.admin_level = "village"
        return entity

    # -- agencies ---------------------------------------------------------
    def canonical_agency(self, surface: str, home: Division | None, nearby: list[Division] = ()) -> str:
        name = re.sub(r"\s+", "", surface)
        if name.startswith("中共") and len(name) > 4:
            name = name[2:]
        for abbr, full in AGENCY_ABBREVIATIONS.items():
            if name.endswith(abbr) and abbr != full:
                name = name[: -len(abbr)] + full
                break
        prefix = name[0]
        if prefix in LEVEL_SUFFIX and not NOT_LEVEL_PREFIX_RE.match(name):
            owner = self._nearest(nearby, prefix) or (self.jurisdiction(home, prefix) if home else None)
            if owner is not None:
                name = owner.name + name[1:]
        return name

    @staticmethod
    def _nearest(nearby: list[Division], level_char: str) -> Division | None:
        """镇党委 after 桃花镇 was named: the town just named (towns and below only)."""
        if level_char not in "镇乡村":
            return None
        wanted = LEVEL_SUFFIX[level_char]
        return next((d for d in reversed(nearby) if d.level in wanted), None)

    def _city(self, home: Division | None) -> Division | None:
        """The prefecture (or province) an article's home place belongs to."""
        if home is None:
            return None
        return next((d for d in [home, *self.gazetteer.ancestors(home)]
                     if d.level in ("prefecture", "province") and d.code), None)

    def jurisdiction(self, home: Division, level_char: str) -> Division | None:
        """The division a 市/县/区… prefix refers to, seen from the article's home place."""
        wanted = LEVEL_SUFFIX[level_char]
        for div in [home, *self.gazetteer.ancestors(home)]:
            if div.level in wanted and div.name.endswith(level_char):
                return div
        return None

    def _leading_place(self, name: str) -> Entity | None:
        """The most specific place of the chain a name starts with (某镇某村党支部 -> 某村)."""
        place, end = None, 0
        for match in find_places(name, self.gazetteer):
            if match.start != end or match.division is None:
                break
            place, end = self.place_for_division(match.division), match.end
        return place

    # -- entry point ------------------------------------------------------
    def link(self, label: str, surface: str, *, division_key: int | None = None,
             home: Division | None = None, parent_id: str | None = None,
             nearby: list[Division] = ()) -> Entity:
        """The canonical entity for one mention (and count the mention)."""
        surface = surface.strip()
        if label == "PLACE":
            entity = self._place(surface, division_key, parent_id)
        elif label in ("AGENCY", "ORG"):
            name = self.canonical_agency(surface, home, nearby) if label == "AGENCY" else re.sub(r"\s+", "", surface)
            leading = self._leading_place(name)
            scope = leading.id if leading else (f"place:{home.code}" if home and label == "AGENCY" else "")
            entity_id = stable_id(label.lower(), name if leading else f"{scope}|{name}")
            entity = self.entities.setdefault(entity_id, Entity(entity_id, label, name))
            entity.based_in = entity.based_in or (leading.id if leading else None)
        elif label == "PROGRAM":
            key = program_key(surface)
            entity_id = stable_id("program", key)
            entity = self.entities.setdefault(entity_id, Entity(entity_id, label, strip_marks(surface)))
        else:  # PERSON: one per name within a city (two 王伟 of two cities are two people)
            name = re.sub(r"\s+", "", surface)
            city = self._city(home)
            entity_id = stable_id("person", f"place:{city.code}|{name}" if city else name)
            entity = self.entities.setdefault(entity_id, Entity(entity_id, label, name))
        entity.add_alias(surface if label != "PROGRAM" else strip_marks(surface))
        entity.mentions += 1
        return entity

    def finish(self) -> None:
        """Pick display names for programmes: the most frequent form, then the longest."""
        finish_names(self.entities)

    def home_place(self, division_keys: list[int]) -> Division | None:
        """The article's home: the most named county- or prefecture-level division."""
        divisions = [self.gazetteer.divisions[k] for k in division_keys]
        local = [d for d in divisions if d.level in ("county", "prefecture")]
        if not local:
            local = [d for d in divisions if d.level != "town"]
        if not local:
            return None
        counts = Counter(d.key for d in local)
        best = max(counts.values())
        for d in local:  # earliest among the most named
            if counts[d.key] == best:
                return d
        return None


def finish_names(entities: dict[str, Entity]) -> None:
    """Programmes' display names: the most frequent form, then the longest (first seen on a tie)."""
    for entity in entities.values():
        if entity.label == "PROGRAM" and entity.aliases:
            entity.name = max(entity.aliases, key=lambda a: (entity.aliases[a], len(a)))


def merge_entities(table: dict[str, Entity], entities) -> None:
    """Fold one document's (or batch's) entities into the run's table: a reduce by
    canonical id, so that documents linked apart (other processes, other machines) give
    the table one linker would have made reading them in the same order.

    Per field, what one linker does over a stream: counts add up; aliases and positions
    keep first-seen order; a name, parent, seat or issuer is the first one set; a
    gazetteer place takes the last renamed form (乡 -> 镇 upgraded since the gazetteer),
    its gazetteer name being its first alias. The entities given are taken over (not copied)."""
    for entity in entities:
        held = table.get(entity.id)
        if held is None:
            table[entity.id] = entity
            continue
        held.aliases.update(entity.aliases)  # update() keeps zero counts (gazetteer forms), `+` would drop them
        held.mentions += entity.mentions
        for title in entity.positions:
            if title not in held.positions:
                held.positions.append(title)
        held.parent = held.parent or entity.parent
        held.based_in = held.based_in or entity.based_in
        held.issued_by = held.issued_by or entity.issued_by
        held.admin_level = held.admin_level or entity.admin_level
        held.admin_code = held.admin_code or entity.admin_code
        if entity.label == "PLACE" and entity.aliases:  # a place not of the gazetteer: its name is its first alias
            gazetteer_name = next(iter(entity.aliases))
            if entity.name != gazetteer_name:
                held.name = entity.name


__all__ = ["Entity", "Linker", "finish_names", "merge_entities", "program_key", "stable_id"]

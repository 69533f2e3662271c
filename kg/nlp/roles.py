"""`kg_roles`: who holds which post, and in which organ.

Press text writes a post before the name (市委副书记、市长 NAME) or a chain of them; each
title of the chain is one role. The organ a title belongs to is, in order:
- the organ words written inside the title (市人大常委会主任 -> 市人大常委会, 政法委书记 ->
  政法委), which the linker resolves to the article's division;
- for the title next to a named organ, that organ (某县委书记 -> 某县委, 某公司总工程师 ->
  某公司, 某村党支部书记 -> 某村);
- none: a bare post (市长, 副县长) belongs to the article's division, which only the linker
  knows.

`doc._.roles` is a list of (person span, title as written, organ span or None). The roles
are kept as character offsets in `doc.user_data`, so a Doc with roles still serialises.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from .lexicon import LEVEL_WORDS, POST_RANKS
from .people import split_title
from .chunking import register_shift
from .spans import doc_text

ROLES_KEY = "kg.roles"  # doc.user_data: [(person start, end, title, organ start, end, organ label)]
ORGAN_LABELS = ("AGENCY", "ORG", "PLACE")
LEVEL_CHARS = "省市县区镇乡村州旗"
MAX_NAMED_ORGAN = 20  # characters of a named organ between two titles of a chain


def _shift_role(role: tuple, shift: int) -> tuple:
    start, end, title, organ_start, organ_end, organ_label = role
    moved = (organ_start + shift, organ_end + shift) if organ_start is not None else (None, None)
    return (start + shift, end + shift, title, *moved, organ_label)


register_shift(ROLES_KEY, _shift_role)  # a long text's chunks are joined into one Doc
POST_RANK_RE = re.compile("^(?:" + "|".join(sorted(POST_RANKS, key=len, reverse=True)) + ")+")


def _roles_of(doc: Doc) -> list[tuple[Span, str, Span | None]]:
    roles = []
    for start, end, title, organ_start, organ_end, organ_label in doc.user_data.get(ROLES_KEY, []):
        person = doc.char_span(start, end, label="PERSON") \
            or doc.char_span(start, end, label="PERSON", alignment_mode="expand")  # tokens merged later
        organ = None
        if organ_start is not None:
            organ = doc.char_span(organ_start, organ_end, label=organ_label, alignment_mode="expand")
        roles.append((person, title, organ))
    return roles


if not Doc.has_extension("roles"):
    Doc.set_extension("roles", getter=_roles_of)


def find_roles(text: str, people: list[tuple[int, int, str]], organs: list[tuple[int, int, str]],
               places: list[tuple[int, int]] = ()):
    """Yield (person start, end, title, organ (start, end, label) or None) for people with
    titles. `people`: (start, end, "、"-joined titles) as kg_people wrote them; `organs`:
    (start, end, label) of the AGENCY, ORG and PLACE entities; `places`: (start, end) of
    the places named (also inside organ names), for bare level posts."""
    organ_by_end = {}
    for start, end, label in sorted(organs, key=lambda o: o[1] - o[0]):
        organ_by_end[end] = (start, end, label)  # the longest entity ending there wins
    for start, end, titles in people:
        items = titles.split("、")
        title_end = start
        while title_end > 0 and text[title_end - 1].isspace():
            title_end -= 1
        title_start = title_end - len(titles)
        positions = [title_start + sum(len(t) + 1 for t in items[:i]) for i in range(len(items))] \
            if text[title_start:title_end] == titles else _chain_positions(text, items, title_end)
        if positions is None:  # a title not written right before the name
            for title in items:
                yield start, end, title, None
            continue
        for i, (title, position) in enumerate(zip(items, positions)):
            organ_words, _post = split_title(title)
            organ = None
            if i == 0 or position != positions[i - 1] + len(items[i - 1]) + 1:
                # a named organ right before the chain or one of its titles (某县委书记, 某村党支部书记)
                organ = _named_organ(organ_by_end, position, position + len(title) - 2)
            if organ is None and organ_words and organ_words not in LEVEL_WORDS:  # 自治区主席: the division's
                organ = (position, position + len(organ_words), "AGENCY")
            if organ is None:
                organ = _division_of_post(text, title, position, places)
            yield start, end, title, organ


def _chain_positions(text: str, items: list[str], title_end: int) -> list[int] | None:
    """Where each title of a chain is written when named organs or a comma stand between
    them (自治区党委副书记、某市委书记 NAME; 市委常委、组织部部长，市委党校校长 NAME): found right to left, each ending at most a named
    organ's length before the next; None when one is not there."""
    positions, cursor = [], title_end
    for title in reversed(items):
        found = text.rfind(title, max(0, cursor - len(title) - MAX_NAMED_ORGAN), cursor)
        between = text[found + len(title):cursor] if found >= 0 else ""
        if found < 0 or (between if cursor == title_end else not between.startswith(("、", "，"))) \
                or re.search(r"[，。；\s]", between[1:]):
            return None
        positions.insert(0, found)
        cursor = found
    return positions


def _division_of_post(text: str, title: str, position: int, places) -> tuple[int, int, str] | None:
    """A bare level post (县长, 副县长, 常务副市长) is the post of the division of its level
    named last before it in the sentence (某县委书记甲、县长乙 -> 某县); None when the
    sentence names none (the linker then takes the article's division)."""
    post = POST_RANK_RE.sub("", title)
    if len(post) != 2 or post[0] not in LEVEL_CHARS or post[1] != "长":
        return None
    sentence_start = max(text.rfind(stop, 0, position) for stop in "。！？\n") + 1
    for start, end in sorted(places, reverse=True):
        if sentence_start <= start and end <= position and text[start:end].endswith(post[0]):
            return start, end, "PLACE"
    return None


def _named_organ(organ_by_end: dict, title_start: int, last_end: int):
    """The entity that ends where the title starts, or inside the title's organ words
    (某村党支部 + 书记, 某县委 + 书记), starting before the title."""
    for end in range(last_end, title_start - 1, -1):
        organ = organ_by_end.get(end)
        if organ is not None and (organ[0] < title_start or end > title_start):
            return organ
    return None


@Language.factory("kg_roles", default_config={})
def make_role_finder(nlp: Language, name: str) -> "RoleFinder":
    return RoleFinder(name)


class RoleFinder:
    """Writes doc._.roles from the PERSON entities that carry titles. Runs after kg_entities."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        people = [(e.start_char, e.end_char, e._.kg_title) for e in doc.ents
                  if e.label_ == "PERSON" and e._.kg_title]
        organs = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in ORGAN_LABELS]
        text = doc_text(doc)
        places = [(s.start_char, s.end_char) for s in doc.spans.get("kg_places", [])] \
            + [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PLACE"]
        doc.user_data[ROLES_KEY] = [
            (start, end, title, *(organ if organ else (None, None, None)))
            for start, end, title, organ in find_roles(text, people, organs, places)]
        return doc


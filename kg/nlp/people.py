"""`kg_people`: people named next to a title (记者王某, 党支部书记李某某为…).

Press text introduces people by title: TITLE + NAME, where NAME is a surname and one
or two more characters and is followed by a boundary (punctuation, a space, a
function word, a speech verb, 摄 of a photo credit). The title is kept on the span
(`._.kg_title`) so the linker can make HOLDS_POSITION edges.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import NOT_NAMES, SURNAMES_DOUBLE, SURNAMES_SINGLE, TITLES
from .spans import RuleTagger, doc_text, is_boundary

GROUP = "kg_people"
TITLE_RE = re.compile("(" + "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True)) + r")\s?")
# What may follow a name: speech verbs, photo credit, honorifics, conjunctions.
AFTER_NAME = ("说", "表示", "介绍", "指出", "强调", "称", "同志", "一行", "摄", "等", "为", "在", "和", "与",
              "及", "、", "告诉", "认为", "带领", "主持", "出席", "参加", "调研", "讲", "先生", "女士")


SINGLE_CHAR_AFTER = {w for w in AFTER_NAME if len(w) == 1}
ROLE_SUFFIXES = set("人者员们长家师官户方处部局书证")


def is_plausible_name(name: str) -> bool:
    """Surname-first, 2-4 characters, not a common word."""
    if not 2 <= len(name) <= 4 or name in NOT_NAMES:
        return False
    if not all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return False
    if name[-1] in ROLE_SUFFIXES:  # 管理员, 经营者, 负责人: roles, not names
        return False
    if name[:2] in SURNAMES_DOUBLE:
        return len(name) >= 3
    return name[0] in SURNAMES_SINGLE and len(name) <= 3


def _name_after(text: str, pos: int) -> int | None:
    """End of a person's name starting at `pos`, or None."""
    for length in (3, 2, 4):
        # 孙丽摄 / 王强说: a last character that is itself a boundary word ends a 2-char name.
        if length == 3 and text[pos + 2:pos + 3] in SINGLE_CHAR_AFTER and is_plausible_name(text[pos:pos + 2]):
            continue
        end = pos + length
        if end > len(text):
            continue
        name = text[pos:end]
        if not is_plausible_name(name):
            continue
        rest = text[end:]
        if end == len(text) or is_boundary(text[end]) or rest.startswith(AFTER_NAME) or text[end] in "）)":
            return end
    return None


# A level organ written before a title belongs to it (市委副书记, 县政府副县长).
ORGAN_PREFIX_RE = re.compile(r"(?:[省市县区镇乡村](?:委|政府|人大|政协)?)$")
_TITLE_ALT = "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True))
# Titles listed before the one next to the name: 市委副书记、市长 NAME.
CHAINED_TITLE_RE = re.compile(rf"((?:[省市县区镇乡村](?:委|政府|人大|政协)?)?(?:{_TITLE_ALT}))、$")


def find_people(text: str):
    """Yield (start, end, titles) for names introduced by one or more titles.

    `titles` is "、"-joined, as written: 市委副书记、市长.
    """
    for m in TITLE_RE.finditer(text):
        end = _name_after(text, m.end())
        if end is None:
            continue
        title_start = m.start()
        prefix = ORGAN_PREFIX_RE.search(text[max(0, title_start - 3):title_start])
        titles = [(prefix.group() if prefix and _bare_prefix(text, title_start, prefix.group()) else "") + m.group(1)]
        head = title_start - (len(titles[0]) - len(m.group(1)))
        while True:
            chained = CHAINED_TITLE_RE.search(text[max(0, head - 12):head])
            if not chained:
                break
            titles.insert(0, chained.group(1))
            head -= len(chained.group())
        yield m.end(), end, "、".join(titles)


def _bare_prefix(text: str, title_start: int, prefix: str) -> bool:
    """A level prefix stands alone (，市委副书记), not as the end of a longer name (昆山市委)."""
    before = text[max(0, title_start - len(prefix) - 1):title_start - len(prefix)]
    return not before or not ("\u4e00" <= before <= "\u9fff")


@Language.factory("kg_people", default_config={})
def make_people_tagger(nlp: Language, name: str) -> "PeopleTagger":
    return PeopleTagger(name)


class PeopleTagger(RuleTagger):
    """Writes doc.spans["kg_people"] (PERSON, with `._.kg_title`)."""

    group, source = GROUP, "title-rule"

    def find(self, doc: Doc):
        for start, end, titles in find_people(doc_text(doc)):
            yield start, end, "PERSON", titles

"""`kg_entities`: one consistent set of entities from rules and the statistical NER.

Sources are taken in order of trust; a later span is kept only where it overlaps
nothing already kept. Two exceptions: a statistical AGENCY/ORG span (or a whole
postal address) may swallow gazetteer places it strictly contains (北京大学 over
北京), and labels the model learned for internal reasons are mapped to the project's
labels (ADDRESS -> PLACE) or kept out of the entities (POSITION ->
doc.spans["positions"]). In web-portal text (Doc._.kg_text_style "web") a gazetteer
place needs the model's agreement: CLUENER names fewer places than MSRA.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from .institutions import COORDINATION
from .lexicon import AGENCY_ABBREVIATIONS, AGENCY_HEADS, NON_ORGAN_NAME_HEADS, ORG_HEADS, is_organ_name
from .lexicon import NOT_NAMES, SURNAMES_SINGLE
from .people import CONJUNCTIONS, LEADER_POST_RE, ROLE_SUFFIXES, _ends_name
from .lexicon import SURNAMES_DOUBLE
from .spans import SPAN_ATTRIBUTES, doc_text, is_boundary, word_bounds

ABBREVIATION_TUPLE = tuple(AGENCY_ABBREVIATIONS)
JOINING_WORDS = COORDINATION + ("、", "和", "与", "及")
AGENCY_HEAD_TUPLE = tuple(AGENCY_HEADS) + ("国务院", "中央", "委")
# What a unit inside an institution ends in (…学院, …分局, …舞蹈系, …报业集团).
UNIT_HEADS = AGENCY_HEAD_TUPLE + tuple(ORG_HEADS) + ("系", "团", "队", "组", "园")
DIVISION_SUFFIXES = ("省", "市", "县", "区", "镇", "乡", "街道", "自治州", "盟", "旗")

LABELS = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
MODEL_LABEL_MAP = {"ADDRESS": "PLACE", "LOC": "PLACE", "PER": "PERSON", "GPE": "PLACE"}
# A name in Latin letters (Eric, JohnConnor, Lewis Carroll, M.Johnson).
LATIN_NAME_RE = re.compile(r"[A-Za-z]+(?:[ .·'-][A-Za-z]+)*\.?")
# After a level character: more levels (市、县两级, 省市两级), so it was a level, not a name.
LEVEL_LIST_RE = re.compile("[、和与及][省市县区乡镇村]|[两三四五]级")
# Leading words that make a span a description, not a name (各部门, 全市, 本单位,
# 这家公司; but 那不勒斯, 这一带 aside)...
DETERMINERS = tuple("各全本该此每某我其") + tuple(d + m for d in "这那" for m in "个些家位名所项种里边")
# ...except where they begin a name: 全国政协, 全军计生办, 全球环境基金.
NAME_STARTS = ("全国", "全军", "全球", "全总")


def model_label(span: Span, division_names: dict, word_ends: set[int] | None = None) -> str | None:
    """The project label of a statistical span, or None when the grammar of names rejects it.

    `word_ends`: where the segmenter's words end (None: unknown)."""
    label = MODEL_LABEL_MAP.get(span.label_, span.label_)
    text = span.text.strip()
    if label not in LABELS:
        return None
    if len(text) == 1:  # 中美 = 中 + 美, 老李: kept for the NER, too short to link
        if label == "PERSON":  # web-portal text (CLUENER) never names a person by a surname
            return label if text in SURNAMES_SINGLE and span.doc._.kg_text_style != "web" else None
        return label if label == "PLACE" else None
    if text.startswith(DETERMINERS) and not text.startswith(NAME_STARTS) \
            and not (label == "PERSON" and "·" in text):  # 本雅明·内塔尼亚胡
        return None
    if label == "PERSON":  # 管理员, 负责人: roles; a name is Chinese or Latin, never digits
        ok = text not in NOT_NAMES and text[-1] not in ROLE_SUFFIXES and (
            all(_is_han(c) or c == "·" for c in text) or LATIN_NAME_RE.fullmatch(text))
        return label if ok else None
    if label == "PLACE":
        if text.endswith(("化", "性", "们")):
            return None
        # 整合市(场), 整合市、县两级: a division name the gazetteer does not know, cut
        # inside a word or listing levels, is no division; one that ends a word may be
        # foreign or new (大阪市, 某某乡).
        known = span.label_ == "ADDRESS" or not text.endswith(DIVISION_SUFFIXES) \
            or text in division_names \
            or (word_ends is not None and span.end_char in word_ends
                and not LEVEL_LIST_RE.match(doc_text(span.doc), span.end_char))
        return label if known else None
    if label == "AGENCY" and not (is_organ_name(text) or (
            not text.endswith(NON_ORGAN_NAME_HEADS)
            and text.endswith(AGENCY_HEAD_TUPLE + ABBREVIATION_TUPLE))):
        return "ORG"  # organs end in an organ head (…局, …委员会, …军, 央行); 消协 is an organisation
    return label


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# Heads of units inside another body (…总队某某支队, …公安局某某分局): written right after
# their parent they are one name.
SUBUNIT_HEADS = ("支队", "大队", "中队", "分局", "分院", "分公司", "分行", "支行", "派出所", "分中心", "科", "股")


def _outvoted(rule_span: Span, model_spans: list[Span], rule_names: set[tuple[int, int]] = frozenset()) -> bool:
    """The model reads more of the same name: to its left (国家体育总局 over 体育总局,
    联合国亚太经社委员会), not two names joined (…局联合市公安局); or to its right, up to
    a unit's head (…大学教育管理学院, …公安局某某分局). Two complete names the rules read
    back to back (某办公厅某院办公厅, two issuers of one document) stay two."""
    for m in model_spans:
        if m.end == rule_span.end and m.start < rule_span.start:
            if (m.start, rule_span.start) in rule_names and not m.text.endswith(SUBUNIT_HEADS):
                continue
            if not doc_text(m.doc)[m.start_char:rule_span.start_char].endswith(JOINING_WORDS):
                return True
        elif m.start <= rule_span.start and m.end > rule_span.end:
            if (rule_span.end, m.end) in rule_names and not m.text.endswith(SUBUNIT_HEADS):
                continue
            extra = doc_text(m.doc)[rule_span.end_char:m.end_char]
            if m.text.endswith(UNIT_HEADS) and not any(word in extra for word in JOINING_WORDS):
                return True
    return False


# Venues, often named after their owner (某某人大会议中心, 某某体育中心): the whole name is
# the venue, not the owner inside it.
VENUE_HEADS = ("会议中心", "会展中心", "体育中心", "体育馆", "展览馆", "博物馆", "纪念馆", "礼堂", "广场", "大厦",
               "宾馆", "酒店", "剧院")


def _inside_venue(rule_span: Span, model_spans: list[Span]) -> bool:
    """A rule institution at the start of a venue name the model read (某人大 + 会议中心)."""
    for m in model_spans:
        if m.start <= rule_span.start and m.end > rule_span.end and m.text.endswith(VENUE_HEADS) \
                and MODEL_LABEL_MAP.get(m.label_, m.label_) in ("PLACE", "ORG", "AGENCY"):
            extra = doc_text(m.doc)[rule_span.end_char:m.end_char]
            if not any(word in extra for word in JOINING_WORDS):
                return True
    return False


def _venues_joined(doc: Doc, chosen: list[Span]) -> list[Span]:
    """An institution right before a bare venue head (某人大 + 会议中心) names one venue: a PLACE."""
    chosen = sorted(chosen, key=lambda s: s.start)
    joined: list[Span] = []
    for span in chosen:
        owner = joined[-1] if joined else None
        if owner is not None and owner.end == span.start and span.text in VENUE_HEADS \
                and owner.label_ in ("AGENCY", "ORG"):
            venue = Span(doc, owner.start, span.end, label="PLACE")
            venue._.kg_source = "venue"
            joined[-1] = venue
        else:
            joined.append(span)
    return joined


LEVEL_ORGAN_START_RE = re.compile(
    "[省市县区镇乡](?:第?[一二三四五六七八九十]+届)?(?:委|政府|人民政府|政协|人大|[^，。、]{0,8}?(?:局|厅|委员会|办公室))")


def _organ_start(span: Span, word_starts: set[int], place_chars: set[int]) -> Span:
    """A model organ that starts with a clause (主持召开 + 市政府, 会议和 + 省政协): the name
    starts at its level word (市政府 = the city's government). Kept whole where a place is
    written right before the level word (某某市委) or the name starts with 中共."""
    text = span.text
    for m in LEVEL_ORGAN_START_RE.finditer(text):
        start_char = span.start_char + m.start()
        if m.start() < 2 or start_char not in word_starts or {start_char - 1, start_char} & place_chars:
            continue
        if text.startswith(("中共", "中国共产党")):
            break
        trimmed = span.doc.char_span(start_char, span.end_char, label=span.label_)
        if trimmed is not None:
            trimmed._.kg_source = span._.kg_source
            return trimmed
        break
    return span


def _people_checked_by_model(people: list[Span], model_spans: list[Span],
                             model_orgs: list[Span]) -> list[Span]:
    """Title-rule names, checked against what the model read around them.

    The rule guesses a name's length (three characters, else two); where the model
    reads a name from the same character one character shorter or longer (防部长盖茨就在:
    盖茨, not 盖茨就; 律师闫大为在: 闫大为, not 闫大), its end is taken. A "title" inside
    an organisation the model reads around the name is part of that name
    (社科院长江流域经济研究所 holds 院长 but no person), so there is no person.
    """
    model_people = {s.start: s for s in model_spans if s.label_ == "PERSON"}
    checked = []
    for person in people:
        if any(m.start < person.start and m.end > person.end for m in model_orgs):
            continue
        model = model_people.get(person.start)
        # …but a name the rule read over 和/与/及 with no second person after it stays whole
        # (主任某立和率队: the model's two characters are the name cut short).
        if model is not None and model.end < person.end and person.text[-1] in CONJUNCTIONS:
            model = None
        # …and a name written right before its post ends at the post (某某某某主任), whatever the model.
        if model is not None and model.end < person.end and LEADER_POST_RE.match(doc_text(person.doc), person.end_char):
            model = None
        if model is not None and abs(model.end - person.end) == 1:
            trimmed = Span(person.doc, person.start, model.end, label=person.label_)
            for attr in ("kg_source", "kg_title"):
                setattr(trimmed._, attr, getattr(person._, attr))
            person = trimmed
        checked.append(person)
    return checked


def _names_made_whole(doc: Doc, chosen: list[Span], taken: list[bool]) -> list[Span]:
    """A person named in full somewhere in the text (by a title, 主任某立和) keeps the whole
    name where the model cut it (某立 + 和要求): a name is written the same way throughout
    an article. Only the characters right after a shorter person span are compared."""
    text = doc_text(doc)
    full_names = {s.text for s in chosen if s.label_ == "PERSON" and s._.kg_title and len(s.text) >= 3}
    if not full_names:
        return chosen
    whole = []
    for span in chosen:
        if span.label_ == "PERSON":
            for name in full_names:
                if len(name) > len(span.text) and name.startswith(span.text) \
                        and text.startswith(name, span.start_char):
                    longer = doc.char_span(span.start_char, span.start_char + len(name), label="PERSON")
                    if longer is not None and not any(taken[i] for i in range(span.end, longer.end)):
                        for attr in ("kg_source", "kg_title"):
                            setattr(longer._, attr, getattr(span._, attr))
                        for i in range(span.end, longer.end):
                            taken[i] = True
                        span = longer
                        break
        whole.append(span)
    return whole


SURNAME_POST_RE = re.compile(
    "(" + "|".join(sorted(SURNAMES_DOUBLE, key=len, reverse=True)) + "|[" + "".join(sorted(SURNAMES_SINGLE)) + "])"
    + "(" + LEADER_POST_RE.pattern + ")")


def _references_resolved(doc: Doc, chosen: list[Span]) -> list[Span]:
    """Surname + post (王书记, 李副市长) refers to the one person of the article with that
    surname who was given that post in full: the span is a PERSON with `kg_refers_to` set
    to the full name. A reference no person of the article explains is left out."""
    text = doc_text(doc)
    holders = [(s.text, s._.kg_title.split("、")) for s in chosen
               if s.label_ == "PERSON" and s._.kg_title and len(s.text) >= 2]
    if not holders:
        return chosen
    added = []
    for m in SURNAME_POST_RE.finditer(text):
        surname, post = m.group(1), m.group(2)
        if m.start() and not is_boundary(text[m.start() - 1]) or not _ends_name(text, m.end()):
            continue
        names = {name for name, titles in holders
                 if name.startswith(surname) and len(name) > len(surname) and any(t.endswith(post) for t in titles)}
        if len(names) != 1:
            continue
        span = doc.char_span(m.start(), m.end(), label="PERSON")
        if span is None:
            continue
        inside = [c for c in chosen if c.start < span.end and span.start < c.end]
        if any(not (c.label_ == "PERSON" and c.start >= span.start and c.end <= span.end) for c in inside):
            continue
        for c in inside:  # the model's lone surname (王) inside the reference
            chosen.remove(c)
        span._.kg_source, span._.kg_refers_to = "reference", names.pop()
        added.append(span)
    return chosen + added


OPENING_MARKS = "（(《“‘「『【〈"
CLOSING_MARKS = "）)》”’」』】〉"
BRACKETS = "（(【"  # a bracketed aside belongs to the name (某路1号（某某大厦）); a quote or title does not
# Edge characters a name never starts or ends with (a dash, a comma, a colon); "." and "·"
# end Latin names and abbreviations (M.Johnson., Co.).
EDGE_PUNCTUATION = frozenset("，。、；：！？—…-－~～/|,;:!?\"' ")


def _marks_mended(span: Span) -> Span | None:
    """A model span with its punctuation put right: no dash or comma at its edges, no
    closing mark it never opened (某某” -> 某某), no mark it opens and leaves open. An
    unclosed bracket inside it whose closing mark comes right after takes that mark
    (某路南1000米（某某高速西侧）); any other unclosed mark whose closing mark comes right
    after makes the marked text the name (台湾“某管会” -> 某管会, 《某报》 -> 某报); elsewhere
    the model read across a boundary (美国《某某, 《某某会), and the span is dropped.
    The span itself when nothing needs mending."""
    text = doc_text(span.doc)
    start, end = span.start_char, span.end_char
    while True:
        while start < end and text[start] in EDGE_PUNCTUATION:
            start += 1
        while end > start and text[end - 1] in EDGE_PUNCTUATION:
            end -= 1
        if start < end and text[end - 1] in CLOSING_MARKS \
                and OPENING_MARKS[CLOSING_MARKS.index(text[end - 1])] not in text[start:end]:
            end -= 1  # 某某》 , 某某”
            continue
        break
    for at in range(end - 1, start - 1, -1):
        if text[at] in OPENING_MARKS:
            closing = CLOSING_MARKS[OPENING_MARKS.index(text[at])]
            if closing in text[at:end]:
                continue
            if text[end:end + 1] != closing:
                return None
            if text[at] in BRACKETS and at > start:
                end += 1
            else:
                start = at + 1
            break
    if (start, end) == (span.start_char, span.end_char):
        return span
    mended = span.doc.char_span(start, end, label=span.label_)
    if mended is None or start >= end:
        return None
    mended._.kg_source = span._.kg_source
    return mended


def _confirmed_by_model(places: list[Span], model_spans: list[Span]) -> list[Span]:
    """Web-portal text (CLUENER's convention) names a place where something is located,
    not in 浙江经济 or 美国政府; the model learned which is which, the gazetteer cannot
    tell. There a gazetteer place stays only where the model also read a place."""
    model_place = set()
    for span in model_spans:
        if MODEL_LABEL_MAP.get(span.label_, span.label_) == "PLACE":
            model_place.update(range(span.start, span.end))
    return [p for p in places if any(i in model_place for i in range(p.start, p.end))]


def is_name_like(text: str) -> bool:
    """A name has letters (Han or Latin): a figure (2024), a code (3307-12) or punctuation
    alone names nothing, whichever source proposed it."""
    return any(ch.isalpha() for ch in text)


def _overlaps(span: Span, taken: list[bool]) -> bool:
    return any(taken[i] for i in range(span.start, span.end))


@Language.factory("kg_entities", default_config={"rule_groups": ["kg_programs", "kg_institutions", "kg_people"]})
def make_entity_merger(nlp: Language, name: str, rule_groups: list[str]) -> "EntityMerger":
    return EntityMerger(name, rule_groups, nlp)


class EntityMerger:
    """Writes doc.ents from rule span groups, gazetteer places and model entities."""

    def __init__(self, name: str, rule_groups: list[str], nlp: Language | None = None):
        self.name = name
        self.rule_groups = list(rule_groups)
        self.nlp = nlp
        self._places = None  # the kg_places component, once found

    def _division_names(self) -> dict:
        """Full names of the gazetteer's divisions (empty without a kg_places component)."""
        if self.nlp is not None and self._places is None and "kg_places" in self.nlp.pipe_names:
            self._places = self.nlp.get_pipe("kg_places")  # looked up once: it is asked per doc
        gazetteer = self._places.gazetteer if self._places is not None else None
        return gazetteer.by_full if gazetteer is not None else {}

    def __call__(self, doc: Doc) -> Doc:
        model_spans = [s for s in doc.ents]
        division_names = self._division_names()
        bounds = word_bounds(doc)
        word_starts, word_ends = bounds if bounds is not None else (set(), None)
        positions = [s for s in model_spans if s.label_ == "POSITION"]
        places = list(doc.spans.get("kg_places", []))
        if doc._.kg_text_style == "web":  # venues are no gazetteer guess: they stay
            places = _confirmed_by_model([p for p in places if p._.kg_source != "venue"], model_spans) \
                + [p for p in places if p._.kg_source == "venue"]
        if word_ends is not None:  # 重大理论 holds no 大理: a place cutting words needs the model
            cutting = [p for p in places if p._.kg_source != "venue"
                       and (p.start_char not in word_starts or p.end_char not in word_ends)]
            if cutting:
                kept = _confirmed_by_model(cutting, model_spans)
                places = [p for p in places if p not in cutting or p in kept]
        certain_places = [s for s in places if s._.kg_source == "gazetteer"]
        short_places = [s for s in places if s._.kg_source != "gazetteer"]

        taken = [False] * len(doc)
        chosen: list[Span] = []

        def take(span: Span, label: str) -> None:
            if not is_name_like(span.text):
                return
            new = Span(doc, span.start, span.end, label=label)
            old_values, new_values = span._, new._  # (each `._` access makes an object)
            for attr in SPAN_ATTRIBUTES:
                value = getattr(old_values, attr)
                if value is not None:  # None is every attribute's default
                    setattr(new_values, attr, value)
            chosen.append(new)
            for i in range(span.start, span.end):
                taken[i] = True

        model_orgs = [s for s in model_spans if MODEL_LABEL_MAP.get(s.label_, s.label_) in ("AGENCY", "ORG")]
        place_chars = {i for p in doc.spans.get("kg_places", []) for i in range(p.start_char, p.end_char)}
        # An institution whose name the model reads further to the left is the model's to name.
        rule_spans = []
        for group in self.rule_groups:
            spans = list(doc.spans.get(group, []))
            if group == "kg_institutions":
                names = {(s.start, s.end) for s in spans}
                people = list(doc.spans.get("kg_people", []))
                spans = [_organ_start(s, word_starts, place_chars) for s in spans
                         if not _outvoted(s, model_orgs, names) and not _inside_venue(s, model_spans)
                         and not any(s.start <= p.start and p.end <= s.end for p in people)]  # 某长王某主持…政府
            elif group == "kg_people":
                spans = _people_checked_by_model(spans, model_spans, model_orgs)
            rule_spans.extend(spans)
        for tier in (rule_spans, certain_places):
            for span in sorted(tier, key=lambda s: -(s.end - s.start)):
                if not _overlaps(span, taken):
                    take(span, span.label_)
        phrases = [(p.start, p.end) for p in doc.spans.get("kg_fixed_phrases", [])]
        for span in sorted(filter(None, map(_marks_mended, model_spans)), key=lambda s: -(s.end - s.start)):
            label = model_label(span, division_names, word_ends)
            if label is None:
                continue
            if label == "PLACE" and any(s <= span.start and span.end <= e and span.end - span.start < e - s
                                        for s, e in phrases):
                continue  # 金山银山, 长治久安: a place name inside an idiom or a slogan
            if label in ("AGENCY", "ORG"):
                span = _organ_start(span, word_starts, place_chars)
            if span._.kg_source is None:
                span._.kg_source = "model"
            inside = [c for c in chosen if c.start >= span.start and c.end <= span.end]
            swallows = label in ("AGENCY", "ORG") or span.label_ == "ADDRESS"  # 北京大学, a postal address
            # …but places written one after another (某镇某村) stay what the gazetteer says.
            if inside and swallows and all(c.label_ == "PLACE" for c in inside) \
                    and (span.end - span.start) > sum(c.end - c.start for c in inside):
                others_overlap = any(taken[i] for i in range(span.start, span.end)
                                     if not any(c.start <= i < c.end for c in inside))
                if not others_overlap:
                    for c in inside:
                        chosen.remove(c)
                        for i in range(c.start, c.end):
                            taken[i] = False
            if not _overlaps(span, taken):
                take(span, label)
        for span in sorted(short_places, key=lambda s: -(s.end - s.start)):
            if not _overlaps(span, taken):
                take(span, "PLACE")
        chosen = _names_made_whole(doc, chosen, taken)
        chosen = _venues_joined(doc, chosen)
        chosen = _references_resolved(doc, chosen)
        doc.ents = sorted(chosen, key=lambda s: s.start)
        doc.spans["positions"] = positions
        return doc

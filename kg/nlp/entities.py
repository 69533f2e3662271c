"""`kg_entities`: one consistent set of entities from rules and the statistical NER.

Sources are taken in order of trust; a later span is kept only where it overlaps
nothing already kept. Two exceptions: a statistical AGENCY/ORG span (or a whole
postal address) may swallow gazetteer places it strictly contains (北京大学 over
北京), and labels the
model learned for internal reasons are mapped to the project's labels (ADDRESS ->
PLACE) or kept out of the entities (POSITION -> doc.spans["positions"]).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .institutions import COORDINATION
from .lexicon import AGENCY_ABBREVIATIONS, AGENCY_HEADS
from .lexicon import NOT_NAMES, SURNAMES_SINGLE
from .people import ROLE_SUFFIXES

ABBREVIATION_TUPLE = tuple(AGENCY_ABBREVIATIONS)
JOINING_WORDS = COORDINATION + ("、", "和", "与", "及")
AGENCY_HEAD_TUPLE = tuple(AGENCY_HEADS) + ("国务院", "中央", "委")
DIVISION_SUFFIXES = ("省", "市", "县", "区", "镇", "乡", "街道", "自治州", "盟", "旗")

LABELS = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
MODEL_LABEL_MAP = {"ADDRESS": "PLACE", "LOC": "PLACE", "PER": "PERSON", "GPE": "PLACE"}
# Leading words that make a span a description, not a name (各部门, 全市, 本单位).
DETERMINERS = tuple("各全本该此每某我其这那")


def model_label(span: Span, division_names: dict) -> str | None:
    """The project label of a statistical span, or None when the grammar of names rejects it."""
    label = MODEL_LABEL_MAP.get(span.label_, span.label_)
    text = span.text.strip()
    if label not in LABELS:
        return None
    if len(text) == 1:  # 中美 = 中 + 美, 老李: kept for the NER, too short to link
        return label if label == "PLACE" or (label == "PERSON" and text in SURNAMES_SINGLE) else None
    if text.startswith(DETERMINERS):
        return None
    if label == "PERSON":  # 管理员, 负责人: roles; digits and Latin letters: not a Chinese name
        ok = text not in NOT_NAMES and text[-1] not in ROLE_SUFFIXES and all(_is_han(c) or c == "·" for c in text)
        return label if ok else None
    if label == "PLACE":
        if text.endswith(("化", "性", "们")):
            return None
        # 整合市: a Chinese division name that the gazetteer does not know is no division.
        known = span.label_ == "ADDRESS" or not text.endswith(DIVISION_SUFFIXES) or text in division_names
        return label if known else None
    if label == "AGENCY" and not (text.endswith(AGENCY_HEAD_TUPLE) or text.endswith(ABBREVIATION_TUPLE)):
        return "ORG"  # government organs end in an organ head (…局, …委员会); 消协, 武警 are organisations
    return label


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _outvoted(rule_span: Span, model_spans: list[Span]) -> bool:
    """The model reads more of the same name to its left (国家体育总局 over 体育总局),
    not two names joined (…局联合市公安局)."""
    return any(m.end == rule_span.end and m.start < rule_span.start
               and not any(word in m.text for word in JOINING_WORDS) for m in model_spans)


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

    def _division_names(self) -> dict:
        """Full names of the gazetteer's divisions (empty without a kg_places component)."""
        if self.nlp is not None and "kg_places" in self.nlp.pipe_names:
            gazetteer = self.nlp.get_pipe("kg_places").gazetteer
            if gazetteer is not None:
                return gazetteer.by_full
        return {}

    def __call__(self, doc: Doc) -> Doc:
        model_spans = [s for s in doc.ents]
        division_names = self._division_names()
        positions = [s for s in model_spans if s.label_ == "POSITION"]
        places = list(doc.spans.get("kg_places", []))
        certain_places = [s for s in places if s._.kg_source == "gazetteer"]
        short_places = [s for s in places if s._.kg_source != "gazetteer"]

        taken = [False] * len(doc)
        chosen: list[Span] = []

        def take(span: Span, label: str) -> None:
            new = Span(doc, span.start, span.end, label=label)
            for attr in ("kg_division", "kg_source", "kg_title"):
                setattr(new._, attr, getattr(span._, attr))
            chosen.append(new)
            for i in range(span.start, span.end):
                taken[i] = True

        model_orgs = [s for s in model_spans if MODEL_LABEL_MAP.get(s.label_, s.label_) in ("AGENCY", "ORG")]
        # An institution whose name the model reads further to the left is the model's to name.
        rule_spans = [s for group in self.rule_groups for s in doc.spans.get(group, [])
                      if not (group == "kg_institutions" and _outvoted(s, model_orgs))]
        for tier in (rule_spans, certain_places):
            for span in sorted(tier, key=lambda s: -(s.end - s.start)):
                if not _overlaps(span, taken):
                    take(span, span.label_)
        for span in sorted(model_spans, key=lambda s: -(s.end - s.start)):
            label = model_label(span, division_names)
            if label is None:
                continue
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
        doc.ents = sorted(chosen, key=lambda s: s.start)
        doc.spans["positions"] = positions
        return doc

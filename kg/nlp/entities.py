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

from .lexicon import AGENCY_HEADS, ORG_HEADS
from .people import is_plausible_name

BARE_HEADS = set(AGENCY_HEADS) | set(ORG_HEADS)

LABELS = ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
MODEL_LABEL_MAP = {"ADDRESS": "PLACE", "LOC": "PLACE", "PER": "PERSON", "GPE": "PLACE"}
# Leading words that make a span a description, not a name (各乡镇, 全市, 本单位).
DETERMINERS = tuple("各全本该此每某我其这那")


def plausible_model_span(span: Span, label: str) -> bool:
    text = span.text.strip()
    if len(text) < 2 or text.startswith(DETERMINERS):
        return False
    if label == "PERSON":
        return is_plausible_name(text) or "·" in text
    if label == "PLACE":
        return not text.endswith(("化", "性", "们"))
    if label in ("AGENCY", "ORG"):  # a bare head (支部, 分局) names nothing
        return len(text) >= 3 and text not in BARE_HEADS
    return True


def _overlaps(span: Span, taken: list[bool]) -> bool:
    return any(taken[i] for i in range(span.start, span.end))


@Language.factory("kg_entities", default_config={"rule_groups": ["kg_programs", "kg_institutions", "kg_people"]})
def make_entity_merger(nlp: Language, name: str, rule_groups: list[str]) -> "EntityMerger":
    return EntityMerger(name, rule_groups)


class EntityMerger:
    """Writes doc.ents from rule span groups, gazetteer places and model entities."""

    def __init__(self, name: str, rule_groups: list[str]):
        self.name = name
        self.rule_groups = list(rule_groups)

    def __call__(self, doc: Doc) -> Doc:
        model_spans = [s for s in doc.ents]
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

        rule_spans = [s for group in self.rule_groups for s in doc.spans.get(group, [])]
        for tier in (rule_spans, certain_places):
            for span in sorted(tier, key=lambda s: -(s.end - s.start)):
                if not _overlaps(span, taken):
                    take(span, span.label_)
        for span in sorted(model_spans, key=lambda s: -(s.end - s.start)):
            label = MODEL_LABEL_MAP.get(span.label_, span.label_)
            if label not in LABELS or not plausible_model_span(span, label):
                continue
            if span._.kg_source is None:
                span._.kg_source = "model"
            inside = [c for c in chosen if c.start >= span.start and c.end <= span.end]
            swallows = label in ("AGENCY", "ORG") or span.label_ == "ADDRESS"  # 北京大学, a postal address
            if inside and swallows and all(c.label_ == "PLACE" for c in inside) \
                    and (span.end - span.start) > max(c.end - c.start for c in inside):
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

"""`kg_linker`: every entity of the Doc gets its canonical entity id as `span.kb_id_`.

The component holds one `kg.linking.Linker` (the knowledge base of the run: one
canonical entity per real thing across all documents, see kg/linking.py). Document
context comes from the Doc: `doc._.kg_home` (the article's home place, a division key;
when the caller leaves it None it is the most named county or prefecture of the Doc).
Programmes whose title starts with an agency get that agency as issuer
(`doc._.kg_issuers`: (programme id, issuer id, offset)). The posts `kg_roles` read
are linked too: `doc._.kg_positions` holds (person id, title, organ id or None, offset),
the organ being the one the title names or, for a bare post (市长), the article's
division of that level. `start_run()` begins a new knowledge base (each `kg build` and
`kg.graph_of` call starts one). A caller may instead give each document its own
knowledge base (`doc.user_data[DOC_LINKER]`, a Linker; kg build does, so that documents
linked in other processes merge into the same table, see `kg.linking.merge_entities`).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..linking import Linker
from .chunking import register_shift
from .gazetteer import find_places
from .lexicon import AGENCY_HEADS, ORG_HEADS
from .roles import POST_RANK_RE

BARE_HEADS = set(AGENCY_HEADS) | set(ORG_HEADS)
DOC_LINKER = "kg.linker"  # doc.user_data key: the document's own Linker, when the caller gives one
MAX_NEARBY = 50  # divisions named last that 镇党委 / 村委会 may refer to

for _name, _default in (("kg_home", None), ("kg_issuers", None), ("kg_positions", None), ("kg_doc_id", None),
                        ("kg_date", None), ("kg_year", None)):
    # kg_doc_id, kg_date (ISO or partial), kg_year (the year month-day dates take):
    # document context written by the caller before the pipeline runs.
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


# A long text's chunks are joined into one Doc: the offsets of their results move with them.
register_shift("kg_issuers", lambda item, shift: (*item[:2], item[2] + shift))
register_shift("kg_positions", lambda item, shift: (*item[:3], item[3] + shift))


@Language.factory("kg_linker", default_config={}, requires=["doc.ents"], assigns=["doc.ents"])
def make_linker(nlp: Language, name: str) -> "EntityLinker":
    return EntityLinker(nlp, name)


def linkable(ent) -> bool:
    """Entities the NER tags but the graph cannot use: one character (中美 -> 中, 美) or
    a bare organ head with no owner (组织部)."""
    text = ent.text.strip()
    return len(text) >= 2 and not (ent.label_ in ("AGENCY", "ORG") and text in BARE_HEADS)


class EntityLinker:
    """Links doc.ents to canonical entities (`span.kb_id_`), in text order."""

    def __init__(self, nlp: Language, name: str = "kg_linker"):
        self.nlp = nlp
        self.name = name
        self._linker: Linker | None = None

    @property
    def linker(self) -> Linker:
        if self._linker is None:
            self.start_run()
        return self._linker

    def start_run(self) -> Linker:
        """A fresh knowledge base (the gazetteer comes from kg_places)."""
        self._linker = Linker(self.nlp.get_pipe("kg_places").gazetteer)
        return self._linker

    def home_of(self, doc: Doc):
        """The Doc's home place (Division), from `doc._.kg_home` or its own places."""
        gazetteer = self.linker.gazetteer
        if doc._.kg_home is None:
            places = [e._.kg_division for e in doc.ents if e.label_ == "PLACE" and e._.kg_division is not None]
            # A place named inside a programme's title (《某市…预案》) still says where the article is.
            titles = [e for e in doc.ents if e.label_ == "PROGRAM"]
            places += [s._.kg_division for s in doc.spans.get("kg_places", []) if s._.kg_division is not None
                       and any(t.start_char <= s.start_char and s.end_char <= t.end_char for t in titles)]
            home = self.linker.home_place(places)
            if home is None:
                # No place named on its own: the place the article's organisations are named
                # after (江城晚报, 江城市民政局: 江城).
                owners = [m.division.key for e in doc.ents if e.label_ in ("AGENCY", "ORG")
                          for m in find_places(e.text.strip(), gazetteer)[:1] if m.start == 0 and m.division]
                home = self.linker.home_place(owners)
            doc._.kg_home = home.key if home is not None else None
        return gazetteer.divisions[doc._.kg_home] if doc._.kg_home is not None else None

    def linker_of(self, doc: Doc) -> Linker:
        """The document's own knowledge base when the caller gave one, else the run's."""
        return doc.user_data.get(DOC_LINKER) or self.linker

    def __call__(self, doc: Doc) -> Doc:
        linker = self.linker_of(doc)
        home = self.home_of(doc)
        place_ids_by_end: dict[int, str] = {}
        named_places = []  # divisions named so far, for 镇党委 / 村委会 after a town or village
        agencies = _agencies_by_start(doc)
        ents, issuers, linked = [], [], {}
        for ent in doc.ents:
            if not linkable(ent):
                ents.append(ent)
                continue
            entity = linker.link(ent.label_, ent._.kg_refers_to or ent.text, division_key=ent._.kg_division,
                                 home=home, parent_id=place_ids_by_end.get(ent.start_char),
                                 nearby=named_places[-MAX_NEARBY:])
            if ent.label_ == "PLACE":
                place_ids_by_end[ent.end_char] = entity.id
                if ent._.kg_division is not None:
                    named_places.append(linker.gazetteer.divisions[ent._.kg_division])
            if ent.label_ == "PROGRAM":
                issuer = self._issuer(agencies, ent, home, linker)
                if issuer is not None:
                    entity.issued_by = entity.issued_by or issuer.id
                    issuers.append((entity.id, issuer.id, ent.start_char))
            # Span extensions are keyed by offsets, so the new span keeps kg_division / kg_title.
            ents.append(Span(doc, ent.start, ent.end, label=ent.label, kb_id=entity.id))
            linked[(ent.start_char, ent.end_char)] = entity.id
        doc.ents = ents
        doc._.kg_issuers = issuers
        doc._.kg_positions = [
            (linked[person.start_char, person.end_char], title,
             self._organ_id(organ, linked, home, linker) or self._title_jurisdiction(title, home, linker), person.start_char)
            for person, title, organ in doc._.roles if (person.start_char, person.end_char) in linked]
        return doc

    def _issuer(self, agencies: dict[int, list], program, home, linker: Linker):
        """The agency a programme's title starts with (《苏州市人民政府…办法》 -> 苏州市人民政府)."""
        for span in agencies.get(program.start, ()):
            if span.end < program.end:
                return linker.link("AGENCY", span.text, home=home)
        return None

    def _organ_id(self, organ, linked: dict, home, linker: Linker) -> str | None:
        """The entity of a title's organ: the linked entity it is, or the organ words linked
        in the article's division (市人大常委会 -> that city's)."""
        if organ is None:
            return None
        if (organ.start_char, organ.end_char) in linked:
            return linked[organ.start_char, organ.end_char]
        if len(organ.text) < 2:
            return None
        return linker.link(organ.label_ or "AGENCY", organ.text, home=home).id

    def _title_jurisdiction(self, title: str, home, linker: Linker) -> str | None:
        """市长, 副市长 -> the article's city; 县委书记 -> the county's Party committee."""
        title = POST_RANK_RE.sub("", title)
        if home is None or not title or title[0] not in "省市县区镇乡村":
            return None
        organ = re.match(r"[省市县区镇乡村](委|政府|人大|政协)", title)
        if organ:
            return linker.link("AGENCY", organ.group(), home=home).id
        division = linker.jurisdiction(home, title[0]) if title[0] in "省市县区" else None
        return linker.place_for_division(division).id if division else None


def _agencies_by_start(doc: Doc) -> dict[int, list]:
    """The rule-found agencies by start token, for the issuer of a programme (one pass per document)."""
    by_start: dict[int, list] = {}
    for span in doc.spans.get("kg_institutions", []):
        if span.label_ == "AGENCY":
            by_start.setdefault(span.start, []).append(span)
    return by_start

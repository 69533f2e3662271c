"""The knowledge graph as a networkx MultiDiGraph, following CONTRACT.md's schema.

Node ids are the stable ids of documents, entities and events; edge keys are stable
strings, so the same input always gives the same graph (and Neo4j merges on them).
Events also get a short `name` (trigger · object), because viewers caption a node by its
`name` and an event has none of its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from .events import Event
from .linking import Entity, stable_id

EVENT_NAME_OBJECT_CHARS = 12  # about what Neo4j Browser fits on an event's circle


@dataclass
class Role:
    """A person holding a position (at an organisation or place), with its evidence."""

    person: str
    position: str
    org: str | None
    doc: str
    sentence: str


@dataclass
class DocumentRecord:
    id: str
    title: str
    source: str
    date: str | None
    kind: str
    text: str
    mentions: Counter = field(default_factory=Counter)     # entity id -> count
    evidence: dict[str, str] = field(default_factory=dict)  # entity id -> first sentence
    authors: list[tuple[str, str]] = field(default_factory=list)  # (person id, role)
    external_id: str | None = None  # an archive row's own id


def build_graph(documents: list[DocumentRecord], entities: dict[str, Entity], events: list[Event],
                roles: list[Role], include_text: bool = True) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    add_documents(G, documents, include_text)
    add_entities(G, _entities_in_use(documents, entities, events, roles))
    add_document_edges(G, documents)
    add_roles(G, roles)
    add_events(G, events)
    return G


# The parts of build_graph, also used one shard at a time (kg.readwrite.neo4j_import).

def add_documents(G: nx.MultiDiGraph, documents: list[DocumentRecord], include_text: bool = True) -> None:
    for d in documents:
        attrs = {"kind": "Document", "title": d.title, "source": d.source, "date": d.date,
                 "text_kind": d.kind}
        if include_text:
            attrs["text"] = d.text
        if d.external_id is not None:
            attrs["external_id"] = d.external_id
        G.add_node(d.id, id=d.id, **attrs)


def add_entities(G: nx.MultiDiGraph, used: list[Entity]) -> None:
    """Entity nodes, and their edges to the entities among them they point to."""
    for e in used:  # sorted by id
        attrs = {"kind": "Entity", "label": e.label, "name": e.name,
                 "aliases": sorted(e.aliases) or [e.name],
                 "mentions": e.mentions}
        if e.label == "PLACE":
            attrs.update(admin_code=e.admin_code, admin_level=e.admin_level)
        if e.label == "PERSON":
            attrs["positions"] = list(dict.fromkeys(e.positions))
        G.add_node(e.id, id=e.id, **attrs)
    for e in used:
        if e.parent and e.parent in G:
            G.add_edge(e.id, e.parent, key=f"PART_OF:{e.id}", type="PART_OF")
        if e.based_in and e.based_in in G:
            G.add_edge(e.id, e.based_in, key=f"BASED_IN:{e.id}", type="BASED_IN")
        if e.issued_by and e.issued_by in G:
            G.add_edge(e.id, e.issued_by, key=f"ISSUED_BY:{e.id}", type="ISSUED_BY")


def add_document_edges(G: nx.MultiDiGraph, documents: list[DocumentRecord]) -> None:
    for d in documents:
        for entity_id, count in sorted(d.mentions.items()):
            G.add_edge(d.id, entity_id, key=f"MENTIONS:{d.id}:{entity_id}", type="MENTIONS",
                       count=count, doc=d.id, sentence=d.evidence.get(entity_id))
        for person_id, role in d.authors:
            G.add_edge(person_id, d.id, key=f"AUTHORED:{person_id}:{d.id}:{role}", type="AUTHORED", role=role)


def add_roles(G: nx.MultiDiGraph, roles: list[Role]) -> None:
    for r in roles:
        if r.org:
            G.add_edge(r.person, r.org, key=f"HOLDS_POSITION:{r.person}:{r.org}:{r.position}",
                       type="HOLDS_POSITION", position=r.position, doc=r.doc, sentence=r.sentence)


def add_events(G: nx.MultiDiGraph, events: list[Event]) -> None:
    for ev in events:
        event_id = stable_id("event", ev.doc, str(ev.offset), ev.trigger)
        G.add_node(event_id, id=event_id, kind="Event", name=event_name(ev.trigger, ev.object_text),
                   type=ev.type, trigger=ev.trigger, date=ev.date,
                   date_text=ev.date_text, quantity=ev.quantity, object_text=ev.object_text,
                   sentence=ev.sentence, doc=ev.doc, agent_source=ev.agent_source)
        G.add_edge(event_id, ev.doc, key=f"REPORTED_IN:{event_id}", type="REPORTED_IN")
        for agent in ev.agents:
            G.add_edge(event_id, agent, key=f"AGENT:{event_id}:{agent}", type="AGENT", role=ev.agent_role)
        for obj in ev.objects:
            G.add_edge(event_id, obj, key=f"OBJECT:{event_id}:{obj}", type="OBJECT")
        for place in ev.locations:
            G.add_edge(event_id, place, key=f"LOCATION:{event_id}:{place}", type="LOCATION")


def event_name(trigger: str, object_text: str | None) -> str:
    """What happened, short enough for a node caption: `召集 · 全县防汛工作会议`.

    The spaces around the dot let Neo4j Browser break the caption there (it wraps only
    at spaces); a longer object is cut with an ellipsis.
    """
    if not object_text:
        return trigger
    if len(object_text) > EVENT_NAME_OBJECT_CHARS:
        object_text = object_text[:EVENT_NAME_OBJECT_CHARS - 1] + "…"
    return f"{trigger} · {object_text}"


def _entities_in_use(documents, entities, events, roles) -> list[Entity]:
    """Mentioned entities plus everything they point to (ancestors, jurisdictions)."""
    wanted = {eid for d in documents for eid in d.mentions}
    wanted |= {pid for d in documents for pid, _ in d.authors}
    wanted |= {r.person for r in roles} | {r.org for r in roles if r.org}
    for ev in events:
        wanted |= set(ev.agents) | set(ev.objects) | set(ev.locations)
    return entities_in_use(wanted, entities)


def entities_in_use(wanted, entities: dict[str, Entity]) -> list[Entity]:
    """The entities pointed to plus everything they point to (ancestors, seats, issuers), by id."""
    wanted = set(wanted)
    frontier = list(wanted)
    while frontier:
        entity = entities.get(frontier.pop())
        if entity is None:
            continue
        for nxt in (entity.parent, entity.based_in, entity.issued_by):
            if nxt and nxt not in wanted:
                wanted.add(nxt)
                frontier.append(nxt)
    return sorted((entities[eid] for eid in wanted if eid in entities), key=lambda e: e.id)

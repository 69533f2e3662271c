"""Per-document results on disk (Parquet shards) and the entity reduce of a build.

Why: an archive's mentions, events and roles outgrow memory long before its entities do
(a city's officials and agencies repeat; every article adds its own events). So each
document's results go to OUTDIR/shards/ in shards of a fixed number of documents, while
its entities are folded into one table by canonical id as they come (`merge_entities`:
a reduce, so documents linked in other processes give the same table). The graph files
are then made from the shards, only when the graph is small enough to open. Both engines
(local, Ray) hand their per-document results to `ResultSink`; the schema is in
docs/shards.md.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .events import Event
from .graph import DocumentRecord, Role, build_graph, entities_in_use, event_name
from .linking import Entity, finish_names, merge_entities, stable_id

SHARDS_FOLDER = "shards"
DEFAULT_SHARD_DOCUMENTS = 10_000  # documents per shard: a few MB of Parquet, flushed as it fills
DEFAULT_MAX_GRAPH_ELEMENTS = 1_000_000  # nodes + edges: beyond this no viewer opens graph.json


@dataclass
class DocumentResult:
    """What one document adds to the graph: the unit both engines produce."""

    record: DocumentRecord
    events: list[Event]
    roles: list[Role]
    entities: list[Entity]  # the document's own linked entities (its linker's table)
    file: str  # the input file it came from (what the report counts as read)


def _schemas():
    import pyarrow as pa

    text, count, texts = pa.string(), pa.int64(), pa.list_(pa.string())
    return {
        "documents": pa.schema([("id", text), ("title", text), ("source", text), ("date", text), ("kind", text),
                                ("text", text), ("external_id", text)]),
        "mentions": pa.schema([("doc", text), ("entity", text), ("count", count), ("sentence", text)]),
        "authors": pa.schema([("person", text), ("doc", text), ("role", text)]),
        "roles": pa.schema([("person", text), ("position", text), ("org", text), ("doc", text), ("sentence", text)]),
        "events": pa.schema([("id", text), ("name", text), ("type", text), ("trigger", text), ("sentence", text),
                             ("doc", text), ("object_text", text), ("date", text), ("date_text", text),
                             ("quantity", text), ("agents", texts), ("agent_role", text), ("agent_source", text),
                             ("objects", texts), ("locations", texts), ("offset", count), ("sources", text)]),
        "entities": pa.schema([("id", text), ("label", text), ("name", text), ("aliases", texts), ("mentions", count),
                               ("admin_code", text), ("admin_level", text), ("positions", texts), ("parent", text),
                               ("based_in", text), ("issued_by", text)]),
    }


DOCUMENT_TABLES = ("documents", "mentions", "authors", "roles", "events")  # one file each per shard
EVENT_FIELDS = {f.name for f in fields(Event)}


def event_id(event: Event) -> str:
    return stable_id("event", event.doc, str(event.offset), event.trigger)


class ResultSink:
    """Consumes DocumentResults in document order: rows to shards, entities to the table.

    Memory: the entity table, the ids the documents point to, and at most one shard's rows."""

    def __init__(self, folder: Path, documents_per_shard: int = DEFAULT_SHARD_DOCUMENTS):
        self.folder = Path(folder)
        self.documents_per_shard = documents_per_shard
        self.entities: dict[str, Entity] = {}
        self.wanted: set[str] = set()  # ids the documents, roles and events point to
        self.documents = 0
        self.by_kind: Counter = Counter()
        self.files: set[str] = set()
        self.rows: Counter = Counter()
        self.event_types: Counter = Counter()
        self.edge_bound: Counter = Counter()  # edges by type, counted per row (duplicate keys counted twice)
        self.shards = 0
        self._rows: dict[str, list[dict]] = {name: [] for name in DOCUMENT_TABLES}
        self._pending = 0

    def add(self, result: DocumentResult) -> None:
        record = result.record
        merge_entities(self.entities, result.entities)
        self.documents += 1
        self.by_kind[record.kind] += 1
        self.files.add(result.file)
        self._rows["documents"].append({"id": record.id, "title": record.title, "source": record.source,
                                        "date": record.date, "kind": record.kind, "text": record.text,
                                        "external_id": record.external_id})
        for entity_id, count in record.mentions.items():
            self._rows["mentions"].append({"doc": record.id, "entity": entity_id, "count": count,
                                           "sentence": record.evidence.get(entity_id)})
            self.wanted.add(entity_id)
        for person_id, role in record.authors:
            self._rows["authors"].append({"person": person_id, "doc": record.id, "role": role})
            self.wanted.add(person_id)
        self.edge_bound["MENTIONS"] += len(record.mentions)
        self.edge_bound["AUTHORED"] += len(record.authors)
        for role in result.roles:
            self._rows["roles"].append(asdict(role))
            self.wanted.add(role.person)
            if role.org:
                self.wanted.add(role.org)
                self.edge_bound["HOLDS_POSITION"] += 1
        for event in result.events:
            row = asdict(event)
            if "sources" in row:  # what gave each argument (parse tree or rules): JSON text
                row["sources"] = json.dumps(row["sources"], ensure_ascii=False, sort_keys=True)
            self._rows["events"].append({"id": event_id(event), "name": event_name(event.trigger, event.object_text),
                                         **row})
            self.wanted.update(event.agents, event.objects, event.locations)
            self.event_types[event.type] += 1
            self.edge_bound["REPORTED_IN"] += 1
            self.edge_bound["AGENT"] += len(event.agents)
            self.edge_bound["OBJECT"] += len(event.objects)
            self.edge_bound["LOCATION"] += len(event.locations)
        self._pending += 1
        if self._pending >= self.documents_per_shard:
            self.flush()

    def flush(self) -> None:
        """Write the held rows as shard number `self.shards` of every document table."""
        if not self._pending:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.folder.mkdir(parents=True, exist_ok=True)
        schemas = _schemas()
        for name in DOCUMENT_TABLES:
            self.rows[name] += len(self._rows[name])
            table = pa.Table.from_pylist(self._rows[name], schema=schemas[name])
            pq.write_table(table, self.folder / f"{name}-{self.shards:05d}.parquet")
            self._rows[name] = []
        self.shards += 1
        self._pending = 0

    def finish(self) -> list[Entity]:
        """Flush, settle the entity names, write the entities in use; returns them (sorted by id)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.flush()
        finish_names(self.entities)
        used = entities_in_use(self.wanted, self.entities)
        rows = [{"id": e.id, "label": e.label, "name": e.name, "aliases": sorted(e.aliases) or [e.name],
                 "mentions": e.mentions, "admin_code": e.admin_code, "admin_level": e.admin_level,
                 "positions": list(dict.fromkeys(e.positions)), "parent": e.parent, "based_in": e.based_in,
                 "issued_by": e.issued_by} for e in used]
        self.folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=_schemas()["entities"]), self.folder / "entities.parquet")
        used_ids = {e.id for e in used}
        for e in used:
            for kind, target in (("PART_OF", e.parent), ("BASED_IN", e.based_in), ("ISSUED_BY", e.issued_by)):
                if target and target in used_ids:
                    self.edge_bound[kind] += 1
        self.used = used
        return used

    def elements_at_most(self) -> int:
        """Nodes + edges of the graph, an upper bound (a repeated edge key is counted each time)."""
        return self.documents + len(self.used) + self.rows["events"] + sum(self.edge_bound.values())

    @staticmethod
    def counts_of_nothing() -> dict:
        return {"entities": 0, "events": 0, "documents": 0, "edges": 0, "entities_by_label": {},
                "events_by_type": {}, "edges_by_type": {}}

    def counts(self) -> dict:
        """The report's counts without a graph (edges: the upper bound)."""
        return {"entities": len(self.used), "events": self.rows["events"], "documents": self.documents,
                "edges": sum(self.edge_bound.values()),
                "entities_by_label": dict(sorted(Counter(e.label for e in self.used).items())),
                "events_by_type": dict(sorted(self.event_types.items())),
                "edges_by_type": dict(sorted((k, v) for k, v in self.edge_bound.items() if v))}


def read_shards(folder: Path):
    """(records, events, roles) of a shards folder, in document order (for the graph files)."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    records: list[DocumentRecord] = []
    events: list[Event] = []
    roles: list[Role] = []
    shard = 0
    while (folder / f"documents-{shard:05d}.parquet").exists():
        def rows(name):
            return pq.read_table(folder / f"{name}-{shard:05d}.parquet").to_pylist()

        by_id: dict[str, DocumentRecord] = {}
        for row in rows("documents"):
            record = DocumentRecord(**row)
            records.append(record)
            by_id[record.id] = record
        for row in rows("mentions"):
            record = by_id[row["doc"]]
            record.mentions[row["entity"]] += row["count"]
            if row["sentence"] is not None:
                record.evidence.setdefault(row["entity"], row["sentence"])
        for row in rows("authors"):
            by_id[row["doc"]].authors.append((row["person"], row["role"]))
        roles += [Role(**row) for row in rows("roles")]
        for row in rows("events"):
            del row["id"], row["name"]
            sources = row.pop("sources")
            if sources is not None and "sources" in EVENT_FIELDS:
                row["sources"] = json.loads(sources)
            events.append(Event(**row))
        shard += 1
    return records, events, roles


def read_entities(folder: Path) -> dict[str, Entity]:
    """The entity table a build wrote (entities.parquet), by id."""
    import pyarrow.parquet as pq

    rows = pq.read_table(Path(folder) / "entities.parquet").to_pylist()
    return {row["id"]: Entity(**{**row, "aliases": Counter(row["aliases"] or []), "mentions": row["mentions"] or 0,
                                 "positions": list(row["positions"] or [])})
            for row in rows}


def graph_from_shards(folder: Path, entities: dict[str, Entity], include_text: bool = True):
    records, events, roles = read_shards(folder)
    return build_graph(records, entities, events, roles, include_text=include_text)


__all__ = ["DEFAULT_MAX_GRAPH_ELEMENTS", "DEFAULT_SHARD_DOCUMENTS", "DocumentResult", "ResultSink",
           "SHARDS_FOLDER", "entities_in_use", "graph_from_shards", "read_entities", "read_shards"]

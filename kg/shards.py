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
from .graph import (DocumentRecord, Role, add_document_edges, add_documents, add_entities, add_events, add_roles,
                    build_graph, entities_in_use, event_name)
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

    Memory: the entity table, the ids the documents point to, a hash of each document id
    (for the import files), and at most one shard's rows."""

    def __init__(self, folder: Path, documents_per_shard: int = DEFAULT_SHARD_DOCUMENTS,
                 import_folder: Path | None = None):
        self.folder = Path(folder)
        # neo4j-admin import files, written shard by shard (kg.readwrite.neo4j_import)
        self.import_files = None
        if import_folder is not None:
            from .readwrite.neo4j_import import ImportFileWriter

            self.import_files = ImportFileWriter(import_folder)
        self.import_manifest = None  # the ImportFiles, once finished
        self._document_hashes: set[int] = set()  # fewer than documents: an id repeated (spoils the import files)
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
        if self.import_files is not None:
            self._document_hashes.add(hash(record.id))
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
        if self.import_files is not None:
            write_import_piece(self.import_files, self._rows, f"{self.shards:05d}")
        self._rows = {name: [] for name in DOCUMENT_TABLES}
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
        if self.import_files is not None:
            self._finish_import_files(used_ids)
        return used

    def _finish_import_files(self, used_ids: set[str]) -> None:
        """No manifest (so `kg load --bulk` writes the files from the graph) when a document
        id repeated or an edge points outside the entity table."""
        if len(self._document_hashes) == self.documents and self.wanted <= used_ids:
            self.import_manifest = finish_import_files(self.import_files, self.used,
                                                       read_roles(self.folder, self.shards))

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

        shard_records, shard_events, shard_roles = objects_of({name: rows(name) for name in DOCUMENT_TABLES})
        records += shard_records
        events += shard_events
        roles += shard_roles
        shard += 1
    return records, events, roles


def objects_of(rows: dict[str, list[dict]]) -> tuple[list[DocumentRecord], list[Event], list[Role]]:
    """The records, events and roles of one shard's rows (as written or read back)."""
    records: list[DocumentRecord] = []
    by_id: dict[str, DocumentRecord] = {}
    for row in rows["documents"]:
        record = DocumentRecord(**row)
        records.append(record)
        by_id[record.id] = record
    for row in rows["mentions"]:
        record = by_id[row["doc"]]
        record.mentions[row["entity"]] += row["count"]
        if row["sentence"] is not None:
            record.evidence.setdefault(row["entity"], row["sentence"])
    for row in rows["authors"]:
        by_id[row["doc"]].authors.append((row["person"], row["role"]))
    roles = [Role(**row) for row in rows["roles"]]
    events = []
    for row in rows["events"]:
        row = {name: value for name, value in row.items() if name not in ("id", "name")}
        sources = row.pop("sources", None)
        if sources is not None and "sources" in EVENT_FIELDS:
            row["sources"] = json.loads(sources)
        events.append(Event(**row))
    return records, events, roles


def write_import_piece(writer, rows: dict[str, list[dict]], piece: str) -> None:
    """One shard's documents and events, with their edges, as neo4j-admin import files
    (the entities they point to are written once, by `finish_import_files`)."""
    import networkx as nx

    records, events, _ = objects_of(rows)
    graph = nx.MultiDiGraph()
    add_documents(graph, records)
    add_document_edges(graph, records)
    add_events(graph, events)
    writer.add(nx.node_link_data(graph, edges="edges"), piece=piece, endpoints_only="Entity")


def finish_import_files(writer, used: list[Entity], roles: list[Role]):
    """The entities in use, and the HOLDS_POSITION edges (one per person, org and position
    over the whole archive), then the manifest."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    add_entities(graph, used)
    add_roles(graph, roles)
    writer.add(nx.node_link_data(graph, edges="edges"), piece="entities")
    return writer.finish()


def read_roles(folder: Path, shards: int) -> list[Role]:
    import pyarrow.parquet as pq

    return [Role(**row) for shard in range(shards)
            for row in pq.read_table(Path(folder) / f"roles-{shard:05d}.parquet").to_pylist()]


def import_files_from_shards(folder: Path, import_folder: Path, id_type: str = "integer"):
    """The import files a build writes as it goes, written afterwards from its shards (a
    build made before kg wrote them, or ids to write as text); None when a document id
    repeats or an edge points outside the entity table (then only the whole graph gives
    the right files)."""
    import pyarrow.parquet as pq

    from .readwrite.neo4j_import import ImportFileWriter

    folder = Path(folder)
    used = sorted(read_entities(folder).values(), key=lambda e: e.id)
    used_ids = {e.id for e in used}
    writer = ImportFileWriter(import_folder, id_type)
    seen: set[int] = set()
    shard = 0
    while (folder / f"documents-{shard:05d}.parquet").exists():
        rows = {name: pq.read_table(folder / f"{name}-{shard:05d}.parquet").to_pylist() for name in DOCUMENT_TABLES}
        hashes = {hash(row["id"]) for row in rows["documents"]}
        pointed = {row["entity"] for row in rows["mentions"]} | {row["person"] for row in rows["authors"]}
        pointed |= {i for row in rows["events"] for name in ("agents", "objects", "locations") for i in row[name] or ()}
        pointed |= {i for row in rows["roles"] for i in (row["person"], row["org"]) if i}
        if len(hashes) < len(rows["documents"]) or hashes & seen or not pointed <= used_ids:
            return None
        seen |= hashes
        write_import_piece(writer, rows, f"{shard:05d}")
        shard += 1
    return finish_import_files(writer, used, read_roles(folder, shard))


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

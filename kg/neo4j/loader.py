"""`kg load GRAPH_OR_OUTDIR --uri bolt://HOST:PORT`: put a built graph into Neo4j.

Loading is idempotent and incremental: nodes are merged on their stable `id` (one
uniqueness constraint per kind, created first), relationships on a stable `key` derived
from what identifies them, so a reload changes nothing and a later build adds only what
is new. Cypher text is built only from allow-listed labels and relationship types; every
value travels as a query parameter. Rows go in batches through `execute_write`, which
retries transient failures. `kg load --bulk` (kg.neo4j.bulk) imports a whole graph into
a new database with neo4j-admin instead, storing exactly what this loader stores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import queue
import re
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

NODE_KINDS = ("Document", "Entity", "Event")
ENTITY_LABELS = {  # graph.json `label` -> the second Neo4j label of an Entity
    "PERSON": "Person",
    "PLACE": "Place",
    "AGENCY": "Agency",
    "ORG": "Org",
    "PROGRAM": "Program",
}
RELATIONSHIP_TYPES = (  # CONTRACT.md, plus what `kg build` adds beyond it
    "MENTIONS", "REPORTED_IN", "AGENT", "OBJECT", "LOCATION",
    "HOLDS_POSITION", "AUTHORED", "PART_OF",
    "BASED_IN",   # Entity(AGENCY/ORG) -> Entity(PLACE)
    "ISSUED_BY",  # Entity(PROGRAM) -> Entity(AGENCY)
)
# Besides its endpoints and type, what tells two parallel relationships apart.
IDENTITY_PROPERTIES = {"HOLDS_POSITION": ("position",)}
DEFAULT_BATCH_SIZE = 10000


class LoadError(Exception):
    """A failure the user can act on; printed as one line, no traceback."""


@dataclass
class LoadStats:
    """What a load did, summed over batches from the server's own counters."""

    nodes: int = 0
    relationships: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def elements(self) -> int:
        return self.nodes + self.relationships


@dataclass
class Batch:
    """One UNWIND query and the rows it runs on."""

    query: str
    rows: list[dict]
    what: str  # e.g. "Entity:Place nodes", "AGENT relationships"


# --------------------------------------------------------------------------- reading


def graph_path(graph_or_outdir: Path) -> Path:
    """Accept either graph.json itself or the OUTDIR `kg build` wrote it into."""
    path = graph_or_outdir / "graph.json" if graph_or_outdir.is_dir() else graph_or_outdir
    if not path.exists():
        raise LoadError(f"{path}: no such file (give graph.json or a kg build output folder)")
    return path


def read_build(graph_or_outdir: Path) -> dict:
    """The graph of a build as node-link dicts: its graph.json, or, for a build too large
    for graph files (`kg build --max-graph-elements`), the graph assembled from its shards."""
    shards = Path(graph_or_outdir) / "shards"
    if not (Path(graph_or_outdir) / "graph.json").exists() and (shards / "entities.parquet").is_file():
        import networkx as nx

        from ..shards import graph_from_shards, read_entities

        data = nx.node_link_data(graph_from_shards(shards, read_entities(shards)), edges="edges")
        return {"nodes": data["nodes"], "edges": data["edges"]}
    return read_graph(graph_path(Path(graph_or_outdir)))


def read_graph(path: Path) -> dict:
    """Read node-link JSON (nx.node_link_data(G, edges="edges")) and check its shape."""
    try:
        graph = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise LoadError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise LoadError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        raise LoadError(f"{path}: not a node-link graph (no 'nodes' list)")
    edges = graph.get("edges", graph.get("links", []))
    if not isinstance(edges, list):
        raise LoadError(f"{path}: 'edges' is not a list")
    for position, node in enumerate(graph["nodes"]):
        if not isinstance(node, dict) or node.get("id") is None:
            raise LoadError(f"{path}: node #{position} has no 'id'")
        if not isinstance(node["id"], (str, int)) or isinstance(node["id"], bool):
            raise LoadError(f"{path}: node #{position} has an 'id' that is not a string")
    for position, edge in enumerate(edges):
        if not isinstance(edge, dict) or "source" not in edge or "target" not in edge:
            raise LoadError(f"{path}: edge #{position} has no 'source'/'target'")
        if not all(isinstance(edge[end], (str, int)) for end in ("source", "target")):
            raise LoadError(f"{path}: edge #{position} has a 'source'/'target' that is not "
                            f"a node id")
    return {"nodes": graph["nodes"], "edges": edges}


# --------------------------------------------------------------------------- values


def neo4j_value(value):
    """A property value Neo4j can store: drop None, keep homogeneous lists as lists."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (list, tuple)):
        items = [neo4j_value(item) for item in value if item is not None]
        return _homogeneous(items)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)  # dicts and the rest


def _homogeneous(items: list) -> list:
    """Neo4j arrays hold one type; mixed lists become floats or strings."""
    kinds = {type(item) for item in items}
    if len(kinds) <= 1 and not (kinds & {list, dict}):
        return items
    if kinds <= {int, float}:
        return [float(item) for item in items]
    return [item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            for item in items]


def clean_properties(attributes: dict, leave_out: frozenset = frozenset()) -> dict:
    """All attributes as Neo4j values, without None and without the keys left out."""
    props = {}
    for name, value in attributes.items():
        if value is None or name in leave_out:
            continue
        kind = type(value)
        if kind is str or kind is float or kind is bool:
            props[name] = value
        else:
            stored = neo4j_value(value)
            if stored is not None:
                props[name] = stored
    return props


def relationship_key(edge: dict, edge_type: str, occurrence: int = 0) -> int:
    """A stable key: type, endpoints and identifying properties, hashed to 64 bits.

    A networkx integer edge key only counts parallel edges in insertion order, so it
    can differ between builds; it is ignored. A string key chosen by the builder is
    kept in the identity. `occurrence` separates exact duplicates within one graph.
    An integer is stored inline by Neo4j: relationships load ~25% faster than with a
    hex string key.
    """
    nx_key = edge.get("key")
    source, target = edge["source"], edge["target"]
    if type(source) is str and type(target) is str and not occurrence \
            and not isinstance(nx_key, str) and edge_type not in IDENTITY_PROPERTIES:
        # the common case, spelled out: the same text as the general path below
        text = f"{edge_type}\x1f{source}\x1f{target}\x1f\x1enull"
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big", signed=True)
    identity = [edge_type, edge["source"], edge["target"],
                nx_key if isinstance(nx_key, str) else None]
    identity += [edge.get(name) for name in IDENTITY_PROPERTIES.get(edge_type, ())]
    if occurrence:
        identity.append(occurrence)
    text = "\x1f".join(map(_identity_text, identity))
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _identity_text(part) -> str:
    """json.dumps with a fast path for the common parts (keys must never change)."""
    if isinstance(part, str):
        return part
    return "\x1enull" if part is None else "\x1e" + json.dumps(part)


# --------------------------------------------------------------------------- planning


def node_labels(node: dict) -> tuple[str, str | None] | None:
    """(kind label, entity label or None); None when the kind is not in the schema."""
    kind = node.get("kind")
    if kind not in NODE_KINDS:
        return None
    if kind == "Entity":
        return kind, ENTITY_LABELS.get(str(node.get("label", "")).upper())
    return kind, None


@dataclass
class LoadPlan:
    """Graph elements grouped by the query that loads them; rows are made per batch."""

    node_groups: dict[tuple[str, str | None], list[dict]]
    edge_groups: dict[tuple[str, str, str], list[dict]]
    stats: LoadStats


def plan_load(graph: dict) -> LoadPlan:
    """Group nodes by labels and edges by (type, end kinds).

    Relationship keys are made later, per group while batching, so that hashing them
    overlaps the server's work on the node batches.
    """
    stats = LoadStats()
    node_groups: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    kind_of: dict = {}
    for node in graph["nodes"]:
        labels = node_labels(node)
        if labels is None:
            stats.skipped.append(f"node {node['id']!r}: kind {node.get('kind')!r} "
                                 f"not in {NODE_KINDS}")
            continue
        kind_of[node["id"]] = labels[0]
        node_groups[labels].append(node)
    stats.nodes = sum(len(nodes) for nodes in node_groups.values())

    edge_groups: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for edge in graph["edges"]:
        edge_type = edge.get("type")
        if edge_type not in RELATIONSHIP_TYPES:
            stats.skipped.append(f"edge {edge['source']!r}->{edge['target']!r}: "
                                 f"type {edge_type!r} not in the allow-list")
            continue
        source_kind, target_kind = kind_of.get(edge["source"]), kind_of.get(edge["target"])
        if source_kind is None or target_kind is None:
            stats.skipped.append(f"edge {edge['source']!r}->{edge['target']!r}: "
                                 f"endpoint not loaded")
            continue
        edge_groups[(edge_type, source_kind, target_kind)].append(edge)
    stats.relationships = sum(len(edges) for edges in edge_groups.values())
    return LoadPlan(dict(node_groups), dict(edge_groups), stats)


EDGE_ENDPOINT_FIELDS = frozenset({"source", "target", "key", "type"})


def iter_batches(plan: LoadPlan, batch_size: int) -> Iterator[Batch]:
    """Nodes first (every label), then relationships; rows are built lazily."""
    for (kind, entity_label), nodes in sorted(plan.node_groups.items(),
                                              key=lambda item: str(item[0])):
        query = node_query(kind, entity_label)
        what = f"{kind}:{entity_label} nodes" if entity_label else f"{kind} nodes"
        for start in range(0, len(nodes), batch_size):
            rows = [{"id": node["id"], "props": clean_properties(node)}
                    for node in nodes[start:start + batch_size]]
            yield Batch(query, rows, what)
    for (edge_type, source_kind, target_kind), edges in sorted(plan.edge_groups.items()):
        names = {name for edge in edges for name in edge} - EDGE_ENDPOINT_FIELDS
        query = relationship_query(edge_type, source_kind, target_kind, names)
        keys = keyed(edges, edge_type)
        for start in range(0, len(edges), batch_size):
            rows = [{"source": edge["source"], "target": edge["target"], "key": next(keys),
                     "props": clean_properties(edge, EDGE_ENDPOINT_FIELDS)}
                    for edge in edges[start:start + batch_size]]
            yield Batch(query, rows, f"{edge_type} relationships")


def keyed(edges: list[dict], edge_type: str) -> Iterator[int]:
    """Each edge's key; exact duplicates (always in one group) count as occurrences."""
    seen: dict[int, int] = defaultdict(int)
    for edge in edges:
        key = relationship_key(edge, edge_type)
        occurrence = seen[key]
        seen[key] += 1
        yield relationship_key(edge, edge_type, occurrence) if occurrence else key


def plan_batches(graph: dict, batch_size: int) -> tuple[list[Batch], LoadStats]:
    """Every batch at once (for inspection and tests); loading streams them instead."""
    plan = plan_load(graph)
    return list(iter_batches(plan, batch_size)), plan.stats


def prefetch(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """Build the next batches in a thread (started now) while the server works."""
    buffer: queue.Queue = queue.Queue(maxsize=depth)
    finished = object()
    cancelled = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if cancelled.is_set():
                    return
                buffer.put(batch)
            buffer.put(finished)
        except BaseException as exc:  # re-raised in the consumer
            buffer.put(exc)

    worker = threading.Thread(target=produce, name="kg-load-batches", daemon=True)
    worker.start()

    def consume() -> Iterator[Batch]:
        try:
            while True:
                item = buffer.get()
                if item is finished:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()
            while worker.is_alive():  # unblock a producer waiting on a full queue
                try:
                    buffer.get_nowait()
                except queue.Empty:
                    worker.join(0.05)

    return consume()


def node_query(kind: str, entity_label: str | None) -> str:
    """MERGE on the constrained (kind, id); labels only from the allow-lists.

    A node's properties and its one entity label are those of the latest load: a
    property or label a later build no longer has is removed (`SET n = row.props`,
    whose map holds `id` too).
    """
    if kind not in NODE_KINDS or (entity_label and entity_label not in ENTITY_LABELS.values()):
        raise ValueError(f"label not allowed: {kind}:{entity_label}")
    # ON CREATE/ON MATCH rather than a trailing map SET: that could touch the merged
    # `id`, so the planner would buffer the whole batch (Eager) first.
    query = (f"UNWIND $rows AS row MERGE (n:{kind} {{id: row.id}}) "
             f"ON CREATE SET n = row.props ON MATCH SET n = row.props")
    if kind == "Entity":
        others = [label for label in ENTITY_LABELS.values() if label != entity_label]
        query += " REMOVE n:" + ":".join(others)
        if entity_label:
            query += f" SET n:{entity_label}"
    return query


def relationship_query(edge_type: str, source_kind: str, target_kind: str,
                       property_names: Iterable[str] | None = None) -> str:
    """MATCH both ends through the id constraints, MERGE the relationship on its key.

    With the group's property names known (plain identifiers only), each is SET by name,
    to null (removed) where a row lacks it: a map SET (`r = row.props`) might overwrite
    the merged `key`, which makes the planner buffer the whole batch first (Eager) --
    about a third slower.
    """
    if edge_type not in RELATIONSHIP_TYPES or {source_kind, target_kind} - set(NODE_KINDS):
        raise ValueError(f"relationship not allowed: {source_kind}-{edge_type}->{target_kind}")
    names = sorted(set(property_names)) if property_names is not None else None
    if names is not None and all(PLAIN_NAME.match(name) for name in names) \
            and "key" not in names:
        updates = ", ".join(f"r.{name} = row.props.{name}" for name in names)
    else:
        updates = "r += row.props"
    merge = (f"UNWIND $rows AS row "
             f"MATCH (a:{source_kind} {{id: row.source}}) "
             f"MATCH (b:{target_kind} {{id: row.target}}) "
             f"MERGE (a)-[r:{edge_type} {{key: row.key}}]->(b)")
    return f"{merge} ON CREATE SET {updates} ON MATCH SET {updates}" if updates else merge


PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


CONSTRAINTS = [
    f"CREATE CONSTRAINT kg_{kind.lower()}_id IF NOT EXISTS "
    f"FOR (n:{kind}) REQUIRE n.id IS UNIQUE"
    for kind in NODE_KINDS
]


# --------------------------------------------------------------------------- loading


BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def open_driver(uri: str, user: str, password: str, retry_seconds: float = 30.0):
    """A connected driver, or LoadError saying plainly why not."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

    scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
    if scheme not in BOLT_SCHEMES:
        raise LoadError(f"invalid --uri {uri!r}: use bolt://HOST:PORT (or "
                        f"{', '.join(s + '://' for s in BOLT_SCHEMES[1:])})")
    try:
        driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=10,
                                      max_transaction_retry_time=retry_seconds)
    except (ValueError, ConfigurationError) as exc:
        raise LoadError(f"invalid --uri {uri!r}: {exc}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise LoadError(f"authentication failed for user {user!r} at {uri} "
                        f"(check NEO4J_PASSWORD)") from None
    except (ServiceUnavailable, OSError) as exc:
        driver.close()
        raise LoadError(f"cannot reach Neo4j at {uri}: {_first_line(exc)}") from None
    return driver


def load_graph(driver, graph: dict, database: str = "neo4j",
               batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = True,
               on_batch: Callable[[int, Batch], None] | None = None) -> LoadStats:
    """Constraints, then nodes, then relationships; returns what the server changed.

    `on_batch(number, batch)` runs after each committed batch (tests use it to stop the
    server part-way).
    """
    from tqdm import tqdm

    started = time.monotonic()
    planned: list[LoadPlan] = []

    def planned_batches() -> Iterator[Batch]:
        planned.append(plan_load(graph))
        yield from iter_batches(planned[0], batch_size)

    batches = prefetch(planned_batches())  # planning overlaps the constraint queries
    for constraint in CONSTRAINTS:
        driver.execute_query(constraint, database_=database)
    created = LoadStats()
    with driver.session(database=database) as session, \
            tqdm(total=len(graph["nodes"]) + len(graph["edges"]), unit="el", desc="kg load",
                 disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar:
        for number, batch in enumerate(batches, start=1):
            counters = session.execute_write(_run_batch, batch.query, batch.rows)
            created.nodes_created += counters.nodes_created
            created.relationships_created += counters.relationships_created
            created.properties_set += counters.properties_set
            created.labels_added += counters.labels_added
            bar.set_postfix_str(batch.what, refresh=False)
            bar.update(len(batch.rows))
            if on_batch is not None:
                on_batch(number, batch)
    stats = planned[0].stats
    for name in ("nodes_created", "relationships_created", "properties_set", "labels_added"):
        setattr(stats, name, getattr(created, name))
    stats.seconds = time.monotonic() - started
    return stats


def _run_batch(tx, query: str, rows: list[dict]):
    return tx.run(query, rows=rows).consume().counters


def _first_line(exc: Exception) -> str:
    """The driver's message on one line (its messages often end in a colon + newline)."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 300 else text[:297] + "..."


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("graph", type=Path, metavar="GRAPH_OR_OUTDIR",
                        help="graph.json, or the folder kg build wrote it into")
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
                        help="Bolt URI (default: $NEO4J_URI or %(default)s)")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USER", "neo4j"),
                        help="user name (default: $NEO4J_USER or neo4j); the password "
                             "comes only from $NEO4J_PASSWORD")
    parser.add_argument("--database", default="neo4j", help="database (default: neo4j)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help="rows per transaction (default: %(default)s)")
    parser.add_argument("--retry-seconds", type=float, default=30.0,
                        help="how long to retry a batch on transient errors or a lost "
                             "server (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    from kg.neo4j import bulk

    bulk.configure_parser(parser)


class _OneLineNotices(logging.Handler):
    """The driver's retry warnings span several lines; show each as one."""

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        print(f"kg load: {text if len(text) <= 240 else text[:237] + '...'}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "bulk", False):
        from kg.neo4j import bulk

        return bulk.run(args)
    driver_log = logging.getLogger("neo4j")
    driver_log.addHandler(_OneLineNotices(logging.WARNING))
    driver_log.propagate = False
    try:
        stats = _load_from_args(args)
    except LoadError as exc:
        print(f"kg load: error: {exc}", file=sys.stderr)
        return 1
    for reason in stats.skipped[:20]:
        print(f"kg load: skipped {reason}", file=sys.stderr)
    if len(stats.skipped) > 20:
        print(f"kg load: ... {len(stats.skipped) - 20} more skipped", file=sys.stderr)
    rate = stats.elements / stats.seconds if stats.seconds else 0.0
    print(f"kg load: {stats.nodes} nodes, {stats.relationships} relationships into "
          f"{args.database!r} at {args.uri} in {stats.seconds:.1f} s ({rate:,.0f} elements/s); "
          f"new: {stats.nodes_created} nodes, {stats.relationships_created} relationships")
    return 0


def _load_from_args(args: argparse.Namespace) -> LoadStats:
    from neo4j.exceptions import (AuthError, ClientError, Neo4jError, ServiceUnavailable,
                                  SessionExpired)

    if args.batch_size < 1:
        raise LoadError("--batch-size must be at least 1")
    graph = read_build(args.graph)
    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise LoadError("NEO4J_PASSWORD is not set (the project's local server "
                        "`kg neo4j serve` uses 'kg-local-dev' unless you set one)")
    driver = open_driver(args.uri, args.user, password, args.retry_seconds)
    try:
        return load_graph(driver, graph, args.database, args.batch_size,
                          progress=not args.quiet)
    except AuthError:
        raise LoadError(f"authentication failed for user {args.user!r} at {args.uri} "
                        f"(check NEO4J_PASSWORD)") from None
    except (ServiceUnavailable, SessionExpired, OSError) as exc:
        raise LoadError(f"lost the connection to Neo4j at {args.uri} part-way "
                        f"({_first_line(exc)}); loading again completes it") from None
    except ClientError as exc:
        if exc.code and "DatabaseNotFound" in exc.code:
            raise LoadError(f"database {args.database!r} does not exist at {args.uri}") from None
        raise LoadError(f"Neo4j refused the load: {exc.code}: {_first_line(exc)}") from None
    except Neo4jError as exc:
        raise LoadError(f"Neo4j failed: {exc.code}: {_first_line(exc)}") from None
    finally:
        driver.close()

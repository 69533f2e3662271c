"""Every query of docs/cypher.md, run on the sample page's graph loaded into a real Neo4j.

The expected rows are the same question answered from graph.json with networkx, so the
cookbook cannot drift from the loader or from what `kg build` writes. The parameters are
the page's own `:params` example, so every example names something in the sample graph.
Nodes in results compare by `id`, relationships by type, paths as [id, TYPE, id, ...].
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import networkx as nx
import pytest
from neo4j.graph import Node, Path, Relationship

from conftest import ROOT, empty_database, run_kg

COOKBOOK = ROOT / "docs" / "cypher.md"
QUERY_BLOCK = re.compile(r"```cypher\n// name: (\S+)\n(.*?)```", re.S)
PARAMS_LINE = re.compile(r"^:params \{(.*)\}$", re.M)
PARAM_ENTRY = re.compile(r"(\w+): '([^']*)'")
NEO4J_LABEL = {"PERSON": "Person", "PLACE": "Place", "AGENCY": "Agency", "ORG": "Org",
               "PROGRAM": "Program"}
UNORDERED_COLUMNS = {"how", "types", "actors", "programs", "titles", "roles", "positions",
                     "events"}
# Queries over relationships `kg build` adds beyond CONTRACT.md may legitimately be empty.
MAY_BE_EMPTY = {"programs-issued-by", "based-under-place"}


def cookbook_queries() -> dict[str, str]:
    text = COOKBOOK.read_text(encoding="utf-8")
    return {name: query for name, query in QUERY_BLOCK.findall(text)}


def cookbook_params_line() -> str:
    """The page's `:params {...}` line, as a Browser user pastes it."""
    found = PARAMS_LINE.search(COOKBOOK.read_text(encoding="utf-8"))
    assert found, "docs/cypher.md has no `:params {...}` example"
    return found.group(0)


def cookbook_params() -> dict[str, str]:
    return dict(PARAM_ENTRY.findall(PARAMS_LINE.search(cookbook_params_line()).group(1)))


def plain(value):
    """A driver value made comparable with graph.json: nodes by id, paths as steps."""
    if isinstance(value, Node):
        return value["id"]
    if isinstance(value, Relationship):
        return value.type
    if isinstance(value, Path):
        steps = [plain(value.start_node)]
        for relationship, node in zip(value.relationships, value.nodes[1:]):
            steps += [relationship.type, plain(node)]
        return steps
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


# --------------------------------------------------------------------------- the sample


class Sample:
    """graph.json of the sample page, with the lookups the expectations need."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph

    def data(self, node) -> dict:
        return self.graph.nodes[node]

    def kind(self, node) -> str | None:
        return self.data(node).get("kind")

    def label(self, node) -> str | None:
        return self.data(node).get("label") if self.kind(node) == "Entity" else None

    def name(self, node) -> str | None:
        return self.data(node).get("name")

    def shown(self, node):
        """coalesce(n.name, n.title, n.type)."""
        data = self.data(node)
        return next((data[key] for key in ("name", "title", "type")
                     if data.get(key) is not None), None)

    def nodes(self, kind: str, label: str | None = None) -> list:
        return sorted(n for n in self.graph if self.kind(n) == kind
                      and (label is None or self.label(n) == label))

    def edges(self, edge_type: str) -> list[tuple]:
        return [(s, t, d) for s, t, d in self.graph.edges(data=True) if d["type"] == edge_type]

    def targets(self, node, edge_type: str) -> list:
        return [t for _, t, d in self.graph.out_edges(node, data=True) if d["type"] == edge_type]

    def sources(self, node, edge_type: str) -> list:
        return [s for s, _, d in self.graph.in_edges(node, data=True) if d["type"] == edge_type]

    def named(self, name: str, label: str | None = None) -> list:
        return [n for n in self.nodes("Entity", label) if self.name(n) == name]

    def hops(self, a, b) -> list[str]:
        """Types of the relationships between two nodes, either direction."""
        return [d["type"] for u, v in ((a, b), (b, a)) if self.graph.has_edge(u, v)
                for d in self.graph.get_edge_data(u, v).values()]

    def chains_up(self, node, edge_type: str, end, seen: frozenset = frozenset()) -> list:
        """Every path ([id, TYPE, id, ...]) from node along edge_type edges up to end."""
        if node == end:
            return [[node]]
        return [[node, edge_type, *rest] for parent in self.targets(node, edge_type)
                if parent not in seen
                for rest in self.chains_up(parent, edge_type, end, seen | {node})]

    def places_under(self, place_name: str) -> set:
        """Places named so, and every place with a PART_OF path up to one of them."""
        found = {n for n in self.nodes("Entity", "PLACE") if self.name(n) == place_name}
        frontier = list(found)
        while frontier:
            for child in self.sources(frontier.pop(), "PART_OF"):
                if self.label(child) == "PLACE" and child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def months(self, event) -> list[str]:
        """One month per REPORTED_IN document (the OPTIONAL MATCH rows), else one."""
        documents = [d for d in self.targets(event, "REPORTED_IN") if self.kind(d) == "Document"]
        own = self.data(event).get("date")
        dates = [own if own is not None else self.data(d).get("date") for d in documents] \
            or [own]
        return [date[:7] if date is not None else "undated" for date in dates]


@pytest.fixture(scope="module")
def sample(seed_build, neo4j_server) -> Sample:
    """The sample page built by `kg build`, loaded by `kg load` into an empty database."""
    _, _, outdir = seed_build
    empty_database(neo4j_server)
    loaded = run_kg("load", outdir, "--uri", neo4j_server.uri, "--user", neo4j_server.user,
                    "--database", neo4j_server.database, "--quiet", env=neo4j_server.env)
    assert loaded.returncode == 0, loaded.stderr
    data = json.loads((outdir / "graph.json").read_text(encoding="utf-8"))
    return Sample(nx.node_link_graph(data, edges="edges", directed=True, multigraph=True))


@pytest.fixture(scope="module")
def params() -> dict:
    """The page's `:params` example (checked below to name things in the sample)."""
    return cookbook_params()


# --------------------------------------------------------------------------- expectations


def expect_label_counts(s: Sample, p: dict) -> list[dict]:
    counts = Counter()
    for node in s.graph:
        counts[s.kind(node)] += 1
        if s.kind(node) == "Entity":
            counts[NEO4J_LABEL[s.label(node)]] += 1
    return [{"label": label, "nodes": n} for label, n in counts.items()]


def expect_relationship_counts(s: Sample, p: dict) -> list[dict]:
    counts = Counter(d["type"] for *_, d in s.graph.edges(data=True))
    return [{"type": t, "relationships": n} for t, n in counts.items()]


def expect_agencies_and_programs(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(list)
    for event in s.nodes("Event"):
        for actor in s.targets(event, "AGENT"):
            if s.label(actor) not in ("AGENCY", "PLACE"):
                continue
            for program in s.targets(event, "OBJECT"):
                if s.label(program) == "PROGRAM":
                    key = (s.name(actor), s.label(actor), s.name(program))
                    groups[key].append(s.data(event)["type"])
    return [{"actor": a, "actor_label": label, "program": program, "how": sorted(set(how)),
             "events": len(how)} for (a, label, program), how in groups.items()]


def expect_programs_issued_by(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(list)
    for program, issuer, _ in s.edges("ISSUED_BY"):
        if s.label(program) == "PROGRAM" and s.kind(issuer) == "Entity":
            groups[s.name(issuer)].append(s.name(program))
    return [{"issuer": issuer, "programs": programs} for issuer, programs in groups.items()]


def expect_positions(s: Sample, p: dict) -> list[dict]:
    rows = []
    for person, organisation, data in s.edges("HOLDS_POSITION"):
        if s.label(person) != "PERSON" or s.kind(organisation) != "Entity":
            continue
        places = [x for x in s.targets(organisation, "BASED_IN") if s.label(x) == "PLACE"]
        for place in places or [None]:
            rows.append({"person": s.name(person), "position": data.get("position"),
                         "organisation": s.name(organisation),
                         "place": s.name(place) if place else None})
    return rows


def expect_events_under_place_by_month(s: Sample, p: dict) -> list[dict]:
    under = s.places_under(p["place"])
    events = {e for e in s.nodes("Event") if set(s.targets(e, "LOCATION")) & under}
    groups = defaultdict(list)
    for event in events:
        for month in set(s.months(event)):  # WITH DISTINCT e, month
            groups[month].append(s.data(event)["type"])
    return [{"month": month, "events": len(types), "types": sorted(set(types))}
            for month, types in groups.items()]


def expect_based_under_place(s: Sample, p: dict) -> list[dict]:
    under = s.places_under(p["place"])
    rows = {(s.name(x), s.label(x), s.name(place)) for x, place, _ in s.edges("BASED_IN")
            if place in under and s.kind(x) == "Entity"}
    return [{"name": n, "label": label, "based_in": b} for n, label, b in rows]


def expect_demonstration_programs(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(set)
    for program in s.nodes("Entity", "PROGRAM"):
        data = s.data(program)
        if "示范" not in data["name"] and not any("示范" in a for a in data.get("aliases") or []):
            continue
        actors = groups[(data["name"], data.get("mentions"))]
        for event in s.sources(program, "OBJECT"):
            if s.kind(event) == "Event":
                actors.update(s.name(a) for a in s.targets(event, "AGENT")
                              if s.kind(a) == "Entity")
    return [{"program": name, "mentions": mentions, "actors": sorted(actors)}
            for (name, mentions), actors in groups.items()]


def expect_paths_between(s: Sample, p: dict) -> list[dict]:
    undirected = nx.Graph(s.graph)
    rows = []
    for a in s.named(p["from"]):
        for b in s.named(p["to"]):
            for nodes in nx.all_shortest_paths(undirected, a, b):
                if len(nodes) - 1 > 8:
                    continue
                paths = [[a]]  # one path per choice of relationship at each step
                for u, v in zip(nodes, nodes[1:]):
                    paths = [path + [hop, v] for path in paths for hop in s.hops(u, v)]
                rows += [{"path": path, "steps": [s.shown(n) for n in nodes],
                          "hops": len(nodes) - 1} for path in paths]
    return rows


def expect_most_mentioned_agencies(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(set)
    for agency in s.nodes("Entity", "AGENCY"):
        documents = {d for d in s.sources(agency, "MENTIONS") if s.kind(d) == "Document"}
        groups[(s.name(agency), s.data(agency).get("mentions") or 0)] |= documents
    rows = [{"agency": name, "mentions": mentions, "documents": len(documents)}
            for (name, mentions), documents in groups.items()]
    rows.sort(key=lambda r: (-r["mentions"], -r["documents"], r["agency"]))
    return rows[:10]


def expect_reporters(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(lambda: {"roles": set(), "articles": 0, "events": 0, "titles": []})
    for person in s.nodes("Entity", "PERSON"):
        documents = defaultdict(set)  # one row per (person, document), roles collected
        for _, document, data in s.graph.out_edges(person, data=True):
            if data["type"] == "AUTHORED" and s.kind(document) == "Document":
                documents[document].add(data.get("role"))
        for document, roles in documents.items():
            group = groups[s.name(person)]
            group["roles"] |= {r for r in roles if r is not None}
            group["articles"] += 1
            group["events"] += sum(1 for e in s.sources(document, "REPORTED_IN")
                                   if s.kind(e) == "Event")
            if s.data(document).get("title") is not None:
                group["titles"].append(s.data(document)["title"])
    return [{"reporter": name, "roles": sorted(g["roles"]), "articles": g["articles"],
             "events": g["events"], "titles": g["titles"]} for name, g in groups.items()]


def expect_events_by_type_per_month(s: Sample, p: dict) -> list[dict]:
    counts = Counter((month, s.data(e)["type"]) for e in s.nodes("Event") for month in s.months(e))
    return [{"month": month, "type": t, "events": n} for (month, t), n in counts.items()]


def expect_events_of_type(s: Sample, p: dict) -> list[dict]:
    rows = []
    for event in s.nodes("Event"):
        data = s.data(event)
        if data.get("type") != p["type"]:
            continue
        agents = [a for a in s.targets(event, "AGENT") if s.kind(a) == "Entity"] or [None]
        for document in s.targets(event, "REPORTED_IN"):
            if s.kind(document) != "Document":
                continue
            for agent in agents:
                rows.append({"trigger": data.get("trigger"),
                             "agent": s.name(agent) if agent else None,
                             "object": data.get("object_text"), "date": data.get("date"),
                             "document": s.data(document).get("title"),
                             "sentence": data.get("sentence")})
    return rows


def expect_place_hierarchy(s: Sample, p: dict) -> list[dict]:
    def chains(node, used):  # every PART_OF path up to a place with no parent
        rows = []
        for _, parent, key, data in s.graph.out_edges(node, keys=True, data=True):
            edge = (node, parent, key)
            if data["type"] != "PART_OF" or edge in used:
                continue
            tops_here = s.label(parent) == "PLACE" and not s.targets(parent, "PART_OF")
            if tops_here:
                rows.append([parent])
            rows += [[parent] + rest for rest in chains(parent, used | {edge})]
        return rows

    rows = []
    for place in s.nodes("Entity", "PLACE"):
        found = chains(place, frozenset())
        for within in found or [None]:
            rows.append({"place": s.name(place), "level": s.data(place).get("admin_level"),
                         "within": [s.name(n) for n in within] if within else None})
    return rows


def expect_co_mentioned(s: Sample, p: dict) -> list[dict]:
    groups = defaultdict(set)
    for document in s.nodes("Document"):
        mentioned = {e for e in s.targets(document, "MENTIONS") if s.kind(e) == "Entity"}
        for a in mentioned:
            for b in mentioned:
                if a < b:
                    groups[(s.name(a), s.name(b))].add(document)
    rows = [{"first": a, "second": b, "documents": len(d)} for (a, b), d in groups.items()]
    rows.sort(key=lambda r: (-r["documents"], r["first"], r["second"]))
    return rows[:15]


def expect_documents(s: Sample, p: dict) -> list[dict]:
    return [{"id": d, "title": s.data(d).get("title"), "date": s.data(d).get("date"),
             "entities": sum(1 for x in s.targets(d, "MENTIONS") if s.kind(x) == "Entity"),
             "events": sum(1 for e in s.sources(d, "REPORTED_IN") if s.kind(e) == "Event")}
            for d in s.nodes("Document")]


def expect_agency_network(s: Sample, p: dict) -> list[dict]:
    rows = []
    for agency in s.named(p["agency"], "AGENCY"):
        for event in s.sources(agency, "AGENT"):
            if s.kind(event) != "Event":
                continue
            programs = [x for x in s.targets(event, "OBJECT") if s.label(x) == "PROGRAM"]
            rows += [{"acted": [agency, "AGENT", event],
                      "about": [event, "OBJECT", program] if program else None}
                     for program in programs or [None]]
    return rows


def expect_place_tree(s: Sample, p: dict) -> list[dict]:
    rows = []
    for root in s.named(p["place"], "PLACE"):
        for place in s.places_under(p["place"]):
            for tree in s.chains_up(place, "PART_OF", root):
                based = [x for x in s.sources(place, "BASED_IN") if s.kind(x) == "Entity"]
                rows += [{"tree": tree, "based": [x, "BASED_IN", place] if x else None}
                         for x in based or [None]]
    return rows


def expect_person_network(s: Sample, p: dict) -> list[dict]:
    rows = []
    for person in s.named(p["person"], "PERSON"):
        positions = [[person, "HOLDS_POSITION", x] for x in s.targets(person, "HOLDS_POSITION")
                     if s.kind(x) == "Entity"]
        events = [[person, edge_type, e] for edge_type in ("AGENT", "OBJECT")
                  for e in s.sources(person, edge_type) if s.kind(e) == "Event"]
        rows.append({"person": person, "positions": positions, "events": events})
    return rows


EXPECTATIONS = {
    "label-counts": expect_label_counts,
    "relationship-counts": expect_relationship_counts,
    "agencies-and-programs": expect_agencies_and_programs,
    "programs-issued-by": expect_programs_issued_by,
    "positions": expect_positions,
    "events-under-place-by-month": expect_events_under_place_by_month,
    "based-under-place": expect_based_under_place,
    "demonstration-programs": expect_demonstration_programs,
    "paths-between": expect_paths_between,
    "most-mentioned-agencies": expect_most_mentioned_agencies,
    "reporters": expect_reporters,
    "events-by-type-per-month": expect_events_by_type_per_month,
    "events-of-type": expect_events_of_type,
    "place-hierarchy": expect_place_hierarchy,
    "co-mentioned": expect_co_mentioned,
    "documents": expect_documents,
    "agency-network": expect_agency_network,
    "place-tree": expect_place_tree,
    "person-network": expect_person_network,
}


# --------------------------------------------------------------------------- tests


def normalised(rows: list[dict]) -> list[str]:
    """Rows as comparable strings, ignoring row order and the order of set-like lists."""
    def value(column, v):
        return sorted(v) if column in UNORDERED_COLUMNS and isinstance(v, list) else v

    return sorted(json.dumps({c: value(c, v) for c, v in row.items()}, ensure_ascii=False,
                             sort_keys=True) for row in rows)


def test_the_cookbook_has_at_least_ten_named_queries_all_checked():
    text = COOKBOOK.read_text(encoding="utf-8")
    names = [name for name, _ in QUERY_BLOCK.findall(text)]
    assert len(names) >= 10 and len(names) == len(set(names))
    assert text.count("```cypher") == len(names), "a cypher block without a `// name:`"
    assert set(names) == set(EXPECTATIONS)


def test_every_parameter_example_names_something_in_the_sample(sample, params):
    assert set(params) == {"place", "agency", "person", "from", "to", "type"}
    for key, label in (("place", "PLACE"), ("agency", "AGENCY"), ("person", "PERSON"),
                       ("from", None), ("to", None)):
        assert sample.named(params[key], label), f":param {key}: {params[key]} not in the sample"
    assert any(sample.data(e)["type"] == params["type"] for e in sample.nodes("Event"))


@pytest.mark.parametrize("name", sorted(cookbook_queries()))
def test_cookbook_query_gives_the_expected_rows(name, sample, params, neo4j_server):
    query = cookbook_queries()[name]
    with neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query(query, params, database_=neo4j_server.database)
    got = [{key: plain(record[key]) for key in record.keys()} for record in records]
    expected = EXPECTATIONS[name](sample, params)
    if name not in MAY_BE_EMPTY:
        assert expected, f"{name}: the sample graph gives no rows to check"
    assert normalised(got) == normalised(expected)

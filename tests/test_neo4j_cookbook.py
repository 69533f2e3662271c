"""Every query of docs/cypher.md, run on the sample page's graph loaded into a real Neo4j.

The expected rows are the same question answered from graph.json with networkx, so the
cookbook cannot drift from the loader or from what `kg build` writes.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import networkx as nx
import pytest

from conftest import ROOT, empty_database, run_kg

COOKBOOK = ROOT / "docs" / "cypher.md"
QUERY_BLOCK = re.compile(r"```cypher\n// name: (\S+)\n(.*?)```", re.S)
NEO4J_LABEL = {"PERSON": "Person", "PLACE": "Place", "AGENCY": "Agency", "ORG": "Org",
               "PROGRAM": "Program"}
UNORDERED_COLUMNS = {"how", "types", "actors", "programs", "titles", "roles"}
# Queries over relationships `kg build` adds beyond CONTRACT.md may legitimately be empty.
MAY_BE_EMPTY = {"programs-issued-by", "based-under-place"}


def cookbook_queries() -> dict[str, str]:
    text = COOKBOOK.read_text(encoding="utf-8")
    return {name: query for name, query in QUERY_BLOCK.findall(text)}


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
def params(sample: Sample) -> dict:
    """Parameters picked from the sample graph: the place with most places under it,
    the most frequent event type, and a person and a programme a few steps apart."""
    unique = Counter(sample.name(n) for n in sample.nodes("Entity"))
    places = [n for n in sample.nodes("Entity", "PLACE") if unique[sample.name(n)] == 1]
    place = max(places, key=lambda n: (len(sample.places_under(sample.name(n))),
                                       sample.name(n)))
    types = Counter(sample.data(e)["type"] for e in sample.nodes("Event"))
    event_type = sorted(types.items(), key=lambda item: (-item[1], item[0]))[0][0]
    undirected = nx.Graph(sample.graph)
    pair = None
    for wanted in (3, 2, 4, 5, 6):
        pair = next(((a, b) for a in sample.nodes("Entity", "PERSON")
                     for b in sample.nodes("Entity", "PROGRAM")
                     if unique[sample.name(a)] == unique[sample.name(b)] == 1
                     and nx.has_path(undirected, a, b)
                     and nx.shortest_path_length(undirected, a, b) == wanted), None)
        if pair:
            break
    assert pair, "the sample graph has no person connected to a programme"
    return {"place": sample.name(place), "type": event_type,
            "from": sample.name(pair[0]), "to": sample.name(pair[1])}


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
    starts = [n for n in s.nodes("Entity") if s.name(n) == p["from"]]
    ends = [n for n in s.nodes("Entity") if s.name(n) == p["to"]]
    paths = {tuple(s.shown(n) for n in path)
             for a in starts for b in ends for path in nx.all_shortest_paths(undirected, a, b)
             if len(path) - 1 <= 8}
    return [{"steps": list(steps), "hops": len(steps) - 1} for steps in paths]


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


@pytest.mark.parametrize("name", sorted(cookbook_queries()))
def test_cookbook_query_gives_the_expected_rows(name, sample, params, neo4j_server):
    query = cookbook_queries()[name]
    with neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query(query, params, database_=neo4j_server.database)
    got = [record.data() for record in records]
    expected = EXPECTATIONS[name](sample, params)
    if name not in MAY_BE_EMPTY:
        assert expected, f"{name}: the sample graph gives no rows to check"
    assert normalised(got) == normalised(expected)

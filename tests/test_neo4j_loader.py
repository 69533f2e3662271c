"""`kg load` against a real Neo4j (see the neo4j_server fixture in conftest.py).

The graphs are synthetic but follow the `kg build` schema and are written as graph.json
the way `kg build` writes it; expected counts and properties come from networkx.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import empty_database, free_port, run_kg
from kg.neo4j import loader
from kg.neo4j.synthetic import HOSTILE_NAMES, graph_json, synthetic_graph


def write_graph(graph, folder: Path) -> Path:
    """graph.json in a fresh OUTDIR, as `kg build` leaves it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "graph.json").write_text(json.dumps(graph_json(graph), ensure_ascii=False),
                                       encoding="utf-8")
    return folder


def kg_load(server, target, *extra):
    return run_kg("load", target, "--uri", server.uri, "--user", server.user,
                  "--database", server.database, "--quiet", *extra, env=server.env)


def query(server, cypher: str, **params) -> list[dict]:
    with server.driver() as driver:
        records, _, _ = driver.execute_query(cypher, params, database_=server.database)
    return [record.data() for record in records]


def expected_labels(graph) -> Counter:
    """Neo4j label -> node count, from the networkx graph."""
    counts = Counter()
    for _, data in graph.nodes(data=True):
        counts[data["kind"]] += 1
        if data["kind"] == "Entity":
            counts[loader.ENTITY_LABELS[data["label"]]] += 1
    return counts


def stored_labels(server) -> Counter:
    rows = query(server, "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")
    return Counter({row["label"]: row["n"] for row in rows})


def stored_types(server) -> Counter:
    rows = query(server, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
    return Counter({row["type"]: row["n"] for row in rows})


def snapshot(server) -> tuple[dict, dict]:
    """Every node's labels and properties by id; every relationship's by key."""
    nodes = {row["id"]: (sorted(row["labels"]), row["props"]) for row in query(
        server, "MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props")}
    relationships = {row["key"]: row for row in query(
        server, "MATCH (a)-[r]->(b) RETURN r.key AS key, type(r) AS type, a.id AS source, "
                "b.id AS target, properties(r) AS props")}
    return nodes, relationships


def assert_no_duplicates(server) -> None:
    assert query(server, "MATCH (n) WITH n.id AS id, count(*) AS c WHERE c > 1 "
                         "RETURN count(*) AS dup")[0]["dup"] == 0
    assert query(server, "MATCH ()-[r]->() WITH r.key AS key, count(*) AS c WHERE c > 1 "
                         "RETURN count(*) AS dup")[0]["dup"] == 0


@pytest.fixture(scope="module")
def small_graph():
    return synthetic_graph(40, seed=11, hostile=True)


def test_counts_equal_graph_json(empty_neo4j, small_graph, tmp_path):
    outdir = write_graph(small_graph, tmp_path / "out")
    loaded = kg_load(empty_neo4j, outdir)
    assert loaded.returncode == 0, loaded.stderr
    assert stored_labels(empty_neo4j) == expected_labels(small_graph)
    expected_types = Counter(data["type"] for *_, data in small_graph.edges(data=True))
    assert stored_types(empty_neo4j) == expected_types
    assert f"{small_graph.number_of_nodes()} nodes" in loaded.stdout
    assert_no_duplicates(empty_neo4j)


def test_properties_are_stored_as_in_graph_json(empty_neo4j, small_graph, tmp_path):
    assert kg_load(empty_neo4j, write_graph(small_graph, tmp_path)).returncode == 0
    nodes, relationships = snapshot(empty_neo4j)
    for node_id, data in small_graph.nodes(data=True):
        expected = {"id": node_id, **{k: v for k, v in data.items() if v is not None}}
        assert nodes[node_id][1] == expected
    person = next(n for n, d in small_graph.nodes(data=True) if d.get("label") == "PERSON")
    assert isinstance(nodes[person][1]["positions"], list)  # lists stay lists
    assert sorted(nodes[person][0]) == ["Entity", "Person"]
    holds = [(s, t, d) for s, t, d in small_graph.edges(data=True)
             if d["type"] == "HOLDS_POSITION"]
    stored_holds = {(r["source"], r["target"], r["props"]["position"], r["props"]["doc"])
                    for r in relationships.values() if r["type"] == "HOLDS_POSITION"}
    assert stored_holds == {(s, t, d["position"], d["doc"]) for s, t, d in holds}


def test_reload_changes_nothing(empty_neo4j, small_graph, tmp_path):
    outdir = write_graph(small_graph, tmp_path)
    assert kg_load(empty_neo4j, outdir).returncode == 0
    before = snapshot(empty_neo4j)
    again = kg_load(empty_neo4j, outdir, "--batch-size", "97")
    assert again.returncode == 0, again.stderr
    assert "new: 0 nodes, 0 relationships" in again.stdout
    assert snapshot(empty_neo4j) == before


def test_names_with_cypher_fragments_are_stored_verbatim(empty_neo4j, small_graph, tmp_path):
    assert kg_load(empty_neo4j, write_graph(small_graph, tmp_path)).returncode == 0
    rows = query(empty_neo4j, "MATCH (n:Entity:Org) WHERE n.id STARTS WITH 'ent:org:hostile:' "
                              "RETURN n.id AS id, n.name AS name, n.aliases AS aliases")
    assert sorted(row["name"] for row in rows) == sorted(HOSTILE_NAMES)
    for row in rows:
        assert row["id"].endswith(row["name"])
        assert row["aliases"] == [row["name"], f"`{row['name']}`"]
    assert stored_labels(empty_neo4j) == expected_labels(small_graph)  # nothing deleted


def test_second_build_adds_only_what_is_new(empty_neo4j, tmp_path):
    first = synthetic_graph(20, seed=5, n_entities=150)
    second = synthetic_graph(30, seed=5, n_entities=150)  # the same 20 documents + 10
    assert kg_load(empty_neo4j, write_graph(first, tmp_path / "a")).returncode == 0
    loaded = kg_load(empty_neo4j, write_graph(second, tmp_path / "b"))
    assert loaded.returncode == 0, loaded.stderr

    def edge_set(graph):
        return {(s, t, d["type"], d.get("position"), d.get("doc"))
                for s, t, d in graph.edges(data=True)}

    new_nodes = len(set(second) - set(first))
    new_edges = len(edge_set(second) - edge_set(first))
    assert new_nodes > 0 and new_edges > 0
    assert f"new: {new_nodes} nodes, {new_edges} relationships" in loaded.stdout
    assert stored_labels(empty_neo4j) == expected_labels(second)
    assert sum(stored_types(empty_neo4j).values()) == second.number_of_edges()
    some_entity = max(second.nodes, key=lambda n: second.nodes[n].get("mentions", -1))
    stored = query(empty_neo4j, "MATCH (n:Entity {id: $id}) RETURN n.mentions AS m",
                   id=some_entity)
    assert stored == [{"m": second.nodes[some_entity]["mentions"]}]  # updated, not stale


def test_the_latest_build_decides_labels_and_properties(empty_neo4j, tmp_path):
    """An entity relabelled, and a property gone from a node and an edge, in a later build."""
    def graph_with(label, code):
        extra = {"code": code} if code else {}
        return {"directed": True, "multigraph": True, "graph": {},
                "nodes": [{"id": "ent:x", "kind": "Entity", "label": label, "name": "x",
                           "aliases": ["x"], "mentions": 1, **extra},
                          {"id": "ent:y", "kind": "Entity", "label": "PLACE", "name": "y"}],
                "edges": [{"source": "ent:x", "target": "ent:y", "type": "BASED_IN", **extra},
                          {"source": "ent:y", "target": "ent:x", "type": "BASED_IN",
                           "code": "130000"}]}  # another edge of the group keeps `code`

    for number, (label, code) in enumerate((("ORG", "130900"), ("AGENCY", None))):
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / "graph.json").write_text(json.dumps(graph_with(label, code)),
                                           encoding="utf-8")
        assert kg_load(empty_neo4j, folder).returncode == 0
    rows = query(empty_neo4j, "MATCH (n {id: 'ent:x'})-[r]->() RETURN labels(n) AS labels, "
                              "n.label AS label, n.code AS code, r.code AS edge_code")
    assert [(sorted(row["labels"]), row["label"], row["code"], row["edge_code"])
            for row in rows] == [(["Agency", "Entity"], "AGENCY", None, None)]


def test_interrupted_load_then_rerun_is_complete(local_neo4j_server, tmp_path):
    """Stop the server while `kg load` runs: a one-line error, then a rerun completes."""
    import subprocess
    import sys
    import time

    server = local_neo4j_server
    empty_database(server)
    graph = synthetic_graph(600, seed=3)
    outdir = write_graph(graph, tmp_path)
    command = [sys.executable, "-m", "kg.cli", "load", str(outdir), "--uri", server.uri,
               "--batch-size", "50", "--retry-seconds", "2", "--quiet"]
    load = subprocess.Popen(command, env=server.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not query(server, "MATCH (n) RETURN count(n) > 0 AS started")[0]["started"]:
            assert load.poll() is None and time.monotonic() < deadline, load.stderr.read()
            time.sleep(0.2)
        server.stop()
        _, stderr = load.communicate(timeout=300)
    finally:
        if load.poll() is None:
            load.kill()
    assert load.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith(
        f"kg load: error: lost the connection to Neo4j at {server.uri} part-way")
    status = run_kg("neo4j", "status", "--home", server.home, env=server.env)
    assert status.returncode == 3 and "not running" in status.stdout

    server.serve()
    partial = sum(stored_labels(server)[kind] for kind in loader.NODE_KINDS)
    partial += sum(stored_types(server).values())
    assert 0 < partial < graph.number_of_nodes() + graph.number_of_edges()
    rerun = kg_load(server, outdir)
    assert rerun.returncode == 0, rerun.stderr
    assert stored_labels(server) == expected_labels(graph)
    assert sum(stored_types(server).values()) == graph.number_of_edges()
    assert_no_duplicates(server)


def test_unreachable_server_gives_one_clear_line(small_graph, tmp_path, neo4j_server):
    outdir = write_graph(small_graph, tmp_path)
    result = run_kg("load", outdir, "--uri", f"bolt://127.0.0.1:{free_port()}",
                    env=neo4j_server.env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg load: error: cannot reach Neo4j at")


def test_a_uri_that_is_not_bolt_is_refused_plainly(small_graph, tmp_path, neo4j_server):
    outdir = write_graph(small_graph, tmp_path)
    result = run_kg("load", outdir, "--uri", "http://127.0.0.1:7474", env=neo4j_server.env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "kg load: error: invalid --uri 'http://127.0.0.1:7474': use bolt://" in result.stderr


def test_wrong_password_gives_one_clear_line(neo4j_server, small_graph, tmp_path):
    outdir = write_graph(small_graph, tmp_path)
    env = {**neo4j_server.env, "NEO4J_PASSWORD": neo4j_server.password + "-wrong"}
    result = run_kg("load", outdir, "--uri", neo4j_server.uri, "--user", neo4j_server.user,
                    env=env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"kg load: error: authentication failed for user '{neo4j_server.user}' at "
        f"{neo4j_server.uri} (check NEO4J_PASSWORD)"]


def test_password_only_from_the_environment(neo4j_server, small_graph, tmp_path):
    outdir = write_graph(small_graph, tmp_path)
    env = {key: value for key, value in neo4j_server.env.items() if key != "NEO4J_PASSWORD"}
    result = run_kg("load", outdir, "--uri", neo4j_server.uri, env=env)
    assert result.returncode != 0 and "NEO4J_PASSWORD is not set" in result.stderr
    assert "--password" not in run_kg("load", "--help").stdout


@pytest.mark.parametrize("content, message", [
    ("{not json", "invalid JSON"),
    ('{"edges": []}', "no 'nodes' list"),
    ('{"nodes": [{"kind": "Entity"}], "edges": []}', "node #0 has no 'id'"),
    ('{"nodes": [{"id": ["a"]}], "edges": []}', "node #0 has an 'id' that is not a string"),
    ('{"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": {}}]}', "edge #0 has a"),
])
def test_bad_graph_file_is_named_with_the_problem(tmp_path, content, message, neo4j_server):
    bad = tmp_path / "graph.json"
    bad.write_text(content, encoding="utf-8")
    result = run_kg("load", bad, "--uri", neo4j_server.uri, env=neo4j_server.env)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and message in result.stderr
    missing = run_kg("load", tmp_path / "nowhere", "--uri", neo4j_server.uri,
                     env=neo4j_server.env)
    assert missing.returncode != 0 and "no such file" in missing.stderr


def test_types_and_labels_outside_the_allow_lists_never_reach_cypher():
    graph = {"nodes": [{"id": "a", "kind": "Entity", "label": "PLACE"},
                       {"id": "b", "kind": "Entity", "label": "PLACE"},
                       {"id": "c", "kind": "Robot`) DETACH DELETE n //"}],
             "edges": [{"source": "a", "target": "b", "type": "PART_OF"},
                       {"source": "a", "target": "b", "type": "X]->() DETACH DELETE a //"},
                       {"source": "a", "target": "c", "type": "PART_OF"}]}
    batches, stats = loader.plan_batches(graph, 10)
    assert stats.nodes == 2 and stats.relationships == 1 and len(stats.skipped) == 3
    assert all("DELETE" not in batch.query for batch in batches)
    with pytest.raises(ValueError):
        loader.relationship_query("KNOWS", "Entity", "Entity")
    with pytest.raises(ValueError):
        loader.node_query("Entity", "Robot")


def test_property_values_neo4j_can_store():
    assert loader.clean_properties({"a": None, "b": [1, None, 2], "c": [1, 2.5],
                                    "d": {"x": 1}, "e": ["x", 3], "f": True}) == {
        "b": [1, 2], "c": [1.0, 2.5], "d": '{"x": 1}', "e": ["x", "3"], "f": True}


def test_relationship_keys_never_change_between_versions():
    """Databases loaded by earlier versions must still merge, not duplicate, on reload."""
    mention = {"source": "doc:1", "target": "ent:2", "type": "MENTIONS"}
    position = {"source": "p", "target": "a", "position": "局长", "type": "HOLDS_POSITION",
                "key": 3}
    assert loader.relationship_key(mention, "MENTIONS") == 5200826143267679906
    assert loader.relationship_key(position, "HOLDS_POSITION") == -8530987718215498213
    # an exact duplicate within one graph becomes a second relationship, not a merge
    assert list(loader.keyed([mention, dict(mention)], "MENTIONS")) == [
        5200826143267679906, -3638553308589958253]

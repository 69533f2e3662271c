"""`kg load --bulk`: neo4j-admin import files, and a real import into a new server home.

The graph is synthetic in the `kg build` schema (kg.neo4j.synthetic) plus the values a
CSV import gets wrong when done carelessly: quotes, line breaks, a value whose type
differs from its column's, empty arrays, arrays holding an empty string, a node id given
twice. The bulk-imported database is compared with what the Cypher loader stores from
the same graph.json: every label and type count, every node's and relationship's labels
and properties, the constraints.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, Neo4jServer, free_port, run_kg
from kg.build import build
from kg.neo4j.synthetic import graph_json, synthetic_graph
from kg.readwrite import neo4j_import
from kg.readwrite.neo4j_import import (ARRAY_DELIMITER, ImportFileError, import_id, value_type,
                                       write_import_files)
from news_corpus import write_mixed
from test_neo4j_loader import kg_load, query, snapshot, stored_labels, stored_types


def awkward_graph() -> dict:
    """graph.json of a small synthetic build plus values that strain the CSV format."""
    graph = graph_json(synthetic_graph(30, seed=23, hostile=True))
    nodes = {node["id"]: node for node in graph["nodes"]}
    person = next(node for node in graph["nodes"] if node.get("label") == "PERSON")
    person["positions"] = []  # an empty array: CSV cannot say it
    org = next(node for node in graph["nodes"] if node.get("label") == "ORG")
    org["aliases"] = ["", org["name"]]  # an array holding an empty string
    places = [node for node in graph["nodes"] if node.get("label") == "PLACE"]
    places[0]["admin_level"] = "县级"  # text where the column is a number
    places[1]["area"] = 12.5  # a float
    places[2]["verified"] = True  # a boolean
    document = next(node for node in graph["nodes"] if node["kind"] == "Document")
    document["title"] = '区政府召开"双减"工作\r\n推进会, 记者 王某某'
    document["summary"] = ""  # an empty string stays one
    # the same entity twice: the later one wins, as with MERGE + SET
    duplicate = dict(nodes[places[3]["id"]], name=places[3]["name"] + "新区")
    graph["nodes"].append(duplicate)
    edge = next(edge for edge in graph["edges"] if edge["type"] == "MENTIONS")
    edge["weights"] = []  # an empty array on a relationship
    return graph


def write_outdir(graph: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "graph.json").write_text(json.dumps(graph, ensure_ascii=False),
                                       encoding="utf-8")
    return folder


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------- files


def test_import_files_carry_types_quotes_arrays_and_line_breaks(tmp_path):
    graph = awkward_graph()
    files = write_import_files(graph, tmp_path / "import")
    names = sorted(path.name for path in files.nodes)
    assert "nodes-Document.csv" in names and "nodes-Event.csv" in names
    assert any(name.startswith("nodes-Entity-Place") for name in names)
    place_files = [path for path in files.nodes if path.name.startswith("nodes-Entity-Place")]
    assert len(place_files) == 2  # one for the text admin_level, with its own header
    headers = {path.name: next(csv.reader(open(path, encoding="utf-8"))) for path in place_files}
    assert all("area:double" in header and "verified:boolean" in header
               for header in headers.values())
    level_columns = sorted(column for header in headers.values() for column in header
                           if column.startswith("admin_level"))
    assert level_columns == ["admin_level", "admin_level:long"]
    assert all(header[:2] == [":ID(Entity)", "id"] and header[-1] == ":LABEL"
               for header in headers.values())
    assert "--id-type=integer" in files.arguments()

    documents = read_csv(tmp_path / "import" / "nodes-Document.csv")
    titled = [row for row in documents if "双减" in row["title"]]
    assert titled[0]["title"] == '区政府召开"双减"工作\r\n推进会, 记者 王某某'
    assert tmp_path / "import" / "nodes-Document.csv" in files.multiline
    assert tmp_path / "import" / "nodes-Event.csv" not in files.multiline
    persons = read_csv(tmp_path / "import" / "nodes-Entity-Person.csv")
    assert all(row[":LABEL"] == f"Entity{ARRAY_DELIMITER}Person" for row in persons)
    with_positions = [row for row in persons if row["positions:string[]"]]
    assert with_positions and all(len(row["positions:string[]"].split(ARRAY_DELIMITER)) == 2
                                  for row in with_positions)
    relationships = read_csv(tmp_path / "import" / "relationships-HOLDS_POSITION-Entity-"
                                                   "Entity.csv")
    assert set(relationships[0]) >= {":START_ID(Entity)", ":END_ID(Entity)", "key:long",
                                     "position", ":TYPE"}
    # what CSV cannot say is set afterwards with Cypher
    fixed = {json.dumps(fix["props"], ensure_ascii=False) for fix in files.fixups}
    assert '{"positions": []}' in fixed and '{"weights": []}' in fixed
    assert any('"aliases": [""' in text for text in fixed)
    # the duplicated id is written once
    assert files.node_count == len({(node["kind"], node["id"]) for node in graph["nodes"]})
    assert files.relationship_count == len(graph["edges"])


def test_a_value_holding_the_array_delimiter_is_refused_by_name(tmp_path):
    graph = {"nodes": [{"id": "ent:a", "kind": "Entity", "label": "ORG", "name": "甲",
                        "aliases": ["甲", f"乙{ARRAY_DELIMITER}丙"]}], "edges": []}
    with pytest.raises(ImportFileError, match="node 'ent:a'.*U\\+001F"):
        write_import_files(graph, tmp_path)


def test_integer_ids_are_56_bit_hashes_that_keep_text_and_numbers_apart(tmp_path):
    ids = ["doc:1", "doc:2", "5", 5]
    assert [import_id(i) for i in ids] == [import_id(i) for i in ids]  # stable
    assert len({import_id(i) for i in ids}) == 4
    assert all(0 <= int(import_id(i)) < 2**56 for i in ids)  # the import tool's range
    graph = {"nodes": [{"id": "ent:a", "kind": "Entity", "label": "ORG", "name": "甲"},
                       {"id": "doc:1", "kind": "Document"}],
             "edges": [{"source": "doc:1", "target": "ent:a", "type": "MENTIONS", "count": 1}]}
    written = write_import_files(graph, tmp_path / "int")
    mention = read_csv(written.relationships[0])[0]
    assert (mention[":START_ID(Document)"], mention[":END_ID(Entity)"]) == (import_id("doc:1"), import_id("ent:a"))
    as_text = write_import_files(graph, tmp_path / "text", id_type="string")
    assert "--id-type=string" in as_text.arguments()
    assert read_csv(as_text.relationships[0])[0][":START_ID(Document)"] == "doc:1"


def test_value_types_follow_the_cypher_loader():
    assert [value_type(v) for v in ("a", 1, 2.5, True, ["a"], [1], [1.5], [])] == [
        "string", "long", "double", "boolean", "string[]", "long[]", "double[]", None]


# --------------------------------------------------------------------------- import


@pytest.fixture(scope="module")
def bulk_graph(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk") / "out"
    return write_outdir(awkward_graph(), folder)


@pytest.fixture(scope="module")
def bulk_server(bulk_graph, neo4j_server):
    """`kg load --bulk --no-serve` into a fresh home, then `kg neo4j serve` on it (its
    first start creates the constraints); `serve` without --no-serve is that same start."""
    import secrets

    home = ROOT / ".work" / "neo4j-tests" / f"bulk-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True)
    server = Neo4jServer(f"bolt://127.0.0.1:{free_port()}", f"kg-bulk-{secrets.token_hex(4)}",
                         home=home)
    loaded = run_kg("load", "--bulk", bulk_graph, "--home", home, "--no-serve",
                    env=server.env)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    server.bulk_output = loaded.stdout
    assert (home / "import" / "finish.json").exists()
    assert not csv_files_left(home)
    server.serve()
    assert not (home / "import" / "finish.json").exists()
    yield server
    server.remove()


def csv_files_left(home: Path) -> list[str]:
    """CSV files left behind (none unless --keep-files)."""
    return sorted(path.name for path in (home / "import").glob("*.csv"))


def test_bulk_import_answers_like_the_cypher_loader(bulk_server, bulk_graph, empty_neo4j):
    assert "imported into database 'neo4j'" in bulk_server.bulk_output
    assert f"serve it: kg neo4j serve --home {bulk_server.home}" in bulk_server.bulk_output
    assert f"import report: {bulk_server.home / 'import' / 'import.report'}" \
        in bulk_server.bulk_output
    cypher = kg_load(empty_neo4j, bulk_graph)
    assert cypher.returncode == 0, cypher.stderr
    assert stored_labels(bulk_server) == stored_labels(empty_neo4j)
    assert stored_types(bulk_server) == stored_types(empty_neo4j)
    bulk_nodes, bulk_relationships = snapshot(bulk_server)
    cypher_nodes, cypher_relationships = snapshot(empty_neo4j)
    assert bulk_nodes == cypher_nodes
    assert bulk_relationships == cypher_relationships
    constraints = "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type " \
                  "RETURN name, labelsOrTypes, properties, type ORDER BY name"
    assert query(bulk_server, constraints) == query(empty_neo4j, constraints)
    # the strained values, checked directly too
    assert query(bulk_server, "MATCH (n:Document) WHERE n.summary = '' RETURN count(n) AS c"
                 ) == [{"c": 1}]
    assert query(bulk_server, "MATCH (n:Person) WHERE n.positions = [] RETURN count(n) AS c"
                 ) == [{"c": 1}]


def test_a_builds_own_import_files_load_like_the_cypher_loader(neo4j_server, empty_neo4j, tmp_path, nlp):
    """A real build (shards of 2 documents) writes its import files as it goes; --bulk
    imports those, untouched, and the database equals what `kg load` stores."""
    import secrets

    outdir = tmp_path / "out"
    build(write_mixed(tmp_path / "in"), outdir, shard_documents=2, progress=False)
    home = ROOT / ".work" / "neo4j-tests" / f"bulk-build-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True)
    server = Neo4jServer(f"bolt://127.0.0.1:{free_port()}", f"kg-bulk-{secrets.token_hex(4)}", home=home)
    try:
        # given as a relative path: the import tool runs in the home, the files stay where they are
        loaded = run_kg("load", "--bulk", os.path.relpath(outdir, ROOT), "--home", home, "--no-serve",
                        env=server.env)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert f"import files: {outdir / 'neo4j-import'} (written by kg build)" in loaded.stdout
        assert "write files" not in loaded.stdout  # no pass over the graph
        assert (outdir / "neo4j-import" / "manifest.json").exists()  # the build's files stay
        server.serve()
        cypher = kg_load(empty_neo4j, outdir)
        assert cypher.returncode == 0, cypher.stderr
        assert snapshot(server) == snapshot(empty_neo4j)
        assert query(server, "MATCH (n) RETURN count(n) AS c")[0]["c"] > 0
    finally:
        server.remove()


def test_ids_whose_hashes_meet_are_imported_as_text(bulk_graph, neo4j_server, empty_neo4j, monkeypatch):
    """Two ids with one 56-bit hash make the tool refuse a duplicate id; the import is
    then done again with the ids themselves, and equals what `kg load` stores. (Every id
    is given one hash here, so that the rare case happens.)"""
    import secrets

    from kg.neo4j.bulk import bulk_load

    monkeypatch.setattr(neo4j_import, "import_id", lambda node_id: "7")
    home = ROOT / ".work" / "neo4j-tests" / f"bulk-collide-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True)
    server = Neo4jServer(f"bolt://127.0.0.1:{free_port()}", f"kg-bulk-{secrets.token_hex(4)}", home=home)
    try:
        result = bulk_load(bulk_graph, home, serve=False)
        assert result.files.id_type == "string"
        assert "is defined more than once" not in (home / "import" / "import.log").read_text(encoding="utf-8")
        server.serve()
        cypher = kg_load(empty_neo4j, bulk_graph)
        assert cypher.returncode == 0, cypher.stderr
        assert snapshot(server) == snapshot(empty_neo4j)
    finally:
        server.remove()


def test_the_cypher_loader_adds_nothing_to_a_bulk_import(bulk_server, bulk_graph):
    """Same node ids and relationship keys: a later `kg load` merges, never duplicates."""
    before = snapshot(bulk_server)
    again = kg_load(bulk_server, bulk_graph)
    assert again.returncode == 0, again.stderr
    assert "new: 0 nodes, 0 relationships" in again.stdout
    assert snapshot(bulk_server) == before


def test_a_home_in_use_or_holding_a_database_is_refused(bulk_server, bulk_graph, tmp_path):
    running = run_kg("load", "--bulk", bulk_graph, "--home", bulk_server.home,
                     env=bulk_server.env)
    assert running.returncode == 1 and "Traceback" not in running.stderr
    assert running.stderr.strip().splitlines() == [
        f"kg load: error: a Neo4j server (pid {(bulk_server.home / 'run' / 'kg-neo4j.pid').read_text().strip()}) "
        f"runs on {bulk_server.home}; stop it first: kg neo4j stop --home {bulk_server.home}"]
    home = tmp_path / "home"
    store = home / "data" / "databases" / "neo4j"
    store.mkdir(parents=True)
    (store / "neostore").write_text("someone's data", encoding="utf-8")
    held = run_kg("load", "--bulk", bulk_graph, "--home", home, env=bulk_server.env)
    assert held.returncode == 1 and "Traceback" not in held.stderr
    assert "already holds a database; --bulk never overwrites one" in held.stderr
    assert (store / "neostore").read_text(encoding="utf-8") == "someone's data"


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "invalid JSON"),
    ('{"edges": []}', "no 'nodes' list"),
])
def test_an_outdir_that_is_not_a_kg_build_gives_one_line(tmp_path, content, message):
    outdir = tmp_path / "out"
    outdir.mkdir()
    if content is not None:
        (outdir / "graph.json").write_text(content, encoding="utf-8")
    result = run_kg("load", "--bulk", outdir, "--home", tmp_path / "home", "--no-serve")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg load: error: ")
    assert str(outdir) in lines[0] and message in lines[0]
    assert not (tmp_path / "home" / "data").exists()


def test_missing_java_and_a_failed_import_are_named(bulk_graph, tmp_path, neo4j_server):
    """neo4j_server first: the server jars are built, so only java can be missing."""
    import sys

    env = {**neo4j_server.env, "PATH": str(Path(sys.executable).parent)}
    env.pop("JAVA_HOME", None)
    no_java = run_kg("load", "--bulk", bulk_graph, "--home", tmp_path / "a", "--no-serve",
                     env=env)
    assert no_java.returncode == 1 and "Traceback" not in no_java.stderr
    assert "java is not on PATH" in no_java.stderr
    failed = run_kg("load", "--bulk", bulk_graph, "--home", tmp_path / "b", "--no-serve",
                    "--import-memory", "plenty", env=neo4j_server.env)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "kg load: error: the import tool failed" in failed.stderr
    assert str(tmp_path / "b" / "import" / "import.report") in failed.stderr


def test_replace_deletes_nothing_when_the_graph_is_refused(tmp_path):
    """--replace deletes the old database only once the new import files are written."""
    home = tmp_path / "home"
    store = home / "data" / "databases" / "neo4j"
    store.mkdir(parents=True)
    (store / "neostore").write_text("yesterday's import", encoding="utf-8")
    graph = {"nodes": [{"id": "ent:a", "kind": "Entity", "label": "ORG", "name": "甲",
                        "aliases": [f"乙{ARRAY_DELIMITER}丙"]}], "edges": []}
    outdir = write_outdir(graph, tmp_path / "out")
    result = run_kg("load", "--bulk", outdir, "--home", home, "--replace", "--no-serve")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"kg load: error: {outdir}: node 'ent:a': array item '乙\\x1f丙' holds U+001F, "
        f"the array delimiter"]
    assert (store / "neostore").read_text(encoding="utf-8") == "yesterday's import"


def test_a_home_that_cannot_be_written_gives_one_line(bulk_graph, tmp_path):
    home = tmp_path / "a-file"
    home.write_text("not a folder", encoding="utf-8")
    result = run_kg("load", "--bulk", bulk_graph, "--home", home, "--no-serve")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"kg load: error: {home / 'import'}: cannot write the import files (Not a directory)"]

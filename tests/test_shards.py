"""Per-document shards and the entity reduce of `kg build` (local engine, real pipeline)."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from kg.build import build
from kg.linking import Linker, merge_entities
from kg.neo4j.loader import read_build
from kg.shards import import_files_from_shards
from kg.readwrite.neo4j_import import ARRAY_DELIMITER, read_import_files, write_import_files
from news_corpus import PAGES, write_mixed


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, nlp):
    """(inputs, outdir, report) of one local build of the mixed input, shards of 2 documents."""
    base = tmp_path_factory.mktemp("shards")
    inputs = write_mixed(base / "in")
    report = build(inputs, base / "out", shard_documents=2, progress=False)
    return inputs, base / "out", report


def test_shards_hold_every_document_and_the_entities_in_use(mixed):
    _, outdir, report = mixed
    shards = outdir / "shards"
    documents = pq.read_table(sorted(shards.glob("documents-*.parquet"))).to_pylist()
    assert len(documents) == report["documents"] == 4
    assert report["shards"]["shards"] == 2 and len(list(shards.glob("events-*.parquet"))) == 2
    graph = json.loads((outdir / "graph.json").read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in graph["nodes"]}
    entities = pq.read_table(shards / "entities.parquet").to_pylist()
    assert {e["id"] for e in entities} == {i for i, n in nodes.items() if n["kind"] == "Entity"}
    for entity in entities:
        assert nodes[entity["id"]]["name"] == entity["name"]
        assert nodes[entity["id"]]["mentions"] == entity["mentions"]
    mentions = pq.read_table(sorted(shards.glob("mentions-*.parquet"))).to_pylist()
    assert sum(1 for e in graph["edges"] if e["type"] == "MENTIONS") == len(mentions)
    events = pq.read_table(sorted(shards.glob("events-*.parquet"))).to_pylist()
    assert {e["id"] for e in events} == {i for i, n in nodes.items() if n["kind"] == "Event"}


def test_shard_size_does_not_change_the_graph(mixed, tmp_path):
    inputs, outdir, _ = mixed
    build(inputs, tmp_path / "one", shard_documents=1000, progress=False)
    assert (tmp_path / "one" / "graph.json").read_bytes() == (outdir / "graph.json").read_bytes()


def test_graph_files_only_up_to_max_graph_elements(mixed, tmp_path):
    inputs, outdir, full = mixed
    elements = full["graph"]["elements"]
    report = build(inputs, tmp_path / "big", max_graph_elements=elements - 1, progress=False)
    assert sorted(p.name for p in (tmp_path / "big").iterdir()) == ["neo4j-import", "report.json", "shards"]
    assert report["graph"]["written"] is False and "max-graph-elements" in report["graph"]["reason"]
    assert report["graph"]["elements_at_most"] >= elements
    assert report["counts"]["entities"] == full["counts"]["entities"]
    assert report["counts"]["events"] == full["counts"]["events"]
    report = build(inputs, tmp_path / "big", max_graph_elements=elements, progress=False)  # replaces it
    assert report["graph"]["written"] is True and (tmp_path / "big" / "graph.json").exists()


def test_a_build_with_shards_only_loads_as_the_same_graph(mixed, tmp_path):
    # Above --max-graph-elements only the shards are written; kg load and kg load --bulk
    # read the graph from them, the same graph graph.json holds for a smaller limit.
    inputs, outdir, full = mixed
    build(inputs, tmp_path / "big", max_graph_elements=full["graph"]["elements"] - 1, progress=False)
    from_shards = read_build(tmp_path / "big")
    from_file = read_build(outdir)
    assert from_shards == from_file
    assert len(from_file["nodes"]) == sum(full["counts"][k] for k in ("entities", "events", "documents"))


def import_content(files) -> tuple[dict, dict, list]:
    """What a set of neo4j-admin import files says, whatever their split into files and
    headers: {(id space, id): (labels, props)}, {(type, start, end, key): props}, fixups."""
    def typed(value: str, kind: str):
        if kind.endswith("[]"):
            return [typed(item, kind[:-2]) for item in value.split(ARRAY_DELIMITER)]
        return {"long": int, "double": float, "boolean": lambda v: v == "true"}.get(kind, str)(value)

    nodes, relationships = {}, {}
    for path in [*files.nodes, *files.relationships]:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            for row in reader:
                ends, props, what = {}, {}, None
                for column, value in zip(header, row):
                    name, _, kind = column.partition(":")
                    if kind.startswith(("ID(", "START_ID(", "END_ID(")):
                        ends[kind.split("(")[0]] = (kind.split("(")[1][:-1], value)
                        if name:
                            props[name] = value
                    elif kind in ("LABEL", "TYPE"):
                        what = value
                    elif value != "":
                        props[name] = typed(value, kind or "string")
                if "ID" in ends:
                    assert ends["ID"] not in nodes, f"node {ends['ID']} twice"
                    nodes[ends["ID"]] = (what, props)
                else:
                    identity = (what, ends["START_ID"], ends["END_ID"], props.pop("key"))
                    assert identity not in relationships, f"relationship {identity} twice"
                    relationships[identity] = props
    fixups = sorted(json.dumps(fix, sort_keys=True, ensure_ascii=False) for fix in files.fixups)
    return nodes, relationships, fixups


def test_a_build_writes_the_import_files_its_graph_gives(mixed, tmp_path):
    # Written shard by shard during the build: the same nodes, relationships and values as
    # the import files made from the whole graph afterwards (what kg load --bulk did).
    _, outdir, report = mixed
    built = read_import_files(outdir / "neo4j-import")
    assert built is not None and report["shards"]["shards"] == 2 and report["neo4j_import"]["written"]
    assert len({path.name.split(".")[1] for path in built.nodes}) == 3  # two shards + the entities
    from_graph = write_import_files(read_build(outdir), tmp_path / "from-graph")
    assert import_content(built) == import_content(from_graph)
    assert (built.node_count, built.relationship_count) == (from_graph.node_count, from_graph.relationship_count)
    assert built.node_count + built.relationship_count == report["graph"]["elements"]
    # a build made before kg wrote them: the same files, streamed from its shards
    replayed = import_files_from_shards(outdir / "shards", tmp_path / "from-shards")
    assert import_content(replayed) == import_content(built)


def test_a_repeated_document_id_leaves_no_import_files(tmp_path, nlp):
    # The same page under the same name in two folders gives the same document id: the
    # graph has one node, per-shard files would have two, so none are kept.
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_text(PAGES["a_meeting.txt"], encoding="utf-8")
    report = build([str(tmp_path / "a"), str(tmp_path / "b")], tmp_path / "out", shard_documents=1, progress=False)
    assert report["neo4j_import"]["written"] is False
    assert read_import_files(tmp_path / "out" / "neo4j-import") is None
    assert import_files_from_shards(tmp_path / "out" / "shards", tmp_path / "replayed") is None
    assert (tmp_path / "out" / "graph.json").exists()


def test_merged_document_tables_equal_one_linker(gazetteer):
    """Linking documents apart and merging in order gives one linker's table: counts, aliases
    (with the gazetteer's zero-count forms), first names, positions, a renamed township."""
    township = next(d for d in gazetteer.divisions if d.level == "town" and d.name.endswith("乡"))
    renamed = township.name[:-1] + "镇"
    documents = [
        [("PLACE", township.name, township.key), ("PROGRAM", "“暖企护航”专项行动", None), ("PERSON", "周明远", None)],
        [("PLACE", renamed, township.key), ("PROGRAM", "暖企护航", None), ("PERSON", "周明远", None)],
        [("PLACE", township.name, township.key), ("PROGRAM", "暖企护航", None), ("ORG", "青禾日报社", None)],
    ]
    titles = ["市长", "副市长", "市长"]

    def link(linker, mentions, title):
        for label, surface, key in mentions:
            entity = linker.link(label, surface, division_key=key)
            if label == "PERSON" and title not in entity.positions:
                entity.positions.append(title)

    one = Linker(gazetteer)
    for mentions, title in zip(documents, titles):
        link(one, mentions, title)
    one.finish()
    merged: dict = {}
    for mentions, title in zip(documents, titles):
        own = Linker(gazetteer)
        link(own, mentions, title)
        merge_entities(merged, own.entities.values())
    from kg.linking import finish_names

    finish_names(merged)
    assert list(merged) == list(one.entities)
    for entity_id, entity in one.entities.items():
        assert merged[entity_id] == entity, entity_id
        assert list(merged[entity_id].aliases.items()) == list(entity.aliases.items())
    assert one.place_for_division(township).name == renamed

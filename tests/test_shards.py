"""Per-document shards and the entity reduce of `kg build` (local engine, real pipeline)."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from kg.build import build
from kg.linking import Linker, merge_entities
from kg.neo4j.loader import read_build
from news_corpus import write_mixed


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
    assert sorted(p.name for p in (tmp_path / "big").iterdir()) == ["report.json", "shards"]
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

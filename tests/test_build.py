"""End to end: `kg build` on the sample page, scored with the gold file; bad input; atomic output."""

import json

import networkx as nx
import pytest

from gold import load_gold, rate, score
from kg.build import build
from kg.readwrite.json_graph import read_json

OUTPUT_FILES = {"graph.json", "graph.graphml", "graph.gexf", "entities.csv", "events.csv", "report.json"}


@pytest.fixture(scope="module")
def gold_result(seed_build):
    graph, _, _ = seed_build
    return score(graph, load_gold())


def test_outputs_and_report(seed_build):
    graph, report, outdir = seed_build
    assert {p.name for p in outdir.iterdir()} == OUTPUT_FILES
    assert 6 <= report["documents"] <= 9 and report["skipped"] == []
    assert report["counts"]["entities"] == sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "Entity")
    assert set(report["seconds"]) >= {"ingest", "nlp", "graph", "write"}
    assert nx.read_graphml(outdir / "graph.graphml").number_of_nodes() == graph.number_of_nodes()


def test_gold_entities(gold_result):
    assert rate(gold_result["entities"]) >= 0.90


def test_gold_roles(gold_result):
    assert rate(gold_result["roles"]) >= 0.80


def test_gold_events(gold_result):
    assert rate(gold_result["events"]) >= 0.70


def test_gold_place_hierarchy_complete(gold_result):
    missing = [item for item, ok in gold_result["hierarchy"] if not ok and item.get("must", True)]
    assert not missing


def test_gold_forbidden_absent(gold_result):
    present = [item for item, ok in gold_result["forbidden"] if not ok]
    assert not present


def test_schema_and_traceability(seed_build):
    graph, _, _ = seed_build
    docs = {n for n, d in graph.nodes(data=True) if d["kind"] == "Document"}
    for node, data in graph.nodes(data=True):
        assert data.get("id", node) == node and data["kind"] in ("Document", "Entity", "Event")
        if data["kind"] == "Entity":
            assert data["label"] in ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM")
            assert data["name"] and isinstance(data["aliases"], list)
        if data["kind"] == "Event":
            assert data["doc"] in docs and data["sentence"] and data["trigger"] in data["sentence"]
            assert any(d["type"] == "REPORTED_IN" and v == data["doc"] for _, v, d in graph.out_edges(node, data=True))
    for u, v, data in graph.edges(data=True):
        if data["type"] in ("MENTIONS", "HOLDS_POSITION"):
            assert data["doc"] in docs and data["sentence"]
        if data["type"] == "PART_OF":
            assert graph.nodes[u]["label"] == graph.nodes[v]["label"] == "PLACE"


def test_same_input_same_graph(seed_build, tmp_path):
    graph, _, outdir = seed_build
    build(["seeds"], tmp_path / "again")
    again = read_json(tmp_path / "again" / "graph.json")
    assert sorted(again.nodes) == sorted(graph.nodes)
    assert sorted(again.edges(keys=True)) == sorted(graph.edges(keys=True))


def test_one_bad_file_never_stops_the_batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("本报讯（记者张建国）8月5日，苏州市人民政府召开新闻发布会。\n", encoding="gb18030")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    report = build([str(folder)], tmp_path / "out")
    assert report["documents"] == 1
    skipped = {item["source"].rsplit("/", 1)[-1]: item["reason"] for item in report["skipped"]}
    assert set(skipped) == {"binary.txt", "empty.txt"} and all(skipped.values())
    saved = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(saved["skipped"]) == 2


def test_failed_build_leaves_previous_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(["tests/data/news"], out)
    before = (out / "graph.json").read_bytes()

    def broken_writer(graph, outdir):
        (outdir / "graph.json").write_text("partial")
        raise OSError("disk full")

    monkeypatch.setattr("kg.readwrite.write_all", broken_writer)
    with pytest.raises(OSError):
        build(["tests/data/news"], out)
    assert (out / "graph.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_unseen_cities_and_traditional_script(tmp_path):
    build(["tests/data/news"], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    names = {(d["label"], d["name"]) for _, d in graph.nodes(data=True) if d["kind"] == "Entity"}
    assert ("AGENCY", "广州市生态环境局") in names          # traditional input, simplified output
    assert ("AGENCY", "苏州市发展和改革委员会") in names    # 市发改委 in a Suzhou article
    assert ("PLACE", "昆山市") in names and ("PERSON", "黄志明") in names
    parts = {(graph.nodes[u]["name"], graph.nodes[v]["name"]) for u, v, d in graph.edges(data=True) if d["type"] == "PART_OF"}
    assert ("昆山市", "苏州市") in parts and ("越秀区", "广州市") in parts


def test_date_option_dates_documents_and_events(tmp_path):
    (tmp_path / "a.txt").write_text("本报讯 近日，昆山市被命名为“江苏省数字政府建设示范区”。7月30日，苏州市召开推进会。",
                                    encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out", date="2021-08-02")
    graph = read_json(tmp_path / "out" / "graph.json")
    docs = [d for _, d in graph.nodes(data=True) if d["kind"] == "Document"]
    assert [d["date"] for d in docs] == ["2021-08-02"]
    dates = {d["trigger"]: d["date"] for _, d in graph.nodes(data=True) if d["kind"] == "Event"}
    assert dates["被命名为"] == "2021-08-02" and dates["召开"] == "2021-07-30"


def test_document_without_printed_date_gets_the_pages_year(tmp_path):
    """Gephi's timeline needs every document dated: an undated page takes the year its
    month-day dates take (a partial date, like an event's), not no date at all."""
    (tmp_path / "a.txt").write_text("本报讯 2023年，某县新建公园12个。5月8日，某县召开绿化工作推进会。",
                                    encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    docs = [d for _, d in graph.nodes(data=True) if d["kind"] == "Document"]
    assert [d["date"] for d in docs] == ["2023"]
    dates = {d["trigger"]: d["date"] for _, d in graph.nodes(data=True) if d["kind"] == "Event"}
    assert dates.get("召开") == "2023-05-08"


def test_bad_date_option_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="date"):
        build(["seeds"], tmp_path / "out", date="29/07/2021")
    assert not (tmp_path / "out").exists()


def test_output_folder_has_ordinary_permissions(seed_build):
    import os
    import stat

    _, _, outdir = seed_build
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(outdir.stat().st_mode) == 0o777 & ~umask

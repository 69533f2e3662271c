"""End to end: `kg build` on the sample page, scored with the gold file; bad input; atomic output."""

import json
import os

import networkx as nx
import pytest

from gold import load_gold, rate, score
from kg.build import build
from kg.readwrite.json_graph import read_json

OUTPUT_FILES = {"graph.json", "graph.graphml", "graph.gexf", "entities.csv", "events.csv", "report.json", "shards",
                "neo4j-import"}


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


# ---------------------------------------------------------------- the output folder (kg/outdir.py)
NEWS = "本报讯（记者周明远）5月6日，青禾县人民政府召开防汛工作会议，部署全县汛期安全工作。\n"


def tree(folder):
    """Every path under `folder` (hidden ones too) with its bytes: to show nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in sorted(folder.rglob("*"))}


@pytest.fixture
def no_nlp(monkeypatch):
    """The pipeline must not even load: OUTDIR problems are found before any NLP."""
    def load_pipeline(*_):
        raise AssertionError("the NLP ran before the output folder was checked")

    monkeypatch.setattr("kg.nlp.pipeline.load_pipeline", load_pipeline)


def fake_kg_output(folder, signed=True):
    from kg.outdir import FORMAT

    folder.mkdir(parents=True)
    (folder / "graph.json").write_text('{"nodes": [1]}', encoding="utf-8")
    (folder / "report.json").write_text(json.dumps({"format": FORMAT} if signed else {"documents": 1}), encoding="utf-8")


@pytest.mark.parametrize("inputs, outdir, cwd", [
    (["news"], "news", "."),  # the input folder itself
    (["news"], ".", "."),  # the folder holding the input
    (["../news/a.txt"], ".", "desk"),  # the current folder, holding the user's files
    (["news"], "README", "."),  # an existing file
    (["news"], "out", "."),  # a kg output the user added a file to
    (["news"], "old", "."),  # kg's files, but no kg signature in report.json
])
def test_output_folder_that_is_not_kg_output_is_refused_before_the_nlp(tmp_path, monkeypatch, no_nlp, inputs, outdir, cwd):
    from kg.outdir import OutputError

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "news" / "notes.md").write_text("my notes", encoding="utf-8")
    (tmp_path / "README").write_text("keep me", encoding="utf-8")
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "todo.txt").write_text("keep me too", encoding="utf-8")
    fake_kg_output(tmp_path / "out")
    (tmp_path / "out" / "mine.txt").write_text("not kg's", encoding="utf-8")
    fake_kg_output(tmp_path / "old", signed=False)
    monkeypatch.chdir(tmp_path / cwd)
    before = tree(tmp_path)
    with pytest.raises(OutputError) as refused:
        build(inputs, outdir)
    assert str(refused.value).startswith(f"{outdir}: ") and "\n" not in str(refused.value)
    assert tree(tmp_path) == before


@pytest.mark.parametrize("outdir", ["/sys/kg-test-out", "README/out", "a" * 300, ""])
def test_unwritable_or_invalid_output_folder_is_refused_before_the_nlp(tmp_path, monkeypatch, no_nlp, outdir):
    from kg.outdir import OutputError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "README").write_text("keep me", encoding="utf-8")
    before = tree(tmp_path)
    with pytest.raises(OutputError, match="cannot write|empty"):
        build(["a.txt"], outdir)
    assert tree(tmp_path) == before


def test_build_with_no_document_leaves_the_output_and_its_neighbours_untouched(tmp_path, monkeypatch, no_nlp):
    monkeypatch.chdir(tmp_path)
    fake_kg_output(tmp_path / "prev")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.txt").write_bytes(b"\x00\xff" * 50)
    (tmp_path / "nothing").mkdir()
    before = tree(tmp_path)
    for inputs in (["does/not/exist.txt"], ["empty.txt"], ["nothing"], ["empty.txt", "bad.txt", "nothing"]):
        report = build(inputs, "prev")
        assert report["documents"] == 0 and len(report["skipped"]) == len(inputs)
        assert tree(tmp_path) == before
    assert build(["empty.txt"], "new/sub/out")["documents"] == 0 and not (tmp_path / "new").exists()


def test_leftovers_of_a_killed_build_are_cleared_and_a_lost_output_restored(tmp_path, no_nlp):
    fake_kg_output(tmp_path / "out")
    (tmp_path / ".out.building-x1y2").mkdir()
    (tmp_path / ".out.building-x1y2" / "graph.json").write_text("half", encoding="utf-8")
    fake_kg_output(tmp_path / ".out.old-4242")
    (tmp_path / "empty.txt").write_bytes(b"")
    build([str(tmp_path / "empty.txt")], tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "out"]
    # killed between its two renames: the previous output is the backup, OUTDIR is missing
    (tmp_path / "out").rename(tmp_path / ".out.old-4243")
    build([str(tmp_path / "empty.txt")], tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.txt", "out"]
    assert (tmp_path / "out" / "graph.json").read_text(encoding="utf-8") == '{"nodes": [1]}'


def test_a_second_build_into_a_locked_output_folder_is_refused(tmp_path, no_nlp):
    from kg.outdir import OutputError, OutputFolder

    (tmp_path / "a.txt").write_text(NEWS, encoding="utf-8")
    with OutputFolder(tmp_path / "out", []):
        with pytest.raises(OutputError, match=rf"is being written by another kg build \(pid {os.getpid()}\)"):
            build([str(tmp_path / "a.txt")], tmp_path / "out")
    assert list(tmp_path.iterdir()) == [tmp_path / "a.txt"]  # the lock file goes with its build


def test_the_same_input_given_four_ways_counts_once_and_a_kg_output_is_replaced(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "a.txt").write_text(NEWS * 2, encoding="utf-8")
    (tmp_path / "out").mkdir()  # an empty folder may be written into
    once = build(["base"], "out")
    graph_once = read_json(tmp_path / "out" / "graph.json")
    again = build(["base", "./base", "base/", str(tmp_path / "base")], "out")  # replaces the kg output
    graph_again = read_json(tmp_path / "out" / "graph.json")
    assert again["files_read"] == once["files_read"] == 1 and again["documents"] == once["documents"]
    assert dict(graph_again.nodes(data=True)) == dict(graph_once.nodes(data=True))
    assert max(d["mentions"] for _, d in graph_again.nodes(data=True) if d["kind"] == "Entity") >= 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "out"]

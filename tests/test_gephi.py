"""graph.gexf and graph.graphml opened with the real Gephi Toolkit 0.10.1 (the library
inside Gephi 0.10, from Maven Central), the way Gephi's File > Open does it with the
default import settings. `gephi/` is built by Maven on first use, like `neo4j/`, and
kg.gephi.GephiTool reports what arrived as JSON (see its javadoc)."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from fixture_graph import build_fixture_graph
from kg.readwrite import write_all
from kg.readwrite.common import CATEGORY_COLORS, category, gephi_sizes, normalise_date
from kg.readwrite.graphml import sanitised_copy

GEPHI_PROJECT = Path(__file__).resolve().parents[1] / "gephi"
CJK_FONT = "Noto Sans CJK SC"  # Debian fonts-noto-cjk (make sysdeps)


@pytest.fixture(scope="session")
def gephi_classpath():
    from kg.neo4j.server import ServerError, _java_executable, build_classpath

    try:
        return _java_executable(), build_classpath(GEPHI_PROJECT, quiet=True)
    except ServerError as exc:
        pytest.fail(f"could not build the Gephi Toolkit program: {exc}", pytrace=False)


def run_gephi(gephi_classpath, *args, check=True):
    java, classpath = gephi_classpath
    result = subprocess.run([java, "-Djava.awt.headless=true", "-cp", classpath,
                             "kg.gephi.GephiTool", *map(str, args)],
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def inspect(gephi_classpath, *files) -> list[dict]:
    result = run_gephi(gephi_classpath, "inspect", *files)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.fixture(scope="module")
def seed_in_gephi(seed_build, gephi_classpath):
    """(graph.json's graph, Gephi's view of graph.gexf, of graph.graphml) for the sample page."""
    graph, _, outdir = seed_build
    gexf, graphml = inspect(gephi_classpath, outdir / "graph.gexf", outdir / "graph.graphml")
    return graph, gexf, graphml


def by_id(imported):
    return {node["id"]: node for node in imported["node_list"]}


def test_every_node_and_edge_arrives_with_default_import_settings(seed_in_gephi):
    graph, gexf, graphml = seed_in_gephi
    relations = Counter(d["type"] for *_, d in graph.edges(data=True))
    for imported in (gexf, graphml):
        assert imported["nodes"] == graph.number_of_nodes(), imported["file"]
        assert imported["edges"] == graph.number_of_edges(), imported["file"]
        # no edge merged into another: every relation keeps its count
        assert Counter(e["label"] for e in imported["edge_list"]) == relations, imported["file"]
        assert set(imported["edge_types"]) == set(relations), imported["file"]
        assert by_id(imported).keys() == set(graph.nodes)


def test_no_import_issue_above_info(seed_in_gephi):
    _, gexf, graphml = seed_in_gephi
    for imported in (gexf, graphml):
        assert [i for i in imported["issues"] if i["level"] != "INFO"] == [], imported["file"]
    assert {"level": "INFO", "message": "GEXF version 1.3"} in gexf["issues"]  # not "deprecated"
    assert not any("Parallel edges" in i["message"] for i in gexf["issues"] + graphml["issues"])


def test_colours_and_sizes_arrive_in_both_formats(seed_in_gephi):
    graph, gexf, graphml = seed_in_gephi
    sizes = gephi_sizes(graph)
    for imported in (gexf, graphml):
        nodes = by_id(imported)
        for node, data in graph.nodes(data=True):
            colour = "#{r:02x}{g:02x}{b:02x}".format(**nodes[node])
            assert colour == CATEGORY_COLORS[category(data)], (imported["file"], node)
            # the importer keeps the sizes the file gives (it would stretch any other range)
            assert nodes[node]["size"] == pytest.approx(sizes[node], abs=0.01), (imported["file"], node)
        assert len({n["size"] for n in nodes.values()}) > 3
        assert {(n["r"], n["g"], n["b"]) for n in nodes.values()} == {
            tuple(int(CATEGORY_COLORS[c][i:i + 2], 16) for i in (1, 3, 5))
            for c in {category(d) for _, d in graph.nodes(data=True)}}


def test_gexf_is_dynamic_and_every_dated_node_has_its_date(seed_in_gephi):
    graph, gexf, _ = seed_in_gephi
    assert gexf["dynamic"] is True and gexf["time_format"] == "DATE"
    nodes = by_id(gexf)
    documents = [n for n, d in graph.nodes(data=True) if d["kind"] == "Document"]
    assert all(graph.nodes[n].get("date") for n in documents)  # the page's year when unprinted
    for node, data in graph.nodes(data=True):
        if data.get("date"):  # every dated Document and Event: its own date, partial ones padded
            assert nodes[node]["start"] == normalise_date(data["date"]), node
        elif data["kind"] == "Event":  # an undated event sits at its document's date
            assert nodes[node]["start"] == normalise_date(graph.nodes[data["doc"]]["date"]), node
    assert all(n["start"] for n in nodes.values())  # the whole sample page moves on the timeline
    for edge in gexf["edge_list"]:  # never before its two ends
        assert edge["start"] >= max(nodes[edge["source"]]["start"], nodes[edge["target"]]["start"])


def test_gexf_1_3_carries_every_attribute(seed_in_gephi):
    """GEXF 1.3 loses nothing in Gephi 0.10: each attribute of the written copy is a column
    with the same value (documents' text is left out on purpose)."""
    graph, gexf, _ = seed_in_gephi
    written = sanitised_copy(graph)
    nodes = by_id(gexf)
    for node, data in written.nodes(data=True):
        expected = {k: str(v) for k, v in data.items()
                    if k not in ("label", "text") and v != ""}  # Gephi reads "" as no value
        arrived = {k: v for k, v in nodes[node]["attributes"].items() if v is not None}
        assert arrived == expected, node
        assert nodes[node]["label"] == data["label"]


def test_parallel_edges_of_one_relation_stay_apart_in_gexf(gephi_classpath, tmp_path):
    """Two positions of one person at one agency: GEXF gives the second edge its own kind
    (HOLDS_POSITION#2) so Gephi keeps both; GraphML, whose edge label is also APOC's
    relationship type, keeps the plain relation and Gephi merges the pair (documented)."""
    graph = build_fixture_graph()
    parallel = [k for u, v, k, d in graph.edges(keys=True, data=True)
                if (u, v, d["type"]) == ("ent:person:zhang", "ent:agency:gov", "HOLDS_POSITION")]
    assert len(parallel) == 2
    written = write_all(graph, tmp_path)
    gexf, graphml = inspect(gephi_classpath, written["graph.gexf"], written["graph.graphml"])
    assert gexf["edges"] == graph.number_of_edges()
    assert "HOLDS_POSITION#2" in gexf["edge_types"]
    positions = sorted(e["attributes"]["position"] for e in gexf["edge_list"]
                       if e["attributes"]["relation"] == "HOLDS_POSITION")
    assert positions == ["党组书记", "市长"]
    assert graphml["edges"] == graph.number_of_edges() - 1
    assert any("Parallel edges" in i["message"] for i in graphml["issues"])


def test_picture_draws_chinese_labels_headless(gephi_classpath, tmp_path):
    from PIL import Image

    written = write_all(build_fixture_graph(), tmp_path)
    png = tmp_path / "gephi.png"
    result = run_gephi(gephi_classpath, "picture", written["graph.gexf"], png, CJK_FONT)
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["font"] == CJK_FONT and report["undrawable_labels"] == 0
    image = Image.open(png).convert("RGB")
    assert image.size == (report["width"], report["width"])
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 24)}
    for label in ("PERSON", "PLACE", "AGENCY", "Document"):  # the nodes are drawn in their colours
        assert tuple(int(CATEGORY_COLORS[label][i:i + 2], 16) for i in (1, 3, 5)) in colours, label

    missing = run_gephi(gephi_classpath, "picture", written["graph.gexf"], tmp_path / "x.png",
                        "No Such Font 123", check=False)
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines()[-1] == (
        "GephiTool: error: font 'No Such Font 123' is not installed (Java found 'Dialog')")

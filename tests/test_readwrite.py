"""The graph writers (kg/readwrite): every file `kg build` promises, read back
with the readers other tools use (networkx GraphML/GEXF readers, csv)."""

from __future__ import annotations

import csv
import json
import os
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from fixture_graph import TRICKY_NAME, build_fixture_graph
from kg.readwrite import (
    read_graph,
    read_json,
    write_all,
    write_entities_csv,
    write_events_csv,
    write_gexf,
    write_graphml,
    write_json,
)
from kg.readwrite.common import CATEGORY_COLORS, category, gephi_sizes

GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture
def graph():
    return build_fixture_graph()


def entity_ids(G, label=None):
    return [n for n, d in G.nodes(data=True)
            if d["kind"] == "Entity" and (label is None or d["label"] == label)]


# --- write_all -----------------------------------------------------------

def test_write_all_writes_every_contract_file(graph, tmp_path):
    outdir = tmp_path / "out"
    written = write_all(graph, outdir)
    assert set(written) == {"graph.json", "graph.graphml", "graph.gexf",
                            "entities.csv", "events.csv"}
    for name, path in written.items():
        assert os.path.dirname(path) == str(outdir)
        assert os.path.getsize(path) > 0, name
    # no temporary files left behind
    assert sorted(os.listdir(outdir)) == sorted(written)


def test_failed_write_keeps_old_file_and_leaves_no_temp(graph, tmp_path):
    path = tmp_path / "graph.json"
    write_json(graph, path)
    before = path.read_bytes()
    graph.nodes["doc:a1"]["unserialisable"] = object()
    with pytest.raises(TypeError):
        write_json(graph, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["graph.json"]


# --- graph.json ----------------------------------------------------------

def test_json_round_trip_is_lossless(graph, tmp_path):
    path = write_json(graph, tmp_path / "graph.json")
    back = read_json(path)
    assert isinstance(back, nx.MultiDiGraph)
    assert nx.utils.graphs_equal(graph, back)
    assert sorted(back.edges(keys=True)) == sorted(graph.edges(keys=True))
    text = open(path, encoding="utf-8").read()
    assert "湖州市人民政府" in text  # not \u-escaped
    data = json.loads(text)
    assert "edges" in data and "links" not in data
    assert data["directed"] is True and data["multigraph"] is True


def test_read_graph_accepts_outdir_and_names_bad_files(graph, tmp_path):
    write_all(graph, tmp_path)
    assert read_graph(tmp_path).number_of_nodes() == graph.number_of_nodes()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json"):
        read_json(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"nodes": []}', encoding="utf-8")
    with pytest.raises(ValueError, match="wrong.json"):
        read_json(wrong)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="graph.json"):
        read_graph(empty)
    with pytest.raises(FileNotFoundError, match="missing"):
        read_graph(tmp_path / "missing")


# --- graph.graphml -------------------------------------------------------

def test_graphml_reads_back_with_networkx(graph, tmp_path):
    path = write_graphml(graph, tmp_path / "graph.graphml")
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    org = back.nodes["ent:org:xinghe"]
    assert org["label"] == TRICKY_NAME  # Gephi shows `label`
    assert org["entity_type"] == "ORG"
    assert org["labels"] == ":Entity:Org"
    assert json.loads(org["aliases"]) == graph.nodes["ent:org:xinghe"]["aliases"]
    assert back.nodes["ent:person:zhang"]["mentions"] == 3
    assert back.nodes["doc:a1"]["label"] == graph.nodes["doc:a1"]["title"]
    # None values are dropped, not written as "None"
    assert "date" not in back.nodes["doc:a2"]
    assert all("None" != v for _, d in back.nodes(data=True) for v in d.values())
    relations = {d["label"] for *_, d in back.edges(data=True)}
    assert relations == {d["type"] for *_, d in graph.edges(data=True)}
    weights = [d["weight"] for u, v, d in back.edges(data=True)
               if u == "doc:a1" and v == "ent:place:hz"]
    assert weights == [3.0]


def test_graphml_has_gephi_colours_and_sizes(graph, tmp_path):
    back = nx.read_graphml(write_graphml(graph, tmp_path / "graph.graphml"))
    for node, data in graph.nodes(data=True):
        colour = "#{r:02x}{g:02x}{b:02x}".format(**back.nodes[node])
        assert colour == CATEGORY_COLORS[category(data)], node
    sizes = {node: back.nodes[node]["size"] for node in back.nodes}
    assert sizes == gephi_sizes(graph)
    assert sizes["ent:place:hz"] > sizes["doc:a1"] > sizes["ent:place:aj"] > sizes["ent:place:dp"] == 4.0


def test_graphml_has_apoc_labels_unique_edge_ids_and_one_type_per_key(graph, tmp_path):
    path = write_graphml(graph, tmp_path / "graph.graphml")
    root = ET.parse(path).getroot()
    nodes = root.iter(GRAPHML_NS + "node")
    labels = {n.get("id"): n.get("labels") for n in nodes}
    assert labels["ent:agency:gov"] == ":Entity:Agency"
    assert labels["ent:place:hz"] == ":Entity:Place"
    assert labels["doc:a1"] == ":Document"
    assert labels["evt:a1:0"] == ":Event"
    edges = list(root.iter(GRAPHML_NS + "edge"))
    ids = [e.get("id") for e in edges]
    assert len(ids) == len(set(ids)) == graph.number_of_edges()
    assert {e.get("label") for e in edges} == {"MENTIONS", "REPORTED_IN", "AGENT", "OBJECT",
                                               "LOCATION", "HOLDS_POSITION", "AUTHORED",
                                               "PART_OF"}
    keys = [(k.get("for"), k.get("attr.name")) for k in root.iter(GRAPHML_NS + "key")]
    assert len(keys) == len(set(keys)), "an attribute declared with two types"


def test_graphml_unifies_mixed_attribute_types(graph, tmp_path):
    graph.nodes["ent:place:hz"]["admin_code"] = 330500  # int here, str elsewhere
    graph.nodes["ent:person:li"]["mentions"] = 2.5  # float here, int elsewhere
    path = write_graphml(graph, tmp_path / "graph.graphml")
    back = nx.read_graphml(path)
    assert back.nodes["ent:place:hz"]["admin_code"] == "330500"
    assert back.nodes["ent:place:aj"]["admin_code"] == "330523"
    assert back.nodes["ent:person:zhang"]["mentions"] == 3.0


# --- graph.gexf ----------------------------------------------------------

def test_gexf_reads_back_with_colours_sizes_and_time(graph, tmp_path):
    path = write_gexf(graph, tmp_path / "graph.gexf")
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.graph["mode"] == "dynamic"
    root = ET.parse(path).getroot()
    assert root.get("version") == "1.3"
    assert root.find("{http://gexf.net/1.3}graph").get("timeformat") == "date"

    def hex_colour(node):
        c = back.nodes[node]["viz"]["color"]
        return "#{:02x}{:02x}{:02x}".format(c["r"], c["g"], c["b"])

    for label in ("PERSON", "PLACE", "AGENCY", "ORG", "PROGRAM"):
        for node in entity_ids(graph, label):
            assert hex_colour(node) == CATEGORY_COLORS[label]
    assert hex_colour("doc:a1") == CATEGORY_COLORS["Document"]
    size = {n: back.nodes[n]["viz"]["size"] for n in back.nodes}
    assert size["ent:place:hz"] > size["ent:place:aj"] > size["ent:place:dp"]
    # on Gephi's own 4..100 scale, which its importer keeps as written
    assert min(size.values()) == 4.0 and max(size.values()) == 100.0
    assert size["evt:a1:0"] == size["ent:place:dp"]  # an event: one occurrence, like one mention

    assert back.nodes["doc:a1"]["start"] == "2023-03-15"
    assert "start" not in back.nodes["doc:a2"]  # undated document: always visible
    assert back.nodes["evt:a2:0"]["start"] == "2023-04-01"  # partial date padded
    assert back.nodes["ent:place:hz"]["start"] == "2023-03-15"  # first mention
    assert back.nodes["ent:place:aj"]["start"] == "2023-04-01"  # via the dated event
    assert back.nodes["ent:org:xinghe"]["label"] == TRICKY_NAME
    assert "text" not in back.nodes["doc:a1"]
    relations = {d["relation"] for *_, d in back.edges(data=True)}
    assert relations == {d["type"] for *_, d in graph.edges(data=True)}
    # every edge has a kind (Gephi merges parallel edges of one kind): the relation, and
    # a numbered one for a second edge of the same relation between the same two nodes
    ns = "{http://gexf.net/1.3}"
    kinds = {(e.get("source"), e.get("target"), e.get("kind")) for e in root.iter(ns + "edge")}
    assert len(kinds) == graph.number_of_edges()
    assert ("ent:person:zhang", "ent:agency:gov", "HOLDS_POSITION") in kinds
    assert ("ent:person:zhang", "ent:agency:gov", "HOLDS_POSITION#2") in kinds
    assert ("evt:a2:0", "ent:agency:gov", "AGENT") in kinds
    for u, v, d in back.edges(data=True):
        if "start" in d:
            for end in (u, v):
                assert back.nodes[end].get("start", "") <= d["start"]


# --- entities.csv / events.csv ------------------------------------------

def read_csv(path):
    raw = open(path, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing (Excel needs it)"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_entities_csv_one_row_per_entity(graph, tmp_path):
    rows = read_csv(write_entities_csv(graph, tmp_path / "entities.csv"))
    assert list(rows[0]) == ["id", "label", "name", "aliases", "mentions", "admin_code",
                             "admin_level", "positions", "documents"]
    assert sorted(r["id"] for r in rows) == sorted(entity_ids(graph))
    by_id = {r["id"]: r for r in rows}
    assert by_id["ent:person:zhang"]["aliases"] == "张明华|张市长"
    assert by_id["ent:person:zhang"]["positions"] == "市长|市委副书记"
    assert by_id["ent:person:zhang"]["documents"] == "doc:a1|doc:a2"
    assert by_id["ent:place:aj"]["admin_level"] == "county"
    assert by_id["ent:place:dp"]["admin_code"] == ""  # None -> empty cell
    assert by_id["ent:org:xinghe"]["name"] == TRICKY_NAME


def test_events_csv_resolves_participants(graph, tmp_path):
    rows = read_csv(write_events_csv(graph, tmp_path / "events.csv"))
    assert [r["id"] for r in rows] == ["evt:a1:0", "evt:a2:0", "evt:a2:1"]
    hold = rows[1]
    assert hold["agents"] == "安吉县|湖州市人民政府"
    assert hold["locations"] == "递铺街道"
    assert hold["date"] == "2023-04" and hold["quantity"] == "30余家"
    assert rows[0]["objects"] == "湖州市优化营商环境条例"
    assert rows[2]["objects"] == TRICKY_NAME
    assert rows[2]["date"] == ""
    assert all(r["sentence"] for r in rows)


# --- hostile strings (issue 14, items 8-10) -------------------------------

# Characters XML 1.0 forbids: C0 controls, a lone surrogate (what os.fsdecode makes of
# an undecodable byte in a file name), U+FFFE and U+FFFF.
CONTROL_SOURCE = "news/ctl\x01\x0bx.txt"
UNDECODABLE_SOURCE = "news/bad\udcff\udcfe.txt"
NONCHARACTER_PROGRAM = "安吉县\ufffe招商引资\uffff管理办法"


def hostile_graph():
    G = build_fixture_graph()
    G.nodes["doc:a1"]["source"] = CONTROL_SOURCE
    G.nodes["doc:a2"]["source"] = UNDECODABLE_SOURCE
    G.nodes["doc:a2"]["title"] = "安吉县\x1b[31m招商推介会"
    G.nodes["ent:program:tiaoli"]["name"] = NONCHARACTER_PROGRAM
    G.nodes["ent:program:tiaoli"]["aliases"] = [f"《{NONCHARACTER_PROGRAM}》"]
    G.nodes["evt:a2:1"]["sentence"] = "会上\x00授予星河科技\x0c“优秀合作伙伴”称号。"
    G.nodes["ent:place:aj"]["note\x01"] = "attribute key with a control character"
    G.add_node("ent:org:\x02bad\udcff", kind="Entity", label="ORG", name="坏\x03名字",
               aliases=["坏\x03名字"], mentions=1)
    G.add_edge("doc:a2", "ent:org:\x02bad\udcff", key="MENTIONS:\udcff", type="MENTIONS",
               count=1, doc="doc:a2", sentence="句子\x08。")
    return G


def assert_valid_xml_1_0(path):
    raw = open(path, "rb").read()
    raw.decode("utf-8")  # strict: no lone surrogate slipped through
    ET.fromstring(raw)  # expat rejects characters (and &#1; references) XML 1.0 forbids


def test_graphml_escapes_characters_xml_forbids(tmp_path):
    G = hostile_graph()
    path = write_graphml(G, tmp_path / "graph.graphml")
    assert_valid_xml_1_0(path)
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == G.number_of_nodes()
    assert back.number_of_edges() == G.number_of_edges()
    assert back.nodes["doc:a1"]["source"] == "news/ctl\\x01\\x0bx.txt"
    assert back.nodes["doc:a2"]["source"] == "news/bad\\udcff\\udcfe.txt"
    assert back.nodes["doc:a2"]["label"] == "安吉县\\x1b[31m招商推介会"
    assert back.nodes["ent:program:tiaoli"]["label"] == "安吉县\\ufffe招商引资\\uffff管理办法"
    assert back.nodes["evt:a2:1"]["sentence"] == "会上\\x00授予星河科技\\x0c“优秀合作伙伴”称号。"
    assert back.nodes["ent:place:aj"]["note\\x01"] == "attribute key with a control character"
    bad = "ent:org:\\x02bad\\udcff"
    assert back.nodes[bad]["label"] == "坏\\x03名字"
    assert [d["edge_key"] for _, v, d in back.edges(data=True) if v == bad] == ["MENTIONS:\\udcff"]


def test_gexf_escapes_characters_xml_forbids(tmp_path):
    G = hostile_graph()
    path = write_gexf(G, tmp_path / "graph.gexf")
    assert_valid_xml_1_0(path)
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == G.number_of_nodes()
    assert back.number_of_edges() == G.number_of_edges()
    assert back.nodes["doc:a1"]["source"] == "news/ctl\\x01\\x0bx.txt"
    assert back.nodes["doc:a2"]["source"] == "news/bad\\udcff\\udcfe.txt"
    assert back.nodes["ent:program:tiaoli"]["label"] == "安吉县\\ufffe招商引资\\uffff管理办法"
    assert back.nodes["evt:a2:1"]["sentence"] == "会上\\x00授予星河科技\\x0c“优秀合作伙伴”称号。"
    assert back.nodes["ent:place:aj"]["note\\x01"] == "attribute key with a control character"
    assert back.nodes["ent:org:\\x02bad\\udcff"]["label"] == "坏\\x03名字"


def test_json_and_csv_keep_lone_surrogates_readable(tmp_path):
    G = hostile_graph()
    written = write_all(G, tmp_path)
    back = read_json(written["graph.json"])  # the surrogate round-trips as a JSON escape
    assert back.nodes["doc:a2"]["source"] == UNDECODABLE_SOURCE
    assert nx.utils.graphs_equal(G, back)
    rows = read_csv(written["entities.csv"])
    assert {r["id"] for r in rows} >= {"ent:org:\x02bad\\udcff"}


FORMULA_PROGRAMS = [
    '=HYPERLINK("http://evil.example/x","点击")管理办法',
    "+cmd|' /C calc'!A0实施方案",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-5+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_cells_never_start_with_a_formula_character(tmp_path):
    G = build_fixture_graph()
    for index, name in enumerate(FORMULA_PROGRAMS):
        G.add_node(f"ent:program:f{index}", kind="Entity", label="PROGRAM", name=name,
                   aliases=[f"《{name}》", name], mentions=1)
    G.nodes["evt:a2:0"].update(object_text="“=1+1”建设", quantity="-5", trigger="=举办",
                               sentence="@某某 开展“=1+1”建设。")
    G.add_edge("evt:a2:0", "ent:program:f0", key="OBJECT:f0", type="OBJECT")
    entities = read_csv(write_entities_csv(G, tmp_path / "entities.csv"))
    events = read_csv(write_events_csv(G, tmp_path / "events.csv"))
    for row in entities + events:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    names = {r["id"]: r["name"] for r in entities}
    for index, name in enumerate(FORMULA_PROGRAMS):
        assert names[f"ent:program:f{index}"] == "'" + name  # neutralised, otherwise intact
    hold = next(r for r in events if r["id"] == "evt:a2:0")
    assert hold["object_text"] == "“=1+1”建设"  # starts with a quote mark: left alone
    assert hold["quantity"] == "'-5"
    assert hold["trigger"] == "'=举办"
    assert hold["sentence"] == "'@某某 开展“=1+1”建设。"
    assert hold["objects"].startswith("'=HYPERLINK(")
    assert names["ent:org:xinghe"] == TRICKY_NAME  # ordinary names untouched

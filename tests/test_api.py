"""The notebook API: kg.load() is the spaCy pipeline, kg.graph_of(texts) the graph."""

import kg

NEWS = ("本报讯（记者周明远）5月6日，青禾县人民政府召开防汛工作会议，部署全县汛期安全工作。\n"
        "县委书记李春阳主持会议。")


def test_load_is_the_whole_pipeline(nlp):
    loaded = kg.load()
    assert loaded is nlp and loaded.pipe_names[-2:] == ["kg_linker", "kg_events"]


def test_graph_of_a_text_is_the_graph_kg_build_writes(tmp_path, nlp):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    graph = kg.graph_of(NEWS, date="2024-05-07")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "news.txt").write_text(NEWS, encoding="utf-8")
    build([str(tmp_path / "in")], tmp_path / "out")
    built = read_json(tmp_path / "out" / "graph.json")
    events = {d["trigger"]: d for _, d in graph.nodes(data=True) if d["kind"] == "Event"}
    assert {"召开", "部署"} <= set(events) and events["召开"]["date"] == "2024-05-06"
    entities = lambda g: sorted(n for n, d in g.nodes(data=True) if d["kind"] == "Entity")  # noqa: E731
    assert entities(graph) == entities(built)
    holder = [graph.nodes[t]["name"] for _, t, e in graph.out_edges(next(
        n for n, d in graph.nodes(data=True) if d.get("trigger") == "召开"), data=True) if e["type"] == "AGENT"]
    assert holder == ["青禾县人民政府"]


def test_kg_ner_stops_before_linking(nlp):
    from kg.nlp.ner_command import tag_lines

    [record] = tag_lines(nlp, ["青禾县人民政府召开防汛工作会议。"])
    assert record["entities"][0]["text"] == "青禾县人民政府"
    assert "kg_linker" in nlp.pipe_names  # switched back on afterwards

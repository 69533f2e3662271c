"""build_graph: schema, edge keys, and which entities enter the graph."""

from collections import Counter

from kg.events import Event
from kg.graph import DocumentRecord, Role, build_graph, event_name
from kg.linking import Linker


def small_graph(gazetteer):
    linker = Linker(gazetteer)
    home = gazetteer.resolve("昆山市")
    bureau = linker.link("AGENCY", "市生态环境局", home=home)
    person = linker.link("PERSON", "张建国")
    program = linker.link("PROGRAM", "“蓝天”行动")
    doc = DocumentRecord(id="doc:1", title="标题", source="a.txt", date="2022-08-05", kind="article", text="正文",
                         mentions=Counter({bureau.id: 2, person.id: 1, program.id: 1}),
                         evidence={bureau.id: "句子一。"}, authors=[(person.id, "记者")])
    event = Event(type="LAUNCH", trigger="开展", sentence="昆山市生态环境局开展“蓝天”行动。", doc="doc:1",
                  object_text="“蓝天”行动", agents=[bureau.id], objects=[program.id],
                  locations=[bureau.based_in], offset=8)
    roles = [Role(person.id, "局长", bureau.id, "doc:1", "局长张建国说。")]
    return build_graph([doc], linker.entities, [event], roles), linker, bureau


def test_schema_and_edges(gazetteer):
    graph, linker, bureau = small_graph(gazetteer)
    kinds = Counter(d["kind"] for _, d in graph.nodes(data=True))
    assert kinds == {"Document": 1, "Entity": 6, "Event": 1}  # 3 mentioned + 昆山市, 苏州市, 江苏省
    types = Counter(d["type"] for *_, d in graph.edges(data=True))
    assert types == {"MENTIONS": 3, "AUTHORED": 1, "HOLDS_POSITION": 1, "REPORTED_IN": 1, "AGENT": 1,
                     "OBJECT": 1, "LOCATION": 1, "BASED_IN": 1, "PART_OF": 2}
    place = graph.nodes[bureau.based_in]
    assert place["name"] == "昆山市" and place["admin_level"] == "county" and place["admin_code"]
    assert graph.nodes[bureau.id]["aliases"] == ["市生态环境局"]


def test_events_are_named_by_what_happened(gazetteer):
    """Viewers (Neo4j Browser) caption a node by `name`; an event gets trigger · object."""
    graph, *_ = small_graph(gazetteer)
    event = next(d for _, d in graph.nodes(data=True) if d["kind"] == "Event")
    assert event["name"] == f"{event['trigger']} · “蓝天”行动"


def test_event_names_stay_short():
    assert event_name("召集", "全县防汛抗旱工作暨地质灾害防治工作会议") == "召集 · 全县防汛抗旱工作暨地质…"
    assert event_name("召集", None) == "召集"
    assert event_name("召集", "") == "召集"


def test_same_input_same_ids_and_keys(gazetteer):
    first, *_ = small_graph(gazetteer)
    second, *_ = small_graph(gazetteer)
    assert sorted(first.nodes) == sorted(second.nodes)
    assert sorted(first.edges(keys=True)) == sorted(second.edges(keys=True))


def test_unmentioned_entities_stay_out(gazetteer):
    linker = Linker(gazetteer)
    linker.link("PERSON", "李四")  # linked but never counted in a document
    graph = build_graph([], linker.entities, [], [])
    assert graph.number_of_nodes() == 0

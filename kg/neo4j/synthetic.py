"""Synthetic graphs in the `kg build` schema, for loader tests and the load benchmark.

Names are random strings made of common characters plus generic administrative
suffixes, not real places or people. The graph is a networkx MultiDiGraph written the
way `kg build` writes graph.json (`nx.node_link_data(G, edges="edges")`), so the
loader sees the same shapes: lists, counts, partial dates, parallel edges.
"""

from __future__ import annotations

import random

import networkx as nx

COMMON_CHARS = "安北长城大东方丰福光广海和河华吉嘉建江金锦京康乐林龙明南宁平青庆仁瑞山" \
               "顺泰天通文西祥新兴阳永裕泽正中"
PLACE_SUFFIXES = ("省", "市", "县", "区", "镇", "街道")
AGENCY_SUFFIXES = ("人民政府", "发展和改革局", "市场监督管理局", "教育局", "卫生健康委员会")
ORG_SUFFIXES = ("有限公司", "协会", "合作社", "中心")
PROGRAM_SUFFIXES = ("示范项目", "行动计划", "工程", "示范区建设", "专项行动")
POSITIONS = ("局长", "副局长", "主任", "书记", "县长", "记者")
EVENT_TYPES = ("ISSUE", "LAUNCH", "HOLD", "CREATE", "AWARD", "ENFORCE", "APPOINT")

# Strings that would break a loader that builds Cypher text from values.
HOSTILE_NAMES = (
    "O'Brien \"quoted\" name",
    "back`tick` name",
    "}) DETACH DELETE n //",
    "'}) MATCH (m) DETACH DELETE m WITH 1 AS x MATCH (n {id: '",
    "\\\\ backslash \\' and \\\" escapes",
    "$rows {id: row.id} :Label",
    "line\nbreak\ttab",
    "// comment /* block */ ;",
    "表情😀与　全角空格",
)


def _word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(COMMON_CHARS) for _ in range(length))


def synthetic_graph(n_documents: int, seed: int = 7, events_per_document: int = 10,
                    mentions_per_document: int = 15, hostile: bool = False,
                    first_document: int = 0, n_entities: int | None = None) -> nx.MultiDiGraph:
    """A graph of `n_documents` news items with entities, events and all edge types.

    Documents `first_document .. first_document + n_documents - 1` are generated; the
    entity pool depends only on `seed` and `n_entities` (default 6 per document), so two
    calls with the same pool and overlapping document ranges describe the same documents
    and share entities (a "second build").
    """
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    n_pool = n_entities or max(12, 6 * (first_document + n_documents))
    entities = _entity_pool(rng, n_pool, hostile)
    for entity_id, attributes in entities.items():
        graph.add_node(entity_id, **attributes)
    places = [e for e, a in entities.items() if a["label"] == "PLACE"]
    persons = [e for e, a in entities.items() if a["label"] == "PERSON"]
    _add_place_hierarchy(graph, places)
    for number in range(first_document, first_document + n_documents):
        _add_document(graph, random.Random(f"{seed}-{number}"), number, entities, places,
                      persons, events_per_document, mentions_per_document)
    return graph


def _entity_pool(rng: random.Random, size: int, hostile: bool) -> dict[str, dict]:
    labels = ("PLACE", "AGENCY", "PERSON", "ORG", "PROGRAM")
    pool: dict[str, dict] = {}
    for number in range(size):
        label = labels[number % len(labels)]
        name = _entity_name(rng, label)
        attributes = {"kind": "Entity", "label": label, "name": name,
                      "aliases": [name, name[:2] + name[-1]], "mentions": 0}
        if label == "PLACE":
            attributes["admin_level"] = PLACE_SUFFIXES.index(name[-1]) if name[-1] in \
                PLACE_SUFFIXES else 4
            attributes["admin_code"] = f"{rng.randrange(110000, 659000)}{number % 1000:03d}"
        if label == "PERSON":
            attributes["positions"] = sorted(set(rng.sample(POSITIONS, 2)))
        pool[f"ent:{label.lower()}:{number}"] = attributes
    if hostile:
        for number, name in enumerate(HOSTILE_NAMES):
            pool[f"ent:org:hostile:{number}:{name}"] = {
                "kind": "Entity", "label": "ORG", "name": name, "aliases": [name, f"`{name}`"],
                "mentions": 1}
    return pool


def _entity_name(rng: random.Random, label: str) -> str:
    if label == "PLACE":
        return _word(rng, 2) + rng.choice(PLACE_SUFFIXES)
    if label == "AGENCY":
        return _word(rng, 2) + "市" + rng.choice(AGENCY_SUFFIXES)
    if label == "ORG":
        return _word(rng, 3) + rng.choice(ORG_SUFFIXES)
    if label == "PROGRAM":
        return _word(rng, 3) + rng.choice(PROGRAM_SUFFIXES)
    return rng.choice("王李张刘陈杨赵黄周吴") + _word(rng, rng.choice((1, 2)))


def _add_place_hierarchy(graph: nx.MultiDiGraph, places: list[str]) -> None:
    """Each place lies in an earlier one, forming a forest a few levels deep."""
    for position, place in enumerate(places[1:], start=1):
        if position % 7 == 0:
            continue  # a new root now and then
        parent = places[(position - 1) // 3]
        graph.add_edge(place, parent, type="PART_OF")


def _add_document(graph, rng, number, entities, places, persons, n_events, n_mentions):
    doc_id = f"doc:{number:06d}"
    month = 1 + number % 12
    graph.add_node(doc_id, kind="Document", title=f"{_word(rng, 6)}新闻{number}",
                   source=f"news/{number:06d}.txt", date=f"2021-{month:02d}-{1 + number % 28:02d}")
    entity_ids = list(entities)
    mentioned = rng.sample(entity_ids, min(n_mentions, len(entity_ids)))
    for entity_id in mentioned:
        entities[entity_id]["mentions"] += 1
        graph.nodes[entity_id]["mentions"] = entities[entity_id]["mentions"]
        graph.add_edge(doc_id, entity_id, type="MENTIONS", count=rng.randint(1, 4))
    reporter = rng.choice(persons)
    graph.add_edge(reporter, doc_id, type="AUTHORED")
    holder, office = rng.choice(persons), rng.choice(mentioned)
    for position in rng.sample(POSITIONS, 2):  # two titles: parallel edges, same ends
        graph.add_edge(holder, office, type="HOLDS_POSITION", position=position,
                       doc=doc_id)
    for event_number in range(n_events):
        event_id = f"evt:{number:06d}:{event_number}"
        event_type = rng.choice(EVENT_TYPES)
        graph.add_node(event_id, kind="Event", type=event_type, trigger=_word(rng, 2),
                       date=f"2021-{month:02d}" if event_number % 3 else
                       f"2021-{month:02d}-{1 + event_number:02d}",
                       quantity=None if event_number % 2 else f"{rng.randint(2, 90)}个",
                       object_text=_word(rng, 4), sentence=_word(rng, 20) + "。", doc=doc_id)
        graph.add_edge(event_id, doc_id, type="REPORTED_IN")
        graph.add_edge(event_id, rng.choice(mentioned), type="AGENT")
        if event_number % 2 == 0:
            graph.add_edge(event_id, rng.choice(mentioned), type="OBJECT")
        if event_number % 4 != 3:
            graph.add_edge(event_id, rng.choice(places), type="LOCATION")


def graph_json(graph: nx.MultiDiGraph) -> dict:
    """The dict `kg build` writes as graph.json."""
    return nx.node_link_data(graph, edges="edges")

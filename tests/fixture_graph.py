"""A small, realistic knowledge graph in the CONTRACT.md schema, for the writer
and viz tests (invented news of an invented week; no text of the seed page).

Two documents, entities of every label, events, every edge type, parallel edges, None values,
a partial date, and an ORG whose name holds quotes, '&' and '<tag>' characters.
"""

from __future__ import annotations

import networkx as nx

TRICKY_NAME = '"星河"&<科技>有限公司'


def build_fixture_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    docs = {
        "doc:a1": dict(title="湖州出台优化营商环境条例", source="news/a1.txt", date="2023-03-15",
                       text="湖州日报讯（记者李建国）3月15日，湖州市人民政府出台《湖州市优化营商环境条例》。"),
        "doc:a2": dict(title="安吉县举办招商推介会", source="news/a2.txt", date=None),
    }
    for node, attrs in docs.items():
        G.add_node(node, kind="Document", **attrs)

    entities = {
        "ent:person:li": dict(label="PERSON", name="李建国", aliases=["李建国"], mentions=2,
                              positions=["记者"]),
        "ent:person:zhang": dict(label="PERSON", name="张明华", aliases=["张明华", "张市长"],
                                 mentions=3, positions=["市长", "市委副书记"]),
        "ent:place:zj": dict(label="PLACE", name="浙江省", aliases=["浙江"], mentions=1,
                             admin_code="330000", admin_level="province"),
        "ent:place:hz": dict(label="PLACE", name="湖州市", aliases=["湖州", "湖州市"], mentions=5,
                             admin_code="330500", admin_level="prefecture"),
        "ent:place:aj": dict(label="PLACE", name="安吉县", aliases=["安吉"], mentions=2,
                             admin_code="330523", admin_level="county"),
        "ent:place:dp": dict(label="PLACE", name="递铺街道", aliases=["递铺街道"], mentions=1,
                             admin_code=None, admin_level="town"),
        "ent:agency:gov": dict(label="AGENCY", name="湖州市人民政府", aliases=["湖州市人民政府", "市政府"],
                               mentions=4),
        "ent:agency:sfj": dict(label="AGENCY", name="湖州市司法局", aliases=["市司法局"], mentions=1),
        "ent:org:xinghe": dict(label="ORG", name=TRICKY_NAME, aliases=[TRICKY_NAME, "星河|科技"],
                               mentions=1),
        "ent:program:tiaoli": dict(label="PROGRAM", name="湖州市优化营商环境条例",
                                   aliases=["《湖州市优化营商环境条例》"], mentions=2),
    }
    for node, attrs in entities.items():
        G.add_node(node, kind="Entity", **attrs)

    events = {
        "evt:a1:0": dict(type="ISSUE", trigger="出台", date="2023-03-15", quantity=None,
                         object_text="《湖州市优化营商环境条例》",
                         sentence="3月15日，湖州市人民政府出台《湖州市优化营商环境条例》。", doc="doc:a1"),
        "evt:a2:0": dict(type="HOLD", trigger="举办", date="2023-04", quantity="30余家",
                         object_text="招商推介会",
                         sentence="4月，安吉县在递铺街道举办招商推介会，30余家企业参加。", doc="doc:a2"),
        "evt:a2:1": dict(type="AWARD", trigger="授予", date=None, quantity=None,
                         object_text="“优秀合作伙伴”称号",
                         sentence="会上授予星河科技“优秀合作伙伴”称号。", doc="doc:a2"),
    }
    for node, attrs in events.items():
        G.add_node(node, kind="Event", **attrs)

    def mention(doc, ent, count):
        G.add_edge(doc, ent, key=f"MENTIONS:{doc}", type="MENTIONS", count=count, doc=doc)

    for ent, count in [("ent:person:li", 1), ("ent:person:zhang", 2), ("ent:place:hz", 3),
                       ("ent:agency:gov", 3), ("ent:agency:sfj", 1), ("ent:program:tiaoli", 2),
                       ("ent:place:zj", 1)]:
        mention("doc:a1", ent, count)
    for ent, count in [("ent:person:zhang", 1), ("ent:place:hz", 2), ("ent:place:aj", 2),
                       ("ent:place:dp", 1), ("ent:org:xinghe", 1), ("ent:person:li", 1),
                       ("ent:agency:gov", 1)]:
        mention("doc:a2", ent, count)

    for event, attrs in events.items():
        G.add_edge(event, attrs["doc"], key="REPORTED_IN", type="REPORTED_IN")
    G.add_edge("evt:a1:0", "ent:agency:gov", key="AGENT", type="AGENT")
    G.add_edge("evt:a1:0", "ent:program:tiaoli", key="OBJECT", type="OBJECT")
    G.add_edge("evt:a1:0", "ent:place:hz", key="LOCATION", type="LOCATION")
    G.add_edge("evt:a2:0", "ent:place:aj", key="AGENT", type="AGENT")
    G.add_edge("evt:a2:0", "ent:agency:gov", key="AGENT:1", type="AGENT")
    G.add_edge("evt:a2:0", "ent:place:dp", key="LOCATION", type="LOCATION")
    G.add_edge("evt:a2:1", "ent:org:xinghe", key="OBJECT", type="OBJECT")

    G.add_edge("ent:person:zhang", "ent:agency:gov", key="HOLDS_POSITION:市长",
               type="HOLDS_POSITION", position="市长",
               sentence="湖州市人民政府市长张明华出席。", doc="doc:a1")
    G.add_edge("ent:person:zhang", "ent:agency:gov", key="HOLDS_POSITION:党组书记",
               type="HOLDS_POSITION", position="党组书记",
               sentence="市政府党组书记张明华主持会议。", doc="doc:a2")
    G.add_edge("ent:person:li", "doc:a1", key="AUTHORED", type="AUTHORED", role="记者")
    G.add_edge("ent:place:hz", "ent:place:zj", key="PART_OF", type="PART_OF")
    G.add_edge("ent:place:aj", "ent:place:hz", key="PART_OF", type="PART_OF")
    G.add_edge("ent:place:dp", "ent:place:aj", key="PART_OF", type="PART_OF")
    return G

"""Event extraction on small texts run through the real pipeline and linker."""

import pytest

from kg.events import resolve_date


def run(nlp, text, year=2022, doc_date=None):
    """The pipeline on one text, with the document context kg build gives it."""
    doc = nlp.make_doc(text)
    doc._.kg_doc_id, doc._.kg_year, doc._.kg_date = "doc:1", year, doc_date
    return next(nlp.pipe([doc]))


def extract(nlp, text, year=2022, doc_date=None):
    doc = run(nlp, text, year, doc_date)
    name = {e.id: e.name for e in nlp.get_pipe("kg_linker").linker.entities.values()}
    return [(ev.type, ev.trigger, [name[a] for a in ev.agents], ev.object_text, ev.date, ev.quantity, ev)
            for ev in doc._.events]


def test_agent_trigger_object_quantity(nlp):
    events = extract(nlp, "今年，苏州市将创建省级节水型企业60家。")
    assert ("CREATE", "创建", ["苏州市"], "省级节水型企业60家", "2022", "60家") == events[0][:6]


def test_passive_naming_makes_the_subject_the_recipient(nlp):
    (etype, trigger, agents, obj, *_rest, ev), = extract(nlp, "昆山市被命名为第二批“江苏省数字政府建设示范区”。")
    assert (etype, trigger, agents) == ("AWARD", "被命名为", ["昆山市"])
    assert ev.agent_role == "recipient" and "示范区" in obj


def test_subject_carried_to_following_clauses(nlp):
    events = extract(nlp, "今年以来，市生态环境局整合执法力量，有针对性地开展扬尘治理专项行动。")
    launch = [e for e in events if e[1] == "开展"][0]
    assert launch[2] and launch[2][0].endswith("生态环境局") and launch[6].agent_source == "carried"


def test_you_marks_the_organiser_and_dates_resolve_with_the_year(nlp):
    events = extract(nlp, "8月5日，由中共苏州工业园区工委主办的“红色记忆”知识竞赛顺利举行。", year=2021)
    host = [e for e in events if e[1] == "主办"][0]
    assert host[2] == ["苏州工业园区工委"] and host[4] == "2021-08-05" and "知识竞赛" in host[3]


def test_anaphor_resolves_to_latest_company(nlp):
    text = "在江苏恒瑞医药股份有限公司车间内，工人正在生产。该公司自主研发的装置，获得国家发明专利2项。"
    award = [e for e in extract(nlp, text) if e[1] == "获得"][0]
    assert award[2] == ["江苏恒瑞医药股份有限公司"] and award[5] == "2项"


def test_nouns_that_look_like_verbs_open_no_event(nlp):
    assert not [e for e in extract(nlp, "苏州市召开新闻发布会。") if e[1] == "发布"]


@pytest.mark.parametrize("text, expected", [
    ("2021年7月29日召开", ("2021-07-29", "2021年7月29日")),
    ("7月29日召开", ("2022-07-29", "7月29日")),
    ("2021年1月组织开展", ("2021-01", "2021年1月")),
    ("4月份开展的", ("2022-04", "4月份")),
    ("今年上半年", ("2022", "今年")),
    ("去年同期", ("2021", "去年")),
    ("没有日期", (None, None)),
])
def test_resolve_date(text, expected):
    assert resolve_date(text, 2022, None) == expected


def test_month_day_without_year_is_iso_without_year():
    assert resolve_date("7月29日召开", None, None) == ("--07-29", "7月29日")


def test_promote_verb_inside_a_meeting_name_is_no_event(nlp):
    events = extract(nlp, "3月8日，肥西县召开2023年优化营商环境工作推进会。", year=2023)
    assert [(e[1], e[2], e[3]) for e in events] == [("召开", ["肥西县"], "2023年优化营商环境工作推进会")]


def test_headline_lines_rejoined_into_statements():
    from kg.build import headline_statements

    assert headline_statements("今年将创建85家 省级节水型企业") == ["今年将创建85家省级节水型企业"]
    assert headline_statements("发挥优势 提升治理能力 昆山开展“五个一”系列活动") == [
        "发挥优势提升治理能力", "昆山开展“五个一”系列活动"]


def test_nominal_verbs_and_empty_objects_open_no_event(nlp):
    events = extract(nlp, "苏州市加大环境违法案件的查处力度，检查结果全部公示，开展这项活动。")
    assert [(e[1], e[3]) for e in events] == [("加大", "环境违法案件的查处力度")]


def test_entities_carry_their_canonical_id_and_events_point_to_it(nlp):
    doc = run(nlp, "今年，苏州市生态环境局开展扬尘治理专项行动。")
    linked = {ent.text: ent.kb_id_ for ent in doc.ents}
    assert linked["苏州市生态环境局"].startswith("agency:")
    launch = next(ev for ev in doc._.events if ev.trigger == "开展")
    assert launch.agents == [linked["苏州市生态环境局"]] and launch.doc == "doc:1"


def test_home_place_fills_the_level_prefix(nlp):
    doc = run(nlp, "青禾县位于苏州市。苏州市召开大会。市生态环境局开展专项行动。")
    bureau = next(ent for ent in doc.ents if ent.text == "市生态环境局")
    assert nlp.get_pipe("kg_linker").linker.entities[bureau.kb_id_].name == "苏州市生态环境局"

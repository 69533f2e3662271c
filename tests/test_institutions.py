"""Agencies and organisations by the grammar of their names."""

import pytest


def ents(nlp, text):
    return [(e.text, e.label_) for e in nlp(text).ents if e.label_ in ("AGENCY", "ORG")]


@pytest.mark.parametrize("text, expected", [
    ("北京市朝阳区人民政府印发通知。", ("北京市朝阳区人民政府", "AGENCY")),
    ("今年以来，市生态环境局整合执法力量。", ("市生态环境局", "AGENCY")),
    ("昆山市委组织部相关负责人介绍说。", ("昆山市委组织部", "AGENCY")),
    ("他在江苏恒瑞医药股份有限公司车间内工作。", ("江苏恒瑞医药股份有限公司", "ORG")),
    ("南京日报讯", ("南京日报", "ORG")),
    ("中共苏州工业园区工委主办的活动。", ("中共苏州工业园区工委", "AGENCY")),
    ("今年上半年，市场监管部门指导约谈企业32家。", ("市场监管部门", "AGENCY")),
])
def test_institution_names(nlp, text, expected):
    assert expected in ents(nlp, text)


def test_two_agencies_joined_by_a_verb_stay_two(nlp):
    found = ents(nlp, "广州市生态环境局联合市公安局启动专项行动。")
    assert ("广州市生态环境局", "AGENCY") in found
    assert ("市公安局", "AGENCY") in found


@pytest.mark.parametrize("text", [
    "优化产业布局，扎实推进法治政府建设。",
    "全市干部队伍建设进一步加强。",
    "广州市委常委、副市长李明强调。",
])
def test_words_ending_in_head_characters_are_not_institutions(nlp, text):
    found = [t for t, _ in ents(nlp, text)]
    assert not any(t.endswith(("布局", "法治政府", "干部", "常委")) for t in found), found


@pytest.mark.parametrize("text, expected", [
    ("记者从光明日报社和人民日报社了解到。", {"光明日报社", "人民日报社"}),   # not 和人民日报社
    ("那么政府部门应当如何应对？", {"政府部门"}),                         # not 么政府部门 (那么)
    ("新华社杭州3月2日电浙江省登山协会发布公告。", {"新华社", "浙江省登山协会"}),  # dateline
    ("原铁道部办公厅负责人介绍。", {"铁道部办公厅"}),                     # 原 = former
    ("据当地气象部门预报，明天有雨。", {"气象部门"}),
    ("他呼吁监管部门加强管理。", {"监管部门"}),
    ("依托市大数据中心建设平台。", {"市大数据中心"}),             # 依托市 is one word
])
def test_names_start_at_a_word_that_can_start_a_name(nlp, text, expected):
    assert {name for name, _ in ents(nlp, text)} == expected


@pytest.mark.parametrize("text", ["他们来自南昌县一所中学。", "由主任委员会议决定。", "位于市中心的广场。"])
def test_counters_and_split_words_are_not_institutions(nlp, text):
    assert ents(nlp, text) == []


def test_the_verb_ban_is_no_office(nlp):
    """办 before 了 is the verb (在分行办了一张卡); 某某办 before 了解 is an office."""
    verb, office = nlp("王女士在工商银行城东分行办了一张储蓄卡。"), nlp("记者从市扶贫办了解到，工作已完成。")
    assert not any(span.text.endswith("办") for span in verb.spans["kg_institutions"])
    assert "市扶贫办" in [span.text for span in office.spans["kg_institutions"]]


@pytest.mark.parametrize("text, expected", [
    ("珠水网/珠水新闻客户端讯（记者 严某）今年以来，全市", ["珠水网"]),
    ("神州在线江苏频道消息：4月2日上午，", ["神州在线"]),
    ("南方网广州3月1日电 3月1日，", ["南方网"]),
    ("某某日报讯 近日，", ["某某日报"]),
])
def test_outlets_from_source_lines_and_datelines(text, expected):
    from kg.nlp.institutions import find_outlets

    assert [text[s:e] for s, e in find_outlets(text)] == expected


@pytest.mark.parametrize("text", ["本报讯 近日，全市开展", "本报杭州5月8日电 近日，全市开展", "市应急局消息：今天",
                                  "会议指出，要抓好消息发布"])
def test_no_outlet_without_a_media_head(text):
    from kg.nlp.institutions import find_outlets

    assert list(find_outlets(text)) == []


def test_outlet_and_dateline_city_in_the_pipeline(nlp):
    doc = nlp("华夏网长沙6月9日电\n6月9日，湖南省召开防汛会议。")
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("华夏网", "ORG") in ents and ("长沙", "PLACE") in ents


@pytest.mark.parametrize("text, expected", [
    ("进度。中建（湖北）某某快速路建设有限公司总经理说", ["中建（湖北）某某快速路建设有限公司"]),
    ("进度。中建(湖北)某某快速路建设有限公司总经理说", ["中建(湖北)某某快速路建设有限公司"]),
])
def test_longer_company_names(text, expected):
    from kg.nlp.institutions import find_companies

    assert [text[s:e] for s, e in find_companies(text)] == expected


@pytest.mark.parametrize("text", ["昨天青山湖生态旅游开发有限公司", "记者从青山湖集团有限公司获悉",
                                  "，推动当地一家科技有限公司落户"])
def test_company_names_do_not_reach_into_the_clause(text):
    from kg.nlp.institutions import find_companies

    assert list(find_companies(text)) == []

"""Programmes: titled documents, quoted names with heads, named campaigns."""

import pytest

from kg.nlp.programs import find_programs


def programs(text):
    return [text[s:e] for s, e in find_programs(text)]


@pytest.mark.parametrize("text, expected", [
    ("印发了《苏州市优化营商环境行动方案（试行）》", "苏州市优化营商环境行动方案（试行）"),
    ("依据《中华人民共和国环境保护法》", "中华人民共和国环境保护法"),
    ("深入开展“放管服”改革专项行动", "“放管服”改革专项行动"),
    ("搭建“城乡一体政务服务平台”", "城乡一体政务服务平台"),
    ("为期10天的燃气安全专项整治行动，", "燃气安全专项整治行动"),
    ("持续推进健康中国·苏州行动的重点工作", "健康中国·苏州行动"),
    ("开展“最美家庭”系列活动", "“最美家庭”系列活动"),
    ("该村被评为“全省乡村振兴示范村”", "全省乡村振兴示范村"),   # a title after its verb
])
def test_programme_names(text, expected):
    assert expected in programs(text)


@pytest.mark.parametrize("text", [
    "策划拍摄了《初心》《歌唱祖国》等微电影。",
    "实现群众办事“最多跑一次”，打造“直通车”。",
    "行动不便的人员可以预约。",
    "他说：“我们要把这项工作做好，开展好专项行动”",  # a quoted sentence, not a name
])
def test_not_programmes(text):
    assert programs(text) == []


def test_chained_quotes_only_last_takes_the_head():
    found = programs("推出“好书记”“五个一”系列活动")
    assert "“五个一”系列活动" in found
    assert not any(p.startswith("“好书记”") for p in found)


@pytest.mark.parametrize("text, expected", [
    # quoted awards: a chain after the verb, or before the award head (counted or not)
    ("该乡去年荣获“全省森林康养示范乡镇”“中国休闲农业精品乡镇”称号", ["全省森林康养示范乡镇", "中国休闲农业精品乡镇"]),
    ("日前摘得“中国最美古村落”“全国优秀农家乐”两块奖牌", ["中国最美古村落", "全国优秀农家乐"]),
    # unquoted awards between the edition or verb and 称号
    ("8个县被授予第六届全国双拥模范县称号", ["全国双拥模范县"]),
    ("该社区荣获省级绿色社区称号", ["省级绿色社区"]),
    # designations written without quotes
    ("加快建设国家级生态文明示范区", ["国家级生态文明示范区"]),
    ("申报国家农业科技园区和全国休闲农业示范县", ["全国休闲农业示范县"]),
])
def test_awards_and_designations(text, expected):
    found = programs(text)
    assert all(name in found for name in expected), found


def test_short_quoted_praise_is_no_award():
    assert programs("获得的两项“省字号”荣誉") == []


def test_a_quoted_list_before_a_count_is_named_by_the_count():
    found = programs("打好“污染防治、乡村振兴、城市更新”三大攻坚战，开展“进社区、进企业、进学校”三进活动")
    assert "三大攻坚战" in found and "三进活动" in found
    assert not any("、" in p for p in found)


def test_a_forwarding_notice_names_the_document_it_forwards():
    found = programs("认真贯彻《某省人民政府办公厅转发〈关于加强农村供水保障的意见〉的通知》精神")
    assert found == ["关于加强农村供水保障的意见"]


def test_contingency_plans_are_programmes():
    assert programs("印发《某某县森林火灾应急预案》") == ["某某县森林火灾应急预案"]


@pytest.mark.parametrize("text, expected", [
    ("湖北宜某至某丰高速公路建成通车", ["湖北宜某至某丰高速公路"]),
    ("深入现场察看了青石岭城中村改造项目进度", ["青石岭城中村改造项目"]),
])
def test_construction_projects(text, expected):
    assert programs(text) == expected


@pytest.mark.parametrize("text", ["全市32个重点改造项目", "加快建设从甲城到乙城的铁路", "推进项目建设"])
def test_not_construction_projects(text):
    assert programs(text) == []


@pytest.mark.parametrize("text", ["授予他们光荣称号", "截至目前高速公路通车里程达120公里"])
def test_no_award_or_route_without_a_name(text):
    assert programs(text) == []


def test_a_route_starts_after_its_verb():
    assert programs("要加快推进梅林至平川高速公路建设") == ["梅林至平川高速公路"]

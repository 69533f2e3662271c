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

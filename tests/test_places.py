"""Gazetteer and the kg_places component."""

from kg.nlp.gazetteer import find_places, page_context


def names(matches, text):
    return [(text[m.start:m.end], m.division.name if m.division else None) for m in matches]


def test_full_names_resolve_with_codes(gazetteer):
    text = "河北省沧州市肃宁县今年"
    found = names(find_places(text, gazetteer), text)
    assert found == [("河北省", "河北省"), ("沧州市", "沧州市"), ("肃宁县", "肃宁县")]
    county = gazetteer.by_full["肃宁县"][0]
    assert county.code and county.level == "county"
    assert [a.name for a in gazetteer.ancestors(county)] == ["沧州市", "河北省"]


def test_prefecture_short_form_alone_county_short_form_needs_context(gazetteer):
    assert names(find_places("苏州出台新规", gazetteer), "苏州出台新规") == [("苏州", "苏州市")]
    # 昆山 alone is a county short form: only accepted when its city is named nearby.
    assert find_places("昆山出台新规", gazetteer) == []
    text = "苏州市昆山出台新规"
    assert ("昆山", "昆山市") in names(find_places(text, gazetteer), text)
    context = page_context("江苏省苏州市", gazetteer)
    assert names(find_places("昆山出台新规", gazetteer, context), "昆山出台新规") == [("昆山", "昆山市")]


def test_ambiguous_district_resolved_by_context(gazetteer):
    # 新华区 exists in several cities; the page's city decides.
    candidates = gazetteer.lookup("新华区")
    assert len(candidates) > 1
    context = page_context("沧州市", gazetteer)
    div = gazetteer.resolve("新华区", context)
    assert div is not None and gazetteer.ancestors(div)[0].name == "沧州市"
    assert gazetteer.resolve("新华区") is None


def test_township_upgraded_to_town_and_villages_after_it(gazetteer):
    text = "河间市兴村镇大庄村党支部"
    found = names(find_places(text, gazetteer), text)
    assert ("兴村镇", "兴村乡") in found
    assert ("大庄村", "大庄村") in found
    village = gazetteer.resolve("兴村乡")
    # A list of villages after their town, written without 村.
    text = "组织到兴村镇大庄、阁上等村观摩"
    matches = find_places(text, gazetteer)
    assert names(matches, text)[1:] == [("大庄", "大庄村"), ("阁上", "阁上村")]
    assert all(m.division.level == "village" and gazetteer.divisions[m.division.parent].name == "兴村乡"
               for m in matches[1:])
    assert village is not None


def test_generic_development_zones_are_not_places(gazetteer):
    assert find_places("经济开发区", gazetteer) == []


def test_component_writes_spans_and_survives_serialisation(nlp, tmp_path):
    doc = nlp("今年，沧州市将创建省级职业健康企业85家")
    spans = doc.spans["kg_places"]
    assert [s.text for s in spans] == ["沧州市"]
    assert spans[0]._.kg_division is not None
    pipe = nlp.get_pipe("kg_places")
    pipe.to_disk(tmp_path)
    from kg.nlp.places import PlaceTagger

    restored = PlaceTagger().from_disk(tmp_path)
    assert restored.gazetteer.rows == pipe.gazetteer.rows
    assert restored.gazetteer.villages == pipe.gazetteer.villages


def test_city_people_are_not_the_city_name(gazetteer):
    text = "越来越受到杭州市民的喜爱"  # 杭州 + 市民, not 杭州市 + 民
    assert names(find_places(text, gazetteer), text) == [("杭州", "杭州市")]


def test_squares_are_places(nlp):
    doc = nlp("执法人员重点检查了金川广场、汽车站等人员密集场所。")
    assert ("金川广场", "PLACE") in {(e.text, e.label_) for e in doc.ents}
    assert not [e for e in nlp("各地跳广场舞的市民越来越多。").ents if "广场" in e.text]
    assert not [e for e in nlp("新建大型广场两处。").ents if "广场" in e.text]


def _places(doc):
    return [(e.text, e.start_char) for e in doc.ents if e.label_ == "PLACE"]


def test_no_place_inside_an_idiom_but_the_city_stays(nlp):
    text = "山西省长治市召开平安建设推进会。长治将持续推进基层治理，确保社会长治久安，群众安居乐业。"
    places = _places(nlp(text))
    idiom_at = text.index("长治久安")
    assert ("长治市", 3) in places                      # the full name
    assert ("长治", text.index("长治将")) in places      # the short form alone, as a subject
    assert not any(idiom_at <= start < idiom_at + 4 for _, start in places), places
    assert not any(name in ("安居", "乐业") for name, _ in places), places


def test_no_place_inside_a_parallel_slogan(nlp):
    text = "上海市金山区坚持绿水青山就是金山银山的理念，金山区的生态环境持续改善。"
    places = _places(nlp(text))
    slogan_at = text.index("金山银山")
    assert ("金山区", 3) in places
    assert not any(slogan_at <= start < slogan_at + 4 for _, start in places), places


def test_the_idioms_kept_are_those_holding_a_place(gazetteer):
    from kg.nlp.gazetteer import idioms_with_places

    lines = ["长治久安\t10", "一丝不苟\t10", "一不做，二不休\t1"]
    assert idioms_with_places(gazetteer, lines) == ["长治久安"]
    assert find_places("社会长治久安", gazetteer, idioms=frozenset(["长治久安"])) == []
    assert [m.start for m in find_places("社会长治久安", gazetteer)] == [2]  # without the idiom list


def test_a_province_before_a_place_sharing_its_character_is_no_slogan(gazetteer):
    from kg.nlp.gazetteer import set_phrases

    # 某海省海某州: 青海 + 省 + 海…, two names, not the pattern XY-ZY of a slogan
    assert set_phrases("青海省海东市召开会议", gazetteer, frozenset()) == []
    assert set_phrases("坚持金山银山理念", gazetteer, frozenset()) == [(2, 6)]

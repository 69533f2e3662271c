"""kg_entities: rules and statistical spans merged into one consistent doc.ents."""

import pytest
from spacy.tokens import Span


def run_with_model_spans(nlp, text, model_spans, style=None):
    """Run the pipeline, as if the statistical NER had proposed `model_spans` (char offsets)
    (and the text_style classifier had read `style`, when given)."""
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == "kg_entities":
            doc.ents = [Span(doc, *_tokens(doc, s, e), label=label) for s, e, label in model_spans]
            if style is not None:
                doc._.kg_text_style = style
        doc = component(doc)
    return [(e.text, e.label_) for e in doc.ents]


def _tokens(doc, start, end):
    span = doc.char_span(start, end)
    return span.start, span.end


def test_model_org_swallows_the_place_inside_it(nlp):
    text = "他毕业于南京大学。"
    ents = run_with_model_spans(nlp, text, [(4, 8, "ORG")])
    assert ("南京大学", "ORG") in ents and ("南京", "PLACE") not in ents


def test_rules_win_over_overlapping_model_spans(nlp):
    text = "今年以来，苏州市人社局大力加强社会保障。"
    ents = run_with_model_spans(nlp, text, [(5, 13, "ORG")])  # 苏州市人社局大力: a bad model span
    assert ("苏州市人社局", "AGENCY") in ents


def test_implausible_model_people_and_places_are_dropped(nlp):
    text = "管理员可向银行网点提交委托，各乡镇全面推进。"
    ents = run_with_model_spans(nlp, text, [(0, 3, "PERSON"), (14, 17, "PLACE")])
    assert ents == []


def test_internal_labels_are_mapped(nlp):
    text = "地址是北京市海淀区中关村大街1号。"
    ents = run_with_model_spans(nlp, text, [(3, 16, "ADDRESS")])
    assert ("北京市海淀区中关村大街1号", "PLACE") in ents


def test_model_cannot_merge_gazetteer_places_or_invent_divisions(nlp):
    text = "组织到河间市兴村镇大庄、阁上观摩，整合市、县两级执法力量。"
    ents = run_with_model_spans(nlp, text, [(3, 11, "ADDRESS"), (17, 20, "PLACE")])
    assert ("兴村镇", "PLACE") in ents and ("大庄", "PLACE") in ents
    assert ("整合市", "PLACE") not in ents


@pytest.mark.parametrize("style, expected", [
    ("press", [("浙江", "PLACE"), ("上海", "PLACE")]),  # MSRA: every place is named
    ("web", [("上海", "PLACE")]),  # CLUENER: where something is, as the model read it
])
def test_web_text_names_the_places_the_model_reads(nlp, style, expected):
    text = "浙江经济稳中向好，峰会在上海举行。"
    assert run_with_model_spans(nlp, text, [(12, 14, "ADDRESS")], style=style) == expected


@pytest.mark.parametrize("style, expected", [
    ("press", [("李", "PERSON")]),  # MSRA names 老李's 李
    ("web", []),  # CLUENER never names a person by a surname alone
])
def test_a_lone_surname_is_a_person_in_press_text_only(nlp, style, expected):
    assert run_with_model_spans(nlp, "老李笑了。", [(1, 2, "PERSON")], style=style) == expected


def test_positions_are_no_entities(nlp):
    text = "局长在会上讲话。"
    assert run_with_model_spans(nlp, text, [(0, 2, "POSITION")]) == []


def test_model_agencies_without_an_organ_head_are_organisations(nlp):
    text = "今天消协发布消费提示。"
    assert run_with_model_spans(nlp, text, [(2, 4, "AGENCY")]) == [("消协", "ORG")]


def test_single_characters_are_tagged_but_not_linked(nlp):
    from kg.nlp.linker import linkable

    text = "中美双方就此举行会谈。"
    doc = nlp.make_doc(text)
    for name, component in nlp.pipeline:
        if name == "kg_entities":
            doc.ents = [Span(doc, 0, 1, label="LOC"), Span(doc, 1, 2, label="LOC")]
        doc = component(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("中", "PLACE"), ("美", "PLACE")]
    assert not any(linkable(e) for e in doc.ents)
    assert not any(e.kb_id_ for e in doc.ents)  # kg_linker left them without a canonical entity


@pytest.mark.parametrize("text, model_spans, expected", [
    # names that begin with a determiner character (全国…, 本雅明·…)
    ("全国政协副主席会见了本雅明·内塔尼亚胡。", [(0, 4, "AGENCY"), (10, 19, "PERSON")],
     [("全国政协", "AGENCY"), ("本雅明·内塔尼亚胡", "PERSON")]),
    # a foreign city the gazetteer lacks
    ("代表团在大阪市会见了当地官员。", [(4, 7, "PLACE")], [("大阪市", "PLACE")]),
    # the rule stops at 大学 / at the 联合 of 联合国; the model reads the whole unit
    ("浙江大学教育学院与联合国亚太经社委员会签约。", [(0, 8, "ORG"), (9, 19, "AGENCY")],
     [("浙江大学教育学院", "ORG"), ("联合国亚太经社委员会", "AGENCY")]),
    # AGENCY as the model was trained: armed forces and central banks are organs (MSRA
    # split in pipelines/ner, CLUENER's government class); an association is an ORG
    ("央行与海军、消协分别发布通知。", [(0, 2, "AGENCY"), (3, 5, "AGENCY"), (6, 8, "AGENCY")],
     [("央行", "AGENCY"), ("海军", "AGENCY"), ("消协", "ORG")]),
    # 那/这 begin a description only before a measure word (这家公司), not 那不勒斯
    ("那不勒斯客场击败了这家公司赞助的球队。", [(0, 4, "ORG"), (9, 13, "ORG")],
     [("那不勒斯", "ORG")]),
    # names in Latin letters are names; digits are not
    ("Eric和JohnConnor对阵A1。", [(0, 4, "PERSON"), (5, 15, "PERSON"), (17, 19, "PERSON")],
     [("Eric", "PERSON"), ("JohnConnor", "PERSON")]),
], ids=["determiner-start", "foreign-city", "longer-name", "trained-agency-split",
        "determiner-or-name", "latin-names"])
def test_model_spans_the_merger_keeps(nlp, text, model_spans, expected):
    ents = run_with_model_spans(nlp, text, model_spans)
    assert all(entity in ents for entity in expected), ents
    kept = {name for name, _ in expected}
    dropped = {text[s:e] for s, e, _ in model_spans} - kept
    assert not any(name in dropped for name, _ in ents), ents


@pytest.mark.parametrize("text, model_spans, expected, absent", [
    # the model ends the name one character earlier or later than the rule's guess
    ("国防部长李明就在会上表态。", [(4, 6, "PERSON")], ("李明", "PERSON"), "李明就"),
    ("代理律师王大为在庭上称。", [(4, 7, "PERSON")], ("王大为", "PERSON"), "王大"),
    # a title inside an organisation's name the model reads whole introduces nobody
    ("省社科院长江流域经济研究所所长发言。", [(0, 13, "AGENCY")],
     ("省社科院长江流域经济研究所", "ORG"), "江流域"),
])
def test_title_rule_names_checked_by_the_model(nlp, text, model_spans, expected, absent):
    ents = run_with_model_spans(nlp, text, model_spans)
    assert expected in ents
    assert all(name != absent for name, _ in ents)


@pytest.mark.parametrize("text, model_spans, absent", [
    ("要加强重大理论问题研究。", [], "大理"),              # 重大 + 理论
    ("全力发展乡村旅游产业。", [], "发展乡"),              # 发展 + 乡村
])
def test_a_gazetteer_place_cutting_words_needs_the_model(nlp, text, model_spans, absent):
    assert all(name != absent for name, _ in run_with_model_spans(nlp, text, model_spans))


def test_a_gazetteer_place_the_model_reads_stays_whatever_the_words(nlp):
    text = "京津冀协同发展取得新进展。"
    ents = run_with_model_spans(nlp, text, [(0, 1, "PLACE"), (1, 2, "PLACE"), (2, 3, "PLACE")])
    assert [name for name, label in ents if label == "PLACE"] == ["京", "津", "冀"]
    assert ("嘉兴市", "PLACE") in run_with_model_spans(nlp, "嘉兴市召开全市经济工作会议。", [])


def test_title_rule_names_without_model_agreement_stay(nlp):
    """Without a model span the rule's name stands, with its title."""
    doc = nlp("党支部书记李明强说，工作要落实。")
    people = [(e.text, e._.kg_title) for e in doc.ents if e.label_ == "PERSON"]
    assert people == [("李明强", "党支部书记")]


def test_two_issuers_read_back_to_back_stay_two(nlp):
    text = "近日，江西省委办公厅江西省政府办公厅联合印发通知。"
    joined = (text.index("江西省委"), text.index("联合"), "AGENCY")  # the model joined both issuers
    ents = run_with_model_spans(nlp, text, [joined])
    assert ("江西省委办公厅", "AGENCY") in ents and ("江西省政府办公厅", "AGENCY") in ents


def test_dateline_is_read_by_the_pipeline(tmp_path):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    (tmp_path / "a.txt").write_text("新华社长沙6月9日电（记者严某某）6月9日，湖南省召开防汛工作会议，部署全省防汛工作。",
                                    encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    names = {(d["label"], d["name"]) for _, d in graph.nodes(data=True) if d["kind"] == "Entity"}
    assert ("PLACE", "长沙市") in names and ("ORG", "新华社") in names


def test_the_publisher_and_a_closing_byline_reach_the_graph(tmp_path):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    (tmp_path / "a.txt").write_text(
        "发布时间：2021-04-06 09:30 来源：江城晚报\n"
        "近日，宁川市应急管理局组织开展防汛应急演练，检验各部门协同处置能力，参演人员300余名。\n"
        "江城日报社融媒体记者 柯雨桐\n", encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    names = {(d["label"], d["name"]) for _, d in graph.nodes(data=True) if d["kind"] == "Entity"}
    assert {("ORG", "江城晚报"), ("ORG", "江城日报社"), ("PERSON", "柯雨桐")} <= names


def test_a_venue_named_after_its_owner_is_one_place(nlp):
    text = "座谈会在省政协会议中心召开。"
    start = text.index("省政协")
    ents = run_with_model_spans(nlp, text, [(start, start + 3, "AGENCY"), (start + 3, start + 7, "PLACE")])
    assert ("省政协会议中心", "PLACE") in ents and ("省政协", "AGENCY") not in ents


def test_a_unit_written_after_its_parent_stays_one_name(nlp):
    text = "湖南省渔政执法总队岳阳支队开展巡查。"
    end = text.index("开展")
    ents = run_with_model_spans(nlp, text, [(0, end, "ORG")])
    assert ("湖南省渔政执法总队岳阳支队", "ORG") in ents


@pytest.mark.parametrize("text, clause, organ", [
    ("县长洪某某主持召开县政府专题会议。", "主持召开县政府", "县政府"),
    ("学习贯彻会议精神和县政协五次会议精神。", "会议精神和县政协", "县政协"),
])
def test_an_organ_name_never_starts_with_a_clause(nlp, text, clause, organ):
    start = text.index(clause)
    ents = run_with_model_spans(nlp, text, [(start, start + len(clause), "AGENCY")])
    assert (organ, "AGENCY") in ents and (clause, "AGENCY") not in ents


@pytest.mark.parametrize("text, name", [
    ("昨日，南阳市委召开常委会议。", "南阳市委"),
    ("中共某县委召开全会。", "中共某县委"),
])
def test_a_place_or_the_party_before_a_level_word_stays_in_the_name(nlp, text, name):
    start = text.index(name)
    ents = run_with_model_spans(nlp, text, [(start, start + len(name), "AGENCY")])
    assert (name, "AGENCY") in ents


def test_an_organ_name_never_holds_a_titled_person(nlp):
    doc = nlp("区长洪某某主持召开区政府专题会议。")
    assert not [e for e in doc.ents if e.label_ in ("AGENCY", "ORG") and "洪" in e.text]


@pytest.mark.parametrize("text,model_spans", [
    ("全县共发放补贴资金2024万元，惠及农户。", [(9, 13, "PROGRAM")]),
    ("项目编号为“3307-12”的工程已开工。", [(6, 13, "ORG")]),
])
def test_no_entity_is_only_digits_or_punctuation(nlp, text, model_spans):
    ents = run_with_model_spans(nlp, text, model_spans)
    assert not any(all(not ch.isalpha() for ch in name) for name, _ in ents), ents



@pytest.mark.parametrize("text, model_span, expected", [
    # a dash or a comma at an edge is no part of a name
    ("沿线经过天山-祁连山一带的牧区。", (6, 10, "PLACE"), ("祁连山", "PLACE")),
    # a closing mark the name never opened stays outside it
    ("本届论坛由作家陈晓梅）主持。", (7, 11, "PERSON"), ("陈晓梅", "PERSON")),
    ("“云栖湖畔”楼盘开盘当日售罄。", (1, 6, "PLACE"), ("云栖湖畔", "PLACE")),
    # an unclosed bracket whose closing mark follows takes it: the aside is part of an address
    ("售楼处设在城南大道88号（地铁站东侧），欢迎来访。", (5, 18, "ADDRESS"),
     ("城南大道88号（地铁站东侧）", "PLACE")),
    # an unclosed quote before a closing mark: the quoted text is the name
    ("当地“环保联合会”昨日发布报告。", (0, 8, "ORG"), ("环保联合会", "ORG")),
])
def test_model_spans_get_their_punctuation_put_right(nlp, text, model_span, expected):
    ents = run_with_model_spans(nlp, text, [model_span])
    assert expected in ents, ents
    assert text[model_span[0]:model_span[1]] not in {name for name, _ in ents}


def test_a_model_span_reading_into_an_unclosed_title_is_dropped(nlp):
    text = "据英国《海洋生物学报》报道，研究已完成。"
    ents = run_with_model_spans(nlp, text, [(1, 6, "AGENCY")])
    assert not any("《" in name for name, _ in ents), ents


def test_a_title_the_model_reads_half_of_is_dropped_and_a_whole_one_unmarked(nlp):
    text = "《乡土志校注本》首发，《江城晚报》作了报道。"
    ents = run_with_model_spans(nlp, text, [(0, 4, "ORG"), (11, 16, "ORG")])
    assert ("江城晚报", "ORG") in ents, ents
    assert not any("乡土" in name for name, _ in ents), ents

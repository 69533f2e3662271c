"""People introduced by titles, and the plausibility filter for model names."""

import pytest

from kg.nlp.people import find_people, is_plausible_name


@pytest.mark.parametrize("text, name, title", [
    ("（记者陈晓东 通讯员刘佳）", "陈晓东", "记者"),
    ("（记者陈晓东 通讯员刘佳）", "刘佳", "通讯员"),
    ("村党支部书记赵国强为全体党员讲党课", "赵国强", "村党支部书记"),
    ("大庄村党支部书记赵国强为全体党员讲党课", "赵国强", "党支部书记"),
    ("吴江区行政审批局局长王建华表示", "王建华", "局长"),
    ("市长欧阳明辉说", "欧阳明辉", "市长"),
    ("江南日报通讯员 孙丽摄", "孙丽", "通讯员"),
])
def test_title_then_name(text, name, title):
    found = {(text[s:e], t) for s, e, t in find_people(text)}
    assert (name, title) in found


def test_title_without_name_gives_nothing():
    assert list(find_people("充分发挥法律顾问、公职律师在行政决策中的作用")) == []
    assert list(find_people("记者从新闻发布会上获悉")) == []


@pytest.mark.parametrize("word", ["全面", "高质量", "方式", "通过"])
def test_common_words_are_not_names(word):
    assert not is_plausible_name(word)


def test_names_are_plausible():
    assert is_plausible_name("张建国") and is_plausible_name("司马光明")
    assert not is_plausible_name("张") and not is_plausible_name("abc")


def test_title_chains_and_level_organs():
    text = "会议由市委副书记、市长郑建新主持"
    assert [(text[s:e], t) for s, e, t in find_people(text)] == [("郑建新", "市委副书记、市长")]
    text = "河间市委书记王强说"  # the named organ stays outside, its Party committee's post inside
    assert [(text[s:e], t) for s, e, t in find_people(text)] == [("王强", "市委书记")]


def test_level_titles_link_to_the_article_city(tmp_path):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    (tmp_path / "a.txt").write_text("本报讯 9月20日，长沙市召开安全生产工作会议。市委副书记、市长郑建新主持会议。", encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    roles = {(graph.nodes[u]["name"], graph.nodes[v]["name"], d["position"])
             for u, v, d in graph.edges(data=True) if d["type"] == "HOLDS_POSITION"}
    assert {("郑建新", "长沙市", "市长"), ("郑建新", "长沙市委", "市委副书记")} <= roles


@pytest.mark.parametrize("text, names", [
    ("为全镇经济发展多提建议。（欧阳晓 孟凡）", ["欧阳晓", "孟凡"]),
    ("活动取得了实效。(邵静)\n下一段", ["邵静"]),
    ("推动工作落地见效。（汪海、樊丽丽、石磊）", ["汪海", "樊丽丽", "石磊"]),
])
def test_closing_bracketed_credits_are_people(text, names):
    from kg.nlp.people import find_credits

    assert [text[s:e] for s, e in find_credits(text)] == names


@pytest.mark.parametrize("text", ["按规定执行。（试行）", "详见附件。（市政府办公室）", "（记者 王某）近日"])
def test_brackets_that_are_no_credit(text):
    from kg.nlp.people import find_credits

    assert list(find_credits(text)) == []


def test_a_bracketed_place_closing_a_paragraph_is_no_credit(nlp):
    doc = nlp("该项目由中铁建设集团承建。（江苏）\n下一段。")
    assert [e.text for e in doc.ents if e.label_ == "PERSON"] == []


def test_names_listed_after_a_titled_name_are_people():
    text = "副市长李文昌、张一鸣、刘春华参加活动。"
    found = [(text[s:e], t) for s, e, t in find_people(text)]
    assert ("张一鸣", None) in found and ("刘春华", None) in found
    text = "市委书记王强、市长李明出席。"
    assert [(text[s:e], t) for s, e, t in find_people(text)] == [("王强", "市委书记"), ("李明", "市长")]


def _titled_people(nlp, text):
    return {(e.text, e._.kg_title) for e in nlp(text).ents if e.label_ == "PERSON"}


@pytest.mark.parametrize("text,expected", [
    # a dotted transliterated name runs to its boundary, not cut at three characters
    ("县委书记欧阳明华、县长买买提·艾力出席会议。", {("欧阳明华", "县委书记"), ("买买提·艾力", "县长")}),
    # a name of more characters than a surname rule reads, after a title
    ("会议由副县长阿不都热合曼主持。", {("阿不都热合曼", "副县长")}),
    ("市委常委、常务副市长索朗扎西，副市长次仁顿珠一同会见。",
     {("索朗扎西", "市委常委、常务副市长"), ("次仁顿珠", "副市长")}),
    ("自治区党委常委、市委书记多吉次仁亲切会见了代表团一行。", {("多吉次仁", "自治区党委常委、市委书记")}),
    ("盟委委员、副盟长乌力吉巴雅尔，区长司马云飞参加。", {("乌力吉巴雅尔", "盟委委员、副盟长"), ("司马云飞", "区长")}),
])
def test_names_after_a_title_are_not_cut_at_a_fixed_length(nlp, text, expected):
    assert expected <= _titled_people(nlp, text)


def test_a_dotted_name_needs_no_model():
    from kg.nlp.people import find_people

    text = "副州长艾尔肯·吐尼亚孜主持会议。"
    assert [(text[s:e], t) for s, e, t in find_people(text)] == [("艾尔肯·吐尼亚孜", "副州长")]


@pytest.mark.parametrize("text, expected", [
    ("副县长扎西顿珠一同会见了客人。", [("扎西顿珠", "副县长")]),
    ("市委常委、副市长格桑旺堆主持会议。", [("格桑旺堆", "市委常委、副市长")]),
    # a verb, an organ or a meeting after the title is no name
    ("副市长深入调研企业复工情况。", []),
    ("市长办公会议主持人由秘书长担任。", []),
    ("深入学习贯彻总书记重要指示要求。", []),
])
def test_a_name_after_a_title_runs_to_the_verb(text, expected):
    assert [(text[s:e], t) for s, e, t in find_people(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("市委书记王志远今天在座谈会上说，要讲好本地故事。", [("王志远", "市委书记")]),
    ("外交部长阿卜杜拉·哈桑今天发表声明。", [("阿卜杜拉·哈桑", "部长")]),
    # an adverb after the title is no name (马 is a surname, 地 marks the adverb)
    ("几位记者马不停蹄地赶往灾区。", []),
])
def test_a_time_word_or_an_adverb_ends_what_follows_a_title(text, expected):
    assert [(text[s:e], t) for s, e, t in find_people(text)] == expected


def test_a_common_word_after_a_title_is_a_name_only_where_the_ner_reads_one():
    from kg.nlp.gazetteer import read_word_list
    from kg.nlp.people import PACKAGED_COMMON_WORDS

    common = read_word_list(PACKAGED_COMMON_WORDS)
    assert {"呼吁", "居住"} <= common and "王强" not in common
    text = "老人请记者呼吁，让更多人关注此事。"  # 呼 is a surname too
    assert list(find_people(text, {}, common)) == []
    text = "副市长高峰出席会议。"  # a name that is also a word (peak): the NER decides
    assert [(text[s:e], t) for s, e, t in find_people(text, {3: 5}, common)] == [("高峰", "副市长")]
    assert list(find_people(text, {}, common)) == []


def test_the_packaged_common_words_are_what_the_recipe_writes():
    from kg.nlp.gazetteer import read_word_list
    from kg.nlp.people import PACKAGED_COMMON_WORDS, common_words_from_jionlp

    assert read_word_list(PACKAGED_COMMON_WORDS) == frozenset(common_words_from_jionlp())


def test_a_name_the_ner_reads_before_a_post_holds_it(nlp):
    assert ("多吉次仁", "书记") in _titled_people(nlp, "会上，多吉次仁书记指出，要抓好安全生产。")


def test_a_name_the_ner_cuts_before_a_post_runs_to_it(nlp):
    assert ("扎西顿珠", "主任") in _titled_people(nlp, "扎西顿珠主任一行来到合作社调研。")

"""kg_roles: posts built from organ words and post words, chains, and the organ of each title."""

import pytest

from kg.nlp.people import find_people, split_title


def people(text):
    return [(text[s:e], t) for s, e, t in find_people(text)]


@pytest.mark.parametrize("text, name, titles", [
    # organ words + rank + post, for posts no list names whole
    ("区人大常委会主任林海涛率调研组到桥东街道检查", "林海涛", "区人大常委会主任"),
    ("县政协副主席范晓梅主持会议", "范晓梅", "县政协副主席"),
    ("镇党委副书记、镇长贺立新汇报了工作", "贺立新", "镇党委副书记、镇长"),
    ("省委常委、市委书记尹东平出席", "尹东平", "省委常委、市委书记"),
    ("市委副书记、政法委书记庞志刚等参加", "庞志刚", "市委副书记、政法委书记"),
    ("区委常委、区委秘书长蒋文博宣读了通知", "蒋文博", "区委常委、区委秘书长"),
    ("县委常委、常务副县长吕安平讲话", "吕安平", "县委常委、常务副县长"),
    ("自治区党委副书记、自治区主席闵国华主持签约仪式", "闵国华", "自治区党委副书记、自治区主席"),
    ("市政府党组成员、秘书长柯俊峰通报情况", "柯俊峰", "市政府党组成员、秘书长"),
    ("村支书韦小平介绍", "韦小平", "村支书"),
    # a named organ before the post stays outside the title
    ("某某集团股份有限公司副总裁邹明轩表示", "邹明轩", "副总裁"),
    ("某某路桥有限公司总经济师汤立说", "汤立", "总经济师"),
    ("南湖区教育局局长童雅琴指出", "童雅琴", "局长"),
    ("清溪中学校长柏文军介绍", "柏文军", "校长"),
    ("西山村党支部书记申建国带领党员", "申建国", "党支部书记"),
    ("市公安局调研员聂红霞参加", "聂红霞", "调研员"),
    # a named organ inside a chain belongs to its own title; the chain goes on before it
    ("自治区党委副书记、自治区人民政府党组书记、青城市委书记孙明参加", "孙明",
     "自治区党委副书记、自治区人民政府党组书记、市委书记"),
    ("受市委书记高国栋委托，副市长陈东致辞", "高国栋", "市委书记"),   # 委托 after a name
    # one person's posts in two groups across a comma (the first group ends with no name)
    ("市委常委、组织部部长，市委党校校长王丽华，市委常委、秘书长赵海东出席", "王丽华",
     "市委常委、组织部部长、校长"),
])
def test_titles_are_composed(text, name, titles):
    assert (name, titles) in people(text)


@pytest.mark.parametrize("text, name", [
    ("市人大常委会主任符国和率队检查防汛工作", "符国和"),   # 和 then a verb: the name has three characters
    ("市政协主席韩璐分别就两项议题作说明", "韩璐"),           # 分别 after a two-character name
    ("市长常青和副市长邓雪出席", "常青"),                   # 和 then a second person
])
def test_names_after_titles_keep_their_length(text, name):
    assert name in [n for n, _ in people(text)]


def test_titles_alone_make_no_person():
    assert people("会议听取了市人大常委会主任会议的汇报") == []
    assert people("各乡镇党委书记、镇长要亲自抓") == []


@pytest.mark.parametrize("title, organ, post", [
    ("市委副书记", "市委", "副书记"),
    ("市人大常委会主任", "市人大常委会", "主任"),
    ("常务副市长", "", "常务副市长"),
    ("政法委书记", "政法委", "书记"),
])
def test_split_title(title, organ, post):
    assert split_title(title) == (organ, post)


def _roles(nlp, text):
    doc = nlp(text)
    return [(p.text, t, o.text if o is not None else None) for p, t, o in doc._.roles]


def test_roles_component_names_the_organ_of_each_title(nlp):
    assert "kg_roles" in nlp.pipe_names
    roles = _roles(nlp, "9月3日，市委副书记、市人大常委会主任钟亦凡主持召开座谈会。")
    assert ("钟亦凡", "市委副书记", "市委") in roles
    assert ("钟亦凡", "市人大常委会主任", "市人大常委会") in roles


def test_roles_component_takes_the_named_organ_before_a_post(nlp):
    roles = _roles(nlp, "会上，河源市生态环境局局长温立群作了发言。")
    assert roles == [("温立群", "局长", "河源市生态环境局")]


def test_a_bare_post_leaves_the_organ_to_the_linker(nlp):
    roles = _roles(nlp, "副市长葛文涛出席活动。")
    assert roles == [("葛文涛", "副市长", None)]


def test_roles_survive_doc_serialisation(nlp):
    from spacy.tokens import Doc

    doc = nlp("县委书记梁振宇强调，要抓好秋冬季防火。")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [(p.text, t) for p, t, _ in again._.roles] == [("梁振宇", "县委书记")]


def test_a_person_named_once_with_a_title_keeps_the_whole_name(nlp):
    doc = nlp("县人大常委会主任符国和率队检查防汛工作。检查中，符国和要求，要压实责任。")
    people_found = [e.text for e in doc.ents if e.label_ == "PERSON"]
    assert people_found == ["符国和", "符国和"]


def test_roles_reach_the_graph_with_their_organs(tmp_path):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    (tmp_path / "a.txt").write_text(
        "本报讯 5月8日，南平市召开防汛工作会议。市委副书记、市长严海波，市政协主席魏晓东出席会议。",
        encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    roles = {(graph.nodes[u]["name"], graph.nodes[v]["name"], d["position"])
             for u, v, d in graph.edges(data=True) if d["type"] == "HOLDS_POSITION"}
    assert ("严海波", "南平市", "市长") in roles
    assert ("严海波", "南平市委", "市委副书记") in roles
    assert ("魏晓东", "南平市政协", "市政协主席") in roles


def test_a_post_with_organ_words_takes_the_named_organ_before_it(nlp):
    roles = _roles(nlp, "活动邀请青石镇新桥村党支部书记潘立军为党员讲党课。")
    assert len(roles) == 1
    person, title, organ = roles[0]
    assert (person, title) == ("潘立军", "党支部书记") and organ is not None and "新桥村" in organ


@pytest.mark.parametrize("text, expected", [
    ("会上，韩立峰书记指出，要压实责任。", [("韩立峰", "书记")]),
    ("会议由刘振东副市长主持。", [("刘振东", "副市长")]),
    ("，苗青主任一行察看了现场。", [("苗青", "主任")]),
])
def test_name_then_post(text, expected):
    from kg.nlp.people import find_people_before_posts

    assert [(text[s:e], p) for s, e, p in find_people_before_posts(text)] == expected


@pytest.mark.parametrize("text", ["，党委书记要带头", "各支部书记参加", "全体委员会议召开", "学校长期坚持"])
def test_organs_and_words_before_posts_are_no_names(text):
    from kg.nlp.people import find_people_before_posts

    assert list(find_people_before_posts(text)) == []


def test_surname_and_post_refer_to_the_person_given_that_post(nlp):
    doc = nlp("市委书记韩立峰主持会议。韩书记强调，要压实责任。王书记也参加了。")
    references = [(e.text, e._.kg_refers_to) for e in doc.ents if e._.kg_refers_to]
    assert references == [("韩书记", "韩立峰")]  # no 王 was given a post: 王书记 stays unresolved
    assert "王书记" not in [e.text for e in doc.ents]


def test_a_reference_links_to_the_full_name_in_the_graph(tmp_path):
    from kg.build import build
    from kg.readwrite.json_graph import read_json

    (tmp_path / "a.txt").write_text("本报讯 副市长刘振东出席活动。刘副市长要求各部门加强协作。", encoding="utf-8")
    build([str(tmp_path / "a.txt")], tmp_path / "out")
    graph = read_json(tmp_path / "out" / "graph.json")
    people = [d for _, d in graph.nodes(data=True) if d.get("label") == "PERSON"]
    assert [p["name"] for p in people] == ["刘振东"] and people[0]["mentions"] == 2


def test_words_before_posts_are_no_names_where_the_segmenter_keeps_them_whole(nlp):
    doc = nlp("会上，武装部长和纪检委员分别发言。")
    assert [e for e in doc.ents if e.label_ == "PERSON"] == []


def test_a_bare_level_post_belongs_to_the_division_named_before_it(nlp):
    roles = _roles(nlp, "平远县委书记林春雷、县长戴国辉陪同调研。")
    assert ("戴国辉", "县长", "平远县") in roles
    roles = _roles(nlp, "南平市委副书记、市长严海波出席。")
    assert ("严海波", "市长", "南平市") in roles


def test_common_surnames_make_names(nlp):
    doc = nlp("县长赖国辉陪同调研，副县长傅小红参加。")
    assert {"赖国辉", "傅小红"} <= {e.text for e in doc.ents if e.label_ == "PERSON"}


def test_each_title_of_a_chain_with_a_named_organ_inside_is_a_role(nlp):
    doc = nlp("自治区党委副书记、自治区人民政府党组书记、青城市委书记孙明参加。")
    roles = [(person.text, title) for person, title, _organ in doc._.roles]
    assert roles == [("孙明", "自治区党委副书记"), ("孙明", "自治区人民政府党组书记"), ("孙明", "市委书记")]

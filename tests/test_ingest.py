"""Tests for kg.ingest on real files: every supported encoding, bad files, the sample
page (checked against the hand-made gold file) and small pages of other papers/cities."""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kg.ingest import (Article, Byline, InputError, decode_bytes, iter_input_files, load_documents,
                       normalise, read_text_file, reflow, split_articles)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "ingest"
SEED = ROOT / "seeds" / "000_982aec6d1ff4d695.txt"
GOLD = ROOT.parent / "shared" / "gold" / "seed_gold.json"  # outside the repository, tests only

NEWS = ("本报讯（记者周明远 通讯员钱晓峰）记者从5月5日召开的湖州市住房和城乡建设工作会议上获悉，"
        "今年湖州市计划完成老旧小区改造126个，惠及居民2.3万户，总投资约18亿元。\n"
        "据介绍，改造内容包括加装电梯、雨污分流、增设停车位和充电桩等。\n")


def squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


# ---------------------------------------------------------------- encodings and bad files
@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("gb18030", b""), ("gbk", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""), ("utf-16-be", b""),
])
def test_each_encoding_is_read_from_a_real_file(tmp_path, encoding, bom):
    path = tmp_path / f"news_{encoding}.txt"
    path.write_bytes(bom + NEWS.encode(encoding))
    assert read_text_file(path) == NEWS
    articles, skipped = load_documents([str(path)])
    assert skipped == []
    assert [b.name for b in articles[0].bylines] == ["周明远", "钱晓峰"]


@pytest.mark.parametrize("text, encoding", [("今天下雨", "gbk"), ("湖州市人民政府", "gbk"), ("中国", "gb18030"),
                                            ("2022年3月15日 星期二", "gbk"), ("臺南推動公共運輸", "big5")])
def test_short_legacy_encoded_text_is_not_mistaken_for_another_script(text, encoding):
    assert decode_bytes(text.encode(encoding), "short.txt") == text


def test_utf8_with_one_damaged_byte_is_still_utf8():
    data = NEWS.encode("utf-8")
    damaged = data[:30] + b"\xff" + data[31:]
    text = decode_bytes(damaged, "damaged.txt")
    assert text.count("\ufffd") <= 2 and text.endswith(NEWS[-30:])


def test_binary_file_is_rejected_with_its_name(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError) as err:
        read_text_file(path)
    assert "binary" in err.value.reason and err.value.path == str(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("data", [b"", b" \r\n\t \n", "\u3000\u3000\n".encode("utf-8"), codecs.BOM_UTF8 + b"\n"])
def test_empty_and_whitespace_only_files_are_rejected(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match="empty"):
        read_text_file(path)


def test_undecodable_bytes_are_rejected():
    with pytest.raises(InputError, match="undecodable") as err:
        decode_bytes(bytes([0x81, 0x20]) * 60, "mystery.txt")
    assert "mystery.txt" in str(err.value)


def test_missing_file_and_folder_as_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_text_file(tmp_path / "nowhere.txt")
    with pytest.raises(InputError, match="folder"):
        read_text_file(tmp_path)


# ---------------------------------------------------------------- normalise and reflow
def test_normalise_width_script_controls_and_line_ends():
    text = "ＡＢＣ　１２３％，。“测试”《书名》（注）：；\x07\r\n臺灣報導「引號」\rend"
    assert normalise(text) == "ABC 123%，。“测试”《书名》（注）：；\n台湾报导“引号”\nend"


def test_reflow_joins_chinese_without_space_and_latin_with_space():
    assert reflow("这是一段被硬\n换行的中文文本。\n\n他说：Hello\nworld，移动 App\n系统于 2021 年上线。") == [
        "这是一段被硬换行的中文文本。", "他说：Hello world，移动App系统于2021年上线。"]


def test_reflow_removes_pdf_spacing_between_single_characters():
    assert reflow("带动 400 余 名 农 民 就 业 ， 人 均 增 收 约 1.4 万\n元。") == ["带动400余名农民就业，人均增收约1.4万元。"]


def test_reflow_paragraph_breaks():
    text = ("第一段的第一行文字很长很长很长\n长，第一段就此结束。\n第二段开始了，这一行同样很长\n"
            "很长很长。\n  第三段缩进开头，这一行也很长很长\n很长。")
    assert reflow(text) == ["第一段的第一行文字很长很长很长长，第一段就此结束。",
                            "第二段开始了，这一行同样很长很长很长。", "第三段缩进开头，这一行也很长很长很长。"]


def test_reflow_keeps_headlines_apart_and_joins_column_breaks():
    text = "全市召开安全生产工作会议\n\n会议强调，各地各部门要切实做\n好安全生产工作，确保人民群众\n\n生命财产安全。"
    assert reflow(text) == ["全市召开安全生产工作会议", "会议强调，各地各部门要切实做好安全生产工作，确保人民群众生命财产安全。"]


# ---------------------------------------------------------------- the sample page
@pytest.fixture(scope="module")
def seed_articles() -> list[Article]:
    return split_articles(read_text_file(SEED), str(SEED))


def test_seed_page_has_six_dateline_articles_and_two_captions(seed_articles):
    kinds = [a.kind for a in seed_articles]
    assert kinds.count("article") == 6 and kinds.count("caption") == 2
    assert [a.index for a in seed_articles] == list(range(8))
    assert all(a.dateline == "河北日报讯" for a in seed_articles if a.kind == "article")
    if GOLD.exists():
        gold = json.loads(GOLD.read_text(encoding="utf-8"))["articles"]
        assert gold["count_min"] <= len(seed_articles) <= gold["count_max"]


def _gold() -> dict:
    if not GOLD.exists():
        pytest.skip(f"{GOLD} is not here (the gold file lives outside the repository)")
    return json.loads(GOLD.read_text(encoding="utf-8"))


def test_seed_page_bylines(seed_articles):
    """Every reporter and correspondent of the gold roles is a byline with that role."""
    expected = {(r["person"], r["position"]) for r in _gold()["roles"] if r["position"] in ("记者", "通讯员")}
    bylines = {(b.name, b.role) for a in seed_articles for b in a.bylines}
    assert bylines == expected
    orgs = {(b.name, b.org) for a in seed_articles for b in a.bylines}
    assert all((r["person"], r["org"]) in orgs for r in _gold()["roles"] if r.get("org") and (r["person"], r["position"]) in expected)
    assert all(len(a.bylines) == 1 and a.bylines[0].role == "通讯员" for a in seed_articles if a.kind == "caption")
    assert not any(re.search("记者|通讯员|摄", name) for name, _ in bylines)


def _windows(text: str, width: int = 20) -> Counter:
    text = squash(text)
    return Counter(text[i:i + width] for i in range(len(text) - width + 1))


def test_seed_page_pull_quotes_do_not_duplicate_facts(seed_articles):
    """The raw page repeats sentences as pull quotes; the articles keep one copy of each
    (a passage two articles really both say stays in both)."""
    page = _windows(read_text_file(SEED))
    repeated = {w for w, n in page.items() if n > 1}
    assert repeated, "the sample page no longer has pull quotes to drop"
    per_article = [_windows(a.text) for a in seed_articles]
    assert all(n == 1 for counts in per_article for w, n in counts.items() if w in repeated)
    in_articles = sum((counts for counts in per_article), Counter())
    dropped = {w for w in repeated if in_articles[w] < page[w]}
    assert len(dropped) > len(repeated) / 2


def test_seed_page_headlines_go_to_their_articles(seed_articles):
    def by_text(word):
        return next(a for a in seed_articles if word in a.text)
    assert "沧州提高生态环境保护执法效能" in by_text("移动执法").title
    assert by_text("新媒体普法矩阵").title == "黄骅“新媒体普法”入选 省法治政府建设示范项目"
    assert "河间开展“兵支书”“八个一”系列活动" in by_text("兵支书").title
    assert "示范项目" not in by_text("重大行政决策").title
    assert by_text("职业健康企业").title.replace(" ", "") == "今年将创建85家省级职业健康企业"


def test_seed_page_text_is_reflowed(seed_articles):
    first = seed_articles[0]
    assert first.text.startswith("重大行政决策程序进一步规范、政府法律顾问队伍建设")
    raw_lines = read_text_file(SEED).splitlines()
    # some sentence of the page is cut by a column break, and the article holds it whole
    cut = [(a, b) for a, b in zip(raw_lines, raw_lines[1:]) if a and b and not re.search(r"[。！？”]$", a)
           and squash(a + b) in squash(first.text) and (a.strip() + b.strip()) in first.text]
    assert cut
    assert "\n政府法律顾问队伍建设进一步加强。制定了" in first.text
    assert all(" " not in a.text for a in seed_articles)


def test_seed_page_date_and_year_hint(seed_articles):
    assert {a.date for a in seed_articles} == {None}
    assert {a.year_hint for a in seed_articles} == {2021}
    dated = split_articles(read_text_file(SEED), str(SEED), date="2021-07-31")
    assert {a.date for a in dated} == {"2021-07-31"} and {a.year_hint for a in dated} == {2021}


def test_seed_page_in_traditional_script_and_gb18030_gives_the_same_articles(tmp_path, seed_articles):
    import opencc
    path = tmp_path / "traditional.txt"
    path.write_bytes(opencc.OpenCC("s2t").convert(SEED.read_text(encoding="utf-8")).encode("gb18030"))
    again = split_articles(read_text_file(path), str(path))
    assert [(a.kind, a.title, a.text, a.bylines) for a in again] == [
        (a.kind, a.title, a.text, a.bylines) for a in seed_articles]


@pytest.mark.parametrize("page", [SEED, DATA / "page_hard_wrapped.txt"])
def test_double_spaced_and_crlf_extraction_give_the_same_articles(page):
    text = read_text_file(page)
    expected = [(a.kind, a.title, a.text, a.bylines) for a in split_articles(text, "p.txt")]
    double_spaced = "\r\n\r\n".join(text.split("\n"))  # a blank line after every line
    assert [(a.kind, a.title, a.text, a.bylines) for a in split_articles(double_spaced, "p.txt")] == expected


def test_seed_page_extracted_without_blank_lines(seed_articles):
    text = "\n".join(line for line in read_text_file(SEED).split("\n") if line.strip())
    again = split_articles(text, "p.txt")
    assert [(a.kind, a.title, a.text.replace("\n", ""), a.bylines) for a in again] == [
        (a.kind, a.title, a.text.replace("\n", ""), a.bylines) for a in seed_articles]


# ---------------------------------------------------------------- other papers and styles
def test_hard_wrapped_page_of_another_paper():
    path = DATA / "page_hard_wrapped.txt"
    arts = split_articles(read_text_file(path), str(path))
    assert [(a.kind, a.dateline) for a in arts] == [
        ("article", "本报讯"), ("article", "新华社杭州5月5日电"), ("caption", None), ("article", "中新网湖州5月5日电")]
    assert {a.date for a in arts} == {"2023-05-06"}  # from the page header
    local, agency, caption, fair = arts
    assert local.bylines == [Byline("周明远", "记者", None), Byline("钱晓峰", "通讯员", None)]
    assert agency.bylines == [Byline("吴建国", "记者", "新华社"), Byline("郑晓燕", "记者", "新华社")]
    assert caption.bylines == [Byline("孙立强", "记者", None)] and caption.text.startswith("昨日，南浔区")
    assert fair.bylines == [Byline("方志诚", "记者", "中新网")]
    assert local.title == "湖州启动新一轮老旧小区改造 今年计划完成改造小区126个"
    assert agency.title == "一季度全省水质优良比例提升"
    assert fair.title == "湖州文旅博览会开幕"
    assert "反映强烈的问题，确保年底前全部完工。" in local.text
    assert "".join(a.text for a in arts).count("惠及居民2.3万户") == 1


def test_page_with_byline_line_caption_inside_article_and_editor_footer():
    path = DATA / "page_byline_lines.txt"
    feature, caption, news = split_articles(read_text_file(path), str(path))
    assert (feature.kind, feature.dateline, feature.title) == ("article", None, "春耕备耕忙 田间农事兴")
    assert feature.bylines == [Byline("何晓东", "记者", None), Byline("林平", "通讯员", None)]
    assert feature.text.startswith("眼下正值春耕备耕关键时期")
    assert feature.text.endswith("农技人员已深入田间开展技术指导。")  # text goes on after the photo
    assert (caption.kind, caption.text, caption.bylines) == ("caption", "图为农民在田间操作播种机。",
                                                              [Byline("何晓东", "记者", None)])
    assert news.dateline == "本报讯" and news.title == "全市46个重点项目集中开工"
    assert {a.date for a in (feature, caption, news)} == {"2022-03-15"}
    names = {b.name for a in (feature, caption, news) for b in a.bylines}
    assert not names & {"赵立", "钱明"}  # editors in the page header are not authors


def test_undated_page_is_split_at_headlines():
    path = DATA / "page_undated.txt"
    first, second = split_articles(read_text_file(path), str(path))
    assert (first.dateline, first.title) == (None, "以高质量发展推动共同富裕")
    assert first.text.endswith("加快完善收入分配制度。")
    # this headline shares almost no words with its text: it is placed by position
    assert second.title == "坚持人与自然和谐共生" and second.text.startswith("生态文明建设")


def test_traditional_page_becomes_simplified():
    path = DATA / "page_traditional.txt"
    article, caption = split_articles(read_text_file(path), str(path))
    assert article.title == "台南推动公共运输优惠方案"
    assert article.text.startswith("台南市政府昨日宣布，将于今年下半年推动公共运输优惠方案")
    # 本报 is resolved to the paper named on the page (in the photo credit)
    assert article.bylines == [Byline("陈大文", "记者", "台湾日报"), Byline("黄小雯", "实习生", "台湾日报")]
    assert caption.kind == "caption" and caption.bylines == [Byline("林志强", "记者", "台湾日报")]
    assert article.year_hint == 2024 and article.date is None


def test_single_web_article_with_meta_line():
    path = DATA / "web_article.txt"
    (article,) = split_articles(read_text_file(path), str(path))
    assert article.title == "兰溪市举办乡村振兴论坛"
    assert article.date == "2023-04-18" and article.dateline is None
    assert article.text.split("\n")[0].startswith("4月17日，兰溪市乡村振兴论坛")
    assert "专项资金3.5亿元" in article.text


@pytest.mark.parametrize("text, dateline, bylines", [
    ("新华社北京3月2日电（记者 张三丰、李四海）2日，国务院新闻办公室举行发布会，介绍相关情况。",
     "新华社北京3月2日电", [("张三丰", "记者", "新华社"), ("李四海", "记者", "新华社")]),
    ("本报记者 王大明\n\n近日，全市首个智慧社区服务中心正式投入使用，为居民提供多项便民服务。",
     None, [("王大明", "记者", None)]),
    ("（记者 赵小云）近日，市文化和旅游局公布了第三批市级非物质文化遗产代表性项目名录。",
     None, [("赵小云", "记者", None)]),
    ("江南日报讯（记者王大明 通讯员李\n小红）近日，江南市启动城市更新行动，计划改造道路二十条。",
     "江南日报讯", [("王大明", "记者", "江南日报"), ("李小红", "通讯员", "江南日报")]),
    ("本报讯 （特约记者 欧阳文华 见习记者 孙丽）3日，全市春季植树活动在城郊公园举行，千余人参加。",
     "本报讯", [("欧阳文华", "特约记者", None), ("孙丽", "见习记者", None)]),
    ("本报讯 记者张三 通讯员李四 近日，市交通局开通了三条新的公交线路，方便市民出行。",
     "本报讯", [("张三", "记者", None), ("李四", "通讯员", None)]),
    ("本报北京7月29日电 记者张三报道：今天，全国防汛抗旱工作会议在北京召开，部署下一步工作。",
     "本报北京7月29日电", [("张三", "记者", None)]),
    ("城市书房开进社区\n\n文/本报记者 张三\n\n近日，本市首家社区城市书房正式开放，市民可免费借阅图书。",
     None, [("张三", "记者", None)]),
    ("【記者王小明／台北報導】台北市政府昨日宣布，將擴大公共自行車服務範圍，新增站點五十處。",
     None, [("王小明", "记者", None)]),
    ("【明報專訊】香港特區政府昨日公布新一份施政報告，提出多項房屋措施，以增加公營房屋供應。", "明报专讯", []),
    ("據新華社電 國務院辦公廳日前印發通知，部署做好今年夏季防汛工作，要求各地壓實責任。", "据新华社电", []),
])
def test_dateline_and_byline_styles(text, dateline, bylines):
    (article,) = split_articles(text, "styles.txt")
    assert article.dateline == dateline
    assert article.bylines == [Byline(*b) for b in bylines]
    assert not article.text.startswith(("（", "【", "本报", "记者", "据"))


@pytest.mark.parametrize("text", ["记者从社区电力部门了解到，今年夏季用电高峰期间全市供电平稳有序。",
                                  "本报记者从市电力公司获悉，今年夏季全市用电负荷再创新高，电网运行平稳。"])
def test_running_text_is_not_taken_for_a_dateline(text):
    (article,) = split_articles(text, "x.txt")
    assert article.dateline is None and article.bylines == [] and article.text == text


def test_agency_photo_credit_and_jump_notes():
    text = ("本报讯（记者 张三）近日，全市夏粮收购工作全面展开，各收储企业敞开收购。（下转第2版）\n\n"
            "图为农民在收购点交售小麦。\n\n新华社发（王小明 摄）")
    article, caption = split_articles(text, "x.txt")
    assert article.text == "近日，全市夏粮收购工作全面展开，各收储企业敞开收购。"
    assert caption.text == "图为农民在收购点交售小麦。"
    assert caption.bylines == [Byline("王小明", "摄影", "新华社")]


def test_wrapped_headline_line_without_shared_words_stays_with_its_headline():
    text = ("临江市出台稳就业\n十项举措\n\n本报讯（记者 吴明）临江市日前出台稳就业政策，\n"
            "对吸纳高校毕业生就业的企业给予补贴，\n全年计划新增城镇就业三万人。")
    (article,) = split_articles(text, "x.txt")
    assert article.title == "临江市出台稳就业 十项举措"


def test_credit_after_long_article_text_credits_the_article():
    body = "全市今年新建改建农村公路一百二十公里，" * 20
    text = f"本报讯（记者 张三）{body}。\n\n本报记者 李小四 摄"
    (article,) = split_articles(text, "x.txt")
    assert article.kind == "article" and article.text.startswith("全市今年新建")
    assert article.bylines == [Byline("张三", "记者", None), Byline("李小四", "记者", None)]


# ---------------------------------------------------------------- ids, dates, files
def test_ids_are_stable_and_distinct():
    text = read_text_file(DATA / "page_hard_wrapped.txt")
    first = split_articles(text, "a/page.txt")
    again = split_articles(text, "b/page.txt")  # same file name elsewhere: same ids
    other = split_articles(text, "a/other.txt")
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == len(first)
    assert all(re.fullmatch(r"doc:[0-9a-f]{16}", a.id) for a in first)
    assert not {a.id for a in first} & {a.id for a in other}


def test_date_argument_year_hint_and_bad_date():
    text = "本报讯 2019年的规划在2020年启动。今年全市新建公园十二座，新增绿地面积三百公顷。"
    (article,) = split_articles(text, "x.txt")
    assert article.date is None and article.year_hint == 2020
    (article,) = split_articles(text, "x.txt", date="2022-03-04")
    assert article.date == "2022-03-04" and article.year_hint == 2022
    with pytest.raises(ValueError):
        split_articles(text, "x.txt", date="2022-13-40")
    with pytest.raises(ValueError):
        load_documents([str(DATA)], date="29.7.2021")


def test_date_in_dateline_or_page_header_wins_over_the_argument():
    (article,) = split_articles("新华社北京2021年7月29日电（记者 张三丰）29日，国务院常务会议召开，部署相关工作。",
                                "x.txt", date="2000-01-01")
    assert article.date == "2021-07-29" and article.year_hint == 2021
    page = read_text_file(DATA / "page_hard_wrapped.txt")
    assert {a.date for a in split_articles(page, "p.txt", date="2000-01-01")} == {"2023-05-06"}


def test_iter_input_files_recursive_sorted_and_stable(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/z.txt", "b/a.TXT", "c.txt", "notes.md", ".hidden/x.txt"):
        (tmp_path / name).write_text(NEWS, encoding="utf-8")
    folder = str(tmp_path)
    expected = [f"{folder}/b/a.TXT", f"{folder}/b/z.txt", f"{folder}/c.txt"]
    assert iter_input_files([folder]) == expected
    assert iter_input_files([folder, f"{folder}/notes.md", f"{folder}/c.txt"]) == expected + [f"{folder}/notes.md"]


def test_load_documents_skips_one_bad_file_among_good_ones(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "1_good.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "sub" / "2_gbk.txt").write_bytes(NEWS.replace("湖州", "嘉兴").encode("gbk"))
    (tmp_path / "3_broken.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (tmp_path / "4_empty.txt").write_bytes(b"\n\n")
    assert load_documents(str(tmp_path / "1_good.txt"))[0][0].source == str(tmp_path / "1_good.txt")
    articles, skipped = load_documents([str(tmp_path), str(tmp_path / "missing.txt")])
    assert [a.source for a in articles] == [str(tmp_path / "1_good.txt"), str(tmp_path / "sub" / "2_gbk.txt")]
    assert "嘉兴" in articles[1].text
    reasons = {Path(s["source"]).name: s["reason"] for s in skipped}
    assert set(reasons) == {"3_broken.txt", "4_empty.txt", "missing.txt"}
    assert "binary" in reasons["3_broken.txt"] and "empty" in reasons["4_empty.txt"]


def test_year_hint_skips_titles_and_plan_targets():
    from kg.ingest import _year_hint

    assert _year_hint("截至2021年6月底，开展2020年—2021年秋冬季行动") == 2021
    assert _year_hint("印发《行动方案（2022—2024年）》，到2025年完成。今年") is None
    assert _year_hint("到2025年基本建成，2023年完成120项") == 2023


# ---------------------------------------------------------------- hostile files and names
class Blocked(BaseException):
    """Not an Exception: the batch's catch-all for one bad file must not swallow it."""


@pytest.fixture
def no_hang():
    """Fail, instead of hanging the suite, if reading blocks (a FIFO opened for reading waits for a writer)."""
    import signal

    def blocked(*_):
        raise Blocked("reading blocked for 60 s")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_special_files_are_skipped_with_their_kind(tmp_path, no_hang):
    import os
    import socket

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text(NEWS, encoding="utf-8")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    os.mkfifo(tmp_path / "fifo.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "in" / "sock.txt"))
        articles, skipped = load_documents([str(tmp_path / "in"), str(tmp_path / "fifo.txt"), "/dev/null"])
    assert [Path(a.source).name for a in articles] == ["good.txt"]
    reasons = {Path(s["source"]).name: s["reason"] for s in skipped}
    assert reasons == {"pipe.txt": "a FIFO (named pipe), not a regular file", "fifo.txt": "a FIFO (named pipe), not a regular file",
                       "sock.txt": "a socket, not a regular file", "null": "a character device, not a regular file"}


def test_reading_stops_after_the_size_limit_whatever_the_size_claims(monkeypatch):
    # /proc files are regular files whose size reads 0: the limit must hold for what is read.
    monkeypatch.setattr("kg.ingest.MAX_FILE_BYTES", 200)
    assert Path("/proc/self/maps").stat().st_size == 0
    with pytest.raises(InputError, match="too large"):
        read_text_file("/proc/self/maps")


def test_file_names_that_are_not_utf8_are_read_and_shown_escaped(tmp_path):
    import os

    folder = os.fsencode(tmp_path)
    with open(folder + b"/bad\xff\xfe.txt", "wb") as handle:
        handle.write(NEWS.encode("utf-8"))
    with open(folder + b"/empty\xfe.txt", "wb"):
        pass
    articles, skipped = load_documents([str(tmp_path), os.fsdecode(folder + b"/missing\xff.txt")])
    assert [a.source for a in articles] == [f"{tmp_path}/bad\\xff\\xfe.txt"]
    assert [(s["source"], s["reason"]) for s in skipped] == [
        (f"{tmp_path}/empty\\xfe.txt", "empty file (no text)"), (f"{tmp_path}/missing\\xff.txt", "no such file or folder")]
    json.dumps([a.source for a in articles] + [s["source"] for s in skipped], ensure_ascii=False).encode("utf-8")


def test_printable_escapes_undecodable_bytes_and_control_characters():
    import os

    from kg.ingest import printable

    assert printable(os.fsdecode(b"a/bad\xff\xfe.txt")) == "a/bad\\xff\\xfe.txt"
    assert printable("ctl\x01\x1b[31mx\n.txt") == "ctl\\x01\\x1b[31mx\\x0a.txt"
    assert printable("新闻/苏州 日报.txt") == "新闻/苏州 日报.txt"
    assert printable(b"bytes\xff.txt") == "bytes\\xff.txt"


def test_the_same_file_given_twice_is_read_once(tmp_path, monkeypatch):
    import os

    monkeypatch.chdir(tmp_path)
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "a.txt").write_text(NEWS, encoding="utf-8")
    os.symlink("base/a.txt", tmp_path / "link.txt")
    spellings = ["base", "./base", "base/", str(tmp_path / "base"), "link.txt", "base/a.txt", "base/../base/a.txt"]
    assert iter_input_files(spellings) == ["base/a.txt"]
    articles, skipped = load_documents(spellings)
    assert [a.source for a in articles] == ["base/a.txt"] and skipped == []
    (tmp_path / "empty").mkdir()
    assert [s["source"] for s in load_documents(["empty", "empty/", "./empty"])[1]] == ["empty"]


# ---------------------------------------------------------------- ingest scales linearly
TOWNS = ["青禾镇", "柳溪镇", "石桥镇", "云岭乡", "白鹭镇", "松坡乡"]


def _long_page(numbers: range) -> str:
    """Invented articles of one county paper: headline, dateline and byline, an indented
    wrapped paragraph, a photo caption with its credit on the same line."""
    blocks = []
    for i in numbers:
        town = TOWNS[i % len(TOWNS)]
        blocks += [f"{town}举办第{i}届农民丰收节",
                   f"本报讯（记者林{'晓立东'[i % 3]}峰）9月{i % 28 + 1}日，{town}第{i}届农民丰收节在镇文化广场开幕，\n"
                   f"  吸引周边群众{i * 3 + 100}余人参加。活动设置农产品展销区{i % 9 + 2}个，\n  现场签约金额{i + 20}万元。",
                   f"  {town}农业服务中心负责人介绍，今年全镇粮食播种面积{i + 500}亩，\n  比上年增加{i % 50 + 3}亩。",
                   f"村民在{town}展销区选购新米。 本报通讯员 周{'红岚'[i % 2]} 摄"]
    return "\n\n".join(blocks)


def _calls(text: str) -> int:
    """Python function calls made by split_articles: a measure of work that does not depend on the machine."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(split_articles, text, "long.txt")
    return pstats.Stats(profile).total_calls


def test_split_articles_work_grows_linearly_with_the_page():
    small, large = _long_page(range(0, 150)), _long_page(range(150, 750))  # 4 times the articles
    articles = split_articles(large, "long.txt")
    assert [a.kind for a in articles] == ["article", "caption"] * 600
    assert [a.title for a in articles[::2]] == [f"{TOWNS[i % 6]}举办第{i}届农民丰收节" for i in range(150, 750)]
    assert _calls(large) <= 4.5 * _calls(small)


def test_a_byline_closing_the_page_belongs_to_the_article_it_ends():
    text = ("今年以来，全市共发放稳岗补贴3200万元，惠及企业1200余家，带动就业4500人。\n"
            "市人社局表示，下一步将继续优化服务流程，推动政策直达快享。\n"
            "江城日报社融媒体记者 柯雨桐\n")
    articles = split_articles(text, "page.txt")
    assert len(articles) == 1
    assert [(b.name, b.role, b.org) for b in articles[0].bylines] == [("柯雨桐", "融媒体记者", "江城日报社")]


def test_a_byline_before_more_text_still_opens_the_next_article():
    text = ("今年以来，全市共发放稳岗补贴3200万元，惠及企业1200余家，带动就业4500人。\n"
            "记者 柯雨桐\n"
            "近日，市应急管理局组织开展防汛应急演练，检验各部门协同处置能力，参演人员300余名。\n")
    articles = split_articles(text, "page.txt")
    assert [[b.name for b in a.bylines] for a in articles] == [[], ["柯雨桐"]]


def test_the_publisher_of_a_web_page():
    text = ("发布时间：2021-04-06 09:30 来源：江城晚报\n"
            "近日，市应急管理局组织开展防汛应急演练，检验各部门协同处置能力，参演人员300余名。\n")
    articles = split_articles(text, "page.txt")
    assert [a.publisher for a in articles] == ["江城晚报"]
    assert split_articles(NEWS, "page.txt")[0].publisher is None


def test_a_bracketed_credit_line_closes_the_article():
    text = ("新华社长沙6月9日电（记者 严某某）6月9日，湖南省召开防汛工作会议，部署全省防汛工作。\n"
            "会议要求各地压实责任，加强值班值守，确保安全度汛。\n"
            "（严某某 莫晓岚）\n")
    articles = split_articles(text, "page.txt")
    assert len(articles) == 1
    assert [b.name for b in articles[0].bylines] == ["严某某", "莫晓岚"]


def test_a_bracketed_word_line_is_no_credit():
    text = ("近日，市应急管理局组织开展防汛应急演练，检验各部门协同处置能力，参演人员300余名。\n"
            "（试行）\n")
    assert split_articles(text, "page.txt")[0].bylines == []

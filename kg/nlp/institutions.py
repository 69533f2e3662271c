"""`kg_institutions`: agencies and organisations by the grammar of their names.

A Chinese institution name is [place][modifiers]HEAD: 苏州市+生态环境+局,
昆山市+委+组织部, 某某+有限公司. The head is found first; the name then extends
to the left over name characters up to a place named just before it, an
administrative-level prefix (市生态环境局 = the city's bureau), or a clause
boundary. One-character heads (局, 部, 办...) need such an anchor, and must end a
word of the segmenter, so 布局 or 干部 never become bureaus.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import AGENCY_ABBREVIATIONS, AGENCY_HEADS, NUM, ORG_HEADS, PUNCT, TITLES, WEAK_HEADS
from .spans import RuleTagger, doc_text, is_cjk, words_by_start

GROUP = "kg_institutions"
MAX_CORE = 12
MAX_UNANCHORED_CORE = 5  # without a place or level prefix, long stretches are clauses, not names
LEVEL_PREFIXES = "省市县区州旗镇乡村"
# A level character starting an ordinary word is not a prefix (市场, 县城, 区域 ...).
NOT_PREFIX_RE = re.compile(r"^(市场|市民|市容|市值|市面|市井|县城|县域|区域|区块|区间|区位|区别|省份|村民|村庄|镇上)")
NUMERAL_RE = re.compile(rf"^{NUM}")
PARTY_PREFIX = "中共"
# Verbs that join two institutions (市生态环境局联合市公安局): a name never spans them.
COORDINATION = ("联合", "会同", "协同", "配合", "牵头", "联手", "携手", "邀请", "委托")
# Words after a place that make it an area, not part of a name (苏州区域内的银行).
AREA_WORDS = ("区域", "地区", "境内", "范围", "一带", "全境", "辖区", "当地", "本地", "全市", "全县")
# Function words never inside a name (unlike 和 in 住房和城乡建设局, 所 in 研究所).
NAME_BREAKERS = set("的在由与及对将是为了向从把被让等并或以于至到给按而且也就又还其该这那各每已要")
# Words that precede a name but never start one: prepositions, conjunctions, verbs
# taking an institution as object, pronouns, determiners (据泰国电视台, 和人民日报社,
# 包括省委宣传部, 有关法院). Matched as whole words of the segmenter, so 和平, 据点 pass.
NOT_NAME_START = {
    "和", "与", "及", "同", "跟", "据", "经", "由", "向", "对", "在", "从", "给", "让", "请",
    "应", "报", "入", "并入", "加入", "包括", "拿", "就", "设立", "组建", "成立", "利用",
    "呼吁", "要求", "督促", "提请", "报请", "通过", "支持", "协助", "依托", "依靠", "比肩",
    "充分", "考上", "考入", "进入", "来自", "我们", "他们", "你们", "我", "他", "她",
    "有关", "相关", "任何", "当地", "其他", "其它", "这些", "那些", "个别", "一些", "多家",
    "原",  # former: 原邮电部办公厅 names the old ministry's office, not a new body
}
# Counters and classifiers stop a name that has no place anchor (市县两级生态环境部门).
STOP_CHARS = set("级个项类种批位名次件家所座")
# Heads that need a level character or a place right before them (市政府, not 法治政府).
NEEDS_LEVEL = {"政府", "党委", "人大", "政协"}
# ORG heads distinctive enough to stand without a place anchor (…有限公司, …日报).
STRONG_ORG_HEADS = {"股份有限公司", "有限责任公司", "有限公司", "集团公司", "日报社", "日报",
                    "晚报", "晨报", "商报", "报社", "电视台", "广播电台", "新闻网", "通讯社", "杂志社",
                    "出版社", "大学", "职业技术学院", "研究院", "研究所", "协会", "学会", "商会",
                    "联合会", "基金会", "促进会", "事务所"}

TITLE_WORDS = tuple(t for t in TITLES if len(t) >= 2)
_HEADS = sorted({(h, "AGENCY") for h in AGENCY_HEADS} | {(h, "ORG") for h in ORG_HEADS},
                key=lambda item: -len(item[0]))
HEAD_RE = re.compile("|".join(re.escape(h) for h, _ in _HEADS))
HEAD_LABEL = {h: label for h, label in reversed(_HEADS)}
# Words that end in a head character but are not institutions.
NON_INSTITUTION_WORDS = {
    "布局", "格局", "大局", "全局", "结局", "开局", "当局", "干部", "全部", "内部", "外部", "局部", "本部",
    "东部", "西部", "南部", "北部", "中部", "头部", "底部", "总部", "部分", "到处", "好处", "此处",
    "场所", "住所", "厕所", "网站", "车站", "举办", "主办", "承办", "创办", "协办", "督办", "代办",
    "帮办", "包办", "查处", "大厅", "展厅", "餐厅", "客厅", "为中心", "市中心", "重心", "核心", "信心", "各部门",
    "相关部门", "有关部门", "职能部门", "主管部门", "多部门", "学科", "本科", "专科", "庭院", "剧院",
}


def _starts_with_abbreviation(core: str) -> bool:
    return any(core.endswith(abbr[:-1]) for abbr in AGENCY_ABBREVIATIONS)


def find_institutions(text: str, place_spans: list[tuple[int, int]],
                      words: dict[int, int] | None):
    """Yield (start, end, label) for institution names in `text`; `words` maps the
    segmenter's word starts to their ends (None: no segmenter, no word checks)."""
    place_end_to_start = {end: start for start, end in place_spans}
    place_starts = {start for start, _ in place_spans}
    ends = set(words.values()) if words is not None else None
    head_ends = {m.end() for m in HEAD_RE.finditer(text)}
    for m in HEAD_RE.finditer(text):
        head, head_start, end = m.group(), m.start(), m.end()
        # The head must end the name: a following head char continues it (局 in 局长).
        if ends is not None and end not in ends and head not in ("人民政府", "委员会"):
            continue
        if head == "委员会" and text.startswith("议", end):  # 主任委员会议 = 委员 + 会议
            continue
        if len(head) == 1 and head_start and NUMERAL_RE.match(text[head_start - 1]):
            continue  # 一所, 两处: a counter, not a head
        if head == "办" and text.startswith(("了", "过"), end) and not text.startswith("了解", end):
            continue  # 在分行办了一张卡: the verb, not an office
        weak = head in WEAK_HEADS
        start = _extend_left(text, head_start, place_end_to_start, head_ends)
        if start is not None and start not in place_starts and words is not None:
            start = _first_name_word(text, start, head_start, words)
        if start is None:
            continue
        if text[start:end].endswith(TITLE_WORDS):  # 市委常委 is a position, not an organ
            continue
        if head in NEEDS_LEVEL and not (head_start in place_end_to_start
                                        or text[head_start - 1] in LEVEL_PREFIXES):
            continue
        name = text[start:end]
        core = text[start:head_start]
        anchored = start in place_starts or _has_level_prefix(name) or name.startswith(PARTY_PREFIX)
        if any(name.endswith(w) for w in NON_INSTITUTION_WORDS):
            continue
        if weak and not anchored and not _starts_with_abbreviation(name):
            continue
        if HEAD_LABEL[head] == "ORG" and not anchored and head not in STRONG_ORG_HEADS:
            continue
        if not anchored and not weak and not 2 <= len(core) <= MAX_UNANCHORED_CORE:
            continue
        if len(name) < 3 or name in NON_INSTITUTION_WORDS:
            continue
        yield start, end, HEAD_LABEL[head]


def _has_level_prefix(name: str) -> bool:
    return name[0] in LEVEL_PREFIXES and not NOT_PREFIX_RE.match(name)


def _extend_left(text: str, head_start: int, place_end_to_start: dict, head_ends: set) -> int | None:
    """Start of the name ending in a head at `head_start`, or None.

    First look for a place within the name's reach (江苏三友…公司 keeps its
    numeral); without one, counters and numerals also end the name.
    """
    pos = head_start
    while pos > 0 and head_start - pos < MAX_CORE:
        if pos in place_end_to_start and not text.startswith(AREA_WORDS, pos):
            # a place right before: include it, maybe chained
            pos = place_end_to_start[pos]
            while pos in place_end_to_start:
                pos = place_end_to_start[pos]
            if text[max(0, pos - 2):pos] == PARTY_PREFIX:
                pos -= 2
            return pos
        if _stops_extension(text, pos, head_start, head_ends) or _counted(text, pos):
            break
        pos -= 1
    pos = head_start
    while pos > 0 and head_start - pos < MAX_CORE:
        ch = text[pos - 1]
        if _stops_extension(text, pos, head_start, head_ends) or NUMERAL_RE.match(ch):
            break
        if _counted(text, pos):
            break
        pos -= 1
    if pos == head_start:
        return None
    return pos


def _first_name_word(text: str, start: int, head_start: int, words: dict[int, int]) -> int | None:
    """The name's start moved to a word start (那么政府部门: not 么), past leading words
    that only precede names (据, 包括, 有关…); None if nothing is left before the head."""
    while start < head_start:
        end = words.get(start)
        if end is None and _has_level_prefix(text[start:head_start]):
            return start  # 联合市公安局 segmented 联合市/公安局: the level still counts
        if end is None:
            start += 1
        elif text[start:end] in NOT_NAME_START:
            start = end
        elif text[end - 1] in LEVEL_PREFIXES and text[start:end - 1] in NOT_NAME_START:
            return end - 1  # 依托市 segmented as one word: the 市 starts the name
        else:
            return start
    return None


def _counted(text: str, pos: int) -> bool:
    """一所小学, 两级部门: a counter after a numeral ends a name (国家, 江苏三友 do not)."""
    return text[pos - 1] in STOP_CHARS and pos >= 2 and bool(NUMERAL_RE.match(text[pos - 2]))


def _stops_extension(text: str, pos: int, head_start: int, head_ends: set) -> bool:
    """Whether the name that ends in the head at `head_start` cannot reach left past `pos`."""
    ch = text[pos - 1]
    if ch in PUNCT or ch in NAME_BREAKERS or ch.isspace() or not (is_cjk(ch) or ch.isalnum()):
        return True
    if text[max(0, pos - 2):pos] in COORDINATION or text[max(0, pos - 2):pos] == "日电":
        return True  # 日电: a dateline (北京5月18日电) ends right before the name
    # Another complete institution ends here, with words between: a second name starts.
    return pos in head_ends and pos != head_start


# News outlets by the press forms that name them: a report's source line at the start of a
# paragraph (某某网/某某客户端讯, 某某在线某地频道消息：) and a dateline (某某网某地5月1日电).
MEDIA_HEADS = ("广播电视台", "电视台", "广播电台", "通讯社", "新闻社", "日报社", "日报", "晚报", "晨报", "商报",
               "报社", "报", "网", "在线", "新闻", "社")
# 本报讯, 本报某地5月1日电: the paper naming itself, which is no name of its own.
SELF_REFERENCES = ("本报", "本刊", "本台", "本网")
SOURCE_LINE_RE = re.compile(r"(?m)^[ \t]*((?:[\u4e00-\u9fff]{2,12}[/／])*[\u4e00-\u9fff]{2,16}?)(?:讯|消息)(?=[:：（(\s])")
DATELINE_OUTLET_RE = re.compile(
    r"(?m)^[ \t]*([\u4e00-\u9fff]{1,6}?(?:" + "|".join(MEDIA_HEADS) + r"))[\u4e00-\u9fff]{2,4}\d{1,2}月\d{1,2}日电")


COMPANY_HEAD_RE = re.compile("股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司")
REGION_BRACKET_RE = re.compile(r"[（(][\u4e00-\u9fff]{2,4}[）)]$")
MAX_COMPANY_CORE = 10
TIME_WORDS = ("昨天", "昨日", "今天", "今日", "近日", "日前", "目前", "今年", "去年", "当天", "同时", "此外",
              "其中", "另外", "随后", "截至", "近年")


def find_companies(text: str):
    """Yield (start, end) of company names the general rule leaves out: a bracketed region
    inside the name (某建（某省）某路桥有限公司)."""
    for m in COMPANY_HEAD_RE.finditer(text):
        pos, bracketed = m.start(), False
        while pos > 0 and m.start() - pos < MAX_COMPANY_CORE + 6:
            region = REGION_BRACKET_RE.search(text, max(0, pos - 6), pos)
            if region and region.start() > 0 and is_cjk(text[region.start() - 1]):
                pos, bracketed = region.start(), True
                continue
            ch = text[pos - 1]
            if not is_cjk(ch) or ch in NAME_BREAKERS:
                break
            pos -= 1
        if bracketed and m.start() - pos >= 6 and not text.startswith(TIME_WORDS, pos):
            yield pos, m.end()


def _outlet_of_channel(piece: str) -> str:
    """某某在线某省频道 -> 某某在线: the longest start of the name that ends in a media head."""
    for end in range(len(piece) - 2, 1, -1):
        if piece[:end].endswith(MEDIA_HEADS):
            return piece[:end]
    return ""


def find_outlets(text: str):
    """Yield (start, end) of outlets named by a source line or a dateline."""
    for m in SOURCE_LINE_RE.finditer(text):
        pos = m.start(1)
        for piece in re.split("[/／]", m.group(1)):
            name = _outlet_of_channel(piece) if piece.endswith("频道") else piece
            if len(name) >= 2 and name.endswith(MEDIA_HEADS) and not name.startswith(SELF_REFERENCES):
                yield pos, pos + len(name)
            pos += len(piece) + 1
    for m in DATELINE_OUTLET_RE.finditer(text):
        if len(m.group(1)) >= 2 and not m.group(1).startswith(SELF_REFERENCES):
            yield m.start(1), m.end(1)


@Language.factory("kg_institutions", default_config={})
def make_institution_tagger(nlp: Language, name: str) -> "InstitutionTagger":
    return InstitutionTagger(name)


class InstitutionTagger(RuleTagger):
    """Writes doc.spans["kg_institutions"] (AGENCY and ORG). Runs after kg_places."""

    group, source = GROUP, "institution-rule"

    def find(self, doc: Doc):
        places = [(s.start_char, s.end_char) for s in doc.spans.get("kg_places", [])]
        text = doc_text(doc)
        outlets = list(find_outlets(text))
        for start, end in outlets:
            yield start, end, "ORG", None
        companies = list(find_companies(text))
        for start, end in companies:
            yield start, end, "ORG", None
        for start, end, label in find_institutions(text, places, words_by_start(doc)):
            if not any(s < end and start < e for s, e in outlets + companies):
                yield start, end, label, None

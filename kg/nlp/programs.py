"""`kg_programs`: policies, campaigns, regulations and initiatives.

Government news names its programmes in three ways:
- a titled document 《…规定/办法/方案…》 (books and films in 《》 are not programmes);
- a quoted name followed by a programme head (“…”系列活动, “…”模式), or a quoted
  name that itself ends in one (“…服务平台”), or one that a programme verb governs
  (创建“…”) or that receives a title (“…”被命名为);
- an unquoted campaign ending in a campaign head (…专项执法行动), whose left edge
  is a programme verb, 的 or punctuation; and A·B行动 names.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import (AWARD_HEADS, AWARD_VERBS, CAMPAIGN_HEADS, DESIGNATION_HEADS, DESIGNATION_PREFIXES, NUM,
                      POLICY_TITLE_HEADS, PROGRAM_HEADS, PROGRAM_VERBS, QUOTE_VERBS)
from .spans import RuleTagger, doc_text

GROUP = "kg_programs"
TITLE_RE = re.compile(r"《([^《》\n]{2,60})》")
QUOTE_RE = re.compile(r"“([^“”\n]{2,30})”")
CLAUSE_PUNCT_RE = re.compile("[，,。；;！!？?]")
CAMPAIGN_RE = re.compile("|".join(re.escape(h) for h in sorted(CAMPAIGN_HEADS, key=len, reverse=True)))
DOT_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,8}·[\u4e00-\u9fff]{2,8}?(?:行动|工程|计划|活动)")
HEAD_WINDOW = 8
RECEIVES_TITLE_RE = re.compile(r"^(被命名为|被评为|被确定为|被列为|入选|获评|荣获|获得)")
# ...or written after the verb that confers it: 被评为“…示范乡镇”, 荣获“…”称号.
TITLE_VERB_BEFORE_RE = re.compile(r"(命名为|评为|认定为|确定为|列为|授予|获评|荣获|获得|入选)了?$")
PROGRAM_HEAD_RE = re.compile("(" + "|".join(sorted(map(re.escape, PROGRAM_HEADS), key=len, reverse=True)) + ")")
VERB_BEFORE_RE = re.compile("(" + "|".join(sorted(map(re.escape, PROGRAM_VERBS), key=len, reverse=True)) + ")$")
QUOTE_VERB_BEFORE_RE = re.compile("(" + "|".join(sorted(map(re.escape, QUOTE_VERBS), key=len, reverse=True)) + ")了?$")
# Between a quoted name and its head: a verb here means the head belongs to another phrase.
WINDOW_VERB_RE = re.compile("构成|组成|成为|作为|是|为|有|在|对|被|将|把|和|与")
# Heads that are generic nouns: they mark the quote as a programme but stay outside its name.
GENERIC_HEADS = {"建设", "创建", "工作", "服务", "监管", "普法", "宣传", "改革", "政策", "体系", "机制",
                 "示范", "试点", "战略"}
INNER_HEADS = ("行动", "活动", "工程", "计划", "平台", "品牌", "项目", "竞赛", "模式", "普法", "工作法",
               "示范项目", "示范区", "体系", "机制")
# Characters allowed inside an unquoted campaign name besides CJK letters.
CAMPAIGN_INNER = set("“”—-·、 ") | set("0123456789") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
CAMPAIGN_STOP = set("，。；：！？（）《》\n的了及和与在对将为是由把被从向") 
MAX_CAMPAIGN = 32


def _alternation(words) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# A document forwarded by a notice: 《…印发〈X〉的通知》 names X.
FORWARDED_RE = re.compile(r"(?:印发|转发|颁布|发布)〈([^〈〉]{4,60})〉的(?:通知|决定)")
# A quoted award, or a chain of them: counted (两个, 两项) before the award head.
AWARD_AFTER_RE = re.compile(rf"(?:{NUM}[个项块枚])?(?:{_alternation(AWARD_HEADS)})")
AWARD_VERB_BEFORE_RE = re.compile(rf"(?:{_alternation(AWARD_VERBS)})了?(?:第{NUM}[届批]|首批)?$")
# An award written without quotes, between the edition or the verb and 称号 (被授予第七届…称号).
AWARD_PREFIXES = ("全国", "中国", "国家", "全省", "省级", "全市", "市级", "全县", "县级", "世界", "国际", "首届")
UNQUOTED_AWARD_RE = re.compile(
    rf"(?:(?:{_alternation(AWARD_VERBS)})(?P<edition>第{NUM}[届批]|首批)?|(?P<edition2>第{NUM}[届批]|首批))"
    r"([\u4e00-\u9fff]{3,16}?)(?:荣誉)?称号")
DESIGNATION_RE = re.compile(
    rf"(?:{_alternation(DESIGNATION_PREFIXES)})[\u4e00-\u9fff]{{0,8}}?(?:{_alternation(DESIGNATION_HEADS)})")
# A quoted list and the count that names it: “甲、乙、丙”三大攻坚战, “进甲、进乙”两进活动.
COUNTED_NAME_RE = re.compile(
    r"”([一二三四五六七八九十两百\d]+[\u4e00-\u9fff]{0,3}?(?:攻坚战|专项行动|行动|活动|工程|战役|计划))")


def _policy_title(title: str) -> bool:
    core = re.sub(r"[（(][^）)]*[）)]\s*$", "", title).strip()
    if core.endswith("法"):  # a law: 《中华人民共和国…法》, 《…管理法》, not the song 《…宪法》
        return core.startswith("中华人民共和国") or len(core) >= 6
    return any(core.endswith(h) for h in POLICY_TITLE_HEADS)


def find_programs(text: str):
    """Yield (start, end) of programme names."""
    counted = {m.end(1): m.start(1) for m in COUNTED_NAME_RE.finditer(text)
               if "、" in text[text.rfind("“", 0, m.start()):m.start()]}
    for start, end in _programs(text):
        if start >= counted.get(end, start):  # a quoted list before a count is its content
            yield start, end
    for end, start in counted.items():
        yield start, end


def _programs(text: str):
    for m in TITLE_RE.finditer(text):
        forwarded = FORWARDED_RE.search(m.group(1))
        if forwarded and _policy_title(forwarded.group(1)):
            yield m.start(1) + forwarded.start(1), m.start(1) + forwarded.end(1)
        elif _policy_title(m.group(1)):
            yield m.start(1), m.end(1)
    yield from _quoted_programs(text)
    yield from _awards(text)
    yield from _projects(text)
    yield from _campaigns(text)
    for m in DOT_NAME_RE.finditer(text):
        start = _campaign_start(text, m.start() + m.group().index("·"))
        yield start, m.end()


# Construction projects: a route from A to B (甲至乙高速公路, 甲至乙铁路), and a named
# renewal project (某某城中村改造项目, 某某老旧小区改造工程).
ROUTE_RE = re.compile(r"[\u4e00-\u9fff]{2,4}至[\u4e00-\u9fff]{2,4}?(?:高速公路|高速铁路|城际铁路|铁路|高铁|公路|国道|快速路|输水工程)")
RENEWAL_RE = re.compile(r"[\u4e00-\u9fff]{3,12}?(?:改造|修缮|提升|整治)(?:项目|工程)")
PROGRAM_VERB_RE = re.compile("|".join(sorted(map(re.escape, PROGRAM_VERBS + ["建设", "修建", "新建", "开通"]), key=len, reverse=True)))
NOT_ROUTE_RE = re.compile("[截直甚乃以]至|至[今此]")
ROUTE_STOP = set("的在由和与及对将是为了向从把被让等并或以于给按而也就又还其该这那各每年月日")


def _projects(text: str):
    for m in ROUTE_RE.finditer(text):
        if NOT_ROUTE_RE.search(m.group()):
            continue
        start = m.start()
        while start < m.end() and text[start] in ROUTE_STOP:
            start += 1
        origin = text[start:text.index("至", start)]
        verbs = list(PROGRAM_VERB_RE.finditer(origin))  # 加快推进甲至乙…: the verb is no part of it
        if verbs:
            start += verbs[-1].end()
        if not any(ch in ROUTE_STOP for ch in text[start:m.end()]) and text[start] != "至":
            yield start, m.end()
    for m in RENEWAL_RE.finditer(text):
        start = _campaign_start(text, m.end() - 4)
        core = text[start:m.end() - 4]
        if len(core) >= 3 and not re.search(r"\d|、", core):
            yield start, m.end()


def _awards(text: str):
    """Awards and honorary titles: quoted ones (a chain “A”“B” counts as one, named by the
    verb before it or the award head after it), unquoted ones before 称号, designations."""
    quotes = list(QUOTE_RE.finditer(text))
    chain: list[re.Match] = []
    for i, m in enumerate(quotes):
        chain.append(m)
        if i + 1 < len(quotes) and quotes[i + 1].start() in (m.end(), m.end() + 1) \
                and text[m.end():quotes[i + 1].start()] in ("", "、", "和", "及", "与"):
            continue
        before = text[max(0, chain[0].start() - 10):chain[0].start()]
        if AWARD_AFTER_RE.match(text, m.end()) or (len(chain) > 1 and AWARD_VERB_BEFORE_RE.search(before)):
            for q in chain:
                if len(q.group(1)) >= 4 and not CLAUSE_PUNCT_RE.search(q.group(1)):
                    yield q.start(1), q.end(1)
        chain = []
    for m in UNQUOTED_AWARD_RE.finditer(text):  # 授予他们光荣称号: no award's name
        if m.group("edition") or m.group("edition2") or m.group(3).startswith(AWARD_PREFIXES):
            yield m.start(3), m.end(3)
    for m in DESIGNATION_RE.finditer(text):
        yield m.start(), m.end()


def _quoted_programs(text: str):
    quotes = list(QUOTE_RE.finditer(text))
    for i, m in enumerate(quotes):
        inner = m.group(1)
        if CLAUSE_PUNCT_RE.search(inner):  # a quoted sentence is speech, not a name
            continue
        after = text[m.end():m.end() + HEAD_WINDOW]
        chained = after.startswith("“")  # “A”“B”系列活动: A only modifies B
        window = re.split(r"[，。；：、！？“”（）《》\n]", after, maxsplit=1)[0]
        head = None
        for hm in PROGRAM_HEAD_RE.finditer(window):
            head = hm
        if head and not chained and not WINDOW_VERB_RE.search(window[:head.start()]):
            if head.group() in GENERIC_HEADS:   # “诚信某市”建设目标: the name is the quote
                yield m.start(1), m.end(1)
            else:                               # “某某”系列活动: the head is part of the name
                yield m.start(), m.end() + head.end()
        elif len(inner) >= 4 and inner.endswith(INNER_HEADS):
            yield m.start(1), m.end(1)
        elif not chained and len(inner) >= 4 and (
                QUOTE_VERB_BEFORE_RE.search(before := text[max(0, m.start() - 5):m.start()])
                or TITLE_VERB_BEFORE_RE.search(before)
                or (len(inner) <= 12 and RECEIVES_TITLE_RE.match(text[m.end():m.end() + 4]))):
            yield m.start(1), m.end(1)


def _campaign_start(text: str, head_start: int) -> int:
    pos = head_start
    while pos > 0 and head_start - pos < MAX_CAMPAIGN:
        if VERB_BEFORE_RE.search(text[max(0, pos - 4):pos]):
            break
        ch = text[pos - 1]
        if ch in CAMPAIGN_STOP or not ("\u4e00" <= ch <= "\u9fff" or ch in CAMPAIGN_INNER):
            break
        pos -= 1
    while pos < head_start and text[pos] in " —-、":
        pos += 1
    return pos


def _campaigns(text: str):
    for m in CAMPAIGN_RE.finditer(text):
        start = _campaign_start(text, m.start())
        if m.start() - start >= 2:
            yield start, m.end()


@Language.factory("kg_programs", default_config={})
def make_program_tagger(nlp: Language, name: str) -> "ProgramTagger":
    return ProgramTagger(name)


class ProgramTagger(RuleTagger):
    """Writes doc.spans["kg_programs"] (PROGRAM)."""

    group, source = GROUP, "program-rule"

    def find(self, doc: Doc):
        for start, end in find_programs(doc_text(doc)):
            yield start, end, "PROGRAM", None

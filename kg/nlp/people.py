"""`kg_people`: people named next to a title (记者王某, 党支部书记李某某为…).

Press text introduces people by title: TITLE + NAME, where NAME is a surname and one
or two more characters and is followed by a boundary (punctuation, a space, a
function word, a speech verb, 摄 of a photo credit). The title is kept on the span
(`._.kg_title`) so the linker can make HOLDS_POSITION edges.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import (FUNCTION_CHARS, LEADER_UNIT_CHARS, LEVEL_WORDS, NOT_NAMES, ORGAN_WORDS, POST_RANKS, POSTS,
                      PUNCT, SURNAMES_DOUBLE, SURNAMES_SINGLE, TITLES)
from .gazetteer import jionlp_dictionary, read_word_list, write_word_list
from .spans import RuleTagger, doc_text, is_boundary, words_by_start

GROUP = "kg_people"
# Name-shaped common words (呼吁, 居住: a surname character first), written by
# pipelines/common_words.py from jionlp's word frequencies; read in `initialize`.
PACKAGED_COMMON_WORDS = Path(__file__).resolve().parent.parent / "models" / "common_words.txt"


def _alternation(words) -> str:
    return "|".join(sorted(map(re.escape, set(words)), key=len, reverse=True))


# A post as written: an optional rank, then a post word or a unit's character + 长
# (副书记, 常务副市长, 局长, 总工程师); press and trade titles (记者, 律师) as listed.
POST_PATTERN = (rf"(?:(?:{_alternation(POST_RANKS)})?(?:{_alternation(POSTS)}|[{LEADER_UNIT_CHARS}]长)"
                rf"|{_alternation(TITLES)})")
TITLE_RE = re.compile(rf"({POST_PATTERN})\s?")
_ORGANS = _alternation(ORGAN_WORDS)
# Organ words before a post that stand alone (，市委副书记; 、政法委书记): they are part of
# the title as written, and name the organ of the article's division.
BARE_ORGAN_RE = re.compile(rf"(?:(?:{_alternation(LEVEL_WORDS)})(?:委|(?:{_ORGANS})+)?|(?:{_ORGANS})+)")
# Party committees and branches are written into the post after a named organ (某某市委书记,
# 某村党支部书记, 某公司党委书记); a government organ is not (某市人民政府副市长: 副市长).
ORGAN_TAIL_RE = re.compile(r"(?=.)(?:[省市县区州]委)?(?:党委|党工委|党组|党支部|党总支|总支|支部|纪委|村委会|居委会)*$")
PREVIOUS_POST_RE = re.compile(rf"(?:{POST_PATTERN})$")
MAX_ORGAN_RUN = 20
# What may follow a name: speech and meeting verbs, photo credit, honorifics, conjunctions.
AFTER_NAME = ("说", "表示", "介绍", "指出", "强调", "称", "同志", "一行", "摄", "等", "为", "在", "和", "与",
              "及", "、", "告诉", "认为", "带领", "主持", "出席", "参加", "调研", "讲", "先生", "女士",
              "率", "分别", "要求", "致辞", "讲话", "宣读", "传达", "通报", "汇报", "发言", "提出", "代表",
              "陪同", "会见", "看望", "慰问", "视察", "考察", "察看", "走访", "深入", "来到", "前往", "一同",
              "共同", "对", "向", "就", "也", "还", "则", "均", "作", "以", "当选", "担任", "兼", "出任",
              "同时", "详细", "首先", "现场", "专门", "亲自", "听取", "部署", "签署", "签约", "会谈", "回答",
              "委托", "带队", "会晤", "接见",
              # a time word after the name (王某今天说, 某·某今天发表声明)
              "今天", "昨天", "明天", "今日", "昨日", "日前", "近日", "当天", "当日", "上午", "下午", "晚上")


SINGLE_CHAR_AFTER = {w for w in AFTER_NAME if len(w) == 1}
CONJUNCTIONS = set("和与及")
ROLE_SUFFIXES = set("人者员们长家师官户方处部局书证")


def is_plausible_name(name: str) -> bool:
    """Surname-first, 2-4 characters, not a common word."""
    if not 2 <= len(name) <= 4 or name in NOT_NAMES:
        return False
    if not all("\u4e00" <= ch <= "\u9fff" for ch in name):
        return False
    if name[-1] in ROLE_SUFFIXES:  # 管理员, 经营者, 负责人: roles, not names
        return False
    if name[:2] in SURNAMES_DOUBLE:
        return len(name) >= 3
    return name[0] in SURNAMES_SINGLE and len(name) <= 3


def _ends_name(text: str, end: int) -> bool:
    rest = text[end:]
    return end == len(text) or is_boundary(text[end]) or rest.startswith(AFTER_NAME) or text[end] in "）)"


def _another_person_follows(text: str, pos: int) -> bool:
    """After 和/与/及: a second person (a surname, or a title) rather than the verb (王强和李明; 康某和率)."""
    return bool(text[pos:pos + 1] in SURNAMES_SINGLE or TITLE_RE.match(text, pos)
                or BARE_ORGAN_RE.match(text, pos))


def _name_after(text: str, pos: int) -> int | None:
    """End of a person's name starting at `pos`, or None."""
    for length in (3, 2, 4):
        # 孙丽摄 / 王强说: a last character that is itself a boundary word ends a 2-char name,
        # unless it is a conjunction with no second person after it (康某和率…: 3 characters).
        if length == 3 and text[pos + 2:pos + 3] in SINGLE_CHAR_AFTER and is_plausible_name(text[pos:pos + 2]):
            third = text[pos + 2]
            if not (third in CONJUNCTIONS and _ends_name(text, pos + 3) and is_plausible_name(text[pos:pos + 3])
                    and not _another_person_follows(text, pos + 3)):
                continue
        end = pos + length
        if end > len(text):
            continue
        if is_plausible_name(text[pos:end]) and _ends_name(text, end):
            return end
    return None


# A transliterated name with the middle dot (Uyghur, Kazakh, foreign: 买买提·艾力): its parts
# are Han characters joined by ·; the last part runs to the first boundary after two characters.
DOTTED_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,8}(?:·[\u4e00-\u9fff]{1,8})*·")
MAX_MODEL_NAME = 6  # Tibetan, Mongolian, Uyghur names without a dot: up to six characters


def _dotted_name_after(text: str, pos: int) -> int | None:
    """End of a dotted name starting at `pos` (买买提·艾力), or None."""
    m = DOTTED_NAME_RE.match(text, pos)
    # 会见了某·某: a verb after the title, the name comes later
    if m is None or text.startswith(AFTER_NAME, pos) or any(is_boundary(ch) for ch in m.group().replace("·", "")):
        return None
    for end in range(m.end() + 2, min(len(text), m.end() + 8) + 1):
        if not "\u4e00" <= text[end - 1] <= "\u9fff" or is_boundary(text[end - 1]):
            return None
        if _ends_name(text, end):
            return end
    return None


def _is_model_name(name: str) -> bool:
    """A name the statistical NER read after a title that the surname rule cannot read
    (齐某拉, 四字 Tibetan and Mongolian names): Han characters (and ·), no role, no
    conjunction or list inside (two people are never one name)."""
    return (2 <= len(name.replace("·", "")) <= MAX_MODEL_NAME + ("·" in name) * 6 and name not in NOT_NAMES
            and all("\u4e00" <= ch <= "\u9fff" or ch == "·" for ch in name)
            and name[-1] not in ROLE_SUFFIXES and not any(ch in CONJUNCTIONS for ch in name[1:])
            and not TITLE_RE.search(name))


# Verbs of two characters or more that close a name written after a title (一同会见, 主持).
VERBS_AFTER_NAME = tuple(w for w in AFTER_NAME if len(w) >= 2 and w not in ("同志", "先生", "女士", "一行"))


# Words that open a description after a leader's post (书记重要讲话, 市长亲切会见), not a name.
DESCRIPTION_STARTS = ("重要", "亲切", "高度", "认真", "充分", "全面", "深入", "详细", "专门", "亲自", "多次",
                      "一再", "反复", "再次", "首次", "近日", "近期", "今天", "昨天", "日前", "随后", "最后",
                      "带头", "专题", "关于", "系列", "讲话", "指示", "批示", "精神", "要求", "工作")


# 记者马不停蹄地走访: a run ending in an adverb's or complement's marker is no name.
ADVERB_ENDS = set("地得")


def _run_to_verb(text: str, pos: int) -> int | None:
    """A name of 4-6 characters that no rule or model reads, closed by a verb right after a
    title (副市长某某某某一同会见): Han characters only, no function word, no organ or role
    character, no title inside."""
    for length in range(4, MAX_MODEL_NAME + 1):
        name = text[pos:pos + length]
        if len(name) < length or not all("\u4e00" <= ch <= "\u9fff" and not is_boundary(ch) for ch in name):
            return None
        if any(ch in ORGAN_END_CHARS or ch in ROLE_SUFFIXES for ch in name) or TITLE_RE.search(name) \
                or name[-1] in ADVERB_ENDS or name in NOT_NAMES or any(w in name for w in VERBS_AFTER_NAME) \
                or name.startswith(DESCRIPTION_STARTS):
            return None
        if text.startswith(VERBS_AFTER_NAME, pos + length):
            return pos + length
    return None


def name_end(text: str, pos: int, model_people: dict[int, int] | None = None,
             common_words: frozenset[str] = frozenset()) -> int | None:
    """End of the name of a person written at `pos` after a title: the dotted name as a
    whole; the name the NER reads from there when the surname rule reads none, or a
    shorter one that the NER reads on to a boundary (阿某都热合曼 not cut after two
    characters); else the surname rule's name, unless it is a common word that the NER
    does not read as a name (记者呼吁: 呼 is a surname too)."""
    dotted = _dotted_name_after(text, pos)
    if dotted is not None:
        return dotted
    end = _name_after(text, pos)
    if end is not None and text[pos:end] in common_words and (model_people or {}).get(pos) != end:
        end = None
    if end is None and not model_people or end is None and pos not in model_people:
        return _run_to_verb(text, pos)
    model_end = (model_people or {}).get(pos)
    if model_end is not None and (end is None or model_end > end) and _is_model_name(text[pos:model_end]) \
            and (end is None or _ends_name(text, model_end)):
        return model_end
    return end


def _is_run_char(ch: str) -> bool:
    return not (ch in PUNCT or ch in FUNCTION_CHARS or ch.isspace() or ch.isdigit())


def _organ_run_start(text: str, post_start: int) -> int:
    """Start of the organ words written right before a post (named organ included)."""
    run = post_start
    while run > 0 and post_start - run < MAX_ORGAN_RUN and _is_run_char(text[run - 1]):
        run -= 1
    return run


def title_item(text: str, post_start: int) -> int:
    """Start of the title whose post starts at `post_start`: the organ words written before
    it belong to the title when they stand alone (，市人大常委会主任) or end a longer name
    (某村党支部书记 -> 党支部书记); a named organ (某县委书记, 某局局长) stays outside."""
    run = post_start
    while run > 0 and post_start - run < MAX_ORGAN_RUN and _is_run_char(text[run - 1]):
        run -= 1
    organ = text[run:post_start]
    if not organ:
        return post_start
    if BARE_ORGAN_RE.fullmatch(organ):
        return run
    tail = ORGAN_TAIL_RE.search(organ)
    return post_start - len(tail.group()) if tail else post_start


def find_people(text: str, model_people: dict[int, int] | None = None,
                common_words: frozenset[str] = frozenset()):
    """Yield (start, end, titles) for names introduced by one or more titles.

    `titles` is "、"-joined, as written: 市委副书记、市长. `model_people`: start -> end of
    the statistical NER's people; `common_words`: name-shaped words (see `name_end`).
    """
    for m in TITLE_RE.finditer(text):
        end = name_end(text, m.end(), model_people, common_words)
        if end is None:
            continue
        head = title_item(text, m.start())
        titles = [text[head:m.end(1)]]
        # 省委常委、市委书记 NAME; 省委副书记、某市委书记 NAME: a named organ inside the chain
        # belongs to its own title, the chain goes on before it.
        link = _organ_run_start(text, m.start())
        # 市委常委、组织部部长，市委党校校长 NAME: a chain that ends in a comma with no name
        # goes on in the chain after it (one person's posts in two groups).
        while link > 1 and (text[link - 1] == "、" or text[link - 1] == "，" and len(titles) and
                            PREVIOUS_POST_RE.search(text, max(0, link - 1 - 12), link - 1)):
            previous = PREVIOUS_POST_RE.search(text, max(0, link - 1 - 12), link - 1)
            if not previous:
                break
            head = title_item(text, previous.start())
            titles.insert(0, text[head:previous.end()])
            link = _organ_run_start(text, previous.start())
        yield m.end(), end, "、".join(titles)
        yield from listed_after(text, end, model_people, common_words)


def listed_after(text: str, end: int, model_people: dict[int, int] | None = None,
                 common_words: frozenset[str] = frozenset()):
    """副市长甲、乙、丙参加: names listed with 、 after a titled name are people too; the
    title may be shared or not (市委常委甲、乙), so they carry none of their own."""
    while text[end:end + 1] == "、":
        following = name_end(text, end + 1, model_people, common_words)
        if following is None or TITLE_RE.match(text, end + 1):
            return
        yield end + 1, following, None
        end = following


# NAME + post (张某某书记指出, 李某主任一行): a leader's post right after a name. Press and
# trade titles (记者, 律师) never follow a name this way; organ characters never end one.
LEADER_POST_RE = re.compile(rf"(?:{_alternation(POST_RANKS)})?(?:{_alternation(p for p in POSTS if p not in ('委员', '党组成员', '负责人'))}|[{LEADER_UNIT_CHARS}]长)")
ORGAN_END_CHARS = set(LEADER_UNIT_CHARS) | set("委府协会党")


def find_people_before_posts(text: str, words: dict[int, int] | None = None,
                             model_people: dict[int, int] | None = None,
                             common_words: frozenset[str] = frozenset()):
    """Yield (start, end, post) for names written before a leader's post (NAME + TITLE).
    `words` (start -> end of the segmenter's words): two characters that start a word of the
    segmenter are a word, not a name (纪检 委员, 武装部长); it writes a name as surname +
    given name. `model_people` (start -> end of the NER's people): a name without a surname
    (Tibetan, Mongolian) that the NER reads right before the post."""
    model_by_end = {end: start for start, end in (model_people or {}).items()}
    for m in LEADER_POST_RE.finditer(text):
        if not _ends_name(text, m.end()) or text[m.end():m.end() + 1] in "会员":
            continue
        start = model_by_end.get(m.start())
        cut = model_by_end.get(m.start() - 1)  # the NER stopped one character short of the post
        if start is None and cut is not None and not is_boundary(text[m.start() - 1]) \
                and text[m.start() - 1] not in ORGAN_END_CHARS:
            start = cut
        if start is not None and _is_model_name(text[start:m.start()]) and not is_plausible_name(text[start:m.start()]) \
                and (start == 0 or is_boundary(text[start - 1])):
            yield start, m.start(), m.group()
            continue
        for length in (3, 2, 4):
            start = m.start() - length
            if start < 0:
                continue
            name = text[start:m.start()]
            if (is_plausible_name(name) and name[-1] not in ORGAN_END_CHARS
                    and (start == 0 or is_boundary(text[start - 1]))
                    and (name not in common_words or model_by_end.get(m.start()) == start)
                    and not (words is not None and length == 2 and words.get(start, start + 1) - start >= 2)):
                yield start, m.start(), m.group()
                break


# A credit closing a paragraph: the reporters' names alone in brackets, （王某 李某某）.
CREDIT_RE = re.compile(r"[（(]([\u4e00-\u9fff]{2,4}(?:[ 　、，,][\u4e00-\u9fff]{2,4}){0,5})[）)][ \t　]*(?=\n|$)")


def find_credits(text: str):
    """Yield (start, end) of the names in a closing bracketed credit, when every one of
    them is a plausible name (（据新华社）, （试行） are no credit)."""
    for m in CREDIT_RE.finditer(text):
        names = list(re.finditer(r"[\u4e00-\u9fff]+", m.group(1)))
        if all(is_plausible_name(n.group()) and len(n.group()) <= 3 for n in names):
            for n in names:
                yield m.start(1) + n.start(), m.start(1) + n.end()


def split_title(title: str) -> tuple[str, str]:
    """(organ words, post) of one title as written: 市委副书记 -> (市委, 副书记)."""
    post = PREVIOUS_POST_RE.search(title)
    return (title[:post.start()], post.group()) if post else ("", title)


# Common words are those below this inverse document frequency in jionlp's table: 呼吁
# 7.5, 居住 6.5, 马上 5.7, against 李强 9.0, 王强 10.8 (a name that is also a word, 高峰
# 6.8, counts when the NER reads it as a name).
COMMON_WORD_MAX_IDF = 8.0


def common_words_from_jionlp(max_idf: float = COMMON_WORD_MAX_IDF) -> list[str]:
    """The two-character words of jionlp's IDF table that start with a surname character
    (the surname rule's two-character names). Longer frequent words are mostly famous
    names (周恩来) or nouns no title introduces, and are left out."""
    words = []
    for line in jionlp_dictionary("idf", "the list of common words"):
        word, _, idf = line.partition("\t")
        try:
            common = float(idf) < max_idf
        except ValueError:
            continue
        if common and len(word) == 2 and word[0] in SURNAMES_SINGLE and "\u4e00" <= word[1] <= "\u9fff":
            words.append(word)
    return sorted(words)


@Language.factory("kg_people", default_config={})
def make_people_tagger(nlp: Language, name: str) -> "PeopleTagger":
    return PeopleTagger(name)


class PeopleTagger(RuleTagger):
    """Writes doc.spans["kg_people"] (PERSON, with `._.kg_title`)."""

    group, source = GROUP, "title-rule"

    def __init__(self, name: str):
        super().__init__(name)
        self.common_words: frozenset[str] = frozenset()

    def initialize(self, get_examples=None, *, nlp=None, common_words_path: str | None = None) -> None:
        """Load the name-shaped common words (pipelines/common_words.py), or make them from jionlp."""
        path = Path(common_words_path) if common_words_path else PACKAGED_COMMON_WORDS
        self.common_words = read_word_list(path) if path.exists() \
            else frozenset(common_words_from_jionlp())

    def to_disk(self, path, exclude=tuple()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        write_word_list(self.common_words, Path(path) / PACKAGED_COMMON_WORDS.name)

    def from_disk(self, path, exclude=tuple()) -> "PeopleTagger":
        self.common_words = read_word_list(Path(path) / PACKAGED_COMMON_WORDS.name)
        return self

    def find(self, doc: Doc):
        text = doc_text(doc)
        model_people = {e.start_char: e.end_char for e in doc.ents if e.label_ in ("PERSON", "PER")}
        for start, end, titles in find_people(text, model_people, self.common_words):
            yield start, end, "PERSON", titles
        for start, end, post in find_people_before_posts(text, words_by_start(doc), model_people,
                                                         self.common_words):
            yield start, end, "PERSON", post
        places = [(s.start_char, s.end_char) for s in doc.spans.get("kg_places", [])]
        for start, end in find_credits(text):  # （某省）: a place, not a credit
            if not any(s < end and start < e for s, e in places):
                yield start, end, "PERSON", None

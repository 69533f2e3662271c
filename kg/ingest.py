"""Ingest stage: read news text files and split each page into articles.

Why: the NLP stages need one clean text per article (simplified script, no hard line
breaks) with its title, dateline, date and bylines. Text extracted from PDF newspaper
pages is hard-wrapped, mixes several articles, puts headlines far from their article
and repeats sentences as pull quotes. This module undoes that with general rules of
Chinese press layout (datelines, bylines, photo credits), never with page positions.

A page is read in steps: decode -> normalise (half-width ASCII, simplified script) ->
paragraphs (hard wraps joined, column breaks bridged) -> classify each paragraph
(article start, byline, photo credit, headline, page furniture, body) -> drop pull
quotes (blocks repeating page text) -> group into articles and captions -> give each
headline to the article sharing most character bigrams with it.

Archives (.jsonl, .csv, .parquet: one article per row) are read by kg/archives.py;
`iter_pages` streams both kinds, one page (a .txt file or one row) at a time.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from math import log, sqrt

import opencc  # imported once here: an import cut short by a signal mid-batch would look like a bad file

MAX_FILE_BYTES = 64 * 2**20


class InputError(Exception):
    """A file that cannot be read as news text; str() names the file and the problem."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = str(path), reason


@dataclass(frozen=True)
class Byline:
    name: str
    role: str  # as written: 记者, 通讯员, 实习生, 特约记者, 摄影 ...
    org: str | None


@dataclass
class Article:
    id: str
    source: str
    index: int
    kind: str  # "article" | "caption"
    title: str
    date: str | None
    dateline: str | None
    text: str
    bylines: list[Byline] = field(default_factory=list)
    year_hint: int | None = None
    publisher: str | None = None  # a web page's 来源：X, when the page names one
    file: str | None = None  # the archive file of a row (its `source` is FILE:ROW); None: `source` is the file
    external_id: str | None = None  # the row's own id in its archive




# ---------------------------------------------------------------- patterns
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_PUNCT = "，。、；：？！“”‘’《》（）【】〈〉…—·～"
# a sentence ends here: final mark, possibly followed by closing quotes/brackets
SENTENCE_END_RE = re.compile(r"(?:[。！？!?]|…)[”’）)》】]*$")
# punctuation of running text that (almost) never occurs in a headline
BODY_PUNCT_RE = re.compile(r"[，。；,;]")
# a news organisation: 本报, or a name with a press suffix (XX日报, 新华社, 中新网, XX台)
ORG = rf"(?:本报|本刊|[{HAN}]{{1,10}}?(?:日报|晚报|早报|时报|商报|报社|报|通讯社|社|新闻网|网|电视台|台|客户端))"
# byline roles as written, longest first
ROLE = r"(?:特约记者|见习记者|实习记者|首席记者|摄影记者|全媒体记者|融媒体记者|记者|特约通讯员|通讯员|实习生|摄影)"
ROLE_PREFIX_RE = re.compile(rf"(?P<org>{ORG})?(?P<role>{ROLE})")
# dateline opening a paragraph: XX日报讯, 本报讯, 新华社北京7月29日电, 中新网XX电, XX网消息, 明报专讯
DATELINE_RE = re.compile(
    rf"^[【\[]?据?(?P<org>{ORG})(?P<place>[{HAN}]{{0,8}}?)"
    rf"(?P<date>(?:(?:19|20)\d{{2}}年)?\d{{1,2}}月\d{{1,2}}日)?(?P<kind>专讯|快讯|讯|电|消息)[】\]]?")
# what follows a dateline without a date (guards against 记者从社区电力… in running text)
DATELINE_FOLLOW_RE = re.compile(r"$|[\s（(【:：，]")
# bracketed byline: （记者王某 通讯员李某某）, 【记者王某／台北报导】
PAREN_BYLINE_RE = re.compile(r"^\s*[（(【]\s*(?P<content>[^（）()【】]{2,60}?)\s*[）)】]")
# unbracketed byline after a dateline, closed by 报道 (记者 王某 通讯员 李某报道：)
# or by a space before the text (记者 王某 李某 近日，…)
NAMES = rf"[{HAN}·]{{2,8}}(?:[\s、]+(?:(?:{ORG})?{ROLE}\s*)?[{HAN}·]{{2,8}})*"
REPORTED_BYLINE_RE = re.compile(
    rf"^\s*(?P<content>(?:{ORG})?{ROLE}[^，。：:（）()]{{2,40}}?)\s*报[道导][：:，]?"
    rf"|^\s*(?P<spaced>(?:{ORG})?{ROLE}\s*{NAMES})\s+(?=\S)")
# photo credit: XX日报记者 NAME 摄 / 通讯员 NAME 摄 / NAME摄, maybe in brackets
CREDIT_RE = re.compile(rf"^(?P<agency>{ORG}发\s*)?[（(]?\s*(?P<body>[^。！？，（）()]{{2,40}}?)\s*(?:摄影|摄)\s*[）)]?$")
TRAILING_CREDIT_RE = re.compile(
    rf"(?<=[。！？”])\s*(?P<credit>(?:{ORG}发)?[（(]?[^。！？，（）()“”]{{2,40}}?(?:摄影|摄)[）)]?)$")
BYLINE_LEAD_RE = re.compile(r"^[■●◆▲★□◇○•\s]*(?:(?:文|图|文图|图文|文·图)\s*[/／|｜:：]\s*)?")
NAME_RE = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}]{{1,6}}·[{HAN}]{{1,8}}")  # 2-4 chars, or A·B
NOT_NAMES = {"报道", "报导", "摄影", "摄", "文", "图", "等", "文图", "图文", "整理"}
# page furniture: page numbers, 版 names, editors, weekday headers, web meta lines
HEADER_RE = re.compile(
    r"第\s*\d+\s*版|^[A-Z]?\d{1,2}\s*版?$|\d+版|版面|责任编辑|本版编辑|美术编辑|美编|校对|组版|版式|"
    r"星期[一二三四五六日天]|周[一二三四五六日]$|www\.|https?://|电话[:：]|邮箱|E-?mail|"
    r"来源[:：]|作者[:：]|发布时间|浏览次数|字号", re.I)
# jump and end notes inside article text: （下转第2版）（上接第1版）（完）（责任编辑：X）
NOTE_RE = re.compile(r"[（(](?:完|[上下]转第?[^）)]{0,6}版|[上紧]接第?[^）)]{0,6}版|(?:责任)?编辑[:：][^）)]{0,12})[）)]")
FULL_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))")
# an explicit year: 2021年, 2021 年, 2021-07-29, 二〇二一年 (not 2120 人次)
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年|[-/.]\d{1,2}[-/.]\d{1,2})")
CN_YEAR_RE = re.compile(r"([〇零一二三四五六七八九]{4})年")
CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
# a web page's meta line naming who published it: 发布时间：… 来源：某某日报
PUBLISHER_RE = re.compile(rf"来源[:：]\s*([{HAN}A-Za-z0-9（）()·]{{2,30}})")
CONTROL_CHAR_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc


# ---------------------------------------------------------------- decoding
BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz"}  # read all of them as their superset
# Unicode categories of ordinary text: letters, digits, punctuation, spaces, + = ¥
TEXT_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Sm", "Sc"}
# what Chinese news consists of: ASCII, CJK ideographs and punctuation, full-width forms
CHINESE_TEXT_RE = re.compile(rf"[\t\n\r\x20-\x7e{HAN}\u2000-\u206f\u3000-\u303f\uff00-\uffef]")


def _candidate_encodings(data: bytes):
    """A BOM decides; NUL bytes mean UTF-16 without BOM (or binary); else UTF-8, then GB18030,
    the detector's guess and Big5 (the most Chinese-looking of these wins)."""
    bom = next((enc for mark, enc in BOMS if data.startswith(mark)), None)
    if bom:
        yield bom
    elif b"\x00" in data:
        yield from ("utf-16-le", "utf-16-be")
    else:
        yield from ("utf-8", "gb18030")
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is not None and best.encoding.lower().replace("_", "") not in GB_FAMILY:
            yield best.encoding
        yield "big5"


def _plausible(text: str, guessed_utf16: bool) -> bool:
    """Almost only letters, digits, punctuation and spaces; a UTF-16 guess (no BOM) must
    moreover give Chinese or ASCII text."""
    good = sum(1 for c in text if c in "\n\r\t" or unicodedata.category(c) in TEXT_CATEGORIES)
    if not text or good < 0.95 * len(text):
        return False
    return not guessed_utf16 or len(CHINESE_TEXT_RE.findall(text)) >= 0.9 * len(text)


def _is_common(char: str) -> bool:
    """ASCII, or a GB2312 symbol or first-level (most frequent 3755) character."""
    try:
        return char < "\x80" or char.encode("gb2312")[0] <= 0xD7
    except UnicodeEncodeError:
        return False


def _chinese_share(text: str) -> float:
    """Share of common characters (after t2s): real text scores high, a wrong decoding low."""
    chars = [c for c in _t2s().convert(text[:20000]) if not c.isspace()]
    return sum(map(_is_common, chars)) / max(1, len(chars))


def decode_bytes(data: bytes, path: str) -> str:
    """Text of a file in UTF-8 (BOM or not), GB18030/GBK or UTF-16; InputError otherwise."""
    if not data.strip():
        raise InputError(path, "empty file (no text)")
    decoded: dict[str, str] = {}
    for encoding in _candidate_encodings(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            decoded.setdefault(encoding, "")
            continue
        if _plausible(text, encoding in ("utf-16-le", "utf-16-be")):
            decoded[encoding] = text
            if encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):  # these check themselves
                break
    lenient = data.decode("utf-8", errors="replace")  # UTF-8 with a few damaged bytes
    if lenient.count("\ufffd") <= max(2, len(lenient) // 1000) and _plausible(lenient, False):
        decoded.setdefault("utf-8 (damaged bytes replaced)", lenient)
    texts = [t for t in decoded.values() if t]
    if texts:
        text = max(texts, key=_chinese_share)  # the first one on ties
        if not text.strip():
            raise InputError(path, "empty file (whitespace only)")
        return text
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(path, "binary file (contains NUL bytes and is not UTF-16 text)")
    raise InputError(path, f"undecodable: not UTF-8, GB18030/GBK or UTF-16 text (tried {', '.join(decoded)})")


FILE_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
              stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def read_text_file(path) -> str:
    """Read and decode one file; every failure becomes an InputError naming the file.

    Only regular files are read: a FIFO would block on open and a device never ends, so
    their kind is checked before opening (and again on the open file, in case the path
    changed). At most MAX_FILE_BYTES + 1 bytes are read, whatever the file claims to hold."""
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind:
            raise InputError(printable(path), f"{kind}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # never blocks, even on a FIFO
        with open(fd, "rb") as handle:
            opened = os.fstat(fd)
            kind = _not_regular(opened.st_mode)
            if kind:
                raise InputError(printable(path), f"{kind}, not a regular file")
            data = handle.read(MAX_FILE_BYTES + 1) if opened.st_size <= MAX_FILE_BYTES else b""
    except FileNotFoundError:
        raise InputError(printable(path), "no such file or folder") from None
    except OSError as exc:
        raise InputError(printable(path), f"cannot read: {exc.strerror or exc}") from None
    if opened.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:  # the file may grow while read
        raise InputError(printable(path), f"file too large (over {MAX_FILE_BYTES // 2**20} MB)")
    return decode_bytes(data, printable(path))


def _not_regular(mode: int) -> str | None:
    """None for a regular file, else what it is ("a FIFO (named pipe)", "a folder", ...)."""
    return None if stat.S_ISREG(mode) else FILE_KINDS.get(stat.S_IFMT(mode), "not a file")


def printable(path) -> str:
    """A file name as text that prints and stores anywhere (terminal, JSON, XML): bytes that
    are not UTF-8 (which Python keeps as lone surrogates) and control characters become
    backslash escapes (bad\\xff.txt); any other name is returned as it is."""
    try:
        data = os.fsencode(path)
    except UnicodeEncodeError:  # a str with surrogates that no file name decodes to
        data = os.fspath(path).encode("utf-8", "backslashreplace")
    text = data.decode("utf-8", "backslashreplace")
    return CONTROL_CHAR_RE.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


# ---------------------------------------------------------------- normalising
_KEEP_FULLWIDTH = set("！（），：；？～")  # Chinese punctuation stays Chinese
_TRANSLATE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_TRANSLATE.update({cp: " " for cp in (0x09, 0xA0, 0x3000, 0x202F, 0x205F, *range(0x2000, 0x200B))})
_TRANSLATE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})
_TRANSLATE.update({ord("「"): "“", ord("」"): "”", ord("『"): "‘", ord("』"): "’"})


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


CONTROL_BUT_NEWLINE_RE = re.compile(r"(?!\n)" + CONTROL_CHAR_RE.pattern)


def normalise(text: str) -> str:
    """Half-width ASCII, simplified script, no control characters, '\\n' line ends."""
    text = re.sub(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]", "\n", text).translate(_TRANSLATE)
    text = CONTROL_BUT_NEWLINE_RE.sub("", text)
    return _t2s().convert(text)


# ---------------------------------------------------------------- reflow
@lru_cache(maxsize=1 << 16)
def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.strip())


SPACE_AT_PUNCT_RE = re.compile(rf"\s*([{CN_PUNCT}])\s*")  # PDF spacing around Chinese punctuation
SPACE_HAN_ASCII_RE = re.compile(rf"(?<=[{HAN}]) (?=[0-9A-Za-z%.])|(?<=[0-9A-Za-z%.]) (?=[{HAN}])")
SPACE_HAN_HAN_RE = re.compile(rf"(?<![{HAN}])([{HAN}]+) (?=([{HAN}]+))")


@lru_cache(maxsize=1 << 16)
def _tidy(line: str) -> str:
    """Drop PDF spacing inside Chinese text; keep 'word word' and phrase gaps of headlines."""
    line = SPACE_HAN_ASCII_RE.sub("", SPACE_AT_PUNCT_RE.sub(r"\1", " ".join(line.split())))
    return SPACE_HAN_HAN_RE.sub(  # 道 和 钢 -> 道和钢, but 短语 短语 stays
        lambda m: m[1] + (" " if len(m[1]) >= 2 and len(m[2]) >= 2 else ""), line)


def _join_lines(lines: list[str]) -> str:
    """Wrapped lines as one paragraph: Chinese joins without a space, Latin words with one.
    Only the neighbouring characters are looked at, so a long paragraph joins in linear time."""
    parts: list[str] = []
    for line in map(_tidy, lines):
        if parts and line and _is_latin(parts[-1][-1:]) and _is_latin(line[0]):
            parts.append(" ")
        if line:
            parts.append(line)
    return "".join(parts)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _is_headline_like(lines: list[str]) -> bool:
    return (0 < len(lines) <= 6 and all(_width(x) <= 90 and not BODY_PUNCT_RE.search(x) for x in lines)
            and not _starts_article(lines[0]))


def _indent_marks_paragraphs(block: list[str]) -> bool:
    """Indentation marks a paragraph only where most lines of the block are not indented."""
    return sum(x[:1].isspace() for x in block) <= max(1, len(block) // 2)


def _starts_paragraph(block: list[str], i: int, indent_marks: bool) -> bool:
    """Does line i of a blank-line-separated block open a new paragraph?
    `indent_marks`: `_indent_marks_paragraphs(block)`, counted once per block."""
    line, prev = block[i], block[i - 1]
    if (indent_marks and line[:1].isspace()) or _starts_article(line):
        return True
    if _credit(_tidy(prev)) or _credit(_join_lines(block[max(0, i - 2):i])):  # after a photo credit
        return True
    if _byline_line(prev) or _byline_line(line):  # 本报记者 王某 on a line of its own
        return True
    if SENTENCE_END_RE.search(prev.strip()):
        if _credit(_tidy(line)) or _is_headline_like(block[i: i + 2]):  # a credit or a headline
            return True
        ref = max(_width(block[i - 2]) if i >= 2 else 0, _width(line))  # after a short line,
        return _width(prev) + 6 <= ref or _width(prev) > 80  # or after unwrapped text
    # headline line(s) above a much longer body line (web text: title, then paragraph)
    return (i <= 4 and _is_headline_like(block[:i]) and bool(BODY_PUNCT_RE.search(line))
            and _width(line) > 1.5 * _width(prev))


@dataclass
class _Para:
    lines: list[str]
    kind: str = "body"  # body|start|byline|credit|caption|header|headline|title|dropped
    head: int = 0  # leading headline-like lines that may sit on top of a pull quote
    joins_prev: bool = False  # goes on from the previous block (broken by a column break)
    caption_of: int | None = None
    meta: list[str] = field(default_factory=list)  # page furniture lines (dates, 版, 来源)

    @property
    def text(self) -> str:
        return _join_lines(self.lines)


def _continues(prev: _Para, block: list[str]) -> bool:
    """Is the first paragraph of this block the rest of a paragraph cut by a column break?"""
    text = prev.text
    return (bool(BODY_PUNCT_RE.search(text)) and not SENTENCE_END_RE.search(text)
            and not (block[0][:1].isspace() and _indent_marks_paragraphs(block)) and not _starts_article(block[0])
            and not _is_headline_like(block) and not _credit(_join_lines(block)))


def _undouble(text: str) -> str:
    """Double-spaced extraction (a blank line after every wrapped line): one blank line is a line break."""
    lines = [x for x in text.split("\n") if x.strip()]
    blocks = re.split(r"\n\s*\n", text.strip())
    widths = sorted(map(_width, lines)) or [0]
    if len(blocks) > 10 and sum("\n" not in b for b in blocks) > 0.8 * len(blocks) and widths[len(widths) // 2] <= 70:
        return re.sub(r"\n[ \t]*\n(?![ \t]*\n)", "\n", text)
    return text


def _paragraphs(text: str) -> list[_Para]:
    paras: list[_Para] = []
    for raw in re.split(r"\n\s*\n", _undouble(text)):
        block = [x.rstrip() for x in raw.split("\n") if x.strip()]
        if not block:
            continue
        indent_marks = _indent_marks_paragraphs(block)
        starts = [0] + [i for i in range(1, len(block)) if _starts_paragraph(block, i, indent_marks)] + [len(block)]
        parts = [block[a:b] for a, b in zip(starts, starts[1:])]
        paras.append(_Para(parts[0], joins_prev=bool(paras) and _continues(paras[-1], parts[0])))
        paras += [_Para(p) for p in parts[1:]]
    for p in paras:  # leading headline lines glued on top of running text
        p.head = next((k for k in range(1, min(4, len(p.lines))) if not _is_headline_like(p.lines[: k + 1])), 0)
    return paras


def _merge_continuations(paras: list[_Para]) -> list[_Para]:
    """Glue paragraphs cut by a column break, unless a half turned out to be a pull quote."""
    out: list[_Para] = []
    for i, p in enumerate(paras):
        if p.joins_prev and out and out[-1] is paras[i - 1] and out[-1].kind in ("body", "start") and p.kind == "body":
            out[-1].lines += p.lines
        else:
            out.append(p)
    return [p for p in out if p.kind != "dropped"]


def reflow(text: str) -> list[str]:
    """Paragraphs of hard-wrapped text; each headline line stays a paragraph of its own."""
    out = []
    for p in _merge_continuations(_paragraphs(text)):
        out += list(map(_tidy, p.lines)) if _is_headline_like(p.lines) else [p.text]
    return [x for x in out if x]


# ---------------------------------------------------------------- datelines and bylines
def _dateline(text: str) -> re.Match | None:
    m = DATELINE_RE.match(text)
    strong = m and (m["date"] or (m["org"] == "本报" and not m["place"]) or m[0].endswith(("】", "]")))
    return m if m and (strong or DATELINE_FOLLOW_RE.match(text, m.end())) else None


def _starts_article(line: str) -> bool:
    line = line.strip()
    paren = PAREN_BYLINE_RE.match(line)
    return bool(_dateline(line) or (paren and ROLE_PREFIX_RE.match(paren["content"])))


def _parse_people(content: str, strict: bool) -> list[tuple[str, str | None, str | None]] | None:
    """(name, role, org prefix) from '记者王某 通讯员李某、张某'; None when strict and not a byline."""
    content = re.sub(r"[/／][^/／]*报[道导]$", "", content)  # 【记者王某／台北报导】: drop the place
    people, role, org = [], None, None
    for token in re.split(r"[\s、，,/／:：]+", content):
        while token:
            m = ROLE_PREFIX_RE.match(token)
            if m:
                role, org, token = m["role"], m["org"], token[m.end():]
                continue
            inner = re.search(ROLE, token[2:])  # a role glued after a name: 王某通讯员李某
            name, token = (token[: inner.start() + 2], token[inner.start() + 2:]) if inner else (token, "")
            name = re.sub(r"(报道|报导|等|整理)$", "", name)
            if NAME_RE.fullmatch(name) and name not in NOT_NAMES:
                people.append((name, role, org))
            elif name and name not in NOT_NAMES and strict:
                return None
    return people


def _byline_line(line: str) -> bool:
    text = BYLINE_LEAD_RE.sub("", _tidy(line))
    return (len(text) <= 40 and not BODY_PUNCT_RE.search(text) and bool(ROLE_PREFIX_RE.match(text))
            and bool(_parse_people(text, strict=True)))


def _credit(text: str) -> list[tuple[str, str | None, str | None]] | None:
    m = CREDIT_RE.match(text) if len(text) <= 44 else None
    people = _parse_people(m["body"], strict=True) if m else None
    agency = m and m["agency"] and re.sub(r"发\s*$", "", m["agency"])  # 新华社发（王某 摄）
    return [(name, role, org or agency) for name, role, org in people] if people else None


def _bylines(people, default_org: str | None, paper: str | None, default_role: str = "记者") -> list[Byline]:
    """Bylines with role and org; 本报 becomes the paper's name when the page spells it."""
    found = []
    for name, role, org in people or []:
        org = org or default_org
        found.append(Byline(name, role or default_role, paper if org in ("本报", "本刊") else org))
    return list(dict.fromkeys(found))


def _paper_name(paras: list[_Para]) -> str | None:
    """The newspaper's own name, when a dateline, byline or credit on the page spells it."""
    orgs = [m["org"] for p in paras if p.kind == "start" and (m := _dateline(p.text))]
    heads = [p.text[:80] for p in paras if p.kind in ("start", "credit", "byline")]  # not running text
    orgs += [m["org"] for head in heads for m in ROLE_PREFIX_RE.finditer(head)]
    papers = Counter(o for o in orgs if o and o.endswith("报") and o not in ("本报", "本刊"))
    return papers.most_common(1)[0][0] if papers else None


# ---------------------------------------------------------------- page analysis
def _is_furniture(line: str) -> bool:
    line = _tidy(line)
    return len(line) <= 40 and bool(HEADER_RE.search(line) or _full_date(line))


def _split_trailing_credit(p: _Para) -> list[_Para]:
    """A caption with its photo credit on the same line -> the caption, then the credit."""
    text = p.text
    trailing = TRAILING_CREDIT_RE.search(text)
    if trailing and _credit(trailing["credit"]) and not _starts_article(text):
        p.lines = [text[: trailing.start()]]
        return [p, _Para([trailing["credit"]])]
    return [p]


# a credit on a line of its own: reporters' names alone in brackets, （王某 李某某）
NAMES_CREDIT_RE = re.compile(rf"^[（(]\s*([{HAN}]{{2,4}}(?:[\s、]+[{HAN}]{{2,4}}){{0,5}})\s*[）)]$")


def _names_credit(text: str) -> str | None:
    """The names of a bracketed credit line, when every one is surname-first (（试行） is none)."""
    from .nlp.lexicon import NOT_NAMES, SURNAMES_DOUBLE, SURNAMES_SINGLE

    m = NAMES_CREDIT_RE.match(text.strip())
    if not m:
        return None
    names = re.split(r"[\s、]+", m.group(1))
    ok = all(n not in NOT_NAMES and (n[:2] in SURNAMES_DOUBLE or (n[0] in SURNAMES_SINGLE and len(n) <= 3))
             for n in names)
    return " ".join(names) if ok else None


def _classify(paras: list[_Para]) -> list[_Para]:
    """Tell article starts, bylines, photo credits, headlines and page furniture from body text."""
    paras = [part for p in paras for part in _split_trailing_credit(p)]  # a new list: inserting is quadratic
    for p in paras:
        text = p.text
        bare = BYLINE_LEAD_RE.sub("", text)  # ■本报记者 王某 / 文/记者 王某
        people = _parse_people(bare, strict=True) if len(text) <= 40 and not BODY_PUNCT_RE.search(text) else None
        credit_names = _names_credit(text) if len(text) <= 40 else None
        if credit_names:
            p.kind, p.lines = "byline", [credit_names]
        elif _starts_article(text):
            p.kind = "start"
        elif _credit(text) or (people and all(role == "摄影" for _, role, _ in people)):
            p.kind = "credit"
        elif people and ROLE_PREFIX_RE.match(bare):
            p.kind = "byline"
        elif _is_headline_like(p.lines):
            p.meta = [x for x in p.lines if _is_furniture(x)]
            p.lines = [x for x in p.lines if x not in p.meta]
            while len(p.lines) > 1 and len(re.sub(rf"[^{HAN}0-9A-Za-z]", "", p.lines[0])) < 4:
                p.meta.append(p.lines.pop(0))  # a page or section label above the headlines
            p.kind = "headline" if len(re.sub(rf"[^{HAN}0-9A-Za-z]", "", p.text)) >= 5 else "header"
        elif _is_furniture(text):
            p.kind = "header"
        if p.kind == "header":
            p.meta, p.lines = p.meta + p.lines, []
    return paras


MAX_CAPTION = 300  # characters; a longer block before a credit is article text, the photo the article's


def _mark_captions(paras: list[_Para]) -> None:
    """The text block right before a photo credit is the photo's caption."""
    for i, p in enumerate(paras):
        if p.kind == "credit" and i and paras[i - 1].kind == "body" and len(paras[i - 1].text) <= MAX_CAPTION:
            paras[i - 1].kind, p.caption_of = "caption", i - 1


def _grams(text: str, n: int) -> list[str]:
    runs = re.findall(rf"[{HAN}0-9A-Za-z]+", text)
    return [r[i: i + n] for r in runs if len(r) >= 2 for i in range(max(1, len(r) - n + 1))]


MIN_QUOTE_GRAMS = 16  # a pull quote is a sentence or more, not a repeated phrase


def _drop_pull_quotes(paras: list[_Para]) -> None:
    """Drop body blocks whose 4-grams mostly repeat other text of the page (pull quotes);
    a headline line on top of such a block is kept as a headline. A block's own 4-grams
    are counted when needed, not kept for every block: on a long page they outweigh the text."""
    seen = Counter(g for p in paras if p.kind in ("start", "body") for g in set(_grams(p.text, 4)))

    def repeated(text: str, own: set[str], min_grams: int = MIN_QUOTE_GRAMS) -> bool:
        grams = set(_grams(text, 4))
        hits = sum(1 for g in grams if seen[g] - (g in own) > 0)
        return len(grams) >= min_grams and hits >= 0.7 * len(grams)

    bodies = [(len(p.text), -i, p) for i, p in enumerate(paras) if p.kind == "body"]
    for *_, p in sorted(bodies, key=lambda item: item[:2]):  # shortest first, later first
        own = set(_grams(p.text, 4))
        for k in range(p.head, 0, -1):
            if repeated(_join_lines(p.lines[k:]), own) and not repeated(_join_lines(p.lines[:k]), own, 1):
                p.lines, p.kind = p.lines[:k], "headline"
                break
        if p.kind == "body" and repeated(p.text, own):
            p.kind = "dropped"
        if p.kind != "body":
            seen.subtract(own)


# ---------------------------------------------------------------- articles and headlines
@dataclass
class _Group:
    kind: str
    dateline: str | None = None
    date: str | None = None
    bylines: list[Byline] = field(default_factory=list)
    paras: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    at: int = 0  # index of the page paragraph that opened it

    @property
    def text(self) -> str:
        return "\n".join(x for x in self.paras if x)

    @property
    def has_text(self) -> bool:
        return any(self.paras)  # without joining them all: asked once per paragraph of the page


def _open_article(text: str, paper: str | None) -> _Group:
    """An article from its first paragraph: dateline, bracketed byline, then text."""
    m = _dateline(text)
    org, rest = (m["org"], text[m.end():]) if m else (None, text)
    by = PAREN_BYLINE_RE.match(rest) or (REPORTED_BYLINE_RE.match(rest) if m else None)
    content = by and (by["content"] or by["spaced"])
    people = _parse_people(content, strict=False) if content and ROLE_PREFIX_RE.search(content) else None
    if people is not None:
        rest = rest[by.end():]
    group = _Group("article", m[0].strip("【】[]") if m else None, _full_date(m["date"] or "") if m else None,
                   _bylines(people, org, paper))
    group.paras.append(rest.strip(" ：:，"))
    return group


def _group(paras: list[_Para], paper: str | None) -> list[_Group]:
    """Walk the page in order: datelines open articles, credits close captions. In undated
    text a headline closes the article before it and titles the one after it."""
    groups: list[_Group] = []
    current, pending = None, []

    def open_undated(at: int) -> _Group:
        group = _Group("article", titles=[_tidy(x) for h in pending for x in h.lines], at=at)
        for h in pending:
            h.kind = "title"  # placed by position, not by shared words
        pending.clear()
        groups.append(group)
        return group

    last_text = max((i for i, p in enumerate(paras) if p.kind in ("body", "start")), default=-1)
    for i, p in enumerate(paras):
        if p.kind == "headline":
            if current and current.dateline is None and current.has_text:
                current = None
            pending.append(p)
        elif p.kind == "start":
            pending.clear()
            current = _open_article(p.text, paper)
            current.at = i
            groups.append(current)
        elif p.kind == "byline":
            people = _bylines(_parse_people(BYLINE_LEAD_RE.sub("", p.text), strict=True), None, paper)
            # a byline after the text opens the next article, unless no text follows it:
            # then it closes the article it ends (…全文。 / 某某日报记者 王某)
            if current is None or (current.has_text and i < last_text):
                current = open_undated(i)
            named = {b.name for b in current.bylines}
            current.bylines += [b for b in people if b.name not in named]  # a closing credit repeats the byline
        elif p.kind == "caption":
            groups.append(_Group("caption", paras=[p.text], at=i))
        elif p.kind == "credit":
            target = groups[-1] if p.caption_of is not None else current
            if target is not None:
                target.bylines += _bylines(_credit(p.text) or _parse_people(p.text, False), None, paper, "摄影")
        elif p.kind == "body":
            if current is None:
                current = open_undated(i)
            current.paras.append(p.text)
    return [g for g in groups if re.search(f"[{HAN}]", g.text) and (
        g.kind == "caption" or g.dateline or g.bylines or len(re.findall(f"[{HAN}]", g.text)) >= 15)]


HEADLINE_REACH = 20  # articles and captions before and after a headline that may own it


def _assign_headlines(paras: list[_Para], groups: list[_Group]) -> None:
    """Give each headline to the article sharing most (tf-idf weighted) character bigrams.
    Lines of one headline block stay together while they fit the same article. A headline
    is printed on its article's page, so only the HEADLINE_REACH groups on either side of
    it compete: more than a page holds, and a long file stays linear in its length."""
    if not groups or not any(p.kind == "headline" for p in paras):
        return
    starts = [g.at for g in groups]
    # document frequencies first, so that only the tf-idf vectors are held, not the counts too
    df = Counter(b for g in groups for b in set(_grams(g.text, 2)))
    idf = {b: log(1 + len(groups) / n) for b, n in df.items()}
    vectors = [{b: (1 + log(c)) * idf[b] for b, c in Counter(_grams(g.text, 2)).items()} for g in groups]
    norms = [sqrt(sum(v * v for v in vec.values())) or 1.0 for vec in vectors]

    def scores(line: str, near: range) -> list[float]:  # cosine, if 40% of the line's weight is found
        weight = {b: idf.get(b, log(1 + len(groups))) for b in set(_grams(line, 2))}
        total, length = sum(weight.values()) or 1.0, sqrt(sum(w * w for w in weight.values())) or 1.0
        return [sum(w * vectors[g].get(b, 0) for b, w in weight.items()) / length / norms[g]
                if sum(w for b, w in weight.items() if b in vectors[g]) >= 0.4 * total else 0.0
                for g in near]

    for at, para in enumerate(paras):
        if para.kind != "headline":
            continue
        middle = bisect_left(starts, at)
        near = range(max(0, middle - HEADLINE_REACH), min(len(groups), middle + HEADLINE_REACH))
        parts: list[tuple[list[str], list[float]]] = []
        for line in map(_tidy, para.lines):
            s = scores(line, near)
            if parts:
                lines, summed = parts[-1]
                current = max(range(len(s)), key=summed.__getitem__)
                # a line fitting the headline above, or fitting nothing (三十条措施), continues it
                if max(s) == 0 or max(summed) == 0 or (s[current] > 0 and s[current] >= 0.5 * max(s)):
                    parts[-1] = (lines + [line], [a + b for a, b in zip(summed, s)])
                    continue
            parts.append(([line], s))
        for lines, s in parts:
            best = max(range(len(s)), key=s.__getitem__)
            if s[best] > 0:
                groups[near[best]].titles += lines


def _iso(y, m, d) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _full_date(text: str) -> str | None:
    dates = (_iso(m["y"], m["m"] or m["m2"], m["d"] or m["d2"]) for m in FULL_DATE_RE.finditer(text))
    return next((d for d in dates if d), None)


# Years that are not the present: inside titles (《…2022—2024年…》) or plan targets (到2025年).
FUTURE_YEAR_RE = re.compile(r"《[^》]*》|(?<!截)(?:到|至)\s*(?:19|20)\d{2}\s*年")


def _year_hint(text: str) -> int | None:
    """The latest year written on the page, except titles and plan targets."""
    text = FUTURE_YEAR_RE.sub("", text)
    years = [int(y) for y in YEAR_RE.findall(text)] + [int(y.translate(CN_DIGITS)) for y in CN_YEAR_RE.findall(text)]
    return max((y for y in years if 1900 <= y <= 2099), default=None)


def _check_date(date: str | None) -> str | None:
    if date is not None and not (re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) and _iso(*date.split("-"))):
        raise ValueError(f"date must be an ISO date YYYY-MM-DD, got {date!r}")
    return date


def split_articles(text: str, source: str, date: str | None = None) -> list[Article]:
    """One page (or one news file) -> its articles and photo captions, in page order.
    Date: a full date in the dateline, else in the page header, else the `date` argument."""
    date = _check_date(date)
    text = normalise(text)
    paras = _paragraphs(NOTE_RE.sub("", text))
    paras = _classify(paras)
    _drop_pull_quotes(paras)
    paras = _merge_continuations(paras)
    _mark_captions(paras)
    page_date = next((d for p in paras for d in map(_full_date, p.meta) if d), None)
    groups = _group(paras, _paper_name(paras))
    _assign_headlines(paras, groups)
    hint, name = _year_hint(text), os.path.basename(str(source))
    publishers = {m.group(1) for p in paras for line in p.meta if (m := PUBLISHER_RE.search(line))}
    publisher = publishers.pop() if len(publishers) == 1 else None
    articles = []
    for index, g in enumerate(groups):
        art_date, body = g.date or page_date or date, g.text
        digest = hashlib.sha1(f"{name}\x1f{index}\x1f{body}".encode()).hexdigest()[:16]
        articles.append(Article(f"doc:{digest}", str(source), index, g.kind, " ".join(g.titles), art_date,
                                g.dateline, body, list(dict.fromkeys(g.bylines)),
                                int(art_date[:4]) if art_date else hint,
                                publisher if g.kind == "article" else None))
    return articles


# ---------------------------------------------------------------- files
INPUT_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".csv", ".parquet")  # what a folder contributes


def _expand(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in files if f.lower().endswith(INPUT_SUFFIXES) and not f.startswith(".")]
    return sorted(found)


def iter_input_files(paths: list[str]) -> list[str]:
    """Files as given, plus the news files (.txt, .jsonl, .ndjson, .csv, .parquet) of folders
    (recursive, sorted); a missing path is kept so that reading it reports the problem. A
    file reached twice (base ./base base/, a symlink) is listed once, as first spelled: read
    twice, its mentions would count double. Only names are listed, never contents."""
    files: dict[str, str] = {}  # real path -> path as first spelled
    for path in paths:
        for file in _expand(os.fspath(path)):
            files.setdefault(os.path.realpath(file), file)
    return list(files.values())


def iter_pages(paths, date: str | None = None, columns=None, skipped: list[dict] | None = None):
    """The articles of the inputs, one page at a time (a .txt file, or one row of an
    archive), lazily: only the page being read is in memory. A file or row skipped is
    appended to `skipped` as {'source', 'reason'} when the generator reaches it."""
    from .archives import Columns

    date = _check_date(date)
    columns = columns or Columns()
    skipped = [] if skipped is None else skipped
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    skipped += empty_folders(paths)
    for path in iter_input_files(paths):
        yield from _file_pages(path, date, columns, skipped)


def empty_folders(paths) -> list[dict]:
    """A skipped entry for each folder given that holds no news file (once per folder)."""
    found: dict[str, str] = {}  # real path -> path as first spelled
    for path in map(os.fspath, paths):
        if os.path.isdir(path) and not _expand(path):
            found.setdefault(os.path.realpath(path), path)
    return [{"source": printable(p), "reason": "folder contains no .txt, .jsonl, .csv or .parquet files"}
            for p in found.values()]


def file_pages(path: str, date: str | None, columns, skipped: list[dict]):
    """The pages of one input file (see iter_pages), a problem appended to `skipped`:
    what an engine reading files in other processes runs per file."""
    from .archives import Columns

    yield from _file_pages(path, _check_date(date), columns or Columns(), skipped)


def _file_pages(path: str, date: str | None, columns, skipped: list[dict]):
    from .archives import is_archive, iter_archive

    source = printable(path)
    try:
        if is_archive(path):
            kind = _not_regular(os.stat(path).st_mode)
            if kind:
                raise InputError(source, f"{kind}, not a regular file")
            rows, bad_before = 0, len(skipped)
            try:
                for article in iter_archive(path, source, columns, date, skipped):
                    rows += 1
                    yield [article]
            except (InputError, OSError):
                raise
            except Exception as exc:  # noqa: BLE001 - a file broken midway keeps the rows before
                raise InputError(source, f"unreadable after {rows} rows: {type(exc).__name__}: {exc}") from None
            if not rows and len(skipped) == bad_before:
                raise InputError(source, "no rows")
            return
        found = split_articles(read_text_file(path), source, date)
        if not found:
            raise InputError(source, "no article text found (only headlines or page headers)")
        yield found
    except FileNotFoundError:
        skipped.append({"source": source, "reason": "no such file or folder"})
    except InputError as exc:
        skipped.append({"source": source, "reason": exc.reason})
    except OSError as exc:
        skipped.append({"source": source, "reason": f"cannot read: {exc.strerror or exc}"})
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
        skipped.append({"source": source, "reason": f"could not split into articles: {type(exc).__name__}: {exc}"})


def load_documents(paths, date: str | None = None, columns=None) -> tuple[list[Article], list[dict]]:
    """Articles of all readable files, and [{'source', 'reason'}] for each file (or archive
    row) skipped. Sources are `printable` paths: a file name need not be valid UTF-8.
    Holds every article: `iter_pages` streams them."""
    skipped: list[dict] = []
    articles = [article for page in iter_pages(paths, date, columns, skipped) for article in page]
    return articles, skipped

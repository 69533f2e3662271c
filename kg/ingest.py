"""Ingest stage: read news text files and split each page into articles.

Why: the NLP stages need one clean text per article (simplified script, no hard line
breaks) with its title, dateline, date and bylines. Text extracted from PDF newspaper
pages is hard-wrapped, mixes several articles, puts headlines far from their article
and repeats sentences as pull quotes; this module undoes that with general rules of
Chinese press layout (datelines, photo credits, bylines), not with page positions.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from math import log, sqrt

MAX_FILE_BYTES = 64 * 1024 * 1024


class InputError(Exception):
    """A file that cannot be read as news text; str() names the file and the problem."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class Byline:
    name: str
    role: str
    org: str | None


@dataclass
class Article:
    id: str
    source: str
    index: int
    kind: str
    title: str
    date: str | None
    dateline: str | None
    text: str
    bylines: list[Byline] = field(default_factory=list)
    year_hint: int | None = None


# ---------------------------------------------------------------- patterns
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_PUNCT = "，。、；：？！“”‘’《》（）【】〈〉…—·～"
# a sentence ends here: final mark, possibly followed by closing quotes/brackets
SENTENCE_END_RE = re.compile(r"(?:[。！？!?]|…)[”’）)》】]*$")
# punctuation that occurs in running text but (almost) never in a headline
BODY_PUNCT_RE = re.compile(r"[，。；,;]")
# a news organisation: 本报, or a name ending in a press suffix (河北日报, 新华社, 中新网)
ORG = r"(?:本报|本刊|[%s]{1,10}?(?:日报|晚报|早报|时报|商报|报社|报|通讯社|社|新闻网|网|电视台|台|客户端))" % HAN
# byline roles as written (longest first so 摄影记者 wins over 记者)
ROLE = r"(?:特约记者|见习记者|实习记者|首席记者|摄影记者|全媒体记者|融媒体记者|记者|特约通讯员|通讯员|实习生|摄影)"
ROLE_PREFIX_RE = re.compile(rf"(?P<org>{ORG})?(?P<role>{ROLE})")
# dateline at the start of a paragraph: 河北日报讯, 本报讯, 新华社北京7月29日电, 中新网…电, 央视网消息
DATELINE_RE = re.compile(
    rf"^[【\[]?据?(?P<org>{ORG})(?P<place>[{HAN}]{{0,8}}?)"
    rf"(?P<date>(?:(?:19|20)\d{{2}}年)?\d{{1,2}}月\d{{1,2}}日)?(?P<kind>讯|电|消息)[】\]]?"
)
# what may follow a dateline (guards against 记者从社区电力… in running text)
DATELINE_FOLLOW_RE = re.compile(r"$|[\s（(【:：，]")
# a byline in brackets: （记者王某 通讯员李某某）
PAREN_BYLINE_RE = re.compile(r"^\s*[（(【]\s*(?P<content>[^（）()【】]{2,60}?)\s*[）)】]")
# photo credit: 河北日报记者 NAME 摄 / 通讯员 NAME 摄 / NAME摄, optionally in brackets
CREDIT_RE = re.compile(r"^[（(]?\s*(?P<body>[^。！？，（）()]{2,40}?)\s*(?:摄影|摄)\s*[）)]?$")
TRAILING_CREDIT_RE = re.compile(r"(?<=[。！？”])\s*(?P<credit>[（(]?[^。！？，（）()“”]{2,40}?(?:摄影|摄)[）)]?)$")
NAME_RE = re.compile(rf"[{HAN}]{{2,4}}|[{HAN}]{{1,6}}·[{HAN}]{{1,8}}")
NOT_NAMES = {"报道", "摄影", "摄", "文", "图", "等", "文图", "图文"}
# page furniture: page numbers, 版 names, editors, weekday/date headers, web addresses
HEADER_RE = re.compile(
    r"第\s*\d+\s*版|^[A-Z]?\d{1,2}\s*版?$|\d+版|版面|责任编辑|本版编辑|美术编辑|美编|校对|"
    r"组版|版式|星期[一二三四五六日天]|周[一二三四五六日]$|www\.|https?://|电话[:：]|邮箱|E-?mail|"
    r"来源[:：]|作者[:：]|发布时间|浏览次数|字号",
    re.I,
)
FULL_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))"
)
# an explicit year: 2021年, 2021 年, 2021-07-29 (not 2120 人次)
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年|[-/.]\d{1,2}[-/.]\d{1,2})")
CN_YEAR_RE = re.compile(r"([〇零一二三四五六七八九]{4})年")
CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


# ---------------------------------------------------------------- decoding
# Unicode categories of ordinary text (letters, digits, punctuation, spaces, + = ¥ %)
TEXT_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
                   "Zs", "Sm", "Sc"}
def _is_texty(text: str) -> bool:
    """True when almost all characters are letters, digits, punctuation or spaces."""
    if not text:
        return False
    good = sum(1 for c in text if c in "\n\r\t" or unicodedata.category(c) in TEXT_CATEGORIES)
    return good / len(text) >= 0.95


# what a Chinese news text consists of: ASCII, CJK ideographs and punctuation, full-width forms
CHINESE_TEXT_RE = re.compile(rf"[\t\n\r\x20-\x7e{HAN}\u2000-\u206f\u3000-\u303f\uff00-\uffef]")


def _is_chinese_or_ascii(text: str) -> bool:
    """UTF-16 without BOM is a guess: accept it only when it yields Chinese or ASCII text."""
    return len(CHINESE_TEXT_RE.findall(text)) >= 0.9 * len(text)


def decode_bytes(data: bytes, path: str) -> str:
    """Decode a text file whose encoding is unknown (UTF-8/BOM, GB18030/GBK, UTF-16)."""
    if not data.strip():
        raise InputError(path, "empty file (no text)")
    boms = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
            (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
    candidates = [enc for bom, enc in boms if data.startswith(bom)][:1]
    if not candidates:
        if b"\x00" in data:  # UTF-16 without BOM, or binary
            candidates = ["utf-16-le", "utf-16-be"]
        else:
            candidates = ["utf-8"]
            from charset_normalizer import from_bytes
            best = from_bytes(data).best()
            if best is not None:
                enc = best.encoding.lower().replace("_", "-")
                candidates.append("gb18030" if enc in ("gb2312", "gbk", "gb18030", "cp936") else enc)
            candidates.append("gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _is_texty(text) and (encoding not in ("utf-16-le", "utf-16-be") or _is_chinese_or_ascii(text)):
            if not text.strip():
                raise InputError(path, "empty file (whitespace only)")
            return text
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(path, "binary file (contains NUL bytes and is not UTF-16 text)")
    raise InputError(path, "undecodable: not UTF-8, GB18030/GBK or UTF-16 text "
                           f"(tried {', '.join(dict.fromkeys(candidates))})")


def read_text_file(path) -> str:
    """Read and decode one file; every failure becomes an InputError naming the file."""
    try:
        if os.path.isdir(path):
            raise InputError(path, "is a folder, not a file")
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise InputError(path, f"file too large (> {MAX_FILE_BYTES // 2**20} MB)")
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise InputError(path, "no such file or folder") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    return decode_bytes(data, str(path))


# ---------------------------------------------------------------- normalising
_KEEP_FULLWIDTH = set("！（），：；？～")  # Chinese punctuation stays Chinese
_TRANSLATE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH}
_TRANSLATE.update({0x3000: " ", 0xA0: " ", 0x202F: " ", 0x205F: " ", 0x09: " ",
                   ord("「"): "“", ord("」"): "”", ord("『"): "‘", ord("』"): "’"})
_TRANSLATE.update({cp: " " for cp in range(0x2000, 0x200B)})
_TRANSLATE.update({cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})


@lru_cache(maxsize=1)
def _t2s():
    import opencc
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Half-width ASCII, simplified script, no control characters, '\\n' line ends."""
    text = re.sub(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]", "\n", text).translate(_TRANSLATE)
    text = "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    return _t2s().convert(text)


# ---------------------------------------------------------------- reflow
def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line.strip())


def _tidy(line: str, keep_phrase_spaces: bool = True) -> str:
    """Collapse spaces; drop PDF spacing next to Chinese text but keep 'word word'."""
    line = re.sub(rf"\s*([{CN_PUNCT}])\s*", r"\1", re.sub(r"\s+", " ", line.strip()))
    line = re.sub(rf"(?<=[{HAN}]) (?=[0-9A-Za-z%.])|(?<=[0-9A-Za-z%.]) (?=[{HAN}])", "", line)

    def han_gap(m: re.Match) -> str:  # 2+ Han chars on both sides: a phrase space
        return " " if keep_phrase_spaces and len(m[1]) >= 2 and len(m[2]) >= 2 else ""
    return re.sub(rf"(?<![{HAN}])([{HAN}]+) (?=([{HAN}]+))", lambda m: m[1] + han_gap(m), line)


def _join_lines(lines: list[str]) -> str:
    out = ""
    for line in (_tidy(x) for x in lines):
        if out and line and re.match(r"[A-Za-z]", line) and re.search(r"[A-Za-z]$", out):
            out += " "
        out += line
    return out


def _is_headline_like(lines: list[str]) -> bool:
    return (0 < len(lines) <= 4 and all(_width(x) <= 64 and not BODY_PUNCT_RE.search(x) for x in lines)
            and not _starts_article(lines[0]))


def _starts_article(line: str) -> bool:
    return bool(_dateline(line.strip()) or _paren_byline_start(line.strip()))


def _starts_paragraph(block: list[str], i: int) -> bool:
    """Should line i of a blank-line-separated block open a new paragraph?"""
    line, prev = block[i], block[i - 1]
    if line[:1].isspace() or _starts_article(line):
        return True
    if SENTENCE_END_RE.search(prev.strip()):
        ref = max(_width(block[i - 2]) if i >= 2 else 0, _width(line))
        return _width(prev) + 6 <= ref or _width(prev) > 80  # short line, or unwrapped text
    # headline line(s) directly above a long body line (web text: title then paragraph)
    return _is_headline_like(block[:i]) and BODY_PUNCT_RE.search(line) and _width(line) > 1.5 * _width(prev)


@dataclass
class _Para:
    lines: list[str]
    kind: str = "body"  # body|start|byline|credit|caption|header|headline|dropped
    head: int = 0  # leading headline-like lines that may sit on top of a pull quote
    joins_prev: bool = False  # goes on from the previous block (broken by a column break)
    caption_of: int | None = None
    meta: list[str] = field(default_factory=list)  # page furniture lines (dates, 版, 来源)

    @property
    def text(self) -> str:
        return _join_lines(self.lines)


def _continues(prev: _Para, nxt: list[str]) -> bool:
    """A paragraph broken by a blank line (PDF column break) goes on in the next block."""
    prev_text, first = prev.text, nxt[0]
    return (bool(BODY_PUNCT_RE.search(prev_text)) and not SENTENCE_END_RE.search(prev_text)
            and not first[:1].isspace() and not _starts_article(first)
            and not _is_headline_like(nxt) and not _credit(_join_lines(nxt)))


def _paragraphs(text: str) -> list[_Para]:
    blocks = [b.split("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    paras: list[_Para] = []
    for block in blocks:
        block = [x.rstrip() for x in block if x.strip()]
        current = [block[0]]
        parts = []
        for i in range(1, len(block)):
            if _starts_paragraph(block, i):
                parts.append(current)
                current = []
            current.append(block[i])
        parts.append(current)
        first = _Para(parts[0], joins_prev=bool(paras) and _continues(paras[-1], parts[0]))
        paras += [first] + [_Para(p) for p in parts[1:]]
    for p in paras:  # leading headline lines glued on top of running text
        p.head = next((k for k in range(1, min(4, len(p.lines))) if not _is_headline_like(p.lines[: k + 1])), 0)
        if p.head and not _is_headline_like(p.lines[: p.head]):
            p.head = 0
    return paras


def _merge_continuations(paras: list[_Para]) -> list[_Para]:
    """Glue paragraphs broken by a column break, unless one half was found to be a pull quote."""
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
        out += [_tidy(x) for x in p.lines] if _is_headline_like(p.lines) else [p.text]
    return [x for x in out if x]


# ---------------------------------------------------------------- datelines, bylines
def _dateline(text: str) -> re.Match | None:
    m = DATELINE_RE.match(text)
    if m and (m["date"] or m["org"] == "本报" or DATELINE_FOLLOW_RE.match(text, m.end())):
        return m
    return None


def _paren_byline_start(text: str) -> re.Match | None:
    m = PAREN_BYLINE_RE.match(text)
    return m if m and ROLE_PREFIX_RE.match(m["content"]) else None


def _parse_people(content: str, strict: bool) -> list[tuple[str, str | None, str | None]] | None:
    """(name, role, org prefix) from '记者王某 通讯员李某、张某'; None if strict and junk."""
    people, role, org = [], None, None
    for token in re.split(r"[\s、，,/／:：]+", content):
        while token:
            m = ROLE_PREFIX_RE.match(token)
            if m:
                role, org, token = m["role"], m["org"], token[m.end():]
                continue
            inner = re.search(ROLE, token[2:])  # role glued after a name: 王某通讯员李某
            name, token = (token[: inner.start() + 2], token[inner.start() + 2:]) if inner else (token, "")
            name = re.sub(r"(报道|等)$", "", name)
            if NAME_RE.fullmatch(name) and name not in NOT_NAMES:
                people.append((name, role, org))
            elif name and name not in NOT_NAMES and strict:
                return None
    return people


def _credit(text: str) -> list[tuple[str, str | None, str | None]] | None:
    m = CREDIT_RE.match(text) if len(text) <= 44 else None
    return (_parse_people(m["body"], strict=True) or None) if m else None


def _bylines(people, default_org: str | None, paper: str | None, default_role: str = "记者") -> list[Byline]:
    out = []
    for name, role, org in people:
        org = org or default_org
        out.append(Byline(name, role or default_role, paper if org in ("本报", "本刊") else org))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- classification
def _classify(paras: list[_Para]) -> None:
    for i, p in enumerate(paras):
        text = p.text
        trailing = TRAILING_CREDIT_RE.search(text)
        if trailing and _credit(trailing["credit"]) and not _starts_article(text):
            p.lines = [text[: trailing.start()]]  # caption with its credit on the same line
            paras.insert(i + 1, _Para([trailing["credit"]]))
            text = p.text
        people = _parse_people(text, strict=True) if len(text) <= 40 and not BODY_PUNCT_RE.search(text) else None
        if _starts_article(text):
            p.kind = "start"
        elif _credit(text) or (people and all(r == "摄影" for _, r, _ in people)):
            p.kind = "credit"
        elif people and ROLE_PREFIX_RE.match(text):
            p.kind = "byline"
        elif _is_headline_like(p.lines):  # headline lines, or page furniture (dates, 版, 来源)
            p.meta = [x for x in p.lines if _is_furniture(x)]
            p.lines = [x for x in p.lines if x not in p.meta]
            p.kind = "headline" if len(re.sub(rf"[^{HAN}0-9A-Za-z]", "", p.text)) >= 5 else "header"
        elif _is_furniture(text):
            p.kind = "header"
        if p.kind == "header":
            p.meta, p.lines = p.meta + p.lines, []


def _is_furniture(line: str) -> bool:
    line = _tidy(line)
    return len(line) <= 40 and bool(HEADER_RE.search(line) or _full_date(line))


def _mark_captions(paras: list[_Para]) -> None:
    """The text block right before a photo credit is the photo's caption."""
    for i, p in enumerate(paras):
        if p.kind == "credit" and i and paras[i - 1].kind == "body":
            paras[i - 1].kind, p.caption_of = "caption", i - 1


def _grams(text: str, n: int) -> list[str]:
    runs = re.findall(rf"[{HAN}0-9A-Za-z]+", text)
    return [r[i: i + n] for r in runs for i in range(max(1, len(r) - n + 1)) if len(r) >= 2]


MIN_QUOTE_GRAMS = 16  # a pull quote is a sentence or more, not a repeated phrase


def _drop_pull_quotes(paras: list[_Para]) -> None:
    """Drop body blocks that repeat sentences of the page (pull quotes); split off their headline."""
    grams = {id(p): set(_grams(re.sub(r"\s", "", p.text), 4)) for p in paras}
    seen = Counter(g for p in paras if p.kind in ("start", "body", "caption") for g in grams[id(p)])
    candidates = [p for p in paras if p.kind == "body"]
    def repeated(text: str, p: _Para, min_grams: int = MIN_QUOTE_GRAMS) -> bool:
        own = set(_grams(re.sub(r"\s", "", text), 4))
        hits = sum(1 for g in own if seen[g] - (g in grams[id(p)]) > 0)
        return len(own) >= min_grams and hits / len(own) >= 0.7

    for p in sorted(candidates, key=lambda p: (len(p.text), -paras.index(p))):
        for k in range(p.head, 0, -1):  # headline line(s) on top of a pull quote
            if repeated(_join_lines(p.lines[k:]), p) and not repeated(_join_lines(p.lines[:k]), p, 1):
                p.lines, p.kind = p.lines[:k], "headline"
                break
        if p.kind == "body" and repeated(p.text, p):
            p.kind = "dropped"
        if p.kind != "body":
            seen.subtract(grams[id(p)])


# ---------------------------------------------------------------- headlines
def _assign_headlines(headlines: list[_Para], groups: list[dict]) -> None:
    """Give each headline to the article sharing most (tf-idf weighted) character bigrams.

    Lines of one headline block are kept together while they fit the same article;
    a line that clearly fits another article starts another headline."""
    if not groups:
        return
    docs = [Counter(_grams(g["title_basis"], 2)) for g in groups]
    df = Counter(b for d in docs for b in d)
    idf = {b: log(1 + len(docs) / n) for b, n in df.items()}
    vecs = [{b: (1 + log(c)) * idf[b] for b, c in d.items()} for d in docs]
    norms = [sqrt(sum(v * v for v in vec.values())) or 1.0 for vec in vecs]

    def scores(line: str) -> list[float]:
        bigrams = set(_grams(line, 2))
        weight = {b: idf.get(b, log(1 + len(docs))) for b in bigrams}
        total = sqrt(sum(w * w for w in weight.values())) or 1.0
        out = []
        for vec, norm in zip(vecs, norms):
            covered = sum(weight[b] for b in bigrams if b in vec) / (sum(weight.values()) or 1.0)
            out.append(sum(weight[b] * vec.get(b, 0) for b in bigrams) / total / norm if covered >= 0.4 else 0.0)
        return out

    for para in headlines:
        parts: list[tuple[list[str], list[float]]] = []  # consecutive lines of one headline
        for line in (_tidy(x) for x in para.lines):
            s = scores(line)
            if parts:
                group_scores = parts[-1][1]
                current = max(range(len(s)), key=group_scores.__getitem__)
                if s[current] > 0 and s[current] >= 0.5 * max(s):  # fits the headline above
                    parts[-1][0].append(line)
                    parts[-1] = (parts[-1][0], [a + b for a, b in zip(group_scores, s)])
                    continue
            parts.append(([line], s))
        for lines, s in parts:
            best = max(range(len(s)), key=s.__getitem__)
            if s[best] > 0:
                groups[best]["titles"] += lines


# ---------------------------------------------------------------- articles
def _iso(y, m, d) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _full_date(text: str) -> str | None:
    for m in FULL_DATE_RE.finditer(text):
        found = _iso(m["y"], m["m"] or m["m2"], m["d"] or m["d2"])
        if found:
            return found
    return None


def _year_hint(text: str) -> int | None:
    years = [int(y) for y in YEAR_RE.findall(text)]
    years += [int(y.translate(CN_DIGITS)) for y in CN_YEAR_RE.findall(text)]
    years = [y for y in years if 1900 <= y <= 2099]
    return max(years) if years else None


def _check_date(date: str | None) -> str | None:
    if date is None:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", date.strip())
    if not m or not _iso(*m.groups()):
        raise ValueError(f"date must be an ISO date YYYY-MM-DD, got {date!r}")
    return date.strip()


def _group(paras: list[_Para], paper: str | None) -> list[dict]:
    """Walk the page in order: datelines open articles, credits close captions."""
    groups, current = [], None

    def new(kind, dateline=None, org=None, bylines=(), date=None):
        g = {"kind": kind, "dateline": dateline, "org": org, "bylines": list(bylines), "date": date,
             "paras": [], "titles": [], "pos": len(groups)}
        groups.append(g)
        return g

    for i, p in enumerate(paras):
        text = p.text
        if p.kind == "headline" and current and current["dateline"] is None and current["paras"]:
            current = None  # in undated text a headline starts the next article
        elif p.kind == "start":
            m = _dateline(text)
            org = m["org"] if m else None
            rest = text[m.end():] if m else text
            pm = _paren_byline_start(rest) or PAREN_BYLINE_RE.match(rest)
            people = _parse_people(pm["content"], strict=False) if pm else []
            if pm and people:
                rest = rest[pm.end():]
            date = _full_date(m["date"]) if m and m["date"] else None
            current = new("article", m[0].strip("【】[]") if m else None, org,
                          _bylines(people, org, paper), date)
            current["paras"].append(rest.strip(" ：:，"))
        elif p.kind == "byline":
            people = _bylines(_parse_people(text, strict=True), None, paper)
            if current and not "".join(current["paras"]):
                current["bylines"] += people
            else:
                current = new("article", bylines=people)
        elif p.kind == "caption":
            new("caption")["paras"].append(text)
        elif p.kind == "credit":
            people = _credit(text) or _parse_people(text, strict=False) or []
            target = groups[-1] if p.caption_of is not None else current
            if target is not None:
                target["bylines"] += _bylines(people, None, paper, default_role="摄影")
        elif p.kind == "body":
            if current is None:
                current = new("article")
            current["paras"].append(text)
    for g in groups:
        g["text"] = "\n".join(x for x in g["paras"] if x)
        g["title_basis"] = g["text"]
    return [g for g in groups if re.search(f"[{HAN}]", g["text"]) and (
        g["kind"] == "caption" or g["dateline"] or g["bylines"] or len(re.findall(f"[{HAN}]", g["text"])) >= 15)]


def _paper_name(paras: list[_Para]) -> str | None:
    """The newspaper's own name, when a dateline or credit on the page spells it (for 本报)."""
    orgs = [m["org"] for p in paras if p.kind == "start" and (m := _dateline(p.text))]
    orgs += [m["org"] for p in paras if p.kind in ("start", "credit", "byline")
             for m in ROLE_PREFIX_RE.finditer(p.text) if m["org"]]
    papers = Counter(o for o in orgs if o and o.endswith("报") and o not in ("本报", "本刊"))
    return papers.most_common(1)[0][0] if papers else None


def split_articles(text: str, source: str, date: str | None = None) -> list[Article]:
    """One page (or one news file) -> its articles and photo captions, in page order."""
    date = _check_date(date)
    text = normalise(text)
    paras = _paragraphs(text)
    _classify(paras)
    _drop_pull_quotes(paras)
    paras = _merge_continuations(paras)
    _mark_captions(paras)
    page_date = next((d for p in paras for d in map(_full_date, p.meta) if d), None)
    paper = _paper_name(paras)
    groups = _group(paras, paper)
    _assign_headlines([p for p in paras if p.kind == "headline"], groups)
    hint = _year_hint(text)
    name = os.path.basename(str(source))
    articles = []
    for index, g in enumerate(groups):
        art_date = g["date"] or page_date or date
        digest = hashlib.sha1(f"{name}\x1f{index}\x1f{g['text']}".encode()).hexdigest()[:16]
        articles.append(Article(
            id=f"doc:{digest}", source=str(source), index=index, kind=g["kind"],
            title=" ".join(g["titles"]), date=art_date, dateline=g["dateline"], text=g["text"],
            bylines=list(dict.fromkeys(g["bylines"])),
            year_hint=int(art_date[:4]) if art_date else hint))
    return articles


# ---------------------------------------------------------------- files
def _expand(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, f) for f in files if f.lower().endswith(".txt") and not f.startswith(".")]
    return sorted(found)


def iter_input_files(paths: list[str]) -> list[str]:
    """Files as given plus the .txt files of folders (recursive, sorted); missing paths kept
    so that reading them reports the problem."""
    out = []
    for path in paths:
        out += _expand(str(path))
    return list(dict.fromkeys(out))


def load_documents(paths, date: str | None = None) -> tuple[list[Article], list[dict]]:
    """Articles of all readable files, and [{'source', 'reason'}] for each file skipped."""
    date = _check_date(date)
    articles, skipped = [], []
    for path in paths:
        if os.path.isdir(path) and not _expand(str(path)):
            skipped.append({"source": str(path), "reason": "folder contains no .txt files"})
    for path in iter_input_files(list(paths)):
        try:
            found = split_articles(read_text_file(path), path, date)
            if not found:
                raise InputError(path, "no article text found (only headlines or page headers)")
            articles += found
        except InputError as exc:
            skipped.append({"source": path, "reason": exc.reason})
        except Exception as exc:  # one bad file never stops the batch
            skipped.append({"source": path, "reason": f"could not split into articles: {type(exc).__name__}: {exc}"})
    return articles, skipped

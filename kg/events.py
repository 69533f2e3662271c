"""Events: who did what to what, when, where, how much.

Sentences are split on Chinese sentence punctuation and clauses on commas. In each
clause a trigger verb from `TRIGGERS` (the event taxonomy, see docs/events.md) opens
an event: the agent is the entity before the trigger (由X主办: after 由), the
object is the phrase after it, the date comes from the clause or its sentence
(resolved against the document's year), the quantity from the object phrase.
A clause that starts with its verb inherits the subject of the clause before it,
then of the sentence before it in the same paragraph. Passive forms (被命名为)
make the subject the recipient. Anaphors 该市/该公司/该局 resolve to the latest
entity of that kind.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from .nlp.lexicon import QUANTITY_RE

# Event taxonomy: type -> trigger verbs as written (longest match wins).
TRIGGERS: dict[str, list[str]] = {
    "ISSUE": ["出台", "印发", "发布", "制定", "颁布", "下发", "公布", "修订"],
    "LAUNCH": ["组织开展", "开展", "启动", "推出", "实施", "推行", "部署", "发起"],
    "HOLD": ["召开", "举行", "举办", "主办", "承办"],
    "CREATE": ["创建", "建立", "成立", "搭建", "打造", "建成", "设立", "设置", "组建", "开通", "上线"],
    "AWARD": ["被命名为", "被评为", "被确定为", "被授予", "被认定为", "荣获", "获得", "获评", "入选", "授予",
              "命名为", "评为", "认定为", "命名"],
    "ENFORCE": ["指导约谈", "约谈", "查处", "处罚", "整治", "排查", "抽查", "检查", "督促", "立案"],
    "APPOINT": ["任命", "聘请", "当选", "选举", "推选", "免去"],
    "ORGANIZE": ["组织"],
    "PROMOTE": ["加强", "推进", "提升", "优化", "强化", "完善", "深化", "推动", "加大"],
    "INTEGRATE": ["整合"],
    "VISIT": ["调研", "考察", "视察", "走访", "慰问"],
    "SIGN": ["签署", "签订"],
    "INVEST": ["投资", "投入"],
    "SUPPORT": ["帮扶", "扶持", "资助"],
}
TRIGGER_TYPE = {verb: etype for etype, verbs in TRIGGERS.items() for verb in verbs}
TRIGGER_RE = re.compile("|".join(sorted(map(re.escape, TRIGGER_TYPE), key=len, reverse=True)))
PASSIVE_PREFIX = "被"
# A trigger glued to one of these is a noun (发布会, 组织者, 检查组), not a verb.
NOMINAL_SUFFIX_RE = re.compile(r"会|者|方|组|人员|书|率|量|点|费|权|机构|单位|部门|工作|是|的重要|成效|监管"
                               r"|过程|结果|力度|对象|情况|行动")
# Objects that name nothing: the verb was a noun (慰问活动) or its object is elsewhere.
EMPTY_OBJECT_RE = re.compile(r"^(这|此|该|本|一)?[项次个场]?(活动|工作|行动|力度|进一步.*)$")

# A "sentence" longer than MAX_SENTENCE (a text without punctuation) is read in pieces
# of that length: each clause is scanned once per verb in it, and events copy their sentence.
MAX_SENTENCE = 500
SENTENCE_RE = re.compile(r"[^。！？；\n]{1,%d}[。！？；]?" % MAX_SENTENCE)
CLAUSE_RE = re.compile(r"[^，：,:]+")
AGENT_LABELS = ("AGENCY", "ORG", "PERSON", "PLACE")
# Words that may stand before a verb without being its subject.
ADVERBIAL_RE = re.compile(
    r"(今年以来|近年来|近日|日前|目前|同时|此外|下一步|今年|去年|上半年|下半年|[一二三四第]+季度|截至|"
    r"并|还|也|又|均|已|共|累计|先后|积极|大力|全力|持续|不断|进一步|深入|扎实|全面|主动|认真|切实|"
    r"有针对性地|通过|将|要|正在|已经|首次|率先|充分|重点|着力|创新|以|在|从|于|对|向|为|即|并且|同时还|\d+月\d+日|"
    r"\d+年|\d+月份?|[\s、的地，,])+")
ANAPHOR_RE = re.compile(r"该(市|县|区|镇|乡|村|公司|企业|局|委|单位|部门|院|校|集团|中心)")
ANAPHOR_LABEL = {"市": "PLACE", "县": "PLACE", "区": "PLACE", "镇": "PLACE", "乡": "PLACE", "村": "PLACE",
                 "公司": "ORG", "企业": "ORG", "集团": "ORG", "院": "ORG", "校": "ORG"}
OBJECT_END_RE = re.compile(r"(?<=会)(上|中)$|(期间|之际)$")
RELATIVE_OBJECT_RE = re.compile(r"^的(.+?)(上|中|时|期间|顺利|圆满|正式|隆重)")
MAX_OBJECT = 40
MAX_ANAPHOR_LOOKBACK = 200  # mentions an anaphor (该市) may reach back over

FULL_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
YEAR_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
MONTH_DAY_RE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
MONTH_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月份?(?!\s*\d)")
YEAR_WORDS = {"今年": 0, "去年": -1, "前年": -2, "明年": 1}


@dataclass
class Mention:
    """An entity mention in document-text character offsets."""

    start: int
    end: int
    label: str
    entity_id: str
    name: str


@dataclass
class Event:
    type: str
    trigger: str
    sentence: str
    doc: str
    object_text: str
    date: str | None = None
    date_text: str | None = None
    quantity: str | None = None
    agents: list[str] = field(default_factory=list)
    agent_role: str = "agent"          # "agent" or "recipient" (passive)
    agent_source: str | None = None    # explicit / carried / anaphor
    objects: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    offset: int = 0                    # trigger offset in the document text


def resolve_date(text: str, year: int | None, doc_date: str | None) -> tuple[str | None, str | None]:
    """(ISO or partial ISO date, the expression as written) of the first date in `text`."""
    for regex, build in (
        (FULL_DATE_RE, lambda m: f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"),
        (YEAR_MONTH_RE, lambda m: f"{int(m[1]):04d}-{int(m[2]):02d}"),
        (MONTH_DAY_RE, lambda m: f"{year:04d}-{int(m[1]):02d}-{int(m[2]):02d}" if year else None),
        (MONTH_RE, lambda m: f"{year:04d}-{int(m[1]):02d}" if year and 1 <= int(m[1]) <= 12 else None),
    ):
        m = regex.search(text)
        if m:
            value = build(m)
            if value:
                return value, m.group().replace(" ", "")
    for word, delta in YEAR_WORDS.items():
        if word in text and year:
            return f"{year + delta:04d}", word
    if doc_date and ("近日" in text or "日前" in text):
        return doc_date, "近日" if "近日" in text else "日前"
    return None, None


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text)


class EventExtractor:
    """Extracts events from one document's text and its linked mentions."""

    def __init__(self, doc_id: str, text: str, mentions: list[Mention], year: int | None,
                 doc_date: str | None, place_of: dict[str, str], word_bounds: set[int] | None = None,
                 home: str | None = None):
        self.home = home            # entity id of the article's home place (fallback topic)
        self.word_bounds = word_bounds  # offsets where the segmenter puts a word boundary
        self.doc_id = doc_id
        self.text = text
        self.mentions = sorted(mentions, key=lambda m: m.start)
        # Lookups by offset are binary searches: a scan of every mention per clause made
        # a long text quadratic.
        self._starts = [m.start for m in self.mentions]
        self._max_end = list(accumulate((m.end for m in self.mentions), max))
        self.year = year
        self.doc_date = doc_date
        self.place_of = place_of   # entity id -> id of its place (agencies), places map to themselves
        self.history: list[Mention] = []   # agent-like mentions seen so far, for anaphora
        self.topic: list[str] = []
        self._carrying_topic = False

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        first, last = bisect_left(self._starts, start), bisect_left(self._starts, end)
        return [m for m in self.mentions[first:last] if m.end <= end]

    def _inside_mention(self, pos: int) -> bool:
        before = bisect_right(self._starts, pos)  # mentions starting at or before pos
        return before > 0 and self._max_end[before - 1] > pos

    def _anaphor(self, segment: str) -> list[str]:
        m = ANAPHOR_RE.search(segment)
        if not m:
            return []
        wanted = ANAPHOR_LABEL.get(m.group(1), "AGENCY")
        for mention in reversed(self.history[-MAX_ANAPHOR_LOOKBACK:]):
            if mention.label == wanted and (wanted != "ORG" or mention.name.endswith(m.group(1))
                                           or m.group(1) in ("企业", "公司")):
                return [mention.entity_id]
        return []

    def _is_verb(self, clause: str, clause_start: int, m: re.Match) -> bool:
        start, end = clause_start + m.start(), clause_start + m.end()
        if self._inside_mention(start) or NOMINAL_SUFFIX_RE.match(clause, m.end()):
            return False
        if clause[max(0, m.start() - 1):m.start()] == "大" and clause[max(0, m.start() - 2):m.start()] != "加大":
            return False  # 安全生产大检查: a noun
        # One aligned edge is enough: the segmenter errs too (整合市), but a trigger inside
        # a longer word on both sides (线上线下 -> 上线) is no verb.
        return self.word_bounds is None or start in self.word_bounds or end in self.word_bounds

    def topic_agent(self) -> list[str]:
        """The article's main actor: the first agency or place opening a sentence of its
        first paragraphs, else its home place."""
        opening = "\n".join(self.text.split("\n")[:4])
        for sm in SENTENCE_RE.finditer(opening):
            for m in self._mentions_in(sm.start(), sm.end()):
                if m.label in ("AGENCY", "PLACE", "ORG"):
                    lead = self.text[sm.start():m.start]
                    if not lead.strip() or ADVERBIAL_RE.fullmatch(lead):
                        return [m.entity_id]
                break
        return [self.home] if self.home else []

    def extract(self) -> list[Event]:
        events: list[Event] = []
        self.topic = topic = self.topic_agent()
        for paragraph_start, paragraph in self._paragraphs():
            # Each paragraph of a press release speaks of the article's main actor
            # until it names another one.
            carried: list[str] = list(topic)
            self._carrying_topic = True
            for sm in SENTENCE_RE.finditer(paragraph):
                sentence_start = paragraph_start + sm.start()
                sentence = sm.group()
                sentence_date = resolve_date(sentence, self.year, self.doc_date)
                for cm in CLAUSE_RE.finditer(sentence):
                    clause_start = sentence_start + cm.start()
                    carried = self._clause(cm.group(), clause_start, sentence, sentence_date, carried, events)
        return _dedupe(events)

    def _paragraphs(self):
        pos = 0
        for line in self.text.split("\n"):
            yield pos, line
            pos += len(line) + 1

    def _clause(self, clause: str, clause_start: int, sentence: str, sentence_date, carried, events):
        triggers = _serial_objects([m for m in TRIGGER_RE.finditer(clause) if self._is_verb(clause, clause_start, m)],
                                   clause)
        clause_mentions = self._mentions_in(clause_start, clause_start + len(clause))
        agent_like = [m for m in clause_mentions if m.label in AGENT_LABELS]
        if not triggers:
            # A clause that opens with an entity sets the subject for the clauses after it.
            lead = clause[: (agent_like[0].start - clause_start)] if agent_like else None
            if agent_like and (not lead or ADVERBIAL_RE.fullmatch(lead)):
                carried, self._carrying_topic = _prefer_organisations(agent_like), False
            elif self._anaphor(clause):
                carried, self._carrying_topic = self._anaphor(clause), False
            self.history.extend(agent_like)
            return carried
        segment_start = 0
        for i, trig in enumerate(triggers):
            verb = trig.group()
            subject = clause[segment_start:trig.start()]
            subject_mentions = [m for m in agent_like
                                if m.start >= clause_start + segment_start and m.end <= clause_start + trig.start()]
            passive = verb.startswith(PASSIVE_PREFIX) or PASSIVE_PREFIX in subject
            if PASSIVE_PREFIX in subject and not verb.startswith(PASSIVE_PREFIX):
                # X被Y评为Z: X received it; Y (the awarder) is not the subject.
                cut = subject.rindex(PASSIVE_PREFIX)
                subject_mentions = [m for m in subject_mentions if m.end <= clause_start + segment_start + cut]
                subject = subject[:cut]
            subject_mentions = _before_preposition(subject, clause_start + segment_start, subject_mentions)
            agents, source = self._agents(subject, subject_mentions, carried)
            if source == "carried" and self._carrying_topic:
                source = "article"
            self.history.extend(subject_mentions)
            if agents and not passive and source in ("explicit", "anaphor"):
                carried, self._carrying_topic = agents, False
            next_start = triggers[i + 1].start() if i + 1 < len(triggers) else len(clause)
            object_text = _object_phrase(clause[trig.end():next_start])
            if object_text is None:
                if next_start > trig.end():  # 世界旅游组织评为: keep the subject for the next verb
                    segment_start = trig.end()
                continue
            object_mentions = self._mentions_in(clause_start + trig.end(), clause_start + next_start)
            if not agents and TRIGGER_TYPE[verb] == "HOLD":
                # 召开的苏州市…发布会: a meeting named after a place or agency is held by it.
                owner = [m for m in object_mentions
                         if m.start - (clause_start + trig.end()) <= 1 and m.label in ("AGENCY", "PLACE")]
                if owner:
                    agents, source = [owner[0].entity_id], "object-owner"
            date, date_text = resolve_date(clause, self.year, self.doc_date)
            if date is None:
                date, date_text = sentence_date
            places = [m.entity_id for m in clause_mentions if m.label == "PLACE" and m.entity_id not in agents]
            quantity = _quantity(object_text)
            events.append(Event(
                type=TRIGGER_TYPE[verb], trigger=verb, sentence=sentence.strip(), doc=self.doc_id,
                object_text=object_text, date=date, date_text=date_text,
                quantity=_clean(quantity.group()) if quantity else None,
                agents=agents, agent_role="recipient" if passive else "agent", agent_source=source,
                objects=list(dict.fromkeys(m.entity_id for m in object_mentions if m.entity_id not in agents)),
                locations=list(dict.fromkeys(places or [self.place_of[a] for a in agents if a in self.place_of])),
                offset=clause_start + trig.start(),
            ))
            segment_start = trig.end()
        return carried

    def _agents(self, subject: str, subject_mentions: list[Mention], carried: list[str]):
        if "由" in subject and subject_mentions:  # 由X主办的…: X did it
            return [subject_mentions[-1].entity_id], "explicit"
        if subject_mentions:
            return _prefer_organisations(subject_mentions), "explicit"
        anaphor = self._anaphor(subject)
        if anaphor:
            return anaphor, "anaphor"
        if carried and (not subject.strip() or ADVERBIAL_RE.fullmatch(subject)):
            return carried, "carried"
        return [], None


NP_OBJECT_TYPES = ("HOLD", "ISSUE", "LAUNCH", "CREATE", "ORGANIZE")


def _object_phrase(text: str) -> str | None:
    """The object as written after a trigger; None when nothing nameable follows."""
    relative = RELATIVE_OBJECT_RE.match(text)  # 召开的X上: X
    if relative:
        text = relative.group(1)
    text = OBJECT_END_RE.sub("", text.strip(" 了的，。；"))[:MAX_OBJECT]
    if len(re.findall(r"[\u4e00-\u9fffA-Za-z]", text)) < 2 or text[0] in "、）)”…" \
            or EMPTY_OBJECT_RE.match(text):
        return None
    return _clean(text)


def _serial_objects(triggers: list[re.Match], clause: str) -> list[re.Match]:
    """召开2023年优化营商环境工作推进会: 优化 right after a verb that takes a noun phrase
    is part of that noun phrase, not a second event."""
    kept: list[re.Match] = []
    for m in triggers:
        if kept and TRIGGER_TYPE[m.group()] == "PROMOTE" and TRIGGER_TYPE[kept[-1].group()] in NP_OBJECT_TYPES:
            gap = clause[kept[-1].end():m.start()]
            if len(re.findall(r"[\u4e00-\u9fff]", gap)) < 2:
                continue
        kept.append(m)
    return kept


def _quantity(text: str) -> re.Match | None:
    """The first amount in a phrase; ordinals (第二批) and years (2024年) are no amounts."""
    for m in QUANTITY_RE.finditer(text):
        if text[max(0, m.start() - 1):m.start()] == "第" or re.fullmatch(r"\d{4}\s*年", m.group()):
            continue
        return m
    return None


PREPOSITION_RE = re.compile(r"在|于|从|对|向|据|按照|围绕|通过|针对|随着|经过")


def _before_preposition(subject: str, offset: int, mentions: list[Mention]) -> list[Mention]:
    """昆山市在“五一”期间推出: what follows 在 (and other prepositions) after a named
    subject is a circumstance, not a second subject."""
    for m in PREPOSITION_RE.finditer(subject):
        cut = offset + m.start()
        before = [x for x in mentions if x.end <= cut]
        if before:
            return before
    return mentions


def _prefer_organisations(mentions: list[Mention]) -> list[str]:
    """The subject's actors: its organisations and people if any, else its places
    (天河区、海珠区生态环境分局 -> the bureau; 吴江区的“…” -> 吴江区)."""
    actors = [m for m in mentions if m.label in ("AGENCY", "ORG", "PERSON")]
    if not actors:
        places = [m for m in mentions if m.label == "PLACE"]
        # 浙江省湖州市安吉县: a written chain of places means its last, most specific one.
        actors = [m for i, m in enumerate(places) if i + 1 == len(places) or places[i + 1].start != m.end]
    return list(dict.fromkeys(m.entity_id for m in actors))


def _core(object_text: str) -> str:
    return re.sub(r"[《》“”]", "", QUANTITY_RE.sub("", object_text))


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per fact: a headline repeating the body adds no second event.

    Only events of one type and the same agents can be twins, so each is compared within
    that group alone."""
    kept: list[Event] = []
    groups: dict[tuple, list[tuple[str, Event]]] = {}
    for event in events:
        core = _core(event.object_text)
        group = groups.setdefault((event.type, frozenset(event.agents)), [])
        twin = next((k for k_core, k in group if k_core in core or core in k_core), None)
        if twin is None:
            kept.append(event)
            group.append((core, event))
        else:
            twin.objects = list(dict.fromkeys(twin.objects + event.objects))
            twin.date = twin.date or event.date
            twin.quantity = twin.quantity or event.quantity
    return kept

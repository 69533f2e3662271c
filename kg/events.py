"""Events: who did what to what, when, where, how much (spaCy component `kg_events`).

The component reads the Doc's words, its dependency tree (kg_syntax) and linked entities
(`span.kb_id_`, kg_linker) and writes `doc._.events`. Each predicate's arguments come
from the tree first (`ArgumentTree`): the agent from its Agt/Exp dependent (for 被: the
Pat/Exp/Datv one; through eSucc/eCoo/ePurp chains to an earlier verb), expanded to the
linked names of that subtree and those coordinated before them; the object from its
Pat/Cont/Prod/Clas dependent's subtree up to the clause's end; date, place and quantity
from Time/Tmod, Loc and Quan dependents. The parser is weak (Agt F 0.47, Pat 0.13), so
the tree's agent replaces the rules' only where the rules have no subject in the clause,
where it adds coordinated names, or where the rules' name is the partner after 与 (the
tree's Datv); its object only where it extends the rules'. `event.sources` records
"tree" or "rule" per argument (docs/events.md).

The rules, the fallback: sentences are split on Chinese sentence punctuation and clauses
on commas. A predicate is a verb of the taxonomy (`TRIGGERS`, docs/events.md) used as
a verb: on a word boundary, not inside a name, not glued to a noun suffix (发布会,
检查组), tagged v/vd/Vg when the Doc has POS tags (never vn); adjacent verbs are one
predicate (研究部署, 整合优化). With POS tags, any other verb right after a named subject
opens an event of type OTHER when it is that subject's act (not a light verb, a state, a
stance, a name in a list, a verb inside an earlier verb's object, a relative clause or
reported speech: `_other_holds`). The agent is the last name group before the verb
(周某、李某; the organs of a title chain are not agents; officials listed across commas
join the verb that follows them; 由X / X率Y: X; 被: the recipient), else 我市/该市 (the
home place), else the subject carried from the clause or sentence before in the
paragraph; 会议 as subject is the meeting's holder; 他/她 is the last person who acted
(not one listed as attending or thanked); names after 代表/对/向 never act; the leader of
X带领A，B…赴Z is the agent of what follows. Modal frames (要/需/应/必须…),
purpose frames (为…, 以…为契机, …具有…意义), wishes (X希望Y推动…, until a new named
subject) and lists after 是： open no event; names inside 在…领导/支持…下 or 按照…部署
back the act and are never its agents; a verb ending a noun compound (交流之旅, 创建名单)
is no predicate, nor is a verb inside a meeting's name (项目签约仪式, 推进会议: the outer
verb's object runs to the head) or a co-verb (结合/依托/围绕…: its names never act); speech
(强调/指出/要求/表示) is one SPEECH event whose object is the rest of the sentence; a bare
讲话/致辞 has an empty object unless the text says where (在X上讲话).
The object is the phrase after the verb up to the next verb (a verb closing the clause,
排查 in 开展安全隐患排查, is the object's head, not a new event); date, quantity and place
come from the clause and its sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

import numpy as np

from spacy.language import Language
from spacy.tokens import Doc

from .nlp.chunking import register_shift
from .nlp.lexicon import QUANTITY_RE
from .nlp.spans import doc_text
from .nlp.syntax import INSIDE_NAME

EVENTS_KEY = "kg.events"  # doc.user_data: the events as plain dicts, so a Doc still serialises


def _events_of(doc: Doc) -> list:
    return [Event(**event) for event in doc.user_data.get(EVENTS_KEY, [])]


if not Doc.has_extension("events"):
    Doc.set_extension("events", getter=_events_of)

# Event taxonomy: type -> trigger verbs as written (longest match wins).
TRIGGERS: dict[str, list[str]] = {
    "ISSUE": ["出台", "印发", "发布", "制定", "颁布", "下发", "公布", "修订"],
    "LAUNCH": ["组织开展", "开展", "启动", "推出", "实施", "推行", "部署", "发起"],
    "HOLD": ["主持召开", "组织召开", "召开", "举行", "举办", "主办", "承办", "主持"],
    "ATTEND": ["出席", "参加", "列席", "陪同"],
    "REVIEW": ["听取", "审议", "调度", "研究", "审阅", "学习"],
    "APPROVE": ["审议通过", "表决通过", "批准", "同意", "批复", "决定"],
    "REVOKE": ["撤销", "废止", "吊销", "撤回"],
    "SPEECH": ["强调", "指出", "要求", "传达学习", "传达", "致辞", "讲话", "表示", "提出"],
    "INSPECT": ["调研", "察看", "查看", "考察", "视察", "督导", "参观"],
    "CREATE": ["创建", "建立", "成立", "搭建", "打造", "建成", "设立", "设置", "组建", "开通", "上线"],
    "AWARD": ["被命名为", "被评为", "被确定为", "被授予", "被认定为", "被列为", "荣获", "获得", "获评", "入选",
              "授予", "命名为", "评为", "认定为", "命名", "捧回", "摘得", "荣膺"],
    "ENFORCE": ["指导约谈", "约谈", "查处", "处罚", "整治", "排查", "抽查", "检查", "督促", "立案"],
    "APPOINT": ["任命", "聘请", "当选", "选举", "推选", "遴选", "免去"],
    "ORGANIZE": ["组织"],
    "PROMOTE": ["加强", "推进", "提升", "优化", "强化", "完善", "深化", "推动", "加大"],
    "INTEGRATE": ["整合"],
    "VISIT": ["走访", "慰问", "看望"],
    "MEET": ["会见", "会谈", "会晤", "接见", "交流"],
    "LEAD": ["率领", "带领", "率"],
    "SIGN": ["签署", "签订", "签约"],
    "BUILD": ["开工建设", "开工", "竣工", "动工", "投产"],
    "ACHIEVE": ["实现", "完成", "发放", "增长", "达到", "新增"],
    "INVEST": ["投资", "投入"],
    "SUPPORT": ["帮扶", "扶持", "资助"],
}
TRIGGER_TYPE = {verb: etype for etype, verbs in TRIGGERS.items() for verb in verbs}
TRIGGER_RE = re.compile("|".join(sorted(map(re.escape, TRIGGER_TYPE), key=len, reverse=True)))
OTHER = "OTHER"  # any other verb with a named subject (needs POS tags)
# Verbs that are no events of their own: copulas, modals, light and reporting verbs.
NOT_OTHER = {"是", "为", "有", "在", "成为", "作为", "要", "需要", "应", "将", "能", "可", "会", "让", "使", "把",
             "被", "据", "报道", "称", "说", "来", "去", "到", "进行", "加以", "予以", "给予", "代表",
             "希望", "期望", "期待", "期盼", "盼望", "祝愿", "欢迎", "号召", "呼吁", "寄望", "恳请"}
# Verbs used as prepositions (co-verbs): X结合实际开展Y, X依托平台帮扶Z: they say on what basis or by
# what means the next verb acts; the act is that verb's, they open no event.
COVERBS = {"围绕", "结合", "依托", "聚焦", "立足", "借助", "依靠", "凭借", "紧扣", "紧盯", "瞄准", "着眼", "对照",
           "通过", "针对", "按照", "根据", "依照", "依据", "遵照", "利用", "运用"}
NOT_OTHER |= COVERBS
# Light verbs: the act is the verbal noun they carry (作X推介, 做Y汇报), no OTHER event of their own.
LIGHT_VERBS = {"作", "做", "搞", "作了", "做了", "采取", "采用"}  # 采取X方式: the means of the act after it
# Verbs whose object does the next act (X率Y考察, X陪同Y参观): a name after them may still act.
PIVOT_VERBS = {"率", "率领", "带领", "陪同", "组织", "邀请"}
# Verbs of a state, not of an act (X位于Y, X拥有Z, X负责W): nothing happened, no OTHER event.
STATE_VERBS = {"位于", "地处", "坐落", "拥有", "具有", "具备", "属于", "隶属", "包括", "包含", "涵盖", "占地", "享有",
               "负责", "担负", "承担", "存在", "相当于", "等于", "位居", "位列", "处于", "面临", "现有"}
# Verbs of a stance or principle (X坚持以Y为导向, X牢记使命, X践行理念, X发挥优势): a commitment, not a dated act.
STANCE_VERBS = {"坚持", "始终坚持", "坚守", "牢记", "铭记", "秉持", "秉承", "践行", "贯彻", "坚定", "树立", "牢固树立",
                "致力于", "致力", "发挥", "注重", "重视", "高度重视", "倡导", "主张", "弘扬", "传承", "坚信", "恪守", "遵循"}
# 他说，… / X表示：…: what follows in the sentence is what was said, no OTHER act.
REPORTED_SPEECH_RE = re.compile(r"(?:说|表示|介绍|认为|指出|强调|称)[，,：:]")
COVERB_RE = re.compile("|".join(sorted(COVERBS, key=len, reverse=True)))
# Co-verbs of aim (聚焦打造X, 围绕推进Y, 着眼提升Z): the verb right after them is the goal aimed
# at, not an act (通过开展X, 结合开展Y: the means, done, still act).
GOAL_COVERB_END_RE = re.compile(r"(?:聚焦|围绕|瞄准|着眼|紧扣|紧盯|立足)于?(?:进一步|加快|全面|持续|更好地?)?$")
VERB_TAGS = ("v", "vd", "Vg")
NOUN_TAGS = ("vn", "n", "nz", "an", "Ng")
# Speech verbs whose object is what was said: the rest of the sentence.
SPEECH_CONTENT = ("强调", "指出", "要求", "表示", "提出")
PASSIVE_PREFIX = "被"
# A trigger glued to one of these is a noun (发布会, 组织者, 检查组), not a verb.
NOMINAL_SUFFIX_RE = re.compile(r"会(?![议谈见晤])|中(?![心国央华])|额|金额|数|频次|频率|者|方|组|人员|书|率|量|点|费|权|机构|单位|部门|工作|是|的重要|成效|监管"
                               r"|过程|结果|力度|对象|情况|行动|前期|期间|之际|精神|中心|材料|报告|体会|心得|资料|笔记")
# Objects that name nothing: the verb was a noun (慰问活动) or its object is elsewhere.
EMPTY_OBJECT_RE = re.compile(r"^(这|此|该|本|一)?[项次个场]?(活动|工作|行动|力度|进一步.*)$")

SENTENCE_RE = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
CLAUSE_RE = re.compile(r"[^，：,:]+")
AGENT_LABELS = ("AGENCY", "ORG", "PERSON", "PLACE")
# Words that may stand before a verb without being its subject.
ADVERBIAL_RE = re.compile(
    r"(今年以来|近年来|近日|日前|目前|同时|此外|下一步|今年|去年|上半年|下半年|[一二三四第]+季度|截至|"
    r"并|还|也|又|均|已|共|累计|先后|积极|大力|全力|持续|不断|进一步|深入|扎实|全面|主动|认真|切实|"
    r"有针对性地|实地|通过|将|要|正在|已经|首次|率先|充分|重点|着力|创新|以|在|从|于|对|向|为|即|并且|同时还|"
    r"专门|专题|随后|一同|一起|分别|亲自|上午|下午|晚上|昨日|昨天|当天|今天|\d+月\d+日|"
    r"\d+年|\d+月份?|[\s、的地，,了])+")
ANAPHOR_RE = re.compile(r"该(市|县|区|镇|乡|村|公司|企业|局|委|单位|部门|院|校|集团|中心)")
ANAPHOR_LABEL = {"市": "PLACE", "县": "PLACE", "区": "PLACE", "镇": "PLACE", "乡": "PLACE", "村": "PLACE",
                 "公司": "ORG", "企业": "ORG", "集团": "ORG", "院": "ORG", "校": "ORG"}
# 我市, 本县, 全市: the article's home place.
HOME_RE = re.compile(r"(?:我|本|全)(?:省|市|县|区|州|镇)")
# Modal and obligation frames: what should or must be done has not happened.
MODAL_RE = re.compile(r"要|需要|需|应当|应该|应|必须|务必|力争|争取|确保|希望|建议|请|拟"
                      r"|将(?=持续|继续|进一步|不断|始终|一如既往)")  # 将持续强化: an intention, 将开展X: a plan
# Collectives written after a place (某县四家班子领导, 两办, 领导班子): the place only says whose
# group it is; the group (several organs at once) names no doer. (X全体成员 is X: not here.)
COLLECTIVE_RE = re.compile(r"[县市区镇乡]?(?:四家班子|四套班子|四大班子|四大家|两办|领导班子|有关负责同志|有关负责人|相关负责人|负责同志)")
# A byline before a name (记者 X、Y, 通讯员：Z, 本报记者X): through other names of the byline only.
BYLINE_RE = re.compile(r"(?:记者|通讯员|作者|编辑|摄影|责编|撰稿|实习生|记者站)[：:\s]*"
                       r"(?:[\u4e00-\u9fff]{2,4}[、，,\s]+){0,4}$")
# Plans and expectations before a verb (拟建设, 计划年内建成, 预计, 届时, 即将): not yet done.
# (将开展X, a plan of the year, still opens an event; 将持续/将继续 is an intention, MODAL_RE.)
FUTURE_WORD_RE = re.compile(r"即将|拟|计划|预计|届时")
# Wishes and exhortations (X希望双方加强合作): what is wished for has not happened; the
# wish verb opens no event and makes the verbs after it in the sentence none either.
WISH_RE = re.compile(r"希望|期望|期待|期盼|盼望|祝愿|欢迎|号召|呼吁|寄望|恳请")
# A higher body named only inside a circumstance (在省委的坚强领导下, 按照市委部署): it
# backs or orders the act, it does not do it; its names are never the clause's agents.
SUPPORT_FRAME_RE = re.compile(
    r"在[^，,。；：:]{1,30}?(?:领导|关心|关怀|支持|指导|帮助|推动|带领|号召|部署|引领)下"
    r"|(?:按照|根据|依照|遵照|依据)[^，,。；：:]{1,30}?(?:部署|要求|安排|指示|精神|决定|通知|批复)")
# 下一步，X将…: a sentence opening on what comes next states intentions, none of them done.
FUTURE_OPENING_RE = re.compile(r"\s*(?:下一步|下一阶段|下阶段|今后|接下来|未来)(?:[，,]|[\u4e00-\u9fff]{0,6}[，,])")
# Purpose and frame clauses: 为规范…, 以…为契机, …具有重要意义.
PURPOSE_RE = re.compile(r"^(?:为了|为(?!期)|就)")
# 为 + a verb (为加快推进…): a purpose, even as the last clause (为 + a noun: for whom).
PURPOSE_VERB_RE = re.compile(r"为(?:进一步|更好地?|全面|切实|加快|有效|不断)?(?:" + TRIGGER_RE.pattern + ")")
FRAME_RE = re.compile(r"以.{1,30}?为(?:契机|抓手|载体|引领|重点|主线|目标|核心|突破口|切入点)|(?:具有|有着).{0,12}意义")
LIST_RE = re.compile(r"是[：:]")
SINCE_RE = re.compile(r"[^，。；：“”《》]{0,30}以来")
# A verb whose phrase ends in 的 + people (出席推介会的嘉宾, 参加培训的学员): a relative clause
# describing them, no event (their host does not attend; they are only described).
RELATIVE_PEOPLE_RE = re.compile(r"了?[^，。；：、的“”《》]{0,25}的(?:各位|全体|部分|广大)?(?:嘉宾|乡亲|来宾|代表|人员|领导|同志|学员|选手|"
                                r"企业家|客商|专家|干部|师生|群众|志愿者|各界人士|人士|同学|家长|队员)(?!座谈|大会|会议|团|会)")
# 作了重要讲话, 发表致辞: a light verb before a speech noun closing the clause.
LIGHT_SPEECH_RE = re.compile(r"(?:作|做|发表)了?(?:[\u4e00-\u9fff]{0,6}的|重要|简短)?$")
# X宣布Y开工/启动/开幕: the start announced is the event (its type), X its agent, Y its object.
ANNOUNCED = {"开工": "BUILD", "动工": "BUILD", "启动": "LAUNCH", "开幕": "HOLD", "开营": "HOLD", "开赛": "HOLD",
             "开通": "CREATE", "上线": "CREATE"}
ANNOUNCE_RE = re.compile(r"宣布([^，。；：“”《》]{1,30}?)(?:正式)?(" + "|".join(ANNOUNCED) + r")(?:仪式)?[。；！？]?\s*$")
# Efforts and results: facts only with a doer named in their own sentence (not a default or
# carried agent: a list of measures or targets names none); a result with an amount may stand alone.
OWN_SUBJECT_TYPES = ("PROMOTE", "ACHIEVE")
# Facts that stand without a named doer: a meeting held, projects signed, construction, something
# set up, a survey; and, with an amount, results, checks, investments and campaigns (N场次).
AGENTLESS_FACTS = ("HOLD", "SIGN", "BUILD", "CREATE", "INSPECT", "AWARD")
AMOUNT_FACTS = ("ACHIEVE", "ENFORCE", "INVEST", "LAUNCH", "SUPPORT")
VAGUE_COUNT_RE = re.compile(r"(?:多|数十|数百|若干)[轮次场批项期]")  # 开展多轮专项整治: a count, if vague
# Futures and targets before an effort or a result: 将/拟/计划/预计/届时, 到2025年, 力争.
FUTURE_RE = re.compile(r"将(?!军)|拟|(?<![按照原])计划|预计|届时|力争|争取|到\s*(?:19|20)\d{2}\s*年(?:底|末)?")
# 会议指出, 会上强调: the meeting (its holder) is the subject.
MEETING_SUBJECT_RE = re.compile(r"(?:会议|会上|会议上|大会|全会)(?:上)?")
# Between two names of one subject: coordination.
COORDINATION_GAP_RE = re.compile(r"[、和与及同\s]*|以及|、以及")
# The end of an official's title (…书记, …市长, …主任): a title chain before a name.
TITLE_TAIL_RE = re.compile(r"(?:书记|长|主任|主席|常委|委员|成员|巡视员|调研员|代表|经理|董事长|总裁|总监|秘书|干事|专员|理事)$")
# After a named subject: these start a circumstance or a second party, not more subject.
PREPOSITION_RE = re.compile(r"在|于|从|对|向|据|随着|经过|率领|率|带领|来|赴|深入|代表(?!们|团)|" + COVERB_RE.pattern)
QUOTED_RE = re.compile(r"“[^“”\n]{1,80}”|《[^《》\n]{1,80}》")
# Before a verb: a measure word (12个投资类项目, 5名参赛…选手) or 的/重要 (重要讲话,
# 小组的研究审议) make it a modifier or a noun.
NOMINAL_PREFIX_RE = re.compile(r"(?:\d|[一二两三四五六七八九十百千万几多])[个项家批名位所户]$|的$|重要$|总$")
# 是/成为 + a verb phrase (是加快建设…的一年): a description, not an event.
COPULA_RE = re.compile(r"是|成为")
MEETING_OBJECT_RE = re.compile(r"([^“”《》]+?(?:会议|(?<![委协学商联工总理事员合金])会))(?=[\u4e00-\u9fff])"
                               r"(?![议暨的上中期场所长员见])")
# Right before a name: it is where something happens (在市民中心礼堂召开), not who acts.
LOCATIVE_RE = re.compile(r"(?:在|于|赴|到|来自?|据|前往|深入|走进|抵达|奔赴)$")
# Verbs of going somewhere: the place after them is where the visit or inspection is.
VENUE_RE = re.compile(r"在|到|赴|前往|深入|走进|抵达|奔赴")
VENUE_TEXT_RE = re.compile(r"(?:在|到|赴|前往|深入|走进|抵达)([^，。；、在到赴]{2,15})$")
# 对X进行(了)(动员)部署, 就X进行交流: a dummy verb; the verb after it acts on X.
# 围绕X进行调研, 就X开展专题调研: the topics of a survey are its object; the verbs in them are none.
DUMMY_VERB_RE = re.compile(r"(?:对(?![口接标照外于])|就|围绕)(.{2,60}?)(?:进行|作出|做出|作了|做了|开展)了?(?:[\u4e00-\u9fff]{2})?$")
TREATED_VERB_RE = re.compile("(" + TRIGGER_RE.pattern + r")\s*[。；！？]?\s*$")
# 表示感谢/祝贺/欢迎: a courtesy addressed to the 对 phrase before it.
COURTESY_RE = re.compile(r"(?:了)?(?:衷心|诚挚|真诚|热烈|亲切)?的?(感谢|祝贺|欢迎|慰问|敬意|谢意)")
LEAD_END_RE = re.compile(r"赴|来到?|到|前往|在|深入|走进|参加|出席")
MOVE_VERB_RE = re.compile(r"来到|前往|赴|到|深入|走进|抵达|奔赴|来")
# Verbs of meeting people: the one met is the object (会见X一行; X与Y会谈: Y).
MEET_PARTNER_RE = re.compile(r"与|同|跟|和")
# Activities others join (县领导X参加。: they joined the activity reported last).
ACTIVITY_TYPES = ("INSPECT", "VISIT", "MEET", "HOLD", "SIGN", "LAUNCH", "BUILD", "CREATE")
# 走 + 进, 深 + 入: a one-character verb and its direction are one verb (走进示范基地).
DIRECTION_CHARS = "进入到向"
# What people do in person: a clause-final one the tagger calls a verbal noun is still the verb.
PEOPLE_ACTIVITIES = ("INSPECT", "VISIT", "MEET", "ATTEND", "SPEECH")
# Verbs taking an activity as object (参加调研, 陪同考察): not joined with the verb after them.
MODIFIED_HEAD_RE = re.compile(r"任务|事项|清单|指标|标准|范围|内容|流程|环节")
# Head nouns that make a verb right before them, itself after another content word, the last
# modifier of a noun compound (合作交流之旅, 公布创建名单, 开展创建评审, 开展交流活动).
COMPOUND_HEAD_RE = re.compile(r"之旅|名单|评审|评选")
# Heads that are also plain objects (开展活动, 加快建立机制): only after a verbal noun
# (合作交流机制) or a taxonomy verb (开展交流活动, 搭建交流平台) is the verb before them a modifier.
OBJECT_HEAD_RE = re.compile(r"活动|平台|机制|体系|清单")
CONTENT_TAGS = ("v", "vn", "n", "nz", "an", "vd")
# 组织 is also a noun: after a noun in a verb's object (指导各级群团组织开展…) or listed (群团组织、…).
NOUN_TOO = ("组织",)
# After 组织 as a noun (群团组织2025年工作, 党组织建设): what organisations have; the verb 组织
# takes people or an activity, never a year or these.
ORGAN_NOUN_TAIL_RE = re.compile(r"\d{4}\s*年|工作|建设|体系|力量|关系|生活|负责人|书记|换届|覆盖")
INTRANSITIVE = ("开工", "竣工", "动工", "投产")  # they take no object
# The head of a meeting's or ceremony's name (重点项目推进会, 项目签约仪式, 招商推介会, 表彰颁奖大会):
# a verb right before it names what the meeting is about, it opens no event, and the object
# of the verb outside (举行/召开/出席…) runs on to the head. (会议精神: what a meeting said.)
MEETING_HEAD_RE = re.compile(r"(?:推介|发布|座谈|现场|推进|调度|部署|培训|观摩|交流|研讨|洽谈|对接|见面|报告|动员|总结|"
                             r"表彰|颁奖|签约|启动|协调|联席|恳谈|工作|专题|新闻发布)?"
                             r"(?:大会|会议(?!精神|纪要)|会(?![议谈见晤同商员长计展务])|仪式|典礼)")
# Verbs that take a meeting or ceremony as their object (召开会议, 出席仪式, 组织座谈会, 传达会议精神).
MEETING_TAKER_TYPES = ("HOLD", "ATTEND", "ORGANIZE")
MEETING_TAKERS = ("开展", "组织开展", "发起", "筹备", "传达", "传达学习", "学习", "听取", "审议")
SERIAL_RESULT = ("产生", "选出", "评出", "形成")  # 遴选产生, 推选选出: the result verb closes the predicate
NO_JOIN = ("召开", "举行", "举办", "出席", "参加", "列席", "陪同", "交流")
# A clause reporting what the reporter saw or learnt; a sentence opening with a nominalised
# subject (这块奖牌的取得，…): the clauses after it have a subject with no name.
PERCEPTION_RE = re.compile(r"(?:看到|获悉|了解到|注意到|得知|发现)$")
NOMINAL_SUBJECT_RE = re.compile(r"的[\u4e00-\u9fff]{1,3}$")
# Between the people welcomed and their verb: 一行/等, and the coming (一行来青禾考察).
WELCOMED_GAP_RE = re.compile(r"(?:等?同志|一行|等)?(?:(?:来|到|赴|前往|莅临)[^，,、对向]{0,10})?")
REPRESENTING_RE = re.compile(r"代表(?!们|团|大会|委员)")
RESPONSIBLE_TAIL_RE = re.compile(r"\s*(?:等)?(?:单位|部门)?(?:主要|有关)?(?:负责同志|负责人|同志)(?:等)?\s*")
# What may stand before the next group of a list of officials continued after a comma.
LISTED_ON_RE = re.compile(r"\s*(?:以及|及|和|还有)?\s*")
# 他/她: the person who acted last (an attendee of a list or a person thanked is no subject).
PRONOUN_RE = re.compile(r"^(?:他|她)")
# 出席X并(发表重要)讲话: 并 and a light verb join the next verb; they end no object.
CONJOINED_END_RE = re.compile(r"(?<![合兼吞归])并且?(?:作|做|发表)?了?(?:重要|简短)?$")
OBJECT_END_RE = re.compile(r"(?<=会)(上|中)$|(期间|之际)$")
RELATIVE_TIME_RE = re.compile(r"(?:时|之际|期间)的")
RELATIVE_OBJECT_RE = re.compile(r"^的(.+?)(上|中|时|期间|顺利|圆满|正式|隆重)")
MAX_OBJECT = 40
MAX_TITLE_RUN = 100  # characters a cut object may run on to close a quoted title
MAX_SPEECH = 80
MAX_SENTENCE = 500  # longer "sentences" are tables or run-on lists: skipped
MAX_ANAPHOR_LOOKBACK = 200  # mentions an anaphor (该市) may reach back over

FULL_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
YEAR_MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
MONTH_DAY_RE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
MONTH_RE = re.compile(r"(?<![\d年])(\d{1,2})\s*月份?(?!\s*\d)")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代|度)")
YEAR_WORDS = {"今年": 0, "去年": -1, "前年": -2, "明年": 1}


# CSDP (SemEval-2016 Chinese semantic dependency) relations read from kg_syntax's tree.
PARTNER_MARK_RE = re.compile(r"与|同|跟")
OBLIQUE_RE = re.compile(r"对(?![口接标照外于])|向|代表(?!们|团)|受|据|率领|带领|率|" + COVERB_RE.pattern)
BACKER_OPENING_RE = re.compile(r"\s*(?:按照|根据|依照|遵照|依据|在)")
MAX_TITLE_CHAIN = 24  # characters from an organ to the person whose title chain it opens
DOER_RELATIONS = ("Agt", "Exp")            # the agent, the experiencer: who acts
RECIPIENT_RELATIONS = ("Pat", "Exp", "Datv")  # 被: the subject before it received the act
OBJECT_RELATIONS = ("Pat", "Cont", "Prod", "Clas")  # patient, content, product, class (评为X)
TIME_RELATIONS = ("Time", "Tmod", "Tini", "Tfin")
PLACE_RELATIONS = ("Loc", "Lini", "Lfin", "Lthru")
QUANTITY_RELATIONS = ("Quan",)
CHAIN_RELATIONS = ("eSucc", "eCoo", "ePurp")  # a verb after another one of its sentence (赴X调研): same subject
PARTNER_RELATIONS = ("Datv",)  # 与X签订: X, the dative, is the partner
MAX_CHAIN = 3                        # verbs walked back through eSucc/eCoo to find a subject
CLAUSE_END_CHARS = set("，,；;。！？!?：:\n")


class ArgumentTree:
    """The Doc's dependency tree (kg_syntax) as plain lists, in document character offsets:
    the arguments of a predicate are its dependents by relation, each one with its subtree."""

    def __init__(self, doc: Doc, text: str):
        raw = doc.to_array(["IDX", "LENGTH", "HEAD", "DEP"])
        columns = raw.astype(np.int64)  # HEAD is an offset to the head, negative when it stands before
        strings = doc.vocab.strings
        self.text = text
        self.starts = columns[:, 0].tolist()
        self.ends = (columns[:, 0] + columns[:, 1]).tolist()
        self.heads = (np.arange(len(doc)) + columns[:, 2]).tolist()
        self.deps = [strings[dep] if dep else "" for dep in raw[:, 3].tolist()]
        self.children: list[list[int]] = [[] for _ in range(len(doc))]
        for i, head in enumerate(self.heads):
            if head != i:
                self.children[head].append(i)

    def tokens(self, start: int, end: int) -> list[int]:
        """The tokens starting inside [start, end)."""
        i = bisect_left(self.starts, start)
        found = []
        while i < len(self.starts) and self.starts[i] < end:
            found.append(i)
            i += 1
        return found

    def dependents(self, verb: list[int], relations: tuple[str, ...]) -> list[int]:
        """The dependents of the verb's tokens bearing one of `relations`, in text order."""
        inside = set(verb)
        return sorted(c for v in verb for c in self.children[v] if c not in inside and self.deps[c] in relations
                      and self._word(c))

    def _word(self, token: int) -> bool:
        """A token with a letter or digit (a space or a bracket heads no argument)."""
        return any(char.isalnum() for char in self.text[self.starts[token]:self.ends[token]])

    def chained_verb(self, verb: list[int]) -> list[int]:
        """The verb this one follows in a chain (王某察看…并听取…: 听取 hangs from 察看 by
        eSucc/eCoo), written before it: its subject is this verb's subject too."""
        last = verb[-1]
        if self.deps[last] in CHAIN_RELATIONS and self.heads[last] < verb[0]:
            return [self.heads[last]]
        return []

    def subtree_span(self, token: int) -> tuple[int, int]:
        """(start, end) characters of the token's subtree (the parser's trees are projective)."""
        low = high = token
        stack = [token]
        while stack:
            node = stack.pop()
            low, high = min(low, node), max(high, node)
            stack.extend(self.children[node])
        return self.starts[low], self.ends[high]

    def clause_span(self, token: int, lower: int) -> tuple[int, int]:
        """The token's subtree from `lower` on, cut before the first punctuation that ends a
        clause after the token itself (，；。：): a phrase never runs into the next clause."""
        start, end = self.subtree_span(token)
        start = max(start, lower)
        for pos in range(max(start, self.starts[token]), end):
            if self.text[pos] in CLAUSE_END_CHARS:
                return start, pos
        return start, end


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
    # where each argument came from: "tree" (the parse) or "rule" (the word rules); None: no value
    sources: dict = field(default_factory=dict)


# A long text's chunks are joined into one Doc: its events' trigger offsets move with them.
register_shift(EVENTS_KEY, lambda event, shift: {**event, "offset": event["offset"] + shift})


def resolve_date(text: str, year: int | None, doc_date: str | None) -> tuple[str | None, str | None]:
    """(ISO or partial ISO date, the expression as written) of the first date in `text`."""
    for regex, build in (
        (FULL_DATE_RE, lambda m: f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"),
        (YEAR_MONTH_RE, lambda m: f"{int(m[1]):04d}-{int(m[2]):02d}"),
        # No year known: ISO 8601's --MM-DD (a month and day of an unknown year).
        (MONTH_DAY_RE, lambda m: f"{year:04d}-{int(m[1]):02d}-{int(m[2]):02d}" if year
         else f"--{int(m[1]):02d}-{int(m[2]):02d}"),
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


def _bare_year(text: str) -> tuple[str | None, str | None]:
    """The last year written on its own in `text` (2019年), titles and quotes left out."""
    found = list(YEAR_RE.finditer(QUOTED_RE.sub("", text)))
    return (found[-1][1], found[-1].group()) if found else (None, None)


def _strip_adverbials(text: str) -> str:
    """`text` without the adverbials it opens with."""
    lead = ADVERBIAL_RE.match(text)
    return text[lead.end():] if lead else text


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Predicate:
    """A verb (or adjacent verbs) opening an event, in clause offsets."""

    start: int
    end: int
    text: str
    type: str


class EventExtractor:
    """Extracts events from one document's text, its linked mentions and its words."""

    def __init__(self, doc_id: str, text: str, mentions: list[Mention], year: int | None,
                 doc_date: str | None, place_of: dict[str, str], word_bounds: set[int] | None = None,
                 home: str | None = None, tags: dict[int, tuple[int, str]] | None = None,
                 segmenter_bounds: set[int] | None = None, tree: ArgumentTree | None = None):
        self.tree = tree            # the dependency tree (kg_syntax), first source of the arguments
        self._backers: dict[int, list[tuple[int, int]]] = {}  # sentence start -> its backer frames
        self.home = home            # entity id of the article's home place
        self.word_bounds = word_bounds  # offsets where the segmenter puts a word boundary
        self.tags = tags            # word start -> (word end, POS tag), when the Doc is tagged
        self.segmenter_bounds = segmenter_bounds  # the segmenter's own word edges (tokens may be cut at names)
        self.doc_id = doc_id
        self.text = text
        self.mentions = sorted(_units_after_organs(text, _repeated_names(text, mentions)), key=lambda m: m.start)
        self._starts = [m.start for m in self.mentions]
        self._labels = {m.entity_id: m.label for m in self.mentions}
        self._covered = bytearray(len(text) + 1)  # 1 where a character is inside a mention
        for m in self.mentions:
            self._covered[m.start:m.end] = b"\x01" * (m.end - m.start)
        self._quoted = bytearray(len(text) + 1)  # 1 inside “…” or 《…》: a title, one object
        for q in QUOTED_RE.finditer(text):
            self._quoted[q.start() + 1:q.end() - 1] = b"\x01" * (q.end() - q.start() - 2)
        self.year = year
        self.doc_date = doc_date
        self.place_of = place_of   # entity id -> id of its place (agencies), places map to themselves
        self.history: list[Mention] = []   # agent-like mentions seen so far, for anaphora
        self._attendees: set[str] = set()  # people last seen only attending (县领导X、Y参加), not what 他 means
        self.topic: list[str] = []
        self.meeting: list[str] = []       # holder of the latest meeting, for 会议指出
        self.meeting_text: str | None = None  # the latest meeting held, for 在会上讲话
        self.activity: str | None = None  # the latest activity, for X参加。
        self.signature = self._signature()  # (mention, ISO date) signing an official notice
        self._carrying_topic = False
        self.led: tuple[list[str], str] | None = None  # (leader, group led) of the latest 率/带领
        self._speaking = False  # after 强调/指出/要求… in this paragraph, until a subject is named
        self.met: list[str] = []  # both sides of the latest meeting of people, for 双方
        self._needs_agent: set[int] = set()  # ids of events that are no facts without an agent
        self._nameless = False  # after 记者看到 or a nameless subject (…的获得), until a name acts

    def _signature(self) -> tuple[Mention, str] | None:
        """An official notice is signed by its issuer with a date on a line of their own
        (X办公厅 / 2016年5月28日): the issuer and date of what it 印发s."""
        for m in self.mentions:
            start = m.start + len(self.text[m.start:m.end]) - len(self.text[m.start:m.end].lstrip())
            if m.label != "AGENCY" or self.text[self.text.rfind("\n", 0, start) + 1:start].strip():
                continue
            after = self.text[m.end:m.end + 24]
            if not after.startswith(("\n", " ", "\u3000")) and not FULL_DATE_RE.match(after):
                continue
            date = FULL_DATE_RE.match(after.lstrip())
            if date:
                return m, f"{int(date[1]):04d}-{int(date[2]):02d}-{int(date[3]):02d}"
        return None

    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        i = bisect_left(self._starts, start)
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                found.append(self.mentions[i])
            i += 1
        return found

    def _overlapping(self, start: int, end: int) -> list[Mention]:
        """The mentions with a character in [start, end) (a name the parser split over two subtrees)."""
        i = max(0, bisect_left(self._starts, start) - 1)
        while i > 0 and self.mentions[i - 1].end > start:
            i -= 1
        found = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end > start:
                found.append(self.mentions[i])
            i += 1
        return found

    def _inside_mention(self, pos: int) -> bool:
        return bool(self._covered[pos])

    def _anaphor(self, segment: str) -> list[str]:
        if HOME_RE.search(segment) and self.home:
            return [self.home]
        if PRONOUN_RE.match(segment if segment[:1] in "他她" else _strip_adverbials(segment)):
            # 他强调: the last person who acted (主持, 讲话…), not an attendee listed after him
            people = [m for m in reversed(self.history[-MAX_ANAPHOR_LOOKBACK:]) if m.label == "PERSON"]
            return next(([m.entity_id] for m in people if m.entity_id not in self._attendees),
                        [people[0].entity_id] if people else [])
        m = ANAPHOR_RE.search(segment)
        if not m:
            return []
        wanted = ANAPHOR_LABEL.get(m.group(1), "AGENCY")
        # 该镇: the town named last (a 镇 before a 省 named since), else any place of that kind.
        for strict in (True, False):
            for mention in reversed(self.history[-MAX_ANAPHOR_LOOKBACK:]):
                if mention.label != wanted:
                    continue
                if wanted == "PLACE" and strict and not mention.name.endswith(m.group(1)):
                    continue
                if wanted != "ORG" or mention.name.endswith(m.group(1)) or m.group(1) in ("企业", "公司"):
                    return [mention.entity_id]
        if wanted == "PLACE" and self.home:
            return [self.home]
        return []

    def _is_verb(self, clause: str, clause_start: int, m: re.Match) -> bool:
        start, end = clause_start + m.start(), clause_start + m.end()
        if self._quoted[start] or NOMINAL_SUFFIX_RE.match(clause, m.end()):
            return False
        if m.group() in ("讲话", "致辞") and not clause[m.end():].strip(" 。；！？") and (
                LIGHT_SPEECH_RE.search(clause[:m.start()]) or any(
                    x.end == start and x.label == "PERSON" for x in self._mentions_in(max(0, start - 8), start))):
            return True  # 作了重要讲话, 发表致辞, 州长X讲话。: a speech given
        if m.group() in SPEECH_CONTENT and not clause[m.end():].strip() and (
                re.search(r"(?:会议|会上)$", clause[:m.start()]) or any(
                    x.end == start and x.label == "PERSON" for x in self._mentions_in(max(0, start - 8), start))):
            return True  # X要求，…: a speech verb introducing what was said after the comma, whatever its tag
        if MEETING_HEAD_RE.match(clause, m.end()) and TRIGGER_TYPE[m.group()] not in MEETING_TAKER_TYPES \
                and m.group() not in MEETING_TAKERS:
            return False  # 重点项目推进会, 项目签约仪式: the verb names the meeting
        if m.group() in INTRANSITIVE and re.match(r"[\u4e00-\u9fff](?<![了着过])", clause[m.end():m.end() + 1]) \
                and not TRIGGER_RE.match(clause, m.end()):
            return False  # 开工项目12个, 开工仪式: a verb with no object before a noun describes it
        if clause[m.end():m.end() + 1] == "的" and TRIGGER_TYPE[m.group()] != "HOLD":
            return False  # 获得的荣誉: the verb describes a noun (召开的X会议 still names the meeting held)
        if RELATIVE_TIME_RE.match(clause, m.end()):
            return False  # 在X考察时的重要讲话: the verb dates a noun, it is no event of this text
        if SINCE_RE.match(clause, m.end()):
            return False  # (自)建立X机制以来: a time frame, not an act of this text
        relative = RELATIVE_PEOPLE_RE.match(clause, m.end())
        if relative and not self._has_verb(end, clause_start + relative.end()):
            # 邀请出席推介会的嘉宾, 为参加活动的代表: the verb describes the people after 的
            # (慰问坚守在一线的干部: the relative clause is inside the object, 慰问 still acts)
            return False
        if self._inside_mention(start) and not self._verb_opens_name(start, end):
            return False
        if clause[max(0, m.start() - 1):m.start()] == "大" and clause[max(0, m.start() - 2):m.start()] != "加大":
            return False  # 安全生产大检查: a noun
        if NOMINAL_PREFIX_RE.search(clause[max(0, m.start() - 3):m.start()]):
            return False
        if m.start() and clause[m.start() - 1] == m.group()[-1] and clause[m.end():m.end() + 1] in ("下", "外"):
            return False  # 线上线下, 校内校外: a doubled locative, not 上线
        if self._compound_end(clause, clause_start, m):
            return False
        if self.tags is not None:
            # 被授予: the verb after the passive marker carries the tag.
            word = self.tags.get(start + 1 if m.group().startswith(PASSIVE_PREFIX) else start)
            if word is None:
                return False  # the trigger starts inside a word (线上线下)
            if word[0] > end and self.text[start:word[0]] in TRIGGER_TYPE:
                return False  # 率 of 率领的X: a piece of a longer verb judged no predicate here
            if word[1] in VERB_TAGS:
                return True  # a verb, or the first verb of a verb compound (传达学习)
            if word[0] == end + 1 and self.text[end] in "省市县区镇乡村":
                return True  # 整合市、县两级力量: the segmenter glued the object's level to the verb
            if word[0] == end + 1 and TRIGGER_TYPE[m.group()] == "LEAD" and any(
                    x.end == start and x.label == "PERSON" for x in self._mentions_in(max(0, start - 8), start)):
                return True  # 周某带领师…: right after a person, 带领 is the verb the segmenter glued to a noun
            following = self.tags.get(word[0])
            if word[0] == end and following is not None and following[1] in VERB_TAGS \
                    and (self.text[end:following[0]] in TRIGGER_TYPE or self.text[end:following[0]] == "产生"):
                return True  # 研究部署, 遴选产生: a serial verb phrase, whatever the first verb's tag
            if word[1] == "vn" and word[0] == end and TRIGGER_TYPE[m.group()] in PEOPLE_ACTIVITIES \
                    and not clause[m.end():].strip(" 。；！？") and m.start() \
                    and not NOMINAL_PREFIX_RE.search(clause[max(0, m.start() - 3):m.start()]):
                return True  # 王某在A镇和B镇调研。: closing the clause after its subject, a verb
            if word[1] == "vn" and word[0] == end and TRIGGER_TYPE[m.group()] in PEOPLE_ACTIVITIES \
                    and self._after_venue(start):
                return True  # 深入A镇、B乡调研…: right after the place gone to, a verb
            if word[1] in NOUN_TAGS or word[0] > end:
                return False  # a verb used as a noun (vn: 检查组), a noun, or part of a longer word
            # Any other tag is the tagger's doubt: the word boundaries decide.
        if self.word_bounds is not None and start not in self.word_bounds:
            return False
        return True

    def _has_verb(self, start: int, end: int) -> bool:
        """A verb word (tagged v) or a taxonomy verb between two offsets."""
        if self.tags is not None:
            return any(self.tags.get(i, (0, ""))[1] in VERB_TAGS for i in range(start, end))
        return bool(TRIGGER_RE.search(self.text, start, end))

    def _word_before(self, start: int) -> tuple[int, str] | None:
        """The tagged word ending at `start`: its start and tag."""
        if self.tags is None:
            return None
        for k in range(start - 1, max(-1, start - 8), -1):
            word = self.tags.get(k)
            if word is not None and word[0] == start:
                return k, word[1]
        return None

    def _compound_end(self, clause: str, clause_start: int, m: re.Match) -> bool:
        """The verb ends a noun compound: a content word before it (not a name, its subject)
        and a head noun after it (交流之旅, 创建名单), or 组织 after a noun inside a verb's
        object or list (指导群团组织开展…, 群团组织、…)."""
        start = clause_start + m.start()
        before = self._word_before(start)
        if before is None or before[1] not in CONTENT_TAGS or self._inside_mention(start - 1):
            return False
        if COMPOUND_HEAD_RE.match(clause, m.end()) and before[1] in ("v", "vn", "vd"):
            return True  # after a noun (问题建立名单) the noun is the topic, the verb still acts
        if OBJECT_HEAD_RE.match(clause, m.end()) and (
                before[1] == "vn" or before[1] == "v" and self.text[before[0]:start] in TRIGGER_TYPE):
            return True
        if m.group().startswith(NOUN_TOO) and before[1] in ("n", "nz"):
            if clause[m.start() + 2:m.start() + 3] in ("、", "的", "和", "与", "及") \
                    or ORGAN_NOUN_TAIL_RE.match(clause, m.start() + 2):
                return True  # 群团组织、…; 群团组织2025年工作, 基层党组织建设: the organisations
            earlier = [self.tags.get(clause_start + k) for k in range(0, before[0] - clause_start)]
            return any(w is not None and w[1] == "v" for w in earlier)
        return False

    def _verb_word(self, start: int) -> int | None:
        """The end of the tagged verb word starting at `start`, if one does."""
        word = self.tags.get(start) if self.tags is not None else None
        return word[0] if word is not None and word[1] in VERB_TAGS else None

    def _second_verb(self, start: int, end: int) -> bool:
        """The words from `start` are the verb text[start:end]: tagged a verb, or glued to the
        level of its object (学习省…, as the segmenter cuts 学习/省 wrongly)."""
        word = self.tags.get(start) if self.tags is not None else None
        if word is None:
            return False
        return word[0] == end and word[1] in VERB_TAGS or word[0] == end + 1 and self.text[end] in "省市县区镇乡村"

    def _verb_opens_name(self, start: int, end: int) -> bool:
        """主持召开县政府…, 传达学习县…人大: an organisation name the NER began with a
        verb word; the verb still opens the event."""
        i = bisect_left(self._starts, start)
        mention = self.mentions[i] if i < len(self.mentions) and self._starts[i] == start else None
        return (mention is not None and mention.label in ("AGENCY", "ORG") and end - start >= 2
                and (self.word_bounds is None or end in self.word_bounds))

    def _other_holds(self, clause: str, clause_start: int, offset: int, end: int, subject, lead: str) -> bool:
        """Whether a tagged verb right after a named subject is an act (an OTHER event):
        not a light verb (作X推介: the act is the noun), not a name in a list (A、B等: a
        name the tagger took for a verb), not a verb of a clause
        inside an earlier verb's object (了解X践行Y等情况: X is what was learnt about),
        not a relative clause (X提出的建议), not reported speech (他说，X…), not a state
        (位于, 拥有, 负责) or a stance (坚持, 牢记, 践行)."""
        if clause[offset:end] in LIGHT_VERBS or clause[offset:end] in STATE_VERBS or clause[offset:end] in STANCE_VERBS:
            return False  # 作X推介: the act is the noun; X位于Y, X坚持Z: a state or a stance, nothing done
        if lead.rstrip(" ").endswith("、") or clause[end:end + 1] == "等":
            return False  # 周某、李某等: a list of names, the "verb" is one of them
        if re.match(r"[了过]?的", clause[end:]):
            return False  # 周某提出的建议: the verb describes the noun after 的
        for start in range(clause_start, subject.start):
            word = self.tags.get(start)
            if word is not None and word[1] in VERB_TAGS \
                    and self.text[start:word[0]] not in NOT_OTHER and self.text[start:word[0]] not in PIVOT_VERBS \
                    and not self._inside_mention(start):
                return False  # 了解X践行Y: the subject is the object of the verb before it (also
                # when the name was found from inside that verb's word, 了|解X…)
        first = self.tags.get(subject.start)
        if first is not None and first[0] - subject.start == 1 and first[1] == "v" and subject.label in ("AGENCY", "ORG"):
            return False  # 了解X: a name the recogniser began with a verb's character (解X) is that verb's object
        sentence_start = max(self.text.rfind(c, 0, clause_start) for c in "。！？!?；;\n") + 1
        return not REPORTED_SPEECH_RE.search(self.text, sentence_start, clause_start)

    def _predicates(self, clause: str, clause_start: int) -> list[Predicate]:
        """The clause's predicates: taxonomy verbs, adjacent ones joined (研究部署), plus
        any other tagged verb right after a named subject (type OTHER)."""
        found = []
        for m in TRIGGER_RE.finditer(clause):
            whole = m
            while m is not None and not self._is_verb(clause, clause_start, m):
                m = TRIGGER_RE.match(clause, m.start(), m.end() - 1)  # 传达学习 no verb: try 传达
            if m is None and whole.group()[:2] in NOUN_TOO:
                # 群团组织开展: 组织 a noun, 开展 still the verb
                rest = TRIGGER_RE.fullmatch(clause, whole.start() + 2, whole.end())
                m = rest if rest is not None and self._is_verb(clause, clause_start, rest) else None
            if m is not None and m.end() < whole.end() and self._second_verb(clause_start + m.end(),
                                                                              clause_start + whole.end()):
                m = whole  # 传达 | 学习 tagged as two verbs: still one predicate 传达学习
            if m is not None:
                end = m.end()
                after = self._verb_word(clause_start + end)
                if after is not None and clause[end:after - clause_start] in SERIAL_RESULT:
                    end = after - clause_start  # 遴选产生了X: X is what was chosen, 产生 joins the verb
                found.append(Predicate(m.start(), end, clause[m.start():end], TRIGGER_TYPE[m.group()]))
        announced = ANNOUNCE_RE.search(clause)
        if announced and not self._quoted[clause_start + announced.start()]:
            # X宣布Y开工/启动/开幕: X's act is the start announced, Y what starts
            found = [p for p in found if not announced.start() <= p.start < announced.end()]
            found.append(Predicate(announced.start(), announced.start() + 2, "宣布" + announced.group(2),
                                   ANNOUNCED[announced.group(2)]))
            found.sort(key=lambda p: p.start)
        treated = TREATED_VERB_RE.search(clause)
        if treated and DUMMY_VERB_RE.search(clause[:treated.start(1)]) \
                and not any(p.start == treated.start(1) for p in found) and not self._quoted[clause_start + treated.start(1)]:
            # 对X进行了部署: the verbal noun after the dummy verb is the predicate, whatever its tag.
            found.append(Predicate(treated.start(1), treated.end(1), treated.group(1), TRIGGER_TYPE[treated.group(1)]))
            found.sort(key=lambda p: p.start)
        if self.tags is not None:
            taken = {i for p in found for i in range(p.start, p.end)}
            for offset in range(len(clause)):
                word = self.tags.get(clause_start + offset)
                if word is None or word[1] not in VERB_TAGS or offset in taken:
                    continue
                end = min(word[0] - clause_start, len(clause))
                if clause[offset:end] in NOT_OTHER or (self.segmenter_bounds is not None and not (
                        clause_start + offset in self.segmenter_bounds and word[0] in self.segmenter_bounds)):
                    continue  # 是, 要…; or a piece of a word cut at a name's edge
                if end - offset == 1 and clause[end:end + 1] in DIRECTION_CHARS \
                        and not self._inside_mention(clause_start + end):
                    end += 1  # 走 + 进: the verb and its direction
                joined_word = self.tags.get(clause_start + end)
                if end - offset == 1 and joined_word is not None and joined_word[0] == clause_start + end + 1 \
                        and joined_word[1] in VERB_TAGS and end not in taken and not self._inside_mention(clause_start + end):
                    end += 1  # 喜 + 获, 打 + 出: two one-character verbs are one verb the segmenter cut in two
                relative = RELATIVE_PEOPLE_RE.match(clause, end)
                if relative and not self._has_verb(clause_start + end, clause_start + relative.end()):
                    continue  # 为X作出贡献的广大乡亲: a relative clause describing people
                if re.match(r"[）)]?(?:会议|会)", clause[end:]) or MEETING_HEAD_RE.match(clause, end):
                    continue  # 党组扩大会议, 协调推进会: the verb names the meeting (taxonomy verbs take 会议 as object)
                if clause[offset:end] in TRIGGER_TYPE or NOMINAL_SUFFIX_RE.match(clause, end) \
                        or NOMINAL_PREFIX_RE.search(clause[max(0, offset - 3):offset]):
                    continue  # a taxonomy verb already judged a noun (调研中), or a modifier
                if any(self._inside_mention(clause_start + i) for i in range(offset, end)):
                    continue
                before = self._mentions_in(clause_start, clause_start + offset)
                lead = clause[before[-1].end - clause_start:offset] if before else None
                if before and before[-1].label != "PLACE" and (not lead or ADVERBIAL_RE.fullmatch(lead)) \
                        and self._other_holds(clause, clause_start, offset, end, before[-1], lead):
                    found.append(Predicate(offset, end, clause[offset:end], OTHER))
            found.sort(key=lambda p: p.start)
        found = [p for i, p in enumerate(found) if not (
            p.type == OTHER and p.text in ("作", "做", "发表") and i + 1 < len(found) and found[i + 1].text in ("讲话", "致辞")
            and LIGHT_SPEECH_RE.search(clause[:found[i + 1].start]))]  # 作了重要讲话: the speech is the event
        found = [p for p in found if not GOAL_COVERB_END_RE.search(clause[:p.start])]  # 聚焦打造X: a goal
        joined: list[Predicate] = []
        verbs = 0
        for p in found:
            if joined and joined[-1].end == p.start and joined[-1].text not in NO_JOIN \
                    and p.text not in SPEECH_CONTENT:  # 对项目开工表示祝贺: 表示 heads its own predicate
                if verbs >= 2 or MODIFIED_HEAD_RE.match(clause, p.end):
                    # 整合优化监督任务: a third verb modifies the object; 整合检查任务: so does a
                    # second one right before a head noun of tasks or items
                    continue
                # 研究部署, 整合优化: one predicate, the last verb's type
                last = joined[-1]
                kind = p.type if p.type != OTHER else last.type
                joined[-1] = Predicate(last.start, p.end, last.text + p.text, kind)
                verbs += 1
            else:
                joined.append(p)
                verbs = 1
        return _serial_objects(joined, clause, lambda start, end: bool(
            self._mentions_in(clause_start + start, clause_start + end)))

    def topic_agent(self) -> list[str]:
        """The article's main actor: the first agency or place opening a sentence of its
        first paragraphs, else its home place."""
        opening = "\n".join(self.text.split("\n")[:4])
        for sm in SENTENCE_RE.finditer(opening):
            backers = [(sm.start() + f.start(), sm.start() + f.end()) for f in SUPPORT_FRAME_RE.finditer(sm.group())]
            for m in self._mentions_in(sm.start(), sm.end()):
                if any(start <= m.start and m.end <= end for start, end in backers):
                    continue  # 在省委的坚强领导下，…: the backer is not the article's actor
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
            self._nameless = False
            self._speaking = False  # a new paragraph: what a speaker said last is over
            for sm in SENTENCE_RE.finditer(paragraph):
                if len(sm.group()) > MAX_SENTENCE:
                    continue
                carried = self._sentence(sm.group(), paragraph_start + sm.start(), carried, events)
        events = [e for e in _merge_headline(events, _headline_end(self.text))
                  if e.agents or id(e) not in self._needs_agent]
        return _dedupe(events)

    def _paragraphs(self):
        pos = 0
        for line in self.text.split("\n"):
            yield pos, line
            pos += len(line) + 1

    def _sentence(self, sentence: str, sentence_start: int, carried: list[str], events: list[Event]):
        listed = LIST_RE.search(sentence)
        if listed:  # 主要内容是：一…二…: a list, no events of its own
            sentence = sentence[:listed.start()]
        sentence_date = resolve_date(sentence, self.year, self.doc_date)
        state = {"modal": False, "people": [], "done": False,
                 "future": bool(FUTURE_OPENING_RE.match(sentence))}
        clauses = list(CLAUSE_RE.finditer(sentence))
        for i, cm in enumerate(clauses):
            if state["done"]:
                break
            clause = cm.group()
            clause_start = sentence_start + cm.start()
            opening = clause.strip()
            purpose = PURPOSE_RE.match(opening) and (i + 1 < len(clauses) or opening.startswith(("为了", "就"))
                                                     or PURPOSE_VERB_RE.match(opening))
            # 为规范A，建立B，提升C，制定本办法: the purpose runs on until a clause with a subject or the last.
            purpose = purpose or (state.get("purpose") and i + 1 < len(clauses)
                                  and not self._mentions_in(clause_start, clause_start + 6))
            state["purpose"] = bool(purpose)
            framed = FRAME_RE.search(clause) or purpose
            if framed:  # 为规范…, 以…为契机: a purpose or frame, not something done
                named = [m for m in self._mentions_in(clause_start, clause_start + len(clause)) if m.label in AGENT_LABELS]
                self.history.extend(named)
                if named and not purpose and ADVERBIAL_RE.fullmatch(clause[:named[0].start - clause_start] or " ") \
                        and (named[0].end - clause_start) <= framed.start():
                    # X以…为契机，深化…: X, named before the frame, is the subject of what follows
                    carried, self._carrying_topic = [named[0].entity_id], False
                elif not named and not purpose and self._anaphor(_strip_adverbials(clause)[:3]):
                    carried, self._carrying_topic = self._anaphor(_strip_adverbials(clause)[:3]), False  # 全州X以…为抓手
                continue
            if not self._mentions_in(clause_start, clause_start + len(clause)) and not ANAPHOR_RE.search(clause) \
                    and (PERCEPTION_RE.search(clause) or (not i and NOMINAL_SUBJECT_RE.search(clause))):
                # 记者看到，…: what was seen has its own subject; 这块奖牌的取得，…: a subject with no name.
                carried, self._carrying_topic = [], False
                self._nameless = True  # until a named subject: who acts is not known
                if not self._predicates(clause, clause_start):
                    continue
            carried = self._clause(clause, clause_start, sentence, sentence_start, sentence_date, carried,
                                   events, state)
        return carried

    def _subject_group(self, mentions: list[Mention]) -> list[Mention]:
        """The last name group of a subject: names joined by 、/和 or by a title chain
        (县委常委、副县长周某: the person, not the organs in the titles)."""
        if not mentions:
            return []
        group = [mentions[-1]]
        for m in reversed(mentions[:-1]):
            gap = self.text[m.end:group[0].start]
            title_gap = group[0].label == "PERSON" and len(gap) <= 14 and re.fullmatch(r"[\u4e00-\u9fff、]*", gap) \
                and (not gap.strip("、") or TITLE_TAIL_RE.search(gap.rstrip("、")))
            if COORDINATION_GAP_RE.fullmatch(gap) or title_gap:
                group.insert(0, m)
            else:
                break
        people = [m for m in group if m.label == "PERSON"]
        return people or group

    def _clause(self, clause: str, clause_start: int, sentence: str, sentence_start: int, sentence_date,
                carried, events, state):
        predicates = self._predicates(clause, clause_start)
        clause_mentions = self._mentions_in(clause_start, clause_start + len(clause))
        signer = self.signature[0] if self.signature else None
        backers = [(clause_start + f.start(), clause_start + f.end()) for f in SUPPORT_FRAME_RE.finditer(clause)]
        agent_like = [m for m in clause_mentions if m.label in AGENT_LABELS and m is not signer
                      and not self._bracketed(m) and not self._quoted[m.start]
                      and not any(start <= m.start and m.end <= end for start, end in backers)]
        if not predicates:
            opening = len(clause) - len(clause.lstrip())
            if self._modal(clause[opening:opening + 2][:MODAL_RE.match(clause, opening).end() - opening]
                           if MODAL_RE.match(clause, opening) else "", clause_start + opening) \
                    or self._wish(clause, clause_start) or any(
                        self._modal(modal.group(), m.end) for m in agent_like[:1]
                        for modal in [MODAL_RE.match(clause, m.end - clause_start)] if modal):
                # 要扩大…，组织好…; X希望Y多走走，…; X要立足…(a co-verb, no verb)，…: the frame holds
                # for the clauses after it
                state["modal"] = True
            # A clause that opens with an entity sets the subject for the clauses after it;
            # a clause that only names officials (县委副书记、县长NAME) lists subjects of the next verb.
            lead = clause[: (agent_like[0].start - clause_start)] if agent_like else None
            # X依托Y平台，…; 结合Y实际，…: the names of a co-verb's phrase neither act nor carry;
            # the subject right before the co-verb (X充分利用Y，…) is the subject of what follows.
            coverb = COVERB_RE.search(clause)
            agent_like = _before_preposition(clause, clause_start, agent_like) if coverb else agent_like
            if REPRESENTING_RE.search(clause):  # 副县长X代表县委、县政府，向…: the body represented does not act
                agent_like = _before_preposition(clause, clause_start, agent_like)
            if coverb and agent_like and not self._modal(clause, clause_start) and (
                    ADVERBIAL_RE.fullmatch(gap) if (gap := clause[agent_like[-1].end - clause_start:coverb.start()]) else True):
                self.history.extend(agent_like)
                carried, self._carrying_topic = _prefer_organisations(self._subject_group(agent_like)), False
                return carried
            # 陈某一行深入某镇，慰问…: the place gone to is where, the people before it act.
            actors = [m for m in agent_like if not self._located(m, clause_start)]
            group = self._subject_group(actors if actors and len(actors) < len(agent_like) else agent_like)
            if group and all(m.label == "PERSON" for m in group) and not clause[group[-1].end - clause_start:].strip(" 等"):
                state["people"] += [m.entity_id for m in group]
            elif group and state["people"] and RESPONSIBLE_TAIL_RE.fullmatch(clause[group[-1].end - clause_start:]) \
                    and all(m.label in ("AGENCY", "ORG") for m in group):
                # 县领导A、B，县C局、县D局负责同志，…参加: the bodies' officials join the list
                state["people"] += _prefer_organisations(group)
            elif group and self._only_names(clause, clause_start, agent_like):
                # 我省A市、B市，C县…被评为: a list of names continued after a comma.
                state["people"] += _prefer_organisations(agent_like)
            elif agent_like and (not lead or ADVERBIAL_RE.fullmatch(lead)
                                 or group and group[0].label == "PERSON" and TITLE_TAIL_RE.search(lead)):
                # (副市长)陈某一行深入某镇，…: the clause's subject goes on to the clauses after it
                carried, self._carrying_topic = _prefer_organisations(group or agent_like), False
            elif self._anaphor(_strip_adverbials(clause)[:3]):  # 该市…, 我市… opening the clause
                carried, self._carrying_topic = self._anaphor(_strip_adverbials(clause)[:3]), False
            self.history.extend(agent_like)
            return carried
        segment_start = 0
        clause_agents: list[str] = []
        agents_before_lead = False
        for i, pred in enumerate(predicates):
            verb = pred.text
            subject = clause[segment_start:pred.start]
            subject_mentions = [m for m in agent_like
                                if m.start >= clause_start + segment_start and m.end <= clause_start + pred.start
                                and not self._located(m, clause_start)]
            if i and predicates[i - 1].type == "LEAD" and agents_before_lead:
                subject_mentions, subject = [], ""  # X率Y赴Z开展W: Y is led, X does W too
            if i and subject_mentions:
                # After a first verb, names inside its object are no subject of the next one
                # unless they stand right before it (荣获A称号和B月荣获C: both by the clause's subject).
                lead = clause[subject_mentions[-1].end - clause_start:pred.start]
                if lead and not ADVERBIAL_RE.fullmatch(lead) and not PREPOSITION_RE.search(lead) \
                        and PASSIVE_PREFIX not in lead:
                    subject_mentions = []
                    subject = ""
            passive = verb.startswith(PASSIVE_PREFIX) or PASSIVE_PREFIX in subject
            if PASSIVE_PREFIX in subject and not verb.startswith(PASSIVE_PREFIX):
                # X被Y评为Z: X received it; Y (the awarder) is not the subject.
                cut = subject.rindex(PASSIVE_PREFIX)
                subject_mentions = [m for m in subject_mentions if m.end <= clause_start + segment_start + cut]
                subject = subject[:cut]
            subject_mentions = _before_preposition(subject, clause_start + segment_start, subject_mentions)
            names_end = subject_mentions[-1].end - clause_start - segment_start if subject_mentions else 0
            if self._modal(subject[names_end:], clause_start + segment_start + names_end) \
                    or self._wish(subject, clause_start + segment_start) \
                    or self._future(subject[names_end:], clause_start + segment_start + names_end):
                state["modal"] = True
            elif subject_mentions:  # a new named subject after the wish states a fact again
                state["modal"] = False
            next_start = predicates[i + 1].start if i + 1 < len(predicates) else len(clause)
            described = state["modal"] or state["future"] or self._after_copula(subject, clause_start + segment_start)
            agents, source = self._agents(subject, subject_mentions, clause_agents or carried)
            welcomed = self._welcomed(subject, clause_start + segment_start, agent_like, clause_start + pred.start,
                                      clause, predicates[i + 1:])
            outer = (agents, source)
            if welcomed:  # X对Y一行出席Z表示欢迎: Y attends; X, who welcomes, stays the clause's subject
                agents, source = _prefer_organisations(self._subject_group(welcomed)), "explicit"
            if i and not subject_mentions and clause_agents and not agents:
                agents, source = clause_agents, "carried"
            pending = {self._label(a) for a in state["people"]}
            # 副市长A，秘书长B，市C局负责同志陪同: the bodies opening the clause join the people listed
            listed_on = bool(subject_mentions) and not i and LISTED_ON_RE.fullmatch(
                clause[segment_start:subject_mentions[0].start - clause_start])
            if state["people"] and (not agents or source != "explicit" or listed_on or
                                    {self._label(a) for a in agents} <= pending):
                listed = state["people"]
                if source == "explicit" and any(self._label(a) == "PERSON" for a in agents):
                    # 某县：县委书记X调研…: a place heading the people is where they serve, not a doer
                    listed = [a for a in listed if self._label(a) != "PLACE"]
                agents, source = list(dict.fromkeys(listed + (agents if source == "explicit" else []))), \
                    "explicit"
                state["people"] = []
            led_here = bool(not i and state.get("leader"))
            if led_here:
                # X带领A，B，及C等赴Z考察: the group led runs over commas; its next verb is the leader's
                agents, source = list(state["leader"]), "explicit"
                state["people"] = []
            if source == "carried" and self._carrying_topic:
                source = "article"
            if MEETING_SUBJECT_RE.fullmatch(ADVERBIAL_RE.sub("", subject)) and not subject_mentions \
                    and not (i and CONJOINED_END_RE.search(subject)):  # X出席会议并讲话: 会议 is 出席's object
                agents, source = list(self.meeting), "meeting"
                if agents:  # the clauses after 会议指出… speak of the meeting too
                    carried, self._carrying_topic = agents, False
            # The tree first: the verb's own Agt/Exp dependent, when it names someone.
            tree = self._tree_arguments(pred, clause_start, clause_start + len(clause), sentence, sentence_start,
                                        passive)
            if tree["agents"] and not (i and clause_agents) and not (i and predicates[i - 1].type == "LEAD") and not led_here \
                    and self._tree_agents_hold(tree["agents"], agents, source, subject_mentions, clause):
                # (a clause's own subject, or X率Y…开展: X, stays the rules')
                agents, source = tree["agents"], tree["agent_source"]
            collective = {m.entity_id for m in subject_mentions if COLLECTIVE_RE.match(self.text, m.end)}
            if collective & set(agents):  # 某县四家班子领导 (also as the tree's subject): no doer named
                agents = [a for a in agents if a not in collective]
                source = source if agents else None
            if pred.type == OTHER and source != "explicit":
                segment_start = pred.end
                continue
            self.history.extend(subject_mentions)
            if agents and not passive and source in ("explicit", "anaphor"):
                carried, self._carrying_topic = (outer[0] if welcomed else agents), False
            if source in ("explicit", "anaphor", "meeting"):
                self._speaking = False  # a subject of its own: the speech reported before has ended
            elif self._speaking:
                # X强调，要…。加快…；着力打造…。: subject-less sentences after a speech go on
                # telling what was said (its content opens no events), until a subject is named
                described = True
            if described:  # 要加强…, 必须完善…: an obligation; 是加快建设…的一年: a description
                segment_start = pred.end
                continue
            if agents:
                clause_agents = outer[0] if welcomed else agents
            agents_before_lead = bool(agents) and pred.type == "LEAD"
            from_tree = {"object": False}
            courtesy = COURTESY_RE.match(clause, pred.end) if verb == "表示" else None
            addressed = None
            addressee = re.search(r"(?:对|向)(.{2,60})$", subject) if courtesy else None  # 向X表示祝贺 too
            if courtesy and addressee:
                # 对X表示（衷心）感谢: thanks, congratulations… for X; the verb phrase is the trigger.
                verb = verb + courtesy.group(1)
                object_text = _clean(addressee.group(1))
                object_end = clause_start + segment_start + addressee.end()
                addressed = self._mentions_in(clause_start + segment_start + addressee.start(1), object_end)
                state["done"] = True
            elif verb in SPEECH_CONTENT:
                # What was said is the rest of the sentence: one event, nothing opened inside it.
                rest_start = clause_start + pred.end - sentence_start
                object_text = _clean(sentence[rest_start:].lstrip("，：,:了")[:MAX_SPEECH].rstrip("。！？；"))
                state["done"] = True
                self._speaking = True
                if len(object_text) < 2:
                    return carried
                object_end = sentence_start + min(len(sentence), rest_start + MAX_SPEECH)  # not the next sentence's names
            else:
                object_end = next_start
                gap = clause[pred.end:next_start]
                going = LEAD_END_RE.search(gap) if pred.type == "LEAD" else None
                if pred.type == "LEAD" and (going or next_start < len(clause)):
                    # 率代表团赴X: the group led ends where its going (or its next verb) starts
                    object_end = pred.end + going.start() if going else next_start
                elif next_start < len(clause) and pred.type == "INSPECT" and (not gap or ADVERBIAL_RE.fullmatch(gap)):
                    object_end = len(clause)  # 调研持续推进X建设: what is surveyed is a verb phrase
                elif next_start < len(clause) and (pred.text in CAUSATIVE or
                                                 (not i and RELATIVE_TAIL_RE.search(clause[next_start:]))):
                    # 组织A开展B, 传达了X出席Y时的指示要求: what follows belongs to the object.
                    object_end = len(clause)
                object_text = _object_phrase(clause[pred.end:object_end], MAX_OBJECT + 20,
                                             whole=object_end > next_start)
                tree_object = _object_phrase(self.text[tree["object"][0]:tree["object"][1]], MAX_OBJECT + 20) \
                    if tree["object"] and pred.type != "LEAD" else None
                if tree_object and _balanced(tree_object) and (object_text is None or (
                        len(tree_object) > len(object_text) and tree_object.startswith(object_text)
                        and not self._named_before_verb(object_text, *tree["object"]))):
                    # the head of the verb's Pat/Cont/Prod dependent with its modifiers, where it
                    # runs past a verb inside the object (开展X创建评审) that the rules cut at
                    object_text, object_end, from_tree["object"] = tree_object, tree["object"][1] - clause_start, True
                if object_text is None or object_text.startswith("给"):  # 现转发给你们 / 印发给各单位
                    object_text = self._object_elsewhere(pred, subject, clause, sentence) or object_text
                if object_text is None and pred.text == "决定" and not clause[pred.end:].strip():
                    # X决定，授予…: what was decided is the clause after it.
                    after = sentence[clause_start + len(clause) - sentence_start:].lstrip("，：,: ")
                    object_text = _object_phrase(CLAUSE_RE.match(after).group() if CLAUSE_RE.match(after) else "")
                object_end = clause_start + object_end
            found_objects = addressed
            if pred.type == "HOLD" and object_text and object_text[:2] in TRIGGERS["MEET"]:
                # 举行会谈 / 进行会见 (the noun tagged vn): the event is the meeting of people.
                verb, pred = object_text[:2], Predicate(pred.start, pred.end, pred.text, "MEET")
                object_text = _object_phrase(object_text[2:])
            if object_text is None and pred.type in ("INSPECT", "VISIT", "MEET"):
                # 在X调研, 前往X和Y调研, X与Y会谈: the venue or the partner is the object.
                found_objects = self._partner(subject_mentions, subject) if pred.type == "MEET" else []
                if found_objects:  # X与Y会谈: X, the names before the partner, met Y
                    agents = _prefer_organisations(self._subject_group(
                        [m for m in subject_mentions if m.end <= found_objects[0].start])) or agents
                if pred.type != "MEET":  # one meets people, not places
                    found_objects = found_objects or self._venue(sentence_start, clause_start + pred.start)
                if found_objects:
                    object_text = _clean(self.text[found_objects[0].start:found_objects[-1].end])
                    agents = [a for a in agents if a not in {m.entity_id for m in found_objects}] or agents
                elif pred.type != "MEET":  # 在X调研 with X no entity: the venue as written
                    venue = VENUE_TEXT_RE.search(subject)
                    found_objects = [] if venue else None
                    object_text = _clean(venue.group(1)) if venue else None
            bare = _bare_tail(clause[pred.end:])
            if object_text is None and pred.type == "ATTEND" and (not bare or EMPTY_OBJECT_RE.match(bare)) \
                    and self.activity:
                object_text = self.activity  # 县领导X、Y参加（活动）。: the activity reported last
            treated = DUMMY_VERB_RE.search(subject) if not clause[pred.end:].strip(" 了。；") else None
            if treated:  # 对X进行了部署: X is what is treated, it does not act
                found_objects = self._mentions_in(clause_start + segment_start + treated.start(), clause_start + pred.start)
                inside = {m.entity_id for m in found_objects}
                agents = [a for a in agents if a not in inside]
                head = subject[:treated.start()]
                if not agents and MEETING_SUBJECT_RE.fullmatch(ADVERBIAL_RE.sub("", head)):
                    agents, source = list(self.meeting), "meeting"  # 会议还对X进行了部署
                elif not agents and (not head.strip() or ADVERBIAL_RE.fullmatch(head)):
                    agents, source = list(clause_agents or carried), "carried"
            if object_text is None and pred.type == "SPEECH" and re.search(r"在(?:会|会议)上", subject):
                object_text = self.meeting_text or "会议"  # 在会上讲话: the meeting held last
            if object_text is None and pred.text in ("讲话", "致辞") and not bare:
                object_text = ""  # 出席X并讲话, 州长X讲话。: a speech given, nothing of it told
            if object_text and pred.type == "HOLD":
                # 召开协调会议分解指标: the meeting ends the object (not 洽谈会暨…, 会议的…).
                meeting = MEETING_OBJECT_RE.match(object_text)
                object_text = meeting.group(1) if meeting else object_text
            if agents:
                self._nameless = False
            elif self._nameless and pred.type != "HOLD":
                # 记者看到，拌和站加强…; 荣誉的获得，提升了…: the doer is a thing with no name here,
                # so the event would have no "who" (a meeting held may still be told without one).
                segment_start = pred.end
                continue
            if object_text is None:
                if next_start > pred.end:  # 世界旅游组织评为: keep the subject for the next verb
                    segment_start = pred.end
                continue
            object_mentions = self._mentions_in(clause_start + pred.end, object_end) \
                if found_objects is None else found_objects
            if not agents and pred.type == "HOLD":
                # 召开的苏州市…发布会: a meeting named after a place or agency is held by it.
                owner = [m for m in object_mentions
                         if m.start - (clause_start + pred.end) <= 1 and m.label in ("AGENCY", "PLACE")]
                if owner:
                    agents, source = [owner[0].entity_id], "object-owner"
            if pred.type == "HOLD" and agents:
                self.meeting = agents
            if pred.type == "HOLD":
                self.meeting_text = object_text
            # The date written before the verb in its own segment (…和2017年12月荣获), else the clause's.
            date, date_text = resolve_date(subject, self.year, self.doc_date) if i else (None, None)
            if date is None:
                date, date_text = resolve_date(clause, self.year, self.doc_date)
            if date is None:
                date, date_text = sentence_date
            if pred.type == "ISSUE" and self.signature and (not agents or source == "article"):
                agents, source = [self.signature[0].entity_id], "signature"
                if date is None:
                    date, date_text = self.signature[1], None
            if date is None:  # 2019年荣获…: a bare year before the verb (not one inside a title)
                date, date_text = _bare_year(subject if i else clause[:pred.start])
            if tree["date"] and source != "signature":  # the verb's Time/Tmod dependent
                date, date_text = tree["date"]
            places = [m.entity_id for m in clause_mentions if m.label == "PLACE" and m.entity_id not in agents]
            tree_places = [p for p in tree["places"] or () if p not in agents]
            if tree_places:  # its Loc dependent
                places = tree_places
            if not places and pred.type in ("INSPECT", "VISIT"):  # 来到X，参观Y: X is where
                places = [m.entity_id for m in self._venue(sentence_start, clause_start + pred.start)
                          if m.label == "PLACE"]
            quantity = _quantity(object_text)
            if quantity is None and not i:
                # 共7个县被评为…, …等40个社区被命名为…: the count is the subject's.
                quantity = _quantity(subject[subject_mentions[-1].end - clause_start:] if subject_mentions else subject)
            defaulted = source == "article" and not (pred.type in AGENTLESS_FACTS and
                                                      all(self._label(a) == "PLACE" for a in agents))
            if defaulted or pred.type in OWN_SUBJECT_TYPES and not self._named_in_sentence(
                    agents, source, sentence_start, clause_start + pred.start, sentence,
                    pred.type == "PROMOTE" and not subject_mentions
                    and any(e.offset >= sentence_start for e in events[-8:])):
                # 推动…、加快… in a list of measures, 实现… after another sentence's subject: an
                # effort or result is only a fact with a doer named in its own sentence; and the
                # article's default actor is a guess for a paragraph naming nobody: no agent
                # (only the article's city may stay as where a platform was set up or a project signed).
                agents, source = [], None
            # Without a doer only a meeting held, a signing, a building, a survey or a result with
            # an amount (完成抽检1.02万批次) is a fact; 部署X, 参加X by no one are dropped unless a
            # headline restating them lends its agent.
            needs_agent = not agents and not (pred.type in AGENTLESS_FACTS or pred.type in AMOUNT_FACTS and (
                quantity or VAGUE_COUNT_RE.match(object_text)))
            quantity = _clean(quantity.group()) if quantity else None
            quantity = tree["quantity"] or quantity  # the verb's Quan dependent first
            tree_agents = tree["agents"] and agents == tree["agents"]
            sources = {"agent": "tree" if tree_agents else "rule" if agents else None,
                       "object": "tree" if from_tree["object"] else "rule",
                       "date": "tree" if tree["date"] and date == tree["date"][0] else "rule" if date else None,
                       "place": "tree" if tree_places else "rule" if places else None,
                       "quantity": "tree" if quantity and quantity == tree["quantity"] else "rule" if quantity else None,
                       "tree_agents": tree["agents"] or []}  # what the tree said, taken or not
            events.append(Event(
                type=pred.type, trigger=verb, sentence=sentence.strip(), doc=self.doc_id,
                object_text=object_text, date=date, date_text=date_text,
                quantity=quantity,
                agents=agents, agent_role="recipient" if passive else "agent", agent_source=source,
                objects=list(dict.fromkeys(m.entity_id for m in object_mentions if m.entity_id not in agents)),
                locations=list(dict.fromkeys(places or [self.place_of[a] for a in agents if a in self.place_of])),
                offset=clause_start + pred.start, sources=sources,
            ))
            if needs_agent:
                self._needs_agent.add(id(events[-1]))
            if source in ("explicit", "anaphor") and not passive:
                attending = pred.type == "ATTEND"
                self._attendees = (self._attendees | set(agents)) if attending else self._attendees - set(agents)
            if pred.type == "MEET" and agents:
                self.met = list(dict.fromkeys(agents + [m.entity_id for m in object_mentions if m.label == "PERSON"]))
            if pred.type == "LEAD" and agents:
                self.led = (list(agents), object_text)
            state["leader"] = list(agents) if pred.type == "LEAD" and agents and not passive else None
            if pred.type in ACTIVITY_TYPES and not verb.startswith("宣布"):  # 宣布开工: a moment of the activity
                self.activity = object_text if pred.type == "HOLD" else verb + object_text
            if state["done"]:
                return carried
            segment_start = pred.end
        return carried

    # -- arguments from the dependency tree ----------------------------------
    def _tree_arguments(self, pred: Predicate, clause_start: int, clause_end: int, sentence: str,
                        sentence_start: int, passive: bool) -> dict:
        """The predicate's arguments as the tree gives them (each None when it does not):
        agents (with their source), object (start, end), date, places, quantity."""
        found = {"agents": None, "agent_source": None, "object": None, "date": None, "places": None,
                 "quantity": None}
        if self.tree is None:
            return found
        verb = self.tree.tokens(clause_start + pred.start, clause_start + pred.end)
        if not verb:
            return found
        sentence_end = sentence_start + len(sentence)
        found["agents"], found["agent_source"] = self._tree_agents(verb, sentence, sentence_start, passive)
        verb_end = self.tree.ends[verb[-1]]
        for dependent in self.tree.dependents(verb, OBJECT_RELATIONS):
            if verb_end <= self.tree.starts[dependent] < clause_end:
                start, end = self.tree.clause_span(dependent, verb_end)
                found["object"] = (start, min(end, clause_end))
                break
        for dependent in self.tree.dependents(verb, TIME_RELATIONS):
            start, end = self.tree.subtree_span(dependent)
            if sentence_start <= start and end <= sentence_end:
                date = resolve_date(self.text[start:end], self.year, self.doc_date)
                if date[0]:
                    found["date"] = date
                    break
        places = []
        for dependent in self.tree.dependents(verb, PLACE_RELATIONS):
            start, end = self.tree.subtree_span(dependent)
            places += self._coordinated([m for m in self._mentions_in(max(start, sentence_start), min(end, sentence_end))
                                         if m.label == "PLACE" and not self._quoted[m.start]])
        found["places"] = list(dict.fromkeys(m.entity_id for m in places)) or None
        for dependent in self.tree.dependents(verb, QUANTITY_RELATIONS):
            start, end = self.tree.clause_span(dependent, sentence_start)
            amount = _quantity(self.text[start:end])
            if amount:
                found["quantity"] = _clean(amount.group())
                break
        return found

    def _named_before_verb(self, object_text: str, start: int, end: int) -> bool:
        """The rules' object ends on a name inside the tree's longer one: that name is the
        subject of the verb after it (传达了X参加Y审议Z时的讲话: Y审议), not a modifier."""
        found = self.text.find(object_text, start, end)
        boundary = found + len(object_text)
        return found >= 0 and any(m.end == boundary and m.label in AGENT_LABELS for m in self._mentions_in(found, boundary))

    def _tree_agents_hold(self, tree_agents: list[str], agents: list[str], source: str | None,
                          subject_mentions: list[Mention], clause: str) -> bool:
        """Whether the tree's subject replaces the rules' (the parser is weak, see docs/events.md:
        it decides where the words do not): when the rules found no subject in the clause
        (carried, none), when the tree's names include the rules' (more coordinated names), or
        when the rules' name follows a partner's 与/同/跟 (我市与X公司签订: 我市 signs)."""
        if source not in ("explicit", "anaphor") or set(agents) <= set(tree_agents):
            return True
        # 与/同/跟 + the rules' names, which the tree makes the verb's dative: the partner
        partners = {m.entity_id for m in subject_mentions
                    if PARTNER_MARK_RE.search(self.text[max(0, m.start - 2):m.start])
                    and any(self.tree.deps[t] in PARTNER_RELATIONS or self.tree.deps[t] == INSIDE_NAME
                            and self.tree.deps[self.tree.heads[t]] in PARTNER_RELATIONS
                            for t in self.tree.tokens(m.start, m.end))}
        return bool(partners) and not set(agents) & set(tree_agents) and set(agents) <= partners

    def _welcomed(self, subject: str, offset: int, agent_like: list[Mention], verb_start: int, clause: str,
                  later: list[Predicate]) -> list[Mention]:
        """X对Y一行出席Z表示欢迎: the names after 对/向 standing right before a verb (or before
        their coming, 一行来Z考察), when a courtesy (表示欢迎/感谢) follows in the clause, are
        the subject of that verb."""
        addressed = list(re.finditer(r"对|向", subject))
        if not addressed or not any(p.text == "表示" and COURTESY_RE.match(clause, p.end) for p in later):
            return []
        names = [m for m in agent_like if offset + addressed[-1].end() <= m.start and m.end <= verb_start]
        for k, m in enumerate(names):  # 一行来青禾县: the place come to is where, not who
            if MOVE_VERB_RE.search(self.text[names[k - 1].end if k else offset + addressed[-1].end():m.start]):
                names = names[:k]
                break
        if not names or not WELCOMED_GAP_RE.fullmatch(self.text[names[-1].end:verb_start]):
            return []
        return names

    def _coordinated(self, found: list[Mention]) -> list[Mention]:
        """`found` with the names of its label listed right before or after them (在A省与B省:
        the parser hangs one of them on the verb)."""
        if not found:
            return found
        chain = list(found)
        i = bisect_left(self._starts, chain[0].start) - 1
        while i >= 0 and self.mentions[i].label == chain[0].label \
                and COORDINATION_GAP_RE.fullmatch(self.text[self.mentions[i].end:chain[0].start]):
            chain.insert(0, self.mentions[i])
            i -= 1
        i = bisect_left(self._starts, chain[-1].end)
        while i < len(self.mentions) and self.mentions[i].label == chain[-1].label \
                and COORDINATION_GAP_RE.fullmatch(self.text[chain[-1].end:self.mentions[i].start]):
            chain.append(self.mentions[i])
            i += 1
        return chain

    def _tree_agents(self, verb: list[int], sentence: str, sentence_start: int,
                     passive: bool) -> tuple[list[str] | None, str | None]:
        """Who acts, from the verb's Agt/Exp dependent before it (for 被: its Pat/Exp/Datv, the
        recipient), else from the verb it follows in a chain (eSucc/eCoo): the names in that
        dependent's subtree (coordinated names hang inside it), or 我市/该市/他 resolved."""
        relations = RECIPIENT_RELATIONS if passive else DOER_RELATIONS
        verb_start = self.tree.starts[verb[0]]
        for _ in range(MAX_CHAIN + 1):
            dependents = [d for d in self.tree.dependents(verb, relations)
                          if sentence_start <= self.tree.starts[d] and self.tree.ends[d] <= verb_start]
            nameless = False
            for dependent in reversed(dependents):  # the nearest subject first
                start, end = self.tree.subtree_span(dependent)
                # the subject's own clause: its subtree never reaches over a comma to the left
                clause_start = max(sentence_start, max(self.text.rfind(stop, sentence_start, self.tree.starts[dependent])
                                                       for stop in "，,；;：:") + 1)
                start = max(start, clause_start)
                written_names = self._overlapping(start, min(end, verb_start))
                names = [m for m in written_names if self._may_act(m, sentence, sentence_start)]
                # X会见了Y，对…表示欢迎: a name after a verb of its clause is that verb's object (the
                # parser hangs it on the later verb); the rules decide
                names = [m for m in names if not TRIGGER_RE.search(self.text, clause_start, m.start)]
                nameless = nameless or not written_names
                if names:
                    # with the names coordinated before it in its clause (A、B和C: the parser
                    # often hangs only C on the verb)
                    listed = [m for m in self._mentions_in(clause_start, names[-1].end)
                              if m.end <= names[0].start and self._may_act(m, sentence, sentence_start)]
                    return _prefer_organisations(self._subject_group(listed + names)), "explicit"
                written = _strip_adverbials(self.text[start:min(end, verb_start)]).strip()
                if 2 <= len(written) <= 3 and (HOME_RE.fullmatch(written) or ANAPHOR_RE.fullmatch(written)
                                               or PRONOUN_RE.match(written)) \
                        and not LOCATIVE_RE.search(self.text[max(0, end - len(written) - 2):end - len(written)]):
                    anaphor = self._anaphor(written)
                    if anaphor:
                        return anaphor, "anaphor"
            if nameless:
                return None, None  # a subject with no name (工人们): the rules decide
            verb = self.tree.chained_verb(verb)
            if not verb or self.tree.starts[verb[0]] < sentence_start:
                return None, None
        return None, None

    def _may_act(self, mention: Mention, sentence: str, sentence_start: int) -> bool:
        """A name that may be an agent: not a signature, an aside in brackets, a quoted title,
        a backer (在X领导下) or a place gone to (在X, 赴X)."""
        if mention.label not in AGENT_LABELS or self._quoted[mention.start] or self._bracketed(mention):
            return False
        if self.signature and mention is self.signature[0]:
            return False
        backers = self._backers.get(sentence_start)
        if backers is None:
            backers = self._backers[sentence_start] = [
                (sentence_start + f.start(), sentence_start + f.end()) for f in SUPPORT_FRAME_RE.finditer(sentence)]
        if any(start <= mention.start and mention.end <= end for start, end in backers):
            return False
        clause_start = max(sentence_start, max(self.text.rfind(stop, sentence_start, mention.start)
                                               for stop in "，,：:") + 1)
        if BACKER_OPENING_RE.match(self.text, clause_start):
            return False  # 按照X书记提出的…要求: X backs the act (a frame longer than SUPPORT_FRAME_RE's)
        if OBLIQUE_RE.search(self.text, clause_start, mention.start):
            return False  # 代表X, 对X, 向X, 受X委托, 依托X: who is represented, addressed or used, not who acts
        person = next((m for m in self._mentions_in(mention.end, mention.end + MAX_TITLE_CHAIN)
                       if m.label == "PERSON"), None) if mention.label != "PERSON" else None
        gap = self.text[mention.end:person.start] if person else ""
        if person and re.fullmatch(r"[\u4e00-\u9fff、]+", gap) and TITLE_TAIL_RE.search(gap.rstrip("、")):
            return False  # 自治区党委书记、人大常委会党组书记王某: organs of titles, the person acts
        return not self._located(mention, clause_start)

    def _object_elsewhere(self, pred: Predicate, subject: str, clause: str, sentence: str) -> str | None:
        """The object of a verb with none after it: the meeting that is the subject of
        召开/举行 (X会议在Y召开), the occasion of 致辞/讲话 (在X上致辞), the title that
        opens the sentence for 印发/同意 (《X》已经…同意，现印发给各单位)."""
        tail = _bare_tail(clause[pred.end:])
        treated = DUMMY_VERB_RE.search(subject)
        if treated and not tail:  # 对X进行了部署: X
            return _clean(treated.group(1))
        if pred.type == "HOLD" and not tail:
            meeting = re.match(r"(.+?(?:会|会议|仪式|活动|论坛|大赛|赛|节|展)(?:[（(][^）)]*[）)])?[”」]?)"
                               r"(?:在|于|由|正式|隆重|顺利|$)",
                               _strip_adverbials(subject) if subject else "")
            if meeting and len(meeting.group(1)) >= 3:
                return _clean(meeting.group(1)).strip("“”")
        if pred.type == "SPEECH" and not tail:
            occasion = re.search(r"在(.{2,30}?)(?:上|中|期间)", subject)
            if occasion:
                return _clean(occasion.group(1))
        if not tail and pred.text == "主持":
            # 州长X讲话，…Y主持: a chair taken at the event reported last
            return self.meeting_text
        # A bare 讲话/致辞 (出席X并讲话, 州长X讲话。) says nothing: only 在X上讲话 gives its occasion.
        if pred.type in ("ISSUE", "APPROVE") and (not tail or tail.startswith("给")):
            title = QUOTED_RE.search(sentence)
            if title and title.group().startswith("《"):
                return _clean(title.group())
        return None

    def _venue(self, start: int, end: int) -> list[Mention]:
        """The names right after the last verb of going (在, 前往, 来到, 深入…) between
        `start` and `end`, joined by 、/和 (前往A县和B区): where a visit or survey is."""
        for m in reversed(list(VENUE_RE.finditer(self.text, start, end))):
            following = [x for x in self._mentions_in(m.end(), end) if x.label in ("PLACE", "ORG", "AGENCY")]
            venue = []
            for x in following:
                gap = self.text[venue[-1].end if venue else m.end():x.start]
                if venue and not COORDINATION_GAP_RE.fullmatch(gap) or not venue and gap:
                    break
                venue.append(x)
            if venue:
                return venue
        return []

    def _after_venue(self, pos: int) -> bool:
        """A place or venue gone to (在/前往/深入… X) ends right at `pos`."""
        i = bisect_left(self._starts, pos) - 1
        while i >= 0 and self.mentions[i].end > pos:
            i -= 1
        if i < 0 or self.mentions[i].end != pos:
            return False
        sentence_start = max(self.text.rfind(stop, 0, pos) for stop in "。！？\n，") + 1
        return self.mentions[i] in self._venue(sentence_start, pos)

    def _partner(self, subject_mentions: list[Mention], subject: str) -> list[Mention]:
        """X与Y会谈: the names after 与/同/和 in the subject are who was met."""
        if len(subject_mentions) < 2:
            return []
        for i, m in enumerate(subject_mentions[1:], 1):
            if MEET_PARTNER_RE.search(self.text[subject_mentions[i - 1].end:m.start]):
                return subject_mentions[i:]
        return []

    def _located(self, mention: Mention, clause_start: int) -> bool:
        """A name right after 在/于/赴/来/前往 (through the names written before it in one
        chain, 在市民中心礼堂, or places listed with it, 前往A县和B区) says where, not who."""
        start, label = mention.start, mention.label
        i = bisect_left(self._starts, start) - 1
        while i >= 0 and self.mentions[i].start >= clause_start and (
                self.mentions[i].end == start or label == self.mentions[i].label == "PLACE"
                and re.fullmatch(r"[、和与及]", self.text[self.mentions[i].end:start])):
            start = self.mentions[i].start
            i -= 1
        return bool(LOCATIVE_RE.search(self.text[max(clause_start, start - 2):start]))

    def _only_names(self, clause: str, clause_start: int, mentions: list[Mention]) -> bool:
        """A clause that is nothing but coordinated names (我省A市、B市)."""
        rest, pos = [], clause_start
        for m in mentions:
            rest.append(self.text[pos:m.start])
            pos = m.end
        rest.append(self.text[pos:clause_start + len(clause)])
        return not re.sub(r"[、和与及等\s]|我省|我市|全省|全市|以及", "", "".join(rest))

    def _after_copula(self, subject: str, offset: int) -> bool:
        """是/成为 + this verb with no subject between (是加快建设…的一年): a description."""
        for m in COPULA_RE.finditer(subject):
            start, end = offset + m.start(), offset + m.end()
            if self.word_bounds is not None and not (start in self.word_bounds and end in self.word_bounds):
                continue
            between = subject[m.end():]
            if not self._mentions_in(end, offset + len(subject)) and not ANAPHOR_RE.search(between) \
                    and not HOME_RE.search(between):
                return True
        return False

    def _named_in_sentence(self, agents: list[str], source: str | None, sentence_start: int, pos: int,
                           sentence: str, after_event: bool = False) -> bool:
        """The agents were named (or 我市/该市 written) in this sentence before `pos`, not
        carried over from an earlier sentence or the article, nor (for an effort) from an earlier
        act of the sentence (X就Y进行交流，推动Z: what the act is for), and no future or target frame
        (将, 计划, 到2025年) stands before the verb."""
        before = self.text[sentence_start:pos]
        if not agents or FUTURE_RE.search(before) or after_event:
            return False
        if source in ("explicit", "anaphor", "meeting", "headline"):
            return True
        named = {m.entity_id for m in self._mentions_in(sentence_start, pos)}
        return bool(named & set(agents)) or bool(HOME_RE.search(before) or ANAPHOR_RE.search(before))

    def _label(self, entity_id: str) -> str | None:
        return self._labels.get(entity_id)

    def _modal(self, text: str, offset: int) -> bool:
        """要/需/必须… as a word of its own (not 主要, 重要, 需求)."""
        probe = self.text[offset:offset + len(text) + 4]  # 将 | 继续加强: what follows decides
        for m in MODAL_RE.finditer(probe if probe.startswith(text) else text):
            if m.start() >= len(text):
                break
            start, end = offset + m.start(), offset + m.end()
            if self.tags is not None:
                word = self.tags.get(start)
                if word is not None and word[0] == end:
                    return True
            elif self.word_bounds is None or (start in self.word_bounds and end in self.word_bounds):
                return True
        return False

    def _future(self, text: str, offset: int) -> bool:
        """拟, 计划 (not 按计划), 预计, 届时, 即将 before the verb: what is planned or expected
        has not happened."""
        for m in FUTURE_WORD_RE.finditer(text):
            start, end = offset + m.start(), offset + m.end()
            if self._quoted[start] or self.text[max(0, start - 2):start].endswith(("按", "照", "原", "据")):
                continue
            if self.tags is not None:
                word = self.tags.get(start)
                if word is None or word[0] != end:
                    continue
            elif self.word_bounds is not None and not (start in self.word_bounds and end in self.word_bounds):
                continue
            return True
        return False

    def _wish(self, text: str, offset: int) -> bool:
        """希望/期待/欢迎… as a verb word of its own anywhere before the verb (X希望Y推动Z):
        Y's act is wished for, whoever is named between."""
        for m in WISH_RE.finditer(text):
            start, end = offset + m.start(), offset + m.end()
            if self._quoted[start]:
                continue
            if self.tags is not None:
                word = self.tags.get(start)
                if word is not None and word[0] == end and word[1] in VERB_TAGS:
                    return True
            elif self.word_bounds is None or (start in self.word_bounds and end in self.word_bounds):
                return True
        return False

    def _bracketed(self, mention: Mention) -> bool:
        """Names inside brackets (（记者 X 通讯员 Y）, (图为…)) are asides, and names in a byline
        (记者 X, 通讯员 Y, 作者：Z) are the text's authors: never subjects."""
        line_start = max(self.text.rfind("\n", max(0, mention.start - 60), mention.start) + 1, mention.start - 60)
        before = self.text[line_start:mention.start]
        if BYLINE_RE.search(before):
            return True  # 记者 X、Y, 通讯员 Z, 作者：W: the authors of the text, never doers in it
        return before.rfind("（") > before.rfind("）") or before.rfind("(") > before.rfind(")")

    def _agents(self, subject: str, subject_mentions: list[Mention], carried: list[str]):
        if subject_mentions and COLLECTIVE_RE.match(self.text, subject_mentions[-1].end):
            return [], None  # 某县四家班子领导出席: a group named through its place, no one named
        if ("由" in subject or "经" in subject) and subject_mentions:  # 由X主办的…, 已经X同意: X did it
            return [subject_mentions[-1].entity_id], "explicit"
        if subject_mentions:
            return _prefer_organisations(self._subject_group(subject_mentions)), "explicit"
        anaphor = self._anaphor(subject)
        if anaphor:
            return anaphor, "anaphor"
        if BOTH_PARTIES_RE.match(_strip_adverbials(subject)) and self.met:
            return list(self.met), "anaphor"  # X会见Y，双方就…会谈: X and Y
        group = GROUP_RE.match(_strip_adverbials(subject)) if self.led else None
        if group and group.group(1) in self.led[1]:
            return list(self.led[0]), "anaphor"  # X率代表团…，代表们察看…: the group X led, with X
        if carried and (not subject.strip() or ADVERBIAL_RE.fullmatch(subject)
                        or PREPOSITION_RE.match(subject.strip())):  # 对辖区商户实施
            return carried, "carried"
        return [], None


NP_OBJECT_TYPES = ("HOLD", "ISSUE", "LAUNCH", "CREATE", "ORGANIZE")
CAUSATIVE = ("组织", "率", "带领", "指导", "督促")
# A clause ending in 的 + noun after a verb: that verb is inside a relative clause.
RELATIVE_TAIL_RE = re.compile(r"(?:时|之际|期间)的|的[\u4e00-\u9fff]{2,8}[。；！？]?$")


def _object_phrase(text: str, limit: int = MAX_OBJECT, whole: bool = False) -> str | None:
    """The object as written after a trigger; None when nothing nameable follows.
    `whole`: the object holds a relative clause (传达了X出席Y时的指示要求), kept as written."""
    relative = RELATIVE_OBJECT_RE.match(text)  # 召开的X上: X
    if relative:
        text = relative.group(1)
    text = SPEECH_AFTER_RE.split(text)[0]  # 会见X时表示…: the object ends before 时
    if not whole:
        # 审议《X》时的讲话: X; but X在Y考察时的讲话, X参加Y时的讲话 name a speech, kept whole.
        head = re.split(r"时的|之时", text)[0]
        if not re.search(r"在[^，]{1,20}$", head) and not TRIGGER_RE.search(QUOTED_RE.sub("", head)):
            text = head
    text = CONJOINED_END_RE.sub("", text.strip(" 了的，。；"))  # 出席X并讲话: X, not X并
    text = _cut(OBJECT_END_RE.sub("", text), limit)
    dated = TRAILING_DATE_RE.search(text)
    if dated and dated.start() >= 2:  # 荣获A称号和2017年12月（荣获B）: the next conjunct's date
        text = text[:dated.start()]
    if re.match(r"[\u4e00-\u9fff]{1,4}(?<![集高初其空])中(?![心国央华期])", text):
        return None  # 竣工项目中…: the verb describes a noun (among the finished projects)
    if len(re.findall(r"[\u4e00-\u9fffA-Za-z]", text)) < 2 or text[0] in "、）)”…并" \
            or EMPTY_OBJECT_RE.match(text):
        return None
    return _clean(text)


TRAILING_DATE_RE = re.compile(r"(?:和|及|与|以及|、|，|,)\s*(?:\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?"
                              r"|\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)(?:份|底|初|中旬|上旬|下旬)?$")
SPEECH_AFTER_RE = re.compile(r"(?<![及准按同适临随届暂当平小])时(?=表示|指出|强调|说|介绍|要求|$)")
# A verb right before these (…视察某地重要讲话精神) names the occasion of a speech.
SPEECH_NOUN_RE = re.compile(r"[^，、]{0,12}?(?:时的|时)?重要(?:讲话|指示|批示|论述|回信)")


def _bare_tail(rest: str) -> str:
    """What follows a verb in its clause, empty when only 并 and the next verb follow
    (出席并致辞, 主持并讲话: the first verb's object is elsewhere, as for a verb closing its clause)."""
    rest = rest.strip(" 了。；")
    joined = CONJOINED_START_RE.match(rest)
    return "" if joined and TRIGGER_RE.match(rest, joined.end()) else rest


CONJOINED_START_RE = re.compile(r"并且?(?:作|做|发表)?了?(?:重要|简短)?")


def _cut(text: str, limit: int) -> str:
    """`text` cut at `limit`, but never inside a quoted title: 参观“…”、“…”主题展 keeps its
    titles whole and the head noun after them (at most MAX_TITLE_RUN more characters)."""
    cut = limit
    while text.count("“", 0, cut) > text.count("”", 0, cut) or text.count("《", 0, cut) > text.count("》", 0, cut):
        close = min((i for i in (text.find("”", cut), text.find("》", cut)) if i >= 0), default=-1)
        if close < 0 or close >= limit + MAX_TITLE_RUN:
            return text[:limit]
        cut = close + 1
        while cut < len(text) and text[cut] in "、“《" and cut < limit + MAX_TITLE_RUN:
            cut += 1  # the next title of a list of titles
    if cut > limit:
        head = re.match(r"[\u4e00-\u9fff]{1,6}", text[cut:])
        cut += head.end() if head else 0
    return text[:cut]


def _serial_objects(predicates: list[Predicate], clause: str, named=None) -> list[Predicate]:
    """Verbs inside the object of the verb before them are no events of their own (`named`
    (start, end): whether a name stands between two clause offsets):
    召开2023年优化营商环境工作推进会 (优化 right after a verb that takes a noun phrase),
    开展汛前隐患排查 / 开展联合执法检查4次 (排查, 检查 close the clause: the object's head noun)."""
    kept: list[Predicate] = []
    for p in predicates:
        if kept and p.type == "MEET" and kept[-1].text == "举行" and kept[-1].end == p.start:
            kept[-1] = p  # 举行会谈: the meeting verb is the event
            continue
        if kept:
            gap = clause[kept[-1].end:p.start]
            tail = clause[p.end:].strip(" 。；！？")
            if clause[p.end:p.end + 1] == "的":
                continue  # 会见来青州考察的X一行: a verb in a relative clause is part of the object
            if kept[-1].type == OTHER and MOVE_VERB_RE.fullmatch(kept[-1].text):
                kept.append(p)  # 前往X考察: the verb after the place gone to is what is done there
                continue
            if SPEECH_NOUN_RE.match(tail) and not (named and named(kept[-1].end, p.start)):
                continue  # 学习X视察某地重要讲话: the verb says which speech, inside the object
            if p.type == OTHER and re.fullmatch(r"[^，、]{0,10}(?:工作|意见|措施|方案)", tail):
                continue  # 研究部署X贯彻执行工作: X + verb + 工作 is a noun phrase, the object
            closes = not tail or QUANTITY_RE.fullmatch(tail) or re.fullmatch(r"工作|活动|行动|情况|汇报", tail)
            if kept[-1].type in NP_OBJECT_TYPES and p.type == "PROMOTE" \
                    and len(re.findall(r"[\u4e00-\u9fff]", gap)) < 2:
                continue
            treated = DUMMY_VERB_RE.search(clause[:p.start])
            if closes and treated:
                # 对X开展Y作出部署: the verbs inside the 对 phrase are its object, the last one acts.
                kept = [k for k in kept if k.start < treated.start(1)]
                kept.append(p)
                continue
            if closes and (gap or kept[-1].text in NO_JOIN) and not re.search(r"[、和与及并]", gap) \
                    and not (p.text in SPEECH_CONTENT and gap.endswith("时")):  # 会见X时表示：… is a speech
                continue
            # 调度…建设推进情况, 听取…工作汇报: a verb in the matter reviewed is part of it.
            if kept[-1].type == "REVIEW" and re.search(r"(情况|汇报|进展|报告)$", tail):
                continue
        kept.append(p)
    return kept


def _balanced(text: str) -> bool:
    """No title or quotation opened or closed halfway (a subtree cut inside 《…》)."""
    return text.count("《") == text.count("》") and text.count("“") == text.count("”")


def _quantity(text: str) -> re.Match | None:
    """The first amount in a phrase; ordinals (第二批) and years (2024年) are no amounts."""
    for m in QUANTITY_RE.finditer(text):
        if text[max(0, m.start() - 1):m.start()] == "第" or re.fullmatch(r"\d{4}\s*年", m.group()):
            continue
        return m
    return None


def _before_preposition(subject: str, offset: int, mentions: list[Mention]) -> list[Mention]:
    """昆山市在“五一”期间推出: what follows 在 (and other prepositions) after a named
    subject is a circumstance, not a second subject; 他代表X向Y表示: the body represented
    and the party addressed (代表/对/向 with no name before them) do not act either."""
    oblique: list[Mention] = []
    for m in PREPOSITION_RE.finditer(subject):
        cut = offset + m.start()
        if m.group() == "代表" and any(x.start == offset + m.end() and x.label == "PERSON" for x in mentions):
            continue  # 人大代表X, 村民代表X: a title before the person, not 代表 as a verb
        before = [x for x in mentions if x.end <= cut and x not in oblique]
        if before:
            return before
        if COVERB_RE.fullmatch(m.group()) and (not subject[:m.start()].strip() or ADVERBIAL_RE.fullmatch(subject[:m.start()])):
            return []  # 依托南州大学平台组建…: the names of a co-verb's phrase say by what means, they do not act
        if m.group() in ("代表", "对", "向"):
            following = PREPOSITION_RE.search(subject, m.end())
            phrase_end = offset + (following.start() if following else len(subject))
            oblique += [x for x in mentions if cut <= x.start and x.end <= phrase_end]
    return [x for x in mentions if x not in oblique]


# 代表们, 委员们…: the group the latest 率/带领 led, when it names them.
# 双方/两地: both sides of the meeting told last.
BOTH_PARTIES_RE = re.compile(r"^(?:双方|两地|两市|宾主)")
GROUP_RE = re.compile(r"^(代表|委员|专家|嘉宾|同志|队员|成员|干部|党员|志愿者|企业家|学员)们")
MIN_REPEATED_NAME = 4  # characters of an organisation's name looked for again (市就业局)


def _repeated_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """One name, one sense in a text: an agency or organisation the recogniser found once
    is a mention wherever the same name is written again outside another mention."""
    covered = bytearray(len(text) + 1)
    for m in mentions:
        covered[m.start:m.end] = b"\x01" * (m.end - m.start)
    added = []
    names = {text[m.start:m.end]: m for m in mentions
             if m.label in ("AGENCY", "ORG") and m.end - m.start >= MIN_REPEATED_NAME}
    for surface, model in sorted(names.items(), key=lambda item: -len(item[0])):
        for found in re.finditer(re.escape(surface), text):
            if not any(covered[found.start():found.end()]):
                added.append(Mention(found.start(), found.end(), model.label, model.entity_id, model.name))
                covered[found.start():found.end()] = b"\x01" * len(surface)
    return list(mentions) + added


UNIT_SUFFIX_RE = re.compile(r"(?:分局|分院|分行|分公司|支队|大队|中队|派出所|中心所|监管所|分所)$")


def _units_after_organs(text: str, mentions: list[Mention]) -> list[Mention]:
    """市X局园区分局 where the recogniser kept only 市X局: the unit, named on its own elsewhere
    in the text (园区分局), written right after the organ is a mention too, so the unit acts."""
    units = {text[m.start:m.end]: m for m in mentions
             if m.label in ("AGENCY", "ORG") and UNIT_SUFFIX_RE.search(text[m.start:m.end])}
    starts = {m.start for m in mentions}
    added = []
    for m in mentions:
        if m.label not in ("AGENCY", "ORG") or m.end in starts:
            continue
        for surface, unit in units.items():
            if text.startswith(surface, m.end):
                added.append(Mention(m.end, m.end + len(surface), unit.label, unit.entity_id, unit.name))
                break
    return list(mentions) + added


def _prefer_organisations(mentions: list[Mention]) -> list[str]:
    """The subject's actors: its organisations and people if any, else its places
    (天河区、海珠区生态环境分局 -> the bureau; 吴江区的“…” -> 吴江区)."""
    actors = [m for m in mentions if m.label in ("AGENCY", "ORG", "PERSON")]
    # 县公安局城关派出所: an organ written right after another is its unit; the unit acts.
    actors = [m for i, m in enumerate(actors) if i + 1 == len(actors) or actors[i + 1].start != m.end]
    if not actors:
        places = [m for m in mentions if m.label == "PLACE"]
        # 浙江省湖州市安吉县: a written chain of places means its last, most specific one.
        actors = [m for i, m in enumerate(places) if i + 1 == len(places) or places[i + 1].start != m.end]
    return list(dict.fromkeys(m.entity_id for m in actors))


def _core(object_text: str) -> str:
    return re.sub(r"[《》“”；;，,。、\s]", "", QUANTITY_RE.sub("", object_text))


RESTATED_RATIO = 0.8  # share of characters two objects of one trigger and agents have in order


def _restated(first: str, second: str) -> bool:
    """A later paragraph restating the lead (我市X / 文昌X, 第十二届 / 十二届): the same
    object up to a few characters."""
    return SequenceMatcher(None, first, second, autojunk=False).ratio() >= RESTATED_RATIO


HEADLINE_LINES = 3   # a headline block: title, subtitle, kicker
MAX_HEADLINE = 60    # characters of one headline line
HEADLINE_STOP_RE = re.compile(r"[。！？]|^(?:时间|日期|发布|发布时间|來源|来源|作者)[:：]")


def _headline_end(text: str) -> int:
    """Offset where the headline block ends: the first lines of the text with no sentence
    end (。) and no dateline or source line; 0 when the text opens with a sentence."""
    pos, end, lines = 0, 0, 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            if lines >= HEADLINE_LINES or len(stripped) > MAX_HEADLINE or HEADLINE_STOP_RE.search(stripped):
                break
            lines += 1
            end = pos + len(line)
        pos += len(line) + 1
    return end


def _merge_headline(events: list[Event], headline_end: int) -> list[Event]:
    """A headline restates what the body tells: a headline event whose type and trigger
    (one inside the other: 召开 / 主持召开) recur in the body is folded into that body event,
    which keeps its own agents or takes the headline's when it has none (the title names
    the issuer of 现印发给你们)."""
    body = [e for e in events if e.offset >= headline_end]
    kept = []
    for event in events:
        twin = None if event.offset >= headline_end else next(
            (b for b in body if b.type == event.type and (b.trigger in event.trigger or event.trigger in b.trigger)),
            None)
        if twin is None:
            kept.append(event)
            continue
        if not twin.agents and event.agents:
            twin.agents, twin.agent_source = list(event.agents), "headline"
        twin.objects = list(dict.fromkeys(twin.objects + event.objects))
        twin.date = twin.date or event.date
    return kept


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per fact: a later paragraph or an embedded clause repeating an event adds
    no second one. Events of one type and agents are compared (参加/出席 are one act); with
    two triggers the fuller object is kept (参加X / 出席X的讨论). No scan over all events."""
    kept: list[Event] = []
    by_key: dict[tuple, list[Event]] = {}
    for event in events:
        core = _core(event.object_text)
        same = by_key.setdefault((event.type, frozenset(event.agents)), [])
        # an empty object (a bare 讲话) contains no other and is in none: only its own repeat
        twin = next((k for k in same if (k.trigger == event.trigger or event.agents)
                     and bool(core) == bool(_core(k.object_text)) and (k.trigger == event.trigger or core)
                     and (_core(k.object_text) in core or core in _core(k.object_text)
                          or k.trigger == event.trigger and _restated(_core(k.object_text), core))), None)
        if twin is None:
            kept.append(event)
            same.append(event)
            continue
        if twin.trigger != event.trigger and len(core) > len(_core(twin.object_text)):
            kept[kept.index(twin)] = same[same.index(twin)] = event
            event, twin = twin, event
        twin.objects = list(dict.fromkeys(twin.objects + event.objects))
        twin.date = twin.date or event.date
        twin.quantity = twin.quantity or event.quantity
    return kept


@Language.factory("kg_events", default_config={"use_tree": True}, requires=["doc.ents"])
def make_event_extractor(nlp: Language, name: str, use_tree: bool = True) -> "EventComponent":
    return EventComponent(nlp, name, use_tree)


class EventComponent:
    """`kg_events`: doc._.events from the linked entities (span.kb_id_) of kg_linker.

    Document context: doc._.kg_doc_id, doc._.kg_date, doc._.kg_year (set by the caller),
    doc._.kg_home (set by kg_linker)."""

    def __init__(self, nlp: Language, name: str = "kg_events", use_tree: bool = True):
        self.nlp = nlp
        self.name = name
        self.use_tree = use_tree  # False: the word rules alone (to measure what the tree adds)

    def __call__(self, doc: Doc) -> Doc:
        linker = self.nlp.get_pipe("kg_linker").linker_of(doc)
        mentions = [Mention(e.start_char, e.end_char, e.label_, e.kb_id_, linker.entities[e.kb_id_].name)
                    for e in doc.ents if e.kb_id_ in linker.entities]
        place_of = {}
        for mention in mentions:
            entity = linker.entities[mention.entity_id]
            place = entity.id if entity.label == "PLACE" else entity.based_in
            if place:
                place_of[entity.id] = place
        home = linker.gazetteer.divisions[doc._.kg_home] if doc._.kg_home is not None else None
        home_id = linker.place_for_division(home).id if home is not None else None
        words = doc.spans["words"] if "words" in doc.spans else None
        bounds = {w.start_char for w in words} | {w.end_char for w in words} if words is not None else None
        tags, segmenter_bounds = None, bounds
        # Word tokens with POS tags (kg_syntax sets tag_ and pos_; the character tokens of the
        # NER carry feature tags in tag_ but no pos_).
        if doc.has_annotation("POS") and doc.has_annotation("TAG"):
            strings = doc.vocab.strings
            columns = doc.to_array(["IDX", "LENGTH", "TAG"]).tolist()  # one pass, no Token objects
            tags = {idx: (idx + length, strings[tag]) for idx, length, tag in columns if tag}
            bounds = {idx for idx, _, _ in columns} | {idx + length for idx, length, _ in columns}
        text = doc_text(doc)
        tree = ArgumentTree(doc, text) if self.use_tree and doc.has_annotation("DEP") else None
        events = EventExtractor(doc._.kg_doc_id or "doc", text, mentions, doc._.kg_year, doc._.kg_date,
                                place_of, word_bounds=bounds, home=home_id, tags=tags,
                                segmenter_bounds=segmenter_bounds, tree=tree).extract()
        doc.user_data[EVENTS_KEY] = [asdict(event) for event in events]
        return doc

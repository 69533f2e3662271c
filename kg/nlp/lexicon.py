"""General word lists of Chinese government and press language.

Everything here is grammar of the genre (heads of institution names, titles,
surnames, campaign heads), never names taken from one page.
"""

from __future__ import annotations

import re

# The 200 most common Chinese surnames (single and compound), for validating person spans.
SURNAMES_SINGLE = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
    "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
    "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
    "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支"
    "卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印"
    "逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "赖傅洪阎萧"  # common surnames the list above had left out
)
SURNAMES_DOUBLE = {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                   "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "西门", "南宫", "独孤", "端木"}

# Words that look like names (surname + char) but are common vocabulary.
NOT_NAMES = {
    "高度", "高质量", "方式", "方面", "方针", "文化", "文明", "安全", "安排", "任务", "任职",
    "史上", "石油", "金融", "周边", "周年", "向上", "向前", "常态", "常务", "明确", "明显",
    "成立", "成果", "成为", "成绩", "全面", "全市", "全省", "全国", "全区", "全县", "全员", "全覆盖",
    "段时间", "何时", "时间", "时段", "于是", "和谐", "和平", "平台", "平稳", "宁静", "连接", "连续",
    "申请", "应急", "应用", "单位", "原则", "原创", "严格", "强化", "强调",
    "管理", "司法", "容易", "解决", "谈话", "简单", "马上", "通过", "许可",     "万元", "万人", "于今", "商务", "商会", "国家", "国际", "国务", "车间", "杜绝",
    "伊始", "项目", "江河", "黎明", "宣传", "宣讲", "海关", "海洋", "政府", "孔子",
}

# Heads of government and Party organ names (AGENCY). Longest first at match time.
AGENCY_HEADS = [
    "人民代表大会常务委员会", "人大常委会", "人民代表大会", "政治协商会议", "人民政府", "人民法院",
    "人民检察院", "纪律检查委员会", "监察委员会", "委员会", "管理委员会", "管委会", "党工委",
    "工委", "党委", "纪委", "监委", "组织部", "宣传部", "统战部", "武装部", "政法委", "编办",
    "办公室", "办公厅", "办事处", "政府", "法院", "检察院", "公安局", "分局", "派出所", "司法所",
    "党支部", "党总支", "支部", "党组", "总局", "局", "厅", "署", "委", "部门", "中心", "大队",
    "支队", "总队", "执法队", "人大", "政协", "站", "办", "部", "所", "院", "处", "科",
]
# Cores that, with a one-character head above, make an organ (生态环境 + 局).
# One-character heads are accepted only after a place or administrative-level prefix.
WEAK_HEADS = {"站", "办", "部", "所", "院", "处", "科", "委", "局", "厅", "署", "中心", "支部", "党支部",
              "大队", "支队", "总队", "分局", "厂", "工厂"}

# Heads of other organisations (ORG): companies, media, schools, hospitals, associations.
ORG_HEADS = [
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "银行", "日报社", "日报",
    "晚报", "晨报", "商报", "报社", "电视台", "广播电台", "融媒体中心", "新闻网", "通讯社", "杂志社",
    "出版社", "大学", "学院", "职业技术学院", "中学", "小学", "幼儿园", "医院", "卫生院", "研究院",
    "研究所", "研究中心", "实验室", "协会", "学会", "商会", "联合会", "基金会", "促进会", "合作社",
    "工厂", "厂", "代表队", "俱乐部", "事务所",
]

# Common short forms of government organs -> full form (general, not city-specific).
AGENCY_ABBREVIATIONS = {
    "人社局": "人力资源和社会保障局", "人社厅": "人力资源和社会保障厅",
    "发改委": "发展和改革委员会", "发改局": "发展和改革局",
    "住建局": "住房和城乡建设局", "住建厅": "住房和城乡建设厅",
    "市监局": "市场监督管理局", "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会", "卫健局": "卫生健康局",
    "网信办": "网络安全和信息化委员会办公室", "工信局": "工业和信息化局", "工信厅": "工业和信息化厅",
    "自规局": "自然资源和规划局", "资规局": "自然资源和规划局", "应急局": "应急管理局",
    "文旅局": "文化广电和旅游局", "文广旅局": "文化广电和旅游局", "教体局": "教育和体育局",
    "医保局": "医疗保障局", "退役军人局": "退役军人事务局", "城管局": "城市管理综合行政执法局",
    "国资委": "国有资产监督管理委员会", "农业局": "农业农村局", "交通局": "交通运输局",
    "环保局": "环境保护局", "行政审批局": "行政审批局", "统计局": "统计局",
}

# Quoted names followed by one of these heads (within a short window) are programs.
PROGRAM_HEADS = [
    "专项行动", "系列活动", "主题活动", "行动", "活动", "工程", "计划", "模式", "平台", "品牌", "项目",
    "竞赛", "大赛", "工作法", "机制", "改革", "战略", "政策", "试点", "示范区", "示范", "体系",
    "建设", "创建", "工作", "服务", "监管", "普法", "宣传", "栏目", "行动计划", "攻坚战", "运动",
]
# Verbs that make the quoted name right after them a programme (创建“…”).
QUOTE_VERBS = ["开展", "启动", "实施", "推出", "创建", "打造", "推行", "发起", "举办", "部署", "落实",
               "深化", "推进", "实行", "开设", "建立"]
# Named campaigns written without quotes end with one of these.
CAMPAIGN_HEADS = [
    "专项执法检查行动", "专项执法行动", "专项整治行动", "专项治理行动", "专项检查行动", "专项行动",
    "攻坚行动", "集中行动", "百日行动", "三年行动", "行动计划", "攻坚战", "大会战",
]
# Titles of documents between 《》 that are rules, plans or policies (not books or films).
POLICY_TITLE_HEADS = [
    "规定", "办法", "条例", "规则", "方案", "意见", "通知", "计划", "纲要", "规划", "标准", "制度",
    "细则", "决定", "法典", "目录", "流程图", "评估表", "指南", "守则", "公约", "准则", "清单",
    "通告", "公告", "决议", "报告", "措施", "政策", "要点", "指引", "章程", "规范", "导则", "预案",
]
# Awards and honorary titles: the head a quoted award is followed by (“…”称号, “…”“…”两个奖牌)
# and the verbs that confer one (荣获“…”, 被授予…称号).
AWARD_HEADS = ["荣誉称号", "称号", "奖牌", "奖项", "殊荣", "金奖", "大奖", "牌匾", "奖杯"]
AWARD_VERBS = ["被命名为", "被评为", "被授予", "被确定为", "被认定为", "命名为", "评为", "授予", "认定为",
               "确定为", "列为", "获评", "荣获", "获得", "获", "捧回", "摘得", "入选", "入围", "喜获", "斩获"]
# Designations a place is given, written without quotes (国家级…示范区, 国家…试验区, 全国…示范县): a
# national or provincial prefix and a designation head.
DESIGNATION_PREFIXES = ["国家级", "省级", "国家", "全国", "中国"]
DESIGNATION_HEADS = [
    "中心城市", "卫生城市", "园林城市", "森林城市", "历史文化名城", "示范城市",
    "示范区", "试验区", "先行区", "示范市", "示范县", "示范镇", "示范村", "名镇", "名村", "特色小镇",
]

# Verbs after which a named programme often starts (left boundary of a campaign name).
PROGRAM_VERBS = [
    "组织开展", "开展了", "开展", "启动", "实施", "推进", "推出", "部署", "深化", "推行", "创建",
    "打造", "落实", "发起", "举办", "组织", "参加", "参与", "持续", "深入", "全面", "积极",
    "打好", "打赢", "助力", "决战", "完成", "加快", "聚焦",
]

# Titles (positions) seen before or after names.
TITLES = [
    "党支部书记", "党委书记", "党工委书记", "党组书记", "纪委书记", "党委副书记", "副书记", "书记",
    "常务副市长", "副市长", "市长", "副县长", "县长", "副区长", "区长", "副镇长", "镇长", "乡长",
    "村委会主任", "村主任", "副主任", "主任", "副局长", "局长", "副厅长", "厅长", "副部长", "部长",
    "副省长", "省长", "副主席", "主席", "秘书长", "副处长", "处长", "科长", "所长", "站长", "队长",
    "院长", "副院长", "校长", "副校长", "董事长", "总经理", "副总经理", "经理", "总工程师",
    "主委", "委员", "常委", "检察长", "庭长", "法官", "律师", "教授", "研究员", "医生", "主治医师",
    "负责人", "特约记者", "见习记者", "首席记者", "记者", "通讯员", "实习生", "编辑", "摄影记者",
    "网格员", "驻村第一书记", "第一书记", "支部书记",
]

# Posts are written compositionally: [organ words][rank] post (市委|副|书记, 自治区人大常委会|主任,
# 常务副|市长). A leader of a unit is the unit's character + 长 (局长, 校长, 村长); other posts
# are whole words. Longest first at match time.
POST_RANKS = ("常务副", "副", "代理", "代", "第一", "执行", "专职", "名誉", "党组")
LEADER_UNIT_CHARS = "省市县区镇乡村州旗盟局厅处科部所站队院校行社台馆庭署司团组室"
POSTS = (
    "书记", "支书", "主任", "主席", "秘书长", "常委", "委员", "党组成员", "总工程师", "总经济师",
    "总会计师", "总规划师", "总裁", "董事长", "董事", "总经理", "经理", "理事长", "会长", "巡视员",
    "调研员", "督导员", "检察长", "审判长", "主编", "总编辑", "政委", "主委", "负责人",
)
# Organ words an organ written before a post is made of (政法委, 人大常委会, 党支部); with a
# level word in front (市委, 县政府, 自治区党委) they name the organ of the article's division.
LEVEL_WORDS = ("自治区", "自治州", "自治县", "省", "市", "县", "区", "镇", "乡", "村", "州", "旗", "盟")
ORGAN_WORDS = (
    "人民代表大会常务委员会", "人大常委会", "常委会", "人大", "政协", "人民政府", "政府", "党委", "党工委",
    "党组", "党支部", "党总支", "支部", "纪委", "监委", "政法委", "组织部", "宣传部", "统战部", "委员会",
    "管委会", "村委会", "居委会", "两委", "办公室", "办公厅",
)

# Chinese numerals and digits, for quantities and dates.
NUM = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万亿零〇]+)"
MEASURE_WORDS = (
    "万人次|人次|家次|万户|万元|亿元|元|万人|万亩|亩|户|家|件|项|个|名|人|场次|场|次|所|条|部|批|座|"
    "公里|千米|米|吨|台|辆|套|份|篇|期|支|处|起|宗|天|年|倍|%|％"
)
QUANTITY_RE = re.compile(rf"(?:约|近|超|超过|共|达|逾)?{NUM}\s*(?:余|多)?\s*(?:{MEASURE_WORDS})")

# Characters that end a name when extending a span to the left.
FUNCTION_CHARS = set("的在由和与及对将是为了向从把被让经等并或同以于至到给据按使而且也都就又还所其之该这那各每")
PUNCT = set("，。、；：！？“”‘’《》（）()【】「」『』—…·,.;:!?\"' \n\t")


# How the NER was taught AGENCY from ORG (pipelines/ner/convert.py splits MSRA's ORG by
# the head word of the name, following CLUENER's `government` class): a name ending in
# a NON_ORGAN head is an organisation (俱乐部 over 部, 医院 over 院), one ending in an
# ORGAN head a Party or state organ -- armed forces, police, courts, central banks and
# embassies included.
NON_ORGAN_NAME_HEADS = (
    "俱乐部", "编辑部", "总部", "事业部", "门市部", "营业部", "销售部", "本部", "分部",
    "医院", "学院", "研究院", "科学院", "工程院", "设计院", "剧院", "影院", "书院", "戏院",
    "研究所", "事务所", "诊所", "招待所", "交易所",
    "公司", "集团", "银行", "大学", "中学", "小学", "学校", "协会", "学会", "基金会",
    "联合会", "商会", "研究会", "促进会", "组委会", "代表团", "球队", "战队",
)
ORGAN_NAME_HEADS = (
    # government and its departments
    "政府", "委员会", "常委会", "委会", "委", "局", "厅", "部", "办", "办公室", "署",
    "处", "司", "总署", "海关", "派出所", "司法所", "税务所", "工商所", "公安",
    # courts, procuratorates, legislatures, cabinets
    "法院", "检察院", "国务院", "参议院", "众议院", "议院", "立法院", "行政院",
    "监察院", "法庭", "人大", "人民代表大会", "政协", "政治协商会议", "议会", "国会",
    "内阁", "白宫", "杜马", "政府军",
    # the Party's organs
    "党委", "党组", "支部", "中央", "共产党", "中共", "政治局", "书记处", "纪委",
    # armed forces and police
    "军", "部队", "军区", "舰队", "卫队", "武警", "警方", "警察", "军方", "陆战队",
    # embassies, central banks and regulators, organs in general
    "使馆", "领事馆", "领馆", "央行", "人民银行", "储备委员会", "联储", "监会", "机关",
)


def _longest_head(name: str, heads: tuple[str, ...]) -> int:
    return max((len(head) for head in heads if name.endswith(head)), default=0)


def is_organ_name(name: str) -> bool:
    """The name ends in an organ head longer than any non-organ head it ends in
    (人民银行 over 银行, 陆战队 over 战队; 组委会 over 委会)."""
    return _longest_head(name, ORGAN_NAME_HEADS) > _longest_head(name, NON_ORGAN_NAME_HEADS)

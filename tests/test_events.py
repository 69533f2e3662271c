"""Event extraction on small texts run through the real pipeline and linker."""

import pytest

from kg.events import OTHER as OTHER_TYPE, resolve_date


def run(nlp, text, year=2022, doc_date=None):
    """The pipeline on one text, with the document context kg build gives it."""
    doc = nlp.make_doc(text)
    doc._.kg_doc_id, doc._.kg_year, doc._.kg_date = "doc:1", year, doc_date
    return next(nlp.pipe([doc]))


def extract(nlp, text, year=2022, doc_date=None):
    doc = run(nlp, text, year, doc_date)
    name = {e.id: e.name for e in nlp.get_pipe("kg_linker").linker.entities.values()}
    return [(ev.type, ev.trigger, [name[a] for a in ev.agents], ev.object_text, ev.date, ev.quantity, ev)
            for ev in doc._.events]


def test_agent_trigger_object_quantity(nlp):
    events = extract(nlp, "今年，苏州市将创建省级节水型企业60家。")
    assert ("CREATE", "创建", ["苏州市"], "省级节水型企业60家", "2022", "60家") == events[0][:6]


def test_passive_naming_makes_the_subject_the_recipient(nlp):
    (etype, trigger, agents, obj, *_rest, ev), = extract(nlp, "昆山市被命名为第二批“江苏省数字政府建设示范区”。")
    assert (etype, trigger, agents) == ("AWARD", "被命名为", ["昆山市"])
    assert ev.agent_role == "recipient" and "示范区" in obj


def test_subject_carried_to_following_clauses(nlp):
    events = extract(nlp, "今年以来，市生态环境局整合执法力量，有针对性地开展扬尘治理专项行动。")
    launch = [e for e in events if e[1] == "开展"][0]
    assert launch[2] and launch[2][0].endswith("生态环境局") and launch[6].agent_source == "carried"


def test_you_marks_the_organiser_and_dates_resolve_with_the_year(nlp):
    events = extract(nlp, "8月5日，由中共苏州工业园区工委主办的“红色记忆”知识竞赛顺利举行。", year=2021)
    host = [e for e in events if e[1] == "主办"][0]
    assert host[2] == ["苏州工业园区工委"] and host[4] == "2021-08-05" and "知识竞赛" in host[3]


def test_anaphor_resolves_to_latest_company(nlp):
    text = "在江苏恒瑞医药股份有限公司车间内，工人正在生产。该公司自主研发的装置，获得国家发明专利2项。"
    award = [e for e in extract(nlp, text) if e[1] == "获得"][0]
    assert award[2] == ["江苏恒瑞医药股份有限公司"] and award[5] == "2项"


def test_nouns_that_look_like_verbs_open_no_event(nlp):
    assert not [e for e in extract(nlp, "苏州市召开新闻发布会。") if e[1] == "发布"]


@pytest.mark.parametrize("text, expected", [
    ("2021年7月29日召开", ("2021-07-29", "2021年7月29日")),
    ("7月29日召开", ("2022-07-29", "7月29日")),
    ("2021年1月组织开展", ("2021-01", "2021年1月")),
    ("4月份开展的", ("2022-04", "4月份")),
    ("今年上半年", ("2022", "今年")),
    ("去年同期", ("2021", "去年")),
    ("没有日期", (None, None)),
])
def test_resolve_date(text, expected):
    assert resolve_date(text, 2022, None) == expected


def test_month_day_without_year_is_iso_without_year():
    assert resolve_date("7月29日召开", None, None) == ("--07-29", "7月29日")


def test_promote_verb_inside_a_meeting_name_is_no_event(nlp):
    events = extract(nlp, "3月8日，肥西县召开2023年优化营商环境工作推进会。", year=2023)
    assert [(e[1], e[2], e[3]) for e in events] == [("召开", ["肥西县"], "2023年优化营商环境工作推进会")]


def test_headline_lines_rejoined_into_statements():
    from kg.build import headline_statements

    assert headline_statements("今年将创建85家 省级节水型企业") == ["今年将创建85家省级节水型企业"]
    assert headline_statements("发挥优势 提升治理能力 昆山开展“五个一”系列活动") == [
        "发挥优势提升治理能力", "昆山开展“五个一”系列活动"]


def test_nominal_verbs_and_empty_objects_open_no_event(nlp):
    events = extract(nlp, "苏州市加大环境违法案件的查处力度，检查结果全部公示，开展这项活动。")
    assert [(e[1], e[3]) for e in events] == [("加大", "环境违法案件的查处力度")]


def test_entities_carry_their_canonical_id_and_events_point_to_it(nlp):
    doc = run(nlp, "今年，苏州市生态环境局开展扬尘治理专项行动。")
    linked = {ent.text: ent.kb_id_ for ent in doc.ents}
    assert linked["苏州市生态环境局"].startswith("agency:")
    launch = next(ev for ev in doc._.events if ev.trigger == "开展")
    assert launch.agents == [linked["苏州市生态环境局"]] and launch.doc == "doc:1"


def test_home_place_fills_the_level_prefix(nlp):
    doc = run(nlp, "青禾县位于苏州市。苏州市召开大会。市生态环境局开展专项行动。")
    bureau = next(ent for ent in doc.ents if ent.text == "市生态环境局")
    assert nlp.get_pipe("kg_linker").linker.entities[bureau.kb_id_].name == "苏州市生态环境局"


# ---------------------------------------------------------------- the genre's frames (issue 15)
def triples(events):
    return [(e[1], e[2], e[3]) for e in events]


def test_chair_of_a_meeting_is_its_agent_not_the_organs_of_the_title(nlp):
    events = extract(nlp, "3月5日，县委常委、副县长周明远主持召开县政府专题会，传达学习全省防汛工作部署要求。")
    hold = next(e for e in events if e[0] == "HOLD")
    assert hold[1] == "主持召开" and hold[2] == ["周明远"] and hold[3].endswith("专题会")
    convey = next(e for e in events if e[1].startswith("传达"))
    assert convey[0] == "SPEECH" and convey[2] == ["周明远"]


def test_speech_is_one_event_whose_object_is_what_was_said(nlp):
    events = extract(nlp, "周明远强调，要加强防汛工作，开展隐患排查。")
    assert triples(events) == [("强调", ["周明远"], "要加强防汛工作，开展隐患排查")]


def test_modal_frames_open_no_event_but_plans_do(nlp):
    assert extract(nlp, "苏州市要加强防汛工作，开展隐患排查。") == []
    assert extract(nlp, "要稳定粮食生产，组织好春耕备耕工作。") == []
    assert [e[1] for e in extract(nlp, "苏州市将开展防汛演练。")] == ["开展"]
    # 计划/拟/预计/届时: planned or expected, not a plan of the year told as one (将)
    assert extract(nlp, "青禾县计划年内建成5个示范村，开工建设农村公路120公里。") == []
    assert extract(nlp, "白沙镇拟新建污水处理厂1座。") == []
    assert [e[1] for e in extract(nlp, "白沙镇按计划完成污水处理厂建设。")] == ["完成"]


def test_purpose_and_frame_clauses_open_no_event(nlp):
    events = extract(nlp, "为加强食品安全监管，苏州市卫生健康委员会开展专项检查。")
    assert [e[1] for e in events] == ["开展"]
    events = extract(nlp, "苏州市卫生健康委员会以这次督查为契机，深化综合执法改革。")
    assert [e[1] for e in events] == ["深化"]


def test_a_verb_closing_the_clause_is_the_head_of_the_object(nlp):
    events = extract(nlp, "苏州市应急管理局全面开展汛前安全隐患排查。")
    assert [(e[1], e[3]) for e in events] == [("开展", "汛前安全隐患排查")]


def test_a_quoted_title_is_one_object(nlp):
    events = extract(nlp, "苏州市在上海市举行“携手同行 共创未来——2023年文旅洽谈会暨项目签约活动”。")
    assert [(e[1], e[2]) for e in events] == [("举行", ["苏州市"])] and "签约活动" in events[0][3]


def test_doubled_locative_is_no_verb(nlp):
    events = extract(nlp, "活动期间线上线下累计签署合作协议20份。")
    assert [(e[1], e[5]) for e in events] == [("签署", "20份")]


def test_meeting_as_subject_is_its_holder(nlp):
    events = extract(nlp, "苏州市水务局召开防汛调度会。会上听取了各区关于汛期准备情况的汇报。")
    holder = next(e for e in events if e[1] == "召开")[2]
    review = next(e for e in events if e[1] == "听取")
    assert holder and review[2] == holder and review[6].agent_source == "meeting"


def test_officials_listed_across_commas_join_the_verb_after_them(nlp):
    events = extract(nlp, "副市长李春阳，市妇联主席王海燕，市委副秘书长赵立群参加了座谈。")
    assert triples(events) == [("参加", ["李春阳", "王海燕", "赵立群"], "座谈")]


def test_home_place_for_our_city(nlp):
    events = extract(nlp, "近日，苏州市召开就业工作会议。今年以来，全市共发放稳岗补贴2亿元。")
    grant = next(e for e in events if e[1] == "发放")
    assert grant[2] == ["苏州市"] and grant[5] == "2亿元"


def test_passive_award_takes_the_count_of_its_subject(nlp):
    events = extract(nlp, "苏州市、无锡市等5个城市被评为全国绿化模范城市。")
    assert [(e[1], e[2], e[5]) for e in events] == [("被评为", ["苏州市", "无锡市"], "5个")]


def test_official_notice_is_issued_by_its_signature(nlp):
    text = "《苏州市节水管理办法》经市政府研究同意，现印发给各单位，请认真执行。\n苏州市水务局\n2023年3月2日"
    events = extract(nlp, text)
    issue = next(e for e in events if e[1] == "印发")
    assert issue[2] == ["苏州市水务局"] and issue[3] == "《苏州市节水管理办法》" and issue[4] == "2023-03-02"
    approve = next(e for e in events if e[0] == "APPROVE")
    assert approve[2][0].endswith("市政府") and approve[3] == "《苏州市节水管理办法》"


def test_a_copula_description_is_no_event(nlp):
    assert extract(nlp, "明年是加快建成示范区的关键一年。") == []


def test_object_with_a_relative_clause_is_kept_whole(nlp):
    events = extract(nlp, "周明远传达了省长李春阳出席座谈会时的重要指示要求。")
    convey = next(e for e in events if e[1] == "传达")
    assert convey[2] == ["周明远"] and convey[3].endswith("时的重要指示要求")
    attend = next(e for e in events if e[1] == "出席")
    assert attend[2] == ["李春阳"]


def test_a_meeting_held_as_subject_is_the_object(nlp):
    events = extract(nlp, "近日，“2023长三角数字乡村建设座谈会”在苏州市召开。")
    assert [e[1] for e in events] == ["召开"] and events[0][3].endswith("座谈会")


def test_a_speech_without_object_takes_its_occasion(nlp):
    events = extract(nlp, "市委书记周明远在开幕式上致辞。")
    assert triples(events) == [("致辞", ["周明远"], "开幕式")]


def test_the_leader_before_lv_is_the_agent(nlp):
    events = extract(nlp, "周明远率部分企业家来苏州市开展考察活动。")
    assert triples(events) == [("率", ["周明远"], "部分企业家"), ("开展", ["周明远"], "考察活动")]
    # the group led is the object of LEAD, up to where it goes, and never the agent of what follows
    events = extract(nlp, "5月9日，市委副书记、市长李建峰率白河市经贸代表团赴东海市开展产业协作洽谈活动。")
    assert [(e[0],) + t for e, t in zip(events, triples(events))] == [
        ("LEAD", "率", ["李建峰"], "白河市经贸代表团"), ("LAUNCH", "开展", ["李建峰"], "产业协作洽谈活动")]


def test_serial_verbs_of_a_clause_share_its_subject_and_this_town_is_the_town_named(nlp):
    text = "江苏省苏州市吴中区临湖镇捧回“全国美丽乡镇”奖牌。该镇此前曾于2019年荣获“省级卫生镇”称号和2021年荣获“全国生态镇”称号。"
    awards = [e for e in extract(nlp, text) if e[1] == "荣获"]
    assert len(awards) == 2 and all(e[2] == ["临湖镇"] for e in awards)
    assert [e[4] for e in awards] == ["2019", "2021"]


def test_a_measure_word_or_an_adjective_before_a_verb_makes_it_a_modifier(nlp):
    events = extract(nlp, "苏州市共签订12个投资类项目。")
    assert [(e[1], e[5]) for e in events] == [("签订", "12个")]
    events = extract(nlp, "周明远调研中指出，今年经济运行平稳。")
    assert [(e[1], e[2]) for e in events] == [("指出", ["周明远"])]


def test_he_is_the_person_named_last(nlp):
    events = extract(nlp, "周明远察看了项目现场。他还表示，将加快项目建设。")
    assert [(e[1], e[2]) for e in events] == [("察看", ["周明远"]), ("表示", ["周明远"])]


def test_tagged_verbs_with_a_named_subject_are_events_of_type_other():
    """With POS tags (kg_syntax), a verb outside the taxonomy still opens an event."""
    from kg.events import EventExtractor, Mention

    text = "周明远走访了企业。周明远走进车间。"
    words = [(0, 3, "nr"), (3, 5, "v"), (5, 6, "u"), (6, 8, "n"), (8, 9, "w"),
             (9, 12, "nr"), (12, 14, "v"), (14, 16, "n"), (16, 17, "w")]
    mentions = [Mention(0, 3, "PERSON", "person:1", "周明远"), Mention(9, 12, "PERSON", "person:1", "周明远")]
    tags = {start: (end, tag) for start, end, tag in words}
    bounds = {start for start, _, _ in words} | {end for _, end, _ in words}
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}, word_bounds=bounds, tags=tags).extract()
    assert [(e.type, e.trigger, e.agents, e.object_text) for e in events] == [
        ("VISIT", "走访", ["person:1"], "企业"), ("OTHER", "走进", ["person:1"], "车间")]


def test_a_verbal_noun_opens_no_event_when_tagged():
    from kg.events import EventExtractor, Mention

    text = "苏州市举办发布会。"
    words = [(0, 3, "ns"), (3, 5, "v"), (5, 8, "n"), (8, 9, "w")]
    tags = {start: (end, tag) for start, end, tag in words}
    mentions = [Mention(0, 3, "PLACE", "place:1", "苏州市")]
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}, tags=tags).extract()
    assert [e.trigger for e in events] == ["举办"]
    tags[3] = (5, "vn")
    assert EventExtractor("doc:1", text, mentions, 2024, None, {}, tags=tags).extract() == []


def test_a_verb_tagged_as_noun_before_another_verb_is_a_serial_verb():
    from kg.events import EventExtractor, Mention

    text = "苏州市研究部署防汛工作。"
    words = [(0, 3, "ns"), (3, 5, "vn"), (5, 7, "v"), (7, 9, "n"), (9, 11, "n"), (11, 12, "w")]
    tags = {start: (end, tag) for start, end, tag in words}
    mentions = [Mention(0, 3, "PLACE", "place:1", "苏州市")]
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}, tags=tags).extract()
    assert [(e.trigger, e.type, e.object_text) for e in events] == [("研究部署", "LAUNCH", "防汛工作")]


def test_the_meeting_ends_the_object_of_hold_and_a_venue_does_not_act(nlp):
    events = extract(nlp, "苏州市水务局召开协调会议分解任务。")
    assert triples(events)[0] == ("召开", ["苏州市水务局"], "协调会议")
    events = extract(nlp, "近日，苏州市科学技术协会第九届理事会第二次全体会议在苏州市民中心召开。")
    assert [e[1] for e in events] == ["召开"] and events[0][3].endswith("第二次全体会议")
    assert not any("中心" in name for name in events[0][2])


def test_what_the_reporter_saw_and_a_nameless_subject_carry_no_agent_so_open_no_event(nlp):
    events = extract(nlp, "苏州市开展冬季施工检查。记者在工地看到，工人们搭起暖棚，加强混凝土养护。")
    assert [(e[1], e[2]) for e in events] == [("开展", ["苏州市"])]
    events = extract(nlp, "苏州市吴中区临湖镇捧回奖牌。这块奖牌的取得，明显提升了临湖镇的对外形象。")
    assert [(e[1], e[2]) for e in events] == [("捧回", ["临湖镇"])]


def test_a_verb_describing_a_noun_among_which_opens_no_event(nlp):
    assert extract(nlp, "竣工项目中民生类项目居多。") == []


def test_extraction_time_grows_linearly_with_the_text():
    """Every step looks at its clause and sentence only: 8x the text, about 8x the time."""
    import time

    from kg.events import EventExtractor, Mention

    sentence = "周明远主持召开常委会议，传达学习全省会议精神，研究部署重点工作。"
    def run(copies):
        text = "\n".join([sentence] * copies)
        mentions = [Mention(i * (len(sentence) + 1), i * (len(sentence) + 1) + 3, "PERSON", "person:1", "周明远")
                    for i in range(copies)]
        started = time.perf_counter()
        events = EventExtractor("doc:1", text, mentions, 2024, None, {}).extract()
        return time.perf_counter() - started, events

    small, events = run(250)
    large, _ = run(2000)
    assert len(events) == 3  # the repeated facts are one event each
    assert large < 8 * small * 3, (small, large)


def test_meeting_people_is_a_meet_event_whose_object_is_who_was_met(nlp):
    events = extract(nlp, "5月12日，市委书记赵明远会见了来访的宁州市委副书记、市长钱立新一行。")
    meet = next(e for e in events if e[1] == "会见")
    assert meet[0] == "MEET" and meet[2] == ["赵明远"] and "钱立新一行" in meet[3]
    # X与Y举行会谈: the meeting verb is the event, Y is who was met, X the agent.
    (etype, trigger, agents, obj, *_rest), = extract(nlp, "县长孙海波与省农业发展集团董事长周启航举行会谈。")
    assert (etype, trigger, agents) == ("MEET", "会谈", ["孙海波"]) and obj.endswith("周启航")


def test_the_place_of_an_inspection_is_its_object_and_not_its_agent(nlp):
    events = extract(nlp, "昨天下午，县委书记王明在青溪镇和白沙镇调研。")
    assert triples(events) == [("调研", ["王明"], "青溪镇和白沙镇")]
    events = extract(nlp, "7月8日，副市长陈东前往云溪县和白沙区调研。")
    inspect = next(e for e in events if e[1] == "调研")
    assert inspect[2] == ["陈东"] and inspect[3] == "云溪县和白沙区"
    assert len(inspect[6].objects) == 2 and inspect[6].locations == inspect[6].objects


def test_what_is_surveyed_is_a_whole_verb_phrase(nlp):
    events = extract(nlp, "副县长李文昌前往青石镇调研持续推进美丽庭院建设情况。")
    inspect = next(e for e in events if e[1] == "调研")
    assert inspect[2] == ["李文昌"] and inspect[3] == "持续推进美丽庭院建设情况"


def test_the_venue_gone_to_is_where_the_visit_is_and_walking_in_is_one_verb(nlp):
    doc = run(nlp, "市委副书记周汉林来到市科技馆，参观“创新之路”主题展。周汉林走进示范基地，了解种植情况。")
    name = {e.id: e.name for e in nlp.get_pipe("kg_linker").linker.entities.values()}
    visit = next(ev for ev in doc._.events if ev.trigger == "参观")
    assert visit.type == "INSPECT" and "主题展" in visit.object_text and [name[a] for a in visit.agents] == ["周汉林"]
    walk = next(ev for ev in doc._.events if ev.trigger.startswith("走"))
    assert walk.trigger == "走进" and walk.object_text == "示范基地"


def test_a_verb_naming_a_speech_is_inside_the_object_and_opens_no_event(nlp):
    text = ("9月22日上午，市长温海主持召开市政府党组会议，深入学习总书记在湖州考察时的重要讲话精神，"
            "研究部署县政府贯彻执行工作。")
    assert triples(extract(nlp, text)) == [("主持召开", ["温海"], "市政府党组会议"),
                                           ("学习", ["温海"], "总书记在湖州考察时的重要讲话精神"),
                                           ("研究部署", ["温海"], "县政府贯彻执行工作")]
    text = "4月6日，县长李建明主持召开县政府常务会议，认真传达学习总书记视察青州重要讲话精神。"
    assert triples(extract(nlp, text))[1:] == [("传达学习", ["李建明"], "总书记视察青州重要讲话精神")]


def test_an_object_is_never_cut_inside_a_quoted_title(nlp):
    text = ("10月7日，市委书记王立新来到市展览馆，分别参观“牢记使命 砥砺前行——青州建设发展七十年成就展”、"
            "“绿水青山 美丽家园——青州生态保护治理成果展”主题展。")
    visit = next(e for e in extract(nlp, text) if e[1] == "参观")
    assert visit[2] == ["王立新"] and visit[3].endswith("成果展”主题展")


def test_officials_joining_take_the_activity_reported_last(nlp):
    events = extract(nlp, "昨天下午，县委书记王明在青溪镇调研。县领导张一鸣、刘春华参加。")
    attend = next(e for e in events if e[1] == "参加")
    assert attend[2] == ["张一鸣", "刘春华"] and attend[3] == "调研青溪镇"
    events = extract(nlp, "县委常委、宣传部部长王丽华，副县长赵海东，县政协副主席孙建国参加调研。")
    assert triples(events) == [("参加", ["王丽华", "赵海东", "孙建国"], "调研")]


def test_a_speech_at_the_meeting_takes_the_meeting_held(nlp):
    events = extract(nlp, "11月8日，我市召开民营企业家座谈会。市长刘文博在会上讲话，副市长陈晓峰主持座谈会。")
    speech = next(e for e in events if e[1] == "讲话")
    assert speech[2] == ["刘文博"] and speech[3] == "民营企业家座谈会"


def test_thanks_addressed_to_a_party_on_behalf_of_others(nlp):
    events = extract(nlp, "李文华代表青州市委、市政府对东海市长期以来的无私帮助表示衷心感谢。")
    thanks = next(e for e in events if e[1].startswith("表示"))
    assert thanks[1] == "表示感谢" and thanks[2] == ["李文华"] and thanks[3].startswith("东海市")


def test_talking_with_people_is_a_meeting_whose_object_is_the_topic(nlp):
    events = extract(nlp, "在白石村，王立新与村民代表认真交流种植心得，仔细询问今年的收成。")
    assert triples(events)[0] == ("交流", ["王立新"], "种植心得") and events[0][0] == "MEET"


def test_what_a_dummy_verb_treats_is_the_object_of_the_verb_after_it(nlp):
    events = extract(nlp, "县委常委会召开会议。会议还对全县开展安全生产隐患大排查行动作出部署。")
    deploy = next(e for e in events if e[1] == "部署")
    assert deploy[2] == ["县委常委会"] and deploy[3] == "全县开展安全生产隐患大排查行动"
    assert not [e for e in events if e[1] == "开展"]
    assert triples(extract(nlp, "市政府对下一阶段防汛工作作出部署。")) == [("部署", ["市政府"], "下一阶段防汛工作")]
    events = extract(nlp, "王立新、李文华就加强文旅协作进行了坦诚交流。")
    assert triples(events) == [("交流", ["王立新", "李文华"], "加强文旅协作")]


def test_a_decision_takes_the_clause_after_it_and_added_places_are_a_result(nlp):
    events = extract(nlp, "近日，青州市委、市政府决定，授予白沙镇等12个镇“青州市文明镇”荣誉称号。")
    decide = next(e for e in events if e[1] == "决定")
    assert decide[0] == "APPROVE" and decide[2] == ["青州市委", "青州市政府"] and decide[3].startswith("授予白沙镇")
    assert any(e[1] == "授予" and e[2] == decide[2] for e in events)
    added = next(e for e in extract(nlp, "今年，全市新建幼儿园8所，新增学位2300个。") if e[1] == "新增")
    assert added[0] == "ACHIEVE" and added[3] == "学位2300个" and added[5] == "2300个"


def test_a_speech_named_by_the_occasion_it_was_given_at_is_kept_whole(nlp):
    text = "3月2日下午，青州市委常委会召开会议，传达学习省委书记出席全省工作会议时的重要讲话精神。"
    convey = next(e for e in extract(nlp, text) if e[1].startswith("传达"))
    assert convey[3] == "省委书记出席全省工作会议时的重要讲话精神"


def test_an_official_going_somewhere_is_the_subject_of_the_visit_after_it(nlp):
    events = extract(nlp, "副市长陈晓峰一行深入青石镇，慰问坚守在防汛一线的干部群众。区领导李文昌参加活动。")
    assert triples(events) == [("慰问", ["陈晓峰"], "坚守在防汛一线的干部群众"),
                               ("参加", ["李文昌"], "慰问坚守在防汛一线的干部群众")]
    assert [name for name in events[0][6].locations] and events[0][0] == "VISIT"


def test_a_meeting_with_a_partner_and_a_speech_given_while_meeting(nlp):
    events = extract(nlp, "5月20日，市长李建峰与东海集团总裁孙浩举行工作会谈。")
    assert [e[:4] for e in events] == [("MEET", "会谈", ["李建峰"], "东海集团总裁孙浩")]
    events = extract(nlp, "省长周立新会见孙浩时表示，欢迎企业来青州投资。")
    assert triples(events)[0] == ("会见", ["周立新"], "孙浩")
    assert triples(events)[1][:2] == ("表示", ["周立新"])


def test_the_verb_after_the_place_gone_to_is_what_is_done_there(nlp):
    events = extract(nlp, "4月8日，县委书记王海波深入白沙镇、青石乡调研农业生产工作。")
    inspect = next(e for e in events if e[1] == "调研")
    assert inspect[2] == ["王海波"] and inspect[3] == "农业生产工作" and len(inspect[6].locations) == 2
    events = extract(nlp, "市委书记赵明远前往东海集团考察，详细了解企业生产经营情况。")
    assert ("考察", ["赵明远"], "东海集团") in triples(events)


def test_a_verb_in_a_relative_clause_is_part_of_the_object(nlp):
    events = extract(nlp, "市委书记赵明远会见了来青州考察的东海集团董事长孙浩一行。")
    assert triples(events) == [("会见", ["赵明远"], "来青州考察的东海集团董事长孙浩一行")]


def test_a_headline_restating_the_body_is_folded_into_the_body_event(nlp):
    text = ("县政府召开会议\n研究部署秋季防火工作\n\n"
            "本报讯 9月3日，县长吴家明主持召开县政府常务会议，研究部署秋季防火工作。")
    events = extract(nlp, text)
    held = [e for e in events if e[0] == "HOLD"]
    assert len(held) == 1 and held[0][1] == "主持召开" and held[0][2] == ["吴家明"]
    assert len([e for e in events if e[1] == "研究部署"]) == 1


def test_the_headline_lends_its_agent_to_a_body_event_with_none(nlp):
    text = ("青禾县政府办公室关于印发《青禾县冬季供暖保障方案》的通知\n\n"
            "各乡镇人民政府：\n《青禾县冬季供暖保障方案》已经县人民政府同意，现印发给你们，请认真执行。")
    issued = [e for e in extract(nlp, text) if e[0] == "ISSUE"]
    assert len(issued) == 1 and issued[0][2] == ["青禾县政府办公室"] and "的通知" not in issued[0][3]


def test_what_comes_next_and_will_keep_doing_are_intentions_not_events(nlp):
    text = "下一步，青禾县水利局将持续加强田间巡查，完善病虫害预警机制。"
    assert extract(nlp, text) == []
    assert extract(nlp, "青禾县水利局将继续加强田间巡查。") == []
    assert [e[1] for e in extract(nlp, "青禾县水利局将开展田间巡查。")] == ["开展"]
    assert [e[1] for e in extract(nlp, "10月，青禾县水利局加强田间巡查。")] == ["加强"]


def test_a_verb_before_de_describes_a_noun_and_opens_no_event(nlp):
    text = "这是青禾镇继去年之后获得的又一项省级荣誉。"
    assert not [e for e in extract(nlp, text) if e[1] == "获得"]
    assert [e[1] for e in extract(nlp, "青禾镇获得省级生态乡镇称号。")] == ["获得"]


def test_two_verbs_of_one_predicate_stay_together(nlp):
    text = "昨日下午，县委书记吴家明主持召开县委常委会议，传达学习省人代会精神。"
    spoken = [e for e in extract(nlp, text) if e[0] == "SPEECH"]
    assert [(e[1], e[3]) for e in spoken] == [("传达学习", "省人代会精神")]
    chosen = [e for e in extract(nlp, "青禾县委全会遴选产生了8名出席市党代会代表预备人选。") if e[0] == "APPOINT"]
    assert chosen and chosen[0][1] == "遴选产生" and not chosen[0][3].startswith(("产生", "了"))


def test_a_later_paragraph_restating_the_lead_adds_no_event(nlp):
    text = ("5月6日，青禾县人民政府召开全县防汛工作会议，部署青禾县第三季度防汛重点工作。\n"
            "会上，青禾县人民政府部署了全县第三季度防汛重点工作；")
    deployed = [e for e in extract(nlp, text) if e[1] == "部署"]
    assert len(deployed) == 1, deployed
    text = ("青禾县人民政府部署第三季度防汛重点工作。\n青禾县人民政府部署第四季度森林防火工作。")
    assert len([e for e in extract(nlp, text) if e[1] == "部署"]) == 2


def test_a_unit_named_elsewhere_written_right_after_its_organ_acts_and_is_what_this_bureau_means():
    """The recogniser may keep only 市税务局 of 市税务局湖滨分局; the unit, named in the title,
    is still the actor, and 该局 after it is the unit."""
    from kg.events import EventExtractor, Mention

    text = "湖滨分局护航市场\n市税务局湖滨分局开展节前检查。该局召开专题会议。"
    mentions = [Mention(0, 4, "AGENCY", "agency:unit", "湖滨分局"),
                Mention(9, 13, "AGENCY", "agency:city", "市税务局")]
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}).extract()
    assert [(e.trigger, e.agents) for e in events if e.offset > 8] == [
        ("开展", ["agency:unit"]), ("召开", ["agency:unit"])]


def test_an_organisation_found_once_acts_wherever_its_name_is_written_again():
    from kg.events import EventExtractor, Mention

    text = "记者从县水务局获悉。今年以来，县水务局组织各乡镇开展河道清理。"
    mentions = [Mention(3, 7, "AGENCY", "agency:water", "青禾县水务局")]
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}).extract()
    organised = [e for e in events if e.trigger == "组织"]
    assert organised and organised[0].agents == ["agency:water"] and organised[0].agent_source == "explicit"


def test_a_verb_without_object_before_a_noun_describes_it(nlp):
    assert not [e for e in extract(nlp, "青禾县今年签约项目50个。其中，开工项目36个，总投资30亿元。") if e[0] == "BUILD"]
    assert [e[1] for e in extract(nlp, "6月1日，青禾县开工了3个产业园项目。") if e[0] == "BUILD"] == ["开工"]


def test_a_second_verb_before_a_head_noun_of_tasks_modifies_it(nlp):
    events = extract(nlp, "今年以来，青禾县市场监督管理局已整合检查任务8项，开展联合检查12次。")
    assert [(e[1], e[3]) for e in events][:1] == [("整合", "检查任务8项")]


def test_after_what_the_reporter_saw_a_doer_with_no_name_opens_no_event(nlp):
    text = ("青禾县交通运输局抓紧推进冬季施工。记者在工地看到，搅拌站搭建保温棚，加强骨料的温度控制。"
            "青禾县交通运输局还完善了应急预案。")
    triggers = [(e[1], e[2]) for e in extract(nlp, text)]
    assert not [t for t in triggers if t[0] == "加强"]
    assert [t for t in triggers if t[0] == "完善" and t[1]]


def test_an_object_stops_before_the_date_of_the_next_conjunct(nlp):
    text = "青禾镇先后于2019年5月荣获“省级卫生镇”称号和2021年3月荣获“省级文明镇”称号。"
    awards = [e for e in extract(nlp, text) if e[0] == "AWARD"]
    assert awards and awards[0][3] == "“省级卫生镇”称号"


def test_an_act_told_twice_with_two_verbs_of_its_type_is_one_event_with_the_fuller_object(nlp):
    text = ("县委书记周立新传达了县长吴家明参加湖滨镇代表团审议《县人大常委会工作报告》时发表的讲话精神。"
            "会议期间，县长吴家明出席了湖滨镇代表团的讨论。")
    attended = [e for e in extract(nlp, text) if e[0] == "ATTEND"]
    assert [(e[1], e[2], e[3]) for e in attended] == [("出席", ["吴家明"], "湖滨镇代表团的讨论")]
    text = "县长吴家明参加湖滨镇植树活动。县长吴家明出席青禾镇代表团的讨论。"
    assert len([e for e in extract(nlp, text) if e[0] == "ATTEND"]) == 2


def test_the_members_of_a_led_group_act_with_their_leader(nlp):
    text = ("9月2日，县人大常委会主任吴家明率县人大代表来湖滨镇开展视察活动。"
            "代表们先后察看了湖滨镇污水处理厂、湖滨镇敬老院。")
    seen = [e for e in extract(nlp, text) if e[1] == "察看"]
    assert seen and seen[0][2] == ["吴家明"]
    text = "9月2日，县人大常委会主任吴家明来湖滨镇开展视察活动。代表们先后察看了湖滨镇污水处理厂。"
    assert not [e for e in extract(nlp, text) if e[1] == "察看" and e[2] == ["吴家明"] and e[6].agent_source == "anaphor"]


def test_wishes_and_exhortations_open_no_event(nlp):
    text = "会上，青禾市市长陈立明希望双方加强合作，推动产业项目落地。陈立明希望青禾市商务局进一步推动外贸发展。"
    assert not [e for e in extract(nlp, text) if e[1] in ("希望", "加强", "推动")]
    done = extract(nlp, "柳川县县长周海波欢迎客商来柳川投资。柳川县商务局推动外贸发展。")
    assert [e[:3] for e in done] == [("PROMOTE", "推动", ["柳川县商务局"])]


def test_a_higher_body_inside_a_support_frame_is_never_the_agent(nlp):
    text = "柳川县召开乡村振兴工作会议。在省委的坚强领导下，全面开展乡村振兴专项行动。"
    launch, = [e for e in extract(nlp, text) if e[1] == "开展"]
    assert launch[2] == ["柳川县"]
    ordered, = [e for e in extract(nlp, "按照市委部署要求，柳川县人民政府扎实开展营商环境专项整治。") if e[1] == "开展"]
    assert ordered[2] == ["柳川县人民政府"]


def test_a_verb_ending_a_noun_compound_opens_no_event(nlp):
    trip = extract(nlp, "青禾市代表团开启合作交流之旅。")
    assert not [e for e in trip if e[1] == "交流"] and any("交流之旅" in (e[3] or "") for e in trip)
    listed = extract(nlp, "青禾市文明办公布创建名单，组织开展创建评审。")
    assert not [e for e in listed if "创建" in e[1]]
    assert [e[:4] for e in listed if e[1] == "公布"] == [("ISSUE", "公布", ["青禾市文明办"], "创建名单")]
    guided = extract(nlp, "柳川县总工会指导各级群团组织开展志愿服务活动。")
    assert [e[1] for e in guided if e[0] == "LAUNCH"] == ["开展"]
    assert [e[3] for e in extract(nlp, "柳川县开展安全生产检查活动。")] == ["安全生产检查活动"]


def test_a_plain_object_head_keeps_the_verb_after_a_nameless_subject(nlp):
    events = extract(nlp, "柳川县住建局选择10条道路开展工程改造试点。")
    assert [e[3] for e in events if e[1] == "开展"] == ["工程改造试点"]
    built = extract(nlp, "柳川县住建局加快建立机制。")
    assert [(e[0], e[3]) for e in built] == [("CREATE", "机制")]
    assert [e[1:4] for e in extract(nlp, "柳川县住建局开展交流活动。")] == [("开展", ["柳川县住房和城乡建设局"], "交流活动")]


def test_a_head_noun_after_a_topic_noun_is_still_the_object(nlp):
    events = extract(nlp, "柳川县生态环境局开展专项检查，对发现的问题建立清单。")
    assert [e[3] for e in events if e[1] == "建立"] == ["清单"]


def test_a_backer_opening_the_article_is_not_its_actor(nlp):
    events = extract(nlp, "在省委的坚强领导下，全县上下举办招商推介会。")
    assert [e[2] for e in events if e[1] == "举办"] == [[]]


def test_a_new_named_subject_after_a_wish_states_a_fact(nlp):
    events = extract(nlp, "陈立明希望双方加强合作，推动项目落地，柳川县商务局签署了合作协议。")
    assert [e[:3] for e in events] == [("SIGN", "签署", ["柳川县商务局"])]


def test_efforts_and_results_need_a_doer_named_in_their_own_sentence(nlp):
    text = ("青禾县水利局大力推进高标准农田建设，完成改造面积1.2万亩。"
            "加快发展设施农业，提升农产品质量，实现种植效益稳步增长。"
            "到2027年，全县农田灌溉水利用系数将达到0.6，推动农业全面升级。"
            "此外，抽检农资产品215批次，完成土壤检测3000个。")
    events = extract(nlp, text)
    promote = [(e[1], e[2]) for e in events if e[0] == "PROMOTE"]
    achieve = [(e[1], e[2], e[3]) for e in events if e[0] == "ACHIEVE"]
    assert promote == [("推进", ["青禾县水利局"])]
    # 实现 carried from the sentence before, 达到 after 到2027年: none; 完成 with an amount: a fact
    assert [a[:2] for a in achieve] == [("完成", ["青禾县水利局"]), ("完成", [])]
    assert "3000个" in achieve[1][2]


def test_the_default_actor_is_no_doer_and_acts_by_no_one_are_dropped(nlp):
    text = ("青禾县召开全县冬季安全生产工作会议。\n"
            "组织开展应急疏散演练，开展多轮隐患专项排查。\n"
            "白沙县县长林海会见了青禾县县长周明一行，双方就深化旅游合作进行了会谈。")
    events = extract(nlp, text)
    # a paragraph naming nobody: no 组织开展 by the article's county, the counted campaign stays agentless
    assert not [e for e in events if e[1] == "组织开展"]
    assert [(e[1], e[2]) for e in events if e[0] == "LAUNCH"] == [("开展", [])]
    talk = [e for e in events if e[1] == "会谈"]
    assert talk and talk[0][2] == ["林海", "周明"]


def test_a_subject_named_before_a_frame_acts_after_it(nlp):
    events = extract(nlp, "青禾县召开食品安全工作会议。\n近日，青禾县市场监督管理局以这次检查为契机，对辖区商户开展食品安全培训。")
    assert [(e[1], e[2]) for e in events if e[1] == "开展"] == [("开展", ["青禾县市场监督管理局"])]


def test_what_an_act_is_for_and_what_is_wished_are_no_efforts_of_their_own(nlp):
    events = extract(nlp, "青禾县水利局召开防汛工作会议，推动防汛责任层层落实。")
    assert [e[0] for e in events] == ["HOLD"]


def test_what_is_wished_after_a_clause_of_names_opens_no_event(nlp):
    events = extract(nlp, "县长林海希望周明书记一行在白沙镇期间，多走走，多看看，推动两地经济合作。")
    assert not [e for e in events if e[0] in ("PROMOTE", "SUPPORT")]


def test_an_official_surveying_on_site_is_the_one_who_went_there(nlp):
    events = extract(nlp, "县委书记周明先后来到白沙镇、红星村，实地调研农村供水工作。")
    survey = [e for e in events if e[1] == "调研"]
    assert survey and survey[0][2] == ["周明"] and "农村供水" in survey[0][3]


def test_a_chair_named_by_you_and_a_speech_made_with_a_light_verb(nlp):
    events = extract(nlp, "青禾县召开县委常委会议。会议由县委书记张建国主持。县长李红梅作了重要讲话。")
    assert ("HOLD", "主持", ["张建国"], "县委常委会议") in [e[:4] for e in events]
    assert ("SPEECH", "讲话", ["李红梅"], "") in [e[:4] for e in events]  # nothing said, no 在X上


def test_a_bare_chair_belongs_to_the_event_reported_a_bare_speech_to_none_and_an_announced_start_is_the_event(nlp):
    events = extract(nlp, "青禾县举行旅游节开幕式。县长李红梅讲话，副县长王志刚主持。")
    assert ("SPEECH", "讲话", ["李红梅"], "") in [e[:4] for e in events]
    assert ("HOLD", "主持", ["王志刚"], "旅游节开幕式") in [e[:4] for e in events]
    launch = [e for e in extract(nlp, "县长李红梅宣布白沙镇防汛应急演练正式启动。") if e[0] == "LAUNCH"]
    assert launch and launch[0][1] == "宣布启动" and launch[0][2] == ["李红梅"] and "防汛应急演练" in launch[0][3]


def test_a_verb_describing_the_people_after_de_opens_no_event(nlp):
    events = extract(nlp, "青禾县举行旅游推介会，县长李红梅邀请出席推介会的嘉宾品尝特色美食。"
                          "青禾县政府为参加活动的代表准备了资料。")
    assert not [e for e in events if e[0] == "ATTEND"]
    assert [e[:4] for e in extract(nlp, "县长李红梅出席会议。")] == [("ATTEND", "出席", ["李红梅"], "会议")]


def test_a_time_frame_and_organisations_as_a_noun_open_no_event(nlp):
    events = extract(nlp, "白沙县县长李红梅会见了张建国一行。双方自建立旅游合作机制以来，往来日益密切。")
    assert not [e for e in events if e[1] == "建立"]
    events = extract(nlp, "会议充分肯定县人大常委会、县政府、有关群团组织2025年工作。")
    assert not [e for e in events if e[0] == "ORGANIZE"]


def test_a_speech_verb_before_the_comma_introduces_what_was_said(nlp):
    events = extract(nlp, "青禾县召开防汛工作会议。会议要求，各乡镇要做好防汛准备工作。")
    speech = [e for e in events if e[0] == "SPEECH"]
    assert speech and speech[0][1:3] == ("要求", ["青禾县"]) and "防汛准备" in speech[0][3]


def test_sentences_after_a_speech_tell_what_was_said_until_a_subject_is_named(nlp):
    events = extract(nlp, "县委书记张建国强调，要抓好防汛工作。加快水库除险加固，搭建智慧防汛平台。"
                          "随后，张建国主持召开座谈会。\n搭建乡村物流平台。")
    assert [e[:3] for e in events if e[0] != "CREATE"] == [("SPEECH", "强调", ["张建国"]),
                                                         ("HOLD", "主持召开", ["张建国"])]
    assert [e[3] for e in events if e[0] == "CREATE"] == ["乡村物流平台"]  # a new paragraph


def test_the_topics_of_a_survey_are_its_object_and_open_no_events(nlp):
    events = extract(nlp, "县委书记张建国围绕推进乡村振兴、加强基层治理、发展特色产业等工作进行调研。"
                          "县长李红梅就加快园区建设、优化营商环境开展专题调研。")
    assert [(e[0], e[2]) for e in events] == [("INSPECT", ["张建国"]), ("INSPECT", ["李红梅"])]
    assert "基层治理" in events[0][3] and "营商环境" in events[1][3]


def test_the_authors_in_a_byline_never_act(nlp):
    assert extract(nlp, "记者 张建国 李红梅 走访了白沙镇。") == []
    assert [e[2] for e in extract(nlp, "县委书记张建国走访了白沙镇。")] == [["张建国"]]


def test_a_collective_named_through_its_place_is_no_doer(nlp):
    assert extract(nlp, "青禾县县四家班子领导出席会议。") == []
    assert [e[2] for e in extract(nlp, "青禾县县委书记张建国出席会议。")] == [["张建国"]]


def test_a_longer_verb_judged_a_modifier_leaves_no_piece_of_it_a_verb(nlp):
    events = extract(nlp, "白沙县县长李红梅会见了张建国率领的青禾县党政代表团一行。")
    assert [(e[0], e[2]) for e in events] == [("MEET", ["李红梅"])]
    assert events[0][3].endswith("党政代表团一行")


def test_congratulations_addressed_with_xiang_and_the_verb_before_them_stays_in_the_object(nlp):
    events = extract(nlp, "县长李红梅代表县委向全县重点项目集中开工表示祝贺。")
    assert [e[:4] for e in events] == [("SPEECH", "表示祝贺", ["李红梅"], "全县重点项目集中开工")]


def test_officials_listed_before_a_place_and_its_responsible_comrades_are_who_joined(nlp):
    events = extract(nlp, "县长李红梅会见了张建国一行。王志刚、刘海波，青禾县有关负责同志参加会见。")
    attend = [e for e in events if e[0] == "ATTEND"]
    assert attend and attend[0][2] == ["王志刚", "刘海波"]


def test_a_verb_naming_a_meeting_is_no_other_event(nlp):
    events = extract(nlp, "青禾县政府党组扩大会议召开。")
    assert [e[:3] for e in events] == [("HOLD", "召开", ["青禾县政府党组"])] and "扩大会议" in events[0][3]


# -- arguments from the dependency tree (kg_syntax's CSDP relations) --------------------

def test_the_tree_gives_coordinated_subjects_to_a_verb_of_a_later_clause(nlp):
    # 察看 hangs from 赴 (eSucc), whose Agt/Exp dependents are the two officials: no subject
    # stands in 察看's own clause, and the rules gave it none.
    text = "县政协主席周立新、副主席李华明一行赴东坡镇调研，实地察看了特色农业基地建设情况。"
    seen = [e for e in extract(nlp, text) if e[1] == "察看"]
    assert [(e[2], e[3]) for e in seen] == [(["周立新", "李华明"], "特色农业基地建设情况")]
    assert seen[0][6].sources["agent"] == "tree"


def test_the_partner_the_tree_makes_a_dative_is_no_agent(nlp):
    # 与恒丰集团: the parser's Datv of 签订; the county, its Agt, signs (the rules took the company).
    (etype, trigger, agents, obj, *_rest, ev), = extract(nlp, "签约仪式上，临河县与恒丰集团签订乡村旅游开发协议。")
    assert (etype, trigger, agents, obj) == ("SIGN", "签订", ["临河县"], "乡村旅游开发协议")
    assert ev.sources["agent"] == "tree"


def test_the_rules_keep_a_list_of_officials_the_tree_names_only_in_part(nlp):
    events = extract(nlp, "县领导张立军、王红梅、李国庆、赵文华出席签约仪式。")
    attended = [e for e in events if e[1] == "出席"]
    assert [e[2] for e in attended] == [["张立军", "王红梅", "李国庆", "赵文华"]]


def test_every_event_says_where_its_arguments_came_from(nlp):
    text = "5月6日，县政协主席周立新一行赴东坡镇调研，实地察看了特色农业基地建设情况。"
    events = [e[6] for e in extract(nlp, text)]
    assert events and all(set(ev.sources) >= {"agent", "object", "date", "place", "quantity"} for ev in events)
    assert {ev.sources["agent"] for ev in events} == {"tree"}
    component = nlp.get_pipe("kg_events")
    component.use_tree = False
    try:
        rules_only = [e[6] for e in extract(nlp, text)]
    finally:
        component.use_tree = True
    assert all(ev.sources["agent"] in ("rule", None) and ev.sources["object"] == "rule" for ev in rules_only)
    # without the tree the rules carry the subject over 实地 (a manner adverb) to 察看
    assert [ev.agents for ev in rules_only if ev.trigger == "察看"] == [events[0].agents]


def test_what_was_said_links_only_entities_of_its_own_sentence(nlp):
    # A short speech followed by another paragraph: the names of the next paragraph are not
    # what was said (the object's entities end where the sentence ends).
    text = ("周明远强调，要做好春耕备耕工作。\n"
            "新华社太原3月2日电 晋中市农业农村局组织开展农机检修服务。")
    doc = run(nlp, text)
    name = {e.id: e.name for e in nlp.get_pipe("kg_linker").linker.entities.values()}
    speech = [ev for ev in doc._.events if ev.type == "SPEECH"]
    assert [ev.trigger for ev in speech] == ["强调"]
    assert [name[o] for o in speech[0].objects] == []


@pytest.mark.parametrize("text, holder, verb, meeting, inner", [
    ("县委书记林振华出席全县安全生产工作推进会议。", ["林振华"], "出席", "全县安全生产工作推进会议", "推进"),
    ("县长王立新出席园区集中签约仪式。", ["王立新"], "出席", "园区集中签约仪式", "签约"),
    ("5月10日，青禾县商务局举办农特产品招商推介会。", ["青禾县商务局"], "举办", "农特产品招商推介会", "招商"),
    ("青禾县召开年度劳动模范颁奖大会。", ["青禾县"], "召开", "年度劳动模范颁奖大会", "颁奖"),
])
def test_a_verb_inside_a_meeting_name_opens_no_event_and_the_outer_object_runs_to_the_head(
        nlp, text, holder, verb, meeting, inner):
    events = extract(nlp, text)
    assert (verb, holder, meeting) in [(e[1], e[2], e[3]) for e in events]
    assert not [e for e in events if inner in e[1]]


def test_a_verb_taking_a_meeting_still_acts_before_its_head(nlp):
    events = extract(nlp, "县委书记林振华主持召开座谈会。县委常委会传达学习会议精神。")
    assert ("主持召开", ["林振华"], "座谈会") in [(e[1], e[2], e[3]) for e in events]
    assert [e for e in events if e[1] == "传达学习" and e[3].startswith("会议精神")]


def test_a_speech_after_attending_is_not_the_meeting_and_never_ends_in_bing(nlp):
    events = extract(nlp, "县委书记林振华出席青禾县乡村振兴工作现场会并讲话。")
    assert ("ATTEND", "出席", ["林振华"], "青禾县乡村振兴工作现场会") in [e[:4] for e in events]
    assert ("SPEECH", "讲话", ["林振华"], "") in [e[:4] for e in events]
    events = extract(nlp, "县长王立新主持会议并发表重要讲话。")
    assert not [e for e in events if e[3].endswith("并") or e[3].endswith("并发表重要")]
    assert ("SPEECH", "讲话", ["王立新"], "") in [e[:4] for e in events]
    events = extract(nlp, "青禾县召开民营企业座谈会。县长王立新在座谈会上讲话。")
    assert ("SPEECH", "讲话", ["王立新"], "座谈会") in [e[:4] for e in events]


@pytest.mark.parametrize("text, coverb, verb", [
    ("县农业农村局结合春耕生产实际，组织开展农资专项检查。", "结合", "组织开展"),
    ("县商务局依托电商平台，帮扶农户销售农产品。", "依托", "帮扶"),
    ("县文旅局聚焦全域旅游，打造一批精品线路。", "聚焦", "打造"),
])
def test_a_verb_used_as_a_preposition_opens_no_event(nlp, text, coverb, verb):
    events = extract(nlp, text)
    assert not [e for e in events if e[1] == coverb]
    assert [e for e in events if e[1] == verb]


def test_a_modal_after_the_subject_holds_when_its_clause_has_only_a_coverb(nlp):
    text = "县政府党组要聚焦全域旅游，细化工作举措，加强全过程调度，推动经济实现稳步增长。"
    assert not [e for e in extract(nlp, text) if e[0] in ("PROMOTE", "ACHIEVE", OTHER_TYPE)]


@pytest.mark.parametrize("text", [
    "县农业农村局结合白沙镇实际开展春耕督导。",
    "县农业农村局依托南州市农科院技术力量，开展春耕督导。",
])
def test_names_inside_a_coverb_phrase_do_not_act(nlp, text):
    launch = [e for e in extract(nlp, text) if e[1] == "开展"]
    assert launch and launch[0][2] == ["县农业农村局"]


def test_names_after_a_clause_opening_coverb_do_not_act(nlp):
    events = extract(nlp, "依托南州大学科研平台组建农业技术服务队。")
    assert not [e for e in events if "南州大学" in e[2]]


def test_the_subject_before_a_coverb_acts_in_the_clauses_after_it(nlp):
    events = extract(nlp, "县生态环境局充分利用智能监控系统，开展夜间巡查12次。")
    assert not [e for e in events if e[1] == "利用"]
    launch = [e for e in events if e[1] == "开展"]
    assert launch and launch[0][2] == ["县生态环境局"]


def test_a_verb_joined_by_bing_to_a_speech_takes_the_event_reported(nlp):
    events = extract(nlp, "6月3日，青禾县举行白沙镇产业园区揭牌仪式，县长王立新出席并致辞。")
    assert ("ATTEND", "出席", ["王立新"], "白沙镇产业园区揭牌仪式") in [e[:4] for e in events]
    assert ("SPEECH", "致辞", ["王立新"], "") in [e[:4] for e in events]
    events = extract(nlp, "青禾县召开全县防汛工作调度会，县委书记林振华主持并讲话。")
    assert ("HOLD", "主持", ["林振华"], "全县防汛工作调度会") in [e[:4] for e in events]


def test_the_verb_after_a_coverb_of_aim_is_a_goal_not_an_act(nlp):
    events = extract(nlp, "聚焦打造全域旅游示范区，青禾县推出一批精品线路。")
    assert not [e for e in events if e[1] == "打造"]
    assert [e for e in events if e[1] == "推出" and e[2] == ["青禾县"]]
    means = extract(nlp, "青禾县通过开展集中培训，提升干部业务能力。")
    assert [e for e in means if e[1] == "开展"]  # a means is done: it still acts


def _tagged_events(words, names):
    """EventExtractor on a text given as (word, POS tag) pairs; `names`: word -> (label, id)."""
    from kg.events import EventExtractor, Mention

    text, tagged, mentions = "", [], []
    for word, tag in words:
        tagged.append((len(text), len(text) + len(word), tag))
        if word in names:
            mentions.append(Mention(len(text), len(text) + len(word), names[word][0], names[word][1], word))
        text += word
    tags = {start: (end, tag) for start, end, tag in tagged}
    bounds = {start for start, _, _ in tagged} | {end for _, end, _ in tagged}
    return EventExtractor("doc:1", text, mentions, 2024, None, {}, word_bounds=bounds, tags=tags).extract()


PERSON = ("PERSON", "person:1")
INSTITUTE = ("AGENCY", "agency:1")


@pytest.mark.parametrize("words, verb", [
    # a light verb carrying a verbal noun: the act is the noun, 作 says nothing
    ([("会上", "t"), ("，", "w"), ("县农科所", "nt"), ("作", "v"), ("良种", "n"), ("推广", "vn"), ("介绍", "vn"),
      ("。", "w")], "作"),
    # a name the tagger took for a verb, in a list of names closed by 等
    ([("周明远", "nr"), ("、", "w"), ("高升", "v"), ("等", "u"), ("一行", "n"), ("察看", "v"), ("了", "u"),
      ("展区", "n"), ("。", "w")], "高升"),
    # a verb of a clause inside the object of the verb before its subject
    ([("周明远", "nr"), ("了解", "v"), ("县农科所", "nt"), ("推广", "v"), ("新", "a"), ("品种", "n"), ("等", "u"),
      ("情况", "n"), ("。", "w")], "推广"),
    # a relative clause: the verb describes the noun after 的
    ([("周明远", "nr"), ("收集", "v"), ("的", "u"), ("样本", "n"), ("送往", "v"), ("县检测站", "n"), ("。", "w")],
     "收集"),
    # reported speech: what was said, not an act
    ([("周明远", "nr"), ("说", "v"), ("，", "w"), ("县农科所", "nt"), ("已", "d"), ("推广", "v"), ("新", "a"),
      ("品种", "n"), ("。", "w")], "推广"),
    # a state, nothing happened
    ([("县农科所", "nt"), ("位于", "v"), ("青禾镇", "ns"), ("，", "w"), ("县农科所", "nt"), ("拥有", "v"),
      ("科研", "vn"), ("人员", "n"), ("45", "m"), ("名", "q"), ("。", "w")], "位于"),
    ([("县农科所", "nt"), ("拥有", "v"), ("科研", "vn"), ("人员", "n"), ("45", "m"), ("名", "q"), ("。", "w")], "拥有"),
    ([("县农科所", "nt"), ("负责", "v"), ("培训", "v"), ("农户", "n"), ("。", "w")], "负责"),
    # a stance or principle, not a dated act
    ([("县农科所", "nt"), ("坚持", "v"), ("以", "p"), ("农户", "n"), ("需求", "n"), ("为", "v"), ("导向", "n"),
      ("。", "w")], "坚持"),
    ([("县农科所", "nt"), ("牢记", "v"), ("服务", "vn"), ("宗旨", "n"), ("。", "w")], "牢记"),
    ([("县农科所", "nt"), ("充分", "ad"), ("发挥", "v"), ("人才", "n"), ("优势", "n"), ("。", "w")], "发挥"),
    # a means verb: 采取X方式 says how the act after it is done
    ([("县农科所", "nt"), ("采取", "v"), ("订单", "n"), ("方式", "n"), ("，", "w"), ("培育", "v"), ("示范户", "n"),
      ("。", "w")], "采取"),
])
def test_other_opens_only_for_an_act_of_the_named_subject(words, verb):
    events = _tagged_events(words, {"周明远": PERSON, "县农科所": INSTITUTE})
    assert not [e for e in events if e.type == OTHER_TYPE and e.trigger.startswith(verb)]


@pytest.mark.parametrize("words, verb, obj", [
    ([("周明远", "nr"), ("先后", "d"), ("走进", "v"), ("县农科所", "nt"), ("、", "w"), ("育苗", "vn"),
      ("基地", "n"), ("。", "w")], "走进", "县农科所、育苗基地"),
    # two one-character verbs the segmenter cut apart are one verb
    ([("县农科所", "nt"), ("喜", "v"), ("获", "v"), ("丰收", "vn"), ("。", "w")], "喜获", "丰收"),
    # after a pivot verb the name it governs still acts
    ([("周明远", "nr"), ("陪同", "v"), ("县农科所", "nt"), ("巡视", "v"), ("苗圃", "n"), ("。", "w")],
     "巡视", "苗圃"),
])
def test_other_still_opens_for_a_named_subject_acting_on_an_object(words, verb, obj):
    events = _tagged_events(words, {"周明远": PERSON, "县农科所": INSTITUTE})
    assert [(e.trigger, e.object_text) for e in events if e.trigger == verb] == [(verb, obj)]


def test_a_name_found_from_inside_the_verb_before_it_does_not_act():
    """了解X推广Y where the recogniser's name began inside 了解 (解X): still the object of 了解."""
    from kg.events import EventExtractor, Mention

    text = "周明远了解县农科所推广新品种等情况。"
    words = [(0, 3, "nr"), (3, 5, "v"), (5, 9, "nt"), (9, 11, "v"), (11, 12, "a"), (12, 14, "n"), (14, 15, "u"),
             (15, 17, "n"), (17, 18, "w")]
    mentions = [Mention(0, 3, "PERSON", "person:1", "周明远"), Mention(4, 9, "AGENCY", "agency:1", "解县农科所")]
    tags = {start: (end, tag) for start, end, tag in words}
    bounds = {start for start, _, _ in words} | {end for _, end, _ in words}
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}, word_bounds=bounds, tags=tags).extract()
    assert not [e for e in events if e.trigger == "推广"]


def test_a_name_begun_with_a_verb_character_does_not_act():
    """了|解X推广Y, the tagger splitting 了解 and the recogniser starting the name at 解:
    the name is still what was learnt about, not the doer of 推广."""
    from kg.events import EventExtractor, Mention

    text = "周明远了解县农科所推广新品种等情况。"
    words = [(0, 3, "nr"), (3, 4, "u"), (4, 5, "v"), (5, 9, "nt"), (9, 11, "v"), (11, 12, "a"), (12, 14, "n"),
             (14, 15, "u"), (15, 17, "n"), (17, 18, "w")]
    mentions = [Mention(0, 3, "PERSON", "person:1", "周明远"), Mention(4, 9, "AGENCY", "agency:1", "解县农科所")]
    tags = {start: (end, tag) for start, end, tag in words}
    bounds = {start for start, _, _ in words} | {end for _, end, _ in words}
    events = EventExtractor("doc:1", text, mentions, 2024, None, {}, word_bounds=bounds, tags=tags).extract()
    assert not [e for e in events if e.trigger == "推广"]


def test_he_is_the_last_person_who_acted_not_an_attendee_listed_after_him(nlp):
    text = "青禾县副县长韩明远主持会议，县领导柳青云、许文波出席。他指出，要抓好冬季农业生产。"
    speech = [e for e in extract(nlp, text) if e[1] == "指出"]
    assert speech and speech[0][2] == ["韩明远"]


def test_the_body_represented_and_the_party_thanked_do_not_act(nlp):
    text = "青禾县县长韩明远出席活动。他代表县委县政府向柳青云表示感谢。"
    thanks = [e for e in extract(nlp, text) if e[1].startswith("表示")]
    assert thanks and thanks[0][2] == ["韩明远"] and thanks[0][6].agent_source == "anaphor"


def test_the_group_led_runs_over_commas_and_the_leader_does_what_follows(nlp):
    text = ("5月8日，青禾县委书记韩明远带领县委常委、副县长苏立平，县委常委、宣传部部长柳青云，"
            "及县发展改革局、县财政局、县商务局等部门负责同志赴云溪市走访考察。")
    events = extract(nlp, text)
    assert [e for e in events if e[0] == "LEAD" and e[2] == ["韩明远"]]
    visit = [e for e in events if e[1] == "走访考察"]
    assert visit and visit[0][2] == ["韩明远"]


def test_the_people_welcomed_for_attending_are_who_attends(nlp):
    events = extract(nlp, "韩明远对苏立平一行出席青禾县产业园开工仪式表示欢迎。")
    assert ("ATTEND", "出席", ["苏立平"]) in [e[:3] for e in events]
    assert ("SPEECH", "表示", ["韩明远"]) in [e[:3] for e in events]
    events = extract(nlp, "韩明远对苏立平一行来青禾县考察表示欢迎。")
    assert [e for e in events if e[1] == "考察" and e[2] == ["苏立平"]]


def test_bodies_listed_after_officials_across_a_comma_join_them(nlp):
    text = "副市长韩明远，市政府副秘书长苏立平，市农业农村局、市财政局主要负责同志陪同调研。"
    escort = [e for e in extract(nlp, text) if e[1] == "陪同"]
    assert escort and escort[0][2] == ["韩明远", "苏立平", "市农业农村局", "市财政局"]


def test_lead_right_after_a_person_is_a_verb_even_glued_to_the_next_noun(nlp):
    events = extract(nlp, "5月8日，团长韩立新带领团机关干部赴云溪市考察产业项目。")
    assert [e for e in events if e[0] == "LEAD" and e[2] == ["韩立新"]]
    assert [e for e in events if e[1] == "考察" and e[2] == ["韩立新"]]


def test_a_place_heading_the_officials_is_not_a_doer_beside_them(nlp):
    events = extract(nlp, "青禾县：县委书记韩明远深入云溪镇调研农业生产。")
    survey = [e for e in events if e[1] == "调研"]
    assert survey and survey[0][2] == ["韩明远"]


def test_the_official_speaks_not_the_bodies_he_represents(nlp):
    events = extract(nlp, "青禾县副县长苏立平代表县委、县政府，对获奖单位表示祝贺。")
    greeting = [e for e in events if e[1].startswith("表示")]
    assert greeting and greeting[0][2] == ["苏立平"]


def test_a_deputy_title_before_a_person_is_no_representing(nlp):
    events = extract(nlp, "县人大代表韩明远、苏立平，政协委员柳青云参加会议。")
    assert ("ATTEND", "参加", ["韩明远", "苏立平", "柳青云"]) in [e[:3] for e in events]
    events = extract(nlp, "县人大代表韩明远参加会议。")
    assert ("ATTEND", "参加", ["韩明远"]) in [e[:3] for e in events]


def test_the_person_met_and_welcomed_is_not_the_one_who_welcomes(nlp):
    text = "县长韩明远会见了云溪集团董事长苏立平，对苏立平一行的到来表示欢迎。"
    welcome = [e for e in extract(nlp, text) if e[1].startswith("表示")]
    assert welcome and welcome[0][2] == ["韩明远"]


def test_the_official_attending_a_meeting_and_speaking_speaks_not_its_holder(nlp):
    text = "12月3日，青禾县召开全县经济工作会议。县委书记韩明远出席会议并讲话。"
    speech = [e for e in extract(nlp, text) if e[1] == "讲话"]
    assert speech and speech[0][2] == ["韩明远"]


def test_bodies_listed_between_officials_and_their_verb_join_them(nlp):
    text = "县领导韩明远、苏立平，县农业农村局、县财政局负责同志，各乡镇党委书记参加会议。"
    attend = [e for e in extract(nlp, text) if e[1] == "参加"]
    assert attend and attend[0][2] == ["韩明远", "苏立平", "县农业农村局", "县财政局"]

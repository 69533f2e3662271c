"""Canonical entities: places, agencies filled in from context, programmes, stable ids."""

from kg.linking import Linker, program_key, strip_marks


def test_short_and_full_place_names_are_one_entity(gazetteer):
    linker = Linker(gazetteer)
    short = gazetteer.resolve("苏州")
    a = linker.link("PLACE", "苏州", division_key=short.key)
    b = linker.link("PLACE", "苏州市", division_key=gazetteer.resolve("苏州市").key)
    assert a is b and a.name == "苏州市" and a.mentions == 2
    assert {"苏州", "苏州市"} <= set(a.aliases)
    assert a.admin_code == short.code and a.admin_level == "prefecture"
    province = linker.entities[a.parent]
    assert province.name == "江苏省" and province.parent is None


def test_level_prefix_filled_from_home_place(gazetteer):
    linker = Linker(gazetteer)
    home = gazetteer.resolve("苏州市")
    bureau = linker.link("AGENCY", "市生态环境局", home=home)
    assert bureau.name == "苏州市生态环境局"
    assert linker.entities[bureau.based_in].name == "苏州市"
    same = linker.link("AGENCY", "苏州市生态环境局", home=gazetteer.resolve("昆山市"))
    assert same is bureau
    county_home = gazetteer.resolve("昆山市")
    assert linker.link("AGENCY", "市委组织部", home=county_home).name == "昆山市委组织部"


def test_abbreviations_and_party_prefix(gazetteer):
    linker = Linker(gazetteer)
    home = gazetteer.resolve("苏州市")
    hr = linker.link("AGENCY", "苏州市人社局", home=home)
    assert hr.name == "苏州市人力资源和社会保障局" and "苏州市人社局" in hr.aliases
    party = linker.link("AGENCY", "中共苏州工业园区工委", home=home)
    assert party.name == "苏州工业园区工委"


def test_generic_agencies_of_different_cities_stay_apart(gazetteer):
    linker = Linker(gazetteer)
    a = linker.link("AGENCY", "市场监管部门", home=gazetteer.resolve("苏州市"))
    b = linker.link("AGENCY", "市场监管部门", home=gazetteer.resolve("广州市"))
    assert a is not b


def test_programmes_with_and_without_head_merge(gazetteer):
    linker = Linker(gazetteer)
    a = linker.link("PROGRAM", "“五个一”系列活动")
    b = linker.link("PROGRAM", "五个一")
    c = linker.link("PROGRAM", "“五个一”系列活动")
    linker.finish()
    assert a is b is c and a.name == "“五个一”系列活动"
    assert program_key("《某某办法》") == "某某办法"
    assert strip_marks("《某某办法》") == "某某办法" and strip_marks("“甲”乙活动") == "“甲”乙活动"


def test_ids_are_stable_across_runs(gazetteer):
    ids = []
    for _ in range(2):
        linker = Linker(gazetteer)
        ids.append([linker.link("AGENCY", "市生态环境局", home=gazetteer.resolve("苏州市")).id,
                    linker.link("PERSON", "张建国").id, linker.link("PROGRAM", "某某行动").id])
    assert ids[0] == ids[1]


def test_town_prefix_filled_from_the_town_just_named(gazetteer):
    linker = Linker(gazetteer)
    town = gazetteer.resolve("桃花镇", {gazetteer.resolve("肥西县").key})
    committee = linker.link("AGENCY", "镇党委", home=gazetteer.resolve("肥西县"), nearby=[town])
    assert committee.name == "桃花镇党委"


def test_people_are_one_per_name_within_a_city(gazetteer):
    linker = Linker(gazetteer)
    kunshan, suzhou, hefei = (gazetteer.resolve(n) for n in ("昆山市", "苏州市", "合肥市"))
    in_kunshan = linker.link("PERSON", "王伟", home=kunshan)
    assert linker.link("PERSON", "王伟", home=suzhou) is in_kunshan  # 昆山 is in 苏州
    assert in_kunshan.mentions == 2
    assert linker.link("PERSON", "王伟", home=hefei) is not in_kunshan
    assert linker.link("PERSON", "王伟").id == linker.link("PERSON", "王 伟").id  # no place known

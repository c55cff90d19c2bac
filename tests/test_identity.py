"""Who reported, and when (issue 14): document identity from every place a page gives it.

The texts are written for these tests in the style of real report pages (the
names of towns, streets and departments are real divisions or invented ones).
"""
from __future__ import annotations

import pytest

from extractors import document_meta
from extractors.divisions import resolve
from extractors.meta import labelled_dates, normalize_org, with_overrides

BODY = "一、主要举措\n（一）加强组织领导。全年召开专题会议4次，办理行政复议案件12件。\n"


def meta(text, page=None, entities=None):
    return document_meta(text, page, entities)


# ------------------------------------------------------------------ org: the shapes of the issue

def test_no_title_the_opening_sentence_names_the_street():
    text = ("2024年，云溪街道认真贯彻落实上级关于法治建设的决策部署，以《法治政府建设实施纲要（2021—2025年）》为遵循，"
            "扎实推进依法行政。现将有关情况报告如下：\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.report_year, m.published, m.level) == ("云溪街道", "opening", 2024, None, "town")


def test_opening_after_a_leadership_clause():
    text = ("2019年，在省委、省政府和市委、市政府的正确领导下，南昌县全面贯彻上级精神，以落实《法治政府建设实施纲要"
            "（2015-2020年）》为主线推进各项工作。\n" + BODY + "我县完成机构改革。")
    m = meta(text)
    assert (m.org, m.org_from, m.report_year) == ("南昌县", "opening", 2019)
    assert (m.division_code, m.level) == ("360121", "county")


def test_opening_with_the_office_of_a_street():
    text = ("在全面建设社会主义现代化国家新征程上，人民路街道办事处坚持以习近平法治思想为指导，系统推进法治政府建设。"
            "现将2025年工作情况总结如下：\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.report_year_from) == ("人民路街道", 2025, "opening")


def test_a_salutation_line_is_not_the_body():
    text = ("城中区委全面依法治区委员会：\n2025年，人民路街道在区委、区政府的领导下，紧紧围绕基层治理推进法治建设，"
            "取得新的成效。现将全年工作情况报告如下：\n" + BODY)
    assert meta(text).org == "人民路街道"


@pytest.mark.parametrize("town", ["石城镇", "古城镇", "金城镇"])
def test_a_town_named_x_cheng_zhen_after_an_opening_that_names_no_body(town):
    # 城镇 is a word (城镇化, 推进城镇建设) and no part of a clause taken for a name, but a town
    # called X城 + 镇 ends its name with it
    text = ("某某县委、某某县人民政府：\n2025年以来，在县委、县政府的坚强领导下，深入贯彻落实上级关于法治政府建设的"
            f"决策部署，持续补短板、强弱项。现将{town}2025年度法治政府建设情况报告如下。\n"
            f"一、主要举措和成效\n2025年，{town}坚持问题导向、目标导向、结果导向相统一，推动法治政府建设与中心工作深度融合。\n"
            + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.level) == (town, 2025, "town")


def test_a_clause_that_runs_on_before_the_town_is_cut_back_to_the_name_the_text_writes():
    # no title and no body in the first sentence: the later sentence that names the town starts
    # with what was done (及时调整…), which is no part of the name the report writes elsewhere
    text = ("一、2023年度法治政府建设的主要举措和成效\n（一）加强组织领导等情况。\n"
            "一是加强组织领导。根据镇领导班子分工变化，及时调整石桥镇法治政府建设领导小组成员，由镇党委书记任组长。"
            "二是抓好学法。石桥镇领导班子全年集中学法6次，石桥镇32名干部参加网上学法考试。\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.level) == ("石桥镇", 2023, "town")


def test_a_town_that_names_its_city_in_a_slogan_and_itself_in_a_party_document():
    # 我镇 only; 法治中山 is the city above the town (中山市), not a town called 中山镇; the town is
    # named in its party committee's document (《中共南朗镇委…》), whose 中共 is no part of the name
    text = ("2023年，我镇坚持以习近平法治思想为指导，紧扣《法治中山建设规划（2021—2025年）》的要求，扎实推进依法治镇。"
            "现将有关情况报告如下：\n一、主要举措\n制定《中共南朗镇委全面依法治镇委员会2023年工作要点》，"
            "全镇党员干部学法培训3200人次。\n" + BODY + "我镇完成年度目标。")
    assert meta(text).org == "南朗镇"


@pytest.mark.parametrize("town", ["南朗", "金山"])
def test_a_town_named_only_in_its_own_slogan(town):
    # also when a district has the same name (金山区): no other town is named
    text = (f"2023年，我镇坚持以习近平法治思想为指导，全力打造“法治{town}”，扎实推进依法治镇。现将有关情况报告如下：\n"
            + BODY + "我镇完成年度目标。")
    assert meta(text).org == town + "镇"


def test_wo_qi_is_a_banner_named_in_the_text():
    # a banner (旗, a county of Inner Mongolia) says 我旗; its metadata names only the office that published
    text = ("发布机构 | 政府办公室 | 文 号 | |\n根据《中华人民共和国政府信息公开条例》，特向社会公布我旗2021年度政府信息"
            "公开年度报告。\n一、总体情况\n2021年，我旗不断提高公开信息的全面性。乌拉特前旗政府网站全年发布信息320条，"
            "乌拉特前旗融媒体中心同步转载。\n" + BODY)
    m = meta(text)
    assert (m.org, m.level, m.division_code) == ("乌拉特前旗", "county", "150823")


@pytest.mark.parametrize("raw, org", [
    ("重庆市九龙坡区住房和城乡建设委员会", "九龙坡区住房和城乡建设委员会"),  # 城乡 is a word, no township
    ("某某县古城乡", "古城乡"),  # a township called X城 + 乡 keeps its name
    ("宝鸡市渭滨区住房和城市建设局", "渭滨区住房和城市建设局"),  # nor is 住房和城市 a city
    ("济宁市邹城市司法局", "邹城市司法局"),  # a city called X城 + 市 keeps its name
])
def test_higher_levels_before_a_department_whose_name_holds_cheng_xiang(raw, org):
    assert normalize_org(raw) == org


def test_new_urbanisation_is_no_town():
    text = ("2025年以来，在县委、县政府的坚强领导下，深入贯彻落实上级关于法治政府建设的决策部署。\n"
            "一、主要举措\n2025年，新型城镇化建设坚持问题导向、目标导向、结果导向相统一，推动各项工作深度融合。\n" + BODY)
    assert meta(text).org is None


def test_only_wo_xian_with_the_site_name():
    text = ("2023年，我县坚持以习近平新时代中国特色社会主义思想为指导，全面推进依法行政，法治政府建设取得新进展。"
            "现将有关情况报告如下：\n" + BODY + "我县深化放管服改革。")
    m = meta(text, {"site_name": "岳西县人民政府"})
    assert (m.org, m.org_from, m.division_code, m.level) == ("岳西县", "self", "340828", "county")


def test_wo_ju_resolved_from_a_document_name_in_the_text_without_higher_levels():
    text = ("2025年，在区委、区政府的坚强领导下，我局坚持依法履职，全面推进卫生健康领域法治建设。现将主要情况报告如下：\n"
            "一、第一责任人职责履行情况\n年内召开党组会议4次，审议通过了《福州市鼓楼区卫生健康局法治政府建设实施方案》等文件。\n"
            "我局严格落实重大决策程序。")
    m = meta(text)
    assert (m.org, m.org_from) == ("鼓楼区卫生健康局", "self")
    # four 鼓楼区 in China: the one of 福州市, named on the page
    assert (m.level, m.parent_org, m.division_code) == ("department", "鼓楼区", "350102")


def test_wo_ju_with_the_page_content_source():
    text = "2023年，我局坚持依法行政，各项工作取得新进展。现将有关情况报告如下：\n" + BODY
    m = meta(text, {"content_source": "岳西县市场监督管理局", "site_name": "岳西县人民政府"})
    assert (m.org, m.org_from, m.parent_org, m.division_code) == ("岳西县市场监督管理局", "meta", "岳西县", "340828")


@pytest.mark.parametrize("title, org, level", [
    ("2022年青山湖区法治政府建设工作报告", "青山湖区", "county"),                     # the year first
    ("浙江省人民政府关于2022年法治政府建设情况的报告", "浙江省", "province"),         # a province's government
    ("新疆维吾尔自治区人民政府关于2017年法治政府建设工作的报告", "新疆维吾尔自治区", "province"),
    ("石家庄市人民政府关于2016年度法治政府建设情况的报告", "石家庄市", "city"),
    ("丰都县树人镇人民政府2025年法治政府建设情况报告", "树人镇", "town"),              # higher level dropped
    ("某某市梅溪区卫生健康局2023年法治政府建设年度报告", "梅溪区卫生健康局", "department"),
    ("江苏省司法厅2022年度法治政府建设情况报告", "江苏省司法厅", "department"),        # its own level kept
    ("辰溪县罗子山瑶族乡2025年度法治政府建设情况报告", "罗子山瑶族乡", "town"),
    ("北城街街道办事处2025年法治政府建设年度报告", "北城街街道", "town"),
])
def test_org_from_titles(title, org, level):
    m = meta(title + "\n2025年，我们坚持依法行政。\n" + BODY)
    assert (m.org, m.org_from, m.level) == (org, "title", level)


def test_title_over_two_lines():
    text = "东安县应急管理局\n2025年法治政府建设报告\n东安县应急管理局坚持以习近平法治思想为统揽，全面推进依法治理。\n" + BODY
    m = meta(text)
    assert m.title == "东安县应急管理局2025年法治政府建设报告"
    assert (m.org, m.report_year, m.parent_org, m.division_code) == ("东安县应急管理局", 2025, "东安县", "431122")


def test_signature_at_the_end_gives_org_and_date():
    text = ("今年以来，在县委、县政府的正确领导下，我镇坚持依法行政，法治建设取得新成效。\n" + BODY
            + "二、下一步打算\n继续深化法治宣传教育。\n青龙镇人民政府\n2024年1月15日")
    m = meta(text)
    assert (m.org, m.org_from) == ("青龙镇", "signature")
    assert (m.published, m.published_from, m.report_year, m.report_year_from) == (
        "2024-01-15", "date_line", 2023, "published")


def test_a_department_signature_does_not_beat_wo_zhen():
    # a report of the town drafted by the justice office: the text speaks as 我镇
    text = ("我镇按照市委的工作部署推进法治建设，制定了《桥头镇依法治镇工作方案》，调整了桥头镇依法治镇领导小组。\n"
            + BODY + "东莞市司法局桥头分局\n2019年12月2日")
    assert meta(text).org == "桥头镇"


def test_source_line_of_a_reposting_office_loses_to_the_title():
    text = ("新疆维吾尔自治区人民政府关于2017年法治政府建设工作的报告\n"
            "来源：自治区人民政府法制办 发布日期：2018-04-03 16:13 浏览次数：\n"
            "自治区认真落实各项任务，法治政府建设取得阶段性成效。现将2017年自治区法治政府建设情况报告如下：\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.published, m.published_from) == ("新疆维吾尔自治区", 2017, "2018-04-03",
                                                                     "publication_line")


def test_publisher_in_an_information_table():
    text = ("| [ 索引号 ] | 11500230008689607X/2026-00009 | [ 发文字号 ] | 无 |\n"
            "| [ 发布机构 ] | 丰都县树人镇人民政府 | [ 有效性 ] | |\n"
            "| [ 成文日期 ] | 2026-02-10 | [ 发布日期 ] | 2026-02-11 |\n"
            "2025年，全镇坚持依法行政，结合我镇实际，系统推进各项重点工作，现将2025年度工作情况报告如下：\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.division_code) == ("树人镇", "meta", "500230")
    assert (m.published, m.report_year) == ("2026-02-11", 2025)  # 发布日期 before 成文日期


# ------------------------------------------------------------------ published

@pytest.mark.parametrize("line, iso", [
    ("• 发布日期：2023-04-12", "2023-04-12"),
    ("发布时间 2024年03月29日", "2024-03-29"),
    ("更新时间 2022/03/30 来源：本站", "2022-03-30"),
    ("时间：2023-03-27  浏览次数：", "2023-03-27"),
    ("发布时间:2026-02-02 11:19 信息来源:辰溪县罗子山瑶族乡", "2026-02-02"),
    ("| 发文机关: | 东安县应急管理局 | 发文日期: | |", None),  # an empty cell
])
def test_publication_lines(line, iso):
    text = "某某镇2023年法治政府建设情况报告\n" + line + "\n2023年，某某镇坚持依法行政，取得新进展。现将情况报告如下：\n" + BODY
    assert meta(text).published == iso


@pytest.mark.parametrize("stamp, iso", [
    ("时间：2026-01-09 09:36", "2026-01-09"),  # the publishing system's stamp: a date with its time of day
    ("时间：2026-01-09", "2026-01-08"),  # a bare 时间 without one is no surer than the document's own date
])
def test_a_page_stamp_under_the_title_before_the_documents_own_date(stamp, iso):
    # a metadata list with the date the document was generated, the title, then the page's own line
    text = ("• 索引号：QZ00000-2026-00011\n• 发布机构：区人民政府办公室\n• 公文生成日期：2026-01-08\n"
            f"某某区人民政府关于2025年度法治政府建设工作情况的报告\n{stamp}\n市政府：\n"
            "2025年，某某区人民政府坚持依法行政，扎实推进法治政府建设。现将有关情况报告如下。\n" + BODY)
    m = meta(text)
    assert (m.published, m.report_year) == (iso, 2025)


def test_label_with_the_date_on_the_next_line():
    assert labelled_dates(["发布时间:", "2026-03-04", "作者:"]) == [("发布时间", "2026-03-04")]


def test_page_clock_is_never_the_publication_date():
    text = ("今天是：2020年6月1日 星期一\n首页 > 政务公开 > 法治政府建设\n"
            "2019年，某某街道坚持依法行政，各项工作取得新进展。现将有关情况报告如下：\n" + BODY)
    m = meta(text)
    assert (m.published, m.report_year) == (None, 2019)


def test_clock_beside_a_publication_line():
    text = ("今天是2022年3月31日 星期四  发布时间：2022-03-30\n"
            "2021年，某某镇坚持依法行政，各项工作取得新进展。现将有关情况报告如下：\n" + BODY)
    assert meta(text).published == "2022-03-30"


def test_pub_date_meta_tag_wins():
    text = "某某镇2023年法治政府建设情况报告\n发布时间：2024-01-02\n2023年，某某镇坚持依法行政。\n" + BODY
    m = meta(text, {"pub_date": "2024-01-05 09:30:00"})
    assert (m.published, m.published_from) == ("2024-01-05", "meta")


# ------------------------------------------------------------------ report_year

def test_report_year_never_from_a_plan_range_or_the_most_frequent_year():
    text = ("根据中共中央《全面深化法治领域改革纲要（2023—2027年）》的部署，2023年，清波街道全面开展法治政府建设。"
            "现将2023年所做工作总结如下：\n" + "对照2021—2025年规划，2021年制定的制度、2021年确定的目标、2021年的清单继续执行。\n"
            + BODY)
    assert meta(text).report_year == 2023


def test_report_year_from_the_report_line_when_the_opening_has_none():
    text = ("今年以来，某某镇党委、政府坚持依法行政，认真落实《法治政府建设实施纲要（2021—2025年）》。"
            "现将我镇2022年度法治政府建设情况报告如下：\n" + BODY + "2021年以来累计培训干部300人次。2021年底完成清理。")
    m = meta(text)
    assert (m.report_year, m.report_year_from) == (2022, "opening")


def test_report_year_not_from_a_clock():
    text = "今天是：2026年1月8日 星期四\n某某镇坚持依法行政，法治建设取得新成效，群众满意度不断提升。\n" + BODY
    assert meta(text).report_year is None


# ------------------------------------------------------------------ names and divisions

@pytest.mark.parametrize("raw, org", [
    ("龙岩市永定区卫生健康局", "永定区卫生健康局"),
    ("福建省龙岩市永定区", "永定区"),
    ("滑县万古镇人民政府", "万古镇"),
    ("中共某某县委 某某县人民政府", "某某县"),
    ("徂汶景区党工委、管委会", "徂汶景区"),
    ("江苏省司法厅", "江苏省司法厅"),
    ("东莞市司法局桥头分局", "东莞市司法局桥头分局"),
    ("某岭地区行政公署司法局", "某岭地区司法局"),
    ("某某盟行署教育局", "某某盟教育局"),
    ("某某盟行政公署", "某某盟"),
    ("全县", None),
])
def test_normalize_org(raw, org):
    assert normalize_org(raw) == org


def test_namesakes_need_the_page_to_say_which():
    assert resolve("永定区").code is None                              # 龙岩 or 张家界
    assert resolve("永定区", ["张家界市永定区人民政府"]).code == "430802"
    assert resolve("司法部").parent_org == "国务院"


# ------------------------------------------------------------------ the NER stage's entities

def test_entities_find_the_subject_the_rules_cannot():
    # the verb after the name is not one the rules list: an ORG entity at the subject's place decides
    text = "2024年，清河坊社区服务中心扛牢法治建设责任，推动依法行政。现将有关情况报告如下：\n" + BODY
    assert meta(text).org is None or meta(text).org_from != "opening"
    start = text.index("清河坊")
    ents = [{"label": "ORG", "text": "清河坊社区服务中心", "start": start, "end": start + 9}]
    m = meta(text, entities=ents)
    assert (m.org, m.org_from) == ("清河坊社区服务中心", "opening")


# ------------------------------------------------------------------ overrides

def test_overrides_win_and_say_so():
    m = meta("2024年，云溪街道认真贯彻落实上级部署。\n" + BODY)
    fixed = with_overrides(m, {"org": "福州市鼓楼区卫生健康局", "report_year": "2023", "published": "2024年3月1日"})
    assert (fixed.org, fixed.org_from, fixed.report_year, fixed.report_year_from, fixed.published) == (
        "福州市鼓楼区卫生健康局", "override", 2023, "override", "2024-03-01")
    assert (fixed.division_code, fixed.level, fixed.parent_org) == ("350102", "department", "鼓楼区")
    assert fixed.title_from == m.title_from


# ------------------------------------------------------------------ more shapes

def test_wo_shi_and_wo_sheng_named_by_the_gazetteer():
    city = ("2022年，我市坚持以习近平新时代中国特色社会主义思想为指导，认真落实《淄博市法治政府建设实施方案》，"
            "全面推进依法行政。现将有关情况报告如下：\n一、主要工作\n我市出台了《淄博市行政规范性文件管理办法》。")
    m = meta(city)
    assert (m.org, m.org_from, m.level, m.division_code) == ("淄博市", "self", "city", "370300")
    prov = ("2022年，全省各级政府坚持依法行政，我省法治政府建设取得新成效。现将有关情况报告如下：\n一、主要工作\n"
            "印发《山东省法治政府建设实施方案》，省政府常务会议研究法治工作5次。")
    m = meta(prov)
    assert (m.org, m.level, m.division_code) == ("山东省", "province", "370000")


def test_an_abbreviated_department_in_the_opening():
    text = ("2023年，市司法局在市委、市政府的坚强领导下，坚持以习近平法治思想为指导，全面推进依法行政。"
            "现将有关情况报告如下：\n一、主要工作\n审议通过了九江市司法局法治建设工作要点。")
    m = meta(text)
    assert (m.org, m.parent_org, m.division_code) == ("九江市司法局", "九江市", "360400")
    bare = "2023年，区卫生健康局坚持依法行政，全面推进卫生健康领域法治建设。现将有关情况报告如下：\n" + BODY
    assert meta(bare).org is None
    m = meta(bare, {"site_name": "合肥市蜀山区人民政府"})
    assert (m.org, m.division_code) == ("蜀山区卫生健康局", "340104")


def test_county_committee_and_government_as_subject():
    text = "2023年，霍山县委、县政府坚持以习近平法治思想为指导，全面推进法治政府建设。现将有关情况报告如下：\n" + BODY
    assert (meta(text).org, meta(text).org_from) == ("霍山县", "opening")


def test_chinese_numeral_year_in_the_title():
    m = meta("二〇二三年度青龙镇法治政府建设情况报告\n今年以来，青龙镇坚持依法行政。\n" + BODY)
    assert (m.org, m.report_year) == ("青龙镇", 2023)


def test_publication_line_without_a_label_and_a_weekday_clock():
    text = ("某某县人民政府 2019年12月3日星期二\n某某县2023年度法治政府建设情况报告\n"
            "2024-03-28 10:20 来源：某某县司法局 浏览次数：\n2023年，某某县坚持依法行政，全面推进法治建设。\n" + BODY)
    m = meta(text)
    assert (m.published, m.published_from, m.report_year, m.org) == ("2024-03-28", "publication_line", 2023, "某某县")
    clock_only = "某某县人民政府 2019年12月3日星期二\n某某县坚持依法行政，全面推进法治建设，各项工作取得新成效。\n" + BODY
    assert meta(clock_only).published is None


@pytest.mark.parametrize("title", [
    "中共青龙镇委员会青龙镇人民政府关于2023年度法治建设情况的报告",
    "青龙镇党委青龙镇政府2023年法治政府建设工作报告【字体：大 中 小】",
])
def test_party_committee_and_government_in_one_title(title):
    m = meta(title + "\n今年以来，我镇坚持依法行政。\n" + BODY)
    assert (m.org, m.report_year, m.org_from) == ("青龙镇", 2023, "title")
    assert "字体" not in m.title


def test_the_government_by_its_level_alone_is_resolved_by_the_text():
    text = ("2023年，在县委的坚强领导下，在县人大及其常委会的监督支持下，县政府坚持依法行政，全面推进法治建设。"
            "现将有关情况报告如下：\n一、主要工作\n印发《霍山县重大行政决策程序规定》，霍山县法治建设取得新成效。"
            "下符桥镇、衡山镇、衡山镇开展普法。")
    assert (meta(text).org, meta(text).org_from) == ("霍山县", "self")


def test_year_is_the_subject_of_the_opening():
    text = "2023年是全面贯彻落实党的二十大精神的开局之年，霍山县坚持依法行政，全面推进法治政府建设。\n" + BODY
    m = meta(text)
    assert (m.org, m.report_year, m.report_year_from) == ("霍山县", 2023, "opening")


def test_a_site_header_does_not_beat_the_opening_sentence():
    # a county's report reposted on another county's site: the header names the site
    text = ("岳西县人民政府\n首页 > 政务公开 > 转载\n2023年，霍山县坚持依法行政，全面推进法治政府建设。"
            "现将有关情况报告如下：\n" + BODY + "我县深化放管服改革。")
    assert (meta(text).org, meta(text).org_from) == ("霍山县", "opening")
    # with nothing else to go by, the lone name at the top is the body
    assert (meta("岳西县人民政府\n今年以来，全县上下坚持依法行政，法治建设取得新成效。\n" + BODY).org) == "岳西县"


def test_an_author_line():
    text = ("关于2023年度法治政府建设情况的报告\n作者：青龙镇人民政府 发布时间：2024-01-20\n"
            "今年以来，全镇上下坚持依法行政，法治建设取得新成效。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.published, m.report_year) == ("青龙镇", "signature", "2024-01-20", 2023)


@pytest.mark.parametrize("line", ["青龙镇法治政府建设年度报告（2023年度）", "青龙镇2023年法治政府建设工作报告 2024-01-15",
                                  "青龙镇2023年法治政府建设工作报告（全文）"])
def test_title_with_a_trailing_bracket_or_date(line):
    m = meta(line + "\n今年以来，全镇上下坚持依法行政，法治建设取得新成效。\n" + BODY)
    assert (m.org, m.report_year, m.org_from) == ("青龙镇", 2023, "title")


# ------------------------------------------------------------------ meta.toml is a rule file like the others

def _rules_copy(tmp_path):
    import shutil

    from extractors.ruleset import DEFAULT_RULES_DIR

    d = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, d)
    return d


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


@pytest.mark.parametrize("old, new, key, problem", [
    ("not_name_prefixes = [", "not_name_prefix = [", "org.not_name_prefix", "did you mean 'not_name_prefixes'"),
    ("[self]\nwords", "[self]\nsynonyms = [\"我单位\"]\nwords", "self.synonyms", "unknown key"),
    ('not_name_starts = "', 'not_name_starts = ["全"] # "', "org.not_name_starts", "expected a string of characters"),
    ("run_in = '(?:^|", "run_in = '((?:^|", "title.run_in", "bad regular expression"),
])
def test_meta_rule_errors_name_file_key_and_line(tmp_path, old, new, key, problem):
    from extractors import RulesError, load_rules

    rules = _rules_copy(tmp_path)
    line = _edit(rules / "meta.toml", old, new)
    with pytest.raises(RulesError) as info:
        load_rules(rules)
    err = info.value
    assert err.file.endswith("meta.toml") and err.key == key, str(err)
    assert problem in str(err)
    assert err.line in (line, line + 1), str(err)


def test_a_run_in_pattern_without_its_group_is_refused(tmp_path):
    from extractors import RulesError

    rules = _rules_copy(tmp_path)
    _edit(rules / "meta.toml", "(?P<title>", "(")
    from extractors import load_rules

    with pytest.raises(RulesError, match=r"meta.toml:\d+: title.run_in: .*group named 'title'"):
        load_rules(rules)


FULL_FORM_TEXT = ("发布机构：万州区卫生健康委\n2025年，万州区卫生健康委员会坚持依法行政，结合我委实际推进法治建设。"
                  "现将有关情况报告如下：\n" + BODY)


def test_document_meta_reads_the_meta_rules_of_the_rules_folder_it_is_given(tmp_path):
    from extractors import load_rules

    assert meta(FULL_FORM_TEXT).org == "万州区卫生健康委员会"
    rules = _rules_copy(tmp_path)
    _edit(rules / "meta.toml", '"委" = "委员会", ', "")
    assert document_meta(FULL_FORM_TEXT, rules=rules).org == "万州区卫生健康委"
    assert document_meta(FULL_FORM_TEXT, rules=load_rules(rules)).org == "万州区卫生健康委"
    # and the bundled rules are untouched by the call
    assert meta(FULL_FORM_TEXT).org == "万州区卫生健康委员会"


def test_a_meta_rule_edit_changes_the_ruleset_id(tmp_path):
    from extractors import load_rules

    same = _rules_copy(tmp_path / "same")
    assert load_rules(same).version == load_rules().version
    rules = _rules_copy(tmp_path / "edited")
    _edit(rules / "meta.toml", 'clock = ["今天是",', 'clock = ["今天是", "当前日期",')
    assert load_rules(rules).version != load_rules().version


def test_extraction_keeps_the_body_out_of_subjects_with_the_meta_rules_it_is_given(tmp_path):
    """``extract(text, rules=folder)`` finds the reporting body with that folder's meta.toml too: the
    body is no part of a subject (鹤山街法律顾问审查合同 -> 法律顾问审查合同) only when its rules know it."""
    from extractors import extract

    text = "2024年，鹤山街坚持以习近平法治思想为指导，全面推进依法行政。\n一、主要举措\n鹤山街法律顾问审查合同35份。"
    assert [r.subject for r in extract(text)] == ["法律顾问审查合同"]
    rules = _rules_copy(tmp_path)
    _edit(rules / "meta.toml", 'short_suffixes = ["街"]', "short_suffixes = []")
    assert document_meta(text, rules=rules).org is None
    assert [r.subject for r in extract(text, rules=rules)] == ["鹤山街法律顾问审查合同"]


def test_a_body_in_traditional_characters_is_kept_out_of_subjects_when_given():
    """The identity's org is in the text's own script (青龍鎮); given to ``extract`` (as the documents
    stage does) it is kept out of subjects like the body ``extract`` finds itself."""
    from extractors import extract

    text = "2024年，青龍鎮堅持以習近平法治思想為指導，全面推進依法行政。\n一、主要舉措\n青龍鎮法律顧問審查合同35份。"
    org = document_meta(text).org
    assert org == "青龍鎮"
    assert [r.subject for r in extract(text, org=org)] == [r.subject for r in extract(text)] == ["法律顧問審查合同"]


def test_a_title_led_by_its_document_number_names_the_city_not_the_office_that_issued_it():
    # a disclosure page: the issuing office in the metadata list, the title led by its 文号
    text = ("- 发文机关: 某某市人民政府办公室\n- 发布时间: 2026-02-20\n"
            "- 标题: [某政发〔2026〕5号]安康市人民政府关于2025年法治政府建设情况的报告\n"
            "[某政发〔2026〕5号]安康市人民政府关于2025年法治政府建设情况的报告\n市委：\n"
            "2025年，市政府坚持依法行政，全年办理行政复议案件35件。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.report_year, m.published) == ("安康市", "title", 2025, "2026-02-20")
    # a number in brackets of the other kind, no brackets round it
    m = meta("某府发〔2025〕12号 宁陵县人民政府关于2024年度法治政府建设情况的报告\n" + BODY)
    assert (m.org, m.report_year) == ("宁陵县", 2024)


def test_the_date_a_report_was_delivered_under_its_title_without_a_dash():
    text = ("阿巴嘎旗人民政府2024年度法治政府建设情况报告\n"
            "2025年3月12日在阿巴嘎旗第十六届人民代表大会\n常务委员会第二十次会议上\n"
            "主任、各位副主任、委员：\n现将我旗2024年法治政府建设情况报告如下：\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.published) == ("阿巴嘎旗", 2024, "2025-03-12")
    # a date that opens a sentence of the body is no such line, with or without its punctuation
    m = meta("阿巴嘎旗人民政府2024年度法治政府建设情况报告\n2024年3月12日在旗政府召开专题会议，部署全年工作。\n" + BODY)
    assert m.published is None
    m = meta("阿巴嘎旗人民政府2024年度法治政府建设情况报告\n2024年3月12日在旗政府召开专题会议\n" + BODY)
    assert m.published is None


def test_a_city_department_that_names_its_city_only_in_a_slogan():
    # no title, the bureau names itself 市…局 and 我局; its city appears only as 美丽某某
    text = ("一、2025年法治政府建设工作情况\n2025年，在市委、市政府领导下，市自然资源局始终坚持依法行政，"
            "为建设美丽泉州提供法治保障。我局全年办理行政复议案件5件。\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.level) == ("泉州市自然资源局", 2025, "department")
    # 美丽 before a word that is no city names nothing
    m = meta("2025年，市自然资源局始终坚持依法行政，建设美丽乡村。我局全年办理行政复议案件5件。\n" + BODY)
    assert m.org is None


def test_an_autonomous_county_named_by_a_three_character_short_form():
    # 我县 only, the county named in the title of its own plan by its short form (阿克塞县 for
    # 阿克塞哈萨克族自治县): the place name is the part before the peoples, not its first two characters
    text = ("2024年，我县法治政府建设工作在县委的坚强领导下扎实推进，全面落实《阿克塞县法治政府建设实施方案》，"
            "全年办理行政复议案件3件。\n" + BODY)
    m = meta(text)
    assert (m.org, m.report_year, m.level) == ("阿克塞县", 2024, "county")
    assert (resolve("阿克塞县").division, resolve("阿克塞县").code) == ("阿克塞哈萨克族自治县", "620924")


def test_a_genre_in_the_page_s_information_list_is_not_the_title():
    # a bulleted information list (索引号, 主题, 体裁 工作报告, 发布机构, dates), then the title
    text = ("  • 115000000000000000/2024-00011\n  • 法制\n  • 工作报告\n  • 某某区司法局\n  • 2024-03-22\n\n"
            "重庆市璧山区2023年法治政府建设工作报告\n\n2023年，在区委的坚强领导下，区政府坚持依法行政。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.title) == ("璧山区", "title", "重庆市璧山区2023年法治政府建设工作报告")


def test_a_province_whose_opening_names_the_whole_province_after_its_lead_in_clauses():
    # no title, no 我省: the subject is 全省各级政府及其组成部门 after two 在…下 clauses; the province is
    # named only in a phrase (对浙江工作重要指示)
    text = ("2024年，在党中央坚强领导下，在省委高度重视和省人大监督下，全省各级政府及其组成部门坚持依法行政，"
            "深入贯彻习近平总书记对浙江工作重要指示精神，全年办理行政复议案件1200件。现将有关情况报告如下。\n" + BODY)
    m = meta(text)
    assert (m.org, m.level, m.report_year) == ("浙江省", "province", 2024)
    # a department's system is still no whole area
    m = meta("2024年，在市委领导下，全市市场监管部门坚持依法行政，全年办理案件12件。\n" + BODY)
    assert (m.org, m.level) == (None, None)


def test_a_title_line_with_its_date_after_a_space():
    text = "2024年度凉城街道法治政府建设工作情况报告 2025-02-28\n\n2024年凉城街道坚持依法行政。\n" + BODY
    m = meta(text)
    assert (m.org, m.published, m.title) == ("凉城街道", "2025-02-28", "2024年度凉城街道法治政府建设工作情况报告")
    # a line of the body that ends in a date gives none
    m = meta("凉城街道2024年度法治政府建设工作情况报告\n2024年凉城街道召开专题会议的通知已于 2025-02-28\n" + BODY)
    assert m.published is None


def test_an_open_government_report_whose_year_led_paragraph_abbreviates_the_department():
    # the boilerplate opening names only the site; the first year-led paragraph says 市水利局
    text = ("本报告根据《中华人民共和国政府信息公开条例》编制，所列数据的统计期限自2024年1月1日起至2024年12月31日止。"
            "本报告电子版可在绵阳市水利局门户网站查阅。\n一、总体情况\n"
            "2024年，市水利局按照全市政务公开工作要点要求，坚持以习近平新时代中国特色社会主义思想为指导，"
            "不断提升政府信息公开质量。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.report_year, m.level, m.parent_org) == (
        "绵阳市水利局", "self", 2024, "department", "绵阳市")


def test_a_verb_before_zhen_dangwei_is_no_town_even_as_an_entity():
    # 强化镇党委的… : the NER stage may call 强化镇 a place; a verb starts no town's name
    text = ("2024年，全镇坚持以习近平法治思想为指导，推进法治政府建设。现将有关情况报告如下：\n"
            "一是健全领导小组。强化镇党委的领导作用，把法治建设摆在突出位置。\n" + BODY + "本镇全年调处纠纷15件。")
    start = text.index("强化镇")
    ents = [{"label": "GPE", "text": "强化镇", "start": start, "end": start + 3}]
    m = meta(text, entities=ents)
    assert m.org is None
    ents = [{"label": "GPE", "text": "石桥镇", "start": start, "end": start + 3}]
    assert meta(text.replace("强化镇", "石桥镇"), entities=ents).org == "石桥镇"


def test_a_county_named_only_in_its_slogans_after_a_county_government_opening():
    # 县政府 speaks; the county's one-character name is written only in 平安某县 / 法治某县
    text = ("2023年，在县委的坚强领导下，县政府坚持以习近平法治思想为指导，全面推进依法行政。\n"
            "一、强化组织领导\n统筹推进平安息县、法治息县建设，全年召开专题会议6次。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.level) == ("息县", "self", "county")
    # a slogan that names no county (平安建设) gives none
    assert meta(text.replace("平安息县、法治息县", "平安建设、法治建设")).org is None


def test_a_framing_sentence_about_the_year_before_the_province_government_speaks():
    # 2022年是…的一年。 first; the next sentence's 省政府 is the body, the province named by its short form
    text = ("省人民政府关于2022年法治政府建设情况的报告\n"
            "2022年是甘肃发展进程中极为关键的一年。在党中央、国务院和省委的坚强领导下，省政府深入学习贯彻"
            "习近平法治思想，推动甘肃法治政府建设迈上新台阶。现将有关情况报告如下。\n" + BODY)
    m = meta(text)
    assert (m.org, m.level, m.report_year) == ("甘肃省", "province", 2022)


def test_our_bureau_names_itself_by_level_and_department_and_its_district_by_its_plan():
    # 我局 opens; later 。区司法局党委书记… ; two districts named once each, one in its own plan's title
    text = ("2023年，我局坚持以习近平新时代中国特色社会主义思想为指导，在区委、区政府的正确领导下，"
            "为全区高质量发展提供法治保障。现将我局2023年法治政府建设情况报告如下。\n"
            "一是强化学习。区司法局党委书记、局长带队到江北区学习法治政府建设经验。\n"
            "二是完善制度。拟定《璧山区法治政府建设实施方案(2023-2025)》。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.level, m.parent_org) == ("璧山区司法局", "self", "department", "璧山区")
    # with neither district in a document's title, no guess between the two
    assert meta(text.replace("《璧山区法治政府建设实施方案(2023-2025)》", "实施方案，赴璧山区调研")).org is None


def test_our_city_naming_only_a_city_it_acts_on_is_no_city():
    # 我市 speaks; the one city the text names is what it acts on (将某市…), by the rules and as an entity
    text = ("2022年，我市坚持以习近平法治思想为指导，全面推进依法行政。\n"
            "一、深化改革\n在全省率先开展相对集中行政许可权改革，将胶州市18个部门的审批事项划转到位。\n" + BODY)
    start = text.index("胶州市")
    ents = [{"label": "GPE", "text": "胶州市", "start": start, "end": start + 3}]
    assert meta(text).org is None
    assert meta(text, entities=ents).org is None
    # named as the body (胶州市坚持…), it is the body
    text2 = text.replace("我市坚持", "胶州市坚持")
    assert meta(text2).org == "胶州市"


def test_a_street_by_its_short_form_in_a_title_run_into_the_body():
    # the page lost its line breaks and keeps a space around each year; the street calls itself 某某街
    # throughout, its full name 某某街道 once, inside a letter's title
    text = ("东湖街2023年法治政府建设情况.docx\n"
            "东湖街 2023 年法治政府建设情况报告 2023 年,在区委、区政府的正确领导下,东湖街严格依法行政,"
            "深入推进法治政府建设,现将工作情况报告如下: 一、主要举措 东湖街成立法治政府建设领导小组,"
            "向居民发出“东湖街道致辖区居民的一封信”,全年开展普法活动12场。")
    m = meta(text)
    assert (m.org, m.org_from, m.title) == ("东湖街", "title", "东湖街 2023 年法治政府建设情况报告")
    # a street that writes its full name as often as the short form is named in full
    m = meta(text.replace("东湖街严格", "东湖街道严格").replace("东湖街成立", "东湖街道成立"))
    assert m.org == "东湖街道"


def test_a_title_broken_after_guanyu_under_the_page_chrome():
    # the site's banner and breadcrumb, then 某某市人民政府关于 / 2023年度…的报告 on two lines
    text = ("无障碍 登录| 注册\n政务服务 中国政府网 省政府网 English\n关闭\n\n当前位置:  首页 >  政务 >  通知公告\n\n"
            "通化市人民政府关于\n2023年度法治政府建设情况的报告\n\n时间:2024-03-28 09:30 来源:\n\n"
            "2023年,市政府坚持以习近平新时代中国特色社会主义思想为指导,全面推进依法行政。\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.title, m.published) == (
        "通化市", "title", "通化市人民政府关于2023年度法治政府建设情况的报告", "2024-03-28")


def test_a_report_whose_copy_cut_its_year_takes_the_year_of_its_annual_plan():
    # the opening lost its year (年，我市坚持…); no year anywhere but in the titles of documents
    text = ("年,我市坚持以习近平法治思想为指导,全面推进依法行政。现将工作情况报告如下。\n"
            "一、主要举措\n制定《宜春市法治政府建设工作要点》,印发《宜春市2022年法治政府建设工作要点》,"
            "全年办理行政复议案件31件。\n")
    m = meta(text)
    assert (m.report_year, m.report_year_from) == (2022, "plan")
    # a plan's range is no plan of one year, and two years' plans are no answer
    assert meta(text.replace("2022年法治", "2021-2025年法治")).report_year is None
    assert meta(text.replace("制定《宜春市法治政府", "制定《宜春市2021年法治政府")).report_year is None


def test_a_department_named_before_a_comma_in_the_opening():
    # …领导下，某某市林业和草原局，以…为目标: the subject with a comma before what it does
    text = ("2024年,在市委、市政府的正确领导下,姚安县林业和草原局,以全面推进依法行政为目标,切实抓好法治政府建设。"
            "现将有关工作情况报告如下:\n" + BODY)
    m = meta(text)
    assert (m.org, m.org_from, m.level, m.parent_org) == ("姚安县林业和草原局", "opening", "department", "姚安县")


def test_the_date_of_a_covering_letter_under_the_title():
    # 省委、省政府： a letter sending the report, signed 某某委 / 2024年3月8日, then the report itself
    text = ("江西省卫生健康委关于2023年度法治政府建设情况的报告\n赣卫〔2024〕5号\n省委、省政府:\n"
            "根据有关规定,现呈送我委2023年度法治政府建设情况报告,请审阅。\n江西省卫生健康委\n2024年3月12日\n"
            "江西省卫生健康委2023年度法治政府建设情况报告\n2023年,省卫生健康委坚持依法行政。\n" + BODY)
    m = meta(text)
    assert (m.published, m.published_from, m.org) == ("2024-03-12", "signature", "江西省卫生健康委")


def test_the_addressee_of_a_report_sent_up_is_not_its_sender():
    # 中共某某市委、某某市人民政府： heads the report; the district speaks only as 我区
    text = ("中共景德镇市委、景德镇市人民政府:\n"
            "2022年,我区坚持以习近平法治思想为指导,全面推进依法行政,现将有关情况报告如下。\n" + BODY)
    assert meta(text).org is None


def test_the_report_name_its_signer_and_date_on_one_closing_line():
    text = ("2019年,面对复杂严峻的形势,我局全面推进依法统计依法治统。\n" + BODY
            + "某某市统计局2019年度法治政府建设情况报告 某某市统计局 2020-06-08\n")
    text = text.replace("某某市", "无锡市")
    m = meta(text)
    assert (m.published, m.published_from) == ("2020-06-08", "date_line")
    # a sentence that ends in a date is no such line
    assert meta(text.replace("情况报告 无锡市统计局 2020-06-08", "情况报告已于 2020-06-08")).published is None

"""Document metadata from the forms these reports take."""
import pytest

from extractors import document_meta
from extractors.meta import parse_date


@pytest.mark.parametrize("text, org, year, published, title", [
    # title line naming body and year; no date
    ("2023年度观音堂镇法治政府建设工作报告\n\n2023年以来，在区委的领导下，我镇坚持依法行政。观音堂镇……观音堂镇",
     "观音堂镇", 2023, None, "2023年度观音堂镇法治政府建设工作报告"),
    # title, then the date in brackets with the body
    ("大寺镇2021年度法治政府建设情况报告\n\n（大寺镇  2021.12.18）\n今年以来，大寺镇党委坚持……",
     "大寺镇", 2021, "2021-12-18", "大寺镇2021年度法治政府建设情况报告"),
    # signer and date at the top, no title: signed in January, covers the year before
    ("徂汶景区党工委、管委会\n2024年1月20日\n2023年,在市委、市政府的坚强领导下,徂汶景区党工委深入学习。",
     "徂汶景区", 2023, "2024-01-20", None),
    # no title; the town named in the body; signature and date at the bottom
    ("我镇按照工作部署推进法治建设。制定了《桥头镇2019年依法治镇工作实施方案》,调整了桥头镇依法治镇领导小组。"
     "\n二、存在问题\n依法治镇工作仍需加强。\n东莞市司法局桥头分局\n2019年12月2日\n- 相关新闻",
     "桥头镇", 2019, "2019-12-02", None),
    # Chinese-numeral date line
    ("某某街道2020年法治政府建设年度报告\n正文。\n某某街道办事处\n二〇二一年一月五日",
     "某某街道", 2020, "2021-01-05", "某某街道2020年法治政府建设年度报告"),
])
def test_document_meta(text, org, year, published, title):
    meta = document_meta(text)
    assert (meta.org, meta.report_year, meta.published, meta.title) == (org, year, published, title)


@pytest.mark.parametrize("title, org", [
    ("某某区人民政府关于2023年法治政府建设情况的报告", "某某区"),
    ("某某市司法局2023年法治政府建设年度报告", "某某市司法局"),          # a department reports
    ("某某街道办事处2020年法治政府建设年度报告", "某某街道"),
    ("中共某某县委 某某县人民政府关于2023年度法治政府建设情况的报告", "某某县"),
    ("徂汶景区党工委、管委会2023年法治建设报告", "徂汶景区"),
])
def test_org_from_the_title(title, org):
    assert document_meta(title + "\n正文。").org == org


@pytest.mark.parametrize("s, iso", [
    ("2019年12月2日", "2019-12-02"), ("2021.12.18", "2021-12-18"), ("2024-01-20", "2024-01-20"),
    ("二〇二四年一月二十日", "2024-01-20"), ("二○一九年十二月二日", "2019-12-02"), ("2019年13月2日", None),
])
def test_parse_date(s, iso):
    assert parse_date(s) == iso

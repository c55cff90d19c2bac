"""Identity through the pipeline (issue 14): the page's metadata kept through cleaning, the
identity columns of ``documents``, and users' corrections from sources files and a CSV."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi.cli import app
from fazhi.ingest.html import main_text, page_meta
from fazhi.ingest.sources import SourcesFileError, expand_sources, read_sources_toml, stored_source
from fazhi.lake.store import Lake
from fazhi.pipeline import stages
from fazhi.pipeline.identity import CorrectionsError, read_corrections

# A report page of a county department as its CMS publishes it: the identity is in the
# meta tags and the publication line, the text says only 我局.
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="SiteName" content="岳西县人民政府">
<meta name="ColumnName" content="法治政府建设年度报告">
<meta name="ArticleTitle" content="关于2023年度法治政府建设情况的报告">
<meta name="PubDate" content="2024-02-20 09:15">
<meta name="ContentSource" content="岳西县市场监督管理局">
<title>关于2023年度法治政府建设情况的报告_岳西县人民政府</title></head>
<body><div class="header">岳西县人民政府 今天是：2024年3月1日 星期五</div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设年度报告</div>
<div class="article"><h1>关于2023年度法治政府建设情况的报告</h1>
<div class="info"><span>发布时间：2024-02-20</span><span>来源：岳西县市场监督管理局</span><span>浏览次数：35</span></div>
<div id="zoom"><p>2023年，我局在县委、县政府的坚强领导下，坚持依法行政，全年办理行政许可事项860余件，办结率100%。现将有关情况报告如下：</p>
<p>一、主要举措和成效</p><p>（一）强化组织领导。召开党组会议专题研究法治建设4次。</p></div></div>
<div class="footer">主办：岳西县人民政府办公室</div></body></html>"""


def test_page_meta_is_kept_but_not_in_the_text():
    meta = page_meta(PAGE)
    assert meta["site_name"] == "岳西县人民政府"
    assert meta["pub_date"].startswith("2024-02-20")
    assert meta["content_source"] == "岳西县市场监督管理局"
    assert "发布时间：2024-02-20" in meta["info"] and "来源：岳西县市场监督管理局" in meta["info"]
    assert meta["breadcrumb"].startswith("当前位置")
    text = main_text(PAGE)
    assert "发布时间" not in text and "浏览次数" not in text and "今天是" not in text


def test_spaced_out_labels_of_an_information_table_are_kept_and_read():
    """A 政务公开 table pads its labels with spaces (发 布 机 构, 发 文 日 期): still the page's metadata."""
    from extractors import document_meta

    page = ("<html><body><table><tr><td>索 引 号:</td><td>000000000/2023-00123</td></tr>"
            "<tr><td>发 布 机 构:</td><td>浙江省人民政府</td><td>发 文 日 期:</td><td>2023-03-30</td></tr></table>"
            "<div><h1>浙江省2022年度法治政府建设情况报告</h1><p>2022年，全省各级政府坚持依法行政，"
            "法治政府建设取得新成效。省政府常务会议学法4次。</p></div></body></html>")
    meta = page_meta(page)
    assert "发 文 日 期: 2023-03-30" in meta["info"]
    m = document_meta(main_text(page), meta)
    assert (m.published, m.published_from, m.org) == ("2023-03-30", "meta", "浙江省")


def test_clean_and_extract_carry_the_page_meta_into_the_documents_row(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(PAGE, encoding="utf-8")
    cleaned = stages.clean(stages.ingest(str(page), tmp_path / "lake"))
    assert cleaned.meta["site_name"] == "岳西县人民政府"
    doc = stages.extract(cleaned).document
    assert (doc["org"], doc["org_from"]) == ("岳西县市场监督管理局", "meta")
    assert (doc["report_year"], doc["report_year_from"]) == (2023, "title")
    assert (doc["published"], doc["published_from"]) == (dt.date(2024, 2, 20), "meta")
    assert (doc["level"], doc["parent_org"], doc["division_code"]) == ("department", "岳西县", "340828")
    assert json.loads(doc["page_meta"])["content_source"] == "岳西县市场监督管理局"


# ------------------------------------------------------------------ sources files

def test_sources_toml_gives_identity_per_source_and_per_listing(tmp_path):
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    f = tmp_path / "s.toml"
    f.write_text('sources = ["https://www.example.gov.cn/1.html",\n'
                 '  {url = "https://www.example.gov.cn/2.html", org = "云溪镇", report_year = 2023},\n'
                 '  {path = "a.txt", published = 2024-03-29}]\n'
                 '[[listing]]\nurl = "https://www.example.gov.cn/list.html"\norg = "梅溪区卫生健康局"\n',
                 encoding="utf-8")
    spec = read_sources_toml(f)
    assert spec.identity["https://www.example.gov.cn/2.html"] == {"org": "云溪镇", "report_year": 2023}
    assert spec.identity[str(tmp_path / "a.txt")] == {"published": "2024-03-29"}
    assert spec.identity["https://www.example.gov.cn/list.html"] == {"org": "梅溪区卫生健康局"}
    assert "https://www.example.gov.cn/1.html" not in spec.identity


@pytest.mark.parametrize("entry", [
    '{url = "https://x.gov.cn/1.html", report_year = "2023"}',
    '{url = "https://x.gov.cn/1.html", published = "2024-3-1"}',
    '{url = "https://x.gov.cn/1.html", orgname = "某镇"}',
    '{org = "某镇"}',
])
def test_sources_toml_rejects_bad_identity(tmp_path, entry):
    f = tmp_path / "s.toml"
    f.write_text(f"sources = [{entry}]\n", encoding="utf-8")
    with pytest.raises(SourcesFileError):
        read_sources_toml(f)


def test_expanded_sources_carry_their_identity(tmp_path):
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("正文。", encoding="utf-8")
    f = tmp_path / "s.toml"
    f.write_text('sources = [{path = "a.txt", org = "云溪镇"}, "b.txt"]\n', encoding="utf-8")
    got = expand_sources([str(f)])
    a, b = (str((tmp_path / n).resolve()) for n in ("a.txt", "b.txt"))
    assert list(got) == [a, b]
    assert got.identity == {a: {"org": "云溪镇"}}


# ------------------------------------------------------------------ corrections CSV

def test_read_corrections(tmp_path):
    f = tmp_path / "fix.csv"
    f.write_text("\ufeffdoc_id,org,report_year,published,title\nd1,云溪镇,2023,2024年1月5日,\nd2,,2022,,\n",
                 encoding="utf-8")
    assert read_corrections(f) == {"d1": {"org": "云溪镇", "report_year": 2023, "published": "2024-01-05"},
                                   "d2": {"report_year": 2022}}


@pytest.mark.parametrize("body", ["org,report_year\n某镇,2023\n", "doc_id,report_year\nd1,二〇二三\n",
                                  "doc_id,published\nd1,soon\n", "doc_id,orgname\nd1,某镇\n"])
def test_bad_corrections_are_refused(tmp_path, body):
    f = tmp_path / "fix.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(CorrectionsError):
        read_corrections(f)


def test_cli_refuses_a_bad_corrections_file_before_reading_documents(tmp_path):
    f = tmp_path / "fix.csv"
    f.write_text("org\n某镇\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["run", str(tmp_path), "--lake", str(tmp_path / "lake"), "--corrections", str(f)])
    assert res.exit_code == 2, res.output
    assert not (tmp_path / "lake").exists()


# ------------------------------------------------------------------ end to end

TOWN = ("2024年，云溪镇认真贯彻落实上级关于法治建设的决策部署，扎实推进依法行政。现将有关情况报告如下：\n"
        "一、主要举措\n全年办理行政复议案件12件，开展普法宣传活动20余场。\n")
WOJU = ("2023年，我局坚持依法行政，各项工作取得新进展。现将有关情况报告如下：\n"
        "一、主要举措\n全年办理行政许可事项900余件。\n")


def test_run_with_overrides_and_corrections_then_reextract_keeps_them(prefect_server, tmp_path):
    from fazhi.ids import doc_id
    from flows.pipeline import reextract_pipeline, run_pipeline

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "town.txt").write_text(TOWN, encoding="utf-8")
    (docs / "ju.txt").write_text(WOJU, encoding="utf-8")
    toml = tmp_path / "sources.toml"
    toml.write_text('sources = [{path = "docs/town.txt", report_year = 2023, published = 2024-01-10},'
                    ' "docs/ju.txt"]\n', encoding="utf-8")
    # the doc_ids the lake gives these files (of their stored form)
    ids = {Path(str(s)).name: doc_id(stored_source(s)) for s in expand_sources([str(toml)])}
    fix = tmp_path / "fix.csv"
    fix.write_text(f"doc_id,org\n{ids['ju.txt']},龙岩市永定区卫生健康局\n", encoding="utf-8")

    lake = tmp_path / "lake"
    result = run_pipeline(sources=[str(toml)], lake=str(lake), corrections=str(fix))
    assert not result.failures
    rows = {d["name"]: d for d in Lake(lake).read("documents").to_pylist()}
    town, dept = rows["town.txt"], rows["ju.txt"]
    assert (town["org"], town["org_from"]) == ("云溪镇", "opening")          # extracted
    assert (town["report_year"], town["report_year_from"]) == (2023, "override")
    assert (town["published"], town["published_from"]) == (dt.date(2024, 1, 10), "override")
    assert (dept["org"], dept["org_from"]) == ("龙岩市永定区卫生健康局", "override")
    assert (dept["division_code"], dept["level"], dept["parent_org"]) == ("350803", "department", "永定区")
    assert (dept["report_year"], dept["report_year_from"]) == (2023, "opening")

    # re-extraction reads the identity again but keeps what the user corrected
    con = Lake(lake).connect()
    try:
        seen = con.execute("SELECT name, org_from FROM documents ORDER BY name").fetchall()
    finally:
        con.close()
    assert seen == [("ju.txt", "override"), ("town.txt", "opening")]

    rules = tmp_path / "rules"
    import shutil

    from extractors.ruleset import DEFAULT_RULES_DIR

    shutil.copytree(DEFAULT_RULES_DIR, rules)
    with open(rules / "units.toml", "a", encoding="utf-8") as f:
        f.write("\n# a change that makes a new rule set\n")
    fix2 = tmp_path / "fix2.csv"
    fix2.write_text(f"doc_id,title\n{ids['town.txt']},云溪镇2024年法治政府建设情况报告\n",
                    encoding="utf-8")
    rep = reextract_pipeline(lake=str(lake), rules=str(rules), corrections=str(fix2))
    assert rep.stats["extracted"] == 2 and not rep.failures
    rows = {d["name"]: d for d in Lake(lake).read("documents").to_pylist()}
    assert (rows["ju.txt"]["org"], rows["ju.txt"]["org_from"]) == ("龙岩市永定区卫生健康局", "override")
    assert rows["town.txt"]["report_year_from"] == "override" and rows["town.txt"]["report_year"] == 2023
    assert (rows["town.txt"]["title"], rows["town.txt"]["title_from"]) == ("云溪镇2024年法治政府建设情况报告", "override")


def test_a_runs_rules_folder_gives_its_meta_rules_to_the_identity(tmp_path):
    """``fazhi run --rules my-rules``: the identity is read with my-rules/meta.toml too, and says so
    in the rule-set id of the documents row."""
    import shutil

    from extractors.ruleset import DEFAULT_RULES_DIR

    page = tmp_path / "report.txt"
    page.write_text("发布机构：万州区卫生健康委\n2025年，万州区卫生健康委员会坚持依法行政，结合我委实际推进法治建设。"
                    "现将有关情况报告如下：\n一、主要举措\n我委召开党委会专题研究法治工作3次。\n", encoding="utf-8")
    rules = tmp_path / "my-rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    meta_file = rules / "meta.toml"
    meta_file.write_text(meta_file.read_text(encoding="utf-8").replace('"委" = "委员会", ', "", 1), encoding="utf-8")

    cleaned = stages.clean(stages.ingest(str(page), tmp_path / "lake"))
    bundled, mine = stages.extract(cleaned).document, stages.extract(cleaned, rules=str(rules)).document
    assert bundled["org"] == "万州区卫生健康委员会"
    assert mine["org"] == "万州区卫生健康委"
    assert mine["ruleset"] != bundled["ruleset"]


def test_the_site_named_at_the_end_of_the_page_title_gives_a_departments_province(tmp_path):
    """No SiteName meta tag, a text that says only 省司法厅: the ``<title>`` ends with the site."""
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<title>2022年法治政府建设年度报告_广西壮族自治区司法厅网站</title></head><body><div id='zoom'>"
            "<p>2022年，厅党委坚持以习近平法治思想为指导，扎实推进依法行政，法治政府建设取得新成效。</p>"
            "<p>一、主要举措</p><p>我厅全年办理行政复议案件120件。</p></div></body></html>")
    assert page_meta(html)["site_name"] == "广西壮族自治区司法厅"
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    doc = stages.extract(stages.clean(stages.ingest(str(page), tmp_path / "lake"))).document
    assert (doc["org"], doc["org_from"]) == ("广西壮族自治区司法厅", "self")
    assert (doc["level"], doc["parent_org"], doc["division_code"]) == ("department", "广西壮族自治区", "450000")

"""The ``tables`` table and ``records.cell``: a run keeps every table whole, and a researcher can rebuild it."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from fazhi.cli import app
from fazhi.lake.store import Lake

HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>某某街道2023年法治政府建设年度报告</title></head>
<body><div id="zoom"><p>某某街道2023年法治政府建设年度报告</p>
<p>全年共受理群众诉求1,260件，办结率98.6%。</p>
<table><caption>表1 各社区矛盾纠纷调处情况</caption>
<tr><th>社区</th><th>排查纠纷（件）</th><th>调处成功（件）</th></tr>
<tr><td>东湖社区</td><td>46</td><td>44</td></tr>
<tr><td>西岭社区</td><td>31</td><td>31</td></tr></table>
<p>开展法治讲座12场。</p></div></body></html>"""

TEXT = """某某镇2023年法治政府建设年度报告
一、行政执法情况
行政处罚 | 行政检查 | 罚没金额(万元) |
单位：件 | 次 | |
58 | 233 | 12.4 |
二、存在的问题
"""


def _sql(lake, q):
    res = CliRunner().invoke(app, ["sql", q, "--lake", str(lake), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_tables_in_the_lake_and_records_point_at_their_cells(prefect_server, tmp_path):
    from flows.pipeline import run_pipeline

    src = tmp_path / "in"
    src.mkdir()
    (src / "street.html").write_text(HTML, encoding="utf-8")
    (src / "town.txt").write_text(TEXT, encoding="utf-8")
    lake = tmp_path / "lake"
    result = run_pipeline(sources=[str(src)], lake=str(lake))
    assert not result.failures

    tables = _sql(lake, "SELECT d.name, t.* FROM tables t JOIN documents d USING (doc_id, content_sha256) "
                        "ORDER BY d.name, number")
    assert [(t["name"], t["number"], t["kind"], t["n_rows"], t["n_cols"], t["caption"]) for t in tables] == [
        ("street.html", 1, "html", 3, 3, "表1 各社区矛盾纠纷调处情况"),
        ("town.txt", 1, "pipe", 3, 3, "一、行政执法情况")]
    texts = {t["doc_id"]: t["clean_text"] for t in Lake(lake).read("texts").to_pylist()}
    # every cell's span is its text in the clean text
    for t in tables:
        for c in t["cells"]:
            if c["start"] >= 0:
                assert texts[t["doc_id"]][c["start"]:c["end"]] == c["text"]

    recs = _sql(lake, "SELECT d.name, r.cell.table AS tab, r.cell.row AS row, r.cell.col AS col, r.value, r.unit, "
                      "r.subject, r.extractor, r.start, r.\"end\", r.doc_id FROM records r JOIN documents d "
                      "USING (doc_id, content_sha256) ORDER BY d.name, r.start")
    by_doc = {}
    for r in recs:
        by_doc.setdefault(r["name"], []).append(r)
    street = [(r["tab"], r["row"], r["col"], r["value"], r["unit"], r["subject"]) for r in by_doc["street.html"]
              if r["extractor"] == "table"]
    assert street == [(1, 1, 1, 46, "件", "东湖社区排查纠纷"), (1, 1, 2, 44, "件", "东湖社区调处成功"),
                      (1, 2, 1, 31, "件", "西岭社区排查纠纷"), (1, 2, 2, 31, "件", "西岭社区调处成功")]
    assert [(r["value"], r["unit"]) for r in by_doc["street.html"] if r["extractor"] == "rules"] == [
        (1260, "件"), (98.6, "%"), (12, "场")]
    town = [(r["row"], r["col"], r["value"], r["unit"]) for r in by_doc["town.txt"]]
    assert town == [(2, 0, 58, "件"), (2, 1, 233, "次"), (2, 2, 124000, "元")]

    # a record's cell is the cell of its table that holds it
    cells = {(t["doc_id"], t["number"]): {(c["row"], c["col"]): c for c in t["cells"]} for t in tables}
    for r in recs:
        if r["extractor"] == "table":
            c = cells[(r["doc_id"], r["tab"])][(r["row"], r["col"])]
            assert c["start"] <= r["start"] < r["end"] <= c["end"]

    # the same run again: the same tables, no duplicates
    run_pipeline(sources=[str(src)], lake=str(lake))
    assert _sql(lake, "SELECT count(*) AS n FROM tables") == [{"n": 2}]

    # reextract keeps the tables and gives the same records
    before = _sql(lake, "SELECT record_id FROM records ORDER BY 1")
    res = CliRunner().invoke(app, ["reextract", "--lake", str(lake)])
    assert res.exit_code == 0, res.output
    assert _sql(lake, "SELECT record_id FROM records ORDER BY 1") == before
    assert _sql(lake, "SELECT count(*) AS n FROM tables") == [{"n": 2}]

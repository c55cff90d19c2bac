"""`fazhi eval` scores like the shared scorer; `fazhi export` writes every
record with its document, in each format."""
import csv
import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_records.py"
EXTRA_GOLD = ROOT / "tests" / "gold" / "extra"
runner = CliRunner()


def _fazhi(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def _lake_rows(lake, sql):
    return json.loads(_fazhi("sql", sql, "--lake", str(lake), "--format", "json"))


@pytest.mark.skipif(not SCORER.exists(), reason="needs ../shared/tools/score_records.py")
def test_eval_gives_the_shared_scorers_figures(sample_run):
    lake, _ = sample_run
    ours = json.loads(_fazhi("eval", "--gold", str(EXTRA_GOLD), "--lake", str(lake), "--json"))
    spec = importlib.util.spec_from_file_location("score_records", SCORER)
    shared = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shared)
    records = _lake_rows(lake, "SELECT source AS doc, type, value, unit, qualifier, direction, subject, text "
                               "FROM records ORDER BY source, start")
    docs = _lake_rows(lake, "SELECT source AS doc, org, report_year, published FROM documents")
    theirs = shared.score(str(EXTRA_GOLD), records, docs)
    for key in ("found_p_r_f1", "typed_p_r_f1", "qualifier_acc", "direction_acc", "subject_acc",
                "per_type_p_r_f1", "document_acc"):
        assert json.loads(json.dumps(theirs[key])) == ours[key], key
    assert ours["counts"]["gold"] == theirs["counts"]["gold"] > 0


def test_eval_counts_a_miss_and_a_wrong_value(sample_run, tmp_path):
    """A two-record gold file: one figure the pipeline finds, one it cannot."""
    lake, _ = sample_run
    gold = {
        "doc": "000_32e74e8d8d829c3b.txt",
        "document": {"org": "静观镇", "report_year": 2024, "published": None, "title": None},
        "records": [
            {"type": "case", "value": 87, "unit": "件", "qualifier": "exact", "direction": None,
             "subject": "信访件", "text": "87件", "context": "共办理信访件"},
            {"type": "case", "value": 88, "unit": "件", "qualifier": "exact", "direction": None,
             "subject": "信访件", "text": "88件", "context": "不存在"},
        ],
        "excluded": [],
    }
    (tmp_path / "000.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    res = json.loads(_fazhi("eval", "--gold", str(tmp_path), "--lake", str(lake), "--json"))
    n_pred = len(_lake_rows(lake, "SELECT 1 FROM records WHERE source LIKE '%000_32e74e8d8d829c3b.txt'"))
    assert res["counts"] == {**res["counts"], "gold": 2, "found": 1, "pred": n_pred}
    assert res["found_p_r_f1"][1] == 0.5
    assert res["document_acc"] == {"org": 1.0, "report_year": 1.0, "published": 1.0}
    assert [m["text"] for m in res["misses"]] == ["88件"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_has_every_record_with_its_document(sample_run, tmp_path, fmt):
    lake, _ = sample_run
    out = tmp_path / f"records.{fmt}"
    _fazhi("export", "--format", fmt, "--out", str(out), "--lake", str(lake))
    n = _lake_rows(lake, "SELECT count(*) AS n FROM records")[0]["n"]
    if fmt == "csv":
        with open(out, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    elif fmt == "parquet":
        import pyarrow.parquet as pq
        rows = pq.read_table(out).to_pylist()
    else:
        from openpyxl import load_workbook
        ws = load_workbook(out, read_only=True)["records"]
        values = list(ws.iter_rows(values_only=True))
        rows = [dict(zip(values[0], v)) for v in values[1:]]
    assert len(rows) == n > 0
    assert {"静观镇", "桥头镇", "观音堂镇", "大寺镇", "徂汶景区"} <= {r["org"] for r in rows}
    assert all(r["subject"] is not None and r["type"] for r in rows)


def test_export_rejects_an_unknown_format(sample_run, tmp_path):
    lake, _ = sample_run
    res = runner.invoke(app, ["export", "--format", "sav", "--out", str(tmp_path / "x"), "--lake", str(lake)])
    assert res.exit_code == 1 and "unknown format" in res.output

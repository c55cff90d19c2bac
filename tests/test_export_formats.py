"""``fazhi export``: one tidy table with its codebook, read back with openpyxl and pandas (Stata)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from fazhi.lake.store import Lake
from fazhi.query.export import STATA_NAMES, codebook, columns


@pytest.fixture(scope="module")
def sample_lake(sample_run):
    """The samples' lake (conftest: built without Prefect); tests do not write to it."""
    return sample_run[0]


def _export(lake, fmt, out, *extra):
    proc = subprocess.run([sys.executable, "-m", "fazhi.cli", "export", "--format", fmt, "--out", str(out),
                           "--lake", str(lake), *extra], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_tidy_table_has_the_documents_columns_first():
    names = [c for c, _ in columns()]
    assert names[:3] == ["org", "report_year", "published"] or names[0] == "org"
    for c in ("title", "name", "type", "value", "value_int", "unit", "unit_written", "kind", "display",
              "subject", "category", "doc_id", "source"):
        assert c in names
    assert all(e["description"] for e in codebook())


def test_xlsx_has_a_frozen_header_filter_widths_formats_and_a_codebook(sample_lake, tmp_path):
    from openpyxl import load_workbook

    lake = Lake(sample_lake)
    out = _export(lake.root, "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["records", "codebook"]
    ws = wb["records"]
    header = [c.value for c in ws[1]]
    assert header == [c for c, _ in columns()]
    n = lake.read("records").num_rows
    assert ws.max_row == n + 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{n + 1}"
    col = {name: i + 1 for i, name in enumerate(header)}
    letter = ws.cell(1, col["subject"]).column_letter
    assert ws.column_dimensions[letter].width > 10
    assert ws.cell(2, col["value"]).number_format == "#,##0.######"
    assert ws.cell(2, col["report_year"]).number_format == "0"
    orgs = {ws.cell(r, col["org"]).value for r in range(2, n + 2)}
    assert {"静观镇", "桥头镇", "徂汶景区"} <= orgs
    amounts = [ws.cell(r, col["display"]).value for r in range(2, n + 2) if ws.cell(r, col["type"]).value == "amount"]
    assert "282万平方米" in amounts
    book = wb["codebook"]
    rows = list(book.iter_rows(values_only=True))
    assert rows[0] == ("column", "table", "type", "description")
    assert [r[0] for r in rows[1:]] == header
    assert dict((r[0], r[3]) for r in rows[1:])["unit_written"].startswith("The unit as the report writes it")


def test_stata_dta_has_the_chinese_and_the_variable_labels(sample_lake, tmp_path):
    pd = pytest.importorskip("pandas")
    lake = Lake(sample_lake)
    out = _export(lake.root, "dta", tmp_path / "r.dta")
    with pd.io.stata.StataReader(out) as reader:
        df = reader.read()
        labels = reader.variable_labels()
        data_label = reader.data_label
    assert len(df) == lake.read("records").num_rows
    assert {"静观镇", "桥头镇", "观音堂镇", "大寺镇", "徂汶景区"} <= set(df["org"])
    assert set(df["subject"]) & set(lake.read("records").column("subject").to_pylist())
    expected = [STATA_NAMES.get(c, c) for c, _ in columns()]
    assert list(df.columns) == expected
    assert labels["kind"].startswith("What an amount measures")
    assert all(labels[c] for c in expected) and all(len(v.encode()) <= 80 for v in labels.values())
    assert "one row per statistic" in data_label
    assert df["value_int"].dropna().apply(float.is_integer).all()


def test_csv_with_and_without_a_byte_order_mark(sample_lake, tmp_path):
    with_bom = _export(sample_lake, "csv", tmp_path / "a.csv").read_bytes()
    without = _export(sample_lake, "csv", tmp_path / "b.csv", "--no-bom").read_bytes()
    assert with_bom.startswith(b"\xef\xbb\xbf") and not without.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == without
    assert "静观镇" in without.decode("utf-8")


def test_parquet_export_carries_the_descriptions(sample_lake, tmp_path):
    import pyarrow.parquet as pq

    schema = pq.read_schema(_export(sample_lake, "parquet", tmp_path / "r.parquet"))
    assert schema.field("display").metadata[b"description"].decode().startswith("The value in the report's")

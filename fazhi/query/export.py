"""One tidy table of the dataset, in the files researchers load into pandas, R, Stata or Excel.

One row per statistic (a record of the current rule set), with its
document's org, division and level (when the lake has them), report year,
publication date, title and file name first, then every column of
``records``; in document and text order. The columns are described by the
data dictionary (``schemas/dictionary.py``), which every format carries:

- ``csv``: UTF-8 with a byte order mark (Excel reads the Chinese); ``bom=False`` drops it.
- ``parquet``: the descriptions as field metadata.
- ``xlsx``: frozen header, a filter on every column, widths fitted to the
  content, number formats (thousands separators, integers, dates), and a
  ``codebook`` sheet (column, the table it comes from, type, meaning).
- ``dta``: Stata 118 (Unicode, Stata 14 and later) with the descriptions as
  variable labels (Stata keeps 80 bytes) and the table's as data label;
  long texts as strL; ``start`` and ``end`` are ``start_offset`` and ``end_offset``
  (Stata reserves ``end``).

Rows stream from DuckDB in Arrow batches for csv and parquet, so a large lake
is never held in memory whole (xlsx and dta are built in memory; Excel's own
limit is 1,048,576 rows).
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fazhi.lake.store import Lake
from schemas import TABLES
from schemas.dictionary import describe

FORMATS = ("csv", "parquet", "xlsx", "dta")
XLSX_MAX_ROWS = 1_048_575  # one row is the header
# the document's columns first, in this order, when the lake has them
DOCUMENT_COLUMNS = ("org", "division_code", "division", "level", "report_year", "published", "title", "name")
# records columns left out of the tidy table (the document's own copy is joined instead)
_SKIP_RECORD_COLUMNS = {"content_sha256"}
_STATA_STRL_MIN = 2045
# Stata reserves `end`: the offsets are start_offset and end_offset there
STATA_NAMES = {"start": "start_offset", "end": "end_offset"}


class ExportError(Exception):
    pass


def columns() -> list[tuple[str, str]]:
    """``(column, table it comes from)`` of the export, in order."""
    doc_names = TABLES["documents"].schema.names
    out = [(c, "documents") for c in DOCUMENT_COLUMNS if c in doc_names]
    taken = {c for c, _ in out}
    out += [(c, "records") for c in TABLES["records"].schema.names
            if c not in taken and c not in _SKIP_RECORD_COLUMNS]
    return out


def export_sql() -> str:
    cols = ", ".join(f'{"d" if t == "documents" else "r"}."{c}"' for c, t in columns())
    return f"""
SELECT {cols}
FROM records r
LEFT JOIN (SELECT DISTINCT ON (doc_id, content_sha256) * FROM documents) d
  ON d.doc_id = r.doc_id AND d.content_sha256 = r.content_sha256
ORDER BY d.org NULLS LAST, d.report_year NULLS LAST, r.source, r.start, r.subject
"""


def codebook() -> list[dict]:
    """``{column, table, type, description}`` of every exported column (``table``: where it comes from)."""
    from schemas.docs import duckdb_type

    return [{"column": c, "table": t, "type": duckdb_type(TABLES[t].schema.field(c).type),
             "description": describe(t, c) or ""} for c, t in columns()]


def export(lake: Lake, fmt: str, out: Path, batch_rows: int = 100_000, bom: bool = True) -> int:
    """Write the export to ``out``; returns the number of rows."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    con = lake.connect(read_only=True)
    try:
        reader = con.sql(export_sql()).to_arrow_reader(batch_rows)
        reader = pa.RecordBatchReader.from_batches(_described(reader.schema), reader)
        if fmt == "csv":
            return _csv(reader, out, bom)
        if fmt == "parquet":
            return _parquet(reader, out)
        if fmt == "xlsx":
            return _xlsx(reader, out)
        return _dta(reader.read_all(), out)
    finally:
        con.close()


def _described(schema: pa.Schema) -> pa.Schema:
    book = {c["column"]: c["description"] for c in codebook()}
    return pa.schema([f.with_metadata({"description": book[f.name]}) if book.get(f.name) else f for f in schema],
                     metadata={"description": "fazhi-extract records: one row per statistic, with its document"})


def _csv(reader: pa.RecordBatchReader, out: Path, bom: bool) -> int:
    n = 0
    with open(out, "wb") as fh:
        if bom:  # UTF-8 with BOM so that Excel opens the Chinese text correctly
            fh.write("\ufeff".encode())
        with pacsv.CSVWriter(fh, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    return n


def _parquet(reader: pa.RecordBatchReader, out: Path) -> int:
    n = 0
    with pq.ParquetWriter(out, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            n += batch.num_rows
    return n


def _number_format(t: pa.DataType, name: str) -> str | None:
    if pa.types.is_integer(t):
        return "0" if name in ("report_year", "start", "end") else "#,##0"
    if pa.types.is_floating(t):
        return "#,##0.######"
    if pa.types.is_date(t):
        return "yyyy-mm-dd"
    if pa.types.is_timestamp(t):
        return "yyyy-mm-dd hh:mm:ss"
    return None


def _width(value) -> int:
    s = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)  # CJK characters are two columns wide


def _xlsx(reader: pa.RecordBatchReader, out: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    schema = reader.schema
    batches = iter(reader)
    first = next(batches, None)
    rows_first = first.to_pylist() if first is not None else []
    if len(rows_first) > XLSX_MAX_ROWS:
        raise ExportError(f"more than {XLSX_MAX_ROWS} records do not fit in one Excel sheet: "
                          "export csv or parquet instead")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("records")
    names = schema.names
    for i, name in enumerate(names, start=1):  # widths from the header and the first rows, within 8..60
        widest = max([_width(name)] + [_width(r[name]) for r in rows_first[:2000]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    header = []
    for name in names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = bold, fill
        header.append(cell)
    ws.append(header)
    formats = {name: _number_format(schema.field(name).type, name) for name in names}
    n = 0

    def rows():
        yield from rows_first
        for batch in batches:
            yield from batch.to_pylist()

    for row in rows():
        if n >= XLSX_MAX_ROWS:
            raise ExportError(f"more than {XLSX_MAX_ROWS} records do not fit in one Excel sheet: "
                              "export csv or parquet instead")
        cells = []
        for name in names:
            value = row[name]
            fmt = formats[name]
            if fmt and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmt
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)
        n += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}{n + 1}"

    book = wb.create_sheet("codebook")
    for letter, width in zip("ABCD", (16, 12, 26, 100)):
        book.column_dimensions[letter].width = width
    book.freeze_panes = "A2"
    head = []
    for name in ("column", "table", "type", "description"):
        cell = WriteOnlyCell(book, value=name)
        cell.font, cell.fill = bold, fill
        head.append(cell)
    book.append(head)
    wrap = Alignment(wrap_text=True, vertical="top")
    for entry in codebook():
        desc = WriteOnlyCell(book, value=entry["description"])
        desc.alignment = wrap
        book.append([entry["column"], entry["table"], entry["type"], desc])
    wb.save(out)
    return n


def _dta(table: pa.Table, out: Path) -> int:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is a dependency
        raise ExportError("the Stata export needs pandas (pip install pandas)") from exc
    frame = {}
    strl = []
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            values = ["" if v is None else v for v in col.to_pylist()]
            if any(len(v.encode("utf-8")) > _STATA_STRL_MIN for v in values):
                strl.append(name)
            frame[name] = pd.Series(values, dtype=object)
        elif pa.types.is_integer(t):
            # Stata has no integer missing value in a long: a column with nulls is a double
            frame[name] = pd.Series(col.to_pylist(), dtype="float64" if col.null_count else "int64")
        elif pa.types.is_date(t):
            frame[name] = pd.to_datetime(pd.Series(col.to_pylist(), dtype=object))
        else:
            frame[name] = pd.Series(col.to_numpy(zero_copy_only=False))
    df = pd.DataFrame(frame).rename(columns=STATA_NAMES)
    labels = {STATA_NAMES.get(c["column"], c["column"]): _stata_label(c["description"]) for c in codebook()
              if STATA_NAMES.get(c["column"], c["column"]) in df.columns}
    convert_dates = {STATA_NAMES.get(name, name): "td" for name in table.column_names
                     if pa.types.is_date(table.schema.field(name).type)}
    strl = [STATA_NAMES.get(name, name) for name in strl]
    df.to_stata(out, write_index=False, version=118, variable_labels=labels, convert_dates=convert_dates,
                convert_strl=strl, data_label="fazhi-extract records: one row per statistic")
    return table.num_rows


def _stata_label(text: str) -> str:
    """Stata keeps 80 bytes of a variable label (UTF-8, in Stata 14 and later)."""
    if len(text.encode("utf-8")) <= 80:
        return text
    out = text
    while len(out.encode("utf-8")) > 77:
        out = out[:-1]
    return out.rstrip() + "…"

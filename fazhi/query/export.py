"""Records joined with their documents, in the files researchers load into
pandas, R, Stata or Excel.

One row per record of the current rule set, with the document's org,
report_year, published and title beside it, in document and text order.
Rows stream from DuckDB in Arrow batches, so a large lake is never held in
memory whole (xlsx excepted: Excel's own limit is 1,048,576 rows).
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fazhi.lake.store import Lake

FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # one row is the header

EXPORT_SQL = """
SELECT d.org, d.report_year, d.published, d.title,
       r.doc_id, r.source, r.record_id, r.type, r.value, r.unit, r.qualifier, r.direction,
       r.subject, r.category, r.text, r.start, r."end", r.sentence, r.section,
       r.extractor, r.rule, r.ruleset
FROM records r
LEFT JOIN (SELECT DISTINCT ON (doc_id, content_sha256) * FROM documents) d
  ON d.doc_id = r.doc_id AND d.content_sha256 = r.content_sha256
ORDER BY d.org NULLS LAST, d.report_year NULLS LAST, r.source, r.start, r.subject
"""


class ExportError(Exception):
    pass


def export(lake: Lake, fmt: str, out: Path, batch_rows: int = 100_000) -> int:
    """Write the export to ``out``; returns the number of rows."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    con = lake.connect(read_only=True)
    try:
        reader = con.sql(EXPORT_SQL).to_arrow_reader(batch_rows)
        if fmt == "csv":
            return _csv(reader, out)
        if fmt == "parquet":
            return _parquet(reader, out)
        return _xlsx(reader, out)
    finally:
        con.close()


def _csv(reader: pa.RecordBatchReader, out: Path) -> int:
    n = 0
    # UTF-8 with BOM so that Excel opens the Chinese text correctly
    with open(out, "wb") as fh:
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


def _xlsx(reader: pa.RecordBatchReader, out: Path) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("records")
    ws.append(reader.schema.names)
    n = 0
    for batch in reader:
        for row in batch.to_pylist():
            if n >= XLSX_MAX_ROWS:
                raise ExportError(f"more than {XLSX_MAX_ROWS} records do not fit in one Excel sheet: "
                                  "export csv or parquet instead")
            ws.append(list(row.values()))
            n += 1
    wb.save(out)
    return n

"""Run one SQL query on the lake's views and render the rows (table, CSV or JSON)."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import uuid
from typing import Any

from fazhi.lake.store import Lake


def query(lake: Lake, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows, on a read-only connection that cannot touch files (``Lake.connect``)."""
    con = lake.connect(read_only=True, sandbox=True)
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return [], []
        columns = [d[0] for d in cur.description]
        return columns, cur.fetchall()
    finally:
        con.close()


def jsonable(value: Any) -> Any:
    """A JSON-ready value: dates and times as ISO strings, NaN as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def to_json(columns: list[str], rows: list[tuple]) -> str:
    return json.dumps([{c: jsonable(v) for c, v in zip(columns, row)} for row in rows], ensure_ascii=False)


def to_csv(columns: list[str], rows: list[tuple]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else jsonable(v) for v in row])
    return buf.getvalue()

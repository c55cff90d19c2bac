"""Run SQL on the lake's views, read-only, and render the rows (table, CSV or JSON).

Two guards, each enough for the common cases and together for the rest:

1. **The statement check.** Every statement is parsed by DuckDB's own parser
   (``duckdb.extract_statements``, then ``json_serialize_sql`` for its syntax
   tree) before anything runs. Only queries pass: ``SELECT`` in all its forms
   (``WITH``, ``FROM …``, ``VALUES``, ``SHOW``, ``DESCRIBE``, ``SUMMARIZE``,
   ``PIVOT`` of a query) and ``EXPLAIN`` of one; of table functions only those
   that read nothing outside the database (``range``, ``unnest``,
   ``duckdb_columns()`` …). ``COPY``, ``ATTACH``, ``INSTALL``, ``SET``,
   ``CREATE``, ``read_csv('/etc/…')``, ``read_parquet(…)`` are refused.
2. **The sandbox** (:meth:`fazhi.lake.store.Lake.connect`): the connection may
   read only the current generation's folder, external access is off and the
   configuration is locked.

Each statement has a time limit (default 60 s) and the connection a memory
limit sized for the machine (half its memory); DuckDB spills to a folder in
the system's temp directory, never into the lake.
"""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import os
import re
import tempfile
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import duckdb

from fazhi.lake.store import Lake

DEFAULT_TIMEOUT_S = 60.0
TIMEOUT_ENV = "FAZHI_SQL_TIMEOUT"
MEMORY_ENV = "FAZHI_SQL_MEMORY"

# table functions a query may call: they read nothing but the database itself
ALLOWED_TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "json_each", "json_tree",
    "duckdb_columns", "duckdb_tables", "duckdb_views", "duckdb_schemas", "duckdb_types",
    "duckdb_functions", "duckdb_keywords", "duckdb_constraints", "duckdb_databases",
    "pragma_table_info", "pragma_show", "pragma_version", "pragma_storage_info", "test_all_types",
})
# scalar functions that reach outside the database
REFUSED_FUNCTIONS = frozenset({"getenv", "read_text", "read_blob", "query", "query_table", "sqlite_scan",
                               "duckdb_secrets", "which_secret", "load_extension"})
_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:\(\s*[^)]*\)\s*)?(?:ANALY[SZ]E\s+)?", re.IGNORECASE)


class StatementRefused(duckdb.PermissionException):
    """A statement that is not a read-only query: refused before it runs."""


class StatementTimeout(duckdb.InterruptException):
    """A statement that ran past the time limit (it was interrupted)."""


@dataclass
class Result:
    statement: str
    columns: list[str]
    rows: list[tuple]


def memory_limit() -> str:
    """``$FAZHI_SQL_MEMORY``, else half the machine's memory (at least 256 MiB)."""
    env = os.environ.get(MEMORY_ENV, "").strip()
    if env:
        return env
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2GB"
    return f"{max(total // 2, 256 << 20) >> 20}MB"


def spill_directory() -> str:
    """Where DuckDB spills: a folder of this user in the system's temp directory, outside every lake."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return os.path.join(tempfile.gettempdir(), f"fazhi-sql-{uid}")


def default_timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def connect(lake: Lake) -> duckdb.DuckDBPyConnection:
    """The sandboxed connection ``fazhi sql`` uses."""
    return lake.connect(read_only=True, sandbox=True, comments=True, memory_limit=memory_limit(),
                        temp_directory=spill_directory())


def split(sql: str) -> list[str]:
    """The statements of ``sql``, as DuckDB's parser splits them (a syntax error raises)."""
    return [s.query.strip().rstrip(";").strip() for s in duckdb.extract_statements(sql)]


def check(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Raise :class:`StatementRefused` unless ``statement`` is one read-only query."""
    parsed = duckdb.extract_statements(statement)
    if len(parsed) != 1:
        raise StatementRefused(f"one statement at a time: {statement!r}")
    kind = parsed[0].type
    if kind == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.sub("", statement, count=1)
        if inner == statement:
            raise StatementRefused(f"could not read the EXPLAIN statement: {statement!r}")
        check(con, inner)
        return
    if kind != duckdb.StatementType.SELECT:
        raise StatementRefused(f"{kind.name} statements are refused: fazhi sql runs read-only queries only "
                               "(SELECT, WITH, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN)")
    row = con.execute("SELECT json_serialize_sql(?)", [statement]).fetchone()
    if row is None:  # json_serialize_sql gives one row; no answer is no proof the statement is a query
        raise StatementRefused(f"could not parse the statement: {statement!r}")
    tree = json.loads(row[0])
    if tree.get("error"):
        raise StatementRefused(f"not a plain query: {tree.get('error_message') or statement!r}")
    for table_fn, name in _functions(tree):
        if table_fn and name not in ALLOWED_TABLE_FUNCTIONS:
            raise StatementRefused(f"table function {name}() is refused: fazhi sql reads the lake's views only "
                                   "(use fazhi export, or DuckDB itself, for files)")
        if not table_fn and name in REFUSED_FUNCTIONS:
            raise StatementRefused(f"function {name}() is refused in fazhi sql")


def _functions(node: Any):
    """``(is_table_function, name)`` of every function call in a serialized syntax tree."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "TABLE_FUNCTION" and isinstance(item.get("function"), dict):
                yield True, str(item["function"].get("function_name", "")).lower()
            elif item.get("class") == "FUNCTION" and "function_name" in item:
                yield False, str(item["function_name"]).lower()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def run(con: duckdb.DuckDBPyConnection, statement: str, timeout: float | None = None) -> Result:
    """Check and run one statement, interrupted after ``timeout`` seconds (None or 0: no limit)."""
    check(con, statement)
    timer = None
    fired = threading.Event()
    if timeout and timeout > 0:
        def _interrupt() -> None:
            fired.set()
            con.interrupt()

        timer = threading.Timer(timeout, _interrupt)
        timer.daemon = True
        timer.start()
    try:
        cur = con.execute(statement)
        if cur.description is None:
            return Result(statement, [], [])
        return Result(statement, [d[0] for d in cur.description], cur.fetchall())
    except duckdb.InterruptException as exc:
        if fired.is_set():
            raise StatementTimeout(f"the statement ran longer than {timeout:g} s and was stopped "
                                   "(--timeout raises the limit)") from exc
        raise
    finally:
        if timer is not None:
            timer.cancel()


def query_all(lake: Lake, sql: str, timeout: float | None = None) -> list[Result]:
    """Every statement of ``sql``, checked and run in order on one sandboxed connection."""
    con = connect(lake)
    try:
        statements = split(sql)
        if not statements:
            raise StatementRefused("no statement to run")
        return [run(con, s, timeout if timeout is not None else default_timeout()) for s in statements]
    finally:
        con.close()


def query(lake: Lake, sql: str, timeout: float | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the last statement of ``sql`` (see :func:`query_all`)."""
    last = query_all(lake, sql, timeout)[-1]
    return last.columns, last.rows


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


def to_csv(columns: list[str], rows: list[tuple], bom: bool = False) -> str:
    """CSV with a header; ``bom``: a UTF-8 byte order mark first, so that Excel reads the Chinese."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else jsonable(v) for v in row])
    return buf.getvalue()

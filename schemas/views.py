"""DuckDB view definitions, generated from the Arrow schemas and the data dictionary.

Each view reads one Parquet file with DuckDB's own reader (``read_parquet``).
The lake writes the views with the absolute path of the generation's files,
so ``lake.duckdb`` opens from any working directory with the DuckDB CLI or
Python package a user has (``fazhi repair`` writes them again for a lake that
was moved; ``fazhi`` itself builds its views in memory and never depends on
them). The explicit column list keeps the view's shape equal to the schema; a
file written before a column was added gives that column as nulls.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from .dictionary import LAKE_INFO_COLUMNS, describe, table_doc
from .tables import TABLES, TableSpec

# DuckDB type of each Arrow type the schemas use (for the nulls of a column a file lacks)
_DUCK_TYPES = {
    pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN", pa.date32(): "DATE", pa.list_(pa.string()): "VARCHAR[]",
}


def table_relpath(name: str) -> str:
    return f"tables/{name}.parquet"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMP WITH TIME ZONE" if t.tz else "TIMESTAMP"
    return _DUCK_TYPES.get(t, "VARCHAR")


def view_sql(spec: TableSpec, path: str | None = None, present: Iterable[str] | None = None) -> str:
    """``CREATE VIEW`` for ``spec`` over the Parquet file at ``path`` (default the legacy
    lake-relative path); ``present``: the columns the file has (others become nulls)."""
    have = set(present) if present is not None else None
    cols = ", ".join(ident(f.name) if have is None or f.name in have
                     else f"NULL::{_duck_type(f.type)} AS {ident(f.name)}" for f in spec.schema)
    return (f"CREATE OR REPLACE VIEW {ident(spec.name)} AS "
            f"SELECT {cols} FROM read_parquet({literal(path or table_relpath(spec.name))})")


def comment_sql(name: str, columns: Iterable[str]) -> list[str]:
    """``COMMENT ON`` the view ``name`` and each of its columns, from the data dictionary."""
    out = []
    doc = table_doc(name)
    if doc:
        out.append(f"COMMENT ON VIEW {ident(name)} IS {literal(doc)}")
    for col in columns:
        text = describe(name, col)
        if text:
            out.append(f"COMMENT ON COLUMN {ident(name)}.{ident(col)} IS {literal(text)}")
    return out


def lake_info_sql(generation: str, previous: str | None, committed_at: str, tables: Iterable[str]) -> str:
    names = "[" + ", ".join(literal(n) for n in sorted(tables)) + "]"
    return (f"CREATE OR REPLACE VIEW lake_info AS SELECT {literal(generation)}::VARCHAR AS generation, "
            f"{literal(previous) if previous else 'NULL'}::VARCHAR AS previous, "
            f"{literal(committed_at)}::TIMESTAMPTZ AS committed_at, {names}::VARCHAR[] AS tables")


def views_sql(paths: dict[str, str] | None = None, present: dict[str, Iterable[str]] | None = None,
              comments: bool = True) -> list[str]:
    """Every view (over ``paths[name]``, default the legacy relative paths), with its comments."""
    out = []
    for spec in TABLES.values():
        out.append(view_sql(spec, (paths or {}).get(spec.name), (present or {}).get(spec.name)))
        if comments:
            out.extend(comment_sql(spec.name, spec.schema.names))
    return out


def lake_info_comments() -> list[str]:
    return comment_sql("lake_info", [c for c, _ in LAKE_INFO_COLUMNS])

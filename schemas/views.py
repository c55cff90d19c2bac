"""DuckDB view definitions, generated from the Arrow schemas.

Each view reads one Parquet file per table by a path *relative to the lake*
(``tables/<name>.parquet``). DuckDB resolves such paths through the
``file_search_path`` setting, which the lake connection sets to the lake
directory; so the views work from any working directory and the lake can be
moved. The explicit column list keeps the view's shape equal to the schema.
"""
from __future__ import annotations

from .tables import TABLES, TableSpec


def table_relpath(name: str) -> str:
    return f"tables/{name}.parquet"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def view_sql(spec: TableSpec) -> str:
    cols = ", ".join(_ident(f.name) for f in spec.schema)
    return (
        f"CREATE OR REPLACE VIEW {_ident(spec.name)} AS "
        f"SELECT {cols} FROM read_parquet('{table_relpath(spec.name)}')"
    )


def views_sql() -> list[str]:
    return [view_sql(spec) for spec in TABLES.values()]

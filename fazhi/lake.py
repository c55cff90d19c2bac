"""The lake on disk: Parquet tables, raw blobs and a DuckDB file of views.

::

    <lake>/raw/<sha[:2]>/<sha>       raw bytes, content-addressed (rawstore.py)
    <lake>/tables/<table>.parquet    one Parquet file per table (schemas/)
    <lake>/lake.duckdb               views over the tables, nothing else

Every write goes to a temp file in the same directory and is moved into place
with ``os.replace``, so a reader (or a crash) sees the old or the new file,
never half of one. The DuckDB file is rebuilt the same way; it holds only
views with lake-relative paths, resolved through ``file_search_path``, so the
lake can be moved and queried from any working directory.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import TABLES, table_spec, views_sql
from schemas.views import table_relpath

from .atomic import replacing

DB_NAME = "lake.duckdb"


class Lake:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def table_path(self, name: str) -> Path:
        return self.root / table_relpath(name)

    def exists(self) -> bool:
        return self.db_path.is_file()

    # -- tables -------------------------------------------------------------
    def read(self, name: str) -> pa.Table:
        """The table as stored, or an empty one with the table's schema."""
        schema = table_spec(name).schema
        path = self.table_path(name)
        if not path.exists():
            return schema.empty_table()
        return conform(pq.read_table(path), schema)

    def write(self, name: str, table: pa.Table) -> None:
        """Replace the table atomically with ``table`` (cast to the schema)."""
        table = conform(table, table_spec(name).schema)
        with replacing(self.table_path(name)) as tmp:
            pq.write_table(table, tmp, compression="zstd")

    def ensure_tables(self) -> None:
        """Write an empty Parquet file for every table that has none, so every view works."""
        for name in TABLES:
            if not self.table_path(name).exists():
                self.write(name, table_spec(name).schema.empty_table())

    # -- views --------------------------------------------------------------
    def refresh_views(self) -> None:
        """Rebuild ``lake.duckdb`` from the schemas (temp file, then ``os.replace``)."""
        self.ensure_tables()
        with replacing(self.db_path, create_file=False) as tmp:
            try:
                con = duckdb.connect(tmp, config={"file_search_path": str(self.root)})
                try:
                    for statement in views_sql():
                        con.execute(statement)
                    con.execute("CHECKPOINT")
                finally:
                    con.close()
            finally:
                Path(tmp + ".wal").unlink(missing_ok=True)

    def connect(self, read_only: bool = True) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the views, read-only unless asked otherwise."""
        if not self.exists():
            raise FileNotFoundError(f"no lake at {self.root} (run `fazhi run` first, or pass --lake)")
        return duckdb.connect(str(self.db_path), read_only=read_only,
                              config={"file_search_path": str(self.root)})


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the schema's columns, in order, cast to its types.

    Columns the schema lacks are dropped; columns it has and the table lacks
    are filled with nulls (so a table written before a column was added still
    reads).
    """
    columns = []
    for fld in schema:
        if fld.name in table.column_names:
            columns.append(table.column(fld.name).cast(fld.type))
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=schema)

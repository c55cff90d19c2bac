"""The lake on disk: Parquet tables in generations, raw blobs, and one pointer.

::

    <lake>/raw/<sha[:2]>/<sha>                  raw bytes, content-addressed (rawstore.py)
    <lake>/gen/<generation>/<table>.parquet     every table of one committed state
    <lake>/gen/<generation>/lake.duckdb         DuckDB views over that generation's tables
    <lake>/lake.duckdb -> gen/<generation>/lake.duckdb
                                                the pointer: a symlink, swapped atomically
    <lake>/lake.lock                            held by the run that is writing (lock.py)

A write never touches a committed generation. :meth:`Lake.transaction`
takes the lake's lock, writes the tables that change into a new generation
directory (the others are hard-linked from the current one), builds that
generation's views, and then commits with one ``os.replace`` of the
``lake.duckdb`` symlink. A crash at any moment therefore leaves the previous
complete lake, every table consistent with the others; the next transaction
removes the debris (partial generations, temp files). The previous
generation is kept for readers still using it; older ones are removed.

The views use lake-relative paths resolved through ``file_search_path``, so
the lake can be moved or copied whole (``cp -a`` keeps the symlink; a copy
that turns it into a file still works, the generation is then read from the
``lake_info`` view).

A lake written before generations (``tables/<table>.parquet`` and a plain
``lake.duckdb``) is read as is and becomes generational at its next write.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fazhi.faults import checkpoint
from fazhi.lake.atomic import fsync_dir, replacing
from fazhi.lake.lock import LakeLock
from schemas import TABLES, table_spec, views_sql

DB_NAME = "lake.duckdb"
GEN_DIR = "gen"
LEGACY_TABLES = "tables"
_TEMP_MAX_AGE_S = 600


def _new_generation() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


class _Transaction:
    def __init__(self, lake: "Lake", base: str | None):
        self.base = base                      # the generation this one is built on (None: empty or legacy)
        self.generation = _new_generation()
        self.dir = lake.root / GEN_DIR / self.generation
        self.written: set[str] = set()


class Lake:
    def __init__(self, root: str | os.PathLike, lock_timeout: float | None = None):
        self.root = Path(root).resolve()
        self.lock_timeout = lock_timeout
        self._tx: _Transaction | None = None

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def exists(self) -> bool:
        return self.db_path.is_file()

    # -- generations ----------------------------------------------------------
    def generation(self) -> str | None:
        """The committed generation, ``""`` for a pre-generation lake, None for no lake."""
        try:
            target = os.readlink(self.db_path)
        except FileNotFoundError:
            return None
        except OSError:  # a regular file: a copied or legacy lake
            if not self.db_path.is_file():
                return None
            return self._generation_from_views()
        parts = Path(target).parts
        return parts[-2] if len(parts) >= 3 and parts[-3] == GEN_DIR else ""

    def _generation_from_views(self) -> str:
        try:
            con = duckdb.connect(str(self.db_path), read_only=True,
                                 config={"file_search_path": str(self.root)})
        except duckdb.Error:
            return ""
        try:
            return con.execute("SELECT generation FROM lake_info").fetchone()[0] or ""
        except duckdb.Error:
            return ""
        finally:
            con.close()

    def _committed_path(self, name: str, generation: str | None) -> Path:
        if generation:
            return self.root / GEN_DIR / generation / f"{name}.parquet"
        return self.root / LEGACY_TABLES / f"{name}.parquet"

    def table_path(self, name: str) -> Path:
        """The file that holds ``name`` now (inside a transaction: the one being written, once written)."""
        if self._tx is not None:
            if name in self._tx.written:
                return self._tx.dir / f"{name}.parquet"
            return self._committed_path(name, self._tx.base)
        return self._committed_path(name, self.generation())

    # -- tables -------------------------------------------------------------
    def read(self, name: str) -> pa.Table:
        """The table as stored (or as written in this transaction), or an empty one with its schema."""
        schema = table_spec(name).schema
        path = self.table_path(name)
        if not path.exists():
            return schema.empty_table()
        return conform(pq.read_table(path), schema)

    def write(self, name: str, table: pa.Table) -> None:
        """Replace the table with ``table`` (cast to the schema); committed with the transaction.

        Outside a transaction the write is a transaction of its own.
        """
        if self._tx is None:
            with self.transaction():
                self.write(name, table)
            return
        table = conform(table, table_spec(name).schema)
        self._tx.dir.mkdir(parents=True, exist_ok=True)
        with replacing(self._tx.dir / f"{name}.parquet") as tmp:
            pq.write_table(table, tmp, compression="zstd")
            _fsync_file(tmp)
        self._tx.written.add(name)

    def write_batches(self, name: str, batches: Iterable[pa.RecordBatch], row_group_size: int) -> None:
        """Like :meth:`write`, from a stream of record batches, in row groups of ``row_group_size``
        rows (the last may be smaller); inside a transaction."""
        assert self._tx is not None, "write_batches runs inside a transaction"
        schema = table_spec(name).schema
        self._tx.dir.mkdir(parents=True, exist_ok=True)
        with replacing(self._tx.dir / f"{name}.parquet") as tmp:
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                pending: list[pa.RecordBatch] = []
                for batch in batches:
                    pending.append(batch)
                    if sum(b.num_rows for b in pending) >= row_group_size:
                        writer.write_table(conform(pa.Table.from_batches(pending), schema), row_group_size)
                        pending = []
                if pending:
                    writer.write_table(conform(pa.Table.from_batches(pending), schema), row_group_size)
            _fsync_file(tmp)
        self._tx.written.add(name)

    def ensure_tables(self) -> None:
        """Inside a transaction: an empty table for every table that has none (so every view works)."""
        for name in TABLES:
            if not self.table_path(name).exists():
                self.write(name, table_spec(name).schema.empty_table())

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Lake"]:
        """Lock the lake, collect writes in a new generation, commit them all at once (re-entrant)."""
        if self._tx is not None:
            yield self
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with LakeLock(self.root, self.lock_timeout):
            self.recover()
            self._tx = _Transaction(self, self.generation())
            try:
                yield self
                self._commit()
            except BaseException:
                shutil.rmtree(self._tx.dir, ignore_errors=True)
                raise
            finally:
                self._tx = None
            self._collect_garbage()

    def refresh_views(self) -> None:
        """Make sure every table and view exists; a no-op inside a transaction (the commit builds them)."""
        if self._tx is None:
            with self.transaction():
                pass

    def _commit(self) -> None:
        tx = self._tx
        assert tx is not None
        tx.dir.mkdir(parents=True, exist_ok=True)
        checkpoint("load-tables")
        for name, spec in TABLES.items():
            if name in tx.written:
                continue
            old = self._committed_path(name, tx.base)
            new = tx.dir / f"{name}.parquet"
            if old.exists() and pq.read_schema(old).equals(spec.schema, check_metadata=False):
                _link_or_copy(old, new)
            else:  # missing, or written before a column was added: rewrite in the current shape
                self.write(name, self.read(name) if old.exists() else spec.schema.empty_table())
        # tables the schemas no longer name (or other tools' tables) are carried along
        if tx.base:
            for old in (self.root / GEN_DIR / tx.base).glob("*.parquet"):
                if not (tx.dir / old.name).exists():
                    _link_or_copy(old, tx.dir / old.name)
        db = tx.dir / DB_NAME
        self._build_views(db, tx.generation, tx.base)
        fsync_dir(tx.dir)
        fsync_dir(tx.dir.parent)
        # the commit: one atomic replace of the pointer
        link_tmp = self.root / f".{DB_NAME}.{uuid.uuid4().hex[:8]}.tmp"
        os.symlink(os.path.join(GEN_DIR, tx.generation, DB_NAME), link_tmp)
        os.replace(link_tmp, self.db_path)
        fsync_dir(self.root)
        checkpoint("load-commit")

    def _build_views(self, db: Path, generation: str, previous: str | None) -> None:
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
        con = duckdb.connect(str(db), config={"file_search_path": str(self.root)})
        try:
            prefix = f"{GEN_DIR}/{generation}/"
            for statement in views_sql():
                con.execute(statement.replace("'tables/", f"'{prefix}"))
            names = "[" + ", ".join(_literal(n) for n in sorted(TABLES)) + "]"
            committed = datetime.now(timezone.utc).isoformat()
            con.execute(
                f"CREATE OR REPLACE VIEW lake_info AS SELECT {_literal(generation)}::VARCHAR AS generation, "
                f"{_literal(previous) if previous else 'NULL'}::VARCHAR AS previous, "
                f"{_literal(committed)}::TIMESTAMPTZ AS committed_at, {names}::VARCHAR[] AS tables")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        Path(str(db) + ".wal").unlink(missing_ok=True)
        _fsync_file(db)

    def recover(self) -> None:
        """Remove what a crashed writer left: generations never committed, temp files. Needs the lock."""
        current = self.generation()
        gen_root = self.root / GEN_DIR
        if gen_root.is_dir():
            for d in gen_root.iterdir():
                if d.is_dir() and (not current or d.name > current):
                    shutil.rmtree(d, ignore_errors=True)
        from fazhi.lake.staging import remove_abandoned

        remove_abandoned(self.root)
        for tmp in self.root.glob(f".{DB_NAME}.*.tmp"):
            tmp.unlink(missing_ok=True)
        now = time.time()
        raw = self.root / "raw"
        if raw.is_dir():  # raw temp files may belong to a run that is ingesting now: only old ones go
            for tmp in raw.glob("*/.*.tmp"):
                with contextlib.suppress(OSError):
                    if now - tmp.stat().st_mtime > _TEMP_MAX_AGE_S:
                        tmp.unlink()

    def _collect_garbage(self) -> None:
        """Keep the current generation and the one before it; remove the rest."""
        current = self.generation()
        gen_root = self.root / GEN_DIR
        if not current or not gen_root.is_dir():
            return
        gens = sorted(d.name for d in gen_root.iterdir() if d.is_dir())
        older = [g for g in gens if g < current]
        keep = {current, *older[-1:]}
        for g in gens:
            if g not in keep:
                shutil.rmtree(gen_root / g, ignore_errors=True)

    # -- queries --------------------------------------------------------------
    def connect(self, read_only: bool = True, sandbox: bool = False) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the views, read-only unless asked otherwise.

        With ``sandbox=True`` (what ``fazhi sql`` uses) the connection also
        cannot touch the file system: the tables are served through Arrow
        datasets as temporary views, then DuckDB's external access is turned
        off and the configuration locked, so ``COPY … TO``, ``ATTACH``,
        ``read_csv('/etc/…')`` and ``INSTALL`` all fail.
        """
        if not self.exists():
            raise FileNotFoundError(f"no lake at {self.root} (run `fazhi run` first, or pass --lake)")
        con = duckdb.connect(str(self.db_path), read_only=read_only,
                             config={"file_search_path": str(self.root)})
        if sandbox:
            try:
                _sandbox(con, self)
            except BaseException:
                con.close()
                raise
        return con


def _sandbox(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    import pyarrow.dataset as ds

    generation = lake.generation()
    names = [name for name in TABLES if lake._committed_path(name, generation).exists()]
    for name in names:
        dataset = ds.dataset(str(lake._committed_path(name, generation)), format="parquet")
        alias = f"__fazhi_{name}"
        con.register(alias, dataset)
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in TABLES[name].schema.names
                         if c in dataset.schema.names)
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT {cols} FROM "{alias}"')
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _fsync_file(path: str | os.PathLike) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


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

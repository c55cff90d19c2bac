"""The lake on disk: Parquet tables in generations, raw blobs, and one pointer.

::

    <lake>/raw/<sha[:2]>/<sha>                  raw bytes, content-addressed (rawstore.py)
    <lake>/gen/<generation>/<table>.parquet     every table of one committed state
    <lake>/gen/<generation>/manifest.json       the generation: its files, their sizes and SHA-256
    <lake>/gen/<generation>/lake.duckdb         DuckDB views over that generation's tables
    <lake>/current -> gen/<generation>          the pointer: a symlink, swapped atomically
    <lake>/current/<table>.parquet              so: the current tables at stable paths
    <lake>/lake.duckdb -> current/lake.duckdb   the views of the current generation
    <lake>/lake.lock                            held by the run that is writing (lock.py)

A write never touches a committed generation. :meth:`Lake.transaction`
takes the lake's lock, verifies the current generation against its
manifest, writes the tables that change into a new generation directory (the
others are hard-linked from the current one), writes the manifest and the
views, and then commits with one ``os.replace`` of the ``current`` symlink.
A crash at any moment therefore leaves the previous complete lake, every
table consistent with the others; the next transaction removes the debris
(partial generations, temp files). The previous generation is kept for
readers still using it; older ones are removed.

``fazhi`` reads a lake through views it builds in memory over the current
generation's files (:meth:`Lake.connect`), so a lake can be moved or copied
whole (``cp -a`` keeps the symlinks; a copy that turns them into a folder and
a file still works, the generation is then read from the copied manifest).
The views inside ``lake.duckdb`` are for other tools (the DuckDB CLI,
Python's ``duckdb``): they name the files by absolute path, in a storage
format DuckDB 1.0 and later read; ``fazhi repair`` writes them again after a
move.

A lake written before generations (``tables/<table>.parquet`` and a plain
``lake.duckdb``), or before ``current`` (``lake.duckdb -> gen/<g>/lake.duckdb``),
is read as is and takes the current layout at its next write.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported where a table is read or written, not to open the lake
    import pyarrow as pa

import contextlib
import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fazhi.faults import checkpoint
from fazhi.lake.atomic import fsync_dir, replacing
from fazhi.lake.lock import LakeLock

# pyarrow and the schemas (which build Arrow schemas) are imported where they are used, so that a
# query on a lake whose views are current (fazhi sql) never loads them

DB_NAME = "lake.duckdb"
GEN_DIR = "gen"
CURRENT = "current"
MANIFEST = "manifest.json"
LEGACY_TABLES = "tables"
_TEMP_MAX_AGE_S = 600
# DuckDB versions from 1.0 on open lake.duckdb (it is written in their storage format)
DUCKDB_STORAGE_VERSION = "v1.0.0"
# verifying on open: every file's SHA-256 up to this many bytes in all, above it sizes and footers
# (FAZHI_VERIFY=full|quick|off overrides); `fazhi check` always verifies in full
VERIFY_ENV = "FAZHI_VERIFY"
FULL_VERIFY_MAX_BYTES = 64 * 1024 * 1024


class LakeDamaged(Exception):
    """A committed table file does not match the generation's manifest (`fazhi check` / `fazhi repair`)."""

    def __init__(self, root: Path, problems: list["Problem"]):
        self.problems = problems
        listed = "; ".join(str(p) for p in problems[:5]) + (" …" if len(problems) > 5 else "")
        super().__init__(f"the lake at {root} is damaged: {listed}. `fazhi check --lake {root}` lists "
                         f"what is wrong, `fazhi repair --lake {root}` rebuilds it")


class DiskFull(OSError):
    """No space left while writing the lake: the write was undone, the lake is as it was."""

    @classmethod
    def at(cls, root: Path) -> "DiskFull":
        return cls(errno.ENOSPC, f"no space left on the device of {root}: nothing was written to the lake "
                                 "(free some space and run again)")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lake: ``what`` (a file, relative to the lake) and why."""

    what: str
    why: str
    table: str | None = None

    def __str__(self) -> str:
        return f"{self.what}: {self.why}"


def _new_generation() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


class _Transaction:
    def __init__(self, lake: "Lake", base: str | None, base_manifest: dict | None):
        self.base = base                      # the generation this one is built on (None: empty or legacy)
        self.base_manifest = base_manifest or {}
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

    @property
    def current_dir(self) -> Path:
        return self.root / CURRENT

    def exists(self) -> bool:
        return self.db_path.is_file() or (self.current_dir / MANIFEST).is_file()

    # -- generations ----------------------------------------------------------
    def generation(self) -> str | None:
        """The committed generation, ``""`` for a pre-generation lake, None for no lake."""
        cur = self.current_dir
        try:
            target = os.readlink(cur)
        except FileNotFoundError:
            target = None
        except OSError:  # a folder: a lake copied without its symlinks
            target = None
            manifest = _read_json(cur / MANIFEST)
            if manifest and manifest.get("generation"):
                return manifest["generation"]
        if target is not None:
            return Path(target).name
        try:  # a lake from before `current`: the pointer was lake.duckdb -> gen/<g>/lake.duckdb
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
        import duckdb

        try:
            con = duckdb.connect(str(self.db_path), read_only=True,
                                 config={"file_search_path": str(self.root)})
        except duckdb.Error:
            return ""
        try:
            row = con.execute("SELECT generation FROM lake_info").fetchone()
            return (row[0] or "") if row else ""
        except duckdb.Error:
            return ""
        finally:
            con.close()

    def generation_dir(self, generation: str | None) -> Path:
        return self.root / GEN_DIR / generation if generation else self.root / LEGACY_TABLES

    def _committed_path(self, name: str, generation: str | None) -> Path:
        return self.generation_dir(generation) / f"{name}.parquet"

    def manifest(self, generation: str | None = None) -> dict | None:
        """The manifest of ``generation`` (default the current one); None for a lake without one."""
        gen = self.generation() if generation is None else generation
        if not gen:
            return None
        return _read_json(self.root / GEN_DIR / gen / MANIFEST)

    def table_path(self, name: str) -> Path:
        """The file that holds ``name`` now (inside a transaction: the one being written, once written)."""
        if self._tx is not None:
            if name in self._tx.written:
                return self._tx.dir / f"{name}.parquet"
            return self._committed_path(name, self._tx.base)
        return self._committed_path(name, self.generation())

    # -- integrity ------------------------------------------------------------
    def verify(self, generation: str | None = None, full: bool = True, remembered: bool = False) -> list[Problem]:
        """What is wrong with ``generation``'s table files (default the current one), by its manifest.

        ``full``: every file's SHA-256 (finds flipped bits); otherwise sizes and Parquet
        footers only (finds truncation and most overwrites). A generation without a
        manifest (written before manifests) has its footers checked. ``remembered``: a file
        this user verified in full before and that has not changed since (same inode, size,
        modification and change times) is not hashed again (see :func:`_verified_before`)."""
        gen = self.generation() if generation is None else generation
        if gen is None:
            return []
        gdir = self.generation_dir(gen)
        manifest = self.manifest(gen) if gen else None
        problems: list[Problem] = []
        if gen and manifest is None:
            if (gdir / MANIFEST).exists():
                problems.append(Problem(_rel(self.root, gdir / MANIFEST), "unreadable manifest"))
            files = {p.name: None for p in gdir.glob("*.parquet")}
        elif manifest is None:
            files = {p.name: None for p in gdir.glob("*.parquet")}
        else:
            files = manifest.get("files", {})
        seen = _Verified() if remembered and full else None
        for fname, meta in sorted(files.items()):
            path = gdir / fname
            table = fname[:-len(".parquet")] if fname.endswith(".parquet") else None
            if seen is not None and seen.known(path, meta):
                continue
            why = _file_problem(path, meta, full)
            if why:
                problems.append(Problem(_rel(self.root, path), why, table))
            elif seen is not None:
                seen.add(path, meta)
        if seen is not None:
            seen.save()
        return problems

    def verify_on_open(self, generation: str | None = None) -> None:
        """Raise :class:`LakeDamaged` when the generation's files do not match its manifest.

        In full (SHA-256) when the tables are small enough to hash at once, else sizes and
        footers; ``$FAZHI_VERIFY`` = ``full``, ``quick`` or ``off`` decides instead. A file
        verified in full before and unchanged since is not hashed again."""
        mode = os.environ.get(VERIFY_ENV, "").strip().lower()
        if mode == "off":
            return
        gen = self.generation() if generation is None else generation
        if mode == "full":
            full = True
        elif mode == "quick":
            full = False
        else:
            manifest = self.manifest(gen) if gen else None
            total = sum((m or {}).get("bytes", 0) for m in (manifest or {}).get("files", {}).values())
            full = total <= FULL_VERIFY_MAX_BYTES
        problems = self.verify(gen, full=full, remembered=True)
        if problems:
            raise LakeDamaged(self.root, problems)

    # -- tables -------------------------------------------------------------
    def read(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """The table as stored (or as written in this transaction), or an empty one with its schema.

        ``columns``: only these (in this order), read from the file alone: a table's other columns
        (``texts.clean_text``) are not read at all."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from schemas import table_spec

        schema = table_spec(name).schema
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        path = self.table_path(name)
        if not path.exists():
            return schema.empty_table()
        if columns is None:
            return conform(pq.read_table(path), schema)
        present = set(pq.read_schema(path).names)  # a file from before a column was added: nulls
        return conform(pq.read_table(path, columns=[c for c in columns if c in present]), schema)

    def write(self, name: str, table: pa.Table) -> None:
        """Replace the table with ``table`` (cast to the schema); committed with the transaction.

        Outside a transaction the write is a transaction of its own.
        """
        import pyarrow.parquet as pq

        from schemas import table_spec

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
        import pyarrow as pa
        import pyarrow.parquet as pq

        from schemas import table_spec

        assert self._tx is not None, "write_batches runs inside a transaction"
        schema = table_spec(name).schema
        self._tx.dir.mkdir(parents=True, exist_ok=True)
        with replacing(self._tx.dir / f"{name}.parquet") as tmp:
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                pending: list[pa.RecordBatch] = []
                held = 0
                for batch in batches:
                    if not batch.num_rows:
                        continue
                    pending.append(batch)
                    held += batch.num_rows
                    while held >= row_group_size:  # a row group of exactly row_group_size rows
                        table = pa.Table.from_batches(pending)
                        writer.write_table(conform(table.slice(0, row_group_size), schema), row_group_size)
                        rest = table.slice(row_group_size)
                        pending, held = rest.to_batches(), rest.num_rows
                        del table, rest
                if held:
                    writer.write_table(conform(pa.Table.from_batches(pending), schema), row_group_size)
            _fsync_file(tmp)
        self._tx.written.add(name)

    def ensure_tables(self) -> None:
        """Inside a transaction: an empty table for every table that has none (so every view works)."""
        from schemas import TABLES, table_spec

        for name in TABLES:
            if not self.table_path(name).exists():
                self.write(name, table_spec(name).schema.empty_table())

    @contextlib.contextmanager
    def transaction(self, verify: bool = True) -> Iterator["Lake"]:
        """Lock the lake, collect writes in a new generation, commit them all at once (re-entrant).

        The current generation is verified first (its files against its manifest, in full):
        a damaged lake raises :class:`LakeDamaged` before anything is written on top of it.
        No space left on the device raises :class:`DiskFull`, with the new generation removed.
        """
        if self._tx is not None:
            yield self
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with LakeLock(self.root, self.lock_timeout):
            self.recover()
            base = self.generation()
            if verify and base:
                problems = self.verify(base, full=True)
                if problems:
                    raise LakeDamaged(self.root, problems)
            self._tx = _Transaction(self, base, self.manifest(base) if base else None)
            try:
                yield self
                self._commit()
            except OSError as exc:
                shutil.rmtree(self._tx.dir, ignore_errors=True)
                if exc.errno == errno.ENOSPC and not isinstance(exc, DiskFull):
                    raise DiskFull.at(self.root) from exc
                raise
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
        import pyarrow.parquet as pq

        from schemas import TABLES

        tx = self._tx
        assert tx is not None
        tx.dir.mkdir(parents=True, exist_ok=True)
        checkpoint("load-tables")
        for name, spec in TABLES.items():
            if name in tx.written:
                continue
            old = self._committed_path(name, tx.base)
            new = tx.dir / f"{name}.parquet"
            if old.exists() and _same_shape(pq.read_schema(old), spec.schema):
                _link_or_copy(old, new)
            else:  # missing, or written before a column was added: rewrite in the current shape
                self.write(name, self.read(name) if old.exists() else spec.schema.empty_table())
        # tables the schemas no longer name (or other tools' tables) are carried along
        if tx.base:
            for old in (self.root / GEN_DIR / tx.base).glob("*.parquet"):
                if not (tx.dir / old.name).exists():
                    _link_or_copy(old, tx.dir / old.name)
        committed = datetime.now(timezone.utc).isoformat()
        manifest = self._write_manifest(tx, committed)
        self._build_views(tx.dir, tx.generation, tx.base, committed, manifest)
        fsync_dir(tx.dir)
        fsync_dir(tx.dir.parent)
        # the commit: one atomic replace of the pointer
        self._point_current(tx.generation)
        checkpoint("load-commit")

    def _point_current(self, generation: str) -> None:
        cur = self.current_dir
        if cur.is_dir() and not cur.is_symlink():  # a copied lake: its folder goes, the symlink replaces it
            aside = self.root / f".{CURRENT}.{uuid.uuid4().hex[:8]}.old"
            os.rename(cur, aside)
            shutil.rmtree(aside, ignore_errors=True)
        link_tmp = self.root / f".{CURRENT}.{uuid.uuid4().hex[:8]}.tmp"
        os.symlink(os.path.join(GEN_DIR, generation), link_tmp)
        os.replace(link_tmp, cur)
        fsync_dir(self.root)
        db_target = os.path.join(CURRENT, DB_NAME)
        try:
            ok = os.readlink(self.db_path) == db_target
        except OSError:
            ok = False
        if not ok:  # a lake from before `current`, or a copied one: lake.duckdb follows current from now on
            db_tmp = self.root / f".{DB_NAME}.{uuid.uuid4().hex[:8]}.tmp"
            os.symlink(db_target, db_tmp)
            os.replace(db_tmp, self.db_path)
            fsync_dir(self.root)

    def _write_manifest(self, tx: _Transaction, committed: str) -> dict:
        """The generation's files with their sizes, rows, columns and SHA-256 (files linked from the
        base generation keep the checksum they were verified against)."""
        import pyarrow.parquet as pq

        base_files = tx.base_manifest.get("files", {})
        files = {}
        for path in sorted(tx.dir.glob("*.parquet")):
            st = path.stat()
            old = base_files.get(path.name)
            base_path = self.root / GEN_DIR / tx.base / path.name if tx.base else None
            if (old and base_path is not None and path.name[:-8] not in tx.written and base_path.exists()
                    and os.path.samefile(base_path, path) and old.get("bytes") == st.st_size):
                files[path.name] = old
                continue
            meta = pq.read_metadata(path)
            files[path.name] = {"bytes": st.st_size, "sha256": _sha256_file(path), "rows": meta.num_rows,
                                "columns": meta.schema.to_arrow_schema().names}
        manifest = {"format": 1, "generation": tx.generation, "previous": tx.base or None,
                    "committed_at": committed, "root": str(self.root), "files": files}
        with replacing(tx.dir / MANIFEST) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
        return manifest

    def _build_views(self, gdir: Path, generation: str, previous: str | None, committed: str,
                     manifest: dict) -> None:
        """``lake.duckdb`` in ``gdir``: the views by absolute path, with the data dictionary as comments."""
        import duckdb

        from schemas import TABLES
        from schemas.views import lake_info_comments, lake_info_sql, views_sql

        db = gdir / DB_NAME
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
        files = manifest.get("files", {})
        paths = {name: str(gdir / f"{name}.parquet") for name in TABLES}
        present = {name: files[f"{name}.parquet"]["columns"] for name in TABLES
                   if f"{name}.parquet" in files and "columns" in files[f"{name}.parquet"]}
        con = duckdb.connect(str(db), config={"storage_compatibility_version": DUCKDB_STORAGE_VERSION})
        try:
            con.execute("BEGIN")
            for statement in views_sql(paths, present):
                con.execute(statement)
            con.execute(lake_info_sql(generation, previous, committed, TABLES))
            for statement in lake_info_comments():
                con.execute(statement)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        Path(str(db) + ".wal").unlink(missing_ok=True)
        _fsync_file(db)

    def rebuild_views(self) -> None:
        """Write ``lake.duckdb`` of the current generation again (after the lake was moved); under the lock."""
        with LakeLock(self.root, self.lock_timeout):
            gen = self.generation()
            manifest = self.manifest(gen) if gen else None
            if not gen or manifest is None:
                return
            manifest = dict(manifest, root=str(self.root))
            gdir = self.root / GEN_DIR / gen
            with replacing(gdir / MANIFEST) as tmp:
                Path(tmp).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            self._build_views(gdir, gen, manifest.get("previous"), manifest.get("committed_at") or "", manifest)

    def discard_raw(self, shas: Iterable[str]) -> int:
        """Remove the raw blobs among ``shas`` that no kept generation's ``documents`` names: what a
        run that failed to load (say, on a full disk) added. Takes the lock; returns how many went."""
        import pyarrow.parquet as pq

        wanted = {s for s in shas if s}
        if not wanted:
            return 0
        with LakeLock(self.root, self.lock_timeout):
            named: set[str] = set()
            gens = [d for d in (self.root / GEN_DIR).iterdir() if d.is_dir()] if (self.root / GEN_DIR).is_dir() else []
            for gdir in [*gens, self.root / LEGACY_TABLES]:
                path = gdir / "documents.parquet"
                if path.is_file():
                    try:
                        named.update(pq.read_table(path, columns=["content_sha256"]).column(0).to_pylist())
                    except Exception:  # a damaged table: keep every blob it might name
                        return 0
            n = 0
            for sha in wanted - named:
                blob = self.root / "raw" / sha[:2] / sha
                with contextlib.suppress(FileNotFoundError):
                    blob.unlink()
                    n += 1
            return n

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
        for pattern in (f".{DB_NAME}.*.tmp", f".{CURRENT}.*.tmp"):
            for tmp in self.root.glob(pattern):
                tmp.unlink(missing_ok=True)
        for old in self.root.glob(f".{CURRENT}.*.old"):
            shutil.rmtree(old, ignore_errors=True)
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
    def connect(self, read_only: bool = True, sandbox: bool = False, verify: bool = True,
                comments: bool = False, memory_limit: str | None = None, temp_directory: str | None = None):
        """A DuckDB connection (in memory) with a view of every table over the current generation's
        Parquet files, read by DuckDB's own reader.

        The files are verified first (:meth:`verify_on_open`). With ``sandbox=True`` (what
        ``fazhi sql`` uses) the connection can then read nothing but the generation's folder:
        ``allowed_directories`` is that folder, external access is off and the configuration
        locked. Statements must still be checked before they run (``fazhi.query.sql``): the
        sandbox alone lets ``COPY … TO`` write inside the allowed folder.
        ``comments``: the data dictionary as ``COMMENT ON`` (for ``duckdb_columns()``).
        ``read_only`` is kept for callers: the connection never writes the lake.
        """
        import duckdb

        gen = self.generation()
        if gen is None:
            raise FileNotFoundError(f"no lake at {self.root} (run `fazhi run` first, or pass --lake)")
        if verify:
            self.verify_on_open(gen)
        gdir = self.generation_dir(gen)
        manifest = self.manifest(gen) if gen else None
        con = duckdb.connect(":memory:")
        try:
            if memory_limit:
                con.execute(f"SET memory_limit = {_literal(memory_limit)}")
            if temp_directory:
                con.execute(f"SET temp_directory = {_literal(temp_directory)}")
            db = gdir / DB_NAME
            if (manifest is not None and manifest.get("root") == str(self.root) and db.is_file()
                    and _views_current(manifest)):
                # the generation's own views name this lake's files: use them (comments included)
                con.execute(f"ATTACH {_literal(str(db))} AS lake (READ_ONLY)")
                con.execute("USE lake")
            else:  # a moved or older lake: the same views, in memory
                self._views_in_memory(con, gen, gdir, manifest, comments)
            if sandbox:
                con.execute(f"SET allowed_directories = [{_literal(str(gdir) + os.sep)}]")
                con.execute("SET enable_external_access = false")
                con.execute("SET lock_configuration = true")
        except BaseException:
            con.close()
            raise
        return con

    def _views_in_memory(self, con, gen: str, gdir: Path, manifest: dict | None, comments: bool) -> None:
        import pyarrow.parquet as pq

        from schemas import TABLES
        from schemas.views import comment_sql, lake_info_comments, lake_info_sql, view_sql

        files = (manifest or {}).get("files", {})
        con.execute("BEGIN")
        names = []
        for name, spec in TABLES.items():
            path = gdir / f"{name}.parquet"
            if not path.exists():
                continue
            meta = files.get(path.name)
            present = meta["columns"] if meta and "columns" in meta else pq.read_schema(path).names
            con.execute(view_sql(spec, str(path), present))
            names.append(name)
            if comments:
                for statement in comment_sql(name, spec.schema.names):
                    con.execute(statement)
        con.execute(lake_info_sql(gen, (manifest or {}).get("previous"),
                                  (manifest or {}).get("committed_at") or "1970-01-01T00:00:00+00:00", names))
        if comments:
            for statement in lake_info_comments():
                con.execute(statement)
        con.execute("COMMIT")


def _same_shape(stored: pa.Schema, schema: pa.Schema) -> bool:
    """The stored file has the schema's columns, types and descriptions (a list's item name aside:
    Parquet calls it ``element``)."""
    import pyarrow as pa

    if stored.names != schema.names or (stored.metadata or {}).get(b"description") != (
            schema.metadata or {}).get(b"description"):
        return False
    for a, b in zip(stored, schema):
        ta, tb = a.type, b.type
        if pa.types.is_list(ta) and pa.types.is_list(tb):
            ta, tb = ta.value_type, tb.value_type
        if ta != tb or (a.metadata or {}).get(b"description") != (b.metadata or {}).get(b"description"):
            return False
    return True


def _views_current(manifest: dict) -> bool:
    """The generation's files have the columns the schemas name now (so its views are today's)."""
    from fazhi.lake.columns import table_columns  # the schemas' names without pyarrow, when unchanged

    files = manifest.get("files", {})
    return all(files.get(f"{name}.parquet", {}).get("columns") == names for name, names in table_columns().items())


class _Verified:
    """Table files this user hashed in full and found as their manifest says, by the state of the
    file then (device, inode, size, modification and change time, in nanoseconds): a file written
    since (flipped bits, a truncation, a restore) has another change time and is hashed again.
    Kept in the system's temp directory; losing it only costs a hash. ``fazhi check`` and every
    write hash in full regardless."""

    MAX = 4096

    def __init__(self) -> None:
        import tempfile

        uid = os.getuid() if hasattr(os, "getuid") else "user"
        self.path = Path(tempfile.gettempdir()) / f"fazhi-verified-{uid}.json"
        self.entries = _read_json(self.path) or {}
        self.changed = False

    @staticmethod
    def _state(path: Path, meta: dict | None) -> list | None:
        if not meta or not meta.get("sha256"):
            return None
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, meta["sha256"]]

    def known(self, path: Path, meta: dict | None) -> bool:
        state = self._state(path, meta)
        return state is not None and self.entries.get(str(path)) == state

    def add(self, path: Path, meta: dict | None) -> None:
        state = self._state(path, meta)
        if state is not None:
            self.entries[str(path)] = state
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        entries = {p: s for p, s in self.entries.items() if os.path.exists(p)}
        if len(entries) > self.MAX:
            entries = dict(list(entries.items())[-self.MAX:])
        with contextlib.suppress(OSError):
            with replacing(self.path) as tmp:
                Path(tmp).write_text(json.dumps(entries), encoding="utf-8")


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _file_problem(path: Path, meta: dict | None, full: bool) -> str | None:
    """Why the table file at ``path`` is not what ``meta`` (its manifest entry) says, or None."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if meta is not None and size != meta.get("bytes"):
        return f"{size} bytes, the manifest says {meta.get('bytes')} (truncated or overwritten)"
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(max(size - 4, 0))
            tail = fh.read(4)
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if size < 12 or head != b"PAR1" or tail != b"PAR1":
        return "not a complete Parquet file"
    if meta is not None and meta.get("sha256"):
        if full and _sha256_file(path) != meta["sha256"]:
            return "SHA-256 differs from the manifest (the file was changed or damaged)"
        return None  # the bytes the manifest names (or, without full, their size and footer)
    import pyarrow.parquet as pq

    if meta is None or full:
        try:
            pq.read_metadata(path)
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError …
            return f"unreadable Parquet footer ({exc})"
    return None


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
    import pyarrow as pa

    columns = []
    for fld in schema:
        if fld.name in table.column_names:
            columns.append(table.column(fld.name).cast(fld.type))
        else:
            columns.append(pa.nulls(table.num_rows, fld.type))
    return pa.Table.from_arrays(columns, schema=schema)

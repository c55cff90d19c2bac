"""The generational lake: one atomic commit, recovery of a crashed write, the lock, and a
``fazhi sql`` connection that cannot touch files."""
from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fazhi.lake.lock import LakeLock, LakeLocked
from fazhi.lake.store import GEN_DIR, Lake
from fazhi.query.sql import query
from schemas import TABLES, table_spec


def _failure_rows(n: int, run: str = "r1") -> pa.Table:
    import datetime as dt

    now = dt.datetime(2024, 1, 20, tzinfo=dt.timezone.utc)
    return pa.Table.from_pylist([{"run_id": run, "stage": "ingest", "source": f"s{i}", "error_class": "X",
                                  "message": "m", "time": now} for i in range(n)],
                                schema=table_spec("failures").schema)


def test_writes_in_a_transaction_are_invisible_until_the_commit(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.write("failures", _failure_rows(1))
    with lake.transaction():
        lake.write("failures", _failure_rows(3))
        assert lake.read("failures").num_rows == 3                       # the writer sees its own writes
        assert Lake(lake.root).read("failures").num_rows == 1            # everyone else the committed state
    assert Lake(lake.root).read("failures").num_rows == 3


def test_an_exception_rolls_back_and_leaves_no_generation(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.write("failures", _failure_rows(1))
    gen = lake.generation()
    with pytest.raises(RuntimeError):
        with lake.transaction():
            lake.write("failures", _failure_rows(5))
            raise RuntimeError("boom")
    assert lake.generation() == gen and lake.read("failures").num_rows == 1
    assert [d.name for d in (lake.root / GEN_DIR).iterdir()] == [gen]


def test_a_crashed_generation_is_removed_and_two_are_kept(tmp_path):
    lake = Lake(tmp_path / "lake")
    for n in (1, 2, 3):
        lake.write("failures", _failure_rows(n))
    gens = sorted(d.name for d in (lake.root / GEN_DIR).iterdir())
    assert len(gens) == 2 and gens[-1] == lake.generation()
    partial = lake.root / GEN_DIR / "99999999T000000000000Z-dead00"
    partial.mkdir()
    (partial / "records.parquet").write_bytes(b"half a file")
    lake.write("failures", _failure_rows(4))
    assert not partial.exists()
    assert lake.read("failures").num_rows == 4


def test_the_views_follow_the_pointer_and_the_lake_can_move(tmp_path):
    import shutil

    lake = Lake(tmp_path / "lake")
    lake.write("failures", _failure_rows(2))
    assert os.path.islink(lake.db_path)
    for copy_symlinks in (True, False):
        dest = tmp_path / f"moved-{copy_symlinks}"
        shutil.copytree(lake.root, dest, symlinks=copy_symlinks)
        moved = Lake(dest)
        assert moved.generation() == lake.generation()
        assert query(moved, "SELECT count(*) FROM failures")[1] == [(2,)]
        assert query(moved, "SELECT generation FROM lake_info")[1] == [(lake.generation(),)]


def test_a_lake_from_before_generations_is_read_and_upgraded(tmp_path):
    import duckdb

    from schemas import views_sql

    root = tmp_path / "old"
    (root / "tables").mkdir(parents=True)
    for name, spec in TABLES.items():
        pq.write_table(_failure_rows(2) if name == "failures" else spec.schema.empty_table(),
                       root / "tables" / f"{name}.parquet")
    con = duckdb.connect(str(root / "lake.duckdb"), config={"file_search_path": str(root)})
    for statement in views_sql():
        con.execute(statement)
    con.close()
    lake = Lake(root)
    assert lake.generation() == "" and lake.read("failures").num_rows == 2
    lake.write("texts", table_spec("texts").schema.empty_table())
    assert lake.generation() and lake.read("failures").num_rows == 2


def test_the_lock_times_out_with_a_clear_message(tmp_path):
    with LakeLock(tmp_path, timeout=0):
        with pytest.raises(LakeLocked, match=rf"another run \(pid {os.getpid()}"):
            Lake(tmp_path, lock_timeout=0.2).write("failures", _failure_rows(1))
    Lake(tmp_path, lock_timeout=0).write("failures", _failure_rows(1))  # free again


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1 AS a) TO '{root}/evil.csv'",
    "COPY failures TO '{root}/gen/{gen}/failures.parquet' (FORMAT parquet, USE_TMP_FILE false)",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_parquet('{root}/gen/{gen}/texts.parquet')",
    "ATTACH '{root}/other.duckdb' AS other",
    "SET enable_external_access = true",
    "CREATE TABLE x AS SELECT 1",
    "INSTALL httpfs",
])
def test_fazhi_sql_cannot_write_or_read_files(tmp_path, sql):
    import duckdb

    lake = Lake(tmp_path / "lake")
    lake.write("failures", _failure_rows(2))
    before = sorted(p.relative_to(lake.root) for p in lake.root.rglob("*"))
    with pytest.raises(duckdb.Error):
        query(lake, sql.format(root=lake.root, gen=lake.generation()))
    assert sorted(p.relative_to(lake.root) for p in lake.root.rglob("*")) == before
    assert query(lake, "SELECT count(*) FROM failures")[1] == [(2,)]


def test_fazhi_sql_command_refuses_copy_to(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.write("failures", _failure_rows(1))
    out = tmp_path / "out.csv"
    proc = subprocess.run([sys.executable, "-m", "fazhi.cli", "sql", f"COPY failures TO '{out}'", "--lake",
                           str(lake.root)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and not out.exists()
    assert "COPY statements are refused" in proc.stderr

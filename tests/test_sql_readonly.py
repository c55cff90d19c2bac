"""``fazhi sql``: only read-only statements pass DuckDB's own parser check; the sandbox stays as a
second guard; statements have a time limit and the connection a memory limit; several statements,
a file, standard input and a shell."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pyarrow as pa
import pytest

from fazhi.lake.store import Lake
from fazhi.query import sql as sqlmod
from schemas import table_spec


def fazhi(*args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, input=stdin)


@pytest.fixture
def lake(tmp_path):
    lk = Lake(tmp_path / "lake")
    now = dt.datetime(2024, 1, 20, tzinfo=dt.timezone.utc)
    lk.write("failures", pa.Table.from_pylist(
        [{"run_id": "r1", "stage": "ingest", "source": f"镇{i}.txt", "error_class": "X", "message": "m",
          "time": now} for i in range(3)], schema=table_spec("failures").schema))
    return lk


def _tree(lake):
    return sorted((p.relative_to(lake.root), p.stat().st_size) for p in lake.root.rglob("*") if p.is_file())


@pytest.mark.parametrize("sql", [
    "COPY failures TO '{gen}/failures.parquet' (FORMAT parquet)",   # inside the allowed folder
    "COPY failures TO '{gen}/x.csv'",
    "EXPLAIN ANALYZE COPY failures TO '{gen}/x.csv'",
    "SELECT * FROM read_parquet('{gen}/texts.parquet')",            # allowed by the sandbox, not by the check
    "SELECT * FROM read_text('{gen}/manifest.json')",
    "SELECT * FROM query('SELECT 1')",
    "SELECT * FROM glob('{gen}/*')",
    "SELECT 1; COPY failures TO '{gen}/x.csv'",
    "PRAGMA enable_profiling",
    "CALL pragma_version()",
    "SET threads = 1",
    "RESET memory_limit",
    "DETACH lake",
    "USE memory",
    "CREATE TEMP TABLE t AS SELECT 1",
    "INSERT INTO failures SELECT * FROM failures",
    "LOAD httpfs",
    "CHECKPOINT",
    "EXPORT DATABASE '{gen}/dump'",
])
def test_writes_and_file_access_are_refused_by_the_statement_check(lake, sql):
    gen = lake.root / "current"
    before = _tree(lake)
    with pytest.raises(duckdb.Error):
        sqlmod.query_all(lake, sql.format(gen=gen.resolve()))
    assert _tree(lake) == before
    assert sqlmod.query(lake, "SELECT count(*) FROM failures")[1] == [(3,)]


@pytest.mark.parametrize("sql, expected", [
    ("SELECT count(*) FROM failures", [(3,)]),
    ("WITH x AS (SELECT source FROM failures) SELECT count(*) FROM x", [(3,)]),
    ("FROM failures SELECT count(*)", [(3,)]),
    ("SELECT count(*) FROM range(5)", [(5,)]),
    ("SELECT count(*) FROM (DESCRIBE failures)", [(7,)]),
    ("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'failures'", [(7,)]),
    ("VALUES (1)", [(1,)]),
])
def test_queries_pass(lake, sql, expected):
    assert sqlmod.query(lake, sql)[1] == expected


def test_explain_and_summarize_pass(lake):
    assert sqlmod.query(lake, "EXPLAIN SELECT * FROM failures")[1]
    assert sqlmod.query(lake, "SUMMARIZE failures")[1]
    assert sqlmod.query(lake, "SHOW TABLES")[1]


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "ATTACH '{root}/other.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_the_sandbox_alone_still_refuses_what_it_can(lake, sql):
    """The second guard, without the statement check in front of it."""
    con = sqlmod.connect(lake)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(sql.format(root=lake.root))
    finally:
        con.close()
    assert not (lake.root / "other.duckdb").exists()


def test_memory_limit_and_spill_folder_outside_the_lake(lake, monkeypatch):
    monkeypatch.setenv(sqlmod.MEMORY_ENV, "300MB")
    [(limit, temp)] = sqlmod.query(lake, "SELECT current_setting('memory_limit'), "
                                         "current_setting('temp_directory')")[1]
    assert limit.replace(" ", "").upper() in ("286.1MIB", "300.0MB", "286MIB")
    assert not temp.startswith(str(lake.root)) and temp == sqlmod.spill_directory()
    monkeypatch.delenv(sqlmod.MEMORY_ENV)
    assert sqlmod.memory_limit().endswith("MB")


@pytest.mark.slow  # the command as a process
def test_a_statement_past_its_time_limit_is_stopped(lake, tmp_path):
    slow = "SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3"
    with pytest.raises(sqlmod.StatementTimeout):
        sqlmod.query(lake, slow, timeout=0.3)
    proc = fazhi("sql", slow, "--lake", str(lake.root), "--timeout", "0.3", cwd=tmp_path)
    assert proc.returncode == 1 and "ran longer than 0.3 s" in proc.stderr


@pytest.mark.slow  # the command as a process
def test_several_statements_each_printed(lake, tmp_path):
    proc = fazhi("sql", "SELECT 1 AS a; SELECT count(*) AS n FROM failures", "--lake", str(lake.root),
                 "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [[{"a": 1}], [{"n": 3}]]
    proc = fazhi("sql", "SELECT 1 AS a; SELECT 2 AS b", "--lake", str(lake.root), cwd=tmp_path)
    assert "SELECT 1 AS a" in proc.stdout and "SELECT 2 AS b" in proc.stdout and proc.stdout.count("(1 rows)") == 2


@pytest.mark.slow  # the command as a process
def test_sql_from_a_file_and_from_standard_input(lake, tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("-- the failures\nSELECT source FROM failures ORDER BY source;\n", encoding="utf-8")
    proc = fazhi("sql", "--file", str(script), "--lake", str(lake.root), "-f", "csv", "--no-bom", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["source", "镇0.txt", "镇1.txt", "镇2.txt"]
    proc = fazhi("sql", "-", "--lake", str(lake.root), "-f", "json", cwd=tmp_path,
                 stdin="SELECT count(*) AS n FROM failures")
    assert json.loads(proc.stdout) == [{"n": 3}]
    proc = fazhi("sql", "--file", "-", "--lake", str(lake.root), "-f", "csv", cwd=tmp_path, stdin="SELECT 1 AS x")
    assert proc.stdout == "\ufeffx\n1\n"


@pytest.mark.slow  # the command as a process
def test_the_shell_runs_queries_and_refuses_writes(lake, tmp_path):
    out = tmp_path / "evil.csv"
    script = (".tables\n.schema failures\nSELECT count(*) AS n\n  FROM failures;\n"
              f"COPY failures TO '{out}';\nSELECT 41 + 1 AS answer;\n.quit\n")
    proc = fazhi("sql", "--shell", "--lake", str(lake.root), cwd=tmp_path, stdin=script)
    assert proc.returncode == 0, proc.stderr
    assert "lake_info" in proc.stdout and "error_class" in proc.stdout
    assert "42" in proc.stdout and "COPY statements are refused" in proc.stderr and not out.exists()

"""The ``fazhi`` command line: ``run`` in-process, ``sql`` as a real subprocess."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

from typer.testing import CliRunner

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.cli import app
from fazhi.lake.store import Lake


def fazhi(*args, cwd, env=None):
    """Run the CLI as a separate process, from ``cwd``."""
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_sql_json_is_one_array_and_nothing_else(sample_run, tmp_path):
    lake = sample_run[0]
    proc = fazhi("sql", "SELECT name, published, fetched_at, n_chars FROM documents ORDER BY name",
                 "--lake", str(lake), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)  # fails on any extra output
    assert [r["name"] for r in rows] == SAMPLE_NAMES
    for r in rows:
        dt.datetime.fromisoformat(r["fetched_at"])
        assert r["published"] is None or dt.date.fromisoformat(r["published"])
        assert isinstance(r["n_chars"], int) and r["n_chars"] > 0


def test_sql_json_matches_the_parquet(sample_run, tmp_path):
    lake = sample_run[0]
    proc = fazhi("sql", "SELECT type, count(*) AS n FROM records GROUP BY 1", "--lake", str(lake),
                 "--format", "json", cwd=tmp_path)
    got = {r["type"]: r["n"] for r in json.loads(proc.stdout)}
    expected: dict[str, int] = {}
    for t in Lake(lake).read("records").column("type").to_pylist():
        expected[t] = expected.get(t, 0) + 1
    assert got == expected


def test_sql_json_dates_are_iso_strings(sample_run, tmp_path):
    proc = fazhi("sql", "SELECT DATE '2024-01-20' AS d, TIMESTAMP '2024-01-20 08:00:00' AS t, 1.5::DECIMAL(4,1) AS x",
                 "--lake", str(sample_run[0]), "--format", "json", cwd=tmp_path)
    assert json.loads(proc.stdout) == [{"d": "2024-01-20", "t": "2024-01-20T08:00:00", "x": 1.5}]


def test_sql_csv_and_table(sample_run, tmp_path):
    lake = str(sample_run[0])
    proc = fazhi("sql", "SELECT name FROM documents ORDER BY name", "--lake", lake, "--format", "csv", cwd=tmp_path)
    assert proc.stdout.startswith("\ufeff")  # a byte order mark for Excel, by default
    assert list(csv.reader(io.StringIO(proc.stdout[1:]))) == [["name"]] + [[n] for n in SAMPLE_NAMES]
    proc = fazhi("sql", "SELECT name FROM documents ORDER BY name", "--lake", lake, "--format", "csv", "--no-bom",
                 cwd=tmp_path)
    assert list(csv.reader(io.StringIO(proc.stdout))) == [["name"]] + [[n] for n in SAMPLE_NAMES]
    proc = fazhi("sql", "SELECT name FROM documents ORDER BY name", "--lake", lake, cwd=tmp_path)
    assert proc.returncode == 0 and SAMPLE_NAMES[0] in proc.stdout and "(5 rows)" in proc.stdout


def test_sql_lake_from_environment(sample_run, tmp_path):
    import os

    env = {**os.environ, "FAZHI_LAKE": str(sample_run[0])}
    proc = fazhi("sql", "SELECT count(*) AS n FROM documents", "--format", "json", cwd=tmp_path, env=env)
    assert json.loads(proc.stdout) == [{"n": len(SAMPLE_NAMES)}]


def test_sql_is_read_only(sample_run, tmp_path):
    proc = fazhi("sql", "CREATE TABLE x AS SELECT 1", "--lake", str(sample_run[0]), cwd=tmp_path)
    assert proc.returncode == 1
    assert "read-only" in proc.stderr
    assert proc.stdout == ""


def test_sql_without_a_lake_says_so(tmp_path):
    proc = fazhi("sql", "SELECT 1", "--lake", str(tmp_path / "nowhere"), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "no lake" in proc.stderr


def test_run_command_on_a_sources_file(prefect_server, samples_copy, tmp_path):
    listing = tmp_path / "sources.txt"  # it names files under its own folder (samples_copy is below it)
    listing.write_text(f"# two of the samples\n{samples_copy / SAMPLE_NAMES[0]}\n{samples_copy / SAMPLE_NAMES[2]}\n",
                       encoding="utf-8")
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", str(listing), "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    assert "documents: 2 of 2 sources" in result.output
    names = sorted(Lake(lake).read("documents").column("name").to_pylist())
    assert names == [SAMPLE_NAMES[0], SAMPLE_NAMES[2]]


def test_run_command_exits_nonzero_on_failures(prefect_server, tmp_path):
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", str(SAMPLES / SAMPLE_NAMES[0]), str(tmp_path / "missing.txt"),
                                      "--lake", str(lake)])
    assert result.exit_code == 1
    assert "failures: 1" in result.output
    assert Lake(lake).read("failures").num_rows == 1


def test_sql_on_a_moved_lake(sample_run, tmp_path):
    import shutil

    moved = tmp_path / "elsewhere" / "lake"
    shutil.copytree(sample_run[0], moved)
    proc = fazhi("sql", "SELECT count(*) AS n FROM documents", "--lake", str(moved), "--format", "json", cwd=tmp_path)
    assert json.loads(proc.stdout) == [{"n": len(SAMPLE_NAMES)}]

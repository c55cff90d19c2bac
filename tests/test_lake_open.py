"""The lake in a researcher's hands: ``lake.duckdb`` and ``current/`` open from anywhere with
DuckDB's Python package and pyarrow and give the rows ``fazhi sql`` gives; a reextract leaves
each record once in ``current/``; the data dictionary is inside the data."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest

from fazhi.lake.store import CURRENT, DB_NAME, Lake
from schemas import TABLES
from schemas.dictionary import describe


@pytest.fixture(scope="module")
def sample_lake(sample_run):
    """The samples' lake (conftest: built without Prefect); tests do not write to it."""
    return sample_run[0]


def fazhi(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def _fazhi_rows(lake, sql, cwd):
    proc = fazhi("sql", sql, "--lake", str(lake), "--format", "json", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


ROWS_SQL = "SELECT record_id, doc_id, type, value, unit, subject, start, \"end\" FROM records ORDER BY record_id"


def _outside(script: str, cwd) -> list:
    """Run ``script`` in a fresh Python with no project on its path, from ``cwd``; its JSON output."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-I", "-c", textwrap.dedent(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_duckdb_and_pyarrow_from_another_directory_give_the_rows_of_fazhi_sql(sample_lake, tmp_path):
    lake = sample_lake
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    expected = _fazhi_rows(lake, ROWS_SQL, elsewhere)
    assert expected
    via_duckdb = _outside(f"""
        import duckdb, json
        con = duckdb.connect({str(lake / DB_NAME)!r}, read_only=True)
        rows = con.execute({ROWS_SQL!r}).fetchall()
        print(json.dumps([dict(zip([d[0] for d in con.description], r)) for r in rows], ensure_ascii=False))
    """, elsewhere)
    assert via_duckdb == expected
    via_arrow = _outside(f"""
        import json, pyarrow.parquet as pq
        t = pq.read_table({str(lake / CURRENT / 'records.parquet')!r},
                          columns=["record_id", "doc_id", "type", "value", "unit", "subject", "start", "end"])
        print(json.dumps(sorted(t.to_pylist(), key=lambda r: r["record_id"]), ensure_ascii=False))
    """, elsewhere)
    assert via_arrow == expected
    # the views a user sees: each table once, nothing internal, the dictionary as comments
    shown = _outside(f"""
        import duckdb, json
        con = duckdb.connect({str(lake / DB_NAME)!r}, read_only=True)
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        comments = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                               "WHERE database_name = current_database()").fetchall()
        views = con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()
        print(json.dumps({{"tables": tables, "comments": comments, "views": views}}, ensure_ascii=False))
    """, elsewhere)
    assert sorted(shown["tables"]) == sorted([*TABLES, "lake_info"])
    assert not [t for t in shown["tables"] if t.startswith("__")]
    assert all(c for _, c in shown["views"])
    missing = [(t, c) for t, c, text in shown["comments"] if not text]
    assert not missing, missing
    assert dict(((t, c), text) for t, c, text in shown["comments"])[("records", "unit")] == describe("records", "unit")


def test_fazhi_sql_shows_each_view_once_with_its_comments(sample_lake, tmp_path):
    rows = _fazhi_rows(sample_lake, "SHOW TABLES", tmp_path)
    assert sorted(r["name"] for r in rows) == sorted([*TABLES, "lake_info"])
    rows = _fazhi_rows(sample_lake, "SELECT comment FROM duckdb_columns() WHERE table_name = 'records' "
                                      "AND column_name = 'display'", tmp_path)
    assert rows == [{"comment": describe("records", "display")}]


def test_parquet_fields_carry_their_descriptions(sample_lake):
    for name, spec in TABLES.items():
        schema = pq.read_schema(sample_lake / CURRENT / f"{name}.parquet")
        for field in spec.schema:
            assert schema.field(field.name).metadata[b"description"].decode() == describe(name, field.name)


def test_every_column_of_every_table_is_described():
    undocumented = [(t, f.name) for t, spec in TABLES.items() for f in spec.schema if not describe(t, f.name)]
    assert not undocumented


def test_the_data_dictionary_in_docs_is_the_generated_one():
    from fazhi.settings import PROJECT_ROOT
    from schemas import docs

    text = (PROJECT_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    generated = text.split(docs.GENERATED_BEGIN, 1)[1].split(docs.GENERATED_END, 1)[0]
    assert generated.strip() == docs.markdown(docs.dictionary()).strip(), \
        "docs/data-dictionary.md is out of date: fazhi schema --format markdown"


def test_fazhi_schema_prints_the_dictionary(tmp_path):
    proc = fazhi("schema", "records", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "unit_written" in proc.stdout and describe("records", "kind") in proc.stdout
    proc = fazhi("schema", "--format", "json", cwd=tmp_path)
    tables = {e["table"]: e for e in json.loads(proc.stdout)}
    assert set(tables) == {*TABLES, "lake_info"}
    assert fazhi("schema", "nosuch", cwd=tmp_path).returncode == 1


def test_after_a_reextract_current_holds_each_record_once(prefect_server, sample_lake, tmp_path):
    from fazhi.settings import PROJECT_ROOT, Settings
    from flows.pipeline import reextract_pipeline

    lake = tmp_path / "lake"
    shutil.copytree(sample_lake, lake, symlinks=True)
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "extractors" / "rules", rules)
    with open(rules / "units.toml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment: a new rule set\n")
    before = Lake(lake).generation()
    result = reextract_pipeline(Settings.load(lake=lake, rules=rules, ner_model="none"))
    assert result.stats["extracted"] == 5 and Lake(lake).generation() != before
    assert len(list((lake / "gen").iterdir())) == 2     # the glob over gen/* would count twice
    ids = pq.read_table(lake / CURRENT / "records.parquet", columns=["record_id"]).column(0).to_pylist()
    assert len(ids) == len(set(ids)) == result.report.records
    assert _fazhi_rows(lake, "SELECT count(*) AS n FROM records", tmp_path) == [{"n": len(ids)}]
    assert len(pq.read_table(lake / CURRENT / "records_all.parquet").column("ruleset").unique()) == 2


def test_a_moved_lake_is_found_out_by_check_and_its_views_rewritten_by_repair(sample_lake, tmp_path):
    moved = tmp_path / "moved" / "lake"
    shutil.copytree(sample_lake, moved, symlinks=True)
    assert _fazhi_rows(moved, "SELECT count(*) AS n FROM documents", tmp_path) == [{"n": 5}]  # fazhi: unaffected
    proc = fazhi("check", "--lake", str(moved), cwd=tmp_path)
    assert proc.returncode == 1 and "where the lake was before it" in proc.stdout
    proc = fazhi("repair", "--lake", str(moved), cwd=tmp_path)
    assert proc.returncode == 0 and "views written again" in proc.stdout, proc.stdout + proc.stderr
    assert fazhi("check", "--lake", str(moved), cwd=tmp_path).returncode == 0
    shutil.rmtree(tmp_path / "moved-away", ignore_errors=True)
    rows = _outside(f"""
        import duckdb, json
        con = duckdb.connect({str(moved / DB_NAME)!r}, read_only=True)
        print(json.dumps(con.execute("SELECT count(*) FROM documents").fetchall()))
    """, tmp_path)
    assert rows == [[5]]


def test_lake_duckdb_is_in_a_storage_format_older_duckdb_reads(sample_lake):
    with open(sample_lake / DB_NAME, "rb") as fh:
        head = fh.read(64)
    # DuckDB's header: the magic at byte 8, then the storage version number (64 for v1.0.0 - v1.1)
    assert head[8:12] == b"DUCK"
    assert int.from_bytes(head[12:20], "little") <= 64


@pytest.mark.parametrize("copy_symlinks", [True, False])
def test_a_copied_lake_keeps_working_and_takes_the_layout_at_its_next_write(sample_lake, tmp_path, copy_symlinks):
    import pyarrow as pa

    from schemas import table_spec

    dest = tmp_path / "copy"
    shutil.copytree(sample_lake, dest, symlinks=copy_symlinks)
    lake = Lake(dest)
    assert lake.generation() == Lake(sample_lake).generation()
    assert lake.read("records").num_rows == Lake(sample_lake).read("records").num_rows
    lake.write("failures", pa.Table.from_pylist([], schema=table_spec("failures").schema))
    assert os.path.islink(dest / CURRENT) and os.readlink(dest / DB_NAME) == os.path.join(CURRENT, DB_NAME)
    assert _fazhi_rows(dest, "SELECT count(*) AS n FROM failures", tmp_path) == [{"n": 0}]


def test_source_and_doc_id_do_not_depend_on_where_the_reports_are(prefect_server, sample_lake, tmp_path):
    from conftest import SAMPLES
    from fazhi.ids import doc_id
    from flows.pipeline import run_pipeline

    elsewhere = tmp_path / "somewhere" / "else" / "reports"
    shutil.copytree(SAMPLES, elsewhere)
    lake = tmp_path / "lake"
    run_pipeline(sources=[str(elsewhere)], lake=str(lake))   # the flow: sources pass through Prefect tasks
    here = {d["name"]: (d["doc_id"], d["source"]) for d in Lake(sample_lake).read("documents").to_pylist()}
    there = {d["name"]: (d["doc_id"], d["source"]) for d in Lake(lake).read("documents").to_pylist()}
    assert here == there
    for name, (ident, source) in there.items():
        assert source == name and ident == doc_id(name)       # relative to the folder, not this machine's path
    records = Lake(lake).read("records").column("source").to_pylist()
    assert records and not [s for s in records if s.startswith("/")]

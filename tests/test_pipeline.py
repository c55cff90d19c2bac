"""The Prefect flow on the bundled samples, on bad input, and run twice."""
from __future__ import annotations

from conftest import SAMPLE_NAMES
from fazhi.lake.store import Lake
from schemas import TABLES


def _run(sources, lake):
    from flows.pipeline import run_pipeline

    return run_pipeline(sources=[str(s) for s in sources], lake=str(lake))


def test_every_sample_is_a_document(sample_run):
    lake, (report, failures) = sample_run
    docs = Lake(lake).read("documents")
    assert sorted(docs.column("name").to_pylist()) == SAMPLE_NAMES
    assert failures == []
    assert Lake(lake).read("failures").num_rows == 0
    assert report.documents == len(SAMPLE_NAMES)


def test_records_exist_and_point_into_the_stored_text(sample_run):
    lake = Lake(sample_run[0])
    records = lake.read("records")
    assert records.num_rows >= 150  # issue 2: the five samples give at least 150 records
    assert set(records.column("type").to_pylist()) <= {"case", "count", "amount", "percentage"}
    texts = {r["doc_id"]: r["clean_text"] for r in lake.read("texts").to_pylist()}
    docs = lake.read("documents")
    assert set(texts) == set(docs.column("doc_id").to_pylist())
    for rec in records.to_pylist():
        assert texts[rec["doc_id"]][rec["start"]:rec["end"]] == rec["text"], rec


def test_documents_carry_versions_and_raw_bytes(sample_run):
    lake = Lake(sample_run[0])
    for doc in lake.read("documents").to_pylist():
        raw = (lake.root / doc["raw_path"]).read_bytes()
        assert doc["n_bytes"] == len(raw)
        assert doc["raw_path"] == f"raw/{doc['content_sha256'][:2]}/{doc['content_sha256']}"
        assert doc["encoding"] == "utf-8"
        assert doc["cleaner"] and doc["ruleset"] and doc["fetched_at"] is not None
        assert doc["source"].endswith(doc["name"])
    leftovers = [p.name for p in lake.root.rglob(".*")]
    assert leftovers == [], "temp files left behind by atomic writes"


def test_views_have_the_schema_columns(sample_run):
    con = Lake(sample_run[0]).connect()
    try:
        for name, spec in TABLES.items():
            # DESCRIBE of the query: `DESCRIBE "tables"` is DuckDB's SHOW TABLES
            cols = [row[0] for row in con.execute(f'DESCRIBE SELECT * FROM "{name}"').fetchall()]
            assert cols == spec.schema.names, name
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == Lake(sample_run[0]).read("records").num_rows
    finally:
        con.close()


def test_views_work_on_an_empty_lake(tmp_path):
    lake = Lake(tmp_path / "lake")
    lake.root.mkdir()
    lake.refresh_views()
    con = lake.connect()
    try:
        for name in TABLES:
            assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone() == (0,)
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE documents)").fetchall())
        assert types["published"] == "DATE" and types["report_year"] == "INTEGER"
    finally:
        con.close()


def test_bad_input_is_a_failure_row_and_the_run_goes_on(prefect_server, samples_copy, tmp_path):
    (samples_copy / "binary.bin").write_bytes(b"\x00\xff\x00\x10" * 100)
    (samples_copy / "empty.txt").write_bytes(b"")
    (samples_copy / "chrome-only.txt").write_text("首页>政务公开>报告\n- 相关新闻\n", encoding="utf-8")
    missing = tmp_path / "does-not-exist.txt"
    lake = tmp_path / "lake"
    result = _run([samples_copy, missing, "ftp://example.invalid/report.txt"], lake)

    failures = {(f["stage"], f["source"].rsplit("/", 1)[-1]): f["error_class"]
                for f in Lake(lake).read("failures").to_pylist()}
    assert failures == {
        ("clean", "binary.bin"): "DecodeError",
        ("clean", "empty.txt"): "DecodeError",
        ("clean", "chrome-only.txt"): "EmptyDocument",
        ("ingest", "does-not-exist.txt"): "FileNotFoundError",
        ("ingest", "report.txt"): "FetchError",
    }
    assert result.report.failures == 5
    names = sorted(Lake(lake).read("documents").column("name").to_pylist())
    assert names == SAMPLE_NAMES


def _table_rows(lake: Lake, name: str) -> list[dict]:
    return lake.read(name).to_pylist()


def test_running_twice_gives_the_same_rows(prefect_server, samples_copy, tmp_path):
    lake = Lake(tmp_path / "lake")
    first = _run([samples_copy], lake.root)
    before = {name: _table_rows(lake, name) for name in ("documents", "texts", "records", "entities")}
    raw_before = sorted(p.relative_to(lake.root) for p in (lake.root / "raw").rglob("*") if p.is_file())

    second = _run([samples_copy], lake.root)
    assert second.report.new_versions == 0 and first.report.new_versions == len(SAMPLE_NAMES)
    for name, rows in before.items():
        assert _table_rows(lake, name) == rows, name
    raw_after = sorted(p.relative_to(lake.root) for p in (lake.root / "raw").rglob("*") if p.is_file())
    assert raw_after == raw_before
    for name in ("documents", "texts", "records"):
        table = lake.read(name)
        key = TABLES[name].key
        keys = table.select(list(key)).to_pylist()
        assert len(keys) == len({tuple(k.values()) for k in keys}), f"duplicate keys in {name}"


def test_changed_content_is_a_new_version_with_fresh_records(prefect_server, samples_copy, tmp_path):
    lake = Lake(tmp_path / "lake")
    target = samples_copy / SAMPLE_NAMES[0]
    _run([target], lake.root)
    old = lake.read("documents").to_pylist()[0]

    target.write_text("2025年,某镇共办理信访件12件,办结率100%。\n", encoding="utf-8")
    _run([target], lake.root)

    docs = lake.read("documents")
    assert docs.num_rows == 2
    assert set(docs.column("doc_id").to_pylist()) == {old["doc_id"]}
    new_sha = [s for s in docs.column("content_sha256").to_pylist() if s != old["content_sha256"]][0]
    records = lake.read("records")
    assert records.num_rows > 0
    assert set(records.column("content_sha256").to_pylist()) == {new_sha}
    assert (lake.root / old["raw_path"]).exists(), "raw bytes of the old version are kept"

"""Memory-flat loading (issue 7): documents staged in batches, merged by streaming SQL."""
from __future__ import annotations

import multiprocessing
from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.lake import load as load_mod
from fazhi.lake.staging import STAGING_DIR, Stage
from fazhi.lake.store import Lake
from fazhi.pipeline import stages

TABLES = ("documents", "texts", "records", "entities", "records_all", "extractions", "sources")


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch):
    monkeypatch.setenv("FAZHI_NER_MODEL", "none")


def _extracted(lake: Path):
    return [stages.extract(stages.clean(stages.ingest(str(SAMPLES / n), lake))) for n in SAMPLE_NAMES]


def _rows(lake: Lake) -> dict:
    out = {}
    for name in TABLES:
        rows = lake.read(name).to_pylist()
        for r in rows:  # load times differ between two lakes
            for k in ("fetched_at", "checked_at", "loaded_at", "extracted_at"):
                r.pop(k, None)
        out[name] = sorted(map(repr, rows))
    return out


def test_batches_of_one_load_what_one_batch_loads(tmp_path):
    one, many = Lake(tmp_path / "one"), Lake(tmp_path / "many")
    load_mod.load(one, _extracted(one.root), [])
    with Stage(many.root, batch_docs=1) as stage:
        for e in _extracted(many.root):
            stage.add([e])
        assert len(stage.parts("records")) == len(SAMPLE_NAMES)  # written as they came
        report = load_mod.load_stage(many, stage)
    assert report.documents == len(SAMPLE_NAMES) and report.records > 0
    assert _rows(one) == _rows(many)
    assert not (many.root / STAGING_DIR).exists()


def test_a_second_load_replaces_and_never_duplicates(tmp_path):
    lake = Lake(tmp_path / "lake")
    load_mod.load(lake, _extracted(lake.root), [])
    first = _rows(lake)
    load_mod.load(lake, _extracted(lake.root), [])
    assert _rows(lake) == first
    ids = lake.read("records").column("record_id").to_pylist()
    assert len(ids) == len(set(ids))


def test_big_tables_are_written_in_row_groups(tmp_path, monkeypatch):
    from fazhi.lake import sqlmerge

    monkeypatch.setattr(sqlmerge, "DEFAULT_ROWS", 100)
    lake = Lake(tmp_path / "lake")
    load_mod.load(lake, _extracted(lake.root), [])
    meta = pq.read_metadata(lake.table_path("records"))
    assert meta.num_rows > 100 and meta.num_row_groups == -(-meta.num_rows // 100)


def _stage_and_die(root: str, started) -> None:
    stage = Stage(root)
    started.set()
    stage._lock.flush()
    import os
    os._exit(0)  # no close: what kill -9 leaves


def test_a_dead_runs_stage_is_removed_a_live_one_kept(tmp_path):
    lake = Lake(tmp_path / "lake")
    started = multiprocessing.get_context("fork").Event()
    proc = multiprocessing.get_context("fork").Process(target=_stage_and_die, args=(str(lake.root), started))
    proc.start()
    proc.join(30)
    live = Stage(lake.root)
    try:
        assert len(list((lake.root / STAGING_DIR).iterdir())) == 2
        with lake.transaction():
            pass
        assert [d.name for d in (lake.root / STAGING_DIR).iterdir()] == [live.dir.name]
    finally:
        live.close()
    assert not (lake.root / STAGING_DIR).exists()


def _texts_order(lake: Lake) -> list[tuple[str, str]]:
    t = lake.read("texts", columns=["doc_id", "clean_text"])
    return list(zip(t.column("doc_id").to_pylist(), t.column("clean_text").to_pylist()))


def test_texts_are_merged_a_row_group_at_a_time_in_the_same_order(tmp_path, monkeypatch):
    """The texts merge reads the stored file and the staged parts a row group at a time and writes
    row groups of exactly ``ROWS_PER_GROUP['texts']`` rows (the last may be smaller): the stored
    rows first, in their order, then the run's in the order they were staged."""
    from fazhi.lake import sqlmerge, staging

    monkeypatch.setitem(sqlmerge.ROWS_PER_GROUP, "texts", 2)
    monkeypatch.setitem(staging.PART_ROWS, "texts", 1)
    lake = Lake(tmp_path / "lake")
    docs = _extracted(lake.root)
    assert len(docs) >= 3
    load_mod.load(lake, docs, [])
    first = _texts_order(lake)
    assert [d for d, _ in first] == [e.document["doc_id"] for e in docs]
    meta = pq.read_metadata(lake.table_path("texts"))
    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    assert sizes == [2] * (len(docs) // 2) + ([len(docs) % 2] if len(docs) % 2 else [])
    # the first document loaded again: its text moves behind the others', the others stay in order
    again = _extracted(lake.root)[:1]
    load_mod.load(lake, again, [])
    assert _texts_order(lake) == first[1:] + first[:1]


def test_write_batches_makes_row_groups_of_the_size_asked(tmp_path):
    import pyarrow as pa

    from schemas import table_spec

    lake = Lake(tmp_path / "lake")
    schema = table_spec("failures").schema
    when = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [{"run_id": "r", "stage": "ingest", "source": f"s{i}", "error_class": "E", "message": "m",
             "time": when} for i in range(10)]
    table = pa.Table.from_pylist(rows, schema=schema)
    batches = [b for start, n in ((0, 3), (3, 5), (8, 2)) for b in table.slice(start, n).to_batches()]
    with lake.transaction():
        lake.write_batches("failures", batches, 4)
    meta = pq.read_metadata(lake.table_path("failures"))
    assert [meta.row_group(g).num_rows for g in range(meta.num_row_groups)] == [4, 4, 2]
    assert lake.read("failures").column("source").to_pylist() == [f"s{i}" for i in range(10)]


def test_read_only_some_columns(tmp_path):
    lake = Lake(tmp_path / "lake")
    load_mod.load(lake, _extracted(lake.root), [])
    keys = lake.read("texts", columns=["content_sha256", "doc_id"])
    assert keys.column_names == ["content_sha256", "doc_id"]
    whole = lake.read("texts")
    assert keys.to_pylist() == whole.select(["content_sha256", "doc_id"]).to_pylist()


def test_a_batch_reads_its_stored_texts_by_row_group(tmp_path, monkeypatch):
    """``make_plan`` keeps where each stored text is (row group, row), not the texts; a batch's
    texts are read a row group at a time; a location that no longer holds its text (the lake was
    written since the plan) is found in the current file."""
    from fazhi.lake import sqlmerge
    from fazhi.pipeline.incremental import make_plan, read_texts

    monkeypatch.setitem(sqlmerge.ROWS_PER_GROUP, "texts", 2)
    lake = Lake(tmp_path / "lake")
    load_mod.load(lake, _extracted(lake.root), [])
    stored = {(d, s): t for d, s, t in zip(*(lake.read("texts").column(c).to_pylist()
                                             for c in ("doc_id", "content_sha256", "clean_text")))}
    plan = make_plan(str(lake.root))
    assert set(plan.texts) == set(stored)
    assert {g for g, _ in plan.texts.values()} == set(range(pq.read_metadata(plan.texts_file).num_row_groups))
    assert read_texts(plan, list(stored)) == stored
    first, second = list(stored)[:2]
    plan.texts[first], plan.texts[second] = plan.texts[second], plan.texts[first]  # stale locations
    assert read_texts(plan, [first, second]) == {first: stored[first], second: stored[second]}

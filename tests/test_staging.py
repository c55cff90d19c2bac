"""Memory-flat loading (issue 7): documents staged in batches, merged by streaming SQL."""
from __future__ import annotations

import multiprocessing
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

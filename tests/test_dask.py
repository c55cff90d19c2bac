"""The pipeline on Prefect's DaskTaskRunner (a 2-worker LocalCluster) gives the sequential run's rows."""
from __future__ import annotations

import shutil

import pyarrow as pa
import pytest

from conftest import SAMPLES
from fazhi.lake.store import Lake

pytest.importorskip("prefect_dask")

DROP = {"documents": ["fetched_at"], "failures": ["run_id", "time"]}


def _rows(lake, name: str) -> list[dict]:
    table: pa.Table = Lake(lake).read(name)
    table = table.drop_columns([c for c in DROP.get(name, []) if c in table.column_names])
    return table.to_pylist()


def test_batches_keep_order():
    from flows.runners import batches

    assert batches(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert batches([], 3) == []
    assert batches([1], 0) == [[1]]


def test_parallel_batches_shrink_toward_the_end_so_workers_finish_together():
    from flows.runners import batches

    items = list(range(288))
    parts = batches(items, 16, workers=2)
    assert [x for p in parts for x in p] == items  # every document once, in order
    sizes = [len(p) for p in parts]
    assert max(sizes) == 16 and sizes == sorted(sizes, reverse=True)
    # the last batch each worker takes is small: a worker waits at most a few documents for the other
    assert sizes[-2:] == [1, 1]
    # never more tasks than the documents need: the full batches stay full until the tail
    assert sizes.count(16) >= len(items) // 16 - 4
    assert batches(list(range(3)), 16, workers=2) == [[0], [1], [2]]


def test_dask_run_equals_sequential_run(prefect_server, tmp_path):
    from flows.pipeline import run_pipeline
    from flows.runners import run_parallel

    # the samples plus one file with no text: failures travel back from the workers too
    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    (src / "zz_empty.txt").write_bytes(b"   \n")
    seq_lake, par_lake = tmp_path / "seq", tmp_path / "par"
    seq = run_pipeline(sources=[str(src)], lake=str(seq_lake))
    par = run_parallel([str(src)], str(par_lake), workers=2, batch_size=2, processes=False)

    assert [f["stage"] for f in par.failures] == [f["stage"] for f in seq.failures] == ["clean"]
    assert par.sources == seq.sources
    assert par.report.documents == seq.report.documents
    assert par.report.records_by_type == seq.report.records_by_type
    assert seq.report.records >= 150
    for name in ("records", "entities", "texts", "documents", "failures"):
        assert _rows(par_lake, name) == _rows(seq_lake, name), name

"""kill -9 of a real ``fazhi run`` (a subprocess) during extract and during load, then a
rerun; two runs on one lake at once. Kill points are deterministic: the run blocks at
an armed point (``FAZHI_FAULT_POINT``, ``fazhi/faults.py``) after creating a signal
file, and the test kills it only then."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.lake.lock import LakeLock
from fazhi.lake.store import GEN_DIR, Lake

TABLE_NAMES = ("documents", "texts", "records", "entities", "failures", "sources")


def _env(**extra) -> dict:
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_FAULT")}
    env.update({"PREFECT_API_URL": PREFECT_API_URL.value(), "FAZHI_HOST_DELAY": "0",
                "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    env.update(extra)
    return env


def _start(sources: list[str], lake: Path, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fazhi.cli", "run", *sources, "--lake", str(lake)],
                            env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_signal(path: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (status {proc.returncode}) before its fault point:\n{out}\n{err}")
        if time.monotonic() > deadline:
            _kill(proc)
            pytest.fail("the run never reached its fault point")
        time.sleep(0.02)


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the run's own process group (start_new_session)
    proc.communicate()


def _snapshot(lake: Lake) -> dict:
    return {name: lake.read(name).to_pylist() for name in TABLE_NAMES}


def _run(sources, lake: Path):
    from flows.pipeline import run_pipeline

    return run_pipeline(sources=[str(s) for s in sources], lake=str(lake))


def _assert_complete_exactly_once(lake: Lake, reference: Lake) -> None:
    """The lake holds every sample's records once: the same record ids as a clean run."""
    records = lake.read("records")
    ids = records.column("record_id").to_pylist()
    assert len(ids) == len(set(ids)), "duplicate records"
    assert Counter(ids) == Counter(reference.read("records").column("record_id").to_pylist())
    docs = lake.read("documents")
    assert sorted(docs.column("name").to_pylist()) == SAMPLE_NAMES
    texts = lake.read("texts")
    assert texts.num_rows == len(SAMPLE_NAMES)
    gens = [d.name for d in (lake.root / GEN_DIR).iterdir()]
    assert lake.generation() in gens and len(gens) <= 2, gens
    assert not list(lake.root.glob(".*.tmp"))
    con = lake.connect(sandbox=True)
    try:
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == len(ids)
    finally:
        con.close()


@pytest.mark.parametrize("point", ["extract", "load-tables", "load-commit"])
def test_kill_9_then_rerun(prefect_server, sample_run, tmp_path, point):
    lake = Lake(tmp_path / "lake")
    first = [SAMPLES / n for n in SAMPLE_NAMES[:2]]
    _run(first, lake.root)
    before = _snapshot(lake)
    before_gen = lake.generation()

    signal_file = tmp_path / "at-fault-point"
    proc = _start([str(SAMPLES)], lake.root, FAZHI_FAULT_POINT=point, FAZHI_FAULT_SIGNAL=str(signal_file))
    _wait_for_signal(signal_file, proc)
    _kill(proc)

    after = _snapshot(lake)
    if point == "load-commit":  # killed after the pointer swap: the new state is complete
        assert sorted(d["name"] for d in after["documents"]) == SAMPLE_NAMES
        assert lake.generation() != before_gen
    else:  # killed before it: the previous complete lake, every table as it was
        assert after == before
        assert lake.generation() == before_gen
    if point == "load-tables":
        assert len(list((lake.root / GEN_DIR).iterdir())) == 2, "the killed run's partial generation is there"

    result = _run([SAMPLES], lake.root)
    assert result.failures == []
    _assert_complete_exactly_once(lake, Lake(sample_run[0]))


def test_a_second_run_waits_for_the_lock_or_exits_with_a_message(prefect_server, sample_run, tmp_path):
    lake = Lake(tmp_path / "lake")
    sources = [str(SAMPLES)]
    signal_file = tmp_path / "waiting"
    with LakeLock(lake.root, timeout=0):
        impatient = _start(sources, lake.root, FAZHI_LOCK_TIMEOUT="0")
        out, err = impatient.communicate(timeout=180)
        assert impatient.returncode == 3, out + err
        assert "being written by another run" in err and f"pid {os.getpid()}" in err
        assert not lake.exists()

        patient = _start(sources, lake.root, FAZHI_LOCK_TIMEOUT="300", FAZHI_FAULT_POINT="lock-wait",
                         FAZHI_FAULT_SIGNAL=str(signal_file))
        _wait_for_signal(signal_file, patient)  # it found the lake locked and is waiting
    out, err = patient.communicate(timeout=180)
    assert patient.returncode == 0, out + err
    _assert_complete_exactly_once(lake, Lake(sample_run[0]))


def test_two_runs_at_once(prefect_server, sample_run, tmp_path):
    lake = Lake(tmp_path / "lake")
    paths = [str(SAMPLES / n) for n in SAMPLE_NAMES]
    a = _start(paths[:3], lake.root, FAZHI_LOCK_TIMEOUT="300")
    b = _start(paths[2:], lake.root, FAZHI_LOCK_TIMEOUT="300")
    for proc in (a, b):
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, out + err
    _assert_complete_exactly_once(lake, Lake(sample_run[0]))
    assert lake.read("failures").num_rows == 0

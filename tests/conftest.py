"""Shared fixtures. One ephemeral Prefect server for the whole session (it
takes seconds to start), and one pipeline run on the bundled samples that
read-only tests share."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fazhi.settings import samples_dir

# Politeness delays are for real servers; the test servers are on 127.0.0.1.
os.environ.setdefault("FAZHI_HOST_DELAY", "0")
# Fetching refuses loopback and private addresses; the test servers listen on 127.0.0.1,
# so the tests allow exactly that address (the SSRF tests take the allowance away again).
os.environ.setdefault("FAZHI_ALLOW_NETWORKS", "127.0.0.1/32")

SAMPLES = samples_dir()
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_file())


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):  # a loaded machine starts it slowly
        yield


@pytest.fixture(scope="session")
def sample_run(prefect_server, tmp_path_factory):
    """The flow run once on the samples; tests must not write to this lake."""
    from flows.pipeline import run_pipeline

    lake = tmp_path_factory.mktemp("sample-lake")
    result = run_pipeline(sources=[str(SAMPLES)], lake=str(lake))
    return lake, result


@pytest.fixture
def samples_copy(tmp_path) -> Path:
    """A private copy of the samples folder that a test may change."""
    dest = tmp_path / "samples"
    shutil.copytree(SAMPLES, dest)
    return dest

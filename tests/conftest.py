"""Shared fixtures. One Prefect test server for the whole session (it takes
seconds to start; allowed ten minutes on a busy machine), and one lake built
from the bundled samples that read-only tests share (built without Prefect:
reading a lake needs no server)."""
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
# Prefect as fazhi runs it (flows.server): no telemetry, a start-up timeout for busy machines.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "600")
os.environ.setdefault("FAZHI_PREFECT_STARTUP_TIMEOUT", "600")
SERVER_STARTUP_TIMEOUT = 600

SAMPLES = samples_dir()
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_file())


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=SERVER_STARTUP_TIMEOUT):
        yield


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """A lake of the samples, built by the stages and the load without Prefect (the flow itself is
    tested in test_pipeline.py): ``(lake, (report, failures))``. Tests must not write to it."""
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings

    lake = tmp_path_factory.mktemp("sample-lake")
    return lake, run_local([str(SAMPLES)], Settings.load(lake=lake))


@pytest.fixture
def samples_copy(tmp_path) -> Path:
    """A private copy of the samples folder that a test may change."""
    dest = tmp_path / "samples"
    shutil.copytree(SAMPLES, dest)
    return dest


# Test tiers: `make test-fast` runs the tests that need no Prefect server, no subprocess run and no
# browser (`pytest -m "not slow"`), in seconds; `make test` runs everything.
_SLOW_FIXTURES = {"prefect_server", "sample_run", "http_root"}
_SLOW_MODULES = {"test_crash", "test_operations", "test_dask", "test_review_browser", "test_incremental",
                 "test_ner", "test_extract_corpora"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: needs a Prefect server, a real run, a browser or a corpus")


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in _SLOW_MODULES or _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

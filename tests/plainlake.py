"""A lake of the samples in two generations (one document first, then all), NER off, made by the
stages and the load without Prefect: for the tests that damage a lake and need a previous generation."""
from __future__ import annotations

from pathlib import Path


def build(root: Path) -> Path:
    from conftest import SAMPLE_NAMES, SAMPLES
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings

    settings = Settings.load(lake=root, ner_model="none")
    for sources in ([str(SAMPLES / SAMPLE_NAMES[0])], [str(SAMPLES)]):
        report, failures = run_local(sources, settings)
        assert not failures, failures
    return root

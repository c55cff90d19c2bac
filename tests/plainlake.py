"""A lake made from the samples by the pipeline's stages and loads, without Prefect (NER off),
for tests that need a real lake to read but not the flow that made it."""
from __future__ import annotations

from pathlib import Path

from fazhi.lake.store import Lake


def build(root: Path, folder: Path | None = None, generations: int = 2) -> Path:
    """Load the samples (or ``folder``) into ``root``: with ``generations=2`` one document first, then
    all, so that the lake has a previous generation."""
    from conftest import SAMPLES
    from fazhi.ingest.sources import expand_sources
    from fazhi.lake.load import load
    from flows.pipeline import process_source

    done = []
    for source in expand_sources([str(folder or SAMPLES)]):
        extracted, failure = process_source(source, str(root), "run-1", call=lambda task, *a: task.fn(*a),
                                            ner=False)
        assert failure is None and extracted is not None, failure
        done.append(extracted)
    if generations > 1:
        load(Lake(root), done[:1], [])
    load(Lake(root), done, [])
    return root

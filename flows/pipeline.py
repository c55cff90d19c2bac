"""The ``fazhi run`` flow: ingest -> clean -> extract for each source, then one load.

A document that fails a stage becomes a ``failures`` row and the run goes on
with the others. Load runs once per run so that each table file is rewritten
once (atomically), not once per document.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from prefect import flow
from prefect.runtime import flow_run

from fazhi.failures import expansion_failures, failure_row
from fazhi.load import LoadReport

from .tasks import clean_task, expand_sources_task, extract_task, ingest_task, load_task


@dataclass
class RunResult:
    run_id: str
    sources: list[str]
    report: LoadReport
    failures: list[dict]


def _call(task, *args):
    return task(*args)


def process_source(source: str, lake: str, run_id: str, call=_call):
    """ingest -> clean -> extract for one source: ``(Extracted, None)`` or ``(None, failure row)``.

    ``call(task, *args)`` runs one stage: by default as a Prefect task run;
    the batched Dask flow (``flows/runners.py``) passes ``task.fn`` calls so
    a batch of documents is one task run.
    """
    stage = "ingest"
    try:
        ingested = call(ingest_task, source, lake)
        stage = "clean"
        cleaned = call(clean_task, ingested)
        stage = "extract"
        return call(extract_task, cleaned), None
    except Exception as exc:  # the document is a failure row; the run goes on
        return None, failure_row(run_id, stage, source, exc)


@flow(name="fazhi-run")
def run_pipeline(sources: list[str], lake: str) -> RunResult:
    run_id = str(flow_run.get_id() or uuid.uuid4())
    expanded = expand_sources_task(sources)
    extracted, failures = [], expansion_failures(run_id, expanded)
    for source in expanded:
        done, failure = process_source(source, lake, run_id)
        if failure is None:
            extracted.append(done)
        else:
            failures.append(failure)
    report = load_task(lake, extracted, failures)
    return RunResult(run_id=run_id, sources=expanded, report=report, failures=failures)

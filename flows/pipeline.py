"""The ``fazhi run`` flow: ingest -> clean -> extract for each source, then one load.

A document that fails a stage becomes a ``failures`` row and the run goes on
with the others. Processed documents are staged in batches (``fazhi.staging``:
part files, only metadata kept in memory); load runs once per run, merging
them into the lake in one transaction so each table file is rewritten once
(atomically), not once per document.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Optional

from prefect import flow
from prefect.runtime import flow_run

from fazhi.lake.load import LoadReport
from fazhi.lake.staging import Stage
from fazhi.pipeline import progress
from fazhi.pipeline.failures import expansion_failures, failure_row
from fazhi.pipeline.identity import Overrides
from fazhi.pipeline.incremental import run_stats

from .tasks import (
    clean_task,
    expand_sources_task,
    extract_task,
    ingest_task,
    load_task,
    ner_load_task,
    ner_task,
    plan_task,
    reuse_task,
    stored_clean_task,
)


@dataclass
class RunResult:
    run_id: str
    sources: list[str]
    report: LoadReport
    failures: list[dict]
    # what the stages did: sources, extracted (documents extracted now), reused (extraction
    # skipped: same content, cleaner and rule set as before), failed
    stats: dict = field(default_factory=dict)


def _call(task, *args):
    return task(*args)


def process_source(source: str, lake: str, run_id: str, call=_call, plan=None, ner=True):
    """ingest -> clean -> extract -> ner for one source: ``(Extracted, None)`` or ``(None, failure row)``,
    or ``(Extracted, failure row)`` when only the NER stage failed: the records still load.

    ``ner``: run the NER stage (``ner/``, model from ``$FAZHI_NER_MODEL``); False
    skips it, an exception is the reason every document fails that stage.

    With a ``plan`` (``fazhi.incremental``) the stages whose input and version
    are unchanged are skipped: a content already extracted with this cleaner
    and rule set is neither cleaned nor extracted again (``reuse``), a content
    cleaned with this cleaner is not cleaned again (``stored-clean``).

    ``call(task, *args)`` runs one stage: by default as a Prefect task run;
    the batched Dask flow (``flows/runners.py``) passes ``task.fn`` calls so
    a batch of documents is one task run.
    """
    stage = "ingest"
    try:
        ingested = call(ingest_task, source, lake)
        if plan is not None and plan.extracted(ingested):
            return call(reuse_task, ingested, plan), None
        stage = "clean"
        if plan is not None and plan.stored_text(ingested):
            cleaned = call(stored_clean_task, ingested, plan)
        else:
            cleaned = call(clean_task, ingested)
        stage = "extract"
        done = call(extract_task, cleaned, plan.rules if plan is not None else None)
    except Exception as exc:  # the document is a failure row; the run goes on
        return None, failure_row(run_id, stage, source, exc)
    if ner is False:
        return done, None
    try:
        if isinstance(ner, BaseException):
            raise ner
        return call(ner_task, done), None
    except Exception as exc:  # no entities for this document; its records still load
        return done, failure_row(run_id, "ner", source, exc)


def load_ner(call=_call):
    """The NER stage's pipeline, loaded once per run: True, False (off), or the load error."""
    try:
        return call(ner_load_task) is not None
    except Exception as exc:
        return exc


def run_sources(sources: list[str], lake: str, rules: Optional[str] = None,
                corrections: Optional[str] = None) -> RunResult:
    """The body of the sequential flows (``fazhi run``, the nightly flow): call it inside a flow.

    ``corrections``: a CSV of identity corrections keyed by doc_id (``fazhi.pipeline.identity``);
    with a sources file's own ``org`` / ``report_year`` / ``published`` they win over extraction."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    expanded = expand_sources_task(sources)
    overrides = Overrides.of(expanded, corrections)
    plan = plan_task(lake, rules)
    ner = load_ner()
    with Stage(lake) as stage:  # documents go to the lake's staging area in batches, not to a list
        stage.add(failures=expansion_failures(run_id, expanded))
        with progress.bar(len(expanded), "documents") as bar:
            for source in expanded:
                done, failure = process_source(source, lake, run_id, plan=plan, ner=ner)
                if done is not None and overrides:
                    overrides.apply(done)
                stage.add([done] if done is not None else [], [failure] if failure is not None else [])
                bar.advance()
        report = load_task(lake, stage)
    failures = stage.failures
    stats = run_stats(stage.docs, failures, expanded)
    return RunResult(run_id=run_id, sources=expanded, report=report, failures=failures, stats=stats)


@flow(name="fazhi-run")
def run_pipeline(sources: list[str], lake: str, rules: Optional[str] = None,
                 corrections: Optional[str] = None) -> RunResult:
    """``rules``: a rules folder (default: the bundled ``extractors/rules``); ``corrections``:
    a CSV of identity corrections keyed by doc_id."""
    return run_sources(sources, lake, rules, corrections)

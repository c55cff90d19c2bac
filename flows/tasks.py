"""The Prefect tasks of the flows: one task run per batch of documents, not one per stage per document.

Each is a thin wrapper over ``fazhi.pipeline``: the per-document work is
:func:`fazhi.pipeline.batch.process_batch`, in which every document is still its own unit
of failure (a failures row, and the batch goes on). Caching is off
(``NO_CACHE``): Prefect's cache keys hash task code, not the rule files;
skipping unchanged work is the lake's own bookkeeping (``fazhi.pipeline.incremental``).
"""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from fazhi.ingest.sources import expand_sources
from fazhi.lake import load as load_mod
from fazhi.lake.staging import Stage
from fazhi.lake.store import Lake
from fazhi.pipeline import incremental
from fazhi.pipeline.batch import BatchResult, process_batch
from fazhi.settings import Settings


@task(name="expand-sources", cache_policy=NO_CACHE)
def expand_sources_task(sources: list[str], sources_files: list[str] | None = None) -> list[str]:
    return expand_sources(sources, sources_files or ())


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(lake: str, rules: str | None = None, ner_model: str | None = None) -> incremental.Plan:
    return incremental.make_plan(lake, rules, ner_model)


@task(name="process-batch", cache_policy=NO_CACHE, task_run_name="process {n} documents")
def process_batch_task(items: list, settings: Settings, run_id: str, plan: incremental.Plan, n: int = 0,
                       stored: bool = False) -> BatchResult:
    """ingest (or the stored raw bytes, ``stored``) -> clean -> extract -> NER for a batch of documents."""
    return process_batch(items, settings, run_id, plan, stored=stored)


@task(name="load", cache_policy=NO_CACHE)
def load_task(settings: Settings, stage: Stage) -> load_mod.LoadReport:
    """The one write of a run: under the lake's lock (waiting up to ``settings.lock_timeout`` s)."""
    return load_mod.load_stage(Lake(settings.lake, lock_timeout=settings.lock_timeout), stage)

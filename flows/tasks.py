"""One Prefect task per stage, each a thin wrapper over a ``fazhi`` function.

Caching is off (``NO_CACHE``): Prefect's cache keys hash task code, not the
rule files. Skipping unchanged work is the lake's own bookkeeping instead,
keyed by (content sha, cleaner version, rule-set version): ``plan`` reads it
once per run, ``reuse`` and ``stored-clean`` stand for the skipped stages
(``fazhi.incremental``).
"""
from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from fazhi import rows
from fazhi.ingest.sources import expand_sources
from fazhi.lake import load as load_mod
from fazhi.lake.staging import Stage
from fazhi.lake.store import Lake
from fazhi.pipeline import incremental, stages


@task(name="expand-sources", cache_policy=NO_CACHE)
def expand_sources_task(sources: list[str]) -> list[str]:
    return expand_sources(sources)


@task(name="ingest", cache_policy=NO_CACHE, task_run_name="ingest {source}")
def ingest_task(source: str, lake: str) -> rows.Ingested:
    return stages.ingest(source, Path(lake))


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(ingested: rows.Ingested) -> rows.Cleaned:
    return stages.clean(ingested)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(cleaned: rows.Cleaned, rules: str | None = None) -> rows.Extracted:
    return stages.extract(cleaned, rules)


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(lake: str, rules: str | None = None) -> incremental.Plan:
    return incremental.make_plan(lake, rules)


@task(name="stored-clean", cache_policy=NO_CACHE)
def stored_clean_task(ingested: rows.Ingested, plan: incremental.Plan) -> rows.Cleaned:
    return incremental.stored_clean(ingested, plan)


@task(name="reuse", cache_policy=NO_CACHE)
def reuse_task(ingested: rows.Ingested, plan: incremental.Plan) -> rows.Extracted:
    return incremental.reuse(ingested, plan)


@task(name="ner-load", cache_policy=NO_CACHE)
def ner_load_task() -> str | None:
    """Load the NER pipeline once for the run (``ner.annotate`` caches it); its version, or None when off."""
    return stages.ner_version() if stages.ner_enabled() else None


@task(name="ner", cache_policy=NO_CACHE)
def ner_task(extracted: rows.Extracted) -> rows.Extracted:
    extracted.entities = stages.ner_entities(extracted.document["doc_id"], extracted.document["content_sha256"],
                                             extracted.text["clean_text"])
    return stages.refine_identity(extracted)


@task(name="load", cache_policy=NO_CACHE)
def load_task(lake: str, stage: Stage) -> load_mod.LoadReport:
    return load_mod.load_stage(Lake(lake), stage)

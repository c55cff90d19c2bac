"""One Prefect task per stage, each a thin wrapper over a ``fazhi`` function.

Caching is off (``NO_CACHE``): Prefect's cache keys hash task code, not the
rule files, so the version-aware skipping of issue 6 will be explicit rather
than left to Prefect's default policy.
"""
from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from fazhi import load as load_mod
from fazhi import stages
from fazhi.lake import Lake
from fazhi.sources import expand_sources


@task(name="expand-sources", cache_policy=NO_CACHE)
def expand_sources_task(sources: list[str]) -> list[str]:
    return expand_sources(sources)


@task(name="ingest", cache_policy=NO_CACHE, task_run_name="ingest {source}")
def ingest_task(source: str, lake: str) -> stages.Ingested:
    return stages.ingest(source, Path(lake))


@task(name="clean", cache_policy=NO_CACHE)
def clean_task(ingested: stages.Ingested) -> stages.Cleaned:
    return stages.clean(ingested)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(cleaned: stages.Cleaned) -> stages.Extracted:
    return stages.extract(cleaned)


@task(name="load", cache_policy=NO_CACHE)
def load_task(lake: str, extracted: list[stages.Extracted], failures: list[dict]) -> load_mod.LoadReport:
    return load_mod.load(Lake(lake), extracted, failures)

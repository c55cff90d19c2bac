"""Parallel runs: the ``fazhi run`` pipeline on Prefect's DaskTaskRunner.

``fazhi run --workers N`` starts a local Dask cluster of N worker processes;
``fazhi run --dask-address tcp://host:8786`` uses an existing scheduler.
Documents go to Dask in batches (``--batch-size``, default 16): one Prefect
task run per batch, not three per document, so per-task overhead (a few tens
of milliseconds of API calls each) stays small next to the work.

Each batch runs :func:`flows.pipeline.process_source`, the same per-document
chain as the sequential flow, with the task functions called directly
(``task.fn``); a failing document is a failure row and the batch goes on.
Results come back in source order, are staged batch by batch
(``fazhi.staging``) and the one load runs in the flow's process, so the lake
is identical to a sequential run's.
"""
from __future__ import annotations

import uuid
from typing import Optional

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from fazhi.lake.staging import Stage
from fazhi.pipeline.failures import expansion_failures
from fazhi.pipeline.identity import Overrides
from fazhi.pipeline.incremental import run_stats
from fazhi.rows import Extracted

from .pipeline import RunResult, load_ner, process_source
from .tasks import expand_sources_task, load_task, plan_task

DEFAULT_BATCH_SIZE = 16


def _call_fn(task_obj, *args):
    return task_obj.fn(*args)


def batches(items: list, size: int) -> list[list]:
    size = max(1, int(size))
    return [items[i:i + size] for i in range(0, len(items), size)]


@task(name="process-batch", cache_policy=NO_CACHE, task_run_name="process {n} sources")
def process_batch_task(sources: list[str], lake: str, run_id: str, n: int = 0,
                       plan=None) -> tuple[list[Extracted], list[dict]]:
    extracted, failures = [], []
    ner = load_ner(call=_call_fn)  # once per batch; ner.annotate caches the pipeline per process
    for source in sources:
        done, failure = process_source(source, lake, run_id, call=_call_fn, plan=plan, ner=ner)
        if done is not None:
            extracted.append(done)
        if failure is not None:
            failures.append(failure)
    return extracted, failures


@flow(name="fazhi-run-batched")
def run_pipeline_batched(sources: list[str], lake: str, batch_size: int = DEFAULT_BATCH_SIZE,
                         rules: Optional[str] = None, corrections: Optional[str] = None) -> RunResult:
    """The pipeline with documents submitted in batches to the flow's task runner."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    expanded = expand_sources_task(sources)
    overrides = Overrides.of(expanded, corrections)
    plan = plan_task(lake, rules)
    futures = [process_batch_task.submit(b, lake, run_id, n=len(b), plan=plan)
               for b in batches(expanded, batch_size)]
    with Stage(lake) as stage:
        stage.add(failures=expansion_failures(run_id, expanded))
        for i, fut in enumerate(futures):  # source order, whatever order the batches finished in
            done, failed = fut.result()
            for d in done if overrides else ():
                overrides.apply(d)
            stage.add(done, failed)
            futures[i] = None  # staged: let the batch go
        report = load_task(lake, stage)
    return RunResult(run_id=run_id, sources=expanded, report=report, failures=stage.failures,
                     stats=run_stats(stage.docs, stage.failures, expanded))


def dask_task_runner(workers: Optional[int] = None, address: Optional[str] = None,
                     processes: bool = True, threads_per_worker: int = 1):
    """A DaskTaskRunner on an existing scheduler (``address``) or a new LocalCluster of ``workers``."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": max(1, int(workers or 1)),
        "threads_per_worker": threads_per_worker,
        "processes": processes,
        "dashboard_address": None,
    })


def run_parallel(sources: list[str], lake: str, workers: Optional[int] = None, address: Optional[str] = None,
                 batch_size: int = DEFAULT_BATCH_SIZE, processes: bool = True, rules: Optional[str] = None,
                 corrections: Optional[str] = None) -> RunResult:
    """``fazhi run`` on Dask: a local cluster of ``workers`` processes, or the scheduler at ``address``."""
    runner = dask_task_runner(workers=workers, address=address, processes=processes)
    return run_pipeline_batched.with_options(task_runner=runner)(sources=sources, lake=lake, batch_size=batch_size,
                                                                 rules=rules, corrections=corrections)

"""Parallel runs: the ``fazhi run`` flow on Prefect's DaskTaskRunner.

``fazhi run --workers N`` starts a local Dask cluster of N workers;
``fazhi run --dask-address tcp://host:8786`` uses an existing scheduler. The
flow is the same as the sequential one (``flows/pipeline.py``) with its
batches submitted to the workers (``--batch-size`` documents per task run, fewer toward the end so
that the workers finish together).

A local cluster's workers are threads of the flow's process (``processes=False``): a batch's
stages and its NER already run in worker processes of their own, one set per thread
(``fazhi.pipeline.budget``), so the threads only wait on them and N threads keep N cores busy.
Worker processes of Dask's own would each import Dask, Prefect and the project and send every
batch's rows back through the scheduler, which on two cores cost more than they gave
(``bench/README.md``, "Dask"). ``processes=True`` (and every remote cluster) runs them as
processes: the run's :class:`~fazhi.settings.Settings` is a task parameter, so remote workers get
the options (NER model, rules, fetch policy) with every batch, and each loads the NER pipeline
once. The one load runs in the flow's process, so the lake is identical to a sequential run's.
"""
from __future__ import annotations

from typing import Optional

from fazhi.settings import Settings

from .pipeline import (
    DEFAULT_BATCH_SIZE,
    RunResult,
    batches,
    reextract_pipeline,
    run_pipeline,
)

__all__ = ["DEFAULT_BATCH_SIZE", "batches", "dask_task_runner", "run_parallel", "reextract_parallel"]


def dask_task_runner(workers: Optional[int] = None, address: Optional[str] = None,
                     processes: bool = False, threads_per_worker: int = 1):
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


def run_parallel(sources: list[str], settings: Settings | str, workers: Optional[int] = None,
                 address: Optional[str] = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 processes: bool = False, corrections: Optional[str] = None,
                 sources_files: Optional[list[str]] = None) -> RunResult:
    """``fazhi run`` on Dask: a local cluster of ``workers`` (threads, unless ``processes``), or the
    scheduler at ``address``."""
    if not isinstance(settings, Settings):  # a lake directory
        settings = Settings.load(lake=settings)
    runner = dask_task_runner(workers=workers, address=address, processes=processes)
    return run_pipeline.with_options(task_runner=runner)(sources=sources, settings=settings, parallel=True,
                                                         batch_size=batch_size, corrections=corrections,
                                                         sources_files=sources_files,
                                                         workers=0 if address else max(1, int(workers or 1)))


def reextract_parallel(settings: Settings, workers: Optional[int] = None, address: Optional[str] = None,
                       batch_size: int = DEFAULT_BATCH_SIZE, processes: bool = False,
                       corrections: Optional[str] = None) -> RunResult:
    runner = dask_task_runner(workers=workers, address=address, processes=processes)
    return reextract_pipeline.with_options(task_runner=runner)(settings=settings, parallel=True,
                                                               batch_size=batch_size, corrections=corrections,
                                                               workers=0 if address else max(1, int(workers or 1)))

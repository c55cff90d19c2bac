"""The nightly ingestion: a flow over a sources file, served as a Prefect deployment on a cron schedule.

``fazhi serve`` builds the deployment with :func:`deployment` and serves it
(a long-running process that starts the scheduled runs). The sources file is
read at each run, so editing it needs no restart. The run is incremental
(``fazhi.incremental``): documents whose content, cleaner and rule set are
unchanged are fetched (that is how a change is seen; URLs conditionally) but
neither cleaned nor extracted again.
"""
from __future__ import annotations

from typing import Optional

from prefect import flow

from fazhi.settings import Settings

from .pipeline import RunResult, run_sources

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEPLOYMENT_NAME = "nightly"


@flow(name="fazhi-nightly")
def nightly(sources_file: str, lake: str, rules: Optional[str] = None) -> RunResult:
    """Ingest, clean, extract and load what ``sources_file`` lists; skip what is unchanged.

    The other settings (NER model, fetch policy …) come from the serving process's
    ``FAZHI_*`` environment and defaults."""
    return run_sources([sources_file], Settings.load(lake=lake, rules=rules))


def deployment(sources_file: str, lake: str, rules: Optional[str] = None, cron: str = DEFAULT_CRON,
               timezone: str = DEFAULT_TIMEZONE, name: str = DEPLOYMENT_NAME):
    """The nightly flow as a ``RunnerDeployment`` with one cron schedule (not yet applied or served)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    return nightly.to_deployment(
        name=name,
        entrypoint_type=EntrypointType.MODULE_PATH,   # flows.nightly.nightly: works from any directory
        schedules=[Cron(cron, timezone=timezone)],
        parameters={"sources_file": sources_file, "lake": lake, "rules": rules},
        description=f"fazhi nightly ingestion of {sources_file} into {lake}",
        tags=["fazhi", "nightly"],
    )

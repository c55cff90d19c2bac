"""Rows of the ``failures`` table: a document that failed a stage, and why."""
from __future__ import annotations

from datetime import datetime, timezone

from fazhi.ids import doc_id as make_doc_id
from fazhi.ids import public_source, redact
from fazhi.ingest.sources import stored_source

STAGES = ("ingest", "clean", "extract", "ner", "load")


def failure_row(run_id: str, stage: str, source: str, exc: BaseException) -> dict:
    """The row for ``source`` failing ``stage``; never raises for an odd source (a file name that is
    not UTF-8, an URL with credentials): both the source and the message are stored printable and
    without credentials."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return {
        "run_id": run_id,
        "stage": stage,
        "source": public_source(str(source)),                  # printable, without URL credentials
        "doc_id": make_doc_id(stored_source(source)),          # the document's id (a file: by its stored source)
        "error_class": type(exc).__name__,
        "message": redact(str(exc))[:2000],
        "time": datetime.now(timezone.utc),
    }


def expansion_failures(run_id: str, expanded) -> list[dict]:
    """Failure rows (stage ``ingest``) for the sources files and listing pages that could not be
    expanded: ``expanded`` is what ``sources.expand_sources`` returned."""
    return [failure_row(run_id, "ingest", source, exc) for source, exc in getattr(expanded, "failures", ())]

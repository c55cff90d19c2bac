"""A batch of documents through the stages: the unit of work of one Prefect task run.

Every document is its own unit of failure: a document that fails a stage is
a failures row and the batch goes on. The NER pipeline is loaded the first
time a document of the process needs it (``ner.annotate`` caches it per
process), never when every document of the run is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fazhi.pipeline import stages
from fazhi.pipeline.failures import failure_row
from fazhi.pipeline.incremental import Plan, reuse, stored_clean, stored_entities
from fazhi.rows import Extracted
from fazhi.settings import Settings


@dataclass
class BatchResult:
    extracted: list[Extracted] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    recleaned: int = 0          # stored versions cleaned again (their text was of another cleaner)

    def __iter__(self):         # ``done, failed = result`` as with a pair
        return iter((self.extracted, self.failures))


class _Ner:
    """The NER stage of one batch: off, or the model's version (loaded on first use), or the load error."""

    def __init__(self, model: str):
        self.model = model
        self._state: object = None

    @property
    def enabled(self) -> bool:
        return stages.ner_enabled(self.model)

    def version(self) -> str:
        if self._state is None:
            try:
                self._state = stages.ner_version(self.model)
            except Exception as exc:  # every document of the batch then fails the NER stage with it
                self._state = exc
        if isinstance(self._state, BaseException):
            raise self._state
        return str(self._state)

    def entities(self, done: Extracted) -> list[dict]:
        self.version()
        d = done.document
        return stages.ner_entities(d["doc_id"], d["content_sha256"], done.text["clean_text"], model=self.model)


def _stored_fetch(done: Extracted, stored: bool) -> Extracted:
    """A re-extraction fetched nothing: it leaves the ``sources`` rows (validators, size, mtime) as they are."""
    if stored:
        done.fetch = None
    return done


def process_batch(items: list, settings: Settings, run_id: str, plan: Plan, stored: bool = False) -> BatchResult:
    """``items``: sources (paths, URLs), or with ``stored`` the ``documents`` rows of stored versions."""
    out = BatchResult()
    ner = _Ner(settings.ner_model)
    lake = Path(settings.lake)
    for item in items:
        source = item["source"] if stored else item
        stage = "ingest"
        try:
            ingested = stages.ingest_stored(item, lake) if stored else stages.ingest(source, lake, settings)
            if plan.extracted(ingested):
                out.extracted.append(_stored_fetch(reuse(ingested, plan), stored))
                continue
            stage = "clean"
            if plan.stored_text(ingested):
                cleaned = stored_clean(ingested, plan)
            else:
                cleaned = stages.clean(ingested)
                out.recleaned += stored
            stage = "extract"
            done = stages.extract(cleaned, plan.rules)
        except Exception as exc:  # the document is a failure row; the batch goes on
            out.failures.append(failure_row(run_id, stage, source, exc))
            continue
        out.extracted.append(_stored_fetch(done, stored))
        if not ner.enabled:
            continue
        try:
            kept = stored_entities(plan, done, ner.version()) if stored else None
            done.entities = kept if kept is not None else ner.entities(done)
        except Exception as exc:  # no entities for this document; its records still load
            out.failures.append(failure_row(run_id, "ner", source, exc))
            continue
        stages.refine_identity(done)  # ORG and GPE entities help find the reporting body
    return out


def run_local(sources: list[str], settings: Settings, batch_size: int = 16):
    """The stages and the load of ``fazhi run`` in this process, without Prefect (a notebook, the
    tests that only need a lake to read, the bench): ``(LoadReport, failures)``."""
    import uuid

    from fazhi.ingest.sources import expand_sources
    from fazhi.lake.load import load_stage
    from fazhi.lake.staging import Stage
    from fazhi.lake.store import Lake
    from fazhi.pipeline.failures import expansion_failures
    from fazhi.pipeline.incremental import make_plan

    run_id = str(uuid.uuid4())
    lake = str(settings.lake)
    expanded = expand_sources(sources)
    plan = make_plan(lake, settings.rules_dir)
    with Stage(lake) as stage:
        stage.add(failures=expansion_failures(run_id, expanded))
        for i in range(0, len(expanded), batch_size):
            result = process_batch(list(expanded[i:i + batch_size]), settings, run_id, plan)
            stage.add(result.extracted, result.failures)
        report = load_stage(Lake(settings.lake, lock_timeout=settings.lock_timeout), stage)
    return report, stage.failures

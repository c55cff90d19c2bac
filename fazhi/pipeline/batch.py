"""A batch of documents through the stages: the unit of work of one Prefect task run.

Every document is its own unit of failure: a document that fails a stage is
a failures row and the batch goes on. Every stage runs under the run's
per-document budgets (``fazhi.pipeline.budget``, ``Settings.budget_*``),
NER included (``budget_ner_seconds``, ``budget_memory_mb``): a document whose
NER goes past them is a failures row (stage ``ner``) and keeps its other rows
(document, text, records, tables); it has no entities.

The NER stage runs in a worker process of its own that loads the pipeline
once, when it starts (outside every document's budget), and only when a
document of the batch needs entities: never when every document of the run
is unchanged. A document needs them when it was extracted now and its stored
entities are not of this NER version, or when its extraction is reused but
its stored entities are of another NER version (or it has none): then they
are made from the stored clean text, and nothing else is redone
(``Plan.ner_stale``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fazhi.lake.memory import release_unused
from fazhi.pipeline import budget, stages
from fazhi.pipeline.failures import failure_row
from fazhi.pipeline.incremental import Plan, read_texts, reuse, stored_clean, stored_entities, stored_text
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

    def __init__(self, settings: Settings):
        self.model = settings.ner_model
        self.budget = budget.Budget.from_settings("ner", settings)
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

    def _warm(self) -> tuple:
        """The NER worker's warm-up: loading the pipeline, once, outside any document's budget."""
        from ner.annotate import get_nlp, model_name

        return get_nlp, (model_name(self.model),)

    def prestart(self) -> None:
        """Start the NER worker (its pipeline loading) while this document's other stages run; called
        once a document is known to need NER, so a run that reuses every document loads nothing."""
        if self.enabled and not isinstance(self._state, BaseException):
            budget.prestart("ner", stages.ner_entities, budget=self.budget, warm=self._warm())

    def entities(self, doc: str, sha: str, text: str) -> list[dict]:
        """The entity rows of one document version, under the NER budget (a worker that has the
        pipeline loaded; ``TimeBudgetExceeded`` / ``MemoryBudgetExceeded`` past it)."""
        self.version()
        return budget.run("ner", stages.ner_entities, doc, sha, text, self.model, budget=self.budget,
                          warm=self._warm())


def _stored_fetch(done: Extracted, stored: bool) -> Extracted:
    """A re-extraction fetched nothing: it leaves the ``sources`` rows (validators, size, mtime) as they are."""
    if stored:
        done.fetch = None
    return done


def _entities_again(reused: Extracted, ingested, plan: Plan, ner: _Ner, out: BatchResult, run_id: str,
                    source: str, texts: dict | None = None) -> None:
    """A reused version whose stored entities are of another NER version: made again from its stored
    text (its records, text and identity stay as stored)."""
    doc, sha = reused.document["doc_id"], reused.document["content_sha256"]
    try:
        text = stored_text(ingested, plan, texts)
        if text is None:  # no stored text to read them from: the stored entities stay
            return
        reused.entities = ner.entities(doc, sha, text)
    except Exception as exc:  # the stored entities stay; the failure is told
        out.failures.append(failure_row(run_id, "ner", source, exc))
        return
    reused.ner_again = True


def _batch_texts(items: list, plan: Plan, ner: _Ner) -> dict:
    """The stored clean texts a batch of stored versions will read, each row group of ``texts`` read
    once for the batch (``incremental.read_texts``), not once per document: the batch's texts are
    in memory, never the lake's. Versions whose extraction is reused need none (unless their
    entities are to be made again)."""
    keys = []
    for d in items:
        doc, sha = d["doc_id"], d["content_sha256"]
        reused = sha in plan.done and sha in plan.documents
        if reused and not (ner.enabled and plan.ner_stale(doc, sha)):
            continue
        if (key := plan.text_key(doc, sha)) is not None:
            keys.append(key)
    try:
        return read_texts(plan, keys) if keys else {}
    except Exception:  # each document then reads its own and fails alone if it cannot
        return {}
    finally:
        release_unused()


def process_batch(items: list, settings: Settings, run_id: str, plan: Plan, stored: bool = False) -> BatchResult:
    """``items``: sources (paths, URLs), or with ``stored`` the ``documents`` rows of stored versions."""
    with budget.using(settings):  # every stage under the run's budgets, not this process's environment
        return _process_batch(items, settings, run_id, plan, stored)


def _process_batch(items: list, settings: Settings, run_id: str, plan: Plan, stored: bool) -> BatchResult:
    out = BatchResult()
    ner = _Ner(settings)
    lake = Path(settings.lake)
    texts = _batch_texts(items, plan, ner) if stored else None
    if not stored and any(plan.never_read(s) for s in items):
        ner.prestart()   # the pipeline loads while the stage worker starts and the first file is read
    for item in items:
        source = item["source"] if stored else item
        stage = "ingest"
        try:
            ingested = stages.ingest_stored(item, lake) if stored else stages.ingest(source, lake, settings)
            if plan.extracted(ingested):
                reused = _stored_fetch(reuse(ingested, plan), stored)
                out.extracted.append(reused)
                if ner.enabled and plan.ner_stale(reused.document["doc_id"], reused.document["content_sha256"]):
                    _entities_again(reused, ingested, plan, ner, out, run_id, source, texts)
                continue
            if plan.ner_stale(ingested.doc_id, ingested.content_sha256):
                ner.prestart()
            stage = "clean"
            if plan.stored_text(ingested):
                cleaned = stored_clean(ingested, plan, texts)
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
            # entities depend on the clean text and the NER version, not on the rule set: a version
            # extracted again after a rule change keeps the stored ones when they are of this NER version
            kept = stored_entities(plan, done, ner.version())
            d = done.document
            done.entities = kept if kept is not None else ner.entities(d["doc_id"], d["content_sha256"],
                                                                         done.text["clean_text"])
        except Exception as exc:  # no entities for this document; its other rows still load
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
    plan = make_plan(lake, settings.rules_dir, settings.ner_model)
    with Stage(lake) as stage:
        stage.add(failures=expansion_failures(run_id, expanded))
        for i in range(0, len(expanded), batch_size):
            result = process_batch(list(expanded[i:i + batch_size]), settings, run_id, plan)
            stage.add(result.extracted, result.failures)
        report = load_stage(Lake(settings.lake, lock_timeout=settings.lock_timeout), stage)
    return report, stage.failures

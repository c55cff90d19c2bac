"""The flows: ``fazhi run`` (sources -> lake) and ``fazhi reextract`` (stored texts -> lake).

Both are the same chain: documents in batches, one Prefect task run per batch
(``process-batch``: ingest or the stored raw bytes -> clean -> extract -> NER,
every document its own unit of failure), staged in the lake's staging area
(``fazhi.lake.staging``: part files, only metadata kept in memory), then one
``load`` that merges them into the lake by streaming SQL in one transaction.
So a re-extraction after a rule change is a flow run like any other, visible
in Prefect, and writes through the same path.

With a parallel task runner (``fazhi run --workers N``, ``--dask-address``:
``flows/runners.py``) the batches are submitted and run on the workers; the
results are staged in source order, so the lake is the same as a sequential
run's. The run's summary is a Prefect artifact (``fazhi-run-summary``).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from prefect import flow
from prefect.runtime import flow_run

from fazhi.lake.history import current_versions
from fazhi.lake.load import LoadReport, combined, report_of
from fazhi.lake.memory import lean_memory_pool
from fazhi.lake.staging import Stage
from fazhi.lake.store import Lake
from fazhi.pipeline import progress
from fazhi.pipeline.failures import expansion_failures
from fazhi.pipeline.identity import Overrides, kept_overrides, read_corrections
from fazhi.pipeline.incremental import run_stats
from fazhi.settings import Settings

from .tasks import expand_sources_task, load_task, plan_task, process_batch_task

DEFAULT_BATCH_SIZE = 16


@dataclass
class RunResult:
    run_id: str
    sources: list[str]
    report: LoadReport
    failures: list[dict]
    # what the stages did: sources, extracted (documents extracted now), reused (extraction
    # skipped: same content, cleaner and rule set as before), failed; reextract adds recleaned
    stats: dict = field(default_factory=dict)
    ruleset: str = ""
    previous_rulesets: list[str] = field(default_factory=list)


def batches(items: list, size: int, workers: int = 0) -> list[list]:
    """``items`` in batches of ``size``, in order. For ``workers`` > 0 (a parallel run) the batches
    shrink toward the end (guided self-scheduling): each is at most ``ceil(left / (2 * workers))``,
    so the workers run out of work together instead of one waiting for the other's last full batch."""
    size = max(1, int(size))
    if workers <= 0:
        return [items[i:i + size] for i in range(0, len(items), size)]
    out, i = [], 0
    while i < len(items):
        n = min(size, max(1, -(-(len(items) - i) // (2 * workers))))
        out.append(items[i:i + n])
        i += n
    return out


def _run_batches(items: list, settings: Settings, run_id: str, plan, stage: Stage, parallel: bool,
                 batch_size: int, stored: bool, label: str, overrides: Overrides | None = None,
                 workers: int = 0) -> int:
    """Every batch through ``process-batch``, staged in order; returns how many were cleaned again.
    ``overrides``: users' identity corrections, put into the documents rows before they are staged."""
    recleaned = 0
    parts = batches(items, batch_size, workers if parallel else 0)
    with progress.bar(len(items), label, enabled=settings.progress) as bar:
        if parallel:
            futures = [process_batch_task.submit(b, settings, run_id, plan, n=len(b), stored=stored) for b in parts]
            results = (f.result() for f in futures)
        else:
            results = (process_batch_task(b, settings, run_id, plan, n=len(b), stored=stored) for b in parts)
        for part, result in zip(parts, results):
            if overrides:
                for done in result.extracted:
                    overrides.apply(done)
            stage.add(result.extracted, result.failures)
            recleaned += result.recleaned
            bar.advance(len(part))
    if parallel:
        del futures
    return recleaned


def summary_markdown(result: RunResult, title: str) -> str:
    rep = result.report
    lines = [f"# {title}", "", f"documents: {rep.documents} of {len(result.sources)} sources "
             f"({rep.new_versions} new versions)", ""]
    if result.stats:
        lines += [f"extracted: {result.stats.get('extracted', 0)}, unchanged (not extracted again): "
                  f"{result.stats.get('reused', 0)}, entities made again: {result.stats.get('entities_again', 0)}",
                  ""]
    lines += ["| type | records |", "|---|---:|"]
    lines += [f"| {t} | {n} |" for t, n in sorted(rep.records_by_type.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += [f"| **total** | **{rep.records}** |", "", f"failures: {rep.failures}"]
    if result.failures:
        lines += ["", "| stage | source | error | message |", "|---|---|---|---|"]
        for f in result.failures[:200]:
            msg = str(f["message"]).replace("|", "\\|").replace("\n", " ")[:200]
            lines.append(f"| {f['stage']} | {f['source']} | {f['error_class']} | {msg} |")
    return "\n".join(lines) + "\n"


def _artifact(result: RunResult, title: str) -> None:
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(key="fazhi-run-summary", markdown=summary_markdown(result, title),
                                 description=f"{title}: documents, records by type, failures")
    except Exception:  # the summary is also printed; an artifact that cannot be written is no failure
        pass


def run_sources(sources: list[str], settings: Settings, parallel: bool = False,
                batch_size: int = DEFAULT_BATCH_SIZE, sources_files: list[str] | None = None,
                corrections: str | None = None, workers: int = 0) -> RunResult:
    """The body of ``fazhi run`` and of the nightly flow: call it inside a flow.
    ``sources_files``: files the user flagged as sources files (a list of sources, not a report).
    ``corrections``: a CSV of identity corrections keyed by doc_id (``fazhi.pipeline.identity``); with
    a sources file's own ``org`` / ``report_year`` / ``published`` they win over extraction."""
    run_id = str(flow_run.get_id() or uuid.uuid4())
    lake = str(settings.lake)
    expanded = expand_sources_task(sources, sources_files)
    overrides = Overrides.of(expanded, corrections)
    plan = plan_task(lake, settings.rules_dir, settings.ner_model)
    # files of the same size and modification time as when last read, already extracted with this
    # cleaner and rule set: no task, no read, no write (unless a user corrects their identity)
    unchanged = {s: key for s in expanded if (key := plan.unchanged_file(s)) and not overrides.touches(s)}
    todo = [s for s in expanded if s not in unchanged]
    with Stage(lake) as stage:
        stage.add(failures=expansion_failures(run_id, expanded))
        _run_batches(todo, settings, run_id, plan, stage, parallel, batch_size, False, "documents", overrides,
                     workers)
        stage.flush()
        if stage.docs or stage.failures:
            report = load_task(settings, stage)
        else:  # a run that changes nothing writes nothing: no new generation
            report = LoadReport()
    if unchanged:
        report = combined(report, report_of(Lake(lake), list(unchanged.values())))
    stats = run_stats(stage.docs, stage.failures, expanded)
    stats["reused"] += len(unchanged)
    result = RunResult(run_id=run_id, sources=list(expanded), report=report, failures=stage.failures,
                       stats=stats, ruleset=plan.ruleset)
    _artifact(result, "fazhi run")
    return result


def settings_of(settings: Settings | None, lake: str | None = None, rules: str | None = None) -> Settings:
    """The flows take a Settings; ``lake=`` / ``rules=`` alone (a notebook, a test) mean the
    environment's settings with that lake and rules folder."""
    if settings is None:
        return Settings.load(lake=lake, rules=rules)
    return settings.replace(**{k: v for k, v in (("lake", lake), ("rules", rules)) if v is not None})


@flow(name="fazhi-run")
def run_pipeline(sources: list[str], settings: Settings | None = None, parallel: bool = False,
                 batch_size: int = DEFAULT_BATCH_SIZE, sources_files: list[str] | None = None,
                 lake: str | None = None, rules: str | None = None, corrections: str | None = None,
                 workers: int = 0) -> RunResult:
    """Ingest, clean, extract and load ``sources`` into ``settings.lake``; ``corrections``: a CSV of
    identity corrections keyed by doc_id; ``workers``: how many the parallel task runner has (the
    batches shrink toward the end so that they finish together)."""
    return run_sources(sources, settings_of(settings, lake, rules), parallel=parallel, batch_size=batch_size,
                       sources_files=sources_files, corrections=corrections, workers=workers)


def current_documents(lake: Lake) -> list[dict]:
    """The ``documents`` row of each document's current version, in doc_id order."""
    versions = current_versions(lake)
    rows = [d for d in lake.read("documents").to_pylist() if versions.get(d["doc_id"]) == d["content_sha256"]]
    return sorted(rows, key=lambda d: d["doc_id"])


@flow(name="fazhi-reextract")
def reextract_pipeline(settings: Settings | None = None, parallel: bool = False,
                       batch_size: int = DEFAULT_BATCH_SIZE, lake: str | None = None,
                       rules: str | None = None, corrections: str | None = None,
                       workers: int = 0) -> RunResult:
    """The extractors again on every current document version of the lake, from its stored raw bytes
    and clean text; nothing is fetched. A version already extracted with this rule set is copied back
    (``reuse``); a text of an older cleaner is cleaned again from the raw bytes. The identity is read
    again; what a user corrected before stays, and ``corrections`` (a CSV keyed by doc_id) is put in."""
    settings = settings_of(settings, lake, rules)
    lean_memory_pool()  # every stored version is read and freed in turn: memory that stays flat
    lk = Lake(settings.lake)
    if not lk.exists():
        raise FileNotFoundError(f"no lake at {lk.root} (run `fazhi run` first, or pass --lake)")
    run_id = str(flow_run.get_id() or uuid.uuid4())
    plan = plan_task(str(lk.root), settings.rules_dir, settings.ner_model)
    docs = current_documents(lk)
    previous = sorted({d["ruleset"] for d in docs if d.get("ruleset") and d["ruleset"] != plan.ruleset})
    kept = {d["doc_id"]: fix for d in docs if (fix := kept_overrides(d))}
    fixes = read_corrections(corrections) if corrections else {}
    overrides = Overrides(by_doc={k: {**kept.get(k, {}), **fixes.get(k, {})} for k in {*kept, *fixes}})
    with Stage(str(lk.root)) as stage:
        recleaned = _run_batches(docs, settings, run_id, plan, stage, parallel, batch_size, True,
                                 f"reextract {plan.ruleset}", overrides, workers)
        report = load_task(settings, stage)
    sources = [d["source"] for d in docs]
    stats = {**run_stats(stage.docs, stage.failures, sources), "recleaned": recleaned}
    result = RunResult(run_id=run_id, sources=sources, report=report, failures=stage.failures, stats=stats,
                       ruleset=plan.ruleset, previous_rulesets=previous)
    _artifact(result, f"fazhi reextract {plan.ruleset}")
    return result


"""The ``fazhi`` command line (typer + rich).

Heavy imports (Prefect, the extractors) happen inside the commands that need
them, so ``fazhi sql`` starts fast and prints nothing but its result.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.table import Table

from fazhi.settings import LAKE_ENV, lake_dir, samples_dir

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="法治政府建设年度报告 -> typed statistics in Parquet, queried with DuckDB.")
out = Console()
err = Console(stderr=True)

LakeOption = typer.Option(None, "--lake", envvar=LAKE_ENV, show_default="data/lake",
                          help="Lake directory (default data/lake, or $FAZHI_LAKE).")
RulesOption = typer.Option(None, "--rules", exists=True, file_okay=False, envvar="FAZHI_RULES",
                           show_default="extractors/rules",
                           help="Rules folder (a copy of extractors/rules, edited); default the bundled rules.")


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def run(
    sources: Optional[List[str]] = typer.Argument(
        None, help="Files, folders, http(s) URLs, or a sources file (one source per line). "
                   "None: the bundled samples."),
    lake: Optional[Path] = LakeOption,
    workers: int = typer.Option(0, "--workers", "-w", min=0,
                                help="Run on Dask: a local cluster of N worker processes (0: sequential)."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address",
                                               help="Run on the existing Dask scheduler at this address (tcp://host:8786)."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Documents per Dask task (with --workers or --dask-address)."),
    lock_timeout: Optional[float] = typer.Option(
        None, "--lock-timeout", min=0, envvar="FAZHI_LOCK_TIMEOUT", show_default="600",
        help="Seconds to wait for another run writing the same lake (0: exit at once)."),
    rules: Optional[Path] = RulesOption,
    ner_model: Optional[str] = typer.Option(
        None, "--ner-model", envvar="FAZHI_NER_MODEL", show_default="fazhi",
        help="NER pipeline: fazhi (pkuseg + rules + trained ner), rules, none (no NER), or an "
             "installed zh_core_web_sm/md/lg/trf."),
    corrections: Optional[Path] = typer.Option(
        None, "--corrections", exists=True, dir_okay=False,
        help="CSV of identity corrections keyed by doc_id (columns doc_id, org, report_year, published, title); "
             "they win over extraction."),
) -> None:
    """Ingest, clean, extract and load SOURCES into the lake.

    Incremental: a document whose content was already extracted with this
    cleaner and rule set is fetched but not cleaned or extracted again.

    Exit status: 0 all sources loaded; 1 some failed (see the summary and the
    failures table); 3 another run held the lake's lock past --lock-timeout.
    """
    import os

    from fazhi.lake.lock import LOCK_TIMEOUT_ENV, LakeLocked
    from flows.pipeline import run_pipeline

    if lock_timeout is not None:
        os.environ[LOCK_TIMEOUT_ENV] = str(lock_timeout)
    if ner_model:
        from ner.annotate import MODEL_ENV, NO_NER, check_model

        if ner_model != NO_NER:
            try:
                check_model(ner_model)  # a missing model is an error before any document is read
            except (ImportError, FileNotFoundError) as exc:
                err.print(f"[red]NER model:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
                raise typer.Exit(code=2)
        os.environ[MODEL_ENV] = ner_model  # the flow's NER stage (and Dask workers) read it
    root = lake_dir(lake)
    chosen = list(sources) if sources else [str(samples_dir())]
    rules_dir = str(rules.resolve()) if rules else None
    fixes = _corrections_path(corrections)
    try:
        if workers or dask_address:
            from flows.runners import run_parallel

            result = run_parallel(chosen, str(root), workers=workers, address=dask_address, batch_size=batch_size,
                                  rules=rules_dir, corrections=fixes)
        else:
            result = run_pipeline(sources=chosen, lake=str(root), rules=rules_dir, corrections=fixes)
    except LakeLocked as exc:
        err.print(f"[red]lake locked:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=3)
    _print_summary(root, result)
    if result.failures:
        raise typer.Exit(code=1)


def _corrections_path(corrections: Optional[Path]) -> Optional[str]:
    """The corrections CSV, checked before any document is read (exit status 2 when unreadable)."""
    if corrections is None:
        return None
    from fazhi.pipeline.identity import CorrectionsError, read_corrections

    try:
        read_corrections(corrections)
    except CorrectionsError as exc:
        err.print(f"[red]corrections:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)
    return str(corrections.resolve())


def _print_summary(root: Path, result) -> None:
    rep = result.report
    out.print()
    out.print(f"[bold]fazhi run[/bold]  lake: {root}")
    out.print(f"documents: {rep.documents} of {len(result.sources)} sources "
              f"({rep.new_versions} new versions)")
    stats = getattr(result, "stats", None) or {}
    if stats:
        out.print(f"extracted: {stats.get('extracted', 0)}, unchanged (not extracted again): {stats.get('reused', 0)}")
    table = Table("type", "records", title=None, show_edge=False)
    for typ, n in sorted(rep.records_by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(typ, str(n))
    table.add_row("[bold]total[/bold]", f"[bold]{rep.records}[/bold]")
    out.print(table)
    out.print(f"failures: {rep.failures}" + (f"  ({rep.failures} of {len(result.sources)} sources failed: exit status 1)"
                                              if rep.failures else ""))
    for f in result.failures:
        out.print(f"  [red]{f['stage']}[/red] {f['source']}: {f['error_class']}: {f['message']}")


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL over the views documents, records, entities, failures, texts."),
    lake: Optional[Path] = LakeOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json"),
) -> None:
    """Run one SQL query on a read-only connection to the lake."""
    import duckdb

    from fazhi.lake.store import Lake
    from fazhi.query import sql as sqlmod

    try:
        columns, rows = sqlmod.query(Lake(lake_dir(lake)), query)
    except (duckdb.Error, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1)
    if format is Format.json:
        sys.stdout.write(sqlmod.to_json(columns, rows) + "\n")
    elif format is Format.csv:
        sys.stdout.write(sqlmod.to_csv(columns, rows))
    else:
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(column, overflow="fold")  # wrap, never cut a value
        for row in rows:
            table.add_row(*["" if v is None else str(sqlmod.jsonable(v)) for v in row])
        out.print(table)
        out.print(f"({len(rows)} rows)", style="dim")


@app.command()
def review(
    docs: Optional[List[str]] = typer.Argument(
        None, help="Documents to render: doc_id (or a prefix), file name, or source. None: all."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: <lake>/review)."),
    lake: Optional[Path] = LakeOption,
    diff: bool = typer.Option(False, "--diff", help="Mark what the last rule change added, removed or changed."),
    subject: Optional[List[str]] = typer.Option(
        None, "--subject", help="Subject to plot across towns and years on the index (repeatable; default 办结率)."),
) -> None:
    """Static HTML pages to audit the records in a browser (no server, no network)."""
    from fazhi import review as reviewmod

    root = lake_dir(lake)
    target = out_dir if out_dir is not None else root / "review"
    try:
        result = reviewmod.build(root, target, docs or [], diff=diff,
                                 subjects=subject or list(reviewmod.DEFAULT_SUBJECTS))
    except reviewmod.ReviewError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1)
    if diff:
        if result.diff is None:
            out.print(result.diff_message, highlight=False, soft_wrap=True)
        else:
            c = result.diff.counts()
            out.print(f"rule change {result.diff.old_ruleset} -> {result.diff.new_ruleset}: "
                      f"{c['added']} added, {c['removed']} removed, {c['changed']} changed", highlight=False)
    out.print(f"{len(result.pages)} document pages in {result.out}", highlight=False)
    out.print(f"open {result.index.resolve().as_uri()}", highlight=False, soft_wrap=True)


@app.command("eval")
def eval_(
    gold: Path = typer.Option(..., "--gold", exists=True, file_okay=False,
                              help="Folder of gold files (spec/records.md §5)."),
    lake: Optional[Path] = LakeOption,
    as_json: bool = typer.Option(False, "--json", help="Print the whole result as JSON."),
    show: bool = typer.Option(False, "--show", help="List missed and spurious records."),
) -> None:
    """Score the lake's records against gold files (spec/records.md §6)."""
    import json

    from fazhi.lake.store import Lake
    from fazhi.query import evaluate
    from fazhi.query import sql as sqlmod

    lk = Lake(lake_dir(lake))
    cols, rows = sqlmod.query(lk, evaluate.RECORDS_SQL)
    records = [dict(zip(cols, r)) for r in rows]
    cols, rows = sqlmod.query(lk, evaluate.DOCUMENTS_SQL)
    documents = [{c: sqlmod.jsonable(v) for c, v in zip(cols, r)} for r in rows]
    res = evaluate.score(gold, records, documents)
    if as_json:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, indent=1) + "\n")
        return
    c = res["counts"]
    table = Table("measure", "precision", "recall", "F1", show_edge=False)
    table.add_row("quantity found", *map(str, res["found_p_r_f1"]))
    table.add_row("typed", *map(str, res["typed_p_r_f1"]))
    for t, v in sorted(res["per_type_p_r_f1"].items()):
        table.add_row(f"  {t}", *map(str, v))
    out.print(f"documents {res['documents']}  gold {c['gold']}  predicted {c['pred']}")
    out.print(table)
    out.print(f"on found: qualifier {res['qualifier_acc']}  direction {res['direction_acc']}  "
              f"subject {res['subject_acc']}")
    out.print(f"document fields {res['document_acc']}")
    out.print(f"missed {len(res['misses'])}, spurious {len(res['spurious'])}")
    if show:
        for m in res["misses"]:
            out.print(f"  [red]miss[/red] {m['doc']}: {m['context']}|{m['text']} ({m['type']})", highlight=False)
        for s_ in res["spurious"]:
            out.print(f"  [yellow]spurious[/yellow] {s_['doc']}: {s_['text']} ({s_['type']}, {s_['subject']})",
                      highlight=False)


@app.command()
def export(
    format: str = typer.Option("csv", "--format", "-f", help="csv, parquet or xlsx"),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Output file (default: fazhi-records.<format>)."),
    lake: Optional[Path] = LakeOption,
) -> None:
    """Records joined with their documents, for pandas, R, Stata or Excel."""
    from fazhi.lake.store import Lake
    from fazhi.query import export as exportmod

    target = out_path or Path(f"fazhi-records.{format}")
    try:
        n = exportmod.export(Lake(lake_dir(lake)), format, target)
    except exportmod.ExportError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1)
    out.print(f"{n} records -> {target}", highlight=False)


@app.command()
def reextract(
    lake: Optional[Path] = LakeOption,
    rules: Optional[Path] = RulesOption,
    corrections: Optional[Path] = typer.Option(
        None, "--corrections", exists=True, dir_okay=False,
        help="CSV of identity corrections keyed by doc_id (as for `fazhi run`)."),
) -> None:
    """Re-run the extractors on the stored clean text (after a rule change); nothing is fetched.

    The rule set's records become `records`; earlier rule sets' stay in
    `records_all`. A version already extracted with this rule set is copied
    back, not extracted again.
    """
    from fazhi.lake.lock import LakeLocked
    from fazhi.pipeline.reextract import reextract as run_reextract

    try:
        rep = run_reextract(lake_dir(lake), rules, corrections=_corrections_path(corrections))
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1)
    except LakeLocked as exc:
        err.print(f"[red]lake locked:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=3)
    prev = ", ".join(p for p in rep.previous if p != rep.ruleset)
    out.print(f"[bold]fazhi reextract[/bold]  rule set {rep.ruleset}" + (f" (was {prev})" if prev else ""),
              highlight=False)
    out.print(f"rules: {rep.rules}", highlight=False, soft_wrap=True)
    out.print(f"documents: {rep.documents} (extracted {rep.extracted}, already extracted with this rule set "
              f"{rep.reused}, re-cleaned {rep.recleaned})", highlight=False)
    if rep.missing_text:
        out.print(f"[yellow]no stored text[/yellow] for {len(rep.missing_text)} documents (run `fazhi run` on them)")
    table = Table("type", "records", show_edge=False)
    for typ, n in sorted(rep.records_by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(typ, str(n))
    table.add_row("[bold]total[/bold]", f"[bold]{rep.records}[/bold]")
    out.print(table)
    if prev:
        out.print("what changed: fazhi diff", highlight=False)


class DiffFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("diff")
def diff_(
    from_: Optional[str] = typer.Option(None, "--from", help="Old rule set (id or prefix; default the one before --to)."),
    to: Optional[str] = typer.Option(None, "--to", help="New rule set (id or prefix; default the latest)."),
    format: DiffFormat = typer.Option(DiffFormat.table, "--format", "-f", help="table or json"),
    lake: Optional[Path] = LakeOption,
) -> None:
    """Records added, removed and changed between two rule sets (default the two latest), by type."""
    from fazhi.lake.store import Lake
    from fazhi.query import diff as diffmod

    lk = Lake(lake_dir(lake))
    try:
        if not lk.exists():
            raise diffmod.DiffError(f"no lake at {lk.root} (run `fazhi run` first, or pass --lake)")
        d = diffmod.compute(lk, from_, to)
    except diffmod.DiffError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)
    if format is DiffFormat.json:
        sys.stdout.write(diffmod.as_json(d) + "\n")
    else:
        diffmod.render(d, out)


@app.command()
def serve(
    sources_file: Optional[Path] = typer.Option(
        None, "--sources", envvar="FAZHI_SOURCES", show_default="data/sources.txt",
        help="The sources file the nightly run reads (one path or URL a line, or TOML); read at each run."),
    lake: Optional[Path] = LakeOption,
    rules: Optional[Path] = RulesOption,
    cron: str = typer.Option("0 2 * * *", "--cron", envvar="FAZHI_CRON", help="Cron schedule."),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", envvar="FAZHI_TIMEZONE",
                                 help="Time zone of the cron schedule (IANA name)."),
    name: str = typer.Option("nightly", "--name", help="Deployment name."),
    apply_only: bool = typer.Option(False, "--apply-only",
                                    help="Register the deployment with the Prefect server and exit, without serving."),
) -> None:
    """Serve the nightly flow as a Prefect deployment on a cron schedule (default 02:00 Asia/Shanghai).

    Needs a Prefect server (`prefect server start`, then
    `prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api`); runs
    until interrupted.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from fazhi.settings import PROJECT_ROOT

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        err.print(f"[red]error:[/red] unknown time zone {timezone!r}", markup=True, highlight=False)
        raise typer.Exit(code=2)
    if sources_file is None:
        sources_file = next((p for p in (Path("data/sources.txt"), PROJECT_ROOT / "data" / "sources.txt")
                             if p.is_file()), Path("data/sources.txt"))
    if not sources_file.is_file():
        err.print(f"[red]error:[/red] no sources file {sources_file} (pass --sources FILE)", markup=True,
                  highlight=False)
        raise typer.Exit(code=2)
    from flows.nightly import deployment

    try:
        dep = deployment(str(sources_file.resolve()), str(lake_dir(lake)),
                         str(rules.resolve()) if rules else None, cron=cron, timezone=timezone, name=name)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)
    out.print(f"nightly: {sources_file.resolve()} -> {lake_dir(lake)}, cron {cron!r} ({timezone})", highlight=False)
    if apply_only:
        out.print(f"deployment {dep.apply()} registered (fazhi-nightly/{name})", highlight=False)
        return
    from prefect import serve as prefect_serve

    prefect_serve(dep)


if __name__ == "__main__":  # pragma: no cover
    app()

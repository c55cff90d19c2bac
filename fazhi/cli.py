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

from .config import LAKE_ENV, lake_dir, samples_dir

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="法治政府建设年度报告 -> typed statistics in Parquet, queried with DuckDB.")
out = Console()
err = Console(stderr=True)

LakeOption = typer.Option(None, "--lake", envvar=LAKE_ENV, show_default="data/lake",
                          help="Lake directory (default data/lake, or $FAZHI_LAKE).")


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
) -> None:
    """Ingest, clean, extract and load SOURCES into the lake.

    Exit status: 0 all sources loaded; 1 some failed (see the summary and the
    failures table); 3 another run held the lake's lock past --lock-timeout.
    """
    import os

    from flows.pipeline import run_pipeline

    from .lock import LOCK_TIMEOUT_ENV, LakeLocked

    if lock_timeout is not None:
        os.environ[LOCK_TIMEOUT_ENV] = str(lock_timeout)
    root = lake_dir(lake)
    chosen = list(sources) if sources else [str(samples_dir())]
    try:
        if workers or dask_address:
            from flows.runners import run_parallel

            result = run_parallel(chosen, str(root), workers=workers, address=dask_address, batch_size=batch_size)
        else:
            result = run_pipeline(sources=chosen, lake=str(root))
    except LakeLocked as exc:
        err.print(f"[red]lake locked:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=3)
    _print_summary(root, result)
    if result.failures:
        raise typer.Exit(code=1)


def _print_summary(root: Path, result) -> None:
    rep = result.report
    out.print()
    out.print(f"[bold]fazhi run[/bold]  lake: {root}")
    out.print(f"documents: {rep.documents} of {len(result.sources)} sources "
              f"({rep.new_versions} new versions)")
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

    from . import sql as sqlmod
    from .lake import Lake

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
    from . import review as reviewmod

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

    from . import evaluate
    from . import sql as sqlmod
    from .lake import Lake

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
    from . import export as exportmod
    from .lake import Lake

    target = out_path or Path(f"fazhi-records.{format}")
    try:
        n = exportmod.export(Lake(lake_dir(lake)), format, target)
    except exportmod.ExportError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(code=1)
    out.print(f"{n} records -> {target}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()

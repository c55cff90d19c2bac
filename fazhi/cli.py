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
) -> None:
    """Ingest, clean, extract and load SOURCES into the lake."""
    from flows.pipeline import run_pipeline

    root = lake_dir(lake)
    chosen = list(sources) if sources else [str(samples_dir())]
    if workers or dask_address:
        from flows.runners import run_parallel

        result = run_parallel(chosen, str(root), workers=workers, address=dask_address, batch_size=batch_size)
    else:
        result = run_pipeline(sources=chosen, lake=str(root))
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
    out.print(f"failures: {rep.failures}")
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


if __name__ == "__main__":  # pragma: no cover
    app()

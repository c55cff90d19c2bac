"""The commands that look after the lake itself: ``fazhi check`` and ``fazhi repair``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from fazhi.cli.app import LakeOption, app
from fazhi.defaults import lake_dir


@app.command()
def check(
    lake: Optional[Path] = LakeOption,
    raw: bool = typer.Option(True, "--raw/--no-raw", help="Also verify every raw blob against its SHA-256."),
) -> None:
    """Verify the lake: every table file against the size and SHA-256 in its generation's manifest,
    the views of lake.duckdb, and the raw bytes.

    Exit status: 0 intact, 1 damaged (fazhi repair rebuilds it), 2 no lake.
    """
    from rich.console import Console

    from fazhi.lake.store import Lake
    from fazhi.pipeline.repair import check as run_check

    out = Console(highlight=False, soft_wrap=True)
    lk = Lake(lake_dir(lake))
    try:
        rep = run_check(lk, raw=raw)
    except FileNotFoundError as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2)
    out.print(f"[bold]fazhi check[/bold]  lake: {lk.root}  generation: {rep.generation or '(before generations)'}")
    manifest = lk.manifest(rep.generation) if rep.generation else None
    out.print(f"tables: {len((manifest or {}).get('files', {}))} files verified"
              + (f", raw blobs: {rep.raw_checked}" if raw else ""))
    for note in rep.notes:
        out.print(f"[yellow]note:[/yellow] {note}")
    if rep.ok:
        out.print("[green]ok[/green]: nothing damaged")
        return
    for p in rep.problems:
        out.print(f"  [red]problem[/red] {p}")
    out.print(f"{len(rep.problems)} problems: `fazhi repair --lake {lk.root}` rebuilds the tables")
    raise typer.Exit(code=1)


@app.command()
def repair(lake: Optional[Path] = LakeOption) -> None:
    """Rebuild the damaged tables of the current generation from the raw bytes, the stored texts
    and the intact tables, into a new generation (one atomic commit); rewrite the views of a moved lake.

    Exit status: 0 repaired or nothing to repair, 1 something could not be rebuilt, 2 no lake,
    3 another run holds the lake's lock.
    """
    from rich.console import Console

    from fazhi.lake.lock import LakeLocked
    from fazhi.lake.store import Lake
    from fazhi.pipeline.repair import repair as run_repair

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    lk = Lake(lake_dir(lake))
    try:
        rep = run_repair(lk)
    except FileNotFoundError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2)
    except LakeLocked as exc:
        err.print(f"[red]lake locked:[/red] {exc}")
        raise typer.Exit(code=3)
    if rep.generation is None:
        out.print("views written again for this place" if rep.views_rebuilt else "nothing to repair")
    else:
        out.print(f"[bold]fazhi repair[/bold]  new generation {rep.generation}")
        for table, how in rep.rebuilt.items():
            out.print(f"  {table}: {how}")
    for p in rep.unrecoverable:
        out.print(f"  [red]not rebuilt[/red] {p}")
    if rep.unrecoverable:
        raise typer.Exit(code=1)


"""What every command module of the CLI shares: the typer app, the consoles, common options, errors."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.console import Console

from fazhi.defaults import lake_dir

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="法治政府建设年度报告 -> typed statistics in Parquet, queried with DuckDB.")
out = Console()
err = Console(stderr=True)

# Defaults and FAZHI_* variables are read by fazhi.settings.Settings (the lake directory, which needs
# no pydantic, by fazhi.defaults.lake_dir), nowhere else.
LakeOption = typer.Option(None, "--lake", show_default="data/lake, or $FAZHI_LAKE",
                          help="Lake directory (default data/lake, or $FAZHI_LAKE).")
RulesOption = typer.Option(None, "--rules", exists=True, file_okay=False, show_default="extractors/rules",
                           help="Rules folder (a copy of extractors/rules, edited); default the bundled rules "
                                "(or $FAZHI_RULES).")


def fail(message: str, code: int = 1, label: str = "error") -> NoReturn:
    """One red line on standard error, then exit with ``code``."""
    err.print(f"[red]{label}:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code=code)


def require_lake(lake: Optional[Path]):
    """The lake at ``--lake`` (or the default); every command that reads one says the same when there is none."""
    from fazhi.lake.store import Lake


    lk = Lake(lake_dir(lake))
    if not lk.exists():
        fail(f"no lake at {lk.root} (run `fazhi run` first, or pass --lake)")
    return lk


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"



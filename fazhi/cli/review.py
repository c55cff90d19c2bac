"""The command that renders the records for a reader: ``fazhi review`` (static HTML pages)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from fazhi.cli.app import LakeOption, app, err, out, require_lake


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

    root = require_lake(lake).root
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

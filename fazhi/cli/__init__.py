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
from rich.table import Table

from fazhi.cli.app import Format, LakeOption, RulesOption, app, err, fail, out, require_lake  # noqa: F401


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

    from fazhi.query import evaluate
    from fazhi.query import sql as sqlmod

    lk = require_lake(lake)
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
    from fazhi.query import diff as diffmod

    lk = require_lake(lake)
    try:
        d = diffmod.compute(lk, from_, to)
    except diffmod.DiffError as exc:
        err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)
    if format is DiffFormat.json:
        sys.stdout.write(diffmod.as_json(d) + "\n")
    else:
        diffmod.render(d, out)


# the commands in their own modules register themselves on ``app``
from fazhi.cli import lake as _lake  # noqa: E402,F401  (registers check, repair)
from fazhi.cli import query as _query  # noqa: E402,F401  (registers sql, export, schema, browse)
from fazhi.cli import run as _run  # noqa: E402,F401  (registers run, reextract, serve, explain)

if __name__ == "__main__":  # pragma: no cover
    app()

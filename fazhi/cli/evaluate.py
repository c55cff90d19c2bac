"""The commands that judge the records: ``fazhi eval`` (against gold files) and ``fazhi diff``
(what a rule change added, removed and changed)."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from fazhi.cli.app import LakeOption, app, err, out, require_lake


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

    from rich.table import Table

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

"""The commands that read the dataset: ``fazhi sql``, ``fazhi export``, ``fazhi schema``, ``fazhi browse``.

Each imports what it needs when it runs, so ``fazhi sql "SELECT 1"`` starts fast.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from fazhi.cli.app import Format, LakeOption, app, err, require_lake


def _err(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)


@app.command()
def sql(
    query: Optional[str] = typer.Argument(
        None, help="SQL over the views (documents, records, texts, entities, failures, sources, records_all, "
                   "extractions, lake_info); several statements separated by ; are each run and printed. "
                   "'-' reads the SQL from standard input."),
    file: Optional[Path] = typer.Option(None, "--file", "-i", help="Read the SQL from this file ('-': standard input)."),
    lake: Optional[Path] = LakeOption,
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json"),
    bom: bool = typer.Option(True, "--bom/--no-bom",
                             help="CSV: start with a UTF-8 byte order mark, so that Excel reads the Chinese "
                                  "(--no-bom for other tools)."),
    timeout: Optional[float] = typer.Option(None, "--timeout", min=0, envvar="FAZHI_SQL_TIMEOUT", show_default="60",
                                            help="Seconds a statement may run (0: no limit)."),
    shell: bool = typer.Option(False, "--shell", help="An interactive SQL shell on the lake (read-only)."),
) -> None:
    """Run read-only SQL on the lake: a query, a file of statements, standard input, or a shell.

    Only queries run (SELECT, WITH, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN), checked
    by DuckDB's parser before they run; the connection can read nothing but the
    lake's current tables. With several statements, each result is printed in
    turn (--format json: one JSON array per line).
    """
    import duckdb

    from fazhi.lake.store import LakeDamaged
    from fazhi.query import sql as sqlmod

    lk = require_lake(lake)
    if shell:
        try:
            _shell(lk, timeout)
        except (duckdb.Error, FileNotFoundError, LakeDamaged) as exc:
            _err(str(exc))
            raise typer.Exit(code=1)
        return
    text = _read_sql(query, file)
    try:
        results = sqlmod.query_all(lk, text, timeout)
    except (duckdb.Error, FileNotFoundError, LakeDamaged) as exc:
        _err(str(exc))
        raise typer.Exit(code=1)
    for i, res in enumerate(results):
        _print(res, format, bom and i == 0, several=len(results) > 1, first=i == 0)


def _read_sql(query: str | None, file: Path | None) -> str:
    if file is not None and query is not None:
        _err("give the SQL as an argument or with --file, not both")
        raise typer.Exit(code=2)
    if file is not None:
        if str(file) == "-":
            return sys.stdin.read()
        try:
            return file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            _err(f"cannot read {file}: {exc.strerror}")
            raise typer.Exit(code=2)
    if query is None:
        _err("no SQL: give a query, --file FILE, '-' for standard input, or --shell")
        raise typer.Exit(code=2)
    return sys.stdin.read() if query == "-" else query


def _print(res, format: "Format", bom: bool, several: bool, first: bool) -> None:
    from fazhi.query import sql as sqlmod

    if format is Format.json:
        sys.stdout.write(sqlmod.to_json(res.columns, res.rows) + "\n")
    elif format is Format.csv:
        if not first:
            sys.stdout.write("\n")
        sys.stdout.write(sqlmod.to_csv(res.columns, res.rows, bom=bom))
    else:
        _print_table(res, title=res.statement if several else None)


def _print_table(res, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    from fazhi.query import sql as sqlmod

    out = Console()
    if title:
        out.print(title, style="bold", highlight=False, soft_wrap=True)
    table = Table(show_lines=False)
    for column in res.columns:
        table.add_column(column, overflow="fold")  # wrap, never cut a value
    for row in res.rows:
        table.add_row(*["" if v is None else str(sqlmod.jsonable(v)) for v in row])
    out.print(table)
    out.print(f"({len(res.rows)} rows)", style="dim")


SHELL_HELP = """Statements end with ';'. Read-only: SELECT, WITH, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN.
  .tables             the views
  .schema VIEW        the columns of a view, with their descriptions
  .help  .quit"""


def _shell(lk, timeout: float | None) -> None:
    """A small read-only REPL on one sandboxed connection."""
    import duckdb

    from fazhi.query import sql as sqlmod

    con = sqlmod.connect(lk)
    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
        print(f"fazhi sql shell on {lk.root} (generation {lk.generation()}); .help for help, .quit to leave")
    limit = timeout if timeout is not None else sqlmod.default_timeout()
    buffer: list[str] = []
    try:
        while True:
            try:
                line = input(("fazhi> " if not buffer else "  ...> ") if interactive else "")
            except EOFError:
                break
            stripped = line.strip()
            if not buffer and stripped.startswith("."):
                cmd, _, arg = stripped.partition(" ")
                if cmd in (".quit", ".exit"):
                    break
                if cmd == ".help":
                    print(SHELL_HELP)
                    continue
                if cmd == ".tables":
                    stmt = "SELECT view_name AS name, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1"
                elif cmd == ".schema" and arg.strip():
                    stmt = ("SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = "
                            + "'" + arg.strip().replace("'", "''") + "' ORDER BY column_index")
                else:
                    print(f"unknown command {cmd} (.help)")
                    continue
                buffer = [stmt + ";"]
                stripped = ";"
            else:
                buffer.append(line)
            if not stripped.endswith(";"):
                continue
            text = "\n".join(buffer)
            buffer = []
            try:
                for statement in sqlmod.split(text):
                    _print_table(sqlmod.run(con, statement, limit))
            except duckdb.Error as exc:
                _err(str(exc))
    finally:
        con.close()


@app.command()
def export(
    format: str = typer.Option("csv", "--format", "-f", help="csv, parquet, xlsx or dta (Stata)"),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Output file (default: fazhi-records.<format>)."),
    lake: Optional[Path] = LakeOption,
    bom: bool = typer.Option(True, "--bom/--no-bom", help="CSV: start with a UTF-8 byte order mark (for Excel)."),
) -> None:
    """One tidy table for pandas, R, Stata or Excel: a row per statistic with its document's
    org, division, level, year, published date, title and file name.

    xlsx: frozen header, filter, column widths, number formats and a codebook
    sheet; dta: Stata 118 (Unicode) with variable labels from the data dictionary.
    """
    from fazhi.lake.store import LakeDamaged
    from fazhi.query import export as exportmod

    target = out_path or Path(f"fazhi-records.{format}")
    try:
        n = exportmod.export(require_lake(lake), format, target, bom=bom)
    except (exportmod.ExportError, FileNotFoundError, LakeDamaged) as exc:
        _err(str(exc))
        raise typer.Exit(code=1)
    print(f"{n} records -> {target}")


class SchemaFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def schema(
    table: Optional[str] = typer.Argument(None, help="One table or view (default: all)."),
    format: SchemaFormat = typer.Option(SchemaFormat.text, "--format", "-f", help="text, markdown or json"),
) -> None:
    """The data dictionary: every table and column with its type and meaning (docs/data-dictionary.md)."""
    from schemas import docs as docsmod

    try:
        entries = docsmod.dictionary(table)
    except KeyError:
        _err(f"no table {table!r}: choose one of {', '.join(docsmod.table_names())}")
        raise typer.Exit(code=1)
    if format is SchemaFormat.json:
        import json

        sys.stdout.write(json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
    elif format is SchemaFormat.markdown:
        sys.stdout.write(docsmod.markdown(entries))
    else:
        sys.stdout.write(docsmod.text(entries))


@app.command()
def browse(
    lake: Optional[Path] = LakeOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."),
    port: int = typer.Option(8001, "--port", min=0, max=65535, help="Port (0: any free one)."),
    review: Optional[Path] = typer.Option(None, "--review", help="Folder of the review pages that records link to "
                                                              "(default <lake>/review, built when missing)."),
    open_browser: bool = typer.Option(False, "--open", help="Open the page in the default browser."),
) -> None:
    """The dataset in a browser (datasette): SQL, facets, and from each record a link to its review page.

    Read-only: datasette serves an immutable SQLite snapshot of the current tables,
    made again when the lake's generation changes.
    """
    from fazhi.lake.store import LakeDamaged
    from fazhi.review import browse as browsemod

    try:
        browsemod.serve(require_lake(lake), host=host, port=port, review=review, open_browser=open_browser)
    except (browsemod.BrowseError, FileNotFoundError, LakeDamaged) as exc:
        _err(str(exc))
        raise typer.Exit(code=1)


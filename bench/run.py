"""``make bench``: every comparison alternated in one process, median ratio, spread and load.

    python -m bench.run [--quick] [--rounds N] [--only rules,startup,...] [--dask-ner]

Sections (``bench/sections.py``): rules (against the strong scan and the
anchors), startup (``fazhi run`` on one small file, temporary and running
Prefect server, and where the time goes), batch (marginal cost per document,
the stages without Prefect), nightly (an unchanged rerun), reextract (peak
memory in lake size), ner, sql (the 10M-record lake), sqlstart (how fast ``fazhi sql``
starts), stream (``diff`` and ``review`` memory in lake size; ``bench/commands.py``), dask. ``--quick``: fewer
rounds and smaller sizes, no Dask. The "before" column is the previous
version's figures (``bench/README.md``). Results go to ``bench/.cache/last.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
import traceback

from rich.console import Console
from rich.table import Table

from . import commands, corpus, sections

out = Console(width=None if sys.stdout.isatty() else 160)
SECTIONS = ("rules", "startup", "batch", "nightly", "reextract", "ner", "sql", "sqlstart", "stream", "dask")


def machine() -> dict:
    import duckdb
    import prefect
    import pyarrow

    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except Exception:
        pass
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=corpus.ROOT,
                          capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__, "prefect": prefect.__version__,
            "commit": head, "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def table(rows: list[sections.Row]) -> Table:
    t = Table(title="fazhi bench: each comparison alternated in one process; median, spread (min-max) over rounds")
    for col, just in (("section", "left"), ("figure", "left"), ("before", "right"), ("now (median)", "right"),
                      ("spread", "right"), ("load", "right"), ("note", "left")):
        t.add_column(col, justify=just, overflow="fold")
    for r in rows:
        t.add_row(r.section, r.figure, r.before, r.now, r.spread, r.load, r.note)
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes, no Dask (about 5 minutes)")
    ap.add_argument("--rounds", type=int, help="rounds per comparison (default 5, --quick 3)")
    ap.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--nightly", help="two document counts for the unchanged rerun (default 5000,10000; "
                                      "--quick 1000,2000)")
    ap.add_argument("--lake-rows", type=int, help="records in the SQL lake (default 10M, --quick 1M)")
    ap.add_argument("--sql-before", metavar="CHECKOUT",
                    help="sqlstart: alternate `fazhi sql` run from this other checkout with this one")
    ap.add_argument("--reports", type=int, metavar="N",
                    help="reextract and stream: lakes of N and 4N reports (default 72, --quick 18)")
    ap.add_argument("--dask-ner", action="store_true", help="the Dask rows with NER on (the issue's setting; slow)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the bench's Prefect server is stopped
    quick = args.quick
    rounds = args.rounds or (3 if quick else 5)
    only = set(args.only.split(",")) if args.only else set(SECTIONS) - ({"dask"} if quick else set())
    nightly = tuple(int(x) for x in (args.nightly or ("1000,2000" if quick else "5000,10000")).split(","))
    lake_rows = args.lake_rows or (1_000_000 if quick else 10_000_000)
    reports = args.reports or (18 if quick else 72)

    t_start = time.perf_counter()
    info = machine()
    out.print(f"[bold]fazhi bench[/bold]{' --quick' if quick else ''}  {info['nproc']} cores, {info['memory']} memory, "
              f"Python {info['python']}, DuckDB {info['duckdb']}, pyarrow {info['pyarrow']}, Prefect {info['prefect']}")
    out.print(f"at: {info['commit']}")
    out.print(f"load average at start: {info['loadavg']}; corpus: {corpus.source_name()}")
    (corpus.CACHE / "logs").mkdir(parents=True, exist_ok=True)
    rows: list[sections.Row] = []
    timings: dict[str, float] = {}

    def section(name, fn, *a):
        if name not in only:
            return
        out.print(f"  [dim]{name} ...[/dim]", end="")
        t0 = time.perf_counter()
        try:
            got = fn(*a)
        except Exception as exc:
            got = [sections.Row(name, "failed", f"{type(exc).__name__}", note=str(exc)[:200])]
            traceback.print_exc(file=open(corpus.CACHE / "logs" / f"{name}.error", "w"))
        timings[name] = time.perf_counter() - t0
        out.print(f"[dim] {timings[name]:.0f} s[/dim]")
        for r in got:
            out.print(f"    {r.figure}: [bold]{r.now}[/bold] {r.spread} (before {r.before or '-'})", highlight=False)
        rows.extend(got)

    section("rules", sections.rules_rows, rounds, 20_000 if quick else 50_000, 300_000 if quick else None)
    server_needed = only & {"startup", "batch", "nightly", "reextract", "dask"}
    if server_needed:
        out.print("  [dim]starting `prefect server start` on a free port ...[/dim]", end="")
        t0 = time.perf_counter()
        server = sections.RunningServer().__enter__()
        out.print(f"[dim] {time.perf_counter() - t0:.0f} s ({server.url})[/dim]")
        try:
            section("startup", sections.startup_rows, 1 if quick else 2, server, not quick)
            section("batch", sections.marginal_rows, 2, server, 24 if quick else 72)
            section("nightly", sections.nightly_rows, 2 if quick else 3, server, nightly)
            section("reextract", sections.reextract_rows, 2, server, reports)
            section("dask", sections.dask_rows, 2, server, args.dask_ner)
        finally:
            server.__exit__(None, None, None)
    section("ner", sections.ner_rows, rounds if not quick else 2, 30_000 if quick else 100_000, 3 if quick else 8)
    section("sql", sections.sql_rows, rounds, lake_rows)
    section("sqlstart", commands.sql_start_rows, rounds, args.sql_before)
    section("stream", commands.stream_rows, 2, reports)

    total = time.perf_counter() - t_start
    out.print()
    out.print(table(rows))
    out.print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
              f"bench took {total / 60:.1f} min ({', '.join(f'{k} {v:.0f} s' for k, v in timings.items())})")
    (corpus.CACHE / "last.json").write_text(json.dumps(
        {"machine": info, "args": vars(args), "total_s": total, "timings": timings,
         "rows": [r.__dict__ for r in rows]}, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``make bench``: throughput, peak memory, the floors, the anchors, the 10M-record lake.

    python -m bench.run [--quick] [--big-mb 50] [--small-mb 5] [--lake-rows 10000000]

Every measurement runs in its own process (``bench/measure.py``), so its
peak RSS is its own. ``--quick`` skips the 50 MB corpus and the big lake.
Results are also written to ``bench/.cache/last.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import corpus

ROOT = corpus.ROOT
out = Console(width=None if sys.stdout.isatty() else 120)
SLICE = 200_000  # characters for the slow anchors (Recognizers-Text) and NER


def measure(stage: str, folder: Path, max_chars: int | None = None, label: str | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.measure", stage, str(folder)]
    if max_chars:
        cmd += ["--max-chars", str(max_chars)]
    logs = corpus.CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    name = label or f"{stage}@{folder.name}"
    out.print(f"  [dim]{name} ...[/dim]", end="")
    t0 = time.perf_counter()
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}  # no telemetry calls out
    with open(logs / f"{name.replace('/', '_')}.log", "w") as err:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, text=True, env=env)
    res = None
    for line in proc.stdout.splitlines():
        if line.startswith("@@BENCH@@"):
            res = json.loads(line[len("@@BENCH@@"):])
    if res is None:
        res = {"stage": stage, "folder": folder.name, "skipped": f"failed (exit {proc.returncode}); see {logs}"}
    res["label"] = name
    out.print(f"[dim] {time.perf_counter() - t0:.0f}s[/dim]")
    return res


def machine() -> dict:
    import duckdb
    import pyarrow
    import prefect

    mem = ""
    try:
        mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    except Exception:
        pass
    head = subprocess.run(["git", "log", "-1", "--format=%h %s", "--", "extractors"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "pyarrow": pyarrow.__version__, "prefect": prefect.__version__,
            "platform": platform.platform(), "extractors_commit": head,
            "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def _si(x):
    """1234567 -> 1.23M"""
    if x is None:
        return "-"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.2f}{suffix}"
    return f"{x:.0f}"


def _fmt(x, digits=0):
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return f"{x:,}"


def throughput_table(results: list[dict]) -> Table:
    t = Table(title="Throughput and peak memory (one process per row)", show_lines=False)
    for col in ("corpus", "stage", "docs", "chars", "seconds", "chars/s", "docs/s", "peak RSS MB"):
        t.add_column(col, justify="left" if col in ("corpus", "stage") else "right", no_wrap=True)
    for r in results:
        if "skipped" in r:
            t.add_row(r["folder"], r["stage"], "", "", "", "[yellow]skipped[/yellow]", "", "")
            continue
        stage = r["stage"] + (f" ({r['max_chars'] // 1000}k slice)" if r.get("max_chars") else "")
        t.add_row(r["folder"], stage, _fmt(r["docs"]), _si(r["chars"]), _fmt(r["seconds"], 2),
                  _si(r["chars_per_s"]), _fmt(r["docs_per_s"], 1), _fmt(r["peak_rss_mb"]))
    return t


def _cps(results, label):
    r = results.get(label)
    return None if r is None or "skipped" in r else r["chars_per_s"]


def targets(res: dict) -> tuple[Table, list[str]]:
    """The ratio table and the list of notes (skips)."""
    t = Table(title="Ratios and targets (same run, same machine)")
    for col in ("comparison", "ratio", "target", "met"):
        t.add_column(col)
    notes = []

    def row(name, num, den, target=None, ok=None):
        a, b = _cps(res, num), _cps(res, den)
        if a is None or b is None:
            missing = num if a is None else den
            t.add_row(name, "-", target or "", "[yellow]not measured[/yellow]")
            notes.append(f"{name}: {missing} not measured: {res.get(missing, {}).get('skipped', 'not run')}")
            return
        ratio = a / b
        met = "" if ok is None else ("[green]yes[/green]" if ok(ratio) else "[red]no[/red]")
        t.add_row(name, f"{ratio:.2f}×", target or "", met)

    row("rules / Recognizers-Text (200k slice)", "rules-slice@reports", "recognizers@reports", "≥ 20×", lambda r: r >= 20)
    row("rules / JioNLP extract_money", "rules@reports", "jionlp@reports", "≥ 1×", lambda r: r >= 1)
    row("candidate scan / rules", "scan@reports", "rules@reports", "≤ 10×", lambda r: r <= 10)
    row("digits floor / rules", "digits@reports", "rules@reports")
    row("NER / rules (200k slice)", "ner@reports", "rules-slice@reports")
    row("candidate scan / rules (50 MB)", "scan@big", "rules@big", "≤ 10×", lambda r: r <= 10)
    row("digits floor / rules (50 MB)", "digits@big", "rules@big")
    row("e2e Dask 2 workers / e2e sequential", "e2e-dask@reports", "e2e@reports")
    for small, big, name in (("e2e@small", "e2e@big", "e2e"), ("load@small", "load@big", "load")):
        a, b = res.get(small), res.get(big)
        if a and b and "skipped" not in a and "skipped" not in b:
            ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
            t.add_row(f"peak RSS {name}: 50 MB / 5 MB ({b['peak_rss_mb']:.0f} / {a['peak_rss_mb']:.0f} MB)",
                      f"{ratio:.2f}×", "≤ 1.5×", "[green]yes[/green]" if ratio <= 1.5 else "[red]no[/red]")
    return t, notes


def lake_table(lake: dict) -> Table:
    info = lake["info"]
    t = Table(title=f"{info['records']:,} records, {info['documents']:,} documents "
                    f"(from {info['base_records']:,} real records); DuckDB, 2 threads, median of 3 warm runs")
    t.add_column("query")
    for layout in ("sorted", "hive"):
        t.add_column(f"{layout} s", justify="right")
        t.add_column(f"{layout} CPU s", justify="right")
    t.add_column("rows", justify="right")
    for q in lake["queries"]["sorted"]:
        s, n, sc = lake["queries"]["sorted"][q]
        h, _, hc = lake["queries"]["hive"][q]
        t.add_row(q, f"{s:.3f}", f"{sc:.3f}", f"{h:.3f}", f"{hc:.3f}", f"{n:,}")
    t.add_row("[dim]size on disk (MB)[/dim]", f"{lake['sizes_mb']['sorted']:.0f}", "",
              f"{lake['sizes_mb']['hive']:.0f}", "", "")
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="only the corpora file: no 50 MB corpus, no big lake")
    ap.add_argument("--big-mb", type=int, default=50)
    ap.add_argument("--small-mb", type=int, default=5)
    ap.add_argument("--lake-rows", type=int, default=10_000_000)
    ap.add_argument("--no-e2e", action="store_true", help="skip the Prefect end-to-end runs")
    args = ap.parse_args(argv)

    info = machine()
    out.print(f"[bold]fazhi bench[/bold]  {info['nproc']} cores, {info['memory']} memory, Python {info['python']}, "
              f"DuckDB {info['duckdb']}, pyarrow {info['pyarrow']}, Prefect {info['prefect']}")
    out.print(f"extractors at: {info['extractors_commit']}")
    out.print(f"load average at start: {info['loadavg']} (other work on the machine slows every row alike)")
    out.print(f"corpus (a): {corpus.source_name()}")
    results: dict[str, dict] = {}

    def m(stage, folder, key, max_chars=None):
        results[key] = measure(stage, folder, max_chars, label=key)

    reports = corpus.reports_dir()
    for stage in ("digits", "scan", "clean", "rules"):
        m(stage, reports, f"{stage}@reports")
    m("rules", reports, "rules-slice@reports", SLICE)
    m("ner", reports, "ner@reports", SLICE)
    m("recognizers", reports, "recognizers@reports", SLICE)
    m("jionlp", reports, "jionlp@reports")
    m("load", reports, "load@reports")
    if not args.no_e2e:
        m("e2e", reports, "e2e@reports")
        m("e2e-dask", reports, "e2e-dask@reports")

    if not args.quick:
        out.print(f"corpus (b): making {args.small_mb} MB and {args.big_mb} MB of repeated documents (cached)")
        small, big = corpus.repeated_dir(args.small_mb), corpus.repeated_dir(args.big_mb)
        for stage in ("digits", "scan", "clean", "rules", "load"):
            m(stage, big, f"{stage}@big")
        m("load", small, "load@small")
        if not args.no_e2e:
            m("e2e", small, "e2e@small")
            m("e2e", big, "e2e@big")

    lake = None
    if not args.quick:
        out.print(f"lake: {args.lake_rows:,} records (built once, cached)")
        proc = subprocess.run([sys.executable, "-m", "bench.lake10m", "--rows", str(args.lake_rows)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout.splitlines():
            if line.startswith("@@LAKE@@"):
                lake = json.loads(line[len("@@LAKE@@"):])

    out.print()
    out.print(throughput_table(list(results.values())))
    ratio_table, notes = targets(results)
    out.print(ratio_table)
    if lake:
        out.print(lake_table(lake))
        gb = min(lake["queries"][layout][q][0] for layout in ("sorted", "hive")
                 for q in list(lake["queries"]["sorted"])[:2])
        out.print(f"group-by over {lake['info']['records']:,} records under 1 s: "
                  + ("[green]yes[/green]" if gb < 1 else "[red]no[/red]") + f" (best of the two group-by forms and layouts: {gb:.3f} s)")
    out.print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for note in notes:
        out.print(f"[yellow]note[/yellow] {note}")
    (corpus.CACHE / "last.json").write_text(json.dumps({"machine": info, "results": results, "lake": lake},
                                                       ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

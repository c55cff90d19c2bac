"""``fazhi sql`` against DuckDB's own ``read_parquet`` on the same lake, alternated in one process.

    python -m bench.lakesql [--rows 10000000] [--repeat 5]

The records of ``bench.lake10m`` (its ``sorted`` layout) are loaded into a
real lake (``Lake.write_batches``, one generation with its manifest and
views), cached in ``bench/.cache/fazhi-lake-<rows>/``. Each query of
``bench.lake10m.QUERIES`` then runs on

- A: ``fazhi sql``'s connection (``fazhi.query.sql.connect``: the manifest
  verified, the generation's views attached, the sandbox, the statement
  check before each run), opened anew for each run as the command does;
- B: a plain DuckDB connection with views over ``read_parquet`` of the same
  files, also opened anew;

in the order A B B A …, and the median of the per-pair ratios A/B is printed
with its spread. ``SELECT 1`` through the whole command (``fazhi sql`` as a
subprocess) is timed too, with the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import corpus, lake10m


def build(rows: int) -> Path:
    import pyarrow.parquet as pq

    from fazhi.lake.store import Lake

    src, _, _ = lake10m.lake(rows)
    dest = corpus.CACHE / f"fazhi-lake-{rows}"
    lk = Lake(dest)
    if lk.exists():
        return dest
    with lk.transaction():
        lk.write_batches("records", pq.ParquetFile(src / "sorted" / "records.parquet").iter_batches(100_000),
                         lake10m.ROW_GROUP)
        lk.write("documents", pq.read_table(src / "documents.parquet"))
    return dest


def _plain(dest: Path):
    import duckdb

    from fazhi.lake.store import Lake

    gdir = Lake(dest).current_dir.resolve()
    con = duckdb.connect()
    for name in ("records", "documents"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{gdir / (name + '.parquet')}')")
    return con


def _fazhi(dest: Path):
    from fazhi.lake.store import Lake
    from fazhi.query import sql as sqlmod

    return sqlmod.connect(Lake(dest))


def _once(side: str, dest: Path, sql: str) -> tuple[float, int]:
    from fazhi.query import sql as sqlmod

    t0 = time.perf_counter()
    if side == "A":
        con = _fazhi(dest)
        n = len(sqlmod.run(con, sql, timeout=600).rows)
    else:
        con = _plain(dest)
        n = len(con.execute(sql).fetchall())
    con.close()
    return time.perf_counter() - t0, n


def compare(dest: Path, repeat: int) -> dict:
    con = _plain(dest)
    doc = con.execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1 OFFSET 777").fetchall()[0][0]
    con.close()
    out = {}
    for name, sql in lake10m.QUERIES.items():
        sql = sql.replace("$doc", "'" + doc + "'")
        _once("A", dest, sql), _once("B", dest, sql)  # warm-up: the files in the page cache
        a, b, ratios = [], [], []
        for i in range(repeat):
            order = ("A", "B") if i % 2 == 0 else ("B", "A")
            t = {side: _once(side, dest, sql) for side in order}
            assert t["A"][1] == t["B"][1], (name, t)
            a.append(t["A"][0])
            b.append(t["B"][0])
            ratios.append(t["A"][0] / t["B"][0])
        out[name] = {"fazhi_s": statistics.median(a), "read_parquet_s": statistics.median(b),
                     "ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
                     "rows": t["A"][1]}
    return out


def select_one(dest: Path, repeat: int) -> dict:
    cmd = [sys.executable, "-m", "fazhi.cli", "sql", "SELECT 1", "--lake", str(dest), "--format", "json"]
    wall, cpu = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r0 = os.times()
        subprocess.run(cmd, check=True, capture_output=True)
        r1 = os.times()
        wall.append(time.perf_counter() - t0)
        cpu.append((r1.children_user - r0.children_user) + (r1.children_system - r0.children_system))
    return {"wall_s": statistics.median(wall), "cpu_s": statistics.median(cpu), "load": os.getloadavg()[0]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    dest = build(args.rows)
    built = time.perf_counter() - t0
    res = {"rows": args.rows, "built_s": built, "load_before": os.getloadavg()[0],
           "queries": compare(dest, args.repeat), "select_1": select_one(dest, args.repeat),
           "load_after": os.getloadavg()[0]}
    print("@@LAKESQL@@" + json.dumps(res, ensure_ascii=False))
    for name, q in res["queries"].items():
        print(f"{name:50s} fazhi {q['fazhi_s']:.3f}s  read_parquet {q['read_parquet_s']:.3f}s  "
              f"ratio {q['ratio']:.2f} ({q['ratio_min']:.2f}-{q['ratio_max']:.2f})")
    s = res["select_1"]
    print(f"fazhi sql 'SELECT 1': {s['wall_s']:.2f}s wall, {s['cpu_s']:.2f}s CPU (load {s['load']:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

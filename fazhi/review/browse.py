"""``fazhi browse``: the dataset in a browser, with datasette.

Datasette serves SQLite, so the current generation's tables are copied into a
SQLite snapshot (``documents``, ``records``, ``entities``, ``failures``,
``lake_info``; ``texts`` and the bookkeeping tables are left out: the review
pages show the texts), made once per generation in the system's temp
directory and served *immutable*: read-only, and SQL runs on a read-only
connection with datasette's time limit. Lists become JSON text, dates and
times ISO text.

Each record has a ``review`` column, a link to its highlight on its
document's review page (``fazhi review``, built into ``<lake>/review`` when
missing and served under ``/review/``). The table and column descriptions of
the data dictionary are datasette's metadata; ``records`` and ``documents``
open with facets (type, category, unit, kind, qualifier; org, year, format).
Bound to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from fazhi.lake.store import Lake

TABLES = ("documents", "records", "entities", "failures")
FACETS = {
    "records": ["type", "category", "unit", "kind", "qualifier"],
    "documents": ["org", "report_year", "format"],
    "entities": ["label"],
    "failures": ["stage", "error_class"],
}
PLUGIN = Path(__file__).with_name("browse_plugins")


class BrowseError(Exception):
    pass


def snapshot_path(lake: Lake, generation: str) -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    key = hashlib.sha256(str(lake.root).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"fazhi-browse-{uid}" / f"{key}-{generation or 'legacy'}.db"


def _sql_value(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return value


def snapshot(lake: Lake) -> Path:
    """The SQLite snapshot of the current generation (made when missing)."""
    from fazhi.review import page_file
    from schemas import TABLES as SPECS

    gen = lake.generation()
    if gen is None:
        raise FileNotFoundError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    path = snapshot_path(lake, gen)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob(path.name.split("-")[0] + "-*.db"):  # earlier generations of this lake
        old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = lake.connect(read_only=True)
    db = sqlite3.connect(tmp)
    try:
        docs = {}
        for name in TABLES:
            cols = SPECS[name].schema.names
            extra = ["review"] if name == "records" else []
            db.execute(f"CREATE TABLE {name} (" + ", ".join(f'"{c}"' for c in cols + extra) + ")")
            cur = con.execute(f'SELECT * FROM "{name}"')
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            if name == "documents":
                docs = {(d["doc_id"], d["content_sha256"]): d for d in rows}
            if name == "records":
                _review_links(rows, docs, page_file)
            db.executemany(f"INSERT INTO {name} VALUES (" + ", ".join("?" * len(cols + extra)) + ")",
                           [[_sql_value(r.get(c)) for c in cols + extra] for r in rows])
        info = con.execute("SELECT generation, previous, committed_at FROM lake_info").fetchone()
        db.execute("CREATE TABLE lake_info (generation, previous, committed_at, lake)")
        db.execute("INSERT INTO lake_info VALUES (?, ?, ?, ?)", [*map(_sql_value, info), str(lake.root)])
        for sql in ("CREATE INDEX records_doc ON records (doc_id)", "CREATE INDEX records_type ON records (type)",
                    "CREATE INDEX records_category ON records (category)",
                    "CREATE INDEX documents_doc ON documents (doc_id)"):
            db.execute(sql)
        db.commit()
    finally:
        db.close()
        con.close()
    os.replace(tmp, path)
    return path


def _review_links(records: list[dict], docs: dict, page_file) -> None:
    """``review``: the record's highlight on its review page. The page numbers a document's records
    in the order of (start, end, type, subject), as ``fazhi review`` lays them out."""
    by_doc: dict[tuple, list[dict]] = {}
    for r in records:
        by_doc.setdefault((r["doc_id"], r["content_sha256"]), []).append(r)
    for key, rows in by_doc.items():
        doc = docs.get(key)
        rows.sort(key=lambda r: (r["start"], r["end"], r["type"], r.get("subject") or ""))
        for i, r in enumerate(rows):
            r["review"] = f"/review/{page_file(doc)}#r-{i}" if doc else None


def metadata(lake: Lake) -> dict:
    from schemas import TABLES as SPECS
    from schemas.dictionary import describe, table_doc

    tables = {}
    for name in TABLES:
        cols = {c: describe(name, c) for c in SPECS[name].schema.names if describe(name, c)}
        if name == "records":
            cols["review"] = "A link to the record's highlight on its document's review page."
        tables[name] = {"description": table_doc(name), "columns": cols, "facets": FACETS.get(name, [])}
    tables["lake_info"] = {"description": table_doc("lake_info")}
    return {"title": "fazhi-extract: 法治政府建设年度报告",
            "description": f"The lake at {lake.root}: one row per statistic in records, joined to documents "
                           "on (doc_id, content_sha256). Read-only.",
            "databases": {"lake": {"tables": tables}}}


def ensure_review(lake: Lake, review: Path | None) -> Path:
    target = review or lake.root / "review"
    if not (target / "index.html").is_file():
        from fazhi import review as reviewmod

        reviewmod.build(lake.root, target, [])
    return target


def app(lake: Lake, review: Path | None = None):
    """The datasette ASGI app over the lake's snapshot."""
    from datasette.app import Datasette

    db = snapshot(lake)
    link = db.with_name("lake.db")  # the database's name in datasette's URLs is its file's stem
    if link.exists() or link.is_symlink():
        link.unlink()
    os.symlink(db, link)
    review_dir = ensure_review(lake, review)
    ds = Datasette(immutables=[str(link)], metadata=metadata(lake), plugins_dir=str(PLUGIN),
                   static_mounts=[("review", str(review_dir))],
                   settings={"default_page_size": 100, "sql_time_limit_ms": 5000, "allow_download": False,
                             "suggest_facets": True})
    return ds.app()


def serve(lake: Lake, host: str = "127.0.0.1", port: int = 8001, review: Path | None = None,
          open_browser: bool = False) -> None:
    import uvicorn

    if not lake.exists():
        raise FileNotFoundError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    asgi = app(lake, review)
    url = f"http://{host}:{port}/lake"
    print(f"fazhi browse: {url}  (read-only; Ctrl-C stops)", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(asgi, host=host, port=port, log_level="warning")

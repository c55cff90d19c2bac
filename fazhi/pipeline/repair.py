"""``fazhi check`` and ``fazhi repair``: find a damaged lake, and rebuild it.

Every generation's ``manifest.json`` holds the size and SHA-256 of each table
file. ``check`` verifies the current generation against it (truncation,
flipped bits, missing files), that ``lake.duckdb``'s views name this lake's
files (a moved lake's do not), and that every raw blob still has the SHA-256
that names it.

``repair`` writes a new generation in one transaction (a crash leaves the
damaged one, never less), each damaged table rebuilt from what is intact:

========== ==========================================================================
documents  the previous generation's rows, and for versions it lacks the raw bytes
           cleaned and read again (source, fetch time from ``sources``; the identity with
           the rules folder the version was read with, when it still holds that rule set)
texts      cleaned again from the raw bytes
records    copied from ``records_all`` (same version and rule set), else extracted
           again from the clean text with the rules folder of that rule set (``extractions``),
           else the bundled rules
records_all the previous generation's, plus the current records
entities   the previous generation's, else found again by the NER stage
sources    the previous generation's, else from ``documents`` (without HTTP validators:
           the next fetch is a full one)
extractions from ``documents`` and ``records_all``
failures   the previous generation's (a log: the last run's rows may be lost)
========== ==========================================================================

A raw blob whose bytes no longer match their SHA-256 cannot be rebuilt from
the lake: ``check`` names it, and the next ``fazhi run`` of its source stores
it again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from fazhi.lake.store import DB_NAME, GEN_DIR, Lake, Problem, _file_problem, _read_json, conform
from schemas import TABLES, table_spec


@dataclass
class CheckReport:
    generation: str | None
    problems: list[Problem] = field(default_factory=list)
    raw_checked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RepairReport:
    generation: str | None = None          # the new generation (None: nothing to repair)
    rebuilt: dict[str, str] = field(default_factory=dict)   # table -> how
    views_rebuilt: bool = False
    unrecoverable: list[Problem] = field(default_factory=list)


def problems(lake: Lake, gen: str | None) -> list[Problem]:
    """The generation's damaged table files, and the tables its manifest lacks."""
    found = lake.verify(gen, full=True)
    manifest = lake.manifest(gen) if gen else None
    if manifest is not None:
        for name in TABLES:
            if f"{name}.parquet" not in manifest.get("files", {}):
                found.append(Problem(f"{GEN_DIR}/{gen}/{name}.parquet", "missing from the manifest", name))
    return found


def check(lake: Lake, raw: bool = True) -> CheckReport:
    gen = lake.generation()
    if gen is None:
        raise FileNotFoundError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    report = CheckReport(gen, problems(lake, gen))
    if not gen:
        report.notes.append("a lake from before generations: no checksums to verify (the next write adds them)")
    elif lake.manifest(gen) is None:
        report.notes.append("a generation from before manifests: files checked for complete Parquet footers only")
    report.problems.extend(_view_problems(lake, gen))
    if raw:
        raw_found, n = _raw_problems(lake)
        report.problems.extend(raw_found)
        report.raw_checked = n
    return report


def _view_problems(lake: Lake, gen: str) -> list[Problem]:
    manifest = lake.manifest(gen) if gen else None
    if manifest is None:
        return []
    db = lake.root / GEN_DIR / gen / DB_NAME
    if not db.is_file():
        return [Problem(f"{GEN_DIR}/{gen}/{DB_NAME}", "missing (fazhi repair writes the views again)")]
    if manifest.get("root") and manifest["root"] != str(lake.root):
        return [Problem(DB_NAME, f"its views name the files at {manifest['root']}, where the lake was before it "
                                 "moved (fazhi repair writes them for this place; fazhi itself is not affected)")]
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute("SELECT count(*) FROM lake_info").fetchone()
        finally:
            con.close()
    except duckdb.Error as exc:
        return [Problem(f"{GEN_DIR}/{gen}/{DB_NAME}", f"unreadable ({exc})")]
    return []


def _raw_problems(lake: Lake) -> tuple[list[Problem], int]:
    raw = lake.root / "raw"
    problems: list[Problem] = []
    n = 0
    if not raw.is_dir():
        return problems, n
    for path in sorted(raw.glob("*/*")):
        if path.name.startswith(".") or not path.is_file():
            continue
        n += 1
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        if h.hexdigest() != path.name:
            problems.append(Problem(str(path.relative_to(lake.root)),
                                    "raw bytes differ from their SHA-256 (run the source again to store it anew)"))
    return problems, n


def repair(lake: Lake) -> RepairReport:
    """Rebuild every damaged table of the current generation into a new one (see the module doc);
    with no damaged table, write the views again when they name another place."""
    gen = lake.generation()
    if gen is None:
        raise FileNotFoundError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    report = RepairReport()
    if not {p.table for p in problems(lake, gen) if p.table in TABLES}:
        if gen and _view_problems(lake, gen):
            lake.rebuild_views()
            report.views_rebuilt = True
        return report
    with lake.transaction(verify=False):
        tx = lake._tx
        assert tx is not None  # set for the length of the transaction
        base = tx.base
        found = problems(lake, base) if base is not None else []   # again, under the lock
        damaged = {p.table for p in found if p.table in TABLES}
        report.unrecoverable = [p for p in found if p.table not in TABLES]
        _Rebuild(lake, base, damaged, report).run()
        report.generation = tx.generation
    return report


class _Rebuild:
    ORDER = ("documents", "texts", "records_all", "records", "extractions", "sources", "entities", "failures")

    def __init__(self, lake: Lake, base: str | None, damaged: set[str], report: RepairReport):
        self.lake, self.base, self.damaged, self.report = lake, base, damaged, report
        self.previous = self._previous_generation()
        self.now = dt.datetime.now(dt.timezone.utc)
        self._rules: dict = {}  # rules folder -> its loaded rules (None: unreadable)
        self._bundled = None

    def _rules_of(self, ruleset: str | None, folder: str | None):
        """The rules a document version was read with: its rules folder when that still holds the
        same rule set (by its id), else the bundled rules."""
        from extractors.ruleset import RulesError, load_rules

        if folder and folder not in self._rules:
            try:
                self._rules[folder] = load_rules(folder)
            except (OSError, RulesError):
                self._rules[folder] = None
        rules = self._rules.get(folder) if folder else None
        if rules is not None and rules.version == ruleset:
            return rules
        if self._bundled is None:
            self._bundled = load_rules(None)
        return self._bundled

    def _previous_generation(self) -> Path | None:
        manifest = self.lake.manifest(self.base) if self.base else None
        prev = (manifest or {}).get("previous")
        if not prev:
            return None
        d = self.lake.root / GEN_DIR / prev
        return d if d.is_dir() else None

    def previous_table(self, name: str) -> pa.Table | None:
        """The previous generation's table when it is intact."""
        if self.previous is None:
            return None
        import pyarrow.parquet as pq

        path = self.previous / f"{name}.parquet"
        meta = (_read_json(self.previous / "manifest.json") or {}).get("files", {}).get(path.name)
        if meta is None or _file_problem(path, meta, full=True):
            return None
        return conform(pq.read_table(path), table_spec(name).schema)

    def table(self, name: str) -> pa.Table:
        return self.lake.read(name)

    def write(self, name: str, rows: list[dict] | pa.Table, how: str) -> None:
        table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=table_spec(name).schema)
        self.lake.write(name, table)
        self.damaged.discard(name)
        self.report.rebuilt[name] = how

    def run(self) -> None:
        for name in self.ORDER:
            if name in self.damaged:
                getattr(self, f"_{name}")()
        for name in sorted(self.damaged):  # tables the rebuild knows nothing of: the previous generation's
            prev = self.previous_table(name)
            self.write(name, prev if prev is not None else table_spec(name).schema.empty_table(),
                       "from the previous generation" if prev is not None else "empty (nothing to rebuild it from)")

    # -- one method per table ----------------------------------------------
    def _known_versions(self) -> dict[tuple[str, str], dict]:
        """Every (doc_id, content_sha256) an intact table knows, with what it says of it."""
        known: dict[tuple[str, str], dict] = {}
        for name in ("sources", "records", "texts", "extractions", "records_all"):
            if name in self.damaged:
                continue
            for r in self.table(name).to_pylist():
                if r.get("doc_id") and r.get("content_sha256"):
                    info = known.setdefault((r["doc_id"], r["content_sha256"]), {})
                    for k in ("source", "checked_at", "ruleset", "extracted_at", "http_status", "content_type",
                              "final_url", "rules"):
                        if r.get(k) is not None and k not in info:
                            info[k] = r[k]
        return known

    def _documents(self) -> None:
        from fazhi.ingest.fetch import source_name
        from fazhi.ingest.rawstore import raw_relpath, read_raw

        prev = self.previous_table("documents")
        rows = {(d["doc_id"], d["content_sha256"]): d for d in (prev.to_pylist() if prev is not None else [])}
        known = self._known_versions()
        rebuilt = 0
        for key, info in sorted(known.items()):
            if key in rows:
                continue
            doc_id, sha = key
            try:
                data = read_raw(self.lake.root, sha)
            except OSError:
                self.report.unrecoverable.append(Problem(raw_relpath(sha), "raw bytes missing: the document "
                                                         "version cannot be rebuilt", "documents"))
                continue
            source = info.get("source") or doc_id
            cleaned, meta, content = _clean_and_read(data, info.get("content_type"),
                                                     rules=self._rules_of(info.get("ruleset"), info.get("rules")))
            rows[key] = {
                "doc_id": doc_id, "source": source, "sources": [source], "name": source_name(source),
                "title": meta.title, "org": meta.org, "report_year": meta.report_year,
                "published": _date(meta.published), "content_sha256": sha, "n_bytes": len(data),
                "n_chars": len(cleaned), "encoding": content.encoding, "format": content.format,
                "content_type": info.get("content_type"), "http_status": info.get("http_status"),
                "final_url": info.get("final_url"), "raw_path": raw_relpath(sha),
                "fetched_at": info.get("checked_at") or info.get("extracted_at") or self.now,
                "cleaner": _cleaner(), "ruleset": info.get("ruleset"),
            }
            rebuilt += 1
        how = (f"{len(rows) - rebuilt} rows from the previous generation, " if prev is not None else "") + \
            f"{rebuilt} read again from the raw bytes"
        self.write("documents", sorted(rows.values(), key=lambda d: (d["doc_id"], d["content_sha256"])), how)

    def _texts(self) -> None:
        from fazhi.ingest.rawstore import read_raw

        rows = []
        for d in self.table("documents").to_pylist():
            try:
                data = read_raw(self.lake.root, d["content_sha256"])
            except OSError:
                self.report.unrecoverable.append(Problem(d.get("raw_path") or d["content_sha256"],
                                                         "raw bytes missing: no clean text", "texts"))
                continue
            cleaned, _, _ = _clean_and_read(data, d.get("content_type"), meta=False)
            rows.append({"doc_id": d["doc_id"], "content_sha256": d["content_sha256"], "clean_text": cleaned,
                         "cleaner": _cleaner()})
        self.write("texts", rows, f"{len(rows)} texts cleaned again from the raw bytes")

    def _current(self) -> list[dict]:
        """The current version of each document (by ``sources`` when it is intact, else the latest fetched)."""
        docs = self.table("documents").to_pylist()
        if "sources" not in self.damaged:
            from fazhi.lake.history import current_versions

            versions = current_versions(self.lake)
        else:
            floor = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
            latest: dict[str, tuple] = {}
            for d in docs:
                rank = (d["fetched_at"] or floor, d["content_sha256"])
                if d["doc_id"] not in latest or rank > latest[d["doc_id"]]:
                    latest[d["doc_id"]] = rank
            versions = {k: v[1] for k, v in latest.items()}
        return [d for d in docs if versions.get(d["doc_id"]) == d["content_sha256"]]

    def _records_all(self) -> None:
        prev = self.previous_table("records_all")
        rows = {(r["ruleset"], r["record_id"]): r for r in (prev.to_pylist() if prev is not None else [])}
        n_prev = len(rows)
        if "records" not in self.damaged:
            for r in self.table("records").to_pylist():
                rows.setdefault((r["ruleset"], r["record_id"]), {**r, "loaded_at": self.now})
        self.write("records_all", sorted(rows.values(), key=lambda r: (r["ruleset"] or "", r["record_id"])),
                   f"{n_prev} rows from the previous generation, {len(rows) - n_prev} from records")

    def _records(self) -> None:
        import extractors
        from fazhi.pipeline.stages import record_rows

        stored: dict[tuple, list[dict]] = {}
        for r in self.table("records_all").to_pylist():
            stored.setdefault((r["doc_id"], r["content_sha256"], r["ruleset"]), []).append(r)
        texts = {(t["doc_id"], t["content_sha256"]): t["clean_text"] for t in self.table("texts").to_pylist()}
        folders = {} if "extractions" in self.damaged else {
            (e["doc_id"], e["content_sha256"], e["ruleset"]): e.get("rules") for e in self.table("extractions").to_pylist()}
        rows, copied, extracted = [], 0, 0
        for d in self._current():
            got = stored.get((d["doc_id"], d["content_sha256"], d["ruleset"]))
            if got:
                rows.extend(got)
                copied += 1
                continue
            text = texts.get((d["doc_id"], d["content_sha256"]))
            if text is None:
                continue
            rules = self._rules_of(d["ruleset"], folders.get((d["doc_id"], d["content_sha256"], d["ruleset"])))
            rows.extend(record_rows(d["doc_id"], d["source"], d["content_sha256"],
                                    extractors.extract(text, rules=rules)))
            extracted += 1
        rows.sort(key=lambda r: (r["doc_id"], r["start"], r["end"], r["type"], r["record_id"]))
        self.write("records", [{k: v for k, v in r.items() if k != "loaded_at"} for r in rows],
                   f"{copied} documents' records copied from records_all, {extracted} extracted again")

    def _extractions(self) -> None:
        counts = Counter((r["doc_id"], r["content_sha256"], r["ruleset"])
                         for r in self.table("records_all").to_pylist())
        rows = {}
        for d in self.table("documents").to_pylist():
            if d.get("ruleset"):
                key = (d["doc_id"], d["content_sha256"], d["cleaner"] or _cleaner(), d["ruleset"])
                rows[key] = {"doc_id": key[0], "content_sha256": key[1], "cleaner": key[2], "ruleset": key[3],
                             "rules": None, "n_records": counts.get((key[0], key[1], key[3]), 0),
                             "extracted_at": d.get("fetched_at"), "loaded_at": self.now}
        self.write("extractions", list(rows.values()), f"{len(rows)} rows from documents and records_all")

    def _sources(self) -> None:
        prev = self.previous_table("sources")
        rows = {s["source"]: s for s in (prev.to_pylist() if prev is not None else [])}
        for d in self._current():
            rows.setdefault(d["source"], {"source": d["source"], "doc_id": d["doc_id"],
                                          "content_sha256": d["content_sha256"], "http_status": d["http_status"],
                                          "content_type": d["content_type"], "final_url": d["final_url"],
                                          "checked_at": d["fetched_at"]})
        self.write("sources", sorted(rows.values(), key=lambda s: s["source"]),
                   f"{len(rows)} rows (from the previous generation and documents; no HTTP validators for new ones)")

    def _entities(self) -> None:
        current = {(d["doc_id"], d["content_sha256"]) for d in self._current()}
        prev = self.previous_table("entities")
        rows = [e for e in (prev.to_pylist() if prev is not None else [])
                if (e["doc_id"], e.get("content_sha256")) in current]
        have = {(e["doc_id"], e.get("content_sha256")) for e in rows}
        missing = current - have
        found = 0
        if missing:
            from fazhi.pipeline.stages import ner_enabled, ner_entities

            if ner_enabled():
                texts = {(t["doc_id"], t["content_sha256"]): t["clean_text"] for t in self.table("texts").to_pylist()}
                for key in sorted(missing):
                    if key in texts:
                        rows.extend(ner_entities(key[0], key[1], texts[key]))
                        found += 1
        self.write("entities", rows, f"{len(have)} documents' entities from the previous generation, "
                                     f"{found} found again")

    def _failures(self) -> None:
        prev = self.previous_table("failures")
        self.write("failures", prev if prev is not None else table_spec("failures").schema.empty_table(),
                   "from the previous generation (the last run's failures may be missing)" if prev is not None
                   else "empty (no intact copy: the log is lost)")


def _cleaner() -> str:
    from fazhi.ingest.clean import CLEANER_VERSION

    return CLEANER_VERSION


def _clean_and_read(data: bytes, content_type: str | None, meta: bool = True, rules=None):
    import extractors
    from fazhi.ingest.clean import clean_text
    from fazhi.ingest.formats import to_text

    content = to_text(data, content_type)
    cleaned = clean_text(content.text)
    return cleaned, (extractors.document_meta(cleaned, content.meta, rules=rules) if meta else None), content


def _date(value: str | None) -> dt.date | None:
    from fazhi.pipeline.stages import _iso_date

    return _iso_date(value)

"""Merge one run's rows into the lake's tables; the same input twice gives the same rows.

- ``documents`` and ``texts``: upsert by (doc_id, content_sha256). A version
  seen again keeps its first ``fetched_at``, so re-running changes nothing.
- ``records`` and ``entities``: all rows of a re-extracted document are
  replaced (current rule set only); every rule set's records also stay in
  ``records_all`` (``history.py``). A document the run did not extract again
  (``incremental.py``) gets its records back from ``records_all``.
- ``failures``: appended; it is a log keyed by (run_id, stage, source).

A run's documents arrive staged (``staging.py``: part files, metadata in
memory); ``texts``, ``records``, ``entities`` and ``records_all`` are merged
by streaming SQL (``sqlmerge.py``), so memory does not grow with the corpus
or the lake; the small tables stay in pyarrow. Rows are sorted by key before
writing (``texts``: stored rows, then the run's in source order) so the same
runs give the same files.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from fazhi.lake import sqlmerge
from fazhi.lake.staging import Stage
from fazhi.lake.store import DiskFull, Lake, conform
from fazhi.rows import Extracted
from schemas import table_spec


@dataclass
class LoadReport:
    documents: int = 0
    new_versions: int = 0
    records_by_type: dict[str, int] = field(default_factory=dict)
    failures: int = 0

    @property
    def records(self) -> int:
        return sum(self.records_by_type.values())


def _rows(name: str, rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=table_spec(name).schema)


def _key_strings(table: pa.Table, key: tuple[str, ...]) -> pa.Array:
    cols = [pc.cast(table.column(k), pa.string()) for k in key]
    return pc.binary_join_element_wise(*cols, "\x1f") if len(cols) > 1 else cols[0]


def _sorted(table: pa.Table, by: tuple[str, ...]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in by])


def upsert(lake: Lake, name: str, new: pa.Table, keep_first: tuple[str, ...] = ()) -> int:
    """Replace rows of ``name`` whose key is in ``new``; return how many keys were new.

    Columns in ``keep_first`` keep their stored value for keys already present.
    """
    spec = table_spec(name)
    old = lake.read(name)
    new = conform(new, spec.schema)
    old_keys = _key_strings(old, spec.key)
    new_keys = _key_strings(new, spec.key)
    if keep_first and old.num_rows:
        stored = dict(zip(old_keys.to_pylist(), old.select(list(keep_first)).to_pylist()))
        rows = new.to_pylist()
        for row, key in zip(rows, new_keys.to_pylist()):
            row.update(stored.get(key, {}))
        new = _rows(name, rows)
    kept = old.filter(pc.invert(pc.is_in(old_keys, value_set=new_keys)))
    lake.write(name, _sorted(pa.concat_tables([kept, new]), spec.key))
    return len(set(new_keys.to_pylist()) - set(old_keys.to_pylist()))


def report_of(lake: Lake, keys: list[tuple[str, str]]) -> LoadReport:
    """What the lake holds for these current ``(doc_id, content_sha256)`` versions, as a load would
    report them: for the documents a run found unchanged and did not load again."""
    import duckdb

    report = LoadReport(documents=len(keys))
    path = lake.table_path("records")
    if not keys or not path.exists():
        return report
    wanted = pa.table({"doc_id": [k[0] for k in keys], "content_sha256": [k[1] for k in keys]})
    con = duckdb.connect(config={"threads": 1, "enable_external_access": True})
    try:
        con.register("wanted", wanted)
        rows = con.execute("SELECT r.type, count(*) FROM read_parquet(?) r JOIN wanted w "
                           "USING (doc_id, content_sha256) GROUP BY 1", [str(path)]).fetchall()
    finally:
        con.close()
    report.records_by_type = {t: int(n) for t, n in rows}
    return report


def combined(a: LoadReport, b: LoadReport) -> LoadReport:
    by = dict(a.records_by_type)
    for t, n in b.records_by_type.items():
        by[t] = by.get(t, 0) + n
    return LoadReport(documents=a.documents + b.documents, new_versions=a.new_versions + b.new_versions,
                      records_by_type=by, failures=a.failures + b.failures)


def load(lake: Lake, extracted: list[Extracted], failures: list[dict]) -> LoadReport:
    """Load a list of documents at once (tests, the bench): :func:`load_stage` over one stage."""
    with Stage(lake.root) as stage:
        stage.add(extracted, failures)
        return load_stage(lake, stage)


def load_stage(lake: Lake, stage: Stage) -> LoadReport:
    """Write one run's staged results as one lake transaction: under the lake's lock, into a new
    generation, committed at once (``lake.py``); the same content from two sources is one
    document (``merge.py``). The big tables are merged by streaming SQL (``sqlmerge.py``).

    No space left on the device: nothing is committed, and the raw bytes this run brought that no
    generation names are removed too; :class:`DiskFull` says so in one message."""
    try:
        return _load_stage(lake, stage)
    except OSError as exc:
        if not isinstance(exc, DiskFull) and exc.errno != errno.ENOSPC:
            raise
        lake.discard_raw(s.document["content_sha256"] for s in stage.docs)
        if isinstance(exc, DiskFull):
            raise
        raise DiskFull.at(lake.root) from exc


def _load_stage(lake: Lake, stage: Stage) -> LoadReport:
    from fazhi.lake import history
    from fazhi.lake.merge import merge_same_content, write_sources

    stage.flush()
    with lake.transaction(), sqlmerge.Merger(lake, stage) as merger:
        kept, source_rows, aliases = merge_same_content(lake, stage.docs)
        previous = {(d["doc_id"], d["content_sha256"]): d["ruleset"]
                    for d in lake.read("documents").select(["doc_id", "content_sha256", "ruleset"]).to_pylist()}
        when = history.now_utc()
        report = LoadReport(documents=len(kept), failures=len(stage.failures))
        if kept:
            merger.use(kept, previous, when)
            merger.texts()
            report.records_by_type = merger.records()
            merger.entities()
            merger.tables()
            report.new_versions = upsert(lake, "documents", _rows("documents", [s.document for s in kept]),
                                         keep_first=("fetched_at",))
            merger.records_all()
            history.note_extractions(lake, merger.fresh_extractions(), merger.activated, when)
        if stage.failures:
            upsert(lake, "failures", _rows("failures", stage.failures))
        write_sources(lake, source_rows, aliases)
        lake.refresh_views()
        return report

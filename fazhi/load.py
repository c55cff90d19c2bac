"""Merge one run's rows into the lake's tables; the same input twice gives the same rows.

- ``documents`` and ``texts``: upsert by (doc_id, content_sha256). A version
  seen again keeps its first ``fetched_at``, so re-running changes nothing.
- ``records`` and ``entities``: all rows of a re-extracted document are
  replaced (current rule set only); every rule set's records also stay in
  ``records_all`` (``history.py``). A document the run did not extract again
  (``incremental.py``) gets its records back from ``records_all``.
- ``failures``: appended; it is a log keyed by (run_id, stage, source).

Rows are sorted by key before writing so the files are reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from schemas import table_spec

from .lake import Lake, conform
from .stages import Extracted


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


def replace_docs(lake: Lake, name: str, doc_ids: list[str], new: pa.Table, order: tuple[str, ...]) -> None:
    """Drop every row of these documents from ``name`` and add ``new``."""
    old = lake.read(name)
    kept = old.filter(pc.invert(pc.is_in(old.column("doc_id"), value_set=pa.array(doc_ids, pa.string()))))
    lake.write(name, _sorted(pa.concat_tables([kept, conform(new, old.schema)]), order))


def load(lake: Lake, extracted: list[Extracted], failures: list[dict]) -> LoadReport:
    """Write one run's results as one lake transaction: under the lake's lock, into a new
    generation, committed at once (``lake.py``); the same content from two sources is one
    document (``merge.py``)."""
    from . import history
    from .merge import merge_same_content, write_sources

    with lake.transaction():
        extracted, source_rows, aliases = merge_same_content(lake, extracted)
        extractions = history.from_run(lake, extracted)  # a reused document's records come back here
        report = _load(lake, extracted, failures)
        history.commit(lake, extractions)
        write_sources(lake, source_rows, aliases)
        return report


def _load(lake: Lake, extracted: list[Extracted], failures: list[dict]) -> LoadReport:
    """Write one run's results; texts and records before documents, views last."""
    report = LoadReport(documents=len(extracted), failures=len(failures))
    lake.root.mkdir(parents=True, exist_ok=True)
    if extracted:
        doc_ids = [e.document["doc_id"] for e in extracted]
        fresh = [e for e in extracted if not e.reused]  # a reused document's text and entities stay
        if fresh:
            upsert(lake, "texts", _rows("texts", [e.text for e in fresh]))
        records = [r for e in extracted for r in e.records]
        replace_docs(lake, "records", doc_ids, _rows("records", records),
                     ("doc_id", "start", "end", "type", "record_id"))
        replace_docs(lake, "entities", [e.document["doc_id"] for e in fresh],
                     _rows("entities", [x for e in fresh for x in e.entities]),
                     ("doc_id", "start", "end", "label"))
        report.new_versions = upsert(lake, "documents", _rows("documents", [e.document for e in extracted]),
                                     keep_first=("fetched_at",))
        for r in records:
            report.records_by_type[r["type"]] = report.records_by_type.get(r["type"], 0) + 1
    if failures:
        upsert(lake, "failures", _rows("failures", failures))
    lake.refresh_views()
    return report

"""``fazhi reextract``: the extractors again on the stored clean text, after a rule change.

Nothing is fetched: the input is the ``texts`` table (the clean text of each
document's current version). A text made by another cleaner version is
cleaned again from the raw bytes kept in the lake (``raw/``), still without
fetching. Per current document version:

- already extracted with this cleaner and rule set (``extractions``): its
  records are copied back from ``records_all``, nothing is extracted;
- else the extractors run with the rule set (``--rules DIR``, default the
  bundled ``extractors/rules``), and the document metadata is read again.

The rule set's records become ``records`` (the current rule set); those of
earlier rule sets stay in ``records_all``. Entities (NER output) are kept as
stored: they are recomputed only when the pipeline's NER model version
differs from the one that made them (see :func:`ner_stage`).

All of it is one lake transaction: a crash leaves the previous lake.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

import extractors
from extractors.ruleset import load_rules
from fazhi.ingest.clean import CLEANER_VERSION, clean_text
from fazhi.ingest.formats import to_text
from fazhi.ingest.rawstore import read_raw
from fazhi.lake import history
from fazhi.lake.load import replace_docs, upsert
from fazhi.lake.store import Lake
from fazhi.pipeline import progress
from fazhi.ingest.tables import tables_from_raw
from fazhi.pipeline.stages import _iso_date, record_rows, table_rows
from schemas import table_spec


@dataclass
class ReextractReport:
    ruleset: str
    rules: str
    previous: list[str] = field(default_factory=list)   # the rule sets of the versions before
    documents: int = 0
    extracted: int = 0          # documents whose records were computed now
    reused: int = 0             # documents whose records for this rule set were already in records_all
    recleaned: int = 0          # texts of an older cleaner, cleaned again from the raw bytes
    missing_text: list[str] = field(default_factory=list)  # doc_ids with no stored text (skipped)
    entities_recomputed: int = 0
    records_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.records_by_type.values())


def ner_stage():
    """``(model_version, entities(doc_id, content_sha256, text) -> rows)`` of the pipeline's NER stage,
    or None while the pipeline has none.

    The hook for the NER stage: ``fazhi.stages`` may define ``ner_version()``
    and ``ner_entities(doc_id, content_sha256, text)`` (and ``ner_enabled()``);
    entities are then recomputed here only for versions whose stored
    ``model`` differs.
    """
    from fazhi.pipeline import stages

    version_fn, entities_fn = getattr(stages, "ner_version", None), getattr(stages, "ner_entities", None)
    if version_fn is None or entities_fn is None:
        return None
    enabled = getattr(stages, "ner_enabled", None)
    if enabled is not None and not enabled():
        return None
    return version_fn(), entities_fn


_META_FIELDS = ("title", "org", "report_year", "published")


def reextract(lake_root: str | Path, rules: str | Path | None = None) -> ReextractReport:
    lake = Lake(lake_root)
    if not lake.exists():
        raise FileNotFoundError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    rules_path = str(Path(rules).resolve()) if rules else None
    rs = load_rules(rules_path)
    report = ReextractReport(ruleset=rs.version, rules=str(rs.path))
    with lake.transaction():
        versions = history.current_versions(lake)
        docs = lake.read("documents").to_pylist()
        current = {(d["doc_id"], d["content_sha256"]): d for d in docs
                   if versions.get(d["doc_id"]) == d["content_sha256"]}
        texts = {(t["doc_id"], t["content_sha256"]): t for t in lake.read("texts").to_pylist()
                 if (t["doc_id"], t["content_sha256"]) in current}
        done = history.done_keys(lake, CLEANER_VERSION, rs.version)
        report.previous = sorted({d["ruleset"] for d in current.values() if d["ruleset"]})
        ner = ner_stage()
        stored_entities: dict[str, list[dict]] = {}
        if ner is not None:
            for e in lake.read("entities").to_pylist():
                stored_entities.setdefault(e["doc_id"], []).append(e)

        runs: list[history.Extraction] = []
        table_rows_of: dict[str, list[dict]] = {}
        new_texts: list[dict] = []
        entity_rows: dict[str, list[dict]] = {}
        with progress.bar(len(current), f"reextract {rs.version}") as bar:
            for key, doc in sorted(current.items()):
                bar.advance()
                text_row = texts.get(key)
                recleaned = text_row is not None and text_row["cleaner"] != CLEANER_VERSION
                if recleaned:
                    text_row = _reclean(lake, doc)
                    new_texts.append(text_row)
                    report.recleaned += 1
                if text_row is None:
                    report.missing_text.append(doc["doc_id"])
                    continue
                report.documents += 1
                previous = doc["ruleset"]
                if done.get(doc["content_sha256"]) == doc["doc_id"] and not recleaned:
                    runs.append(history.Extraction(doc["doc_id"], doc["content_sha256"], CLEANER_VERSION, rs.version,
                                                   reused=True, previous_ruleset=previous, rules=rules_path))
                    report.reused += 1
                else:
                    text = text_row["clean_text"]
                    tables = tables_from_raw(read_raw(lake.root, doc["content_sha256"]), doc.get("content_type"),
                                             text, rs)
                    found = extractors.extract(text, rules=rs, tables=tables)
                    table_rows_of[doc["doc_id"]] = table_rows(doc["doc_id"], doc["content_sha256"], text, tables,
                                                              rs.version)
                    meta = extractors.document_meta(text)
                    doc.update(title=meta.title, org=meta.org, report_year=meta.report_year,
                               published=_iso_date(meta.published))
                    runs.append(history.Extraction(
                        doc["doc_id"], doc["content_sha256"], CLEANER_VERSION, rs.version,
                        records=record_rows(doc["doc_id"], doc["source"], doc["content_sha256"], found),
                        previous_ruleset=previous, rules=rules_path))
                    report.extracted += 1
                doc.update(ruleset=rs.version, cleaner=CLEANER_VERSION, n_chars=len(text_row["clean_text"]))
                if ner is not None:
                    _maybe_entities(stored_entities.get(doc["doc_id"], []), doc, text_row["clean_text"], ner,
                                    entity_rows)

        stored = history.stored_records(lake, {(x.doc_id, x.content_sha256, x.ruleset) for x in runs if x.reused})
        for x in runs:
            if x.reused:
                x.records = stored[(x.doc_id, x.content_sha256, x.ruleset)]
        records = [r for x in runs for r in x.records]
        report.records_by_type = dict(Counter(r["type"] for r in records))
        if new_texts:
            upsert(lake, "texts", pa.Table.from_pylist(new_texts, schema=table_spec("texts").schema))
        replace_docs(lake, "records", [x.doc_id for x in runs],
                     pa.Table.from_pylist(records, schema=table_spec("records").schema),
                     ("doc_id", "start", "end", "type", "record_id"))
        if table_rows_of:
            replace_docs(lake, "tables", list(table_rows_of),
                         pa.Table.from_pylist([t for rows in table_rows_of.values() for t in rows],
                                              schema=table_spec("tables").schema),
                         ("doc_id", "content_sha256", "number"))
        if entity_rows:
            report.entities_recomputed = len(entity_rows)
            replace_docs(lake, "entities", list(entity_rows),
                         pa.Table.from_pylist([e for rows in entity_rows.values() for e in rows],
                                              schema=table_spec("entities").schema),
                         ("doc_id", "start", "end", "label"))
        history.commit(lake, runs)
        lake.write("documents", pa.Table.from_pylist(docs, schema=table_spec("documents").schema)
                   .sort_by([(k, "ascending") for k in table_spec("documents").key]))
    return report


def _reclean(lake: Lake, doc: dict) -> dict:
    """The clean text of a version made by an older cleaner, again from the stored raw bytes."""
    content = to_text(read_raw(lake.root, doc["content_sha256"]), doc.get("content_type"))
    return {"doc_id": doc["doc_id"], "content_sha256": doc["content_sha256"],
            "clean_text": clean_text(content.text), "cleaner": CLEANER_VERSION}


def _maybe_entities(stored: list[dict], doc: dict, text: str, ner, out: dict) -> None:
    """Entities again for this version only when the NER model changed (or there are none of this version)."""
    version, entities_fn = ner
    stored = [e for e in stored if e.get("content_sha256") in (None, doc["content_sha256"])]
    if stored and all(e.get("model") == version for e in stored):
        return
    out[doc["doc_id"]] = list(entities_fn(doc["doc_id"], doc["content_sha256"], text))

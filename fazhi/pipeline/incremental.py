"""Incremental runs: a stage runs again only when its input or its version changed.

The versions of a document's stages are the lake's own bookkeeping, not
Prefect's cache (Prefect's cache keys hash task code and inputs, not the rule
files an extractor reads, so they would miss a rule change):

============  =====================================  ==========================================
stage         runs again when                         else
============  =====================================  ==========================================
ingest        always (it is how a change is seen;    a 304 reuses the stored bytes
              URLs get a conditional request)
clean         the raw content (``content_sha256``)   the stored clean text (``texts``)
              or ``CLEANER_VERSION`` changed
extract       the clean text (content + cleaner) or  the stored records (``records_all``),
              the rule set (``RuleSet.version``: a    nothing extracted
              hash of every rule file and the
              extractors' code) changed
ner           the stored entities of the version were    the stored entities (``entities``)
              made by another NER version (its model,
              patterns, segmentation, code), or it has
              none (its NER failed, or found nothing)
============  =====================================  ==========================================

So the key of an extraction is ``(content_sha256, cleaner, ruleset)``
(``extractions`` table, ``fazhi.history``); the NER stage's key is the
version of the document and the ``model`` column of its entities, whatever
the rule set: a version whose extraction is reused but whose entities are of
another NER version gets its entities made again from its stored text, and
nothing else. A :class:`Plan` is that
bookkeeping read once at the start of a run; the flow asks it, per ingested
document, which stages to skip.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.ruleset import load_rules
from fazhi.ingest.clean import CLEANER_VERSION
from fazhi.ingest.sources import stored_source
from fazhi.ingest.tables import tables_from_raw
from fazhi.lake.history import done_keys
from fazhi.lake.staging import Staged
from fazhi.lake.store import Lake
from fazhi.pipeline.stages import IDENTITY_FIELDS, document_row, fetch_row, page_meta_of
from fazhi.rows import Cleaned, Extracted, Ingested


class Plan:
    """What the lake already has for this run's cleaner and rule set.

    A plain class on purpose: Prefect walks dataclasses and dicts passed to a
    task (looking for futures), and this one can hold a row per document.
    """

    def __init__(self, lake: str, rules: str | None, ruleset: str, cleaner: str,
                 done: dict[str, str], texts: dict[tuple[str, str], tuple[int, int]], documents: dict[str, dict],
                 files: dict[str, tuple] | None = None, ner: str | None = None,
                 entities_of: dict[tuple[str, str], str] | None = None, texts_file: str = ""):
        self.lake = lake
        self.rules = rules
        self.ruleset = ruleset
        self.cleaner = cleaner
        self.done = done              # content_sha256 -> doc_id, extracted with (cleaner, ruleset)
        # (doc_id, content_sha256) whose stored text is of this cleaner -> (row group, row) in texts_file
        self.texts = texts
        self.texts_file = texts_file  # the ``texts`` file read when planning
        self.documents = documents    # content_sha256 -> a stored documents row
        self.files = files or {}      # file source -> (size, mtime_ns, doc_id, content_sha256) of its last read
        self.ner = ner                # this run's NER version (None: the stage is off)
        # (doc_id, content_sha256) -> the NER version of its stored entities ("" when they are of several)
        self.entities_of = entities_of or {}

    def __repr__(self) -> str:
        return f"Plan(ruleset={self.ruleset}, cleaner={self.cleaner}, ner={self.ner}, done={len(self.done)})"

    def ner_stale(self, doc: str, sha: str) -> bool:
        """Must this version's entities be made (again)? Yes when the NER stage is on and the stored
        entities are of another NER version, or there are none (its NER failed, or found nothing)."""
        return self.ner is not None and self.entities_of.get((doc, sha)) != self.ner

    def extracted(self, ingested: Ingested) -> bool:
        """Was this content extracted with this cleaner and rule set (and is its document stored)?"""
        return ingested.content_sha256 in self.done and ingested.content_sha256 in self.documents

    def unchanged_file(self, source: str) -> tuple[str, str] | None:
        """``(doc_id, content_sha256)`` when ``source`` is a file of the same size and modification time
        as when it was last read, and that content is extracted with this cleaner and rule set: the run
        need not read it at all."""
        known = self.files.get(stored_source(source))   # the sources table keeps a file's stored source
        if known is None or known[0] is None:
            return None
        try:
            st = os.stat(source)
        except OSError:
            return None
        size, mtime_ns, doc, sha = known
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns) or self.done.get(sha) != doc:
            return None
        if self.ner_stale(doc, sha):  # its entities are to be made again: the run reads it
            return None
        return (doc, sha) if sha in self.documents else None

    def never_read(self, source: str) -> bool:
        """``source`` is a file this lake has never read: with the NER stage on, its entities will be
        made (so its NER worker may start before the file is even read)."""
        return self.ner is not None and "://" not in str(source) and stored_source(source) not in self.files

    def stored_text(self, ingested: Ingested) -> tuple[str, str] | None:
        """The (doc_id, content_sha256) whose clean text (this cleaner) can stand for cleaning again."""
        return self.text_key(ingested.doc_id, ingested.content_sha256)

    def text_key(self, doc: str, sha: str) -> tuple[str, str] | None:
        """:meth:`stored_text` of the version ``(doc, sha)``."""
        for key in ((doc, sha), (self.done.get(sha), sha), (self.documents.get(sha, {}).get("doc_id"), sha)):
            if key in self.texts and sha in self.documents:
                return key
        return None


def _entity_versions(lk: Lake) -> dict[tuple[str, str], str]:
    """``(doc_id, content_sha256) -> model`` of the stored entities (one DISTINCT pass, streaming)."""
    import duckdb

    path = lk.table_path("entities")
    if not path.exists():
        return {}
    con = duckdb.connect(config={"threads": 1, "memory_limit": "200MB", "enable_external_access": True})
    try:
        rows = con.execute("SELECT doc_id, content_sha256, min(model), max(model) FROM read_parquet(?) "
                           "GROUP BY 1, 2", [str(path)]).fetchall()
    finally:
        con.close()
    return {(d, s): (lo if lo == hi else "") or "" for d, s, lo, hi in rows}


def ner_of(model: str | None) -> str | None:
    """The NER version ``model`` writes (None: the stage is off, or its version cannot be read, in
    which case every document's NER fails with the reason and nothing stored is redone)."""
    from fazhi.pipeline.stages import ner_enabled, ner_version

    if not ner_enabled(model):
        return None
    try:
        return ner_version(model)
    except Exception:
        return None


def make_plan(lake: str, rules: str | None = None, ner_model: str | None = None) -> Plan:
    """``ner_model``: the run's NER pipeline (``Settings.ner_model``; None: ``$FAZHI_NER_MODEL``, else rules)."""
    lk = Lake(lake)
    ruleset = load_rules(rules).version
    texts_file, texts = _text_locations(lk)
    documents: dict[str, dict] = {}
    for row in lk.read("documents").to_pylist():
        documents.setdefault(row["content_sha256"], row)
    files = {}
    src = lk.read("sources")
    if src.num_rows and "size" in src.column_names:
        for r in src.select(["source", "size", "mtime_ns", "doc_id", "content_sha256"]).to_pylist():
            files[r["source"]] = (r["size"], r["mtime_ns"], r["doc_id"], r["content_sha256"])
    ner = ner_of(ner_model)
    return Plan(lake=str(lk.root), rules=rules, ruleset=ruleset, cleaner=CLEANER_VERSION, files=files,
                ner=ner, entities_of=_entity_versions(lk) if ner is not None else {},
                done=done_keys(lk, CLEANER_VERSION, ruleset),
                texts=texts, texts_file=texts_file, documents=documents)


def _text_locations(lk: Lake) -> tuple[str, dict[tuple[str, str], tuple[int, int]]]:
    """The ``texts`` file and, for each version whose stored text is of this cleaner, its row group
    and row there: the keys alone are read, a row group at a time, never the texts."""
    path = lk.table_path("texts")
    if not path.exists():
        return "", {}
    where: dict[tuple[str, str], tuple[int, int]] = {}
    pf = pq.ParquetFile(path)
    present = set(pf.schema_arrow.names)
    for g in range(pf.num_row_groups):
        t = pf.read_row_group(g, columns=[c for c in ("doc_id", "content_sha256", "cleaner") if c in present])
        if "cleaner" not in present:  # a file from before the column: no text is of this cleaner
            continue
        keep = pc.equal(t.column("cleaner"), CLEANER_VERSION).to_pylist()
        for row, (doc, sha, ok) in enumerate(zip(t.column("doc_id").to_pylist(),
                                                 t.column("content_sha256").to_pylist(), keep)):
            if ok:
                where.setdefault((doc, sha), (g, row))
    return str(path), where


def read_texts(plan: Plan, keys) -> dict[tuple[str, str], str]:
    """The stored clean texts of ``keys`` (from ``Plan.text_key``): each row group that holds some of them
    read once, its texts of other versions dropped at once. A key the planned file no longer holds
    where the plan saw it (another run has written the lake since) is looked up in the current file."""
    by_group: dict[int, list[tuple[tuple[str, str], int]]] = {}
    for key in dict.fromkeys(keys):
        at = plan.texts.get(key)
        if at is not None:
            by_group.setdefault(at[0], []).append((key, at[1]))
    out: dict[tuple[str, str], str] = {}
    if by_group:
        try:
            pf = pq.ParquetFile(plan.texts_file)
            for g, wanted in sorted(by_group.items()):
                t = pf.read_row_group(g, columns=["doc_id", "content_sha256", "clean_text"])
                for key, row in wanted:
                    if row < t.num_rows and (t.column(0)[row].as_py(), t.column(1)[row].as_py()) == key:
                        out[key] = t.column(2)[row].as_py()
                del t
        except OSError:  # the planned file is gone: the current one below
            pass
    for key in dict.fromkeys(keys):
        if key not in out:
            table = pq.read_table(Lake(plan.lake).table_path("texts"), columns=["clean_text"],
                                  filters=[("doc_id", "=", key[0]), ("content_sha256", "=", key[1])])
            if table.num_rows:
                out[key] = table.column(0)[0].as_py()
    return out


def stored_text(ingested: Ingested, plan: Plan, texts: dict | None = None) -> str | None:
    """The stored clean text (this cleaner) of this content, or None when the lake has none.
    ``texts``: texts already read (:func:`read_texts`) for the batch."""
    key = plan.stored_text(ingested)
    if key is None:
        return None
    if texts is not None and key in texts:
        return texts[key]
    return read_texts(plan, [key]).get(key)


def stored_clean(ingested: Ingested, plan: Plan, texts: dict | None = None) -> Cleaned:
    """The clean stage, skipped: the stored clean text of this content (same cleaner)."""
    key = plan.stored_text(ingested)
    assert key is not None, "stored_clean needs a stored text (Plan.stored_text)"
    sha = key[1]
    stored = plan.documents[sha]
    clean = texts[key] if texts is not None and key in texts else read_texts(plan, [key])[key]
    return Cleaned(ingested=ingested, encoding=stored.get("encoding"), clean_text=clean,
                   cleaner=plan.cleaner, format=stored.get("format") or "text", meta=page_meta_of(stored),
                   tables=tables_from_raw(ingested.fetched.data, ingested.fetched.content_type, clean))


def stored_entities(plan: Plan, done: Extracted, version: str) -> list[dict] | None:
    """The stored entities of this version when the NER model that made them is ``version``, else None.

    A re-extraction keeps a version's entities unless the NER stage changed:
    they depend on the clean text and the model, not on the rule set.
    """
    doc, sha = done.document["doc_id"], done.document["content_sha256"]
    if plan.entities_of.get((doc, sha)) != version:  # none stored, or of another NER version
        return None
    path = Lake(plan.lake).table_path("entities")
    if not path.exists():
        return None
    rows = pq.read_table(path, filters=[("doc_id", "=", doc), ("content_sha256", "=", sha)]).to_pylist()
    if rows and all(r.get("model") == version for r in rows):
        return rows
    return None


_META = IDENTITY_FIELDS + ("page_meta", "n_chars", "encoding", "format", "cleaner")


def reuse(ingested: Ingested, plan: Plan) -> Extracted:
    """The clean and extract stages, skipped: the document row from this fetch and the stored metadata.

    The records come from ``records_all`` at load time (``fazhi.load``), so
    they are not carried through the flow.
    """
    stored = plan.documents[ingested.content_sha256]
    document = document_row(ingested, plan.ruleset, {k: stored.get(k) for k in _META})
    text = {"doc_id": ingested.doc_id, "content_sha256": ingested.content_sha256, "clean_text": "",
            "cleaner": plan.cleaner}
    return Extracted(document=document, text=text, records=[], fetch=fetch_row(ingested), reused=True,
                     rules_path=plan.rules)


def run_stats(extracted: Sequence[Extracted | Staged], failures: list[dict], sources: Sequence[str]) -> dict[str, int]:
    """What a run did, per stage: ``extracted`` (documents extracted now), ``reused`` (skipped),
    ``entities_again`` (reused documents whose entities were made again: another NER version's were stored)."""
    return {
        "sources": len(sources),
        "extracted": sum(1 for e in extracted if not e.reused),
        "reused": sum(1 for e in extracted if e.reused),
        "entities_again": sum(1 for e in extracted if e.reused and getattr(e, "ner_again", False)),
        "failed": len(failures),
    }


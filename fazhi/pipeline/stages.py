"""The per-document stages as plain functions; ``flows/`` wraps each in a Prefect task.

ingest: source -> raw bytes kept in the lake (a conditional request when the lake
        has the source's validators; a 304 reuses the stored bytes)
clean:  raw bytes -> plain text by detected format (text, HTML, DOCX, PDF) -> cleaned text
extract: clean text -> the rows of every table for this document

Each stage's work runs under a per-document time and memory budget
(``fazhi.pipeline.budget``): a document past it fails that stage, as any
other error does, and the run goes on.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import extractors
from extractors.ruleset import load_rules
from fazhi.faults import checkpoint
from fazhi.ids import doc_id, public_source, record_key, unique_record_ids
from fazhi.ingest.clean import CLEANER_VERSION, clean_text
from fazhi.ingest.fetch import FetchPolicy, fetch, is_url
from fazhi.ingest.formats import to_text
from fazhi.ingest.rawstore import read_raw, store_raw
from fazhi.ingest.sources import stored_source
from fazhi.ingest.tables import document_tables
from fazhi.pipeline import budget
from fazhi.rows import (
    Cleaned,
    EmptyDocument,
    Extracted,
    Fetched,
    Ingested,
    UnexpectedNotModified,
)
from fazhi.settings import Settings
from schemas.values import derived


def ingest(source: str, lake: Path, settings: Settings | None = None) -> Ingested:
    """``settings``: the run's (its fetch policy and budgets); default the environment's."""
    return budget.run("ingest", ingest_unbudgeted, source, lake, settings,
                      budget=budget.Budget.from_settings("ingest", settings))


def ingest_unbudgeted(source: str, lake: Path, settings: Settings | None = None) -> Ingested:
    previous = _previous_fetch(source, lake) if is_url(source) else None
    policy = FetchPolicy.from_settings(settings) if settings is not None else None
    fetched = fetch(source, validators=previous, policy=policy)
    if fetched.not_modified and previous is not None:
        # 304: the stored bytes are still the document; keep what the 200 said about them
        data = read_raw(lake, previous["content_sha256"])
        fetched = Fetched(source=public_source(source), name=fetched.name, data=data, fetched_at=fetched.fetched_at,
                          content_type=previous.get("content_type"), http_status=304,
                          final_url=previous.get("final_url"),
                          etag=fetched.etag or previous.get("etag"),
                          last_modified=fetched.last_modified or previous.get("last_modified"),
                          not_modified=True)
    elif fetched.not_modified:
        raise UnexpectedNotModified(f"{source}: 304 Not Modified to a request that had no validators")
    sha, rel = store_raw(lake, fetched.data)
    # a file is kept under its path relative to the sources root, not this machine's path
    return Ingested(fetched=fetched, doc_id=doc_id(stored_source(fetched.source)), content_sha256=sha, raw_path=rel)


def ingest_stored(document: dict, lake: Path) -> Ingested:
    """The ingest stage of a re-extraction: a stored version's raw bytes from the lake, nothing fetched.

    ``document`` is the version's ``documents`` row; the Ingested carries what
    its fetch recorded (source, time, HTTP metadata), so the rows built from
    it are those the run that fetched it built.
    """
    sha = document["content_sha256"]
    fetched = Fetched(source=document["source"], name=document.get("name") or "", data=read_raw(lake, sha),
                      fetched_at=document["fetched_at"], content_type=document.get("content_type"),
                      http_status=document.get("http_status"), final_url=document.get("final_url"))
    return Ingested(fetched=fetched, doc_id=document["doc_id"], content_sha256=sha,
                    raw_path=document.get("raw_path") or "")


def _previous_fetch(source: str, lake: Path) -> dict | None:
    """The ``sources`` row of the last fetch of ``source`` when its bytes are still in the lake."""
    from fazhi.lake.store import Lake

    try:
        table = Lake(lake).read("sources")
    except Exception:  # an unreadable lake means no conditional request, never a failure
        return None
    if not table.num_rows:
        return None
    import pyarrow.compute as pc

    rows = table.filter(pc.equal(table.column("source"), public_source(source))).to_pylist()
    if not rows or not rows[0].get("content_sha256"):
        return None
    row = rows[0]
    if not (lake / "raw" / row["content_sha256"][:2] / row["content_sha256"]).is_file():
        return None
    return row if (row.get("etag") or row.get("last_modified")) else None


def clean(ingested: Ingested) -> Cleaned:
    return budget.run("clean", clean_unbudgeted, ingested)


def clean_unbudgeted(ingested: Ingested) -> Cleaned:
    content = to_text(ingested.fetched.data, ingested.fetched.content_type)
    text = clean_text(content.text)
    if not text.strip():
        raise EmptyDocument(f"{ingested.fetched.source}: no text left after cleaning ({content.format})")
    return Cleaned(ingested=ingested, encoding=content.encoding, clean_text=text, cleaner=CLEANER_VERSION,
                   format=content.format, meta=content.meta, tables=document_tables(content, text))


def extract(cleaned: Cleaned, rules: str | None = None) -> Extracted:
    """``rules``: a rules folder (default: the bundled rules, ``extractors/rules``)."""
    checkpoint("extract")
    return budget.run("extract", extract_unbudgeted, cleaned, rules)


def extract_unbudgeted(cleaned: Cleaned, rules: str | None = None) -> Extracted:
    ing, f = cleaned.ingested, cleaned.ingested.fetched
    ruleset = load_rules(rules)
    meta = extractors.document_meta(cleaned.clean_text, cleaned.meta, rules=ruleset)
    # the body kept out of subjects is the one the text names, read with the run's identity
    # rules: with no page metadata, that is this identity's body, found once
    found = extractors.extract(cleaned.clean_text, rules=ruleset, tables=cleaned.tables,
                               org=meta.org if not cleaned.meta else ...)
    document = document_row(ing, ruleset.version, {
        **identity_fields(meta),
        "page_meta": json.dumps(cleaned.meta, ensure_ascii=False, sort_keys=True) if cleaned.meta else None,
        "n_chars": len(cleaned.clean_text),
        "encoding": cleaned.encoding,
        "format": cleaned.format,
        "cleaner": cleaned.cleaner,
    })
    text = {
        "doc_id": ing.doc_id,
        "content_sha256": ing.content_sha256,
        "clean_text": cleaned.clean_text,
        "cleaner": cleaned.cleaner,
    }
    return Extracted(document=document, text=text, records=record_rows(ing.doc_id, stored_source(f.source), ing.content_sha256, found),
                     tables=table_rows(ing.doc_id, ing.content_sha256, cleaned.clean_text, cleaned.tables,
                                       ruleset.version),
                     fetch=fetch_row(ing), rules_path=str(ruleset.path) if rules else None)


def table_rows(doc: str, content_sha256: str, text: str, tables, ruleset: str) -> list[dict]:
    """Rows of the ``tables`` table: each table whole, numbered as ``records.cell.table`` is."""
    from extractors.layout import Layout

    if not tables:
        return []
    layout = Layout(text)
    rows = []
    for n, t in enumerate(sorted(tables, key=lambda t: t.start), start=1):
        d = t.to_dict()
        rows.append({"doc_id": doc, "content_sha256": content_sha256, "number": n, "caption": d["caption"],
                     "section": layout.section(max(0, t.start)).path, "kind": d["kind"],
                     "n_rows": d["n_rows"], "n_cols": d["n_cols"], "header_rows": d["header_rows"],
                     "header_cols": d["header_cols"], "unit": d["unit"], "start": d["start"], "end": d["end"],
                     "cells": d["cells"], "ruleset": ruleset})
    return rows


def document_row(ing: Ingested, ruleset: str, text_fields: dict) -> dict:
    """The ``documents`` row of one version: what this fetch says, plus
    ``text_fields`` (title, org, … what the clean text says)."""
    f = ing.fetched
    return {
        "doc_id": ing.doc_id,
        "source": stored_source(f.source),
        "name": f.name,
        **text_fields,
        "content_sha256": ing.content_sha256,
        "n_bytes": len(f.data),
        "sources": [stored_source(f.source)],
        "content_type": f.content_type,
        "http_status": 200 if f.not_modified else f.http_status,
        "final_url": f.final_url,
        "raw_path": ing.raw_path,
        "fetched_at": f.fetched_at,
        "ruleset": ruleset,
    }


# The identity columns of ``documents`` (spec §4 and issue 14): what ``document_meta`` gives.
IDENTITY_FIELDS = ("title", "org", "report_year", "published", "title_from", "org_from", "report_year_from",
                   "published_from", "division_code", "level", "parent_org")


def identity_fields(meta) -> dict:
    """The identity columns of a ``documents`` row from an ``extractors.DocumentMeta``."""
    row = {f: getattr(meta, f) for f in IDENTITY_FIELDS}
    row["published"] = _iso_date(meta.published)
    return row


def page_meta_of(document: dict) -> dict:
    """The page metadata a ``documents`` row keeps (JSON in ``page_meta``)."""
    raw = document.get("page_meta")
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


def refine_identity(extracted: Extracted) -> Extracted:
    """The identity again with the NER stage's entities (ORG and GPE help find the body in an
    opening sentence); fields a user corrected (``*_from == "override"``) stay."""
    if extracted.reused or not extracted.entities:
        return extracted
    doc = extracted.document
    meta = extractors.document_meta(extracted.text["clean_text"], page_meta_of(doc), extracted.entities,
                                    rules=extracted.rules_path)
    fresh = identity_fields(meta)
    for f in ("title", "org", "report_year", "published"):
        if doc.get(f"{f}_from") == "override":
            fresh.pop(f, None)
            fresh.pop(f"{f}_from", None)
            if f == "org":
                for k in ("division_code", "level", "parent_org"):
                    fresh.pop(k, None)
    doc.update(fresh)
    return extracted


def fetch_row(ing: Ingested) -> dict:
    """The ``sources`` row of one fetch: the validators for the next conditional request."""
    f = ing.fetched
    size = mtime_ns = None
    if not is_url(f.source):
        try:
            st = Path(f.source).stat()
            size, mtime_ns = st.st_size, st.st_mtime_ns
        except OSError:
            pass
    return {
        "source": stored_source(f.source), "doc_id": ing.doc_id, "content_sha256": ing.content_sha256,
        "http_status": f.http_status, "etag": f.etag, "last_modified": f.last_modified,
        "content_type": f.content_type, "final_url": f.final_url, "checked_at": f.fetched_at,
        "size": size, "mtime_ns": mtime_ns,
    }


def record_rows(doc: str, source: str, content_sha256: str, found: list) -> list[dict]:
    """Lake rows for the records of one document version, with deterministic ids."""
    keys = [record_key(doc, content_sha256, r.start, r.end, r.type, r.unit, r.subject) for r in found]
    return [
        {"record_id": rid, "doc_id": doc, "source": source, "content_sha256": content_sha256, **r.to_dict(),
         **derived(r.type, r.value, r.unit, r.text)}
        for rid, r in zip(unique_record_ids(keys), found)
    ]


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None  # the extractor's guess was not a full date; keep the row


# The NER stage. The logic is in ner/ (ner.annotate); these are the hooks the
# flow and ``fazhi reextract`` call. ``model``: a pipeline name (rules, fazhi,
# none, an installed zh_core_web_*); None reads $FAZHI_NER_MODEL, else "rules".
# ner_enabled and ner_version never import spaCy (the version is computed from
# the files that make the entities); ner_entities loads the pipeline on first use.
def ner_enabled(model: str | None = None) -> bool:
    from ner.annotate import NO_NER, model_name

    return model_name(model) != NO_NER


def ner_version(model: str | None = None) -> str:
    from ner.annotate import version

    return version(model)


def ner_entities(doc_id: str, content_sha256: str, text: str, model: str | None = None) -> list[dict]:
    from ner.annotate import document_entities

    return document_entities(text, doc_id, content_sha256, model=model)

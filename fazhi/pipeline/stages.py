"""The per-document stages as plain functions; ``flows/`` wraps each in a Prefect task.

ingest: source -> raw bytes kept in the lake (a conditional request when the lake
        has the source's validators; a 304 reuses the stored bytes)
clean:  raw bytes -> plain text by detected format (text, HTML, DOCX, PDF) -> cleaned text
extract: clean text -> the rows of every table for this document
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import extractors
from extractors.ruleset import load_rules
from fazhi.faults import checkpoint
from fazhi.ids import doc_id, record_key, unique_record_ids
from fazhi.ingest.clean import CLEANER_VERSION, clean_text
from fazhi.ingest.fetch import FetchPolicy, fetch, is_url
from fazhi.ingest.formats import to_text
from fazhi.ingest.rawstore import read_raw, store_raw
from fazhi.ingest.tables import document_tables
from fazhi.rows import (
    Cleaned,
    EmptyDocument,
    Extracted,
    Fetched,
    Ingested,
    UnexpectedNotModified,
)
from fazhi.settings import Settings


def ingest(source: str, lake: Path, settings: Settings | None = None) -> Ingested:
    """``settings``: the run's (its fetch policy); default the environment's."""
    previous = _previous_fetch(source, lake) if is_url(source) else None
    policy = FetchPolicy.from_settings(settings) if settings is not None else None
    fetched = fetch(source, validators=previous, policy=policy)
    if fetched.not_modified and previous is not None:
        # 304: the stored bytes are still the document; keep what the 200 said about them
        data = read_raw(lake, previous["content_sha256"])
        fetched = Fetched(source=source, name=fetched.name, data=data, fetched_at=fetched.fetched_at,
                          content_type=previous.get("content_type"), http_status=304,
                          final_url=previous.get("final_url"),
                          etag=fetched.etag or previous.get("etag"),
                          last_modified=fetched.last_modified or previous.get("last_modified"),
                          not_modified=True)
    elif fetched.not_modified:
        raise UnexpectedNotModified(f"{source}: 304 Not Modified to a request that had no validators")
    sha, rel = store_raw(lake, fetched.data)
    return Ingested(fetched=fetched, doc_id=doc_id(source), content_sha256=sha, raw_path=rel)


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

    rows = table.filter(pc.equal(table.column("source"), source)).to_pylist()
    if not rows or not rows[0].get("content_sha256"):
        return None
    row = rows[0]
    if not (lake / "raw" / row["content_sha256"][:2] / row["content_sha256"]).is_file():
        return None
    return row if (row.get("etag") or row.get("last_modified")) else None


def clean(ingested: Ingested) -> Cleaned:
    content = to_text(ingested.fetched.data, ingested.fetched.content_type)
    text = clean_text(content.text)
    if not text.strip():
        raise EmptyDocument(f"{ingested.fetched.source}: no text left after cleaning ({content.format})")
    return Cleaned(ingested=ingested, encoding=content.encoding, clean_text=text, cleaner=CLEANER_VERSION,
                   format=content.format, tables=document_tables(content, text))


def extract(cleaned: Cleaned, rules: str | None = None) -> Extracted:
    """``rules``: a rules folder (default: the bundled rules, ``extractors/rules``)."""
    ing, f = cleaned.ingested, cleaned.ingested.fetched
    checkpoint("extract")
    ruleset = load_rules(rules)
    meta = extractors.document_meta(cleaned.clean_text)
    found = extractors.extract(cleaned.clean_text, rules=ruleset, tables=cleaned.tables)
    document = document_row(ing, ruleset.version, {
        "title": meta.title,
        "org": meta.org,
        "report_year": meta.report_year,
        "published": _iso_date(meta.published),
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
    return Extracted(document=document, text=text, records=record_rows(ing.doc_id, f.source, ing.content_sha256, found),
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
        "source": f.source,
        "name": f.name,
        **text_fields,
        "content_sha256": ing.content_sha256,
        "n_bytes": len(f.data),
        "sources": [f.source],
        "content_type": f.content_type,
        "http_status": 200 if f.not_modified else f.http_status,
        "final_url": f.final_url,
        "raw_path": ing.raw_path,
        "fetched_at": f.fetched_at,
        "ruleset": ruleset,
    }


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
        "source": f.source, "doc_id": ing.doc_id, "content_sha256": ing.content_sha256,
        "http_status": f.http_status, "etag": f.etag, "last_modified": f.last_modified,
        "content_type": f.content_type, "final_url": f.final_url, "checked_at": f.fetched_at,
        "size": size, "mtime_ns": mtime_ns,
    }


def record_rows(doc: str, source: str, content_sha256: str, found: list) -> list[dict]:
    """Lake rows for the records of one document version, with deterministic ids."""
    keys = [record_key(doc, content_sha256, r.start, r.end, r.type, r.unit, r.subject) for r in found]
    return [
        {"record_id": rid, "doc_id": doc, "source": source, "content_sha256": content_sha256, **r.to_dict()}
        for rid, r in zip(unique_record_ids(keys), found)
    ]


def _iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None  # the extractor's guess was not a full date; keep the row


# The NER stage (issue 4). The logic is in ner/ (ner.annotate); these are the
# hooks the flow and ``fazhi reextract`` call. The model: $FAZHI_NER_MODEL, else
# "fazhi" (pkuseg + rules + the trained ner); "none" turns the stage off.
def ner_enabled(model: str | None = None) -> bool:
    from ner.annotate import NO_NER, model_name

    return model_name(model) != NO_NER


def ner_version(model: str | None = None) -> str:
    from ner.annotate import version

    return version(model)


def ner_entities(doc_id: str, content_sha256: str, text: str, model: str | None = None) -> list[dict]:
    from ner.annotate import document_entities

    return document_entities(text, doc_id, content_sha256, model=model)

"""The per-document stages as plain functions; ``flows/`` wraps each in a Prefect task.

ingest: source -> raw bytes kept in the lake
clean:  raw bytes -> decoded, cleaned text
extract: clean text -> the rows of every table for this document
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import extractors

from .clean import CLEANER_VERSION, clean_text
from .decode import decode_bytes
from .fetch import Fetched, fetch
from .ids import doc_id, record_key, unique_record_ids
from .rawstore import store_raw


class EmptyDocument(ValueError):
    """Nothing is left after cleaning."""


@dataclass(frozen=True)
class Ingested:
    fetched: Fetched
    doc_id: str
    content_sha256: str
    raw_path: str


@dataclass(frozen=True)
class Cleaned:
    ingested: Ingested
    encoding: str
    clean_text: str
    cleaner: str = CLEANER_VERSION


@dataclass
class Extracted:
    """Everything one document contributes to the lake."""

    document: dict
    text: dict
    records: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)


def ingest(source: str, lake: Path) -> Ingested:
    fetched = fetch(source)
    sha, rel = store_raw(lake, fetched.data)
    return Ingested(fetched=fetched, doc_id=doc_id(source), content_sha256=sha, raw_path=rel)


def clean(ingested: Ingested) -> Cleaned:
    decoded = decode_bytes(ingested.fetched.data)
    text = clean_text(decoded.text)
    if not text.strip():
        raise EmptyDocument(f"{ingested.fetched.source}: no text left after cleaning")
    return Cleaned(ingested=ingested, encoding=decoded.encoding, clean_text=text)


def extract(cleaned: Cleaned) -> Extracted:
    ing, f = cleaned.ingested, cleaned.ingested.fetched
    meta = extractors.document_meta(cleaned.clean_text)
    found = extractors.extract(cleaned.clean_text)
    document = {
        "doc_id": ing.doc_id,
        "source": f.source,
        "name": f.name,
        "title": meta.title,
        "org": meta.org,
        "report_year": meta.report_year,
        "published": _iso_date(meta.published),
        "content_sha256": ing.content_sha256,
        "n_bytes": len(f.data),
        "n_chars": len(cleaned.clean_text),
        "encoding": cleaned.encoding,
        "content_type": f.content_type,
        "http_status": f.http_status,
        "final_url": f.final_url,
        "raw_path": ing.raw_path,
        "fetched_at": f.fetched_at,
        "cleaner": cleaned.cleaner,
        "ruleset": extractors.RULESET,
    }
    text = {
        "doc_id": ing.doc_id,
        "content_sha256": ing.content_sha256,
        "clean_text": cleaned.clean_text,
        "cleaner": cleaned.cleaner,
    }
    return Extracted(document=document, text=text, records=record_rows(ing.doc_id, f.source, ing.content_sha256, found))


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

"""The rows the stages pass on, from fetching to loading: plain data, no behaviour, no imports
from the rest of the package (``fazhi.ingest``, ``fazhi.pipeline`` and ``fazhi.lake`` all use them)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Fetched:
    source: str                 # the path or URL as ingested
    name: str                   # basename of the path or URL path
    data: bytes
    fetched_at: datetime        # UTC
    content_type: str | None = None
    http_status: int | None = None
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # a 304 to a conditional request: ``data`` is empty


class EmptyDocument(ValueError):
    """Nothing is left after cleaning."""


class UnexpectedNotModified(RuntimeError):
    """A 304 without a stored version to reuse."""


@dataclass(frozen=True)
class Ingested:
    fetched: Fetched
    doc_id: str
    content_sha256: str
    raw_path: str


@dataclass(frozen=True)
class Cleaned:
    ingested: Ingested
    encoding: str | None
    clean_text: str
    cleaner: str = ""     # the cleaner version that made ``clean_text``
    format: str = "text"
    # the page's own metadata (``fazhi.ingest.html.page_meta``: meta tags, publication line,
    # source line, breadcrumb), for the document fields; never part of ``clean_text``
    meta: dict = field(default_factory=dict)
    # the document's tables (extractors.tables.Table), cells located in ``clean_text``;
    # None: not known (the extractors then recognise the tables flattened into the text)
    tables: tuple | None = None


@dataclass
class Extracted:
    """Everything one document contributes to the lake."""

    document: dict
    text: dict
    records: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)   # rows of the ``tables`` table
    fetch: dict | None = None   # the row of the ``sources`` table for the source that gave it
    # set when extraction was skipped: this version was already extracted with this cleaner and
    # rule set (``fazhi.incremental``); the load takes its records from ``records_all``
    reused: bool = False
    rules_path: str | None = None  # the rules folder used (None: the bundled rules)
    # a reused version whose entities were made again (the stored ones were of another NER version):
    # its ``entities`` replace the stored ones; a reused version without it keeps them
    ner_again: bool = False

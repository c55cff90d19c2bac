"""fazhi-extract extractors: pure functions from text to records.

    >>> from extractors import extract
    >>> [r.value for r in extract("共办理信访件87件,办结率100%。")]
    [87.0, 100.0]

No Prefect, Parquet or DuckDB is involved here.
"""
from .record import DocumentMeta, Record
from .pipeline import RULESET, document_meta, extract

__all__ = ["extract", "document_meta", "Record", "DocumentMeta", "RULESET"]

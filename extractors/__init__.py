"""fazhi-extract extractors: pure functions from text to records.

    >>> from extractors import extract
    >>> [r.value for r in extract("共办理信访件87件,办结率100%。")]
    [87.0, 100.0]

No Prefect, Parquet or DuckDB is involved here.
"""
from .pipeline import RULESET, document_meta, explain, extract, format_explanation
from .record import DocumentMeta, Record
from .rulecheck import RulesError
from .ruleset import load_rules

__all__ = ["extract", "explain", "format_explanation", "document_meta", "load_rules", "Record",
           "DocumentMeta", "RULESET", "RulesError"]

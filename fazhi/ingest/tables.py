"""A document's tables, located in its clean text.

Two sources: the tables the format gave with their structure (HTML
``<table>``, Word tables: ``formats.Content.tables``), and tables flattened
into the text (``|``-divided rows, one cell a line, space-divided rows), which
``extractors.flattables`` recognises in the text *before* cleaning, while its
blank lines (empty cells) and runs of spaces (cell boundaries) are still
there. Both are then located in the clean text (``extractors.tables.locate``),
so every cell has its span where records point; a flattened table that is a
structured one rendered as text is dropped.
"""
from __future__ import annotations

from dataclasses import replace

from extractors.pipeline import find_tables
from extractors.ruleset import load_rules
from extractors.tables import Table, infer_headers, locate

_CAPTION_MAX = 80


def document_tables(content, clean: str, rules=None) -> tuple[Table, ...]:
    """The tables of a document (``formats.Content``) with cell spans in ``clean``, in text order."""
    rules = rules or load_rules()
    structured = [infer_headers(t, rules) for t in locate(content.tables, clean)]
    flat = locate(find_tables(content.text, rules), clean)
    flat = [t for t in flat if not any(t.start < s.end and s.start < t.end for s in structured)]
    return tuple(_context(t, clean) for t in sorted(structured + flat, key=lambda t: t.start))


def _context(t: Table, clean: str) -> Table:
    """A caption and context for a structured table from the lines before it."""
    if t.kind not in ("html", "docx") or t.start <= 0:
        return t
    before = clean[:t.start].rstrip("\n").split("\n")[-2:]
    before = [b.strip() for b in before if b.strip()]
    caption = t.caption
    if caption and before and before[-1] == caption:
        before = before[:-1]
    if not caption and before and len(before[-1]) <= _CAPTION_MAX and "。" not in before[-1]:
        caption = before[-1]
    return replace(t, caption=caption, context=" ".join(before))


def tables_from_raw(data: bytes, content_type: str | None, clean: str, rules=None) -> tuple[Table, ...]:
    """The tables of a document whose clean text is stored: read again from its raw bytes (the
    flattened ones need the text before cleaning), located in the stored ``clean``."""
    from fazhi.ingest.formats import to_text

    try:
        content = to_text(data, content_type)
    except ValueError:
        return ()
    return document_tables(content, clean, rules)

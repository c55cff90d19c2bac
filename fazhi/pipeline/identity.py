"""Users' corrections of document identity, which win over extraction.

Two places give them:

- a TOML sources file: ``org``, ``report_year``, ``published`` (and ``title``)
  on a source (``sources = [{url = "…", org = "某某镇"}]``) or on a
  ``[[listing]]`` (every report it links to); see ``fazhi.ingest.sources``;
- a corrections CSV keyed by ``doc_id`` (``fazhi run --corrections FILE``,
  ``fazhi reextract --corrections FILE``)::

      doc_id,org,report_year,published,title
      3f2a…,梅溪区卫生健康局,2023,2024-03-29,
      9b1c…,,2022,,

  An empty cell corrects nothing. A row of the CSV wins over the sources file
  for the same field.

A corrected field says ``override`` in its ``*_from`` column; a corrected
``org`` is resolved to its division again (``division_code``, ``level``,
``parent_org``). ``fazhi reextract`` keeps earlier overrides of a document
(its ``*_from`` is ``override``) when it reads the identity again.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from extractors.meta import with_overrides
from extractors.record import DocumentMeta

FIELDS = ("org", "report_year", "published", "title")
_DERIVED = ("division_code", "level", "parent_org")


class CorrectionsError(ValueError):
    """A corrections file that cannot be read: no ``doc_id`` column, a bad year or date."""


def read_corrections(path: str | Path) -> dict[str, dict]:
    """``doc_id -> {field: value}`` of a corrections CSV (UTF-8, BOM allowed)."""
    from extractors.meta import parse_date

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionsError(f"{p}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    cols = [c.strip() for c in (reader.fieldnames or [])]
    if "doc_id" not in cols:
        raise CorrectionsError(f"{p}: no doc_id column (columns: {cols})")
    unknown = set(cols) - {"doc_id", *FIELDS, "note", "source"}
    if unknown:
        raise CorrectionsError(f"{p}: unknown columns {sorted(unknown)} (expected doc_id, {', '.join(FIELDS)})")
    out: dict[str, dict] = {}
    for n, row in enumerate(reader, 2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        doc = row.get("doc_id")
        if not doc:
            continue
        fix = {f: row[f] for f in FIELDS if row.get(f)}
        if "report_year" in fix:
            if not fix["report_year"].isdigit() or not 1949 <= int(fix["report_year"]) <= 2100:
                raise CorrectionsError(f"{p}:{n}: report_year {fix['report_year']!r} is not a year")
            fix["report_year"] = int(fix["report_year"])
        if "published" in fix:
            iso = parse_date(fix["published"])
            if not iso:
                raise CorrectionsError(f"{p}:{n}: published {fix['published']!r} is not a date")
            fix["published"] = iso
        out.setdefault(doc, {}).update(fix)
    return out


@dataclass
class Overrides:
    """The corrections of one run: per source (sources files) and per doc_id (a CSV)."""

    by_source: dict[str, dict] = field(default_factory=dict)
    by_doc: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, sources=None, corrections: Optional[str | Path] = None) -> "Overrides":
        """From an expanded ``SourceList`` (its ``identity``) and a corrections CSV path."""
        from fazhi.ingest.sources import stored_source

        identity = dict(getattr(sources, "identity", None) or {})
        # the lake keeps a local file under its stored form (relative to its sources root): both match
        for src in list(sources or ()):
            if src in identity:
                identity.setdefault(stored_source(src), identity[src])
        return cls(by_source=identity, by_doc=read_corrections(corrections) if corrections else {})

    def __bool__(self) -> bool:
        return bool(self.by_source or self.by_doc)

    def touches(self, source: str) -> bool:
        """Does a correction name this source (or its doc_id)?"""
        from fazhi.ids import doc_id
        from fazhi.ingest.sources import stored_source

        return source in self.by_source or (bool(self.by_doc) and doc_id(stored_source(source)) in self.by_doc)

    def for_document(self, source: str, doc_id: str) -> dict:
        return {**self.by_source.get(source, {}), **self.by_doc.get(doc_id, {})}

    def apply(self, extracted) -> None:
        """Put the corrections of this document into its ``documents`` row (in place)."""
        doc = extracted.document
        fix = self.for_document(doc.get("source", ""), doc.get("doc_id", ""))
        if fix:
            apply_to_row(doc, fix)


def apply_to_row(doc: dict, fix: Mapping, text: str = "") -> dict:
    """A ``documents`` row with ``fix`` put in (see the module docstring)."""
    import datetime as dt

    base = DocumentMeta(**{k: doc.get(k) for k in DocumentMeta.__dataclass_fields__ if k in doc})
    if isinstance(base.published, dt.date):
        base = DocumentMeta(**{**base.to_dict(), "published": base.published.isoformat()})
    fixed = with_overrides(base, fix, text)
    for f in FIELDS:
        if fix.get(f) not in (None, ""):
            doc[f] = getattr(fixed, f)
            doc[f"{f}_from"] = "override"
    if fix.get("org"):
        for k in _DERIVED:
            doc[k] = getattr(fixed, k)
    if isinstance(doc.get("published"), str):
        try:
            doc["published"] = dt.date.fromisoformat(doc["published"])
        except ValueError:
            doc["published"] = None
    return doc


def kept_overrides(old: Mapping) -> dict:
    """The fields of a stored ``documents`` row that a user corrected, as a ``fix``."""
    fix = {}
    for f in FIELDS:
        if old.get(f"{f}_from") == "override" and old.get(f) is not None:
            v = old[f]
            fix[f] = v.isoformat() if hasattr(v, "isoformat") else v
    return fix

"""The record an extractor emits: one statistic found in a text.

Field names and meanings follow ``spec/records.md`` (the contract). The
pipeline adds ``doc_id``, ``source`` and ``record_id`` when it stores records;
everything here is known from the text alone.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Optional


@dataclass(frozen=True)
class Cell:
    """Where a record from a table stands: the table's number in the report (from 1), and the
    row and column of the cell in the table's grid (from 0, header rows and columns included)."""

    table: int
    row: int
    col: int


@dataclass(frozen=True)
class Record:
    type: str                 # case | count | amount | percentage
    value: float              # normalised number (万/亿 multiplied out, 万元 -> 元 ...)
    unit: Optional[str]       # 件, 人次, 元, 平方米, % ...; None: a table cell with no unit to give or infer
    qualifier: str            # exact | over | under | approx
    direction: Optional[str]  # increase | decrease | None (percent changes only)
    subject: Optional[str]    # what is counted or measured, in the report's words
    category: str             # taxonomy of subjects (rules/categories.toml)
    text: str                 # surface string of the quantity, number to unit
    start: int                # offset of ``text`` in the cleaned text
    end: int                  # end offset (exclusive)
    sentence: str             # the sentence holding the quantity
    section: str              # section path, e.g. "一 > (三) > 二是"
    rule: str                 # name of the rule that produced the record
    extractor: str = "rules"  # which extractor: rules | table | ner
    ruleset: str = ""         # rule-set version (hash of rule files + code version)
    cell: Optional[Cell] = None  # a table cell's coordinates (extractor "table"), else None

    def to_dict(self) -> dict:
        # a flat dict, no deep copy (dataclasses.asdict recursed and copied, the
        # hot spot of the load stage)
        d = {name: getattr(self, name) for name in _RECORD_FIELDS}
        if self.cell is not None:  # the one field that is not a scalar
            d["cell"] = {"table": self.cell.table, "row": self.cell.row, "col": self.cell.col}
        return d


_RECORD_FIELDS = tuple(f.name for f in fields(Record))


@dataclass(frozen=True)
class DocumentMeta:
    org: Optional[str] = None
    report_year: Optional[int] = None
    published: Optional[str] = None  # ISO YYYY-MM-DD
    title: Optional[str] = None
    # where each came from (extractors/meta.py): override | meta | title | text | signature |
    # opening | self | frequency | publication_line | date_line | published
    org_from: Optional[str] = None
    report_year_from: Optional[str] = None
    published_from: Optional[str] = None
    title_from: Optional[str] = None
    # the body's administrative division (extractors/divisions.py)
    division_code: Optional[str] = None   # GB/T 2260 of the county, city or province it is or belongs to
    level: Optional[str] = None           # province | city | county | town | department | national
    parent_org: Optional[str] = None      # for a department: its government

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in _META_FIELDS}


_META_FIELDS = tuple(f.name for f in fields(DocumentMeta))

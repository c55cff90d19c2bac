"""The Arrow schema and key of each lake table.

``records`` is derived from the fields of :class:`extractors.record.Record`
plus the pipeline's own columns, so a field added to ``Record`` becomes a
column without touching this file (a type outside ``_PY_TO_ARROW`` needs one
line there).
"""
from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass

import pyarrow as pa

from extractors.record import Cell, Record


@dataclass(frozen=True)
class TableSpec:
    """A table: its name, Arrow schema and the columns that identify a row."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    doc: str = ""
    order: tuple[str, ...] = ()     # the row order of the table's file (default: the key)

    @property
    def sort(self) -> tuple[str, ...]:
        return self.order or self.key

    def order_by(self) -> str:
        """The ``ORDER BY`` list of the table's row order, for SQL."""
        return ", ".join('"' + c.replace('"', '""') + '"' for c in self.sort)


_PY_TO_ARROW: dict[type, pa.DataType] = {
    str: pa.string(),
    float: pa.float64(),
    int: pa.int64(),
    bool: pa.bool_(),
    # a table cell's coordinates: cell.table, cell.row, cell.col in SQL
    Cell: pa.struct([pa.field("table", pa.int32()), pa.field("row", pa.int32()), pa.field("col", pa.int32())]),
}

UTC_TS = pa.timestamp("us", tz="UTC")


def _arrow_field(name: str, hint: typing.Any) -> pa.Field:
    """Map one dataclass type hint (``str``, ``Optional[float]``...) to an Arrow field.

    Every Record column is nullable in the table: the extractor contract is
    enforced by the extractors' tests, and a stray ``None`` must not make the
    whole load fail. ``Optional`` only tells the type here.
    """
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) != 1:
            raise TypeError(f"Record.{name}: unsupported union type {hint!r}")
        hint = args[0]
    try:
        return pa.field(name, _PY_TO_ARROW[hint], nullable=True)
    except KeyError:
        raise TypeError(f"Record.{name}: no Arrow type for {hint!r}; add it to _PY_TO_ARROW") from None


def record_fields() -> list[pa.Field]:
    """Arrow fields for every field of ``Record``, in declaration order."""
    hints = typing.get_type_hints(Record)
    return [_arrow_field(f.name, hints[f.name]) for f in dataclasses.fields(Record)]


DOCUMENTS = TableSpec(
    name="documents",
    key=("doc_id", "content_sha256"),
    doc="one row per document version (a source and the content it had)",
    schema=pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("sources", pa.list_(pa.string())),  # every path or URL that gave this content
        pa.field("name", pa.string()),            # basename of the source
        pa.field("title", pa.string()),
        pa.field("org", pa.string()),
        pa.field("report_year", pa.int32()),
        pa.field("published", pa.date32()),
        # identity (extractors/meta.py): where each field came from — override | meta | title |
        # text | signature | opening | self | frequency | publication_line | date_line | published
        pa.field("title_from", pa.string()),
        pa.field("org_from", pa.string()),
        pa.field("report_year_from", pa.string()),
        pa.field("published_from", pa.string()),
        pa.field("division_code", pa.string()),    # GB/T 2260 of the division the body is or belongs to
        pa.field("level", pa.string()),            # province | city | county | town | department | national
        pa.field("parent_org", pa.string()),       # a department's government
        pa.field("page_meta", pa.string()),        # JSON: the page's own metadata (meta tags, publication line …)
        pa.field("content_sha256", pa.string(), nullable=False),  # of the raw bytes
        pa.field("n_bytes", pa.int64()),
        pa.field("n_chars", pa.int64()),           # of the clean text
        pa.field("encoding", pa.string()),
        pa.field("format", pa.string()),           # detected from the bytes: text | html | docx | pdf
        pa.field("content_type", pa.string()),
        pa.field("http_status", pa.int32()),
        pa.field("final_url", pa.string()),
        pa.field("raw_path", pa.string()),         # relative to the lake
        pa.field("fetched_at", UTC_TS),            # first fetch of this version
        pa.field("cleaner", pa.string()),
        pa.field("ruleset", pa.string()),
    ]),
)

TEXTS = TableSpec(
    name="texts",
    key=("doc_id", "content_sha256"),
    doc="the clean text of each document version; record offsets point into it",
    schema=pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("clean_text", pa.string(), nullable=False),
        pa.field("cleaner", pa.string(), nullable=False),
    ]),
)

RECORDS = TableSpec(
    name="records",
    key=("record_id",),
    order=("doc_id", "start", "end", "type", "record_id"),
    doc="one row per extracted statistic, current rule set only",
    schema=pa.schema(
        [
            pa.field("record_id", pa.string(), nullable=False),
            pa.field("doc_id", pa.string(), nullable=False),
            pa.field("source", pa.string(), nullable=False),
            pa.field("content_sha256", pa.string(), nullable=False),
        ]
        + record_fields()
        + [  # derived by the pipeline from the record (schemas/values.py)
            pa.field("unit_written", pa.string()),
            pa.field("unit_simplified", pa.string()),
            pa.field("kind", pa.string()),
            pa.field("value_int", pa.int64()),
            pa.field("display", pa.string()),
        ]
    ),
)

ENTITIES = TableSpec(
    name="entities",
    key=("doc_id", "start", "end", "label"),
    order=("doc_id", "start", "end", "label", "text", "rule", "model", "sentence"),
    doc="named entities found in the clean text by the NER stage (ner/)",
    schema=pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string()),
        pa.field("label", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("sentence", pa.string()),
        pa.field("model", pa.string()),            # pipeline@version, e.g. fazhi@3f2a...
        pa.field("rule", pa.string()),             # the pattern id, or "ner" for the trained model
    ]),
)

FAILURES = TableSpec(
    name="failures",
    key=("run_id", "stage", "source"),
    doc="a log of documents that failed a stage; the run went on without them",
    schema=pa.schema([
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),   # ingest | clean | extract | ner | load
        pa.field("source", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("error_class", pa.string(), nullable=False),
        pa.field("message", pa.string()),
        pa.field("time", UTC_TS, nullable=False),
    ]),
)

SOURCES = TableSpec(
    name="sources",
    key=("source",),
    doc="one row per path or URL: the document and content it gave last, and the HTTP validators",
    schema=pa.schema([
        pa.field("source", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),               # the document its content belongs to
        pa.field("content_sha256", pa.string()),       # what it gave last
        pa.field("http_status", pa.int32()),           # of the last fetch (304: not modified)
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("final_url", pa.string()),
        pa.field("checked_at", UTC_TS),                # the last fetch
        pa.field("size", pa.int64()),                  # files: size and modification time at the last
        pa.field("mtime_ns", pa.int64()),              # read; unchanged, the next run does not read it again
    ]),
)

RECORDS_ALL = TableSpec(
    name="records_all",
    key=("ruleset", "record_id"),
    order=("ruleset", "doc_id", "start", "end", "type", "record_id"),
    doc="the records of every rule set (``records`` is the current one); kept across rule changes",
    schema=pa.schema(
        list(RECORDS.schema)
        + [pa.field("loaded_at", UTC_TS)]   # when these records were last made the current ones
    ),
)

EXTRACTIONS = TableSpec(
    name="extractions",
    key=("doc_id", "content_sha256", "cleaner", "ruleset"),
    doc="stage bookkeeping: which document version was extracted with which cleaner and rule set",
    schema=pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("cleaner", pa.string(), nullable=False),
        pa.field("ruleset", pa.string(), nullable=False),
        pa.field("rules", pa.string()),                # the rules folder used (informative)
        pa.field("n_records", pa.int64()),
        pa.field("extracted_at", UTC_TS),
        pa.field("loaded_at", UTC_TS),                 # the last time it was made current
    ]),
)

CELL = pa.struct([
    pa.field("row", pa.int32()), pa.field("col", pa.int32()),
    pa.field("rowspan", pa.int32()), pa.field("colspan", pa.int32()),
    pa.field("header", pa.bool_()),
    pa.field("text", pa.string()),
    pa.field("start", pa.int64()), pa.field("end", pa.int64()),   # in the clean text; -1 for an empty cell
])

DOC_TABLES = TableSpec(
    name="tables",
    key=("doc_id", "content_sha256", "number"),
    doc="one row per table of a document version, whole: its cells with their row, column, spans and "
        "place in the clean text, so the table can be shown and queried; records.cell points into it",
    schema=pa.schema([
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("number", pa.int32(), nullable=False),      # 1, 2, … in the report's order (records.cell.table)
        pa.field("caption", pa.string()),
        pa.field("section", pa.string()),                    # the section path where the table stands
        pa.field("kind", pa.string()),                       # html | docx | pipe | lines | spaces
        pa.field("n_rows", pa.int32()),
        pa.field("n_cols", pa.int32()),
        pa.field("header_rows", pa.int32()),
        pa.field("header_cols", pa.int32()),
        pa.field("unit", pa.string()),                       # a 单位：line's unit, as written
        pa.field("start", pa.int64()),                       # the table's region in the clean text
        pa.field("end", pa.int64()),
        pa.field("cells", pa.list_(CELL)),
        pa.field("ruleset", pa.string()),
    ]),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (DOCUMENTS, TEXTS, RECORDS, ENTITIES, FAILURES)}
TABLES[DOC_TABLES.name] = DOC_TABLES
TABLES[SOURCES.name] = SOURCES
TABLES[RECORDS_ALL.name] = RECORDS_ALL
TABLES[EXTRACTIONS.name] = EXTRACTIONS


def documented(spec: TableSpec) -> TableSpec:
    """``spec`` with the data dictionary's descriptions as Arrow metadata (``description``) on
    the schema and on every field, so that they travel inside each Parquet file."""
    from .dictionary import describe, table_doc

    fields = []
    for fld in spec.schema:
        text = describe(spec.name, fld.name)
        fields.append(fld.with_metadata({"description": text}) if text else fld)
    doc = table_doc(spec.name) or spec.doc
    return dataclasses.replace(spec, schema=pa.schema(fields, metadata={"description": doc} if doc else None))


for _name in list(TABLES):
    TABLES[_name] = documented(TABLES[_name])


def table_spec(name: str) -> TableSpec:
    return TABLES[name]

"""The data dictionary: what every table and column means, for researchers.

This is the single source of the descriptions. They become the Parquet
field metadata (``description``), the ``COMMENT ON`` of every view and
column in ``lake.duckdb``, the output of ``fazhi schema``, the codebook
sheet of an xlsx export, the variable labels of a Stata export and the
tables of ``docs/data-dictionary.md``.

A column described in ``COLUMNS`` means the same in every table that has it;
``TABLE_COLUMNS`` overrides or adds descriptions for one table. Every column
of every table must have one (the tests check it).
"""
from __future__ import annotations

TABLE_DOCS: dict[str, str] = {
    "documents": "One row per document version: a report (a file or a web page) and the content it had when "
                 "fetched. A report whose file or page changes gets a new row with the same doc_id.",
    "texts": "The clean text of each document version. The start and end of records and entities are "
             "character offsets into clean_text.",
    "records": "One row per statistic found in a report (a number of cases, a count, an amount of money or a "
               "measure, a percentage), extracted by the current rule set from the current version of each "
               "document.",
    "records_all": "The records of every rule set the lake has seen (records is the current rule set's); "
                   "kept so that a rule change can be compared (fazhi diff) and undone.",
    "entities": "Named entities in the clean text (laws in 《》, offices, places, dates, people), found by "
                "the NER stage.",
    "failures": "A log of the sources that failed a stage, one row per source and run; the run went on "
                "without them.",
    "sources": "One row per path or URL that was fetched: the document and content it gave last, and the "
               "HTTP validators of the next conditional request.",
    "extractions": "Bookkeeping of the stages: which document version was extracted with which cleaner and "
                   "rule set, how many records that gave, and when.",
    "tables": "One row per table of a document version (an HTML or Word table, or one flattened into "
              "lines of text), whole: its cells with their row, column and spans; its numbers are records "
              "with a cell.",
    "lake_info": "One row naming the lake's current generation (the committed state every view reads).",
}

COLUMNS: dict[str, str] = {
    "doc_id": "Identifier of the document: 16 hex digits of a hash of its source (the URL, or the file's "
              "path relative to the folder it was loaded from). Stable across versions, machines and folders; "
              "the same content from two sources is one document, with the id of the first.",
    "content_sha256": "SHA-256 of the document's raw bytes: identifies the version. Join records to "
                      "documents on (doc_id, content_sha256).",
    "source": "Where the document came from: its URL, or for a file its path relative to the folder it was "
              "loaded from (the file name for a file given by itself), never this machine's absolute path.",
    "cleaner": "Version of the text cleaner that made the clean text.",
    "ruleset": "Version of the extraction rules (a hash of the rule files and the extractor code), "
               "e.g. r9a27df5e750d.",
    "sentence": "The sentence of the clean text that holds it.",
    "start": "Offset of the first character in the document's clean text (texts.clean_text), from 0.",
    "end": "Offset just after the last character in the clean text (exclusive): "
           "substr(clean_text, start + 1, end - start) is text.",
    "content_type": "The Content-Type the server sent (null for files).",
    "http_status": "HTTP status of the fetch (null for files; 304 when the stored copy was still current).",
    "final_url": "The URL after redirects (null for files).",
}

TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "sources": "Every path or URL that gave this same content (the first one is source).",
        "name": "The file name: the last part of the path or URL, e.g. 2023年法治政府建设年度报告.docx.",
        "title": "The report's title as the text gives it; null when it gives none.",
        "org": "The government or body that reports, as the report names itself without the higher levels "
               "(静观镇, 梅溪区卫生健康局); null when not found.",
        "report_year": "The year the report covers (not the year it was published).",
        "published": "Publication or signing date when the text gives one; else null.",
        "title_from": "Where title came from: override (a user's correction), meta (the page's metadata), "
                      "title, text …",
        "org_from": "Where org came from: override, meta (meta tags, 发布机构, 来源), title, signature, opening "
                    "(the opening sentence), self (我县/我局 with the site) …",
        "report_year_from": "Where report_year came from: override, title, opening, published, frequency, plan …",
        "published_from": "Where published came from: override, meta (PubDate), publication_line (发布时间 …), "
                          "title_line (…情况 (2015-04-23)), "
                          "date_line, signature …",
        "division_code": "GB/T 2260 code of the administrative division the body is, or belongs to (province, "
                         "city or county); null when the page does not say which.",
        "level": "The body's level: province, city, county, town (镇, 乡, 街道), department or national.",
        "parent_org": "For a department, the government it belongs to (永定区卫生健康局 → 永定区); else null.",
        "page_meta": "JSON: the HTML page's own metadata (SiteName, ArticleTitle, PubDate, ContentSource, "
                     "ColumnName, publication lines, breadcrumb), kept out of the clean text.",
        "n_bytes": "Size of the raw bytes.",
        "n_chars": "Length of the clean text in characters.",
        "encoding": "The character encoding the bytes were decoded with (utf-8, gb18030, big5 …; null for "
                    "DOCX and PDF).",
        "format": "The format told by the bytes: text, html, docx or pdf.",
        "raw_path": "Where the raw bytes are kept, relative to the lake (raw/<sha[:2]>/<sha256>).",
        "fetched_at": "When this version was first fetched (UTC).",
        "ruleset": "Version of the rules that gave the metadata of this row.",
    },
    "texts": {
        "clean_text": "The document's text after format conversion and cleaning (page chrome, image "
                      "placeholders and stray spaces removed); traditional characters are kept as written.",
    },
    "records": {
        "record_id": "Identifier of the record: a hash of its document version, span, type, unit and "
                     "subject. Unique in records; not stable across rule sets.",
        "source": "Where the document came from (documents.source).",
        "type": "What kind of statistic: case (matters handled, counted with 件 宗 起 例 件次), count "
                "(anything else counted), amount (money or a physical measure) or percentage.",
        "value": "The number, normalised: Chinese numerals read, 万 and 亿 multiplied out, money in 元, "
                 "measures in their base unit (2.4万亿元 is 2400000000000; 282万平方米 is 2820000). For a "
                 "percentage, percent points (94.88). Use display for the report's own scale.",
        "unit": "The unit of value: for a case or count the classifier as written (件, 人次; 個 on a page in "
                "traditional characters), 元 for money, 平方米 / 米 / 千克 … for measures, % for percentages.",
        "qualifier": "How exact the report says the number is: exact, over (余 多 以上 超过 …), under (近 "
                     "不足 以下 …) or approx (约 左右 …).",
        "direction": "For a percentage that is a change: increase or decrease; null otherwise (a level "
                     "reached, 提高到66.2%, has none).",
        "subject": "What is counted, measured or paid, in the report's own words (信访件, 行政处罚案件, "
                   "办结率); null when the sentence names none.",
        "category": "Policy area of the subject (行政复议与诉讼, 信访, 调解, 普法, 行政执法 …, 其他), from "
                    "the rule data (extractors/rules/categories.toml).",
        "text": "The quantity as written in the report, from the first character of the number to the last "
                "of the unit (800余件, 1200多万元, 99.4%).",
        "section": "The section path of the sentence in the report, e.g. 一 > (三) > 二是.",
        "rule": "Name of the extraction rule that produced the record.",
        "extractor": "Which extractor produced the record (rules).",
        "ruleset": "Version of the rule set that produced the record.",
        "unit_written": "The unit as the report writes it (個, 吨, 公里, 万元 without the 万): unit is the "
                        "unit of value after any conversion.",
        "unit_simplified": "unit in simplified characters (个 for 個, 条 for 條): the column to group by "
                           "across pages in both scripts.",
        "kind": "What an amount measures: money, area, mass, length, volume, energy, power or other; "
                "null for cases, counts and percentages.",
        "value_int": "value as an integer for cases and counts whose value is whole; null otherwise.",
        "display": "The value in the report's own scale and unit, digits normalised: 1260.5万元, 2500吨, "
                   "87件, 99.4%.",
        "loaded_at": "When these records were last made the current ones (UTC).",
        "cell": "For a number in a table: the table (tables.number), row and column of its cell, from 0 with "
                "the header rows and columns included; null for a number in running text.",
    },
    "tables": {
        "number": "The table's number in the report: 1, 2, … in reading order (records.cell.table).",
        "caption": "The table's caption or title, when it has one.",
        "section": "The section path where the table stands, e.g. 一 > (三).",
        "kind": "How the table was written: html, docx, pipe (cells divided by |), lines (one cell a line) "
                "or spaces (cells divided by runs of spaces).",
        "n_rows": "Rows of the table's grid, header rows included.",
        "n_cols": "Columns of the table's grid, header columns included.",
        "header_rows": "How many of the first rows are headers.",
        "header_cols": "How many of the first columns are headers.",
        "unit": "The unit a 单位： line or the caption gives for the whole table, as written.",
        "start": "Offset of the table's first character in the clean text.",
        "end": "Offset just after the table's last character in the clean text.",
        "cells": "Every cell: its row, column, row and column spans and text.",
        "ruleset": "Version of the rule set that read the table.",
    },
    "entities": {
        "label": "Entity type: LAW (a title in 《》), ORG (an office or body), GPE (a division: province, "
                 "city, county, town), DATE, PERSON.",
        "text": "The entity as written in the clean text.",
        "model": "The NER pipeline and its version, e.g. fazhi@3f2a….",
        "rule": "The pattern that found the entity, or ner for the statistical model.",
    },
    "failures": {
        "run_id": "The run in which the source failed.",
        "stage": "The stage that failed: ingest (fetching or expanding sources), clean (format, decoding, "
                 "cleaning), extract, ner or load.",
        "source": "The path or URL that failed.",
        "doc_id": "The document's id when it was known.",
        "error_class": "The kind of error (FetchTimeout, HTTPStatusError, DecodeError, UnsupportedFormat, "
                       "NoTextLayer …).",
        "message": "What went wrong, in words.",
        "time": "When it failed (UTC).",
    },
    "sources": {
        "source": "The path or URL.",
        "doc_id": "The document its content belongs to.",
        "content_sha256": "The content it gave at its last fetch.",
        "http_status": "Status of the last fetch (304: not modified).",
        "etag": "The ETag the server sent (for the next conditional request).",
        "last_modified": "The Last-Modified the server sent (for the next conditional request).",
        "checked_at": "When it was last fetched (UTC).",
        "size": "For a file: its size in bytes when it was last read (with mtime_ns, a run skips a file "
                "that has not changed without reading it); null for URLs.",
        "mtime_ns": "For a file: its modification time when it was last read, in nanoseconds since 1970 "
                    "(UTC); null for URLs.",
    },
    "extractions": {
        "cleaner": "Version of the cleaner.",
        "ruleset": "Version of the rule set.",
        "rules": "The rules folder that was used (informative).",
        "n_records": "How many records the extraction gave.",
        "extracted_at": "When the extraction ran (UTC).",
        "loaded_at": "The last time its records were made the current ones (UTC).",
    },
    "lake_info": {
        "generation": "The current generation: the folder gen/<generation> whose tables every view reads.",
        "previous": "The generation before it (kept for readers still using it).",
        "committed_at": "When the generation was committed (UTC).",
        "tables": "The tables of the generation.",
    },
}
TABLE_COLUMNS["records_all"] = dict(TABLE_COLUMNS["records"])
TABLE_COLUMNS["records_all"]["record_id"] = "Identifier of the record within its rule set (records.record_id)."

# lake_info is a view of the generation, not a Parquet table: its columns, for the dictionary
LAKE_INFO_COLUMNS = [("generation", "VARCHAR"), ("previous", "VARCHAR"), ("committed_at", "TIMESTAMP WITH TIME ZONE"),
                     ("tables", "VARCHAR[]")]


def describe(table: str, column: str) -> str | None:
    """The description of ``table.column``, or None when it has none."""
    return TABLE_COLUMNS.get(table, {}).get(column) or COLUMNS.get(column)


def table_doc(table: str) -> str:
    return TABLE_DOCS.get(table, "")

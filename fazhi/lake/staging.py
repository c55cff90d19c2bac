"""A run's documents on their way to the lake, staged in batches so no stage holds the corpus.

The flows hand each processed document to a :class:`Stage`. Every
``BATCH_DOCS`` documents (or ``BATCH_CHARS`` characters of clean text) the
batch's heavy rows (``texts``, ``records``, ``entities``) go to Parquet part
files in ``<lake>/.staging/<id>/<table>/``, and only the document's metadata
stays in memory (:class:`Staged`: its ``documents`` row, its ``sources`` row,
counts). A reused document (extraction skipped) stages nothing heavy, except
its entities when they were made again (``ner_again``: the stored ones were of
another NER version). ``fazhi.load.load_stage`` then merges the parts into the lake in
one transaction, streaming through DuckDB.

The staging directory is not part of the lake: nothing reads it but the load,
and it is removed when the stage closes. A run killed while staging leaves
it behind; the next lake transaction removes it (its ``.lock`` is then free).
"""
from __future__ import annotations

import fcntl
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fazhi.lake.memory import release_unused
from fazhi.rows import Extracted
from schemas import table_spec

STAGING_DIR = ".staging"
HEAVY = ("texts", "records", "entities", "tables")
SEQ = "_seq"          # a staged document's number in the run, on each of its staged rows
BATCH_DOCS = 64
BATCH_CHARS = 4_000_000
PART_ROWS = {"texts": 16}   # rows per row group of a part file (the load reads a row group at a time)


@dataclass
class Staged:
    """What stays in memory of a staged document: metadata, not its text, records or entities."""

    seq: int
    document: dict
    fetch: dict | None
    reused: bool
    rules_path: str | None
    records_by_type: Counter
    ner_again: bool = False     # reused, with entities made again: they replace the stored ones


def staged_schema(name: str) -> pa.Schema:
    return table_spec(name).schema.append(pa.field(SEQ, pa.int64(), nullable=False))


class Stage:
    def __init__(self, lake_root, batch_docs: int = BATCH_DOCS, batch_chars: int = BATCH_CHARS):
        self.root = Path(lake_root).resolve() / STAGING_DIR
        self.root.mkdir(parents=True, exist_ok=True)
        self.dir = self.root / uuid.uuid4().hex
        self.dir.mkdir(parents=True)  # parents: another stage may have just removed an empty root
        self._lock = open(self.dir / ".lock", "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # held while this stage lives (see remove_abandoned)
        self.batch_docs, self.batch_chars = batch_docs, batch_chars
        self.docs: list[Staged] = []
        self.failures: list[dict] = []
        self._buffer: list[Extracted] = []
        self._chars = 0
        self._batches = 0

    def add(self, extracted=(), failures=()) -> None:
        """Stage documents (``rows.Extracted``) and failure rows; writes a batch when one is full."""
        for e in extracted:
            self._buffer.append(e)
            self._chars += len((e.text or {}).get("clean_text") or "")
        self.failures.extend(failures)
        if len(self._buffer) >= self.batch_docs or self._chars >= self.batch_chars:
            self.flush()

    def flush(self) -> None:
        """Write the buffered documents' rows as one part file per table, keep their metadata."""
        if not self._buffer:
            return
        rows: dict[str, list[dict]] = {name: [] for name in HEAVY}
        for e in self._buffer:
            seq = len(self.docs)
            again = bool(e.reused and getattr(e, "ner_again", False))
            self.docs.append(Staged(seq, e.document, e.fetch, e.reused, e.rules_path,
                                    Counter(r["type"] for r in e.records), again))
            if e.reused:  # its text stays as stored; its records come from records_all
                if again:  # ... and its entities, made again now, replace the stored ones
                    rows["entities"].extend({**x, SEQ: seq} for x in e.entities)
                continue
            rows["texts"].append({**e.text, SEQ: seq})
            rows["records"].extend({**r, SEQ: seq} for r in e.records)
            rows["entities"].extend({**x, SEQ: seq} for x in e.entities)
            rows["tables"].extend({**t, SEQ: seq} for t in e.tables)
        for name, table_rows in rows.items():
            if table_rows:
                path = self.dir / name / f"{self._batches:06d}.parquet"
                path.parent.mkdir(exist_ok=True)
                pq.write_table(pa.Table.from_pylist(table_rows, schema=staged_schema(name)), path,
                               compression="zstd", row_group_size=PART_ROWS.get(name))
        self._batches += 1
        self._buffer, self._chars = [], 0
        del rows
        release_unused()

    def parts(self, name: str) -> list[Path]:
        return sorted((self.dir / name).glob("*.parquet"))

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self._lock.close()
        try:
            self.root.rmdir()
        except OSError:  # another run's stage is there
            pass

    def __enter__(self) -> "Stage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def remove_abandoned(lake_root) -> None:
    """Remove staging directories whose run is gone (their lock is free)."""
    root = Path(lake_root) / STAGING_DIR
    if not root.is_dir():
        return
    for d in root.iterdir():
        try:
            with open(d / ".lock", "a") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(d, ignore_errors=True)
        except OSError:  # locked: a live run's stage (or not a stage directory at all)
            continue
    try:
        root.rmdir()
    except OSError:
        pass

"""The big tables of a load, merged by streaming SQL: the stored table and the staged parts in,
the new table out, never whole in memory.

Inside the load's lake transaction, for ``records``, ``entities``, ``tables``
and ``records_all``: DuckDB reads the committed file and this run's part
files (``staging.py``), drops the rows this run replaces, adds the new ones,
sorts by key (spilling to disk past ``MEMORY_LIMIT``) and hands the result as
a stream of record batches to :meth:`fazhi.lake.Lake.write_batches`, one row
group per batch. ``texts``, which needs no sort, is not read through DuckDB:
the stored file and the parts are read a row group at a time (16 texts) and
written as they come. The small tables (``documents``, ``extractions``,
``sources``, ``failures``: one row per document or source) stay in pyarrow.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fazhi.lake.memory import release_unused
from fazhi.lake.staging import SEQ, Stage, Staged, staged_schema
from fazhi.lake.store import Lake, conform
from schemas import table_spec
from schemas.tables import UTC_TS

MEMORY_LIMIT = "100MB"
ROWS_PER_GROUP = {"texts": 16}    # a text is a whole document (a row group: a few MB); other tables: DEFAULT_ROWS
DEFAULT_ROWS = 100_000
_KEY3 = ("doc_id", "content_sha256", "ruleset")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cols(name: str, alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + _q(f.name) for f in table_spec(name).schema)


def _lit(path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Merger:
    def __init__(self, lake: Lake, stage: Stage):
        self.lake, self.stage = lake, stage
        self.fresh: list[Staged] = []
        self.ner_docs: list[Staged] = []
        self.activated: set[tuple[str, str, str]] = set()

    def __enter__(self) -> "Merger":
        self.con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": 1,
                                          "temp_directory": str(self.stage.dir / "duckdb.tmp")})
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    def use(self, kept: list[Staged], previous: dict, when: datetime) -> None:
        """The run's documents after merging: ``previous`` maps (doc_id, sha) to its stored rule set."""
        self.fresh = [s for s in kept if not s.reused]
        reused = [s for s in kept if s.reused]
        # whose entities this run made: the fresh ones and the reused ones with entities made again
        self.ner_docs = [s for s in kept if not s.reused or getattr(s, "ner_again", False)]
        self.activated = {(s.document["doc_id"], s.document["content_sha256"], s.document["ruleset"])
                          for s in reused
                          if previous.get((s.document["doc_id"], s.document["content_sha256"])) != s.document["ruleset"]}
        self._register("kept_fresh", {"seq": [s.seq for s in self.fresh],
                                      "doc_id": [s.document["doc_id"] for s in self.fresh],
                                      "content_sha256": [s.document["content_sha256"] for s in self.fresh]},
                       pa.int64())
        self._register("kept_ner", {"seq": [s.seq for s in self.ner_docs],
                                    "doc_id": [s.document["doc_id"] for s in self.ner_docs]}, pa.int64())
        self._register("kept_all", {"doc_id": [s.document["doc_id"] for s in kept]})
        self._register_keys("fresh_keys", [tuple(s.document[k] for k in _KEY3) for s in self.fresh])
        self._register_keys("reused_keys", [tuple(s.document[k] for k in _KEY3) for s in reused])
        self._register_keys("activated_keys", sorted(self.activated))
        self.con.register("run_time", pa.table({"when": pa.array([when], UTC_TS)}))

    def _register(self, name: str, columns: dict, seq_type=None) -> None:
        arrays = {k: pa.array(v, seq_type if k == "seq" else pa.string()) for k, v in columns.items()}
        self.con.register(name, pa.table(arrays))

    def _register_keys(self, name: str, keys: list[tuple]) -> None:
        self._register(name, {k: [key[i] for key in keys] for i, k in enumerate(_KEY3)})

    # -- sources of rows ----------------------------------------------------------
    def _old(self, name: str, like: str | None = None) -> str:
        """The stored table as a subquery with the columns of ``like`` (default: its own schema)."""
        schema = table_spec(like or name).schema
        path = self.lake.table_path(name)
        if not path.exists():
            empty = f"empty_{like or name}"
            self.con.register(empty, schema.empty_table())
            return f"(SELECT * FROM {empty})"
        present = set(pq.read_schema(path).names)  # a file from before a column was added: nulls
        cols = ", ".join(_q(f.name) if f.name in present else f"NULL AS {_q(f.name)}" for f in schema)
        return f"(SELECT {cols} FROM read_parquet({_lit(path)}))"

    def _staged(self, name: str, kept: str = "kept_fresh") -> str:
        """This run's staged rows of ``name`` for the documents kept after merging (``kept``: those
        the run extracted, or ``kept_ner``: those whose entities it made)."""
        parts = self.stage.parts(name)
        if parts:
            source = "read_parquet([" + ", ".join(_lit(p) for p in parts) + "])"
        else:
            self.con.register(f"staged_empty_{name}", staged_schema(name).empty_table())
            source = f"staged_empty_{name}"
        return f"(SELECT * FROM {source} WHERE {SEQ} IN (SELECT seq FROM {kept}))"

    def _write(self, name: str, sql: str) -> None:
        rows = ROWS_PER_GROUP.get(name, DEFAULT_ROWS)
        self.lake.write_batches(name, self.con.sql(sql).to_arrow_reader(rows), rows)

    # -- the tables -----------------------------------------------------------------
    def texts(self) -> None:
        """Upsert by (doc_id, content_sha256); a reused document's text stays.

        Not sorted: a sort of whole documents does not spill well in DuckDB (it
        ran out of a 100 MB limit on 50 MB of text). The order is the stored
        rows', then this run's in source order, so the same runs give the same file.
        Not through DuckDB either: with nothing to sort, the stored file and the
        staged parts are read one row group at a time and written as they come,
        so the texts held are a row group's (DuckDB's scan of the same held
        about twice as much, and more as the table grew).
        """
        if not self.fresh:
            return
        self.lake.write_batches("texts", self._text_batches(), ROWS_PER_GROUP["texts"])

    def _text_batches(self) -> Iterator[pa.RecordBatch]:
        schema = table_spec("texts").schema
        fresh = {(s.document["doc_id"], s.document["content_sha256"]) for s in self.fresh}
        seqs = pa.array(sorted(s.seq for s in self.fresh), pa.int64())
        path = self.lake.table_path("texts")
        if path.exists():
            pf = pq.ParquetFile(path)
            present = set(pf.schema_arrow.names)  # a file from before a column was added: nulls
            for g in range(pf.num_row_groups):
                t = pf.read_row_group(g, columns=[c for c in schema.names if c in present])
                keep = [k not in fresh for k in zip(t.column("doc_id").to_pylist(),
                                                    t.column("content_sha256").to_pylist())]
                yield from conform(t.filter(pa.array(keep, pa.bool_())), schema).to_batches()
                del t
                release_unused()
        for part in self.stage.parts("texts"):
            pf = pq.ParquetFile(part)
            for g in range(pf.num_row_groups):
                t = pf.read_row_group(g)
                yield from conform(t.filter(pc.is_in(t.column(SEQ), value_set=seqs)), schema).to_batches()
                del t
                release_unused()

    def records(self) -> dict[str, int]:
        """Every record of the run's documents replaced: extracted now, or back from ``records_all``.

        Returns the run's records by type.
        """
        reused = f"""SELECT {_cols('records', 'a')} FROM {self._old('records_all', like='records')} a
                     JOIN reused_keys k USING (doc_id, content_sha256, ruleset)"""
        self._write("records", f"""
            SELECT {_cols('records')} FROM {self._old('records')} o
            WHERE o.doc_id NOT IN (SELECT doc_id FROM kept_all)
            UNION ALL SELECT {_cols('records')} FROM {self._staged('records')}
            UNION ALL {reused}
            ORDER BY {table_spec('records').order_by()}""")
        counts: Counter[str] = Counter()
        for s in self.fresh:
            counts.update(s.records_by_type)
        for rtype, n in self.con.execute(f"SELECT type, count(*) FROM ({reused}) GROUP BY type").fetchall():
            counts[rtype] += n
        return dict(counts)

    def entities(self) -> None:
        """The entities of a re-extracted document, or of a reused one whose entities were made again
        (another NER version's were stored), replaced; a reused document's stay."""
        if not self.ner_docs:
            return
        self._write("entities", f"""
            SELECT {_cols('entities')} FROM {self._old('entities')} o
            WHERE o.doc_id NOT IN (SELECT doc_id FROM kept_ner)
            UNION ALL SELECT {_cols('entities')} FROM {self._staged('entities', 'kept_ner')}
            ORDER BY {table_spec('entities').order_by()}""")

    def tables(self) -> None:
        """The tables of a re-extracted document replaced (all its versions'); a reused document's stay."""
        if not self.fresh:
            return
        self._write("tables", f"""
            SELECT {_cols('tables', 'o')} FROM {self._old('tables')} o
            WHERE o.doc_id NOT IN (SELECT doc_id FROM kept_fresh)
            UNION ALL SELECT {_cols('tables')} FROM {self._staged('tables')}
            ORDER BY {table_spec('tables').order_by()}""")

    def records_all(self) -> None:
        """Every rule set's records: this run's extractions replace stored ones of the same
        (version, rule set); a reused version made current again gets a new ``loaded_at``."""
        if not self.fresh and not self.activated:
            return
        cols = [f.name for f in table_spec("records_all").schema]
        old_cols = ", ".join(
            "CASE WHEN k.doc_id IS NULL THEN o.loaded_at ELSE (SELECT \"when\" FROM run_time) END AS loaded_at"
            if c == "loaded_at" else f"o.{_q(c)}" for c in cols)
        new_cols = ", ".join('(SELECT "when" FROM run_time) AS loaded_at' if c == "loaded_at" else _q(c)
                             for c in cols)
        self._write("records_all", f"""
            SELECT {old_cols} FROM {self._old('records_all')} o
            LEFT JOIN activated_keys k USING (doc_id, content_sha256, ruleset)
            WHERE NOT EXISTS (SELECT 1 FROM fresh_keys f WHERE f.doc_id = o.doc_id
                              AND f.content_sha256 = o.content_sha256 AND f.ruleset = o.ruleset)
            UNION ALL SELECT {new_cols} FROM {self._staged('records')}
            ORDER BY {table_spec('records_all').order_by()}""")

    def fresh_extractions(self) -> list[dict]:
        """The ``extractions`` rows of the documents extracted now (``history.note_extractions``)."""
        return [{"doc_id": s.document["doc_id"], "content_sha256": s.document["content_sha256"],
                 "cleaner": s.document["cleaner"], "ruleset": s.document["ruleset"], "rules": s.rules_path,
                 "n_records": sum(s.records_by_type.values())} for s in self.fresh]

"""Rule-set history: ``records_all`` and the ``extractions`` bookkeeping.

``records`` holds the current rule set's records (one document version per
``doc_id``). Every extraction also lands in ``records_all``, keyed by
``(ruleset, record_id)``, and is noted in ``extractions``, keyed by
``(doc_id, content_sha256, cleaner, ruleset)`` (a document with no records
is noted too). That bookkeeping is what makes runs incremental
(``fazhi.incremental``): a document version already extracted with the same
cleaner and rule set is not extracted again; its records are copied back
from ``records_all``.

``loaded_at`` (in both tables) is when a rule set's records for a document
version were last made the current ones: set when they are extracted, and
again when a run switches back to a rule set computed earlier (say the rules
were reverted). So "the latest rule sets" means the ones most recently made
current, in ``fazhi diff`` and in ``fazhi review --diff`` alike.

Everything here runs inside the caller's lake transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.compute as pc

from fazhi.lake.store import Lake, conform
from schemas import table_spec


@dataclass
class Extraction:
    """One document version's records under one rule set, as a run or ``reextract`` made them."""

    doc_id: str
    content_sha256: str
    cleaner: str
    ruleset: str
    records: list[dict] = field(default_factory=list)
    reused: bool = False            # copied from records_all, not extracted now
    previous_ruleset: str | None = None  # the rule set of this version's records before this run
    rules: str | None = None        # the rules folder (None: the bundled rules)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def _keys3(table: pa.Table, a: str, b: str, c: str) -> pa.Array:
    return pc.binary_join_element_wise(table.column(a), table.column(b), table.column(c), "\x1f")


def _key3(a: str, b: str, c: str) -> str:
    return f"{a}\x1f{b}\x1f{c}"


def done_keys(lake: Lake, cleaner: str, ruleset: str) -> dict[str, str]:
    """``content_sha256 -> doc_id`` of the versions already extracted with this cleaner and rule set."""
    t = lake.read("extractions")
    if not t.num_rows:
        return {}
    mask = pc.and_(pc.equal(t.column("cleaner"), cleaner), pc.equal(t.column("ruleset"), ruleset))
    sel = t.filter(mask)
    return dict(zip(sel.column("content_sha256").to_pylist(), sel.column("doc_id").to_pylist()))


def stored_records(lake: Lake, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[dict]]:
    """The ``records`` rows stored in ``records_all`` for these ``(doc_id, content_sha256, ruleset)``."""
    out: dict[tuple[str, str, str], list[dict]] = {k: [] for k in keys}
    if not keys:
        return out
    t = lake.read("records_all")
    if not t.num_rows:
        return out
    wanted = pa.array([_key3(*k) for k in keys], pa.string())
    sel = t.filter(pc.is_in(_keys3(t, "doc_id", "content_sha256", "ruleset"), value_set=wanted))
    sel = conform(sel, table_spec("records").schema)
    for row in sel.to_pylist():
        out[(row["doc_id"], row["content_sha256"], row["ruleset"])].append(row)
    return out


def commit(lake: Lake, extractions: list[Extraction], when: datetime | None = None) -> dict[str, int]:
    """Note this run's extractions in ``records_all`` and ``extractions``.

    New extractions replace any stored rows of the same (version, rule set);
    reused ones only get ``loaded_at`` refreshed when they became current again
    (their rule set differs from the one this version had). Nothing is
    written when nothing is new: a run over unchanged input leaves both
    tables as they were.
    """
    when = when or now_utc()
    new = [x for x in extractions if not x.reused]
    activated = [x for x in extractions if x.reused and x.previous_ruleset != x.ruleset]
    if not new and not activated:
        return {"new": 0, "activated": 0}
    new_keys = pa.array(sorted({_key3(x.doc_id, x.content_sha256, x.ruleset) for x in new}), pa.string())
    act_keys = pa.array(sorted({_key3(x.doc_id, x.content_sha256, x.ruleset) for x in activated}), pa.string())

    spec = table_spec("records_all")
    old = lake.read("records_all")
    old_keys = _keys3(old, "doc_id", "content_sha256", "ruleset")
    kept = old.filter(pc.invert(pc.is_in(old_keys, value_set=new_keys)))
    kept = _set_loaded(kept, pc.is_in(_keys3(kept, "doc_id", "content_sha256", "ruleset"), value_set=act_keys), when)
    rows = [{**r, "loaded_at": when} for x in new for r in x.records]
    added = pa.Table.from_pylist(rows, schema=spec.schema)
    lake.write("records_all", pa.concat_tables([kept, added]).sort_by(
        [("ruleset", "ascending"), ("doc_id", "ascending"), ("start", "ascending"), ("end", "ascending"),
         ("type", "ascending"), ("record_id", "ascending")]))

    rows = [{"doc_id": x.doc_id, "content_sha256": x.content_sha256, "cleaner": x.cleaner, "ruleset": x.ruleset,
             "rules": x.rules, "n_records": len(x.records)} for x in new]
    note_extractions(lake, rows, {(x.doc_id, x.content_sha256, x.ruleset) for x in activated}, when)
    return {"new": len(new), "activated": len(activated)}


def note_extractions(lake: Lake, rows: list[dict], activated: set[tuple[str, str, str]], when: datetime) -> None:
    """Upsert ``extractions``: ``rows`` (doc_id, content_sha256, cleaner, ruleset, rules, n_records) were
    extracted now; the ``activated`` (doc_id, content_sha256, ruleset) were made current again."""
    if not rows and not activated:
        return
    espec = table_spec("extractions")
    new_keys = pa.array(sorted({_key3(r["doc_id"], r["content_sha256"], r["ruleset"]) for r in rows}), pa.string())
    act_keys = pa.array(sorted(_key3(*k) for k in activated), pa.string())
    old = lake.read("extractions")
    old_keys = _keys3(old, "doc_id", "content_sha256", "ruleset")
    kept = old.filter(pc.invert(pc.is_in(old_keys, value_set=new_keys)))
    kept = _set_loaded(kept, pc.is_in(_keys3(kept, "doc_id", "content_sha256", "ruleset"), value_set=act_keys), when)
    rows = [{**r, "extracted_at": when, "loaded_at": when} for r in rows]
    lake.write("extractions", pa.concat_tables([kept, pa.Table.from_pylist(rows, schema=espec.schema)]).sort_by(
        [(k, "ascending") for k in espec.key]))


def _set_loaded(table: pa.Table, mask: pa.Array, when: datetime) -> pa.Table:
    if not table.num_rows or not pc.any(mask).as_py():
        return table
    i = table.schema.get_field_index("loaded_at")
    col = pc.if_else(mask, pa.scalar(when, table.schema.field(i).type), table.column(i))
    return table.set_column(i, table.schema.field(i), col)


def current_versions(lake: Lake) -> dict[str, str]:
    """``doc_id -> content_sha256`` of each document's current version.

    The version its sources gave last (``sources`` table), else the latest
    fetched one (a lake from before the ``sources`` table).
    """
    docs = lake.read("documents").select(["doc_id", "content_sha256", "fetched_at"]).to_pylist()
    known = {(d["doc_id"], d["content_sha256"]) for d in docs}
    out: dict[str, tuple] = {}
    for d in docs:
        rank = (0, d["fetched_at"] or datetime.min.replace(tzinfo=timezone.utc), d["content_sha256"])
        if d["doc_id"] not in out or rank > out[d["doc_id"]][0]:
            out[d["doc_id"]] = (rank, d["content_sha256"])
    for s in lake.read("sources").select(["doc_id", "content_sha256", "checked_at"]).to_pylist():
        if (s["doc_id"], s["content_sha256"]) not in known:
            continue
        rank = (1, s["checked_at"] or datetime.min.replace(tzinfo=timezone.utc), s["content_sha256"])
        if rank > out[s["doc_id"]][0]:
            out[s["doc_id"]] = (rank, s["content_sha256"])
    return {doc: v[1] for doc, v in out.items()}


def rulesets(lake: Lake) -> list[dict]:
    """Every rule set in ``records_all`` / ``extractions``, oldest first by when it was last made current.

    Each: ``ruleset``, ``rules`` (folder), ``versions`` (document versions
    extracted), ``records``, ``first_extracted``, ``last_loaded``.
    """
    t = lake.read("extractions")
    by: dict[str, dict] = {}
    for r in t.to_pylist():
        d = by.setdefault(r["ruleset"], {"ruleset": r["ruleset"], "rules": r["rules"], "versions": 0, "records": 0,
                                         "first_extracted": r["extracted_at"], "last_loaded": r["loaded_at"]})
        d["versions"] += 1
        d["records"] += r["n_records"] or 0
        if r["extracted_at"] and (d["first_extracted"] is None or r["extracted_at"] < d["first_extracted"]):
            d["first_extracted"] = r["extracted_at"]
        if r["loaded_at"] and (d["last_loaded"] is None or r["loaded_at"] > d["last_loaded"]):
            d["last_loaded"] = r["loaded_at"]
            d["rules"] = r["rules"]
    floor = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(by.values(), key=lambda d: (d["last_loaded"] or floor, d["ruleset"]))

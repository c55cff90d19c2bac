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

from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.compute as pc

from fazhi.lake.store import Lake
from schemas import table_spec


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

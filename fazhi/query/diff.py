"""``fazhi diff``: what a rule change added, removed and changed, from ``records_all``.

Two rule sets are compared on the document versions extracted with both
(``extractions``): a version only one of them saw is not a rule change (its
content changed) and is only counted.

Matching records across rule sets. Offsets point into the clean text of a
version, which a rule change does not touch, so a record's place is a
stable key: ``(doc_id, content_sha256, start, end)``. ``record_id`` is not
(it hashes the type, unit and subject, which a rule change may alter).
Several records can share a span (参考率和合格率均为99.4%: two records on
``99.4%``); within such a group the records are paired in this order:

1. identical records (every compared field equal): unchanged;
2. then the same type and subject, then the same type, then whatever is
   left, in a fixed order (the index among the records sharing the span):
   changed.

A rule change can also move a span: drop ``人次`` from the units and
``6000多人次`` becomes ``6000多人``, one character shorter. So the records
left over are paired once more, within a document version, by overlapping
spans (the same type first, then the largest overlap; in text order, each
record at most once): changed too, with ``text``/``start``/``end`` among the
changed fields. What is left after that is added (new rule set) or removed
(old rule set).

So a changed record is one at the same or an overlapping place whose
``type``, ``value``, ``unit``, ``subject``, ``qualifier``, ``direction``,
``category`` or span differ.

Both steps stay within one document version, so the records are read one
version at a time: DuckDB selects the two rule sets' records of the
versions both extracted, sorts them by version (spilling past its memory
limit) and hands them over in batches. Memory holds one version's records
and the differences found, not ``records_all`` (``bench/commands.py``
measures it).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from fazhi.lake import history
from fazhi.lake.store import Lake

COMPARED = ("type", "value", "unit", "subject", "qualifier", "direction", "category")
SHOWN = ("doc_id", "name", "content_sha256", "start", "end", "text", *COMPARED, "rule", "sentence")


class DiffError(Exception):
    """A problem the user should see as a message (unknown rule set, only one rule set)."""


@dataclass
class Diff:
    old: str
    new: str
    old_rules: str | None = None
    new_rules: str | None = None
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)   # {"old": rec, "new": rec, "fields": [...]}
    unchanged: int = 0
    versions: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "unchanged": self.unchanged}

    def by_type(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter] = defaultdict(Counter)
        for r in self.added:
            out[r["type"]]["added"] += 1
        for r in self.removed:
            out[r["type"]]["removed"] += 1
        for c in self.changed:
            out[c["new"]["type"]]["changed"] += 1
        return {t: {k: out[t].get(k, 0) for k in ("added", "removed", "changed")} for t in sorted(out)}

    def to_json(self) -> dict:
        return {
            "from": self.old, "to": self.new, "from_rules": self.old_rules, "to_rules": self.new_rules,
            "versions": self.versions, "counts": self.counts(), "by_type": self.by_type(),
            "added": self.added, "removed": self.removed, "changed": self.changed,
        }


def _sig(r: dict) -> tuple:
    return tuple(repr(r.get(f)) for f in COMPARED)


def _order(r: dict) -> tuple:
    return (r["type"] or "", r.get("unit") or "", r.get("subject") or "", repr(r.get("value")), r["record_id"])


def match_group(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict], int]:
    """Pair the records of one span: ``(changed pairs, removed, added, unchanged count)``."""
    old, new = sorted(old, key=_order), sorted(new, key=_order)
    unchanged = 0
    pairs: list[tuple[dict, dict]] = []
    for same in (_sig, lambda r: (r["type"], r.get("subject")), lambda r: r["type"], lambda r: None):
        rest_new = []
        for n in new:
            i = next((i for i, o in enumerate(old) if same(o) == same(n)), None)
            if i is None:
                rest_new.append(n)
                continue
            o = old.pop(i)
            if same is _sig:
                unchanged += 1
            else:
                pairs.append((o, n))
        new = rest_new
    return pairs, old, new, unchanged


def _resolve(name: str, known: list[str]) -> str:
    if name in known:
        return name
    hits = [k for k in known if k.startswith(name)]
    if len(hits) == 1:
        return hits[0]
    raise DiffError(f"rule set {name!r} {'is ambiguous' if hits else 'is not in records_all'} "
                    f"(known, oldest first: {', '.join(known) or 'none'})")


def choose(lake: Lake, old: str | None, new: str | None) -> tuple[str, str, dict[str, dict]]:
    """The two rule sets to compare: by default the two most recently made current."""
    sets = history.rulesets(lake)
    info = {s["ruleset"]: s for s in sets}
    known = [s["ruleset"] for s in sets]
    if len(known) < 2:
        raise DiffError(f"only one rule set in the lake ({', '.join(known) or 'none'}): nothing to compare "
                        "(change a rule and run `fazhi reextract --rules DIR`)")
    if new is not None:
        new = _resolve(new, known)
    if old is not None:
        old = _resolve(old, known)
    if new is None:
        new = [k for k in known if k != old][-1]
    if old is None:
        before = known[:known.index(new)]
        if not before:
            raise DiffError(f"no rule set before {new} in the lake: give --from")
        old = before[-1]
    return old, new, info


# the columns a diff reads of records_all: what it compares, orders by and shows
_READ = ("doc_id", "content_sha256", "record_id", "ruleset", "start", "end", "text", *COMPARED, "rule", "sentence")
_FETCH_ROWS = 10_000
# DuckDB's memory for the sort of the two rule sets' records by document version (it spills beyond;
# reading a row group of records_all, up to 100k rows, takes its share too)
MEMORY_LIMIT = "128MB"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _versions_sql() -> str:
    cols = ", ".join(f"r.{_quoted(c)}" for c in _READ)
    return f"""
        WITH compared AS (
            SELECT doc_id, content_sha256 FROM extractions WHERE ruleset = $old
            INTERSECT
            SELECT doc_id, content_sha256 FROM extractions WHERE ruleset = $new)
        SELECT {cols}, d.name
        FROM records_all r
        JOIN compared USING (doc_id, content_sha256)
        LEFT JOIN documents d USING (doc_id, content_sha256)
        WHERE r.ruleset IN ($old, $new)
        ORDER BY r.doc_id, r.content_sha256"""


_COUNTS_SQL = """
    SELECT count(*) FILTER (WHERE a AND b), count(*) FILTER (WHERE a AND NOT b), count(*) FILTER (WHERE b AND NOT a)
    FROM (SELECT doc_id, content_sha256, bool_or(ruleset = $old) AS a, bool_or(ruleset = $new) AS b
          FROM extractions GROUP BY doc_id, content_sha256)"""


def _by_version(con, old: str, new: str) -> Iterator[list[dict]]:
    """The records of ``old`` and ``new`` on the document versions both extracted, one version at a
    time (in ``(doc_id, content_sha256)`` order), each with its document's ``name``. DuckDB sorts
    them (spilling past :data:`MEMORY_LIMIT`) and hands them over in batches: memory holds one
    version's records, not the table."""
    reader = con.sql(_versions_sql(), params={"old": old, "new": new}).to_arrow_reader(_FETCH_ROWS)
    version: tuple | None = None
    rows: list[dict] = []
    for batch in reader:
        for r in batch.to_pylist():
            key = (r["doc_id"], r["content_sha256"])
            if key != version and rows:
                yield rows
                rows = []
            version = key
            rows.append(r)
    if rows:
        yield rows


def compute(lake: Lake, old: str | None = None, new: str | None = None) -> Diff:
    """What changed from rule set ``old`` to ``new`` (default: the two latest), streamed from the
    lake by document version (see the module doc for how records are matched)."""
    from fazhi.query.sql import spill_directory

    old, new, info = choose(lake, old, new)
    d = Diff(old=old, new=new, old_rules=info.get(old, {}).get("rules"), new_rules=info.get(new, {}).get("rules"))
    con = lake.connect(memory_limit=MEMORY_LIMIT, temp_directory=spill_directory())
    try:
        counts = (con.execute(_COUNTS_SQL, {"old": old, "new": new}).fetchall() or [(0, 0, 0)])[0]
        d.versions = {"compared": counts[0], "only_from": counts[1], "only_to": counts[2]}
        same_span: list[tuple[dict, dict]] = []
        moved: list[tuple[dict, dict]] = []
        if lake.table_path("records_all").exists():
            for rows in _by_version(con, old, new):
                groups: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
                for r in rows:
                    groups[(r["start"], r["end"])][0 if r["ruleset"] == old else 1].append(r)
                left_old: list[dict] = []
                left_new: list[dict] = []
                for key in sorted(groups):
                    pairs, removed, added, same = match_group(*groups[key])
                    d.unchanged += same
                    same_span += pairs
                    left_old.extend(removed)
                    left_new.extend(added)
                pairs, removed, added = match_overlapping(left_old, left_new)
                moved += pairs
                d.removed += [_shown(r) for r in removed]
                d.added += [_shown(r) for r in added]
    finally:
        con.close()
    # the same order as matching every version's spans first, then every version's leftovers
    pairs = same_span + moved
    pairs.sort(key=lambda p: (p[1]["doc_id"], p[1]["start"], p[1]["end"]))
    for o, n in pairs:
        d.changed.append({"old": _shown(o), "new": _shown(n), "fields": _changed_fields(o, n)})
    d.removed.sort(key=lambda r: (r["doc_id"], r["start"], r["end"]))
    d.added.sort(key=lambda r: (r["doc_id"], r["start"], r["end"]))
    return d


def _changed_fields(o: dict, n: dict) -> list[str]:
    fields = [f for f in COMPARED if repr(o.get(f)) != repr(n.get(f))]
    if (o["start"], o["end"]) != (n["start"], n["end"]):
        fields += [f for f in ("text", "start", "end") if o.get(f) != n.get(f)]
    return fields


def match_overlapping(old: list[dict], new: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pair leftover records of one document version whose spans overlap: ``(pairs, removed, added)``."""
    old = sorted(old, key=lambda r: (r["start"], r["end"], _order(r)))
    pairs, added = [], []
    for n in sorted(new, key=lambda r: (r["start"], r["end"], _order(r))):
        best, best_rank = None, None
        for i, o in enumerate(old):
            overlap = min(o["end"], n["end"]) - max(o["start"], n["start"])
            if overlap <= 0:
                continue
            rank = (o["type"] == n["type"], overlap, -i)
            if best_rank is None or rank > best_rank:
                best, best_rank = i, rank
        if best is None:
            added.append(n)
        else:
            pairs.append((old.pop(best), n))
    return pairs, old, added


def _shown(r: dict) -> dict:
    return {k: r.get(k) for k in SHOWN}


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------
def as_json(d: Diff) -> str:
    return json.dumps(d.to_json(), ensure_ascii=False, indent=1)


def _v(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def render(d: Diff, console) -> None:
    """The diff as Rich tables: counts by type, then every added, removed and changed record."""
    from rich.table import Table

    c = d.counts()
    console.print(f"[bold]rule change[/bold] {d.old} -> {d.new}", highlight=False)
    if d.old_rules or d.new_rules:
        console.print(f"  from rules {d.old_rules or '(bundled)'}\n  to rules   {d.new_rules or '(bundled)'}",
                      highlight=False, soft_wrap=True)
    v = d.versions
    console.print(f"document versions compared: {v['compared']}"
                  + (f" (only in {d.old}: {v['only_from']}, only in {d.new}: {v['only_to']})"
                     if v["only_from"] or v["only_to"] else ""), highlight=False)
    console.print(f"{c['added']} added, {c['removed']} removed, {c['changed']} changed, "
                  f"{c['unchanged']} unchanged", highlight=False)
    counts = Table("type", "added", "removed", "changed", show_edge=False)
    for typ, n in d.by_type().items():
        counts.add_row(typ, str(n["added"]), str(n["removed"]), str(n["changed"]))
    if d.by_type():
        console.print(counts)
    if d.added or d.removed:
        t = Table("", "document", "offsets", "text", "type", "value", "unit", "subject", show_edge=False)
        for sign, recs in (("+", d.added), ("-", d.removed)):
            for r in recs:
                t.add_row(sign, r["name"] or r["doc_id"], f"{r['start']}-{r['end']}", r["text"], r["type"],
                          _v(r["value"]), r["unit"] or "", r["subject"] or "")
        console.print(t)
    if d.changed:
        t = Table("document", "offsets", "text", "field", "old", "new", show_edge=False)
        for ch in d.changed:
            o, n = ch["old"], ch["new"]
            for i, f in enumerate(ch["fields"]):
                t.add_row(n["name"] or n["doc_id"] if i == 0 else "", f"{n['start']}-{n['end']}" if i == 0 else "",
                          n["text"] if i == 0 else "", f, _v(o.get(f)), _v(n.get(f)))
        console.print(t)

"""One document per content: the same bytes from two paths or URLs are one document.

Run inside the load's lake transaction (so under the lake's lock):

- the first source that brought a content (in the lake, else in this run, in
  source order) owns it: its ``doc_id`` is the document's; a later source
  with the same bytes is added to that document's ``sources`` list and its
  own extraction is dropped, so its records are not counted twice;
- every source that was fetched gets its row in the ``sources`` table (the
  document it belongs to, and the HTTP validators for the next fetch).
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from fazhi.lake.staging import Staged
from fazhi.lake.store import Lake
from schemas import table_spec


def _ordered(primary: str, others) -> list[str]:
    rest = sorted({s for s in others if s and s != primary})
    return [primary, *rest]


def merge_same_content(lake: Lake, extracted: list[Staged]) -> tuple[list[Staged], list[dict], dict]:
    """``(kept, source_rows, aliases)``: one staged document per content, the ``sources`` rows, and the
    extra sources of stored documents that this run found under another path or URL."""
    docs = lake.read("documents")
    owner: dict[str, str] = {}
    stored_sources: dict[tuple[str, str], list[str]] = {}
    first_seen: dict[str, object] = {}
    for row in docs.select(["doc_id", "content_sha256", "source", "sources", "fetched_at"]).to_pylist():
        sha, doc = row["content_sha256"], row["doc_id"]
        stored_sources[(doc, sha)] = list(row["sources"] or [row["source"]])
        when = row["fetched_at"]
        if sha not in owner or (when is not None and first_seen[sha] is not None and when < first_seen[sha]):
            owner[sha], first_seen[sha] = doc, when

    kept: dict[tuple[str, str], Staged] = {}
    extra: dict[tuple[str, str], set[str]] = {}
    source_rows: list[dict] = []
    for e in extracted:
        doc, sha, source = e.document["doc_id"], e.document["content_sha256"], e.document["source"]
        owned_by = owner.setdefault(sha, doc)
        key = (owned_by, sha)
        if owned_by == doc and key not in kept:
            kept[key] = e
        else:
            extra.setdefault(key, set()).add(source)
        if e.fetch is not None:
            source_rows.append({**e.fetch, "doc_id": owned_by})

    out = []
    for key, e in kept.items():
        primary = e.document["source"]
        e.document["sources"] = _ordered(primary, [*stored_sources.get(key, []), *(e.document.get("sources") or []),
                                                   *extra.pop(key, ())])
        out.append(e)
    aliases = {key: _ordered(stored_sources[key][0], [*stored_sources[key], *more])
               for key, more in extra.items() if key in stored_sources}
    return out, source_rows, aliases


def write_sources(lake: Lake, source_rows: list[dict], aliases: dict) -> None:
    """Upsert the ``sources`` rows; add this run's aliases to stored documents' ``sources``."""
    if source_rows:
        spec = table_spec("sources")
        old = lake.read("sources")
        new = pa.Table.from_pylist(source_rows, schema=spec.schema)
        new_keys = pa.array(list(dict.fromkeys(new.column("source").to_pylist())), pa.string())
        # the last row of a source in this run wins
        last = {r["source"]: r for r in new.to_pylist()}
        new = pa.Table.from_pylist(list(last.values()), schema=spec.schema)
        kept = old.filter(pc.invert(pc.is_in(old.column("source"), value_set=new_keys)))
        lake.write("sources", pa.concat_tables([kept, new]).sort_by([("source", "ascending")]))
    if aliases:
        docs = lake.read("documents").to_pylist()
        changed = False
        for row in docs:
            key = (row["doc_id"], row["content_sha256"])
            if key in aliases and row["sources"] != aliases[key]:
                row["sources"] = aliases[key]
                changed = True
        if changed:
            lake.write("documents", pa.Table.from_pylist(docs, schema=table_spec("documents").schema))

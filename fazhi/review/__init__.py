"""``fazhi review``: static HTML pages to audit the lake in a browser.

One page per document: the clean text (``texts.clean_text``) with every
record highlighted by type and every entity underlined, each of the
report's tables (the ``tables`` table) drawn as a table with its records
highlighted in their cells, a details box for the highlight under the
pointer or clicked, and a side table of the records (sortable, filtered by
type and category, each row linking to its place in the text). An index page
lists the documents with their counts and failures and draws a few plots as
inline SVG.

The pages are Jinja2 templates (``templates/``) with their CSS and JavaScript
as files (``static/``), inlined into each page when it is written: the files
open from disk and nothing is loaded from anywhere. Python computes what the
templates show: the highlighted text in one pass over the span boundaries,
the plots' geometry.

The lake is read through DuckDB with only the columns the pages show: the
clean texts in one pass in the order ``texts`` stores them, and for each
batch of :data:`BATCH_DOCUMENTS` documents their records, entities and
tables; each page is written as Jinja2 generates it. The index page's
counts and plots come from DuckDB aggregates, not from the records. So
memory holds a batch of documents (and a row group of ``texts``), the
documents' metadata and the diff's changes, whatever the size of the lake
(``bench/commands.py``'s ``stream`` section measures it).

With ``diff=True`` the pages mark what the last rule change did, as ``fazhi
diff`` computes it (``fazhi.query.diff``, from the lake's extraction
history): records the newer rule set added, removed (shown struck through at
their old place) or changed.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Iterable, Iterator, Optional, Sequence

from fazhi.lake.atomic import replacing
from fazhi.lake.store import Lake

TYPES = ("case", "count", "amount", "percentage")
TYPE_LABELS = {"case": "案件 case", "count": "计数 count", "amount": "金额 amount", "percentage": "比率 percentage"}
TYPE_COLORS = {"case": "#f6b26b", "count": "#8ec5f0", "amount": "#93d98a", "percentage": "#e5a0e8"}
CATEGORY_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#6b4c9a", "#1f77b4", "#8c564b", "#17becf", "#bcbd22",
)
# Fields of a changed record's old version shown on the page.
DIFF_FIELDS = ("value", "unit", "qualifier", "direction", "subject", "category")
DEFAULT_SUBJECTS = ("办结率",)
HERE = Path(__file__).resolve().parent


class ReviewError(Exception):
    """A problem the user should see as a message (unknown document, empty lake)."""


# --------------------------------------------------------------------------
# templates and static files
# --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                              autoescape=jinja2.select_autoescape(("html",)), trim_blocks=False,
                              undefined=jinja2.StrictUndefined)


@lru_cache(maxsize=8)
def static(name: str) -> str:
    """A file of ``static/`` (inlined into the pages)."""
    return (HERE / "static" / name).read_text(encoding="utf-8")


def _markup(s: str):
    from markupsafe import Markup

    return Markup(s)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
@dataclass
class Diff:
    """What the newer rule set did, per record (``fazhi diff``'s result, looked up by record)."""

    old_ruleset: str
    new_ruleset: str
    status: dict[tuple, str] = field(default_factory=dict)      # record signature -> added | changed
    old_values: dict[tuple, list[dict]] = field(default_factory=dict)  # changed -> old records
    removed: dict[str, list[dict]] = field(default_factory=dict)  # doc_id -> removed old records

    def lookup(self, rec: dict) -> tuple[Optional[str], list[dict]]:
        """The status of a record of the newer rule set, and the old records it replaced."""
        key = _sig(rec)
        return self.status.get(key), self.old_values.get(key, [])

    def counts(self, doc_id: Optional[str] = None) -> Counter:
        c: Counter = Counter()
        for key, st in self.status.items():
            if doc_id is None or key[0] == doc_id:
                c[st] += 1
        for did, recs in self.removed.items():
            if doc_id is None or did == doc_id:
                c["removed"] += len(recs)
        return c


@dataclass
class ReviewResult:
    out: Path
    index: Path
    pages: dict[str, Path]               # doc_id -> page
    diff: Optional[Diff] = None
    diff_message: Optional[str] = None   # why there is no diff, when asked for one


def _sig(rec: dict) -> tuple:
    """A record of one rule set, by place and every compared field (``fazhi diff``'s records carry no id)."""
    return (rec["doc_id"], rec["start"], rec["end"], rec["type"], *(repr(rec.get(f)) for f in DIFF_FIELDS))


def compute_diff(lake: Lake, docs: list[dict] | None = None) -> tuple[Optional[Diff], str]:
    """What the last rule change did, exactly as ``fazhi diff`` reports it for its default pair
    (``fazhi.query.diff.compute``). Returns the diff and a one-line summary, or None and the reason
    there is none (``docs`` is accepted for callers that pass the current documents)."""
    from fazhi.query.diff import DiffError, compute

    try:
        d = compute(lake)
    except DiffError as exc:
        return None, str(exc)
    out = Diff(d.old, d.new)
    for rec in d.added:
        out.status[_sig(rec)] = "added"
    for pair in d.changed:
        key = _sig(pair["new"])
        out.status[key] = "changed"
        out.old_values.setdefault(key, []).append(
            {f: pair["old"].get(f) for f in (*DIFF_FIELDS, "text", "start", "end")})
    for rec in d.removed:
        out.removed.setdefault(rec["doc_id"], []).append(dict(rec, ruleset=d.old))
    c = out.counts()
    return out, (f"rule change {d.old} -> {d.new}: {c['added']} added, "
                 f"{c['removed']} removed, {c['changed']} changed")


def select_documents(docs: list[dict], wanted: Sequence[str]) -> list[dict]:
    """The documents named by ``wanted``: doc_id (or a prefix of it), name, name without extension, or source."""
    if not wanted:
        return docs
    chosen: dict[str, dict] = {}
    for w in wanted:
        hits = [d for d in docs if w in (d["doc_id"], d["name"], d["source"])
                or (d["name"] and Path(d["name"]).stem == w)]
        if not hits:
            hits = [d for d in docs if d["doc_id"].startswith(w) or (d["name"] or "").startswith(w)]
        if not hits:
            raise ReviewError(f"no document matches {w!r} (give a doc_id, a file name or a source)")
        if len(hits) > 1:
            names = ", ".join(d["name"] or d["doc_id"] for d in hits[:5])
            raise ReviewError(f"{w!r} matches {len(hits)} documents ({names}); be more specific")
        chosen[hits[0]["doc_id"]] = hits[0]
    return [d for d in docs if d["doc_id"] in chosen]


# --------------------------------------------------------------------------
# the highlighted text, in one pass
# --------------------------------------------------------------------------
@dataclass
class Span:
    start: int
    end: int
    open_tag: str        # for the first fragment
    open_again: str      # for later fragments, when an overlap splits the span
    close_tag: str
    order: int = 0


def highlight(text: str, spans: Iterable[Span]) -> str:
    """``text`` as HTML with every span wrapped in its tags, properly nested.

    One pass over the sorted span boundaries. Spans with the same range nest
    (one element each); a span that partly overlaps another is split into
    fragments (the later ones get ``open_again``), so every span keeps its
    own element(s) and the markup stays well formed.
    """
    n = len(text)
    starts: dict[int, list[Span]] = defaultdict(list)
    bounds = {0, n}
    for i, sp in enumerate(spans):
        s, e = max(0, sp.start), min(n, sp.end)
        if e <= s:
            continue
        sp.start, sp.end, sp.order = s, e, i
        starts[s].append(sp)
        bounds.update((s, e))
    out: list[str] = []
    stack: list[Span] = []
    pos = 0
    esc = html.escape
    for p in sorted(bounds):
        if p > pos:
            out.append(esc(text[pos:p], quote=False))
            pos = p
        reopen: list[Span] = []
        if any(sp.end == p for sp in stack):
            low = min(i for i, sp in enumerate(stack) if sp.end == p)
            while len(stack) > low:
                sp = stack.pop()
                out.append(sp.close_tag)
                if sp.end != p:
                    reopen.append(sp)
        for sp in sorted(reopen, key=lambda s: (-s.end, s.order)):
            stack.append(sp)
            out.append(sp.open_again)
        for sp in sorted(starts.get(p, ()), key=lambda s: (-s.end, s.order)):
            stack.append(sp)
            out.append(sp.open_tag)
    return "".join(out)


# --------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------
def e(value) -> str:
    return html.escape("" if value is None else str(value))


def fmt_value(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _json(obj) -> str:
    """JSON for a ``<script type="application/json">`` element."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def page_file(doc: dict) -> str:
    stem = re.sub(r"[^0-9A-Za-z._-]+", "_", Path(doc["name"] or "doc").stem)[:40].strip("_.") or "doc"
    return f"{stem}-{doc['doc_id'][:12]}.html"


def doc_label(doc: dict) -> str:
    bits = [doc.get("org") or "", str(doc["report_year"]) if doc.get("report_year") else ""]
    label = " ".join(b for b in bits if b)
    return label or (doc.get("name") or doc["doc_id"])


def category_colors(categories: Iterable[str]) -> dict[str, str]:
    cats = sorted({c for c in categories if c is not None}, key=lambda c: (c == "其他", c))
    return {c: ("#9e9e9e" if c == "其他" else CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)])
            for i, c in enumerate(cats)}



# --------------------------------------------------------------------------
# the document page
# --------------------------------------------------------------------------
def _record_json(rec: dict) -> dict:
    keep = ("record_id", "type", "value", "unit", "qualifier", "direction", "subject", "category",
            "text", "start", "end", "section", "rule", "extractor", "ruleset", "cell")
    out = {k: rec.get(k) for k in keep}
    out["value_s"] = fmt_value(rec.get("value"))
    return out


def table_spans(table: dict, text_len: int, figures: AbstractSet[tuple[int, int]] = frozenset()) -> list[Span]:
    """Spans that draw one table of the report (a ``tables`` row) as an HTML table in the text.

    The cells hold their text of the clean text; what stands between two cells
    in the clean text (`` | ``, line breaks) stays in the page inside the
    cell before it, hidden, so the page's text is still the clean text. Empty
    cells and grid positions no cell covers are drawn around the cells that
    hold text. ``figures``: (row, col) of the cells that gave a record.
    """
    cells = sorted((c for c in table["cells"] if c["start"] is not None and c["start"] >= 0),
                   key=lambda c: c["start"])
    if not cells or cells[-1]["end"] > text_len:
        return []
    n_cols = table["n_cols"]
    head_rows, head_cols = table.get("header_rows") or 0, table.get("header_cols") or 0
    covered: dict[tuple[int, int], dict] = {}
    for c in table["cells"]:
        for r in range(c["row"], c["row"] + max(1, c["rowspan"] or 1)):
            for k in range(c["col"], c["col"] + max(1, c["colspan"] or 1)):
                covered.setdefault((r, k), c)

    def tag(c: dict) -> tuple[str, str]:
        name = "th" if c.get("header") or c["row"] < head_rows or c["col"] < head_cols else "td"
        attrs = ""
        if (c["rowspan"] or 1) > 1:
            attrs += f' rowspan="{c["rowspan"]}"'
        if (c["colspan"] or 1) > 1:
            attrs += f' colspan="{c["colspan"]}"'
        if name == "td" and (c["row"], c["col"]) in figures:
            attrs += ' class="fig"'
        return name, f"<{name}{attrs}>"

    def empty_slots(row: int, cols: range) -> str:
        """Cells of this row in ``cols`` with no text: empty cells and holes."""
        out = []
        for k in cols:
            c = covered.get((row, k))
            if c is None:
                out.append('<td class="hole"></td>')
            elif c["row"] == row and c["col"] == k and not (c["start"] is not None and c["start"] >= 0):
                out.append(tag(c)[1] + f"</{tag(c)[0]}>")
        return "".join(out)

    rows = sorted({c["row"] for c in cells})
    all_rows = range(table["n_rows"])
    spans: list[Span] = []
    start, end = cells[0]["start"], cells[-1]["end"]
    number = table.get("number")
    spans.append(Span(start, end, f'<table class="doctable" data-table="{number}">', "", "</table>"))
    for n, r in enumerate(rows):
        in_row = [c for c in cells if c["row"] == r]
        row_end = cells[cells.index(in_row[-1]) + 1]["start"] if in_row[-1] is not cells[-1] else end
        # rows with no text before this one (and, for the last, after it) are drawn whole
        before = "".join(f"<tr>{empty_slots(rr, range(n_cols))}</tr>"
                         for rr in all_rows if (rows[n - 1] if n else -1) < rr < r)
        after = "".join(f"<tr>{empty_slots(rr, range(n_cols))}</tr>"
                        for rr in all_rows if rr > r) if r == rows[-1] else ""
        spans.append(Span(in_row[0]["start"], row_end, before + "<tr>", "", "</tr>" + after))
        prev_col = 0
        for i, c in enumerate(in_row):
            c_end = in_row[i + 1]["start"] if i + 1 < len(in_row) else row_end
            name, open_tag = tag(c)
            lead = empty_slots(r, range(prev_col, c["col"]))
            prev_col = c["col"] + max(1, c["colspan"] or 1)
            trail = empty_slots(r, range(prev_col, n_cols)) if i + 1 == len(in_row) else ""
            spans.append(Span(c["start"], c_end, lead + open_tag, "", f"</{name}>" + trail))
            if c["end"] < c_end:
                spans.append(Span(c["end"], c_end, '<span class="gap">', "", "</span>"))
    return spans


def render_document(doc: dict, text: str, records: list[dict], entities: list[dict],
                    diff: Optional[Diff] = None, index_href: str = "index.html",
                    tables: Sequence[dict] = ()) -> str:
    """The HTML page of one document; ``tables``: its rows of the ``tables`` table."""
    return "".join(document_page(doc, text, records, entities, diff, index_href, tables))


def document_page(doc: dict, text: str, records: list[dict], entities: list[dict],
                  diff: Optional[Diff] = None, index_href: str = "index.html",
                  tables: Sequence[dict] = ()) -> Iterator[str]:
    """The HTML page of one document as the template's pieces (Jinja2 ``generate``), to write as
    they come."""
    records = sorted(records, key=lambda r: (r["start"], r["end"], r["type"], r.get("subject") or ""))
    removed = sorted((diff.removed.get(doc["doc_id"], []) if diff else []), key=lambda r: (r["start"], r["end"]))
    data_records = []
    spans: list[Span] = []
    figures: dict[int, set] = defaultdict(set)
    for rec in records:
        if rec.get("cell"):
            figures[rec["cell"]["table"]].add((rec["cell"]["row"], rec["cell"]["col"]))
    regions = []
    for t in sorted(tables, key=lambda t: t["start"]):
        ts = table_spans(t, len(text), figures.get(t["number"], set()))
        if ts:
            spans += ts
            regions.append((ts[0].start, ts[0].end, {(s.start, s.end) for s in ts[1:]}))
    for i, rec in enumerate(records):
        d = _record_json(rec)
        classes = f"rec t-{e(rec['type'])}"
        if diff:
            st, olds = diff.lookup(rec)
            d["diff"] = st
            if st:
                classes += f" {st}"
            if st == "changed":
                d["old"] = [dict(o, value_s=fmt_value(o.get("value"))) for o in olds]
        data_records.append(d)
        attrs = f'class="{classes}" data-i="{i}" data-c="{e(rec.get("category") or "")}"'
        spans.append(Span(rec["start"], rec["end"], f'<mark id="r-{i}" {attrs}>', f"<mark {attrs}>", "</mark>"))
    data_removed = []
    for g, rec in enumerate(removed):
        data_removed.append(_record_json(rec))
        spans.append(Span(rec["start"], rec["end"], f'<mark id="g-{g}" class="gone" data-g="{g}">',
                          f'<mark class="gone" data-g="{g}">', "</mark>"))
    data_entities = []
    for j, ent in enumerate(sorted(entities, key=lambda x: (x["start"], x["end"]))):
        if _crosses_a_cell(ent["start"], ent["end"], regions):
            continue  # an entity across two cells cannot be drawn inside the table
        data_entities.append({k: ent.get(k) for k in ("label", "text", "start", "end", "model")})
        tag = f'<span class="ent" data-e="{len(data_entities) - 1}">'
        spans.append(Span(ent["start"], ent["end"], tag, tag, "</span>"))
    shown = sum(1 for r in records if 0 <= r["start"] < r["end"] <= len(text))
    types_present = [t for t in TYPES if any(r["type"] == t for r in records)]
    types_present += sorted({r["type"] for r in records} - set(TYPES))
    rulesets = sorted({r.get("ruleset") or "" for r in records}) or [doc.get("ruleset") or ""]
    data = {"records": data_records, "removed": data_removed, "entities": data_entities, "colors": TYPE_COLORS,
            "diff": bool(diff)}
    return _env().get_template("document.html").generate(
        css=_markup(static("review.css")), js=_markup(static("document.js")), data=_markup(_json(data)),
        doc=doc, label=doc_label(doc), title=doc.get("title") or f'{doc_label(doc)} · {doc.get("name") or doc["doc_id"]}',
        index_href=index_href, n_chars=len(text), n_records=len(records), n_tables=len(regions),
        rulesets=rulesets, types=TYPES, colors=TYPE_COLORS, type_labels=TYPE_LABELS,
        type_counts=Counter(r["type"] for r in records), n_entities=len(data_entities),
        diff=diff, diff_counts=diff.counts(doc["doc_id"]) if diff else {}, n_outside=len(records) - shown,
        body_text=_markup(highlight(text, spans)), types_present=types_present,
        categories=sorted({r.get("category") or "" for r in records}), n_rows=len(records) + len(removed),
        widths=(46, 92, 62, 36, 64, None, 78, 84) + ((62,) if diff else ()))


def _crosses_a_cell(start: int, end: int, regions) -> bool:
    for t0, t1, pieces in regions:
        if start < t1 and t0 < end:
            return not any(s <= start and end <= e_ for s, e_ in pieces)
    return False


# --------------------------------------------------------------------------
# plots: the geometry; the SVG is drawn by templates/plots.html
# --------------------------------------------------------------------------
def plot_categories(docs: list[dict], counts: dict[str, Counter], colors: dict[str, str],
                    hrefs: dict[str, str]) -> dict:
    """Horizontal stacked bars: per document, its records by category."""
    cats = list(colors)
    label_w, bar_w, row_h, top = 190, 560, 24, 10
    total_max = max([sum(counts.get(d["doc_id"], Counter()).values()) for d in docs] + [1])
    rows = []
    for k, doc in enumerate(docs):
        y = top + k * row_h
        c = counts.get(doc["doc_id"], Counter())
        x: float = label_w
        bars = []
        for cat in cats:
            n = c.get(cat, 0)
            if n:
                w = bar_w * n / total_max
                bars.append({"x": x, "y": y + 3, "w": w, "h": row_h - 6, "color": colors[cat], "category": cat, "n": n})
                x += w
        rows.append({"label": doc_label(doc), "href": hrefs.get(doc["doc_id"]), "lx": label_w - 8,
                     "ly": y + row_h * 0.65, "bars": bars, "tx": x + 4, "total": sum(c.values())})
    ly = top + row_h * len(docs) + 16
    legend = [{"x": label_w + (i % 5) * 115, "y": ly + (i // 5) * 20, "color": colors[cat], "category": cat}
              for i, cat in enumerate(cats)]
    return {"rows": rows, "legend": legend, "width": label_w + bar_w + 60,
            "height": top + row_h * len(docs) + 30 + 20 * math.ceil(len(cats) / 5)}


def _nice_step(span: float) -> float:
    raw = span / 5 or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def plot_subject_values(subject: str, points: list[dict]) -> dict:
    """Values of one subject across towns (one colour each) and years (x axis).

    Equal values of one town and year are drawn once, labelled with how many.
    """
    out: dict = {"subject": subject, "n": len(points), "series": []}
    if not points:
        return out
    orgs = sorted({p["org"] for p in points})
    colors = {o: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, o in enumerate(orgs)}
    years = sorted({p["year"] for p in points})
    y0, y1 = years[0] - 0.5, years[-1] + 0.5
    vals = [p["value"] for p in points]
    percent = all(p["unit"] == "%" for p in points)
    lo, hi = min(vals), max(vals)
    if percent:
        hi = max(hi, 100.0)
        lo = 0.0 if lo < 50 else math.floor(lo / 10) * 10  # zoom in on high rates, from a multiple of 10
    else:
        lo = min(lo, 0.0)
    step = _nice_step(hi - lo)
    vmin = math.floor(lo / step) * step
    vmax = math.ceil(hi / step) * step
    if vmax <= vmin:
        vmax = vmin + step
    left, right, top, bottom, plot_w, plot_h = 64, 240, 16, 40, 520, 260
    pad = 10  # keep points on the edge of the range inside the frame

    def px(year, jitter=0.0):
        return left + (year - y0 + jitter) / (y1 - y0) * plot_w

    def py(v):
        return top + pad + (plot_h - 2 * pad) * (1 - (v - vmin) / (vmax - vmin))

    grid, k = [], 0
    while vmin + k * step <= vmax + step / 1000:
        v = vmin + k * step
        grid.append({"y": py(v), "label": fmt_value(round(v, 6)) + ("%" if percent else "")})
        k += 1
    tick_years = range(years[0], years[-1] + 1) if years[-1] - years[0] <= 15 else years
    unit = "" if percent else f" ({points[0]['unit']})" if len({p["unit"] for p in points}) == 1 else ""
    for n, org in enumerate(orgs):
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for p in points:
            if p["org"] == org:
                groups[(p["year"], p["value"])].append(p)
        jitter = (n - (len(orgs) - 1) / 2) * min(0.08, 0.6 / max(len(orgs), 1))
        coords = [(px(yr, jitter), py(v), grp) for (yr, v), grp in sorted(groups.items())]
        best: dict = {}
        for x, y, grp in coords:  # the line joins each year's highest value
            yr = grp[0]["year"]
            if yr not in best or grp[0]["value"] > best[yr][2][0]["value"]:
                best[yr] = (x, y, grp)
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in (best[yr] for yr in sorted(best))) if len(best) > 1 else ""
        pts = [{"x": x, "y": y, "year": grp[0]["year"],
                "texts": "; ".join(f"{q['subject']} {q['text']}" for q in grp),
                "label": fmt_value(grp[0]["value"]) + ("%" if percent else "") + (f" ×{len(grp)}" if len(grp) > 1 else "")}
               for x, y, grp in coords]
        out["series"].append({"org": org, "color": colors[org], "line": line, "points": pts, "ly": top + 10 + n * 18})
    out.update(left=left, top=top, plot_w=plot_w, plot_h=plot_h, width=left + plot_w + right,
               height=top + plot_h + bottom, grid=grid, ticks=[{"x": px(yr), "year": yr} for yr in tick_years],
               axis_label=subject + unit)
    return out


# --------------------------------------------------------------------------
# the index page
# --------------------------------------------------------------------------
@dataclass
class Summary:
    """What the index page shows of the records, counted by DuckDB (not the records themselves)."""

    by_doc_type: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_doc_cat: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    n_tables: dict[str, int] = field(default_factory=dict)
    points: dict[str, list[dict]] = field(default_factory=dict)   # subject -> its records (value, unit, …)

    @property
    def n_records(self) -> int:
        return sum(sum(c.values()) for c in self.by_doc_type.values())


def render_index(lake: Lake, docs: list[dict], summary: Summary, failures: list[dict],
                 hrefs: dict[str, str], subjects: Sequence[str], diff: Optional[Diff],
                 diff_message: Optional[str]) -> str:
    return "".join(index_page(lake, docs, summary, failures, hrefs, subjects, diff, diff_message))


def index_page(lake: Lake, docs: list[dict], summary: Summary, failures: list[dict],
               hrefs: dict[str, str], subjects: Sequence[str], diff: Optional[Diff],
               diff_message: Optional[str]) -> Iterator[str]:
    """The index page as the template's pieces: one row per document, the plots, the failures."""
    n_tables = summary.n_tables
    fail_by_doc: Counter = Counter()
    fail_by_source: Counter = Counter()
    for f in failures:
        if f.get("doc_id"):
            fail_by_doc[f["doc_id"]] += 1
        fail_by_source[f["source"]] += 1
    colors = category_colors(c for cc in summary.by_doc_cat.values() for c in cc)
    diff_by_doc = _diff_counts_by_doc(diff) if diff else {}
    rows = []
    for doc in docs:
        c = summary.by_doc_type.get(doc["doc_id"], Counter())
        rows.append({"doc": doc, "href": hrefs.get(doc["doc_id"]), "counts": c, "total": sum(c.values()),
                     "tables": n_tables.get(doc["doc_id"], 0),
                     "failures": fail_by_doc.get(doc["doc_id"], 0) or fail_by_source.get(doc["source"], 0),
                     "diff": diff_by_doc.get(doc["doc_id"], Counter()) if diff else None})
    doc_by_id = {d["doc_id"]: d for d in docs}
    subject_plots = []
    for subject in subjects:
        pts = []
        for r in summary.points.get(subject, ()):
            d = doc_by_id.get(r["doc_id"])
            if d and d.get("report_year"):
                pts.append({"org": d.get("org") or d["name"], "year": d["report_year"], "value": r["value"],
                            "unit": r.get("unit") or "", "subject": r["subject"], "text": r.get("text")})
        subject_plots.append(plot_subject_values(subject, pts))
    known_sources = {d["source"] for d in docs}
    return _env().get_template("index.html").generate(
        css=_markup(static("review.css")), index_css=_markup(static("index.css")), lake_root=str(lake.root),
        docs=docs, n_records=summary.n_records, n_tables=sum(n_tables.values()),
        failures=sorted(failures, key=lambda f: (str(f["time"]), f["source"]), reverse=True),
        n_unloaded=len({f["source"] for f in failures} - known_sources),
        rulesets=sorted({d.get("ruleset") or "" for d in docs}), diff=diff,
        diff_counts=diff.counts() if diff else {}, diff_message=diff_message, types=TYPES, colors=TYPE_COLORS,
        rows=rows, category_plot=plot_categories(docs, summary.by_doc_cat, colors, hrefs),
        subject_plots=subject_plots)


def _diff_counts_by_doc(diff: Diff) -> dict[str, Counter]:
    """:meth:`Diff.counts` of every document in one pass."""
    out: dict[str, Counter] = defaultdict(Counter)
    for key, st in diff.status.items():
        out[key[0]][st] += 1
    for did, recs in diff.removed.items():
        out[did]["removed"] += len(recs)
    return out


# --------------------------------------------------------------------------
# reading the lake: a few documents at a time, only the columns shown
# --------------------------------------------------------------------------
# the columns each page reads (no ``sentence``: the pages do not show it)
DOC_COLUMNS = ("doc_id", "source", "name", "title", "org", "report_year", "content_sha256", "n_chars", "ruleset")
RECORD_COLUMNS = ("record_id", "doc_id", "content_sha256", "type", "value", "unit", "qualifier", "direction",
                  "subject", "category", "text", "start", "end", "section", "rule", "extractor", "ruleset", "cell")
ENTITY_COLUMNS = ("doc_id", "content_sha256", "label", "text", "start", "end", "model")
TABLE_COLUMNS = ("doc_id", "content_sha256", "number", "n_rows", "n_cols", "header_rows", "header_cols",
                 "start", "end", "cells")
# documents read and written per step: memory holds this many documents' texts, records, entities and
# tables and one page being written, whatever the size of the lake
BATCH_DOCUMENTS = 16
# DuckDB's memory for the index's counts (it spills beyond) and the reads of each batch
MEMORY_LIMIT = "128MB"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _cols(columns: Sequence[str], alias: str = "t") -> str:
    return ", ".join(f"{alias}.{_q(c)}" for c in columns)


def _order(table: str, alias: str = "t") -> str:
    from schemas import table_spec

    return ", ".join(f"{alias}.{_q(c)}" for c in table_spec(table).sort)


def _versions_table(pairs: Iterable[tuple[str, str]]):
    import pyarrow as pa

    rows = list(pairs)
    return pa.table({"doc_id": pa.array([r[0] for r in rows], pa.string()),
                     "content_sha256": pa.array([r[1] for r in rows], pa.string())})


def _rows(con, sql: str, params: Optional[dict] = None) -> list[dict]:
    return con.sql(sql, params=params or None).to_arrow_table().to_pylist()


def _connect(lake: Lake):
    from fazhi.query.sql import spill_directory

    con = lake.connect(memory_limit=MEMORY_LIMIT, temp_directory=spill_directory())
    # one thread: each scan thread holds a row group of its own (a row group of ``texts`` is its
    # texts' dictionary page, a few MB), so more threads hold more of the table at once
    con.execute("SET threads = 1")
    return con


def current_documents(lake: Lake, con=None) -> list[dict]:
    """One row per doc_id, its current version (as ``fazhi.history`` decides), in name order
    (the columns the pages show)."""
    from fazhi.lake.history import current_versions

    version = current_versions(lake)
    own = con is None
    con = _connect(lake) if own else con
    try:
        docs = [d for d in _rows(con, f"SELECT {_cols(DOC_COLUMNS)} FROM documents t")
                if version.get(d["doc_id"]) == d["content_sha256"]]
    finally:
        if own:
            con.close()
    return sorted(docs, key=lambda d: (d["name"] or "", d["source"], d["doc_id"]))


def summarize(con, subjects: Sequence[str]) -> Summary:
    """The index's counts over the current versions (registered as ``review_current``)."""
    out = Summary()
    for doc_id, typ, cat, n in con.execute(
            "SELECT t.doc_id, t.type, coalesce(nullif(t.category, ''), '其他'), count(*) FROM records t "
            "SEMI JOIN review_current c ON t.doc_id = c.doc_id AND t.content_sha256 = c.content_sha256 "
            "GROUP BY ALL").fetchall():
        out.by_doc_type[doc_id][typ] += n
        out.by_doc_cat[doc_id][cat] += n
    out.n_tables = dict(con.execute(
        "SELECT t.doc_id, count(*) FROM tables t "
        "SEMI JOIN review_current c ON t.doc_id = c.doc_id AND t.content_sha256 = c.content_sha256 "
        "GROUP BY ALL").fetchall())
    for subject in subjects:
        out.points[subject] = _rows(con, (
            "SELECT t.doc_id, t.value, t.unit, t.subject, t.text FROM records t "
            "SEMI JOIN review_current c ON t.doc_id = c.doc_id AND t.content_sha256 = c.content_sha256 "
            "WHERE t.subject <> '' AND contains(t.subject, $s) AND t.value IS NOT NULL "
            f"ORDER BY {_order('records')}"), {"s": subject})
    return out


@dataclass
class Batch:
    """Some documents' stored rows of their current versions, by doc_id."""

    records: dict[str, list[dict]]
    entities: dict[str, list[dict]]
    tables: dict[str, list[dict]]


def clean_texts(con, lake: Lake, docs: Sequence[dict]) -> Iterator[tuple[dict, str]]:
    """``(doc, clean text)`` of each of ``docs`` (its current version) that has one, in the order
    ``texts`` stores them: one pass over the file, :data:`BATCH_DOCUMENTS` rows at a time, by row
    number (DuckDB then reads the one row group that holds them, not the ones ahead)."""
    path = lake.table_path("texts")
    if not path.exists():
        return
    by_version = {(d["doc_id"], d["content_sha256"]): d for d in docs}
    src = f"read_parquet({_literal(str(path))}, file_row_number = true)"
    n = con.execute(f"SELECT count(*) FROM {src}").fetchone()[0]
    for first in range(0, n, BATCH_DOCUMENTS):
        rows = con.execute(f"SELECT doc_id, content_sha256, clean_text FROM {src} "
                           f"WHERE file_row_number >= {first} AND file_row_number < {first + BATCH_DOCUMENTS}"
                           ).fetchall()
        for doc_id, sha, text in rows:
            doc = by_version.get((doc_id, sha))
            if doc is not None and text is not None:
                yield doc, text


def read_batch(con, docs: Sequence[dict]) -> Batch:
    """The records, entities and tables of ``docs`` (their current versions), in the tables'
    sort order; only the columns the pages show."""
    con.register("review_batch", _versions_table((d["doc_id"], d["content_sha256"]) for d in docs))
    # each is a scan of the table (its row groups hold every document: the batch follows the order of
    # ``texts``, not of these tables), joined with the batch's versions
    try:
        same = "SEMI JOIN review_batch b ON t.doc_id = b.doc_id AND t.content_sha256 = b.content_sha256"

        def grouped(sql: str) -> dict[str, list[dict]]:
            out: dict[str, list[dict]] = defaultdict(list)
            for r in _rows(con, sql):
                out[r["doc_id"]].append(r)
            return out

        records = grouped(f"SELECT {_cols(RECORD_COLUMNS)} FROM records t {same} ORDER BY {_order('records')}")
        # entities of a lake from before entities carried their version belong to every version
        entities = grouped(f"SELECT {_cols(ENTITY_COLUMNS)} FROM entities t SEMI JOIN review_batch b "
                           "ON t.doc_id = b.doc_id AND (t.content_sha256 IS NULL OR t.content_sha256 = b.content_sha256) "
                           f"ORDER BY {_order('entities')}")
        tables = grouped(f"SELECT {_cols(TABLE_COLUMNS)} FROM tables t {same} ORDER BY {_order('tables')}")
    finally:
        con.unregister("review_batch")
    return Batch(records, entities, tables)


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------
def _write(path: Path, pieces: Iterable[str] | str) -> None:
    """Write a page as its pieces come (atomically: the page is replaced when it is whole)."""
    with replacing(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            if isinstance(pieces, str):
                fh.write(pieces)
            else:
                for piece in pieces:
                    fh.write(piece)


def build(lake_root: str | Path, out: str | Path, wanted: Sequence[str] = (), diff: bool = False,
          subjects: Sequence[str] = DEFAULT_SUBJECTS) -> ReviewResult:
    """Write the index page and one page per chosen document (all when ``wanted`` is empty).

    The lake is read through DuckDB a few documents at a time (:data:`BATCH_DOCUMENTS`), only the
    columns the pages show, and each page is written as the template renders it; the index gets
    its counts from DuckDB. Memory holds one batch, the documents' metadata and the diff's changes
    (``fazhi.query.diff``, one document version at a time), not the lake's tables.
    """
    lake = Lake(lake_root)
    if not lake.exists() and not lake.table_path("documents").exists():
        raise ReviewError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    con = _connect(lake)
    try:
        docs = current_documents(lake, con)
        chosen = select_documents(docs, wanted)
        failures = lake.read("failures").to_pylist()
        the_diff, diff_message = (compute_diff(lake) if diff else (None, None))
        con.register("review_current", _versions_table((d["doc_id"], d["content_sha256"]) for d in docs))
        summary = summarize(con, subjects)

        pages: dict[str, Path] = {}

        def write(some: list[tuple[dict, str]]) -> None:
            batch = read_batch(con, [doc for doc, _ in some])
            for doc, text in some:
                path = out / page_file(doc)
                _write(path, document_page(doc, text, batch.records.get(doc["doc_id"], []),
                                           batch.entities.get(doc["doc_id"], []), the_diff,
                                           tables=batch.tables.get(doc["doc_id"], [])))
                pages[doc["doc_id"]] = path

        # in the order ``texts`` stores them, a batch at a time; a document with no clean text
        # stored for its version has nothing to show
        some: list[tuple[dict, str]] = []
        for doc, text in clean_texts(con, lake, chosen):
            some.append((doc, text))
            if len(some) == BATCH_DOCUMENTS:
                write(some)
                some = []
        if some:
            write(some)
        pages = {d["doc_id"]: pages[d["doc_id"]] for d in chosen if d["doc_id"] in pages}
    finally:
        con.close()
    # link every document whose page exists in the folder (from this run or an earlier one)
    hrefs = {d["doc_id"]: page_file(d) for d in docs if (out / page_file(d)).exists()}
    index = out / "index.html"
    _write(index, index_page(lake, docs, summary, failures, hrefs, subjects, the_diff, diff_message))
    return ReviewResult(out=out, index=index, pages=pages, diff=the_diff, diff_message=diff_message)

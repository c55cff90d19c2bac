"""``fazhi review``: static HTML pages to audit the lake in a browser.

One page per document: the clean text (``texts.clean_text``) with every
record highlighted by type and every entity underlined, a details box for
the highlight under the pointer or clicked, and a side table of the records
(sortable, filtered by type and category, each row linking to its place in
the text). An index page lists the documents with their counts and failures
and draws a few plots as inline SVG.

Everything is built here, in Python: the highlighted text in one pass over
the span boundaries, the table rows, the SVG. The page itself carries a few
lines of vanilla JavaScript for hover, click, sort and filter, and nothing
is loaded from anywhere: the files open from disk with no network.

With ``diff=True`` the pages mark what the last rule change did, from the
``records_all`` table (records of every rule set): records the newer rule set
added, removed (shown struck through at their old place) or changed. With the
lake's extraction history this is ``fazhi diff``'s own result (same span, or
an overlapping one, and another value, unit, qualifier, direction, subject,
category or span); without it, records are matched on
``(doc_id, start, end, type)`` in ``records_all``.
"""
from __future__ import annotations

import html
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from fazhi.lake.atomic import replacing
from fazhi.lake.store import Lake

TYPES = ("case", "count", "amount", "percentage")
TYPE_LABELS = {"case": "案件 case", "count": "计数 count", "amount": "金额 amount", "percentage": "比率 percentage"}
TYPE_COLORS = {"case": "#f6b26b", "count": "#8ec5f0", "amount": "#93d98a", "percentage": "#e5a0e8"}
OTHER_TYPE_COLOR = "#cccccc"
CATEGORY_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#6b4c9a", "#1f77b4", "#8c564b", "#17becf", "#bcbd22",
)
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", '
              '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", '
              '"PingFang SC", "Hiragino Sans GB", sans-serif')
# Fields that make a record "changed" when its (doc_id, start, end, type) stays.
DIFF_FIELDS = ("value", "unit", "qualifier", "direction", "subject", "category")
DEFAULT_SUBJECTS = ("办结率",)
_TIME_COLUMNS = ("extracted_at", "created_at", "loaded_at", "run_at", "time")


class ReviewError(Exception):
    """A problem the user should see as a message (unknown document, empty lake)."""


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
@dataclass
class Diff:
    """What the newer rule set did, per record key."""

    old_ruleset: str
    new_ruleset: str
    status: dict[tuple, str] = field(default_factory=dict)      # new key -> added | changed
    old_values: dict[tuple, list[dict]] = field(default_factory=dict)  # changed key -> old records
    removed: dict[str, list[dict]] = field(default_factory=dict)  # doc_id -> removed old records

    def lookup(self, rec: dict) -> tuple[Optional[str], list[dict]]:
        """The status of a record of the newer rule set, and the old records it replaced."""
        for key in (_sig(rec), _key(rec)):
            if key in self.status:
                return self.status[key], self.old_values.get(key, [])
        return None, []

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


def _key(rec: dict) -> tuple:
    return (rec["doc_id"], rec["start"], rec["end"], rec["type"])


def _sig(rec: dict) -> tuple:
    """A record of one rule set, by place and every compared field (``fazhi diff``'s records carry no id)."""
    return (*_key(rec), *(repr(rec.get(f)) for f in DIFF_FIELDS))


def _from_fazhi_diff(lake: Lake) -> Optional[Diff]:
    """The diff as ``fazhi diff`` computes it (spans paired exactly, then by overlap), or None
    when the lake has no extraction history for two rule sets."""
    from fazhi.query.diff import DiffError, compute

    try:
        d = compute(lake)
    except DiffError:
        return None
    out = Diff(d.old, d.new)
    for rec in d.added:
        out.status[_sig(rec)] = "added"
    for pair in d.changed:
        key = _sig(pair["new"])
        out.status[key] = "changed"
        out.old_values.setdefault(key, []).append({f: pair["old"].get(f) for f in (*DIFF_FIELDS, "text", "start", "end")})
    for rec in d.removed:
        out.removed.setdefault(rec["doc_id"], []).append(dict(rec, ruleset=d.old))
    return out


def current_documents(lake: Lake) -> list[dict]:
    """One row per doc_id, its current version (as ``fazhi.history`` decides), in name order."""
    from fazhi.lake.history import current_versions

    version = current_versions(lake)
    docs = [d for d in lake.read("documents").to_pylist() if version.get(d["doc_id"]) == d["content_sha256"]]
    return sorted(docs, key=lambda d: (d["name"] or "", d["source"], d["doc_id"]))


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


def read_records_all(lake: Lake) -> Optional[pa.Table]:
    """The ``records_all`` table (records of every rule set), or None when the lake has none.

    Looked up as a DuckDB view first (whatever file layout backs it), then as
    ``tables/records_all.parquet``.
    """
    if lake.exists():
        import duckdb

        con = lake.connect(read_only=True)
        try:
            rel = con.sql("SELECT * FROM records_all")
            to_arrow = getattr(rel, "to_arrow_table", None) or rel.arrow  # duckdb 2 / duckdb 1
            return to_arrow()
        except duckdb.Error:
            pass
        finally:
            con.close()
    path = lake.table_path("records_all")
    if path.exists():
        return pq.read_table(path)
    return None


def rulesets_in_order(records_all: pa.Table, current: Optional[str]) -> list[str]:
    """Rule sets, oldest first.

    Ordered by the latest timestamp of a time column when the table has one;
    otherwise by the order rows appear (tables are appended to), with the
    current rule set (the one in ``records``) last.
    """
    names = records_all.column("ruleset").to_pylist()
    tcol = next((c for c in _TIME_COLUMNS if c in records_all.column_names
                 and pa.types.is_timestamp(records_all.schema.field(c).type)), None)
    if tcol:
        last: dict[str, object] = {}
        for rs, t in zip(names, records_all.column(tcol).to_pylist()):
            if rs is not None and t is not None and (rs not in last or t > last[rs]):
                last[rs] = t
        order = sorted(last, key=lambda rs: last[rs])
        order += [rs for rs in dict.fromkeys(names) if rs is not None and rs not in last]
    else:
        lastpos = {rs: i for i, rs in enumerate(names) if rs is not None}
        order = sorted(lastpos, key=lambda rs: lastpos[rs])
    if current in order and not tcol:
        order.remove(current)
        order.append(current)
    return order


def compute_diff(lake: Lake, docs: list[dict]) -> tuple[Optional[Diff], str]:
    """What the last rule change did.

    When the lake keeps its extraction history (``fazhi reextract``), exactly
    what ``fazhi diff`` reports for its default pair. Otherwise from
    ``records_all`` alone: the two latest rule sets on the documents' current
    versions, records matched on ``(doc_id, start, end, type)``.
    Returns the diff and a one-line summary, or None and the reason there is none.
    """
    the_diff = _from_fazhi_diff(lake)
    if the_diff is not None:
        c = the_diff.counts()
        return the_diff, (f"rule change {the_diff.old_ruleset} -> {the_diff.new_ruleset}: {c['added']} added, "
                          f"{c['removed']} removed, {c['changed']} changed")
    table = read_records_all(lake)
    if table is None or table.num_rows == 0:
        return None, ("only one rule set: the lake has no records_all table (rule-set history), "
                      "so there is no rule change to mark")
    from fazhi.lake.history import rulesets

    present = set(table.column("ruleset").to_pylist())
    # the order `fazhi diff` uses (by when each rule set was last made current), else from records_all itself
    order = [r["ruleset"] for r in rulesets(lake) if r["ruleset"] in present]
    if len(order) < len(present):
        current = Counter(lake.read("records").column("ruleset").to_pylist()).most_common(1)
        order = rulesets_in_order(table, current[0][0] if current else None)
    if len(order) < 2:
        return None, f"only one rule set ({order[0] if order else 'none'}) in records_all: nothing to compare"
    old_rs, new_rs = order[-2], order[-1]
    version = {d["doc_id"]: d["content_sha256"] for d in docs}
    old_by: dict[tuple, list[dict]] = defaultdict(list)
    new_by: dict[tuple, list[dict]] = defaultdict(list)
    for rec in table.to_pylist():
        if version.get(rec["doc_id"]) != rec.get("content_sha256", version.get(rec["doc_id"])):
            continue  # another version of the document: offsets are not comparable
        if rec["ruleset"] == old_rs:
            old_by[_key(rec)].append(rec)
        elif rec["ruleset"] == new_rs:
            new_by[_key(rec)].append(rec)
    diff = Diff(old_rs, new_rs)

    def sig(group: list[dict]) -> list:
        return sorted((tuple(repr(r.get(f)) for f in DIFF_FIELDS) for r in group))

    for key, group in new_by.items():
        if key not in old_by:
            diff.status[key] = "added"
        elif sig(group) != sig(old_by[key]):
            diff.status[key] = "changed"
            diff.old_values[key] = [{f: r.get(f) for f in DIFF_FIELDS} for r in old_by[key]]
    for key, group in old_by.items():
        if key not in new_by:
            diff.removed.setdefault(key[0], []).extend(group)
    c = diff.counts()
    return diff, (f"rule change {old_rs} -> {new_rs}: {c['added']} added, "
                  f"{c['removed']} removed, {c['changed']} changed")


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


def _json_script(obj, element_id: str) -> str:
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{data}</script>'


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


CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font-family:%FONTS%;color:#222;background:#fafafa;font-size:15px}
a{color:#1a5fb4}
header{padding:8px 16px;background:#fff;border-bottom:1px solid #ddd}
header h1{font-size:18px;margin:0 0 4px}
header .meta{color:#555;font-size:13px}
.legend{display:inline-flex;flex-wrap:wrap;gap:6px;margin-left:8px;vertical-align:middle}
.legend span{padding:0 6px;border-radius:3px;font-size:12px}
mark.rec{background:var(--c);color:inherit;border-radius:2px;padding:0 1px;cursor:pointer;scroll-margin:30vh}
mark.rec mark.rec{box-shadow:inset 0 -3px 0 rgba(0,0,0,.35)}
mark.t-case{--c:#f6b26b}mark.t-count{--c:#8ec5f0}mark.t-amount{--c:#93d98a}mark.t-percentage{--c:#e5a0e8}
mark.rec.sel{outline:2px solid #d00;outline-offset:1px}
mark.rec.flash{animation:flash 1.2s}
@keyframes flash{0%{outline:4px solid #d00}100%{outline:2px solid transparent}}
.ent{border-bottom:2px dotted #6a3d9a;cursor:help}
mark.added{box-shadow:inset 0 -3px 0 #1a7f37}
mark.changed{outline:2px dashed #d97706}
mark.gone{background:#fde2e2;color:#b42318;text-decoration:line-through;cursor:pointer}
.layout{display:grid;grid-template-columns:minmax(0,1fr) minmax(420px,48%);height:calc(100vh - var(--hh,64px))}
#text{overflow:auto;padding:16px 24px;white-space:pre-wrap;line-height:2;font-size:16px;background:#fff;margin:0;font-family:inherit;overflow-wrap:anywhere}
aside{display:flex;flex-direction:column;min-height:0;border-left:1px solid #ddd;padding:8px 12px;background:#f6f7f9}
aside>*{flex:none}
#tablebox{flex:1 1 auto;min-height:120px;overflow:auto;background:#fff;border:1px solid #ddd}
aside>.meta{font-size:12px;color:#666;margin:6px 0 0}
#detail{background:#fff;border:1px solid #ccc;border-radius:4px;padding:6px 10px;min-height:64px;max-height:40vh;overflow:auto;font-size:13px}
#detail .hint{color:#888}
.card{border-left:5px solid var(--c,#ccc);padding:2px 8px;margin:4px 0}
.card table{border-collapse:collapse}
.card td{padding:1px 6px 1px 0;vertical-align:top}
.card td:first-child{color:#666;white-space:nowrap}
.card .old{color:#b42318}
#tip{position:fixed;z-index:10;display:none;max-width:420px;background:#fff;border:1px solid #999;border-radius:4px;box-shadow:0 2px 8px rgba(0,0,0,.2);padding:4px 8px;font-size:13px;pointer-events:none}
.filters{margin:8px 0;display:flex;gap:8px;flex-wrap:wrap;align-items:center;font-size:13px}
table.recs{border-collapse:collapse;width:100%;min-width:640px;font-size:13px;table-layout:fixed}
table.recs th{position:sticky;top:0;z-index:1;background:#e9ecef;cursor:pointer;text-align:left;padding:3px 4px;white-space:nowrap;user-select:none;overflow:hidden;text-overflow:ellipsis}
table.recs th.asc::after{content:" ▲"}table.recs th.desc::after{content:" ▼"}
table.recs td{border-top:1px solid #eee;padding:0 4px;height:25px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table.recs td.num{text-align:right;font-variant-numeric:tabular-nums}
table.recs tr.sel td{background:#fff3bf}
table.recs tr.gone td{color:#b42318;text-decoration:line-through}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:middle}
.warn{color:#b42318}
""".replace("%FONTS%", FONT_STACK)

JS = r"""
(function(){
var D=JSON.parse(document.getElementById('review-data').textContent);
var text=document.getElementById('text'),tip=document.getElementById('tip'),detail=document.getElementById('detail');
var box=document.getElementById('tablebox'),tbody=document.querySelector('table.recs tbody'),RH=25;
document.documentElement.style.setProperty('--hh',document.querySelector('header').offsetHeight+'px');
function esc(s){return String(s==null?'':s).replace(/[&<>"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c];});}
function row(k,v,cls){return '<tr><td>'+k+'</td><td'+(cls?' class="'+cls+'"':'')+'>'+esc(v)+'</td></tr>';}
function card(r,removed){
  var h='<div class="card" style="--c:'+(D.colors[r.type]||'#ccc')+'"><b>'+esc(r.text)+'</b> '+(removed?'<span class="warn">removed by the rule change</span>':'')+(r.diff?' <b class="warn">'+r.diff+'</b>':'')+'<table>';
  h+=row('type',r.type)+row('value',r.value_s)+row('unit',r.unit)+row('qualifier',r.qualifier);
  if(r.direction)h+=row('direction',r.direction);
  h+=row('subject',r.subject)+row('category',r.category)+row('rule',r.rule)+row('ruleset',r.ruleset)+row('section',r.section)+row('offsets',r.start+'–'+r.end);
  (r.old||[]).forEach(function(o){h+=row('before',(o.text&&o.text!==r.text?o.text+' · ':'')+o.value_s+' '+(o.unit||'')+' '+(o.qualifier||'')+' '+(o.subject||'')+' '+(o.category||''),'old');});
  return h+'</table></div>';}
function entCard(x){return '<div class="card" style="--c:#6a3d9a"><b>'+esc(x.text)+'</b> entity<table>'+row('label',x.label)+row('model',x.model)+'</table></div>';}
function hits(t){var rs=[];while(t&&t!==text){if(t.dataset){if(t.dataset.i)rs.push(card(D.records[+t.dataset.i]));else if(t.dataset.g)rs.push(card(D.removed[+t.dataset.g],true));else if(t.dataset.e)rs.push(entCard(D.entities[+t.dataset.e]));}t=t.parentNode;}return rs;}
text.addEventListener('mouseover',function(ev){var h=hits(ev.target);if(!h.length){tip.style.display='none';return;}tip.innerHTML=h.join('');tip.style.display='block';});
text.addEventListener('mousemove',function(ev){var x=Math.min(ev.clientX+14,innerWidth-tip.offsetWidth-8),y=ev.clientY+16;if(y+tip.offsetHeight>innerHeight)y=ev.clientY-tip.offsetHeight-10;tip.style.left=x+'px';tip.style.top=y+'px';});
text.addEventListener('mouseout',function(ev){if(!text.contains(ev.relatedTarget)||!hits(ev.relatedTarget).length)tip.style.display='none';});
// the table: one item per record (and per removed record), only the visible rows are in the DOM
var items=D.records.map(function(r,i){return {r:r,i:i,d:r.diff||'same'};}).concat(D.removed.map(function(r,g){return {r:r,g:g,d:'removed'};}));
var cols=[['start',1],['type'],['value',1],['unit'],['qualifier'],['subject'],['category'],['text'],['diff']];
var order=items.slice(),sel={};
function cell(it,k){var r=it.r,c=cols[k][0];if(c==='diff')return it.d==='same'?'':it.d;if(c==='value')return r.value_s;return r[c];}
function rowHtml(it){var r=it.r,a=it.i!=null?'#r-'+it.i:'#g-'+it.g,h='<tr'+(it.i!=null?' id="row-'+it.i+'"':'')+' class="'+(it.g!=null?'gone':'')+(sel[it.i]?' sel':'')+'">';
  h+='<td class="num"><a href="'+a+'">'+r.start+'</a></td><td><span class="sw" style="background:'+(D.colors[r.type]||'#ccc')+'"></span>'+esc(r.type)+'</td><td class="num">'+esc(r.value_s)+'</td><td>'+esc(r.unit)+'</td><td>'+esc(r.qualifier)+'</td>';
  h+='<td title="'+esc(r.subject)+'">'+esc(r.subject)+'</td><td>'+esc(r.category)+'</td><td><a href="'+a+'">'+esc(r.text)+'</a></td>'+(D.diff?'<td>'+cell(it,8)+'</td>':'')+'</tr>';return h;}
function render(){var n=order.length,first=Math.max(0,Math.floor(box.scrollTop/RH)-10),last=Math.min(n,first+Math.ceil(box.clientHeight/RH)+30);
  var h='<tr style="height:'+(first*RH)+'px"></tr>';for(var k=first;k<last;k++)h+=rowHtml(order[k]);
  tbody.innerHTML=h+'<tr style="height:'+((n-last)*RH)+'px"></tr>';document.getElementById('shown').textContent=n;}
box.addEventListener('scroll',function(){if(!render.q){render.q=1;requestAnimationFrame(function(){render.q=0;render();});}});
function showRow(i){var k=order.findIndex(function(it){return it.i==i;});if(k<0)return;var y=k*RH;
  if(y<box.scrollTop+RH||y>box.scrollTop+box.clientHeight-2*RH)box.scrollTop=Math.max(0,y-box.clientHeight/3);render();}
function select(ids,scrollRow){document.querySelectorAll('mark.sel').forEach(function(n){n.classList.remove('sel');});sel={};
  ids.forEach(function(i){sel[i]=1;document.querySelectorAll('mark[data-i="'+i+'"]').forEach(function(m){m.classList.add('sel');});});
  if(scrollRow&&ids.length)showRow(ids[0]);else render();}
text.addEventListener('click',function(ev){var h=hits(ev.target);if(!h.length)return;detail.innerHTML=h.join('');
  var ids=[],t=ev.target;while(t&&t!==text){if(t.dataset&&t.dataset.i)ids.push(t.dataset.i);t=t.parentNode;}select(ids,true);});
function fromHash(){var m=/^#([rg])-(\d+)$/.exec(location.hash);if(!m)return;var i=m[2],mk=document.getElementById(m[1]+'-'+i);
  if(m[1]==='r'){detail.innerHTML=card(D.records[+i]);select([i],false);}else detail.innerHTML=card(D.removed[+i],true);
  if(mk){mk.scrollIntoView({block:'center'});mk.classList.remove('flash');void mk.offsetWidth;mk.classList.add('flash');}}
window.addEventListener('hashchange',fromHash);
var ths=document.querySelectorAll('table.recs th');
ths.forEach(function(th,k){th.addEventListener('click',function(){var dir=th.classList.contains('asc')?-1:1;ths.forEach(function(o){o.classList.remove('asc','desc');});th.classList.add(dir>0?'asc':'desc');
  var c=cols[k][0],num=cols[k][1];
  order.sort(function(a,b){var x=num?a.r[c]:cell(a,k),y=num?b.r[c]:cell(b,k);
    if(num){x=x==null?-Infinity:x;y=y==null?-Infinity:y;return (x-y)*dir||(a.r.start-b.r.start);}
    return String(x==null?'':x).localeCompare(String(y==null?'':y),'zh')*dir||(a.r.start-b.r.start);});
  render();});});
var fType=document.getElementById('f-type'),fCat=document.getElementById('f-cat'),fDiff=document.getElementById('f-diff');
function ok(it){var t=fType.value,c=fCat.value,d=fDiff?fDiff.value:'';return (!t||it.r.type===t)&&(!c||(it.r.category||'')===c)&&(!d||it.d===d);}
function filter(){var pos=new Map(order.map(function(it,k){return [it,k];}));
  var rest=items.filter(function(it){return !pos.has(it);});order=order.filter(ok).concat(rest.filter(ok));
  var t=fType.value,c=fCat.value,d=fDiff?fDiff.value:'',nots=(t?':not(.t-'+CSS.escape(t)+')':'')+(c?':not([data-c="'+CSS.escape(c)+'"])':'');
  var rules=[];if(nots)rules.push('#text mark.rec'+nots.replace(/\):not\(/g,'),#text mark.rec:not('));
  if(d)rules.push(d==='same'?'#text mark.rec.added,#text mark.rec.changed':d==='removed'?'#text mark.rec':'#text mark.rec:not(.'+d+')');
  dimStyle.textContent=rules.map(function(r){return r+'{background:#eee;color:#999}';}).join('');
  box.scrollTop=0;render();}
var dimStyle=document.head.appendChild(document.createElement('style'));
fType.addEventListener('change',filter);fCat.addEventListener('change',filter);if(fDiff)fDiff.addEventListener('change',filter);
render();fromHash();
})();
"""


# --------------------------------------------------------------------------
# the document page
# --------------------------------------------------------------------------
def _record_json(rec: dict) -> dict:
    keep = ("record_id", "type", "value", "unit", "qualifier", "direction", "subject", "category",
            "text", "start", "end", "section", "rule", "extractor", "ruleset")
    out = {k: rec.get(k) for k in keep}
    out["value_s"] = fmt_value(rec.get("value"))
    return out


def render_document(doc: dict, text: str, records: list[dict], entities: list[dict],
                    diff: Optional[Diff] = None, index_href: str = "index.html") -> str:
    """The HTML page of one document."""
    records = sorted(records, key=lambda r: (r["start"], r["end"], r["type"], r.get("subject") or ""))
    removed = sorted((diff.removed.get(doc["doc_id"], []) if diff else []), key=lambda r: (r["start"], r["end"]))
    data_records = []
    spans: list[Span] = []
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
        data_entities.append({k: ent.get(k) for k in ("label", "text", "start", "end", "model")})
        tag = f'<span class="ent" data-e="{j}">'
        spans.append(Span(ent["start"], ent["end"], tag, tag, "</span>"))
    body_text = highlight(text, spans)
    shown = sum(1 for r in records if 0 <= r["start"] < r["end"] <= len(text))

    types_present = [t for t in TYPES if any(r["type"] == t for r in records)]
    types_present += sorted({r["type"] for r in records} - set(TYPES))
    cats = sorted({r.get("category") or "" for r in records})
    type_counts = Counter(r["type"] for r in records)

    legend = "".join(f'<span style="background:{TYPE_COLORS[t]}">{e(TYPE_LABELS[t])} {type_counts.get(t, 0)}</span>'
                     for t in TYPES)
    legend += '<span style="border-bottom:2px dotted #6a3d9a">entity ' + str(len(entities)) + "</span>"
    diff_line = ""
    if diff:
        c = diff.counts(doc["doc_id"])
        diff_line = (f'<div class="meta">rule change {e(diff.old_ruleset)} → {e(diff.new_ruleset)}: '
                     f'<span style="box-shadow:inset 0 -3px 0 #1a7f37">{c["added"]} added</span>, '
                     f'<span class="warn" style="text-decoration:line-through">{c["removed"]} removed</span>, '
                     f'<span style="outline:2px dashed #d97706">{c["changed"]} changed</span></div>')
    warn = ""
    if shown != len(records):
        warn = f'<div class="meta warn">{len(records) - shown} records have offsets outside the text and are not highlighted</div>'
    rulesets = sorted({r.get("ruleset") or "" for r in records}) or [doc.get("ruleset") or ""]
    title = doc.get("title") or f'{doc_label(doc)} · {doc.get("name") or doc["doc_id"]}'
    data = {"records": data_records, "removed": data_removed, "entities": data_entities, "colors": TYPE_COLORS,
            "diff": bool(diff)}
    type_opts = "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in types_present)
    cat_opts = "".join(f'<option value="{e(c)}">{e(c)}</option>' for c in cats)
    diff_filter = ""
    if diff:
        diff_filter = ('<label>change <select id="f-diff"><option value="">all</option><option>added</option>'
                       '<option>changed</option><option>removed</option><option value="same">unchanged</option></select></label>')
    head_cells = ('<th>start</th><th>type</th><th>value</th><th>unit</th><th>qualifier</th>'
                  '<th>subject</th><th>category</th><th>text</th>' + ("<th>change</th>" if diff else ""))
    widths = (46, 92, 62, 36, 64, None, 78, 84) + ((62,) if diff else ())
    colgroup = "".join(f'<col style="width:{w}px">' if w else "<col>" for w in widths)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(doc_label(doc))} · {e(title)} · fazhi review</title>
<style>{CSS}</style></head>
<body data-doc-id="{e(doc['doc_id'])}">
<header>
<h1>{e(title)}</h1>
<div class="meta"><a href="{e(index_href)}">← all documents</a> · {e(doc.get('org') or '?')} · {e(doc.get('report_year') or '?')}
 · {e(doc.get('name'))} · {len(text):,} characters · <b id="n-records">{len(records)}</b> records · ruleset {e(', '.join(rulesets))}
 <span class="legend">{legend}</span></div>
{diff_line}{warn}
</header>
<div class="layout">
<pre id="text" lang="zh-CN">{body_text}</pre>
<aside>
<div id="detail"><span class="hint">Point at a highlight to see its record; click it to keep it here.</span></div>
<div class="filters">
<label>type <select id="f-type"><option value="">all</option>{type_opts}</select></label>
<label>category <select id="f-cat"><option value="">all</option>{cat_opts}</select></label>
{diff_filter}<span><b id="shown">{len(records) + len(removed)}</b> rows</span>
</div>
<div id="tablebox"><table class="recs"><colgroup>{colgroup}</colgroup><thead><tr>{head_cells}</tr></thead>
<tbody></tbody></table></div>
<p class="meta">Source: {e(doc['source'])}<br>doc_id {e(doc['doc_id'])} · sha256 {e(doc['content_sha256'][:16])}…</p>
</aside>
</div>
<div id="tip"></div>
{_json_script(data, 'review-data')}
<script>{JS}</script>
</body></html>
"""


# --------------------------------------------------------------------------
# plots (inline SVG)
# --------------------------------------------------------------------------
def _svg_text(x, y, s, anchor="start", size=12, extra="") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {extra}>{e(s)}</text>'


def svg_categories_by_document(docs: list[dict], counts: dict[str, Counter], colors: dict[str, str],
                               hrefs: dict[str, str]) -> str:
    """Horizontal stacked bars: per document, its records by category."""
    if not docs:
        return "<p>No documents.</p>"
    cats = list(colors)
    label_w, bar_w, row_h, top = 190, 560, 24, 10
    total_max = max([sum(counts.get(d["doc_id"], Counter()).values()) for d in docs] + [1])
    legend_rows = math.ceil(len(cats) / 5)
    height = top + row_h * len(docs) + 30 + 20 * legend_rows
    width = label_w + bar_w + 60
    parts = [f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="records by category per document">']
    for k, doc in enumerate(docs):
        y = top + k * row_h
        c = counts.get(doc["doc_id"], Counter())
        label = doc_label(doc)
        link = hrefs.get(doc["doc_id"])
        lab = _svg_text(label_w - 8, y + row_h * 0.65, label, "end")
        parts.append(f'<a href="{e(link)}">{lab}</a>' if link else lab)
        x = label_w
        for cat in cats:
            n = c.get(cat, 0)
            if not n:
                continue
            w = bar_w * n / total_max
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colors[cat]}">'
                         f'<title>{e(label)} · {e(cat)}: {n}</title></rect>')
            x += w
        parts.append(_svg_text(x + 4, y + row_h * 0.65, str(sum(c.values())), size=11, extra='fill="#555"'))
    ly = top + row_h * len(docs) + 16
    for i, cat in enumerate(cats):
        lx, lyy = label_w + (i % 5) * 115, ly + (i // 5) * 20
        parts.append(f'<rect x="{lx}" y="{lyy - 10}" width="12" height="12" fill="{colors[cat]}"/>')
        parts.append(_svg_text(lx + 16, lyy, cat, size=12))
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(span: float) -> float:
    raw = span / 5 or 1.0
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def svg_subject_values(subject: str, points: list[dict]) -> str:
    """Values of one subject across towns (one colour each) and years (x axis).

    Equal values of one town and year are drawn once, labelled with how many.
    """
    if not points:
        return f"<p>No record has a subject containing “{e(subject)}”.</p>"
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
    width, height = left + plot_w + right, top + plot_h + bottom
    pad = 10  # keep points on the edge of the range inside the frame

    def px(year, jitter=0.0):
        return left + (year - y0 + jitter) / (y1 - y0) * plot_w

    def py(v):
        return top + pad + (plot_h - 2 * pad) * (1 - (v - vmin) / (vmax - vmin))

    parts = [f'<svg class="plot" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(subject)} by town and year">']
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#bbb"/>')
    k = 0
    while vmin + k * step <= vmax + step / 1000:
        v = vmin + k * step
        y = py(v)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(_svg_text(left - 6, y + 4, fmt_value(round(v, 6)) + ("%" if percent else ""), "end", 11))
        k += 1
    tick_years = range(years[0], years[-1] + 1) if years[-1] - years[0] <= 15 else years
    for yr in tick_years:
        parts.append(f'<line x1="{px(yr):.1f}" x2="{px(yr):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" stroke="#999"/>')
        parts.append(_svg_text(px(yr), top + plot_h + 18, str(yr), "middle", 12))
    unit = "" if percent else f" ({points[0]['unit']})" if len({p["unit"] for p in points}) == 1 else ""
    parts.append(_svg_text(left + plot_w / 2, height - 4, "report year", "middle", 11, 'fill="#666"'))
    parts.append(_svg_text(12, top + plot_h / 2, subject + unit, "middle", 11,
                           f'fill="#666" transform="rotate(-90 12 {top + plot_h / 2:.1f})"'))
    for n, org in enumerate(orgs):
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for p in points:
            if p["org"] == org:
                groups[(p["year"], p["value"])].append(p)
        jitter = (n - (len(orgs) - 1) / 2) * min(0.08, 0.6 / max(len(orgs), 1))
        coords = [(px(yr, jitter), py(v), grp) for (yr, v), grp in sorted(groups.items())]
        best = {}
        for x, y, grp in coords:  # the line joins each year's highest value
            yr = grp[0]["year"]
            if yr not in best or grp[0]["value"] > best[yr][2][0]["value"]:
                best[yr] = (x, y, grp)
        if len(best) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in (best[yr] for yr in sorted(best)))
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colors[org]}" stroke-width="1.5" opacity=".6"/>')
        for x, y, grp in coords:
            p = grp[0]
            texts = "; ".join(f"{q['subject']} {q['text']}" for q in grp)
            label = fmt_value(p["value"]) + ("%" if percent else "") + (f" ×{len(grp)}" if len(grp) > 1 else "")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colors[org]}" stroke="#fff">'
                         f'<title>{e(org)} {p["year"]}: {e(texts)}</title></circle>')
            parts.append(_svg_text(x + 8, y + 4, label, size=10, extra=f'fill="{colors[org]}"'))
        ly = top + 10 + n * 18
        parts.append(f'<circle cx="{left + plot_w + 76}" cy="{ly - 4}" r="5" fill="{colors[org]}"/>')
        parts.append(_svg_text(left + plot_w + 86, ly, org, size=12))
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------
# the index page
# --------------------------------------------------------------------------
def render_index(lake: Lake, docs: list[dict], records: list[dict], failures: list[dict],
                 hrefs: dict[str, str], subjects: Sequence[str], diff: Optional[Diff],
                 diff_message: Optional[str]) -> str:
    by_doc_type: dict[str, Counter] = defaultdict(Counter)
    by_doc_cat: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        by_doc_type[r["doc_id"]][r["type"]] += 1
        by_doc_cat[r["doc_id"]][r.get("category") or "其他"] += 1
    fail_by_doc: Counter = Counter()
    fail_by_source: Counter = Counter()
    for f in failures:
        if f.get("doc_id"):
            fail_by_doc[f["doc_id"]] += 1
        fail_by_source[f["source"]] += 1
    colors = category_colors(c for cc in by_doc_cat.values() for c in cc)

    rows = []
    for doc in docs:
        c = by_doc_type.get(doc["doc_id"], Counter())
        href = hrefs.get(doc["doc_id"])
        name = f'<a href="{e(href)}">{e(doc["name"])}</a>' if href else e(doc["name"])
        nfail = fail_by_doc.get(doc["doc_id"], 0) or fail_by_source.get(doc["source"], 0)
        cells = "".join(f'<td class="num">{c.get(t, 0)}</td>' for t in TYPES)
        dcell = ""
        if diff:
            dc = diff.counts(doc["doc_id"])
            dcell = f'<td class="num">+{dc["added"]} −{dc["removed"]} ~{dc["changed"]}</td>'
        rows.append(f'<tr data-doc-id="{e(doc["doc_id"])}"><td>{name}</td><td>{e(doc.get("org"))}</td>'
                    f'<td class="num">{e(doc.get("report_year"))}</td><td>{e(doc.get("title"))}</td>'
                    f'<td class="num">{doc.get("n_chars") or 0:,}</td>{cells}<td class="num"><b>{sum(c.values())}</b></td>'
                    f'<td class="num{" warn" if nfail else ""}">{nfail}</td>{dcell}</tr>')
    known_sources = {d["source"] for d in docs}
    fail_rows = "".join(
        f'<tr><td>{e(f["stage"])}</td><td>{e(f["source"])}</td><td>{e(f["error_class"])}</td>'
        f'<td>{e(f.get("message"))}</td><td>{e(f["time"])}</td></tr>'
        for f in sorted(failures, key=lambda f: (str(f["time"]), f["source"]), reverse=True))
    n_unloaded = len({f["source"] for f in failures} - known_sources)

    doc_by_id = {d["doc_id"]: d for d in docs}
    subject_plots = []
    for subject in subjects:
        pts = []
        for r in records:
            d = doc_by_id.get(r["doc_id"])
            if d and d.get("report_year") and r.get("subject") and subject in r["subject"] and r.get("value") is not None:
                pts.append({"org": d.get("org") or d["name"], "year": d["report_year"], "value": r["value"],
                            "unit": r.get("unit") or "", "subject": r["subject"], "text": r.get("text")})
        subject_plots.append(f'<h3>{e(subject)} across towns and years <small>({len(pts)} records whose subject '
                             f'contains “{e(subject)}”)</small></h3>' + svg_subject_values(subject, pts))

    diff_html = ""
    if diff:
        c = diff.counts()
        diff_html = (f'<p>Rule change {e(diff.old_ruleset)} → {e(diff.new_ruleset)}: {c["added"]} added, '
                     f'{c["removed"]} removed, {c["changed"]} changed (marked on each page).</p>')
    elif diff_message:
        diff_html = f'<p class="warn">{e(diff_message)}</p>'
    type_heads = "".join(f'<th><span class="sw" style="background:{TYPE_COLORS[t]}"></span>{t}</th>' for t in TYPES)
    rulesets = sorted({d.get("ruleset") or "" for d in docs})
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fazhi review · {len(docs)} documents</title>
<style>{CSS}
body{{padding:0 0 40px}} main{{padding:8px 16px}}
table.docs{{border-collapse:collapse;background:#fff;font-size:14px}}
table.docs th,table.docs td{{border:1px solid #ddd;padding:3px 8px;text-align:left}}
table.docs td.num{{text-align:right;font-variant-numeric:tabular-nums}}
table.docs th{{background:#e9ecef}}
h2{{font-size:17px;margin:22px 0 8px}} h3{{font-size:15px;margin:14px 0 6px}} svg.plot{{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}}
</style></head>
<body>
<header><h1>fazhi review</h1>
<div class="meta">lake {e(lake.root)} · {len(docs)} documents · {len(records)} records · {len(failures)} failures · ruleset {e(', '.join(rulesets))}</div></header>
<main>
{diff_html}
<h2>Documents</h2>
<table class="docs" id="docs"><thead><tr><th>document</th><th>org</th><th>year</th><th>title</th><th>chars</th>{type_heads}<th>records</th><th>failures</th>{'<th>rule change</th>' if diff else ''}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Records by category per document</h2>
{svg_categories_by_document(docs, by_doc_cat, colors, hrefs)}
<h2>Chosen subjects</h2>
{''.join(subject_plots)}
<h2>Failures ({len(failures)}; {n_unloaded} sources with no document)</h2>
{'<table class="docs"><thead><tr><th>stage</th><th>source</th><th>error</th><th>message</th><th>time</th></tr></thead><tbody>' + fail_rows + '</tbody></table>' if failures else '<p>None.</p>'}
</main></body></html>
"""


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------
def _write(path: Path, content: str) -> None:
    with replacing(path) as tmp:
        Path(tmp).write_text(content, encoding="utf-8")


def build(lake_root: str | Path, out: str | Path, wanted: Sequence[str] = (), diff: bool = False,
          subjects: Sequence[str] = DEFAULT_SUBJECTS) -> ReviewResult:
    """Write the index page and one page per chosen document (all when ``wanted`` is empty)."""
    lake = Lake(lake_root)
    if not lake.exists() and not lake.table_path("documents").exists():
        raise ReviewError(f"no lake at {lake.root} (run `fazhi run` first, or pass --lake)")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    docs = current_documents(lake)
    chosen = select_documents(docs, wanted)
    version = {d["doc_id"]: d["content_sha256"] for d in docs}
    records = [r for r in lake.read("records").to_pylist() if version.get(r["doc_id"]) == r["content_sha256"]]
    failures = lake.read("failures").to_pylist()
    the_diff, diff_message = (compute_diff(lake, docs) if diff else (None, None))

    chosen_ids = {d["doc_id"] for d in chosen}
    texts = {t["doc_id"]: t["clean_text"] for t in lake.read("texts").to_pylist()
             if t["doc_id"] in chosen_ids and version.get(t["doc_id"]) == t["content_sha256"]}
    recs_by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if r["doc_id"] in chosen_ids:
            recs_by_doc[r["doc_id"]].append(r)
    ents_by_doc: dict[str, list[dict]] = defaultdict(list)
    for ent in lake.read("entities").to_pylist():
        if ent["doc_id"] in chosen_ids and ent.get("content_sha256") in (None, version.get(ent["doc_id"])):
            ents_by_doc[ent["doc_id"]].append(ent)

    pages: dict[str, Path] = {}
    for doc in chosen:
        text = texts.get(doc["doc_id"])
        if text is None:
            continue  # no clean text stored for this version: nothing to show
        path = out / page_file(doc)
        _write(path, render_document(doc, text, recs_by_doc.get(doc["doc_id"], []),
                                     ents_by_doc.get(doc["doc_id"], []), the_diff))
        pages[doc["doc_id"]] = path
    # link every document whose page exists in the folder (from this run or an earlier one)
    hrefs = {d["doc_id"]: page_file(d) for d in docs if (out / page_file(d)).exists()}
    index = out / "index.html"
    _write(index, render_index(lake, docs, records, failures, hrefs, subjects, the_diff, diff_message))
    return ReviewResult(out=out, index=index, pages=pages, diff=the_diff, diff_message=diff_message)

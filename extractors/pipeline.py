"""``extract(text)``: every statistic of a report, as records.

The steps, each in its own module:

1. ``layout``      sentences, section paths, protected spans (《》, “” slogans)
2. ``scanner``     numbers with units, in one regex pass
3. ``filters``     drop what is not a statistic (spec §3)
4. ``qualifiers``  余/约/以上 and 上升/下降
5. ``subjects``    what is counted, from the clause
6. ``categories``  the taxonomy
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from . import filters, meta, qualifiers
from .categories import categorise
from .layout import Layout, SpanSet, protected_spans
from .meta import document_meta
from .record import Record
from .ruleset import RuleSet, load_rules
from .scanner import scan, scan_bare_rates, scan_people, scan_scores, without_pinyin
from .script import back_to_original, to_simplified, without_surrogates
from .subjects import finder

__all__ = ["extract", "document_meta", "RULESET", "explain", "format_explanation"]

RULESET = load_rules().version
_DIGIT = re.compile(r"[0-9０-９]")
_DIGIT_RUN = re.compile(r"[0-9０-９]+(?:[.．,，][0-9０-９]+)*")
# Longest sentence stored whole in a record (real ones stay far below it).
_MAX_SENTENCE = 1000


@lru_cache(maxsize=8)
def _phrases_rx(rules: RuleSet) -> re.Pattern | None:
    phrases = rules.exclusions["slogans"]["phrases"]
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)))


def _protected(text: str, rules: RuleSet) -> SpanSet:
    sp = rules.exclusions["spans"]
    return SpanSet(protected_spans(text, sp["names"], sp["quotes"], sp["max_quote_chars"], _phrases_rx(rules)))


def extract(text: str, rules: RuleSet | str | Path | None = None, tables=None, org=...) -> list[Record]:
    """All statistic records of ``text``, in text order.

    ``rules``: a loaded ``RuleSet`` or a folder of rule files; default the
    bundled rules. ``tables``: the text's tables (``extractors.tables.Table``,
    located in ``text``) when the document's structure gave them; by default
    the tables flattened into the text are recognised (``flattables``). Table
    cells give records of their own (``extractor = "table"``); prose
    extraction skips the tables' regions, so no figure is counted twice.
    ``org``: the reporting body, kept out of subjects (观音堂镇投资 -> 投资), as
    ``document_meta(text).org`` gives it (None: no body known); a caller that has
    that identity already passes it, otherwise it is found here from the text.
    """
    rs = _rules(rules)
    doc = _Text(text)
    found = _find_tables(doc, rs) if tables is None else list(tables)
    spans = _table_regions(found, doc.simple, rs)
    prose = [r for r, _ in _run(text, rs, skip=SpanSet(spans) if spans else None, doc=doc, org=org) if r is not None]
    return sorted(prose + _table_records(text, found, rs, doc), key=lambda r: (r.start, r.end))


_DIGIT = re.compile(r"[0-9０-９]")


def _table_regions(tables: list, simple: str, rules: RuleSet) -> list[tuple[int, int]]:
    """The spans prose extraction skips: each table's, but the data cells written as sentences
    (标准不低于3480元/年，人均救助水平不低于185元/月 under 目标): their figures are read as prose."""
    from .tables import is_figure

    out: list[tuple[int, int]] = []
    for t in tables:
        if t.start < 0:
            continue
        holes = sorted((c.start, c.end) for c in t.cells
                       if not c.header and c.row >= t.header_rows and c.col >= t.header_cols and 0 <= c.start < c.end
                       and c.end - c.start >= 6 and _DIGIT.search(c.text) and not is_figure(c.text, rules))
        at = t.start
        for s, e in holes:
            if s > at:
                out.append((at, s))
            at = max(at, e)
        if at < t.end:
            out.append((at, t.end))
    return sorted(out)


class _Text:
    """One text's working copies, made once per ``extract``: lone surrogates replaced (the
    stored surface), simplified (the rules' script, same offsets), the way back to the
    text's own script, and its layout (on first use)."""

    def __init__(self, text: str):
        self.raw = text
        self.simple = to_simplified(text)  # lone surrogates become U+FFFD there too
        # no U+FFFD in the copy: no lone surrogate in the text (one scan of the text, not two)
        self.original = without_surrogates(text) if "\ufffd" in self.simple else text
        self._layout: Layout | None = None
        self._back: dict[bool, object] = {}

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = Layout(self.simple)
        return self._layout

    def as_written(self, raw: bool):
        """``back_to_original`` from the simplified copy to the text (``raw``: as given, lone
        surrogates included) or to the stored surface."""
        if raw and self.raw is self.original:
            raw = False
        if raw not in self._back:
            self._back[raw] = back_to_original(self.raw if raw else self.original, self.simple)
        return self._back[raw]


def find_tables(text: str, rules: RuleSet | str | Path | None = None) -> list:
    """The tables flattened into ``text`` (``|``-divided rows, one cell a line, space-divided rows),
    read on a simplified copy (same offsets), cells and captions as the text writes them."""
    return _find_tables(_Text(text), _rules(rules))


def _find_tables(doc: _Text, rules: RuleSet) -> list:
    from .flattables import recognise
    from .tables import in_script

    if not _may_hold_table(doc.simple):
        return []
    found = recognise(doc.simple, rules)
    if doc.simple == doc.raw:
        return found
    return [in_script(t, doc.raw, doc.as_written(True)) for t in found]


# Every character ``str.isspace`` (so ``str.strip``) counts as white space, as a character
# class: spelled out it is searched about twice as fast as ``\s``.
WHITE_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


@lru_cache(maxsize=1)
def _cell_figure_rx() -> re.Pattern | None:
    """A figure cell anywhere in a text: what ``tables.read_cell`` reads a cell's whole
    stripped text as (``_CELL_NUMBER``), starting where a cell can start (line start, after
    a bar or white space) and ending where one can end. Every recognised table has such
    a cell (``flattables._assemble`` needs a figure), so a text without one has no table.
    None (no gate) when the cell pattern is not a whole-cell one."""
    from .tables import _CELL_NUMBER

    p = _CELL_NUMBER.pattern
    if not (p.startswith("^") and p.endswith("$") and not p.endswith("\\$")):
        return None
    edge = f"[|｜{WHITE_SPACE}]"  # a bar or what str.strip() strips
    return re.compile(edge + "(?:" + p[1:-1] + f")(?={edge}|$)", _CELL_NUMBER.flags | re.M)


def _may_hold_table(simple: str) -> bool:
    """False only when no line of ``simple`` holds a figure cell: recognising tables is skipped."""
    rx = _cell_figure_rx()
    if rx is None or not simple:
        return True
    return bool(rx.search(simple) or rx.match("\n" + simple[:64]))


def _table_records(text: str, tables: list, rules: RuleSet, doc: _Text | None = None) -> list[Record]:
    """The records of the tables, read in simplified characters; surface strings from ``text``."""
    from dataclasses import replace

    from .tables import in_script, table_records

    if not tables:
        return []
    doc = doc if doc is not None and doc.raw is text else _Text(text)
    simple = doc.simple
    layout = doc.layout
    as_written = doc.as_written(True)
    out: list[Record] = []
    for n, t in enumerate(sorted(tables, key=lambda t: t.start), start=1):
        if simple != text:
            t = in_script(t, simple, to_simplified)
        for r in table_records(t, n, simple, rules, layout=layout, categorise=categorise, original=text):
            if simple != text:
                r = replace(r, subject=without_pinyin(as_written(r.subject) or "") or None,
                            unit=as_written(r.unit) if r.type in ("case", "count") and r.unit else r.unit)
            out.append(r)
    return out


def explain(text: str, rules: RuleSet | str | Path | None = None) -> list[dict]:
    """Every quantity the scanner saw, in text order, and what became of it.

    One dict per quantity and record: ``text``, ``start``, ``end``, ``value``,
    ``unit`` (as scanned), ``scan`` (which scanner rule read it, e.g.
    ``unit:件``, and what it did: negative, half, list marker split off),
    ``outcome`` (``record`` or ``dropped``), ``why`` (the filter that dropped
    it: name, ordinal, frequency, requirement, threshold, list, word, …; empty
    for a record) and, for a record, its fields (type, value, unit,
    qualifier, direction, subject). Matches the scanner itself refused
    (``scan`` = ``scanner``: 3个月, 000元) and digits it did not read at all
    (``scan`` = ``none``, why ``no unit``: 2024年, 12345热线) are listed too.
    ``format_explanation`` renders it.
    """
    rules = _rules(rules)
    simplified = to_simplified(without_surrogates(text))
    refused: list = []
    scan(simplified, rules, refused)
    out = [{"text": text[s:e], "start": s, "end": e, "value": None, "unit": None, "scan": "scanner",
            "outcome": "dropped", "why": why} for s, e, why in refused]
    for rec, (m, why) in _run(text, rules, keep_rejected=True):
        row = {"text": text[m.start:m.end], "start": m.start, "end": m.end, "value": m.value,
               "unit": m.unit.written, "scan": f"{m.kind}:{m.unit.written}" + (f" ({m.note})" if m.note else "")}
        if rec is None:
            row.update(outcome="dropped", why=why)
        else:
            row.update(outcome="record", why="", type=rec.type, value=rec.value, unit=rec.unit,
                       qualifier=rec.qualifier, direction=rec.direction, subject=rec.subject)
        out.append(row)
    # digits the scanner did not read at all (2024年, 12345热线): no unit after them
    seen = SpanSet([(r["start"], r["end"]) for r in out])
    for d in _DIGIT_RUN.finditer(simplified):
        if not seen.covers(d.start(), d.end()):
            out.append({"text": text[d.start():d.end()], "start": d.start(), "end": d.end(), "value": None,
                        "unit": None, "scan": "none", "outcome": "dropped", "why": "no unit"})
    out.sort(key=lambda r: (r["start"], r["outcome"] != "dropped" or r["scan"] != "scanner"))
    return out


def format_explanation(rows: list[dict]) -> str:
    """``explain``'s rows as readable lines, one per quantity."""
    lines = []
    for r in rows:
        head = f"{r['start']:>6}  {r['text']!s:<14}"
        if r["outcome"] == "record":
            extra = "".join(f" {k}={r[k]}" for k in ("qualifier", "direction") if r.get(k) not in (None, "exact"))
            lines.append(f"{head} record   {r['type']} {r['value']:g} {r['unit']}{extra}"
                         f"  subject={r['subject'] or '-'}  [{r['scan']}]")
        else:
            lines.append(f"{head} dropped  {r['why']}  [{r['scan']}]")
    return "\n".join(lines) if lines else "(no numbers with a unit found)"


def _rules(rules) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return load_rules(rules)


def text_org(simplified: str, rules: RuleSet | None = None) -> str | None:
    """The reporting body ``document_meta`` finds in a text without page metadata or entities
    (``meta_of_simplified(simplified, rules=rules).org``), without the fields extraction does not use."""
    return meta.org_of_simplified(simplified, rules)


def _run(original: str, rules: RuleSet, keep_rejected: bool = False, skip: SpanSet | None = None,
         doc: _Text | None = None, org=...):
    # Work on a simplified copy with the same offsets; report surface strings
    # (text, sentence) from the original (lone surrogates made U+FFFD: they
    # cannot be stored).
    doc = doc if doc is not None and doc.raw is original else _Text(original)
    original = doc.original
    text = doc.simple
    as_written = doc.as_written(False)
    layout = doc.layout
    if org is ...:
        org = text_org(text, rules)  # with the run's meta.toml too (--rules)
    elif org:
        org = to_simplified(org)  # the identity's body is in the text's own script; subjects are read simplified
    protected = _protected(text, rules)
    sf = finder(rules)
    bare_shares = frozenset(rules.subjects["bare_shares"])
    mentions = scan(text, rules)
    taken = SpanSet([(m.start, m.end) for m in mentions])
    mentions += scan_bare_rates(text, rules, taken) + scan_people(text, rules, taken) + scan_scores(text, rules, taken)
    mentions.sort(key=lambda m: m.start)
    if skip is not None:  # table regions: their cells are the table extractor's
        mentions = [m for m in mentions if not skip.covers(m.start, m.end)]

    prev_end_in_sentence = -1
    prev_subject: str | None = None
    prev_object = False
    prev_sentence = (-1, -1)
    sentence_subjects: list[str] = []
    pending: list[str] = []  # subjects still to hand out after 分别为
    for m in mentions:
        s_start, s_end = layout.sentence_span(m.start)
        if (s_start, s_end) != prev_sentence:
            prev_sentence, prev_end_in_sentence, prev_subject = (s_start, s_end), s_start, None
            prev_object = False
            sentence_subjects = []
            pending = []
        pre_q, q_start = qualifiers.prefix_qualifier(text, m.start, rules)
        floor = max(s_start, prev_end_in_sentence)
        c_start = sf.clause_start(text, q_start, floor) if q_start > floor else floor
        why = filters.reject(text, m, rules, protected, c_start, text[q_start:m.start] if pre_q else "")
        if why:
            if keep_rejected:
                yield None, (m, why)
            continue
        suf_q, after = qualifiers.suffix_qualifier(text, m.end, rules)
        if pre_q is None and m.kind == "fraction":
            # 超过全县行政村的一半: the qualifier of a share stands before its whole
            pre_q = qualifiers.distant_prefix(text, c_start, m.start, rules)
        qual = qualifiers.qualifier(pre_q, m.inner, suf_q, rules)
        typ, unit = m.unit.type, m.unit.unit
        direction = qualifiers.direction(text, q_start, rules) if typ == "percentage" else None

        raw_prefix = text[c_start:q_start]
        wide = text[sf.clause_start(text, q_start, floor, across_lists=True):q_start] if q_start > floor else ""
        parts = sf.respectively(wide) if wide else None
        if parts:
            # 行政复议、行政诉讼案件分别为12件、5件: one subject per value, in order
            subjects, pending = parts[:1], parts[1:]
        elif pending and not text[prev_end_in_sentence:q_start].strip(sf.list_glue):
            subjects = [pending.pop(0)]
        else:
            pending = []
            subjects = sf.coordinated(wide, typ == "percentage") or [sf.trim(raw_prefix)]
        if len(subjects) == 1:
            following = sf.following(text, after, s_end) if m.kind != "bare_rate" else ""
            subj = sf.choose(sf.without_org(subjects[0], org), following, typ)
            if direction:
                subj = sf.indicator(subj)  # 较上年相比增长12% -> (the indicator before)
            if subj in bare_shares and prev_subject:
                subj = prev_subject + subj  # 成功调处229起，占比达到85% -> 成功调处占比
            if not subj and raw_prefix.strip(" \u3000") in sf.totals:
                # 合计17件: what is totalled, not the item before
                subj = _total_subject(text, s_start, c_start, sentence_subjects, following, sf)
            if not subj and prev_subject:
                # elliptical: 推送微信72期214条, 发现数1507.9宗,同比上升453.3%
                subj = prev_subject
            if not subj and c_start - 1 > s_start:
                # the indicator in the clause before: 平均消费水平，由175元提高到…
                before = text[sf.clause_start(text, c_start - 1, s_start):c_start - 1]
                if not _DIGIT.search(before):
                    subj = sf.trim(before)
            subjects = [subj]
        elif direction:
            subjects = [sf.indicator(s) or s for s in subjects]
        section = layout.section(m.start)
        if s_end - s_start <= _MAX_SENTENCE:
            sentence = original[s_start:s_end]
        else:  # a "sentence" without any stop (hostile or broken text): the window around the number
            half = _MAX_SENTENCE // 2
            sentence = original[max(s_start, m.start - half):min(s_end, m.end + half)]
        # 件 on objects or publications is a count; a clause that goes on
        # counting them (清理规范性文件23件，废止5件) stays a count
        objects = typ == "case" and unit == "件" and (
            _is_object(subjects[0], rules) or (prev_object and not _is_matter(subjects[0], rules)))
        objects = objects or typ == "case" and unit == "起" and rules.counts_events(subjects[0])
        for subj in subjects:
            t = "count" if objects else typ
            rec = Record(
                type=t, value=_round(m.value), unit=as_written(unit) if t in ("case", "count") else unit,
                qualifier=qual, direction=direction,
                subject=without_pinyin(as_written(subj) or "") or None,   # no gloss: 服務(wù)
                category=categorise(subj, sentence, section.headings, rules),
                text=original[m.start:m.end], start=m.start, end=m.end,
                sentence=sentence, section=section.path, rule=f"{m.kind}:{m.unit.written}",
                ruleset=rules.version,
            )
            yield rec, (m, "")
        prev_end_in_sentence = after
        prev_subject = subjects[-1] or prev_subject
        sentence_subjects.extend(subjects)
        prev_object = objects


def _total_subject(text: str, s_start: int, c_start: int, listed: list[str], following: str, sf) -> str:
    """The subject of a total (合计, 共计): the lead-in before a colon
    (受理行政复议案件：…，合计17件), else the head the listed items share
    (行政复议案件…行政诉讼案件… -> 案件), else the noun after the number."""
    lo = max(s_start, c_start - _MAX_SENTENCE)
    colon = max(text.rfind("：", lo, c_start), text.rfind(":", lo, c_start))
    if colon > lo:
        lead = sf.trim(text[sf.clause_start(text, colon, s_start):colon])
        if lead and not _DIGIT.search(lead):
            return lead
    return sf.common_head(listed) or following


def _is_matter(subject: str | None, rules: RuleSet) -> bool:
    return any(c in subject for c in rules.case_as_count_not) if subject else False


def _is_object(subject: str | None, rules: RuleSet) -> bool:
    if not subject or _is_matter(subject, rules):
        return False
    return any(c in subject for c in rules.case_as_count_cues)


def _round(v: float) -> float:
    """Values like 0.1 * 3 come out as 0.30000000000000004; keep 10 significant digits."""
    return float(f"{v:.10g}")

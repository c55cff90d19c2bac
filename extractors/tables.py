"""Tables: every figure in a report's tables, as records (spec §7).

A :class:`Table` is a grid of cells with its header rows and columns marked,
its caption, and where each cell's text stands in the clean text. Tables come
from the page's structure (HTML ``<table>``, Word tables; ``fazhi.ingest``
builds them) or are recognised in plain text where a page was flattened
(``flattables``: ``|``-divided rows, one cell a line, rows divided by runs of
spaces). Either way the same function turns them into records:

- ``subject``: the row header and the column header that name the cell, row
  first (公安新收案件); the column header alone when the table has a single
  row of figures or the row is only a total; a generic column header (合计,
  数量) gets its group header or the caption in front.
- ``unit``: written in the cell (42件); else from the column or row header
  (数量（件）, 合计(宗), 罚没金额(万元)); else the caption or a 单位：line;
  else the one the table's subject implies (``rules/tables.toml``), or the
  one the report's text writes the table's own figures in (投诉56387件 for a
  cell 56387 of the row 投诉); else null, as a ``count``.
- ``text``: the cell's number as written; ``0`` is a record, an empty cell or
  ``-``, ``/``, ``—`` is not; header cells, 序号 columns and years used as
  headers are not either.

Records carry ``cell`` (table number, row, column: 1-based table number,
0-based row and column of the grid) and ``extractor = "table"``.

Pure functions, no I/O.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from .numbers import parse_number
from .record import Cell, Record
from .ruleset import RuleSet, UnitInfo
from .scanner import GLOSS, without_pinyin

__all__ = ["Table", "TableCell", "infer_headers", "locate", "normalise_cell", "table_records"]


@dataclass(frozen=True)
class TableCell:
    row: int
    col: int
    text: str                 # as written (whitespace collapsed)
    start: int = -1           # span of ``text`` in the clean text; -1: not located (an empty cell)
    end: int = -1
    rowspan: int = 1
    colspan: int = 1
    header: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Table:
    cells: tuple[TableCell, ...]
    n_rows: int
    n_cols: int
    header_rows: int = 0
    header_cols: int = 0
    caption: str | None = None
    unit: str | None = None    # a 单位：line or a unit the caption gives, as written (万元)
    kind: str = "html"            # html | docx | pdf | pipe | lines | spaces
    start: int = -1               # the table's region in the clean text
    end: int = -1
    context: str = ""             # the heading or line before the table (for the subject's unit)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["cells"] = [asdict(c) for c in self.cells]
        return d

    @staticmethod
    def from_dict(d: dict) -> Table:
        cells = tuple(TableCell(**c) for c in d.get("cells") or ())
        return Table(**{**{k: v for k, v in d.items() if k != "cells"}, "cells": cells})

    def grid(self) -> list[list[TableCell | None]]:
        """Every grid position and the cell that covers it (spans expanded)."""
        g: list[list[TableCell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, min(self.n_rows, c.row + max(1, c.rowspan))):
                for k in range(c.col, min(self.n_cols, c.col + max(1, c.colspan))):
                    if g[r][k] is None:
                        g[r][k] = c
        return g


_WS = re.compile(r"\s+")


def in_script(table: Table, text: str, convert) -> Table:
    """The table with its cells' texts taken from ``text`` (the same offsets in another script) and
    its caption and context passed through ``convert``."""
    cells = tuple(replace(c, text=text[c.start:c.end]) if c.start >= 0 else c for c in table.cells)
    return replace(table, cells=cells, caption=convert(table.caption) if table.caption else table.caption,
                   context=convert(table.context) if table.context else table.context)


def normalise_cell(text: str) -> str:
    """A cell's text as the cleaner leaves it: odd spaces to one space, ends stripped."""
    return _WS.sub(" ", (text or "").replace("\u3000", " ").replace("\xa0", " ")).strip()


# -- locating a table in the clean text ----------------------------------------------------------

def locate(tables: Iterable[Table], text: str, window: int = 4000) -> list[Table]:
    """The tables with every non-empty cell's span in ``text`` (the clean text), in text order.

    Cells are looked up in reading order, each after the one before; a table
    whose cells are not all found close together is dropped (its cell texts
    are not in the clean text as a table: nothing to anchor records on).
    """
    out: list[Table] = []
    pos = 0
    for t in sorted(tables, key=lambda t: t.start):
        cursor = pos
        placed: list[TableCell] = []
        ok = True
        first = -1
        for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
            s = normalise_cell(c.text)
            if not s:
                placed.append(replace(c, text=s, start=-1, end=-1))
                continue
            hi = cursor + window + len(s) if first >= 0 else len(text)
            i, n = _find_cell(text, s, cursor, hi), len(s)
            if i < 0 and " " in s:
                # a cell wrapped over lines (商业 / 企业): its words with any white space between
                m = re.compile(r"\s+".join(map(re.escape, s.split(" ")))).search(text, cursor, hi)
                i, n = (m.start(), m.end() - m.start()) if m else (-1, 0)
            if i < 0:
                ok = False
                break
            if first < 0:
                first = i
            placed.append(replace(c, text=s, start=i, end=i + n))
            cursor = i + n
        if not ok or first < 0:
            continue
        out.append(replace(t, cells=tuple(placed), start=first, end=cursor))
        pos = cursor
    return out


_BOUND = "\n|｜ \t\u3000"


def _find_cell(text: str, s: str, lo: int, hi: int) -> int:
    """Where a cell's text stands in ``text[lo:hi]``: the first place where it stands alone (a line, or
    between bars or spaces), else the first place at all. A cell 责任单位 is not the one inside the
    heading （二）责任单位接诉情况分析 above the table."""
    first = i = text.find(s, lo, hi)
    tries = 0
    while i >= 0 and tries < 8:
        before = text[i - 1] if i > 0 else "\n"
        after = text[i + len(s)] if i + len(s) < len(text) else "\n"
        if before in _BOUND and after in _BOUND:
            return i
        if s[0].isdigit() and s[-1].isdigit() and (before in ")）" and after in _BOUND or
                                                  _HAN.match(before) and after in "(（"):
            return i    # a figure written onto its label: 实施数量(件)0, 合计0(件) (flattables._unfuse)
        tries += 1
        i = text.find(s, i + 1, hi)
    return first


# -- reading cells ---------------------------------------------------------------------------------

_NUM = r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?"
# in a cell, groups of three digits may also be set apart by a space (7 253, 1 245 600: tables of
# Hong Kong and of translated statistics); in running text two such groups are two table cells
SPACED_THOUSANDS = r"\d{1,3}(?:[ \xa0\u2009\u202f]\d{3})+(?!\d)(?:\.\d+)?"
# a change written with an arrow (↑53.6, ↓2.9%: up or down by so much, spec §5 direction) is a figure too
_ARROWS = {"↑": "increase", "↓": "decrease", "▲": "increase", "▼": "decrease"}
_CELL_NUMBER = re.compile(rf"^(?:(?P<sign>[-－−+])|(?P<arrow>[↑↓▲▼])\s*)?(?P<n>{SPACED_THOUSANDS}|{_NUM})\s*(?P<q>余|多)?\s*"
                          rf"(?P<u>[^\d\s↑↓▲▼][^↑↓▲▼]{{0,7}}?)?\s*(?P<after>(?(arrow)(?!)|(?(sign)(?!)|[↑↓▲▼])))?$")
_YEAR = re.compile(r"^(?:19|20)\d\d\s*年?(?:度)?$")
_HEADER_UNIT = re.compile(r"[（(]\s*(?:单位\s*[:：]?\s*)?(?:±|\+\s*/?\s*[-－])?\s*(?P<u>[^()（）:：\d\s]{1,6})\s*[)）]")
_UNIT_LINE = re.compile(r"(?:计量)?单位\s*[:：]\s*(?P<u>[^\s,，;；)）]{1,6})")
_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000, "萬": 10_000, "億": 100_000_000}
_LABEL_NOISE = re.compile(r"[（(]\s*(?:单位\s*[:：]?\s*)?[^()（）\d]{1,6}\s*[)）]\s*$|单位\s*[:：].*$")
_BARE_UNIT = re.compile(r"^\s*(?:(?:计量)?单位\s*[:：]?\s*)?[（(]?\s*[万亿千百]?(?:件|宗|起|例|件次|人|人次|名|次|个|项|家|户|元|%|％)\s*[)）]?\s*$")
# pinyin a conversion to traditional characters left after characters: 罰沒(méi)金額(萬(wàn)元)
_ENUM = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．](?!\d))\s*")


@dataclass(frozen=True)
class _Quantity:
    value: float
    unit: UnitInfo | None
    text: str          # the number as written in the cell, with its unit when written
    offset: int        # of ``text`` inside the cell text
    inner: str | None
    mult: float = 1.0  # the multiplier written before the unit (12.5万元: 10000)
    direction: str | None = None   # an arrow before the number (↑53.6: increase)


def unit_info(word: str, rules: RuleSet) -> tuple[UnitInfo, float] | None:
    """A unit as written (件, 万元, %, 亿元) -> its lexicon entry and the multiplier before it."""
    word = (word or "").strip()
    if not word:
        return None
    if word in rules.units:
        return rules.units[word], 1.0
    if word[0] in _MULT and word[1:] in rules.units and rules.units[word[1:]].type == "amount":
        return rules.units[word[1:]], float(_MULT[word[0]])
    # 万人次, 万件, 亿人: a count in tens of thousands (a table's header 接待群众(万人次), a cell 1.2万件)
    if word[0] in _COUNT_MULT and word[1:] in rules.units and rules.units[word[1:]].type in ("case", "count"):
        return rules.units[word[1:]], float(_MULT[word[0]])
    return None


_COUNT_MULT = ("万", "亿", "萬", "億")


# the mark an export left for a character it could not write (``? 0``, ``\ufffd12``), before a figure
_STRAY = re.compile(r"^[?？\ufffd]+\s*")
# a footnote mark after a figure (19①, 275*, 36※): the figure is the number before it
_FOOTNOTE = re.compile(r"(?<=\S)\s*(?:[\u2460-\u2473\u2776-\u277f※]|\*+)$")
# a bound written as a rule (=1, >=1, ≤3: a frequency or a limit), no figure and no row's label
_BOUND_CELL = re.compile(r"^[=<>≥≤＝＜＞]+\s*\d")
# a remark in brackets after a figure and its unit, in words (not a unit: 12(万元) keeps it)
_REMARK = re.compile(r"(?<=[^\s(（])\s*[（(](?P<r>[^()（）]*[\u4e00-\u9fff][^()（）]{2,60})[)）]$")


def read_cell(text: str, rules: RuleSet) -> _Quantity | None:
    """The figure in a data cell, or None (empty, a placeholder, words, a code)."""
    t = text.strip()
    if not t or t in rules.tables["cells"]["empty"]:
        return None
    lead = len(text) - len(text.lstrip())
    stray = _STRAY.match(t)
    if stray and stray.end() < len(t):
        lead += stray.end()
        t = t[stray.end():]
    note = _FOOTNOTE.search(t)
    if note:
        t = t[:note.start()]
    remark = _REMARK.search(t) if t.endswith((")", "）")) else None
    if remark and unit_info(remark.group("r").strip(), rules) is None and _CELL_NUMBER.match(t[:remark.start()]):
        t = t[:remark.start()]   # 1户(实际以抽查数为准。): the figure, then a remark in brackets
    m = _CELL_NUMBER.match(t)
    if not m:
        return None
    try:
        value = parse_number(m.group("n").replace("，", ","))
    except ValueError:
        return None
    if m.group("sign") and m.group("sign") != "+":
        value = -value
    unit = None
    factor = 1.0
    end = m.end("q") if m.group("q") else m.end("n")
    if m.group("u"):
        got = unit_info(m.group("u").strip(), rules)
        if got is None:
            return None  # 12A, 3楼: not a figure of this table
        unit, factor = got
        end = m.end("u")
    start = m.start("n") if not m.group("sign") else m.start("sign")
    return _Quantity(value * factor * (unit.factor if unit else 1.0), unit, t[start:end], lead + start, m.group("q"),
                     factor, _ARROWS.get(m.group("arrow") or m.group("after") or ""))


def is_figure(text: str, rules: RuleSet) -> bool:
    return read_cell(text, rules) is not None


_EMPTY_BRACKETS = re.compile(r"[（(]\s*[)）]")
_WHOLLY_BRACKETED = re.compile(r"^\s*[（(]([^()（）]{2,8})[)）]\s*$")
_UNCLOSED_SHARE = re.compile(r"[（(]\s*([%％])\s*$")


def header_unit(label: str, rules: RuleSet) -> tuple[UnitInfo, float] | None:
    """The unit a header or caption gives: 数量（件）, 合计(宗), 罚没金额(万元), 单位：万元, 本年制发件数."""
    if not label:
        return None
    label = without_pinyin(label)
    # a unit the copy lost (单位户数(), 监督覆盖率(%): the header without its empty or unclosed brackets
    label = _UNCLOSED_SHARE.sub(r"(\1)", _EMPTY_BRACKETS.sub("", label))
    whole = _WHOLLY_BRACKETED.match(label)
    if whole and not unit_info(whole.group(1).strip(), rules):
        label = whole.group(1)      # a row of units under the headers, each a measure in brackets: (人数)
    for rx in (_HEADER_UNIT, _UNIT_LINE):
        for m in rx.finditer(label):
            got = unit_info(m.group("u"), rules)
            if got:
                return got
    bare = _LABEL_NOISE.sub("", label).strip()
    if bare.endswith(("%", "％")) and len(bare) > 1:
        return unit_info("%", rules)    # 占全部举报比重%
    slash = _SLASH_UNIT.search(bare)
    if slash:
        got = unit_info(slash.group("u"), rules)
        if got:
            return got                  # 样品抽检数量/批次, 金额/万元: the measure, then its unit
    got = unit_info(re.sub(r"^(?:计量)?单位\s*[:：]?\s*", "", bare), rules)
    if got:
        return got  # a row of units under the headers: 件 | 件 | 万元
    # 办件数量 is 办件数: a classifier's 数 before 量 names the unit as well (件数量 -> 件)
    counted = bare[:-1] if bare.endswith("数量") else bare
    for suffix, unit in sorted(rules.tables["units"]["header_suffix"].items(), key=lambda kv: -len(kv[0])):
        if counted.endswith(suffix):
            return unit_info(unit, rules)
    for suffix, unit in rules.tables["units"].get("score_headers", {}).items():
        if bare.endswith(suffix):
            return UnitInfo(unit, "count", unit), 1.0   # points: a unit of the table, not of the lexicon
    return None


_SLASH_UNIT = re.compile(r"(?<=[\u4e00-\u9fff])\s*[/／]\s*(?P<u>[^/／\s\d]{1,4})$")
_NOTE = re.compile(r"[（(][^()（）]*(?:[,，:：;；]|(?:19|20)\d\d)[^()（）]*[)）]|[（(][^()（）]{8,}[)）]")


def clean_label(label: str) -> str:
    """A header as a piece of subject: units, enumerators, notes in brackets and spaces dropped
    (合计(宗) -> 合计, 部分公开（区分处理的，只计这一情形） -> 部分公开, 本年（2023）制发件数 -> 本年制发件数)."""
    label = without_pinyin(label or "")
    if _BARE_UNIT.match(label):
        return ""
    s = _NOTE.sub("", label)
    if not s.strip():
        return ""
    s = _LABEL_NOISE.sub("", s)
    slash = _SLASH_UNIT.search(s)
    if slash and (_BARE_UNIT.match(slash.group("u")) or slash.group("u") in _SLASH_ONLY_UNITS):
        s = s[:slash.start()]       # 样品抽检数量/批次 -> 样品抽检数量
    s = _ENUM.sub("", s.strip())
    s = re.sub(r"\s+", "", s).strip(":：、,，;；")
    return s


_SLASH_ONLY_UNITS = ("批次", "家次", "户次", "万元")


# -- headers ---------------------------------------------------------------------------------------

def infer_headers(table: Table, rules: RuleSet) -> Table:
    """Header rows and columns for a table whose source did not mark them: the top rows with no
    figure, and the left columns whose data cells hold no figure."""
    g = table.grid()
    hr = 0
    for r, row in enumerate(g):
        if any(c is not None and c.row == r and is_figure(c.text, rules) for c in row):
            break
        hr += 1
    if hr >= table.n_rows:
        hr = 0
    hc = 0
    for k in range(table.n_cols):
        column = [cell for r in range(hr, table.n_rows) if (cell := g[r][k]) is not None]
        if column and not any(is_figure(c.text, rules) for c in column):
            hc += 1
        else:
            break
    if hc >= table.n_cols:
        hc = 0
    hr = max(hr, table.header_rows)
    hc = max(hc, table.header_cols)
    return replace(table, header_rows=hr, header_cols=hc)


# -- records ---------------------------------------------------------------------------------------

def _dedupe(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if p and (not out or out[-1] != p):
            out.append(p)
    return out


def _serial_columns(table: Table, g, rules: RuleSet) -> set[int]:
    """Columns of row numbers: headed 序号 (or ranks: 排名), or the first column counting 1, 2, 3 … (a
    合计 row after them with none)."""
    names = list(rules.tables["cells"]["serial_headers"]) + list(rules.tables["cells"].get("rank_headers", ()))
    out = set()
    for k in range(table.n_cols):
        # (a 序号 over one column: one spread over the whole table is a header row misread)
        heads = [g[r][k].text for r in range(table.header_rows) if g[r][k] is not None and g[r][k].colspan == 1]
        if any(clean_label(h) in names or h.strip() in names for h in heads):
            out.add(k)
    # the first column, or the first after the label columns (合计 in the label column, the
    # numbers right of it): counting 1, 2, 3 … down the rows, rows of totals after them (合计) with none
    for k in dict.fromkeys((0, table.header_cols)):
        if table.n_rows - table.header_rows < 3 or table.n_cols - k < 3 or k in out:
            continue
        vals = []
        for r in range(table.header_rows, table.n_rows):
            c = g[r][k]
            vals.append(c.text.strip() if c is not None and c.row == r else "")
        m = len(vals)
        while m and not vals[m - 1]:
            m -= 1
        if m >= 3 and all(v == str(i + 1) for i, v in enumerate(vals[:m])):
            out.add(k)
    return out


def _column_number_row(table: Table, g, rules: RuleSet) -> int | None:
    """The first row under the header when it numbers the columns (1 | 2 | 3 | 4, 甲 | 乙 | 1 | 2 | 3):
    three figures at least, each one more than the one on its left, and no other words than
    ``cells.column_number_labels``; None when it does not."""
    r = table.header_rows
    if r >= table.n_rows - 1:
        return None
    words = set(rules.tables["cells"].get("column_number_labels", ()))
    nums: list[int] = []
    for k in range(table.n_cols):
        c = g[r][k]
        if c is None or c.row != r or not c.text.strip():
            continue
        t = c.text.strip()
        if re.fullmatch(r"[0-9]{1,2}", t):
            nums.append(int(t))
        elif t not in words:
            return None
    if len(nums) >= 3 and all(b == a + 1 for a, b in zip(nums, nums[1:])):
        return r
    return None


def _period_columns(table: Table, g, hc: int, rules: RuleSet) -> int:
    """The header columns with the leading columns of periods after them (月份 | 10 | 11: months as row
    labels, never figures): the number of columns that name the rows."""
    names = set(rules.tables["cells"].get("period_headers", ()))
    while hc < table.n_cols - 1 and table.header_rows:
        heads = [c for r in range(table.header_rows) if (c := g[r][hc]) is not None and c.colspan == 1]
        if not heads or clean_label(heads[-1].text) not in names:
            break
        hc += 1
    return hc


def _year_columns(table: Table, g) -> set[int]:
    out = set()
    for k in range(table.n_cols):
        heads = "".join(g[r][k].text for r in range(table.header_rows) if g[r][k] is not None)
        if re.search(r"年份|年度$|^年$", heads.strip()) and not re.search(r"\d", heads):
            out.add(k)      # (a header naming one period, 2020-21年度, heads figures of that period)
    return out


def table_records(table: Table, number: int, text: str, rules: RuleSet, *, layout=None,
                  categorise=None, original: str | None = None) -> list[Record]:
    """The records of one located table (spec §7); ``number`` is its 1-based number in the report.
    ``original``: the text as written when ``text`` is its simplified copy (``text`` and ``sentence``
    are taken from it)."""
    surface = original if original is not None else text
    cells_read: dict[str, bool] = {}

    def figure(cell_text: str) -> bool:  # is_figure, read once per distinct cell text
        if cell_text not in cells_read:
            cells_read[cell_text] = is_figure(cell_text, rules)
        return cells_read[cell_text]

    g = table.grid()
    hr, hc = table.header_rows, table.header_cols
    tconf = rules.tables
    generic = set(tconf["cells"]["generic_headers"])
    serial = _serial_columns(table, g, rules)
    years = _year_columns(table, g)
    hc = _period_columns(table, g, hc, rules)
    numbering = _column_number_row(table, g, rules)
    data_rows = [r for r in range(hr, table.n_rows)
                 if r != numbering and any((cell := g[r][k]) is not None and cell.row == r and k >= hc and k not in serial
                        and figure(cell.text) for k in range(table.n_cols))]
    single_row = len(data_rows) <= 1
    full_width = table.n_cols - hc

    has_rows = hc > 0 or any(
        (cell := g[r][k]) is not None and cell.row == r and cell.text.strip() and not figure(cell.text)
        for r in data_rows for k in range(hc, table.n_cols))

    chains: dict[int, list[str]] = {}
    named: dict[tuple[int, bool], list[str]] = {}

    def col_parts(k: int, rows_named: bool) -> list[str]:
        """The column's headers that name a cell: the leaf, with the groups above it only as far as
        needed to tell it from another column with the same leaf (结果维持 under 未经复议直接起诉 and under
        复议后起诉), or, when no row label names the cell, to give a generic leaf (合计) its group; a
        short group (行政复议) stays in front, a long one (行政处罚案件数量 over 警告) does not."""
        if (k, rows_named) in named:
            return named[(k, rows_named)]
        if not chains:
            for j in range(table.n_cols):
                chains[j] = col_chain(j)
        chain = chains[k]
        n = 1
        while n < len(chain) and any(j != k and chains[j][-n:] == chain[-n:] for j in chains):
            n += 1
        if n == 1 and len(chain) > 1 and chain[-1] in generic and not rows_named:
            n = 2
        while n < len(chain) and len(chain[-n - 1]) <= _SHORT_GROUP:
            n += 1      # a short group is a name of its own (行政复议新收), a long one a heading
        named[(k, rows_named)] = [p for p in chain[-n:] if not gloss(p)]
        return named[(k, rows_named)]

    def col_chain(k: int) -> list[str]:
        cells = []
        seen = set()
        for r in range(hr):
            c = g[r][k]
            if c is None or id(c) in seen:
                continue
            seen.add(id(c))
            cells.append(c)
        def spans_all(c: TableCell) -> bool:
            return c.colspan >= full_width and (full_width > 1 or c.col < hc)

        if cells and spans_all(cells[-1]):
            cells = cells[:-1] if has_rows or len(cells) > 1 else cells  # a title, no column header
        leaf = clean_label(cells[-1].text) if cells else ""
        # a generic leaf (合计) takes one title that is not the table's name: the nearest that reads as
        # one (行政处罚实施数量), else the first
        titles = [c for c in cells[:-1] if spans_all(c) and not _names_table(c.text) and _is_title(c.text, table.kind)]
        named_titles = [c for c in titles if clean_label(c.text).endswith(_TITLE_END)]
        keep = (named_titles[-1] if named_titles else titles[0]) if titles and leaf in generic and not has_rows else None
        parts = []
        for c in cells[:-1]:
            if spans_all(c) and _is_title(c.text, table.kind) and c is not keep:
                continue  # a title over every column (行政处罚实施数量(宗)): its unit counts, not its words
            parts.append(clean_label(_caption_subject(c.text) if spans_all(c) else c.text))
        if cells:
            parts.append(leaf)
        return _dedupe([p for p in parts if p and p not in tconf["cells"]["serial_headers"]])

    def _names_table(label: str) -> bool:
        return bool(re.match(r"^\s*表\s*[一二三四五六七八九十\d]", label)) or any(
            w in label for w in tconf["headers"]["caption_words"])

    def row_cells(r: int, k: int) -> list[TableCell]:
        out, seen = [], set()
        for j in range(hc):
            c = g[r][j]
            if c is None or j in serial or id(c) in seen:
                continue
            seen.add(id(c))
            out.append(c)
        # a label in the row's data part, nearest on the left (name | figure | name | figure)
        j = _left_label(r)[k]
        if j is not None:
            c = g[r][j]
            if c.row == r or c.rowspan > 1:
                # name | figure | name | figure: the name on the left is the row's label here
                out = [x for x in out if x.rowspan > 1] + [c]
        return out

    left_labels: dict[int, list] = {}
    spans: dict[int, tuple[int, int]] = {}

    def row_span(r: int) -> tuple[int, int]:
        """The text span of row r's located cells (the row is the sentence of its records); all rows in one pass."""
        if not spans:
            for x in table.cells:
                if x.start >= 0:
                    a, b = spans.get(x.row, (x.start, x.end))
                    spans[x.row] = (min(a, x.start), max(b, x.end))
        return spans[r]

    def _left_label(r: int) -> list:
        """For each column k of row r, the nearest column j < k (in the data part) holding a label: one
        pass per row, so a wide row costs linear time, not quadratic."""
        if r not in left_labels:
            nearest: list = [None] * (table.n_cols + 1)
            last = None
            for k in range(table.n_cols):
                nearest[k] = last
                c = g[r][k]
                if k < hc or c is None or k in serial:
                    continue
                t = c.text.strip()
                if figure(c.text) or not t or t in tconf["cells"]["empty"] or _BOUND_CELL.match(t):
                    continue
                last = k
            nearest[table.n_cols] = last
            left_labels[r] = nearest
        return left_labels[r]

    def row_parts(r: int, k: int) -> list[str]:
        return _dedupe([p for p in (clean_label(c.text) for c in row_cells(r, k)) if p and not gloss(p)])

    # a bilingual table (a yearbook's: 案件数 / Number of Cases Accepted): the English labels gloss the
    # Chinese ones and name nothing of their own in a subject
    labels = [c.text for c in table.cells if c.header or c.row < hr or c.col < hc or not figure(c.text)]
    latin = sum(1 for x in labels if _LATIN.search(x) and not _HAN.search(x))
    bilingual = latin >= _GLOSSES and sum(1 for x in labels if _HAN.search(x)) >= _GLOSSES

    def gloss(part: str) -> bool:
        return bilingual and bool(_LATIN.search(part)) and not _HAN.search(part)

    def column_unit(k: int, several: bool = True) -> tuple[UnitInfo, float] | None:
        """The unit the headers over column k give (数量（件）, 承办件数), nearest the cells first;
        ``several``: a title row 单位：件、万元 over every column counts too."""
        for rr in range(hr - 1, -1, -1):
            c = g[rr][k]
            if c is not None:
                got = header_unit(c.text, rules)
                if got:
                    return got
                units = _several_units(c.text, rules) if several and "单位" in c.text else []
                if units:      # a title row 单位：件、万元 over every column
                    return _unit_of_column(units, column_text(k), rules)
        return None

    def unit_for(k: int, r: int) -> tuple[UnitInfo, float] | None:
        got = column_unit(k)
        if got:
            return got
        for c in row_cells(r, k):
            got = header_unit(c.text, rules)
            if got:
                return got
        got = sibling_unit(r, k)
        if got:
            return got
        # a column (or row) of shares or rates whose cells dropped the % (占比 | 29.0)
        ratio = tuple(tconf["units"].get("ratio_headers", ()))
        leaf = next((g[rr][k] for rr in range(hr - 1, -1, -1) if g[rr][k] is not None), None)
        if ratio and (leaf is not None and clean_label(leaf.text).endswith(ratio)
                      or any(clean_label(c.text).endswith(ratio) for c in row_cells(r, k))):
            return unit_info("%", rules)
        for src in (table.unit, table.caption):
            if src:
                several = _several_units(src, rules)
                if several:
                    return _unit_of_column(several, column_text(k), rules)
                got = header_unit(src if src != table.unit else f"单位：{src}", rules) or unit_info(src, rules)
                if got:
                    return got
        heads = clean_label(column_text(k))
        for word, unit in tconf["units"].get("money_headers", {}).items():
            if heads.endswith(word):
                return unit_info(unit, rules)   # 采购总金额 | 0: money, in 元 when nothing names another unit
        if names_money(heads + "".join(c.text for c in row_cells(r, k)), rules):
            return echo_unit(k)   # 罚没款 beside 案件数: money, never in the 件 the table's matters are counted in
        for cue, unit in tconf["units"]["by_subject"].items():
            if cue in about:
                return unit_info(unit, rules)
        if sum(1 for w in tconf["units"].get("case_outcomes", ()) if w in header_text) >= 2:
            return unit_info("件", rules)   # 维持 | 撤销 | 撤诉: the outcomes of cases
        got = sibling_header_unit(k) or sibling_row_unit(r)
        if got:
            return got
        if "prose" not in prose_unit:
            prose_unit["prose"] = _prose_unit(table, text, about, rules)
        return echo_unit(k) or header_in_prose(k) or prose_unit["prose"]

    named_in_prose: dict[int, tuple[UnitInfo, float] | None] = {}

    def header_in_prose(k: int) -> tuple[UnitInfo, float] | None:
        """The unit the report's text counts what column k's headers name in (卫生监督机构 over the
        column, 全区共报告卫生监督机构116家 in the text: 家): the header, its figure right after it
        outside the table, and a unit of matters or things; one unit over every such mention."""
        if k not in named_in_prose:
            named_in_prose[k] = _header_unit_in_prose(
                [clean_label(c.text) for rr in range(hr) if (c := g[rr][k]) is not None and c.colspan < table.n_cols],
                table, text, generic, rules)
        return named_in_prose[k]

    echoes: dict[int, dict[tuple[int, int], tuple[float, str, bool]]] = {}

    def echo_unit(k: int) -> tuple[UnitInfo, float] | None:
        """The unit the report's own text writes the table's figures in (投诉56387件 for a cell 56387):
        column k's when its echoed figures agree on one, else the table's when all of them do. Two
        figures of the table echoed, or one written after its row's or column's label (行政处罚36项
        for the cell of 行政处罚): a lone figure elsewhere in the text may be a coincidence."""
        if not echoes:
            echoes[0] = _echoed_cells(table, g, hr, hc, text, rules)
        got = echoes[0]
        if len({v for v, _, _ in got.values()}) < 2 and not any(named for *_, named in got.values()):
            return None
        own = {u for (r, kk), (_, u, _) in got.items() if kk == k}
        if len(own) == 1:
            return unit_info(next(iter(own)), rules)
        if own or money_or_share(column_text(k)):
            return None    # a column of money or of shares takes no other column's unit
        # a share is its own column's (同比 53.6% echoed): never the table's unit for its counts
        units = {u for _, u, _ in got.values() if (info := unit_info(u, rules)) and info[0].type != "percentage"}
        return unit_info(next(iter(units)), rules) if len(units) == 1 else None

    prose_unit: dict[str, tuple[UnitInfo, float] | None] = {}
    header_units: list = []

    def money_or_share(label: str) -> bool:
        """A header or row label of money (罚没款) or of shares (占比): no unit of matters for its cells."""
        return (names_money(label, rules)
                or clean_label(label).endswith(tuple(tconf["units"].get("ratio_headers", ()))))

    def sibling_header_unit(k: int) -> tuple[UnitInfo, float] | None:
        """The unit of matters one column's header names (承办件数, 总件数: 件) for the columns of counts
        beside it that name none (办结数, 在办数, 处理中): the table counts its matters in one unit. Not
        for a column of money or of shares, nor when the headers name several such units."""
        if not header_units:
            header_units.append(_one_case_unit(column_unit(j, several=False) for j in range(hc, table.n_cols)))
        got = header_units[0]
        return None if got is None or money_or_share(column_text(k)) else got

    row_units: list = []

    def sibling_row_unit(r: int) -> tuple[UnitInfo, float] | None:
        """The same for a table whose figures stand in one column, a row a matter (行政处罚实施数量(件) | 0,
        罚款 | 0, 合计 | 0): the unit of matters one row's label names, for the rows that name none."""
        if not row_units:
            fig_cols = {c.col for c in table.cells if c.row >= hr and c.col >= hc and figure(c.text)}
            row_units.append(_one_case_unit(header_unit(c.text, rules) for rr in data_rows
                                            for c in row_cells(rr, next(iter(fig_cols))))
                             if len(fig_cols) == 1 else None)
        got = row_units[0]
        return None if got is None or money_or_share("".join(c.text for c in row_cells(r, hc))) else got

    def column_text(k: int) -> str:
        """The headers over column k but a 单位 line's."""
        return "".join(c.text for rr in range(hr) if (c := g[rr][k]) is not None and "单位" not in c.text)

    # the units the data cells write: a cell that writes none takes its row's (or column's) when
    # the others agree (数量 | 75件 | 16件 | 0 ; 比例 | 49.66% | 0)
    own: dict[tuple[int, int], tuple[str, float, UnitInfo]] = {}
    for c in table.cells:
        if c.row >= hr and c.col >= hc and not c.header and c.start >= 0:
            q = read_cell(c.text, rules)
            if q is not None and q.unit is not None:
                own[(c.row, c.col)] = (q.unit.written, q.mult, q.unit)

    # columns whose cells write one unit down the column (占比 | 35.6% | 22.0%): their unit is the
    # column's, and says nothing of the other columns of the row (2019受理量 | 30 | 35.6% | -30.0%)
    by_col: dict[int, set] = {}
    n_col: dict[int, int] = {}
    for (rr, kk), u in own.items():
        by_col.setdefault(kk, set()).add(u[:2])
        n_col[kk] = n_col.get(kk, 0) + 1
    striped = {kk for kk, kinds in by_col.items() if len(kinds) == 1 and n_col[kk] >= 2}

    def sibling_unit(r: int, k: int) -> tuple[UnitInfo, float] | None:
        in_row = [own[p] for p in own if p[0] == r and p[1] != k]
        if in_row and k not in by_col and all(p[1] in striped for p in own if p[0] == r and p[1] != k):
            in_row = []
        in_col = [own[p] for p in own if p[1] == k and p[0] != r]
        for one, other in ((in_row, in_col), (in_col, in_row)):
            kinds = {u[:2] for u in one}
            if len(one) >= 2 and len(kinds) == 1 and (
                    not other or {u[:2] for u in other} == kinds or len(one) > len(other)):
                return one[0][2], one[0][1]
        return None

    caption_subject = clean_label(_caption_subject(table.caption or ""))
    # what the table is about, for the unit its subject implies: the caption, the short lines before it
    # (not a paragraph: one listing the report's parts names every subject) and its headers
    headings = " ".join(p for p in (table.context or "").split() if len(p) <= 60)
    # a header spaced out to the cell's width (投  诉) names its subject as written together
    header_text = " ".join(re.sub(r"\s+", "", c.text) for c in table.cells if c.header or c.row < hr or c.col < hc)
    about = " ".join(filter(None, (table.caption, headings, header_text)))
    # a table of matters (投诉, 举报, 申请 in its caption or column headers): its 件 are cases whatever
    # the row names (家居用品 among the goods complained about)
    col_heads = " ".join(filter(None, [table.caption] + [c.text for c in table.cells if c.row < hr and c.col >= hc]))
    matters = any(w in col_heads for w in rules.case_as_count_not)
    year_cols: dict[int, bool] = {}

    def years_down(k: int) -> bool:
        """Every figure of column k reads as a year."""
        if k not in year_cols:
            year_cols[k] = all(bool(_YEAR.match(x.text.strip())) for x in table.cells
                               if x.col == k and x.row >= hr and x.start >= 0 and figure(x.text))
        return year_cols[k]

    out: list[Record] = []
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if c.header or c.row < hr or c.row == numbering or c.col < hc or c.col in serial or c.col in years \
                or c.start < 0:
            continue
        q = read_cell(c.text, rules)
        if q is None:
            continue
        if q.unit is None and _YEAR.match(c.text.strip()) and c.col == hc and years_down(hc):
            continue  # a year used as a row header (not 1906 among 2479, 2913 of a column of counts)
        rows = row_parts(c.row, c.col)
        cols = col_parts(c.col, bool(rows))
        row_s = "".join(rows)
        col_s = "".join(cols)
        if cols and cols[-1] in generic and len(cols) == 1:
            col_s = (caption_subject + col_s) if caption_subject and not rows else col_s
        if rows and not cols:
            subject: str | None = row_s
        elif cols and (not rows or single_row and row_s in _TOTALS):
            subject = col_s   # a single row that is only a total: the column says what is counted
        elif rows and cols:
            subject = row_s + col_s if not col_s.startswith(row_s) else col_s
        else:
            subject = caption_subject or None
        if q.unit is not None:
            info, factor = q.unit, 1.0
            value = q.value
        else:
            got = unit_for(c.col, c.row)
            if got is None:
                info, factor = None, 1.0
            else:
                info, factor = got
            value = q.value * factor * (info.factor if info else 1.0)
        typ = info.type if info else "count"
        unit = info.unit if info else None
        if typ == "case" and unit == "件" and _is_object(subject, rules) and not matters \
                and not any(cue in (subject or "") + about for cue in tconf["units"]["by_subject"] if cue != "案件"):
            typ = "count"   # 规章本年制发件数; not 家居用品 in a table of 投诉 received
        if typ == "case" and unit == "起" and not matters and rules.counts_events(subject):
            typ = "count"   # 采矿事故起数: accidents are events, no matters handled
        start = c.start + q.offset
        end = start + len(q.text)
        qual = "exact"
        if q.inner:
            qual = rules.inner_quals.get(q.inner, "over")
        s0, s1 = row_span(c.row)
        sentence = surface[s0:s1]
        section = layout.section(start) if layout is not None else None
        out.append(Record(
            type=typ, value=float(f"{value:.10g}"), unit=unit, qualifier=qual, direction=q.direction,
            subject=subject or None,
            category=categorise(subject, sentence, section.headings if section else "", rules) if categorise else "其他",
            text=surface[start:end], start=start, end=end, sentence=sentence,
            section=section.path if section else "", rule=f"table:{table.kind}", extractor="table",
            ruleset=rules.version, cell=Cell(table=number, row=c.row, col=c.col),
        ))
    return out


_TOTALS = ("合计", "总计", "小计", "共计", "总数", "合计数")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_GLOSSES = 3     # labels in English and in Chinese, at least, that make a table bilingual
_SHORT_GROUP = 4   # characters
_TITLE_END = ("数量", "情况", "统计", "统计表", "表", "数据", "汇总")


_NAMES_TABLE = re.compile(r"^\s*(?:表\s*[一二三四五六七八九十\d]+|第[一二三四五六七八九十百零\d]+条)")


def _is_title(label: str, kind: str) -> bool:
    """A header over every column that names the table (行政处罚实施数量(宗), 第二十条第（一）项), not a
    group of columns (行政复议 over 新收 and 纠错). Lines above the leaf headers of a one-cell-a-line table
    are titles."""
    s = clean_label(label)
    return kind == "lines" or len(s) > 12 or s.endswith(_TITLE_END) or bool(_NAMES_TABLE.match(label))


def _caption_subject(caption: str) -> str:
    """What a caption counts: 2014年复议案件审结情况(件) -> 复议案件审结."""
    caption = without_pinyin(caption)
    s = re.sub(r"^\s*(?:表\s*[一二三四五六七八九十\d]+[:：.、\s]*)", "", caption)
    s = re.sub(r"[（(][^()（）]*[)）]", "", s)
    s = re.sub(r"^.*?(?:19|20)\d\d\s*年度?", "", s)
    s = re.sub(r"(?:实施)?(?:情况)?(?:统计表|情况表|一览表|汇总表|统计|表)$", "", s.strip())
    s = re.sub(r"情况$", "", s)
    return s.strip()


_SEVERAL = re.compile(r"^\s*[（(]?\s*(?:计量)?(?:单位\s*[:：]\s*)?(?P<u>[^\s:：()（）]{1,6}(?:\s*[、,，/／和及]\s*[^\s:：()（）、,，/／]{1,6})+)\s*[)）]?\s*$")


def _several_units(src: str, rules: RuleSet) -> list[tuple[UnitInfo, float]]:
    """The units a 单位：line names one per kind of column (单位：件、万元), or [] when it names one."""
    m = _SEVERAL.match(re.sub(r"^.*?单位\s*[:：]", "单位：", src)) if "、" in src or "," in src or "，" in src \
        or "/" in src or "／" in src or "和" in src or "及" in src else None
    if not m:
        return []
    got = [unit_info(w.strip(), rules) for w in re.split(r"[、,，/／和及]", m.group("u"))]
    return [u for u in got if u] if all(got) and len(got) >= 2 else []


def names_money(label: str, rules: RuleSet) -> bool:
    """A header or label of money (金额, 罚没款, 经费): one of ``units.money_words`` in it."""
    return any(w in label for w in rules.tables["units"].get("money_words", ()))


def _unit_of_column(units: list[tuple[UnitInfo, float]], header: str, rules: RuleSet) -> tuple[UnitInfo, float]:
    """Of the units a 单位：line names, the one of a column: an amount for a column of money (金额, 挽回经济损失),
    else the first that is not one."""
    money = names_money(header, rules)
    for u in units:
        if (u[0].type == "amount") == money:
            return u
    return units[0]


def _prose_unit(table: Table, text: str, about: str, rules: RuleSet) -> tuple[UnitInfo, float] | None:
    """The unit the report's own text counts the table's subject in (诉求 … 件, 申请 … 条): for a cue of
    ``units.from_prose`` in the table's caption or headers, the unit of the figures the text outside the
    table writes next to the same cue (受理各类诉求38447件, 共收到8份政府信息公开申请); the most used."""
    cues = [c for c in rules.tables["units"].get("from_prose", ()) if c in about]
    if not cues or not text:
        return None
    units = "|".join(sorted((re.escape(u) for u in rules.tables["units"].get("prose_units", ())), key=len, reverse=True))
    if not units:
        return None
    cue = "|".join(re.escape(c) for c in cues)
    # the number may carry a multiplier, and a pinyin gloss after it (1.56万件, 9.67萬(wàn)件)
    num = rf"\d+(?:\.\d+)?\s*(?:[万萬亿億]{GLOSS}?)?"
    rx = re.compile(rf"(?:{cue})[^。；;，,\n|]{{0,12}}?{num}\s*(?P<a>{units})|"
                    rf"{num}\s*(?P<b>{units})[^。；;，,\n|\d]{{0,12}}?(?:{cue})")
    seen: dict[str, int] = {}
    for m in rx.finditer(text):
        if table.start <= m.start() < table.end:
            continue
        u = m.group("a") or m.group("b")
        seen[u] = seen.get(u, 0) + 1
    if not seen:
        return None
    return unit_info(max(seen, key=lambda u: seen[u]), rules)


def _header_unit_in_prose(heads: list[str], table: Table, text: str, generic: set[str],
                          rules: RuleSet) -> tuple[UnitInfo, float] | None:
    """See ``header_in_prose`` in :func:`table_records`: the headers nearest the cells first."""
    for h in reversed(heads):
        if len(h) < 2 or h in generic or h in _TOTALS or not _HAN.search(h):
            continue
        found: set[str] = set()
        for m in re.finditer(rf"{re.escape(h)}[^\d。；;，,、\n|]{{0,4}}?\d+(?:\.\d+)?\s*(?P<u>[\u4e00-\u9fff]{{1,2}})", text):
            if table.start <= m.start() < table.end:
                continue
            w = m.group("u")
            for u in (w, w[:1]):
                got = unit_info(u, rules)
                if got and got[0].type in ("count", "case"):
                    found.add(got[0].written)
                    break
        if len(found) == 1:
            return unit_info(found.pop(), rules)
        if found:
            return None
    return None


def _one_case_unit(units: Iterable[tuple[UnitInfo, float] | None]) -> tuple[UnitInfo, float] | None:
    """The one unit of matters (件, 宗: type case) among ``units``, or None when there are none or several."""
    kinds = {(u[0].written, u[1]): u for u in units if u and u[0].type == "case"}
    return next(iter(kinds.values())) if len(kinds) == 1 else None


_ECHO_MIN = 10      # a smaller figure of a table is too common to be recognised in the text


@lru_cache(maxsize=8)
def _prose_figures_rx(rules: RuleSet) -> re.Pattern:
    """A figure with a unit of the lexicon after it (56387件, 9385.89万元), in running text."""
    units = "|".join(sorted(map(re.escape, rules.units), key=len, reverse=True))
    return re.compile(rf"(?<![\d.,，])(?P<n>{_NUM})\s*(?:余|多)?(?P<u>[十百千万亿]?(?:{units}))")


@lru_cache(maxsize=2)
def _prose_figures(text: str, rules: RuleSet) -> tuple[tuple[int, int, float, str], ...]:
    """Every figure with a unit in ``text``: start, end, the number, the unit as written (once per text,
    for all its tables)."""
    out = []
    for m in _prose_figures_rx(rules).finditer(text):
        try:
            out.append((m.start(), m.end(), parse_number(m.group("n").replace("，", ",")), m.group("u")))
        except ValueError:
            continue
    return tuple(out)


def _echoed_cells(table: Table, g, hr: int, hc: int, text: str, rules: RuleSet) -> dict:
    """The data cells without a unit whose figure the text outside the table writes with one
    (受理投诉举报咨询149503件 for a cell 149503): (row, col) -> (value, the unit as written, whether the
    text writes the cell's row or column label just before it). Figures under ``_ECHO_MIN`` count only
    after such a label (行政处罚0项); a figure the text writes in several units names none."""
    wanted: dict[float, list[tuple[int, int]]] = {}
    for c in table.cells:
        if c.header or c.row < hr or c.col < hc or c.start < 0:
            continue
        q = read_cell(c.text, rules)
        if q is not None and q.unit is None and not _YEAR.match(c.text.strip()):
            wanted.setdefault(abs(q.value), []).append((c.row, c.col))
    whole = {v for v in wanted if v == int(v)}
    if not wanted or not text:
        return {}
    labels: dict[tuple[int, int], list[str]] = {}

    def labels_of(pos: tuple[int, int]) -> list[str]:
        if pos not in labels:
            r, k = pos
            cs = [g[r][j] for j in range(hc)] + ([g[hr - 1][k]] if hr else [])
            labels[pos] = [x for c in cs if c is not None and len(x := clean_label(c.text)) >= 2]
        return labels[pos]

    seen: dict[tuple[float, tuple[int, int]], dict[bool, set[str]]] = {}
    for start, end, v, u in _prose_figures(text, rules):
        if table.start <= start < table.end:
            continue
        info = unit_info(u, rules)
        if info is None:
            continue
        if v not in wanted and info[1] > 1 and round(v * info[1], 6) in wanted:
            v, u = round(v * info[1], 6), u[1:]   # 1.52万件 in the text for a cell 15200: in 件
        if v not in wanted:
            continue
        nxt = text[end:end + 1]
        if nxt and nxt in info[0].stop_after or info[0].type == "percentage" and v in whole:
            continue    # 100% in the text says nothing of a cell 100
        for pos in wanted[v]:
            named = any(lab in text[max(0, start - len(lab) - _ECHO_GAP):start] for lab in labels_of(pos))
            if named or v >= _ECHO_MIN:
                seen.setdefault((v, pos), {}).setdefault(named, set()).add(u)
    out = {}
    for (v, pos), by in seen.items():
        named = True in by
        if len(by[named]) == 1:    # after the cell's label if the text writes it so, else anywhere
            out[pos] = (v, next(iter(by[named])), named)
    return out


_ECHO_GAP = 1       # characters between a label and its figure in the text (投诉为56387件; not 行政许可事项3条)


def _is_object(subject: str | None, rules: RuleSet) -> bool:
    if not subject or any(c in subject for c in rules.case_as_count_not):
        return False
    return any(c in subject for c in rules.case_as_count_cues) or any(
        c in subject for c in rules.tables["units"].get("count_objects", ()))

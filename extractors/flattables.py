"""Tables that a page flattened into plain text, recognised again (spec §7).

Three forms come off government pages:

- ``pipe``: a row a line, cells divided by ``|`` (an HTML table exported as
  text): ``警告 | 罚款 | 合计(宗) |`` then ``12175 | 94929 | 108156 |``;
- ``lines``: one cell a line, often with a blank line between cells: a
  header block of short lines, then the rows (``序号`` ``处理方式`` ``数量``
  then ``1`` ``作出维持决定`` ``3509`` …);
- ``spaces``: a row a line, cells divided by spaces or tabs, as a PDF's text
  layer gives a table (``行政许可 12 0 3``), the header often split over
  several lines.

Exports differ in what they keep of a table's spans. Some write every row as
wide as the table, the cells a span covered added as empty cells at the end
(``第二十条第（五）项 | |||``), or the same one cell a line with a line of bars
where a row ends (``|||``) and a lone bar for an empty cell; others write only
the cells with text. Header rows that lost their spans are rebuilt as a tree
(each cell a leaf or the parent of a run of the row below, the leaves as many
as the figures). Several tables stacked in one block (the disclosure report's
第二十条 tables) are cut where the header changes. Header lines written down
one character a line (a PDF's narrow columns) name no column and are skipped;
the group headers above them are spread over the figures.

Yearbooks and gazetteers add their own: rows led by a year or a span of years
at a fixed period one cell a line (the years are the rows' labels, not
figures); a year run into the first figure when the copy lost the space
(``199059137 339396 17.4`` under 年份); headers wrapped over lines, each
closed by its unit (财政收入 / (万元)); and fixed-width text whose empty cells
are only spaces, where each cell is placed in the column its position puts it
in and the group headers over the columns between them. Some exports lead
each cell but a row's first with a bar and put a lone bar between rows
(``内蒙古`` ``| 1`` ``| 0`` … ``|``), or close each row with a doubled bar.

Each becomes a :class:`extractors.tables.Table` with cell spans in the text it
was found in. Rows are split into row labels (the leading cells without a
figure) and the figure part; figure parts are aligned on the right (a row
whose first labels span several rows in the original table has fewer cells),
except a last row cut off by the end of the text. Header lines are aligned
the same way.

Only runs of cell-like lines are read: a sentence (。, or a long line) is never
part of a table, so prose keeps its records.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from .ruleset import RuleSet
from .tables import (
    _BARE_UNIT,
    _STRAY,
    _TOTALS,
    SPACED_THOUSANDS,
    Table,
    TableCell,
    clean_label,
    header_unit,
    is_figure,
    names_money,
    read_cell,
)

MAX_CELL_CHARS = 48            # a line longer than this is not one cell
MAX_HEADER_LINES = 6           # header lines of a spaces table looked at above its first row
MAX_VERTICAL_LINES = 12        # and lines of headers written down one character a line
_PIPE = re.compile(r"[|｜]")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+[章节部分])")
_SENTENCE = re.compile(r"[。！？!?]")
_SPACE_RUN = re.compile(r"[ \t\u3000\xa0]{2,}|\t")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
# a line that is one figure written with its thousands set apart by spaces (a cell a line: 1 245 600)
_SPACED_FIGURE = re.compile(rf"^\s*[-－−]?{SPACED_THOUSANDS}\s*(?:%|％)?\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a note in brackets, which a label may carry at any length (规范性文件(行政机关制定发布的…))
_BRACKETED = re.compile(r"[（(][^()（）]*[)）]")
_UNIT_LINE = re.compile(r"^\s*[（(]?\s*(?:计量)?单位\s*[:：]\s*(\S{1,6}?)\s*[)）]?\s*$")


@dataclass
class _Line:
    start: int
    end: int
    text: str            # without the line break
    kind: str = ""       # blank | rowbreak | pipe | srow | cell | prose
    cell: tuple[int, int] | None = None   # a cell line's cell span when a bar ends it (``警告 |``)


@dataclass
class _C:
    text: str
    start: int
    end: int
    label: bool = False   # a row label though it reads as a figure (a year heading its row: 1990)


# a period a header starts with (2025年预算数, 上年同期数): headers alike but for it are one measure for two periods
_PERIOD = re.compile(r"^(?:(?:19|20)\d\d\s*年度?|上年同期|本年度?|上年度?|去年|今年|同期)")


@dataclass(frozen=True)
class HeaderWords:
    """The words a tree of headers is weighed with. ``leaves``: headers that head the row numbers or
    the row labels (序号, 单位名称), never over a group of columns; ``measures``: headers that say only
    what a column measures (金额, 件数, 比例), the leaves a group header (比上年增减) stands over, and
    so are headers ending in one of ``measure_ends`` (占调整预算%, 结案率)."""
    leaves: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    measure_ends: tuple[str, ...] = ()


NO_WORDS = HeaderWords()


def _period_apart(t: str, lower: set[str]) -> bool:
    """``t`` and a header below it the same measure for another period (2025年预算数 over 2024年预算数)."""
    m = _PERIOD.match(t)
    if not m or len(t) - m.end() < 2:
        return False
    rest = t[m.end():]
    return any((n := _PERIOD.match(x)) is not None and x[n.end():] == rest for x in lower if x != t)


def _strip_span(text: str, s: int, e: int) -> _C:
    seg = text[s:e]
    lead = len(seg) - len(seg.lstrip())
    body = seg.strip()
    return _C(body, s + lead, s + lead + len(body))


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        t = raw[:-1] if raw.endswith("\r") else raw
        out.append(_Line(pos, pos + len(t), t))
        pos = end + 1
    return out


def _pipe_cells(line: _Line, text: str) -> list[_C]:
    cuts = [m.start() for m in _PIPE.finditer(line.text)]
    bounds = [-1] + cuts + [len(line.text)]
    cells = [_strip_span(text, line.start + a + 1, line.start + b) for a, b in zip(bounds, bounds[1:])]
    # a cell of nothing but the marks of characters an export could not write (? | 单位:万元 |) is empty
    cells = [_C("", c.start, c.start) if c.text and _STRAY.fullmatch(c.text) else c for c in cells]
    if cells and not cells[-1].text and line.text.rstrip().endswith(("|", "｜")):
        cells.pop()
    if cells and not cells[0].text and line.text.lstrip().startswith(("|", "｜")):
        cells.pop(0)
    return cells


def _space_cells(line: _Line, text: str) -> list[_C]:
    if _SPACED_FIGURE.match(line.text):
        return [_strip_span(text, line.start, line.end)]   # 7 253: one figure, its thousands set apart
    rx = _SPACE_RUN if _SPACE_RUN.search(line.text.strip()) else _SPACE
    cells, pos = [], 0
    body = line.text
    for m in rx.finditer(body):
        if m.start() > pos:
            cells.append(_strip_span(text, line.start + pos, line.start + m.start()))
        pos = m.end()
    if pos < len(body):
        cells.append(_strip_span(text, line.start + pos, line.start + len(body)))
    return [piece for c in cells if c.text for piece in _unfuse(c)]


# a label and its figure written together, no space between (a table flattened header cell by
# header cell, each followed by its figure): 行政处罚实施数量(件)0, 罚没金额(万元)0, 合计0(件)
_FUSED = (re.compile(r"^(?P<label>.*[\u4e00-\u9fff].*(?P<u>[（(][^()（）\d]{1,6}[)）]))(?P<n>\d+(?:\.\d+)?)$"),
          re.compile(r"^(?P<label>[^\d()（）]*[\u4e00-\u9fff])(?P<n>\d+(?:\.\d+)?)(?P<u>[（(][^()（）\d]{1,6}[)）])$"))


def _unfuse(c: _C) -> list[_C]:
    """A cell that writes a label and a figure together, as two cells (the label's unit in brackets
    stays with the label). Only where the brackets hold a unit (附件1(略) is no such cell)."""
    for rx in _FUSED:
        m = rx.match(c.text)
        if m and len(m.group("label")) <= MAX_CELL_CHARS and _BARE_UNIT.match(m.group("u")):
            a = c.start + m.start("n")
            return [_C(m.group("label"), c.start, c.start + m.end("label")), _C(m.group("n"), a, c.start + m.end("n"))]
    return [c]


def _is_empty_mark(s: str, rules: RuleSet) -> bool:
    return s.strip() in rules.tables["cells"]["empty"]


def _split_row(cells: list[_C], rules: RuleSet) -> tuple[list[_C], list[_C]]:
    """Row labels (leading cells without a figure) and the rest."""
    k = 0
    while k < len(cells) and (cells[k].label or not is_figure(cells[k].text, rules)
                              and not _is_empty_mark(cells[k].text, rules)):
        if k and not cells[k].text and any(is_figure(c.text, rules) for c in cells[k:]):
            break   # an empty cell after the row's label: the first of its figures, left empty
        k += 1
    return cells[:k], cells[k:]


def _n_figures(cells: list[_C], rules: RuleSet) -> int:
    return sum(1 for c in cells if not c.label and is_figure(c.text, rules))


def _classify(ln: _Line, text: str, rules: RuleSet) -> None:
    s = ln.text.strip()
    if not s:
        ln.kind = "blank"
        return
    # a ? that stands for a character an export could not write (``? 0 |``) ends no sentence
    sentence = bool(_SENTENCE.search(s)) and not is_figure(_PIPE.sub("", s), rules)
    if _PIPE.search(s):
        if not _PIPE.sub("", s).strip():
            ln.kind = "rowbreak"      # a line of bars only: the end of a row written one cell a line
            return
        cells = _pipe_cells(ln, text)
        if len(cells) >= 2:
            ln.kind = "pipe"
            return
        if len(cells) == 1 and len(_BRACKETED.sub("", cells[0].text)) <= MAX_CELL_CHARS and not sentence:
            ln.kind, ln.cell = "cell", (cells[0].start, cells[0].end)   # one cell a line, a bar after each
            return
    if not sentence:
        cells = _space_cells(ln, text)
        if len(cells) >= 2:
            labels, rest = _split_row(cells, rules)
            # figures after at most three labels; one figure needs a label in words (行政许可 1472)
            need = 1 if labels and _CJK.search(labels[-1].text) and len(s) <= MAX_CELL_CHARS else 2
            if (_n_figures(rest, rules) >= need and len(labels) <= 3 and all(len(c.text) <= 24 for c in labels)
                    and all(is_figure(c.text, rules) or _is_empty_mark(c.text, rules) for c in rest)
                    and not any(_ends_in_figure(c.text, rules) for c in labels[:-1])):
                ln.kind = "srow"
                return
    if (len(s) <= MAX_CELL_CHARS and not sentence and not s.endswith((":", "：", "；", ";"))
            and s.count("，") + s.count(",") <= 2):
        ln.kind = "cell"
        return
    ln.kind = "prose"


_TAIL_FIGURE = re.compile(r"(?<=[\u4e00-\u9fff])\d[\d.,，]*\s*[^\d\s]{1,3}$")


def _ends_in_figure(label: str, rules: RuleSet) -> bool:
    """A label that ends in a figure with its unit: before another label (投诉3751件 | 占比 | 82.13%)
    a line of prose set out with spaces, its figures read in the text, not a table's row (客车7座 |
    120 | 3, the label last, is one)."""
    m = _TAIL_FIGURE.search(label)
    if m is None:
        return False
    q = read_cell(m.group(0), rules)
    return q is not None and q.unit is not None


def _is_vertical(s: str) -> bool:
    """A line of single characters side by side (结 结 其 尚): column headers written downwards (when
    the line next to it is one too)."""
    toks = _SPACE.split(s.strip())
    ones = [t for t in toks if len(t) == 1 and _CJK.match(t)]
    return len(toks) >= 3 and len(ones) >= 0.75 * len(toks)


_NUMBERED_CAPTION = re.compile(r"^\s*(?:表\s*[一二三四五六七八九十\d]+|[Tt]able\s*\d+\b)")
_YEAR_CELL = re.compile(r"^\s*((?:19|20)\d\d)\s*年?(?:度)?\s*$")


_KIND_CORNERS = ("类别", "类型", "种类", "项目", "名称")   # 罪行类别, 案件类型: a corner naming the rows' kind


def _years_header(row: list[_C], below: list[_C], rules: RuleSet) -> bool:
    """``row`` heads its columns with years (项目 | 2021 | 2022 | 2023, item 2000 2003 2004): two years at
    least, each later than the one before, after the words of the corner, over a row of as many figures
    that are no years (spec §7: years used as headers are no records)."""
    cells = [c for c in row if c.text.strip()]
    years = [int(m.group(1)) for c in cells if (m := _YEAR_CELL.match(c.text))]
    words = [c for c in cells if not _YEAR_CELL.match(c.text)]
    if len(years) < 2 or any(not 0 < b - a <= 20 for a, b in zip(years, years[1:])) or years[-1] > 2035 \
            or len(words) > 2:
        return False
    corners = set(rules.tables["headers"].get("corner_words", ())) | set(rules.tables["cells"].get("period_headers", ()))
    if cells[:len(words)] != words or not all(clean_label(c.text) in corners or re.fullmatch(r"[A-Za-z ]+", c.text.strip())
                                              or clean_label(c.text).endswith(_KIND_CORNERS) for c in words):
        return False   # the corner's words first (项目, item), then only years: a row of counts has its label
    figures = [c for c in below if c.text.strip() and is_figure(c.text, rules)]
    return len(figures) >= len(years) and not all(_YEAR_CELL.match(c.text) for c in figures)


def _is_caption(s: str, rules: RuleSet) -> bool:
    s = s.strip()
    if re.match(r"^(?:表\s*[一二三四五六七八九十\d]+|第[一二三四五六七八九十百零\d]+条|[Tt]able\s*\d+\b)", s):
        return True  # 表二; 第二十条第（五）项 (the disclosure report's tables); a paper's Table 1. over 表1.
    if any(w in s for w in rules.tables["headers"]["caption_words"]):
        return True
    return len(s) >= 6 and s.endswith(tuple(rules.tables["headers"]["caption_suffixes"]))


# -- assembling a grid from rows ----------------------------------------------------------------

def _assemble(header_rows: list[list[_C]], data_rows: list[list[_C]], kind: str, rules: RuleSet,
              cut_last: bool = False, rows_given: bool = False, align_left: bool = False,
              spread: bool = False, min_cols: int = 0) -> Optional[Table]:
    if len(data_rows) > 1 and _years_header(data_rows[0], data_rows[1], rules):
        # 项目 | 2021 | 2022 | 2023 over the rows: the years head the columns (spec §7)
        header_rows, data_rows = [*header_rows, data_rows[0]], data_rows[1:]
    data_rows = _under_group_labels(data_rows, rules)
    split = [_split_row(r, rules) for r in data_rows]
    n_vals = max((len(v) for _, v in split), default=0)
    # rows of words only (a header repeated inside the table) do not widen the label columns
    hc = max((len(lab) for lab, v in split if v), default=0)
    if n_vals == 0 or sum(_n_figures(v, rules) for _, v in split) == 0:
        return None
    n_vals = max(n_vals, min_cols - hc)   # rows written to the grid's width: a last empty column
    n_cols = hc + n_vals
    cells: list[TableCell] = []
    hr = len(header_rows)

    cells += _place_headers(header_rows, hc, n_vals, multi=kind == "pipe" or rows_given, spread=spread,
                            words=_header_words(rules))

    # data rows: labels right-aligned in the label columns, figures right-aligned (a cut last row: left)
    label_cells: dict[tuple[int, int], TableCell] = {}
    word_rows: set[tuple[int, int]] = set()
    tc: Optional[TableCell]
    for i, (labels, vals) in enumerate(split):
        r = hr + i
        if not vals:
            words = labels[-n_cols:]
            for j, c in enumerate(words):
                word_rows.add((r, n_cols - len(words) + j))
                if c.text:
                    cells.append(TableCell(r, n_cols - len(words) + j, c.text, c.start, c.end, header=True))
            continue
        for j, c in enumerate(labels):
            col = hc - len(labels) + j
            tc = TableCell(r, col, c.text, c.start, c.end)
            label_cells[(r, col)] = tc
        # (a last row of totals is whole: its figures stand right, under those of the rows above)
        left = (align_left or cut_last and i == len(split) - 1 and not _is_total_row(labels)) and len(vals) < n_vals
        base = hc if left else n_cols - len(vals)
        for j, c in enumerate(vals):
            cells.append(TableCell(r, base + j, c.text, c.start if c.text else -1, c.end if c.text else -1))
    # a row label missing from a row was spanning it from above (a rowspan the text lost)
    # unless the labels' numbering says the row is not inside it: （七）总计 is not under （四）无法提供
    n_rows = hr + len(split)
    first_level: dict[int, Optional[int]] = {}
    for (r, _), tc in sorted(label_cells.items()):
        first_level.setdefault(r, _level(tc.text))
    for col in range(hc):
        above: Optional[TableCell] = None
        span_of: dict[int, int] = {}
        for r in range(hr, n_rows):
            tc = label_cells.get((r, col))
            if tc is not None:
                above = tc
                span_of[id(tc)] = 1
                continue
            if (r, col) in word_rows:
                above = None           # a row of words only (a repeated header) ends the span
            elif above is not None:
                outer, inner = _level(above.text), first_level.get(r)
                if outer is not None and inner is not None and outer >= inner:
                    above = None
                else:
                    span_of[id(above)] += 1
        for (_, label_col), tc in label_cells.items():
            if label_col == col:
                cells.append(TableCell(tc.row, tc.col, tc.text, tc.start, tc.end,
                                       rowspan=span_of.get(id(tc), 1), header=True))
    starts = [c.start for c in cells if c.start >= 0]
    ends = [c.end for c in cells if c.end >= 0]
    return Table(cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))), n_rows=n_rows, n_cols=n_cols,
                 header_rows=hr, header_cols=hc, kind=kind, start=min(starts), end=max(ends))


MIN_GROUP_ROWS = 2   # rows of a lone label, each over labelled rows of figures, that make groups of rows


def _under_group_labels(rows: list[list[_C]], rules: RuleSet) -> list[list[_C]]:
    """Rows grouped under rows of a lone label (服刑人士 | | | over 男性 | 7 253 | …, 女性 | …, 小计 | …,
    then 还押人士 | | | …): the group's label becomes a label of each row under it, spanning them, in a
    column of its own; the rows as they are with fewer than two such groups."""
    def lone(r: list[_C]) -> bool:
        cs = [c for c in r if c.text]
        return len(cs) == 1 and bool(r[0].text) and not is_figure(r[0].text, rules) \
            and not _is_empty_mark(r[0].text, rules)

    def labelled_figures(r: list[_C]) -> bool:
        labels, _ = _split_row(r, rules)
        return bool(_n_figures(r, rules)) and any(c.text for c in labels)

    groups = [i for i, r in enumerate(rows) if lone(r) and i + 1 < len(rows) and labelled_figures(rows[i + 1])]
    if len(groups) < MIN_GROUP_ROWS:
        return rows
    # groups alike: the rows under two of them at least share a label (男性, 女性 under each); rows of a
    # label whose figure is missing (查封场所 over 扣押财物, 冻结存款) are no groups
    children: list[set[str]] = []
    for a, b in zip(groups, groups[1:] + [len(rows)]):
        children.append({clean_label(c.text) for r in rows[a + 1:b] for c in _split_row(r, rules)[0][:1] if c.text})
    if not any(x & y for n, x in enumerate(children) for y in children[n + 1:]):
        return rows
    out: list[list[_C]] = []
    group: Optional[_C] = None
    for i, r in enumerate(rows):
        if i in groups:
            group = r[0]
            continue
        if group is not None and labelled_figures(r):
            out.append([group, *r])
            group = None        # the rows after the first: the label spans them
            continue
        out.append(r)
    return out


def _is_total_row(labels: list[_C]) -> bool:
    return bool(labels) and re.sub(r"\s+", "", labels[0].text) in _TOTALS


_LEVELS = (re.compile(r"^\s*[一二三四五六七八九十]+[、.．]"), re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]"),
           re.compile(r"^\s*\d{1,2}[.、．](?!\d)"), re.compile(r"^\s*[（(]\d{1,2}[)）]"))


def _level(label: str) -> Optional[int]:
    """How deep a row label's numbering puts it: 一、 1, （一） 2, 1. 3, （1） 4; None without numbering."""
    for n, rx in enumerate(_LEVELS, 1):
        if rx.match(label):
            return n
    return None


def _place_headers(header_rows: list[list[_C]], hc: int, n_vals: int, multi: bool,
                   spread: bool = False, words: HeaderWords = NO_WORDS) -> list[TableCell]:
    """The header rows on the grid.

    A lone title spans the table; a row as wide as the table maps one to one;
    a row with a long first cell (or one cell more than the figures) starts
    with the corner over the row labels. A header cell stretches over the
    empty cells after it while they share its parent above; an empty cell
    under a header continues that header down (rowspans and colspans the text
    lost). Rows narrower than the figures (``multi``: stacked group headers
    written cell by cell) are placed from the bottom row up: the bottom row
    holds the right-most columns, each row above first the columns still
    without a header, then the parents of the groups below.
    """
    n_cols = hc + n_vals
    if spread:
        tree = _spread_groups(header_rows, hc, n_vals)
    else:
        tree = _tree_headers(header_rows, hc, n_vals, strict=not multi, words=words)
    if tree is not None:
        return tree
    slots: dict[tuple[int, int], list] = {}    # (row, col) -> [row, col, rowspan, colspan, _C]
    placed: list[list] = []

    def put(r: int, col: int, c: _C, rowspan: int = 1, colspan: int = 1) -> None:
        cell = [r, col, rowspan, colspan, c]
        placed.append(cell)
        for rr in range(r, r + rowspan):
            for k in range(col, col + colspan):
                slots[(rr, k)] = cell

    short: list[tuple[int, list[_C]]] = []
    last = [c for c in header_rows[-1] if c.text] if header_rows else []
    exact_bottom = len(header_rows) > 1 and len(last) == n_vals
    for r, row in enumerate(header_rows):
        filled = [c for c in row if c.text]
        if len(filled) == 1 and (len(row) < n_cols or (len(header_rows) > 1 and r == 0)):
            put(r, 0, filled[0], colspan=n_cols)
            continue
        q = _parallel_width(row, header_rows[r + 1] if r + 1 < len(header_rows) else [], n_vals)
        if q:
            for j, c in enumerate(filled):
                put(r, hc + j * q, c, colspan=q)
            continue
        if len(row) > n_cols:
            row = row[len(row) - n_cols:]
        first = 0
        if hc and len(row) < n_cols and (len(row) == n_vals + 1 or len(row[0].text) > 16):
            put(r, 0, row[0], colspan=hc)  # the corner over the row labels
            row = row[1:]
            first = hc
            rest = [c for c in row if c.text]
            if len(rest) == 1 and len(rest) < n_vals:
                put(r, hc, rest[0], colspan=n_vals)
                continue
        if multi and len(row) < n_vals and len(header_rows) > 1 and r < len(header_rows) - 1 + (not exact_bottom):
            short.append((r, [c for c in row if c.text]))
            continue
        offset = n_cols - len(row) if len(row) != n_cols else 0
        offset = max(offset, first)
        left = None
        for i, c in enumerate(row):
            col = offset + i
            if col >= n_cols:
                break
            if c.text:
                put(r, col, c)
                left = placed[-1]
                continue
            above = slots.get((r - 1, col))
            if left is not None and not _BARE_UNIT.match(left[4].text) and (
                    above is None or above is slots.get((r - 1, left[1]))):
                left[3] += 1                       # the colspan the text lost
                slots[(r, col)] = left
            elif above is not None and above[0] + above[2] == r and above[3] < n_cols:
                above[2] += 1                      # the rowspan the text lost (a title over all: none)
                slots[(r, col)] = above
    if short:
        _stack(short, hc, n_vals, put, bottom_row=len(header_rows) - 1 if exact_bottom else None)
    return [TableCell(r, col, c.text, c.start, c.end, rowspan=rs, colspan=cs, header=True)
            for r, col, rs, cs, c in placed]


def _parallel_width(row: list[_C], below: list[_C], n_vals: int) -> int:
    """Group headers over parallel groups whose spans the text lost (事故起数 | 死亡人数 then the empty
    cells, over 采矿 | 同比增长 | 建筑 | 同比增长 written once for each): the row's words, all before its
    empty cells, number the copies of one run of headers in the row below that together cover the
    figures; the width of a group, else 0."""
    filled = [c for c in row if c.text]
    k = len(filled)
    lower = [re.sub(r"\s+", "", c.text) for c in below if c.text]
    if k < 2 or len(lower) != n_vals or n_vals % k or n_vals // k < 2:
        return 0
    last = max(i for i, c in enumerate(row) if c.text)
    first = min(i for i, c in enumerate(row) if c.text)
    if last - first + 1 != k or last == len(row) - 1:
        return 0          # words apart, or no empty cells after them: their positions say where they stand
    q = n_vals // k
    copies = [lower[s:s + q] for s in range(0, n_vals, q)]
    return q if all(c == copies[0] for c in copies[1:]) else 0


def _stack(rows: list[tuple[int, list[_C]]], hc: int, n_vals: int, put, bottom_row: int | None = None) -> None:
    """Stacked header rows narrower than the figures, from the bottom up (see ``_place_headers``).
    ``bottom_row``: the bottom header row when it was as wide as the figures (placed already)."""
    if bottom_row is not None:
        units, covered_from, below_r = [(hc + i, 1) for i in range(n_vals)], 0, bottom_row
        above = rows
    else:
        bottom_r, bottom = rows[-1]
        covered_from = n_vals - len(bottom)
        units = [(hc + covered_from + i, 1) for i in range(len(bottom))]   # (first col, width)
        for i, c in enumerate(bottom):
            put(bottom_r, units[i][0], c)
        below_r = bottom_r
        above = rows[:-1]
    for r, cells in reversed(above):
        free = covered_from                       # columns on the left with no header yet
        if len(cells) < free:
            for i, c in enumerate(cells):         # not a stack after all: align right over the free columns
                put(r, hc + free - len(cells) + i, c)
            covered_from = free - len(cells)
            continue
        for i in range(free):
            put(r, hc + i, cells[i], rowspan=below_r - r + 1)
        parents = cells[free:]
        groups = _group(units, len(parents))
        new_units = [(hc + i, 1) for i in range(free)]
        for c, (col, width) in zip(parents, groups):
            put(r, col, c, colspan=width)
            new_units.append((col, width))
        units, covered_from, below_r = new_units, 0, r


def _group(units: list[tuple[int, int]], m: int) -> list[tuple[int, int]]:
    """``units`` (first col, width) cut into ``m`` runs of equal width, else runs of equal-width units,
    else one unit each from the right."""
    if m <= 0:
        return []
    total = sum(w for _, w in units)
    if m <= len(units) and total % m == 0:
        size, out, acc, first = total // m, [], 0, None
        for col, w in units:
            first = col if first is None else first
            acc += w
            if acc == size:
                out.append((first, size))
                acc, first = 0, None
            elif acc > size:
                break
        if len(out) == m:
            return out
    runs: list[list[tuple[int, int]]] = []
    for u in units:
        if runs and runs[-1][-1][1] == u[1]:
            runs[-1].append(u)
        else:
            runs.append([u])
    if len(runs) == m:
        return [(run[0][0], sum(w for _, w in run)) for run in runs]
    return units[-m:] if m <= len(units) else units


# -- header rows that lost their spans: a tree rebuilt ------------------------------------------

_STOP_CHARS = set("数量情况的和与及或其他计总合等类件个次元万年本度（）()、，,：: ")
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
_GRAND_TOTALS = ("总计",)
_UNIT_IN_LABEL = re.compile(r"[（(]\s*(?:单位\s*[:：]?\s*)?[^()（）\d]{1,6}\s*[)）]")
_MAX_CHOICES = 20000


def _chars(s: str) -> set[str]:
    return {ch for ch in s if _CJK.match(ch) and ch not in _STOP_CHARS}


def _tree_headers(header_rows: list[list[_C]], hc: int, n_vals: int, strict: bool = False,
                  words: HeaderWords = NO_WORDS) -> Optional[list[TableCell]]:
    """Header rows written cell by cell with no blanks where spans were (``单位名称 | 行政处罚实施情况 |
    被复议应诉数量 | 移送司法机关数量``, then the 12 cells under them, then 14 under one of those): each
    cell is a leaf (one column, down to the last header row) or the parent of a run of cells in the row
    below. The leaves must number the figures; among the trees that fit, the one whose parents share
    most words with their children (行政处罚案件数量 over 其他行政处罚, 法人或其他组织 over 社会公益组织),
    with no parent a total (合计) or a header with a unit or one written again in the row below.
    None when no tree fits (or the rows hold blanks: they kept their positions). ``strict`` (header
    lines of a table divided by spaces, where a line may hold pieces of headers wrapped over several
    lines): at most three lines of whole words, and only a tree with no parent over a single cell and
    a score of at least 0."""
    rows = [list(r) for r in header_rows]
    if len(rows) < 2 or any(not c.text for r in rows for c in r):
        return None
    if strict and (len(rows) > 3 or any(len(c.text) < 2 for r in rows for c in r)):
        return None
    n_cols = hc + n_vals
    out: list[TableCell] = []
    top = 0
    while top < len(rows) - 1 and len(rows[top]) == 1:
        c = rows[top][0]
        out.append(TableCell(top, 0, c.text, c.start, c.end, colspan=n_cols, header=True))  # a title
        top += 1
    body = rows[top:]
    if len(body) < 2:
        return None
    best = None     # with the first cell over the row labels (the corner), or without: the tree that fits best
    for corner in ((True, False) if hc else (False,)):
        rs = [list(r) for r in body]
        if corner:
            rs[0] = rs[0][1:]
        if any(not r for r in rs):
            continue
        got = _best_tree(rs, n_vals, words)
        if got is not None and strict and (got[0] < 0 or any(hi - lo == 1 for choice in got[1] for _, lo, hi in choice)):
            got = None
        if got is not None and (best is None or got[0] > best[0]):
            best = (got[0], corner, rs, got[1])
    if best is None:
        return None
    _, corner, rs, picks = best
    if corner:
        c = body[0][0]
        out.append(TableCell(top, 0, c.text, c.start, c.end, rowspan=len(body), colspan=hc, header=True))
    return out + _lay_tree(rs, picks, top, hc)


def _best_tree(rs: list[list[_C]], n_vals: int, words: HeaderWords = NO_WORDS):
    """For each upper row, the parents and the runs of the row below under each: the best-scoring
    choice whose leaves number ``n_vals``, as (score, choices); None if there is none."""
    m = len(rs)
    k_total = sum(len(r) for r in rs) - n_vals
    if k_total < m - 1:
        return None
    if sum(len(rs[i]) * len(rs[i + 1]) ** 2 * min(len(rs[i]), len(rs[i + 1])) for i in range(m - 1)) > _MAX_CHOICES * 10:
        return None   # too wide to weigh every choice: the placement by position decides
    per_row = []
    for i in range(m - 1):
        options = {}
        for p in range(1, min(len(rs[i]), len(rs[i + 1])) + 1):
            got = _best_parents(rs[i], rs[i + 1], p, rs[i + 2] if i + 2 < m else [], words)
            if got is not None:
                options[p] = got
        if not options:
            return None
        per_row.append(options)
    # the parents' numbers per row, summing to k_total, best in total
    best: dict[int, tuple[float, list]] = {0: (0.0, [])}
    for options in per_row:
        nxt: dict[int, tuple[float, list]] = {}
        for used, (sc, picks) in best.items():
            for p, (psc, choice) in options.items():
                k = used + p
                if k > k_total:
                    continue
                cand = (sc + psc, picks + [choice])
                if k not in nxt or cand[0] > nxt[k][0]:
                    nxt[k] = cand
        best = nxt
    return best.get(k_total)


def _best_parents(upper: list[_C], lower: list[_C], p: int, below: list[_C], words: HeaderWords = NO_WORDS):
    """The ``p`` cells of ``upper`` that head runs of ``lower``, and the runs: (score, (parents, cuts)).
    ``below``: the row under ``lower`` (its texts tell the leaves of parallel groups)."""
    a, b = len(upper), len(lower)
    up = [_chars(c.text) for c in upper]
    low = [_chars(c.text) for c in lower]
    low_texts = {re.sub(r"\s+", "", c.text) for c in lower}
    below_texts = {re.sub(r"\s+", "", c.text) for c in below}
    again = [re.sub(r"\s+", "", c.text) in below_texts for c in lower]

    def prior(i: int) -> float:
        t = re.sub(r"\s+", "", upper[i].text)
        s = -0.01 * i
        if t in low_texts:
            s -= 100.0      # written again below: a leaf of parallel groups, never their parent
        elif any(len(x) >= 2 and len(t) > len(x) and t.endswith(x) and _CJK.search(x) for x in low_texts):
            s -= 1.0        # a measure named below, for another period (2024年6月完成数 by 完成数): a leaf
        if t in words.leaves or "/" in t and any(x in words.leaves for x in t.split("/")):
            s -= 100.0      # 序号, 单位 (行政区划/机构/部门): the header of the row numbers or labels, never a group's
        if _period_apart(t, low_texts):
            s -= 100.0      # 2025年预算数 over 2024年预算数: one measure for two periods, side by side
        if t.startswith(_TOTAL_WORDS) or t in _TOTAL_WORDS:
            s -= 2.0
        if _UNIT_IN_LABEL.search(t):
            s -= 1.5
        return s

    share = [[len(up[i] & low[j]) for j in range(b)] for i in range(a)]
    seq = [re.sub(r"\s+", "", c.text) for c in lower]
    measure = [x in words.measures or bool(_BARE_UNIT.match(x)) or x.endswith(words.measure_ends) for x in seq]

    def run(i: int, lo: int, hi: int) -> float:
        n = hi - lo
        mixed = len(set(again[lo:hi])) > 1     # leaves of parallel groups with cells that are not
        parallel = lo > 0 and n > 1 and seq[lo:hi] == seq[:n]    # the first group's headers again
        # a lone grand total (总计) totals the whole row above, not one of several groups in it (each of
        # parallel groups may end in one of its own)
        grand = a > 1 and any(t in _GRAND_TOTALS and seq.count(t) == 1 for t in seq[lo:hi])
        # measures only (金额 | % , 金额 | 占调整预算% | 比上年增长%): the columns of the last header they
        # can stand under (比上年增减, 2020年执行数); the words they share name the column they are
        # measured against (调整预算), not their parent
        if n > 1 and all(measure[lo:hi]):
            return 1.0 + 0.02 * i - (1.0 if mixed else 0.0)
        return (sum(share[i][lo:hi]) - (1.5 if n == 1 and b > p else 0.0) - (1.0 if mixed else 0.0)
                + (2.0 if parallel else 0.0) - (1.0 if grand else 0.0))

    # dp over (cells of upper seen, cells of lower covered, parents chosen)
    NEG = float("-inf")
    dp = {(0, 0): (0.0, ())}
    for i in range(a):
        nxt: dict = {}
        for (lo, k), (sc, path) in dp.items():
            # a leaf
            key = (lo, k)
            if key not in nxt or sc > nxt[key][0]:
                nxt[key] = (sc, path)
            if k == p:
                continue
            hi_max = b - (p - k - 1)
            for hi in range(lo + 1, hi_max + 1):
                if k + 1 == p and hi != b:
                    continue
                cand = sc + prior(i) + run(i, lo, hi)
                key = (hi, k + 1)
                if key not in nxt or cand > nxt[key][0]:
                    nxt[key] = (cand, path + ((i, lo, hi),))
        dp = nxt
    got = dp.get((b, p))
    if got is None or got[0] == NEG:
        return None
    return got[0], got[1]


def _spread_groups(header_rows: list[list[_C]], hc: int, n_vals: int) -> Optional[list[TableCell]]:
    """Group headers whose leaves were lost (written down a character a line): each row of groups under
    the last cell of the row above (行政复议 行政诉讼 / 未经复议直接起诉 复议后起诉), the groups with no
    group under them as wide as each other; None when the figures do not divide so."""
    rs = [[c for c in r if c.text] for r in header_rows]
    if not rs or any(not r for r in rs):
        return None
    picks = [[(len(rs[i]) - 1, 0, len(rs[i + 1]))] for i in range(len(rs) - 1)]
    lowest = sum(len(r) for r in rs) - (len(rs) - 1)
    if n_vals % lowest:
        return None
    return _lay_tree(rs, picks, 0, hc, leaf_width=n_vals // lowest)


@lru_cache(maxsize=8)
def _header_words(rules: RuleSet) -> HeaderWords:
    """The header words of ``rules`` (tables.toml: serial and corner headers, measure headers)."""
    h = rules.tables
    return HeaderWords(frozenset(re.sub(r"\s+", "", w) for w in (*h["cells"]["serial_headers"], *h["headers"].get("corner_words", ()))),
                       frozenset(re.sub(r"\s+", "", w) for w in h["headers"].get("measure_words", ())),
                       tuple(h["headers"].get("measure_ends", ())))


def _lay_tree(rs: list[list[_C]], picks: list, top: int, hc: int, leaf_width: int = 1) -> list[TableCell]:
    """The cells of the chosen tree on the grid (rows from ``top``, columns from ``hc``)."""
    m = len(rs)
    children: dict[tuple[int, int], list[int]] = {}
    for i, choice in enumerate(picks):
        for parent, lo, hi in choice:
            children[(i, parent)] = list(range(lo, hi))
    width: dict[tuple[int, int], int] = {}
    for i in range(m - 1, -1, -1):
        for j in range(len(rs[i])):
            kids = children.get((i, j))
            width[(i, j)] = sum(width[(i + 1, k)] for k in kids) if kids else leaf_width
    pos: dict[tuple[int, int], int] = {}
    x = hc
    for j in range(len(rs[0])):
        pos[(0, j)] = x
        x += width[(0, j)]
    for i in range(m - 1):
        for j in range(len(rs[i])):
            kids = children.get((i, j))
            if kids:
                x = pos[(i, j)]
                for k in kids:
                    pos[(i + 1, k)] = x
                    x += width[(i + 1, k)]
    out = []
    for i in range(m):
        for j, c in enumerate(rs[i]):
            leaf = (i, j) not in children
            out.append(TableCell(top + i, pos[(i, j)], c.text, c.start, c.end,
                                 rowspan=m - i if leaf else 1, colspan=width[(i, j)], header=True))
    return out


# -- the three forms ------------------------------------------------------------------------------

_MD_RULE = re.compile(r"^:?-{3,}:?$")


def _markdown_rules(rows: list[list[_C]], block: list[int]) -> tuple[list[list[_C]], list[int]]:
    """A Markdown table's rule (``|---|---|``) is no row: the row above it is the header, whatever it
    holds (接受监管个案宗数 | 2020-21年度: a period, not a figure)."""
    rule = [bool(r) and any(c.text for c in r) and all(_MD_RULE.match(c.text) for c in r if c.text) for r in rows]
    if not any(rule):
        return rows, block
    out_rows, out_block = [], []
    for n, (r, k) in enumerate(zip(rows, block)):
        if rule[n]:
            continue
        if n + 1 < len(rows) and rule[n + 1]:
            r = [replace(c, label=True) if c.text else c for c in r]
        out_rows.append(r)
        out_block.append(k)
    return out_rows, out_block


def _pipe_tables(lines: list[_Line], text: str, rules: RuleSet, used: set[int]) -> list[Table]:
    out = []
    i = 0
    while i < len(lines):
        if lines[i].kind != "pipe":
            i += 1
            continue
        j = i
        block = []
        wrapped = False        # header lines of one barred cell each inside the block (see below)
        while j < len(lines) and lines[j].kind in ("pipe", "blank", "rowbreak", "cell"):
            if lines[j].kind == "pipe":
                block.append(j)
            elif lines[j].kind == "cell":
                # a header row wrapped over lines, its last cells one a line (合格样品数量/批次 |):
                # kept when a row divided by bars follows and no row of figures came before
                e = j
                while e < len(lines) and lines[e].kind == "cell" and lines[e].cell is not None:
                    e += 1
                if e == j or e >= len(lines) or lines[e].kind != "pipe" or any(
                        _n_figures(_pipe_cells(lines[k], text), rules) for k in block):
                    break
                block.extend(range(j, e))
                wrapped = True
                j = e
                continue
            else:
                # blank lines, or lines of bars only (an empty row an export wrote, ``|``), inside the
                # block: the rows go on after them when a row divided by bars follows
                e = j
                while e < len(lines) and lines[e].kind in ("blank", "rowbreak"):
                    e += 1
                if e >= len(lines) or lines[e].kind != "pipe":
                    break
                j = e
                continue
            j += 1
        rows = [_pipe_cells(lines[k], text) if (cell := lines[k].cell) is None else [_strip_span(text, *cell)]
                for k in block]
        rows, block = _markdown_rules(rows, block)
        if wrapped:
            joined = _join_wrapped_header(rows, block, rules)
            if len(joined[0]) == len(rows):   # not one header row: the block ends at its first such line
                first = next(n for n, k in enumerate(block) if lines[k].kind == "cell")
                joined = rows[:first], block[:first]
                j = block[first]
            rows, block = joined
        last_line = lines[block[-1]]
        cut = not last_line.text.rstrip().endswith(("|", "｜")) and not text[last_line.end:].strip()
        for t, first in _row_tables(rows, block, "pipe", rules, cut):
            out.append(_with_caption(t, lines, first, rules, inner=first != block[0]))
            used.update(range(i, block[-1] + 1))
        i = max(j, i + 1)
    return out


def _join_wrapped_header(rows: list[list[_C]], block: list[int], rules: RuleSet) -> tuple[list[list[_C]], list[int]]:
    """A header row the export wrapped over several lines (序号 | 食品种类 | 样品抽检数量/批次 | then
    合格样品数量/批次 | …, each line a few of its cells): the last header lines whose cells together are
    as many as the cells of the rows of figures, none of them as wide alone, are one row."""
    first = next((i for i, r in enumerate(rows) if _n_figures(r, rules)), None)
    if first is None or first < 2:
        return rows, block
    widths = Counter(len(_strip_trailing(r)) for r in rows[first:] if _n_figures(r, rules))
    width = widths.most_common(1)[0][0]
    head = [len(_strip_trailing(r)) for r in rows[:first]]
    if width in head:
        return rows, block
    for m in range(2, first + 1):
        if sum(head[first - m:first]) == width:
            joined = [c for r in rows[first - m:first] for c in _strip_trailing(r)]
            return rows[:first - m] + [joined] + rows[first:], block[:first - m + 1] + block[first:]
        if sum(head[first - m:first]) > width:
            break
    return rows, block


def _is_padded(rows: list[list[_C]]) -> bool:
    """Rows written to the full width of the grid, the cells that spans covered added as empty cells at
    the end (``第二十条第（五）项 | |||``, ``信息内容 | 本年处理决定数量 | ||``): every row as wide, some
    ending in empty cells."""
    if len(rows) < 2:
        return False
    widths = {len(r) for r in rows}
    trailing = [r for r in rows if len(r) > 1 and not r[-1].text]
    return len(widths) == 1 and len(trailing) >= 2 or (
        len(trailing) >= 2 and all(len(r) == max(widths) for r in trailing))


def _width(r: list[_C]) -> int:
    """The cells of a row that hold text."""
    return sum(1 for c in r if c.text)


def _from_caption(rows: list[list[_C]], starts: list[int], rules: RuleSet) -> tuple[list[list[_C]], list[int]]:
    """The rows from the table's caption on, when rows of several cells without figures come before it
    (a page's metadata written as a table, 标题 | 索引号 | 发文日期, then 表1 / 收入执行情况表 / the
    table): those rows are not the table's header."""
    first = next((m for m, r in enumerate(rows) if _n_figures(r, rules)), len(rows))
    caps = [m for m in range(first) if _width(rows[m]) == 1
            and _is_caption(next(c.text for c in rows[m] if c.text), rules)]
    # the rows above are the page's fields (标题: | …, 发文日期: | …): labels that end in a colon
    if caps and any(_width(r) > 1 and any(c.text.endswith((":", "：")) for c in r) for r in rows[:caps[-1]]):
        return rows[caps[-1]:], starts[caps[-1]:]
    return rows, starts


def _row_tables(rows: list[list[_C]], starts: list[int], kind: str, rules: RuleSet, cut: bool):
    """Tables from rows of cells (a row per line, or rows rebuilt from one cell a line): the rows are cut
    where the header changes, a block of rows without figures after rows with figures whose cells are
    not the header's again (the disclosure report's tables stacked in one block). Yields (table, the
    index in ``starts`` of its first row's line)."""
    rows, starts = _from_caption(rows, starts, rules)
    padded = _is_padded(rows)
    full = max((len(r) for r in rows), default=0) if padded else 0
    if padded:
        rows = [_strip_trailing(r) for r in rows]
    figs = [_n_figures(r, rules) > 0 for r in rows]
    for k in range(len(rows) - 1):
        below = next((rows[m] for m in range(k + 1, len(rows)) if figs[m]), None)
        if figs[k] and below is not None and _years_header(rows[k], below, rules):
            figs[k] = False     # 类别 | 2018 | 2019 | … heads the rows below (a row of units between)
    width = _width

    segments: list[tuple[int, int]] = []
    a = 0
    k = 0
    n = len(rows)
    seen_figure = False
    first_head: Optional[list[_C]] = None    # the segment's first header row of several cells
    while k < n:
        if figs[k] or not seen_figure:
            seen_figure = seen_figure or figs[k]
            if not figs[k] and first_head is None and width(rows[k]) > 1:
                first_head = rows[k]
            k += 1
            continue
        e = k                        # rows without figures after figures: a new header?
        while e < n and not figs[e]:
            e += 1
        block = rows[k:e]
        multi = [r for r in block if width(r) > 1]
        same = first_head is not None and multi and all(_texts(r) == _texts(first_head) for r in multi)
        titled = any(width(r) == 1 for r in block)
        if e < n and multi and (not same or titled):
            segments.append((a, k))
            a = k
            first_head = multi[0]
        k = e
    segments.append((a, n))
    title_unit = None
    for a, b in segments:
        seg = rows[a:b]
        first_data = next((m for m in range(len(seg)) if figs[a + m]), None)
        if first_data is None:
            continue
        head, data = seg[:first_data], seg[first_data:]
        if len(head) >= 3 and width(head[-1]) == 1 and all(width(r) > 1 for r in head[1:-1]) \
                and width(data[0]) >= max(width(r) for r in head[:-1]):
            # a row of one label between the headers and the figures ((一)本单位实施的): a row of the
            # table, not a header over its columns
            head, data = head[:-1], head[-1:] + data
        t = _assemble(head, data, kind, rules, cut_last=cut and b == n,
                      rows_given=kind != "pipe", align_left=padded,
                      min_cols=full if padded and _remarks_last(head, rules) else 0)
        titles = [r for r in seg[:first_data] if width(r) == 1]
        if titles:
            title_unit = _unit_written(next(c.text for c in titles[0] if c.text), rules)
        elif t is not None and title_unit and not t.unit:
            # the rest of a row too wide for the page, continued under headers of its own: the
            # title above the first part (行政处罚实施数量(宗)) still gives the unit
            t = replace(t, unit=title_unit)
        if t is not None:
            yield t, starts[a]


def _unit_written(label: str, rules: RuleSet) -> Optional[str]:
    """The unit a title writes in brackets, as written (行政处罚实施数量(宗) -> 宗)."""
    from .tables import _HEADER_UNIT, unit_info, without_pinyin

    for m in _HEADER_UNIT.finditer(without_pinyin(label)):
        if unit_info(m.group("u"), rules):
            return m.group("u")
    return None


def _remarks_last(head: list[list[_C]], rules: RuleSet) -> bool:
    """The header's last column is one of remarks (备注), which the rows of figures leave empty and
    an export drops from their ends: the rows are then as wide as the grid all the same."""
    words = rules.tables["headers"].get("remark_words", ())
    return any(r and [c for c in r if c.text] and clean_label([c for c in r if c.text][-1].text) in words
               for r in head)


def _strip_trailing(r: list[_C]) -> list[_C]:
    k = len(r)
    while k > 1 and not r[k - 1].text:
        k -= 1
    return r[:k]


def _texts(r: list[_C]) -> list[str]:
    return [re.sub(r"\s+", "", c.text) for c in r if c.text]


def _label_row(lines: list[_Line], j: int, first: int, text: str, rules: RuleSet) -> bool:
    """Line j, inside a run of rows of a label and one figure (罚款 0), is a label alone (警告): a row
    whose figure cell was empty, when a row of a label and a figure follows it."""
    ln = lines[j]
    if j == first or ln.kind != "cell" or _HEADING.match(ln.text.strip()) or _is_caption(ln.text.strip(), rules):
        return False
    toks = _space_cells(ln, text)
    if len(toks) != 1 or not _CJK.search(toks[0].text) or is_figure(toks[0].text, rules):
        return False
    two = lambda k: len(_space_cells(lines[k], text)) == 2   # noqa: E731
    return j + 1 < len(lines) and lines[j + 1].kind == "srow" and two(j + 1) and lines[j - 1].kind == "srow" and two(j - 1)


MAX_WRAPPED_HEADER_LINES = 12   # header lines of a spaces table, each header wrapped and closed by its unit

_GLUED_YEAR = re.compile(r"^((?:19|20)\d\d)(\d{2,}(?:\.\d+)?)$")
_YEAR_HEADER = re.compile(r"^\s*年\s*[份度]")
_ENDS_IN_UNIT = re.compile(r"[（(][^()（）]{1,8}[)）]\s*$")


def _width_of(s: str) -> int:
    """Columns ``s`` takes in a fixed-width layout: two for a wide character (汉字, full-width forms)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _columns_of(cells: list[_C], line: _Line, text: str) -> list[tuple[int, int]]:
    """Each cell's first and last layout column on its line."""
    out = []
    for c in cells:
        a = _width_of(text[line.start:c.start])
        out.append((a, a + _width_of(c.text) - 1))
    return out


def _aligned_after_blank(lines: list[_Line], first: int, j: int, text: str) -> bool:
    """Line j is a blank line (or two) between rows set out in columns: the row after it starts in
    the same column as the table's first row, and both start with a figure or both with words."""
    if lines[j].kind != "blank" or j == first:
        return False
    k = j
    while k < len(lines) and lines[k].kind == "blank" and k - j < 2:
        k += 1
    if k >= len(lines) or lines[k].kind != "srow" or lines[j - 1].kind != "srow":
        return False
    a, b = _space_cells(lines[first], text), _space_cells(lines[k], text)
    if not a or not b:
        return False
    return abs(_columns_of(a[:1], lines[first], text)[0][0] - _columns_of(b[:1], lines[k], text)[0][0]) <= 1 \
        and bool(_YEAR_CELL.match(a[0].text)) == bool(_YEAR_CELL.match(b[0].text))


MIN_ALIGNED_ROWS = 3


def _by_columns(heads: list[int], header: list[list[_C]], rows_at: list[int], toks: list[list[_C]],
                lines: list[_Line], text: str, rules: RuleSet) -> Optional[tuple[list[list[_C]], list[list[_C]]]]:
    """A table whose rows keep their cells' columns by position, an empty cell only spaces (text from a
    fixed-width page: 1994  30  21  1  _  8 …): the columns where the rows' cells stand, each cell in
    its column, empty cells where a row has none; the header lines laid over the same columns (a line
    as many cells as the columns their leaves, a line of fewer the groups over the runs of columns
    between them, a line over the first column only its corner). None when the rows have as many
    cells each (nothing to place), or cells of a row share a column."""
    if len(toks) < MIN_ALIGNED_ROWS or len({len(t) for t in toks}) == 1:
        return None
    spans = [_columns_of(t, lines[k], text) for t, k in zip(toks, rows_at)]
    merged: list[list[int]] = []
    for a, b in sorted(iv for row in spans for iv in row):
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    n = len(merged)

    def column(iv: tuple[int, int]) -> int:
        return next(m for m, (a, b) in enumerate(merged) if a <= iv[0] <= b + 1)

    data: list[list[_C]] = []
    for t, row in zip(toks, spans):
        cells = [_C("", -1, -1) for _ in range(n)]
        for c, iv in zip(t, row):
            m = column(iv)
            if cells[m].text:
                return None
            cells[m] = c
        data.append(cells)
    if sum(1 for r in data if r[0].text and not is_figure(r[0].text, rules) or _YEAR_CELL.match(r[0].text)) < len(data) - 1:
        return None    # the first column holds the rows' labels (or years)
    centres = [(a + b) / 2 for a, b in merged]
    laid: list[list[_C]] = []
    leaves: Optional[list[_C]] = None
    corner: Optional[_C] = None
    for k, t in zip(heads, header):
        if not t:
            continue
        ivs = _columns_of(t, lines[k], text)
        if len(t) in (n, n - 1) and leaves is None:
            leaves = [_C("", -1, -1)] * (n - len(t)) + t
            continue
        if len(t) == 1 and ivs[0][0] <= merged[0][1] + 1 and merged[0][0] - 1 <= ivs[0][1] < merged[1][0]:
            corner = t[0]      # over the first column only (年份)
            continue
        if len(t) == 1:
            laid.append(t)   # a title over the table (续表, the book's name)
            continue
        # groups: each over the columns nearer to it than to the next group
        groups = [_C("", -1, -1) for _ in range(n)]
        bounds = [((ivs[g][1] + ivs[g + 1][0]) / 2) for g in range(len(t) - 1)]
        for g, c in enumerate(t):
            lo = bounds[g - 1] if g else -1.0
            first = next((m for m in range(1, n) if centres[m] >= lo), None)
            if first is None or groups[first].text:
                break
            groups[first] = c
        else:
            laid.append(groups)
    if leaves is None:
        return None
    if corner is not None and not leaves[0].text:
        leaves = [corner] + leaves[1:]
    return laid + [leaves], data


def _unglue_years(header: list[list[_C]], data: list[list[_C]]) -> Optional[list[list[_C]]]:
    """A yearbook's rows whose year lost the space after it in the copy (年份 over ``199059137 339396
    17.4``: 1990 | 59137 | 339396 | 17.4): under a header that starts with 年份 or 年度, three rows at
    least, each led by a year (glued to its first figure, or apart), the years rising. The years are the
    rows' labels; the rows as they are when any of that fails."""
    if len(data) < 3 or not any(_YEAR_HEADER.match(" ".join(c.text for c in r)) for r in header):
        return None
    glued = [_GLUED_YEAR.match(r[0].text) if r else None for r in data]
    apart = [bool(r) and _YEAR_CELL.match(r[0].text) is not None for r in data]
    if not any(glued) or not all(g or a for g, a in zip(glued, apart)):
        return None
    widths = {len(r) + (1 if g else 0) for r, g in zip(data, glued)}
    years = [int(g.group(1)) if g else int(_YEAR_CELL.match(r[0].text).group(1)) for r, g in zip(data, glued)]  # type: ignore[union-attr]
    if len(widths) != 1 or any(b <= a for a, b in zip(years, years[1:])):
        return None
    out = []
    for r, g in zip(data, glued):
        c = r[0]
        if g:
            out.append([_C(g.group(1), c.start, c.start + 4, label=True), _C(g.group(2), c.start + 4, c.end), *r[1:]])
        else:
            out.append([replace(c, label=True), *r[1:]])
    return out


def _headers_closed_by_units(header: list[list[_C]], n_vals: int, text: str) -> Optional[list[_C]]:
    """Header lines of one cell each, every column's header wrapped over lines and closed by its unit
    (财政收入 / (万元) / 地区生产总值 / (万元) / 财政收入相当于 / 地区生产总值的 / 百分比(%)): one header
    per column of figures, joined; a 年份 that leads the first line heads the row labels. None unless
    the units close exactly as many headers as there are columns."""
    if not header or n_vals < 2 or any(len(r) != 1 for r in header[1:]) or not header[0]:
        return None
    toks = [_C(text[header[0][0].start:header[0][-1].end], header[0][0].start, header[0][-1].end)]
    toks += [r[0] for r in header[1:]]
    lead = None
    m = _YEAR_HEADER.match(toks[0].text)
    if m:
        first = toks[0]
        lead = _C(first.text[:m.end()].strip(), first.start, first.start + m.end())
        rest = first.text[m.end():]
        toks = toks[1:]
        if rest.strip():
            toks.insert(0, _C(rest.strip(), first.start + m.end() + len(rest) - len(rest.lstrip()), first.end))
    groups: list[_C] = []
    cur: list[_C] = []
    for c in toks:
        cur.append(c)
        if _ENDS_IN_UNIT.search(c.text):
            groups.append(_C(" ".join(x.text for x in cur), cur[0].start, cur[-1].end))   # a space: the line break
            cur = []
    if cur or len(groups) != n_vals or len(groups) == len(toks):
        return None
    return ([lead] if lead else []) + groups


def _space_tables(lines: list[_Line], text: str, rules: RuleSet, used: set[int]) -> list[Table]:
    out = []
    i = 0
    while i < len(lines):
        if lines[i].kind != "srow" or i in used:
            i += 1
            continue
        j = i
        while j < len(lines):
            if lines[j].kind == "srow" or _label_row(lines, j, i, text, rules):
                j += 1
            elif _aligned_after_blank(lines, i, j, text):
                j += 1      # a blank line between groups of rows set out in the same columns
            else:
                break
        # header lines above: short tokens, no figures, no sentence
        h = i - 1
        heads: list[int] = []
        vertical = 0
        vertical_within = 0     # the vertical lines met while the header had its usual most lines
        while h >= 0 and len(heads) < MAX_WRAPPED_HEADER_LINES and vertical <= MAX_VERTICAL_LINES and h not in used:
            if len(heads) < MAX_HEADER_LINES:
                vertical_within = vertical
            ln = lines[h]
            s = ln.text.strip()
            if not s:
                h -= 1
                continue
            if _is_vertical(s) and (h + 1 < i and _is_vertical(lines[h + 1].text) or h > 0 and _is_vertical(lines[h - 1].text)):
                vertical += 1   # headers written down a character a line, several columns side by side:
                h -= 1          # which column each character names is lost; the lines above still name groups
                continue
            toks = _space_cells(ln, text)
            if _HEADING.match(s) or _SENTENCE.search(s) or ln.kind == "prose" and len(s) > MAX_CELL_CHARS and (
                    len(toks) < 3 or any(len(c.text) > 8 for c in toks)):
                break   # (a long line of short headers set far apart is a header line)
            if not toks or any(is_figure(c.text, rules) for c in toks) or any(len(c.text) > 16 for c in toks):
                break
            if len(toks) == 1 and len(toks[0].text) == 1:
                break  # a header written down one character a line: which column it names is lost
            if (len(toks) == 1 or _NUMBERED_CAPTION.match(s)) and _is_caption(s, rules):
                break   # the caption (表1 全区…情况, a space after its number)
            heads.insert(0, h)
            h -= 1
        header = [_space_cells(lines[k], text) for k in heads]
        rows_at = [k for k in range(i, j) if lines[k].kind != "blank"]
        data = [_space_cells(lines[k], text) for k in rows_at]
        aligned = _by_columns(heads, header, rows_at, data, lines, text, rules)
        if aligned is not None:
            header, data = aligned
        data = _unglue_years(header, data) or data
        n_vals = max((len(_split_row(r, rules)[1]) for r in data), default=0)
        wrapped = None
        for top in range(len(header)):      # the lines above the first wrapped header: its caption
            wrapped = _headers_closed_by_units(header[top:], n_vals, text)
            if wrapped is not None:
                heads, header = heads[top:], [wrapped]
                break
        if wrapped is None and len(heads) > MAX_HEADER_LINES:
            heads = heads[-MAX_HEADER_LINES:]
            header = header[-MAX_HEADER_LINES:]
        if wrapped is None:
            vertical = vertical_within if len(heads) == MAX_HEADER_LINES else vertical
        t = _assemble(header, data, "spaces", rules, spread=vertical >= 2)
        if t is not None:
            out.append(_with_caption(t, lines, heads[0] if heads else i, rules))
            used.update(range(heads[0] if heads else i, j))
        i = j
    return out


def _line_tables(lines: list[_Line], text: str, rules: RuleSet, used: set[int]) -> list[Table]:
    out = []
    i = 0
    n = len(lines)
    while i < n:
        if lines[i].kind != "cell" or i in used:
            i += 1
            continue
        # a run of cell lines and blank lines
        j = i
        run: list[int] = []
        while j < n and lines[j].kind in ("cell", "blank", "rowbreak") and j not in used:
            run.append(j)
            j += 1
        run = _bars_between_cells(run, lines, text, rules)
        run = _wrapped_between_blanks(run, lines, text, rules)
        breaks = [i for i, k in enumerate(run) if lines[k].kind == "rowbreak"]
        if len(breaks) == 1 and not any(lines[k].kind == "cell" and is_figure(_cell_text(lines[k]), rules)
                                        for k in run[breaks[0] + 1:]):
            run = run[:breaks[0]]    # one line of bars after the last figure: a last row left short
        # rows given by the bars: (rows, their lines' starts, the run's first and last line, kind)
        pieces: list[tuple[list[list[_C]], list[int], int, int, str]] = []
        led = _bar_led_rows(run, lines, text)
        if led is not None:
            pieces.append((led[0], led[1], run[0], run[-1], "pipe"))
        bar_runs = _bar_runs(run, lines) if led is None else []
        if bar_runs and i > 0 and i - 1 not in used and lines[i - 1].kind == "rowbreak" \
                and len(_PIPE.findall(lines[i - 1].text)) == 1:
            bar_runs[0].insert(0, i - 1)     # a lone bar before the first cell: the corner's cell, maybe
        for sub in bar_runs:
            rows, starts = _bar_rows(sub, lines, text, rules)
            if lines[sub[0]].kind == "rowbreak":
                # a lone bar first: a row's opening, or the empty corner when only that puts the
                # labels of the rows of figures in one column
                alt = _bar_rows(sub, lines, text, rules, corner=True)
                if _labels_agree(alt[0], rules) and not _labels_agree(rows, rules):
                    rows, starts = alt
            pieces.append((rows, starts, sub[0], sub[-1], "lines"))
        if pieces:
            for rows, starts, first_line, last_line, kind in pieces:
                cut = not text[lines[last_line].end:].strip()
                for t, first in _row_tables(rows, starts, kind, rules, cut):
                    out.append(_with_caption(t, lines, first, rules, inner=first != starts[0]))
                    used.update(range(first_line, last_line + 1))
            i = max(j, i + 1)
            continue
        title_unit = None
        segments = [seg for piece in (_barred_pieces(run, lines) or [run]) for seg in _segments(piece, lines, rules)]
        for n_seg, seg in enumerate(segments):
            t = _line_table(seg, lines, text, rules)
            if t is not None:
                first = next(k for k in seg if lines[k].kind == "cell")
                inner = n_seg > 0 and not _is_caption(lines[first].text, rules)
                t = _with_caption(t, lines, first, rules, inner=inner)
                titles = [c for c in t.cells if c.row < t.header_rows and c.colspan == t.n_cols and t.n_cols > 1]
                own = next((u for c in titles if (u := _unit_written(c.text, rules))), None)
                if own:
                    title_unit = own
                elif inner and title_unit and not t.unit:
                    t = replace(t, unit=title_unit)   # the rest of a row: the first part's title unit
                out.append(t)
                used.update(range(seg[0], seg[-1] + 1))
        i = max(j, i + 1)
    return out


_BAR_LED = re.compile(r"^\s*[|｜]\s*(?=\S)")
MIN_BAR_LED_ROWS = 3     # rows of cells one a line, each cell after the first led by a bar, a lone bar between rows


def _bar_led_rows(run: list[int], lines: list[_Line], text: str) -> Optional[tuple[list[list[_C]], list[int]]]:
    """Rows of cells written one a line with the bar before each cell but a row's first, and a line of
    bars alone between rows (内蒙古 / | 1 / | 1 / … / | then 呼和浩特市 / | 10 / …): each row's cells;
    first cells wrapped over lines (行政区划/ / 机构/部门) are one cell. None unless three rows at
    least are so written and nearly every cell line is led by a bar. Leading rows of one cell (a
    metadata line's value) are not rows of the table."""
    groups: list[list[int]] = [[]]
    for k in run:
        kind = lines[k].kind
        if kind == "rowbreak":
            if groups[-1]:
                groups.append([])
        elif kind == "cell":
            groups[-1].append(k)
    groups = [g for g in groups if g]
    led = [k for g in groups for k in g if _BAR_LED.match(lines[k].text)]
    n_cells = sum(len(g) for g in groups)
    if len(groups) < MIN_BAR_LED_ROWS or len(led) < 0.7 * n_cells:
        return None
    rows: list[list[_C]] = []
    starts: list[int] = []
    for g in groups:
        row: list[_C] = []
        lead: list[_C] = []
        for k in g:
            ln = lines[k]
            m = _BAR_LED.match(ln.text)
            c = _strip_span(text, ln.start + (m.end() if m else 0), ln.end)
            if m or row:
                if lead:
                    row.append(_C(" ".join(x.text for x in lead), lead[0].start, lead[-1].end))
                    lead = []
                row.append(c)
            else:
                lead.append(c)     # the row's first cell, maybe wrapped over lines
        if lead:
            row.append(_C(" ".join(x.text for x in lead), lead[0].start, lead[-1].end))
        if len(row) < 2 and not rows:
            continue
        rows.append(row)
        starts.append(g[0])
    if len([r for r in rows if len(r) >= 2]) < MIN_BAR_LED_ROWS:
        return None
    return rows, starts


def _bars_between_cells(run: list[int], lines: list[_Line], text: str, rules: RuleSet) -> list[int]:
    """One cell a line with a line of one bar between every two cells (``信息内容`` ``|`` ``本年制发件数``
    ``|`` …): the bars divide the cells as the line breaks do and say nothing of where a row ends; they
    are read as blank lines (two bars in a row still leave an empty cell between), and two lines with
    no bar between are one cell wrapped (``商业`` ``企业``). The run, its wrapped lines joined."""
    kinds = [lines[k].kind for k in run]
    n_cells = kinds.count("cell")
    if n_cells < 4 or "rowbreak" not in kinds:
        return run
    if any(lines[k].kind == "rowbreak" and len(_PIPE.findall(lines[k].text)) != 1 or
           lines[k].kind == "cell" and lines[k].cell is not None for k in run):
        return run
    # the gaps between two cells from the first bar on (a caption above the table has none after it)
    first_bar = kinds.index("rowbreak")
    gaps, barred = _divided_gaps(kinds[first_bar:], "rowbreak")
    if gaps < 3 or barred < 0.85 * gaps:
        return run
    for k in run[first_bar:]:
        if lines[k].kind == "rowbreak":
            lines[k].kind = "blank"
    return run[:first_bar] + _join_wrapped(run[first_bar:], lines, text, rules, lambda kind: kind == "blank")


def _divided_gaps(kinds: list[str], divider: str) -> tuple[int, int]:
    """How many pairs of cells follow each other in ``kinds``, and how many of them have a
    ``divider`` line between them."""
    gaps = divided = 0
    prev_cell, divider_since = False, False
    for kind in kinds:
        if kind == "cell":
            gaps += prev_cell
            divided += prev_cell and divider_since
            prev_cell, divider_since = True, False
        elif kind == divider:
            divider_since = True
    return gaps, divided


def _join_wrapped(run: list[int], lines: list[_Line], text: str, rules: RuleSet, breaks) -> list[int]:
    """``run`` with each cell line that wraps the cell line before it (no line for which ``breaks(kind)``
    is true between them) joined to that one."""
    out: list[int] = []
    last_cell: Optional[int] = None      # the cell line before, when no break came after it
    for k in run:
        ln = lines[k]
        if ln.kind == "cell":
            if last_cell is not None and _wraps(lines[last_cell], ln, rules):
                _join(lines[last_cell], ln, text)
                continue
            last_cell = k
        elif breaks(ln.kind):
            last_cell = None
        out.append(k)
    return out


def _wraps(first: _Line, second: _Line, rules: RuleSet) -> bool:
    """Two lines of words that can be one cell wrapped (本年新 / 制作数量): neither a figure, a mark, a
    caption nor a heading."""
    a, b = first.text.strip(), second.text.strip()
    return len(a) + len(b) <= MAX_CELL_CHARS and not any(
        is_figure(x, rules) or _is_empty_mark(x, rules) or _is_caption(x, rules) or _HEADING.match(x) for x in (a, b))


def _join(first: _Line, second: _Line, text: str) -> None:
    first.end = second.end
    first.text = text[first.start:first.end]


def _wrapped_between_blanks(run: list[int], lines: list[_Line], text: str, rules: RuleSet) -> list[int]:
    """One cell a line with a blank line between every two cells: two lines of words with none between
    are one cell wrapped (``本年新`` ``制作数量``). The run, its wrapped lines joined."""
    if any(lines[k].kind == "rowbreak" or lines[k].kind == "cell" and lines[k].cell is not None for k in run):
        return run
    gaps, blanked = _divided_gaps([lines[k].kind for k in run], "blank")
    if gaps < 3 or blanked == gaps or blanked < 0.85 * gaps:
        return run
    return _join_wrapped(run, lines, text, rules, lambda kind: True)


def _barred_pieces(run: list[int], lines: list[_Line]) -> list[list[int]]:
    """A run written one cell a line with a bar after each cell (``规章 |``) and no line of several bars,
    cut at the lines without a bar after its first barred cell (a heading between two tables: 三、收到和
    处理政府信息公开申请情况), the heading left out and the lone bars that end a piece (the empty cells
    of its last row) dropped; [] when the run is not of that form or has no such line."""
    cells = [k for k in run if lines[k].kind == "cell"]
    barred = [k for k in cells if lines[k].cell is not None]
    if len(barred) < 4 or len(barred) < 0.6 * len(cells):
        return []
    if any(lines[k].kind == "rowbreak" and len(_PIPE.findall(lines[k].text)) > 1 for k in run):
        return []
    out: list[list[int]] = [[]]
    for k in run:
        if k > barred[0] and lines[k].kind == "cell" and lines[k].cell is None:
            out.append([])
            continue
        out[-1].append(k)
    if len(out) == 1:
        return []
    pieces = []
    for piece in out:
        while piece and lines[piece[-1]].kind in ("rowbreak", "blank"):
            piece.pop()
        if any(lines[k].kind == "cell" for k in piece):
            pieces.append(piece)
    return pieces


def _bar_runs(run: list[int], lines: list[_Line]) -> list[list[int]]:
    """A run written one cell a line with a bar after each cell (``警告 |``) and lines of bars where a
    row ends (``|||``: the cells the spans covered), cut at the lines without a bar (a heading between
    two tables); [] when the run is not of that form."""
    multi = [k for k in run if lines[k].kind == "rowbreak" and len(_PIPE.findall(lines[k].text)) >= 2]
    if not multi:
        return []
    cells = [k for k in run if lines[k].kind == "cell"]
    barred = [k for k in cells if lines[k].cell is not None]
    if len(barred) < 4 or len(barred) < 0.6 * len(cells):
        return []
    out: list[list[int]] = [[]]
    for k in run:
        ln = lines[k]
        if ln.kind == "cell" and ln.cell is None:
            out.append([])
            continue
        out[-1].append(k)
    return [r for r in out if any(lines[k].kind == "cell" for k in r)]


def _bar_rows(sub: list[int], lines: list[_Line], text: str, rules: RuleSet,
              corner: bool = False) -> tuple[list[list[_C]], list[int]]:
    """The rows of a bar run: a line of n bars adds n empty cells and ends the row, which gives the
    table's width; a row that reaches the width ends; a lone bar opens a row (when none is open), ends
    a row of headers before a row of figures or of a label and figures, else stands for an empty cell.
    ``corner``: a lone bar before the first row is its first cell, empty (see ``_opens_header``)."""
    rows: list[list[_C]] = []
    starts: list[int] = []
    cur: list[_C] = []
    start = sub[0]
    width = 0
    content = [k for k in sub if lines[k].kind == "cell"]
    cur_lines: list[int] = []      # the line of each cell of ``cur``

    def end() -> None:
        nonlocal cur
        if cur:
            rows.append(cur)
            starts.append(start)
        cur = []

    for k in sub:
        ln = lines[k]
        if ln.kind == "blank":
            continue
        if ln.kind == "rowbreak":
            bars = len(_PIPE.findall(ln.text))
            if bars == 1:
                if not cur:
                    if corner and not rows and _opens_header(sub, k, lines, text, rules):
                        # the empty corner over the row labels (its cell written as a bar alone)
                        start = k
                        cur_lines.clear()
                        cur.append(_C("", -1, -1))
                        cur_lines.append(k)
                    continue
                nxt = next((lines[x] for x in content if x > k), None)
                words = [c for c in cur if c.text]
                header_done = (len(words) >= 2 and len(words) == len(cur) and not _n_figures(cur, rules)
                               and nxt is not None and (is_figure(_line_text(nxt, text), rules)
                                                        or bool(width) and len(cur) == width - 1
                                                        and _labels_a_row(content, nxt, lines, text, rules)))
                if width and len(cur) < width and not header_done:
                    cur.append(_C("", -1, -1))
                    if len(cur) == width:
                        end()
                    continue
                end()
                continue
            if not width and len(cur) > 1 and (len(cur) - 1) % (bars + 1) == 0 and _is_caption(cur[-1].text, rules):
                # the caption of the next table, padded to the width (第二十条第(五)项 | |||): the cells before
                # it are rows of the table above, as wide
                caption, caption_k, body, body_k = cur[-1], cur_lines[-1], cur[:-1], cur_lines[:-1]
                for a in range(0, len(body), bars + 1):
                    cur, start = body[a:a + bars + 1], body_k[a]
                    end()
                cur, start = [caption], caption_k
            cur += [_C("", -1, -1) for _ in range(bars)]
            width = len(cur)
            end()
            continue
        if not cur:
            start = k
            cur_lines.clear()
        cur.append(_strip_span(text, *(ln.cell or (ln.start, ln.end))))
        cur_lines.append(k)
        if width and len(cur) == width:
            end()
    end()
    return rows, starts


def _line_text(ln: _Line, text: str) -> str:
    return _strip_span(text, *ln.cell).text if ln.cell else ln.text


def _opens_header(sub: list[int], k: int, lines: list[_Line], text: str, rules: RuleSet) -> bool:
    """A lone bar before the first cell of a bar run, over header cells of words that a line of several
    bars ends (the cells their spans covered): an empty corner cell, the first of that row."""
    for x in sub[sub.index(k) + 1:]:
        ln = lines[x]
        if ln.kind == "rowbreak":
            return len(_PIPE.findall(ln.text)) >= 2
        if ln.kind == "cell" and is_figure(_line_text(ln, text), rules):
            return False
    return False


def _labels_agree(rows: list[list[_C]], rules: RuleSet) -> bool:
    """The rows with figures have their words (labels) in the same columns."""
    cols = {tuple(j for j, c in enumerate(r) if c.text and not is_figure(c.text, rules)
                  and not _is_empty_mark(c.text, rules)) for r in rows if _n_figures(r, rules)}
    return len(cols) == 1


def _labels_a_row(content: list[int], nxt: _Line, lines: list[_Line], text: str, rules: RuleSet) -> bool:
    """The cell line ``nxt`` is a row's label: a word with a figure on the next cell line."""
    i = next(n for n, x in enumerate(content) if lines[x] is nxt)
    if i + 1 >= len(content) or is_figure(_line_text(nxt, text), rules):
        return False
    return is_figure(_line_text(lines[content[i + 1]], text), rules)


MIN_GROUP_HEADERS = 3     # header lines of a row continued under headers of its own
MIN_REPEATED_HEADERS = 3  # header lines a next table writes again (its own corner before them)


def _segments(run: list[int], lines: list[_Line], rules: RuleSet) -> list[list[int]]:
    """A run of cell lines cut where a caption starts a new table, or where, after figures, a block of
    header lines is followed by about as many figures (a row too wide for the page, continued under
    headers of its own: 限制开展生产经营活动 … 罚没金额(万元) then its eight figures)."""
    segs: list[list[int]] = [[]]
    seen_figure = False
    content = [k for k in run if lines[k].kind == "cell"]
    fig = {k: is_figure(t := _cell_text(lines[k]), rules) or _is_empty_mark(t, rules) for k in content}
    pos = {k: i for i, k in enumerate(content)}
    lead: list[str] = []      # the current segment's cells before its first figure
    for k in run:
        ln = lines[k]
        if ln.kind == "cell" and seen_figure and (_is_caption(_cell_text(ln), rules)
                                                  or _starts_group(k, content, pos, fig)
                                                  or _repeats_header(k, content, pos, fig, lines, lead)):
            segs.append([])
            seen_figure = False
            lead = []
        if ln.kind == "cell" and not seen_figure and not fig[k]:
            lead.append(_cell_text(ln))
        segs[-1].append(k)
        if ln.kind == "cell" and fig[k]:
            seen_figure = True
    return [s for s in segs if s]


def _cell_text(ln: _Line) -> str:
    """A cell line's cell: without the bar after it (``规章 |``)."""
    if ln.cell is None:
        return ln.text
    return ln.text[ln.cell[0] - ln.start:ln.cell[1] - ln.start]


def _repeats_header(k: int, content: list[int], pos: dict[int, int], fig: dict[int, bool], lines: list[_Line],
                    lead: list[str]) -> bool:
    """After a table's figures, a block of words that writes its header again but for the corner
    (单位 | 办件数量 | 解决率 … then 乡镇(街道) | 办件数量 | 解决率 …): the header of the next table,
    which counts other rows. The block may end with the first row's label, as the first header did."""
    i = pos[k]
    block = [_cell_text(lines[c]) for c in content[i:i + _words_after_figures(i, content, fig)]]
    for b_cut, l_cut in ((1, 1), (0, 0), (1, 0), (0, 1)):     # with or without a row label after each
        words = block[1:len(block) - b_cut]
        ref = lead[:len(lead) - l_cut][-len(words):] if words else []
        if len(words) >= MIN_REPEATED_HEADERS and words == ref:
            return True
    return False


def _words_after_figures(i: int, content: list[int], fig: dict[int, bool]) -> int:
    """How many word cells start at ``content[i]`` when a figure is right before it; else 0."""
    if fig[content[i]] or i == 0 or not fig[content[i - 1]]:
        return 0
    words = 0
    while i + words < len(content) and not fig[content[i + words]]:
        words += 1
    return words


def _starts_group(k: int, content: list[int], pos: dict[int, int], fig: dict[int, bool]) -> bool:
    i = pos[k]
    words = _words_after_figures(i, content, fig)
    if not words:
        return False
    figures = 0
    while i + words + figures < len(content) and fig[content[i + words + figures]]:
        figures += 1
    return words >= MIN_GROUP_HEADERS and max(2, words - 1) <= figures <= words + 1


def _apart_unit_line(head: list[_C]) -> tuple[list[_C], Optional[str]]:
    """The header lines without a 单位：line among them (单位：件、万元 names units, not a column), and
    the unit the last such line names."""
    units = [m.group(1) for c in head if (m := _UNIT_LINE.match(c.text))]
    return [c for c in head if not _UNIT_LINE.match(c.text)], (units[-1] if units else None)


def _line_table(seg: list[int], lines: list[_Line], text: str, rules: RuleSet) -> Optional[Table]:
    # cells with the empty cells that blank lines stand for
    content = [k for k in seg if lines[k].kind == "cell"]
    if len(content) < 4:
        return None
    gaps = []
    for a, b in zip(content, content[1:]):
        gaps.append(b - a - 1)
    sep = max(set(gaps), key=gaps.count) if gaps else 0
    # an empty cell is a blank line and its divider (sep + 1 lines more), or, when some gap is no
    # multiple of that, one blank line more (the divider written once: 28 / / 1 / / / 2)
    per_line = any((g - sep) % (sep + 1) for g in gaps if g > sep)
    cells: list[_C] = []
    for n_, k in enumerate(content):
        if n_:
            g = gaps[n_ - 1]
            if g > sep:
                cells.extend(_C("", -1, -1) for _ in range(g - sep if per_line else (g - sep) // (sep + 1)))
        ln = lines[k]
        cells.append(_strip_span(text, *(ln.cell or (ln.start, ln.end))))
    end_gap = seg[-1] - content[-1]     # blank lines after the last cell: the last row's empty cells
    if sep and end_gap > sep:           # (where a blank line divides the cells)
        cells.extend(_C("", -1, -1) for _ in range(end_gap - sep if per_line else (end_gap - sep) // (sep + 1)))
    if any(lines[k].kind == "rowbreak" for k in seg):
        return _rows_by_bar_ends(seg, lines, text, rules) or _rows_by_breaks(seg, lines, text, rules)
    by_year = _year_led_rows(cells, text, rules)
    if by_year is not None:
        return by_year
    figs = [is_figure(c.text, rules) for c in cells]
    # two figures at least; one is enough under a caption (第二十条第（五）项 / 信息内容 / 本年处理决定数量 / 行政许可 / 1472)
    n_figs = sum(figs)
    if n_figs == 0 or n_figs < (1 if _is_caption(cells[0].text, rules) and figs.index(True) >= 3 else 2):
        return None
    first_fig = figs.index(True)
    head = [c for c in cells[:first_fig] if c.text]
    head, unit = _apart_unit_line(head)
    body = cells[first_fig:]
    # lines after the last row of figures (the next heading, a label cut off) are not the table's
    while body and body[-1].text and not is_figure(body[-1].text, rules) and not _is_empty_mark(body[-1].text, rules):
        body.pop()
    trail: list[_C] = []
    while body and not body[-1].text:
        trail.append(body.pop())
    # a row label just before the first figure belongs to the body when rows start with labels
    if not head:
        return None
    texts_in_body = [c for c in body if c.text and not is_figure(c.text, rules) and not _is_empty_mark(c.text, rules)]
    if len(texts_in_body) > 0.7 * len(body):
        return None  # mostly words: a list, not a table
    n_head = len(head)
    rows: Optional[list[list[_C]]] = None
    header: list[list[_C]]
    if not texts_in_body:
        nb = len(body)
        if nb <= n_head:
            rows = [body]
        elif nb % n_head == 0:
            rows = [body[s:s + n_head] for s in range(0, nb, n_head)]
        else:
            rows = [body]
        width = len(rows[0])
        corners = rules.tables["headers"].get("corner_words", ())
        if len(rows) == 1 and len(head) >= width + 2 and clean_label(head[-width - 2].text) in corners:
            # 单位名称 / 警告 … 吊销许可证件 / 商务局及商务服务中心 / 0 …: the line before the figures is
            # the row's label, under the corner that names such labels
            rows = [[head.pop()] + body]
    else:
        width = _period(body, n_head, rules)
        for k in range(1, len(trail) + 1 if not width else 0):
            # the last row's empty cells at the end (1 | 住房保障行动 | 28 | 1 | then nothing): as many as
            # make its rows as wide as the others
            padded = body + trail[:k]
            width = _period(padded, n_head, rules)
            if width and all(_figures_only(padded, i % width, width, rules) for i in range(len(body), len(padded))):
                body = padded
                break
            width = 0
        if width:
            rows = [body[s:s + width] for s in range(0, len(body), width)]
        else:
            # a row starts at each label after a figure; the label just before the first figure too,
            # unless that figure is the first row's number (1 | 粮食加工品 | …): the label is a header
            numbered = _starts_numbered(body, rules)
            if head and not _is_caption(head[-1].text, rules) and len(head) > 1 and not numbered:
                lead = head.pop()
                body = [lead] + body
            cur: list[_C]
            rows, cur, in_labels = [], [], True
            for c in body:
                lab = bool(c.text) and not is_figure(c.text, rules) and not _is_empty_mark(c.text, rules)
                if lab and not in_labels and cur:
                    rows.append(cur)
                    cur = []
                in_labels = lab
                cur.append(c)
            if cur:
                rows.append(cur)
            if numbered:
                rows = _numbered_rows(rows)
            # the first row's labels as many as every other row of figures has (案件数 / Number of Cases
            # Accepted / 304664 …: a name and its gloss)
            n_lab = [len(_split_row(r, rules)[0]) for r in rows if _n_figures(r, rules)]
            while len(n_lab) > 1 and n_lab[0] < min(n_lab[1:]) and len(head) > 1 \
                    and not _is_caption(head[-1].text, rules) and head[-1].text:
                rows[0].insert(0, head.pop())
                n_lab[0] += 1
            width = max(len(_split_row(r, rules)[1]) for r in rows)
    # every row closed by an empty cell (a doubled bar between rows, one bar between cells) under
    # headers one fewer: the empty cells are no column
    full = rows[:-1] if rows and len(rows[-1]) < width else rows     # (a last row the text cut short)
    if len(full) >= 2 and width >= 3 and len(head) == width - 1 and all(len(r) == width and not r[-1].text for r in full):
        rows = [r[:-1] for r in full] + rows[len(full):]
        width -= 1
    # a unit on a line of its own under a header (合计 / (宗)) is no column of its own; under a header
    # naming a measure of another kind it is (比上年增减 / 金额 / %: the change in money and in per cent)
    if len(head) > width and any(_BARE_UNIT.match(c.text) for c in head[-width - 1:]):
        extra = len(head) - width
        tail = head[-width - extra:]
        keep = [c for i, c in enumerate(tail) if not _BARE_UNIT.match(c.text)
                or i and _names_another_measure(tail[i - 1].text, c.text, rules)]
        if len(keep) >= width:
            head = head[:len(head) - len(tail)] + keep
    # the header written again for a second group side by side (单位 | 工单数 | 得分 | 排名 | 单位 |
    # 工单数 | 得分 | 排名, rows of two units each): the rows are read a group at a time, under one copy
    row_len = max(len(r) for r in rows)
    for k in range(len(head) // row_len if row_len >= 2 else 0, 1, -1):
        tail = head[len(head) - k * row_len:]
        copies = [_texts(tail[s:s + row_len]) for s in range(0, len(tail), row_len)]
        if all(c == copies[0] for c in copies[1:]):
            head = head[:len(head) - k * row_len] + tail[:row_len]   # titles above stay titles
            break
    # headers wrapped over two lines (抽查 / 批次数, 产品 / 合格率(%)): one cell each, when that leaves
    # as many as the columns
    if len(head) > width:
        head = _join_measure_tails(head, width, rules)
    # header: the last `width` lines are the leaf headers; lines above them are titles
    leaves = head[-width:] if len(head) >= width else head
    if len(leaves) == 1 and _is_caption(leaves[0].text, rules) and texts_in_body:
        leaves = []  # the table's name over a column of figures led by labels
    n_labels = max(len(_split_row(r, rules)[0]) for r in rows)
    corners = rules.tables["headers"].get("corner_words", ())
    if n_labels and leaves and len(head) > len(leaves) and clean_label(head[-len(leaves) - 1].text) in corners:
        leaves = head[-len(leaves) - 1:]   # 信息内容 / 本年处理决定数量 over 行政处罚 / 0: the corner is a leaf's row
    titles = head[:len(head) - len(leaves)]
    header = [[t] for t in titles] + ([leaves] if leaves else [])
    stacked = _stacked_header(head, width, n_labels, rules)
    if stacked is not None:
        header = stacked
    ends = [c.end for c in rows[-1] if c.end >= 0]
    cut = bool(ends) and not text[max(ends):].strip()
    t = _assemble(header, rows, "lines", rules, cut_last=cut, rows_given=stacked is not None)
    return replace(t, unit=unit) if t is not None and unit else t


_YEAR_LABEL = re.compile(r"^\s*(?:19|20)\d\d\s*年?度?(?:\s*[-—–~～至]\s*(?:19|20)?\d\d\s*年?)?\s*$")
MIN_YEAR_ROWS = 3
SHORT_WRAPPED_LINE = 3     # characters of a header's first line that a narrow column wrapped (教育费 / 附加收入)


def _year_led_rows(cells: list[_C], text: str, rules: RuleSet) -> Optional[Table]:
    """A yearbook's table one cell a line whose rows are led by a year or a span of years (年份 / 收入合计 /
    … / 1970 / 662.90 / … / 1971-1975 / 3919.71 / …): the years come at a fixed period, with only
    figures and empty cells between them, three rows at least. The years are the rows' labels, not
    figures; None when the cells are not such a table."""
    years = [i for i, c in enumerate(cells) if _YEAR_LABEL.match(c.text)]
    if len(years) < MIN_YEAR_ROWS:
        return None
    a = years[0]
    head = [c for c in cells[:a] if c.text]
    if not any(not is_figure(c.text, rules) for c in head):
        return None

    def rows_at(p: int) -> int:
        n = 0
        while a + (n + 1) * p <= len(cells) and _YEAR_LABEL.match(cells[a + n * p].text):
            chunk = cells[a + n * p + 1:a + (n + 1) * p]
            if any(c.text and not is_figure(c.text, rules) and not _is_empty_mark(c.text, rules) for c in chunk) \
                    or not any(is_figure(c.text, rules) for c in chunk):
                break
            n += 1
        return n

    best = max(((rows_at(p), p) for p in {y - a for y in years[1:4]} if p >= 2), default=(0, 0))
    n_rows, p = best
    if n_rows < MIN_YEAR_ROWS:
        return None
    rows = [cells[a + r * p:a + (r + 1) * p] for r in range(n_rows)]
    rows = [[replace(r[0], label=True), *r[1:]] for r in rows]
    blank = [j for j in range(1, p) if all(not r[j].text for r in rows)]
    rows = [[c for j, c in enumerate(r) if j not in blank] for r in rows]
    width = len(rows[0])
    head, unit = _apart_unit_line(head)
    corner = next((k for k, c in enumerate(head) if _YEAR_HEADER.match(c.text)), None)
    if corner is None:
        titles, leaves = head[:max(0, len(head) - width + 1)], head[max(0, len(head) - width + 1):]
    else:
        titles, leaves = head[:corner], head[corner:]
        whole = set(rules.tables["cells"]["generic_headers"])     # 合计, 其他: short, and whole
        while len(leaves) > width:
            short = [k for k in range(1, len(leaves) - 1)
                     if len(w := re.sub(r"\s+", "", leaves[k].text)) <= SHORT_WRAPPED_LINE and w not in whole]
            if len(short) != 1:
                break
            k = short[0]
            leaves[k:k + 2] = [_C(leaves[k].text + " " + leaves[k + 1].text, leaves[k].start, leaves[k + 1].end)]
        leaves = leaves[:width]
    header = [[t] for t in titles] + ([leaves] if leaves else [])
    t = _assemble(header, rows, "lines", rules, rows_given=True)
    return replace(t, unit=unit) if t is not None and unit else t


_MEASURE_TAIL = re.compile(r"^[\u4e00-\u9fff]{0,3}[数率量额](?:\s*[(（][^()（）]{1,6}[)）])?$")


def _join_measure_tails(head: list[_C], width: int, rules: RuleSet) -> list[_C]:
    """``head`` with each measure written on a line of its own under a short word (抽查 / 批次数,
    合 格 / 批次数, 产品 / 合格率(%)) joined to it, when the last header lines then number ``width``;
    else ``head`` as it is. A measure after a measure (批次数 / 合格率) stands alone."""
    leaves = set(rules.tables["headers"].get("corner_words", ())) | set(rules.tables["cells"]["serial_headers"])

    def tail(i: int) -> bool:
        a, b = re.sub(r"\s+", "", head[i - 1].text), re.sub(r"\s+", "", head[i].text)
        return (bool(_MEASURE_TAIL.match(b)) and 1 <= len(a) <= 4 and not _MEASURE_TAIL.match(a)
                and a not in leaves and not _is_caption(a, rules))

    n, tails = 0, 0
    for i in range(len(head) - 1, 0, -1):
        n += 1
        if tail(i):
            tails += 1
            continue
        if n - tails == width:
            break
    else:
        return head
    start = len(head) - n
    if tails == 0 or start > 0 and tail(start):
        return head
    out = head[:start]
    for i in range(start, len(head)):
        if i > start and tail(i):
            a = out[-1]
            out[-1] = _C(a.text + " " + head[i].text, a.start, head[i].end)   # a space: the line break
        else:
            out.append(head[i])
    return out


def _names_another_measure(above: str, unit_line: str, rules: RuleSet) -> bool:
    """The header above a line that is only a unit already names what it measures, in another unit
    (金额 over %, 人数 over %): the unit line is a column of its own, not that header's unit."""
    mine = header_unit(unit_line, rules)
    if mine is None:
        return False
    if names_money(above, rules):
        return mine[0].type != "amount"
    theirs = header_unit(above, rules)
    return theirs is not None and theirs[0].unit != mine[0].unit


MAX_STACKED_HEADER = 24    # header cells of one table written one a line, cut into rows


def _stacked_header(head: list[_C], width: int, n_labels: int, rules: RuleSet) -> Optional[list[list[_C]]]:
    """Header cells written one a line with nothing to tell where a header row ends, over rows with labels
    (the corner, then 申请人情况 / 自然人 / 法人或其他组织 / 总计 / 商业企业 / … / 其他 over seven columns of
    figures): the first cell the corner over the row labels, the rest cut into two or three rows, the
    cut whose tree (``_best_tree``) fits the figures best, when its parents share words with their
    children and better than the titles-over-leaves reading does. None else (the last ``width``
    cells are then the leaves, the cells above them titles)."""
    top = 0
    while top < len(head) and _is_caption(head[top].text, rules):
        top += 1
    seq = head[top:]
    words = _header_words(rules)
    # the cells as they would be read else: the last `width` the leaves, each one above a title
    chain = _best_tree([[c] for c in seq[:-width]] + [seq[-width:]], width, words) if len(seq) > width else None
    best: Optional[tuple[float, bool, list[list[_C]]]] = None
    for corner in ((True,) if n_labels else ()):
        cells = seq[1:] if corner else seq
        n = len(cells)
        if n < width + 1 or n > MAX_STACKED_HEADER or any(re.sub(r"\s+", "", c.text) in words.leaves for c in cells):
            continue    # 单位名称 among them: the header over the row labels is not where it is read here
        cuts = [(a, n) for a in range(1, n)] + [(a, b) for a in range(1, n - 1) for b in range(a + 1, n)]
        for a, b in cuts:
            rows = [cells[:a], cells[a:b]] + ([cells[b:]] if b < n else [])
            got = _best_tree(rows, width, words)
            if got is not None and (best is None or got[0] > best[0]):
                best = (got[0], corner, rows)
    if best is None or best[0] <= 0 or chain is not None and chain[0] >= best[0]:
        return None
    _, corner, rows = best
    if corner:
        rows[0] = [seq[0]] + rows[0]
    return [[c] for c in head[:top]] + rows


def _starts_numbered(body: list[_C], rules: RuleSet) -> bool:
    """The cells start 1 | a label | figures … | 2 | a label: rows led by their numbers."""
    texts = [c.text.strip() for c in body]
    if len(texts) < 6 or texts[0] != "1" or not texts[1] or is_figure(texts[1], rules):
        return False
    try:
        k = texts.index("2", 2)
    except ValueError:
        return False
    return k + 1 < len(texts) and bool(texts[k + 1]) and not is_figure(texts[k + 1], rules)


def _numbered_rows(rows: list[list[_C]]) -> list[list[_C]]:
    """Rows cut at their labels when each starts with its number (1 | 粮食加工品 | … | 2 | 调味品 | …):
    the first row is the lone 1 and the rows after it end in the next row's number, which is moved
    to the front of its own row, up to the last numbered row (a 合计 row after it stays as it is)."""
    if len(rows) < 3 or [c.text.strip() for c in rows[0]] != ["1"]:
        return rows
    n = 1       # rows[1 .. n] end in the next row's number; rows after the last numbered one (合计) stay
    while n < len(rows) - 1 and len(rows[n]) > 1 and rows[n][-1].text.strip() == str(n + 1):
        n += 1
    if n < 2:
        return rows
    out = []
    lead = rows[0][0]
    for r in rows[1:n]:
        out.append([lead] + r[:-1])
        lead = r[-1]
    last = rows[n]
    if n == len(rows) - 1 and len(last) > 2 and last[-1].text.strip() == str(n + 1):
        last = last[:-1]    # the next row's number, the rest of its row cut off where the text ends
    return out + [[lead] + last] + rows[n + 1:]


def _rows_by_bar_ends(seg: list[int], lines: list[_Line], text: str, rules: RuleSet) -> Optional[Table]:
    """One cell a line, a bar after each cell, and a lone bar after a row that a span from above
    covered in part (受理总量 over five rows, 商品类 over five): the header's cells give the width, a
    row ends at the width or at a lone bar, and a short row ends on the right (its first cells are
    covered). None unless the lone bars cut rows of unequal figures (then they are not row breaks) and
    every row reads so."""
    items: list[Optional[_C]] = []     # cells; None for a lone bar
    titles: list[_C] = []
    for k in seg:
        ln = lines[k]
        if ln.kind == "rowbreak":
            if len(_PIPE.findall(ln.text)) != 1:
                return None
            items.append(None)
        elif ln.kind == "cell":
            c = _strip_span(text, *(ln.cell or (ln.start, ln.end)))
            if ln.cell is None:
                if any(x is not None for x in items):
                    items.append(c)       # a line without a bar after the cells: the table ends there
                    break
                titles.append(c)          # a caption line above the barred cells
                continue
            items.append(c)
    first = next((i for i, x in enumerate(items) if x is not None and is_figure(x.text, rules)), None)
    if first is None or any(x is None for x in items[:first]):
        return None
    lead = [x for x in items[:first] if x is not None]
    # the lone bars as row breaks: do they cut rows of as many figures each? then they are
    chunks, cur = [], 0
    for x in items[first:]:
        if x is None:
            chunks.append(cur)
            cur = 0
        elif is_figure(x.text, rules):
            cur += 1
    chunks.append(cur)
    if len({n for n in chunks if n}) <= 1:
        return None
    body0 = list(items[first:])
    while body0 and body0[-1] is not None and not is_figure(body0[-1].text, rules) \
            and not _is_empty_mark(body0[-1].text, rules):
        body0.pop()       # the next heading, a label cut off
    # the header: the cells before the first figure but the first row's labels (as few as make every
    # column hold one kind of cell)
    for m in range(0, len(lead) - 1):
        head, width = lead[:len(lead) - m], len(lead) - m
        if width < 2:
            break
        got = _bar_end_rows([*lead[len(lead) - m:], *body0], width, rules)
        if got is not None:
            rows, placed = got
            break
    else:
        return None
    out: list[TableCell] = []
    hr = len(titles) + 1
    for i, c in enumerate(titles):
        out.append(TableCell(i, 0, c.text, c.start, c.end, colspan=width, header=True))
    for j, c in enumerate(head):
        out.append(TableCell(hr - 1, j, c.text, c.start, c.end, header=True))
    placed = {(hr + r, k): c for (r, k), c in placed.items()}
    n_rows = hr + len(rows)
    label_cols = 0
    while label_cols < width - 1 and not any(is_figure(c.text, rules) for (rr, k), c in placed.items()
                                             if k == label_cols):
        label_cols += 1
    for (rr, k), c in sorted(placed.items()):
        span = 1
        while rr + span < n_rows and (rr + span, k) not in placed and \
                all((rr + span, j) not in placed for j in range(k + 1)):
            span += 1         # the cells a span covered: none on the left of this one either
        out.append(TableCell(rr, k, c.text, c.start if c.text else -1, c.end if c.text else -1,
                             rowspan=span, header=k < label_cols))
    starts = [c.start for c in out if c.start >= 0]
    ends = [c.end for c in out if c.end >= 0]
    return Table(cells=tuple(sorted(out, key=lambda c: (c.row, c.col))), n_rows=n_rows, n_cols=width,
                 header_rows=hr, header_cols=label_cols, kind="lines", start=min(starts), end=max(ends))


def _bar_end_rows(body: list[Optional[_C]], width: int, rules: RuleSet):
    """The rows of a run of cells and lone bars (None) at ``width`` (see ``_rows_by_bar_ends``), placed
    on the grid: (rows, {(row, col): cell}); None when a row has no figure or a column holds both
    figures and words."""
    rows: list[tuple[list[_C], bool]] = []     # (cells, ended by a bar)
    row: list[_C] = []
    for x in body:
        if x is None:
            if row:
                rows.append((row, True))
            row = []
            continue
        row.append(x)
        if len(row) == width:
            rows.append((row, False))
            row = []
    if row:
        rows.append((row, False))
    if len(rows) < 2 or any(not _n_figures(r, rules) for r, _ in rows):
        return None
    placed: dict[tuple[int, int], _C] = {}
    prev_first = 0
    for i, (r, barred) in enumerate(rows):
        if len(r) == width:
            base = 0
        elif barred or i < len(rows) - 1:
            base = width - len(r)
        else:
            base = min(prev_first, width - len(r))    # a last row cut short: where the row above began
        prev_first = base
        for j, c in enumerate(r):
            placed[(i, base + j)] = c
    kinds: dict[int, set[bool]] = {}
    for (_, k), c in placed.items():
        if c.text and not _is_empty_mark(c.text, rules):
            kinds.setdefault(k, set()).add(is_figure(c.text, rules))
    if any(len(v) > 1 for v in kinds.values()):
        return None
    return rows, placed


def _rows_by_breaks(seg: list[int], lines: list[_Line], text: str, rules: RuleSet) -> Optional[Table]:
    """One cell a line with a line of bars after each row: the rows are given."""
    rows: list[list[_C]] = [[]]
    for k in seg:
        ln = lines[k]
        if ln.kind == "rowbreak":
            rows.append([])
        elif ln.kind == "cell":
            rows[-1].append(_strip_span(text, *(ln.cell or (ln.start, ln.end))))
    rows = [r for r in rows if r]
    first = next((i for i, r in enumerate(rows) if _n_figures(r, rules)), None)
    if first is None:
        return None
    header, data = rows[:first], rows[first:]
    while data and not _n_figures(data[-1], rules):
        data.pop()
    return _assemble(header, data, "lines", rules, rows_given=True)


def _figures_only(body: list[_C], j: int, width: int, rules: RuleSet) -> bool:
    """Column ``j`` of ``body`` read at ``width`` holds figures and empty cells only, a figure at least."""
    texts = [body[s].text for s in range(j, len(body), width)]
    kinds = {is_figure(t, rules) for t in texts if t and not _is_empty_mark(t, rules)}
    return kinds == {True}


def _period(body: list[_C], n_head: int, rules: RuleSet) -> int:
    """The row width at which every column holds one kind of cell (figures or words); of a width
    and the widths that divide it, the least (header lines above rows of 5 may number 10)."""
    n = len(body)
    kinds_of = [None if not c.text or _is_empty_mark(c.text, rules) else is_figure(c.text, rules) for c in body]

    def fits(w: int) -> bool:
        if n < 2 * w or n % w:
            return False
        has_fig = False
        for j in range(w):
            kinds = {kinds_of[s] for s in range(j, n, w)} - {None}
            if len(kinds) > 1:
                return False
            has_fig |= True in kinds
        return has_fig

    cands = [n_head, n_head - 1, n_head + 1, n_head - 2] + list(range(2, 10))
    for w in dict.fromkeys(c for c in cands if c >= 2):
        if fits(w):
            return next((d for d in range(3, w) if w % d == 0 and fits(d)), w)
    return 0


def _with_caption(t: Table, lines: list[_Line], first: int, rules: RuleSet, inner: bool = False) -> Table:
    """Caption (the short line right before the table), unit line and context. ``inner``: a table cut
    from a block of stacked tables after the first (the lines before it are the table above)."""

    before: list[str] = []
    k = first - 1
    while k >= 0 and len(before) < 3 and not inner:
        s = lines[k].text.strip()
        if s:
            before.insert(0, s)
        k -= 1
    caption = None
    unit = None
    for s in reversed(before):
        m = _UNIT_LINE.match(s)
        if m:
            unit = m.group(1)
            continue
        if len(s) <= 80 and not _SENTENCE.search(s) and lines_kind(s) != "figures":
            caption = s
        break
    # a caption inside the header block: the first title spanning the table (lines tables), or one
    # that names the table (第二十条第（五）项)
    if t.header_rows > 1:
        top = next((c for c in t.cells if c.row == 0 and c.colspan == t.n_cols), None)
        if top is not None and (caption is None and t.kind == "lines" or _is_caption(top.text, rules)):
            caption = top.text
    return replace(t, caption=caption, unit=unit or t.unit, context=" ".join(before))


def lines_kind(s: str) -> str:
    return "figures" if re.fullmatch(r"[\d\s.,%|｜-]+", s) else "words"


def _split_row_ends(lines: list[_Line], text: str) -> list[_Line]:
    """In a run written one cell a line, a line of one cell and the bars of the cells its row's spans
    covered (``0 | ||``, ``8 | |||||||||``) is the cell and a line of bars after it: the row ends."""
    out: list[_Line] = []
    prev = ""
    for ln in lines:
        if ln.kind == "pipe" and prev in ("barred", "rowbreak"):
            cells = _pipe_cells(ln, text)
            if len(cells) >= 2 and cells[0].text and not any(c.text for c in cells[1:]):
                bar = text.index("|", cells[0].end) if "|" in text[cells[0].end:ln.end] else -1
                if bar < 0:
                    bar = text.index("｜", cells[0].end)
                rest = text[bar + 1:ln.end]
                if _PIPE.search(rest):
                    out.append(_Line(ln.start, bar + 1, text[ln.start:bar + 1], "cell", (cells[0].start, cells[0].end)))
                    out.append(_Line(bar + 1, ln.end, rest, "rowbreak"))
                    prev = "rowbreak"
                    continue
        out.append(ln)
        if ln.kind != "blank":
            prev = "barred" if ln.kind == "cell" and ln.cell is not None else ln.kind
    return out


MIN_ONE_LINE_CELLS = 12    # cells of a line that holds a whole table, or several


def _one_line_tables(lines: list[_Line], text: str, rules: RuleSet) -> list[_Line]:
    """A page whose line breaks were lost writes its tables on one line, a bar after each cell, the
    rows one after another (``信息内容 | 本年新制发数量 | … | 规章 | 0 | 0 | 0 | 规范性文件 | 0 | …``), the
    text before the first cell often on the same line. Such a line (no row of bars above or below it,
    a dozen cells at least, words again after figures: several rows) is read as one cell a line with
    a bar after each; of the text before its first bar, what follows the last sentence is cut at its
    runs of spaces (a heading, the table's caption)."""
    out: list[_Line] = []
    for i, ln in enumerate(lines):
        if ln.kind != "pipe" or not _lone_pipe_line(lines, i) or len(_PIPE.findall(ln.text)) < MIN_ONE_LINE_CELLS:
            out.append(ln)
            continue
        cells = _pipe_cells(ln, text)
        figs = [is_figure(c.text, rules) for c in cells]
        if sum(1 for a, b in zip(figs, figs[1:]) if a and not b) < 2:
            out.append(ln)
            continue
        bars = [ln.start + m.start() for m in _PIPE.finditer(ln.text)]
        pieces: list[_Line] = []
        lead = ln.text[:bars[0] - ln.start]
        ends = [m.end() for m in _SENTENCE.finditer(lead)]
        cut = ln.start + (ends[-1] if ends else 0)
        if cut > ln.start:
            pieces.append(_Line(ln.start, cut, text[ln.start:cut], "prose"))
        chunks = [(cut + m.start(), cut + m.end()) for m in re.finditer(r"\S+(?: \S+)*", text[cut:bars[0]])]
        if not ends:     # no sentence before: the text before the first bar is one cell
            chunks = [(chunks[0][0], chunks[-1][1])] if chunks else []
        for a, b in chunks[:-1]:
            pieces.append(_Line(a, b, text[a:b]))
        starts = [chunks[-1][0]] if chunks else [ln.start]
        starts += [b + 1 for b in bars[:-1]]
        for a, bar in zip(starts, bars):
            pieces.append(_Line(a, bar + 1, text[a:bar + 1]))
        if text[bars[-1] + 1:ln.end].strip():
            pieces.append(_Line(bars[-1] + 1, ln.end, text[bars[-1] + 1:ln.end]))
        for p in pieces:
            if not p.kind:
                _classify(p, text, rules)
        out.extend(pieces)
    return out


def _lone_pipe_line(lines: list[_Line], i: int) -> bool:
    """No line divided by bars next to line i (blank lines aside)."""
    for step in (-1, 1):
        k = i + step
        while 0 <= k < len(lines) and lines[k].kind == "blank":
            k += step
        if 0 <= k < len(lines) and lines[k].kind in ("pipe", "rowbreak"):
            return False
    return True


def _cut_last_bar(lines: list[_Line], rules: RuleSet) -> None:
    """A text cut off inside a table written one cell a line with a bar after each cell (``0 |`` then a
    last ``0`` and no line break): its last figure lost only its bar, and is a barred cell like the
    ones before it."""
    i = len(lines) - 1
    last = lines[i]
    if last.kind != "cell" or last.cell is not None or not is_figure(last.text, rules):
        return
    before = [ln for ln in lines[:i] if ln.kind == "cell"][-3:]
    if len(before) == 3 and all(ln.cell is not None for ln in before):
        body = last.text.strip()
        lead = last.text.index(body)
        last.cell = (last.start + lead, last.start + lead + len(body))


def recognise(text: str, rules: RuleSet) -> list[Table]:
    """Every flattened table in ``text``, in text order, with cell spans in ``text``."""
    lines = _lines(text)
    for ln in lines:
        _classify(ln, text, rules)
    _cut_last_bar(lines, rules)
    lines = _one_line_tables(lines, text, rules)
    lines = _split_row_ends(lines, text)
    used: set[int] = set()
    tables = _pipe_tables(lines, text, rules, used)
    tables += _space_tables(lines, text, rules, used)
    tables += _line_tables(lines, text, rules, used)
    return sorted(tables, key=lambda t: t.start)

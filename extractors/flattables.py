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
from dataclasses import dataclass
from typing import Optional

from .ruleset import RuleSet
from .tables import _BARE_UNIT, Table, TableCell, is_figure

MAX_CELL_CHARS = 48            # a line longer than this is not one cell
MAX_HEADER_LINES = 6           # header lines of a spaces table looked at above its first row
_PIPE = re.compile(r"[|｜]")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十]+[章节部分])")
_SENTENCE = re.compile(r"[。！？!?]")
_SPACE_RUN = re.compile(r"[ \t\u3000\xa0]{2,}|\t")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
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
    if cells and not cells[-1].text and line.text.rstrip().endswith(("|", "｜")):
        cells.pop()
    if cells and not cells[0].text and line.text.lstrip().startswith(("|", "｜")):
        cells.pop(0)
    return cells


def _space_cells(line: _Line, text: str) -> list[_C]:
    rx = _SPACE_RUN if _SPACE_RUN.search(line.text.strip()) else _SPACE
    cells, pos = [], 0
    body = line.text
    for m in rx.finditer(body):
        if m.start() > pos:
            cells.append(_strip_span(text, line.start + pos, line.start + m.start()))
        pos = m.end()
    if pos < len(body):
        cells.append(_strip_span(text, line.start + pos, line.start + len(body)))
    return [c for c in cells if c.text]


def _is_empty_mark(s: str, rules: RuleSet) -> bool:
    return s.strip() in rules.tables["cells"]["empty"]


def _split_row(cells: list[_C], rules: RuleSet) -> tuple[list[_C], list[_C]]:
    """Row labels (leading cells without a figure) and the rest."""
    k = 0
    while k < len(cells) and not is_figure(cells[k].text, rules) and not _is_empty_mark(cells[k].text, rules):
        k += 1
    return cells[:k], cells[k:]


def _n_figures(cells: list[_C], rules: RuleSet) -> int:
    return sum(1 for c in cells if is_figure(c.text, rules))


def _classify(ln: _Line, text: str, rules: RuleSet) -> None:
    s = ln.text.strip()
    if not s:
        ln.kind = "blank"
        return
    if _PIPE.search(s):
        if not _PIPE.sub("", s).strip():
            ln.kind = "rowbreak"      # a line of bars only: the end of a row written one cell a line
            return
        cells = _pipe_cells(ln, text)
        if len(cells) >= 2:
            ln.kind = "pipe"
            return
        if len(cells) == 1 and len(cells[0].text) <= MAX_CELL_CHARS and not _SENTENCE.search(s):
            ln.kind, ln.cell = "cell", (cells[0].start, cells[0].end)   # one cell a line, a bar after each
            return
    if not _SENTENCE.search(s):
        cells = _space_cells(ln, text)
        if len(cells) >= 2:
            labels, rest = _split_row(cells, rules)
            # figures after at most three labels; one figure needs a label in words (行政许可 1472)
            need = 1 if labels and _CJK.search(labels[-1].text) and len(s) <= MAX_CELL_CHARS else 2
            if (_n_figures(rest, rules) >= need and len(labels) <= 3 and all(len(c.text) <= 24 for c in labels)
                    and all(is_figure(c.text, rules) or _is_empty_mark(c.text, rules) for c in rest)):
                ln.kind = "srow"
                return
    if (len(s) <= MAX_CELL_CHARS and not _SENTENCE.search(s) and not s.endswith((":", "：", "；", ";"))
            and s.count("，") + s.count(",") <= 2):
        ln.kind = "cell"
        return
    ln.kind = "prose"


def _is_caption(s: str, rules: RuleSet) -> bool:
    s = s.strip()
    if re.match(r"^(?:表\s*[一二三四五六七八九十\d]+|第[一二三四五六七八九十百零\d]+条)", s):
        return True  # 表二; 第二十条第（五）项 (the disclosure report's tables)
    if any(w in s for w in rules.tables["headers"]["caption_words"]):
        return True
    return len(s) >= 6 and s.endswith(tuple(rules.tables["headers"]["caption_suffixes"]))


# -- assembling a grid from rows ----------------------------------------------------------------

def _assemble(header_rows: list[list[_C]], data_rows: list[list[_C]], kind: str, rules: RuleSet,
              cut_last: bool = False, rows_given: bool = False) -> Optional[Table]:
    split = [_split_row(r, rules) for r in data_rows]
    n_vals = max((len(v) for _, v in split), default=0)
    # rows of words only (a header repeated inside the table) do not widen the label columns
    hc = max((len(lab) for lab, v in split if v), default=0)
    if n_vals == 0 or sum(_n_figures(v, rules) for _, v in split) == 0:
        return None
    n_cols = hc + n_vals
    cells: list[TableCell] = []
    hr = len(header_rows)

    cells += _place_headers(header_rows, hc, n_vals, multi=kind == "pipe" or rows_given)

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
        left = cut_last and i == len(split) - 1 and len(vals) < n_vals
        base = hc if left else n_cols - len(vals)
        for j, c in enumerate(vals):
            cells.append(TableCell(r, base + j, c.text, c.start if c.text else -1, c.end if c.text else -1))
    # a row label missing from a row was spanning it from above (a rowspan the text lost)
    n_rows = hr + len(split)
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
                span_of[id(above)] += 1
        for (_, label_col), tc in label_cells.items():
            if label_col == col:
                cells.append(TableCell(tc.row, tc.col, tc.text, tc.start, tc.end,
                                       rowspan=span_of.get(id(tc), 1), header=True))
    starts = [c.start for c in cells if c.start >= 0]
    ends = [c.end for c in cells if c.end >= 0]
    return Table(cells=tuple(sorted(cells, key=lambda c: (c.row, c.col))), n_rows=n_rows, n_cols=n_cols,
                 header_rows=hr, header_cols=hc, kind=kind, start=min(starts), end=max(ends))


def _place_headers(header_rows: list[list[_C]], hc: int, n_vals: int, multi: bool) -> list[TableCell]:
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
            elif above is not None and above[0] + above[2] == r:
                above[2] += 1                      # the rowspan the text lost
                slots[(r, col)] = above
    if short:
        _stack(short, hc, n_vals, put, bottom_row=len(header_rows) - 1 if exact_bottom else None)
    return [TableCell(r, col, c.text, c.start, c.end, rowspan=rs, colspan=cs, header=True)
            for r, col, rs, cs, c in placed]


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


# -- the three forms ------------------------------------------------------------------------------

def _pipe_tables(lines: list[_Line], text: str, rules: RuleSet, used: set[int]) -> list[Table]:
    out = []
    i = 0
    while i < len(lines):
        if lines[i].kind != "pipe":
            i += 1
            continue
        j = i
        block = []
        while j < len(lines) and lines[j].kind in ("pipe", "blank"):
            if lines[j].kind == "pipe":
                block.append(j)
            elif j + 1 < len(lines) and lines[j + 1].kind != "pipe":
                break
            j += 1
        rows = [_pipe_cells(lines[k], text) for k in block]
        first_data = next((n for n, r in enumerate(rows) if _n_figures(r, rules)), None)
        if first_data is not None:
            header, data = rows[:first_data], rows[first_data:]
            last_line = lines[block[-1]]
            cut = not last_line.text.rstrip().endswith(("|", "｜")) and not text[last_line.end:].strip()
            t = _assemble(header, data, "pipe", rules, cut_last=cut)
            if t is not None:
                out.append(_with_caption(t, lines, i, rules))
                used.update(range(i, block[-1] + 1))
        i = max(j, i + 1)
    return out


def _space_tables(lines: list[_Line], text: str, rules: RuleSet, used: set[int]) -> list[Table]:
    out = []
    i = 0
    while i < len(lines):
        if lines[i].kind != "srow" or i in used:
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].kind == "srow":
            j += 1
        # header lines above: short tokens, no figures, no sentence
        h = i - 1
        heads: list[int] = []
        while h >= 0 and len(heads) < MAX_HEADER_LINES and h not in used:
            ln = lines[h]
            s = ln.text.strip()
            if not s:
                h -= 1
                continue
            if _HEADING.match(s) or _SENTENCE.search(s) or ln.kind == "prose" and len(s) > MAX_CELL_CHARS:
                break
            toks = _space_cells(ln, text)
            if not toks or any(is_figure(c.text, rules) for c in toks) or any(len(c.text) > 16 for c in toks):
                break
            if len(toks) == 1 and len(toks[0].text) == 1:
                break  # a header written down one character a line: which column it names is lost
            if len(toks) == 1 and _is_caption(s, rules):
                break
            heads.insert(0, h)
            h -= 1
        header = [_space_cells(lines[k], text) for k in heads]
        data = [_space_cells(lines[k], text) for k in range(i, j)]
        t = _assemble(header, data, "spaces", rules)
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
        for seg in _segments(run, lines, rules):
            t = _line_table(seg, lines, text, rules)
            if t is not None:
                first = next(k for k in seg if lines[k].kind == "cell")
                out.append(_with_caption(t, lines, first, rules))
                used.update(range(seg[0], seg[-1] + 1))
        i = max(j, i + 1)
    return out


def _segments(run: list[int], lines: list[_Line], rules: RuleSet) -> list[list[int]]:
    """A run of cell lines cut where a caption starts a new table."""
    segs: list[list[int]] = [[]]
    seen_figure = False
    for k in run:
        ln = lines[k]
        if ln.kind == "cell" and seen_figure and _is_caption(ln.text, rules):
            segs.append([])
            seen_figure = False
        segs[-1].append(k)
        if ln.kind == "cell" and is_figure(ln.text, rules):
            seen_figure = True
    return [s for s in segs if s]


def _line_table(seg: list[int], lines: list[_Line], text: str, rules: RuleSet) -> Optional[Table]:
    # cells with the empty cells that blank lines stand for
    content = [k for k in seg if lines[k].kind == "cell"]
    if len(content) < 4:
        return None
    gaps = []
    for a, b in zip(content, content[1:]):
        gaps.append(b - a - 1)
    sep = max(set(gaps), key=gaps.count) if gaps else 0
    cells: list[_C] = []
    for n_, k in enumerate(content):
        if n_:
            g = gaps[n_ - 1]
            if g > sep:
                cells.extend(_C("", -1, -1) for _ in range((g - sep) // (sep + 1)))
        ln = lines[k]
        cells.append(_strip_span(text, *(ln.cell or (ln.start, ln.end))))
    if any(lines[k].kind == "rowbreak" for k in seg):
        return _rows_by_breaks(seg, lines, text, rules)
    figs = [is_figure(c.text, rules) for c in cells]
    # two figures at least; one is enough under a caption (第二十条第（五）项 / 信息内容 / 本年处理决定数量 / 行政许可 / 1472)
    n_figs = sum(figs)
    if n_figs == 0 or n_figs < (1 if _is_caption(cells[0].text, rules) and figs.index(True) >= 3 else 2):
        return None
    first_fig = figs.index(True)
    head = [c for c in cells[:first_fig] if c.text]
    body = cells[first_fig:]
    # lines after the last row of figures (the next heading, a label cut off) are not the table's
    while body and body[-1].text and not is_figure(body[-1].text, rules) and not _is_empty_mark(body[-1].text, rules):
        body.pop()
    while body and not body[-1].text:
        body.pop()
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
    else:
        width = _period(body, n_head, rules)
        if width:
            rows = [body[s:s + width] for s in range(0, len(body), width)]
        else:
            # a row starts at each label after a figure; the label just before the first figure too
            if head and not _is_caption(head[-1].text, rules) and len(head) > 1:
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
            width = max(len(_split_row(r, rules)[1]) for r in rows)
    # header: the last `width` lines are the leaf headers; lines above them are titles
    leaves = head[-width:] if len(head) >= width else head
    if len(leaves) == 1 and _is_caption(leaves[0].text, rules) and texts_in_body:
        leaves = []  # the table's name over a column of figures led by labels
    titles = head[:len(head) - len(leaves)]
    header = [[t] for t in titles] + ([leaves] if leaves else [])
    ends = [c.end for c in rows[-1] if c.end >= 0]
    cut = bool(ends) and not text[max(ends):].strip()
    return _assemble(header, rows, "lines", rules, cut_last=cut)


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


def _period(body: list[_C], n_head: int, rules: RuleSet) -> int:
    """The row width at which every column holds one kind of cell (figures or words)."""
    n = len(body)
    cands = [n_head, n_head - 1, n_head + 1, n_head - 2] + list(range(2, 10))
    for w in dict.fromkeys(c for c in cands if c >= 2):
        if n < 2 * w or n % w not in (0,):
            continue
        ok = True
        has_fig = False
        for j in range(w):
            kinds = set()
            for s in range(j, n, w):
                t = body[s].text
                if not t or _is_empty_mark(t, rules):
                    continue
                kinds.add(is_figure(t, rules))
            if len(kinds) > 1:
                ok = False
                break
            has_fig |= True in kinds
        if ok and has_fig:
            return w
    return 0


def _with_caption(t: Table, lines: list[_Line], first: int, rules: RuleSet) -> Table:
    """Caption (the short line right before the table), unit line and context."""
    from dataclasses import replace

    before: list[str] = []
    k = first - 1
    while k >= 0 and len(before) < 3:
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
    # a caption inside the header block (lines tables): the first title spanning the table
    if t.kind == "lines" and t.header_rows > 1:
        top = next((c for c in t.cells if c.row == 0 and c.colspan == t.n_cols), None)
        if top is not None and (caption is None or _is_caption(top.text, rules)):
            caption = top.text
    return replace(t, caption=caption, unit=unit, context=" ".join(before))


def lines_kind(s: str) -> str:
    return "figures" if re.fullmatch(r"[\d\s.,%|｜-]+", s) else "words"


def recognise(text: str, rules: RuleSet) -> list[Table]:
    """Every flattened table in ``text``, in text order, with cell spans in ``text``."""
    lines = _lines(text)
    for ln in lines:
        _classify(ln, text, rules)
    used: set[int] = set()
    tables = _pipe_tables(lines, text, rules, used)
    tables += _space_tables(lines, text, rules, used)
    tables += _line_tables(lines, text, rules, used)
    return sorted(tables, key=lambda t: t.start)

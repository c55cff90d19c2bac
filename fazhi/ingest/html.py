"""The main text of an HTML page (selectolax / Lexbor), without the government-site chrome.

1. Script, style, forms, ``nav``/``header``/``footer``/``aside`` and the like go.
2. The content block is found: the first of the selectors that government
   CMSs use (``#zoom``, ``.TRS_Editor``, ``#UCAP-CONTENT`` …) that holds a
   real share of the page's text, else the element whose paragraphs hold the
   most text, else ``<body>``.
3. Inside it, blocks whose class or id names chrome (share bars, print and
   close links, font-size switches, related links, breadcrumbs …) go,
   unless they hold most of the text.
4. Block elements become line breaks (``<p>``, ``<div>``, ``<br>``,
   table rows …); inline whitespace collapses as a browser would.
5. Lines that are chrome by their words (``【字体：大 中 小】``, ``打印本页``,
   ``关闭窗口``, ``分享到``, ``上一篇`` …) go.
6. The headline (``<meta name="ArticleTitle">``, ``<h1>``, else the
   ``<title>`` before its site suffix) is put first when the block lacks it.

Breadcrumbs and ``相关新闻`` tails that survive are the cleaner's job
(``clean.py``), as for plain text.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_DROP_TAGS = ("script, style, noscript, template, iframe, svg, canvas, object, embed, form, select, button, "
              "input, textarea, nav, header, footer, aside, map, video, audio, link, meta")
_CONTENT_SELECTORS = (
    "#zoom", ".TRS_Editor", "#UCAP-CONTENT", ".pages_content", "#Zoom", ".zoom", ".article-content",
    ".article_content", ".articleContent", ".content-text", ".contentText", ".art_con", ".arti_content",
    ".detail-content", ".detail_content", ".news_content", ".wz_content", ".xxgk_content", "#content",
    ".content", "article", "#main", ".main",
)
_CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|bread|position|location|dqwz|share|bdshare|fenxiang|"
    r"footer|foot|bottom|header|topbar|sidebar|side|aside|related|xgxw|xgwz|xglj|relevant|recommend|print|dayin|"
    r"close|toolbar|tools|copyright|banner|search|login|logo|qrcode|ewm|erweima|weixin|wechat|weibo|"
    r"friend-?links?|yqlj|pager|pagination|fontsize|font-size|zihao|comment)(?:$|[\s_-]|\d)",
    re.IGNORECASE)
_BLOCK = ("p, div, br, li, ul, ol, dl, dt, dd, tr, table, h1, h2, h3, h4, h5, h6, section, article, blockquote, "
          "pre, hr, center, address, figure, figcaption, caption, tbody, thead")
_CELL = "td, th"
_MARK = "\uf8ff"  # private-use character: a block boundary while the text is flattened
_WS = re.compile(r"[ \t\r\n\f]+")
_CHROME_LINE = re.compile(
    r"^(?:[【\[]?\s*(?:字体|字号)\s*[:：]|[【\[]?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|返回顶部|收藏|"
    r"分享到?|扫一扫)\s*[】\]]?\s*$|分享到\s*[:：]|上一篇|下一篇|浏览次数|访问量|阅读次数|"
    r"【\s*(?:打印|关闭|字体|大|中|小)\s*】)")
_TITLE_SUFFIX = re.compile(r"\s*[_|｜\-—–]+\s*[^_|｜\-—–]*(?:政府|网站|门户|人民|网)[^_|｜\-—–]*$")


def main_text(html: str, tables: list | None = None) -> str:
    """Plain text of the page's main content, one block per line (see the module docstring).

    With a list for ``tables``, the page's data tables are appended to it
    (``extractors.tables.Table``, cells not yet located) and each is written
    as one line per row, cells divided by `` | `` (:func:`take_tables`).
    """
    tree = LexborHTMLParser(html)
    headline = _headline(tree)
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    body = tree.body or tree.root
    if body is None:
        return headline or ""
    root = _content_root(body)
    _drop_chrome_blocks(root)
    if tables is not None:
        tables.extend(take_tables(root))
    lines = [ln for ln in _lines(root) if not _CHROME_LINE.match(ln)]
    if headline and not any(headline in ln for ln in lines[:3]):
        lines.insert(0, headline)
    return "\n".join(lines)


def _text_len(node) -> int:
    return len(_WS.sub("", node.text(deep=True, separator="") or ""))


def _headline(tree) -> str | None:
    meta = tree.css_first('meta[name="ArticleTitle"]') or tree.css_first('meta[property="og:title"]')
    if meta is not None and (meta.attributes.get("content") or "").strip():
        return _WS.sub(" ", meta.attributes["content"]).strip()
    h1 = tree.css_first("h1")
    if h1 is not None and 4 <= _text_len(h1) <= 120:
        return _WS.sub(" ", h1.text(deep=True, separator="")).strip()
    title = tree.css_first("title")
    if title is not None:
        text = _TITLE_SUFFIX.sub("", _WS.sub(" ", title.text(deep=True, separator="")).strip())
        if 4 <= len(text) <= 120:
            return text
    return None


def _content_root(body):
    total = _text_len(body)
    for selector in _CONTENT_SELECTORS:
        node = body.css_first(selector)
        if node is not None and _text_len(node) >= max(50, 0.3 * total):
            return node
    scores: dict[int, tuple[int, object]] = {}
    for p in body.css("p"):
        parent = p.parent
        if parent is None:
            continue
        n = _text_len(p)
        key = parent.mem_id
        old = scores.get(key, (0, parent))[0]
        scores[key] = (old + n, parent)
    if scores:
        best, node = max(scores.values(), key=lambda sv: sv[0])
        if best >= 0.3 * total:
            return node
    return body


def _drop_chrome_blocks(root) -> None:
    total = max(1, _text_len(root))
    for node in root.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _CHROME_NAME.search(names) and _text_len(node) < 0.3 * total:
            node.decompose()


def _lines(root) -> list[str]:
    for node in root.css(_BLOCK):
        node.insert_before(_MARK)
        if node.tag != "br":
            node.insert_after(_MARK)
    for node in root.css(_CELL):
        node.insert_after(" ")
    flat = _WS.sub(" ", root.text(deep=True, separator="") or "")
    return [ln.strip() for ln in flat.split(_MARK) if ln.strip()]


# -- data tables ------------------------------------------------------------------------------------
# A data table (rows and columns of short cells, a figure in some) keeps its
# structure: the grid with rowspan/colspan resolved, header cells (<th>,
# <thead>) marked. Tables used for page layout (one row or column, long
# blocks of text in cells, tables inside) are left to the text flattening.

MAX_DATA_CELL_CHARS = 200
MAX_TABLE_CELLS = 20_000
_FIGURE = re.compile(r"(?<![0-9A-Za-z])[0-9０-９]")


def _own_rows(table) -> list:
    """The table's rows, not those of tables nested inside it."""
    rows = []
    for node in table.css("tr"):
        parent = node.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is not None and parent.mem_id == table.mem_id:
            rows.append(node)
    return rows


def _span(node, name: str) -> int:
    try:
        return max(1, min(100, int((node.attributes.get(name) or "1").strip() or 1)))
    except ValueError:
        return 1


def _cell_text(node) -> str:
    return _WS.sub(" ", node.text(deep=True, separator=" ") or "").strip()


def table_grid(table) -> list[tuple[int, int, int, int, str, bool]] | None:
    """``(row, col, rowspan, colspan, text, header)`` per cell of a data table, or None for a
    layout table (see above)."""
    if any(t.mem_id != table.mem_id for t in table.css("table")):
        return None  # a table holding tables lays out the page
    rows = _own_rows(table)
    if len(rows) < 2:
        return None
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, tr in enumerate(rows):
        in_head = tr.parent is not None and tr.parent.tag == "thead"
        col = 0
        for td in (c for c in tr.iter() if c.tag in ("td", "th")):
            while (r, col) in taken:
                col += 1
            rs, cs = _span(td, "rowspan"), _span(td, "colspan")
            rs = min(rs, len(rows) - r)
            text = _cell_text(td)
            if len(text) > MAX_DATA_CELL_CHARS:
                return None
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, col + dc))
            cells.append((r, col, rs, cs, text, td.tag == "th" or in_head))
            col += cs
            if len(cells) > MAX_TABLE_CELLS:
                return None
    n_cols = max((c + cs for _, c, _, cs, _, _ in cells), default=0)
    if n_cols < 2 or not any(_FIGURE.search(t) for *_, t, _ in cells):
        return None
    return cells


def take_tables(root) -> list:
    """Replace each data table under ``root`` by its rows as text lines (`` | `` between cells);
    return the tables (innermost first when nested, then in page order)."""
    from extractors.tables import Table, TableCell

    found = []
    for order, node in enumerate(reversed(root.css("table"))):
        grid = table_grid(node)
        if grid is None:
            continue
        n_rows = max(r + rs for r, _, rs, _, _, _ in grid)
        n_cols = max(c + cs for _, c, _, cs, _, _ in grid)
        caption_node = node.css_first("caption")
        caption = _cell_text(caption_node) if caption_node is not None else None
        lines = []
        for r in range(n_rows):
            row = sorted((c for c in grid if c[0] == r), key=lambda c: c[1])
            if row:
                lines.append(" | ".join(t for *_, t, _ in row))
        head_rows = 0
        for r in range(n_rows):
            row = [c for c in grid if c[0] == r]
            if row and all(h for *_, h in row):
                head_rows += 1
            else:
                break
        cells = tuple(TableCell(r, c, t, rowspan=rs, colspan=cs, header=h) for r, c, rs, cs, t, h in grid)
        found.append((order, Table(cells=cells, n_rows=n_rows, n_cols=n_cols, header_rows=head_rows,
                                   caption=caption or None, kind="html")))
        text = _MARK + ((caption + _MARK) if caption else "") + _MARK.join(lines) + _MARK
        node.replace_with(text)
    return [t for _, t in sorted(found, key=lambda ot: -ot[0])]

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
_TITLE_SEPARATORS = "_|｜-—–"
_SITE_WORDS = ("政府", "网站", "门户", "人民", "网")
# deeper than this, the parser's tree building gets slow (quadratic in depth); real pages stay far below
MAX_DEPTH = 256
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})\b[^<>]{0,4096}>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# opened again, these close the open one (an unclosed <p> or <li> is not nesting)
_SIBLING_CLOSES = frozenset("p li dt dd tr td th option".split())


def main_text(html: str, tables: list | None = None) -> str:
    """Plain text of the page's main content, one block per line (see the module docstring).

    With a list for ``tables``, the page's data tables are appended to it
    (``extractors.tables.Table``, cells not yet located) and each is written
    as one line per row, cells divided by `` | `` (:func:`take_tables`).
    """
    tree = LexborHTMLParser(bounded_nesting(html))
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


def bounded_nesting(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` with the start and end tags nested deeper than ``max_depth`` left out (their text stays).

    One pass over the tags with a stack (void elements do not nest, an unclosed
    ``<p>``/``<li>``/``<td>`` … is closed by its next sibling, an end tag closes
    up to its start tag), so the parser never sees a pathological depth:
    100,000 nested ``<div>`` parse in well under a second instead of minutes.
    A page within the depth is returned unchanged.
    """
    if html.count("<") <= max_depth:
        return html
    stack: list[tuple[str, bool]] = []   # (tag, kept)
    drop: list[tuple[int, int]] = []
    for m in _TAG.finditer(html):
        closing, name = m.group(1), m.group(2).lower()
        if name in _VOID:
            continue
        if not closing:
            if name in _SIBLING_CLOSES and stack and stack[-1][0] == name:
                stack.pop()
            kept = len(stack) < max_depth
            stack.append((name, kept))
            if not kept:
                drop.append(m.span())
            continue
        for i in range(len(stack) - 1, max(-1, len(stack) - 64), -1):  # look a little way down, not all of it
            if stack[i][0] == name:
                if not stack[i][1]:
                    drop.append(m.span())
                del stack[i:]
                break
    if not drop:
        return html
    parts, last = [], 0
    for start, end in drop:
        parts.append(html[last:start])
        last = end
    parts.append(html[last:])
    return "".join(parts)


def strip_title_suffix(title: str) -> str:
    """A ``<title>`` without its site suffix (``… _ 某某区人民政府``): the text after the last
    separator goes when it names a site. Linear in the title's length."""
    cut = max(title.rfind(c) for c in _TITLE_SEPARATORS)
    if cut < 0:
        return title
    tail = title[cut + 1:]
    if not any(w in tail for w in _SITE_WORDS):
        return title
    return title[:cut + 1].rstrip().rstrip(_TITLE_SEPARATORS).rstrip()


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
        text = strip_title_suffix(_WS.sub(" ", title.text(deep=True, separator="")[:2000]).strip())
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


# -- the page's own metadata --------------------------------------------------
# Government CMSs carry the report's identity outside its text: meta tags
# (SiteName, ArticleTitle, PubDate, ContentSource, ColumnName), a publication
# line (发布时间：… 来源：… 发布机构：…), an information table of 政务公开 pages,
# a breadcrumb. ``main_text`` leaves them out of the text (they would yield
# records); ``page_meta`` keeps them for the document fields
# (``extractors.meta.document_meta``), which parses the labels.

_META_TAGS = {
    "sitename": "site_name", "og:site_name": "site_name", "site_name": "site_name",
    "articletitle": "article_title", "og:title": "article_title",
    "pubdate": "pub_date", "publishdate": "pub_date", "firstpublishedtime": "pub_date",
    "article:published_time": "pub_date", "publishtime": "pub_date",
    "contentsource": "content_source", "source": "content_source",
    "columnname": "column_name", "author": "author",
}
# a label also spaced out as an information table pads it: 发 布 机 构, 发 文 日 期
_INFO_LABEL = re.compile("|".join(
    "[ \u3000\xa0]*".join(label) for label in (
        "发布时间", "发布日期", "发布机构", "发文机关", "信息来源", "文章来源", "成文日期", "发文日期", "更新时间", "发布于",
        "发稿时间", "添加时间", "录入时间", "公布日期", "公布时间")) + r"|来源\s*[:：]|作者\s*[:：]")
_CRUMB_NAME = re.compile(r"(?:^|[\s_-])(?:breadcrumbs?|crumbs?|bread|position|location|dqwz|curpos)(?:$|[\s_-]|\d)",
                         re.IGNORECASE)
_CRUMB_TEXT = re.compile(r"^\s*(?:当前位置|您的位置|您现在的位置|所在位置|现在位置)\s*[:：]?")
_INFO_MAX = 300


def page_meta(html: str) -> dict:
    """The page's metadata, as written: ``site_name``, ``article_title``, ``pub_date``,
    ``content_source``, ``column_name``, ``author`` (meta tags; ``site_name`` else from the end of
    the ``<title>``: …的报告_广东省司法厅网站), ``info`` (the publication
    lines and information-table rows, one a line), ``breadcrumb``. Keys without a value
    are left out."""
    tree = LexborHTMLParser(bounded_nesting(html))
    out: dict[str, str] = {}
    for node in tree.css("meta[name], meta[property]"):
        key = (node.attributes.get("name") or node.attributes.get("property") or "").strip().lower()
        field = _META_TAGS.get(key)
        value = _WS.sub(" ", node.attributes.get("content") or "").strip()
        if field and value and field not in out:
            out[field] = value
    if "site_name" not in out:
        site = _site_from_title(tree)
        if site:
            out["site_name"] = site
    body = tree.body
    if body is None:
        return out
    for node in body.css("script, style, noscript, template"):
        node.decompose()
    info = _info_lines(body)
    if info:
        out["info"] = "\n".join(info)
    crumb = _breadcrumb(body)
    if crumb:
        out["breadcrumb"] = crumb
    return out


_TITLE_SEP = re.compile(r"\s*[_|｜–—]\s*|\s+-\s+|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff])")
_SITE_TAIL = re.compile(r"(?:门户网站|政府网站|网站|门户网|门户|官网|网)$")
_SITE_BODY = re.compile(r"(?:政府|厅|局|委员会|委|办公室|办|街道|镇|乡|区|县|市|省|部)$")


def _site_from_title(tree) -> str | None:
    """The site's name from the ``<title>`` when no meta tag gives it: the last part after
    a separator that names a body (关于2022年…的报告_广东省司法厅网站 -> 广东省司法厅)."""
    node = tree.css_first("head title") or tree.css_first("title")
    text = _WS.sub(" ", node.text() if node else "").strip()
    parts = [p for p in _TITLE_SEP.split(text) if p]
    if len(parts) < 2:
        return None
    last = parts[-1]
    name = last if _SITE_BODY.search(last) else _SITE_TAIL.sub("", last)
    return name if 2 <= len(name) <= 30 and _SITE_BODY.search(name) else None


def _flat(node) -> str:
    return _WS.sub(" ", node.text(deep=True, separator=" ") or "").strip()


def _info_lines(body) -> list[str]:
    """For each text that holds a publication label, the largest element around it of at most
    ``_INFO_MAX`` characters (the whole publication line, not the one ``<span>``)."""
    picked: dict[int, str] = {}
    for node in body.traverse(include_text=True):
        if node.tag != "-text" or not _INFO_LABEL.search(node.text_content or ""):
            continue
        best, parent = None, node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            text = _flat(parent)
            if len(text) > _INFO_MAX:
                break
            best, parent = parent, parent.parent
        if best is not None and best.mem_id not in picked:
            picked[best.mem_id] = _flat(best)
        if len(picked) >= 8:
            break
    lines: list[str] = []
    for text in picked.values():
        if text and text not in lines and not any(text in other for other in lines):
            lines = [ln for ln in lines if ln not in text] + [text]
    return lines


def _breadcrumb(body) -> str | None:
    for node in body.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _CRUMB_NAME.search(names):
            text = _flat(node)
            if 2 <= len(text) <= 200:
                return text
    for node in body.traverse(include_text=True):
        if node.tag == "-text" and _CRUMB_TEXT.match(node.text_content or ""):
            best, parent = None, node.parent
            while parent is not None and parent.tag not in ("body", "html"):
                text = _flat(parent)
                if len(text) > 200:
                    break
                best, parent = text, parent.parent
            return best
    return None
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

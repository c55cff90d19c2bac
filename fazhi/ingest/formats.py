"""Document bytes -> plain text, by format detected from the content.

The bytes decide, not the file name or the Content-Type (both are often
wrong on government sites):

- ``%PDF-`` near the start: PDF; the text layer is read with pypdf, lines
  that a page wrapped are joined again. A PDF without a text layer (a scan)
  is ``NoTextLayer``.
- a ZIP holding ``word/document.xml``: DOCX, read with python-docx
  (paragraphs and table rows in body order; images become ``[image: …]``
  placeholders that the cleaner drops). The archive is checked first: entry
  count, total uncompressed size and compression ratio are capped, and the
  entries are read through a counting stream, so a zip bomb is
  ``DecompressionBomb`` before python-docx sees it.
- other known binary formats (legacy .doc/.xls, other ZIPs, images, audio,
  video, archives): ``UnsupportedFormat``.
- everything else is text: decoded (``decode.py``), then HTML when it looks
  like markup (its main text is taken, ``html.py``), else plain text.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from fazhi.ingest.decode import Decoded, declared_charset, decode_bytes

# caps for formats that expand: a DOCX is a ZIP, a PDF has compressed streams
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200           # per entry, for entries above 1 MiB uncompressed
MAX_PDF_PAGES = 2000
MIN_PDF_TEXT_CHARS = 20


class UnsupportedFormat(ValueError):
    """Bytes of a format we do not read (an image, a legacy .doc, an archive …)."""


class DecompressionBomb(ValueError):
    """An archive that would expand past the caps."""


class NoTextLayer(ValueError):
    """A PDF without extractable text (scanned pages)."""


class BrokenDocument(ValueError):
    """A DOCX or PDF that its library cannot open."""


@dataclass(frozen=True)
class Content:
    text: str
    encoding: str | None      # of a text or HTML document; None for DOCX and PDF
    format: str               # text | html | docx | pdf
    meta: dict = field(default_factory=dict)  # an HTML page's own metadata (html.page_meta)
    tables: tuple = ()        # the document's data tables (extractors.tables.Table), cells not yet located


_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an OLE2 file (a Word 97-2003 .doc, WPS .wps, .xls or .ppt): save it as .docx or PDF and pass that file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF file (WebP/WAV/AVI)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "an executable"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 video"),
)

# the first tag of a page, once the XML declaration and comments before it are skipped
_HTML_FIRST_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|table)\b", re.IGNORECASE)
_XML_DECL = re.compile(r"<\?xml[^>]{0,1000}>")
_HTML_TAGS = re.compile(r"<(?:html|body|div|p|br|table|span|meta|title)\b[^>]*>", re.IGNORECASE)


def sniff(data: bytes) -> str:
    """``pdf``, ``docx``, ``zip``, ``binary:<what>`` or ``text`` (HTML is told apart after decoding)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, EOFError):
            return "binary:a damaged ZIP archive"
        if "word/document.xml" in names:
            return "docx"
        return "binary:a ZIP archive that is not a DOCX"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f"binary:{what}"
    return "text"


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return _starts_with_html_tag(head) or len(_HTML_TAGS.findall(head)) >= 3


def _starts_with_html_tag(head: str) -> bool:
    """True when ``head``, after whitespace, an XML declaration and any number of ``<!-- … -->``
    comments, starts with an HTML tag. A plain scan, each comment skipped by ``find``: linear in
    the head's length however many comments there are (a backtracking pattern doubled its time
    with each comment)."""
    pos = len(head) - len(head.lstrip())
    decl = _XML_DECL.match(head, pos)
    if decl:
        pos = decl.end()
    while True:
        while pos < len(head) and head[pos].isspace():
            pos += 1
        if not head.startswith("<!--", pos):
            break
        end = head.find("-->", pos + 4)
        if end < 0:
            return False
        pos = end + 3
    return bool(_HTML_FIRST_TAG.match(head, pos))


def to_text(data: bytes, content_type: str | None = None) -> Content:
    """The plain text of a document's bytes (see the module docstring)."""
    kind = sniff(data)
    if kind == "pdf":
        return Content(text=pdf_text(data), encoding=None, format="pdf")
    if kind == "docx":
        tables: list = []
        return Content(text=docx_text(data, tables), encoding=None, format="docx", tables=tuple(tables))
    if kind.startswith("binary:"):
        raise UnsupportedFormat(f"not a text, HTML, DOCX or PDF document: {kind[7:]}")
    hint = declared_charset(data, content_type)
    decoded: Decoded = decode_bytes(data, hint=hint)
    if looks_like_html(decoded.text):
        from fazhi.ingest.html import main_text, page_meta

        tables = []
        return Content(text=main_text(decoded.text, tables), encoding=decoded.label, format="html",
                       meta=page_meta(decoded.text), tables=tuple(tables))
    return Content(text=decoded.text, encoding=decoded.label, format="text")


# -- DOCX ---------------------------------------------------------------------

def check_zip(data: bytes, *, max_total: int = MAX_UNCOMPRESSED_BYTES, max_entries: int = MAX_ZIP_ENTRIES) -> None:
    """Refuse a ZIP that expands past the caps; decompresses every entry through a counting stream.

    Declared sizes are checked first (cheap), then the real ones (the header
    may lie): reading stops as soon as the running total passes ``max_total``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise BrokenDocument(f"damaged ZIP container: {exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise DecompressionBomb(f"{len(infos)} entries in the archive (cap {max_entries})")
        declared = sum(i.file_size for i in infos)
        if declared > max_total:
            raise DecompressionBomb(f"archive declares {declared} uncompressed bytes (cap {max_total})")
        for info in infos:
            if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(1, info.compress_size):
                raise DecompressionBomb(
                    f"{info.filename}: compression ratio {info.file_size // max(1, info.compress_size)}:1 "
                    f"(cap {MAX_COMPRESSION_RATIO}:1)")
        total = 0
        for info in infos:
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(1024 * 1024):
                        total += len(chunk)
                        if total > max_total:
                            raise DecompressionBomb(f"archive expands past {max_total} bytes")
            except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
                raise BrokenDocument(f"damaged ZIP entry {info.filename}: {exc}") from None


def docx_text(data: bytes, tables: list | None = None) -> str:
    """Paragraphs and table rows of a DOCX in body order; images as ``[image: name]``.

    A table is one line per row, cells divided by `` | ``, a merged cell once;
    with a list for ``tables``, each table's grid (``extractors.tables.Table``,
    merged cells as rowspan/colspan) is appended to it (:func:`docx_table`)."""
    check_zip(data)
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise BrokenDocument(f"python-docx cannot open it: {type(exc).__name__}: {exc}") from None

    def paragraph_line(p: Paragraph) -> str:
        parts = []
        for child in p._p.iter():
            if child.tag == qn("w:t"):
                parts.append(child.text or "")
            elif child.tag in (qn("w:tab"),):
                parts.append(" ")
            elif child.tag in (qn("w:br"), qn("w:cr")):
                parts.append("\n")
            elif child.tag in (qn("w:drawing"), qn("w:pict")):
                names = [e.get("name") or e.get("descr") or "" for e in child.iter(qn("wp:docPr"))]
                parts.append(f"[image: {names[0] if names and names[0] else 'image'}]")
        return "".join(parts)

    lines = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(paragraph_line(Paragraph(child, document)))
        elif child.tag == qn("w:tbl"):
            table, rows = docx_table(child, lambda p: paragraph_line(Paragraph(p, document)))
            if tables is not None and table is not None:
                tables.append(table)
            lines.extend(rows)
    return "\n".join(lines)


def docx_table(tbl, line_of) -> tuple[object | None, list[str]]:
    """A Word table's grid and its text lines. ``line_of(w:p)`` gives a paragraph's text.

    ``w:gridSpan`` is a colspan; ``w:vMerge`` continuing a cell above extends
    that cell's rowspan. Tables nested in a cell are read as the cell's text."""
    from docx.oxml.ns import qn

    from extractors.tables import Table, TableCell

    cells: list[list] = []          # [row, col, rowspan, colspan, text]
    by_pos: dict[tuple[int, int], list] = {}
    lines = []
    r = -1
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr"))):
        col = 0
        row_texts = []
        for tc in tr.iterchildren(qn("w:tc")):
            pr = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if pr is not None:
                gs = pr.find(qn("w:gridSpan"))
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(qn("w:val")) or 1))
                    except ValueError:
                        span = 1
                vm = pr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val")) or "continue"
            text = " ".join(line_of(p) for p in tc.iter(qn("w:p"))).strip()
            above = by_pos.get((r - 1, col))
            if vmerge == "continue" and above is not None:
                above[2] = r - above[0] + 1
                for k in range(span):
                    by_pos[(r, col + k)] = above
            else:
                cell = [r, col, 1, span, text]
                cells.append(cell)
                for k in range(span):
                    by_pos[(r, col + k)] = cell
                if text:
                    row_texts.append(text)
            col += span
        lines.append(" | ".join(row_texts))
    n_rows = r + 1
    n_cols = max((c[1] + c[3] for c in cells), default=0)
    if n_rows < 2 or n_cols < 2:
        return None, lines
    table = Table(cells=tuple(TableCell(c[0], c[1], c[4], rowspan=c[2], colspan=c[3]) for c in cells),
                  n_rows=n_rows, n_cols=n_cols, kind="docx")
    return table, lines


# -- PDF ----------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？；：!?;:」』”）)】]$")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百\d]+[）)]|\d+[.、．]|第[一二三四五六七八九十百]+[章节部分条]"
    r"|[一二三四五六七八九十]是)")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-—–])?$|^\d+\s*/\s*\d+$")


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, with lines that the page layout wrapped joined again."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise BrokenDocument(f"encrypted PDF: {exc}") from None
        n_pages = len(reader.pages)
        if n_pages > MAX_PDF_PAGES:
            raise DecompressionBomb(f"{n_pages} pages (cap {MAX_PDF_PAGES})")
        pages, total = [], 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise DecompressionBomb(f"text layer past {MAX_UNCOMPRESSED_BYTES} characters")
            pages.append(text)
    except (BrokenDocument, DecompressionBomb):
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise BrokenDocument(f"pypdf cannot read it: {type(exc).__name__}: {exc}") from None
    lines = [ln for page in pages for ln in _without_page_number([x.strip() for x in page.splitlines()])]
    if sum(len(re.sub(r"\s", "", ln)) for ln in lines) < MIN_PDF_TEXT_CHARS:
        raise NoTextLayer(f"no text layer ({n_pages} pages; scanned images need OCR, which this pipeline does not do)")
    return "\n".join(reflow(lines))


def _without_page_number(lines: list[str]) -> list[str]:
    """A page's lines without its page number: a bare number on its first or last line only (a bare
    number inside the page is a table cell written one a line)."""
    lines = [ln for ln in lines if ln]
    for i in (0, -1):
        if lines and _PAGE_NUMBER.match(lines[i]):
            lines.pop(i)
    return lines


def reflow(lines: list[str], width_share: float = 0.8) -> list[str]:
    """Join lines that a PDF page wrapped: a line near the usual full width that ends mid-sentence
    continues on the next, unless the next starts a heading."""
    if not lines:
        return lines
    widths = sorted(_width(ln) for ln in lines)
    full = widths[int(len(widths) * 0.9)] if len(widths) >= 5 else max(widths)
    out: list[str] = []
    joining = False
    for ln in lines:
        if joining and not _HEADING.match(ln):
            out[-1] += ln
        else:
            out.append(ln)
        joining = _width(ln) >= width_share * full and not _SENTENCE_END.search(ln)
    return out


def _width(line: str) -> int:
    """Display width: CJK characters count two, others one."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in line)

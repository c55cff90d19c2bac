"""Documents made in code for the ingestion tests: government-style HTML pages, DOCX, PDF,
and the bad ones (zip bomb, scanned PDF, truncated pages …)."""
from __future__ import annotations

import html as htmlmod
import io
import zipfile
from collections import Counter

import extractors
from fazhi.ingest.clean import clean_text


def record_multiset(text: str) -> Counter:
    """What must survive ingestion: (value, type, unit, subject) of every record of a text."""
    return Counter((r.value, r.type, r.unit, r.subject) for r in extractors.extract(clean_text(text)))


def gov_page(body_lines: list[str], title: str, *, meta_charset: str | None = "utf-8",
             content_id: str = "zoom") -> str:
    """A page as government sites serve it: navigation, breadcrumb, title, info line, share
    bar, the report in a content block, print/close links, related news, footer."""
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}">' if meta_charset else ""
    body = "\n".join(f"<p style='text-indent:2em'><span>{htmlmod.escape(ln)}</span></p>"
                     for ln in body_lines if ln.strip())
    return f"""<!DOCTYPE html>
<html><head>{meta}<title>{htmlmod.escape(title)}_某区人民政府门户网站</title>
<script>var nav = "首页"; document.write("共有15个栏目");</script><style>p {{ margin: 0 }}</style></head>
<body>
<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 法治政府建设</div>
<div class="article">
<h1>{htmlmod.escape(title)}</h1>
<div class="info">来源：司法所 发布时间：2024-01-20 浏览次数：1234</div>
<div class="share">分享到：微信 微博 QQ空间</div><div class="fontsize">【字体：大 中 小】</div>
<div id="{content_id}">
{body}
</div>
<div class="print">【打印本页】 【关闭窗口】</div>
</div>
<div class="related"><h3>相关新闻</h3><ul><li>某镇召开2023年第3次法治工作会议</li>
<li>全区共有15个单位参加培训</li></ul></div>
<div class="footer">版权所有：某区人民政府 联系电话：022-12345678 津ICP备12345678号 网站标识码1201110001
访问量：98765次</div>
</body></html>
"""


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None, image: bool = True) -> bytes:
    """A real DOCX made with python-docx; with an inline image and an optional table."""
    import docx
    from docx.shared import Inches

    document = docx.Document()
    for i, para in enumerate(paragraphs):
        p = document.add_paragraph(para)
        if image and i == 1:
            p.add_run().add_picture(io.BytesIO(png_bytes()), width=Inches(0.2))
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def png_bytes() -> bytes:
    """A 4x4 PNG."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def zip_bomb_docx(expanded_mb: int = 80) -> bytes:
    """A DOCX-shaped ZIP whose word/document.xml expands to ``expanded_mb`` MiB of zeros."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"0" * (1024 * 1024)
            for _ in range(expanded_mb):
                fh.write(block)
    return buf.getvalue()


def pdf_bytes(lines: list[str], *, font_size: int = 10) -> bytes:
    """A PDF with a Chinese text layer (reportlab, the non-embedded STSong-Light CID font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    y = 800
    for line in lines:
        if y < 60:
            c.showPage()
            y = 800
        c.setFont("STSong-Light", font_size)
        c.drawString(40, y, line)
        y -= font_size * 1.6
    c.showPage()
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A 'scanned' PDF: one page with an image and no text."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(io.BytesIO(png_bytes())), 50, 500, width=400, height=300)
    c.showPage()
    c.save()
    return buf.getvalue()


def wrap(text: str, width: int) -> list[str]:
    """Cut each line of ``text`` into pieces of ``width`` characters (as a PDF page wraps it)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        if line:
            out.append(line)
    return out

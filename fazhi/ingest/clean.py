"""Pure text cleaning: decoded page text -> the clean text the extractors see.

Record offsets point into the clean text, so every change here changes
offsets: ``CLEANER_VERSION`` is a hash of this module and of every other
module that turns bytes into text (``fazhi.versions``), so any edit gives a
new version and the next run cleans every document again.

Line breaks are kept (sections are recognised line by line); everything else
that a web page or a Word export adds is removed or normalised:

- page chrome lines: breadcrumbs (``首页>政务公开>…``, ``当前位置:…``) and
  a trailing ``相关新闻`` block;
- image placeholders such as ``[image: image1.png]``;
- odd spaces (``\\u3000``, ``\\xa0``, thin spaces, tabs) become one ASCII
  space, runs of spaces collapse, lines are stripped, blank lines dropped;
- a BOM and zero-width characters are dropped.

Punctuation is not normalised (half- and full-width stay as written): the
record ``text`` field must match the source.
"""
from __future__ import annotations

import re

from fazhi.versions import cleaner_version

CLEANER_VERSION = cleaner_version()

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_INVISIBLE = re.compile(r"[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUN = re.compile(r" {2,}")
_IMAGE = re.compile(r"\[(?:image|img|图片)\s*[:：][^\]\n]*\]", re.IGNORECASE)

_CRUMB_START = re.compile(r"^(?:首页|主页|网站首页|当前位置|您的位置|您当前的位置|您现在的位置|当前所在位置)")
_CRUMB_SEP = re.compile(r"[>＞›»→]")
_RELATED = re.compile(r"^[-–—·•*\s]*(?:相关(?:新闻|文章|链接|阅读|信息)|推荐阅读)[:：]?\s*$")
# lines after a 相关新闻 header that are link titles, not report text
_TAIL_LINE_MAX = 80


def normalise_spaces(line: str) -> str:
    """Odd spaces to one ASCII space, runs collapsed, ends stripped."""
    line = _ODD_SPACES.sub(" ", line)
    return _SPACE_RUN.sub(" ", line).strip()


def is_breadcrumb(line: str) -> bool:
    """A navigation trail such as ``首页>政务公开>法治政府建设年度报告 > 街镇``."""
    start = _CRUMB_START.match(line)
    if not start or len(line) > 120:
        return False
    rest = line[start.end():].strip(" :：")
    return not rest or bool(_CRUMB_SEP.search(line))


def is_related_header(line: str) -> bool:
    """A ``相关新闻`` / ``- 相关新闻`` line that opens the page's link list."""
    return bool(_RELATED.match(line))


def drop_images(text: str) -> str:
    """Remove image placeholders left by Word or HTML conversion."""
    return _IMAGE.sub("", text)


def _drop_related_tail(lines: list[str]) -> list[str]:
    """Drop the last 相关新闻 header and the short link lines after it.

    Only a header whose following lines are all short is chrome; a 相关新闻
    followed by a paragraph is left alone (it is report text).
    """
    for i in range(len(lines) - 1, -1, -1):
        if is_related_header(lines[i]):
            if all(len(rest) <= _TAIL_LINE_MAX for rest in lines[i + 1:]):
                return lines[:i]
            break
    return lines


def clean_text(text: str) -> str:
    """The clean text of one decoded document (see the module docstring)."""
    text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = drop_images(text)
    lines = [normalise_spaces(line) for line in text.split("\n")]
    lines = [line for line in lines if line and not is_breadcrumb(line)]
    lines = _drop_related_tail(lines)
    return "\n".join(lines)

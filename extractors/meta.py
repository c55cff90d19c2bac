"""Document metadata from the text: title, reporting body, year, date.

These reports vary: a title line or none; the date under the title, under the
signature, or at the top; the body named in the title, in the opening
sentence, or only in the signature. The rules look in that order.
"""
from __future__ import annotations

import re
from collections import Counter

from .numbers import parse_chinese
from .record import DocumentMeta
from .script import to_simplified

_CN_DIGIT = "〇○零一二三四五六七八九十"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)[0-9]{{2}}|[二][{_CN_DIGIT}]{{3}})\s*(?:年|[.．/\-])\s*"
    rf"(?P<m>[0-9]{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*(?:月|[.．/\-])\s*"
    rf"(?P<d>[0-9]{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*日?"
)
_YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")
_TITLE_WORDS = ("报告", "总结")
_SECTION_START = re.compile(r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[)）]|^[0-9]+[.．、]")
_ORG_SUFFIX = r"(?:街道办事处|街道|镇|乡|景区|开发区|高新区|新区|管委会|区|县|市|局|委员会)"
# Where a title's subject starts: the body is named before it.
_TITLE_SUBJECT = re.compile(r"关于|(?:19|20)[0-9]{2}年|法治|依法|年度|贯彻|推进")
_SIGN_TRAIL = re.compile(r"(?:党工委|党委|管委会|人民政府|政府|办公室|办事处)(?:[、，,]\s*(?:党工委|党委|管委会|人民政府|政府|办公室|办事处))*$")
_SPEAKER = re.compile(r"我代表([\u4e00-\u9fff]{0,10}?(?:国务院|人民政府))")


def _num(s: str) -> int:
    return int(s) if s.isdigit() else int(parse_chinese(s.replace("○", "〇")))


def parse_date(s: str) -> str | None:
    m = _DATE.search(s)
    if not m:
        return None
    try:
        y, mo, d = _num(m.group("y")), _num(m.group("m")), _num(m.group("d"))
    except ValueError:
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1949 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _lines(text: str) -> list[str]:
    return [ln.strip(" \u3000\t") for ln in text.split("\n") if ln.strip(" \u3000\t")]


def _title(lines: list[str]) -> str | None:
    for ln in lines[:3]:
        if (len(ln) <= 60 and ln.endswith(_TITLE_WORDS) and not re.search(r"[，,。；;]", ln)
                and not _SECTION_START.match(ln)):
            return ln
    return None


def _published(lines: list[str]) -> str | None:
    """A date standing on a line of its own (or with the signer in brackets) in
    the first or last lines: the signing or publication date."""
    candidates = lines[:6] + lines[-4:]
    for ln in candidates:
        # a date line, or a delivery line: ——2024年3月5日在第十四届全国人民代表大会…上
        if len(ln) > 30 and not (ln.startswith(("——", "—", "-")) and len(ln) <= 60):
            continue
        date = parse_date(ln)
        if date and not re.search(r"[，,。；;]", ln):
            return date
    return None


def _org(title: str | None, lines: list[str], text: str) -> str | None:
    if title:
        org = _org_from_title(title)
        if org:
            return org
    # 我代表国务院 / 我代表区人民政府: the body speaking
    m = _SPEAKER.search(text[:3000])
    if m:
        return m.group(1)
    # the body reporting most often: a town, district, scenic area …
    counts = _stable_names(text)
    if counts:
        return counts
    # a signer line at the top or bottom: 徂汶景区党工委、管委会
    for ln in lines[:3] + lines[-3:]:
        if len(ln) <= 25 and not re.search(r"[，,。；;：:]", ln) and _SIGN_TRAIL.search(ln):
            return _SIGN_TRAIL.sub("", ln) or None
    return None


def _org_from_title(title: str) -> str | None:
    """The body a title names before its subject: 大寺镇2021年度法治政府建设情况报告,
    XX区人民政府关于2023年法治政府建设情况的报告, XX市司法局2023年度法治政府建设年度报告."""
    t = re.sub(r"^(?:关于)?(?:(?:19|20)[0-9]{2}年度?)", "", title)
    head = _TITLE_SUBJECT.split(t, maxsplit=1)[0]
    head = _SIGN_TRAIL.sub("", head.strip(" 　、，,"))
    head = re.split(r"[ 　、，,]+", head.strip(" 　、，,"))[-1]  # 中共某县委 某县人民政府: the government
    if 2 <= len(head) <= 20 and re.search(_ORG_SUFFIX + "$", head):
        return head
    return None


# 依法治镇, 全镇, 乡镇 …: words ending in a place suffix that are not names.
_NOT_NAME_BEFORE = set("治强全本我该乡城村各两市小集建兴区县省镇街每")


def _stable_names(text: str) -> str | None:
    """The most frequent place name ending in 镇/乡/街道/景区 …, extended to the
    left as long as (nearly) every occurrence agrees (音堂镇 -> 观音堂镇)."""
    counts: Counter = Counter()
    for m in re.finditer(r"(?:镇|乡|街道|景区|开发区)", text):
        s = m.start()
        if s == 0 or text[s - 1] in _NOT_NAME_BEFORE:
            continue
        for k in (2, 3, 4):
            name = text[max(0, s - k):m.end()]
            if len(name) < k + (m.end() - s) or not all("\u4e00" <= ch <= "\u9fff" for ch in name):
                break
            counts[name] += 1
    base = [(nm, c) for nm, c in counts.items() if len(nm) - _suffix_len(nm) == 2 and c >= 2]
    if not base:
        return None
    best, n = max(base, key=lambda x: x[1])
    while True:
        longer = [(nm, c) for nm, c in counts.items() if nm.endswith(best) and len(nm) == len(best) + 1]
        if not longer:
            break
        nm, c = max(longer, key=lambda x: x[1])
        if c < n * 0.8:
            break
        best, n = nm, c
    return best


def _suffix_len(name: str) -> int:
    for suf in ("开发区", "街道", "景区", "镇", "乡"):
        if name.endswith(suf):
            return len(suf)
    return 1


def _report_year(title: str | None, lines: list[str], published: str | None) -> int | None:
    if title:
        m = _YEAR.search(title)
        if m:
            return int(m.group(1))
    if published:
        # signed early in a year: the report covers the year before
        y, mo = int(published[:4]), int(published[5:7])
        return y if mo >= 7 else y - 1
    body = [ln for ln in lines[:6] if len(ln) > 30]
    for ln in body[:2]:
        m = _YEAR.search(ln[:40])
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in _YEAR.findall("\n".join(lines)))
    return years.most_common(1)[0][0] if years else None


def document_meta(text: str) -> DocumentMeta:
    """Title, reporting body, covered year and date of one report."""
    return meta_of_simplified(to_simplified(text))


def meta_of_simplified(text: str) -> DocumentMeta:
    lines = _lines(text)
    title = _title(lines)
    published = _published(lines)
    return DocumentMeta(
        org=_org(title, lines, text),
        report_year=_report_year(title, lines, published),
        published=published,
        title=title,
    )

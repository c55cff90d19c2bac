"""Turn the written form of a number into a float.

Handles what the reports write: Arabic digits with thousands separators and
decimals (301,383 · 94.88 · full-width １２３), Chinese numerals simplified and
traditional (三万五千 · 一百零八億 · 两 · 〇), positional digit strings
(二〇二四), decimals in Chinese (三十六点九 · 三十六點九), and Arabic numbers
with Chinese multipliers (1200万 · 1.39万亿).

Qualifier characters (余, 多) are not part of the number and must be removed by
the caller; ``parse_number`` raises ``ValueError`` on anything it cannot read,
so a caller never gets a silently wrong value.
"""
from __future__ import annotations

import re

DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
# Units inside a section of up to 万 (十/百/千) and section multipliers (万/亿).
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
POINT = {"点", "點"}

CN_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "".join(POINT)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_WITH_MULTIPLIER = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?)([十百千万亿萬億拾佰仟]*)$")
_ARABIC = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def to_halfwidth(s: str) -> str:
    return s.translate(_FULLWIDTH)


def parse_arabic(s: str) -> float:
    """'301,383' -> 301383.0; '94.88' -> 94.88; full-width digits allowed."""
    s = to_halfwidth(s).replace(" ", "")
    if not _ARABIC.match(s):
        raise ValueError(f"not an Arabic number: {s!r}")
    return float(s.replace(",", ""))


def _parse_section(s: str) -> int:
    """A Chinese numeral below 万: 三千五百零二, 十五, 两百, 五十."""
    total, digit = 0, None
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            raise ValueError(f"unexpected {ch!r} in Chinese numeral")
    if digit is not None:
        total += digit
    return total


def _elide_trailing(s: str) -> str:
    """三万五 means 三万五千, 一百五 means 一百五十: the elided unit is one below
    the last one written. Only applies when the numeral ends in a bare digit
    right after a unit character."""
    order = ["十", "百", "千", "万", "亿"]
    norm = s.replace("拾", "十").replace("佰", "百").replace("仟", "千").replace("萬", "万").replace("億", "亿")
    if len(norm) >= 2 and norm[-1] in DIGITS and norm[-2] in order and norm[-2] != "十":
        below = {"百": "十", "千": "百", "万": "千", "亿": "千万"}[norm[-2]]
        return s + below
    return s


def parse_chinese(s: str) -> float:
    """三万五千 -> 35000; 一百零八億 -> 10800000000; 二〇二四 -> 2024; 三十六點九 -> 36.9."""
    if not s:
        raise ValueError("empty numeral")
    for p in POINT:
        if p in s:
            whole, frac = s.split(p, 1)
            if not frac or any(ch not in DIGITS for ch in frac):
                raise ValueError(f"bad decimal part in {s!r}")
            return parse_chinese(whole) + float("0." + "".join(str(DIGITS[c]) for c in frac))
    if all(ch in DIGITS for ch in s):
        # positional: 二〇二四, or a single digit
        return float("".join(str(DIGITS[c]) for c in s))
    s = _elide_trailing(s)
    total: float = 0
    # split on 亿 then 万, largest first
    rest = s
    for big_chars, mult in ((("亿", "億"), 100_000_000), (("万", "萬"), 10_000)):
        for bc in big_chars:
            if bc in rest:
                head, rest = rest.split(bc, 1)
                head_val = parse_chinese(head) if head else 1
                total += head_val * mult
                break
    if rest:
        total += _parse_section(rest)
    return float(total)


def parse_number(s: str) -> float:
    """Any number as written: Arabic, Chinese, or Arabic with Chinese multipliers.

    >>> parse_number("1200万"), parse_number("1.39万亿"), parse_number("三万五千")
    (12000000.0, 1390000000000.0, 35000.0)
    """
    s = to_halfwidth(s.strip()).replace(" ", "")
    if not s:
        raise ValueError("empty number")
    # 三十多万 reaches here as 三十万 (the caller removed the qualifier)
    m = _WITH_MULTIPLIER.match(s)
    if m:
        value = parse_arabic(m.group(1))
        for ch in m.group(2):
            value *= SMALL_UNITS.get(ch) or BIG_UNITS[ch]
        return value
    if all(ch in CN_CHARS for ch in s):
        return parse_chinese(s)
    raise ValueError(f"cannot read number {s!r}")


def parse_fraction(s: str) -> float:
    """A fraction as a percent: '1/4' -> 25.0; '三分之一' -> 33.33..; '一半' -> 50."""
    s = to_halfwidth(s.strip())
    if s in ("一半", "半数"):
        return 50.0
    if "/" in s:
        num, den = s.split("/", 1)
        return parse_number(num) / parse_number(den) * 100
    if "分之" in s:
        den, num = s.split("分之", 1)
        return parse_number(num) / parse_number(den) * 100
    raise ValueError(f"not a fraction: {s!r}")

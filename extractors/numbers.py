"""Turn the written form of a number into a float.

Handles what the reports write: Arabic digits with thousands separators and
decimals (301,383 · 94.88 · full-width １２３), Chinese numerals simplified,
traditional, financial and colloquial (三万五千 · 一百零八億 · 两 · 倆 · 〇),
positional digit strings (二〇二四), decimals in Chinese (三十六点九 ·
三十六點九), elided trailing units (三万五 · 一百五), 万万 for 亿 (四万万), and
Arabic numbers with Chinese powers (1200万 · 1.39万亿 · 5万4千6百). Spaces a PDF
text layer left inside a number (一百 五 十 二) are dropped.

The characters and their values are data: ``[numerals]`` of the bundled
``rules/units.toml``.

Qualifier characters (余, 多) are not part of the number and must be removed by
the caller; ``parse_number`` raises ``ValueError`` on anything it cannot read
(二三百, 一百二百), so a caller never gets a silently wrong value.
"""
from __future__ import annotations

import math
import re
import tomllib
from functools import lru_cache

from .rulecheck import check_file
from .ruleset import DEFAULT_RULES_DIR


def _numerals() -> dict:
    path = DEFAULT_RULES_DIR / "units.toml"
    raw = path.read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    check_file("units.toml", str(path), data, raw)
    return data["numerals"]


_N = _numerals()
DIGITS: dict[str, int] = {ch: value for value, chars in enumerate(_N["digits"]) for ch in chars}
# Powers inside a section of four places (十/百/千) and section multipliers (万/亿).
SMALL_UNITS: dict[str, int] = {ch: int(v) for ch, v in _N["powers"].items()}
BIG_UNITS: dict[str, int] = {ch: int(v) for ch, v in _N["sections"].items()}
POINT = frozenset(_N["points"])
SPACES: str = _N["spaces"]
MAX_SPACES: int = _N["max_spaces"]

DIGIT_CHARS = "".join(DIGITS)
ZERO_CHARS = "".join(ch for ch, v in DIGITS.items() if v == 0)
POWER_CHARS = "".join(SMALL_UNITS) + "".join(BIG_UNITS)
CN_CHARS = DIGIT_CHARS + POWER_CHARS + "".join(sorted(POINT))

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_ARABIC = re.compile(r"^\d+(?:,\d{3})*(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_ARABIC_RUN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_SPACE_RUN = re.compile(f"[{re.escape(SPACES)}]+")
_TAIL = 80


def to_halfwidth(s: str) -> str:
    return s.translate(_FULLWIDTH)


def _drop_spaces(s: str) -> str:
    for sp in SPACES:
        if sp in s:
            s = s.replace(sp, "")
    return s


def parse_arabic(s: str) -> float:
    """'301,383' -> 301383.0; '94.88' -> 94.88; full-width digits allowed."""
    s = to_halfwidth(s).replace(" ", "")
    if not _ARABIC.match(s):
        raise ValueError(f"not an Arabic number: {s!r}")
    return float(s.replace(",", ""))


def _tokens(s: str) -> list[tuple[str, float]]:
    """('n', value) for a digit or an Arabic run, ('s', power) for 十百千,
    ('b', multiplier) for 万亿; ('z', 0) for a zero digit (零, a place holder)."""
    out: list[tuple[str, float]] = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch in DIGITS:
            out.append(("z", 0.0) if DIGITS[ch] == 0 else ("d", float(DIGITS[ch])))
            i += 1
        elif ch in SMALL_UNITS:
            out.append(("s", float(SMALL_UNITS[ch])))
            i += 1
        elif ch in BIG_UNITS:
            out.append(("b", float(BIG_UNITS[ch])))
            i += 1
        else:
            m = _ARABIC_RUN.match(s, i)
            if not m:
                raise ValueError(f"unexpected {ch!r} in number {s!r}")
            out.append(("a", float(m.group().replace(",", ""))))
            i = m.end()
    return out


def _evaluate(s: str) -> float:
    """The value of a numeral with powers: 三千五百零二, 四亿五千六百四十二万零一十五,
    四万万, 5亿1万4千6百, 1.39万亿, 三万五 (elided: 三万五千)."""
    total = 0.0       # the sections done (everything at or above ``place``)
    place = 0.0       # the multiplier applied last to ``total`` (万, 亿, 万万 …)
    section = 0.0     # below the next 万 or 亿
    last_small = float("inf")   # 十百千 descend inside a section
    pending: float | None = None   # a digit or Arabic run waiting for its power
    pending_kind = ""
    before = 0.0      # the power right before the pending digit (for elision)
    zero = False      # a 零 since the last power: no elision (一万零五)
    for kind, v in _tokens(s):
        if kind in ("d", "a", "z"):
            if pending is not None and pending != 0:
                raise ValueError(f"two numbers in a row in {s!r}")
            if kind == "z":
                zero = True
            pending, pending_kind = v, kind
            continue
        if kind == "s":
            if v >= last_small:
                raise ValueError(f"powers out of order in {s!r}")
            section += (pending if pending else 1) * v
            last_small = v
        else:  # 万 or 亿
            if pending is not None:
                section += pending
            if section == 0:
                if pending is not None:
                    raise ValueError(f"nothing before {v:g} in {s!r}")
                # 万万, 万亿: the multiplier applies to all that stands before it
                if total == 0:
                    total, place = v, v
                else:
                    total *= v
                    place *= v
            elif v > place:
                total = (total + section) * v
                place = v
            elif v < place:
                total += section * v
            else:
                raise ValueError(f"section repeated in {s!r}")
            section = 0.0
            last_small = float("inf")
        before, pending, pending_kind, zero = v, None, "", False
    if pending is not None:
        if (pending_kind == "d" or pending_kind == "a" and pending < 10 and pending == int(pending)) \
                and before > 10 and not zero:
            section += pending * before / 10  # 三万五 -> 三万五千, 一百五 -> 一百五十
        else:
            section += pending
    if not math.isfinite(total + section):
        raise ValueError(f"numeral out of range: {s[:40]!r}")  # 一万万万…万
    return total + section


def parse_chinese(s: str) -> float:
    """三万五千 -> 35000; 一百零八億 -> 10800000000; 二〇二四 -> 2024; 三十六點九 -> 36.9."""
    s = _drop_spaces(s)
    if not s:
        raise ValueError("empty numeral")
    for p in POINT:
        if p in s:
            whole, frac = s.split(p, 1)
            mult = 1.0
            while frac and frac[-1] in BIG_UNITS:  # 三点五万 -> 35000
                mult *= BIG_UNITS[frac[-1]]
                frac = frac[:-1]
            if not whole or not frac or any(ch not in DIGITS for ch in frac):
                raise ValueError(f"bad decimal part in {s!r}")
            return (parse_chinese(whole) + float("0." + "".join(str(DIGITS[c]) for c in frac))) * mult
    if all(ch in DIGITS for ch in s):
        # positional: 二〇二四, or a single digit
        return float("".join(str(DIGITS[c]) for c in s))
    if any(ch not in DIGITS and ch not in SMALL_UNITS and ch not in BIG_UNITS for ch in s):
        raise ValueError(f"not a Chinese numeral: {s!r}")
    return _evaluate(s)


@lru_cache(maxsize=4096)
def parse_number(s: str) -> float:
    """Any number as written: Arabic, Chinese, or Arabic with Chinese powers.
    (Pure, so cached: reports write the same few numbers again and again.)

    >>> parse_number("1200万"), parse_number("1.39万亿"), parse_number("三万五千")
    (12000000.0, 1390000000000.0, 35000.0)
    """
    s = _drop_spaces(to_halfwidth(s.strip()))
    if not s:
        raise ValueError("empty number")
    if _ARABIC.match(s):
        value = float(s.replace(",", ""))
    elif s[0].isdigit():
        # 1200万, 5万4千6百; 三十多万 reaches here as 三十万 (the caller removed the qualifier)
        if any(p in s for p in POINT) or any(ch in DIGITS for ch in s):
            raise ValueError(f"cannot read number {s!r}")
        value = _evaluate(s)
    elif all(ch in CN_CHARS for ch in s):
        value = parse_chinese(s)
    else:
        raise ValueError(f"cannot read number {s!r}")
    return value


def parse_tail(s: str) -> tuple[int, float]:
    """The longest well-formed number that ends ``s``, as (offset in ``s``,
    value): a space the scanner joined over may stand between two numbers
    (一百 二百 -> 二百). Only tails within the last ``_TAIL`` characters are
    tried (no numeral is longer), so a long run costs one pass. Raises
    ``ValueError`` when no tail reads."""
    try:
        return 0, parse_number(s)
    except ValueError:
        pass
    for m in _SPACE_RUN.finditer(s, max(0, len(s) - _TAIL)):
        try:
            return m.end(), parse_number(s[m.end():])
        except ValueError:
            continue
    raise ValueError(f"cannot read number {s!r}")


def tenths_tail(text: str, i: int, half: str) -> tuple[int, float]:
    """After a count of tenths (七成, 三成): one more written digit or a half
    (七成六 -> 7.6, 三成半 -> 3.5), as (characters taken, tenths added)."""
    if text.startswith(half, i):
        return len(half), 0.5
    if i < len(text) and DIGITS.get(text[i], 0) > 0:
        return 1, DIGITS[text[i]] / 10
    return 0, 0.0


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

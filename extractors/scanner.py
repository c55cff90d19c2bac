"""Finding quantities: a number with its unit, in one regex pass.

The scanner knows only the surface: where a number and a unit stand, what
the number's value is, and which qualifier is written inside the quantity
(800余件). Whether the quantity is a statistic at all is decided afterwards
(``filters``), and what it counts (``subjects``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .layout import SpanSet
from .numbers import parse_fraction, parse_number
from .ruleset import RuleSet, UnitInfo

# 301,383 · ２７，２０３，３１９ (full-width digits with full-width commas) · 94.88
# Digits spaced out by a wiki export (1 9 9 7, 8 ．8 ％) are read too.
AR = (r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[０-９]{1,3}(?:[，,][０-９]{3})+(?![０-９])"
      r"|[0-9０-９](?: ?[0-9０-９])*)(?: ?[.．] ?[0-9０-９](?: ?[0-9０-９])*)?")
CN_DIGITS = "零〇○一二两三四五六七八九壹贰叁肆伍陆柒捌玖兩貳參陸"
CN_UNITS = "十百千万亿拾佰仟萬億"
CN = rf"[{CN_DIGITS}{CN_UNITS}]+(?:[点點][{CN_DIGITS}]+)?"
MULT = r"[十百千万亿萬億]{1,2}"
SP = r"[ \u3000]?"
_FRAGMENT = re.compile(r"^[0０][0-9０-９]")


@dataclass
class Mention:
    """A number with its unit, as found in the text."""

    start: int            # first character of the number
    end: int              # last character of the unit (+1)
    number: str           # the number as written, multipliers included (1200万)
    value: float          # normalised value
    unit: UnitInfo
    inner: str | None     # qualifier written inside: 余, 多
    chinese: bool         # written with Chinese numerals
    kind: str = "unit"    # unit | percent_words | fraction | bare_rate | people


@lru_cache(maxsize=8)
def _pattern(units: tuple[str, ...]) -> re.Pattern:
    unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(
        # one cheap test first: most positions hold no numeral at all
        rf"(?=[0-9０-９{CN_DIGITS}{CN_UNITS}])(?:"
        # 百分之三十六點九, 千分之五
        rf"(?P<pw>[百千]分之(?P<pwn>{AR}|{CN}))(?P<pwq>余|多)?"
        # 三分之一, 1/4 (fractions as percentages)
        rf"|(?P<fr>(?:{CN}|{AR})分之(?:{CN}|{AR})|(?<![0-9/.])[0-9]{{1,2}}/[0-9]{{1,3}}(?![0-9/]))"
        # 1200多万元, 13万余人, 400 余人次, 三万五千多条, 99.4%
        rf"|(?P<num>(?P<ar>{AR})(?:{SP}(?P<q1>余|多))?(?:{SP}(?P<mult>{MULT}))?"
        rf"|(?P<cn>{CN})(?:(?P<q3>余|多)(?P<cmult>[万亿萬億]))?)"
        rf"{SP}(?P<q2>余|多|几|餘|来)?{SP}(?P<unit>{unit_alt}))"
    )


def scan(text: str, rules: RuleSet) -> list[Mention]:
    out: list[Mention] = []
    units = rules.units
    for m in _pattern(tuple(units)).finditer(text):
        if m.group("pw") is not None:
            mention = _percent_words(m, units)
        elif m.group("fr") is not None:
            mention = _fraction(m, units)
        else:
            mention = _with_unit(text, m, units)
        if mention is not None:
            out.append(mention)
    return out


def _percent_words(m: re.Match, units: dict[str, UnitInfo]) -> Mention | None:
    try:
        v = parse_number(m.group("pwn"))
    except ValueError:
        return None
    unit = units["‰"] if m.group("pw").startswith("千") else units["%"]
    end = m.end("pwq") if m.group("pwq") else m.end("pw")
    return Mention(m.start(), end, m.group("pw"), v * unit.factor, unit, m.group("pwq"),
                   chinese=not re.match(r"[0-9]", m.group("pwn")), kind="percent_words")


def _fraction(m: re.Match, units: dict[str, UnitInfo]) -> Mention | None:
    s = m.group("fr")
    try:
        v = parse_fraction(s)
    except (ValueError, ZeroDivisionError):
        return None
    if "/" in s:
        num, den = s.split("/")
        if not 0 < int(num) < int(den):
            return None
    return Mention(m.start(), m.end(), s, v, units["%"], None, chinese="/" not in s, kind="fraction")


def _with_unit(text: str, m: re.Match, units: dict[str, UnitInfo]) -> Mention | None:
    written = m.group("unit")
    info = units[written]
    end = m.end("unit")
    # 3个月, 一起来: the "unit" is the start of another word; try a shorter unit.
    if info.stop_after and end < len(text) and text[end] in info.stop_after:
        return None
    inner = m.group("q1") or m.group("q3") or m.group("q2")
    if m.group("q2") == "来" and info.type != "count":
        return None
    if m.group("ar") is not None:
        number = m.group("ar") + (m.group("mult") or "")
        chinese = False
        if _FRAGMENT.match(m.group("ar")):
            return None  # 000元: the tail of a number split by a separator we did not join
    else:
        number = m.group("cn") + (m.group("cmult") or "")  # 三十多万人
        chinese = True
    try:
        value = parse_number(number)
    except ValueError:
        return None
    return Mention(m.start(), end, number, value * info.factor, info, inner, chinese)


@lru_cache(maxsize=8)
def _rate_rx(rules: RuleSet) -> re.Pattern:
    words = "|".join(map(re.escape, rules.subjects["rate_words"]))
    verbs = "|".join(map(re.escape, sorted(rules.subjects["rate_verbs"], key=len, reverse=True)))
    firsts = "".join(sorted({re.escape(w[0]) for w in rules.subjects["rate_words"]}))
    return re.compile(rf"(?=[{firsts}])(?:{words})(?:{verbs})?{SP}(?P<n>{AR})(?=[ \u3000\"”’]*(?:[，,。；;！!\n]|\[image|$))")


def scan_bare_rates(text: str, rules: RuleSet, taken: SpanSet) -> list[Mention]:
    """A rate whose % sign was lost (通过率达到了100): a bare number of at most
    100 right after a rate word and verb, followed by punctuation or a line end."""
    out = []
    for m in _rate_rx(rules).finditer(text):
        s, e = m.span("n")
        if taken.covers(s, e):
            continue
        v = parse_number(m.group("n"))
        if v <= 100:
            out.append(Mention(s, e, m.group("n"), v, rules.units["%"], None, False, kind="bare_rate"))
    return out


@lru_cache(maxsize=8)
def _people_rx(rules: RuleSet) -> re.Pattern:
    nouns = "|".join(map(re.escape, sorted(rules.subjects["people_nouns"], key=len, reverse=True)))
    return re.compile(rf"(?=[0-9０-９])(?P<ar>{AR})(?P<q>余|多)?(?P<mult>[万亿萬億]{{1,2}})(?P<q2>余|多)?(?={nouns})")


def scan_people(text: str, rules: RuleSet, taken: SpanSet) -> list[Mention]:
    """People counted with no classifier: 6600多万纳税人 -> 人. Only numbers with
    a 万/亿 multiplier, where a bare count of people is the usual style."""
    out = []
    person = UnitInfo("人", "count", "人")
    for m in _people_rx(rules).finditer(text):
        s, e = m.span()
        if taken.covers(s, e):
            continue
        value = parse_number(m.group("ar") + m.group("mult"))
        out.append(Mention(s, e, m.group(0), value, person, m.group("q") or m.group("q2"), False, kind="people"))
    return out

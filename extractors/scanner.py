"""Finding quantities: a number with its unit, in one regex pass.

The scanner knows only the surface: where a number and a unit stand, what
the number's value is, and which qualifier is written inside the quantity
(800余件). Whether the quantity is a statistic at all is decided afterwards
(``filters``), and what it counts (``subjects``).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from . import numbers as num
from .layout import SpanSet
from .numbers import parse_fraction, parse_number, parse_tail, tenths_tail
from .ruleset import RuleSet, UnitInfo

# 301,383 · ２７，２０３，３１９ · 45，600 (separators of either width, with
# digits of either width) · 7 253, 1 245 600 (groups of three set apart by one space; a table's cell
# also takes a no-break or thin space, tables.SPACED_THOUSANDS) · 94.88. Digits spaced out by a wiki export
# (1 9 9 7, 8 ．8 ％: single digits, a space after each) are read too; groups
# apart (12 35, two table cells) never join.
_D = "[0-9０-９]"
_SPACED = rf"(?: {_D}(?!{_D}))+(?=[ .．])"  # after a first digit
AR = (rf"(?:{_D}{{1,3}}(?:[，,]{_D}{{3}})+(?!{_D})|{_D}{{1,3}}(?: {_D}{{3}})+(?![0-9０-９])"
      rf"|{_D}(?:{_SPACED}|{_D}*))"
      rf"(?: ?[.．] ?{_D}(?:{_SPACED}|{_D}*))?")
CN_DIGITS = num.DIGIT_CHARS   # numbers.py, from [numerals] of rules/units.toml
CN_UNITS = num.POWER_CHARS
_BIG = "".join(num.BIG_UNITS)
_SPACE = f"[{num.SPACES}]"
_S1 = f"{_SPACE}{{1,{num.MAX_SPACES}}}+"
SP = f"{_SPACE}{{0,{num.MAX_SPACES}}}+"
# Spaces inside a Chinese numeral (一百 五 十 二, 三千 八百 九十六 万, 六百 五十 亿):
# only as (before, after) here, never between two other digits (三 四 are two numbers).
_JOINS = ((CN_DIGITS, CN_UNITS), (CN_UNITS + num.ZERO_CHARS, CN_DIGITS), (CN_UNITS, _BIG))
_JOIN = "|".join(rf"(?<=[{b}]){_S1}(?=[{a}])" for b, a in _JOINS)
CN_TIGHT = rf"[{CN_DIGITS}{CN_UNITS}]+(?:[点點][{CN_DIGITS}]+)?"
CN = (rf"[{CN_DIGITS}{CN_UNITS}]+(?:(?:{_JOIN})[{CN_DIGITS}{CN_UNITS}]+)*"
      rf"(?:{SP}[点點]{SP}[{CN_DIGITS}]+(?:{SP}[{_BIG}]{{1,2}})?)?")
MULT = r"[十百千万亿萬億]{1,2}"
# 5万4千6百, 5亿1万4千6百: more Arabic digits with descending powers after the
# multiplier; 3千5, 1万5: one last digit, its power left out (3500, 15000)
CHAIN = (rf"(?:(?<=[亿億]){SP}{_D}{{1,4}}{SP}[万萬])?(?:{SP}{_D}{SP}[千仟])?"
         rf"(?:{SP}{_D}{SP}[百佰])?(?:{SP}{_D}{SP}[十拾])?(?:{_D}(?![0-9０-９.．]))?")
# A number never starts inside another one: without these guards a run of
# 10,000 digits (or numerals, or spaced digits) is tried from every position,
# quadratic in the run's length. Nor right after digits and a space (12 35 are
# two table cells, 225 3 one number a text layer split: neither is read,
# rather than the tail as a guess), nor as the decimals, the part after a
# power or a thousands group of a number that did not read (2 86.5, 3千50,
# 1 2，745).
_P = "十百千万亿萬億拾佰仟"
_AFTER = rf" .．，,{_P}"  # the checks after the first run only after these
NOT_IN_DIGITS = (rf"(?:(?<![0-9０-９{_AFTER}])|(?<=[{_AFTER}])(?<![0-9０-９] )(?<![0-9０-９][.．])"
                 rf"(?<![0-9０-９][{_P}])(?<![0-9０-９][{_P}] )"
                 r"(?!(?:(?<=[0-9０-９][，,])|(?<=[0-9０-９][，,] )|(?<=[0-9０-９] [，,]))[0-9０-９]{3}(?![0-9０-９])))")
NOT_IN_NUMERALS = rf"(?<![{CN_DIGITS}{CN_UNITS}])"
# A numeral with spaces inside (the last branch) neither starts where the
# numeral before it and the spaces would go on (一百 五); the checks on spaces
# run only after a space.
NOT_IN_SPACED = (rf"(?:(?<![{CN_DIGITS}{CN_UNITS}{num.SPACES}])|(?<={_SPACE})"
                 + "".join(rf"(?!(?=[{a}])(?:" + "|".join(rf"(?<=[{b}]{_SPACE}{{{k}}})" for k in range(1, num.MAX_SPACES + 1))
                           + "))" for b, a in _JOINS)
                 + ")")
# A single CJK character after the number, then punctuation or the end: a
# classifier the lexicon does not list (40票,), unless a non-classifier.
ANY_CLASSIFIER = r"(?<![十百千万亿萬億])(?P<anyc>[\u4e00-\u9fff])(?=[，,。；;、！!？?：:\n）)”\"]|$)"
_FRAGMENT = re.compile(r"^[0０][0-9０-９]")
_LATIN_OR_DIGIT = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ)）]")
_SUBUNIT_DIGIT = "0123456789０１２３４５６７８９一二两三四五六七八九"
_NUMERAL_CHARS = frozenset("0123456789０１２３４５６７８９点點" + num.DIGIT_CHARS + num.POWER_CHARS)


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
    kind: str = "unit"    # unit | percent_words | fraction | bare_rate | people | classifier
    note: str = ""        # what the scanner did to read it (sign, half, subunits, list marker)


# the pinyin a conversion to traditional characters leaves after a character (9.67萬(wàn)件): read through
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
GLOSS = rf"(?:[(（][a-zü]*[{TONED}][a-zü{TONED}]*[)）])"
_PINYIN = re.compile(r"[（(]\s*[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-zü]*\s*[)）]")


def without_pinyin(label: str) -> str:
    """Words without the pinyin a conversion to traditional characters left in them:
    罰沒(méi)金額(萬(wàn)元) -> 罰沒金額(萬元), 服務(wù)中心 -> 服務中心."""
    return _PINYIN.sub("", label) if "(" in label or "（" in label else label


@lru_cache(maxsize=8)
def _pattern(units: tuple[str, ...], inner: tuple[str, ...], non_classifiers: str, half: str = "",
             tenths: str = "") -> re.Pattern:
    unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    q = "|".join(re.escape(w) for w in sorted(inner, key=len, reverse=True))
    # a classifier by position: Arabic numbers only, never a non-classifier
    non = "".join(sorted(set(non_classifiers) - set(" \n")))
    anyc = rf"(?![{re.escape(non)}]){ANY_CLASSIFIER}" if non else ANY_CLASSIFIER
    # 半成: a half of a tenth
    half_tenth = rf"|{re.escape(half)}(?={re.escape(tenths)})" if half and tenths else ""
    return re.compile(
        # one cheap test first: most positions hold no numeral at all
        rf"(?=[0-9０-９{CN_DIGITS}{CN_UNITS}{re.escape(half[:1])}])(?:"
        # 百分之三十六點九, 千分之五
        rf"{NOT_IN_NUMERALS}(?P<pw>[百千]{SP}分{SP}之{SP}(?P<pwn>{AR}|{CN}))(?P<pwq>{q})?"
        # 三分之一, 1/4, 一半 (fractions as percentages)
        rf"|(?P<fr>(?:{NOT_IN_NUMERALS}{CN_TIGHT}|{NOT_IN_DIGITS}{AR})分之(?:{CN_TIGHT}|{AR})"
        rf"|(?<![0-9/.])[0-9]{{1,2}}/[0-9]{{1,3}}(?![0-9/])|{NOT_IN_NUMERALS}一半)"
        # 1200多万元, 13万余人, 400 余人次, 99.4%, 40票,
        rf"|{NOT_IN_DIGITS}(?P<ar>{AR})(?:{SP}(?P<q1>{q}))?(?:{SP}(?P<mult>{MULT}{CHAIN}){GLOSS}?)?"
        rf"{SP}(?P<q2>{q})?{SP}(?:(?P<unit>{unit_alt})|{anyc})"
        # 三万五千多条, 三十多万人
        rf"|{NOT_IN_SPACED}(?P<cn>{CN}{half_tenth})(?:{SP}(?P<q3>{q}){SP}(?P<cmult>[万亿萬億]))?"
        rf"{SP}(?P<q4>{q})?{SP}(?P<cunit>{unit_alt}))"
    )


def _round_before_lai(ar: str | None, mult: str | None, cn: str | None, cmult: str | None) -> bool:
    """来 approximates a round number only (十来人, 20来家, 三百来户, 2万来元): what stands before it ends
    in a zero, a power of ten or a multiplier."""
    if mult or cmult:
        return True
    if ar is not None:
        return "." not in ar and "．" not in ar and ar[-1:] in ("0", "０")
    return cn is not None and cn[-1:] in tuple("十百千万亿拾佰仟萬億")


@lru_cache(maxsize=8)
def _scan_rules(rules: RuleSet):
    u = rules.raw_units
    money = u["amount"]["money"]
    return (
        _pattern(tuple(rules.units), tuple(rules.inner_quals), u["count"]["non_classifiers"], u["amount"]["half"],
                 u["percentage"]["tenths"]),
        tuple(w for w in u["sign"]["negative"]),
        frozenset(w[-1] for w in u["sign"]["negative"]),
        u["amount"]["half"],
        money["subunits"],
        frozenset(money["subunits_after"]),
        money["subunits_not_before"],
        frozenset(rules.exclusions["list_markers"]["fused_units"]),
        frozenset(u["amount"]["measure"]),
        _compounds(u["amount"]["compound"]),
        u["percentage"]["tenths"],
        tuple(rules.units),
        frozenset(u["percentage"]["tenths_not_before"]) | _NUMERAL_CHARS,
    )


def _compounds(comp: dict) -> tuple[frozenset, str, tuple[str, ...]]:
    """Compound units (毫克/升) are read after the numerator unit, so the
    unit alternation stays short: numerators, slashes, denominators."""
    dens = tuple(sorted(comp["denominators"], key=len, reverse=True))
    return frozenset(comp["numerators"]), comp["slashes"], dens


def scan(text: str, rules: RuleSet, rejected: list | None = None) -> list[Mention]:
    """Every number with a unit in ``text``. ``rejected``: a list that gets
    ``(start, end, reason)`` for each match the scanner itself refused."""
    out: list[Mention] = []
    units = rules.units
    cfg = _scan_rules(rules)
    for m in cfg[0].finditer(text):
        mention: Mention | str | None
        if m.group("pw") is not None:
            mention = _percent_words(m, units)
        elif m.group("fr") is not None:
            mention = _fraction(m, units)
        else:
            mention = _with_unit(text, m, units, cfg)
        if isinstance(mention, Mention):
            out.append(mention)
        elif rejected is not None:
            rejected.append((m.start(), m.end(), mention or "unreadable number"))
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


def _fraction(m: re.Match, units: dict[str, UnitInfo]) -> Mention | str | None:
    s = m.group("fr")
    try:
        v = parse_fraction(s)
    except (ValueError, ZeroDivisionError):
        return None
    if "/" in s:
        num, den = s.split("/")
        if not 0 < int(num) < int(den):
            return "not a proper fraction"
    return Mention(m.start(), m.end(), s, v, units["%"], None, chinese="/" not in s, kind="fraction")


def _with_unit(text: str, m: re.Match, units: dict[str, UnitInfo], cfg) -> Mention | str | None:
    """The mention of match ``m``, or why the scanner refuses it (a string)."""
    (_, negative, sign_ends, half, subunits, subunits_after, sub_not_before, fused_units, measures,
     (numerators, slashes, dens), tenths, unit_words, tenth_stops) = cfg
    ar, q1, mult, q2, unit, anyc, cn, q3, cmult, q4, cunit = m.group(
        "ar", "q1", "mult", "q2", "unit", "anyc", "cn", "q3", "cmult", "q4", "cunit")
    written = unit or cunit
    kind = "unit"
    if written is None:
        # a classifier by position (40票,); the pattern left out non-classifiers
        written = anyc
        info = UnitInfo(written, "count", written)
        kind = "classifier"
    else:
        info = units[written]
    end = m.end()
    n = len(text)
    # 0.5毫克/升, 5万元/亩: a compound unit, kept as written
    if end < n and text[end] in slashes and written in numerators:
        den = next((d for d in dens if text.startswith(d, end + 1)), None)
        if den is not None:
            written = f"{written}/{den}"
            info = UnitInfo(written, "amount", written)
            end += 1 + len(den)
    # 3个月, 一起来: the "unit" is the start of another word; try a shorter unit.
    if info.stop_after and end < n and text[end] in info.stop_after:
        return f"unit starts a word ({written}{text[end]}: stop_after)"
    q2 = q2 or q4
    inner = q1 or q3 or q2
    if q2 == "来" and info.type != "count":
        return "来 before a unit that is no count"
    if inner == "来" and not _round_before_lai(ar, mult if q2 else None, cn, cmult if q4 else None):
        return "来 after a number that is not round (49 来源: no 四十来)"
    start = m.start()
    notes = ""
    if ar is not None:
        number = ar + (mult or "")
        chinese = False
        if _FRAGMENT.match(ar):
            return "fragment of a number (leading 0)"  # 000元: the tail of a number split by a separator
        if not mult and (start == 0 or text[start - 1] in _MARKER_BEFORE) and written in fused_units:
            split = _fused_list_marker(text, start, ar)
            if split:
                start += split
                number = ar[split:]
                notes = "list marker split off"
    else:
        number = cn + (cmult or "")  # 三十多万人
        chinese = True
    try:
        if not chinese:
            value = parse_number(number)
        elif number == half:
            value = 0.5  # 半成
        else:
            # 一百 二百件: the space stood between two numbers; the one before the unit counts
            skip, value = parse_tail(number)
            start, number = start + skip, number[skip:]
    except ValueError:
        return None
    if end < n:
        # 七成六, 三成半: a tenth more (one digit, not the start of another count)
        if written == tenths and not (mult or cmult) and value == int(value) and 0 < value < 10:
            took, more = tenths_tail(text, end, half)
            nxt = end + took
            if took and (text.startswith(half, end) or not (nxt < n and (text[nxt] in tenth_stops
                                                                          or text.startswith(unit_words, nxt)))):
                value += more
                end = nxt
                notes = "tenths"
        # 三米半, 两吨半: a half of the unit (measures, whole numbers)
        elif text.startswith(half, end) and written in measures and not mult and value == int(value):
            value += 0.5
            end += len(half)
            notes = "half"
        # 八元五角, 20元3角5分
        elif written in subunits_after and text[end] in _SUBUNIT_DIGIT:
            end2, value2 = _subunits(text, end, value, subunits, sub_not_before)
            if end2 != end:
                end, value, notes = end2, value2, "subunits"
    # 负2.7%, -15.4%: a sign right before, not a range (3-5人)
    if start > 0 and text[start - 1] in sign_ends:
        for sign in negative:
            s0 = start - len(sign)
            if s0 >= 0 and text.startswith(sign, s0) and not (s0 > 0 and _LATIN_OR_DIGIT.match(text[s0 - 1])):
                start, value = s0, -value
                notes = f"{notes}, negative" if notes else "negative"
                break
    return Mention(start, end, number, value * info.factor, info, inner, chinese, kind, notes)


def _subunits(text: str, end: int, value: float, subunits: dict, not_before: str) -> tuple[int, float]:
    """角 and 分 after 元, one digit each, in that order (not 分之, 分钟)."""
    added = 0.0
    i = end
    for word, factor in subunits.items():
        if i + 1 < len(text) and text[i] in _SUBUNIT_DIGIT and text.startswith(word, i + 1):
            after = text[i + 1 + len(word):i + 2 + len(word)]
            if after and after in not_before:
                break
            added += parse_number(text[i]) * factor
            i += 1 + len(word)
    if added:
        return i, value + added
    return end, value


# where a list marker can stand: a line or sentence start
_MARKER_BEFORE = "\n。；;：: \u3000"
_MARKER_LINE = re.compile(r"[ \u3000]*([0-9]{1,2})[.．、]")


def _fused_list_marker(text: str, start: int, ar: str) -> int:
    """Characters of a list marker fused to the count at ``start``, or 0.

    "2.15个部门" at a line or sentence start is item 2 and 15个 (a count has
    no decimals); "215个部门" on the line after item 1 is too, its dot lost."""
    j = start - 1
    while j >= 0 and text[j] in " \u3000":
        j -= 1
    if j >= 0 and text[j] not in "\n。；;：:":
        return 0
    dot = max(ar.find("."), ar.find("．"))
    if dot > 0:
        head = ar[:dot]
        return dot + 1 if head.isdigit() and len(head) <= 2 and len(ar) > dot + 1 else 0
    if j >= 0 and text[j] != "\n" or not ar.isdigit() or len(ar) < 2:
        return 0
    # the dot lost: the item before on an earlier line, numbered one less
    line_end = j
    for _ in range(30):
        line_start = text.rfind("\n", 0, line_end) + 1
        mk = _MARKER_LINE.match(text, line_start)
        if mk:
            nxt = str(int(mk.group(1)) + 1)
            return len(nxt) if ar.startswith(nxt) and len(ar) > len(nxt) else 0
        if line_start == 0:
            break
        line_end = line_start - 1
    return 0


@lru_cache(maxsize=8)
def _rate_rx(rules: RuleSet) -> re.Pattern:
    words = "|".join(map(re.escape, rules.subjects["rate_words"]))
    verbs = "|".join(map(re.escape, sorted(rules.subjects["rate_verbs"], key=len, reverse=True)))
    firsts = "".join(sorted({re.escape(w[0]) for w in rules.subjects["rate_words"]}))
    return re.compile(rf"(?=[{firsts}])(?:{words})(?:{verbs})?{SP}{NOT_IN_DIGITS}(?P<n>{AR})(?=[ \u3000\"”’]*(?:[，,。；;！!\n]|\[image|$))")


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


@dataclass(frozen=True)
class _Scores:
    """``count.scores`` of a rule set, compiled: the gate (a digit right before the unit), the pattern
    of a score, the sentence's words and the words that may not stand before the number."""
    gate: re.Pattern
    rx: re.Pattern
    words: tuple[str, ...]
    not_after: tuple[str, ...]
    unit: UnitInfo


@lru_cache(maxsize=8)
def _scores(rules: RuleSet) -> _Scores | None:
    cfg = rules.raw_units["count"].get("scores")
    if not cfg:
        return None
    unit = re.escape(cfg["unit"])
    after = "".join(f"|{re.escape(w)}" for w in cfg.get("followers", ()))
    return _Scores(re.compile(f"{_D}{unit}"),
                   re.compile(rf"(?=[0-9０-９]){NOT_IN_DIGITS}(?P<n>{AR}){unit}(?=[，,。；;、！!？?：:\n（()）”\"]|${after})"),
                   tuple(cfg["words"]), tuple(cfg["not_after"]), UnitInfo(cfg["unit"], "count", cfg["unit"]))


# how far before the first digit-and-unit a score's number may start (1 234 567.89分)
_SCORE_REACH = 64


def scan_scores(text: str, rules: RuleSet, taken: SpanSet) -> list[Mention]:
    """Points in a sentence about scores (考评得分为147.68分, 灌云县145.37分): counts in 分, where
    the sentence holds a word of ``count.scores.words`` and no word of
    ``not_after`` stands right before it (满分为150分, 扣2分, 8时30分)."""
    cfg = _scores(rules)
    first = cfg.gate.search(text) if cfg else None
    if cfg is None or first is None:
        return []
    stops: list[int] | None = None
    out = []
    for m in cfg.rx.finditer(text, max(0, first.start() - _SCORE_REACH)):
        s, e = m.start("n"), m.end()
        if taken.covers(s, e):
            continue
        j = s
        while j > 0 and text[j - 1] in " \u3000":
            j -= 1      # 满分为 100分: the word before the spaces
        if j and (text[j - 1] in "-－−" or text.endswith(cfg.not_after, 0, j)):
            continue    # a deduction (-3分), a maximum, a bound, a clock time
        if stops is None:   # once: each match looks up its sentence
            stops = [x.start() for x in _SENTENCE_END.finditer(text)]
        k = bisect_left(stops, s)
        begin = stops[k - 1] + 1 if k else 0
        end = stops[k] if k < len(stops) else len(text)
        if not any(w in text[begin:end] for w in cfg.words):
            continue
        out.append(Mention(s, e, m.group("n"), parse_number(m.group("n")), cfg.unit, None, False, kind="score"))
    return out


_SENTENCE_END = re.compile(r"[。；;！!？?\n]")


@lru_cache(maxsize=8)
def _people_rx(rules: RuleSet) -> re.Pattern:
    nouns = "|".join(map(re.escape, sorted(rules.subjects["people_nouns"], key=len, reverse=True)))
    return re.compile(rf"(?=[0-9０-９]){NOT_IN_DIGITS}(?P<ar>{AR})(?P<q>余|多)?(?P<mult>[万亿萬億]{{1,2}})(?P<q2>余|多)?(?={nouns})")


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

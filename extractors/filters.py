"""Which quantities are not statistics (spec §3).

Each check is a small pure function of the text around a mention; ``reject``
returns the reason for the first check that fails, or ``None`` for a
statistic. Reasons are short names, kept so a reviewer can see why a number
was dropped (``explain`` in the pipeline).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .layout import SpanSet
from .ruleset import RuleSet
from .scanner import Mention

_DIGIT = re.compile(r"[0-9０-９]")
_BARE_MULTIPLIER = set("十百千万亿拾佰仟萬億")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_CLAUSE_OR_COLON = re.compile(r"[，,。；;！!？?\n：:]")
# How far the checks look around a number for a clause end (bounded, so the
# cost per number stays constant on text without punctuation).
_LOOK = 80


class _Lists:
    """The word lists of ``exclusions.toml`` compiled once per rule set."""

    def __init__(self, rules: RuleSet):
        ex = rules.exclusions
        self.durations = tuple(ex["after"]["durations"])
        self.ordinal = tuple(ex["before"]["ordinal"])
        self.frequency = tuple(ex["before"]["frequency"])
        self.frequency_window = ex["before"]["frequency_window"]
        self.frequency_words = tuple(ex["before"]["frequency_words"])
        rh = ex["rhetoric"]
        self.scale_words, self.country_tails = tuple(rh["scale_words"]), tuple(rh["country_tails"])
        sc = ex["small_chinese"]
        self.negated = re.compile("(?:" + "|".join(map(re.escape, sc["negations"])) + r")[\u4e00-\u9fff]{0,4}$")
        self.coordinated = re.compile(r"[和及、][" + re.escape(sc["coordinated_numerals"]) + "]")
        self.slogan_numeral = re.compile("[" + re.escape(sc["slogan_numerals"]) + "]")
        self.bare_after = tuple(sc["bare_multiplier_after"])
        li = ex["lists"]
        self.list_units = frozenset(li["units"])
        self.list_max = li["max_count"]
        self.list_split = re.compile("|".join(map(re.escape, li["item_joiners"])))
        self.list_breaker = re.compile("[" + re.escape(li["item_breakers"]) + "]")
        rq = ex["requirements"]
        self.bounds = tuple(rq["bounds"])
        self.req_cues = tuple(rq["cues"])
        self.req_window = rq["window"]
        th = ex["thresholds"]
        self.thresholds = frozenset(th["qualifiers"])
        self.threshold_followers = tuple(th["followers"])
        # a suffix qualifier then a follower, as one string each (以上的)
        self.threshold_tails = tuple(q + f for q in th["qualifiers"] for f in th["followers"])
        self.threshold_not = tuple(th["not_before"])


@lru_cache(maxsize=8)
def lists(rules: RuleSet) -> _Lists:
    return _Lists(rules)


def reject(text: str, m: Mention, rules: RuleSet, protected: SpanSet, clause_start: int,
           prefix_word: str = "") -> str | None:
    """The reason ``m`` is not a record, or None. ``prefix_word``: the
    qualifier written before it (超过, 不少于), if any."""
    li = lists(rules)
    if protected.covers(m.start, m.end):
        return "name"
    if m.unit.written in rules.never_units:
        return "rank"
    if text.startswith(li.durations, m.end):
        return "duration"
    if text.endswith(li.ordinal, 0, m.start):
        return "ordinal"
    if text.endswith(li.frequency, 0, m.start):
        return "frequency"
    if m.unit.written.endswith("次"):
        window = text[max(clause_start, m.start - li.frequency_window):m.start]
        if any(w in window for w in li.frequency_words):
            return "frequency"
    if text.endswith(li.bounds, 0, m.start):
        window = text[max(clause_start, m.start - li.req_window - 4):m.start]
        if any(w in window for w in li.req_cues):
            return "requirement"
    if (prefix_word in li.thresholds and text.startswith(li.threshold_followers, m.end)
            or text.startswith(li.threshold_tails, m.end)) and not _level_follows(text, m.end, li):
        return "threshold"
    if m.chinese and m.kind == "unit":
        reason = _chinese_count(text, m, rules, clause_start, li)
        if reason:
            return reason
    if m.kind in ("unit", "classifier") and m.unit.type == "count" and _announces_list(text, m, clause_start, li):
        return "list"
    if m.unit.unit == "人" and _describes_country(text, m.end, li.scale_words, li.country_tails):
        return "rhetoric"
    return None


def _level_follows(text: str, end: int, li: _Lists) -> bool:
    """超过134.9万亿元的水平: after the 的 a level or scale, not a group."""
    i = text.find("的", end, end + 4)
    return i >= 0 and text.startswith(li.threshold_not, i + 1)


def _describes_country(text: str, end: int, scale_words: tuple[str, ...], tails: tuple[str, ...]) -> bool:
    """近14亿人口的发展中大国, 14亿人民的…: a description of the country, not a result."""
    stop = _CLAUSE_END.search(text, end, end + _LOOK)
    after = text[end:stop.start() if stop else len(text)][:12]
    if "的" not in after:
        return False
    tail = after[after.index("的") + 1:]
    return tail.startswith(scale_words) or tail.startswith(tails)


def _chinese_count(text: str, m: Mention, rules: RuleSet, clause_start: int, li: _Lists) -> str | None:
    """Chinese numerals are often words, not figures (一批, 两个维护, 千家万户)."""
    ex = rules.exclusions["small_chinese"]
    if all(ch in _BARE_MULTIPLIER for ch in m.number) and not m.inner:
        prev = text[m.start - 1:m.start]
        if not prev or prev not in li.bare_after:
            return "word"
    if m.value > ex["max_value"] or m.unit.type == "percentage":
        return None
    if m.unit.arabic_only:
        return "structure"
    after = text[m.end:m.end + 6]
    if after.startswith(tuple(ex["structure_nouns"])):
        return "structure"
    # 一X一Y, 一庭两所, 四议两公开, 两个市场两种资源: a small numeral again
    # right after the unit
    if li.slogan_numeral.search(text[m.end:m.end + 4]):
        return "slogan"
    if m.number in ("一", "壹") and not m.inner:
        before = text[clause_start:m.start]
        if li.negated.search(before):
            return "negation"  # 没有发生一起…事件
        if not before.endswith(tuple(ex["one_needs_before"])):
            # coordinated with another count in the clause (一期…和两期…)
            clause_end = _CLAUSE_END.search(text, m.end, m.end + _LOOK)
            rest = text[m.end:clause_end.start() if clause_end else m.end + _LOOK]
            if not li.coordinated.search(rest):
                return "word"
    return None


def _list_items(seg: str, li: _Lists) -> int:
    """How many short items, separated by 、 和 及, end ``seg``
    (在广东、福建两省的深圳、珠海、汕头、厦门 -> 4)."""
    pieces = li.list_split.split(seg[:-1] if seg.endswith("等") else seg)
    n = 0
    for piece in reversed(pieces):
        n += 1
        if len(piece) > 8 or li.list_breaker.search(piece):
            break
    return n


def _announces_list(text: str, m: Mention, clause_start: int, li: _Lists) -> bool:
    """A small count that only restates an enumeration just given (预防、受理、
    办理、维护秩序、监督问责信访五个法治化建设) or announces one (以下三个方面：)."""
    if m.value > li.list_max or m.value != int(m.value) or m.inner or m.unit.written not in li.list_units:
        return False
    n = int(m.value)
    # enumeration before: items separated by 、 (the clause start cut at 、, so
    # look back across them within the sentence)
    lo = max(0, m.start - _LOOK)
    sent_start = max(max(text.rfind(ch, lo, m.start) for ch in "，,。；;\n") + 1, lo)
    seg = text[sent_start:m.start]
    if _DIGIT.search(seg):
        return False  # a list of counts (团伙12个、犯罪集团2个), not of names
    items = _list_items(seg, li)
    if items > 1:
        if seg.endswith("等"):
            if items <= n <= items + 1 and n <= 6:
                return True
        elif items == n and n >= 2:
            return True
    # announcement after: 重点抓好三个方面：
    clause_end = _CLAUSE_OR_COLON.search(text, m.end, m.end + _LOOK)
    if clause_end and clause_end.group() in ("：", ":"):
        return n <= 10 and m.chinese
    return False

"""Which quantities are not statistics (spec §3).

Each check is a small pure function of the text around a mention; ``reject``
returns the reason for the first check that fails, or ``None`` for a
statistic. Reasons are short names, kept so a reviewer can see why a number
was dropped (``explain`` in the pipeline).
"""
from __future__ import annotations

import re

from .layout import SpanSet
from .ruleset import RuleSet
from .scanner import Mention

_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億兩]")
_NEGATED = re.compile(r"(?:没有|未|无|不|杜绝)[\u4e00-\u9fff]{0,4}$")
_COORDINATED_COUNT = re.compile(r"[和及、][二两三四五六七八九十0-9]")
_DIGIT = re.compile(r"[0-9０-９]")
_SMALL_NUMERAL = re.compile(r"[一二两三四五六七八九十]")
_BARE_MULTIPLIER = set("十百千万亿拾佰仟萬億")
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_CLAUSE_OR_COLON = re.compile(r"[，,。；;！!？?\n：:]")
# Classifiers with which a small count can name the parts of a list.
_LIST_UNITS = {"个", "项", "类", "大类", "条", "方面"}


def reject(text: str, m: Mention, rules: RuleSet, protected: SpanSet, clause_start: int) -> str | None:
    ex = rules.exclusions
    if protected.covers(m.start, m.end):
        return "name"
    if m.unit.written in rules.never_units:
        return "rank"
    if text.startswith(tuple(ex["after"]["durations"]), m.end):
        return "duration"
    before = text[max(0, m.start - 4):m.start]
    if before.endswith(tuple(ex["before"]["ordinal"])):
        return "ordinal"
    if before.endswith(tuple(ex["before"]["frequency"])):
        return "frequency"
    if m.unit.written.endswith("次"):
        window = text[max(clause_start, m.start - ex["before"]["frequency_window"]):m.start]
        if any(w in window for w in ex["before"]["frequency_words"]):
            return "frequency"
    if m.chinese and m.kind == "unit":
        reason = _chinese_count(text, m, rules, clause_start)
        if reason:
            return reason
    if m.kind == "unit" and m.unit.type == "count" and _announces_list(text, m, clause_start):
        return "list"
    if m.unit.unit == "人" and _describes_country(text, m.end, ex["rhetoric"]["scale_words"]):
        return "rhetoric"
    return None


def _describes_country(text: str, end: int, scale_words: list[str]) -> bool:
    """近14亿人口的发展中大国, 14亿人民的…: a description of the country, not a result."""
    stop = _CLAUSE_END.search(text, end)
    after = text[end:stop.start() if stop else len(text)][:12]
    if "的" not in after:
        return False
    tail = after[after.index("的") + 1:]
    return tail.startswith(tuple(scale_words)) or tail.startswith(("发展中", "人口大国"))


def _chinese_count(text: str, m: Mention, rules: RuleSet, clause_start: int) -> str | None:
    """Chinese numerals are often words, not figures (一批, 两个维护, 千家万户)."""
    ex = rules.exclusions["small_chinese"]
    if all(ch in _BARE_MULTIPLIER for ch in m.number) and not m.inner:
        prev = text[m.start - 1:m.start]
        if prev not in ("上", "近", "数", "逾", "超"):
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
    if _SMALL_NUMERAL.search(text[m.end:m.end + 4]):
        return "slogan"
    if m.number in ("一", "壹") and not m.inner:
        before = text[clause_start:m.start]
        if _NEGATED.search(before):
            return "negation"  # 没有发生一起…事件
        if not before.endswith(tuple(ex["one_needs_before"])):
            # coordinated with another count in the clause (一期…和两期…)
            clause_end = _CLAUSE_END.search(text, m.end)
            rest = text[m.end:clause_end.start() if clause_end else len(text)]
            if not _COORDINATED_COUNT.search(rest):
                return "word"
    return None


def _list_items(seg: str) -> int:
    """How many short items, separated by 、 和 及, end ``seg``
    (在广东、福建两省的深圳、珠海、汕头、厦门 -> 4)."""
    pieces = re.split(r"、|和|及", seg[:-1] if seg.endswith("等") else seg)
    n = 0
    for piece in reversed(pieces):
        n += 1
        if len(piece) > 8 or re.search(r"[的在把将对等为]", piece):
            break
    return n


def _announces_list(text: str, m: Mention, clause_start: int) -> bool:
    """A small count that only restates an enumeration just given (预防、受理、
    办理、维护秩序、监督问责信访五个法治化建设) or announces one (以下三个方面：)."""
    if m.value > 12 or m.value != int(m.value) or m.inner or m.unit.written not in _LIST_UNITS:
        return False
    n = int(m.value)
    # enumeration before: items separated by 、 (the clause start cut at 、, so
    # look back across them within the sentence)
    sent_start = max(text.rfind(ch, 0, m.start) for ch in "，,。；;\n") + 1
    seg = text[sent_start:m.start]
    if _DIGIT.search(seg):
        return False  # a list of counts (团伙12个、犯罪集团2个), not of names
    items = _list_items(seg)
    if items > 1:
        if seg.endswith("等"):
            if items <= n <= items + 1 and n <= 6:
                return True
        elif items == n and n >= 2:
            return True
    # announcement after: 重点抓好三个方面：
    clause_end = _CLAUSE_OR_COLON.search(text, m.end)
    if clause_end and clause_end.group() in ("：", ":"):
        return n <= 10 and m.chinese
    return False

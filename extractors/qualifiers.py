"""Qualifiers (约, 余, 以上 …) and directions (上升, 下降 …) of a quantity."""
from __future__ import annotations

from functools import lru_cache

from .ruleset import RuleSet


@lru_cache(maxsize=8)
def _prefix_table(rules: RuleSet) -> tuple[tuple[int, ...], dict[str, str]]:
    table = dict(rules.prefix_quals)
    return tuple(sorted({len(w) for w in table}, reverse=True)), table


def prefix_qualifier(text: str, start: int, rules: RuleSet) -> tuple[str | None, int]:
    """The qualifier written right before the number, and where it begins
    (longest word first)."""
    lengths, table = _prefix_table(rules)
    guards = rules.qualifiers["guards"]
    for n in lengths:
        word = text[start - n:start] if start >= n else ""
        label = table.get(word)
        if label is None:
            continue
        # 上 only in 上百, 上千 (not in 线上5件); 近 not in 最近, 附近
        needs = guards["needs_next"].get(word)
        if needs is not None and (start >= len(text) or text[start] not in needs):
            continue
        if any(text.endswith(w, 0, start) for w in guards["not_in"].get(word, ())):
            continue
        return label, start - n
    return None, start


def distant_prefix(text: str, clause_start: int, start: int, rules: RuleSet) -> str | None:
    """A prefix qualifier a few characters before a share, in its clause
    (超过全球一半, 近全县的三分之一): the last one within 10 characters, of
    the words ``guards.before_share`` allows."""
    window = text[max(clause_start, start - 10):start]
    best, label = -1, None
    table = dict(rules.prefix_quals)
    for word in rules.qualifiers["guards"]["before_share"]:
        lab = table.get(word)
        i = window.rfind(word) if lab else -1
        if i > best:
            best, label = i, lab
    return label


def suffix_qualifier(text: str, end: int, rules: RuleSet) -> tuple[str | None, int]:
    """The qualifier written right after the unit (100人以上), and where it ends."""
    tail = text[end:end + 3]
    for word, label in rules.suffix_quals:
        if tail.startswith(word):
            return label, end + len(word)
    return None, end


def qualifier(prefix: str | None, inner: str | None, suffix: str | None, rules: RuleSet) -> str:
    if prefix:
        return prefix
    if inner:
        return rules.inner_quals.get(inner, "over")
    if suffix:
        return suffix
    return "exact"


def direction(text: str, start: int, rules: RuleSet) -> str | None:
    """increase / decrease for a change (同比上升453.3%); None for a level
    (提高到66.2%, 降至7.5%) or a percentage that is not a change."""
    head = text[max(0, start - 10):start].rstrip(" \u3000")
    d = rules.qualifiers["direction"]
    level = tuple(d["level_markers"])
    # 增长了5%, 增幅达15%: step over particles that do not make a level
    for particle in d["particles"]:
        if head.endswith(particle):
            stripped = head[: -len(particle)]
            if stripped.endswith(tuple(d["rate_of_change"])) or particle == "了":
                head = stripped
            break
    if head.endswith(level):
        return None
    for word, label in rules.directions:
        if head.endswith(word):
            return label
    return None

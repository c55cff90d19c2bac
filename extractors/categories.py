"""The category of a record: the taxonomy of ``rules/categories.toml``."""
from __future__ import annotations

import re
from functools import lru_cache

from .ruleset import RuleSet


@lru_cache(maxsize=8)
def _matchers(rules: RuleSet) -> list[tuple[str, re.Pattern]]:
    return [(name, re.compile("|".join(map(re.escape, cues))))
            for name, cues in rules.categories if cues]


def categorise(subject: str | None, sentence: str, headings: str, rules: RuleSet) -> str:
    """First category whose cue is in the subject, else the sentence, else the
    section headings; 其他 when none matches."""
    for where in (subject, sentence, headings):
        if where:
            name = _first(where, rules)
            if name:
                return name
    return "其他"


@lru_cache(maxsize=4096)
def _first(where: str, rules: RuleSet) -> str | None:
    for name, rx in _matchers(rules):
        if rx.search(where):
            return name
    return None

"""The category of a record: the taxonomy of ``rules/categories.toml``."""
from __future__ import annotations

from .ruleset import RuleSet


def categorise(subject: str | None, sentence: str, headings: str, rules: RuleSet) -> str:
    """First category whose cue is in the subject, else the sentence, else the
    section headings; 其他 when none matches."""
    for where in (subject or "", sentence, headings):
        if not where:
            continue
        for name, cues in rules.categories:
            if any(c in where for c in cues):
                return name
    return "其他"

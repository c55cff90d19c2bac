"""The schema of the rule files, and the check ``load_rules`` runs on them.

Every rule file is checked before any document runs: an unknown or misspelled
key, a missing key, a value of the wrong type or a regular expression that
does not compile is a ``RulesError`` naming the file, the key and the line.

A schema is plain data:

- ``"str"``, ``"int"``, ``"num"`` (int or float), ``"regex"`` (a string that
  must compile), ``"chars"`` (a string read as a set of characters);
- ``["str"]``: a list of that type;
- ``("pair", "str", "num")``: a two-element list;
- ``{"key": node, "key?": node}``: a table with those keys (``?``: optional),
  no others;
- ``{"*": node}``: a table with any keys, each value of that type;
- ``[{...}]``: an array of tables.
"""
from __future__ import annotations

import difflib
import re

WORDS = ["str"]

SCHEMA: dict[str, dict] = {
    "units.toml": {
        "numerals": {"digits": WORDS, "powers": {"*": "num"}, "sections": {"*": "num"}, "points": "chars",
                     "spaces": "chars", "max_spaces": "int"},
        "case": {"units": WORDS},
        "case_as_count": {"subject_cues": WORDS, "subject_cues_not?": WORDS, "event_cues?": WORDS},
        "count": {"units": WORDS, "arabic_only?": WORDS, "never?": WORDS, "non_classifiers": "chars",
                  "scores?": {"unit": "str", "words": WORDS, "not_after": WORDS, "followers?": WORDS}},
        "percentage": {"units": WORDS, "factor?": {"*": "num"}, "tenths": "str", "tenths_not_before": "chars"},
        "amount": {
            "half": "str",
            "money": {"units": WORDS, "to?": {"*": "str"}, "subunits": {"*": "num"}, "subunits_after": WORDS,
                      "subunits_not_before": "chars"},
            "measure": {"*": ("pair", "str", "num")},
            "compound": {"numerators": WORDS, "denominators": WORDS, "slashes": "chars"},
        },
        "sign": {"negative": WORDS},
        "stop_after?": {"*": "str"},
    },
    "qualifiers.toml": {
        "prefix": {"over?": WORDS, "under?": WORDS, "approx?": WORDS},
        "inner": {"over?": WORDS, "under?": WORDS, "approx?": WORDS},
        "suffix": {"over?": WORDS, "under?": WORDS, "approx?": WORDS},
        "guards": {"needs_next": {"*": "chars"}, "not_in": {"*": WORDS}, "before_share": WORDS},
        "direction": {
            "increase": WORDS, "decrease": WORDS, "level_markers": WORDS,
            "particles": WORDS, "rate_of_change": WORDS,
        },
    },
    "exclusions.toml": {
        "spans": {"names": [WORDS], "quotes": [WORDS], "max_quote_chars": "int"},
        "before": {"ordinal": WORDS, "frequency": WORDS, "frequency_window": "int", "frequency_words": WORDS},
        "after": {"durations": WORDS},
        "small_chinese": {
            "max_value": "num", "structure_nouns": WORDS, "one_needs_before": WORDS,
            "bare_multiplier_after": WORDS, "negations": WORDS, "slogan_numerals": "chars",
            "coordinated_numerals": "chars",
        },
        "lists": {"units": WORDS, "max_count": "int", "item_breakers": "chars", "item_joiners": WORDS},
        "requirements": {"bounds": WORDS, "cues": WORDS, "window": "int"},
        "thresholds": {"qualifiers": WORDS, "followers": WORDS, "not_before": WORDS},
        "list_markers": {"fused_units": WORDS},
        "slogans": {"phrases": WORDS},
        "rhetoric": {"scale_words": WORDS, "country_tails": WORDS},
    },
    "subjects.toml": {
        "clause_delimiters": "chars",
        "max_clause_chars": "int",
        "leading": WORDS,
        "leading_patterns": ["regex"],
        "time_start": "regex",
        "time_end": "regex",
        "level_ends": WORDS,
        "following_trailing": WORDS,
        "trailing": WORDS,
        "empty_words": WORDS,
        "not_subject_start": "chars",
        "fillers": WORDS,
        "comparisons": ["regex"],
        "comparison_ends": "chars",
        "coordination_joiners": WORDS,
        "coordination_markers": WORDS,
        "respectively_markers": WORDS,
        "whole_words": WORDS,
        "rate_heads": WORDS,
        "bare_shares": WORDS,
        "totals": WORDS,
        "following_stops": WORDS,
        "verbs_before_object": WORDS,
        "rate_words": WORDS,
        "rate_verbs": WORDS,
        "people_nouns": WORDS,
    },
    "categories.toml": {
        "category": [{"name": "str", "cues": WORDS}],
    },
    "tables.toml": {
        "units": {"by_subject": {"*": "str"}, "header_suffix": {"*": "str"}, "count_objects?": WORDS,
                  "from_prose?": WORDS, "prose_units?": WORDS, "money_words?": WORDS, "ratio_headers?": WORDS,
                  "money_headers?": {"*": "str"}, "score_headers?": {"*": "str"}, "case_outcomes?": WORDS},
        "cells": {"empty": WORDS, "serial_headers": WORDS, "rank_headers?": WORDS, "generic_headers": WORDS, "period_headers?": WORDS,
                  "column_number_labels?": WORDS},
        "headers": {"caption_suffixes": WORDS, "caption_words": WORDS, "corner_words?": WORDS, "remark_words?": WORDS,
                    "measure_words?": WORDS, "measure_ends?": WORDS},
    },
    # the document identity (extractors/meta.py): who reported, for which year, published when
    "meta.toml": {
        "org": {"government_words": WORDS, "suffixes": WORDS, "not_names": WORDS, "not_name_starts": "chars",
                "not_name_prefixes": WORDS, "higher_bodies": WORDS, "full_forms": {"*": "str"},
                "ethnic_groups?": WORDS, "short_street_not_names?": WORDS},
        "opening": {"after_subject": WORDS, "name_stops": WORDS, "lead_ins": WORDS, "short_suffixes": WORDS,
                    "later_sentences?": "int", "clause_lead_ins?": WORDS},
        "self": {"words": WORDS, "short_name_after": WORDS, "systems": {"*": WORDS}, "slogan_not_names?": WORDS,
                 "not_words?": WORDS, "regions?": {"*": "str"},
                 "province_abbreviations?": {"*": "str"}},
        "frequency?": {"word_after": {"*": "chars"}, "not_in_name": WORDS, "name_end_ok?": {"*": "int"}},
        "published": {"labels": WORDS, "clock": WORDS, "source_ends?": WORDS, "stamp_labels?": WORDS,
                      "stamp_before?": "str"},
        "title": {"endings": WORDS, "topic": WORDS, "run_in": "regex"},
    },
}


class RulesError(ValueError):
    """A rule file that does not match its schema."""

    def __init__(self, file: str, key: str, line: int, problem: str):
        self.file, self.key, self.line, self.problem = file, key, line, problem
        super().__init__(f"{file}:{line}: {key or '(file)'}: {problem}")


def check_file(name: str, path: str, data: dict, raw: str) -> None:
    """Raise ``RulesError`` for the first place where ``data`` breaks the schema."""
    _check(data, SCHEMA[name], [], path, raw)
    for keys, group in GROUPS.get(name, ()):
        if group not in re.compile(_get(data, keys)).groupindex:
            _fail(path, raw, list(keys), f"the regular expression needs a group named {group!r}")


# regular expressions whose named group the code reads
GROUPS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "meta.toml": ((("title", "run_in"), "title"),),
}


def _get(data: dict, keys: tuple[str, ...]):
    for k in keys:
        data = data[k]
    return data


def _fail(path: str, raw: str, keys: list, problem: str, value=None):
    dotted = ".".join(str(k) for k in keys)
    line = find_line(raw, keys)
    if isinstance(value, str) and value:
        # an element of a list written over several lines: the line holding it
        lines = raw.splitlines()
        for i in range(line - 1, min(len(lines), line + 200)):
            if value in lines[i] or value.replace("\\", "\\\\") in lines[i]:
                line = i + 1
                break
    raise RulesError(path, dotted, line, problem)


_TYPES = {"str": str, "chars": str, "regex": str, "int": int}


def _check(value, node, keys: list, path: str, raw: str) -> None:
    if isinstance(node, str):
        if node == "num":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, _TYPES[node]) and not isinstance(value, bool)
        if not ok:
            _fail(path, raw, keys, f"expected {_describe(node)}, got {type(value).__name__} {value!r}"[:200])
        if node == "regex":
            try:
                re.compile(value)
            except re.error as exc:
                _fail(path, raw, keys, f"bad regular expression {value!r}: {exc}", value)
        return
    if isinstance(node, tuple):
        _, *items = node
        if not isinstance(value, list) or len(value) != len(items):
            _fail(path, raw, keys, f"expected a list of {len(items)} ({', '.join(items)}), got {value!r}"[:200])
        for i, (v, n) in enumerate(zip(value, items)):
            _check(v, n, keys + [i], path, raw)
        return
    if isinstance(node, list):
        if not isinstance(value, list):
            _fail(path, raw, keys, f"expected a list, got {type(value).__name__} {value!r}"[:200])
        for i, v in enumerate(value):
            _check(v, node[0], keys + [i], path, raw)
        return
    if not isinstance(value, dict):
        _fail(path, raw, keys, f"expected a table, got {type(value).__name__} {value!r}"[:200])
    if "*" in node:
        for k, v in value.items():
            _check(v, node["*"], keys + [k], path, raw)
        return
    fields = {k.rstrip("?"): (n, not k.endswith("?")) for k, n in node.items()}
    for k, v in value.items():
        if k not in fields:
            close = difflib.get_close_matches(k, list(fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(fields)})"
            _fail(path, raw, keys + [k], "unknown key" + hint)
        _check(v, fields[k][0], keys + [k], path, raw)
    for k, (_, required) in fields.items():
        if required and k not in value:
            _fail(path, raw, keys + [k], "missing key")


def _describe(node: str) -> str:
    return {"str": "a string", "chars": "a string of characters", "regex": "a regular expression (string)",
            "int": "an integer", "num": "a number"}[node]


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*("?)([^"=\s]+)\1\s*=""")


def find_line(raw: str, keys: list) -> int:
    """The line (1-based) where the dotted key ``keys`` is written; the line
    of its table when the key itself is missing; else 1."""
    names = [str(k) for k in keys if not isinstance(k, int)]
    if not names:
        return 1
    table, last = names[:-1], names[-1]
    best_table_line = None
    current: list[str] = []
    for i, line in enumerate(raw.splitlines(), 1):
        h = _HEADER.match(line)
        if h:
            current = [p.strip().strip('"') for p in h.group(1).split(".")]
            if current == names:
                return i  # the key is a table
            if current == table and best_table_line is None:
                best_table_line = i
            continue
        k = _KEY.match(line)
        if k and k.group(2) == last and current == table:
            return i
    return best_table_line or 1

"""Loading the rule data files and naming the rule set.

All rules live as TOML under ``extractors/rules/``. A ``RuleSet`` is those
files read once, plus the derived lookups the extractors need. Its
``version`` is a hash of the files' bytes and of ``CODE_VERSION``, so a record
always says which rules made it, and changing either re-runs extraction.

A researcher can copy the rules folder, edit a file and pass the copy:
``extract(text, rules=load_rules("my_rules"))``.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Bump when extractor code changes what it emits for the same rule files.
CODE_VERSION = "1"

DEFAULT_RULES_DIR = Path(__file__).with_name("rules")
RULE_FILES = ("units.toml", "qualifiers.toml", "exclusions.toml", "subjects.toml", "categories.toml", "tables.toml")


@dataclass(frozen=True)
class UnitInfo:
    """What a unit as written means: record type, normalised unit, factor."""

    written: str
    type: str
    unit: str
    factor: float = 1.0
    arabic_only: bool = False
    stop_after: str = ""


@dataclass(eq=False)  # identity hash: a loaded rule set is a cache key
class RuleSet:
    path: Path
    version: str
    units: dict[str, UnitInfo]
    never_units: frozenset[str]
    case_as_count_cues: tuple[str, ...]
    case_as_count_not: tuple[str, ...]
    qualifiers: dict
    exclusions: dict
    subjects: dict
    categories: list[tuple[str, tuple[str, ...]]]
    tables: dict = field(default_factory=dict)   # tables.toml (extractors/tables.py)
    # derived, sorted longest first for prefix/suffix matching
    prefix_quals: list[tuple[str, str]] = field(default_factory=list)
    suffix_quals: list[tuple[str, str]] = field(default_factory=list)
    inner_quals: dict[str, str] = field(default_factory=dict)
    directions: list[tuple[str, str]] = field(default_factory=list)


def _longest_first(mapping: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = [(word, label) for label, words in mapping.items() for word in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _read(path: Path) -> tuple[dict[str, dict], str]:
    digest = hashlib.sha256(CODE_VERSION.encode())
    data = {}
    for name in RULE_FILES:
        raw = (path / name).read_bytes()
        digest.update(name.encode() + b"\0" + raw)
        try:
            data[name] = tomllib.loads(raw.decode("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"rule file {path / name} is not valid TOML: {exc}") from exc
    return data, "r" + digest.hexdigest()[:12]


def _units(u: dict) -> dict[str, UnitInfo]:
    stop = u.get("stop_after", {})
    units: dict[str, UnitInfo] = {}
    arabic_only = set(u["count"].get("arabic_only", []))
    for w in u["case"]["units"]:
        units[w] = UnitInfo(w, "case", w, stop_after=stop.get(w, ""))
    for w in u["count"]["units"]:
        units[w] = UnitInfo(w, "count", w, arabic_only=w in arabic_only, stop_after=stop.get(w, ""))
    for w in u["percentage"]["units"]:
        factor = 0.1 if w == "‰" else 1.0
        units[w] = UnitInfo(w, "percentage", "%", factor)
    money = u["amount"]["money"]
    for w in money["units"]:
        units[w] = UnitInfo(w, "amount", money.get("to", {}).get(w, w), stop_after=stop.get(w, ""))
    for w, (to, factor) in u["amount"]["measure"].items():
        units[w] = UnitInfo(w, "amount", to, float(factor), stop_after=stop.get(w, ""))
    return units


@lru_cache(maxsize=8)
def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read the rule files in ``path`` (default: the bundled rules)."""
    path = Path(path) if path else DEFAULT_RULES_DIR
    data, version = _read(path)
    u, q = data["units.toml"], data["qualifiers.toml"]
    rs = RuleSet(
        path=path,
        version=version,
        units=_units(u),
        never_units=frozenset(u["count"].get("never", [])),
        case_as_count_cues=tuple(u["case_as_count"]["subject_cues"]),
        case_as_count_not=tuple(u["case_as_count"].get("subject_cues_not", [])),
        qualifiers=q,
        exclusions=data["exclusions.toml"],
        subjects=data["subjects.toml"],
        categories=[(c["name"], tuple(c["cues"])) for c in data["categories.toml"]["category"]],
        tables=data["tables.toml"],
    )
    rs.prefix_quals = _longest_first(q["prefix"])
    rs.suffix_quals = _longest_first(q["suffix"])
    rs.inner_quals = {w: label for label, words in q["inner"].items() for w in words}
    rs.directions = _longest_first({k: v for k, v in q["direction"].items() if k != "level_markers"})
    return rs

"""Loading the rule data files and naming the rule set.

All rules live as TOML under ``extractors/rules/`` (what every key means:
``rules/README.md``). A ``RuleSet`` is those files read once and checked
against their schema (``rulecheck``), plus the derived lookups the extractors
need. Its ``version`` is a hash of the files' bytes and of the source of every
extractor module, so a record always says which rules and which code made
it, and changing either re-runs extraction. Nobody bumps a number by hand.

A researcher can copy the rules folder, edit a file and pass the copy:
``extract(text, rules=load_rules("my_rules"))``.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .rulecheck import SCHEMA, RulesError, check_file

DEFAULT_RULES_DIR = Path(__file__).with_name("rules")
RULE_FILES = tuple(SCHEMA)
_PACKAGE = Path(__file__).parent


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of the source of every module of this package (extractors/*.py), and of the code that
    derives a record's lake columns from it (schemas/values.py: unit, display …)."""
    digest = hashlib.sha256()
    derived = _PACKAGE.parent / "schemas" / "values.py"
    for p in sorted(_PACKAGE.glob("*.py")) + ([derived] if derived.exists() else []):
        digest.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


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
    event_cues: tuple[str, ...]
    raw_units: dict
    qualifiers: dict
    exclusions: dict
    subjects: dict
    categories: list[tuple[str, tuple[str, ...]]]
    tables: dict = field(default_factory=dict)   # tables.toml (extractors/tables.py)
    meta: dict = field(default_factory=dict)     # meta.toml (extractors/meta.py: the document identity)
    # derived, sorted longest first for prefix/suffix matching
    prefix_quals: list[tuple[str, str]] = field(default_factory=list)
    suffix_quals: list[tuple[str, str]] = field(default_factory=list)
    inner_quals: dict[str, str] = field(default_factory=dict)
    directions: list[tuple[str, str]] = field(default_factory=list)

    def counts_events(self, subject: str | None) -> bool:
        """A subject counted with 起 that names events (事故, 火灾: a ``count``), not matters handled
        (交通事故纠纷, 事故案件 stay cases): ``case_as_count.event_cues`` against ``subject_cues_not``."""
        if not subject or any(c in subject for c in self.case_as_count_not):
            return False
        return any(c in subject for c in self.event_cues)


def _longest_first(mapping: dict[str, list[str]]) -> list[tuple[str, str]]:
    pairs = [(word, label) for label, words in mapping.items() for word in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def _read(path: Path) -> tuple[dict[str, dict], str]:
    digest = hashlib.sha256(code_digest().encode())
    data = {}
    for name in RULE_FILES:
        file = path / name
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise RulesError(str(file), "", 0, f"cannot read the rule file: {exc}") from exc
        digest.update(name.encode() + b"\0" + raw)
        text = raw.decode("utf-8", errors="replace")
        try:
            data[name] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = int(getattr(exc, "lineno", 0) or _line_of(str(exc)))
            raise RulesError(str(file), "", line, f"not valid TOML: {exc}") from exc
        check_file(name, str(file), data[name], text)
    return data, "r" + digest.hexdigest()[:12]


def _line_of(message: str) -> int:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 0


def _units(u: dict) -> dict[str, UnitInfo]:
    stop = u.get("stop_after", {})
    units: dict[str, UnitInfo] = {}
    arabic_only = set(u["count"].get("arabic_only", []))
    for w in u["case"]["units"]:
        units[w] = UnitInfo(w, "case", w, stop_after=stop.get(w, ""))
    for w in u["count"]["units"]:
        units[w] = UnitInfo(w, "count", w, arabic_only=w in arabic_only, stop_after=stop.get(w, ""))
    factors = u["percentage"].get("factor", {})
    for w in u["percentage"]["units"]:
        units[w] = UnitInfo(w, "percentage", "%", float(factors.get(w, 1.0)), stop_after=stop.get(w, ""))
    money = u["amount"]["money"]
    for w in money["units"]:
        units[w] = UnitInfo(w, "amount", money.get("to", {}).get(w, w), stop_after=stop.get(w, ""))
    measure = u["amount"]["measure"]
    for w, (to, factor) in measure.items():
        units[w] = UnitInfo(w, "amount", to, float(factor), stop_after=stop.get(w, ""))
    return units


@lru_cache(maxsize=8)
def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check the rule files in ``path`` (default: the bundled rules).
    Raises ``RulesError`` (file, key, line) for a file that breaks its schema."""
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
        event_cues=tuple(u["case_as_count"].get("event_cues", [])),
        raw_units=u,
        qualifiers=q,
        exclusions=data["exclusions.toml"],
        subjects=data["subjects.toml"],
        categories=[(c["name"], tuple(c["cues"])) for c in data["categories.toml"]["category"]],
        tables=data["tables.toml"],
        meta=data["meta.toml"],
    )
    rs.prefix_quals = _longest_first(q["prefix"])
    rs.suffix_quals = _longest_first(q["suffix"])
    rs.inner_quals = {w: label for label, words in q["inner"].items() for w in words}
    d = q["direction"]
    rs.directions = _longest_first({"increase": d["increase"], "decrease": d["decrease"]})
    return rs

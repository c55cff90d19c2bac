"""Temporary minimal extractor (replaced by the full rule extractor)."""
import re

from .record import DocumentMeta, Record

RULESET = "dev-0"

_NUM = re.compile(r"(\d+(?:\.\d+)?)(余|多)?(%|件|宗|起|人次|人|次|条|份|个|项|万元|元)")


def extract(text: str) -> list[Record]:
    out = []
    for m in _NUM.finditer(text):
        unit = m.group(3)
        value = float(m.group(1))
        typ = "count"
        if unit == "%":
            typ = "percentage"
        elif unit in ("件", "宗", "起"):
            typ = "case"
        elif unit.endswith("元"):
            typ = "amount"
            if unit == "万元":
                value *= 10000
            unit = "元"
        out.append(Record(type=typ, value=value, unit=unit, qualifier="over" if m.group(2) else "exact",
                          direction=None, subject=None, category="其他", text=m.group(0),
                          start=m.start(), end=m.end(), sentence="", section="", rule="stub",
                          ruleset=RULESET))
    return out


def document_meta(text: str) -> DocumentMeta:
    return DocumentMeta()

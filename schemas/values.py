"""The value columns a researcher reads, derived from an extracted record.

- ``unit``: a case's or count's classifier as written (個 stays 個, spec §3),
  an amount's unit after its conversion (千克 for a value written in 吨), %;
  ``unit_written`` is the unit the text writes (吨 for a value in 千克) and
  ``unit_simplified`` the unit in simplified characters (个 for 個), for
  grouping across scripts.
- ``kind``: what an amount measures (money, area, mass, length, volume,
  energy, power, other); null for other types.
- ``value_int``: a case or count as an integer when its value is whole.
- ``display``: the value in the report's own scale, digits normalised
  (1260.5万元, 2.4万亿元, 2500吨, 87件, 99.4%).
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

KINDS: dict[str, str] = {
    "元": "money", "美元": "money", "欧元": "money", "港元": "money", "日元": "money", "英镑": "money",
    "澳门元": "money", "卢布": "money", "新卢布": "money", "新台币": "money",
    "平方米": "area", "亩": "area", "公顷": "area",
    "千克": "mass", "克": "mass",
    "米": "length",
    "立方米": "volume", "升": "volume", "毫升": "volume",
    "千瓦时": "energy", "万千瓦时": "energy",
    "千瓦": "power", "万千瓦": "power", "兆瓦": "power",
}
_SCALES = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "千万": 1e7, "百万": 1e6, "亿": 1e8, "万": 1e4, "千": 1e3}
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_WRITTEN = re.compile(r"^([-+]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:余|多|餘)?\s*(万亿|千亿|百亿|千万|百万|亿|億|万|萬)?"
                      r"\s*(?:余|多|餘)?\s*(.*)$")


@lru_cache(maxsize=4096)
def simplified(unit: str) -> str:
    if not unit or unit.isascii():
        return unit
    from extractors.script import to_simplified

    return to_simplified(unit)


@lru_cache(maxsize=1)
def _measure_factors() -> dict[str, tuple[str, float]]:
    """unit as written -> (normalised unit, factor), from the bundled unit rules."""
    import tomllib
    from importlib import resources

    try:
        data = tomllib.loads(resources.files("extractors.rules").joinpath("units.toml").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    table = {k: (v[0], float(v[1])) for k, v in data.get("amount", {}).get("measure", {}).items()}
    money = data.get("amount", {}).get("money", {})
    for written in money.get("units", []):
        table.setdefault(written, (money.get("to", {}).get(written, written), 1.0))
    return table


def kind(type_: str, unit: str | None) -> str | None:
    if type_ != "amount":
        return None
    return KINDS.get(unit or "", "other")


def value_int(type_: str, value: float | None) -> int | None:
    if type_ not in ("case", "count") or value is None or not math.isfinite(value) or value != int(value):
        return None
    return int(value)


def _number(x: float) -> str:
    """A number as a person writes it: no exponent, no trailing zeros."""
    if x == int(x) and abs(x) < 1e18:
        return str(int(x))
    return f"{x:.6f}".rstrip("0").rstrip(".")


def written(text: str | None, unit: str, value: float) -> tuple[str, str | None]:
    """``(unit_written, display)`` from the record's surface text.

    The text's own number, scale and unit are kept when they multiply out to
    ``value`` (so a display never disagrees with the value); otherwise the
    display is the value with the unit."""
    conversions = _measure_factors()
    m = _WRITTEN.match((text or "").translate(_FULLWIDTH).strip())
    if m and math.isfinite(value):
        num_s, scale_s, rest = m.group(1).replace(",", ""), m.group(2) or "", m.group(3).strip()
        scale_s = {"億": "亿", "萬": "万"}.get(scale_s, scale_s)
        try:
            num = float(num_s)
        except ValueError:
            num = math.nan
        rest_simple = simplified(rest)
        if rest_simple == simplified(unit) or rest in ("%", "％"):
            factor = 1.0
        elif rest_simple in conversions and conversions[rest_simple][0] == simplified(unit):
            factor = conversions[rest_simple][1]
        else:
            factor = math.nan
        scale = _SCALES.get(scale_s, 1.0)
        if rest and math.isfinite(num) and math.isfinite(factor) and math.isclose(
                num * scale * factor, value, rel_tol=1e-9, abs_tol=1e-9):
            return rest, f"{_number(num)}{scale_s}{rest}"
    return unit, (f"{_number(value)}{unit}" if value is not None and math.isfinite(value) else None)


def derived(type_: str, value: float, unit: str | None, text: str | None) -> dict:
    """The columns the lake adds to a record: unit, unit_written, unit_simplified, kind, value_int,
    display. A case's or count's ``unit`` is its classifier as written (spec §3: 條 stays 條);
    ``unit_simplified`` is the same in simplified characters, to group across scripts."""
    unit = unit or ""
    unit_written, display = written(text, unit, value) if unit else (None, None)
    norm = simplified(unit) if unit else None
    if not unit and value is not None and math.isfinite(value):
        display = _number(value)
    shown = (unit if type_ in ("case", "count") else norm) if unit else None
    return {"unit": shown, "unit_written": unit_written if unit else None, "unit_simplified": norm,
            "kind": kind(type_, norm), "value_int": value_int(type_, value), "display": display}

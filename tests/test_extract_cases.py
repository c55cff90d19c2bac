"""Rule cases as data: every case in tests/cases/<origin>.toml, grouped by
phenomenon, run by this one parametrized test (format: tests/cases/README.md)."""
import tomllib
from pathlib import Path

import pytest

from extractors import document_meta, extract

CASES = Path(__file__).with_name("cases")
FIELDS = ("type", "value", "unit", "qualifier", "direction", "subject")
# the document's identity (spec §4): checked on document_meta(text, page)
IDENTITY = ("org", "org_from", "report_year", "published", "title", "level", "parent_org", "division_code")
KEYS = {"text", "at", "absent", "records", "subjects", "why", "page", *FIELDS, *IDENTITY}


def _load():
    out = []
    for f in sorted(CASES.glob("*.toml")):
        data = tomllib.loads(f.read_text(encoding="utf-8"))
        for phenomenon, cases in data.items():
            for i, case in enumerate(cases, 1):
                unknown = set(case) - KEYS
                assert not unknown, f"{f.name} [[{phenomenon}]] #{i}: unknown keys {unknown}"
                out.append(pytest.param(case, id=f"{f.stem}:{phenomenon}:{i}"))
    return out


def _none(v):
    return None if v == "none" else v


@pytest.mark.parametrize("case", _load())
def test_case(case):
    text = case["text"]
    if any(k in case for k in IDENTITY):
        m = document_meta(text, case.get("page"))
        got_meta = {k: getattr(m, k) for k in IDENTITY}
        for k in IDENTITY:
            if k in case:
                assert got_meta[k] == _none(case[k]), (k, got_meta)
        if not any(k in case for k in ("absent", "records", "subjects", *FIELDS)):
            return
    recs = extract(text)
    got = [(r.text, r.type, r.value, r.unit, r.qualifier, r.direction, r.subject) for r in recs]
    for r in recs:
        assert text[r.start:r.end] == r.text
    if "absent" in case:
        no = case["absent"]
        assert not any(no in r.text or r.text in no for r in recs), got
    if "records" in case:
        assert [r.text for r in recs] == case["records"], got
    if "subjects" in case:
        assert [r.subject for r in recs] == [_none(s) for s in case["subjects"]], got
    if not any(k in case for k in FIELDS):
        return
    chosen = [r for r in recs if r.text == case["at"]] if "at" in case else recs
    assert len(chosen) == 1, got
    r = chosen[0]
    for k in FIELDS:
        if k not in case:
            continue
        want = _none(case[k])
        if k == "value":
            assert r.value == pytest.approx(want), got
        else:
            assert getattr(r, k) == want, (k, got)

"""The value columns a researcher reads: a classifier as written (個) with its simplified form (个) to
group by, the kind of an amount, counts as integers, and the value in the report's own scale."""
from __future__ import annotations

import pytest

import extractors
from fazhi.pipeline.stages import record_rows
from schemas.values import derived


@pytest.mark.parametrize("text, type_, value, unit, written, simple, kind, as_int, display", [
    ("罚没款1260.5萬元", "amount", 12605000, "元", "元", "元", "money", None, "1260.5万元"),
    ("投入资金2.4万亿元", "amount", 2.4e12, "元", "元", "元", "money", None, "2.4万亿元"),
    ("清运垃圾2500吨", "amount", 2500000, "千克", "吨", "千克", "mass", None, "2500吨"),
    ("新建道路3.5公里", "amount", 3500, "米", "公里", "米", "length", None, "3.5公里"),
    ("整治面积282万平方米", "amount", 2820000, "平方米", "平方米", "平方米", "area", None, "282万平方米"),
    ("办理行政處罰案件112個", "count", 112, "個", "個", "个", None, 112, "112個"),
    ("完成重點項目5項", "count", 5, "項", "項", "项", None, 5, "5項"),
    ("收到建议三万五千多条", "count", 35000, "条", "条", "条", None, 35000, "35000条"),
    ("调解纠纷800余件", "case", 800, "件", "件", "件", None, 800, "800件"),
    ("办结率达94.88%", "percentage", 94.88, "%", "%", "%", None, None, "94.88%"),
    ("资金1,200多万元", "amount", 12000000, "元", "元", "元", "money", None, "1200万元"),
])
def test_value_columns(text, type_, value, unit, written, simple, kind, as_int, display):
    [r] = [r for r in extractors.extract(text) if r.type == type_]
    assert r.value == pytest.approx(value)
    d = derived(r.type, r.value, r.unit, r.text)
    assert d == {"unit": unit, "unit_written": written, "unit_simplified": simple, "kind": kind,
                 "value_int": as_int, "display": display}
    assert isinstance(d["value_int"], (int, type(None)))


def test_traditional_and_simplified_classifiers_are_one_unit_to_group_by():
    # unit as written (spec §3: the classifier as written), unit_simplified the same for both scripts
    trad = record_rows("d", "s", "0" * 64, extractors.extract("受理申請12個，辦結10項"))
    simp = record_rows("d", "s", "0" * 64, extractors.extract("受理申请12个，办结10项"))
    assert [r["unit_simplified"] for r in trad] == [r["unit_simplified"] for r in simp] == ["个", "项"]
    assert [r["unit"] for r in trad] == [r["unit_written"] for r in trad] == ["個", "項"]
    assert [r["unit"] for r in simp] == ["个", "项"]


def test_a_record_without_a_unit_keeps_nulls():
    assert derived("count", 42.0, None, "42") == {"unit": None, "unit_written": None, "unit_simplified": None,
                                                  "kind": None, "value_int": 42, "display": "42"}
    assert derived("count", 2.5, "次", "2.5次")["value_int"] is None

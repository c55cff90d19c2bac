"""The record contract (spec/records.md): what the cases in tests/cases/
(tests/test_extract_cases.py) cannot say as data: offsets, provenance,
purity, the dict form.
"""
from extractors import extract


def one(text, at=None):
    recs = extract(text)
    if at is not None:
        recs = [r for r in recs if r.text == at]
    assert len(recs) == 1, [(r.text, r.subject) for r in extract(text)]
    return recs[0]


def test_percent_sign_lost_to_an_image():
    r = one("机关干部的通过率达到了100[image: image1.png]。")
    assert (r.type, r.value, r.text, r.subject) == ("percentage", 100, "100", "通过率")
    assert one("机关干部的通过率达到了100。").type == "percentage"
    # as the Word export of seed 002 leaves it once the placeholder is cleaned away
    assert one('机关干部的通过率达到了100"\n。镇政府').type == "percentage"
    assert extract("通过率达到了100分。") == []  # a score, not a percentage


def test_offsets_point_at_the_text():
    text = "2024年,镇新提任领导干部学法用法考试2人,合格率100%。"
    for r in extract(text):
        assert text[r.start:r.end] == r.text


def test_provenance_fields():
    text = "一、主要成效\n（二）化解矛盾\n一是深化调解。调解纠纷800余件。二是推进信访。办理信访件87件。"
    recs = extract(text)
    assert [r.section for r in recs] == ["一 > (二) > 一是", "一 > (二) > 二是"]
    assert recs[1].sentence == "办理信访件87件。"
    assert [r.category for r in recs] == ["调解", "信访"]
    assert all(r.ruleset.startswith("r") and r.rule for r in recs)


def test_extract_is_deterministic_and_pure():
    text = "共开展普法宣传活动20余次,宣传折页3000余份。"
    assert extract(text) == extract(text)


def test_to_dict_is_flat_and_complete():
    from dataclasses import asdict

    r = one("共开展普法宣传活动20余次。")
    assert r.to_dict() == asdict(r)
    from extractors import document_meta

    m = document_meta("2024年静观镇法治政府建设年度报告")
    assert m.to_dict() == asdict(m)


def test_pinyin_left_after_traditional_characters_is_no_part_of_a_subject():
    # a page converted to traditional characters with the pinyin left after some of them
    text = "本月共接收便民熱線工單(dān)521件,涉及39個(gè)部門(mén)工單339件。"
    recs = extract(text)
    got = {r.text: r.subject for r in recs}
    assert got["521件"].endswith("接收便民熱線工單")
    assert got["339件"] and "(" not in got["339件"]
    assert all(r.subject is None or "(" not in r.subject for r in recs)
    # the record's text and offsets stay those of the page
    assert all(text[r.start:r.end] == r.text for r in recs)

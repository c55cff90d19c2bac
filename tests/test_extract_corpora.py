"""Robustness on the 72 government work reports 1954–2025 (traditional
characters, all-Chinese numerals, full-width digits, wiki line breaks)."""
import json
from pathlib import Path

import pytest

from extractors import extract

_UP = Path(__file__).resolve().parents
CORPUS = next((d / "shared/corpora/government_work_reports.jsonl" for d in (_UP[2], _UP[3])
               if (d / "shared/corpora").is_dir()), _UP[2] / "shared/corpora/government_work_reports.jsonl")


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpora")
def test_every_report_extracts_and_offsets_hold():
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) == 72
    for row in rows:
        text = row["content"]
        recs = extract(text)
        for r in recs:
            assert text[r.start:r.end] == r.text
            assert r.type in ("case", "count", "amount", "percentage")
            assert r.qualifier in ("exact", "over", "under", "approx")
        if row["year"] is not None:  # a report, not a resolution on it
            assert recs, row["title"]


def test_traditional_report_sentence():
    recs = extract("一九五五年鋼產量達到二百八十五萬噸，比上年增長百分之三十六點九。")
    got = [(r.type, r.value, r.unit, r.direction) for r in recs]
    assert ("percentage", 36.9, "%", "increase") in got


def test_arbitrary_text_never_raises_and_offsets_hold():
    """Pages are messy: any mix of digits, numerals, units and punctuation must
    come back as records whose offsets hold, never as an exception."""
    import random

    from extractors import document_meta

    alphabet = ("0123456789０１２３４５６７８９,，.．%％‰一二三四五六七八九十百千万亿两零〇点點余多约近"
                "超过以上左右件宗起人次个元万元亩吨公里平方米/分之“”《》()（）、，。；：\n 率达为同比上升下降到至每第年月日")
    rng = random.Random(20261121)
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        for r in extract(s):
            assert s[r.start:r.end] == r.text
        document_meta(s)

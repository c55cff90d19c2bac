"""Accuracy floors on gold files, scored by ``fazhi.evaluate`` (the figures
of the shared scorer: tests/test_eval_export.py checks they agree).

The dev gold (../shared/gold/dev) is the official one; tests/gold/extra holds
second-opinion gold for the two seeds without official gold, and
tests/gold/corpora excerpts of the government work reports. A rule change that
drops a figure below its floor fails here; raise the floors as rules improve.
"""
import json
from pathlib import Path

import pytest

from extractors import document_meta, extract
from fazhi.query import evaluate

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the repo; from a git worktree (wt/NAME) two levels up
SHARED = next((d for d in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if d.is_dir()), ROOT.parent / "shared")


def _score(gold_dir: Path, text_dir: Path):
    records, docs = [], []
    for g in sorted(gold_dir.glob("*.json")):
        name = json.loads(g.read_text(encoding="utf-8"))["doc"]
        text = (text_dir / name).read_text(encoding="utf-8")
        records += [{**r.to_dict(), "doc": name} for r in extract(text)]
        docs.append({"doc": name, **document_meta(text).to_dict()})
    return evaluate.score(gold_dir, records, docs)


FLOORS = {
    # gold dir, text dir, typed F1, qualifier, subject, documents
    "dev": (SHARED / "gold/dev", SHARED / "seeds", 0.99, 0.99, 0.97, 1.0),
    "extra": (ROOT / "tests/gold/extra", SHARED / "seeds", 0.97, 0.97, 0.95, 1.0),
    # work reports: another genre, subjects phrased by a second annotator
    "corpora": (ROOT / "tests/gold/corpora", ROOT / "tests/gold/corpora", 0.97, 0.97, 0.88, 0.0),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_gold_floor(name):
    gold, texts, f1, qual, subj, docs = FLOORS[name]
    if not any(gold.glob("*.json")) or not texts.is_dir():
        pytest.skip(f"no gold files in {gold} or no texts in {texts} (../shared beside the repo)")
    res = _score(gold, texts)
    summary = {k: res[k] for k in ("typed_p_r_f1", "qualifier_acc", "direction_acc", "subject_acc")}
    assert res["typed_p_r_f1"][2] >= f1, summary
    assert res["qualifier_acc"] >= qual, summary
    assert res["subject_acc"] >= subj, summary
    if docs:
        assert min(res["document_acc"].values()) >= docs, res["document_acc"]

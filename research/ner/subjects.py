"""Experiment: do entities make record subjects better? (issue 4, measured, not wired in)

The office variant: a record's subject gets the ORG entity that stands right
before it in the sentence (石水口工作站参与调解的286宗 → 石水口工作站参与调解案件),
when only a short verb phrase lies between and the subject does not already
name an office.

    python -m research.ner.subjects [--gold DIR] [--seeds DIR]

prints the scorer's subject accuracy before and after, on the gold given.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_GAP = 8


def office_subject(text: str, rec, ents) -> str | None:
    """The subject with the office before it, or None when no office applies."""
    if not rec.subject or rec.start is None:
        return None
    sent_start = max(text.rfind(c, 0, rec.start) for c in "。；\n") + 1
    best = None
    for e in ents:
        if e.label_ == "ORG" and sent_start <= e.start_char and e.end_char <= rec.start \
                and rec.start - e.end_char <= MAX_GAP + len(rec.subject):
            best = e
    if best is None or best.text in rec.subject:
        return None
    if any(rec.subject.startswith(best.text[i:]) for i in range(len(best.text) - 1)):
        return None  # the subject already starts with the office's short form (党委, 矛调中心)
    between = text[best.end_char:rec.start]
    if any(c in between for c in "，,、："):
        return None
    return best.text + rec.subject


def main(argv=None) -> int:
    from extractors import document_meta, extract
    from ner.annotate import get_nlp

    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(ROOT.parent / "shared/gold/dev"))
    ap.add_argument("--seeds", default=str(ROOT / "data" / "samples"))
    ap.add_argument("--scorer", default=str(ROOT.parent / "shared/tools/score_records.py"))
    ap.add_argument("--model", default="fazhi")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(Path(a.scorer).parent))
    import score_records  # type: ignore

    nlp = get_nlp(a.model)
    before, after, docs, changed = [], [], [], []
    for g in sorted(Path(a.gold).glob("*.json")):
        name = json.loads(g.read_text(encoding="utf-8"))["doc"]
        text = (Path(a.seeds) / name).read_text(encoding="utf-8")
        ents = list(nlp(text).ents)
        for r in extract(text):
            d = dict(r.to_dict(), doc=name)
            before.append(d)
            new = office_subject(text, r, ents)
            after.append(dict(d, subject=new) if new else d)
            if new:
                changed.append((name, r.subject, new))
        docs.append({"doc": name, **document_meta(text).to_dict()})
    for tag, recs in (("before", before), ("after", after)):
        res = score_records.score(a.gold, recs, docs)
        print(tag, "typed", res["typed_p_r_f1"], "subject", res["subject_acc"])
    for c in changed:
        print("CHANGED", *c)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scoring records against gold files (spec/records.md §6).

The same figures as the project's shared scorer (``score_records.py``): a
test runs both on one lake and compares. Kept here so ``fazhi eval`` works
where the shared folder is not present.

1. Quantity found: predicted and gold records match one to one when value
   (to 1e-6 relative) and unit are equal; micro P/R/F1 over documents.
2. Typed: the same with type equal too.
3. On matched pairs: share with the same qualifier, direction, and a subject
   that agrees (one contains the other, or character-overlap F1 >= 0.5).
4. Documents: share whose org, report_year and published equal the gold.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

TYPES = ("case", "count", "amount", "percentage")


def doc_key(name) -> str:
    """The gold document a record belongs to: the basename of its source."""
    base = str(name or "").rstrip("/").split("/")[-1]
    return base[: -len(".json")] if base.endswith(".json") else base


def same_value(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return a == b or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def char_f1(a, b) -> float:
    a, b = str(a or ""), str(b or "")
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(b), common / len(a)
    return 2 * p * r / (p + r)


def subject_agrees(gold, pred) -> bool:
    g, p = str(gold or "").strip(), str(pred or "").strip()
    if not g or not p:
        return False
    return g in p or p in g or char_f1(g, p) >= 0.5


def match(golds: list[dict], preds: list[dict], typed: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, pairs whose subjects agree first."""
    used: set[int] = set()
    matched: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for want_subject in (True, False):
        for gi, g in enumerate(golds):
            if gi in matched:
                continue
            for pi, p in enumerate(preds):
                if pi in used or str(g.get("unit")) != str(p.get("unit")):
                    continue
                if not same_value(g.get("value"), p.get("value")):
                    continue
                if typed and g.get("type") != p.get("type"):
                    continue
                if want_subject and not subject_agrees(g.get("subject"), p.get("subject")):
                    continue
                used.add(pi)
                matched.add(gi)
                pairs.append((gi, pi))
                break
    return pairs


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def load_gold(gold_dir: str | Path) -> dict[str, dict]:
    gold = {}
    for path in sorted(Path(gold_dir).glob("*.json")):
        g = json.loads(path.read_text(encoding="utf-8"))
        gold[doc_key(g["doc"])] = g
    if not gold:
        raise FileNotFoundError(f"no gold files (*.json) in {gold_dir}")
    return gold


def score(gold_dir: str | Path, records: Iterable[dict], documents: Iterable[dict] | None = None) -> dict:
    """The figures of spec §6 for ``records`` (dicts with doc, type, value,
    unit, qualifier, direction, subject) against the gold files in ``gold_dir``."""
    gold = load_gold(gold_dir)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_doc[doc_key(r.get("doc"))].append(r)

    tot: Counter = Counter()
    per_type: dict[str, Counter] = defaultdict(Counter)
    misses, spurious, per_doc = [], [], {}
    for key, g in gold.items():
        golds, preds = g["records"], by_doc.get(key, [])
        found = match(golds, preds, typed=False)
        typed = match(golds, preds, typed=True)
        tot.update(gold=len(golds), pred=len(preds), found=len(found), typed=len(typed))
        for gi, pi in found:
            gr, pr = golds[gi], preds[pi]
            tot["qual_ok"] += gr.get("qualifier") == pr.get("qualifier")
            tot["dir_ok"] += (gr.get("direction") or None) == (pr.get("direction") or None)
            tot["subj_ok"] += subject_agrees(gr.get("subject"), pr.get("subject"))
        for t in TYPES:
            gt = [x for x in golds if x.get("type") == t]
            pt = [x for x in preds if x.get("type") == t]
            per_type[t].update(gold=len(gt), pred=len(pt), tp=len(match(gt, pt, typed=True)))
        found_g = {gi for gi, _ in found}
        found_p = {pi for _, pi in found}
        misses += [{"doc": key, "context": x.get("context", ""), "text": x.get("text"), "type": x.get("type")}
                   for i, x in enumerate(golds) if i not in found_g]
        spurious += [{"doc": key, "text": x.get("text") or x.get("value"), "type": x.get("type"),
                      "subject": x.get("subject")} for i, x in enumerate(preds) if i not in found_p]
        per_doc[key] = {"gold": len(golds), "pred": len(preds), "found": len(found), "typed": len(typed)}

    n = tot["found"] or 1
    res = {
        "documents": len(gold),
        "per_doc": per_doc,
        "found_p_r_f1": prf(tot["found"], tot["pred"], tot["gold"]),
        "typed_p_r_f1": prf(tot["typed"], tot["pred"], tot["gold"]),
        "qualifier_acc": round(tot["qual_ok"] / n, 4),
        "direction_acc": round(tot["dir_ok"] / n, 4),
        "subject_acc": round(tot["subj_ok"] / n, 4),
        "per_type_p_r_f1": {t: prf(v["tp"], v["pred"], v["gold"]) for t, v in per_type.items()},
        "counts": {k: tot[k] for k in ("gold", "pred", "found", "typed", "qual_ok", "dir_ok", "subj_ok")},
        "misses": misses,
        "spurious": spurious,
    }
    if documents is not None:
        res["document_acc"] = _document_accuracy(gold, documents)
    return res


def _document_accuracy(gold: dict[str, dict], documents: Iterable[dict]) -> dict[str, float]:
    dmap = {doc_key(d.get("doc")): d for d in documents}
    ok: Counter = Counter()
    for key, g in gold.items():
        d = dmap.get(key, {})
        for f in ("org", "report_year", "published"):
            gv, pv = g["document"].get(f), d.get(f)
            if f == "report_year" and pv is not None:
                try:
                    pv = int(pv)
                except (TypeError, ValueError):
                    pass
            if f == "published" and pv is not None:
                pv = str(pv)[:10]
            ok[f] += gv == pv
    return {f: round(ok[f] / max(1, len(gold)), 4) for f in ("org", "report_year", "published")}


RECORDS_SQL = ("SELECT source AS doc, type, value, unit, qualifier, direction, subject, text "
               "FROM records ORDER BY source, start")
DOCUMENTS_SQL = "SELECT source AS doc, org, report_year, published FROM documents"

"""An optional refinement of the reporting office (``org``) from entities.

``extractors.document_meta`` (rule-based, owned by the extractors) finds the
office from speaker lines, titles and signatures; it gets all five seeds right.
On reports it has not seen it sometimes finds none. This proposes one from the
ORG entities of the opening and the closing lines, and only when the
extractor has none:

1. an ORG right after 代表 in the opening (我代表国务院, 受县人民政府委托 …);
2. else the ORG entity of the signature (the last lines, before the date);
3. else the first ORG of the opening lines that is a governing body (…政府,
   …委员会, …代表大会, 国务院, …党委).

    python -m research.ner.meta [--model rules]     # before/after on the government work reports

Nothing here is wired into the pipeline: see the issue 4 report in ner/README.md.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Optional

HEAD_CHARS = 400
TAIL_CHARS = 300
_SPEAKER = re.compile(r"(?:代表|受|委托)$")
_GOVERNING = ("政府", "委员会", "代表大会", "国务院", "党委", "党工委", "管委会", "人民政府")


def propose_org(text: str, nlp) -> Optional[str]:
    """The reporting office from the entities of the first and last lines, or None."""
    head = text[:HEAD_CHARS]
    orgs = [e for e in nlp(head).ents if e.label_ == "ORG"]
    for e in orgs:
        if _SPEAKER.search(head[max(0, e.start_char - 3):e.start_char]):
            return e.text
    tail_start = max(len(head), len(text) - TAIL_CHARS)
    tail = text[tail_start:]
    lines = [ln.strip() for ln in tail.splitlines() if ln.strip()]
    for ln in reversed(lines[-4:]):
        ents = [e for e in nlp(ln).ents if e.label_ == "ORG"]
        if ents and len(ents[0].text) >= len(ln) - 2:
            return ents[0].text
    for e in orgs:
        if e.text.endswith(_GOVERNING):
            return e.text
    return None


def refine_org(text: str, org: Optional[str], nlp) -> Optional[str]:
    """``org`` when the extractor found one, else the proposal from entities."""
    return org if org else propose_org(text, nlp)


def _truth(title: str) -> str:
    return "全国人民代表大会" if "决议" in title else "国务院"


def _same(a: Optional[str], b: str) -> bool:
    return bool(a) and (a == b or a.endswith(b) or (b == "国务院" and a in ("中央人民政府", "政务院")))


def main(argv=None) -> int:
    import extractors
    from ner.annotate import get_nlp

    ap = argparse.ArgumentParser(description="org before/after the entity refinement")
    ap.add_argument("--reports", type=Path,
                    default=Path(__file__).resolve().parents[3] / "shared" / "corpora"
                    / "government_work_reports.jsonl")
    ap.add_argument("--seeds", type=Path, default=Path(__file__).resolve().parents[2] / "data" / "samples")
    ap.add_argument("--model", default="rules")
    args = ap.parse_args(argv)
    nlp = get_nlp(args.model)
    rows = []
    with open(args.reports, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            before = extractors.document_meta(d["content"]).org
            after = refine_org(d["content"], before, nlp)
            rows.append((d["title"], _truth(d["title"]), before, after))
    seeds = []
    for p in sorted(args.seeds.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        before = extractors.document_meta(text).org
        seeds.append((p.name, before, refine_org(text, before, nlp)))
    ok_b = sum(_same(b, t) for _, t, b, _ in rows)
    ok_a = sum(_same(a, t) for _, t, _, a in rows)
    none_b = sum(b is None for _, _, b, _ in rows)
    none_a = sum(a is None for *_, a in rows)
    print(json.dumps({"reports": len(rows), "correct_before": ok_b, "correct_after": ok_a,
                      "none_before": none_b, "none_after": none_a,
                      "seeds_unchanged": all(b == a for _, b, a in seeds)}, ensure_ascii=False))
    for title, t, b, a in rows:
        if not _same(a, t):
            print("WRONG", title, "| truth", t, "| before", b, "| after", a, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

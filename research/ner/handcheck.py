"""Draw the entities for a hand check: a seeded random sample of the stage's entity rows.

    python -m research.ner.bench --out /tmp/ents.json        # the stage on the reports
    python -m research.ner.handcheck /tmp/ents.json [--n 100] [--seed 18] [--per-label 20]

``--rules org,gpe_token``: only entities of those rules (the ones segmentation
decides). ``--per-label K``: K entities of each label (each label's sample drawn with the
same seed), so that rare labels (LAW, GPE) are checked as often as DATE.

Prints one line per entity (number, document, label, rule, the entity, and 12
characters of context each side, the entity in 【】) to judge by hand; the
judgements are in ner/README.md.
"""
from __future__ import annotations

import argparse
import json
import random

from research.ner.bench import texts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("entities")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--per-label", type=int, default=0)
    ap.add_argument("--rules", help="only entities of these rule ids (comma-separated; "
                                    "org also takes org+repeat)")
    ap.add_argument("--corpus", default="reports")
    args = ap.parse_args(argv)
    rows = json.loads(open(args.entities, encoding="utf-8").read())
    docs = texts(args.corpus)
    if args.rules:
        keep = set(args.rules.split(","))
        rows = [r for r in rows if r["rule"].split("+")[0] in keep]
    if args.per_label:
        sample = []
        for label in sorted({r["label"] for r in rows}):
            idx = [i for i, r in enumerate(rows) if r["label"] == label]
            sample += sorted(random.Random(args.seed).sample(idx, min(args.per_label, len(idx))))
    else:
        sample = sorted(random.Random(args.seed).sample(range(len(rows)), args.n))
    for k, i in enumerate(sample, 1):
        r = rows[i]
        t = docs[int(r["doc_id"][1:])]
        ctx = (t[max(0, r["start"] - 12):r["start"]] + "【" + r["text"] + "】" + t[r["end"]:r["end"] + 12])
        print(k, r["doc_id"], r["label"], r["rule"], r["text"], ctx.replace("\n", "⏎"), sep="\t")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

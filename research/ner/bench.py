"""Speed, peak memory and entities of the NER stage, one configuration per process.

    python -m research.ner.bench [--model rules] [--corpus reports|seeds|FILE.jsonl]
                                 [--whole] [--concat N] [--max-chars N] [--out ENTITIES.json]

- default: the stage as the pipeline runs it (``ner.annotate.document_entities``:
  segmentation on the head, the signature and the sentences with a number, in
  pieces; the character-level rules elsewhere), one document at a time;
- ``--whole``: the previous behaviour, the whole document through ``nlp(text)``
  (refused by spaCy beyond 1M characters);
- ``--concat N``: the corpus joined into one document, N times over (memory
  against document length: run N = 1 and N = 4 and compare the peaks).

Prints one JSON line: characters, entities per label, CPU seconds and
characters per CPU second (the stage; the load apart), wall seconds, peak RSS
(``ru_maxrss``: per process, so run one configuration per process).
``--out`` writes the entity rows, for the hand check (``research.ner.handcheck``).
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FAZHI_SHARED", "/work/shared"))
REPORTS = SHARED / "corpora" / "government_work_reports.jsonl"


def texts(corpus: str, max_chars: int | None = None) -> list[str]:
    if corpus == "seeds":
        out = [Path(f).read_text(encoding="utf-8") for f in sorted(glob.glob(str(ROOT / "data" / "samples" / "*")))]
    else:
        path = REPORTS if corpus == "reports" else Path(corpus)
        with open(path, encoding="utf-8") as f:
            out = [json.loads(line)["content"] for line in f]
    if max_chars:
        cut, n = [], 0
        for t in out:
            if n >= max_chars:
                break
            cut.append(t[: max_chars - n])
            n += len(cut[-1])
        out = cut
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="rules")
    ap.add_argument("--corpus", default="reports")
    ap.add_argument("--max-chars", type=int)
    ap.add_argument("--whole", action="store_true", help="the whole document through nlp(text)")
    ap.add_argument("--concat", type=int, default=0, help="the corpus as one document, N times over")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    docs = texts(args.corpus, args.max_chars)
    if args.concat:
        docs = ["\n".join(docs) * args.concat]
    nchars = sum(map(len, docs))
    c0 = time.process_time()
    from ner.annotate import document_entities, get_nlp, version

    nlp = get_nlp(args.model)
    w1, c1 = time.perf_counter(), time.process_time()
    rows: list[dict] = []
    for i, text in enumerate(docs):
        if args.whole:
            rows += [{"doc_id": f"r{i}", "label": e.label_, "text": e.text, "start": e.start_char,
                      "end": e.end_char, "rule": e.id_ or "ner"} for e in nlp(text).ents]
        else:
            rows += document_entities(text, f"r{i}", None, model=args.model)
    w2, c2 = time.perf_counter(), time.process_time()
    print(json.dumps({
        "model": version(args.model), "mode": "whole" if args.whole else "stage", "corpus": args.corpus,
        "docs": len(docs), "chars": nchars, "entities": len(rows),
        "by_label": dict(sorted(collections.Counter(r["label"] for r in rows).items())),
        "load_cpu_s": round(c1 - c0, 2), "cpu_s": round(c2 - c1, 2), "wall_s": round(w2 - w1, 2),
        "chars_per_cpu_s": round(nchars / (c2 - c1)), "chars_per_cpu_s_with_load": round(nchars / (c2 - c0)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_avg": round(os.getloadavg()[0], 2),
    }, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

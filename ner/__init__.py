"""NER extractors on spaCy + spacy-pkuseg. See ner/README.md.

Importing ``ner`` (or ``ner.annotate``, ``ner.files``) does not import spaCy:
the pipeline is loaded by the first call that needs it.

    from ner import text_entities          # entities of a short text (a document's head)
    from ner import load_nlp, entities     # the spaCy pipeline itself
"""
from __future__ import annotations

from .files import ModelNotInstalledError, version

__all__ = ["load_nlp", "entities", "text_entities", "document_entities", "version", "ModelNotInstalledError"]


def __getattr__(name: str):
    if name in ("load_nlp", "entities"):
        from . import pipeline

        return getattr(pipeline, name)
    if name in ("text_entities", "document_entities"):
        from . import annotate

        return getattr(annotate, name)
    raise AttributeError(f"module 'ner' has no attribute {name!r}")

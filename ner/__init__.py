"""NER extractors on spaCy + spacy-pkuseg (issue 4). See ner/pipeline.py."""
from .pipeline import entities, load_nlp, ModelNotInstalledError

__all__ = ["load_nlp", "entities", "ModelNotInstalledError"]

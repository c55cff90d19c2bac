"""spaCy pipelines for the NER extractors, all loaded offline.

    nlp = load_nlp("fazhi")               # zh + pkuseg + rules + the project's trained ner
    nlp = load_nlp()                      # zh + pkuseg (models/pkuseg_compact or _default) + rules
    nlp = load_nlp("rules")               # the same
    nlp = load_nlp("blank-char")          # zh, one token per character, no model files
    nlp = load_nlp("zh_core_web_sm")      # an installed spaCy pipeline package, labels mapped

``blank-*`` pipelines are a blank ``zh`` language with the chosen segmenter, an
``entity_ruler`` holding the token patterns of ``ner/patterns/entities.jsonl``
(GPE words) and the ``fazhi_entities`` component for the character-level
patterns (LAW, DATE, ORG, GPE gazetteer); see ``ner/entities.py`` for why the
split. Nothing is downloaded: the pkuseg model is a directory made at install
time by ``scripts/fetch_pkuseg_model.py`` (and ``python -m ner.pkuseg_compact``).

A trained pipeline package (zh_core_web_sm/md/lg/trf) must be installed by
the user; its labels are mapped onto ours by the ``fazhi_label_map`` component
and, unless ``patterns=False``, our patterns run after its ``ner``: the model's
entities and the patterns' compete, the longer span winning an overlap.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional, Union

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import entities as _entities  # noqa: F401  (registers the fazhi_entities factory)
from .entities import ruler_patterns
from .files import (  # noqa: F401
    MODELS,
    PATTERNS,
    PKUSEG_DIRS,
    TRAINED_DIR,
    ModelNotInstalledError,
    check_model,
    find_pkuseg_dir,
    not_installed_message,
    read_patterns,
    version,
)

LABELS = ("LAW", "ORG", "GPE", "DATE", "PERSON")
TRAINED = ("zh_core_web_sm", "zh_core_web_md", "zh_core_web_lg", "zh_core_web_trf")

# OntoNotes labels of zh_core_web_* -> ours; None drops the entity.
LABEL_MAP = {
    "PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "DATE": "DATE", "LAW": "LAW",
    "LOC": "GPE",          # places that are not divisions (rivers, regions): nearest
    "FAC": "ORG",          # buildings and facilities: 服务中心, 法庭 are often tagged FAC
    "WORK_OF_ART": None,   # -> LAW when it is a regulation title, see _map_label
    "NORP": None, "EVENT": None, "TIME": None, "MONEY": None, "PERCENT": None,
    "QUANTITY": None, "CARDINAL": None, "ORDINAL": None, "PRODUCT": None, "LANGUAGE": None,
}
_LAW_ENDINGS = ("法", "条例", "办法", "规定", "规则", "细则", "决定", "意见", "纲要", "方案",
                "规划", "要点", "通知", "制度", "标准", "实施纲要")


def _blank(segmenter: str, pkuseg_dir) -> Language:
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    if segmenter == "pkuseg":
        nlp.tokenizer.initialize(pkuseg_model=str(find_pkuseg_dir(pkuseg_dir)))
    return nlp


def _add_patterns(nlp: Language, patterns_path, after: Optional[str] = None) -> None:
    pats = read_patterns(patterns_path or PATTERNS)
    tok = ruler_patterns(pats)
    where = {"after": after} if after else {}
    if tok:
        ruler = nlp.add_pipe("entity_ruler", name="fazhi_ruler",
                             config={"overwrite_ents": False, "validate": True}, **where)
        ruler.add_patterns(tok)
        where = {"after": "fazhi_ruler"}
    comp = nlp.add_pipe("fazhi_entities", config={"patterns_path": str(patterns_path) if patterns_path else None},
                        **where)
    seg = getattr(nlp.tokenizer, "pkuseg_seg", None)
    if seg is not None:
        comp.dictionary = seg.feature_extractor.unigram


def model_version(nlp: Language) -> str:
    """The version id load_nlp stored in the pipeline's meta (``ner.files.version``)."""
    return nlp.meta.get("fazhi_version") or f"{nlp.meta.get('name', 'pipeline')}-{nlp.meta.get('version', '0')}"


def add_trained_ner(nlp: Language, trained_dir: Union[str, Path] = TRAINED_DIR) -> Language:
    """Add the project's trained ``ner`` (ner/trained/, no tokenizer weights) before the rules.

    Its entities are candidates of lower rank than the rules': ``fazhi_entities``
    keeps them only where no rule entity overlaps (see ner/entities.py).
    """
    trained_dir = Path(trained_dir)
    cfg = json.loads((trained_dir / "component.json").read_text(encoding="utf-8"))
    first = "fazhi_ruler" if "fazhi_ruler" in nlp.pipe_names else "fazhi_entities"
    ner = nlp.add_pipe("ner", config=cfg["config"], before=first)
    ner.from_disk(trained_dir / "ner")
    if "fazhi_ruler" in nlp.pipe_names:
        nlp.get_pipe("fazhi_ruler").overwrite = True  # a rule match replaces an overlapping ner guess
    return nlp


def load_nlp(model: str = "rules", pkuseg_dir: Union[str, Path, None] = None,
             patterns: bool = True, patterns_path: Union[str, Path, None] = None) -> Language:
    """Build or load the NER pipeline.

    model: "fazhi" (pkuseg + rules + the trained ner of ner/trained/), "rules" or
    "blank-pkuseg" (pkuseg + rules), "blank-jieba" (needs the jieba package),
    "blank-char", an installed pipeline package name (zh_core_web_sm ...) or
    a path to a pipeline saved with nlp.to_disk.
    """
    if model in ("fazhi", "rules"):
        nlp = load_nlp("blank-pkuseg", pkuseg_dir=pkuseg_dir, patterns=True, patterns_path=patterns_path)
        if model == "fazhi":
            check_model("fazhi")
            add_trained_ner(nlp)
        nlp.meta["name"] = model
        if patterns_path is None and pkuseg_dir is None:
            nlp.meta["fazhi_version"] = version(model)
        return nlp
    if model.startswith("blank-"):
        segmenter = model[len("blank-"):]
        if segmenter not in ("pkuseg", "jieba", "char"):
            raise ValueError(f"unknown segmenter in {model!r}: use blank-pkuseg, blank-jieba or blank-char")
        nlp = _blank(segmenter, pkuseg_dir)
        if patterns:
            _add_patterns(nlp, patterns_path)
        return nlp

    if Path(model).is_dir():
        nlp = spacy.load(model)
    else:
        if not spacy.util.is_package(model):
            raise ModelNotInstalledError(not_installed_message(model))
        try:
            nlp = spacy.load(model)
        except Exception as e:  # e.g. the PyPI placeholder installed under the model's name
            raise ModelNotInstalledError(
                f"package {model!r} is installed but is not a loadable spaCy pipeline ({e}). "
                f"If it came from PyPI it is the squatted placeholder: `pip uninstall "
                f"{model.replace('_', '-')}` and install the real wheel from "
                f"https://github.com/explosion/spacy-models/releases.") from e
        if nlp.lang != "zh" or "ner" not in nlp.pipe_names:
            raise ModelNotInstalledError(
                f"{model!r} loaded, but it is not a Chinese pipeline with an ner component "
                f"(lang={nlp.lang!r}, pipes={nlp.pipe_names}).")
    if "ner" in nlp.pipe_names and "fazhi_label_map" not in nlp.pipe_names:
        nlp.add_pipe("fazhi_label_map", after="ner")
    if patterns and "fazhi_entities" not in nlp.pipe_names:
        _add_patterns(nlp, patterns_path, after="fazhi_label_map" if "ner" in nlp.pipe_names else None)
    elif "fazhi_entities" in nlp.pipe_names:
        seg = getattr(nlp.tokenizer, "pkuseg_seg", None)
        if seg is not None:
            nlp.get_pipe("fazhi_entities").dictionary = seg.feature_extractor.unigram
    return nlp


def _map_label(ent: Span) -> Optional[str]:
    if ent.label_ == "WORK_OF_ART":
        t = ent.text.strip("《》")
        return "LAW" if ent.text.startswith("《") or t.endswith(_LAW_ENDINGS) else None
    return LABEL_MAP.get(ent.label_)


@Language.component("fazhi_label_map")
def fazhi_label_map(doc: Doc) -> Doc:
    """Map a trained pipeline's OntoNotes labels onto LAW/ORG/GPE/DATE/PERSON."""
    out = []
    for e in doc.ents:
        label = _map_label(e)
        if label:
            if e.text.startswith("《") and e.text.endswith("》") and len(e) > 2:
                e = doc.char_span(e.start_char + 1, e.end_char - 1, alignment_mode="contract") or e
            out.append(Span(doc, e.start, e.end, label=label, span_id=e.id_ or "model"))
    doc.ents = out
    return doc


def entities(doc: Doc) -> list[dict]:
    """Rows for the entities table: label, text, character offsets, source pattern."""
    return [{"label": e.label_, "text": e.text, "start": e.start_char, "end": e.end_char,
             "source": e.id_} for e in doc.ents]

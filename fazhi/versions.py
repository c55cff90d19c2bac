"""Stage versions derived from what makes a stage's output: the bytes of its code and data files.

Nobody bumps a number by hand: editing any file a stage's output depends on
gives the stage a new version, and the next run (or ``fazhi reextract``)
redoes that stage for every document, and only that stage.

- the cleaner (``fazhi.ingest.clean.CLEANER_VERSION``): every module of
  ``fazhi/ingest`` that turns bytes into clean text (decoding, formats, HTML,
  cleaning) and the row types;
- the rule set (``extractors.ruleset``): the rule files and the extractors' code;
- the NER stage (``ner``): its model, patterns and component code.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

_SKIP_DIRS = {"__pycache__"}


def files_of(root: Path, suffixes: tuple[str, ...] = (".py",), exclude: Iterable[str] = ()) -> list[Path]:
    """The files below ``root`` with one of ``suffixes`` (sorted; hidden files, caches and ``exclude`` names out)."""
    root = Path(root)
    excluded = set(exclude)
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and p.suffix in suffixes and p.name not in excluded
                  and not any(part.startswith(".") or part in _SKIP_DIRS for part in p.relative_to(root).parts))


def digest(files: Iterable[Path], base: Path, length: int = 12) -> str:
    """A short SHA-256 over each file's path (relative to ``base``) and bytes."""
    h = hashlib.sha256()
    for p in sorted(Path(f) for f in files):
        h.update(p.resolve().relative_to(Path(base).resolve()).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:length]


_FAZHI = Path(__file__).resolve().parent
# the ingest modules that do not shape the clean text: how bytes are fetched, listed and stored
_NOT_CLEANING = ("__init__.py", "fetch.py", "netguard.py", "sources.py", "rawstore.py")


def cleaner_version() -> str:
    files = [*files_of(_FAZHI / "ingest", exclude=_NOT_CLEANING), _FAZHI / "rows.py"]
    return "clean-" + digest(files, _FAZHI)

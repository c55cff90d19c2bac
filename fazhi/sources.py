"""Expand the SOURCES given to ``fazhi run`` into a list of single sources.

A source is a file path or an http(s) URL. Arguments may also be folders
(every regular, non-hidden file below, sorted) or a *sources file*: a small
text file whose every non-blank line (a line starting with ``#`` is a
comment) is a URL or an existing path (relative paths are taken relative to the sources file).
Anything else is passed on as is and fails at ingest, where it becomes a
``failures`` row.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

_SOURCES_FILE_MAX_BYTES = 256 * 1024


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


def _sources_file_lines(path: Path) -> list[str] | None:
    """The entries of ``path`` if it reads as a sources file, else None."""
    try:
        if path.stat().st_size > _SOURCES_FILE_MAX_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    entries = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            entries.append(line)
            continue
        candidate = Path(line).expanduser()
        if not candidate.is_absolute():
            candidate = path.parent / candidate
        if not candidate.exists():
            return None
        entries.append(str(candidate))
    return entries or None


def _files_below(folder: Path) -> list[str]:
    return [
        str(p.resolve())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def expand_sources(args: list[str], _depth: int = 0) -> list[str]:
    """Single sources for the arguments, in order, without repeats."""
    out: list[str] = []
    for arg in args:
        if is_url(arg):
            out.append(arg)
            continue
        path = Path(arg).expanduser()
        if path.is_dir():
            out.extend(_files_below(path))
        elif path.is_file():
            entries = _sources_file_lines(path) if _depth == 0 else None
            if entries is not None:
                out.extend(expand_sources(entries, _depth + 1))
            else:
                out.append(str(path.resolve()))
        else:
            out.append(arg)  # missing or unsupported: ingest records the failure
    return list(dict.fromkeys(out))

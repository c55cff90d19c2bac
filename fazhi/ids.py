"""Deterministic identifiers: the same input always gets the same id."""
from __future__ import annotations

import hashlib


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def doc_id(source: str) -> str:
    """Stable id of a source (a path or URL): 16 hex digits of its SHA-256.

    A source whose content changes keeps its doc_id; each content version is
    a separate ``documents`` row keyed by (doc_id, content_sha256).
    """
    return sha256_hex(("source\x00" + source).encode("utf-8"))[:16]


def record_key(doc_id: str, content_sha256: str, start: int, end: int, type_: str, unit: str | None,
               subject: str | None) -> str:
    """Id of a record: its document version, span, type, unit and subject."""
    parts = [doc_id, content_sha256, str(start), str(end), type_, unit or "", subject or ""]
    return sha256_hex("\x1f".join(parts).encode("utf-8"))[:24]


def unique_record_ids(keys: list[str]) -> list[str]:
    """Make ids unique when an extractor emits two records with the same key.

    The n-th repeat (in extractor order) gets ``-n`` appended, so ids stay
    deterministic for a deterministic extractor.
    """
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append(key if n == 0 else f"{key}-{n}")
    return out

"""Deterministic identifiers: the same input always gets the same id.

Sources are identified by their *public* form (:func:`public_source`): a file
name that is not valid UTF-8 (a GBK name from a Windows archive reaches
Python as lone surrogates) is written with ``\\xNN`` escapes, and an URL
loses its ``user:password@``. The same form is what the lake stores and what
is printed, so ids computed from either form agree.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def printable(text: str) -> str:
    """``text`` as valid UTF-8: undecodable bytes of a file name (``surrogateescape``) become
    ``\\xNN``, any other lone surrogate ``\\udNNN``. Valid text comes back unchanged."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def strip_credentials(url: str) -> str:
    """``url`` without ``user:password@``; anything that is not such an URL comes back unchanged."""
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def redact(text: str) -> str:
    """``text`` (an error message, a log line) with the credentials of every URL in it removed."""
    return _USERINFO.sub(r"\1", printable(text))


def public_source(source: str) -> str:
    """What the lake stores and prints for a source: printable, without URL credentials."""
    return strip_credentials(printable(source))


def doc_id(source: str) -> str:
    """Stable id of a source (a path or URL): 16 hex digits of its SHA-256.

    A source whose content changes keeps its doc_id; each content version is
    a separate ``documents`` row keyed by (doc_id, content_sha256). The id is
    that of the source's public form (:func:`public_source`).
    """
    return sha256_hex(("source\x00" + public_source(source)).encode("utf-8"))[:16]


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

"""Content-addressed store of raw document bytes: ``<lake>/raw/<sha[:2]>/<sha>``.

A blob is written once (temp file, then ``os.replace``) and never
overwritten: the same bytes always land on the same path, so any later stage
can be rebuilt from here.
"""
from __future__ import annotations

from pathlib import Path

from fazhi.ids import sha256_hex
from fazhi.lake.atomic import write_bytes


def raw_relpath(sha256: str) -> str:
    return f"raw/{sha256[:2]}/{sha256}"


def store_raw(lake: Path, data: bytes) -> tuple[str, str]:
    """Keep ``data`` in the lake; return (sha256, path relative to the lake)."""
    sha = sha256_hex(data)
    rel = raw_relpath(sha)
    path = lake / rel
    if not path.exists():
        write_bytes(path, data)
    return sha, rel


def read_raw(lake: Path, sha256: str) -> bytes:
    return (lake / raw_relpath(sha256)).read_bytes()

"""The column names ``schemas`` gives each table, without importing pyarrow when nothing changed.

Opening a lake (:meth:`fazhi.lake.store.Lake.connect`) asks whether the
generation's files have today's columns, to use the views stored with them.
The answer needs the schemas, and building them imports pyarrow and the
extractors: most of what ``fazhi sql "SELECT 1"`` would spend. The names
depend only on the source of the files that define them (``schemas/*.py``
and ``extractors/record.py``, whose ``Record`` fields are the ``records``
columns), so they are remembered in the system's temp directory under a
SHA-256 of those files: an edit to any of them gives another digest, and the
names are taken from the schemas again. Losing the file only costs that.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path

from fazhi.lake.atomic import replacing


def _package_dir(name: str) -> Path | None:
    """The folder of a top-level package, found without importing it (importing ``schemas`` is the cost)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def source_digest() -> str | None:
    """SHA-256 over the names and bytes of the files the column names come from (None: not found)."""
    schemas, extractors = _package_dir("schemas"), _package_dir("extractors")
    if schemas is None or extractors is None:
        return None
    h = hashlib.sha256()
    for path in [*sorted(schemas.glob("*.py")), extractors / "record.py"]:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        h.update(f"{path.parent.name}/{path.name}".encode())
        h.update(b"\0")
        h.update(data)
        h.update(b"\0")
    return h.hexdigest()


def cache_path() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"fazhi-columns-{uid}.json"


def from_schemas() -> dict[str, list[str]]:
    """Each table's column names, from the schemas themselves (imports pyarrow)."""
    from schemas import TABLES

    return {name: list(spec.schema.names) for name, spec in TABLES.items()}


def table_columns() -> dict[str, list[str]]:
    """Each table's column names as ``schemas.TABLES`` gives them (in its order), remembered by
    :func:`source_digest`."""
    digest = source_digest()
    path = cache_path()
    if digest is not None:
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = None
        if (isinstance(stored, dict) and stored.get("digest") == digest
                and isinstance(stored.get("tables"), dict)
                and all(isinstance(v, list) and all(isinstance(c, str) for c in v)
                        for v in stored["tables"].values())):
            return stored["tables"]
    names = from_schemas()
    if digest is not None:
        with contextlib.suppress(OSError):
            with replacing(path) as tmp:
                Path(tmp).write_text(json.dumps({"digest": digest, "tables": names}), encoding="utf-8")
    return names

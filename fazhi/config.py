"""Where things are: the default lake, the bundled samples."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_LAKE = "data/lake"
LAKE_ENV = "FAZHI_LAKE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "fazhi-extract/0.1 (research; rule-of-law annual reports)"
HTTP_TIMEOUT_S = 30.0
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024


def lake_dir(lake: str | os.PathLike | None = None) -> Path:
    """``--lake`` if given, else ``$FAZHI_LAKE``, else ``data/lake`` (relative to the working directory)."""
    chosen = lake or os.environ.get(LAKE_ENV) or DEFAULT_LAKE
    return Path(chosen).expanduser().resolve()


def samples_dir() -> Path:
    """The five seed reports that ship in the repository (``data/samples/``).

    Looked up next to the installed package first (editable install or a
    checkout), then under the working directory.
    """
    for candidate in (PROJECT_ROOT / "data" / "samples", Path.cwd() / "data" / "samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled samples not found (data/samples/); pass SOURCES explicitly")

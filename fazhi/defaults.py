"""The defaults :class:`fazhi.settings.Settings` starts from, and what needs no pydantic to know.

``fazhi sql``, ``check`` and the other commands that only open a lake ask
:func:`lake_dir` where it is; it reads ``--lake``, then ``$FAZHI_LAKE``, as
``Settings`` would (the same name, case-insensitive, the same path
resolution: ``tests/test_cli.py`` compares the two), without importing
pydantic-settings, which costs a command that starts in a fraction of a
second more than the query itself.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_LAKE = "data/lake"
LAKE_ENV = "FAZHI_LAKE"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "fazhi-extract/0.1 (research; rule-of-law annual reports)"
HTTP_TIMEOUT_S = 30.0
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024


def lake_dir(lake: str | Path | None = None) -> Path:
    """``--lake`` if given, else ``$FAZHI_LAKE``, else ``data/lake`` (relative to the working directory),
    made absolute as ``Settings.lake`` is."""
    if lake is None:
        # pydantic-settings matches FAZHI_* names case-insensitively; of two spellings, the later wins
        found = [v for k, v in os.environ.items() if k.lower() == LAKE_ENV.lower()]
        lake = found[-1] if found else DEFAULT_LAKE
    return Path(lake).expanduser().resolve()


def samples_dir() -> Path:
    """The five seed reports that ship in the repository (``data/samples/``).

    Looked up next to the installed package first (editable install or a
    checkout), then under the working directory.
    """
    for candidate in (PROJECT_ROOT / "data" / "samples", Path.cwd() / "data" / "samples"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("bundled samples not found (data/samples/); pass SOURCES explicitly")

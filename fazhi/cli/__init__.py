"""The ``fazhi`` command line (typer + rich): the app (``fazhi.cli.app``) and its command modules.

Each command group lives in its own module, which registers its commands on
``app`` when imported: ``review`` (review), ``evaluate`` (eval, diff),
``lake`` (check, repair), ``query`` (sql, export, schema, browse) and ``run``
(run, reextract, serve, explain). Heavy imports (Prefect, the extractors,
pyarrow, pydantic) happen inside the commands that need them, so
``fazhi sql`` starts fast and prints nothing but its result.
"""
from __future__ import annotations

from fazhi.cli.app import app

# the order of these imports is the order of the commands in `fazhi --help`
# isort: off
from fazhi.cli import review  # noqa: F401
from fazhi.cli import evaluate  # noqa: F401
from fazhi.cli import lake  # noqa: F401
from fazhi.cli import query  # noqa: F401
from fazhi.cli import run  # noqa: F401
# isort: on

__all__ = ["app"]

if __name__ == "__main__":  # pragma: no cover
    app()

"""Progress bars for long runs (Rich), on standard error, only on a terminal.

When standard error is not a terminal (a served deployment, CI, a pipe, the
tests) nothing is drawn. ``FAZHI_PROGRESS=1`` forces the bars on, ``0`` off.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


class _Bar:
    def __init__(self, progress=None, task=None):
        self._progress, self._task = progress, task

    def advance(self, n: int = 1, description: str | None = None) -> None:
        if self._progress is not None:
            kw = {"description": description} if description else {}
            self._progress.update(self._task, advance=n, **kw)


def enabled(setting: bool | None = None) -> bool:
    """``setting`` (``Settings.progress``: FAZHI_PROGRESS=1/0 forces it), else only on a terminal."""
    if setting is not None:
        return setting
    return sys.stderr.isatty()


_enabled = enabled


@contextlib.contextmanager
def bar(total: int, description: str, min_total: int = 2, enabled: bool | None = None) -> Iterator[_Bar]:
    """A progress bar of ``total`` steps; a silent one off a terminal or for tiny jobs."""
    if not _enabled(enabled) or total < min_total:
        yield _Bar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    with progress:
        yield _Bar(progress, progress.add_task(description, total=total))

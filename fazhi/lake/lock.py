"""One writer per lake: an exclusive ``flock`` on ``<lake>/lake.lock``.

The kernel drops the lock when the holding process dies, also on ``kill -9``,
so a crash never leaves a stale lock. The file keeps the holder's pid, host
and start time, for the message a waiting run prints.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from fazhi.faults import reached

LOCK_NAME = "lake.lock"
LOCK_TIMEOUT_ENV = "FAZHI_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 600.0


class LakeLocked(RuntimeError):
    """Another run holds the lake's lock and did not let go in time."""


def lock_timeout() -> float:
    """The default wait: ``Settings.lock_timeout`` (``FAZHI_LOCK_TIMEOUT``, else 600 s)."""
    from fazhi.settings import Settings

    return Settings().lock_timeout


class LakeLock:
    """``with LakeLock(root, timeout):`` waits up to ``timeout`` seconds, then raises ``LakeLocked``."""

    def __init__(self, root: Path, timeout: float | None = None, poll: float = 0.05):
        self.path = Path(root) / LOCK_NAME
        self.timeout = lock_timeout() if timeout is None else timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + max(0.0, self.timeout)
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    reached("lock-wait")
                    waited = True
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise LakeLocked(
                        f"the lake {self.path.parent} is being written by another run ({holder}); "
                        f"waited {self.timeout:g} s. Try again when it has finished, or set "
                        f"{LOCK_TIMEOUT_ENV} to wait longer.") from None
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        try:  # who holds it, for the message of a run that waits; the flock is the lock (a full disk too)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                      "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}).encode(), 0)
        except OSError:
            pass
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "LakeLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {info.get('pid')} on {info.get('host')} since {info.get('since')}"
    except (OSError, ValueError):
        return "holder unknown"

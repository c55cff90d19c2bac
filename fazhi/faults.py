"""Deterministic crash points for the fault tests (no sleeps, no timing).

``checkpoint("load-tables")`` does nothing unless ``FAZHI_FAULT_POINT`` names
that point. Then it creates the file ``FAZHI_FAULT_SIGNAL`` (so a test knows
the process got there) and blocks until the process is killed. Points:

- ``extract``: in the extract stage, before the first document's records exist;
- ``load-tables``: in a lake commit, after some of the new tables are written
  and before the pointer to them is swapped;
- ``load-commit``: just after the pointer swap, before old generations are removed.

``reached("lock-wait")`` only signals (a run found the lake locked and waits).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

POINT_ENV = "FAZHI_FAULT_POINT"
SIGNAL_ENV = "FAZHI_FAULT_SIGNAL"


def reached(name: str) -> bool:
    """Signal that the process got to ``name``, when that is the armed point; True if it is."""
    if os.environ.get(POINT_ENV) != name:
        return False
    signal = os.environ.get(SIGNAL_ENV)
    if signal:
        Path(signal).write_text(str(os.getpid()))
    return True


def checkpoint(name: str) -> None:
    """At the armed point: signal, then block until the process is killed."""
    if reached(name):
        threading.Event().wait()  # until SIGKILL

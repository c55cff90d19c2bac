"""Run a module as ``python -m MODULE ARGS`` would, then write this process's peak RSS to a file.

    python -m bench.peak OUT_FILE MODULE [ARGS ...]

The peak is the kernel's high-water mark of this process's own memory
(``VmHWM`` in ``/proc/self/status``, in kB), written at exit whatever the exit
status. It is what ``bench.commands`` reads instead of ``ru_maxrss`` from
``os.wait4``: on Linux a child's ``ru_maxrss`` starts from its parent's high-water
mark when it is spawned (the mm it replaces at ``exec``), so a child of a bench
process that has grown to 300 MB reports at least 300 MB whatever it does.
``VmHWM`` belongs to the memory map made at ``exec`` and counts only the child.
"""
from __future__ import annotations

import atexit
import resource
import runpy
import sys
from pathlib import Path


def peak_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: the best there is


def command(out: str | Path, module: str, *args: str) -> list[str]:
    """The command line that runs ``python -m module args`` and writes its own peak to ``out``."""
    return [sys.executable, "-m", "bench.peak", str(out), module, *args]


def read_mb(out: str | Path) -> float:
    """The peak a :func:`command` wrote, in MB."""
    return int(Path(out).read_text(encoding="ascii")) / 1024


def main() -> None:
    out, module, *args = sys.argv[1:]
    atexit.register(lambda: Path(out).write_text(str(peak_kb()), encoding="ascii"))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

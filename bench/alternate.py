"""Alternated comparisons: both sides in one process, A B B A A B …, the median ratio and its spread.

Two numbers taken minutes apart on a shared machine divide two different
loads; two numbers taken in turn, many times, do not (or much less): each
round's ratio compares neighbours, and the median of the rounds drops the
rounds a burst of other work fell into. The load average is recorded at the
start and the end of each comparison so a reader can judge the rest.
"""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def load1() -> float:
    return os.getloadavg()[0]


@dataclass
class Compared:
    name: str
    a_label: str
    b_label: str
    a: list[float] = field(default_factory=list)      # seconds (or the measured value) of A per round
    b: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)   # 1-minute load average before each round and at the end
    extra: dict = field(default_factory=dict)

    @property
    def ratios(self) -> list[float]:
        """B / A per round (with seconds: how many times faster A is)."""
        return [b / a for a, b in zip(self.a, self.b) if a > 0]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.ratios), max(self.ratios)

    @property
    def median_a(self) -> float:
        return statistics.median(self.a)

    @property
    def median_b(self) -> float:
        return statistics.median(self.b)

    def load_text(self) -> str:
        return f"{min(self.load):.1f}-{max(self.load):.1f}" if self.load else "-"

    def as_dict(self) -> dict:
        return {"name": self.name, "a_label": self.a_label, "b_label": self.b_label, "a": self.a, "b": self.b,
                "ratios": self.ratios, "ratio": self.ratio if self.a else None, "load": self.load, **self.extra}


def alternate(name: str, a: Callable[[], float], b: Callable[[], float], rounds: int,
              a_label: str = "A", b_label: str = "B", warm: bool = False) -> Compared:
    """Run ``a`` and ``b`` ``rounds`` times each, in the order A B, B A, A B, … (each call returns
    its seconds, or any positive figure); ``warm`` runs each once untimed first."""
    out = Compared(name, a_label, b_label)
    if warm:
        a()
        b()
    for i in range(rounds):
        out.load.append(load1())
        if i % 2 == 0:
            ta = a()
            tb = b()
        else:
            tb = b()
            ta = a()
        out.a.append(ta)
        out.b.append(tb)
    out.load.append(load1())
    return out


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """``fn`` as a callable that returns the CPU seconds this process spent in it (every thread):
    on a machine shared with other work, wall time measures the others' load as much as ``fn``."""
    def run() -> float:
        t0 = time.process_time()
        fn()
        return time.process_time() - t0
    return run


def processes_cpu(pid: int | None = None, itself: bool = True) -> float:
    """CPU seconds (user + system) a process (this one by default), when ``itself``, and its live
    descendants have used so far; processes that end meanwhile count as nothing."""
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)] if itself else p.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0.0
    for q in procs:
        try:
            t = q.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def tree_cpu() -> float:
    """CPU seconds of this process, its live child processes and its waited-for ones."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ru.ru_utime + ru.ru_stime + processes_cpu(itself=False)


def timed_tree(fn: Callable[[], object]) -> Callable[[], float]:
    """``timed``, with the CPU of this process's child processes counted: work the code hands to a
    worker process (the NER stage runs in a budget worker) is part of what it costs."""
    def run() -> float:
        t0 = tree_cpu()
        fn()
        return tree_cpu() - t0
    return run

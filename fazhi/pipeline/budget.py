"""Per-document budgets: each stage of each document runs under a time and a memory budget.

A document that exceeds its budget is a ``failures`` row and the run goes on.
The stage's work runs in a worker process (``python -m fazhi.pipeline.budget``)
that stays up for the whole run and handles one call at a time:

- time: the caller waits at most the stage's budget for the answer; past
  it, the worker is killed (``TimeBudgetExceeded``) and a new one starts for
  the next document. Nothing inside the stage has to cooperate: a regex
  that backtracks or a parser that goes quadratic is stopped all the same.
- memory: the worker's address space is capped (``RLIMIT_AS``) at its size
  after start-up plus the budget, so a document that needs more gets a
  ``MemoryError`` (``MemoryBudgetExceeded``), not the machine's OOM killer;
  the worker is then replaced, since its heap may stay large.
- a worker that dies (a segfault in a parser, a kill) is ``WorkerDied`` for
  that document only.

Budgets (``fazhi.settings.Settings``, ``FAZHI_*``): ``budget_seconds``
(clean, extract, ner; default 120 s), ``budget_ingest_seconds`` (ingest,
which has its own fetch deadline and retries; default 1800 s),
``budget_memory_mb`` (default 4096 MiB). ``FAZHI_BUDGET=off`` runs the stages
in the calling process without budgets (for debugging).

How a stage is run::

    from fazhi.pipeline import budget
    result = budget.run("clean", stages_function, *args)   # exceptions come back as raised

The function must be importable by name (a module-level function), its
arguments and result picklable. The ``FAZHI_*`` environment and the fetch
module's in-memory URL state (credentials, same-host rules) are handed to
the worker with each call, so the worker sees what the caller sees.
"""
from __future__ import annotations

import atexit
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

WORKER_ENV = "FAZHI_BUDGET_WORKER"
PRELOAD_ENV = "FAZHI_BUDGET_PRELOAD"   # the module the worker imports before it measures its size
SWITCH_ENV = "FAZHI_BUDGET"
_HEADER = struct.Struct("!Q")
START_TIMEOUT = 300.0   # seconds a worker may take to import the stages (a loaded machine is slow)


class BudgetExceeded(RuntimeError):
    """A stage went past its per-document budget."""


class TimeBudgetExceeded(BudgetExceeded):
    """The stage took longer than its time budget for this document."""


class MemoryBudgetExceeded(BudgetExceeded):
    """The stage needed more memory than its budget for this document."""


class WorkerDied(BudgetExceeded):
    """The worker process running the stage died (a crash in a library, a kill)."""


@dataclass(frozen=True)
class Budget:
    seconds: float
    memory_mb: int

    @classmethod
    def from_settings(cls, stage: str, settings=None) -> Budget:
        """``stage``'s budget in a run's :class:`fazhi.settings.Settings` (default: the environment's)."""
        if settings is None:
            from fazhi.settings import Settings

            settings = Settings.load()
        return cls(seconds=settings.budget_ingest_seconds if stage == "ingest" else settings.budget_seconds,
                   memory_mb=settings.budget_memory_mb)

    @classmethod
    def for_stage(cls, stage: str) -> Budget:
        return cls.from_settings(stage)


def enabled() -> bool:
    return os.environ.get(WORKER_ENV) != "1" and os.environ.get(SWITCH_ENV, "").lower() not in ("off", "0", "false")


def run(stage: str, fn, *args, budget: Budget | None = None):
    """``fn(*args)`` under ``stage``'s budget (see the module docstring); its result, or its exception."""
    if not enabled():
        return fn(*args)
    budget = budget or Budget.for_stage(stage)
    return _worker(budget.memory_mb).call(stage, fn, args, budget.seconds)


# -- the caller's side -------------------------------------------------------------

def _send(fh, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(data)))
    fh.write(data)
    fh.flush()


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd``; None at end of file; ``TimeoutError`` past ``deadline``."""
    parts, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _fazhi_env() -> dict:
    return {k: v for k, v in os.environ.items() if k.startswith("FAZHI_") and k not in (WORKER_ENV, PRELOAD_ENV)}


def _url_state() -> dict | None:
    try:
        from fazhi.ingest.fetch import url_state
    except ImportError:  # pragma: no cover
        return None
    return url_state()


class Worker:
    """One worker process; ``call`` runs a function in it under a time budget."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.proc: subprocess.Popen | None = None

    def _start(self, preload: str) -> None:
        env = dict(os.environ)
        env[WORKER_ENV] = "1"
        env["FAZHI_BUDGET_MEMORY_MB"] = str(self.memory_mb)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env[PRELOAD_ENV] = preload
        self.proc = subprocess.Popen([sys.executable, "-m", "fazhi.pipeline.budget"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, close_fds=True)
        # the start-up (imports) is not part of any document's budget: wait for the worker to say so
        assert self.proc.stdout is not None  # stdout=PIPE
        try:
            ready = _read_exactly(self.proc.stdout.fileno(), _HEADER.size, time.monotonic() + START_TIMEOUT)
        except TimeoutError:
            ready = None
        if ready is None:
            self.stop()
            raise WorkerDied(f"the stage worker process did not start within {START_TIMEOUT:g} s")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            proc.kill()
        except OSError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        for fh in filter(None, (proc.stdin, proc.stdout)):
            try:
                fh.close()
            except OSError:
                pass

    def call(self, stage: str, fn, args: tuple, seconds: float):
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self._start(getattr(fn, "__module__", "") or "")
        proc = self.proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None  # _start made it, with pipes
        try:
            _send(proc.stdin, (fn, args, _fazhi_env(), _url_state()))
        except (BrokenPipeError, OSError):
            self.stop()
            raise WorkerDied(f"{stage}: the worker process could not take the document") from None
        deadline = time.monotonic() + seconds
        fd = proc.stdout.fileno()
        try:
            header = _read_exactly(fd, _HEADER.size, deadline)
            body = _read_exactly(fd, _HEADER.unpack(header)[0], None) if header else None
        except TimeoutError:
            self.stop()
            raise TimeBudgetExceeded(f"{stage} took longer than its {seconds:g} s budget for this document "
                                     f"(stopped)") from None
        if body is None:
            code = proc.wait()
            self.stop()
            raise WorkerDied(f"{stage}: the worker process died on this document (exit status {code})")
        kind, payload = pickle.loads(body)
        if kind == "ok":
            return payload
        if kind == "memory":
            self.stop()  # its heap may stay large: the next document gets a fresh worker
            raise MemoryBudgetExceeded(f"{stage} needed more than its {self.memory_mb} MiB budget for this "
                                       f"document")
        if kind == "error":
            raise payload
        # an exception that does not pickle: its class name and message
        name, message = payload
        raise type(name, (RuntimeError,), {"__module__": "fazhi.pipeline.budget"})(message)


_local = threading.local()
_all: list[Worker] = []
_all_lock = threading.Lock()


def _worker(memory_mb: int) -> Worker:
    w = getattr(_local, "worker", None)
    if w is None or w.memory_mb != memory_mb:
        if w is not None:
            w.stop()
        w = Worker(memory_mb)
        _local.worker = w
        with _all_lock:
            _all.append(w)
    return w


@atexit.register
def shutdown() -> None:
    """Stop every worker this process started."""
    with _all_lock:
        workers = list(_all)
        _all.clear()
    for w in workers:
        w.stop()


# -- the worker's side ---------------------------------------------------------------

def _limit_memory(memory_mb: int) -> None:
    import resource

    size = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    size = int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    limit = size + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _apply_env(env: dict) -> None:
    keep = (WORKER_ENV, PRELOAD_ENV, "FAZHI_BUDGET_MEMORY_MB")
    for k in [k for k in os.environ if k.startswith("FAZHI_") and k not in keep]:
        if k not in env:
            del os.environ[k]
    os.environ.update(env)


def _serve() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything a stage prints must not mix with the answers
    import importlib

    from fazhi.ingest.fetch import restore_url_state

    preload = os.environ.get(PRELOAD_ENV)
    if preload:  # the module of the stage functions (and its imports), before the memory is measured
        importlib.import_module(preload)

    _limit_memory(int(os.environ.get("FAZHI_BUDGET_MEMORY_MB", "4096")))
    stdout.write(_HEADER.pack(0))  # ready
    stdout.flush()
    fd = stdin.fileno()
    while True:
        header = _read_exactly(fd, _HEADER.size, None)
        if header is None:
            return
        body = _read_exactly(fd, _HEADER.unpack(header)[0], None)
        if body is None:
            return
        try:
            fn, args, env, state = pickle.loads(body)
            _apply_env(env)
            restore_url_state(state)
            answer = ("ok", fn(*args))
        except MemoryError:
            answer = ("memory", None)
        except Exception as exc:  # noqa: BLE001 - any failure of the stage goes back to the caller
            answer = ("error", exc)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            if answer[0] == "error":
                pickle.loads(data)  # an exception class with required arguments pickles but does not load
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception:
            result = answer[1]
            data = pickle.dumps(("unpicklable", (type(result).__name__ if isinstance(result, BaseException)
                                                 else "UnpicklableResult", str(result)[:2000])))
        del answer  # not kept while the next document waits
        stdout.write(_HEADER.pack(len(data)))
        stdout.write(data)
        stdout.flush()


if __name__ == "__main__":
    _serve()

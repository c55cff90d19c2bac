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
(clean, extract; default 120 s), ``budget_ingest_seconds`` (ingest, which has
its own fetch deadline and retries; default 1800 s), ``budget_ner_seconds``
(ner; default 300 s), ``budget_memory_mb`` (every stage; default 4096 MiB).
``FAZHI_BUDGET=off`` runs the stages in the calling process without budgets
(for debugging). The budgets are the run's settings: those given to
``Budget.from_settings``, else those a batch set with :func:`using` (so a
Dask worker uses the flow's settings, not its own environment), else the
environment's.

How a stage is run::

    from fazhi.pipeline import budget
    result = budget.run("clean", stages_function, *args)   # exceptions come back as raised
    rows = budget.run("ner", ner_function, *args, warm=(load_function, (model,)))

The function must be importable by name (a module-level function), its
arguments and result picklable. The ``FAZHI_*`` environment and the fetch
module's in-memory URL state (credentials, same-host rules) are handed to
the worker with each call, so the worker sees what the caller sees.

``warm``: a call the worker makes once when it starts, before its memory is
measured and outside every document's budget (the NER stage loads its spaCy
pipeline so). Calls with another ``warm`` (or memory budget) get a worker of
their own; the stages without one share one worker per thread.
"""
from __future__ import annotations

import atexit
import contextlib
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
        """``stage``'s budget in a run's :class:`fazhi.settings.Settings` (default: the settings set with
        :func:`using`, else the environment's)."""
        if settings is None:
            settings = getattr(_local, "settings", None)
        if settings is None:
            from fazhi.settings import Settings

            settings = Settings.load()
        seconds = {"ingest": settings.budget_ingest_seconds,
                   "ner": settings.budget_ner_seconds}.get(stage, settings.budget_seconds)
        return cls(seconds=seconds, memory_mb=settings.budget_memory_mb)

    @classmethod
    def for_stage(cls, stage: str) -> Budget:
        return cls.from_settings(stage)


def enabled() -> bool:
    return os.environ.get(WORKER_ENV) != "1" and os.environ.get(SWITCH_ENV, "").lower() not in ("off", "0", "false")


@contextlib.contextmanager
def using(settings):
    """The budgets of ``settings`` for the stages this thread runs inside the ``with`` (a batch)."""
    before = getattr(_local, "settings", None)
    _local.settings = settings
    try:
        yield
    finally:
        _local.settings = before


def run(stage: str, fn, *args, budget: Budget | None = None, warm: tuple | None = None):
    """``fn(*args)`` under ``stage``'s budget (see the module docstring); its result, or its exception.
    ``warm``: ``(function, args)`` the worker calls once at its start, outside the budget."""
    if not enabled():
        return fn(*args)
    budget = budget or Budget.for_stage(stage)
    return _worker(budget.memory_mb, warm).call(stage, fn, args, budget.seconds)


def prestart(stage: str, fn, budget: Budget | None = None, warm: tuple | None = None) -> None:
    """Start the worker that ``run(stage, fn, ..., warm=warm)`` will use, without waiting for its
    start-up (imports, the warm-up call); nothing if budgets are off or it is already up."""
    if not enabled():
        return
    budget = budget or Budget.for_stage(stage)
    _worker(budget.memory_mb, warm).prestart(getattr(fn, "__module__", "") or "")


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

    def __init__(self, memory_mb: int, warm: tuple | None = None) -> None:
        self.memory_mb = memory_mb
        self.warm = warm
        self.proc: subprocess.Popen | None = None
        self.starting = False  # spawned, its "ready" not read yet

    def _start(self, preload: str) -> None:
        self._spawn(preload)
        self._await_ready()

    def prestart(self, preload: str) -> None:
        """Start the process (its imports, its warm-up) without waiting for it: the first ``call``
        waits for it to be ready. The caller goes on meanwhile (the NER stage's pipeline loads while
        the document's rules run)."""
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self._spawn(preload)

    def _spawn(self, preload: str) -> None:
        env = dict(os.environ)
        # a Dask worker's environment returns every freed block to the system at once
        # (MALLOC_TRIM_THRESHOLD_=65536, set by its nanny for its memory reports); a stage worker
        # keeps its own memory budget by restarting, and under that setting its NER spends a
        # third more CPU, much of it in the kernel: the C library's default applies here
        env.pop("MALLOC_TRIM_THRESHOLD_", None)
        env[WORKER_ENV] = "1"
        env["FAZHI_BUDGET_MEMORY_MB"] = str(self.memory_mb)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env[PRELOAD_ENV] = preload
        # -P: the worker's import path is the caller's (PYTHONPATH above), without the working directory
        # in front, which may hold another checkout of the project
        self.proc = subprocess.Popen([sys.executable, "-P", "-m", "fazhi.pipeline.budget"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, close_fds=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None  # stdin=PIPE, stdout=PIPE
        try:
            _send(self.proc.stdin, (self.warm, _fazhi_env()))
        except (BrokenPipeError, OSError):
            pass  # a worker that died at once: told below
        self.starting = True

    def _await_ready(self) -> None:
        if not self.starting:
            return
        self.starting = False
        assert self.proc is not None and self.proc.stdout is not None  # _spawn made it, with pipes
        # the start-up (imports, the warm-up call) is not part of any document's budget: wait for
        # the worker to say it is ready
        fd = self.proc.stdout.fileno()
        try:
            ready = _read_exactly(fd, _HEADER.size, time.monotonic() + START_TIMEOUT)
            failed = _read_exactly(fd, _HEADER.unpack(ready)[0], None) if ready else None
        except TimeoutError:
            ready = failed = None
        if ready is None:
            self.stop()
            raise WorkerDied(f"the stage worker process did not start within {START_TIMEOUT:g} s")
        if failed:  # the warm-up raised: that error, for this document (the next call starts again)
            self.stop()
            kind, payload = pickle.loads(failed)
            if kind == "error":
                raise payload
            raise WorkerDied(f"the stage worker process could not start: {payload}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        self.starting = False
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
        if self.proc is None or (not self.starting and self.proc.poll() is not None):
            self.stop()
            self._start(getattr(fn, "__module__", "") or "")
        else:
            self._await_ready()
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


def _warm_key(warm: tuple | None):
    if warm is None:
        return None
    fn, args = warm
    return (getattr(fn, "__module__", ""), getattr(fn, "__qualname__", repr(fn)), repr(args))


def _worker(memory_mb: int, warm: tuple | None = None) -> Worker:
    """This thread's worker for calls with this warm-up: one per warm-up, of the given memory budget."""
    workers = getattr(_local, "workers", None)
    if workers is None:
        workers = _local.workers = {}
    key = _warm_key(warm)
    w = workers.get(key)
    if w is None or w.memory_mb != memory_mb:
        if w is not None:
            w.stop()
            with _all_lock:
                if w in _all:
                    _all.remove(w)
        w = Worker(memory_mb, warm)
        workers[key] = w
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
    fd = stdin.fileno()
    first = _read_exactly(fd, _HEADER.size, None)
    if first is None:
        return
    warm, env = pickle.loads(_read_exactly(fd, _HEADER.unpack(first)[0], None) or b"")
    failed = b""
    if warm is not None:  # e.g. the NER pipeline, loaded before the memory is measured
        try:
            _apply_env(env)
            fn, args = warm
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - told to the caller instead of ready
            try:
                failed = pickle.dumps(("error", exc))
                pickle.loads(failed)
            except Exception:
                failed = pickle.dumps(("unpicklable", f"{type(exc).__name__}: {str(exc)[:2000]}"))
    _limit_memory(int(os.environ.get("FAZHI_BUDGET_MEMORY_MB", "4096")))
    stdout.write(_HEADER.pack(len(failed)))  # ready (an empty answer), or why the warm-up failed
    if failed:
        stdout.write(failed)
    stdout.flush()
    if failed:
        return
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

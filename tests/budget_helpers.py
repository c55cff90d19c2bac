"""Stage stand-ins for the budget tests: module-level so the worker process can import them."""
from __future__ import annotations

import os


def spin(n: int) -> int:
    """Busy for as long as it is let (no sleep): stands for a regex that backtracks."""
    x = 0
    while True:
        x = (x + n) % 1_000_003


def hog(mb: int) -> int:
    """Holds ``mb`` MiB at once."""
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def echo(value):
    return value, os.getpid()


def die(code: int) -> None:
    os._exit(code)


class Odd(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}/{b}")


def raise_odd() -> None:
    raise Odd(1, 2)


def wait_for(path: str) -> None:
    """A warm-up that lasts until ``path`` exists (a pipeline load the caller can hold open)."""
    while not os.path.exists(path):
        os.sched_yield()


def fail_to_load(path: str) -> None:
    raise FileNotFoundError(f"no model at {path}")


def env_of(name: str):
    return os.environ.get(name)

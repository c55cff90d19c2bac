"""Which Prefect API a run talks to, decided before Prefect is imported.

In order (``Settings.prefect_server``, default ``auto``):

1. ``PREFECT_API_URL`` in the environment or in the active Prefect profile
   (``prefect config set PREFECT_API_URL=…``): that server, as Prefect would.
2. A Prefect server answering at ``Settings.prefect_server_url`` (default
   ``http://127.0.0.1:4200/api``, where ``prefect server start`` and
   ``fazhi serve`` listen): the run is recorded there, next to the nightly runs.
3. Otherwise a temporary server for this run only, started here (not by
   Prefect's client, so the client never imports the server): a uvicorn
   process on a free port of 127.0.0.1, its SQLite database in the lake
   (``<lake>/.prefect/``), so runs on different lakes share no database and
   never wait on each other's locks. It may take ``prefect_startup_timeout``
   seconds to answer (default 600, for busy machines; Prefect's own default
   is 20). It is stopped when the run ends.

``settings.prefect_server`` may also be ``temporary`` (always 3.) or an API URL
(always that one). Console logging: Prefect's INFO lines stay in the Prefect
API (the UI shows them) but go to the console only with ``--verbose``.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fazhi.settings import Settings

# what every fazhi process sets for Prefect unless the user set it already
_QUIET = {
    "DO_NOT_TRACK": "1",                            # no telemetry calls (they hang on an offline machine)
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
}


class ServerStartError(RuntimeError):
    """The temporary Prefect server did not answer in time, or exited."""


@dataclass
class Api:
    url: str
    kind: str          # "configured", "running" or "temporary"


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment, else from the active Prefect profile (read as TOML);
    when Prefect is already imported (a test harness, a notebook), the value in force there."""
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active")
    profile = (data.get("profiles") or {}).get(active) or {}
    return profile.get("PREFECT_API_URL") or None


def healthy(api_url: str, timeout: float = 0.5) -> bool:
    """Does a Prefect server answer ``GET {api_url}/health`` with ``true``?"""
    import httpx

    try:
        r = httpx.get(api_url.rstrip("/") + "/health", timeout=timeout)
        return r.status_code == 200 and r.text.strip() == "true"
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prefect_package_dir() -> str:
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    assert spec is not None and spec.origin is not None
    return str(Path(spec.origin).parent.parent)


def _end(proc: subprocess.Popen | None, grace: float) -> None:
    """Terminate a server process; kill it when it has not exited after ``grace`` seconds."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def drain_client() -> None:
    """Send what Prefect's client still holds (log lines, events) while the server is up."""
    if "prefect.logging.handlers" in sys.modules:
        from prefect.logging.handlers import APILogWorker

        with contextlib.suppress(Exception):
            APILogWorker.drain_all(timeout=10)
    if "prefect.events.worker" in sys.modules:
        from prefect.events.worker import EventsWorker

        with contextlib.suppress(Exception):
            EventsWorker.drain_all(timeout=10)


class TemporaryServer:
    """A Prefect API server for one run: ``with TemporaryServer(state_dir, timeout) as url:``."""

    def __init__(self, state_dir: Path, timeout: float):
        self.state_dir, self.timeout = Path(state_dir), timeout
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> str:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        env = {**os.environ, **{k: v for k, v in _QUIET.items() if k not in os.environ},
               "PREFECT_UI_ENABLED": "false",
               "PREFECT__SERVER_EPHEMERAL": "1",       # Prefect's own mark for a server of one client
               "PREFECT_API_DATABASE_CONNECTION_URL":
                   "sqlite+aiosqlite:///" + str((self.state_dir / "prefect.db").resolve()),
               "PREFECT_HOME": str(self.state_dir.resolve())}
        env.pop("PREFECT_API_URL", None)
        log = open(self.state_dir / "server.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", _prefect_package_dir(), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        import httpx

        deadline = time.monotonic() + self.timeout
        with httpx.Client(timeout=2.0) as client:  # one client for the polling: a new one each time costs CPU
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise ServerStartError(
                        f"the temporary Prefect server exited with status {self.proc.returncode} "
                        f"(log: {self.state_dir / 'server.log'})")
                try:
                    r = client.get(self.url + "/health")
                    if r.status_code == 200 and r.text.strip() == "true":
                        return self.url
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
        self.stop()
        raise ServerStartError(
            f"the temporary Prefect server did not answer within {self.timeout:g} s (a busy machine?). "
            f"Raise FAZHI_PREFECT_STARTUP_TIMEOUT, or start one that stays up: "
            f"`prefect server start` (then fazhi uses it).")

    def stop(self) -> None:
        drain_client()
        _end(self.proc, grace=10)
        self.proc = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class PersistentServer:
    """``prefect server start`` on ``api_url``'s host and port, for ``fazhi serve``: its database is
    Prefect's own (``$PREFECT_HOME``), the UI on; stopped when the serving process ends."""

    def __init__(self, api_url: str, timeout: float):
        from urllib.parse import urlsplit

        parts = urlsplit(api_url)
        self.api_url, self.timeout = api_url, timeout
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 4200
        self.ui_url = f"http://{self.host}:{self.port}"
        home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
        home.mkdir(parents=True, exist_ok=True)
        self.log_path = home / "fazhi-server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, **{k: v for k, v in _QUIET.items() if k not in os.environ}}
        env.pop("PREFECT_API_URL", None)
        prefect_cli = Path(sys.executable).with_name("prefect")
        cmd = [str(prefect_cli)] if prefect_cli.exists() else [sys.executable, "-m", "prefect"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([*cmd, "server", "start", "--host", self.host, "--port", str(self.port)],
                                         env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(f"`prefect server start` exited with status {self.proc.returncode} "
                                       f"(log: {self.log_path})")
            if healthy(self.api_url, timeout=2.0):
                return
            time.sleep(0.3)
        self.stop()
        raise ServerStartError(f"`prefect server start` did not answer within {self.timeout:g} s "
                               f"(log: {self.log_path})")

    def stop(self) -> None:
        _end(self.proc, grace=15)
        self.proc = None


def quiet_prefect(verbose: bool = False) -> None:
    """Prefect's console defaults for fazhi: no telemetry; INFO lines only with --verbose."""
    for k, v in _QUIET.items():
        if verbose and k == "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL":
            continue
        os.environ.setdefault(k, v)


@contextlib.contextmanager
def _pointing(url: str) -> Iterator[None]:
    """PREFECT_API_URL = ``url`` for the block: in the environment, and in Prefect's settings when loaded."""
    saved = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        if "prefect.settings" in sys.modules:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: url}):
                yield
        else:
            yield
    finally:
        if saved is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = saved


@contextlib.contextmanager
def prefect_api(settings: Settings) -> Iterator[Api]:
    """Point Prefect at the API this run uses (see the module docstring); call before importing prefect."""
    quiet_prefect(settings.verbose)
    choice = settings.prefect_server
    if choice not in ("auto", "temporary"):
        with _pointing(choice):
            yield Api(choice, "configured")
        return
    if choice == "auto":
        url = configured_api_url()
        if url:
            yield Api(url, "configured")
            return
        if healthy(settings.prefect_server_url):
            with _pointing(settings.prefect_server_url):
                yield Api(settings.prefect_server_url, "running")
            return
    with TemporaryServer(settings.lake / ".prefect", settings.prefect_startup_timeout) as url, _pointing(url):
        yield Api(url, "temporary")

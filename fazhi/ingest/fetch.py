"""Read one source's bytes: a local file, or an http(s) URL through httpx.

Fetching a URL (see :class:`FetchPolicy` for the numbers and their
environment variables):

- only ``http`` and ``https``, also for every redirect hop (no ``file://``,
  no local file read through a URL); redirects are followed by hand, at most
  ``max_redirects``, and a loop is an error at once;
- every connection goes to an address checked after DNS resolution, at
  every redirect hop: loopback, private, link-local and reserved addresses
  are refused (``AddressRefused``) unless ``allow_networks`` holds them
  (``--allow-network CIDR``, ``FAZHI_ALLOW_NETWORKS``); see ``netguard.py``;
- ``same_host``: redirects must stay on the first URL's host (listing links
  from a ``same_host`` listing are fetched so);
- credentials in an URL (``http://user:pass@host/…``) are sent as HTTP Basic
  auth to that origin only and never kept: ``Fetched.source``,
  ``final_url`` and error messages carry the URL without them;
  :func:`hide_credentials` moves them out of an URL into this process's
  memory (and the environment of worker processes started later);
- a connect/read timeout per operation and a deadline for the whole
  response, status line and headers included (a server that drips bytes is
  cut off);
- retries with exponential backoff on 5xx and 429 (``Retry-After``
  honoured up to a cap) and on connection errors and timeouts; none on other
  4xx;
- a size cap (``Content-Length`` checked first, the body counted while it
  streams, after decoding: every ``Content-Encoding`` layer is capped while
  it inflates) and a content-type check (images, audio, video, scripts,
  JSON … are refused before the body is read);
- a body longer than its ``Content-Length`` (which the HTTP layer would cut
  to the declared length without a word) is ``LengthMismatch``;
- a delay between two requests to the same host, per process;
- a conditional request (``If-None-Match`` / ``If-Modified-Since``) when the
  caller passes the validators of the previous fetch; a ``304`` comes back
  as ``Fetched(not_modified=True)`` with no bytes;
- a ``User-Agent`` naming the project.
"""
from __future__ import annotations

import base64
import email.utils
import json
import os
import posixpath
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from fazhi.ids import printable, redact, strip_credentials
from fazhi.ingest import netguard
from fazhi.ingest.netguard import AddressRefused, DeadlinePassed, UnsupportedEncoding
from fazhi.rows import Fetched
from fazhi.settings import HTTP_TIMEOUT_S, MAX_DOWNLOAD_BYTES, USER_AGENT

__all__ = ["AddressRefused", "FetchPolicy", "fetch", "fetch_file", "fetch_url", "hide_credentials"]


def is_url(source: str) -> bool:
    return urlsplit(source).scheme.lower() in ("http", "https")


class FetchError(RuntimeError):
    """A source could not be read."""


class TooLarge(FetchError):
    """The body is larger than the download cap."""


class ContentTypeRefused(FetchError):
    """The server says the body is something other than a document (an image, a script …)."""


class RedirectError(FetchError):
    """Too many redirects, a redirect loop, or a redirect to a scheme other than http(s)."""


class FetchTimeout(FetchError):
    """No answer in time (after the retries), or the body took longer than the deadline."""


class ConnectionFailed(FetchError):
    """The connection failed or was reset (after the retries)."""


class LengthMismatch(FetchError):
    """The server sent more bytes than its ``Content-Length`` said: the stored body would be cut."""


class NotFetched(FetchError):
    """A local path that is not read: a device, ``/proc`` or ``/sys``, or not a regular file."""



@dataclass(frozen=True)
class FetchPolicy:
    """How URLs are fetched. ``from_env()`` reads the ``FAZHI_HTTP_*`` overrides."""

    timeout: float = HTTP_TIMEOUT_S           # connect / read / write, each (FAZHI_HTTP_TIMEOUT)
    deadline: float = 300.0                   # the whole response, body included (FAZHI_HTTP_DEADLINE)
    retries: int = 3                          # extra attempts after the first (FAZHI_HTTP_RETRIES)
    backoff: float = 1.0                      # first retry delay; doubles each time (FAZHI_HTTP_BACKOFF)
    max_backoff: float = 60.0
    max_redirects: int = 5
    max_bytes: int = MAX_DOWNLOAD_BYTES       # FAZHI_MAX_DOWNLOAD_BYTES
    host_delay: float = 1.0                   # seconds between requests to one host (FAZHI_HOST_DELAY)
    user_agent: str = USER_AGENT
    allow_networks: tuple[str, ...] = ()      # CIDRs that may be fetched though not public (FAZHI_ALLOW_NETWORKS)
    same_host: bool = False                   # redirects must stay on the first URL's host

    @classmethod
    def from_settings(cls, settings, **overrides) -> FetchPolicy:
        """The policy of a run's :class:`fazhi.settings.Settings` (its ``http_*`` fields, ``allow_networks``)."""
        base = cls(timeout=settings.http_timeout, deadline=settings.http_deadline, retries=settings.http_retries,
                   backoff=settings.http_backoff, max_bytes=settings.max_download_bytes,
                   host_delay=settings.host_delay, allow_networks=tuple(settings.allow_networks))
        return replace(base, **overrides)

    @classmethod
    def from_env(cls, **overrides) -> "FetchPolicy":
        """The policy of the ``FAZHI_HTTP_*`` environment (and defaults), for callers without settings."""
        from fazhi.settings import Settings

        return cls.from_settings(Settings(), **overrides)


RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = ("text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.9,"
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.5")
_REFUSED_TYPES = ("image/", "audio/", "video/", "font/", "model/", "multipart/")
_REFUSED_EXACT = frozenset({
    "text/css", "text/javascript", "application/javascript", "application/x-javascript", "application/json",
    "application/ld+json", "application/wasm", "application/x-shockwave-flash", "text/calendar", "text/csv",
    "application/x-executable", "application/x-msdownload", "application/vnd.android.package-archive",
})


def content_type_allowed(content_type: str | None) -> bool:
    """True unless the Content-Type names something that is not a document.

    Missing, ``text/*``, PDF, Word and the generic download types
    (``application/octet-stream`` …) pass: the bytes decide the format.
    """
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return not (media in _REFUSED_EXACT or media.startswith(_REFUSED_TYPES))


class _HostPacer:
    """Keeps ``delay`` seconds between the starts of two requests to one host (per process)."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, delay: float) -> None:
        if delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._last.get(host, -1e18) + delay)
            self._last[host] = start
        if start > now:
            time.sleep(start - now)


PACER = _HostPacer()


# -- credentials and per-URL rules, kept in memory only ---------------------------

_STATE_ENV = "FAZHI_URL_STATE"
_CREDENTIALS: dict[str, tuple[str, str]] = {}   # origin (scheme://host:port) -> (user, password)
_SAME_HOST: set[str] = set()                     # URLs whose redirects must stay on their host
_STATE_LOCK = threading.Lock()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def _publish() -> None:
    """Mirror the state in the environment, for worker processes started after this."""
    os.environ[_STATE_ENV] = json.dumps(url_state())


def url_state() -> dict:
    """A snapshot of the credentials and per-URL rules (to hand to a worker process)."""
    with _STATE_LOCK:
        return {"credentials": {k: list(v) for k, v in _CREDENTIALS.items()}, "same_host": sorted(_SAME_HOST)}


def restore_url_state(state: dict | None) -> None:
    """Add a snapshot from :func:`url_state` (or the environment's) to this process's state."""
    if not state:
        return
    with _STATE_LOCK:
        for k, v in (state.get("credentials") or {}).items():
            _CREDENTIALS[k] = (v[0], v[1])
        _SAME_HOST.update(state.get("same_host") or ())


def _load_env_state() -> None:
    raw = os.environ.get(_STATE_ENV)
    if raw:
        try:
            restore_url_state(json.loads(raw))
        except (ValueError, TypeError, IndexError):
            pass


def hide_credentials(source: str) -> str:
    """``source`` without ``user:password@`` (kept in memory for requests to that origin).

    Anything but an http(s) URL with credentials comes back unchanged."""
    if not is_url(source):
        return source
    parts = urlsplit(source)
    if parts.username is None and parts.password is None:
        return source
    with _STATE_LOCK:
        _CREDENTIALS[_origin(source)] = (unquote(parts.username or ""), unquote(parts.password or ""))
    _publish()
    return strip_credentials(source)


def stay_on_host(url: str) -> None:
    """Fetch ``url`` with its redirects kept on its host (a link from a ``same_host`` listing)."""
    with _STATE_LOCK:
        _SAME_HOST.add(strip_credentials(url))
    _publish()


def _credentials_for(url: str) -> tuple[str, str] | None:
    if not _CREDENTIALS:
        _load_env_state()
    with _STATE_LOCK:
        return _CREDENTIALS.get(_origin(url))


def _must_stay_on_host(url: str) -> bool:
    if not _SAME_HOST:
        _load_env_state()
    with _STATE_LOCK:
        return url in _SAME_HOST


def source_name(source: str) -> str:
    """The file name a source carries: ``000_x.txt`` for a path or ``…/000_x.txt`` URL."""
    if is_url(source):
        parts = urlsplit(source)
        name = posixpath.basename(unquote(parts.path.rstrip("/")))
        return printable(name or parts.hostname or strip_credentials(source))
    return printable(Path(source).name)


def _policy(policy: FetchPolicy | None, timeout: float | None, max_bytes: int | None) -> FetchPolicy:
    """``policy`` (default: from the environment) with the explicit overrides applied."""
    policy = policy or FetchPolicy.from_env()
    if timeout is not None:
        policy = replace(policy, timeout=timeout)
    if max_bytes is not None:
        policy = replace(policy, max_bytes=max_bytes)
    return policy


def fetch(source: str, *, timeout: float | None = None, max_bytes: int | None = None,
          policy: FetchPolicy | None = None, validators: dict | None = None) -> Fetched:
    """The bytes of a path or an http(s) URL; any other scheme is a ``FetchError``."""
    policy = _policy(policy, timeout, max_bytes)
    if is_url(source):
        return fetch_url(source, policy=policy, validators=validators)
    if "://" in source or source.lower().startswith("file:"):
        raise FetchError(f"unsupported scheme: {source!r} (only files and http(s) URLs)")
    return fetch_file(source, max_bytes=policy.max_bytes)


_SYSTEM_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))


def local_refusal(path: Path) -> str | None:
    """Why a local path is not read as a document (a device, a FIFO, ``/proc`` …), or None."""
    import stat as stat_mod

    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        return f"cannot resolve: {exc}"
    for tree in _SYSTEM_TREES:
        if real == tree or tree in real.parents:
            return f"under {tree} (system files are never read)"
    try:
        mode = real.stat().st_mode
    except OSError:
        return None  # missing: fetch_file raises FileNotFoundError
    if not stat_mod.S_ISREG(mode):
        return "not a regular file (a device, FIFO, socket or folder)"
    return None


def fetch_file(source: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Fetched:
    import stat as stat_mod

    path = Path(source)
    shown = printable(source)
    try:
        path.stat()
    except FileNotFoundError:
        head = shown.split("/", 1)[0]
        hint = (f"; for a web page give the whole URL: https://{shown}"
                if "." in head and not head.startswith((".", "~")) and " " not in head else "")
        raise FileNotFoundError(f"{shown}: no such file or folder{hint}") from None
    why = local_refusal(path)
    if why:
        raise NotFetched(f"{shown}: {why}")
    # O_NONBLOCK: a FIFO swapped in after the check must not block the run
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat_mod.S_ISREG(st.st_mode):
            raise NotFetched(f"{shown}: not a regular file")
        if st.st_size > max_bytes:
            raise TooLarge(f"{shown}: {st.st_size} bytes exceeds the {max_bytes}-byte cap")
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"{shown}: more than the {max_bytes}-byte cap")
    return Fetched(source=shown, name=printable(path.name), data=data, fetched_at=_now())


def fetch_url(url: str, *, policy: FetchPolicy | None = None, validators: dict | None = None,
              timeout: float | None = None, max_bytes: int | None = None) -> Fetched:
    """GET ``url`` under ``policy`` (see the module docstring)."""
    policy = _policy(policy, timeout, max_bytes)
    url = hide_credentials(url)
    if _must_stay_on_host(url) and not policy.same_host:
        policy = replace(policy, same_host=True)
    headers = {"User-Agent": policy.user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
    for key, header in (("etag", "If-None-Match"), ("last_modified", "If-Modified-Since")):
        if validators and validators.get(key):
            headers[header] = validators[key]
    try:
        allowed = netguard.parse_networks(policy.allow_networks)
    except ValueError as exc:
        raise FetchError(f"allow_networks: {exc}") from None
    backend = netguard.GuardedBackend(allowed)
    with httpx.Client(timeout=httpx.Timeout(policy.timeout), follow_redirects=False, headers=headers,
                      trust_env=False) as client:
        netguard.install(client, backend)
        attempt = 0
        while True:
            try:
                return _get_following_redirects(client, url, policy, backend)
            except _Retryable as exc:
                if attempt >= policy.retries:
                    raise exc.final(attempt + 1) from None
                time.sleep(min(policy.max_backoff, max(exc.retry_after or 0.0, policy.backoff * 2 ** attempt)))
                attempt += 1


@dataclass
class _Retryable(Exception):
    url: str
    cause: BaseException
    status: int | None = None
    retry_after: float | None = None
    response: httpx.Response | None = field(default=None, repr=False)

    def final(self, attempts: int) -> BaseException:
        note = f" ({attempts} attempt{'s' if attempts > 1 else ''})"
        if self.response is not None:
            return httpx.HTTPStatusError(f"{self.cause}{note}", request=self.response.request,
                                         response=self.response)
        if isinstance(self.cause, httpx.TimeoutException):
            return FetchTimeout(f"{self.url}: {type(self.cause).__name__}: {self.cause or 'timed out'}{note}")
        return ConnectionFailed(f"{self.url}: {type(self.cause).__name__}: {self.cause}{note}")


def _auth_header(url: str) -> dict:
    creds = _credentials_for(url)
    if creds is None:
        return {}
    token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _get_following_redirects(client: httpx.Client, url: str, policy: FetchPolicy,
                             backend: netguard.GuardedBackend | None = None) -> Fetched:
    seen = [url]
    current = url
    host = (urlsplit(url).hostname or "").lower()
    while True:
        if not is_url(current):
            raise RedirectError(f"{url}: refusing to follow a redirect to {redact(current)!r} (only http and https)")
        PACER.wait(urlsplit(current).netloc.lower(), policy.host_delay)
        started = time.monotonic()
        if backend is not None:
            backend.start(policy.deadline)
        try:
            with client.stream("GET", current, headers=_auth_header(current)) as response:
                status = response.status_code
                if status in REDIRECT_STATUS and response.headers.get("location"):
                    target = hide_credentials(urljoin(current, response.headers["location"]))
                    if target in seen:
                        raise RedirectError(f"{url}: redirect loop ({' -> '.join(seen + [target])})")
                    if len(seen) > policy.max_redirects:
                        raise RedirectError(f"{url}: more than {policy.max_redirects} redirects")
                    if policy.same_host and is_url(target) and (urlsplit(target).hostname or "").lower() != host:
                        raise RedirectError(f"{url}: redirect to another host ({target}) from a same_host source")
                    seen.append(target)
                    current = target
                    continue
                if status == 304:
                    return Fetched(source=url, name=source_name(url), data=b"", fetched_at=_now(),
                                   content_type=response.headers.get("content-type"), http_status=304,
                                   final_url=strip_credentials(str(response.url)), etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"), not_modified=True)
                if status in RETRY_STATUS:
                    error = httpx.HTTPStatusError(
                        f"Server error '{status} {response.reason_phrase}' for url '{current}'",
                        request=response.request, response=response)
                    raise _Retryable(url, error, status, _retry_after(response), response)
                response.raise_for_status()
                return _read_body(url, response, policy, started, backend)
        except AddressRefused as exc:
            raise FetchError(f"{url}: {'redirect to ' + current + ': ' if current != url else ''}{exc}") from None
        except DeadlinePassed as exc:
            raise FetchTimeout(f"{url}: {exc}") from None
        except httpx.TimeoutException as exc:
            raise _Retryable(url, exc) from None
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError,
                httpx.LocalProtocolError) as exc:
            raise _Retryable(url, exc) from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"{url}: {exc}") from None
        finally:
            if backend is not None:
                backend.deadline = None


def _read_body(url: str, response: httpx.Response, policy: FetchPolicy, started: float,
               backend: netguard.GuardedBackend | None = None) -> Fetched:
    content_type = response.headers.get("content-type")
    if not content_type_allowed(content_type):
        raise ContentTypeRefused(f"{url}: Content-Type {content_type!r} is not a document")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise TooLarge(f"{url}: Content-Length {declared} exceeds the {policy.max_bytes}-byte cap")
    stream = response.extensions.get("network_stream")
    if not hasattr(stream, "wire"):
        stream = None
    raw_total = 0

    def raw_chunks():
        nonlocal raw_total
        for raw in response.iter_raw():
            raw_total += len(raw)
            if raw_total > policy.max_bytes:
                raise TooLarge(f"{url}: response exceeds the {policy.max_bytes}-byte cap")
            yield raw

    chunks, total = [], 0
    try:
        for chunk in netguard.decoded_chunks(raw_chunks(), response.headers.get("content-encoding"),
                                             policy.max_bytes):
            total += len(chunk)
            if total > policy.max_bytes:
                raise TooLarge(f"{url}: response exceeds the {policy.max_bytes}-byte cap")
            if time.monotonic() - started > policy.deadline:
                raise FetchTimeout(f"{url}: body not complete after {policy.deadline:g} s ({total} bytes so far)")
            chunks.append(chunk)
    except OverflowError:
        raise TooLarge(f"{url}: Content-Encoding {response.headers.get('content-encoding')!r} expands past the "
                       f"{policy.max_bytes}-byte cap") from None
    except UnsupportedEncoding as exc:
        raise FetchError(f"{url}: {exc}") from None
    except ValueError as exc:
        raise FetchError(f"{url}: {exc}") from None
    _check_length(url, response, declared, raw_total, stream)
    return Fetched(
        source=url,
        name=source_name(url),
        data=b"".join(chunks),
        fetched_at=_now(),
        content_type=content_type,
        http_status=response.status_code,
        final_url=strip_credentials(str(response.url)),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _check_length(url: str, response: httpx.Response, declared: str | None, raw_total: int, stream) -> None:
    """``LengthMismatch`` when the wire carried more body than ``Content-Length`` said.

    The HTTP layer stops at the declared length; the bytes the server sent
    after it are the rest of a report that would be stored cut."""
    if stream is None or not declared or not declared.isdigit():
        return
    if "chunked" in (response.headers.get("transfer-encoding") or "").lower():
        return
    head = stream.wire.header_length()
    if head is None:
        return
    on_wire = stream.wire.received - head + stream.pending_bytes()
    if on_wire > int(declared):
        raise LengthMismatch(f"{url}: the server sent at least {on_wire} body bytes but Content-Length says "
                             f"{declared}: the body would be stored cut")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - _now()).total_seconds())


def _now() -> datetime:
    return datetime.now(UTC)

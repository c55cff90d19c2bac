"""Read one source's bytes: a local file, or an http(s) URL through httpx.

Fetching a URL (see :class:`FetchPolicy` for the numbers and their
environment variables):

- only ``http`` and ``https``, also for every redirect hop (no ``file://``,
  no local file read through a URL); redirects are followed by hand, at most
  ``max_redirects``, and a loop is an error at once;
- a connect/read timeout per operation and a deadline for the whole body
  (a server that drips bytes is cut off);
- retries with exponential backoff on 5xx and 429 (``Retry-After``
  honoured up to a cap) and on connection errors and timeouts; none on other
  4xx;
- a size cap (``Content-Length`` checked first, the body counted while it
  streams, after gzip decoding) and a content-type check (images, audio,
  video, scripts, JSON … are refused before the body is read);
- a delay between two requests to the same host, per process;
- a conditional request (``If-None-Match`` / ``If-Modified-Since``) when the
  caller passes the validators of the previous fetch; a ``304`` comes back
  as ``Fetched(not_modified=True)`` with no bytes;
- a ``User-Agent`` naming the project.
"""
from __future__ import annotations

import email.utils
import posixpath
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from fazhi.rows import Fetched
from fazhi.settings import HTTP_TIMEOUT_S, MAX_DOWNLOAD_BYTES, USER_AGENT


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

    @classmethod
    def from_settings(cls, settings, **overrides) -> "FetchPolicy":
        """The policy of a run's :class:`fazhi.settings.Settings` (its ``http_*`` fields)."""
        base = cls(timeout=settings.http_timeout, deadline=settings.http_deadline, retries=settings.http_retries,
                   backoff=settings.http_backoff, max_bytes=settings.max_download_bytes,
                   host_delay=settings.host_delay)
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


def source_name(source: str) -> str:
    """The file name a source carries: ``000_x.txt`` for a path or ``…/000_x.txt`` URL."""
    if is_url(source):
        parts = urlsplit(source)
        name = posixpath.basename(unquote(parts.path.rstrip("/")))
        return name or parts.hostname or source
    return Path(source).name


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


def fetch_file(source: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Fetched:
    path = Path(source)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        head = source.split("/", 1)[0]
        hint = (f"; for a web page give the whole URL: https://{source}"
                if "." in head and not head.startswith((".", "~")) and " " not in head else "")
        raise FileNotFoundError(f"{source}: no such file or folder{hint}") from None
    if not path.is_file():
        raise FetchError(f"{source}: not a regular file")
    if size > max_bytes:
        raise TooLarge(f"{source}: {size} bytes exceeds the {max_bytes}-byte cap")
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"{source}: more than the {max_bytes}-byte cap")
    return Fetched(source=source, name=path.name, data=data, fetched_at=_now())


def fetch_url(url: str, *, policy: FetchPolicy | None = None, validators: dict | None = None,
              timeout: float | None = None, max_bytes: int | None = None) -> Fetched:
    """GET ``url`` under ``policy`` (see the module docstring)."""
    policy = _policy(policy, timeout, max_bytes)
    headers = {"User-Agent": policy.user_agent, "Accept": _ACCEPT}
    for key, header in (("etag", "If-None-Match"), ("last_modified", "If-Modified-Since")):
        if validators and validators.get(key):
            headers[header] = validators[key]
    with httpx.Client(timeout=httpx.Timeout(policy.timeout), follow_redirects=False, headers=headers,
                      trust_env=False) as client:
        attempt = 0
        while True:
            try:
                return _get_following_redirects(client, url, policy)
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


def _get_following_redirects(client: httpx.Client, url: str, policy: FetchPolicy) -> Fetched:
    seen = [url]
    current = url
    while True:
        if not is_url(current):
            raise RedirectError(f"{url}: refusing to follow a redirect to {current!r} (only http and https)")
        PACER.wait(urlsplit(current).netloc.lower(), policy.host_delay)
        started = time.monotonic()
        try:
            with client.stream("GET", current) as response:
                status = response.status_code
                if status in REDIRECT_STATUS and response.headers.get("location"):
                    target = urljoin(current, response.headers["location"])
                    if target in seen:
                        raise RedirectError(f"{url}: redirect loop ({' -> '.join(seen + [target])})")
                    if len(seen) > policy.max_redirects:
                        raise RedirectError(f"{url}: more than {policy.max_redirects} redirects")
                    seen.append(target)
                    current = target
                    continue
                if status == 304:
                    return Fetched(source=url, name=source_name(url), data=b"", fetched_at=_now(),
                                   content_type=response.headers.get("content-type"), http_status=304,
                                   final_url=str(response.url), etag=response.headers.get("etag"),
                                   last_modified=response.headers.get("last-modified"), not_modified=True)
                if status in RETRY_STATUS:
                    error = httpx.HTTPStatusError(
                        f"Server error '{status} {response.reason_phrase}' for url '{current}'",
                        request=response.request, response=response)
                    raise _Retryable(url, error, status, _retry_after(response), response)
                response.raise_for_status()
                return _read_body(url, response, policy, started)
        except httpx.TimeoutException as exc:
            raise _Retryable(url, exc) from None
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError,
                httpx.LocalProtocolError) as exc:
            raise _Retryable(url, exc) from None
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"{url}: {exc}") from None


def _read_body(url: str, response: httpx.Response, policy: FetchPolicy, started: float) -> Fetched:
    content_type = response.headers.get("content-type")
    if not content_type_allowed(content_type):
        raise ContentTypeRefused(f"{url}: Content-Type {content_type!r} is not a document")
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise TooLarge(f"{url}: Content-Length {declared} exceeds the {policy.max_bytes}-byte cap")
    chunks, total = [], 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > policy.max_bytes:
            raise TooLarge(f"{url}: response exceeds the {policy.max_bytes}-byte cap")
        if time.monotonic() - started > policy.deadline:
            raise FetchTimeout(f"{url}: body not complete after {policy.deadline:g} s ({total} bytes so far)")
        chunks.append(chunk)
    return Fetched(
        source=url,
        name=source_name(url),
        data=b"".join(chunks),
        fetched_at=_now(),
        content_type=content_type,
        http_status=response.status_code,
        final_url=str(response.url),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


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
    return datetime.now(timezone.utc)

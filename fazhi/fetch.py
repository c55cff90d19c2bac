"""Read one source's bytes: a local file, or an http(s) URL through httpx.

Only what a single fetch needs is here; retries, per-host politeness and
conditional requests belong to the ingestion hardening (issue 5).
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from .config import HTTP_TIMEOUT_S, MAX_DOWNLOAD_BYTES, USER_AGENT
from .sources import is_url


class FetchError(RuntimeError):
    """A source could not be read."""


@dataclass(frozen=True)
class Fetched:
    source: str                 # the path or URL as ingested
    name: str                   # basename of the path or URL path
    data: bytes
    fetched_at: datetime        # UTC
    content_type: str | None = None
    http_status: int | None = None
    final_url: str | None = None


def source_name(source: str) -> str:
    """The file name a source carries: ``000_x.txt`` for a path or ``…/000_x.txt`` URL."""
    if is_url(source):
        parts = urlsplit(source)
        name = posixpath.basename(unquote(parts.path.rstrip("/")))
        return name or parts.hostname or source
    return Path(source).name


def fetch(source: str, *, timeout: float = HTTP_TIMEOUT_S, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Fetched:
    if is_url(source):
        return fetch_url(source, timeout=timeout, max_bytes=max_bytes)
    if "://" in source:
        raise FetchError(f"unsupported scheme: {source!r} (only files and http(s) URLs)")
    return fetch_file(source, max_bytes=max_bytes)


def fetch_file(source: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Fetched:
    path = Path(source)
    size = path.stat().st_size  # FileNotFoundError for a missing path
    if size > max_bytes:
        raise FetchError(f"{source}: {size} bytes exceeds the {max_bytes}-byte cap")
    return Fetched(source=source, name=path.name, data=path.read_bytes(), fetched_at=_now())


def fetch_url(url: str, *, timeout: float = HTTP_TIMEOUT_S, max_bytes: int = MAX_DOWNLOAD_BYTES) -> Fetched:
    headers = {"User-Agent": USER_AGENT}
    with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5, headers=headers) as client:
        with client.stream("GET", url) as response:
            response.raise_for_status()
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"{url}: response exceeds the {max_bytes}-byte cap")
                chunks.append(chunk)
            return Fetched(
                source=url,
                name=source_name(url),
                data=b"".join(chunks),
                fetched_at=_now(),
                content_type=response.headers.get("content-type"),
                http_status=response.status_code,
                final_url=str(response.url),
            )


def _now() -> datetime:
    return datetime.now(timezone.utc)

"""Expand the SOURCES given to ``fazhi run`` into a list of single sources.

A source is a file path or an http(s) URL. Arguments may also be:

- folders: every regular, non-hidden file below, sorted;
- a plain *sources file*, told by its name (``sources.txt``, ``*.sources``,
  ``*.sources.txt``, ``*-sources.txt``, ``*_sources.txt``) or by the user's
  flag (``fazhi run --sources-file FILE``), never by its content: one URL or
  path a line (``#`` starts a comment; relative paths are taken relative to
  the sources file). A line naming a file that does not exist is a failure
  of that line (``MissingListedSource``); the other lines run;
- a TOML *sources file* (``*.toml``)::

      sources = ["https://www.example.gov.cn/2023.html", "local/report.docx"]

      [[listing]]                     # a page whose links to reports are followed
      url = "https://www.example.gov.cn/fzzf/index.html"
      pattern = '/fzzf/\\d+/t\\d+\\.html$'   # regex searched in each link's absolute URL
      text = '法治政府建设.*报告'            # optional regex searched in the link text
      limit = 200                     # optional: at most this many links (default 200)
      same_host = true                # optional: only links to the listing's host (default true)

Listing pages are fetched like any URL (``fetch.py``) and only their
http(s) links are taken. A listing that cannot be read, a listing whose
pattern matches no link, and a TOML file that does not parse are failures
(``SourceList.failures``), not silent gaps. Anything else is passed on as is
and fails at ingest, where it becomes a ``failures`` row.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from fazhi.ingest.fetch import fetch_url, is_url

_SOURCES_FILE_MAX_BYTES = 256 * 1024
DEFAULT_LISTING_LIMIT = 200


class SourcesFileError(ValueError):
    """A TOML sources file that does not parse or has unknown keys."""


class NoLinks(ValueError):
    """A listing page whose pattern matched no link."""


class SourceList(list):
    """The expanded sources, in order; ``failures`` holds ``(source, exception)`` pairs
    for sources files and listing pages that could not be expanded."""

    def __init__(self, items=(), failures=None):
        super().__init__(items)
        self.failures: list[tuple[str, BaseException]] = list(failures or [])


@dataclass(frozen=True)
class Listing:
    url: str
    pattern: str | None = None
    text: str | None = None
    limit: int = DEFAULT_LISTING_LIMIT
    same_host: bool = True


@dataclass
class SourcesToml:
    sources: list[str] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)


SOURCES_FILE_NAMES = ("sources.txt", "*.sources", "*.sources.txt", "*-sources.txt", "*_sources.txt", "*.toml")


def is_sources_file(path: Path) -> bool:
    """A sources file by its name (``sources.txt``, ``*.sources``, ``*.sources.txt``, ``*-sources.txt``,
    ``*_sources.txt``, ``*.toml``); any other file is a report unless the user says so
    (``fazhi run --sources-file FILE``). Never guessed from the content."""
    return any(path.match(pattern) for pattern in SOURCES_FILE_NAMES)


class MissingListedSource(FileNotFoundError):
    """A line of a sources file names a file that does not exist."""


def read_sources_lines(path: Path) -> tuple[list[str], list[tuple[str, BaseException]]]:
    """The entries of a plain sources file (one path or URL a line, ``#`` comments; relative paths
    from the file's folder) and a failure for each line that names a missing file."""
    if path.stat().st_size > _SOURCES_FILE_MAX_BYTES:
        raise SourcesFileError(f"{path}: larger than {_SOURCES_FILE_MAX_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourcesFileError(f"{path}: not UTF-8 text ({exc.reason})") from None
    entries: list[str] = []
    failures: list[tuple[str, BaseException]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line) or "://" in line:
            entries.append(line)
            continue
        candidate = Path(line).expanduser()
        if not candidate.is_absolute():
            candidate = path.parent / candidate
        try:
            exists = candidate.exists()
        except (OSError, ValueError):
            exists = False
        if exists:
            entries.append(str(candidate))
        else:
            failures.append((str(candidate), MissingListedSource(
                f"{candidate}: no such file (listed in {path.name}, line {number})")))
    return entries, failures


_TOP_KEYS = {"sources", "listing"}
_LISTING_KEYS = {"url", "pattern", "text", "limit", "same_host"}


def read_sources_toml(path: Path) -> SourcesToml:
    """Parse a TOML sources file (see the module docstring); relative paths are taken from its folder."""
    if path.stat().st_size > _SOURCES_FILE_MAX_BYTES:
        raise SourcesFileError(f"{path}: larger than {_SOURCES_FILE_MAX_BYTES} bytes")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesFileError(f"{path}: {exc}") from None
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise SourcesFileError(f"{path}: unknown keys {sorted(unknown)} (expected 'sources' and [[listing]])")
    out = SourcesToml()
    entries = doc.get("sources", [])
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise SourcesFileError(f"{path}: 'sources' must be a list of strings")
    for entry in entries:
        if is_url(entry) or "://" in entry:
            out.sources.append(entry)
        else:
            candidate = Path(entry).expanduser()
            out.sources.append(str(candidate if candidate.is_absolute() else path.parent / candidate))
    listings = doc.get("listing", [])
    if not isinstance(listings, list):
        raise SourcesFileError(f"{path}: 'listing' must be an array of tables ([[listing]])")
    for item in listings:
        if not isinstance(item, dict) or "url" not in item:
            raise SourcesFileError(f"{path}: every [[listing]] needs a url")
        bad = set(item) - _LISTING_KEYS
        if bad:
            raise SourcesFileError(f"{path}: unknown [[listing]] keys {sorted(bad)}")
        if not is_url(item["url"]):
            raise SourcesFileError(f"{path}: listing url {item['url']!r} is not http(s)")
        for key in ("pattern", "text"):
            if item.get(key) is not None:
                try:
                    re.compile(item[key])
                except re.error as exc:
                    raise SourcesFileError(f"{path}: listing {key} {item[key]!r}: {exc}") from None
        out.listings.append(Listing(url=item["url"], pattern=item.get("pattern"), text=item.get("text"),
                                    limit=int(item.get("limit", DEFAULT_LISTING_LIMIT)),
                                    same_host=bool(item.get("same_host", True))))
    return out


def listing_links(listing: Listing, html: str, base_url: str) -> list[str]:
    """The http(s) links of a listing page that match its patterns, absolute, in page order."""
    from selectolax.lexbor import LexborHTMLParser

    host = urlsplit(base_url).netloc.lower()
    url_re = re.compile(listing.pattern) if listing.pattern else None
    text_re = re.compile(listing.text) if listing.text else None
    tree = LexborHTMLParser(html)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = urljoin(base_url, base.attributes.get("href") or "")
    out: list[str] = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href:
            continue
        link = urldefrag(urljoin(base_url, href))[0]
        if not is_url(link):
            continue  # javascript:, mailto:, file:, ftp: … are never followed
        if listing.same_host and urlsplit(link).netloc.lower() != host:
            continue
        if url_re and not url_re.search(link):
            continue
        if text_re and not text_re.search(a.text(deep=True, separator="") or ""):
            continue
        if link not in out:
            out.append(link)
        if len(out) >= listing.limit:
            break
    return out


def resolve_listing(listing: Listing) -> list[str]:
    """Fetch a listing page and return its matching links (``NoLinks`` when none match)."""
    from fazhi.ingest.decode import declared_charset, decode_bytes

    got = fetch_url(listing.url)
    html = decode_bytes(got.data, hint=declared_charset(got.data, got.content_type)).text
    links = listing_links(listing, html, got.final_url or listing.url)
    if not links:
        raise NoLinks(f"{listing.url}: no link matched pattern={listing.pattern!r} text={listing.text!r}")
    return links


def _files_below(folder: Path) -> list[str]:
    return [
        str(p.resolve())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]


def expand_sources(args: list[str], sources_files: list[str] | tuple = (), _depth: int = 0) -> SourceList:
    """Single sources for the arguments, in order, without repeats (a ``list`` with ``.failures``).

    An argument is a URL, a folder (every non-hidden file below), a sources file
    (by its name, :func:`is_sources_file`, or listed in ``sources_files``, the
    paths the user flagged as sources files) or a report.
    """
    out: list[str] = []
    failures: list[tuple[str, BaseException]] = []
    flagged = {str(Path(f).expanduser().resolve()) for f in sources_files}
    for arg in [*args, *[f for f in sources_files if f not in args]]:
        if is_url(arg):
            out.append(arg)
            continue
        path = Path(arg).expanduser()
        listed = path.is_file() and _depth == 0 and (is_sources_file(path) or str(path.resolve()) in flagged)
        if path.is_dir():
            out.extend(_files_below(path))
        elif listed and path.suffix.lower() == ".toml":
            try:
                spec = read_sources_toml(path)
            except (SourcesFileError, OSError) as exc:
                failures.append((str(path.resolve()), exc))
                continue
            sub = expand_sources(spec.sources, _depth=_depth + 1)
            out.extend(sub)
            failures.extend(sub.failures)
            for listing in spec.listings:
                try:
                    out.extend(resolve_listing(listing))
                except Exception as exc:  # a listing that fails is a failure row, the rest goes on
                    failures.append((listing.url, exc))
        elif listed:
            try:
                entries, missing = read_sources_lines(path)
            except (SourcesFileError, OSError) as exc:
                failures.append((str(path.resolve()), exc))
                continue
            failures.extend(missing)
            sub = expand_sources(entries, _depth=_depth + 1)
            out.extend(sub)
            failures.extend(sub.failures)
        elif path.is_file():
            out.append(str(path.resolve()))
        else:
            out.append(arg)  # missing or unsupported: ingest records the failure
    return SourceList(dict.fromkeys(out), failures)

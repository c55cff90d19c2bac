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
      org = "某某镇"                   # optional identity overrides for every report it links to

  A source may be a table too, with the identity the user knows, which wins
  over what the extractors read (``fazhi.pipeline.identity``)::

      sources = [{url = "https://www.example.gov.cn/2023.html", org = "梅溪区卫生健康局",
                  report_year = 2023, published = "2024-03-29"}]

Local files (``allowed_local``): a sources file may name only files under
its own folder or under a folder given as an argument; a symlink below a
folder that points out of it, a device, FIFO or socket, and anything under
``/proc``, ``/sys`` or ``/dev`` are refused, each a failure
(``LocalFileRefused``) and never read. URL credentials are moved out of the
URL at once (``fetch.hide_credentials``), so no later stage sees them.

Listing pages are fetched like any URL (``fetch.py``) and only their
http(s) links are taken. A listing that cannot be read, a listing whose
pattern matches no link, and a TOML file that does not parse are failures
(``SourceList.failures``), not silent gaps. Anything else is passed on as is
and fails at ingest, where it becomes a ``failures`` row.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from fazhi.ingest.fetch import (
    FetchPolicy,
    fetch_url,
    hide_credentials,
    is_url,
    local_refusal,
    stay_on_host,
)

_SOURCES_FILE_MAX_BYTES = 256 * 1024
DEFAULT_LISTING_LIMIT = 200


class SourcesFileError(ValueError):
    """A TOML sources file that does not parse or has unknown keys."""


class NoLinks(ValueError):
    """A listing page whose pattern matched no link."""


class FileSource(str):
    """A local file to ingest: the string is its absolute path (what is read); ``stored`` is the
    source the lake keeps, the path relative to the sources root (the folder given, or the file's
    own folder for a file given by itself), so that ``source`` and ``doc_id`` do not depend on
    where the reports folder sits on this machine."""

    stored: str

    def __new__(cls, path: str, stored: str):
        obj = super().__new__(cls, path)
        obj.stored = stored
        return obj

    def __reduce__(self):
        return (FileSource, (str(self), self.stored))


def stored_source(source: str) -> str:
    """The source as the lake keeps it: ``FileSource.stored`` for a local file, else the source itself."""
    return getattr(source, "stored", None) or str(source)


class LocalFileRefused(PermissionError):
    """A local path that a sources file or folder may not pull in (see ``allowed_local``)."""


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def allowed_local(path: Path, roots: list[Path]) -> LocalFileRefused | None:
    """Why ``path`` (named by a sources file or found below a folder) is refused, or None.

    ``roots``: the resolved folders it may come from (the sources file's own
    folder, the folders given as arguments). The path is resolved first, so a
    symlink counts where it points."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        return LocalFileRefused(f"{path}: cannot resolve ({exc})")
    why = None if real.is_dir() and not local_refusal(real / "x") else local_refusal(path)
    if why:
        return LocalFileRefused(f"{path}: {why}")
    if roots and not _within(real, roots):
        where = " or ".join(str(r) for r in roots)
        link = f" (a link to {real})" if real != path.absolute() else ""
        return LocalFileRefused(f"{path}{link}: outside {where}; pass its folder as an argument to read it")
    return None


class SourceList(list):
    """The expanded sources, in order; ``failures`` holds ``(source, exception)`` pairs
    for sources files and listing pages that could not be expanded."""

    def __init__(self, items=(), failures=None, identity=None):
        super().__init__(items)
        self.failures: list[tuple[str, BaseException]] = list(failures or [])
        # source -> identity overrides from a TOML sources file (org, report_year, published, title)
        self.identity: dict[str, dict] = dict(identity or {})


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
    # identity overrides (org, report_year, published, title) per entry of ``sources``
    # and per listing url
    identity: dict[str, dict] = field(default_factory=dict)


IDENTITY_KEYS = ("org", "report_year", "published", "title")


def _identity_of(item: dict, where: str) -> dict:
    """The identity overrides of a source table or a listing, checked."""
    out = {}
    for key in IDENTITY_KEYS:
        v = item.get(key)
        if v is None:
            continue
        if key == "report_year":
            if isinstance(v, bool) or not isinstance(v, int) or not 1949 <= v <= 2100:
                raise SourcesFileError(f"{where}: report_year must be a year (an integer), not {v!r}")
        elif key == "published":
            v = v.isoformat() if hasattr(v, "isoformat") else v
            if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                raise SourcesFileError(f"{where}: published must be a date (YYYY-MM-DD), not {v!r}")
        elif not isinstance(v, str) or not v.strip():
            raise SourcesFileError(f"{where}: {key} must be a non-empty string")
        out[key] = v.strip() if isinstance(v, str) else v
    return out


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
_LISTING_KEYS = {"url", "pattern", "text", "limit", "same_host", *IDENTITY_KEYS}
_SOURCE_KEYS = {"url", "path", *IDENTITY_KEYS}


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
    if not isinstance(entries, list) or not all(isinstance(e, (str, dict)) for e in entries):
        raise SourcesFileError(f"{path}: 'sources' must be a list of strings or tables ({{url = …, org = …}})")
    for entry in entries:
        identity = {}
        if isinstance(entry, dict):
            bad = set(entry) - _SOURCE_KEYS
            given = [k for k in ("url", "path") if isinstance(entry.get(k), str)]
            if bad or len(given) != 1:
                raise SourcesFileError(f"{path}: a source table needs one url or path and may give "
                                       f"{', '.join(IDENTITY_KEYS)} (got {sorted(entry)})")
            identity = _identity_of(entry, f"{path}: source {entry[given[0]]!r}")
            entry = entry[given[0]]
        if is_url(entry) or "://" in entry:
            resolved = entry
        else:
            candidate = Path(entry).expanduser()
            resolved = str(candidate if candidate.is_absolute() else path.parent / candidate)
        out.sources.append(resolved)
        if identity:
            out.identity[resolved] = identity
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
        identity = _identity_of(item, f"{path}: listing {item['url']!r}")
        if identity:
            out.identity[item["url"]] = identity
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


def resolve_listing(listing: Listing, policy: FetchPolicy | None = None) -> list[str]:
    """Fetch a listing page and return its matching links (``NoLinks`` when none match).

    With ``same_host`` the listing page's own redirects, and later those of
    each of its links, must stay on the listing's host."""
    from fazhi.ingest.decode import declared_charset, decode_bytes

    policy = policy or FetchPolicy.from_env()
    got = fetch_url(listing.url, policy=replace(policy, same_host=listing.same_host))
    html = decode_bytes(got.data, hint=declared_charset(got.data, got.content_type)).text
    links = listing_links(listing, html, got.final_url or listing.url)
    if not links:
        raise NoLinks(f"{listing.url}: no link matched pattern={listing.pattern!r} text={listing.text!r}")
    if listing.same_host:
        for link in links:
            stay_on_host(link)
    return links


def _checked_files_below(folder: Path, roots: list[Path]) -> tuple[list[FileSource],
                                                                  list[tuple[str, BaseException]]]:
    """The files below ``folder`` that may be read, and a failure for each one refused."""
    base = folder.resolve()
    files: list[FileSource] = []
    refused: list[tuple[str, BaseException]] = []
    for p in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        if not (p.is_file() or p.is_symlink() or p.is_block_device() or p.is_char_device() or p.is_fifo()
                or p.is_socket()):
            continue  # a folder: its files come on their own
        if p.is_symlink() and p.is_dir() and _within(p.resolve(), [base] + roots):
            continue  # a link to a folder inside: its files are listed under their own path
        why = allowed_local(p, [base] + roots)
        if why is None and p.is_file():
            files.append(FileSource(str(p.resolve()), p.relative_to(folder).as_posix()))
        elif why is not None:
            refused.append((str(p.absolute()), why))
    return files, refused


def _argument_roots(args: list[str]) -> list[Path]:
    """The folders given as arguments: files they hold may also be named by a sources file."""
    roots = []
    for arg in args:
        if not is_url(arg):
            try:
                path = Path(arg).expanduser()
                if path.is_dir():
                    roots.append(path.resolve())
            except (OSError, ValueError):
                continue
    return roots


def expand_sources(args: list[str], sources_files: list[str] | tuple = (), _depth: int = 0,
                   _roots: list[Path] | None = None, policy: FetchPolicy | None = None) -> SourceList:
    """Single sources for the arguments, in order, without repeats (a ``list`` with ``.failures``).

    An argument is a URL, a folder (every non-hidden file below), a sources file
    (by its name, :func:`is_sources_file`, or listed in ``sources_files``, the
    paths the user flagged as sources files) or a report.

    ``_roots``: for the entries of a sources file, the folders they may come
    from (``allowed_local``); arguments on the command line are the user's own
    choice and are read wherever they are (but never a device or ``/proc``).
    ``policy``: how listing pages are fetched (a run's ``FetchPolicy.from_settings``;
    default the environment's).
    """
    out: list[str] = []
    failures: list[tuple[str, BaseException]] = []
    identity: dict[str, dict] = {}
    flagged = {str(Path(f).expanduser().resolve()) for f in sources_files}
    every = [*args, *[f for f in sources_files if f not in args]]
    arg_roots = _argument_roots(every) if _depth == 0 else list(_roots or [])
    for arg in every:
        if is_url(arg):
            out.append(hide_credentials(arg))
            continue
        path = Path(arg).expanduser()
        if _depth > 0 or _roots is not None:
            refused = allowed_local(path, arg_roots) if path.exists() or path.is_symlink() else None
            if refused is not None:
                failures.append((str(path.absolute()), refused))
                continue
        if path.exists() and not path.is_dir():
            why = local_refusal(path)
            if why:  # a device, a FIFO, /proc …: never read, not even to see if it is a sources file
                failures.append((str(path.absolute()), LocalFileRefused(f"{path}: {why}")))
                continue
        listed = path.is_file() and _depth == 0 and (is_sources_file(path) or str(path.resolve()) in flagged)
        own_folder = [path.resolve().parent] + arg_roots if listed else arg_roots
        if path.is_dir():
            files, refused_below = _checked_files_below(path, arg_roots)
            out.extend(files)
            failures.extend(refused_below)
        elif listed and path.suffix.lower() == ".toml":
            try:
                spec = read_sources_toml(path)
            except (SourcesFileError, OSError) as exc:
                failures.append((str(path.resolve()), exc))
                continue
            for entry in spec.sources:
                sub = expand_sources([entry], _depth=_depth + 1, _roots=own_folder, policy=policy)
                out.extend(sub)
                failures.extend(sub.failures)
                if entry in spec.identity:
                    identity.update(dict.fromkeys(sub, spec.identity[entry]))
            for listing in spec.listings:
                try:
                    links = resolve_listing(listing, policy)
                except Exception as exc:  # a listing that fails is a failure row, the rest goes on
                    failures.append((listing.url, exc))
                    continue
                out.extend(links)
                if listing.url in spec.identity:
                    for link in links:
                        identity.setdefault(link, spec.identity[listing.url])
        elif listed:
            try:
                entries, missing = read_sources_lines(path)
            except (SourcesFileError, OSError) as exc:
                failures.append((str(path.resolve()), exc))
                continue
            failures.extend(missing)
            sub = expand_sources(entries, _depth=_depth + 1, _roots=own_folder, policy=policy)
            out.extend(sub)
            failures.extend(sub.failures)
        elif path.is_file():
            out.append(FileSource(str(path.resolve()), path.name))
        else:
            out.append(arg)  # missing or unsupported: ingest records the failure
    return SourceList(dict.fromkeys(out), failures, identity)

"""The network side of fetching that httpx leaves to the caller.

- :class:`GuardedBackend`, the socket layer under httpx (an ``httpcore``
  network backend): every connection, so every redirect hop, resolves the
  host itself and refuses loopback, private, link-local, reserved, multicast
  and other non-global addresses (``127.0.0.1`` in any spelling:
  ``localhost``, ``2130706433``, ``0x7f000001``, ``0.0.0.0``, ``[::1]``,
  ``::ffff:127.0.0.1`` …) unless an allowed network holds them; it then
  connects to the checked address, so a second DNS answer cannot swap it.
  Every read is timed against the response's deadline, the status line and
  headers included (a server that drips its headers is cut off too), and the
  bytes on the wire are counted, so a body longer than its ``Content-Length``
  is seen.
- :func:`decoded_chunks`: ``Content-Encoding`` layers (``gzip``, ``deflate``,
  ``identity``, in any number) undone by streaming with a cap on the output
  of every layer, so ``gzip, gzip`` of a few KB cannot inflate to gigabytes
  before the size cap is checked.
"""
from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterable, Iterator

import httpcore


class AddressRefused(OSError):
    """The host resolves only to addresses that fetching must not reach (loopback, private …)."""


class DeadlinePassed(OSError):
    """The response (headers or body) took longer than the deadline."""


class UnsupportedEncoding(ValueError):
    """A ``Content-Encoding`` this client does not decode."""


def parse_networks(specs: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """CIDRs (``10.0.0.0/8``, ``127.0.0.1``, ``::1/128``) as networks; a bad one is a ``ValueError``."""
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in specs if s and s.strip())


def _plain(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def address_refused(address: str, allowed=()) -> str | None:
    """Why ``address`` (an IP) must not be fetched, or None when it may be."""
    ip = _plain(ipaddress.ip_address(address.split("%", 1)[0]))
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    for what, flag in (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified),
                       ("link-local", ip.is_link_local), ("private", ip.is_private),
                       ("multicast", ip.is_multicast), ("reserved", ip.is_reserved)):
        if flag:
            return what
    if not ip.is_global:
        return "not globally routable"
    return None


def resolve_checked(host: str, port: int, allowed=()) -> str:
    """The first address of ``host`` that may be fetched; ``AddressRefused`` when none may."""
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host!r}: {exc}") from None
    reasons = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = str(sockaddr[0])  # AF_INET, AF_INET6: the address as text
        why = address_refused(address, allowed)
        if why is None:
            return address
        reasons.append(f"{address} ({why})")
    raise AddressRefused(f"{host} resolves only to addresses that are not fetched: {', '.join(reasons) or 'none'}"
                         " (allow a network with --allow-network CIDR / FAZHI_ALLOW_NETWORKS)")


class _Wire:
    """What one request/response exchange put on the wire (reset by each write)."""

    def __init__(self) -> None:
        self.received = 0
        self.head = bytearray()   # the first bytes of the response, to find where its headers end

    def reset(self) -> None:
        self.received = 0
        self.head.clear()

    def add(self, data: bytes) -> None:
        self.received += len(data)
        if len(self.head) < 65536:
            self.head += data[:65536 - len(self.head)]

    def header_length(self) -> int | None:
        end = self.head.find(b"\r\n\r\n")
        return None if end < 0 else end + 4


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: GuardedBackend) -> None:
        self._inner = inner
        self._backend = backend
        self.wire = _Wire()

    def _timeout(self, timeout: float | None) -> float | None:
        deadline = self._backend.deadline
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed(f"no complete response within the {self._backend.deadline_s:g} s deadline")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        t = self._timeout(timeout)
        try:
            data = self._inner.read(max_bytes, t)
        except httpcore.ReadTimeout:
            if self._backend.deadline is not None and time.monotonic() >= self._backend.deadline - 0.001:
                raise DeadlinePassed(
                    f"no complete response within the {self._backend.deadline_s:g} s deadline") from None
            raise
        self.wire.add(data)
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.wire.reset()
        self._inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _GuardedStream(self._inner.start_tls(ssl_context, server_hostname, self._timeout(timeout)),
                              self._backend)

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)

    def pending_bytes(self) -> int:
        """Bytes already waiting on the socket (0 when none, or when that cannot be told)."""
        sock = self._inner.get_extra_info("socket")
        if sock is None:
            return 0
        # a socket with a timeout waits for data before its recv, whatever the flags say: peek with
        # the socket non-blocking for that one call (else a kept-alive connection waits its timeout)
        try:
            before = sock.gettimeout()
            sock.settimeout(0)
            try:
                return len(sock.recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT))
            finally:
                sock.settimeout(before)
        except (BlockingIOError, InterruptedError, OSError, ValueError):
            return 0


class GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend with the address check and the deadline (see the module docstring)."""

    def __init__(self, allowed=()) -> None:
        self._inner = httpcore.SyncBackend()
        self.allowed = tuple(allowed)
        self.deadline: float | None = None   # time.monotonic() value; set per request by the caller
        self.deadline_s: float = 0.0

    def start(self, seconds: float) -> None:
        """Arm the deadline: the response must be complete ``seconds`` from now."""
        self.deadline_s = seconds
        self.deadline = time.monotonic() + seconds

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = resolve_checked(host, port, self.allowed)
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise DeadlinePassed(f"no complete response within the {self.deadline_s:g} s deadline")
            timeout = left if timeout is None else min(timeout, left)
        stream = self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
        return _GuardedStream(stream, self)

    def connect_unix_socket(self, path, timeout=None, socket_options=None):  # pragma: no cover
        raise AddressRefused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - used by httpcore retries only
        self._inner.sleep(seconds)


def install(client, backend: GuardedBackend) -> None:
    """Put ``backend`` under an ``httpx.Client``'s connection pool (no proxy: ``trust_env=False``)."""
    pool = client._transport._pool
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - an httpcore that moved it
        raise RuntimeError("httpcore's connection pool has no _network_backend: the fetch guard cannot be installed")
    pool._network_backend = backend


# -- Content-Encoding ------------------------------------------------------------

CHUNK = 64 * 1024


def _decoder(name: str):
    if name in ("gzip", "x-gzip"):
        return lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return None  # zlib-wrapped or raw: told by the first bytes (see _inflate)
    raise UnsupportedEncoding(f"Content-Encoding {name!r} is not decoded (only gzip and deflate)")


def _deflate_object(first: bytes):
    """``deflate`` means a zlib stream, but some servers send raw deflate: told by the header check."""
    zlib_header = len(first) > 1 and (first[0] & 0x0F) == 8 and ((first[0] << 8) | first[1]) % 31 == 0
    return zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)


def _inflate(chunks: Iterator[bytes], name: str, cap: int) -> Iterator[bytes]:
    """One layer undone, streaming; at most ``cap`` bytes come out (then ``OverflowError``)."""
    make = _decoder(name)
    d = None
    out = 0
    done = False
    for chunk in chunks:
        data = chunk
        while data and not done:
            if d is None:
                d = make() if make else _deflate_object(data)
            piece = _step(name, d.decompress, data, CHUNK)
            out += len(piece)
            if out > cap:
                raise OverflowError(out)
            if piece:
                yield piece
            data = d.unconsumed_tail
            if d.eof:
                rest, d = d.unused_data, None
                # another gzip member may follow; anything else after the stream is ignored
                if make is not None and rest[:2] == b"\x1f\x8b":
                    data = rest + data
                else:
                    done = True
    if d is not None:
        piece = _step(name, d.flush)
        out += len(piece)
        if out > cap:
            raise OverflowError(out)
        if piece:
            yield piece


def _step(name: str, call, *args) -> bytes:
    """One call of a decompressor; a damaged stream is a ValueError naming the encoding."""
    try:
        return call(*args)
    except zlib.error as exc:
        raise ValueError(f"{name} stream damaged: {exc}") from None


def decoded_chunks(raw: Iterable[bytes], content_encoding: str | None, cap: int) -> Iterator[bytes]:
    """The body undone of every ``Content-Encoding`` layer (the last applied first), streaming.

    Each layer yields at most ``cap`` bytes (``OverflowError`` past it), so no
    layer ever holds more than a chunk beyond the cap, however the layers nest.
    """
    layers = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    layers = [e for e in layers if e != "identity"]
    if len(layers) > 4:
        raise UnsupportedEncoding(f"{len(layers)} Content-Encoding layers (at most 4 are decoded)")
    for name in layers:
        _decoder(name)  # an unknown encoding fails before any byte is read
    stream: Iterator[bytes] = iter(raw)
    for name in reversed(layers):
        stream = _inflate(stream, name, cap)
    return stream

"""A misbehaving web server on 127.0.0.1 for the fault tests.

Each path is a :class:`Route`: a body with headers, or a behaviour (status
sequence, hold until timeout, drip, reset the connection, redirect, ETag).
Every request is counted and its headers kept, so tests can check retries and
conditional requests. All waiting is bounded and ends when the server stops.
"""
from __future__ import annotations

import gzip
import http.server
import socket
import struct
import threading
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Route:
    body: bytes = b""
    content_type: str | None = "text/html"
    statuses: list[int] = field(default_factory=list)  # served in turn; the last one repeats; empty: 200
    headers: dict[str, str] = field(default_factory=dict)
    behaviour: str = "static"   # static | hold | drip | slow-headers | reset | redirect | etag | gzip | chunked
    location: str | None = None  # for redirect
    send_length: bool = True


class FaultServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = defaultdict(int)
        self.request_headers: dict[str, list[dict]] = defaultdict(list)
        self.stopping = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                server.request_headers[path].append(dict(self.headers))
                route = server.routes.get(path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                n = server.hits[path]
                status = route.statuses[min(n, len(route.statuses)) - 1] if route.statuses else 200
                b = route.behaviour
                if b == "slow-headers":
                    # the status line and headers one byte at a time (each wait ends when the server stops)
                    head = (f"HTTP/1.1 200 OK\r\nContent-Type: {route.content_type}\r\n"
                            f"Content-Length: {len(route.body)}\r\nX-Padding: {'x' * 64}\r\n\r\n").encode()
                    for i in range(len(head)):
                        if server.stopping.wait(0.1):
                            return
                        try:
                            self.wfile.write(head[i:i + 1])
                            self.wfile.flush()
                        except OSError:
                            return
                    try:
                        self.wfile.write(route.body)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                if b == "hold":
                    server.stopping.wait(10)
                    return
                if b == "reset" and status != 200:
                    # SO_LINGER 0 + closing every reference to the socket: the peer gets a RST
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()
                    return
                if b == "redirect":
                    self.send_response(status if status != 200 else 302)
                    self.send_header("Location", route.location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if b == "etag":
                    tag = route.headers.get("ETag")
                    if tag and self.headers.get("If-None-Match") == tag:
                        self.send_response(304)
                        self.send_header("ETag", tag)
                        self.end_headers()
                        return
                if b == "drip":
                    self.send_response(200)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    for i in range(len(route.body)):
                        if server.stopping.wait(0.1):
                            return
                        try:
                            self.wfile.write(route.body[i:i + 1])
                            self.wfile.flush()
                        except OSError:
                            return
                    return
                if b == "gzip":
                    payload = gzip.compress(route.body)
                    return self._send(status, payload, route.content_type, {"Content-Encoding": "gzip"})
                if b == "chunked":
                    self.send_response(status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for i in range(0, len(route.body), 65536):
                            chunk = route.body[i:i + 65536]
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except OSError:
                        pass
                    return
                self._send(status, route.body if status == 200 else b"error", route.content_type, route.headers,
                           send_length=route.send_length)

            def _send(self, status, body, content_type, headers=None, send_length=True):
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    if send_length:
                        self.send_header("Content-Length", str(len(body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, client_address: None  # resets are on purpose
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)

    def __enter__(self) -> "FaultServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

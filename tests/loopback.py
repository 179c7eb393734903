"""A real HTTP server on 127.0.0.1 for fetching tests: scripted routes, request log, stopped by the fixture."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[BaseHTTPRequestHandler, int], Reply]
"""A route gets the request and how many times this path was asked before (0 the first time)."""


@dataclass
class Site:
    routes: dict[str, Route]
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    base: str = ""

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p == path)


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    """Serve ``routes`` on an ephemeral loopback port for the duration of the block."""
    site = Site(routes)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                seen = site.hits(self.path)
                site.requests.append(("GET", self.path, dict(self.headers)))
            route = site.routes.get(self.path)
            reply = route(self, seen) if route else Reply(404, b"not found")
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def static(body: bytes | str, content_type: str = "text/html; charset=utf-8", **headers: str) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda _request, _seen: Reply(200, data, {"Content-Type": content_type, **headers})

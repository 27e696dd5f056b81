"""A real HTTP server for feed-fetching tests: static, slow, trickling, huge and hostile answers.

It listens on 127.0.0.1 on a free port, serves each connection in a daemon thread (HTTP/1.1,
keep-alive) and records every request. Shutting it down is fast even while handlers sleep or
trickle: they wait on an event, not with ``time.sleep``, and open connections are shut down.
Nothing is ever printed: connection errors are swallowed, and an unexpected error in a handler is
raised from ``__exit__`` instead (unless the ``with`` block is already raising).

    with FeedServer() as server:
        url = server.route("/feed.xml", (FEEDS / "rss20.xml").read_bytes())
        ...
        assert server.count("/feed.xml", status=200) == 1

``FeedServer("::1")`` listens on IPv6's loopback instead, ``FeedServer(tls=context)`` speaks
HTTPS. A :class:`Gate` holds requests until the test lets them go, counting how many it holds at
once (concurrency tests). :class:`FakeNetwork` (the ``fake_network`` fixture) makes names resolve
as a test says, and routes a public address to this machine: what the address guard of
newsletter/feeds/http.py sees is then a real answer from the resolver it calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpcore
import pytest

RSS = "application/rss+xml; charset=utf-8"
_CHUNK = 64 * 1024
_HUGE_PREFIX = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>A very large feed</title><link>https://blog.example.org/</link>"
    b"<description>"
)


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str
    """The request target as sent, query string included."""
    headers: dict[str, str]
    """Header names in lower case (the last value wins when a header is repeated)."""
    received: float = 0.0
    """When it arrived (time.monotonic)."""


class Gate:
    """Holds each request that reaches it until the test lets one go; records the most it
    held at once. Every wait is for a condition, with a generous timeout."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.held = 0
        self.most = 0
        self._passes = 0
        self._open = False

    def enter(self, stop: threading.Event) -> None:
        """Called by a handler: wait until let go (or the gate opened, or the server stops)."""
        with self._cond:
            self.held += 1
            self.most = max(self.most, self.held)
            self._cond.notify_all()
            while not (self._passes or self._open or stop.is_set()):
                self._cond.wait(0.1)  # 0.1: to notice the server stopping
            if self._passes:
                self._passes -= 1
            self.held -= 1
            self._cond.notify_all()

    def wait_held(self, count: int, timeout: float = 30) -> bool:
        """Wait until ``count`` requests are held at once; False if that never happened."""
        with self._cond:
            return self._cond.wait_for(lambda: self.held >= count, timeout)

    def let_go(self, count: int = 1) -> None:
        with self._cond:
            self._passes += count
            self._cond.notify_all()

    def open(self) -> None:
        """Let every request through, now and later."""
        with self._cond:
            self._open = True
            self._cond.notify_all()


Responder = Callable[["_Handler"], None]


class FeedServer:
    """A local HTTP server whose answers each test configures, path by path."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.requests: list[Request] = []
        self._answers: list[tuple[str, int]] = []
        self._routes: dict[str, Responder] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        self._errors: list[BaseException] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> FeedServer:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("FeedServer is already running")
        self._stop.clear()
        server = (_Server6 if ":" in self.host else _Server)((self.host, 0), _Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FeedServer:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop serving, wake sleeping handlers, cut open connections and close the socket."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stop.set()
        server.shutdown()
        thread.join()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        self._server = None
        if self._errors and exc_type is None:
            raise RuntimeError("a FeedServer handler failed") from self._errors[0]

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT`` (``http://[::1]:PORT``), once the server is started."""
        if self._server is None:
            raise RuntimeError("FeedServer is not running: use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FeedServer is not running: use it as a context manager")
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (which starts with "/") on this server."""
        return self.base + path

    # -- configuring answers -----------------------------------------------------------------

    def route(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = RSS,
        headers: dict[str, str] | None = None,
        etag: bool = True,
        last_modified: str | None = None,
    ) -> str:
        """Answer ``path`` with a fixed response; return its URL.

        A 200 carries an ETag (a hash of the body) unless ``etag`` is false, and Last-Modified
        when ``last_modified`` is given. A matching If-None-Match gets a 304 without a body;
        without If-None-Match, an If-Modified-Since equal to ``last_modified`` gets a 304 too.
        ``headers`` are added to (or replace, by name) the default ones.
        """
        tag = f'"{hashlib.sha256(body).hexdigest()[:20]}"' if etag else None

        def respond(handler: _Handler) -> None:
            validators: dict[str, str] = {}
            if status == 200 and tag:
                validators["ETag"] = tag
            if status == 200 and last_modified:
                validators["Last-Modified"] = last_modified
            if validators and _not_modified(handler, tag, last_modified):
                handler.answer(304, {**validators, **(headers or {})}, None)
                return
            extra = {"Content-Type": content_type, **validators, **(headers or {})}
            handler.answer(status, extra, body)

        return self._add(path, respond)

    def sleep(self, path: str, seconds: float, body: bytes = b"") -> str:
        """Wait ``seconds`` before sending anything (a hanging server), then answer 200 ``body``.

        On shutdown the wait ends at once and the connection is closed without an answer.
        """

        def respond(handler: _Handler) -> None:
            if self._stop.wait(seconds):
                handler.close_connection = True
                return
            handler.answer(200, {"Content-Type": RSS}, body)

        return self._add(path, respond)

    def trickle(
        self,
        path: str,
        *,
        chunk: bytes = b"<",
        interval: float = 0.2,
        total_seconds: float = 60,
    ) -> str:
        """Send 200 and its headers at once, then ``chunk`` every ``interval`` seconds.

        The body is chunked (no Content-Length) and ends after ``total_seconds``, on shutdown or
        when the client goes away, whichever comes first.
        """

        def respond(handler: _Handler) -> None:
            handler.start(200, {"Content-Type": RSS, "Transfer-Encoding": "chunked"})
            end = time.monotonic() + total_seconds
            while True:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                left = end - time.monotonic()
                if left <= 0:
                    break
                if self._stop.wait(min(interval, left)):
                    handler.close_connection = True
                    return
            handler.wfile.write(b"0\r\n\r\n")

        return self._add(path, respond)

    def gzip_bomb(self, path: str, decoded_size: int = 200 * 1024 * 1024) -> str:
        """Answer with ``Content-Encoding: gzip``: ``decoded_size`` zero bytes, compressed.

        The compressed body is made once per size and cached (200 MiB is about 200 KB).
        """
        body = _gzip_zeros(decoded_size)

        def respond(handler: _Handler) -> None:
            handler.answer(200, {"Content-Type": RSS, "Content-Encoding": "gzip"}, body)

        return self._add(path, respond)

    def huge(self, path: str, size: int = 50 * 1024 * 1024, *, content_length: bool = True) -> str:
        """Stream ``size`` bytes: the start of an RSS document, then filler that never ends it.

        With ``content_length`` the length is announced; without, the connection is closed to
        end the body. Streaming stops on shutdown or when the client goes away.
        """

        def respond(handler: _Handler) -> None:
            extra = {"Content-Type": RSS}
            if content_length:
                extra["Content-Length"] = str(size)
            else:
                extra["Connection"] = "close"
                handler.close_connection = True
            handler.start(200, extra)
            head = _HUGE_PREFIX[:size]
            handler.wfile.write(head)
            left = size - len(head)
            filler = b"x" * _CHUNK
            while left > 0:
                if self._stop.is_set():
                    handler.close_connection = True
                    return
                handler.wfile.write(filler[: min(left, _CHUNK)])
                left -= _CHUNK

        return self._add(path, respond)

    def answers(
        self, path: str, *answers: tuple[int, dict[str, str], bytes], content_type: str = RSS
    ) -> str:
        """Answer ``path`` with each (status, headers, body) in turn; the last one then on."""
        left = list(answers)

        def respond(handler: _Handler) -> None:
            with self._lock:
                status, headers, body = left.pop(0) if len(left) > 1 else left[0]
            handler.answer(status, {"Content-Type": content_type, **headers}, body)

        return self._add(path, respond)

    def gated(self, path: str, gate: Gate, body: bytes) -> str:
        """Hold each request for ``path`` at ``gate``, then answer 200 ``body``."""

        def respond(handler: _Handler) -> None:
            gate.enter(self._stop)
            if self._stop.is_set():
                handler.close_connection = True
                return
            handler.answer(200, {"Content-Type": RSS}, body)

        return self._add(path, respond)

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        """Answer ``status`` with ``Location: to`` (relative or absolute, sent as given)."""

        def respond(handler: _Handler) -> None:
            handler.answer(status, {"Location": to}, b"")

        return self._add(path, respond)

    def delay(self, path: str, seconds: float) -> None:
        """Wait ``seconds`` before answering the existing route ``path`` (ends on shutdown)."""
        with self._lock:
            if path not in self._routes:
                raise KeyError(f"no route for {path!r}")
            self._delays[path] = seconds

    # -- what happened -------------------------------------------------------------------------

    def count(self, path: str, status: int | None = None) -> int:
        """How many requests for ``path`` arrived (or, with ``status``, were answered with it).

        A request counts for ``path`` if its target is ``path`` or, for a ``path`` without a
        query, if its target without the query is ``path``.
        """
        with self._lock:
            if status is None:
                return sum(_matches(r.path, path) for r in self.requests)
            return sum(_matches(p, path) and s == status for p, s in self._answers)

    # -- internals -----------------------------------------------------------------------------

    def _add(self, path: str, respond: Responder) -> str:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        with self._lock:
            self._routes[path] = respond
        return self.url(path)

    def _lookup(self, target: str) -> tuple[Responder | None, float]:
        with self._lock:
            for key in (target, target.split("?", 1)[0]):
                if key in self._routes:
                    return self._routes[key], self._delays.get(key, 0.0)
        return None, 0.0


def _matches(target: str, path: str) -> bool:
    return target == path or ("?" not in path and target.split("?", 1)[0] == path)


def _not_modified(handler: _Handler, tag: str | None, last_modified: str | None) -> bool:
    """Whether the request's validators match (If-None-Match wins over If-Modified-Since)."""
    inm = handler.headers.get("If-None-Match")
    if inm is not None:
        if tag is None:
            return False
        offered = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in offered or tag in offered
    ims = handler.headers.get("If-Modified-Since")
    return last_modified is not None and ims is not None and ims.strip() == last_modified


_bombs: dict[int, bytes] = {}
_bombs_lock = threading.Lock()


def _gzip_zeros(size: int) -> bytes:
    """Gzip of ``size`` zero bytes, made fast: one compressed MiB, repeated.

    A full flush ends each deflate block on a byte boundary with a fresh dictionary, so the
    same compressed MiB can be concatenated; a final block holds the rest.
    """
    with _bombs_lock:
        if size not in _bombs:
            mib = bytes(1 << 20)
            whole, rest = divmod(size, len(mib))
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate
            block = packer.compress(mib) + packer.flush(zlib.Z_FULL_FLUSH)
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            last = packer.compress(mib[:rest]) + packer.flush(zlib.Z_FINISH)
            crc = 0
            for _ in range(whole):
                crc = zlib.crc32(mib, crc)
            crc = zlib.crc32(mib[:rest], crc)
            header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, no mtime
            trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
            _bombs[size] = header + block * whole + last + trailer
        return _bombs[size]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # concurrency tests open many connections at once
    owner: FeedServer

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a DNS lookup that can be slow.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        # Never print: keep unexpected errors for __exit__; connection errors are expected.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.owner._errors.append(error)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # trickled chunks leave at once
    timeout = 30  # an idle keep-alive connection does not hold a thread forever

    def setup(self) -> None:
        super().setup()
        with self.server.owner._lock:
            self.server.owner._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.owner._lock:
            self.server.owner._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # BrokenPipeError, ConnectionResetError, timeouts, shutdown
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # never write to stderr

    def send_response(self, code: int, message: str | None = None) -> None:
        owner = self.server.owner
        with owner._lock:
            owner._answers.append((getattr(self, "path", ""), code))
        super().send_response(code, message)

    def _record(self) -> FeedServer:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        with owner._lock:
            owner.requests.append(Request(self.command, self.path, headers, time.monotonic()))
        return owner

    def do_GET(self) -> None:
        owner = self._record()
        respond, delay = owner._lookup(self.path)
        if respond is None:
            self.answer(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n")
            return
        if delay and owner._stop.wait(delay):
            self.close_connection = True
            return
        respond(self)

    def do_HEAD(self) -> None:
        """Recorded, and refused: only GET is served."""
        self._record()
        self.answer(405, {"Allow": "GET"}, None)

    def start(self, status: int, headers: dict[str, str]) -> None:
        """Send the status line and headers (names compared case-insensitively, last wins)."""
        merged: dict[str, tuple[str, str]] = {}
        for name, value in headers.items():
            merged[name.lower()] = (name, value)
        self.send_response(status)
        for name, value in merged.values():
            self.send_header(name, value)
        self.end_headers()

    def answer(self, status: int, headers: dict[str, str], body: bytes | None) -> None:
        """A complete response; ``body`` None means none at all (304, HEAD)."""
        if body is not None:
            headers = {"Content-Length": str(len(body)), **headers}
        self.start(status, headers)
        if body:
            self.wfile.write(body)


PUBLIC = "93.184.216.34"
"""A public address (example.com's, once) for names in tests; :class:`FakeNetwork` routes
connections to it to 127.0.0.1, so nothing ever leaves this machine."""


class FakeNetwork:
    """Name lookups answered as a test says, and a route from :data:`PUBLIC` to 127.0.0.1.

    Patches ``socket.getaddrinfo`` (the event loop's resolver calls it too) and the connect of
    httpcore's own network backends: the layers below the guard, never the guard itself.

        fake_network.resolve("feeds.test", "10.0.0.5")          # every lookup
        fake_network.resolve("rebind.test", PUBLIC, "127.0.0.1")  # first lookup, then the rest
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lookups: list[str] = []
        """Names looked up that the test made up, in order."""
        self.connected: list[str] = []
        """Addresses httpcore was asked to connect to, in order (before the route)."""
        self._names: dict[str, list[list[str]]] = {}
        self._lock = threading.Lock()
        real_lookup = socket.getaddrinfo
        real_async = httpcore.AnyIOBackend.connect_tcp
        real_sync = httpcore.SyncBackend.connect_tcp

        def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else host
            with self._lock:
                answers = self._names.get(name)
                if answers is None:
                    return real_lookup(host, port, *args, **kwargs)
                self.lookups.append(name)
                addresses = answers.pop(0) if len(answers) > 1 else answers[0]
            if not addresses:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [info for a in addresses for info in real_lookup(a, port, *args, **kwargs)]

        async def connect_async(backend: Any, host: str, port: int, *args: Any, **kw: Any) -> Any:
            with self._lock:
                self.connected.append(host)
            return await real_async(backend, self._route(host), port, *args, **kw)

        def connect_sync(backend: Any, host: str, port: int, *args: Any, **kw: Any) -> Any:
            with self._lock:
                self.connected.append(host)
            return real_sync(backend, self._route(host), port, *args, **kw)

        monkeypatch.setattr(socket, "getaddrinfo", lookup)
        monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect_async)
        monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_sync)

    def resolve(self, name: str, *answers: str | list[str]) -> None:
        """Each lookup of ``name`` gets the next answer (one address, or a list); the last
        answer repeats. No answer at all: the name does not exist."""
        with self._lock:
            self._names[name] = [[a] if isinstance(a, str) else list(a) for a in answers] or [[]]

    @staticmethod
    def _route(host: str) -> str:
        if host == PUBLIC:
            return "127.0.0.1"
        if host.startswith(("127.", "::1", "::ffff:127.")) or host in ("0.0.0.0", "::"):
            return host
        raise AssertionError(f"a test tried to connect to {host}, which is not this machine")


@pytest.fixture(name="fake_network")
def fake_network_fixture(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    """A :class:`FakeNetwork` for one test (tests/conftest.py registers it)."""
    return FakeNetwork(monkeypatch)


@pytest.fixture(name="feed_server")
def feed_server_fixture() -> Iterator[FeedServer]:
    """A running FeedServer, shut down after the test (tests/conftest.py registers it)."""
    with FeedServer() as server:
        yield server

"""A built site served over HTTP on 127.0.0.1, as a reader's browser gets it.

A pytest plugin (tests/conftest.py lists it): the fixture ``site_server`` serves the built
example for a module; ``serving(folder)`` serves any folder for a ``with`` block.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a browser opening many pages reuses connections

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a page closed while a file was on its way: expected, not worth a traceback


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 (a free port) while the block runs; its URL, with a
    trailing slash."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def site_server(built_example: Path) -> Iterator[str]:
    """The URL the built example is served at, for the module."""
    with serving(built_example) as url:
        yield url

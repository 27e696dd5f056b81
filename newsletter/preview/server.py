"""The preview server: a live preview for editors — build, serve over HTTP, watch, rebuild,
reload.

Owns the preview's local HTTP server and its file watcher. The preview is built by
:func:`newsletter.pipeline.build.build_project`, with base_url set to the local server, into a
folder of its own under .newsletter/, so it never touches the published site/. The
live-reload script is added to HTML responses as they are served, never written into a
built file. A failed build does not stop the server: HTML requests get a page listing
the problems, everything else still comes from the last good build.

It must not build anything itself (that is :mod:`newsletter.pipeline.build`'s job) nor serve
anything but the preview folder and its own two paths under ``/__newsletter__/``. Like the
command line it is a face, and it prints: one line per build, the build's diagnostics and
the watcher's warnings, all to the console and the callable the command hands it. Requests
are not logged: they would drown the rebuilds.
"""

from __future__ import annotations

import dataclasses
import html
import mimetypes
import os
import queue
import socket
import socketserver
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import watchfiles
from rich.console import Console
from rich.text import Text

from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostic, summary
from newsletter.core.errors import BuildFailed, NewsletterError
from newsletter.pipeline.build import BuildOptions, BuildResult, build_project
from newsletter.project.sources import CONFIG_NAME, Project

PREVIEW_FOLDER = "serve"
"""The preview's build folder, under the project's state folder (.newsletter/serve/)."""

RELOAD_PATH = "/__newsletter__/reload.js"
EVENTS_PATH = "/__newsletter__/events"
RELOAD_TAG = b'<script src="/__newsletter__/reload.js" defer></script>'
"""Added before </body> of every HTML response. An external same-origin script, since the
site's Content-Security-Policy allows no inline script."""

KEEPALIVE_SECONDS = 15.0
"""An idle event stream sends a comment this often, so a closed tab frees its thread."""

SWAP_WAIT_SECONDS = 1.0
"""How long a request waits for the build folder while a rebuild swaps it in."""

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".opml": "text/x-opml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
"""Fixed here rather than left to the system's mime.types, which differs between machines."""

HTML_TYPE = CONTENT_TYPES[".html"]

RELOAD_SCRIPT = """\
// Live reload for `newsletter serve`: added to pages as they are served, never to the site.
// Listens only while the tab is visible, so hidden tabs do not hold on to connections.
(() => {
  const url = "/__newsletter__/events?since=VERSION";
  let source = null;
  const connect = () => {
    if (source || document.visibilityState === "hidden") return;
    source = new EventSource(url);
    source.addEventListener("reload", () => {
      source.close();
      location.reload();
    });
  };
  const disconnect = () => {
    if (source) source.close();
    source = null;
  };
  document.addEventListener("visibilitychange", () =>
    document.visibilityState === "hidden" ? disconnect() : connect(),
  );
  addEventListener("pagehide", disconnect);
  addEventListener("pageshow", connect);
  connect();
})();
"""

OVERLAY_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'"

OVERLAY_STYLE = """\
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#fff5f5;color:#1f1f1f}
main{max-width:60rem;margin:0 auto;padding:2rem 1rem}
h1{color:#b00020;font-size:1.5rem}
ol{padding-left:1.2rem}li{margin:0 0 1rem}
code{font:0.95em ui-monospace,monospace;background:#fff;padding:0 .2em;border-radius:3px}
.error{color:#b00020;font-weight:bold}.warning{color:#8a5a00;font-weight:bold}
.code{color:#666}.hint{margin:.2rem 0 0;color:#333}
@media (prefers-color-scheme:dark){body{background:#2a1618;color:#eee}
code{background:#111}h1,.error{color:#ff8a80}.warning{color:#ffd180}.code,.hint{color:#bbb}}
"""


# --- state shared by the builder and the request threads ---------------------------------


@dataclass(frozen=True)
class Failure:
    """Why the latest build gave no site: its diagnostics, or one message."""

    message: str
    diagnostics: tuple[Diagnostic, ...] = ()


class PreviewState:
    """What the server shows: the build folder, the latest failure, and a version that
    goes up with every build, which the event streams wait on."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = 0
        self.failure: Failure | None = None
        self.closed = False
        self._changed = threading.Condition()

    def publish(self, failure: Failure | None) -> None:
        with self._changed:
            self.version += 1
            self.failure = failure
            self._changed.notify_all()

    def wait(self, version: int, timeout: float) -> int | None:
        """The current version as soon as it is not ``version`` (or when ``timeout`` has
        passed); None once the server is closing."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.version != version, timeout)
            return None if self.closed else self.version

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


# --- answering requests -------------------------------------------------------------------


def url_parts(path: str) -> list[str] | None:
    """The segments of a request's path, or None for a path that must be refused: one
    with '..' (it would leave the build folder), a backslash or a NUL byte."""
    if not path.startswith("/"):
        return None
    parts = [p for p in unquote(path).split("/") if p not in ("", ".")]
    if any(p == ".." or "\\" in p or "\0" in p for p in parts):
        return None
    return parts


def wants_html(path: str) -> bool:
    """A page (a folder, or a name ending in .html), not a stylesheet, feed or image."""
    last = path.rsplit("/", 1)[-1]
    return os.path.splitext(last)[1].lower() in ("", ".html", ".htm")


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def inject_reload(page: bytes) -> bytes:
    """The page with the reload script before its last </body> (or at its end)."""
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + RELOAD_TAG
    return page[:at] + RELOAD_TAG + page[at:]


def reload_script(version: int) -> bytes:
    return RELOAD_SCRIPT.replace("VERSION", str(version)).encode()


def overlay_page(failure: Failure) -> bytes:
    """The page every HTML request gets while the build fails: each problem, escaped."""
    items = []
    for d in failure.diagnostics:
        hint = f'<p class="hint">hint: {html.escape(d.hint)}</p>' if d.hint else ""
        items.append(
            f"<li><p><code>{html.escape(str(d.location))}</code> "
            f'<span class="{d.severity}">{d.severity}</span>: {html.escape(d.message)} '
            f'<span class="code">[{html.escape(d.code)}]</span></p>{hint}</li>'
        )
    listing = f"<ol>\n{chr(10).join(items)}\n</ol>" if items else ""
    body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · newsletter serve</title>
<style>{OVERLAY_STYLE}</style>
</head>
<body>
<main>
<h1>The preview could not be built</h1>
<p>{html.escape(failure.message)}</p>
{listing}
<p>Fix it and save: this page reloads by itself. Other files are still served from the
last good build.</p>
</main>
</body>
</html>
"""
    return inject_reload(body.encode())


class PreviewServer(ThreadingHTTPServer):
    """The preview's HTTP server: one thread per connection, none outliving the server."""

    daemon_threads = True

    def __init__(self, host: str, port: int, state: PreviewState) -> None:
        self.state = state
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can wait on DNS: not needed
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a browser that closes a tab or cancels a load is not an error worth a traceback
        pass


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD on the build folder, the reload script and the event stream."""

    server: PreviewServer
    server_version = "newsletter-serve"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for rebuilds; a request log would drown them

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        state = self.server.state
        split = urlsplit(self.path)
        if self.path.startswith("//"):  # not a host: urlsplit would read one
            split = urlsplit("/" + self.path.lstrip("/"))
        if split.path == RELOAD_PATH:
            self._send(200, CONTENT_TYPES[".js"], reload_script(state.version), head)
            return
        if split.path == EVENTS_PATH:
            self._events(split.query, head)
            return
        parts = url_parts(split.path)
        if parts is None:
            self._send(400, CONTENT_TYPES[".txt"], b"400: this path is refused\n", head)
            return
        failure = state.failure
        if failure is not None and wants_html(split.path):
            self._send(500, HTML_TYPE, overlay_page(failure), head, csp=OVERLAY_CSP)
            return
        self._send_file(parts, split.path.endswith("/"), split.query, head)

    def _send_file(self, parts: list[str], slash: bool, query: str, head: bool) -> None:
        folder = self.server.state.folder
        deadline = time.monotonic() + SWAP_WAIT_SECONDS
        while not folder.is_dir() and time.monotonic() < deadline:
            time.sleep(0.02)  # a rebuild is swapping the new folder in, or the first is running
        target = folder.joinpath(*parts)
        if target.is_dir():
            if not slash:  # so the page's relative links resolve in its folder
                # rebuilt from the parts: never '//host/…', which would leave the site
                location = "".join(f"/{quote(p)}" for p in parts) + "/"
                self._redirect(location + (f"?{query}" if query else ""))
                return
            target = target / "index.html"
        status = 200
        if not target.is_file():
            status, target = 404, folder / "404.html"
        try:
            inside = target.resolve().is_relative_to(folder.resolve())
            data = target.read_bytes() if inside else None
        except OSError:
            data = None
        if data is None:
            self._send(404, CONTENT_TYPES[".txt"], b"404: not found\n", head)
            return
        kind = content_type(target)
        if kind == HTML_TYPE:
            data = inject_reload(data)
        self._send(status, kind, data, head)

    def _send(
        self, status: int, kind: str, body: bytes, head: bool, *, csp: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a preview is never stale
        self.send_header("X-Content-Type-Options", "nosniff")
        if csp:
            self.send_header("Content-Security-Policy", csp)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _events(self, query: str, head: bool) -> None:
        """Server-Sent Events: 'reload' each time a build ends. A page's script says
        which build it came with (since=N), so a build that ended in between is not missed."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        since = parse_qs(query).get("since", [""])[0]
        version = int(since) if since.isdigit() else state.version
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                current = state.wait(version, KEEPALIVE_SECONDS)
                if current is None:
                    return
                if current == version:
                    self.wfile.write(b": keep-alive\n\n")
                    continue
                version = current
                self.wfile.write(f"event: reload\ndata: {version}\n\n".encode())
        except OSError:  # the tab was closed or reloaded
            return


def bind(host: str, port: int, state: PreviewState) -> PreviewServer:
    try:
        return PreviewServer(host, port, state)
    except OSError as err:
        raise NewsletterError(
            f"cannot serve on {host}:{port}: {err.strerror or err}; "
            "try another --port, or --port 0 for any free one"
        ) from err


def server_url(host: str, port: int) -> str:
    """The preview's address. A wildcard host (all interfaces) is reached as loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


# --- watching -------------------------------------------------------------------------------


def source_folders(project: Project) -> list[Path]:
    """The folders the site is built from, those the project has: content/ and templates/
    (static files are in templates/static/). Without templates/, the built-in theme is
    used, which does not change while serving."""
    return [f for f in (project.content, project.templates) if f.is_dir()]


IGNORED_NAMES = watchfiles.DefaultFilter()
"""Editors' swap and backup files, .git, __pycache__ and the like."""


def is_source(project: Project, path: str, ignored: Iterable[Path] = ()) -> bool:
    """Whether a change at ``path`` (absolute) can change the site: newsletter.yaml, or a
    file in a source folder, but never in the state folder or the preview's own output."""
    file = Path(path)
    if any(file == folder or folder in file.parents for folder in (project.state, *ignored)):
        return False
    if file == project.config_path:
        return True
    try:
        relative = file.relative_to(project.root)
    except ValueError:
        return False
    if not relative.parts or relative.parts[0] not in {f.name for f in source_folders(project)}:
        return False
    return IGNORED_NAMES(watchfiles.Change.modified, str(relative))


Changes = set[tuple[watchfiles.Change, str]]


class Watcher:
    """Two watchfiles watchers feeding one queue: the source folders recursively, and the
    project folder alone for newsletter.yaml (a file watched by itself is lost when an
    editor saves by replacing it). site/, .newsletter/ and other folders are never watched."""

    def __init__(self, project: Project, ignored: list[Path], report: Callable[[str], None]):
        self.changes: queue.Queue[Changes] = queue.Queue()
        self._stop = threading.Event()
        self._report = report

        def in_folders(change: watchfiles.Change, path: str) -> bool:
            return is_source(project, path, ignored)

        def config(change: watchfiles.Change, path: str) -> bool:
            return Path(path) == project.config_path

        folders = source_folders(project)
        groups = [([str(project.root)], False, config)]
        if folders:
            groups.append(([str(f) for f in folders], True, in_folders))
        self._threads = [
            threading.Thread(target=self._watch, args=group, name="watch", daemon=True)
            for group in groups
        ]
        self.watching = [project.relative(f) + "/" for f in folders] + [CONFIG_NAME]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def _watch(
        self, paths: list[str], recursive: bool, accept: Callable[[watchfiles.Change, str], bool]
    ) -> None:
        try:
            for changes in watchfiles.watch(
                *paths,
                watch_filter=accept,
                recursive=recursive,
                step=100,  # group the files of one save, or of a git checkout
                rust_timeout=500,
                stop_event=self._stop,
            ):
                self.changes.put(changes)
        except Exception as err:  # e.g. the system's limit on watches: still serve
            self._report(f"stopped watching {', '.join(paths)}: {err}")

    def next(self, timeout: float) -> Changes | None:
        """The changes that came in, grouped, or None after ``timeout``."""
        try:
            changes = set(self.changes.get(timeout=timeout))
        except queue.Empty:
            return None
        time.sleep(0.05)  # the other watcher's share of the same save
        while not self.changes.empty():
            changes |= self.changes.get_nowait()
        return changes

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)


def describe_changes(project: Project, changes: Changes) -> str:
    """'content/posts/2026/x.md', or 'content/a.md (deleted) and 2 more': what a rebuild is
    for. Files that came and went within the batch (an editor's temporary files) are left
    out; an empty string means nothing is left."""
    by_path: dict[str, set[watchfiles.Change]] = {}
    for change, path in changes:
        by_path.setdefault(path, set()).add(change)
    named = []
    for path, kinds in sorted(by_path.items()):
        if Path(path).exists():
            named.append(project.relative(Path(path)))
        elif watchfiles.Change.added not in kinds:
            named.append(f"{project.relative(Path(path))} (deleted)")
    if len(named) <= 1:
        return "".join(named)
    return f"{named[0]} and {len(named) - 1} more"


# --- the preview ------------------------------------------------------------------------


def preview_options(options: BuildOptions, base_url: str, output: Path) -> BuildOptions:
    """The command's build options, for the preview's address and folder. Every other
    option (drafts, today, and whatever BuildOptions grows) passes through as given."""
    return dataclasses.replace(options, base_url=base_url, output=output)


@dataclass
class Preview:
    """Builds the preview and says how it went, one line per build."""

    project: Project
    options: BuildOptions
    state: PreviewState
    out: Console
    show_diagnostics: Callable[[list[Diagnostic]], None]
    _warnings: list[Diagnostic] = dataclasses.field(default_factory=list)

    def build(self, changed: str = "") -> None:
        """Build once; ``changed`` says what changed (empty for the first build)."""
        start = time.perf_counter()
        result: BuildResult | None = None
        failure: Failure | None = None
        try:
            with self._status():
                result = build_project(self.project, self.options)
        except BuildFailed as err:
            failure = Failure(summary(err.diagnostics), tuple(err.diagnostics))
        except NewsletterError as err:
            failure = Failure(str(err))
        except Exception as err:  # a bug in a stage must not end the preview
            failure = Failure(f"the build crashed: {type(err).__name__}: {err}")
        seconds = time.perf_counter() - start
        same = (
            result is not None
            and self.state.version > 0
            and self.state.failure is None
            and not (result.report.written or result.report.removed)
        )
        if not same:  # a save that changed no page reloads no tab
            self.state.publish(failure)
        line = Text(f"{clock.now().astimezone():%H:%M:%S} ", style="dim")
        if changed:
            line.append(f"{changed}  ")
        if result is not None:
            done = "rebuilt" if changed else f"built into {self.project.relative(result.output)}/"
            line.append("✓ ", style="green")
            line.append(f"{done} in {seconds:.2f} s ")
            files = f"{result.files} file{'' if result.files == 1 else 's'}"
            line.append(f"({files}, {result.report.written} written)", style="dim")
        else:
            assert failure is not None
            line.append("✗ ", style="red")
            line.append(f"build failed in {seconds:.2f} s: {failure.message}")
            line.append(" (open pages show it)", style="dim")
        self.out.print(line, highlight=False)
        if failure is not None:
            self.show_diagnostics(list(failure.diagnostics))
            self._warnings = []
        elif result is not None and result.diagnostics != self._warnings:
            self._warnings = result.diagnostics  # said once, not after every save
            self.show_diagnostics(result.diagnostics)

    def _status(self) -> AbstractContextManager[object]:
        """A spinner while building, on a terminal only."""
        return self.out.status("building…") if self.out.is_terminal else nullcontext()


def serve_preview(
    project: Project,
    options: BuildOptions,
    *,
    host: str,
    port: int,
    open_browser: bool,
    out: Console,
    show_diagnostics: Callable[[list[Diagnostic]], None],
) -> None:
    """Build, serve and rebuild on every change until Ctrl-C (which returns normally)."""
    folder = project.state / PREVIEW_FOLDER
    state = PreviewState(folder)
    server = bind(host, port, state)
    url = server_url(host, server.server_address[1])
    preview = Preview(project, preview_options(options, url, folder), state, out, show_diagnostics)
    watcher = Watcher(project, [folder], lambda message: out.print(message, style="yellow"))
    serving: threading.Thread | None = None
    try:
        watcher.start()  # before the first build, so a save during it is not missed
        preview.build()
        serving = threading.Thread(target=server.serve_forever, name="serve", daemon=True)
        serving.start()
        out.print(f"Watching {', '.join(watcher.watching)}", highlight=False)
        out.print(f"Serving  {url}  (Ctrl-C to stop)", highlight=False)
        if open_browser and not webbrowser.open(url):
            out.print("could not open a browser: open the address above", style="yellow")
        while True:
            changes = watcher.next(timeout=0.5)
            if changes and (changed := describe_changes(project, changes)):
                preview.build(changed)
    except KeyboardInterrupt:
        pass
    finally:
        state.close()
        if serving is not None:
            server.shutdown()
        server.server_close()
        watcher.stop()
    out.print("Stopped.", highlight=False)

"""`newsletter serve`: a real process, real HTTP on 127.0.0.1, real file changes.

One server runs for the module, on a copy of the example; the tests go in order
(serve, edit, break, fix, a browser watching, Ctrl-C), each leaving the project valid.
The pure helpers (paths, injection, the overlay, what is watched) are tested directly.
"""

from __future__ import annotations

import http.client
import io
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import watchfiles
from rich.console import Console

from newsletter.core.diagnostics import Diagnostic, Location, Severity
from newsletter.pipeline.build import BuildOptions, BuildResult
from newsletter.preview import server as serve
from newsletter.preview.server import (
    RELOAD_TAG,
    Failure,
    inject_reload,
    is_source,
    overlay_page,
    url_parts,
    wants_html,
)
from newsletter.project.sources import Project

from support.cli import NEWSLETTER
from support.clock import EXAMPLE_TODAY
from support.example import copy_example

if TYPE_CHECKING:
    from playwright.sync_api import Browser

POST = "content/posts/2026/geocoding-asthma-admissions-offline.md"
PAGE = "/posts/2026/geocoding-asthma-admissions-offline/"
TITLE = "Geocoding 40,000 asthma admissions without sending addresses off-site"
REBUILT = re.compile(r"✓ rebuilt|✗ build failed")
WAIT = 30.0
"""Seconds to wait for a build; far more than it takes, for a busy machine."""


class Server:
    """`newsletter serve --port 0` in a subprocess, its output read as it comes."""

    def __init__(self, root: Path, *options: str) -> None:
        """``options`` of serve: ``--no-search`` when none are given."""
        self.root = root
        self.lines: list[str] = []
        self.ended = False
        self._more = threading.Condition()
        self.process = subprocess.Popen(
            [
                *NEWSLETTER,
                "-C",
                str(root),
                "serve",
                "--port",
                "0",
                "--today",
                EXAMPLE_TODAY,
                *(options or ("--no-search",)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            # Ctrl-C must reach it even when these tests run in a shell's background job,
            # where SIGINT is ignored and the child would inherit that
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        match = self.wait_for(re.compile(r"Serving\s+http://127\.0\.0\.1:(\d+)/"))
        self.port = int(match.group(1))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._more:
                self.lines.append(line.rstrip("\n"))
                self._more.notify_all()
        with self._more:
            self.ended = True
            self._more.notify_all()

    def wait_for(self, pattern: re.Pattern[str], count: int = 1) -> re.Match[str]:
        """The ``count``-th line matching ``pattern``, once printed."""
        deadline = time.monotonic() + WAIT
        with self._more:
            while True:
                found = [m for m in map(pattern.search, self.lines) if m]
                if len(found) >= count:
                    return found[count - 1]
                if self.ended or time.monotonic() > deadline:
                    raise AssertionError("\n".join(["no line like", pattern.pattern, *self.lines]))
                self._more.wait(0.2)

    def rebuilds(self) -> int:
        with self._more:
            return sum(1 for line in self.lines if REBUILT.search(line))

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self._reader.join(timeout=5)
            if self.process.stdout is not None:
                self.process.stdout.close()


def set_title(root: Path, title: str) -> None:
    """Write the post's title line, as an editor saving the file does."""
    path = root / POST
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"^title: .*$", lambda _: f"title: {title}", text, count=1, flags=re.M)
    assert new != text
    path.write_text(new, encoding="utf-8")


def page_title(server: Server, status: int = 200) -> str:
    got, _, body = server.get(PAGE)
    assert got == status, body[:500]
    match = re.search(rb"<h1[^>]*>(.*?)</h1>", body, re.S)
    assert match
    return match.group(1).decode()


def wait_until(condition: object, what: str) -> None:
    assert callable(condition)
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = copy_example(tmp_path_factory.mktemp("serve") / "example")
    running = Server(root)
    try:
        yield running
    finally:
        code = running.stop()
        assert code == 0, "\n".join(running.lines)


# --- serving ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.network
def test_pages_are_served_with_the_reload_script_added(server: Server) -> None:
    status, headers, body = server.get("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.count(RELOAD_TAG) == 1
    assert body.index(RELOAD_TAG) < body.rindex(b"</body>")
    assert f'href="http://127.0.0.1:{server.port}/"'.encode() in body  # base_url: the server
    built = server.root / ".newsletter/serve/index.html"
    assert built.is_file() and RELOAD_TAG not in built.read_bytes()  # served, never written
    assert not (server.root / "site").exists()  # the published build is left alone
    status, _, body = server.get(PAGE)
    assert status == 200 and TITLE.encode() in body and RELOAD_TAG in body


@pytest.mark.slow
@pytest.mark.network
def test_content_types_redirects_and_no_listing(server: Server) -> None:
    status, headers, body = server.get("/feed.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml"
    assert RELOAD_TAG not in body
    status, headers, _ = server.get("/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, _ = server.get("/posts/2026/geocoding-asthma-admissions-offline")
    assert status == 302 and headers["Location"] == PAGE
    status, headers, _ = server.get("//posts/2026/geocoding-asthma-admissions-offline")
    assert status == 302 and headers["Location"] == PAGE  # not //posts/…: another host
    status, headers, body = server.get("/static/")  # a folder without index.html
    assert status == 404 and b"Page not found" in body and b"favicon.svg<" not in body
    status, headers, body = server.get("/__newsletter__/reload.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"/__newsletter__/events" in body and headers["Cache-Control"] == "no-store"


@pytest.mark.slow
@pytest.mark.network
def test_missing_page_gets_the_sites_404(server: Server) -> None:
    status, headers, body = server.get("/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.startswith(b"<!doctype html>") and RELOAD_TAG in body
    built = server.root / ".newsletter/serve/404.html"
    assert body.replace(RELOAD_TAG, b"") == built.read_bytes()


@pytest.mark.slow
@pytest.mark.network
def test_paths_out_of_the_folder_are_refused(server: Server, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the browser")
    inside = server.root / ".newsletter/serve/link.txt"
    inside.symlink_to(secret)
    try:
        for path in (
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/static/..%2f..%2f..%2f..%2fetc/passwd",
            "/static\\..\\..\\etc\\passwd",
            "/link.txt",
        ):
            status, _, body = server.get(path)
            assert status in (400, 404), path
            assert b"root:" not in body and b"not for the browser" not in body, path
    finally:
        inside.unlink()


@pytest.mark.slow
@pytest.mark.network
def test_events_stream_tells_a_page_from_an_older_build_at_once(server: Server) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/__newsletter__/events?since=0")
    response = conn.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    lines = [response.readline() for _ in range(3)]
    conn.close()
    assert lines[0] == b"retry: 1000\n"
    assert lines[2].startswith(b"event: reload")


# --- rebuilding --------------------------------------------------------------------------


class EventClient:
    """An SSE client on /__newsletter__/events, reading in a thread: the version of each
    reload, in the order the server sent them."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT + 20)
        self.conn.request("GET", "/__newsletter__/events")
        self.response = self.conn.getresponse()
        self.versions: list[int] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        reload = False
        try:
            for line in iter(self.response.readline, b""):
                if reload and line.startswith(b"data: "):
                    self.versions.append(int(line[6:]))
                reload = line.startswith(b"event: reload")
        except OSError:
            pass

    def close(self) -> None:
        self.conn.close()


@pytest.mark.slow
@pytest.mark.network
def test_a_change_rebuilds_and_reloads_once_and_state_is_ignored(server: Server) -> None:
    """Proved by what happens next, never by waiting to see that nothing does: each save
    below is followed by the build it starts, and a build or reload that should not have
    happened would stand in its place in the server's output or the event stream."""
    before = server.rebuilds()
    events = EventClient(server.port)
    # the first build wrote .newsletter/serve/; writes there or in site/ start no build
    (server.root / ".newsletter/serve/touched.txt").write_text("x")
    (server.root / ".newsletter/touched.txt").write_text("x")
    (server.root / "site").mkdir()
    (server.root / "site/index.html").write_text("x")
    try:
        set_title(server.root, "Geocoding, now on premise")
        line = server.wait_for(REBUILT, before + 1)  # not one for the writes above
        assert POST in line.string and "✓ rebuilt in" in line.string
        assert "touched" not in line.string and "site/" not in line.string
        assert page_title(server) == "Geocoding, now on premise"
        wait_until(lambda: len(events.versions) == 1, "the event stream sent no reload")
        (server.root / POST).touch()  # saved, unchanged: rebuilt, but no tab reloads
        line = server.wait_for(REBUILT, before + 2)  # not one for the first's own writes
        assert POST in line.string and " 0 written)" in line.string
        set_title(server.root, TITLE)
        assert POST in server.wait_for(REBUILT, before + 3).string
        wait_until(lambda: len(events.versions) >= 2, "the event stream sent no reload")
        # had the unchanged save reloaded the tabs, its version would come between
        assert events.versions == [events.versions[0], events.versions[0] + 1]
        assert page_title(server) == TITLE
    finally:
        events.close()
        shutil.rmtree(server.root / "site")


@pytest.mark.slow
@pytest.mark.network
def test_a_broken_file_shows_an_overlay_and_the_fix_brings_the_page_back(server: Server) -> None:
    before = server.rebuilds()
    set_title(server.root, "[unclosed")
    line = server.wait_for(REBUILT, before + 1)
    assert "✗ build failed" in line.string
    server.wait_for(re.compile(re.escape(f"{POST}:2:8: error: the list opened here with")))
    status, headers, body = server.get(PAGE)
    assert status == 500
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<code>{POST}:2:8</code>".encode() in body
    assert b"the list opened here with &#x27;[&#x27; is never closed" in body
    assert b"[syntax.yaml]" in body
    assert b"hint: close it on the same line: title: [unclosed]" in body
    assert RELOAD_TAG in body
    assert server.get("/")[0] == 500  # every page
    status, _, _ = server.get("/static/style.css")  # the rest: the last good build
    assert status == 200
    assert server.get("/feed.xml")[0] == 200
    assert server.process.poll() is None
    set_title(server.root, TITLE)
    server.wait_for(REBUILT, before + 2)
    assert page_title(server) == TITLE


@pytest.mark.slow
@pytest.mark.network
def test_the_browser_tab_reloads_by_itself(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        loads: list[str] = []
        page.on("load", lambda p: loads.append(p.url))
        page.goto(f"http://127.0.0.1:{server.port}{PAGE}")
        page.wait_for_function("() => document.readyState === 'complete'")
        assert page.locator("h1").first.inner_text() == TITLE
        before = server.rebuilds()
        set_title(server.root, "Seen in the browser")
        server.wait_for(REBUILT, before + 1)
        page.wait_for_function(
            "() => document.querySelector('h1').textContent.includes('Seen in the browser')",
            timeout=WAIT * 1000,
        )
        # the new document's heading is there before its load event: wait for that too
        page.wait_for_load_state("load", timeout=WAIT * 1000)
        assert len(loads) == 2  # the first load, and one reload by the script
        # a broken file: the tab shows the overlay, then the page again once fixed
        set_title(server.root, "[unclosed")
        page.wait_for_selector("text=The preview could not be built", timeout=WAIT * 1000)
        set_title(server.root, TITLE)
        page.wait_for_function(
            f"() => document.querySelector('h1').textContent.includes({TITLE!r})",
            timeout=WAIT * 1000,
        )
        unexpected = [e for e in errors if "status of 500" not in e]  # but the overlay's
        assert not unexpected, errors  # no CSP violation, no script error
    finally:
        page.close()  # its event stream too, before Ctrl-C


@pytest.mark.slow
@pytest.mark.network
def test_search_finds_an_edit_as_soon_as_it_is_rebuilt(tmp_path: Path, browser: Browser) -> None:
    running = Server(copy_example(tmp_path / "example"), "--host", "127.0.0.1")  # with search
    page = browser.new_page()
    try:
        before = running.rebuilds()
        path = running.root / POST
        path.write_text(path.read_text(encoding="utf-8") + "\nWe then tried zanzibarite.\n")
        assert "✓ rebuilt" in running.wait_for(REBUILT, before + 1).string
        page.goto(f"http://127.0.0.1:{running.port}/search/?q=zanzibarite")
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=WAIT * 1000)
        links = page.locator(".pagefind-ui__result-link")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [PAGE]
    finally:
        page.close()
        assert running.stop() == 0, "\n".join(running.lines)


@pytest.mark.slow
@pytest.mark.network
def test_ctrl_c_stops_cleanly(server: Server) -> None:
    assert server.stop() == 0
    server.wait_for(re.compile(r"^Stopped\.$"))
    assert server.ended
    with pytest.raises(OSError):
        server.get("/")


# --- the pure parts ----------------------------------------------------------------------


def test_watcher_takes_sources_and_ignores_state_and_output(tmp_path: Path) -> None:
    root = tmp_path
    for folder in ("content/posts", "templates", ".newsletter/serve", "site"):
        (root / folder).mkdir(parents=True)
    project = Project(root)
    preview = root / ".newsletter/serve"

    def watched(rel: str) -> bool:
        return is_source(project, str(root / rel), [preview])

    assert watched("newsletter.yaml")
    assert watched("content/posts/2026/x.md")
    assert watched("templates/static/style.css")
    assert not watched(".newsletter/serve/index.html")
    assert not watched(".newsletter/build.sqlite")
    assert not watched("site/index.html")
    assert not watched("newsletter.yaml.tmp")
    assert not watched("content/posts/.x.md.swp")
    assert not watched("content/posts/x.md~")
    assert not watched("content/.git/index")
    assert not watched("private/subscribers.csv")
    assert not is_source(project, str(root), [preview])
    # the preview's folder is ignored wherever it is, even inside a source folder
    assert not is_source(project, str(root / "content/out/a.html"), [root / "content/out"])
    assert watchfiles.Change.added  # the type the filter receives


def test_paths_html_and_injection() -> None:
    assert url_parts("/posts/2026/x/") == ["posts", "2026", "x"]
    assert url_parts("/a/./b") == ["a", "b"]
    assert url_parts("/a/%2e%2e/b") is None
    assert url_parts("/a/..") is None
    assert url_parts("/a\\b") is None
    assert url_parts("/a%00b") is None
    assert url_parts("relative") is None
    assert wants_html("/") and wants_html("/posts/x/") and wants_html("/404.html")
    assert wants_html("/posts/x") and not wants_html("/feed.xml")
    assert not wants_html("/static/style.css")
    page = b"<html><body><p>x</p></BODY></html>"
    assert inject_reload(page) == b"<html><body><p>x</p>" + RELOAD_TAG + b"</BODY></html>"
    assert inject_reload(b"<p>no body</p>") == b"<p>no body</p>" + RELOAD_TAG


def test_overlay_escapes_what_it_shows() -> None:
    hostile = Diagnostic(
        Location("content/posts/<b>.md", 4, 2),
        Severity.ERROR,
        "field.type",
        "bad <script>alert(1)</script>",
        'use "quotes" & <care>',
    )
    page = overlay_page(Failure("1 error, 0 warnings", (hostile,))).decode()
    assert "<script>alert" not in page and "<b>" not in page
    assert "content/posts/&lt;b&gt;.md:4:2" in page
    assert "bad &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "use &quot;quotes&quot; &amp; &lt;care&gt;" in page
    assert page.count("<script") == 1 and RELOAD_TAG.decode() in page  # only ours
    crash = overlay_page(Failure("the build crashed: ValueError: <x>")).decode()
    assert "the build crashed: ValueError: &lt;x&gt;" in crash


def test_a_crash_in_the_build_is_said_in_one_line_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(project: Project, options: BuildOptions) -> BuildResult:
        raise RuntimeError("a bug <here>")

    monkeypatch.setattr(serve, "build_project", crash)  # a bug in a stage, made on purpose
    terminal = io.StringIO()
    shown: list[list[Diagnostic]] = []
    state = serve.PreviewState(tmp_path / ".newsletter/serve")
    preview = serve.Preview(
        Project(tmp_path), BuildOptions(), state, Console(file=terminal), shown.append
    )
    preview.build("content/posts/2026/x.md")
    assert state.version == 1  # open tabs reload, to the overlay
    assert state.failure == serve.Failure("the build crashed: RuntimeError: a bug <here>")
    said = terminal.getvalue()
    assert "content/posts/2026/x.md  ✗ build failed in" in said
    assert "RuntimeError: a bug <here>" in said and "Traceback" not in said
    assert shown == [[]]


def test_the_preview_keeps_the_commands_build_options() -> None:
    options = serve.preview_options(
        BuildOptions(drafts=True, search=False), "http://127.0.0.1:1/", Path("x")
    )
    assert options.drafts and not options.search

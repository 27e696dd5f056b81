"""The built example in a real browser (Debian's chromium, driven by Playwright).

Readable without JavaScript, no horizontal scrolling on a phone, no console
errors. Skipped only where chromium is not installed; CI installs it and sets
NEWSLETTER_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support.helpers import browser_env

CHROMIUM = shutil.which("chromium")
PAGES = [
    "",
    "editions/3/",
    "posts/2026/geocoding-asthma-admissions-offline/",
    "members/yusuf/",
    "members/",
    "topics/",
    "topics/mapping/",
    "network/",
    "archive/",
    "404.html",
    "email/10.html",
    "search/?q=geocoding",
]

if not CHROMIUM:
    if os.environ.get("NEWSLETTER_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required here: apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, sync_playwright  # noqa: E402


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(built_example: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built_example))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            env=browser_env(),
            args=["--no-sandbox", "--headless", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_and_load_cleanly(server: str, browser: Browser, width: int) -> None:
    for path in PAGES:
        page = browser.new_page(viewport={"width": width, "height": 900}, java_script_enabled=True)
        errors: list[str] = []
        failed: list[str] = []
        page.on("console", lambda m, out=errors: out.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, out=errors: out.append(str(e)))
        page.on("requestfailed", lambda r, out=failed: out.append(r.url))
        response = page.goto(server + path)
        assert response is not None and response.ok, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert not errors and not failed, (path, errors, failed)
        page.close()


def test_readable_without_javascript(server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(server + "editions/3/")
    assert page.locator("h1").first.is_visible()
    assert page.locator("article").count() >= 7
    assert page.locator("link[rel=stylesheet]").count() == 1
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg != "rgba(0, 0, 0, 0)"  # the stylesheet applied
    context.close()


def test_anchor_links_to_an_item(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + "posts/2026/geocoding-asthma-admissions-offline/")
    page.locator("a", has_text="edition").last.click()
    page.wait_for_load_state()
    assert "#2026-geocoding-asthma-admissions-offline" in page.url
    assert page.locator(":target").count() == 1
    page.close()

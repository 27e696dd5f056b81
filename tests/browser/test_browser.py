"""The built example in a real browser (Debian's chromium, driven by Playwright).

Readable without JavaScript, no horizontal scrolling on a phone, no console
errors. Skipped only where chromium is not installed; CI installs it and sets
NEWSLETTER_REQUIRE_BROWSER=1, which turns that skip into a failure (tests/support/browser.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from support.browser import PAGES


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_fit_and_load_cleanly(site_server: str, browser: Browser, width: int) -> None:
    for path in PAGES:
        page = browser.new_page(viewport={"width": width, "height": 900}, java_script_enabled=True)
        errors: list[str] = []
        failed: list[str] = []
        page.on("console", lambda m, out=errors: out.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, out=errors: out.append(str(e)))
        page.on("requestfailed", lambda r, out=failed: out.append(r.url))
        response = page.goto(site_server + path)
        assert response is not None and response.ok, path
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
        assert not errors and not failed, (path, errors, failed)
        page.close()


def test_readable_without_javascript(site_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(site_server + "editions/3/")
    assert page.locator("h1").first.is_visible()
    assert page.locator("article").count() >= 7
    assert page.locator("link[rel=stylesheet]").count() == 1
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg != "rgba(0, 0, 0, 0)"  # the stylesheet applied
    context.close()


@pytest.mark.slow
def test_anchor_links_to_an_item(site_server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(site_server + "posts/2026/geocoding-asthma-admissions-offline/")
    page.locator("a", has_text="edition").last.click()
    page.wait_for_load_state()
    assert "#2026-geocoding-asthma-admissions-offline" in page.url
    assert page.locator(":target").count() == 1
    page.close()

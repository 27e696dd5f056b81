"""The theme right to left, in Chromium: the bundled example built in Arabic
(``language: ar``), its pages mirrored and nothing sticking out sideways.

At a phone's size (390×844) and a desktop's (1280×900), the home page, an edition, a
member's page and the network page say ``dir="rtl"``, start at the right (the masthead's
brand, a section's label, the edition's contents…) and fit the window; each is kept as a full-page
screenshot for a person to look at: ``build/test-artifacts/rtl/<page>-<width>.png``, or
``$NEWSLETTER_ARTIFACTS/rtl/`` (CI keeps that folder as the run's artifacts). Nothing here
depends on the pictures' content. The same overflow check runs on every page type in
Arabic and, as a guard for the English theme, in English; axe-core reads the Arabic home.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest
from playwright.sync_api import Browser, Page

from support.browser import PAGES, axe_violations, sticking_out
from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example, speak
from support.paths import REPO
from support.siteserver import serving

pytestmark = [pytest.mark.network, pytest.mark.slow]  # serves its own build of the example

VIEWPORTS = {390: 844, 1280: 900}
"""Phone and desktop: width to height."""

SHOTS = {
    "home": "",
    "edition": "editions/3/",
    "member": "members/yusuf/",
    "network": "network/",
}

STARTS_RIGHT = {
    "home": [(".brand", "box"), (".section-label", "text")],
    "edition": [(".brand", "box"), (".toc-title", "text"), (".section-label", "text")],
    "member": [(".brand", "box"), (".profile-id .avatar", "box")],
    "network": [(".brand", "box"), (".page-head .eyebrow", "text")],
}
"""What starts each page's lines, and so sits at the right in Arabic: an element's box
within its parent, or an element's text within the element. None fills its line, so in a
left-to-right page each would sit at the left instead."""

PLACEMENT_JS = """([selector, measure]) => {
  const el = document.querySelector(selector);
  if (!el) return null;
  const holder = measure === 'box' ? el.parentElement : el;
  const style = getComputedStyle(holder);
  const outer = holder.getBoundingClientRect();
  const left = outer.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
  const right = outer.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight);
  let placed = el.getBoundingClientRect();
  if (measure === 'text') {
    const range = document.createRange();
    range.selectNodeContents(el);
    placed = range.getBoundingClientRect();
  }
  return {left: placed.left - left, right: right - placed.right};
}"""
"""The gaps, in pixels, between what a selector measures and its holder's content edges."""

UNMIRRORED_JS = """() => {
  const found = [];
  const accents = '.subscribe-home, .event-card, .ask-loop, blockquote';
  for (const el of document.querySelectorAll(accents)) {
    const style = getComputedStyle(el);
    if (parseFloat(style.borderLeftWidth) >= parseFloat(style.borderRightWidth))
      found.push(`${el.className || el.localName}: its accent rule is not at the right`);
  }
  const field = document.querySelector('.site-search input');
  if (field && getComputedStyle(field).borderTopLeftRadius !== '0px')
    found.push('the search field is rounded at the left, where its button is');
  const arrows = ':is(.home-facts, .more-link, .pager) a [aria-hidden="true"], '
    + '.source > [aria-hidden="true"]';
  for (const arrow of document.querySelectorAll(arrows)) {
    if (getComputedStyle(arrow).transform === 'none')
      found.push(`the arrow "${arrow.textContent.trim()}" points the English way`);
  }
  return found;
}"""
"""What the theme's own rules must turn round (the logical properties and the `:dir(rtl)`
rules of style.css), beyond what `dir="rtl"` does by itself: accent rules at the start of
a box, the search field's rounded end, arrows. Each, where the page has it, as a line."""


class Gaps(TypedDict):
    left: float
    right: float


@pytest.fixture(scope="module")
def arabic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example with ``language: ar``, built by the CLI and served on 127.0.0.1."""
    root = copy_example(tmp_path_factory.mktemp("rtl") / "example")
    speak(root, "ar")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    with serving(root / "site") as url:
        yield url


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Where the screenshots go: rtl/ in $NEWSLETTER_ARTIFACTS, or in build/test-artifacts/
    of the repository (ignored by git), kept after the run."""
    folder = Path(os.environ.get("NEWSLETTER_ARTIFACTS") or REPO / "build/test-artifacts") / "rtl"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser: Browser, url: str, width: int) -> Page:
    page = browser.new_page(viewport={"width": width, "height": VIEWPORTS[width]})
    response = page.goto(url)
    assert response is not None and response.ok, url
    return page


@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("name", SHOTS)
def test_arabic_page_is_mirrored_and_fits(
    arabic_site: str, browser: Browser, artifacts: Path, name: str, width: int
) -> None:
    page = open_page(browser, arabic_site + SHOTS[name], width)
    shot = artifacts / f"{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    for selector, measure in STARTS_RIGHT[name]:
        gaps: Gaps | None = page.evaluate(PLACEMENT_JS, [selector, measure])
        assert gaps is not None, f"/{SHOTS[name]} has no {selector}"
        assert abs(gaps["right"]) <= 1 < gaps["left"], (
            f"/{SHOTS[name]} at {width}px: {selector}'s {measure} does not start at the right "
            f"(gap {gaps['right']:.1f}px at the right, {gaps['left']:.1f}px at the left)"
        )
    unmirrored: list[str] = page.evaluate(UNMIRRORED_JS)
    assert not unmirrored, f"/{SHOTS[name]} at {width}px:\n" + "\n".join(unmirrored)
    found = sticking_out(page)
    assert not found, f"/{SHOTS[name]} at {width}px:\n" + "\n".join(found)
    page.close()


@pytest.mark.parametrize("width", VIEWPORTS)
def test_no_arabic_page_sticks_out_sideways(arabic_site: str, browser: Browser, width: int) -> None:
    found: list[str] = []
    for path in PAGES:
        page = open_page(browser, arabic_site + path, width)
        found += [f"/{path}: {line}" for line in sticking_out(page)]
        page.close()
    assert not found, f"at {width}px:\n" + "\n".join(found)


@pytest.mark.parametrize("width", VIEWPORTS)
def test_no_english_page_sticks_out_sideways(
    site_server: str, browser: Browser, width: int
) -> None:
    found: list[str] = []
    for path in PAGES:
        page = open_page(browser, site_server + path, width)
        assert page.get_attribute("html", "dir") is None
        found += [f"/{path}: {line}" for line in sticking_out(page)]
        page.close()
    assert not found, f"at {width}px:\n" + "\n".join(found)


def test_the_check_finds_what_sticks_out(browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content(
        '<html dir="rtl"><body>'
        '<p id="wide" style="width: 500px">wide</p>'
        '<div style="overflow-x: auto"><p style="width: 900px">scrolls</p></div>'
        '<p style="position: relative; right: 420px; width: 40px">off to the left</p>'
        '<svg width="100" height="40"><text id="cut" x="-40" y="20">cut off</text></svg>'
        "</body></html>"
    )
    found = sticking_out(page)
    page.close()
    assert found[0].startswith("the page scrolls sideways by")
    assert any(line.startswith("p#wide spans") for line in found[1:])
    assert any(line.startswith("p spans [-") for line in found[1:])
    assert any(line.startswith("text#cut spans") and "its drawing's" in line for line in found)
    assert not any("scrolls" in line for line in found[1:]), found


def test_axe_finds_nothing_serious_on_the_arabic_home(
    arabic_site: str, browser: Browser, axe_source: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    response = page.goto(arabic_site)
    assert response is not None and response.ok
    lines = axe_violations(page, axe_source, "/ in Arabic")
    context.close()
    print("\n".join(lines))  # the moderate and minor ones: for a person to judge
    serious = [line for line in lines if "[serious]" in line or "[critical]" in line]
    assert not serious, "\n".join(serious)

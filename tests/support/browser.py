"""Chromium as a reader's browser: Debian's chromium, driven by Playwright.

A pytest plugin (tests/conftest.py lists it): ``chromium_executable`` is the browser's path,
for tests that launch it their own way; ``browser`` is one Chromium launched for the module.
tests/conftest.py marks every test that uses either ``browser``. Where chromium is not
installed they are skipped, unless NEWSLETTER_REQUIRE_BROWSER is set (CI), which turns the
skip into a failure. Checks run in a page: ``sticking_out()`` (what overflows sideways) and
axe-core (``axe_source``, ``axe_violations()``), skipped the same way where it is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from support.paths import TESTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-background-networking"]
"""How every test starts Chromium: as this machine's user (often root in CI), no window,
no background requests of its own."""

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
    "asks/",
    "about/",
]
"""A page of each type of the built example (relative to its root), as readers open them."""


def browser_env() -> dict[str, str]:
    """The environment Chromium is started with: this one, less libfaketime. The browser
    stands for a reader's, and keeps the real clock when .ci/run moves the suite's
    (under libfaketime its processes spin or crash)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }


def chromium_path() -> str:
    """Where chromium is; the test is skipped (failed, if NEWSLETTER_REQUIRE_BROWSER is
    set) when it is not installed."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("NEWSLETTER_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The path of chromium, for a test that launches it itself."""
    return chromium_path()


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Browser]:
    """Chromium, launched once for the module (pages and contexts are the tests' own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium_executable, env=browser_env(), args=LAUNCH_ARGS
        )
        yield launched
        launched.close()


STICKING_OUT_JS = """() => {
  const viewport = {left: 0, right: window.innerWidth};
  // Inside a scroller (overflow other than visible) a box may go past the page's edges:
  // the scroller clips it, and its reader scrolls it. An SVG is no scroller: what it cuts
  // off is lost, so a drawing's text must stay within the drawing.
  const scrolled = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    }
    return false;
  };
  const unseen = (el, box) => {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return true;
    if (box.width <= 1 && box.height <= 1) return true;  // .visually-hidden and the like
    const style = getComputedStyle(el);
    return style.clip !== 'auto' || style.clipPath !== 'none';
  };
  const selector = (el) => {
    const parts = [];
    for (let at = el; at && at !== document.body && parts.length < 4; at = at.parentElement) {
      let part = at.localName + (at.id ? '#' + at.id : '');
      if (!at.id && at.classList.length) part += '.' + [...at.classList].join('.');
      parts.unshift(part);
      if (at.id) break;
    }
    return parts.join(' > ');
  };
  const found = [];
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  if (overflow > 0) found.push(`the page scrolls sideways by ${overflow}px`);
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    const drawing = el.localName === 'text' ? el.ownerSVGElement : null;
    const frame = drawing ? drawing.getBoundingClientRect() : viewport;
    if (box.left >= frame.left - 0.5 && box.right <= frame.right + 0.5) continue;
    if (unseen(el, box) || (!drawing && scrolled(el))) continue;
    const span = (b) => `[${Math.round(b.left)}, ${Math.round(b.right)}]`;
    const where = drawing ? `its drawing's ${span(frame)}` : 'the window';
    found.push(`${selector(el)} spans ${span(box)}, past ${where}`);
  }
  return found;
}"""


def sticking_out(page: Page) -> list[str]:
    """What sticks out sideways in the page as laid out: the page scrolling sideways, then
    every visible element past the window's left or right edge (outside scrollers, which
    clip and scroll their own), and every SVG text past its drawing's edges; each named by
    a selector and its left and right edges. Empty when everything fits."""
    found: list[str] = page.evaluate(STICKING_OUT_JS)
    return found


AXE = TESTS / "axe/node_modules/axe-core/axe.min.js"

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, to add to a page (with ``bypass_csp=True``: the site's policy
    refuses inline scripts); skipped (failed, with NEWSLETTER_REQUIRE_BROWSER) without it."""
    if not AXE.is_file():
        message = f"axe-core is not installed ({AXE}): npm ci --prefix tests/axe"
        if os.environ.get("NEWSLETTER_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page, source: str, where: str) -> list[str]:
    """Run axe on the page; return its violations as lines, serious and critical first."""
    page.add_script_tag(content=source)
    found: list[dict[str, Any]] = page.evaluate(AXE_JS)
    lines = [
        f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])}: "
        f"{', '.join(v['nodes'][:3])})"
        for v in found
    ]
    return sorted(lines, key=lambda line: "[serious]" not in line and "[critical]" not in line)

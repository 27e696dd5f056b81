"""The product as readers see it, in Chromium: what test_browser.py checks, taken further.

Screenshots of the main pages at phone and desktop widths (kept, for a person to look
at), nothing sticking out sideways on a phone, the email in a mail-sized window (as
published on the site and as built for sending), and axe-core's accessibility rules on
every page type. Uses the same server, browser and page list (tests/support/); the same
skip rules apply (NEWSLETTER_REQUIRE_BROWSER=1 turns a missing chromium or axe-core into
a failure).
"""

from __future__ import annotations

import mimetypes
import os
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, BrowserContext, Page, Route

from support.browser import PAGES, axe_violations
from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example

BASE_URL = "https://commons.example.org/"
"""The example's base_url: the email's links and images point there; the tests serve
those requests from the built site, so nothing leaves the machine."""
SHOTS = {
    "home": "",
    "edition": "editions/3/",
    "member": "members/yusuf/",
    "network": "network/",
}
PHONE, DESKTOP = 390, 1280


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $NEWSLETTER_SCREENSHOTS (kept, e.g. as a CI artifact) or a
    temporary folder."""
    folder = os.environ.get("NEWSLETTER_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def sent_email(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The latest edition's HTML as `send` builds it for one reader: the example with a
    subscriber per member, sent with --dry-run; the message with the most personal parts."""
    root = copy_example(tmp_path_factory.mktemp("sent") / "example")
    handles = sorted(p.stem for p in (root / "content/members").glob("*.yaml"))
    rows = "".join(f"{h}@readers.example.net,Reader {h},{h},\n" for h in handles)
    (root / "private").mkdir()
    (root / "private/subscribers.csv").write_text("email,name,member,status\n" + rows)
    outbox = root.parent / "outbox"
    result = run("send", "latest", "--dry-run", str(outbox), "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    htmls = []
    for eml in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("html",))
        assert body is not None, eml
        htmls.append(str(body.get_content()))
    assert len(htmls) == len(handles), result.output
    personal = [h for h in htmls if "Shared for you" in h]
    assert personal, "no reader of the example has anything shared for them"
    return max(personal, key=lambda h: (h.count('class="toc for-you"'), len(h)))


def serve_base_url(context: BrowserContext, site: Path) -> list[str]:
    """Answer requests for the site's public address from the built site; abort (and
    list) any other request that would leave the machine."""
    outside: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if url.startswith(BASE_URL):
            rel = url.removeprefix(BASE_URL).split("#")[0].split("?")[0]
            target = site / rel
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                route.fulfill(path=target, content_type=kind)
                return
        outside.append(url)
        route.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), handle)
    return outside


def not_blank(path: Path) -> float:
    """The spread of grey levels in a screenshot: near 0 for a blank (one colour) image."""
    with Image.open(path) as image:
        return float(ImageStat.Stat(image.convert("L")).stddev[0])


SIDEWAYS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {  // inside a box that scrolls or clips on its own
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (!box.width || (box.left >= -1 && box.right <= width + 1) || scrolls(el)) continue;
    const name = `${el.tagName.toLowerCase()}.${el.className}`;
    out.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return {page: document.documentElement.scrollWidth - width, elements: out.slice(0, 10)};
}"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_screenshots_show_the_pages_and_nothing_scrolls_sideways_on_a_phone(
    site_server: str,
    browser: Browser,
    screenshots: Path,
    width: int,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    for name, path in SHOTS.items():
        page = context.new_page()
        response = page.goto(site_server + path)
        assert response is not None and response.ok, path
        shot = screenshots / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        top = screenshots / f"{name}-{width}-top.png"
        page.screenshot(path=str(top))
        assert not_blank(shot) > 8 and not_blank(top) > 8, f"{shot} looks blank"
        if width == PHONE:
            # the network map scrolls inside its own box on a phone; the page never does
            sideways = page.evaluate(SIDEWAYS_JS)
            assert sideways["page"] <= 0 and not sideways["elements"], (path, sideways)
        page.close()
    context.close()


EMAIL_JS = """() => {
  const out = {overflow: document.documentElement.scrollWidth - window.innerWidth,
               small: [], sizes: {}, noAlt: [], broken: [], scripts: document.scripts.length,
               handlers: [], urls: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el.getClientRects().length) continue;  // not shown (the preheader)
    const size = parseFloat(getComputedStyle(el).fontSize);
    out.sizes[size] = (out.sizes[size] || 0) + text.length;
    if (size < 11) out.small.push(`${size}px: ${text.slice(0, 40)}`);
  }
  for (const img of document.images) {
    if (!img.hasAttribute('alt')) out.noAlt.push(img.src);
    if (!img.complete || !img.naturalWidth) out.broken.push(img.src);
  }
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) out.handlers.push(`${el.tagName} ${a.name}`);
      if (/^\\s*(javascript|vbscript):/i.test(a.value)) out.urls.push(a.value.slice(0, 60));
    }
  }
  return out;
}"""


def check_email(page: Page, where: str) -> dict[str, Any]:
    page.wait_for_load_state("load")
    found: dict[str, Any] = page.evaluate(EMAIL_JS)
    assert found["overflow"] <= 0, f"{where}: scrolls sideways by {found['overflow']}px"
    assert not found["small"], f"{where}: text under 11px: {found['small'][:5]}"
    sizes = {float(k): v for k, v in found["sizes"].items()}
    body_share = sum(v for k, v in sizes.items() if k >= 16) / sum(sizes.values())
    assert body_share > 0.6, f"{where}: most text should be 16px or more: {sizes}"
    assert not found["noAlt"], f"{where}: images without alt: {found['noAlt']}"
    assert not found["broken"], f"{where}: images that did not load: {found['broken']}"
    assert found["scripts"] == 0 and not found["handlers"] and not found["urls"], found
    return found


@pytest.mark.slow
@pytest.mark.parametrize("width", [600, 375])
def test_the_email_fits_a_mail_window_and_is_readable(
    site_server: str,
    browser: Browser,
    built_example: Path,
    sent_email: str,
    screenshots: Path,
    width: int,
) -> None:
    for raw in ((built_example / "email/10.html").read_text(), sent_email):
        assert "<script" not in raw.lower() and not re.search(r"<[^>]*\son\w+\s*=", raw)
    context = browser.new_context(viewport={"width": width, "height": 800})
    outside = serve_base_url(context, built_example)
    page = context.new_page()
    response = page.goto(site_server + "email/10.html")
    assert response is not None and response.ok
    check_email(page, f"email/10.html at {width}px")
    page.screenshot(path=str(screenshots / f"email-web-{width}.png"), full_page=True)
    page.set_content(sent_email)
    check_email(page, f"the sent email at {width}px")
    assert "Shared for you" in (page.text_content("body") or "")
    shot = screenshots / f"email-sent-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not_blank(shot) > 8
    assert not outside, f"requests that would leave the machine: {outside[:5]}"
    context.close()


# -- accessibility (axe-core) ----------------------------------------------------------


# axe_source (a fixture) and axe_violations are support.browser's.


@pytest.mark.slow
@pytest.mark.parametrize(
    ("width", "scheme"), [(PHONE, "light"), (DESKTOP, "light"), (PHONE, "dark")]
)
def test_axe_finds_no_serious_or_critical_violation_on_any_page_type(
    site_server: str,
    browser: Browser,
    built_example: Path,
    sent_email: str,
    axe_source: str,
    width: int,
    scheme: Literal["light", "dark"],
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True, color_scheme=scheme
    )
    serve_base_url(context, built_example)
    lines: list[str] = []
    for path in PAGES:
        page = context.new_page()
        response = page.goto(site_server + path)
        assert response is not None and response.ok, path
        lines += axe_violations(page, axe_source, f"/{path} {width}px {scheme}")
        page.close()
    page = context.new_page()
    page.set_content(sent_email)
    lines += axe_violations(page, axe_source, f"sent email {width}px {scheme}")
    context.close()
    print("\n".join(lines))  # the moderate and minor ones: for a person to judge
    serious = [line for line in lines if "[serious]" in line or "[critical]" in line]
    assert not serious, "\n".join(serious)

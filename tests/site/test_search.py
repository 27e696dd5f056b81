"""Search: the Pagefind bundle the build makes, and searching the built example in a real
browser (Debian's chromium, driven by Playwright, over a local HTTP server).

The browser tests are skipped where chromium is not installed, unless
NEWSLETTER_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from newsletter.core.errors import SearchError
from newsletter.publish.search import (
    PagesOnDisk,
    Turns,
    bundle_files,
    search_files,
    searched_pages,
)

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example
from support.helpers import post, project, write
from support.paths import REPO
from support.siteserver import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

KNOWN_WORD = "Nominatim"
"""In one post of the example only: this one."""
KNOWN_POST = "posts/2026/geocoding-asthma-admissions-offline/"


def fragments(site: Path) -> dict[str, dict[str, Any]]:
    """What Pagefind indexed, by URL: each page's gzipped fragment."""
    out = {}
    for path in (site / "pagefind/fragment").iterdir():
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        fragment = json.loads(data)
        out[fragment["url"]] = fragment
    return out


def searched(site: Path) -> set[str]:
    """The pages that should be indexed: posts, editions, members, a topic's first page,
    the standalone pages (content/pages/), in English and in French (fr/)."""
    pages = [
        page
        for top in (site, site / "fr")
        for page in (
            *top.glob("posts/*/*/index.html"),
            *top.glob("editions/*/index.html"),
            *top.glob("members/*/index.html"),
            *top.glob("topics/*/index.html"),
            *(top / p.stem / "index.html" for p in (REPO / "content/pages").glob("*.md")),
        )
    ]
    return {"/" + p.parent.relative_to(site).as_posix() + "/" for p in pages}


# -- the bundle ---------------------------------------------------------------------------


def test_build_makes_the_bundle(built_example: Path) -> None:
    bundle = built_example / "pagefind"
    for name in ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css"):
        assert (bundle / name).is_file(), name
    assert (bundle / "wasm.en.pagefind").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    pages = searched(built_example)
    french = {p for p in pages if p.startswith("/fr/")}
    assert french and (bundle / "wasm.fr.pagefind").is_file()
    assert entry["languages"]["en"]["page_count"] == len(pages - french)
    assert entry["languages"]["fr"]["page_count"] == len(french)
    page = (built_example / "search/index.html").read_text()
    assert '<script src="/pagefind/pagefind-ui.js" defer></script>' in page
    assert '<script src="/static/search.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline script (CSP)
    assert not re.search(r"\sstyle=", page)
    assert (built_example / "static/search.js").is_file()


def test_only_content_pages_are_indexed(built_example: Path) -> None:
    indexed = fragments(built_example)
    assert set(indexed) == searched(built_example)
    assert not {"/", "/404.html", "/archive/", "/members/", "/topics/", "/search/", "/fr/"} & set(
        indexed
    )
    known = indexed["/" + KNOWN_POST]
    assert KNOWN_WORD in known["content"]
    assert known["meta"]["title"].startswith("Geocoding 40,000 asthma admissions")
    assert (known["meta"]["kind"], known["meta"]["date"]) == ("Ask", "3 Jun 2026")
    assert "Shared by" not in known["content"]  # the byline is not content
    edition = indexed["/editions/3/"]
    assert edition["meta"]["kind"] == "Edition"
    assert KNOWN_WORD not in edition["content"]  # its items are found on their own pages


def test_the_bundle_is_the_same_bytes_every_time(built_example: Path) -> None:
    """Unchanged pages, unchanged files (no filters: Pagefind names their files anew on
    each run)."""
    again = search_files(searched_pages(built_example), "/", None)  # en and fr
    bundle = built_example / "pagefind"
    on_disk = {
        "pagefind/" + p.relative_to(bundle).as_posix(): p.read_bytes()
        for p in bundle.rglob("*")
        if p.is_file()
    }
    assert again == on_disk


def test_the_search_box_is_a_plain_form(built_example: Path) -> None:
    page = (built_example / KNOWN_POST / "index.html").read_text()
    form = re.search(r'<form class="site-search"[^>]*>.*?</form>', page, re.S)
    assert form is not None
    assert 'action="/search/"' in form.group() and 'role="search"' in form.group()
    assert re.search(r'<label[^>]* for="site-search-q"', form.group())
    assert 'id="site-search-q" type="search" name="q"' in form.group()


def page_with(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><title>{title}</title></head>'
        f"<body><main data-pagefind-body><h1>{title}</h1><p>{body}</p></main></body></html>"
    ).encode()


def test_search_files_is_pure_and_picks_pages(tmp_path: Path) -> None:
    html = page_with
    pages = {
        "posts/2026/a/index.html": html("A post", "quinoa and mapping"),
        "members/ada/index.html": html("Ada", "engines"),
        "404.html": html("Not found", "quinoa"),
        "email/1.html": html("Email", "quinoa"),
        "index.html": html("Home", "quinoa"),
    }
    files = search_files(pages, "/news/", "en")
    assert files and all(name.startswith("pagefind/") for name in files)
    assert "pagefind/pagefind-entry.json" in files
    urls = set()
    for name, data in files.items():
        if name.startswith("pagefind/fragment/"):
            urls.add(json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))["url"])
    assert urls == {"/news/posts/2026/a/", "/news/members/ada/"}
    assert search_files(pages, "/news/", "en") == files  # the same bytes every time
    assert not list(tmp_path.iterdir())


class Watched(Turns):
    """Turns that say when one is asked for."""

    def __init__(self, pages: int) -> None:
        super().__init__(pages)
        self.asked = threading.Event()

    def take(self, pages: int) -> None:
        self.asked.set()
        super().take(pages)


def test_pagefind_makes_the_bundle_only_in_its_turn() -> None:
    pages = {f"posts/2026/p{i}/index.html": page_with(f"Post {i}", "quinoa") for i in range(3)}
    names = sorted(pages)
    alone = bundle_files(names, pages, "/", "en", "pagefind/")
    for making, waits in ((2, True), (1, False)):  # of 4 pages at once, 3 are to be made
        turns = Watched(4)
        turns.take(making)  # another bundle is being made
        turns.asked.clear()
        with ThreadPoolExecutor(1) as pool:
            made = pool.submit(bundle_files, names, pages, "/", "en", "pagefind/", turns)
            assert turns.asked.wait(60)  # every page sent, it asks for its turn
            if waits:
                assert not made.done()
                turns.give_back(making)
            assert made.result(60) == alone
        assert turns.making == (0 if waits else making)  # its turn is given back


def test_turns_let_bundles_be_made_together_up_to_their_pages() -> None:
    turns = Turns(10)
    turns.take(6)
    turns.take(4)  # 10 pages: together
    assert turns.making == 10
    turns.give_back(10)
    turns.take(12)  # alone, more than the pages: in its turn all the same
    assert turns.making == 12


def test_a_bundle_that_fails_before_its_turn_does_not_take_it() -> None:
    pages = PagesOnDisk(Path("/nonexistent"), ["posts/2026/gone/index.html"], frozenset())
    turns = Watched(4)
    with pytest.raises(SearchError, match="could not read a page to index"):
        bundle_files(list(pages), pages, "/", "en", "pagefind/", turns)
    assert not turns.asked.is_set()
    assert turns.making == 0


@pytest.mark.slow
def test_no_search_makes_no_bundle_and_no_box(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    result = run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    site = root / "site"
    assert not (site / "pagefind").exists()
    assert "site-search" not in (site / KNOWN_POST / "index.html").read_text()
    page = (site / "search/index.html").read_text()
    assert "Search is not available on this copy of the site" in page
    assert "<script" not in page


@pytest.mark.slow
def test_search_follows_the_flag_between_builds(tmp_path: Path) -> None:
    """Incremental builds: turning search off removes the bundle and the box, and back."""
    root = project(tmp_path / "p")
    assert run("build", "--today", EXAMPLE_TODAY, cwd=root).exit_code == 0
    site = root / "site"
    assert (site / "pagefind/pagefind-entry.json").is_file()
    assert run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=root).exit_code == 0
    assert not (site / "pagefind").exists()
    assert "site-search" not in (site / "index.html").read_text()
    write(root, "content/posts/2026/hello.md", post("Hello", "ada", "Quinoa for everyone."))
    assert run("build", "--today", EXAMPLE_TODAY, cwd=root).exit_code == 0
    assert "site-search" in (site / "index.html").read_text()
    assert "Quinoa" in fragments(site)["/posts/2026/hello/"]["content"]


@pytest.fixture(scope="module")
def news_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built for https://example.org/news/, into <folder>/news/; the folder."""
    root = copy_example(tmp_path_factory.mktemp("news") / "example")
    served = root.parent / "served"
    options = ["--base-url", "https://example.org/news/", "-o", str(served / "news")]
    result = run("build", "--today", EXAMPLE_TODAY, *options, cwd=root)
    assert result.exit_code == 0, result.output
    return served


@pytest.mark.slow
def test_results_link_under_the_base_path(news_site: Path) -> None:
    site = news_site / "news"
    urls = set(fragments(site))
    assert "/news/" + KNOWN_POST in urls
    assert all(url.startswith("/news/") for url in urls)
    page = (site / KNOWN_POST / "index.html").read_text()
    assert 'action="/news/search/"' in page
    search = (site / "search/index.html").read_text()
    assert 'data-bundle="/news/pagefind/"' in search
    assert '<script src="/news/pagefind/pagefind-ui.js" defer></script>' in search


# -- when Pagefind fails ----------------------------------------------------------------------


def fake_pagefind(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-pagefind"
    script.write_text(f"#!{sys.executable}\nimport base64, json, sys\n{body}")
    script.chmod(0o755)
    return str(script)


@pytest.mark.slow
def test_a_missing_pagefind_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    root = project(tmp_path / "p")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 1
    assert "error: Pagefind, which makes the search index, is not installed" in result.output
    assert "--no-search" in result.output and "Traceback" not in result.output
    assert not (root / "site").exists()
    assert run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=root).exit_code == 0


@pytest.mark.slow
def test_pagefind_failing_leaves_the_site_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "p")
    assert run("build", "--today", EXAMPLE_TODAY, cwd=root).exit_code == 0
    before = (root / "site/posts/2026/hello/index.html").read_bytes()
    crash = "sys.stderr.write('pagefind: out of cheese\\n')\nsys.exit(3)\n"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_pagefind(tmp_path, crash))
    write(root, "content/posts/2026/hello.md", post("Hello again", "ada"))
    # a whole new site, staged (an in-place update would have replaced the page already)
    result = run("build", "--today", EXAMPLE_TODAY, "--no-cache", cwd=root)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: Pagefind stopped before the search index was made: pagefind: out of cheese"
    )
    assert (root / "site/posts/2026/hello/index.html").read_bytes() == before


@pytest.mark.slow
def test_a_page_pagefind_refuses_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a service that makes the index, then refuses every page
    refuse = """
buffer = b""
while chunk := sys.stdin.buffer.read1(65536):
    buffer += chunk
    while b"," in buffer:
        raw, buffer = buffer.split(b",", 1)
        request = json.loads(base64.b64decode(raw))
        kind = request["payload"]["type"]
        payload = (
            {"type": "NewIndex", "index_id": 0}
            if kind == "NewIndex"
            else {"type": "Error", "message": "Failed to add file"}
        )
        answer = {"message_id": request["message_id"], "payload": payload}
        sys.stdout.buffer.write(base64.b64encode(json.dumps(answer).encode()) + b",")
        sys.stdout.buffer.flush()
"""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_pagefind(tmp_path, refuse))
    root = project(tmp_path / "p")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: Pagefind could not index site/editions/1/index.html: Failed to add file"
    )


# -- in a browser ---------------------------------------------------------------------------


@contextmanager
def watched(browser: Browser, **options: Any) -> Iterator[Page]:
    """A page whose console errors, uncaught exceptions and failed requests fail the test."""
    page = browser.new_page(**options)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    try:
        yield page
        assert not problems, problems
    finally:
        page.close()


def results(page: Page) -> list[str]:
    """The links of the results, once Pagefind has answered and shown them."""
    # "3 results for …", "1 result for …", "No results for …"; not "Searching for …"
    # (locators, not scripts: the CSP forbids the eval a script predicate needs)
    message = page.locator(".pagefind-ui__message", has_text=re.compile("results? for"))
    message.wait_for(timeout=20_000)
    if message.inner_text().startswith("No results"):
        return []
    page.locator(".pagefind-ui__result-link").first.wait_for()
    page.locator(".pagefind-ui__loading").first.wait_for(state="detached")
    links = page.locator(".pagefind-ui__result-link")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


@pytest.mark.slow
def test_the_search_box_finds_a_post(site_server: str, browser: Browser) -> None:
    with watched(browser, viewport={"width": 390, "height": 800}) as page:
        page.goto(site_server + KNOWN_POST)
        page.get_by_role("searchbox", name="Search").fill(KNOWN_WORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=" + KNOWN_WORD)
        found = results(page)
        assert "/" + KNOWN_POST in found
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0


def test_a_word_in_no_page_finds_nothing(site_server: str, browser: Browser) -> None:
    with watched(browser) as page:
        page.goto(site_server + "search/?q=xylophonequux")
        assert results(page) == []
        assert "No results" in page.locator(".pagefind-ui__message").inner_text()


def test_typing_on_the_search_page_searches(site_server: str, browser: Browser) -> None:
    with watched(browser) as page:
        page.goto(site_server + "search/")
        page.locator(".pagefind-ui__search-input").fill(KNOWN_WORD.lower())
        assert "/" + KNOWN_POST in results(page)
        page.keyboard.press("Enter")  # its form goes nowhere, and the CSP has no complaint
        assert page.url.endswith("/search/?q=" + KNOWN_WORD.lower())  # the address follows


def test_without_javascript_the_box_still_leads_to_search(
    site_server: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server)
    page.locator("#site-search-q").fill(KNOWN_WORD)
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url("**/search/?q=" + KNOWN_WORD)
    assert "needs JavaScript" in page.locator("main").inner_text()
    context.close()


@pytest.mark.slow
@pytest.mark.network
def test_results_under_a_base_path_open(news_site: Path, browser: Browser) -> None:
    with serving(news_site) as url, watched(browser) as page:
        page.goto(url + "news/search/?q=" + KNOWN_WORD)
        assert "/news/" + KNOWN_POST in results(page)
        page.locator(".pagefind-ui__result-link").first.click()
        page.wait_for_url("**/news/" + KNOWN_POST)

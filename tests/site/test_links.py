"""Every internal link of the built site leads somewhere, whatever the base_url.

Goes further than test_build.py's check of root-relative hrefs: every built HTML file
is parsed, and every URL in an attribute (href, src, srcset, form action… the list of
tests/support/urls.py) or an Open Graph tag that is relative, root-relative or absolute
under the site's base_url must name a file in site/ (a folder: its index.html), with
its #fragment an id of that page. Every other published text file (feeds, sitemap,
robots.txt, calendar, plain-text email) is searched for absolute addresses under
base_url, which must resolve too. Run on the example as it is, and on a build under a
base path (https://example.org/news/) with a post that carries an image, a PDF and
links of every shape, so prefixing is covered.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from PIL import Image

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example
from support.urls import urls_in

EXAMPLE_BASE = "https://commons.example.org/"
NEWS_BASE = "https://example.org/news/"
TEXT_FILES = (".xml", ".json", ".txt", ".ics", ".opml", ".css", ".js", ".svg")
META_URLS = {"og:url", "og:image", "twitter:image"}


class PageParser(HTMLParser):
    """The link targets (attribute, value) and the ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        for key, value in values.items():
            self.targets += [(f"{tag} {key}", url) for url in urls_in(key, value)]
            if key == "id":
                self.ids.add(value)
        if tag == "meta" and values.get("property", values.get("name")) in META_URLS:
            self.targets.append(
                (f"meta {values.get('property') or values.get('name')}", values.get("content", ""))
            )


@cache
def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


@dataclass
class LinkReport:
    pages: int = 0
    files: int = 0
    links: int = 0
    prefixed: int = 0
    """Internal links written with the base path in them (root-relative or absolute)."""
    broken: list[str] = field(default_factory=list)


def page_url(site: Path, path: Path, base: str) -> str:
    """The address a file is served at. The 404 page is served at any missing address,
    so it is read as if deep in the site: a document-relative link there is broken."""
    rel = path.relative_to(site).as_posix()
    if rel == "404.html":
        return base + "some/missing/page/"
    return base + rel.removesuffix("index.html")


def check_link(
    site: Path, base: str, where: str, source: str, value: str, report: LinkReport
) -> None:
    """Resolve ``value`` as the browser would from ``source``; record it if it is broken."""
    value = value.strip()
    if not value or re.match(r"(mailto|tel|data):", value, re.I):
        return
    url = urljoin(source, value)
    parts, home = urlsplit(url), urlsplit(base)
    if parts.netloc.lower() != home.netloc.lower() or parts.scheme not in ("http", "https"):
        return  # another site
    report.links += 1
    if not parts.path.startswith(home.path):
        report.broken.append(f"{where} → {value} (outside the site's path {home.path})")
        return
    if value.startswith((home.path, base)) and home.path != "/":
        report.prefixed += 1
    rel = unquote(parts.path[len(home.path) :])
    target = site / rel
    if rel == "" or rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        report.broken.append(f"{where} → {value} (no {target.relative_to(site)})")
    elif (
        parts.fragment
        and target.suffix == ".html"
        and unquote(parts.fragment) not in parse(target).ids
    ):
        report.broken.append(f"{where} → {value} (no id {parts.fragment!r} there)")


def check_site(site: Path, base: str) -> LinkReport:
    report = LinkReport()
    address = re.compile(re.escape(base) + r"[^\s\"'<>()\[\]\\`]*")
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            report.pages += 1
            served_at = page_url(site, path, base)
            for what, value in parse(path).targets:
                # a fragment alone is this very page, wherever it is served
                source = base + rel if value.strip().startswith("#") else served_at
                check_link(site, base, f"{rel} ({what})", source, value, report)
        elif path.suffix in TEXT_FILES:
            report.files += 1
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".ics":
                text = re.sub(r"\r?\n[ \t]", "", text)  # unfold long lines
            for match in address.finditer(html.unescape(text)):
                found = match.group().rstrip(".,;:!?")
                check_link(site, base, rel, base, found, report)
    return report


def test_every_internal_link_of_the_example_resolves(built_example: Path) -> None:
    report = check_site(built_example, EXAMPLE_BASE)
    print(f"{report.pages} pages and {report.files} other files: {report.links} internal links")
    assert not report.broken, "\n".join(report.broken[:20])
    assert report.pages > 150 and report.links > 5000


POST = """\
---
title: Street trees, mapped
by: yusuf
kind: article
tags: [mapping]
date: 2026-11-12
---
Our canopy survey, in [the mapping topic](/topics/mapping/), answering
[Ben's ask](/posts/2026/ask-archiving-scanned-council-maps/) and
[the edition it came in](/editions/10/#2026-ask-archiving-scanned-council-maps).
Also on [the network](../../../network/) and [the archive](https://example.org/news/archive/).

![Canopy cover by ward](canopy.png)

[The slides](slides.pdf)
"""


@pytest.fixture(scope="module")
def built_under_a_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built for https://example.org/news/, with a post that has an image, a
    PDF and root-relative, relative, absolute and fragment links in its text."""
    root = copy_example(tmp_path_factory.mktemp("news") / "example")
    folder = root / "content/posts/2026/street-trees-mapped"
    folder.mkdir()
    (folder / "index.md").write_text(POST, encoding="utf-8")
    Image.new("RGB", (64, 48), (40, 120, 60)).save(folder / "canopy.png")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4\n%slides\n")
    result = run("build", "--today", EXAMPLE_TODAY, "--base-url", NEWS_BASE, cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.mark.slow
def test_every_internal_link_resolves_under_a_base_path(built_under_a_path: Path) -> None:
    site = built_under_a_path
    report = check_site(site, NEWS_BASE)
    print(f"{report.pages} pages and {report.files} other files: {report.links} internal links")
    assert not report.broken, "\n".join(report.broken[:20])
    assert report.pages > 150 and report.prefixed > 5000
    post = parse(site / "posts/2026/street-trees-mapped/index.html")
    values = [v for _, v in post.targets]
    assert "/news/posts/2026/street-trees-mapped/canopy.png" in values
    assert "/news/posts/2026/street-trees-mapped/slides.pdf" in values
    assert "/news/editions/10/#2026-ask-archiving-scanned-council-maps" in values


def test_the_checker_finds_what_is_broken(tmp_path: Path) -> None:
    """The checker itself: a copy of a page with one broken link of each kind."""
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    (site / "index.html").write_text('<h1 id="top">Home</h1>')
    (site / "posts/index.html").write_text(
        '<a href="/posts/nowhere/">gone</a> <a href="/news/index.html#nope">no id</a>'
        '<img src="missing.png" alt=""> <a href="https://example.org/elsewhere/">outside</a>'
        '<a href="../#top">fine</a> <a href="https://other.example.net/">another site</a>'
        '<img srcset="a.png 1x, /news/index.html 2x" alt="">'
    )
    report = check_site(site, NEWS_BASE)
    reasons = "\n".join(report.broken)
    assert len(report.broken) == 5, reasons
    assert "outside the site's path" in reasons and "no id 'nope'" in reasons
    assert "missing.png" in reasons and "a.png" in reasons

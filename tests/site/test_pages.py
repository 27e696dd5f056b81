"""Standalone pages: content/pages/<slug>.md built at /<slug>/ through page.html, linked
from the footer or the top navigation by ``menu:`` (in ``order``), in the sitemap and in
search, sanitized like posts; every mistake said by `check` at its file and line."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write

PAGES = {
    "about": "---\ntitle: About us\nsummary: Who we are.\nmenu: footer\norder: 2\n---\n"
    "We are **neighbours**. See [how to share](/how-to-share/).\n",
    "code-of-conduct": "---\ntitle: Code of conduct\nmenu: footer\norder: 1\n---\nBe kind.\n",
    "how-to-share": "---\ntitle: How to share\nmenu: nav\n---\nWrite a post.\n",
    "colophon": "---\ntitle: Colophon\n---\nMade with care.\n",
}


def pages_project(root: Path, pages: dict[str, str] = PAGES) -> Path:
    project(root)
    for slug, text in pages.items():
        write(root, f"content/pages/{slug}.md", text)
    return root


def build(root: Path, *args: str) -> Path:
    result = run("build", "--today", TODAY, *args, cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"


def footer_links(html: str) -> list[str]:
    footer = html[html.index('<footer class="site-footer">') :]
    return re.findall(r'<a href="([^"]+)"', footer[: footer.index('id="footer-follow-h"')])


def nav_links(html: str) -> list[str]:
    nav = html[html.index('<nav class="site-nav"') :]
    return re.findall(r'<a href="([^"]+)"', nav[: nav.index("</nav>")])


def test_pages_are_built_linked_and_listed(tmp_path: Path) -> None:
    site = build(pages_project(tmp_path), "--no-search")
    about = (site / "about/index.html").read_text()
    assert "<title>About us · Test Exchange</title>" in about
    assert '<h1 id="page-title">About us</h1>' in about
    assert "We are <strong>neighbours</strong>." in about
    assert '<meta name="description" content="Who we are.">' in about
    assert '<link rel="canonical" href="https://news.example.org/about/">' in about
    assert "data-pagefind-body" in about
    # the footer of every page, in order then title; the nav has its own
    for page in ("index.html", "about/index.html", "members/ada/index.html", "404.html"):
        html = (site / page).read_text()
        assert footer_links(html)[-2:] == ["/code-of-conduct/", "/about/"], page
        assert nav_links(html)[-1] == "/how-to-share/", page
        assert "/colophon/" not in html  # in no menu: linked from nowhere
    assert 'href="/about/" aria-current="page"' in about
    colophon = (site / "colophon/index.html").read_text()
    assert "Made with care." in colophon
    assert '<meta name="description" content="Made with care.">' in colophon
    sitemap = (site / "sitemap.xml").read_text()
    for slug in PAGES:
        assert f"<loc>https://news.example.org/{slug}/</loc>" in sitemap


@pytest.mark.slow
def test_pages_are_searched(tmp_path: Path) -> None:
    site = build(pages_project(tmp_path))
    indexed = {}
    for path in (site / "pagefind/fragment").iterdir():
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        indexed[fragment["url"]] = fragment
    for slug in PAGES:
        assert f"/{slug}/" in indexed
    assert indexed["/about/"]["meta"]["kind"] == "Page"
    assert "neighbours" in indexed["/about/"]["content"]
    assert "/members/" not in indexed and "/archive/" not in indexed  # listings are not


def test_a_page_is_sanitized_like_a_post(tmp_path: Path) -> None:
    hostile = (
        "---\ntitle: <script>alert(1)</script> About\n---\n"
        "<script>alert(2)</script>\n\n[click](javascript:alert(3))\n\n"
        '<img src="x" onerror="alert(4)">\n'
    )
    site = build(pages_project(tmp_path, {"about": hostile}), "--no-search")
    html = (site / "about/index.html").read_text()
    assert "<script>alert" not in html and "javascript:" not in html
    assert "onerror" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; About" in html


def check(root: Path) -> str:
    result = run("check", "--today", TODAY, cwd=root)
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("slug", ["members", "posts", "archive", "search", "topics", "asks"])
def test_a_page_cannot_take_the_sites_own_address(tmp_path: Path, slug: str) -> None:
    pages_project(tmp_path, {slug: "---\ntitle: Mine\n---\nText.\n"})
    output = check(tmp_path)
    assert (
        f"content/pages/{slug}.md:1:1: error: /{slug}/ is already the site's own page: "
        "a standalone page cannot take it [page.slug]"
    ) in output
    assert f"rename the file, for example to about-{slug}.md" in output
    result = run("build", "--today", TODAY, "--no-search", cwd=tmp_path)
    assert result.exit_code == 1 and "nothing was published" in result.output


MISTAKES = [
    (
        "About Us",
        "---\ntitle: About\n---\nx\n",
        "1:1: error: 'About Us' cannot be a page's address",
    ),
    ("about", "---\nmenu: footer\n---\nx\n", "1:1: error: missing required field 'title'"),
    (
        "about",
        "---\ntitle: About\nmenu: foter\n---\nx\n",
        "3:7: error: unknown menu 'foter' (did you mean 'footer'?) [page.menu]",
    ),
    (
        "about",
        "---\ntitle: About\norder: first\n---\nx\n",
        "3:8: error: 'order' must be a whole number, zero or more, not 'first'",
    ),
    (
        "about",
        "---\ntitle: About\nmenus: nav\n---\nx\n",
        "3:1: warning: unknown field 'menus' (did you mean 'menu'?)",
    ),
    (
        "about",
        "---\ntitle: About\n---\nWrite to us at editors@example.org.\n",
        "4:16: error: email address in public content [privacy.email]",
    ),
    (
        "about",
        "---\ntitle: About\n---\nSee [the archive](/archiv/).\n",
        "4:19: error: broken link: no page at /archiv/ [link.internal]",
    ),
    ("about", "title: About\n", "1:1: error: missing front matter"),
]


@pytest.mark.parametrize(("slug", "text", "said"), MISTAKES)
def test_each_mistake_in_a_page_is_said_at_its_line(
    tmp_path: Path, slug: str, text: str, said: str
) -> None:
    pages_project(tmp_path, {slug: text})
    output = check(tmp_path)
    assert f"content/pages/{slug}.md:{said}" in output, output


def test_posts_may_link_to_pages(tmp_path: Path) -> None:
    root = project(tmp_path, posts={"hello": post("Hello", "ada", "Read [about us](/about/).")})
    write(root, "content/pages/about.md", PAGES["about"].replace("/how-to-share/", "/about/"))
    assert check(root).endswith("✓ 0 errors, 0 warnings\n")


@pytest.mark.slow
def test_a_changed_menu_reaches_every_page_of_an_incremental_build(tmp_path: Path) -> None:
    root = pages_project(tmp_path)
    site = build(root, "--no-search")
    member = site / "members/grace/index.html"
    assert ">About us</a>" in member.read_text()
    write(root, "content/pages/about.md", PAGES["about"].replace("About us", "Who we are"))
    build(root, "--no-search")
    assert ">Who we are</a>" in member.read_text()
    write(root, "content/pages/about.md", PAGES["about"].replace("menu: footer\n", ""))
    build(root, "--no-search")
    assert "/about/" not in member.read_text()
    assert (site / "about/index.html").is_file()

"""Build the bundled example end to end, through the CLI, and look at what came out."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsletter.core.markup import EMAIL_RE

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.paths import GOLDEN, REPO

GOLDEN_FILES = [
    "editions/3/index.html",
    "posts/2026/geocoding-asthma-admissions-offline/index.html",
    "posts/2026/intro-ben-mei-versioning-geodata/index.html",
    "members/yusuf/index.html",
    "topics/mapping/index.html",
    "archive/index.html",
    "asks/index.html",
    "about/index.html",
    "feed.xml",
    "feed.json",
    "events.ics",
    "sitemap.xml",
    "email/10.html",
    "email/10.txt",
    # the example's second language: French words, dates and markers
    "fr/editions/10/index.html",
    "fr/members/yusuf/index.html",
    "fr/feed.xml",
    "fr/email/10.txt",
]


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden(built_example: Path, name: str, update_golden: bool) -> None:
    """Key pages equal their committed copies; `pytest --update-golden` rewrites them."""
    golden = GOLDEN / name
    actual = (built_example / name).read_bytes()
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"no golden copy of {name}: run pytest --update-golden"
    assert actual == golden.read_bytes(), f"{name} changed: review, then pytest --update-golden"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.hrefs.append(value)
            if key == "id" and value:
                self.ids.add(value)


def _parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_exists(built_example: Path) -> None:
    content = REPO / "content"
    expected = [
        "index.html",
        "archive/index.html",
        "members/index.html",
        "topics/index.html",
        "feed.xml",
        "feed.json",
        "sitemap.xml",
        "404.html",
        "events.ics",
        "robots.txt",
    ]
    expected += [f"editions/{p.stem}/index.html" for p in (content / "editions").glob("*.md")]
    expected += [
        f"email/{p.stem}.{ext}"
        for p in (content / "editions").glob("*.md")
        for ext in ("html", "txt")
    ]
    expected += [f"members/{p.stem}/index.html" for p in (content / "members").glob("*.yaml")]
    posts = [p for p in (content / "posts").rglob("*.md") if "draft: true" not in p.read_text()]
    expected += [f"posts/{p.parent.name}/{p.stem}/index.html" for p in posts]
    missing = [name for name in expected if not (built_example / name).is_file()]
    assert not missing
    assert len(posts) >= 80


def test_editions_hold_every_item_with_an_anchor(built_example: Path) -> None:
    seen: list[str] = []
    for number in range(1, 11):
        page = _parse(built_example / f"editions/{number}/index.html")
        anchors = sorted(i for i in page.ids if re.fullmatch(r"\d{4}-[a-z0-9-]+", i))
        assert len(anchors) >= 7, number
        seen += anchors
    assert len(seen) == len(set(seen))  # each item is in exactly one edition
    posts = list((built_example / "posts").glob("*/*/index.html"))
    assert len(seen) == len(posts)


@pytest.mark.slow
def test_internal_links_resolve(built_example: Path) -> None:
    broken = []
    pages = list(built_example.rglob("*.html"))
    for page in pages:
        parsed = _parse(page)
        for href in parsed.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            target = built_example / parts.path.lstrip("/")
            if target.is_dir():
                target /= "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(built_example)} → {href}")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and parts.fragment not in _parse(target).ids
            ):
                broken.append(f"{page.relative_to(built_example)} → {href} (no anchor)")
    assert not broken, broken[:10]
    assert len(pages) > 150


def test_no_email_address_anywhere(built_example: Path) -> None:
    for path in built_example.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not EMAIL_RE.search(text), path
    config = (REPO / "newsletter.yaml").read_text()
    assert "news@commons.example.org" in config  # the sender address exists, yet is not published


def test_member_page_shows_the_exchange(built_example: Path) -> None:
    page = (built_example / "members/yusuf/index.html").read_text()
    assert "Yusuf" in page
    for heading in ("Shared", "In the exchange"):
        assert heading in page
    assert "/topics/" in page


def test_email_is_table_layout_inlined_and_small(built_example: Path) -> None:
    for number in range(1, 11):
        html = (built_example / f"email/{number}.html").read_bytes()
        assert len(html) < 102 * 1024
        text = html.decode()
        assert "<table" in text and 'role="presentation"' in text
        assert re.search(r'<h1 style="[^"]+"', text)  # CSS inlined onto elements
        assert "View in your browser" in text
        assert f"https://commons.example.org/editions/{number}/" in text
        plain = (built_example / f"email/{number}.txt").read_text()
        assert "<p>" not in plain and "&amp;" not in plain  # text, not markup
        assert f"https://commons.example.org/editions/{number}/" in plain


@pytest.mark.slow
def test_drafts_only_with_the_flag(example: Path) -> None:
    draft = next(
        p for p in (example / "content/posts").rglob("*.md") if "draft: true" in p.read_text()
    )
    url = f"site/posts/{draft.parent.name}/{draft.stem}/index.html"
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    assert not (example / url).exists()
    assert run("build", "--today", EXAMPLE_TODAY, "--drafts", cwd=example).exit_code == 0
    assert (example / url).is_file()


@pytest.mark.slow
def test_future_edition_is_a_draft(example: Path) -> None:
    result = run("build", "--today", "2026-10-01", cwd=example)
    assert result.exit_code == 0, result.output
    assert (example / "site/editions/8/index.html").is_file()
    assert not (example / "site/editions/9").exists()
    assert "Edition 8" in (example / "site/index.html").read_text()


@pytest.mark.slow
def test_base_url_with_a_path(example: Path) -> None:
    result = run(
        "build", "--today", EXAMPLE_TODAY, "--base-url", "https://org.example.io/news/", cwd=example
    )
    assert result.exit_code == 0, result.output
    home = (example / "site/index.html").read_text()
    assert 'href="/news/static/style.css"' in home
    assert 'href="/news/archive/"' in home
    assert not re.search(r'href="/(?!news/)', home)
    feed = (example / "site/feed.xml").read_text()
    assert "https://org.example.io/news/editions/10/" in feed


@pytest.mark.slow
def test_quiet_prints_nothing_on_success(example: Path) -> None:
    result = run("build", "--today", EXAMPLE_TODAY, "--quiet", cwd=example)
    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.slow
def test_build_from_the_repository_root_as_documented(tmp_path: Path) -> None:
    """The README's first command builds this repository's own example."""
    result = run("build", "--today", EXAMPLE_TODAY, "--output", str(tmp_path / "site"), cwd=REPO)
    assert result.exit_code == 0, result.output
    assert re.search(r"built \d+ files", result.output)


def _anchors(site: Path, number: int) -> set[str]:
    ids = _parse(site / f"editions/{number}/index.html").ids
    return {i for i in ids if re.fullmatch(r"\d{4}-[a-z0-9-]+", i)}


@pytest.mark.slow
def test_include_and_exclude_move_items_between_editions(example: Path) -> None:
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    site = example / "site"
    moved = sorted(_anchors(site, 5))[0]
    dropped = sorted(_anchors(site, 3))[0]
    edition = example / "content/editions/3.md"
    front, note = edition.read_text().split("---\n", 2)[1:]
    include = moved.replace("-", "/", 1)
    exclude = dropped.replace("-", "/", 1)
    edition.write_text(f"---\n{front}include: [{include}]\nexclude: [{exclude}]\n---\n{note}")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=example)
    assert result.exit_code == 0, result.output
    assert moved in _anchors(site, 3) and moved not in _anchors(site, 5)
    assert dropped not in _anchors(site, 3)
    assert all(dropped not in _anchors(site, n) for n in range(1, 11))
    assert (site / f"posts/{include}/index.html").is_file()  # still published on its own page


@pytest.mark.slow
def test_a_huge_edition_email_falls_back_to_excerpts(tmp_path: Path) -> None:
    """Gmail clips messages over 102 KB: a long edition is sent as excerpts with links."""
    from support.helpers import post, project

    paragraph = "A long paragraph about open data and the people who keep it going. " * 20
    posts = {
        f"p{i}": post(f"Post number {i}", "ada", f"{paragraph}\n\n{paragraph}") for i in range(60)
    }
    root = project(tmp_path, posts)
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    html = (root / "site/email/1.html").read_bytes()
    assert len(html) < 102 * 1024
    assert html.count(b"Read on the site") == 60
    assert b"Post number 59" in html
    assert len((root / "site/editions/1/index.html").read_bytes()) > 102 * 1024  # web: in full


@pytest.mark.slow
def test_an_edition_too_long_even_for_excerpts_is_reported(tmp_path: Path) -> None:
    from support.helpers import post, project

    posts = {
        f"p{i}": post(f"Post number {i} about a long and winding subject", "ada", "Short.")
        for i in range(400)
    }
    root = project(tmp_path, posts)
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert "content/editions/1.md:1:1: warning: the email of edition 1 is" in result.output
    assert "[email.too-large]" in result.output
    assert len((root / "site/email/1.html").read_bytes()) >= 102 * 1024

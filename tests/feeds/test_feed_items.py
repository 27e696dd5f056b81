"""Feed items in the built site and email: where they land, what members filter,
de-duplication, and that nothing hostile from a feed survives."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
import pytest

from support.cli import run
from support.clock import TODAY
from support.feedserver import FeedServer
from support.helpers import post, project, write
from support.paths import FEEDS

CONFIG = (
    "title: Test Exchange\nbase_url: https://news.example.org/\n"
    "feeds: {backfill_days: 3650, excerpt_words: 12, allow_private: true}\n"
)  # allow_private: the feeds are on the local test server


def feed_project(root: Path, members: dict[str, str], posts: dict[str, str] | None = None) -> Path:
    """Two editions (2026-11-01 and 2026-11-19) and the given members and posts."""
    posts = {
        "hello": post("Hello", "ada", date="2026-11-10"),
        "early": post("Early", "ada", date="2026-10-25"),
        **(posts or {}),
    }
    project(root, posts=posts, members=members)
    write(root, "newsletter.yaml", CONFIG)
    write(root, "content/editions/0.md", "---\ntitle: Zero\ndate: 2026-11-01\n---\nFirst.\n")
    return root


def fetch_and_build(root: Path) -> Path:
    fetched = run("fetch", "--today", TODAY, cwd=root)
    assert fetched.exit_code == 0, fetched.output
    built = run("build", "--today", TODAY, cwd=root)
    assert built.exit_code == 0, built.output
    return root / "site"


def serve(server: FeedServer, name: str, path: str | None = None) -> str:
    return server.route(path or f"/{name}", (FEEDS / name).read_bytes())


@pytest.mark.slow
def test_feed_items_land_everywhere(tmp_path: Path, feed_server: FeedServer) -> None:
    url = serve(feed_server, "rss20.xml")
    root = feed_project(
        tmp_path / "p",
        {"ada": f"name: Ada Lovelace\nfeeds: [{url}]\n", "grace": "name: Grace Hopper\n"},
    )
    site = fetch_and_build(root)
    page = site / "posts/2026/packaging-a-python-tool-without-tears/index.html"
    assert page.is_file()
    html = page.read_text()
    assert "https://blog.example.org/posts/packaging/" in html and "from their blog" in html
    # 2026-11-17: in the edition of 2026-11-19; 2026-10-21: in the one of 2026-11-01
    edition1 = (site / "editions/1/index.html").read_text()
    assert "Packaging a Python tool without tears" in edition1
    assert "Publishing open data with a data package" in edition1
    assert "Notes from the October meetup" in (site / "editions/0/index.html").read_text()
    assert "Notes from the October meetup" not in edition1
    member = (site / "members/ada/index.html").read_text()
    assert member.count("Packaging a Python tool") >= 1 and "3 new" not in member
    # categories become topics: "Open Data" → open-data, "Python" → python
    assert "Publishing open data" in (site / "topics/open-data/index.html").read_text()
    assert "Packaging a Python tool" in (site / "topics/python/index.html").read_text()
    email = (site / "email/1.html").read_text()
    assert "Packaging a Python tool without tears" in email
    text = (site / "email/1.txt").read_text()
    assert "Packaging a Python tool without tears" in text and "from their blog" in text
    atom = feedparser.parse((site / "feed.xml").read_bytes())
    assert not atom.bozo
    assert "Packaging a Python tool" in atom.entries[0].content[0].value


def test_excerpts_are_cut_on_a_word_boundary(tmp_path: Path, feed_server: FeedServer) -> None:
    long_text = " ".join(f"word{i}" for i in range(200))
    body = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        "<item><title>Long</title><link>https://blog.example.org/long/</link>"
        "<pubDate>Tue, 10 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p><em>{long_text}</em></p>]]></description></item>"
        "</channel></rss>"
    ).encode()
    url = feed_server.route("/long.xml", body)
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}]\n"})
    html = (fetch_and_build(root) / "posts/2026/long/index.html").read_text()
    words = " ".join(f"word{i}" for i in range(12))
    assert f"<p><em>{words} …</em></p>" in html
    assert "word12" not in html


def test_relative_links_resolve_against_the_entry(tmp_path: Path, feed_server: FeedServer) -> None:
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<link>https://blog.example.org/</link>"
        b"<item><title>Bundle</title><link>https://blog.example.org/2026/bundle/</link>"
        b"<pubDate>Tue, 10 Nov 2026 10:00:00 GMT</pubDate><description><![CDATA["
        b"<p><img src='chart.png' alt='a chart'> <a href='../other/'>other</a> "
        b"<a href='/about/'>about</a></p>]]></description></item></channel></rss>"
    )
    url = feed_server.route("/feed.xml", body)
    based = serve(feed_server, "relative.xml")  # xml:base wins where the feed gives one
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}, {based}]\n"})
    site = fetch_and_build(root)
    html = (site / "posts/2026/bundle/index.html").read_text()
    assert 'src="https://blog.example.org/2026/bundle/chart.png"' in html
    assert 'href="https://blog.example.org/2026/other/"' in html
    assert 'href="https://blog.example.org/about/"' in html
    rel = (site / "posts/2026/relative-images-and-links/index.html").read_text()
    assert 'src="https://blog.example.org/blog/img/x.png"' in rel


def test_duplicates_appear_once_credited_to_the_first_sharer(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    a = serve(feed_server, "dupes-a.xml")
    b = serve(feed_server, "dupes-b.xml")
    posts = {
        "only-b-by-hand": post(
            "Only in feed B, shared by hand",
            "ada",
            date="2026-11-17",
            link="https://other.example.net/posts/only-b/?utm_campaign=z",
        )
    }
    root = feed_project(
        tmp_path / "p",
        {
            "ada": "name: Ada Lovelace\n",
            "grace": f"name: Grace Hopper\nfeeds: [{a}]\n",
            "linus": f"name: Linus Pauling\nfeeds: [{b}]\n",
        },
        posts,
    )
    site = fetch_and_build(root)
    pages = sorted(p.parent.name for p in (site / "posts/2026").glob("*/index.html"))
    assert pages == [
        "early",
        "hello",
        "joint-post-our-shared-workshop",
        "only-b-by-hand",
        "only-in-feed-a",
        "the-same-link-twice",
    ]
    joint = (site / "posts/2026/joint-post-our-shared-workshop/index.html").read_text()
    assert re.search(
        r"Shared by <a [^>]*>Grace Hopper</a>.*also shared by <a [^>]*>Linus Pauling", joint, re.S
    )
    same = (site / "posts/2026/the-same-link-twice/index.html").read_text()
    assert "also shared by" in same and "Linus Pauling" in same  # www. and utm_ ignored
    by_hand = (site / "posts/2026/only-b-by-hand/index.html").read_text()
    # the Markdown post keeps its place and words; the feed item folds into it
    assert "Shared by <a" in by_hand and "also shared by" in by_hand
    assert "Linus Pauling" in by_hand


@pytest.mark.slow
def test_members_choose_what_to_share(tmp_path: Path, feed_server: FeedServer) -> None:
    rss = serve(feed_server, "rss20.xml")
    atom = serve(feed_server, "atom10.xml")
    entities = serve(feed_server, "entities.xml")
    member = (
        "name: Ada\nfeeds:\n"
        f"  - url: {rss}\n    filter: {{tags: [open-data]}}\n    tags: [civic]\n"
        f"  - url: {atom}\n    filter: {{title: '(?i)budget|trajector'}}\n"
        f"  - url: {entities}\n    max_per_edition: 1\n"
    )
    root = feed_project(tmp_path / "p", {"ada": member})
    site = fetch_and_build(root)
    titles = {p.parent.name for p in (site / "posts/2026").glob("*/index.html")}
    assert "publishing-open-data-with-a-data-package" in titles
    assert "packaging-a-python-tool-without-tears" not in titles  # not tagged open-data
    assert {"open-budgets-the-city-council", "trajectories-in-a-notebook"} <= titles
    assert "why-we-version-our-datasets" not in titles
    # entities.xml: 2026-11-13 and 2026-11-04 share a window; only the newest is kept
    assert "fish-chips-open-data" in titles and "why-3-5-isn-t-the-whole-story" not in titles
    assert "cafe-culture-creme-brulee" in titles  # the previous window has its own one
    tagged = (site / "topics/civic/index.html").read_text()
    assert "Publishing open data" in tagged


@pytest.mark.slow
def test_backfill_keeps_a_new_feeds_history_out(tmp_path: Path, feed_server: FeedServer) -> None:
    url = serve(feed_server, "rss20.xml")
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}]\n"})
    write(root, "newsletter.yaml", CONFIG.replace("backfill_days: 3650", "backfill_days: 0"))
    site = fetch_and_build(root)
    # fetched today (after every entry's date): nothing older than the first fetch
    assert not (site / "posts/2026/packaging-a-python-tool-without-tears").exists()


@pytest.mark.slow
def test_hostile_feed_content_never_reaches_a_page(tmp_path: Path, feed_server: FeedServer) -> None:
    url = serve(feed_server, "hostile.xml")
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}]\n"})
    write(root, "newsletter.yaml", CONFIG.replace("excerpt_words: 12", "excerpt_words: 0"))
    site = fetch_and_build(root)
    outputs = [p for p in site.rglob("*") if p.suffix in (".html", ".xml", ".json", ".txt")]
    pages = "\n".join(p.read_text() for p in outputs)
    for marker in (
        "<script>alert",
        "onerror=",
        "onload=",
        "onclick",
        "javascript:",
        "&#106;avascript",
        "data:text/html",
        "<iframe",
        "<object",
        "expression(",
        # the feed's form, not the site's own (the search box)
        'action="https://other.example.net',
        'name="password"',
        '<meta http-equiv="refresh"',
        "<base ",
    ):
        assert marker.lower() not in pages.lower(), marker
    # the only SVG is the network map the build draws, not the feed's
    assert all("<svg" not in p.read_text() for p in outputs if p.parent.name != "network")
    assert "Before the script." in pages and "Plain words." in pages
    assert "{{ 7*7 }}" in pages and ">49<" not in pages
    # items 9 and 10 have no http(s) link: left out; the two Markdown posts are there
    assert len(list((site / "posts/2026").glob("*/index.html"))) == 12


@pytest.mark.slow
def test_build_is_offline_and_reproducible(tmp_path: Path, feed_server: FeedServer) -> None:
    url = serve(feed_server, "atom10.xml")
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}]\n"})
    site = fetch_and_build(root)
    first = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    requests = len(feed_server.requests)
    again = run("build", "--today", TODAY, "-o", str(tmp_path / "again"), cwd=root)
    assert again.exit_code == 0
    assert len(feed_server.requests) == requests  # build never touches the network
    second = {
        site / p.relative_to(tmp_path / "again"): p.read_bytes()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    }
    assert first == second
    shutil.rmtree(root / ".newsletter")
    bare = run("build", "--today", TODAY, cwd=root)
    assert bare.exit_code == 0
    assert not (site / "posts/2026/trajectories-in-a-notebook").exists()


def test_build_fetch_does_both(tmp_path: Path, feed_server: FeedServer) -> None:
    url = serve(feed_server, "atom03.xml")
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\nfeeds: [{url}]\n"})
    result = run("build", "--fetch", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert "1 feed in" in result.output
    assert (root / "site/posts/2026/nanoseconds-in-wire/index.html").is_file()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("feeds: [https://user:secret@blog.example.org/feed.xml]", "[feed.credentials]"),
        ("feeds: [{url: https://b.example.org/f, filter: {title: '(unclosed'}}]", "[feed.filter]"),
        ("feeds: [ftp://b.example.org/f]", "[field.link]"),
        ("feeds: [{url: https://b.example.org/f, max_per_edition: -1}]", "[field.type]"),
    ],
    ids=["credentials", "bad-regex", "ftp", "negative-max"],
)
def test_check_validates_member_feeds(tmp_path: Path, member: str, message: str) -> None:
    root = feed_project(tmp_path / "p", {"ada": f"name: Ada\n{member}\n"})
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "content/members/ada.yaml:2:" in result.output and message in result.output

"""`newsletter fetch` against a real HTTP server on 127.0.0.1: formats, caching, and
every way a feed server can misbehave, each reported on its own line.

The server is on this machine, which the guard refuses by default
(tests/feeds/test_fetch_guard.py): these projects allow it (``feeds: {allow_private: true}``)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from newsletter.core import clock
from newsletter.core.diagnostics import Location
from newsletter.feeds.cache import open_cache
from newsletter.feeds.fetch import FeedTarget, FetchSettings, fetch

from support.cli import run
from support.clock import TODAY
from support.feedserver import FeedServer, Gate
from support.helpers import project, write
from support.paths import FEEDS

RSS = "application/rss+xml; charset=utf-8"
LOCAL = "title: Test Exchange\nbase_url: https://news.example.org/\nfeeds: {allow_private: true}\n"
"""newsletter.yaml of a project whose feeds are on the local test server."""


def members_with_feeds(root: Path, feeds: dict[str, list[str]]) -> Path:
    """A valid project whose members (by handle) list the given feed URLs."""
    members = {
        handle: f"name: {handle.title()}\nfeeds:\n" + "".join(f"  - {u}\n" for u in urls)
        for handle, urls in feeds.items()
    }
    members.setdefault("ada", "name: Ada\n")
    project(root, members=members)
    write(root, "newsletter.yaml", LOCAL)
    return root


def entries(root: Path) -> dict[str, list[str]]:
    """Cached entry titles by feed URL."""
    db = sqlite3.connect(root / ".newsletter" / "feeds.sqlite")
    out: dict[str, list[str]] = {}
    for url, title in db.execute("SELECT feed_url, title FROM entry ORDER BY published"):
        out.setdefault(url, []).append(title)
    db.close()
    return out


def lines(output: str) -> dict[str, str]:
    """The report table's row for each feed URL."""
    return {word: line for line in output.splitlines() for word in line.split() if "://" in word}


FORMATS = {
    "rss091.xml": ["Punched cards, revisited", "Reading Note G again"],
    "rss092.xml": ["The bug in relay 70", ""],
    "rss10.rdf": ["Digest #11: transport timetables", "Digest #12: the census release"],
    "rss20.xml": [
        "Notes from the October meetup",
        "Publishing open data with a data package",
        "Packaging a Python tool without tears",
    ],
    "atom03.xml": ["Compilers are for people", "Nanoseconds, in wire"],
    "atom10.xml": [
        "Why we version our datasets",
        "Open budgets & the city council",
        "Trajectories in a notebook",
    ],
    "feed.json": ["Planning open data day", "COBOL at 67"],
    "cdata.xml": ["Full content in content:encoded", "Tips & tricks for CDATA"],
    "entities.xml": [
        "Café culture & crème brûlée",
        "Why 3 < 5 isn’t the whole story",
        "Fish & Chips & Open Data",
    ],
    "latin1.xml": [
        "£5 for the community fund",
        "Über-feeds from München",
        "Café society and open data",
    ],
    "cp1252-noheader.xml": ["€10 for open data – a budget", "“Smart” quotes from a word processor"],
}


def test_every_format_is_read(tmp_path: Path, feed_server: FeedServer) -> None:
    urls = {}
    for name in FORMATS:
        ctype = {
            "feed.json": "application/feed+json",
            "cp1252-noheader.xml": "application/rss+xml; charset=windows-1252",
            "latin1.xml": "application/rss+xml",
        }.get(name, RSS)
        urls[name] = feed_server.route(f"/{name}", (FEEDS / name).read_bytes(), content_type=ctype)
    root = members_with_feeds(tmp_path / "p", {"grace": list(urls.values())})
    result = run("fetch", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    cached = entries(root)
    for name, titles in FORMATS.items():
        got = cached[urls[name]]
        if name in ("rss091.xml", "rss092.xml"):  # undated: all take the first-seen time
            assert sorted(got) == sorted(titles), name
        else:
            assert got == titles, name
        assert "ok" in lines(result.output)[urls[name]]
    assert f"✓ {len(FORMATS)} feeds" in result.output
    assert "malformed" not in result.output  # a missing content type or charset is no fault


def test_unchanged_feeds_cost_one_request_and_no_parsing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = (FEEDS / "rss20.xml").read_bytes()
    etag = feed_server.route("/etag.xml", body)
    modified = feed_server.route(
        "/modified.xml", body, etag=False, last_modified="Tue, 17 Nov 2026 09:30:00 GMT"
    )
    plain = feed_server.route("/plain.xml", body, etag=False)
    root = members_with_feeds(tmp_path / "p", {"ada": [etag, modified, plain]})
    first = run("fetch", cwd=root)
    assert first.exit_code == 0 and "3 ok" in first.output, first.output
    assert "3 new" in lines(first.output)[etag]
    second = run("fetch", cwd=root)
    assert second.exit_code == 0, second.output
    rows = lines(second.output)
    assert "not modified" in rows[etag] and "not modified" in rows[modified]
    assert "unchanged" in rows[plain]  # same bytes: a hash match, nothing parsed
    assert feed_server.count("/etag.xml", 304) == 1
    assert feed_server.count("/modified.xml", 304) == 1
    assert feed_server.count("/plain.xml", 200) == 2
    sent = [r for r in feed_server.requests if r.path == "/etag.xml"]
    assert sent[1].headers["if-none-match"] and "gzip" in sent[1].headers["accept-encoding"]
    assert "0 new entries" in second.output


def test_new_entries_are_added_and_old_ones_kept(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/f.xml", (FEEDS / "dupes-a.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [url]})
    assert run("fetch", cwd=root).exit_code == 0
    feed_server.route("/f.xml", (FEEDS / "rss20.xml").read_bytes())  # the blog moved on
    result = run("fetch", cwd=root)
    assert "3 (3 new)" in lines(result.output)[url], result.output
    assert len(entries(root)[url]) == 6  # what was shared stays shared


@pytest.mark.slow
def test_a_hanging_feed_delays_the_run_by_its_timeout_not_the_sum(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    never = Gate()  # holds every request until the server stops: six hanging servers
    hanging = [feed_server.gated(f"/hang{i}.xml", never, b"") for i in range(6)]
    good = feed_server.route("/good.xml", (FEEDS / "rss20.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [*hanging, good]})
    result = run(
        "fetch", "--timeout", "0.5", "--feed-timeout", "1", "--per-host", "8", cwd=root
    )  # one local server stands for seven hosts
    assert result.exit_code == 0, result.output  # one feed worked: not a failed run
    rows = lines(result.output)
    for url in hanging:
        assert "failed" in rows[url] and "sent nothing for 0.5 s" in rows[url]
    assert "ok" in rows[good]
    # all six waited at once (fetched one after another, the server would have held one
    # at a time): the run is delayed by one timeout, not by the sum
    assert never.most == 6
    assert all(feed_server.count(f"/hang{i}.xml") == 1 for i in range(6))


@pytest.mark.slow
def test_a_trickling_server_is_cut_off_by_the_feed_deadline(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.trickle("/slow.xml", interval=0.1, total_seconds=30)
    root = members_with_feeds(tmp_path / "p", {"ada": [url]})
    result = run("fetch", "--timeout", "1", "--feed-timeout", "1.5", cwd=root)
    assert result.exit_code == 1  # every feed failed
    # cut off by the deadline, not after the 30 s the server would have trickled
    assert "took longer than 1.5 s in all; cut off" in result.output


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda s: s.gzip_bomb("/bomb.xml"), "larger than 5 MB once decompressed"),
        (lambda s: s.huge("/huge.xml"), "the feed is 50 MB, larger than 5 MB"),
        (lambda s: s.huge("/huge2.xml", content_length=False), "larger than 5 MB"),
        (lambda s: s.redirect("/loop.xml", "/loop.xml", 302), "more than 5 redirects"),
        (lambda s: s.route("/gone.xml", b"", status=404), "HTTP 404 Not Found"),
        (lambda s: s.route("/err.xml", b"oops", status=503), "HTTP 503 Service Unavailable"),
        (lambda s: s.route("/empty.xml", b""), "the server sent an empty body"),
        (
            lambda s: s.route(
                "/home.html", (FEEDS / "html-page.html").read_bytes(), content_type="text/html"
            ),
            "this is a web page (HTML), not a feed; it names its feed: http://127.0.0.1:",
        ),
        (
            lambda s: s.route("/junk.xml", b"<?xml version='1.0'?><nothing/>"),
            "not a feed",
        ),
        (
            lambda s: s.route("/x.json", b'{"hello": 1}', content_type="application/json"),
            "JSON, but not a JSON Feed",
        ),
    ],
    ids=[
        "gzip-bomb",
        "50MB",
        "50MB-no-length",
        "redirect-loop",
        "404",
        "503",
        "empty",
        "html-page",
        "not-a-feed",
        "json-not-feed",
    ],
)
def test_broken_feeds_are_reported_with_a_reason(
    tmp_path: Path, feed_server: FeedServer, setup, reason: str
) -> None:
    bad = setup(feed_server)
    good = feed_server.route("/good.xml", (FEEDS / "rss20.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [bad], "grace": [good]})
    result = run("fetch", cwd=root)
    assert result.exit_code == 0, result.output  # one bad feed never stops the others
    rows = lines(result.output)
    assert "failed" in rows[bad] and reason in rows[bad], rows[bad]
    assert "ok" in rows[good]
    assert entries(root)[good]
    assert "Traceback" not in result.output
    strict = run("fetch", "--strict", cwd=root)
    assert strict.exit_code == 1


def test_connection_and_tls_failures(tmp_path: Path, feed_server: FeedServer) -> None:
    with FeedServer() as closed:
        refused = closed.url("/feed.xml")  # the port is free again once it stops
    tls = feed_server.url("/good.xml").replace("http://", "https://")  # TLS to a plain server
    feed_server.route("/good.xml", (FEEDS / "rss20.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [refused, tls]})
    result = run("fetch", cwd=root)
    assert result.exit_code == 1  # nothing could be done
    rows = lines(result.output)
    assert "connection refused" in rows[refused]
    assert "TLS error" in rows[tls]
    assert "✗ 2 feeds" in result.output


def test_dns_failure_is_named() -> None:
    """No test may leave this machine, so the name lookup error is made here."""
    import socket

    import httpx

    from newsletter.feeds.fetch import _transport_reason

    err = httpx.ConnectError("[Errno -2] Name or service not known")
    err.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert _transport_reason(err, FetchSettings()) == "DNS lookup failed: no such host"


def test_permanent_redirects_are_reported_with_the_line_to_change(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    new = feed_server.route("/new.xml", (FEEDS / "rss20.xml").read_bytes())
    old = feed_server.redirect("/old.xml", "/new.xml", 301)
    temporary = feed_server.redirect("/tmp.xml", "/new.xml", 302)
    root = members_with_feeds(tmp_path / "p", {"ada": [old, temporary]})
    result = run("fetch", cwd=root)
    rows = lines(result.output)
    assert f"moved permanently to {new}: update content/members/ada.yaml:3:5" in rows[old]
    assert "moved" not in rows[temporary]


def test_malformed_but_readable_feeds_are_used_with_a_warning(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    bozo = feed_server.route("/bozo.xml", (FEEDS / "bozo.xml").read_bytes())
    nolink = feed_server.route("/nolink.xml", (FEEDS / "nolink.xml").read_bytes())
    huge = feed_server.route("/huge.xml", (FEEDS / "huge-entry.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [bozo, nolink, huge]})
    result = run("fetch", "--today", TODAY, cwd=root)
    rows = lines(result.output)
    assert "ok" in rows[bozo] and "malformed XML (line 8" in rows[bozo]
    assert "2 entries skipped (no link)" in rows[nolink] and "1 (1 new)" in rows[nolink]
    assert "1 entry cut: over 100 KB of HTML" in rows[huge]
    assert entries(root)[bozo] == ["An unclosed tag", "Tom & Jerry explain feeds"]


def test_dates_missing_or_in_the_future_take_the_first_seen_time(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    future = feed_server.route("/future.xml", (FEEDS / "future.xml").read_bytes())
    undated = feed_server.route("/nodates.xml", (FEEDS / "nodates.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [future, undated]})
    before = dt.datetime.now(dt.UTC)
    assert run("fetch", cwd=root).exit_code == 0
    after = dt.datetime.now(dt.UTC)
    db = sqlite3.connect(root / ".newsletter" / "feeds.sqlite")
    stamps = [dt.datetime.fromisoformat(p) for (p,) in db.execute("SELECT published FROM entry")]
    assert len(stamps) == 4
    assert all(before <= s <= after and s.tzinfo is not None for s in stamps)
    first = sorted(stamps)
    # refetched later, they keep their time: an entry never moves to another edition
    feed_server.route("/future.xml", (FEEDS / "future.xml").read_bytes() + b" ")
    feed_server.route("/nodates.xml", (FEEDS / "nodates.xml").read_bytes() + b" ")
    assert run("fetch", cwd=root).exit_code == 0
    again = sorted(
        dt.datetime.fromisoformat(p) for (p,) in db.execute("SELECT published FROM entry")
    )
    assert again == first
    db.close()


def test_stale_feeds_are_marked(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/f.xml", (FEEDS / "rss20.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [url]})
    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with open_cache(root / ".newsletter", create=True) as cache:
        assert cache is not None
        fetch(
            [FeedTarget(url, "ada", Location("x"))],
            cache,
            FetchSettings(allow_private=True),
            now=lambda: clock.start_of(dt.date.fromisoformat(TODAY)),
        )
        cache.db.execute("UPDATE feed SET last_success = ?", (long_ago.isoformat(),))
        cache.db.commit()
    feed_server.route("/f.xml", b"", status=500)
    result = run("fetch", "--today", TODAY, cwd=root)
    assert "failed, stale 328 d" in lines(result.output)[url], result.output


def test_member_option_and_no_feeds(tmp_path: Path, feed_server: FeedServer) -> None:
    a = feed_server.route("/a.xml", (FEEDS / "rss20.xml").read_bytes())
    b = feed_server.route("/b.xml", (FEEDS / "atom10.xml").read_bytes())
    root = members_with_feeds(tmp_path / "p", {"ada": [a], "grace": [b]})
    result = run("fetch", "--member", "grace", cwd=root)
    assert result.exit_code == 0 and b in result.output and a not in result.output
    typo = run("fetch", "--member", "grase", cwd=root)
    assert typo.exit_code == 2 and "did you mean 'grace'" in typo.output
    bare = project(tmp_path / "bare")
    none = run("fetch", cwd=bare)
    assert none.exit_code == 0 and "no member lists a feed" in none.output
    assert not (bare / ".newsletter" / "feeds.sqlite").exists()  # (only the project lock)


@pytest.mark.slow
def test_a_damaged_cache_is_reported_by_build_and_set_aside_by_fetch(tmp_path: Path) -> None:
    """(tests/site/test_faults.py damages a real cache in several ways.)"""
    root = members_with_feeds(tmp_path / "p", {"ada": ["http://127.0.0.1:9/feed.xml"]})
    write(root, ".newsletter/feeds.sqlite", "this is not a database")
    built = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert built.exit_code == 0, built.output
    assert "the feed cache is damaged (file is not a database)" in built.output
    assert "[feed.cache]" in built.output
    assert (root / ".newsletter/feeds.sqlite").read_text() == "this is not a database"
    result = run("fetch", cwd=root)
    assert "the feed cache was damaged (file is not a database)" in result.output
    (aside,) = (root / ".newsletter").glob("feeds.sqlite.corrupt-*")
    assert aside.read_text() == "this is not a database"
    assert (root / ".newsletter/feeds.sqlite").read_bytes().startswith(b"SQLite format 3")


def test_many_feeds_are_parsed_in_worker_processes(tmp_path: Path, feed_server: FeedServer) -> None:
    """From 16 feeds on, parsing runs in a process pool: same results as in a thread."""
    names = [n for n in FORMATS if n != "feed.json"] * 2
    urls = [serve_as(feed_server, name, f"/{i}/{name}") for i, name in enumerate(names)]
    assert len(urls) >= 16
    root = members_with_feeds(tmp_path / "p", {"grace": urls})
    result = run("fetch", cwd=root)
    assert result.exit_code == 0, result.output
    assert f"{len(urls)} ok" in result.output
    cached = entries(root)
    for url, name in zip(urls, names, strict=True):
        assert sorted(cached[url]) == sorted(FORMATS[name]), name


def serve_as(server: FeedServer, name: str, path: str) -> str:
    ctype = "application/rss+xml; charset=windows-1252" if "cp1252" in name else RSS
    return server.route(path, (FEEDS / name).read_bytes(), content_type=ctype)

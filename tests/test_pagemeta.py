"""A shared link's title and summary, read from the page on a real local server."""

from __future__ import annotations

import time

from newsletter.pagemeta import PageMeta, fetch_meta, parse_meta

from feedserver import FeedServer

PAGE = b"""<!doctype html><html><head>
<title>Fallback title | Example blog</title>
<meta name="description" content="A plain description.">
<meta property="og:title" content="Why weak ties find you the next job">
<meta property="og:description" content="Granovetter&#39;s idea, fifty years on &amp; still true.">
</head><body><p>Body.</p></body></html>"""


def test_open_graph_first_then_title(feed_server: FeedServer) -> None:
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    assert fetch_meta(url) == PageMeta(
        "Why weak ties find you the next job", "Granovetter's idea, fifty years on & still true."
    )
    plain = parse_meta("<title>  Only   a title </title><meta name=description content='D'>")
    assert plain == PageMeta("Only a title", "D")


def test_no_metadata_when_the_page_cannot_be_had(feed_server: FeedServer) -> None:
    slow = feed_server.sleep("/slow", 30)
    started = time.perf_counter()
    assert fetch_meta(slow, timeout=0.5) == PageMeta()
    assert time.perf_counter() - started < 5
    trickle = feed_server.trickle("/trickle", chunk=b"<p>", interval=0.1, total_seconds=30)
    assert fetch_meta(trickle, timeout=0.5).title == ""
    assert fetch_meta(feed_server.route("/x.pdf", b"%PDF", content_type="application/pdf")) == (
        PageMeta()
    )
    assert fetch_meta(feed_server.route("/gone", b"", status=404)) == PageMeta()
    assert fetch_meta("http://127.0.0.1:9/nothing-listens") == PageMeta()


def test_new_post_from_a_link_takes_the_pages_title(tmp_path, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    from conftest import run
    from helpers import project

    root = project(tmp_path / "p")
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    result = run("new", "post", "--link", url, "--by", "ada", "--date", "2026-11-20", cwd=root)
    assert result.exit_code == 0, result.output
    made = root / "content/posts/2026/why-weak-ties-find-you-the-next-job.md"
    text = made.read_text()
    assert "title: Why weak ties find you the next job" in text
    assert "> Granovetter's idea, fifty years on & still true." in text
    assert run("check", "--today", "2026-11-25", cwd=root).exit_code == 0
    offline = run(
        "new", "post", "--link", "http://127.0.0.1:9/x", "--by", "ada", cwd=root
    )  # no page and no title: asks, or (not on a terminal) says what is missing
    assert offline.exit_code == 2 and "missing --title" in offline.output

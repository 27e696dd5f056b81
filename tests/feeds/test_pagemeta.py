"""A shared link's title and summary, read from the page on a real local server.

The server is on this machine, which the guard refuses unless allowed: these tests allow
it (``allow_private=True``, or ``feeds: {allow_private: true}`` in the project), and the
last ones show the refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter import __version__
from newsletter.authoring.pagemeta import AddressRefused, PageMeta, fetch_meta, parse_meta

from support.clock import TODAY
from support.feedserver import (
    PUBLIC,
    FakeNetwork,
    FeedServer,
    fake_network_fixture,  # noqa: F401  (the `fake_network` fixture)
)

LOCAL = "title: Test Exchange\nbase_url: https://news.example.org/\nfeeds: {allow_private: true}\n"

PAGE = b"""<!doctype html><html><head>
<title>Fallback title | Example blog</title>
<meta name="description" content="A plain description.">
<meta property="og:title" content="Why weak ties find you the next job">
<meta property="og:description" content="Granovetter&#39;s idea, fifty years on &amp; still true.">
</head><body><p>Body.</p></body></html>"""


def test_open_graph_first_then_title(feed_server: FeedServer) -> None:
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    assert fetch_meta(url, allow_private=True) == PageMeta(
        "Why weak ties find you the next job", "Granovetter's idea, fifty years on & still true."
    )
    plain = parse_meta("<title>  Only   a title </title><meta name=description content='D'>")
    assert plain == PageMeta("Only a title", "D")


@pytest.mark.slow
def test_no_metadata_when_the_page_cannot_be_had(feed_server: FeedServer) -> None:
    # a page with metadata, after 30 s: had the timeout not cut it off, it would be read
    slow = feed_server.route("/slow", PAGE, content_type="text/html; charset=utf-8")
    feed_server.delay("/slow", 30)
    assert fetch_meta(slow, timeout=0.5, allow_private=True) == PageMeta()
    trickle = feed_server.trickle("/trickle", chunk=b"<p>", interval=0.1, total_seconds=30)
    assert fetch_meta(trickle, timeout=0.5, allow_private=True).title == ""
    pdf = feed_server.route("/x.pdf", b"%PDF", content_type="application/pdf")
    assert fetch_meta(pdf, allow_private=True) == PageMeta()
    assert fetch_meta(feed_server.route("/gone", b"", status=404), allow_private=True) == (
        PageMeta()
    )
    assert fetch_meta("http://127.0.0.1:9/nothing-listens", allow_private=True) == PageMeta()
    assert fetch_meta("http://0177.0.0.1/", allow_private=True) == PageMeta()  # not a URL


def test_new_post_from_a_link_takes_the_pages_title(tmp_path, feed_server: FeedServer) -> None:  # type: ignore[no-untyped-def]
    from support.cli import run
    from support.helpers import project, write

    root = project(tmp_path / "p")
    write(root, "newsletter.yaml", LOCAL)
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    result = run("new", "post", "--link", url, "--by", "ada", "--date", "2026-11-20", cwd=root)
    assert result.exit_code == 0, result.output
    made = root / "content/posts/2026/why-weak-ties-find-you-the-next-job.md"
    text = made.read_text()
    assert "title: Why weak ties find you the next job" in text
    assert "> Granovetter's idea, fifty years on & still true." in text
    assert run("check", "--today", TODAY, cwd=root).exit_code == 0
    offline = run(
        "new", "post", "--link", "http://127.0.0.1:9/x", "--by", "ada", cwd=root
    )  # no page and no title: asks, or (not on a terminal) says what is missing
    assert offline.exit_code == 2 and "missing --title" in offline.output


HINT = "(set feeds.allow_private: true in newsletter.yaml to allow it)"


def test_a_link_to_this_machine_is_refused_with_the_reason(feed_server: FeedServer) -> None:
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    with pytest.raises(AddressRefused) as refused:
        fetch_meta(url)
    assert str(refused.value) == f"refused: 127.0.0.1 is a loopback address {HINT}"
    with pytest.raises(AddressRefused) as decimal:
        fetch_meta(url.replace("127.0.0.1", "2130706433"))
    assert decimal.value.host == "2130706433" and decimal.value.address == "127.0.0.1"
    assert feed_server.requests == []


def test_a_redirect_to_this_machine_is_refused(
    feed_server: FeedServer, fake_network: FakeNetwork
) -> None:
    """The page is at a public name (routed to the local server), which redirects to a
    name of the private network, then to 127.0.0.1: each hop is checked."""
    fake_network.resolve("blog.test", PUBLIC)
    fake_network.resolve("intranet.test", "10.0.0.5")
    port = feed_server.port
    feed_server.route("/real", PAGE, content_type="text/html; charset=utf-8")
    feed_server.redirect("/post", f"http://127.0.0.1:{port}/real", 302)
    feed_server.redirect("/away", "http://intranet.test/", 302)
    with pytest.raises(AddressRefused) as local:
        fetch_meta(f"http://blog.test:{port}/post")
    assert str(local.value) == f"refused: 127.0.0.1 is a loopback address {HINT}"
    with pytest.raises(AddressRefused) as intranet:
        fetch_meta(f"http://blog.test:{port}/away")
    assert str(intranet.value) == (
        f"refused: intranet.test resolves to 10.0.0.5, a private address {HINT}"
    )
    assert fake_network.connected == [PUBLIC, PUBLIC]
    assert feed_server.count("/real") == 0
    user_agent = feed_server.requests[0].headers["user-agent"]
    assert (
        user_agent
        == f"newsletter/{__version__} (link preview; +https://pypi.org/project/newsletter)"
    )


def test_new_post_says_why_a_link_was_not_read_then_asks(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    from support.cli import run
    from support.helpers import project, write

    root = project(tmp_path / "p")
    url = feed_server.route("/post", PAGE, content_type="text/html; charset=utf-8")
    result = run("new", "post", "--link", url, "--by", "ada", "--date", "2026-11-20", cwd=root)
    assert result.exit_code == 2  # asks for the title (not on a terminal: says it is missing)
    assert f"not reading {url}: refused: 127.0.0.1 is a loopback address {HINT}" in result.output
    assert "missing --title" in result.output
    assert feed_server.requests == []
    write(root, "newsletter.yaml", LOCAL)  # the project allows it: read, and named in the UA
    made = run("new", "post", "--link", url, "--by", "ada", "--date", "2026-11-20", cwd=root)
    assert made.exit_code == 0, made.output
    (request,) = feed_server.requests
    assert request.headers["user-agent"] == (
        f"newsletter/{__version__} (+https://news.example.org/; link preview; "
        "+https://pypi.org/project/newsletter)"
    )

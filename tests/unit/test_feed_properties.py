"""Property tests of what feeds go through: link normalizers, excerpts and the parser.
Whatever the input: no crash, no script, and normalizing twice changes nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.core.markup import sanitize
from newsletter.core.urls import is_tracking, normalize_link, strip_tracking
from newsletter.feeds.items import excerpt, plain_text
from newsletter.feeds.parse import FeedError, parse_feed

words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
params = st.lists(
    st.tuples(
        st.sampled_from(["utm_source", "utm_medium", "fbclid", "q", "page", "id", "ref", "lang"])
        | st.from_regex(r"[a-z]{1,6}", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9._~-]{0,8}", fullmatch=True),
    ),
    max_size=6,
)
links = st.builds(
    lambda scheme, www, host, path, query, frag: (
        f"{scheme}://{www}{host}.example.org/{path}"
        + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
        + (f"#{frag}" if frag else "")
    ),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["", "www.", "WWW."]),
    st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    st.from_regex(r"([a-z0-9_.~%-]{1,8}/?){0,4}", fullmatch=True),
    params,
    st.from_regex(r"[a-z0-9]{0,6}", fullmatch=True),
)


@pytest.mark.slow
@given(links)
def test_normalizing_a_link_twice_changes_nothing(link: str) -> None:
    once = normalize_link(link)
    assert normalize_link(once) == once
    assert not any(is_tracking(k) for k, _ in parse_qsl(urlsplit(once).query))
    assert normalize_link(link.replace("://", "://www.", 1)) == once or "://www." in link.lower()


@pytest.mark.slow
@given(links)
def test_stripping_tracking_keeps_everything_else(link: str) -> None:
    stripped = strip_tracking(link)
    assert strip_tracking(stripped) == stripped
    before = [(k, v) for k, v in parse_qsl(urlsplit(link).query, True) if not is_tracking(k)]
    assert parse_qsl(urlsplit(stripped).query, True) == before
    assert urlsplit(stripped).netloc == urlsplit(link).netloc
    assert urlsplit(stripped).path == urlsplit(link).path


html_bits = st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<em>",
            "</em>",
            "<a href='javascript:alert(1)'>",
            "<a href='https://x.example.org/'>",
            "</a>",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "&amp;",
            "&lt;script&gt;",
            "<ul><li>",
            "</li></ul>",
            "<!-- c -->",
            "<svg onload=alert(1)>",
            " ",
            "\n",
        ]
    )
    | words,
    max_size=40,
).map("".join)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(html_bits, st.integers(min_value=0, max_value=30))
def test_excerpts_are_short_safe_and_stable(html: str, limit: int) -> None:
    cut = excerpt(html, limit)
    assert sanitize(cut) == cut
    assert not re.search(r"<script|onerror|onload|javascript:", cut, re.I)
    if limit:
        assert len(plain_text(cut).replace("…", "").split()) <= limit


feed_like = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda title, body, link: (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item>"
            f"<title>{title}</title><link>{link}</link><description>{body}</description>"
            "</item></channel></rss>"
        ).encode(),
        words,
        html_bits,
        st.sampled_from(["https://b.example.org/x", "javascript:alert(1)", "/rel", ""]),
    ),
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(feed_like)
def test_the_parser_returns_entries_or_says_why(body: bytes) -> None:
    try:
        parsed = parse_feed(body, "https://b.example.org/feed.xml", {})
    except FeedError as err:
        assert str(err)
        return
    for entry in parsed.entries:
        assert re.match(r"https?://", entry.link)
        for html in (entry.summary_html, entry.content_html):
            assert not re.search(r"<script|onerror=|onload=|javascript:", html, re.I)

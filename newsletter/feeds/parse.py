"""Parse: a feed's bytes → its entries. No network: feedparser is only ever given bytes.

RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 go through feedparser, with the response's headers
so that encodings and relative links resolve as the server meant. JSON Feed is read
here. Entry HTML is sanitized here with nh3, relative links resolved; feedparser's own
sanitizer is off (it is not enough, and it halves feedparser's speed). ``items``
sanitizes again at build time, so the cache is never trusted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from newsletter.core.errors import NewsletterError
from newsletter.core.markup import CONTROL_RE, sanitize_from

MAX_ENTRY_HTML = 100_000
"""An entry's HTML beyond this many characters is cut: no one reads 100 KB in a newsletter."""
MAX_ENTRIES = 500
"""Entries read from one feed; a feed of thousands is an archive, not a feed."""


HARMLESS = ("NonXMLContentType", "CharacterEncodingOverride")
"""What feedparser flags as bozo but reads correctly, by class name: a feed served as
text/plain or with no type; a header and a document that disagree on the encoding."""
DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")


class FeedError(NewsletterError):
    """The body is not a feed we can read; the message says why, for the member."""


@dataclass(frozen=True)
class Entry:
    """One feed entry, as the feed says it; dates are timezone-aware UTC."""

    id: str
    link: str
    title: str
    author: str = ""
    published: dt.datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    categories: tuple[str, ...] = ()


@dataclass
class ParsedFeed:
    title: str = ""
    site_url: str = ""
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Entries of the feed in ``body``, fetched from ``url``; FeedError if it is none."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type", "").lower()
    if not body.strip():
        raise FeedError("the server sent an empty body, not a feed")
    start = body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    try:
        if start in (b"{", b"[") or ("json" in content_type and start != b"<"):
            return _json_feed(body, url)
        return _xml_feed(body, url, headers)
    except (ValueError, OverflowError, RecursionError) as err:
        # feedparser and the decoders below it raise on some malformed input (e.g. a
        # character reference beyond Unicode); one broken feed is that feed's failure
        raise FeedError(f"the feed could not be read: {err}") from None


# -- RSS and Atom ------------------------------------------------------------------


def _xml_feed(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
    # feedparser resolves relative links against xml:base or the document; without an
    # xml:base, links in an entry are relative to the entry's page (how blogs write them,
    # e.g. images beside a post), so those are resolved here instead.
    explicit_base = b"xml:base" in body
    response_headers = {"content-location": url, **headers}
    import feedparser  # here: a build that reads the cache needs none of it (0.15 s)

    parsed = feedparser.parse(
        body,
        response_headers=response_headers,
        resolve_relative_uris=explicit_base,
        # nh3 sanitizes below: feedparser's sanitizer is not enough on its own and would
        # double the time of a parse
        sanitize_html=False,
    )
    warnings = []
    if not parsed.entries and not parsed.get("version"):
        if _looks_like_html(body, headers.get("content-type", "")):
            found = _discover(body, url)
            hint = f"; it names its feed: {found}" if found else ""
            raise FeedError(f"this is a web page (HTML), not a feed{hint}")
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a feed: {_describe_bozo(problem)}" if problem else "not a feed")
    problem = parsed.get("bozo_exception")
    if parsed.bozo and parsed.entries and type(problem).__name__ not in HARMLESS:
        warnings.append(f"malformed XML ({_describe_bozo(problem)}); its entries were still read")
    feed = parsed.feed
    site = urljoin(url, feed.get("link", "") or "")
    out = ParsedFeed(title=_plain(feed.get("title", "")), site_url=site, warnings=warnings)
    skipped: dict[str, int] = {}
    for raw in parsed.entries[:MAX_ENTRIES]:
        entry = _xml_entry(raw, url, explicit_base, feed.get("author", ""), skipped)
        if entry is not None:
            out.entries.append(entry)
    if len(parsed.entries) > MAX_ENTRIES:
        skipped[f"beyond the first {MAX_ENTRIES}"] = len(parsed.entries) - MAX_ENTRIES
    out.warnings += _skipped(skipped)
    return out


def _xml_entry(
    raw: Any, feed_url: str, explicit_base: bool, feed_author: str, skipped: dict[str, int]
) -> Entry | None:
    link = _entry_link(raw, feed_url)
    if not link:
        skipped["no link"] = skipped.get("no link", 0) + 1
        return None
    base = feed_url if explicit_base else link
    contents = raw.get("content") or []
    # feedparser may give None where an element is present but empty (an empty CDATA)
    content = "".join(c.get("value") or "" for c in contents if "html" in c.get("type", "html"))
    if not content and contents:
        content = "".join(_paragraphs(c.get("value") or "") for c in contents)
    summary = raw.get("summary") or ""
    if raw.get("summary_detail", {}).get("type") == "text/plain":
        summary = _paragraphs(summary)
    content, summary = sanitize_from(content, base), sanitize_from(summary, base)
    if len(content) > MAX_ENTRY_HTML or len(summary) > MAX_ENTRY_HTML:
        skipped["cut: over 100 KB of HTML"] = skipped.get("cut: over 100 KB of HTML", 0) + 1
        content, summary = content[:MAX_ENTRY_HTML], summary[:MAX_ENTRY_HTML]
    title = _plain(raw.get("title", ""))
    # plain dict lookups: feedparser's own .get("updated_parsed") falls back to the
    # published date with a DeprecationWarning
    when = next(
        (dict.get(raw, k) for k in DATE_KEYS if dict.get(raw, k)),
        None,
    )
    return Entry(
        id=_entry_id(raw.get("id", ""), link, title),
        link=link,
        title=title,
        author=_plain(raw.get("author", "") or feed_author),
        published=_utc(when),
        summary_html=summary,
        content_html=content,
        categories=_categories(t.get("term") or t.get("label") for t in raw.get("tags", [])),
    )


def _entry_link(raw: Any, feed_url: str) -> str:
    link = raw.get("link", "")
    if not link and raw.get("guidislink"):
        link = raw.get("id", "")
    if not link:
        for candidate in raw.get("links", []):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"]
                break
    link = urljoin(feed_url, link.strip()) if link else ""
    return link if re.match(r"https?://", link, re.I) else ""


def _describe_bozo(problem: object) -> str:
    text = str(problem).strip() or type(problem).__name__
    line = getattr(problem, "getLineNumber", lambda: None)()
    return f"line {line}: {text}" if line else text


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


class _AlternateFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if (
            tag == "link"
            and "alternate" in a.get("rel", "").lower().split()
            and a.get("type", "").lower()
            in ("application/rss+xml", "application/atom+xml", "application/feed+json")
            and a.get("href")
        ):
            self.found.append(a["href"])


def _discover(body: bytes, url: str) -> str:
    """The feed an HTML page advertises with <link rel="alternate">, if any."""
    finder = _AlternateFinder()
    finder.feed(body[:200_000].decode("utf-8", "replace"))
    return urljoin(url, finder.found[0]) if finder.found else ""


# -- JSON Feed ---------------------------------------------------------------------


def _json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise FeedError(f"not a feed: invalid JSON ({err})") from err
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedError("JSON, but not a JSON Feed (no 'version: https://jsonfeed.org/…')")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("a JSON Feed without an 'items' list")
    out = ParsedFeed(
        title=_plain(_text(data.get("title"))), site_url=_text(data.get("home_page_url"))
    )
    skipped: dict[str, int] = {}
    feed_author = _json_author(data)
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            skipped["not an object"] = skipped.get("not an object", 0) + 1
            continue
        link = urljoin(url, _text(item.get("url")) or _text(item.get("external_url")))
        if not re.match(r"https?://", link, re.I):
            skipped["no link"] = skipped.get("no link", 0) + 1
            continue
        content = _text(item.get("content_html")) or _paragraphs(_text(item.get("content_text")))
        summary = _paragraphs(_text(item.get("summary")))
        title = _plain(_text(item.get("title")))
        tags = item["tags"] if isinstance(item.get("tags"), list) else []
        out.entries.append(
            Entry(
                id=_entry_id(_text(item.get("id")), link, title),
                link=link,
                title=title,
                author=_json_author(item) or feed_author,
                published=_iso_utc(_text(item.get("date_published")))
                or _iso_utc(_text(item.get("date_modified"))),
                summary_html=sanitize_from(summary, link)[:MAX_ENTRY_HTML],
                content_html=sanitize_from(content, link)[:MAX_ENTRY_HTML],
                categories=_categories(_text(t) for t in tags),
            )
        )
    out.warnings += _skipped(skipped)
    return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _json_author(data: dict[str, Any]) -> str:
    authors = data.get("authors")
    author = authors[0] if isinstance(authors, list) and authors else data.get("author")
    return _plain(_text(author.get("name"))) if isinstance(author, dict) else ""


def _iso_utc(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


# -- shared ---------------------------------------------------------------------------


def _entry_id(given: str, link: str, title: str) -> str:
    """The feed's own id if it has one; otherwise its link (stable across fetches)."""
    given = given.strip()
    if given and len(given) <= 500:
        return given
    if given:
        return "sha1:" + hashlib.sha1(given.encode()).hexdigest()
    return link or "sha1:" + hashlib.sha1(title.encode()).hexdigest()


def _utc(parsed: Any) -> dt.datetime | None:
    """feedparser's UTC struct_time → an aware datetime."""
    if not parsed:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    except (OverflowError, ValueError, OSError):
        return None


_TAG_RE = re.compile(r"<[^>]*>")


def _plain(value: str) -> str:
    """A title as plain text: markup dropped, entities decoded, whitespace collapsed."""
    text = CONTROL_RE.sub("", html.unescape(_TAG_RE.sub("", value or "")))
    return " ".join(text.split())[:300]


def _paragraphs(text: str) -> str:
    """Plain text → HTML paragraphs (escaped)."""
    parts = (p.strip() for p in re.split(r"\n\s*\n", text))
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts if p)


def _categories(values: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        text = _plain(value or "")
        if text:
            seen.setdefault(text[:60], None)
    return tuple(seen)[:20]


def _skipped(skipped: dict[str, int]) -> list[str]:
    return [
        f"{n} {'entry' if n == 1 else 'entries'} skipped ({why})"
        if not why.startswith("cut")
        else f"{n} {'entry' if n == 1 else 'entries'} {why}"
        for why, n in skipped.items()
    ]

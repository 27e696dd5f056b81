"""Machine-readable outputs: Atom and JSON Feed of editions, iCalendar of
events, the sitemap, and the OPML blogroll of members' feeds. Every id and
link is absolute and stable, and every date comes from content, never from
the clock, so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
import json

from newsletter.core import urls
from newsletter.core.model import Config, EditionView, Kind, Post, Site
from newsletter.feeds.opml import export_opml
from newsletter.render.environment import Theme, globals_for
from newsletter.render.jobs import Job, Output


def _rfc3339(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


FEED_EDITIONS = 20
"""Editions in the Atom and JSON feeds: the latest, as feed readers expect; the archive
has the rest. Keeps the feeds' size and cost the same however long the history."""


def feed_jobs(site: Site, theme: Theme) -> list[Job]:
    ctx = globals_for(site)
    latest = site.editions[:FEED_EDITIONS]

    def contents() -> dict[int, str]:
        return {
            v.edition.number: theme.page("partials/edition_content.html", ctx, view=v).decode()
            for v in latest
        }

    def both() -> Output:
        """Atom and JSON Feed together: each edition's content is rendered once for both."""
        html = contents()
        updated = _rfc3339(latest[0].edition.date) if latest else "1970-01-01T00:00:00Z"
        xml = theme.page(
            "feed.xml", ctx, editions=latest, contents=html, updated=updated, rfc3339=_rfc3339
        )
        return {urls.ATOM_FEED: xml, urls.JSON_FEED: json_feed(site, latest, html)}

    feeds = ("feed.xml", "partials/edition_content.html")
    events = [p for p in site.posts if p.kind is Kind.EVENT and p.when]
    return [
        Job(urls.ATOM_FEED, (latest,), both, feeds),
        Job(urls.EVENTS, (events,), lambda: {urls.EVENTS: icalendar(site.config, events)}),
        Job(
            urls.SITEMAP,
            (),
            lambda: {urls.SITEMAP: theme.page("sitemap.xml", ctx)},
            ("sitemap.xml",),
        ),
        Job(
            urls.BLOGROLL,
            (),
            lambda: {urls.BLOGROLL: export_opml(site.config, site.members.values())},
        ),
    ]


def json_feed(site: Site, editions: list[EditionView], contents: dict[int, str]) -> bytes:
    config = site.config
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": config.title,
        "home_page_url": config.base_url,
        "feed_url": config.base_url + urls.JSON_FEED,
        "description": config.description,
        "language": config.language,
        "items": [
            {
                "id": config.base_url + v.edition.url,
                "url": config.base_url + v.edition.url,
                "title": f"#{v.edition.number}: {v.edition.title}",
                "content_html": contents[v.edition.number],
                "date_published": _rfc3339(v.edition.date),
                "tags": sorted({t for p in v.items for t in p.tags}),
            }
            for v in editions
        ],
    }
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode()


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next, indented."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def icalendar(config: Config, posts: list[Post]) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//newsletter//{_ics_text(config.title)}//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(config.title)}",
    ]
    events = sorted(posts, key=lambda p: (p.when, p.key))
    for post in events:
        assert post.when is not None
        lines += [
            "BEGIN:VEVENT",
            f"UID:{config.base_url}{post.url}",
            f"DTSTAMP:{post.date:%Y%m%d}T000000Z",
            f"DTSTART:{post.when:%Y%m%dT%H%M%S}",
            f"SUMMARY:{_ics_text(post.title)}",
            f"URL:{config.base_url}{post.url}",
            f"DESCRIPTION:{_ics_text(post.body_md.strip()[:1000])}",
        ]
        if post.where:
            lines.append(f"LOCATION:{_ics_text(post.where)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()

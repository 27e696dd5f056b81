"""Machine-readable outputs: Atom and JSON Feed of editions, iCalendar of
events, the sitemap, and the OPML blogroll of members' feeds. Every id and
link is absolute and stable, and every date comes from content, never from
the clock, so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator

from newsletter.core import urls
from newsletter.core.model import Config, EditionView, Kind, Post, Site
from newsletter.feeds.opml import export_opml
from newsletter.render.environment import Theme, globals_for
from newsletter.render.jobs import Job, Output
from newsletter.render.locale import ENGLISH, Language


def _rfc3339(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


FEED_EDITIONS = 20
"""Editions in the Atom and JSON feeds: the latest, as feed readers expect; the archive
has the rest. Keeps the feeds' size and cost the same however long the history."""


def feed_jobs(site: Site, theme: Theme, language: Language | None = None) -> list[Job]:
    """The feeds, the calendar, the sitemap and the blogroll, in ``language`` (by default
    the site's main one)."""
    language = language or theme.language(site.config.language)
    ctx = globals_for(site, language)
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
        return {urls.ATOM_FEED: xml, urls.JSON_FEED: json_feed(site, latest, html, language)}

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


def json_feed(
    site: Site,
    editions: list[EditionView],
    contents: dict[int, str],
    language: Language = ENGLISH,
) -> bytes:
    """The JSON Feed of ``editions``, its words in ``language``."""
    config = site.config
    folder = urls.language_folder(language.tag, config.language)

    def link(path: str) -> str:
        return config.base_url + urls.in_language(folder, path)

    # Translators: an edition's title in the feeds: its number, then its title
    title = language.gettext("#%(number)s: %(title)s")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": config.title,
        "home_page_url": link(urls.HOME),
        "feed_url": link(urls.JSON_FEED),
        "description": config.description,
        "language": language.tag if config.languages else config.language,
        "items": [
            {
                "id": link(v.edition.url),
                "url": link(v.edition.url),
                "title": title
                % language.values({"number": v.edition.number, "title": v.edition.title}),
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
    """The events as an iCalendar file (RFC 5545). With ``config.timezone``, times carry
    its TZID and the file defines that zone (a VTIMEZONE); without it they are floating:
    the same clock time wherever the calendar is read."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//newsletter//{_ics_text(config.title)}//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(config.title)}",
    ]
    events = sorted(posts, key=lambda p: (p.when, p.key))
    zone = config.timezone
    if zone and events:
        times = [t for p in events for t in (p.when, p.end) if t is not None]
        lines += vtimezone(zone, min(times).year, max(times).year)
    for post in events:
        assert post.when is not None
        lines += [
            "BEGIN:VEVENT",
            f"UID:{config.base_url}{post.url}",
            f"DTSTAMP:{post.date:%Y%m%d}T000000Z",
            _ics_time("DTSTART", post.when, zone),
        ]
        if post.end:
            lines.append(_ics_time("DTEND", post.end, zone))
        lines += [
            f"SUMMARY:{_ics_text(post.title)}",
            f"URL:{config.base_url}{post.url}",
            f"DESCRIPTION:{_ics_text(post.body_md.strip()[:1000])}",
        ]
        if post.where:
            lines.append(f"LOCATION:{_ics_text(post.where)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def _ics_time(name: str, value: dt.datetime, zone: str) -> str:
    """'DTSTART;TZID=Europe/London:20261203T180000', or floating without a zone."""
    return f"{name};TZID={zone}:{value:%Y%m%dT%H%M%S}" if zone else f"{name}:{value:%Y%m%dT%H%M%S}"


def vtimezone(name: str, first_year: int, last_year: int) -> list[str]:
    """The lines of a VTIMEZONE for IANA zone ``name`` over those years, as zoneinfo has
    it: the last change of offset before they begin, then each change until they end (no
    RRULE: the rules of a zone change, its history does not). Starting at a real change
    gives every part a true TZOFFSETFROM, which some readers rely on."""
    tz = zoneinfo.ZoneInfo(name)
    start = dt.datetime(first_year, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    stop = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    changes = list(_changes(tz, start - dt.timedelta(days=366), stop))
    before = [c for c in changes if c[0] <= start]
    offset = start.astimezone(tz).utcoffset() or dt.timedelta()
    first = before[-1] if before else (start, offset, offset)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    for instant, old, new in (first, *(c for c in changes if c[0] > start)):
        lines += _observance(instant.astimezone(tz), old, new)
    return [*lines, "END:VTIMEZONE"]


def _changes(
    tz: zoneinfo.ZoneInfo, start: dt.datetime, stop: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Each change of ``tz``'s offset between the UTC instants ``start`` and ``stop``:
    (the instant it takes effect, the offset before, the offset after)."""
    instant = start
    offset = instant.astimezone(tz).utcoffset() or dt.timedelta()
    while instant < stop:
        later = instant + dt.timedelta(days=1)
        if later.astimezone(tz).utcoffset() != offset:
            change = _change_between(instant, later, tz)
            after = change.astimezone(tz).utcoffset() or dt.timedelta()
            yield change, offset, after
            offset = after
        instant = later


def _change_between(early: dt.datetime, late: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The first second (UTC) from which ``tz``'s offset is the one it has at ``late``."""
    offset = late.astimezone(tz).utcoffset()
    while late - early > dt.timedelta(seconds=1):
        middle = early + (late - early) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).utcoffset() == offset:
            late = middle
        else:
            early = middle
    return late


def _observance(local: dt.datetime, before: dt.timedelta, after: dt.timedelta) -> list[str]:
    """A STANDARD or DAYLIGHT part: from ``local`` (wall-clock time just before the
    change, as RFC 5545 §3.6.5 counts it), the offset goes from ``before`` to ``after``."""
    kind = "DAYLIGHT" if local.dst() else "STANDARD"
    wall = (local.astimezone(dt.UTC) + before).replace(tzinfo=None)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{wall:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(after)}",
        f"TZNAME:{_ics_text(local.tzname() or _offset(after))}",
        f"END:{kind}",
    ]


def _offset(delta: dt.timedelta) -> str:
    """'+0100', '-0430', '+013015' (seconds only when there are some)."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")

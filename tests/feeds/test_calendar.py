"""events.ics as a calendar application reads it: built through `newsletter build`, then
parsed back with the icalendar package (an RFC 5545 parser that is not ours). With
``timezone:`` in newsletter.yaml, DTSTART and DTEND carry its TZID and the file's
VTIMEZONE gives, at every moment of the events' years, the offset zoneinfo gives;
without it, times stay floating and the file is what it always was."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import icalendar
import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import CONFIG, post, project, write

EVENTS = {
    # a night across the spring change, a summer evening, a day across years
    "spring-night": ("2026-03-28 20:00", "2026-03-29 03:00"),
    "summer": ("2026-07-01 18:00", "2026-07-01 20:30"),
    "new-year": ("2025-12-31 22:00", "2026-01-01 01:00"),
}


def build(root: Path, zone: str | None) -> bytes:
    config = CONFIG + (f"timezone: {zone}\n" if zone else "")
    posts = {
        slug: post(
            slug.replace("-", " ").title(),
            "ada",
            date="2025-11-01",
            kind="event",
            when=when,
            end=end,
            where="Hall 2, Dock Street",
        )
        for slug, (when, end) in EVENTS.items()
    }
    project(root, posts=posts)
    write(root, "newsletter.yaml", config)
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    return (root / "site/events.ics").read_bytes()


def events_by_uid(calendar: Any) -> dict[str, Any]:
    return {str(e["UID"]).rsplit("/", 2)[-2]: e for e in calendar.walk("VEVENT")}


SLOW = pytest.mark.slow  # a build each: one zone in the quick loop, the rest in the full run
ZONES = [
    "Europe/London",
    pytest.param("America/New_York", marks=SLOW),
    pytest.param("Australia/Lord_Howe", marks=SLOW),  # daylight saving of half an hour
    pytest.param("Asia/Kolkata", marks=SLOW),  # no change at all in these years
    pytest.param("Pacific/Chatham", marks=SLOW),  # +12:45 / +13:45
    pytest.param("America/Sao_Paulo", marks=SLOW),  # daylight saving until 2019, none since
    pytest.param("UTC", marks=SLOW),
]


@pytest.mark.parametrize("zone", ZONES)
def test_events_round_trip_with_their_time_zone(tmp_path: Path, zone: str) -> None:
    raw = build(tmp_path, zone)
    calendar = icalendar.Calendar.from_ical(raw)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == zone
    assert vtimezone.walk("STANDARD") or vtimezone.walk("DAYLIGHT")
    # the zone as the file defines it, not as the reader's own database knows the name
    defined = vtimezone.to_tz(lookup_tzid=False)
    real = zoneinfo.ZoneInfo(zone)
    events = events_by_uid(calendar)
    assert sorted(events) == sorted(EVENTS)
    for slug, (when, end) in EVENTS.items():
        event = events[slug]
        for name, text in (("DTSTART", when), ("DTEND", end)):
            assert event[name].params["TZID"] == zone
            local = dt.datetime.fromisoformat(text)
            assert event[name].dt.replace(tzinfo=None) == local
            assert (
                local.replace(tzinfo=defined).utcoffset() == local.replace(tzinfo=real).utcoffset()
            ), (slug, name)
    # through the years the events span, every 3 hours and at each change of offset (to
    # the second): the same offset as zoneinfo's
    same = 0
    instant = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    while instant.year < 2027:
        later = instant + dt.timedelta(hours=3)
        for moment in (instant, *_change(instant, later, real)):
            assert moment.astimezone(defined).utcoffset() == moment.astimezone(real).utcoffset(), (
                moment
            )
            same += 1
        instant = later
    assert same >= 2 * 365 * 8
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))


def _change(early: dt.datetime, late: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """The second before and the second of a change of offset between two instants."""
    if early.astimezone(zone).utcoffset() == late.astimezone(zone).utcoffset():
        return []
    while late - early > dt.timedelta(seconds=1):
        middle = early + (late - early) / 2
        if middle.astimezone(zone).utcoffset() == late.astimezone(zone).utcoffset():
            late = middle
        else:
            early = middle
    return [late - dt.timedelta(seconds=1), late]


def test_without_a_time_zone_times_float_as_before(tmp_path: Path) -> None:
    raw = build(tmp_path, None)
    assert b"VTIMEZONE" not in raw and b"TZID" not in raw
    assert b"DTSTART:20260328T200000\r\nDTEND:20260329T030000\r\n" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    summer = events_by_uid(calendar)["summer"]
    assert summer["DTSTART"].dt == dt.datetime(2026, 7, 1, 18, 0)  # naive: floating
    assert summer["DTEND"].dt == dt.datetime(2026, 7, 1, 20, 30)


def test_the_event_page_and_email_show_the_end_and_the_zone(tmp_path: Path) -> None:
    build(tmp_path, "Europe/London")
    page = (tmp_path / "site/posts/2026/summer/index.html").read_text()
    assert '<time datetime="2026-07-01T20:30:00">20:30</time> (Europe/London)' in page
    night = (tmp_path / "site/posts/2026/spring-night/index.html").read_text()
    assert ">Sun 29 Mar 2026, 03:00</time>" in night  # another day: the day is said
    text = (tmp_path / "site/email/1.txt").read_text()
    assert "When: Wed 1 Jul 2026, 18:00–20:30 (Europe/London)" in text


def check(root: Path) -> str:
    result = run("check", "--today", TODAY, cwd=root)
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Europe/Londn", "unknown time zone 'Europe/Londn' (did you mean 'Europe/London'?)"),
        ("europe/paris", "(did you mean 'Europe/Paris'?)"),
        ("Tokyo", "(did you mean 'Asia/Tokyo'?)"),
        ("New York", "(did you mean 'America/New_York'?)"),
        ("GMT+25", "unknown time zone 'GMT+25'"),
        ("../../etc/passwd", "unknown time zone '../../etc/passwd'"),
    ],
)
def test_an_unknown_time_zone_is_named_with_a_did_you_mean(
    tmp_path: Path, zone: str, said: str
) -> None:
    project(tmp_path)
    write(tmp_path, "newsletter.yaml", CONFIG + f"timezone: {zone}\n")
    output = check(tmp_path)
    assert "newsletter.yaml:3:11: error: unknown time zone" in output and said in output
    assert "[config.timezone]" in output and "Europe/London" in output


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"kind": "event", "when": "2026-12-03 18:00", "end": "2026-12-03 17:00"},
            "error: the event ends (2026-12-03 17:00) before it starts (2026-12-03 18:00)",
        ),
        (
            {"kind": "event", "when": "2026-12-03 18:00", "end": "soon"},
            "error: 'end' is not a valid date and time: 'soon'",
        ),
        (
            {"kind": "article", "end": "2026-12-03 17:00"},
            "warning: 'end' is only used by events, and this is kind: article",
        ),
    ],
)
def test_a_wrong_end_is_said_at_its_line(tmp_path: Path, fields: dict[str, str], said: str) -> None:
    project(tmp_path, posts={"meetup": post("Meetup", "ada", **fields)})
    output = check(tmp_path)
    line = 5 + list(fields).index("end")
    assert f"content/posts/2026/meetup.md:{line}:" in output and said in output

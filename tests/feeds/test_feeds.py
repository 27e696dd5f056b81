"""Feeds out: the built Atom, JSON Feed and iCalendar parse back, with absolute, stable ids."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.paths import REPO

BASE = "https://commons.example.org/"


def test_atom_feed_parses_back(built_example: Path) -> None:
    feed = feedparser.parse((built_example / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "The Commons Exchange"
    assert len(feed.entries) == 10
    numbers = [int(e.id.rstrip("/").rsplit("/", 1)[1]) for e in feed.entries]
    assert numbers == list(range(10, 0, -1))
    for entry in feed.entries:
        assert entry.id.startswith(BASE + "editions/") and entry.link == entry.id
        assert entry.published_parsed is not None
        assert entry.title.startswith("#")
        assert 'href="https://' in entry.content[0].value  # links in content are absolute
    newest = feed.entries[0]
    assert newest.published.startswith("2026-11-19")
    assert newest.title == "#10: A year of asking, answering and introducing"


def test_json_feed_matches_atom(built_example: Path) -> None:
    data = json.loads((built_example / "feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == BASE + "feed.json"
    atom = feedparser.parse((built_example / "feed.xml").read_bytes())
    assert [i["id"] for i in data["items"]] == [e.id for e in atom.entries]
    assert [i["title"] for i in data["items"]] == [e.title for e in atom.entries]
    assert all(i["date_published"].endswith("T00:00:00Z") for i in data["items"])


@pytest.mark.slow
def test_feeds_are_stable_across_builds(built_example: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    result = run("build", "--today", EXAMPLE_TODAY, "--output", str(other), cwd=REPO)
    assert result.exit_code == 0, result.output
    for name in ("feed.xml", "feed.json", "events.ics", "sitemap.xml"):
        assert (other / name).read_bytes() == (built_example / name).read_bytes(), name


def test_icalendar_has_every_event(built_example: Path) -> None:
    raw = (built_example / "events.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.decode().split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = raw.decode().replace("\r\n ", "")
    events = unfolded.split("BEGIN:VEVENT")[1:]
    posts = list((REPO_CONTENT := REPO / "content/posts").rglob("*.md"))
    expected = sum(1 for p in posts if "\nkind: event\n" in p.read_text())
    assert len(events) == expected > 0, REPO_CONTENT
    for event in events:
        # the example's newsletter.yaml has timezone: Europe/London
        assert "\r\nDTSTART;TZID=Europe/London:2026" in event
        assert "\r\nUID:" + BASE + "posts/" in event
        assert "\r\nSUMMARY:" in event and "\r\nLOCATION:" in event


def test_sitemap_lists_absolute_pages(built_example: Path) -> None:
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(built_example / "sitemap.xml").getroot()
    locs = [e.text or "" for e in root.findall("s:url/s:loc", ns)]
    assert len(locs) == len(set(locs)) > 100
    for loc in locs:
        assert loc.startswith(BASE)
        rel = loc.removeprefix(BASE)
        assert (built_example / rel / "index.html").is_file() or rel == "", loc

"""A community in two languages: the bundled example says ``languages: [en, fr]`` and
has four French posts (``lang: fr``). English is at the root, French under /fr/; every
page names the other (hreflang); each language has its feeds; a post not in the page's
language keeps its own, marked; subscribers get the email in their ``lang``."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import write
from support.sending import SEND_CONFIG, send_project

FRENCH_POST = "posts/2026/donnees-ouvertes-et-bibliotheques/"
ENGLISH_POST = "posts/2026/duckdb-for-research-data-a-year-in/"


def _html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_each_language_has_its_pages(built_example: Path) -> None:
    for path in ("", "archive/", "members/", "topics/", "asks/", "network/", "editions/10/"):
        english, french = _html(built_example, path), _html(built_example, "fr/" + path)
        assert '<html lang="en"' in english and '<html lang="fr"' in french
    # files are the main language's only: one theme, one calendar, one 404
    for path in ("static", "events.ics", "404.html", "card.png"):
        assert not (built_example / "fr" / path).exists(), path


def test_pages_name_each_other(built_example: Path) -> None:
    french = _html(built_example, "fr/archive/")
    assert (
        '<link rel="alternate" hreflang="en" href="https://commons.example.org/archive/">' in french
    )
    assert (
        '<link rel="alternate" hreflang="fr" href="https://commons.example.org/fr/archive/">'
        in french
    )
    assert 'hreflang="x-default" href="https://commons.example.org/archive/"' in french
    assert '<link rel="canonical" href="https://commons.example.org/fr/archive/">' in french
    english = _html(built_example, "archive/")
    assert re.search(
        r'<a class="language-link" href="/fr/archive/" hreflang="fr" lang="fr">Français</a>',
        english,
    )
    assert 'href="/archive/" hreflang="en" lang="en">English</a>' in french
    # links inside the French site stay in it; the theme's files are shared
    assert 'href="/fr/members/"' in french and 'href="/static/style.css"' in french


def test_french_pages_speak_french(built_example: Path) -> None:
    home = _html(built_example, "fr/")
    assert "19 novembre 2026" in home
    assert ">Membres<" in home  # the navigation, from the shipped catalog
    edition = _html(built_example, "fr/editions/10/")
    assert "Ce que les bibliothèques savent des données ouvertes" in edition


def test_a_post_in_another_language_is_marked(built_example: Path) -> None:
    english_page = _html(built_example, FRENCH_POST)
    assert 'lang="fr"' in english_page
    assert re.search(r'<span class="lang-marker" lang="en">French</span>', english_page)
    french_page = _html(built_example, "fr/" + ENGLISH_POST)
    assert re.search(r'<span class="lang-marker" lang="fr">anglais</span>', french_page)
    # a post in the page's own language has no marker
    assert (
        "lang-marker"
        not in _html(built_example, "fr/" + FRENCH_POST)
        .split("<main", 1)[1]
        .split('class="related', 1)[0]
    )


def test_each_language_has_its_feeds(built_example: Path) -> None:
    atom = (built_example / "fr/feed.xml").read_text(encoding="utf-8")
    assert 'xml:lang="fr"' in atom and "https://commons.example.org/fr/editions/10/" in atom
    feed = json.loads((built_example / "fr/feed.json").read_text(encoding="utf-8"))
    assert feed["language"] == "fr"
    assert feed["feed_url"] == "https://commons.example.org/fr/feed.json"
    assert feed["items"][0]["url"] == "https://commons.example.org/fr/editions/10/"
    english = json.loads((built_example / "feed.json").read_text(encoding="utf-8"))
    assert english["language"] == "en" and english["feed_url"].endswith("/feed.json")


def test_the_sitemap_lists_every_language(built_example: Path) -> None:
    sitemap = (built_example / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://commons.example.org/fr/archive/</loc>" in sitemap
    assert (
        '<xhtml:link rel="alternate" hreflang="fr" href="https://commons.example.org/fr/archive/"/>'
        in sitemap
    )


def test_search_has_an_index_per_language(built_example: Path) -> None:
    entry = json.loads((built_example / "pagefind/pagefind-entry.json").read_text())
    assert {"en", "fr"} <= set(entry["languages"])


@pytest.mark.parametrize(
    ("lang", "wrong"),
    [("de", "lang: de is not one of this newsletter's languages (en, fr)")],
)
def test_a_post_in_a_language_the_newsletter_lacks(tmp_path: Path, lang: str, wrong: str) -> None:
    send_project(tmp_path, "email\n", SEND_CONFIG + "languages: [en, fr]\n")
    write(
        tmp_path,
        "content/posts/2026/hallo.md",
        f"---\ntitle: Hallo\nby: ada\ndate: 2026-11-10\nlang: {lang}\n---\nText.\n",
    )
    result = run("check", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 1
    assert f"content/posts/2026/hallo.md:5:7: error: {wrong}" in result.output
    assert "[post.lang]" in result.output


def test_subscribers_get_their_language(tmp_path: Path) -> None:
    subscribers = (
        "email,name,member,status,lang\n"
        "ann@example.org,Ann,,,\n"
        "zoe@example.org,Zoé,,,fr\n"
        "kim@example.org,Kim,,,fr-CA\n"
        "max@example.org,Max,,,de\n"
    )
    send_project(tmp_path, subscribers, SEND_CONFIG + "languages: [en, fr]\n")
    outbox = tmp_path / "outbox"
    result = run("send", "1", "--dry-run", str(outbox), "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "subscriber.lang" in result.output and "they get the en edition" in result.output
    by_address = {}
    for eml in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        by_address[str(message["To"])] = (str(message["Subject"]), html)
    languages = {
        to.split("<")[-1].rstrip(">"): re.search(r'<html lang="([^"]+)"', html)[1]  # type: ignore[index]
        for to, (_, html) in by_address.items()
    }
    assert languages == {
        "ann@example.org": "en",
        "zoe@example.org": "fr",
        "kim@example.org": "fr",
        "max@example.org": "en",
    }
    subjects = {to.split("<")[-1].rstrip(">"): s for to, (s, _) in by_address.items()}
    assert subjects["ann@example.org"].startswith("#1: ")
    assert subjects["zoe@example.org"] != subjects["ann@example.org"]

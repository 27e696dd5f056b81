"""The words Python writes on a site speak its language: a copy of the example with
``language: fr`` and a French catalog of its own (written here) shows French page
titles and descriptions, reasons, feed titles, and card texts with French dates."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageDraw

from newsletter.core import urls
from newsletter.pipeline.build import BuildOptions, site_in_memory
from newsletter.project.sources import Project
from newsletter.render.environment import Theme
from newsletter.render.social import social_jobs

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example, speak

CATALOG = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "All editions"
msgstr "Tous les numéros"

msgid "Posts and members on #%(tag)s in %(title)s."
msgstr "Billets et membres sur #%(tag)s dans %(title)s."

msgid "Edition %(number)s: %(title)s"
msgstr "Numéro %(number)s : %(title)s"

msgid "Edition %(number)s"
msgstr "Numéro %(number)s"

msgid "%(site)s, edition %(number)s: %(title)s. %(date)s, %(items)s."
msgstr "%(site)s, numéro %(number)s : %(title)s. %(date)s, %(items)s."

msgid "%(num)s item"
msgid_plural "%(num)s items"
msgstr[0] "%(num)s élément"
msgstr[1] "%(num)s éléments"

msgid "#%(number)s: %(title)s"
msgstr "n° %(number)s : %(title)s"

msgid "shared a post on %(words)s in %(month)s"
msgid_plural "has shared %(num)s posts on %(words)s, the latest in %(month)s"
msgstr[0] "a partagé un billet sur %(words)s en %(month)s"
msgstr[1] "a partagé %(num)s billets sur %(words)s, le dernier en %(month)s"

msgid "Both work on %(topics)s."
msgstr "Tous deux travaillent sur %(topics)s."
"""


@pytest.fixture(scope="module")
def french_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example in French, built; returns the project's folder."""
    root = copy_example(tmp_path_factory.mktemp("fr") / "example")
    speak(root, "fr")
    catalog = root / "locale/fr/LC_MESSAGES/newsletter.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(CATALOG, encoding="utf-8")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    return root


def page(root: Path, path: str) -> str:
    return (root / "site" / path).read_text(encoding="utf-8")


def test_page_titles_and_descriptions_are_french(french_site: Path) -> None:
    assert '<meta property="og:title" content="Tous les numéros">' in page(
        french_site, "archive/index.html"
    )
    topic = page(french_site, "topics/public-health/index.html")
    assert "Billets et membres sur #public-health dans The Commons Exchange." in topic
    edition = page(french_site, "editions/3/index.html")
    assert "Numéro 3 : Migrations, suppression rules and a seminar" in edition
    assert (
        "The Commons Exchange, numéro 3 : Migrations, suppression rules and a seminar. "
        "16 juillet 2026, 11 éléments." in edition
    )


def test_an_asks_helper_is_said_why_in_french(french_site: Path) -> None:
    ask = page(french_site, "posts/2026/ask-describing-run-charts-for-screen-readers/index.html")
    # French stems find other helpers than English does: what matters is how they are said
    said = re.findall(r'<p class="reason">([^<]*)</p>', ask)
    assert said and all(
        re.match(r"a partagé \d billets sur \w+ et \w+, le dernier en", r) for r in said
    )
    assert "le dernier en novembre 2026" in ask
    assert "has shared" not in ask and "the latest in" not in ask
    network = page(french_site, "network/index.html")
    assert "Tous deux travaillent sur" in network and "Both work on" not in network


def test_the_feeds_titles_are_french(french_site: Path) -> None:
    atom = page(french_site, "feed.xml")
    assert 'xml:lang="fr"' in atom
    assert "<title>n° 10 : A year of asking, answering and introducing</title>" in atom
    feed = json.loads(page(french_site, "feed.json"))
    assert feed["items"][0]["title"] == "n° 10 : A year of asking, answering and introducing"


def test_the_card_is_drawn_with_french_words_and_dates(
    french_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(french_site)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    site, _ = site_in_memory(project, BuildOptions(today=today))
    drawn: list[str] = []
    draw_text = ImageDraw.ImageDraw.text

    def text(self: ImageDraw.ImageDraw, xy: Any, words: str, *args: Any, **kwargs: Any) -> None:
        drawn.append(words)
        draw_text(self, xy, words, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    jobs = {job.name: job for job in social_jobs(site, Theme(project), cached=False)}
    jobs[urls.edition_card(3)].run()
    assert "NUMÉRO 3" in drawn
    assert "16 juillet 2026 · 11 éléments" in drawn
    drawn.clear()
    jobs[urls.SITE_CARD].run()
    # a message the project's catalog lacks: the shipped French catalog's
    assert f"{len(site.editions)} numéros" in drawn

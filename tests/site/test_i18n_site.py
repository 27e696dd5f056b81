"""The site speaks the newsletter's language: the bundled example built with
``language: fr`` and a small catalog of its own (locale/fr/LC_MESSAGES/newsletter.po,
written here) shows the catalog's words, its plural forms and French dates; in Arabic the
pages read right to left with Arabic months; a post in another language than the page's
says so. And no template of the site keeps an English word outside a message."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example, speak
from support.helpers import post, project, write
from support.paths import REPO

FRENCH = r"""
msgid ""
msgstr ""
"Language: fr\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "Skip to content"
msgstr "Aller au contenu"

msgid "Members"
msgstr "Membres"

msgid "%(num)s post"
msgid_plural "%(num)s posts"
msgstr[0] "%(num)s publication"
msgstr[1] "%(num)s publications"

msgctxt "kind"
msgid "ask"
msgstr "demande"

msgctxt "kind"
msgid "Asks"
msgstr "Demandes"

msgid "Edition %(number)s"
msgstr "Numéro %(number)s"

msgid "Shared by <a href=\"%(href)s\">%(who)s</a>"
msgstr "Partagé par <a href=\"%(href)s\">%(who)s</a>"

msgid "for %(people)s"
msgstr "pour %(people)s"

msgctxt "list"
msgid "%(others)s, %(last)s"
msgstr "%(others)s et %(last)s"
"""


def _build(root: Path) -> Path:
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example in French with the catalog above, and one post on a topic of its own
    (a count of 1 beside the others' counts)."""
    root = copy_example(tmp_path_factory.mktemp("fr") / "example")
    speak(root, "fr")
    write(root, "locale/fr/LC_MESSAGES/newsletter.po", FRENCH)
    write(
        root,
        "content/posts/2026/lonely.md",
        post("Un seul", "sam", date="2026-11-12", tags="[solitaire]"),
    )
    return _build(root)


def _page(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_a_french_site_says_the_catalogs_words(french: Path) -> None:
    home = _page(french, "index.html")
    assert re.search(r'<html lang="fr"[ >]', home)
    assert 'dir="rtl"' not in home
    assert '<a class="skip" href="#main">Aller au contenu</a>' in home
    assert ">Membres</a>" in home and ">Members</a>" not in home
    assert "Numéro 10 <span" in home
    assert "Partagé par <a " in home and "Shared by" not in home
    # people listed the French way, each still a link to their page
    edition = _page(french, "editions/3/index.html")
    assert re.search(
        r' pour <a href="/members/yusuf/">Yusuf Demir</a> et <a href="/members/', edition
    )


def test_french_dates(french: Path) -> None:
    home = _page(french, "index.html")
    assert '<time datetime="2026-11-19"' in home
    assert ">19 novembre 2026</time>" in home
    assert "November 2026</time>" not in home  # (members write "26 November" in English)
    # a short date in the byline, the month abbreviated the French way
    assert re.search(r">\d{1,2} (nov\.|oct\.|sept\.) 2026</time>", home)


def test_french_plural_forms(french: Path) -> None:
    topics = _page(french, "topics/index.html")
    assert 'topic-count">1 publication</span>' in topics
    counts = re.findall(r'topic-count">(\d+) publications</span>', topics)
    assert counts and all(int(n) >= 2 for n in counts)
    assert " posts</span>" not in topics


def test_kinds_by_their_french_names(french: Path) -> None:
    edition = next(
        _page(french, f"editions/{n}/index.html")
        for n in range(10, 0, -1)
        if 'id="ask"' in _page(french, f"editions/{n}/index.html")
    )
    # the section heads the group; its id and class keep the kind's value
    assert re.search(r'<h2 id="ask-h" class="section-label">Demandes <span', edition)
    member = _page(french, "members/yusuf/index.html")
    kinds = re.findall(r'<span class="kind kind-ask">([^<]*)</span>', member)
    if kinds:
        assert set(kinds) == {"demande"}
    listed = [
        p
        for p in (french / "members").glob("*/index.html")
        if 'class="kind kind-ask">demande<' in p.read_text(encoding="utf-8")
    ]
    assert listed, "no member page lists an ask by its French name"


def test_an_arabic_site_reads_right_to_left(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    speak(root, "ar")
    site = _build(root)
    home = _page(site, "index.html")
    assert re.search(r'<html lang="ar" dir="rtl">', home)
    assert "نوفمبر" in home  # November
    assert "November 2026</time>" not in home
    assert ">19 نوفمبر 2026</time>" in _page(site, "archive/index.html")


def test_a_post_in_another_language_is_marked(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p",
        posts={
            "hello": post("Hello", "ada", tags="[maps]", lang="en"),
            "bonjour": post("Bonjour", "grace", tags="[maps]"),
        },
    )
    write(
        root,
        "newsletter.yaml",
        "title: Échanges\nbase_url: https://news.example.org/\nlanguages: [fr, en]\n",
    )
    site = _build(root)
    page = _page(site, "posts/2026/hello/index.html")
    assert re.search(
        r'<h1 class="item-title" lang="en">Hello '
        r'<span class="lang-marker" lang="fr">anglais</span></h1>',
        page,
    )
    assert '<div class="body" lang="en">' in page
    # in a list of posts too; a post in the page's language has neither
    topic = _page(site, "topics/maps/index.html")
    assert re.search(
        r'lang="en">Hello</a> <span class="lang-marker" lang="fr">anglais</span>', topic
    )
    assert re.search(r'<a class="post-row-title" href="[^"]*bonjour/">Bonjour</a>\n', topic)
    french_post = _page(site, "posts/2026/bonjour/index.html")
    assert '<h1 class="item-title">Bonjour</h1>' in french_post
    assert '<div class="body">' in french_post


# -- no English word outside a message ---------------------------------------------------

NOT_THE_SITE = ("email/", "feed.xml", "sitemap.xml")
"""Templates another part translates (the email) or that carry no reader's words."""

NOT_WORDS = {"(.ics)", "(Atom)", "(JSON Feed)", 'lang=""'}
"""What the check reads as letters but no reader reads as a word: a file's extension, the
names of feed formats, the markup partials/lang.html writes."""

READ_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt", "aria-description"}


class Words(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read aloud."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.found += [v for k, v in attrs if k in READ_ATTRIBUTES and v and _is_words(v)]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _is_words(data):
            self.found.append(data.strip())


def _is_words(text: str) -> bool:
    return re.search(r"[^\W\d_]", text) is not None and text.strip() not in NOT_WORDS


def _without_messages(source: str) -> str:
    """A template with its comments, messages, expressions and tags taken out: what is
    left is written to every page as it is."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    # a page's classes, written in base.html's class attribute
    source = re.sub(r"\{% block main_class %\}.*?\{% endblock %\}", "", source)
    source = re.sub(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", "", source, flags=re.S)
    source = re.sub(r"(</?)\{\{.*?\}\}", r"\1h3", source, flags=re.S)  # <{{ hx }}>
    source = re.sub(r"\{\{.*?\}\}", "", source, flags=re.S)
    return re.sub(r"\{%.*?%\}", "", source, flags=re.S)


def _site_templates() -> list[Path]:
    folder = REPO / "templates"
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in (".html", ".xml")
        and not p.relative_to(folder).as_posix().startswith(NOT_THE_SITE)
    )


def test_the_check_finds_an_english_word() -> None:
    words = Words()
    words.feed(_without_messages('<p class="x">{{ _("Fine") }} Oops</p><a aria-label="Site">→</a>'))
    assert words.found == ["Oops", "Site"]


@pytest.mark.parametrize("template", _site_templates(), ids=lambda p: p.name)
def test_no_english_word_outside_a_message(template: Path) -> None:
    words = Words()
    words.feed(_without_messages(template.read_text(encoding="utf-8")))
    assert words.found == [], f"{template.name}: mark these for translation: {words.found}"

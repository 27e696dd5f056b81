"""Asks on the site: an ask's page says what became of it (answered by whom and where,
withdrawn, closed by its author, or who might help), an answer's page names its ask, the
home page and each edition list the asks open on their day, a member's page their open
asks and the asks they answered, and /asks/ lists them all with the median days to a
first answer per quarter.

A small community with known asks, built through the command line. Who might help comes
from the helper ranking (newsletter.analysis.helpers); the pages' rendering of helpers is
tested on the same site with helpers of our choosing, through the render functions.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import escape

from newsletter import api
from newsletter.core.community import Answer, Ask, AskReport, Helper
from newsletter.core.model import Site
from newsletter.render import Theme, render
from newsletter.render.pages import page_jobs

from support.cli import run
from support.clock import EXAMPLE_TODAY, TODAY, TODAY_DATE
from support.helpers import post, write
from support.paths import REPO

MEMBERS = {
    "ada": "name: Ada Lovelace\norg: Engines\noffers: [geocoding addresses offline]\n",
    "grace": "name: Grace Hopper\norg: Navy\n",
    "mei": "name: Mei Chen\norg: Harbour Trust\n",
    "linus": "name: Linus Quiet\norg: Elsewhere\nnetwork: false\n",
}

TRICKY = 'Who has an offline geocoder? <b>urgent</b> & "fast"'
"""An ask's title as a member may write it: markup in it is text, never markup."""

POSTS = {
    # answered on 20 October, after edition 1 (10 October): open in that edition
    "who-has-a-geocoder": post(
        f"'{TRICKY}'",
        "grace",
        "We need to geocode 40,000 addresses.",
        "2026-10-01",
        kind="ask",
        tags="[geocoding]",
    ),
    "try-nominatim": post(
        "Try Nominatim on your own server",
        "ada",
        "It runs offline.",
        "2026-10-20",
        answers="2026/who-has-a-geocoder",
    ),
    "need-a-venue": post(
        "Need a venue for forty people",
        "ada",
        "In November, near the station.",
        "2026-10-05",
        kind="ask",
        tags="[events]",
    ),
    "old-question": post(
        "Anyone still using SPSS?",
        "mei",
        "Asking for a friend.",
        "2026-09-01",
        kind="ask",
        status="withdrawn",
    ),
    "closed-by-author": post(
        "Where do I find ward boundaries?",
        "grace",
        "The 2022 ones.",
        "2026-09-10",
        kind="ask",
        status="answered",
    ),
    "hello": post("Hello", "mei", "Glad to be here.", "2026-09-02"),
}


def asks_project(root: Path) -> Path:
    """Four members (linus opted out of the network), four asks (open and answered later,
    open, withdrawn, closed by its author), an answer, two editions."""
    write(root, "newsletter.yaml", "title: Test Exchange\nbase_url: https://news.example.org/\n")
    for handle, text in MEMBERS.items():
        write(root, f"content/members/{handle}.yaml", text)
    for slug, text in POSTS.items():
        write(root, f"content/posts/2026/{slug}.md", text)
    write(root, "content/editions/1.md", "---\ntitle: Early\ndate: 2026-10-10\n---\nHi.\n")
    write(root, "content/editions/2.md", "---\ntitle: Later\ndate: 2026-11-19\n---\nHi.\n")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The community built by `newsletter build`; its site/ folder."""
    root = asks_project(tmp_path_factory.mktemp("asks") / "news")
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def section(html: str, css_class: str) -> str:
    """The element whose class attribute starts with ``css_class``, up to its closing tag."""
    found = re.search(rf'<(section|aside) class="{css_class}[^"]*".*?</\1>', html, re.S)
    assert found, f"no {css_class} in the page"
    return found.group()


def text_of(html: str) -> str:
    """What a reader reads: tags dropped, spaces folded (none before punctuation)."""
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([.,:;)])", r"\1", words).replace("( ", "(")


def listed(html: str) -> list[str]:
    """The ask pages a list links to, in order."""
    return re.findall(r'href="/posts/2026/([^/"]+)/"', html)


ESCAPED = "&lt;b&gt;urgent&lt;/b&gt; &amp; &#34;fast&#34;"


def test_an_answered_ask_names_who_answered_and_where(built: Path) -> None:
    html = page(built, "posts/2026/who-has-a-geocoder")
    box = section(html, "ask-loop")
    assert (
        'Answered by <a href="/members/ada/">Ada Lovelace</a> in '
        '<a href="/posts/2026/try-nominatim/">Try Nominatim on your own server</a> '
        '(<time datetime="2026-10-20">20 Oct 2026</time>)'
    ) in box
    assert "Who might help" not in box
    assert "<b>urgent" not in html and ESCAPED in html


def test_an_answer_links_to_its_ask(built: Path) -> None:
    box = section(page(built, "posts/2026/try-nominatim"), "in-edition answers-ask")
    assert text_of(box).startswith("Answers Who has an offline geocoder?")
    link = f'<a href="/posts/2026/who-has-a-geocoder/">Who has an offline geocoder? {ESCAPED}</a>'
    assert link in box
    assert 'Asked by <a href="/members/grace/">Grace Hopper</a>' in box


def test_an_open_ask_asks_who_might_help(built: Path) -> None:
    box = section(page(built, "posts/2026/need-a-venue"), "ask-loop ask-open")
    words = text_of(box)
    assert "Open Waiting for an answer since 5 October 2026." in words
    assert "Who might help" in words
    assert "answers: 2026/need-a-venue" in words  # how to answer it


def test_a_closed_ask_says_how_it_was_closed(built: Path) -> None:
    withdrawn = text_of(section(page(built, "posts/2026/old-question"), "ask-loop"))
    assert "Withdrawn Mei Chen closed this ask" in withdrawn
    assert "Who might help" not in withdrawn
    closed = text_of(section(page(built, "posts/2026/closed-by-author"), "ask-loop"))
    assert "Answered Grace Hopper marked this ask as answered." in closed


def test_other_posts_say_nothing_of_asks(built: Path) -> None:
    html = page(built, "posts/2026/hello")
    assert "ask-loop" not in html and "answers-ask" not in html


def test_the_home_page_lists_the_open_asks_of_today(built: Path) -> None:
    box = section(page(built, ""), "open-asks")
    assert listed(box) == ["need-a-venue"]
    assert "51 days" in text_of(box)  # 5 October to 25 November
    assert 'href="/asks/"' in box


def test_an_edition_lists_the_asks_open_on_its_date(built: Path) -> None:
    """Edition 1 (10 October) came out before the geocoder ask was answered (20 October):
    it lists it as open, with the days waited by then, however late it is built."""
    early = section(page(built, "editions/1"), "open-asks")
    assert listed(early) == ["who-has-a-geocoder", "need-a-venue"]  # the oldest first
    words = text_of(early)
    assert "waiting 9 days" in words and "waiting 5 days" in words
    assert "on 10 October 2026" in words and ESCAPED in early
    later = section(page(built, "editions/2"), "open-asks")
    assert listed(later) == ["need-a-venue"]
    assert "waiting 45 days" in text_of(later)


def test_a_member_page_lists_their_open_asks_and_what_they_answered(built: Path) -> None:
    ada = page(built, "members/ada")
    mine = text_of(section(ada, 'activity member-asks" data-pagefind-ignore aria-labelledby="open'))
    assert "Open asks by Ada Lovelace 1" in mine and "Need a venue for forty people" in mine
    answered = section(ada, 'activity member-asks" data-pagefind-ignore aria-labelledby="answered')
    assert listed(answered) == ["who-has-a-geocoder"]
    assert "Grace Hopper · 1 Oct 2026 · answered after 19 days" in text_of(answered)
    grace = page(built, "members/grace")
    assert "Open asks by" not in grace and "Asks Grace Hopper answered" not in grace
    assert "Open asks by" not in page(built, "members/mei")  # withdrawn is not open


def test_the_asks_page_lists_every_ask_open_first(built: Path) -> None:
    html = page(built, "asks")
    assert "4 asks: 1 open, 2 answered, 1 withdrawn." in text_of(html)
    open_part, closed_part = html.split('id="closed-h"')
    assert listed(open_part) == ["need-a-venue"]
    assert "waiting 51 days" in text_of(open_part)
    assert listed(closed_part) == ["who-has-a-geocoder", "closed-by-author", "old-question"]
    closed_words = text_of(closed_part)
    assert "Answered by Ada Lovelace: the first answer after 19 days." in closed_words
    assert "Marked answered by Grace Hopper." in closed_words
    assert "Withdrawn by Mei Chen." in closed_words
    assert ESCAPED in html and "<b>urgent" not in html


def test_the_asks_page_has_the_median_days_per_quarter(built: Path) -> None:
    table = re.search(r"<table>.*?</table>", page(built, "asks"), re.S)
    assert table
    rows = [text_of(r) for r in re.findall(r"<tr>.*?</tr>", table.group(), re.S)]
    assert rows == [
        "Quarter Asks Answered Median days to a first answer",
        "2026 Q3 2 0 – none answered",
        "2026 Q4 2 1 19",
    ]


def test_the_asks_page_is_in_the_sitemap_and_linked_from_home(built: Path) -> None:
    sitemap = (built / "sitemap.xml").read_text()
    assert "<loc>https://news.example.org/asks/</loc>" in sitemap
    assert 'href="/asks/"' in page(built, "")


@pytest.mark.slow
def test_a_site_without_asks_has_an_empty_asks_page(tmp_path: Path) -> None:
    root = asks_project(tmp_path / "news")
    for slug in POSTS:
        if slug != "hello":
            (root / f"content/posts/2026/{slug}.md").unlink()
    (root / "content/editions/2.md").unlink()  # it would have no items
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    assert "No one has asked anything yet." in page(root / "site", "asks")
    home = page(root / "site", "")
    assert "open-asks" not in home and "All asks and their answers" not in home
    assert '<li><a href="/asks/">Asks</a></li>' in home  # the nav invites the first ask


# -- helpers, as the ranking gives them ---------------------------------------------------

HELPERS = (
    Helper("mei", 2.0, "has shared 2 posts on <script>venues</script>, the latest in June"),
    Helper("grace", 1.0, "offers “rooms”"),
)


def with_helpers(site: Site, key: str, helpers: tuple[Helper, ...]) -> Site:
    """``site`` with these helpers for the open ask ``key`` (the ranking's job otherwise)."""
    report = site.asks
    assert report is not None
    asks = [replace(a, helpers=helpers) if a.key == key else a for a in report.asks]
    return replace(site, asks=AskReport(report.today, asks, report.quarters, report.gaps))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The community's pages, rendered with two helpers for the open venue ask."""
    root = asks_project(tmp_path_factory.mktemp("helped") / "news")
    project = api.load_project(root)
    site, _ = api.site(project, TODAY_DATE)
    out = render(with_helpers(site, "2026/need-a-venue", HELPERS), Theme(project))
    return {path: data.decode() for path, data in out.items() if path.endswith(".html")}


def test_an_open_ask_shows_its_helpers_and_why(rendered: dict[str, str]) -> None:
    box = section(rendered["posts/2026/need-a-venue/index.html"], "ask-loop ask-open")
    assert listed(box) == []
    helpers = re.findall(r'<p class="pair"><a href="/members/(\w+)/">', box)
    assert helpers == ["mei", "grace"]  # best first
    assert "has shared 2 posts on &lt;script&gt;venues&lt;/script&gt;" in box
    assert "<script" not in box
    assert "offers “rooms”" in box


def test_the_asks_page_shows_helpers_of_open_asks(rendered: dict[str, str]) -> None:
    html = rendered["asks/index.html"]
    helpers = section(html, "ask-section")  # the open ones come first
    words = text_of(helpers)
    assert "Who might help Mei Chen has shared 2 posts on" in words
    assert 'href="/members/grace/"' in helpers
    assert "<script" not in html


def test_a_long_list_of_open_asks_is_cut(tmp_path: Path) -> None:
    """Twelve open asks: the home page lists the ten longest waiting and links to all."""
    root = asks_project(tmp_path / "news")
    project = api.load_project(root)
    site, _ = api.site(project, TODAY_DATE)
    many = [
        Ask(f"2026/many-{n}", f"Ask number {n}", "mei", dt.date(2026, 9, n), "open")
        for n in range(12, 0, -1)
    ]
    report = AskReport(TODAY_DATE, many)
    jobs = page_jobs(replace(site, asks=report), Theme(project))
    home = next(j for j in jobs if j.name == "index.html").run()["index.html"].decode()
    box = section(home, "open-asks")
    assert listed(box) == [f"many-{n}" for n in range(1, 11)]
    assert "Open asks 12" in text_of(box) and "All 12 open asks" in text_of(box)


def test_helpers_change_no_edition_page(
    rendered: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """An edition shows which asks were open, not who might help with them."""
    root = asks_project(tmp_path_factory.mktemp("plain") / "news")
    project = api.load_project(root)
    site, _ = api.site(project, TODAY_DATE)
    plain = render(site, Theme(project))
    for number in (1, 2):
        name = f"editions/{number}/index.html"
        assert plain[name].decode() == rendered[name]


# -- the bundled example, with the helpers its ranking finds --------------------------------


@pytest.mark.slow
def test_the_example_shows_the_helpers_newsletter_asks_finds(built_example: Path) -> None:
    """Every open ask's page, and /asks/, show the helpers `newsletter asks` reports for it,
    best first, each with its reason."""
    data = json.loads(run("asks", "--format", "json", "--today", EXAMPLE_TODAY, cwd=REPO).output)
    open_asks = [a for a in data["asks"] if a["status"] == "open"]
    assert any(a["helpers"] for a in open_asks)  # the example has some to show
    listing = page(built_example, "asks")
    for ask in open_asks:
        box = section(page(built_example, f"posts/{ask['path']}"), "ask-loop ask-open")
        shown = re.findall(r'<p class="pair"><a href="/members/([\w-]+)/">', box)
        assert shown == [h["handle"] for h in ask["helpers"]]
        for helper in ask["helpers"]:
            assert str(escape(helper["reason"])) in box  # as Jinja escapes it
            assert str(escape(helper["reason"])) in listing


def test_what_was_open_on_each_day() -> None:
    """AskReport.open_on, the rule the editions list by, for several days at once (given
    in any order): an ask is open from its day until its first answer; one its author
    keeps open (status: open) stays open; one closed by its author never is."""

    def ask(key: str, day: int, status: str = "open", *answered: int) -> Ask:
        answers = tuple(Answer(f"2026/re-{key}-{d}", "ada", dt.date(2026, 10, d)) for d in answered)
        return Ask(f"2026/{key}", key, "grace", dt.date(2026, 10, day), status, (), answers)

    report = AskReport(
        TODAY_DATE,
        [
            ask("late", 20),
            ask("kept-open", 2, "open", 4),
            ask("answered", 3, "answered", 10, 12),
            ask("withdrawn", 1, "withdrawn"),
            ask("closed", 1, "answered"),
        ],
    )
    days = [dt.date(2026, 10, d) for d in (25, 5, 1, 10, 9, 5)]
    found = {day.day: [a.title for a in asks] for day, asks in report.open_on(days).items()}
    assert found == {
        1: [],
        5: ["kept-open", "answered"],
        9: ["kept-open", "answered"],
        10: ["kept-open"],  # answered that day
        25: ["kept-open", "late"],
    }

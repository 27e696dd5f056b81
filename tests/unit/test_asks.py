"""The asks' report: what became of each ask (open, answered, withdrawn), its answers,
the order asks are listed in, days to a first answer per quarter and the topics nobody
could help with; on hand-made posts whose answer is known, then on the bundled example
through the ledger."""

from __future__ import annotations

import datetime as dt
import random

from newsletter.analysis.asks import quarter_of, report_asks
from newsletter.core.community import Answer, NetworkOptions
from newsletter.core.diagnostics import Location
from newsletter.core.model import Kind, Member, Post
from newsletter.pipeline.enrich import ledger

from support.clock import TODAY_DATE

HERE = Location("x")
MEMBERS = {h: Member(h, h.capitalize(), HERE) for h in ("ada", "grace", "linus")}


def post(
    slug: str,
    by: str,
    date: str,
    kind: Kind = Kind.ARTICLE,
    *,
    answers: str = "",
    status: str = "",
    tags: tuple[str, ...] = (),
) -> Post:
    day = dt.date.fromisoformat(date)
    return Post(
        year=day.year,
        slug=slug,
        title=slug.replace("-", " "),
        by=by,
        kind=kind,
        date=day,
        location=HERE,
        body_location=HERE,
        answers=answers,
        status=status,
        tags=tags,
    )


POSTS = [
    post("geocoder", "ada", "2026-03-02", Kind.ASK, tags=("mapping",)),
    post("try-nominatim", "grace", "2026-03-06", answers="2026/geocoder"),
    post("use-the-gazetteer", "linus", "2026-03-04", answers="2026/geocoder"),
    post("dbt", "grace", "2026-04-10", Kind.ASK, tags=("data-engineering",)),
    post("ssis-done", "ada", "2026-04-20", answers="2026/dbt"),
    post("funding", "linus", "2026-05-01", Kind.ASK, status="withdrawn", tags=("careers",)),
    post("closed-by-author", "ada", "2026-08-01", Kind.ASK, status="answered"),
    post("still-open", "ada", "2026-09-01", Kind.ASK, status="open", tags=("mapping", "osm")),
    post("kept-open", "grace", "2026-10-01", Kind.ASK, status="open"),
    post("partly", "linus", "2026-10-02", answers="2026/kept-open"),
    post("newest-open", "linus", "2026-11-01", Kind.ASK, tags=("mapping",)),
]


def test_status_follows_answers_and_the_authors_word() -> None:
    report = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    status = {a.key: a.status for a in report.asks}
    assert status == {
        "2026/geocoder": "answered",
        "2026/dbt": "answered",
        "2026/funding": "withdrawn",
        "2026/closed-by-author": "answered",
        "2026/still-open": "open",
        "2026/kept-open": "open",  # status: open keeps it open after an answer
        "2026/newest-open": "open",
    }


def test_answers_oldest_first_and_days_to_the_first() -> None:
    report = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    geocoder = report.ask("2026/geocoder")
    assert geocoder is not None
    assert geocoder.answers == (
        Answer("2026/use-the-gazetteer", "linus", dt.date(2026, 3, 4)),
        Answer("2026/try-nominatim", "grace", dt.date(2026, 3, 6)),
    )
    assert geocoder.first_answer_days == 2
    assert report.answered_by("grace") == [geocoder]
    assert [a.key for a in report.by_member("ada")] == [
        "2026/still-open",
        "2026/closed-by-author",
        "2026/geocoder",
    ]


def test_open_first_longest_waiting_first_then_newest_closed() -> None:
    report = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    assert [a.key for a in report.asks] == [
        "2026/still-open",
        "2026/kept-open",
        "2026/newest-open",
        "2026/closed-by-author",
        "2026/funding",
        "2026/dbt",
        "2026/geocoder",
    ]
    assert [a.key for a in report.open] == [a.key for a in report.asks[:3]]
    assert report.open[0].waiting(dt.date(2026, 9, 11)) == 10
    assert report.open[0].waiting(dt.date(2026, 8, 1)) == 0  # not yet asked


def test_median_days_to_a_first_answer_per_quarter() -> None:
    report = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    figures = {q.quarter: (q.asks, q.answered, q.median_days) for q in report.quarters}
    assert figures == {
        "2026 Q1": (1, 1, 2),
        "2026 Q2": (2, 1, 10),  # the withdrawn ask found no answer
        "2026 Q3": (2, 0, None),  # closed by its author: no answer to time
        "2026 Q4": (2, 1, 1),
    }
    assert [quarter_of(dt.date(2026, m, 1)) for m in (1, 3, 4, 12)] == [
        "2026 Q1",
        "2026 Q1",
        "2026 Q2",
        "2026 Q4",
    ]


def test_gaps_are_the_topics_of_open_asks_nobody_can_help_with() -> None:
    report = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    assert all(not a.helpers for a in report.open)  # no member offers anything here
    gaps = [(g.topic, g.asks) for g in report.gaps]
    assert gaps == [
        ("mapping", ("2026/still-open", "2026/newest-open")),
        ("osm", ("2026/still-open",)),
        ("untagged", ("2026/kept-open",)),
    ]


def test_the_order_of_posts_does_not_matter() -> None:
    expected = report_asks(MEMBERS, POSTS, TODAY_DATE, NetworkOptions())
    shuffled = POSTS[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert report_asks(MEMBERS, shuffled, TODAY_DATE, NetworkOptions()) == expected


def test_the_ledger_records_whose_ask_a_share_answers() -> None:
    shares = {s.post.key: s for s in ledger(POSTS)}
    assert shares["2026/try-nominatim"].answered == "ada"
    assert shares["2026/ssis-done"].answered == "grace"
    assert shares["2026/partly"].answered == "grace"
    assert shares["2026/geocoder"].answered == ""

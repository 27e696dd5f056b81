"""Asks: every ask post, what became of it, and who could help with those still open.

This module owns the ask → answer loop: an ask is open until a post answers it
(``answers:``) or its author closes it (``status: answered`` or ``withdrawn``); how
long asks wait for a first answer, quarter by quarter; and, for each open ask, the
members best placed to answer it (``newsletter.analysis.helpers`` ranks them), and the
topics whose asks nobody could help with (the community's gaps).

Pure and deterministic, like the network: members, the published posts and today's
date in, an ``AskReport`` out; no files, no clock, every list sorted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import replace

from newsletter.analysis.helpers import rank_helpers
from newsletter.analysis.wordcodes import TextCodes
from newsletter.core.community import Answer, Ask, AskReport, Gap, NetworkOptions, QuarterFigure
from newsletter.core.model import Kind, Member, Post


def report_asks(
    members: dict[str, Member],
    posts: list[Post],
    today: dt.date,
    options: NetworkOptions,
    language: str = "en",
    texts: TextCodes | None = None,
) -> AskReport:
    """Every ask among ``posts`` (the published ones) as of ``today``; ``texts``, the texts
    analysed by earlier builds (``rank_helpers``)."""
    answers = _answers(posts)
    found = []
    for post in posts:
        if post.kind is not Kind.ASK:
            continue
        mine = answers.get(post.key, ())
        found.append(
            Ask(
                key=post.key,
                title=post.title,
                by=post.by,
                date=post.date,
                status=post.status or ("answered" if mine else "open"),
                tags=post.tags,
                answers=mine,
            )
        )
    open_asks = [a for a in found if a.status == "open"]
    helped = rank_helpers(members, posts, open_asks, today, options, language, texts)
    asks = [replace(a, helpers=helped.get(a.key, ())) if a.status == "open" else a for a in found]
    asks.sort(key=_order)
    return AskReport(today=today, asks=asks, quarters=_quarters(asks), gaps=_gaps(asks))


def _answers(posts: list[Post]) -> dict[str, tuple[Answer, ...]]:
    """Each ask's answers, oldest first (then by key)."""
    found: defaultdict[str, list[Answer]] = defaultdict(list)
    for post in posts:
        if post.answers:
            found[post.answers].append(Answer(post.key, post.by, post.date))
    return {k: tuple(sorted(v, key=lambda a: (a.date, a.key))) for k, v in found.items()}


def _order(ask: Ask) -> tuple[bool, int, str]:
    """Open asks first, oldest first; then the others, newest first; then by key."""
    days = ask.date.toordinal()
    return (ask.status != "open", days if ask.status == "open" else -days, ask.key)


def quarter_of(date: dt.date) -> str:
    return f"{date.year} Q{(date.month - 1) // 3 + 1}"


def _quarters(asks: list[Ask]) -> list[QuarterFigure]:
    """Per quarter asked in: how many asks, how many answered, the median days to a first
    answer (asks closed without an answer count as neither)."""
    by_quarter: defaultdict[str, list[Ask]] = defaultdict(list)
    for ask in asks:
        by_quarter[quarter_of(ask.date)].append(ask)
    figures = []
    for quarter in sorted(by_quarter):
        days = [d for a in by_quarter[quarter] if (d := a.first_answer_days) is not None]
        figures.append(
            QuarterFigure(
                quarter=quarter,
                asks=len(by_quarter[quarter]),
                answered=len(days),
                median_days=statistics.median(days) if days else None,
            )
        )
    return figures


def _gaps(asks: list[Ask]) -> list[Gap]:
    """Topics of open asks no member could help with ('untagged' for an ask without
    tags), the topic with most such asks first."""
    unhelped: defaultdict[str, list[Ask]] = defaultdict(list)
    for ask in asks:
        if ask.status == "open" and not ask.helpers:
            for tag in ask.tags or ("untagged",):
                unhelped[tag].append(ask)
    return [
        Gap(topic, tuple(a.key for a in sorted(found, key=lambda a: (a.date, a.key))))
        for topic, found in sorted(unhelped.items(), key=lambda item: (-len(item[1]), item[0]))
    ]

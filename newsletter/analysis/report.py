"""Reports as people read them, as data: a table is columns and rows of text, and the
network report is a list of titled sections, each a table or the words said instead.

This module owns what ``newsletter network`` and ``newsletter asks`` say in text (which
sections, their titles, columns, rows and empty texts) and the shape of every table the
command line shows.
Pure: it prints nothing and knows no terminal; the command line draws the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from newsletter.analysis.asklist import counts, days_text, median_days
from newsletter.core.community import Ask, AskReport, Network
from newsletter.core.model import Member


@dataclass(frozen=True)
class Column:
    """A column's heading and how its cells sit in it."""

    heading: str
    align: Literal["left", "right"] = "left"
    wrap: bool = False
    """A cell too wide for the screen goes on over more lines (else it is cut short)."""


@dataclass(frozen=True)
class TextTable:
    """Rows of text under their columns, one cell per column."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """One part of the network report; ``empty`` is said when the table has no rows."""

    title: str
    table: TextTable
    empty: str


SUGGESTIONS_SHOWN = 10
"""The report shows this many suggested introductions, or ``network.suggestions`` if more."""


def network_report(
    network: Network,
    members: Mapping[str, Member],
    only: str | None = None,
    asks: AskReport | None = None,
) -> list[Section]:
    """The sections of the network report (only the one named ``only``, if given), with
    members called by their names; the ``asks`` part when ``asks`` is given."""
    found = [
        make(network, members) for name, make in SECTION_MAKERS.items() if only in (None, name)
    ]
    if asks is not None and only in (None, "asks"):
        found += asks_sections(asks, members)
    return found


def wrapped_table(headings: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> TextTable:
    """A table whose every column wraps, so that no cell is ever cut short."""
    return TextTable(tuple(Column(h, wrap=True) for h in headings), tuple(rows))


def _brokers(network: Network, members: Mapping[str, Member]) -> Section:
    rows = [
        (members[b.handle].name, f"{b.betweenness:.3f}", f"{b.constraint:.3f}", ", ".join(b.groups))
        for b in network.brokers
    ]
    return Section(
        "Brokers: who bridges groups",
        wrapped_table(("member", "betweenness", "constraint", "links"), rows),
        "no member bridges groups yet",
    )


def _dormant(network: Network, members: Mapping[str, Member]) -> Section:
    rows = [
        (members[d.a].name, members[d.b].name, d.last.isoformat(), str(d.months))
        for d in network.dormant
    ]
    return Section(
        f"Dormant ties: no exchange for {network.options.dormant_months}+ months",
        wrapped_table(("between", "and", "last", "months"), rows),
        "none",
    )


def _quiet(network: Network, members: Mapping[str, Member]) -> Section:
    rows = [
        (members[q.handle].name, date_or_never(q.last), str(q.months or "")) for q in network.quiet
    ]
    return Section(
        "Gone quiet: keep in touch",
        wrapped_table(("member", "last active", "months"), rows),
        "everyone has been active",
    )


def _reciprocity(network: Network, members: Mapping[str, Member]) -> Section:
    rows = [
        (members[b.handle].name, str(b.given), str(b.received))
        for b in [*network.givers, *network.takers]
    ]
    return Section(
        "Reciprocity: gives much, receives little (and the reverse)",
        wrapped_table(("member", "given", "received"), rows),
        "exchanges are balanced",
    )


def _suggestions(network: Network, members: Mapping[str, Member]) -> Section:
    shown = network.suggestions[: max(SUGGESTIONS_SHOWN, network.options.suggestions)]
    rows = [(members[s.a].name, members[s.b].name, s.reason) for s in shown]
    return Section(
        "Suggested introductions",
        wrapped_table(("who", "and", "why"), rows),
        "no introduction to suggest",
    )


def _isolated(network: Network, members: Mapping[str, Member]) -> Section:
    rows = [(members[h].name,) for h in network.isolated]
    rows += [(f"{a} · {b} (no bridge)",) for a, b in network.unbridged]
    return Section(
        "Not yet connected",
        wrapped_table(("member or groups",), rows),
        "everyone is connected, and every group has a bridge",
    )


def ask_list_sections(
    report: AskReport, members: Mapping[str, Member], open_only: bool = False
) -> list[Section]:
    """What ``newsletter asks`` shows: the open asks, longest waiting first, each with who
    might help and why; then (unless ``open_only``) the answered and withdrawn, newest
    first, each with its answers and the days to the first."""
    waiting = [
        (
            ask.date.isoformat(),
            _name(members, ask.by),
            days_text(ask.waiting(report.today)),
            ask.title,
            "\n".join(f"{_name(members, h.handle)}: {h.reason}" for h in ask.helpers),
        )
        for ask in report.open
    ]
    found = [
        Section(
            "Open asks: longest waiting first",
            _table(("asked", "by", "waiting", "ask", "who might help"), waiting, right=(2,)),
            "no open ask",
        )
    ]
    if not open_only:
        closed = [_closed_row(ask, members) for ask in report.asks if ask.status != "open"]
        found.append(
            Section(
                "Answered and withdrawn: newest first",
                _table(("asked", "by", "status", "first answer", "ask", "answers"), closed, (3,)),
                "none yet",
            )
        )
    return found


def _closed_row(ask: Ask, members: Mapping[str, Member]) -> tuple[str, ...]:
    days = ask.first_answer_days
    answers = "\n".join(f"{_name(members, a.by)}, {a.date.isoformat()}" for a in ask.answers)
    return (
        ask.date.isoformat(),
        _name(members, ask.by),
        ask.status,
        "–" if days is None else days_text(days),
        ask.title,
        answers,
    )


def asks_sections(report: AskReport, members: Mapping[str, Member]) -> list[Section]:
    """The network report's ``asks`` part: how many asks are open, answered and
    withdrawn, how fast they found a first answer (per quarter, and over all), and the
    gaps: topics whose open asks found no helper at all."""
    found = counts(report.asks)
    speed = [
        (q.quarter, str(q.asks), str(q.answered), _median_text(q.median_days))
        for q in report.quarters
    ]
    if speed:
        answered = sum(1 for a in report.asks if a.first_answer_days is not None)
        speed.append(
            ("all", str(len(report.asks)), str(answered), _median_text(median_days(report.asks)))
        )
    titles = {a.key: a.title for a in report.asks}
    gaps = [(g.topic, str(len(g.asks)), "\n".join(titles[k] for k in g.asks)) for g in report.gaps]
    return [
        Section(
            f"Asks: {found['open']} open, {found['answered']} answered, "
            f"{found['withdrawn']} withdrawn",
            _table(
                ("asked in", "asks", "answered", "median days to a first answer"), speed, (1, 2, 3)
            ),
            "no ask posted yet",
        ),
        Section(
            "Gaps: open asks nobody could help with, by topic",
            _table(("topic", "asks", "open asks"), gaps, (1,)),
            "every open ask has someone who could help",
        ),
    ]


def _median_text(days: float | None) -> str:
    return "–" if days is None else f"{days:g}"


def _name(members: Mapping[str, Member], handle: str) -> str:
    """A member's name; the handle of someone no longer a member."""
    member = members.get(handle)
    return member.name if member else handle


def _table(
    headings: tuple[str, ...], rows: Iterable[tuple[str, ...]], right: tuple[int, ...] = ()
) -> TextTable:
    """A table whose every column wraps, the columns numbered in ``right`` (counts and
    days) aligned right."""
    return TextTable(
        tuple(
            Column(h, align="right" if i in right else "left", wrap=True)
            for i, h in enumerate(headings)
        ),
        tuple(rows),
    )


def date_or_never(date: dt.date | None) -> str:
    """A last day active as the tables show it: ISO 8601, or "never"."""
    return date.isoformat() if date else "never"


SECTION_MAKERS: dict[str, Callable[[Network, Mapping[str, Member]], Section]] = {
    "brokers": _brokers,
    "dormant": _dormant,
    "quiet": _quiet,
    "reciprocity": _reciprocity,
    "suggestions": _suggestions,
    "isolated": _isolated,
}
"""Each section of the network report by the name ``newsletter network --section`` gives
it, in the order the report shows them."""

SECTIONS = (*SECTION_MAKERS, "asks")
"""The parts ``newsletter network --section`` can show: the network's, then the asks'."""

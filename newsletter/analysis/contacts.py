"""The contact ledger, as people read it: every share as an event, and each member's part.

Derived from the content (and the feed cache), never kept by hand: ``enrich`` makes the
ledger; this module filters it, sums it up per member, and gives both as records (for
JSON or CSV) and as the tables ``newsletter contacts`` shows. Nothing here prints.

A share that answers an ask names the member whose ask it answered (``answered``); that
column (and record key) is shown only when a listed share answers an ask, so that a
ledger without answers reads as it did before answers existed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from newsletter.analysis.report import Column, TextTable, date_or_never, wrapped_table
from newsletter.core.diagnostics import did_you_mean
from newsletter.core.errors import ProjectError
from newsletter.core.model import Kind, Member, Site


@dataclass(frozen=True)
class Event:
    """One share: who shared what, of which kind, for whom, via whom, introducing whom,
    answering whose ask."""

    date: dt.date
    sharer: str
    kind: str
    item: str
    url: str
    for_: tuple[str, ...]
    via: str
    introduced: tuple[str, ...]
    answered: str = ""
    """The member whose ask the share answers ('' for none)."""


@dataclass(frozen=True)
class MemberSummary:
    handle: str
    name: str
    shared: int
    received: int
    introduced: int
    introduced_to: int
    last_activity: dt.date | None
    top_topics: tuple[str, ...]


def events(
    site: Site,
    member: str | None = None,
    since: dt.date | None = None,
    kind: Kind | None = None,
) -> list[Event]:
    """The ledger, oldest first; ``member`` keeps the events they took part in (an ask
    they asked, answered, counts)."""
    out = []
    for share in site.ledger:
        post = share.post
        if since and share.date < since:
            continue
        if kind and post.kind is not kind:
            continue
        people = {share.sharer, share.via, *share.for_, *share.connects, share.answered} - {""}
        if member and member not in people:
            continue
        out.append(
            Event(
                share.date,
                share.sharer,
                post.kind.value,
                post.title,
                site.config.base_url + post.url,
                share.for_,
                share.via,
                share.connects if post.kind is Kind.INTRO else (),
                share.answered,
            )
        )
    return out


def summaries(site: Site, member: str | None = None, topics: int = 3) -> list[MemberSummary]:
    """Each member's part in the exchange (``member``'s only, if given), by handle."""
    out = []
    for handle, person in site.members.items():
        if member and handle != member:
            continue
        act = site.activity[handle]
        dates = [
            p.date
            for p in (
                *act.shared,
                *act.received,
                *act.passed_on,
                *act.introduced,
                *act.introduced_to,
            )
        ]
        tags = Counter(t for p in act.shared for t in p.tags)
        out.append(
            MemberSummary(
                handle,
                person.name,
                len(act.shared),
                len(act.received),
                len(act.introduced),
                len(act.introduced_to),
                max(dates) if dates else None,
                tuple(t for t, _ in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:topics]),
            )
        )
    return out


def check_member(site: Site, handle: str) -> None:
    """Raise ``ProjectError`` (with the nearest handle) if ``handle`` is no member."""
    if handle not in site.members:
        raise ProjectError(f"no member '{handle}'{did_you_mean(handle, site.members)}")


def records(items: list[Event] | list[MemberSummary]) -> list[dict[str, object]]:
    """Events or summaries as plain records for JSON or CSV: dates in ISO 8601, tuples
    as lists, ``for_`` as ``for``; ``answered`` only if one of them answered an ask."""
    found = [{k.rstrip("_"): _plain(v) for k, v in asdict(item).items()} for item in items]
    if not any(record.get("answered") for record in found):
        for record in found:
            record.pop("answered", None)
    return found


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


EVENT_COLUMNS = ("date", "shared by", "kind", "item", "for", "via", "introduced", "answered")


def event_table(found: list[Event], members: Mapping[str, Member]) -> TextTable:
    """One row per share, members called by their names (a handle that is no member's
    by itself); the last column, whose ask the share answered, only if one did."""

    def name(handle: str) -> str:
        return members[handle].name if handle in members else handle

    rows = [
        (
            e.date.isoformat(),
            name(e.sharer),
            e.kind,
            e.item,
            ", ".join(map(name, e.for_)),
            name(e.via),
            " and ".join(map(name, e.introduced)),
            name(e.answered),
        )
        for e in found
    ]
    if not any(e.answered for e in found):
        return wrapped_table(EVENT_COLUMNS[:-1], (row[:-1] for row in rows))
    return wrapped_table(EVENT_COLUMNS, rows)


SUMMARY_COLUMNS = (
    Column("member"),
    Column("shared", "right"),
    Column("received", "right"),
    Column("introduced", "right"),
    Column("introduced to", "right"),
    Column("last active"),
    Column("top topics"),
)


def summary_table(found: list[MemberSummary]) -> TextTable:
    """One row per member: the counts, the last day active, the top topics as #tags."""
    rows = tuple(
        (
            s.name,
            str(s.shared),
            str(s.received),
            str(s.introduced),
            str(s.introduced_to),
            date_or_never(s.last_activity),
            " ".join(f"#{t}" for t in s.top_topics),
        )
        for s in found
    )
    return TextTable(SUMMARY_COLUMNS, rows)

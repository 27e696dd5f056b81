"""The contact ledger, as people read it: every share as an event, and each member's part.

Derived from the content (and the feed cache), never kept by hand: ``enrich`` makes the
ledger; this module filters it, sums it up per member, and writes it as JSON or CSV
for ``newsletter contacts``. Nothing here prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass

from newsletter.core.model import Kind, Site


@dataclass(frozen=True)
class Event:
    """One share: who shared what, of which kind, for whom, via whom, introducing whom."""

    date: dt.date
    sharer: str
    kind: str
    item: str
    url: str
    for_: tuple[str, ...]
    via: str
    introduced: tuple[str, ...]


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
    """The ledger, oldest first; ``member`` keeps the events they took part in."""
    out = []
    for share in site.ledger:
        post = share.post
        if since and share.date < since:
            continue
        if kind and post.kind is not kind:
            continue
        people = {share.sharer, share.via, *share.for_, *share.connects} - {""}
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
            )
        )
    return out


def summaries(site: Site, topics: int = 3) -> list[MemberSummary]:
    """Each member's part in the exchange, by handle."""
    out = []
    for handle, member in site.members.items():
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
                member.name,
                len(act.shared),
                len(act.received),
                len(act.introduced),
                len(act.introduced_to),
                max(dates) if dates else None,
                tuple(t for t, _ in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:topics]),
            )
        )
    return out


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _rows(items: list[Event] | list[MemberSummary]) -> list[dict[str, object]]:
    return [{k.rstrip("_"): _plain(v) for k, v in asdict(item).items()} for item in items]


def to_json(items: list[Event] | list[MemberSummary]) -> str:
    return json.dumps(_rows(items), indent=2, ensure_ascii=False) + "\n"


def to_csv(items: list[Event] | list[MemberSummary]) -> str:
    rows = _rows(items)
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()}
        )
    return out.getvalue()

"""Enrich: derive what no single file says — each edition's items, each
member's activity, the topics, the contact ledger and the network.

Pure: takes the loaded Content, returns the Site that ``render`` consumes.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from newsletter.analysis.asks import report_asks
from newsletter.analysis.network import analyse
from newsletter.analysis.wordcodes import TextCodes
from newsletter.core.community import AskReport, Network
from newsletter.core.model import (
    Activity,
    Content,
    Edition,
    EditionView,
    Kind,
    Post,
    Share,
    Site,
)
from newsletter.core.parallel import alongside
from newsletter.project.buildcache import BuildCache, Digests, code_stamp

T = TypeVar("T")


def is_published(post: Post, today: dt.date, drafts: bool) -> bool:
    return drafts or (not post.draft and post.date <= today)


def published_editions(content: Content, today: dt.date, drafts: bool) -> list[Edition]:
    """Editions in date order; a future-dated edition is a draft."""
    editions = sorted(content.editions, key=lambda e: (e.date, e.number))
    return [e for e in editions if drafts or e.date <= today]


def assign_items(editions: list[Edition], posts: list[Post]) -> dict[int, list[Post]]:
    """Each edition's posts: dated after the previous edition, up to its own date.

    An edition's ``include:`` takes a post out of its natural window into that
    edition; ``exclude:`` leaves it out. ``editions`` must be in date order.
    """
    by_key = {p.key: p for p in posts}
    included = {key: e.number for e in editions for key in e.include if key in by_key}
    ordered = sorted(posts, key=lambda p: (p.date, p.key))
    dates = [p.date for p in ordered]
    items: dict[int, list[Post]] = {}
    start = 0  # windows follow each other, so one pass over the posts in date order
    for edition in editions:
        end = bisect_right(dates, edition.date, lo=start)
        chosen = [
            p for p in ordered[start:end] if p.key not in included and p.key not in edition.exclude
        ]
        chosen += [by_key[k] for k in edition.include if k in by_key]
        items[edition.number] = sorted(chosen, key=lambda p: (p.date, p.key))
        start = end
    return items


def ledger(posts: list[Post]) -> list[Share]:
    """The contact ledger: every share as an event, oldest first; an answer records
    whose ask it answered."""
    askers = {p.key: p.by for p in posts if p.kind is Kind.ASK}
    return [
        Share(p.date, p, p.by, p.for_, p.via, p.connects, askers.get(p.answers, ""))
        for p in sorted(posts, key=lambda p: (p.date, p.key))
    ]


def activity(posts: list[Post], handles: set[str]) -> dict[str, Activity]:
    acts: dict[str, Activity] = defaultdict(Activity)
    for post in posts:  # newest first, so every list below is too
        giver = acts[post.by]
        giver.shared.append(post)
        if post.kind.value == "intro":
            giver.introduced.append(post)
            for handle in post.connects:
                acts[handle].introduced_to.append(post)
        for handle in post.for_:
            acts[handle].received.append(post)
            giver.shared_with[handle] = giver.shared_with.get(handle, 0) + 1
        if post.via:
            acts[post.via].passed_on.append(post)
    return {h: acts[h] for h in sorted(handles)}


@dataclass(frozen=True)
class _Memo(Generic[T]):
    """A value the build cache keeps: its name there, the digest of all it is worked out
    from (``reads``, this code aside), which stands for it in the job keys
    (:meth:`Digests.known`), and how to work it out when the cache does not have it."""

    name: str
    key: str
    compute: Callable[[], T]

    @classmethod
    def of(cls, name: str, reads: object, compute: Callable[[], T]) -> _Memo[T]:
        return cls(name, Digests().of((code_stamp(), reads)), compute)

    def found(self, cache: BuildCache | None) -> T | None:
        return cast(T, cache.memo(self.name, self.key)) if cache is not None else None


def _network_memo(content: Content, shares: list[Share], today: dt.date) -> _Memo[Network]:
    """The network analysis, reused from the last build when none of what it reads
    changed: the members, each share's people, date, kind, tags and the ask it answers,
    each ask's key, title, body and status, the day, the options and the language."""
    config = content.config
    seen = [
        (
            s.date,
            s.sharer,
            s.for_,
            s.via,
            s.connects,
            s.answered,
            s.post.kind,
            s.post.tags,
            s.post.answers,
            (s.post.key, s.post.title, s.post.body_md, s.post.status)
            if s.post.kind is Kind.ASK
            else (),
        )
        for s in shares
    ]
    return _Memo.of(
        "network",
        (content.members, seen, today, config.network, config.language),
        lambda: analyse(content.members, shares, today, config.network, config.language),
    )


def _asks_memo(
    content: Content, posts: list[Post], today: dt.date, cache: BuildCache | None
) -> _Memo[AskReport]:
    """The asks and their helpers, reused from the last build when none of what they read
    changed: the members, every published post's text and fields, the day, the options."""
    config = content.config
    seen = [
        (p.key, p.by, p.date, p.kind, p.title, p.tags, p.body_md, p.answers, p.status, p.origin)
        for p in posts
    ]
    return _Memo.of(
        "asks",
        (content.members, seen, today, config.network, config.language),
        lambda: _report_asks(content, posts, today, cache),
    )


def network_of(
    content: Content, shares: list[Share], today: dt.date, cache: BuildCache | None
) -> tuple[Network, str]:
    """The network analysis (see :func:`_network_memo`), with the digest that stands for
    it."""
    memo = _network_memo(content, shares, today)
    return _remembered(cache, memo), memo.key


def _remembered(cache: BuildCache | None, memo: _Memo[T]) -> T:
    """``memo``'s value: the cache's, or worked out now (and kept)."""
    found = memo.found(cache)
    return found if found is not None else _worked_out(cache, memo)


def _worked_out(cache: BuildCache | None, memo: _Memo[T], blob: bytes | None = None) -> T:
    """``memo``'s value worked out now, and kept in the cache."""
    value = memo.compute()
    if cache is not None:
        cache.save_memo(memo.name, memo.key, value, blob)
    return value


ALONGSIDE_MIN = 1_000
"""Published posts at least, before the two analyses are worked out side by side (a
fork costs more than it saves on a small newsletter)."""


def _network_and_asks(
    cache: BuildCache | None, network: _Memo[Network], asks: _Memo[AskReport], posts: int
) -> tuple[Network, AskReport]:
    """Both analyses, from the cache or worked out. When both must be worked out for
    ``posts`` posts (a first build, an edit to an ask), the network is in a forked process
    while the asks are ranked here (they read and keep their texts' memo in the cache,
    which only this process may use): 0.7 s of a first build at 10,000 posts."""
    found, ranked = network.found(cache), asks.found(cache)
    if found is None and ranked is None and posts >= ALONGSIDE_MIN:
        (worked, blob), ranks = alongside(network.compute, asks.compute)
        if cache is not None:
            cache.save_memo(network.name, network.key, worked, blob)
            cache.save_memo(asks.name, asks.key, ranks)
        return worked, ranks
    return (
        found if found is not None else _worked_out(cache, network),
        ranked if ranked is not None else _worked_out(cache, asks),
    )


def _report_asks(
    content: Content, posts: list[Post], today: dt.date, cache: BuildCache | None
) -> AskReport:
    """The asks, their texts analysed by the last build looked up (:class:`TextCodes`),
    only those it did not analyse analysed again, and what this one analysed kept."""
    language = content.config.language
    key = Digests().of((code_stamp(), language))
    found = cache.memo(_TEXTS, key) if cache is not None else None
    texts = found if isinstance(found, TextCodes) else TextCodes(language)
    report = report_asks(content.members, posts, today, content.config.network, language, texts)
    if cache is not None:
        cache.save_memo(_TEXTS, key, texts)
    return report


_TEXTS = "asks-texts"
"""The memo of the texts the asks' helpers were ranked on, as word numbers."""


def enrich(
    content: Content, today: dt.date, drafts: bool = False, cache: BuildCache | None = None
) -> Site:
    posts = sorted(
        (p for p in content.posts if is_published(p, today, drafts)),
        key=lambda p: (p.date, p.key),
        reverse=True,
    )
    editions = published_editions(content, today, drafts)
    items = assign_items(editions, posts)
    views = [
        EditionView(
            e,
            items[e.number],
            editions[i - 1] if i > 0 else None,
            editions[i + 1] if i + 1 < len(editions) else None,
        )
        for i, e in enumerate(editions)
    ]
    topics: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for tag in post.tags:
            topics[tag].append(post)
    for member in content.members.values():
        for tag in member.topics:
            topics.setdefault(tag, [])
    shares = ledger(posts)
    network_memo = _network_memo(content, shares, today)
    asks_memo = _asks_memo(content, posts, today, cache)
    network, asks = _network_and_asks(cache, network_memo, asks_memo, len(posts))
    return Site(
        network=network,
        asks=asks,
        analysed_from=((network, network_memo.key), (asks, asks_memo.key)),
        config=content.config,
        members=dict(sorted(content.members.items())),
        posts=posts,
        editions=list(reversed(views)),
        topics=dict(sorted(topics.items())),
        activity=activity(posts, set(content.members)),
        ledger=shares,
        edition_of={p.key: n for n, ps in items.items() for p in ps},
        pages=sorted(content.pages, key=lambda p: p.slug),
    )

"""Enrich: derive what no single file says — each edition's items, each
member's activity, the topics, the contact ledger and the network.

Pure: takes the loaded Content, returns the Site that ``render`` consumes.
"""

from __future__ import annotations

import datetime as dt
import pickle
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from newsletter.analysis.network import analyse
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
from newsletter.project.buildcache import BuildCache, Digests, code_stamp, unpickled
from newsletter.render.netmap import Layout
from newsletter.render.pages import network_layout

if TYPE_CHECKING:  # numpy: loaded only where the asks are ranked
    from newsletter.analysis.wordcodes import TextCodes

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
        lambda: _asks_here(content, posts, today, cache),
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
"""Published posts at least, before the analyses are worked out each in a process of its
own (a fork costs more than it saves on a small newsletter)."""

SIDE_BY_SIDE_MIN = 5_000
"""Published posts at least, before time comes before memory: the two analyses of a
first build are worked out side by side rather than one after the other, and the one
left after an edit (the asks) in this process rather than apart. Below, side by side
would be the build's peak (at 2,000 posts, 158 MB, against 133 MB one after the other
and the search step's 146 MB) for 0.2 s saved, and the asks apart save 27 MB of an
edit's peak (156 MB) for no time measured. Above, the memory budget is far (10,000
posts: the search step's peak is 374 MB), side by side saves 0.7 s, and the asks apart
would cost 0.3 s (the fork of a process of 200 MB, their texts' memo sent back)."""


def _network_and_asks(
    cache: BuildCache | None,
    network: _Memo[Network],
    asks: _Memo[AskReport],
    content: Content,
    posts: list[Post],
    today: dt.date,
    draw_map: bool,
) -> tuple[Network, AskReport, Layout | None]:
    """Both analyses, from the cache or worked out, and the network map's layout when
    it was worked out with the network (with ``draw_map``: for a build).

    From 1,000 posts, each analysis to work out is worked out in a forked process of its
    own while this one waits (but after an edit from :data:`SIDE_BY_SIDE_MIN` posts):
    this process lives on to render, index and publish, so it never loads what they
    compute with (numpy, networkx: 26 MB), nor keeps the holes their work leaves in its
    heap.
    The network's process works out the map's layout too, so that the network page need
    not load them either."""
    found, ranked = network.found(cache), asks.found(cache)
    both = found is None and ranked is None
    if (
        len(posts) < ALONGSIDE_MIN
        or (found is not None and ranked is not None)
        or (not both and len(posts) >= SIDE_BY_SIDE_MIN)
    ):
        return (
            found if found is not None else _worked_out(cache, network),
            ranked if ranked is not None else _worked_out(cache, asks),
            None,
        )
    memos = (network, found), (asks, ranked)
    return _worked_out_apart(cache, *memos, content, posts, today, draw_map)


def _worked_out_apart(
    cache: BuildCache | None,
    network_memo: tuple[_Memo[Network], Network | None],
    asks_memo: tuple[_Memo[AskReport], AskReport | None],
    content: Content,
    posts: list[Post],
    today: dt.date,
    draw_map: bool,
) -> tuple[Network, AskReport, Layout | None]:
    """Each analysis the cache did not have (None beside its memo), worked out in a forked
    process (side by side when both are, for :data:`SIDE_BY_SIDE_MIN` posts or more) and
    kept in the cache; with ``draw_map``, the network's map laid out there too."""
    (network, found), (asks, ranked) = network_memo, asks_memo
    key = _texts_key(content)
    # the texts' memo (7 MB at 10,000 posts) only for the asks' process that reads it
    texts = cache.memo_blob(_TEXTS, key) if cache is not None and ranked is None else None

    def network_apart() -> tuple[bytes, Layout | None]:
        worked = network.compute()
        drawn = network_layout(content.members, worked) if draw_map else None
        return pickle.dumps(worked, protocol=5), drawn

    def asks_apart() -> tuple[AskReport, bytes]:
        report, codes = _report_asks(content, posts, today, unpickled(texts))
        return report, pickle.dumps(codes, protocol=5)  # kept as it is, never read here

    works = [w for w, todo in ((network_apart, found), (asks_apart, ranked)) if todo is None]
    if len(works) == 2 and len(posts) >= SIDE_BY_SIDE_MIN:
        done, _ = alongside(works, lambda: None)
    else:
        done = [alongside([work], lambda: None)[0][0] for work in works]
    layout = None
    if found is None:
        (blob, layout), _ = done.pop(0)
        found = pickle.loads(blob)
        if cache is not None:
            cache.save_memo(network.name, network.key, found, blob)
            if layout is not None:
                cache.save_memo(_LAYOUT, network.key, layout)
    if ranked is None:
        (ranked, codes), _ = done.pop(0)
        if cache is not None:
            cache.save_memo(asks.name, asks.key, ranked)
            cache.save_memo(_TEXTS, key, None, codes)
    assert found is not None and ranked is not None
    return found, ranked, layout


_LAYOUT = "map-layout"
"""The memo of the network map's layout, under the network's own key: it is worked out
from the network and the members, which that key stands for."""


def _asks_here(
    content: Content, posts: list[Post], today: dt.date, cache: BuildCache | None
) -> AskReport:
    """The asks ranked in this process, the texts the last build analysed looked up in
    the cache and what this one analysed kept there."""
    key = _texts_key(content)
    report, codes = _report_asks(
        content, posts, today, cache.memo(_TEXTS, key) if cache is not None else None
    )
    if cache is not None:
        cache.save_memo(_TEXTS, key, codes)
    return report


def _report_asks(
    content: Content, posts: list[Post], today: dt.date, known: object
) -> tuple[AskReport, TextCodes]:
    """The asks, their texts looked up in those an earlier build analysed (``known``, a
    :class:`TextCodes` or anything else for none), only the others analysed now; and all
    the texts analysed so far, for the next build."""
    from newsletter.analysis.asks import report_asks
    from newsletter.analysis.wordcodes import TextCodes

    language = content.config.language
    texts = known if isinstance(known, TextCodes) else TextCodes(language)
    report = report_asks(content.members, posts, today, content.config.network, language, texts)
    return report, texts


def _texts_key(content: Content) -> str:
    return Digests().of((code_stamp(), content.config.language))


_TEXTS = "asks-texts"
"""The memo of the texts the asks' helpers were ranked on, as word numbers."""


def enrich(
    content: Content,
    today: dt.date,
    drafts: bool = False,
    cache: BuildCache | None = None,
    draw_map: bool = False,
) -> Site:
    """The site, from the content. ``draw_map``: also lay out the network page's map
    (``Site.map_layout``), for a build that renders it; the commands that only read the
    site (contacts, network, send) need not load networkx for it."""
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
    network, asks, layout = _network_and_asks(
        cache, network_memo, asks_memo, content, posts, today, draw_map
    )
    if layout is None and draw_map:  # under the network's key: what it was worked out from
        draw = _Memo(_LAYOUT, network_memo.key, lambda: network_layout(content.members, network))
        layout = _remembered(cache, draw)
    return Site(
        network=network,
        asks=asks,
        analysed_from=((network, network_memo.key), (asks, asks_memo.key)),
        map_layout=layout,
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

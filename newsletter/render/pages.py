"""The site's HTML pages: home, editions, posts, archive, members, topics, the network
page with its map, the asks, the standalone pages (content/pages/), search (its index is
newsletter/publish/search.py's), 404."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import TypeVar

from newsletter.core import urls
from newsletter.core.community import Ask, AskReport, Network, Tie
from newsletter.core.messages import N_
from newsletter.core.model import Asset, Kind, Member, Site
from newsletter.render.environment import Theme, globals_for
from newsletter.render.jobs import Job, Output
from newsletter.render.locale import Language
from newsletter.render.netmap import Layout, MapEdge, MapNode, map_layout, network_svg
from newsletter.render.social import PageHead, Previews

T = TypeVar("T")


@dataclass(frozen=True)
class MemberTies:
    """What a member page shows of the network: only members who take part in it."""

    received_from: list[tuple[str, int]]
    introduced: list[tuple[str, str]]
    meet: list[tuple[str, str]]  # (other member, why)


def member_ties(site: Site, member: Member, language: Language) -> MemberTies | None:
    if site.network is None or not member.network:
        return None
    shown = {h for h, m in site.members.items() if m.network}
    act = site.activity[member.handle]
    received = Counter(p.by for p in act.received if p.by in shown)
    return MemberTies(
        received_from=sorted(received.items(), key=lambda kv: (-kv[1], kv[0])),
        introduced=[
            (p.connects[0], p.connects[1])
            for p in act.introduced
            if len(p.connects) == 2 and set(p.connects) <= shown
        ],
        meet=[
            (s.b if s.a == member.handle else s.a, language.phrase(s.reason))
            for s in site.network.member(member.handle).suggestions
        ],
    )


@dataclass(frozen=True)
class AskLine:
    """An ask as a list shows it: its title (linked by key), who asked, when, and a number of
    days. Only what the list shows, not the ask's helpers or answers, so that a page listing
    it is rendered again only when that changes."""

    key: str
    title: str
    by: str
    date: dt.date
    days: int
    """Days waited as of the list's day (an open ask), or from the ask to an answer."""


OPEN_ASKS_SHOWN = 10
"""Open asks the home page and an edition list, the longest waiting first; /asks/ has all."""


@dataclass(frozen=True)
class OpenAsks:
    """The asks open on a day, as the home page or an edition lists them."""

    lines: list[AskLine]
    """The longest waiting (at most OPEN_ASKS_SHOWN), with the days waited by that day."""
    total: int
    """How many were open."""


def ask_in(ask: Ask, language: Language) -> Ask:
    """``ask`` with the reasons of its helpers in ``language``."""
    if not ask.helpers:
        return ask
    helpers = tuple(replace(h, reason=language.phrase(h.reason)) for h in ask.helpers)
    return replace(ask, helpers=helpers)


def open_asks(report: AskReport | None, days: Iterable[dt.date]) -> dict[dt.date, OpenAsks]:
    """For each of ``days``, the asks open on it: what an edition of that day lists,
    whenever it is built."""
    found = report.open_on(days) if report else {}
    return {
        day: OpenAsks(
            [AskLine(a.key, a.title, a.by, a.date, a.waiting(day)) for a in asks[:OPEN_ASKS_SHOWN]],
            len(asks),
        )
        for day, asks in found.items()
    }


@dataclass(frozen=True)
class MemberAsks:
    """What a member's page shows of the asks."""

    open: list[AskLine] = field(default_factory=list)
    """Theirs still open, the oldest first, with the days waited as of the build's day."""
    answered: list[AskLine] = field(default_factory=list)
    """The asks they answered, in the report's order, with the days to their first answer."""


def member_asks(report: AskReport | None) -> dict[str, MemberAsks]:
    """Each member's open asks and the asks they answered, in one pass over the asks:
    ten thousand member pages must not each scan them all."""
    found: defaultdict[str, MemberAsks] = defaultdict(MemberAsks)
    if report is None:
        return {}
    today = report.today
    for ask in report.open_on([today])[today]:
        line = AskLine(ask.key, ask.title, ask.by, ask.date, ask.waiting(today))
        found[ask.by].open.append(line)
    for ask in report.asks:
        first: dict[str, dt.date] = {}
        for answer in ask.answers:  # the oldest first
            first.setdefault(answer.by, answer.date)
        for handle, day in first.items():
            days = (day - ask.date).days
            found[handle].answered.append(AskLine(ask.key, ask.title, ask.by, ask.date, days))
    return dict(found)


MAP_SUGGESTIONS = 8
"""How many introductions the network page suggests, each member at most once."""


NETWORK_DESCRIPTION = N_(
    "Who shares with whom in %(title)s: the map, the people who bridge groups, "
    "and introductions worth making."
)


RELATED = 4
"""How many other posts on the same topic a post's page suggests."""

PER_PAGE = 50
"""Posts on one page of a listing (a topic, a member's shares, the archive's editions)."""


@dataclass(frozen=True)
class Pager:
    """Page ``number`` (from 1) of ``count`` of a listing at ``base`` (a site path)."""

    base: str
    number: int
    count: int
    total: int

    def url(self, number: int) -> str:
        return urls.listing_page(self.base, number)

    @property
    def path(self) -> str:
        return self.url(self.number)

    @property
    def previous(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None


def pages_of(base: str, items: list[T], per_page: int = PER_PAGE) -> list[tuple[Pager, list[T]]]:
    """A listing cut into pages; an empty one is one empty page."""
    count = max(1, -(-len(items) // per_page))
    return [
        (Pager(base, n, count, len(items)), items[(n - 1) * per_page : n * per_page])
        for n in range(1, count + 1)
    ]


@dataclass(frozen=True)
class SitePages:
    """What every HTML page of one site is made with: the theme, the site-wide context
    and the preview metadata."""

    site: Site
    theme: Theme
    ctx: dict[str, object]
    previews: Previews

    @property
    def language(self) -> Language:
        """The site's language: what its pages' titles and descriptions are said in."""
        return self.previews.language

    def page(
        self,
        path: str,
        template: str,
        meta: Callable[[], PageHead],
        files: tuple[Asset, ...] = (),
        key: tuple[object, ...] | None = None,
        **context: object,
    ) -> Job:
        """The job of the page at site path ``path`` (a folder, or a file such as 404.html):
        ``context`` is what it shows (its inputs), ``meta`` makes its preview metadata,
        ``files`` are published beside it."""
        name = urls.page_file(path)
        theme, ctx = self.theme, self.ctx

        def run() -> Output:
            out = {name: theme.page(template, ctx, page_url=path, meta=meta(), **context)}
            out.update((f"{path}{a.name}", a.data) for a in files)
            return out

        # what the page shows: its context, or the narrower ``key`` when the context
        # holds more than the template reads
        inputs = (template, files, *(sorted(context.items()) if key is None else key))
        return Job(name, inputs, run, (template,))

    def titled(self, path: str, template: str, title: str) -> Job:
        """A page that shows the site and a title: the list of members, of topics…"""
        return self.page(path, template, partial(self.previews.page, path, title))


def page_jobs(site: Site, theme: Theme, language: Language | None = None) -> list[Job]:
    """Every HTML page of the site, and robots.txt and the theme's static files; in
    ``language`` (by default the site's main one)."""
    language = language or theme.language(site.config.language)
    pages = SitePages(site, theme, globals_for(site, language), Previews(site, language))
    previews = pages.previews
    latest = site.editions[0] if site.editions else None
    robots = f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}{urls.SITEMAP}\n".encode()
    report = site.asks
    today = [report.today] if report else []
    waiting = open_asks(report, [*today, *(view.edition.date for view in site.editions)])
    return [
        pages.page(
            urls.HOME,
            "home.html",
            partial(previews.page, urls.HOME, site.config.title),
            view=latest,
            waiting=waiting[today[0]] if today else OpenAsks([], 0),
        ),
        *(
            pages.page(
                view.edition.url,
                "edition.html",
                partial(previews.edition, view),
                view=view,
                # as of its own date: an edition's page does not change as time passes
                waiting=waiting.get(view.edition.date, OpenAsks([], 0)),
                waiting_on=view.edition.date,
            )
            for view in site.editions
        ),
        *_post_pages(pages),
        *_archive_pages(pages),
        pages.titled(urls.MEMBERS, "members.html", language.gettext("Members")),
        *_member_pages(pages),
        *_ask_pages(pages),
        Job(
            urls.page_file(urls.NETWORK),
            ("network.html", site.network, *network_inputs(site)),
            partial(network_page, site, theme, pages.ctx, previews),
            ("network.html",),
        ),
        pages.titled(urls.TOPICS, "topics.html", language.gettext("Topics")),
        *_topic_pages(pages),
        *(
            pages.page(p.url, "page.html", partial(previews.standalone, p), page=p)
            for p in site.pages
        ),
        pages.titled(urls.SEARCH, "search.html", language.gettext("Search")),
        # a 404 is served at any address: a canonical URL would claim that one
        pages.page(
            urls.NOT_FOUND,
            "404.html",
            partial(previews.page, None, language.gettext("Page not found")),
        ),
        Job(urls.ROBOTS, (robots,), lambda: {urls.ROBOTS: robots}),
        Job(urls.STATIC, (sorted(theme.static.items()),), theme.static_bytes),
    ]


def _post_pages(pages: SitePages) -> Iterator[Job]:
    site = pages.site
    views = {view.edition.number: view for view in site.editions}
    by_key = {p.key: p for p in site.posts}
    asks = {a.key: ask_in(a, pages.language) for a in site.asks.asks} if site.asks else {}
    for post in site.posts:
        number = site.edition_of.get(post.key)
        topic = site.topics[post.tags[0]] if post.tags else []
        ev = views.get(number) if number else None
        # the newest few on its first tag; never a scan of the whole topic per post
        related = [p for p in islice(topic, RELATED + 1) if p is not post][:RELATED]
        # an ask shows what became of it, an answer the ask it answers
        ask = asks.get(post.key) if post.kind is Kind.ASK else None
        answers = [by_key[a.key] for a in ask.answers if a.key in by_key] if ask else []
        asked = by_key.get(post.answers) if post.answers else None
        yield pages.page(
            post.url,
            "post.html",
            partial(pages.previews.post, post, ev),
            post.assets,
            # of its edition, the page shows the edition and its number of items: an edit
            # to another item of the edition does not touch this page
            (
                post,
                ev.edition if ev else None,
                len(ev.items) if ev else 0,
                related,
                len(topic),
                ask,
                answers,
                asked,
            ),
            post=post,
            ev=ev,
            related=related,
            related_total=len(topic),
            ask=ask,
            answers=answers,
            asked=asked,
        )


def _archive_pages(pages: SitePages) -> Iterator[Job]:
    for pager, editions in pages_of(urls.ARCHIVE, pages.site.editions, ARCHIVE_PER_PAGE):
        title = _paged(pages.language, pages.language.gettext("All editions"), pager)
        meta = partial(pages.previews.page, pager.path, title)
        yield pages.page(pager.path, "archive.html", meta, pager=pager, editions=editions)


def _member_pages(pages: SitePages) -> Iterator[Job]:
    """Each member's page; after it, for a member with more than MEMBER_RECENT shares,
    their whole history a page at a time."""
    site = pages.site
    asks = member_asks(site.asks)
    for member in site.members.values():
        act = site.activity[member.handle]
        shared = pages_of(urls.shared_url(member.handle), act.shared)
        paged = len(act.shared) > MEMBER_RECENT
        mine = asks.get(member.handle, MemberAsks())
        yield pages.page(
            member.url,
            "member.html",
            partial(pages.previews.member, member),
            m=member,
            act=act,
            ties=member_ties(site, member, pages.language),
            recent=MEMBER_RECENT,
            shared_pager=shared[0][0] if paged else None,
            open_asks=mine.open,
            answered=mine.answered,
        )
        if not paged:
            continue
        heading = pages.language.gettext("Shared by %(name)s") % {"name": member.name}
        for pager, posts in shared:
            yield pages.page(
                pager.path,
                "listing.html",
                partial(pages.previews.page, pager.path, _paged(pages.language, heading, pager)),
                heading=heading,
                up=(member.url, member.name),
                posts=posts,
                pager=pager,
            )


def _topic_pages(pages: SitePages) -> Iterator[Job]:
    site, language = pages.site, pages.language
    for tag, posts in site.topics.items():
        people = [m for m in site.members.values() if tag in m.topics]
        about = language.gettext("Posts and members on #%(tag)s in %(title)s.") % {
            "tag": tag,
            "title": site.config.title,
        }
        for pager, chunk in pages_of(urls.topic_url(tag), posts):
            title = _paged(language, f"#{tag}", pager)
            meta = partial(pages.previews.page, pager.path, title, about)
            yield pages.page(
                pager.path, "topic.html", meta, tag=tag, posts=chunk, people=people, pager=pager
            )


def _ask_pages(pages: SitePages) -> Iterator[Job]:
    """/asks/: every ask, open first, a page at a time; the first page also has how long
    asks waited for a first answer, quarter by quarter."""
    report = pages.site.asks
    asks = [ask_in(a, pages.language) for a in report.asks] if report else []
    statuses = Counter(a.status for a in asks)
    language = pages.language
    about = language.gettext(ASKS_DESCRIPTION) % {"title": pages.site.config.title}
    for pager, chunk in pages_of(urls.ASKS, asks, ASKS_PER_PAGE):
        title = _paged(language, language.gettext("Asks"), pager)
        meta = partial(pages.previews.page, pager.path, title, about)
        yield pages.page(
            pager.path,
            "asks.html",
            meta,
            pager=pager,
            asks=chunk,
            today=report.today if report else None,
            statuses=(statuses["open"], statuses["answered"], statuses["withdrawn"]),
            quarters=report.quarters if report and pager.number == 1 else [],
        )


ASKS_PER_PAGE = 100
"""Asks on one page of /asks/."""

ASKS_DESCRIPTION = N_(
    "What members of %(title)s asked, who answered, who might help with the asks still "
    "open, and how long asks wait for a first answer."
)

ARCHIVE_PER_PAGE = 100
"""Editions on one page of the archive."""

MEMBER_RECENT = 20
"""A member's latest shares on their page; the rest are on pages of their own."""


def _paged(language: Language, title: str, pager: Pager) -> str:
    """A listing's title, with the page's number after the first."""
    if pager.number == 1:
        return title
    values = {"title": title, "number": pager.number, "count": pager.count}
    return language.gettext("%(title)s (page %(number)s of %(count)s)") % language.values(values)


def network_inputs(site: Site) -> tuple[list[tuple[str, str, str, str]], dict[str, int]]:
    """What the network page shows besides the analysis: who takes part, how active."""
    shown = [(h, m.name, m.org, m.url) for h, m in site.members.items() if m.network]
    activity = {
        h: len(a.shared) + len(a.received) + len(a.introduced) + len(a.introduced_to)
        for h, a in site.activity.items()
    }
    return shown, activity


def _map_ties(network: Network | None) -> list[Tie]:
    return [t for t in network.ties if t.exchanges] if network else []  # not org-only


def _map_edges(ties: list[Tie]) -> list[MapEdge]:
    return [MapEdge(t.a, t.b, t.weight) for t in ties]


def network_layout(members: Mapping[str, Member], network: Network | None) -> Layout:
    """The network map's layout (:func:`~newsletter.render.netmap.map_layout`), as
    :func:`network_page` would work it out for these members: for the build to work out
    where the network is analysed, and hand to the page in ``Site.map_layout``."""
    nodes = [MapNode(h, m.name, m.org, 0.0, "") for h, m in members.items() if m.network]
    return map_layout(nodes, _map_edges(_map_ties(network)))


def network_page(site: Site, theme: Theme, ctx: dict[str, object], previews: Previews) -> Output:
    network = site.network
    shown, activity = network_inputs(site)
    ties = _map_ties(network)
    nodes = [
        MapNode(h, name, org, float(activity.get(h, 0)), site.config.base_path + url)
        for h, name, org, url in shown
    ]
    language = previews.language
    svg = network_svg(
        nodes,
        _map_edges(ties),
        title=language.gettext("Who shares with whom"),
        language=language,
        layout=site.map_layout,
    )
    suggestions, used = [], set()
    for s in network.suggestions if network else []:
        if s.a in used or s.b in used:
            continue
        suggestions.append(replace(s, reason=language.phrase(s.reason)))
        used |= {s.a, s.b}
        if len(suggestions) == MAP_SUGGESTIONS:
            break
    html = theme.page(
        "network.html",
        ctx,
        network=network,
        map_svg=svg,
        net_members=len(nodes),
        net_ties=len(ties),
        suggestions=suggestions,
        page_url=urls.NETWORK,
        meta=previews.page(
            urls.NETWORK,
            language.gettext("The network"),
            language.gettext(NETWORK_DESCRIPTION) % {"title": site.config.title},
        ),
    )
    return {urls.page_file(urls.NETWORK): html}

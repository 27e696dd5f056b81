"""The typed model every stage shares: Config, Member, Post, Edition, Site.

Values are frozen; each keeps the Location it came from (and of each of its
fields) so that a later stage can point at the line that caused a problem.
Nothing here reads files or renders anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from operator import attrgetter

from newsletter.core import urls
from newsletter.core.community import AskReport, Network, NetworkOptions
from newsletter.core.diagnostics import Location

Marks = Mapping[str, Location]
"""Where each field's value starts: ``marks["for[1]"]`` is the second handle (a dict while
the file is read, packed once its item is made: newsletter/load/marks.py)."""


class Kind(StrEnum):
    ARTICLE = "article"
    ASK = "ask"
    OFFER = "offer"
    EVENT = "event"
    INTRO = "intro"
    JOB = "job"
    SPOTLIGHT = "spotlight"

    @property
    def plural(self) -> str:
        return {
            "ask": "Asks",
            "offer": "Offers",
            "intro": "Introductions",
            "job": "Jobs",
            "event": "Events",
            "article": "Articles",
            "spotlight": "Spotlights",
        }[self.value]


@dataclass(frozen=True)
class Asset:
    """A file published beside its post; ``width``/``height`` are 0 for attachments."""

    name: str
    data: bytes
    width: int = 0
    height: int = 0

    @property
    def is_image(self) -> bool:
        return self.width > 0


@dataclass(frozen=True)
class FeedOptions:
    """``feeds:`` in newsletter.yaml: how members' feeds are fetched and become items."""

    excerpt_words: int = 60
    """An entry's summary is cut to this many words, on a word boundary."""
    backfill_days: int = 30
    """A newly added feed brings entries from at most this many days before it was first
    fetched, so a blog's whole history does not flood the next edition."""
    stale_days: int = 7
    """A feed failing for this long is reported as stale by ``fetch``."""
    allow_private: bool = False
    """Let ``fetch`` (and ``new post --link``) reach loopback, private and other non-public
    addresses: for feeds on an intranet. Off, a member's URL cannot reach this machine or
    its network (newsletter/feeds/http.py)."""


@dataclass(frozen=True)
class EmailOptions:
    """``email:`` in newsletter.yaml: how editions are sent. Never published."""

    from_: str = ""
    """'The Exchange <news@example.org>': the From header."""
    reply_to: str = ""
    subscribers: str = "private/subscribers.csv"
    """The subscribers CSV, relative to the project (NEWSLETTER_SUBSCRIBERS overrides)."""
    suppressed: str = "private/suppressed.csv"
    """Who must never be mailed again: unsubscribed and bounced addresses."""
    unsubscribe: str = ""
    """The address of the List-Unsubscribe mailto: (default: the From address)."""
    unsubscribe_url: str = ""
    """An https endpoint for one-click unsubscribe (RFC 8058), if you have one."""
    subscribe_url: str = ""
    """Where the site's subscribe box posts (a form service, listmonk's public form)."""
    subscribe_mailto: str = ""
    """Without subscribe_url: the box opens a mail to this (public) address instead."""
    per_second: float = 5.0
    """Messages per second at most (your provider's limit; 0: no limit)."""
    per_hour: int = 0
    """Messages per hour at most (0: no hourly limit)."""
    batch: int = 100
    """Messages per SMTP connection before it is renewed."""
    connections: int = 1
    """SMTP connections used at once (a message in flight on each can be resent after a
    crash)."""


@dataclass(frozen=True)
class PrivacyOptions:
    """``privacy:`` in newsletter.yaml: the addresses that may be published because they
    are public already (a project's mailing list, a conference's contact)."""

    public_addresses: tuple[str, ...] = ()
    """Lower-cased: whole addresses ('list@example.org') and ``@domain`` patterns
    ('@example.org': any address at exactly that domain, not at its subdomains)."""
    marks: Marks = field(default_factory=dict, compare=False, repr=False)
    """Where each of them is written in newsletter.yaml."""

    def allows(self, address: str) -> bool:
        """Whether ``address`` is one of the public ones: the whole address, or its domain,
        compared without case. An address that only contains an allowed one is not."""
        address = address.strip().lower()
        domain = "@" + address.rpartition("@")[2]
        return address in self.public_addresses or domain in self.public_addresses


@dataclass(frozen=True)
class Config:
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    """The main language (a BCP 47 tag): the site's root speaks it."""
    languages: tuple[str, ...] = ()
    """Every language of a multilingual site, the main one first (each other one under
    ``/<tag>/``); () for a site in one language."""
    editors: tuple[str, ...] = ()
    email: EmailOptions = field(default_factory=EmailOptions)
    feeds: FeedOptions = field(default_factory=FeedOptions)
    network: NetworkOptions = field(default_factory=NetworkOptions)
    privacy: PrivacyOptions = field(default_factory=PrivacyOptions)
    search: bool = True
    """Whether the site has search (a Pagefind index and a search box); a build with
    ``--no-search`` has none (newsletter/publish/search.py)."""
    timezone: str = ""
    """The IANA name of the zone events' times are in ('Europe/London'); '' when not
    given: times are then local wherever they are read (floating, in iCalendar)."""
    location: Location = field(default_factory=lambda: Location("newsletter.yaml"))
    marks: Marks = field(default_factory=dict, compare=False, repr=False)

    @property
    def site_languages(self) -> tuple[str, ...]:
        """The site's languages, the main one first: one at least."""
        return self.languages or (self.language,)

    def language_named(self, tag: str) -> str | None:
        """The site's language ``tag`` names, in any case ('FR' → 'fr'); None for a
        language the site is not in."""
        return next((t for t in self.site_languages if t.lower() == tag.lower()), None)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/' or '/repo/'."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"


@dataclass(frozen=True)
class FeedSpec:
    """One of a member's feeds, and what of it they share (``feeds:`` in their file)."""

    url: str
    location: Location
    tags: tuple[str, ...] = ()
    """Tags given to every item from this feed."""
    only_tags: tuple[str, ...] = ()
    """``filter: {tags: […]}``: only entries with one of these categories."""
    only_title: str = ""
    """``filter: {title: regex}``: only entries whose title matches."""
    max_per_edition: int = 0
    """At most this many items from the feed in one edition (0: no limit)."""


@dataclass(frozen=True)
class FeedOrigin:
    """Where a feed item came from: the feed, and what the member set for it."""

    feed_url: str
    entry_id: str
    max_per_edition: int = 0


@dataclass(frozen=True)
class Member:
    handle: str
    name: str
    location: Location
    marks: Marks = field(default_factory=dict, compare=False, repr=False)
    org: str = ""
    role: str = ""
    topics: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    feeds: tuple[FeedSpec, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    bio_html: str = ""
    network: bool = True
    short_name: str = ""
    """What the member is called in a greeting ('Ada'), when not the first word of name."""

    @property
    def url(self) -> str:
        return urls.member_url(self.handle)

    @property
    def first_name(self) -> str:
        """The name the email greets them by: ``short_name``, else the first word of name."""
        return self.short_name or (self.name.split() or [self.handle])[0]


@dataclass(frozen=True)
class Post:
    year: int
    slug: str
    title: str
    by: str
    kind: Kind
    date: dt.date
    location: Location
    body_location: Location
    marks: Marks = field(default_factory=dict, compare=False, repr=False)
    body_md: str = ""
    body_html: str = ""
    link: str = ""
    for_: tuple[str, ...] = ()
    via: str = ""
    connects: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    when: dt.datetime | None = None
    where: str = ""
    draft: bool = False
    assets: tuple[Asset, ...] = field(default=(), compare=False, repr=False)
    """Images and attachments beside a folder post, published next to its page."""
    origin: FeedOrigin | None = None
    """Set for an item that came from a member's feed; None for a Markdown post."""
    also_by: tuple[str, ...] = ()
    """Members who shared the same link later (or in another feed): credited, not repeated."""
    answers: str = ""
    """The key of the ask this post answers ('2026/who-has-a-geocoder'), or ''."""
    status: str = ""
    """An ask's ``status:`` as written (open, answered, withdrawn); '' when not given."""
    lang: str = ""
    """The language it is written in (``lang:``, one of newsletter.yaml's ``languages``);
    '' when not given: the newsletter's main language."""
    summary: str = ""
    """``summary:``: a line saying what it is, for lists and link previews ('' if none)."""
    image: str = ""
    """``image:``: its preview image, the name of an image beside a folder post or an
    https URL; '' for the first image beside it."""
    end: dt.datetime | None = None
    """``end:``: when an event ends, in the same time zone as ``when``."""

    @property
    def cover(self) -> str:
        """The post's preview image: ``image:`` (an absolute URL, or site-relative), else
        the site-relative URL of its first image, or ''."""
        if self.image:
            return self.image if "://" in self.image else f"{self.url}{self.image}"
        image = next((a for a in self.assets if a.is_image), None)
        return f"{self.url}{image.name}" if image else ""

    @property
    def key(self) -> str:
        """How include:/exclude: lists name a post: '2026/weak-ties'."""
        return f"{self.year}/{self.slug}"

    @property
    def url(self) -> str:
        return urls.post_url(self.year, self.slug)

    @property
    def anchor(self) -> str:
        return f"{self.year}-{self.slug}"

    def mark(self, name: str) -> Location:
        return self.marks.get(name, self.location)

    def __reduce__(self) -> tuple[Callable[..., Post], tuple[object, ...]]:
        # its values in the fields' order rather than a dict by name: every build takes
        # 10,000 posts out of the build cache, and pickles them for its digests
        return _post, _post_values(self)


_POST_FIELDS = tuple(f.name for f in fields(Post))
_post_values = attrgetter(*_POST_FIELDS)


def _post(*values: object) -> Post:
    """A Post unpickled: its fields set as ``__init__`` sets them."""
    post = object.__new__(Post)
    post.__dict__.update(zip(_POST_FIELDS, values, strict=True))
    return post


@dataclass(frozen=True)
class Edition:
    number: int
    date: dt.date
    title: str
    location: Location
    marks: Marks = field(default_factory=dict, compare=False, repr=False)
    note_md: str = ""
    note_html: str = ""
    note_location: Location | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return urls.edition_url(self.number)

    def mark(self, name: str) -> Location:
        return self.marks.get(name, self.location)


MENUS = ("nav", "footer")
"""Where a standalone page can be linked from every page: the site's top navigation, or
its footer."""


@dataclass(frozen=True)
class Page:
    """A standalone page, ``content/pages/<slug>.md`` (About, Code of conduct), at /<slug>/."""

    slug: str
    title: str
    location: Location
    body_location: Location
    marks: Marks = field(default_factory=dict, compare=False, repr=False)
    body_md: str = ""
    body_html: str = ""
    summary: str = ""
    """``summary:``: a line for link previews and search results ('' if none)."""
    menu: str = ""
    """``menu:``: 'nav' or 'footer' (MENUS), where every page links to it; '' for none."""
    order: int = 0
    """``order:``: its place in its menu, lowest first (then by title)."""

    @property
    def url(self) -> str:
        return urls.page_url(self.slug)


@dataclass(frozen=True)
class Content:
    """What ``load`` produces: every file parsed, nothing yet related."""

    config: Config
    members: dict[str, Member]
    posts: list[Post]
    editions: list[Edition]
    pages: list[Page] = field(default_factory=list)


@dataclass(frozen=True)
class Share:
    """One event of the contact ledger: who shared what, for whom, via whom."""

    date: dt.date
    post: Post
    sharer: str
    for_: tuple[str, ...]
    via: str
    connects: tuple[str, ...]
    answered: str = ""
    """The member whose ask this share answers ('' when it answers none)."""


@dataclass
class Activity:
    """A member's part in the exchange, derived by ``enrich``."""

    shared: list[Post] = field(default_factory=list)
    received: list[Post] = field(default_factory=list)  # shared *for* them
    passed_on: list[Post] = field(default_factory=list)  # came *via* them
    introduced: list[Post] = field(default_factory=list)  # intros they made
    introduced_to: list[Post] = field(default_factory=list)  # intros naming them
    shared_with: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EditionView:
    edition: Edition
    items: list[Post]
    previous: Edition | None
    next: Edition | None

    @property
    def sections(self) -> list[tuple[Kind, list[Post]]]:
        """Items grouped by kind (in Kind order), then ordered by first tag and date."""
        out = []
        for kind in Kind:
            posts = [p for p in self.items if p.kind is kind]
            if posts:
                posts.sort(key=lambda p: (p.tags[:1], p.date, p.slug))
                out.append((kind, posts))
        return out


@dataclass(frozen=True)
class Site:
    """What ``enrich`` produces and ``render`` consumes: the whole newsletter."""

    config: Config
    members: dict[str, Member]
    posts: list[Post]  # published, newest first
    editions: list[EditionView]  # published, newest first
    topics: dict[str, list[Post]]  # tag → posts, newest first
    activity: dict[str, Activity]
    ledger: list[Share]
    edition_of: dict[str, int]  # post key → edition number
    network: Network | None = None
    asks: AskReport | None = None
    pages: list[Page] = field(default_factory=list)
    """The standalone pages, by slug."""
    analysed_from: tuple[tuple[object, str], ...] = field(default=(), compare=False, repr=False)
    """``network`` and ``asks``, each with a digest of all it was worked out from, which
    stands for it in the build's job keys (hashing the analysis itself took 0.2 s at
    10,000 posts); an analysis put in their place later has no digest here."""
    map_layout: dict[str, tuple[float, float]] | None = field(
        default=None, compare=False, repr=False
    )
    """Where the network page's map puts each member (``render.netmap.map_layout``),
    when it was worked out beside the network; None: the page works it out."""

    def menu(self, name: str) -> list[Page]:
        """The pages linked from menu ``name`` ('nav' or 'footer'), in their order."""
        return sorted(
            (p for p in self.pages if p.menu == name), key=lambda p: (p.order, p.title, p.slug)
        )

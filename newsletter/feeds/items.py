"""Items: cached feed entries → the newsletter's items, at build time, offline.

Each entry of a member's feed becomes a Post attributed to that member, filtered by
what the member chose to share (``tags``, ``filter``), sanitized again with nh3
(the cache is never trusted), summarized to an excerpt, and de-duplicated: an
entry whose link (normalized) or id was already shared appears once, credited to
the first sharer — a Markdown post always comes first, as it carries a member's
own words — with the others listed as "also shared by".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import replace

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.errors import ProjectError
from newsletter.core.markup import EMAIL_RE, plain_text, sanitize
from newsletter.core.model import Config, FeedOrigin, FeedSpec, Kind, Member, Post
from newsletter.core.urls import normalize_link, slugify, strip_tracking
from newsletter.feeds.cache import CachedEntry, FeedState, open_cache
from newsletter.project.sources import Project

MAX_TAGS = 8
IGNORED_CATEGORIES = {"uncategorized", "uncategorised", "general", "misc", "blog", "posts"}


def feed_items(
    project: Project,
    members: dict[str, Member],
    posts: list[Post],
    config: Config,
    diags: Diagnostics,
) -> list[Post]:
    """``posts`` with the members' cached feed items added, duplicates folded in."""
    specs = [(m, spec) for _, m in sorted(members.items()) for spec in m.feeds]
    if not specs:
        return posts
    try:
        with open_cache(project.state, create=False, diags=diags) as cache:
            if cache is None:
                return posts
            urls = {spec.url for _, spec in specs}
            entries = cache.entries(urls)
            states = cache.states(urls)
    except (sqlite3.DatabaseError, ProjectError) as err:
        diags.error(
            Location(".newsletter/feeds.sqlite"),
            "feed.cache",
            f"the feed cache cannot be read ({err})",
            "delete .newsletter/feeds.sqlite and run 'newsletter fetch' to fill it again",
        )
        return posts
    candidates = []
    for member, spec in specs:
        state = states.get(spec.url)
        for entry in entries.get(spec.url, []):
            if _wanted(entry, spec, state, config):
                candidates.append((entry, member, spec))
    candidates.sort(key=lambda c: (c[0].published, c[1].handle, c[0].feed_url, c[0].id))
    return _merge(posts, candidates, config)


def _wanted(entry: CachedEntry, spec: FeedSpec, state: FeedState | None, config: Config) -> bool:
    if state is not None and state.first_fetched is not None:
        oldest = state.first_fetched - dt.timedelta(days=config.feeds.backfill_days)
        if entry.published < oldest:
            return False
    if spec.only_tags and not set(spec.only_tags) & set(_tags(entry.categories)):
        return False
    return not spec.only_title or re.search(spec.only_title, entry.title[:300]) is not None


def _merge(
    posts: list[Post], candidates: list[tuple[CachedEntry, Member, FeedSpec]], config: Config
) -> list[Post]:
    out = list(posts)
    first: dict[str, int] = {}  # normalized link or entry id → index in `out`
    for i, post in enumerate(out):
        if post.link:
            first.setdefault(normalize_link(post.link), i)
    taken = {p.key for p in posts}
    for entry, member, spec in candidates:
        keys = [normalize_link(entry.link), "id:" + entry.id]
        seen = next((first[k] for k in keys if k in first), None)
        if seen is not None:
            earlier = out[seen]
            if member.handle != earlier.by and member.handle not in earlier.also_by:
                out[seen] = replace(earlier, also_by=(*earlier.also_by, member.handle))
            for k in keys:
                first.setdefault(k, seen)
            continue
        post = _post(entry, member, spec, config, taken)
        taken.add(post.key)
        for k in keys:
            first[k] = len(out)
        out.append(post)
    return out


def _post(
    entry: CachedEntry, member: Member, spec: FeedSpec, config: Config, taken: set[str]
) -> Post:
    date = entry.published.astimezone(dt.UTC).date()
    title = entry.title or _first_words(entry.summary_html or entry.content_html, 12) or "Untitled"
    slug = slugify(title) or "item"
    if f"{date.year}/{slug}" in taken:
        slug = f"{slug}-{hashlib.sha1(entry.id.encode()).hexdigest()[:6]}"
    tags = list(dict.fromkeys((*spec.tags, *_tags(entry.categories))))[:MAX_TAGS]
    body = _unaddressed(
        excerpt(entry.summary_html or entry.content_html, config.feeds.excerpt_words)
    )
    return Post(
        year=date.year,
        slug=slug,
        title=_unaddressed(title),
        by=member.handle,
        kind=Kind.ARTICLE,
        date=date,
        location=spec.location,
        body_location=spec.location,
        body_html=body,
        body_md=plain_text(body),  # for the text email and page descriptions
        link=strip_tracking(entry.link),
        tags=tuple(tags),
        origin=FeedOrigin(spec.url, entry.id, spec.max_per_edition),
    )


ADDRESS_REMOVED = "[address removed]"


def _unaddressed(text: str) -> str:
    """A blog post may give its author's contact address; the site shows no address, and
    a member cannot edit their blog's entry, so it is removed here rather than refused."""
    return EMAIL_RE.sub(ADDRESS_REMOVED, text)


def _tags(categories: tuple[str, ...]) -> list[str]:
    """Feed categories as tags: 'Open Data' → 'open-data'; noise like 'Uncategorized' dropped."""
    tags = (slugify(c, 40) for c in categories)
    return [t for t in tags if t and t not in IGNORED_CATEGORIES]


# -- excerpts ------------------------------------------------------------------------------


_TOKEN_RE = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+|<""")
"""A tag (quoted attribute values may hold '>') or a run of text, in sanitized HTML."""
_WORD_RE = re.compile(r"(?:(?!&nbsp;|&#160;|&#xa0;)\S)+", re.IGNORECASE)
"""A word of sanitized HTML text: a no-break space (nh3 writes it &nbsp;) separates words."""


def _cut_after(html: str, words: int) -> int | None:
    """Where the text of ``html`` passes ``words`` words; None if it never does."""
    left = words
    for token in _TOKEN_RE.finditer(html):
        text = token.group()
        if text.startswith("<") and len(text) > 1:
            continue
        for word in _WORD_RE.finditer(text):
            left -= 1
            if left < 0:
                return token.start() + word.start()
    return None


def excerpt(html: str, words: int) -> str:
    """Sanitized HTML cut after ``words`` words, on a word boundary, tags closed, with '…'."""
    clean = sanitize(html)
    cut = _cut_after(clean, words) if words > 0 else None
    if cut is None:
        return clean
    # sanitizing again closes every tag the cut left open
    return sanitize(clean[:cut].rstrip() + " …")


def _first_words(html: str, words: int) -> str:
    return " ".join(plain_text(sanitize(html)).split()[:words])[:120]

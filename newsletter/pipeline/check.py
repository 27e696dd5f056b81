"""Check: validate across files — references, introductions, duplicate links,
editions and internal links. Reports diagnostics; changes nothing.

``email_validator`` is imported only when newsletter.yaml gives an address to check: a
build that has none (most) does not pay for its import (15 ms).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from dataclasses import replace
from email.utils import getaddresses
from urllib.parse import urlsplit

from newsletter.core import urls
from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import markdown_links
from newsletter.core.model import Content, Edition, Kind, Post
from newsletter.pipeline.enrich import assign_items, is_published, published_editions

POST_PLACEHOLDER = "Say in a few lines what this is and why it matters to us."
"""The text ``new post`` writes in a post given none (as a draft): never published as is."""


def check(content: Content, diags: Diagnostics, today: dt.date, drafts: bool = False) -> None:
    _check_config(content, diags)
    asks = {p.key: p for p in content.posts if p.kind is Kind.ASK}
    for post in content.posts:
        _check_references(content, post, diags)
        if post.answers:
            _check_answer(content, post, asks, diags)
        if not post.draft and POST_PLACEHOLDER in post.body_md:
            _placeholder(post, diags)
        if post.date > today and not post.draft and post.origin is None:
            diags.warning(
                post.mark("date"),
                "post.future",
                f"dated {post.date.isoformat()}, after today: not published until then",
                "if that is a typo, use the day it was shared; for a work in progress, "
                "set draft: true",
            )
    _check_titles(content, diags)
    _check_duplicate_posts(content, diags)
    _check_duplicate_links(content, diags)
    _check_editions(content, diags, today, drafts)
    _check_waiting(content, diags, today, drafts)
    _check_internal_links(content, diags, today, drafts)


def _unknown_member(content: Content, handle: str, at: Location, diags: Diagnostics) -> bool:
    if handle in content.members:
        return False
    diags.error(
        at,
        "ref.member",
        f"unknown member '{handle}'{did_you_mean(handle, content.members)}",
        f"members are the files in content/members/; add content/members/{handle}.yaml "
        "or fix the handle",
    )
    return True


def _check_config(content: Content, diags: Diagnostics) -> None:
    config = content.config
    for i, handle in enumerate(config.editors):
        _unknown_member(content, handle, config.marks.get(f"editors[{i}]", config.location), diags)
    for name, value in (
        ("from", config.email.from_),
        ("reply_to", config.email.reply_to),
        ("unsubscribe", config.email.unsubscribe),
    ):
        problem = _address_problem(value)
        if value and problem:
            diags.error(
                config.marks.get(f"email.{name}", config.location),
                "config.email",
                f"email '{name}' must be an address, like 'The Exchange <news@example.org>', "
                f"not {value!r}: {problem}",
                "write a name (optional) and the address in <>, like: "
                f"{name}: {config.title or 'News'} <news@your-domain.org>",
            )


def _address_problem(value: str) -> str:
    """Why ``value`` is not one email address with an optional name ('' when it is one):
    the sender of every edition, checked before a send finds out."""
    found = getaddresses([value])
    if len(found) != 1 or not found[0][1]:
        return "it is not one address" if "@" in value else "there is no address in it"
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(found[0][1], check_deliverability=False)
    except EmailNotValidError as err:
        reason = str(err).rstrip(".")
        return reason[:1].lower() + reason[1:]
    return ""


def _check_references(content: Content, post: Post, diags: Diagnostics) -> None:
    # a mark is looked up for a mistake only: a microsecond each, tens of thousands of them
    known = content.members
    if post.by not in known:
        _unknown_member(content, post.by, post.mark("by"), diags)
    for i, handle in enumerate(post.for_):
        if handle not in known:
            _unknown_member(content, handle, post.mark(f"for[{i}]"), diags)
        if handle == post.by:
            diags.warning(
                post.mark(f"for[{i}]"),
                "share.self",
                f"'{handle}' shares this for themselves",
                "'for' names the people it is shared with; leave the author out",
            )
    if post.via and post.via not in known:
        _unknown_member(content, post.via, post.mark("via"), diags)
    for i, handle in enumerate(post.connects):
        if handle not in known:
            _unknown_member(content, handle, post.mark(f"connects[{i}]"), diags)
    if post.kind is Kind.INTRO:
        others = set(post.connects) - {post.by}
        if post.by in post.connects:
            diags.error(
                post.mark(f"connects[{post.connects.index(post.by)}]"),
                "intro.self",
                f"'{post.by}' introduces themselves",
                "an intro connects two other members; to present yourself, use kind: spotlight",
            )
        elif len(post.connects) != 2 or len(others) != 2:
            diags.error(
                post.mark("connects") if post.connects else post.location,
                "intro.connects",
                "an intro must connect two distinct members",
                "for example: connects: [grace, linus]",
            )
    elif post.connects:
        diags.warning(
            post.mark("connects"),
            "field.connects",
            f"'connects' is only used by intros, and this is kind: {post.kind}",
            "set kind: intro, or remove 'connects'",
        )


def _placeholder(post: Post, diags: Diagnostics) -> None:
    """A post still saying what ``new post`` wrote in place of the member's words."""
    start = post.body_location
    before = post.body_md[: post.body_md.index(POST_PLACEHOLDER)]
    diags.error(
        Location(start.path, start.line + before.count("\n")),
        "post.placeholder",
        "the text is still the placeholder that `newsletter new post` wrote",
        "replace it with a few lines in your own words, or keep draft: true until then",
    )


def _check_answer(content: Content, post: Post, asks: dict[str, Post], diags: Diagnostics) -> None:
    """``answers:`` names an ask posted no later than the answer, and not the post itself."""
    at = post.mark("answers")
    ask = asks.get(post.answers)
    if post.answers == post.key:
        diags.error(at, "answers.self", "a post cannot answer itself", "name the ask it answers")
    elif ask is None:
        other = next((p for p in content.posts if p.key == post.answers), None)
        if other is not None:
            diags.error(
                at,
                "answers.not-ask",
                f"{post.answers} is not an ask (it is kind: {other.kind})",
                "'answers' names a post with kind: ask",
            )
            return
        diags.error(
            at,
            "answers.unknown",
            f"no ask '{post.answers}'{did_you_mean(post.answers, asks)}",
            "name the ask by its year and file name without .md, like 2026/who-has-a-geocoder",
        )
    elif ask.date > post.date:
        diags.error(
            at,
            "answers.later",
            f"answers an ask dated {ask.date.isoformat()}, after this post "
            f"({post.date.isoformat()})",
            "an answer comes after its ask: check both dates and which ask it names",
        )


MAX_TITLE = 200
"""Characters in a title before check warns: past it, no list, search result or email
subject shows it whole."""


def _check_titles(content: Content, diags: Diagnostics) -> None:
    """A title over ``MAX_TITLE`` characters: a warning (the email subject is cut at a word)."""
    titled: list[tuple[str, Post | Edition, str]] = [
        (p.title, p, "post") for p in content.posts if p.origin is None
    ]
    titled += [(e.title, e, "edition") for e in content.editions]
    for title, item, what in titled:
        if len(title) > MAX_TITLE:
            diags.warning(
                item.mark("title"),
                "title.long",
                f"the title is {len(title)} characters long; over {MAX_TITLE}, lists, search "
                "results and email subjects cut it",
                f"say it in fewer words and the rest in the {what}'s text",
            )


def _check_duplicate_posts(content: Content, diags: Diagnostics) -> None:
    first: dict[str, Post] = {}
    for post in content.posts:
        if post.key in first:
            diags.error(
                post.location,
                "post.duplicate",
                f"another post has the same address /{post.url}: {first[post.key].location.path}",
                "rename one of the two files",
            )
        else:
            first[post.key] = post


def _check_duplicate_links(content: Content, diags: Diagnostics) -> None:
    first: dict[str, Post] = {}
    for post in sorted(content.posts, key=lambda p: (p.date, p.location.path)):
        if not post.link:
            continue
        key = urls.normalize_link(post.link)
        if key in first:
            other = first[key]
            diags.warning(
                post.mark("link"),
                "link.duplicate",
                f"this link was already shared by {other.by} in {other.location.path}",
                "link to that post instead, or say what is new in this one",
            )
        else:
            first[key] = post


def _check_editions(content: Content, diags: Diagnostics, today: dt.date, drafts: bool) -> None:
    numbers = Counter(e.number for e in content.editions)
    for edition in content.editions:
        if numbers[edition.number] > 1:
            others = [
                e.location.path
                for e in content.editions
                if e.number == edition.number and e is not edition
            ]
            diags.error(
                edition.location,
                "edition.duplicate",
                f"edition number {edition.number} is also used by {', '.join(others)}",
                "give every edition file its own number",
            )
    keys = {p.key for p in content.posts}
    for edition in content.editions:
        for field in ("include", "exclude"):
            for i, key in enumerate(getattr(edition, field)):
                if key not in keys:
                    diags.error(
                        edition.mark(f"{field}[{i}]"),
                        "ref.post",
                        f"unknown post '{key}'{did_you_mean(key, keys)}",
                        "name posts as <year>/<slug>, like 2026/weak-ties",
                    )
    posts = [p for p in content.posts if is_published(p, today, drafts)]
    editions = published_editions(content, today, drafts)
    items = assign_items(editions, posts)
    previous: Edition | None = None
    for edition in editions:  # items are by number: a duplicate number has no reliable items
        if numbers[edition.number] == 1 and not items[edition.number]:
            _empty_edition(edition, previous, edition is editions[-1], posts, diags)
        previous = edition


def _empty_edition(
    edition: Edition, previous: Edition | None, latest: bool, posts: list[Post], diags: Diagnostics
) -> None:
    """An edition with no items, and the two dates of its window: the previous edition's
    and its own. When it is the latest, the first post dated after it says where to move it."""
    day = edition.date.isoformat()
    window = (
        f"no post is dated after edition {previous.number} ({previous.date.isoformat()}) "
        f"and up to {day}"
        if previous
        else f"no post is dated on or before {day}"
    )
    later = min((p.date for p in posts if p.date > edition.date), default=None)
    diags.error(
        edition.mark("date"),
        "edition.empty",
        f"edition {edition.number} has no items: {window}",
        f"the first post after it is dated {later.isoformat()}: date the edition "
        f"{later.isoformat()} or later, or add posts dated in its window"
        if later and latest
        else "change its date, or add posts dated in its window",
    )


def _check_waiting(content: Content, diags: Diagnostics, today: dt.date, drafts: bool) -> None:
    """Each published post dated after the latest edition waits for the next one: a note,
    not a warning, since that is what every post is between two editions; said so that
    nobody wonders why it is in no edition. (A draft edition counts: its posts wait for
    it. Feed items are left out: nobody wrote them here. With no edition at all, or none
    that could be read, every post waits, and a note on each would say nothing.)"""
    latest = max(content.editions, key=lambda e: (e.date, e.number), default=None)
    if latest is None:
        return
    included = {key for e in content.editions for key in e.include}
    for post in content.posts:
        if (
            post.origin is not None
            or post.key in included
            or post.date <= latest.date
            or not is_published(post, today, drafts)
        ):
            continue
        diags.note(
            post.mark("date"),
            "post.waiting",
            f"waits for the next edition: dated {post.date.isoformat()}, after edition "
            f"{latest.number} ({latest.date.isoformat()})",
            "it goes out with the next edition; `newsletter new edition` starts one",
        )


def content_paths(content: Content) -> set[str]:
    """Every page the site will have, as paths relative to the site root."""
    tags = {t for p in content.posts for t in p.tags} | {
        t for m in content.members.values() for t in m.topics
    }
    return urls.site_paths(
        posts=((p.year, p.slug) for p in content.posts),
        handles=(m.handle for m in content.members.values()),
        editions=(e.number for e in content.editions),
        tags=tags,
        pages=(p.slug for p in content.pages),
    )


def _check_internal_links(
    content: Content, diags: Diagnostics, today: dt.date, drafts: bool
) -> None:
    """Links to the site's own pages lead somewhere: a page that is not published (a draft,
    or dated after today) is a warning, a page that does not exist an error whose
    did-you-mean only proposes published pages."""
    links = _site_links(content)
    if not links:
        return
    paths = content_paths(content)
    published = content_paths(
        replace(
            content,
            posts=[p for p in content.posts if is_published(p, today, drafts)],
            editions=published_editions(content, today, drafts),
        )
    )
    unpublished = _why_unpublished(content, today, drafts)
    for target, path, line, col in links:
        if target in published:
            continue
        at = Location(path, line, col)
        if target in paths:
            why = unpublished.get(target, "it is not published")
            diags.warning(
                at,
                "link.unpublished",
                f"link to /{target}, which is not published yet",
                f"{why}: the link leads nowhere until then",
            )
            continue
        diags.error(
            at,
            "link.internal",
            f"broken link: no page at /{target}",
            "link to an existing page" + _closest_page(target, published),
        )


def _site_links(content: Content) -> list[tuple[str, str, int, int]]:
    """Each link to this site in what is written here (posts, editions' notes, pages): the
    page it leads to (as in :func:`content_paths`), and the path, line and column of it."""
    netloc, base_path = urlsplit(content.config.base_url).netloc, content.config.base_path
    texts = [(p.body_md, p.body_location) for p in content.posts if p.origin is None]
    texts += [(e.note_md, e.note_location or e.location) for e in content.editions]
    texts += [(p.body_md, p.body_location) for p in content.pages]
    found = []
    for text, where in texts:
        offset = where.line - 1 if where.line > 1 else 0
        for url, line, col in markdown_links(text):
            if netloc and netloc not in url and not url.startswith("/"):
                continue  # elsewhere, as urlsplit would say (its host is part of it), sooner
            target = _site_target(url, netloc, base_path)
            if target is not None:
                found.append((urls.page_path(target), where.path, line + offset, col))
    return found


def _site_target(url: str, netloc: str, base_path: str) -> str | None:
    """The path within the site that ``url`` leads to, or None when it leads elsewhere
    (another host, or a path relative to the page, or no URL: 'http://[x', which
    ``urlsplit`` refuses, and a browser too)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return parts.path.removeprefix(base_path) if parts.netloc == netloc else None
    return parts.path.lstrip("/") if url.startswith("/") else None


def _why_unpublished(content: Content, today: dt.date, drafts: bool) -> dict[str, str]:
    """The pages of posts and editions that are not published yet, and why, in words."""
    why = {
        urls.post_url(p.year, p.slug): "it is a draft (draft: true)"
        if p.draft
        else f"it is dated {p.date.isoformat()}, after today"
        for p in content.posts
        if not is_published(p, today, drafts)
    }
    shown = {e.number for e in published_editions(content, today, drafts)}
    for edition in content.editions:
        if edition.number not in shown:
            why[urls.edition_url(edition.number)] = (
                f"edition {edition.number} is dated {edition.date.isoformat()}, after today"
            )
    return why


def _closest_page(target: str, pages: set[str]) -> str:
    """`` (did you mean '/posts/2026/weak-ties/'?)`` among the pages beside ``target`` (the
    same folder): whole paths all look alike, since they share '/posts/2026/'."""
    folder, _, name = target.rstrip("/").rpartition("/")
    beside = {}
    for page in pages:
        page_folder, _, page_name = page.rstrip("/").rpartition("/")
        if page_folder == folder:
            beside[page_name] = page
    close = difflib.get_close_matches(name, list(beside), n=1, cutoff=0.6)
    return f" (did you mean '/{beside[close[0]]}'?)" if close else ""

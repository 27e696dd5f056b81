"""Check: validate across files — references, introductions, duplicate links,
editions and internal links. Reports diagnostics; changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlsplit

from newsletter.core import urls
from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import markdown_links
from newsletter.core.model import Content, Kind, Post
from newsletter.pipeline.enrich import assign_items, is_published, published_editions


def check(content: Content, diags: Diagnostics, today: dt.date, drafts: bool = False) -> None:
    _check_config(content, diags)
    asks = {p.key: p for p in content.posts if p.kind is Kind.ASK}
    for post in content.posts:
        _check_references(content, post, diags)
        if post.answers:
            _check_answer(content, post, asks, diags)
        if post.date > today and not post.draft and post.origin is None:
            diags.warning(
                post.mark("date"),
                "post.future",
                f"dated {post.date.isoformat()}, after today: not published until then",
                "if that is a typo, use the day it was shared; for a work in progress, "
                "set draft: true",
            )
    _check_duplicate_posts(content, diags)
    _check_duplicate_links(content, diags)
    _check_editions(content, diags, today, drafts)
    _check_internal_links(content, diags)


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


def _check_references(content: Content, post: Post, diags: Diagnostics) -> None:
    _unknown_member(content, post.by, post.mark("by"), diags)
    for i, handle in enumerate(post.for_):
        _unknown_member(content, handle, post.mark(f"for[{i}]"), diags)
        if handle == post.by:
            diags.warning(
                post.mark(f"for[{i}]"),
                "share.self",
                f"'{handle}' shares this for themselves",
                "'for' names the people it is shared with; leave the author out",
            )
    if post.via:
        _unknown_member(content, post.via, post.mark("via"), diags)
    for i, handle in enumerate(post.connects):
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
    for edition in editions:  # items are by number: a duplicate number has no reliable items
        if numbers[edition.number] == 1 and not items[edition.number]:
            diags.error(
                edition.mark("date"),
                "edition.empty",
                f"edition {edition.number} has no items",
                "no post is dated in its window (after the previous edition, up to "
                f"{edition.date.isoformat()}); change its date or add posts",
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


def _check_internal_links(content: Content, diags: Diagnostics) -> None:
    paths = content_paths(content)
    base = urlsplit(content.config.base_url)
    texts = [(p.body_md, p.body_location) for p in content.posts if p.origin is None]
    texts += [(e.note_md, e.note_location or e.location) for e in content.editions]
    texts += [(p.body_md, p.body_location) for p in content.pages]
    for text, where in texts:
        offset = where.line - 1 if where.line > 1 else 0
        for url, line, col in markdown_links(text):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if parts.netloc != base.netloc:
                    continue
                target = parts.path.removeprefix(content.config.base_path)
            elif url.startswith("/"):
                target = parts.path.lstrip("/")
            else:
                continue
            target = urls.page_path(target)
            if target not in paths:
                diags.error(
                    Location(where.path, line + offset, col),
                    "link.internal",
                    f"broken link: no page at /{target}",
                    "link to an existing page"
                    + did_you_mean("/" + target, {"/" + p for p in paths}),
                )

"""Members: ``content/members/<handle>.yaml`` (and its ``.md`` bio) → ``Member``.

Who the member is, what they offer and ask, their links, and the feeds they share
(each a URL, or a URL with tags, a filter and a cap per edition). Every value is
checked where the file has it; a member file with an error still names a member, so
posts that refer to it are not reported twice. Relations to other files are ``check``'s.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.markup import render_markdown
from newsletter.core.model import Config, FeedSpec, Member
from newsletter.load.documents import scan_private
from newsletter.load.fields import HANDLE_RE, Fields, describe, mapping_or_error
from newsletter.load.marks import pack_marks
from newsletter.load.yaml import parse_yaml
from newsletter.project import limits
from newsletter.project.sources import Project, read_text

MEMBER_FIELDS = {
    "name",
    "org",
    "role",
    "topics",
    "offers",
    "asks",
    "feeds",
    "links",
    "bio",
    "network",
    "short_name",
}


def load_member(project: Project, file: Path, config: Config, diags: Diagnostics) -> Member | None:
    """A member's file → its ``Member``; None (reported) if the file's name is no handle."""
    path = project.relative(file)
    where = Location(path)
    handle = file.stem
    if not HANDLE_RE.match(handle):
        diags.error(
            where,
            "member.handle",
            f"'{handle}' is not a valid member handle",
            "rename the file: lowercase letters, digits, '-' or '_', starting with a letter",
        )
        return None
    text = read_text(project, file, diags)
    if text is None:
        return _unreadable_member(handle, where)
    scan_private(text, path, diags, config.privacy)
    data, marks = parse_yaml(text, path, diags)
    data = mapping_or_error(data, where, diags, "a member file") if data is not None else None
    if data is None:
        return _unreadable_member(handle, where)
    fields = Fields(data, marks, where, diags)
    fields.unknown(MEMBER_FIELDS)
    bio = fields.text("bio")
    bio_file = file.with_suffix(".md")
    bio_at = fields.at("bio")
    if bio_file.is_file():
        bio_text = read_text(project, bio_file, diags) or ""
        scan_private(bio_text, project.relative(bio_file), diags, config.privacy)
        bio, bio_at = bio_text, Location(project.relative(bio_file))
    if bio and not limits.check_markdown(bio, bio_at.path, bio_at.line, diags):
        bio = ""
    topics = fields.texts("topics", example="[open-data, mapping]")
    fields.slugs("topics", topics)
    return Member(
        handle=handle,
        name=fields.text("name", required=True, example="Ada Lovelace") or handle,
        location=where,
        org=fields.text("org"),
        role=fields.text("role"),
        topics=tuple(t.lower() for t in topics),
        offers=fields.texts("offers"),
        asks=fields.texts("asks"),
        feeds=_feeds(fields),
        links=tuple(
            (label, url)
            for label, value in fields.mapping("links").items()
            if (url := fields.url("links", value, example="{site: https://example.org}"))
        ),
        bio_html=render_markdown(bio, config.base_path) if bio else "",
        network=fields.flag("network", True),
        short_name=fields.text("short_name", example="Ada"),
        marks=pack_marks(marks),  # last: reading the fields above adds to them
    )


FEED_FIELDS = {"url", "tags", "filter", "max_per_edition"}
FEED_EXAMPLE = "[https://example.org/feed.xml]"


def _feeds(fields: Fields) -> tuple[FeedSpec, ...]:
    """``feeds:``: a list of URLs, or of {url, tags, filter: {tags, title}, max_per_edition}."""
    value = fields.data.get("feeds")
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    specs = []
    for i, item in enumerate(value):
        name = f"feeds[{i}]"
        at = fields.at(name) if fields.marks.get(name) else fields.at("feeds")
        given_as = "feeds" if isinstance(item, str) else "url"
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            fields.diags.error(
                at,
                "field.type",
                f"'{name}' must be a feed URL or a mapping with 'url', not {describe(item)}",
                "for example: feeds: [https://example.org/feed.xml]",
            )
            continue
        spec = fields.sub(name, item) if given_as == "url" else Fields(item, {}, at, fields.diags)
        spec.unknown(FEED_FIELDS)
        url = spec.text("url", required=True, example="https://example.org/feed.xml")
        if not _feed_url(spec, url, given_as):
            continue
        tags = spec.texts("tags", example="[python, open-data]")
        spec.slugs("tags", tags)
        only_tags: tuple[str, ...] = ()
        only_title = ""
        rules = item.get("filter")
        if rules is not None and not isinstance(rules, dict):
            spec.wrong("filter", "a mapping", "{tags: [python], title: '(?i)python'}")
        elif rules:
            filters = spec.sub("filter", rules)
            filters.unknown({"tags", "title"})
            only_tags = tuple(t.lower() for t in filters.texts("tags", example="[python]"))
            only_title = _title_pattern(filters)
        specs.append(
            FeedSpec(
                url=url,
                location=at,
                tags=tuple(t.lower() for t in tags),
                only_tags=only_tags,
                only_title=only_title,
                max_per_edition=spec.count("max_per_edition", 0, example="3"),
            )
        )
    return tuple(specs)


def _feed_url(spec: Fields, url: str, name: str) -> bool:
    """Only http(s) feeds, and never with a password in them: member files are public."""
    example = FEED_EXAMPLE if name == "feeds" else "https://example.org/feed.xml"
    if not url or not spec.url(name, url, example=example):
        return False
    if "@" in url.split("//", 1)[1].split("/", 1)[0]:
        spec.diags.error(
            spec.at("url"),
            "feed.credentials",
            "a feed URL must not carry a user name or password: member files are published",
            "use the feed's public URL; a private feed cannot be shared",
        )
        return False
    return True


MAX_PATTERN = 200


def _title_pattern(filters: Fields) -> str:
    pattern = filters.text("title", example="'(?i)python|data'")
    if not pattern:
        return ""
    try:
        if len(pattern) > MAX_PATTERN:
            raise re.error(f"longer than {MAX_PATTERN} characters")
        re.compile(pattern)
    except re.error as err:
        filters.diags.error(
            filters.at("title"),
            "feed.filter",
            f"the title filter {pattern!r} is not a valid regular expression: {err}",
            "for example: filter: {title: '(?i)python|open data'}",
        )
        return ""
    return pattern


def _unreadable_member(handle: str, where: Location) -> Member:
    """A member whose file has an error, already reported: the file names a member,
    so posts that refer to it are not also reported as naming an unknown member."""
    return Member(handle=handle, name=handle, location=where)

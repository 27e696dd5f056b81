"""A post being made by ``new post``: its values as typed, tidied the way the share form
tidies them, its file's name, and which value each of ``check``'s diagnostics is about.

Pure: reads no file and writes none (``scaffold`` does), and judges nothing itself:
whether the post is right is what ``preflight`` asks ``check``. Only what can be set
right without asking is set right here, and said: a tag written as a slug, a handle
without its '@', a start time in the one way it is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from newsletter.authoring.frontmatter import post_file
from newsletter.core.diagnostics import Diagnostic
from newsletter.core.urls import slugify
from newsletter.pipeline.check import POST_PLACEHOLDER

OPTIONS = {
    "title": "--title",
    "by": "--by",
    "kind": "--kind",
    "link": "--link",
    "for": "--for",
    "via": "--via",
    "connects": "--connects",
    "tags": "--tags",
    "when": "--when",
    "where": "--where",
    "date": "--date",
    "slug": "--slug",
    "body": "--body",
}
"""The option of ``new post`` that sets each field (and the text, 'body')."""

FILE_WIDE = {"intro.connects": "connects", "post.duplicate": "slug"}
"""Diagnostics ``check`` places on the file as a whole, by the field that answers them."""


@dataclass(frozen=True)
class PostDraft:
    """What ``new post`` was given: ``when`` as typed, lists as lists."""

    title: str
    by: str
    kind: str
    date: dt.date
    link: str = ""
    for_: list[str] = field(default_factory=list)
    via: str = ""
    connects: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    when: str = ""
    where: str = ""
    body: str = ""
    slug: str = ""
    """The name in its address, when chosen (``--slug``); otherwise from the title."""

    @property
    def is_draft(self) -> bool:
        """A post without the member's own words is written as a draft: off the site
        until they replace the placeholder."""
        return not self.body.strip() or POST_PLACEHOLDER in self.body

    def text(self) -> str:
        """The post's file, as ``new post`` writes it."""
        return post_file(
            title=self.title,
            by=self.by,
            kind=self.kind,
            date=self.date,
            link=self.link,
            for_=self.for_,
            via=self.via,
            connects=self.connects,
            tags=self.tags,
            when=self.when,
            where=self.where,
            draft=self.is_draft,
            body=self.body if self.body.strip() else POST_PLACEHOLDER,
        )

    def name(self, taken: set[str]) -> str:
        """The name of its file and address: ``slug`` as given, or the title's (or, for a
        title with no letters, its kind and author's), with '-2', '-3'… when ``taken``."""
        if self.slug:
            return self.slug
        base = slugify(self.title) or slugify(f"{self.kind} by {self.by}")
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        return name

    def with_value(self, name: str, value: str) -> PostDraft:
        """The draft with field ``name`` set to ``value`` as typed (lists
        comma-separated)."""
        changes: dict[str, Any] = {name: value.strip()}
        if name in ("for", "connects", "tags"):
            changes = {"for_" if name == "for" else name: split_list(value)}
        elif name == "date":
            changes = {"date": dt.date.fromisoformat(value.strip())}
        return replace(self, **changes)


def split_list(value: str) -> list[str]:
    """'grace, linus' → ['grace', 'linus']."""
    return [v.strip() for v in value.split(",") if v.strip()]


def tidied(draft: PostDraft) -> tuple[PostDraft, list[str]]:
    """The draft with what can be set right without asking set right, and a sentence for
    each change: tags as slugs ('Open Data' → open-data, as the share form does), handles
    without '@' and lower-cased, the start as 'YYYY-MM-DD HH:MM', the slug as a slug.
    A value that cannot be set right is left as it is, for ``check`` to explain."""
    tags, said = tag_slugs(draft.tags)
    slug = slugify(draft.slug) if draft.slug else ""
    if slug != draft.slug:
        said.append(f"--slug {draft.slug!r} written as {slug or '(the title’s)'}")
    tidy = replace(
        draft,
        by=_handle(draft.by),
        via=_handle(draft.via),
        for_=list(dict.fromkeys(map(_handle, draft.for_))),
        connects=list(dict.fromkeys(map(_handle, draft.connects))),
        tags=tags,
        when=_start(draft.when),
        slug=slug,
    )
    return tidy, said


def tag_slugs(values: list[str]) -> tuple[list[str], list[str]]:
    """Tags (or a member's topics) as slugs, as the share form writes them ('Open Data'
    → open-data), each once, and a sentence for each one changed. One with no letter or
    digit is kept as typed, for ``check`` to explain."""
    tags: list[str] = []
    said: list[str] = []
    for value in values:
        tag = slugify(value) or value
        if tag != value:
            said.append(f"tag {value!r} written as {tag}")
        if tag not in tags:
            tags.append(tag)
    return tags, said


def _handle(text: str) -> str:
    return text.strip().removeprefix("@").lower()


def _start(when: str) -> str:
    """An event's start as 'YYYY-MM-DD HH:MM' if it reads as one, else as typed."""
    try:
        return dt.datetime.fromisoformat(when.strip()).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return when.strip()


def field_of(diagnostic: Diagnostic, text: str, draft: PostDraft) -> str | None:
    """Which field of the post ``text`` (``draft``'s file) a diagnostic is about: the one
    on its line, 'body' in the text, or for the file as a whole the field that answers it;
    None when no field does."""
    lines = text.split("\n")
    end = lines.index("---", 1) + 1  # the line of the closing '---'
    line = diagnostic.location.line
    if line > end:
        return "body"
    if 1 < line < end and ":" in lines[line - 1]:
        return lines[line - 1].split(":", 1)[0].strip()
    if diagnostic.code == "field.required" and draft.kind == "event" and not draft.when:
        return "when"
    return FILE_WIDE.get(diagnostic.code)

"""Sharing without git: a GitHub issue form, and its rendered body → a post file.

A member fills in the form ``.github/ISSUE_TEMPLATE/share.yml``; the workflow
``.github/workflows/share.yml`` (written by ``init`` from
``newsletter/authoring/workflows/share.yml``) hands the issue's body (as a file, never as
part of a script) to ``newsletter new post --from-issue``, which turns it into
``content/posts/<year>/<slug>.md`` and opens a pull request.

Everything in an issue is untrusted. This module only parses and validates:
it reads no file and writes none (``scaffold.new_post_from_issue`` does). The
front matter is written with ``yaml.safe_dump``, every value is one line, and
leading ``---`` lines are removed from the text, so nothing typed into the
form can add or change a field; the text stays Markdown, which the build
sanitizes like any other post.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from newsletter.core.markup import CONTROL_RE, EMAIL_RE
from newsletter.core.model import Kind
from newsletter.core.urls import slugify
from newsletter.load import HANDLE_RE, WEB_URL_RE

MAX_TITLE = 200
"""Characters in a title; a longer one is refused."""
MAX_TEXT = 20_000
"""Characters in the text; a longer one is refused, never cut (a cut text says less than
the member meant, and GitHub allows 65,536 in an issue)."""
MAX_ITEMS = 20
"""Handles or tags in one list."""
MAX_FIELD = 1_000
"""Characters in any other one-line field."""
NO_RESPONSE = "_No response_"
"""What GitHub writes for a field left empty."""

ISSUE_FORM = """\
# A form to share something without git. Each issue made with it becomes a
# pull request that adds the post (see .github/workflows/share.yml).
name: Share something with the newsletter
description: An article, an ask, an offer, an event, an introduction, a job or a spotlight.
title: "Share: "
labels: [share]
body:
  - type: markdown
    attributes:
      value: >-
        Fill this in and submit: a pull request adding your post is opened for the
        editors to review, and it appears in the next edition once merged.
        If something needs fixing, a comment here says what; edit the issue to fix it.
  - type: input
    id: title
    attributes:
      label: Title
      description: One line that says what it is.
      placeholder: Why weak ties find you the next job
    validations:
      required: true
  - type: dropdown
    id: kind
    attributes:
      label: Kind
      description: >-
        article: something to read · ask: something you need · offer: help you can give ·
        event: a date to keep · intro: two members who should meet · job: a position ·
        spotlight: a member or a project
      options:
        - article
        - ask
        - offer
        - event
        - intro
        - job
        - spotlight
      default: 0
    validations:
      required: true
  - type: input
    id: by
    attributes:
      label: Your member handle
      description: Your file's name in content/members/, without .yaml.
      placeholder: ada
    validations:
      required: true
  - type: input
    id: link
    attributes:
      label: Link
      description: The web address you share, if any (https://…).
      placeholder: https://example.org/weak-ties
  - type: input
    id: for
    attributes:
      label: For
      description: Members you share it for, if any; handles, comma-separated.
      placeholder: grace, linus
  - type: input
    id: via
    attributes:
      label: Via
      description: The member it came to you through, if any; one handle.
      placeholder: grace
  - type: input
    id: connects
    attributes:
      label: Connects
      description: "For an intro: the two members you introduce; handles, comma-separated."
      placeholder: grace, linus
  - type: input
    id: tags
    attributes:
      label: Tags
      description: Topics, comma-separated.
      placeholder: careers, open data
  - type: input
    id: when
    attributes:
      label: When
      description: "For an event: when it starts, as YYYY-MM-DD HH:MM."
      placeholder: 2026-12-03 18:00
  - type: input
    id: where
    attributes:
      label: Where
      description: "For an event: where it happens."
      placeholder: Room 2, or a video link
  - type: textarea
    id: text
    attributes:
      label: Your words
      description: >-
        A few lines in your own words: what it is and why it matters to us. Markdown works.
        Everything here is published: no email addresses.
    validations:
      required: true
"""


def _form_fields() -> dict[str, str]:
    """Each field's label (the heading GitHub writes) → its id, from ISSUE_FORM itself."""
    form = yaml.safe_load(ISSUE_FORM)
    return {item["attributes"]["label"]: item["id"] for item in form["body"] if "id" in item}


FIELD_IDS = _form_fields()
LABELS = {field_id: label for label, field_id in FIELD_IDS.items()}
REQUIRED = ("title", "kind", "by", "text")
_HEADING_RE = re.compile(r"^### (.+?)[ \t]*$")
_FENCE_LINE_RE = re.compile(r"^[ \t]*(?:-{3,}|\.{3})[ \t]*$")


@dataclass
class IssuePost:
    """What an issue made with the share form says, normalised, and what is wrong with it."""

    title: str = ""
    kind: str = ""
    by: str = ""
    link: str = ""
    for_: list[str] = field(default_factory=list)
    via: str = ""
    connects: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    when: str = ""
    where: str = ""
    text: str = ""
    problems: list[str] = field(default_factory=list)
    """One sentence per problem, naming the form's field and saying how to fix it."""


def _sections(body: str) -> dict[str, str]:
    """The rendered form → {field id: raw value}. Only the form's own labels start a
    field, each once; the text is the last field and keeps every line after its heading
    (its own '### ' headings included)."""
    raw: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.split("\n"):
        heading = _HEADING_RE.match(line)
        field_id = FIELD_IDS.get(heading.group(1)) if heading else None
        if field_id and field_id not in raw and "text" not in raw:
            current = raw[field_id] = []
        elif current is not None:
            current.append(line)
    return {field_id: "\n".join(lines).strip("\n") for field_id, lines in raw.items()}


def _shown(value: str, limit: int = 60) -> str:
    """A value quoted in a problem: escaped, and short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def parse_issue(body: str) -> IssuePost:
    """The Markdown GitHub renders for a filled-in share form → an IssuePost.

    Pure: no file is read. A missing or wrong field is a sentence in
    ``problems``; the values that are valid are kept, normalised (handles without
    '@' and lower-case, tags as slugs).
    """
    body = CONTROL_RE.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    sections = _sections(body)
    post = IssuePost()
    problems = post.problems

    def value(field_id: str) -> str:
        text = sections.get(field_id, "").strip()
        return "" if text == NO_RESPONSE else text

    def line(field_id: str, limit: int = MAX_FIELD) -> str:
        text = value(field_id)
        label = LABELS[field_id]
        if len(text.splitlines()) > 1:  # '\n', and U+2028, U+0085… which YAML folds
            problems.append(
                f"{label}: must be one line; remove the line breaks (some are invisible)."
            )
            return ""
        if len(text) > limit:
            problems.append(
                f"{label}: {len(text):,} characters is too long; shorten it to {limit:,} or fewer."
            )
            return ""
        return text

    def handle(field_id: str, text: str) -> str:
        name = text.strip().removeprefix("@").lower()
        if not HANDLE_RE.match(name):
            problems.append(
                f"{LABELS[field_id]}: {_shown(text)} is not a member handle; a handle is "
                "the name of a file in content/members/, like ada or grace-hopper "
                "(letters, digits, '-' and '_', no spaces)."
            )
            return ""
        return name

    def items(field_id: str) -> list[str]:
        found = [v.strip() for v in line(field_id).split(",") if v.strip()]
        if len(found) > MAX_ITEMS:
            problems.append(
                f"{LABELS[field_id]}: {len(found)} items is too many; give {MAX_ITEMS} or fewer."
            )
            return []
        return found

    def handles(field_id: str) -> list[str]:
        names = [handle(field_id, v) for v in items(field_id)]
        return list(dict.fromkeys(n for n in names if n))

    for field_id in REQUIRED:
        if not value(field_id) and field_id != "text":  # the text: once its '---' are gone
            problems.append(f"{LABELS[field_id]}: this field is required; fill it in.")

    post.title = line("title", MAX_TITLE)
    kind = line("kind").lower()
    if kind and kind not in {k.value for k in Kind}:
        problems.append(
            f"{LABELS['kind']}: {_shown(kind)} is not a kind; choose one of "
            + ", ".join(k.value for k in Kind)
            + "."
        )
    else:
        post.kind = kind
    by = line("by")
    post.by = handle("by", by) if by else ""
    post.link = line("link")
    if post.link and not WEB_URL_RE.match(post.link):
        problems.append(
            f"{LABELS['link']}: {_shown(post.link)} is not a web address; give one that "
            "starts with https:// (or http://), or leave it empty."
        )
        post.link = ""
    post.for_ = handles("for")
    via = line("via")
    if "," in via:
        problems.append(f"{LABELS['via']}: names one member; give a single handle.")
    elif via:
        post.via = handle("via", via)
    post.connects = handles("connects")
    for tag in items("tags"):
        slug = slugify(tag)
        if not slug:
            problems.append(
                f"{LABELS['tags']}: {_shown(tag)} has no letters or digits; "
                "use words like open data."
            )
        elif slug not in post.tags:
            post.tags.append(slug)
    when = line("when")
    if post.kind == Kind.EVENT and not when:
        problems.append(
            f"{LABELS['when']}: an event needs a start; write it like 2026-12-03 18:00."
        )
    elif when:
        try:
            post.when = dt.datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            problems.append(
                f"{LABELS['when']}: {_shown(when)} is not a date and time; "
                "write it like 2026-12-03 18:00."
            )
    post.where = line("where")
    text = value("text").split("\n")
    while text and (not text[0].strip() or _FENCE_LINE_RE.match(text[0])):
        text.pop(0)  # a leading '---' would read as front matter to people, if not to us
    post.text = "\n".join(row.rstrip() for row in text).strip("\n")
    if not post.text:
        problems.append(f"{LABELS['text']}: this field is required; fill it in.")
    elif len(post.text) > MAX_TEXT:
        problems.append(
            f"{LABELS['text']}: {len(post.text):,} characters is too long; shorten it to "
            f"{MAX_TEXT:,} or fewer (link to a longer text instead)."
        )
        post.text = ""
    _check_intro(post)
    _check_private(post, sections)
    return post


def _check_intro(post: IssuePost) -> None:
    """What ``check`` would refuse in an intro, said in the form's words."""
    if post.kind == Kind.INTRO:
        if post.by and post.by in post.connects:
            post.problems.append(
                f"{LABELS['connects']}: an intro connects two other members, not you; "
                "to present yourself, choose the kind spotlight."
            )
        elif len(post.connects) != 2:
            post.problems.append(
                f"{LABELS['connects']}: an intro names the two members it introduces; "
                "give two handles, comma-separated, like grace, linus."
            )


def _check_private(post: IssuePost, sections: dict[str, str]) -> None:
    for field_id, text in sections.items():
        if EMAIL_RE.search(text):
            post.problems.append(
                f"{LABELS[field_id]}: contains an email address; everything shared is "
                "published, so remove it (link to a web page instead)."
            )


def post_text(post: IssuePost, date: dt.date) -> str:
    """The post file: front matter written by ``yaml.safe_dump``, then the text.

    Raises ValueError for a post with problems: those are refused, never written.
    """
    if post.problems:
        raise ValueError("a post with problems cannot be written: " + " ".join(post.problems))
    fields: dict[str, Any] = {
        "title": post.title,
        "by": post.by,
        "kind": post.kind,
        "link": post.link,
        "for": post.for_,
        "via": post.via,
        "connects": post.connects,
        "tags": post.tags,
        "when": post.when,
        "where": post.where,
        "date": date,
    }
    front = yaml.safe_dump(
        {k: v for k, v in fields.items() if v not in ("", [])},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=10_000,  # one line per field: no value is ever folded onto a line of its own
    )
    if any(_FENCE_LINE_RE.match(line) for line in front.splitlines()):  # pragma: no cover
        raise ValueError("the front matter would contain a '---' line")
    return f"---\n{front}---\n{post.text}\n"

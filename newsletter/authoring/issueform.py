"""Sharing without git: a GitHub issue form, and its rendered body → a post file.

A member fills in the form ``.github/ISSUE_TEMPLATE/share.yml``; the workflow
``.github/workflows/share.yml`` (written by ``init`` from
``newsletter/authoring/workflows/share.yml``) hands the issue's body (as a file, never as
part of a script) to ``newsletter new post --from-issue``, which turns it into
``content/posts/<year>/<slug>.md`` and opens a pull request.

Everything in an issue is untrusted. This module only parses and validates:
it reads no file and writes none (``scaffold.new_post_from_issue`` does). The
front matter is written by ``frontmatter`` (with ``yaml.safe_dump``), every value is one line, and
leading ``---`` lines are removed from the text, so nothing typed into the
form can add or change a field; the text stays Markdown, which the build
sanitizes like any other post.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from newsletter.authoring.frontmatter import FENCE_LINE_RE, post_file
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

ISSUE_FORM = (resources.files("newsletter.authoring") / "workflows" / "share-form.yml").read_text(
    encoding="utf-8"
)
"""The share form: what ``init`` writes as ``.github/ISSUE_TEMPLATE/share.yml``, and where
this module learns the form's fields."""


def _form_fields() -> dict[str, str]:
    """Each field's label (the heading GitHub writes) → its id, from ISSUE_FORM itself."""
    form = yaml.safe_load(ISSUE_FORM)
    return {item["attributes"]["label"]: item["id"] for item in form["body"] if "id" in item}


FIELD_IDS = _form_fields()
LABELS = {field_id: label for label, field_id in FIELD_IDS.items()}
REQUIRED = ("title", "kind", "by", "text")
_HEADING_RE = re.compile(r"^### (.+?)[ \t]*$")


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


@dataclass(frozen=True)
class _Form:
    """A filled-in form's raw values, read one field at a time; what is wrong with a value
    is added to ``problems``, and the value read as empty."""

    sections: dict[str, str]
    problems: list[str]

    def value(self, field_id: str) -> str:
        text = self.sections.get(field_id, "").strip()
        return "" if text == NO_RESPONSE else text

    def line(self, field_id: str, limit: int = MAX_FIELD) -> str:
        text = self.value(field_id)
        label = LABELS[field_id]
        if len(text.splitlines()) > 1:  # '\n', and U+2028, U+0085… which YAML folds
            self.problems.append(
                f"{label}: must be one line; remove the line breaks (some are invisible)."
            )
            return ""
        if len(text) > limit:
            self.problems.append(
                f"{label}: {len(text):,} characters is too long; shorten it to {limit:,} or fewer."
            )
            return ""
        return text

    def handle(self, field_id: str, text: str) -> str:
        name = text.strip().removeprefix("@").lower()
        if not HANDLE_RE.match(name):
            self.problems.append(
                f"{LABELS[field_id]}: {_shown(text)} is not a member handle; a handle is "
                "the name of a file in content/members/, like ada or grace-hopper "
                "(letters, digits, '-' and '_', no spaces)."
            )
            return ""
        return name

    def items(self, field_id: str) -> list[str]:
        found = [v.strip() for v in self.line(field_id).split(",") if v.strip()]
        if len(found) > MAX_ITEMS:
            self.problems.append(
                f"{LABELS[field_id]}: {len(found)} items is too many; give {MAX_ITEMS} or fewer."
            )
            return []
        return found

    def handles(self, field_id: str) -> list[str]:
        names = [self.handle(field_id, v) for v in self.items(field_id)]
        return list(dict.fromkeys(n for n in names if n))


def parse_issue(body: str) -> IssuePost:
    """The Markdown GitHub renders for a filled-in share form → an IssuePost.

    Pure: no file is read. A missing or wrong field is a sentence in
    ``problems``; the values that are valid are kept, normalised (handles without
    '@' and lower-case, tags as slugs).
    """
    body = CONTROL_RE.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    sections = _sections(body)
    post = IssuePost()
    form = _Form(sections, post.problems)
    for field_id in REQUIRED:
        if not form.value(field_id) and field_id != "text":  # the text: once its '---' are gone
            post.problems.append(f"{LABELS[field_id]}: this field is required; fill it in.")
    post.title = form.line("title", MAX_TITLE)
    post.kind = _kind(form)
    by = form.line("by")
    post.by = form.handle("by", by) if by else ""
    post.link = _link(form)
    post.for_ = form.handles("for")
    post.via = _via(form)
    post.connects = form.handles("connects")
    post.tags = _tags(form)
    post.when = _when(form, post.kind)
    post.where = form.line("where")
    post.text = _text(form)
    _check_intro(post)
    _check_private(post, sections)
    return post


def _kind(form: _Form) -> str:
    kind = form.line("kind").lower()
    if kind and kind not in {k.value for k in Kind}:
        form.problems.append(
            f"{LABELS['kind']}: {_shown(kind)} is not a kind; choose one of "
            + ", ".join(k.value for k in Kind)
            + "."
        )
        return ""
    return kind


def _link(form: _Form) -> str:
    link = form.line("link")
    if link and not WEB_URL_RE.match(link):
        form.problems.append(
            f"{LABELS['link']}: {_shown(link)} is not a web address; give one that "
            "starts with https:// (or http://), or leave it empty."
        )
        return ""
    return link


def _via(form: _Form) -> str:
    via = form.line("via")
    if "," in via:
        form.problems.append(f"{LABELS['via']}: names one member; give a single handle.")
        return ""
    return form.handle("via", via) if via else ""


def _tags(form: _Form) -> list[str]:
    tags: list[str] = []
    for tag in form.items("tags"):
        slug = slugify(tag)
        if not slug:
            form.problems.append(
                f"{LABELS['tags']}: {_shown(tag)} has no letters or digits; "
                "use words like open data."
            )
        elif slug not in tags:
            tags.append(slug)
    return tags


def _when(form: _Form, kind: str) -> str:
    """The start, as 'YYYY-MM-DD HH:MM'; an event must have one."""
    when = form.line("when")
    if kind == Kind.EVENT and not when:
        form.problems.append(
            f"{LABELS['when']}: an event needs a start; write it like 2026-12-03 18:00."
        )
    elif when:
        try:
            return dt.datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            form.problems.append(
                f"{LABELS['when']}: {_shown(when)} is not a date and time; "
                "write it like 2026-12-03 18:00."
            )
    return ""


def _text(form: _Form) -> str:
    """The member's words, without the leading lines that read as a front matter's
    fence and without trailing spaces."""
    lines = form.value("text").split("\n")
    while lines and (not lines[0].strip() or FENCE_LINE_RE.match(lines[0])):
        lines.pop(0)  # a leading '---' would read as front matter to people, if not to us
    text = "\n".join(row.rstrip() for row in lines).strip("\n")
    if not text:
        form.problems.append(f"{LABELS['text']}: this field is required; fill it in.")
    elif len(text) > MAX_TEXT:
        form.problems.append(
            f"{LABELS['text']}: {len(text):,} characters is too long; shorten it to "
            f"{MAX_TEXT:,} or fewer (link to a longer text instead)."
        )
        return ""
    return text


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
    """The post file: front matter written by ``frontmatter.post_file`` (each value on
    one line, no '---' line), then the text.

    Raises ValueError for a post with problems: those are refused, never written.
    """
    if post.problems:
        raise ValueError("a post with problems cannot be written: " + " ".join(post.problems))
    return post_file(
        title=post.title,
        by=post.by,
        kind=post.kind,
        date=date,
        link=post.link,
        for_=post.for_,
        via=post.via,
        connects=post.connects,
        tags=post.tags,
        when=post.when,
        where=post.where,
        body=post.text,
        untrusted=True,
    )

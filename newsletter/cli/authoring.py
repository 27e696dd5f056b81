"""The commands that write files for editors: init and new post|member|edition.

What ``new`` writes is first checked with ``check``'s own rules (``authoring.preflight``);
on a terminal what is missing or wrong is asked for, otherwise it is said, at the option
that sets it, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from newsletter.cli.app import App, NamedChoice, fail, main, parse_date, post_kinds, today_option
from newsletter.cli.output import print_diagnostics
from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostic, summary
from newsletter.project.sources import Project

if TYPE_CHECKING:
    from newsletter.authoring.newpost import PostDraft
    from newsletter.authoring.pagemeta import PageMeta


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--title", help="The newsletter's name (default: from the folder's name).")
@click.option(
    "--base-url",
    default="https://example.org/",
    show_default=True,
    help="Where the site will be published (https:// is added to a bare host name).",
)
@click.option(
    "--editor",
    "handle",
    default="editor",
    show_default=True,
    help="Handle of the first member, the editor.",
)
@click.option("--name", default="The Editor", show_default=True, help="The editor's name.")
@click.option(
    "--package",
    metavar="SPEC",
    help="What the CI workflow pip-installs to get newsletter (default: where this one "
    "came from, e.g. 'newsletter @ git+https://…@<commit>').",
)
@click.option(
    "--date",
    metavar="DATE",
    help="Date of the welcome post and the first edition (default: today).",
)
@click.pass_obj
def init_command(
    app: App,
    directory: Path,
    title: str | None,
    base_url: str,
    handle: str,
    name: str,
    package: str | None,
    date: str | None,
) -> None:
    """Start a new newsletter in DIRECTORY, ready to build, with a CI workflow.

    \b
    Example:
      newsletter init our-exchange --title "Our Exchange" --base-url https://news.example.org/
    """
    from newsletter.authoring.scaffold import init_project, site_address, title_of
    from newsletter.core.urls import slugify

    directory = directory.resolve()
    title = title or title_of(directory)
    day = parse_date(date, "--date") or clock.today()
    try:
        address, note = site_address(base_url)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--base-url") from None
    if note:
        app.err.print(note, highlight=False, soft_wrap=True)
    created = init_project(directory, title, address, slugify(handle) or handle, name, day, package)
    for path in created:
        app.out.print(f"  created {path.relative_to(directory)}", highlight=False)
    app.out.print(
        f"✓ a new newsletter in {directory}; next: cd there and run `newsletter build`",
        style="green",
        highlight=False,
    )


@main.group()
def new() -> None:
    """Create a content file with correct front matter; what `check` would refuse is
    not written (on a terminal, what is missing or wrong is asked for).

    \b
    Example:
      newsletter new post --title "A map of bike lanes" --by ada --tags mapping
    """


def _interactive() -> bool:
    """Someone at a terminal, who can be asked for what is missing."""
    return sys.stdin.isatty()


def _ask(value: str | None, prompt: str, option: str, default: str = "") -> str:
    if value:
        return value
    if _interactive():
        return str(click.prompt(prompt, default=default or None))
    if default:
        return default
    raise click.UsageError(f"missing {option}")


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _created(app: App, project: Project, path: Path) -> None:
    app.out.print(f"✓ created {project.relative(path)}", style="green", highlight=False)


def _said(app: App, notes: list[str]) -> None:
    """What was set right without asking, said before it is written."""
    for note in notes:
        app.err.print(f"  note: {note}", highlight=False, soft_wrap=True)


def _problems(app: App, found: list[Diagnostic], options: list[str | None]) -> None:
    """``check``'s diagnostics about a file not yet written, each at the option that
    sets what it is about (or at the file's line when no option does)."""
    print_diagnostics(app.err, found, options)


def _refuse(app: App, what: str, found: list[Diagnostic]) -> NoReturn:
    from rich.text import Text

    app.err.print(
        Text(f"✗ nothing written: {what} would not pass `newsletter check` ({summary(found)})"),
        style="red",
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(2)


PROMPTS = {
    "title": "Title",
    "by": "Your member handle",
    "link": "Link (https://…; empty for none)",
    "for": "Shared for (handles, comma-separated; empty for no one)",
    "via": "Came to you through (a handle; empty for no one)",
    "connects": "The two members introduced (handles, comma-separated)",
    "tags": "Tags (comma-separated; empty for none)",
    "when": "When it starts (YYYY-MM-DD HH:MM)",
    "where": "Where it happens",
    "slug": "Name in its address (like weak-ties)",
}
"""What ``new post`` asks, on a terminal, for a field ``check`` found missing or wrong."""
OPTIONAL = {"link", "for", "via", "tags", "where"}


@new.command("post")
@click.option("--title", help="The post's title.")
@click.option("--by", help="Handle of the member who shares it.")
@click.option(
    "--kind",
    type=NamedChoice(post_kinds),
    default="article",
    show_default=True,
    help="What is shared.",
)
@click.option(
    "--link",
    default="",
    help="The URL being shared; without --title, its page's title and summary are used.",
)
@click.option(
    "--for", "for_", multiple=True, help="Handle(s) it is shared for; repeat or comma-separate."
)
@click.option("--via", default="", help="Handle of the member it came through.")
@click.option("--connects", multiple=True, help="For intros: the two handles introduced.")
@click.option(
    "--tags", multiple=True, help="Tags; repeat or comma-separate ('Open Data' → open-data)."
)
@click.option("--when", metavar="'YYYY-MM-DD HH:MM'", help="For events: when it starts.")
@click.option("--where", default="", help="For events: where it happens.")
@click.option("--date", metavar="DATE", help="When it is shared (default: today).")
@click.option(
    "--slug",
    default="",
    help="The name in its file and address (default: from the title, in any script).",
)
@click.option(
    "--body",
    metavar="TEXT",
    help="The text, in Markdown ('-': read it from standard input). Without it, on a "
    "terminal $EDITOR opens; otherwise a placeholder is written and the post is a draft.",
)
@click.option(
    "--from-issue",
    "issue_body",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Make the post from the body of a GitHub issue made with the share form "
    "(.github/ISSUE_TEMPLATE/share.yml); the other options but --date are not used.",
)
@click.pass_obj
def new_post_command(
    app: App,
    title: str | None,
    by: str | None,
    kind: str,
    link: str,
    for_: tuple[str, ...],
    via: str,
    connects: tuple[str, ...],
    tags: tuple[str, ...],
    when: str | None,
    where: str,
    date: str | None,
    slug: str,
    body: str | None,
    issue_body: Path | None,
) -> None:
    """Create content/posts/<year>/<slug>.md, checked as `check` would before it is written.

    \b
    Example:
      newsletter new post --title "Who has a geocoder?" --by grace --kind ask --tags mapping
      newsletter new post --kind intro --by ada --connects grace,linus --title "Grace, meet Linus"
      newsletter new post --title "Δεδομένα" --by ada --body "Why it matters…" --slug dedomena
      newsletter new post --from-issue issue-body.md   # what the share workflow runs
      newsletter new post --link https://example.org/article --by ada   # title from the page
    """
    from newsletter.authoring.newpost import PostDraft, tidied
    from newsletter.authoring.scaffold import new_post, new_post_from_issue

    project = app.project()
    day = parse_date(date, "--date")
    if issue_body is not None:
        _created(app, project, new_post_from_issue(project, issue_body, day or clock.today()))
        return
    page = _linked_page(app, project, link, title)
    draft = PostDraft(
        title=_ask(title, "Title", "--title", page.title),
        by=_ask(by, "Your member handle", "--by"),
        kind=kind,
        date=day or clock.today(),
        link=link,
        for_=_split(for_),
        via=via,
        connects=_split(connects),
        tags=_split(tags),
        when=when or "",
        where=where,
        body=_body(body, page),
        slug=slug,
    )
    draft, notes = tidied(draft)
    _said(app, notes)
    path, draft = _settled(app, project, draft)
    _created(app, project, new_post(project, draft, path))
    if draft.is_draft:
        _said_draft(app, project.relative(path))


def _said_draft(app: App, path: str) -> None:
    app.out.print(
        f"  it is a draft (draft: true), off the site until your words replace the "
        f"placeholder text in {path} and the draft line is removed",
        highlight=False,
        soft_wrap=True,
    )


def _body(body: str | None, page: PageMeta) -> str:
    """The post's text: --body, standard input for '-', or, on a terminal, what the
    member writes in their editor ($VISUAL or $EDITOR); '' for none yet."""
    if body == "-":
        return sys.stdin.read()
    if body is not None:
        return body
    opening = page.opening()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not (
        _interactive()
        and editor
        and click.confirm("Write the text now, in " + editor, default=True)
    ):
        return opening
    return click.edit(opening or "\n", editor=editor, extension=".md") or opening


def _settled(app: App, project: Project, draft: PostDraft) -> tuple[Path, PostDraft]:
    """Where ``draft`` is written, and the draft once ``check`` has nothing against it:
    on a terminal, each field it finds missing or wrong is asked for again; otherwise
    its diagnostics are shown and nothing is written."""
    from newsletter.authoring.newpost import OPTIONS, field_of, tidied
    from newsletter.authoring.preflight import Existing
    from newsletter.authoring.scaffold import post_path

    existing = Existing.of(project)
    while True:
        path = post_path(project, draft, existing.slugs(draft.date.year))
        text = draft.text()
        found = existing.problems(path, text, draft.date)
        fields = [field_of(d, text, draft) for d in found]
        _problems(app, found, [OPTIONS.get(f or "") for f in fields])
        wrong = list(dict.fromkeys(f for d, f in zip(found, fields, strict=True) if d.is_error))
        if not wrong:
            return path, draft
        asked = [f for f in PROMPTS if f in wrong]  # in the order of the file's fields
        if not _interactive() or len(asked) < len(wrong):
            _refuse(app, project.relative(path), found)
        for name in asked:
            answer = click.prompt(PROMPTS[name], default="" if name in OPTIONAL else None)
            draft = draft.with_value(name, str(answer))
        draft, notes = tidied(draft)
        _said(app, notes)


def _linked_page(app: App, project: Project, link: str, title: str | None) -> PageMeta:
    """The title and summary of the page at ``link``, read when no --title is given;
    nothing when it cannot be read (then the title is asked for, like any other)."""
    from newsletter.authoring.pagemeta import AddressRefused, PageMeta, link_meta

    if not link or title:
        return PageMeta()
    try:
        return link_meta(project, link)
    except AddressRefused as err:  # said, then asked for, like any page not to be had
        app.err.print(f"not reading {link}: {err}", highlight=False, soft_wrap=True)
        return PageMeta()


@new.command("member")
@click.argument("handle")
@click.option("--name", help="Full name.")
@click.option("--org", default="", help="Organisation or group.")
@click.option("--role", default="", help="Role or job title.")
@click.option("--topics", multiple=True, help="Topics; repeat or comma-separate.")
@click.pass_obj
def new_member_command(
    app: App, handle: str, name: str | None, org: str, role: str, topics: tuple[str, ...]
) -> None:
    """Create content/members/<HANDLE>.yaml, checked as `check` would before it is written.

    \b
    Example:
      newsletter new member grace --name "Grace Hopper" --org "Navy Labs" --topics compilers
    """
    from newsletter.authoring.newpost import tag_slugs
    from newsletter.authoring.preflight import Existing
    from newsletter.authoring.scaffold import member_path, member_text, new_member
    from newsletter.core.urls import slugify

    project = app.project()
    member = slugify(handle) or handle
    topic_slugs, notes = tag_slugs(_split(topics))
    if member != handle:
        notes.insert(0, f"handle {handle!r} written as {member}")
    _said(app, notes)
    full_name = _ask(name, "Name", "--name")
    path = member_path(project, member)
    text = member_text(full_name, org, role, topic_slugs)
    # a member's file is judged the same whatever the day: the earliest will do
    found = Existing.of(project).problems(path, text, dt.date.min)
    _problems(app, found, [None] * len(found))
    if any(d.is_error for d in found):
        _refuse(app, project.relative(path), found)
    created = new_member(project, member, name=full_name, org=org, role=role, topics=topic_slugs)
    _created(app, project, created)


@new.command("edition")
@click.option("--title", help="The edition's title.")
@click.option(
    "--date",
    metavar="DATE",
    help="Publication date (default: today, or the first day a post waits for it).",
)
@today_option
@click.pass_obj
def new_edition_command(app: App, title: str | None, date: str | None, today: str | None) -> None:
    """Create content/editions/<next number>.md, and say what it will hold.

    Its date is by default today, or, when the posts waiting for it are dated later, the
    first of their days; an edition that would hold nothing is not written.

    \b
    Example:
      newsletter new edition --title "Maps and mentors"
      newsletter new edition --title "Maps and mentors" --date 2026-12-03
    """
    from newsletter.authoring.preflight import (
        Existing,
        default_edition_date,
        nothing_waiting,
        plan_edition,
    )
    from newsletter.authoring.scaffold import (
        edition_path,
        edition_text,
        new_edition,
        next_edition_number,
    )

    project = app.project()
    existing = Existing.of(project)
    day = parse_date(date, "--date")
    now = parse_date(today, "--today") or day or clock.today()
    if day is None:
        day = default_edition_date(existing.content, now) or fail(nothing_waiting(existing.content))
    plan = plan_edition(existing.content, next_edition_number(project), day)
    if not plan.items:
        fail(plan.empty())
    name = _ask(title, "Title", "--title")
    found = existing.problems(edition_path(project, plan.number), edition_text(name, day), day)
    _problems(app, found, [None] * len(found))
    if any(d.is_error for d in found):
        _refuse(app, project.relative(edition_path(project, plan.number)), found)
    _created(app, project, new_edition(project, date=day, title=name))
    app.out.print(f"  {plan.contents(now)}", highlight=False, soft_wrap=True)

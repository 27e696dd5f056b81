"""The commands that write files for editors: init and new post|member|edition."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.cli.app import App, main, parse_date
from newsletter.core import clock
from newsletter.core.model import Kind
from newsletter.core.urls import slugify
from newsletter.project.sources import Project

if TYPE_CHECKING:
    from newsletter.authoring.pagemeta import PageMeta


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--title", help="The newsletter's name (default: from the folder's name).")
@click.option(
    "--base-url",
    default="https://example.org/",
    show_default=True,
    help="Where the site will be published.",
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
    from newsletter.authoring.scaffold import init_project, title_of

    directory = directory.resolve()
    title = title or title_of(directory)
    day = parse_date(date, "--date") or clock.today()
    created = init_project(
        directory, title, base_url, slugify(handle) or handle, name, day, package
    )
    for path in created:
        app.out.print(f"  created {path.relative_to(directory)}", highlight=False)
    app.out.print(
        f"✓ a new newsletter in {directory}; next: cd there and run `newsletter build`",
        style="green",
        highlight=False,
    )


@main.group()
def new() -> None:
    """Create a content file with correct front matter.

    \b
    Example:
      newsletter new post --title "A map of bike lanes" --by ada --tags mapping
    """


def _ask(value: str | None, prompt: str, option: str, default: str = "") -> str:
    if value:
        return value
    if sys.stdin.isatty():
        return str(click.prompt(prompt, default=default or None))
    if default:
        return default
    raise click.UsageError(f"missing {option}")


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _created(app: App, project: Project, path: Path) -> None:
    app.out.print(f"✓ created {project.relative(path)}", style="green", highlight=False)


@new.command("post")
@click.option("--title", help="The post's title.")
@click.option("--by", help="Handle of the member who shares it.")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in Kind]),
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
@click.option("--tags", multiple=True, help="Tags; repeat or comma-separate.")
@click.option("--when", metavar="'YYYY-MM-DD HH:MM'", help="For events: when it starts.")
@click.option("--where", default="", help="For events: where it happens.")
@click.option("--date", metavar="DATE", help="When it is shared (default: today).")
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
    issue_body: Path | None,
) -> None:
    """Create content/posts/<year>/<slug>.md.

    \b
    Example:
      newsletter new post --title "Who has a geocoder?" --by grace --kind ask --tags mapping
      newsletter new post --kind intro --by ada --connects grace,linus --title "Grace, meet Linus"
      newsletter new post --from-issue issue-body.md   # what the share workflow runs
      newsletter new post --link https://example.org/article --by ada   # title from the page
    """
    from newsletter.authoring.scaffold import new_post, new_post_from_issue

    project = app.project()
    if issue_body is not None:
        day = parse_date(date, "--date") or clock.today()
        _created(app, project, new_post_from_issue(project, issue_body, day))
        return
    page = _linked_page(app, project, link, title)
    start = _start(when)
    path = new_post(
        project,
        title=_ask(title, "Title", "--title", page.title),
        by=_ask(by, "Your member handle", "--by"),
        kind=Kind(kind),
        body=page.opening(),
        date=parse_date(date, "--date") or clock.today(),
        link=link,
        for_=_split(for_),
        via=via,
        connects=_split(connects),
        tags=_split(tags),
        when=start,
        where=where,
    )
    _created(app, project, path)


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


def _start(when: str | None) -> dt.datetime | None:
    """When an event starts, from --when."""
    if not when:
        return None
    try:
        return dt.datetime.fromisoformat(when)
    except ValueError:
        raise click.BadParameter(
            f"{when!r} is not like 2026-12-03 18:00", param_hint="--when"
        ) from None


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
    """Create content/members/<HANDLE>.yaml.

    \b
    Example:
      newsletter new member grace --name "Grace Hopper" --org "Navy Labs" --topics compilers
    """
    from newsletter.authoring.scaffold import new_member

    project = app.project()
    path = new_member(
        project,
        slugify(handle) or handle,
        name=_ask(name, "Name", "--name"),
        org=org,
        role=role,
        topics=_split(topics),
    )
    _created(app, project, path)


@new.command("edition")
@click.option("--title", help="The edition's title.")
@click.option("--date", metavar="DATE", help="Publication date (default: today).")
@click.pass_obj
def new_edition_command(app: App, title: str | None, date: str | None) -> None:
    """Create content/editions/<next number>.md.

    \b
    Example:
      newsletter new edition --title "Maps and mentors" --date 2026-12-03
    """
    from newsletter.authoring.scaffold import new_edition

    project = app.project()
    path = new_edition(
        project,
        date=parse_date(date, "--date") or clock.today(),
        title=_ask(title, "Title", "--title"),
    )
    _created(app, project, path)

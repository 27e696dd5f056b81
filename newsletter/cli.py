"""The command line: an adapter that parses options, calls one function, prints.

No logic lives here that a test would have to reach through Click for.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from newsletter import __version__
from newsletter.build import BuildOptions, BuildResult, build_project, check_project
from newsletter.diagnostics import Diagnostic, format_github, format_json, summary
from newsletter.errors import BuildFailed, NewsletterError, OutputError
from newsletter.model import Kind
from newsletter.progress import Progress
from newsletter.scaffold import init_project, new_edition, new_member, new_post, slugify
from newsletter.sources import Project, find_project

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}


@dataclass
class App:
    """Shared by every command (Click's context object)."""

    project_dir: Path | None
    out: Console
    err: Console

    def project(self) -> Project:
        return find_project(self.project_dir or Path.cwd())


def fail(message: str, code: int = 2) -> NoReturn:
    """Exit with ``error: message``: 2 when the command cannot start, 1 when it failed."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def print_diagnostics(console: Console, diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        text = Text()
        text.append(f"{d.location}: ", style="bold")
        text.append(str(d.severity), style=SEVERITY_STYLE[d.severity])
        text.append(f": {d.message} ")
        text.append(f"[{d.code}]", style="dim")
        if d.hint:
            text.append("\n    hint: ", style="cyan")
            text.append(d.hint)
        console.print(text, soft_wrap=True, highlight=False)


@contextmanager
def progress_bar(console: Console) -> Iterator[Progress]:
    """A live bar for the stages of a build; it disappears when the build ends."""
    bar = RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("starting", total=None)
    current = ""

    def update(stage: str, done: int = 0, total: int = 0) -> None:
        nonlocal current
        if stage != current:  # a new stage: a new bar (rich keeps a total otherwise)
            current = stage
            bar.reset(task, description=stage, total=total or None)
        bar.update(task, completed=done, total=total or bar.tasks[0].total)

    with bar:
        yield update


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2026-11-20", param_hint=option
        ) from None


class NewsletterGroup(click.Group):
    """Turns the library's errors into a message and an exit status, for every command."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BuildFailed as err:
            console = ctx.obj.err if isinstance(ctx.obj, App) else Console(stderr=True)
            print_diagnostics(console, err.diagnostics)
            console.print(Text(f"✗ {summary(err.diagnostics)}: nothing was published", style="red"))
            sys.exit(1)
        except OutputError as err:
            fail(str(err), 1)
        except NewsletterError as err:
            fail(str(err))
        except OSError as err:  # e.g. no permission to create a file in content/
            fail(f"{err.filename or ''}: {err.strerror or err}".lstrip(": "), 1)


@click.group(
    cls=NewsletterGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="newsletter")
@click.option(
    "-C",
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The newsletter's folder (default: the current folder or its nearest parent "
    "with newsletter.yaml).",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path | None) -> None:
    """Turn a community's shared knowledge into a static site and an email edition.

    \b
    Example:
      newsletter init our-exchange && cd our-exchange
      newsletter check
      newsletter build
    """
    ctx.obj = App(project_dir, Console(soft_wrap=True), Console(stderr=True, soft_wrap=True))


def _options(
    drafts: bool, base_url: str | None, output: Path | None, today: str | None
) -> BuildOptions:
    return BuildOptions(
        drafts=drafts, base_url=base_url, output=output, today=parse_date(today, "--today")
    )


drafts_option = click.option(
    "--drafts", is_flag=True, help="Include draft posts and future-dated editions."
)
today_option = click.option(
    "--today",
    metavar="DATE",
    help="Treat DATE (YYYY-MM-DD) as today when deciding what is published.",
)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text for people, github for workflow annotations, json for tools.",
)
@drafts_option
@today_option
@click.pass_obj
def check(app: App, fmt: str, drafts: bool, today: str | None) -> None:
    """Validate every file and report all problems at once; exit 1 on errors.

    \b
    Example:
      newsletter check
      newsletter check --format github   # in CI: annotations on the pull request
    """
    project = app.project()
    _, diags = check_project(project, _options(drafts, None, None, today))
    found = diags.sorted()
    if fmt == "json":
        click.echo(format_json(found))
    elif fmt == "github":
        # annotations are placed by path from the checkout, where the workflow runs
        folder = os.path.relpath(project.root, os.environ.get("GITHUB_WORKSPACE", Path.cwd()))
        for d in found:
            click.echo(format_github(d, "" if folder.startswith("..") else folder))
    else:
        print_diagnostics(app.out, found)
        style = "red" if diags.has_errors else "green"
        app.out.print(Text(f"{'✗' if diags.has_errors else '✓'} {summary(found)}", style=style))
    if diags.has_errors:
        sys.exit(1)


def report_build(app: App, result: BuildResult) -> None:
    r = result.report
    try:
        where = result.output.relative_to(Path.cwd())
    except ValueError:
        where = result.output
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            f"built {result.files} files into {where}/ in {result.timings['total']:.2f} s ",
            (
                f"({r.written} written, {r.unchanged} unchanged, {r.removed} removed; "
                f"{len(result.site.editions)} editions, {len(result.site.posts)} posts, "
                f"{len(result.site.members)} members)",
                "dim",
            ),
        ),
        highlight=False,
    )


@main.command()
@drafts_option
@click.option("--base-url", metavar="URL", help="Override base_url, e.g. for a preview deploy.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site/ in the project).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@today_option
@click.pass_obj
def build(
    app: App,
    drafts: bool,
    base_url: str | None,
    output: Path | None,
    quiet: bool,
    today: str | None,
) -> None:
    """Build the site and the email editions into site/.

    Runs the same checks as `newsletter check` first, and refuses to publish
    when there are errors: the previous site/ is then left as it was.

    \b
    Example:
      newsletter build
      newsletter build --drafts --base-url https://preview.example.org/ -o preview/
    """
    options = _options(drafts, base_url, output, today)
    project = app.project()
    if app.err.is_terminal and not quiet:
        with progress_bar(app.err) as progress:
            result = build_project(project, options, progress)
    else:
        result = build_project(project, options)
    if not quiet:
        print_diagnostics(app.err, result.diagnostics)
        report_build(app, result)


@main.command()
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
@click.pass_obj
def init(
    app: App,
    directory: Path,
    title: str | None,
    base_url: str,
    handle: str,
    name: str,
    package: str | None,
) -> None:
    """Start a new newsletter in DIRECTORY, ready to build, with a CI workflow.

    \b
    Example:
      newsletter init our-exchange --title "Our Exchange" --base-url https://news.example.org/
    """
    directory = directory.resolve()
    title = title or directory.name.replace("-", " ").replace("_", " ").title()
    created = init_project(
        directory, title, base_url, slugify(handle), name, dt.date.today(), package
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


def _ask(value: str | None, prompt: str, option: str) -> str:
    if value:
        return value
    if sys.stdin.isatty():
        return str(click.prompt(prompt))
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
@click.option("--link", default="", help="The URL being shared.")
@click.option(
    "--for", "for_", multiple=True, help="Handle(s) it is shared for; repeat or comma-separate."
)
@click.option("--via", default="", help="Handle of the member it came through.")
@click.option("--connects", multiple=True, help="For intros: the two handles introduced.")
@click.option("--tags", multiple=True, help="Tags; repeat or comma-separate.")
@click.option("--when", metavar="'YYYY-MM-DD HH:MM'", help="For events: when it starts.")
@click.option("--where", default="", help="For events: where it happens.")
@click.option("--date", metavar="DATE", help="When it is shared (default: today).")
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
) -> None:
    """Create content/posts/<year>/<slug>.md.

    \b
    Example:
      newsletter new post --title "Who has a geocoder?" --by grace --kind ask --tags mapping
      newsletter new post --kind intro --by ada --connects grace,linus --title "Grace, meet Linus"
    """
    project = app.project()
    start = None
    if when:
        try:
            start = dt.datetime.fromisoformat(when)
        except ValueError:
            raise click.BadParameter(
                f"{when!r} is not like 2026-12-03 18:00", param_hint="--when"
            ) from None
    path = new_post(
        project,
        title=_ask(title, "Title", "--title"),
        by=_ask(by, "Your member handle", "--by"),
        kind=Kind(kind),
        date=parse_date(date, "--date") or dt.date.today(),
        link=link,
        for_=_split(for_),
        via=via,
        connects=_split(connects),
        tags=_split(tags),
        when=start,
        where=where,
    )
    _created(app, project, path)


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
    project = app.project()
    path = new_member(
        project,
        slugify(handle),
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
    project = app.project()
    path = new_edition(
        project,
        date=parse_date(date, "--date") or dt.date.today(),
        title=_ask(title, "Title", "--title"),
    )
    _created(app, project, path)

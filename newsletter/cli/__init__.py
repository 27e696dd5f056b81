"""The command line: an adapter that parses options, calls one function, prints.

No logic lives here that a test would have to reach through Click for.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from newsletter import __version__
from newsletter.core import clock
from newsletter.core.diagnostics import (
    Diagnostic,
    Diagnostics,
    did_you_mean,
    format_github,
    format_json,
    summary,
)
from newsletter.core.errors import BuildFailed, NewsletterError, OutputError, ProjectError
from newsletter.core.model import Kind, Site
from newsletter.core.progress import Progress
from newsletter.core.urls import slugify
from newsletter.feeds.settings import FetchSettings
from newsletter.mail.formats import FORMATS as IMPORT_FORMATS
from newsletter.project.sources import Project, find_project

if TYPE_CHECKING:
    from newsletter.feeds.fetch import (
        FeedReport,
        FetchRun,
    )
    from newsletter.mail.send import (
        Pacing,
        Plan,
        SendReport,
    )
    from newsletter.mail.smtp import Answer, SmtpSettings
    from newsletter.pipeline.build import (
        BuildOptions,
        BuildResult,
    )

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


def print_table(console: Console, table: Table) -> None:
    """A table, wrapped to the terminal; piped, as wide as it needs (for grep and logs)."""
    if console.is_terminal:
        console.print(table)
    else:
        Console(file=console.file, width=max(console.width, 240), color_system=None).print(table)


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


def hold_lock(project: Project, command: str) -> None:
    """Hold the project lock until the command ends (see newsletter.project.lock): build, fetch
    and send never run at once on one project."""
    from newsletter.project.lock import project_lock

    click.get_current_context().with_resource(project_lock(project.state, command))


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
        except sqlite3.Error as err:  # e.g. 'disk I/O error' when .newsletter/'s disk is full
            fail(f"a database in .newsletter/ failed: {err} (is the disk full?)", 1)


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
    from newsletter.pipeline.build import BuildOptions

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
    from newsletter.pipeline.build import check_project

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
    for note in result.notes:
        app.err.print(Text(f"note: {note}", style="yellow"), highlight=False)
    editions, posts, members = result.counts
    seconds = result.timings["total"]
    if result.site is None:
        done = (
            f"nothing changed: {result.files} files in {where}/ are up to date ({seconds:.2f} s) "
        )
    else:
        done = f"built {result.files} files into {where}/ in {seconds:.2f} s "
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            done,
            (
                f"({r.written} written, {r.unchanged} unchanged, {r.removed} removed; "
                f"{editions} editions, {posts} posts, {members} members)",
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
@click.option(
    "--fetch", "fetch_first", is_flag=True, help="Fetch members' feeds first (as `fetch` does)."
)
@click.option(
    "--as",
    "as_member",
    metavar="HANDLE",
    help="Also write the latest email as this member gets it, to .newsletter/preview/.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    help="Processes to render with (default: one per core).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Ignore .newsletter/build.sqlite: parse and render everything again.",
)
@click.option(
    "--no-search",
    "no_search",
    is_flag=True,
    help="Make no search index (Pagefind) and show no search box; a faster build.",
)
@today_option
@click.pass_obj
def build(
    app: App,
    drafts: bool,
    base_url: str | None,
    output: Path | None,
    quiet: bool,
    fetch_first: bool,
    as_member: str | None,
    jobs: int | None,
    no_cache: bool,
    no_search: bool,
    today: str | None,
) -> None:
    """Build the site and the email editions into site/.

    Runs the same checks as `newsletter check` first, and refuses to publish
    when there are errors: the previous site/ is then left as it was.

    \b
    Example:
      newsletter build
      newsletter build --drafts --base-url https://preview.example.org/ -o preview/
      newsletter build --fetch          # members' feeds first, then the site
      newsletter build --as ada         # and the email as Ada gets it
      newsletter build --jobs 1 --no-cache   # from nothing, in one process

    Only what changed since the last build is parsed and rendered again (the cache is
    .newsletter/build.sqlite); with nothing changed, the build stops at once.
    """
    from newsletter.pipeline.build import build_project, preview_email, site_in_memory

    options = replace(
        _options(drafts, base_url, output, today),
        jobs=jobs,
        incremental=not no_cache,
        search=not no_search,
    )
    project = app.project()
    hold_lock(project, "build")
    if fetch_first:
        run_fetch(app, project, FetchSettings(), None, quiet, options.today)
    if app.err.is_terminal and not quiet:
        with progress_bar(app.err) as progress:
            result = build_project(project, options, progress)
    else:
        result = build_project(project, options)
    if not quiet:
        print_diagnostics(app.err, result.diagnostics)
        report_build(app, result)
    if as_member:
        site = result.site or site_in_memory(project, options)[0]
        for path in preview_email(project, site, as_member):
            app.out.print(f"  preview: {project.relative(path)}", highlight=False)


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 for any free port.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; links in the preview point to it.",
)
@drafts_option
@today_option
@click.option(
    "--no-search",
    "no_search",
    is_flag=True,
    help="Make no search index (Pagefind) and show no search box; faster rebuilds.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.pass_obj
def serve(
    app: App,
    port: int,
    host: str,
    drafts: bool,
    today: str | None,
    no_search: bool,
    open_browser: bool,
) -> None:
    """Preview the site locally: rebuild on every change, reload open pages.

    Builds into .newsletter/serve/ (site/ is not touched), serves it, and watches
    content/, templates/ and newsletter.yaml. A build with errors keeps the server
    up: pages show the errors until they are fixed. Ctrl-C stops.

    \b
    Example:
      newsletter serve --open
      newsletter serve --drafts --port 8080 --no-search
    """
    from newsletter.preview.server import build_options, serve_preview

    serve_preview(
        app.project(),
        build_options(drafts=drafts, today=parse_date(today, "--today"), search=not no_search),
        host=host,
        port=port,
        open_browser=open_browser,
        out=app.out,
        show_diagnostics=lambda found: print_diagnostics(app.err, found),
    )


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
@click.option(
    "--date",
    metavar="DATE",
    help="Date of the welcome post and the first edition (default: today).",
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
    date: str | None,
) -> None:
    """Start a new newsletter in DIRECTORY, ready to build, with a CI workflow.

    \b
    Example:
      newsletter init our-exchange --title "Our Exchange" --base-url https://news.example.org/
    """
    from newsletter.authoring.scaffold import init_project

    directory = directory.resolve()
    title = title or directory.name.replace("-", " ").replace("_", " ").title()
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
    from newsletter.authoring.pagemeta import AddressRefused, PageMeta, link_meta
    from newsletter.authoring.scaffold import new_post, new_post_from_issue

    project = app.project()
    if issue_body is not None:
        day = parse_date(date, "--date") or clock.today()
        _created(app, project, new_post_from_issue(project, issue_body, day))
        return
    page = PageMeta()
    if link and not title:
        try:
            page = link_meta(project, link)
        except AddressRefused as err:  # said, then asked for, like any page not to be had
            app.err.print(f"not reading {link}: {err}", highlight=False, soft_wrap=True)
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
        title=_ask(title, "Title", "--title", page.title),
        by=_ask(by, "Your member handle", "--by"),
        kind=Kind(kind),
        body=f"> {page.description}\n\nSay in a few lines why it matters to us.\n"
        if page.description
        else "",
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


# -- feeds ------------------------------------------------------------------------------

OUTCOME_STYLE = {"ok": "green", "not modified": "dim", "unchanged": "dim", "failed": "bold red"}
"""By the value of newsletter.feeds.fetch.FeedOutcome (not imported here: it brings httpx)."""


def fetch_table(run: FetchRun) -> Table:
    """One row per feed: member, feed, result, entries and why."""
    from newsletter.feeds.fetch import FeedOutcome

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("member")
    table.add_column("feed", overflow="fold")
    table.add_column("result")
    table.add_column("entries", justify="right")
    table.add_column("detail", overflow="fold")
    for r in run.reports:
        result = Text(str(r.outcome), style=OUTCOME_STYLE[str(r.outcome)])
        if r.stale_days is not None:
            result.append(f", stale {r.stale_days} d", style="yellow")
        entries = f"{r.entries} ({r.new} new)" if r.outcome is FeedOutcome.OK else ""
        detail = [r.detail] if r.detail else []
        detail += r.warnings
        if r.moved_to:
            detail.append(f"moved permanently to {r.moved_to}: update {r.target.location}")
        table.add_row(r.target.member, r.target.url, result, entries, "; ".join(detail))
    return table


def run_fetch(
    app: App,
    project: Project,
    settings: FetchSettings,
    only: str | None,
    quiet: bool,
    today: dt.date | None = None,
) -> FetchRun:
    """Fetch with a live bar on a terminal; print the per-feed table unless quiet.
    ``today`` pins the clock (entries first seen are stamped with its first moment)."""
    from newsletter import api
    from newsletter.feeds.fetch import FeedOutcome

    if app.err.is_terminal and not quiet:
        with progress_bar(app.err) as progress:
            counts = [0, 0]  # done, total

            def start(total: int) -> None:
                counts[1] = total
                progress("fetch", 0, total)

            def finished(report: FeedReport) -> None:
                counts[0] += 1
                progress("fetch", *counts)

            run = api.fetch(project, settings, only, today, start, finished)
    else:
        run = api.fetch(project, settings, only, today)
    print_diagnostics(app.err, run.diagnostics)
    if not run.reports:
        app.out.print("no member lists a feed: nothing to fetch", highlight=False)
        return run
    if not quiet:
        print_table(app.out, fetch_table(run))
    new = sum(r.new for r in run.reports)
    parts = [f"{n} {outcome}" for outcome in FeedOutcome if (n := run.count(outcome)) and outcome]
    style = "red" if run.failed == len(run.reports) else "yellow" if run.failed else "green"
    mark = "✗" if run.failed == len(run.reports) else "✓"
    app.out.print(
        Text.assemble(
            (f"{mark} ", style),
            f"{len(run.reports)} feed{'s' if len(run.reports) != 1 else ''} in "
            f"{run.seconds:.1f} s: " + ", ".join(parts) + f"; {new} new entries",
        ),
        highlight=False,
    )
    return run


def fetch_settings(
    jobs: int,
    timeout: float,
    feed_timeout: float,
    max_size: int,
    per_host: int,
    allow_private: bool,
) -> FetchSettings:
    return FetchSettings(
        jobs=jobs,
        per_host=per_host,
        allow_private=allow_private,
        connect_timeout=timeout,
        read_timeout=timeout,
        feed_timeout=feed_timeout,
        max_bytes=max_size * 1024 * 1024,
    )


DEFAULTS = FetchSettings()


@main.command("fetch")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 256),
    default=DEFAULTS.jobs,
    show_default=True,
    help="Feeds fetched at the same time.",
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 256),
    default=DEFAULTS.per_host,
    show_default=True,
    metavar="N",
    help="Feeds fetched at the same time from any one host (within --jobs).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=DEFAULTS.read_timeout,
    show_default=True,
    help="Seconds to wait to connect, and for each next piece of a response.",
)
@click.option(
    "--feed-timeout",
    type=click.FloatRange(0.1),
    default=DEFAULTS.feed_timeout,
    show_default=True,
    help="Seconds one feed may take in all, however slowly its server sends.",
)
@click.option(
    "--max-size",
    type=click.IntRange(1),
    default=DEFAULTS.max_bytes // 2**20,
    show_default=True,
    metavar="MB",
    help="Largest feed accepted, also after decompression.",
)
@click.option("--member", metavar="HANDLE", help="Fetch only this member's feeds.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Let feeds reach loopback, private and other non-public addresses "
    "(refused by default; feeds.allow_private in newsletter.yaml does the same).",
)
@click.option("--strict", is_flag=True, help="Exit 1 if any feed failed (for CI).")
@click.option("-q", "--quiet", is_flag=True, help="Print the summary line only.")
@click.option(
    "--today",
    metavar="DATE",
    help="Treat DATE (YYYY-MM-DD) as today: entries first seen now are stamped with it.",
)
@click.pass_obj
def fetch_command(
    app: App,
    jobs: int,
    per_host: int,
    timeout: float,
    feed_timeout: float,
    max_size: int,
    member: str | None,
    allow_private: bool,
    strict: bool,
    quiet: bool,
    today: str | None,
) -> None:
    """Fetch members' feeds into the cache (.newsletter/), for `build` to use.

    All feeds are fetched at once (up to --jobs, and --per-host from one host), each
    bounded by its timeouts and size cap; an unchanged feed costs one request. A feed
    whose host is this machine or a private network is refused, unless allowed. One
    feed failing never stops the others: exit 0 unless every feed failed (or any did,
    with --strict).

    \b
    Example:
      newsletter fetch
      newsletter fetch --member ada --strict
      newsletter fetch --allow-private   # feeds on an intranet
    """
    project = app.project()
    hold_lock(project, "fetch")
    settings = fetch_settings(jobs, timeout, feed_timeout, max_size, per_host, allow_private)
    run = run_fetch(app, project, settings, member, quiet, parse_date(today, "--today"))
    if run.reports and (run.failed == len(run.reports) or (strict and run.failed)):
        sys.exit(1)


@main.group()
def feeds() -> None:
    """Members' feeds as OPML: export the blogroll, import a reader's list.

    \b
    Example:
      newsletter feeds export -o blogroll.opml
      newsletter feeds import subscriptions.opml --member ada
    """


@feeds.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.pass_obj
def feeds_export(app: App, output: Path | None) -> None:
    """Write an OPML file of every member's feeds (the site has it as feeds.opml).

    \b
    Example:
      newsletter feeds export -o blogroll.opml
    """
    from newsletter.feeds.opml import export_opml
    from newsletter.load import load_members

    diags = Diagnostics()
    config, members = load_members(app.project(), diags)
    print_diagnostics(app.err, diags.sorted())
    data = export_opml(config, members.values())
    if output is None:
        click.echo(data.decode(), nl=False)
        return
    output.write_bytes(data)
    count = sum(len(m.feeds) for m in members.values())
    app.err.print(f"wrote {count} feeds to {output}", highlight=False)


@feeds.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--member", metavar="HANDLE", required=True, help="Whose feeds these are.")
@click.pass_obj
def feeds_import(app: App, file: Path, member: str) -> None:
    """Add the feeds listed in an OPML FILE to a member's file.

    Only the member's `feeds:` list changes; feeds already there are skipped.

    \b
    Example:
      newsletter feeds import subscriptions.opml --member ada
    """
    from newsletter.feeds.opml import add_feeds, read_opml
    from newsletter.load import load_members

    project = app.project()
    member_file = project.content / "members" / f"{member}.yaml"
    if not member_file.is_file():
        handles = [p.stem for p in project.member_files()]
        raise ProjectError(
            f"no member '{member}'{did_you_mean(member, handles)}; "
            f"create it first with: newsletter new member {member}"
        )
    subscriptions = read_opml(file)
    if not subscriptions:
        fail(f"{file} lists no http(s) feeds (outline elements with xmlUrl)", 1)
    added = add_feeds(member_file, [s.url for s in subscriptions])
    where = project.relative(member_file)
    for url in added:
        app.out.print(f"  added {url}", highlight=False)
    skipped = len(subscriptions) - len(added)
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            f"{len(added)} feed{'s' if len(added) != 1 else ''} added to {where}",
            (f" ({skipped} already there)" if skipped else "", "dim"),
        ),
        highlight=False,
    )
    diags = Diagnostics()
    load_members(project, diags)  # the edited file is checked again, and problems shown
    print_diagnostics(app.err, [d for d in diags.sorted() if d.location.path == where])


# -- sending ----------------------------------------------------------------------------


@main.command("send")
@click.argument("edition", default="latest")
@click.option(
    "--dry-run",
    "dry_folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every message as a .eml file into this folder; send nothing.",
)
@click.option("--to", "test_address", metavar="ADDRESS", help="Send one test copy to ADDRESS.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for CI).")
@click.option("--force", is_flag=True, help="Send again an edition already sent to everyone.")
@click.option("--status", "show_status", is_flag=True, help="Report the ledger's counts only.")
@click.option(
    "--per-second",
    type=click.FloatRange(0),
    help="Messages per second at most (default: email.per_second; 0: no limit).",
)
@click.option(
    "--connections",
    type=click.IntRange(1, 32),
    help="SMTP connections at once (default: email.connections, 1).",
)
@click.option(
    "--retry-wait",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds before retrying temporary failures (doubled each round, 3 rounds).",
)
@today_option
@click.pass_obj
def send_command(
    app: App,
    edition: str,
    dry_folder: Path | None,
    test_address: str | None,
    yes: bool,
    force: bool,
    show_status: bool,
    per_second: float | None,
    connections: int | None,
    retry_wait: float,
    today: str | None,
) -> None:
    """Email EDITION (a number, or latest) to every subscriber.

    Subscribers come from the private CSV (email.subscribers in newsletter.yaml or
    NEWSLETTER_SUBSCRIBERS); SMTP settings from NEWSLETTER_SMTP_URL. Every
    delivery is recorded in .newsletter/deliveries.sqlite: run again after a
    crash and it finishes the rest, mailing no one twice.

    \b
    Example:
      newsletter send latest --dry-run outbox/      # look first
      newsletter send 12 --to me@example.org        # one test copy
      newsletter send 12                            # everyone (asks first)
      newsletter send 12 --status
    """
    from newsletter.mail.send import dry_run, pacing_for, plan_send, send_test
    from newsletter.mail.send import status as send_status
    from newsletter.mail.smtp import SmtpSettings

    project = app.project()
    if show_status:
        if not edition.isdigit():
            raise ProjectError("--status needs an edition number, e.g. newsletter send 12 --status")
        print_table(app.out, status_table(int(edition), send_status(project, int(edition))))
        return
    if dry_folder is None and test_address is None:
        hold_lock(project, "send")
        settings = SmtpSettings.from_env()  # before building: fail fast without a server
    the_plan = plan_send(
        project, edition, parse_date(today, "--today"), need_subscribers=test_address is None
    )
    print_diagnostics(app.err, the_plan.diagnostics)
    number = the_plan.edition.number
    if dry_folder is not None:
        written = dry_run(the_plan, dry_folder)
        app.out.print(
            Text.assemble(
                ("✓ ", "green"),
                f"wrote {len(written)} messages of edition {number} to {dry_folder}/ ",
                (f"({len(the_plan.subscribers) - len(written)} suppressed)", "dim"),
            ),
            highlight=False,
        )
        return
    if test_address is not None:
        answer = send_test(the_plan, test_address, SmtpSettings.from_env())
        if answer.kind != "sent":
            fail(f"the server did not take the test message: {answer}", 1)
        app.out.print(f"✓ sent a test copy of edition {number} to {test_address}", highlight=False)
        return
    recipients = len(the_plan.recipients)
    question = (
        f"Send edition {number} “{the_plan.edition.view.edition.title}” to "
        f"{recipients:,} subscribers via {settings}?"
    )
    if not yes:
        if not sys.stdin.isatty():
            fail(f"{question} Not on a terminal: add --yes to confirm.")
        click.confirm(question, abort=True)
    pacing = pacing_for(the_plan)
    if per_second is not None:
        pacing = replace(pacing, per_second=per_second)
    if connections is not None:
        pacing = replace(pacing, connections=connections)
    pacing = replace(pacing, retry_wait=retry_wait)
    report = run_campaign(app, the_plan, settings, pacing, force)
    print_table(app.out, status_table(number, report.counts))
    for email, why in report.failures[:20]:
        app.err.print(f"  failed: {email}: {why}", highlight=False)
    rate = sum(report.counts[s] for s in ("sent", "failed", "temp_failed")) / max(
        report.seconds, 1e-9
    )
    mark, style = ("✓", "green") if report.finished else ("!", "yellow")
    app.out.print(
        Text.assemble(
            (f"{mark} ", style),
            f"edition {number}: {report.counts['sent']:,} sent, {report.counts['failed']} failed, "
            f"{report.counts['temp_failed']} to retry, {report.counts['suppressed']} suppressed "
            f"in {report.seconds:.1f} s ({rate:.0f}/s)",
            (
                f"; {report.in_flight} were in flight when the last send stopped and went again"
                if report.in_flight
                else "",
                "yellow",
            ),
            ("" if report.finished else "; run send again later for the rest", "yellow"),
        ),
        highlight=False,
    )
    if not report.finished:
        sys.exit(1)


def run_campaign(
    app: App, the_plan: Plan, settings: SmtpSettings, pacing: Pacing, force: bool
) -> SendReport:
    from newsletter.mail.send import send_campaign

    if not app.err.is_terminal:
        return send_campaign(the_plan, settings, pacing, force=force)
    bar = RichProgress(
        SpinnerColumn(),
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=app.err,
        transient=True,
    )
    task = bar.add_task("send", total=None, rate="")
    started = time.monotonic()

    def start(total: int) -> None:
        bar.update(task, total=total)

    def sent(email: str, answer: Answer) -> None:
        bar.advance(task)
        done = bar.tasks[0].completed
        bar.update(task, rate=f"{done / max(time.monotonic() - started, 1e-9):.1f}/s")

    with bar:
        return send_campaign(the_plan, settings, pacing, force=force, on_start=start, on_sent=sent)


def status_table(number: int, counts: dict[str, int]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(f"edition {number}")
    table.add_column("messages", justify="right")
    for name in ("sent", "pending", "sending", "temp_failed", "failed", "suppressed", "resent"):
        table.add_row(name.replace("_", " "), f"{counts.get(name, 0):,}")
    if "finished" in counts:
        table.add_row("finished", "yes" if counts["finished"] else "no")
    return table


@main.command("unsubscribe")
@click.argument("address")
@click.option("--reason", default="unsubscribed", show_default=True, help="Why, for the record.")
@click.pass_obj
def unsubscribe_command(app: App, address: str, reason: str) -> None:
    """Add ADDRESS to the suppression list: never mailed again, whatever the CSV says.

    \b
    Example:
      newsletter unsubscribe reader@example.org
    """
    from newsletter.mail.send import unsubscribe

    if unsubscribe(app.project(), address, reason):
        app.out.print(f"✓ {address} will not be mailed again", highlight=False)
    else:
        app.out.print(f"{address} was already on the suppression list", highlight=False)


@main.group()
def subscribers() -> None:
    """The private subscribers file.

    \b
    Example:
      newsletter subscribers import mailchimp-export.csv
    """


@subscribers.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--format",
    "source_format",
    type=click.Choice(["auto", *IMPORT_FORMATS]),
    default="auto",
    show_default=True,
    help="The export's format; auto tells it from the header row.",
)
@click.pass_obj
def subscribers_import(app: App, file: Path, source_format: str) -> None:
    """Add the subscribers of a Mailchimp, listmonk or Buttondown CSV export.

    New addresses are appended to the subscribers file (existing rows are kept as
    they are); whoever the export says unsubscribed or bounced goes on the
    suppression list. Importing the same file twice changes nothing.

    \b
    Example:
      newsletter subscribers import listmonk-subscribers.csv
    """
    from newsletter.load import load_config
    from newsletter.mail.imports import import_subscribers

    project = app.project()
    diags = Diagnostics()
    config = load_config(project, diags)
    report = import_subscribers(project, config, file, diags, source_format=source_format)
    print_diagnostics(app.err, diags.sorted())
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            f"{report.source_format} export: {len(report.added)} added, "
            f"{len(report.updated)} updated, {report.unchanged} already there, "
            f"{len(report.suppressed)} suppressed, {len(report.skipped)} skipped",
        ),
        highlight=False,
    )


@main.command("mailbox")
@click.option("--dry-run", is_flag=True, help="Report what would be suppressed; change nothing.")
@click.pass_obj
def mailbox_command(app: App, dry_run: bool) -> None:
    """Read the editors' mailbox: unsubscribe requests and bounces → suppression list.

    The IMAP mailbox comes from NEWSLETTER_IMAP_URL (imaps://user:pass@host:993/INBOX).
    Each message is read once (flagged $NewsletterDone, never deleted); running
    it again only reads new mail.

    \b
    Example:
      newsletter mailbox --dry-run
      newsletter mailbox
    """
    from newsletter.load import load_config
    from newsletter.mail.mailbox import ImapSettings, process_mailbox

    project = app.project()
    diags = Diagnostics()
    config = load_config(project, diags)
    report = process_mailbox(project, config, ImapSettings.from_env(), dry_run=dry_run)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in ("uid", "kind", "address", "detail"):
        table.add_column(column, overflow="fold")
    for item in report.items:
        table.add_row(item.uid, item.kind, item.email, item.detail)
    if report.items:
        print_table(app.out, table)
    verb = "would suppress" if dry_run else "suppressed"
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            f"{len(report.items)} messages read: {verb} {len(report.suppressed)}, "
            f"{len(report.already)} already suppressed, {report.skipped} not for the list",
        ),
        highlight=False,
    )


# -- the ledger and the network -----------------------------------------------------------

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text: an aligned table; json or csv for other tools.",
)


def _site(app: App, today: str | None) -> Site:
    from newsletter.pipeline.build import BuildOptions, site_in_memory

    site, diags = site_in_memory(app.project(), BuildOptions(today=parse_date(today, "--today")))
    print_diagnostics(app.err, [d for d in diags.sorted() if d.severity == "error"])
    return site


@main.command("contacts")
@click.option("--member", metavar="HANDLE", help="Only the shares this member took part in.")
@click.option("--since", metavar="DATE", help="Only shares on or after DATE (YYYY-MM-DD).")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Only this kind.")
@click.option("--summary", is_flag=True, help="One line per member instead of one per share.")
@format_option
@today_option
@click.pass_obj
def contacts_command(
    app: App,
    member: str | None,
    since: str | None,
    kind: str | None,
    summary: bool,
    fmt: str,
    today: str | None,
) -> None:
    """The contact ledger: who shared what, for whom, via whom, introducing whom.

    \b
    Example:
      newsletter contacts --member ada --since 2026-06-01
      newsletter contacts --summary --format csv > members.csv
    """
    from newsletter.analysis.contacts import events, summaries, to_csv, to_json

    site = _site(app, today)
    if member and member not in site.members:
        raise ProjectError(f"no member '{member}'{did_you_mean(member, site.members)}")
    names = {h: m.name for h, m in site.members.items()}
    if summary:
        rows = [s for s in summaries(site) if not member or s.handle == member]
        if fmt != "text":
            click.echo(to_json(rows) if fmt == "json" else to_csv(rows), nl=False)
            return
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        for column in ("member", "shared", "received", "introduced", "introduced to"):
            table.add_column(column, justify="left" if column == "member" else "right")
        table.add_column("last active")
        table.add_column("top topics")
        for s in rows:
            table.add_row(
                s.name,
                str(s.shared),
                str(s.received),
                str(s.introduced),
                str(s.introduced_to),
                s.last_activity.isoformat() if s.last_activity else "never",
                " ".join(f"#{t}" for t in s.top_topics),
            )
        print_table(app.out, table)
        return
    found = events(site, member, parse_date(since, "--since"), Kind(kind) if kind else None)
    if fmt != "text":
        click.echo(to_json(found) if fmt == "json" else to_csv(found), nl=False)
        return
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in ("date", "shared by", "kind", "item", "for", "via", "introduced"):
        table.add_column(column, overflow="fold")
    for e in found:
        table.add_row(
            e.date.isoformat(),
            names.get(e.sharer, e.sharer),
            e.kind,
            e.item,
            ", ".join(names.get(h, h) for h in e.for_),
            names.get(e.via, e.via),
            " and ".join(names.get(h, h) for h in e.introduced),
        )
    print_table(app.out, table)
    app.out.print(f"{len(found)} share{'' if len(found) == 1 else 's'}", highlight=False)


@main.command("network")
@click.option(
    "--section",
    type=click.Choice(
        ["brokers", "dormant", "quiet", "reciprocity", "suggestions", "isolated", "all"]
    ),
    default="all",
    show_default=True,
    help="Show one part of the report.",
)
@click.option("--dormant-months", type=click.IntRange(1), help="Override network.dormant_months.")
@click.option("--half-life-days", type=click.IntRange(1), help="Override network.half_life_days.")
@click.option("--suggestions", type=click.IntRange(0), help="Override network.suggestions.")
@click.option("--brokers", type=click.IntRange(0), help="Override network.brokers.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: tables; json for other tools.",
)
@today_option
@click.pass_obj
def network_command(
    app: App,
    section: str,
    dormant_months: int | None,
    half_life_days: int | None,
    suggestions: int | None,
    brokers: int | None,
    fmt: str,
    today: str | None,
) -> None:
    """The network: brokers, dormant ties, reciprocity, introductions to make.

    Members are the nodes; sharing for someone, via someone and introductions
    make the ties (weighted, and fading with time), and so does working in the
    same organisation. Members with `network: false` are left out.

    \b
    Example:
      newsletter network
      newsletter network --section dormant --dormant-months 3
      newsletter network --format json > network.json
    """
    from newsletter.analysis.network import analyse, network_json

    site = _site(app, today)
    overrides = {
        k: v
        for k, v in (
            ("dormant_months", dormant_months),
            ("half_life_days", half_life_days),
            ("suggestions", suggestions),
            ("brokers", brokers),
        )
        if v is not None
    }
    options = replace(site.config.network, **overrides)
    day = parse_date(today, "--today") or clock.today()
    net = analyse(site.members, site.ledger, day, options)
    if fmt == "json":
        click.echo(network_json(net), nl=False)
        return
    names = {h: m.name for h, m in site.members.items()}

    def show(title: str, columns: list[str], rows: list[list[str]], empty: str) -> None:
        app.out.print(Text(title, style="bold"), highlight=False)
        if not rows:
            app.out.print(f"  {empty}\n", highlight=False)
            return
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="dim")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        print_table(app.out, table)
        app.out.print()

    wanted = (
        {section}
        if section != "all"
        else {"brokers", "dormant", "quiet", "reciprocity", "suggestions", "isolated"}
    )
    if "brokers" in wanted:
        show(
            "Brokers: who bridges groups",
            ["member", "betweenness", "constraint", "links"],
            [
                [
                    names[b.handle],
                    f"{b.betweenness:.3f}",
                    f"{b.constraint:.3f}",
                    ", ".join(b.groups),
                ]
                for b in net.brokers
            ],
            "no member bridges groups yet",
        )
    if "dormant" in wanted:
        show(
            f"Dormant ties: no exchange for {options.dormant_months}+ months",
            ["between", "and", "last", "months"],
            [[names[d.a], names[d.b], d.last.isoformat(), str(d.months)] for d in net.dormant],
            "none",
        )
    if "quiet" in wanted:
        show(
            "Gone quiet: keep in touch",
            ["member", "last active", "months"],
            [
                [names[q.handle], q.last.isoformat() if q.last else "never", str(q.months or "")]
                for q in net.quiet
            ],
            "everyone has been active",
        )
    if "reciprocity" in wanted:
        show(
            "Reciprocity: gives much, receives little (and the reverse)",
            ["member", "given", "received"],
            [[names[b.handle], str(b.given), str(b.received)] for b in [*net.givers, *net.takers]],
            "exchanges are balanced",
        )
    if "suggestions" in wanted:
        show(
            "Suggested introductions",
            ["who", "and", "why"],
            [
                [names[s.a], names[s.b], s.reason]
                for s in net.suggestions[: max(10, options.suggestions)]
            ],
            "no introduction to suggest",
        )
    if "isolated" in wanted:
        show(
            "Not yet connected",
            ["member or groups"],
            [[names[h]] for h in net.isolated]
            + [[f"{a} · {b} (no bridge)"] for a, b in net.unbridged],
            "everyone is connected, and every group has a bridge",
        )

"""The commands that check, build and preview the site: check, build, serve."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.cli.app import (
    App,
    drafts_option,
    fail,
    hold_lock,
    main,
    parse_date,
    today_option,
)
from newsletter.cli.feeds import run_fetch
from newsletter.cli.output import counted, format_option, print_diagnostics, progress_bar
from newsletter.core.diagnostics import format_github, format_json, summary
from newsletter.feeds.settings import FetchSettings

if TYPE_CHECKING:
    from newsletter.pipeline.build import BuildOptions, BuildResult
    from newsletter.project.sources import Project


@main.command("check")
@format_option(
    ["text", "github", "json"], "text for people, github for workflow annotations, json for tools."
)
@drafts_option
@today_option
@click.pass_obj
def check_command(app: App, fmt: str, drafts: bool, today: str | None) -> None:
    """Validate every file and report all problems at once; exit 1 on errors.

    \b
    Example:
      newsletter check
      newsletter check --format github   # in CI: annotations on the pull request
    """
    from rich.text import Text

    from newsletter import api

    project = app.project()
    found = api.check(project, parse_date(today, "--today"), drafts)
    has_errors = any(d.is_error for d in found)
    if fmt == "json":
        click.echo(format_json(found))
    elif fmt == "github":
        folder = _checkout_folder(project)
        for d in found:
            click.echo(format_github(d, folder))
    else:
        print_diagnostics(app.out, found)
        style = "red" if has_errors else "green"
        app.out.print(Text(f"{'✗' if has_errors else '✓'} {summary(found)}", style=style))
    if has_errors:
        sys.exit(1)


def _checkout_folder(project: Project) -> str:
    """The project's folder from the checkout, where the workflow runs and where GitHub
    places annotations by path; "" when the project is the checkout or outside it."""
    folder = os.path.relpath(project.root, os.environ.get("GITHUB_WORKSPACE", Path.cwd()))
    return "" if folder.startswith("..") else folder


def _build_options(
    drafts: bool, base_url: str | None, output: Path | None, today: str | None
) -> BuildOptions:
    """The build's options from what build and serve are given (the rest as defaults)."""
    from newsletter.pipeline.build import BuildOptions

    return BuildOptions(
        drafts=drafts, base_url=base_url, output=output, today=parse_date(today, "--today")
    )


def report_build(app: App, result: BuildResult) -> None:
    """The build's notes, then one line: what was built where, how fast, and what changed."""
    from rich.text import Text

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
            f"nothing changed: {counted(result.files, 'file')} in {where}/ "
            f"{'is' if result.files == 1 else 'are'} up to date ({seconds:.2f} s) "
        )
    else:
        done = f"built {counted(result.files, 'file')} into {where}/ in {seconds:.2f} s "
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            done,
            (
                f"({r.written} written, {r.unchanged} unchanged, {r.removed} removed; "
                f"{counted(editions, 'edition')}, {counted(posts, 'post')}, "
                f"{counted(members, 'member')})",
                "dim",
            ),
        ),
        highlight=False,
    )


@main.command("build")
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
def build_command(
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
    from newsletter import api
    from newsletter.pipeline.build import preview_email, site_in_memory

    options = replace(
        _build_options(drafts, base_url, output, today),
        jobs=jobs,
        incremental=not no_cache,
        search=not no_search,
    )
    project = app.project()
    if as_member:
        _check_member(project, as_member)
    hold_lock(project, "build")
    if fetch_first:
        run_fetch(app, project, FetchSettings(), None, quiet, options.today)
    if not quiet and app.err.is_terminal:  # quiet: no console is made, rich not imported
        with progress_bar(app.err) as progress:
            result = api.build(project, options=options, progress=progress)
    else:
        result = api.build(project, options=options)
    if not quiet:
        print_diagnostics(app.err, result.diagnostics)
        report_build(app, result)
    if as_member:
        site = result.site or site_in_memory(project, options)[0]
        for path in preview_email(project, site, as_member):
            app.out.print(f"  preview: {project.relative(path)}", highlight=False)


def _check_member(project: Project, handle: str) -> None:
    """Refuse ``--as`` with a handle no member has before building, not after."""
    from newsletter.core.diagnostics import did_you_mean

    handles = {file.stem for file in project.member_files()}
    if handle not in handles:
        fail(f"no member '{handle}'{did_you_mean(handle, handles)}")


@main.command("serve")
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
def serve_command(
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
    from newsletter.preview.server import serve_preview

    serve_preview(
        app.project(),
        replace(_build_options(drafts, None, None, today), search=not no_search),
        host=host,
        port=port,
        open_browser=open_browser,
        out=app.out,
        show_diagnostics=lambda found: print_diagnostics(app.err, found),
    )

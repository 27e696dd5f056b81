"""The members' feeds: fetch, feeds export, feeds import."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.cli.app import App, fail, hold_lock, main, parse_date
from newsletter.cli.output import counted, print_diagnostics, print_table, progress_bar, table_of
from newsletter.core.diagnostics import Diagnostics, did_you_mean
from newsletter.core.errors import ProjectError
from newsletter.feeds.settings import FetchSettings
from newsletter.project.sources import Project

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

    from newsletter.feeds.fetch import FeedReport, FetchRun

OUTCOME_STYLE = {"ok": "green", "not modified": "dim", "unchanged": "dim", "failed": "bold red"}
"""By the value of newsletter.feeds.fetch.FeedOutcome (not imported here: it brings httpx)."""


def fetch_table(run: FetchRun) -> Table:
    """One row per feed: member, feed, result, entries and why."""
    from rich.text import Text

    from newsletter.analysis.report import Column
    from newsletter.feeds.fetch import FeedOutcome

    rows = []
    for r in run.reports:
        result = Text(str(r.outcome), style=OUTCOME_STYLE[str(r.outcome)])
        if r.stale_days is not None:
            result.append(f", stale {r.stale_days} d", style="yellow")
        entries = f"{r.entries} ({r.new} new)" if r.outcome is FeedOutcome.OK else ""
        detail = [r.detail] if r.detail else []
        detail += r.warnings
        if r.moved_to:
            detail.append(f"moved permanently to {r.moved_to}: update {r.target.location}")
        rows.append((r.target.member, r.target.url, result, entries, "; ".join(detail)))
    columns = (
        Column("member"),
        Column("feed", wrap=True),
        Column("result"),
        Column("entries", "right"),
        Column("detail", wrap=True),
    )
    return table_of(columns, rows)


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

    if app.err.is_terminal and not quiet:
        run = _fetch_with_bar(app, project, settings, only, today)
    else:
        run = api.fetch(project, settings, only, today)
    print_diagnostics(app.err, run.diagnostics)
    if not run.reports:
        app.out.print("no member lists a feed: nothing to fetch", highlight=False)
        return run
    if not quiet:
        print_table(app.out, fetch_table(run))
    app.out.print(fetch_summary(run), highlight=False)
    return run


def _fetch_with_bar(
    app: App, project: Project, settings: FetchSettings, only: str | None, today: dt.date | None
) -> FetchRun:
    """``api.fetch``, the bar counting the feeds done."""
    from newsletter import api

    with progress_bar(app.err) as progress:
        counts = [0, 0]  # done, total

        def start(total: int) -> None:
            counts[1] = total
            progress("fetch", 0, total)

        def finished(report: FeedReport) -> None:
            counts[0] += 1
            progress("fetch", *counts)

        return api.fetch(project, settings, only, today, start, finished)


def fetch_summary(run: FetchRun) -> Text:
    """One line: how many feeds, how long, how many of each outcome, how many new entries;
    red when every feed failed, yellow when some did."""
    from rich.text import Text

    from newsletter.feeds.fetch import FeedOutcome

    new = sum(r.new for r in run.reports)
    parts = [f"{n} {outcome}" for outcome in FeedOutcome if (n := run.count(outcome)) and outcome]
    style = "red" if run.failed == len(run.reports) else "yellow" if run.failed else "green"
    mark = "✗" if run.failed == len(run.reports) else "✓"
    return Text.assemble(
        (f"{mark} ", style),
        f"{counted(len(run.reports), 'feed')} in "
        f"{run.seconds:.1f} s: "
        + ", ".join(parts)
        + f"; {new} new entr{'y' if new == 1 else 'ies'}",
    )


def fetch_settings(
    jobs: int,
    timeout: float,
    feed_timeout: float,
    max_size: int,
    per_host: int,
    allow_private: bool,
) -> FetchSettings:
    """The fetch's settings from its options: one --timeout to connect and to read, the
    size cap in MB."""
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
"""What the fetch options default to (and --help shows)."""


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
    app.err.print(f"wrote {counted(count, 'feed')} to {output}", highlight=False)


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
    from rich.text import Text

    from newsletter.authoring.scaffold import member_path
    from newsletter.feeds.opml import add_feeds, read_opml
    from newsletter.load import load_members

    project = app.project()
    handles = [p.stem for p in project.member_files()]
    member_file = member_path(project, member)
    if not member_file.is_file():
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

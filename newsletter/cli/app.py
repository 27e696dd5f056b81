"""The command line's frame: the `newsletter` group, its context object (App) and what
every command shares (options, diagnostics, tables, progress, the lock).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
)
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

from newsletter import __version__
from newsletter.core.diagnostics import (
    Diagnostic,
    summary,
)
from newsletter.core.errors import BuildFailed, NewsletterError, OutputError
from newsletter.core.progress import Progress
from newsletter.project.sources import Project, find_project

if TYPE_CHECKING:
    from newsletter.pipeline.build import (
        BuildOptions,
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

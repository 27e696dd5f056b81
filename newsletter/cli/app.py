"""The command line's frame: the `newsletter` group, its context object (App), the
turning of the library's errors into messages and exit statuses, and what every command
shares: the shared options, parsing a date, the project lock.

How things are shown lives in ``newsletter.cli.output``; ``print_diagnostics``,
``print_table`` and ``progress_bar`` are also importable from here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from newsletter import __version__
from newsletter.cli.output import print_diagnostics, print_table, progress_bar
from newsletter.core import collector
from newsletter.core.errors import BuildFailed, NewsletterError, OutputError
from newsletter.project.sources import Project, find_project

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "App",
    "NamedChoice",
    "drafts_option",
    "fail",
    "hold_lock",
    "main",
    "parse_date",
    "post_kinds",
    "print_diagnostics",
    "print_table",
    "progress_bar",
    "today_option",
]


@dataclass
class App:
    """Shared by every command (Click's context object)."""

    project_dir: Path | None

    @cached_property
    def out(self) -> Console:
        """Standard output; made (and rich imported) when a command first shows something:
        `build --quiet` with nothing to do never does."""
        return _console(stderr=False)

    @cached_property
    def err(self) -> Console:
        return _console(stderr=True)

    def project(self) -> Project:
        return find_project(self.project_dir or Path.cwd())


def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Exit with ``error: message``: 2 when the command cannot start, 1 when it failed."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def hold_lock(project: Project, command: str) -> None:
    """Hold the project lock until the command ends (see newsletter.project.lock): build, fetch
    and send never run at once on one project."""
    from newsletter.project.lock import project_lock

    click.get_current_context().with_resource(project_lock(project.state, command))


def parse_date(value: str | None, option: str) -> dt.date | None:
    """The date an option gives (YYYY-MM-DD), None if not given; a usage error if not a date."""
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

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The ``newsletter`` program, whose process ends with the command (Click's test
        runner calls :meth:`main` instead)."""
        try:
            return self.main(*args, **kwargs)
        finally:
            collector.spare_the_exit()

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BuildFailed as err:
            from rich.console import Console
            from rich.text import Text

            from newsletter.core.diagnostics import summary

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
    ctx.obj = App(project_dir)


class NamedChoice(click.Choice):  # type: ignore[type-arg]
    """``click.Choice`` of names the library defines (the kinds of post, the network's
    sections), looked up when first needed (help, parsing, completion): their modules
    are not imported when the command line starts, which every command pays for."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        self._names = names
        self._choices: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._choices is None:
            self._choices = tuple(self._names())
        return self._choices

    @choices.setter
    def choices(self, _: object) -> None:
        """Choice.__init__ sets them; here they come from ``names``."""


def post_kinds() -> list[str]:
    """The kinds of post, for ``--kind``."""
    from newsletter.core.model import Kind

    return [k.value for k in Kind]


drafts_option = click.option(
    "--drafts", is_flag=True, help="Include draft posts and future-dated editions."
)
today_option = click.option(
    "--today",
    metavar="DATE",
    help="Treat DATE (YYYY-MM-DD) as today when deciding what is published.",
)

"""How the command line shows things: diagnostics, aligned tables, the progress bar,
the ``--format`` option and rows written as a text table, JSON or CSV.

The one copy of each for every command. Coloured on a terminal, plain when piped (rich
decides, and ``NO_COLOR`` is honoured). It shows what it is given and decides nothing:
what goes in a table is the library's (``newsletter.analysis.report``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # rich's tables and bars are imported when shown: every command
    # imports this module, and `build` with nothing to do shows none of them
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from newsletter.analysis.report import Column, TextTable
    from newsletter.core.diagnostics import Diagnostic
    from newsletter.core.progress import Progress

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}

Decorated = TypeVar("Decorated", bound=Callable[..., Any])


def counted(number: int, noun: str) -> str:
    """'1 edition', '2 editions', '1,200 messages': a count and its noun, agreeing."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def print_diagnostics(
    console: Console, diagnostics: list[Diagnostic], places: list[str | None] | None = None
) -> None:
    """Each as ``path:line:col: severity: message [code]``, and its hint below it; at
    ``places[i]`` instead of its location where one is given (the option of ``new`` that
    sets what it is about, for a file not yet written)."""
    from rich.text import Text

    for d, place in zip(diagnostics, places or [None] * len(diagnostics), strict=True):
        text = Text()
        text.append(f"{place or d.location}: ", style="bold")
        text.append(str(d.severity), style=SEVERITY_STYLE[d.severity])
        text.append(f": {d.message} ")
        text.append(f"[{d.code}]", style="dim")
        if d.hint:
            text.append("\n    hint: ", style="cyan")
            text.append(d.hint)
        console.print(text, soft_wrap=True, highlight=False)


def table_of(
    columns: Sequence[Column], rows: Iterable[Sequence[str | Text]], header_style: str = "bold"
) -> Table:
    """An aligned table without borders: headings in ``header_style``, then the rows."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style=header_style)
    for column in columns:
        table.add_column(
            column.heading, justify=column.align, overflow="fold" if column.wrap else "ellipsis"
        )
    for row in rows:
        table.add_row(*row)
    return table


def print_table(console: Console, table: Table) -> None:
    """A table, wrapped to the terminal; piped, as wide as it needs (for grep and logs)."""
    from rich.console import Console

    if console.is_terminal:
        console.print(table)
    else:
        Console(file=console.file, width=max(console.width, 240), color_system=None).print(table)


def print_rows(console: Console, table: TextTable, header_style: str = "bold") -> None:
    """A table the library made, aligned (see :func:`print_table`)."""
    print_table(console, table_of(table.columns, table.rows, header_style))


def format_option(choices: Sequence[str], help: str) -> Callable[[Decorated], Decorated]:
    """The ``--format`` option, the same for every command: one of ``choices``, text by
    default, passed to the command as ``fmt``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default="text",
        show_default=True,
        help=help,
    )


def emit_rows(
    console: Console, fmt: str, table: TextTable, records: Sequence[Mapping[str, object]]
) -> None:
    """Rows in the ``--format`` asked for: ``text`` the aligned table; ``json`` and ``csv``
    the ``records`` (one per row, plain values) for other tools."""
    if fmt == "json":
        click.echo(json.dumps(list(records), indent=2, ensure_ascii=False) + "\n", nl=False)
    elif fmt == "csv":
        click.echo(csv_text(records), nl=False)
    else:
        print_rows(console, table)


def csv_text(records: Sequence[Mapping[str, object]]) -> str:
    """A header line of the first record's keys, then one line per record; a list is
    written as its items separated by spaces. Nothing at all for no records."""
    if not records:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in record.items()}
        )
    return out.getvalue()


@contextmanager
def progress_bar(console: Console) -> Iterator[Progress]:
    """A live bar for the stages of a build; it disappears when the build ends."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as RichProgress

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

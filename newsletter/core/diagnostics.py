"""Diagnostics: what every stage reports about user content, never raised.

A diagnostic points at a file, line and column (1-based, like a compiler)
and carries a stable code (``ref.member``) that tests and CI can match on.
This module owns the type and its two machine formats (GitHub annotations, JSON); the
text a person reads is drawn by the command line. It does no I/O.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a diagnostic asks of a person: an error must be fixed (check exits 1, build
    publishes nothing), a warning should be looked at, a note only tells (posts waiting
    for the next edition: normal between editions, so neither an error nor a warning that
    a pull request would be asked to fix)."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Location:
    """Where something came from: a path relative to the project, line, column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[Callable[[str, int, int], Location], tuple[str, int, int]]:
        # not dataclasses' __setstate__ for frozen slots, which looks up the fields for
        # each one: a third of unpickling the 10,000 posts of the build cache
        return _location, (self.path, self.line, self.col)


def _location(path: str, line: int, col: int) -> Location:
    """A Location unpickled: made as ``__init__`` makes it, with no checks to pass."""
    location = object.__new__(Location)
    object.__setattr__(location, "path", path)
    object.__setattr__(location, "line", line)
    object.__setattr__(location, "col", col)
    return location


@dataclass(frozen=True, slots=True)
class Diagnostic:
    location: Location
    severity: Severity
    code: str
    message: str
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.code)


class Diagnostics:
    """A collector the stages append to; it never stops a stage."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, location: Location, code: str, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(location, Severity.ERROR, code, message, hint))

    def warning(self, location: Location, code: str, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(location, Severity.WARNING, code, message, hint))

    def note(self, location: Location, code: str, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(location, Severity.NOTE, code, message, hint))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def summary(diagnostics: list[Diagnostic]) -> str:
    """'1 error, 2 warnings': the problems (notes are none, and are not counted)."""
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def _github_escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(d: Diagnostic, folder: str = "") -> str:
    """A GitHub Actions workflow command: an annotation on the pull request's line.

    ``folder`` is the project's path from the repository root ('' at the root),
    since GitHub places annotations by repository path.
    """
    loc = d.location
    path = f"{folder.rstrip('/')}/{loc.path}" if folder and folder != "." else loc.path
    props = (
        f"file={_github_escape(path, prop=True)},line={loc.line},col={loc.col},"
        f"title={_github_escape(d.code, prop=True)}"
    )
    message = d.message + (f"\n{d.hint}" if d.hint else "")
    command = "notice" if d.severity is Severity.NOTE else d.severity  # GitHub's word for it
    return f"::{command} {props}::{_github_escape(message)}"


def format_json(diagnostics: list[Diagnostic]) -> str:
    rows = []
    for d in diagnostics:
        row = asdict(d)
        row.update(row.pop("location"))
        row["severity"] = str(d.severity)
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False)

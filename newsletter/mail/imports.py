"""Importing subscribers from another service's CSV export into the private files.

Reads the exports of Mailchimp (the audience export's subscribed, unsubscribed
and cleaned files, or a contacts export with an Email Marketing status column),
listmonk (the subscribers export), Buttondown (the subscribers export) and
newsletter's own ``email,name,member,status`` file. The format is told from the
header row unless it is given. Nothing here prints or asks: the command does.

Whoever the export says left or bounced goes on the suppression list (appended
to, through :func:`~newsletter.mail.subscribers.suppress`, before anything
else is written); everyone else who is new is appended to the subscribers file.
That file is merged, never replaced: every existing row is kept as written, in
its order, but for a name filled in where one was empty (and a ``name`` or
``member`` column added to the header if the file has none); the new file
replaces the old one atomically. A bad row is a diagnostic at its line in the
export, and the import goes on.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.errors import ProjectError
from newsletter.core.model import Config
from newsletter.load.private import subscribers_path
from newsletter.mail.formats import FORMATS
from newsletter.mail.subscribers import (
    address_key,
    clean_name,
    decode_csv,
    load_suppressed,
    normalize_address,
    suppress,
)
from newsletter.project.sources import Project

SUBSCRIBER_FIELDS = ("email", "name", "member", "status")
"""The header of a subscribers file this module creates."""

_LABELS = {
    "mailchimp": "Mailchimp",
    "listmonk": "listmonk",
    "buttondown": "Buttondown",
    "newsletter": "newsletter",
}


@dataclass(frozen=True)
class _Decision:
    """What a status in an export means here: add, suppress (why), or skip (why)."""

    suppress: str = ""
    skip: str = ""


_ADD = _Decision()

# What each service's statuses mean. Buttondown's types are its API's SubscriberType:
# the unconfirmed and the flagged are neither added nor suppressed, since nothing says
# they asked to leave and nothing says they asked to come.
_STATUSES: dict[str, dict[str, _Decision]] = {
    "mailchimp": {
        "subscribed": _ADD,
        "unsubscribed": _Decision(suppress="unsubscribed"),
        "cleaned": _Decision(suppress="bounced"),
        "pending": _Decision(skip="never confirmed their subscription in Mailchimp"),
        "non-subscribed": _Decision(skip="not subscribed to email in Mailchimp"),
        "transactional": _Decision(skip="not subscribed to email in Mailchimp"),
        "archived": _Decision(skip="archived in Mailchimp"),
    },
    "listmonk": {
        "enabled": _ADD,
        "blocklisted": _Decision(suppress="blocklisted"),
        "disabled": _Decision(skip="disabled in listmonk"),
    },
    "buttondown": {
        **dict.fromkeys(
            ("regular", "premium", "trialed", "unpaid", "gifted", "churning", "paused", "past_due"),
            _ADD,
        ),
        "unsubscribed": _Decision(suppress="unsubscribed"),
        "removed": _Decision(suppress="removed"),
        "unactivated": _Decision(skip="never confirmed their subscription in Buttondown"),
        "spammy": _Decision(skip="flagged as spam by Buttondown"),
    },
    "newsletter": {
        "": _ADD,
        "active": _ADD,
        "subscribed": _ADD,
        "unsubscribed": _Decision(suppress="unsubscribed"),
        "bounced": _Decision(suppress="bounced"),
        "cleaned": _Decision(suppress="bounced"),
    },
}

_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "mailchimp": (("email address",),),
    "listmonk": (("email",), ("status",)),
    "buttondown": (("email", "email_address"), ("subscriber_type", "type")),
    "newsletter": (("email",),),
}
"""The columns each format must have: one of each inner tuple."""


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    added: list[str] = field(default_factory=list)
    """Addresses appended to the subscribers file, in the export's order."""
    updated: list[str] = field(default_factory=list)
    """Existing subscribers whose empty name was filled from the export."""
    unchanged: int = 0
    """Rows already there: subscribed already, or suppressed already."""
    suppressed: list[str] = field(default_factory=list)
    """Addresses newly put on the suppression list."""
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """(line in the export, why) for each row neither added nor suppressed."""
    source_format: str = ""
    """The format the export was read as: one of FORMATS."""


@dataclass(frozen=True)
class _Row:
    """One subscriber as an export gives them, whatever the service."""

    line: int
    email: str
    name: str = ""
    member: str = ""
    status: str = ""
    """The export's own word for their standing, lower-cased: a key of _STATUSES[format]."""


def import_subscribers(
    project: Project,
    config: Config,
    source: Path,
    diags: Diagnostics,
    *,
    source_format: str = "auto",
) -> ImportReport:
    """Merge the export ``source`` into the subscribers file and the suppression list.

    ``source_format`` is ``auto`` (told from the header) or one of FORMATS. An export
    that cannot be read, or whose format is unknown, is a ProjectError; a bad row is a
    diagnostic and is skipped.
    """
    shown = project.relative(source)
    columns, records = _read_export(source, shown)
    fmt = _choose_format(source_format, columns, shown)
    report = ImportReport(source_format=fmt)
    wanted, leaving = _sort_rows(fmt, columns, records, shown, diags, report)
    # Suppressions first, on disk before the subscribers file changes: whoever asked
    # to leave stays left even if the rest of the import fails.
    suppressed = _suppress_leavers(project, config, leaving, source, report)
    _add_newcomers(project, config, wanted, suppressed, source, report)
    return report


def _sort_rows(
    fmt: str,
    columns: list[str],
    records: list[tuple[int, dict[str, str]]],
    shown: str,
    diags: Diagnostics,
    report: ImportReport,
) -> tuple[list[_Row], list[tuple[_Row, str]]]:
    """The rows to add if new, and those to suppress (with the reason); the others are
    skipped, in the report, and a bad one is a diagnostic too."""
    statuses = _STATUSES[fmt]
    wanted: list[_Row] = []
    leaving: list[tuple[_Row, str]] = []
    for line, record in records:
        row = _READERS[fmt](line, record, columns)
        where = Location(shown, line)
        decision = statuses.get(row.status)
        if decision is None:
            diags.warning(
                where,
                "subscriber.status",
                f"unknown {_LABELS[fmt]} status {row.status!r}; the row is skipped",
                f"known statuses: {', '.join(s for s in statuses if s)}",
            )
            report.skipped.append((line, f"unknown status {row.status!r}"))
            continue
        if decision.skip:
            report.skipped.append((line, f"{row.email}: {decision.skip}"))
            continue
        try:
            email = normalize_address(row.email)
        except ValueError as err:
            diags.error(
                where,
                "subscriber.email",
                f"{row.email!r} is not a valid email address: {err}",
                "fix the row in the export and import it again; the other rows are imported",
            )
            report.skipped.append((line, f"{row.email!r} is not a valid email address"))
            continue
        row = _Row(line, email, row.name, row.member, row.status)
        if decision.suppress:
            leaving.append((row, decision.suppress))
        else:
            wanted.append(row)
    return wanted, leaving


def _suppress_leavers(
    project: Project,
    config: Config,
    leaving: list[tuple[_Row, str]],
    source: Path,
    report: ImportReport,
) -> dict[str, str]:
    """Whoever the export says left, on the suppression list; returns the whole list
    (address key → reason)."""
    suppressed = load_suppressed(project, config)
    for row, reason in leaving:
        key = address_key(row.email)
        if key not in suppressed and suppress(
            project, config, row.email, reason, f"import: {source.name}"
        ):
            report.suppressed.append(row.email)
            suppressed[key] = reason
        else:
            report.unchanged += 1
    return suppressed


def _add_newcomers(
    project: Project,
    config: Config,
    wanted: list[_Row],
    suppressed: dict[str, str],
    source: Path,
    report: ImportReport,
) -> None:
    """Who is new, appended to the subscribers file; an empty name filled in for who is
    already there; no one who is on the suppression list."""
    path = subscribers_path(project, config)
    subscribers = _SubscribersFile.read(path, project.relative(path))
    first_line: dict[str, int] = {}
    for row in wanted:
        key = address_key(row.email)
        if key in first_line:
            report.skipped.append(
                (row.line, f"{row.email} is already on line {first_line[key]} of {source.name}")
            )
            continue
        first_line[key] = row.line
        if subscribers.has(key):
            if row.name and subscribers.fill_name(key, row.name):
                report.updated.append(row.email)
            else:
                report.unchanged += 1
        elif key in suppressed:
            why = suppressed[key] or "suppressed"
            report.skipped.append((row.line, f"{row.email} is on the suppression list ({why})"))
        else:
            subscribers.add(row.email, row.name, row.member)
            report.added.append(row.email)
    if subscribers.changed:
        subscribers.write(path, project.relative(path))


# -- reading an export ------------------------------------------------------------


def _read_export(source: Path, shown: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The export's column names (stripped, lower-cased) and its non-blank (line, row)s."""
    try:
        text = decode_csv(source.read_bytes(), shown)
    except FileNotFoundError as err:
        raise ProjectError(f"no file at {shown}") from err
    except OSError as err:
        raise ProjectError(f"cannot read {shown}: {err}") from err
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ProjectError(f"{shown} is empty: an export starts with a line naming its columns")
        columns = [h.strip().lower() for h in header]
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                row: dict[str, str] = {}
                for name, value in zip(columns, cells, strict=False):
                    if name:
                        row.setdefault(name, value.strip())  # a repeated column: the first
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as err:
        raise ProjectError(f"{shown}:{reader.line_num}: not a CSV file: {err}") from err
    return columns, rows


def detect_format(columns: list[str]) -> str | None:
    """Which service wrote a CSV with these (lower-cased) columns; None if none we know."""
    names = set(columns) - {""}
    if "email address" in names:
        return "mailchimp"
    if {"uuid", "email", "status"} <= names:
        return "listmonk"
    if names & {"email", "email_address"} and names & {"subscriber_type", "type"}:
        return "buttondown"
    if "email" in names and names <= set(SUBSCRIBER_FIELDS):
        return "newsletter"
    return None


def _choose_format(source_format: str, columns: list[str], shown: str) -> str:
    supported = (
        "Mailchimp (audience export), listmonk (subscribers export), Buttondown "
        "(subscribers export) and newsletter's own (email,name,member,status)"
    )
    if source_format == "auto":
        found = detect_format(columns)
        if found is None:
            named = ",".join(columns)
            raise ProjectError(
                f"{shown}: cannot tell which service exported this file from its first line "
                f"({named[:120]}{'…' if len(named) > 120 else ''}); the supported formats are "
                f"{supported}"
            )
        return found
    if source_format not in FORMATS:
        raise ProjectError(
            f"unknown import format {source_format!r}; choose auto, {', '.join(FORMATS)}"
        )
    for choices in _REQUIRED[source_format]:
        if not set(choices) & set(columns):
            raise ProjectError(
                f"{shown} is not a {_LABELS[source_format]} export: it has no "
                f"{' or '.join(repr(c) for c in choices)} column"
            )
    return source_format


_MAILCHIMP_STATUS_COLUMNS = ("email marketing status", "email marketing", "status")
"""Where a Mailchimp export of contacts of every kind says who is subscribed."""


def _mailchimp(line: int, row: dict[str, str], columns: list[str]) -> _Row:
    # The audience export is a zip of three files with the same columns; only the
    # unsubscribed and cleaned ones add UNSUB_* and CLEAN_* columns. An export with a
    # status column says it row by row, and an empty one means not subscribed.
    status_column = next((c for c in _MAILCHIMP_STATUS_COLUMNS if c in columns), None)
    if status_column:
        status = row.get(status_column, "").lower() or "non-subscribed"
    elif "clean_time" in columns:
        status = "cleaned"
    elif "unsub_time" in columns:
        status = "unsubscribed"
    else:
        status = "subscribed"
    first = row.get("first name") or row.get("fname", "")
    last = row.get("last name") or row.get("lname", "")
    return _Row(line, row.get("email address", ""), clean_name(f"{first} {last}"), status=status)


def _listmonk(line: int, row: dict[str, str], columns: list[str]) -> _Row:
    return _Row(line, row.get("email", ""), clean_name(row.get("name", "")), status=_status(row))


def _buttondown(line: int, row: dict[str, str], columns: list[str]) -> _Row:
    email = row.get("email") or row.get("email_address", "")
    status = (row.get("subscriber_type") or row.get("type", "")).lower()
    return _Row(line, email, clean_name(_metadata_name(row.get("metadata", ""))), status=status)


def _newsletter(line: int, row: dict[str, str], columns: list[str]) -> _Row:
    member = row.get("member", "").lstrip("@").lower()
    return _Row(line, row.get("email", ""), clean_name(row.get("name", "")), member, _status(row))


def _status(row: dict[str, str]) -> str:
    return row.get("status", "").lower()


def _metadata_name(metadata: str) -> str:
    """A name from Buttondown's metadata (a JSON object), if it holds one."""
    try:
        data = json.loads(metadata) if metadata.startswith("{") else {}
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = (
        [data.get("name")] if data.get("name") else [data.get("first_name"), data.get("last_name")]
    )
    return " ".join(p for p in parts if isinstance(p, str))


_READERS: dict[str, Callable[[int, dict[str, str], list[str]], _Row]] = {
    "mailchimp": _mailchimp,
    "listmonk": _listmonk,
    "buttondown": _buttondown,
    "newsletter": _newsletter,
}


# -- the subscribers file ---------------------------------------------------------


@dataclass
class _Record:
    """One CSV record of the subscribers file: its text as written, and its cells."""

    text: str
    cells: list[str]


class _SubscribersFile:
    """The subscribers file as written; only the records an import changes are rewritten."""

    def __init__(self, records: list[_Record], eol: str, bom: bool, mode: int | None) -> None:
        self.records = records
        self.eol = eol
        self.bom = bom
        self.mode = mode
        """The file's permissions, kept when it is replaced; None if it is new."""
        self.changed = False
        self.columns = [c.strip().lower() for c in records[0].cells]
        self.keys: dict[str, int] = {}
        email = self.columns.index("email")
        for i, record in enumerate(records[1:], start=1):
            raw = record.cells[email].strip() if email < len(record.cells) else ""
            if not raw:
                continue
            try:
                key = address_key(normalize_address(raw))
            except ValueError:
                key = address_key(raw)
            self.keys.setdefault(key, i)

    @classmethod
    def read(cls, path: Path, shown: str) -> _SubscribersFile:
        try:
            data = path.read_bytes()
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            data, mode = b"", None
        except OSError as err:
            raise ProjectError(f"cannot read {shown}: {err}") from err
        text = decode_csv(data, shown)
        if not text.strip():
            header = _Record(_csv_line(SUBSCRIBER_FIELDS, "\n"), list(SUBSCRIBER_FIELDS))
            return cls([header], "\n", bom=False, mode=mode)
        lines = io.StringIO(text, newline="").readlines()
        reader = csv.reader(lines)
        records: list[_Record] = []
        start = 0
        try:
            for cells in reader:
                records.append(_Record("".join(lines[start : reader.line_num]), cells))
                start = reader.line_num
        except csv.Error as err:
            raise ProjectError(f"{shown}:{reader.line_num}: not a CSV file: {err}") from err
        if "email" not in (c.strip().lower() for c in records[0].cells):
            raise ProjectError(
                f"{shown}:1: the first line must name the columns, with 'email' among "
                "them: email,name,member,status"
            )
        eol = "\r\n" if records[0].text.endswith("\r\n") else "\n"
        return cls(records, eol, bom=data.startswith(b"\xef\xbb\xbf"), mode=mode)

    def has(self, key: str) -> bool:
        return key in self.keys

    def fill_name(self, key: str, name: str) -> bool:
        """Give the subscriber ``key`` this name if theirs is empty; False if it is not."""
        record = self.records[self.keys[key]]
        column = self._column("name")
        if column < len(record.cells) and record.cells[column].strip():
            return False
        record.cells += [""] * (column + 1 - len(record.cells))
        record.cells[column] = name
        record.text = _csv_line(record.cells, self.eol)
        self.changed = True
        return True

    def add(self, email: str, name: str, member: str) -> None:
        values = {"email": email, "name": name, "member": member, "status": "active"}
        for column in ("name", "member"):
            if values[column]:
                self._column(column)
        last = self.records[-1]
        if not last.text.endswith(("\n", "\r")):
            last.text += self.eol
        cells = [values.get(c, "") for c in self.columns]
        self.records.append(_Record(_csv_line(cells, self.eol), cells))
        self.keys[address_key(email)] = len(self.records) - 1
        self.changed = True

    def _column(self, name: str) -> int:
        """The index of a column, added to the header (only) if the file has none."""
        if name not in self.columns:
            header = self.records[0]
            header.cells.append(name)
            header.text = _csv_line(header.cells, self.eol)
            self.columns.append(name)
            self.changed = True
        return self.columns.index(name)

    def write(self, path: Path, shown: str) -> None:
        """Replace the file at once: a reader sees the old file or the new one, never half."""
        text = ("\ufeff" if self.bom else "") + "".join(r.text for r in self.records)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                # mkstemp's file is private (0600): right for a new file; an existing
                # one keeps the permissions its owner gave it.
                if self.mode is not None:
                    os.chmod(temp, self.mode)
                os.replace(temp, path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as err:
            raise ProjectError(f"cannot write {shown}: {err}") from err


def _csv_line(cells: Iterable[str], eol: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerow(cells)
    return out.getvalue()

"""Subscribers and the suppression list: private CSV files, never published.

The subscribers file has a header row with ``email`` and optionally ``name``,
``member`` (a member handle, for their personal part of the email),
``status`` (``active``, the default, or ``unsubscribed``) and ``lang`` (the language
they read the newsletter in, one of newsletter.yaml's ``languages``; the main one when
not given). A bad row is a
diagnostic at its line and is skipped; the others are kept. The same address
twice (the domain compared case-insensitively) is one subscriber.

The suppression list (``email,reason,date,source``) is appended to, never
rewritten: whoever is on it is never mailed again, whatever the subscribers
file says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.errors import ProjectError
from newsletter.core.markup import CONTROL_RE
from newsletter.core.model import Config
from newsletter.load.private import SUBSCRIBERS_ENV, subscribers_path
from newsletter.project.sources import Project

SUPPRESSED_FIELDS = ("email", "reason", "date", "source")
STATUSES = {"active", "subscribed", "unsubscribed", "bounced", "cleaned"}


@dataclass(frozen=True)
class Subscriber:
    email: str
    name: str = ""
    member: str = ""
    location: Location | None = None
    lang: str = ""
    """The language of their email (one of the newsletter's); '' for the main one."""

    @property
    def key(self) -> str:
        return address_key(self.email)


def address_key(email: str) -> str:
    """How two addresses are the same: the local part as written, the domain in any case."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_address(value: str) -> str:
    """A valid address in its normal form (IDN domain as Unicode); ValueError if invalid."""
    value = value.strip()
    if CONTROL_RE.search(value) or any(c in value for c in "\r\n"):
        raise ValueError("it contains a control character or a line break")
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as err:
        raise ValueError(str(err)) from err


def suppressed_path(project: Project, config: Config) -> Path:
    path = Path(config.email.suppressed)
    return path if path.is_absolute() else project.root / path


def decode_csv(data: bytes, shown: str) -> str:
    """A CSV file's bytes as text (UTF-8, with or without a byte order mark); otherwise a
    ProjectError naming the line, and how to save it so. (The line's text is not shown:
    it holds someone's address, and the message may end up in a CI log.)"""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ProjectError(
            f"{shown}:{line}: not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file "
            "as UTF-8 (in Excel: CSV UTF-8; in LibreOffice: character set Unicode (UTF-8))"
        ) from None


def _rows(path: Path, shown: str) -> Iterable[tuple[int, dict[str, str]]]:
    """(line, row) for each data row of a CSV file with a header; keys lower-cased."""
    try:
        text = decode_csv(path.read_bytes(), shown)
    except FileNotFoundError:
        return
    except OSError as err:
        raise ProjectError(f"cannot read {shown}: {err}") from err
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = [f.strip().lower() for f in reader.fieldnames or []]
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def load_subscribers(project: Project, config: Config, diags: Diagnostics) -> list[Subscriber]:
    """Active subscribers, valid and once each, in file order; bad rows are diagnostics."""
    path = subscribers_path(project, config)
    shown = project.relative(path)
    if not path.is_file():
        raise ProjectError(
            f"no subscribers file at {shown}; create it (a CSV with a header 'email,name') "
            f"or set {SUBSCRIBERS_ENV} to its path"
        )
    seen: dict[str, Subscriber] = {}
    header_checked = False
    for line, row in _rows(path, shown):
        if not header_checked:
            header_checked = True
            if "email" not in row:
                raise ProjectError(
                    f"{shown}:1: the first line must name the columns, with 'email' among "
                    "them: email,name,member,status,lang"
                )
        where = Location(shown, line)
        status = row.get("status", "").lower() or "active"
        if status not in STATUSES:
            diags.warning(
                where,
                "subscriber.status",
                f"unknown status {status!r}; the row is skipped",
                "status is active or unsubscribed",
            )
            continue
        if status not in ("active", "subscribed"):
            continue
        try:
            email = normalize_address(row.get("email", ""))
        except ValueError as err:
            diags.error(
                where,
                "subscriber.email",
                f"{row.get('email', '')!r} is not a valid email address: {err}",
                "fix or remove the row; the other subscribers are still sent to",
            )
            continue
        subscriber = Subscriber(
            email,
            clean_name(row.get("name", "")),
            row.get("member", "").lstrip("@").lower(),
            where,
            _lang(row.get("lang", ""), config, where, diags),
        )
        if subscriber.key in seen:
            diags.warning(
                where,
                "subscriber.duplicate",
                f"{email} is already on line {seen[subscriber.key].location.line}"  # type: ignore[union-attr]
                "; sent to once",
                "remove one of the two rows",
            )
            continue
        seen[subscriber.key] = subscriber
    return list(seen.values())


def _lang(lang: str, config: Config, where: Location, diags: Diagnostics) -> str:
    """A subscriber's ``lang``, as one of the newsletter's languages ('fr-CA' reads the
    'fr' edition); '' for the main language, or for one it is not written in (warned)."""
    if not lang:
        return ""
    languages = config.site_languages
    wanted = lang.replace("_", "-")
    found = (
        config.language_named(lang)
        or config.language_named(wanted)
        or config.language_named(wanted.split("-")[0])
    )
    if found is None:
        diags.warning(
            where,
            "subscriber.lang",
            f"lang {lang!r} is not one of the newsletter's languages ({', '.join(languages)}); "
            f"they get the {config.language} edition",
            f"write one of {', '.join(languages)}, or leave the column empty",
        )
        return ""
    return "" if found == config.language else found


def clean_name(name: str) -> str:
    """A display name with no control characters or line breaks, at most 100 characters."""
    return " ".join(CONTROL_RE.sub("", name).split())[:100]


def load_suppressed(project: Project, config: Config) -> dict[str, str]:
    """Address → reason, for everyone who must not be mailed. Keys are lower case: to be
    safe, whoever left as Ada@example.org is not mailed as ada@example.org either."""
    path = suppressed_path(project, config)
    return {
        row["email"].strip().lower(): row.get("reason", "")
        for _, row in _rows(path, project.relative(path))
        if row.get("email")
    }


def suppress(
    project: Project,
    config: Config,
    email: str,
    reason: str,
    source: str,
    when: dt.datetime | None = None,
) -> bool:
    """Add ``email`` to the suppression list; False if it was already there. Appends only."""
    if email.strip().lower() in load_suppressed(project, config):
        return False
    path = suppressed_path(project, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    stamp = (when or clock.now()).replace(microsecond=0).isoformat()
    with path.open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        if new:
            writer.writerow(SUPPRESSED_FIELDS)
        writer.writerow([email.strip(), reason, stamp, clean_name(source)])
        out.flush()
        os.fsync(out.fileno())  # whoever asked to leave stays left, even after a crash
    return True

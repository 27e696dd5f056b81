"""Importing other services' subscriber exports: merged, suppressed, never losing a row."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest

from newsletter.core.diagnostics import Diagnostics
from newsletter.core.errors import ProjectError
from newsletter.core.model import Config
from newsletter.mail.imports import ImportReport, detect_format, import_subscribers
from newsletter.mail.subscribers import load_subscribers
from newsletter.project.sources import Project

from support.helpers import CONFIG as CONFIG_YAML
from support.helpers import write

CONFIG = Config("Test Exchange", "https://news.example.org/")

MAILCHIMP_COLUMNS = (
    '"Email Address","First Name","Last Name","Address","Phone Number",MEMBER_RATING,'
    "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,"
    "CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS"
)
MAILCHIMP_SUBSCRIBED = (
    "\ufeff" + MAILCHIMP_COLUMNS + "\r\n"
    'ada@example.org,Ada,"King, Countess of Lovelace","12 Mill Lane, Harbourton  HB1 2AA  GB",'
    ',2,"2024-03-01 10:12:03",,"2024-03-01 10:14:44",203.0.113.7,,,,,,GB,,'
    '"2024-03-01 10:14:44",48211507,7a1c9d2e11,,"""founding"",""harbourton"""\r\n'
    "grace@Navy.Example.org,Grace,Hopper,,,3,,,2024-03-02 09:00:00,,,,,,,,,"
    "2024-03-02 09:00:00,48211508,7a1c9d2e12,,\r\n"
    "not an address,Someone,Else,,,1,,,,,,,,,,,,,48211509,7a1c9d2e13,,\r\n"
    "grace@navy.example.org,Grace,Hopper,,,3,,,,,,,,,,,,,48211510,7a1c9d2e14,,\r\n"
    "linus@example.com,,,,,2,,,,,,,,,,,,,48211511,7a1c9d2e15,,\r\n"
    "mei@example.net,Mei Lin,Zhou,,,2,,,,,,,,,,,,,48211512,7a1c9d2e16,,\r\n"
)
MAILCHIMP_UNSUBSCRIBED = (
    "\ufeff"
    + MAILCHIMP_COLUMNS.replace(
        "LAST_CHANGED,", "UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,"
    )
    + "\r\n"
    'oskar@example.org,Oskar,Lindqvist,,,2,,,,,,,,,,,,"2025-01-09 08:00:00",'
    '"Edition 4, January",a1b2c3,"No longer interested",,\r\n'
)
MAILCHIMP_CLEANED = (
    MAILCHIMP_COLUMNS.replace("LAST_CHANGED,", "CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,")
    + "\n"
    "gone@defunct.example.org,,,,,1,,,,,,,,,,,,2025-02-01 00:00:00,Edition 5,d4e5f6,,\n"
)
LISTMONK = (
    "uuid,email,name,attributes,status,created_at,updated_at\n"
    "5e9c8f2a-0f6b-4d7e-9a51-3c2b1d0e9f87,priya@example.org,Priya Raman,"
    '"{""org"": ""Harbourton General"", ""topics"": [""dbt"", ""sql""]}",enabled,'
    "2024-05-01 10:00:00.000000+00:00,2024-05-01 10:00:00.000000+00:00\n"
    "9d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6,felix@example.org,Felix Brandt,{},blocklisted,"
    "2024-05-02 10:00:00.000000+00:00,2025-01-02 10:00:00.000000+00:00\n"
    "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d,paused@example.org,,{},disabled,"
    "2024-05-03 10:00:00.000000+00:00,2024-05-03 10:00:00.000000+00:00\n"
    '1b2c3d4e-5f6a-7b8c-9d0e-1f2a3b4c5d6e,jo@example.org,"MacLeod, Jo",{},enabled,'
    "2024-05-04 10:00:00.000000+00:00,2024-05-04 10:00:00.000000+00:00\n"
)
BUTTONDOWN = (
    "email,notes,metadata,tags,referrer_url,creation_date,secondary_id,subscriber_type,source\n"
    'rosa@example.org,"met at the hack night, June",'
    '"{""name"": ""Rosa Kowalczyk""}","[""civic-tech""]",,2024-06-25T19:00:00Z,11,regular,'
    "import\n"
    'kwame@example.org,,"{""first_name"": ""Kwame"", ""last_name"": ""Boateng""}",[],,'
    "2024-06-26T09:00:00Z,12,premium,api\n"
    "left@example.org,,{},[],,2024-06-27T09:00:00Z,13,unsubscribed,form\n"
    "kicked@example.org,,{},[],,2024-06-27T09:00:00Z,14,removed,form\n"
    "pending@example.org,,{},[],,2024-06-28T09:00:00Z,15,unactivated,form\n"
    "bot@example.org,,{},[],,2024-06-28T09:00:00Z,16,spammy,form\n"
    "odd@example.org,,{},[],,2024-06-28T09:00:00Z,17,mystery,form\n"
)


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSLETTER_SUBSCRIBERS", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    write(tmp_path, "newsletter.yaml", CONFIG_YAML)
    return Project(tmp_path)


def _import(
    project: Project, name: str, text: str, source_format: str = "auto"
) -> tuple[ImportReport, Diagnostics]:
    source = project.root / "exports" / name
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(text.encode("utf-8"))
    diags = Diagnostics()
    report = import_subscribers(project, CONFIG, source, diags, source_format=source_format)
    return report, diags


def _subscribers(project: Project) -> str:
    return (project.root / "private/subscribers.csv").read_bytes().decode("utf-8")


def _suppressed(project: Project) -> list[tuple[str, str, str]]:
    """(email, reason, source) of each row: the date is the clock's."""
    path = project.root / "private/suppressed.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [(r["email"], r["reason"], r["source"]) for r in rows]


def test_mailchimp_merges_into_an_existing_file_keeping_every_row(project: Project) -> None:
    existing = (
        "email,name,member,status\n"
        "linus@example.com,,,active\n"  # no name, none in the export either
        "mei@example.net,,meilin,active\n"  # no name: filled
        "ada@EXAMPLE.org,Ada Lovelace,ada,active\n"  # already here, with her own name
        "oops-not-an-address,Kept,,active\n"  # invalid, but never ours to drop
        '"sam@example.org","Sam ""the map"" Whitfield",sam,unsubscribed\n'
    )
    write(project.root, "private/subscribers.csv", existing)

    report, diags = _import(project, "subscribed_members_export_1a2b3c.csv", MAILCHIMP_SUBSCRIBED)

    assert report.source_format == "mailchimp"
    assert report.added == ["grace@navy.example.org"]
    assert report.updated == ["mei@example.net"]
    assert report.unchanged == 2  # ada (named already) and linus (no name either side)
    assert report.suppressed == []
    assert report.skipped == [
        (4, "'not an address' is not a valid email address"),
        (5, "grace@navy.example.org is already on line 3 of subscribed_members_export_1a2b3c.csv"),
    ]
    assert _subscribers(project) == (
        "email,name,member,status\n"
        "linus@example.com,,,active\n"
        "mei@example.net,Mei Lin Zhou,meilin,active\n"
        "ada@EXAMPLE.org,Ada Lovelace,ada,active\n"
        "oops-not-an-address,Kept,,active\n"
        '"sam@example.org","Sam ""the map"" Whitfield",sam,unsubscribed\n'
        "grace@navy.example.org,Grace Hopper,,active\n"
    )
    [error] = diags.items
    assert (error.code, str(error.location), error.is_error) == (
        "subscriber.email",
        "exports/subscribed_members_export_1a2b3c.csv:4:1",
        True,
    )
    assert "'not an address'" in error.message


def test_mailchimp_into_a_new_file_with_quoted_commas_and_a_bom(project: Project) -> None:
    report, _ = _import(project, "subscribed.csv", MAILCHIMP_SUBSCRIBED)

    assert report.added == [
        "ada@example.org",
        "grace@navy.example.org",
        "linus@example.com",
        "mei@example.net",
    ]
    assert _subscribers(project) == (
        "email,name,member,status\n"
        'ada@example.org,"Ada King, Countess of Lovelace",,active\n'
        "grace@navy.example.org,Grace Hopper,,active\n"
        "linus@example.com,,,active\n"
        "mei@example.net,Mei Lin Zhou,,active\n"
    )
    path = project.root / "private/subscribers.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a new private file is private
    assert not list(path.parent.glob(".*.tmp"))


def test_mailchimp_unsubscribed_and_cleaned_exports_are_suppressed(project: Project) -> None:
    write(project.root, "private/subscribers.csv", "email,name\noskar@example.org,Oskar\n")

    unsub, _ = _import(project, "unsubscribed_members_export_1a2b3c.csv", MAILCHIMP_UNSUBSCRIBED)
    cleaned, _ = _import(project, "cleaned_members_export_1a2b3c.csv", MAILCHIMP_CLEANED)

    assert (unsub.suppressed, unsub.added) == (["oskar@example.org"], [])
    assert (cleaned.suppressed, cleaned.added) == (["gone@defunct.example.org"], [])
    assert _suppressed(project) == [
        ("oskar@example.org", "unsubscribed", "import: unsubscribed_members_export_1a2b3c.csv"),
        ("gone@defunct.example.org", "bounced", "import: cleaned_members_export_1a2b3c.csv"),
    ]
    # Oskar's row stays (the suppression list is what keeps him from being mailed)
    assert _subscribers(project) == "email,name\noskar@example.org,Oskar\n"


def test_a_mailchimp_export_with_a_status_column_is_read_row_by_row(project: Project) -> None:
    text = (
        '"Email Address","First Name","Last Name","Email Marketing",TAGS\n'
        "in@example.org,In,,Subscribed,\n"
        "out@example.org,Out,,Unsubscribed,\n"
        "bounced@example.org,,,Cleaned,\n"
        "shopper@example.org,,,,\n"
        "waiting@example.org,,,Pending,\n"
    )
    report, _ = _import(project, "contacts.csv", text)
    assert report.added == ["in@example.org"]
    assert report.suppressed == ["out@example.org", "bounced@example.org"]
    assert report.skipped == [
        (5, "shopper@example.org: not subscribed to email in Mailchimp"),
        (6, "waiting@example.org: never confirmed their subscription in Mailchimp"),
    ]


def test_listmonk_creates_the_file_and_its_folder(project: Project) -> None:
    report, diags = _import(project, "subscribers.csv", LISTMONK)

    assert report.source_format == "listmonk"
    assert report.added == ["priya@example.org", "jo@example.org"]
    assert report.suppressed == ["felix@example.org"]
    assert report.skipped == [(4, "paused@example.org: disabled in listmonk")]
    assert not diags.items
    assert _subscribers(project) == (
        "email,name,member,status\n"
        "priya@example.org,Priya Raman,,active\n"
        'jo@example.org,"MacLeod, Jo",,active\n'
    )
    assert _suppressed(project) == [("felix@example.org", "blocklisted", "import: subscribers.csv")]
    loaded = load_subscribers(project, CONFIG, diags)
    assert [(s.email, s.name) for s in loaded] == [
        ("priya@example.org", "Priya Raman"),
        ("jo@example.org", "MacLeod, Jo"),
    ]
    assert not diags.items


def test_buttondown_types_decide_who_is_added_suppressed_or_skipped(project: Project) -> None:
    report, diags = _import(project, "buttondown-export.csv", BUTTONDOWN)

    assert report.source_format == "buttondown"
    assert report.added == ["rosa@example.org", "kwame@example.org"]
    assert report.suppressed == ["left@example.org", "kicked@example.org"]
    assert report.skipped == [
        (6, "pending@example.org: never confirmed their subscription in Buttondown"),
        (7, "bot@example.org: flagged as spam by Buttondown"),
        (8, "unknown status 'mystery'"),
    ]
    [warning] = diags.items
    assert (warning.code, warning.location.line, warning.is_error) == (
        "subscriber.status",
        8,
        False,
    )
    assert _subscribers(project) == (
        "email,name,member,status\n"
        "rosa@example.org,Rosa Kowalczyk,,active\n"
        "kwame@example.org,Kwame Boateng,,active\n"
    )
    assert _suppressed(project) == [
        ("left@example.org", "unsubscribed", "import: buttondown-export.csv"),
        ("kicked@example.org", "removed", "import: buttondown-export.csv"),
    ]


def test_buttondown_newer_columns_email_address_and_type(project: Project) -> None:
    text = (
        "id,email_address,creation_date,type,notes,metadata,tags\n"
        "a1,ines@example.org,2025-01-01,regular,,{},[]\n"
        "a2,gone@example.org,2025-01-01,unsubscribed,,{},[]\n"
    )
    report, _ = _import(project, "export.csv", text)
    assert (report.source_format, report.added, report.suppressed) == (
        "buttondown",
        ["ines@example.org"],
        ["gone@example.org"],
    )


def test_our_own_format_keeps_member_handles_and_statuses(project: Project) -> None:
    text = (
        "email,name,member,status\n"
        "ben@example.org,Ben Harrow,@Ben,active\n"
        "zainab@example.org,Zainab Okafor,,\n"
        "left@example.org,Left,,unsubscribed\n"
        "bounced@example.org,,,cleaned\n"
    )
    report, _ = _import(project, "old-subscribers.csv", text)
    assert report.source_format == "newsletter"
    assert _subscribers(project) == (
        "email,name,member,status\n"
        "ben@example.org,Ben Harrow,ben,active\n"
        "zainab@example.org,Zainab Okafor,,active\n"
    )
    assert [(e, r) for e, r, _ in _suppressed(project)] == [
        ("left@example.org", "unsubscribed"),
        ("bounced@example.org", "bounced"),
    ]


def test_importing_twice_changes_nothing(project: Project) -> None:
    write(project.root, "private/subscribers.csv", "email,name\r\nada@example.org,\r\n")
    for name, text in (("s.csv", MAILCHIMP_SUBSCRIBED), ("u.csv", MAILCHIMP_UNSUBSCRIBED)):
        _import(project, name, text)
    path = project.root / "private/subscribers.csv"
    before = path.read_bytes()
    suppressed_before = (project.root / "private/suppressed.csv").read_bytes()
    os.utime(path, (1_000_000_000, 1_000_000_000))

    again, _ = _import(project, "s.csv", MAILCHIMP_SUBSCRIBED)
    unsub_again, _ = _import(project, "u.csv", MAILCHIMP_UNSUBSCRIBED)

    assert (again.added, again.updated, again.suppressed) == ([], [], [])
    assert again.unchanged == 4
    assert (unsub_again.suppressed, unsub_again.unchanged) == ([], 1)
    assert path.read_bytes() == before
    assert path.stat().st_mtime == 1_000_000_000  # not even rewritten
    assert (project.root / "private/suppressed.csv").read_bytes() == suppressed_before


def test_what_is_written_stays_as_written(project: Project) -> None:
    """CRLF, a BOM, extra columns, a multi-line cell, no final newline: all kept."""
    existing = (
        "\ufeffEmail,Notes\r\n"
        'ada@example.org,"met at the\r\nopen data day"\r\n'
        "\r\n"
        "linus@example.com,"
    )
    write(project.root, "private/subscribers.csv", existing)
    mode = 0o640
    os.chmod(project.root / "private/subscribers.csv", mode)

    _import(project, "s.csv", MAILCHIMP_SUBSCRIBED)

    path = project.root / "private/subscribers.csv"
    assert path.read_bytes().decode("utf-8") == (
        "\ufeffEmail,Notes,name\r\n"
        'ada@example.org,"met at the\r\nopen data day","Ada King, Countess of Lovelace"\r\n'
        "\r\n"
        "linus@example.com,\r\n"
        "grace@navy.example.org,,Grace Hopper\r\n"
        "mei@example.net,,Mei Lin Zhou\r\n"
    )
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_suppressed_address_is_not_added_back(project: Project) -> None:
    write(
        project.root,
        "private/suppressed.csv",
        "email,reason,date,source\nLinus@Example.COM,unsubscribed,2025-01-01T00:00:00+00:00,x\n",
    )
    report, _ = _import(project, "s.csv", MAILCHIMP_SUBSCRIBED)
    assert "linus@example.com" not in report.added
    assert (6, "linus@example.com is on the suppression list (unsubscribed)") in report.skipped
    assert "linus" not in _subscribers(project).lower()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (MAILCHIMP_COLUMNS, "mailchimp"),
        ('"Email Address","First Name","Last Name",UNSUB_TIME', "mailchimp"),
        ("uuid,email,name,attributes,status,created_at,updated_at", "listmonk"),
        ("email,notes,metadata,tags,creation_date,subscriber_type", "buttondown"),
        ("id,email_address,creation_date,type", "buttondown"),
        ("email", "newsletter"),
        ("Email , Name,Member,STATUS", "newsletter"),
        ("e-mail,name", None),
        ("email,phone", None),
    ],
)
def test_the_format_is_told_from_the_header(header: str, expected: str | None) -> None:
    columns = [c.strip().strip('"').lower() for c in header.split(",")]
    assert detect_format(columns) == expected


def test_an_unknown_header_is_refused_with_the_formats_we_know(project: Project) -> None:
    with pytest.raises(ProjectError) as caught:
        _import(project, "contacts.csv", "Name,E-mail,Phone\nAda,ada@example.org,\n")
    message = str(caught.value)
    assert "exports/contacts.csv" in message
    for name in ("Mailchimp", "listmonk", "Buttondown", "email,name,member,status"):
        assert name in message
    assert not (project.root / "private").exists()


def test_a_given_format_must_fit_the_file(project: Project) -> None:
    with pytest.raises(ProjectError, match="not a listmonk export: it has no 'email' column"):
        _import(project, "s.csv", MAILCHIMP_SUBSCRIBED, source_format="listmonk")
    with pytest.raises(ProjectError, match="unknown import format 'substack'"):
        _import(project, "s.csv", MAILCHIMP_SUBSCRIBED, source_format="substack")
    report, _ = _import(project, "l.csv", LISTMONK, source_format="listmonk")
    assert report.source_format == "listmonk"


def test_a_subscribers_file_without_an_email_column_is_left_alone(project: Project) -> None:
    write(project.root, "private/subscribers.csv", "address,name\nada@example.org,Ada\n")
    with pytest.raises(ProjectError, match="'email' among them"):
        _import(project, "l.csv", LISTMONK)
    assert _subscribers(project) == "address,name\nada@example.org,Ada\n"


def test_the_command_line_imports_and_reports(tmp_path: Path) -> None:
    from support.cli import run
    from support.helpers import project as make_project

    root = make_project(tmp_path / "p")
    export = write(tmp_path, "listmonk.csv", LISTMONK)
    first = run("subscribers", "import", str(export), cwd=root)
    assert first.exit_code == 0, first.output
    assert "✓ listmonk export:" in first.output and " added" in first.output
    assert (root / "private/subscribers.csv").is_file()
    again = run("subscribers", "import", str(export), "--format", "listmonk", cwd=root)
    assert again.exit_code == 0 and ": 0 added" in again.output
    wrong = run("subscribers", "import", str(export), "--format", "mailchimp", cwd=root)
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output

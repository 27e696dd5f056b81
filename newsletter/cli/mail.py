"""Sending: send, unsubscribe, subscribers import, mailbox."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsletter.cli.app import (
    App,
    fail,
    hold_lock,
    main,
    parse_date,
    print_diagnostics,
    print_table,
    today_option,
)
from newsletter.cli.output import counted
from newsletter.core.diagnostics import Diagnostics
from newsletter.mail.formats import FORMATS as IMPORT_FORMATS

if TYPE_CHECKING:
    from rich.table import Table

    from newsletter.mail.campaign import Pacing, SendReport
    from newsletter.mail.send import Plan
    from newsletter.mail.smtp import Reply, SmtpSettings

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
    from newsletter.mail.campaign import campaign_status, pacing_for
    from newsletter.mail.send import edition_number, plan_send
    from newsletter.mail.smtp import SmtpSettings

    project = app.project()
    if show_status:
        number = edition_number(project, edition, parse_date(today, "--today"))
        counts = campaign_status(project, str(number))
        print_table(app.out, status_table(number, counts))
        return
    settings = None
    if dry_folder is None and test_address is None:
        hold_lock(project, "send")
        settings = SmtpSettings.from_env()  # before building: fail fast without a server
    the_plan = plan_send(
        project, edition, parse_date(today, "--today"), need_subscribers=test_address is None
    )
    print_diagnostics(app.err, the_plan.diagnostics)
    if dry_folder is not None:
        write_dry_run(app, the_plan, dry_folder)
    elif test_address is not None:
        send_test_copy(app, the_plan, test_address)
    else:
        assert settings is not None
        confirm(the_plan, settings, yes)
        pacing = pacing_for(
            the_plan, per_second=per_second, connections=connections, retry_wait=retry_wait
        )
        send_to_everyone(app, the_plan, settings, pacing, force)


def send_to_everyone(
    app: App, the_plan: Plan, settings: SmtpSettings, pacing: Pacing, force: bool
) -> None:
    """The campaign and its report; exit status 1 when some are left for the next send."""
    report = run_campaign(app, the_plan, settings, pacing, force)
    print_report(app, report)
    if not report.finished:
        sys.exit(1)


def write_dry_run(app: App, the_plan: Plan, folder: Path) -> None:
    from rich.text import Text

    from newsletter.mail.send import dry_run

    written = dry_run(the_plan, folder)
    app.out.print(
        Text.assemble(
            ("✓ ", "green"),
            f"wrote {counted(len(written), 'message')} of edition {the_plan.edition.number} "
            f"to {folder}/ ",
            (f"({len(the_plan.suppressed)} suppressed)", "dim"),
        ),
        highlight=False,
    )


def send_test_copy(app: App, the_plan: Plan, address: str) -> None:
    from newsletter.mail.send import send_test
    from newsletter.mail.smtp import SmtpSettings

    answer = send_test(the_plan, address, SmtpSettings.from_env())
    if answer.kind != "sent":
        fail(f"the server did not take the test message: {answer}", 1)
    number = the_plan.edition.number
    app.out.print(f"✓ sent a test copy of edition {number} to {address}", highlight=False)


def confirm(the_plan: Plan, settings: SmtpSettings, yes: bool) -> None:
    """Ask before mailing everyone; off a terminal, only --yes goes on."""
    question = (
        f"Send edition {the_plan.edition.number} “{the_plan.edition.view.edition.title}” to "
        f"{counted(len(the_plan.recipients), 'subscriber')} via {settings}?"
    )
    if not yes:
        if not sys.stdin.isatty():
            fail(f"{question} Not on a terminal: add --yes to confirm.")
        click.confirm(question, abort=True)


def print_report(app: App, report: SendReport) -> None:
    from rich.text import Text

    counts = report.counts
    print_table(app.out, status_table(report.edition, counts))
    for email, why in report.failures[:20]:
        app.err.print(f"  failed: {email}: {why}", highlight=False)
    mark, style = ("✓", "green") if report.finished else ("!", "yellow")
    app.out.print(
        Text.assemble(
            (f"{mark} ", style),
            f"edition {report.edition}: {counts['sent']:,} sent, {counts['failed']} failed, "
            f"{counts['temp_failed']} to retry, {counts['suppressed']} suppressed "
            f"in {report.seconds:.1f} s ({report.rate:.0f}/s)",
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


def run_campaign(
    app: App, the_plan: Plan, settings: SmtpSettings, pacing: Pacing, force: bool
) -> SendReport:
    """The campaign, with a progress bar on a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    from newsletter.mail.campaign import send_campaign

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

    def sent(email: str, answer: Reply) -> None:
        bar.advance(task)
        done = bar.tasks[0].completed
        bar.update(task, rate=f"{done / max(time.monotonic() - started, 1e-9):.1f}/s")

    with bar:
        return send_campaign(the_plan, settings, pacing, force=force, on_start=start, on_sent=sent)


def status_table(number: int, counts: dict[str, int]) -> Table:
    from rich.table import Table

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
    from rich.text import Text

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
    from rich.table import Table
    from rich.text import Text

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
            f"{counted(len(report.items), 'message')} read: {verb} {len(report.suppressed)}, "
            f"{len(report.already)} already suppressed, {report.skipped} not for the list",
        ),
        highlight=False,
    )

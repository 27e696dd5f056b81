"""What the sharing says: contacts (the ledger), network, and asks (who answered them,
who could help with those still open)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from newsletter.cli.app import App, NamedChoice, main, parse_date, post_kinds, today_option
from newsletter.cli.output import csv_text, emit_rows, format_option, print_rows

if TYPE_CHECKING:
    from rich.console import Console

    from newsletter.analysis.report import Section
    from newsletter.core.model import Site


def _sections() -> list[str]:
    from newsletter.analysis.report import SECTIONS

    return [*SECTIONS, "all"]


def _site(app: App, today: str | None) -> Site:
    """The newsletter in memory as of --today; its errors stop the command (they raise
    BuildFailed, as they stop a build) and its warnings are not shown."""
    from newsletter import api

    return api.site(app.project(), parse_date(today, "--today"))[0]


@main.command("contacts")
@click.option("--member", metavar="HANDLE", help="Only the shares this member took part in.")
@click.option("--since", metavar="DATE", help="Only shares on or after DATE (YYYY-MM-DD).")
@click.option("--kind", type=NamedChoice(post_kinds), help="Only this kind.")
@click.option("--summary", is_flag=True, help="One line per member instead of one per share.")
@format_option(["text", "json", "csv"], "text: an aligned table; json or csv for other tools.")
@today_option
@click.pass_obj
def contacts_command(
    app: App,
    member: str | None,
    since: str | None,
    kind: str | None,
    summary: bool,
    fmt: str,
    today: str | None,
) -> None:
    """The contact ledger: who shared what, for whom, via whom, introducing whom.

    \b
    Example:
      newsletter contacts --member ada --since 2026-06-01
      newsletter contacts --summary --format csv > members.csv
    """
    from newsletter.analysis import contacts
    from newsletter.core.model import Kind

    site = _site(app, today)
    if member:
        contacts.check_member(site, member)
    if summary:
        found = contacts.summaries(site, member)
        emit_rows(app.out, fmt, contacts.summary_table(found), contacts.records(found))
        return
    shares = contacts.events(
        site, member, parse_date(since, "--since"), Kind(kind) if kind else None
    )
    emit_rows(app.out, fmt, contacts.event_table(shares, site.members), contacts.records(shares))
    if fmt == "text":
        app.out.print(f"{len(shares)} share{'' if len(shares) == 1 else 's'}", highlight=False)


@main.command("network")
@click.option(
    "--section",
    type=NamedChoice(_sections),
    default="all",
    show_default=True,
    help="Show one part of the report.",
)
@click.option("--dormant-months", type=click.IntRange(1), help="Override network.dormant_months.")
@click.option("--half-life-days", type=click.IntRange(1), help="Override network.half_life_days.")
@click.option("--suggestions", type=click.IntRange(0), help="Override network.suggestions.")
@click.option("--brokers", type=click.IntRange(0), help="Override network.brokers.")
@format_option(["text", "json"], "text: tables; json for other tools.")
@today_option
@click.pass_obj
def network_command(
    app: App,
    section: str,
    dormant_months: int | None,
    half_life_days: int | None,
    suggestions: int | None,
    brokers: int | None,
    fmt: str,
    today: str | None,
) -> None:
    """The network: brokers, dormant ties, reciprocity, introductions to make, asks.

    Members are the nodes; sharing for someone, via someone and introductions
    make the ties (weighted, and fading with time), and so does working in the
    same organisation. Members with `network: false` are left out. The asks
    part counts open and answered asks, how fast they found a first answer,
    and the topics whose open asks found no one to help (the gaps).

    \b
    Example:
      newsletter network
      newsletter network --section dormant --dormant-months 3
      newsletter network --section asks
      newsletter network --format json > network.json
    """
    from newsletter import api
    from newsletter.analysis.asklist import network_and_asks_json
    from newsletter.analysis.report import network_report

    site = _site(app, today)
    settings = {
        "dormant_months": dormant_months,
        "half_life_days": half_life_days,
        "suggestions": suggestions,
        "brokers": brokers,
    }
    overrides = {name: value for name, value in settings.items() if value is not None}
    day = parse_date(today, "--today")
    net = api.analyse_site(site, day, **overrides)
    asks = api.asks_site(site, day)
    if fmt == "json":
        click.echo(network_and_asks_json(net, asks), nl=False)
        return
    _print_sections(
        app.out, network_report(net, site.members, None if section == "all" else section, asks)
    )


def _print_sections(console: Console, sections: list[Section]) -> None:
    """Each section: its title in bold, then its table (or what is said instead)."""
    from rich.text import Text

    for part in sections:
        console.print(Text(part.title, style="bold"), highlight=False)
        if not part.table.rows:
            console.print(f"  {part.empty}\n", highlight=False)
            continue
        print_rows(console, part.table, header_style="dim")
        console.print()


@main.command("asks")
@click.option("--open", "open_only", is_flag=True, help="Only the asks still open.")
@click.option(
    "--member",
    metavar="HANDLE",
    help="Only the asks this member asked, answered, or is suggested to help with.",
)
@click.option("--helpers", type=click.IntRange(0), metavar="N", help="Override network.helpers.")
@format_option(["text", "json", "csv"], "text: tables; json or csv for other tools.")
@today_option
@click.pass_obj
def asks_command(
    app: App,
    open_only: bool,
    member: str | None,
    helpers: int | None,
    fmt: str,
    today: str | None,
) -> None:
    """Every ask: who asked, when, what became of it, who could help.

    Each ask post with its status (open, answered, withdrawn), its answers (the
    posts whose `answers:` name it) and the days to the first; each open ask with
    the members who could help and why. Open asks come first, longest waiting
    first; then the others, newest first.

    \b
    Example:
      newsletter asks --open
      newsletter asks --member grace --helpers 5
      newsletter asks --format json > asks.json
    """
    from newsletter import api
    from newsletter.analysis import asklist, contacts
    from newsletter.analysis.report import ask_list_sections

    site = _site(app, today)
    if member:
        contacts.check_member(site, member)
    settings = {"helpers": helpers} if helpers is not None else {}
    found = asklist.select_asks(
        api.asks_site(site, parse_date(today, "--today"), **settings), open_only, member
    )
    if fmt == "json":
        click.echo(asklist.asks_json(found), nl=False)
    elif fmt == "csv":
        click.echo(csv_text(asklist.ask_rows(found)), nl=False)
    else:
        _print_sections(app.out, ask_list_sections(found, site.members, open_only))
        app.out.print(asklist.summary_line(found.asks), highlight=False)

"""What the sharing says: contacts (the ledger) and network."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from newsletter.core import clock
from newsletter.core.diagnostics import (
    did_you_mean,
)
from newsletter.core.errors import ProjectError
from newsletter.core.model import Kind, Site

if TYPE_CHECKING:
    pass

from newsletter.cli.app import (
    App,
    main,
    parse_date,
    print_diagnostics,
    print_table,
    today_option,
)

# -- the ledger and the network -----------------------------------------------------------

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text: an aligned table; json or csv for other tools.",
)


def _site(app: App, today: str | None) -> Site:
    from newsletter.pipeline.build import BuildOptions, site_in_memory

    site, diags = site_in_memory(app.project(), BuildOptions(today=parse_date(today, "--today")))
    print_diagnostics(app.err, [d for d in diags.sorted() if d.severity == "error"])
    return site


@main.command("contacts")
@click.option("--member", metavar="HANDLE", help="Only the shares this member took part in.")
@click.option("--since", metavar="DATE", help="Only shares on or after DATE (YYYY-MM-DD).")
@click.option("--kind", type=click.Choice([k.value for k in Kind]), help="Only this kind.")
@click.option("--summary", is_flag=True, help="One line per member instead of one per share.")
@format_option
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
    from newsletter.analysis.contacts import events, summaries, to_csv, to_json

    site = _site(app, today)
    if member and member not in site.members:
        raise ProjectError(f"no member '{member}'{did_you_mean(member, site.members)}")
    names = {h: m.name for h, m in site.members.items()}
    if summary:
        rows = [s for s in summaries(site) if not member or s.handle == member]
        if fmt != "text":
            click.echo(to_json(rows) if fmt == "json" else to_csv(rows), nl=False)
            return
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        for column in ("member", "shared", "received", "introduced", "introduced to"):
            table.add_column(column, justify="left" if column == "member" else "right")
        table.add_column("last active")
        table.add_column("top topics")
        for s in rows:
            table.add_row(
                s.name,
                str(s.shared),
                str(s.received),
                str(s.introduced),
                str(s.introduced_to),
                s.last_activity.isoformat() if s.last_activity else "never",
                " ".join(f"#{t}" for t in s.top_topics),
            )
        print_table(app.out, table)
        return
    found = events(site, member, parse_date(since, "--since"), Kind(kind) if kind else None)
    if fmt != "text":
        click.echo(to_json(found) if fmt == "json" else to_csv(found), nl=False)
        return
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in ("date", "shared by", "kind", "item", "for", "via", "introduced"):
        table.add_column(column, overflow="fold")
    for e in found:
        table.add_row(
            e.date.isoformat(),
            names.get(e.sharer, e.sharer),
            e.kind,
            e.item,
            ", ".join(names.get(h, h) for h in e.for_),
            names.get(e.via, e.via),
            " and ".join(names.get(h, h) for h in e.introduced),
        )
    print_table(app.out, table)
    app.out.print(f"{len(found)} share{'' if len(found) == 1 else 's'}", highlight=False)


@main.command("network")
@click.option(
    "--section",
    type=click.Choice(
        ["brokers", "dormant", "quiet", "reciprocity", "suggestions", "isolated", "all"]
    ),
    default="all",
    show_default=True,
    help="Show one part of the report.",
)
@click.option("--dormant-months", type=click.IntRange(1), help="Override network.dormant_months.")
@click.option("--half-life-days", type=click.IntRange(1), help="Override network.half_life_days.")
@click.option("--suggestions", type=click.IntRange(0), help="Override network.suggestions.")
@click.option("--brokers", type=click.IntRange(0), help="Override network.brokers.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: tables; json for other tools.",
)
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
    """The network: brokers, dormant ties, reciprocity, introductions to make.

    Members are the nodes; sharing for someone, via someone and introductions
    make the ties (weighted, and fading with time), and so does working in the
    same organisation. Members with `network: false` are left out.

    \b
    Example:
      newsletter network
      newsletter network --section dormant --dormant-months 3
      newsletter network --format json > network.json
    """
    from newsletter.analysis.network import analyse, network_json

    site = _site(app, today)
    overrides = {
        k: v
        for k, v in (
            ("dormant_months", dormant_months),
            ("half_life_days", half_life_days),
            ("suggestions", suggestions),
            ("brokers", brokers),
        )
        if v is not None
    }
    options = replace(site.config.network, **overrides)
    day = parse_date(today, "--today") or clock.today()
    net = analyse(site.members, site.ledger, day, options)
    if fmt == "json":
        click.echo(network_json(net), nl=False)
        return
    names = {h: m.name for h, m in site.members.items()}

    def show(title: str, columns: list[str], rows: list[list[str]], empty: str) -> None:
        app.out.print(Text(title, style="bold"), highlight=False)
        if not rows:
            app.out.print(f"  {empty}\n", highlight=False)
            return
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="dim")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*row)
        print_table(app.out, table)
        app.out.print()

    wanted = (
        {section}
        if section != "all"
        else {"brokers", "dormant", "quiet", "reciprocity", "suggestions", "isolated"}
    )
    if "brokers" in wanted:
        show(
            "Brokers: who bridges groups",
            ["member", "betweenness", "constraint", "links"],
            [
                [
                    names[b.handle],
                    f"{b.betweenness:.3f}",
                    f"{b.constraint:.3f}",
                    ", ".join(b.groups),
                ]
                for b in net.brokers
            ],
            "no member bridges groups yet",
        )
    if "dormant" in wanted:
        show(
            f"Dormant ties: no exchange for {options.dormant_months}+ months",
            ["between", "and", "last", "months"],
            [[names[d.a], names[d.b], d.last.isoformat(), str(d.months)] for d in net.dormant],
            "none",
        )
    if "quiet" in wanted:
        show(
            "Gone quiet: keep in touch",
            ["member", "last active", "months"],
            [
                [names[q.handle], q.last.isoformat() if q.last else "never", str(q.months or "")]
                for q in net.quiet
            ],
            "everyone has been active",
        )
    if "reciprocity" in wanted:
        show(
            "Reciprocity: gives much, receives little (and the reverse)",
            ["member", "given", "received"],
            [[names[b.handle], str(b.given), str(b.received)] for b in [*net.givers, *net.takers]],
            "exchanges are balanced",
        )
    if "suggestions" in wanted:
        show(
            "Suggested introductions",
            ["who", "and", "why"],
            [
                [names[s.a], names[s.b], s.reason]
                for s in net.suggestions[: max(10, options.suggestions)]
            ],
            "no introduction to suggest",
        )
    if "isolated" in wanted:
        show(
            "Not yet connected",
            ["member or groups"],
            [[names[h]] for h in net.isolated]
            + [[f"{a} · {b} (no bridge)"] for a, b in net.unbridged],
            "everyone is connected, and every group has a bridge",
        )

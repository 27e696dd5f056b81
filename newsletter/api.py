"""The Python API: what the command line does, for other tools and scripts.

Each function takes a :class:`~newsletter.project.sources.Project` (``load_project``
finds one) and returns data; none prints, prompts or exits. Errors in the members'
files come back as diagnostics (``Diagnostic``: path, line, column, severity, code,
message, hint); what stops the work raises a :class:`~newsletter.core.errors.NewsletterError`
(``BuildFailed`` carries the diagnostics that stopped a build). ``today`` is the day
the newsletter is read as of (what is published, how old a tie is); ``None`` is the
real date.

Example::

    from newsletter import api

    project = api.load_project("path/to/newsletter")
    problems = api.check(project)
    result = api.build(project, output="public")
    for event in api.contacts(project, member="ada"):
        print(event.date, event.item)
    network = api.analyse(project)
    print([broker.handle for broker in network.brokers])
    for ask in api.asks(project).open:
        print(ask.key, [helper.handle for helper in ask.helpers])

The command line (``newsletter.cli``) is a face over these functions and the modules
they name; this module is the layer between them and adds nothing of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.core import clock
from newsletter.core.progress import Progress, quiet
from newsletter.feeds.settings import FetchSettings
from newsletter.pipeline.build import BuildOptions, BuildResult, build_project, check_project
from newsletter.pipeline.build import site_in_memory as _site_in_memory
from newsletter.project.sources import Project, find_project

if TYPE_CHECKING:  # each function imports what it runs: ``build`` with nothing to do
    # needs none of the analysis (numpy) or the loading of files
    from newsletter.analysis.contacts import Event
    from newsletter.core.community import AskReport, Network
    from newsletter.core.diagnostics import Diagnostic
    from newsletter.core.model import Kind, Site
    from newsletter.feeds.fetch import FeedReport, FetchRun

__all__ = [
    "BuildOptions",
    "BuildResult",
    "FetchRun",
    "FetchSettings",
    "Project",
    "analyse",
    "analyse_site",
    "asks",
    "asks_site",
    "build",
    "check",
    "contacts",
    "fetch",
    "load_project",
    "site",
]


def __getattr__(name: str) -> object:
    """``FetchRun`` is imported when first asked for, as ``fetch`` imports the fetcher:
    it brings httpx, 0.2 s that the other functions (and the commands on them) need not
    wait for."""
    if name == "FetchRun":
        from newsletter.feeds.fetch import FetchRun

        return FetchRun
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_project(start: Path | str = ".") -> Project:
    """The newsletter whose ``newsletter.yaml`` is in ``start`` or the nearest parent
    folder; ``ProjectError`` when there is none."""
    return find_project(Path(start))


def check(project: Project, today: dt.date | None = None, drafts: bool = False) -> list[Diagnostic]:
    """Every problem in the project's files, sorted by file and line, as ``newsletter
    check`` reports them (errors stop a build; warnings do not)."""
    _, diags = check_project(project, BuildOptions(today=today, drafts=drafts))
    return diags.sorted()


def build(
    project: Project,
    output: Path | str | None = None,
    options: BuildOptions | None = None,
    progress: Progress = quiet,
) -> BuildResult:
    """Build the site (and the email editions) into ``output`` (default: the project's
    ``site/``), as ``newsletter build`` does; ``options`` holds the rest (drafts,
    base_url, today, jobs, search). Raises ``BuildFailed`` when the files have errors,
    leaving the previous site as it was."""
    options = options or BuildOptions()
    if output is not None:
        options = replace(options, output=Path(output))
    return build_project(project, options, progress)


def fetch(
    project: Project,
    settings: FetchSettings | None = None,
    only: str | None = None,
    today: dt.date | None = None,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[FeedReport], None] = lambda report: None,
) -> FetchRun:
    """Pull the members' feeds (or member ``only``'s) into the cache ``build`` reads, as
    ``newsletter fetch`` does. ``today`` stamps new entries with its first moment."""
    from newsletter.core.diagnostics import Diagnostics
    from newsletter.feeds.fetch import fetch_project
    from newsletter.load import load_members

    diags = Diagnostics()
    config, members = load_members(project, diags)
    now = (lambda: clock.start_of(today)) if today else clock.now
    return fetch_project(
        project, config, members, diags, settings or FetchSettings(), only, on_start, on_done, now
    )


def site(project: Project, today: dt.date | None = None) -> tuple[Site, list[Diagnostic]]:
    """The newsletter in memory, loaded, checked and enriched (the ledger, the network,
    each edition's items), without writing a file; its warnings beside it."""
    found, diags = _site_in_memory(project, BuildOptions(today=today))
    return found, diags.sorted()


def contacts(
    project: Project,
    member: str | None = None,
    since: dt.date | None = None,
    kind: Kind | None = None,
    today: dt.date | None = None,
) -> list[Event]:
    """The contact ledger, oldest first, as ``newsletter contacts`` lists it: who
    shared what, for whom, via whom, introducing whom."""
    from newsletter.analysis.contacts import events

    return events(site(project, today)[0], member, since, kind)


def analyse(project: Project, today: dt.date | None = None, **overrides: int) -> Network:
    """The network as ``newsletter network`` reports it: brokers, dormant ties,
    reciprocity, suggested introductions. ``overrides`` replace settings of
    ``network:`` in newsletter.yaml (``dormant_months=3``, ``half_life_days``,
    ``suggestions``, ``brokers``)."""
    return analyse_site(site(project, today)[0], today, **overrides)


def analyse_site(found: Site, today: dt.date | None = None, **overrides: int) -> Network:
    """``analyse`` for a newsletter already in memory (what ``site`` gives), for a caller
    who also needs the rest of it (the members' names, say) and loads it once."""
    from newsletter.analysis import network

    options = replace(found.config.network, **overrides)
    return network.analyse(
        found.members, found.ledger, today or clock.today(), options, found.config.language
    )


def asks(project: Project, today: dt.date | None = None, **overrides: int) -> AskReport:
    """Every ask as ``newsletter asks`` lists it (open first, oldest first; then the
    answered and withdrawn, newest first): its answers, and for an open one the members
    who could help, with why. ``overrides`` replace settings of ``network:`` in
    newsletter.yaml (``helpers=5``: how many helpers each open ask gets)."""
    return asks_site(site(project, today)[0], today, **overrides)


def asks_site(found: Site, today: dt.date | None = None, **overrides: int) -> AskReport:
    """``asks`` for a newsletter already in memory (what ``site`` gives), for a caller
    who also needs the rest of it and loads it once: the report the site was built with,
    or made anew when ``overrides`` change a setting or ``today`` is another day."""
    from newsletter.analysis.asks import report_asks

    options = replace(found.config.network, **overrides)
    day = today or clock.today()
    if found.asks is not None and (options, day) == (found.config.network, found.asks.today):
        return found.asks
    return report_asks(found.members, found.posts, day, options, found.config.language)

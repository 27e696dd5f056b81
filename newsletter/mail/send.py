"""Send: what a send would do, and the sends that are not a campaign.

``plan_send`` takes the site as the build makes it in memory (a build with errors
stops it), finds the edition (a draft, dated after today, is refused) and reads the
subscribers and the suppression list. Then ``dry_run`` writes .eml files and
``send_test`` mails one copy; ``campaign`` mails everyone. ``unsubscribe`` puts one
address on the suppression list. Nothing here prints or asks: the command does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostic, Diagnostics
from newsletter.core.errors import ProjectError
from newsletter.core.model import Config, Edition, EditionView, Site
from newsletter.load import load_config
from newsletter.load.editions import load_edition
from newsletter.mail.message import EditionMail, build_message, prepare, verify
from newsletter.mail.smtp import Reply, Sender, SmtpSettings
from newsletter.mail.subscribers import (
    Subscriber,
    load_subscribers,
    load_suppressed,
    normalize_address,
    suppress,
)
from newsletter.pipeline.build import BuildOptions, site_in_memory
from newsletter.project.sources import Project
from newsletter.render.environment import Theme


@dataclass(frozen=True)
class Plan:
    """What a send would do: the edition, who gets it, who does not and why."""

    project: Project
    edition: EditionMail
    subscribers: list[Subscriber]
    suppressed: set[str]
    """Keys of the subscribers on the suppression list."""
    diagnostics: list[Diagnostic]
    translations: dict[str, EditionMail] = field(default_factory=dict)
    """The edition in each other language of the newsletter, by tag."""

    def edition_for(self, subscriber: Subscriber) -> EditionMail:
        """The edition in the subscriber's language (their ``lang``), else the main one."""
        return self.translations.get(subscriber.lang, self.edition)

    @property
    def recipients(self) -> list[Subscriber]:
        return [s for s in self.subscribers if s.key not in self.suppressed]

    @property
    def envelope_sender(self) -> str:
        """The address bounces go to: email.from's, without its name."""
        return parseaddr(self.edition.sender)[1]


def plan_send(
    project: Project, which: str, today: dt.date | None = None, *, need_subscribers: bool = True
) -> Plan:
    """The site in memory, and the edition ``which`` names: a number, or 'latest'."""
    site, diags = site_in_memory(project, BuildOptions(today=today))
    theme, view = Theme(project), _edition_to_send(project, site, which)
    edition = prepare(site, view, theme)
    translations = {
        tag: prepare(site, view, theme, theme.language(tag)) for tag in site.config.languages[1:]
    }
    subscribers: list[Subscriber] = []
    if need_subscribers:
        subscribers = load_subscribers(project, site.config, diags)
    left = load_suppressed(project, site.config)
    suppressed = {s.key for s in subscribers if s.email.lower() in left}
    return Plan(project, edition, subscribers, suppressed, diags.sorted(), translations)


def _edition_to_send(project: Project, site: Site, which: str) -> EditionView:
    if not site.editions:
        raise ProjectError("there is no published edition to send")
    if which == "latest":
        return site.editions[0]
    if not which.isdigit():
        raise ProjectError(f"EDITION is a number or 'latest', not {which!r}")
    number = int(which)
    found = next((v for v in site.editions if v.edition.number == number), None)
    if found is not None:
        return found
    draft = _draft(project, site.config, number)
    if draft is not None:
        raise ProjectError(
            f"edition {number} is a draft (dated {draft.date.isoformat()}): it cannot "
            "be sent before its date"
        )
    raise ProjectError(f"there is no edition {number} (content/editions/{number}.md)")


def edition_number(project: Project, which: str, today: dt.date | None = None) -> int:
    """The number of the edition ``which`` names: a number, or 'latest', the newest edition
    dated ``today`` or before (the one ``send latest`` sends). Read from the edition files
    alone, without a build: a status must not wait for one, nor fail on an error elsewhere."""
    if which.isdigit():
        return int(which)
    if which != "latest":
        raise ProjectError(f"EDITION is a number or 'latest', not {which!r}")
    day = today or clock.today()
    config = load_config(project, Diagnostics())
    dated = [
        (edition.date, edition.number)
        for file in project.edition_files()
        if (edition := load_edition(project, file, config, Diagnostics())) is not None
        and edition.date <= day
    ]
    if not dated:
        raise ProjectError("there is no published edition yet")
    return max(dated)[1]


def _draft(project: Project, config: Config, number: int) -> Edition | None:
    """The edition numbered ``number`` that the site leaves out: one dated after today.
    (The build had no errors, so its file loads; only its date is wanted here.)"""
    for file in project.edition_files():
        if file.stem.isdecimal() and int(file.stem) == number:
            return load_edition(project, file, config, Diagnostics())
    return None


def dry_run(plan: Plan, folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Every message as a .eml file in ``folder``: what would be sent, sent nowhere."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now or clock.now()
    written = []
    for i, subscriber in enumerate(plan.recipients, 1):
        data = verify(build_message(plan.edition_for(subscriber), subscriber, stamp), subscriber)
        path = folder / f"{plan.edition.number}-{i:05d}.eml"
        path.write_bytes(data)
        written.append(path)
    return written


def send_test(plan: Plan, address: str, settings: SmtpSettings) -> Reply:
    """One copy to ``address`` (subject marked [test]); the ledger is not touched."""
    try:
        email = normalize_address(address)
    except ValueError as err:
        raise ProjectError(f"--to {address!r} is not a valid address: {err}") from None
    match = next((s for s in plan.subscribers if s.key == Subscriber(email).key), None)
    subscriber = match or Subscriber(email)
    msg = build_message(plan.edition_for(subscriber), subscriber, clock.now(), test=True)
    data = verify(msg, subscriber)
    with Sender(settings, plan.envelope_sender) as sender:
        return sender.send(email, data)


def unsubscribe(project: Project, address: str, reason: str) -> bool:
    """Put ``address`` on the suppression list; False if it was already there."""
    # the config alone, not the site: a mistake in the content must not keep anyone on
    # the list who asked to leave it
    config = load_config(project, Diagnostics())
    try:
        email = normalize_address(address)
    except ValueError as err:
        raise ProjectError(f"{address!r} is not a valid address: {err}") from None
    return suppress(project, config, email, reason, "newsletter unsubscribe")

"""Send: an edition to every subscriber, resumably — claim, send, record.

``plan_send`` builds the site in memory (an edition whose build has errors, or a draft,
is refused), reads the subscribers and the suppression list; then ``dry_run``
writes .eml files, ``send_test`` mails one copy, and ``send_campaign`` mails
everyone through the delivery ledger. A permanent refusal (5xx) puts the address
on the suppression list; temporary ones (4xx) are retried after a pause, and
whatever is still failing is tried again by the next ``send``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostic, Diagnostics
from newsletter.core.errors import BuildFailed, ProjectError
from newsletter.load import load_config
from newsletter.mail.ledger import open_ledger
from newsletter.mail.message import EditionMail, MessageError, build_message, prepare, verify
from newsletter.mail.smtp import Answer, RateLimiter, Sender, SmtpSettings
from newsletter.mail.subscribers import (
    Subscriber,
    load_subscribers,
    load_suppressed,
    normalize_address,
    suppress,
)
from newsletter.pipeline.build import BuildOptions, check_project
from newsletter.pipeline.enrich import enrich
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

    @property
    def recipients(self) -> list[Subscriber]:
        return [s for s in self.subscribers if s.key not in self.suppressed]


def plan_send(
    project: Project, which: str, today: dt.date | None = None, *, need_subscribers: bool = True
) -> Plan:
    """Build in memory and find the edition: a number, or 'latest'."""
    options = BuildOptions(today=today)
    content, diags = check_project(project, options)
    if diags.has_errors:
        raise BuildFailed(diags.sorted())
    site = enrich(content, options.day())
    if not site.editions:
        raise ProjectError("there is no published edition to send")
    if which == "latest":
        view = site.editions[0]
    else:
        if not which.isdigit():
            raise ProjectError(f"EDITION is a number or 'latest', not {which!r}")
        number = int(which)
        found = next((v for v in site.editions if v.edition.number == number), None)
        if found is None:
            draft = next((e for e in content.editions if e.number == number), None)
            if draft is not None:
                raise ProjectError(
                    f"edition {number} is a draft (dated {draft.date.isoformat()}): it cannot "
                    "be sent before its date"
                )
            raise ProjectError(f"there is no edition {number} (content/editions/{number}.md)")
        view = found
    edition = prepare(site, view, Theme(project))
    subscribers: list[Subscriber] = []
    if need_subscribers:
        subscribers = load_subscribers(project, site.config, diags)
    left = load_suppressed(project, site.config)
    suppressed = {s.key for s in subscribers if s.email.lower() in left}
    return Plan(project, edition, subscribers, suppressed, diags.sorted())


def dry_run(plan: Plan, folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Every message as a .eml file in ``folder``: what would be sent, sent nowhere."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now or clock.now()
    written = []
    for i, subscriber in enumerate(plan.recipients, 1):
        data = verify(build_message(plan.edition, subscriber, stamp), subscriber)
        path = folder / f"{plan.edition.number}-{i:05d}.eml"
        path.write_bytes(data)
        written.append(path)
    return written


def send_test(plan: Plan, address: str, settings: SmtpSettings) -> Answer:
    """One copy to ``address`` (subject marked [test]); the ledger is not touched."""
    try:
        email = normalize_address(address)
    except ValueError as err:
        raise ProjectError(f"--to {address!r} is not a valid address: {err}") from None
    match = next((s for s in plan.subscribers if s.key == Subscriber(email).key), None)
    subscriber = match or Subscriber(email)
    msg = build_message(plan.edition, subscriber, clock.now(), test=True)
    data = verify(msg, subscriber)
    with Sender(settings, _envelope_sender(plan)) as sender:
        return sender.send(email, data)


def _envelope_sender(plan: Plan) -> str:
    return parseaddr(plan.edition.sender)[1]


@dataclass
class SendReport:
    edition: int
    counts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    finished: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    connections: int = 0


@dataclass(frozen=True)
class Pacing:
    per_second: float
    per_hour: int
    batch: int
    connections: int = 1
    retries: int = 3
    retry_wait: float = 30.0


def pacing_for(plan: Plan) -> Pacing:
    email = plan.edition.site.config.email
    return Pacing(email.per_second, email.per_hour, email.batch, email.connections)


def send_campaign(
    plan: Plan,
    settings: SmtpSettings,
    pacing: Pacing,
    *,
    force: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_sent: Callable[[str, Answer], None] = lambda email, answer: None,
) -> SendReport:
    """Mail the edition to everyone not yet served, recording every step in the ledger."""
    number = plan.edition.number
    config = plan.edition.site.config
    by_key = {s.key: s for s in plan.subscribers}
    report = SendReport(number)
    started = time.perf_counter()
    with open_ledger(plan.project.state) as ledger:
        done = ledger.finished_at(number)
        if done and not force:
            raise ProjectError(
                f"edition {number} was already sent (finished {done[:16].replace('T', ' ')} "
                "UTC); --force sends it to everyone again"
            )
        report.in_flight = ledger.start(number, by_key, plan.suppressed, force)
        pending = ledger.to_send(number, ("pending", "temp_failed"))
        on_start(len(pending))
        pace = RateLimiter(pacing.per_second, pacing.per_hour)
        now = clock.now()
        for key in pending:  # render each variant of the email once, before the threads
            if (subscriber := by_key.get(key)) is not None:
                plan.edition.variant(bool(subscriber.name), subscriber.member)
        lock = threading.Lock()  # the ledger, the pace and the report are shared

        def deliver(sender: Sender, key: str) -> None:
            subscriber = by_key.get(key)
            if subscriber is None:  # left the subscribers file since the last run
                with lock:
                    ledger.record(number, key, "suppressed", "no longer a subscriber")
                return
            try:
                data = verify(build_message(plan.edition, subscriber, now), subscriber)
            except MessageError as err:
                with lock:
                    ledger.record(number, key, "failed", str(err))
                    report.failures.append((subscriber.email, str(err)))
                return
            sender.ready()  # connect before the claim: a dead server leaves rows pending
            with lock:
                pace.wait()
                ledger.claim(number, key)
            answer = sender.send(subscriber.email, data)
            with lock:
                if answer.kind == "sent":
                    ledger.record(number, key, "sent", str(answer), resent=answer.again)
                elif answer.kind == "temporary":
                    ledger.record(number, key, "temp_failed", str(answer))
                else:
                    ledger.record(number, key, "failed", str(answer))
                    report.failures.append((subscriber.email, str(answer)))
                    suppress(plan.project, config, subscriber.email, "bounced", f"send: {answer}")
                on_sent(subscriber.email, answer)

        def each_connection(keys: list[str]) -> None:
            """``pacing.connections`` SMTP connections, each taking the next key in turn."""
            queue = iter(keys)
            stop = threading.Event()
            errors: list[BaseException] = []

            def work() -> None:
                try:
                    with Sender(settings, _envelope_sender(plan), pacing.batch) as sender:
                        while not stop.is_set():
                            with lock:
                                key = next(queue, None)
                            if key is None:
                                break
                            deliver(sender, key)
                        with lock:
                            report.connections += sender.connections
                except BaseException as err:
                    errors.append(err)
                    stop.set()

            workers = [
                threading.Thread(target=work, daemon=True)
                for _ in range(min(max(1, pacing.connections), max(1, len(keys))))
            ]
            for worker in workers:
                worker.start()
            try:
                for worker in workers:
                    while worker.is_alive():
                        worker.join(0.2)
            except KeyboardInterrupt:
                stop.set()  # each connection finishes its message in flight, then stops
                for worker in workers:
                    worker.join()
                raise
            if errors:
                raise errors[0]

        each_connection(pending)
        for attempt in range(pacing.retries):
            again = ledger.to_send(number, ("temp_failed",))
            if not again:
                break
            time.sleep(pacing.retry_wait * 2**attempt)
            each_connection(again)
        report.finished = ledger.finish(number)
        report.counts = ledger.counts(number)
    report.seconds = time.perf_counter() - started
    return report


def status(project: Project, number: int) -> dict[str, int]:
    with open_ledger(project.state) as ledger:
        counts = ledger.counts(number)
        counts["finished"] = int(bool(ledger.finished_at(number)))
        return counts


def unsubscribe(project: Project, address: str, reason: str) -> bool:
    """Put ``address`` on the suppression list; False if it was already there."""
    diags = Diagnostics()
    config = load_config(project, diags)
    try:
        email = normalize_address(address)
    except ValueError as err:
        raise ProjectError(f"{address!r} is not a valid address: {err}") from None
    return suppress(project, config, email, reason, "newsletter unsubscribe")

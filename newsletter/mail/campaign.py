"""The campaign: an edition mailed to every subscriber through the delivery ledger.

Each recipient is claimed in the ledger before the message goes to SMTP and recorded
after the server's answer, so a campaign killed at any moment resumes where it stopped
(see ``ledger``). Messages go out over ``Pacing.connections`` SMTP connections at once,
within the rate limits. A permanent refusal (5xx) puts the address on the suppression
list; temporary ones (4xx) are retried after a pause that doubles each round, and
whatever is still failing is tried again by the next ``send``. Nothing here prints or
asks: ``on_start`` and ``on_sent`` tell the caller how far it has come.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from newsletter.core import clock
from newsletter.core.errors import ProjectError
from newsletter.mail.ledger import Ledger, open_ledger
from newsletter.mail.message import MessageError, build_message, verify
from newsletter.mail.send import Plan
from newsletter.mail.smtp import RateLimiter, Reply, Sender, SmtpSettings
from newsletter.mail.subscribers import Subscriber, suppress
from newsletter.project.sources import Project

ATTEMPTED = ("sent", "failed", "temp_failed")
"""The ledger's statuses of a message the server answered."""


@dataclass(frozen=True)
class Pacing:
    per_second: float
    per_hour: int
    batch: int
    connections: int = 1
    retries: int = 3
    retry_wait: float = 30.0


def pacing_for(
    plan: Plan,
    *,
    per_second: float | None = None,
    connections: int | None = None,
    retry_wait: float = 30.0,
) -> Pacing:
    """The newsletter's pace (``email:`` in newsletter.yaml), but for what the command
    was given."""
    email = plan.edition.site.config.email
    return Pacing(
        email.per_second if per_second is None else per_second,
        email.per_hour,
        email.batch,
        email.connections if connections is None else connections,
        retry_wait=retry_wait,
    )


@dataclass
class SendReport:
    edition: int
    counts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    """Messages that were being sent when the last campaign stopped, and went again."""
    finished: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(address, why) of each message refused for good, or that could not be made."""
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Messages the server answered, per second."""
        return sum(self.counts[s] for s in ATTEMPTED) / max(self.seconds, 1e-9)


def send_campaign(
    plan: Plan,
    settings: SmtpSettings,
    pacing: Pacing,
    *,
    force: bool = False,
    on_start: Callable[[int], None] = lambda total: None,
    on_sent: Callable[[str, Reply], None] = lambda email, answer: None,
) -> SendReport:
    """Mail the edition to everyone not yet served, recording every step in the ledger."""
    number = plan.edition.number
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
        run = _Delivery(plan, settings, pacing, ledger, report, by_key, on_sent)
        run.render_variants(pending)
        run.over_connections(pending)
        for attempt in range(pacing.retries):
            again = ledger.to_send(number, ("temp_failed",))
            if not again:
                break
            time.sleep(pacing.retry_wait * 2**attempt)
            run.over_connections(again)
        report.finished = ledger.finish(number)
        report.counts = ledger.counts(number)
    report.seconds = time.perf_counter() - started
    return report


class _Delivery:
    """One campaign's deliveries: the ledger, the pace and the report, which every
    connection's thread shares under one lock."""

    def __init__(
        self,
        plan: Plan,
        settings: SmtpSettings,
        pacing: Pacing,
        ledger: Ledger,
        report: SendReport,
        by_key: dict[str, Subscriber],
        on_sent: Callable[[str, Reply], None],
    ) -> None:
        self.plan, self.settings, self.pacing = plan, settings, pacing
        self.ledger, self.report, self.by_key, self.on_sent = ledger, report, by_key, on_sent
        self.number = plan.edition.number
        self.pace = RateLimiter(pacing.per_second, pacing.per_hour)
        self.now: dt.datetime = clock.now()
        self.lock = threading.Lock()

    def render_variants(self, keys: list[str]) -> None:
        """Each variant of the email these recipients get, rendered once, before the
        threads."""
        for key in keys:
            if (subscriber := self.by_key.get(key)) is not None:
                self.plan.edition_for(subscriber).variant(bool(subscriber.name), subscriber.member)

    def deliver(self, sender: Sender, key: str) -> None:
        """One message: made, claimed in the ledger, sent, and its answer recorded."""
        number, ledger, lock = self.number, self.ledger, self.lock
        subscriber = self.by_key.get(key)
        if subscriber is None:  # left the subscribers file since the last run
            with lock:
                ledger.record(number, key, "suppressed", "no longer a subscriber")
            return
        try:
            edition = self.plan.edition_for(subscriber)
            data = verify(build_message(edition, subscriber, self.now), subscriber)
        except MessageError as err:
            with lock:
                ledger.record(number, key, "failed", str(err))
                self.report.failures.append((subscriber.email, str(err)))
            return
        sender.ready()  # connect before the claim: a dead server leaves rows pending
        with lock:
            self.pace.wait()
            ledger.claim(number, key)
        answer = sender.send(subscriber.email, data)
        with lock:
            self.record(key, subscriber, answer)

    def record(self, key: str, subscriber: Subscriber, answer: Reply) -> None:
        """The server's answer, in the ledger (and a permanent refusal suppressed)."""
        number, ledger = self.number, self.ledger
        if answer.kind == "sent":
            ledger.record(number, key, "sent", str(answer), resent=answer.again)
        elif answer.kind == "temporary":
            ledger.record(number, key, "temp_failed", str(answer))
        else:
            ledger.record(number, key, "failed", str(answer))
            self.report.failures.append((subscriber.email, str(answer)))
            config = self.plan.edition.site.config
            suppress(self.plan.project, config, subscriber.email, "bounced", f"send: {answer}")
        self.on_sent(subscriber.email, answer)

    def over_connections(self, keys: list[str]) -> None:
        """``pacing.connections`` SMTP connections, each taking the next key in turn."""
        queue = iter(keys)
        stop = threading.Event()
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with Sender(self.settings, self.plan.envelope_sender, self.pacing.batch) as sender:
                    while not stop.is_set():
                        with self.lock:
                            key = next(queue, None)
                        if key is None:
                            break
                        self.deliver(sender, key)
            except BaseException as err:
                errors.append(err)
                stop.set()

        workers = [
            threading.Thread(target=work, daemon=True)
            for _ in range(min(max(1, self.pacing.connections), max(1, len(keys))))
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


def campaign_status(project: Project, which: str) -> dict[str, int]:
    """The ledger's counts for edition ``which`` (a number), and whether it finished."""
    if not which.isdigit():
        raise ProjectError("--status needs an edition number, e.g. newsletter send 12 --status")
    number = int(which)
    with open_ledger(project.state) as ledger:
        counts = ledger.counts(number)
        counts["finished"] = int(bool(ledger.finished_at(number)))
        return counts

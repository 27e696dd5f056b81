"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, with handlers that
accept, answer 4xx or 5xx for chosen recipients, or drop the connection mid-batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from support.ports import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Behaviour:
    """What the server does; change it while a test runs."""

    temporary: dict[str, int] = field(default_factory=dict)
    """recipient → how many more times to answer 451 before accepting."""
    permanent: set[str] = field(default_factory=set)
    """recipients answered 550 (no such user)."""
    drop_after: int = 0
    """After this many accepted messages, drop the connection once (0: never)."""
    drop_before_reply: bool = True
    """Drop after storing the message but before '250' (it was delivered) or before storing."""


class Handler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviour = Behaviour()
        self.lock = threading.Lock()
        self.connections = 0
        self.dropped = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            left = self.behaviour.temporary.get(address.lower(), 0)
            if left:
                self.behaviour.temporary[address.lower()] = left - 1
                return "451 4.7.1 Try again later (greylisted)"
            if address.lower() in self.behaviour.permanent:
                return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        with self.lock:
            behaviour = self.behaviour
            drop = behaviour.drop_after and len(self.received) + 1 >= behaviour.drop_after
            if drop:
                behaviour.drop_after = 0
                self.dropped += 1
                if behaviour.drop_before_reply:
                    self.received.append(
                        Received(str(envelope.mail_from), list(envelope.rcpt_tos), data)
                    )
            else:
                self.received.append(
                    Received(str(envelope.mail_from), list(envelope.rcpt_tos), data)
                )
        if drop:
            assert server.transport is not None
            server.transport.close()  # the client never hears back
            return "421 closing"
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if address in r.recipients]

    def count(self) -> int:
        with self.lock:
            return len(self.received)


class SmtpServer:
    """``with SmtpServer() as s:`` — ``s.url`` for NEWSLETTER_SMTP_URL, ``s.handler`` to watch."""

    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, data_size_limit=0
        )

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    """A running SmtpServer, stopped after the test (tests/conftest.py registers it)."""
    with SmtpServer() as server:
        yield server

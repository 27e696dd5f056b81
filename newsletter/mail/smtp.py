"""SMTP: settings from the environment (never the repository) and a polite sender.

``NEWSLETTER_SMTP_URL`` is ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465`` or ``smtp://host:port`` (a local relay, no TLS); or
``NEWSLETTER_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD`` and ``_SECURITY``
(``starttls``, ``tls`` or ``none``); ``NEWSLETTER_SMTP_CA`` names certificates to
trust besides the system's. The sender keeps one connection for a batch
of messages, reconnects when the server drops it, and paces itself to the rate
limits; the server's answer for each recipient is classified as sent, temporary
(4xx: try again later) or permanent (5xx: do not try again).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from newsletter.core.errors import ProjectError

SCHEMES = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none | starttls | tls
    user: str = ""
    password: str = ""
    timeout: float = 30.0
    cafile: str = ""
    """NEWSLETTER_SMTP_CA: certificates to trust besides the system's (a company relay)."""

    def __str__(self) -> str:  # never shows the password
        return f"{self.host}:{self.port} ({self.security})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SmtpSettings:
        url = environ.get("NEWSLETTER_SMTP_URL", "")
        if url:
            parts = urlsplit(url)
            if parts.scheme not in SCHEMES or not parts.hostname:
                raise ProjectError(
                    "NEWSLETTER_SMTP_URL must look like smtp+starttls://user:pass@host:587, "
                    "smtps://user:pass@host:465 or smtp://127.0.0.1:2525"
                )
            security = SCHEMES[parts.scheme]
            try:
                port = parts.port or DEFAULT_PORTS[security]
            except ValueError as err:
                raise ProjectError(f"NEWSLETTER_SMTP_URL has a bad port: {err}") from None
            return cls(
                parts.hostname,
                port,
                security,
                unquote(parts.username or ""),
                unquote(parts.password or ""),
                cafile=environ.get("NEWSLETTER_SMTP_CA", ""),
            )
        host = environ.get("NEWSLETTER_SMTP_HOST", "")
        if not host:
            raise ProjectError(
                "no SMTP server: set NEWSLETTER_SMTP_URL (e.g. smtp+starttls://user:pass@"
                "smtp.example.org:587) in the environment, or use --dry-run"
            )
        security = environ.get("NEWSLETTER_SMTP_SECURITY", "starttls").lower()
        if security not in DEFAULT_PORTS:
            raise ProjectError("NEWSLETTER_SMTP_SECURITY is starttls, tls or none")
        port_text = environ.get("NEWSLETTER_SMTP_PORT", "")
        if port_text and not port_text.isdigit():
            raise ProjectError(f"NEWSLETTER_SMTP_PORT must be a number, not {port_text!r}")
        return cls(
            host,
            int(port_text) if port_text else DEFAULT_PORTS[security],
            security,
            environ.get("NEWSLETTER_SMTP_USER", ""),
            environ.get("NEWSLETTER_SMTP_PASSWORD", ""),
            cafile=environ.get("NEWSLETTER_SMTP_CA", ""),
        )


@dataclass(frozen=True)
class Reply:
    """What the server said to one message: ``kind`` is sent, temporary or permanent."""

    kind: str
    code: int
    text: str
    again: bool = False
    """Sent a second time after the connection dropped mid-message: maybe a duplicate."""

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()


class RateLimiter:
    """At most ``per_second`` messages a second and ``per_hour`` an hour (0: no limit)."""

    def __init__(self, per_second: float, per_hour: int) -> None:
        self.gap = 1.0 / per_second if per_second > 0 else 0.0
        self.per_hour = per_hour
        self.last = 0.0
        self.hour: deque[float] = deque()

    def wait(self) -> None:
        now = time.monotonic()
        if self.gap and now - self.last < self.gap:
            time.sleep(self.gap - (now - self.last))
            now = time.monotonic()
        if self.per_hour:
            while self.hour and now - self.hour[0] >= 3600:
                self.hour.popleft()
            if len(self.hour) >= self.per_hour:
                time.sleep(3600 - (now - self.hour[0]))
                now = time.monotonic()
                self.hour.popleft()
            self.hour.append(now)
        self.last = now


class Sender:
    """One SMTP connection at a time, renewed every ``batch`` messages or when dropped."""

    def __init__(self, settings: SmtpSettings, sender: str, batch: int = 100) -> None:
        self.settings = settings
        self.sender = sender
        self.batch = max(1, batch)
        self.connection: smtplib.SMTP | None = None
        self.sent_on_connection = 0

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP | None = None
        try:
            context = ssl.create_default_context(cafile=s.cafile or None)
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=context)
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as err:
            _close(smtp)
            raise ProjectError(f"the SMTP server {s} refused the login: {err.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as err:
            _close(smtp)
            raise ProjectError(f"cannot connect to the SMTP server {s}: {err}") from None
        self.sent_on_connection = 0
        return smtp

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def ready(self) -> None:
        """Connected (renewed after a full batch); ProjectError if the server is unreachable."""
        if self.connection is not None and self.sent_on_connection >= self.batch:
            self.close()
        if self.connection is None:
            self.connection = self._connect()

    def send(self, recipient: str, data: bytes) -> Reply:
        """Send one message; reconnects once if the connection was dropped."""
        if self.connection is not None and self.sent_on_connection >= self.batch:
            self.close()
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self._connect()
            try:
                refused = self.connection.sendmail(self.sender, [recipient], data)
            except smtplib.SMTPRecipientsRefused as err:
                code, text = err.recipients.get(recipient, (550, b"refused"))
                return _reply(code, text)
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as err:
                return _reply(err.smtp_code, err.smtp_error)
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError) as err:
                self.connection = None
                if attempt == 2:
                    return Reply("temporary", 421, f"connection lost: {err}")
                continue
            except smtplib.SMTPResponseException as err:
                return _reply(err.smtp_code, err.smtp_error)
            self.sent_on_connection += 1
            if refused:
                code, text = refused[recipient]
                return _reply(code, text)
            return Reply("sent", 250, "accepted", again=attempt == 2)
        raise AssertionError("unreachable")  # pragma: no cover


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


def _reply(code: int, text: bytes | str) -> Reply:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    kind = "temporary" if 400 <= code < 500 else "permanent" if code >= 500 else "sent"
    return Reply(kind, code, " ".join(words.split())[:300])

"""The editors' mailbox: unsubscribe requests and bounces become suppression-list entries.

Owns reading one IMAP folder (``NEWSLETTER_IMAP_URL``), deciding what each message is
(``classify``, pure) and recording the result with ``subscribers.suppress``, so that nobody
who asked to leave, and no address that bounced for good, is mailed again.

- An *unsubscribe request* is a message to the unsubscribe address (or ``local+tag@`` of
  it), or one whose Subject starts with "unsubscribe" (after any "Re:"). Its From address
  is suppressed, and so is an address named after "unsubscribe" in the Subject (the
  List-Unsubscribe mailto of ``message`` puts the subscriber's address there).
- A *bounce* is an RFC 3464 delivery report whose recipient block says ``Action: failed``
  with a 5.x.x status, or a mailer daemon's message with ``X-Failed-Recipients`` (Exim,
  Gmail). Only the failed recipients named by the report are suppressed, never a sender;
  a Subject alone never makes a bounce. Delays and 4.x.x are reported, not suppressed.

Every message read is flagged ``$NewsletterDone`` afterwards, and flagged messages are not
read again; suppression itself is idempotent, so a run that stops halfway is simply run
again. It must not delete, move or mark messages as read, and ``dry_run`` changes nothing
at all (the folder is opened read-only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from textwrap import shorten
from typing import Literal
from urllib.parse import unquote, urlsplit

from newsletter.core.errors import ProjectError
from newsletter.core.model import Config
from newsletter.mail.subscribers import address_key, load_suppressed, normalize_address, suppress
from newsletter.project.sources import Project

IMAP_ENV = "NEWSLETTER_IMAP_URL"
DEFAULT_PORTS = {"imaps": 993, "imap+starttls": 143, "imap": 143}
TIMEOUT = 30.0
"""Seconds to wait for the server at each step before giving up."""
DONE_FLAG = "$NewsletterDone"
MAX_MESSAGE_BYTES = 2_000_000
"""Only the start of a message is fetched: headers and delivery report come first, and a
large attachment must not fill memory."""
MAX_DETAIL = 200
"""A bounce's detail is cut to this many characters, on a word boundary."""
URL_EXAMPLE = "imaps://USER:PASSWORD@imap.example.org:993/INBOX"

Kind = Literal["unsubscribe", "bounce", "other"]

SUBJECT_RE = re.compile(r"^\s*(?:re\s*:\s*)*unsubscribe\b(.*)$", re.IGNORECASE | re.DOTALL)
DAEMON_LOCALS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
DAEMON_NAME_RE = re.compile(r"mail delivery|mailer.daemon", re.IGNORECASE)
SMTP_CODE_RE = re.compile(r"\b[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\b)?\s*")
STATUS_LINE_RE = re.compile(r"^\s*([45]\d\d)[ -]+(?:([45]\.\d{1,3}\.\d{1,3})\s+)?(.+)$", re.M)
FIELD_RE = re.compile(r"^([A-Za-z][\w-]*)[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)", re.M)


@dataclass(frozen=True)
class ImapSettings:
    scheme: str
    """imaps (TLS), imap+starttls, or imap (no encryption: a server on this machine only)."""
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"

    def __str__(self) -> str:  # never shows the password
        return f"{self.host}:{self.port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ImapSettings:
        """Settings from ``NEWSLETTER_IMAP_URL``; ProjectError saying what is wrong, if it is."""
        url = environ.get(IMAP_ENV, "").strip()
        if not url:
            raise ProjectError(f"{IMAP_ENV} is not set; set it to {URL_EXAMPLE}")
        # The URL holds a password: messages describe the problem and never echo it.
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS:
            raise ProjectError(
                f"{IMAP_ENV} must start with imaps://, imap+starttls:// or imap:// "
                f"(this machine only), like {URL_EXAMPLE}"
            )
        encode = "percent-encode @ / ? # : in the user name and password (@ is %40)"
        if parts.query or parts.fragment:
            raise ProjectError(f"{IMAP_ENV} has a '?' or '#' in it; {encode}")
        try:
            port = parts.port or DEFAULT_PORTS[scheme]
            host = parts.hostname or ""
        except ValueError:
            raise ProjectError(f"{IMAP_ENV} has a bad port number; {encode}") from None
        if not host:
            raise ProjectError(f"{IMAP_ENV} names no server, like {URL_EXAMPLE}")
        if not parts.username or not parts.password:
            raise ProjectError(
                f"{IMAP_ENV} must give the user name and password, like {URL_EXAMPLE}"
            )
        if scheme == "imap" and not _loopback(host):
            raise ProjectError(
                f"{IMAP_ENV}: imap:// would send the password to {host} unencrypted; "
                "use imaps:// (port 993) or imap+starttls:// (port 143)"
            )
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        if not folder.isascii() or any(c in folder for c in "\r\n\0"):
            raise ProjectError(f"{IMAP_ENV}: the folder name must be plain ASCII, not {folder!r}")
        return cls(scheme, host, port, unquote(parts.username), unquote(parts.password), folder)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class MailboxItem:
    uid: str
    kind: Kind
    email: str
    """The address to suppress; several, joined by ", ", when one message names several
    (a bounce for two recipients). For ``other``: the address concerned, if known."""
    detail: str
    """The status of a bounce ("5.1.1 user unknown"), the subject of a request, or why a
    message is ``other``."""

    @property
    def addresses(self) -> list[str]:
        return [a for a in self.email.split(", ") if a]


@dataclass
class MailboxReport:
    items: list[MailboxItem] = field(default_factory=list)
    """Requests, bounces and what looked like one but was not acted on, in mailbox order."""
    suppressed: list[str] = field(default_factory=list)
    """Addresses added to the suppression list (with dry_run: that would be added)."""
    already: list[str] = field(default_factory=list)
    """Addresses asked for that were on the list already."""
    skipped: int = 0
    """Messages read that suppressed nobody: ordinary mail and the ``other`` items."""


def process_mailbox(
    project: Project,
    config: Config,
    settings: ImapSettings,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> MailboxReport:
    """Read the messages not yet flagged, suppress whom they ask for, and flag them."""
    from_address = parseaddr(config.email.from_)[1]
    unsubscribe = parseaddr(config.email.unsubscribe)[1] or from_address
    own = {address_key(a) for a in (from_address, unsubscribe) if a}
    # When the unsubscribe address is the From address, every reply to an edition is sent
    # to it: only the Subject can tell a request then.
    if from_address and address_key(unsubscribe) == address_key(from_address):
        unsubscribe = ""
    known = set(load_suppressed(project, config))
    report = MailboxReport()
    with _session(settings, readonly=dry_run) as imap:
        for uid in _unread(imap, settings):
            item = _read(imap, settings, uid, unsubscribe)
            if item is not None and item.kind != "other":
                item = _not_own(item, own)
            if item is not None:
                report.items.append(item)
            if item is None or item.kind == "other":
                report.skipped += 1
            else:
                reason = "unsubscribed" if item.kind == "unsubscribe" else "bounced"
                for address in item.addresses:
                    if dry_run:
                        new = address_key(address) not in known
                        known.add(address_key(address))
                    else:
                        source = f"mailbox: {item.detail[:60]}"
                        new = suppress(project, config, address, reason, source, now)
                    (report.suppressed if new else report.already).append(address)
            if not dry_run:  # only once whom it asked for is on the list, on disk
                _uid(imap, settings, "STORE", uid, "+FLAGS.SILENT", f"({DONE_FLAG})")
    return report


def _not_own(item: MailboxItem, own: set[str]) -> MailboxItem:
    """The item without the newsletter's own addresses (a test mail, a loop)."""
    others = [a for a in item.addresses if address_key(a) not in own]
    if not others:
        return MailboxItem(
            item.uid, "other", item.email, f"the newsletter's own address: {item.detail}"
        )
    return MailboxItem(item.uid, item.kind, ", ".join(others), item.detail)


# -- IMAP ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _session(settings: ImapSettings, *, readonly: bool) -> Iterator[imaplib.IMAP4]:
    """Connected, logged in, the folder selected; logs out at the end (never CLOSE, which
    would expunge the messages someone marked deleted)."""
    imap = _open(settings, readonly=readonly)
    try:
        yield imap
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _open(settings: ImapSettings, *, readonly: bool) -> imaplib.IMAP4:
    """Every failure is a ProjectError naming the server and the problem, not the password."""
    where = f"IMAP server {settings}"
    step = "cannot connect"
    imap: imaplib.IMAP4 | None = None
    try:
        context = ssl.create_default_context()
        if settings.scheme == "imaps":
            imap = imaplib.IMAP4_SSL(
                settings.host, settings.port, ssl_context=context, timeout=TIMEOUT
            )
        else:
            imap = imaplib.IMAP4(settings.host, settings.port, timeout=TIMEOUT)
            if settings.scheme == "imap+starttls":
                step = "STARTTLS failed"
                imap.starttls(context)
        step = f"login as {settings.user!r} failed"
        try:
            imap.login(settings.user, settings.password)
        except UnicodeEncodeError:
            raise ProjectError(
                f"{where}: IMAP login needs a user name and password in plain ASCII"
            ) from None
        step = f"cannot open the folder {settings.folder!r}"
        status, data = imap.select(_quoted(settings.folder), readonly=readonly)
        if status != "OK":
            raise ProjectError(f"{where}: {step}: {_said(data)}")
        return imap
    except (OSError, imaplib.IMAP4.error, ProjectError) as err:
        if imap is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                imap.logout()
        if isinstance(err, ProjectError):
            raise
        raise ProjectError(f"{where}: {step}: {_problem(err)}") from None


def _uid(imap: imaplib.IMAP4, settings: ImapSettings, command: str, *args: str) -> list[object]:
    """A UID command's data; ProjectError if it fails (what was suppressed stays so)."""
    try:
        status, data = imap.uid(command, *args)
    except (OSError, imaplib.IMAP4.error) as err:
        raise ProjectError(f"IMAP server {settings}: {command} failed: {_problem(err)}") from None
    if status != "OK":
        raise ProjectError(f"IMAP server {settings}: {command} refused: {_said(data)}")
    return list(data)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(value: object) -> str:
    """What the server said, as text."""
    if isinstance(value, imaplib.IMAP4.error) and value.args:
        value = value.args[0]
    if isinstance(value, list | tuple):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split()) or "no reason given"


def _problem(err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused (is the server running, and is the port right?)"
    if isinstance(err, TimeoutError):
        return f"no answer within {TIMEOUT:g} s"
    if isinstance(err, socket.gaierror):
        return f"unknown host ({err.strerror})"
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"its TLS certificate is not trusted ({err.verify_message})"
    if isinstance(err, ssl.SSLError):
        return f"TLS failed ({err.reason or err})"
    if isinstance(err, imaplib.IMAP4.readonly):
        return f"it is read-only ({_said(err)})"
    if isinstance(err, imaplib.IMAP4.abort):
        return f"the connection was lost ({_said(err)})"
    if isinstance(err, imaplib.IMAP4.error):
        return _said(err)
    if isinstance(err, OSError):
        return err.strerror or str(err) or type(err).__name__
    return str(err)


def _unread(imap: imaplib.IMAP4, settings: ImapSettings) -> list[str]:
    """UIDs of the messages not yet flagged as done, oldest first."""
    data = _uid(imap, settings, "SEARCH", "NOT", "KEYWORD", DONE_FLAG)
    return [uid.decode() for line in data if isinstance(line, bytes) for uid in line.split()]


def _read(
    imap: imaplib.IMAP4, settings: ImapSettings, uid: str, unsubscribe: str
) -> MailboxItem | None:
    """Fetch (without setting \\Seen) and classify one message."""
    data = _uid(imap, settings, "FETCH", uid, f"(BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>)")
    raw = next((part[1] for part in data if isinstance(part, tuple) and len(part) == 2), None)
    if not isinstance(raw, bytes):
        return None  # expunged meanwhile by another client
    try:
        message = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    except Exception as err:  # the email package can raise on hostile input: never stop a run
        return MailboxItem(uid, "other", "", f"unreadable message ({type(err).__name__})")
    item = classify(message, unsubscribe)
    if item is not None:
        item.uid = uid
    return item


# -- classification (pure) ------------------------------------------------------------------


def classify(message: EmailMessage, unsubscribe_address: str) -> MailboxItem | None:
    """What a message asks for: an unsubscribe request, a bounce, ``other`` (looked like one
    but is not acted on: a delay, an unreadable message, an invalid address), or None for
    ordinary mail. ``unsubscribe_address`` "" means requests are known by Subject only.
    The uid is left empty for the caller."""
    try:
        return _classify(message, unsubscribe_address)
    except Exception as err:  # the email package can raise on hostile input: never stop a run
        return MailboxItem("", "other", "", f"unreadable message ({type(err).__name__})")


def _classify(message: EmailMessage, unsubscribe_address: str) -> MailboxItem | None:
    subject = _header(message, "Subject")
    if message.get_content_type() == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() == "delivery-status"
    ):
        return _delivery_report(message)
    daemon = _from_daemon(message)
    failed = _addresses(message, "X-Failed-Recipients")
    if failed and (daemon or _header(message, "Return-Path") == "<>"):
        return _failed_recipients(message, failed, subject)
    if daemon:
        return MailboxItem("", "other", "", f"a delivery notice naming no recipient: {subject}")
    request = SUBJECT_RE.match(subject)
    if request or _sent_to(message, unsubscribe_address):
        return _request(message, subject, request.group(1) if request else "")
    defects = [type(d).__name__ for part in message.walk() for d in part.defects]
    if defects:
        sender = ""
        with contextlib.suppress(ValueError):
            sender = normalize_address(_sender(message))
        return MailboxItem("", "other", sender, f"unreadable message ({defects[0]})")
    return None


def _header(message: Message, name: str) -> str:
    return " ".join(" ".join(str(v).split()) for v in message.get_all(name, []))


def _addresses(message: Message, *names: str) -> list[str]:
    values = [str(v) for name in names for v in message.get_all(name, [])]
    return [address for _, address in getaddresses(values) if "@" in address]


def _sender(message: Message) -> str:
    found = _addresses(message, "From")
    return found[0] if len(found) == 1 else ""


def _from_daemon(message: Message) -> bool:
    """From mail software (MAILER-DAEMON, "Mail Delivery Subsystem"), not from a person."""
    name, address = parseaddr(_header(message, "From"))
    return address.rpartition("@")[0].lower() in DAEMON_LOCALS or bool(DAEMON_NAME_RE.search(name))


def _sent_to(message: Message, unsubscribe_address: str) -> bool:
    if "@" not in unsubscribe_address:
        return False
    local, _, domain = unsubscribe_address.lower().rpartition("@")
    for address in _addresses(message, "To", "Cc", "Delivered-To", "X-Original-To"):
        their_local, _, their_domain = address.lower().rpartition("@")
        if their_domain == domain and (their_local == local or their_local.startswith(local + "+")):
            return True
    return False


def _request(message: Message, subject: str, rest: str) -> MailboxItem:
    detail = subject or "(no subject)"
    sender = _sender(message)
    if not sender:
        return MailboxItem("", "other", "", f"unsubscribe request with no single From: {detail}")
    try:
        addresses = [normalize_address(sender)]
    except ValueError as err:
        return MailboxItem("", "other", "", f"unsubscribe request from {sender!r}: {err}")
    named = unquote(rest).strip(" :<>")
    if "@" in named and " " not in named:  # "unsubscribe alice@example.org": the one mailed
        with contextlib.suppress(ValueError):
            address = normalize_address(named)
            if address_key(address) != address_key(addresses[0]):
                addresses.append(address)
    return MailboxItem("", "unsubscribe", ", ".join(addresses), detail)


def _delivery_report(message: EmailMessage) -> MailboxItem:
    """An RFC 3464 report: suppress recipients that failed with a 5.x.x status."""
    failed: dict[str, str] = {}
    delayed: dict[str, str] = {}
    for part in message.iter_parts():
        if part.get_content_type() not in (
            "message/delivery-status",
            "message/global-delivery-status",
        ):
            continue
        for fields in _status_fields(part):
            action = fields.get("action", "").lower()
            status = (fields.get("status", "").split() or [""])[0]
            diagnostic = fields.get("diagnostic-code", "").partition(";")
            text = SMTP_CODE_RE.sub(" ", diagnostic[2] or diagnostic[0])
            detail = shorten(f"{status} {text}", MAX_DETAIL)
            recipients = _report_recipients(fields)
            if action == "failed" and status.startswith("5."):
                failed.update(dict.fromkeys(recipients, detail))
            elif action in ("failed", "delayed"):
                delayed.update(dict.fromkeys(recipients, detail))
    if failed:
        details = "; ".join(dict.fromkeys(failed.values()))
        return MailboxItem("", "bounce", ", ".join(failed), details)
    if delayed:
        details = "; ".join(dict.fromkeys(delayed.values()))
        return MailboxItem("", "other", ", ".join(delayed), f"temporary: {details}")
    return MailboxItem("", "other", "", "a delivery report with no permanent failure")


def _status_fields(part: Message) -> list[dict[str, str]]:
    """The field groups of a delivery-status part, names in lower case."""
    payload = part.get_payload()
    texts: list[str] = []
    groups: list[dict[str, str]] = []
    if isinstance(payload, list):  # the parser splits message/delivery-status into groups
        for group in payload:
            if not isinstance(group, Message):
                continue
            groups.append({k.lower(): " ".join(str(v).split()) for k, v in group.items()})
            if isinstance(group.get_payload(), str):
                texts.append(str(group.get_payload()))
    else:
        raw = part.get_payload(decode=True)
        texts.append(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload))
    for text in texts:
        for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
            fields = {n.lower(): " ".join(v.split()) for n, v in FIELD_RE.findall(chunk)}
            if fields:
                groups.append(fields)
    return groups


def _report_recipients(fields: dict[str, str]) -> list[str]:
    """Final-Recipient, and Original-Recipient (the address mailed, before any forwarding)."""
    found: list[str] = []
    for name in ("final-recipient", "original-recipient"):
        kind, _, address = fields.get(name, "").rpartition(";")
        if kind.strip().lower() not in ("", "rfc822", "utf-8"):
            continue
        with contextlib.suppress(ValueError):
            normal = normalize_address(address.strip().strip("<>"))
            if all(address_key(normal) != address_key(f) for f in found):
                found.append(normal)
    return found


def _failed_recipients(message: EmailMessage, failed: list[str], subject: str) -> MailboxItem:
    """A non-standard bounce (Exim and others): the X-Failed-Recipients header names them."""
    addresses: list[str] = []
    for address in failed:
        with contextlib.suppress(ValueError):
            addresses.append(normalize_address(address))
    if not addresses:
        return MailboxItem("", "other", "", f"a bounce naming no valid recipient: {subject}")
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    line = STATUS_LINE_RE.search(text if isinstance(text, str) else "")
    if line:
        code, status, said = line.groups()
        detail = shorten(f"{status or code} {SMTP_CODE_RE.sub(' ', said)}", MAX_DETAIL)
    else:
        detail = f"failed: {subject}"
    return MailboxItem("", "bounce", ", ".join(addresses), detail)

"""Messages: an edition → one MIME message per recipient, with safe headers.

The edition's email is rendered once per *variant* (with or without a name; a
member with items shared for them gets their own), in one language (``prepare``'s:
the newsletter's unless told; an edition goes out in several languages by being
prepared once per language), with stand-in marks where
the recipient's name and address go; each message then only swaps those in.
That keeps 10,000 personalized messages cheap. Every header value that comes
from data is refused if it holds a line break or a control character (header
injection), and each finished message is parsed back and compared before it
may be sent.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field, replace
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from urllib.parse import quote

from newsletter.core.errors import NewsletterError
from newsletter.core.model import EditionView, Site
from newsletter.core.urls import slugify
from newsletter.mail.subscribers import Subscriber
from newsletter.render.email import (
    GMAIL_CLIP_BYTES,
    Recipient,
    email_html,
    email_text,
    personal,
)
from newsletter.render.environment import Theme, globals_for
from newsletter.render.locale import Language

NAME = "\ue000name\ue000"
EMAIL = "\ue000email\ue000"
UNSUBSCRIBE = "\ue000unsubscribe\ue000"
"""Stand-ins for what differs per recipient (private-use characters no one types)."""
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
"""CRLF line ends; long header values (List-Unsubscribe URLs) kept on one line, as RFC 5322
allows up to 998 characters, instead of folded before their first word."""
_UNSAFE_RE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
MAX_SUBJECT = 100
"""Characters of a subject at most: inboxes show fewer than that, and a longer one reads
as a paragraph; past it the title is cut at a word."""


class MessageError(NewsletterError):
    """A message could not be made safely; the message says what and for whom."""


def safe_header(name: str, value: str) -> str:
    """``value`` if it may go in a header: no line break or control character."""
    if _UNSAFE_RE.search(value):
        raise MessageError(
            f"refusing a {name} header with a line break or control character: {value!r}"
        )
    return value


@dataclass
class EditionMail:
    """An edition made ready to send in one language: rendered variants and the headers
    all its messages share."""

    site: Site
    view: EditionView
    theme: Theme
    language: Language
    """What the messages say, and how (the Subject line is already in it)."""
    subject: str
    sender: str
    reply_to: str
    list_id: str
    unsubscribe_mailto: str
    unsubscribe_url: str
    domain: str
    _variants: dict[tuple[bool, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return self.view.edition.number

    def variant(self, named: bool, member: str) -> tuple[str, str]:
        """(html, text) with stand-ins, for a recipient with/without a name and as member."""
        mine = personal(self.site, self.view, member)
        key = (named, member if mine != Recipient("") else "")
        if key not in self._variants:
            stand_in = replace(
                mine, email=EMAIL, name=NAME if named else "", unsubscribe=UNSUBSCRIBE
            )
            ctx = globals_for(self.site, self.language)
            self._variants[key] = (
                email_html(self.theme, ctx, self.view, stand_in).decode(),
                email_text(self.site, self.theme, ctx, self.view, stand_in).decode(),
            )
        return self._variants[key]


def prepare(
    site: Site, view: EditionView, theme: Theme, language: Language | None = None
) -> EditionMail:
    """Check the sender settings once, for every message of the edition in ``language``
    (the newsletter's own when None)."""
    config = site.config
    language = language if language is not None else theme.language(config.language)
    sender = config.email.from_
    name, address = parseaddr(sender)
    if not address or "@" not in address:
        raise MessageError(
            "email.from in newsletter.yaml must be an address, like "
            "'The Exchange <news@example.org>'"
        )
    safe_header("From", sender)
    domain = address.rpartition("@")[2].lower()
    unsubscribe = config.email.unsubscribe or address
    for header, value in (("Reply-To", config.email.reply_to), ("List-Unsubscribe", unsubscribe)):
        safe_header(header, value)
    subject = safe_header(
        "Subject", subject_line(view.edition.number, view.edition.title, language)
    )
    list_slug = slugify(config.title) or "newsletter"
    return EditionMail(
        site=site,
        view=view,
        theme=theme,
        language=language,
        subject=subject,
        sender=formataddr((name, address)),
        reply_to=config.email.reply_to,
        list_id=safe_header("List-Id", f"{config.title} <{list_slug}.{domain}>"),
        unsubscribe_mailto=unsubscribe,
        unsubscribe_url=config.email.unsubscribe_url,
        domain=domain,
    )


def subject_line(number: int, title: str, language: Language) -> str:
    """'#12: The title' in ``language``, cut at a word with '…' when longer than
    ``MAX_SUBJECT`` characters (a single word that long is cut where it must be)."""
    # Translators: the title of an edition's email, and its Subject line: "#12: The title".
    message = language.gettext("#%(number)s: %(title)s")
    subject = message % language.values({"number": number, "title": title})
    if len(subject) <= MAX_SUBJECT:
        return subject
    cut = subject[: MAX_SUBJECT - 1]
    space = cut.rfind(" ")
    if space > subject.find(title):  # never cut before the title's first word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def message_id(edition: int, email: str, domain: str) -> str:
    """The same for the same edition and recipient: a resent copy is recognisably one."""
    digest = hashlib.sha256(f"{edition}\n{email.lower()}".encode()).hexdigest()[:24]
    return f"<edition-{edition}.{digest}@{domain}>"


def unsubscribe_links(edition: EditionMail, email: str) -> tuple[str, str]:
    """(mailto link, https link or '') for List-Unsubscribe and the footer."""
    mailto = f"mailto:{edition.unsubscribe_mailto}?subject=unsubscribe%20{quote(email)}"
    url = ""
    if edition.unsubscribe_url:
        join = "&" if "?" in edition.unsubscribe_url else "?"
        url = f"{edition.unsubscribe_url}{join}email={quote(email)}"
    return mailto, url


@dataclass(frozen=True)
class Message:
    """One recipient's message: its headers (to check) and its bytes (to send)."""

    headers: EmailMessage
    data: bytes


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends (binascii: C speed, 55 KB in well under 1 ms)."""
    return binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")


def build_message(
    edition: EditionMail, subscriber: Subscriber, now: dt.datetime, *, test: bool = False
) -> Message:
    """The message for one subscriber: multipart/alternative, UTF-8, headers checked."""
    email, name = subscriber.email, subscriber.name
    safe_header("To", email)
    safe_header("To", name)
    mailto, url = unsubscribe_links(edition, email)
    text, page = _bodies(edition, subscriber, url or mailto)
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["From"] = edition.sender
    msg["To"] = Address(display_name=name, addr_spec=email) if name else email
    if edition.reply_to:
        msg["Reply-To"] = edition.reply_to
    msg["Subject"] = ("[test] " if test else "") + edition.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(edition.number, email, edition.domain)
    msg["List-Id"] = edition.list_id
    msg["List-Unsubscribe"] = f"<{mailto}>" + (f", <{url}>" if url else "")
    if url:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Newsletter-Edition"] = str(edition.number)
    msg["MIME-Version"] = "1.0"
    boundary = f"=_newsletter_{edition.number}_{hashlib.sha256(email.encode()).hexdigest()[:16]}"
    msg["Content-Type"] = f'multipart/alternative; boundary="{boundary}"'
    head = b"".join(SMTP_POLICY.fold_binary(k, v) for k, v in msg.items()) + b"\r\n"
    return Message(msg, head + _alternatives(boundary, text, page))


def _bodies(edition: EditionMail, subscriber: Subscriber, footer_link: str) -> tuple[str, str]:
    """(text, html) of the subscriber's variant, their name, address and link swapped in.
    A member is greeted by their first name; another subscriber by the name they gave."""
    member = edition.site.members.get(subscriber.member)
    email, name = subscriber.email, member.first_name if member else subscriber.name
    page, text = edition.variant(bool(name), subscriber.member)
    page = (
        page.replace(NAME, html.escape(name))
        .replace(EMAIL, html.escape(email))
        .replace(UNSUBSCRIBE, html.escape(footer_link))
    )
    text = text.replace(NAME, name).replace(EMAIL, email).replace(UNSUBSCRIBE, footer_link)
    if len(page.encode()) >= GMAIL_CLIP_BYTES:
        raise MessageError(
            f"the email of edition {edition.number} for {email} is over "
            f"{GMAIL_CLIP_BYTES // 1024} KB; Gmail would clip it"
        )
    return text, page


def _alternatives(boundary: str, text: str, page: str) -> bytes:
    """The body: the text part, then the HTML part, each quoted-printable."""
    # assembled here rather than by email.contentmanager, whose pure-Python encoder took
    # most of the time of a send; QP output never holds "=_", so the boundary cannot
    # occur in it
    part = (
        b"\r\nContent-Type: text/%s; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    dash = f"--{boundary}".encode()
    return b"".join(
        (
            dash,
            part % b"plain",
            _qp(text),
            b"\r\n",
            dash,
            part % b"html",
            _qp(page),
            b"\r\n",
            dash,
            b"--\r\n",
        )
    )


def _words(value: object) -> str:
    return " ".join(str(value).split())  # folding may move a value to the next line


def verify(message: Message, subscriber: Subscriber) -> bytes:
    """The message's bytes, once parsing them back gives the same recipient and headers."""
    # headers parsed as a reader would; the body's structure checked on its bytes (a full
    # parse of a 60 KB body cost more than building the message)
    back = BytesParser(policy=policy.compat32).parsebytes(message.data, headersonly=True)
    sent = message.headers
    to = getaddresses([str(back["To"])])
    problems = []
    if len(to) != 1 or to[0][1].lower() != subscriber.email.lower():
        problems.append(f"To parses as {to!r}")
    boundary = back.get_boundary()
    if back.get_content_type() != "multipart/alternative" or not boundary:
        problems.append(f"it is {back.get_content_type()}, not multipart/alternative")
    else:
        parts = message.data.split(b"\r\n--" + boundary.encode())
        kinds = [p.split(b"\r\n", 2)[1] for p in parts[1:-1]]
        if (
            kinds
            != [
                b"Content-Type: text/plain; charset=utf-8",
                b"Content-Type: text/html; charset=utf-8",
            ]
            or parts[-1] != b"--\r\n"
        ):
            problems.append("its parts are not one text and one HTML part")
    for header in ("From", "Subject", "Message-ID", "List-Unsubscribe", "Date"):
        if back[header] is None or _words(back[header]) != _words(
            sent[header].fold(policy=SMTP_POLICY).split(":", 1)[1]
        ):
            problems.append(f"the {header} header does not parse back")
    if len(back.keys()) != len(sent.keys()):
        problems.append("parsing back gives other headers (an injected line?)")
    if problems:
        raise MessageError(f"message for {subscriber.email} refused: " + "; ".join(problems))
    return message.data

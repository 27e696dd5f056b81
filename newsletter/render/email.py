"""The email edition: one HTML message built for mail clients, and its plain text.

The HTML uses a table layout with the theme's CSS inlined (css-inline), since
many clients drop <style>. Gmail clips messages over 102 KB, so an edition
whose full text would be larger is rendered with excerpts and links instead.

A message is in the language of the context it is rendered with (``ctx["locale"]``,
from ``globals_for(site, language)``): the same edition renders in another language
with another context. In a right-to-left language the templates mirror every side
they name, since mail clients ignore logical CSS properties.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import css_inline

from newsletter.core import urls
from newsletter.core.community import AskReport
from newsletter.core.markup import absolute_links
from newsletter.core.model import EditionView, Post, Site
from newsletter.render.environment import Theme, globals_for
from newsletter.render.jobs import Job, Output
from newsletter.render.locale import Language

GMAIL_CLIP_BYTES = 102 * 1024
_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


HELP_ASKS = 2
"""Open asks a member's email asks them to help with, at most."""


@dataclass(frozen=True)
class HelpWanted:
    """An open ask a member could answer, as their email shows it."""

    key: str
    """The ask post's key: its page is ``urls.post_key_url(key)``."""
    title: str
    by: str
    days: int
    """Days it has waited, as of the build's day."""
    reason: str
    """Why them, in words: 'offers “…”', 'has shared 4 posts on geocoding, …'."""


def help_wanted(report: AskReport | None, handle: str) -> tuple[HelpWanted, ...]:
    """Up to HELP_ASKS open asks member ``handle`` is suggested for: those they rank
    highest for first, then the longest waiting."""
    if report is None:
        return ()
    found = report.helping(handle)  # the longest waiting first
    found.sort(key=lambda pair: pair[0].helpers.index(pair[1]))  # stable: keeps that order
    return tuple(
        HelpWanted(ask.key, ask.title, ask.by, ask.waiting(report.today), helper.reason)
        for ask, helper in found[:HELP_ASKS]
    )


@dataclass(frozen=True)
class Recipient:
    """Who one message is for, as the email templates see it (``recipient``)."""

    email: str
    name: str = ""
    """Whom 'Hello …' greets: a member's first name, another subscriber's name as given."""
    unsubscribe: str = ""
    for_you: tuple[Post, ...] = ()
    meet: tuple[str, str] | None = None
    """A member they should meet, and why (the network's best suggestion for them)."""
    dormant: tuple[str, int] | None = None
    """A tie of theirs gone quiet: the other member, and for how many months."""
    can_help: tuple[HelpWanted, ...] = ()
    """Open asks they are among the best placed to answer (at most HELP_ASKS)."""


def personal(site: Site, view: EditionView, member: str) -> Recipient:
    """What the email says to member ``member`` only: items shared for them this edition,
    one person to meet, one tie to renew, asks they could help with. Only the items for a
    member who opted out of the network."""
    found = site.members.get(member)
    if not member or found is None:
        return Recipient("")
    for_you = tuple(p for p in view.items if member in p.for_)
    if site.network is None or not found.network:
        return Recipient("", for_you=for_you)
    mine = site.network.member(member)
    meet = next(((s.b if s.a == member else s.a, s.reason) for s in mine.suggestions), None)
    dormant = next(((d.b if d.a == member else d.a, d.months) for d in mine.dormant), None)
    return Recipient(
        "",
        for_you=for_you,
        meet=meet,
        dormant=dormant,
        can_help=help_wanted(site.asks, member),
    )


def email_jobs(site: Site, theme: Theme, language: Language | None = None) -> list[Job]:
    """Each edition's email as published on the site: for no one in particular; in
    ``language`` (by default the site's main one)."""
    ctx = globals_for(site, language or theme.language(site.config.language))

    def both(view: EditionView) -> Output:
        html, text = urls.edition_email(view.edition.number)
        return {
            html: email_html(theme, ctx, view),
            text: email_text(site, theme, ctx, view),
        }

    return [
        Job(
            urls.edition_email(view.edition.number)[0],
            (view,),
            partial(both, view),
            ("email/edition.html", "email/edition.txt"),
        )
        for view in site.editions
    ]


def email_html(
    theme: Theme, ctx: dict[str, object], view: EditionView, recipient: Recipient | None = None
) -> bytes:
    """The HTML message, CSS inlined, in ``ctx``'s language; with excerpts when the full
    text would be clipped."""
    html = b""
    for full in (True, False):
        raw = theme.page(
            "email/edition.html", ctx, view=view, full=full, recipient=recipient
        ).decode()
        html = _inliner.inline(raw).encode()
        if len(html) < GMAIL_CLIP_BYTES - 2048:  # room for the recipient's own details
            break
    return html


def email_text(
    site: Site,
    theme: Theme,
    ctx: dict[str, object],
    view: EditionView,
    recipient: Recipient | None = None,
) -> bytes:
    """The plain-text message, in ``ctx``'s language."""
    return theme.page(
        "email/edition.txt",
        ctx,
        view=view,
        recipient=recipient,
        body_text=lambda md: absolute_links(md, site.config.base_url).strip(),
    )

"""The email edition: one HTML message built for mail clients, and its plain text.

The HTML uses a table layout with the theme's CSS inlined (css-inline), since
many clients drop <style>. Gmail clips messages over 102 KB, so an edition
whose full text would be larger is rendered with excerpts and links instead.
"""

from __future__ import annotations

import css_inline

from newsletter.markup import absolute_links
from newsletter.model import EditionView, Site
from newsletter.render.environment import Theme, globals_for

GMAIL_CLIP_BYTES = 102 * 1024
_inliner = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def render_email(site: Site, theme: Theme) -> dict[str, bytes]:
    ctx = globals_for(site)
    out: dict[str, bytes] = {}
    for view in site.editions:
        number = view.edition.number
        out[f"email/{number}.html"] = email_html(theme, ctx, view)
        out[f"email/{number}.txt"] = theme.page(
            "email/edition.txt",
            ctx,
            view=view,
            body_text=lambda md: absolute_links(md, site.config.base_url).strip(),
        )
    return out


def email_html(theme: Theme, ctx: dict[str, object], view: EditionView) -> bytes:
    html = b""
    for full in (True, False):
        raw = theme.page("email/edition.html", ctx, view=view, full=full).decode()
        html = _inliner.inline(raw).encode()
        if len(html) < GMAIL_CLIP_BYTES:
            break
    return html

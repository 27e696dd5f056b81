"""Pages: ``content/pages/<slug>.md`` → ``Page``, a standalone page at /<slug>/.

About, a code of conduct, how to share: a title, the Markdown text (rendered and
sanitized as a post's is), and optionally a summary and the menu that links to it
('nav' or 'footer', in an ``order``). A page's address is its file's name, which must be
a slug and must not be one the site already uses (members/, search/, posts/…:
``core.urls.taken_by_site``). Links between pages and the rest are ``check``'s job.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.core import urls
from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import render_markdown
from newsletter.core.model import MENUS, Config, Page
from newsletter.load.documents import read_document
from newsletter.load.fields import SLUG_RE, Fields
from newsletter.load.marks import pack_marks
from newsletter.project.sources import Project

PAGE_FIELDS = {"title", "summary", "menu", "order"}


def load_page(project: Project, file: Path, config: Config, diags: Diagnostics) -> Page | None:
    """A page's file → its ``Page``; None, with the reasons reported, if it cannot be one."""
    path = project.relative(file)
    where = Location(path)
    slug = file.stem
    if not _address(slug, where, diags):
        return None
    document = read_document(project, file, diags, PAGE_FIELDS, config.privacy)
    if document is None:
        return None
    fields, body, body_line = document
    where = fields.location  # its path is the marks' too: one string, once pickled
    path = where.path
    title = fields.text("title", required=True, example="About us")
    if not title:
        return None
    return Page(
        slug=slug,
        title=title,
        location=where,
        body_location=Location(path, body_line),
        body_md=body,
        body_html=render_markdown(body, config.base_path) if body else "",
        summary=fields.text("summary", example="Who we are and how the exchange works"),
        menu=_menu(fields),
        order=fields.count("order", 0, example="1"),
        marks=pack_marks(fields.marks),
    )


def _address(slug: str, where: Location, diags: Diagnostics) -> bool:
    """Whether /<slug>/ can be the page's address; if not, an error says why."""
    if not SLUG_RE.match(slug):
        diags.error(
            where,
            "page.slug",
            f"'{slug}' cannot be a page's address",
            "rename the file: lowercase letters, digits and '-', like "
            f"{urls.slugify(slug) or 'code-of-conduct'}.md",
        )
        return False
    if urls.taken_by_site(slug):
        diags.error(
            where,
            "page.slug",
            f"/{slug}/ is already the site's own page: a standalone page cannot take it",
            f"rename the file, for example to about-{slug}.md",
        )
        return False
    return True


def _menu(fields: Fields) -> str:
    """``menu:``, 'nav' or 'footer'; '' when not given or not one of them (reported)."""
    menu = fields.text("menu", example="footer").lower()
    if menu and menu not in MENUS:
        fields.diags.error(
            fields.at("menu"),
            "page.menu",
            f"unknown menu '{menu}'{did_you_mean(menu, MENUS)}",
            "menu is nav (the links at the top of every page) or footer (at the bottom); "
            "leave it out for a page no menu links to",
        )
        return ""
    return menu

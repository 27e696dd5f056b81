"""Render: the Site and the templates → every output file, as bytes.

Pure: reads templates and static files, writes nothing. Returns
``{path relative to site/: bytes}``; ``write`` puts them in place. Pages,
feeds, email and social previews (card images) each have a module here.
"""

from __future__ import annotations

from newsletter.model import Site
from newsletter.progress import Progress, quiet
from newsletter.render.email import render_email
from newsletter.render.environment import Theme
from newsletter.render.feeds import render_feeds
from newsletter.render.pages import render_pages
from newsletter.render.social import render_social

Output = dict[str, bytes]


def render(site: Site, theme: Theme, progress: Progress = quiet) -> Output:
    out: Output = {}
    parts = (
        render_pages(site, theme, progress),
        render_feeds(site, theme),
        render_email(site, theme),
        render_social(site, theme),
    )
    for part in parts:
        clash = out.keys() & part.keys()
        if clash:  # two renderers claiming one path is a bug, never a silent overwrite
            raise RuntimeError(f"rendered twice: {sorted(clash)[:3]}")
        out.update(part)
    return out


__all__ = ["Output", "Theme", "render"]

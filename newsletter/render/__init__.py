"""Render: the Site and the templates → every output file, as bytes.

Pure: reads templates and static files, writes nothing. The work is a list of
:class:`Job`: one page, feed, email or card each, with what it shows (``inputs``),
so that a build can skip a job whose inputs are unchanged and can spread the
others over processes. ``render`` runs them all: ``{path relative to site/: bytes}``;
``write`` puts them in place. Pages, feeds, email and social previews (card
images) each have a module here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsletter.core.model import Site
from newsletter.core.progress import Progress, quiet
from newsletter.render.environment import Theme

Output = dict[str, bytes]


@dataclass(frozen=True)
class Job:
    """One unit of rendering.

    ``name`` is its main output path (unique). ``inputs`` is everything it shows beyond
    the site-wide context (config, members, theme): model objects and plain values, which
    make its key. ``templates`` are the templates it renders: when one of them (or what it
    includes) reads ``site``, the whole site is an input too. ``whole_site`` says so for a
    job that reads it in code.
    """

    name: str
    inputs: tuple[Any, ...]
    run: Callable[[], Output]
    templates: tuple[str, ...] = ()
    whole_site: bool = False


def plan_jobs(site: Site, theme: Theme) -> list[Job]:
    """Every job of a build, pages first (most of the work)."""
    from newsletter.render.email import email_jobs
    from newsletter.render.pages import page_jobs
    from newsletter.render.social import social_jobs
    from newsletter.render.syndication import feed_jobs

    return [
        *page_jobs(site, theme),
        *feed_jobs(site, theme),
        *email_jobs(site, theme),
        *social_jobs(site, theme),
    ]


def run_jobs(jobs: list[Job], progress: Progress = quiet) -> Output:
    """Each job's files, in one mapping; two jobs claiming one path is a bug."""
    out: Output = {}
    for done, job in enumerate(jobs, 1):
        part = job.run()
        clash = out.keys() & part.keys()
        if clash:  # never a silent overwrite
            raise RuntimeError(f"rendered twice: {sorted(clash)[:3]}")
        out.update(part)
        if done % 50 == 0 or done == len(jobs):
            progress("render", done, len(jobs))
    return out


def render(site: Site, theme: Theme, progress: Progress = quiet) -> Output:
    """Every output file of the site, rendered in this process."""
    return run_jobs(plan_jobs(site, theme), progress)


__all__ = ["Job", "Output", "Theme", "plan_jobs", "render", "run_jobs"]

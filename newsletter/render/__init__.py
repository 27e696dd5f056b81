"""Render: the Site and the templates → every output file, as bytes.

Owns what each output holds, at the path the site's layout (``core.urls``) gives it.
Pure: model + templates → ``{path relative to site/: bytes}``. Reads the theme's
templates and static files; writes nothing to disk but the caches of ``.newsletter/`` it
is given or owns (compiled templates, card images), and opens no connection
(``publish.write`` puts the files in place). May import the layers below it
(``load``, ``feeds`` for OPML, ``project`` for the theme, ``core``); never ``publish``,
``pipeline`` or anything that fetches, sends, writes or keeps state (import-linter checks this).

The work is a list of jobs (``jobs``). Each kind of output has its module: ``pages``,
``syndication`` (feeds, calendar, sitemap, OPML), ``email``, ``social`` (previews and
card images), on ``environment`` (the Jinja theme) and ``netmap`` (the network map).
This facade lists every job of a build and runs them.
"""

from __future__ import annotations

from newsletter.core import urls
from newsletter.core.model import Site
from newsletter.core.progress import Progress, quiet
from newsletter.render.environment import COMPILED_FOLDER, Theme
from newsletter.render.jobs import Job, Output, run_jobs


def plan_jobs(site: Site, theme: Theme, *, cached: bool = True) -> list[Job]:
    """Every job of a build: the cards first (the slowest, about 10 ms each: last, they
    would leave one worker drawing while the others wait), then pages (most of the
    work). ``cached``: cards may come from the project's card cache."""
    # imported here, not above: who renders one email (send) should not pay for the
    # network map's networkx or the cards' drawing
    from newsletter.render.email import email_jobs
    from newsletter.render.pages import page_jobs
    from newsletter.render.social import social_jobs
    from newsletter.render.syndication import feed_jobs

    jobs = [
        *social_jobs(site, theme, cached=cached),
        *page_jobs(site, theme),
        *feed_jobs(site, theme),
        *email_jobs(site, theme),
    ]
    for tag in site.config.languages[1:]:
        language = theme.language(tag)
        folder = urls.language_folder(tag, site.config.language)
        jobs += [
            _in_folder(job, folder)
            for job in (
                *page_jobs(site, theme, language),
                *feed_jobs(site, theme, language),
                *email_jobs(site, theme, language),
            )
            if job.name not in ONE_FOR_ALL_LANGUAGES
        ]
    return jobs


ONE_FOR_ALL_LANGUAGES = frozenset(
    (urls.STATIC, urls.ROBOTS, urls.NOT_FOUND, urls.EVENTS, urls.SITEMAP, urls.BLOGROLL)
)
"""Files a multilingual site has once, whatever the language (the main language's): the
theme's, the calendar's, the lists for robots and feed readers, the page for any
missing address. Pages, feeds and emails have a copy in each language's folder."""


def _in_folder(job: Job, folder: str) -> Job:
    """``job`` writing under ``folder`` ('fr/'): its outputs, name and key move there."""

    def run() -> Output:
        return {folder + path: data for path, data in job.run().items()}

    return Job(folder + job.name, (folder, *job.inputs), run, job.templates, job.whole_site)


def render(site: Site, theme: Theme, progress: Progress = quiet) -> Output:
    """Every output file of the site, rendered in this process."""
    return run_jobs(plan_jobs(site, theme), progress)


__all__ = ["COMPILED_FOLDER", "Job", "Output", "Theme", "plan_jobs", "render", "run_jobs"]

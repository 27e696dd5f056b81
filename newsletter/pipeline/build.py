"""Build: the pipeline, stage by stage — load → check → enrich → render → publish.

The one place that knows the order of the stages. :func:`check_project` runs load and
check (``newsletter check``, and every build); :func:`site_in_memory` adds enrich, for
the commands that need the newsletter but not its files (contacts, network, send);
:func:`build_project` runs them all — ``_enrich``, ``_plan_render``,
``_render_and_publish``, ``_remember_outputs`` — unless nothing changed since the last
build. Nothing here prints: stages report through ``progress``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.core import clock, collector, urls
from newsletter.core.diagnostics import Diagnostic, Diagnostics, Location, did_you_mean
from newsletter.core.errors import BuildFailed, ProjectError
from newsletter.core.progress import Progress, quiet
from newsletter.project.buildcache import (
    RACY_NS,
    BuildCache,
    Digests,
    OutputRecord,
    SiteCheck,
    SiteFiles,
    code_stamp,
    digest_bytes,
    files_intact,
    open_build_cache,
    stamp_files,
    tree_stamp,
)
from newsletter.project.sources import Project

if TYPE_CHECKING:  # the stages are imported when they run: a build with nothing to do
    from newsletter.core.model import Config, Content, PrivacyOptions, Site

    # needs none of them
    from newsletter.publish.outputs import Finish, OutputsWritten
    from newsletter.publish.write import WriteReport
    from newsletter.render import Job, Output, Theme


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    base_url: str | None = None
    output: Path | None = None
    today: dt.date | None = None
    jobs: int | None = None
    """Processes to render with; None: one per core."""
    incremental: bool = True
    """Reuse what the last build made (.newsletter/build.sqlite) for what did not change."""
    search: bool = True
    """Make the search index (Pagefind, newsletter/publish/search.py) and show the search box."""

    def day(self) -> dt.date:
        return self.today or clock.today()

    def workers(self) -> int:
        return max(1, self.jobs if self.jobs is not None else (os.cpu_count() or 1))


@dataclass
class BuildResult:
    site: Site | None
    """None when nothing changed since the last build, which is then not redone."""
    output: Path
    files: int
    report: WriteReport
    diagnostics: list[Diagnostic]
    timings: dict[str, float] = field(default_factory=dict)
    counts: tuple[int, int, int] = (0, 0, 0)
    """Editions, posts and members published."""
    rendered: int = 0
    """Render jobs run (pages, feeds, emails, cards); the others were reused."""
    notes: list[str] = field(default_factory=list)


def check_project(
    project: Project,
    options: BuildOptions,
    progress: Progress = quiet,
    cache: BuildCache | None = None,
) -> tuple[Content, Diagnostics]:
    from newsletter.load import load
    from newsletter.pipeline.check import check

    diags = Diagnostics()
    progress("load")
    content = load(project, diags, options.base_url, progress, cache, options.workers())
    progress("check")
    check(content, diags, options.day(), options.drafts)
    return content, diags


def site_in_memory(project: Project, options: BuildOptions) -> tuple[Site, Diagnostics]:
    """Load, check and enrich, for commands that need the newsletter but not its files
    (contacts, network, send); errors raise BuildFailed, as they stop a build."""
    from newsletter.pipeline.enrich import enrich

    content, diags = check_project(project, options)
    if diags.has_errors:
        raise BuildFailed(diags.sorted())
    return enrich(content, options.day(), options.drafts), diags


def public_addresses(config: Config) -> PrivacyOptions:
    """The addresses the site shows on purpose: those of ``privacy.public_addresses``
    and the subscribe box's mailto."""
    address = config.email.subscribe_mailto.strip().lower()
    patterns = config.privacy.public_addresses + ((address,) if address else ())
    from newsletter.core.model import PrivacyOptions

    return PrivacyOptions(patterns)


BINARY_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
"""Images the build made (cards, post images, with no metadata) are not read as text by
:func:`find_leaks`: compressed pixels hold only chance look-alikes of an address. SVG is
text and is read, and so is every file under static/, which is copied as it is."""


def find_leaks(files: Output, allowed: PrivacyOptions | None = None) -> list[Diagnostic]:
    """A last guard: no email address may be in any published file, but the ``allowed``.

    ``allowed`` holds whole addresses and ``@domain`` patterns (see
    :func:`public_addresses`); any other address, even one that contains an allowed
    one, is a leak.
    """
    from newsletter.core.markup import find_addresses
    from newsletter.core.model import PrivacyOptions

    allowed = allowed or PrivacyOptions()
    diags = Diagnostics()
    for name, data in files.items():
        made_image = name.lower().endswith(BINARY_IMAGES) and not name.startswith("static/")
        if b"@" not in data or made_image:
            continue
        text = data.decode("utf-8", "replace")
        for match in find_addresses(text):
            if allowed.allows(match.group()):
                continue
            line = text.count("\n", 0, match.start()) + 1
            diags.error(
                Location(f"site/{name}", line),
                "privacy.output",
                "an email address would be published",
                "remove it from the template or config that put it there",
            )
    return diags.items


def warn_clipped_emails(site: Site, records: dict[str, OutputRecord], diags: Diagnostics) -> None:
    """Even as excerpts, an edition this long would be clipped by Gmail: say so."""
    from newsletter.render.email import GMAIL_CLIP_BYTES

    for view in site.editions:
        name = urls.edition_email(view.edition.number)[0]
        record = records.get(name)
        size = next((f.size for f in record.files if f.path == name), 0) if record else 0
        if size >= GMAIL_CLIP_BYTES:
            diags.warning(
                view.edition.location,
                "email.too-large",
                f"the email of edition {view.edition.number} is {size // 1024} KB even with "
                f"excerpts; Gmail clips messages over {GMAIL_CLIP_BYTES // 1024} KB",
                "split the edition in two (an earlier date for part of it), or exclude items",
            )


def _refuse_unsafe_output(project: Project, output: Path) -> None:
    """The output folder is replaced whole: never let that be the project itself."""
    out = output.resolve()
    root = project.root.resolve()
    if (
        out == root
        or out in root.parents
        or root / "content" in (out, *out.parents)
        or out == root / "templates"
    ):
        raise ProjectError(
            f"refusing to use {output} as the output folder: it would replace "
            "the project's own files; choose a folder such as site/"
        )


def inputs_stamp(project: Project, options: BuildOptions, output: Path) -> tuple[str, int]:
    """A digest of everything a build reads (the project's files but its output and its
    state, the feed cache, this package, the options), and the newest mtime among them."""
    skip = [project.root / p for p in (".git", ".newsletter", "private", "site")]
    skip += [output]
    feeds = [project.state / f"feeds.sqlite{s}" for s in ("", "-wal")]
    stamp, newest = stamp_files([project.root, *feeds], skip)
    seen = (
        stamp,
        code_stamp(),
        options.drafts,
        options.base_url,
        options.day(),
        options.search,
        str(output),
    )
    return digest_bytes(repr(seen).encode()), newest


def _site_check(
    last: object, cache: BuildCache, output: Path, options: BuildOptions
) -> SiteCheck | None:
    """Whether site/ is as the last build left it, checked beside the inputs' stamp
    (:class:`SiteCheck`); None when there is no such build to compare with."""
    site = last.get("site") if isinstance(last, dict) else None
    if not isinstance(site, SiteFiles) or cache.journal.exists():
        return None
    return SiteCheck(site, output, options.workers() > 1)


def _nothing_changed(
    last: object,
    check: SiteCheck | None,
    stamp: str,
    newest: int,
    start: float,
) -> BuildResult | None:
    """The last build's result, when it saw exactly these inputs and site/ is as it left
    it (:meth:`SiteFiles.intact`); nothing is read but one row of the cache."""
    from newsletter.publish.write import WriteReport

    if check is None:
        return None
    if (
        not isinstance(last, dict)
        or last.get("stamp") != stamp
        # a file stamped within the mtime's granularity of the last build's stamp may
        # have changed again since with the same size and mtime: that build is not
        # trusted for it
        or newest >= last.get("stamped_at", newest) - RACY_NS
    ):
        return None  # the check goes on: the build's plan takes its answer
    if not check.answer():
        return None
    files = last["files"]
    return BuildResult(
        None,
        check.output,
        files,
        WriteReport(0, files, 0),
        last["diagnostics"],
        {"total": time.perf_counter() - start},
        last["counts"],
    )


def _global_key(site: Site, theme: Theme, digests: Digests) -> str:
    """What every page shows: the config, the members (names and avatars anywhere), the
    menus' links to standalone pages, the theme's files and this package."""
    menus = [(p.slug, p.title, p.menu, p.order) for p in site.pages if p.menu]
    catalogs = tree_stamp(theme.catalogs)  # a project's own translations
    return digests.of(
        (code_stamp(), tree_stamp(theme.dirs), catalogs, site.config, site.members, menus)
    )


def job_keys(site: Site, theme: Theme, jobs: list[Job]) -> dict[str, str]:
    """Each job's key: a digest of its inputs, of what every page shows, and of the whole
    site when its templates read ``site``."""
    digests = Digests()
    digests.remember(site.members.values())
    digests.remember(site.posts)
    digests.remember(v.edition for v in site.editions)
    # each by the digest of what it was worked out from (or by its own): the same whether
    # it was worked out now or given back by the build cache's memo
    for analysis, digest in site.analysed_from:
        if analysis is site.network or analysis is site.asks:
            digests.known(analysis, digest)
    digests.remember(x for x in (site.network, site.asks) if x is not None)
    common = _global_key(site, theme, digests)
    whole = digests.of((common, site))
    return {
        job.name: digests.of(
            (
                job.name,
                job.inputs,
                whole if job.whole_site or theme.reads_site(job.templates) else common,
            )
        )
        for job in jobs
    }


def build_project(
    project: Project, options: BuildOptions, progress: Progress = quiet
) -> BuildResult:
    """Build the site into ``options.output`` (site/ by default), or say that the last
    build already did: inputs the same, site/ as it left it."""
    from newsletter.publish.write import clean_leftovers

    start = time.perf_counter()
    output = Path(os.path.abspath(options.output or project.root / "site"))
    _refuse_unsafe_output(project, output)
    clean_leftovers(output)  # of a killed build, whatever this one turns out to do
    default = Path(os.path.abspath(project.root / "site"))
    incremental = options.incremental
    cache = open_build_cache(project.state, output, default, check=False) if incremental else None
    check: SiteCheck | None = None
    try:
        # taken before the stamp: a file that changes after the stamp, while this build
        # reads it, has an mtime no older than this (within the tick), see RACY_NS
        stamped_at = cache.file_time() if cache is not None else 0
        last = cache.last_build() if cache is not None else None
        check = _site_check(last, cache, output, options) if cache is not None else None
        stamp, newest = inputs_stamp(project, options, output)
        if cache is not None:
            quick = _nothing_changed(last, check, stamp, newest, start)
            if quick is not None:
                return quick
            cache.check()
        with collector.less_often(COLLECT_AFTER):
            result = _build(_Run(project, options, output, cache, progress, {}, start, check))
            # still inside: once the thresholds are back, the allocations here would set
            # off a full pass over all the build made (0.2 s after an edit at 10k)
            if cache is not None:
                last = {
                    "stamp": stamp,
                    "stamped_at": stamped_at,
                    "files": result.files,
                    "diagnostics": result.diagnostics,
                    "counts": result.counts,
                    "site": cache.site_files(),
                }
                cache.save_state("last", last)
                result.notes[:0] = cache.notes
        return result
    finally:
        if check is not None:
            check.cancel()  # when the build failed before its plan asked
        if cache is not None:
            cache.close()


COLLECT_AFTER = 50_000
"""Allocations between two runs of Python's cycle collector during a build, instead of
700 (:func:`newsletter.core.collector.less_often`): at 700 its runs were a tenth of the
CPU of an edit at 10,000 posts. The garbage in cycles this lets wait is a few megabytes
at most."""


@dataclass(frozen=True)
class _Run:
    """One build: what it was asked, where it writes, and what it reports to."""

    project: Project
    options: BuildOptions
    output: Path
    cache: BuildCache | None
    progress: Progress
    timings: dict[str, float]
    """Seconds per stage, filled in as the stages run."""
    start: float
    site_check: SiteCheck | None = None
    """Whether site/ is as the last build left it, checked while the inputs were stamped
    (:func:`_site_check`); None: :func:`files_intact` tells."""

    def since(self, stage: str, t: float) -> None:
        self.timings[stage] = time.perf_counter() - t


@dataclass(frozen=True)
class _RenderPlan:
    """The render jobs of a build, and which of them must run again."""

    jobs: list[Job]
    keys: dict[str, str]
    """Each job's key (:func:`job_keys`): a job whose key is unchanged is not rerun."""
    previous: dict[str, OutputRecord]
    """What the last build into this output made, by job."""
    todo: list[Job]
    in_place: bool
    """site/ is intact and few jobs changed: update those files, rather than stage a
    whole new site/."""
    searched: frozenset[str]
    """Outputs made after the jobs, from their files: the search bundle."""


def _build(run: _Run) -> BuildResult:
    """The stages, in order: load → check → enrich → render → publish."""
    content, diags = check_project(run.project, run.options, run.progress, run.cache)
    run.since("load+check", run.start)
    if diags.has_errors:
        raise BuildFailed(diags.sorted())
    collector.settle()  # the content lives until the build ends
    site = _enrich(run, content)
    collector.settle()
    plan = _plan_render(run, site)
    done = _render_and_publish(run, site, plan)
    if done.leaks:
        raise BuildFailed(diags.sorted() + done.leaks)
    _remember_outputs(run, plan, done)
    warn_clipped_emails(site, done.records, diags)
    run.since("total", run.start)
    return BuildResult(
        site,
        run.output,
        done.files,
        done.report,
        diags.sorted(),
        run.timings,
        (len(site.editions), len(site.posts), len(site.members)),
        done.rendered,
    )


def _enrich(run: _Run, content: Content) -> Site:
    from newsletter.pipeline.enrich import enrich

    run.progress("enrich")
    t = time.perf_counter()
    site = enrich(content, run.options.day(), run.options.drafts, run.cache, draw_map=True)
    if not run.options.search:  # in the config, so that every page's key changes with it
        site = replace(site, config=replace(site.config, search=False))
    run.since("enrich", t)
    return site


def _plan_render(run: _Run, site: Site) -> _RenderPlan:
    """Every render job, and those whose key changed since the last build (all of them
    when site/ is not as the last build left it)."""
    from newsletter.publish.outputs import IN_PLACE_MAX
    from newsletter.render import COMPILED_FOLDER, Theme, plan_jobs

    t = time.perf_counter()
    cache, output = run.cache, run.output
    # --no-cache: from nothing, with no compiled template or card of an earlier build
    compiled = run.project.state / COMPILED_FOLDER if cache is not None else None
    theme = Theme(run.project, compiled)
    jobs = plan_jobs(site, theme, cached=cache is not None)
    keys = job_keys(site, theme, jobs)
    previous: dict[str, OutputRecord] = {}
    if cache is not None and cache.state("output") == str(output):
        previous = cache.outputs()
    intact = (
        cache is not None
        and bool(previous)
        and not cache.journal.exists()
        and (
            run.site_check.answer()  # the same files: last build's outputs (site_files)
            if run.site_check is not None
            else files_intact(output, previous.values())
        )
    )
    todo = [
        j
        for j in jobs
        if not intact or j.name not in previous or previous[j.name].key != keys[j.name]
    ]
    run.since("plan", t)
    searched: frozenset[str] = frozenset()
    if run.options.search:
        from newsletter.publish.search import BUNDLE

        searched = frozenset({BUNDLE})
    return _RenderPlan(jobs, keys, previous, todo, intact and len(todo) <= IN_PLACE_MAX, searched)


def _render_and_publish(run: _Run, site: Site, plan: _RenderPlan) -> OutputsWritten:
    """Run the jobs to do into site/: in place, or into a staging folder swapped in
    whole. Every file is checked for addresses first, and the search bundle is made
    before the site is published."""
    from newsletter.publish.outputs import build_staged, update_in_place

    run.progress("render")
    t = time.perf_counter()
    allowed = public_addresses(site.config)

    def leaks_in(files: Output) -> list[Diagnostic]:
        return find_leaks(files, allowed)

    finish = _search_step(run, site, plan, leaks_in) if plan.searched else None
    searched = None
    if plan.searched:  # what a searched page is to Pagefind, worked out where it is made
        from newsletter.publish.searchstep import searched_in

        searched = searched_in(site.config.languages, site.config.language)
    output, cache = run.output, run.cache
    if plan.in_place:
        assert cache is not None
        current = {j.name for j in plan.jobs} | plan.searched
        done = update_in_place(
            output,
            cache.journal,
            plan.todo,
            plan.previous,
            current,
            plan.keys,
            leaks_in,
            finish,
            searched,
        )
    else:
        todo = {id(j) for j in plan.todo}
        kept = {j.name: plan.previous[j.name] for j in plan.jobs if id(j) not in todo}
        workers = run.options.workers()
        done = build_staged(
            output, plan.todo, kept, plan.keys, leaks_in, workers, run.progress, finish, searched
        )
        if cache is not None:  # a whole new site/: an unfinished update is moot
            cache.journal.unlink(missing_ok=True)
    run.since("render+write", t)
    return done


def _search_step(
    run: _Run, site: Site, plan: _RenderPlan, leaks_in: Callable[[Output], list[Diagnostic]]
) -> Finish:
    """The search index of the pages in a folder, before it is published."""
    from newsletter.publish.search import BUNDLE
    from newsletter.publish.searchstep import SearchMemory, SearchTarget, SiteMade, add_search

    def finish(
        folder: Path, records: dict[str, OutputRecord], seen: dict[str, tuple[str, str]]
    ) -> dict[str, OutputRecord]:
        run.progress("search")
        t = time.perf_counter()
        config, cache = site.config, run.cache
        memory = cache.state("search") if cache is not None else None
        target = SearchTarget(
            folder,
            run.output,
            plan.previous.get(BUNDLE),
            config.base_path,
            None if config.languages else config.language,  # one index per language
        )
        found, remember = add_search(
            target,
            leaks_in,
            SiteMade(records, seen),
            memory if isinstance(memory, SearchMemory) else None,
            run.options.workers(),
        )
        if cache is not None:  # trusted by the next build only with this bundle's record
            cache.save_state("search", remember)
        run.since("search", t)
        return found

    return finish


def _remember_outputs(run: _Run, plan: _RenderPlan, done: OutputsWritten) -> None:
    """What this build made, for the next one to reuse."""
    cache = run.cache
    if cache is None:
        return
    if not plan.in_place:
        cache.save_outputs(done.records, True)
    else:  # only what this build redid
        redone = {j.name for j in plan.todo} | plan.searched
        cache.save_outputs({n: r for n, r in done.records.items() if n in redone}, False)
        cache.forget_outputs(set(plan.previous) - set(done.records))
    cache.save_state("output", str(run.output))


def preview_email(project: Project, site: Site, handle: str) -> list[Path]:
    """The latest edition's email as member ``handle`` would get it, written to
    .newsletter/preview/ (never into site/: it is one reader's)."""
    from newsletter.render import Theme
    from newsletter.render.email import email_html, email_text, personal
    from newsletter.render.environment import globals_for

    member = site.members.get(handle)
    if member is None:
        raise ProjectError(f"no member '{handle}'{did_you_mean(handle, site.members)}")
    if not site.editions:
        raise ProjectError("there is no published edition to preview")
    view = site.editions[0]
    theme = Theme(project)
    ctx = globals_for(site, theme.language(site.config.language))
    recipient = replace(
        personal(site, view, handle),
        email="(preview)",
        name=member.first_name,
        unsubscribe=site.config.base_url,
    )
    folder = project.state / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"email-{view.edition.number}-{handle}"
    html, text = stem.with_suffix(".html"), stem.with_suffix(".txt")
    html.write_bytes(email_html(theme, ctx, view, recipient))
    text.write_bytes(email_text(site, theme, ctx, view, recipient))
    return [html, text]

"""Build: the pipeline, stage by stage — load, check, enrich, render, write.

The one place that knows the order of the stages. Commands call
:func:`check_project` and :func:`build_project`; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from newsletter.check import check
from newsletter.diagnostics import Diagnostic, Diagnostics, Location, did_you_mean
from newsletter.enrich import enrich
from newsletter.errors import BuildFailed, ProjectError
from newsletter.load import load
from newsletter.markup import EMAIL_RE
from newsletter.model import Config, Content, Site
from newsletter.progress import Progress, quiet
from newsletter.render import Output, Theme, render
from newsletter.render.email import GMAIL_CLIP_BYTES
from newsletter.sources import Project
from newsletter.write import WriteReport, write_site


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    base_url: str | None = None
    output: Path | None = None
    today: dt.date | None = None

    def day(self) -> dt.date:
        return self.today or dt.date.today()


@dataclass
class BuildResult:
    site: Site
    output: Path
    files: int
    report: WriteReport
    diagnostics: list[Diagnostic]
    timings: dict[str, float] = field(default_factory=dict)


def check_project(
    project: Project, options: BuildOptions, progress: Progress = quiet
) -> tuple[Content, Diagnostics]:
    diags = Diagnostics()
    progress("load")
    content = load(project, diags, options.base_url, progress)
    progress("check")
    check(content, diags, options.day(), options.drafts)
    return content, diags


def site_in_memory(project: Project, options: BuildOptions) -> tuple[Site, Diagnostics]:
    """Load, check and enrich, for commands that need the newsletter but not its files
    (contacts, network, send); errors raise BuildFailed, as they stop a build."""
    content, diags = check_project(project, options)
    if diags.has_errors:
        raise BuildFailed(diags.sorted())
    return enrich(content, options.day(), options.drafts), diags


def public_addresses(config: Config) -> frozenset[str]:
    """The addresses the site shows on purpose, lower-cased: the subscribe box's mailto."""
    address = config.email.subscribe_mailto.strip()
    return frozenset({address.lower()} if address else ())


BINARY_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
"""Images the build made (cards, post images, with no metadata) are not read as text by
:func:`find_leaks`: compressed pixels hold only chance look-alikes of an address. SVG is
text and is read, and so is every file under static/, which is copied as it is."""


def find_leaks(files: Output, allowed: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """A last guard: no email address may be in any published file, but the ``allowed``.

    ``allowed`` holds whole addresses, lower-cased (see :func:`public_addresses`); any
    other address, even one that contains an allowed one, is a leak.
    """
    diags = Diagnostics()
    for name, data in files.items():
        made_image = name.lower().endswith(BINARY_IMAGES) and not name.startswith("static/")
        if b"@" not in data or made_image:
            continue
        text = data.decode("utf-8", "replace")
        for match in EMAIL_RE.finditer(text):
            if match.group().lower() in allowed:
                continue
            line = text.count("\n", 0, match.start()) + 1
            diags.error(
                Location(f"site/{name}", line),
                "privacy.output",
                "an email address would be published",
                "remove it from the template or config that put it there",
            )
    return diags.items


def warn_clipped_emails(site: Site, files: Output, diags: Diagnostics) -> None:
    """Even as excerpts, an edition this long would be clipped by Gmail: say so."""
    for view in site.editions:
        size = len(files.get(f"email/{view.edition.number}.html", b""))
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


def build_project(
    project: Project, options: BuildOptions, progress: Progress = quiet
) -> BuildResult:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    content, diags = check_project(project, options, progress)
    timings["load+check"] = time.perf_counter() - start
    if diags.has_errors:
        raise BuildFailed(diags.sorted())
    progress("enrich")
    t = time.perf_counter()
    site = enrich(content, options.day(), options.drafts)
    timings["enrich"] = time.perf_counter() - t
    progress("render")
    t = time.perf_counter()
    files = render(site, Theme(project), progress)
    timings["render"] = time.perf_counter() - t
    leaks = find_leaks(files, public_addresses(site.config))
    if leaks:
        raise BuildFailed(diags.sorted() + leaks)
    warn_clipped_emails(site, files, diags)
    progress("write")
    t = time.perf_counter()
    output = options.output or project.root / "site"
    _refuse_unsafe_output(project, output)
    report = write_site(output, files)
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    return BuildResult(site, output, len(files), report, diags.sorted(), timings)


def preview_email(project: Project, site: Site, handle: str) -> list[Path]:
    """The latest edition's email as member ``handle`` would get it, written to
    .newsletter/preview/ (never into site/: it is one reader's)."""
    from newsletter.render.email import email_html, email_text, personal
    from newsletter.render.environment import globals_for

    member = site.members.get(handle)
    if member is None:
        raise ProjectError(f"no member '{handle}'{did_you_mean(handle, site.members)}")
    if not site.editions:
        raise ProjectError("there is no published edition to preview")
    view = site.editions[0]
    theme = Theme(project)
    ctx = globals_for(site)
    recipient = replace(
        personal(site, view, handle),
        email="(preview)",
        name=member.name,
        unsubscribe=site.config.base_url,
    )
    folder = project.state / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"email-{view.edition.number}-{handle}"
    html, text = stem.with_suffix(".html"), stem.with_suffix(".txt")
    html.write_bytes(email_html(theme, ctx, view, recipient))
    text.write_bytes(email_text(site, theme, ctx, view, recipient))
    return [html, text]

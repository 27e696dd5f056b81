"""Compiled templates kept from one build to the next (``Theme(project, compiled=…)``):
every file renders to the same bytes whether its templates were compiled now or read
back, a template changed since is compiled again, and a damaged entry is no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.core.model import Site
from newsletter.pipeline.build import BuildOptions, site_in_memory
from newsletter.project.sources import Project
from newsletter.render import Output, Theme, plan_jobs, run_jobs
from newsletter.render.environment import ThemeTemplate

from support.clock import TODAY_DATE
from support.example import copy_example


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Site]:
    project = Project(copy_example(tmp_path_factory.mktemp("compiled") / "example"))
    site, _ = site_in_memory(project, BuildOptions(today=TODAY_DATE))
    return project, site


def rendered(site: Site, theme: Theme, only: str | None = None) -> Output:
    """The first job of each set of templates in each language (so every template), or
    the job named ``only``; not the cards, which use no template."""
    jobs = {}
    for job in plan_jobs(site, theme):
        if job.templates and only in (None, job.name):
            jobs.setdefault((job.templates, job.name[:3]), job)
    return run_jobs(list(jobs.values()))


def entries(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


@pytest.mark.slow
def test_templates_read_back_render_the_same_bytes(
    example: tuple[Project, Site], tmp_path: Path
) -> None:
    project, site = example
    names = ("home.html", "post.html", "member.html", "sitemap.xml", "email/edition.txt")
    plain = rendered(site, Theme(project))
    theme = Theme(project, tmp_path)
    first = rendered(site, theme)
    for name in names:
        theme.reads_site((name,))  # loads every template they use
    kept = entries(tmp_path)
    again = Theme(project, tmp_path)
    readers = {name: again.reads_site((name,)) for name in names}
    assert first == plain
    assert rendered(site, again) == plain
    assert entries(tmp_path) == kept  # read back, not compiled again
    assert readers == {name: Theme(project).reads_site((name,)) for name in names}
    assert readers["home.html"] and not readers["post.html"]


def test_a_changed_template_is_compiled_again(
    example: tuple[Project, Site], tmp_path: Path
) -> None:
    project, site = example
    rendered(site, Theme(project, tmp_path), "index.html")
    own = project.root / "templates" / "partials" / "footer.html"
    before = own.read_text(encoding="utf-8")
    own.write_text(before.replace("Made with", "Built with"), encoding="utf-8")
    try:
        home = rendered(site, Theme(project, tmp_path), "index.html")["index.html"]
    finally:
        own.write_text(before, encoding="utf-8")
    assert b"Built with" in home
    assert b"Made with" not in home


def test_a_damaged_entry_is_compiled_again(example: tuple[Project, Site], tmp_path: Path) -> None:
    project, site = example
    plain = rendered(site, Theme(project), "index.html")
    rendered(site, Theme(project, tmp_path), "index.html")
    for entry in tmp_path.iterdir():
        raw = entry.read_bytes()
        entry.write_bytes(raw[: len(raw) // 2])
    assert rendered(site, Theme(project, tmp_path), "index.html") == plain
    assert all(len(p.read_bytes()) > 100 for p in tmp_path.iterdir())  # whole again


def test_macros_imported_with_context_see_each_page_own_values(tmp_path: Path) -> None:
    own = tmp_path / "templates"
    (own / "partials").mkdir(parents=True)
    (own / "partials" / "says.html").write_text(
        "{% macro say() %}{{ page_url }} {{ _('Home') }}{% endmacro %}\n", encoding="utf-8"
    )
    (own / "says.html").write_text(
        '{% import "partials/says.html" as s with context %}[{{ s.say() }}]', encoding="utf-8"
    )
    theme = Theme(Project(tmp_path))
    pages = [theme.page("says.html", {"page_url": url}) for url in ("a/", "b/", "a/", "b/")]
    assert pages == [b"[a/ Home]", b"[b/ Home]", b"[a/ Home]", b"[b/ Home]"]
    module = theme.env.get_template("partials/says.html")
    assert isinstance(module, ThemeTemplate)
    assert module.macros_read == ("_", "locale", "page_url")  # _() reads the language
    assert len(module.modules) == 2  # one for each page's values, made once

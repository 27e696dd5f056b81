"""Hostile and broken input: each is refused with a diagnostic at its file and line, in
bounded time, and the check goes on to report the other files' problems too.

The broken projects that fit in a folder are in tests/fixtures/invalid/ (yaml-alias,
markdown-nesting, binary-file…); here are the ones made on the spot: huge files,
links out of the project, names that differ only by case, and every Markdown pattern
of benchmarks/hostile_markdown.py at a size that would take Python-Markdown seconds.
"""

from __future__ import annotations

import cProfile
import importlib.util
import os
import pstats
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import markdown
import pytest
from click.testing import Result

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.markup import render_markdown, sanitize
from newsletter.load.yaml import check_yaml
from newsletter.project.limits import (
    MAX_FRONT_MATTER,
    MAX_MARKDOWN_CHARS,
    check_file,
    check_markdown,
    outside,
)

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write
from support.paths import REPO

QUICK_CHECK = 500_000
"""Calls that `check` of a small project makes at most when it refuses a hostile file
early (at most ~72,000 here); reading the 30,000 tags whole costs 1.5 million."""


def check(root: Path) -> tuple[int, str, int]:
    """`newsletter check`: its exit code, its output and the calls it made (see _calls)."""
    results: list[Result] = []
    calls = _calls(lambda: results.append(run("check", "--today", TODAY, cwd=root)))
    assert "Traceback" not in results[0].output
    print(f"check made {calls:,} calls")
    return results[0].exit_code, results[0].output, calls


def _calls(work: Callable[[], object]) -> int:
    """The Python function calls that ``work`` makes: a measure of its CPU time that is
    the same on any machine and under any load (about 10 million a second here)."""
    profile = cProfile.Profile()
    profile.runcall(work)
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined, no-any-return]


def with_another_mistake(root: Path) -> Path:
    """The project also has an ordinary mistake, which must still be reported."""
    write(root, "content/posts/2026/other.md", post("Other", "nobody"))
    return root


# -- sizes --------------------------------------------------------------------------------


def test_a_huge_post_is_refused_by_its_size(tmp_path: Path) -> None:
    root = with_another_mistake(project(tmp_path))
    write(root, "content/posts/2026/huge.md", post("Huge", "ada", body="word " * 250_000))
    code, output, calls = check(root)
    assert code == 1
    assert (
        "content/posts/2026/huge.md:1:1: error: the file is 1.2 MB; a Markdown file may be "
        "at most 1 MB [file.too-large]"
    ) in output
    assert "unknown member 'nobody'" in output
    assert calls < QUICK_CHECK


def test_a_huge_member_file_is_refused_by_its_size(tmp_path: Path) -> None:
    root = with_another_mistake(project(tmp_path))
    write(root, "content/members/ada.yaml", "name: Ada\noffers:\n" + "  - mentoring\n" * 30_000)
    code, output, _ = check(root)
    assert code == 1
    assert (
        "content/members/ada.yaml:1:1: error: the file is 410 KB; a YAML file may be "
        "at most 256 KB [file.too-large]"
    ) in output
    # the member still exists (its file names it): her posts are not 'unknown member'
    assert "unknown member 'ada'" not in output
    assert "unknown member 'nobody'" in output


def test_huge_front_matter_is_refused_at_its_first_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    tags = "".join(f"  - tag-{i}\n" for i in range(30_000))
    write(root, "content/posts/2026/tags.md", post("Tags", "ada", tags=f"\n{tags}"))
    code, output, calls = check(root)
    assert code == 1
    assert (
        f"content/posts/2026/tags.md:2:1: error: the front matter is 408,935 characters long; "
        f"at most {MAX_FRONT_MATTER:,} are read [file.too-large]"
    ) in output
    assert calls < QUICK_CHECK


def test_a_long_body_is_refused_at_its_first_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/posts/2026/long.md", post("Long", "ada", body="word " * 7_000))
    code, output, _ = check(root)
    assert code == 1
    assert (
        f"content/posts/2026/long.md:6:1: error: the text is 35,001 characters long; "
        f"at most {MAX_MARKDOWN_CHARS:,} are published [markdown.too-long]"
    ) in output


# -- files that are not what they seem --------------------------------------------------------


def test_a_link_to_a_file_outside_the_project_is_not_read(tmp_path: Path) -> None:
    root = with_another_mistake(project(tmp_path / "p"))
    secret = tmp_path / "secret.md"
    secret.write_text(post("Secret", "ada", body="the private key"))
    (root / "content/posts/2026/secret.md").symlink_to(secret)
    (root / "content/posts/2026/zero.md").symlink_to("/dev/zero")
    code, output, calls = check(root)
    assert code == 1
    assert (
        f"content/posts/2026/secret.md:1:1: error: this is a link to {secret.resolve()}, "
        "outside the project: it is not read [file.outside]"
    ) in output
    assert "content/posts/2026/zero.md:1:1: error: this is a link to /dev/zero" in output
    assert "unknown member 'nobody'" in output
    assert calls < QUICK_CHECK
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert not (root / "site").exists()


@pytest.mark.parametrize("linked", ["content", "content/posts", "content/posts/2026", "x.md"])
def test_a_link_at_any_depth_below_the_project_takes_a_file_outside(
    tmp_path: Path, linked: str
) -> None:
    root, elsewhere = tmp_path / "p", tmp_path / "elsewhere"
    name = "content/posts/2026/x.md"
    for where in (root, elsewhere):
        write(where, name, "x")
    at = root / name if linked == "x.md" else root / linked
    if at.is_dir():
        shutil.rmtree(at)
    else:
        at.unlink()
    at.symlink_to(elsewhere / at.relative_to(root))
    assert outside(root, root / name) == (elsewhere / name).resolve()


def test_a_file_with_no_link_below_the_project_is_inside(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write(root, "content/posts/2026/x.md", "x")
    assert outside(root, root / "content/posts/2026/x.md") is None
    (tmp_path / "to-p").symlink_to(root)  # a project under a link (/tmp -> /private/tmp)
    assert outside(tmp_path / "to-p", tmp_path / "to-p/content/posts/2026/x.md") is None
    write(tmp_path, "elsewhere/x.md", "x")
    away = (tmp_path / "elsewhere/x.md").resolve()
    assert outside(root, root / "content/../../elsewhere/x.md") == away


def test_a_link_to_a_folder_outside_the_project_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    write(elsewhere, "x.md", post("X", "ada"))
    (root / "content/posts/2025").symlink_to(elsewhere)
    code, output, _ = check(root)
    assert code == 1
    assert (
        f"content/posts/2025:1:1: error: this folder is a link to {elsewhere.resolve()}, "
        "outside the project: nothing in it is read [file.outside]"
    ) in output


def test_a_link_inside_the_project_is_fine(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "drafts/shared.md", post("Shared", "grace"))
    (root / "content/posts/2026/shared.md").symlink_to(root / "drafts/shared.md")
    code, output, _ = check(root)
    assert code == 0, output
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert (root / "site/posts/2026/shared/index.html").is_file()


def test_a_theme_file_linked_from_outside_is_not_published(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    write(root, "templates/static/fine.css", "body {}")
    (root / "templates/static/leak.css").symlink_to(secret)
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 2
    assert (
        f"error: templates/static/leak.css is a link to {secret.resolve()}, outside the "
        "project: it is not published"
    ) in result.output
    assert not (root / "site").exists()


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    diags = Diagnostics()
    assert not check_file(pipe, pipe.stat(), Location("content/posts/2026/pipe.md"), diags)
    assert [d.code for d in diags.items] == ["file.unreadable"]


def test_a_binary_file_is_refused_at_its_first_nul_byte(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "content/members/grace.yaml").write_bytes("name: Grace\n".encode("utf-16"))
    code, output, _ = check(root)
    assert code == 1
    assert (
        "content/members/grace.yaml:1:4: error: this is not a text file: it has a NUL byte "
        "(it looks like UTF-16) [file.binary]\n    hint: save it as UTF-8 text"
    ) in output


def test_names_that_differ_only_by_case_are_both_named(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/posts/2026/Weak-Ties.md", post("Weak ties", "ada"))
    write(root, "content/posts/2026/weak-ties.md", post("Weak ties", "grace"))
    write(root, "content/members/Ada.yaml", "name: Ada again\n")
    folder = "content/posts/2026/trees"
    write(root, f"{folder}/index.md", post("Trees", "ada", body="![A chart](chart.png)"))
    (root / folder / "chart.png").write_bytes(b"")
    (root / folder / "Chart.PNG").write_bytes(b"")
    code, output, _ = check(root)
    assert code == 1
    for second, first in (
        ("content/posts/2026/weak-ties.md", "content/posts/2026/Weak-Ties.md"),
        ("content/members/ada.yaml", "content/members/Ada.yaml"),
        (f"{folder}/chart.png", f"{folder}/Chart.PNG"),
    ):
        assert (
            f"{second}:1:1: error: '{second}' and '{first}' differ only by case: they are "
            "the same file on macOS and Windows, and the same address on many hosts "
            "[file.case]"
        ) in output


# -- YAML --------------------------------------------------------------------------------------


def test_a_billion_laughs_in_the_config_is_refused_quickly(tmp_path: Path) -> None:
    root = project(tmp_path)
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    config = (root / "newsletter.yaml").read_text() + "\n".join(levels) + "\ntitle2: *l\n"
    (root / "newsletter.yaml").write_text(config)
    code, output, calls = check(root)
    assert code == 1
    assert "newsletter.yaml:3:4: error: YAML anchor '&a'" in output
    assert calls < QUICK_CHECK


def test_yaml_aliases_are_found_where_they_are() -> None:
    diags = Diagnostics()
    assert not check_yaml("name: Ada\nrole: *x\n", "m.yaml", 2, diags)
    assert str(diags.items[0].location) == "m.yaml:3:7"
    assert "alias '*x'" in diags.items[0].message
    for fine in ("name: '*Ada*'\n", "name: Ada & Grace\n", "name: [unclosed\n"):
        assert check_yaml(fine, "m.yaml", 1, Diagnostics())


# -- Markdown -------------------------------------------------------------------------------


def _hostile() -> ModuleType:
    path = REPO / "benchmarks" / "hostile_markdown.py"
    spec = importlib.util.spec_from_file_location("hostile_markdown", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("hostile_markdown", module)
    spec.loader.exec_module(module)
    return module


PATTERNS = _hostile().PATTERNS


def _just_under(make: object, limit: int = MAX_MARKDOWN_CHARS) -> str:
    """The pattern as large as it gets under ``limit`` characters."""
    assert callable(make)
    n = 1
    while len(make(n * 2)) <= limit and n < 1_000_000:
        n *= 2
    low, high = n, n * 2
    while high - low > 1 and high - low > low // 32:
        mid = (low + high) // 2
        low, high = (mid, high) if len(make(mid)) <= limit else (low, mid)
    text = make(low)
    assert isinstance(text, str)
    return text


RENDER_CALLS = 3_000_000
"""The most a post may cost to render, in calls: about 0.3 s on the CI machine (the
seconds themselves are printed by benchmarks/hostile_markdown.py, not tested here)."""


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_hostile_markdown_is_refused_or_renders_quickly(name: str) -> None:
    """At the largest size allowed, every pattern is either refused (by a scan linear in
    the text) or rendered within the budget, counted in calls so that the answer does not
    depend on the machine's speed."""
    text = _just_under(PATTERNS[name])
    diags = Diagnostics()
    accepted: list[bool] = []
    scanned = _calls(lambda: accepted.append(check_markdown(text, "x.md", 1, diags)))
    assert scanned <= 10 * len(text), f"the scan made {scanned:,} calls"
    if not accepted[0]:
        assert diags.items[0].code in ("markdown.complex", "markdown.nesting")
        return
    rendered = _calls(lambda: render_markdown(text))
    assert rendered <= RENDER_CALLS, f"{name}: {len(text)} characters took {rendered:,} calls"


@pytest.mark.slow
def test_many_links_in_one_paragraph_cost_each_the_same() -> None:
    """Python-Markdown 3.11 maps a paragraph's brackets again after every link (4,000
    links: 25 s); newsletter.core.markup keeps the map for the unchanged tail. Four times the
    links, four times the work, and the same HTML as Python-Markdown's own."""
    small, large = ("[a](b) [c][r] ![i](s) " * n + "\n\n[r]: /x\n" for n in (100, 400))
    ratio = _calls(lambda: render_markdown(large)) / _calls(lambda: render_markdown(small))
    assert ratio < 5, f"four times the links cost {ratio:.1f} times the calls"
    stock = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    assert render_markdown(large) == sanitize(stock.convert(large))


def test_ordinary_writing_is_never_refused() -> None:
    """The bundled example's posts, bios and notes, and a long article with links, lists,
    a table, code and quotes, all pass."""
    article = (
        "## Why weak ties matter\n\nSee [Granovetter](https://example.org/weak-ties) and "
        "[our ask](/posts/2026/who-has-a-geocoder/). *Weak* ties carry **new** "
        "information.\n\n"
        "- one [link](https://example.org/1)\n- two `code` <b>bold</b>\n    - nested\n\n"
        "| ward | trees |\n|---|---|\n" + "| [north](/n/) | 12 |\n" * 40 + "\n"
        "> a quote\n> > of a quote\n\n```python\nfor i in range(3):\n    print([i, [i]])\n```"
        "\n\n[ref]: https://example.org/ref\n[^1]: a footnote\n\n"
    ) * 6
    assert len(article) < MAX_MARKDOWN_CHARS
    files = [*(REPO / "content").rglob("*.md")]
    for text in [article, *(f.read_text(encoding="utf-8") for f in files)]:
        diags = Diagnostics()
        assert check_markdown(text, "x.md", 1, diags), diags.items


def test_the_place_of_a_problem_counts_tabs_as_written() -> None:
    diags = Diagnostics()
    text = "Fine.\n\n\tcode\t[" + "[" * 2000 + "\n"
    assert not check_markdown(text, "x.md", 7, diags)
    assert str(diags.items[0].location) == "x.md:9:7"

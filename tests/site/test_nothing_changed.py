"""The build with nothing changed (``pipeline.build._nothing_changed``): it stops at once
only when the inputs are the last build's and site/ is as that build left it, and it
trusts neither sizes nor mtimes further than they can tell.

What it checks site/ with is one ``stat`` per file the last build wrote
(``buildcache.SiteFiles``); these tests change site/ the ways people and tools do and
expect the next build to put it back. It reads one row of the build cache, unchecked: a
damaged cache must still mean a full build. And it starts without importing what it
does not use (Markdown, the analysis, rich when quiet), which a process of its own shows.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.project import buildcache

from support.cli import run
from support.clock import EXAMPLE_TODAY

POST = "content/posts/2026/alt-text-for-charts-a-pattern-that-works.md"
PAGE = "site/posts/2026/alt-text-for-charts-a-pattern-that-works/index.html"
MEMBER = "site/members/yusuf/index.html"


def build(root: Path) -> str:
    result = run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    return result.output


def file_system_now(folder: Path) -> int:
    """Now as the file system stamps files (ns), the clock the build compares with."""
    mark = folder / ".now"
    mark.write_bytes(b"x")
    try:
        return mark.stat().st_mtime_ns
    finally:
        mark.unlink()


def age(root: Path) -> None:
    """Every file a minute old: written well before the next build's stamp, so that
    their sizes and mtimes are trusted (see RACY_NS)."""
    past = file_system_now(root) - 60 * 10**9
    for path in root.rglob("*"):
        os.utime(path, ns=(past, past))


@pytest.fixture
def settled(example: Path) -> Path:
    """The example built, with nothing left to do."""
    age(example)
    build(example)
    assert "nothing changed" in build(example)
    return example


def _same_size_in_place(root: Path) -> None:
    page = root / MEMBER
    size = page.stat().st_size
    with page.open("r+b") as file:  # the same inode, the folder untouched
        file.write(b"x" * size)


def _replaced(root: Path) -> None:
    page = root / MEMBER
    other = page.with_name("index.html.new")
    other.write_bytes(page.read_bytes().replace(b"</body>", b"<p>hosted</p></body>"))
    os.replace(other, page)  # as sed -i, rsync and most editors save


def _restamped(root: Path) -> None:
    """Rewritten, then its old mtime put back: only the size tells."""
    page = root / MEMBER
    st = page.stat()
    page.write_bytes(page.read_bytes() + b"<!-- appended -->")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))


CHANGES: list[tuple[str, Callable[[Path], None]]] = [
    ("rewritten in place, same size", _same_size_in_place),
    ("replaced by a rename", _replaced),
    ("appended to, mtime put back", _restamped),
    ("deleted", lambda root: (root / MEMBER).unlink()),
    ("its folder deleted", lambda root: shutil.rmtree((root / MEMBER).parent)),
    ("site/ deleted", lambda root: shutil.rmtree(root / "site")),
]


@pytest.mark.slow
def test_a_site_changed_behind_the_builds_back_is_put_back(settled: Path) -> None:
    page = settled / MEMBER
    good = page.read_bytes()
    for label, change in CHANGES:
        change(settled)
        assert "nothing changed" not in build(settled), label
        assert page.read_bytes() == good, label
        assert "nothing changed" in build(settled), f"{label}: repaired, then nothing to do"


@pytest.mark.slow
def test_an_edit_in_the_mtime_tick_of_the_last_build_is_seen(example: Path) -> None:
    """A post written just before a build and changed again within the same mtime tick,
    with the same size: its size and mtime are the stamp's, so only its contents tell.
    Such a stamp is not trusted for nothing changed: the post is read again."""
    age(example)
    post = example / POST
    now = file_system_now(example)
    os.utime(post, ns=(now, now))  # within RACY_NS of the stamp of the build below
    build(example)
    st = post.stat()
    text = post.read_text(encoding="utf-8")
    swapped = text.replace("title: Alt", "title: Alp", 1)
    assert swapped != text and len(swapped) == len(text)
    post.write_text(swapped, encoding="utf-8")
    os.utime(post, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "nothing changed" not in build(example)
    assert "Alp text for charts" in (example / PAGE).read_text(encoding="utf-8")


def _truncated(cache: Path) -> None:
    for extra in ("-wal", "-shm"):
        Path(f"{cache}{extra}").unlink(missing_ok=True)
    cache.write_bytes(cache.read_bytes()[:1000])


def _unreadable_row(cache: Path) -> None:
    db = sqlite3.connect(cache)
    db.execute("UPDATE state SET value = x'80ff' WHERE name = 'last'")
    db.commit()
    db.close()


@pytest.mark.slow
@pytest.mark.parametrize("damage", [_truncated, _unreadable_row], ids=["truncated", "row"])
def test_a_damaged_cache_is_never_taken_for_nothing_changed(
    settled: Path, damage: Callable[[Path], None]
) -> None:
    before = {p: p.read_bytes() for p in (settled / "site").rglob("*") if p.is_file()}
    damage(settled / ".newsletter/build.sqlite")
    assert "nothing changed" not in build(settled)
    after = {p: p.read_bytes() for p in (settled / "site").rglob("*") if p.is_file()}
    assert after == before
    assert "nothing changed" in build(settled)


def test_the_code_stamp_covers_the_built_in_theme_beside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editable install's theme is the checkout's templates/, outside the package:
    editing it must change what every build is keyed by."""
    theme = tmp_path / "templates"
    theme.mkdir()
    (theme / "base.html").write_text("<html>one</html>", encoding="utf-8")
    monkeypatch.setattr("newsletter.project.theme.builtin_theme", lambda: theme)
    monkeypatch.setattr(buildcache, "CODE_STAMP", None)
    first = buildcache.code_stamp()
    (theme / "base.html").write_text("<html>two!</html>", encoding="utf-8")
    monkeypatch.setattr(buildcache, "CODE_STAMP", None)
    assert buildcache.code_stamp() != first


SLOW_TO_IMPORT = {
    "numpy",
    "markdown",
    "nh3",
    "jinja2",
    "yaml",
    "newsletter.load",
    "newsletter.render",
    "newsletter.analysis.report",
    "newsletter.analysis.network",
}
"""What the nothing-changed path and --help have no use for (and took 0.1 s to import)."""


def imported_by(*argv: str) -> set[str]:
    """The modules a fresh process has imported after running `newsletter ARGV`."""
    code = (
        "import sys\nfrom newsletter.cli import main\n"
        f"try:\n    main({list(argv)!r})\nexcept SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(' '.join(sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.splitlines()[-1].split())


@pytest.mark.slow
def test_nothing_changed_and_help_import_only_what_they_use(settled: Path) -> None:
    argv = ["-C", str(settled), "build", "--today", EXAMPLE_TODAY, "--no-search", "--quiet"]
    imported_by(*argv)  # in a process of its own, as the next: the same code stamp
    quiet = imported_by(*argv)
    assert quiet & SLOW_TO_IMPORT == set()
    assert "rich.console" not in quiet  # quiet: nothing is shown
    assert "newsletter.project.buildcache" in quiet  # it did check
    for argv in (["--help"], ["build", "--help"], ["check", "--help"]):
        assert imported_by(*argv) & SLOW_TO_IMPORT == set(), argv


@pytest.mark.parametrize("beside", [True, False], ids=["forked", "here"])
def test_the_site_is_checked_beside_the_stamp_or_here(tmp_path: Path, beside: bool) -> None:
    """``SiteCheck`` forks a process to ``stat`` site/ while this one stamps the inputs
    (never when threads run: ``serve``); its answer is the one ``SiteFiles`` gives."""
    out = tmp_path / "site"
    (out / "a").mkdir(parents=True)
    for name in ("index.html", "a/index.html"):
        (out / name).write_text(name)
    records = [
        buildcache.OutputRecord(
            name,
            (
                buildcache.OutputFile(
                    name, (out / name).stat().st_size, (out / name).stat().st_mtime_ns
                ),
            ),
        )
        for name in ("index.html", "a/index.html")
    ]
    files = buildcache.SiteFiles.of(records)
    check = buildcache.SiteCheck(files, out, beside)
    assert bool(check.pid) is beside
    assert check.answer() is True
    (out / "a/index.html").write_text("changed")
    assert buildcache.SiteCheck(files, out, beside).answer() is False
    stopped = buildcache.SiteCheck(files, out, beside)
    stopped.cancel()
    assert stopped.pid == 0

"""site/ is replaced as a whole; a failed build leaves it; unchanged files keep their mtime."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write


def _snapshot(site: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(site).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_rebuild_keeps_unchanged_files_untouched(tmp_path: Path) -> None:
    # without search: Pagefind's bundle has new file names whenever a page changes
    root = project(tmp_path, {"a": post("Alpha", "ada"), "b": post("Beta", "grace")})
    assert run("build", "--today", TODAY, "--no-search", cwd=root).exit_code == 0
    before = _snapshot(root / "site")
    past = 1_000_000_000
    for p in (root / "site").rglob("*"):
        if p.is_file():
            os.utime(p, ns=(past, past))
    write(root, "content/posts/2026/b.md", post("Beta, revised", "grace"))
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    after = _snapshot(root / "site")
    assert after.keys() == before.keys()
    changed = {k for k in after if after[k][1] != past}
    assert "posts/2026/b/index.html" in changed
    assert "posts/2026/a/index.html" not in changed
    assert "static/style.css" not in changed
    assert all(after[k][0] != before[k][0] for k in changed)
    assert "unchanged" in result.output


@pytest.mark.slow
def test_failed_build_leaves_previous_site(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run("build", "--today", TODAY, cwd=root).exit_code == 0
    before = _snapshot(root / "site")
    write(root, "content/posts/2026/bad.md", post("Bad", "nobody"))
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "unknown member 'nobody'" in result.output
    assert _snapshot(root / "site") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


@pytest.mark.slow
def test_removed_post_disappears_and_gitkeep_survives(tmp_path: Path) -> None:
    root = project(tmp_path, {"a": post("Alpha", "ada"), "b": post("Beta", "grace")})
    (root / "site").mkdir()
    (root / "site" / ".gitkeep").touch()
    assert run("build", "--today", TODAY, cwd=root).exit_code == 0
    assert (root / "site/posts/2026/b/index.html").is_file()
    (root / "content/posts/2026/b.md").unlink()
    result = run("build", "--today", TODAY, cwd=root)
    assert "removed" in result.output
    assert not (root / "site/posts/2026/b").exists()
    assert (root / "site/.gitkeep").is_file()


def test_unwritable_output_is_reported_not_a_traceback(tmp_path: Path) -> None:
    root = project(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("build", "--today", TODAY, "--output", str(blocker / "site"), cwd=root)
    assert result.exit_code == 1
    assert result.output.startswith("error: ")
    assert blocker.read_text() == "not a folder"


def test_output_cannot_be_the_project_itself(tmp_path: Path) -> None:
    root = project(tmp_path)
    for output in (root, root / "content", tmp_path):
        result = run("build", "--output", str(output), cwd=root)
        assert result.exit_code == 2
        assert "refusing" in result.output
    assert (root / "newsletter.yaml").is_file()

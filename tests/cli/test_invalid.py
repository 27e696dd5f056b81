"""One small broken project per mistake: `newsletter check` must say exactly this.

Each folder in tests/fixtures/invalid/ is a project with one kind of mistake,
``expected.txt`` (the exact output of `newsletter check`, not on a terminal)
and ``exit-code`` (what check must exit with). Build must refuse the same
projects and leave an existing site/ untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.paths import FIXTURES

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_reports_exactly(case: Path) -> None:
    result = run("check", "--today", TODAY, cwd=case)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert result.output == expected
    assert result.exit_code == int((case / "exit-code").read_text())
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_refuses_and_keeps_old_site(case: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site")
    project = tmp_path / case.name  # a copy: a build keeps state in .newsletter/
    shutil.copytree(case, project, symlinks=True)
    result = run("build", "--today", TODAY, "--output", str(out), cwd=project)
    if int((case / "exit-code").read_text()) == 0:  # warnings only: it builds
        assert result.exit_code == 0, result.output
        assert (out / "index.html").read_text() != "previous site"
        return
    assert result.exit_code == 1
    assert "nothing was published" in result.output
    assert (out / "index.html").read_text() == "previous site"
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 15

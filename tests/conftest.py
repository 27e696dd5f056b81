"""Shared fixtures: the real command line, the bundled example, golden files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.cli import main

from feedserver import feed_server_fixture  # noqa: F401  (the `feed_server` fixture)
from smtpserver import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE_TODAY = "2026-11-25"
"""The example is built as of this day, so its output never depends on the clock."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def run(*args: str, cwd: Path | None = None) -> Result:
    """Run `newsletter ARGS` through Click, as a user would, in ``cwd``."""
    runner = CliRunner()
    argv = ["-C", str(cwd), *args] if cwd else list(args)
    return runner.invoke(main, argv, catch_exceptions=False)


def copy_example(root: Path) -> Path:
    """A copy of the bundled example community (newsletter.yaml, content/, templates/)."""
    root.mkdir()
    shutil.copy(REPO / "newsletter.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the bundled example, for tests that change it."""
    return copy_example(tmp_path / "example")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled example, built once per session; returns its site/ folder."""
    root = copy_example(tmp_path_factory.mktemp("built") / "example")
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    return root / "site"

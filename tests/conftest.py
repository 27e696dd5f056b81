"""Shared fixtures: the real command line, the bundled example, golden files."""

from __future__ import annotations

import datetime as dt
import shutil
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newsletter.cli import main
from newsletter.core import clock

from support.feedserver import feed_server_fixture  # noqa: F401  (the `feed_server` fixture)
from support.smtpserver import smtp_server_fixture  # noqa: F401  (the `smtp_server` fixture)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE_TODAY = "2026-11-25"
"""The example is built as of this day, so its output never depends on the clock."""
TODAY = EXAMPLE_TODAY
"""The day every test runs as (--today, --date): tests/conftest.py's day_is_pinned
fails a test that lets the library read the real date instead."""


@pytest.fixture(autouse=True)
def day_is_pinned(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test depends on the day it runs: a test that lets the library read the real
    date (``newsletter.core.clock.today``, the default of --today and --date) fails, unless
    it is marked ``real_clock`` because the real date is what it tests. Subprocesses are
    out of reach here; .ci/run proves them by running the suite under a shifted clock."""
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    readers: list[str] = []
    real_today = clock.today

    def today() -> dt.date:
        readers.append("".join(traceback.format_stack(limit=6)[:-1]))
        return real_today()

    monkeypatch.setattr(clock, "today", today)
    yield
    assert not readers, (
        "the test read the real date: pass --today/--date (or today=...) to what it runs\n"
        + readers[0]
    )


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

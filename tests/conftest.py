"""The suite's rules: the day is pinned, markers follow the fixtures a test uses, golden
files can be rewritten. What tests share lives in tests/support/ (see tests/README.md)."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterator

import pytest
from hypothesis import settings

from newsletter.core import clock

settings.register_profile("any-speed", deadline=None)
settings.load_profile("any-speed")
"""No property test has a time limit (Hypothesis's default is 200 ms an example): the
suite passes on any machine speed, and a first example that pays for an import or a
cold cache under a loaded CI machine (700 ms once) is no failure."""

pytest_plugins = [
    "support.example",
    "support.siteserver",
    "support.browser",
    "support.feedserver",
    "support.smtpserver",
    "support.imapserver",
]
"""The shared fixtures: example and built_example, site_server, browser and
chromium_executable, feed_server and fake_network, smtp_server, dovecot."""

MARKED_BY_FIXTURE = {
    "browser": "browser",
    "chromium_executable": "browser",
    "site_server": "network",
    "feed_server": "network",
    "smtp_server": "network",
    "dovecot": "network",
}
"""A test that uses the fixture (directly or through another) gets the marker."""


@pytest.hookimpl(tryfirst=True)  # before -m selects on the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for fixture, marker in MARKED_BY_FIXTURE.items():
            if fixture in fixtures:
                item.add_marker(marker)


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

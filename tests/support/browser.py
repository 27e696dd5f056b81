"""Chromium as a reader's browser: Debian's chromium, driven by Playwright.

A pytest plugin (tests/conftest.py lists it): ``chromium_executable`` is the browser's path,
for tests that launch it their own way; ``browser`` is one Chromium launched for the module.
tests/conftest.py marks every test that uses either ``browser``. Where chromium is not
installed they are skipped, unless NEWSLETTER_REQUIRE_BROWSER is set (CI), which turns the
skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-background-networking"]
"""How every test starts Chromium: as this machine's user (often root in CI), no window,
no background requests of its own."""

PAGES = [
    "",
    "editions/3/",
    "posts/2026/geocoding-asthma-admissions-offline/",
    "members/yusuf/",
    "members/",
    "topics/",
    "topics/mapping/",
    "network/",
    "archive/",
    "404.html",
    "email/10.html",
    "search/?q=geocoding",
]
"""A page of each type of the built example (relative to its root), as readers open them."""


def browser_env() -> dict[str, str]:
    """The environment Chromium is started with: this one, less libfaketime. The browser
    stands for a reader's, and keeps the real clock when .ci/run moves the suite's
    (under libfaketime its processes spin or crash)."""
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }


def chromium_path() -> str:
    """Where chromium is; the test is skipped (failed, if NEWSLETTER_REQUIRE_BROWSER is
    set) when it is not installed."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("NEWSLETTER_REQUIRE_BROWSER"):
            pytest.fail("chromium is required here: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The path of chromium, for a test that launches it itself."""
    return chromium_path()


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Browser]:
    """Chromium, launched once for the module (pages and contexts are the tests' own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium_executable, env=browser_env(), args=LAUNCH_ARGS
        )
        yield launched
        launched.close()

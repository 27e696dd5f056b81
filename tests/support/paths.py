"""Where things are: the repository and the data the tests read (never write)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository: the bundled example (newsletter.yaml, content/, templates/), README…"""
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
"""Feeds to serve (feeds/) and one broken project per mistake (invalid/<case>/)."""
FEEDS = FIXTURES / "feeds"
GOLDEN = TESTS / "golden"
"""The expected pages and feeds of the example (rewritten by ``pytest --update-golden``)."""
DATA = TESTS / "data"
"""Generated test data: the XSS payload corpus and the script that makes it."""

"""The bundled example community (newsletter.yaml, content/, templates/ at the top of the
repository), copied for a test that changes it or built once for the session.

A pytest plugin (tests/conftest.py lists it): the fixtures ``example`` and ``built_example``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.paths import REPO


def copy_example(root: Path) -> Path:
    """A copy of the bundled example community (newsletter.yaml, content/, templates/)."""
    root.mkdir()
    shutil.copy(REPO / "newsletter.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def speak(root: Path, tag: str) -> None:
    """The example copied at ``root`` in one language, ``tag``: newsletter.yaml says
    ``language: <tag>`` instead of its ``languages: [en, fr]``, and its French posts are
    the main language's (their ``lang: fr`` dropped)."""
    config = root / "newsletter.yaml"
    kept = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("language:", "languages:"))
    ]
    config.write_text("\n".join([*kept, f"language: {tag}", ""]), encoding="utf-8")
    for post in (root / "content/posts").rglob("*.md"):
        text = post.read_text(encoding="utf-8")
        head, _, body = text.partition("\n---\n")
        if "\nlang: " in head:
            head = re.sub(r"\nlang: [^\n]*", "", head)
            post.write_text(f"{head}\n---\n{body}", encoding="utf-8")


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

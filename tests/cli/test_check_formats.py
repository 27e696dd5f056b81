"""`check --format github|json` say the same as the text format, for machines."""

from __future__ import annotations

import json
import re

import pytest

from support.cli import run
from support.clock import TODAY
from support.paths import FIXTURES

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())
TEXT_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|note): "
    r"(?P<message>.*) \[(?P<code>[a-z.-]+)\]$",
    re.M,
)


def _text_diagnostics(case: str) -> list[dict[str, str]]:
    text = (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8")
    return [m.groupdict() for m in TEXT_LINE.finditer(text)]


@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_json_matches_text(case: str) -> None:
    result = run("check", "--today", TODAY, "--format", "json", cwd=FIXTURES / "invalid" / case)
    rows = json.loads(result.output)
    expected = _text_diagnostics(case)
    assert len(rows) == len(expected) > 0
    for row, want in zip(rows, expected, strict=True):
        assert row["path"] == want["path"] and str(row["line"]) == want["line"]
        assert str(row["col"]) == want["col"] and row["severity"] == want["severity"]
        assert row["code"] == want["code"] and row["message"] == want["message"]


@pytest.mark.parametrize("case", [c.name for c in CASES])
def test_github_annotations(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(FIXTURES / "invalid" / case))
    result = run("check", "--today", TODAY, "--format", "github", cwd=FIXTURES / "invalid" / case)
    lines = result.output.splitlines()
    expected = _text_diagnostics(case)
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected, strict=True):
        command = {"note": "notice"}.get(want["severity"], want["severity"])  # GitHub's word
        assert line.startswith(
            f"::{command} file={want['path']},line={want['line']},"
            f"col={want['col']},title={want['code']}::"
        )
        assert "\n" not in line


def test_github_paths_are_from_the_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A newsletter in a subfolder of the repository: annotations still land on the file."""
    monkeypatch.setenv("GITHUB_WORKSPACE", str(FIXTURES))
    result = run(
        "check",
        "--format",
        "github",
        "--today",
        TODAY,
        cwd=FIXTURES / "invalid" / "unknown-member-by",
    )
    assert result.output.startswith("::error file=invalid/unknown-member-by/content/posts/2026/"), (
        result.output
    )

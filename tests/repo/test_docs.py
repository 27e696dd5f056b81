"""The README documents every command and option, and every --help has an example."""

from __future__ import annotations

import re

import click
import pytest

from newsletter.cli import main

from support.cli import run
from support.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "newsletter") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append((path, command))
        if isinstance(command, click.Group):
            out += _commands(command, path)
    return out


COMMANDS = _commands(main)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_and_options_in_readme(path: str, command: click.Command) -> None:
    assert f"`{path}" in README, f"{path} is not in the README"
    for param in command.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            longest = max(param.opts, key=len)
            assert f"`{longest}" in README, f"{path} {longest} is not in the README"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_help_has_an_example(path: str, command: click.Command) -> None:
    result = run(*path.split()[1:], "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert path in result.output


def test_readme_promises_the_two_commands() -> None:
    assert "pip install . && newsletter build" in README
    assert "pip install -e '.[test]' && pytest" in README


def test_ci_runs_the_readme_test_command() -> None:
    script = (REPO / ".ci/run").read_text()
    assert (
        "pip install -e '.[test]'" in script
        or 'pip install -e ".[dev]"' in script
        or "pip install -e '.[dev]'" in script
    )
    assert "\npytest" in script or " pytest\n" in script


def test_every_diagnostic_code_is_in_the_readme() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "newsletter").rglob("*.py"))
    codes = set(
        re.findall(
            r'"((?:syntax|file|field|date|ref|intro|link|edition|member|post|'
            r'privacy|share|config|email)\.[a-z-]+)"',
            source,
        )
    )
    assert len(codes) > 20
    missing = sorted(code for code in codes if f"`{code}`" not in README)
    assert not missing

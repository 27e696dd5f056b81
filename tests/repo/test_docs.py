"""The documentation site (docs/, mkdocs.yml) documents every command and option, every
diagnostic code, every setting, front-matter field and environment variable; every
--help has an example; the README keeps its two commands and points at the docs.

The site is built once for the module, as CI builds it (``mkdocs build --strict``: any
warning fails), and the built HTML is what is read. Nothing here reads the network:
Material's fonts are off and no plugin fetches.
"""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from newsletter.cli import main
from newsletter.load import config, editions, members, pages, posts

from support.cli import run
from support.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = REPO / "docs"


def _commands(group: click.Group, prefix: str = "newsletter") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        out.append((path, command))
        if isinstance(command, click.Group):
            out += _commands(command, path)
    return out


COMMANDS = _commands(main)


def _diagnostic_codes() -> set[str]:
    """Every code newsletter/ reports: the literal given to diags.error/.warning/.note."""
    codes = set()
    for path in (REPO / "newsletter").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("error", "warning", "note")
                and len(node.args) >= 2
            ):
                code = node.args[1]
                assert isinstance(code, ast.Constant), f"{path}:{node.lineno}: a code is a literal"
                codes.add(code.value)
    return codes


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The built site's pages, ``{'reference/commands': text}``: HTML, entities decoded."""
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return {
        str(page.parent.relative_to(out)): html.unescape(page.read_text(encoding="utf-8"))
        for page in out.rglob("index.html")
    }


def _names(text: str, word: str) -> bool:
    """Whether ``word`` is in ``text`` on its own (``--to`` is not in ``--today``)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def _section(page: str, anchor: str) -> str:
    """The part of a built page from the heading ``anchor`` to the next heading of its level."""
    start = re.search(rf'<h(\d) id="{re.escape(anchor)}"', page)
    assert start, f"no heading #{anchor}"
    end = re.compile(rf"<h[1-{start[1]}] ").search(page, start.end())
    return page[start.start() : end.start() if end else len(page)]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_and_option_is_in_the_docs(
    docs_site: dict[str, str], path: str, command: click.Command
) -> None:
    reference = docs_site["reference/commands"]
    assert f">{path}<" in reference, f"{path} has no heading in the command reference"
    everything = "\n".join(docs_site.values())
    for param in command.params:
        if isinstance(param, click.Option) and "--help" not in param.opts:
            longest = max(param.opts, key=len)
            assert _names(everything, longest), f"{path} {longest} is not in the docs"


@pytest.mark.slow
def test_every_diagnostic_code_has_a_section_with_an_example(docs_site: dict[str, str]) -> None:
    page = docs_site["reference/diagnostics"]
    codes = _diagnostic_codes()
    assert len(codes) > 60
    for code in sorted(codes):
        section = _section(page, code)
        assert re.search(rf"\[{re.escape(code)}\]\n", section), f"{code}: no example"
        assert "Fix:" in section, f"{code}: no fix"


@pytest.mark.slow
def test_every_setting_has_its_row_and_default(docs_site: dict[str, str]) -> None:
    page = docs_site["reference/settings"]
    sections = {
        "email": config.EMAIL_OPTIONS,
        "feeds": config.FEED_OPTIONS,
        "network": config.NETWORK_OPTIONS,
        "privacy": config.PRIVACY_OPTIONS,
    }
    assert sections.keys() <= config.CONFIG_FIELDS
    for key in config.CONFIG_FIELDS - sections.keys():
        assert f'id="{key}"' in page, key
    for section, keys in sections.items():
        assert f'id="{section}"' in page, section
        for key in keys:
            assert f'id="{section}.{key}"' in page, f"{section}.{key}"
    row = re.search(r'id="email\.per_second".*?</tr>', page, re.DOTALL)
    assert row and "<code>5</code>" in row[0], "the default is shown beside the setting"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("anchor", "fields"),
    [
        ("post", posts.POST_FIELDS),
        ("member", members.MEMBER_FIELDS),
        ("feed", members.FEED_FIELDS),
        ("edition", editions.EDITION_FIELDS),
        ("page", pages.PAGE_FIELDS),
    ],
)
def test_every_front_matter_field_is_in_its_table(
    docs_site: dict[str, str], anchor: str, fields: set[str]
) -> None:
    section = _section(docs_site["reference/front-matter"], anchor)
    missing = sorted(f for f in fields if f"<td><code>{f}</code></td>" not in section)
    assert not missing, f"{anchor}: {missing}"


def test_every_environment_variable_is_documented() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "newsletter").rglob("*.py"))
    variables = set(re.findall(r'"(NEWSLETTER_[A-Z_]+)"', source))
    assert "NEWSLETTER_SMTP_URL" in variables
    page = (DOCS / "reference/environment.md").read_text(encoding="utf-8")
    assert not sorted(v for v in variables if f"`{v}`" not in page)


def test_every_image_is_small_and_used() -> None:
    pages = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    images = sorted(p for p in (DOCS / "assets").iterdir() if p.suffix in (".png", ".webp"))
    assert images
    for image in images:
        assert image.stat().st_size < 200_000, f"{image.name}: {image.stat().st_size} bytes"
        assert f"assets/{image.name}" in pages, f"{image.name} is on no page"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_help_has_an_example(path: str, command: click.Command) -> None:
    result = run(*path.split()[1:], "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert path in result.output


def test_readme_promises_the_two_commands() -> None:
    assert "pip install . && newsletter build" in README
    assert "pip install -e '.[test]' && pytest" in README


def test_readme_points_at_the_docs() -> None:
    assert "mkdocs serve" in README
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (REPO / link).is_file(), link
    assert len(README) < 12_000, "the README says what it is and points at the docs"


def test_ci_runs_the_readme_test_command_and_builds_the_docs() -> None:
    script = (REPO / ".ci/run").read_text()
    assert (
        "pip install -e '.[test]'" in script
        or 'pip install -e ".[dev]"' in script
        or "pip install -e '.[dev]'" in script
    )
    assert "\npytest" in script or " pytest\n" in script
    assert "\nmkdocs build --strict" in script


def test_the_docs_build_offline() -> None:
    settings = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+font: false", settings, re.MULTILINE), "no Google Fonts"
    plugins = re.search(r"^plugins:\n((?:  - .*\n)+)", settings, re.MULTILINE)
    assert plugins and plugins[1].split() == ["-", "search"], "no plugin that fetches"
    assert Path(REPO / "docs/hooks/reference.py").is_file()

"""The shape of newsletter/: layers whose imports only go down, each package saying what
it may import, no function longer than a screen, and a public API that the command line
stands on.

The layer contracts live in pyproject.toml (``[tool.importlinter]``); this test runs
import-linter on them, so that `pytest` alone proves them, as .ci/run does.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from support.paths import REPO

PACKAGE = REPO / "newsletter"
MAX_LINES = 60
"""From ``def`` to the function's last line, docstring included: one screen."""


def _functions(path: Path) -> list[tuple[str, int, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def long_functions(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for name, first, last in _functions(path):
            if last - first + 1 > MAX_LINES:
                rel = path.relative_to(root.parent)
                found.append(f"{rel}:{first}: {name} has {last - first + 1} lines")
    return found


def test_no_function_is_longer_than_a_screen() -> None:
    assert not long_functions(PACKAGE), (
        f"split these into named steps (at most {MAX_LINES} lines each):\n"
        + "\n".join(long_functions(PACKAGE))
    )


def test_the_length_check_finds_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/mod.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    assert long_functions(tmp_path / "pkg") == [f"pkg/mod.py:5: long has {MAX_LINES + 1} lines"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is part of the test extra: pip install -e '.[test]'"
    return subprocess.run(
        [command, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_imports_only_go_down_the_layers() -> None:
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_catch_an_import_that_goes_up(tmp_path: Path) -> None:
    """The same contracts on a copy of the package with one import planted upward (the
    model importing the analysis, as it once did) fail, and name the import."""
    shutil.copytree(PACKAGE, tmp_path / "newsletter", ignore=shutil.ignore_patterns("theme"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    model = tmp_path / "newsletter/core/model.py"
    model.write_text(model.read_text() + "\nfrom newsletter.analysis import network  # noqa\n")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert "newsletter.core.model -> newsletter.analysis.network" in done.stdout


def _layers() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    return [name.strip() for layer in layers for name in layer.split("|")]


def test_every_module_is_in_a_layer() -> None:
    """A new top-level module or package must be placed in the layers, or the contracts
    would not see it."""
    layered = {name.removeprefix("newsletter.") for name in _layers()}
    found = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert found == layered


@pytest.mark.parametrize("name", _layers())
def test_each_layer_says_what_it_owns_and_may_import(name: str) -> None:
    doc = inspect.getdoc(importlib.import_module(name)) or ""
    assert len(doc.split()) >= 15, f"{name} needs a docstring: what it owns, what it may import"


def test_the_api_is_documented_and_the_cli_stands_on_it() -> None:
    from newsletter import api

    for name in ("load_project", "check", "build", "fetch", "contacts", "analyse"):
        function = getattr(api, name)
        assert inspect.getdoc(function), name
        assert name in api.__all__
    cli = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "cli").rglob("*.py"))
    assert "from newsletter import api" in cli


def test_no_two_modules_define_the_same_public_name() -> None:
    """Two ``Edition`` classes or two ``plan()``s make a reader ask which one is meant.
    The API is the exception: its functions are named after the commands, on purpose."""
    defined: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "api.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_"):
                defined.setdefault(node.name, []).append(str(path.relative_to(PACKAGE)))
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}

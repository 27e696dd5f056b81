"""`newsletter init` makes a project that builds; `new` writes files that pass check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from support.cli import run
from support.clock import TODAY
from support.helpers import check_jsonschema


def test_init_then_build(tmp_path: Path) -> None:
    target = tmp_path / "our-exchange"
    result = run(
        "init",
        str(target),
        "--title",
        "Our Exchange",
        "--editor",
        "mo",
        "--name",
        "Mo",
        "--date",
        TODAY,
    )
    assert result.exit_code == 0, result.output
    for rel in (
        "newsletter.yaml",
        ".gitignore",
        ".github/workflows/newsletter.yml",
        ".github/workflows/share.yml",
        ".github/dependabot.yml",
        "content/members/mo.yaml",
        "content/editions/1.md",
        "templates/base.html",
        "templates/static/style.css",
    ):
        assert (target / rel).is_file(), rel
    assert len(list((target / "content/posts").rglob("*.md"))) == 1
    workflow = yaml.safe_load((target / ".github/workflows/newsletter.yml").read_text())
    assert set(workflow["jobs"]) == {"check", "publish"}
    steps = [s.get("run", "") for s in workflow["jobs"]["check"]["steps"]]
    assert "newsletter check --format github" in steps
    assert workflow["env"]["NEWSLETTER_PACKAGE"] == "newsletter==0.1.0"  # not from a git URL
    assert "/site/" in (target / ".gitignore").read_text()

    assert run("check", "--today", TODAY, cwd=target).exit_code == 0
    result = run("build", "--today", TODAY, cwd=target)
    assert result.exit_code == 0, result.output
    home = (target / "site/index.html").read_text()
    assert "Our Exchange" in home and "Welcome to the exchange" in home


def test_init_refuses_an_existing_newsletter(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY).exit_code == 0
    result = run("init", str(tmp_path), "--date", TODAY)
    assert result.exit_code == 2
    assert "already" in result.output


@pytest.mark.slow
def test_new_files_pass_check(tmp_path: Path) -> None:
    # the first edition before the posts below, whatever the real day
    assert run("init", str(tmp_path), "--editor", "ada", "--date", "2026-11-19").exit_code == 0
    steps = [
        (
            "new",
            "member",
            "grace",
            "--name",
            "Grace Hopper",
            "--org",
            "Navy",
            "--topics",
            "compilers,careers",
        ),
        ("new", "member", "linus", "--name", "Linus", "--topics", "kernels"),
        (
            "new",
            "post",
            "--title",
            "Who knows a good compiler book?",
            "--by",
            "ada",
            "--kind",
            "ask",
            "--tags",
            "compilers",
            "--for",
            "grace",
            "--date",
            "2026-11-20",
            "--body",
            "In my own words.",
        ),
        (
            "new",
            "post",
            "--title",
            "Grace, meet Linus: two builders",
            "--by",
            "ada",
            "--kind",
            "intro",
            "--connects",
            "grace,linus",
            "--date",
            "2026-11-21",
            "--body",
            "In my own words.",
        ),
        (
            "new",
            "post",
            "--title",
            "Compiler night",
            "--by",
            "grace",
            "--kind",
            "event",
            "--when",
            "2026-12-03 18:00",
            "--where",
            "Room 2",
            "--link",
            "https://events.example.org/c",
            "--date",
            "2026-11-22",
            "--body",
            "In my own words.",
        ),
        ("new", "edition", "--title", "Compilers and kernels", "--date", "2026-11-24"),
    ]
    for args in steps:
        result = run(*args, cwd=tmp_path)
        assert result.exit_code == 0, (args, result.output)
        assert "created" in result.output
    assert (tmp_path / "content/posts/2026/grace-meet-linus-two-builders.md").is_file()
    assert (tmp_path / "content/editions/2.md").is_file()
    result = run("check", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings")
    result = run("build", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    ics = (tmp_path / "site/events.ics").read_text()
    assert "DTSTART:20261203T180000" in ics and "SUMMARY:Compiler night" in ics


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    result = run("new", "member", "ada", "--name", "Someone else", cwd=tmp_path)
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_new_post_without_title_is_a_usage_error(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    result = run("new", "post", "--by", "ada", cwd=tmp_path)
    assert result.exit_code == 2
    assert "--title" in result.output


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    result = run("build", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 2
    assert "no newsletter.yaml" in result.output and "newsletter init" in result.output


def test_a_project_template_overrides_one_file(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    for path in (tmp_path / "templates").iterdir():  # keep only the override
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    (tmp_path / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Lost? Ask the editors.</p>{% endblock %}'
    )
    result = run("build", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Lost? Ask the editors." in (tmp_path / "site/404.html").read_text()
    assert "Lost?" not in (tmp_path / "site/index.html").read_text()
    assert (tmp_path / "site/static/style.css").is_file()


def test_init_pins_the_package_ci_installs(tmp_path: Path) -> None:
    spec = 'newsletter @ git+https://github.com/acme/newsletter@v1 "quoted"'
    assert run("init", str(tmp_path), "--date", TODAY, "--package", spec).exit_code == 0
    workflow = yaml.safe_load((tmp_path / ".github/workflows/newsletter.yml").read_text())
    assert workflow["env"]["NEWSLETTER_PACKAGE"] == spec


@pytest.mark.slow
def test_generated_workflow_is_valid_for_github(tmp_path: Path) -> None:
    """Checked against GitHub's workflow schema, which check-jsonschema ships (no network)."""
    assert run("init", str(tmp_path), "--date", TODAY).exit_code == 0
    workflow = tmp_path / ".github/workflows/newsletter.yml"
    done = check_jsonschema("vendor.github-workflows", workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    workflow.write_text(workflow.read_text().replace("runs-on:", "runs_on:", 1))
    broken = check_jsonschema("vendor.github-workflows", workflow)
    assert broken.returncode == 1  # the check itself can fail


def test_new_where_a_folder_cannot_be_made_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    shutil.rmtree(tmp_path / "content/posts")
    (tmp_path / "content/posts").write_text("a file where the folder should be")
    result = run("new", "post", "--title", "Hello", "--by", "ada", "--date", TODAY, cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "content/posts" in result.output

"""`newsletter contacts`: the ledger of the bundled example, filtered and summed up."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.paths import REPO


def test_every_share_is_an_event() -> None:
    result = run("contacts", "--format", "json", "--today", EXAMPLE_TODAY, cwd=REPO)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    posts = [
        p for p in (REPO / "content/posts").rglob("*.md") if "draft: true" not in p.read_text()
    ]
    assert len(found) == len(posts)
    assert [e["date"] for e in found] == sorted(e["date"] for e in found)
    intro = next(e for e in found if e["kind"] == "intro")
    assert len(intro["introduced"]) == 2 and intro["url"].startswith("https://commons.example.org/")
    keys = {"date", "sharer", "kind", "item", "url", "for", "via", "introduced", "answered"}
    assert keys == set(intro)
    answers = [e for e in found if e["answered"]]  # the example's asks have answers
    assert answers and all(e["answered"] != e["sharer"] for e in answers)


def test_filters() -> None:
    grace = json.loads(
        run(
            "contacts", "--member", "grace", "--format", "json", "--today", EXAMPLE_TODAY, cwd=REPO
        ).output
    )
    assert grace and all(
        "grace" in {e["sharer"], e["via"], *e["for"], *e["introduced"]} for e in grace
    )
    intros = json.loads(
        run(
            "contacts",
            "--kind",
            "intro",
            "--since",
            "2026-09-01",
            "--format",
            "json",
            "--today",
            EXAMPLE_TODAY,
            cwd=REPO,
        ).output
    )
    assert intros and all(e["kind"] == "intro" and e["date"] >= "2026-09-01" for e in intros)
    typo = run("contacts", "--member", "grase", "--today", EXAMPLE_TODAY, cwd=REPO)
    assert typo.exit_code == 2 and "did you mean 'grace'" in typo.output


def test_summary_as_table_and_csv() -> None:
    table = run("contacts", "--summary", "--today", EXAMPLE_TODAY, cwd=REPO)
    assert table.exit_code == 0
    header = table.output.splitlines()[0].split()
    assert header[:3] == ["member", "shared", "received"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    "contacts", "--summary", "--format", "csv", "--today", EXAMPLE_TODAY, cwd=REPO
                ).output
            )
        )
    )
    assert len(rows) == len(list((REPO / "content/members").glob("*.yaml")))
    ada = next(r for r in rows if r["handle"] == "grace")
    assert int(ada["shared"]) > 0 and ada["last_activity"] <= EXAMPLE_TODAY
    assert all(r["top_topics"] == "" or not r["top_topics"].startswith("#") for r in rows)


def test_a_broken_project_is_reported_not_listed(tmp_path: Path) -> None:
    from support.helpers import post, project

    root = project(tmp_path / "p", posts={"x": post("X", "nobody")})
    result = run("contacts", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 1 and "[ref.member]" in result.output


def asked_and_answered(root: Path) -> Path:
    """Grace asks; Ada answers, not for her; Ada also shares something else."""
    from support.helpers import post, project

    return project(
        root,
        posts={
            "who-has-a-geocoder": post(
                "Who has a geocoder?", "grace", date="2026-11-01", kind="ask"
            ),
            "try-nominatim": post(
                "Try Nominatim", "ada", date="2026-11-03", answers="2026/who-has-a-geocoder"
            ),
            "hello": post("Hello", "ada", date="2026-11-04"),
        },
    )


def test_an_answer_names_whose_ask_it_answered(tmp_path: Path) -> None:
    root = asked_and_answered(tmp_path / "p")
    grace = json.loads(
        run(
            "contacts", "--member", "grace", "--format", "json", "--today", EXAMPLE_TODAY, cwd=root
        ).output
    )
    assert [(e["sharer"], e["item"], e["answered"]) for e in grace] == [
        ("grace", "Who has a geocoder?", ""),
        ("ada", "Try Nominatim", "grace"),
    ]
    table = run("contacts", "--today", EXAMPLE_TODAY, cwd=root).output.splitlines()
    assert table[0].split() == [
        "date",
        "shared",
        "by",
        "kind",
        "item",
        "for",
        "via",
        "introduced",
        "answered",
    ]
    assert table[2].startswith("2026-11-03") and table[2].rstrip().endswith("Grace Hopper")
    rows = list(
        csv.DictReader(
            io.StringIO(
                run("contacts", "--format", "csv", "--today", EXAMPLE_TODAY, cwd=root).output
            )
        )
    )
    assert [r["answered"] for r in rows] == ["", "grace", ""]


def test_without_answers_the_ledger_reads_as_before(tmp_path: Path) -> None:
    root = asked_and_answered(tmp_path / "p")
    table = run("contacts", "--since", "2026-11-04", "--today", EXAMPLE_TODAY, cwd=root).output
    assert table.splitlines()[0].split() == [
        "date",
        "shared",
        "by",
        "kind",
        "item",
        "for",
        "via",
        "introduced",
    ]
    found = json.loads(
        run(
            "contacts",
            "--since",
            "2026-11-04",
            "--format",
            "json",
            "--today",
            EXAMPLE_TODAY,
            cwd=root,
        ).output
    )
    assert found == [
        {
            "date": "2026-11-04",
            "sharer": "ada",
            "kind": "article",
            "item": "Hello",
            "url": "https://news.example.org/posts/2026/hello/",
            "for": [],
            "via": "",
            "introduced": [],
        }
    ]

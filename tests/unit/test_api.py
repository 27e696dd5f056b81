"""newsletter.api, the Python API: each function gives what its command shows, as data,
on real projects (the bundled example, a broken fixture, a feed on 127.0.0.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsletter import api
from newsletter.core.diagnostics import format_json
from newsletter.core.errors import BuildFailed, ProjectError
from newsletter.core.model import Kind
from newsletter.pipeline.build import BuildOptions

from support.cli import run
from support.clock import EXAMPLE_TODAY, TODAY_DATE
from support.feedserver import FeedServer
from support.helpers import project, write
from support.paths import FEEDS, FIXTURES


def test_load_project_finds_the_nearest_newsletter(example: Path) -> None:
    assert api.load_project(example / "content/posts").root == example
    assert api.load_project(str(example)).root == example


def test_load_project_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="run `newsletter init`"):
        api.load_project(tmp_path)


def test_check_returns_what_check_prints() -> None:
    broken = FIXTURES / "invalid" / "bad-date"
    found = api.check(api.load_project(broken), today=TODAY_DATE)
    assert found, "the fixture is broken"
    printed = run("check", "--format", "json", "--today", EXAMPLE_TODAY, cwd=broken)
    assert json.loads(format_json(found)) == json.loads(printed.output)


@pytest.mark.slow
def test_build_writes_the_site_the_command_writes(example: Path, built_example: Path) -> None:
    output = example.parent / "out"
    result = api.build(api.load_project(example), output, BuildOptions(today=TODAY_DATE))
    assert result.output == output and result.files > 300
    made = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    built = {
        p.relative_to(built_example): p.read_bytes()
        for p in built_example.rglob("*")
        if p.is_file()
    }
    assert made == built


def test_build_refuses_a_broken_project_and_says_why(tmp_path: Path) -> None:
    project(tmp_path, posts={"x": "---\ntitle: X\nby: nobody\ndate: 2026-11-10\n---\nBody.\n"})
    with pytest.raises(BuildFailed) as failed:
        api.build(api.load_project(tmp_path), options=BuildOptions(today=TODAY_DATE))
    assert [d.code for d in failed.value.diagnostics] == ["ref.member"]
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_contacts_are_the_ledger_contacts_prints(example: Path) -> None:
    found = api.contacts(api.load_project(example), today=TODAY_DATE)
    printed = json.loads(
        run("contacts", "--format", "json", "--today", EXAMPLE_TODAY, cwd=example).output
    )
    assert [(e.date.isoformat(), e.sharer, e.item) for e in found] == [
        (row["date"], row["sharer"], row["item"]) for row in printed
    ]
    intros = api.contacts(api.load_project(example), kind=Kind.INTRO, today=TODAY_DATE)
    assert intros and all(e.kind == "intro" for e in intros)
    assert len(intros) < len(found)


def test_analyse_is_the_network_network_prints(example: Path) -> None:
    from newsletter.analysis.asklist import network_and_asks_json

    net = api.analyse(api.load_project(example), today=TODAY_DATE, dormant_months=3)
    printed = run(
        "network",
        "--format",
        "json",
        "--dormant-months",
        "3",
        "--today",
        EXAMPLE_TODAY,
        cwd=example,
    )
    asks = api.asks(api.load_project(example), today=TODAY_DATE)
    assert network_and_asks_json(net, asks) == printed.output
    assert net.brokers and net.options.dormant_months == 3


def test_fetch_pulls_a_members_feed_into_the_cache(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/blog.xml", (FEEDS / "rss20.xml").read_bytes())
    project(tmp_path, members={"ada": f"name: Ada\nfeeds:\n  - {url}\n"})
    write(
        tmp_path,
        "newsletter.yaml",
        "title: T\nbase_url: https://t.example.org/\nfeeds: {allow_private: true}\n",
    )
    seen: list[int] = []
    run_ = api.fetch(api.load_project(tmp_path), today=TODAY_DATE, on_start=seen.append)
    assert seen == [1]
    assert [(r.target.member, r.target.url, str(r.outcome)) for r in run_.reports] == [
        ("ada", url, "ok")
    ]
    assert run_.reports[0].new > 0 and not run_.diagnostics
    site, _ = api.site(api.load_project(tmp_path), today=TODAY_DATE)
    assert "Packaging a Python tool without tears" in {p.title for p in site.posts if p.by == "ada"}

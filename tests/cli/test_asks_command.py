"""`newsletter asks` and the asks part of `newsletter network`: every ask, its answers and
who could help, on a small community whose asks we know and on the bundled example."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsletter import api
from newsletter.analysis.asklist import ask_rows, asks_json, select_asks
from newsletter.analysis.report import ask_list_sections
from newsletter.cli import main
from newsletter.core.community import Answer, Ask, AskReport, Helper
from newsletter.core.diagnostics import Location
from newsletter.core.model import Member

from support.cli import run
from support.helpers import post, project
from support.paths import REPO

DAY = "2026-11-30"
EXAMPLE_DAY = "2026-12-01"

MEMBERS = {
    "ada": "name: Ada Lovelace\norg: Engines\n",
    "grace": "name: Grace Hopper\norg: Navy\n",
    "alan": "name: Alan Turing\norg: Bletchley\n",
}


def _ask(title: str, by: str, date: str, **fields: str) -> str:
    return post(title, by, date=date, kind="ask", **fields)


POSTS = {
    # answered twice: 4 days to the first answer
    "geocoder": _ask("Who has a geocoder?", "ada", "2026-06-01", tags="[mapping]"),
    "try-nominatim": post("Try Nominatim", "grace", date="2026-06-05", answers="2026/geocoder"),
    "postcodes": post("Postcodes first", "alan", date="2026-06-10", answers="2026/geocoder"),
    # answered in 2 days
    "licence": _ask("Which licence?", "grace", "2026-07-01", tags="[open-data]"),
    "use-odbl": post("Use the ODbL", "ada", date="2026-07-03", answers="2026/licence"),
    # closed by their authors, without an answer
    "old-survey": _ask("Anyone run a survey?", "alan", "2026-08-01", status="withdrawn"),
    "interviews": _ask("Interview tips?", "alan", "2026-10-01", status="answered"),
    # still open
    "dbt": _ask("Moving to dbt?", "ada", "2026-09-01", tags="[data-engineering]"),
    "tiles": _ask("Vector tiles on a shoestring?", "grace", "2026-11-01"),
    # not yet published on DAY
    "later": _ask("A question for December", "ada", "2026-12-15"),
}

SUMMARY = "6 asks: 2 open, 3 answered, 1 withdrawn; median 3 days to a first answer"


@pytest.fixture
def community(tmp_path: Path) -> Path:
    return project(tmp_path / "community", posts=POSTS, members=MEMBERS)


def _json(root: Path, *args: str) -> list[dict[str, Any]]:
    result = run("asks", "--format", "json", "--today", DAY, *args, cwd=root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["asks"]
    found: list[dict[str, Any]] = data["asks"]
    return found


def test_every_ask_with_its_answers_in_json(community: Path) -> None:
    found = _json(community)
    assert [a["path"] for a in found] == [
        "2026/dbt",  # open, oldest first
        "2026/tiles",
        "2026/interviews",  # then closed, newest first
        "2026/old-survey",
        "2026/licence",
        "2026/geocoder",
    ]
    geocoder = next(a for a in found if a["path"] == "2026/geocoder")
    assert list(geocoder) == [
        "path",
        "title",
        "by",
        "date",
        "status",
        "answers",
        "helpers",
        "days_to_first_answer",
        "waiting_days",
    ]
    assert geocoder == {
        "path": "2026/geocoder",
        "title": "Who has a geocoder?",
        "by": "ada",
        "date": "2026-06-01",
        "status": "answered",
        "answers": [
            {"path": "2026/try-nominatim", "by": "grace", "date": "2026-06-05"},
            {"path": "2026/postcodes", "by": "alan", "date": "2026-06-10"},
        ],
        "helpers": [],
        "days_to_first_answer": 4,
        "waiting_days": None,
    }
    dbt = found[0]
    assert (dbt["status"], dbt["answers"], dbt["waiting_days"]) == ("open", [], 90)
    assert dbt["days_to_first_answer"] is None
    statuses = {a["path"]: a["status"] for a in found}
    assert statuses["2026/old-survey"] == "withdrawn"
    assert statuses["2026/interviews"] == "answered"
    assert "2026/later" not in statuses


def test_open_and_member_filters(community: Path) -> None:
    assert [a["path"] for a in _json(community, "--open")] == ["2026/dbt", "2026/tiles"]
    # ada asked geocoder and dbt, answered licence
    assert [a["path"] for a in _json(community, "--member", "ada")] == [
        "2026/dbt",
        "2026/licence",
        "2026/geocoder",
    ]
    # alan asked two, answered geocoder second
    assert [a["path"] for a in _json(community, "--member", "alan")] == [
        "2026/interviews",
        "2026/old-survey",
        "2026/geocoder",
    ]
    assert [a["path"] for a in _json(community, "--member", "grace", "--open")] == ["2026/tiles"]


def test_csv_one_row_per_ask(community: Path) -> None:
    result = run("asks", "--format", "csv", "--today", DAY, cwd=community)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["path"] for r in rows] == [a["path"] for a in _json(community)]
    assert list(rows[0]) == [
        "path",
        "title",
        "by",
        "date",
        "status",
        "answers",
        "helpers",
        "days_to_first_answer",
        "waiting_days",
    ]
    geocoder = next(r for r in rows if r["path"] == "2026/geocoder")
    assert geocoder["answers"] == (
        "2026/try-nominatim by grace on 2026-06-05; 2026/postcodes by alan on 2026-06-10"
    )
    assert (geocoder["days_to_first_answer"], geocoder["waiting_days"]) == ("4", "")
    tiles = next(r for r in rows if r["path"] == "2026/tiles")
    assert (tiles["status"], tiles["waiting_days"], tiles["answers"]) == ("open", "29", "")


def test_text_is_aligned_plain_when_piped_and_summed_up(community: Path) -> None:
    result = run("asks", "--today", DAY, cwd=community)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out
    assert out.rstrip().splitlines()[-1] == SUMMARY
    lines = out.splitlines()
    assert lines[0] == "Open asks: longest waiting first"
    header = lines[1]
    assert header.split() == ["asked", "by", "waiting", "ask", "who", "might", "help"]
    dbt = next(line for line in lines if "Moving to dbt?" in line)
    assert dbt.startswith("2026-09-01  Ada Lovelace")
    # the waiting days end where their heading ends (right-aligned)
    assert dbt.index("90 days") + len("90 days") == header.index("waiting") + len("waiting")
    closed = lines.index("Answered and withdrawn: newest first")
    geocoder = next(line for line in lines[closed:] if "Who has a geocoder?" in line)
    assert "answered" in geocoder and "4 days" in geocoder and "Grace Hopper, 2026-06-05" in out
    assert "Alan Turing, 2026-06-10" in out
    survey = next(line for line in lines if "Anyone run a survey?" in line)
    assert "withdrawn" in survey and "–" in survey
    only_open = run("asks", "--open", "--today", DAY, cwd=community).output
    assert "Answered and withdrawn" not in only_open and "Who has a geocoder?" not in only_open
    last = "2 asks: 2 open, 0 answered, 0 withdrawn; no answer yet"
    assert only_open.rstrip().splitlines()[-1] == last


def test_coloured_on_a_terminal(community: Path) -> None:
    runner = CliRunner(env={"FORCE_COLOR": "1", "NO_COLOR": None, "COLUMNS": "160"})
    result = runner.invoke(main, ["-C", str(community), "asks", "--today", DAY])
    assert result.exit_code == 0
    assert "\x1b[1mOpen asks: longest waiting first" in result.output
    assert SUMMARY in result.output


def test_an_unknown_member_is_an_error_with_a_suggestion(community: Path) -> None:
    typo = run("asks", "--member", "grase", "--today", DAY, cwd=community)
    assert typo.exit_code == 2
    assert "error: no member 'grase' (did you mean 'grace'?)" in typo.output


def test_bad_options_cannot_start(community: Path) -> None:
    assert run("asks", "--today", "30/11/2026", cwd=community).exit_code == 2
    assert run("asks", "--helpers", "-1", "--today", DAY, cwd=community).exit_code == 2
    assert run("asks", "--format", "xml", "--today", DAY, cwd=community).exit_code == 2


def test_a_broken_project_is_reported_as_network_reports_it(tmp_path: Path) -> None:
    posts = {**POSTS, "bad": post("Answers nothing", "ada", date="2026-06-02", answers="2026/nope")}
    root = project(tmp_path / "broken", posts=posts, members=MEMBERS)
    asks = run("asks", "--today", DAY, cwd=root)
    network = run("network", "--today", DAY, cwd=root)
    assert asks.exit_code == network.exit_code == 1
    assert "[answers.unknown]" in asks.output and "nothing was published" in asks.output
    assert asks.output == network.output


def test_network_section_asks(community: Path) -> None:
    result = run("network", "--section", "asks", "--today", DAY, cwd=community)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Asks: 2 open, 3 answered, 1 withdrawn" in out
    assert "Brokers" not in out
    rows = [line.split() for line in out.splitlines() if line.startswith("2026 Q")]
    quarters = {f"{row[0]}{row[1]}": row[2:] for row in rows}
    assert quarters["2026Q2"] == ["1", "1", "4"]  # asked in Q2, answered, 4 days
    assert quarters["2026Q3"] == ["3", "1", "2"]
    assert quarters["2026Q4"] == ["2", "0", "–"]
    all_row = next(line.split() for line in out.splitlines() if line.startswith("all "))
    assert all_row == ["all", "6", "2", "3"]
    assert "Gaps: open asks nobody could help with, by topic" in out
    gaps = out.split("Gaps:")[1]
    assert "data-engineering" in gaps and "Moving to dbt?" in gaps
    assert "untagged" in gaps and "Vector tiles on a shoestring?" in gaps
    assert "Who has a geocoder?" not in gaps
    everything = run("network", "--today", DAY, cwd=community).output
    assert "Asks: 2 open, 3 answered, 1 withdrawn" in everything and "Brokers" in everything


def test_network_json_adds_the_asks_and_keeps_its_keys(community: Path) -> None:
    from newsletter.analysis.network import network_json

    result = run("network", "--format", "json", "--today", DAY, cwd=community)
    data = json.loads(result.output)
    project_ = api.load_project(community)
    alone = json.loads(network_json(api.analyse(project_, dt.date.fromisoformat(DAY))))
    assert {k: v for k, v in data.items() if k != "asks"} == alone
    assert data["asks"]["open"] == 2 and data["asks"]["answered"] == 3
    assert data["asks"]["withdrawn"] == 1 and data["asks"]["median_days_to_first_answer"] == 3
    assert [q["quarter"] for q in data["asks"]["quarters"]] == ["2026 Q2", "2026 Q3", "2026 Q4"]
    gaps = {g["topic"]: g["asks"] for g in data["asks"]["gaps"]}
    assert gaps["data-engineering"] == ["2026/dbt"] and gaps["untagged"] == ["2026/tiles"]


def test_the_api_gives_what_asks_prints(community: Path) -> None:
    report = api.asks(api.load_project(community), dt.date.fromisoformat(DAY))
    assert (
        asks_json(report) == run("asks", "--format", "json", "--today", DAY, cwd=community).output
    )
    assert [a.key for a in report.open] == ["2026/dbt", "2026/tiles"]
    fewer = api.asks(api.load_project(community), dt.date.fromisoformat(DAY), helpers=0)
    assert all(not a.helpers for a in fewer.asks)


@pytest.fixture(scope="module")
def example_asks() -> list[dict[str, Any]]:
    """The bundled example's asks as of EXAMPLE_DAY, as `asks --format json` gives them."""
    result = run("asks", "--format", "json", "--today", EXAMPLE_DAY, cwd=REPO)
    assert result.exit_code == 0
    found: list[dict[str, Any]] = json.loads(result.output)["asks"]
    return found


@pytest.mark.slow
def test_the_bundled_example(example_asks: list[dict[str, Any]]) -> None:
    found = example_asks
    posts = [p for p in (REPO / "content/posts").rglob("*.md") if "\nkind: ask" in p.read_text()]
    assert len(found) == len(posts) >= 10
    answered = [a for a in found if a["answers"]]
    assert answered and all(
        a["days_to_first_answer"]
        == (dt.date.fromisoformat(a["answers"][0]["date"]) - dt.date.fromisoformat(a["date"])).days
        for a in answered
    )
    dates = [a["date"] for a in found if a["status"] == "open"]
    assert dates and dates == sorted(dates)
    text = run("asks", "--today", EXAMPLE_DAY, cwd=REPO).output
    counts = {s: sum(a["status"] == s for a in found) for s in ("open", "answered", "withdrawn")}
    last = text.rstrip().splitlines()[-1]
    assert last.startswith(
        f"{len(found)} asks: {counts['open']} open, {counts['answered']} answered, "
        f"{counts['withdrawn']} withdrawn; median "
    )
    section = run("network", "--section", "asks", "--today", EXAMPLE_DAY, cwd=REPO).output
    assert f"Asks: {counts['open']} open, {counts['answered']} answered" in section


@pytest.mark.slow
def test_the_example_names_helpers_with_reasons(example_asks: list[dict[str, Any]]) -> None:
    helped = [a for a in example_asks if a["helpers"]]
    assert helped and all(a["status"] == "open" for a in helped)
    ask = helped[0]
    helper = ask["helpers"][0]
    assert helper["reason"] and helper["handle"] != ask["by"]
    assert helper["score"] == round(helper["score"], 3)
    scores = [h["score"] for h in ask["helpers"]]
    assert scores == sorted(scores, reverse=True)
    mine = run(
        "asks", "--member", helper["handle"], "--format", "json", "--today", EXAMPLE_DAY, cwd=REPO
    )
    listed = json.loads(mine.output)["asks"]
    assert ask["path"] in [a["path"] for a in listed]
    handle = helper["handle"]
    assert all(
        a["by"] == handle
        or handle in {x["by"] for x in a["answers"]}
        or handle in {h["handle"] for h in a["helpers"]}
        for a in listed
    )
    text = run("asks", "--open", "--today", EXAMPLE_DAY, cwd=REPO).output
    people = {p.stem: p.read_text() for p in (REPO / "content/members").glob("*.yaml")}
    name = next(line for line in people[handle].splitlines() if line.startswith("name:"))[5:]
    assert f"{name.strip()}: {helper['reason'][:30]}" in text
    one = json.loads(
        run(
            "asks", "--open", "--helpers", "1", "--format", "json", "--today", EXAMPLE_DAY, cwd=REPO
        ).output
    )["asks"]
    assert all(len(a["helpers"]) <= 1 for a in one)
    assert [a["helpers"][:1] for a in one] == [
        a["helpers"][:1] for a in example_asks if a["status"] == "open"
    ]


# Helpers are ranked elsewhere (newsletter.analysis.helpers); how they are shown is here.
HELPED = AskReport(
    today=dt.date(2026, 11, 30),
    asks=[
        Ask(
            "2026/dbt",
            "Moving to dbt?",
            "ada",
            dt.date(2026, 9, 1),
            "open",
            helpers=(
                Helper("grace", 2.71828, "offers ‘dbt migrations’"),
                Helper("alan", 0.3335, "has shared 4 posts on dbt, the latest in June"),
            ),
        ),
        Ask(
            "2026/licence",
            "Which licence?",
            "grace",
            dt.date(2026, 7, 1),
            "answered",
            answers=(Answer("2026/use-odbl", "ada", dt.date(2026, 7, 3)),),
        ),
    ],
)
PEOPLE = {
    h: Member(h, n, Location(Path(f"content/members/{h}.yaml")))
    for h, n in (("ada", "Ada"), ("grace", "Grace"), ("alan", "Alan"))
}


def test_helpers_with_their_reasons_and_rounded_scores() -> None:
    record = json.loads(asks_json(HELPED))["asks"][0]
    assert record["helpers"] == [
        {"handle": "grace", "score": 2.718, "reason": "offers ‘dbt migrations’"},
        {
            "handle": "alan",
            "score": 0.334,
            "reason": "has shared 4 posts on dbt, the latest in June",
        },
    ]
    row = ask_rows(HELPED)[0]
    assert row["helpers"] == (
        "grace (2.718): offers ‘dbt migrations’; "
        "alan (0.334): has shared 4 posts on dbt, the latest in June"
    )
    opened = ask_list_sections(HELPED, PEOPLE)[0].table.rows[0]
    assert (
        opened[-1]
        == "Grace: offers ‘dbt migrations’\nAlan: has shared 4 posts on dbt, the latest in June"
    )


def test_a_member_sees_the_asks_they_could_help_with() -> None:
    assert [a.key for a in select_asks(HELPED, member="alan").asks] == ["2026/dbt"]
    assert [a.key for a in select_asks(HELPED, member="ada").asks] == ["2026/dbt", "2026/licence"]
    assert [a.key for a in select_asks(HELPED, open_only=True, member="grace").asks] == ["2026/dbt"]

"""How well `newsletter asks` finds the members who could answer an open ask, measured on
the labelled community in tests/data/asks/ (its README.md describes the members, the traps
and the measure): precision@3 ≥ 0.8 and recall@3 ≥ 0.7, printed in the log with every ask
the command got wrong; closed asks never open; the asker, members with `network: false`
and members who answered never suggested.

The figures come from the real command line on a copy of the community; the labels were
written by hand from the members' evidence and must never be tuned to the command's output.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.cli import run
from support.paths import DATA

COMMUNITY = DATA / "asks"
DAY = "2026-11-30"
"""The day the community is read on, after its last post (2026-11-25)."""
TOP = 3
MIN_PRECISION = 0.8
MIN_RECALL = 0.7


@dataclass(frozen=True)
class Quality:
    """The two figures, macro-averaged, and how many asks each is averaged over."""

    precision: float
    recall: float
    precision_asks: int
    recall_asks: int


def precision_at_3(top: list[str], labels: list[str]) -> float | None:
    """The share of the suggested helpers an editor would point to; for a gap, 1 when
    nobody is suggested. None (left out of the average) when an ask that has helpers gets
    no suggestion at all: it is counted by recall instead."""
    if not labels:
        return 0.0 if top else 1.0
    if not top:
        return None
    return len(set(top) & set(labels)) / len(top)


def recall_at_3(top: list[str], labels: list[str]) -> float | None:
    """The share of the labelled helpers among the first three suggested (at most three
    can be found); None for a gap, which has nobody to find."""
    if not labels:
        return None
    return len(set(top) & set(labels)) / min(TOP, len(labels))


def quality(suggested: dict[str, list[str]], labelled: dict[str, list[str]]) -> Quality:
    """Both figures over every labelled ask; an ask missing from ``suggested`` suggests
    nobody. Only the first three suggestions of each ask count."""
    precisions, recalls = [], []
    for key, labels in labelled.items():
        top = suggested.get(key, [])[:TOP]
        if (p := precision_at_3(top, labels)) is not None:
            precisions.append(p)
        if (r := recall_at_3(top, labels)) is not None:
            recalls.append(r)
    return Quality(
        precision=sum(precisions) / len(precisions) if precisions else 0.0,
        recall=sum(recalls) / len(recalls) if recalls else 0.0,
        precision_asks=len(precisions),
        recall_asks=len(recalls),
    )


def misses(suggested: dict[str, list[str]], labelled: dict[str, list[str]]) -> list[str]:
    """One line per ask whose first three suggestions are not exactly its labels."""
    lines = []
    for key, labels in sorted(labelled.items()):
        top = suggested.get(key, [])[:TOP]
        wrong = [h for h in top if h not in labels]
        missed = [h for h in labels[:TOP] if h not in top]
        if wrong or missed:
            lines.append(
                f"  {key}: suggested [{', '.join(top)}], labelled [{', '.join(labels)}]"
                + (f"; wrong: {', '.join(wrong)}" if wrong else "")
                + (f"; missed: {', '.join(missed)}" if missed else "")
            )
    return lines


# ---------------------------------------------------------------- the community and its labels


def _front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return fields


def _posts() -> dict[str, dict[str, Any]]:
    posts = COMMUNITY / "content" / "posts"
    return {f"{p.parent.name}/{p.stem}": _front_matter(p) for p in sorted(posts.glob("*/*.md"))}


def _members() -> dict[str, dict[str, Any]]:
    folder = COMMUNITY / "content" / "members"
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yaml")}


def _hidden() -> set[str]:
    """Members with `network: false`: never suggested."""
    return {h for h, m in _members().items() if m.get("network") is False}


@pytest.fixture(scope="module")
def labels() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((COMMUNITY / "labels.yaml").read_text("utf-8"))
    return found


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy, so that nothing a command writes lands in tests/data."""
    copy = tmp_path_factory.mktemp("asks") / "community"
    shutil.copytree(COMMUNITY, copy)
    return copy


@pytest.fixture(scope="module")
def report(community: Path) -> list[dict[str, Any]]:
    """`newsletter asks --format json` on the community: every ask, open ones with helpers."""
    result = run("asks", "--format", "json", "--today", DAY, cwd=community)
    assert result.exit_code == 0, result.output
    asks: list[dict[str, Any]] = json.loads(result.stdout)["asks"]
    return asks


def _suggested(report: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {a["path"]: [h["handle"] for h in a["helpers"]] for a in report if a["status"] == "open"}


def _labelled(labels: dict[str, Any]) -> dict[str, list[str]]:
    return {key: list(entry["helpers"]) for key, entry in labels["open"].items()}


# ---------------------------------------------------------------- the measure itself


def test_the_measure_on_rankings_whose_figures_are_known() -> None:
    labelled = {"a": ["kofi", "lena"], "b": ["derek"], "gap": []}
    perfect = {"a": ["lena", "kofi"], "b": ["derek"]}
    assert quality(perfect, labelled) == Quality(1.0, 1.0, 3, 2)
    # three suggestions where one is right: precision 1/3, recall 1/1; a helper for a gap: 0
    padded = {"a": ["kofi", "lena", "derek"], "b": ["derek", "kofi", "lena"], "gap": ["omar"]}
    assert quality(padded, labelled) == Quality((2 / 3 + 1 / 3 + 0) / 3, 1.0, 3, 2)
    # traps only; an ask with no suggestion is left out of precision but loses recall
    traps = {"a": ["derek"], "gap": []}
    assert quality(traps, labelled) == Quality((0 + 1) / 2, 0.0, 2, 2)
    # only the first three count
    late = {"a": ["omar", "ruth", "sue", "kofi", "lena"], "b": ["derek"]}
    assert quality(late, labelled) == Quality((0 + 1 + 1) / 3, (0 + 1) / 2, 3, 2)
    # four labels: finding any three of them is full recall
    assert recall_at_3(["a", "b", "c"], ["d", "c", "b", "a"]) == 1.0
    assert misses(perfect, labelled) == []
    assert misses(traps, labelled) == [
        "  a: suggested [derek], labelled [kofi, lena]; wrong: derek; missed: kofi, lena",
        "  b: suggested [], labelled [derek]; missed: derek",
    ]


# ---------------------------------------------------------------- the community is sound


@pytest.mark.slow
def test_the_community_passes_check_without_a_warning(community: Path) -> None:
    result = run("check", "--format", "json", "--today", DAY, cwd=community)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


def test_labels_point_only_to_members_an_editor_could_suggest(labels: dict[str, Any]) -> None:
    """The labels keep the rules the command must keep: real members, never the asker,
    never `network: false`, never someone who already answered; one to three helpers,
    or none for a gap."""
    posts, members, hidden = _posts(), _members(), _hidden()
    answered_by: dict[str, set[str]] = {}
    for fields in posts.values():
        if "answers" in fields:
            answered_by.setdefault(fields["answers"], set()).add(fields["by"])
    open_asks = labels["open"]
    assert len(open_asks) >= 30
    assert sum(1 for entry in open_asks.values() if not entry["helpers"]) >= 4
    for key, entry in open_asks.items():
        ask = posts[key]
        assert ask["kind"] == "ask" and ask.get("status", "open") == "open", key
        helpers = entry["helpers"]
        assert len(helpers) <= 3 and len(set(helpers)) == len(helpers), key
        assert set(helpers) <= set(members), key
        assert ask["by"] not in helpers, key
        assert not set(helpers) & (hidden | answered_by.get(key, set())), key
        assert entry["why"], key
    for key in labels["closed"]:
        assert posts[key]["kind"] == "ask", key
    assert not set(open_asks) & set(labels["closed"])


# ---------------------------------------------------------------- the command on it


@pytest.mark.slow
def test_open_and_closed_asks_are_told_apart(
    report: list[dict[str, Any]], labels: dict[str, Any]
) -> None:
    status = {a["path"]: a["status"] for a in report}
    assert {k for k, s in status.items() if s == "open"} == set(labels["open"])
    for key, entry in labels["closed"].items():
        assert status[key] == entry["status"], key
    for ask in report:
        if ask["status"] != "open":
            assert ask["helpers"] == [], ask["path"]


@pytest.mark.slow
def test_nobody_is_suggested_who_must_not_be(report: list[dict[str, Any]]) -> None:
    hidden = _hidden()
    for ask in report:
        suggested = {h["handle"] for h in ask["helpers"]}
        answerers = {a["by"] for a in ask["answers"]}
        assert ask["by"] not in suggested, ask["path"]
        assert not suggested & hidden, ask["path"]
        assert not suggested & answerers, ask["path"]


@pytest.mark.slow
def test_helpers_are_found_with_precision_and_recall_at_3(
    report: list[dict[str, Any]], labels: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    suggested, labelled = _suggested(report), _labelled(labels)
    measured = quality(suggested, labelled)
    gaps = sum(1 for helpers in labelled.values() if not helpers)
    with capsys.disabled():
        print(
            f"\nasks quality on tests/data/asks ({len(labelled)} open asks, {gaps} gaps): "
            f"precision@3 {measured.precision:.3f} over {measured.precision_asks} asks, "
            f"recall@3 {measured.recall:.3f} over {measured.recall_asks} asks"
        )
        print("\n".join(misses(suggested, labelled)) or "  every ask exactly right")
    assert measured.precision >= MIN_PRECISION
    assert measured.recall >= MIN_RECALL

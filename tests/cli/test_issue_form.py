"""Sharing without git: the issue form, its workflow, and an issue body → a post.

Everything typed into the form is untrusted: each hostile body below is either
refused cleanly (exit 2, the field named) or becomes a file that `check`
accepts and whose values are literally what was typed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.authoring.issueform import (
    FIELD_IDS,
    ISSUE_FORM,
    LABELS,
    MAX_TEXT,
    REQUIRED,
    IssuePost,
    parse_issue,
    post_text,
)
from newsletter.authoring.scaffold import github_file

from support.cli import run
from support.clock import TODAY
from support.helpers import check_jsonschema, project

DATE = "2026-11-20"


def render(**values: str) -> str:
    """An issue body exactly as GitHub renders a submitted form: every field in the
    form's order, a '### label' heading, a blank line, the value or '_No response_'."""
    ids = list(LABELS)
    unknown = set(values) - set(ids)
    assert not unknown, unknown
    return "\n\n".join(
        f"### {LABELS[field_id]}\n\n{values.get(field_id) or '_No response_'}" for field_id in ids
    )


def share(tmp_path: Path, body: str, *args: str) -> tuple[Any, Path | None]:
    """`newsletter new post --from-issue` on ``body`` in a fresh project: (result, the post)."""
    root = tmp_path / "exchange"
    if not root.exists():
        project(
            root,
            members={
                "ada": "name: Ada Lovelace\n",
                "grace": "name: Grace Hopper\n",
                "linus": "name: Linus\n",
            },
        )
    issue = tmp_path / "issue.md"
    issue.write_text(body, encoding="utf-8", newline="")
    before = set((root / "content/posts").rglob("*.md"))
    result = run("new", "post", "--from-issue", str(issue), "--date", DATE, *args, cwd=root)
    after = set((root / "content/posts").rglob("*.md")) - before
    assert len(after) == (1 if result.exit_code == 0 else 0), result.output
    return result, next(iter(after), None)


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def assert_checks(path: Path) -> None:
    root = path.parents[3]
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 errors, 0 warnings"), result.output


def assert_refused(result: Any, *labels: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: the issue cannot become a post")
    for label in labels:
        assert f"  - {label}:" in result.output, (label, result.output)


GOOD = {
    "title": "Who has a geocoder for the bike-lane map?",
    "kind": "ask",
    "by": "@Grace",
    "for": "@ada, Linus",
    "tags": "Mapping, open data",
    "text": "We are mapping bike lanes and need to geocode\n2,000 addresses.\n\n"
    "- free, ideally\n- [our notes](https://example.org/notes)\n",
}


# -- the form and the workflow --------------------------------------------------------------


@pytest.mark.slow
def test_init_writes_a_form_and_a_workflow_valid_for_github(tmp_path: Path) -> None:
    """Checked against GitHub's schemas, which check-jsonschema ships (no network)."""
    spec = "newsletter @ git+https://github.com/acme/newsletter@v1"
    assert run("init", str(tmp_path), "--date", TODAY, "--package", spec).exit_code == 0
    form = tmp_path / ".github/ISSUE_TEMPLATE/share.yml"
    workflow = tmp_path / ".github/workflows/share.yml"
    assert form.read_text() == ISSUE_FORM
    done = check_jsonschema("vendor.github-issue-forms", form)
    assert done.returncode == 0, done.stdout + done.stderr
    done = check_jsonschema("vendor.github-workflows", workflow)
    assert done.returncode == 0, done.stdout + done.stderr
    assert yaml.safe_load(workflow.read_text())["env"]["NEWSLETTER_PACKAGE"] == spec

    form.write_text(ISSUE_FORM.replace("type: dropdown", "type: select"))
    assert check_jsonschema("vendor.github-issue-forms", form).returncode == 1


def test_the_form_has_the_fields_the_parser_reads() -> None:
    form = yaml.safe_load(ISSUE_FORM)
    assert form["labels"] == ["share"]
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert list(fields) == [
        "title",
        "kind",
        "by",
        "link",
        "for",
        "via",
        "connects",
        "tags",
        "when",
        "where",
        "text",
    ]
    assert fields["text"]["type"] == "textarea"  # the last field: it takes the rest
    assert fields["kind"]["attributes"]["options"] == [
        "article",
        "ask",
        "offer",
        "event",
        "intro",
        "job",
        "spotlight",
    ]
    required = {i for i, f in fields.items() if f.get("validations", {}).get("required")}
    assert required == set(REQUIRED)
    assert {label: i for i, label in LABELS.items()} == FIELD_IDS


def test_the_workflow_never_puts_the_issue_into_a_script() -> None:
    text = github_file("share.yml", "newsletter==0.1.0")
    workflow = yaml.safe_load(text)
    assert workflow[True] == {"issues": {"types": ["opened", "edited"]}}  # YAML 1.1: on = true
    assert workflow["jobs"]["post"]["permissions"]["contents"] == "write"
    assert workflow["jobs"]["post"]["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["post"]["steps"]
    for step in steps:
        assert "${{" not in step.get("run", ""), step  # no expression is ever in a script
    # and, by grep: the issue's text appears once, as an environment variable
    issue_text = re.compile(r"github\.event\.issue\.(body|title)")
    lines = [line.strip() for line in text.splitlines() if issue_text.search(line)]
    assert lines == [
        "ISSUE_BODY: ${{ github.event.issue.body }}",
        "title: ${{ github.event.issue.title }}",  # an input of create-pull-request
    ]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert 'newsletter new post --from-issue "$RUNNER_TEMP/issue.md"' in runs
    assert "--issue-author" not in text
    (pr,) = [s for s in steps if s.get("uses", "").startswith("peter-evans/create-pull-request")]
    assert re.fullmatch(r"peter-evans/create-pull-request@[0-9a-f]{40}", pr["uses"])
    assert pr["with"]["branch"] == "share/issue-${{ github.event.issue.number }}"
    assert pr["with"]["body"].startswith("Closes #${{ github.event.issue.number }}")


# -- a realistic issue ----------------------------------------------------------------------


def test_a_rendered_issue_becomes_a_post_that_checks(tmp_path: Path) -> None:
    result, path = share(tmp_path, render(**GOOD))
    assert result.exit_code == 0, result.output
    assert path is not None
    assert path.relative_to(tmp_path / "exchange").as_posix() == (
        "content/posts/2026/who-has-a-geocoder-for-the-bike-lane-map.md"
    )
    assert "created content/posts/2026/who-has-a-geocoder" in result.output
    fields, body = front_matter(path)
    assert fields == {
        "title": GOOD["title"],
        "by": "grace",
        "kind": "ask",
        "for": ["ada", "linus"],
        "tags": ["mapping", "open-data"],
        "date": dt.date(2026, 11, 20),
    }
    assert body == GOOD["text"]
    assert_checks(path)


def test_every_field_of_an_event_and_an_intro(tmp_path: Path) -> None:
    event = render(
        title="Compiler night",
        kind="event",
        by="ada",
        link="https://events.example.org/c",
        via="grace",
        tags="compilers",
        when="2026-12-03 18:00",
        where="Room 2",
        text="Bring a laptop.",
    )
    result, path = share(tmp_path, event)
    assert path is not None, result.output
    fields, _ = front_matter(path)
    assert fields["when"] == "2026-12-03 18:00" and fields["where"] == "Room 2"
    assert fields["link"] == "https://events.example.org/c" and fields["via"] == "grace"
    intro = render(
        title="Grace, meet Linus",
        kind="intro",
        by="ada",
        connects="grace, @linus",
        text="Two builders.",
    )
    result, path = share(tmp_path, intro)
    assert path is not None, result.output
    assert front_matter(path)[0]["connects"] == ["grace", "linus"]
    assert_checks(path)


def test_a_taken_slug_gets_a_number_and_nothing_is_overwritten(tmp_path: Path) -> None:
    paths = [share(tmp_path, render(**GOOD))[1] for _ in range(3)]
    assert [p.name for p in paths if p] == [
        "who-has-a-geocoder-for-the-bike-lane-map.md",
        "who-has-a-geocoder-for-the-bike-lane-map-2.md",
        "who-has-a-geocoder-for-the-bike-lane-map-3.md",
    ]
    assert paths[0] is not None
    assert_checks(paths[0])


def test_crlf_as_browsers_send_it(tmp_path: Path) -> None:
    body = render(**GOOD).replace("\n", "\r\n")
    result, path = share(tmp_path, body)
    assert path is not None, result.output
    fields, text = front_matter(path)
    assert "\r" not in path.read_text(encoding="utf-8")
    assert fields["title"] == GOOD["title"] and text == GOOD["text"]


# -- hostile bodies: a file that checks, with exactly what was typed --------------------------

TRICKY_VALUES = [
    "a: b",
    "!!python/object/apply:os.system ['echo hacked']",
    "&anchor value",
    "*anchor",
    "{ not: a mapping }",
    "[not, a, list]",
    "# not a comment",
    "value # not a comment",
    "'single' and \"double\" quotes",
    "| not a block",
    "> not folded",
    "%YAML 1.2",
    "- not a list item",
    "? not a key",
    "@at the start",
    "`backticks`",
    "true",
    "null",
    "~",
    "2026-01-01",
    "0x1F",
    "1e3",
    "...",
    "--- not a document",
    "<script>alert(1)</script>",
    "tab\there",
    "ünïcödé — “quotes” 🎉",
]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_yaml_tricks_stay_data(tmp_path: Path, value: str) -> None:
    result, path = share(tmp_path, render(**{**GOOD, "title": value, "where": value}))
    assert path is not None, result.output
    fields, _ = front_matter(path)
    assert fields["title"] == value and fields["where"] == value
    assert set(fields) == {"title", "by", "kind", "for", "tags", "where", "date"}
    assert fields["by"] == "grace"
    assert_checks(path)


def test_front_matter_in_the_text_stays_text(tmp_path: Path) -> None:
    text = "---\nby: someone-else\nkind: job\n---\nActually mine."
    result, path = share(tmp_path, render(**{**GOOD, "text": text}))
    assert path is not None, result.output
    fields, body = front_matter(path)
    assert fields["by"] == "grace" and fields["kind"] == "ask"
    assert body == "by: someone-else\nkind: job\n---\nActually mine.\n"  # the leading --- is gone
    assert_checks(path)


def test_a_heading_like_a_label_in_the_text_stays_text(tmp_path: Path) -> None:
    text = "Intro.\n\n### Your member handle\n\nlinus\n\n### Title\n\nOther"
    result, path = share(tmp_path, render(**{**GOOD, "text": text}))
    assert path is not None, result.output
    fields, body = front_matter(path)
    assert fields["by"] == "grace" and fields["title"] == GOOD["title"]
    assert body == text + "\n"


def test_control_characters_are_removed_and_the_rest_kept(tmp_path: Path) -> None:
    body = render(**{**GOOD, "title": "Bell\x07 and \x1b[31mred\x00", "text": "a\x0bb\r\nc"})
    result, path = share(tmp_path, body)
    assert path is not None, result.output
    fields, text = front_matter(path)
    assert fields["title"] == "Bell and [31mred"
    assert text == "ab\nc\n"
    assert_checks(path)


def test_odd_but_valid_lists(tmp_path: Path) -> None:
    body = render(**{**GOOD, "for": " @ADA ,, linus, ada ", "tags": "!!python/object, [x], C++"})
    result, path = share(tmp_path, body)
    assert path is not None, result.output
    fields, _ = front_matter(path)
    assert fields["for"] == ["ada", "linus"]
    assert fields["tags"] == ["python-object", "x", "c"]
    assert_checks(path)


# -- hostile bodies: a clean refusal that names the field -------------------------------------

REFUSED = [
    ("title-front-matter", {"title": "---\nby: someone-else\n---"}, ["Title"]),
    ("title-lone-cr", {"title": "Two\rlines"}, ["Title"]),
    ("title-unicode-line-breaks", {"title": "line\u2028separator, next\x85line"}, ["Title"]),
    ("where-unicode-line-break", {"where": "Room\u20292"}, ["Where"]),
    ("javascript-link", {"link": "javascript:alert(document.cookie)"}, ["Link"]),
    ("data-link", {"link": "data:text/html,<script>alert(1)</script>"}, ["Link"]),
    ("relative-link", {"link": "//evil.example.org/x"}, ["Link"]),
    ("unknown-kind", {"kind": "rumour"}, ["Kind"]),
    ("handle-with-spaces", {"by": "grace hopper"}, ["Your member handle"]),
    ("handle-as-yaml", {"by": "{by: ada}"}, ["Your member handle"]),
    ("for-with-spaces", {"for": "ada, linus torvalds"}, ["For"]),
    ("two-vias", {"via": "ada, linus"}, ["Via"]),
    ("bad-when", {"kind": "event", "when": "next Tuesday"}, ["When"]),
    ("event-without-when", {"kind": "event"}, ["When"]),
    ("intro-of-one", {"kind": "intro", "connects": "linus"}, ["Connects"]),
    ("intro-of-self", {"kind": "intro", "connects": "grace, linus"}, ["Connects"]),
    ("tag-without-letters", {"tags": "!!!"}, ["Tags"]),
    ("too-many-tags", {"tags": ",".join(f"t{i}" for i in range(21))}, ["Tags"]),
    ("long-title", {"title": "x" * 201}, ["Title"]),
    ("long-text", {"text": "All work and no play. " * 50_000}, ["Your words"]),
    ("email-in-text", {"text": "Write to me: grace@example.org"}, ["Your words"]),
    ("missing-title", {"title": ""}, ["Title"]),
    ("missing-kind", {"kind": ""}, ["Kind"]),
    ("missing-handle", {"by": ""}, ["Your member handle"]),
    ("missing-text", {"text": ""}, ["Your words"]),
    ("only-front-matter-text", {"text": "---\n---"}, ["Your words"]),
]


@pytest.mark.parametrize(
    ("changes", "labels"), [(c, labels) for _, c, labels in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_hostile_or_incomplete_issues_are_refused(
    tmp_path: Path, changes: dict[str, str], labels: list[str]
) -> None:
    result, path = share(tmp_path, render(**{**GOOD, **changes}))
    assert path is None
    assert_refused(result, *labels)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    body = render(link="ftp://x", by="two words", kind="gossip")
    result, _ = share(tmp_path, body)
    assert_refused(result, "Title", "Kind", "Your member handle", "Link", "Your words")
    assert result.output.count("\n  - ") == 5  # one line per field, each once


def test_a_body_not_from_the_form_names_the_required_fields(tmp_path: Path) -> None:
    result, _ = share(tmp_path, "please add my post about maps\n\nthanks!")
    assert_refused(result, "Title", "Kind", "Your member handle", "Your words")


def test_a_huge_text_is_refused_not_cut() -> None:
    post = parse_issue(render(**{**GOOD, "text": "x" * (MAX_TEXT + 1)}))
    assert post.problems == [
        "Your words: 20,001 characters is too long; shorten it to 20,000 "
        "or fewer (link to a longer text instead)."
    ]
    assert parse_issue(render(**{**GOOD, "text": "x" * MAX_TEXT})).problems == []


def test_post_text_refuses_a_post_with_problems() -> None:
    with pytest.raises(ValueError, match="Title"):
        post_text(
            IssuePost(problems=["Title: this field is required; fill it in."]), dt.date(2026, 1, 1)
        )


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path)
    result = run("new", "post", "--from-issue", str(tmp_path / "nope.md"), cwd=tmp_path)
    assert result.exit_code == 2 and "--from-issue" in result.output


# -- whatever is typed: refused, or written back exactly ----------------------------------------

one_line = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None, max_examples=200)
@given(
    title=one_line,
    where=one_line,
    via=one_line,
    link=one_line,
    tags=one_line,
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
)
def test_any_input_is_refused_or_round_trips(
    title: str, where: str, via: str, link: str, tags: str, text: str
) -> None:
    values = {
        "title": title,
        "kind": "article",
        "by": "ada",
        "where": where,
        "via": via,
        "link": link,
        "tags": tags,
        "text": text,
    }
    post = parse_issue(render(**values))
    if post.problems:
        assert all(p.split(":", 1)[0] in FIELD_IDS for p in post.problems), post.problems
        return
    written = post_text(post, dt.date(2026, 11, 20))
    assert written.startswith("---\n")
    front, body = written[4:].split("\n---\n", 1)
    fields = yaml.safe_load(front)
    assert set(fields) <= {"title", "by", "kind", "link", "via", "tags", "where", "date"}
    assert fields["by"] == "ada" and fields["kind"] == "article"
    assert fields["title"] == post.title and fields.get("where", "") == post.where
    assert fields.get("via", "") == post.via and fields.get("link", "") == post.link
    assert body == post.text + "\n"

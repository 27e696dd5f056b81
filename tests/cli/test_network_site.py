"""The network on the site, in the email and on the command line, for the bundled
example; and that a member who opted out (kwame) appears in none of it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.paths import REPO

SVG = "{http://www.w3.org/2000/svg}"


def participating() -> set[str]:
    return {
        p.stem
        for p in (REPO / "content/members").glob("*.yaml")
        if "network: false" not in p.read_text()
    }


def test_the_network_report() -> None:
    result = run("network", "--today", EXAMPLE_TODAY, cwd=REPO)
    assert result.exit_code == 0, result.output
    for title in (
        "Brokers: who bridges groups",
        "Dormant ties",
        "Gone quiet",
        "Reciprocity",
        "Suggested introductions",
        "Not yet connected",
    ):
        assert title in result.output
    assert "Kwame" not in result.output
    data = json.loads(run("network", "--format", "json", "--today", EXAMPLE_TODAY, cwd=REPO).output)
    assert {"ties", "brokers", "dormant", "quiet", "givers", "takers", "suggestions"} <= set(data)
    assert "kwame" not in json.dumps(data)
    handles = {h for t in data["ties"] for h in (t["a"], t["b"])}
    assert handles <= participating() and len(handles) >= 15
    assert data["brokers"] and data["suggestions"]
    assert all(
        s["reason"].startswith(("Both work on", "")) and s["reason"] for s in data["suggestions"]
    )
    only = run(
        "network",
        "--section",
        "dormant",
        "--dormant-months",
        "1",
        "--today",
        EXAMPLE_TODAY,
        cwd=REPO,
    )
    assert "Dormant ties: no exchange for 1+ months" in only.output and "Brokers" not in only.output
    assert "no exchange for 1+ months\n  none" not in only.output  # a month is short: some


@pytest.mark.slow
def test_the_network_page(built_example: Path) -> None:
    page = (built_example / "network/index.html").read_text()
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None
    tree = ET.fromstring(svg.group())
    links = {a.get("href") for a in tree.iter(f"{SVG}a")}
    assert links == {f"/members/{h}/" for h in participating()}
    assert "kwame" not in page.lower()
    assert "Bridges between groups" in page and "Introductions worth making" in page
    assert "<script" not in page
    nav = (built_example / "index.html").read_text()
    assert 'href="/network/"' in nav


def test_member_pages_show_ties_and_people_to_meet(built_example: Path) -> None:
    pages = {h: (built_example / f"members/{h}/index.html").read_text() for h in participating()}
    assert any("should meet" in p for p in pages.values())
    assert any("Received from" in p for p in pages.values())
    kwame = (built_example / "members/kwame/index.html").read_text()
    assert "should meet" not in kwame and "Received from" not in kwame
    assert all(
        "/members/kwame/" not in p.split("should meet")[-1]
        for p in pages.values()
        if "should meet" in p
    )


def someone_with_a_suggestion() -> tuple[str, str]:
    """(handle, who they should meet), from the network report."""
    data = json.loads(run("network", "--format", "json", "--today", EXAMPLE_TODAY, cwd=REPO).output)
    first = data["suggestions"][0]
    return first["a"], first["b"]


@pytest.mark.slow
def test_build_as_a_member_previews_their_email(example: Path) -> None:
    handle, other = someone_with_a_suggestion()
    result = run("build", "--today", EXAMPLE_TODAY, "--as", handle, cwd=example)
    assert result.exit_code == 0, result.output
    previews = sorted((example / ".newsletter/preview").iterdir())
    assert [p.name for p in previews] == [f"email-10-{handle}.html", f"email-10-{handle}.txt"]
    text = previews[1].read_text()
    assert "Hello " in text and "SOMEONE TO MEET" in text
    assert f"/members/{other}/" in text
    assert not list((example / "site").rglob(f"*{handle}.html"))  # one reader's: unpublished
    kwame = run("build", "--today", EXAMPLE_TODAY, "--as", "kwame", cwd=example)
    assert kwame.exit_code == 0
    opted_out = (example / ".newsletter/preview/email-10-kwame.txt").read_text()
    assert "SOMEONE TO MEET" not in opted_out and "KEEP IN TOUCH" not in opted_out
    typo = run("build", "--today", EXAMPLE_TODAY, "--as", "grase", cwd=example)
    assert typo.exit_code == 2 and "did you mean 'grace'" in typo.output


def test_a_member_subscriber_gets_their_part(example: Path, tmp_path: Path) -> None:
    from email import message_from_bytes, policy

    (example / "private").mkdir()
    handle, _ = someone_with_a_suggestion()
    (example / "private/subscribers.csv").write_text(
        f"email,name,member\nmember@example.org,A member,{handle}\nreader@example.org,Reader,\n"
    )
    out = tmp_path / "outbox"
    result = run("send", "latest", "--dry-run", str(out), "--today", EXAMPLE_TODAY, cwd=example)
    assert result.exit_code == 0, result.output
    member, reader = (
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(out.glob("*.eml"))
    )
    member_text = member.get_body(("plain",)).get_content()
    reader_text = reader.get_body(("plain",)).get_content()
    assert "SOMEONE TO MEET" in member_text
    assert "Someone to meet" in member.get_body(("html",)).get_content()
    assert "SOMEONE TO MEET" not in reader_text and "SHARED FOR YOU" not in reader_text

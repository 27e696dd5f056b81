"""``privacy.public_addresses``: addresses that are public already (a project's mailing
list, a conference's contact) may be published; nothing else, and never a subscriber's.

Through the real command line: `check` and `build` of small projects, and the built
pages read back. The config's own mistakes are fixtures in tests/fixtures/invalid/
(config-privacy, email-repeated).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import CONFIG, post, project, write

PUBLIC = (
    CONFIG + "privacy:\n  public_addresses:\n"
    "    - Rust-Lang@GoogleGroups.com\n"  # written in any case
    "    - '@rust-lang.org'\n"
)


@pytest.fixture(autouse=True)
def _no_subscribers_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The subscribers file is the project's own, not one a developer's shell names."""
    monkeypatch.delenv("NEWSLETTER_SUBSCRIBERS", raising=False)


def _project(root: Path, body: str, config: str = PUBLIC) -> Path:
    project(root, posts={"hello": post("Hello", "ada", body)})
    write(root, "newsletter.yaml", config)
    return root


def test_allowed_addresses_build_and_are_on_the_page(tmp_path: Path) -> None:
    body = "Write to rust-lang@googlegroups.com or to Core-Team@Rust-Lang.org."
    root = _project(tmp_path, body)
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    page = (root / "site/posts/2026/hello/index.html").read_text()
    assert "rust-lang@googlegroups.com" in page
    assert "Core-Team@Rust-Lang.org" in page


def test_without_the_setting_the_same_post_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path, "Write to rust-lang@googlegroups.com.", CONFIG)
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "content/posts/2026/hello.md:6:10: error: email address in public content" in (
        result.output
    )


@pytest.mark.parametrize(
    "near_miss",
    [
        "ada@example.org",  # another domain
        "team@lists.rust-lang.org",  # a subdomain of an allowed @domain
        "team@rust-lang.org.evil.example",  # an allowed domain, continued
        "not-rust-lang@googlegroups.com",  # an address containing an allowed one
        "rust-lang@googlegroups.community",  # and continued
    ],
)
def test_a_near_miss_is_still_an_error(tmp_path: Path, near_miss: str) -> None:
    root = _project(tmp_path, f"Allowed: rust-lang@googlegroups.com. Not: {near_miss}.")
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1, result.output
    assert result.output.count("[privacy.email]") == 1
    assert "hello.md:6:" in result.output
    built = run("build", "--today", TODAY, cwd=root)
    assert built.exit_code == 1
    assert not (root / "site").exists()


def test_allowed_in_a_member_bio_too(tmp_path: Path) -> None:
    root = _project(tmp_path, "Body.")
    write(root, "content/members/ada.md", "Ask me on rust-lang@googlegroups.com.\n")
    write(root, "content/members/grace.yaml", "name: Grace\nrole: grace@example.org\n")
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "content/members/grace.yaml:2:7: error: email address" in result.output
    assert "ada.md" not in result.output


@pytest.mark.parametrize("status", ["active", "unsubscribed"])
def test_a_subscriber_matching_a_pattern_stops_check_and_build(tmp_path: Path, status: str) -> None:
    root = _project(tmp_path, "Write to rust-lang@googlegroups.com.")
    write(
        root,
        "private/subscribers.csv",
        f"email,name,status\nsecret.person@Rust-Lang.org,S,{status}\n"
        "other.person@rust-lang.org,O,active\nrust-lang@googlegroups.com,L,active\n"
        "ada@lists.rust-lang.org,A,active\n",
    )
    for command in ("check", "build"):
        result = run(command, "--today", TODAY, cwd=root)
        assert result.exit_code == 1
        assert (
            "newsletter.yaml:5:7: error: 1 subscriber in private/subscribers.csv has this "
            "address [privacy.subscriber]"
        ) in result.output
        assert (
            "newsletter.yaml:6:7: error: 2 subscribers in private/subscribers.csv have an "
            "address at rust-lang.org [privacy.subscriber]"
        ) in result.output
        for private in ("secret.person", "other.person", "ada@lists", "googlegroups"):
            assert private not in result.output.lower()
    assert not (root / "site").exists()


def test_the_subscribers_file_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path / "news", "Write to rust-lang@googlegroups.com.")
    elsewhere = write(tmp_path, "vault/list.csv", "email\nsomeone@rust-lang.org\n")
    assert run("check", "--today", TODAY, cwd=root).exit_code == 0
    monkeypatch.setenv("NEWSLETTER_SUBSCRIBERS", str(elsewhere))
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "[privacy.subscriber]" in result.output
    assert "someone" not in result.output


def test_subscribers_not_matching_do_not_stop_the_build(tmp_path: Path) -> None:
    root = _project(tmp_path, "Write to rust-lang@googlegroups.com.")
    write(root, "private/subscribers.csv", "email\nada@example.org\nteam@lists.rust-lang.org\n")
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output


def test_an_address_in_three_files_is_suggested_once(tmp_path: Path) -> None:
    posts = {
        slug: post(slug.title(), "ada", "Questions: Hello@Conf.example.org, or ada@example.org.")
        for slug in ("one", "two", "three")
    }
    project(tmp_path, posts=posts)
    result = run("check", "--today", TODAY, cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.count("[privacy.email]") == 6
    assert result.output.count("[privacy.repeated]") == 2  # each address once
    assert (
        "content/posts/2026/one.md:6:12: note: hello@conf.example.org is in 3 files: "
        "content/posts/2026/one.md, content/posts/2026/three.md and 1 more [privacy.repeated]\n"
        "    hint: if it is public (a mailing list, a conference's contact), add it to "
        "privacy.public_addresses in newsletter.yaml\n"
    ) in result.output


def test_an_address_in_two_files_is_not_suggested(tmp_path: Path) -> None:
    posts = {s: post(s.title(), "ada", "Questions: hello@conf.example.org.") for s in ("a", "b")}
    project(tmp_path, posts=posts)
    result = run("check", "--today", TODAY, cwd=tmp_path)
    assert result.output.count("[privacy.email]") == 2
    assert "privacy.repeated" not in result.output

"""Messages for people at the edges that `check`'s fixtures do not reach: what `build`,
`send` and `subscribers import` say, counts that agree with their nouns, notes in CI,
and the mistakes whose answer is not a `check` diagnostic (tests/fixtures/invalid/ has
those)."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write
from support.paths import FIXTURES
from support.sending import send, send_project, subscribers
from support.smtpserver import SmtpServer

LONG_TITLE = (
    "What we learned from counting every bike lane in the city, street by street, "
    "with the help of forty volunteers and one very patient spreadsheet"
)


def test_send_latest_status_is_the_latest_editions(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(2))
    write(root, "content/editions/2.md", "---\ntitle: Second\ndate: 2026-11-21\n---\nMore.\n")
    write(root, "content/posts/2026/more.md", post("More", "grace", date="2026-11-20"))
    assert send(root, smtp_server, "latest", "--yes").exit_code == 0
    latest = run("send", "latest", "--status", "--today", TODAY, cwd=root)
    assert latest.exit_code == 0, latest.output
    assert latest.output.splitlines()[0].split()[:2] == ["edition", "2"]
    rows = {line.split()[0]: line.split()[-1] for line in latest.output.splitlines()[1:]}
    assert rows["sent"] == "2" and rows["finished"] == "yes"
    assert latest.output == run("send", "2", "--status", cwd=root).output
    # before edition 2's day, 'latest' is edition 1, which was never sent
    earlier = run("send", "latest", "--status", "--today", "2026-11-20", cwd=root)
    assert earlier.output.splitlines()[0].split()[:2] == ["edition", "1"]
    assert {line.split()[0]: line.split()[-1] for line in earlier.output.splitlines()[1:]}[
        "sent"
    ] == "0"


def test_send_status_of_neither_number_nor_latest(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", subscribers(1))
    result = run("send", "lastest", "--status", "--today", TODAY, cwd=root)
    assert result.exit_code == 2
    assert "EDITION is a number or 'latest', not 'lastest'" in result.output


def test_build_as_an_unknown_member_fails_before_building(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    out = tmp_path / "out"
    result = run("build", "--as", "adda", "--today", TODAY, "-o", str(out), cwd=root)
    assert result.exit_code == 2
    assert result.output == "error: no member 'adda' (did you mean 'ada'?)\n"
    assert not out.exists()  # refused before anything was built
    known = run("build", "--as", "ada", "--today", TODAY, "-o", str(out), cwd=root)
    assert known.exit_code == 0, known.output
    assert "preview: .newsletter/preview/email-1-ada.html" in known.output


def test_a_long_edition_title_is_cut_at_a_word_in_the_subject(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", subscribers(1))
    write(root, "content/editions/1.md", f"---\ntitle: {LONG_TITLE}\ndate: 2026-11-19\n---\nHi.\n")
    result = run("send", "1", "--dry-run", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    message = message_from_bytes(
        (tmp_path / "out" / "1-00001.eml").read_bytes(), policy=policy.default
    )
    subject = str(message["Subject"])
    full = f"#1: {LONG_TITLE}"
    assert subject.endswith("…") and len(subject) <= 100
    kept = subject.removesuffix("…")
    assert full.startswith(kept) and full[len(kept)] == " "  # cut between two words
    assert kept == (
        "#1: What we learned from counting every bike lane in the city, street by street, "
        "with the help of"
    )


def test_a_title_over_200_characters_is_warned_about(tmp_path: Path) -> None:
    title = " ".join([LONG_TITLE, LONG_TITLE])
    root = project(tmp_path / "p", posts={"long": post(title, "ada")})
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 0
    assert (
        f"content/posts/2026/long.md:2:8: warning: the title is {len(title)} characters long"
        in result.output
    )


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", subscribers(1))
    (root / "content/posts/2026/maps.md").unlink()
    (root / "content/members/grace.yaml").unlink()
    write(root, "content/posts/2026/hello.md", post("Hello", "ada"))
    built = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert built.exit_code == 0, built.output
    assert "; 1 edition, 1 post, 1 member)" in built.output
    dry = run("send", "1", "--dry-run", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    assert "wrote 1 message of edition 1 to " in dry.output
    write(root, "content/posts/2026/hello.md", post("Hello", "nobody"))
    assert run("check", "--today", TODAY, cwd=root).output.endswith("✗ 1 error, 0 warnings\n")


def test_a_subscribers_file_not_in_utf8_names_its_line(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", "")
    latin = "email,name\nada@example.org,Ada\nrene@example.org,René\n".encode("latin-1")
    (root / "private/subscribers.csv").write_bytes(latin)
    result = run("send", "1", "--dry-run", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    assert result.exit_code == 2
    assert result.output == (
        "error: private/subscribers.csv:3: not valid UTF-8 (byte 0xe9); save the file as "
        "UTF-8 (in Excel: CSV UTF-8; in LibreOffice: character set Unicode (UTF-8))\n"
    )
    (root / "private/subscribers.csv").write_text("email,name\n")
    export = write(tmp_path, "export.csv", "")
    export.write_bytes(b"Email Address,First Name\n" + "rené@example.org,René\n".encode("cp1252"))
    imported = run("subscribers", "import", str(export), cwd=root)
    assert imported.exit_code == 2
    assert "export.csv:2: not valid UTF-8 (byte 0xe9)" in imported.output
    assert "codec" not in imported.output and "position" not in imported.output


def test_posts_waiting_for_the_next_edition_are_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = FIXTURES / "invalid" / "posts-waiting"
    monkeypatch.setenv("GITHUB_WORKSPACE", str(case))
    github = run("check", "--today", TODAY, "--format", "github", cwd=case)
    assert github.exit_code == 0  # waiting is no mistake: CI passes
    assert github.output.splitlines()[0].startswith(
        "::notice file=content/posts/2026/bike-lanes.md,line=5,col=7,title=post.waiting::"
        "waits for the next edition: dated 2026-11-20, after edition 1 (2026-11-19)"
    )
    rows = json.loads(run("check", "--today", TODAY, "--format", "json", cwd=case).output)
    assert [(r["severity"], r["path"]) for r in rows] == [
        ("note", "content/posts/2026/bike-lanes.md"),
        ("note", "content/posts/2026/counts.md"),
    ]
    # once an edition is dated after them, they are in it and nothing is said
    root = tmp_path / "p"
    shutil.copytree(case, root)
    write(root, "content/editions/2.md", "---\ntitle: Second\ndate: 2026-11-24\n---\nHi.\n")
    assert run("check", "--today", TODAY, cwd=root).output == "✓ 0 errors, 0 warnings\n"


def test_a_handle_twice_in_for_is_one_share(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p", posts={"hello": post("Hello", "ada", **{"for": "[grace, Grace, '@grace']"})}
    )
    shares = json.loads(run("contacts", "--format", "json", "--today", TODAY, cwd=root).output)
    assert [share["for"] for share in shares] == [["grace"]]
    checked = run("check", "--today", TODAY, cwd=root).output
    assert checked.count("'grace' is named twice in 'for'; counted once [field.repeated]") == 2


def test_an_event_time_without_seconds(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p",
        posts={
            "count-night": post("Count night", "ada", kind="event", when="2026-12-05 10:30"),
            "map-night": post("Map night", "grace", kind="event", when="2026-12-5 9:30"),
        },
    )
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    events = (root / "site/events.ics").read_text()
    assert "20261205T103000" in events and "20261205T093000" in events


def _png_header(width: int, height: int) -> bytes:
    """A PNG that says how large it is and holds no pixels: a few bytes a decoder refuses
    on their word (a real one that large would take seconds and hundreds of MB to make)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [9_500, 20_000], ids=["over-the-warning", "over-the-limit"])
def test_an_image_with_too_many_pixels_is_refused_in_words(tmp_path: Path, side: int) -> None:
    root = project(tmp_path / "p", posts={})
    write(root, "content/posts/2026/map/index.md", post("Map", "ada", body="![A map](huge.png)"))
    (root / "content/posts/2026/map/huge.png").write_bytes(_png_header(side, side))
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert result.output.startswith(
        "content/posts/2026/map/huge.png:1:1: error: 'huge.png' cannot be read as a PNG image: "
        "it has too many pixels (at most 50 million) [asset.image]\n"
    )
    assert "Traceback" not in result.output and "DOS" not in result.output

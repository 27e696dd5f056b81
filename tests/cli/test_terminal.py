"""On a terminal the output is coloured and `new` asks for what is missing;
piped, it is plain. Runs the real console script in a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from support.cli import NEWSLETTER, run
from support.clock import TODAY
from support.feedserver import FeedServer
from support.helpers import project
from support.paths import FEEDS, FIXTURES
from support.sending import SEND_CONFIG, send_project, subscribers
from support.smtpserver import SmtpServer


def _in_terminal(args: list[str], cwd: Path, answers: tuple[str, ...] = ()) -> tuple[int, str]:
    """Run with stdin/stdout on a pty; type each answer after the next prompt ends."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [*NEWSLETTER, *args],
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    output, pending = b"", list(answers)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            output += chunk
            if pending and output.rstrip().endswith(b":"):
                os.write(master, pending.pop(0).encode() + b"\n")
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return proc.returncode, output.decode("utf-8", "replace")


@pytest.mark.slow
def test_colour_on_a_terminal_plain_when_piped() -> None:
    case = FIXTURES / "invalid" / "several-errors"
    code, shown = _in_terminal(["check", "--today", TODAY], case)
    assert code == 1
    assert "\x1b[" in shown and "error" in shown
    piped = subprocess.run(
        [*NEWSLETTER, "check", "--today", TODAY], cwd=case, capture_output=True, text=True
    )
    assert piped.returncode == 1
    assert "\x1b[" not in piped.stdout
    assert piped.stdout == (case / "expected.txt").read_text()


@pytest.mark.slow
def test_new_post_asks_for_title_and_author(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    code, shown = _in_terminal(
        ["new", "post", "--date", "2026-11-20", "--tags", "community"],
        tmp_path,
        ("A question about maps", "ada"),
    )
    assert code == 0, shown
    assert "Title:" in shown and "Your member handle:" in shown
    created = tmp_path / "content/posts/2026/a-question-about-maps.md"
    assert "title: A question about maps" in created.read_text()
    assert "by: ada" in created.read_text()
    assert run("check", "--today", TODAY, cwd=tmp_path).exit_code == 0


@pytest.mark.slow
def test_build_on_a_terminal_reports_in_colour(tmp_path: Path) -> None:
    assert run("init", str(tmp_path), "--date", TODAY, "--editor", "ada").exit_code == 0
    code, shown = _in_terminal(["build"], tmp_path)
    assert code == 0, shown
    assert "built" in shown and "\x1b[" in shown


@pytest.mark.slow
def test_fetch_on_a_terminal_shows_progress_and_a_coloured_table(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    good = feed_server.route("/good.xml", (FEEDS / "rss20.xml").read_bytes())
    bad = feed_server.route("/bad.xml", b"", status=500)
    feed_server.delay("/good.xml", 0.5)  # long enough for the bar to be drawn
    root = project(tmp_path / "p", members={"ada": f"name: Ada\nfeeds: [{good}, {bad}]\n"})
    code, shown = _in_terminal(["fetch", "--allow-private"], root)  # a local feed server
    assert code == 0, shown
    assert "fetch" in shown and "0/2" in shown  # the live bar, before any feed is done
    assert "\x1b[32mok" in shown and "\x1b[1;31mfailed" in shown
    assert "HTTP 500" in shown and "2 feeds in" in shown
    piped = subprocess.run(
        [*NEWSLETTER, "fetch", "--allow-private"], cwd=root, capture_output=True, text=True
    )
    assert piped.returncode == 0 and "\x1b[" not in piped.stdout + piped.stderr
    assert "not modified" in piped.stdout and "HTTP 500" in piped.stdout


@pytest.mark.slow
def test_send_asks_before_mailing_everyone(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(3), SEND_CONFIG)
    os.environ["NEWSLETTER_SMTP_URL"] = smtp_server.url
    try:
        code, shown = _in_terminal(["send", "1", "--today", TODAY], root, ("n",))
        assert code == 1 and "Send edition 1 “First” to 3 subscribers" in shown, shown
        assert "Aborted" in shown and smtp_server.handler.count() == 0
        code, shown = _in_terminal(["send", "1", "--today", TODAY], root, ("y",))
    finally:
        del os.environ["NEWSLETTER_SMTP_URL"]
    assert code == 0, shown
    assert smtp_server.handler.count() == 3 and "3 sent" in shown

"""The project lock, between real processes: build, fetch and send never run at once on
one project; the second one stops at once, naming the first; a crash never leaves the
lock behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsletter.core.errors import ProjectBusy
from newsletter.project.lock import project_lock

from support.cli import NEWSLETTER
from support.clock import TODAY
from support.sending import send_project, subscribers
from support.smtpserver import SmtpServer


def start(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*NEWSLETTER, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def holder(root: Path) -> dict[str, object]:
    try:
        record = json.loads((root / ".newsletter" / "lock").read_text() or "{}")
    except (FileNotFoundError, ValueError):
        return {}
    assert isinstance(record, dict)
    return record


def wait_for_lock(root: Path, proc: subprocess.Popen[str]) -> None:
    """Until ``proc`` holds the project lock (it wrote its pid into the lock file)."""
    deadline = time.monotonic() + 60
    while holder(root).get("pid") != proc.pid:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)


@pytest.fixture
def stopped_build(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A project whose `newsletter build` holds the lock and is stopped (SIGSTOP) there."""
    root = send_project(tmp_path / "p", subscribers(3))
    build = start(root, "build", "--today", TODAY, "--no-search")
    try:
        wait_for_lock(root, build)
        os.kill(build.pid, signal.SIGSTOP)
        yield root, build
    finally:
        if build.poll() is None:
            build.kill()
        build.communicate()


@pytest.mark.slow
def test_a_second_command_stops_at_once_naming_the_first(
    stopped_build: tuple[Path, subprocess.Popen[str]], smtp_server: SmtpServer
) -> None:
    root, build = stopped_build
    env = {"NEWSLETTER_SMTP_URL": smtp_server.url}
    try:
        for args in (
            ["build", "--today", TODAY],
            ["send", "1", "--yes", "--today", TODAY],
            ["fetch"],
        ):
            began = time.monotonic()
            other = subprocess.run(
                [*NEWSLETTER, *args],
                cwd=root,
                capture_output=True,
                text=True,
                env={**os.environ, **env},
                timeout=60,
            )
            assert other.returncode == 2, other.stdout + other.stderr
            assert other.stderr.startswith(
                f"error: another newsletter command (build, pid {build.pid}, since "
            ), other.stderr
            assert other.stderr.rstrip().endswith(
                "is working on this project; wait for it to finish or stop it, "
                "then run this one again"
            )
            assert time.monotonic() - began < 30  # it did not wait for the lock
        assert smtp_server.handler.count() == 0
        # reading commands are not stopped
        status = subprocess.run(
            [*NEWSLETTER, "check", "--today", TODAY], cwd=root, capture_output=True, text=True
        )
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        os.kill(build.pid, signal.SIGCONT)
    out, err = build.communicate(timeout=120)
    assert build.returncode == 0, out + err
    assert (root / "site" / "index.html").is_file()


@pytest.mark.slow
def test_the_lock_goes_with_a_killed_process(
    stopped_build: tuple[Path, subprocess.Popen[str]], smtp_server: SmtpServer
) -> None:
    root, build = stopped_build
    os.kill(build.pid, signal.SIGKILL)
    build.communicate()
    env = {"NEWSLETTER_SMTP_URL": smtp_server.url}
    send = start(root, "send", "1", "--yes", "--today", TODAY, env=env)
    out, err = send.communicate(timeout=120)
    assert send.returncode == 0, out + err
    assert smtp_server.handler.count() == 3
    assert holder(root)["command"] == "send"


@pytest.mark.slow
def test_two_builds_at_once(tmp_path: Path) -> None:
    """Two real builds started together: one builds, the other stops with the message."""
    root = send_project(tmp_path / "p", subscribers(1))
    first = start(root, "build", "--today", TODAY, "--no-search")
    wait_for_lock(root, first)
    second = start(root, "build", "--today", TODAY, "--no-search")
    _, err = second.communicate(timeout=120)
    first_out, first_err = first.communicate(timeout=120)
    if "another newsletter command" not in err:  # the first was done before the second began
        pytest.skip("the first build finished before the second one started")
    assert second.returncode == 2
    assert f"(build, pid {first.pid}, since" in err
    assert first.returncode == 0, first_out + first_err
    assert not [p for p in root.iterdir() if p.name.startswith(".site.")]


def test_in_one_process_the_lock_is_taken_once(tmp_path: Path) -> None:
    with (
        project_lock(tmp_path, "build"),
        pytest.raises(ProjectBusy, match=r"\(build, pid \d+, since "),
        project_lock(tmp_path, "fetch"),
    ):
        pass
    with project_lock(tmp_path, "fetch"):  # released when the block ends
        pass

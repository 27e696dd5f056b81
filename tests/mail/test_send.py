"""`newsletter send` against a real SMTP server (aiosmtpd on 127.0.0.1): messages,
headers, failures, the ledger, and a send killed with SIGKILL and resumed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from support.cli import NEWSLETTER, run
from support.clock import TODAY
from support.helpers import post, write
from support.ports import free_port
from support.sending import SEND_CONFIG, send, send_project, subscribers
from support.smtpserver import SmtpServer


def test_every_subscriber_gets_one_well_formed_message(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(
        tmp_path / "p",
        "email,name,member,status\n"
        "grace@example.org,Grace Hopper,grace,\n"
        "ada@example.org,,ada,active\n"
        "ada@EXAMPLE.ORG,Ada twice,,\n"  # the same address: merged (domain case-insensitive)
        "nobody,Broken,,\n"  # invalid: reported at its line, the rest are sent
        "left@example.org,Left,,unsubscribed\n",
    )
    result = send(root, smtp_server, "1", "--yes")
    assert result.exit_code == 0, result.output
    assert (
        "private/subscribers.csv:5:1: error: 'nobody' is not a valid email address" in result.output
    )
    assert "private/subscribers.csv:4:1: warning:" in result.output
    handler = smtp_server.handler
    assert handler.count() == 2
    grace = handler.to("grace@example.org")[0].message
    assert grace.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in grace.iter_parts()] == ["text/plain", "text/html"]
    assert grace["From"] == "Test Exchange <news@example.org>"
    assert grace["To"] == "Grace Hopper <grace@example.org>"
    assert grace["Reply-To"] == "editors@example.org"
    assert grace["Subject"] == "#1: First"
    assert grace["List-Id"] == "Test Exchange <test-exchange.example.org>"
    assert grace["List-Unsubscribe"] == (
        "<mailto:leave@example.org?subject=unsubscribe%20grace%40example.org>"
    )
    assert grace["List-Unsubscribe-Post"] is None  # no https endpoint configured
    assert grace["Message-ID"].startswith("<edition-1.") and grace["Date"]
    html = grace.get_body(("html",)).get_content()
    text = grace.get_body(("plain",)).get_content()
    assert "Hello Grace," in html and "Hello Grace," in text  # a member: by first name
    assert "Shared for you" in html and "SHARED FOR YOU" in text  # ada shared 'Hello' for grace
    assert "View in your browser" in html and 'class="preheader"' in html
    assert "https://news.example.org/editions/1/" in text
    assert len(handler.to("grace@example.org")[0].data) < 102 * 1024
    ada = handler.to("ada@example.org")[0].message
    assert "Hello Ada," in ada.get_body(("plain",)).get_content()  # no name given: her member's
    assert "Shared for you" not in ada.get_body(("html",)).get_content()
    assert "2 sent, 0 failed" in result.output
    again = send(root, smtp_server, "1", "--yes")
    assert again.exit_code == 2 and "already sent" in again.output and "--force" in again.output
    assert handler.count() == 2
    forced = send(root, smtp_server, "1", "--yes", "--force")
    assert forced.exit_code == 0 and handler.count() == 4
    # the same Message-ID for the same edition and recipient: a resend is recognisable
    ids = [r.message["Message-ID"] for r in handler.to("grace@example.org")]
    assert ids[0] == ids[1]


def test_one_click_unsubscribe_when_configured(tmp_path: Path, smtp_server: SmtpServer) -> None:
    config = SEND_CONFIG + "  unsubscribe_url: https://lists.example.org/unsubscribe\n"
    root = send_project(tmp_path / "p", subscribers(1), config)
    assert send(root, smtp_server, "latest", "--yes").exit_code == 0
    msg = smtp_server.handler.received[0].message
    assert msg["List-Unsubscribe"] == (
        "<mailto:leave@example.org?subject=unsubscribe%20reader0%40example.org>, "
        "<https://lists.example.org/unsubscribe?email=reader0%40example.org>"
    )
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        'href="https://lists.example.org/unsubscribe?email=reader0%40example.org"'
        in msg.get_body(("html",)).get_content()
    )


def test_temporary_failures_are_retried_and_permanent_ones_suppressed(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(tmp_path / "p", subscribers(6))
    smtp_server.handler.behaviour.temporary = {"reader1@example.org": 2}
    smtp_server.handler.behaviour.permanent = {"reader2@example.org"}
    result = send(root, smtp_server, "1", "--yes", "--retry-wait", "0.05")
    assert result.exit_code == 0, result.output
    assert "5 sent, 1 failed, 0 to retry" in result.output
    assert "failed: reader2@example.org: 550 5.1.1 No such user here" in result.output
    assert len(smtp_server.handler.to("reader1@example.org")) == 1
    suppressed = (root / "private/suppressed.csv").read_text()
    assert "reader2@example.org,bounced," in suppressed and "550" in suppressed
    status = run("send", "1", "--status", cwd=root)
    assert status.exit_code == 0
    rows = {line.split()[0]: line.split()[-1] for line in status.output.splitlines()[1:]}
    assert rows["sent"] == "5" and rows["failed"] == "1" and rows["finished"] == "yes"


def test_still_failing_after_retries_is_left_for_the_next_send(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(tmp_path / "p", subscribers(3))
    smtp_server.handler.behaviour.temporary = {"reader0@example.org": 10}
    first = send(root, smtp_server, "1", "--yes", "--retry-wait", "0")
    assert first.exit_code == 1 and "1 to retry" in first.output and "send again" in first.output
    smtp_server.handler.behaviour.temporary = {}
    second = send(root, smtp_server, "1", "--yes")
    assert second.exit_code == 0, second.output
    for i in range(3):
        assert len(smtp_server.handler.to(f"reader{i}@example.org")) == 1


def test_a_dropped_connection_is_resumed_and_a_possible_duplicate_recorded(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(tmp_path / "p", subscribers(10))
    smtp_server.handler.behaviour.drop_after = 4  # the 4th is stored, then the line drops
    result = send(root, smtp_server, "1", "--yes")
    assert result.exit_code == 0, result.output
    counts = {i: len(smtp_server.handler.to(f"reader{i}@example.org")) for i in range(10)}
    assert counts[3] == 2 and all(n == 1 for i, n in counts.items() if i != 3)
    status = run("send", "1", "--status", cwd=root).output
    assert "resent" in status and status.split("resent")[1].split()[0] == "1"


def test_suppressed_addresses_are_never_mailed(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(3))
    left = run("unsubscribe", "Reader1@EXAMPLE.org", cwd=root)
    assert left.exit_code == 0 and "will not be mailed again" in left.output
    again = run("unsubscribe", "Reader1@example.org", cwd=root)
    assert "already on the suppression list" in again.output
    assert send(root, smtp_server, "1", "--yes").exit_code == 0
    assert smtp_server.handler.to("Reader1@example.org") == []
    assert smtp_server.handler.to("reader1@example.org") == []
    assert smtp_server.handler.count() == 2


def test_dry_run_and_test_copy(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(3))
    out = tmp_path / "outbox"
    dry = run("send", "1", "--dry-run", str(out), "--today", TODAY, cwd=root)
    assert dry.exit_code == 0 and "wrote 3 messages" in dry.output
    files = sorted(out.glob("*.eml"))
    assert len(files) == 3
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == "Reader 0 <reader0@example.org>"
    assert smtp_server.handler.count() == 0
    assert not (root / ".newsletter/deliveries.sqlite").exists()
    test = send(root, smtp_server, "1", "--to", "editor@example.org")
    assert test.exit_code == 0 and "test copy" in test.output
    copy = smtp_server.handler.received[0].message
    assert copy["Subject"] == "[test] #1: First" and copy["To"] == "editor@example.org"
    # a test copy is not a delivery: the real send still goes to everyone
    assert send(root, smtp_server, "1", "--yes").exit_code == 0
    assert smtp_server.handler.count() == 4


def test_refusals(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(2))
    no_yes = send(root, smtp_server, "1")  # not a terminal and no --yes
    assert no_yes.exit_code == 2 and "--yes" in no_yes.output
    no_server = run("send", "1", "--yes", "--today", TODAY, cwd=root)
    assert no_server.exit_code == 2 and "NEWSLETTER_SMTP_URL" in no_server.output
    write(root, "content/editions/2.md", "---\ntitle: Next\ndate: 2026-12-03\n---\nSoon.\n")
    draft = send(root, smtp_server, "2", "--yes")
    assert draft.exit_code == 2 and "edition 2 is a draft" in draft.output
    write(root, "content/posts/2026/bad.md", post("Bad", "nobody"))
    broken = send(root, smtp_server, "1", "--yes")
    assert broken.exit_code == 1 and "[ref.member]" in broken.output
    assert smtp_server.handler.count() == 0
    os.environ["NEWSLETTER_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens
    try:
        (root / "content/posts/2026/bad.md").unlink()
        down = run("send", "1", "--yes", "--today", TODAY, cwd=root)
    finally:
        del os.environ["NEWSLETTER_SMTP_URL"]
    assert down.exit_code == 2 and "cannot connect to the SMTP server 127.0.0.1" in down.output
    status = run("send", "1", "--status", cwd=root).output
    assert status.split("pending")[1].split()[0] == "2"  # nobody was marked as sending


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Eve\r\nBcc: victim@example.net"),
        ("name", "Eve\nX-Injected: yes"),
        ("email", "eve@example.org\r\nBcc: victim@example.net"),
    ],
)
def test_header_injection_is_refused(
    tmp_path: Path, smtp_server: SmtpServer, field: str, value: str
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "name"])
    row = {"email": "eve@example.org", "name": "Eve"} | {field: value}
    writer.writerow([row["email"], row["name"]])
    writer.writerow(["ok@example.org", "Ok"])
    root = send_project(tmp_path / "p", buffer.getvalue())
    result = send(root, smtp_server, "1", "--yes")
    for received in smtp_server.handler.received:
        assert "victim@example.net" not in received.recipients
        message = received.message
        assert message["Bcc"] is None and message["X-Injected"] is None
    assert smtp_server.handler.to("ok@example.org")
    assert "Traceback" not in result.output


def test_subject_injection_from_an_edition_title_is_refused(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(tmp_path / "p", subscribers(1))
    write(
        root,
        "content/editions/1.md",
        '---\ntitle: "First\\r\\nX-Injected: yes"\ndate: 2026-11-19\n---\nHello.\n',
    )
    result = send(root, smtp_server, "1", "--yes")
    assert result.exit_code == 2, result.output
    assert "refusing a Subject header with a line break" in result.output
    assert smtp_server.handler.count() == 0


def test_several_connections_each_subscriber_once(tmp_path: Path, smtp_server: SmtpServer) -> None:
    root = send_project(tmp_path / "p", subscribers(40))
    result = send(root, smtp_server, "1", "--yes", "--connections", "4")
    assert result.exit_code == 0, result.output
    assert all(len(smtp_server.handler.to(f"reader{i}@example.org")) == 1 for i in range(40))
    assert "40 sent" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("connections", [1, 3])
def test_killed_with_sigkill_and_resumed_everyone_gets_it_once(
    tmp_path: Path, smtp_server: SmtpServer, connections: int
) -> None:
    total = 60
    root = send_project(
        tmp_path / "p", subscribers(total), SEND_CONFIG + f"  connections: {connections}\n"
    )
    environment = {**os.environ, "NEWSLETTER_SMTP_URL": smtp_server.url}
    kills = 0
    for _ in range(3):  # kill up to three times, at random points, then let it finish
        proc = subprocess.Popen(
            [*NEWSLETTER, "send", "1", "--yes", "--today", TODAY],
            cwd=root,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        target = smtp_server.handler.count() + random.randint(3, 15)
        deadline = time.monotonic() + 60
        while smtp_server.handler.count() < target and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(
        [*NEWSLETTER, "send", "1", "--yes", "--today", TODAY],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert final.returncode in (0, 2), final.stdout + final.stderr  # 2: it had already finished
    assert kills >= 1
    received = {i: len(smtp_server.handler.to(f"reader{i}@example.org")) for i in range(total)}
    assert all(n >= 1 for n in received.values()), "somebody was missed"
    twice = {i for i, n in received.items() if n > 1}
    extra = sum(n - 1 for n in received.values())
    assert extra <= kills * connections  # at most those in flight on each connection at a kill
    status = run("send", "1", "--status", cwd=root).output
    resent = int(status.split("resent")[1].split()[0])
    assert resent >= len(twice)  # and the ledger says which may have gone twice

"""A real IMAP server for tests: Debian's dovecot on 127.0.0.1, started in the foreground
with a config in a scratch folder and a free port, one mailbox per test user.

A pytest plugin (tests/conftest.py lists it): the fixture ``dovecot``, one server for the
module. Skipped where dovecot is not installed, unless NEWSLETTER_REQUIRE_DOVECOT=1 (CI),
which turns the skip into a failure.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsletter.mail.mailbox import ImapSettings

from support.ports import free_port

PASSWORD = "secret"
"""Every user's password."""
USERS = ("editors", "dry", "errors", "same", "cli")
"""The users (and mailboxes) the server has: one per test of tests/mail/test_mailbox.py."""


@dataclass(frozen=True)
class Dovecot:
    """The running server: where it listens, and a client for setting up each test."""

    port: int

    def settings(self, user: str, password: str = PASSWORD, folder: str = "INBOX") -> ImapSettings:
        return ImapSettings("imap", "127.0.0.1", self.port, user, password, folder)

    def connect(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user, PASSWORD)
        return imap

    def append(self, user: str, messages: list[bytes]) -> None:
        imap = self.connect(user)
        try:
            for message in messages:
                status, data = imap.append("INBOX", "", None, message)
                assert status == "OK", data
        finally:
            imap.logout()

    def flags(self, user: str) -> list[set[str]]:
        """The flags kept with each message in INBOX, in order (not the session's \\Recent)."""
        imap = self.connect(user)
        try:
            imap.select("INBOX", readonly=True)
            status, data = imap.uid("FETCH", "1:*", "(FLAGS)")
            assert status == "OK", data
        finally:
            imap.logout()
        found = [re.search(rb"FLAGS \(([^)]*)\)", line) for line in data if line]
        return [set(m.group(1).decode().split()) - {"\\Recent"} if m else set() for m in found]


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")


def dovecot_config(root: Path, port: int) -> str:
    """A dovecot that needs nothing outside ``root``; as root, its processes run as the
    unprivileged users the Debian package creates; otherwise all as the current user."""
    if os.geteuid() == 0:
        login, internal = pwd.getpwnam("dovenull"), pwd.getpwnam("dovecot")
        mail_uid, mail_gid = internal.pw_uid, internal.pw_gid
        users = (
            f"default_login_user = {login.pw_name}\n"
            f"default_internal_user = {internal.pw_name}\n"
            f"default_internal_group = {grp.getgrgid(internal.pw_gid).gr_name}\n"
        )
        chroot = ""
    else:
        me = pwd.getpwuid(os.getuid())
        mail_uid, mail_gid = me.pw_uid, me.pw_gid
        users = (
            f"default_login_user = {me.pw_name}\n"
            f"default_internal_user = {me.pw_name}\n"
            f"default_internal_group = {grp.getgrgid(os.getgid()).gr_name}\n"
        )
        chroot = "  chroot =\n"  # chroot needs root
    (root / "mail").mkdir()
    os.chown(root / "mail", mail_uid, mail_gid)
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}\n" for u in USERS))
    # No auth penalty socket, no failure delay: a failed login must not slow the next test.
    return f"""\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login
{users}first_valid_uid = {mail_uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    """A running dovecot for the module, stopped and removed after it."""
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("NEWSLETTER_REQUIRE_DOVECOT") == "1":
            pytest.fail("dovecot is required here: apt-get install -y dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd)")
    # Not pytest's tmp_path: its parents are private to us, and dovecot's auth and mail
    # processes run as other users when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="newsletter-dovecot-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        root.chmod(0o755)
        port = free_port()
        config = root / "dovecot.conf"
        config.write_text(dovecot_config(root, port))
        with (root / "stderr.log").open("wb") as stderr:
            process = subprocess.Popen(
                [binary, "-F", "-c", str(config)], stdout=stderr, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    logs = "".join(
                        p.read_text(errors="replace")
                        for p in (root / "stderr.log", root / "dovecot.log")
                        if p.exists()
                    )
                    pytest.fail(f"dovecot did not start on 127.0.0.1:{port}:\n{logs}")
                time.sleep(0.05)
        yield Dovecot(port)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)

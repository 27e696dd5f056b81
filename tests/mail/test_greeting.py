"""The email greets a member by their first name: their ``short_name:``, else the first
word of their ``name:``. A subscriber who is no member keeps the name they gave (or a
plain 'Hello,'). Through `newsletter send --dry-run`, reading the .eml files back, and
`build --as`, the editor's preview of one member's email."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

from support.cli import run
from support.clock import TODAY
from support.helpers import write
from support.sending import send_project

SUBSCRIBERS = (
    "email,name,member,status\n"
    "ada@example.org,Augusta Ada King,ada,\n"  # a member with a short_name
    "grace@example.org,,grace,\n"  # a member without: the first word of her name
    "pat@example.org,Pat Smith,,\n"  # no member: the name as given
    "anon@example.org,,,\n"  # no member, no name
)

MEMBERS = {
    "ada": "name: Ada Lovelace\nshort_name: Ada L.\norg: Engines\n",
    "grace": "name: Grace Brewster Hopper\norg: Navy\n",
}


def greetings(outbox: Path) -> dict[str, tuple[str, str]]:
    """Each message's To address → the greeting line of its (text, HTML) parts."""
    found = {}
    for path in sorted(outbox.glob("*.eml")):
        message = cast(EmailMessage, message_from_bytes(path.read_bytes(), policy=policy.default))
        to = message["To"].addresses[0].addr_spec
        text = cast(EmailMessage, message.get_body(("plain",))).get_content()
        page = cast(EmailMessage, message.get_body(("html",))).get_content()
        line = next(x for x in text.splitlines() if x.startswith("Hello"))
        greeting = re.search(r'class="note greeting"[^>]*><p[^>]*>(.*?)</p>', page)
        assert greeting is not None, page
        found[to] = (line, greeting[1])
    return found


def test_members_are_greeted_by_first_name(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", SUBSCRIBERS)
    for handle, text in MEMBERS.items():
        write(root, f"content/members/{handle}.yaml", text)
    outbox = tmp_path / "outbox"
    result = run("send", "1", "--dry-run", str(outbox), "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert greetings(outbox) == {
        "ada@example.org": ("Hello Ada L.,", "Hello Ada L.,"),
        "grace@example.org": ("Hello Grace,", "Hello Grace,"),
        "pat@example.org": ("Hello Pat Smith,", "Hello Pat Smith,"),
        "anon@example.org": ("Hello,", "Hello,"),
    }
    # the To header keeps the name the subscriber gave
    headers = [message_from_bytes(p.read_bytes())["To"] for p in outbox.glob("*.eml")]
    assert "Augusta Ada King <ada@example.org>" in headers


def test_a_short_name_is_escaped_in_the_html(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", "email,name,member,status\nada@example.org,,ada,\n")
    write(root, "content/members/ada.yaml", "name: Ada Lovelace\nshort_name: <b>Ada</b> & co\n")
    outbox = tmp_path / "outbox"
    assert run("send", "1", "--dry-run", str(outbox), "--today", TODAY, cwd=root).exit_code == 0
    ((text, page),) = greetings(outbox).values()
    assert text == "Hello <b>Ada</b> & co,"
    assert page == "Hello &lt;b&gt;Ada&lt;/b&gt; &amp; co,"


def test_the_editor_previews_a_members_greeting(tmp_path: Path) -> None:
    root = send_project(tmp_path / "p", SUBSCRIBERS)
    for handle, text in MEMBERS.items():
        write(root, f"content/members/{handle}.yaml", text)
    result = run("build", "--today", TODAY, "--no-search", "--as", "grace", cwd=root)
    assert result.exit_code == 0, result.output
    preview = (root / ".newsletter/preview/email-1-grace.txt").read_text()
    assert "\nHello Grace,\n" in preview

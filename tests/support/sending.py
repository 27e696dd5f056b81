"""Projects ready to `send`, and `send` pointed at a test SMTP server (support/smtpserver.py)."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import Result

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write
from support.smtpserver import SmtpServer

SEND_CONFIG = """title: Test Exchange
base_url: https://news.example.org/
editors: [ada]
email:
  from: Test Exchange <news@example.org>
  reply_to: editors@example.org
  unsubscribe: leave@example.org
  per_second: 0
"""
"""A newsletter.yaml that can send: a sender, a reply-to, an unsubscribe address, no pause."""


def send_project(root: Path, subscribers: str, config: str = SEND_CONFIG) -> Path:
    """helpers.project's two members and edition 1 (one post shared for grace), with
    ``config`` and ``subscribers`` (the text of private/subscribers.csv)."""
    project(
        root,
        posts={
            "hello": post("Hello", "ada", **{"for": "[grace]"}),
            "maps": post("Maps", "grace", date="2026-11-12"),
        },
    )
    write(root, "newsletter.yaml", config)
    write(root, "private/subscribers.csv", subscribers)
    return root


def subscribers(n: int) -> str:
    """A subscribers.csv of ``n`` readers: reader0@example.org, reader1@…"""
    rows = [f"reader{i}@example.org,Reader {i},," for i in range(n)]
    return "email,name,member,status\n" + "\n".join(rows) + "\n"


def send(root: Path, server: SmtpServer, *args: str) -> Result:
    """`newsletter send ARGS --today TODAY` in ``root``, mailing through ``server``."""
    os.environ["NEWSLETTER_SMTP_URL"] = server.url
    try:
        return run("send", *args, "--today", TODAY, cwd=root)
    finally:
        del os.environ["NEWSLETTER_SMTP_URL"]

"""The one writer of the YAML that ``init``, ``new`` and the issue form put in files.

Owns how those files look: keys in the order given, Unicode as typed, short lists
inline, and a post's front matter (``---``, the fields that have a value, ``---``, the
text). The loader reads what this writes, so a file made here passes ``check``.

Writes no file (``scaffold`` does) and validates nothing (``issueform`` does, for what
members type).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

EMPTY: tuple[object, ...] = (None, "", [], ())
"""Values left out of a front matter: a field with no value is not written at all."""

FENCE_LINE_RE = re.compile(r"^[ \t]*(?:-{3,}|\.{3})[ \t]*$")
"""A line that reads as the end of a front matter (``---``), to people if not to us."""

READABLE_WIDTH = 100
"""Where a long value written for an editor is folded onto the next line."""

ONE_LINE_WIDTH = 10_000
"""Wider than any value the issue form accepts: no value is folded onto a line of its own."""


def yaml_text(data: dict[str, Any], width: int = READABLE_WIDTH) -> str:
    """``data`` as YAML, in the style of every file the authoring tools write."""
    return yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=width
    )


def front_matter(fields: dict[str, Any], body: str, *, untrusted: bool = False) -> str:
    """A Markdown file: ``fields`` that have a value as front matter, then ``body``.

    ``untrusted`` fields (typed by anyone, in an issue) each stay on one line, and a
    front matter with a line that could read as its end is refused (ValueError), so
    nothing typed can add or change a field.
    """
    filled = {k: v for k, v in fields.items() if v not in EMPTY}
    front = yaml_text(filled, ONE_LINE_WIDTH if untrusted else READABLE_WIDTH)
    if untrusted and any(FENCE_LINE_RE.match(line) for line in front.splitlines()):
        raise ValueError("the front matter would contain a '---' line")  # pragma: no cover
    return f"---\n{front}---\n{body.rstrip()}\n"


def post_file(
    *,
    title: str,
    by: str,
    kind: str,
    date: dt.date,
    link: str = "",
    for_: list[str] | None = None,
    via: str = "",
    connects: list[str] | None = None,
    tags: list[str] | None = None,
    when: str = "",
    where: str = "",
    body: str,
    untrusted: bool = False,
) -> str:
    """A post's file: its fields, always in this order, then its text. ``when`` is
    'YYYY-MM-DD HH:MM'."""
    fields: dict[str, Any] = {
        "title": title,
        "by": by,
        "kind": kind,
        "link": link,
        "for": for_ or [],
        "via": via,
        "connects": connects or [],
        "tags": tags or [],
        "when": when,
        "where": where,
        "date": date,
    }
    return front_matter(fields, body, untrusted=untrusted)

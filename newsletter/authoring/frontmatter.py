"""The one writer of the YAML that ``init``, ``new`` and the issue form put in files.

Owns how those files look, which is how the README shows them: one field a line, keys
in the order given, Unicode as typed, lists of words inline (``tags: [a, b]``), mappings
as blocks (``email:`` then its fields indented), a text left empty as an empty value for
the member to fill in (``org:``), and a post's front matter (``---``, the fields that
have a value, ``---``, the text). No value is ever folded onto a second line. The loader
reads what this writes, so a file made here passes ``check``.

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

ONE_LINE_WIDTH = 1_000_000
"""Wider than any value a file holds: no value is folded onto a line of its own."""


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with the README's style: see ``yaml_text``."""


def _mapping(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=not data)


def _sequence(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    words = all(not isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=words)


def _blank(dumper: yaml.SafeDumper, _data: None) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)
_Dumper.add_representer(type(None), _blank)


def yaml_text(data: dict[str, Any]) -> str:
    """``data`` as YAML, in the style of every file the authoring tools write: a mapping
    as a block, a list of words inline, ``None`` as an empty value, one field a line."""
    text = yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=ONE_LINE_WIDTH
    )
    return "\n".join(line.rstrip() for line in text.split("\n"))


def front_matter(fields: dict[str, Any], body: str, *, untrusted: bool = False) -> str:
    """A Markdown file: ``fields`` that have a value as front matter, then ``body``.

    Every field stays on one line; for ``untrusted`` fields (typed by anyone, in an
    issue) a front matter with a line that could read as its end is refused
    (ValueError), so nothing typed can add or change a field.
    """
    filled = {k: v for k, v in fields.items() if v not in EMPTY}
    front = yaml_text(filled)
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
    draft: bool = False,
    body: str,
    untrusted: bool = False,
) -> str:
    """A post's file: its fields, always in the README's order, then its text. ``when``
    is 'YYYY-MM-DD HH:MM'."""
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
        "draft": draft or None,
    }
    return front_matter(fields, body, untrusted=untrusted)

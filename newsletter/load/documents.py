"""Documents: a Markdown file with YAML front matter → its fields and its body.

Posts and editions are documents: ``---``, the fields, ``---``, then the Markdown text.
This module splits them, bounds both parts (``project.limits``), and scans every
public file for email addresses, which belong only in the private subscribers file.
What the fields mean is the job of ``posts`` and ``editions``.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.markup import EMAIL_RE
from newsletter.load.fields import Fields, mapping_or_error
from newsletter.load.yaml import parse_yaml
from newsletter.project import limits
from newsletter.project.sources import Project, read_text


def split_front_matter(text: str, path: str, diags: Diagnostics) -> tuple[str, str, int] | None:
    """'---\\nyaml\\n---\\nbody' → (yaml, body, line the body starts on)."""
    if not text.startswith("---\n"):
        diags.error(
            Location(path, 1),
            "syntax.front-matter",
            "missing front matter",
            "start the file with a line '---', the YAML fields, then another '---'",
        )
        return None
    end = re.search(r"^---[ \t]*$", text[4:], re.M)
    if end is None:
        diags.error(
            Location(path, 1),
            "syntax.front-matter",
            "front matter is not closed",
            "add a line '---' after the last field",
        )
        return None
    front = text[4 : 4 + end.start()]
    body = text[4 + end.end() :].lstrip("\n")
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    return front, body, body_line


def scan_private(text: str, path: str, diags: Diagnostics, first_line: int = 1) -> None:
    """Email addresses do not belong in public content: report each one."""
    for match in EMAIL_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + first_line
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        diags.error(
            Location(path, line, col),
            "privacy.email",
            "email address in public content",
            "content/ is published; addresses belong only in the private subscribers file",
        )


def read_document(
    project: Project, file: Path, diags: Diagnostics, known: set[str]
) -> tuple[Fields, str, int] | None:
    """A Markdown file with front matter → (its fields, the body, the body's first line)."""
    path = project.relative(file)
    text = read_text(project, file, diags)
    if text is None:
        return None
    scan_private(text, path, diags)
    parts = split_front_matter(text, path, diags)
    if parts is None:
        return None
    front, body, body_line = parts
    where = Location(path)
    if len(front) > limits.MAX_FRONT_MATTER:
        diags.error(
            Location(path, 2),
            "file.too-large",
            f"the front matter is {len(front):,} characters long; at most "
            f"{limits.MAX_FRONT_MATTER:,} are read",
            "keep only the fields between the '---' lines; the text goes after them",
        )
        return None
    if not limits.check_markdown(body, path, body_line, diags):
        body = ""  # reported; nothing later may spend its time on it
    data, marks = parse_yaml(front, path, diags, first_line=2)
    data = mapping_or_error(data, where, diags, "front matter") if data is not None else None
    if data is None:
        return None
    fields = Fields(data, marks, where, diags)
    fields.unknown(known)
    return fields, body, body_line

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
from newsletter.core.markup import EMAIL_RE, find_addresses
from newsletter.core.model import PrivacyOptions
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


def scan_private(text: str, path: str, diags: Diagnostics, public: PrivacyOptions) -> None:
    """Email addresses do not belong in public content: report each one but those
    ``privacy.public_addresses`` allows."""
    for match in find_addresses(text):
        if public.allows(match.group()):
            continue
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        diags.error(
            Location(path, line, col),
            "privacy.email",
            "email address in public content",
            "content/ is published; addresses belong only in the private subscribers file",
        )


SUGGEST_PUBLIC_AFTER = 3
"""Files one address must be in before ``check`` suggests ``privacy.public_addresses``:
an address in many posts is a list's or an event's, not a person's slip."""


def suggest_public_addresses(project: Project, diags: Diagnostics) -> None:
    """A note at the first of the ``privacy.email`` errors of each address found in
    ``SUGGEST_PUBLIC_AFTER`` files or more: it may be public, and say so in the config.
    The addresses are read again at the errors' places, as errors from the build cache
    carry only their place."""
    seen: dict[str, list[Location]] = {}
    texts: dict[str, list[str]] = {}
    for d in sorted(diags.items, key=lambda d: d.sort_key()):
        if d.code != "privacy.email":
            continue
        where = d.location
        if where.path not in texts:
            try:
                text = (project.root / where.path).read_text("utf-8", "replace")
            except OSError:
                text = ""
            texts[where.path] = text.split("\n")
        lines = texts[where.path]
        line = lines[where.line - 1] if where.line <= len(lines) else ""
        found = EMAIL_RE.match(line, where.col - 1)
        if found:
            seen.setdefault(found.group().lower(), []).append(where)
    for address, places in seen.items():
        files = sorted({p.path for p in places})
        if len(files) >= SUGGEST_PUBLIC_AFTER:
            diags.note(
                places[0],
                "privacy.repeated",
                f"{address} is in {len(files)} files: {files[0]}, {files[1]} "
                f"and {len(files) - 2} more",
                "if it is public (a mailing list, a conference's contact), add it to "
                "privacy.public_addresses in newsletter.yaml",
            )


def read_document(
    project: Project,
    file: Path,
    diags: Diagnostics,
    known: set[str],
    public: PrivacyOptions,
) -> tuple[Fields, str, int] | None:
    """A Markdown file with front matter → (its fields, the body, the body's first line)."""
    path = project.relative(file)
    text = read_text(project, file, diags)
    if text is None:
        return None
    scan_private(text, path, diags, public)
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

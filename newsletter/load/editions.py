"""Editions: ``content/editions/<n>.md`` → ``Edition``.

An edition is named by its number and dated; its front matter may title it and
include or exclude posts by name, and its text is the editor's note. Which posts it
holds is ``enrich``'s job, and whether the names it gives exist, ``check``'s.
"""

from __future__ import annotations

import re
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.markup import render_markdown
from newsletter.core.model import Config, Edition
from newsletter.load.documents import read_document
from newsletter.load.marks import pack_marks
from newsletter.project.sources import Project

EDITION_FIELDS = {"title", "date", "include", "exclude"}


def load_edition(
    project: Project, file: Path, config: Config, diags: Diagnostics
) -> Edition | None:
    """An edition's file → its ``Edition``; None, with the reasons reported, if it cannot be one."""
    path = project.relative(file)
    where = Location(path)
    if not re.fullmatch(r"\d+", file.stem):
        diags.error(
            where,
            "edition.number",
            f"'{file.name}' is not named by its edition number",
            "name edition files by number: content/editions/12.md",
        )
        return None
    document = read_document(project, file, diags, EDITION_FIELDS, config.privacy)
    if document is None:
        return None
    fields, body, body_line = document
    where = fields.location  # its path is the marks' too: one string, once pickled
    path = where.path
    number = int(file.stem)
    date = fields.date("date", required=True)
    if date is None:
        return None
    return Edition(
        number=number,
        date=date,
        title=fields.text("title") or f"Edition {number}",
        location=where,
        note_md=body,
        note_html=render_markdown(body, config.base_path),
        note_location=Location(path, body_line),
        include=fields.texts("include", example="[2026/weak-ties]"),
        exclude=fields.texts("exclude", example="[2026/weak-ties]"),
        marks=pack_marks(fields.marks),
    )

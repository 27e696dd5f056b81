"""Preflight: what ``check`` would say of a file before ``new`` writes it, and what the
next edition would hold.

The project is loaded as it is (its own problems are not the new file's); the new file
is written into a temporary copy of its path, loaded there by the loader of its kind and
checked with the rest by ``pipeline.check``, so ``new`` applies the very rules ``check``
does and never a copy of them. Only the diagnostics about the new file are kept. Writes
nothing in the project.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from newsletter.core.diagnostics import Diagnostic, Diagnostics, Location, Severity
from newsletter.core.model import Content, Edition, Post
from newsletter.load import load
from newsletter.load.editions import load_edition
from newsletter.load.members import load_member
from newsletter.load.posts import load_post
from newsletter.pipeline.check import check
from newsletter.pipeline.enrich import assign_items
from newsletter.project.sources import Project

PROBLEMS = (Severity.ERROR, Severity.WARNING)
"""What is said before a file is written: what is wrong or looks wrong, not what is only
worth knowing (a new post waiting for the next edition is why it is written)."""


@dataclass(frozen=True)
class Existing:
    """The project as it is, loaded once, for the files ``new`` is about to write."""

    project: Project
    content: Content

    @classmethod
    def of(cls, project: Project) -> Existing:
        return cls(project, load(project, Diagnostics()))

    def problems(self, file: Path, text: str, today: dt.date) -> list[Diagnostic]:
        """What ``check`` as of ``today`` would find wrong in ``file`` (a member, post or
        edition of the project) if it held ``text``: its errors and warnings, in order."""
        rel = self.project.relative(file)
        found = Diagnostics()
        with tempfile.TemporaryDirectory(prefix="newsletter-new-") as folder:
            shadow = Project(Path(folder))
            copy = shadow.root / rel
            copy.parent.mkdir(parents=True)
            copy.write_text(text, encoding="utf-8")
            content = self._with(shadow, copy, rel, found)
        check(content, found, today)
        mine = (d for d in found.items if d.location.path == rel and d.severity in PROBLEMS)
        return sorted(mine, key=Diagnostic.sort_key)

    def _with(self, shadow: Project, copy: Path, rel: str, diags: Diagnostics) -> Content:
        """The content with the file at ``rel`` as loaded from its ``copy`` in ``shadow``."""
        content, config = self.content, self.content.config
        kind = rel.split("/")[1]
        if kind == "members":
            member = load_member(shadow, copy, config, diags)
            members = {h: m for h, m in content.members.items() if m.location.path != rel}
            return replace(content, members=members | ({member.handle: member} if member else {}))
        if kind == "editions":
            edition = load_edition(shadow, copy, config, diags)
            editions = [e for e in content.editions if e.location.path != rel]
            return replace(content, editions=editions + ([edition] if edition else []))
        post = load_post(shadow, copy, config, diags)  # a post already there is a clash
        return replace(content, posts=content.posts + ([post] if post else []))

    def slugs(self, year: int) -> set[str]:
        """The names in the addresses of the posts of ``year``, as they are now."""
        return {p.slug for p in self.content.posts if p.year == year}


@dataclass(frozen=True)
class EditionPlan:
    """What a new edition would hold: its number and date, its items, the edition before
    it, and the posts left waiting for a later one."""

    number: int
    date: dt.date
    items: list[Post]
    previous: Edition | None
    later: list[Post]

    def contents(self, today: dt.date) -> str:
        """What the edition will hold, in a sentence or two for the editor."""
        first, last = self.items[0].date, self.items[-1].date
        dates = f"dated {first}" if first == last else f"dated {first} to {last}"
        said = f"edition {self.number} of {self.date} will hold {_items(len(self.items))}, {dates}"
        if self.previous is not None:
            said += f" (after edition {self.previous.number} of {self.previous.date})"
        if self.later:
            said += f"; {_items(len(self.later))} dated after {self.date} will wait for the next"
        if self.date > today:
            said += f"; dated after today ({today}), it is a draft until then"
        return said + "."

    def empty(self) -> str:
        """Why the edition would hold nothing, and what date would give it items."""
        since = (
            f"after edition {self.previous.number} of {self.previous.date} "
            if self.previous is not None
            else ""
        )
        said = (
            f"edition {self.number} of {self.date} would hold no item: "
            f"no post is dated {since}up to {self.date}"
        )
        if self.later:
            next_day = self.later[0].date
            said += f"; the next post waiting is dated {next_day}: give --date {next_day} or later"
        return said


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"


def nothing_waiting(content: Content) -> str:
    """Why no edition can be made now: every post is in an edition already."""
    latest = max(content.editions, key=lambda e: (e.date, e.number), default=None)
    if latest is None:
        return "no post to put in an edition yet: add one first (newsletter new post)"
    return (
        f"no post is waiting for a new edition: none is dated after edition {latest.number} "
        f"of {latest.date} (drafts aside); add posts first (newsletter new post)"
    )


def waiting_posts(content: Content) -> list[Post]:
    """The posts (not drafts) dated after the latest edition, oldest first: what a new
    edition is for."""
    latest = max((e.date for e in content.editions), default=None)
    return sorted(
        (p for p in content.posts if not p.draft and (latest is None or p.date > latest)),
        key=lambda p: (p.date, p.key),
    )


def default_edition_date(content: Content, today: dt.date) -> dt.date | None:
    """The day a new edition is dated when none is given: today, or, if no post waiting
    for it is dated by today, the day of the first one (a draft until then); None when no
    post is waiting."""
    waiting = waiting_posts(content)
    return max(today, waiting[0].date) if waiting else None


def plan_edition(content: Content, number: int, date: dt.date) -> EditionPlan:
    """What edition ``number`` dated ``date`` would hold, as the build assigns items (after
    the previous edition by date, up to ``date``; includes and excludes too)."""
    new = Edition(number=number, date=date, title="", location=Location(""))
    editions = sorted([*content.editions, new], key=lambda e: (e.date, e.number))
    posts = [p for p in content.posts if not p.draft]
    assigned = assign_items(editions, posts)
    placed = {p.key for items in assigned.values() for p in items}
    later = [p for p in posts if p.date > date and p.key not in placed]
    previous = editions[editions.index(new) - 1] if editions.index(new) else None
    return EditionPlan(number, date, assigned[number], previous, later)

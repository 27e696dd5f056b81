"""The whole project: every file, loaded by its kind, into ``Content``.

The config first (every other file is read in its light), then members, posts, editions
and standalone pages, each file from the build cache when it has not changed since the
last build, or parsed now — many of them in worker processes (``core.parallel``) — and
finally the cached feed items of the members (``feeds.items``). The diagnostics come out
in the same order whichever way a file was had. Files under content/ that are not read,
or that clash, are reported (``report_unread``).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.model import Config, Content, Edition, Member, Page, Post
from newsletter.core.parallel import map_in_processes, release_free_memory
from newsletter.core.progress import Progress, quiet
from newsletter.feeds.items import feed_items
from newsletter.load.config import load_config
from newsletter.load.documents import suggest_public_addresses
from newsletter.load.editions import load_edition
from newsletter.load.members import load_member
from newsletter.load.pages import load_page
from newsletter.load.posts import load_post
from newsletter.load.private import check_public_addresses
from newsletter.project import limits
from newsletter.project.buildcache import BuildCache, FileMemo, code_stamp, digest_bytes
from newsletter.project.sources import ContentFiles, Project

LoadOne = Callable[[Project, Path, Config, Diagnostics], object]
"""How one kind of file is loaded: ``load_member``, ``load_post``, ``load_edition``,
``load_page``."""

PARALLEL_LOAD = 400
"""Files to parse at least, before parsing is spread over processes (start-up costs)."""


def load_members(project: Project, diags: Diagnostics) -> tuple[Config, dict[str, Member]]:
    """The config and the members only: what ``fetch`` and ``feeds`` need."""
    config = load_config(project, diags)
    members = (load_member(project, f, config, diags) for f in project.member_files())
    return config, {m.handle: m for m in members if m is not None}


def load(
    project: Project,
    diags: Diagnostics,
    base_url: str | None = None,
    progress: Progress = quiet,
    cache: BuildCache | None = None,
    jobs: int = 1,
) -> Content:
    """Every file of the project, parsed, and the cached feed items of its members;
    problems go to ``diags``. With a ``cache``, files unchanged since the last build are
    not parsed again; with ``jobs`` > 1, many files are parsed in that many processes."""
    config = load_config(project, diags, base_url)
    check_public_addresses(project, config, diags)
    limits.check_tree(project.root, project.content, project.relative, diags)
    found = project.content_files()
    report_unread(project, found, diags)
    files = (found.members, found.posts, found.editions, found.pages)
    tally = _Tally(progress, sum(map(len, files)))
    members, posts, editions, pages = _every_file(project, config, diags, cache, tally, jobs, files)
    release_free_memory()  # of every file pickled, as parsed or as cached: read and dropped
    suggest_public_addresses(project, diags)
    by_handle = {m.handle: m for m in members}
    posts = feed_items(project, by_handle, posts, config, diags)
    return Content(config, by_handle, posts, editions, pages)


def _every_file(
    project: Project,
    config: Config,
    diags: Diagnostics,
    cache: BuildCache | None,
    tally: _Tally,
    jobs: int,
    files: tuple[list[Path], list[Path], list[Path], list[Path]],
) -> tuple[list[Member], list[Post], list[Edition], list[Page]]:
    """The members, posts, editions and pages, each file from the build cache or parsed
    now. The cache's copies (all of them, in a build after an edit) are dropped when this
    returns."""
    memo = FileMemo(cache, digest_bytes(pickle.dumps(config, protocol=5) + code_stamp().encode()))
    kinds = _Kinds(project, config, diags, memo, tally, jobs)
    members: list[Member] = kinds.each(files[0], load_member)
    posts: list[Post] = kinds.each(files[1], load_post)
    editions: list[Edition] = kinds.each(files[2], load_edition)
    pages: list[Page] = kinds.each(files[3], load_page)
    memo.save()
    return members, posts, editions, pages


def report_unread(project: Project, found: ContentFiles, diags: Diagnostics) -> None:
    """Each file under content/ that is not read, and each name with two files."""
    for clash in found.clashes:
        read, other = project.relative(clash.read), project.relative(clash.other)
        diags.error(
            Location(other),
            "file.duplicate",
            f"{other} and {read} are two files for one name: only {clash.read.name} is read",
            f"keep one: merge what {clash.other.name} says into {clash.read.name}, then delete it",
        )
    for unread in found.unread:
        folder = unread.path.is_dir()
        diags.warning(
            Location(project.relative(unread.path) + ("/" if folder else "")),
            "file.unread",
            f"not read: {unread.why}",
            unread.hint,
        )


def _relative_names(project: Project, files: Sequence[Path]) -> list[str]:
    """``project.relative`` of each file, cut from its path as a string: the same names,
    without the Paths that ``relative_to`` makes (11,000 files at 10,000 posts)."""
    root = os.fspath(project.root)
    prefix = root if root.endswith("/") else root + "/"
    names = []
    for path in files:
        text = os.fspath(path)
        fast = os.sep == "/" and text.startswith(prefix)
        names.append(text[len(prefix) :] if fast else project.relative(path))
    return names


@dataclass
class _Tally:
    """Files loaded so far, told to ``progress`` as the 'load' stage."""

    progress: Progress
    total: int
    done: int = 0

    def one(self) -> None:
        self.done += 1
        self.progress("load", self.done, self.total)


@dataclass(frozen=True)
class _Kinds:
    """Loading the project's files, kind by kind, through the build cache."""

    project: Project
    config: Config
    diags: Diagnostics
    memo: FileMemo
    tally: _Tally
    jobs: int

    def each(self, files: Sequence[Path], load_one: LoadOne) -> list[Any]:
        """What each file holds: from the cache, or parsed now; diagnostics either way."""
        names = _relative_names(self.project, files)
        cached: list[bytes | None] = []
        for name, path in zip(names, files, strict=True):
            cached.append(self.memo.get(name, path))
            if cached[-1] is not None:
                self.tally.one()
        todo = [i for i, blob in enumerate(cached) if blob is None]
        parsed = {}
        for i, (key, fresh) in zip(
            todo, self._parse([files[i] for i in todo], load_one), strict=True
        ):
            self.memo.put(names[i], files[i], fresh, key)
            parsed[i] = fresh
        loaded = []
        for i, blob in enumerate(cached):
            cached[i] = None  # each blob freed once read
            item, found = pickle.loads(blob or parsed.pop(i))
            self.diags.items.extend(found)
            if item is not None:
                loaded.append(item)
        return loaded

    def _parse(self, files: list[Path], load_one: LoadOne) -> list[tuple[str, bytes]]:
        """Each file's item (or None) and diagnostics, pickled: the form the cache keeps,
        with the key it is kept under. In processes when there are many."""
        start = self.tally.done

        def parse(file: Path) -> tuple[str, bytes]:
            key = self.memo.key(file) if self.memo.cache is not None else ""
            found = Diagnostics()
            item = load_one(self.project, file, self.config, found)
            return key, pickle.dumps((item, found.items), protocol=5)

        def advance(done: int) -> None:
            while self.tally.done < start + done:
                self.tally.one()

        return map_in_processes(
            parse, files, self.jobs, min_items=PARALLEL_LOAD, min_chunk=16, progress=advance
        )

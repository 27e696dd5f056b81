"""The build's search step: the pages of the folder being built → its search index in
``pagefind/``, checked for addresses, before the folder is published.

A site of up to :data:`SINGLE_MAX` searched pages gets one bundle
(:func:`~newsletter.publish.search.search_files`). A bigger one gets shards
(:mod:`newsletter.publish.shards`): each shard whose pages Pagefind would read as the
last build did is kept as it is, the others are indexed by up to ``workers`` Pagefind
processes at once, and each is checked and written as soon as its Pagefind answers, so
that no more than ``workers`` shards are ever in memory. They read their pages together
but make their bundles together only while these add up to no more pages than the
largest shard has (:class:`~newsletter.publish.search.Turns`): making the bundle is when
Pagefind's memory peaks, at more than three times what it holds once it has read them.

What a page is to Pagefind (its language and digest) comes from the process that
rendered it, while its bytes were in memory (``publish.outputs``): this step reads a
page only to index it. What the build remembers for the next one is a
:class:`SearchMemory`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from newsletter.core.diagnostics import Diagnostic
from newsletter.core.errors import BuildFailed
from newsletter.core.parallel import release_free_memory
from newsletter.project.buildcache import OutputFile, OutputRecord, SiteFiles
from newsletter.publish.search import (
    BUNDLE,
    PagesOnDisk,
    Turns,
    bundle_files,
    is_searched,
    language_folders,
    pagefind_executable,
    readable,
    search_files,
)
from newsletter.publish.shards import (
    ENGINE_ONLY,
    MANIFEST,
    Shard,
    indexed_digest,
    page_language,
    plan_shards,
)
from newsletter.publish.write import place, prune_empty, safe_relative, same_bytes

SINGLE_MAX = 512
"""Searched pages at most for one bundle at ``pagefind/`` (a small site's layout)."""

Leaks = Callable[[dict[str, bytes]], list[Diagnostic]]


@dataclass(frozen=True)
class PageSeen:
    """A searched page as the last build indexed it: its file's size and mtime, its
    language and :func:`~newsletter.publish.shards.indexed_digest`."""

    size: int
    mtime_ns: int
    lang: str
    digest: str


@dataclass(frozen=True)
class SearchMemory:
    """What a build remembers of its search index, for the next one (the build cache's
    state ``search``): trusted only with the bundle record it was made with."""

    record: str
    """The key of the bundle's :class:`OutputRecord` that these are true of."""
    pages: dict[str, PageSeen]
    shards: dict[str, str]
    """Each shard's folder → the key it was indexed with."""


@dataclass(frozen=True)
class SearchTarget:
    """Where the index goes and what it is made from."""

    folder: Path
    """The folder being built, with its pages."""
    old_site: Path | None
    """The site being replaced (its files are linked when they have the same bytes)."""
    previous: OutputRecord | None
    """The bundle the last build into this output published."""
    base_path: str
    language: str | None
    """newsletter.yaml's language, or None for a site in several."""


@dataclass(frozen=True)
class SiteMade:
    """What the jobs put in the folder: every file's record, and what Pagefind will read
    of the searched pages they made (path → (language, digest))."""

    records: Mapping[str, OutputRecord]
    seen: Mapping[str, tuple[str, str]]


def searched_in(config_languages: tuple[str, ...], main: str) -> Callable[[str], bool]:
    """Whether the index has a page, for a site in these languages."""
    others = frozenset(tag.lower() for tag in config_languages if tag != main)
    return lambda name: is_searched(name, others)


def add_search(
    target: SearchTarget,
    leaks: Leaks,
    made: SiteMade,
    memory: SearchMemory | None = None,
    workers: int = 1,
) -> tuple[dict[str, OutputRecord], SearchMemory | None]:
    """Index the pages of ``target.folder``, check the index for addresses and write it
    into ``folder/pagefind/``. A file with the same bytes in ``old_site`` is linked, not
    written; in place (``folder`` is ``old_site``), the files of the ``previous`` bundle
    that are no longer in it are removed. Returns the bundle's record, by
    :data:`~newsletter.publish.search.BUNDLE`, and what the next build should remember."""
    files = {f.path: f for record in made.records.values() for f in record.files}
    languages = language_folders(files)
    pages = PagesOnDisk(
        target.folder, sorted(n for n in files if is_searched(n, languages)), languages
    )
    placer = _Placer(target)
    if len(pages) <= SINGLE_MAX:
        bundle = search_files(pages, target.base_path, target.language)
        _refuse_leaks(bundle, leaks)
        return {BUNDLE: _publish(target, [placer.put(n, d) for n, d in bundle.items()], [])}, None
    trusted = (
        memory if memory and target.previous and memory.record == target.previous.key else None
    )
    seen = _seen_pages(pages, files, made.seen, trusted.pages if trusted else {})
    shards = plan_shards({name: page.lang for name, page in seen.items()})
    stamp = _pagefind_stamp()
    keys = {s.folder: _shard_key(s, seen, target, stamp) for s in shards}
    kept, todo = _kept_shards(target, shards, keys, trusted.shards if trusted else {})
    top = [f for f in target.previous.files if _at_top(f.path)] if target.previous else []
    if not (top and target.old_site and _intact(target.old_site, top)):
        kept, todo = [], shards  # what the shards share is gone: make them all again
    largest = max(len(shard.names) for shard in shards)
    placed = _index_shards(todo, largest, pages, target, placer, leaks, workers)
    if not todo:
        kept += top
    manifest: dict[str, list[str]] = {}
    for shard in shards:
        manifest.setdefault(shard.lang, []).append(target.base_path + shard.folder)
    data = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    _refuse_leaks({MANIFEST: data}, leaks)
    record = _publish(target, [*placed, placer.put(MANIFEST, data)], kept)
    return {BUNDLE: record}, SearchMemory(record.key, seen, keys)


def _refuse_leaks(files: dict[str, bytes], leaks: Leaks) -> None:
    found = []
    for name, data in files.items():  # one at a time: unzipped, a shard is several MB
        found += leaks(readable({name: data}))
    if found:
        raise BuildFailed(found)


def _at_top(name: str) -> bool:
    """A file all shards share, at the top of the bundle: Pagefind's UI and WebAssembly
    (not the list of shards, made anew each time)."""
    rest = name.removeprefix(BUNDLE)
    return "/" not in rest and name != MANIFEST


def _seen_pages(
    pages: PagesOnDisk,
    files: dict[str, OutputFile],
    made: Mapping[str, tuple[str, str]],
    known: dict[str, PageSeen],
) -> dict[str, PageSeen]:
    """Each searched page's language and digest: as the job that made it said, or as
    the last build saw it if it is the same file (size and mtime: a page this build
    linked, not wrote); read only when neither knows it."""
    seen = {}
    for name in pages:
        f = files[name]
        if name in made:
            lang, digest = made[name]
            seen[name] = PageSeen(f.size, f.mtime_ns, lang, digest)
            continue
        old = known.get(name)
        if old is not None and (old.size, old.mtime_ns) == (f.size, f.mtime_ns):
            seen[name] = old
            continue
        html = pages[name]
        seen[name] = PageSeen(f.size, f.mtime_ns, page_language(html), indexed_digest(html))
    return seen


def _shard_key(shard: Shard, seen: dict[str, PageSeen], target: SearchTarget, pagefind: str) -> str:
    """What a shard's bundle is made of: its pages as Pagefind reads them, where results
    link to, the language option and Pagefind itself (its :func:`_pagefind_stamp`)."""
    digest = hashlib.sha256(
        repr((shard.folder, target.base_path, target.language, pagefind)).encode()
    )
    for name in shard.names:
        digest.update(f"{name}\0{seen[name].digest}\n".encode())
    return digest.hexdigest()


def _pagefind_stamp() -> str:
    path = Path(pagefind_executable())
    st = path.stat()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _kept_shards(
    target: SearchTarget, shards: list[Shard], keys: dict[str, str], known: dict[str, str]
) -> tuple[list[OutputFile], list[Shard]]:
    """The files of the shards the last build made with the same key, still intact in
    the old site; and the shards to index."""
    by_folder: dict[str, list[OutputFile]] = {}
    for f in target.previous.files if target.previous else ():
        folder = f.path[: f.path.find("/", len(BUNDLE)) + 1]
        if folder != BUNDLE:
            by_folder.setdefault(folder, []).append(f)
    kept: list[OutputFile] = []
    todo = []
    for shard in shards:
        files = by_folder.get(shard.folder, [])
        old = target.old_site
        if known.get(shard.folder) == keys[shard.folder] and files and old and _intact(old, files):
            kept += files
        else:
            todo.append(shard)
    return kept, todo


def _intact(site: Path, files: list[OutputFile]) -> bool:
    """The shard's files are in the old site as the last build left them: one ``stat``
    each, nothing read or written (a name from a damaged cache at worst has the shard
    indexed again)."""
    return SiteFiles.of([OutputRecord("", tuple(files))]).intact(site)


ENGINE_JS = ("pagefind.js", "pagefind-worker.js")
WASM_URL = b"`${this.basePath}wasm.${language}.pagefind`"
SHARED_WASM_URL = b"`${this.basePath}../wasm.${language}.pagefind`"
"""Where Pagefind's engine fetches its WebAssembly, and where shards fetch it from: the
same file for all of them at ``pagefind/`` (70 KB each, fetched once instead of once
per shard). A Pagefind whose engine says it otherwise keeps a copy in each shard."""


def _index_shards(
    shards: list[Shard],
    largest: int,
    pages: Mapping[str, bytes],
    target: SearchTarget,
    placer: _Placer,
    leaks: Leaks,
    workers: int,
) -> list[OutputFile]:
    """The bundles of ``shards``, indexed by up to ``workers`` Pagefind processes at once,
    each checked and written as soon as it is made; the files they share once, at the top.
    Bundles are made together only while their pages add up to no more than ``largest``,
    the pages of the site's largest shard: never more of Pagefind's memory than that one
    alone needs, though two shards of half its size are made at once."""
    if not shards:
        return []

    turns = Turns(largest)

    def index(shard: Shard) -> dict[str, bytes]:
        names = list(shard.names)
        bundle = bundle_files(names, pages, target.base_path, target.language, shard.folder, turns)
        return _shared(shard, bundle)

    placed: dict[str, OutputFile] = {}
    shared: dict[str, bytes] = {}
    """The files at the top, as the first shard had them: every shard has the same
    (Pagefind's UI, 0.5 MB), checked once rather than once a shard."""
    # the largest first: a large one started last would be indexed alone at the end, by
    # one Pagefind on one core (2.5 s of This Week in Rust's build)
    largest_first = sorted(shards, key=lambda shard: -len(shard.names))
    with ThreadPoolExecutor(max(1, min(workers, len(shards)))) as pool:
        for future in as_completed([pool.submit(index, shard) for shard in largest_first]):
            files = future.result()
            _refuse_leaks({n: d for n, d in files.items() if shared.get(n) != d}, leaks)
            for name, data in files.items():
                if name not in placed:  # the shared files: the same from every shard
                    placed[name] = placer.put(name, data)
                    if _at_top(name):
                        shared[name] = data
            del files
            # the bundle's answer, read and decoded in the thread that asked for it,
            # leaves holes in that thread's heap, which glibc keeps: 18 MB at 2,000 posts
            release_free_memory()
    return list(placed.values())


def _shared(shard: Shard, bundle: dict[str, bytes]) -> dict[str, bytes]:
    """A shard's bundle with what all shards share moved to the top: Pagefind's UI, and
    its WebAssembly when the engine can be pointed there."""
    shared = all(WASM_URL in bundle.get(shard.folder + js, WASM_URL) for js in ENGINE_JS)
    files = {}
    for name, data in bundle.items():
        rest = name.removeprefix(shard.folder)
        if rest.startswith(ENGINE_ONLY) or (shared and rest.endswith(".pagefind")):
            files[BUNDLE + rest] = data
        elif shared and rest in ENGINE_JS:
            files[name] = data.replace(WASM_URL, SHARED_WASM_URL)
        else:
            files[name] = data
    return files


def _publish(
    target: SearchTarget, placed: list[OutputFile], kept: list[OutputFile]
) -> OutputRecord:
    """The bundle's record, once its new files are ``placed`` and the ``kept`` files of
    the old site linked into ``target.folder``; what the last bundle had and this one has
    not is removed."""
    folder, old_site = target.folder, target.old_site
    for f in kept:
        assert old_site is not None
        if folder != old_site:
            rel = safe_relative(f.path)
            to = folder.joinpath(*rel.parts)
            to.parent.mkdir(parents=True, exist_ok=True)
            place(old_site.joinpath(*rel.parts), to)
    every = sorted([*placed, *kept], key=lambda f: f.path)
    wanted = {f.path for f in every}
    if target.previous is not None and old_site is not None and folder == old_site:
        for stale in target.previous.files:
            if stale.path not in wanted and stale.path.startswith(BUNDLE):
                path = folder.joinpath(*safe_relative(stale.path).parts)
                path.unlink(missing_ok=True)
                prune_empty(folder, path.parent)
    digest = hashlib.sha256("".join(f"{f.path}\0{f.size}\0{f.mtime_ns}\n" for f in every).encode())
    return OutputRecord(digest.hexdigest(), tuple(every))


class _Placer:
    """Puts the bundle's files into the folder being built.

    In place (site/ itself), :func:`_put` each. Into a staging folder, which has none of
    them yet, each is written as a new file, and each folder made once: a bundle of
    50,000 pages (This Week in Rust) is 51,000 files, and the build's process, which
    writes them while the Pagefinds index, was then its search step's slowest part."""

    def __init__(self, target: SearchTarget) -> None:
        self.target = target
        self.staged = target.folder != target.old_site
        old = target.old_site
        self.old = old if old is not None and old.is_dir() else None
        self.folders: set[str] = set()

    def put(self, name: str, data: bytes) -> OutputFile:
        if not self.staged:
            return _put(self.target, name, data)
        rel = safe_relative(name)
        path = os.path.join(self.target.folder, *rel.parts)
        folder = os.path.dirname(path)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        old = self.old.joinpath(*rel.parts) if self.old is not None else None
        if old is not None and same_bytes(old, data):
            place(old, Path(path))  # unchanged: linked from the old site
            st = os.stat(path)
            return OutputFile(name, st.st_size, st.st_mtime_ns)
        try:
            with open(path, "xb") as new:  # never through a link to another file
                new.write(data)
                new.flush()
                st = os.fstat(new.fileno())
        except FileExistsError:
            return _put(self.target, name, data)
        return OutputFile(name, st.st_size, st.st_mtime_ns)


def _put(target: SearchTarget, name: str, data: bytes) -> OutputFile:
    """Write ``data`` as ``name`` in the folder being built, unless it holds these bytes
    already; linked from the old site when it has them."""
    folder, old_site = target.folder, target.old_site
    rel = safe_relative(name)
    path = folder.joinpath(*rel.parts)
    old = old_site.joinpath(*rel.parts) if old_site else None
    if not same_bytes(path, data):
        path.parent.mkdir(parents=True, exist_ok=True)
        if old is not None and old != path and same_bytes(old, data):
            path.unlink(missing_ok=True)
            place(old, path)
        else:
            temp = path.with_name(f".{path.name}.new")
            temp.write_bytes(data)
            os.replace(temp, path)
    st = path.stat()
    return OutputFile(name, st.st_size, st.st_mtime_ns)

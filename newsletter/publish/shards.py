"""Search shards: a big site's search index as several Pagefind bundles, so that a
rebuild re-indexes only the bundles where a page changed in what Pagefind reads.

Pagefind makes one index of all the pages it is given and cannot add to an index it
made: one bundle for 10,000 pages is about 12 s of indexing on two cores, for a one-word
fix. So a site with more than 512 searched pages has shards, each a bundle
of its own under ``pagefind/<lang>-<id>/``, which the search page searches together
(Pagefind's ``mergeIndex``; ``pagefind/shards.json`` lists them per language, and
static/search.js reads it). A smaller site keeps one bundle at ``pagefind/``, as before.

**Where pages are cut** (:func:`plan_shards`): per language (a search page searches only
its own language's shards; Pagefind would answer from a bundle's largest language when
it has none of the page's), in the order of their paths. A page ends a shard when a hash
of its path says so, as rsync and restic cut files into chunks:
adding or removing a page changes its own shard (and at worst the next one, as a shard
is never under a quarter of ``size``), never where the others are cut.
``size`` is a power of two, so that a language has about :data:`TARGET_SHARDS` shards
whatever its size: the browser fetches a few small files per shard, and ``size`` only
changes when a language's pages double.

**When a shard is made again**: its key is a digest of what Pagefind reads of its pages
(:func:`indexed_digest`: the ``data-pagefind-body`` element without its
``data-pagefind-ignore`` parts, the page's language, title and meta). A member's page
rendered again because it lists a new post (a list the index ignores) leaves its shard
as it was. Each page's digest is remembered with its file's size and mtime: a page the
build did not write again (hard-linked from the last site) is not read.

Why shards, rather than indexing the whole site in the background after the swap: the
command would return with the site's search behind its pages, and a CI job that deploys
site/ when ``build`` returns would publish that. Shards keep every build whole.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

SHARD_MIN = 128
"""The smallest average shard, in pages."""

TARGET_SHARDS = 24
"""About how many shards a language has, at most, past 512 pages."""

MANIFEST = "pagefind/shards.json"
"""``{language: [bundle URL, …]}``: the bundles a search page searches, the first the
one its UI starts from (``{}`` for a site with one bundle)."""

ENGINE_ONLY = ("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")
"""Pagefind's UI files (``pagefind-ui.js``…): published once at ``pagefind/``, not in
each shard, which needs only the search engine and its index."""


@dataclass(frozen=True)
class Shard:
    folder: str
    """Where its bundle is published, relative to the site: ``pagefind/en-1a2b3c4d/``."""
    lang: str
    names: tuple[str, ...]
    """Its pages, relative to the site."""


def shard_size(count: int) -> int:
    """The average shard of a language with ``count`` searched pages."""
    size = SHARD_MIN
    while size * TARGET_SHARDS < count:
        size *= 2
    return size


def _digest(text: str, size: int = 8) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def plan_shards(languages: Mapping[str, str]) -> list[Shard]:
    """The shards of the pages in ``languages`` (page → its language), each language's
    in the order of its pages' paths."""
    by_language: dict[str, list[str]] = defaultdict(list)
    for name in sorted(languages):
        by_language[languages[name]].append(name)
    shards = []
    for lang, names in sorted(by_language.items()):
        size = shard_size(len(names))
        run: list[str] = []
        for i, name in enumerate(names):
            run.append(name)
            if i == len(names) - 1 or _cuts_after(name, len(run), size):
                folder = f"pagefind/{_safe(lang)}-{_digest(run[0], 4).hex()}/"
                shards.append(Shard(folder, lang, tuple(run)))
                run = []
    return shards


def _cuts_after(name: str, length: int, size: int) -> bool:
    """Whether a shard of ``length`` pages, of ``size`` on average, ends with ``name``:
    never under a quarter of ``size`` (the browser fetches files per shard, a tiny one is
    waste), always at one and a half times (an edit re-indexes the whole shard, and
    Pagefind's memory grows with it, about 11 MB and 0.16 MB a page: 53 MB for 256 pages,
    164 MB for 1,024, a 10,000-post build's peak), else by its hash."""
    if length < size // 4:
        return False
    return (
        length >= size + size // 2 or int.from_bytes(_digest(name), "big") % (size - size // 4) == 0
    )


def _safe(lang: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", lang.lower()) or "und"


PAGE_LANGUAGE = re.compile(rb"<html\b[^>]*?\slang=\"([^\"]+)\"")


def page_language(html: bytes) -> str:
    """The page's ``<html lang>`` (Pagefind's choice of index), or ``und``."""
    found = PAGE_LANGUAGE.search(html, 0, 2048)
    return found.group(1).decode("ascii", "replace").lower() if found else "und"


START_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*$")
META = re.compile(rb"data-pagefind-(?:meta|sort|filter|weight)=\"[^\"]*\"|<title>.*?</title>", re.S)
VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())


def indexed_digest(html: bytes) -> str:
    """A digest of what Pagefind reads of a page: equal digests, equal index entries.

    That is the element marked ``data-pagefind-body`` without the elements marked
    ``data-pagefind-ignore``, and the page's language, title and ``data-pagefind-meta``
    (and sort, filter, weight) attributes. A page whose marks cannot be followed (no body
    mark, an element that does not close) is digested whole: at worst its shard is indexed
    again when it did not need to be, never the other way round.
    """
    body = _element_at(html, html.find(b"data-pagefind-body"))
    if body is None:
        return hashlib.sha256(html).hexdigest()
    start, end = body
    kept = bytearray()
    at = start
    while (mark := html.find(b"data-pagefind-ignore", at, end)) >= 0:
        ignored = _element_at(html, mark)
        if ignored is None or ignored[1] > end:
            return hashlib.sha256(html).hexdigest()
        kept += html[at : ignored[0]]
        at = ignored[1]
    kept += html[at:end]
    digest = hashlib.sha256(page_language(html).encode() + b"\0")
    for meta in META.findall(html):
        digest.update(meta + b"\0")
    digest.update(bytes(kept))
    return digest.hexdigest()


TITLE = re.compile(rb"<title\b[^>]*>.*?</title>", re.S | re.I)
ELSEWHERE = re.compile(rb"data-pagefind-|<h1\b|<img\b", re.I)
"""What Pagefind reads outside the body mark: its other marks, the first heading (a
result's title) and the first image (its picture)."""
AFTER = re.compile(rb"data-pagefind-(?!ignore)|<h1\b|<img\b", re.I)
"""The same after the body mark, but for ``data-pagefind-ignore``: an element that starts
after the body cannot hold it, and outside the body there is nothing to ignore (a post's
"who might help" box, after its article). Before it, an ignore mark may be the body's
own ancestor."""


def indexed_part(html: bytes) -> bytes:
    """The page as Pagefind needs it to index it exactly as the whole page: its language
    and title, and the element marked ``data-pagefind-body``. Pagefind parses a third less
    (the masthead, the navigation, the footer, the head's metadata): 17% less of its time
    at 2,000 posts, the same bundle byte for byte (tests/site/test_search_shards.py).
    There, all 2,220 searched pages are sent so: 15.6 MB, where 18.9 MB went when an
    ignore mark after the body (a post's open ask) had 326 of them sent whole.

    The whole page when anything Pagefind reads may be outside that element (see
    ``ELSEWHERE``), or when the element cannot be followed."""
    body = _element_at(html, html.find(b"data-pagefind-body"))
    if body is None:
        return html
    start, end = body
    if ELSEWHERE.search(html, 0, start) or AFTER.search(html, end):
        return html
    title = TITLE.search(html, 0, start)
    language = PAGE_LANGUAGE.search(html, 0, 2048)
    return b"".join(
        (
            b"<!doctype html><html",
            b' lang="' + language.group(1) + b'"' if language else b"",
            b"><head>",
            title.group(0) if title else b"",
            b"</head><body>",
            html[start:end],
            b"</body></html>",
        )
    )


def _element_at(html: bytes, mark: int) -> tuple[int, int] | None:
    """Where the element whose start tag holds the attribute at ``mark`` starts and ends
    (after its end tag), counting the same tags nested in it; None when there is none."""
    if mark < 0:
        return None
    start = html.rfind(b"<", 0, mark)
    tag = START_TAG.match(html, start, mark) if start >= 0 else None
    if tag is None:
        return None
    name = tag.group(1).lower()
    open_end = html.find(b">", mark)
    if open_end < 0:
        return None
    if name in VOID or html[open_end - 1 : open_end] == b"/":
        return start, open_end + 1
    pattern = re.compile(rb"<(/?)" + re.escape(name) + rb"\b[^>]*?(/?)>", re.I)
    depth = 1
    for found in pattern.finditer(html, open_end + 1):
        if found.group(1):
            depth -= 1
            if depth == 0:
                return start, found.end()
        elif not found.group(2):
            depth += 1
    return None

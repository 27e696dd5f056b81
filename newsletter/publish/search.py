"""Search: the built pages → a Pagefind bundle (``pagefind/…``), so the static site can
be searched in the browser with no server.

:func:`search_files` is pure like render: pages in, ``{path: bytes}`` out; it writes
nothing. It runs the Pagefind binary of the ``pagefind[bin]`` wheel in its service mode
(``pagefind --service``: requests and answers as base64 JSON on stdin and stdout), fed
the pages from memory and answering with the bundle's files. The build's step that
writes the bundle, or a big site's shards, is :mod:`newsletter.publish.searchstep`.

We speak the service protocol ourselves rather than through the package's asyncio
``PagefindIndex``: that one polls for each answer every 100 ms (16 s for the example's
152 pages) and reads answers with a 2 MiB limit, past which ``get_files`` waits forever
(a site of about 200 posts). What we take from the package is where the binary is.

Which pages are searched (:func:`is_searched`): a post's page, an edition's page, a
member's page, the first page of a topic and each standalone page (About…). Not the
home page (the latest edition again), nor the listings (archive, members, topics, a
member's shares), the network page, the 404, the search page or the emails. Within a
page, the theme says what is content: ``data-pagefind-body`` on it,
``data-pagefind-ignore`` on what is not (bylines, lists of other posts), and
``data-pagefind-meta`` gives a result its kind and date. No ``data-pagefind-filter``:
Pagefind names its filter files anew on each run, and the same pages must give the same
files. templates/search.html and static/search.js are the
reader's side.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from newsletter.core import urls
from newsletter.core.errors import SearchError
from newsletter.publish.shards import (
    MANIFEST,
    indexed_part,
)
from newsletter.publish.write import safe_relative

BUNDLE = "pagefind/"
"""Where the bundle is published, relative to the site; also its record's name."""

SEARCHED = re.compile(
    r"(?:posts/(?:[^/]+/)+|editions/[^/]+/|members/[^/]+/|topics/[^/]+/)index\.html"
)
"""The pages of the site's sections that are indexed, as paths relative to the site."""


def language_folders(names: Iterable[str]) -> frozenset[str]:
    """The folders of a multilingual site's other languages ('fr'), among the names of
    its pages: each has its own archive, which no standalone page has."""
    return frozenset(
        n.split("/")[0] for n in names if n.count("/") == 2 and n.endswith("/archive/index.html")
    )


def is_searched(name: str, languages: frozenset[str] = frozenset()) -> bool:
    """Whether the page at ``name`` (relative to the site) is indexed: one that
    :data:`SEARCHED` matches, or a standalone page (``about/index.html``: a folder at the
    top that is not one of the site's own), in any of the site's languages (``languages``
    are the other languages' folders)."""
    first, _, inside = name.partition("/")
    if first in languages:
        return is_searched(inside)
    if SEARCHED.fullmatch(name):
        return True
    slug, _, rest = name.partition("/")
    return rest == "index.html" and not urls.taken_by_site(slug)


COMPRESSED = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter")
"""Bundle files Pagefind gzips: the indexed text is in them, so they are read unzipped
for the leak check. The WebAssembly (``.pagefind``) is Pagefind's code, not our text."""

CREDITED_ADDRESS = re.compile(rb" ?<[^<>\s\"'@]+@[^<>\s\"']+>")
"""An address as Pagefind's UI credits its translators, ``"Name <address>"``: taken out,
since no email address is ever published (the build checks every file for one)."""

TIMEOUT = 120.0
PER_PAGE_TIMEOUT = 0.1
"""Pagefind is stopped, and the build fails, after TIMEOUT s plus this much per page."""


def searched_pages(folder: Path) -> Mapping[str, bytes]:
    """The pages under ``folder`` that are indexed, read only when asked for."""
    languages = language_folders(
        p.relative_to(folder).as_posix() for p in folder.glob("*/*/index.html")
    )
    names = []
    for top in ("", *(f"{tag}/" for tag in sorted(languages))):
        for section in ("posts", "editions", "members", "topics"):
            for path in (folder / top / section).rglob("index.html"):
                name = path.relative_to(folder).as_posix()
                if SEARCHED.fullmatch(name.removeprefix(top)):
                    names.append(name)
        names += (p.relative_to(folder).as_posix() for p in folder.glob(f"{top}*/index.html"))
    return PagesOnDisk(
        folder, sorted(n for n in set(names) if is_searched(n, languages)), languages
    )


class PagesOnDisk(Mapping[str, bytes]):
    """Pages on disk as a mapping, so that a big site is never all in memory at once:
    each is read when Pagefind is sent it."""

    def __init__(self, folder: Path, names: list[str], languages: frozenset[str]) -> None:
        self.folder, self.names = folder, names
        self.languages = languages
        """The other languages' folders, which the names were chosen in."""

    def __getitem__(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


ENTRY = "pagefind-entry.json"
"""The bundle's table of contents: its version and its index for each language."""


def search_files(
    pages: Mapping[str, bytes], base_path: str, language: str | None
) -> dict[str, bytes]:
    """The Pagefind bundle for ``pages`` (``{path relative to the site: HTML}``), as
    ``{"pagefind/…": bytes}``: one bundle, a small site's layout (see
    :mod:`newsletter.publish.shards` for a big one's), with an empty shard list.

    Only the pages :func:`is_searched` accepts are indexed. Results link to ``base_path``
    (``/`` or ``/news/``) plus the page's folder. ``language`` (newsletter.yaml's) is
    the one index's language: its stemming, and the language the search page asks for;
    None for a site in several languages, where Pagefind makes an index per language
    (each page's ``<html lang>``) and a search page searches its own language's.
    Raises :class:`SearchError` when Pagefind is missing or fails.
    """
    languages = pages.languages if isinstance(pages, PagesOnDisk) else language_folders(pages)
    names = sorted(name for name in pages if is_searched(name, languages))
    out = bundle_files(names, pages, base_path, language, BUNDLE)
    out[MANIFEST] = b"{}"
    return out


def bundle_files(
    names: list[str],
    pages: Mapping[str, bytes],
    base_path: str,
    language: str | None,
    folder: str,
    turns: Turns | None = None,
) -> dict[str, bytes]:
    """The Pagefind bundle of the pages ``names`` (read from ``pages``), each file's path
    under ``folder`` (``pagefind/``). With ``turns``, Pagefind is asked for the bundle
    only in its turn (see :class:`Turns`)."""
    timeout = TIMEOUT + PER_PAGE_TIMEOUT * len(names)
    service = _Service(pagefind_executable(), timeout, turns)
    options = {"force_language": language} if language else {}
    files = service.run(options, base_path, names, pages)
    out = {}
    for file in files:
        rel = safe_relative(str(file["path"]))
        data = base64.b64decode(file.pop("content"))  # each text let go once decoded
        if rel.suffix == ".js":
            data = CREDITED_ADDRESS.sub(b"", data)
        elif rel.as_posix() == ENTRY:  # Pagefind lists several languages in any order
            data = json.dumps(json.loads(data), sort_keys=True, separators=(",", ":")).encode()
        out[folder + rel.as_posix()] = data
    return out


def readable(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle as the leak check reads it: the compressed index unzipped, Pagefind's
    WebAssembly left out (compressed bytes only ever match an address by chance)."""
    out = {}
    for name, data in files.items():
        if name.endswith(COMPRESSED):
            try:
                out[name] = gzip.decompress(data)
            except (OSError, EOFError):
                out[name] = data
        elif not name.endswith(".pagefind"):
            out[name] = data
    return out


def pagefind_executable() -> str:
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = None
    else:
        found = get_executable()
    if found is None or not found.is_file():
        raise SearchError(
            "Pagefind, which makes the search index, is not installed: "
            "pip install 'pagefind[bin]' (or build with --no-search)"
        )
    return str(found)


class Turns:
    """Whose turn it is to have Pagefind make a bundle, among several runs at once.

    Pagefind makes the index when asked for the bundle, and that is most of its memory:
    for 1,000 pages, 42 MB once it has read them all, 153 MB while it makes the bundle.
    So runs read their pages together, but make their bundles together only while these
    add up to no more than ``pages`` (and one at a time when one alone has more): a run
    takes its turn when it asks for its bundle and gives it back once its process has
    ended."""

    def __init__(self, pages: int) -> None:
        self.pages = pages
        self.making = 0
        """The pages of the bundles being made."""
        self._changed = threading.Condition()

    def take(self, pages: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: not self.making or self.making + pages <= self.pages)
            self.making += pages

    def give_back(self, pages: int) -> None:
        with self._changed:
            self.making -= pages
            self._changed.notify_all()


class _Service:
    """One run of ``pagefind --service``. It answers requests one at a time, in order,
    so all are sent at once (by a thread, the pages read as they go) while the answers
    are read, up to the last: the bundle's files; with ``turns``, that last request
    waits for its turn."""

    def __init__(self, executable: str, timeout: float, turns: Turns | None = None) -> None:
        self.executable, self.timeout = executable, timeout
        self.turns = turns
        self.in_turn = False  # set by the thread that sends, once it has its turn
        self.names: list[str] = []
        self.stderr = b""
        self.drained = threading.Event()  # all of stderr is read: the reason it stopped
        self.timed_out = False
        self.unread: OSError | None = None  # a page that could not be read

    def run(
        self, config: dict[str, Any], base_path: str, names: list[str], pages: Mapping[str, bytes]
    ) -> list[dict[str, Any]]:
        self.names = names
        try:
            proc = subprocess.Popen(
                [self.executable, "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as err:
            raise SearchError(f"could not start Pagefind ({self.executable}): {err}") from err
        threads = [
            threading.Thread(target=self.send, args=(proc, config, base_path, pages)),
            threading.Thread(target=self.drain, args=(proc,)),
        ]
        timer = threading.Timer(self.timeout, self.stop, args=(proc,))
        for thread in (timer, *threads):
            thread.start()
        try:
            answer = self.answer(proc)
        finally:
            timer.cancel()
            self.stop(proc, timed_out=False)
            for thread in threads:
                thread.join()
            if self.in_turn:
                assert self.turns is not None
                self.turns.give_back(len(names))
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe:
                    with contextlib.suppress(OSError):  # requests left unsent: it stopped
                        pipe.close()
        files = answer.get("files")
        if not isinstance(files, list):
            raise SearchError("Pagefind answered without the search index's files")
        return files

    def stop(self, proc: subprocess.Popen[bytes], timed_out: bool = True) -> None:
        self.timed_out |= timed_out and proc.poll() is None
        proc.kill()
        proc.wait()

    def send(
        self,
        proc: subprocess.Popen[bytes],
        config: dict[str, Any],
        base_path: str,
        pages: Mapping[str, bytes],
    ) -> None:
        """Message 1 makes the index (number 0), 2… add the pages, the last gets the files."""
        stdin = proc.stdin
        assert stdin is not None

        def payloads() -> Iterator[dict[str, Any]]:
            yield {"type": "NewIndex", "config": config}
            for name in self.names:
                yield {
                    "type": "AddFile",
                    "index_id": 0,
                    "url": base_path + name.removesuffix("index.html"),
                    "file_path": None,
                    "file_contents": indexed_part(pages[name]).decode("utf-8", "replace"),
                }
            if self.turns is not None:
                stdin.flush()  # what it has to read, before waiting for its turn
                self.turns.take(len(self.names))
                self.in_turn = True
            yield {"type": "GetFiles", "index_id": 0}

        messages = enumerate(payloads(), 1)
        try:
            for message_id, payload in messages:
                data = json.dumps({"message_id": message_id, "payload": payload}).encode()
                stdin.write(base64.b64encode(data) + b",")
            stdin.flush()  # and stdin stays open: at its end, the service exits at once
        except (BrokenPipeError, ValueError):  # it stopped (the reader says why), or was stopped
            pass
        except OSError as err:  # reading a page: stop it, and the reader says so
            self.unread = err
            proc.kill()

    def drain(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        try:
            self.stderr = proc.stderr.read()
        finally:
            self.drained.set()

    def answer(self, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
        """The answer to the last request; an error answer to any request raises."""
        assert proc.stdout is not None
        last = len(self.names) + 2
        buffer = bytearray()
        searched = 0
        while True:
            end = buffer.find(b",", searched)
            if end < 0:
                searched = len(buffer)
                chunk = os.read(proc.stdout.fileno(), 1 << 20)
                if not chunk:
                    break
                buffer += chunk
                continue
            # decoded in place, and the buffer let go before the JSON is read: the
            # bundle's answer is one message, 1.8 times the bundle's bytes, which copies
            # would hold several times over (45 MB of a 10,000-post build's peak)
            decoded = base64.b64decode(memoryview(buffer)[:end])
            del buffer[: end + 1]  # a big message gone, the bytearray shrinks to the rest
            message = json.loads(decoded)
            del decoded
            searched = 0
            payload = message.get("payload") or {}
            if payload.get("type") == "Error":
                raise SearchError(self.explain(str(payload.get("message")), message))
            if message.get("message_id") == last:
                return dict(payload)
        if self.timed_out:
            raise SearchError(f"Pagefind did not finish in {self.timeout:.0f} s")
        if self.unread is not None:
            raise SearchError(f"could not read a page to index: {self.unread}")
        code = proc.wait()
        self.drained.wait(self.timeout)  # its last words may still be on their way
        lines = self.stderr.decode("utf-8", "replace").strip().splitlines()
        why = f": {lines[-1]}" if lines else f" (exit status {code})"
        raise SearchError(f"Pagefind stopped before the search index was made{why}")

    def explain(self, error: str, message: dict[str, Any]) -> str:
        number = message.get("message_id")
        if isinstance(number, int) and 2 <= number < len(self.names) + 2:
            return f"Pagefind could not index site/{self.names[number - 2]}: {error}"
        return f"Pagefind failed to make the search index: {error}"

"""Incremental builds: what the last build saw, so that the next one redoes only what changed.

The build cache is ``.newsletter/build.sqlite``. It holds:

- ``loaded``: each content file parsed (the Post, Member or Edition, and the diagnostics
  it gave), keyed by the file's path, size and mtime plus everything parsing depends
  on (the config, the code). Unchanged Markdown is not rendered again.
- ``memo``: results of whole-site computations keyed by a digest of their inputs
  (the network analysis).
- ``outputs``: for each output job (a page, a feed, a card), the digest of its inputs
  and the files it wrote with their size and mtime. A job whose inputs are unchanged,
  and whose files in site/ are as the last build left them, is not rendered again.
- ``state``: a stamp of every input of the last build and a list of the files it left
  in site/ (:class:`SiteFiles`); when nothing at all changed and site/ is intact,
  ``build`` stops there.

It is only a cache: a damaged or unreadable one is set aside and the build starts from
nothing. Keys are digests of the inputs themselves, never of times alone, so an edit,
a rename, a deletion, a template or config change, or a new version of this package
can never leave a page stale.

Light on purpose: the nothing-changed path imports this module and little else, reads
one row of the cache (no ``PRAGMA quick_check``, which reads every page: see
:meth:`BuildCache.check`) and makes one ``stat`` per file, in and out.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import sqlite3
import stat
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

from newsletter import __version__
from newsletter.project.limits import size_limit
from newsletter.project.state import set_aside

SCHEMA = 1
CACHE_NAME = "build.sqlite"


# -- digests ----------------------------------------------------------------------


def digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stands_for(digest: str) -> str:
    """What a remembered object is pickled as, in a digest: its own digest."""
    return digest


@dataclass(frozen=True)
class _Feed:
    """Where a pickler writes a digest's bytes: straight into the hash, a frame (64 KB)
    at a time, so that the digest of every post's text never holds all of it at once."""

    write: Callable[[bytes], object]


class Digests:
    """Digests of values, memoized per object: a post is hashed once per build, however
    many pages show it. Only for objects that do not change during the build.

    A remembered object stands in a later digest by its own digest, through the
    pickler's table of reductions for its type (looked up in C for every other object:
    a Python ``persistent_id`` called for each of them took a third of the time)."""

    def __init__(self) -> None:
        self._memo: dict[int, str] = {}
        self._alive: list[Any] = []  # memo keys are ids: keep their objects alive
        self._table: dict[type, Any] = dict(copyreg.dispatch_table)
        self._outer: set[int] = set()
        """The remembered objects being pickled by value now (not by their digest)."""

    def of(self, value: Any, fast: bool = True) -> str:
        """``value``'s digest, whatever objects it shares within itself: an object met
        twice is pickled twice (the pickler's ``fast`` mode), not referred back to, so
        that a copy given back by the build cache's memo, whose strings are shared with
        other objects than the original's, has the same digest."""
        digest = hashlib.blake2b(digest_size=16)  # as digest_bytes, fed frame by frame
        pickler = pickle.Pickler(_Feed(digest.update), protocol=5)
        pickler.dispatch_table = self._table
        pickler.fast = fast
        try:
            pickler.dump(value)
        except ValueError:  # a value that holds itself: only the memo can pickle it
            if not fast:
                raise
            return self.of(value, fast=False)
        return digest.hexdigest()

    def _reduce(self, obj: Any) -> Any:
        if id(obj) in self._outer:
            return obj.__reduce_ex__(5)
        known = self._memo.get(id(obj))
        # an equal copy of a remembered kind of object (a post in the network a memo
        # gave back) stands for the same digest as the original: digests never depend on
        # which copy a value holds
        return _stands_for, (known if known is not None else self._remembered(obj),)

    def _remembered(self, value: Any) -> str:
        self._outer.add(id(value))
        try:
            digest = self.of(value)
        finally:
            self._outer.discard(id(value))
        self.known(value, digest)
        return digest

    def known(self, value: Any, digest: str) -> None:
        """Remember ``value`` by a digest worked out elsewhere, for instance of all it was
        made from; an equal copy of it elsewhere is hashed as it is (another digest, never
        a wrong one)."""
        self._table.setdefault(type(value), self._reduce)
        self._memo[id(value)] = digest
        self._alive.append(value)

    def remember(self, values: Iterable[Any]) -> None:
        """Hash each value once; later digests that contain them, or an equal copy of
        one of them or of any object of their types, use that."""
        for value in values:
            self._table.setdefault(type(value), self._reduce)
            if id(value) not in self._memo:
                self._remembered(value)


def unpickled(blob: bytes | None) -> Any | None:
    """What a memo's pickle holds; None for none, or for an old or damaged one (what it
    held is worked out again)."""
    if blob is None:
        return None
    try:
        return pickle.loads(blob)
    except Exception:  # whatever a damaged pickle raises
        return None


def tree_stamp(roots: Iterable[Path], skip: Iterable[Path] = ()) -> str:
    """A digest of the names, sizes and mtimes of every file under ``roots``."""
    return stamp_files(roots, skip)[0]


def stamp_files(roots: Iterable[Path], skip: Iterable[Path] = ()) -> tuple[str, int]:
    """:func:`tree_stamp`, and the newest mtime (ns) among the files.

    One ``stat`` per file and nothing read: the nothing-changed path stamps every file of
    the project with it, so each file costs a line, hashed all at once."""
    skipped = {os.fspath(p) for p in skip}
    lines: list[str] = []
    newest = max((_walk(os.fspath(root), skipped, lines) for root in roots), default=0)
    text = "".join(lines).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=16).hexdigest(), newest


def _walk(root: str, skipped: set[str], lines: list[str]) -> int:
    """A line for each file under ``root`` (or for ``root``, a file), by name within each
    folder, added to ``lines``; the newest mtime among them."""
    try:
        st = os.stat(root)
    except OSError:
        return 0
    if not stat.S_ISDIR(st.st_mode):
        lines.append(f"{root}\0{st.st_size}\0{st.st_mtime_ns}\n")
        return st.st_mtime_ns
    newest = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=attrgetter("name"))
        except OSError:
            continue
        for entry in entries:
            path = entry.path
            if path in skipped or entry.name == "__pycache__":
                continue
            if entry.is_dir():
                stack.append(path)
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            lines.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n")
            newest = max(newest, st.st_mtime_ns)
    return newest


CODE_STAMP: str | None = None


def code_stamp() -> str:
    """This package's version and its own files (code, catalogs and the built-in theme):
    an editable install changes without a new version number, and its theme is the
    checkout's templates/, beside the package rather than in it."""
    global CODE_STAMP
    if CODE_STAMP is None:
        from newsletter.project.theme import builtin_theme

        package = Path(__file__).resolve().parent.parent
        theme = builtin_theme().resolve()
        files = tree_stamp([package] if package in theme.parents else [package, theme])
        CODE_STAMP = digest_bytes(f"{__version__}\0{files}".encode())
    return CODE_STAMP


# -- the cache ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutputFile:
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class OutputRecord:
    key: str
    files: tuple[OutputFile, ...]


@dataclass(frozen=True)
class SiteFiles:
    """Every file a build left in its output folder, with its size and mtime: what the
    nothing-changed path holds site/ to (:meth:`intact`), read as one row of the cache
    rather than a record per job."""

    paths: tuple[str, ...]
    sizes: array[int]
    mtimes: array[int]

    @classmethod
    def of(cls, records: Iterable[OutputRecord]) -> SiteFiles:
        files = sorted((f.path, f.size, f.mtime_ns) for r in records for f in r.files)
        return cls(
            tuple(f[0] for f in files),
            array("q", (f[1] for f in files)),
            array("q", (f[2] for f in files)),
        )

    def intact(self, output: Path) -> bool:
        """Each file is in ``output`` with the size and mtime the build left it with: one
        ``stat`` per file, relative to the folder, no listing and no reading.

        That catches a file deleted, replaced (a rename over it: ``sed -i``, most editors,
        rsync), rewritten or appended to in place (``>``, ``rsync --inplace``, a host's
        step that minifies in place), or a folder of them removed or moved. The folders'
        own mtimes would not do: an in-place write changes no folder. What it cannot see
        is what only the bytes would tell: a file rewritten with the same size and its
        old mtime put back (``touch -d``, ``cp -p`` of another version), or rewritten
        with the same size within the mtime tick of the build's own write; every
        incremental build trusts site/ that far (:func:`files_intact`). Files added
        beside ours are left alone, as every build leaves them.
        """
        try:
            folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        try:
            for path, size, mtime in zip(self.paths, self.sizes, self.mtimes, strict=True):
                st = os.stat(path, dir_fd=folder)
                if st.st_mtime_ns != mtime or st.st_size != size:
                    return False
        except OSError:
            return False
        finally:
            os.close(folder)
        return True


class SiteCheck:
    """:meth:`SiteFiles.intact` run in a forked process while this one stamps the inputs
    (:func:`stamp_files`): both are a ``stat`` per file (at 10,000 posts, 24,000 files
    out and 11,000 in), which side by side on two cores take the time of the longer.
    When the inputs changed, the build's plan takes the answer (as :func:`files_intact`
    would give it) after loading the content, by which time it is there.

    Not forked when ``beside`` is false (one process asked for), where there is no
    ``fork``, or when this process runs threads (``serve``), which must never be forked:
    :meth:`answer` then checks here."""

    def __init__(self, files: SiteFiles, output: Path, beside: bool) -> None:
        self.files = files
        self.output = output
        self.pid = 0
        if beside and hasattr(os, "fork") and threading.active_count() == 1:
            self.pid = os.fork()
            if self.pid == 0:  # the child: the answer is its exit status, nothing else
                code = 1
                try:
                    code = 0 if files.intact(output) else 1
                finally:
                    os._exit(code)

    def answer(self) -> bool:
        if not self.pid:
            return self.files.intact(self.output)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status) == 0

    def cancel(self) -> None:
        """The answer is not needed (the build stopped before it asked): the child, if
        it still runs, is stopped."""
        if self.pid:
            import signal  # only when the inputs changed: not on the nothing-changed path

            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0


class BuildCache:
    """The SQLite build cache of one project (see the module's docstring).

    ``check=False`` opens it without ``PRAGMA quick_check``, which reads every page of
    the file (about 100 ms at 10,000 posts): the nothing-changed path reads only the
    row of the last build (:meth:`last_build`, which takes any damage there for a
    changed input), and a build that goes on calls :meth:`check` first."""

    def __init__(self, path: Path, check: bool = True) -> None:
        self.path = path
        self.notes: list[str] = []
        self.checked = check
        self.db = self._open(check)
        self._outputs: dict[str, OutputRecord] | None = None
        """What the outputs table holds, once read or written by this build."""

    def check(self) -> None:
        """Open the cache again, checked whole (``PRAGMA quick_check``); a damaged one is
        set aside, saying so. Once per build, before anything but :meth:`last_build`."""
        if not self.checked:
            self.db.close()
            self.db = self._open(check=True)
            self.checked = True

    def _open(self, check: bool) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect(check)
        except sqlite3.OperationalError:  # a full disk ('disk I/O error') or a lock: not damage
            raise
        except sqlite3.DatabaseError as err:
            # a cache: set the damaged one aside and start again, saying so
            aside = set_aside(self.path)
            self.notes.append(
                f"the build cache {self.path.name} was unreadable ({err}); it was moved "
                f"to {aside.name} and everything is built again"
            )
            return self._connect(check)

    def file_time(self) -> int:
        """Now, as the file system stamps files (ns): the time that files' mtimes are
        compared with. The process's clock may disagree with it (a network or container
        file system, a clock moved by faketime), while a file written now gets the file
        system's own time, so a mark beside the cache is written and read back."""
        mark = self.path.with_name(f"{self.path.name}.clock")
        # written, not only opened: a write always sets the mtime; over its one byte, not
        # truncated first (ext4 flushes a file truncated and written again when it is
        # closed: up to 0.1 s after a build that wrote many files)
        fd = os.open(mark, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, b"x", 0)
            return os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)

    def _connect(self, check: bool) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA:
                db.executescript(
                    """
                    DROP TABLE IF EXISTS loaded; DROP TABLE IF EXISTS memo;
                    DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS state;
                    CREATE TABLE loaded (path TEXT PRIMARY KEY, key TEXT, value BLOB);
                    CREATE TABLE memo (name TEXT PRIMARY KEY, key TEXT, value BLOB);
                    CREATE TABLE outputs (job TEXT PRIMARY KEY, key TEXT, files BLOB);
                    CREATE TABLE state (name TEXT PRIMARY KEY, value BLOB);
                    """
                )
                db.execute(f"PRAGMA user_version={SCHEMA}")
            if check and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
        except BaseException:
            db.close()
            raise
        return db

    @property
    def journal(self) -> Path:
        """Present while a build updates its output in place; found at the start of a
        build, the output is rebuilt whole."""
        return self.path.with_suffix(".journal")

    def close(self) -> None:
        self.db.close()

    # loaded files
    def loaded(self) -> dict[str, tuple[str, bytes]]:
        return {p: (k, v) for p, k, v in self.db.execute("SELECT path, key, value FROM loaded")}

    def save_loaded(self, rows: dict[str, tuple[str, bytes]], keep: set[str]) -> None:
        with self._transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO loaded VALUES (?, ?, ?)",
                [(p, k, v) for p, (k, v) in rows.items()],
            )
            stale = [(p,) for (p,) in self.db.execute("SELECT path FROM loaded") if p not in keep]
            self.db.executemany("DELETE FROM loaded WHERE path = ?", stale)

    # memoized computations
    def memo(self, name: str, key: str) -> Any | None:
        return unpickled(self.memo_blob(name, key))

    def memo_blob(self, name: str, key: str) -> bytes | None:
        """The pickle of what :meth:`memo` gives, for a process that reads it apart."""
        row = self.db.execute("SELECT key, value FROM memo WHERE name = ?", (name,)).fetchone()
        return None if row is None or row[0] != key else bytes(row[1])

    def save_memo(self, name: str, key: str, value: Any, blob: bytes | None = None) -> None:
        """Keep ``value`` under ``name`` for the builds that work it out from ``key``;
        ``blob``: its pickle, when the caller has it already."""
        blob = blob if blob is not None else pickle.dumps(value, protocol=5)
        self.db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)", (name, key, blob))

    # outputs
    def outputs(self) -> dict[str, OutputRecord]:
        if self._outputs is None:
            found = {}
            for job, key, files in self.db.execute("SELECT job, key, files FROM outputs"):
                try:
                    found[job] = OutputRecord(key, pickle.loads(files))
                except Exception:
                    continue
            self._outputs = found
        return dict(self._outputs)

    def save_outputs(self, records: dict[str, OutputRecord], replace_all: bool) -> None:
        with self._transaction():
            if replace_all:
                self.db.execute("DELETE FROM outputs")
            self.db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)",
                [(j, r.key, pickle.dumps(r.files, protocol=5)) for j, r in records.items()],
            )
        if replace_all:
            self._outputs = dict(records)
        elif self._outputs is not None:
            self._outputs.update(records)

    def forget_outputs(self, jobs: Iterable[str]) -> None:
        gone = [(j,) for j in jobs]
        self.db.executemany("DELETE FROM outputs WHERE job = ?", gone)
        if self._outputs is not None:
            for (job,) in gone:
                self._outputs.pop(job, None)

    def site_files(self) -> SiteFiles:
        """The files of every output job (:meth:`outputs`), as :class:`SiteFiles`."""
        return SiteFiles.of(self.outputs().values())

    # state
    def state(self, name: str) -> Any | None:
        row = self.db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:
            return None

    def last_build(self) -> Any | None:
        """The state ``last`` (what :func:`newsletter.pipeline.build.build_project` saved),
        read from an unchecked cache: None when it cannot be read, damage included."""
        try:
            return self.state("last")
        except sqlite3.OperationalError:  # a lock or a full disk: not damage
            raise
        except sqlite3.DatabaseError:  # damage: the build goes on, and check() sets it aside
            return None

    def save_state(self, name: str, value: Any) -> None:
        blob = pickle.dumps(value, protocol=5)
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (name, blob))

    def _transaction(self) -> Any:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def open_build_cache(state: Path, output: Path, default: Path, check: bool = True) -> BuildCache:
    """The build cache for builds into ``output``: one per output folder, so that a
    preview (``serve``, ``--output``) and site/ do not undo each other's work."""
    if output == default:
        return BuildCache(state / CACHE_NAME, check)
    tag = digest_bytes(os.fspath(output).encode())[:12]
    return BuildCache(state / f"build-{tag}.sqlite", check)


def files_intact(output: Path, records: Iterable[OutputRecord]) -> bool:
    """Every file the last build wrote is in ``output`` with its size and mtime
    (:meth:`SiteFiles.intact`, which says how)."""
    return SiteFiles.of(records).intact(output)


# -- files parsed once ----------------------------------------------------------------

RACY_NS = 2_000_000_000
"""A file changed within this long of the cache's writing may have changed again within
the same mtime tick: its contents are compared, not only its size and mtime."""


def extra_files(path: Path) -> list[Path]:
    """Files parsed together with ``path``: a folder post's, a member's bio."""
    if path.name == "index.md":
        return sorted(p for p in path.parent.iterdir() if p != path and p.is_file())
    if path.suffix in (".yaml", ".yml"):
        return [path.with_suffix(".md")]
    return []


class FileMemo:
    """Parsed files from the last build, each reused while the file (and everything its
    parsing depends on: ``context``) is unchanged; records what this build parsed."""

    def __init__(self, cache: BuildCache | None, context: str) -> None:
        self.cache = cache
        self.context = context
        self.previous = cache.loaded() if cache else {}
        saved = cache.state("loaded_at") if cache else None
        self.saved_at: int = saved if isinstance(saved, int) else 0
        self.fresh: dict[str, tuple[str, bytes]] = {}
        self.seen: set[str] = set()

    @staticmethod
    def _stat_key(path: Path) -> str | None:
        try:
            st = os.stat(path)  # not Path.stat's wrapper: once per file of every build
        except OSError:
            return None
        extra = ""
        if path.name == "index.md":  # a folder post: its images are part of it
            extra = tree_stamp([path.parent])
        elif path.suffix in (".yaml", ".yml"):  # a member: its bio may be beside it, <handle>.md
            extra = tree_stamp([path.with_suffix(".md")])
        return f"{st.st_size}:{st.st_mtime_ns}:{extra}"

    @staticmethod
    def _content_key(path: Path) -> str:
        try:
            st = path.stat()
            # a pipe, a link to /dev/zero or a huge file is never read (load refuses it
            # with a diagnostic): a key that matches nothing, so it is refused every time
            if not stat.S_ISREG(st.st_mode) or st.st_size > size_limit(path).bytes:
                return f"unread:{os.urandom(8).hex()}"
            return digest_bytes(path.read_bytes())
        except OSError:
            return ""

    def get(self, name: str, path: Path) -> bytes | None:
        """The pickled result of parsing ``path`` last time, if it still holds."""
        self.seen.add(name)
        found = self.previous.get(name)
        stat_key = self._stat_key(path)
        if found is None or stat_key is None:
            return None
        key, blob = found
        stat_part, _, rest = key.partition("|")
        content, _, context = rest.partition("|")
        if context != self.context:
            return None
        if stat_part != stat_key:
            # touched but maybe not changed (a fresh git checkout in CI): same bytes, same
            # result; the entry is stored again under the new times
            same_size = stat_part.split(":")[0] == stat_key.split(":")[0]
            if not same_size or extra_files(path) or content != self._content_key(path):
                return None
            self.put(name, path, blob)
            return blob
        mtime = int(stat_key.split(":")[1])
        if mtime >= self.saved_at - RACY_NS and content != self._content_key(path):
            return None
        return blob

    def key(self, path: Path) -> str:
        """What the parse of ``path`` is kept under: taken just before it is read, so
        that a change while it is parsed makes the next build parse it again (taken
        after, it would describe the new file beside the old one's parse). Read and
        hashed where the file is parsed: in the workers, when there are many."""
        return f"{self._stat_key(path)}|{self._content_key(path)}|{self.context}"

    def put(self, name: str, path: Path, blob: bytes, key: str | None = None) -> None:
        """Keep ``blob``, the parse of ``path``, under its :meth:`key` (worked out now
        unless given)."""
        self.fresh[name] = (key if key is not None else self.key(path), blob)

    def save(self) -> None:
        if self.cache is None:
            return
        if self.fresh or set(self.previous) - self.seen:
            self.cache.save_loaded(self.fresh, self.seen)
            self.cache.save_state("loaded_at", self.cache.file_time())

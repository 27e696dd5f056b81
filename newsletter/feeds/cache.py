"""The feed cache: ``.newsletter/feeds.sqlite``, written by ``fetch``, read by ``build``.

Per feed: its validators (ETag, Last-Modified, content hash), when it was first and
last fetched, and its last error. Per entry: what ``parse`` read, plus when it was
first seen, which stands in for a missing or future date so that an entry never
moves between editions. Entries that leave a feed stay here: the newsletter keeps
what was shared. The cache is local state: deleting it only costs a full fetch.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.errors import ProjectError
from newsletter.feeds.parse import Entry
from newsletter.project.state import damage, set_aside

CACHE_NAME = "feeds.sqlite"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE feed (
    url TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    site_url TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    first_fetched TEXT,          -- first success: where backfill is counted from
    last_success TEXT,
    last_checked TEXT,
    last_status TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    moved_to TEXT NOT NULL DEFAULT ''
);
CREATE TABLE entry (
    feed_url TEXT NOT NULL REFERENCES feed(url) ON DELETE CASCADE,
    id TEXT NOT NULL,
    link TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL,
    published TEXT NOT NULL,     -- UTC; the first-seen time when the feed gave none
    dated INTEGER NOT NULL,      -- 1 if the feed gave the date
    first_seen TEXT NOT NULL,
    summary_html TEXT NOT NULL,
    content_html TEXT NOT NULL,
    categories TEXT NOT NULL,    -- JSON list
    PRIMARY KEY (feed_url, id)
);
"""


@dataclass(frozen=True)
class FeedState:
    url: str
    title: str = ""
    site_url: str = ""
    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""
    first_fetched: dt.datetime | None = None
    last_success: dt.datetime | None = None
    last_checked: dt.datetime | None = None
    last_status: str = ""
    last_error: str = ""
    moved_to: str = ""


@dataclass(frozen=True)
class CachedEntry:
    feed_url: str
    id: str
    link: str
    title: str
    author: str
    published: dt.datetime
    first_seen: dt.datetime
    summary_html: str
    content_html: str
    categories: tuple[str, ...]


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


_STORE_FEED = (
    "INSERT INTO feed (url, title, site_url, etag, last_modified, content_hash, "
    "first_fetched, last_success, last_checked, last_status, last_error, moved_to) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', '', ?) ON CONFLICT(url) DO UPDATE SET "
    "title = excluded.title, site_url = excluded.site_url, etag = excluded.etag, "
    "last_modified = excluded.last_modified, content_hash = excluded.content_hash, "
    "first_fetched = coalesce(feed.first_fetched, excluded.first_fetched), "
    "last_success = excluded.last_success, last_checked = excluded.last_checked, "
    "last_status = 'ok', last_error = '', moved_to = excluded.moved_to"
)
"""A fetched feed: its validators now, its first fetch kept from the first time."""

_STORE_ENTRY = (
    "INSERT INTO entry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(feed_url, id) DO UPDATE SET link = excluded.link, "
    "title = excluded.title, author = excluded.author, "
    "published = CASE WHEN excluded.dated THEN excluded.published "
    "ELSE entry.first_seen END, dated = excluded.dated, "
    "summary_html = excluded.summary_html, content_html = excluded.content_html, "
    "categories = excluded.categories"
)
"""An entry: a missing or future date is replaced by the first-seen time, which the
update keeps, so the entry stays in the edition it first landed in."""


def _entry_row(feed_url: str, e: Entry, now: dt.datetime) -> tuple[object, ...]:
    dated = e.published is not None and e.published <= now
    return (
        feed_url,
        e.id,
        e.link,
        e.title,
        e.author,
        (e.published if e.published and dated else now).isoformat(),
        int(dated),
        now.isoformat(),
        e.summary_html,
        e.content_html,
        json.dumps(e.categories),
    )


class FeedCache:
    """One open cache. Use :func:`open_cache`; writes are committed per feed."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def state(self, url: str) -> FeedState | None:
        row = self.db.execute("SELECT * FROM feed WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        values = dict(row)
        for name in ("first_fetched", "last_success", "last_checked"):
            values[name] = _time(values[name])
        return FeedState(**values)

    def record_failure(self, url: str, now: dt.datetime, error: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO feed (url, last_checked, last_status, last_error) "
                "VALUES (?, ?, 'failed', ?) ON CONFLICT(url) DO UPDATE SET "
                "last_checked = excluded.last_checked, last_status = 'failed', "
                "last_error = excluded.last_error",
                (url, now.isoformat(), error),
            )

    def record_not_modified(self, url: str, now: dt.datetime, status: str) -> None:
        with self.db:
            self.db.execute(
                "UPDATE feed SET last_checked = ?, last_success = ?, last_status = ?, "
                "last_error = '' WHERE url = ?",
                (now.isoformat(), now.isoformat(), status, url),
            )

    def record_success(
        self,
        state: FeedState,
        now: dt.datetime,
        entries: Iterable[Entry],
    ) -> int:
        """Store a fetched feed and its entries; returns how many entries are new."""
        stamp = now.isoformat()
        with self.db:
            self.db.execute(
                _STORE_FEED,
                (
                    state.url,
                    state.title,
                    state.site_url,
                    state.etag,
                    state.last_modified,
                    state.content_hash,
                    stamp,
                    stamp,
                    stamp,
                    state.moved_to,
                ),
            )
            before = self._count(state.url)
            self.db.executemany(_STORE_ENTRY, (_entry_row(state.url, e, now) for e in entries))
            return self._count(state.url) - before

    def _count(self, url: str) -> int:
        query = "SELECT count(*) FROM entry WHERE feed_url = ?"
        return int(self.db.execute(query, (url,)).fetchone()[0])

    def entries(self, urls: Iterable[str]) -> dict[str, list[CachedEntry]]:
        """Every cached entry of these feeds, oldest first."""
        out: dict[str, list[CachedEntry]] = {url: [] for url in urls}
        if not out:
            return out
        marks = ",".join("?" * len(out))
        rows = self.db.execute(
            f"SELECT * FROM entry WHERE feed_url IN ({marks}) ORDER BY published, id",
            tuple(out),
        )
        for row in rows:
            out[row["feed_url"]].append(
                CachedEntry(
                    feed_url=row["feed_url"],
                    id=row["id"],
                    link=row["link"],
                    title=row["title"],
                    author=row["author"],
                    published=dt.datetime.fromisoformat(row["published"]),
                    first_seen=dt.datetime.fromisoformat(row["first_seen"]),
                    summary_html=row["summary_html"],
                    content_html=row["content_html"],
                    categories=tuple(json.loads(row["categories"])),
                )
            )
        return out

    def states(self, urls: Iterable[str]) -> dict[str, FeedState]:
        return {url: s for url in urls if (s := self.state(url)) is not None}


@contextmanager
def open_cache(
    state_dir: Path, *, create: bool, diags: Diagnostics | None = None
) -> Iterator[FeedCache | None]:
    """The cache in ``state_dir``; None if it does not exist and ``create`` is false.

    A cache from another schema version is rebuilt (it is only a cache). A damaged one
    (see :func:`newsletter.project.state.damage`) is never read: with ``create`` (``fetch``) it is
    set aside and a new one filled; without (``build``), None. Either way a warning
    goes to ``diags``; without ``diags``, ProjectError.
    """
    path = state_dir / CACHE_NAME
    if not path.exists() and not create:
        yield None
        return
    existed = path.exists()
    db = _connect(path, state_dir)
    try:
        if existed and (why := damage(path, db)) is not None:
            db.close()
            if not _set_aside_damaged(path, why, create, diags):
                yield None
                return
            db = _connect(path, state_dir)
        _prepare(db, path)
        yield FeedCache(db)
    finally:
        db.close()


def _set_aside_damaged(path: Path, why: str, create: bool, diags: Diagnostics | None) -> bool:
    """Report the damaged cache at ``path``; with ``create``, move it aside, so that a new
    one can be made (True). Without ``diags``, ProjectError."""
    if diags is None:
        raise ProjectError(
            f"the feed cache {path} is damaged ({why}); run 'newsletter fetch': "
            "it sets the damaged file aside and fills a new cache"
        )
    where = Location(f".newsletter/{CACHE_NAME}")
    if not create:
        diags.warning(
            where,
            "feed.cache",
            f"the feed cache is damaged ({why}): this build has no feed items",
            "run 'newsletter fetch': it sets the damaged file aside and fills a new cache",
        )
        return False
    aside = set_aside(path)
    diags.warning(
        where,
        "feed.cache",
        f"the feed cache was damaged ({why}); it was moved to .newsletter/"
        f"{aside.name} and every feed is fetched again in full",
        "nothing to do; delete the damaged copy once you no longer need it",
    )
    return True


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    """Rows by name, the current schema (made anew if the file has another), WAL."""
    db.row_factory = sqlite3.Row
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            _create(db)
        db.execute("PRAGMA journal_mode = WAL")
        # a cache: with WAL, NORMAL never corrupts; a power cut may lose the last feeds
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as err:
        raise ProjectError(
            f"the feed cache {path} cannot be used ({err}); run 'newsletter fetch' to fill it again"
        ) from err
    db.isolation_level = "DEFERRED"  # transactions again, committed by `with db:`


def _connect(path: Path, state_dir: Path) -> sqlite3.Connection:
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise ProjectError(f"cannot open the feed cache {path}: {err}") from err


def _create(db: sqlite3.Connection) -> None:
    db.executescript(
        "DROP TABLE IF EXISTS entry; DROP TABLE IF EXISTS feed;"
        + SCHEMA
        + f"PRAGMA user_version = {SCHEMA_VERSION};"
    )

"""Local state: telling a damaged database in ``.newsletter/`` from a sound one.

The feed cache and the delivery ledger are SQLite files. A disk that fills up, a
copy cut short or a stray write can leave one truncated or garbled; SQLite then
answers "file is not a database" or "database disk image is malformed", or worse,
some pages read back wrong. :func:`damage` says whether a file can be trusted (its
``PRAGMA quick_check``, which reads every page), and :func:`set_aside` moves a
damaged one out of the way, kept for inspection. What to do then is the caller's:
a cache is rebuilt, the ledger is never replaced without the editor's say.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from newsletter.core import clock


def damage(path: Path, db: sqlite3.Connection, check: str = "quick_check") -> str | None:
    """Why the database ``db`` (opened on the existing file ``path``) cannot be trusted,
    or None. ``check`` is ``quick_check`` (every page's structure) or ``integrity_check``
    (also every index against its table: slower, and finds damage inside the rows of an
    indexed table). A full disk or a lock is not damage: those errors are raised."""
    wal = Path(f"{path}-wal")
    if path.stat().st_size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        return "the file is empty"  # SQLite would take it for a new, empty database
    factory = db.text_factory
    db.text_factory = lambda raw: raw.decode("utf-8", "replace")  # it may quote garbage
    try:
        rows = db.execute(f"PRAGMA {check}").fetchall()
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as err:
        return str(err)
    except UnicodeDecodeError:  # SQLite's own message quotes a garbled schema
        return "its schema is garbled"
    finally:
        db.text_factory = factory
    problems = [" ".join(str(row[0]).split()) for row in rows if row[0] != "ok"]
    if problems:
        return "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
    return None


def set_aside(path: Path) -> Path:
    """Move the database at ``path`` (with its -wal and -shm) to ``<name>.corrupt-<time>``
    beside it; returns the new path."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    return aside

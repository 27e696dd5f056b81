"""The delivery ledger: ``.newsletter/deliveries.sqlite`` (WAL), one row per edition and
recipient, so that a send killed at any moment resumes without missing or repeating anyone.

A row goes ``pending`` → ``sending`` (claimed and committed *before* the message is
handed to SMTP) → ``sent`` | ``temp_failed`` | ``failed`` (committed right after the
server's answer). A row found ``sending`` when a send starts was in flight when the
last one died: the server may or may not have taken it, so it is sent again and
marked ``resent`` — the only way anyone can get an edition twice, and the ledger
says who. Unlike the feed cache this is not a cache: keep it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from newsletter.core import clock
from newsletter.core.errors import ProjectError
from newsletter.project.state import damage

LEDGER_NAME = "deliveries.sqlite"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS campaign (
    edition INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    runs INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS delivery (
    edition INTEGER NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'sending', 'sent', 'temp_failed', 'failed', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    resent INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    response TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (edition, email)
);
"""
STATUSES = ("pending", "sending", "sent", "temp_failed", "failed", "suppressed")


def _now() -> str:
    return clock.now().isoformat(timespec="milliseconds")


class Ledger:
    """One open ledger; every change is its own committed transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def finished_at(self, edition: int) -> str | None:
        row = self.db.execute(
            "SELECT finished_at FROM campaign WHERE edition = ?", (edition,)
        ).fetchone()
        return row[0] if row else None

    def start(self, edition: int, emails: Iterable[str], suppressed: set[str], force: bool) -> int:
        """Begin or resume a campaign; returns how many were found in flight (resent)."""
        stamp = _now()
        with self.db:
            if force:
                self.db.execute("DELETE FROM delivery WHERE edition = ?", (edition,))
                self.db.execute("DELETE FROM campaign WHERE edition = ?", (edition,))
            self.db.execute(
                "INSERT INTO campaign (edition, started_at) VALUES (?, ?) "
                "ON CONFLICT(edition) DO UPDATE SET finished_at = NULL",
                (edition, stamp),
            )
            self.db.execute("UPDATE campaign SET runs = runs + 1 WHERE edition = ?", (edition,))
            self.db.executemany(
                "INSERT OR IGNORE INTO delivery (edition, email, status, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (
                    (edition, e, "suppressed" if e in suppressed else "pending", stamp)
                    for e in emails
                ),
            )
            # who asked to leave since the last run is not mailed either
            for email in suppressed:
                self.db.execute(
                    "UPDATE delivery SET status = 'suppressed', updated_at = ? "
                    "WHERE edition = ? AND email = ? AND status IN ('pending', 'temp_failed')",
                    (stamp, edition, email),
                )
            in_flight = self.db.execute(
                "UPDATE delivery SET status = 'pending', resent = 1, updated_at = ?, "
                "response = 'in flight when the last send stopped: sent again' "
                "WHERE edition = ? AND status = 'sending'",
                (stamp, edition),
            ).rowcount
        return in_flight

    def to_send(self, edition: int, statuses: tuple[str, ...] = ("pending",)) -> list[str]:
        marks = ",".join("?" * len(statuses))
        rows = self.db.execute(
            f"SELECT email FROM delivery WHERE edition = ? AND status IN ({marks}) ORDER BY rowid",
            (edition, *statuses),
        )
        return [r[0] for r in rows]

    def claim(self, edition: int, email: str) -> None:
        """Committed, and on disk (fsync), before the message goes to the server.

        Only claims are synced: the WAL is written in order, so syncing a claim also
        syncs every record before it; a power cut can at most lose the last record,
        leaving that one row 'sending' — resent, and counted so, like any in flight.
        """
        self.db.execute("PRAGMA synchronous = FULL")
        with self.db:
            self.db.execute(
                "UPDATE delivery SET status = 'sending', attempts = attempts + 1, "
                "updated_at = ? WHERE edition = ? AND email = ?",
                (_now(), edition, email),
            )
        self.db.execute("PRAGMA synchronous = NORMAL")

    def record(
        self, edition: int, email: str, status: str, response: str, resent: bool = False
    ) -> None:
        with self.db:
            self.db.execute(
                "UPDATE delivery SET status = ?, response = ?, updated_at = ?, "
                "resent = max(resent, ?) WHERE edition = ? AND email = ?",
                (status, response[:500], _now(), int(resent), edition, email),
            )

    def finish(self, edition: int) -> bool:
        """Mark the campaign finished if nothing is left to try; True if so."""
        left = self.db.execute(
            "SELECT count(*) FROM delivery WHERE edition = ? "
            "AND status IN ('pending', 'sending', 'temp_failed')",
            (edition,),
        ).fetchone()[0]
        if left:
            return False
        with self.db:
            self.db.execute(
                "UPDATE campaign SET finished_at = ? WHERE edition = ?", (_now(), edition)
            )
        return True

    def counts(self, edition: int) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for status, n in self.db.execute(
            "SELECT status, count(*) FROM delivery WHERE edition = ? GROUP BY status", (edition,)
        ):
            counts[status] = n
        counts["resent"] = self.db.execute(
            "SELECT count(*) FROM delivery WHERE edition = ? AND resent = 1", (edition,)
        ).fetchone()[0]
        return counts


class LedgerDamaged(ProjectError):
    """The ledger cannot be trusted. It is the only record of who already got which
    edition, so it is never replaced by a new one without the editor's say."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        super().__init__(
            f"the delivery ledger {path} is damaged ({why}), so nothing is sent: it is the "
            "record of who already got which edition. Restore it from a backup; or, "
            f"accepting that some subscribers may get an edition twice, move it aside "
            f"(mv {path} {path}.damaged) and send again to start a new ledger"
        )


@contextmanager
def open_ledger(state_dir: Path) -> Iterator[Ledger]:
    path = state_dir / LEDGER_NAME
    existed = path.exists()
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        # send's connections share it, one at a time, under send's lock
        db = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED", check_same_thread=False)
    except (OSError, sqlite3.Error) as err:
        raise ProjectError(f"cannot open the delivery ledger {path}: {err}") from err
    try:
        try:
            # integrity_check: the ledger is small, and it also compares every row with its
            # index, which finds damage inside the rows that quick_check cannot
            why = damage(path, db, "integrity_check") if existed else None
            if why is not None:
                raise LedgerDamaged(path, why)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # claims are synced: see Ledger.claim
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise ProjectError(
                    f"the delivery ledger {path} is from another version ({version}); "
                    "keep it and use the newsletter version that wrote it"
                )
            db.executescript(SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
            db.execute("SELECT count(*) FROM delivery").fetchone()
        except sqlite3.OperationalError as err:  # locked, or a full disk: not damage
            raise ProjectError(f"cannot use the delivery ledger {path}: {err}") from err
        except sqlite3.DatabaseError as err:
            raise LedgerDamaged(path, str(err)) from err
        yield Ledger(db)
    finally:
        db.close()

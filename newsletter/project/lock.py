"""The project lock: one command at a time writes a project's site/ and .newsletter/.

``build`` swaps site/ and clears the staging folders an interrupted build left,
``fetch`` writes the feed cache, ``send`` writes the delivery ledger; two of them at
once could remove each other's staging folder or publish a half-made site. Each
takes an exclusive ``flock`` on ``.newsletter/lock`` and holds it while it runs; a
second command finds it taken and stops at once, saying which command holds it.

The kernel releases a ``flock`` when the process ends, however it ends (a crash,
SIGKILL, a power cut), so the lock is never left behind; the file stays, and only
records the last holder (pid, command, since when) for that message.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsletter.core import clock
from newsletter.core.errors import ProjectBusy

LOCK_NAME = "lock"


@contextmanager
def project_lock(state_dir: Path, command: str) -> Iterator[None]:
    """Hold the lock of the project whose state folder is ``state_dir`` while the block
    runs; ProjectBusy at once if another command holds it."""
    path = state_dir / LOCK_NAME
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise ProjectBusy(f"cannot take the project lock {path}: {err.strerror or err}") from err
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ProjectBusy(
                f"another newsletter command ({_holder(fd)}) is working on this project; "
                "wait for it to finish or stop it, then run this one again"
            ) from None
        since = clock.now().astimezone().isoformat(timespec="seconds")
        record = json.dumps({"pid": os.getpid(), "command": command, "since": since})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode() + b"\n", 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    """'build, pid 1234, since 10:02:03' from what the holder wrote, as far as it can be read."""
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
        parts = [str(record["command"]), f"pid {int(record['pid'])}"]
        if since := str(record.get("since", "")):
            parts.append(f"since {since[11:19]}")
        return ", ".join(parts)
    except (OSError, ValueError, KeyError, TypeError):
        return "its pid is not known yet"

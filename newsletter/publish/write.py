"""Write: the file-system steps that put a site in place without a half-written moment.

A path must stay inside the output folder (:func:`safe_relative`); a file whose bytes
are unchanged is hard-linked from the previous site (:func:`same_bytes`,
:func:`place`), so it keeps its mtime and static hosts and rsync see nothing changed;
a staging folder is swapped in for the old one in one step (:func:`swap`), and the
leftovers of an interrupted swap are removed (:func:`clean_leftovers`). What goes into
site/ is decided by ``outputs`` and ``search``, which call these.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from newsletter.core.errors import OutputError

KEEP = (".gitkeep",)
"""Files in the output folder that are not ours but must survive a build."""


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def safe_relative(name: str) -> PurePosixPath:
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise OutputError(f"refusing to write outside the output folder: {name!r}")
    return rel


def same_bytes(old: Path, data: bytes) -> bool:
    try:
        return old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def place(old: Path, new: Path) -> None:
    try:
        os.link(old, new)
    except OSError:  # file systems without hard links
        shutil.copy2(old, new)


def prune_empty(site: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents up to ``site`` while they are empty."""
    while folder != site and site in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def clean_leftovers(output: Path) -> None:
    """Staging and retired folders that an interrupted build left beside ``output``.
    Only while the project lock is held (newsletter.project.lock): they could be another
    build's, still at work."""
    parent = output.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry.name.startswith((f".{output.name}.new-", f".{output.name}.old-")):
            shutil.rmtree(entry, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE), so that a
    build killed at any moment leaves the old site or the new one, never neither.
    False where the system or the file system cannot; nothing was changed then."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # a C library without it (musl before 1.2.3)
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def swap(output: Path, staging: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for serving
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        shutil.rmtree(staging, ignore_errors=True)  # it holds the old site now
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    os.rmdir(retired)
    os.rename(output, retired)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(retired, output)  # put the old site back before reporting
        raise
    shutil.rmtree(retired, ignore_errors=True)

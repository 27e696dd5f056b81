"""Write: put rendered files in place as one swap; a failure leaves site/ as it was.

The new site is assembled in a staging folder beside the output. A file whose
bytes are unchanged is hard-linked from the previous site, so it is not
rewritten and keeps its mtime (static hosts and rsync see nothing changed).
Then the old folder is swapped out and the staging folder in. This is the
only module that writes the site.
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


def write_site(output: Path, files: dict[str, bytes]) -> WriteReport:
    output = Path(os.path.abspath(output))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    except OSError as err:
        raise OutputError(f"could not create {output}: {err.strerror or err}") from err
    written = unchanged = 0
    try:
        for name in sorted(files):
            data = files[name]
            rel = safe_relative(name)
            target = staging.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            old = output.joinpath(*rel.parts)
            if same_bytes(old, data):
                place(old, target)
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
        for keep in KEEP:
            if (output / keep).is_file():
                place(output / keep, staging / keep)
        removed = _count_removed(output, files)
        swap(output, staging)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not write {output}: {err.strerror or err}") from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(written, unchanged, removed)


def _count_removed(output: Path, files: dict[str, bytes]) -> int:
    if not output.is_dir():
        return 0
    return sum(
        1
        for p in output.rglob("*")
        if p.is_file() and p.relative_to(output).as_posix() not in files and p.name not in KEEP
    )


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

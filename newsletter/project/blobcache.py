"""Blob cache: files a build made that cost time to make again, kept by what made them.

A :class:`BlobCache` is a folder of ``.newsletter/`` (``cards/``: the social card
images) holding one file per entry, named by a digest of everything the entry depends
on. A key says exactly what was made, never when: an entry is never stale, only unused,
and :meth:`BlobCache.keep_only` removes the unused ones.

Only a cache, shared by the processes of a build: an entry is written to a temporary
file and renamed into place, so a reader sees a whole entry or none; each entry carries
a checksum of its bytes, so one that was cut short or garbled reads as missing and is
made again. A folder that cannot be read or written is no error: everything is then
made anew. Knows nothing of what the bytes are.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

MAGIC = b"newsletter-blob-1\n"
"""How an entry starts: this format, then the checksum of the bytes, then the bytes."""
CHECKSUM_SIZE = 16
TEMP_PREFIX = ".tmp-"
_KEY = re.compile(r"[0-9a-f]{16,128}")


def blob_key(*parts: bytes | str) -> str:
    """A key for an entry: the digest of everything it depends on, in order."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # so that ('ab', 'c') ≠ ('a', 'bc')
        digest.update(data)
    return digest.hexdigest()


def _checksum(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=CHECKSUM_SIZE).digest()


class BlobCache:
    """Entries of one kind (``suffix``: '.png') in ``folder``, by key (:func:`blob_key`)."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.folder / f"{key}{self.suffix}"

    def get(self, key: str) -> bytes | None:
        """The bytes kept for ``key``; None when there are none, or none that are whole."""
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        head = len(MAGIC) + CHECKSUM_SIZE
        data = raw[head:]
        if not raw.startswith(MAGIC) or raw[len(MAGIC) : head] != _checksum(data):
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` for ``key``: written aside, then renamed into place."""
        target = self.path(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(MAGIC + _checksum(data) + data)
                os.replace(temp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        except OSError:
            pass  # only a cache: a full disk or a read-only folder costs a redraw

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The bytes kept for ``key``, else ``make()``'s, kept for next time."""
        data = self.get(key)
        if data is None:
            data = make()
            self.put(key, data)
        return data

    def keep_only(self, keys: Iterable[str]) -> int:
        """Remove every entry but those of ``keys`` (and any temporary file left by a
        writer that was stopped); how many files were removed."""
        wanted = {f"{key}{self.suffix}" for key in keys}
        try:
            names = os.listdir(self.folder)
        except OSError:
            return 0
        removed = 0
        for name in names:
            ours = name.startswith(TEMP_PREFIX) or name.endswith(self.suffix)
            if ours and name not in wanted:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)
                    removed += 1
        return removed

"""Marks, packed: where each field of a file is written, in the small form the model keeps.

While a file is read, its marks (``load.yaml``) are a dict of Locations, one for each
key and each value, that ``Fields`` adds to. Once the item is made, only ``check``
still asks where a value is written (``post.mark("for[1]")``), and every process of a
build holds every post: so the item keeps ``PackedMarks``, the values' places only
(never a key's, '@title', which only reading needs), with the file's path once, the
fields' names shared by every file that has the same fields, and the lines and columns
packed in bytes: about 150 bytes a post instead of 2 KB.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping

from newsletter.core.diagnostics import Location

_PLACE = struct.Struct("<II")
"""A value's line and column."""

_layouts: dict[tuple[str, ...], dict[str, int]] = {}
"""Each tuple of field names seen, → the index of each name: one dict for all the files
that have the same fields (most posts have the same few)."""


def _layout(names: tuple[str, ...]) -> dict[str, int]:
    found = _layouts.get(names)
    if found is None:
        found = _layouts[names] = {name: i for i, name in enumerate(names)}
    return found


class PackedMarks(Mapping[str, Location]):
    """The places of a file's values, read as a mapping of Locations (made when asked)."""

    __slots__ = ("_index", "_path", "_places")

    def __init__(self, path: str, names: tuple[str, ...], places: bytes) -> None:
        self._path = path
        self._index = _layout(names)
        self._places = places

    def __getitem__(self, name: str) -> Location:
        line, col = _PLACE.unpack_from(self._places, _PLACE.size * self._index[name])
        return Location(self._path, line, col)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"PackedMarks({dict(self)!r})"

    def __reduce__(self) -> tuple[type[PackedMarks], tuple[str, tuple[str, ...], bytes]]:
        # unpickled through __init__, so that the names are shared again (build cache,
        # results of the load workers)
        return PackedMarks, (self._path, tuple(self._index), self._places)


def pack_marks(marks: Mapping[str, Location]) -> Mapping[str, Location]:
    """The places of the values in ``marks`` (not those of the keys), packed; ``marks``
    as it is when they are not all in one file (nothing load makes)."""
    values = {name: where for name, where in marks.items() if not name.startswith("@")}
    paths = {where.path for where in values.values()}
    if len(paths) != 1:
        return values
    places = b"".join(_PLACE.pack(where.line, where.col) for where in values.values())
    return PackedMarks(paths.pop(), tuple(values), places)

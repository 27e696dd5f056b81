"""Progress: how a long stage tells the command line how far it has come.

Stages call ``progress(stage, done, total)``; a total of 0 means "started,
size unknown". The library never prints: the CLI turns calls into a bar.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None: ...


def quiet(stage: str, done: int = 0, total: int = 0) -> None:
    """The default: report to no one."""

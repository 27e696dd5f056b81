"""Progress: how a long stage tells the command line how far it has come.

Stages call ``progress(stage, done, total)``; a total of 0 means "started,
size unknown". The pipeline and every layer under it never print: the command line
turns these calls into a bar. Only the faces print (the command line, and the preview
server, which writes its lines to the console the command hands it).
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None: ...


def quiet(stage: str, done: int = 0, total: int = 0) -> None:
    """The default: report to no one."""

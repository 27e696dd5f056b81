"""Python's cycle collector during a build: the one place that tunes it.

A build makes hundreds of thousands of objects that live until it ends (the posts, the
pages' jobs, the network), and makes hardly any reference cycles. The collector does
not know that: every 700 allocations it goes through the young objects, and every
so often through all of them, which at 10,000 posts was a tenth of an edit's CPU.
:func:`less_often` spaces its runs during a build, and :func:`settle` takes what the
build has loaded out of them until it ends; :func:`paused` stops it while a
computation that makes no cycles at all runs. All put back what they found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off until the block ends (if it was on): for a computation that
    makes no reference cycles, whose many small objects would set off passes that walk
    the caller's whole heap (every post and member loaded) and find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_settling = False
"""Whether :func:`settle` may freeze: inside :func:`less_often`, which unfreezes."""


@contextmanager
def less_often(allocations: int) -> Iterator[None]:
    """The collector's youngest generation run every ``allocations`` allocations (less
    those freed) until the block ends, then its thresholds as they were, and what
    :func:`settle` froze back in its sight."""
    global _settling
    before = gc.get_threshold()
    gc.set_threshold(allocations, *before[1:])
    # what another froze (a server that forks, say) stays as it froze it: no settling
    outer, _settling = _settling, not _settling and gc.get_freeze_count() == 0
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if _settling:
            gc.unfreeze()
        _settling = outer


def settle() -> None:
    """Every object alive now out of the collector's full passes until the block of
    :func:`less_often` ends (``gc.freeze``): what a build has loaded and worked out
    lives until it ends, and a full pass walked all of it to find nothing (0.24 s of
    the pages' plan after an edit at 10,000 posts). Nothing outside that block, where
    what is frozen would never be collected."""
    if _settling:
        gc.freeze()


def spare_the_exit() -> None:
    """Every object alive now out of the collector's sight (``gc.freeze``), for a process
    about to end: the interpreter's last collection would walk all that a command made
    (0.2 s after an edit at 10,000 posts) for cycles whose memory the ending process
    gives back anyway. Only there: in a longer-lived process (a test's), the garbage
    frozen now would never be collected."""
    gc.freeze()

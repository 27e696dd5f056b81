"""Parallel: the one place the package starts worker processes.

Two shapes, for two kinds of caller:

- ``map_in_processes``: a function over a list, in forked processes that share the
  parent's memory (the parsed site, the render jobs), so nothing is pickled but the
  results. Results come back in the items' order, whatever order the workers finish
  in, so a parallel run gives what a serial one gives. Used by ``load`` (posts) and
  ``publish.outputs`` (render jobs).
- ``clean_process_pool``: an executor whose workers start clean (forkserver), for a
  caller that runs threads, which must never be forked (``feeds.fetch`` parses feeds
  in it while downloads go on).

Forked workers share the parent's pages only until they write to them, and CPython
writes to an object whenever it counts a reference to it or its collector visits it. So
before forking, ``map_in_processes`` moves the parent's objects out of the collector's
reach (``gc.freeze``: a worker's collections then never visit, so never copy, them) and
gives the pages that only hold freed memory back to the system (glibc's
``malloc_trim``), so that the workers do not copy them as they fill them again.

Knows nothing of the newsletter: it imports only the standard library.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing as mp
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNKS_PER_WORKER = 8
"""Items go to workers in chunks, about this many per worker: few enough that handing
them out costs little, enough that a worker with slow items does not hold the rest up."""

_task: Callable[[int], Any] | None = None
"""In a forked worker only: what to do with the item at an index. Set once by the pool's
initializer as the worker starts; the parent process never sets it."""


def _adopt(task: Callable[[int], Any]) -> None:
    global _task
    _task = task


def _run_chunk(indexes: range) -> tuple[int, list[Any]]:
    assert _task is not None, "runs only in a worker of map_in_processes"
    return indexes.start, [_task(i) for i in indexes]


def _nothing(done: int) -> None:
    """The default progress: report to no one."""


def _trim_free_memory() -> None:
    """Give the C heap's free pages back to the system, where the C library can (glibc):
    the parent's heap is full of holes after loading, which workers would fill, copying
    each page they write to."""
    with suppress(AttributeError, OSError):  # not glibc (macOS, musl): nothing to give back
        ctypes.CDLL(None).malloc_trim(0)


def map_in_processes(
    work: Callable[[Item], Result],
    items: Sequence[Item],
    jobs: int,
    *,
    min_items: int = 1,
    min_chunk: int = 1,
    max_chunk: int = sys.maxsize,
    progress: Callable[[int], None] = _nothing,
) -> list[Result]:
    """``[work(item) for item in items]``, in ``jobs`` forked processes when there are at
    least ``min_items`` items (fewer, or ``jobs`` ≤ 1: in this process).

    ``work`` and ``items`` reach the workers by the fork itself, so ``work`` may be a
    closure over anything; only its results are pickled, to come back. A worker is handed
    ``min_chunk`` to ``max_chunk`` items at once; ``progress`` is told how many items
    are done after each item here, or after each chunk from the workers."""
    total = len(items)
    if jobs <= 1 or total < min_items:
        results = []
        for item in items:
            results.append(work(item))
            progress(len(results))
        return results
    size = max(min_chunk, min(max_chunk, total // (jobs * CHUNKS_PER_WORKER)))
    chunks = [range(i, min(i + size, total)) for i in range(0, total, size)]
    ordered: list[Any] = [None] * total
    done = 0

    def task(index: int) -> Result:
        return work(items[index])

    # fork: the workers see this process's memory as it is now; the initializer's
    # arguments are inherited, not pickled
    _trim_free_memory()
    gc.freeze()  # until the pool is closed: the workers' collectors leave shared objects be
    try:
        with mp.get_context("fork").Pool(jobs, initializer=_adopt, initargs=(task,)) as pool:
            for start, part in pool.imap_unordered(_run_chunk, chunks):
                ordered[start : start + len(part)] = part
                done += len(part)
                progress(done)
    finally:
        gc.unfreeze()
    return ordered


@contextmanager
def clean_process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """An executor of ``workers`` processes that start clean, not forked from this one
    (which may be running threads): forkserver where there is one, else spawn. What it
    runs, and the arguments, must be picklable."""
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        yield pool

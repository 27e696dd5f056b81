"""Parallel: the one place the package starts worker processes.

Two shapes, for two kinds of caller:

- ``map_in_processes``: a function over a list, in forked processes that share the
  parent's memory (the parsed site, the render jobs), so nothing is pickled but the
  results. Results come back in the items' order, whatever order the processes finish
  in, so a parallel run gives what a serial one gives. Used by ``load`` (posts) and
  ``publish.outputs`` (render jobs).
- ``clean_process_pool``: an executor whose workers start clean (forkserver), for a
  caller that runs threads, which must never be forked (``feeds.fetch`` parses feeds
  in it while downloads go on).

Memory: a forked worker shares the parent's pages only until one of them writes to a
page, and CPython writes to an object whenever it counts a reference to it or its
collector visits it, so each worker ends up with its own copy of much of what it reads
(at 10,000 posts, most of the parsed site). Hence ``map_in_processes`` works in
``jobs`` processes of which one is this process itself (``jobs - 1`` are forked: one
copy fewer than a pool of ``jobs`` beside an idle parent); before forking, it moves the
parent's objects out of the collector's reach (``gc.freeze``: a worker's collections
never visit, so never copy, them) and gives the pages that hold only freed memory back
to the system (glibc's ``malloc_trim``), which the workers would copy as they filled
them again. ``release_free_memory`` is that last step alone, for ``load`` once the files
it read are dropped (a build after an edit forks no worker, but keeps its memory).

Knows nothing of the newsletter: it imports only the standard library.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing as mp
import pickle
import queue
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkContext, ForkProcess
from multiprocessing.queues import Queue
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNKS_PER_WORKER = 8
"""Items go to the processes in chunks, at first about a this-many'th of each process's
share: few enough that handing them out costs little. They shrink as the work runs out
(:func:`chunk_ranges`), so that no process is left with a big last chunk while the
others wait."""

WAIT_SECONDS = 0.5
"""How often this process, waiting for the workers' last chunks, looks whether any of
them is still alive (one that died, killed, would never send its chunk)."""


def _nothing(done: int) -> None:
    """The default progress: report to no one."""


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system, where the C library can (glibc):
    after much was read and dropped (the files of a project, as ``load`` parses them),
    the heap is full of holes, which count in the process's memory as long as it lives,
    and which forked workers would copy as they filled them."""
    with suppress(AttributeError, OSError):  # not glibc (macOS, musl): nothing to give back
        ctypes.CDLL(None).malloc_trim(0)


@dataclass(frozen=True)
class _Failed:
    """What a worker sends instead of a chunk's results when the work raised."""

    error: BaseException


def _sendable(error: BaseException) -> BaseException:
    """``error``, or, when it cannot be pickled, a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # whatever pickling raises: say what was raised
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


class _Handout:
    """The chunks of one map, each handed to whichever process asks first: the workers
    and this process alike (the index of the next one is in shared memory)."""

    def __init__(self, context: ForkContext, chunks: list[range]) -> None:
        self.chunks = chunks
        self._next = context.Value("q", 0)

    def take(self) -> int | None:
        with self._next.get_lock():
            index: int = self._next.value
            if index >= len(self.chunks):
                return None
            self._next.value = index + 1
        return index


def _serve(handout: _Handout, run: Callable[[range], list[Any]], results: Queue[Any]) -> None:
    """A worker's life: run chunks and send their results until none is left, or the
    work raises (then the error is sent, and the worker stops)."""
    while (index := handout.take()) is not None:
        try:
            part = run(handout.chunks[index])
        except BaseException as error:  # the parent raises it
            results.put((index, _Failed(_sendable(error))))
            return
        results.put((index, part))


def _here(
    work: Callable[[Item], Result], items: Sequence[Item], progress: Callable[[int], None]
) -> list[Result]:
    """``map_in_processes`` in this process alone."""
    results = []
    for item in items:
        results.append(work(item))
        progress(len(results))
    return results


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
    """``[work(item) for item in items]``, in ``jobs`` processes (this one and ``jobs - 1``
    forked ones) given ``min_items`` items at least (else in this process alone).

    ``work`` and ``items`` reach the workers by the fork itself, so ``work`` may be a
    closure over anything; only its results are pickled, to come back. A process is
    handed ``min_chunk`` to ``max_chunk`` items at once; ``progress`` is told how many
    items are done after each item here, or after each chunk in parallel. An exception
    raised by ``work`` in any process is raised here."""
    total = len(items)
    if jobs <= 1 or total < min_items:
        return _here(work, items, progress)
    chunks = chunk_ranges(total, jobs, min_chunk, max_chunk)
    ordered: list[Any] = [None] * total
    done = 0

    def run(indexes: range) -> list[Result]:
        return [work(items[i]) for i in indexes]

    def accept(index: int, part: list[Any] | _Failed) -> None:
        nonlocal done
        if isinstance(part, _Failed):
            raise part.error
        ordered[chunks[index].start : chunks[index].stop] = part
        done += len(part)
        progress(done)

    context = mp.get_context("fork")
    handout = _Handout(context, chunks)
    results: Queue[Any] = context.Queue()
    workers = [
        context.Process(target=_serve, args=(handout, run, results), daemon=True)
        for _ in range(jobs - 1)
    ]
    with _shared_with_workers():
        try:
            for worker in workers:
                worker.start()
            _share_the_work(handout, run, results, workers, accept)
        finally:
            for worker in workers:
                if worker.is_alive():  # only when something went wrong
                    worker.terminate()
                worker.join()
            results.close()
    release_free_memory()  # of this process's own share, before the next step's processes
    return ordered


def chunk_ranges(
    total: int, jobs: int, min_chunk: int = 1, max_chunk: int = sys.maxsize
) -> list[range]:
    """``range(total)`` cut into chunks for ``jobs`` processes: a ``CHUNKS_PER_WORKER``'th
    of a process's share at first, then each a ``CHUNKS_PER_WORKER``'th of what is left
    for each process, down to ``min_chunk`` (guided self-scheduling). The last chunks are
    small: a big one taken last (the editions' pages, each many times a post's, come at
    the end of a build's jobs) kept the other process waiting, half the machine idle, for
    1.5 s of This Week in Rust's build."""
    chunks = []
    start = 0
    while start < total:
        left = total - start
        size = max(min_chunk, min(max_chunk, left // (jobs * CHUNKS_PER_WORKER)))
        chunks.append(range(start, min(start + size, total)))
        start += size
    return chunks


def _share_the_work(
    handout: _Handout,
    run: Callable[[range], list[Any]],
    results: Queue[Any],
    workers: list[ForkProcess],
    accept: Callable[[int, Any], None],
) -> None:
    """This process's part: run chunks like a worker, taking in the workers' results
    between two of its own; then wait for the workers' last ones."""
    waiting = len(handout.chunks)
    while (index := handout.take()) is not None:
        accept(index, run(handout.chunks[index]))
        waiting -= 1
        with suppress(queue.Empty):
            while True:
                accept(*results.get_nowait())
                waiting -= 1
    while waiting:
        try:
            accept(*results.get(timeout=WAIT_SECONDS))
            waiting -= 1
        except queue.Empty:
            if not any(worker.is_alive() for worker in workers) and results.empty():
                raise _ended(workers) from None


@contextmanager
def _shared_with_workers() -> Iterator[None]:
    """For the block that forks workers and waits for them: the C heap's free pages given
    back first (the workers would copy them as they filled them), and this process's
    objects out of the collector's reach until it ends (``gc.freeze``: a worker's
    collections never visit, so never copy, them)."""
    release_free_memory()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _ended(workers: list[ForkProcess]) -> RuntimeError:
    """The error for workers that ended (killed) without sending what they owed."""
    codes = ", ".join(str(worker.exitcode) for worker in workers)
    return RuntimeError(f"a worker process ended without finishing its work (exit codes: {codes})")


def alongside(
    works: Sequence[Callable[[], Any]], here: Callable[[], Item]
) -> tuple[list[tuple[Any, bytes]], Item]:
    """Each of ``works`` in a forked process of its own while ``here()`` runs in this
    one: each work's result with its pickle (which a caller that keeps it, as the build
    cache does, need not make again), in the order of ``works``, and ``here``'s. A work
    reaches its process by the fork (a closure over anything); only its result is
    pickled, to come back. What a work raises is raised here, after ``here`` is done."""
    context = mp.get_context("fork")
    pipes = [context.Pipe(duplex=False) for _ in works]

    def serve(work: Callable[[], Any], send: Connection) -> None:
        for receive, _ in pipes:
            receive.close()
        try:
            blob = pickle.dumps(work(), protocol=5)
        except BaseException as error:  # raised by the parent
            blob = pickle.dumps(_Failed(_sendable(error)), protocol=5)
        send.send_bytes(blob)
        send.close()

    workers = [
        context.Process(target=serve, args=(work, send), daemon=True)
        for work, (_, send) in zip(works, pipes, strict=True)
    ]
    blobs = []
    with _shared_with_workers():
        try:
            for worker in workers:
                worker.start()
            for _, send in pipes:
                send.close()
            mine = here()
            for worker, (receive, _) in zip(workers, pipes, strict=True):
                try:
                    blobs.append(receive.recv_bytes())
                except EOFError:
                    worker.join()
                    raise _ended([worker]) from None
        finally:
            for (receive, _), worker in zip(pipes, workers, strict=True):
                receive.close()
                if worker.is_alive():
                    worker.terminate()
                worker.join()
    results = [pickle.loads(blob) for blob in blobs]
    for result in results:
        if isinstance(result, _Failed):
            raise result.error
    return [(result, blob) for result, blob in zip(results, blobs, strict=True)], mine


@contextmanager
def clean_process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """An executor of ``workers`` processes that start clean, not forked from this one
    (which may be running threads): forkserver where there is one, else spawn. What it
    runs, and the arguments, must be picklable."""
    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(workers, mp_context=mp.get_context(method)) as pool:
        yield pool

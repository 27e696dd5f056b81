"""core.parallel.map_in_processes: this process and forked workers share the chunks; the
results come back in order, and what goes wrong in a worker is raised here."""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal

import pytest

from newsletter.core.errors import ProjectError
from newsletter.core.parallel import alongside, chunk_ranges, map_in_processes


def test_results_in_the_items_order_from_both_processes() -> None:
    here = os.getpid()
    started = mp.get_context("fork").Event()

    def square(x: int) -> tuple[int, bool]:
        if os.getpid() != here:
            started.set()
        else:  # this process waits until the worker has taken a chunk, so both work
            started.wait()
        return x * x, os.getpid() == here

    told: list[int] = []
    results = map_in_processes(square, range(500), 2, min_chunk=5, progress=told.append)
    assert [r for r, _ in results] == [x * x for x in range(500)]
    assert {in_parent for _, in_parent in results} == {True, False}
    assert told == sorted(told) and told[-1] == 500


def test_an_error_in_a_worker_is_raised_here() -> None:
    here = os.getpid()
    started = mp.get_context("fork").Event()

    def render(x: int) -> int:
        if os.getpid() != here:
            started.set()
            raise ProjectError(f"template post.html: item {x} is broken")
        started.wait()
        return x

    with pytest.raises(ProjectError, match=r"template post\.html: item \d+ is broken"):
        map_in_processes(render, range(200), 2, min_chunk=5)


def test_a_worker_killed_is_reported_not_waited_for() -> None:
    here = os.getpid()
    started = mp.get_context("fork").Event()

    def render(x: int) -> int:
        if os.getpid() != here:
            started.set()
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        started.wait()
        return x

    with pytest.raises(RuntimeError, match="ended without finishing its work"):
        map_in_processes(render, range(200), 2, min_chunk=5)


def test_one_job_or_few_items_run_here() -> None:
    here = os.getpid()
    assert map_in_processes(lambda _: os.getpid(), range(10), 1) == [here] * 10
    assert map_in_processes(lambda _: os.getpid(), range(10), 2, min_items=11) == [here] * 10


@pytest.mark.parametrize(
    ("total", "min_chunk", "max_chunk"), [(55_207, 8, 200), (2_000, 16, 10**9), (7, 5, 10)]
)
def test_chunks_cover_the_items_in_order_and_shrink_to_the_smallest(
    total: int, min_chunk: int, max_chunk: int
) -> None:
    chunks = chunk_ranges(total, 2, min_chunk, max_chunk)
    assert [i for chunk in chunks for i in chunk] == list(range(total))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True)
    assert max(sizes) <= max(min_chunk, max_chunk)
    # what is handed out last is small, whatever came first: no process waits long on
    # the other's last chunk
    assert all(size <= min_chunk for size in sizes[-2:])


def test_alongside_runs_each_work_in_a_process_of_its_own_and_gives_back_its_pickle() -> None:
    here = os.getpid()
    found, mine = alongside(
        [lambda: {"pid": os.getpid(), "work": 1}, lambda: {"pid": os.getpid(), "work": 2}],
        lambda: os.getpid(),
    )
    [(first, blob), (second, _)] = found
    assert [first["work"], second["work"]] == [1, 2]  # in the order of the works
    assert mine == here and len({here, first["pid"], second["pid"]}) == 3
    assert pickle.loads(blob) == first


def test_alongside_raises_here_what_the_work_raised_there() -> None:
    def broken() -> None:
        raise ProjectError("the network could not be analysed")

    ran = []
    with pytest.raises(ProjectError, match="the network could not be analysed"):
        alongside([broken], lambda: ran.append(True))
    assert ran == [True]


def test_alongside_reports_a_worker_killed() -> None:
    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(RuntimeError, match="ended without finishing its work"):
        alongside([lambda: None, killed], lambda: None)

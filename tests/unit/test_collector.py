"""``newsletter.core.collector``: the build's changes to Python's cycle collector last
as long as their block, even when it raises (``serve`` and library callers keep theirs);
only the program, as it ends, freezes what it made."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from newsletter.core import collector

from support.cli import run
from support.clock import TODAY
from support.helpers import project


def test_less_often_spaces_the_runs_then_puts_the_thresholds_back() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.less_often(50_000):
        assert gc.get_threshold() == (50_000, *before[1:])
        raise RuntimeError("a build that fails")
    assert gc.get_threshold() == before


def test_what_a_build_settles_is_back_in_the_collectors_sight_when_it_ends() -> None:
    assert gc.get_freeze_count() == 0
    collector.settle()  # outside a build: nothing frozen, nothing left behind
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), collector.less_often(50_000):
        collector.settle()
        assert gc.get_freeze_count() > 1_000
        raise RuntimeError("a build that fails")
    assert gc.get_freeze_count() == 0
    kept = [[] for _ in range(3)]
    kept[0].append(kept)  # garbage in a cycle, frozen by the build, collected once it ends
    with collector.less_often(50_000):
        collector.settle()
        del kept
        assert gc.collect() == 0
    assert gc.collect() >= 4


def test_a_build_leaves_what_another_froze_as_it_was() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.less_often(50_000):
            [[] for _ in range(100)]
            collector.settle()  # not frozen more: the block would not know what to thaw
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_build_settles_what_it_loaded_and_thaws_it_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts: list[int] = []
    settle = collector.settle

    def counted() -> None:
        settle()
        counts.append(gc.get_freeze_count())

    monkeypatch.setattr(collector, "settle", counted)
    root = project(tmp_path)
    assert run("build", "--today", TODAY, "--no-search", cwd=root).exit_code == 0
    assert len(counts) == 2 and 0 < counts[0] <= counts[1]
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_stops_the_collector_and_leaves_it_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), collector.paused():
            assert not gc.isenabled()
            raise RuntimeError("an analysis that fails")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_program_freezes_what_it_made_before_it_ends_and_the_test_runner_does_not() -> None:
    """`newsletter` as a process leaves its objects out of the interpreter's last
    collection; Click's test runner (this process, which lives on) is left as it was."""
    script = (
        "import gc\nfrom newsletter.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    print(gc.get_freeze_count())"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000
    before = gc.get_freeze_count()
    assert run("--version").exit_code == 0
    assert gc.get_freeze_count() == before

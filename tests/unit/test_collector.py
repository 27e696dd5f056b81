"""``newsletter.core.collector``: the build's changes to Python's cycle collector last
as long as their block, even when it raises (``serve`` and library callers keep theirs)."""

from __future__ import annotations

import gc

import pytest

from newsletter.core import collector


def test_less_often_spaces_the_runs_then_puts_the_thresholds_back() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.less_often(50_000):
        assert gc.get_threshold() == (50_000, *before[1:])
        raise RuntimeError("a build that fails")
    assert gc.get_threshold() == before


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

"""A Location comes back from the build cache (a pickle) as it went in: equal, with the
same hash and text, and still frozen; copies too."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError

import pytest

from newsletter.core.diagnostics import Diagnostic, Location, Severity


def test_a_location_unpickles_equal_and_frozen() -> None:
    where = Location("content/posts/2026/weak-ties.md", 3, 7)
    back = pickle.loads(pickle.dumps(where, protocol=5))
    assert type(back) is Location
    assert back == where
    assert hash(back) == hash(where)
    assert str(back) == "content/posts/2026/weak-ties.md:3:7"
    with pytest.raises(FrozenInstanceError):
        back.line = 4  # type: ignore[misc]
    assert copy.copy(where) == where == copy.deepcopy(where)


def test_a_diagnostic_with_its_location_round_trips() -> None:
    where = Location("newsletter.yaml", 2)
    diagnostic = Diagnostic(where, Severity.ERROR, "config.email", "a message", "a hint")
    assert pickle.loads(pickle.dumps([diagnostic, diagnostic], protocol=5)) == [diagnostic] * 2

"""The one day the whole suite runs as.

Every command a test runs is given this day (--today, --date, today=...): tests/conftest.py's
``day_is_pinned`` fails a test that lets the library read the real date instead.
"""

from __future__ import annotations

import datetime as dt

EXAMPLE_TODAY = "2026-11-25"
"""The example is built as of this day, so its output never depends on the clock."""
TODAY = EXAMPLE_TODAY
"""The day every test runs as, as the command line takes it (--today, --date)."""
TODAY_DATE = dt.date.fromisoformat(TODAY)
"""The same day, as the library takes it (``today=``)."""

"""The real clock, read in this one module and nowhere else in the library.

What the library decides by the date (which posts are published, which edition an
item lands in, which ties have gone quiet, when a feed item was first seen) takes the
day as an argument: ``today`` or ``now``. Only the defaults of the command line and
of a few entry points come from here, so a test pins the date with ``--today`` (or by
passing ``today``/``now``), and a search for the clock finds every reading in one file.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    """The local date: what "today" means to the editor at the keyboard."""
    return dt.date.today()


def now() -> dt.datetime:
    """The current instant, in UTC (for feed items first seen, deliveries, stamps)."""
    return dt.datetime.now(dt.UTC)


def start_of(day: dt.date) -> dt.datetime:
    """A ``--today`` date as an instant: its first moment, in UTC."""
    return dt.datetime.combine(day, dt.time(), dt.UTC)

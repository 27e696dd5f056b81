"""The command line: an adapter that parses options, calls the library, prints.

May import every layer below it; nothing imports it. No logic lives here that a test
would have to reach through Click for: a command parses its options (and fills in
their defaults), calls the library (``newsletter.api`` where it has the function) and
shows what comes back; reports and their rows, the ledger, the network and the
diagnostics are all computed below. ``app`` holds the ``newsletter`` group and what
every command shares; ``output`` is how everything is shown (diagnostics, tables,
``--format``, the progress bar); each other module is one group of commands,
registered on the group when imported.
"""

from newsletter.cli import authoring, feeds, insight, mail, site
from newsletter.cli.app import main

__all__ = ["authoring", "feeds", "insight", "mail", "main", "site"]

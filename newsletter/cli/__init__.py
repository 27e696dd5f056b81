"""The command line: an adapter that parses options, calls one function, prints.

No logic lives here that a test would have to reach through Click for. ``app`` holds
the ``newsletter`` group and what every command shares; each other module is one
group of commands, registered on the group when imported.
"""

from newsletter.cli import authoring, feeds, insight, mail, site
from newsletter.cli.app import main

__all__ = ["authoring", "feeds", "insight", "mail", "main", "site"]

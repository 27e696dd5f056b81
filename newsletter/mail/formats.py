"""The subscriber exports `subscribers import` reads: a module of its own, so the command
line can list them without importing the importers."""

FORMATS = ("mailchimp", "listmonk", "buttondown", "newsletter")
"""What ``source_format`` may be, besides ``auto``."""

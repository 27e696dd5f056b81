"""The library's exceptions, in one place.

User mistakes in content are *not* exceptions: they are
:class:`newsletter.core.diagnostics.Diagnostic` values collected by the stages and
reported together. Exceptions are for what stops a command as a whole::

    NewsletterError
    ├── ProjectError      no newsletter here, or its config cannot be used
    │   └── ProjectBusy   another command holds the project lock (newsletter.project.lock)
    ├── BuildFailed       the content has errors; nothing was written
    └── OutputError       the site could not be written (disk, permissions)
        └── SearchError   Pagefind could not make the search index
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsletter.core.diagnostics import Diagnostic


class NewsletterError(Exception):
    """Base of every error this package raises on purpose."""


class ProjectError(NewsletterError):
    """The directory is not a newsletter project, or cannot become one."""


class ProjectBusy(ProjectError):
    """Another newsletter command is working on the project (see :mod:`newsletter.project.lock`)."""


class BuildFailed(NewsletterError):
    """Content errors stop the build; the previous site/ is left as it was."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = sum(1 for d in diagnostics if d.is_error)
        found = f"{errors} error{'' if errors == 1 else 's'}"
        super().__init__(f"{found} in the content; site/ was left unchanged")


class OutputError(NewsletterError):
    """Writing site/ failed; the previous site/ is left as it was."""


class SearchError(OutputError):
    """Pagefind is missing or failed; the previous site/ is left as it was."""

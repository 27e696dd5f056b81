"""Load: every source file → the typed model, with diagnostics, never stopping.

A file with a mistake yields a diagnostic at its line and column, and loading goes on
with the next field and the next file, so one run reports every problem. This layer
looks at one file at a time; relations between files are ``check``'s job. It may
import only ``newsletter.feeds``, ``newsletter.project`` and ``newsletter.core``.

- ``yaml``: YAML with positions, safe-loaded; the one choice of YAML loader;
  ``yaml_mistakes`` says its syntax errors in words, and mends what is no guess.
- ``fields``: typed access to a file's fields, each mistake reported at its line.
- ``documents``: Markdown files with front matter; the scan for email addresses.
- ``private``: where the subscribers file is; no subscriber's address is allowed public.
- ``config``, ``members``, ``posts``, ``editions``, ``pages``: one module per kind of file.
- ``assets``: the images and attachments beside a post.
- ``project``: the whole project, through the build cache, in processes when large.
"""

from newsletter.load.config import load_config
from newsletter.load.fields import HANDLE_RE, WEB_URL_RE
from newsletter.load.project import load, load_members

__all__ = [
    "HANDLE_RE",
    "WEB_URL_RE",
    "load",
    "load_config",
    "load_members",
]

"""The private subscribers file, as far as a build must know it: where it is, and that
no subscriber's address is made public by ``privacy.public_addresses``.

Reading subscribers to send to them (validating, deduplicating, statuses) is
``mail.subscribers``'s job; it finds the file with :func:`subscribers_path`, which lives
here so that ``check`` and ``build`` (below ``mail`` in the layers) find the same file.
This module reads only the ``email`` column, to compare it with the public addresses,
and never puts an address in a message: messages may end up in a CI log.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics
from newsletter.core.model import Config
from newsletter.project.sources import Project

SUBSCRIBERS_ENV = "NEWSLETTER_SUBSCRIBERS"


def subscribers_path(project: Project, config: Config) -> Path:
    """The subscribers CSV: ``NEWSLETTER_SUBSCRIBERS``, else ``email.subscribers``
    (default private/subscribers.csv), relative to the project."""
    env = os.environ.get(SUBSCRIBERS_ENV)
    path = Path(env) if env else Path(config.email.subscribers)
    return path if path.is_absolute() else project.root / path


def subscriber_addresses(path: Path) -> list[str]:
    """The ``email`` column of every row, lower-cased, whatever the row's status (who
    unsubscribed is still a person with a private address); none when there is no file.
    A file ``send`` would refuse (not UTF-8, no header) is read as well as it can be:
    its mistakes are for the mail commands to report."""
    try:
        text = path.read_bytes().decode("utf-8-sig", "replace")
    except OSError:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or []]
    return [(row.get("email") or "").strip().lower() for row in reader]


def check_public_addresses(project: Project, config: Config, diags: Diagnostics) -> None:
    """An error at each public address or ``@domain`` that a subscriber's address
    matches: a subscriber's address can never be allowed on the site. The message says
    how many match, never which address."""
    public = config.privacy
    if not public.public_addresses:
        return  # nothing allowed: the subscribers file is not even opened
    path = subscribers_path(project, config)
    matches: Counter[str] = Counter()
    for address in subscriber_addresses(path):
        for pattern in (address, "@" + address.rpartition("@")[2]):
            if pattern in public.public_addresses:
                matches[pattern] += 1
    shown = project.relative(path)
    for pattern, count in matches.items():
        who = f"{count} subscriber{'s' * (count != 1)} in {shown} ha{'ve' if count != 1 else 's'}"
        if pattern.startswith("@"):
            message = f"{who} an address at {pattern[1:]}"
            hint = f"list the public addresses at {pattern[1:]} one by one instead of {pattern}"
        else:  # naming it would tell the log who subscribes
            message = f"{who} this address"
            hint = "remove it from public_addresses: a subscriber's address is never published"
        diags.error(public.marks.get(pattern, config.location), "privacy.subscriber", message, hint)

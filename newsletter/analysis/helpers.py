"""Helpers: who could answer an open ask, ranked on evidence, with the reason in words.

(Being written: the retrieval model lands next; until then no helper is suggested.)
"""

from __future__ import annotations

import datetime as dt

from newsletter.core.community import Ask, Helper, NetworkOptions
from newsletter.core.model import Member, Post


def rank_helpers(
    members: dict[str, Member],
    posts: list[Post],
    asks: list[Ask],
    today: dt.date,
    options: NetworkOptions,
    language: str = "en",
) -> dict[str, tuple[Helper, ...]]:
    """Each open ask's key → up to ``options.helpers`` helpers, best first."""
    return {}

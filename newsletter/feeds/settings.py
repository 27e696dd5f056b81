"""How `fetch` downloads: its own module, so the command line can show the defaults
without importing httpx."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FetchSettings:
    jobs: int = 16
    """Feeds downloaded at the same time."""
    per_host: int = 2
    """Feeds downloaded at the same time from any one host (its name in the feed's URL)."""
    connect_timeout: float = 10.0
    read_timeout: float = 10.0
    """Longest wait for the next bytes from a server."""
    feed_timeout: float = 30.0
    """Longest time for one feed, however the server behaves."""
    max_bytes: int = 5 * 1024 * 1024
    """Largest feed, before and after decompression."""
    max_redirects: int = 5
    stale_days: int = 7
    allow_private: bool = False
    """Let feeds reach loopback, private and other non-public addresses (feeds/http.py)."""
    site_url: str = ""
    """The newsletter's own address (base_url), named in the User-Agent."""
    max_retries: int = 3
    """Retries of a 429 or 503 whose Retry-After fits in the time left of ``feed_timeout``."""

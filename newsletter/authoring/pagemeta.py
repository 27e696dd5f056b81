"""Page metadata: a shared link's title and summary, to pre-fill `new post --link`.

Reads at most ``MAX_BYTES`` of the page within ``timeout`` seconds, and takes Open
Graph (``og:title``, ``og:description``), then Twitter card, then ``<title>`` and
``<meta name="description">``. Any failure — no network, a slow server, not HTML —
gives empty metadata: the command then asks, as it would without a link. A link that
would reach this machine or its network is refused (:class:`AddressRefused`, the
guard of :mod:`newsletter.feeds.http`, which makes the client), unless the project
allows it with ``feeds.allow_private``.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from newsletter.core.diagnostics import Diagnostics
from newsletter.core.markup import shorten
from newsletter.feeds.http import AddressRefused, page_client, refusal
from newsletter.load import load_config
from newsletter.pipeline.check import POST_PLACEHOLDER
from newsletter.project.sources import Project

__all__ = ["AddressRefused", "PageMeta", "fetch_meta", "link_meta", "parse_meta"]

MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class PageMeta:
    title: str = ""
    description: str = ""

    def opening(self) -> str:
        """A new post's first lines about this page: its summary quoted, and the
        placeholder for what the member is asked to add; nothing when the page has no
        summary."""
        if not self.description:
            return ""
        return f"> {self.description}\n\n{POST_PLACEHOLDER}\n"


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
        elif tag == "title":
            self.in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def parse_meta(page: str) -> PageMeta:
    head = _Head()
    head.feed(page)
    meta = head.meta
    title = meta.get("og:title") or meta.get("twitter:title") or head.title
    description = (
        meta.get("og:description") or meta.get("twitter:description") or meta.get("description")
    )
    return PageMeta(
        shorten(html.unescape(title), 200), shorten(html.unescape(description or ""), 500)
    )


def link_meta(project: Project, url: str) -> PageMeta:
    """:func:`fetch_meta` as the project's newsletter.yaml says: its ``feeds.allow_private``,
    and its base_url in the User-Agent."""
    config = load_config(project, Diagnostics())  # its mistakes are for `check` to report
    return fetch_meta(url, allow_private=config.feeds.allow_private, site_url=config.base_url)


def fetch_meta(
    url: str, timeout: float = 5.0, *, allow_private: bool = False, site_url: str = ""
) -> PageMeta:
    """The page's title and description; empty when it cannot be had in time.

    Raises :class:`AddressRefused` when the page (or a redirect on the way) is at an
    address off limits: the caller says so, rather than a silent empty answer."""
    try:
        with (
            page_client(timeout, allow_private=allow_private, site_url=site_url) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400 or "html" not in response.headers.get(
                "content-type", "html"
            ):
                return PageMeta()
            data, deadline = b"", time.monotonic() + timeout
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= MAX_BYTES or b"</head>" in data or time.monotonic() > deadline:
                    break  # the head is all we need; a trickling server gets no more time
            return parse_meta(data[:MAX_BYTES].decode(response.encoding or "utf-8", "replace"))
    except httpx.HTTPError as err:
        if refused := refusal(err):
            raise refused from None
        return PageMeta()
    except (httpx.InvalidURL, ValueError):
        return PageMeta()

"""Fetch: every member's feeds, concurrently, into the cache. The only network I/O.

Each feed gets a bounded download (httpx, async): per-request connect and read
timeouts, an overall deadline per feed (a server that trickles bytes is cut off),
a size cap on the bytes as sent *and* as decoded (a gzip bomb is refused after
``max_bytes``, not after filling memory), redirects up to a limit with permanent
ones reported, and conditional GET (ETag, Last-Modified) plus a content hash so an
unchanged feed costs a 304 and no parsing. One feed's failure is that feed's
report line; it never stops the others.

Politely: at most ``per_host`` feeds of one host at a time (within ``jobs`` in all), a
User-Agent naming the newsletter, and a 429 or 503's Retry-After honoured when the wait
fits in the feed's time. The client itself, and the guard that keeps members' URLs
out of this machine and its network, are in :mod:`newsletter.feeds.http`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import os
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from urllib.parse import urlsplit

import httpx

from newsletter.core import clock
from newsletter.core.diagnostics import Diagnostic, Diagnostics, Location, did_you_mean
from newsletter.core.errors import NewsletterError, ProjectError
from newsletter.core.model import Config, Member
from newsletter.core.parallel import clean_process_pool
from newsletter.feeds.cache import FeedCache, FeedState, open_cache
from newsletter.feeds.http import feed_client, refusal
from newsletter.feeds.parse import FeedError, ParsedFeed, parse_feed
from newsletter.feeds.settings import FetchSettings
from newsletter.project.sources import Project


@dataclass(frozen=True)
class FeedTarget:
    """A feed to fetch: its URL, whose it is, and where the member's file names it."""

    url: str
    member: str
    location: Location


class FeedOutcome(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not modified"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass
class FeedReport:
    target: FeedTarget
    outcome: FeedOutcome
    entries: int = 0
    new: int = 0
    detail: str = ""
    warnings: list[str] = field(default_factory=list)
    moved_to: str = ""
    stale_days: int | None = None
    seconds: float = 0.0


class FetchFailed(NewsletterError):
    """This feed could not be fetched; the message is the reason, in words."""


@dataclass(frozen=True)
class Download:
    status: int
    url: str
    headers: dict[str, str]
    body: bytes
    moved_to: str


# -- one download -------------------------------------------------------------------


class _Body:
    """Collects a response body, decoding gzip/deflate, refusing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.decoder = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.decoder = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        else:
            raise FetchFailed(f"the feed is compressed as {encoding!r}, which is not supported")

    def add(self, chunk: bytes) -> None:
        if self.decoder is None:
            self._keep(chunk)
            return
        try:
            data = chunk
            while data:
                # never more than the limit at once: a bomb expands only as far as we let it
                self._keep(self.decoder.decompress(data, self.limit - self.size + 1))
                data = self.decoder.unconsumed_tail
        except zlib.error as err:
            raise FetchFailed(f"the compressed body is corrupt ({err})") from err

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchFailed(
                f"the feed is larger than {self.limit // (1024 * 1024)} MB"
                + (" once decompressed" if self.decoder else "")
            )
        self.parts.append(data)

    def bytes(self) -> bytes:
        if self.decoder is not None:
            self._keep(self.decoder.flush())
        return b"".join(self.parts)


async def download(
    client: httpx.AsyncClient,
    url: str,
    state: FeedState | None,
    settings: FetchSettings,
    now: Callable[[], dt.datetime] = clock.now,
    deadline: float = float("inf"),
) -> Download:
    """The feed at ``url``, conditionally when ``state`` has validators. A 429 or 503 with
    Retry-After is asked again after the wait if that starts before ``deadline`` (the
    event loop's clock), at most ``settings.max_retries`` times; ``now`` reads a
    Retry-After date."""
    headers = {}
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    retries = 0
    while True:
        try:
            async with client.stream("GET", url, headers=headers) as response:
                wait = retry_after(response, now())
                if wait is None or retries >= settings.max_retries:
                    return await _receive(response, settings)
                if wait >= deadline - asyncio.get_running_loop().time():
                    raise FetchFailed(_wait_too_long(response, wait, settings))
        except httpx.HTTPError as err:
            raise FetchFailed(_transport_reason(err, settings, url)) from err
        except httpx.InvalidURL as err:  # not an HTTPError: e.g. 0177.0.0.1, a dotted octal
            raise FetchFailed(f"not a URL that can be fetched: {err}") from err
        retries += 1
        await asyncio.sleep(wait)  # the response is closed: no connection held meanwhile


async def _receive(response: httpx.Response, settings: FetchSettings) -> Download:
    moved = _moved_to(response)
    if response.status_code == 304:
        return Download(304, str(response.url), dict(response.headers), b"", moved)
    if response.status_code >= 400:
        raise FetchFailed(_http_reason(response))
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchFailed(
            f"the feed is {int(declared) // (1024 * 1024)} MB, larger than "
            f"{settings.max_bytes // (1024 * 1024)} MB"
        )
    body = _Body(response.headers.get("content-encoding", ""), settings.max_bytes)
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        if raw > settings.max_bytes:
            raise FetchFailed(f"the feed is larger than {settings.max_bytes // (1024 * 1024)} MB")
        body.add(chunk)
    return Download(
        response.status_code, str(response.url), dict(response.headers), body.bytes(), moved
    )


RETRY_STATUSES = (429, 503)


def retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    """Seconds a 429 or 503 asks us to wait (Retry-After: seconds, or an HTTP-date, read
    against ``now``); None for any other answer, or one without a Retry-After we can read."""
    if response.status_code not in RETRY_STATUSES:
        return None
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, as HTTP-dates always are
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _wait_too_long(response: httpx.Response, wait: float, settings: FetchSettings) -> str:
    value = response.headers.get("retry-after", "").strip()
    asked = f"in {wait:.0f} s" if value.isdigit() else f"at {value} (in {wait:.0f} s)"
    return (
        f"HTTP {response.status_code} {response.reason_phrase}: the server asks us to come "
        f"back {asked}, more than this feed has left of its {settings.feed_timeout:g} s "
        "(--feed-timeout)"
    )


def _moved_to(response: httpx.Response) -> str:
    """The new URL if every redirect on the way was permanent (301/308)."""
    history = response.history
    if history and all(r.status_code in (301, 308) for r in history):
        return str(response.url)
    return ""


def _http_reason(response: httpx.Response) -> str:
    code = response.status_code
    reason = response.reason_phrase or "error"
    if code in (404, 410):
        return f"HTTP {code} {reason}: the feed is not at this address any more"
    if code in (401, 403):
        return f"HTTP {code} {reason}: the server refuses to serve the feed"
    if code == 429:
        return f"HTTP {code} {reason}: the server asks us to slow down"
    if code >= 500:
        return f"HTTP {code} {reason}: the server failed; it may work next time"
    return f"HTTP {code} {reason}"


def _transport_reason(err: httpx.HTTPError, settings: FetchSettings, url: str = "") -> str:
    if refused := refusal(err):
        try:
            hop = str(err.request.url)  # the redirect's target, when that is what was refused
        except RuntimeError:  # no request recorded
            hop = url
        return str(refused) if hop == url else f"redirected to {hop}; {refused}"
    chain: list[BaseException] = []
    cause: BaseException | None = err
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    text = str(err) or type(err).__name__
    if isinstance(err, httpx.TooManyRedirects):
        return f"more than {settings.max_redirects} redirects (a redirect loop?)"
    if isinstance(err, httpx.ConnectTimeout):
        return f"could not connect within {settings.connect_timeout:g} s"
    if isinstance(err, httpx.ReadTimeout):
        return f"the server sent nothing for {settings.read_timeout:g} s"
    if isinstance(err, httpx.TimeoutException):
        return f"timed out ({text})"
    if any(isinstance(c, socket.gaierror) for c in chain):
        return "DNS lookup failed: no such host"
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return "connection refused: nothing listens at that address"
    if tls := next((c for c in chain if isinstance(c, ssl.SSLError)), None):
        return f"TLS error: {getattr(tls, 'reason', None) or tls}"
    if isinstance(err, httpx.UnsupportedProtocol):
        return f"not a URL that can be fetched: {text}"
    if isinstance(err, httpx.RemoteProtocolError):
        return f"the server broke off or spoke broken HTTP: {text}"
    return f"network error: {text}"


# -- one feed: download, parse, store --------------------------------------------------


Parser = Callable[[bytes, str, dict[str, str]], Awaitable[ParsedFeed]]


class Slots:
    """At most ``jobs`` downloads at once, and at most ``per_host`` of them from one host.

    A feed takes its host's slot before one of the ``jobs``: feeds queued behind a busy
    host hold none of the slots that other hosts' feeds could use."""

    def __init__(self, jobs: int, per_host: int) -> None:
        self.jobs = asyncio.Semaphore(max(1, jobs))
        self.per_host = max(1, per_host)
        self.hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def hold(self, url: str) -> AsyncIterator[None]:
        try:
            host = urlsplit(url).hostname or url
        except ValueError:  # an unbalanced '[': the fetch reports it
            host = url
        async with self.hosts.setdefault(host, asyncio.Semaphore(self.per_host)), self.jobs:
            yield


async def fetch_one(
    open_client: Callable[[], httpx.AsyncClient],
    target: FeedTarget,
    cache: FeedCache,
    settings: FetchSettings,
    now: Callable[[], dt.datetime],
    slots: Slots,
    parse: Parser,
) -> FeedReport:
    state = cache.state(target.url)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        # slots are held while downloading, not while parsing; one client (one connection)
        # per feed: httpx's shared pool costs O(connections) per request, far too much at
        # hundreds of feeds
        async with slots.hold(target.url), open_client() as client:
            deadline = loop.time() + settings.feed_timeout
            async with asyncio.timeout_at(deadline):
                got = await download(client, target.url, state, settings, now, deadline)
        report = await _store(got, target, state, cache, now(), parse)
    except (FetchFailed, FeedError) as err:
        report = FeedReport(target, FeedOutcome.FAILED, detail=str(err))
    except TimeoutError:
        report = FeedReport(
            target,
            FeedOutcome.FAILED,
            detail=f"took longer than {settings.feed_timeout:g} s in all; cut off",
        )
    report.seconds = asyncio.get_running_loop().time() - started
    if report.outcome is FeedOutcome.FAILED:
        at = now()
        cache.record_failure(target.url, at, report.detail)
        since = state.last_success if state else None
        if since and (at - since).days >= settings.stale_days:
            report.stale_days = (at - since).days
    return report


async def _store(
    got: Download,
    target: FeedTarget,
    state: FeedState | None,
    cache: FeedCache,
    now: dt.datetime,
    parse: Parser,
) -> FeedReport:
    if got.status == 304 and state is not None:
        cache.record_not_modified(target.url, now, FeedOutcome.NOT_MODIFIED)
        return FeedReport(target, FeedOutcome.NOT_MODIFIED, moved_to=got.moved_to)
    digest = hashlib.sha256(got.body).hexdigest()
    if state is not None and state.content_hash == digest and state.last_status != "failed":
        cache.record_not_modified(target.url, now, FeedOutcome.UNCHANGED)
        return FeedReport(target, FeedOutcome.UNCHANGED, moved_to=got.moved_to)
    parsed = await parse(got.body, got.url, got.headers)
    new_state = replace(
        state or FeedState(target.url),
        title=parsed.title,
        site_url=parsed.site_url,
        etag=got.headers.get("etag", ""),
        last_modified=got.headers.get("last-modified", ""),
        content_hash=digest,
        moved_to=got.moved_to,
    )
    new = cache.record_success(new_state, now, parsed.entries)
    warnings = list(parsed.warnings)
    if not parsed.entries:
        warnings.append("the feed has no entries")
    return FeedReport(
        target,
        FeedOutcome.OK,
        entries=len(parsed.entries),
        new=new,
        warnings=warnings,
        moved_to=got.moved_to,
    )


# -- all feeds --------------------------------------------------------------------------


PARALLEL_PARSING = 16
"""With this many feeds or more, parsing runs in worker processes, one per core."""


@contextmanager
def parser_for(count: int) -> Iterator[Parser]:
    """Parsing is CPU work (feedparser is pure Python): off the event loop so downloads keep
    flowing, and over all cores when there are many feeds."""
    cores = os.cpu_count() or 1
    if count < PARALLEL_PARSING or cores < 2:

        async def in_thread(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
            return await asyncio.to_thread(parse_feed, body, url, headers)

        yield in_thread
        return
    with clean_process_pool(cores) as pool:  # this process runs threads: never forked

        async def in_process(body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(pool, parse_feed, body, url, headers)

        yield in_process


async def fetch_all(
    targets: Sequence[FeedTarget],
    cache: FeedCache,
    settings: FetchSettings,
    on_done: Callable[[FeedReport], None] = lambda report: None,
    now: Callable[[], dt.datetime] = clock.now,
) -> list[FeedReport]:
    """Fetch every target, at most ``settings.jobs`` at once and ``settings.per_host`` from
    one host; reports in target order."""
    slots = Slots(settings.jobs, settings.per_host)

    tls = httpx.create_ssl_context()  # loading the CA certificates once, not per feed

    async def one(target: FeedTarget) -> FeedReport:
        report = await fetch_one(
            lambda: feed_client(settings, tls), target, cache, settings, now, slots, parse
        )
        on_done(report)
        return report

    with parser_for(len(targets)) as parse:
        return list(await asyncio.gather(*(one(t) for t in targets)))


def fetch(
    targets: Sequence[FeedTarget],
    cache: FeedCache,
    settings: FetchSettings,
    on_done: Callable[[FeedReport], None] = lambda report: None,
    now: Callable[[], dt.datetime] = clock.now,
) -> list[FeedReport]:
    """The blocking entry point for commands: every target fetched, one report each."""
    return asyncio.run(fetch_all(targets, cache, settings, on_done, now))


# -- a project's feeds ------------------------------------------------------------------


@dataclass
class FetchRun:
    """What ``newsletter fetch`` did: one report per feed, and problems in member files."""

    reports: list[FeedReport]
    diagnostics: list[Diagnostic]
    seconds: float = 0.0

    def count(self, outcome: FeedOutcome) -> int:
        return sum(r.outcome is outcome for r in self.reports)

    @property
    def failed(self) -> int:
        return self.count(FeedOutcome.FAILED)


def targets(members: dict[str, Member], only: str | None = None) -> list[FeedTarget]:
    """Each feed once (the first member to list it), members in handle order."""
    seen: dict[str, FeedTarget] = {}
    for handle, member in sorted(members.items()):
        if only and handle != only:
            continue
        for spec in member.feeds:
            seen.setdefault(spec.url, FeedTarget(spec.url, handle, spec.location))
    return list(seen.values())


def fetch_project(
    project: Project,
    config: Config,
    members: dict[str, Member],
    diags: Diagnostics,
    settings: FetchSettings,
    only: str | None = None,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[FeedReport], None] = lambda report: None,
    now: Callable[[], dt.datetime] = clock.now,
) -> FetchRun:
    """Fetch the feeds of ``members`` (or of member ``only``) into the project's cache;
    ``config`` and ``members`` as ``newsletter.load.load_members`` read them, and
    ``diags`` holds what it found.

    ``now`` stamps what is first seen (and dates entries with no date or a future one),
    and is where backfill is counted from: the real clock unless a caller pins it."""
    if only and only not in members:
        raise ProjectError(
            f"no member '{only}'{did_you_mean(only, members)}; members are the files "
            "in content/members/"
        )
    settings = replace(
        settings,
        stale_days=config.feeds.stale_days,
        allow_private=settings.allow_private or config.feeds.allow_private,
        site_url=config.base_url,
    )
    wanted = targets(members, only)
    on_start(len(wanted))
    started = time.perf_counter()
    with open_cache(project.state, create=bool(wanted), diags=diags) as cache:
        reports = fetch(wanted, cache, settings, on_done, now) if cache is not None else []
    return FetchRun(reports, diags.sorted(), time.perf_counter() - started)

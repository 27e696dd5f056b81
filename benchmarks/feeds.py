"""Benchmark `newsletter fetch`, and the build with members' feeds, against a local server.

    python benchmarks/feeds.py [--feeds 500] [--entries 20] [--latency 1.0] [--quick] [--keep]

A small HTTP/1.1 server (asyncio, in a background thread of this process) serves N RSS 2.0
feeds of E entries each at http://127.0.0.1:PORT/feeds/<i>.xml. Every answer waits
--latency seconds first (all requests wait at the same time, like distant servers), carries
an ETag, and is a bodiless 304 when If-None-Match matches. A temporary project has N members,
one feed each, an edition dated today and one Markdown post. Each scenario runs the real
command line in a child process:

    cold fetch      no .newsletter/: every feed is downloaded and parsed (--jobs 16, then 128)
    warm fetch      every feed answers 304 (--jobs 128, then 16)
    build           with the cache full (N × E feed items), then with .newsletter/ moved away
    hanging feeds   50 feeds of which 5 never answer, --feed-timeout 3 --timeout 2 --jobs 64

Each row gives wall time (perf_counter around the child), the lower bound a fetch cannot beat
(latency × ceil(feeds / jobs)), the child's peak RSS (os.wait4: that child alone) and the
server's answers during that run by status. Figures are for people to read; nothing here
asserts a threshold. Standard library only (plus `newsletter` itself). Exits 1 if a command
fails, printing its stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import hashlib
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from run import maxrss_mb, newsletter_command  # the same child-process measures

BASE_URL = "https://bench.example.org/"
BACKFILL_DAYS = 60
SPREAD_DAYS = 30
"""Entries are dated over this many days before now (well inside ``BACKFILL_DAYS``)."""
WORDS_PER_ENTRY = 150
CATEGORIES = ["Python", "Open Data", "Maps", "Research", "Accessibility", "Statistics"]
VOCABULARY = (
    "data city council map survey street model open health transport housing school "
    "budget report census method sample error chart table file code library test release "
    "volunteer meeting workshop question answer week month project team archive record "
    "address station river park energy air quality noise bus bike route source licence "
    "schema column value count average median trend pattern result draft review"
)
"""The words of entry titles and descriptions."""
WORDS = VOCABULARY.split()

HANG_FEEDS = 50
"""Feeds in the hanging-feeds scenario, of which ``HANG_SILENT`` never answer."""
HANG_SILENT = 5
HANG_SLEEP = 600.0
HANG_JOBS = 64
HANG_TIMEOUT = 2.0
HANG_FEED_TIMEOUT = 3.0

COLD_JOBS = (16, 128)
WARM_JOBS = (128, 16)


# -- the feeds ------------------------------------------------------------------------------


def entry_html(rng: random.Random, blog: int, words: int) -> str:
    """About ``words`` words of HTML: paragraphs with a link and some emphasis."""
    paragraphs: list[str] = []
    left = words
    while left > 0:
        size = min(left, rng.randint(35, 60))
        chosen = rng.choices(WORDS, k=size)
        chosen[0] = chosen[0].capitalize()
        at = rng.randrange(size)
        chosen[at] = f"<em>{chosen[at]}</em>"
        if not paragraphs:
            at = rng.randrange(size)
            link = f"https://blog{blog}.example.org/notes/{rng.randrange(1000)}/"
            chosen[at] = f'<a href="{link}">{chosen[at]}</a>'
        paragraphs.append(f"<p>{' '.join(chosen)}.</p>")
        left -= size
    return "\n".join(paragraphs)


def make_feed(blog: int, entries: int, now: dt.datetime) -> bytes:
    """An RSS 2.0 document for blog number ``blog``; the same arguments give the same bytes."""
    rng = random.Random(blog)
    ages = sorted(rng.uniform(1 / 24, SPREAD_DAYS) for _ in range(entries))
    home = f"https://blog{blog}.example.org/"
    items: list[str] = []
    for j, age in enumerate(ages):
        link = f"{home}posts/{j}/"
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 7))).capitalize()
        date = email.utils.format_datetime(now - dt.timedelta(days=age), usegmt=True)
        categories = "".join(
            f"<category>{c}</category>" for c in rng.sample(CATEGORIES, rng.randint(1, 3))
        )
        items.append(
            f"<item><title>{escape(title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><pubDate>{date}</pubDate>{categories}'
            f"<description>{escape(entry_html(rng, blog, WORDS_PER_ENTRY))}</description>"
            "</item>"
        )
    body = "\n".join(items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Blog {blog}</title><link>{home}</link>"
        f"<description>Notes from blog {blog}.</description><language>en</language>\n"
        f"{body}\n</channel></rss>\n"
    ).encode()


# -- the server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """One feed's bytes and their entity tag."""

    body: bytes
    etag: str


class FeedServer:
    """An asyncio HTTP/1.1 server in a background thread, serving the benchmark's feeds.

    ``/feeds/<i>.xml`` answers after ``latency`` seconds: 200 with the feed, or 304 when
    If-None-Match holds its ETag. ``/hang/<i>.xml`` never answers (it sleeps ``HANG_SLEEP``
    seconds). Keep-alive is honoured (HTTP/1.1 unless ``Connection: close``). Answers are
    counted by status, silent requests as ``hung``.
    """

    def __init__(self, feeds: list[bytes], latency: float) -> None:
        self.feeds = [Feed(b, '"' + hashlib.sha256(b).hexdigest()[:32] + '"') for b in feeds]
        self.latency = latency
        self.port = 0
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._run, name="feed-server", daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise RuntimeError("the feed server did not start") from self._failure
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def counts(self) -> Counter[str]:
        """A copy of the answers so far, by status ("200", "304", "404", "hung", ...)."""
        with self._lock:
            return Counter(self._counts)

    def _count(self, status: str) -> None:
        with self._lock:
            self._counts[status] += 1

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as err:  # reported by __enter__ if it happens before start-up
            self._failure = err
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=4096)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while await self._exchange(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Only __exit__ cancels handlers (those still sleeping). Python 3.11's start_server
            # logs a handler task that ends cancelled as an error, so it ends normally instead.
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Read one request and answer it; whether the connection stays open."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed the connection between requests
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = [*lines[0].split(" ", 2), "", ""][:3]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if int(headers.get("content-length", "0") or 0):
            await reader.readexactly(int(headers["content-length"]))
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"

        status, extra, body = await self._answer(target, headers)
        self._count(str(status))
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
        out = [f"HTTP/1.1 {status} {reason}", f"Date: {email.utils.formatdate(usegmt=True)}"]
        out += [f"{k}: {v}" for k, v in extra.items()]
        if status != 304:
            out.append(f"Content-Length: {len(body)}")
        out.append("Connection: keep-alive" if keep_alive else "Connection: close")
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD" and status != 304:
            writer.write(body)
        await writer.drain()
        return keep_alive

    async def _answer(
        self, target: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request, after the latency."""
        path = target.split("?", 1)[0]
        folder, _, name = path.rpartition("/")
        number = name.removesuffix(".xml")
        if folder == "/hang" and number.isdigit():
            self._count("hung")
            await asyncio.sleep(HANG_SLEEP)
        await asyncio.sleep(self.latency)
        if folder != "/feeds" or not number.isdigit() or int(number) >= len(self.feeds):
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        feed = self.feeds[int(number)]
        extra = {"ETag": feed.etag, "Cache-Control": "max-age=0"}
        if feed.etag in (t.strip() for t in headers.get("if-none-match", "").split(",")):
            return 304, extra, b""
        return 200, {**extra, "Content-Type": "application/rss+xml; charset=utf-8"}, feed.body


# -- the project ----------------------------------------------------------------------------


def write_project(root: Path, urls: list[str], today: dt.date) -> None:
    """A project with one member per feed URL, one edition dated today and one post."""
    members = root / "content" / "members"
    members.mkdir(parents=True)
    (root / "newsletter.yaml").write_text(
        f"title: Feeds benchmark\nbase_url: {BASE_URL}\n"
        f"feeds: {{backfill_days: {BACKFILL_DAYS}}}\n",
        encoding="utf-8",
    )
    for i, url in enumerate(urls):
        (members / f"m{i}.yaml").write_text(f"name: Member {i}\nfeeds: [{url}]\n", encoding="utf-8")
    editions = root / "content" / "editions"
    editions.mkdir(parents=True)
    (editions / "1.md").write_text(
        f"---\ntitle: Bench\ndate: {today.isoformat()}\n---\nNote.\n", encoding="utf-8"
    )
    posts = root / "content" / "posts" / str(today.year)
    posts.mkdir(parents=True)
    (posts / "hello.md").write_text(
        f"---\ntitle: Hello\nby: m0\ndate: {today.isoformat()}\n---\nHi.\n", encoding="utf-8"
    )


def count_items(site: Path) -> int:
    """Post pages in the built site (feed items and Markdown posts alike)."""
    return sum(1 for _ in site.glob("posts/*/*/index.html"))


# -- running the command line ---------------------------------------------------------------


class CommandError(Exception):
    """A child command exited with a non-zero status."""

    def __init__(self, scenario: str, command: list[str], code: int, stderr: str) -> None:
        super().__init__(f"{scenario}: `{' '.join(command)}` exited with {code}")
        self.stderr = stderr


@dataclass
class Outcome:
    """One child run: wall time, peak RSS and what it printed."""

    seconds: float
    peak_mb: float
    stdout: str


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    seconds: float
    peak_mb: float
    jobs: int | None = None
    bound: float | None = None
    answers: Counter[str] = field(default_factory=Counter)
    note: str = ""


def measure(command: list[str], scenario: str) -> Outcome:
    """Run one command in a fresh child: wall seconds, peak RSS of that child, its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, rusage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise CommandError(scenario, command, proc.returncode, stderr or stdout)
    return Outcome(seconds, maxrss_mb(rusage), stdout)


def last_line(text: str) -> str:
    """The last non-blank line of a command's output (the summary of `fetch --quiet`)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


# -- the scenarios --------------------------------------------------------------------------


@dataclass
class Bench:
    """The settings of one benchmark run, and the rows and notes it collects."""

    command: list[str]
    server: FeedServer
    feeds: int
    entries: int
    latency: float
    today: dt.date
    report: Callable[[str], None]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fetch(
        self, project: Path, scenario: str, jobs: int, *extra: str, bound: float | None = None
    ) -> Row:
        """Run `fetch` once; its row counts the server's answers during the run."""
        before = self.server.counts()
        cmd = [*self.command, "-C", str(project), "fetch", "--jobs", str(jobs), "--quiet"]
        # one local server stands for as many distant hosts: allowed, and not limited per host
        cmd += ["--allow-private", "--per-host", str(jobs), *extra]
        got = measure(cmd, scenario)
        answers = self.server.counts() - before
        if bound is None:
            bound = self.latency * math.ceil(self.feeds / jobs)
        row = Row(scenario, got.seconds, got.peak_mb, jobs, bound, answers, last_line(got.stdout))
        self.report(f"  {scenario} (--jobs {jobs}): {got.seconds:.2f} s  {row.note}")
        self.rows.append(row)
        return row

    def build(self, project: Path, scenario: str) -> Row:
        """Two builds from an empty site/; the row keeps the faster."""
        cmd = [*self.command, "-C", str(project), "build", "--quiet", "--today", str(self.today)]
        runs: list[Outcome] = []
        for _ in range(2):
            shutil.rmtree(project / "site", ignore_errors=True)
            runs.append(measure(cmd, scenario))
        best = min(runs, key=lambda r: r.seconds)
        note = f"runs {runs[0].seconds:.2f} s, {runs[1].seconds:.2f} s"
        row = Row(scenario, best.seconds, best.peak_mb, note=note)
        self.report(f"  {scenario}: {note}")
        self.rows.append(row)
        return row

    def main_project(self, project: Path) -> None:
        """Cold and warm fetches, then builds with and without the cache."""
        urls = [self.server.url(f"/feeds/{i}.xml") for i in range(self.feeds)]
        write_project(project, urls, self.today)
        state = project / ".newsletter"
        for jobs in COLD_JOBS:
            shutil.rmtree(state, ignore_errors=True)
            self.fetch(project, "cold fetch", jobs)
        for jobs in WARM_JOBS:
            self.fetch(project, "warm fetch", jobs)

        with_cache = self.build(project, "build, cache full")
        items = count_items(project / "site")
        away = project.parent / "newsletter-state-away"
        state.rename(away)
        try:
            without = self.build(project, "build, no cache")
            plain = count_items(project / "site")
        finally:
            shutil.rmtree(state, ignore_errors=True)  # what that build made: its lock, its cache
            away.rename(state)
        self.notes.append(
            f"post pages in site/posts/*/*/index.html: {items:,} with the cache, {plain:,} "
            f"without (expected {self.feeds * self.entries + 1:,} and 1: the Markdown post)"
        )
        self.notes.append(
            f"build time added by {items - plain:,} cached feed items: "
            f"{with_cache.seconds - without.seconds:+.2f} s "
            f"({(with_cache.seconds - without.seconds) * 1000 / max(1, items - plain):.2f} ms "
            f"per item), peak RSS {with_cache.peak_mb - without.peak_mb:+.0f} MB"
        )

    def hanging(self, project: Path) -> None:
        """``HANG_FEEDS`` feeds, ``HANG_SILENT`` of which never answer."""
        answering = HANG_FEEDS - HANG_SILENT
        urls = [self.server.url(f"/feeds/{i}.xml") for i in range(answering)]
        urls += [self.server.url(f"/hang/{i}.xml") for i in range(HANG_SILENT)]
        write_project(project, urls, self.today)
        # Silent servers are cut off by the first of the two timeouts; the rest run meanwhile.
        cut_off = min(HANG_TIMEOUT, HANG_FEED_TIMEOUT)
        bound = max(cut_off, self.latency * math.ceil(answering / HANG_JOBS))
        extra = ("--feed-timeout", f"{HANG_FEED_TIMEOUT:g}", "--timeout", f"{HANG_TIMEOUT:g}")
        row = self.fetch(
            project, f"hanging feeds ({HANG_SILENT}/{HANG_FEEDS})", HANG_JOBS, *extra, bound=bound
        )
        self.notes.append(
            f"hanging feeds: {row.seconds:.2f} s with {HANG_SILENT} silent servers, "
            f"--timeout {HANG_TIMEOUT:g} --feed-timeout {HANG_FEED_TIMEOUT:g}; one after another "
            f"they would take {HANG_SILENT * HANG_FEED_TIMEOUT:g} s or more"
        )


# -- output ---------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    """The rows as an aligned plain-text table."""
    header = ("scenario", "jobs", "seconds", "lower bound", "peak MB", "200", "304", "other")

    def other(answers: Counter[str]) -> str:
        rest = {k: v for k, v in sorted(answers.items()) if k not in ("200", "304") and v}
        return ", ".join(f"{v} {k}" for k, v in rest.items()) or "0"

    cells = [
        (
            r.scenario,
            "" if r.jobs is None else str(r.jobs),
            f"{r.seconds:.2f}",
            "" if r.bound is None else f"{r.bound:.2f}",
            f"{r.peak_mb:.0f}",
            "" if r.jobs is None else f"{r.answers['200']:,}",
            "" if r.jobs is None else f"{r.answers['304']:,}",
            "" if r.jobs is None else other(r.answers),
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    left = {0, 7}

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.ljust(w) if i in left else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run every scenario and print the table; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, help="number of feeds and members (default: 500)")
    parser.add_argument("--entries", type=int, default=20, help="entries per feed (default: 20)")
    parser.add_argument(
        "--latency", type=float, help="seconds the server waits before each answer (default: 1.0)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 50 feeds, latency 0.2 s")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated projects (the path is printed)"
    )
    args = parser.parse_args(argv)
    feeds: int = args.feeds or (50 if args.quick else 500)
    latency: float = args.latency if args.latency is not None else (0.2 if args.quick else 1.0)
    if feeds < 1 or args.entries < 1 or latency < 0:
        parser.error("--feeds and --entries must be positive, --latency not negative")

    def report(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    command = newsletter_command()
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    start = time.perf_counter()
    bodies = [make_feed(i, args.entries, now) for i in range(max(feeds, HANG_FEEDS))]
    made = time.perf_counter() - start
    size_mb = sum(len(b) for b in bodies[:feeds]) / 1e6
    report(f"made {len(bodies)} feeds ({size_mb:.1f} MB for the first {feeds}) in {made:.2f} s")

    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, os.cpu_count() = {os.cpu_count()}"
    )
    print(
        f"{feeds} feeds × {args.entries} entries ({size_mb:.1f} MB of RSS), "
        f"server latency {latency:g} s, today {today}"
    )
    print(f"command: {' '.join(command)} -C DIR fetch --jobs J --quiet | build --quiet --today")
    sys.stdout.flush()

    base = Path(tempfile.mkdtemp(prefix="newsletter-feeds-bench-"))
    failed: CommandError | None = None
    with FeedServer(bodies, latency) as server:
        bench = Bench(command, server, feeds, args.entries, latency, today, report)
        report(f"server on {server.url('/')}, projects in {base}")
        try:
            bench.main_project(base / "main")
            bench.hanging(base / "hanging")
        except CommandError as err:
            failed = err
            print(f"error: {err}; its stderr:", file=sys.stderr)
            print(err.stderr.rstrip(), file=sys.stderr, flush=True)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
        totals = server.counts()
    if bench.rows:
        print()
        print_table(bench.rows)
        print()
        for row in bench.rows:
            if row.jobs is not None:
                print(f"{row.scenario} --jobs {row.jobs}: {row.note}")
        for note in bench.notes:
            print(note)
        print(
            "server answers in all: " + ", ".join(f"{v:,} {k}" for k, v in sorted(totals.items()))
        )
    if args.keep:
        print(f"kept: {base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

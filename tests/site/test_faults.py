"""Faults injected for real: a full disk, a file-size limit and a refused write while site/
is written; a build killed with SIGKILL; a damaged feed cache and delivery ledger.

After each, site/ is byte for byte the old site (or, after a kill, the old or the new
one, whole), the error is one clear line with exit status 1, nothing is left behind
once the next build has run, and no damaged database is read as if it were sound.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import NEWSLETTER
from support.clock import TODAY
from support.feedserver import FeedServer
from support.helpers import post, project, write
from support.paths import REPO
from support.sending import send_project, subscribers
from support.smtpserver import SmtpServer


def newsletter(
    root: Path,
    *args: str,
    fsize: int | None = None,
    wrapper: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`newsletter ARGS` in its own process; ``fsize``: the largest file it may write."""

    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [*wrapper, *NEWSLETTER, *args],
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def snapshot(site: Path) -> dict[str, str]:
    """Every file under ``site`` (hidden ones too), by path: its SHA-256."""
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))


def one_line_error(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    error = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error) == 1, result.stderr
    assert reason in error[0], result.stderr


def two_posts(root: Path) -> Path:
    return project(root, {"a": post("Alpha", "ada"), "b": post("Beta", "grace")})


def grow_post_b(root: Path) -> None:
    """Beta's page, and the pages listing it in full, grow past 20 KB."""
    write(root, "content/posts/2026/b.md", post("Beta", "grace", body="long words " * 2200))


# -- writing site/ fails ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("cache", [False, True], ids=["staged", "incremental"])
def test_a_file_size_limit_leaves_the_old_site(tmp_path: Path, cache: bool) -> None:
    """RLIMIT_FSIZE: every write past 20 KB fails with EFBIG ('File too large'). With the
    build cache the first write to fail is the cache's, in .newsletter/."""
    root = two_posts(tmp_path / "p")
    options = ["--today", TODAY, "--no-search", *([] if cache else ["--no-cache"])]
    assert newsletter(root, "build", *options).returncode == 0
    before = snapshot(root / "site")
    grow_post_b(root)
    result = newsletter(root, "build", *options, fsize=20_000)
    one_line_error(result, "disk I/O error" if cache else "File too large")
    assert snapshot(root / "site") == before
    assert leftovers(root / "site") == []
    assert not list((root / ".newsletter").glob("*.corrupt-*"))  # full is not damaged
    assert newsletter(root, "build", *options).returncode == 0
    assert snapshot(root / "site") != before


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs, so that the disk really fills up (ENOSPC)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int = 16 * 1024) -> Path:
    """Fill ``disk`` but for ``leave`` bytes; returns the file that does it."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    filler.write_bytes(b"x" * (stat.f_bavail * stat.f_frsize - leave))
    return filler


@pytest.mark.slow
@pytest.mark.parametrize("cache", [False, True], ids=["staged", "in-place"])
def test_a_full_disk_leaves_the_old_site(tmp_path: Path, small_disk: Path, cache: bool) -> None:
    """site/ on a tmpfs that is full: a staged build cannot fill its staging folder, an
    in-place update (the cache is on another disk) cannot write its new pages."""
    root = two_posts(tmp_path / "p")
    site = small_disk / "site"
    options = ["--today", TODAY, "--no-search", "-o", str(site)]
    options += [] if cache else ["--no-cache"]
    assert newsletter(root, "build", *options).returncode == 0
    before = snapshot(site)
    filler = fill(small_disk)
    grow_post_b(root)
    result = newsletter(root, "build", *options)
    one_line_error(result, "No space left on device")
    assert snapshot(site) == before
    assert leftovers(site) == []
    filler.unlink()
    assert newsletter(root, "build", *options).returncode == 0
    assert snapshot(site) != before
    assert leftovers(site) == []


@pytest.mark.slow
@pytest.mark.parametrize("cache", [False, True], ids=["staged", "in-place"])
def test_a_refused_write_leaves_the_old_site(tmp_path: Path, cache: bool) -> None:
    """The output folder is read-only, and the build runs without the capability that
    lets root write anywhere (so permissions apply to it): EACCES."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop CAP_DAC_OVERRIDE")
    root = two_posts(tmp_path / "p")
    site = tmp_path / "out" / "site"
    options = ["--today", TODAY, "--no-search", "-o", str(site)]
    options += [] if cache else ["--no-cache"]
    assert newsletter(root, "build", *options).returncode == 0
    before = snapshot(site)
    folders = [site.parent, *(p for p in site.rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        grow_post_b(root)
        unprivileged = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")
        result = newsletter(root, "build", *options, wrapper=unprivileged)
        one_line_error(result, "Permission denied")
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert snapshot(site) == before
    assert leftovers(site) == []
    assert newsletter(root, "build", *options).returncode == 0
    assert snapshot(site) != before


# -- a build killed at any moment ---------------------------------------------------------


def _generate(root: Path, posts: int) -> Path:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generate.py"),
            str(root),
            "--posts",
            str(posts),
        ],
        check=True,
        capture_output=True,
    )
    return root


def _retitle(root: Path) -> None:
    """A change to every page: a staged build of the whole site."""
    config = root / "newsletter.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("title: ", "title: Renamed ", 1), encoding="utf-8")


def _build_while_writing(root: Path, options: list[str], kill_after: float | None) -> str:
    """Start a build; once it writes (a staging folder appears beside site/), wait
    ``kill_after`` s and SIGKILL it with its workers, or (None) let it finish. Returns
    how it ended, or how long it wrote before it finished."""
    proc = subprocess.Popen(
        [*NEWSLETTER, "build", *options],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its forked workers too, as one group
    )
    deadline = time.monotonic() + 240
    while proc.poll() is None and not leftovers(root / "site"):
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.002)
    started = time.monotonic()
    if kill_after is None:
        assert proc.wait() == 0
        return f"{time.monotonic() - started:.3f}"
    time.sleep(kill_after)
    if proc.poll() is not None:
        return "finished first"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return "killed"


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    """600 posts; the build that retitles every page is killed at moments spread over
    the time it writes (the last ones close to the swap): site/ is then exactly the old
    build or exactly the new one, and the next build finishes the job and removes what
    the killed ones left."""
    options = ["--today", TODAY, "--no-search"]
    root = _generate(tmp_path / "p", 600)
    assert newsletter(root, "build", *options).returncode == 0
    old = snapshot(root / "site")
    reference = _generate(tmp_path / "reference", 600)
    assert newsletter(reference, "build", *options).returncode == 0
    _retitle(reference)
    writing = float(_build_while_writing(reference, options, None))
    new = snapshot(reference / "site")
    assert old != new
    _retitle(root)
    rng = random.Random(int(os.environ.get("FAULT_SEED", "0")) or None)
    outcomes = []
    for fraction in (0.1, 0.4, 0.7, 0.95, 1.0, 1.3):
        delay = writing * fraction * rng.uniform(0.85, 1.05)
        outcome = _build_while_writing(root, options, delay)
        now = snapshot(root / "site")
        assert now in (old, new), f"after a kill at {delay:.2f} s site/ is neither build"
        outcomes.append((round(delay, 2), outcome, "new" if now == new else "old"))
        if now == new:
            break
    print("kills:", outcomes)  # shown with -s
    assert any(o[1:] == ("killed", "old") for o in outcomes), outcomes
    final = newsletter(root, "build", *options)
    assert final.returncode == 0, final.stderr
    assert snapshot(root / "site") == new
    assert leftovers(root / "site") == []


@pytest.mark.slow
@pytest.mark.parametrize("change", ["nothing", "one post"])
def test_any_next_build_clears_what_a_killed_one_left(tmp_path: Path, change: str) -> None:
    """Not only a whole new build: one with nothing to do, or an in-place update, too."""
    root = two_posts(tmp_path / "p")
    options = ["--today", TODAY, "--no-search"]
    assert newsletter(root, "build", *options).returncode == 0
    for name in (".site.new-k1ll3d", ".site.old-k1ll3d"):
        write(root, f"{name}/index.html", "half a site")
    if change == "one post":
        write(root, "content/posts/2026/b.md", post("Beta, revised", "grace"))
    result = newsletter(root, "build", *options)
    assert result.returncode == 0, result.stderr
    assert leftovers(root / "site") == []


# -- damaged databases ------------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    """Damage the SQLite file at ``path`` as a bad disk or a cut copy would."""
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if how == "garbage":
        path.write_bytes(random.Random(1).randbytes(len(data)))
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "flipped":  # a run of flipped bytes where the tables' pages are
        middle = bytearray(data)
        for i in range(len(data) // 2, len(data) // 2 + 512):
            middle[i] ^= 0xFF
        path.write_bytes(bytes(middle))
    else:
        raise ValueError(how)


DAMAGE = ["garbage", "truncated", "emptied", "flipped"]


@pytest.mark.slow
@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_feed_cache_is_reported_set_aside_and_fetched_again(
    tmp_path: Path, feed_server: FeedServer, how: str
) -> None:
    url = feed_server.route("/feed.xml", _feed(300))  # enough for pages in the middle
    root = project(
        tmp_path / "p",
        members={"ada": f"name: Ada\nfeeds: [{url}]\n", "grace": "name: Grace\n"},
    )
    assert (
        newsletter(root, "fetch", "--allow-private", "--today", TODAY).returncode == 0
    )  # a local server
    cache = root / ".newsletter" / "feeds.sqlite"
    _damage(cache, how)
    damaged = cache.read_bytes()

    built = newsletter(root, "build", "--today", TODAY, "--no-search")
    assert built.returncode == 0, built.stderr
    assert (".newsletter/feeds.sqlite:1:1: warning: the feed cache is damaged (") in built.stderr
    assert "this build has no feed items [feed.cache]" in built.stderr
    assert cache.read_bytes() == damaged  # build only reads: fetch sets it aside

    fetched = newsletter(root, "fetch", "--allow-private", "--today", TODAY)
    assert fetched.returncode == 0, fetched.stderr
    assert "warning: the feed cache was damaged (" in fetched.stderr
    asides = sorted(p.name for p in cache.parent.glob("feeds.sqlite.corrupt-*"))
    assert len(asides) == 1 and f"moved to .newsletter/{asides[0]}" in fetched.stderr
    assert (cache.parent / asides[0]).read_bytes() == damaged
    with sqlite3.connect(cache) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM entry").fetchone()[0] > 0
    again = newsletter(root, "build", "--today", TODAY, "--no-search")
    assert again.returncode == 0 and "feed cache" not in again.stderr


def _feed(entries: int) -> bytes:
    items = "".join(
        f"<item><title>Note {n}</title><link>https://blog.example.org/{n}</link>"
        f"<guid>n{n}</guid><pubDate>Mon, 0{1 + n % 9} Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{'Words about weak ties. ' * 40}</description></item>"
        for n in range(entries)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Ada</title>'
        f"<link>https://blog.example.org/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.slow
@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_ledger_stops_send_and_is_never_replaced(
    tmp_path: Path, smtp_server: SmtpServer, how: str
) -> None:
    root = send_project(tmp_path / "p", subscribers(200))
    env = {"NEWSLETTER_SMTP_URL": smtp_server.url}
    sent = newsletter(root, "send", "1", "--yes", "--today", TODAY, env=env)
    assert sent.returncode == 0, sent.stderr
    delivered = smtp_server.handler.count()
    ledger = root / ".newsletter" / "deliveries.sqlite"
    _damage(ledger, how)
    damaged = ledger.read_bytes()
    result = newsletter(root, "send", "latest", "--yes", "--today", TODAY, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr
    assert f"error: the delivery ledger {ledger} is damaged (" in message
    assert "so nothing is sent" in message
    assert "Restore it from a backup" in message
    assert f"mv {ledger} {ledger}.damaged" in message
    status = newsletter(root, "send", "1", "--status")
    assert status.returncode == 2 and "is damaged" in status.stderr
    assert ledger.read_bytes() == damaged  # never recreated, never repaired behind the back
    assert smtp_server.handler.count() == delivered
    # moved aside knowingly, a new ledger starts and everyone gets it (again)
    ledger.rename(f"{ledger}.damaged")
    again = newsletter(root, "send", "1", "--yes", "--today", TODAY, env=env)
    assert again.returncode == 0, again.stderr
    assert smtp_server.handler.count() == 2 * delivered


@pytest.mark.slow
def test_send_status_on_a_sound_ledger_is_unchanged(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    root = send_project(tmp_path / "p", subscribers(3))
    env = {"NEWSLETTER_SMTP_URL": smtp_server.url}
    assert newsletter(root, "send", "1", "--yes", "--today", TODAY, env=env).returncode == 0
    status = newsletter(root, "send", "1", "--status")
    assert status.returncode == 0 and "sent" in status.stdout

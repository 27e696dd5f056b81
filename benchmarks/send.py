"""Benchmark `newsletter send`: 10,000 personalized messages to a local SMTP sink.

    python benchmarks/send.py [--subscribers 10000] [--connections 1] [--quick] [--keep]

An aiosmtpd server on 127.0.0.1 (a thread of this process) counts what it receives
per recipient and keeps no bodies. A copy of the bundled example gets a subscribers
file of N readers (every tenth one a member, so their email has its "shared for
you" variant). Each scenario runs the real command line in a child process:

    full send       `send latest --yes --per-second 0` to everyone, from an empty ledger
    killed at 50%   the same from an empty ledger, SIGKILLed once half have arrived
    resume          `send` again: how long finishing the other half takes

Printed: wall time, messages per second, the child's peak RSS (os.wait4), and the
check that everyone got the edition exactly once (the duplicates after the kill are
the messages in flight, which the ledger counts as resent). Figures only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

REPO = Path(__file__).resolve().parent.parent
NEWSLETTER = [sys.executable, "-c", "from newsletter.cli import main; main()"]
TODAY = "2026-11-25"


class Sink:
    """Counts deliveries per recipient; keeps nothing else."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.bytes = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[rcpt.lower()] += 1
            self.bytes += len(envelope.original_content or b"")
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_project(root: Path, count: int) -> None:
    root.mkdir(parents=True)
    shutil.copy(REPO / "newsletter.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    members = sorted(p.stem for p in (root / "content/members").glob("*.yaml"))
    rows = ["email,name,member,status"]
    for i in range(count):
        member = members[i % len(members)] if i % 10 == 0 else ""
        rows.append(f"reader{i}@example.org,Reader {i},{member},")
    (root / "private").mkdir()
    (root / "private/subscribers.csv").write_text("\n".join(rows) + "\n")


CONNECTIONS = ["--connections", "1"]


def run(root: Path, port: int, kill_at: int = 0, sink: Sink | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one `send`; SIGKILL once ``kill_at`` have arrived."""
    env = {**os.environ, "NEWSLETTER_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    command = [*NEWSLETTER, "send", "latest", "--yes", "--per-second", "0", "--today", TODAY]
    command += CONNECTIONS
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    # os.wait4 (not Popen.poll, which would reap the child) keeps the child's own rusage
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    while kill_at and sink is not None and pid == 0 and sink.total() < kill_at:
        time.sleep(0.001)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid == 0:
        if kill_at:
            os.kill(proc.pid, signal.SIGKILL)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = proc.returncode
    if code not in (0, -signal.SIGKILL):
        sys.exit(f"send failed ({code}):\n{out}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 subscribers")
    parser.add_argument("--keep", action="store_true", help="keep the projects")
    parser.add_argument("--connections", type=int, default=1, help="SMTP connections at once")
    args = parser.parse_args()
    CONNECTIONS[1] = str(args.connections)
    count = 1_000 if args.quick else args.subscribers
    work = Path(tempfile.mkdtemp(prefix="newsletter-send-bench-"))
    rows = []
    try:
        for scenario in ("full send", "killed at 50%"):
            sink = Sink()
            port = free_port()
            controller = Controller(sink, hostname="127.0.0.1", port=port)
            controller.start()
            root = work / scenario.split()[0]
            make_project(root, count)
            try:
                if scenario == "full send":
                    seconds, mb = run(root, port)
                    rows.append((scenario, sink.total(), seconds, mb))
                    mean = sink.bytes / max(sink.total(), 1) / 1024
                else:
                    seconds, mb = run(root, port, kill_at=count // 2, sink=sink)
                    before = sink.total()
                    rows.append((scenario, before, seconds, mb))
                    seconds, mb = run(root, port)
                    rows.append(("resume", sink.total() - before, seconds, mb))
                once = sum(1 for n in sink.received.values() if n == 1)
                twice = sum(1 for n in sink.received.values() if n > 1)
                missed = count - len(sink.received)
                db = sqlite3.connect(root / ".newsletter/deliveries.sqlite")
                resent = db.execute("SELECT count(*) FROM delivery WHERE resent = 1").fetchone()[0]
                db.close()
                rows.append(
                    (
                        f"  check: {once} once, {twice} twice, {missed} missed, "
                        f"{resent} marked resent",
                        0,
                        0.0,
                        0.0,
                    )
                )
            finally:
                controller.stop()
        print(
            f"{count:,} subscribers, the example's latest edition ({mean:.1f} KB a message), "
            f"{args.connections} SMTP connection(s)"
        )
        print(f"{'scenario':<16} {'messages':>9} {'seconds':>8} {'per second':>11} {'peak MB':>8}")
        for name, messages, seconds, mb in rows:
            if not seconds:
                print(name)
                continue
            rate = messages / seconds if seconds else 0
            print(f"{name:<16} {messages:>9,} {seconds:>8.2f} {rate:>11.0f} {mb:>8.0f}")
    finally:
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

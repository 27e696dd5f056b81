"""Benchmark the network analysis and the ranking of who could answer each open ask.

    python benchmarks/network.py [--members 10000] [--shares 100000] [--asks 5000] [--seed 1]
    python benchmarks/network.py --quick          # 1,000 members, 10,000 shares, 500 asks
    python benchmarks/network.py --tracemalloc    # also each stage's peak of Python memory

A synthetic community is made in memory (seeded: the same sizes and seed give the same
community): members in organisations of Zipf-like sizes (some in none), each with topics
drawn from a Zipf-like list of topics, and now and then an ``offers:`` or ``asks:`` line;
posts of every kind whose titles and bodies are drawn from a Zipf-like vocabulary (with
the everyday words of English among them), tagged mostly with their author's topics,
shared now and then ``for`` or ``via`` someone of the author's circle (their colleagues
and a few others), introductions, and answers to earlier asks (most asks get one; some
are closed by their author). The shares are the posts (one each); ``--asks`` of them are
asks.

Then, in this process, one after the other: ``analyse`` (newsletter.analysis.network:
``newsletter network``) and ``report_asks`` (newsletter.analysis.asks: ``newsletter
asks``, the helper ranking inside), each timed with ``time.perf_counter`` (wall) and
``time.process_time`` (this process's CPU: what it costs on a busy machine). The figures:
seconds per stage, the process's peak resident memory after each stage
(``resource.getrusage``: it includes the community itself, held all along, and the
interpreter), and what each stage found. With ``--tracemalloc`` each stage runs a second
time under ``tracemalloc`` (several times slower, so not timed) for its own peak of
Python allocations. Figures are for people to read; nothing here asserts a threshold.
Standard library only (plus ``newsletter`` itself).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from newsletter.analysis.asks import report_asks
from newsletter.analysis.network import analyse
from newsletter.core.community import AskReport, Network, NetworkOptions
from newsletter.core.diagnostics import Location
from newsletter.core.model import Kind, Member, Post, Share
from newsletter.pipeline.enrich import ledger

TODAY = dt.date(2026, 11, 25)
DAYS = 4 * 365
"""Posts are spread over the four years up to TODAY."""
T = TypeVar("T")

EVERYDAY = (  # noqa: SIM905 (as prose, not forty strings)
    "the of and to a in for is on that with as it be by this are from at or we an have "
    "not our can was their which but about more has how new what who one all will"
).split()
"""English words every body is full of (a stemmer's stop words, mostly)."""
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeio"]
ENDINGS = ("", "", "", "s", "ing", "ed", "er", "ation")
"""Words come in several forms, as a stemmer meets them."""

KINDS = (
    (Kind.ARTICLE, 0.70),
    (Kind.OFFER, 0.06),
    (Kind.EVENT, 0.08),
    (Kind.INTRO, 0.05),
    (Kind.JOB, 0.04),
    (Kind.SPOTLIGHT, 0.07),
)
"""The kinds of posts that are not asks, by their share of them."""


def zipf_weights(n: int, exponent: float = 1.07) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, n + 1)]


@dataclass
class Vocabulary:
    """Made-up words of two or three syllables, drawn Zipf-like."""

    words: list[str]
    weights: list[float]
    rng: random.Random

    @classmethod
    def made(cls, rng: random.Random, size: int) -> Vocabulary:
        stems: dict[str, None] = {}
        while len(stems) < size:
            stems["".join(rng.choices(SYLLABLES, k=rng.choice((2, 3, 3))))] = None
        words = list(stems)
        rng.shuffle(words)
        return cls(words, list(itertools.accumulate(zipf_weights(size))), rng)

    def draw(self, k: int) -> list[str]:
        return [
            w + self.rng.choice(ENDINGS)
            for w in self.rng.choices(self.words, cum_weights=self.weights, k=k)
        ]

    def text(self, k: int, everyday: float = 0.4) -> str:
        """``k`` words, about ``everyday`` of them English filler."""
        drawn = self.draw(k)
        return " ".join(
            self.rng.choice(EVERYDAY) if self.rng.random() < everyday else w for w in drawn
        )


@dataclass
class Community:
    members: dict[str, Member]
    posts: list[Post]
    shares: list[Share]


def make_members(
    rng: random.Random, count: int, topics: list[str], words: Vocabulary
) -> dict[str, Member]:
    """``count`` members: 85 % in one of count/25 orgs of Zipf-like sizes, 2-5 topics each
    (Zipf-like), an offer for 40 % and an ask for 30 % of them, 2 % out of the network."""
    orgs = [f"Org {i}" for i in range(max(1, count // 25))]
    org_weights = list(itertools.accumulate(zipf_weights(len(orgs), 0.9)))
    topic_weights = list(itertools.accumulate(zipf_weights(len(topics))))
    members = {}
    for i in range(count):
        handle = f"m{i:05d}"
        chosen = dict.fromkeys(rng.choices(topics, cum_weights=topic_weights, k=rng.randint(2, 5)))
        members[handle] = Member(
            handle,
            f"Member {i}",
            Location(f"content/members/{handle}.yaml"),
            org=rng.choices(orgs, cum_weights=org_weights)[0] if rng.random() < 0.85 else "",
            topics=tuple(chosen),
            offers=tuple(words.text(rng.randint(2, 4), 0.2) for _ in range(rng.random() < 0.4)),
            asks=tuple(words.text(rng.randint(2, 5), 0.3) for _ in range(rng.random() < 0.3)),
            network=rng.random() >= 0.02,
        )
    return members


def make_community(
    members: int, shares: int, asks: int, seed: int, answered: float = 0.6
) -> Community:
    rng = random.Random(seed)
    words = Vocabulary.made(rng, 6000)
    topics = [f"topic-{w}" for w in Vocabulary.made(rng, max(50, members // 25)).words]
    people = make_members(rng, members, topics, words)
    handles = list(people)
    by_org: dict[str, list[str]] = {}
    for h, m in people.items():
        by_org.setdefault(m.org, []).append(h)
    # each member shares mostly with a circle: a few colleagues and a few others
    circle = {
        h: [
            *rng.sample(by_org[m.org], min(4, len(by_org[m.org]))),
            *rng.sample(handles, 4),
        ]
        for h, m in people.items()
    }
    activity = list(itertools.accumulate(zipf_weights(members, 0.8)))  # a few share a lot
    authors = handles[:]
    rng.shuffle(authors)
    ask_at = set(rng.sample(range(shares), min(asks, shares)))
    kinds, kind_weights = zip(*KINDS, strict=True)
    posts: list[Post] = []
    open_asks: list[Post] = []
    answering = answered * len(ask_at) / max(1, shares * KINDS[0][1])  # of asks, answered
    dates = sorted(TODAY - dt.timedelta(days=rng.randrange(DAYS)) for _ in range(shares))
    for i, date in enumerate(dates):
        by = rng.choices(authors, cum_weights=activity)[0]
        kind = Kind.ASK if i in ask_at else rng.choices(kinds, kind_weights)[0]
        answers = ""
        if kind is Kind.ARTICLE and open_asks and rng.random() < answering:
            ask = open_asks.pop(rng.randrange(len(open_asks)))
            answers = ask.key if ask.by != by else ""
        posts.append(make_post(rng, people, circle, words, i, by, kind, date, answers))
        if kind is Kind.ASK and not posts[-1].status:
            open_asks.append(posts[-1])
    return Community(people, posts, ledger(posts))


def make_post(
    rng: random.Random,
    people: dict[str, Member],
    circle: dict[str, list[str]],
    words: Vocabulary,
    number: int,
    by: str,
    kind: Kind,
    date: dt.date,
    answers: str,
) -> Post:
    mine = people[by].topics
    tags = tuple(dict.fromkeys(rng.choice(mine) for _ in range(rng.randint(1, 3))))
    near = circle[by]
    connects = tuple(rng.sample(near, 2)) if kind is Kind.INTRO else ()
    for_ = (
        tuple(dict.fromkeys(rng.sample(near, rng.choice((1, 1, 2))))) if rng.random() < 0.3 else ()
    )
    status = (
        rng.choice(("answered", "withdrawn")) if kind is Kind.ASK and rng.random() < 0.1 else ""
    )
    slug = f"post-{number}"
    return Post(
        date.year,
        slug,
        words.text(rng.randint(4, 9), 0.25).capitalize(),
        by,
        kind,
        date,
        Location(f"content/posts/{date.year}/{slug}.md"),
        Location(f"content/posts/{date.year}/{slug}.md", 6),
        body_md=words.text(rng.randint(30, 120)),
        for_=for_,
        via=rng.choice(near) if rng.random() < 0.1 else "",
        connects=connects,
        tags=tags,
        answers=answers,
        status=status,
    )


def peak_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def timed(compute: Callable[[], T]) -> tuple[T, float, float]:
    """``compute()``, the wall seconds it took and the CPU seconds this process spent."""
    start, cpu = time.perf_counter(), time.process_time()
    value = compute()
    return value, time.perf_counter() - start, time.process_time() - cpu


def traced_mb(compute: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        compute()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--shares", type=int, default=100_000)
    parser.add_argument("--asks", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--language", default="en")
    parser.add_argument(
        "--answered",
        type=float,
        default=0.6,
        help="the share of asks a later post answers (0: all open but the 10 %% closed)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1,000 members, 10,000 shares, 500 asks"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="each stage's own peak, untimed")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.shares, args.asks = 1_000, 10_000, 500
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"members {args.members}, shares {args.shares}, asks {args.asks}, seed {args.seed}")
    found, seconds, _ = timed(
        lambda: make_community(args.members, args.shares, args.asks, args.seed, args.answered)
    )
    print(f"generated in {seconds:.1f} s; peak {peak_mb():.0f} MB")
    options = NetworkOptions()

    def network() -> Network:
        return analyse(found.members, found.shares, TODAY, options, args.language)

    def asks() -> AskReport:
        return report_asks(found.members, found.posts, TODAY, options, args.language)

    print("stage        wall s   cpu s  peak MB  found")
    net, net_seconds, net_cpu = timed(network)
    print(
        f"analyse      {net_seconds:6.2f}  {net_cpu:6.2f}  {peak_mb():7.0f}  "
        f"ties {len(net.ties)}, brokers {len(net.brokers)}, "
        f"suggestions {len(net.suggestions)}"
    )
    report, ask_seconds, ask_cpu = timed(asks)
    open_asks = report.open
    print(
        f"report_asks  {ask_seconds:6.2f}  {ask_cpu:6.2f}  {peak_mb():7.0f}  "
        f"asks {len(report.asks)}, open {len(open_asks)}, "
        f"with a helper {sum(1 for a in open_asks if a.helpers)}"
    )
    print(f"total        {net_seconds + ask_seconds:6.2f}  {net_cpu + ask_cpu:6.2f}")
    if args.tracemalloc:
        print(f"analyse      traced peak {traced_mb(network):5.0f} MB")
        print(f"report_asks  traced peak {traced_mb(asks):5.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

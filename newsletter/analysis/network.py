"""Network: the community's knowledge-exchange network, read from the contact ledger.

This module owns what ``newsletter network`` and the site say about who exchanges with
whom: the ties (time-decayed, so old exchanges fade), the brokers who span structural
holes (Burt), ties gone dormant and members gone quiet (keeping in touch), who gives far
more than they receive or the reverse (reciprocity), which orgs never exchange
(unbridged) and which introductions would join members who share interests or whose
asks meet others' offers but who have no tie and no common contact (weak ties,
Granovetter; ``newsletter.analysis.introductions`` finds them).

An exchange is a share for someone (``for``), via someone (``via``), an introduction
(``connects``, between the introducer and each introduced, and between the two), and an
answer (``answers:``, between the answerer and the member whose ask it answers).

A member with ``network: false`` is not part of the network at all: they appear nowhere
in the result, and a share naming them still links the others it names.

Pure and deterministic: it takes members, the ledger, today's date and the language,
reads no files, reads no clock, and returns every list sorted, ties in ordering broken
by handle; the ledger's order does not matter (it pauses Python's cycle collector while
it runs, and leaves it as it found it). It renders nothing (``network_json`` aside, the JSON of
``newsletter network --format json``): the site presents its result, and
``newsletter.analysis.report`` makes the text report the command line shows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import combinations

from newsletter.analysis.introductions import open_ask_posts, suggest
from newsletter.core import collector
from newsletter.core.community import (
    Balance,
    Broker,
    DormantTie,
    Network,
    NetworkOptions,
    Quiet,
    Tie,
)
from newsletter.core.model import Kind, Member, Share

MONTH_DAYS = 30
"""Months are 30-day months: dormant ties and quiet members are counted in them."""
ORG_WEIGHT = 0.1
"""The weight of the tie between two members of the same org: colleagues know each other
a little, which shapes brokerage, but it is not an exchange."""


def analyse(
    members: dict[str, Member],
    ledger: list[Share],
    today: dt.date,
    options: NetworkOptions,
    language: str = "en",
) -> Network:
    """The network of the members who take part, as of ``today``; ``language`` (the
    newsletter's) is the one asks and offers are written in."""
    # no reference cycles made: full passes of the collector over the caller's heap were
    # a third of the time at 10,000 members and 100,000 shares
    with collector.paused():
        return _analyse(members, ledger, today, options, language)


def _analyse(
    members: dict[str, Member],
    ledger: list[Share],
    today: dt.date,
    options: NetworkOptions,
    language: str,
) -> Network:
    people = {h: members[h] for h in sorted(members) if members[h].network}
    tally = _Tally()
    decay = _Decay(today, options.half_life_days)
    for share in ledger:
        tally.add(share, people, decay)
    ties = _ties(people, tally)
    neighbours = _neighbours(people, ties)
    return Network(
        ties=ties,
        brokers=_brokers(people, ties, options.brokers),
        dormant=_dormant(ties, today, options),
        quiet=_quiet(people, tally.last_active, today, options),
        givers=_imbalanced(people, tally.given, tally.received, options),
        takers=_imbalanced(people, tally.received, tally.given, options, takers=True),
        suggestions=suggest(
            people, tally.tags, neighbours, open_ask_posts(ledger, people), options, language
        ),
        isolated=[h for h in people if not neighbours[h]],
        unbridged=_unbridged(people, ties),
        options=options,
    )


Pair = tuple[str, str]
"""Two handles, sorted."""


@dataclass(frozen=True)
class _Tally:
    """What the ledger says about the members who take part, summed up share by share
    (the fields are bound once; their contents fill as shares are added)."""

    weights: defaultdict[Pair, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Each tie's exchanges, each as what it weighs today."""
    last: dict[Pair, dt.date] = field(default_factory=dict)
    """Each tie's latest exchange."""
    kinds: defaultdict[Pair, set[str]] = field(default_factory=lambda: defaultdict(set))
    """How each pair is tied: "for", "via", "intro", "introduced", "answer"."""
    last_active: dict[str, dt.date] = field(default_factory=dict)
    tags: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """The tags of what each member shared, lower-cased."""
    given: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    received: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, share: Share, people: dict[str, Member], decay: _Decay) -> None:
        connects = _unique(share.connects) if share.post.kind == Kind.INTRO else []
        self._add_activity(share, people, connects)
        if share.for_ or share.via or connects or share.answered:  # most shares name nobody
            self._add_ties(share, people, connects, decay)
            self._add_balance(share, people, connects)

    def _add_activity(self, share: Share, people: dict[str, Member], connects: list[str]) -> None:
        """Everyone the share names (and the member whose ask it answers) was active on its
        date; the sharer shared its tags."""
        date, last_active = share.date, self.last_active
        for handle in (share.sharer, *share.for_, share.via, *connects, share.answered):
            if handle in people and last_active.get(handle, dt.date.min) < date:
                last_active[handle] = date
        if share.sharer in people and share.post.tags:
            self.tags[share.sharer].update(t.strip().lower() for t in share.post.tags if t.strip())

    def _add_ties(
        self, share: Share, people: dict[str, Member], connects: list[str], decay: _Decay
    ) -> None:
        """One exchange for each pair the share ties, whatever roles tie them."""
        roles: dict[Pair, set[str]] = defaultdict(set)
        for handle in share.for_:
            _add_role(roles, people, share.sharer, handle, "for")
        _add_role(roles, people, share.sharer, share.via, "via")
        for x, y in combinations(connects, 2):
            _add_role(roles, people, x, y, "introduced")
        for handle in connects:
            _add_role(roles, people, share.sharer, handle, "intro")
        _add_role(roles, people, share.sharer, share.answered, "answer")
        for pair, pair_kinds in roles.items():
            self.weights[pair].append(decay(share.date))
            self.last[pair] = max(self.last.get(pair, share.date), share.date)
            self.kinds[pair] |= pair_kinds

    def _add_balance(self, share: Share, people: dict[str, Member], connects: list[str]) -> None:
        """The sharer gives one to each member it is for (and to the member whose ask it
        answers, unless it is also for them or introduces them: one exchange), and one for
        an introduction; each of them receives one."""
        if share.sharer not in people:
            return
        answered = [share.answered] if share.answered not in (*share.for_, *connects) else []
        named = [h for h in _unique((*share.for_, *answered)) if h in people and h != share.sharer]
        introduced = [h for h in connects if h in people and h != share.sharer]
        self.given[share.sharer] += len(named) + (1 if introduced else 0)
        for handle in named + introduced:
            self.received[handle] += 1


def _ties(people: dict[str, Member], tally: _Tally) -> list[Tie]:
    """Every exchange tie, strongest first; colleagues' ties weigh ORG_WEIGHT more."""
    return sorted(
        (
            _tie(pair, weights, tally.last[pair], tally.kinds[pair], _colleagues(people, *pair))
            for pair, weights in tally.weights.items()
        ),
        key=lambda t: (-t.weight, t.a, t.b),
    )


def _colleagues(people: dict[str, Member], a: str, b: str) -> bool:
    return bool(people[a].org) and people[a].org == people[b].org


def _neighbours(people: dict[str, Member], ties: list[Tie]) -> dict[str, set[str]]:
    """Each member's partners in exchange (colleagues alone are not)."""
    neighbours: dict[str, set[str]] = {h: set() for h in people}
    for tie in ties:
        neighbours[tie.a].add(tie.b)
        neighbours[tie.b].add(tie.a)
    return neighbours


def network_json(network: Network) -> str:
    """The network as JSON for other tools: each list of ``Network`` under its name, and
    the options it was analysed with; dates in ISO 8601, keys sorted."""
    return (
        json.dumps(
            asdict(network),
            default=lambda value: value.isoformat(),
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def _unique(handles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(handles))


def _add_role(
    roles: dict[Pair, set[str]], people: dict[str, Member], x: str, y: str, kind: str
) -> None:
    """Record that this share ties x and y as ``kind``, if both take part."""
    if x != y and x in people and y in people:
        roles[(x, y) if x < y else (y, x)].add(kind)


def _orgs(people: dict[str, Member]) -> dict[str, list[str]]:
    """Each non-empty org's participating members, sorted, orgs in name order."""
    orgs: dict[str, list[str]] = defaultdict(list)
    for handle, member in people.items():  # people are in handle order
        if member.org:
            orgs[member.org].append(handle)
    return dict(sorted(orgs.items()))


class _Decay:
    """What an exchange on a date weighs today: 0.5 ** (age in days / half-life), a
    future date counting as today; computed once per date."""

    def __init__(self, today: dt.date, half_life_days: int) -> None:
        self.today = today
        self.half_life = max(half_life_days, 1)
        self.weights: dict[dt.date, float] = {}

    def __call__(self, date: dt.date) -> float:
        if date not in self.weights:
            age = max(0, (self.today - date).days)
            self.weights[date] = 0.5 ** (age / self.half_life)
        return self.weights[date]


def _tie(pair: Pair, weights: list[float], last: dt.date, kinds: set[str], colleagues: bool) -> Tie:
    # fsum is correctly rounded, so the weight does not depend on the ledger's order
    weight = math.fsum(weights)
    if colleagues:
        weight += ORG_WEIGHT
        kinds = kinds | {"org"}
    return Tie(pair[0], pair[1], weight, len(weights), last, tuple(sorted(kinds)))


Adjacency = dict[str, dict[str, float]]
"""Each member's neighbours and the weight of the tie to each."""


class _Graph:
    """The network brokerage is measured on: members, their exchange ties, and a tie of
    ORG_WEIGHT between colleagues who never exchanged (``near`` makes those on demand:
    listing them all is quadratic in an org's size).

    A tie whose weight has decayed to (nearly) nothing, so that its length 1 / weight is
    not a finite number, is no path and is left out.
    """

    def __init__(self, people: dict[str, Member], ties: list[Tie]) -> None:
        self.people = people
        self.exchange: Adjacency = {h: {} for h in people}
        for tie in ties:
            if tie.weight > 0 and math.isfinite(1 / tie.weight):
                self.exchange[tie.a][tie.b] = tie.weight
                self.exchange[tie.b][tie.a] = tie.weight
        self.orgs = _orgs(people)

    def colleagues(self, handle: str) -> list[str]:
        org = self.people[handle].org
        return [h for h in self.orgs[org] if h != handle] if org else []

    def near(self, handle: str) -> dict[str, float]:
        """``handle``'s neighbours, colleagues included, and the weight of the tie to each."""
        found = dict.fromkeys(self.colleagues(handle), ORG_WEIGHT)
        found.update(self.exchange[handle])
        return found

    def adjacency(self) -> Adjacency:
        """Every member a node (in handle order), every tie an edge (in (a, b) order)."""
        graph: Adjacency = {h: {} for h in self.people}
        pairs = sorted((a, b) for a in self.people for b in self.near(a) if a < b)
        for a, b in pairs:
            graph[a][b] = graph[b][a] = self.near_weight(a, b)
        return graph

    def near_weight(self, a: str, b: str) -> float:
        return self.exchange[a].get(b, ORG_WEIGHT)


def _brokers(people: dict[str, Member], ties: list[Tie], count: int) -> list[Broker]:
    """The top ``count`` members by betweenness (> 0), then lowest constraint."""
    if count <= 0:
        return []
    graph = _Graph(people, ties)
    # Rounded so that members in symmetric positions tie exactly and go by handle.
    betweenness = {h: round(b, 12) for h, b in _betweenness(graph).items()}
    ranked = sorted((h for h in people if betweenness[h] > 0), key=lambda h: -betweenness[h])
    if not ranked:
        return []
    cut = betweenness[ranked[min(count, len(ranked)) - 1]]
    candidates = [h for h in ranked if betweenness[h] >= cut]  # all who can make the cut
    constraint = {h: round(c, 12) for h, c in _constraint(graph, candidates).items()}
    best = sorted(candidates, key=lambda h: (-betweenness[h], constraint[h], h))[:count]
    return [
        Broker(
            h,
            betweenness[h],
            constraint[h],
            tuple(sorted({people[n].org for n in graph.near(h) if people[n].org})),
        )
        for h in best
    ]


EXACT_BETWEENNESS = 120
"""Up to this many members, betweenness is exact (networkx, every member a source)."""
SOURCE_BUDGET = 5_000_000
"""Above EXACT_BETWEENNESS, sources × (members + ties) stays under this: about a third of
a second of igraph's shortest paths. Every member is a source while it does (exact, up
to about a thousand members with ten shares each), else that many sources drawn at
random (seeded): 100 at 10,000 members and 100,000 shares, which rank the top two brokers
as exact betweenness does, and four of its top five (benchmarks/network.py's community;
twice the sources rank no better)."""


def _betweenness(graph: _Graph) -> dict[str, float]:
    """Normalized betweenness centrality (Brandes' algorithm with Dijkstra), an edge's
    length being 1 / its weight: strong ties are short paths."""
    if len(graph.people) <= EXACT_BETWEENNESS:
        return _exact_betweenness(graph.adjacency())
    return _sampled_betweenness(graph)


def _exact_betweenness(adjacency: Adjacency) -> dict[str, float]:
    """networkx's betweenness centrality, every member a source."""
    import networkx  # here: 0.3 s to import, which a build reusing the analysis saves

    g: networkx.Graph[str] = networkx.Graph()
    g.add_nodes_from(adjacency)
    g.add_weighted_edges_from(
        ((u, v, 1 / w) for u, near in adjacency.items() for v, w in near.items() if u < v),
        weight="length",
    )
    return dict(networkx.betweenness_centrality(g, weight="length", normalized=True))


def _sampled_betweenness(graph: _Graph) -> dict[str, float]:
    """Betweenness as networkx's ``betweenness_centrality(k=…)`` estimates it (the paths
    from ``k`` sources, scaled by n / k; k = n is exact), computed by igraph's C core:
    networkx's Dijkstra in Python takes a fifth of a second per source at 10,000 members.

    Each org is a hub node that its members reach at half ORG_WEIGHT's length, so that an
    org of a thousand is a thousand edges, not half a million; the hubs are neither
    sources nor targets, so the paths between members are the same, each colleague tie
    being two half edges through the hub.
    """
    import igraph  # here, like networkx

    handles = list(graph.people)
    index = {h: i for i, h in enumerate(handles)}
    hubs = {org: len(handles) + i for i, org in enumerate(graph.orgs)}
    edges = [
        (index[a], index[b], 1 / w)
        for a, near in graph.exchange.items()
        for b, w in near.items()
        if a < b
    ]
    edges += [
        (index[h], hubs[org], 0.5 / ORG_WEIGHT) for org, group in graph.orgs.items() for h in group
    ]
    n = len(handles)
    k = min(n, max(1, SOURCE_BUDGET // (n + len(edges))))
    sources = list(range(n)) if k == n else sorted(random.Random(0).sample(range(n), k))
    g = igraph.Graph(n=n + len(hubs), edges=[(a, b) for a, b, _ in edges])
    found = g.betweenness(
        vertices=range(n),
        directed=False,
        weights=[length for _, _, length in edges],
        sources=sources,
        targets=range(n),
    )
    # igraph counts each (source, target) path once for an undirected graph; networkx
    # both ways, then divides by (n - 1)(n - 2)
    scale = 2 * n / (k * (n - 1) * (n - 2))
    return {h: value * scale for h, value in zip(handles, found, strict=True)}


def _constraint(graph: _Graph, handles: list[str]) -> dict[str, float]:
    """Burt's constraint on each of ``handles``: what ``networkx.constraint(G,
    weight=...)`` computes (the tests hold it to that), with each member's share of
    their tie weights computed once rather than for every term (cubic in the degree:
    twenty seconds for five members of a dense network)."""
    shares: dict[str, dict[str, float]] = {}

    def share(u: str) -> dict[str, float]:
        if u not in shares:
            near = graph.near(u)
            total = math.fsum(near.values())
            shares[u] = {v: w / total for v, w in near.items()}
        return shares[u]

    return {
        u: math.fsum(
            (share(u)[v] + math.fsum(share(u)[w] * share(w).get(v, 0.0) for w in share(u))) ** 2
            for v in share(u)
        )
        for u in handles
    }


def _dormant(ties: list[Tie], today: dt.date, options: NetworkOptions) -> list[DormantTie]:
    limit = options.dormant_months * MONTH_DAYS
    return [
        DormantTie(t.a, t.b, t.last, (today - t.last).days // MONTH_DAYS)
        for t in ties  # strongest first already
        if (today - t.last).days > limit
    ]


def _quiet(
    people: dict[str, Member],
    last_active: dict[str, dt.date],
    today: dt.date,
    options: NetworkOptions,
) -> list[Quiet]:
    limit = options.dormant_months * MONTH_DAYS
    quiet = []
    for handle in people:
        last = last_active.get(handle)
        if last is None:
            quiet.append(Quiet(handle, None, None))
        elif (today - last).days > limit:
            quiet.append(Quiet(handle, last, (today - last).days // MONTH_DAYS))
    return sorted(quiet, key=lambda q: (q.last is None, q.last or dt.date.min, q.handle))


def _imbalanced(
    people: dict[str, Member],
    more: dict[str, int],
    less: dict[str, int],
    options: NetworkOptions,
    takers: bool = False,
) -> list[Balance]:
    """Members with ``more`` ≥ min_exchanges and ≥ ratio × ``less`` (and strictly more
    than ``less``, so nobody is both a giver and a taker), largest difference first."""
    found = [
        h
        for h in people
        if more[h] >= options.min_exchanges
        and more[h] >= options.reciprocity_ratio * less[h]
        and more[h] > less[h]
    ]
    found.sort(key=lambda h: (less[h] - more[h], h))
    if takers:
        return [Balance(h, less[h], more[h]) for h in found]
    return [Balance(h, more[h], less[h]) for h in found]


def _unbridged(people: dict[str, Member], ties: list[Tie]) -> list[tuple[str, str]]:
    bridged = set()
    for tie in ties:
        x, y = people[tie.a].org, people[tie.b].org
        if x and y and x != y:
            bridged.add((x, y) if x < y else (y, x))
    return [pair for pair in combinations(_orgs(people), 2) if pair not in bridged]

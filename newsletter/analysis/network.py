"""Network: the community's knowledge-exchange network, read from the contact ledger.

This module owns what ``newsletter network`` and the site say about who exchanges with
whom: the ties (time-decayed, so old exchanges fade), the brokers who span structural
holes (Burt), ties gone dormant and members gone quiet (keeping in touch), who gives far
more than they receive or the reverse (reciprocity), which orgs never exchange
(unbridged) and which introductions would join members who share interests or whose
asks meet others' offers but who have no tie and no common contact (weak ties,
Granovetter).

A member with ``network: false`` is not part of the network at all: they appear nowhere
in the result, and a share naming them still links the others it names.

Pure and deterministic: it takes members, the ledger and today's date, reads no files,
reads no clock, and returns every list sorted, ties in ordering broken by handle; the
ledger's order does not matter. It renders nothing (``network_json`` aside, the JSON of
``newsletter network --format json``): the site presents its result, and
``newsletter.analysis.report`` makes the text report the command line shows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from itertools import combinations

from newsletter.core.community import (
    Balance,
    Broker,
    DormantTie,
    Network,
    NetworkOptions,
    Quiet,
    Suggestion,
    Tie,
)
from newsletter.core.model import Kind, Member, Share

MONTH_DAYS = 30
"""Months are 30-day months: dormant ties and quiet members are counted in them."""
ORG_WEIGHT = 0.1
"""The weight of the tie between two members of the same org: colleagues know each other
a little, which shapes brokerage, but it is not an exchange."""
STOPWORDS = frozenset(
    """able about advice also anyone best each from good have help into just know like
    looking make many more much need other over people some someone such than that
    their them then there these they this those very want well what when where which
    will with work would your""".split()  # noqa: SIM905 (as prose, not fifty lines)
)
"""Words of four letters or more that say nothing about what an ask or offer is about."""


def analyse(
    members: dict[str, Member], ledger: list[Share], today: dt.date, options: NetworkOptions
) -> Network:
    """The network of the members who take part, as of ``today``."""
    people = {h: members[h] for h in sorted(members) if members[h].network}
    tally = _Tally()
    decay = _Decay(today, options.half_life_days)
    for share in ledger:
        tally.add(share, people, decay)
    ties = _ties(people, tally)
    exchange_ties = [t for t in ties if t.is_exchange]
    neighbours = _neighbours(people, exchange_ties)
    return Network(
        ties=ties,
        brokers=_brokers(people, ties, options.brokers),
        dormant=_dormant(exchange_ties, today, options),
        quiet=_quiet(people, tally.last_active, today, options),
        givers=_imbalanced(people, tally.given, tally.received, options),
        takers=_imbalanced(people, tally.received, tally.given, options, takers=True),
        suggestions=_suggestions(people, tally.tags, neighbours),
        isolated=[h for h in people if not neighbours[h]],
        unbridged=_unbridged(people, exchange_ties),
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
    """How each pair is tied: "for", "via", "intro", "introduced"."""
    last_active: dict[str, dt.date] = field(default_factory=dict)
    tags: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """The tags of what each member shared, lower-cased."""
    given: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    received: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, share: Share, people: dict[str, Member], decay: _Decay) -> None:
        connects = _unique(share.connects) if share.post.kind == Kind.INTRO else []
        self._add_activity(share, people, connects)
        self._add_ties(share, people, connects, decay)
        self._add_balance(share, people, connects)

    def _add_activity(self, share: Share, people: dict[str, Member], connects: list[str]) -> None:
        """Everyone the share names was active on its date; the sharer shared its tags."""
        for handle in (share.sharer, *share.for_, share.via, *connects):
            if handle in people and (
                handle not in self.last_active or self.last_active[handle] < share.date
            ):
                self.last_active[handle] = share.date
        if share.sharer in people:
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
        for pair, pair_kinds in roles.items():
            self.weights[pair].append(decay(share.date))
            self.last[pair] = max(self.last.get(pair, share.date), share.date)
            self.kinds[pair] |= pair_kinds

    def _add_balance(self, share: Share, people: dict[str, Member], connects: list[str]) -> None:
        """The sharer gives one to each member it is for, and one for an introduction;
        each of them receives one."""
        if share.sharer not in people:
            return
        named = [h for h in _unique(share.for_) if h in people and h != share.sharer]
        introduced = [h for h in connects if h in people and h != share.sharer]
        self.given[share.sharer] += len(named) + (1 if introduced else 0)
        for handle in named + introduced:
            self.received[handle] += 1


def _ties(people: dict[str, Member], tally: _Tally) -> list[Tie]:
    """Every exchange tie and every tie of colleagues, strongest first."""
    colleagues = {
        pair
        for group in _orgs(people).values()
        for pair in combinations(group, 2)  # groups are sorted, so a < b
    }
    return sorted(
        (
            _tie(
                pair,
                tally.weights.get(pair, []),
                tally.last.get(pair),
                tally.kinds.get(pair, set()),
                colleagues,
            )
            for pair in tally.weights.keys() | colleagues
        ),
        key=lambda t: (-t.weight, t.a, t.b),
    )


def _neighbours(people: dict[str, Member], exchange_ties: list[Tie]) -> dict[str, set[str]]:
    """Each member's partners in exchange (colleagues alone are not)."""
    neighbours: dict[str, set[str]] = {h: set() for h in people}
    for tie in exchange_ties:
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


def _tie(
    pair: Pair,
    weights: list[float],
    last: dt.date | None,
    kinds: set[str],
    colleagues: set[Pair],
) -> Tie:
    # fsum is correctly rounded, so the weight does not depend on the ledger's order
    weight = math.fsum(weights)
    if pair in colleagues:
        weight += ORG_WEIGHT
        kinds = kinds | {"org"}
    return Tie(pair[0], pair[1], weight, len(weights), last, tuple(sorted(kinds)))


Adjacency = dict[str, dict[str, float]]
"""Each member's neighbours and the weight of the tie to each."""


def _adjacency(handles: Iterable[str], ties: list[Tie]) -> Adjacency:
    """Every member a node (in handle order), every tie an edge, org ties included.

    A tie whose weight has decayed to (nearly) nothing, so that its length 1 / weight is
    not a finite number, is no path and is left out.
    """
    graph: Adjacency = {h: {} for h in handles}
    for tie in sorted(ties, key=lambda t: (t.a, t.b)):
        if tie.weight > 0 and math.isfinite(1 / tie.weight):
            graph[tie.a][tie.b] = tie.weight
            graph[tie.b][tie.a] = tie.weight
    return graph


def _brokers(people: dict[str, Member], ties: list[Tie], count: int) -> list[Broker]:
    """The top ``count`` members by betweenness (> 0), then lowest constraint."""
    if count <= 0:
        return []
    graph = _adjacency(people, ties)
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
            tuple(sorted({people[n].org for n in graph[h] if people[n].org})),
        )
        for h in best
    ]


def _betweenness(graph: Adjacency) -> dict[str, float]:
    """Normalized betweenness centrality (networkx, Brandes' algorithm with Dijkstra), an
    edge's length being 1 / its weight: strong ties are short paths."""
    import networkx  # here: 0.3 s to import, which a build reusing the analysis saves

    g: networkx.Graph[str] = networkx.Graph()
    g.add_nodes_from(graph)
    g.add_weighted_edges_from(
        ((u, v, 1 / w) for u, near in graph.items() for v, w in near.items() if u < v),
        weight="length",
    )
    # exact up to EXACT_BETWEENNESS members; above, estimated from that many sources
    # (seeded, so a build is reproducible): 1 s instead of 3 for 300 members
    k = EXACT_BETWEENNESS if len(graph) > EXACT_BETWEENNESS else None
    return dict(networkx.betweenness_centrality(g, k=k, weight="length", normalized=True, seed=0))


EXACT_BETWEENNESS = 120


def _constraint(graph: Adjacency, handles: list[str]) -> dict[str, float]:
    """Burt's constraint on each of ``handles``: what ``networkx.constraint(G,
    weight=...)`` computes (the tests hold it to that), with each member's share of
    their tie weights computed once rather than for every term (cubic in the degree:
    twenty seconds for five members of a dense network)."""
    shares: dict[str, dict[str, float]] = {}

    def share(u: str) -> dict[str, float]:
        if u not in shares:
            total = math.fsum(graph[u].values())
            shares[u] = {v: w / total for v, w in graph[u].items()}
        return shares[u]

    return {
        u: math.fsum(
            (share(u)[v] + math.fsum(share(u)[w] * share(w).get(v, 0.0) for w in graph[u])) ** 2
            for v in graph[u]
        )
        for u in handles
    }


def _dormant(ties: list[Tie], today: dt.date, options: NetworkOptions) -> list[DormantTie]:
    limit = options.dormant_months * MONTH_DAYS
    return [
        DormantTie(t.a, t.b, t.last, (today - t.last).days // MONTH_DAYS)
        for t in ties  # strongest first already
        if t.last is not None and (today - t.last).days > limit
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


def _unbridged(people: dict[str, Member], exchange_ties: list[Tie]) -> list[tuple[str, str]]:
    bridged = set()
    for tie in exchange_ties:
        x, y = people[tie.a].org, people[tie.b].org
        if x and y and x != y:
            bridged.add((x, y) if x < y else (y, x))
    return [pair for pair in combinations(_orgs(people), 2) if pair not in bridged]


_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> frozenset[str]:
    """The significant words of an ask or offer, which match another's if they share
    one: lower-cased, a plural's trailing 's' dropped ('grants' → 'grant', but 'access'
    stays), then four letters or more and not a stopword."""
    found = set()
    for word in _WORD.findall(text.lower()):
        if word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if len(word) >= 4 and word not in STOPWORDS:
            found.add(word)
    return frozenset(found)


@dataclass(frozen=True)
class _Profile:
    """What a member is about, precomputed once for the pairwise scan."""

    interests: frozenset[str]
    asks: tuple[tuple[str, frozenset[str]], ...]
    offers: tuple[tuple[str, frozenset[str]], ...]
    ask_words: frozenset[str]
    offer_words: frozenset[str]


def _profile(member: Member, tags: set[str], common: frozenset[str]) -> _Profile:
    asks = tuple((a, words(a) - common) for a in member.asks)
    offers = tuple((o, words(o) - common) for o in member.offers)
    return _Profile(
        interests=frozenset({t.strip().lower() for t in member.topics if t.strip()} | tags),
        asks=asks,
        offers=offers,
        ask_words=frozenset().union(*(w for _, w in asks)),
        offer_words=frozenset().union(*(w for _, w in offers)),
    )


def _met(asker: _Profile, offerer: _Profile) -> list[tuple[str, str]]:
    """(ask, offer): each of asker's asks that one of offerer's offers meets, with the
    first such offer."""
    if asker.ask_words.isdisjoint(offerer.offer_words):
        return []
    met = []
    for ask, ask_words in asker.asks:
        for offer, offer_words in offerer.offers:
            if not ask_words.isdisjoint(offer_words):
                met.append((ask, offer))
                break
    return met


def _everyday_words(people: dict[str, Member]) -> frozenset[str]:
    """Words too common in this community's asks and offers to say two of them meet
    ('data' among data people): used by more than COMMON_SHARE of the members (and 3)."""
    used: dict[str, int] = defaultdict(int)
    for member in people.values():
        for word in frozenset().union(*(words(t) for t in (*member.asks, *member.offers))):
            used[word] += 1
    limit = max(3, COMMON_SHARE * len(people))
    return frozenset(w for w, n in used.items() if n > limit)


COMMON_SHARE = 0.15


def _suggestions(
    people: dict[str, Member], tags: dict[str, set[str]], neighbours: dict[str, set[str]]
) -> list[Suggestion]:
    """Pairs with no exchange tie, no common contact and different orgs, who share
    interests or whose asks meet the other's offers."""
    common = _everyday_words(people)
    profiles = {h: _profile(m, tags.get(h, set()), common) for h, m in people.items()}
    found = []
    for a, b in combinations(people, 2):  # people are in handle order, so a < b
        org = people[a].org
        if org and org == people[b].org:
            continue  # colleagues can meet at work
        if b in neighbours[a] or not neighbours[a].isdisjoint(neighbours[b]):
            continue
        pa, pb = profiles[a], profiles[b]
        common = pa.interests & pb.interests
        a_asks, b_asks = _met(pa, pb), _met(pb, pa)
        if not common and not a_asks and not b_asks:
            continue
        union = len(pa.interests) + len(pb.interests) - len(common)
        jaccard = len(common) / union if common else 0.0
        score = jaccard + len(a_asks) + len(b_asks)
        name_a, name_b = people[a].name or a, people[b].name or b
        sentences = [f"Both work on {_listed(sorted(common))}."] if common else []
        sentences += [
            f"{name_a} asks for “{ask}”, which {name_b} offers (“{offer}”)."
            for ask, offer in a_asks
        ]
        sentences += [
            f"{name_b} asks for “{ask}”, which {name_a} offers (“{offer}”)."
            for ask, offer in b_asks
        ]
        found.append(Suggestion(a, b, score, " ".join(sentences)))
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


def _listed(topics: list[str]) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 2 more': at most three named."""
    shown = topics[:3]
    if len(topics) > 3:
        return f"{', '.join(shown)} and {len(topics) - 3} more"
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} and {shown[-1]}"

"""Introductions: which two members of the network should meet, and why, in words.

This module owns the suggested introductions of ``newsletter network``: two members with
no exchange tie and no contact in common who share interests (their topics, and the
tags of what they shared), or of whom one offers what the other asks for, in their
member file (``asks:``, ``offers:``) or in an ask post still open. Colleagues (the same
org) are suggested only when an ask of one meets an offer of the other, never for
shared interests alone; the reason then says they share an org.

An ask meets an offer on terms (``newsletter.analysis.text``: stems in the newsletter's
language, stop words left out), read as compounds: the words that stand side by side
with no stop word or punctuation between them. They meet when they share a compound
("model cards"), or a word one of them uses on its own ("geocoding" meets "geocode
addresses"); a word that each uses inside a different compound does not ("model cards"
and "card sorts"). A term or compound that more than COMMON_SHARE of the members use in
their asks and offers ("data" among data people) meets nothing.

Pairs come from inverted indexes of interests and of ask and offer terms, never from all
pairs of members; an interest or term held by more than CANDIDATE_LIMIT members finds no
pair by itself (it would find a quadratic number, and says little about which two should
meet). Each member keeps their best ``options.suggestions``, and the network the best
``BEST_SUGGESTIONS`` of all.

Pure and deterministic: members, what the ledger says of them and the language in, the
suggestions out, best first, ties broken by handles.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from newsletter.analysis.text import Analyser
from newsletter.core.community import BEST_SUGGESTIONS, NetworkOptions, Suggestion
from newsletter.core.messages import N_
from newsletter.core.model import Kind, Member, Post, Share
from newsletter.core.phrases import Listing, Phrase, Value

COMMON_SHARE = 0.15
"""A term used in the asks and offers of more than this share of the members (and more
than 3 of them) is everyday: it meets nothing."""
CANDIDATE_LIMIT = 50
"""An interest or term held by more members than this finds no pair by itself."""
FILLER = frozenset(
    """able example examples help helping idea ideas many much people question questions
    support well work""".split()  # noqa: SIM905 (as prose)
)
"""Words of asking and offering that the text analysis keeps but that say nothing about
what is asked or offered ("help with grants" is about grants)."""

_TOKEN = re.compile(r"[^\W_]+")
"""A word, as ``newsletter.analysis.text`` reads one."""


def open_ask_posts(ledger: list[Share], people: dict[str, Member]) -> dict[str, list[Post]]:
    """Each member's ask posts still open, oldest first: no post answers them and their
    author did not close them (``status:``, which says more than answers do, as in
    ``newsletter asks``)."""
    answered = {s.post.answers for s in ledger if s.post.answers}
    found: dict[str, list[Post]] = defaultdict(list)
    for share in ledger:
        post = share.post
        if post.kind is Kind.ASK and post.by in people:
            status = post.status or ("answered" if post.key in answered else "open")
            if status == "open":
                found[post.by].append(post)
    return {h: sorted(posts, key=lambda p: (p.date, p.key)) for h, posts in found.items()}


@dataclass(frozen=True)
class _Terms:
    """An ask or an offer as the terms it is matched on."""

    compounds: frozenset[str]
    """'stem stem' for each two words side by side."""
    alone: frozenset[str]
    """Stems of words used on their own: no word beside them."""
    terms: frozenset[str]
    """Every stem."""

    def meets(self, offer: _Terms) -> bool:
        """Whether this ask meets ``offer``: a compound in common, or a term one of them
        uses on its own."""
        return not (
            self.compounds.isdisjoint(offer.compounds)
            and self.alone.isdisjoint(offer.terms)
            and self.terms.isdisjoint(offer.alone)
        )

    def without(self, everyday: frozenset[str]) -> _Terms:
        return _Terms(self.compounds - everyday, self.alone - everyday, self.terms - everyday)

    @property
    def units(self) -> frozenset[str]:
        return self.compounds | self.terms


@dataclass(frozen=True)
class _Need:
    """One ask or offer: as the reason quotes it, and as terms."""

    quoted: str
    terms: _Terms
    post: bool = False
    """An ask post (quoted by its title), not a line of the member's file."""

    @property
    def ask_keys(self) -> frozenset[str]:
        """What the indexes file this ask under: an ask's key equals an offer's key only
        where the two meet (``_Terms.meets``)."""
        t = self.terms
        return frozenset(
            {f"c {c}" for c in t.compounds}
            | {f"a {w}" for w in t.alone}
            | {f"t {w}" for w in t.terms}
        )

    @property
    def offer_keys(self) -> frozenset[str]:
        """What the indexes file this offer under."""
        t = self.terms
        return frozenset(
            {f"c {c}" for c in t.compounds}
            | {f"a {w}" for w in t.terms}
            | {f"t {w}" for w in t.alone}
        )


class _Reader:
    """Asks and offers into terms, in one language (each word stemmed once)."""

    def __init__(self, language: str) -> None:
        self.analyser = Analyser(language)
        self.stop = self.analyser.stop_words | FILLER

    def terms(self, text: str) -> _Terms:
        # A stop word parts two words as punctuation does: "funding for a difference
        # engine" is "funding" on its own, and the compound "difference engine".
        parted = _TOKEN.sub(lambda m: "," if m[0].lower() in self.stop else m[0], text)
        compounds: set[str] = set()
        alone: set[str] = set()
        terms: set[str] = set()
        for clause in self.analyser.clauses(parted):
            stems = [stem for _, stem in clause]
            terms.update(stems)
            if len(stems) == 1:
                alone.add(stems[0])
            compounds.update(f"{a} {b}" for a, b in pairwise(stems))
        return _Terms(frozenset(compounds), frozenset(alone), frozenset(terms))

    def ask_post(self, post: Post) -> _Need:
        """An ask post: its title and tags, and the compounds of its body (a body uses
        many words on their own in passing: "time to assessment" is no ask for
        assessments)."""
        asked = self.terms(f"{post.title}\n\n{', '.join(post.tags)}")
        body = self.terms(post.body_md).compounds
        terms = _Terms(asked.compounds | body, asked.alone, asked.terms)
        return _Need(post.title, terms, post=True)


@dataclass(frozen=True)
class _Profile:
    """What a member is about: interests, asks and offers, and the keys the indexes file
    them under as an asker (each ask's) and as an offerer (all their offers')."""

    interests: frozenset[str]
    asks: tuple[_Need, ...]
    offers: tuple[_Need, ...]
    ask_keys: tuple[frozenset[str], ...]
    asked: frozenset[str]
    """All their asks' keys."""
    offer_keys: frozenset[str]

    @classmethod
    def of(cls, interests: frozenset[str], asks: list[_Need], offers: list[_Need]) -> _Profile:
        ask_keys = tuple(a.ask_keys for a in asks)
        return cls(
            interests,
            tuple(asks),
            tuple(offers),
            ask_keys,
            frozenset().union(*ask_keys),
            frozenset().union(*(o.offer_keys for o in offers)),
        )

    def asks_met(self, offerer: _Profile) -> int:
        """How many of this member's asks one of ``offerer``'s offers meets."""
        if self.asked.isdisjoint(offerer.offer_keys):
            return 0
        return sum(not keys.isdisjoint(offerer.offer_keys) for keys in self.ask_keys)


def _profiles(
    people: dict[str, Member],
    tags: dict[str, set[str]],
    ask_posts: dict[str, list[Post]],
    language: str,
) -> dict[str, _Profile]:
    reader = _Reader(language)
    needs = {
        h: (
            [_Need(a, reader.terms(a)) for a in m.asks]
            + [reader.ask_post(p) for p in ask_posts.get(h, [])],
            [_Need(o, reader.terms(o)) for o in m.offers],
        )
        for h, m in people.items()
    }
    everyday = _everyday(needs.values(), len(people))
    return {
        h: _Profile.of(
            frozenset({t.strip().lower() for t in m.topics if t.strip()})
            | frozenset(tags.get(h, ())),
            [_Need(n.quoted, n.terms.without(everyday), n.post) for n in needs[h][0]],
            [_Need(n.quoted, n.terms.without(everyday)) for n in needs[h][1]],
        )
        for h, m in people.items()
    }


def _everyday(needs: Iterable[tuple[list[_Need], list[_Need]]], members: int) -> frozenset[str]:
    """Terms and compounds in the asks and offers of more than COMMON_SHARE of the
    members (and more than 3)."""
    used: defaultdict[str, int] = defaultdict(int)
    for asks, offers in needs:
        for unit in frozenset().union(*(n.terms.units for n in (*asks, *offers))):
            used[unit] += 1
    limit = max(3, COMMON_SHARE * members)
    return frozenset(u for u, n in used.items() if n > limit)


def suggest(
    people: dict[str, Member],
    tags: dict[str, set[str]],
    neighbours: dict[str, set[str]],
    ask_posts: dict[str, list[Post]],
    options: NetworkOptions,
    language: str = "en",
) -> list[Suggestion]:
    """Introductions worth making among ``people`` (in handle order), best first: each
    member's best ``options.suggestions`` and the best of all. ``tags``: what each
    shared; ``neighbours``: their partners in exchange; ``ask_posts``: their open asks."""
    profiles = _profiles(people, tags, ask_posts, language)
    index = _Index(profiles)
    best = _Best(list(people), options.suggestions, max(BEST_SUGGESTIONS, options.suggestions))
    for a, pa in profiles.items():
        near = neighbours[a]
        for b in index.partners(a, pa):
            if b in near or not near.isdisjoint(neighbours[b]):
                continue
            score = _score(people, pa, profiles[b], a, b)
            if score:
                best.add(score, a, b)
    found = [_suggestion(people, profiles, a, b, score) for score, a, b in best.kept()]
    return sorted(found, key=lambda s: (-s.score, s.a, s.b))


class _Index:
    """Who holds each interest, and each ask's and offer's key: the way to the pairs that
    have something in common. A key more than CANDIDATE_LIMIT members hold is left out."""

    def __init__(self, profiles: dict[str, _Profile]) -> None:
        holders: defaultdict[str, list[str]] = defaultdict(list)
        askers: defaultdict[str, list[str]] = defaultdict(list)
        offerers: defaultdict[str, list[str]] = defaultdict(list)
        for handle, profile in profiles.items():
            for interest in profile.interests:
                holders[interest].append(handle)
            for key in profile.asked:
                askers[key].append(handle)
            for key in profile.offer_keys:
                offerers[key].append(handle)
        self.holders, self.askers, self.offerers = (
            {key: group for key, group in index.items() if len(group) <= CANDIDATE_LIMIT}
            for index in (holders, askers, offerers)
        )

    def partners(self, handle: str, profile: _Profile) -> set[str]:
        """The members after ``handle`` (in handle order) it shares a key with."""
        found: set[str] = set()
        for keys, index in (
            (profile.interests, self.holders),
            (profile.asked, self.offerers),
            (profile.offer_keys, self.askers),
        ):
            for key in keys:
                found.update(index.get(key, ()))
        return {b for b in found if b > handle}


def _score(people: dict[str, Member], pa: _Profile, pb: _Profile, a: str, b: str) -> float:
    """Jaccard similarity of their interests plus 1 for each ask met, either way; 0 for
    nothing to meet about, and for colleagues with no ask met."""
    met = pa.asks_met(pb) + pb.asks_met(pa)
    if not met and _org(people, a, b):
        return 0.0
    common = len(pa.interests & pb.interests)
    jaccard = common / (len(pa.interests) + len(pb.interests) - common) if common else 0.0
    return jaccard + met


def _org(people: dict[str, Member], a: str, b: str) -> str:
    """Their org if they are colleagues, else ''."""
    return people[a].org if people[a].org == people[b].org else ""


def _met(asker: _Profile, offerer: _Profile) -> list[tuple[_Need, _Need]]:
    """(ask, offer): each of asker's asks that one of offerer's offers meets, with the
    first such offer."""
    met = []
    for ask in asker.asks:
        offer = next((o for o in offerer.offers if ask.terms.meets(o.terms)), None)
        if offer:
            met.append((ask, offer))
    return met


def _suggestion(
    people: dict[str, Member], profiles: dict[str, _Profile], a: str, b: str, score: float
) -> Suggestion:
    pa, pb = profiles[a], profiles[b]
    common = sorted(pa.interests & pb.interests)
    name_a, name_b = people[a].name or a, people[b].name or b
    org = _org(people, a, b)
    sentences: list[tuple[str, dict[str, Value]]] = (
        [(_BOTH_WORK_ON, {"topics": _listed(common)})] if common else []
    )
    sentences += [_asks_for(name_a, name_b, ask, offer) for ask, offer in _met(pa, pb)]
    sentences += [_asks_for(name_b, name_a, ask, offer) for ask, offer in _met(pb, pa)]
    said = [Phrase(message, **values) for message, values in sentences[:-1]]
    if sentences:
        message, values = sentences[-1]
        if org:  # the last sentence says they are colleagues too
            message, values = _AT_ORG[message], {**values, "org": org}
        said.append(Phrase(message, **values))
    return Suggestion(a, b, score, functools.reduce(_then, said) if said else "")


# Translators: why two members should meet
_BOTH_WORK_ON = N_("Both work on %(topics)s.")
# Translators: why two members should meet: an ask post of one, an offer of the other
_ASKS = N_("%(asker)s asks “%(ask)s”, which %(offerer)s offers (“%(offer)s”).")
# Translators: why two members should meet: an ask of one, an offer of the other
_ASKS_FOR = N_("%(asker)s asks for “%(ask)s”, which %(offerer)s offers (“%(offer)s”).")
_AT_ORG = {
    # Translators: why two members should meet, who work at the same organisation
    _BOTH_WORK_ON: N_("Both work on %(topics)s (both at %(org)s)."),
    _ASKS: N_(
        "%(asker)s asks “%(ask)s”, which %(offerer)s offers (“%(offer)s”) (both at %(org)s)."
    ),
    _ASKS_FOR: N_(
        "%(asker)s asks for “%(ask)s”, which %(offerer)s offers (“%(offer)s”) (both at %(org)s)."
    ),
}
"""Each sentence of a reason as the last one says it when the two are colleagues."""


def _asks_for(asker: str, offerer: str, ask: _Need, offer: _Need) -> tuple[str, dict[str, Value]]:
    values: dict[str, Value] = {
        "asker": asker,
        "ask": ask.quoted,
        "offerer": offerer,
        "offer": offer.quoted,
    }
    return (_ASKS if ask.post else _ASKS_FOR), values


def _then(first: Phrase, then: Phrase) -> Phrase:
    # Translators: two sentences of a reason why two members should meet, one after the other
    return Phrase(N_("%(first)s %(then)s"), first=first, then=then)


def _listed(topics: list[str]) -> Listing:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 2 more': at most three named."""
    if len(topics) <= 3:
        return Listing(tuple(topics))
    more = len(topics) - 3
    # Translators: the end of a list of topics, "a, b, c and 2 more"
    return Listing((*topics[:3], Phrase.ngettext("%(num)s more", "%(num)s more", more)))


class _Best:
    """The best pairs seen, each member's ``each`` and the ``overall`` best, in bounded
    heaps (ten thousand members may have millions of pairs worth a look)."""

    def __init__(self, handles: list[str], each: int, overall: int) -> None:
        self.rank = {h: i for i, h in enumerate(handles)}
        self.each, self.overall = each, overall
        self.members: defaultdict[str, list[tuple[float, int, int]]] = defaultdict(list)
        self.all: list[tuple[float, int, int]] = []

    def add(self, score: float, a: str, b: str) -> None:
        # a heap's first is its worst: the lowest score, then the last pair by handles
        item = (score, -self.rank[a], -self.rank[b])
        for heap, size in ((self.members[a], self.each), (self.members[b], self.each)):
            _keep(heap, item, size)
        _keep(self.all, item, self.overall)

    def kept(self) -> list[tuple[float, str, str]]:
        handles = list(self.rank)
        items = set(self.all).union(*self.members.values())
        return [(score, handles[-a], handles[-b]) for score, a, b in items]


def _keep(heap: list[tuple[float, int, int]], item: tuple[float, int, int], size: int) -> None:
    if len(heap) < size:
        heapq.heappush(heap, item)
    elif size and item > heap[0]:
        heapq.heapreplace(heap, item)

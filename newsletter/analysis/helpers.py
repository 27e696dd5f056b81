"""Helpers: who could answer an open ask, ranked on evidence, with the reason in words.

This module owns the ranking behind "Who might help". A member's evidence is what they
said they offer (``offers:``, the strongest), their ``topics:``, their role and bio,
and what they have shared: the title, tags and body of their posts and of the items
from their blog's feed, each weighted by its age (a half-life of ``HALF_LIFE_DAYS``).
What they asked (ask posts, ``asks:``) is not evidence: asking about geocoding does not
make anyone a geocoding expert.

Evidence and asks are compared as a search engine would, with Okapi BM25: words are
stemmed in the newsletter's language and phrases (two adjacent words) kept
(``newsletter.analysis.text``), so that "geocoders" finds "geocoding" and "model cards"
does not find "card sorts"; a word counts for less the more members' evidence holds it
(inverse document frequency over members), and a word more than half of them use says
nothing about who could help and is left out. The asker, members with ``network:
false`` and those who already answered are never suggested; a colleague (the asker's
``org``) only on strong evidence, and the reason says so. Below ``MIN_SCORE`` of what a
perfect match would score, or on fewer than ``MIN_MATCHES`` of the ask's words and
phrases, nobody is suggested: no helper is better than a wrong one.

At 10,000 members, 100,000 posts and 5,000 asks it stays within seconds and well under
500 MB: the evidence is tokenised once (each distinct word stemmed once), gathered in
numpy arrays and sorted into an inverted index (term → members and weights); an ask is
scored through the posting lists of its 32 most telling terms only, each list kept to
its ``CHAMPIONS`` best members. No pair of members, or of ask and member, is looped over.

Pure and deterministic: no files, no clock; members and posts are put in order first,
so the order they come in does not change a score; ties go to the handle first in
alphabetical order.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import chain, pairwise

import numpy as np
import numpy.typing as npt

from newsletter.analysis.text import Analyser
from newsletter.core.community import Ask, Helper, NetworkOptions
from newsletter.core.model import Kind, Member, Post

HALF_LIFE_DAYS = 365
"""What a member shared counts half as much a year on, a quarter two years on: what
someone knows fades more slowly than a tie (``network.half_life_days``), but a post
from five years ago says little about what they work on now."""
K1 = 1.2
"""BM25's term-frequency saturation: the tenth post on a subject adds little."""
B = 0.75
"""BM25's length normalisation: a word among few counts more than among many."""
BODY_B = 0.75
"""BM25F's length normalisation of a body: a word among a long post's many counts less
(each field of an ask, title, tags and body, weighs the same in all: the title says in a
line what the body says in a paragraph)."""
QUERY_TERMS = 32
"""An ask is matched on its most telling terms (by weight × idf); the rest of a long
body adds little but time."""
CHAMPIONS = 1000
"""A term's posting list keeps only its best members ("champion lists"): a member
beyond them has too little of that word for it to lift them into the top three."""
MIN_MATCHES = 2
"""A helper's evidence shares at least two of the ask's terms (a phrase counts as one
more than its words): one shared word is too often a coincidence."""
MIN_SCORE = 0.25
"""A helper's evidence covers at least a quarter of the ask: their score is at least this
share of what evidence holding every word of the ask once would score (``Helper.score``
is that share)."""
RELATIVE = 0.5
"""A helper scores at least half what the best one does: far behind, they are a guess."""
COLLEAGUE_SCORE = 0.5
"""A colleague of the asker (same ``org``) must cover at least half of the ask: they can
ask across the corridor, so the newsletter names them only on strong evidence."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_BREAK = -1
"""A code in a token stream that ends a phrase (punctuation, the end of a field)."""
_TAGS = re.compile(r"<[^>]+>")

Array = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class Source(IntEnum):
    """Where a piece of evidence comes from, which decides its weight and its words."""

    OFFER = 0
    """One of ``offers:``."""
    OFFER_POST = 1
    """An offer post."""
    TOPIC = 2
    """One of ``topics:``."""
    POST = 3
    """A post they shared (not an ask)."""
    FEED = 4
    """An item from their blog's feed."""
    PROFILE = 5
    """Their role and bio."""


_WEIGHT = {
    Source.OFFER: 3.0,
    Source.OFFER_POST: 3.0,
    Source.TOPIC: 2.0,
    Source.POST: 2.0,
    Source.FEED: 2.0,
    Source.PROFILE: 1.0,
}
"""The weight of each word of a piece of evidence's headline: what a member offers
beats what they mention; a body's words (and a bio's) weigh 1."""


def rank_helpers(
    members: dict[str, Member],
    posts: list[Post],
    asks: list[Ask],
    today: dt.date,
    options: NetworkOptions,
    language: str = "en",
) -> dict[str, tuple[Helper, ...]]:
    """Each open ask's key → up to ``options.helpers`` helpers, best first."""
    if not asks or options.helpers <= 0:
        return {}
    encoder = _Encoder(Analyser(language))
    evidence = _gather(members, posts, today, encoder)
    index = _Index.build(evidence, encoder, [members[h].network for h in evidence.handles])
    by_key = {p.key: p for p in posts}
    people = _People(members, evidence, index, encoder)
    return {
        ask.key: people.helpers(ask, index.query(_ask_text(ask, by_key.get(ask.key))), options)
        for ask in sorted(asks, key=lambda a: a.key)
    }


def _ask_text(ask: Ask, post: Post | None) -> list[str]:
    """The ask's fields: its headline (title and tags) and its body."""
    tags = " . ".join(t.replace("-", " ") for t in ask.tags)
    return [f"{ask.title} . {tags}", post.body_md if post else ""]


class _Encoder(dict[str, tuple[int, ...]]):
    """Chunks of text (split on white space) → codes of their kept words (``_BREAK`` where
    a phrase ends), each distinct chunk analysed once. A code is a surface word (as
    written, lower-case); ``stem_of`` maps it to its stem's number."""

    def __init__(self, analyser: Analyser) -> None:
        super().__init__()
        self.analyser = analyser
        self.surfaces: dict[str, int] = {}
        self.stems: dict[str, int] = {}
        self.stem_of: list[int] = []

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        codes = tuple(_BREAK if w is None else self.code(w) for w in self.analyser.chunk(chunk))
        self[chunk] = codes
        return codes

    def code(self, word: str) -> int:
        found = self.surfaces.get(word)
        if found is None:
            found = self.surfaces[word] = len(self.surfaces)
            stem = self.analyser.stem(word)
            self.stem_of.append(self.stems.setdefault(stem, len(self.stems)))
        return found

    def encode(self, text: str) -> Iterable[int]:
        return chain.from_iterable(map(self.__getitem__, text.lower().split()))


@dataclass
class _Evidence:
    """Every member's evidence as flat lists: items (an offer, a topic, a post…), each
    of one or two segments (a headline, a body) whose codes follow one another in
    ``codes``, each segment ended by ``_BREAK``."""

    handles: list[str]
    codes: list[int] = field(default_factory=list)
    segment_item: list[int] = field(default_factory=list)
    segment_weight: list[float] = field(default_factory=list)
    segment_phrased: list[bool] = field(default_factory=list)
    segment_length: list[int] = field(default_factory=list)
    item_member: list[int] = field(default_factory=list)
    item_source: list[Source] = field(default_factory=list)
    item_of: list[Post | str] = field(default_factory=list)
    """The post, or the offer's or topic's words."""
    member_items: list[tuple[int, int]] = field(default_factory=list)
    """Each member's items, as a range of item numbers."""
    labels: dict[tuple[int, ...], str] = field(default_factory=dict)
    """A tag's or topic's stems → its name, to say "geocoding" rather than a stem."""

    def item(self, member: int, source: Source, of: Post | str) -> None:
        self.item_member.append(member)
        self.item_source.append(source)
        self.item_of.append(of)

    def segment(self, codes: Iterable[int], weight: float, phrased: bool) -> None:
        before = len(self.codes)
        self.codes.extend(codes)
        self.codes.append(_BREAK)
        self.segment_item.append(len(self.item_member) - 1)
        self.segment_weight.append(weight)
        self.segment_phrased.append(phrased)
        self.segment_length.append(len(self.codes) - before)


def _gather(
    members: dict[str, Member], posts: list[Post], today: dt.date, encoder: _Encoder
) -> _Evidence:
    """Everyone's evidence, member by member in handle order, their posts in key order."""
    shared: defaultdict[str, list[Post]] = defaultdict(list)
    for post in posts:
        if post.kind is not Kind.ASK:
            for handle in dict.fromkeys((post.by, *post.also_by)):
                shared[handle].append(post)
    evidence = _Evidence(sorted(members))
    for number, handle in enumerate(evidence.handles):
        first = len(evidence.item_member)
        _gather_member(evidence, number, members[handle], encoder)
        for post in sorted(shared.get(handle, ()), key=lambda p: (p.key, p.date)):
            _gather_post(evidence, number, post, today, encoder)
        evidence.member_items.append((first, len(evidence.item_member)))
    return evidence


def _gather_member(evidence: _Evidence, number: int, member: Member, encoder: _Encoder) -> None:
    for offer in member.offers:
        evidence.item(number, Source.OFFER, offer)
        evidence.segment(encoder.encode(offer), _WEIGHT[Source.OFFER], True)
    for topic in member.topics:
        evidence.item(number, Source.TOPIC, topic)
        evidence.segment(_label(evidence, encoder, topic), _WEIGHT[Source.TOPIC], True)
    bio = html.unescape(_TAGS.sub(" ", member.bio_html))
    if member.role or bio.strip():
        evidence.item(number, Source.PROFILE, member.role)
        evidence.segment(encoder.encode(f"{member.role} . {bio}"), _WEIGHT[Source.PROFILE], True)


def _gather_post(
    evidence: _Evidence, number: int, post: Post, today: dt.date, encoder: _Encoder
) -> None:
    source = (
        Source.FEED
        if post.origin
        else Source.OFFER_POST
        if post.kind is Kind.OFFER
        else Source.POST
    )
    recency = 0.5 ** (max(0, (today - post.date).days) / HALF_LIFE_DAYS)
    evidence.item(number, source, post)
    headline = chain(
        encoder.encode(post.title), *((_BREAK, *_label(evidence, encoder, t)) for t in post.tags)
    )
    evidence.segment(headline, _WEIGHT[source] * recency, True)
    evidence.segment(encoder.encode(post.body_md), recency, False)


def _label(evidence: _Evidence, encoder: _Encoder, name: str) -> tuple[int, ...]:
    """A tag's or topic's codes; the first name given to its stems names them."""
    codes = tuple(encoder.encode(name.replace("-", " ")))
    stems = tuple(encoder.stem_of[c] for c in codes if c != _BREAK)
    if 0 < len(stems) <= 2:
        known = evidence.labels.get(stems)
        if known is None or (len(name), name) < (len(known), known):
            evidence.labels[stems] = name
    return codes


@dataclass(frozen=True)
class _Query:
    """An ask's most telling terms: their places in the index, weights and idf."""

    positions: list[int]
    weights: list[float]
    idf: list[float]
    perfect: float
    """What evidence holding every word and known phrase of the ask once would score
    (at an average length): words no member has used count at the highest idf, those
    more than half of them use not at all."""


@dataclass(frozen=True)
class _Index:
    """The inverted index: for each kept term (a stem, or a phrase numbered after the
    stems), the members whose evidence holds it with their BM25 weight (``members``,
    ``weights`` from ``starts``), and the items that hold it (``items``, ``item_tf``
    from ``item_starts``) to say why."""

    encoder: _Encoder
    stems: int
    phrases: Array
    """Each phrase's (first stem × stems + second stem), sorted: phrase n is term stems + n."""
    keys: Array
    idf: Floats
    starts: Array
    members: npt.NDArray[np.int32]
    weights: Floats
    item_starts: Array
    items: npt.NDArray[np.int32]
    item_tf: Floats
    surface_counts: Array
    unknown_idf: float
    """The idf of a word no member has used."""

    @classmethod
    def build(cls, evidence: _Evidence, encoder: _Encoder, candidate: list[bool]) -> _Index:
        stems = len(encoder.stems)
        codes = np.array(evidence.codes, dtype=np.int64)
        keys, items, tf, phrases = _occurrences(evidence, encoder, codes)
        e_key, e_item, e_tf = _per_item(keys, items, tf, len(evidence.item_member))
        item_member = np.array(evidence.item_member, dtype=np.int64)
        m_starts = _runs(e_key * len(evidence.handles) + item_member[e_item])
        m_key, m_member = e_key[m_starts], item_member[e_item[m_starts]]
        m_tf = np.add.reduceat(e_tf, m_starts) if len(m_starts) else np.zeros(0)
        key_starts = _runs(m_key)
        df = np.diff(np.append(key_starts, len(m_key)))
        everyone = int(np.count_nonzero(np.bincount(m_member))) if len(m_member) else 0
        idf = np.log1p((everyone - df + 0.5) / (df + 0.5))
        lengths = np.bincount(m_member, weights=m_tf, minlength=len(evidence.handles))
        norm = K1 * (1 - B + B * lengths / max(float(lengths[lengths > 0].mean()), 1e-9))
        term = np.repeat(np.arange(len(df)), df)
        weight = idf[term] * m_tf * (K1 + 1) / (m_tf + norm[m_member])
        # a term more than half the members use is everyday here: classic BM25's idf
        # is zero or less for it
        kept_terms = df <= everyone / 2
        keep = kept_terms[term] & np.array(candidate, dtype=bool)[m_member]
        keep &= _champions(term, weight, keep)
        kept_keys = m_key[key_starts][kept_terms]
        item_keep = np.isin(e_key, kept_keys, assume_unique=False)
        return cls(
            encoder=encoder,
            stems=stems,
            phrases=phrases,
            keys=kept_keys,
            idf=idf[kept_terms],
            starts=_starts(m_key[keep], kept_keys),
            members=m_member[keep].astype(np.int32),
            weights=weight[keep],
            item_starts=_starts(e_key[item_keep], kept_keys),
            items=e_item[item_keep].astype(np.int32),
            item_tf=e_tf[item_keep],
            surface_counts=np.bincount(codes[codes >= 0], minlength=len(encoder.surfaces)),
            unknown_idf=math.log1p((everyone + 0.5) / 0.5),
        )

    def postings(self, position: int) -> tuple[npt.NDArray[np.int32], Floats]:
        start, end = self.starts[position], self.starts[position + 1]
        return self.members[start:end], self.weights[start:end]

    def evidence_of(self, position: int, first: int, last: int) -> Iterator[tuple[int, float]]:
        """(item, weighted frequency) for each of items first…last-1 that holds the term."""
        start, end = int(self.item_starts[position]), int(self.item_starts[position + 1])
        items = self.items[start:end]
        low, high = np.searchsorted(items, [first, last])
        for at in range(start + int(low), start + int(high)):
            yield int(self.items[at]), float(self.item_tf[at])

    def is_phrase(self, position: int) -> bool:
        return int(self.keys[position]) >= self.stems

    def words_of(self, position: int) -> tuple[int, ...]:
        """The stems of a term: one, or a phrase's two."""
        key = int(self.keys[position])
        if key < self.stems:
            return (key,)
        pair = int(self.phrases[key - self.stems])
        return (pair // self.stems, pair % self.stems)

    def query(self, fields: list[str]) -> _Query:
        """An ask's fields → its QUERY_TERMS most telling indexed terms, each field's
        words sharing a weight of 1."""
        frequency: defaultdict[int, float] = defaultdict(float)
        pairs: list[tuple[int, float]] = []
        unknown = 0.0
        for text in fields:
            codes = list(self.encoder.encode(text))
            stems = [self.encoder.stem_of[c] if c != _BREAK else _BREAK for c in codes]
            weight = 1 / max(1, len(codes) - codes.count(_BREAK))
            for stem in stems:
                if stem >= self.stems:
                    unknown += weight
                elif stem != _BREAK:
                    frequency[stem] += weight
            pairs += [
                (a * self.stems + b, weight)
                for a, b in pairwise(stems)
                if 0 <= a < self.stems and 0 <= b < self.stems
            ]
        if pairs:
            places = np.searchsorted(self.phrases, [p for p, _ in pairs])
            for (pair, weight), place in zip(pairs, places.tolist(), strict=True):
                if place < len(self.phrases) and self.phrases[place] == pair:
                    frequency[self.stems + place] += weight
        keys = sorted(frequency)
        places = np.searchsorted(self.keys, keys).tolist() if keys else []
        found = [
            (frequency[key] * float(self.idf[place]), frequency[key], place)
            for key, place in zip(keys, places, strict=True)
            if place < len(self.keys) and self.keys[place] == key
        ]
        found.sort(key=lambda f: (-f[0], f[2]))
        best = found[:QUERY_TERMS]
        return _Query(
            positions=[p for _, _, p in best],
            weights=[w for _, w, _ in best],
            idf=[float(self.idf[p]) for _, _, p in best],
            perfect=sum(f[0] for f in found) + unknown * self.unknown_idf,
        )


def _occurrences(
    evidence: _Evidence, encoder: _Encoder, codes: Array
) -> tuple[Array, Array, Floats, Array]:
    """Every occurrence of a term: (term, item, weight), and the phrase table."""
    stems = len(encoder.stems)
    stem = np.array([*encoder.stem_of, _BREAK], dtype=np.int64)[codes]  # _BREAK stays -1
    segment = np.repeat(np.arange(len(evidence.segment_length)), evidence.segment_length)
    segment_item = np.array(evidence.segment_item, dtype=np.int64)
    phrased = np.array(evidence.segment_phrased, dtype=bool)
    word = stem >= 0
    segment_weight = _normalised(evidence, np.bincount(segment[word], minlength=len(phrased)))
    first, second = stem[:-1], stem[1:]
    pair = (first >= 0) & (second >= 0) & phrased[segment[:-1]]
    phrases, which = np.unique(first[pair] * stems + second[pair], return_inverse=True)
    keys = np.concatenate([stem[word], stems + which.astype(np.int64)])
    at = np.concatenate([segment[word], segment[:-1][pair]])
    return keys, segment_item[at], segment_weight[at], phrases


def _normalised(evidence: _Evidence, lengths: Array) -> Floats:
    """Each segment's weight, a body's normalised by its length (BM25F): an incidental
    word in a long post counts for less than a word in a short one."""
    weight = np.array(evidence.segment_weight, dtype=np.float64)
    body = ~np.array(evidence.segment_phrased, dtype=bool) & (lengths > 0)
    if body.any():
        relative = lengths[body] / lengths[body].mean()
        weight[body] /= 1 - BODY_B + BODY_B * relative
    return weight


def _per_item(keys: Array, items: Array, tf: Floats, count: int) -> tuple[Array, Array, Floats]:
    """Occurrences summed per (term, item), sorted by term then item."""
    if not len(keys):
        return keys, items, tf
    combined = keys * count + items
    order = np.argsort(combined, kind="stable")
    combined = combined[order]
    starts = _runs(combined)
    first = combined[starts]
    return first // count, first % count, np.add.reduceat(tf[order], starts)


def _runs(ordered: Array) -> Array:
    """Where each run of equal values starts in a sorted array."""
    if not len(ordered):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))


def _starts(ordered: Array, keys: Array) -> Array:
    """Where each key's entries start in ``ordered`` (sorted), and where the last ends."""
    return np.append(np.searchsorted(ordered, keys), len(ordered))


def _champions(term: Array, weight: Floats, keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Only the CHAMPIONS best-weighted members in each term's posting list (by
    ``term``, sorted); among equals, the first in handle order."""
    champion = np.ones(len(term), dtype=bool)
    counts = np.bincount(term[keep]) if keep.any() else np.zeros(0, dtype=np.int64)
    for crowded in np.flatnonzero(counts > CHAMPIONS):
        start, end = np.searchsorted(term, [crowded, crowded + 1])
        mine = np.flatnonzero(keep[start:end])
        best = mine[np.argsort(-weight[start:end][mine], kind="stable")[:CHAMPIONS]]
        champion[start:end] = False
        champion[start + best] = True
    return champion


@dataclass
class _Credit:
    """How much each piece of a member's evidence adds to their match with one ask."""

    by_source: defaultdict[Source, float] = field(default_factory=lambda: defaultdict(float))
    by_item: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    by_term: dict[tuple[Source, int], float] = field(default_factory=dict)
    """How much each matched term of the ask weighs (weight × idf), per source."""
    items_of: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    """A term's position → the member's items that hold it."""

    def sources(self) -> list[Source]:
        """The sources that add at least a quarter of the strongest's, strongest first."""
        ranked = sorted(self.by_source.items(), key=lambda s: (-s[1], s[0]))
        return [source for source, c in ranked if c >= ranked[0][1] / 4]

    def terms(self, source: Source) -> list[int]:
        """The ask's terms this source holds, the weightiest first."""
        ranked = sorted((-c, p) for (s, p), c in self.by_term.items() if s is source)
        return [p for _, p in ranked]


class _People:
    """The members as candidates: who may be suggested for an ask, and why."""

    def __init__(
        self, members: dict[str, Member], evidence: _Evidence, index: _Index, encoder: _Encoder
    ) -> None:
        self.members = members
        self.evidence = evidence
        self.index = index
        self.encoder = encoder
        self._surfaces: dict[int, str] = {}
        self.numbers = {h: n for n, h in enumerate(evidence.handles)}
        by_org: defaultdict[str, list[int]] = defaultdict(list)
        for number, handle in enumerate(evidence.handles):
            if org := members[handle].org.strip().casefold():
                by_org[org].append(number)
        self.by_org = dict(by_org)
        """Each org (case-folded) → its members' numbers."""

    def helpers(self, ask: Ask, query: _Query, options: NetworkOptions) -> tuple[Helper, ...]:
        """The best helpers for ``ask``, above the thresholds, best first."""
        perfect = query.perfect
        if perfect <= 0:
            return ()
        count = len(self.evidence.handles)
        scores, hits = np.zeros(count), np.zeros(count, dtype=np.int64)
        for position, weight in zip(query.positions, query.weights, strict=True):
            members, weights = self.index.postings(position)
            scores[members] += weight * weights
            hits[members] += 2 if self.index.is_phrase(position) else 1
        share = np.round(scores / perfect, 3)
        share[hits < MIN_MATCHES] = 0.0
        for answer in ask.answers:
            share[self.numbers.get(answer.by, [])] = 0.0
        share[self.numbers.get(ask.by, [])] = 0.0
        asker = self.members.get(ask.by)
        colleagues = self.by_org.get(asker.org.strip().casefold(), []) if asker else []
        bar = np.full(count, MIN_SCORE)
        bar[colleagues] = COLLEAGUE_SCORE
        eligible = np.flatnonzero(share >= bar)
        if not len(eligible):
            return ()
        eligible = eligible[share[eligible] >= RELATIVE * share[eligible].max()]
        found = []
        for number in eligible[np.argsort(-share[eligible], kind="stable")][: options.helpers]:
            handle = self.evidence.handles[number]
            reason = self.reason(int(number), query)
            if number in colleagues:
                reason += f"; also at {self.members[handle].org.strip()}"
            found.append(Helper(handle, float(share[number]), reason))
        return tuple(found)

    def reason(self, number: int, query: _Query) -> str:
        """Why member ``number`` could help, from their strongest evidence."""
        first, last = self.evidence.member_items[number]
        credit = _Credit()
        for position, weight, idf in zip(query.positions, query.weights, query.idf, strict=True):
            for item, tf in self.index.evidence_of(position, first, last):
                source = self.evidence.item_source[item]
                added = weight * idf * tf
                credit.by_source[source] += added
                credit.by_item[item] += added
                credit.by_term[(source, position)] = weight * idf
                credit.items_of[position].add(item)
        return "; ".join(self._part(source, credit) for source in credit.sources()[:2])

    def _part(self, source: Source, credit: _Credit) -> str:
        of = self.evidence.item_of
        items = sorted(
            (i for i, c in credit.by_item.items() if self.evidence.item_source[i] is source),
            key=lambda i: (-credit.by_item[i], i),
        )
        best = of[items[0]]
        if source is Source.OFFER:
            return f"offers “{best}”"
        if isinstance(best, Post) and source is Source.OFFER_POST:
            return f"offered “{best.title}” in {_month(best.date)}"
        if source is Source.TOPIC:
            return f"works on {_listed([str(of[i]) for i in items])}"
        terms = credit.terms(source)
        named = [p for p in terms if self.index.words_of(p) in self.evidence.labels]
        subject = self._subject(named + [p for p in terms if p not in named])
        words = _listed([self.label(p) for p in subject])
        if source is Source.PROFILE:
            return f"their profile mentions {words}"
        if source is Source.FEED:
            return f"their blog covers {words}"
        posts = {
            i for p in subject for i in credit.items_of[p] if self.evidence.item_source[i] is source
        }
        latest = max(d.date for i in posts if isinstance(d := of[i], Post))
        if len(posts) == 1:
            return f"shared a post on {words} in {_month(latest)}"
        return f"has shared {len(posts)} posts on {words}, the latest in {_month(latest)}"

    def _subject(self, terms: list[int]) -> list[int]:
        """The first two terms, a phrase standing for its words; the names of tags and
        topics first, since a reader knows them."""
        chosen: list[int] = []
        covered: set[int] = set()
        for position in terms:
            words = set(self.index.words_of(position))
            if words <= covered:
                continue
            chosen = [p for p in chosen if not set(self.index.words_of(p)) <= words]
            chosen.append(position)
            covered |= words
            if len(chosen) == 2:
                break
        return chosen

    def label(self, position: int) -> str:
        """A term in words: the tag or topic it names, or its most used surface words."""
        stems = self.index.words_of(position)
        named = self.evidence.labels.get(stems)
        return named or " ".join(self._surface(s) for s in stems)

    def _surface(self, stem: int) -> str:
        if not self._surfaces:
            counts = self.index.surface_counts
            best: dict[int, tuple[int, str]] = {}
            for code, (word, of) in enumerate(
                zip(self.encoder.surfaces, self.encoder.stem_of, strict=True)
            ):
                rank = (-int(counts[code]) if code < len(counts) else 0, word)
                if of not in best or rank < best[of]:
                    best[of] = rank
            self._surfaces = {of: word for of, (_, word) in best.items()}
        return self._surfaces[stem]


def _month(date: dt.date) -> str:
    return f"{_MONTHS[date.month - 1]} {date.year}"


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': at most three, in the order given."""
    shown = list(dict.fromkeys(names))[:3]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"

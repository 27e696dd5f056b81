"""Helpers: who could answer an open ask, ranked on evidence, with the reason in words.

This module owns the ranking behind "Who might help". A member's evidence is what they
said they offer (``offers:``, the strongest), their ``topics:``, their role and bio,
and what they have shared: the title, tags and body of their posts and of the items
from their blog's feed, each weighted by its age (a half-life of ``HALF_LIFE_DAYS``).
What they asked (ask posts, ``asks:``) is not evidence: asking about geocoding does not
make anyone a geocoding expert. Intros and answers they wrote are.

Evidence and asks are compared as a search engine would, with Okapi BM25 (a body's words
normalised by its length, BM25F): words are stemmed in the newsletter's language and
phrases (two adjacent words) kept (``newsletter.analysis.text``), so that "geocoders"
finds "geocoding" and "model cards" does not find "card sorts"; a word counts for less
the more members' evidence holds it (inverse document frequency over members), and a
word more than half of them use says nothing about who could help and is left out.

An ask's score for a member is a share of a perfect match (evidence holding every word
of the ask once; a word nobody has used counts in full). Nobody is suggested below
``MIN_SCORE`` of it, on fewer than ``MIN_MATCHES`` of the ask's words, or below
``RELATIVE`` of the best helper's score: no helper is better than a wrong one. The
asker, members with ``network: false`` and those who already answered are never
suggested; a colleague (the asker's ``org``) only from ``COLLEAGUE_SCORE``, and the
reason says they share an org.

At 10,000 members, 100,000 posts and 5,000 asks it takes seconds and well under 500 MB:
the evidence is tokenised once (each distinct chunk of text analysed once), its sums
per member and term made in numpy and sorted into an inverted index (term → members and
BM25 weights). Every ask's words are weighed at once, and an ask is scored through the
posting lists of its ``QUERY_TERMS`` most telling terms only, each list kept to its
``CHAMPIONS`` best members: a batch of asks at a time, their postings summed in numpy
into a table of asks × members (``_CELLS`` at most). Then the helpers' evidence per
item (post, offer…) is summed, a chunk of helpers at a time, and what each item and
source adds to each helper's match, for every helper at once (``_Credits``). No pair
of members, or of ask and member, is looped over in Python; only the words of each
reason are chosen one helper at a time, and each phrase is made once.

Sums are made in numpy in the order a loop would add (``np.bincount`` adds its weights
one after the other), so that scores and reasons do not depend on how the work is cut.

Pure and deterministic: no files, no clock; members and posts are put in order first,
so the order they come in does not change a score; ties go to the handle first in
alphabetical order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from newsletter.analysis.wordcodes import BREAK, Codes, TextCodes
from newsletter.core import collector
from newsletter.core.community import Ask, Helper, NetworkOptions
from newsletter.core.messages import N_
from newsletter.core.model import Kind, Member, Post
from newsletter.core.phrases import Listing, Phrase, Value

HALF_LIFE_DAYS = 365
"""What a member shared counts half as much a year on, a quarter two years on: what
someone knows fades more slowly than a tie (``network.half_life_days``), but a post
from five years ago says little about what they work on now."""
K1 = 1.2
"""BM25's term-frequency saturation: the tenth post on a subject adds little."""
B = 0.75
"""BM25's length normalisation: a word among few counts more than among many."""
BODY_B = 0.75
"""BM25F's length normalisation of a body: a word among a long post's many counts less.
(An ask's two fields, its headline, title and tags, and its body, weigh the same in all:
the headline says in a line what the body says in a paragraph.)"""
QUERY_TERMS = 32
"""An ask is matched on its most telling terms (by weight × idf); the rest of a long
body adds little but time."""
CHAMPIONS = 1000
"""A term's posting list keeps only its best members ("champion lists"): a member
beyond them has too little of that word for it to lift them into the top three."""
MIN_MATCHES = 2
"""A helper's evidence shares at least two words with the ask (a phrase counts as two):
one shared word is too often a coincidence, unless the ask has only one."""
MIN_SCORE = 0.25
"""A helper's evidence covers at least a quarter of the ask: their score is at least this
share of what evidence holding every word of the ask once would score (``Helper.score``
is that share)."""
EVERYDAY_MIN = 3
"""A word is everyday when more than half the members with evidence use it, and more
than this many: in a community of a few, half is one or two people."""
RELATIVE = 0.5
"""A helper scores at least half what the best one does: far behind, they are a guess."""
COLLEAGUE_SCORE = 0.5
"""A colleague of the asker (same ``org``) must cover at least half of the ask: they can
ask across the corridor, so the newsletter names them only on strong evidence."""

_BREAK = BREAK
"""A code in a token stream that ends a phrase (punctuation, the end of a field)."""
_END = np.full(1, _BREAK, dtype=np.int32)
"""The end of a segment, or of its title and of each of its tags."""
_TAGS = re.compile(r"<[^>]+>")

Array = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Floats32 = npt.NDArray[np.float32]


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
    texts: TextCodes | None = None,
) -> dict[str, tuple[Helper, ...]]:
    """Each open ask's key → up to ``options.helpers`` helpers, best first. ``texts``: the
    texts analysed by earlier builds (in ``language``), and where this one's are kept."""
    if not asks or options.helpers <= 0:
        return {}
    # the ranking makes no reference cycles, but its tens of thousands of small lists and
    # phrases would set off passes over every post loaded (0.15 s each at 10,000 posts)
    with collector.paused():
        encoder = _Encoder(texts if texts is not None else TextCodes(language))
        evidence = _gather(members, posts, today, encoder)
        index = _Index.build(evidence, encoder, [members[h].network for h in evidence.handles])
        by_key = {p.key: p for p in posts}
        ordered = sorted(asks, key=lambda a: a.key)
        queries = index.queries([_ask_text(ask, by_key.get(ask.key)) for ask in ordered])
        people = _People(members, evidence, index)
        found = people.helpers(ordered, queries, options)
        return {ask.key: helpers for ask, helpers in zip(ordered, found, strict=True)}


def _ask_text(ask: Ask, post: Post | None) -> list[str]:
    """The ask's fields: its headline (title and tags) and its body."""
    tags = " . ".join(t.replace("-", " ") for t in ask.tags)
    return [f"{ask.title} . {tags}", post.body_md if post else ""]


class _Encoder:
    """This ranking's codes of words: a code is a surface word (as written, lower-case),
    numbered in the order the evidence first uses it (then the asks), whatever numbers
    ``TextCodes`` gave it; ``stem_of`` maps it to its stem's number, stems numbered in the
    order their first word was."""

    def __init__(self, texts: TextCodes) -> None:
        self.texts = texts
        self.surfaces: dict[str, int] = {}
        self.words: list[str] = []
        """Each code's word."""
        self.stems: dict[str, int] = {}
        self.stem_of: list[int] = []
        self._code_of = np.full(1, _BREAK, dtype=np.int64)
        """Each ``TextCodes`` number's code, -1 for a word not coded yet; then a last -1,
        which ``BREAK`` (-1) picks."""

    def number(self, words: Codes) -> Codes:
        """Code the words of ``words`` (``TextCodes`` numbers) in the order they first
        appear; their codes."""
        self._grow()
        kept = words[words >= 0]
        first = np.full(len(self.texts.words), len(kept), dtype=np.int64)
        np.minimum.at(first, kept, np.arange(len(kept), dtype=np.int64))
        seen = np.flatnonzero((first < len(kept)) & (self._code_of[:-1] < 0))
        for number in seen[np.argsort(first[seen], kind="stable")].tolist():
            self._code(number)
        return self.coded(words)

    def _grow(self) -> None:
        missing = len(self.texts.words) + 1 - len(self._code_of)
        if missing:
            self._code_of = np.concatenate([self._code_of, np.full(missing, _BREAK)])

    def _code(self, number: int) -> None:
        word = self.texts.words[number]
        self._code_of[number] = self.surfaces[word] = len(self.surfaces)
        self.words.append(word)
        self.stem_of.append(self.stems.setdefault(self.texts.stems[number], len(self.stems)))

    def coded(self, words: Codes) -> Codes:
        """The codes of ``words``, every one of them coded already."""
        return self._code_of[words].astype(np.int32)


@dataclass
class _Evidence:
    """Every member's evidence as flat lists: items (an offer, a topic, a post…), each of
    one or two segments (a headline, a body) whose codes follow one another in ``codes``,
    each segment ended by ``_BREAK``; members in handle order, each one's items and
    segments together."""

    handles: list[str]
    words: list[Codes] = field(default_factory=list)
    """The segments' words as ``TextCodes`` numbers, in pieces, until ``coded``."""
    length: int = 0
    """How many numbers there are in ``words``."""
    codes: Codes = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    segment_end: list[int] = field(default_factory=list)
    """Where each segment's codes end in ``codes``."""
    segment_item: list[int] = field(default_factory=list)
    segment_weight: list[float] = field(default_factory=list)
    segment_phrased: list[bool] = field(default_factory=list)
    item_member: list[int] = field(default_factory=list)
    item_source: list[Source] = field(default_factory=list)
    item_of: list[Post | str] = field(default_factory=list)
    """The post, or the offer's or topic's words."""
    member_items: list[tuple[int, int]] = field(default_factory=list)
    """Each member's items, as a range of item numbers."""
    member_segments: list[tuple[int, int]] = field(default_factory=list)
    """Each member's segments, as a range of segment numbers."""
    labels: dict[tuple[int, ...], str] = field(default_factory=dict)
    """A tag's or topic's stems → its name, to say "geocoding" rather than a stem."""
    named: dict[str, Codes] = field(default_factory=dict)
    """A tag's or topic's words (``TextCodes`` numbers), by its name."""

    def item(self, member: int, source: Source, of: Post | str) -> None:
        self.item_member.append(member)
        self.item_source.append(source)
        self.item_of.append(of)

    def segment(self, pieces: list[Codes], weight: float, phrased: bool) -> None:
        """A segment of the words of ``pieces`` one after the other."""
        self.words += pieces
        self.words.append(_END)
        self.length += sum(map(len, pieces)) + 1
        self.segment_end.append(self.length)
        self.segment_item.append(len(self.item_member) - 1)
        self.segment_weight.append(weight)
        self.segment_phrased.append(phrased)


def _gather(
    members: dict[str, Member], posts: list[Post], today: dt.date, encoder: _Encoder
) -> _Evidence:
    """Everyone's evidence, coded (``_Evidence.codes``) in the order it was gathered."""
    evidence = _gather_words(members, posts, today, encoder.texts)
    evidence.codes = encoder.number(np.concatenate(evidence.words or [_END[:0]]))
    evidence.words = []
    for name, words in evidence.named.items():
        stems = tuple(encoder.stem_of[c] for c in encoder.coded(words).tolist() if c != _BREAK)
        known = evidence.labels.get(stems)
        if 0 < len(stems) <= 2 and (known is None or (len(name), name) < (len(known), known)):
            evidence.labels[stems] = name
    return evidence


def _gather_words(
    members: dict[str, Member], posts: list[Post], today: dt.date, texts: TextCodes
) -> _Evidence:
    """Everyone's evidence, member by member in handle order, their posts in key order."""
    shared: defaultdict[str, list[Post]] = defaultdict(list)
    for post in sorted(posts, key=lambda p: (p.key, p.date, p.by)):
        if post.kind is Kind.ASK:
            continue
        shared[post.by].append(post)
        for handle in dict.fromkeys(post.also_by):
            if handle != post.by:
                shared[handle].append(post)
    evidence = _Evidence(sorted(members))
    for number, handle in enumerate(evidence.handles):
        items, segments = len(evidence.item_member), len(evidence.segment_end)
        _gather_member(evidence, number, members[handle], texts)
        for post in shared.get(handle, ()):
            _gather_post(evidence, number, post, today, texts)
        evidence.member_items.append((items, len(evidence.item_member)))
        evidence.member_segments.append((segments, len(evidence.segment_end)))
    return evidence


def _gather_member(evidence: _Evidence, number: int, member: Member, texts: TextCodes) -> None:
    for offer in member.offers:
        evidence.item(number, Source.OFFER, offer)
        evidence.segment([texts.of(offer)], _WEIGHT[Source.OFFER], True)
    for topic in member.topics:
        evidence.item(number, Source.TOPIC, topic)
        evidence.segment([_name(evidence, texts, topic)], _WEIGHT[Source.TOPIC], True)
    bio = html.unescape(_TAGS.sub(" ", member.bio_html))
    if member.role or bio.strip():
        evidence.item(number, Source.PROFILE, member.role)
        evidence.segment([texts.of(f"{member.role} . {bio}")], _WEIGHT[Source.PROFILE], True)


def _gather_post(
    evidence: _Evidence, number: int, post: Post, today: dt.date, texts: TextCodes
) -> None:
    source = Source.FEED if post.origin else Source.POST
    if post.kind is Kind.OFFER:
        source = Source.OFFER_POST
    recency = 0.5 ** (max(0, (today - post.date).days) / HALF_LIFE_DAYS)
    evidence.item(number, source, post)
    headline = [texts.of(post.title)]
    for tag in post.tags:
        headline += (_END, _name(evidence, texts, tag))
    evidence.segment(headline, _WEIGHT[source] * recency, True)
    evidence.segment([texts.of(post.body_md)], recency, False)


def _name(evidence: _Evidence, texts: TextCodes, name: str) -> Codes:
    """A tag's or topic's words (the shortest name given to its stems, then the first in
    alphabetical order, names them: ``_gather``)."""
    words = evidence.named.get(name)
    if words is None:
        words = evidence.named[name] = texts.of(name.replace("-", " "))
    return words


@dataclass(frozen=True)
class _Tokens:
    """The evidence's codes as stems, with each segment's place, weight and phrasing:
    what both the index and a helper's reasons are counted from."""

    stem: npt.NDArray[np.int32]
    """Each token's stem, ``_BREAK`` at the end of each segment."""
    start: Array
    length: Array
    weight: Floats
    """Each segment's weight (a body's normalised by its length)."""
    phrased: npt.NDArray[np.bool_]
    stems: int
    """How many stems there are: term keys from this on are phrases."""
    surface_counts: list[int]
    """How often each surface word (code) occurs."""

    @classmethod
    def of(cls, evidence: _Evidence, encoder: _Encoder) -> _Tokens:
        codes = evidence.codes
        stem = np.array([*encoder.stem_of, _BREAK], dtype=np.int32)[codes]  # _BREAK → _BREAK
        end = np.array(evidence.segment_end, dtype=np.int64)
        start = np.concatenate([[0], end[:-1]]).astype(np.int64) if len(end) else end
        kept = np.add.reduceat((stem >= 0).astype(np.int64), start) if len(start) else start
        return cls(
            stem=stem,
            start=start,
            length=end - start,
            weight=_normalised(evidence, kept),
            phrased=np.array(evidence.segment_phrased, dtype=bool),
            stems=len(encoder.stems),
            surface_counts=np.bincount(codes[codes >= 0], minlength=len(encoder.surfaces)).tolist(),
        )

    def bag(self, segments: Array, group: Array, groups: int) -> tuple[Array, Array, Floats]:
        """The terms (stems, and phrases in phrased segments) of ``segments`` (in
        order), summed per (term, group of the segment), sorted by term then group
        (``group``, each segment's, never decreases); a phrase (a, b) is the key
        ``stems + a × stems + b``."""
        if not len(segments):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        length = self.length[segments]
        stem = self.stem[_spread(self.start[segments], length)].astype(np.int64)
        segment = np.repeat(np.arange(len(segments)), length)  # a place in ``segments``
        word = stem >= 0
        a, b = stem[:-1], stem[1:]  # each segment ends with _BREAK: no phrase spans two
        pair = (a >= 0) & (b >= 0) & self.phrased[segments][segment[:-1]]
        keys = np.concatenate([stem[word], self.stems + a[pair] * self.stems + b[pair]])
        at = np.concatenate([segment[word], segment[:-1][pair]])
        order = self._order(keys, a[pair], b[pair])
        # (stems + stems²) × groups stays far below 2⁶³ for any real community
        combined = (keys * groups + group[at])[order]
        runs = _runs(combined)
        firsts = combined[runs]
        weight = self.weight[segments][at][order]
        return firsts // groups, firsts % groups, np.add.reduceat(weight, runs)

    def _order(self, keys: Array, firsts: Array, seconds: Array) -> Array:
        """The stable sort of ``keys``: the stems of words, then of phrases (their first
        and second stems). Since groups never decrease, it sorts by term then group,
        each group's terms in the order they occur. Stems that fit in 16 bits are
        radix-sorted (numpy's stable sort of small integers), in three passes, a few
        times faster than one of 64-bit keys."""
        if self.stems > 1 << 16:
            return np.argsort(keys, kind="stable")
        words = len(keys) - len(firsts)
        order = np.argsort(seconds.astype(np.uint16), kind="stable")
        order = order[np.argsort(firsts.astype(np.uint16)[order], kind="stable")]
        word_order = np.argsort(keys[:words].astype(np.uint16), kind="stable")
        return np.concatenate([word_order, order + words])


def _normalised(evidence: _Evidence, kept: Array) -> Floats:
    """Each segment's weight, a body's normalised by its length (BM25F): an incidental
    word in a long post counts for less than a word in a short one."""
    weight = np.array(evidence.segment_weight, dtype=np.float64)
    body = ~np.array(evidence.segment_phrased, dtype=bool) & (kept > 0)
    if body.any():
        relative = kept[body] / kept[body].mean()
        weight[body] /= 1 - BODY_B + BODY_B * relative
    return weight


@dataclass(frozen=True)
class _Query:
    """An ask's most telling terms, as a reason reads them."""

    keys: list[int]
    words: dict[int, str]
    """Each stem of the ask → the word the asker wrote for it (the first)."""


@dataclass(frozen=True)
class _Queries:
    """Every ask's most telling indexed terms (``QUERY_TERMS`` at most), ask after ask
    in the order given, each ask's the most telling first."""

    ask: Array
    """Each term's ask."""
    keys: Array
    positions: Array
    """Each term's place in the index."""
    weights: Floats
    idf: Floats
    phrases: npt.NDArray[np.bool_]
    starts: Array
    """Where each ask's terms start (then where the last one's end)."""
    perfect: Floats
    """Each ask's score of evidence holding every word and known phrase of it once (at
    an average length): words no member has used count at the highest idf, those more
    than half of them use not at all."""
    word_starts: Array
    """Where each ask's words start in ``word_stems`` and ``word_codes``."""
    word_stems: Array
    """Each ask's stems, in order…"""
    word_codes: Array
    """…and the code of the word the asker first wrote for each."""

    def needed(self) -> Array:
        """The matches each ask's helpers need: an ask of one word matches on one."""
        return np.minimum(MIN_MATCHES, np.diff(self.word_starts))

    def query(self, ask: int, encoder: _Encoder) -> _Query:
        """Ask ``ask``'s terms and words, as its helpers' reasons read them."""
        low, high = self.starts[ask], self.starts[ask + 1]
        first, last = self.word_starts[ask], self.word_starts[ask + 1]
        return _Query(
            keys=self.keys[low:high].tolist(),
            words={
                stem: encoder.words[code]
                for stem, code in zip(
                    self.word_stems[first:last].tolist(),
                    self.word_codes[first:last].tolist(),
                    strict=True,
                )
            },
        )


@dataclass(frozen=True)
class _Index:
    """The inverted index: for each kept term (a stem, or a phrase), the members whose
    evidence holds it and their BM25 weight (``members``, ``weights`` from ``starts``)."""

    encoder: _Encoder
    tokens: _Tokens
    keys: Array
    """The kept terms, sorted."""
    idf: Floats
    starts: Array
    members: npt.NDArray[np.int32]
    weights: Floats32
    unknown_idf: float
    """The idf of a word no member has used."""

    @classmethod
    def build(cls, evidence: _Evidence, encoder: _Encoder, candidate: list[bool]) -> _Index:
        tokens = _Tokens.of(evidence, encoder)
        evidence.codes = evidence.codes[:0]  # what is needed of them is in tokens
        key, member, tf = _per_member(evidence, tokens)
        runs = _runs(key)
        df = np.diff(np.append(runs, len(key)))
        everyone = len(np.unique(member))
        idf = np.log1p((everyone - df + 0.5) / (df + 0.5))
        lengths = np.bincount(member, weights=tf, minlength=len(evidence.handles))
        used = lengths[lengths > 0]
        norm = K1 * (1 - B + B * lengths / max(float(used.mean()) if len(used) else 0.0, 1e-9))
        # a term more than half the members use is everyday here: classic BM25's idf is
        # zero or less for it (in a community of a few, no word is everyday)
        kept = df <= max(everyone / 2, EVERYDAY_MIN)
        kept_keys = key[runs][kept]
        term = np.repeat(np.arange(len(df), dtype=np.int32), df)
        keep = kept[term] & np.array(candidate, dtype=bool)[member]
        key, member, tf, term = key[keep], member[keep], tf[keep], term[keep]
        weight = (idf[term] * tf * (K1 + 1) / (tf + norm[member])).astype(np.float32)
        best = _champions(term, weight)
        return cls(
            encoder=encoder,
            tokens=tokens,
            keys=kept_keys,
            idf=idf[kept],
            starts=np.append(np.searchsorted(key[best], kept_keys), int(best.sum())),
            members=member[best],
            weights=weight[best],
            unknown_idf=math.log1p((everyone + 0.5) / 0.5),
        )

    def words_of(self, key: int) -> tuple[int, ...]:
        """The stems of a term: one, or a phrase's two."""
        stems = self.tokens.stems
        return (key,) if key < stems else divmod(key - stems, stems)

    def queries(self, asks: list[list[str]]) -> _Queries:
        """Each ask's fields → its QUERY_TERMS most telling indexed terms (by weight ×
        idf, then key); the words of each field share a weight of 1 (a phrase weighs as
        its words do). All asks at once: no loop over an ask's words."""
        stems = self.tokens.stems
        codes, field, field_ask = self._encoded(asks)
        stem = np.array([*self.encoder.stem_of, _BREAK], dtype=np.int64)[codes]
        word = stem != _BREAK
        weight = 1 / np.maximum(1, np.bincount(field[word], minlength=len(field_ask)))
        ask = field_ask[field]
        new = stem >= stems
        unknown = np.bincount(ask[new], weights=weight[field[new]], minlength=len(asks))
        known = word & ~new
        pair = known[:-1] & known[1:]
        # bincount adds in the order given, as a sum over the words would: a word's
        # weight from its first field, then from its second
        key = np.concatenate([stem[known], stems + stem[:-1][pair] * stems + stem[1:][pair]])
        at = np.concatenate([np.flatnonzero(known), np.flatnonzero(pair)])
        span = stems + stems * stems
        cells, inverse = np.unique(ask[at] * span + key, return_inverse=True)
        frequency = np.bincount(inverse, weights=weight[field[at]])
        term_ask, key = cells // span, cells % span
        place = np.searchsorted(self.keys, key)
        found = np.flatnonzero(place < len(self.keys))
        found = found[self.keys[place[found]] == key[found]]
        term_ask, key, place, frequency = (a[found] for a in (term_ask, key, place, frequency))
        score = -frequency * self.idf[place]
        order = np.lexsort((key, score, term_ask))
        term_ask, score = term_ask[order], score[order]
        # the asks' sums, each in its terms' order, as a sum over the sorted terms would
        total = np.bincount(term_ask, weights=score, minlength=len(asks))
        rank = np.arange(len(order)) - np.searchsorted(term_ask, term_ask)
        best, term_ask = order[rank < QUERY_TERMS], term_ask[rank < QUERY_TERMS]
        all_stems = len(self.encoder.stems)
        distinct, first = np.unique(ask[word] * all_stems + stem[word], return_index=True)
        return _Queries(
            ask=term_ask,
            keys=key[best],
            positions=place[best],
            weights=frequency[best],
            idf=self.idf[place[best]],
            phrases=key[best] >= stems,
            starts=np.searchsorted(term_ask, np.arange(len(asks) + 1)),
            perfect=-total + unknown * self.unknown_idf,
            word_starts=np.searchsorted(distinct // all_stems, np.arange(len(asks) + 1)),
            word_stems=distinct % all_stems,
            word_codes=codes[word][first].astype(np.int64),
        )

    def _encoded(self, asks: list[list[str]]) -> tuple[Codes, Array, Array]:
        """The codes of every field of ``asks``, each field ended by ``_BREAK``; each
        code's field, and each field's ask."""
        fields = [self.encoder.texts.of(text) for texts in asks for text in texts]
        # coded at once, in the order the words first appear, as field after field would
        words = np.concatenate([part for f in fields for part in (f, _END)] or [_END[:0]])
        codes = self.encoder.number(words)
        field = np.repeat(np.arange(len(fields)), [len(f) + 1 for f in fields])
        return codes, field, np.repeat(np.arange(len(asks)), [len(t) for t in asks])


_CHUNK = 256
"""Members whose evidence is summed at once: the arrays stay small, the calls few."""
_SOURCES = len(Source)
_CELLS = 1 << 20
"""Asks × members summed at once (and at most the postings their terms reach): a few
megabytes at a time, however many asks there are."""


def _per_member(
    evidence: _Evidence, tokens: _Tokens
) -> tuple[Array, npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Each member's weighted frequency of each term, sorted by term then member."""
    count = len(evidence.handles)
    sizes = [last - first for first, last in evidence.member_segments]
    member_of = np.repeat(np.arange(count, dtype=np.int64), sizes)
    keys, members = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int32)]
    tfs = [np.zeros(0, dtype=np.float32)]
    for first in range(0, count, _CHUNK):
        last = min(count, first + _CHUNK)
        low, high = evidence.member_segments[first][0], evidence.member_segments[last - 1][1]
        segments = np.arange(low, high)
        key, member, tf = tokens.bag(segments, member_of[low:high] - first, last - first)
        keys.append(key)
        members.append((member + first).astype(np.int32))
        tfs.append(tf.astype(np.float32))
    # each chunk is sorted by term: the stable sort (a merge of sorted runs) keeps
    # each term's members in order
    key = np.concatenate(keys)
    del keys
    order = np.argsort(key, kind="stable")
    return key[order], np.concatenate(members)[order], np.concatenate(tfs)[order]


def _spread(start: Array, length: Array) -> Array:
    """The numbers start…start + length - 1 of each (start, length), one after another."""
    return np.arange(int(length.sum())) + np.repeat(start - np.cumsum(length) + length, length)


def _runs(ordered: Array) -> Array:
    """Where each run of equal values starts in a sorted array."""
    if not len(ordered):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))


def _champions(term: npt.NDArray[np.int32], weight: Floats32) -> npt.NDArray[np.bool_]:
    """Only the CHAMPIONS best-weighted members in each term's posting list (``term``
    is sorted); among equals, the first in handle order."""
    champion = np.ones(len(term), dtype=bool)
    counts = np.bincount(term) if len(term) else np.zeros(0, dtype=np.int64)
    for crowded in np.flatnonzero(counts > CHAMPIONS):
        start, end = np.searchsorted(term, [crowded, crowded + 1])
        best = np.argsort(-weight[start:end], kind="stable")[:CHAMPIONS]
        champion[start:end] = False
        champion[start + best] = True
    return champion


@dataclass(frozen=True)
class _Credits:
    """How much each piece of evidence adds to each helper's match with their ask, every
    helper's at once; what their reasons say. A group is a helper's evidence from one
    source (helper × ``_SOURCES`` + source)."""

    sources: list[list[Source]]
    """Each helper's sources that add at least a quarter of the strongest's, strongest
    first, two at most."""
    items: list[int]
    """Each group's items, the most credited first (then in order)…"""
    item_runs: tuple[dict[int, int], list[int]]
    """…each group's run of them (its number, and where each run starts)."""
    terms: list[int]
    """Each group's terms (places in the ask's terms), the weightiest first…"""
    term_runs: tuple[dict[int, int], list[int]]
    holding: list[int]
    """The items of each group holding each term…"""
    holding_keys: list[int]
    """…each as group × QUERY_TERMS + term (sorted)."""

    @classmethod
    def of(
        cls, helpers: int, held: tuple[Array, Array, Array, Floats], source_of: Array
    ) -> _Credits:
        """The credits of ``held``: helper, term, item and credit, by helper, term and
        item (bincount adds in that order, as a loop over them would)."""
        helper, term, item, added = held
        group = helper * _SOURCES + source_of[item]
        total = np.bincount(group, weights=added, minlength=helpers * _SOURCES)
        present = np.bincount(group, minlength=helpers * _SOURCES) > 0
        strongest = np.repeat(total.reshape(-1, _SOURCES).max(axis=1), _SOURCES)
        said = np.flatnonzero(present & (total >= strongest / 4))
        said = said[np.lexsort((said % _SOURCES, -total[said], said // _SOURCES))]
        said = said[np.arange(len(said)) - np.searchsorted(said // _SOURCES, said // _SOURCES) < 2]
        sources: list[list[Source]] = [[] for _ in range(helpers)]
        for said_group in said.tolist():
            sources[said_group // _SOURCES].append(Source(said_group % _SOURCES))
        items = len(source_of)
        cells, inverse = np.unique(helper * items + item, return_inverse=True)
        credit = np.bincount(inverse, weights=added)
        cell_item = cells % items
        cell_group = cells // items * _SOURCES + source_of[cell_item]
        order = np.lexsort((cell_item, -credit, cell_group))
        pairs = np.unique(group * QUERY_TERMS + term)
        holding = group * QUERY_TERMS + term
        by_term = np.lexsort((item, holding))
        return cls(
            sources=sources,
            items=cell_item[order].tolist(),
            item_runs=_numbered_runs(cell_group[order]),
            terms=(pairs % QUERY_TERMS).tolist(),
            term_runs=_numbered_runs(pairs // QUERY_TERMS),
            holding=item[by_term].tolist(),
            holding_keys=holding[by_term].tolist(),
        )

    def items_of(self, helper: int, source: Source) -> list[int]:
        number, starts = self.item_runs
        run = number[helper * _SOURCES + source]
        return self.items[starts[run] : starts[run + 1]]

    def terms_of(self, helper: int, source: Source) -> list[int]:
        number, starts = self.term_runs
        run = number[helper * _SOURCES + source]
        return self.terms[starts[run] : starts[run + 1]]

    def holding_of(self, helper: int, source: Source, term: int) -> list[int]:
        key = (helper * _SOURCES + source) * QUERY_TERMS + term
        low = bisect.bisect_left(self.holding_keys, key)
        return self.holding[low : bisect.bisect_right(self.holding_keys, key, low)]


def _numbered_runs(ordered: Array) -> tuple[dict[int, int], list[int]]:
    """Each value of ``ordered`` (sorted) → the number of its run; where each run
    starts, then the end (plain numbers: no tuple per run for the collector to track)."""
    starts = _runs(ordered)
    number = dict(zip(ordered[starts].tolist(), range(len(starts)), strict=True))
    return number, [*starts.tolist(), len(ordered)]


@dataclass(frozen=True)
class _Tables:
    """Some members' terms per item (per offer, post…), which their reasons are counted
    from: the members in chunks of ``_CHUNK``, each chunk's terms sorted by term then
    item, each at its ``place``: term × the chunk's span of items + the item's place in
    that span (two binary searches find a member's items holding a term)."""

    chunk_of: Array
    """Each member's chunk (-1 for none)."""
    first_item: list[int]
    """Each chunk's first item…"""
    span: list[int]
    """…and how many items it spans."""
    place: list[Array]
    item: list[Array]
    tf: list[Floats]

    @classmethod
    def of(cls, evidence: _Evidence, tokens: _Tokens, numbers: Array) -> _Tables:
        """The tables of members ``numbers`` (in order), summed a chunk at a time."""
        tables = cls(np.full(len(evidence.handles), -1), [], [], [], [], [])
        segments = np.array(evidence.member_segments, dtype=np.int64).reshape(-1, 2)
        segment_item = np.array(evidence.segment_item, dtype=np.int64)
        for low in range(0, len(numbers), _CHUNK):
            chunk = numbers[low : low + _CHUNK]
            first = evidence.member_items[int(chunk[0])][0]
            span = max(1, evidence.member_items[int(chunk[-1])][1] - first)
            mine = segments[chunk]
            segment = _spread(mine[:, 0], mine[:, 1] - mine[:, 0])
            key, item, tf = tokens.bag(segment, segment_item[segment] - first, span)
            tables.chunk_of[chunk] = len(tables.place)
            tables.first_item.append(first)
            tables.span.append(span)
            tables.place.append(key * span + item)
            tables.item.append(item + first)
            tables.tf.append(tf)
        return tables

    def held(
        self, who: Array, ask: Array, queries: _Queries, items: Array
    ) -> tuple[Array, Array, Array, Floats]:
        """The items of each helper (member ``who[h]``, for ``ask[h]``; a member's items
        are ``items[member]``: first, end) holding each term of their ask: helper, term
        (its place among the ask's), item and credit (weight × idf × frequency), by
        helper, then term, then item."""
        found = []
        chunk_of = self.chunk_of[who]
        for chunk, place in enumerate(self.place):
            helper = np.flatnonzero(chunk_of == chunk)
            first, count = queries.starts[ask[helper]], np.diff(queries.starts)[ask[helper]]
            term = _spread(first, count)
            helper = np.repeat(helper, count)
            base = queries.keys[term] * self.span[chunk] - self.first_item[chunk]
            low = np.searchsorted(place, base + items[who[helper], 0])
            length = np.searchsorted(place, base + items[who[helper], 1]) - low
            at = _spread(low, length)
            found.append((np.repeat(helper, length), np.repeat(term, length), at, chunk))
        helper = np.concatenate([f[0] for f in found])
        term = np.concatenate([f[1] for f in found])
        item = np.concatenate([self.item[c][at] for _, _, at, c in found])
        tf = np.concatenate([self.tf[c][at] for _, _, at, c in found])
        order = np.argsort(helper, kind="stable")
        helper, term, item, tf = helper[order], term[order], item[order], tf[order]
        added = (queries.weights * queries.idf)[term] * tf
        return helper, term - queries.starts[ask[helper]], item, added


class _People:
    """The members as candidates: who may be suggested for an ask, and why."""

    def __init__(self, members: dict[str, Member], evidence: _Evidence, index: _Index) -> None:
        self.members = members
        self.evidence = evidence
        self.index = index
        self.numbers = {h: n for n, h in enumerate(evidence.handles)}
        orgs = [members[h].org.strip().casefold() for h in evidence.handles]
        self.org_ids = {org: n for n, org in enumerate(sorted(set(orgs) - {""}))}
        self.org_of = np.array([self.org_ids.get(org, -1) for org in orgs], dtype=np.int64)
        """Each member's org, as a number; -1 for none."""
        self._surfaces: dict[int, str] = {}
        self._said: dict[tuple[object, ...], Phrase] = {}
        self._kinds: dict[int, int] = {}

    def helpers(
        self, asks: list[Ask], queries: _Queries, options: NetworkOptions
    ) -> list[tuple[Helper, ...]]:
        """Each ask's best helpers, above the thresholds, best first (then by handle)."""
        members = max(1, len(self.evidence.handles))
        # an ask reaches at most QUERY_TERMS posting lists of at most min(CHAMPIONS, members)
        reach = QUERY_TERMS * min(CHAMPIONS, members)
        step = max(1, min(_CELLS // members, _CELLS // reach))
        excluded, org = self._excluded(asks)
        chosen = [
            _top(
                *self._chosen(queries, first, min(len(asks), first + step), excluded, org),
                options.helpers,
            )
            for first in range(0, len(asks), step)
        ]
        ask, who, share, colleague = (np.concatenate(c) for c in zip(*chosen, strict=True))
        if not len(who):
            return [() for _ in asks]
        tables = _Tables.of(self.evidence, self.index.tokens, np.unique(who))
        items = np.array(self.evidence.member_items, dtype=np.int64).reshape(-1, 2)
        held = tables.held(who, ask, queries, items)
        credits = _Credits.of(len(who), held, np.array(self.evidence.item_source))
        found: list[list[Helper]] = [[] for _ in asks]
        query: tuple[int, _Query] | None = None
        for h, (a, number, score, near) in enumerate(
            zip(ask.tolist(), who.tolist(), share.tolist(), colleague.tolist(), strict=True)
        ):
            if query is None or query[0] != a:
                query = (a, queries.query(a, self.index.encoder))
            said = [self._part(source, credits, h, query[1]) for source in credits.sources[h]]
            reason = functools.reduce(self._then, said)
            if near:
                their_org = self.members[self.evidence.handles[number]].org.strip()
                reason = self._then(reason, self._phrase(N_("also at %(org)s"), org=their_org))
            found[a].append(Helper(self.evidence.handles[number], score, reason))
        return [tuple(f) for f in found]

    def _excluded(self, asks: list[Ask]) -> tuple[Array, Array]:
        """The members never suggested for each ask (as ask × members + member: the asker
        and those who answered), and each asker's org (-2 for none)."""
        members = len(self.evidence.handles)
        excluded = [
            n * members + number
            for n, ask in enumerate(asks)
            for handle in (ask.by, *(a.by for a in ask.answers))
            if (number := self.numbers.get(handle, -1)) >= 0
        ]
        askers = [self.members.get(ask.by) for ask in asks]
        org = [self.org_ids.get(a.org.strip().casefold(), -2) if a else -2 for a in askers]
        return np.array(excluded, dtype=np.int64), np.array(org, dtype=np.int64)

    def _chosen(
        self, queries: _Queries, first: int, last: int, excluded: Array, org: Array
    ) -> tuple[Array, Array, Floats, npt.NDArray[np.bool_]]:
        """The members who may help with asks first…last-1, with their share of a perfect
        score and whether they are the asker's colleague: only the members the asks'
        terms reach, each ask × member summed in a table of (last - first) × members."""
        members = len(self.evidence.handles)
        low, high = queries.starts[first], queries.starts[last]
        place = queries.positions[low:high]
        start = self.index.starts[place]
        length = self.index.starts[place + 1] - start
        entry = _spread(start, length)
        cell = np.repeat(queries.ask[low:high] - first, length) * members
        cell += self.index.members[entry]
        # as one ask's sums were: its terms one after another, each a float32 product
        score = self.index.weights[entry] * np.repeat(
            queries.weights[low:high].astype(np.float32), length
        )
        size = (last - first) * members
        reached = np.flatnonzero(np.bincount(cell, minlength=size))
        ask, who = reached // members + first, reached % members
        share = np.bincount(cell, weights=score, minlength=size)[reached] / queries.perfect[ask]
        share = np.round(share, 3)
        terms = np.repeat(np.where(queries.phrases[low:high], 2, 1), length)
        matched = np.bincount(cell, weights=terms, minlength=size)[reached]
        share[matched < queries.needed()[ask]] = 0.0
        share[np.isin(reached + first * members, excluded)] = 0.0
        colleague = self.org_of[who] == org[ask]
        eligible = share >= np.where(colleague, COLLEAGUE_SCORE, MIN_SCORE)
        return ask[eligible], who[eligible], share[eligible], colleague[eligible]

    def _part(self, source: Source, credits: _Credits, helper: int, query: _Query) -> Phrase:
        """Why ``helper`` could help, from their evidence from ``source``."""
        of = self.evidence.item_of
        items = credits.items_of(helper, source)
        best = of[items[0]]
        if source is Source.OFFER:
            # Translators: why a member could help with an ask (their name comes before it)
            return self._phrase(N_("offers “%(offer)s”"), offer=str(best))
        if isinstance(best, Post) and source is Source.OFFER_POST:
            title, month = best.title, best.date
            return self._phrase(N_("offered “%(title)s” in %(month)s"), title=title, month=month)
        if source is Source.TOPIC:
            topics = _listed([str(of[i]) for i in items])
            return self._phrase(N_("works on %(topics)s"), topics=topics)
        place = {query.keys[term]: term for term in credits.terms_of(helper, source)}
        subject = self._subject(sorted(place, key=self._kind))
        words = _listed([self.label(k, query.words) for k in subject])
        if source is Source.PROFILE:
            return self._phrase(N_("their profile mentions %(words)s"), words=words)
        if source is Source.FEED:
            return self._phrase(N_("their blog covers %(words)s"), words=words)
        posts = {i for p in subject for i in credits.holding_of(helper, source, place[p])}
        latest = max(d.date for i in posts if isinstance(d := of[i], Post))
        key = (source, words, latest, len(posts))
        if key not in self._said:
            self._said[key] = Phrase.ngettext(
                "shared a post on %(words)s in %(month)s",
                "has shared %(num)s posts on %(words)s, the latest in %(month)s",
                len(posts),
                words=words,
                month=latest,
            )
        return self._said[key]

    def _phrase(self, message: str, **values: Value) -> Phrase:
        """``Phrase(message, **values)``, made once: a member often helps with several
        asks for the same reason. A phrase among the values stands by its identity (two
        can read the same and differ), and this keeps it, so the identity stays its own."""
        key = (message, *((n, id(v) if isinstance(v, Phrase) else v) for n, v in values.items()))
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = Phrase(message, **values)
        return said

    def _then(self, first: Phrase, then: Phrase) -> Phrase:
        """Two reasons, one after the other."""
        # Translators: two reasons why a member could help, one after the other
        return self._phrase(N_("%(first)s; %(then)s"), first=first, then=then)

    def _kind(self, key: int) -> int:
        """How a reason names a term: the name of a tag or topic first (0), which a reader
        knows, then a phrase (1), then a word (2)."""
        kind = self._kinds.get(key)
        if kind is None:
            words = self.index.words_of(key)
            kind = self._kinds[key] = 0 if words in self.evidence.labels else 3 - len(words)
        return kind

    def _subject(self, terms: list[int]) -> list[int]:
        """The first two of ``terms`` (the names of tags and topics, which a reader knows,
        then phrases, then words), a phrase standing for its words."""
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

    def label(self, key: int, asked: dict[int, str]) -> str:
        """A term in words: the tag or topic it names, else the ask's own words, else the
        words the evidence uses most."""
        stems = self.index.words_of(key)
        named = self.evidence.labels.get(stems)
        return named or " ".join(asked.get(s) or self._surface(s) for s in stems)

    def _surface(self, stem: int) -> str:
        """A stem's most used surface word in the evidence (then the first in alphabetical
        order): 'geocoding' rather than 'geocod'."""
        if not self._surfaces:
            encoder = self.index.encoder
            counts = self.index.tokens.surface_counts
            best: dict[int, tuple[int, str]] = {}
            for word, of, count in zip(encoder.surfaces, encoder.stem_of, counts, strict=False):
                if of not in best or (-count, word) < best[of]:
                    best[of] = (-count, word)
            self._surfaces = {of: word for of, (_, word) in best.items()}
        return self._surfaces[stem]


def _top(
    ask: Array, who: Array, share: Floats, colleague: npt.NDArray[np.bool_], helpers: int
) -> tuple[Array, Array, Floats, npt.NDArray[np.bool_]]:
    """Each ask's best ``helpers`` members (by share, then handle), within RELATIVE of
    its best; ask by ask."""
    order = np.lexsort((who, -share, ask))
    ask, who, share, colleague = ask[order], who[order], share[order], colleague[order]
    first = np.searchsorted(ask, ask)
    kept = (share >= RELATIVE * share[first]) & (np.arange(len(ask)) - first < helpers)
    return ask[kept], who[kept], share[kept], colleague[kept]


def _listed(names: list[str]) -> Listing:
    """'a', 'a and b', 'a, b and c': at most three, in the order given."""
    return Listing(tuple(dict.fromkeys(names))[:3])

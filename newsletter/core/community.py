"""What the analysis found about the community's network, as data: ties, brokers,
dormant ties, quiet members, the balance of giving and receiving, introductions to
make; and its asks: who answered them, who could help with those still open.

The shapes only, and the thresholds (``network:`` in newsletter.yaml) they are found
with: ``newsletter.analysis.network`` computes them, the site and the command line
present them. Here, under the model, so that the model (``Config.network``,
``Site.network``) can hold them without knowing the analysis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class NetworkOptions:
    """``network:`` in newsletter.yaml: the thresholds of ``newsletter network``."""

    dormant_months: int = 6
    """A tie with no exchange for this long is dormant; a member silent this long, quiet."""
    half_life_days: int = 180
    """A tie's weight halves for every this many days since each exchange."""
    suggestions: int = 3
    """Suggested introductions per member (the site and `network` show the best)."""
    brokers: int = 5
    """How many brokers to name."""
    reciprocity_ratio: float = 3.0
    """Given at least this many times what was received (or the reverse) is worth a look."""
    min_exchanges: int = 3
    """Fewer exchanges than this say nothing about reciprocity."""
    helpers: int = 3
    """Members suggested as helpers for each open ask."""


BEST_SUGGESTIONS = 10
"""However few suggestions each member keeps, the network keeps the best this many of all
(what ``newsletter network`` shows)."""


@dataclass(frozen=True)
class Tie:
    """Two members who exchanged; ``a < b``. Colleagues who never exchanged are no tie
    here (an org of a thousand would make half a million): the analysis still counts
    their shared org as a light tie between them (brokers)."""

    a: str
    b: str
    weight: float
    """Each exchange counts 0.5 ** (age / half-life); a shared org adds ORG_WEIGHT."""
    exchanges: int
    """Shares that tie them (one share counts once, whatever roles it gives them)."""
    last: dt.date
    """The latest exchange."""
    kinds: tuple[str, ...]
    """Sorted, from {"for", "via", "intro", "introduced", "answer", "org"}: "answer" when
    one answered the other's ask, "org" when they are colleagues too."""


@dataclass(frozen=True)
class Broker:
    """A member whose contacts would not otherwise be connected."""

    handle: str
    betweenness: float
    """Normalized weighted betweenness (an edge's length is 1 / its weight)."""
    constraint: float
    """Burt's constraint: low when the member's contacts are not tied to each other."""
    groups: tuple[str, ...]
    """The orgs of the member's neighbours, sorted."""


@dataclass(frozen=True)
class DormantTie:
    a: str
    b: str
    last: dt.date
    months: int
    """Whole 30-day months since the last exchange."""


@dataclass(frozen=True)
class Quiet:
    """A member whose last activity (shared, received, passed on, introduced or was
    introduced) is older than ``dormant_months``; ``last`` None: never active."""

    handle: str
    last: dt.date | None
    months: int | None


@dataclass(frozen=True)
class Balance:
    """Exchanges given (one for each member a share is for, one for each introduction
    made) and received (named in a share's ``for``, introduced). Only exchanges between
    members who take part count."""

    handle: str
    given: int
    received: int


@dataclass(frozen=True)
class Suggestion:
    """An introduction worth making; ``a < b``; ``reason`` uses names, not handles."""

    a: str
    b: str
    score: float
    """Jaccard similarity of their interests, plus 1 for each ask (an ``asks:`` line or an
    open ask post) that an offer of the other meets."""
    reason: str
    """Their common topics, each ask of one that an offer of the other meets, and their
    org when they are colleagues (who are suggested only when an ask is met): in English,
    a ``Phrase`` (newsletter/core/phrases.py) that a page says in its own language."""


@dataclass(frozen=True)
class MemberNetwork:
    """One member's part: ties strongest first, suggestions best first, dormant ties."""

    ties: list[Tie]
    suggestions: list[Suggestion]
    dormant: list[DormantTie]


@dataclass(frozen=True)
class Network:
    """The whole community's network, as ``analyse`` found it."""

    ties: list[Tie]
    """Strongest first, then by (a, b); exchange ties and org-only ties."""
    brokers: list[Broker]
    """Highest betweenness first, then lowest constraint; at most ``options.brokers``."""
    dormant: list[DormantTie]
    """Exchange ties silent for more than ``dormant_months``, strongest tie first."""
    quiet: list[Quiet]
    """Longest silent first, never-active members last."""
    givers: list[Balance]
    """Most given beyond what was received first."""
    takers: list[Balance]
    """Most received beyond what was given first."""
    suggestions: list[Suggestion]
    """Pairs worth introducing, best first: each member's best ``options.suggestions``,
    and the best ``max(BEST_SUGGESTIONS, options.suggestions)`` of all."""
    isolated: list[str]
    """Participating members without a single exchange tie."""
    unbridged: list[tuple[str, str]]
    """Pairs of orgs (sorted) with no exchange tie between any of their members."""
    options: NetworkOptions = field(default_factory=NetworkOptions, repr=False)
    """The thresholds used (``member`` keeps ``options.suggestions`` suggestions)."""

    def member(self, handle: str) -> MemberNetwork:
        """That member's ties, their best suggestions and their dormant ties."""
        ties, suggestions, dormant = self._parts.get(handle, ((), (), ()))
        return MemberNetwork(list(ties), list(suggestions), list(dormant))

    @cached_property
    def _parts(
        self,
    ) -> dict[str, tuple[list[Tie], list[Suggestion], list[DormantTie]]]:
        """Each member's part, found in one pass over the lists: a page for each of ten
        thousand members must not scan every tie once each."""
        parts: defaultdict[str, tuple[list[Tie], list[Suggestion], list[DormantTie]]]
        parts = defaultdict(lambda: ([], [], []))
        for tie in self.ties:
            parts[tie.a][0].append(tie)
            parts[tie.b][0].append(tie)
        for suggestion in self.suggestions:
            for handle in (suggestion.a, suggestion.b):
                if len(parts[handle][1]) < self.options.suggestions:
                    parts[handle][1].append(suggestion)
        for dormant in self.dormant:
            parts[dormant.a][2].append(dormant)
            parts[dormant.b][2].append(dormant)
        return dict(parts)


ASK_STATUSES = ("open", "answered", "withdrawn")
"""An ask's ``status:``: open until answered (a post says ``answers:``) or closed by
its author (``status: answered`` or ``status: withdrawn``)."""


@dataclass(frozen=True)
class Answer:
    """A post that answers an ask (its ``answers:`` names the ask)."""

    key: str
    """The answering post's key, '2026/try-nominatim'."""
    by: str
    date: dt.date


@dataclass(frozen=True)
class Helper:
    """A member who could answer an open ask, and why, in words a reader understands."""

    handle: str
    score: float
    """How strongly their evidence matches the ask; only comparable within one ask."""
    reason: str
    """'offers “…”', 'has shared 4 posts on geocoding, the latest in June', …: in English,
    a ``Phrase`` (newsletter/core/phrases.py) that a page or an email says in its language."""


@dataclass(frozen=True)
class Ask:
    """One ask post, what became of it, and who could help while it is open."""

    key: str
    """The ask post's key, '2026/who-has-a-geocoder'."""
    title: str
    by: str
    date: dt.date
    status: str
    """One of ASK_STATUSES."""
    tags: tuple[str, ...] = ()
    answers: tuple[Answer, ...] = ()
    """Oldest first."""
    helpers: tuple[Helper, ...] = ()
    """Best first; only for an open ask; at most ``network.helpers``."""

    @property
    def first_answer_days(self) -> int | None:
        """Days from the ask to its first answer; None while unanswered."""
        return (self.answers[0].date - self.date).days if self.answers else None

    def waiting(self, today: dt.date) -> int:
        """Days the ask has waited as of ``today`` (0 for one dated later)."""
        return max(0, (today - self.date).days)


@dataclass(frozen=True)
class QuarterFigure:
    """How fast asks of one quarter found a first answer."""

    quarter: str
    """'2026 Q3': the quarter the asks were posted in."""
    asks: int
    answered: int
    median_days: float | None
    """Median days to a first answer over the answered asks; None when none was."""


@dataclass(frozen=True)
class Gap:
    """A topic whose open asks found no helper at all: what the community lacks."""

    topic: str
    asks: tuple[str, ...]
    """The keys of those asks, oldest first."""


@dataclass(frozen=True)
class AskReport:
    """Every ask as of ``today``: open asks first, longest waiting first; then the
    answered and withdrawn, newest first."""

    today: dt.date
    asks: list[Ask]
    quarters: list[QuarterFigure] = field(default_factory=list)
    """Oldest quarter first."""
    gaps: list[Gap] = field(default_factory=list)
    """Topics with the most unhelped open asks first, then by name."""

    @property
    def open(self) -> list[Ask]:
        return [a for a in self.asks if a.status == "open"]

    def open_on(self, days: Iterable[dt.date]) -> dict[dt.date, list[Ask]]:
        """For each of ``days``, the asks open on it, oldest first: asked by then, and
        either still open or answered only later. An ask its author closed (``withdrawn``,
        or ``answered`` with no answer post) never is: when that happened is not known.
        One sweep over the asks by date, not a scan of them all per day: years of
        editions each list theirs."""
        maybe = [
            a for a in self.asks if a.status == "open" or (a.status == "answered" and a.answers)
        ]
        maybe.sort(key=lambda a: (a.date, a.key))
        found: dict[dt.date, list[Ask]] = {}
        waiting: list[Ask] = []
        asked = 0
        for day in sorted(set(days)):
            while asked < len(maybe) and maybe[asked].date <= day:
                waiting.append(maybe[asked])
                asked += 1
            # answered by this day: answered for every later day too
            waiting = [a for a in waiting if a.status == "open" or a.answers[0].date > day]
            found[day] = waiting[:]
        return found

    def by_member(self, handle: str) -> list[Ask]:
        return [a for a in self.asks if a.by == handle]

    def answered_by(self, handle: str) -> list[Ask]:
        """The asks ``handle`` answered, in report order."""
        return [a for a in self.asks if any(x.by == handle for x in a.answers)]

    def helping(self, handle: str) -> list[tuple[Ask, Helper]]:
        """The open asks ``handle`` is suggested for, with why, in report order."""
        return list(self._helping.get(handle, ()))

    @cached_property
    def _helping(self) -> dict[str, list[tuple[Ask, Helper]]]:
        """Each member's open asks and why, found in one pass: an email for each of ten
        thousand members must not scan every ask once each."""
        found: defaultdict[str, list[tuple[Ask, Helper]]] = defaultdict(list)
        for ask in self.open:
            for helper in ask.helpers:
                found[helper.handle].append((ask, helper))
        return dict(found)

    def ask(self, key: str) -> Ask | None:
        return next((a for a in self.asks if a.key == key), None)

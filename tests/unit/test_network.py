"""The network: ties, brokers, dormant ties, quiet members, reciprocity, suggested
introductions, isolated members and unbridged orgs, each on a small hand-made
community whose answer is known; then determinism, random communities and scale."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.analysis import introductions, network
from newsletter.analysis.network import analyse, network_json
from newsletter.core.community import (
    Balance,
    DormantTie,
    MemberNetwork,
    Network,
    NetworkOptions,
    Quiet,
    Suggestion,
    Tie,
)
from newsletter.core.diagnostics import Location
from newsletter.core.model import Config, Content, Kind, Member, Post, Share

from support.clock import TODAY_DATE

OPTIONS = NetworkOptions()
HERE = Location("x")
_slugs = itertools.count()


def member(
    handle: str,
    org: str = "",
    *,
    name: str = "",
    topics: tuple[str, ...] = (),
    offers: tuple[str, ...] = (),
    asks: tuple[str, ...] = (),
    network: bool = True,
) -> Member:
    return Member(
        handle,
        name or handle.capitalize(),
        HERE,
        org=org,
        topics=topics,
        offers=offers,
        asks=asks,
        network=network,
    )


def share(
    by: str,
    *,
    for_: tuple[str, ...] = (),
    via: str = "",
    connects: tuple[str, ...] = (),
    days_ago: int = 0,
    kind: Kind = Kind.ARTICLE,
    tags: tuple[str, ...] = (),
    also_by: tuple[str, ...] = (),
    title: str = "A post",
    body: str = "",
    answers: Share | None = None,
    status: str = "",
) -> Share:
    """A share as the ledger has it; ``answers``: the ask share it answers."""
    date = TODAY_DATE - dt.timedelta(days=days_ago)
    post = Post(
        date.year,
        f"post-{next(_slugs)}",
        title,
        by,
        kind,
        date,
        HERE,
        HERE,
        body_md=body,
        for_=for_,
        via=via,
        connects=connects,
        tags=tags,
        also_by=also_by,
        answers=answers.post.key if answers else "",
        status=status,
    )
    return Share(date, post, by, for_, via, connects, answers.sharer if answers else "")


def ask(by: str, title: str, *, body: str = "", days_ago: int = 0, status: str = "") -> Share:
    return share(by, kind=Kind.ASK, title=title, body=body, days_ago=days_ago, status=status)


def intro(by: str, a: str, b: str, days_ago: int = 0) -> Share:
    return share(by, connects=(a, b), kind=Kind.INTRO, days_ago=days_ago)


def community(*members: Member) -> dict[str, Member]:
    return {m.handle: m for m in members}


def run(
    members: dict[str, Member], ledger: list[Share], options: NetworkOptions = OPTIONS
) -> Network:
    return analyse(members, ledger, TODAY_DATE, options)


def pairs(ties: list[Tie]) -> dict[tuple[str, str], Tie]:
    return {(t.a, t.b): t for t in ties}


# -- ties ---------------------------------------------------------------------------------


def test_a_share_for_someone_ties_the_two() -> None:
    net = run(community(member("grace"), member("ada")), [share("grace", for_=("ada",))])
    assert net.ties == [Tie("ada", "grace", 1.0, 1, TODAY_DATE, ("for",))]


def test_via_and_introductions_make_their_own_kinds_of_tie() -> None:
    people = community(*(member(h) for h in ("ada", "bob", "grace", "kwame")))
    net = run(people, [share("ada", via="bob"), intro("ada", "grace", "kwame")])
    assert {p: t.kinds for p, t in pairs(net.ties).items()} == {
        ("ada", "bob"): ("via",),
        ("ada", "grace"): ("intro",),
        ("ada", "kwame"): ("intro",),
        ("grace", "kwame"): ("introduced",),
    }


def test_connects_make_ties_only_on_an_introduction() -> None:
    people = community(member("ada"), member("bob"), member("cy"))
    net = run(people, [share("ada", connects=("bob", "cy"))])  # an article
    assert net.ties == []


def test_one_share_is_one_exchange_whatever_the_roles() -> None:
    people = community(member("ada"), member("bob"), member("grace"))
    net = run(
        people, [share("ada", for_=("grace", "grace"), connects=("grace", "bob"), kind=Kind.INTRO)]
    )
    tie = pairs(net.ties)[("ada", "grace")]
    assert (tie.exchanges, tie.kinds) == (1, ("for", "intro"))


def test_self_unknown_and_also_by_make_no_tie() -> None:
    people = community(member("ada"), member("grace"))
    ledger = [share("ada", for_=("ada", "nobody"), via="ghost", also_by=("grace",))]
    assert run(people, ledger).ties == []


def test_a_ties_weight_halves_every_half_life() -> None:
    people = community(member("ada"), member("grace"), member("bob"), member("cy"))
    ledger = [
        share("ada", for_=("grace",), days_ago=180),
        share("ada", for_=("bob",), days_ago=360),
        share("cy", for_=("bob",), days_ago=-30),  # dated in the future: as of today
        share("cy", for_=("bob",), days_ago=90),
    ]
    weights = {p: t.weight for p, t in pairs(run(people, ledger).ties).items()}
    assert weights[("ada", "grace")] == pytest.approx(0.5)
    assert weights[("ada", "bob")] == pytest.approx(0.25)
    assert weights[("bob", "cy")] == pytest.approx(1 + 0.5**0.5)
    halved = run(people, ledger, replace(OPTIONS, half_life_days=90)).ties
    assert pairs(halved)[("ada", "grace")].weight == pytest.approx(0.25)


def test_ties_are_strongest_first_then_by_handles() -> None:
    people = community(*(member(h) for h in ("ada", "bob", "cy", "dee")))
    ledger = [
        share("dee", for_=("cy",)),
        share("bob", for_=("ada",)),
        share("ada", for_=("cy",)),
        share("ada", for_=("cy",)),
    ]
    assert [(t.a, t.b) for t in run(people, ledger).ties] == [
        ("ada", "cy"),
        ("ada", "bob"),
        ("cy", "dee"),
    ]


def test_colleagues_ties_weigh_more_and_colleagues_alone_are_no_tie() -> None:
    people = community(member("ada", "Engines"), member("bob", "Engines"), member("cy", "Engines"))
    net = run(people, [share("ada", for_=("bob",), days_ago=180)])
    assert net.ties == [
        Tie("ada", "bob", 0.5 + 0.1, 1, TODAY_DATE - dt.timedelta(180), ("for", "org"))
    ]


def test_org_ties_are_no_exchange() -> None:
    people = community(member("ada", "Engines"), member("bob", "Engines"))
    net = run(people, [], replace(OPTIONS, min_exchanges=0))
    assert net.isolated == ["ada", "bob"]
    assert net.dormant == [] and net.givers == [] and net.takers == []


# -- brokers ------------------------------------------------------------------------------


def two_orgs_and_a_bridge() -> tuple[dict[str, Member], list[Share]]:
    """North (n1, n2, n3) and South (s1, s2, s3) exchange within; only zoe, in neither,
    exchanges with both."""
    people = community(
        *(member(f"n{i}", "North") for i in (1, 2, 3)),
        *(member(f"s{i}", "South") for i in (1, 2, 3)),
        member("zoe"),
    )
    ledger = [
        share("n1", for_=("n2", "n3")),
        share("n2", for_=("n3",)),
        share("s1", for_=("s2", "s3")),
        share("s2", for_=("s3",)),
        share("zoe", for_=("n1", "s1")),
    ]
    return people, ledger


def test_the_bridge_between_two_orgs_is_the_top_broker_with_least_constraint() -> None:
    net = run(*two_orgs_and_a_bridge())
    top = net.brokers[0]
    assert top.handle == "zoe"
    assert top.groups == ("North", "South")
    assert top.constraint == min(b.constraint for b in net.brokers)
    assert top.constraint == pytest.approx(0.5)  # two contacts, not tied: 2 × (1/2)²
    assert [b.handle for b in net.brokers] == ["zoe", "n1", "s1"]
    assert all(b.betweenness > 0 for b in net.brokers)
    assert [b.betweenness for b in net.brokers] == sorted(
        (b.betweenness for b in net.brokers), reverse=True
    )


def test_brokers_are_at_most_options_brokers() -> None:
    people, ledger = two_orgs_and_a_bridge()
    assert [b.handle for b in run(people, ledger, replace(OPTIONS, brokers=1)).brokers] == ["zoe"]
    assert run(people, ledger, replace(OPTIONS, brokers=0)).brokers == []


def test_nobody_brokers_where_everyone_knows_everyone() -> None:
    people = community(member("ada"), member("bob"), member("cy"))
    ledger = [share("ada", for_=("bob", "cy")), share("bob", for_=("cy",))]
    assert run(people, ledger).brokers == []


def test_org_ties_count_for_brokerage() -> None:
    """zoe is only org-tied to colleagues, yet still the one path between them and ada."""
    people = community(member("zoe", "Mill"), member("bob", "Mill"), member("ada"))
    net = run(people, [share("ada", for_=("zoe",))])
    assert [(b.handle, b.groups) for b in net.brokers] == [("zoe", ("Mill",))]


def random_community(size: int, shares: int, seed: int) -> tuple[dict[str, Member], list[Share]]:
    """``size`` members in four orgs (a third in none), sharing for one another at random."""
    rng = random.Random(seed)
    people = community(*(member(f"m{i:03d}", f"org{i % 4}" if i % 3 else "") for i in range(size)))
    handles = sorted(people)
    ledger = [
        share(
            rng.choice(handles),
            for_=tuple(rng.sample(handles, rng.randrange(3))),
            days_ago=rng.randrange(700),
        )
        for _ in range(shares)
    ]
    return people, ledger


def networkx_graph(people: dict[str, Member], net: Network) -> nx.Graph[str]:
    """The network as networkx sees it: ties, and colleagues' light tie."""
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(people))
    for a, b in itertools.combinations(sorted(people), 2):
        if people[a].org and people[a].org == people[b].org:
            graph.add_edge(a, b, weight=0.1, distance=10.0)
    for tie in net.ties:
        graph.add_edge(tie.a, tie.b, weight=tie.weight, distance=1 / tie.weight)
    return graph


def test_broker_measures_are_networkx_measures() -> None:
    people, ledger = random_community(40, 120, seed=7)
    handles = sorted(people)
    net = run(people, ledger, replace(OPTIONS, brokers=40))
    graph = networkx_graph(people, net)
    betweenness = nx.betweenness_centrality(graph, weight="distance")
    constraint = nx.constraint(graph, nodes=[b.handle for b in net.brokers], weight="weight")
    assert [b.handle for b in net.brokers] == sorted(
        (h for h in handles if round(betweenness[h], 12) > 0),
        key=lambda h: (-round(betweenness[h], 12), round(constraint[h], 12), h),
    )
    for broker in net.brokers:
        assert broker.betweenness == pytest.approx(betweenness[broker.handle], abs=1e-11)
        assert broker.constraint == pytest.approx(constraint[broker.handle], abs=1e-11)


def test_above_120_members_betweenness_is_still_exact_while_it_is_cheap() -> None:
    """150 members: every member a source (150 × (members + ties) is within the budget),
    computed by igraph through org hubs, and what networkx finds on the colleague ties."""
    people, ledger = random_community(150, 400, seed=11)
    net = run(people, ledger, replace(OPTIONS, brokers=10))
    betweenness = nx.betweenness_centrality(networkx_graph(people, net), weight="distance")
    assert [b.betweenness for b in net.brokers] == pytest.approx(
        sorted(betweenness.values(), reverse=True)[:10], abs=1e-9
    )
    for broker in net.brokers:
        assert broker.betweenness == pytest.approx(betweenness[broker.handle], abs=1e-9)


def test_beyond_the_budget_betweenness_is_estimated_from_seeded_sources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two rings of 80 that only zoe, who shares with each of them, joins: from 20
    sources she is still the broker."""
    people = community(
        *(member(f"n{i:02d}") for i in range(80)),
        *(member(f"s{i:02d}") for i in range(80)),
        member("zoe"),
    )
    ledger = [share(f"n{i:02d}", for_=(f"n{(i + 1) % 80:02d}",)) for i in range(80)]
    ledger += [share(f"s{i:02d}", for_=(f"s{(i + 1) % 80:02d}",)) for i in range(80)]
    ledger += [share("zoe", for_=(h,)) for h in sorted(people) if h != "zoe"]
    monkeypatch.setattr(network, "SOURCE_BUDGET", 20 * (161 + 320))
    first = run(people, ledger)
    assert first.brokers[0].handle == "zoe"
    assert run(people, ledger[::-1]).brokers == first.brokers


# -- dormant ties and quiet members -------------------------------------------------------


def test_a_tie_silent_for_more_than_dormant_months_is_dormant() -> None:
    people = community(*(member(h) for h in ("ada", "bob", "cy", "dee", "eve")))
    ledger = [
        share("ada", for_=("bob",), days_ago=181),  # 6 months and a day: dormant
        share("ada", for_=("cy",), days_ago=180),  # exactly 6 months: not yet
        *(share("dee", for_=("eve",), days_ago=390) for _ in range(3)),  # stronger: first
    ]
    assert run(people, ledger).dormant == [
        DormantTie("dee", "eve", TODAY_DATE - dt.timedelta(390), 13),
        DormantTie("ada", "bob", TODAY_DATE - dt.timedelta(181), 6),
    ]
    assert run(people, ledger, replace(OPTIONS, dormant_months=12)).dormant == [
        DormantTie("dee", "eve", TODAY_DATE - dt.timedelta(390), 13)
    ]


def test_a_recent_exchange_wakes_a_tie() -> None:
    people = community(member("ada"), member("bob"))
    ledger = [share("ada", for_=("bob",), days_ago=400), share("bob", for_=("ada",), days_ago=3)]
    assert run(people, ledger).dormant == []


def test_quiet_members_longest_silent_first_never_active_last() -> None:
    people = community(*(member(h) for h in ("ada", "bob", "cy", "dee", "eve", "fay", "gus")))
    ledger = [
        share("ada", days_ago=200),  # shared, long ago: quiet
        share("zed", for_=("bob",), days_ago=10),  # received (from an unknown): active
        share("cy", via="dee", days_ago=400),  # cy and dee: quiet
        intro("cy", "eve", "fay", days_ago=5),  # cy introduced, eve and fay introduced: active
    ]
    assert run(people, ledger).quiet == [
        Quiet("dee", TODAY_DATE - dt.timedelta(400), 13),
        Quiet("ada", TODAY_DATE - dt.timedelta(200), 6),
        Quiet("gus", None, None),
    ]


# -- opting out ---------------------------------------------------------------------------


def test_a_member_who_opted_out_appears_nowhere() -> None:
    people = community(
        member("ada", "Engines", topics=("mapping",), asks=("funding for engines",)),
        member("grace", "Navy"),
        member("bob", "Mill", topics=("mapping",)),
        member(
            "kwame",
            "Engines",
            topics=("mapping",),
            offers=("engine funding",),
            network=False,
        ),
    )
    ledger = [
        share("ada", for_=("kwame", "grace")),
        share("ada", for_=("kwame",)),
        share("ada", for_=("kwame",)),
        share("kwame", for_=("bob",), via="ada"),
        intro("kwame", "bob", "grace"),
    ]
    net = run(people, ledger, replace(OPTIONS, min_exchanges=1))
    assert [(t.a, t.b, t.kinds) for t in net.ties] == [
        ("ada", "grace", ("for",)),
        ("bob", "grace", ("introduced",)),
    ]
    assert '"kwame"' not in network_json(net)
    assert net.member("kwame") == MemberNetwork([], [], [])
    # kwame's share still counts as bob's activity, and the intro tied bob and grace
    assert all(q.handle != "bob" for q in net.quiet)


# -- reciprocity --------------------------------------------------------------------------


def test_givers_and_takers() -> None:
    people = community(*(member(h) for h in ("ada", "bob", "cy", "dee")))
    ledger = [
        *(share("ada", for_=("bob",)) for _ in range(4)),  # ada gives 4 …
        share("bob", for_=("ada",)),  # … and receives 1: ratio 4 ≥ 3
        share("cy", for_=("dee", "bob")),
        share("cy", for_=("dee",)),  # cy gives 3 and receives nothing
    ]
    net = run(people, ledger)
    assert net.givers == [Balance("ada", 4, 1), Balance("cy", 3, 0)]
    assert net.takers == [Balance("bob", 1, 5)]  # dee received only 2: too few to tell


def test_introductions_count_as_given_and_received() -> None:
    people = community(member("ada"), member("bob"), member("cy"))
    ledger = [intro("ada", "bob", "cy") for _ in range(3)]
    net = run(people, ledger)
    assert net.givers == [Balance("ada", 3, 0)]
    assert net.takers == [Balance("bob", 0, 3), Balance("cy", 0, 3)]


def test_reciprocity_ratio_and_minimum() -> None:
    people = community(member("ada"), member("bob"))
    ledger = [*(share("ada", for_=("bob",)) for _ in range(5)), share("bob", for_=("ada",))]
    ledger += [share("bob", for_=("ada",))]  # 5 given, 2 received: 5 < 3 × 2
    net = run(people, ledger)
    assert net.givers == [] and net.takers == []
    assert run(people, ledger, replace(OPTIONS, reciprocity_ratio=2.5)).givers == [
        Balance("ada", 5, 2)
    ]
    assert run(people, ledger, replace(OPTIONS, min_exchanges=6)).givers == []


# -- answers ------------------------------------------------------------------------------


def test_an_answer_ties_the_answerer_and_the_asker() -> None:
    people = community(member("ada"), member("grace"), member("bob"))
    question = ask("grace", "Who has a geocoder?", days_ago=40)
    net = run(people, [question, share("ada", answers=question, days_ago=30)])
    assert net.ties == [
        Tie("ada", "grace", 0.5 ** (30 / 180), 1, TODAY_DATE - dt.timedelta(30), ("answer",))
    ]
    assert net.isolated == ["bob"]


def test_the_answerer_gives_and_the_asker_receives() -> None:
    people = community(member("ada"), member("grace"), member("bob"))
    questions = [ask("grace", f"Question {i}?", days_ago=10) for i in range(3)]
    ledger = [*questions, *(share("ada", answers=q) for q in questions)]
    net = run(people, ledger)
    assert net.givers == [Balance("ada", 3, 0)]
    assert net.takers == [Balance("grace", 0, 3)]


def test_an_answer_for_the_asker_or_introducing_them_is_one_exchange() -> None:
    people = community(member("ada"), member("grace"), member("bob"))
    question = ask("grace", "Who has a geocoder?", days_ago=10)
    ledger = [
        question,
        share("ada", for_=("grace",), answers=question),
        share("bob", connects=("grace", "ada"), kind=Kind.INTRO, answers=question),
    ]
    net = run(people, ledger, replace(OPTIONS, min_exchanges=1))
    assert pairs(net.ties)[("ada", "grace")].kinds == ("answer", "for", "introduced")
    assert pairs(net.ties)[("ada", "grace")].exchanges == 2
    assert pairs(net.ties)[("bob", "grace")].kinds == ("answer", "intro")
    # ada gave grace one (for, and the answer); bob one introduction, of grace and ada
    assert net.givers == [Balance("bob", 1, 0)]  # ada gave 1 and received 1: balanced
    assert net.takers == [Balance("grace", 0, 2)]


def test_an_answer_to_oneself_or_an_unknown_asker_ties_nobody() -> None:
    people = community(member("ada"), member("grace"))
    mine, theirs = ask("ada", "Mine?", days_ago=5), ask("ghost", "Theirs?", days_ago=5)
    net = run(people, [mine, theirs, share("ada", answers=mine), share("ada", answers=theirs)])
    assert net.ties == [] and net.givers == []


def test_being_answered_counts_as_activity() -> None:
    people = community(member("ada"), member("grace"))
    question = ask("grace", "Who has a geocoder?", days_ago=400)
    net = run(people, [question, share("ada", answers=question, days_ago=2)])
    assert net.quiet == []


# -- suggested introductions --------------------------------------------------------------


def test_suggestion_reason_names_common_topics_and_the_ask_met() -> None:
    people = community(
        member(
            "ada",
            "Engines",
            name="Ada Lovelace",
            topics=("open-data", "Mapping", "poetry"),
            asks=("funding for a difference engine",),
        ),
        member(
            "grace",
            "Navy",
            name="Grace Hopper",
            topics=("open-data", "compilers"),
            offers=("grant writing and funding advice",),
        ),
    )
    ledger = [share("grace", tags=("mapping",))]  # a tag she shared is an interest too
    assert run(people, ledger).suggestions == [
        Suggestion(
            "ada",
            "grace",
            2 / 4 + 1.0,
            "Both work on mapping and open-data. Ada Lovelace asks for “funding for a "
            "difference engine”, which Grace Hopper offers (“grant writing and funding "
            "advice”).",
        )
    ]


def test_asks_and_offers_match_both_ways_on_significant_words() -> None:
    people = community(
        member("ada", asks=("Help with GRANTS",), offers=("python tutoring",)),
        member("bob", offers=("grant writing",), asks=("someone for Python",)),
    )
    [suggestion] = run(people, []).suggestions
    assert suggestion.score == 2.0
    assert suggestion.reason == (
        "Ada asks for “Help with GRANTS”, which Bob offers (“grant writing”). "
        "Bob asks for “someone for Python”, which Ada offers (“python tutoring”)."
    )


def test_more_than_three_common_topics_are_summed_up() -> None:
    topics = ("a1", "b2", "c3", "d4", "e5")
    people = community(member("ada", topics=topics), member("bob", topics=topics))
    [suggestion] = run(people, []).suggestions
    assert suggestion.reason == "Both work on a1, b2, c3 and 2 more."
    assert suggestion.score == 1.0


def test_no_suggestion_for_colleagues_tied_pairs_common_contacts_or_nothing_shared() -> None:
    same = {"topics": ("mapping",), "asks": ("funding",), "offers": ("funding",)}
    people = community(
        member("ada", "Engines", **same),
        member("bob", "Engines", **same),
        member("cy", **same),
        member("dee", **same),
        member("eve", **same),
        member("fay", topics=("knitting",)),
    )
    # ada–cy tied; cy–dee tied, so ada and dee share a contact
    ledger = [share("ada", for_=("cy",), days_ago=900), share("dee", via="cy")]
    found = {(s.a, s.b) for s in run(people, ledger).suggestions}
    assert found == {
        ("ada", "eve"),
        ("bob", "cy"),
        ("bob", "dee"),
        ("bob", "eve"),
        ("cy", "eve"),
        ("dee", "eve"),
    }


def test_org_ties_are_no_common_contact() -> None:
    people = community(
        member("ada", "Mill", topics=("mapping",)),
        member("bob", "Mill"),
        member("cy", topics=("mapping",)),
    )
    ledger = [share("cy", for_=("bob",))]  # cy–bob exchange, bob–ada only colleagues
    assert [(s.a, s.b) for s in run(people, ledger).suggestions] == [("ada", "cy")]


def test_suggestions_best_first_and_member_keeps_the_best() -> None:
    people = community(
        member("ada", topics=("x", "y"), asks=("pottery",)),
        member("bob", topics=("x", "y")),
        member("cy", topics=("x",), offers=("pottery wheel",)),
        member("dee", topics=("x", "z")),
    )
    net = run(people, [], replace(OPTIONS, suggestions=2))
    assert [(s.a, s.b) for s in net.suggestions] == [
        ("ada", "cy"),  # 1/2 + 1
        ("ada", "bob"),  # 2/2
        ("bob", "cy"),  # 1/2
        ("cy", "dee"),  # 1/2
        ("ada", "dee"),  # 1/3
        ("bob", "dee"),  # 1/3
    ]
    assert [(s.a, s.b) for s in net.member("dee").suggestions] == [("cy", "dee"), ("ada", "dee")]


def test_colleagues_meet_when_one_offers_what_the_other_asks_for() -> None:
    council = "Harbourton City Council"
    people = community(
        member("aiko", council, name="Aiko Tanaka", asks=("a geocoder for our addresses",)),
        member("ben", council, name="Ben Harrow", offers=("geocoding addresses",)),
        member("cy", "Elsewhere"),
        member("dee", "Elsewhere 2"),
    )
    assert run(people, []).suggestions == [
        Suggestion(
            "aiko",
            "ben",
            1.0,
            "Aiko Tanaka asks for “a geocoder for our addresses”, which Ben Harrow offers "
            "(“geocoding addresses”) (both at Harbourton City Council).",
        )
    ]


def test_colleagues_who_only_share_interests_are_not_suggested() -> None:
    people = community(
        member("aiko", "Council", topics=("accessibility", "maps")),
        member("ben", "Council", topics=("accessibility", "maps")),
        member("cy", "Hospital", topics=("accessibility",)),
    )
    assert [(s.a, s.b) for s in run(people, []).suggestions] == [("aiko", "cy"), ("ben", "cy")]


def test_a_word_each_uses_in_a_different_compound_is_no_match() -> None:
    people = community(
        member("priya", asks=("examples of published model cards for clinical risk scores",)),
        member("aiko", offers=("card sorts and tree tests for information architecture",)),
    )
    assert run(people, []).suggestions == []


def test_words_meet_by_stem_and_on_their_own() -> None:
    people = community(
        member("yusuf", name="Yusuf", asks=("Geocoding",)),
        member("ben", name="Ben", offers=("geocode addresses",)),
        member("ada", name="Ada", asks=("funding for a difference engine",)),
        member("grace", name="Grace", offers=("grant writing and funding advice",)),
    )
    found = {(s.a, s.b): s.reason for s in run(people, []).suggestions}
    assert found == {
        ("ben", "yusuf"): "Yusuf asks for “Geocoding”, which Ben offers (“geocode addresses”).",
        ("ada", "grace"): "Ada asks for “funding for a difference engine”, which Grace offers "
        "(“grant writing and funding advice”).",
    }


def test_a_compound_in_common_meets() -> None:
    people = community(
        member("ada", asks=("someone to review model cards",)),
        member("bob", offers=("model card reviews",)),
        member("cy", offers=("model railways",)),  # 'model' inside another compound
    )
    assert [(s.a, s.b) for s in run(people, []).suggestions] == [("ada", "bob")]


def test_words_everyone_uses_meet_nothing() -> None:
    """'data' is in the asks and offers of four of five members (more than 3 and 15 %)."""
    people = community(
        member("ada", asks=("data",)),
        member("bob", offers=("data",)),
        member("cy", offers=("data",)),
        member("dee", asks=("data",)),
        member("eve", offers=("knitting",)),
    )
    assert run(people, []).suggestions == []


def test_an_open_ask_post_is_an_ask() -> None:
    people = community(
        member("ines", name="Inês"),
        member("lucia", name="Lucía", offers=("accessibility reviews of dashboards",)),
    )
    question = ask(
        "ines",
        "How should a run chart be described?",
        body="Our dashboards fail screen readers. We would like accessibility reviews soon.",
    )
    assert run(people, [question]).suggestions == [
        Suggestion(
            "ines",
            "lucia",
            1.0,
            "Inês asks “How should a run chart be described?”, which Lucía offers "
            "(“accessibility reviews of dashboards”).",
        )
    ]


def test_an_ask_posts_title_and_tags_meet_on_a_word_its_body_only_in_a_compound() -> None:
    people = community(
        member("ines"),
        member("felix", offers=("honest assessments",)),
        member("yusuf", offers=("statistics",)),
    )
    question = share(
        "ines",
        kind=Kind.ASK,
        title="Screen readers and run charts",
        tags=("statistics",),
        body="A run chart of time to assessment has 30 daily points.",
    )
    assert [(s.a, s.b) for s in run(people, [question]).suggestions] == [("ines", "yusuf")]


def test_answered_and_closed_ask_posts_are_not_asks() -> None:
    people = community(member("ines"), member("lucia", offers=("screen reader testing",)))
    answered = ask("ines", "Screen reader testing?", days_ago=20)
    ledger = [
        answered,
        share("bob", answers=answered, days_ago=10),  # bob is no member: still an answer
        ask("ines", "Anyone for screen reader testing?", status="withdrawn"),
        ask("ines", "Screen reader testing, again?", status="answered"),
    ]
    assert run(people, ledger).suggestions == []
    still_open = ask("ines", "Who does screen reader testing?", days_ago=5)
    assert [(s.a, s.b) for s in run(people, [*ledger, still_open]).suggestions] == [
        ("ines", "lucia")
    ]


def test_opted_out_members_ask_posts_and_offers_are_left_out() -> None:
    people = community(
        member("ines", offers=("screen reader testing",), network=False),
        member("lucia", asks=("screen reader testing",)),
        member("kwame", offers=("chart descriptions",)),
    )
    ledger = [ask("ines", "Who writes chart descriptions?")]
    net = run(people, ledger)
    assert net.suggestions == [] and "ines" not in network_json(net)


def test_each_member_keeps_their_best_and_the_network_the_best_of_all() -> None:
    rng = random.Random(3)
    topics = [f"t{i}" for i in range(6)]
    people = community(
        *(member(f"m{i:02d}", topics=tuple(rng.sample(topics, 3))) for i in range(24))
    )
    everything = run(people, [], replace(OPTIONS, suggestions=1000)).suggestions
    net = run(people, [], replace(OPTIONS, suggestions=2))
    best = {h: [s for s in everything if h in (s.a, s.b)][:2] for h in people}
    assert net.suggestions == [
        s for s in everything if s in best[s.a] or s in best[s.b] or s in everything[:10]
    ]
    assert len(net.suggestions) < len(everything)
    assert all(net.member(h).suggestions == best[h] for h in people)


def test_suggestions_compare_only_pairs_with_something_in_common(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """400 members, each with a topic of their own but two pairs: 79,800 pairs of members,
    two of them compared."""
    people = community(*(member(f"m{i:03d}", topics=(f"topic {i}",)) for i in range(400)))
    people["m000"] = member("m000", topics=("maps",), asks=("a geocoder",))
    people["m001"] = member("m001", topics=("maps",))
    people["m398"] = member("m398", offers=("geocoding",))
    compared = []
    score = introductions._score

    def counted(*args: object) -> float:
        compared.append(args[-2:])  # a, b
        return score(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(introductions, "_score", counted)
    net = run(people, [])
    assert sorted(compared) == [("m000", "m001"), ("m000", "m398")]
    assert [(s.a, s.b) for s in net.suggestions] == [("m000", "m001"), ("m000", "m398")]


def test_an_interest_many_hold_finds_no_pair_by_itself() -> None:
    many = introductions.CANDIDATE_LIMIT + 1
    people = community(*(member(f"m{i:03d}", topics=("data",)) for i in range(many)))
    assert run(people, []).suggestions == []
    people["m000"] = member("m000", topics=("data", "maps"))
    people["m001"] = member("m001", topics=("data", "maps"))
    [found] = run(people, []).suggestions
    assert (found.a, found.b, found.reason) == ("m000", "m001", "Both work on data and maps.")


def test_a_build_reuses_the_network_until_what_it_reads_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsletter.pipeline import enrich
    from newsletter.project.buildcache import BuildCache

    people = community(member("ines"), member("lucia", offers=("screen reader testing",)))
    computed = []
    analyse_now = enrich.analyse

    def counted(*args: object) -> Network:
        computed.append(args)
        return analyse_now(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(enrich, "analyse", counted)
    cache = BuildCache(tmp_path / "cache.sqlite")

    def network(post: Post, language: str = "en") -> Network:
        content = Content(Config("T", "https://x.example/", language=language), people, [post], [])
        return enrich.network_of(content, enrich.ledger([post]), TODAY_DATE, cache)[0]

    question = ask("ines", "Who tests charts?", body="Our charts need work.").post
    assert network(question).suggestions == [] and len(computed) == 1
    assert network(question).suggestions == [] and len(computed) == 1  # reused
    answered = replace(question, body_md="We need screen reader testing.")
    assert [(s.a, s.b) for s in network(answered).suggestions] == [("ines", "lucia")]
    network(replace(answered, status="withdrawn"))
    network(replace(answered, status="withdrawn"), language="fr")
    assert len(computed) == 4


# -- one member's part --------------------------------------------------------------------


def test_member_view() -> None:
    people = community(
        member("ada", topics=("x",)), member("bob"), member("cy"), member("dee", topics=("x",))
    )
    ledger = [
        share("ada", for_=("bob",), days_ago=400),
        share("ada", for_=("cy",)),
        share("ada", for_=("cy",), days_ago=1),
    ]
    net = run(people, ledger)
    mine = net.member("ada")
    assert [(t.a, t.b) for t in mine.ties] == [("ada", "cy"), ("ada", "bob")]
    assert mine.dormant == [DormantTie("ada", "bob", TODAY_DATE - dt.timedelta(400), 13)]
    assert mine.suggestions == [Suggestion("ada", "dee", 1.0, "Both work on x.")]
    assert net.member("nobody") == MemberNetwork([], [], [])


# -- isolated members and unbridged orgs --------------------------------------------------


def test_isolated_members_and_unbridged_orgs() -> None:
    people = community(
        member("a1", "Alpha"),
        member("a2", "Alpha"),
        member("b1", "Beta"),
        member("c1", "Gamma"),
        member("d1", "Delta", network=False),  # Delta has nobody taking part
        member("x"),
    )
    ledger = [share("a1", for_=("b1",)), share("x", for_=("d1",))]
    net = run(people, ledger)
    assert net.isolated == ["a2", "c1", "x"]  # a2 is only a colleague; x's tie was to d1
    assert net.unbridged == [("Alpha", "Gamma"), ("Beta", "Gamma")]


# -- determinism, JSON --------------------------------------------------------------------


def test_same_input_any_order_same_network() -> None:
    people, ledger = two_orgs_and_a_bridge()
    people |= community(
        member("n9", "North", asks=("python tutoring",)),
        member("s9", "South", offers=("python",), topics=("maps",)),
        member("x9", topics=("maps",), offers=("python tutoring",)),
    )
    question = ask("n9", "Where are the maps?", days_ago=20)
    ledger += [
        share("n3", for_=("s3",), days_ago=300),
        intro("zoe", "n2", "s2", days_ago=50),
        question,
        share("s9", answers=question, days_ago=3),
        ask("x9", "Who knows Python?", days_ago=2),
    ]
    first = run(people, ledger)
    assert [(s.a, s.b, s.score) for s in first.suggestions] == [
        ("s9", "x9", 2.0),
        ("n9", "x9", 1.0),
    ]
    assert all(isinstance(s.score, float) for s in first.suggestions)
    assert run(people, ledger) == first
    for seed in range(5):
        shuffled = ledger[:]
        random.Random(seed).shuffle(shuffled)
        again = run(dict(reversed(list(people.items()))), shuffled)
        assert again == first
        assert network_json(again) == network_json(first)


def test_network_json() -> None:
    net = run(*two_orgs_and_a_bridge())
    data = json.loads(network_json(net))
    assert sorted(data) == [
        "brokers",
        "dormant",
        "givers",
        "isolated",
        "options",
        "quiet",
        "suggestions",
        "takers",
        "ties",
        "unbridged",
    ]
    assert data["ties"][0]["last"] == TODAY_DATE.isoformat()
    assert data["brokers"][0]["handle"] == "zoe"
    assert network_json(net).endswith("}\n")


# -- random communities -------------------------------------------------------------------

HANDLES = [f"m{i}" for i in range(8)]


@st.composite
def communities(draw: st.DrawFn) -> tuple[dict[str, Member], list[Share], NetworkOptions]:
    handles = draw(st.lists(st.sampled_from(HANDLES), min_size=1, max_size=8, unique=True))
    topics = st.lists(st.sampled_from(["maps", "data", "art"]), max_size=2).map(tuple)
    texts = st.lists(st.sampled_from(["grant funding", "mapping help", "python"]), max_size=2)
    people = community(
        *(
            member(
                h,
                draw(st.sampled_from(["", "A", "B"])),
                topics=draw(topics),
                asks=tuple(draw(texts)),
                offers=tuple(draw(texts)),
                network=draw(st.booleans()),
            )
            for h in handles
        )
    )
    anyone = st.sampled_from([*HANDLES, "ghost", ""])
    ledger: list[Share] = []
    for _ in range(draw(st.integers(0, 25))):
        asks = [s for s in ledger if s.post.kind is Kind.ASK]
        ledger.append(
            share(
                draw(anyone),
                for_=tuple(draw(st.lists(anyone, max_size=3))),
                via=draw(anyone),
                connects=tuple(draw(st.lists(anyone, max_size=3))),
                kind=draw(st.sampled_from([Kind.ARTICLE, Kind.INTRO, Kind.ASK])),
                days_ago=draw(st.integers(-100, 700_000)),
                tags=draw(topics),
                title=draw(st.sampled_from(["Python?", "Grant funding", "Maps"])),
                answers=draw(st.sampled_from([None, *asks])),
                status=draw(st.sampled_from(["", "withdrawn"])),
            )
        )
    options = NetworkOptions(
        dormant_months=draw(st.integers(0, 24)),
        half_life_days=draw(st.integers(1, 400)),
        suggestions=draw(st.integers(0, 4)),
        brokers=draw(st.integers(0, 6)),
        reciprocity_ratio=draw(st.floats(1, 5)),
        min_exchanges=draw(st.integers(0, 4)),
    )
    return people, ledger, options


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(communities(), st.randoms(use_true_random=False))
def test_random_communities(
    case: tuple[dict[str, Member], list[Share], NetworkOptions], rng: random.Random
) -> None:
    people, ledger, options = case
    net = run(people, ledger, options)
    shuffled = ledger[:]
    rng.shuffle(shuffled)
    assert run(people, shuffled, options) == net

    taking_part = {h for h, m in people.items() if m.network}
    text = network_json(net)
    for handle, m in people.items():
        if not m.network:
            assert f'"{handle}"' not in text
    exchange = {(t.a, t.b) for t in net.ties if t.exchanges}
    neighbours = {h: {b if a == h else a for a, b in exchange if h in (a, b)} for h in taking_part}
    for tie in net.ties:
        assert tie.a < tie.b and {tie.a, tie.b} <= taking_part
        assert set(tie.kinds) <= {"for", "via", "intro", "introduced", "answer", "org"}
        assert tie.exchanges > 0
    for s in net.suggestions:
        assert s.a < s.b and isinstance(s.score, float) and s.score > 0 and s.reason
        assert (s.a, s.b) not in exchange
        assert not neighbours[s.a] & neighbours[s.b]
        if people[s.a].org and people[s.a].org == people[s.b].org:  # only on an ask met
            assert s.score >= 1 and s.reason.endswith(f"(both at {people[s.a].org}).")
    assert len(net.brokers) <= options.brokers
    assert all(b.betweenness > 0 for b in net.brokers)
    assert {(d.a, d.b) for d in net.dormant} <= exchange
    assert net.isolated == sorted(h for h in taking_part if not neighbours[h])
    assert {b.handle for b in net.givers}.isdisjoint(b.handle for b in net.takers)
    for handle in taking_part:
        mine = net.member(handle)
        assert len(mine.suggestions) <= options.suggestions
        assert all(handle in (t.a, t.b) for t in mine.ties)


# -- scale --------------------------------------------------------------------------------


@pytest.mark.slow
def test_300_members_and_10000_shares() -> None:
    """The size the analysis is built for (timed in the report, not here): each member
    shares mostly with a circle of their own, now and then with anyone."""
    rng = random.Random(1)
    topics = [f"topic-{i}" for i in range(40)]
    offer_words = [
        "funding",
        "mapping",
        "data",
        "python",
        "grants",
        "housing",
        "energy",
        "design",
        "research",
    ]
    people = community(
        *(
            member(
                f"m{i:03d}",
                f"org{i % 20}" if i % 7 else "",
                topics=tuple(rng.sample(topics, 3)),
                offers=(" ".join(rng.sample(offer_words, 2)),),
                asks=(" ".join(rng.sample(offer_words, 2)),),
                network=i % 50 != 0,
            )
            for i in range(300)
        )
    )
    handles = sorted(people)
    circle = {h: rng.sample(handles, 8) for h in handles}

    def someone(by: str) -> str:
        return rng.choice(circle[by]) if rng.random() < 0.9 else rng.choice(handles)

    ledger = []
    for i in range(10_000):
        by = rng.choice(handles)
        is_intro = i % 20 == 0
        ledger.append(
            share(
                by,
                for_=tuple(sorted({someone(by) for _ in range(rng.choice([0, 0, 0, 1, 1, 2]))})),
                via=someone(by) if rng.random() < 0.1 else "",
                connects=(someone(by), someone(by)) if is_intro else (),
                kind=Kind.INTRO if is_intro else Kind.ARTICLE,
                days_ago=rng.randrange(1500),
                tags=tuple(rng.sample(topics, 2)),
            )
        )
    net = run(people, ledger)
    assert len(net.brokers) == OPTIONS.brokers
    assert net.ties and net.suggestions and net.dormant
    assert all(len(net.member(h).suggestions) <= OPTIONS.suggestions for h in handles)

"""Who could answer an open ask (newsletter.analysis.helpers) and the text analysis under
it (newsletter.analysis.text): each rule of the ranking on a small hand-made community
whose right answer is known; then the whole ranking unchanged when members and posts
come in another order, and in French.

Every community here has a few bystanders with evidence of their own, so that a word
means something by being rare among the members, as it would in a real community.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import random

import pytest

from newsletter.analysis import helpers
from newsletter.analysis.helpers import rank_helpers
from newsletter.analysis.text import Analyser
from newsletter.analysis.wordcodes import TextCodes
from newsletter.core.community import Answer, Ask, Helper, NetworkOptions
from newsletter.core.diagnostics import Location
from newsletter.core.model import FeedOrigin, Kind, Member, Post

HERE = Location("x")
TODAY = dt.date(2026, 11, 30)
OPTIONS = NetworkOptions()


def member(handle: str, **fields: object) -> Member:
    return Member(handle, handle.capitalize(), HERE, **fields)  # type: ignore[arg-type]


def post(
    slug: str,
    by: str,
    date: str = "2026-06-15",
    title: str = "",
    body: str = "",
    *,
    kind: Kind = Kind.ARTICLE,
    tags: tuple[str, ...] = (),
    feed: bool = False,
) -> Post:
    day = dt.date.fromisoformat(date)
    return Post(
        year=day.year,
        slug=slug,
        title=title or slug.replace("-", " "),
        by=by,
        kind=kind,
        date=day,
        location=HERE,
        body_location=HERE,
        body_md=body,
        tags=tags,
        origin=FeedOrigin("https://blog.example.org/feed.xml", slug) if feed else None,
    )


def open_ask(question: Post, answers: tuple[Answer, ...] = ()) -> Ask:
    q = question
    return Ask(q.key, q.title, q.by, q.date, "open", q.tags, answers)


BYSTANDERS = {
    "bea": member("bea", topics=("cycling",), offers=("route planning for bike lanes",)),
    "cy": member("cy", topics=("housing",), offers=("rent data for the city",)),
    "dov": member("dov", topics=("schools",), offers=("admissions figures by ward",)),
    "eve": member("eve", topics=("energy",), offers=("heat pump installation costs",)),
    "fin": member("fin", topics=("libraries",), offers=("room bookings in the central library",)),
}
BACKGROUND = [
    post("bike-lanes-that-work", "bea", body="Protected bike lanes on the ring road, counted."),
    post("rents-by-postcode", "cy", body="Median rents by postcode district, every quarter."),
    post("school-admissions", "dov", body="Admissions by ward and by school, with appeals."),
    post("heat-pumps-in-terraces", "eve", body="What a heat pump costs in a terraced house."),
    post("library-rooms", "fin", body="Community groups can book the library rooms."),
]


def rank(
    members: dict[str, Member],
    posts: list[Post],
    asks: list[Ask],
    language: str = "en",
) -> dict[str, tuple[Helper, ...]]:
    return rank_helpers(members, posts, asks, TODAY, OPTIONS, language)


def handles(found: tuple[Helper, ...]) -> list[str]:
    return [h.handle for h in found]


GEOCODER = post(
    "who-has-a-geocoder",
    "ada",
    "2026-11-10",
    "Who has a geocoder for 30,000 addresses?",
    "We need to geocode patient addresses offline, without sending them to a web service.",
    kind=Kind.ASK,
    tags=("mapping",),
)


# ---------------------------------------------------------------- evidence


def test_an_offer_beats_a_word_met_in_passing() -> None:
    people = {
        **BYSTANDERS,
        "ada": member("ada", topics=("public-health",)),
        "gus": member("gus", offers=("geocoding addresses offline with the council's gazetteer",)),
        "hal": member("hal", topics=("coffee",)),
    }
    posts = [
        *BACKGROUND,
        GEOCODER,
        post(
            "a-year-of-coffee",
            "hal",
            title="A year of coffee mornings",
            body="We talked about everything: grants, rotas, and once about geocoding addresses.",
        ),
    ]
    found = rank(people, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    assert handles(found)[0] == "gus"
    assert found[0].reason == "offers “geocoding addresses offline with the council's gazetteer”"
    assert "hal" not in handles(found)


def test_recent_evidence_beats_the_same_evidence_years_ago() -> None:
    people = {**BYSTANDERS, "ada": member("ada"), "gus": member("gus"), "ivy": member("ivy")}
    text = "Geocoding addresses offline: a gazetteer, fuzzy matching and a check by hand."
    posts = [
        *BACKGROUND,
        GEOCODER,
        post("geocoding-offline", "gus", "2025-06-01", "Geocoding addresses offline", text),
        post("geocoding-offline-again", "ivy", "2026-06-01", "Geocoding addresses offline", text),
    ]
    found = rank(people, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    assert handles(found) == ["ivy", "gus"]
    assert found[0].score > found[1].score
    # a phrase of the ask ('addresses offline') comes before its single words
    assert found[0].reason == "shared a post on addresses offline and geocoder in June 2026"
    assert found[1].reason == "shared a post on addresses offline and geocoder in June 2025"


def test_a_shared_word_with_another_meaning_is_not_enough() -> None:
    people = {
        **BYSTANDERS,
        "dan": member("dan", org="Harbourton NHS Trust"),
        "mira": member("mira", topics=("machine-learning",)),
        "sofia": member("sofia", topics=("user-research",)),
    }
    question = post(
        "a-model-card-for-the-deterioration-score",
        "dan",
        "2026-11-01",
        "A model card for the deterioration score?",
        "Clinicians want to know what the risk model does and for whom it works less well.",
        kind=Kind.ASK,
        tags=("machine-learning",),
    )
    posts = [
        *BACKGROUND,
        question,
        post(
            "model-cards-clinicians-read",
            "mira",
            title="Model cards that clinicians read",
            body="A risk model's card: what it predicts, how well, for whom it works less well.",
            tags=("machine-learning",),
        ),
        post(
            "card-sorts-for-the-intranet",
            "sofia",
            title="Card sorts for the intranet",
            body="Forty staff sorted ninety cards into groups; then a tree test.",
            tags=("user-research",),
        ),
    ]
    found = rank(people, posts, [open_ask(question)])[question.key]
    assert handles(found) == ["mira"]
    assert found[0].reason.startswith("shared a post on machine-learning and model card in June")


def test_different_forms_of_a_word_meet_through_their_stem() -> None:
    people = {**BYSTANDERS, "ada": member("ada"), "jo": member("jo", topics=("mapping",))}
    posts = [
        *BACKGROUND,
        GEOCODER,
        post("geocoders-compared", "jo", "2026-04-02", "Three geocoders compared", "Geocoded."),
        post("postal-addresses", "jo", "2026-09-20", "When postal addresses fail", "Geocoding."),
    ]
    found = rank(people, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    assert handles(found) == ["jo"]
    # the reader sees the asker's words, never a stem ('geocod'), and a month
    assert found[0].reason == (
        "has shared 2 posts on geocoder and addresses, the latest in September 2026"
    )


def test_a_blog_is_named_as_such() -> None:
    people = {**BYSTANDERS, "ada": member("ada"), "kit": member("kit")}
    posts = [
        *BACKGROUND,
        GEOCODER,
        post("geocoding-at-home", "kit", "2026-10-01", "Geocoding addresses at home", feed=True),
        post("offline-geocoder", "kit", "2026-10-08", "An offline geocoder", feed=True),
    ]
    found = rank(people, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    assert [(h.handle, h.reason) for h in found] == [
        ("kit", "their blog covers geocoder and addresses")
    ]


def test_asking_is_not_knowing() -> None:
    """A member's own asks (posts and ``asks:``) are not evidence of what they know."""
    people = {
        **BYSTANDERS,
        "ada": member("ada"),
        "lee": member("lee", asks=("an offline geocoder for patient addresses",)),
    }
    earlier = post(
        "geocoder-wanted", "lee", "2025-05-01", "Geocoder wanted for addresses", kind=Kind.ASK
    )
    found = rank(people, [*BACKGROUND, GEOCODER, earlier], [open_ask(GEOCODER)])
    assert found[GEOCODER.key] == ()


# ---------------------------------------------------------------- who is never suggested


def test_the_asker_members_out_of_the_network_and_those_who_answered_are_never_suggested() -> None:
    expert = {"offers": ("geocoding addresses offline",), "topics": ("mapping",)}
    people = {
        **BYSTANDERS,
        "ada": member("ada", **expert),
        "hid": member("hid", network=False, **expert),
        "ans": member("ans", **expert),
        "jo": member("jo", **expert),
    }
    answer = Answer("2026/try-the-gazetteer", "ans", dt.date(2026, 11, 12))
    found = rank(people, [*BACKGROUND, GEOCODER], [open_ask(GEOCODER, (answer,))])
    assert handles(found[GEOCODER.key]) == ["jo"]


def test_a_colleague_is_suggested_only_on_strong_evidence_and_the_reason_says_so() -> None:
    council = "Harbourton City Council"
    people = {
        **BYSTANDERS,
        "ada": member("ada", org=council),
        "col": member("col", org=council),
        "out": member("out", org="Northgate University"),
        "pro": member("pro", org=council, offers=("an offline geocoder for patient addresses",)),
    }
    posts = [
        *BACKGROUND,
        GEOCODER,
        post("addresses-geocoded", "col", title="Addresses, geocoded"),
        post("our-addresses-geocoded", "out", title="Addresses, geocoded"),
    ]
    found = rank(people, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    # the same middling evidence: enough for someone elsewhere, not for a colleague
    assert handles(found) == ["pro", "out"]
    assert found[0].reason.endswith("; also at Harbourton City Council")
    assert "also at" not in found[1].reason
    elsewhere = {**people, "col": member("col", org="Northgate University")}
    found = rank(elsewhere, posts, [open_ask(GEOCODER)])[GEOCODER.key]
    assert handles(found) == ["pro", "col", "out"]
    assert found[1].score == found[2].score < 0.5


def test_no_helper_is_better_than_a_wrong_one() -> None:
    people = {**BYSTANDERS, "ada": member("ada"), "jo": member("jo", topics=("mapping",))}
    payroll = post(
        "payroll-from-sap-to-oracle",
        "ada",
        "2026-11-02",
        "Moving payroll from SAP to Oracle",
        "Has anyone migrated a council payroll between these two systems?",
        kind=Kind.ASK,
    )
    # one word in common ('library') is a coincidence, not evidence
    archive = post(
        "parish-registers-in-latin",
        "ada",
        "2026-11-03",
        "Reading Latin parish registers in the library",
        kind=Kind.ASK,
    )
    found = rank(people, [*BACKGROUND, payroll, archive], [open_ask(payroll), open_ask(archive)])
    assert found == {payroll.key: (), archive.key: ()}


def test_at_most_network_helpers_best_first() -> None:
    people = {
        **BYSTANDERS,
        "ada": member("ada"),
        **{h: member(h, offers=("geocoding addresses offline",)) for h in ("kim", "jo", "lu")},
    }
    asks = [open_ask(GEOCODER)]
    found = rank_helpers(people, [*BACKGROUND, GEOCODER], asks, TODAY, NetworkOptions(helpers=2))
    # equal evidence: ties go to the handle first in alphabetical order
    assert handles(found[GEOCODER.key]) == ["jo", "kim"]
    assert rank_helpers(people, [GEOCODER], asks, TODAY, NetworkOptions(helpers=0)) == {}
    assert rank(people, [GEOCODER], []) == {}


# ---------------------------------------------------------------- order and language


def test_the_ranking_does_not_depend_on_the_order_of_members_and_posts() -> None:
    people = {
        **BYSTANDERS,
        "ada": member("ada", org="Council"),
        "gus": member("gus", offers=("geocoding addresses offline",)),
        "jo": member("jo", topics=("mapping",)),
        "kit": member("kit", org="Council", offers=("an offline geocoder for addresses",)),
    }
    posts = [
        *BACKGROUND,
        GEOCODER,
        post("geocoders-compared", "jo", "2026-04-02", "Three geocoders compared", "Geocoded."),
        post("geocoding-at-home", "kit", "2026-10-01", "Geocoding at home", feed=True),
        post("addresses", "gus", "2026-02-01", "Addresses, matched", "Offline, by hand."),
    ]
    asks = [open_ask(GEOCODER), open_ask(BACKGROUND[0])]
    expected = rank(people, posts, asks)
    assert handles(expected[GEOCODER.key])
    shuffler = random.Random(16)
    for _ in range(5):
        order = list(people.items())
        shuffler.shuffle(order)
        mixed = posts[:]
        shuffler.shuffle(mixed)
        assert rank(dict(order), mixed, asks[::-1]) == expected


@pytest.mark.parametrize("batched", [False, True], ids=["as-built", "one-at-a-time"])
def test_each_ask_is_ranked_as_if_it_were_the_only_one(
    batched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asks are scored a batch at a time and their helpers' reasons summed all together
    (``newsletter.analysis.helpers``): however the work is cut, each ask's helpers,
    scores and reasons are those it gets alone."""
    if batched:  # a batch of one ask, a table of one member: the other extreme
        monkeypatch.setattr(helpers, "_CELLS", 1)
        monkeypatch.setattr(helpers, "_CHUNK", 1)
    people = {
        **BYSTANDERS,
        "ada": member("ada", org="Council"),
        "gus": member("gus", offers=("geocoding addresses offline",)),
        "jo": member("jo", topics=("mapping",)),
        "kit": member("kit", org="Council", offers=("an offline geocoder for addresses",)),
    }
    questions = [
        GEOCODER,
        post(
            "bike-lanes", "ada", "2026-11-01", "Where are the protected bike lanes?", kind=Kind.ASK
        ),
        post("rents", "gus", "2026-11-02", "Median rents by postcode district?", kind=Kind.ASK),
        post("heat-pumps", "jo", "2026-11-03", "Heat pump costs in a terrace?", kind=Kind.ASK),
        post("rooms", "kit", "2026-11-04", "Can we book the library rooms?", kind=Kind.ASK),
    ]
    posts = [
        *BACKGROUND,
        *questions,
        post("geocoders-compared", "jo", "2026-04-02", "Three geocoders compared", "Geocoded."),
        post("geocoding-at-home", "kit", "2026-10-01", "Geocoding at home", feed=True),
        post("addresses", "gus", "2026-02-01", "Addresses, matched", "Offline, by hand."),
    ]
    asks = [open_ask(q) for q in questions]
    together = rank(people, posts, asks)
    assert all(together[q.key] for q in questions)
    for ask in asks:
        alone = rank(people, posts, [ask])[ask.key]
        assert together[ask.key] == alone
        assert [h.reason.values for h in together[ask.key]] == [h.reason.values for h in alone]


def test_a_french_newsletter_stems_french_words() -> None:
    people = {**BYSTANDERS, "ada": member("ada"), "zoe": member("zoe")}
    question = post(
        "ponderer-une-enquete",
        "ada",
        "2026-11-05",
        "Comment pondérer notre enquête cartographique ?",
        kind=Kind.ASK,
    )
    posts = [
        *BACKGROUND,
        question,
        post("ponderation", "zoe", title="La pondération des enquêtes et la cartographie"),
    ]
    in_french = rank(people, posts, [open_ask(question)], "fr")[question.key]
    assert handles(in_french) == ["zoe"]
    # English stems leave 'pondérer' and 'pondération', 'cartographique' and
    # 'cartographie' apart: one word in common is not enough
    assert rank(people, posts, [open_ask(question)], "en")[question.key] == ()


# ---------------------------------------------------------------- the text analysis


def test_terms_are_stems_without_stop_words_and_phrases_stay_within_a_clause() -> None:
    text = Analyser("en")
    assert text.terms("Does anyone know a good geocoder for our addresses?") == [
        "geocod",
        "address",
    ]
    assert text.phrases("Model cards, and card sorts") == ["model card", "card sort"]
    assert text.phrases("Model. Cards") == []
    assert text.words("Geocoding https://example.org/geocoding OpenStreetMap") == [
        ("geocoding", "geocod"),
        ("openstreetmap", "openstreetmap"),
    ]
    assert text.chunk("(geocoding),") == (None, "geocoding", None)
    assert text.chunk("the") == ()
    assert text.chunk("-") == (None,)


@pytest.mark.parametrize(
    ("language", "stemmed", "terms"),
    [
        ("fr-CA", True, ["ponder", "enquêt"]),
        ("xx", False, ["pondérer", "les", "enquêtes"]),
    ],
)
def test_the_language_decides_the_stems(language: str, stemmed: bool, terms: list[str]) -> None:
    text = Analyser(language)
    assert text.stemmed is stemmed
    assert text.terms("Pondérer les enquêtes") == terms


def test_a_community_of_three_and_an_ask_of_one_word() -> None:
    """In a community of a few, the one member who offers the ask's only word is the
    helper: no word is everyday among three, and one word is all a one-word ask has."""
    members = {
        "ada": member("ada"),
        "bob": member("bob"),
        "cy": member("cy", offers=("geocoding help",)),
    }
    question = post("who-knows-geocoding", "ada", title="Who knows geocoding?", kind=Kind.ASK)
    found = rank_helpers(members, [question], [open_ask(question)], TODAY, OPTIONS)
    assert [h.handle for h in found[question.key]] == ["cy"]
    assert found[question.key][0].reason == "offers “geocoding help”"


def test_no_evidence_at_all_is_no_helper_and_no_error() -> None:
    members = {"ada": member("ada"), "bob": member("bob")}
    question = post("who-knows-geocoding", "ada", title="Who knows geocoding?", kind=Kind.ASK)
    found = rank_helpers(members, [question], [open_ask(question)], TODAY, OPTIONS)
    assert not found.get(question.key)


def test_texts_kept_from_an_earlier_build_rank_exactly_as_fresh_ones() -> None:
    """The build keeps the analysed texts (``TextCodes``, pickled in the build cache) and
    the next build looks them up: after an edit, only the edited text is analysed again,
    and the ranking is the one a build from nothing gives."""
    people = {**BYSTANDERS, "ada": member("ada"), "gus": member("gus", topics=("mapping",))}
    before = post("geocoding", "gus", "2026-03-01", "Geocoding", "Offline, by hand.")
    after = dataclasses.replace(before, body_md="Addresses geocoded offline, by hand.")
    asks = [open_ask(GEOCODER)]
    texts = TextCodes("en")
    rank_helpers(people, [*BACKGROUND, GEOCODER, before], asks, TODAY, OPTIONS, "en", texts)
    kept = pickle.loads(pickle.dumps(texts))
    analysed: list[str] = []
    analyse = kept._analyse
    kept._analyse = lambda text: analysed.append(text) or analyse(text)  # type: ignore[method-assign]
    posts = [*BACKGROUND, GEOCODER, after]
    found = rank_helpers(people, posts, asks, TODAY, OPTIONS, "en", kept)
    assert found == rank(people, posts, asks)
    assert handles(found[GEOCODER.key]) == ["gus"]
    assert analysed == [after.body_md]

"""Reasons as phrases: their English is the text the command line always printed, and a
page's language says them again with its own words, months, lists and numbers; the
words Python draws (cards, the map, feeds' titles) speak it too."""

from __future__ import annotations

import copy
import datetime as dt
import gettext
import io
import json
import pickle
from collections import defaultdict

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from newsletter.analysis import introductions
from newsletter.core.community import NetworkOptions
from newsletter.core.diagnostics import Location
from newsletter.core.model import Member
from newsletter.core.phrases import Listing, Phrase
from newsletter.render.locale import ENGLISH, Language
from newsletter.render.netmap import MapEdge, MapNode, network_svg

SHARED = (
    "shared a post on %(words)s in %(month)s",
    "has shared %(num)s posts on %(words)s, the latest in %(month)s",
)
FRENCH = {
    SHARED: (  # French has three forms: one, many (millions), other
        "a partagé un billet sur %(words)s en %(month)s",
        "a partagé %(num)s de billets sur %(words)s, le dernier en %(month)s",
        "a partagé %(num)s billets sur %(words)s, le dernier en %(month)s",
    ),
    "offers “%(offer)s”": "propose « %(offer)s »",
    "%(first)s; %(then)s": "%(first)s ; %(then)s",
    "also at %(org)s": "aussi chez %(org)s",
    "Both work on %(topics)s.": "Tous deux travaillent sur %(topics)s.",
    ("%(num)s more", "%(num)s more"): ("%(num)s autre", "%(num)s d’autres", "%(num)s autres"),
    "%(asker)s asks for “%(ask)s”, which %(offerer)s offers (“%(offer)s”) (both at %(org)s).": (
        "%(asker)s cherche « %(ask)s », que %(offerer)s propose (« %(offer)s ») "
        "(tous deux chez %(org)s)."
    ),
    "%(first)s %(then)s": "%(first)s %(then)s",
    "No group": "Sans groupe",
    ("%(num)s member", "%(num)s members"): (
        "%(num)s membre",
        "%(num)s de membres",
        "%(num)s membres",
    ),
}


def french(messages: dict[object, object] | None = None) -> Language:
    """French with a catalog made here, compiled as gettext reads it."""
    catalog = Catalog(locale="fr")
    for msgid, msgstr in (FRENCH if messages is None else messages).items():
        catalog.add(msgid, msgstr)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Language("fr", gettext.GNUTranslations(buffer))


def shared(count: int, *words: str) -> Phrase:
    return Phrase.ngettext(*SHARED, count, words=Listing(words), month=dt.date(2026, 11, 19))


def test_a_phrase_is_its_english_text() -> None:
    assert shared(4, "visualisation", "public-health") == (
        "has shared 4 posts on visualisation and public-health, the latest in November 2026"
    )
    assert shared(1, "a", "b", "c") == "shared a post on a, b and c in November 2026"
    offer = Phrase("offers “%(offer)s”", offer="50% off <maps>")
    assert offer == "offers “50% off <maps>”"  # a value is never read as a message
    both = Phrase("%(first)s; %(then)s", first=offer, then=Phrase("also at %(org)s", org="ONS"))
    assert both == "offers “50% off <maps>”; also at ONS"
    assert ENGLISH.phrase(both) == str(both) and ENGLISH.phrase("plain text") == "plain text"


def test_a_phrase_survives_pickling_copying_and_json() -> None:
    phrase = shared(4, "maps")
    for again in (pickle.loads(pickle.dumps(phrase)), copy.deepcopy(phrase)):
        assert isinstance(again, Phrase)
        assert (again, again.message, again.values) == (phrase, phrase.message, phrase.values)
    assert json.loads(json.dumps({"reason": phrase})) == {"reason": str(phrase)}


def test_a_language_says_a_phrase_with_its_words_months_and_lists() -> None:
    fr = french()
    assert fr.phrase(shared(4, "visualisation", "public-health")) == (
        "a partagé 4 billets sur visualisation et public-health, le dernier en novembre 2026"
    )
    assert (
        fr.phrase(shared(1, "a", "b", "c")) == "a partagé un billet sur a, b et c en novembre 2026"
    )
    offer = Phrase("offers “%(offer)s”", offer="Geocoding help")
    both = Phrase("%(first)s; %(then)s", first=offer, then=Phrase("also at %(org)s", org="ONS"))
    assert fr.phrase(both) == "propose « Geocoding help » ; aussi chez ONS"
    assert fr.phrase("not a phrase") == "not a phrase"


def test_a_language_without_the_message_says_it_in_english_with_its_own_formats() -> None:
    fr = french({})
    assert fr.phrase(shared(2, "a", "b")) == (
        "has shared 2 posts on a et b, the latest in novembre 2026"
    )


def test_a_broken_translation_gives_way_to_the_message() -> None:
    fr = french({"offers “%(offer)s”": "propose « %(offre)s »"})  # a renamed value
    assert fr.phrase(Phrase("offers “%(offer)s”", offer="maps")) == "offers “maps”"


def member(handle: str, org: str = "", **fields: tuple[str, ...]) -> Member:
    return Member(handle, handle.capitalize(), Location("x"), org=org, **fields)  # type: ignore[arg-type]


def suggested(*people: Member) -> list[str]:
    members = {m.handle: m for m in people}
    found = introductions.suggest(members, {}, defaultdict(set), {}, NetworkOptions())
    return [s.reason for s in found]


def test_an_introductions_reason_in_english_and_in_french() -> None:
    topics = ("a1", "b2", "c3", "d4", "e5")
    [reason] = suggested(member("ada", topics=topics), member("bob", topics=topics))
    assert reason == "Both work on a1, b2, c3 and 2 more."
    assert french().phrase(reason) == "Tous deux travaillent sur a1, b2, c3 et 2 autres."


def test_colleagues_reason_says_their_org_in_the_last_sentence() -> None:
    [reason] = suggested(
        member("ada", "ONS", topics=("maps",), asks=("funding for geocoders",)),
        member("bob", "ONS", topics=("maps",), offers=("geocoders funding",)),
    )
    assert reason == (
        "Both work on maps. Ada asks for “funding for geocoders”, which Bob offers "
        "(“geocoders funding”) (both at ONS)."
    )
    assert french().phrase(reason) == (
        "Tous deux travaillent sur maps. Ada cherche « funding for geocoders », que Bob "
        "propose (« geocoders funding ») (tous deux chez ONS)."
    )


def test_the_network_map_speaks_the_pages_language() -> None:
    nodes = [MapNode("ada", "Ada", "ONS", 2.0, "/m/ada/"), MapNode("bob", "Bob", "", 1.0, "")]
    svg = network_svg(nodes, [MapEdge("ada", "bob", 1.0)], title="Qui partage", language=french())
    assert "<title id=" in svg and ">Qui partage</title>" in svg
    assert "Sans groupe" in svg and "2 membres" in svg
    assert "No group" not in network_svg(nodes, [], language=french())
    assert "No group" in network_svg(nodes, [])  # English by default

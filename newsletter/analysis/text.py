"""Text: the words of asks, offers and posts, as a retrieval model compares them.

This module owns how text becomes terms: tokens (letters and digits, lower-cased, URLs
and Markdown link targets left out), stop words (English and French lists; other
languages rely on the caller's inverse document frequency), stems (Snowball, in the
newsletter's ``language``; an unknown language is not stemmed) and phrases (adjacent
kept terms, never across punctuation, so that "model cards" and "card sorts" are
different phrases though they share a stem).

The public API is ``Analyser``::

    text = Analyser("en")
    text.terms("Geocoding addresses for the council")   # ['geocod', 'address', 'council']
    text.phrases("Geocoding addresses for the council") # ['geocod address', 'address council']
    text.words("Geocoding addresses")                   # [('geocoding', 'geocod'), …]

Pure: no files, no clock. An ``Analyser`` caches each word's stem, so building one per
language and reusing it is what makes 100,000 posts cheap. It does not weigh terms:
what is common in a community is for the caller to measure (``helpers``, ``network``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import pairwise

import snowballstemmer

_SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
"""ISO 639-1 code → Snowball algorithm; only those the installed Snowball has are used."""

# Snowball's English stop list, plus the words of asking itself ("does anyone know a
# good …", "any advice welcome"), which say nothing about what is asked.
_ENGLISH = """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn
    doing don down during each few for from further had hadn has hasn have haven having he
    her here hers herself him himself his how i if in into is isn it its itself let me more
    most mustn my myself no nor not of off on once only or other ought our ours ourselves
    out over own same shan she should shouldn so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was
    wasn we were weren what when where which while who whom why will with won would
    wouldn you your yours yourself yourselves ll re ve also just us via etc
    anyone anybody someone somebody anything something everyone
    ask asking asked advice appreciated welcome thanks thank please hi hello
    know knows knew looking look need needs needed want wants wanted like
    recommend recommendation recommendations suggestion suggestions tips
    good best better great way ways get got make use using used
"""

# Snowball's French stop list (with elided forms), plus the words of asking.
_FRENCH = """
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais
    me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur
    ta te tes toi ton tu un une vos votre vous c d j l m n s t y été étée étées étés étant
    suis es est sommes êtes sont serai seras sera serons serez seront serais serait
    serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent
    sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant eu eue
    eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait
    aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie
    aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent ceci cela celà
    cet cette ici ils les leurs quel quels quelle quelles sans soi
    quelqu connaît connaissez cherche cherchons besoin conseil
    conseils merci bonjour svp
"""

_STOP_WORDS = {"en": frozenset(_ENGLISH.split()), "fr": frozenset(_FRENCH.split())}

_URL = re.compile(r"(?:https?://|www\.)\S+|\]\([^)]*\)")
"""Addresses, and the targets of Markdown links, are not words about anything."""
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}|/\"“”«»—–]+|\n\s*\n|\n\s*(?:[-*+>#]|\d+\.)\s")
"""Punctuation, a blank line or a Markdown list item or heading ends a phrase: no phrase
is made across it (a line break inside a paragraph does not)."""
_TOKEN = re.compile(r"[^\W_]+")


def language_code(language: str) -> str:
    """'en-GB' → 'en', 'pt_BR' → 'pt': the primary subtag, lower-cased."""
    return re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]


class Analyser:
    """Text → terms for one language: ``terms`` (stems in order), ``phrases`` (bigrams of
    adjacent kept terms) and ``words`` (each kept word with its stem, for saying which
    words matched)."""

    def __init__(self, language: str = "en") -> None:
        self.language = language_code(language)
        name = _SNOWBALL.get(self.language, "")
        self.stemmed = name in snowballstemmer.algorithms()
        """False for a language Snowball does not know: words are compared as written."""
        self.stop_words = _STOP_WORDS.get(self.language, frozenset())
        stem: Callable[[str], str] = snowballstemmer.stemmer(name).stemWord if self.stemmed else str
        self.stem: Callable[[str], str] = lru_cache(maxsize=1 << 18)(stem)
        """A (lower-case) word's stem, cached: a community says the same words often."""

    def clauses(self, text: str) -> list[list[tuple[str, str]]]:
        """The text's kept (word, stem) pairs, in order, cut where punctuation ends a
        phrase: stop words, single letters and numbers left out."""
        found = []
        for clause in _CLAUSE.split(_URL.sub(" ", text.replace("’", "'").lower())):
            kept = [
                (word, self.stem(word))
                for word in _TOKEN.findall(clause)
                if len(word) > 1 and not word.isdigit() and word not in self.stop_words
            ]
            if kept:
                found.append(kept)
        return found

    def words(self, text: str) -> list[tuple[str, str]]:
        """Each kept word of ``text`` with its stem, in order: 'geocoders' → ('geocoders',
        'geocod'); what a reason quotes when a stem matched."""
        return [pair for clause in self.clauses(text) for pair in clause]

    def terms(self, text: str) -> list[str]:
        """The stems of ``text``'s kept words, in order, repeats kept (term frequency)."""
        return [stem for clause in self.clauses(text) for _, stem in clause]

    def phrases(self, text: str) -> list[str]:
        """'stem stem' for each two adjacent kept words within a clause: 'model cards' →
        ['model card'], which 'card sorts' (['card sort']) does not match."""
        return [f"{a} {b}" for clause in self.clauses(text) for (_, a), (_, b) in pairwise(clause)]

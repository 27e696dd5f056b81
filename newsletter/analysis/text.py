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

# The SMART system's English stop list (Salton's, the classic of information retrieval:
# function words and the commonest verbs and adverbs, "seen", "done", "already"), then
# Snowball's words it lacks and the words of asking itself ("any advice welcome",
# "recommendations?"), which say nothing about what is asked.
_ENGLISH = """
    able about above according accordingly across actually after afterwards again
    against ain all allow allows almost alone along already also although always am
    among amongst an and another any anybody anyhow anyone anything anyway anyways
    anywhere apart appear appreciate appropriate are aren around as aside ask asking
    associated at available away awfully be became because become becomes becoming been
    before beforehand behind being believe below beside besides best better between
    beyond both brief but by came can cannot cant cause causes certain certainly changes
    clearly co com come comes concerning consequently consider considering contain
    containing contains corresponding could couldn course currently definitely described
    despite did didn different do does doesn doing don done down downwards during each
    edu eg eight either else elsewhere enough entirely especially et etc even ever every
    everybody everyone everything everywhere ex exactly example except far few fifth
    first five followed following follows for former formerly forth four from further
    furthermore get gets getting given gives go goes going gone got gotten greetings had
    hadn happens hardly has hasn have haven having he hello help hence her here
    hereafter hereby herein hereupon hers herself hi him himself his hither hopefully
    how howbeit however ie if ignored immediate in inasmuch inc indeed indicate
    indicated indicates inner insofar instead into inward is isn it its itself just keep
    keeps kept know knows known last lately later latter latterly least less lest let
    like liked likely little look looking looks ltd mainly many may maybe me mean
    meanwhile merely might more moreover most mostly much must my myself name namely nd
    near nearly necessary need needs neither never nevertheless new next nine no nobody
    non none noone nor normally not nothing novel now nowhere obviously of off often oh
    ok okay old on once one ones only onto or other others otherwise ought our ours
    ourselves out outside over overall own particular particularly per perhaps placed
    please plus possible presumably probably provides que quite qv rather rd re really
    reasonably regarding regardless regards relatively respectively right said same saw
    say saying says second secondly see seeing seem seemed seeming seems seen self
    selves sensible sent serious seriously seven several shall she should shouldn since
    six so some somebody somehow someone something sometime sometimes somewhat somewhere
    soon sorry specified specify specifying still sub such sup sure take taken tell
    tends th than thank thanks thanx that thats the their theirs them themselves then
    thence there thereafter thereby therefore therein theres thereupon these they think
    third this thorough thoroughly those though three through throughout thru thus to
    together too took toward towards tried tries truly try trying twice two un under
    unfortunately unless unlikely until unto up upon us use used useful uses using
    usually uucp value various very via viz vs want wants was wasn way we welcome well
    went were weren what whatever when whence whenever where whereafter whereas whereby
    wherein whereupon wherever whether which while whither who whoever whole whom whose
    why will willing wish with within without won wonder would wouldn yes yet you your
    yours yourself yourselves zero
    a advice appreciated asked good great i knew ll make mustn needed recommend
    recommendation recommendations shan suggestion suggestions tips ve wanted ways
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
_PIECE = re.compile(r"[^\W_]+|[^\w\s]+|_+")
_ENDS_PHRASE = frozenset('.,;:!?()[]{}|/"“”«»—–')
_MARKERS = frozenset("-*+#>")
"""Markdown's list items, headings and quotes: a chunk of only these ends a phrase."""


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

    def kept(self, word: str) -> bool:
        """Whether a lower-case word counts: not a stop word, a single letter or a number."""
        return len(word) > 1 and not word.isdigit() and word not in self.stop_words

    def chunk(self, chunk: str) -> tuple[str | None, ...]:
        """The kept words (unstemmed) of one chunk of text without white space, None where
        it ends a phrase: 'Council,' → ('council', None); '(geocoding)' → (None,
        'geocoding', None); 'the' → (); a bare '-', '#' or '1.' (a list item, a heading)
        → (None,); an address → (None,). For a caller that splits much text on white
        space and caches each distinct chunk, which is many times faster than ``clauses``
        over 100,000 posts (a blank line alone does not end a phrase then)."""
        pieces = _PIECE.findall(_URL.sub(" ", chunk.replace("’", "'").lower()))
        if not any(piece[0].isalnum() for piece in pieces):
            bare = "".join(pieces)
            ends = not bare or set(bare) <= _MARKERS or not _ENDS_PHRASE.isdisjoint(bare)
            return (None,) if ends else ()
        found: list[str | None] = []
        for piece in pieces:
            if piece[0].isalnum():
                if self.kept(piece):
                    found.append(piece)
            elif not _ENDS_PHRASE.isdisjoint(piece):
                found.append(None)
        return tuple(found)

    def clauses(self, text: str) -> list[list[tuple[str, str]]]:
        """The text's kept (word, stem) pairs, in order, cut where punctuation ends a
        phrase: stop words, single letters and numbers left out."""
        found = []
        for clause in _CLAUSE.split(_URL.sub(" ", text.replace("’", "'").lower())):
            kept = [(word, self.stem(word)) for word in _TOKEN.findall(clause) if self.kept(word)]
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

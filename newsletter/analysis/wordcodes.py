"""Word codes: texts as the numbers of their kept words, remembered from build to build.

This module owns the slow half of ranking helpers, splitting every post into words
(``Analyser.chunk``, over millions of words at 10,000 posts): a :class:`TextCodes`
holds every kept word it has met (as written, lower-case) with its stem, and each text
it has analysed, by a digest of that text, as an array of word numbers (``BREAK``
where a phrase ends). The pipeline keeps it in the build cache, so that a build after
one post was edited analyses that post again and looks the others up.

A word's number says nothing but which word it is: the numbers follow the order the
words were first met in, over all builds, which is not the order of any one ranking
(``newsletter.analysis.helpers`` numbers its words again, in its own order).

Pure: no files, no clock; what is kept is what :meth:`TextCodes.__getstate__` gives.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import numpy.typing as npt

from newsletter.analysis.text import Analyser

BREAK = -1
"""A word number that ends a phrase (punctuation)."""

Codes = npt.NDArray[np.int32]


class TextCodes:
    """Texts of one language → arrays of word numbers, each distinct text analysed once
    (and each distinct chunk of text without white space once per build)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.analyser = Analyser(language)
        self.words: list[str] = []
        """Each number's word."""
        self.stems: list[str] = []
        """Each number's stem."""
        self._numbers: dict[str, int] = {}
        self._kept: dict[bytes, int] = {}
        """The texts of the last build: digest → its place among them; the numbers of
        text ``n`` are ``_codes[_starts[n] : _starts[n + 1]]`` (plain numbers, not a
        tuple each: tens of thousands of them would set off the cycle collector)."""
        self._starts: list[int] = [0]
        self._codes: Codes = np.zeros(0, dtype=np.int32)
        self._used: dict[bytes, Codes] = {}
        """The texts asked for since this was made or loaded: what the next build keeps."""
        self._chunks: dict[str, list[int]] = {}

    def of(self, text: str) -> Codes:
        """``text``'s kept words, as numbers, ``BREAK`` where a phrase ends."""
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        found = self._used.get(digest)
        if found is None:
            kept = self._kept.get(digest)
            if kept is None:
                found = self._analyse(text)
            else:
                found = self._codes[self._starts[kept] : self._starts[kept + 1]]
            self._used[digest] = found
        return found

    def _analyse(self, text: str) -> Codes:
        numbers: list[int] = []
        for chunk in text.lower().split():
            found = self._chunks.get(chunk)
            if found is None:
                found = self._chunks[chunk] = [
                    BREAK if w is None else self._number(w) for w in self.analyser.chunk(chunk)
                ]
            numbers += found
        return np.array(numbers, dtype=np.int32)

    def _number(self, word: str) -> int:
        found = self._numbers.get(word)
        if found is None:
            found = self._numbers[word] = len(self.words)
            self.words.append(word)
            self.stems.append(self.analyser.stem(word))
        return found

    def __getstate__(self) -> dict[str, Any]:
        """What the next build keeps: the texts used by this one (not those of builds
        before, which may be gone), and every word."""
        used = list(self._used.values())
        return {
            "language": self.language,
            "words": self.words,
            "stems": self.stems,
            "digests": b"".join(self._used),
            "ends": np.cumsum([len(c) for c in used], dtype=np.int64),
            "codes": np.concatenate(used) if used else np.zeros(0, dtype=np.int32),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["language"])  # type: ignore[misc]
        self.words, self.stems = state["words"], state["stems"]
        self._numbers = {w: n for n, w in enumerate(self.words)}
        digests: bytes = state["digests"]
        self._starts = [0, *state["ends"].tolist()]
        self._kept = {digests[16 * n : 16 * n + 16]: n for n in range(len(self._starts) - 1)}
        self._codes = state["codes"]

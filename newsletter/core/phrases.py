"""Phrases: words the analysis writes for readers, kept as a message and its values so
that each page can say them in its own language.

A reason for an introduction or for a helper is decided once per build, before any
page's language is known, and the command line prints it in English. A
:class:`Phrase` is that English text (it *is* a ``str``: JSON, tables, tests and
templates read it as before) and also the message it was made from (marked ``N_`` for
the catalog) with its values: names and quotations (kept verbatim), numbers, months,
lists (:class:`Listing`) and other phrases. A page's language renders it again with
``Language.phrase`` (newsletter/render/locale.py), through any :class:`Speaker`.

Pure: no catalog is read here, and nothing is translated but through the speaker given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, Union

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


class Speaker(Protocol):
    """What renders a phrase: a language's messages and formats (``Language`` is one)."""

    english: bool
    """Lists, months and numbers written as the English theme always wrote them."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def join(self, items: Iterable[str]) -> str: ...

    def month_year(self, value: dt.date) -> str: ...

    def number(self, n: float) -> str: ...


@dataclass(frozen=True)
class Listing:
    """Items said as a list: 'a', 'a and b', 'a, b and c' in English, the language's
    own way elsewhere (``Language.join``)."""

    items: tuple[Value, ...]


Value = Union["Phrase", Listing, str, int, dt.date]
"""What a phrase may hold: a date is said as its month and year ('November 2026')."""


class Phrase(str):
    """A message (python-format, ``%(name)s``) with its values; as a ``str``, its English
    text. ``Phrase(N_("offers “%(offer)s”"), offer=offer)``, or with a count
    ``Phrase.ngettext("… a post …", "… %(num)s posts …", n, …)``."""

    __slots__ = ("message", "n", "plural", "values")
    message: str
    plural: str | None
    n: int | None
    values: tuple[tuple[str, Value], ...]

    def __new__(cls, message: str, /, **values: Value) -> Phrase:
        return _made(cls, message, None, None, tuple(values.items()))

    @classmethod
    def ngettext(cls, singular: str, plural: str, count: int, /, **values: Value) -> Phrase:
        """The singular or plural message by ``count``, which is its value ``num`` too."""
        return _made(cls, singular, plural, count, (("num", count), *values.items()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Phrase is immutable: cannot set {name}")

    def __reduce__(self) -> tuple[Any, ...]:  # pickled into the build's worker processes
        # with its English text, which is not worked out again from its values when unpickled
        english = str.__str__(self)
        return (_restored, (type(self), english, self.message, self.plural, self.n, self.values))

    def say(self, speaker: Speaker) -> str:
        """The phrase in ``speaker``'s language: its message translated, its values said
        in that language; a translation that does not fit the values (a broken catalog)
        gives way to the message as written."""
        if self.plural is not None and self.n is not None:
            message = speaker.ngettext(self.message, self.plural, self.n)
            original = self.message if self.n == 1 else self.plural
        else:
            message, original = speaker.gettext(self.message), self.message
        values = {name: say(value, speaker) for name, value in self.values}
        try:
            return message % values
        except (KeyError, ValueError, TypeError):
            return original % values


def _made(
    cls: type[Phrase],
    message: str,
    plural: str | None,
    count: int | None,
    values: tuple[tuple[str, Value], ...],
) -> Phrase:
    english = (message if plural is None or count == 1 else plural) % {
        name: say(value, _ENGLISH) for name, value in values
    }
    return _restored(cls, english, message, plural, count, values)


def _restored(
    cls: type[Phrase],
    english: str,
    message: str,
    plural: str | None,
    count: int | None,
    values: tuple[tuple[str, Value], ...],
) -> Phrase:
    """A phrase whose English text is known (``english``)."""
    made = str.__new__(cls, english)
    for name, value in (("message", message), ("plural", plural), ("n", count)):
        object.__setattr__(made, name, value)
    object.__setattr__(made, "values", values)
    return made


def say(value: Value, speaker: Speaker) -> str:
    """``value`` in ``speaker``'s language: a phrase translated, a list joined, a month
    named, a number in its digits; any other text as it is (names, quotations)."""
    if isinstance(value, Phrase):
        return value.say(speaker)
    if isinstance(value, Listing):
        items = [say(item, speaker) for item in value.items]
        return _english_list(items) if speaker.english else speaker.join(items)
    if isinstance(value, dt.date):
        english = f"{_MONTHS[value.month - 1]} {value.year}"
        return english if speaker.english else speaker.month_year(value)
    if isinstance(value, int):
        return str(value) if speaker.english else speaker.number(value)
    return value


def _english_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class _English:
    """The messages as written, in the English theme's formats."""

    english = True

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def join(self, items: Iterable[str]) -> str:
        return _english_list(list(items))

    def month_year(self, value: dt.date) -> str:
        return f"{_MONTHS[value.month - 1]} {value.year}"

    def number(self, n: float) -> str:
        return str(n)


_ENGLISH: Speaker = _English()
"""How a phrase's ``str`` is said."""

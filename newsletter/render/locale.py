"""Languages: what the theme says, and how dates, numbers and lists are written, in one
language.

A :class:`Language` is made from a language tag ('fr', 'pt-BR', 'ar') and the catalogs
(``newsletter.project.catalogs``). Templates reach it as ``locale`` and through Jinja's
``i18n`` extension (``{% trans %}``, ``_()``, plural forms); Python code that renders
words for readers calls its methods. English, the theme's own language, is written
exactly as it always was (``19 November 2026``), so that an English site does not
change; every other language formats with Babel and the locale's own digits.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from markupsafe import Markup

from newsletter.core.phrases import Phrase
from newsletter.project.catalogs import is_source_language, parse_locale, translations
from newsletter.project.sources import Project

RIGHT_TO_LEFT = "right-to-left"


class Language:
    """One language of the site: its messages, its direction and its formats."""

    def __init__(self, tag: str, messages: gettext_module.NullTranslations) -> None:
        self.tag = tag
        """As newsletter.yaml writes it: ``<html lang>`` and ``xml:lang``."""
        self.messages = messages
        known = parse_locale(tag)
        self.babel: Locale = known or Locale("en")
        self.english = known is None or is_source_language(tag)
        """The theme's own formats: an unknown tag is written as English too."""
        self.direction = "rtl" if self.babel.character_order == RIGHT_TO_LEFT else "ltr"
        self._digits = _digits(self.babel)

    def __repr__(self) -> str:  # in job keys: a language is its tag and its messages
        return f"Language({self.tag!r}, {id(self.messages)})"

    # -- words ----------------------------------------------------------------------

    def gettext(self, message: str) -> str:
        return self.messages.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.messages.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.messages.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        return self.messages.npgettext(context, singular, plural, n)

    def values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values to put in a message, numbers written in the locale's way:
        ``lang.ngettext("%(num)s post", "%(num)s posts", n) % lang.values({"num": n})``."""
        return {k: self.number(v) if _is_number(v) else v for k, v in values.items()}

    def phrase(self, text: str) -> str:
        """A reason the analysis wrote (a ``Phrase``) in this language; other text as it is."""
        return text.say(self) if isinstance(text, Phrase) else text

    def language_name(self, tag: str) -> str:
        """Another language's name in this one: 'fr' → 'French', 'français' in French."""
        found = parse_locale(tag)
        name = found.get_display_name(self.babel) if found is not None else None
        return name or tag

    # -- numbers, lists, dates ------------------------------------------------------

    def number(self, n: float) -> str:
        if self.english:
            return str(n)
        return self.digits(format_decimal(n, locale=self.babel, numbering_system="default"))

    def digits(self, text: str) -> str:
        """ASCII digits in ``text`` written in the locale's own (Persian ۲۰۲۶)."""
        return text.translate(self._digits) if self._digits else text

    def join(self, items: Iterable[str]) -> str:
        """'a, b and c' in the locale's words (English keeps its plain 'a, b, c')."""
        items = list(items)
        if self.english:
            return ", ".join(items)
        return format_list(items, locale=self.babel) if items else ""

    def long_date(self, value: dt.date) -> str:
        if self.english:
            return f"{value.day} {value:%B %Y}"
        return self.digits(format_date(value, "long", locale=self.babel))

    def short_date(self, value: dt.date) -> str:
        if self.english:
            return f"{value.day} {value:%b %Y}"
        return self.digits(format_skeleton("yMMMd", value, locale=self.babel))

    def month_year(self, value: dt.date) -> str:
        if self.english:
            return f"{value:%B %Y}"
        return self.digits(format_skeleton("yMMMM", value, locale=self.babel))

    def month_short(self, value: dt.date) -> str:
        """The month as a calendar's page shows it: 'Dec', 'déc.'."""
        if self.english:
            return f"{value:%b}"
        return format_date(value, "LLL", locale=self.babel)

    def time(self, value: dt.datetime) -> str:
        if self.english:
            return f"{value:%H:%M}"
        return self.digits(format_time(value, "short", locale=self.babel))

    def event_time(self, value: dt.datetime) -> str:
        """A day and a time: 'Thu 3 Dec 2026, 18:00', 'jeu. 3 déc. 2026 18:00'."""
        if self.english:
            return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"
        day = format_skeleton("yMMMEd", value, locale=self.babel)
        pattern = str(self.babel.datetime_formats["medium"]).replace("'", "")
        return self.digits(pattern.replace("{1}", day).replace("{0}", self.time(value)))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


ZERO = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "beng": 0x09E6,
    "deva": 0x0966,
    "mymr": 0x1040,
    "thai": 0x0E50,
    "tibt": 0x0F20,
    "khmr": 0x17E0,
    "laoo": 0x0ED0,
}
"""The zero of each numbering system a locale may default to (CLDR's names); the other
nine follow it in Unicode. Babel names a locale's system but writes Latin digits."""


def _digits(locale: Locale) -> dict[int, str]:
    """ASCII digit → the digit of the locale's default numbering system ({} for Latin)."""
    zero = ZERO.get(locale.default_numbering_system)
    return {ord(str(d)): chr(zero + d) for d in range(10)} if zero else {}


@functools.lru_cache(maxsize=64)
def _language(tag: str, messages: gettext_module.NullTranslations) -> Language:
    return Language(tag, messages)


def language(project: Project | None, tag: str) -> Language:
    """The language ``tag`` with the project's catalogs (one object per catalog state)."""
    return _language(tag, translations(project, tag))


def autonym(tag: str) -> str:
    """A language's name in itself, as a language menu shows it: 'Français', 'English'."""
    found = parse_locale(tag)
    name = found.get_display_name(found) if found is not None else None
    return (name[:1].upper() + name[1:]) if name else tag


ENGLISH = Language("en", gettext_module.NullTranslations())
"""The theme's own words and formats, for what is rendered outside any site."""


# -- Jinja ------------------------------------------------------------------------------


CONTEXT_VARIABLE = "locale"
"""The one variable the functions and filters installed here read from a template's
context: the page's language (``ThemeTemplate`` relies on it)."""


def _active(context: jinja2.runtime.Context) -> Language:
    found = context.get(CONTEXT_VARIABLE)
    return found if isinstance(found, Language) else ENGLISH


def _message(language: Language, autoescape: bool, text: str, values: Mapping[str, Any]) -> str:
    """A translated message with its values put in, escaped in HTML as Jinja's
    new-style gettext does (``{% trans %}`` text is markup, its values are not)."""
    if autoescape:
        text = Markup(text)
    return text % language.values(values)


@functools.lru_cache(maxsize=4096)
def _constant(language: Language, autoescape: bool, where: str | None, message: str) -> str:
    """A message without values (most of a page's: 'Home', 'Members'…), as
    :func:`_message` writes it: worked out once per language, not on every page."""
    text = language.gettext(message) if where is None else language.pgettext(where, message)
    return _message(language, autoescape, text, {})


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, **values: Any) -> str:
    language, autoescape = _active(context), context.eval_ctx.autoescape
    if not values:
        return _constant(language, autoescape, None, message)
    return _message(language, autoescape, language.gettext(message), values)


@jinja2.pass_context
def _ngettext(
    context: jinja2.runtime.Context, singular: str, plural: str, n: int, **values: Any
) -> str:
    values.setdefault("num", n)
    language = _active(context)
    text = language.ngettext(singular, plural, n)
    return _message(language, context.eval_ctx.autoescape, text, values)


@jinja2.pass_context
def _pgettext(context: jinja2.runtime.Context, where: str, message: str, **values: Any) -> str:
    language, autoescape = _active(context), context.eval_ctx.autoescape
    if not values:
        return _constant(language, autoescape, where, message)
    return _message(language, autoescape, language.pgettext(where, message), values)


@jinja2.pass_context
def _npgettext(
    context: jinja2.runtime.Context, where: str, singular: str, plural: str, n: int, **values: Any
) -> str:
    values.setdefault("num", n)
    language = _active(context)
    text = language.npgettext(where, singular, plural, n)
    return _message(language, context.eval_ctx.autoescape, text, values)


@functools.lru_cache(maxsize=8192)
def _formatted_date(language: Language, name: str, value: dt.date) -> str:
    return str(getattr(language, name)(value))


def _formatter(name: str) -> Any:
    @jinja2.pass_context
    def format_value(context: jinja2.runtime.Context, value: Any) -> str:
        if type(value) is dt.date:  # a page shows the same few days again and again
            return _formatted_date(_active(context), name, value)
        return str(getattr(_active(context), name)(value))

    format_value.__name__ = name
    return format_value


FILTERS = ("long_date", "short_date", "month_year", "month_short", "time", "event_time", "number")
"""Filters that write a value in the page's language: ``{{ post.date|long_date }}``."""


def install(env: jinja2.Environment) -> None:
    """Jinja's ``i18n`` extension, new style (``{% trans %}`` values are escaped, ``%``
    formatting always applies), speaking the language of each page's ``locale``; blocks
    are trimmed, so that a message is the same however its template wraps it."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(
        gettext=_gettext, _=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    env.filters.update({name: _formatter(name) for name in FILTERS})
    env.filters["join_list"] = _formatter("join")

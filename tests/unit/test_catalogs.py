"""The theme's catalogs are whole: no string of the theme lands untranslated.

The messages are extracted from the sources exactly as ``pybabel extract -F babel.cfg``
does; the template (newsletter.pot) must hold exactly them, and each shipped catalog
must translate every one, in every plural form its language has, with the same values.
"""

from __future__ import annotations

import gettext
import io
import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from newsletter.project.catalogs import BUILTIN, DOMAIN, shipped_languages

from support.paths import REPO

SHIPPED = ("ar", "de", "es", "fr", "pt")
"""The languages the issue asks for; more may be added (each is then checked too)."""

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
EXTRACT = (
    "pybabel extract -F babel.cfg -c Translators: -o newsletter/locale/newsletter.pot . && "
    "pybabel update -i newsletter/locale/newsletter.pot -d newsletter/locale -D newsletter"
)


def _msgid(message: str | tuple[str, ...]) -> str:
    return message if isinstance(message, str) else message[0]


@cache
def extracted() -> dict[tuple[str, str | None], str | tuple[str, ...]]:
    """(msgid, context) → the message as the sources ask for it (a tuple with a plural)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str, str | None], str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        found[(_msgid(message), context)] = message
    return found


def _catalog(path: str) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, domain=DOMAIN)


def _keys(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {(_msgid(m.id), m.context) for m in catalog if m.id}


def test_the_theme_has_messages() -> None:
    assert len(extracted()) > 150


def test_the_template_is_current() -> None:
    pot = _catalog(str(BUILTIN / f"{DOMAIN}.pot"))
    missing = sorted(k[0] for k in extracted().keys() - _keys(pot))
    stale = sorted(k[0] for k in _keys(pot) - extracted().keys())
    assert not missing and not stale, f"run: {EXTRACT}\nnew: {missing[:10]}\ngone: {stale[:10]}"


def test_every_issue_language_ships() -> None:
    assert set(SHIPPED) <= set(shipped_languages())


@pytest.mark.parametrize("lang", sorted({*SHIPPED, *shipped_languages()}))
def test_catalog_translates_every_message(lang: str) -> None:
    catalog = _catalog(str(BUILTIN / lang / "LC_MESSAGES" / f"{DOMAIN}.po"))
    by_key = {(_msgid(m.id), m.context): m for m in catalog if m.id}
    problems: list[str] = []
    for key, source in sorted(extracted().items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        message = by_key.get(key)
        if message is None:
            problems.append(f"missing: {key[0]!r}")
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {key[0]!r}")
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(source, tuple) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} of {catalog.num_plurals} plural forms: {key[0]!r}")
        wanted = set(
            PLACEHOLDER.findall(" ".join(source if isinstance(source, tuple) else [source]))
        )
        for number, form in enumerate(forms, 1):
            used = set(PLACEHOLDER.findall(form))
            # a plural form short of the last may leave its number out ("no posts", "one post")
            needed = wanted if number == len(forms) else set()
            if not form:
                problems.append(f"untranslated: {key[0]!r}")
            elif not used <= wanted or needed - used:
                problems.append(f"values differ: {key[0]!r} → {form!r}")
    assert not problems, f"{lang}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("lang", sorted(shipped_languages()))
def test_catalog_compiles_and_loads(lang: str) -> None:
    catalog = _catalog(str(BUILTIN / lang / "LC_MESSAGES" / f"{DOMAIN}.po"))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    assert translations.info()["language"] == lang
    translated = [m for m in catalog if m.id and isinstance(m.id, str) and m.string]
    assert translated and all(translations.gettext(m.id) == m.string for m in translated[:50])


def test_no_compiled_catalog_is_committed() -> None:
    assert not list(BUILTIN.rglob("*.mo")) or ".mo" in (REPO / ".gitignore").read_text()

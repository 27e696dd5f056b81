"""Catalogs: the theme's translations, as gettext catalogs, built-in and a project's own.

The built-in catalogs are ``newsletter/locale/<language>/LC_MESSAGES/newsletter.po``
(their template ``newsletter/locale/newsletter.pot``, made by ``pybabel extract`` with
the repository's ``babel.cfg``). A wheel carries each one compiled (``.mo``, made when
the wheel is built, never committed); a source checkout or an editable install has only
the ``.po``, which is compiled here in memory. A project may add its own
``locale/<language>/LC_MESSAGES/newsletter.po`` (strings of the templates it overrides,
or better words for its community): its messages win over the built-in ones.

Finds and reads catalogs; what a language does with them (dates, plurals, direction) is
``newsletter.render.locale``'s.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Iterator
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from newsletter.core.errors import ProjectError
from newsletter.project.sources import Project

DOMAIN = "newsletter"
"""The gettext domain: every catalog file is named ``newsletter.po``."""

SOURCE_LANGUAGE = "en"
"""The language the theme is written in: it needs no catalog."""

BUILTIN = Path(__file__).resolve().parent.parent / "locale"
"""The catalogs shipped with the package."""


def parse_locale(tag: str) -> Locale | None:
    """A language tag as newsletter.yaml writes it ('fr', 'pt-BR', 'zh_Hant') → Babel's
    locale; None when Babel does not know it."""
    try:
        return Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def catalog_names(tag: str) -> list[str]:
    """The catalog folders that may hold ``tag``'s messages, most specific first:
    'pt-BR' → ['pt_BR', 'pt']."""
    found = parse_locale(tag)
    if found is None:
        return []
    names = [str(found)]
    if found.territory or found.script or found.variant:
        names.append(found.language)
    return list(dict.fromkeys(names))


def catalog_roots(project: Project | None) -> list[Path]:
    """Where catalogs are looked for, the first winning: the project's, then the built-in."""
    roots = [project.root / "locale"] if project is not None else []
    return [r for r in [*roots, BUILTIN] if r.is_dir()]


def catalog_files(roots: list[Path], tag: str) -> Iterator[Path]:
    """Every catalog of ``tag`` under ``roots``, the winning one first."""
    for root in roots:
        for name in catalog_names(tag):
            po = root / name / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.is_file() or po.with_suffix(".mo").is_file():
                yield po


def has_catalog(project: Project | None, tag: str) -> bool:
    """Whether the theme is translated into ``tag`` (English, its own language, always)."""
    if is_source_language(tag):
        return True
    return next(catalog_files(catalog_roots(project), tag), None) is not None


def is_source_language(tag: str) -> bool:
    found = parse_locale(tag)
    return found is not None and found.language == SOURCE_LANGUAGE


def shipped_languages() -> list[str]:
    """The languages the package has a catalog for, sorted."""
    if not BUILTIN.is_dir():
        return []
    return sorted(p.name for p in BUILTIN.iterdir() if (p / "LC_MESSAGES").is_dir())


def translations(project: Project | None, tag: str) -> gettext.NullTranslations:
    """``tag``'s messages: the project's catalog over the built-in one, or no translation
    (the theme's English) when there is none."""
    stamps = tuple(_stamp(path) for path in catalog_files(catalog_roots(project), tag))
    return _translations(stamps)


def _stamp(po: Path) -> tuple[Path, int]:
    """A catalog and its last change: a catalog edited during ``serve`` is read again."""
    mo = po.with_suffix(".mo")
    newest = max(p.stat().st_mtime_ns for p in (po, mo) if p.is_file())
    return po, newest


@functools.lru_cache(maxsize=32)
def _translations(stamps: tuple[tuple[Path, int], ...]) -> gettext.NullTranslations:
    chain: gettext.NullTranslations = gettext.NullTranslations()
    for po, _ in reversed(stamps):  # the built-in first, each winner added in front
        found = _read(po)
        found.add_fallback(chain)
        chain = found
    return chain


def _read(po: Path) -> gettext.GNUTranslations:
    """One catalog: its compiled ``.mo`` when it is at least as new as the ``.po``,
    otherwise the ``.po`` compiled in memory (fuzzy and empty messages left out, as
    ``pybabel compile`` does)."""
    mo = po.with_suffix(".mo")
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime_ns >= po.stat().st_mtime_ns):
            return gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
        with po.open("rb") as f:
            catalog = read_po(f, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    except (OSError, ValueError, SyntaxError) as err:
        raise ProjectError(f"{po}: cannot read this translation catalog: {err}") from None

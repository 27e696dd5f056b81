"""Config: ``newsletter.yaml`` → ``Config``, each mistake reported at its line.

The newsletter's title and address, and its settings sections (``email:``, ``feeds:``,
``network:``, ``privacy:``), each value checked and defaulted. A config that cannot be read still
gives a ``Config`` (the defaults), so that the rest of the project is checked too.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from newsletter.core.community import NetworkOptions
from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import EMAIL_RE
from newsletter.core.model import Config, EmailOptions, FeedOptions, PrivacyOptions
from newsletter.load.fields import Fields, mapping_or_error
from newsletter.load.yaml import parse_yaml
from newsletter.project.catalogs import has_catalog, parse_locale, shipped_languages
from newsletter.project.sources import Project, read_text

CONFIG_FIELDS = {
    "title",
    "description",
    "base_url",
    "language",
    "languages",
    "editors",
    "email",
    "feeds",
    "network",
    "privacy",
    "timezone",
}
NETWORK_OPTIONS = {
    "dormant_months",
    "half_life_days",
    "suggestions",
    "brokers",
    "reciprocity_ratio",
    "min_exchanges",
    "helpers",
}
FEED_OPTIONS = {"excerpt_words", "backfill_days", "stale_days", "allow_private"}
PRIVACY_OPTIONS = {"public_addresses"}
DOMAIN_RE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
"""The domain of an address, as ``EMAIL_RE`` reads it in content."""


def load_config(project: Project, diags: Diagnostics, base_url: str | None = None) -> Config:
    """``newsletter.yaml`` → ``Config`` (the defaults where it cannot be read); a
    ``base_url`` given on the command line stands in for the file's."""
    path = project.relative(project.config_path)
    where = Location(path)
    text = read_text(project, project.config_path, diags)
    data, marks = parse_yaml(text, path, diags) if text is not None else (None, {})
    data = mapping_or_error(data, where, diags, path) if data is not None else None
    fields = Fields(data or {}, marks, where, diags)
    if data is not None:
        fields.unknown(CONFIG_FIELDS)
    title = fields.text("title", required=data is not None, example="Our Community Exchange")
    url = base_url or fields.text(
        "base_url", required=data is not None, example="https://example.org/"
    )
    if url and not re.match(r"^https?://[^/\s]+", url):
        diags.error(
            fields.at("base_url"),
            "config.base-url",
            f"base_url must be an absolute http(s) URL, not {url!r}",
            "for example: base_url: https://news.example.org/",
        )
        url = ""
    return Config(
        feeds=_feed_options(fields),
        network=_network_options(fields),
        title=title or "Newsletter",
        base_url=(url or "http://localhost/").rstrip("/") + "/",
        description=fields.text("description"),
        **_languages(project, fields),
        editors=fields.texts("editors"),
        email=_email_options(fields),
        privacy=_privacy_options(fields),
        timezone=_timezone(fields),
        location=where,
        marks=marks,
    )


def _languages(project: Project, fields: Fields) -> dict[str, Any]:
    """``language`` (the site's main language) and ``languages`` (every language of a
    multilingual site, the main one first), each a tag Babel knows; a language the
    theme is not translated into is a warning: its pages would be in English."""
    main = fields.text("language", example="fr")
    every = fields.texts("languages", example="[en, fr]")
    if every and main and main != every[0]:
        fields.diags.error(
            fields.at("language"),
            "config.languages",
            f"language: {main} is not the first of languages: [{', '.join(every)}]",
            "the first of 'languages' is the main language: remove 'language' or make them agree",
        )
    known: list[str] = []
    for tag in every or (main or "en",):
        name = "languages" if every else "language"
        if tag in known:
            fields.diags.error(
                fields.at(name), "config.languages", f"{tag} is listed twice", "list it once"
            )
        elif parse_locale(tag) is None:
            fields.diags.error(
                fields.at(name),
                "config.language",
                f"{tag!r} is not a language tag",
                "write a language as a BCP 47 tag: en, fr, de, pt-BR, ar",
            )
        else:
            known.append(tag)
            _translated(project, fields, name, tag)
    main = (known or [main or "en"])[0] if every else (main or "en")
    return {"language": main, "languages": tuple(known) if len(known) > 1 else ()}


def _translated(project: Project, fields: Fields, name: str, tag: str) -> None:
    if has_catalog(project, tag):
        return
    shipped = ", ".join(["en", *shipped_languages()])
    fields.diags.warning(
        fields.at(name),
        "config.language",
        f"the theme is not translated into {tag}: its pages and email will be in English",
        f"the theme speaks {shipped}; add locale/{tag.replace('-', '_')}/LC_MESSAGES/"
        "newsletter.po to the project to translate it (docs: Translate the theme)",
    )


EMAIL_OPTIONS = {
    "from",
    "reply_to",
    "subscribers",
    "suppressed",
    "unsubscribe",
    "unsubscribe_url",
    "subscribe_url",
    "subscribe_mailto",
    "per_second",
    "per_hour",
    "batch",
    "connections",
}


def _section(fields: Fields, name: str, known: set[str], example: str) -> Fields | None:
    """The fields of a settings section of newsletter.yaml (``email:``, ``feeds:``)."""
    value = fields.data.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        fields.wrong(name, "a mapping of settings", example)
        return None
    options = fields.sub(name, value)
    options.unknown(known)
    return options


def _email_options(fields: Fields) -> EmailOptions:
    options = _section(fields, "email", EMAIL_OPTIONS, "{from: News <news@example.org>}")
    if options is None:
        return EmailOptions()
    value = options.data
    defaults = EmailOptions()
    per_second = value.get("per_second", defaults.per_second)
    if isinstance(per_second, bool) or not isinstance(per_second, int | float) or per_second < 0:
        options.wrong("per_second", "a number, zero or more (0: no limit)", "10")
        per_second = defaults.per_second
    for name in ("unsubscribe_url", "subscribe_url"):
        url = options.text(name)
        if url and not url.lower().startswith("https://"):
            fields.diags.error(
                options.at(name),
                "config.email",
                f"'{name}' must be an https:// URL, not {url!r}",
                f"for example: {name}: https://lists.example.org/{name.split('_')[0]}",
            )
    mailto = options.text("subscribe_mailto").removeprefix("mailto:")
    if mailto and not EMAIL_RE.fullmatch(mailto):
        fields.diags.error(
            options.at("subscribe_mailto"),
            "config.email",
            f"'subscribe_mailto' must be a bare address, not {mailto!r}",
            "for example: subscribe_mailto: editors@example.org",
        )
        mailto = ""
    return EmailOptions(
        from_=options.text("from"),
        reply_to=options.text("reply_to"),
        subscribers=options.text("subscribers") or defaults.subscribers,
        suppressed=options.text("suppressed") or defaults.suppressed,
        unsubscribe=options.text("unsubscribe").removeprefix("mailto:"),
        unsubscribe_url=options.text("unsubscribe_url"),
        subscribe_url=options.text("subscribe_url"),
        subscribe_mailto=mailto,
        per_second=float(per_second),
        per_hour=options.count("per_hour", defaults.per_hour, example="1000"),
        batch=options.count("batch", defaults.batch, example="100") or defaults.batch,
        connections=min(options.count("connections", 1, example="4") or 1, 32),
    )


def _network_options(fields: Fields) -> NetworkOptions:
    options = _section(fields, "network", NETWORK_OPTIONS, "{dormant_months: 6}")
    if options is None:
        return NetworkOptions()
    defaults = NetworkOptions()
    ratio = options.data.get("reciprocity_ratio", defaults.reciprocity_ratio)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or ratio < 1:
        options.wrong("reciprocity_ratio", "a number, 1 or more", "3")
        ratio = defaults.reciprocity_ratio
    counts = {
        name: options.count(name, getattr(defaults, name), example="6")
        for name in sorted(NETWORK_OPTIONS - {"reciprocity_ratio"})
    }
    counts["half_life_days"] = counts["half_life_days"] or defaults.half_life_days
    return NetworkOptions(reciprocity_ratio=float(ratio), **counts)


def _timezone(fields: Fields) -> str:
    """``timezone:``, an IANA name that ``zoneinfo`` knows ('Europe/London'), or ''."""
    name = fields.text("timezone", example="Europe/London")
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = _close_zone(name)
        fields.diags.error(
            fields.at("timezone"),
            "config.timezone",
            f"unknown time zone {name!r}{close}",
            "use a name from the IANA time zone database: Region/City, like "
            "Europe/London or America/New_York (or UTC)",
        )
        return ""


def _close_zone(name: str) -> str:
    """' (did you mean …?)' for a zone named in another case ('europe/london'), by its
    city alone ('Paris') or spelt nearly right ('Europe/Londn'); else ''."""
    known = sorted(zoneinfo.available_timezones())
    wanted = name.strip().lower().replace(" ", "_")
    for zone in known:
        if wanted in (zone.lower(), zone.rsplit("/", 1)[-1].lower()):
            return f" (did you mean '{zone}'?)"
    return did_you_mean(name, known)


def _feed_options(fields: Fields) -> FeedOptions:
    options = _section(fields, "feeds", FEED_OPTIONS, "{excerpt_words: 60}")
    if options is None:
        return FeedOptions()
    defaults = FeedOptions()
    return FeedOptions(
        allow_private=options.flag("allow_private", defaults.allow_private),
        **{
            name: options.count(name, getattr(defaults, name), example="30")
            for name in sorted(FEED_OPTIONS - {"allow_private"})
        },
    )


def _privacy_options(fields: Fields) -> PrivacyOptions:
    """``privacy: {public_addresses: [...]}``: each entry a whole address or an
    ``@domain``; any other entry is reported and left out."""
    options = _section(fields, "privacy", PRIVACY_OPTIONS, "{public_addresses: [list@example.org]}")
    if options is None:
        return PrivacyOptions()
    entries = options.texts("public_addresses", example="[list@example.org, '@example.org']")
    kept: dict[str, Location] = {}
    for i, entry in enumerate(entries):
        where = options.at(f"public_addresses[{i}]")
        pattern = entry.strip().lower()
        if _is_public_pattern(pattern):
            kept.setdefault(pattern, where)
        else:
            fields.diags.error(
                where,
                "config.privacy",
                f"{entry!r} in public_addresses is neither an address nor an @domain",
                _privacy_hint(pattern),
            )
    return PrivacyOptions(tuple(kept), kept)


def _is_public_pattern(pattern: str) -> bool:
    """'@example.org' or a whole address ('*@example.org' is not: it means a domain)."""
    if pattern.startswith("@"):
        return DOMAIN_RE.fullmatch(pattern[1:]) is not None
    return EMAIL_RE.fullmatch(pattern) is not None and not pattern.startswith("*@")


def _privacy_hint(pattern: str) -> str:
    """How to write what was meant: '@example.org' for a domain ('*@example.org',
    'example.org'), else the two forms."""
    domain = pattern.rpartition("@")[2] if "@" in pattern else pattern
    if DOMAIN_RE.fullmatch(domain):
        return f"for any address at {domain}, write '@{domain}' (in quotes: YAML needs them)"
    return "write a whole address (list@example.org) or a domain ('@example.org', in quotes)"

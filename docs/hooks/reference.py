"""MkDocs hook: the parts of the reference that the code already knows.

Owns three things, each filled in while the docs are built so that they cannot drift
from the code:

* ``<!-- settings -->`` on a page becomes the tables of every ``newsletter.yaml``
  setting: the keys the loader accepts (``newsletter/load/config.py``), their defaults
  (the option dataclasses) and what each does (their attribute docstrings, else
  ``WRITTEN`` below).
* ``<!-- diagnostic CODE -->`` becomes the code's severity and a real example: the
  diagnostic as ``newsletter check`` prints it on a broken project of
  ``tests/fixtures/invalid/`` (its ``expected.txt``, which the tests keep exact). The
  diagnostics page must have one section per code found in ``newsletter/`` and none
  for a code that no longer exists: anything else is a warning, so ``mkdocs build
  --strict`` fails until the page says what the new code means and how to fix it.
* The commands' help, which mkdocs-click copies from Click: its ``Example:`` blocks
  become code blocks and its ``<placeholders>`` stay text instead of HTML tags.

It reads files and imports the package; it runs no command, so ``mkdocs serve`` stays
quick. It must not write anything but the pages' Markdown.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import logging
import re
import sys
import typing
from functools import cache
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

log = logging.getLogger("mkdocs.hooks.reference")

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests/fixtures/invalid"
SEVERITIES = ("error", "warning", "note")
DIAGNOSTIC_LINE = re.compile(
    r"^(?P<where>.+?:\d+:\d+): (?P<severity>error|warning|note): .* \[(?P<code>[a-z]+\.[a-z-]+)\]$"
)
MARKER = re.compile(r"<!-- diagnostic (?P<code>[a-z]+\.[a-z-]+) -->")
SECTION = re.compile(r"^#{2,4} `(?P<code>[a-z]+\.[a-z-]+)`", re.MULTILINE)

WRITTEN = {
    "title": "The newsletter's name: the site's title, and its name in feeds and emails.",
    "base_url": "Where the site is published: an absolute http(s) address, a path like "
    "`/news/` included. Links in feeds, emails and cards are made from it "
    "(`build --base-url` overrides it, e.g. for a preview).",
    "description": "One line on what the newsletter is: the home page's description and "
    "the feeds' subtitle.",
    "language": "The language of the site and the email (`en`, `fr`, `de`, `es`, `pt`, `ar`…): "
    "the theme's words, dates and numbers, search stemming, right to left for ar, he, fa.",
    "languages": "A community in several languages, such as `[en, fr]`: the first is the main "
    "one, at the site's root; each other one is under `/<lang>/`, with its own feed.",
    "editors": "Member handles of the editors.",
    "timezone": "The IANA time zone of events' times (`Europe/London`); without it they are "
    "the same clock time wherever they are read.",
    "email": "How editions are sent (never published).",
    "feeds": "How members' feeds are fetched and become items.",
    "network": "The thresholds of the network analysis and of the asks' helpers.",
    "privacy": "Addresses that may be published because they are public already.",
    "email.from": "The From header: `The Exchange <news@example.org>`.",
    "email.reply_to": "Where replies go (`Reply-To`), if not to the From address.",
    "email.unsubscribe": "The address of the `List-Unsubscribe` mailto: (default: the From "
    "address).",
    "email.unsubscribe_url": "An https endpoint for one-click unsubscribe (RFC 8058), if you "
    "have one; adds `List-Unsubscribe-Post`.",
    "email.subscribe_url": "Where the site's subscribe box posts: a form service, or "
    "listmonk's public subscription form. Without it and `subscribe_mailto`, no box.",
    "email.subscribe_mailto": "Without `subscribe_url`: the box opens a mail to this public "
    "address of the editors (the one address the site may show).",
    "email.subscribers": "The private subscribers CSV, relative to the project "
    "(`NEWSLETTER_SUBSCRIBERS` overrides it).",
    "email.suppressed": "Everyone who must never be mailed again: unsubscribed and bounced "
    "addresses.",
    "email.per_second": "Messages per second at most, for your provider's limits (0: no "
    "limit; `send --per-second` overrides it).",
    "email.per_hour": "Messages per hour at most (0: no hourly limit).",
    "email.batch": "Messages sent over one SMTP connection before it is renewed.",
    "email.connections": "SMTP connections used at once (at most 32; `send --connections` "
    "overrides it).",
    "feeds.excerpt_words": "A feed item's summary is cut to this many words (0: the whole "
    "summary).",
    "feeds.backfill_days": "A newly added feed brings entries from at most this many days "
    "before it was first fetched, so a blog's history does not flood the next edition.",
    "feeds.stale_days": "`fetch` marks a feed failing for this many days as stale.",
    "feeds.allow_private": "`true`: feeds may be on this machine or a private network "
    "(an intranet). Off, a member's feed URL cannot reach inside your network.",
    "network.dormant_months": "No exchange for this long: a dormant tie, a quiet member.",
    "network.half_life_days": "A tie's weight halves every this many days since each exchange.",
    "network.suggestions": "Introductions suggested per member.",
    "network.brokers": "How many brokers `network` names.",
    "network.reciprocity_ratio": "Giving at least this many times what one receives (or the "
    "reverse) is worth a look.",
    "network.min_exchanges": "Fewer exchanges than this say nothing about reciprocity.",
    "network.helpers": "Members suggested as helpers for each open ask (`asks --helpers` "
    "overrides it).",
    "privacy.public_addresses": "Whole addresses and `@domain` patterns (in quotes) that may "
    "be published: a mailing list, a conference's contact. Never a subscriber's.",
}
"""What each setting does, for its reader (``email.from``: dotted below a section). A
setting not here is described by its field's docstring in the code, else warned about."""


# -- hook events --------------------------------------------------------------------------


def on_config(config: Any) -> Any:
    # The reference documents the checkout it is built from, even where another
    # `newsletter` is installed: mkdocs-click imports newsletter.cli from here.
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    config["markdown_extensions"].append(ClickHelpExtension())
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if "<!-- settings -->" in markdown:
        markdown = markdown.replace("<!-- settings -->", settings_tables())
    if MARKER.search(markdown) or page.file.src_uri == "reference/diagnostics.md":
        markdown = diagnostics_page(markdown, page.file.src_uri)
    return markdown


# -- settings -----------------------------------------------------------------------------


def settings_tables() -> str:
    """A table of the top-level settings, then one per section (``email:``…)."""
    from newsletter.core.model import Config
    from newsletter.load import config as loader

    sections = {
        "email": loader.EMAIL_OPTIONS,
        "feeds": loader.FEED_OPTIONS,
        "network": loader.NETWORK_OPTIONS,
        "privacy": loader.PRIVACY_OPTIONS,
    }
    hints = typing.get_type_hints(Config)
    top = [_row(Config, key, key, key not in sections) for key in sorted(loader.CONFIG_FIELDS)]
    out = ["| setting | default | what it does |", "|---|---|---|", *top, ""]
    for name in sorted(sections.keys() & loader.CONFIG_FIELDS):
        options = hints[name]
        about = WRITTEN.get(name) or _markdown(_first_line(options.__doc__))
        out += [f"### `{name}:` {{ #{name} }}", "", about, ""]
        out += ["| setting | default | what it does |", "|---|---|---|"]
        out += [_row(options, key, f"{name}.{key}") for key in sorted(sections[name])]
        out.append("")
    for name in sorted(loader.CONFIG_FIELDS - sections.keys()):
        if dataclasses.is_dataclass(_default(Config, name)):
            log.warning("settings: the section %r has no table in docs/hooks/reference.py", name)
    return "\n".join(out)


def _row(owner: type, key: str, name: str, anchor: bool = True) -> str:
    """A table row: the setting's dotted name, its default, what it does; the row is the
    setting's anchor (``settings.md#email.from``), but a section's, which has its heading."""
    field = key + "_" if key == "from" else key  # `from` is a Python keyword
    doc = WRITTEN.get(name)
    if doc is None and (docstring := _attribute_docs(owner).get(field)):
        doc = _markdown(docstring)
    if doc is None:
        log.warning("settings: %s has no description in docs/hooks/reference.py", name)
        doc = ""
    label = f"`{name}` {{ #{name} }}" if anchor else f"[`{name}:`](#{name})"
    return f"| {label} | {_show(_default(owner, field))} | {' '.join(doc.split())} |"


def _default(owner: type, field: str) -> object:
    for f in dataclasses.fields(owner):
        if f.name == field:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
            return None  # required
    return None


def _show(value: object) -> str:
    if value is None:
        return "*required*"
    if value == "" or value == ():
        return "—"
    if dataclasses.is_dataclass(value):
        return "(a section)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, tuple):
        return "`[" + ", ".join(map(str, value)) + "]`"
    return f"`{value}`"


@cache
def _attribute_docs(owner: type) -> dict[str, str]:
    """A dataclass's attribute docstrings (the string under each field), by field."""
    tree = ast.parse(inspect.getsource(owner))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for field, after in itertools.pairwise(body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[field.target.id] = after.value.value
    return docs


def _markdown(docstring: str) -> str:
    """A docstring's reST literals (double backticks) as Markdown code, its ``<…>`` as text."""
    return _escape_outside_code(docstring.replace("``", "`"))


def _first_line(doc: str | None) -> str:
    return " ".join((doc or "").split("\n\n")[0].split())


# -- diagnostics --------------------------------------------------------------------------


def diagnostics_page(markdown: str, src: str) -> str:
    """Each ``<!-- diagnostic CODE -->`` replaced by its severity and example; on the
    diagnostics page, a warning for every code with no section or a section too many."""
    found = codes_in_source()
    examples = fixture_examples()
    if src == "reference/diagnostics.md":
        documented = set(SECTION.findall(markdown))
        for code in sorted(found.keys() - documented):
            log.warning("diagnostics: %s (newsletter/) has no section on %s", code, src)
        for code in sorted(documented - found.keys()):
            log.warning(
                "diagnostics: %s is documented in %s but no longer in newsletter/", code, src
            )
        for part in re.split(r"(?=^### )", markdown, flags=re.MULTILINE):
            head = SECTION.match(part)
            if head and head["code"] not in examples and f"[{head['code']}]" not in part:
                log.warning(
                    "diagnostics: %s has no example (none in tests/fixtures/invalid/)", head["code"]
                )
            if head and "**Fix:**" not in part:
                log.warning("diagnostics: %s says no **Fix:**", head["code"])

    def expand(match: re.Match[str]) -> str:
        code = match["code"]
        if code not in found:
            log.warning("diagnostics: %s on %s is no code of newsletter/", code, src)
            return ""
        severity = " or ".join(f"**{s}**" for s in SEVERITIES if s in found[code])
        if code not in examples:
            return f"Severity: {severity}."
        case, lines = examples[code]
        return (
            f"Severity: {severity}. As `newsletter check` reports it on the broken project "
            f"`tests/fixtures/invalid/{case}/`:\n\n```text\n" + "\n".join(lines) + "\n```"
        )

    return MARKER.sub(expand, markdown)


@cache
def codes_in_source() -> dict[str, frozenset[str]]:
    """Every diagnostic code in newsletter/, with the severities it is reported at: the
    string literal given to ``diags.error``/``.warning``/``.note``."""
    codes: dict[str, set[str]] = {}
    for path in sorted((REPO / "newsletter").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SEVERITIES
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                codes.setdefault(node.args[1].value, set()).add(node.func.attr)
    return {code: frozenset(severities) for code, severities in codes.items()}


@cache
def fixture_examples() -> dict[str, tuple[str, list[str]]]:
    """For each code, the diagnostic (and its hint) of the smallest broken project that
    reports it: ``{code: (case, lines)}``."""
    best: dict[str, tuple[int, str, list[str]]] = {}
    for expected in sorted(FIXTURES.glob("*/expected.txt")):
        lines = expected.read_text(encoding="utf-8").splitlines()
        size = sum(1 for line in lines if DIAGNOSTIC_LINE.match(line))
        for i, line in enumerate(lines):
            if not (match := DIAGNOSTIC_LINE.match(line)):
                continue
            shown = [line]
            if i + 1 < len(lines) and lines[i + 1].startswith("    hint:"):
                shown.append(lines[i + 1])
            code = match["code"]
            if code not in best or size < best[code][0]:
                best[code] = (size, expected.parent.name, shown)
    return {code: (case, lines) for code, (_, case, lines) in best.items()}


# -- the commands' help -------------------------------------------------------------------


class ClickHelpExtension(Extension):
    """Marks what mkdocs-click writes, then makes its help text read as Markdown."""

    def extendMarkdown(self, md: Markdown) -> None:
        # mkdocs-click's preprocessor has priority 141: one runs just before it, one after.
        md.preprocessors.register(_MarkClickBlocks(md), "click_help_mark", 142)
        md.preprocessors.register(_ClickHelpAsMarkdown(md), "click_help", 140)


START, END = "<!-- click help -->", "<!-- end of click help -->"


class _MarkClickBlocks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = False
        for line in lines:
            if line.startswith("::: mkdocs-click"):
                out += [START, ""]
                inside = True
            elif inside and not line.startswith("    :") and line.strip():
                out += ["", END]
                inside = False
            out.append(line)
        return [*out, "", END] if inside else out


class _ClickHelpAsMarkdown(Preprocessor):
    """In Click's help: ``Example:`` and the indented lines under it become a console
    block; ``<year>`` outside backticks and fences is escaped, not taken for a tag."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = fenced = False
        example: list[str] | None = None
        for line in lines:
            if line in (START, END):
                inside = line == START
                continue
            if not inside:
                out.append(line)
                continue
            if example is not None:
                if line.startswith("  ") and line.strip():
                    example.append(line.strip())
                    continue
                out += ["**Example:**", "", "```sh", *example, "```", ""]
                example = None
            if line.startswith("```"):
                fenced = not fenced
            if not fenced and line.strip() == "Example:":
                example = []
                continue
            out.append(line if fenced else _escape_outside_code(line))
        if example is not None:
            out += ["**Example:**", "", "```sh", *example, "```", ""]
        return out


def _escape_outside_code(line: str) -> str:
    parts = line.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside backticks
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)

"""Load: every source file → the typed model, with diagnostics, never stopping.

A file with a mistake yields a diagnostic at its line and column, and loading
goes on with the next field and the next file, so one run reports every
problem. YAML is always safe-loaded. This stage looks at one file at a time;
relations between files are ``check``'s job.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import CONTROL_RE, EMAIL_RE, render_markdown
from newsletter.core.model import (
    Config,
    Content,
    Edition,
    EmailOptions,
    FeedOptions,
    FeedSpec,
    Kind,
    Marks,
    Member,
    NetworkOptions,
    Post,
)
from newsletter.core.parallel import map_in_processes
from newsletter.core.progress import Progress, quiet
from newsletter.feeds.items import feed_items
from newsletter.load.assets import check_images, load_assets, sized_images
from newsletter.project import limits
from newsletter.project.buildcache import BuildCache, FileMemo, code_stamp, digest_bytes
from newsletter.project.sources import Project, read_text

try:  # libyaml is several times faster; the pure-Python loader is equivalent
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]


class _Loader(SafeLoader):
    """SafeLoader, except that an impossible date stays text for ``Fields`` to report."""


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """'2026-13-45' looks like a YAML date but is none: keep it as text, don't raise."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
WEB_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
HANDLE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
T = TypeVar("T")


# -- YAML with positions ----------------------------------------------------


def parse_yaml(text: str, path: str, diags: Diagnostics, first_line: int = 1) -> tuple[Any, Marks]:
    """YAML text → (data, marks); marks give each top-level value's position.

    ``first_line`` is the file line the text starts on (2 for front matter).
    An empty document is an empty mapping ({}), so that its missing fields are
    reported. On a syntax error: a diagnostic, and (None, {}).
    """

    def where(mark: yaml.Mark) -> Location:
        return Location(path, mark.line + first_line, mark.column + 1)

    if not limits.check_yaml(text, path, first_line, diags):
        return None, {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark, problem = err.problem_mark or err.context_mark, err.problem or err.context
        if (
            err.problem_mark
            and err.context_mark
            and err.context
            and not text[err.problem_mark.index :].strip()
        ):
            # stopped at the end ("did not find expected ']'"): point at what was left open
            mark, problem = err.context_mark, f"{problem} {err.context}"
        at = where(mark) if mark else Location(path, first_line)
        diags.error(
            at,
            "syntax.yaml",
            f"invalid YAML: {problem or 'invalid YAML'}",
            "check indentation, and quote values that contain ': '"
            " or start with '[', '{', '@' or '*'",
        )
        return None, {}
    except yaml.YAMLError as err:
        diags.error(Location(path, first_line), "syntax.yaml", f"invalid YAML: {err}")
        return None, {}
    finally:
        loader.dispose()
    marks: Marks = {}
    _mark(node, "", marks, where, diags)
    return ({} if data is None else data), marks


def _mark(
    node: yaml.Node | None,
    prefix: str,
    marks: Marks,
    where: Callable[[yaml.Mark], Location],
    diags: Diagnostics,
    depth: int = 0,
) -> None:
    """Record where each value starts: 'key', '@key' (the key itself), 'key[i]', and
    nested 'key.sub' or 'key[i].sub', so a diagnostic can point inside a list or mapping."""
    if depth > 3:
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = prefix + str(key_node.value)
            if "@" + key in marks and depth == 0:
                diags.warning(
                    where(key_node.start_mark),
                    "field.duplicate",
                    f"'{key}' is given twice; this one wins",
                    f"keep one '{key}:' line (the first is on line {marks['@' + key].line})",
                )
            marks["@" + key] = where(key_node.start_mark)
            marks[key] = where(value_node.start_mark)
            _mark(value_node, key + ".", marks, where, diags, depth + 1)
    elif isinstance(node, yaml.SequenceNode) and prefix:
        for i, item in enumerate(node.value):
            name = f"{prefix[:-1]}[{i}]"
            marks[name] = where(item.start_mark)
            _mark(item, name + ".", marks, where, diags, depth + 1)


def split_front_matter(text: str, path: str, diags: Diagnostics) -> tuple[str, str, int] | None:
    """'---\\nyaml\\n---\\nbody' → (yaml, body, line the body starts on)."""
    if not text.startswith("---\n"):
        diags.error(
            Location(path, 1),
            "syntax.front-matter",
            "missing front matter",
            "start the file with a line '---', the YAML fields, then another '---'",
        )
        return None
    end = re.search(r"^---[ \t]*$", text[4:], re.M)
    if end is None:
        diags.error(
            Location(path, 1),
            "syntax.front-matter",
            "front matter is not closed",
            "add a line '---' after the last field",
        )
        return None
    front = text[4 : 4 + end.start()]
    body = text[4 + end.end() :].lstrip("\n")
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    return front, body, body_line


# -- typed fields -------------------------------------------------------------


class Fields:
    """Typed access to a mapping of fields, reporting wrong types at their line."""

    def __init__(
        self, data: dict[str, Any], marks: Marks, location: Location, diags: Diagnostics
    ) -> None:
        self.data, self.marks, self.location, self.diags = data, marks, location, diags

    def at(self, name: str) -> Location:
        return self.marks.get(name, self.location)

    def sub(self, name: str, data: dict[str, Any]) -> Fields:
        """The fields of the mapping at ``name`` (e.g. 'feeds[0]'), with their own marks."""
        prefix = name + "."
        marks = {
            ("@" if k[0] == "@" else "") + k.lstrip("@")[len(prefix) :]: v
            for k, v in self.marks.items()
            if k.lstrip("@").startswith(prefix)
        }
        return Fields(data, marks, self.at(name), self.diags)

    def _wrong(self, name: str, expected: str, example: str) -> None:
        value = self.data[name]
        self.diags.error(
            self.at(name),
            "field.type",
            f"'{name}' must be {expected}, not {_describe(value)}",
            f"for example: {name}: {example}",
        )

    def _get(self, name: str, required: bool, example: str) -> Any:
        value = self.data.get(name)
        if value is None and required:
            self.diags.error(
                self.location,
                "field.required",
                f"missing required field '{name}'",
                f"add a line: {name}: {example}",
            )
        return value

    def text(self, name: str, *, required: bool = False, example: str = "…") -> str:
        value = self._get(name, required, example)
        if value is None:
            return ""
        if isinstance(value, bool | dict | list):
            self._wrong(name, "text", example)
            return ""
        return _clean(value)

    def texts(self, name: str, *, example: str = "[a, b]") -> tuple[str, ...]:
        """A list of short texts; a single text is taken as a list of one."""
        value = self.data.get(name)
        if value is None:
            return ()
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return (_clean(value),)
        if not isinstance(value, list) or any(
            isinstance(v, dict | list | bool) or v is None for v in value
        ):
            self._wrong(name, "a list of texts", example)
            return ()
        return tuple(_clean(v) for v in value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(name, "true or false", "true")
            return default
        return value

    def count(self, name: str, default: int, *, example: str = "10") -> int:
        """A whole number, zero or more."""
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.diags.error(
                self.at(name),
                "field.type",
                f"'{name}' must be a whole number, zero or more, not {value!r}",
                f"for example: {name}: {example}",
            )
            return default
        return value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self._get(name, required, "2026-11-20")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.diags.error(
                self.at(name),
                "date.invalid",
                f"'{name}' is not a valid date: {value!r}",
                f"write it as YYYY-MM-DD, for example: {name}: 2026-11-20",
            )
            return None

    def datetime(self, name: str, *, required: bool = False) -> dt.datetime | None:
        value = self._get(name, required, "2026-12-03 18:00")
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        try:
            return dt.datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)
        except ValueError:
            self.diags.error(
                self.at(name),
                "date.invalid",
                f"'{name}' is not a valid date and time: {value!r}",
                f"write it as YYYY-MM-DD HH:MM, for example: {name}: 2026-12-03 18:00",
            )
            return None

    def mapping(self, name: str) -> dict[str, str]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
            self._wrong(name, "a mapping of names to texts", "{site: https://example.org}")
            return {}
        return {_clean(k): _clean(v) for k, v in value.items() if v is not None}

    def url(self, name: str, value: str, *, example: str) -> str:
        """``value`` if it is an http(s) URL; otherwise an error at ``name`` and ''."""
        if not value or WEB_URL_RE.match(value):
            return value
        self.diags.error(
            self.at(name),
            "field.link",
            f"'{name.split('[')[0]}': {value!r} is not an http(s) URL",
            f"for example: {name.split('[')[0]}: {example}",
        )
        return ""

    def unknown(self, known: set[str]) -> None:
        for name in self.data:
            if str(name) not in known:
                self.diags.warning(
                    self.marks.get("@" + str(name), self.location),
                    "field.unknown",
                    f"unknown field '{name}'{did_you_mean(str(name), known)}",
                    "known fields: " + ", ".join(sorted(known)),
                )


def _clean(value: object) -> str:
    # YAML escapes ("\x1b") can still produce control characters: drop them too
    return CONTROL_RE.sub("", str(value)).strip()


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, int | float):
        return "a number"
    return f"{type(value).__name__}"


def _mapping_or_error(
    data: Any, location: Location, diags: Diagnostics, what: str
) -> dict[str, Any] | None:
    if isinstance(data, dict):
        return data
    diags.error(
        location,
        "syntax.structure",
        f"{what} must be a mapping of fields",
        "write one 'name: value' per line",
    )
    return None


def scan_private(text: str, path: str, diags: Diagnostics, first_line: int = 1) -> None:
    """Email addresses do not belong in public content: report each one."""
    for match in EMAIL_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + first_line
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        diags.error(
            Location(path, line, col),
            "privacy.email",
            "email address in public content",
            "content/ is published; addresses belong only in the private subscribers file",
        )


def read_document(
    project: Project, file: Path, diags: Diagnostics, known: set[str]
) -> tuple[Fields, str, int] | None:
    """A Markdown file with front matter → (its fields, the body, the body's first line)."""
    path = project.relative(file)
    text = read_text(project, file, diags)
    if text is None:
        return None
    scan_private(text, path, diags)
    parts = split_front_matter(text, path, diags)
    if parts is None:
        return None
    front, body, body_line = parts
    where = Location(path)
    if len(front) > limits.MAX_FRONT_MATTER:
        diags.error(
            Location(path, 2),
            "file.too-large",
            f"the front matter is {len(front):,} characters long; at most "
            f"{limits.MAX_FRONT_MATTER:,} are read",
            "keep only the fields between the '---' lines; the text goes after them",
        )
        return None
    if not limits.check_markdown(body, path, body_line, diags):
        body = ""  # reported; nothing later may spend its time on it
    data, marks = parse_yaml(front, path, diags, first_line=2)
    data = _mapping_or_error(data, where, diags, "front matter") if data is not None else None
    if data is None:
        return None
    fields = Fields(data, marks, where, diags)
    fields.unknown(known)
    return fields, body, body_line


# -- config ---------------------------------------------------------------------

CONFIG_FIELDS = {
    "title",
    "description",
    "base_url",
    "language",
    "editors",
    "email",
    "feeds",
    "network",
}
NETWORK_OPTIONS = {
    "dormant_months",
    "half_life_days",
    "suggestions",
    "brokers",
    "reciprocity_ratio",
    "min_exchanges",
}
FEED_OPTIONS = {"excerpt_words", "backfill_days", "stale_days", "allow_private"}


def load_config(project: Project, diags: Diagnostics, base_url: str | None = None) -> Config:
    path = project.relative(project.config_path)
    where = Location(path)
    text = read_text(project, project.config_path, diags)
    data, marks = parse_yaml(text, path, diags) if text is not None else (None, {})
    data = _mapping_or_error(data, where, diags, path) if data is not None else None
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
        language=fields.text("language") or "en",
        editors=fields.texts("editors"),
        email=_email_options(fields),
        location=where,
        marks=marks,
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
        fields._wrong(name, "a mapping of settings", example)
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
        options._wrong("per_second", "a number, zero or more (0: no limit)", "10")
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
        options._wrong("reciprocity_ratio", "a number, 1 or more", "3")
        ratio = defaults.reciprocity_ratio
    counts = {
        name: options.count(name, getattr(defaults, name), example="6")
        for name in sorted(NETWORK_OPTIONS - {"reciprocity_ratio"})
    }
    counts["half_life_days"] = counts["half_life_days"] or defaults.half_life_days
    return NetworkOptions(reciprocity_ratio=float(ratio), **counts)


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


# -- members ------------------------------------------------------------------

MEMBER_FIELDS = {
    "name",
    "org",
    "role",
    "topics",
    "offers",
    "asks",
    "feeds",
    "links",
    "bio",
    "network",
}


def load_member(project: Project, file: Path, config: Config, diags: Diagnostics) -> Member | None:
    path = project.relative(file)
    where = Location(path)
    handle = file.stem
    if not HANDLE_RE.match(handle):
        diags.error(
            where,
            "member.handle",
            f"'{handle}' is not a valid member handle",
            "rename the file: lowercase letters, digits, '-' or '_', starting with a letter",
        )
        return None
    text = read_text(project, file, diags)
    if text is None:
        return _unreadable_member(handle, where)
    scan_private(text, path, diags)
    data, marks = parse_yaml(text, path, diags)
    data = _mapping_or_error(data, where, diags, "a member file") if data is not None else None
    if data is None:
        return _unreadable_member(handle, where)
    fields = Fields(data, marks, where, diags)
    fields.unknown(MEMBER_FIELDS)
    bio = fields.text("bio")
    bio_file = file.with_suffix(".md")
    bio_at = fields.at("bio")
    if bio_file.is_file():
        bio_text = read_text(project, bio_file, diags) or ""
        scan_private(bio_text, project.relative(bio_file), diags)
        bio, bio_at = bio_text, Location(project.relative(bio_file))
    if bio and not limits.check_markdown(bio, bio_at.path, bio_at.line, diags):
        bio = ""
    topics = fields.texts("topics", example="[open-data, mapping]")
    _check_slugs(fields, "topics", topics)
    return Member(
        handle=handle,
        name=fields.text("name", required=True, example="Ada Lovelace") or handle,
        location=where,
        marks=marks,
        org=fields.text("org"),
        role=fields.text("role"),
        topics=tuple(t.lower() for t in topics),
        offers=fields.texts("offers"),
        asks=fields.texts("asks"),
        feeds=_feeds(fields),
        links=tuple(
            (label, url)
            for label, value in fields.mapping("links").items()
            if (url := fields.url("links", value, example="{site: https://example.org}"))
        ),
        bio_html=render_markdown(bio, config.base_path) if bio else "",
        network=fields.flag("network", True),
    )


FEED_FIELDS = {"url", "tags", "filter", "max_per_edition"}
FEED_EXAMPLE = "[https://example.org/feed.xml]"


def _feeds(fields: Fields) -> tuple[FeedSpec, ...]:
    """``feeds:``: a list of URLs, or of {url, tags, filter: {tags, title}, max_per_edition}."""
    value = fields.data.get("feeds")
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    specs = []
    for i, item in enumerate(value):
        name = f"feeds[{i}]"
        at = fields.at(name) if fields.marks.get(name) else fields.at("feeds")
        given_as = "feeds" if isinstance(item, str) else "url"
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            fields.diags.error(
                at,
                "field.type",
                f"'{name}' must be a feed URL or a mapping with 'url', not {_describe(item)}",
                "for example: feeds: [https://example.org/feed.xml]",
            )
            continue
        spec = fields.sub(name, item) if given_as == "url" else Fields(item, {}, at, fields.diags)
        spec.unknown(FEED_FIELDS)
        url = spec.text("url", required=True, example="https://example.org/feed.xml")
        if not _feed_url(spec, url, given_as):
            continue
        tags = spec.texts("tags", example="[python, open-data]")
        _check_slugs(spec, "tags", tags)
        only_tags: tuple[str, ...] = ()
        only_title = ""
        rules = item.get("filter")
        if rules is not None and not isinstance(rules, dict):
            spec._wrong("filter", "a mapping", "{tags: [python], title: '(?i)python'}")
        elif rules:
            filters = spec.sub("filter", rules)
            filters.unknown({"tags", "title"})
            only_tags = tuple(t.lower() for t in filters.texts("tags", example="[python]"))
            only_title = _title_pattern(filters)
        specs.append(
            FeedSpec(
                url=url,
                location=at,
                tags=tuple(t.lower() for t in tags),
                only_tags=only_tags,
                only_title=only_title,
                max_per_edition=spec.count("max_per_edition", 0, example="3"),
            )
        )
    return tuple(specs)


def _feed_url(spec: Fields, url: str, name: str) -> bool:
    """Only http(s) feeds, and never with a password in them: member files are public."""
    example = FEED_EXAMPLE if name == "feeds" else "https://example.org/feed.xml"
    if not url or not spec.url(name, url, example=example):
        return False
    if "@" in url.split("//", 1)[1].split("/", 1)[0]:
        spec.diags.error(
            spec.at("url"),
            "feed.credentials",
            "a feed URL must not carry a user name or password: member files are published",
            "use the feed's public URL; a private feed cannot be shared",
        )
        return False
    return True


MAX_PATTERN = 200


def _title_pattern(filters: Fields) -> str:
    pattern = filters.text("title", example="'(?i)python|data'")
    if not pattern:
        return ""
    try:
        if len(pattern) > MAX_PATTERN:
            raise re.error(f"longer than {MAX_PATTERN} characters")
        re.compile(pattern)
    except re.error as err:
        filters.diags.error(
            filters.at("title"),
            "feed.filter",
            f"the title filter {pattern!r} is not a valid regular expression: {err}",
            "for example: filter: {title: '(?i)python|open data'}",
        )
        return ""
    return pattern


def _unreadable_member(handle: str, where: Location) -> Member:
    """A member whose file has an error, already reported: the file names a member,
    so posts that refer to it are not also reported as naming an unknown member."""
    return Member(handle=handle, name=handle, location=where)


def _check_slugs(fields: Fields, name: str, values: tuple[str, ...]) -> None:
    for i, value in enumerate(values):
        if not SLUG_RE.match(value.lower()):
            fields.diags.error(
                fields.at(f"{name}[{i}]"),
                "field.tag",
                f"'{value}' is not a valid tag",
                "tags are lowercase words joined by '-', like open-data",
            )


# -- posts ----------------------------------------------------------------------

POST_FIELDS = {
    "title",
    "by",
    "kind",
    "link",
    "for",
    "via",
    "connects",
    "tags",
    "when",
    "where",
    "date",
    "draft",
}


def _handles(fields: Fields, name: str) -> tuple[str, ...]:
    return tuple(h.lstrip("@").lower() for h in fields.texts(name, example="[grace, linus]"))


def load_post(project: Project, file: Path, config: Config, diags: Diagnostics) -> Post | None:
    path = project.relative(file)
    where = Location(path)
    slug = file.parent.name if file.name == "index.md" else file.stem
    folder = file.parent.parent if file.name == "index.md" else file.parent
    if not SLUG_RE.match(slug):
        diags.error(
            where,
            "post.slug",
            f"'{slug}' is not a valid post name",
            "rename the file: lowercase letters, digits and '-', like weak-ties.md",
        )
        return None
    document = read_document(project, file, diags, POST_FIELDS)
    if document is None:
        return None
    fields, body, body_line = document
    marks = fields.marks
    title = fields.text("title", required=True, example="Why weak ties find you the next job")
    by = fields.text("by", required=True, example="ada").lstrip("@").lower()
    date = fields.date("date", required=True)
    kind_text = fields.text("kind") or "article"
    try:
        kind = Kind(kind_text.lower())
    except ValueError:
        kinds = [k.value for k in Kind]
        diags.error(
            fields.at("kind"),
            "field.kind",
            f"unknown kind '{kind_text}'{did_you_mean(kind_text.lower(), kinds)}",
            "kind is one of: " + ", ".join(kinds),
        )
        kind = Kind.ARTICLE
    tags = fields.texts("tags", example="[careers, networks]")
    _check_slugs(fields, "tags", tags)
    when = fields.datetime("when", required=kind is Kind.EVENT)
    via = fields.texts("via", example="grace")
    if len(via) > 1:
        diags.error(
            fields.at("via"),
            "field.type",
            "'via' names one member, not a list",
            "for example: via: grace",
        )
    link = fields.url("link", fields.text("link"), example="https://example.org/article")
    if not title or not by or date is None:
        return None
    year = int(folder.name) if re.fullmatch(r"\d{4}", folder.name) else date.year
    assets_of = file.name == "index.md"
    assets = load_assets(project, file.parent, diags) if assets_of else ()
    check_images(body, body_line, path, assets, diags)
    folder_url = f"{config.base_path}posts/{year}/{slug}/"
    if year != date.year:
        diags.warning(
            fields.at("date"),
            "post.year",
            f"dated {date.isoformat()} but filed under {folder.name}/",
            f"move it to content/posts/{date.year}/ (its URL uses the folder's year)",
        )
    return Post(
        year=year,
        slug=slug,
        title=title,
        by=by,
        kind=kind,
        date=date,
        location=where,
        body_location=Location(path, body_line),
        marks=marks,
        body_md=body,
        body_html=sized_images(
            render_markdown(body, config.base_path, folder_url if assets_of else ""),
            folder_url,
            assets,
        ),
        assets=assets,
        link=link,
        for_=_handles(fields, "for"),
        via=via[0].lstrip("@").lower() if len(via) == 1 else "",
        connects=_handles(fields, "connects"),
        tags=tuple(t.lower() for t in tags),
        when=when,
        where=fields.text("where"),
        draft=fields.flag("draft", False),
    )


# -- editions -------------------------------------------------------------------

EDITION_FIELDS = {"title", "date", "include", "exclude"}


def load_edition(
    project: Project, file: Path, config: Config, diags: Diagnostics
) -> Edition | None:
    path = project.relative(file)
    where = Location(path)
    if not re.fullmatch(r"\d+", file.stem):
        diags.error(
            where,
            "edition.number",
            f"'{file.name}' is not named by its edition number",
            "name edition files by number: content/editions/12.md",
        )
        return None
    document = read_document(project, file, diags, EDITION_FIELDS)
    if document is None:
        return None
    fields, body, body_line = document
    marks = fields.marks
    number = int(file.stem)
    date = fields.date("date", required=True)
    if date is None:
        return None
    return Edition(
        number=number,
        date=date,
        title=fields.text("title") or f"Edition {number}",
        location=where,
        marks=marks,
        note_md=body,
        note_html=render_markdown(body, config.base_path),
        note_location=Location(path, body_line),
        include=fields.texts("include", example="[2026/weak-ties]"),
        exclude=fields.texts("exclude", example="[2026/weak-ties]"),
    )


def load_members(project: Project, diags: Diagnostics) -> tuple[Config, dict[str, Member]]:
    """The config and the members only: what ``fetch`` and ``feeds`` need."""
    config = load_config(project, diags)
    members = (load_member(project, f, config, diags) for f in project.member_files())
    return config, {m.handle: m for m in members if m is not None}


# -- the whole project ------------------------------------------------------------


Parser = Callable[[list[Path]], list[bytes]]
"""Files → each one's (item or None, diagnostics), pickled."""

PARALLEL_LOAD = 400
"""Files to parse at least, before parsing is spread over processes (start-up costs)."""


def _parse_post(project: Project, file: Path, config: Config) -> bytes:
    diags = Diagnostics()
    post = load_post(project, file, config, diags)
    return pickle.dumps((post, diags.items), protocol=5)


def _parse_posts(
    project: Project, config: Config, files: list[Path], jobs: int, progress: Callable[[], None]
) -> list[bytes]:
    """Posts parsed (pickled with their diagnostics), in processes when there are many."""
    reported = 0

    def advance(done: int) -> None:
        nonlocal reported
        for _ in range(done - reported):
            progress()
        reported = done

    return map_in_processes(
        lambda file: _parse_post(project, file, config),
        files,
        jobs,
        min_items=PARALLEL_LOAD,
        min_chunk=16,
        progress=advance,
    )


def load(
    project: Project,
    diags: Diagnostics,
    base_url: str | None = None,
    progress: Progress = quiet,
    cache: BuildCache | None = None,
    jobs: int = 1,
) -> Content:
    """Every file of the project, parsed, and the cached feed items of its members;
    problems go to ``diags``. With a ``cache``, files unchanged since the last build are
    not parsed again; with ``jobs`` > 1, many posts are parsed in that many processes."""
    config = load_config(project, diags, base_url)
    limits.check_tree(project.root, project.content, project.relative, diags)
    files = (project.member_files(), project.post_files(), project.edition_files())
    total, done = sum(map(len, files)), 0
    memo = FileMemo(cache, digest_bytes(pickle.dumps(config, protocol=5) + code_stamp().encode()))

    def step() -> None:
        nonlocal done
        done += 1
        progress("load", done, total)

    def serially(load_one: Callable[[Path, Diagnostics], object]) -> Parser:
        def parse(todo: list[Path]) -> list[bytes]:
            out = []
            for path in todo:
                one = Diagnostics()
                out.append(pickle.dumps((load_one(path, one), one.items), protocol=5))
                step()
            return out

        return parse

    def each(paths: list[Path], parse: Parser) -> list[Any]:
        """What each file holds: from the cache, or parsed now; diagnostics either way."""
        blobs: dict[Path, bytes] = {}
        todo = []
        for path in paths:
            blob = memo.get(project.relative(path), path)
            if blob is None:
                todo.append(path)
            else:
                blobs[path] = blob
                step()
        for path, blob in zip(todo, parse(todo), strict=True):
            memo.put(project.relative(path), path, blob)
            blobs[path] = blob
        loaded = []
        for path in paths:
            item, found = pickle.loads(blobs[path])
            diags.items.extend(found)
            if item is not None:
                loaded.append(item)
        return loaded

    members: list[Member] = each(
        files[0], serially(lambda f, d: load_member(project, f, config, d))
    )
    posts: list[Post] = each(files[1], lambda todo: _parse_posts(project, config, todo, jobs, step))
    editions: list[Edition] = each(
        files[2], serially(lambda f, d: load_edition(project, f, config, d))
    )
    memo.save()
    by_handle = {m.handle: m for m in members}
    posts = feed_items(project, by_handle, posts, config, diags)
    return Content(config, by_handle, posts, editions)

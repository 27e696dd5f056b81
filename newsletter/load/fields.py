"""Fields: typed access to a file's mapping of fields, each mistake reported at its line.

``Fields`` turns the values YAML gave into texts, lists, flags, counts, dates and URLs,
and reports a wrong type, a missing required field or an unknown one where the file
has it (the marks of ``load.yaml``), with an example of what to write. It also holds
the shapes names must have (slugs, handles, web URLs). It reads no file and knows no
file kind: which fields a file has is each kind's module's job.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import CONTROL_RE
from newsletter.load.yaml import ReadMarks

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
WEB_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
HANDLE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


class Fields:
    """Typed access to a mapping of fields, reporting wrong types at their line."""

    def __init__(
        self, data: dict[str, Any], marks: ReadMarks, location: Location, diags: Diagnostics
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

    def wrong(self, name: str, expected: str, example: str) -> None:
        """Report that the value of ``name`` is not ``expected``."""
        value = self.data[name]
        self.diags.error(
            self.at(name),
            "field.type",
            f"'{name}' must be {expected}, not {describe(value)}",
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
            self.wrong(name, "text", example)
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
            self.wrong(name, "a list of texts", example)
            return ()
        return tuple(_clean(v) for v in value)

    def handles(self, name: str, *, example: str = "[grace, linus]") -> tuple[str, ...]:
        """A list of member handles, written with or without '@', each once: a handle
        named twice is warned about and counted once (the marks then follow the handles
        kept, so that ``name[i]`` is where the i-th of them is written)."""
        written = self.texts(name, example=example)
        if isinstance(self.data.get(name), str) and "," in written[0]:
            # 'for: grace, linus' meant a list: read it as one, each at the line of the field
            written = tuple(h.strip() for h in written[0].split(",") if h.strip())
            for i in range(len(written)):
                self.marks[f"{name}[{i}]"] = self.at(name)
        seen: dict[str, int] = {}
        for i, text in enumerate(written):
            handle = text.lstrip("@").lower()
            if handle in seen:
                self.diags.warning(
                    self.at(f"{name}[{i}]"),
                    "field.repeated",
                    f"'{handle}' is named twice in '{name}'; counted once",
                    f"remove the second '{handle}'",
                )
                continue
            seen[handle] = i
        for kept, i in enumerate(seen.values()):
            if f"{name}[{i}]" in self.marks:
                self.marks[f"{name}[{kept}]"] = self.marks[f"{name}[{i}]"]
        return tuple(seen)

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name)
        if value is None:
            return default
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            self.diags.error(
                self.at(name),
                "field.type",
                f"'{name}' must be true or false, not the text {value!r}",
                "write it without quotes: "
                f"{name}: {'true' if value.strip().lower() in ('true', 'yes') else 'false'}",
            )
            return default
        if not isinstance(value, bool):
            self.wrong(name, "true or false", "true")
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
                f"'{name}' is not a valid date: {value!r}{why_not_a_date(str(value))}",
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
            written = _unpadded_datetime(str(value))
            if written is not None:
                return written
            self.diags.error(
                self.at(name),
                "date.invalid",
                f"'{name}' is not a valid date and time: {value!r}{why_not_a_date(str(value))}",
                f"write it as YYYY-MM-DD HH:MM, for example: {name}: 2026-12-03 18:00",
            )
            return None

    def mapping(self, name: str) -> dict[str, str]:
        value = self.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
            self.wrong(name, "a mapping of names to texts", "{site: https://example.org}")
            return {}
        return {_clean(k): _clean(v) for k, v in value.items() if v is not None}

    def url(self, name: str, value: str, *, example: str) -> str:
        """``value`` if it is an http(s) URL; otherwise an error at ``name`` and ''."""
        if not value or WEB_URL_RE.match(value):
            return value
        field = name.split("[")[0]
        bare_host = "://" not in value and re.match(r"^[\w-]+(\.[\w-]+)+(/\S*)?$", value)
        self.diags.error(
            self.at(name),
            "field.link",
            f"'{field}': {value!r} is not an http(s) URL",
            f"add https:// in front: {field}: https://{value}"
            if bare_host
            else f"for example: {field}: {example}",
        )
        return ""

    def slugs(self, name: str, values: tuple[str, ...]) -> None:
        """Report each of ``values`` (the list at ``name``) that is not a valid tag."""
        for i, value in enumerate(values):
            if not SLUG_RE.match(value.lower()):
                listed = [v.strip() for v in value.split(",")]
                self.diags.error(
                    self.marks.get(f"{name}[{i}]", self.at(name)),
                    "field.tag",
                    f"'{value}' is not a valid tag",
                    f"a list is written in brackets: {name}: [{', '.join(listed)}]"
                    if len(listed) > 1 and isinstance(self.data.get(name), str)
                    else "tags are lowercase words joined by '-', like open-data",
                )

    def unknown(self, known: set[str]) -> None:
        for name in self.data:
            if str(name) not in known:
                self.diags.warning(
                    self.marks.get("@" + str(name), self.location),
                    "field.unknown",
                    f"unknown field '{name}'{did_you_mean(str(name), known)}",
                    "known fields: " + ", ".join(sorted(known)),
                )


_DATE_PARTS_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)


def _unpadded_datetime(text: str) -> dt.datetime | None:
    """'2026-12-5 9:30' as people write it (ISO wants '2026-12-05 09:30'); None if the
    text is no date and time of that shape, or no real one."""
    found = _DATE_PARTS_RE.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(p) for p in found.groups(default="0"))
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def why_not_a_date(text: str) -> str:
    """Why a text shaped like a date is none, in words: ' (February has 28 days in 2026)',
    ' (a year has 12 months)'; '' when it is not shaped like one (the hint shows the shape)."""
    found = _DATE_PARTS_RE.match(text)
    if found is None:
        return ""
    year, month, day = int(found[1]), int(found[2]), int(found[3])
    if not 1 <= month <= 12:
        return " (a year has 12 months)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f" ({calendar.month_name[month]} has {days} days in {year})"
    if found[4] is not None and int(found[4]) > 23:
        return " (hours go from 00 to 23)"
    if found[5] is not None and int(found[5]) > 59:
        return " (minutes go from 00 to 59)"
    return ""


def _clean(value: object) -> str:
    # YAML escapes ("\x1b") can still produce control characters: drop them too
    return CONTROL_RE.sub("", str(value)).strip()


def describe(value: Any) -> str:
    """What a value is, in the words of a diagnostic: 'a list', 'a number'…"""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return f"the text {value!r}"
    return "something else"


def mapping_or_error(
    data: Any, location: Location, diags: Diagnostics, what: str
) -> dict[str, Any] | None:
    """``data`` if it is a mapping of fields; otherwise an error at ``location`` and None."""
    if isinstance(data, dict):
        return data
    diags.error(
        location,
        "syntax.structure",
        f"{what} must be a mapping of fields",
        "write one 'name: value' per line",
    )
    return None

"""YAML's syntax errors in a person's words, each with the line that mends it.

PyYAML says "found character that cannot start any token"; a member needs to hear
"tabs can't indent YAML; use spaces". ``explain_yaml_error`` recognises the mistakes
people make in front matter and member files (a tab, a quote left open, ``@ada``, a
value holding ': ', a list left open, a line indented too far) and says what to write
instead. Where the mistake can be mended without guessing, it also gives the text with
it mended, so that ``load.yaml`` can go on and report the file's other problems in the
same run. It parses nothing itself and knows nothing of what the fields mean.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

GENERIC_HINT = (
    "check indentation, and quote values that contain ': ' or start with '[', '{', '@' or '*'"
)
_KEY_RE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"\[\]{},][^:#]*?):(?:\s|$)")
"""A line's field name: 'title: …', '  - name: …' → its indentation and the name."""
_QUOTED_VALUE_RE = re.compile(r"^\s*(?:-\s+)?(?:[^\s:#'\"\[\]{},][^:#]*?:\s+)?(['\"])")
"""A value that starts with a quote: 'org: 'Navy', '- "x"'."""
_RESERVED = "@`%!|>-"
"""Characters YAML reads specially at the start of a value."""


@dataclass(frozen=True)
class YamlMistake:
    """One syntax mistake: where (0-based, in the YAML text), what to say, and the text
    with it mended (None when mending it would be a guess: stop at this one)."""

    line: int
    col: int
    message: str
    hint: str
    mended: str | None = None


def explain_yaml_error(err: yaml.MarkedYAMLError, text: str, first_line: int) -> YamlMistake:
    """What ``err`` means for a person, in the file's line numbers (the text starts on
    line ``first_line`` of its file)."""
    lines = text.split("\n")
    mark = err.problem_mark or err.context_mark
    last = mark.line if mark else len(lines) - 1
    for explained in (
        _unclosed_quote(lines, last, first_line),
        _tab(err, lines, first_line),
        _reserved_start(err, lines),
        _colon(err, lines),
        _unclosed_bracket(err, lines),
        _misaligned(err, lines),
    ):
        if explained is not None:
            return explained
    return _generic(err, text)


def _generic(err: yaml.MarkedYAMLError, text: str) -> YamlMistake:
    """PyYAML's own words, for a mistake not recognised."""
    mark, problem = err.problem_mark or err.context_mark, err.problem or err.context
    if (
        err.problem_mark
        and err.context_mark
        and err.context
        and not text[err.problem_mark.index :].strip()
    ):
        # stopped at the end ("did not find expected ']'"): point at what was left open
        mark, problem = err.context_mark, f"{problem} {err.context}"
    line, col = (mark.line, mark.column) if mark else (0, 0)
    return YamlMistake(line, col, f"invalid YAML: {problem or 'invalid YAML'}", GENERIC_HINT)


def _replace(lines: list[str], i: int, line: str) -> str:
    return "\n".join([*lines[:i], line, *lines[i + 1 :]])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _quoted(value: str) -> str:
    """``value`` as a double-quoted YAML scalar (JSON's strings are YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def _unclosed_quote(lines: list[str], last: int, first_line: int) -> YamlMistake | None:
    """A value opened with a quote that its line does not close, followed by a line that
    is no continuation of it: YAML swallows the next fields into the value."""
    for i, line in enumerate(lines[: last + 1]):
        found = _QUOTED_VALUE_RE.match(line)
        if found is None:
            continue
        quote, rest = found[1], line[found.end() :]
        closed = '"' in re.sub(r"\\.", "", rest) if quote == '"' else "'" in rest.replace("''", "")
        following = next((n for n in lines[i + 1 :] if n.strip()), None)
        if closed or (following is not None and _indent(following) > _indent(line)):
            continue
        fixed = line.rstrip() + quote
        inside = '\\"' if quote == '"' else "''"
        return YamlMistake(
            i,
            found.start(1),
            f"the quote {quote} opened here, on line {i + first_line}, is never closed",
            f"close it on the same line: {fixed.strip()} "
            f"(a {quote} inside the value is written {inside})",
            _replace(lines, i, fixed),
        )
    return None


def _tab(err: yaml.MarkedYAMLError, lines: list[str], first_line: int) -> YamlMistake | None:
    """A tab in a line's indentation: YAML indents with spaces only."""
    mark = err.problem_mark
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    if "\t" not in line[: _indent(line)] and line[mark.column : mark.column + 1] != "\t":
        return None
    tabbed = [i for i, n in enumerate(lines) if "\t" in n[: _indent(n)]] or [mark.line]
    numbers = [str(i + first_line) for i in tabbed]
    where = " and ".join([", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1 else numbers)
    tabs = sum(lines[i][: _indent(lines[i])].count("\t") for i in tabbed)
    return YamlMistake(
        mark.line,
        line.find("\t") if "\t" in line else mark.column,
        "tabs can't indent YAML; use spaces",
        f"replace the tab{'s' * (tabs != 1)} at the start of line{'s' * (len(tabbed) > 1)} "
        f"{where} with spaces",
        "\n".join(n[: _indent(n)].replace("\t", " ") + n[_indent(n) :] for n in lines),
    )


def _reserved_start(err: yaml.MarkedYAMLError, lines: list[str]) -> YamlMistake | None:
    """A value starting with a character YAML reserves: '@ada', '`code`', '| x', '- x'."""
    for mark in (err.problem_mark, err.context_mark):
        if mark is None or mark.line >= len(lines):
            continue
        line, col = lines[mark.line], mark.column
        char = line[col : col + 1]
        before = line[:col].rstrip()
        if not char or char not in _RESERVED or not before or before[-1] not in ":[,":
            continue
        token = re.match(r"[^\s,\]}]+", line[col:])
        word = token[0] if token else char
        if char == "@":
            fixed = line[:col] + line[col + 1 :]
            return YamlMistake(
                mark.line,
                col,
                f"drop the '@' from '{word}': a YAML value can't start with '@'",
                f"write {fixed.strip()} (handles have no '@'); a text that must start with "
                "'@' goes in quotes",
                _replace(lines, mark.line, fixed),
            )
        if before[-1] == ":":
            fixed = line[:col] + _quoted(line[col:].rstrip())
        else:  # inside a [list]: quote the one item
            fixed = line[:col] + _quoted(word) + line[col + len(word) :]
        return YamlMistake(
            mark.line,
            col,
            f"a YAML value can't start with '{char}' unless it is in quotes",
            f"write {fixed.strip()}",
            _replace(lines, mark.line, fixed),
        )
    return None


def _colon(err: yaml.MarkedYAMLError, lines: list[str]) -> YamlMistake | None:
    """'mapping values are not allowed': a ': ' inside a value, a line that is no
    'name: value', or a line indented under one that opens nothing. ("could not find
    expected ':'": a line that is no 'name: value', followed by one that is.)"""
    mark = err.problem_mark
    if mark is None:
        return None
    if err.problem == "could not find expected ':'" and err.context_mark is not None:
        return _not_a_field(lines, err.context_mark.line)
    if "mapping values are not allowed" not in (err.problem or ""):
        return None
    i, line = mark.line, lines[mark.line] if mark.line < len(lines) else ""
    key = _KEY_RE.match(line)
    if key is not None and key.end() <= mark.column:
        value = line[key.end() :].strip()
        fixed = f"{key[1]}{key[2]}: {_quoted(value)}"
        return YamlMistake(
            i,
            mark.column,
            f"the value of '{key[2]}' holds ': ', which YAML reads as the start of a field",
            f"put the value in quotes: {fixed.strip()}",
            _replace(lines, i, fixed),
        )
    above = next((j for j in range(i - 1, -1, -1) if lines[j].strip()), None)
    if above is None:
        return None
    prev = lines[above]
    if _indent(line) > _indent(prev):
        return YamlMistake(
            i,
            0,
            "this line is indented, but the line above it opens no list or group of fields",
            "start it at the beginning of the line, like the other fields",
            _replace(lines, i, line.lstrip(" \t")),
        )
    return _not_a_field(lines, above)


def _not_a_field(lines: list[str], above: int) -> YamlMistake | None:
    """Line ``above`` is no 'name: value': 'by:grace' (no space), or no ':' at all."""
    prev = lines[above] if above < len(lines) else ""
    if re.match(r"^\s*[^\s:#]+:\S", prev) and _KEY_RE.match(prev) is None:
        fixed = prev.replace(":", ": ", 1)
        return YamlMistake(
            above,
            prev.index(":"),
            "a ':' between a field's name and its value needs a space after it",
            f"write {fixed.strip()}",
            _replace(lines, above, fixed),
        )
    if ":" not in prev:
        return YamlMistake(
            above,
            _indent(prev),
            f"'{prev.strip()}' is not a field: a field is written 'name: value'",
            "add ': ' after the field's name, or remove the line",
        )
    return None


def _unclosed_bracket(err: yaml.MarkedYAMLError, lines: list[str]) -> YamlMistake | None:
    """A [list] or {mapping} opened on a line and not closed on it."""
    opened, stopped = err.context_mark, err.problem_mark
    context = err.context or ""
    if opened is None or stopped is None or stopped.line <= opened.line:
        return None
    if "flow sequence" in context:
        what, close = "list", "]"
    elif "flow mapping" in context:
        what, close = "mapping", "}"
    else:
        return None
    line = lines[opened.line]
    fixed = line.rstrip() + close
    return YamlMistake(
        opened.line,
        opened.column,
        f"the {what} opened here with '{line[opened.column]}' is never closed",
        f"close it on the same line: {fixed.strip()}",
        _replace(lines, opened.line, fixed),
    )


def _misaligned(err: yaml.MarkedYAMLError, lines: list[str]) -> YamlMistake | None:
    """'did not find expected key' in a block: a line not lined up with the ones above."""
    mark = err.problem_mark
    if mark is None or err.problem not in (
        "did not find expected key",
        "did not find expected '-'",
    ):
        return None
    return YamlMistake(
        mark.line,
        mark.column,
        "this line is not lined up with the lines above it",
        "indent it like the other lines of the same field or list (the same number of spaces)",
    )

"""YAML with positions: text → (data, where each value starts), or a diagnostic.

The one place the package chooses its YAML loader (libyaml's when PyYAML was built with
it). YAML is always safe-loaded; anchors and aliases are refused before parsing (the
"billion laughs"), a date that cannot be one stays text for ``Fields`` to report, and a
syntax error is said in a person's words (``load.yaml_mistakes``). Knows nothing of
what the fields mean: that is the job of each file kind's module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.load.yaml_mistakes import explain_yaml_error

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

ReadMarks = dict[str, Location]
"""A file's marks while it is read (``Fields`` adds to them); its item keeps them packed
(``load.marks``)."""

MAX_MISTAKES = 10
"""Syntax mistakes reported in one file before the rest is left for the next run."""


def check_yaml(text: str, path: str, first_line: int, diags: Diagnostics) -> bool:
    """False, after an error at it, if the YAML uses an anchor or alias (``&a``, ``*a``):
    nothing in a member's file needs them, and aliases of aliases can make a few lines
    stand for billions of values. Syntax errors are left for the parser to report."""
    if "&" not in text and "*" not in text:
        return True
    loader = SafeLoader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            mark = getattr(event, "start_mark", None)
            if anchor is None or mark is None:
                continue
            alias = isinstance(event, yaml.AliasEvent)
            diags.error(
                Location(path, mark.line + first_line, mark.column + 1),
                "yaml.alias",
                f"YAML {'alias' if alias else 'anchor'} '{'*' if alias else '&'}{anchor}': "
                "anchors and aliases are not allowed here",
                "write each value out in full; quote a text that starts with '&' or '*'",
            )
            return False
    except yaml.YAMLError:
        return True
    finally:
        loader.dispose()
    return True


def parse_yaml(
    text: str, path: str, diags: Diagnostics, first_line: int = 1
) -> tuple[Any, ReadMarks]:
    """YAML text → (data, marks); marks give each top-level value's position.

    ``first_line`` is the file line the text starts on (2 for front matter).
    An empty document is an empty mapping ({}), so that its missing fields are
    reported. On a syntax error: a diagnostic in a person's words
    (``load.yaml_mistakes``); when the mistake can be mended without guessing, the
    mended text is read on, so that the file's other problems are reported in the same
    run (the data then comes back, the error having been reported); otherwise (None, {}).
    """

    def where(line: int, col: int) -> Location:
        return Location(path, line + first_line, col + 1)

    if not check_yaml(text, path, first_line, diags):
        return None, {}
    reported: set[int] = set()
    while True:
        try:
            node, data = _load(text)
        except yaml.MarkedYAMLError as err:
            mistake = explain_yaml_error(err, text, first_line)
            if mistake.line in reported:
                return None, {}  # mending the line did not help: what follows is a guess
            reported.add(mistake.line)
            diags.error(
                where(mistake.line, mistake.col), "syntax.yaml", mistake.message, mistake.hint
            )
            if mistake.mended is None or len(reported) >= MAX_MISTAKES:
                return None, {}
            text = mistake.mended
            continue
        except yaml.YAMLError as err:
            diags.error(Location(path, first_line), "syntax.yaml", f"invalid YAML: {err}")
            return None, {}
        marks: ReadMarks = {}
        _mark(node, "", marks, lambda m: where(m.line, m.column), diags)
        return ({} if data is None else data), marks


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    """(the document's node, its data); YAMLError if it is not YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _mark(
    node: yaml.Node | None,
    prefix: str,
    marks: ReadMarks,
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

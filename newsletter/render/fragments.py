"""Shared fragments: ``{% shared %}…{% endshared %}`` in a template, a part rendered once
for each set of values it reads and reused on every page where they are the same (the
footer, the navigation, a list of posts that many pages show).

What a part reads is found in its own text when the template is compiled: every name it
reads from outside (``config``, ``url``, ``posts``…; not a name it sets before reading
it, such as a loop's variable), and the page's language (``locale``, which the
theme's messages and dates read). Where it is rendered, those names' values are its key:
strings (markup too), numbers, dates, None and booleans by value, lists and tuples element by
element, anything else (the model's objects, the site-wide functions, a partial's
macros) by identity. So a part that reads something of a page is rendered for that
page: sharing never shows one page's values on another. A part may not include or
import a template, nor hold a block (what those read is not in its text): the template
is refused with a message saying so. Names it sets are its own, not seen after it.

Fragments are kept by the Jinja environment (one build's :class:`~newsletter.render.
environment.Theme`), in each process that renders; never written anywhere. They assume
what a page shows does not change during a build: the model's objects are frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import jinja2
import jinja2.ext
import jinja2.meta
from jinja2 import nodes
from jinja2.parser import Parser
from markupsafe import Markup

from newsletter.render.locale import CONTEXT_VARIABLE

KEPT_CHARACTERS = 4_000_000
"""Characters of fragments kept at most, the least recently used going first: a few per
language for the footer and the navigation, one for each list of posts many pages show,
and room for those seen once (a topic's page of posts) to pass through."""

_BY_VALUE = (str, Markup, int, float, bool, type(None), dt.date, dt.datetime)
"""Types whose values are compared, not their identity: immutable, cheap to hash."""


def _token(value: Any) -> Any:
    """What stands for ``value`` in a fragment's key."""
    kind = type(value)
    if kind is str:
        return value
    if kind in _BY_VALUE:
        return (kind, value)  # 1, 1.0 and True are equal in Python, not on a page
    if kind is list or kind is tuple:
        return (kind, tuple(_token(v) for v in value))
    if isinstance(value, jinja2.Undefined):
        return jinja2.Undefined  # a name set inside the part, not before it
    return id(value)  # kept alive with the fragment: the id stays that object's


class SharedFragments(jinja2.ext.Extension):
    """The ``{% shared %}`` tag, and the fragments it has rendered."""

    tags = {"shared"}  # noqa: RUF012 (how Jinja's Extension declares its tags)

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.kept: dict[tuple[str, tuple[Any, ...]], tuple[tuple[Any, ...], str]] = {}
        self.size = 0
        """Characters in ``kept``."""

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endshared",), drop_needle=True)
        part = nodes.Template(body, lineno=lineno)
        for node in part.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Block)):
            parser.fail(
                "{% shared %} cannot include or import a template, nor hold a block: "
                "what it reads must be in its own text (put the include outside it, "
                "or the {% shared %} inside the included template)",
                node.lineno,
            )
        # what it reads from outside: not the names it sets before reading them (the
        # loop's ``post`` in ``{% for post in posts %}``, whatever a page calls ``post``)
        part.set_environment(self.environment)
        read = jinja2.meta.find_undeclared_variables(part)
        names = sorted(read | {CONTEXT_VARIABLE})
        # a fragment's place: its template and a name the parser gives it, unique there
        where = f"{parser.name}:{lineno}:{parser.free_identifier(lineno).name}"
        values = nodes.Tuple([nodes.Name(n, "load", lineno=lineno) for n in names], "load")
        call = self.call_method("_fragment", [nodes.Const(where), values], lineno=lineno)
        return nodes.CallBlock(call, [], [], body, lineno=lineno)

    def _fragment(self, where: str, values: tuple[Any, ...], caller: Callable[[], str]) -> str:
        key = (where, tuple(_token(v) for v in values))
        found = self.kept.pop(key, None)
        if found is not None:
            self.kept[key] = found  # the most recently used: last to go
            return found[1]
        out = caller()
        self.size += len(out)
        while self.size > KEPT_CHARACTERS and self.kept:
            self.size -= len(self.kept.pop(next(iter(self.kept)))[1])
        self.kept[key] = (values, out)  # the values too: their ids are in the key
        return out

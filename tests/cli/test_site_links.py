"""`newsletter check` finds every link to the site's own pages, however it is written
(inline, a reference definition, root-relative or with the site's host), says where each
broken one is to the column, passes links elsewhere by, and never stops at a URL that
cannot be split ('http://[x'): all as a member runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project


def check(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("check", "--today", TODAY, "--format", "json", cwd=root)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def broken(diagnostics: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(line, column, page) of each broken internal link, in the order check gives them."""
    return [
        (d["line"], d["col"], d["message"].removeprefix("broken link: no page at "))
        for d in diagnostics
        if d["code"] == "link.internal"
    ]


# the body starts on line 6 of the post: front matter of title, by, date
INLINE = """Read [the notes](/posts/2026/nope/) and [elsewhere](https://other.example/posts/x/).
A [full one](https://news.example.org/posts/2026/gone/), [its title](</posts/2026/angle/>)
and [one that lives](/posts/2026/hello/) and [a relative one](notes.html).
Odd ones: [bad host](http://[oops/) and [bad too](//[worse/x), then [after](/members/nobody/).
"""

REFERENCES = """The [notes][n] and [more][m], said in a sentence with a colon]: here.

[n]: /posts/2026/ref-gone/
  [m]: <https://news.example.org/tags/no-such-tag/> "a title"
[o]: https://other.example/posts/2026/ref-gone/
"""


def test_inline_links_to_this_site_are_checked_where_they_are(tmp_path: Path) -> None:
    root = project(tmp_path, posts={"hello": post("Hello", "ada", body=INLINE)})
    code, diagnostics = check(root)
    assert broken(diagnostics) == [
        (6, 18, "/posts/2026/nope/"),
        (7, 14, "/posts/2026/gone/"),
        (7, 71, "/posts/2026/angle/"),
        (9, 77, "/members/nobody/"),
    ]
    assert code == 1


def test_reference_definitions_are_checked_too(tmp_path: Path) -> None:
    root = project(tmp_path, posts={"hello": post("Hello", "ada", body=REFERENCES)})
    code, diagnostics = check(root)
    assert broken(diagnostics) == [
        (8, 6, "/posts/2026/ref-gone/"),
        (9, 9, "/tags/no-such-tag/"),
    ]
    assert code == 1


def test_a_post_with_links_only_elsewhere_is_clean(tmp_path: Path) -> None:
    body = "See [this](https://other.example/a/) and [that](https://another.example/b/).\n"
    root = project(tmp_path, posts={"hello": post("Hello", "ada", body=body)})
    code, diagnostics = check(root)
    assert broken(diagnostics) == []
    assert code == 0

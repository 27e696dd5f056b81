"""The security oracle's list of URL-carrying HTML attributes, and what a browser reads there.

One list for every test that asks "where can a page link to, load or run something from":
the XSS audit (tests/browser/test_xss.py), the fuzzed pipeline (tests/unit/test_fuzz_pipeline.py)
and the link checker (tests/site/test_links.py). It is the HTML standard's index of
attributes whose value is a URL, the obsolete ones browsers still honour, and SVG's
``xlink:href``; a sanitizer that lets one of them through with a ``javascript:`` value is
caught wherever it is used.
"""

from __future__ import annotations

import re

URL_ATTRIBUTES = frozenset(
    {
        # the HTML standard: a URL, or a list of them
        "href",  # a, area, link, base (and SVG 2, MathML)
        "src",  # img, iframe, embed, script, audio, video, source, track, input
        "srcset",  # img, source: candidates "URL [descriptor]", comma-separated
        "imagesrcset",  # link rel=preload, the same form as srcset
        "action",  # form
        "formaction",  # button, input
        "poster",  # video
        "cite",  # blockquote, q, del, ins
        "data",  # object
        "ping",  # a, area: URLs separated by spaces
        "manifest",  # html (obsolete, still read by some browsers)
        # obsolete or legacy attributes that browsers have loaded or navigated to
        "background",  # body, table, td…
        "longdesc",  # img, iframe, frame
        "lowsrc",  # img
        "dynsrc",  # img
        "codebase",  # object, applet
        "classid",  # object
        "archive",  # object, applet: URLs separated by spaces or commas
        "profile",  # head: URLs separated by spaces
        "usemap",  # img, object: a reference to a map, a URL in HTML 4
        "icon",  # command, menuitem
        # SVG 1.1
        "xlink:href",
    }
)
"""Attribute names (lower case) whose value is, or holds, a URL."""

CANDIDATE_LISTS = frozenset({"srcset", "imagesrcset"})
"""Attributes holding comma-separated candidates, each a URL and an optional descriptor."""
URL_LISTS = frozenset({"ping", "archive", "profile"})
"""Attributes holding several URLs, separated by spaces (or commas, for applet's archive)."""


def urls_in(name: str, value: str) -> list[str]:
    """The URLs in the value of attribute ``name``, as a browser splits them (none if the
    attribute carries no URL)."""
    if name not in URL_ATTRIBUTES:
        return []
    if name in CANDIDATE_LISTS:  # a candidate's URL runs up to its first space
        return [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
    if name in URL_LISTS:
        return [url for url in re.split(r"[\s,]+", value) if url]
    return [value]


def url_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute value ('' for a relative URL): leading
    and trailing controls and spaces are ignored, tabs and newlines anywhere removed."""
    value = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return match.group(1).lower() if match else ""

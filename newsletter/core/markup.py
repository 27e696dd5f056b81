"""Markup: member Markdown → safe HTML, and the plain-text side of it.

Everything a member writes is untrusted. Markdown is rendered by
Python-Markdown and the result is always passed through nh3 (ammonia): no
script, no event handler, no javascript: URL survives. Root-relative links
("/posts/2026/x/") are prefixed with the site's base path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from html import unescape
from typing import Any
from urllib.parse import urljoin

import markdown
import nh3
from markdown import treeprocessors, util
from markdown.inlinepatterns import InlineProcessor, LinkInlineProcessor, Pattern

CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
"""Characters that XML (feeds, sitemaps) cannot carry and no one types on purpose."""


ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https"}

EMAIL_RE = re.compile(
    r"(?<![@\w.!#$%&'*+=?^`{|}~-])[\w.!#$%&'*+=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
"""An email address as people write them; used to keep addresses off the site."""

_LOCAL_CHAR = re.compile(r"[\w.!#$%&'*+=?^`{|}~-]")


def find_addresses(text: str) -> Iterator[re.Match[str]]:
    """``EMAIL_RE.finditer(text)``, the same matches, found from each ``@`` instead of
    tried at every character: the check that no address reaches site/ reads every page
    with an ``@`` in it, and the regular expression alone took a tenth of the CPU of
    This Week in Rust's pages.

    Every match holds exactly one ``@`` (neither part may hold one), and starts where
    the run of characters allowed before it, which ends at that ``@``, starts (the
    look-behind refuses any later start, and a shorter run would not reach the ``@``):
    so the match of an ``@``, if any, is ``EMAIL_RE.match`` from there. Runs do not
    cross an ``@``, so the walks back add up to one pass over the text."""
    at = text.find("@")
    while at >= 0:
        start = at
        while start > 0 and _LOCAL_CHAR.match(text, start - 1):
            start -= 1
        if start < at:
            found = EMAIL_RE.match(text, start)
            if found is not None:
                yield found
                at = text.find("@", found.end())
                continue
        at = text.find("@", at + 1)


class _BracketEnds:
    """Where each ``[`` of a text closes, for Python-Markdown's link patterns, in linear
    time over a whole paragraph.

    Python-Markdown finds a link's text by scanning for its closing ``]``. 3.10 scans
    forward from every ``[`` (quadratic on ``[[[[…``); 3.11 maps every bracket of the
    text at once, but again after each link, because each link found is replaced by a
    placeholder, so a paragraph of n links costs n whole maps (4,000 links: 25 s). The
    text after a replaced link is unchanged, and a bracket's end depends only on what
    follows it, so the map of the last text still holds for that tail, shifted: it is
    reused whenever the tail is the same, and made again only for a new text.
    """

    def __init__(self) -> None:
        self.text = ""
        self.ends: list[int | None] = [None]

    def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
        """Python-Markdown's ``LinkInlineProcessor.getText``: the text between the ``[``
        before ``index`` and its ``]``, the index past that ``]``, and whether it closed."""
        shift = len(data) - len(self.text)
        old = index - shift
        if not (0 <= old <= len(self.text) and self.text.endswith(data[index:])):
            self.text, self.ends, shift, old = data, self._map(data), 0, index
        end = self.ends[old]
        if end is None:
            return data[index:], len(data), False
        return data[index : end + shift - 1], end + shift, True

    @staticmethod
    def _map(data: str) -> list[int | None]:
        """For each index, the index just past the ``]`` that closes a bracket opened
        before it, or None: one pass over the brackets, with a stack of the runs of
        indexes still open. Between two brackets the depth is the same, so a whole run
        of indexes closes at once."""
        ends: list[int | None] = [None] * (len(data) + 1)
        waiting: list[tuple[int, int, int]] = []  # (first index, past the last, depth) rising
        depth, start = 0, 0
        for found in [*_BRACKET.finditer(data), None]:
            stop = found.end() if found else len(data) + 1
            while waiting and depth < waiting[-1][2]:
                first, past, _ = waiting.pop()
                ends[first:past] = [start] * (past - first)
            waiting.append((start, stop, depth))
            if found:
                depth += 1 if found.group() == "[" else -1
            start = stop
        return ends


_BRACKET = re.compile(r"[\[\]]")


NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code
    r"\\(.)": ("\\",),  # an escaped character
    r"(?<!\!)\[": ("[",),  # links and references
    r"\!\[": ("![",),  # images
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # <https://…>
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # <name@example.org>
    r"  \n": ("  \n",),  # a line break
    (  # inline HTML
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'"""
        r"""|[^\s"'=<>]++))?+)*+\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]"""
        r"""|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""
    ): ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # an entity
    r"\*|_": ("*", "_"),  # emphasis
    r"\[\^([^\]]*)\]": ("[^",),  # a footnote
}
"""What Python-Markdown's inline patterns (by their exact regular expression) cannot
match without: text holding none of these strings is not searched with that pattern.
A pattern not listed (another version's, another extension's) is always searched."""


class _InlinePatterns:
    """Python-Markdown's loop over its inline patterns (``InlineProcessor.__handleInline``)
    for one text, with the patterns that cannot match it skipped.

    For each text of a post, Python-Markdown tries every inline pattern in turn from the
    first, searching the text with the pattern's expression; most find nothing, and some
    expressions (those that start with a look-behind, as code's does) are slow to find
    nothing. A pattern that finds nothing changes nothing, so skipping it when its text
    lacks a string the pattern must match (``NEEDS``) gives the same HTML, in about 40 %
    less time. The rest of the loop is Python-Markdown's, unchanged."""

    def __init__(self, inline: treeprocessors.InlineProcessor) -> None:
        self.apply = inline._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        self.patterns: list[tuple[Pattern, tuple[str, ...] | None]] = []
        registered: Iterable[Any] = inline.inlinePatterns  # legacy Patterns too, if any
        for pattern in registered:
            regex = pattern.getCompiledRegExp().pattern
            new_style = isinstance(pattern, InlineProcessor)  # a legacy one: always tried
            self.patterns.append((pattern, NEEDS.get(regex) if new_style else None))

    def handle(self, data: str, index: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        start = 0
        while index < len(self.patterns):
            pattern, needs = self.patterns[index]
            if needs is not None:
                for need in needs:
                    if data.find(need, start) >= 0:
                        break
                else:  # as when the pattern is tried and fails
                    index, start = index + 1, 0
                    continue
            data, matched, start = self.apply(pattern, data, index, start)
            if not matched:
                index += 1
        return data


def _markdown() -> markdown.Markdown:
    # "smarty" (typographic quotes) would double the cost of every post: left out.
    md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    brackets = _BracketEnds()
    for pattern in md.inlinePatterns:  # links, images and references, inline or not
        if isinstance(pattern, LinkInlineProcessor):
            pattern.getText = brackets.get_text  # type: ignore[method-assign]
    inline = md.treeprocessors["inline"]
    if isinstance(inline, treeprocessors.InlineProcessor) and hasattr(
        inline, "_InlineProcessor__applyPattern"
    ):  # else not the loop we know
        inline._InlineProcessor__handleInline = _InlinePatterns(inline).handle  # type: ignore[attr-defined]
    return md


_md = _markdown()


def _rebase(base_path: str, tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src") and value.startswith("/") and not value.startswith("//"):
        return base_path + value.lstrip("/")
    return value


@cache
def _cleaner(base: str) -> nh3.Cleaner:
    """A sanitizer that also prefixes root-relative URLs with ``base`` (a path or a URL)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow ugc",
        attribute_filter=partial(_rebase, base) if base != "/" else None,
        strip_comments=True,
    )


def sanitize(html: str, base_path: str = "/") -> str:
    """Untrusted HTML → HTML safe to put in a page or an email."""
    return _xml_safe(str(_cleaner(base_path).clean(html)))


def _xml_safe(html: str) -> str:
    # nh3 writes what an entity stands for: '&#14;' in a post would reach the Atom feed as
    # a raw control character, which XML cannot carry, and no reader could read the feed
    return CONTROL_RE.sub("", html)


def _resolve(base_url: str, tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src"):
        return urljoin(base_url, value.strip())
    return value


def _clean_rewriting(html: str, rewrite: Callable[[str, str, str], str | None]) -> str:
    """The one sanitizer policy, with URLs rewritten by ``rewrite(tag, attribute, value)``
    (for a base that changes with each post or entry, so not a cached Cleaner)."""
    return _xml_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener nofollow ugc",
            attribute_filter=rewrite,
            strip_comments=True,
        )
    )


def sanitize_from(html: str, base_url: str) -> str:
    """Untrusted HTML from another site (a feed entry) → safe HTML whose relative
    links point where they did on that site: resolved against ``base_url``."""
    return _clean_rewriting(html, partial(_resolve, base_url))


def absolute_html(html: str, base_url: str, base_path: str) -> str:
    """Sanitized HTML with its site links made absolute, for email and feeds.

    Site links are root-relative (``/news/posts/…`` under base path ``/news/``);
    re-sanitizing with the site's origin as the base makes them absolute.
    """
    origin = base_url.removesuffix(base_path.lstrip("/")).rstrip("/") + "/"
    return sanitize(html, origin)


def _post_relative(base_path: str, folder: str, tag: str, attr: str, value: str) -> str | None:
    if attr not in ("href", "src"):
        return value
    if value.startswith("/") and not value.startswith("//"):
        return base_path + value.lstrip("/")
    if not re.match(r"[a-z][a-z0-9+.-]*:|#|//", value, re.I):
        return folder + value  # beside the post: 'chart.png' → '/posts/2026/slug/chart.png'
    return value


def render_markdown(text: str, base_path: str = "/", folder: str = "") -> str:
    """Member Markdown → sanitized HTML; with ``folder`` (a folder post's site path),
    relative links and images point at the files beside the post."""
    _md.reset()
    html = _md.convert(text)
    if not folder:
        return sanitize(html, base_path)
    return _clean_rewriting(html, partial(_post_relative, base_path, folder))


_LINK_RE = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
# a reference label ends on its line: '[^\]]+' would search the rest of the text from
# every line that starts with '['
_INLINE_OR_COLON_RE = re.compile(r"\](?:\(\s*<?([^)\s>]+)|:)")
"""The inline links of a text, and any ']:' that is not in one of their URLs: while no
such ']:' is found, no reference can be, and the inline links are all ``_LINK_RE``
would find. An expression that starts with a fixed character, which ``re`` skips to:
``_LINK_RE`` tries its two alternatives at every character (three times as long over
10,000 posts). A ']:' inside a link's URL ends no reference: a reference's label runs
from a '[' that starts the line to the first ']' after it, which is the link's."""


def _link_matches(text: str) -> list[re.Match[str]]:
    """``_LINK_RE``'s matches in ``text``, found the quick way when there is no reference."""
    found = []
    for match in _INLINE_OR_COLON_RE.finditer(text):
        if match.group(1) is None:  # a ']:': maybe a reference, looked for the long way
            return list(_LINK_RE.finditer(text))
        found.append(match)
    return found


def markdown_links(text: str) -> list[tuple[str, int, int]]:
    """Inline and reference link targets in Markdown: (url, line, col), 1-based."""
    out = []
    line, counted = 1, 0  # the line of ``counted``, the last start: lines counted once
    for match in _link_matches(text):
        group = 1 if match.group(1) else 2
        start = match.start(group)
        line += text.count("\n", counted, start)
        counted = start
        col = start - text.rfind("\n", 0, start)
        out.append((match.group(group), line, col))
    return out


def absolute_links(text: str, base_url: str) -> str:
    """Markdown with root-relative link targets made absolute, for plain-text email."""
    base = base_url.rstrip("/") + "/"
    return re.sub(r"\]\(\s*/(?!/)", "](" + base, text)


_TEXT_ONLY = nh3.Cleaner(tags=set())
"""A sanitizer that keeps no tag at all, made once (``nh3.clean`` makes one per call)."""


def plain_text(html: str) -> str:
    """Sanitized HTML's text, entities decoded, paragraphs kept apart."""
    text = _TEXT_ONLY.clean(re.sub(r"</(p|li|h\d|blockquote|pre)>", "\n\n", html))
    paragraphs = (" ".join(p.split()) for p in _xml_safe(unescape(text)).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


DESCRIPTION_LIMIT = 200
"""Characters of a page description (search results and link previews show about this)."""


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` with whitespace collapsed, cut on a word boundary to at most ``limit``
    characters, '…' included, when it is longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # else one huge word: cut inside it rather than lose it all
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"

"""Limits: what the build refuses to read, so that no input can make it slow or unsafe.

Content comes from members and is untrusted. Every file the build reads is bounded
in size; a file that is binary, or a link to a file outside the project, is refused;
names that differ only by case, which collide on macOS and Windows checkouts and on
case-insensitive hosts, are reported. (YAML anchors and aliases, the "billion
laughs", are refused by ``load.yaml``, which owns the YAML parser.)
Markdown is scanned, in one linear pass, for what makes
Python-Markdown slow (it is quadratic in a few places: an unclosed '[' or '<' is
searched for to the end of its paragraph, a paragraph is re-scanned after every
heading or rule inside it, abbreviations and footnotes are tried on every
paragraph) and for nesting deep enough to exhaust the recursion limit; such a text
is refused at the line where it happens, so any one text renders well under a
second. The numbers are in ``benchmarks/hostile_markdown.py``.

This module only reports: it reads no file (``sources`` does) and renders nothing.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location

# markdown is imported where it is used: `sources` imports this module,
# and the command line imports `sources` before it knows which command runs

KB = 1024
MB = 1024 * KB


@dataclass(frozen=True)
class FileLimit:
    bytes: int
    what: str


MARKDOWN_FILE = FileLimit(1 * MB, "a Markdown file")
YAML_FILE = FileLimit(256 * KB, "a YAML file")
MAX_FRONT_MATTER = 256 * KB
"""Characters of front matter: a post's fields are a few lines."""
MAX_MARKDOWN_CHARS = 32_000
"""Characters of Markdown in one text (a post, a bio, an editor's note): about 5,000
words. Python-Markdown spends up to ~10 µs per character on the densest markup
(a table or list of thousands of tiny rows), so this bounds any one text to about
0.3 s; ordinary prose takes a tenth of that."""
MAX_NESTING = 16
"""Blockquotes, lists and indentation nested in each other: Python-Markdown recurses
once per level, and runs out of stack near 300."""
MAX_SCAN = 1_000_000
"""Characters Python-Markdown may have to re-scan in one text (see :func:`_scan_cost`):
about 0.35 s at its slowest (an unclosed '['); an ordinary post costs a few thousand."""
MAX_ABBREVIATIONS = 50
"""Each ``*[ABBR]: …`` is a pattern tried on every paragraph."""
MAX_FOOTNOTES = 200
MAX_MARKDOWN_IN_HTML = 20
"""HTML tags with a ``markdown`` attribute: their content is parsed again, nested."""


def size_limit(path: Path) -> FileLimit:
    return YAML_FILE if path.suffix in (".yaml", ".yml") else MARKDOWN_FILE


def human_size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB".replace(".0 MB", " MB")
    if size >= KB:
        return f"{size // KB} KB"
    return f"{size} bytes"


# -- files -------------------------------------------------------------------------------


def check_file(path: Path, status: os.stat_result, where: Location, diags: Diagnostics) -> bool:
    """False, after an error, if the file is not a regular file (a pipe would be read
    forever) or is over the limit for its kind."""
    if not stat.S_ISREG(status.st_mode):
        diags.error(
            where,
            "file.unreadable",
            "this is not a regular file (a pipe, socket or device): it is not read",
            "replace it with an ordinary file",
        )
        return False
    limit, size = size_limit(path), status.st_size
    if size <= limit.bytes:
        return True
    diags.error(
        where,
        "file.too-large",
        f"the file is {human_size(size)}; {limit.what} may be at most {human_size(limit.bytes)}",
        "split it, or move large media out of content/",
    )
    return False


def check_binary(raw: bytes, where: Location, diags: Diagnostics) -> bool:
    """False, after an error at the first NUL byte, if this is not a text file."""
    nul = raw.find(b"\x00")
    if nul < 0:
        return True
    line = raw.count(b"\n", 0, nul) + 1
    col = nul - (raw.rfind(b"\n", 0, nul) + 1) + 1
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[1:2] == b"\x00"
    diags.error(
        Location(where.path, line, col),
        "file.binary",
        "this is not a text file: it has a NUL byte" + (" (it looks like UTF-16)" if utf16 else ""),
        "save it as UTF-8 text" if utf16 else "keep only Markdown and YAML files here",
    )
    return False


def outside(root: Path, path: Path) -> Path | None:
    """Where ``path`` really is, if a link takes it outside ``root``; else None.

    Only a link can: a path under ``root`` none of whose names below it is a link (nor
    ``..``) is inside, whatever ``root`` itself is. That is one ``lstat`` for each name
    below ``root`` (four for a post), where resolving both paths took one for each name
    from ``/`` (ten for each post of a project in /tmp/…: 5.6 s of the 47.6 s of
    loading This Week in Rust's 50,494 posts, profiled)."""
    if _plainly_under(os.fspath(root), os.fspath(path)):
        return None
    try:
        target = path.resolve()
        target.relative_to(root.resolve())
    except ValueError:
        return target
    except OSError:  # a loop of links: not followed, and not outside either
        return None
    return None


def _plainly_under(root: str, path: str) -> bool:
    """``path`` is below ``root`` by name, and none of its names below it is a link."""
    here = root.rstrip(os.sep)
    if not path.startswith(here + os.sep):
        return False
    for name in path[len(here) + 1 :].split(os.sep):
        if name in ("", ".", ".."):
            return False
        here += os.sep + name
        if os.path.islink(here):
            return False
    return True


def refuse_outside(root: Path, path: Path, where: Location, diags: Diagnostics) -> bool:
    """False, after an error, if ``path`` is a link to a file outside the project."""
    target = outside(root, path)
    if target is None:
        return True
    diags.error(
        where,
        "file.outside",
        f"this is a link to {target}, outside the project: it is not read",
        "copy the file into the project instead of linking to it",
    )
    return False


def check_tree(
    root: Path, folder: Path, relative: Callable[[Path], str], diags: Diagnostics
) -> None:
    """Names under ``folder`` that differ only by case, and links to folders outside
    ``root`` (their files would be skipped without a word)."""
    if not folder.is_dir():
        return
    for parent, dirs, files in os.walk(folder):
        here = Path(parent)
        seen: dict[str, str] = {}
        for name in sorted(dirs + files):
            key = unicodedata.normalize("NFC", name).casefold()
            if key in seen:
                first, second = relative(here / seen[key]), relative(here / name)
                diags.error(
                    Location(second),
                    "file.case",
                    f"'{second}' and '{first}' differ only by case: they are the same "
                    "file on macOS and Windows, and the same address on many hosts",
                    "rename one of them (names are best in lowercase)",
                )
            else:
                seen[key] = name
        for name in dirs:
            path = here / name
            if path.is_symlink() and (target := outside(root, path)) is not None:
                diags.error(
                    Location(relative(path)),
                    "file.outside",
                    f"this folder is a link to {target}, outside the project: "
                    "nothing in it is read",
                    "move the folder into the project instead of linking to it",
                )
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))


# -- Markdown ----------------------------------------------------------------------------


@cache
def _fenced() -> re.Pattern[str]:
    """Python-Markdown's own pattern for fenced code, so both find the same blocks."""
    from markdown.extensions.fenced_code import FencedBlockPreprocessor

    return FencedBlockPreprocessor.FENCED_BLOCK_RE


_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SPLITS = re.compile(r"^(?: {0,3}(?:#|:[ \t]|=+[ \t]*$|-+[ \t]*$)|" + _HR.pattern + ")", re.M)
"""Lines that make Python-Markdown cut a paragraph in two and search all the rest again:
headings, rules, setext underlines and definitions (':')."""
_FENCE_LINE = re.compile(r"^(~{3,}|`{3,})([ ]*$)?", re.M)
_ABBREVIATION = re.compile(r"^ {0,3}\*\[", re.M)
_FOOTNOTE = re.compile(r"^ {0,3}\[\^", re.M)
_BLOCK = re.compile(r"^(?: *[^ \n][^\n]*(?:\n|\Z))+", re.M)
"""A paragraph, as Python-Markdown cuts the text: lines up to a blank one."""
_DEEP = re.compile(rf"^[ >*+\-.)0-9]{{{MAX_NESTING + 1},}}", re.M)
"""A line that may be nested too deep: each level takes at least one of these."""
_OPENERS = re.compile(r"\\.|[\[\]<]", re.S)
_MARKDOWN_IN_HTML = re.compile(r"<[A-Za-z][^<>]*?\smarkdown\b")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t])")


def _fence_cost(text: str) -> tuple[int, int]:
    """What finding fenced code costs: from each line that starts like a fence, the
    pattern searches for the line that closes it (the same fence alone on its line),
    to the end of the text if there is none. Returns (cost, offset of the costliest)."""
    lines = list(_FENCE_LINE.finditer(text))
    next_close: dict[str, int] = {}
    cost = worst = worst_at = 0
    for match in reversed(lines):
        fence = match.group(1)
        distance = next_close.get(fence, len(text)) - match.start()
        cost += distance
        if distance > worst:
            worst, worst_at = distance, match.start()
        if match.group(2) is not None:  # the fence alone: it can close an earlier one
            next_close[fence] = match.start()
    return cost, worst_at


def _without_code(text: str) -> str:
    """The text with fenced code blocks blanked, line count kept: Python-Markdown sets
    them aside (with the same pattern) before it parses anything."""
    return _fenced().sub(lambda m: "\n" * m.group().count("\n"), text)


def _depth(line: str) -> int:
    """How deep a line is nested: '>' and list markers at its start, and 4 columns of
    indentation for each level."""
    if _HR.match(line):
        return 0
    depth = col = i = 0
    while i < len(line):
        char = line[i]
        if char == " ":
            col += 1
        elif char == "\t":
            col += 4 - col % 4
        elif char == ">":
            depth += 1
        elif (marker := _LIST_MARKER.match(line, i)) is not None:
            depth += 1
            i = marker.end()
            continue
        else:
            break
        i += 1
    return depth + col // 4


@dataclass
class _Cost:
    """What one paragraph costs Python-Markdown, in characters it re-scans."""

    brackets: int = 0  # each '[' scans to its ']' (to the paragraph's end if none)
    unclosed_brackets: int = 0
    angles: int = 0  # each '<' scans to the next '>'
    unclosed_angles: int = 0
    splits: int = 0  # after each heading, rule or definition line, the rest again
    split_lines: int = 0
    first: dict[str, int] | None = None  # offset of the first of each kind

    @property
    def total(self) -> int:
        return self.brackets + self.angles + self.splits


def _scan_cost(block: str) -> _Cost:
    """The cost of one paragraph, in one pass: bracket pairs by a stack, '<' by the
    next '>', split lines by what follows them. Escaped characters ('\\[') cost nothing."""
    cost = _Cost(first={})
    assert cost.first is not None
    end = len(block)
    if "[" in block or "<" in block:
        stack: list[int] = []
        next_gt = -1
        for match in _OPENERS.finditer(block):  # an escape ('\\[') is one match: skipped
            i, char = match.start(), match.group()
            if char == "[":
                stack.append(i)
            elif char == "]":
                if stack:
                    cost.brackets += i - stack.pop()
            elif char == "<":
                if next_gt < i:
                    next_gt = block.find(">", i)
                    if next_gt < 0:
                        next_gt = end
                cost.angles += next_gt - i
                if next_gt == end:
                    cost.unclosed_angles += 1
                    cost.first.setdefault("angles", i)
        for start in stack:
            cost.brackets += end - start
        if stack:
            cost.unclosed_brackets = len(stack)
            cost.first["brackets"] = stack[0]
    for split in _SPLITS.finditer(block, 1):  # not the first line: nothing before it
        cost.splits += end - split.start()
        cost.split_lines += 1
        cost.first.setdefault("splits", split.start())
    return cost


def check_markdown(text: str, path: str, first_line: int, diags: Diagnostics) -> bool:
    """False, after an error at the line where it happens, if ``text`` would take
    Python-Markdown too long (or too deep) to render. Linear in the text's length."""
    if len(text) > MAX_MARKDOWN_CHARS:
        diags.error(
            Location(path, first_line),
            "markdown.too-long",
            f"the text is {len(text):,} characters long; at most {MAX_MARKDOWN_CHARS:,} "
            "are published",
            "shorten it, split it into several posts, or link to the full text",
        )
        return False
    # what Python-Markdown parses: tabs expanded, fenced code set aside (same lines)
    source = text.expandtabs(4)
    at = partial(_location, text, source, path, first_line)
    if not _few_costly_constructs(source, at, diags):
        return False
    fenced = "```" in source or "~~~" in source
    spent, worst_fence = _fence_cost(source) if fenced else (0, 0)
    if spent > MAX_SCAN:
        diags.error(
            at(worst_fence),
            "markdown.complex",
            "fences (```) that are never closed: this text would take too long to render",
            "close each fenced code block with the same fence on a line of its own",
        )
        return False
    if fenced:  # offsets are in the text without its code from here on
        source = _without_code(source)
        at = partial(_location, text, source, path, first_line)
    if not _shallow(source, at, diags):
        return False
    # what any paragraph can cost at most: each opener or split line, the whole text
    bound = (source.count("[") + source.count("<") + len(_SPLITS.findall(source))) * len(source)
    if spent + bound <= MAX_SCAN // 2:
        return True  # most texts: nothing to add up
    for block in _BLOCK.finditer(source):
        spent = _block(source, block.start(), block.end(), spent, at, diags)
        if spent < 0:
            return False
    return True


def _location(text: str, source: str, path: str, first_line: int, offset: int) -> Location:
    """The place of ``source[offset]`` in ``text``, of which ``source`` is what
    Python-Markdown parses (tabs expanded, perhaps code blanked; the same lines): the same
    line; the column counted back through the tabs that were expanded."""
    line = source.count("\n", 0, offset)
    expanded = offset - (source.rfind("\n", 0, offset) + 1)
    original = text.split("\n", line + 1)[line]
    col = 0
    while col < len(original) and len(original[:col].expandtabs(4)) < expanded:
        col += 1
    return Location(path, first_line + line, col + 1)


def _few_costly_constructs(source: str, at: Callable[[int], Location], diags: Diagnostics) -> bool:
    """False, after an error, if ``source`` has more abbreviations, footnotes or
    Markdown-in-HTML tags than their limits: each is tried on every paragraph."""
    for pattern, limit, what, sign in (
        (_ABBREVIATION, MAX_ABBREVIATIONS, "abbreviation definitions ('*[…]:')", "*["),
        (_FOOTNOTE, MAX_FOOTNOTES, "footnotes ('[^…]')", "[^"),
        (
            _MARKDOWN_IN_HTML,
            MAX_MARKDOWN_IN_HTML,
            "HTML tags with a 'markdown' attribute",
            "markdown",
        ),
    ):
        if sign not in source:
            continue
        over = next((m for i, m in enumerate(pattern.finditer(source)) if i == limit), None)
        if over is not None:
            diags.error(
                at(over.start()),
                "markdown.complex",
                f"more than {limit} {what}",
                "use fewer of them; each one slows down every paragraph",
            )
            return False
    return True


def _shallow(source: str, at: Callable[[int], Location], diags: Diagnostics) -> bool:
    """False, after an error, if a line of ``source`` (fenced code set aside) nests
    deeper than MAX_NESTING."""
    for deep in _DEEP.finditer(source):
        stop = source.find("\n", deep.start())
        line = source[deep.start() : stop if stop >= 0 else None]
        if line.strip(" ") and (depth := _depth(line)) > MAX_NESTING:
            diags.error(
                at(deep.start()),
                "markdown.nesting",
                f"nested {depth} levels deep (blockquotes '>', lists and indentation); "
                f"at most {MAX_NESTING} are rendered",
                "flatten it; for code, use a fenced block (```)",
            )
            return False
    return True


def _block(
    source: str,
    start: int,
    end: int,
    spent: int,
    at: Callable[[int], Location],
    diags: Diagnostics,
) -> int:
    """Add one paragraph's cost to ``spent``; -1 after an error if over the budget."""
    cost = _scan_cost(source[start:end].removesuffix("\n"))
    spent += cost.total
    if cost.total <= MAX_SCAN // 2 and spent <= MAX_SCAN:
        return spent
    assert cost.first is not None
    kind = max(("brackets", "angles", "splits"), key=lambda k: int(getattr(cost, k)))
    where = at(start + cost.first.get(kind, 0))
    if kind == "brackets":
        message = (
            f"{cost.unclosed_brackets:,} '[' never closed by a ']'"
            if cost.unclosed_brackets
            else "'[' nested in '[' too deeply"
        )
        hint = "close each '[' with ']', or write \\[ for a bracket; put code in a ``` block"
    elif kind == "angles":
        message = f"{cost.unclosed_angles:,} '<' never closed by a '>'"
        hint = "write &lt; for a '<' that is not a tag; put code in a ``` block"
    else:
        message = f"{cost.split_lines:,} headings, rules or definitions without blank lines"
        hint = "put a blank line before and after each heading and rule"
    diags.error(
        where,
        "markdown.complex",
        f"{message}: this text would take too long to render",
        hint,
    )
    return -1

"""How long hostile Markdown takes to render, and where newsletter.project.limits stops it.

    python benchmarks/hostile_markdown.py [--raw] [--only NAME,NAME]

For each pattern known to be slow in Python-Markdown, the text grows until
``limits.check_markdown`` refuses it; the table gives the largest accepted size and
the CPU time to render it (what a post can cost at worst), and the code that refused
the next size. ``--raw`` instead renders every size, limits or not, up to 20 s each:
how Python-Markdown itself grows (pure quadratic patterns show ×4 per doubling).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

from newsletter.core.diagnostics import Diagnostics
from newsletter.core.markup import render_markdown
from newsletter.project.limits import check_markdown

PATTERNS: dict[str, Callable[[int], str]] = {
    # nesting
    "blockquote-one-line": lambda n: ">" * n + " deep\n",
    "blockquote-ramp": lambda n: "".join(">" * (i % 60 + 1) + " x\n" for i in range(n)),
    "list-ramp": lambda n: "".join("    " * (i % 14) + "- item\n" for i in range(n)),
    "list-deep": lambda n: "".join("    " * i + "- item\n" for i in range(n)),
    "quote-list-deep": lambda n: "".join("> " * i + "- x\n" for i in range(n)),
    "markdown-in-html": lambda n: '<div markdown="1">\n' * n + "x\n" + "</div>\n" * n,
    "html-div-open": lambda n: "<div>\n" * n,
    # brackets and angles
    "brackets-open": lambda n: "[" * n + "\n",
    "brackets-spread": lambda n: "[ word word " * n + "\n",
    "brackets-nested": lambda n: "[" * n + "a" + "]" * n + "\n",
    "links-nested": lambda n: "[" * n + "a" + "](b)" * n + "\n",
    "images-open": lambda n: "![" * n,
    "footnote-refs-open": lambda n: "[^" * n,
    "reference-open": lambda n: "[x][" * n,
    "link-pairs": lambda n: "[a](b) " * n + "\n",
    "lines-of-brackets": lambda n: "[\n" * n,
    "lt": lambda n: "<" * n + "\n",
    "lt-tag-open": lambda n: "<a " * n + "\n",
    "lt-autolink-open": lambda n: "<http://a" * n + "\n",
    "lt-attr-open": lambda n: "<a href='" * n + "\n",
    "tags-closed": lambda n: "<b>x</b> " * n + "\n",
    # emphasis, code, escapes, entities
    "stars": lambda n: "*" * n + "a\n",
    "emphasis-alternating": lambda n: "*a_" * n + "\n",
    "emphasis-open": lambda n: "*a " * n + "\n",
    "strong-open": lambda n: "**a " * n + "\n",
    "strong-em": lambda n: "***a" * n + "\n",
    "underscores": lambda n: "a_" * n + "\n",
    "backticks": lambda n: "`" * n + "\n",
    "backtick-runs": lambda n: "".join("`" * (i % 7 + 1) + "a" for i in range(n)) + "\n",
    "code-spans": lambda n: "`a` " * n + "\n",
    "backslashes": lambda n: "\\" * n + "\n",
    "entities": lambda n: "&amp;" * n + "\n",
    # blocks
    "paragraphs": lambda n: "Hello world.\n\n" * n,
    "list-flat": lambda n: "- item\n" * n,
    "table-rows": lambda n: "| a | b |\n|---|---|\n" + "| x | y |\n" * n,
    "table-wide": lambda n: "|" + "a|" * n + "\n|" + "-|" * n + "\n|" + "x|" * n + "\n",
    "setext-headings": lambda n: "a\n=\n" * n,
    "setext-h2": lambda n: "a\n---\n" * n,
    "atx-headings": lambda n: "# h\n" * n,
    "rules": lambda n: "a\n\n" + "***\n" * n,
    "definitions": lambda n: "term\n" + ": def\n" * n,
    "footnotes": lambda n: "".join(f"x[^{i}]\n\n[^{i}]: note\n" for i in range(n)),
    "abbreviations": lambda n: (
        "".join(f"*[A{i}]: a\n" for i in range(n)) + " ".join(f"A{i}" for i in range(n))
    ),
    "abbreviations-long": lambda n: "".join(f"*[A{i}]: a\n" for i in range(50)) + "A1 word " * n,
    "footnotes-long": lambda n: (
        "".join(f"x[^{i}]\n\n[^{i}]: note\n" for i in range(200)) + "word " * n
    ),
    "reference-defs": lambda n: "".join(f"[{i}]: http://x/{i}\n" for i in range(n)) + "[0]" * n,
    "fences": lambda n: "```\n" * n,
    "fences-growing": lambda n: "".join("`" * (3 + i) + "\n" for i in range(n)),
    "fenced-blocks": lambda n: "```\nx\n```\n" * n,
    "fence-hides-brackets": lambda n: "```\n" + "[" * n + "\n```\n",
    "indented-code": lambda n: "    code\n\n" * n,
    "plain-words": lambda n: "word " * n + "\n",
}


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def _fresh_markdown() -> None:
    """Python-Markdown interrupted half way through a text is left broken (later texts
    come out without paragraphs or links): a new instance, as markup makes it."""
    import markdown

    import newsletter.core.markup

    newsletter.core.markup._md = markdown.Markdown(
        extensions=["extra", "sane_lists"], output_format="html"
    )


def cpu(text: str, limit: float = 20.0) -> float:
    """CPU seconds to render ``text`` (inf past ``limit``, -1 on RecursionError)."""
    signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, limit)
    start = time.process_time()
    try:
        render_markdown(text)
    except _Timeout:
        _fresh_markdown()
        return float("inf")
    except RecursionError:
        _fresh_markdown()
        return -1.0
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return time.process_time() - start


def refused(text: str) -> str:
    diags = Diagnostics()
    check_markdown(text, "x.md", 1, diags)
    return diags.items[0].code if diags.items else ""


def show(seconds: float) -> str:
    if seconds == float("inf"):
        return "> 20 s"
    if seconds < 0:
        return "RecursionError"
    return f"{seconds:.3f} s"


def limited(name: str) -> str:
    """The largest size of the pattern that is accepted, and its cost."""
    make = PATTERNS[name]
    n, best, code = 1, (0, 0, 0.0), ""
    while n <= 1_000_000:
        text = make(n)
        code = refused(text)
        if code:
            break
        best = (n, len(text), cpu(text))
        n *= 2
    if best[0] and n > 1:  # between the last accepted and the first refused size
        low, high = best[0], n
        while high - low > max(1, low // 16):
            mid = (low + high) // 2
            text = make(mid)
            if why := refused(text):
                high, code = mid, why
            else:
                low = mid
        text = make(low)
        best = (low, len(text), cpu(text))
    n_max, chars, seconds = best
    return f"{name:22} {n_max:>8} {chars:>8} {show(seconds):>14}  {code or '(never refused)'}"


def raw(name: str, sizes: tuple[int, ...] = (250, 500, 1000, 2000, 4000, 8000)) -> str:
    cells = []
    for n in sizes:
        text = PATTERNS[name](n)
        seconds = cpu(text)
        cells.append(f"{n}:{len(text)}c:{show(seconds)}")
        if seconds == float("inf") or seconds < 0 or seconds > 5:
            break
    return f"{name:22} " + "  ".join(cells)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--raw", action="store_true", help="render every size, no limits")
    parser.add_argument("--only", help="comma-separated pattern names")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(PATTERNS)
    if not args.raw:
        print(f"{'pattern':22} {'n':>8} {'chars':>8} {'worst render':>14}  refused next by")
    for name in names:
        print(raw(name) if args.raw else limited(name), flush=True)


if __name__ == "__main__":
    sys.setrecursionlimit(1000)
    main()

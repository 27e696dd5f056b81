"""Convert a local clone of This Week in Rust into a newsletter project, and build it.

    python benchmarks/twir.py CLONE OUT [--build] [--dedupe]

CLONE is a clone of https://github.com/rust-lang/this-week-in-rust (the
benchmark never downloads anything); OUT is where the newsletter project is
written (it must be empty or missing). Each edition (a Pelican post of the
category "This Week in Rust" in CLONE/content/) becomes one of our editions,
with its number, date and title, and its introduction as the editor's note;
each item of its lists that carries a link, under its sections (community
updates, crate of the week, calls for participation, the project's updates,
events, jobs…), becomes one post of that date: its title, its link, its text,
the section and sub-section as tags, and the kind its section says (event,
job, spotlight; article else). The editions' editors ("edited by") become
members; editions that name none are by a fallback member. The email
addresses the archive prints (mailing lists, conference contacts) go into
``privacy.public_addresses``, as the editor of such an archive would write them.

``convert()`` is a pure function (the clone's files → ``{path: text}``),
``write_project()`` writes it. With ``--build``: ``newsletter check``, then cold
builds with and without ``--no-search``, each in its own child process, with
wall time, CPU time and the peak memory of all its processes (workers and
Pagefind: profile_build.py's sampler, which needs pyinstrument from the ``dev``
extra). This module must not change the clone, nor run anything but
``newsletter``; figures are for people to read, nothing asserts a threshold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# what `check` takes for an address, and for the same link twice: exactly
from newsletter.core.markup import EMAIL_RE
from newsletter.core.urls import normalize_link

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BuildError, count_files, measure_all, newsletter_command

TODAY = "2026-12-07"
"""`--today` of the benchmark's commands: after the archive's last edition."""
FALLBACK = ("twir", "This Week in Rust")
"""The member of the items of editions that name no editor (the first years')."""
EDITION_CATEGORY = "This Week in Rust"
TITLE_MAX = 120
"""Characters of an item's text kept as its title (our limit warns at 200)."""
SLUG_MAX = 60

# -- reading Pelican's files ------------------------------------------------------

COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
METADATA_RE = re.compile(r"^(title|number|date|category|tags|authors?|slug|summary):(.*)$", re.I)
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^([*+-])\s+(.*)$")
REFERENCE_RE = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?\s*$")
INLINE_LINK_RE = re.compile(
    r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE_LINK_RE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\s?\[([^\]]*)\]")
SHORTCUT_LINK_RE = re.compile(r"\[([^\[\]]+)\](?![(\[:])")
AUTOLINK_RE = re.compile(r"<(https?://[^>\s]+)>")
EDITED_BY_RE = re.compile(r"edited by:?(.*)", re.IGNORECASE)
GITHUB_RE = re.compile(r"https?://github\.com/([A-Za-z0-9-]+)/?$")
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
MONTH = r"(" + "|".join(MONTHS) + r")[a-z]*\.?"
MONTH_DAY_RE = re.compile(r"^\s*\[?\s*" + MONTH + r"\s+(\d{1,2})\b\.?", re.I)
EVENT_DATES_RE = re.compile(
    r"^\s*(?:\d{4}-\d{2}-\d{2}|" + MONTH + r"\s+\d{1,2})"
    r"(?:\s*(?:&|-|–|to)\s*(?:\d{4}-\d{2}-\d{2}|(?:" + MONTH + r"\s+)?\d{1,2}))?\b\.?",
    re.I,
)
"""The dates an event's title starts with: 'Dec 15 & 16.', 'Jan  6.', '2026-09-08 - 2026-09-11'."""

SKIPPED_SECTIONS = re.compile(r"quote of the week|new contributors", re.IGNORECASE)
KIND_OF_SECTION = (
    (re.compile(r"event", re.IGNORECASE), "event"),
    (re.compile(r"\bjobs?\b|money", re.IGNORECASE), "job"),
    (re.compile(r"crates? of the week", re.IGNORECASE), "spotlight"),
)
"""The kind of the items under a heading that matches (any level): the first rule wins."""


def metadata(text: str) -> tuple[dict[str, str], str]:
    """Pelican's `Key: value` lines at the top, and the Markdown after them. A blank
    line among them is skipped (edition 604 has one before its `Category:`)."""
    fields = {}
    lines = text.splitlines()
    start = len(lines)
    for i, line in enumerate(lines):
        if m := METADATA_RE.match(line):
            fields[m[1].lower()] = m[2].strip()
        elif line.strip():
            start = i
            break
    return fields, "\n".join(lines[start:])


def references(text: str) -> dict[str, str]:
    """Reference-style link definitions, `[label]: url`, by lower-cased label."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if m := REFERENCE_RE.match(line):
            found.setdefault(m[1].strip().lower(), m[2])
    return found


def links(text: str, refs: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(text, url) of each http(s) link in a piece of Markdown, in order."""
    spans: list[tuple[int, str, str]] = []
    for m in INLINE_LINK_RE.finditer(text):
        spans.append((m.start(), m[1], m[2]))
    for m in REFERENCE_LINK_RE.finditer(text):
        label = (m[2] or m[1]).strip().lower()
        if label in refs:
            spans.append((m.start(), m[1], refs[label]))
    for m in SHORTCUT_LINK_RE.finditer(text):
        if m[1].strip().lower() in refs:
            spans.append((m.start(), m[1], refs[m[1].strip().lower()]))
    for m in AUTOLINK_RE.finditer(text):
        spans.append((m.start(), m[1], m[1]))
    for _, label, url in sorted(spans, key=lambda s: s[0]):
        if url.lower().startswith(("http://", "https://")):
            yield label, url


def plain(markdown: str) -> str:
    """A line of Markdown as text: links by their text, no emphasis or code marks."""
    text = INLINE_LINK_RE.sub(lambda m: m[1], markdown)
    text = REFERENCE_LINK_RE.sub(lambda m: m[1], text)
    text = AUTOLINK_RE.sub(lambda m: m[1], text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", "", text).replace("\\", "")
    return " ".join(text.split())


def shorten(text: str, limit: int = TITLE_MAX) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def handle_of(text: str) -> str:
    """A member handle: lowercase letters, digits, - and _, starting with a letter."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    handle = re.sub(r"[^a-z0-9_-]+", "-", folded).strip("-_")[:40]
    return handle if handle[:1].isalpha() else f"m-{handle}" if handle else ""


# -- an edition --------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One linked item of an edition: one post."""

    title: str
    link: str
    kind: str
    tags: tuple[str, ...]
    body: str
    when: str = ""
    where: str = ""


@dataclass(frozen=True)
class Edition:
    number: int
    date: dt.date
    title: str
    intro: str
    editors: tuple[tuple[str, str], ...]
    """(handle, name) of each editor, in the order the edition names them."""
    items: tuple[Item, ...] = field(default=())


def editors_of(body: str) -> tuple[tuple[str, str], ...]:
    """The people an edition says it was edited by: GitHub links (their user name is
    the handle), else names written out ('Brian Anderson, Vikrant Chaudhary')."""
    match = EDITED_BY_RE.search(body)
    if match is None:
        return ()
    rest = body[match.start(1) :]
    passage = rest.split("\n\n", 1)[0] if match[1].strip() else rest.lstrip("\n").split("\n\n")[0]
    found: dict[str, str] = {}
    for label, url in links(passage, {}):
        if m := GITHUB_RE.match(url):
            found.setdefault(handle_of(m[1]), plain(label))
    if not found and match[1].strip():
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", plain(match[1]).rstrip(".*_ ")):
            if handle := handle_of(name):
                found.setdefault(handle, name.strip())
    return tuple((h, n) for h, n in found.items() if h)


def blocks(body: str) -> Iterator[tuple[tuple[str, ...], str, str]]:
    """(headings above, 'item' or 'para', Markdown) for each top-level list item and
    paragraph."""
    stack: list[tuple[int, str]] = []
    current: list[str] = []
    shape = ""

    def flush() -> Iterator[tuple[tuple[str, ...], str, str]]:
        if current and shape:
            yield tuple(t for _, t in stack), shape, "\n".join(current).rstrip()
        current.clear()

    for line in body.splitlines():
        if heading := HEADING_RE.match(line):
            yield from flush()
            level = len(heading[1])
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, plain(heading[2]))]
            shape = ""
        elif bullet := BULLET_RE.match(line):
            yield from flush()
            shape = "item"
            current.append(bullet[2])
        elif not line.strip():
            if shape == "para":
                yield from flush()
                shape = ""
            elif shape == "item":
                current.append("")
        elif shape == "item" and (line[:1] in " \t" or current[-1] != ""):
            current.append(line[4:] if line.startswith("    ") else line.lstrip())
        elif REFERENCE_RE.match(line):
            continue
        else:
            if shape == "item":
                yield from flush()
            shape = "para"
            current.append(line)
    yield from flush()


def kind_of(headings: tuple[str, ...]) -> str | None:
    """The kind of an item under these headings; None: not an item to convert."""
    if not headings or any(SKIPPED_SECTIONS.search(h) for h in headings):
        return None
    for pattern, kind in KIND_OF_SECTION:
        if any(pattern.search(h) for h in headings):
            return kind
    return "article"


def event_time(text: str, edition: dt.date) -> str:
    """When an event item says it happens: an ISO date, or 'Jan  6.' in the edition's
    year (the next year's when that is months before the edition); else the edition's
    date (it was listed as upcoming that week)."""
    if m := ISO_DATE_RE.search(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    if m := MONTH_DAY_RE.match(text):
        month = MONTHS.index(m[1][:3].lower()) + 1
        try:
            day = dt.date(edition.year, month, int(m[2]))
        except ValueError:
            return edition.isoformat()
        if day < edition - dt.timedelta(days=180):
            day = day.replace(year=day.year + 1)
        return day.isoformat()
    return edition.isoformat()


def title_of(kind: str, label: str, first_line: str, group: str) -> str:
    """An item's title: its link's text when that says something (three words, or
    20 characters), else the item's first line as text; events without the date they
    start with, the group after the talk; crates named as such."""
    if kind == "spotlight":
        return shorten(f"Crate of the week: {label}")
    title = label if len(label) >= 20 or label.count(" ") >= 2 else plain(first_line)
    if kind == "event":
        title = EVENT_DATES_RE.sub("", title, count=1).strip(" -–|.") or label
        if group and group != title:
            title = f"{title} ({group})"
    return shorten(title)


def definitions_used(text: str, refs: dict[str, str]) -> str:
    """The reference definitions a piece of Markdown uses, to go with it elsewhere."""
    used = {m[2].strip().lower() or m[1].strip().lower() for m in REFERENCE_LINK_RE.finditer(text)}
    used |= {m[1].strip().lower() for m in SHORTCUT_LINK_RE.finditer(text)}
    return "\n".join(f"[{label}]: {refs[label]}" for label in sorted(used) if label in refs)


def item_of(
    headings: tuple[str, ...], text: str, refs: dict[str, str], date: dt.date
) -> Item | None:
    """The post of one list item (or crate-of-the-week paragraph); None if it is not one."""
    kind = kind_of(headings)
    found = list(links(text, refs))
    if kind is None or not found or all(GITHUB_RE.match(url) for _, url in found):
        return None  # not an item, or a list of editors (GitHub profiles)
    label, link = found[0]
    first_line = text.split("\n", 1)[0]
    group = where = when = ""
    if kind == "event":
        when = event_time(first_line, date)
        if len(found) > 1 and first_line.count("|") >= 2:
            # 2021 on: "date | place | [group](…)", the talk nested under it
            group, (label, link) = plain(label), found[1]
            where = plain(first_line.split("|")[1])
    title = title_of(kind, plain(label), first_line, group) or link
    tags = tuple(dict.fromkeys(t for t in (slugify(headings[0]), slugify(headings[-1])) if t))
    definitions = definitions_used(text, refs)
    body = text + ("\n\n" + definitions if definitions else "")
    return Item(title, link, kind, tags, body, when, where)


def read_edition(text: str) -> Edition | None:
    """One Pelican post of CLONE/content → an Edition; None for other posts."""
    fields, body = metadata(text)
    if fields.get("category") != EDITION_CATEGORY:
        return None
    # the editors' templates and instructions (with example items) are HTML comments
    body = COMMENT_RE.sub("", body)
    number = fields.get("number") or (re.findall(r"\d+", fields.get("title", "")) or [""])[-1]
    ymd = re.findall(r"\d+", fields.get("date", ""))[:3]  # '2020-12-2' happens
    if not number.isdigit() or len(ymd) < 3:
        return None  # no edition without a number and a date
    date = dt.date(*map(int, ymd))
    refs = references(body)
    items: list[Item] = []
    spotlit: set[tuple[str, ...]] = set()
    for headings, shape, block in blocks(body):
        if shape == "para" and (kind_of(headings) != "spotlight" or headings in spotlit):
            continue  # a paragraph is an item only as a crate of the week
        if item := item_of(headings, block, refs, date):
            items.append(item)
            if item.kind == "spotlight":
                spotlit.add(headings)
    intro = re.split(r"^#", body, maxsplit=1, flags=re.M)[0]
    intro = intro.strip()
    return Edition(
        int(number), date, fields.get("title", ""), intro, editors_of(body), tuple(items)
    )


# -- our project --------------------------------------------------------------------

YAML_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML does not allow in a document (PyYAML refuses them)."""


def scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), printable only."""
    return json.dumps(YAML_UNSAFE.sub("", text), ensure_ascii=False).replace("\u2028", " ")


def post_file(item: Item, by: str, date: dt.date) -> str:
    lines = [f"title: {scalar(item.title)}", f"by: {by}"]
    if item.kind != "article":
        lines.append(f"kind: {item.kind}")
    lines.append(f"link: {scalar(item.link)}")
    if item.tags:
        lines.append(f"tags: [{', '.join(item.tags)}]")
    if item.when:
        lines.append(f"when: {item.when} 00:00")
    if item.where:
        lines.append(f"where: {scalar(item.where)}")
    lines.append(f"date: {date.isoformat()}")
    return "---\n" + "\n".join(lines) + "\n---\n" + YAML_UNSAFE.sub("", item.body) + "\n"


def edition_file(edition: Edition) -> str:
    return (
        f"---\ntitle: {scalar(edition.title)}\ndate: {edition.date.isoformat()}\n---\n"
        + YAML_UNSAFE.sub("", edition.intro)
        + "\n"
    )


def member_file(name: str) -> str:
    return f"name: {scalar(name)}\n"


def read_editions(clone: Path) -> list[Edition]:
    """Every edition of CLONE/content, oldest first (by date, then number)."""
    editions = []
    for path in sorted((clone / "content").glob("*")):
        if path.suffix in (".md", ".markdown") and path.is_file():
            edition = read_edition(path.read_text(encoding="utf-8"))
            if edition is not None:
                editions.append(edition)
    return sorted(editions, key=lambda e: (e.date, e.number))


def config_file(addresses: list[str]) -> str:
    lines = [
        "# Written by benchmarks/twir.py from a clone of This Week in Rust.",
        'title: "This Week in Rust"',
        'description: "Handpicked Rust updates, delivered to your inbox (converted archive)."',
        "base_url: https://this-week-in-rust.example.org/",
        "language: en",
        f"editors: [{FALLBACK[0]}]",
    ]
    if addresses:
        lines += [
            "privacy:",
            "  # addresses the archive prints (mailing lists, conference contacts): public already",
            "  public_addresses:",
            *(f"    - {scalar(a)}" for a in addresses),
        ]
    return "\n".join(lines) + "\n"


def convert(clone: Path, dedupe: bool = True) -> dict[str, str]:
    """The newsletter project of a This Week in Rust clone, as {path: text}.

    Posts are dated on their edition's day, so each lands in its edition; each is by one
    of the edition's editors in turn. With ``dedupe``, a link already posted (an event
    listed four weeks running, a standing call for participation) is not posted again."""
    files: dict[str, str] = {}
    members: dict[str, str] = {FALLBACK[0]: FALLBACK[1]}
    slugs: set[str] = set()
    seen: set[str] = set()
    for edition in read_editions(clone):
        files[f"content/editions/{edition.number}.md"] = edition_file(edition)
        for handle, name in edition.editors:
            members.setdefault(handle, name)
        authors = [h for h, _ in edition.editors] or [FALLBACK[0]]
        for i, item in enumerate(edition.items):
            key = normalize_link(item.link)
            if dedupe and key in seen:
                continue
            seen.add(key)
            year = edition.date.year
            base = slugify(item.title) or "item"
            slug, n = base, 1
            while f"{year}/{slug}" in slugs:
                n += 1
                slug = f"{base}-{n}"
            slugs.add(f"{year}/{slug}")
            post = post_file(item, authors[i % len(authors)], edition.date)
            files[f"content/posts/{year}/{slug}.md"] = post
    for handle, name in sorted(members.items()):
        files[f"content/members/{handle}.yaml"] = member_file(name)
    addresses = sorted(
        {m.group().lower() for text in files.values() for m in EMAIL_RE.finditer(text)}
    )
    files["newsletter.yaml"] = config_file(addresses)
    return files


def write_project(out: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


# -- building it -------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One command of the benchmark, in its own child process."""

    label: str
    seconds: float
    cpu: float
    """User + system time of the child and the processes it waited for."""
    peak_mb: float
    """Peak PSS summed over the child and all its descendants (workers, Pagefind)."""
    files: int
    posts: int = 0
    """Pages written at site/posts/<year>/<slug>/index.html."""
    editions: int = 0
    """Pages written at site/editions/<number>/index.html."""


def run_measured(label: str, command: list[str], site: Path) -> Measured:
    seconds, cpu, peak = measure_all(command, label)
    files = count_files(site) if site.is_dir() else 0
    posts = sum(1 for _ in site.glob("posts/[0-9][0-9][0-9][0-9]/*/index.html"))
    editions = sum(1 for _ in site.glob("editions/*/index.html"))
    return Measured(label, seconds, cpu, peak, files, posts, editions)


def diagnostic_codes(output: str) -> Counter[str]:
    """How many diagnostics of each code `check` printed (`... [code]` line ends)."""
    return Counter(re.findall(r" \[([a-z0-9.-]+)\]$", output, re.M))


def check(out: Path) -> tuple[Measured, Counter[str], str]:
    """`newsletter check` on the converted project: its figures, codes and last line."""
    command = [*newsletter_command(), "-C", str(out), "check", "--today", TODAY]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time.perf_counter() - start
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    output = done.stdout + done.stderr
    if "Traceback" in output:
        raise BuildError("check", done.returncode, output)
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return Measured("check", seconds, cpu, 0.0, 0), diagnostic_codes(output), last


def cold_build(out: Path, search: bool) -> Measured:
    """A cold build (no site/, no .newsletter/), with or without the search index."""
    for folder in (out / "site", out / ".newsletter"):
        shutil.rmtree(folder, ignore_errors=True)
    command = [*newsletter_command(), "-C", str(out), "build", "--today", TODAY, "--quiet"]
    if search:
        return run_measured("cold build", command, out / "site")
    return run_measured("cold build --no-search", [*command, "--no-search"], out / "site")


def counts(files: dict[str, str]) -> dict[str, int]:
    kinds = Counter(
        (re.search(r"^kind: (\w+)$", text, re.M) or ["", "article"])[1]
        for name, text in files.items()
        if name.startswith("content/posts/")
    )
    addresses = re.findall(r"^    - ", files["newsletter.yaml"], re.M)
    return {
        "editions": sum(1 for n in files if n.startswith("content/editions/")),
        "posts": sum(kinds.values()),
        **{f"  {kind}": n for kind, n in sorted(kinds.items())},
        "members": sum(1 for n in files if n.startswith("content/members/")),
        "public addresses": len(addresses),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clone", type=Path, help="a clone of rust-lang/this-week-in-rust")
    parser.add_argument("out", type=Path, help="where to write the project (empty or missing)")
    parser.add_argument(
        "--build",
        action="store_true",
        help="then check it, and build it cold with and without search",
    )
    parser.add_argument(
        "--repeats",
        action="store_true",
        help="post a link again each time an edition lists it (default: once, the first time)",
    )
    args = parser.parse_args(argv)
    if not (args.clone / "content").is_dir():
        parser.error(f"{args.clone} has no content/: is it a clone of this-week-in-rust?")
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")

    start = time.perf_counter()
    files = convert(args.clone, dedupe=not args.repeats)
    write_project(args.out, files)
    print(f"converted {args.clone} into {args.out} in {time.perf_counter() - start:.1f} s")
    for name, value in counts(files).items():
        print(f"{name:<18}{value:>8,}")
    print(
        "privacy.public_addresses in newsletter.yaml lists the addresses the archive prints "
        "(mailing lists, contacts): they are public already"
    )
    if not args.build:
        return 0
    sys.stdout.flush()
    try:
        measured, codes, last = check(args.out)
        print(f"\ncheck: {measured.seconds:.1f} s, {measured.cpu:.1f} s CPU: {last}")
        for code, n in sorted(codes.items(), key=lambda c: (-c[1], c[0])):
            print(f"  {code:<28}{n:>7,}")
        print(
            f"\n{'build':<24}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'files':>9}"
            f"{'posts':>8}{'editions':>9}"
        )
        sys.stdout.flush()
        for search in (False, True):
            row = cold_build(args.out, search)
            print(
                f"{row.label:<24}{row.seconds:>8.1f}{row.cpu:>8.1f}{row.peak_mb:>9.0f}"
                f"{row.files:>9,}{row.posts:>8,}{row.editions:>9,}"
            )
            sys.stdout.flush()
    except BuildError as err:
        print(f"error: {err}; its output:\n{err.stderr.rstrip()}", file=sys.stderr)
        return 1
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

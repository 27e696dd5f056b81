"""Property tests through the whole pipeline: load → check → enrich → render.

test_safety.py and test_feed_properties.py fuzz the sanitizer, the Markdown renderer
and the feed parser one at a time; here whatever a member can type (front matter,
Markdown with raw HTML and entities, their member file and bio), an editor's note and
whatever a member's blog serves (RSS and Atom, through newsletter.feeds.parse and the
feed cache) goes through the library's build stages (newsletter/build.py), and every
file rendered is read back. Whatever the input: no exception but reported diagnostics,
and no executable markup anywhere — no script but the theme's own, no on* attribute,
no javascript:/vbscript:/data: address in a link or source, in pages, emails (as
published and as sent to a member) and feeds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from newsletter.core.errors import BuildFailed, ProjectError
from newsletter.feeds.cache import FeedState, open_cache
from newsletter.feeds.parse import FeedError, parse_feed
from newsletter.pipeline.build import BuildOptions, site_in_memory
from newsletter.project.sources import Project
from newsletter.render import Theme, render
from newsletter.render.email import email_html, personal
from newsletter.render.environment import globals_for
from newsletter.render.locale import ENGLISH

from support.clock import TODAY_DATE
from support.helpers import write
from support.urls import urls_in

FETCHED = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
FEED_URL = "https://ada.example.org/feed.xml"
CONFIG = (
    "title: Fuzz Exchange\nbase_url: https://news.example.org/letter/\n"
    "feeds: {backfill_days: 3650, excerpt_words: 30}\n"
)
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    # a failure is shrunk, but not "explained": that phase re-runs the pipeline for minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# -- what people type ---------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<object data=javascript:alert(1)>",
    "<embed src=x.swf>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<a href='&#106;avascript:alert(1)'>x</a>",
    "<a href=' \x01javascript:alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD4='>x</a>",
    '<a href="x" onclick="alert(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">s</p>',
    "<form action=javascript:alert(1)><button>go</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href='javascript:/'>",
    "<math><mi xlink:href='javascript:alert(1)'>m</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<textarea></textarea><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% raw %}",
    "${7*7}",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "&NotAnEntity;",
    "&#0;",
    "&#x110000;",
    "\u202eevil\u202c",
    "\u2028",
    "\ufeff",
    "]]>",
]
MARKDOWN = [
    "# ",
    "## ",
    "\n* ",
    "\n1. ",
    "\n> ",
    "\n```\n",
    "\n    ",
    "`",
    "**",
    "_",
    "[",
    "](",
    ")",
    "![",
    "|",
    "\n---\n",
    "\n",
    "\n\n",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1) 'title')",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)\n",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](</posts/2026/b/>)",
    "[y](/members/ada/#top)",
    "<https://ok.example.org/a?b=<script>>",
    "[^1]\n\n[^1]: <script>alert(1)</script>\n",
    "\n| a | b |\n|---|---|\n| <script>x</script> | [x](javascript:1) |\n",
    "\n{: onclick=alert(1) #id .cls }\n",
    "## heading {: onmouseover=alert(1) }\n",
    '\n<div markdown="1">*md* <script>alert(1)</script></div>\n',
    "\n*[HTML]: <script>alert(1)</script>\n",
    "\nterm\n:   <img src=x onerror=alert(1)>\n",
    "\\<script>",
]
UNICODE = st.characters(codec="utf-8", exclude_categories=("Cs",))
CONTROL = st.characters(max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85", "\u200b"])


def text(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(UNICODE | CONTROL | st.sampled_from(HOSTILE), max_size=max_size).map("".join)


LONG = st.builds(lambda s, n: ((s or "x") * n)[:n], text(6), st.integers(500, 20_000))
"""Very long strings (up to 20,000 characters), made cheaply."""
TEXTS = text() | LONG
URLS = st.sampled_from(
    [
        "https://ok.example.org/a",
        "https://ok.example.org/a?utm_source=x&q=<script>",
        'https://ok.example.org/"><script>alert(1)</script>',
        "http://ok.example.org/a b",
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "//evil.example/x",
        "/posts/2026/b/",
        "mailto:someone",
        "ftp://ok.example.org/f",
        "",
    ]
) | st.builds(lambda path: "https://ok.example.org/" + path, text(12))
HANDLES = st.sampled_from(["ada", "grace", "zed", "nobody", "", "ADA", "@ada", "ada "]) | text(8)
DATES = (
    st.dates(dt.date(2026, 10, 1), dt.date(2026, 11, 19))
    | st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31))
    | st.sampled_from(["2026-11-10", "2026-13-45", "yesterday", "", "2026-11-10T25:00"])
    | text(10)
    | st.integers()
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
SLUGS = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
WEB = st.builds(lambda path: "https://ok.example.org/" + path, text(12)) | st.sampled_from(
    ['https://ok.example.org/"><script>alert(1)</script>', "https://ok.example.org/?q=<b>&x"]
)
"""Links a post may have: http(s), with anything in their path and query."""
KINDS = st.sampled_from(["article", "ask", "offer", "event", "intro", "job", "spotlight"])


def some(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value as YAML may carry it: the expected shape, or any other."""
    other = SCALARS | st.lists(text(8), max_size=2) | st.dictionaries(text(4), text(8), max_size=1)
    return values | other


well_formed_post = st.fixed_dictionaries(
    {
        "title": TEXTS,
        "by": st.sampled_from(["ada", "grace"]),
        "date": st.dates(dt.date(2026, 10, 1), dt.date(2026, 11, 19)),
    },
    optional={
        "kind": st.sampled_from(["article", "ask", "offer", "job", "spotlight"]),
        "link": WEB,
        "for": st.lists(st.sampled_from(["ada", "grace"]), max_size=2, unique=True),
        "via": st.sampled_from(["ada", "grace"]),
        "tags": st.lists(SLUGS, max_size=4),
        "where": TEXTS,
    },
)
"""Front matter of the right shape, with anything in its text: what gets rendered."""
any_post = st.fixed_dictionaries(
    {"title": some(TEXTS), "by": some(HANDLES), "date": DATES},
    optional={
        "kind": some(KINDS | text(8)),
        "link": some(URLS),
        "for": some(st.lists(HANDLES, max_size=4)),
        "via": some(HANDLES),
        "connects": some(st.lists(HANDLES, max_size=3)),
        "tags": some(st.lists(TEXTS | SLUGS, max_size=4)),
        "when": some(DATES),
        "where": some(TEXTS),
        "draft": some(st.booleans()),
        "unknown-field": TEXTS,
    },
)
"""Front matter of any shape: mostly refused, with diagnostics."""
front_matter = st.one_of(well_formed_post, well_formed_post, any_post)
markdown = (
    st.lists(st.sampled_from(MARKDOWN) | st.sampled_from(HOSTILE) | text(12), max_size=40).map(
        "".join
    )
    | LONG
)
well_formed_member = st.fixed_dictionaries(
    {"name": TEXTS},
    optional={
        "org": TEXTS,
        "role": TEXTS,
        "topics": st.lists(SLUGS, max_size=3),
        "offers": st.lists(TEXTS, max_size=3),
        "asks": st.lists(TEXTS, max_size=3),
        "links": st.dictionaries(SLUGS, WEB, max_size=3),
        "network": st.booleans(),
    },
)
any_member = st.fixed_dictionaries(
    {"name": some(TEXTS)},
    optional={
        "org": some(TEXTS),
        "role": some(TEXTS),
        "topics": some(st.lists(TEXTS, max_size=3)),
        "offers": some(st.lists(TEXTS, max_size=3)),
        "asks": some(st.lists(TEXTS, max_size=3)),
        "links": some(st.dictionaries(text(8), URLS, max_size=3)),
        "network": some(st.booleans()),
    },
)
member_file = st.one_of(well_formed_member, well_formed_member, any_member)


def document(fields: dict[str, Any], body: str, raw: str | None = None) -> str:
    """A Markdown file with front matter: the fields as YAML (any string survives the
    round trip, control characters included), or ``raw`` lines as someone typed them."""
    front = raw if raw is not None else yaml.safe_dump(fields, allow_unicode=True)
    return f"---\n{front}---\n{body}\n"


# -- the pipeline ---------------------------------------------------------------------


def tally(what: str) -> None:
    """Count outcomes for --hypothesis-show-statistics (how many examples got how far)."""
    if currently_in_test_context():
        event(what)


@pytest.fixture(scope="module")
def theme(tmp_path_factory: pytest.TempPathFactory) -> Theme:
    """The built-in theme, compiled once (every fuzzed project uses it)."""
    return Theme(Project(tmp_path_factory.mktemp("theme")))


@pytest.fixture(scope="module")
def theme_scripts(theme: Theme) -> set[str]:
    """The scripts the theme itself puts in pages (by src), from a plain project."""
    with project_folder() as root:
        write_project(root)
        files = pipeline(root, theme)
    assert files is not None
    scripts: set[str] = set()
    for name, data in files.items():
        if name.endswith(".html"):
            scripts.update(read_markup(data.decode()).scripts)
    return scripts


def project_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="fuzz-")


def write_project(
    root: Path | str,
    posts: dict[str, str] | None = None,
    members: dict[str, str] | None = None,
    note: str = "Hello all.",
) -> Path:
    root = Path(root)
    write(root, "newsletter.yaml", CONFIG)
    for handle, text in {
        "ada": "name: Ada Lovelace\norg: Engines\n",
        "grace": "name: Grace Hopper\norg: Navy\n",
        **(members or {}),
    }.items():
        write(root, f"content/members/{handle}.yaml", text)
    plain = {
        "hello": document(
            {"title": "Hello", "by": "grace", "date": "2026-11-10", "for": ["ada"]}, "Hi."
        )
    }
    for slug, text in (posts or plain).items():
        write(root, f"content/posts/2026/{slug}.md", text)
    write(root, "content/editions/1.md", f"---\ntitle: First\ndate: 2026-11-19\n---\n{note}\n")
    return root


def pipeline(root: Path | str, theme: Theme, reader: str = "Ada") -> dict[str, bytes] | None:
    """Load, check, enrich and render, as `build` does, plus each member's own email of
    the latest edition; None when the content was refused, with diagnostics saying why."""
    project = Project(Path(root))
    try:
        site, _ = site_in_memory(project, BuildOptions(today=TODAY_DATE))
    except BuildFailed as failed:
        assert any(d.is_error and d.message for d in failed.diagnostics), failed
        tally("refused, with diagnostics")
        return None
    except ProjectError as err:
        assert str(err)
        tally("refused: project error")
        return None
    files = render(site, theme)
    if site.editions:
        view = site.editions[0]
        ctx = globals_for(site, ENGLISH)
        for handle in site.members:
            recipient = replace(
                personal(site, view, handle),
                email="reader@example.net",
                name=reader,
                unsubscribe="https://news.example.org/letter/unsubscribe?u=1",
            )
            files[f"sent/{handle}.html"] = email_html(theme, ctx, view, recipient)
    tally("rendered")
    return files


# -- reading what was rendered ---------------------------------------------------------

NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}


def dangerous(url: str) -> bool:
    """Whether a browser would run (or render as a document) this address. Browsers
    ignore leading control characters and spaces, and tabs and newlines anywhere."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:")) and cleaned != "data:,"


class Markup(HTMLParser):
    """What in an HTML document could run: scripts (by src), and every problem found."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self.scripts.append(values.get("src", "(inline)"))
        if tag in NEVER:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if any(dangerous(url) for url in urls_in(name, value)):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style" and re.search(r"expression\(|script:", value, re.I):
                self.problems.append(f"<{tag} style={value[:40]!r}>")

    handle_startendtag = handle_starttag


def read_markup(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


def problems_in(name: str, data: bytes, theme_scripts: set[str]) -> list[str]:
    """Executable markup in one output file, as whatever reads it would see it: a
    browser (pages, emails), a feed reader (the HTML inside Atom and JSON Feed), a
    calendar or an outline reader (their links)."""
    if not name.endswith((".html", ".xml", ".opml", ".json", ".ics")):
        return []  # images, styles, plain text: nothing there is markup a reader runs
    text = data.decode("utf-8")
    found: list[str] = []
    htmls: list[str] = []
    if name.endswith(".html"):
        htmls.append(text)
    elif name.endswith((".xml", ".opml")):
        try:
            root = ET.fromstring(data)
        except ET.ParseError as err:  # a feed reader would refuse the whole feed
            return [f"{name}: not well-formed XML ({err})"]
        for element in root.iter():
            for key, value in element.attrib.items():
                if key.lower().endswith(("href", "url", "src")) and dangerous(value):
                    found.append(f"{element.tag} {key}={value[:40]!r}")
            if element.get("type") == "html" and element.text:
                htmls.append(element.text)
            if element.tag.endswith(("}loc", "}id", "link")) and dangerous(element.text or ""):
                found.append(f"{element.tag}: {element.text!r}")
    elif name.endswith(".json"):
        feed = json.loads(text)
        for item in feed.get("items", []):
            htmls += [item.get("content_html", ""), item.get("summary", "")]
            found += [f"json {k}" for k in ("url", "external_url") if dangerous(item.get(k, ""))]
    elif name.endswith(".ics"):
        unfolded = re.sub(r"\r?\n[ \t]", "", text)
        found += [
            line
            for line in unfolded.splitlines()
            if line.startswith("URL") and dangerous(line.split(":", 1)[1])
        ]
    for html in htmls:
        markup = read_markup(html)
        found += markup.problems
        found += [f"<script src={s!r}>" for s in markup.scripts if s not in theme_scripts]
    return [f"{name}: {problem}" for problem in found]


def assert_safe(files: dict[str, bytes] | None, theme_scripts: set[str]) -> None:
    if files is None:
        return
    found = [p for name, data in files.items() for p in problems_in(name, data, theme_scripts)]
    assert not found, found[:10]


# -- the properties ---------------------------------------------------------------------


@pytest.mark.slow
@SETTINGS
@given(
    fields=front_matter,
    body=markdown,
    raw=st.none()
    | st.none()
    | st.none()
    | st.lists(
        st.sampled_from(["title: ", "tags: [", "- ", ": ", "by: ada"]) | text(10), max_size=6
    )
    .map("\n".join)
    .map(lambda s: s + "\n"),
)
def test_any_post_builds_or_is_refused_and_nothing_runs(
    theme: Theme, theme_scripts: set[str], fields: dict[str, Any], body: str, raw: str | None
) -> None:
    with project_folder() as root:
        write_project(
            root,
            posts={
                "a": document(fields, body, raw),
                "b": document({"title": "B", "by": "ada", "date": "2026-11-11"}, "b"),
            },
        )
        assert_safe(pipeline(root, theme), theme_scripts)


@pytest.mark.slow
@SETTINGS
@given(body=markdown, note=markdown, title=TEXTS, tags=st.lists(TEXTS, max_size=3))
def test_any_markdown_in_a_valid_post_and_note_renders_safely(
    theme: Theme, theme_scripts: set[str], body: str, note: str, title: str, tags: list[str]
) -> None:
    """Valid front matter, so that (unless an address is typed) the text is rendered."""
    post = document(
        {
            "title": title or "t",
            "by": "ada",
            "date": "2026-11-10",
            "for": ["grace"],
            "via": "grace",
            "tags": tags,
        },
        body,
    )
    with project_folder() as root:
        write_project(root, posts={"a": post}, note=note)
        assert_safe(pipeline(root, theme), theme_scripts)


@pytest.mark.slow
@SETTINGS
@given(member=member_file, bio=markdown, reader=TEXTS)
def test_any_member_file_and_bio_render_safely(
    theme: Theme, theme_scripts: set[str], member: dict[str, Any], bio: str, reader: str
) -> None:
    """A third member, ``zed``, as they wrote their file and bio; ``reader`` is a
    subscriber's name from the private file, shown in their email."""
    intro = document(
        {
            "title": "Meet",
            "by": "ada",
            "kind": "intro",
            "connects": ["grace", "zed"],
            "date": "2026-11-12",
            "for": ["zed"],
        },
        "You two.",
    )
    with project_folder() as root:
        write_project(
            root,
            posts={"meet": intro},
            members={"zed": yaml.safe_dump(member, allow_unicode=True)},
        )
        write(Path(root), "content/members/zed.md", bio)
        assert_safe(pipeline(root, theme, reader), theme_scripts)


def escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


XML_TEXT = st.one_of(
    TEXTS.map(escaped),  # text (HTML in it arrives as markup, as feeds mean it)
    TEXTS.map(lambda s: f"<![CDATA[{s}]]>"),
    TEXTS,  # as some blogs write it: raw, often breaking the XML
)
FEED_DATES = st.sampled_from(
    ["Tue, 17 Nov 2026 10:00:00 GMT", "2026-11-12T08:00:00Z", "2031-01-01T00:00:00Z", "", "soon"]
) | text(8)
entries = st.lists(
    st.fixed_dictionaries(
        {
            "title": XML_TEXT,
            "link": URLS.map(escaped) | XML_TEXT,
            "date": FEED_DATES,
            "summary": XML_TEXT | st.sampled_from(HOSTILE).map(escaped) | markdown.map(escaped),
            "content": XML_TEXT | st.sampled_from(HOSTILE).map(escaped),
            "category": XML_TEXT,
            "author": XML_TEXT,
        }
    ),
    min_size=1,
    max_size=3,
)


def rss(items: list[dict[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{e['title']}</title><link>{e['link']}</link><pubDate>{e['date']}</pubDate>"
        f"<category>{e['category']}</category><author>{e['author']}</author>"
        f"<description>{e['summary']}</description>"
        f"<content:encoded>{e['content']}</content:encoded></item>"
        for e in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Ada's blog</title><link>https://ada.example.org/</link>{body}</channel></rss>"
    ).encode("utf-8", "surrogatepass")


def atom(items: list[dict[str, str]]) -> bytes:
    body = "".join(
        f"<entry><title type='html'>{e['title']}</title><link href='{e['link']}'/>"
        f"<id>tag:ada.example.org,2026:{i}</id><updated>{e['date']}</updated>"
        f"<category term='{e['category']}'/><author><name>{e['author']}</name></author>"
        f"<summary type='html'>{e['summary']}</summary>"
        f"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>{e['content']}</div></content>"
        "</entry>"
        for i, e in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        "xml:base='https://ada.example.org/blog/'><title>Ada</title>"
        f"<id>https://ada.example.org/</id>{body}</feed>"
    ).encode("utf-8", "surrogatepass")


@pytest.mark.slow
@SETTINGS
@given(items=entries, make=st.sampled_from([rss, atom]))
def test_any_feed_entry_goes_through_to_the_site_safely(
    theme: Theme, theme_scripts: set[str], items: list[dict[str, str]], make: Any
) -> None:
    """Generated RSS and Atom, read by newsletter.feeds.parse as `fetch` reads it, stored
    in the feed cache, then built with Ada's Markdown posts."""
    try:
        parsed = parse_feed(make(items), FEED_URL, {"content-type": "application/xml"})
    except FeedError as err:
        assert str(err)
        tally("not a feed")
        return
    with project_folder() as root:
        write_project(
            root, members={"ada": f"name: Ada Lovelace\norg: Engines\nfeeds: [{FEED_URL}]\n"}
        )
        with open_cache(Path(root) / ".newsletter", create=True) as cache:
            assert cache is not None
            cache.record_success(FeedState(FEED_URL), FETCHED, parsed.entries)
        if parsed.entries:
            tally("entries stored")
        assert_safe(pipeline(root, theme), theme_scripts)


def test_the_reader_sees_what_a_browser_would_run() -> None:
    """The checks themselves: each kind of executable markup is found."""
    page = (
        "<script>x</script><a href=' java\tscript:x'>a</a><img src=x onerror=y>"
        "<iframe></iframe><meta http-equiv=Refresh content=0><a href='data:text/html,x'>d</a>"
        "<p style='width:expression(x)'>p</p><link rel=icon href='data:,'>"
    )
    found = problems_in("p.html", page.encode(), set())
    assert len(found) == 7, found
    atom_feed = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='vbscript:x'/>"
        "<content type='html'>&lt;svg onload=x&gt;</content></entry></feed>"
    )
    assert len(problems_in("feed.xml", atom_feed.encode(), set())) == 2

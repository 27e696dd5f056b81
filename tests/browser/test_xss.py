"""XSS, proven in a real browser: hundreds of hostile payloads planted everywhere members
and feeds can write, built by the real command line, every page opened in Chromium.

The corpus is tests/data/xss_payloads.json (made by tests/data/make_xss_payloads.py): each
payload that would run script calls ``__xss(N)`` (or alert/confirm/prompt/print/open).
A copy of the bundled example gets them in its post bodies and titles, tags, links and
other front-matter fields, edition titles and notes, member names, organisations, roles,
offers, asks, links and bios, the site's description, and in the titles, content,
summaries, links, categories and authors of RSS, Atom and JSON feeds served by a local
server. ``newsletter check`` says which it refuses (counted as refused, then left out);
``newsletter fetch`` and ``newsletter build`` make the site. Then:

- every built file is read: no script, no event handler, no javascript:/data:/vbscript:
  URL, no frame, form or style that the theme did not put there; feeds stay well-formed;
- every built page (and each edition's email, and a member's preview email) is opened in
  Chromium with the CSP turned off, so that the sanitizer alone is on trial, with the
  hooks wrapped: not one call; the DOM is audited the same way as the files;
- each payload alone is also rendered raw and sanitized in its own frame: many run raw
  (the corpus is live and the harness sees them), none sanitized;
- the Content-Security-Policy of the theme is strict, and the example's pages raise no
  violation under it, while an injected inline script is blocked by it.

Browser tests need Debian's chromium; they are skipped without it, unless
NEWSLETTER_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import feedparser
import pytest
import yaml

from newsletter.core.markup import CONTROL_RE, plain_text, render_markdown, sanitize, sanitize_from
from newsletter.feeds.parse import parse_feed
from newsletter.project.sources import Project
from newsletter.render.environment import Theme

from support.browser import LAUNCH_ARGS, browser_env
from support.cli import run
from support.clock import TODAY
from support.example import copy_example
from support.feedserver import FeedServer
from support.paths import DATA, REPO
from support.siteserver import serving
from support.urls import CANDIDATE_LISTS, URL_ATTRIBUTES, URL_LISTS, url_scheme, urls_in

CORPUS = DATA / "xss_payloads.json"
PREVIEW_AS = "grace"
"""The member whose personal email `build --as` also writes and the browser opens."""
SUBSCRIBE_ORIGIN = "https://lists.commons.example.org"
"""Where the example's subscribe form posts (email.subscribe_url in newsletter.yaml)."""
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)
"""The theme's policy, before the subscribe form's origin. Styles may be inline: the
network map's SVG carries its own <style> and the topics page sizes its bars with a
style attribute; member content never has either (the sanitizer drops both)."""
SSTI_LITERALS = (
    "{{ 7*7 }}",
    "{{7*7}}",
    "{% print 1 %}",
    "{{ config }}",
    "${7*7}",
    "{{ 1337*1337 }}",
)
"""Template syntax that must reach readers as typed (1337*1337 = 1787569, found nowhere)."""
SEARCHES = [
    "xss",
    "onerror",
    "javascript",
    "<img src=x onerror=__xss(0)>",
    '"><svg onload=__xss(0)>',
]
"""Searched for on the search page: its results show payloads (and the words searched for)."""
PAGES_AT_ONCE = 4
SETTLED = """() => new Promise((done) =>
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))))"""
"""Resolves once a page has run what fires by itself after its load event: tasks queued
while parsing (ontoggle), two rendering steps (autofocus's onfocus, SVG animations'
onbegin, rAF) and the task after them. An event, not a pause: the raw payloads of
test_each_payload_alone_runs_raw_and_never_sanitized prove every one fires by then."""

COUNTS: dict[str, Any] = {}
"""What the tests of this module did: payloads planted, refused, pages opened, executed…
(filled as they run, printed by each, and reported with ``pytest -s``)."""


# -- the corpus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    n: int
    family: str
    text: str


def load_corpus() -> list[Payload]:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    payloads = []
    for family in data["families"]:
        for text in family["payloads"]:
            payloads.append(Payload(len(payloads) + 1, family["family"], text))
    return payloads


PAYLOADS = load_corpus()
BY_NUMBER = {p.n: p for p in PAYLOADS}


def _of(*families: str) -> list[Payload]:
    return [p for p in PAYLOADS if p.family in families]


def _cycle(payloads: list[Payload]) -> Callable[[], Payload]:
    state = {"i": 0}

    def take() -> Payload:
        payload = payloads[state["i"] % len(payloads)]
        state["i"] += 1
        return payload

    return take


MARKDOWN_LINK = re.compile(r"^\[x\]\((.*)\)$", re.S)
RAW_URLS = [
    (p, m.group(1)) for p in _of("schemes") if (m := MARKDOWN_LINK.match(p.text)) is not None
]
"""Hostile URLs as such (javascript:, data:, entity-encoded…), for fields that hold a URL."""


def url_breakout(payload: Payload, host: str) -> str:
    """A URL payload made unique to one field (links shared twice are folded into one)."""
    return payload.text.replace("a.example", f"{host}.example", 1)


# -- planting: content files with payloads, rewritten without what check refuses --------------


@dataclass
class Planted:
    """One payload in one place of one file."""

    payload: Payload
    slot: str
    """What it is planted as: 'post.title', 'member.bio', 'feed.content'…"""
    refused: str = ""
    """The diagnostic code that refused it ('' if it was accepted)."""
    path: str = ""
    lines: tuple[int, int] = (0, 0)


class Doc:
    """A content file being written: parts of text, some carrying a planted payload.
    A refused part is left out when the file is written again."""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.parts: list[tuple[str, Planted | None]] = []

    def add(self, text: str, planted: Planted | None = None) -> None:
        self.parts.append((text, planted))

    def write(self, root: Path) -> None:
        line, out = 1, []
        for text, planted in self.parts:
            if planted is not None and planted.refused:
                continue
            if planted is not None:
                last = line + text.rstrip("\n").count("\n")
                planted.path, planted.lines = self.rel, (line, last)
            out.append(text)
            line += text.count("\n")
        path = root / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(out), encoding="utf-8")

    def planted(self) -> list[Planted]:
        return [p for _, p in self.parts if p is not None]


def q(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value``."""
    return str(yaml.safe_dump(value, default_style='"', width=10**9)).strip()


GREEDY = re.compile(
    r"<(plaintext|xmp|textarea|noscript|title|style|iframe|noembed|noframes|template|select"
    r"|script|listing|math|svg|object)|<!--|<!\[CDATA|<\?",
    re.I,
)


def body_of(planted: list[Planted]) -> list[tuple[str, Planted]]:
    """Payloads as Markdown paragraphs; those that may swallow what follows come last."""
    ordered = sorted(planted, key=lambda p: bool(GREEDY.search(p.payload.text)))
    return [(p.payload.text + "\n\n", p) for p in ordered]


def xml_text(text: str) -> str:
    return xml_escape(CONTROL_RE.sub("", text))


@dataclass
class Plan:
    docs: list[Doc] = field(default_factory=list)
    dropped: list[Planted] = field(default_factory=list)
    """Planted in a feed entry whose link is not http(s): the entry is skipped on fetch."""
    feed_planted: list[Planted] = field(default_factory=list)
    ssti: list[tuple[Planted, str]] = field(default_factory=list)
    """Template syntax planted, and the page (site path) it must appear on literally."""

    @property
    def planted(self) -> list[Planted]:
        return [p for d in self.docs for p in d.planted()] + self.feed_planted

    def write(self, root: Path) -> None:
        for doc in self.docs:
            doc.write(root)


ICS_BREAKOUT = next(p for p in PAYLOADS if "BEGIN:VEVENT" in p.text)


class Planter:
    """Plants the corpus into a copy of the example and into feeds for ``server``."""

    def __init__(self, root: Path, server: FeedServer) -> None:
        self.root, self.server, self.plan = root, server, Plan()
        # Every payload once in Markdown or feed HTML; text fields take them in turn, the
        # template syntax and attribute breakouts first; URL fields get URL payloads.
        self.html_queue = list(PAYLOADS)
        random.Random(7).shuffle(self.html_queue)  # each body a mix of families
        order = ["template", "breakout", "entities", "url-breakout", "script", "mutation"]
        self.text = _cycle(
            sorted(
                [p for p in PAYLOADS if p.family != "yaml"],
                key=lambda p: order.index(p.family) if p.family in order else len(order),
            )
        )
        self.urls = _cycle(_of("url-breakout"))
        self.raw_urls = _cycle([p for p, _ in RAW_URLS])
        self.refusable = _cycle(PAYLOADS)
        self.ssti = {p.text: p for p in PAYLOADS if p.text in SSTI_LITERALS}
        assert set(self.ssti) == set(SSTI_LITERALS)

    def html_bundle(self, size: int) -> list[Payload]:
        bundle, self.html_queue = self.html_queue[:size], self.html_queue[size:]
        return bundle

    # -- posts ---------------------------------------------------------------------------

    def posts(self) -> None:
        files = sorted((self.root / "content/posts/2026").glob("*.md"))
        published = [f for f in files if "draft: true" not in f.read_text(encoding="utf-8")]
        per_post = -(-len(self.html_queue) // len(published))  # all that bios, notes and feeds left
        for i, file in enumerate(published):
            text = file.read_text(encoding="utf-8")
            front = yaml.safe_load(text.split("---\n", 2)[1])
            doc = Doc(f"content/posts/2026/{file.name}")
            slug = file.stem
            doc.add("---\n")
            doc.add(f"title: {q(front['title'])}\n")  # wins if the payload is refused
            title = self.text()
            if i < len(SSTI_LITERALS):
                title = self.ssti[SSTI_LITERALS[i]]
            planted_title = Planted(title, "post.title")
            doc.add(f"title: {q(title.text)}\n", planted_title)
            if title.text in SSTI_LITERALS:
                self.plan.ssti.append((planted_title, f"posts/2026/{slug}/index.html"))
            doc.add(f"by: {front['by']}\n")
            if i % 40 == 7 and front.get("kind", "article") == "article":
                bad = self.refusable()
                doc.add(f"kind: {q(bad.text)}\n", Planted(bad, "post.kind"))
            else:
                doc.add(f"kind: {front.get('kind', 'article')}\n")
            doc.add(f"date: {front['date'].isoformat()}\n")
            if "when" in front:
                doc.add(f"when: {front['when']}\n")
                where = self.text() if i % 2 else ICS_BREAKOUT
                doc.add(f"where: {q(where.text)}\n", Planted(where, "post.where"))
            if i % 3 == 0:
                url = self.urls()
                doc.add(f"link: {q(url_breakout(url, f'post{i}'))}\n", Planted(url, "post.link"))
            elif i % 3 == 1:
                url, raw = RAW_URLS[(i // 3) % len(RAW_URLS)]
                doc.add(f"link: {q(raw)}\n", Planted(url, "post.link"))
            elif front.get("link"):
                doc.add(f"link: {front['link']}\n")
            for name in ("connects", "for"):
                handles = list(front.get(name) or [])
                if handles or (name == "for" and i % 6 == 0):
                    doc.add(f"{name}:\n")
                    for h in handles:
                        doc.add(f"  - {h}\n")
                    if name == "for" and i % 6 == 0:
                        bad = self.refusable()
                        doc.add(f"  - {q(bad.text)}\n", Planted(bad, "post.for"))
            if front.get("via"):
                doc.add(f"via: {front['via']}\n")
            elif i % 11 == 5:
                bad = self.refusable()
                doc.add(f"via: {q(bad.text)}\n", Planted(bad, "post.via"))
            doc.add("tags:\n")
            for tag in front.get("tags") or []:
                doc.add(f"  - {tag}\n")
            if i % 3 == 2:
                bad = self.refusable()
                doc.add(f"  - {q(bad.text)}\n", Planted(bad, "post.tag"))
            doc.add("---\n")
            bundle = self.html_bundle(per_post)
            if i < len(SSTI_LITERALS):
                bundle = [self.ssti[SSTI_LITERALS[-1 - i]], *bundle]
            planted_body = [Planted(p, "post.body") for p in bundle]
            for text, planted in body_of(planted_body):
                doc.add(text, planted)
                if planted.payload.text in SSTI_LITERALS:
                    self.plan.ssti.append((planted, f"posts/2026/{slug}/index.html"))
            self.plan.docs.append(doc)

    def raw_yaml_posts(self) -> None:
        """YAML syntax itself in a title line: tags, anchors, flow and block scalars."""
        for payload in _of("yaml"):
            doc = Doc(f"content/posts/2026/yaml-{payload.n}.md")
            date = f"2026-11-0{payload.n % 9 + 1}"
            doc.add(f"---\nby: grace\ndate: {date}\ntitle: YAML {payload.n}\n")
            doc.add(f"title: {payload.text}\n", Planted(payload, "post.title (raw YAML)"))
            doc.add("---\nA post whose title line is raw YAML.\n")
            self.plan.docs.append(doc)

    # -- editions ------------------------------------------------------------------------

    def editions(self) -> None:
        for file in sorted((self.root / "content/editions").glob("*.md")):
            text = file.read_text(encoding="utf-8")
            _, front_text, note = text.split("---\n", 2)
            front = yaml.safe_load(front_text)
            doc = Doc(f"content/editions/{file.name}")
            doc.add("---\n")
            title = self.ssti["{% print 1 %}"] if file.stem == "10" else self.text()
            planted = Planted(title, "edition.title")
            if file.stem == "10":
                self.plan.ssti.append((planted, "editions/10/index.html"))
            doc.add(f"title: {q(title.text)}\n", planted)
            doc.add(f"date: {front['date'].isoformat()}\n")
            for name in ("include", "exclude"):
                if front.get(name):
                    doc.add(f"{name}: {json.dumps(front[name])}\n")
            doc.add("---\n" + note.strip() + "\n\n")
            for text_, planted_ in body_of(
                [Planted(p, "edition.note") for p in self.html_bundle(6)]
            ):
                doc.add(text_, planted_)
            self.plan.docs.append(doc)

    # -- standalone pages --------------------------------------------------------------

    def pages(self) -> None:
        """Each page's title (in every page's footer), summary and text."""
        for file in sorted((self.root / "content/pages").glob("*.md")):
            _, front_text, body = file.read_text(encoding="utf-8").split("---\n", 2)
            front = yaml.safe_load(front_text)
            doc = Doc(f"content/pages/{file.name}")
            doc.add(f"---\ntitle: {q(front['title'])}\n")  # wins if the payload is refused
            for key in ("title", "summary"):
                value = self.text()
                doc.add(f"{key}: {q(value.text)}\n", Planted(value, f"page.{key}"))
            for key in ("menu", "order"):
                if key in front:
                    doc.add(f"{key}: {front[key]}\n")
            doc.add("---\n" + body.strip() + "\n\n")
            for text, planted in body_of([Planted(p, "page.body") for p in self.html_bundle(4)]):
                doc.add(text, planted)
            self.plan.docs.append(doc)

    # -- members and their feeds -----------------------------------------------------------

    def members(self, feeds: dict[str, list[str]]) -> None:
        files = sorted((self.root / "content/members").glob("*.yaml"))
        for i, file in enumerate(files):
            handle = file.stem
            member = yaml.safe_load(file.read_text(encoding="utf-8"))
            doc = Doc(f"content/members/{file.name}")
            name = self.text()
            if i < len(SSTI_LITERALS):
                name = self.ssti[SSTI_LITERALS[i]]
            planted_name = Planted(name, "member.name")
            doc.add(f"name: {q(name.text)}\n", planted_name)
            if name.text in SSTI_LITERALS:
                self.plan.ssti.append((planted_name, f"members/{handle}/index.html"))
            for key in ("org", "role"):
                value = self.text()
                doc.add(f"{key}: {q(value.text)}\n", Planted(value, f"member.{key}"))
            doc.add("topics:\n")
            for topic in member.get("topics") or []:
                doc.add(f"  - {topic}\n")
            bad = self.refusable()
            doc.add(f"  - {q(bad.text)}\n", Planted(bad, "member.topic"))
            for key in ("offers", "asks"):
                doc.add(f"{key}:\n")
                for _ in range(2):
                    value = self.text()
                    doc.add(f"  - {q(value.text)}\n", Planted(value, f"member.{key}"))
            doc.add("links:\n")
            if i % 2:
                url = self.urls()
                value = url_breakout(url, f"member{i}")
            else:
                url = self.raw_urls()
                value = next(raw for p, raw in RAW_URLS if p is url)
            doc.add(f"  site: {q(value)}\n", Planted(url, "member.link"))
            label = self.text()
            doc.add(
                f"  {q(label.text)}: https://{handle}.example.org/\n",
                Planted(label, "member.link-label"),
            )
            if feeds.get(handle):
                doc.add("feeds:\n" + "".join(f"  - {q(url)}\n" for url in feeds[handle]))
            doc.add(f"network: {'true' if member.get('network', True) else 'false'}\n")
            self.plan.docs.append(doc)
            bio = Doc(f"content/members/{handle}.md")
            bundle = self.html_bundle(4)
            if i < len(SSTI_LITERALS):
                bundle = [self.ssti[SSTI_LITERALS[-1 - i]], *bundle]
            for text, planted in body_of([Planted(p, "member.bio") for p in bundle]):
                bio.add(text, planted)
                if planted.payload.text in SSTI_LITERALS:
                    self.plan.ssti.append((planted, f"members/{handle}/index.html"))
            self.plan.docs.append(bio)

    def feeds(self, handles: list[str]) -> dict[str, list[str]]:
        """An RSS, Atom or JSON feed for each of ``handles``, five entries each (one with a
        link that is not http(s), which fetch skips); and a hostile URL that is not a feed."""
        urls: dict[str, list[str]] = {}
        formats = ["rss", "atom", "json"]
        start = dt.datetime(2026, 6, 20, 9, 0, tzinfo=dt.UTC)
        for k, handle in enumerate(handles):
            fmt = formats[k % 3]
            entries = []
            for i in range(5):
                date = start + dt.timedelta(days=(k * 5 + i) * 5)
                title = self.text()
                if i == 0 and k < len(SSTI_LITERALS):
                    title = self.ssti[SSTI_LITERALS[k]]
                dropped = i == 4
                if dropped:
                    link_payload, link = RAW_URLS[k % len(RAW_URLS)]
                else:
                    link_payload = self.urls()
                    link = url_breakout(link_payload, f"feed{k}-{i}")
                # an entry with a summary shows it, not its content: the corpus goes
                # where it is shown, the content under a summary has payloads once more
                summary = self.html_bundle(4) if i % 2 and not dropped else []
                if dropped or summary:
                    content = [self.refusable(), self.refusable()]
                else:
                    content = self.html_bundle(4)
                if i == 0 and k < len(SSTI_LITERALS):
                    content = [self.ssti[SSTI_LITERALS[-1 - k]], *content]
                hidden = " (under a summary)" if summary else ""
                author = self.text()
                categories = [self.text()] if i == 1 else []
                planted = [
                    Planted(title, f"feed.{fmt}.title"),
                    Planted(link_payload, f"feed.{fmt}.link"),
                    Planted(author, f"feed.{fmt}.author"),
                    *(Planted(p, f"feed.{fmt}.category") for p in categories),
                    *(Planted(p, f"feed.{fmt}.summary") for p in summary),
                    *(Planted(p, f"feed.{fmt}.content{hidden}") for p in content),
                ]
                (self.plan.dropped if dropped else self.plan.feed_planted).extend(planted)
                if not dropped:
                    self.plan.ssti += [(p, "*") for p in planted if p.payload.text in SSTI_LITERALS]
                entries.append(
                    {
                        "id": f"urn:x-test:{handle}:{i}",
                        "title": title.text,
                        "link": link,
                        "date": date,
                        "author": author.text,
                        "categories": [c.text for c in categories],
                        "summary": "\n".join(p.text for p in summary),
                        "content": "\n".join(p.text for p in content),
                    }
                )
            channel = self.text()
            self.plan.feed_planted.append(Planted(channel, f"feed.{fmt}.channel-title"))
            body, content_type = FEED_WRITERS[fmt](channel.text, entries)
            urls[handle] = [self.server.route(f"/{handle}.{fmt}", body, content_type=content_type)]
        not_a_feed = _of("url-breakout")[2]  # https://a.example/'><svg/onload=__xss(N)>
        hostile = self.server.url("/gone?x=" + not_a_feed.text.removeprefix("https://a.example/"))
        urls[handles[0]].append(hostile)
        self.plan.feed_planted.append(Planted(not_a_feed, "member.feed-url"))
        return urls

    def config(self) -> None:
        description = self.text()
        doc = Doc("newsletter.yaml")
        text = (REPO / "newsletter.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^description: .*\n", "", text)
        doc.add(text + "feeds: {backfill_days: 3650, excerpt_words: 0}\n")
        planted = Planted(description, "site.description")
        doc.add(f"description: {q(description.text)}\n", planted)
        self.plan.docs.append(doc)


def _rss(title: str, entries: list[dict[str, Any]]) -> tuple[bytes, str]:
    items = []
    for e in entries:
        parts = [
            f"<title>{xml_text(e['title'])}</title>",
            f"<link>{xml_text(e['link'])}</link>",
            f"<guid isPermaLink='false'>{e['id']}</guid>",
            f"<pubDate>{format_datetime(e['date'])}</pubDate>",
            f"<dc:creator>{xml_text(e['author'])}</dc:creator>",
            *(f"<category>{xml_text(c)}</category>" for c in e["categories"]),
        ]
        if e["summary"]:
            parts.append(f"<description>{xml_text(e['summary'])}</description>")
        parts.append(f"<content:encoded>{xml_text(e['content'])}</content:encoded>")
        items.append("<item>" + "".join(parts) + "</item>")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{xml_text(title)}</title><link>https://blog.example.org/</link>"
        "<description>A member's blog</description>" + "".join(items) + "</channel></rss>"
    )
    return body.encode(), "application/rss+xml; charset=utf-8"


def _atom(title: str, entries: list[dict[str, Any]]) -> tuple[bytes, str]:
    items = []
    for i, e in enumerate(entries):
        kind = "html" if i % 2 else "text"
        parts = [
            f"<title type='{kind}'>{xml_text(e['title'])}</title>",
            f"<link rel='alternate' href={quoteattr(CONTROL_RE.sub('', e['link']))}/>",
            f"<id>{e['id']}</id>",
            f"<published>{e['date'].isoformat()}</published>",
            f"<updated>{e['date'].isoformat()}</updated>",
            f"<author><name>{xml_text(e['author'])}</name></author>",
            *(
                f"<category term={quoteattr(CONTROL_RE.sub('', c))} label={quoteattr(c)}/>"
                for c in e["categories"]
            ),
        ]
        if e["summary"]:
            parts.append(f"<summary type='html'>{xml_text(e['summary'])}</summary>")
        parts.append(f"<content type='html'>{xml_text(e['content'])}</content>")
        items.append("<entry>" + "".join(parts) + "</entry>")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title type='html'>{xml_text(title)}</title><id>urn:x-test:atom</id>"
        "<updated>2026-11-20T00:00:00Z</updated>" + "".join(items) + "</feed>"
    )
    return body.encode(), "application/atom+xml; charset=utf-8"


def _json_feed(title: str, entries: list[dict[str, Any]]) -> tuple[bytes, str]:
    items = [
        {
            "id": e["id"],
            "url": e["link"],
            "title": e["title"],
            "date_published": e["date"].isoformat(),
            "authors": [{"name": e["author"]}],
            "tags": e["categories"],
            **({"summary": e["summary"]} if e["summary"] else {}),
            "content_html": e["content"],
        }
        for e in entries
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}
    return json.dumps(feed).encode(), "application/feed+json"


FEED_WRITERS = {"rss": _rss, "atom": _atom, "json": _json_feed}


# -- reading what was built ------------------------------------------------------------------

SAFE_SCHEMES = {"http", "https", "mailto"}
FORBIDDEN = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "portal",
    "base",
    "meta",
    "link",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "template",
    "noscript",
}


class MarkupAudit(HTMLParser):
    """Everything in an HTML document (or fragment) that could run script or that only the
    theme may put there. ``theme`` allows what the theme itself writes: its CSP meta, its
    subscribe form, the network map's SVG, the email's <style> and data: icon."""

    def __init__(self, theme: bool, email: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.theme, self.email = theme, email
        self.problems: list[str] = []
        self.in_script = False
        self.in_map = 0
        self.in_form = False  # inside a form of the theme's: its fields are the theme's
        self.previous: tuple[str, dict[str, str]] = ("", {})

    def _allowed(self, tag: str, attrs: dict[str, str]) -> bool:
        if not self.theme:
            return False
        cls = attrs.get("class", "")
        if tag == "meta":
            return "http-equiv" not in attrs or attrs["http-equiv"] == "Content-Security-Policy"
        if tag == "link":
            rel = attrs.get("rel", "")
            return rel in {"canonical", "stylesheet", "alternate"} or (
                rel == "icon" and (attrs.get("href") == "data:," or not self.email)
            )
        if tag == "script":  # the theme's own script files only, never inline script
            src = attrs.get("src", "")
            return src.startswith("/") and not src.startswith("//")
        if tag == "svg":
            return cls == "nm"
        if tag == "style":
            return self.email or self.in_map > 0
        if tag == "form":  # subscribe (to its service) and search (a page of the site)
            action = attrs.get("action", "")
            return (cls == "subscribe-form" and action.startswith(SUBSCRIBE_ORIGIN)) or (
                cls == "site-search" and action.startswith("/") and not action.startswith("//")
            )
        if tag in ("input", "button"):
            return self.in_form
        if tag == "noscript":  # the search page's note, right after the search box
            return self.previous[0] == "div" and self.previous[1].get("id") == "search"
        return False

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag == "svg" and attrs.get("class") == "nm" and self.theme:
            self.in_map += 1
        elif self.in_map:
            pass  # inside the map the build drew: its own elements, names escaped
        elif tag in FORBIDDEN and not self._allowed(tag, attrs):
            self.problems.append(f"<{tag} {attrs}>")
        elif tag == "form":
            self.in_form = True
        self.in_script = tag == "script"
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and not (
                self.email
                or (
                    self.theme
                    and tag == "span"
                    and re.fullmatch(r"width: \d+%", value)
                    and self.previous[1].get("class") == "topic-bar"
                )
            ):
                self.problems.append(f"<{tag} style={value!r}>")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            for url in urls_in(name, value):
                scheme = url_scheme(url)
                if (
                    scheme
                    and scheme not in SAFE_SCHEMES
                    and not (self.theme and tag == "link" and value == "data:,")
                ):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        self.previous = (tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self.in_map:
            self.in_map -= 1
        if tag == "script":
            self.in_script = False
        if tag == "form":
            self.in_form = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append(f"inline script {data[:60]!r}")


TAG = re.compile(r"""<[a-zA-Z/!?](?:[^>"']|"[^"]*"|'[^']*')*>""")


def tags_in(html: str) -> list[str]:
    """The tags of serialized HTML: quoted attribute values may hold '<' and '>', text may
    not (it is escaped), so a '<script' inside an alt text is not a script tag."""
    return TAG.findall(html)


def audit_markup(html: str, theme: bool = True, email: bool = False) -> list[str]:
    audit = MarkupAudit(theme, email)
    audit.feed(html)
    audit.close()
    return audit.problems


def audit_site(site: Path, extra: Sequence[Path] = ()) -> dict[str, list[str]]:
    """Every built file that can carry markup or URLs → what it should not hold."""
    found: dict[str, list[str]] = {}

    def note(where: str, problems: list[str]) -> None:
        if problems:
            found.setdefault(where, []).extend(problems)

    for path in [*sorted(site.rglob("*.html")), *extra]:
        email = path.parent.name in ("email", "preview")
        note(str(path), audit_markup(path.read_text(encoding="utf-8"), email=email))
    atom = ET.parse(site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for content in atom.iterfind(".//a:content", ns):
        note("feed.xml <content>", audit_markup(content.text or "", theme=False))
    for link in atom.iterfind(".//a:link", ns):
        if url_scheme(link.get("href", "")) not in SAFE_SCHEMES:
            note("feed.xml <link>", [link.get("href", "")])
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    for item in feed["items"]:
        note("feed.json content_html", audit_markup(item.get("content_html", ""), theme=False))
        for key in ("url", "external_url"):
            if key in item and url_scheme(item[key]) not in SAFE_SCHEMES:
                note(f"feed.json {key}", [item[key]])
    for outline in ET.parse(site / "feeds.opml").getroot().iter("outline"):
        for key in ("xmlUrl", "htmlUrl"):
            if key in outline.attrib and url_scheme(outline.get(key, "")) not in SAFE_SCHEMES:
                note(f"feeds.opml {key}", [outline.get(key, "")])
    for loc in ET.parse(site / "sitemap.xml").getroot().iter():
        if loc.tag.endswith("loc") and url_scheme(loc.text or "") not in SAFE_SCHEMES:
            note("sitemap.xml", [loc.text or ""])
    return found


# -- the browser -----------------------------------------------------------------------------


HOOKS = """
(() => {
  const report = (what) => {
    let where;  // the page, even from a frame: a payload is found by its number
    try { where = String(top.location.href); } catch (e) { where = String(location.href); }
    try { window.__report(what, where); } catch (e) {}
  };
  const hook = (name) => function () {
    report(name + '(' + Array.from(arguments).map(String).join(',') + ')');
  };
  const define = (name, value) => Object.defineProperty(
    window, name, {value, writable: false, configurable: false});
  define('__xss', hook('__xss'));
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) define(name, hook(name));
  document.addEventListener('securitypolicyviolation', (e) => report(
    'csp:' + e.effectiveDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')), true);
})();
"""
"""Runs first in every frame: the hooks a payload would call, each reporting its call."""

DOM_AUDIT = """
([subscribe, urlAttrs, candidateLists, urlLists, forbidden]) => {
  // the URLs an attribute holds, split as support/urls.py's urls_in splits them
  const urlsIn = (name, value) => candidateLists.includes(name)
    ? value.split(',').filter((c) => c.trim()).map((c) => c.trim().split(/\\s+/)[0])
    : urlLists.includes(name) ? value.split(/[\\s,]+/).filter(Boolean) : [value];
  const problems = [];
  const email = /[/](email|preview)[/][^/]+$/.test(location.pathname);
  if (document.baseURI !== location.href) problems.push('base URI ' + document.baseURI);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    const inMap = el.closest('svg.nm') !== null;
    const inSearch = el.closest('#search') !== null;  // Pagefind's UI, with the results in it
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`<${tag} ${name}=${attr.value}>`);
      for (const url of urlAttrs.includes(name) ? urlsIn(name, attr.value) : []) {
        let scheme;
        try { scheme = new URL(url, document.baseURI).protocol; } catch (e) { continue; }
        const icon = email && tag === 'link' && attr.value === 'data:,';
        const pagefind = inSearch && tag === 'form' && attr.value === 'javascript:void(0);';
        if (!['http:', 'https:', 'mailto:'].includes(scheme) && !icon && !pagefind)
          problems.push(`<${tag} ${name}=${attr.value.slice(0, 100)}>`);
      }
    }
    if (!forbidden.includes(tag) || inMap && tag !== 'svg') continue;
    const ok = (
      (tag === 'svg' && el.matches('figure.network-map > svg.nm')) ||
      (tag === 'style' && email && el.closest('head')) ||
      (tag === 'script' && el.src && new URL(el.src).origin === location.origin
        && !el.textContent.trim()) ||
      (tag === 'meta' && (!el.httpEquiv || el.httpEquiv === 'Content-Security-Policy')) ||
      (tag === 'link' && el.closest('head')) ||
      (tag === 'form' && el.matches('form.subscribe-form') && el.action.startsWith(subscribe)) ||
      (tag === 'form' && el.matches('form.site-search')
        && new URL(el.action).origin === location.origin) ||
      (tag === 'form' && inSearch && el.matches('form.pagefind-ui__form')) ||
      (['input', 'button'].includes(tag) && el.closest('form.subscribe-form, form.site-search')) ||
      (['input', 'button'].includes(tag) && inSearch) ||
      (tag === 'noscript' && el.previousElementSibling && el.previousElementSibling.id === 'search')
    );
    if (!ok) problems.push(`<${tag}> ${el.outerHTML.slice(0, 100)}`);
  }
  return problems;
}
"""
"""Run in every frame of a page: what its DOM holds that only the theme may put there."""


@dataclass
class BrowserRun:
    calls: list[tuple[str, str]] = field(default_factory=list)
    """(what was called, in which document): hooks, dialogs, popups, CSP violations."""
    problems: dict[str, list[str]] = field(default_factory=dict)
    opened: int = 0

    def executed(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if not c[0].startswith("csp:")]

    def violations(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if c[0].startswith("csp:")]


def open_pages(
    chromium: str,
    base: str,
    paths: list[str],
    *,
    bypass_csp: bool,
    audit: bool = True,
    hooks: bool = True,
    act: Callable[[Any], Any] | None = None,
) -> BrowserRun:
    """Open every path (PAGES_AT_ONCE at a time) with the hooks in place; audit the DOM.
    Without ``hooks`` a page brings its own (faster when it has many frames)."""
    from playwright.async_api import async_playwright

    result = BrowserRun()

    async def main() -> None:
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=chromium,
                env=browser_env(),
                args=[
                    *LAUNCH_ARGS,
                    # no name resolves but this machine's: a hostile image or frame fails at
                    # once (its onerror would run) instead of waiting on DNS, and nothing
                    # leaves the machine
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            )
            # a small window: less to paint, and nothing here depends on the layout
            viewport = {"width": 480, "height": 360}
            context = await browser.new_context(bypass_csp=bypass_csp, viewport=viewport)
            if hooks:
                await context.expose_binding(
                    "__report", lambda source, what, where: result.calls.append((what, where))
                )
                await context.add_init_script(HOOKS)
            queue = list(reversed(paths))

            async def worker() -> None:
                page = await context.new_page()

                async def dialog(d: Any) -> None:
                    result.calls.append((f"dialog:{d.message}", page.url))
                    await d.dismiss()

                page.on("dialog", dialog)
                page.on("popup", lambda pop: result.calls.append((f"popup:{pop.url}", page.url)))
                page.on(
                    "console",
                    lambda m: (
                        result.calls.append((f"csp:console {m.text}", page.url))
                        if m.type == "error" and "Content Security Policy" in m.text
                        else None
                    ),
                )
                while queue:
                    path = queue.pop()
                    response = await page.goto(base + path, wait_until="load")
                    result.opened += 1
                    if response is None or not response.ok:
                        result.problems[path] = [f"HTTP {response.status if response else '?'}"]
                        continue
                    await page.evaluate(SETTLED)
                    if act is not None:
                        await act(page)
                    if page.url != base + path:
                        result.problems.setdefault(path, []).append(f"navigated to {page.url}")
                    if audit:
                        for frame in page.frames:
                            problems = await frame.evaluate(
                                DOM_AUDIT,
                                [
                                    SUBSCRIBE_ORIGIN,
                                    sorted(URL_ATTRIBUTES),
                                    sorted(CANDIDATE_LISTS),
                                    sorted(URL_LISTS),
                                    sorted(FORBIDDEN),
                                ],
                            )
                            if frame is not page.main_frame:
                                problems.append(f"a frame: {frame.url}")
                            if problems:
                                result.problems.setdefault(path, []).extend(problems)
                await page.close()

            await asyncio.gather(*(worker() for _ in range(min(PAGES_AT_ONCE, len(paths)))))
            await context.close()
            await browser.close()

    asyncio.run(main())
    return result


async def settle_search(page: Any) -> None:
    """On the search page with words to search: wait until Pagefind shows its results."""
    if "/search/?q=" in page.url:
        await page.wait_for_function(
            """() => {
              const m = document.querySelector('.pagefind-ui__message');
              return m && /result/i.test(m.textContent)
                && !document.querySelector('.pagefind-ui__loading');
            }""",
            timeout=20_000,
        )


def payload_numbers(calls: list[tuple[str, str]]) -> list[int]:
    numbers = []
    for what, _ in calls:
        match = re.search(r"\d+", what)
        if match and int(match.group()) in BY_NUMBER:
            numbers.append(int(match.group()))
    return numbers


# -- the hostile site, built once for the module ----------------------------------------------


@dataclass
class HostileSite:
    root: Path
    site: Path
    plan: Plan
    refused: Counter[str]
    seconds: float


def _refuse(plan: Plan, diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark the planted payload each error points at as refused; the errors that point
    at no payload."""
    docs = {d.rel: d for d in plan.docs}
    unexplained = []
    for diag in diagnostics:
        if diag["severity"] != "error":
            continue
        doc = docs.get(diag["path"])
        line = diag.get("line") or 0
        hits = [
            p
            for p in (doc.planted() if doc else [])
            if not p.refused and p.lines[0] <= line <= p.lines[1]
        ]
        if not hits and doc and diag["code"].startswith("syntax."):
            hits = [p for p in doc.planted() if p.slot.endswith("(raw YAML)") and not p.refused]
        if not hits:
            unexplained.append(diag)
        for planted in hits:
            planted.refused = diag["code"]
    return unexplained


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    started = time.monotonic()
    root = copy_example(tmp_path_factory.mktemp("xss") / "example")
    with FeedServer() as server:
        planter = Planter(root, server)
        handles = sorted(p.stem for p in (root / "content/members").glob("*.yaml"))
        feeds = planter.feeds(handles[:6])
        planter.config()
        planter.members(feeds)
        planter.editions()
        planter.pages()
        planter.posts()
        planter.raw_yaml_posts()
        assert not planter.html_queue, f"{len(planter.html_queue)} payloads not in any body"
        plan = planter.plan
        plan.write(root)
        fetched = run("fetch", "--allow-private", "--today", TODAY, cwd=root)  # a local feed server
        assert fetched.exit_code == 0, fetched.output
    for _ in range(3):
        checked = run("check", "--format", "json", "--today", TODAY, cwd=root)
        errors = [d for d in json.loads(checked.stdout) if d["severity"] == "error"]
        unexplained = _refuse(plan, errors)
        assert not unexplained, unexplained
        plan.write(root)
        built = run("build", "--today", TODAY, "--as", PREVIEW_AS, cwd=root)
        if built.exit_code == 0:
            break
    assert built.exit_code == 0, built.output
    refused = Counter(p.refused for p in plan.planted if p.refused)
    yield HostileSite(root, root / "site", plan, refused, time.monotonic() - started)


def site_pages(site: Path) -> list[str]:
    """Every HTML file of the site; the search page also with words searched for."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    if "search/index.html" in pages:
        pages += [f"search/?q={quote(words, safe='')}" for words in SEARCHES]
    return pages


def report(title: str, **counts: Any) -> None:
    COUNTS.update(counts)
    print(f"\n{title}:", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


# -- tests -------------------------------------------------------------------------------------


def test_the_corpus_is_large_distinct_and_numbered() -> None:
    """At least 500 distinct payloads, and every one that can run names its number."""
    texts = [p.text for p in PAYLOADS]
    assert len(texts) >= 500 and len(set(texts)) == len(texts)
    families = Counter(p.family for p in PAYLOADS)
    assert len(families) >= 12 and min(families.values()) >= 10, families
    inert = {"template", "yaml"}  # shown as text: nothing to run, only to evaluate
    for p in PAYLOADS:
        if p.family not in inert and not re.search("base64|atob", p.text):
            assert str(p.n) in p.text, p  # so that a run names its payload
        numbers = {int(n) for n in re.findall(r"__xss\((\d+)\)", p.text)}
        assert numbers <= {p.n}, p


@pytest.mark.slow
@pytest.mark.network
def test_payloads_are_planted_everywhere_and_refusals_are_diagnosed(
    hostile: HostileSite,
) -> None:
    planted = hostile.plan.planted
    slots = Counter(p.slot.split(".")[0] + "." + p.slot.split(".")[-1] for p in planted)
    for slot in (
        "post.title",
        "post.body",
        "post.link",
        "post.tag",
        "post.for",
        "post.via",
        "post.where",
        "edition.title",
        "edition.note",
        "page.title",
        "page.summary",
        "page.body",
        "member.name",
        "member.bio",
        "member.link",
        "member.link-label",
        "member.topic",
        "feed.title",
        "feed.content",
        "feed.summary",
        "feed.link",
        "feed.category",
        "feed.author",
        "site.description",
    ):
        assert slots[slot], f"nothing planted as {slot}"
    # every payload reaches a page as Markdown or feed HTML, unless check refused it there
    bodies = {
        "post.body",
        "page.body",
        "member.bio",
        "edition.note",
        "feed.summary",
        "feed.content",
    }
    in_body = [p for p in planted if p.slot.split(".")[0] + "." + p.slot.split(".")[-1] in bodies]
    shown = {p.payload.n for p in in_body if not p.refused}
    assert shown | {p.payload.n for p in in_body if p.refused} == set(BY_NUMBER)
    # what check refuses: invalid tags, unknown handles, links that are not http(s)…
    assert {"field.tag", "ref.member", "field.link"} <= set(hostile.refused)
    assert all(p.refused for p in planted if p.slot in ("post.tag", "member.topic"))
    report(
        "planted",
        payloads=len(PAYLOADS),
        placements=len(planted) + len(hostile.plan.dropped),
        payloads_shown_as_markdown_or_feed_html=len(shown),
        refused_by_check=sum(hostile.refused.values()),
        refused_by_code=dict(sorted(hostile.refused.items())),
        feed_entries_skipped_by_fetch=len(hostile.plan.dropped),
        fetch_check_build_seconds=round(hostile.seconds, 1),
    )


@pytest.mark.slow
@pytest.mark.network
def test_built_files_hold_no_script_handler_or_unsafe_url(hostile: HostileSite) -> None:
    """Read every built page, feed and email: no <script>, no on*= attribute, no
    javascript:/data:/vbscript: in an href or src, nothing the theme did not write."""
    previews = sorted((hostile.root / ".newsletter/preview").glob("*.html"))
    assert previews
    found = audit_site(hostile.site, previews)
    assert not found, json.dumps(found, indent=1)[:4000]
    pages = sorted(hostile.site.rglob("*.html"))
    for page in [*pages, *previews]:
        for tag in tags_in(page.read_text(encoding="utf-8")):
            if tag.lower().startswith("<script"):  # only the theme's own script files
                assert re.fullmatch(r'<script src="/[^"/][^"]*"( defer| type="module")*>', tag)
    # the payloads' hooks survive only as text
    assert any("__xss(" in p.read_text(encoding="utf-8") for p in pages)


@pytest.mark.slow
@pytest.mark.network
def test_every_href_and_src_is_http_mailto_or_relative(hostile: HostileSite) -> None:
    """Every URL a built page links to or loads is http(s), mailto: or relative; the only
    exception is the email's empty icon (data:,), which the theme writes."""
    seen: Counter[str] = Counter()
    bad = []
    pages = [*hostile.site.rglob("*.html"), *(hostile.root / ".newsletter/preview").glob("*.html")]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for tag in tags_in(html):
            for value in re.findall(r'\s(?:href|src)="([^"]*)"', tag):
                scheme = url_scheme(unescape(value))
                seen[scheme or "relative"] += 1
                if scheme not in SAFE_SCHEMES | {""} and not tag.startswith('<link rel="icon"'):
                    bad.append((page.name, tag[:120]))
    report("URLs", pages=len(pages), urls_by_scheme=dict(seen))
    assert not bad, bad[:20]
    assert seen["data"] == len(list(hostile.site.glob("**/email/*.html"))) + 1  # the icons


@pytest.mark.slow
@pytest.mark.network
def test_every_built_page_runs_no_payload_in_chromium(
    hostile: HostileSite, chromium_executable: str
) -> None:
    """Open every page of the hostile site (and the emails) in Chromium, CSP off: the
    sanitizer and the templates alone. Not one hook is called, and the DOM audit agrees."""
    preview = hostile.root / ".newsletter/preview"
    shutil.copytree(preview, hostile.site / "preview", dirs_exist_ok=True)
    try:
        paths = site_pages(hostile.site)
        started = time.monotonic()
        with serving(hostile.site) as base:
            run_ = open_pages(chromium_executable, base, paths, bypass_csp=True, act=settle_search)
        seconds = time.monotonic() - started
    finally:
        shutil.rmtree(hostile.site / "preview")
    executed = sorted(set(payload_numbers(run_.executed())))
    report(
        "in Chromium",
        pages_opened=run_.opened,
        email_pages=sum("email/" in p or "preview/" in p for p in paths),
        executed=len(run_.executed()),
        payloads_executed=executed,
        dom_problems=sum(map(len, run_.problems.values())),
        browser_seconds=round(seconds, 1),
    )
    assert run_.opened == len(paths) >= 150
    assert not run_.executed(), (run_.executed(), [BY_NUMBER[n] for n in executed])
    assert not run_.problems, json.dumps(run_.problems, indent=1)[:4000]


FRAME_HOOKS = (
    "<script>for (const name of ['__xss', 'alert', 'confirm', 'prompt', 'print', 'open'])"
    " window[name] = function () { parent.__hits.push(name + '(' + [...arguments] + ')') };"
    "</script>"
)
"""The hooks, written into each raw payload's frame (cheaper than an init script in each)."""


RAW_SAMPLE = 3
"""One payload in this many is also run raw (a frame costs Chromium about 30 ms)."""


@pytest.mark.slow
@pytest.mark.network
def test_each_payload_alone_runs_raw_and_never_sanitized(
    tmp_path: Path, chromium_executable: str
) -> None:
    """Payloads raw, each in a frame of its own: many run, so the corpus is live and the
    hooks see it. Every payload sanitized as Markdown and as feed HTML: none runs.
    (Sanitized fragments are balanced and hold no raw text: they share a page safely.)"""
    sample = PAYLOADS[::RAW_SAMPLE]
    chunk = 100
    paths = []
    for i in range(0, len(sample), chunk):
        frames = "".join(
            f'<iframe srcdoc="{escape(FRAME_HOOKS + p.text, quote=True)}"></iframe>'
            for p in sample[i : i + chunk]
        )
        script = "<script>window.__hits = []</script>"
        (tmp_path / f"raw-{i // chunk}.html").write_text(f"<!doctype html>{script}{frames}")
        paths.append(f"raw-{i // chunk}.html")
    sanitizers: dict[str, Callable[[str], str]] = {
        "markdown": render_markdown,
        "feed": lambda text: sanitize_from(text, "https://blog.example.org/2026/post/"),
    }
    for mode, clean in sanitizers.items():
        parts = "".join(f'<div id="p{p.n}">{clean(p.text)}</div>' for p in PAYLOADS)
        (tmp_path / f"{mode}.html").write_text(f"<!doctype html><title>{mode}</title>{parts}")
    live: set[int] = set()

    async def collect(page: Any) -> None:
        live.update(payload_numbers([(hit, "") for hit in await page.evaluate("__hits")]))

    with serving(tmp_path) as base:
        raw = open_pages(
            chromium_executable, base, paths, bypass_csp=True, audit=False, hooks=False, act=collect
        )
        sanitized = open_pages(
            chromium_executable, base, [f"{m}.html" for m in sanitizers], bypass_csp=True
        )
    report(
        "each payload alone",
        payloads_sanitized=len(PAYLOADS),
        run_when_sanitized=len(sanitized.executed()),
        payloads_tried_raw=len(sample),
        run_when_raw=len(live),
    )
    assert raw.opened == len(paths)
    assert len(live) >= len(sample) // 4, "the hooks should see many raw payloads run"
    assert not sanitized.executed(), sanitized.executed()
    assert not sanitized.problems, sanitized.problems


@pytest.mark.slow
@pytest.mark.network
def test_template_syntax_reaches_readers_literally(hostile: HostileSite) -> None:
    """{{ 7*7 }}, {% print 1 %}, {{ config }}, ${7*7}… in titles, bodies, names, bios and
    feed entries are shown as typed, never evaluated."""
    site = hostile.site
    everything = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in site.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml", ".json", ".txt", ".ics", ".opml")
    )
    checked = 0
    slots = set()
    for planted, page in hostile.plan.ssti:
        if planted.refused:
            continue
        text = everything if page == "*" else (site / page).read_text(encoding="utf-8")
        assert planted.payload.text in text, (planted.slot, planted.payload.text, page)
        checked += 1
        slots.add(planted.slot.split(".")[0] + "." + planted.slot.split(".")[-1])
    assert {"post.title", "post.body", "member.name", "member.bio", "edition.title"} <= slots
    assert {"feed.title"} <= slots, slots
    assert "1787569" not in everything  # 1337*1337
    assert "Config(" not in everything and "<function " not in everything
    assert "__globals__" in everything  # {{ self.__init__.__globals__ }} shown, not run
    report("template syntax", literal_checks=checked)


@pytest.mark.slow
@pytest.mark.network
def test_feeds_stay_well_formed_with_payloads(hostile: HostileSite) -> None:
    site = hostile.site
    for name in ("feed.xml", "sitemap.xml", "feeds.opml"):
        ET.parse(site / name)
    parsed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not parsed.bozo and parsed.entries
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"]
    # an event's title or place cannot add an event or a property to the calendar
    calendar = (site / "events.ics").read_text(encoding="utf-8")
    events = sum(1 for p in hostile.plan.planted if p.slot == "post.where" and not p.refused)
    assert calendar.count("\nBEGIN:VEVENT") == calendar.count("\nEND:VEVENT") == events
    for line in calendar.splitlines():
        assert line.startswith(" ") or re.match(r"[A-Z-]+[;:]", line), line


CONTROL_ENTITIES = [
    "a &#14; b",
    "&#1;&#x1F;&#11;&#12;&#x7f;",
    "&#xFFFE;&#xFFFF;",
    "<p title='&#2;'>&#3;</p>",
    "[x](https://a.example/&#4; '&#5;')",
    "`&#6;` and ```\n&#7;\n```",
]
"""Entities for characters XML cannot carry: the sanitizer writes what they stand for."""


def test_control_characters_never_reach_the_feeds() -> None:
    """An entity like &#14; in a post or a feed entry becomes no raw control character in
    sanitized HTML or plain text, so the Atom feed it goes into stays readable."""
    for text in CONTROL_ENTITIES:
        for html in (
            render_markdown(text),
            sanitize(text),
            sanitize_from(text, "https://blog.example.org/"),
            plain_text(render_markdown(text)),
        ):
            assert not CONTROL_RE.search(html), (text, html)
            ET.fromstring(f"<content>{xml_escape(html)}</content>")


def test_control_characters_in_a_json_feed_title_are_dropped() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "A blog",
        "items": [{"id": "1", "url": "https://blog.example.org/a", "title": "a\u000eb &#1;c"}],
    }
    entry = parse_feed(json.dumps(feed).encode(), "https://blog.example.org/feed.json").entries[0]
    assert not CONTROL_RE.search(entry.title + entry.author), entry.title


def test_templates_autoescape_html_and_xml(tmp_path: Path) -> None:
    """Autoescape is on for every HTML and XML template of the theme (pages, feeds, the
    email), off only for the plain-text email; |safe is given only sanitized HTML."""
    theme = Theme(Project(tmp_path))
    names = theme.env.list_templates()
    assert "base.html" in names and "feed.xml" in names and "email/edition.html" in names
    for name in names:
        if name.endswith((".html", ".xml")):
            assert theme.env.autoescape(name) is True, name
        elif name.endswith(".txt"):
            assert theme.env.autoescape(name) is False, name
    template = theme.env.from_string("<p title='{{ v }}'>{{ v }}</p>")
    assert template.render(v="'\"><script>") == (
        "<p title='&#39;&#34;&gt;&lt;script&gt;'>&#39;&#34;&gt;&lt;script&gt;</p>"
    )
    sanitized = re.compile(
        r"(post\.body_html|page\.body_html|view\.edition\.note_html|m\.bio_html|map_svg"
        r"|absolute\((post\.body_html|view\.edition\.note_html)\))\|safe"
    )
    for path in (REPO / "templates").rglob("*"):
        if path.suffix in (".html", ".xml"):
            for use in re.findall(r"[\w.()]+\|safe", path.read_text(encoding="utf-8")):
                assert sanitized.fullmatch(use), (path.name, use)


@pytest.mark.slow
@pytest.mark.network
def test_csp_is_strict_and_names_the_subscribe_form(hostile: HostileSite) -> None:
    """A strict policy, first in the head of every page of the theme: no inline script, no
    plugins, no <base>, forms only to the site and to its subscribe service."""
    expected = f"{CSP} {SUBSCRIBE_ORIGIN}"
    pages = [p for p in hostile.site.rglob("*.html") if p.parent.name != "email"]
    assert len(pages) > 100
    for page in pages:
        html = page.read_text(encoding="utf-8")
        metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
        assert metas == [expected], page
        head = html.split("<head>", 1)[1].split("</head>", 1)[0]
        csp = head.index("Content-Security-Policy")
        assert all(csp < i for i in (head.find("<link"), head.find("<script")) if i >= 0), page


CSP_PAGES = [
    "",
    "editions/3/",
    "posts/2026/geocoding-asthma-admissions-offline/",
    "posts/2026/event-mapping-party-kerbs-and-crossings/",
    "posts/2026/intro-ben-mei-versioning-geodata/",
    "members/yusuf/",
    "members/",
    "topics/",
    "topics/mapping/",
    "network/",
    "archive/",
    "404.html",
]
"""A page of each kind: each template of the theme, the network map, the topic bars."""


@pytest.mark.slow
@pytest.mark.network
def test_pages_raise_no_csp_violation_and_the_csp_blocks_inline_script(
    hostile: HostileSite, chromium_executable: str
) -> None:
    """Under the site's own policy each kind of page loads with no violation, search runs
    (WebAssembly) and the subscribe form may post to its service; an inline script or
    handler slipped into a page would be blocked, and reported."""
    site = hostile.site
    home = (site / "index.html").read_text(encoding="utf-8")
    slipped = "<script>__xss(1)</script><img src=x onerror=__xss(2)>"
    (site / "slipped.html").write_text(home.replace("<body>", "<body>" + slipped, 1))
    pages = CSP_PAGES + [p for p in site_pages(site) if p.startswith("search/")][:2]
    posted: list[str] = []

    async def answer(route: Any) -> None:
        posted.append(route.request.method)
        await route.fulfill(body="thank you")

    async def act(page: Any) -> None:
        await settle_search(page)
        if page.url.endswith("/archive/"):
            await page.route(SUBSCRIBE_ORIGIN + "/**", answer)
            await page.fill("#subscribe-footer-email", "reader@example.org")
            async with page.expect_navigation():
                await page.click(".subscribe-footer .subscribe-button")
            await page.go_back()

    try:
        with serving(site) as base:
            clean = open_pages(
                chromium_executable, base, pages, bypass_csp=False, audit=False, act=act
            )
            blocked = open_pages(
                chromium_executable, base, ["slipped.html"], bypass_csp=False, audit=False
            )
    finally:
        (site / "slipped.html").unlink()
    report(
        "CSP",
        pages_checked=clean.opened,
        violations=len(clean.violations()),
        injected_blocked=len(blocked.violations()),
    )
    assert clean.opened == len(pages) and not clean.problems, clean.problems
    assert not clean.calls, clean.calls
    assert posted == ["POST"]
    assert not blocked.executed(), blocked.executed()
    directives = " ".join(what for what, _ in blocked.violations())
    assert "script-src-elem" in directives and "script-src-attr" in directives


@pytest.mark.slow
@pytest.mark.network
def test_email_html_has_no_script_at_all(hostile: HostileSite) -> None:
    """The email of every edition (and a member's own) carries no script in any form."""
    emails = [
        *sorted(hostile.site.glob("email/*.html")),
        *sorted((hostile.root / ".newsletter/preview").glob("*.html")),
    ]
    assert len(emails) == 11
    for path in emails:
        html = path.read_text(encoding="utf-8")
        assert not any(tag.lower().startswith("<script") for tag in tags_in(html)), path
        assert not audit_markup(html, email=True), path

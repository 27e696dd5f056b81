"""Member content is untrusted: sanitized HTML, escaped text, no address published."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from newsletter.core.markup import EMAIL_RE, render_markdown

from support.cli import run
from support.clock import EXAMPLE_TODAY, TODAY
from support.example import copy_example
from support.feedserver import FeedServer
from support.helpers import post, project, write
from support.sending import send
from support.smtpserver import SmtpServer

HOSTILE_BODY = """\
<script>alert(1)</script>
<img src=x onerror="alert(2)">
[click](javascript:alert(3))
<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>
<svg onload=alert(4)><circle/></svg>
<iframe src="https://evil.example"></iframe>
<p style="background:url(javascript:alert(5))">styled</p>
{{ 7*7 }} {% raw %}
"""


def _all_text(site: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()
    )


@pytest.mark.slow
def test_hostile_markdown_and_fields_are_neutralised(tmp_path: Path) -> None:
    title = '"><script>alert(6)</script>'
    root = project(
        tmp_path,
        {"evil": post(f"'{title}'", "ada", HOSTILE_BODY, tags="[x]", link="https://ok.example/a")},
    )
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    page = (root / "site/posts/2026/evil/index.html").read_text()
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<svg" not in body and "<iframe" not in body
    assert not re.search(r"\son\w+=", body)
    assert "javascript:" not in body and "data:text" not in body
    assert "style=" not in body
    assert "{{ 7*7 }}" in page  # member text is never compiled as a template
    assert "&lt;script&gt;alert(6)" in page  # the title is escaped, not dropped
    for name in ("feed.xml", "feed.json", "email/1.html"):
        assert "<script>alert" not in (root / "site" / name).read_text()


def test_email_addresses_never_reach_the_site(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"a": post("Mail me", "ada", "Write to ada@example.com")},
        {"ada": "name: Ada\nbio: reach me at ada.l@mail.example.org\n", "grace": "name: Grace\n"},
    )
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert result.output.count("[privacy.email]") == 2
    assert not (root / "site").exists()


def test_a_template_that_leaks_an_address_is_stopped(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text("<p>Contact editor@news.example.org</p>")
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "site/404.html:1:1: error: an email address would be published" in result.output
    assert not (root / "site").exists()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"<>\"'=/ :&;#()[]!*_`{}\\\nabcjsvgonerrorscriptalert",
                "<script>",
                "javascript:",
                "onerror=",
                "<img ",
                "<svg",
                "](",
                "<a href=",
                "&#",
                "<!--",
                "-->",
                "\n\n",
                "    ",
            ]
        ),
        max_size=80,
    ).map("".join)
)
def test_render_markdown_never_emits_script(text: str) -> None:
    html = render_markdown(text).lower()
    assert "<script" not in html and "<svg" not in html
    assert not re.search(r"<[^>]*\son\w+\s*=", html)
    # inside a tag: escaped text that reads "href=javascript:" is harmless
    assert not re.search(r"<[a-z][^>]*\b(href|src)\s*=\s*[\"']?\s*javascript:", html)


@given(st.emails())
def test_email_pattern_finds_addresses(address: str) -> None:
    if "." in address.rsplit("@", 1)[1] and "/" not in address:
        assert EMAIL_RE.search(f"write to {address} today")


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    title=st.text(min_size=1, max_size=60).filter(lambda t: t.strip()),
    body=st.text(max_size=300),
)
def test_any_text_builds_valid_feeds_and_no_script(
    tmp_path_factory: pytest.TempPathFactory, title: str, body: str
) -> None:
    """Whatever a member types as title and body: the build never crashes, the
    feeds stay well-formed XML, and no script element appears."""
    root = project(tmp_path_factory.mktemp("any"), {"any": post(json.dumps(title), "ada", body)})
    result = run("build", "--today", TODAY, cwd=root)
    assert "Traceback" not in result.output
    if result.exit_code != 0:  # refused (e.g. an address in the text): said so, not crashed
        assert "nothing was published" in result.output
        return
    for name in ("feed.xml", "sitemap.xml"):
        ET.parse(root / "site" / name)
    json.loads((root / "site/feed.json").read_text())
    page = (root / "site/posts/2026/any/index.html").read_text()
    assert "<script" not in page.lower()


# -- nothing private in any published file ----------------------------------------------

SENDER = "zq-desk@sender-private.example.org"
REPLY_TO = "zq-replies@sender-private.example.org"
LEAVE = "zq-leave@sender-private.example.org"
SUBSCRIBERS = {  # address: (name, member handle, status); the names are only in this file
    "Zq.Reader-One+news@Private-Mail.example.net": ("Wilhelmina Quackenbush", "", ""),
    "augusta.zq@members-private.example.com": ("Augusta Pemberton-Zyx", "priya", "active"),
    "yusuf.zq@members-private.example.com": ("", "yusuf", ""),
    "zq-gone@left-private.example.net": ("Ottoline Fairweather", "", "unsubscribed"),
    "zq-bounced@bounce-private.example.net": ("", "", ""),  # on the suppression list
}
SUPPRESSED = "zq-bounced@bounce-private.example.net"
FEED_AUTHOR = "zq-author@blog-private.example.net"
PRIVATE_NAMES = [name for name, _, _ in SUBSCRIBERS.values() if name]


def needles() -> dict[str, str]:
    """What must never be published, normalized as :func:`readings` normalizes: each
    address, its local part and its domain (all distinctive here), and each name that is
    only in the private files, with its surname."""
    found: dict[str, str] = {}
    for address in (SENDER, REPLY_TO, LEAVE, SUPPRESSED, FEED_AUTHOR, *SUBSCRIBERS):
        local, domain = address.rsplit("@", 1)
        for part in (address, local, domain):
            found[part.casefold()] = address
    for name in PRIVATE_NAMES:
        found[name.casefold()] = name
        found[name.split()[-1].casefold()] = name
    return found


def _normalized(text: str) -> str:
    """Undo the ways an address hides in a file: entities (&#64; &commat;), percent and
    JSON escapes, full-width forms, 'at' spelled out; and case."""
    text = unicodedata.normalize("NFKC", unquote(html.unescape(text)))
    text = text.replace("\\u0040", "@").replace("\\x40", "@")
    text = re.sub(r"\s*[\[(]\s*at\s*[\])]\s*|\s+at\s+", "@", text, flags=re.I)
    return text.casefold()


def readings(path: Path) -> Iterator[str]:
    """Every way a reader (or a crawler) could get text out of a published file: its
    bytes as UTF-8 and UTF-16, gunzipped if gzipped, and an image's metadata (PNG text
    chunks, EXIF, comments)."""
    data = path.read_bytes()
    blobs = [data]
    if data[:2] == b"\x1f\x8b":
        blobs.append(gzip.decompress(data))
    for blob in blobs:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            yield _normalized(blob.decode(encoding, "ignore"))
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".webp"):
        with Image.open(path) as image:
            meta = [image.info, dict(image.getexif()), getattr(image, "text", {})]
            yield _normalized(repr(meta))


def private_data_in(folder: Path) -> list[str]:
    """Every (file, what) where something private is found in ``folder``, every file."""
    wanted = needles()
    found = []
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files, folder
    for path in files:
        hits = {wanted[n] for text in readings(path) for n in wanted if n in text}
        found += [f"{path.relative_to(folder)}: {hit}" for hit in sorted(hits)]
    return found


def test_the_scanner_sees_through_encodings_and_image_metadata(tmp_path: Path) -> None:
    local, domain = SENDER.rsplit("@", 1)
    disguised = {
        "a.html": f"<a href='mailto:{local}&#64;{domain}'>x</a>",
        "b.json": json.dumps({"to": f"{local}@{domain.upper()}"}).replace("@", "\\u0040"),
        "c.txt": f"{local} [at] {domain}",
        "d.xml": f"<to>{local}%40{domain}</to>",
        "e.txt": "Dear Mrs Fairweather",
    }
    for name, text in disguised.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "f.txt.gz").write_bytes(gzip.compress(SUPPRESSED.encode("utf-16")))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", FEED_AUTHOR, zip=True)
    Image.new("RGB", (4, 4)).save(tmp_path / "card.png", pnginfo=info)
    found = private_data_in(tmp_path)
    assert {line.split(":")[0] for line in found} == {*disguised, "f.txt.gz", "card.png"}


def _files(site: Path) -> dict[str, str]:
    return {
        str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.mark.slow
def test_nothing_private_reaches_any_published_file(
    tmp_path: Path, feed_server: FeedServer, smtp_server: SmtpServer
) -> None:
    """The example with everything private a newsletter has: subscribers (some linked to
    members, one unsubscribed), a suppression list, the sender's addresses, a member's
    blog whose feed names its author by address; sent for real, previewed, built. Not
    one address, part of one, or name from the private files is in any file of site/:
    pages, email web versions, feeds, sitemap, calendar, cards (and their metadata)."""
    root = copy_example(tmp_path / "example")
    config = (root / "newsletter.yaml").read_text()
    sender = re.search(r"^  from: .*$", config, re.M)
    assert sender, config
    config = config.replace(
        sender.group(),
        f"  from: The Commons Exchange <{SENDER}>\n  reply_to: {REPLY_TO}\n"
        f"  unsubscribe: {LEAVE}\n  per_second: 0",
    )
    write(root, "newsletter.yaml", config)
    rows = "".join(f"{a},{n},{m},{s}\n" for a, (n, m, s) in SUBSCRIBERS.items())
    write(root, "private/subscribers.csv", "email,name,member,status\n" + rows)
    write(root, "private/suppressed.csv", f"email,reason,date,source\n{SUPPRESSED},bounce,,\n")
    feed = feed_server.route(
        "/yusuf.xml",
        (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Yusuf</title>"
            "<link>https://yusuf.example.org/</link><item><title>Geocoding offline</title>"
            "<link>https://yusuf.example.org/geocoding</link>"
            "<pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate>"
            f"<author>{FEED_AUTHOR} (Yusuf Demir)</author>"
            "<description>How I geocode without sending addresses anywhere.</description>"
            "</item></channel></rss>"
        ).encode(),
    )
    member = root / "content/members/yusuf.yaml"
    member.write_text(member.read_text().replace("feeds: []", f"feeds: [{feed}]"))
    assert (
        run("fetch", "--allow-private", "--today", EXAMPLE_TODAY, cwd=root).exit_code == 0
    )  # a local feed server

    outbox = tmp_path / "outbox"
    dry = run("send", "latest", "--dry-run", str(outbox), "--today", EXAMPLE_TODAY, cwd=root)
    assert dry.exit_code == 0, dry.output
    sent = send(root, smtp_server, "latest", "--yes")
    assert sent.exit_code == 0, sent.output  # type: ignore[attr-defined]
    assert smtp_server.handler.count() == 3  # neither the unsubscribed nor the suppressed
    built = run("build", "--as", "priya", "--today", EXAMPLE_TODAY, cwd=root)
    assert built.exit_code == 0, built.output
    # the feed item is published, without its author's address
    assert "Geocoding offline" in (root / "site/members/yusuf/index.html").read_text()

    # the scanner finds what it looks for where it is meant to be: in the messages
    in_outbox = "\n".join(private_data_in(outbox))
    for address, (name, _, status) in SUBSCRIBERS.items():
        if status != "unsubscribed" and address != SUPPRESSED:
            assert address in in_outbox and name in in_outbox, (address, name)
    leaks = private_data_in(root / "site")
    assert not leaks, leaks[:10]

    # addresses in member files: refused where they are, and site/ stays as it was
    before = _files(root / "site")
    priya = root / "content/members/priya.yaml"
    text = re.sub(r"^links:.*$", "", priya.read_text(), flags=re.M)
    priya.write_text(text + "links: {mail: 'mailto:augusta.zq@members-private.example.com'}\n")
    with (root / "content/members/grace.md").open("a") as bio:
        bio.write("\nWrite to me: Zq.Reader-One+news@Private-Mail.example.net\n")
    refused = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert refused.exit_code == 1, refused.output
    assert "content/members/priya.yaml:" in refused.output
    assert "content/members/grace.md:" in refused.output
    assert refused.output.count("[privacy.email]") == 2
    assert _files(root / "site") == before
    assert not private_data_in(root / "site")

"""Member content is untrusted: sanitized HTML, escaped text, no address published."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.markup import EMAIL_RE, render_markdown

from conftest import run
from helpers import post, project

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


def test_hostile_markdown_and_fields_are_neutralised(tmp_path: Path) -> None:
    title = '"><script>alert(6)</script>'
    root = project(
        tmp_path,
        {"evil": post(f"'{title}'", "ada", HOSTILE_BODY, tags="[x]", link="https://ok.example/a")},
    )
    result = run("build", "--today", "2026-11-25", cwd=root)
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
    result = run("build", "--today", "2026-11-25", cwd=root)
    assert result.exit_code == 1
    assert result.output.count("[privacy.email]") == 2
    assert not (root / "site").exists()


def test_a_template_that_leaks_an_address_is_stopped(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text("<p>Contact editor@news.example.org</p>")
    result = run("build", "--today", "2026-11-25", cwd=root)
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
    result = run("build", "--today", "2026-11-25", cwd=root)
    assert "Traceback" not in result.output
    if result.exit_code != 0:  # refused (e.g. an address in the text): said so, not crashed
        assert "nothing was published" in result.output
        return
    for name in ("feed.xml", "sitemap.xml"):
        ET.parse(root / "site" / name)
    json.loads((root / "site/feed.json").read_text())
    page = (root / "site/posts/2026/any/index.html").read_text()
    assert "<script" not in page.lower()

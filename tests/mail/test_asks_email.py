"""'Can you help?' in a member's email: up to two open asks they are a top helper for, with
the reason and a link to the ask, in the HTML and the plain text; never for a member who
opted out of the network (network: false), nor for a subscriber who is not a member.

The community is tests/site/test_asks_site.py's kind: small, with known asks. Who might
help is the helper ranking's answer (newsletter.analysis.helpers); here the helpers are
set on the built site, so that the email's choice among them is what is tested.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from newsletter import api
from newsletter.core.community import AskReport, Helper
from newsletter.core.model import Site
from newsletter.render import Theme
from newsletter.render.email import email_html, email_text, personal
from newsletter.render.environment import globals_for

from support.cli import run
from support.clock import TODAY, TODAY_DATE
from support.helpers import post, write

MEMBERS = {
    "ada": "name: Ada Lovelace\norg: Engines\noffers: [survey design]\n",
    "grace": "name: Grace Hopper\norg: Navy\noffers: [meeting rooms]\n",
    "mei": "name: Mei Chen\norg: Harbour Trust\noffers: [R training, geocoding]\n",
    "linus": "name: Linus Quiet\norg: Elsewhere\nnetwork: false\noffers: [halls]\n",
}

ASKS = {  # slug: (title, by, date)
    "need-a-venue": ("Need a venue for forty people", "ada", "2026-10-05"),
    "who-has-a-geocoder": ("Who has an offline <geocoder>?", "grace", "2026-11-01"),
    "spss-or-r": ("SPSS or R for a first survey?", "ada", "2026-11-12"),
}

SEND_CONFIG = """title: Test Exchange
base_url: https://news.example.org/
email:
  from: Test Exchange <news@example.org>
  reply_to: editors@example.org
  unsubscribe: leave@example.org
  per_second: 0
"""


def asks_project(root: Path) -> Path:
    """Four members (linus opted out of the network), three open asks, one edition."""
    write(root, "newsletter.yaml", SEND_CONFIG)
    for handle, text in MEMBERS.items():
        write(root, f"content/members/{handle}.yaml", text)
    for slug, (title, by, date) in ASKS.items():
        write(root, f"content/posts/2026/{slug}.md", post(f"'{title}'", by, date=date, kind="ask"))
    write(root, "content/editions/1.md", "---\ntitle: First\ndate: 2026-11-19\n---\nHi.\n")
    write(
        root,
        "private/subscribers.csv",
        "email,name,member\nmei@example.org,Mei,mei\nlinus@example.org,Linus,linus\n"
        "reader@example.org,Reader,\n",
    )
    return root


HELPERS = {
    # mei is the second helper for the oldest ask, the first for the two others
    "2026/need-a-venue": (
        Helper("grace", 3.0, "offers “rooms”"),
        Helper("mei", 2.0, "has shared 3 posts on venues, the latest in October"),
        Helper("linus", 1.0, "offers “halls”"),
    ),
    "2026/who-has-a-geocoder": (
        Helper("mei", 2.5, "has shared 2 posts on <em>geocoding</em>"),
        Helper("linus", 2.0, "offers “geocoding”"),
    ),
    "2026/spss-or-r": (Helper("mei", 1.5, "offers “R training”"),),
}


def helped(site: Site) -> Site:
    """``site`` with HELPERS for its open asks (the helper ranking's job otherwise)."""
    report = site.asks
    assert report is not None
    asks = [replace(a, helpers=HELPERS.get(a.key, ())) for a in report.asks]
    return replace(site, asks=AskReport(report.today, asks, report.quarters, report.gaps))


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Project, Site]:
    root = asks_project(tmp_path_factory.mktemp("asks") / "news")
    project = api.load_project(root)
    site, _ = api.site(project, TODAY_DATE)
    return project, helped(site)


def emails(community: tuple[api.Project, Site], handle: str) -> tuple[str, str]:
    """(HTML, text) of edition 1's email as member ``handle`` gets it."""
    project, site = community
    theme, view = Theme(project), site.editions[0]
    ctx = globals_for(site, theme.language(site.config.language))
    recipient = replace(personal(site, view, handle), email="x@example.org", name="X")
    return (
        email_html(theme, ctx, view, recipient).decode(),
        email_text(site, theme, ctx, view, recipient).decode(),
    )


def test_a_helper_is_asked_about_two_asks_with_the_reason(
    community: tuple[api.Project, Site],
) -> None:
    """Mei is the first helper for two asks and the second for the oldest: the two where
    she ranks first are hers, the longer waiting of them first."""
    _, site = community
    wanted = personal(site, site.editions[0], "mei").can_help
    assert [(w.key, w.days) for w in wanted] == [
        ("2026/who-has-a-geocoder", 24),
        ("2026/spss-or-r", 13),
    ]
    html, text = emails(community, "mei")
    part = text.split("CAN YOU HELP?\n", 1)[1].split("\n\n", 1)[0]
    assert part == (
        "  - Who has an offline <geocoder>? (asked by Grace Hopper, waiting 24 days)\n"
        "    Why you: has shared 2 posts on <em>geocoding</em>\n"
        "    https://news.example.org/posts/2026/who-has-a-geocoder/\n"
        "  - SPSS or R for a first survey? (asked by Ada Lovelace, waiting 13 days)\n"
        "    Why you: offers “R training”\n"
        "    https://news.example.org/posts/2026/spss-or-r/"
    )
    box = re.search(r'<table[^>]*class="toc for-you can-help".*?</table>', html, re.S)
    assert box, "no 'Can you help?' in the HTML"
    assert "Can you help?" in box.group()
    links = re.findall(r'href="https://news.example.org/posts/2026/([^/]+)/"', box.group())
    assert links == ["who-has-a-geocoder", "spss-or-r"]  # a third is one too many
    assert "Who has an offline &lt;geocoder&gt;?" in box.group()
    assert "Why you: has shared 2 posts on &lt;em&gt;geocoding&lt;/em&gt;" in box.group()
    assert "<em>geocoding" not in html and "<geocoder>" not in html


def test_a_member_who_opted_out_is_not_asked(community: tuple[api.Project, Site]) -> None:
    _, site = community
    assert personal(site, site.editions[0], "linus").can_help == ()
    html, text = emails(community, "linus")
    assert "Can you help?" not in html and "CAN YOU HELP?" not in text


def test_a_member_suggested_for_nothing_is_not_asked(
    community: tuple[api.Project, Site],
) -> None:
    html, text = emails(community, "ada")
    assert "Can you help?" not in html and "CAN YOU HELP?" not in text


def sent(out: Path) -> dict[str, EmailMessage]:
    """The dry run's messages, by recipient."""
    found = {}
    for path in out.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found[str(message["To"])] = message
    return found


def test_send_asks_a_member_subscriber_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `newsletter send --dry-run`: the member subscriber's message asks for their
    help, the opted-out member's and the plain reader's do not. The ranking's helpers are
    HELPERS here, so that the test does not hang on what the ranking finds."""
    import newsletter.analysis.asks as asks

    monkeypatch.setattr(asks, "rank_helpers", lambda *_args, **_kw: HELPERS)
    root = asks_project(tmp_path / "news")
    out = tmp_path / "outbox"
    result = run("send", "1", "--dry-run", str(out), "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    messages = sent(out)
    assert len(messages) == 3
    for to, message in messages.items():
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        mine = "mei@" in to
        assert ("CAN YOU HELP?" in text) is mine, to
        assert ("Can you help?" in html) is mine, to
        assert ("Why you: has shared 2 posts on <em>geocoding</em>" in text) is mine, to


@pytest.mark.slow
def test_the_example_asks_its_top_helper(example: Path, tmp_path: Path) -> None:
    """The bundled example, sent as it is: a member `newsletter asks` names first helper
    for an open ask gets it under 'Can you help?', with its reason and link."""
    data = json.loads(
        run("asks", "--open", "--format", "json", "--today", TODAY, cwd=example).output
    )
    ask = next(a for a in data["asks"] if a["helpers"])
    helper = ask["helpers"][0]
    (example / "private").mkdir()
    (example / "private/subscribers.csv").write_text(
        f"email,name,member\nhelper@example.org,Helper,{helper['handle']}\n"
    )
    out = tmp_path / "outbox"
    result = run("send", "latest", "--dry-run", str(out), "--today", TODAY, cwd=example)
    assert result.exit_code == 0, result.output
    (message,) = sent(out).values()
    text = message.get_body(("plain",)).get_content()
    part = text.split("CAN YOU HELP?", 1)[1].split("\n\n", 1)[0]
    assert f"Why you: {helper['reason']}" in part
    assert f"https://commons.example.org/posts/{ask['path']}/" in part

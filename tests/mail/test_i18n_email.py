"""The email speaks the newsletter's language: the bundled example with ``language: fr``
and a small catalog of its own (locale/fr/LC_MESSAGES/newsletter.po, written here), sent
with `newsletter send --dry-run`; its messages are read back from the .eml files, the
Subject decoded as a reader's client would. In Arabic the email reads right to left:
``dir="rtl"`` and every side the layout names (alignments, paddings, borders) mirrored,
since mail clients ignore logical CSS properties."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

from newsletter import api
from newsletter.mail.message import NAME, prepare
from newsletter.render import Theme

from support.cli import run
from support.clock import TODAY, TODAY_DATE
from support.example import speak
from support.sending import SEND_CONFIG, send_project

FRENCH = r"""
msgid ""
msgstr ""
"Language: fr\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "#%(number)s: %(title)s"
msgstr "N° %(number)s : %(title)s"

msgid "View in your browser"
msgstr "Voir dans votre navigateur"

msgid "Read it in your browser: %(url)s"
msgstr "Lire dans votre navigateur : %(url)s"

msgid "Edition %(number)s"
msgstr "Numéro %(number)s"

msgid "Edition %(number)s: %(title)s"
msgstr "Numéro %(number)s : %(title)s"

msgid "%(num)s item"
msgid_plural "%(num)s items"
msgstr[0] "%(num)s élément"
msgstr[1] "%(num)s éléments"

msgid "Hello %(name)s,"
msgstr "Bonjour %(name)s,"

msgid "Can you help?"
msgstr "Pouvez-vous aider ?"

msgctxt "kind"
msgid "Events"
msgstr "Événements"

msgctxt "kind"
msgid "Introductions"
msgstr "Mises en relation"

msgid "Why you: %(reason)s"
msgstr "Pourquoi vous : %(reason)s"

msgid "shared a post on %(words)s in %(month)s"
msgid_plural "has shared %(num)s posts on %(words)s, the latest in %(month)s"
msgstr[0] "a partagé un article sur %(words)s en %(month)s"
msgstr[1] "a partagé %(num)s articles sur %(words)s, le dernier en %(month)s"

msgid ""
"Sent to %(email)s. <a href=\"%(url)s\">Unsubscribe</a> with one click; "
"you will not be mailed again."
msgstr ""
"Envoyé à %(email)s. <a href=\"%(url)s\">Se désabonner</a> en un clic ; "
"vous ne recevrez plus rien."

msgid "Sent to %(email)s. Unsubscribe: %(url)s"
msgstr "Envoyé à %(email)s. Se désabonner : %(url)s"
"""


def in_language(example: Path, tag: str) -> tuple[Path, str]:
    """The example in language ``tag``, with a subscriber who is the first helper
    `newsletter asks` names for an open ask (so their email asks 'Can you help?'), and
    why them, as `asks` says it."""
    speak(example, tag)
    data = json.loads(
        run("asks", "--open", "--format", "json", "--today", TODAY, cwd=example).output
    )
    helper = next(a for a in data["asks"] if a["helpers"])["helpers"][0]
    (example / "private").mkdir()
    (example / "private/subscribers.csv").write_text(
        f"email,name,member\nhelper@example.org,,{helper['handle']}\n"
    )
    return example, helper["reason"]


def send_one(example: Path, outbox: Path) -> tuple[str, str, str]:
    """(Subject, text part, HTML part) of the one message `send latest --dry-run` writes."""
    result = run("send", "latest", "--dry-run", str(outbox), "--today", TODAY, cwd=example)
    assert result.exit_code == 0, result.output
    (path,) = outbox.glob("*.eml")
    data = path.read_bytes()
    subject = re.search(rb"^Subject: (.*)$", data, re.M)
    assert subject is not None and subject[1].isascii()  # RFC 2047-encoded on the wire
    message = cast(EmailMessage, message_from_bytes(data, policy=policy.default))
    text = cast(EmailMessage, message.get_body(("plain",))).get_content()
    page = cast(EmailMessage, message.get_body(("html",))).get_content()
    return str(message["Subject"]), text.replace("\r\n", "\n"), page


def test_the_email_speaks_french(example: Path, tmp_path: Path) -> None:
    root, reason = in_language(example, "fr")
    catalog = root / "locale/fr/LC_MESSAGES/newsletter.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(FRENCH.lstrip(), encoding="utf-8")
    subject, text, page = send_one(root, tmp_path / "outbox")

    # RFC 2047-encoded on the wire, decoded by the policy as a reader's client does
    assert subject == "N° 10 : A year of asking, answering and introducing"
    assert '<html lang="fr">' in page
    assert "<title>N° 10 : A year of asking, answering and introducing</title>" in page
    # the example's four French posts are in edition 10 too: 13 items
    assert "Numéro 10 · 19 novembre 2026 · 13 éléments" in page
    assert "Numéro 10 : A year of asking, answering and introducing\n" in text
    assert "\n19 novembre 2026 · 13 éléments\n" in text
    assert ">Voir dans votre navigateur</a>" in page
    assert "Lire dans votre navigateur : https://commons.example.org/editions/10/" in text
    # the greeting, by the member's first name
    assert re.search(r'class="note greeting"[^>]*><p[^>]*>Bonjour \w+,</p>', page)
    assert re.search(r"^Bonjour \w+,$", text, re.M)
    assert ">Pouvez-vous aider ?</p>" in page
    assert "\nPOUVEZ-VOUS AIDER ?\n" in text
    # why them, as the analysis said it (a phrase), in French: its words, list and month
    shared = re.match(r"has shared (\d+) posts on ([^,;]+?) and ([^,;]+?), the latest in", reason)
    assert shared is not None, f"the example's first helper is no longer one who shared: {reason}"
    why = (
        f"Pourquoi vous : a partagé {shared[1]} articles sur {shared[2]} et {shared[3]}, "
        "le dernier en "
    )
    for part in (text, page):  # the month the French way: 'septembre 2026'
        assert re.search(re.escape(why) + r"[a-zéû]+ 2026", part), why
    # a kind of post, as both the contents and the sections name it
    assert ">Événements <span" in page
    assert "\n== ÉVÉNEMENTS ==\n" in text
    # the text's contents: titles in one column, after the longest name of a kind
    # (the words this test's catalog lacks are the shipped French catalog's)
    contents = text.split("\nDANS CE NUMÉRO\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert any(line.startswith("  Mises en relation: Aiko, meet Lucía") for line in contents)
    assert "  Événements:        The Commons Exchange autumn gathering" in contents
    assert all(line[20] == " " and line[21] != " " for line in contents)
    # people listed the French way: a post shared for two members
    assert re.search(r"\n  Partagé par [^·\n]+ pour [^·,\n]+ et [^·,\n]+ · \d+ \w+\. 2026\n", text)
    # the unsubscribe sentence keeps its link, with the subscriber's own address
    assert re.search(
        r'Envoyé à helper@example\.org\. <a href="mailto:news@commons\.example\.org'
        r'\?subject=unsubscribe%20helper%40example\.org"[^>]*>Se désabonner</a> en un clic',
        page,
    )
    assert "Envoyé à helper@example.org. Se désabonner : mailto:" in text
    # dates written the French way wherever the email shows one; no English left of
    # what the catalog translates
    assert "novembre 2026" in text
    for english in ("View in your browser", "Hello ", "Can you help?", "Why you", " items"):
        assert english not in page
        assert english not in text


def opening(page: str, element: str, cls: str) -> str:
    """The opening tag of the first ``element`` of class ``cls`` (css-inline may reorder
    attributes, so tests look for each one in it)."""
    found = re.search(rf'<{element}\b[^>]*\bclass="{cls}"[^>]*>', page)
    assert found is not None, f"no <{element} class={cls}>"
    return found[0]


def test_an_arabic_email_reads_right_to_left(example: Path, tmp_path: Path) -> None:
    subject, text, page = send_one(in_language(example, "ar")[0], tmp_path / "outbox")
    assert '<html lang="ar" dir="rtl">' in page
    assert 'dir="rtl"' in re.findall(r"<body[^>]*>", page)[0]
    for table in ("outer", "card"):
        assert 'dir="rtl"' in opening(page, "table", table)
    # the link to the web page sits at the end of the line: on the left, in Arabic
    top = opening(page, "td", "top")
    assert 'align="left"' in top
    assert 'align="right"' not in page
    # every side a style names is mirrored, and inlined (css-inline) so
    items = re.findall(r'<p class="toc-item" style="([^"]*)"', page)
    assert len(items) >= 10  # the asks for this member and the contents
    assert all("padding-right: 24px" in style for style in items)
    assert "border-right: 4px solid #9a3412" in opening(page, "table", "event")
    lists = re.findall(r'<(?:ul|ol) style="([^"]*)"', page)
    assert lists and all("padding-right: 22px" in style for style in lists)
    # nothing in the message names the left any more but that one cell's alignment
    body = page.split("<body", 1)[1]
    assert not [s for s in re.findall(r'style="([^"]*)"', body) if "left" in s]
    assert re.findall(r'\b([\w-]+)="left"', body) == ["align"]
    assert "text-align: left" not in page and "text-align:left" not in page
    # 'Read on the site ←': arrows point forward, to the reading's end
    assert "←" in page and "→" not in page
    assert subject == "#10: A year of asking, answering and introducing"
    assert "\n\n== الفعاليات ==\n" in text  # the shipped Arabic catalog's words


def test_one_edition_is_prepared_in_another_language(tmp_path: Path) -> None:
    """What a newsletter in several languages will do per subscriber: the same edition of
    an English newsletter, prepared in French (its Subject and both parts), the English
    one unchanged beside it."""
    root = send_project(tmp_path / "p", "email,name,member\nada@example.org,,ada\n")
    catalog = root / "locale/fr/LC_MESSAGES/newsletter.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(FRENCH.lstrip(), encoding="utf-8")
    project = api.load_project(root)
    site, _ = api.site(project, TODAY_DATE)
    theme = Theme(project)
    assert "language:" not in SEND_CONFIG  # the newsletter's own language is English

    english = prepare(site, site.editions[0], theme)
    french = prepare(site, site.editions[0], theme, theme.language("fr"))
    assert english.subject == "#1: First"
    assert french.subject == "N° 1 : First"
    page, text = french.variant(True, "ada")
    assert '<html lang="fr">' in page and ">Voir dans votre navigateur</a>" in page
    assert "Numéro 1 · 19 novembre 2026 · 2 éléments" in page
    assert f"Bonjour {NAME}," in text  # each message puts its reader's name in
    page, text = english.variant(True, "ada")
    assert '<html lang="en">' in page and "Edition 1 · 19 November 2026 · 2 items" in page

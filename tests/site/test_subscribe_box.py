"""The subscribe box: a form, a mailto: link or nothing, as newsletter.yaml says.

The mailto: address is the one address the site may show; any other still stops
the build.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from newsletter.core.model import PrivacyOptions
from newsletter.pipeline.build import find_leaks

from support.cli import run
from support.clock import EXAMPLE_TODAY

FORM_URL = "https://lists.commons.example.org/subscription/form"
MAILTO = "join@commons.example.org"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k.rstrip("_")) == v for k, v in wanted.items())
        ]


def _tags(page: Path) -> Tags:
    parser = Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _configure(root: Path, **email: str) -> None:
    """Replace the example's subscribe settings with ``email``."""
    path = root / "newsletter.yaml"
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith(("subscribe_url:", "subscribe_mailto:"))
    ]
    added = [f"  {key}: '{value}'" for key, value in email.items()]
    path.write_text("\n".join(kept + added) + "\n", encoding="utf-8")


def _build(root: Path) -> str:
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_bundled_example_has_a_form(built_example: Path) -> None:
    home = _tags(built_example / "index.html")
    [form] = home.find("form", class_="subscribe-form")
    assert form == {"class": "subscribe-form", "method": "post", "action": FORM_URL}


@pytest.mark.slow
def test_a_subscribe_url_gives_a_form_on_the_home_page_and_in_every_footer(example: Path) -> None:
    _configure(example, subscribe_url=FORM_URL)
    _build(example)
    site = example / "site"

    home = _tags(site / "index.html")
    # the home page's own box; its footer has none
    assert len(home.find("form", class_="subscribe-form")) == 1
    [email] = home.find("input", name="email")
    assert email == {
        "id": "subscribe-home-email",
        "type": "email",
        "name": "email",
        "autocomplete": "email",
        "spellcheck": "false",
        "required": None,
    }
    assert home.find("label", for_="subscribe-home-email")  # a real label, tied to the input
    [name] = home.find("input", name="name")
    assert (name["autocomplete"], "required" in name) == ("name", False)
    assert home.find("label", for_="subscribe-home-name")
    assert [b["type"] for b in home.find("button", class_="subscribe-button")] == ["submit"]

    for page in ("archive/index.html", "editions/3/index.html", "members/yusuf/index.html"):
        tags = _tags(site / page)
        [form] = tags.find("form", class_="subscribe-form")
        assert (form["method"], form["action"]) == ("post", FORM_URL)
        assert tags.find("input", id="subscribe-footer-email", type="email", required=None)
        assert tags.find("label", for_="subscribe-footer-email")
    assert "mailto:" not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_subscribe_mailto_gives_a_link_and_is_the_one_address_allowed(example: Path) -> None:
    _configure(example, subscribe_mailto=MAILTO)
    _build(example)  # the address is on the site, on purpose: no privacy.output
    site = example / "site"

    for page in ("index.html", "archive/index.html"):
        tags = _tags(site / page)
        assert not tags.find("form", class_="subscribe-form")
        [link] = tags.find("a", class_="subscribe-button")
        href = link["href"] or ""
        assert href.startswith(f"mailto:{MAILTO}?subject=Subscribe&body=")
        body = href.split("&body=", 1)[1]
        assert " " not in body and "\n" not in body  # encoded, for every mail client
        assert unquote(body) == "Please add me to The Commons Exchange.\r\n\r\nMy name: "
    text = (site / "index.html").read_text(encoding="utf-8")
    assert f'<span class="subscribe-address">{MAILTO}</span>' in text


@pytest.mark.slow
def test_neither_setting_means_no_box(example: Path) -> None:
    _configure(example)
    _build(example)
    for page in ("index.html", "archive/index.html", "404.html"):
        text = (example / "site" / page).read_text(encoding="utf-8")
        assert 'class="subscribe' not in text
        assert [f["action"] for f in _tags(example / "site" / page).find("form")] == ["/search/"]


def test_any_other_address_still_fails_the_build(example: Path) -> None:
    _configure(example, subscribe_mailto=MAILTO)
    bio = example / "content/members/arjun.md"
    bio.write_text(bio.read_text(encoding="utf-8") + "\nWrite to arjun@example.org.\n")

    result = run("build", "--today", EXAMPLE_TODAY, cwd=example)

    assert result.exit_code == 1
    assert "content/members/arjun.md" in result.output and "[privacy.email]" in result.output


@pytest.mark.slow
def test_a_template_cannot_publish_another_address_beside_the_allowed_one(example: Path) -> None:
    _configure(example, subscribe_mailto="Join@Commons.Example.org")  # any case
    footer = example / "templates/partials/footer.html"
    footer.write_text(
        footer.read_text(encoding="utf-8")
        + "<p>join@commons.example.org</p>\n"  # the allowed one, in another case: fine
        + "<p>editors@commons.example.org</p>\n"  # not allowed
        + "<p>xjoin@commons.example.org</p>\n",  # contains the allowed one: not allowed
        encoding="utf-8",
    )

    result = run("build", "--today", EXAMPLE_TODAY, cwd=example)

    assert result.exit_code == 1
    assert "[privacy.output]" in result.output
    assert "site/index.html" in result.output
    assert not (example / "site/index.html").exists()  # nothing was written


def test_find_leaks_allows_only_the_exact_addresses_given() -> None:
    page = b"<a href='mailto:Join@Commons.example.org'>join@commons.example.org</a> ada@example.org"
    leaks = find_leaks({"index.html": page}, PrivacyOptions(("join@commons.example.org",)))
    assert [(d.code, d.location.path) for d in leaks] == [("privacy.output", "site/index.html")]
    assert len(find_leaks({"index.html": page})) == 3


@pytest.mark.slow
def test_the_form_action_is_escaped(example: Path) -> None:
    url = "https://forms.example.org/s?list=1&x=\"><script>alert(1)</script><a b='"
    _configure(example, subscribe_url=url.replace("'", "''"))  # YAML's single quotes
    _build(example)
    page = (example / "site/index.html").read_text(encoding="utf-8")

    assert "<script>alert(1)" not in page
    [form] = _tags(example / "site/index.html").find("form", class_="subscribe-form")
    assert form["action"] == url  # one attribute, whole: it did not break out
    assert "x=&#34;&gt;&lt;script&gt;" in page

"""Social previews: each page's canonical URL, Open Graph and Twitter tags, read back
from the built example as a crawler would, and the card images they point at."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from newsletter.pipeline.build import BuildOptions, site_in_memory
from newsletter.project.sources import Project
from newsletter.render.social import (
    CARD_HEIGHT,
    CARD_WIDTH,
    CardFonts,
    Palette,
    draw_edition_card,
    first_sentence,
    shorten,
)

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example
from support.helpers import post, project, write

BASE = "https://commons.example.org/"


class Meta(HTMLParser):
    """The <head>'s preview tags: ``tags['og:title']``, with canonical as 'canonical'."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}
        self.seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            key = values.get("property") or values["name"]
        elif tag == "link" and values.get("rel") == "canonical":
            key, values["content"] = "canonical", values["href"]
        else:
            return
        self.seen.append(key)
        self.tags[key] = values.get("content", "")


def meta(page: Path) -> dict[str, str]:
    parser = Meta()
    parser.feed(page.read_text(encoding="utf-8"))
    doubled = {k for k in parser.seen if parser.seen.count(k) > 1 and k != "theme-color"}
    assert not doubled, f"{page}: {doubled} given twice"
    return parser.tags


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def png_chunks(data: bytes) -> list[str]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8].decode("ascii"))
        at += 12 + length
    return chunks


PAGES = {
    "index.html": "website",
    "editions/3/index.html": "article",
    "posts/2026/geocoding-asthma-admissions-offline/index.html": "article",
    "members/yusuf/index.html": "website",
    "topics/mapping/index.html": "website",
}


@pytest.mark.parametrize(("name", "og_type"), PAGES.items())
def test_preview_tags_of_each_kind_of_page(built_example: Path, name: str, og_type: str) -> None:
    tags = meta(built_example / name)
    canonical = tags["canonical"]
    assert canonical.startswith(BASE)
    assert canonical == tags["og:url"] == BASE + name.removesuffix("index.html")
    assert tags["og:type"] == og_type
    assert tags["og:site_name"] == "The Commons Exchange"
    assert tags["og:locale"] == "en"
    assert tags["og:title"] and tags["og:title"] == tags["twitter:title"]
    description = tags["description"]
    assert description and description == tags["og:description"] == tags["twitter:description"]
    assert len(description) <= 200
    image = tags["og:image"]
    assert image.startswith(BASE) and image == tags["twitter:image"]
    data = (built_example / image.removeprefix(BASE)).read_bytes()
    assert png_size(data) == (int(tags["og:image:width"]), int(tags["og:image:height"]))
    assert tags["og:image:alt"]
    assert tags["twitter:card"] == "summary_large_image"


def test_descriptions_say_what_the_page_is(built_example: Path) -> None:
    post = meta(built_example / "posts/2026/geocoding-asthma-admissions-offline/index.html")
    assert post["description"] == (
        "For my PhD I need to link about 40,000 paediatric asthma admissions (2015–2025) "
        "to street-level NO2 estimates."
    )
    assert post["og:title"] == (
        "Geocoding 40,000 asthma admissions without sending addresses off-site"
    )
    # a post shows the card of the edition it appeared in
    assert post["og:image"] == BASE + "editions/1/card.png"
    edition = meta(built_example / "editions/3/index.html")
    assert edition["description"] == (
        "This edition has a theme: problems that are really about people."
    )
    assert edition["og:image"] == BASE + "editions/3/card.png"
    assert "Migrations, suppression rules and a seminar" in edition["og:image:alt"]
    member = meta(built_example / "members/yusuf/index.html")["description"]
    assert member.startswith("Yusuf") and "Topics: #" in member
    assert "#mapping" in member or member.endswith("…")
    home = meta(built_example / "index.html")
    assert home["description"].startswith("What data, research and civic-tech people")
    assert home["og:image"] == BASE + "card.png"


def test_every_page_has_a_preview_and_only_the_404_no_canonical(built_example: Path) -> None:
    pages = [p for p in built_example.rglob("*.html") if p.parts[-2:-1] != ("email",)]
    assert len(pages) > 150
    for page in pages:
        tags = meta(page)
        assert (built_example / tags["og:image"].removeprefix(BASE)).is_file(), page
        assert tags["og:title"] and tags["og:description"], page
        if page.name == "404.html":
            assert "canonical" not in tags and "og:url" not in tags
        else:
            assert tags["canonical"] == tags["og:url"], page


def test_cards_are_the_right_size_and_carry_no_metadata(built_example: Path) -> None:
    cards = [built_example / "card.png", *sorted(built_example.glob("editions/*/card.png"))]
    assert len(cards) == 11
    for card in cards:
        data = card.read_bytes()
        assert png_size(data) == (CARD_WIDTH, CARD_HEIGHT)
        # no tIME, tEXt, iTXt, zTXt, eXIf or pHYs: nothing that could differ between builds
        assert set(png_chunks(data)) <= {"IHDR", "PLTE", "tRNS", "IDAT", "IEND"}, card


@pytest.mark.slow
def test_cards_are_byte_identical_across_builds(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    outputs = []
    for name in ("one", "two"):
        shutil.rmtree(root / ".newsletter", ignore_errors=True)  # each card drawn, not cached
        result = run("build", "--today", EXAMPLE_TODAY, "-o", str(tmp_path / name), cwd=root)
        assert result.exit_code == 0, result.output
        outputs.append(tmp_path / name)
    first = {p.relative_to(outputs[0]): p.read_bytes() for p in outputs[0].rglob("*.png")}
    second = {p.relative_to(outputs[1]): p.read_bytes() for p in outputs[1].rglob("*.png")}
    assert len(first) == 11
    assert first == second


HOSTILE = '"><script>alert(1)</script>'


@pytest.mark.slow
def test_hostile_titles_are_escaped_in_the_tags(tmp_path: Path) -> None:
    root = project(tmp_path / "p", posts={"hostile": post(f"'{HOSTILE}'", "ada", body=HOSTILE)})
    write(
        root,
        "newsletter.yaml",
        f"title: '{HOSTILE}'\ndescription: '<b>&amp;'\nbase_url: https://news.example.org/\n",
    )
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    page = root / "site/posts/2026/hostile/index.html"
    head = page.read_text(encoding="utf-8").split("</head>")[0]
    assert "<script" not in head and '"><' not in head
    tags = meta(page)  # the parser unescapes: the exact text came through
    assert tags["og:title"] == tags["twitter:title"] == HOSTILE
    assert tags["og:site_name"] == HOSTILE
    home = meta(root / "site/index.html")
    assert home["og:description"] == "<b>&amp;"
    assert (root / "site/editions/1/card.png").is_file()


@pytest.mark.slow
def test_a_post_with_an_image_is_previewed_by_it(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    folder = "content/posts/2026/street-trees"
    body = "![Canopy by ward](map.png)"
    write(root, f"{folder}/index.md", post("Street trees", "ada", body=body))
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buffer, "PNG")
    (root / folder / "map.png").write_bytes(buffer.getvalue())
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    tags = meta(root / "site/posts/2026/street-trees/index.html")
    assert tags["og:image"] == "https://news.example.org/posts/2026/street-trees/map.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("640", "480")
    assert tags["og:image:alt"] == "Canopy by ward"
    assert tags["twitter:card"] == "summary_large_image"
    # a post with no image of its own shows its edition's card
    other = meta(root / "site/posts/2026/hello/index.html")
    assert other["og:image"] == "https://news.example.org/editions/1/card.png"


@pytest.mark.slow
def test_cards_follow_the_theme_palette(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    write(
        root,
        "templates/static/style.css",
        ":root { --paper: #102030; --accent: rgb(0, 200, 0); --ink: var(--x); }\n"
        "@media (prefers-color-scheme: dark) { :root { --paper: #ffffff; } }\n",
    )
    result = run("build", "--today", EXAMPLE_TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    with Image.open(root / "site/editions/1/card.png") as card:
        rgb = card.convert("RGB")
        assert rgb.getpixel((CARD_WIDTH - 5, CARD_HEIGHT // 2)) == (0x10, 0x20, 0x30)  # paper
        assert rgb.getpixel((5, 5)) == (0, 200, 0)  # the accent bar


def test_without_dejavu_the_builtin_font_draws_a_card(built_example: Path) -> None:
    fonts = CardFonts(system=False)
    assert fonts.builtin
    assert fonts.fold("Lucía’s café — Straße") == "Lucia’s cafe - Strasse"
    assert fonts.fold("東京") == "??"
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    site, _ = site_in_memory(Project(built_example.parent), BuildOptions(today=today))
    data = draw_edition_card(site, site.editions[0], Palette(), fonts)
    assert png_size(data) == (CARD_WIDTH, CARD_HEIGHT)
    assert data == draw_edition_card(site, site.editions[0], Palette(), fonts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two.", "One."),
        ("Use e.g. this one. Then more.", "Use e.g. this one."),
        ("It costs 3.5 million! And more.", "It costs 3.5 million!"),
        ("Is it “done?” Yes.", "Is it “done?”"),
        ("No full stop at all", "No full stop at all"),
        ("A first paragraph\n\nA second one.", "A first paragraph"),
        ("\n\n  Spaced   out.  ", "Spaced out."),
        ("", ""),
    ],
)
def test_first_sentence(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


def test_shorten_cuts_on_a_word_boundary() -> None:
    long = "word " * 100
    cut = shorten(long)
    assert len(cut) <= 200 and cut.endswith("word…")
    assert shorten("x" * 300) == "x" * 199 + "…"
    assert shorten("short, enough") == "short, enough"
    assert shorten("alpha, beta, gamma, delta", 15) == "alpha, beta…"

"""Social previews: what a link to the site shows where it is shared.

Owns two things. Each page's :class:`PageHead` (canonical URL, Open Graph and
Twitter card values), which ``pages`` passes to every template and
``base.html`` turns into tags. And the card images: a 1200×630 PNG for each
edition (``editions/<n>/card.png``) and one for the site (``card.png``), drawn
with Pillow in the theme's palette. A post's preview image is its own cover if
it has one, else its edition's card, else the site's.

Like every renderer, returns bytes and writes no output. Deterministic: the same
content and fonts give the same bytes, with no date or other metadata in the PNG.
Which is what lets drawing be skipped: a card is described by its :class:`CardFace`
(its texts, colours and fonts), and the project's card cache (``.newsletter/cards/``,
a ``project.blobcache``) keeps each image by a digest of its face, the fonts' files
and this code. A card that looks the same is read back, never drawn again, whatever
else changed; the cache holds the current site's cards only.

Fonts: DejaVu (Serif Bold for titles, Sans for the rest), found wherever Pillow
looks for system fonts (Debian's fonts-dejavu-core). Without it, Pillow's own
scalable font (Aileron, ASCII only) is used, and titles are folded to ASCII to
fit its glyphs; cards still build, with no system dependency.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache, partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlsplit

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont, features

from newsletter.core import urls
from newsletter.core.markup import DESCRIPTION_LIMIT, plain_text, shorten
from newsletter.core.model import EditionView, Member, Page, Post, Site
from newsletter.project.blobcache import BlobCache, blob_key
from newsletter.project.sources import Project
from newsletter.render.environment import Theme
from newsletter.render.jobs import Job, Output
from newsletter.render.locale import ENGLISH, Language

CARD_WIDTH, CARD_HEIGHT = 1200, 630
"""The size Open Graph and Twitter's large summary card both display uncropped."""


# -- descriptions ---------------------------------------------------------------------------

# A sentence ends at . ! ? or … (closing quotes and brackets kept) before a space and
# something that is not a lower-case letter: 'e.g. this' and '3.5' do not end one.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[^\sa-z]|\s*$)")


def first_sentence(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The first sentence of plain ``text`` (in its first paragraph), shortened to
    ``limit`` characters."""
    paragraph = next((p for p in re.split(r"\n\s*\n", text) if p.strip()), "")
    paragraph = " ".join(paragraph.split())
    end = _SENTENCE_END.search(paragraph)
    return shorten(paragraph[: end.end()] if end else paragraph, limit)


def post_description(post: Post) -> str:
    """A post's ``summary:``, else its first sentence, from its HTML body (its Markdown if
    it has none)."""
    if post.summary:
        return shorten(post.summary)
    return first_sentence(plain_text(post.body_html) if post.body_html else post.body_md)


def edition_description(view: EditionView) -> str:
    """The first sentence of the editor's note, or else the titles of its items."""
    edition = view.edition
    if edition.note_html or edition.note_md:
        note = plain_text(edition.note_html) if edition.note_html else edition.note_md
        sentence = first_sentence(note)
        if sentence:
            return sentence
    return shorten(" · ".join(p.title for p in view.items))


def member_description(member: Member, language: Language = ENGLISH) -> str:
    """'Name — role, org. Topics: #a, #b.': who they are and what they work on."""
    text = member.name
    work = ", ".join(part for part in (member.role, member.org) if part)
    if work:
        text += f" — {work}."
    if member.topics:
        topics = language.join(f"#{t}" for t in member.topics)
        text += (" " if work else ". ") + language.gettext("Topics: %(topics)s.") % {
            "topics": topics
        }
    return shorten(text)


# -- page metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class PageHead:
    """What a page tells link previews and search engines; drawn by base.html."""

    title: str
    """The page's own title, without the site's name (og:site_name carries that)."""
    description: str
    url: str | None
    """The canonical absolute URL; None for a page with no address of its own (404)."""
    image: str
    """Absolute URL of the preview image."""
    image_alt: str
    image_width: int | None = CARD_WIDTH
    """The image's size if known (a generated card); None for a post's own cover."""
    image_height: int | None = CARD_HEIGHT
    type: Literal["article", "website"] = "website"


@dataclass(frozen=True)
class Previews:
    """Builds each page's :class:`PageHead`: one place for titles, descriptions and images."""

    site: Site
    language: Language
    """The site's: what titles, descriptions and image texts are said in."""

    def _abs(self, path: str) -> str:
        config = self.site.config
        folder = urls.language_folder(self.language.tag, config.language)
        return config.base_url + urls.in_language(folder, path)

    def _description(self, text: str) -> str:
        config = self.site.config
        return text or shorten(config.description) or config.title

    def _site_card(self) -> tuple[str, str]:
        config = self.site.config
        alt = f"{config.title}: {config.description}" if config.description else config.title
        return self._abs(urls.SITE_CARD), alt

    def page(self, path: str | None, title: str, description: str = "") -> PageHead:
        """A page with the site's card; ``path`` None for one with no canonical URL."""
        image, alt = self._site_card()
        return PageHead(
            title=title,
            description=self._description(description),
            url=None if path is None else self._abs(path),
            image=image,
            image_alt=alt,
        )

    def edition(self, view: EditionView) -> PageHead:
        edition = view.edition
        values = {"number": edition.number, "title": edition.title}
        return PageHead(
            title=self.language.gettext("Edition %(number)s: %(title)s")
            % self.language.values(values),
            description=self._description(edition_description(view)),
            url=self._abs(edition.url),
            image=self._abs(urls.edition_card(edition.number)),
            image_alt=card_alt(self.site, view, self.language),
            type="article",
        )

    def post(self, post: Post, view: EditionView | None) -> PageHead:
        """A post: its cover image if it has one, else its edition's card, else the site's."""
        if view is not None:
            card = urls.edition_card(view.edition.number)
            image, alt = self._abs(card), card_alt(self.site, view, self.language)
        else:
            image, alt = self._site_card()
        meta = PageHead(
            title=post.title,
            description=self._description(post_description(post)),
            url=self._abs(post.url),
            image=image,
            image_alt=alt,
            type="article",
        )
        if not post.cover:
            return meta
        asset = next((a for a in post.assets if post.url + a.name == post.cover), None)
        return replace(
            meta,
            image=urljoin(self.site.config.base_url, post.cover),
            image_alt=image_alt(post.body_html, post.cover) or post.title,
            image_width=asset.width if asset else None,
            image_height=asset.height if asset else None,
        )

    def member(self, member: Member) -> PageHead:
        return self.page(member.url, member.name, member_description(member, self.language))

    def standalone(self, page: Page) -> PageHead:
        """A standalone page: its ``summary:``, else its first sentence."""
        text = page.summary or first_sentence(plain_text(page.body_html))
        return self.page(page.url, page.title, shorten(text))


class _ImageAlts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src"):
            self.alts.setdefault(values["src"] or "", values.get("alt") or "")


def image_alt(html: str, path: str) -> str:
    """The alt text of the first image of ``html`` at site path ``path`` ('' if none)."""
    if "<img" not in html:
        return ""
    parser = _ImageAlts()
    parser.feed(html)
    return next((alt for src, alt in parser.alts.items() if src.endswith("/" + path)), "")


# -- card images ----------------------------------------------------------------------------

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Role = Literal["title", "label", "text"]
Colour = tuple[int, int, int]

FONT_FILES: dict[Role, str] = {
    "title": "DejaVuSerif-Bold.ttf",
    "label": "DejaVuSans-Bold.ttf",
    "text": "DejaVuSans.ttf",
}
"""The card's fonts by role; Pillow finds them in the system's font folders."""


@cache
def _font_path(name: str) -> str | None:
    """Where font file ``name`` is installed, or None: looked for once per process."""
    try:
        font = ImageFont.truetype(name, 10)
    except OSError:
        return None
    return str(font.path)


@dataclass(frozen=True)
class CardFonts:
    """The fonts of the cards; ``system=False`` forces Pillow's own font (for tests)."""

    system: bool = True

    @property
    def builtin(self) -> bool:
        """True when Pillow's own ASCII-only font is in use."""
        return not self.system or any(_font_path(f) is None for f in FONT_FILES.values())

    def get(self, role: Role, size: int) -> Font:
        return _load_font(role, size, self.builtin)

    def fold(self, text: str) -> str:
        """``text`` as the font can draw it: with the built-in font, folded to ASCII."""
        if not self.builtin:
            return text
        decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
        return "".join(
            c if c.isascii() or c in _BUILTIN_EXTRA else "?"
            for c in decomposed
            if not unicodedata.combining(c)
        )


_LATIN = str.maketrans(
    {"–": "-", "—": "-", "‒": "-", "−": "-", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe"}
    | {"Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"}
)
_BUILTIN_EXTRA = frozenset("©«°±´·»‘’“”…‹›⁄™")
"""What Pillow's built-in font draws beyond ASCII."""


@cache
def _load_font(role: Role, size: int, builtin: bool) -> Font:
    path = None if builtin else _font_path(FONT_FILES[role])
    if path is None:
        return ImageFont.load_default(size)
    # BASIC layout: the same glyph positions whether or not libraqm is installed
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class Palette:
    """The theme's light colours, from the custom properties of its style.css."""

    paper: Colour = (0xFB, 0xFA, 0xF7)
    ink: Colour = (0x1C, 0x1F, 0x23)
    ink_2: Colour = (0x3A, 0x40, 0x47)
    muted: Colour = (0x59, 0x61, 0x6A)
    rule: Colour = (0xE5, 0xDF, 0xD3)
    accent: Colour = (0x9A, 0x34, 0x12)


_PROPERTY_RE = re.compile(r"--(paper|ink|ink-2|muted|rule|accent)\s*:\s*([^;}]+)")


def palette(static: Mapping[str, Path]) -> Palette:
    """The palette of the theme's ``static/style.css``: the first value of each colour
    (the light scheme, before any dark-mode block); the default theme's otherwise."""
    css_path = static.get("static/style.css")
    css = css_path.read_text(encoding="utf-8") if css_path else ""
    found: dict[str, Colour] = {}
    for match in _PROPERTY_RE.finditer(css):
        name = match.group(1).replace("-", "_")
        if name in found:
            continue
        try:
            colour = ImageColor.getrgb(match.group(2).strip())
        except ValueError:  # var(), color-mix(): not a colour Pillow reads; keep the default
            continue
        found[name] = (colour[0], colour[1], colour[2])
    return Palette(**found)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels; a word wider than a line is split."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = next(
                i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width or i == 1
            )
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _ellipsize(line: str, font: Font, width: int) -> str:
    while line and font.getlength(line + "…") > width:
        line = line[:-1].rstrip()
    return line + "…"


def fit(
    text: str, fonts: CardFonts, role: Role, sizes: range, width: int, max_lines: int
) -> tuple[Font, int, list[str]]:
    """The largest of ``sizes`` at which ``text`` wraps into ``max_lines`` lines of
    ``width`` pixels; at the smallest, the lines that fit, the last one cut with '…'."""
    font, size, lines = fonts.get(role, sizes[0]), sizes[0], [text]
    for size in sizes:
        font = fonts.get(role, size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, size, lines
    kept = lines[:max_lines]
    kept[-1] = _ellipsize(kept[-1], font, width)
    return font, size, kept


MARGIN = 96
BAR = 24
TEXT_WIDTH = CARD_WIDTH - 2 * MARGIN


def _canvas(colours: Palette) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (CARD_WIDTH, CARD_HEIGHT), colours.paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, BAR - 1, CARD_HEIGHT - 1), fill=colours.accent)
    return image, draw


def _footer(
    draw: ImageDraw.ImageDraw, fonts: CardFonts, colours: Palette, left: str, right: str
) -> None:
    """A rule, then ``left`` and ``right`` (right-aligned) in muted text."""
    y = CARD_HEIGHT - 118
    draw.line((MARGIN, y, CARD_WIDTH - MARGIN, y), fill=colours.rule, width=2)
    font = fonts.get("text", 28)
    right_width = int(font.getlength(right))
    draw.text((CARD_WIDTH - MARGIN - right_width, y + 34), right, font=font, fill=colours.muted)
    room = TEXT_WIDTH - right_width - 40
    left = left if font.getlength(left) <= room else _ellipsize(left, font, room)
    draw.text((MARGIN, y + 34), left, font=font, fill=colours.muted)


def _brand(draw: ImageDraw.ImageDraw, fonts: CardFonts, colours: Palette, title: str) -> None:
    font, _, lines = fit(title, fonts, "title", range(36, 27, -4), TEXT_WIDTH, 1)
    draw.text((MARGIN, 64), lines[0], font=font, fill=colours.accent)


def _lines(
    draw: ImageDraw.ImageDraw,
    y: int,
    lines: list[str],
    font: Font,
    size: int,
    fill: Colour,
    leading: float,
) -> int:
    """Draws ``lines`` from ``y`` down; returns the y below the last one."""
    step = round(size * leading)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += step
    return y


RAMP_STEPS = 16
"""Shades between the paper and each colour drawn on it: enough for smooth edges."""


def _mix(paper: Colour, colour: Colour, share: float) -> Colour:
    red, green, blue = (round(p + (c - p) * share) for p, c in zip(paper, colour, strict=True))
    return (red, green, blue)


def _indexed(colours: Palette) -> Image.Image:
    """A palette image of the card's colours: the paper, and from it a ramp of shades to
    each colour drawn on it, ending on that exact colour."""
    paper = colours.paper
    shades = [paper] + [
        _mix(paper, colour, step / RAMP_STEPS)
        for colour in (colours.ink, colours.ink_2, colours.muted, colours.rule, colours.accent)
        for step in range(1, RAMP_STEPS + 1)
    ]
    image = Image.new("P", (1, 1))
    image.putpalette([channel for shade in shades for channel in shade])
    return image


def _png(image: Image.Image, colours: Palette) -> bytes:
    """The card as an indexed PNG (a third of the bytes of RGB, every theme colour
    exact), with no metadata chunk (no date, no software): reproducible. zlib's level 7,
    not ``optimize`` (level 9, trying every filter): a quarter of the time (7 ms a card
    against 25) for an eighth more bytes (13.5 KB against 12.0)."""
    indexed = image.quantize(palette=_indexed(colours), dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    indexed.save(buffer, "PNG", compress_level=7)
    return buffer.getvalue()


def _host(site: Site) -> str:
    parts = urlsplit(site.config.base_url)
    return (parts.netloc + parts.path).rstrip("/")


def card_alt(site: Site, view: EditionView, language: Language = ENGLISH) -> str:
    """What an edition's card shows, as text: its image's alt."""
    edition = view.edition
    values = {
        "site": site.config.title,
        "number": edition.number,
        "title": edition.title,
        "date": language.long_date(edition.date),
        "items": _items(view, language),
    }
    # Translators: the text of an edition's preview image
    text = language.gettext("%(site)s, edition %(number)s: %(title)s. %(date)s, %(items)s.")
    return text % language.values(values)


def _items(view: EditionView, language: Language) -> str:
    count = len(view.items)
    return language.ngettext("%(num)s item", "%(num)s items", count) % language.values(
        {"num": count}
    )


@dataclass(frozen=True)
class CardText:
    """The words an edition's card shows, in the site's language."""

    label: str
    """'EDITION 3', above the title."""
    footer: str
    """'19 November 2026 · 3 items'."""


def edition_card_text(view: EditionView, language: Language = ENGLISH) -> CardText:
    edition = view.edition
    label = language.gettext("Edition %(number)s") % language.values({"number": edition.number})
    footer = f"{language.long_date(edition.date)} · {_items(view, language)}"
    return CardText(label.upper(), footer)


def site_card_footer(site: Site, language: Language = ENGLISH) -> str:
    """'12 editions' (nothing before the first) under the site's card."""
    editions = len(site.editions)
    if not editions:
        return ""
    text = language.ngettext("%(num)s edition", "%(num)s editions", editions)
    return text % language.values({"num": editions})


@dataclass(frozen=True)
class CardFace:
    """Everything a card shows, as it is drawn (its texts folded to the font): what its
    image depends on besides the drawing code and the fonts' files, and so what the
    image is kept by in the card cache."""

    kind: Literal["edition", "site"]
    title: str
    footer: str
    """Left of the footer: '19 November 2026 · 3 items', or '12 editions'."""
    host: str
    """Right of the footer: the site's address."""
    colours: Palette
    fonts: CardFonts
    brand: str = ""
    """An edition's: the newsletter's name, above its label."""
    label: str = ""
    """An edition's: 'EDITION 3', above its title."""
    description: str = ""
    """The site's: under its name."""


def edition_face(
    site: Site,
    view: EditionView,
    colours: Palette,
    fonts: CardFonts | None = None,
    language: Language = ENGLISH,
) -> CardFace:
    """What an edition's card shows: the newsletter's name, 'Edition n', its title, date
    and size."""
    fonts = fonts or CardFonts()
    text = edition_card_text(view, language)
    return CardFace(
        "edition",
        fonts.fold(view.edition.title),
        fonts.fold(text.footer),
        fonts.fold(_host(site)),
        colours,
        fonts,
        brand=fonts.fold(site.config.title),
        label=fonts.fold(text.label),
    )


def site_face(
    site: Site, colours: Palette, fonts: CardFonts | None = None, language: Language = ENGLISH
) -> CardFace:
    """What the site's card shows: the newsletter's name and description."""
    fonts = fonts or CardFonts()
    config = site.config
    return CardFace(
        "site",
        fonts.fold(config.title),
        fonts.fold(site_card_footer(site, language)),
        fonts.fold(_host(site)),
        colours,
        fonts,
        description=fonts.fold(config.description),
    )


def draw_card(face: CardFace) -> bytes:
    """The card ``face`` describes, as PNG bytes."""
    fonts, colours = face.fonts, face.colours
    image, draw = _canvas(colours)
    if face.kind == "edition":
        _brand(draw, fonts, colours, face.brand)
        draw.text((MARGIN, 150), face.label, font=fonts.get("label", 26), fill=colours.muted)
        font, size, lines = fit(face.title, fonts, "title", range(76, 47, -4), TEXT_WIDTH, 3)
        _lines(draw, 196, lines, font, size, colours.ink, 1.18)
    else:
        font, size, lines = fit(face.title, fonts, "title", range(84, 51, -4), TEXT_WIDTH, 2)
        y = _lines(draw, 120, lines, font, size, colours.ink, 1.15)
        if face.description:
            font, size, lines = fit(
                face.description, fonts, "text", range(36, 27, -4), TEXT_WIDTH, 3
            )
            _lines(draw, y + 24, lines, font, size, colours.ink_2, 1.35)
    _footer(draw, fonts, colours, face.footer, face.host)
    return _png(image, colours)


def draw_edition_card(
    site: Site,
    view: EditionView,
    colours: Palette,
    fonts: CardFonts | None = None,
    language: Language = ENGLISH,
) -> bytes:
    """An edition's card (:func:`edition_face`), drawn."""
    return draw_card(edition_face(site, view, colours, fonts, language))


def draw_site_card(
    site: Site, colours: Palette, fonts: CardFonts | None = None, language: Language = ENGLISH
) -> bytes:
    """The site's card (:func:`site_face`), drawn."""
    return draw_card(site_face(site, colours, fonts, language))


# -- the card cache -------------------------------------------------------------------------

CARD_CACHE = "cards"
"""The card cache's folder in the project's state folder (.newsletter/cards/)."""


@cache
def _drawing_stamp(builtin: bool) -> str:
    """A digest of what draws a card besides its face: this module's code, the fonts'
    files, and the versions of Pillow and of the FreeType and zlib (or zlib-ng) it draws
    and packs with. Computed once per process."""
    parts: list[bytes | str] = [
        Path(__file__).read_bytes(),
        f"{CARD_WIDTH}x{CARD_HEIGHT}",
        PIL.__version__,
        *(features.version(name) or "" for name in ("freetype2", "zlib", "zlib_ng")),
    ]
    for name in FONT_FILES.values():
        path = None if builtin else _font_path(name)
        parts.append(Path(path).read_bytes() if path else "Pillow's own font")
    return blob_key(*parts)


def card_key(face: CardFace) -> str:
    """The key of ``face``'s image in the card cache: a digest of exactly what decides
    its bytes, and nothing else (not the build, not the date, not the rest of the site)."""
    return blob_key(repr(face), _drawing_stamp(face.fonts.builtin))


def card_cache(project: Project) -> BlobCache:
    """The project's card cache: PNG bytes by :func:`card_key`."""
    return BlobCache(project.state / CARD_CACHE, ".png")


def social_jobs(site: Site, theme: Theme, *, cached: bool = True) -> list[Job]:
    """The site's card and one card per published edition, as PNG bytes by path, in the
    site's language.

    With ``cached``, a card is drawn only when the project's card cache has no image of
    its face (:func:`card_key`): whatever else changed (the config, a template, a member,
    this package's other code), a card that looks the same is read back, not drawn. The
    cache then keeps this site's cards only: the others are removed as the jobs are
    planned, before any runs."""
    colours = palette(theme.static)
    language = theme.language(site.config.language)
    fonts = CardFonts()
    faces = {urls.SITE_CARD: site_face(site, colours, fonts, language)}
    for view in site.editions:
        faces[urls.edition_card(view.edition.number)] = edition_face(
            site, view, colours, fonts, language
        )
    store = card_cache(theme.project) if cached else None
    if store is not None:
        store.keep_only(card_key(face) for face in faces.values())
    return [Job(path, (face,), partial(_card, path, face, store)) for path, face in faces.items()]


def _card(path: str, face: CardFace, store: BlobCache | None) -> Output:
    if store is None:
        return {path: draw_card(face)}
    return {path: store.get_or_make(card_key(face), partial(draw_card, face))}

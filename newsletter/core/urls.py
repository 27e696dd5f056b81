"""URLs: the site's layout, and shared links normalized.

The layout is the one map of where everything lives in a built site, as paths relative
to its root: a folder ('posts/2026/weak-ties/', served as its index.html) or a file
('feed.xml'). The model's ``url`` properties, ``render`` (where each output is written)
and ``check`` (which internal links resolve) all read it here. Shared links are
normalized so one article is recognised however it was copied.

Plain functions of strings and numbers: nothing here imports the model or reads a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from anyascii import anyascii

# -- the site's layout ----------------------------------------------------------------------

HOME = ""
ARCHIVE = "archive/"
MEMBERS = "members/"
TOPICS = "topics/"
NETWORK = "network/"
ASKS = "asks/"
"""Every ask, open first, and how long asks wait for a first answer."""
SEARCH = "search/"
NOT_FOUND = "404.html"
ROBOTS = "robots.txt"
SITEMAP = "sitemap.xml"
ATOM_FEED = "feed.xml"
JSON_FEED = "feed.json"
EVENTS = "events.ics"
BLOGROLL = "feeds.opml"
"""The OPML list of members' feeds."""
SITE_CARD = "card.png"
"""The site's preview image."""
STATIC = "static/"
"""The theme's static files, under their own names."""

FIXED_PAGES = (
    HOME,
    ARCHIVE,
    MEMBERS,
    TOPICS,
    ATOM_FEED,
    JSON_FEED,
    EVENTS,
    SITEMAP,
    NOT_FOUND,
    ROBOTS,
    BLOGROLL,
    NETWORK,
    SITE_CARD,
    SEARCH,
    ASKS,
)
"""Pages every site has; the rest come from content."""


def language_folder(tag: str, main: str) -> str:
    """Where a language's pages are: '' for the main language (the site's root), else its
    tag in lower case ('fr/', 'pt-br/')."""
    return "" if tag == main else f"{tag.lower()}/"


def in_every_language(path: str) -> bool:
    """Whether a multilingual site has ``path`` in each language: pages (folders) and the
    feeds do; files (images, styles, the calendar) are one for all."""
    bare = re.split(r"[?#]", path, maxsplit=1)[0]
    page = bare == "" or bare.endswith("/") or bare in (ATOM_FEED, JSON_FEED)
    return page and not bare.startswith((STATIC, "pagefind/"))


def in_language(folder: str, path: str) -> str:
    """The path of ``path`` in the language whose folder is ``folder`` ('' for the main
    language's, which is ``path`` itself)."""
    return folder + path if folder and in_every_language(path) else path


def post_url(year: int, slug: str) -> str:
    return f"posts/{year}/{slug}/"


def post_key_url(key: str) -> str:
    """The page of the post whose key is ``key`` ('2026/weak-ties'), as asks and answers
    name each other."""
    year, _, slug = key.partition("/")
    return post_url(int(year), slug)


def page_url(slug: str) -> str:
    """A standalone page (content/pages/<slug>.md): at the top of the site, /about/."""
    return f"{slug}/"


SECTIONS = ("posts", "members", "editions", "topics", "email", "page", "pagefind", "static")
"""Folders of the site that hold pages or files of their own (a listing's later pages
are under page/)."""


def taken_by_site(slug: str) -> bool:
    """Whether /<slug>/ is already one of the site's own addresses (members/, search/…),
    which a standalone page cannot take."""
    return slug in SECTIONS or any(path.split("/")[0] == slug for path in FIXED_PAGES)


def member_url(handle: str) -> str:
    return f"{MEMBERS}{handle}/"


def shared_url(handle: str) -> str:
    """Everything a member shared, a page at a time (their page shows the latest)."""
    return f"{member_url(handle)}shared/"


def edition_url(number: int) -> str:
    return f"editions/{number}/"


def edition_card(number: int) -> str:
    """An edition's preview image."""
    return f"{edition_url(number)}card.png"


def edition_email(number: int) -> tuple[str, str]:
    """An edition's email as published on the site: (HTML, plain text)."""
    return f"email/{number}.html", f"email/{number}.txt"


def topic_url(tag: str) -> str:
    return f"{TOPICS}{tag}/"


def listing_page(base: str, number: int) -> str:
    """Page ``number`` (from 1) of the listing at ``base``: the first is ``base`` itself."""
    return base if number == 1 else f"{base}page/{number}/"


def page_file(path: str) -> str:
    """The file a page is written to: a folder's is its index.html."""
    return f"{path}index.html" if path.endswith("/") or not path else path


def page_path(link_path: str) -> str:
    """The page a link's path (relative to the site root) names, as ``site_paths`` has it:
    'members/index.html' and 'members' are 'members/'; 'feed.xml' is itself."""
    target = link_path.removesuffix("index.html")
    if target and not target.endswith("/") and "." not in target.rsplit("/", 1)[-1]:
        target += "/"
    return target


def site_paths(
    *,
    posts: Iterable[tuple[int, str]],
    handles: Iterable[str],
    editions: Iterable[int],
    tags: Iterable[str],
    pages: Iterable[str] = (),
) -> set[str]:
    """Every page of a site with these posts (year, slug), members, editions, topics and
    standalone pages (slugs): what an internal link may point at. The later pages of a
    listing are left out."""
    paths = set(FIXED_PAGES)
    paths.update(page_url(slug) for slug in pages)
    paths.update(post_url(year, slug) for year, slug in posts)
    paths.update(member_url(handle) for handle in handles)
    for number in editions:
        paths.update((edition_url(number), *edition_email(number)))
    paths.update(topic_url(tag) for tag in tags)
    return paths


# -- shared links -----------------------------------------------------------------------------

TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "si",
    "ref",
    "ref_src",
    "ref_url",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "yclid",
    "spm",
}


def is_tracking(param: str) -> bool:
    param = param.lower()
    return param.startswith(("utm_", "pk_", "hsa_")) or param in TRACKING_PARAMS


def normalize_link(url: str) -> str:
    """A canonical form of a shared link: no tracking parameters, fragment or 'www.'."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    query = urlencode(
        sorted(
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
        )
    )
    path = parts.path.rstrip("/") or ""
    return urlunsplit(
        (
            "https" if parts.scheme in ("http", "https") else parts.scheme.lower(),
            host,
            path,
            query,
            "",
        )
    )


def strip_tracking(url: str) -> str:
    """``url`` without its tracking parameters (utm_*, fbclid…); otherwise as given."""
    parts = urlsplit(url.strip())
    if not parts.query:
        return url.strip()
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    if len(kept) == len(pairs):
        return url.strip()
    return urlunsplit(parts._replace(query=urlencode(kept)))


def slugify(text: str, length: int = 60) -> str:
    """'Why weak ties — find you a job!' → 'why-weak-ties-find-you-a-job'; '' if no letters.

    Letters and digits of every script are transliterated, so an address stays plain ASCII
    and readable in any language: 'Открытые данные' → 'otkrytye-dannye', 'Ανοιχτά
    δεδομένα' → 'anoichta-dedomena', 'البيانات' → 'lbynt', 'オープンデータ' → 'opundeta'
    (kanji are read as Chinese: '東京' → 'dongjing').
    """
    if not text.isascii():
        text = "".join(map(_ascii_letters, unicodedata.normalize("NFC", text)))
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:length].rstrip("-")


def _ascii_letters(char: str) -> str:
    """A character as ASCII: its decomposition without accents ('é' → 'e', 'ﬁ' → 'fi'),
    or for a letter or digit that has none, its transliteration (anyascii: 'ж' → 'zh',
    'ß' → 'ss'); other marks and symbols are dropped."""
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if plain or unicodedata.category(char)[0] not in "LN":
        return plain
    return anyascii(char)

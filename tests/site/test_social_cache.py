"""The card cache (.newsletter/cards/): a card whose look did not change is never drawn
again, whatever else changed; one whose look changed, or whose cached image is damaged,
is drawn; the cache keeps the current site's cards only.

What proves a card was not drawn again: its cache entry is the same file (inode and
mtime), since a drawn card is written to a new file renamed over the old one; and the
build reports that it ran the card jobs (``BuildResult.rendered``), so the cache, not a
skipped job, is what spared them. Images beside posts (.newsletter/images/) are kept
the same way."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from newsletter import api
from newsletter.pipeline.build import BuildOptions, BuildResult
from newsletter.project.blobcache import MAGIC, BlobCache
from newsletter.project.theme import builtin_theme
from newsletter.render import social
from newsletter.render.social import CARD_CACHE

from support.clock import TODAY_DATE
from support.helpers import post, project, write

pytestmark = pytest.mark.slow

EDITIONS = 12
"""Enough editions (pages, emails, cards) for the jobs to run in worker processes."""


def newsletter(root: Path) -> Path:
    """A project of ``EDITIONS`` editions, one post each."""
    posts = {f"p{n}": post(f"Post {n}", "ada", date=f"2026-10-{n:02}") for n in range(1, 13)}
    project(root, posts=posts)
    for n in range(1, EDITIONS + 1):
        write(
            root,
            f"content/editions/{n}.md",
            f"---\ntitle: Edition number {n}\ndate: 2026-10-{n:02}\n---\nHello.\n",
        )
    return root


def build(root: Path) -> BuildResult:
    options = BuildOptions(today=TODAY_DATE, jobs=2, search=False)
    return api.build(api.load_project(root), options=options)


def entries(root: Path) -> dict[str, tuple[int, int]]:
    """Each cached card's file: its inode and mtime, which change if it is written again."""
    found = {}
    for path in (root / ".newsletter" / CARD_CACHE).glob("*.png"):
        st = path.stat()
        found[path.name] = (st.st_ino, st.st_mtime_ns)
    return found


def cache(root: Path) -> BlobCache:
    return BlobCache(root / ".newsletter" / CARD_CACHE, ".png")


def entry_of(root: Path, card: str) -> Path:
    """The cache entry holding the image of ``card`` (a path in site/)."""
    data = (root / "site" / card).read_bytes()
    store = cache(root)
    return next(p for p in store.folder.glob("*.png") if store.get(p.stem) == data)


def edit_a_template(root: Path) -> None:
    """A site-wide change: every page's key changes, and every card job runs again."""
    footer = (builtin_theme() / "partials/footer.html").read_text(encoding="utf-8")
    write(root, "templates/partials/footer.html", footer + "{# edited #}\n")


def test_a_site_wide_change_redraws_no_card(tmp_path: Path) -> None:
    root = newsletter(tmp_path / "p")
    first = build(root)
    before = entries(root)
    assert len(before) == EDITIONS + 1  # each edition's card and the site's
    assert first.rendered >= 64  # so the jobs ran in the worker processes
    edit_a_template(root)
    second = build(root)
    assert second.rendered == first.rendered  # every job ran again, the cards' too
    assert entries(root) == before  # and no card was drawn or written again
    for number in (1, EDITIONS):
        assert entry_of(root, f"editions/{number}/card.png").name in before


def test_a_card_whose_title_changed_is_drawn_and_the_old_one_removed(tmp_path: Path) -> None:
    root = newsletter(tmp_path / "p")
    build(root)
    before = entries(root)
    old_card = (root / "site/editions/3/card.png").read_bytes()
    old_entry = entry_of(root, "editions/3/card.png").name
    write(root, "content/editions/3.md", "---\ntitle: Renamed\ndate: 2026-10-03\n---\nHi.\n")
    build(root)
    after = entries(root)
    assert (root / "site/editions/3/card.png").read_bytes() != old_card
    new_entry = entry_of(root, "editions/3/card.png").name
    assert new_entry not in before and old_entry not in after  # the unused one is removed
    assert {n: v for n, v in after.items() if n != new_entry} == {
        n: v for n, v in before.items() if n != old_entry
    }


def test_a_damaged_cached_card_is_drawn_again(tmp_path: Path) -> None:
    root = newsletter(tmp_path / "p")
    build(root)
    cards = {c: (root / "site" / c).read_bytes() for c in ("card.png", "editions/1/card.png")}
    cut, garbled = entry_of(root, "card.png"), entry_of(root, "editions/1/card.png")
    unreadable = entry_of(root, "editions/2/card.png")
    cut.write_bytes(cut.read_bytes()[:500])  # a copy cut short
    data = bytearray(garbled.read_bytes())
    data[len(MAGIC) + 100] ^= 0xFF  # one byte changed, the length the same
    garbled.write_bytes(bytes(data))
    edition_2 = (root / "site/editions/2/card.png").read_bytes()
    unreadable.unlink()
    unreadable.mkdir()  # no file to read, and none can be written there
    edit_a_template(root)
    build(root)
    for card, data in cards.items():
        assert (root / "site" / card).read_bytes() == data
        assert cache(root).get(entry_of(root, card).stem) == data  # whole again
    assert (root / "site/editions/2/card.png").read_bytes() == edition_2


# -- images beside posts: .newsletter/images/, the same kind of cache ------------------------


def test_an_image_is_processed_once_and_again_only_if_its_cached_copy_is_damaged(
    tmp_path: Path,
) -> None:
    root = project(tmp_path / "p")
    folder = root / "content/posts/2026/trees"
    folder.mkdir(parents=True)
    Image.new("RGB", (2400, 1200), (40, 120, 60)).save(folder / "map.png")
    published = root / "site/posts/2026/trees/map.png"

    def build_version(n: int) -> tuple[int, int]:
        """Build with the post's text changed (so it is read again): its image's cache
        entry, as (inode, mtime)."""
        body = f"![A map of trees](map.png)\n\nVersion {n}.\n"
        (folder / "index.md").write_text(post("Trees", "ada", body=body), encoding="utf-8")
        build(root)
        (entry,) = (root / ".newsletter/images").iterdir()
        return entry.stat().st_ino, entry.stat().st_mtime_ns

    processed = build_version(1)
    first = published.read_bytes()
    assert Image.open(io.BytesIO(first)).size == (1200, 600)
    assert build_version(2) == processed  # read back, not processed again
    (entry,) = (root / ".newsletter/images").iterdir()
    entry.write_bytes(entry.read_bytes()[:-100])  # a copy cut short
    assert build_version(3) != processed  # processed again
    assert published.read_bytes() == first


def test_no_cache_draws_every_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = newsletter(tmp_path / "p")
    build(root)
    before = entries(root)
    drawn: list[object] = []
    real = social.draw_card

    def draw(face: social.CardFace) -> bytes:
        drawn.append(face)
        return real(face)

    monkeypatch.setattr(social, "draw_card", draw)
    options = BuildOptions(today=TODAY_DATE, jobs=1, search=False, incremental=False)
    api.build(api.load_project(root), options=options)
    assert len(drawn) == EDITIONS + 1  # the site's card and each edition's
    assert entries(root) == before  # and the cache is left as it was

"""The blob cache under the card cache: whole entries or none, by key, bounded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.project.blobcache import TEMP_PREFIX, BlobCache, blob_key
from newsletter.render.social import CardFace, CardFonts, Palette, card_key, draw_card


def test_an_entry_is_read_back_whole(tmp_path: Path) -> None:
    store = BlobCache(tmp_path / "cards", ".png")
    key = blob_key("a card")
    assert store.get(key) is None
    store.put(key, b"\x89PNG bytes")
    assert store.get(key) == b"\x89PNG bytes"
    assert [p.name for p in store.folder.iterdir()] == [f"{key}.png"]  # no temporary left


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # one bit flipped
        lambda raw: b"",  # emptied
        lambda raw: b"\x89PNG" + raw,  # not written by this cache
    ],
)
def test_a_damaged_entry_reads_as_missing(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    store = BlobCache(tmp_path, ".png")
    key = blob_key("a card")
    store.put(key, b"x" * 1000)
    path = store.path(key)
    path.write_bytes(damage(path.read_bytes()))
    assert store.get(key) is None
    assert store.get_or_make(key, lambda: b"drawn") == b"drawn"
    assert store.get(key) == b"drawn"


def test_keys_are_digests_of_their_parts_in_order() -> None:
    assert blob_key("ab", "c") != blob_key("a", "bc")
    assert blob_key("ab", "c") == blob_key(b"ab", b"c")
    with pytest.raises(ValueError, match="not a cache key"):
        BlobCache(Path("x"), ".png").path("../../etc/passwd")


def test_keep_only_removes_unused_entries_and_leftover_temporaries(tmp_path: Path) -> None:
    store = BlobCache(tmp_path, ".png")
    keys = [blob_key(str(n)) for n in range(3)]
    for key in keys:
        store.put(key, key.encode())
    (tmp_path / f"{TEMP_PREFIX}killed").write_bytes(b"half")
    (tmp_path / "notes.txt").write_text("not the cache's")
    assert store.keep_only(keys[1:]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.txt", *(f"{k}.png" for k in keys[1:])]
    )


def test_a_folder_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file where the folder should be")
    store = BlobCache(tmp_path / "state" / "cards", ".png")
    assert store.get_or_make(blob_key("k"), lambda: b"drawn") == b"drawn"
    assert store.get(blob_key("k")) is None
    assert store.keep_only([]) == 0


def site_card(
    title: str, colours: Palette | None = None, fonts: CardFonts | None = None
) -> CardFace:
    return CardFace(
        "site", title, "3 editions", "news.example.org", colours or Palette(), fonts or CardFonts()
    )


def test_a_card_is_keyed_by_what_it_shows() -> None:
    face = site_card("The Exchange")
    assert card_key(face) == card_key(site_card("The Exchange"))
    assert card_key(face) != card_key(site_card("The Exchange!"))
    assert card_key(face) != card_key(site_card("The Exchange", Palette(paper=(0, 0, 0))))
    assert card_key(face) != card_key(site_card("The Exchange", fonts=CardFonts(system=False)))
    assert draw_card(face) == draw_card(site_card("The Exchange"))

"""A big site's search index in shards (newsletter/publish/shards.py): where pages are
cut, what makes a shard indexed again, and the example built as a big site (the size
past which a site is sharded, made small for the test) — searched in Chromium across
its shards.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.core.errors import OutputError
from newsletter.publish import search, searchstep, shards
from newsletter.publish.shards import indexed_digest, indexed_part, plan_shards

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.siteserver import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# -- where pages are cut ------------------------------------------------------------------

NAMES = st.lists(
    st.from_regex(r"posts/20[12][0-9]/[a-z]{1,12}/index\.html", fullmatch=True),
    min_size=1,
    max_size=3000,
    unique=True,
)


@settings(max_examples=40, deadline=None)
@given(NAMES, st.from_regex(r"posts/20[12][0-9]/[a-z]{1,12}x/index\.html", fullmatch=True))
def test_a_new_page_changes_its_shard_and_at_most_the_next(names: list[str], new: str) -> None:
    before = set(plan_shards(dict.fromkeys(names, "en")))
    after = set(plan_shards(dict.fromkeys([*names, new], "en")))
    assert len(after - before) <= 2
    if shards.shard_size(len(names)) == shards.shard_size(len(names) + 1):
        assert len(before - after) <= 2
    assert sorted(n for s in after for n in s.names) == sorted([*names, new])


def test_shards_are_per_language_and_about_their_size() -> None:
    pages = {f"posts/2026/p{i:05d}/index.html": "en" for i in range(10_000)}
    pages |= {f"fr/posts/2026/p{i:04d}/index.html": "fr" for i in range(300)}
    made = plan_shards(pages)
    english = [s for s in made if s.lang == "en"]
    assert all(all(pages[n] == s.lang for n in s.names) for s in made)
    size = shards.shard_size(10_000)
    assert size == 512
    assert 10 <= len(english) <= 40
    assert all(len(s.names) <= size + size // 2 for s in made)
    assert all(s.folder.startswith("pagefind/en-") for s in english)
    assert len({s.folder for s in made}) == len(made)


# -- what makes a shard indexed again ---------------------------------------------------------


def page(body: str, ignored: str = "", meta: str = "kind:Article", lang: str = "en") -> bytes:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>T</title></head><body>'
        f'<nav>menu</nav><main><article data-pagefind-body data-pagefind-meta="{meta}">'
        f"<h1>T</h1><div><p>{body}</p></div>"
        f"<section data-pagefind-ignore><div><ul><li>{ignored}</li></ul></div></section>"
        f'<img src=x.png alt="{body}"></article></main><footer>{ignored}</footer></body></html>'
    ).encode()


def test_what_pagefind_ignores_does_not_change_the_digest() -> None:
    base = indexed_digest(page("Quinoa", "a list of other posts"))
    assert indexed_digest(page("Quinoa", "another list, longer")) == base
    assert indexed_digest(page("Quinoa and rice", "a list of other posts")) != base
    assert indexed_digest(page("Quinoa", meta="kind:Event")) != base
    assert indexed_digest(page("Quinoa", lang="fr")) != base


def test_a_page_whose_marks_cannot_be_followed_is_digested_whole() -> None:
    unclosed = page("Quinoa").replace(b"</section>", b"")
    assert indexed_digest(unclosed) != indexed_digest(unclosed.replace(b"menu", b"menus"))
    unmarked = page("Quinoa").replace(b" data-pagefind-body", b"")
    assert indexed_digest(unmarked) != indexed_digest(unmarked.replace(b"menu", b"menus"))
    # the mark's words in a post's text are text, not a mark
    text = page("write data-pagefind-ignore on it").replace(
        b"<section data-pagefind-ignore>", b"<section>"
    )
    assert indexed_digest(text) != indexed_digest(text.replace(b"menu", b"menus"))


# -- what Pagefind is sent ----------------------------------------------------------------------


def test_pagefind_is_sent_the_marked_element_with_the_language_and_title() -> None:
    part = indexed_part(page("Quinoa", "a list of other posts"))
    assert part.startswith(b'<!doctype html><html lang="en"><head><title>T</title></head><body>')
    assert b"<article data-pagefind-body" in part
    assert b"menu" not in part  # the navigation, outside the mark
    assert b"a list of other posts" in part  # ignored by Pagefind, but inside: kept


@pytest.mark.parametrize(
    "outside",
    [b'<p data-pagefind-meta="x:y">', b"<h1>Another title</h1>", b'<IMG src="a.png">'],
    ids=["a mark", "a heading", "an image"],
)
def test_a_page_with_what_pagefind_reads_outside_the_mark_is_sent_whole(outside: bytes) -> None:
    for where in (b"<nav>", b"<footer>"):
        whole = page("Quinoa").replace(where, where + outside)
        assert indexed_part(whole) is whole
    unclosed = page("Quinoa").replace(b"</article>", b"")
    assert indexed_part(unclosed) is unclosed


def test_an_ignore_mark_after_the_element_is_left_out_but_one_before_may_hold_it() -> None:
    after = page("Quinoa").replace(b"<footer>", b'<footer><aside data-pagefind-ignore="all">')
    assert indexed_part(after) == indexed_part(page("Quinoa"))
    around = page("Quinoa").replace(b"<main>", b"<main data-pagefind-ignore>")
    assert indexed_part(around) is around


@pytest.mark.slow
def test_pagefind_makes_the_same_bundle_from_the_parts_as_from_whole_pages(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=example)
    assert result.exit_code == 0, result.output
    site = example / "site"
    pages = {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*.html"))
        if search.is_searched(p.relative_to(site).as_posix(), frozenset({"fr"}))
    }
    assert sum(indexed_part(html) is not html for html in pages.values()) > len(pages) // 2
    sent = search.search_files(pages, "/", None)
    monkeypatch.setattr(search, "indexed_part", lambda html: html)
    assert search.search_files(pages, "/", None) == sent


def test_a_staged_bundle_is_written_new_and_linked_where_unchanged(tmp_path: Path) -> None:
    old, staging = tmp_path / "site", tmp_path / "staging"
    for name, data in (("same", b"same"), ("linked", b"old bytes")):
        (old / "pagefind/en-1").mkdir(parents=True, exist_ok=True)
        (old / "pagefind/en-1" / name).write_bytes(data)
    placer = searchstep._Placer(searchstep.SearchTarget(staging, old, None, "/", "en"))
    same = placer.put("pagefind/en-1/same", b"same")
    made = staging / "pagefind/en-1/same"
    assert made.stat().st_ino == (old / "pagefind/en-1/same").stat().st_ino
    new = placer.put("pagefind/en-1/new", b"new bytes")
    path = staging / "pagefind/en-1/new"
    assert path.read_bytes() == b"new bytes"
    for entry, on_disk in ((same, made), (new, path)):
        st = on_disk.stat()
        assert (entry.size, entry.mtime_ns) == (st.st_size, st.st_mtime_ns)
    # a file already there, linked to the old site's, is replaced rather than written through
    os.link(old / "pagefind/en-1/linked", staging / "pagefind/en-1/linked")
    placer.put("pagefind/en-1/linked", b"new bytes")
    assert (staging / "pagefind/en-1/linked").read_bytes() == b"new bytes"
    assert (old / "pagefind/en-1/linked").read_bytes() == b"old bytes"
    with pytest.raises(OutputError):
        placer.put("pagefind/../../outside", b"x")


# -- the example as a big site ------------------------------------------------------------------


def _small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards for a site of more than 40 searched pages, of 8 pages and more."""
    monkeypatch.setattr(searchstep, "SINGLE_MAX", 40)
    monkeypatch.setattr(shards, "SHARD_MIN", 8)


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    _small_shards(monkeypatch)


def bundles(site: Path) -> dict[str, list[str]]:
    manifest = json.loads((site / "pagefind/shards.json").read_text())
    assert isinstance(manifest, dict)
    return manifest


def indexed(bundle: Path) -> dict[str, str]:
    """URL → indexed text, of one shard's bundle."""
    out = {}
    for path in (bundle / "fragment").iterdir():
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        out[fragment["url"]] = fragment["content"]
    return out


def stamps(site: Path) -> dict[str, tuple[int, int]]:
    """Each shard's entry file: (inode, mtime), which a shard indexed again changes."""
    out = {}
    for entry in (site / "pagefind").glob("*/pagefind-entry.json"):
        st = entry.stat()
        out[entry.parent.name] = (st.st_ino, st.st_mtime_ns)
    return out


@pytest.mark.slow
def test_a_big_site_is_indexed_in_shards_and_an_edit_redoes_one(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = example / "whole"
    one = run("build", "--today", EXAMPLE_TODAY, "--no-cache", "-o", str(whole), cwd=example)
    assert one.exit_code == 0, one.output
    assert bundles(whole) == {}  # the example is small: one bundle
    _small_shards(monkeypatch)
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    site = example / "site"
    manifest = bundles(site)
    assert set(manifest) == {"en", "fr"} and len(manifest["en"]) >= 3
    every: dict[str, str] = {}
    for lang, urls in manifest.items():
        for url in urls:
            found = indexed(site / url.strip("/"))
            assert all(u.startswith("/fr/") == (lang == "fr") for u in found)
            assert not every.keys() & found.keys()
            every |= found
    one_bundle = indexed(whole / "pagefind")
    assert every == one_bundle  # the same pages, indexed with the same text
    entry = json.loads((site / manifest["en"][0].strip("/") / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] >= 8
    assert (site / "pagefind/pagefind-ui.js").is_file()
    assert not list((site / "pagefind").glob("*/pagefind-ui.js"))

    before = stamps(site)
    post = example / "content/posts/2026/geocoding-asthma-admissions-offline.md"
    post.write_text(post.read_text() + "\nWe also tried zanzibarite.\n")
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    after = stamps(site)
    assert after.keys() == before.keys()
    # the post's shard in each language (the French site has the English post too)
    redone = sorted(name for name in after if after[name] != before[name])
    assert [name.split("-")[0] for name in redone] == ["en", "fr"]
    for name, top in zip(redone, ("/", "/fr/"), strict=True):
        url = top + "posts/2026/geocoding-asthma-admissions-offline/"
        assert "zanzibarite" in indexed(site / "pagefind" / name)[url]


@pytest.mark.slow
def test_a_change_outside_what_is_indexed_reindexes_nothing(
    example: Path, small_shards: None
) -> None:
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    site = example / "site"
    before = stamps(site)
    wasm = (site / "pagefind/wasm.en.pagefind").stat()
    footer = example / "templates/partials/footer.html"
    footer.write_text(
        footer.read_text().replace('<div class="footer-inner">', '<div class="footer-inner wide">')
    )
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    assert 'class="footer-inner wide"' in (site / "members/aiko/index.html").read_text()
    assert stamps(site) == before  # every page written anew, no shard indexed again
    assert (site / "pagefind/wasm.en.pagefind").stat().st_ino == wasm.st_ino
    assert not list((site / "pagefind").glob("*/wasm.*"))  # one for all shards


@pytest.mark.slow
def test_growing_past_one_bundle_and_back(example: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    site = example / "site"
    assert (site / "pagefind/fragment").is_dir() and bundles(site) == {}
    _small_shards(monkeypatch)
    assert run("build", "--today", EXAMPLE_TODAY, "--no-cache", cwd=example).exit_code == 0
    assert bundles(site) and not (site / "pagefind/fragment").exists()
    monkeypatch.setattr(searchstep, "SINGLE_MAX", 10_000)
    assert run("build", "--today", EXAMPLE_TODAY, "--no-cache", cwd=example).exit_code == 0
    assert bundles(site) == {} and not list((site / "pagefind").glob("en-*"))


@pytest.mark.slow
@pytest.mark.network
def test_the_search_page_searches_every_shard_of_its_language(
    example: Path, small_shards: None, browser: Browser
) -> None:
    assert run("build", "--today", EXAMPLE_TODAY, cwd=example).exit_code == 0
    site = example / "site"
    manifest = bundles(site)
    texts = {lang: [indexed(site / b.strip("/")) for b in urls] for lang, urls in manifest.items()}
    english = texts["en"]
    # a word of a page in the first shard and one of a page in another: both are found
    wanted = [_own_word(english[0], english), _own_word(english[len(english) // 2], english)]
    french = {u: t for shard in texts["fr"] for u, t in shard.items() if u.startswith("/fr/posts/")}
    with serving(site) as url:
        page = browser.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        for word, found_in in wanted:
            page.goto(url + "search/?q=" + word)
            # the page is the word's only result: shown once every shard has answered
            found = page.locator(f'.pagefind-ui__result-link[href="{found_in}"]')
            found.wait_for(timeout=20_000)
        # French: the French shards only (every page there is under /fr/)
        word, found_in = _own_word(french, texts["fr"])
        page.goto(url + "fr/search/?q=" + word)
        page.locator(f'.pagefind-ui__result-link[href="{found_in}"]').wait_for(timeout=20_000)
        links = page.locator(".pagefind-ui__result-link")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert all(h.startswith("/fr/") for h in hrefs), hrefs
        page.close()
        assert not problems, problems


def _own_word(pages: dict[str, str], shards: list[dict[str, str]]) -> tuple[str, str]:
    """A long word of one of ``pages`` that no other page of ``shards`` has, nor a word
    with its stem (its first letters but two), and that page: its only result.
    """
    for url, text in sorted(pages.items()):
        elsewhere = " ".join(t for s in shards for u, t in s.items() if u != url).lower()
        for word in sorted(set(re.findall(r"[a-z]{8,}", text.lower()))):
            if word[:-2] not in elsewhere:
                return word, url
    raise AssertionError("no word of its own")

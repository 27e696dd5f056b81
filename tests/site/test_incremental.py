"""Incremental and parallel builds: never a stale page, and the same bytes as a clean,
serial build.

Each scenario changes the example the way editors do (edit, rename, delete, add posts
and members, change a template or the config, edit within the same second), builds
incrementally into site/, builds the same project from nothing into another folder with
--no-cache, and compares the two trees file by file.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from newsletter.core.model import Site

from support.cli import run
from support.clock import EXAMPLE_TODAY

POST = "content/posts/2026/alt-text-for-charts-a-pattern-that-works.md"
"""A post no other post links to, so that renaming and deleting it is no error."""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file by path; Pagefind's bundle by what it indexes (its file names and
    binary index vary run to run for the same pages, so they are not compared)."""
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    fragments = sorted(
        gzip.decompress(data).removeprefix(b"pagefind_dcd")
        for name, data in files.items()
        if name.startswith("pagefind/fragment/")
    )
    files = {n: d for n, d in files.items() if not n.startswith("pagefind/")}
    if fragments:
        files["(pagefind: what each page is indexed with)"] = b"\n".join(fragments)
    return files


def build(root: Path, *args: str) -> str:
    result = run("build", "--today", EXAMPLE_TODAY, *args, cwd=root)
    assert result.exit_code == 0, result.output
    return result.output


def assert_same_as_clean(root: Path, tmp_path: Path, label: str) -> str:
    """Build incrementally, then from nothing; the two sites must be identical."""
    output = build(root)
    clean = tmp_path / f"clean-{label}"
    build(root, "--no-cache", "--jobs", "1", "--output", str(clean))
    got, want = tree(root / "site"), tree(clean)
    assert sorted(got) == sorted(want), f"{label}: files differ: {set(got) ^ set(want)}"
    stale = [name for name in want if got[name] != want[name]]
    assert not stale, f"{label}: stale files after an incremental build: {stale[:10]}"
    shutil.rmtree(clean)
    return output


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_line_value(root: Path, rel: str, key: str) -> str:
    for line in (root / rel).read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{key}:"):
            return line
    raise AssertionError(f"no {key}: in {rel}")


SCENARIOS: list[tuple[str, Callable[[Path], None]]] = [
    ("post body", lambda r: edit(r, POST, "\n---\n", "\n---\nA new first sentence.\n\n")),
    ("post title", lambda r: edit(r, POST, "title: ", "title: Edited ")),
    (
        "post renamed",
        lambda r: (r / POST).rename(r / "content/posts/2026/charts-renamed.md"),
    ),
    ("post deleted", lambda r: (r / "content/posts/2026/charts-renamed.md").unlink()),
    (
        "post added",
        lambda r: (r / "content/posts/2026/brand-new-item.md").write_text(
            "---\ntitle: A brand new item\nby: yusuf\ndate: 2026-11-20\ntags: [mapping]\n---\n"
            "Fresh.\n",
            encoding="utf-8",
        ),
    ),
    (
        "member renamed",
        lambda r: edit(
            r,
            "content/members/yusuf.yaml",
            _first_line_value(r, "content/members/yusuf.yaml", "name"),
            "name: Yusuf Renamed",
        ),
    ),
    (
        "member added",
        lambda r: (r / "content/members/zora.yaml").write_text(
            "name: Zora Quill\norg: Nowhere Lab\ntopics: [mapping]\n", encoding="utf-8"
        ),
    ),
    ("member deleted", lambda r: (r / "content/members/zora.yaml").unlink()),
    (
        "template changed",
        lambda r: edit(r, "templates/partials/footer.html", "</footer>", "<p>Hi.</p></footer>"),
    ),
    (
        "template removed",  # the project's own copy goes: the built-in theme's is used
        lambda r: (r / "templates/partials/footer.html").unlink(),
    ),
    ("config changed", lambda r: edit(r, "newsletter.yaml", "title: ", "title: Renamed ")),
    (
        "edition title",
        lambda r: edit(
            r,
            "content/editions/3.md",
            _first_line_value(r, "content/editions/3.md", "title"),
            "title: Third, retitled",
        ),
    ),
    ("static file", lambda r: (r / "templates/static/extra.txt").write_text("x\n")),
]


@pytest.mark.slow
def test_incremental_builds_are_never_stale(example: Path, tmp_path: Path) -> None:
    build(example)
    for label, change in SCENARIOS:
        change(example)
        assert_same_as_clean(example, tmp_path, label)


def file_system_now(folder: Path) -> int:
    """Now as the file system stamps files (ns), which the build compares mtimes with: the
    process's clock may be another (faketime moves it, not the file system's)."""
    mark = folder / ".now"
    mark.write_bytes(b"x")
    try:
        return mark.stat().st_mtime_ns
    finally:
        mark.unlink()


@pytest.mark.slow
def test_an_edit_in_the_same_second_is_seen(example: Path, tmp_path: Path) -> None:
    """A file written within the mtime granularity of a build (here: stamped a minute
    ahead, as by a skewed clock), then changed with the same size and mtime: only the
    contents tell the change (as with git's "racily clean" entries)."""
    path = example / POST
    ahead = file_system_now(example) + 60 * 10**9
    os.utime(path, ns=(ahead, ahead))
    build(example)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    swapped = text.replace("title: Alt", "title: Alp", 1)
    assert swapped != text and len(swapped) == len(text)
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert_same_as_clean(example, tmp_path, "same-second")


def test_a_post_changed_while_it_is_parsed_is_parsed_again(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves a post while the build reads it: the build shows what it read,
    and the next build, seeing a file other than the one parsed, parses it again."""
    from newsletter.load import project as loading

    path = example / POST
    read = loading.load_post

    def saved_meanwhile(project: object, file: Path, *args: object) -> object:
        post = read(project, file, *args)  # type: ignore[arg-type]
        if file == path:
            edit(example, POST, "title: Alt", "title: Saved while parsed, Alt")
            later = file_system_now(example) + 5 * 10**9  # past the cache's racy window
            os.utime(path, ns=(later, later))
        return post

    monkeypatch.setattr(loading, "load_post", saved_meanwhile)
    build(example, "--jobs", "1")
    monkeypatch.setattr(loading, "load_post", read)
    assert_same_as_clean(example, tmp_path, "saved-meanwhile")
    page = example / "site/posts/2026/alt-text-for-charts-a-pattern-that-works/index.html"
    assert "Saved while parsed" in page.read_text(encoding="utf-8")


@pytest.mark.slow
def test_nothing_changed_stops_at_once_and_repairs_a_touched_site(example: Path) -> None:
    # files written within 2 s of a build are not trusted by their times alone (a change
    # in the same mtime tick would not show): here they were written a while ago
    past = file_system_now(example) - 60 * 10**9
    for path in example.rglob("*"):
        os.utime(path, ns=(past, past))
    build(example)
    assert "nothing changed" in build(example)
    page = example / "site/members/yusuf/index.html"
    good = page.read_bytes()
    page.write_bytes(b"tampered")
    output = build(example)
    assert "nothing changed" not in output
    assert page.read_bytes() == good
    (example / "site/archive/index.html").unlink()
    build(example)
    assert (example / "site/archive/index.html").is_file()


@pytest.mark.slow
def test_an_edit_rewrites_only_what_shows_it(example: Path) -> None:
    build(example)
    site = example / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    edit(example, POST, "\n---\n", "\n---\nOne more sentence.\n\n")
    build(example)
    changed = {
        p.relative_to(site).as_posix() for p, t in before.items() if p.stat().st_mtime_ns != t
    }
    assert "posts/2026/alt-text-for-charts-a-pattern-that-works/index.html" in changed
    assert "members/yusuf/index.html" not in changed
    assert len(changed) < len(before) // 4, sorted(changed)


@pytest.mark.slow
def test_parallel_build_is_byte_identical_to_serial(example: Path, tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(example, "--no-cache", "--jobs", "1", "--output", str(serial))
    build(example, "--no-cache", "--jobs", "2", "--output", str(parallel))
    one, two = tree(serial), tree(parallel)
    assert len(one) > 150
    assert one.keys() == two.keys()
    assert [n for n in one if one[n] != two[n]] == []


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_build_cache_is_set_aside(example: Path, tmp_path: Path, damage: str) -> None:
    build(example)
    cache = example / ".newsletter/build.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{cache}{extra}").unlink(missing_ok=True)
    if damage == "garbage":
        cache.write_bytes(b"this is not a database" * 200)
    else:
        cache.write_bytes(cache.read_bytes()[:1000])
    edit(example, POST, "title: ", "title: After damage ")
    output = assert_same_as_clean(example, tmp_path, damage)
    if damage == "garbage":
        assert "build cache" in output
    assert sqlite3.connect(cache).execute("PRAGMA quick_check").fetchone()[0] == "ok"


@pytest.mark.slow
def test_an_interrupted_update_is_redone_whole(example: Path, tmp_path: Path) -> None:
    """The journal of an in-place update that never finished: site/ is rebuilt staged."""
    build(example)
    (example / "site/posts/2026/alt-text-for-charts-a-pattern-that-works/index.html").write_bytes(
        b"<p>half"
    )
    (example / ".newsletter/build.journal").write_text("interrupted\n")
    assert_same_as_clean(example, tmp_path, "journal")
    assert not (example / ".newsletter/build.journal").exists()
    assert not [p for p in example.iterdir() if p.name.startswith(".site.")]


@pytest.mark.slow
def test_long_listings_are_paginated(example: Path) -> None:
    posts = example / "content/posts/2026"
    for i in range(120):
        (posts / f"bulk-mapping-note-{i:03}.md").write_text(
            f"---\ntitle: Mapping note {i}\nby: yusuf\ndate: 2026-10-{1 + i % 28:02}\n"
            "tags: [mapping]\n---\nA short note.\n",
            encoding="utf-8",
        )
    build(example)
    site = example / "site"
    first = (site / "topics/mapping/index.html").read_text(encoding="utf-8")
    assert 'rel="next"' in first and "/topics/mapping/page/2/" in first
    assert (site / "topics/mapping/page/3/index.html").is_file()
    last = sorted((site / "topics/mapping/page").iterdir())[-1] / "index.html"
    assert 'rel="prev"' in last.read_text(encoding="utf-8")
    assert first.count('class="post-row"') == 50
    member = (site / "members/yusuf/index.html").read_text(encoding="utf-8")
    assert "/members/yusuf/shared/" in member
    assert (site / "members/yusuf/shared/page/2/index.html").is_file()


def test_job_keys_are_the_same_for_a_network_worked_out_or_remembered(example: Path) -> None:
    """The network and the asks come back from the build cache's memo as copies, whose
    strings are no longer shared with the posts and members: every page's key must be
    the one a build that worked them out gives (else the network page, the slowest of
    all, is rendered again for nothing by the build after)."""
    import datetime as dt

    from newsletter.pipeline.build import BuildOptions, check_project, job_keys
    from newsletter.pipeline.enrich import enrich
    from newsletter.project.buildcache import BuildCache
    from newsletter.project.sources import find_project
    from newsletter.render import Theme, plan_jobs

    project = find_project(example)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    cache = BuildCache(example / ".newsletter/keys.sqlite")
    content, _ = check_project(project, BuildOptions(today=today, jobs=1))
    enrich(content, today, False, cache)  # the memo filled
    keys = []
    for site in (enrich(content, today, False, None), enrich(content, today, False, cache)):
        theme = Theme(project)
        keys.append(job_keys(site, theme, plan_jobs(site, theme, cached=True)))
    worked_out, remembered = keys
    assert "network/index.html" in worked_out
    assert {n for n in worked_out if worked_out[n] != remembered[n]} == set()


def test_the_analyses_worked_out_side_by_side_are_the_ones_worked_out_in_turn(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big newsletter's first build works out the network and the asks each in a forked
    process: the same analyses, the same map, the same page keys, and all kept for the
    next build, as when they are worked out one after the other here."""
    import datetime as dt
    import os

    from newsletter.pipeline import enrich as enriching
    from newsletter.pipeline.build import BuildOptions, check_project, job_keys
    from newsletter.project.buildcache import BuildCache
    from newsletter.project.sources import find_project
    from newsletter.render import Theme, plan_jobs

    project = find_project(example)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    content, _ = check_project(project, BuildOptions(today=today, jobs=1))
    log = example / "analysed-in"  # written by whichever process works it out
    analyse = enriching.analyse

    def where(*args: object) -> object:
        with log.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return analyse(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(enriching, "analyse", where)
    keys, sites = [], []
    for side_by_side in (False, True):
        monkeypatch.setattr(enriching, "ALONGSIDE_MIN", 1 if side_by_side else 10**9)
        cache = BuildCache(example / f".newsletter/side-by-side-{side_by_side}.sqlite")
        site = enriching.enrich(content, today, False, cache, draw_map=True)
        theme = Theme(project)
        keys.append(job_keys(site, theme, plan_jobs(site, theme, cached=True)))
        sites.append(site)
        # kept: the next build reuses both, working out neither
        again = enriching.enrich(content, today, False, cache, draw_map=True)
        assert (again.network, again.asks) == (site.network, site.asks)
    analysed_in = [int(pid) for pid in log.read_text().split()]
    assert len(analysed_in) == 2 and analysed_in[0] == os.getpid() != analysed_in[1]
    in_turn, side_by_side = sites
    assert (side_by_side.network, side_by_side.asks) == (in_turn.network, in_turn.asks)
    # the map's layout, worked out beside the network, is the one worked out here
    assert side_by_side.map_layout == in_turn.map_layout
    assert in_turn.map_layout and set(in_turn.map_layout) <= set(in_turn.members)
    assert keys[0] == keys[1]


def test_after_an_edit_a_big_newsletter_ranks_the_asks_apart_and_keeps_the_network(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited post's text changes what the asks' helpers are ranked on, not the
    network: a big newsletter's next build takes the network and its map from the cache
    and ranks the asks again in a forked process, as they are ranked in this one; a very
    big one's, in this one."""
    import datetime as dt
    from dataclasses import replace

    from newsletter.core.model import Kind
    from newsletter.pipeline import enrich as enriching
    from newsletter.pipeline.build import BuildOptions, check_project
    from newsletter.project.buildcache import BuildCache
    from newsletter.project.sources import find_project

    project = find_project(example)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    content, _ = check_project(project, BuildOptions(today=today, jobs=1))
    log = example / "ranked-in"
    ranked, analyse = enriching._report_asks, enriching.analyse

    def where(name: str, work: Callable[..., object]) -> Callable[..., object]:
        def logged(*args: object) -> object:
            with log.open("a") as f:
                f.write(f"{name} {os.getpid()}\n")
            return work(*args)

        return logged

    monkeypatch.setattr(enriching, "_report_asks", where("asks", ranked))
    monkeypatch.setattr(enriching, "analyse", where("network", analyse))
    monkeypatch.setattr(enriching, "ALONGSIDE_MIN", 1)
    cache = BuildCache(example / ".newsletter/apart.sqlite")
    first = enriching.enrich(content, today, False, cache, draw_map=True)
    post = next(p for p in content.posts if p.kind is not Kind.ASK and p.body_md)
    edited = replace(post, body_md=post.body_md + "\n\nAlso: accessibility audits.")
    changed = replace(content, posts=[edited if p is post else p for p in content.posts])
    log.unlink()
    again = enriching.enrich(changed, today, False, cache, draw_map=True)
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["asks"]
    assert int(log.read_text().split()[1]) != os.getpid()
    assert again.network == first.network and again.map_layout == first.map_layout
    monkeypatch.setattr(enriching, "ALONGSIDE_MIN", 10**9)
    here = enriching.enrich(changed, today, False, None, draw_map=True)
    assert again.asks == here.asks and again.map_layout == here.map_layout
    # a command that only reads the site (contacts, send) has its map laid out by none
    assert enriching.enrich(changed, today, False, None).map_layout is None
    # from SIDE_BY_SIDE_MIN posts, time first: after an edit the asks are ranked here
    monkeypatch.setattr(enriching, "ALONGSIDE_MIN", 1)
    monkeypatch.setattr(enriching, "SIDE_BY_SIDE_MIN", 1)
    more = replace(post, body_md=post.body_md + "\n\nAnd map tiles.")
    log.unlink()
    enriching.enrich(
        replace(content, posts=[more if p is post else p for p in content.posts]),
        today,
        False,
        cache,
    )
    assert log.read_text().split() == ["asks", str(os.getpid())]


def test_the_network_stands_in_the_keys_by_what_it_was_worked_out_from(example: Path) -> None:
    """A network worked out from other shares gives the network page another key; one put
    in the site's place afterwards, whatever digest the first had, is hashed as it is."""
    import datetime as dt
    from dataclasses import replace

    from newsletter.pipeline.build import BuildOptions, check_project, job_keys
    from newsletter.pipeline.enrich import enrich
    from newsletter.project.sources import find_project
    from newsletter.render import Theme, plan_jobs

    project = find_project(example)
    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    content, _ = check_project(project, BuildOptions(today=today, jobs=1))

    def key(site: Site) -> str:
        theme = Theme(project)
        return job_keys(site, theme, plan_jobs(site, theme, cached=True))["network/index.html"]

    site = enrich(content, today, False, None)
    assert site.network is not None and site.network.brokers
    assert key(site) == key(enrich(content, today, False, None))
    fewer = replace(
        content, posts=[p for p in content.posts if p.by != site.network.brokers[0].handle]
    )
    assert key(enrich(fewer, today, False, None)) != key(site)
    swapped = replace(site, network=replace(site.network, brokers=site.network.brokers[1:]))
    assert swapped.analysed_from == site.analysed_from
    assert key(swapped) != key(site)

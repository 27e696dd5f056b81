"""The network map: valid, deterministic, escaped SVG, readable at 15 and at 300 members.

The SVG is parsed with ElementTree (so it is well-formed XML) and counted; hostile names
and URLs must come out as text, never as markup or links. The last tests draw both
sizes in the real browser (Debian's chromium), check that no two names overlap, and
leave screenshots in the temporary folder for a person to look at.
"""

from __future__ import annotations

import math
import random
import re
import tempfile
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.render.netmap import LABEL_MAX, MapEdge, MapNode, network_svg

from support.paths import REPO

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage

SVG = "{http://www.w3.org/2000/svg}"
SCREENSHOTS = Path(tempfile.gettempdir()) / "newsletter-netmap"
GROUPS = [
    "City Health Trust",
    "Open Data Lab",
    "Riverside Council",
    "Northwind Analytics",
    "University of Leeds",
    "Mapping Collective",
    "Civic Tech Guild",
    "Public Libraries",
    "Transit Authority",
    "Climate Desk",
    "Food Bank Network",
    "Housing Coop",
]
FIRST = "Ada Grace Alan Edsger Barbara Donald Ken Dennis Margaret Katherine Tim Linus Guido Frances"
LAST = "Lovelace Hopper Turing Dijkstra Liskov Knuth Thompson Ritchie Hamilton Johnson Allen Okafor"


def community(
    size: int, ties: int, groups: int, seed: int = 1
) -> tuple[list[MapNode], list[MapEdge]]:
    """A made-up community: a few large groups and a tail, activity heavy-tailed, most
    ties inside a group, a few members in no group and the last one with no tie."""
    rnd = random.Random(seed)
    names = [f"{a} {b}" for a in FIRST.split() for b in LAST.split()]
    rnd.shuffle(names)
    nodes = []
    for i in range(size):
        name = names[i] if i < len(names) else f"{names[i % len(names)]} {i // len(names) + 1}"
        group = "" if i % 23 == 5 else GROUPS[min(int(rnd.paretovariate(1.0)) - 1, groups - 1)]
        handle = re.sub(r"\W+", "-", name.lower())
        activity = float(round(rnd.paretovariate(1.3) * 3))
        nodes.append(MapNode(handle, name, group, activity, f"/members/{handle}/"))
    loner = nodes[-1].handle
    pool = [n for n in nodes if n.handle != loner]
    by_group: dict[str, list[MapNode]] = {}
    for node in pool:
        by_group.setdefault(node.group, []).append(node)
    pairs: dict[tuple[str, str], float] = {}
    while len(pairs) < ties:
        a = rnd.choice(pool)
        mates = by_group[a.group]
        b = rnd.choice(mates) if rnd.random() < 0.7 and len(mates) > 1 else rnd.choice(pool)
        if a.handle != b.handle:
            key = (min(a.handle, b.handle), max(a.handle, b.handle))
            pairs[key] = round(pairs.get(key, 0.0) + rnd.uniform(0.1, 3.0), 2)
    return nodes, [MapEdge(a, b, w) for (a, b), w in pairs.items()]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def layer(root: ET.Element, name: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("class") == name]
    assert len(found) == 1, name
    return found[0]


def node_titles(root: ET.Element) -> list[str]:
    return [t.text or "" for t in layer(root, "nm-n").iter(f"{SVG}title")]


def labels(root: ET.Element) -> list[str]:
    found = [g for g in root.iter(f"{SVG}g") if g.get("class") == "nm-l"]
    return [t.text or "" for g in found for t in g.iter(f"{SVG}text")]


def legend(root: ET.Element) -> list[str]:
    return [t.text or "" for t in layer(root, "nm-k").iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def small() -> tuple[list[MapNode], list[MapEdge], str]:
    nodes, edges = community(15, 24, 4, seed=3)
    return nodes, edges, network_svg(nodes, edges)


@pytest.fixture(scope="module")
def large() -> tuple[list[MapNode], list[MapEdge], str]:
    nodes, edges = community(300, 2000, 12, seed=5)
    return nodes, edges, network_svg(nodes, edges)


# -- shape ---------------------------------------------------------------------------


def test_a_standalone_scalable_svg(small: tuple[list[MapNode], list[MapEdge], str]) -> None:
    nodes, edges, svg = small
    root = parse(svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert root.get("width") is None and root.get("height") is None  # the page sizes it
    x, y, w, h = map(float, (root.get("viewBox") or "").split())
    assert (x, y) == (0, 0) and 600 < w <= 960 and 0.4 * w < h < w
    assert root.get("role") == "group"  # not "img": that would hide the links inside
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    assert desc is not None and desc.get("id") == root.get("aria-describedby")
    assert title.text == "The network"
    assert f"{len(nodes)} members in 4 groups and {len(edges)} ties" in (desc.text or "")
    style = root.find(f"{SVG}style")
    assert style is not None and "prefers-color-scheme:dark" in (style.text or "")
    assert "var(--ink" in (style.text or "") and "var(--surface" in (style.text or "")
    assert not [e for e in root.iter() if e.get("fill") == "#000"]


def test_counts_circles_lines_and_links(small: tuple[list[MapNode], list[MapEdge], str]) -> None:
    nodes, edges, svg = small
    root = parse(svg)
    assert len(list(layer(root, "nm-n").iter(f"{SVG}circle"))) == len(nodes)
    assert len(list(layer(root, "nm-e").iter(f"{SVG}line"))) == len(edges)
    links = list(layer(root, "nm-n").iter(f"{SVG}a"))
    assert sorted(a.get("href") or "" for a in links) == sorted(n.url for n in nodes)
    for a in links:
        assert a.get("aria-label")
        assert a.find(f"{SVG}title") is not None


def test_layers_drawn_lines_then_circles_then_names(
    small: tuple[list[MapNode], list[MapEdge], str],
) -> None:
    root = parse(small[2])
    order = [g.get("class") for g in root.findall(f"{SVG}g")]
    assert order == ["nm-e", "nm-n", "nm-l", "nm-k"]
    assert not [e for e in layer(root, "nm-e").iter() if e.tag not in (f"{SVG}g", f"{SVG}line")]


@pytest.mark.slow
def test_every_number_has_at_most_one_decimal(
    large: tuple[list[MapNode], list[MapEdge], str],
) -> None:
    svg = large[2]
    for attr in ("x", "y", "cx", "cy", "r", "x1", "y1", "x2", "y2", "stroke-width"):
        for value in re.findall(rf' {attr}="([^"]*)"', svg):
            assert re.fullmatch(r"-?\d+(\.\d)?", value), (attr, value)


def test_tooltips_say_name_group_and_activity() -> None:
    nodes = [
        MapNode("ada", "Ada Lovelace", "Analytical", 12.0, "/members/ada/"),
        MapNode("bob", "Bob", "", 2.5, "/members/bob/"),
    ]
    root = parse(network_svg(nodes, [MapEdge("ada", "bob", 1.0)]))
    assert sorted(node_titles(root)) == [
        "Ada Lovelace · Analytical · activity 12",
        "Bob · activity 2.5",
    ]
    labels_ = {a.get("href"): a.get("aria-label") for a in root.iter(f"{SVG}a")}
    assert labels_ == {"/members/ada/": "Ada Lovelace, Analytical", "/members/bob/": "Bob"}


def test_circle_area_follows_activity() -> None:
    nodes = [
        MapNode(h, h.title(), "g", a, f"/m/{h}/")
        for h, a in [("quiet", 0.0), ("some", 25.0), ("busy", 100.0)]
    ]
    root = parse(network_svg(nodes, []))
    radius = {
        (a.findtext(f"{SVG}title") or "").split(" ")[0]: float(a.find(f"{SVG}circle").get("r"))  # type: ignore[union-attr, arg-type]
        for a in root.iter(f"{SVG}a")
    }
    assert radius["Quiet"] < radius["Some"] < radius["Busy"]
    # a square-root scale: a quarter of the activity is half the way from min to max
    assert radius["Some"] - radius["Quiet"] == pytest.approx(
        (radius["Busy"] - radius["Quiet"]) / 2, abs=0.1
    )


def test_stronger_ties_are_thicker_and_drawn_last() -> None:
    nodes = [MapNode(h, h, "", 1.0, f"/m/{h}/") for h in "abcd"]
    edges = [MapEdge("a", "b", 5.0), MapEdge("c", "d", 0.5), MapEdge("b", "c", 1.0)]
    strengths = [
        (float(g.get("stroke-width") or 0), float(g.get("stroke-opacity") or 0))
        for g in layer(parse(network_svg(nodes, edges)), "nm-e")
        for _ in g.iter(f"{SVG}line")
    ]
    assert len(strengths) == 3
    assert strengths == sorted(strengths) and strengths[0] < strengths[-1]


# -- determinism ---------------------------------------------------------------------


@pytest.mark.slow
def test_same_input_in_any_order_gives_the_same_bytes(
    large: tuple[list[MapNode], list[MapEdge], str],
) -> None:
    nodes, edges, svg = large
    rnd = random.Random(42)
    shuffled_nodes = nodes[:]
    rnd.shuffle(shuffled_nodes)
    flipped = [MapEdge(e.b, e.a, e.weight) if rnd.random() < 0.5 else e for e in edges]
    rnd.shuffle(flipped)
    assert network_svg(shuffled_nodes, flipped) == svg
    assert network_svg(nodes, edges) == svg


def test_the_seed_changes_the_layout(small: tuple[list[MapNode], list[MapEdge], str]) -> None:
    nodes, edges, svg = small
    assert network_svg(nodes, edges, seed=8) != svg
    assert network_svg(nodes, edges, seed=8) == network_svg(nodes, edges, seed=8)


def test_duplicate_edges_merge_whatever_their_order() -> None:
    nodes = [MapNode(h, h, "", 1.0, f"/m/{h}/") for h in "abc"]
    edges = [MapEdge("a", "b", 0.1), MapEdge("b", "a", 0.2), MapEdge("a", "b", 0.3)]
    edges += [MapEdge("b", "c", 0.6)]
    svg = network_svg(nodes, edges)
    assert network_svg(nodes, edges[::-1]) == svg
    (strength,) = layer(parse(svg), "nm-e")  # one strength: 0.1 + 0.2 + 0.3 == 0.6
    assert len(list(strength.iter(f"{SVG}line"))) == 2


def test_duplicate_handles_keep_one_node_whatever_the_order() -> None:
    a1 = MapNode("a", "Ann", "x", 1.0, "/m/a/")
    a2 = MapNode("a", "Anne", "y", 2.0, "/m/a2/")
    b = MapNode("b", "Bea", "x", 1.0, "/m/b/")
    svg = network_svg([a1, a2, b], [MapEdge("a", "b", 1.0)])
    assert network_svg([b, a2, a1], [MapEdge("b", "a", 1.0)]) == svg
    assert len(list(layer(parse(svg), "nm-n").iter(f"{SVG}circle"))) == 2


# -- untrusted text ------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Tom & Jerry",
    'O\'Brien "the" one',
    "</text></svg><svg onload=alert(1)>",
    "]]><!-- -->&amp;",
    "nul\x00 and \x1b escape \ufffe",
]


def test_hostile_names_and_groups_are_only_text() -> None:
    nodes = [
        MapNode(f"h{i}", name, HOSTILE[-1 - i], float(i), f"/members/h{i}/")
        for i, name in enumerate(HOSTILE)
    ]
    edges = [MapEdge(f"h{i}", f"h{i + 1}", 1.0) for i in range(len(nodes) - 1)]
    svg = network_svg(nodes, edges, title="<b>Map</b> & co")
    root = parse(svg)
    for bad in ("<script", "<img", "<svg onload", "<b>", "<!--", "\x00", "\x1b"):
        assert bad not in svg
    assert svg.count("<svg") == 1
    assert not [e for e in root.iter() if e.tag.split("}")[-1].lower() in ("script", "img")]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
    titles = "\n".join(node_titles(root))
    for name in HOSTILE[:-1]:
        assert name in titles  # round-trips as text
    assert "nul and escape" in titles
    assert "Tom & Jerry" in labels(root)
    assert root.findtext(f"{SVG}title") == "<b>Map</b> & co"
    assert "Tom & Jerry" in legend(root)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "http://user@evil.example/",
        "ftp://example.org/",
        "",
    ],
)
def test_unsafe_urls_are_not_linked(url: str) -> None:
    nodes = [
        MapNode("bad", "Mallory", "x", 3.0, url),
        MapNode("ok", "Alice", "x", 1.0, "/members/alice/"),
    ]
    svg = network_svg(nodes, [MapEdge("bad", "ok", 1.0)])
    root = parse(svg)
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["/members/alice/"]
    assert len(list(layer(root, "nm-n").iter(f"{SVG}circle"))) == 2  # still drawn
    assert "Mallory · x · activity 3" in node_titles(root)
    assert "javascript" not in svg.lower() and "evil" not in svg


@pytest.mark.parametrize(
    "url",
    [
        "/members/ada/",
        "members/ada/",
        "../members/ada/",
        "/sub/site/members/ada/",
        'https://example.org/people?id=1&x="2"',
        "HTTP://example.org/",
    ],
)
def test_site_relative_and_http_urls_are_linked(url: str) -> None:
    root = parse(network_svg([MapNode("ada", "Ada", "", 1.0, url)], []))
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == [url]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=12), st.text(max_size=30), st.text(max_size=12), st.text()),
        max_size=5,
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_text_gives_valid_svg_without_script(
    rows: list[tuple[str, str, str, str]], number: float
) -> None:
    nodes = [MapNode(h, n, g, number, u) for h, n, g, u in rows]
    edges = [MapEdge(a.handle, b.handle, number) for a, b in pairwise(nodes)]
    root = parse(network_svg(nodes, edges))
    assert not [e for e in root.iter() if e.tag.split("}")[-1].lower() == "script"]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
    for a in root.iter(f"{SVG}a"):
        href = a.get("href") or ""
        assert not re.match(r"[a-z][a-z0-9+.\-]*:", href, re.I) or href.lower().startswith(
            ("http://", "https://")
        )


def test_bad_numbers_do_not_break_the_map() -> None:
    nodes = [
        MapNode("a", "A", "", math.nan, "/a/"),
        MapNode("b", "B", "", -5.0, "/b/"),
        MapNode("c", "C", "", math.inf, "/c/"),
    ]
    edges = [
        MapEdge("a", "b", math.nan),
        MapEdge("b", "c", -1.0),
        MapEdge("a", "c", math.inf),
        MapEdge("a", "a", 1.0),
        MapEdge("a", "nobody", 1.0),
    ]
    root = parse(network_svg(nodes, edges))
    assert len(list(layer(root, "nm-n").iter(f"{SVG}circle"))) == 3
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "nm-e"]
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()


def test_ties_that_add_up_past_the_largest_number_are_drawn() -> None:
    """Found by hypothesis: two edges of 9e307 between the same members overflowed."""
    nodes = [MapNode(h, h.upper(), "", 1.0, f"/{h}/") for h in ("a", "b", "c")]
    edges = [MapEdge("a", "b", 9e307), MapEdge("b", "a", 9e307), MapEdge("b", "c", 1.0)]
    root = parse(network_svg(nodes, edges))
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "nm-e"]) >= 1
    assert len(list(root.iter(f"{SVG}line"))) == 2
    assert not re.search(r"nan|inf", ET.tostring(root, encoding="unicode").lower())


# -- sizes, labels, legend -----------------------------------------------------------


def test_no_members_says_so() -> None:
    svg = network_svg([], [MapEdge("a", "b", 1.0)], title="Who shares")
    root = parse(svg)
    assert root.get("viewBox") and root.get("width") is None
    assert root.findtext(f"{SVG}text") == "No exchanges yet"
    assert "Who shares" in (root.findtext(f"{SVG}title") or "")
    assert root.find(f".//{SVG}circle") is None


def test_a_member_with_no_tie_is_drawn() -> None:
    nodes = [
        MapNode("a", "Ann", "x", 3.0, "/m/a/"),
        MapNode("b", "Bea", "x", 2.0, "/m/b/"),
        MapNode("loner", "Lone Wolf", "", 0.0, "/m/loner/"),
    ]
    root = parse(network_svg(nodes, [MapEdge("a", "b", 1.0)]))
    assert len(list(layer(root, "nm-n").iter(f"{SVG}circle"))) == 3
    assert "Lone Wolf · activity 0" in node_titles(root)
    assert "Lone Wolf" in labels(root)
    _, _, width, height = map(float, (root.get("viewBox") or "").split())
    for circle in layer(root, "nm-n").iter(f"{SVG}circle"):
        assert 0 < float(circle.get("cx") or 0) < width
        assert 0 < float(circle.get("cy") or 0) < height


def test_one_member_alone() -> None:
    root = parse(network_svg([MapNode("a", "Ann", "", 1.0, "/m/a/")], []))
    assert labels(root) == ["Ann"]
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "nm-k"]  # no groups


def test_fifteen_members_are_all_named(small: tuple[list[MapNode], list[MapEdge], str]) -> None:
    nodes, _, svg = small
    assert sorted(labels(parse(svg))) == sorted(n.name for n in nodes)


def test_three_hundred_members_name_the_most_active(
    large: tuple[list[MapNode], list[MapEdge], str],
) -> None:
    nodes, edges, svg = large
    root = parse(svg)
    named = labels(root)
    assert 25 <= len(named) <= LABEL_MAX
    assert len(set(named)) == len(named)
    top = max(nodes, key=lambda n: (n.activity, n.handle))
    assert top.name in named
    assert len(node_titles(root)) == 300  # everyone else has a tooltip
    assert len(list(layer(root, "nm-n").iter(f"{SVG}a"))) == 300
    assert len(list(layer(root, "nm-e").iter(f"{SVG}line"))) == len(edges)


def test_long_names_are_shortened_on_the_map_only() -> None:
    name = "Maximiliana Wilhelmina von Hohenzollern-Sigmaringen"
    root = parse(network_svg([MapNode("m", name, "", 1.0, "/m/")], []))
    (label,) = labels(root)
    assert label.endswith("…") and len(label) <= 26 and name.startswith(label[:-1])
    assert node_titles(root) == [f"{name} · activity 1"]


def test_the_legend_lists_each_group_once(
    large: tuple[list[MapNode], list[MapEdge], str],
) -> None:
    nodes, _, svg = large
    shown = legend(parse(svg))
    groups = sorted({n.group for n in nodes if n.group}, key=str.casefold)
    assert shown == [*groups, "No group"]


def test_groups_beyond_the_palette_become_rings() -> None:
    nodes = [MapNode(f"m{i:02d}", f"M{i}", f"Group {i:02d}", 1.0, f"/m/{i}/") for i in range(14)]
    root = parse(network_svg(nodes, []))
    classes = [c.get("class") for c in layer(root, "nm-k").iter(f"{SVG}circle")]
    assert classes[:10] == [f"nm-g{i}" for i in range(10)]
    assert classes[10:] == [f"nm-g{i} nm-ring" for i in range(4)]
    # the same group has the same class on the map and in the legend
    by_title = {
        (a.findtext(f"{SVG}title") or "").split(" · ")[1]: a.find(f"{SVG}circle").get("class")  # type: ignore[union-attr]
        for a in root.iter(f"{SVG}a")
    }
    assert by_title["Group 12"] == "nm-g2 nm-ring"


# -- in the browser ------------------------------------------------------------------


def in_theme(svg: str) -> str:
    """The map as the network page shows it: in the theme's figure, with its stylesheet."""
    css = (REPO / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="color-scheme" content="light dark">'
        f"<style>{css}</style></head><body><main class='page page-wide'>"
        f"<figure class='network-map'>{svg}<figcaption>Caption</figcaption></figure>"
        "</main></body></html>"
    )


@pytest.mark.slow
@pytest.mark.parametrize("size", ["small", "large"])
def test_names_are_legible_in_the_browser(
    browser: Browser, size: str, request: pytest.FixtureRequest
) -> None:
    nodes, _, svg = request.getfixturevalue(size)
    SCREENSHOTS.mkdir(exist_ok=True)
    fills: dict[str, str] = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, color_scheme=scheme, java_script_enabled=True
        )
        page = context.new_page()
        errors: list[str] = []

        def keep_errors(message: ConsoleMessage, out: list[str] = errors) -> None:
            if message.type == "error":
                out.append(message.text)

        page.on("console", keep_errors)
        page.set_content(in_theme(svg))
        figure = page.locator("figure.network-map")
        figure.screenshot(path=str(SCREENSHOTS / f"map-{len(nodes)}-{scheme}.png"))
        # the map fills the figure's width and keeps its proportions
        sizes = page.evaluate(
            """() => { const s = document.querySelector('svg.nm');
                const r = s.getBoundingClientRect(); const v = s.viewBox.baseVal;
                const f = getComputedStyle(s.parentElement);
                const room = s.parentElement.clientWidth - parseFloat(f.paddingLeft)
                    - parseFloat(f.paddingRight);
                return [r.width, r.height, room, v.width, v.height]; }"""
        )
        width, height, room, view_w, view_h = sizes
        assert width == pytest.approx(room, abs=1)
        assert height / width == pytest.approx(view_h / view_w, rel=0.01)
        # names are not cut off, and no two overlap
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.nm-l text')].map(t => {
                const b = t.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; })"""
        )
        assert len(boxes) == len(labels(parse(svg)))
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            assert x0 >= 0 and y0 >= 0 and x1 <= view_w and y1 <= view_h
            for ox0, oy0, ox1, oy1 in boxes[:i]:
                overlap_x = min(x1, ox1) - max(x0, ox0)
                overlap_y = min(y1, oy1) - max(y0, oy0)
                assert overlap_x <= 1 or overlap_y <= 1, (boxes[i], (ox0, oy0, ox1, oy1))
        fills[scheme] = page.evaluate("getComputedStyle(document.querySelector('.nm-l text')).fill")
        assert not errors
        context.close()
    assert fills["light"] != fills["dark"]

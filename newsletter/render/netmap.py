"""Netmap: the network map, drawn as one static SVG (no JavaScript) for the network page.

This module owns how the map looks: where members sit (a force-directed layout from
networkx, members of a group pulled together), how big and what colour each circle is,
which members are named on the map, the legend of groups, and the colours in light and
dark mode. It is given plain nodes and edges (``MapNode``, ``MapEdge``) and returns SVG
text; it reads no files, reads no clock and knows nothing of members or the ledger.

Everything in a node comes from members and is untrusted: every name, group and URL is
XML-escaped, characters XML cannot carry are dropped, and a URL that is neither
site-relative nor http(s) is not linked at all.

Deterministic: the same nodes and edges, in any order, give the same string byte for
byte (nodes and edges are sorted first, the layout is seeded, coordinates are rounded).

The SVG is meant to be inlined in a page of the theme: its colours come from the theme's
CSS variables (``--ink``, ``--muted``, ``--surface``, ``--sans``…) with fallbacks, so it
also stands alone. Its ``<style>`` applies to the whole page once inlined, so every
selector is scoped under the root class ``nm``, and its ids (``netmap-title``,
``netmap-desc``) assume one map per page.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from newsletter.render.locale import ENGLISH, Language

PALETTE_LIGHT = (
    "#2f6db5",  # blue
    "#c4501b",  # orange
    "#1f8a5b",  # green
    "#a8498f",  # magenta
    "#8a6d0b",  # ochre
    "#5a55c4",  # violet
    "#b8323f",  # red
    "#16808f",  # teal
    "#6b7f1a",  # olive
    "#8a5a3c",  # brown
)
"""Group colours on a light page: each at least 4:1 against white and the paper, so a
circle stands out as WCAG asks of graphics (3:1). Ordered so that the first groups get
the hues that are easiest to tell apart."""
PALETTE_DARK = (
    "#78a9e8",
    "#f08a54",
    "#52c08e",
    "#e07fc6",
    "#d6b340",
    "#a59cf2",
    "#f07880",
    "#4fc4d2",
    "#a9bf4e",
    "#cf9a74",
)
"""The same hues, lighter, for dark mode: each at least 5.8:1 against the dark surface."""
NEUTRAL = "#8b9096"
"""Members with no group: a grey readable on both schemes (3.2:1 light, 5:1 dark)."""

LABEL_ALL_UP_TO = 40
"""A map of at most this many members names every one of them."""
LABEL_TOP = 40
"""On a larger map, the most active members named…"""
LABEL_MAX = 50
"""…plus the most active member of each group not yet named, up to this many in all.
Every cluster then carries a name, and the map stays readable at 300 members; the
others are named in their circle's tooltip (``<title>``). A label that would cover
another is nudged round its circle, and left out if no place is free."""
LABEL_CHARS = 26
"""Longer names are shortened with an ellipsis on the map (the tooltip has them whole)."""

LEGEND_CHARS = 40
"""Longer group names are shortened in the legend (its tooltip has them whole)."""

FONT = 12.0
"""Label and legend text, in viewBox units (the map is scaled to the page's width)."""
EDGE_GAP = 16.0
"""The blank border round the plot, in viewBox units."""
ITERATIONS = 150
"""Spring layout iterations: 300 members settle in about 100 (checked by eye); each costs
about 5 ms at that size."""
GROUP_PULL = 0.5
"""The weight of each member's tie to an invisible hub of their group (layout only),
relative to the strongest real tie (1.0): groups gather without hiding who exchanges."""

SPREAD = 2.0
"""The layout's ideal distance between members, as a multiple of networkx's default."""
CENTRE_PULL = 0.15
"""Every member's tie to an invisible hub in the middle (layout only), a gentle gravity."""

EDGE_LEVELS = 8
"""Line strengths: a tie's thickness and opacity follow the square root of its weight,
relative to the strongest tie, in this many steps."""

TITLE_ID = "netmap-title"
DESC_ID = "netmap-desc"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_HTTP_URL = re.compile(r"^https?://[^/?#@\s]+(?:[/?#]|$)", re.IGNORECASE)
"""http(s) with a host and no user name in it (``https://bank@evil.example`` misleads)."""


@dataclass(frozen=True)
class MapNode:
    """A member on the map."""

    handle: str
    """Identifies the member in edges; never shown."""
    name: str
    group: str
    """Members of a group share a colour and are drawn near each other; "" for none."""
    activity: float
    """How active the member is (any non-negative scale): the circle's area follows it."""
    url: str
    """The member's page, site-relative and already prefixed (``/members/ada/``)."""


@dataclass(frozen=True)
class MapEdge:
    """A tie between two members; the order of ``a`` and ``b`` does not matter."""

    a: str
    b: str
    weight: float
    """How strong the tie is (any positive scale): thicker, darker lines are stronger."""


@dataclass(frozen=True)
class _Dot:
    node: MapNode
    x: float
    y: float
    r: float
    css: str


@dataclass(frozen=True)
class _Label:
    text: str
    x: float
    y: float
    anchor: str


Box = tuple[float, float, float, float]


SEED = 7
"""The layout's seed: the same members and ties, the same map."""

Layout = dict[str, tuple[float, float]]
"""Where each member is, by handle, as the force-directed layout leaves them."""


def map_layout(nodes: Sequence[MapNode], edges: Sequence[MapEdge], seed: int = SEED) -> Layout:
    """What :func:`network_svg` lays out for ``nodes`` and ``edges``: handed to it, the
    map is the same, and the process that draws it need not load networkx and numpy
    (26 MB), nor spend the layout's time."""
    members = _unique_nodes(nodes)
    if not members:
        return {}
    return _layout(members, _merged_edges(edges, {m.handle for m in members}), seed)


def network_svg(
    nodes: list[MapNode],
    edges: list[MapEdge],
    *,
    seed: int = SEED,
    title: str = "The network",
    language: Language = ENGLISH,
    layout: Layout | None = None,
) -> str:
    """The map of ``nodes`` joined by ``edges`` as a standalone, inlinable SVG document,
    its words (``title`` aside, given in it) in ``language``; ``layout``: their
    :func:`map_layout`, when it was worked out already.

    Edges naming a handle that is not a node, edges of a member with themselves and
    edges without a positive weight are left out; two edges between the same members
    count as one, their weights added. With no nodes, a small SVG says so.
    """
    members = _unique_nodes(nodes)
    if not members:
        return _empty_svg(title, language)
    ties = _merged_edges(edges, {m.handle for m in members})
    groups = sorted({m.group for m in members if m.group}, key=lambda g: (g.casefold(), g))
    css = {g: _group_class(i) for i, g in enumerate(groups)}

    width = float(round(min(960.0, 760.0 + 12.0 * math.sqrt(len(members)))))
    small = len(members) <= LABEL_ALL_UP_TO
    r_min, r_max = (6.0, 17.0) if small else (4.0, 13.0)
    positions = _oriented(dict(layout) if layout is not None else _layout(members, ties, seed))
    plot_h, placed = _fit(positions, width, r_max, 0.5 if small else 0.62)
    top = max(_finite(m.activity) for m in members)
    dots = [
        _Dot(
            m,
            *placed[m.handle],
            _radius(m.activity, top, r_min, r_max),
            css.get(m.group, "nm-none"),
        )
        for m in members
    ]
    labels = _labels(dots, width, plot_h)
    ungrouped = language.gettext("No group") if any(not m.group for m in members) else ""
    legend, legend_h = _legend(groups, css, ungrouped, width, plot_h)
    height = plot_h + legend_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nm" viewBox="0 0 {_num(width)} '
        f'{_num(height)}" role="group" aria-labelledby="{TITLE_ID}" '
        f'aria-describedby="{DESC_ID}">',
        f'<title id="{TITLE_ID}">{_esc(title)}</title>',
        f'<desc id="{DESC_ID}">{_esc(_description(members, groups, ties, language))}</desc>',
        _style(),
        _edges_svg(ties, {d.node.handle: d for d in dots}),
        _nodes_svg(dots, language),
        _labels_svg(labels),
        *legend,
        "</svg>",
    ]
    return "\n".join(part for part in out if part) + "\n"


# -- input ---------------------------------------------------------------------------


def _unique_nodes(nodes: Iterable[MapNode]) -> list[MapNode]:
    """One node per handle, sorted by handle, its name and group cleaned for display; of
    duplicates the least by value wins, so the input order never matters."""
    chosen: dict[str, MapNode] = {}
    for node in sorted(nodes, key=_node_key):
        chosen.setdefault(node.handle, node)
    return [
        replace(node, name=_clean(node.name) or _clean(node.handle), group=_clean(node.group))
        for node in chosen.values()
    ]


def _node_key(node: MapNode) -> tuple[str, str, str, float, str]:
    return (node.handle, node.name, node.group, _finite(node.activity), node.url)


def _merged_edges(edges: Iterable[MapEdge], handles: set[str]) -> list[MapEdge]:
    found: dict[tuple[str, str], list[float]] = {}
    for edge in edges:
        w = _finite(edge.weight)
        if edge.a == edge.b or w <= 0 or edge.a not in handles or edge.b not in handles:
            continue
        found.setdefault((min(edge.a, edge.b), max(edge.a, edge.b)), []).append(w)
    return [MapEdge(a, b, _total(found[a, b])) for a, b in sorted(found)]


def _total(weights: list[float]) -> float:
    """The weights added, exactly rounded (``fsum``: duplicates add up to the same
    weight in any order); the largest float when they add up past it."""
    try:
        return math.fsum(weights)
    except OverflowError:
        return sys.float_info.max


def _finite(value: float) -> float:
    """Negative, NaN and infinite numbers become 0 (a member's data is not trusted)."""
    return value if math.isfinite(value) and value > 0 else 0.0


# -- layout --------------------------------------------------------------------------


def _layout(
    members: Sequence[MapNode], ties: Sequence[MapEdge], seed: int
) -> dict[str, tuple[float, float]]:
    """Force-directed positions (Fruchterman-Reingold), members of a group tied to a
    hidden hub of the group so that groups gather. Nodes and edges go in sorted, so the
    seeded layout is the same whatever order they came in."""
    if len(members) == 1:
        return {members[0].handle: (0.0, 0.0)}
    # imported here: a build that does not draw the map (one post edited) need not load it
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    graph: nx.Graph[tuple[str, str]] = nx.Graph()
    graph.add_nodes_from(("m", m.handle) for m in members)
    strongest = max((t.weight for t in ties), default=1.0)
    for tie in ties:
        # Weak ties still pull: a tie of a tenth of the strongest pulls at 0.28.
        graph.add_edge(("m", tie.a), ("m", tie.b), weight=0.2 + 0.8 * tie.weight / strongest)
    for m in members:
        if m.group:
            graph.add_edge(("m", m.handle), ("g", m.group), weight=GROUP_PULL)
        # Without a pull to the middle, members with no tie drift off to the edge and
        # the map shrinks round them; this one holds them near the others.
        graph.add_edge(("m", m.handle), ("c", ""), weight=CENTRE_PULL)
    spacing = SPREAD / math.sqrt(len(graph))
    if len(graph) < NETWORKX_SPARSE:
        pos = nx.spring_layout(
            graph, k=spacing, seed=seed, iterations=ITERATIONS, weight="weight", method="force"
        )
    else:
        pos = _large_layout(graph, spacing, seed, ITERATIONS)
    return {m.handle: (float(pos["m", m.handle][0]), float(pos["m", m.handle][1])) for m in members}


NETWORKX_SPARSE = 500
"""From this many nodes, networkx's ``spring_layout`` runs its sparse variant: a Python
loop over the nodes that fetches each one's row of a SciPy matrix (4 s for 520 nodes
at 150 iterations), and needs SciPy."""

ROWS_AT_ONCE = 256
"""Nodes whose forces :func:`_large_layout` works out together: memory grows with this
times the number of nodes."""


def _large_layout(graph: Any, k: float, seed: int, iterations: int) -> dict[Any, Any]:
    """What ``networkx.spring_layout(graph, k=k, seed=seed, iterations=iterations,
    weight="weight", method="force")`` returns for a graph of ``NETWORKX_SPARSE`` nodes
    or more, to the last bit (tests/unit/test_netmap_layout.py compares them), without
    SciPy and in a quarter of the time: the same float32 arithmetic, done for
    ``ROWS_AT_ONCE`` nodes at a time instead of one, each node's sums over the others
    added in the same order."""
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]
    import numpy as np

    adjacency = nx.to_numpy_array(graph, weight="weight", dtype=np.dtype(np.float32))
    nnodes = len(adjacency)
    pos = np.asarray(np.random.RandomState(seed).rand(nnodes, 2), dtype=adjacency.dtype)
    # from here as networkx's _sparse_fruchterman_reingold (3.2 to 3.6), loop aside
    t = max(max(pos.T[0]) - min(pos.T[0]), max(pos.T[1]) - min(pos.T[1])) * 0.1
    dt = t / (iterations + 1)
    displacement = np.zeros((2, nnodes))
    for _ in range(iterations):
        for start in range(0, nnodes, ROWS_AT_ONCE):
            rows = slice(start, min(start + ROWS_AT_ONCE, nnodes))
            # each column: one node's difference to every node, across then down;
            # summed down the columns, one node after another, as networkx's loop sums
            # (its array is laid out so): not pairwise, as a sum along a row would be
            across = pos[None, rows, 0] - pos[:, 0, None]
            down = pos[None, rows, 1] - pos[:, 1, None]
            distance = np.sqrt(across**2 + down**2)
            distance = np.clip(distance, a_min=0.01, a_max=None)
            force = k * k / distance**2 - adjacency[rows].T * distance / k
            displacement[0, rows] = (across * force).sum(axis=0)
            displacement[1, rows] = (down * force).sum(axis=0)
        length = np.sqrt((displacement**2).sum(axis=0))
        length = np.clip(length, a_min=0.01, a_max=None)
        delta_pos = (displacement * t / length).T
        pos += delta_pos
        t -= dt
        if (np.linalg.norm(delta_pos) / nnodes) < 1e-4:
            break
    # and as spring_layout: scaled to [-1, 1], centred on the origin
    pos = nx.rescale_layout(pos, scale=1) + np.zeros(2)
    return dict(zip(graph, pos, strict=True))


def _oriented(pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Centre the layout, draw in stragglers and turn its long axis across the page.

    A member far out from everyone else (no tie, or one weak tie) would otherwise set
    the scale and squeeze the rest into a corner; so nobody is further out than a
    little beyond where three in four members are (keeping their direction)."""
    n = len(pos)
    mx = math.fsum(x for x, _ in pos.values()) / n
    my = math.fsum(y for _, y in pos.values()) / n
    centred = {h: (x - mx, y - my) for h, (x, y) in pos.items()}
    dists = sorted(math.hypot(x, y) for x, y in centred.values())
    reach = dists[min(n - 1, int(n * 0.75))] * 1.4
    if reach > 0:
        for h, (x, y) in centred.items():
            d = math.hypot(x, y)
            if d > reach:
                centred[h] = (x * reach / d, y * reach / d)
    sxx = math.fsum(x * x for x, _ in centred.values())
    syy = math.fsum(y * y for _, y in centred.values())
    sxy = math.fsum(x * y for x, y in centred.values())
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    cos, sin = math.cos(-angle), math.sin(-angle)
    return {h: (x * cos - y * sin, x * sin + y * cos) for h, (x, y) in centred.items()}


def _fit(
    pos: dict[str, tuple[float, float]], width: float, r_max: float, tallest: float
) -> tuple[float, dict[str, tuple[float, float]]]:
    """Scale the layout into the plot, ``width`` wide and from 0.4 to ``tallest`` of it
    high; return the plot's height and the positions, rounded to a tenth."""
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    span_x = max(xs) - min(xs)
    span_y = max(ys) - min(ys)
    margin_x = EDGE_GAP + r_max
    margin_top = EDGE_GAP + r_max + FONT
    margin_bottom = EDGE_GAP + r_max + FONT
    inner_w = width - 2 * margin_x
    aspect = span_y / span_x if span_x > 0 else 1.0
    inner_h = min(max(inner_w * aspect, width * 0.4), width * tallest)
    scale_x = inner_w / span_x if span_x > 0 else 0.0
    scale_y = inner_h / span_y if span_y > 0 else 0.0
    if span_x > 0 and span_y > 0:
        # Keep the layout's proportions where the plot allows it: stretch at most 1.5x.
        scale = min(scale_x, scale_y)
        scale_x, scale_y = min(scale_x, scale * 1.5), min(scale_y, scale * 1.5)
    off_x = margin_x + (inner_w - span_x * scale_x) / 2
    off_y = margin_top + (inner_h - span_y * scale_y) / 2
    placed = {
        h: (
            round(off_x + (x - min(xs)) * scale_x, 1),
            round(off_y + (y - min(ys)) * scale_y, 1),
        )
        for h, (x, y) in pos.items()
    }
    return float(round(margin_top + inner_h + margin_bottom)), placed


def _radius(activity: float, top: float, r_min: float, r_max: float) -> float:
    """Area follows activity (a square-root scale), between ``r_min`` and ``r_max``."""
    share = math.sqrt(_finite(activity) / top) if top > 0 else 0.0
    return round(r_min + (r_max - r_min) * share, 1)


# -- labels --------------------------------------------------------------------------


def _labels(dots: Sequence[_Dot], width: float, plot_h: float) -> list[_Label]:
    """Names on the map, most active first, each where it covers no other name and,
    where possible, no circle."""
    ranked = sorted(dots, key=lambda d: (-_finite(d.node.activity), d.node.name, d.node.handle))
    if len(ranked) <= LABEL_ALL_UP_TO:
        chosen = ranked
    else:
        chosen = ranked[:LABEL_TOP]
        named = {d.node.group for d in chosen}
        for dot in ranked[LABEL_TOP:]:
            if len(chosen) >= LABEL_MAX:
                break
            if dot.node.group and dot.node.group not in named:
                chosen.append(dot)
                named.add(dot.node.group)
        rank = {id(d): i for i, d in enumerate(ranked)}
        chosen.sort(key=lambda d: rank[id(d)])
    circles = {d.node.handle: (d.x - d.r, d.y - d.r, d.x + d.r, d.y + d.r) for d in dots}
    taken: list[Box] = []
    labels: list[_Label] = []
    for dot in chosen:
        text = _short(dot.node.name)
        if not text:
            continue
        spot = _free_spot(dot, text, taken, circles, width, plot_h)
        if spot is None:
            continue
        label, box = spot
        taken.append(box)
        labels.append(label)
    return labels


def _free_spot(
    dot: _Dot,
    text: str,
    taken: Sequence[Box],
    circles: dict[str, Box],
    width: float,
    plot_h: float,
) -> tuple[_Label, Box] | None:
    """The first place round the circle that is inside the plot and clear of other
    names, preferring one clear of circles too; None if every place covers a name."""
    w = _text_width(text)
    gap = 3.0
    mid = dot.y + FONT * 0.35
    diag = dot.r * 0.7 + gap
    spots = [
        (dot.x + dot.r + gap, mid, "start"),
        (dot.x - dot.r - gap, mid, "end"),
        (dot.x, dot.y - dot.r - gap - FONT * 0.22, "middle"),
        (dot.x, dot.y + dot.r + gap + FONT * 0.78, "middle"),
        (dot.x + diag, dot.y - diag, "start"),
        (dot.x + diag, dot.y + diag + FONT * 0.7, "start"),
        (dot.x - diag, dot.y - diag, "end"),
        (dot.x - diag, dot.y + diag + FONT * 0.7, "end"),
    ]
    fallback: tuple[_Label, Box] | None = None
    for x, y, anchor in spots:
        left = {"start": x, "end": x - w, "middle": x - w / 2}[anchor]
        box = (left - 3, y - FONT * 0.9, left + w + 3, y + FONT * 0.35)
        if box[0] < 2 or box[2] > width - 2 or box[1] < 2 or box[3] > plot_h - 2:
            continue
        if any(_overlap(box, other) for other in taken):
            continue
        candidate = (_Label(text, round(x, 1), round(y, 1), anchor), box)
        if not any(_overlap(box, c) for h, c in circles.items() if h != dot.node.handle):
            return candidate
        fallback = fallback or candidate
    return fallback


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


_NARROW = frozenset("fijlrtI.,;:'!|() ")
_WIDE = frozenset("mwMW@")


def _text_width(text: str) -> float:
    """An estimate of the text's width in the theme's sans serif (no font metrics here)."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.33
        elif ch in _WIDE:
            em += 0.9
        elif ord(ch) >= 0x2E80:  # CJK and the like: a full em
            em += 1.0
        elif ch.isupper():
            em += 0.7
        else:
            em += 0.6
    return em * FONT


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- drawing -------------------------------------------------------------------------


def _style() -> str:
    light = "".join(_colour_rules(i, c) for i, c in enumerate(PALETTE_LIGHT))
    dark = "".join(_colour_rules(i, c) for i, c in enumerate(PALETTE_DARK))
    return (
        "<style>"
        ".nm{--nm-ink:var(--ink,#1c1f23);--nm-muted:var(--muted,#59616a);"
        "--nm-halo:var(--surface,#fff);--nm-line:var(--muted,#59616a);"
        "font-family:var(--sans,system-ui,sans-serif)}"
        f".nm text{{font-size:{_num(FONT)}px}}"
        ".nm .nm-e{stroke:var(--nm-line);stroke-linecap:round}"
        ".nm .nm-n circle{stroke:var(--nm-halo);stroke-width:1.5}"
        ".nm .nm-n a:hover circle,.nm .nm-n a:focus-visible circle"
        "{stroke:var(--nm-ink);stroke-width:2.5}"
        ".nm .nm-l text{fill:var(--nm-ink);stroke:var(--nm-halo);stroke-width:3.5px;"
        "stroke-linejoin:round;paint-order:stroke;pointer-events:none}"
        ".nm .nm-k text{fill:var(--nm-muted)}"
        ".nm .nm-k circle{stroke:none}"
        ".nm .nm-empty{fill:var(--nm-muted);font-style:italic}"
        f"{light}.nm .nm-none{{fill:{NEUTRAL}}}"
        "@media (prefers-color-scheme:dark){"
        ".nm{--nm-ink:var(--ink,#ece8e1);--nm-muted:var(--muted,#a7adb4);"
        "--nm-halo:var(--surface,#1f2226);--nm-line:var(--muted,#a7adb4)}"
        f"{dark}}}"
        "</style>"
    )


def _group_class(index: int) -> str:
    """The CSS class of the group sorted ``index``-th: the palette's colours filled for
    the first ten groups, as rings for the next ten, and so on alternately."""
    colour = f"nm-g{index % len(PALETTE_LIGHT)}"
    return f"{colour} nm-ring" if (index // len(PALETTE_LIGHT)) % 2 else colour


def _colour_rules(index: int, colour: str) -> str:
    return (
        f".nm .nm-g{index}{{fill:{colour}}}"
        f".nm .nm-ring.nm-g{index}{{fill:var(--nm-halo);stroke:{colour};stroke-width:2.5}}"
    )


def _edges_svg(ties: Sequence[MapEdge], dots: dict[str, _Dot]) -> str:
    """Lines under the circles, in a few strengths, weakest first so that strong ties lie
    on top. Lines of a strength share one ``<g>``: at 2,000 ties that halves the SVG."""
    if not ties:
        return ""
    strongest = max(t.weight for t in ties)
    # Many lines at full strength would be a grey mat: thin them out as they multiply.
    damp = min(1.0, max(0.35, math.sqrt(150 / len(ties))))
    levels: dict[int, list[str]] = {}
    for tie in sorted(ties, key=lambda t: (t.weight, t.a, t.b)):
        level = min(EDGE_LEVELS - 1, int(math.sqrt(tie.weight / strongest) * EDGE_LEVELS))
        a, b = dots[tie.a], dots[tie.b]
        levels.setdefault(level, []).append(
            f'<line x1="{_num(a.x)}" y1="{_num(a.y)}" x2="{_num(b.x)}" y2="{_num(b.y)}"/>'
        )
    parts = ['<g class="nm-e" aria-hidden="true">']
    for level, lines in sorted(levels.items()):
        strength = (level + 1) / EDGE_LEVELS  # the square root of the tie's share
        parts.append(
            f'<g stroke-width="{_num(0.7 + 2.6 * strength)}" '
            f'stroke-opacity="{_num2(damp * (0.22 + 0.5 * strength**2))}">'
        )
        parts.extend(lines)
        parts.append("</g>")
    parts.append("</g>")
    return "\n".join(parts)


def _nodes_svg(dots: Sequence[_Dot], language: Language) -> str:
    """Circles, largest first so that small ones stay visible; each a link if it can be."""
    parts = ['<g class="nm-n">']
    for dot in sorted(dots, key=lambda d: (-d.r, d.node.handle)):
        node = dot.node
        name = node.name or language.gettext("A member")
        group = node.group
        activity = language.gettext("activity %(amount)s") % {"amount": _amount(node.activity)}
        tip = " · ".join([name, *([group] if group else []), activity])
        spoken = f"{name}, {group}" if group else name
        circle = (
            f'<title>{_esc(tip)}</title><circle class="{dot.css}" cx="{_num(dot.x)}" '
            f'cy="{_num(dot.y)}" r="{_num(dot.r)}"/>'
        )
        url = _safe_url(node.url)
        if url is None:
            parts.append(f'<g role="img" aria-label={_attr(spoken)}>{circle}</g>')
        else:
            parts.append(f"<a href={_attr(url)} aria-label={_attr(spoken)}>{circle}</a>")
    parts.append("</g>")
    return "\n".join(parts)


def _labels_svg(labels: Sequence[_Label]) -> str:
    # Names repeat the links' accessible names, so they are hidden from screen readers,
    # and they let clicks through to the circles and lines beneath.
    if not labels:
        return ""
    parts = ['<g class="nm-l" aria-hidden="true">']
    for label in labels:
        anchor = "" if label.anchor == "start" else f' text-anchor="{label.anchor}"'
        parts.append(
            f'<text x="{_num(label.x)}" y="{_num(label.y)}"{anchor}>{_esc(label.text)}</text>'
        )
    parts.append("</g>")
    return "\n".join(parts)


def _legend(
    groups: Sequence[str], css: dict[str, str], ungrouped: str, width: float, top: float
) -> tuple[list[str], float]:
    """The groups' colours under the plot, in rows that wrap, and ``ungrouped`` (what
    members with no group are called, '' for none); returns its SVG and height."""
    entries = [(g, css[g]) for g in groups]
    if ungrouped and entries:
        entries.append((ungrouped, "nm-none"))
    if not entries:
        return [], 0.0
    row_h = FONT * 1.75
    x, y = EDGE_GAP, top + FONT * 0.6
    parts = ['<g class="nm-k" aria-hidden="true">']
    for group, cls in entries:
        text = _short(group, LEGEND_CHARS)
        item_w = FONT + 6 + _text_width(text)
        if x > EDGE_GAP and x + item_w > width - EDGE_GAP:
            x, y = EDGE_GAP, y + row_h
        parts.append(
            f"<g><title>{_esc(_clean(group))}</title>"
            f'<circle class="{cls}" cx="{_num(x + FONT / 2)}" cy="{_num(y)}" '
            f'r="{_num(FONT * 0.42)}"/>'
            f'<text x="{_num(x + FONT + 4)}" y="{_num(y + FONT * 0.35)}">{_esc(text)}</text></g>'
        )
        x += item_w + FONT * 1.5
    parts.append("</g>")
    return parts, round(y - top + FONT * 0.6 + EDGE_GAP)


def _description(
    members: Sequence[MapNode], groups: Sequence[str], ties: Sequence[MapEdge], language: Language
) -> str:
    say = language.values
    values = {
        "members": language.ngettext("%(num)s member", "%(num)s members", len(members))
        % say({"num": len(members)}),
        "groups": language.ngettext("%(num)s group", "%(num)s groups", len(groups))
        % say({"num": len(groups)}),
        "ties": language.ngettext("%(num)s tie", "%(num)s ties", len(ties))
        % say({"num": len(ties)}),
    }
    if groups:
        text = language.gettext("%(members)s in %(groups)s and %(ties)s between them.")
    else:
        text = language.gettext("%(members)s and %(ties)s between them.")
    legend = language.gettext(
        "A larger circle is a more active member, a thicker line a stronger tie; each "
        "circle links to the member's page."
    )
    return f"{text % values} {legend}"


def _empty_svg(title: str, language: Language) -> str:
    spoken = language.gettext("%(title)s: no exchanges yet") % {"title": title}
    shown = language.gettext("No exchanges yet")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="nm" viewBox="0 0 480 80" '
        f'role="img" aria-labelledby="{TITLE_ID}">\n'
        f'<title id="{TITLE_ID}">{_esc(spoken)}</title>\n'
        f"{_style()}\n"
        '<text class="nm-empty" x="240" y="45" text-anchor="middle">'
        f"{_esc(shown)}</text>\n"
        "</svg>\n"
    )


# -- text and numbers ----------------------------------------------------------------


def _safe_url(url: str) -> str | None:
    """``url`` if it is site-relative or http(s), else None (it will not be linked).

    Whitespace and control characters are refused outright rather than stripped:
    browsers drop tabs and newlines inside a URL, so ``java\\tscript:`` would run.
    Backslashes are refused too (browsers read them as slashes), and so are
    ``//host`` references, which leave the site by another door.
    """
    if not url or any(ch <= " " or ch == "\x7f" for ch in url) or "\\" in url:
        return None
    if _NOT_XML.search(url):
        return None
    if _SCHEME.match(url):
        return url if _HTTP_URL.match(url) else None
    return None if url.startswith("//") else url


def _clean(text: str) -> str:
    """Text XML can carry, on one line: other characters dropped, whitespace collapsed."""
    return _SPACE.sub(" ", _NOT_XML.sub("", text)).strip()


def _esc(text: str) -> str:
    return escape(_clean(text))


def _attr(text: str) -> str:
    """An attribute value, quoted and escaped (``quoteattr`` also escapes the quote)."""
    return quoteattr(_clean(text))


def _num(value: float) -> str:
    """A coordinate to one decimal, without a trailing ``.0`` or a negative zero."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _num2(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _amount(value: float) -> str:
    value = _finite(value)
    return str(int(value)) if value == int(value) else f"{value:.1f}"

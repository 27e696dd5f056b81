"""The network map's layout above 500 nodes (``netmap._large_layout``): exactly what
networkx's ``spring_layout`` gives, without its per-node loop over a SciPy matrix.

networkx switches to that loop at 500 nodes (a community of about 490 members, with the
groups' and the centre's hubs); the map must not change when a community passes it, nor
depend on how the work is split (``ROWS_AT_ONCE``). Positions are compared bit for bit.
"""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from newsletter.render import netmap


def community(members: int, seed: int) -> nx.Graph:
    """A graph as ``netmap._layout`` makes: members tied at random (weights as the map
    gives them), each to a hub of one of seven groups and to the centre's hub."""
    rng = random.Random(seed)
    graph = nx.Graph()
    graph.add_nodes_from(("m", f"member-{i:04d}") for i in range(members))
    for _ in range(members * 3):
        a, b = rng.randrange(members), rng.randrange(members)
        if a != b:
            weight = 0.2 + 0.8 * rng.random()
            graph.add_edge(("m", f"member-{a:04d}"), ("m", f"member-{b:04d}"), weight=weight)
    for i in range(members):
        graph.add_edge(("m", f"member-{i:04d}"), ("g", f"group-{i % 7}"), weight=0.5)
        graph.add_edge(("m", f"member-{i:04d}"), ("c", ""), weight=0.15)
    return graph


@pytest.mark.parametrize(
    ("members", "iterations", "rows"),
    [(500, 12, netmap.ROWS_AT_ONCE), (530, 12, 7), (700, 4, 1000)],
)
def test_the_large_layout_is_networkx_own_to_the_bit(
    members: int, iterations: int, rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("scipy")  # networkx's sparse layout needs it; the test extra has it
    monkeypatch.setattr(netmap, "ROWS_AT_ONCE", rows)
    graph = community(members, seed=members)
    assert len(graph) >= netmap.NETWORKX_SPARSE
    k = netmap.SPREAD / math.sqrt(len(graph))  # a float, as _layout gives: float32 sums
    want = nx.spring_layout(
        graph, k=k, seed=11, iterations=iterations, weight="weight", method="force"
    )
    got = netmap._large_layout(graph, k, 11, iterations)
    assert list(got) == list(want)
    for node, place in want.items():
        assert got[node].dtype == place.dtype
        assert got[node].tobytes() == place.tobytes(), node


def test_a_map_of_many_members_is_drawn_the_same_in_any_order() -> None:
    nodes = [
        netmap.MapNode(f"m{i:03d}", f"Member {i}", f"g{i % 5}", float(i % 9), f"/members/m{i}/")
        for i in range(520)
    ]
    rng = random.Random(3)
    ties = [
        netmap.MapEdge(f"m{a:03d}", f"m{b:03d}", 1.0 + rng.random())
        for a, b in {tuple(sorted(rng.sample(range(520), 2))) for _ in range(900)}
    ]
    svg = netmap.network_svg(nodes, ties)
    shuffled = nodes[:]
    rng.shuffle(shuffled)
    assert netmap.network_svg(shuffled, ties[::-1]) == svg
    assert svg.count("<circle") >= 520


def test_a_map_drawn_from_its_layout_worked_out_apart_is_the_same_map() -> None:
    """The build works the layout out where it analyses the network, and the network
    page draws from it: the same map, to the byte, as the page working it out itself;
    names, activity and links play no part in where members go."""
    rng = random.Random(5)
    nodes = [
        netmap.MapNode(f"m{i:02d}", f"Member {i}", f"g{i % 4}", float(i % 7), f"/members/m{i}/")
        for i in range(40)
    ]
    ties = [
        netmap.MapEdge(f"m{a:02d}", f"m{b:02d}", 0.5 + rng.random())
        for a, b in {tuple(sorted(rng.sample(range(40), 2))) for _ in range(70)}
    ]
    bare = [netmap.MapNode(n.handle, "", n.group, 0.0, "") for n in nodes]
    layout = netmap.map_layout(bare, ties)
    assert sorted(layout) == [n.handle for n in nodes]
    assert netmap.network_svg(nodes, ties, layout=layout) == netmap.network_svg(nodes, ties)
    moved = {h: (x + 1.0, y) for h, (x, y) in layout.items()}
    moved["m00"] = (50.0, 50.0)  # the layout given is the one drawn
    assert netmap.network_svg(nodes, ties, layout=moved) != netmap.network_svg(nodes, ties)
    assert netmap.map_layout([], ties) == {}

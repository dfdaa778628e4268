"""An expansion in memory stays in adjacency rows (graph/explore/subgraphs.py
``expanded_around``) and gives the view the plain rule gives: every
neighbour of the expanded nodes added by name, ranked by steps from the
focus, cut by ``induced_subgraph`` — same nodes, edges, cut and total, on a
synthetic network whose hubs (Länder, countries, themes) overflow the cap."""

from __future__ import annotations

import random

import pytest

from graph.explore.adjacency import steps_within_two
from graph.explore.subgraphs import MAX_ELEMENTS, ego_network, expanded_around, induced_subgraph
from graph.store import MemoryStore
from graph.view import explorer_view
from loaders import load
from loaders.synthetic import generate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("expand") / "data"
    generate(folder, nodes=3000, seed=5)
    return load(folder).graph


def plain(g, focus: str, expand: list[str], radius: int, cap: int):
    """The former way: names all along."""
    ego = ego_network(g, focus, radius=radius, max_elements=cap)
    nodes = list(dict.fromkeys([*ego.nodes, focus, *expand]))
    for nid in expand:
        nodes += sorted(g.neighbours(nid))
    nodes = list(dict.fromkeys(nodes))
    if set(nodes) <= set(ego.nodes):
        inside = set(nodes)
        edges = tuple(e for e in ego.edges if e[0] in inside and e[1] in inside)
        return tuple(sorted(inside)), edges, False, len(inside) + len(edges)
    sub = induced_subgraph(g, nodes, max_elements=cap, keep=[focus, *expand], rank=steps_within_two(g, focus, nodes))
    return sub.nodes, sub.edges, sub.truncated, sub.total


def cases(g, count: int, seed: int):
    rng = random.Random(seed)
    nodes = sorted(g.nx.nodes)
    out = []
    for focus in rng.sample(nodes, count):
        near = sorted(g.neighbours(focus))
        if near:
            out.append((focus, [rng.choice(near)], rng.choice([1, 2])))
            out.append((focus, rng.sample(near, min(2, len(near))), 1))
    hubs = sorted(n for n in nodes if n.split(":")[0] in ("land", "country", "theme"))
    for hub in rng.sample(hubs, 6):
        out.append((sorted(g.neighbours(hub))[0], [hub], 1))  # a neighbour's view, its hub expanded
    return out


@pytest.mark.parametrize("cap", [MAX_ELEMENTS, 300])
def test_rows_give_the_plain_view(synthetic, cap):
    g = synthetic
    truncated = 0
    for focus, expand, radius in cases(g, 60, 3):
        ego = ego_network(g, focus, radius=radius, max_elements=cap)
        nodes = list(dict.fromkeys([*ego.nodes, focus, *expand]))
        sub = expanded_around(g, focus, nodes, expand, keep=[focus, *expand], max_elements=cap)
        assert (sub.nodes, sub.edges, sub.truncated, sub.total) == plain(g, focus, expand, radius, cap), (focus, expand)
        truncated += sub.truncated
    assert truncated >= 5  # the cut was exercised, not only views that fit


def test_the_explorer_uses_it_for_an_expansion(synthetic):
    store = MemoryStore(synthetic)
    for focus, expand, radius in cases(synthetic, 20, 4):
        view = explorer_view(store, focus=focus, expand=expand, radius=radius)
        want = plain(synthetic, focus, expand, radius, MAX_ELEMENTS)
        assert (view.subgraph.nodes, view.subgraph.edges, view.subgraph.truncated, view.subgraph.total) == want


def _cut_one_by_one(adj, rows, keys, cap):
    """The rule of ``cut``, each candidate looked at in turn (as before it skipped blocks in numpy)."""
    import numpy as np

    order = rows[np.lexsort((adj.name_rank[rows], -adj.degree[rows], *keys))]
    links = np.zeros(len(adj.names), dtype=np.int64)
    chosen, used = set(), 0
    for i in order.tolist():
        added = 1 + int(links[i])
        if used + added > cap:
            continue
        chosen.add(adj.names[i])
        used += added
        np.add.at(links, adj.any_idx[adj.any_ptr[i]:adj.any_ptr[i + 1]], 1)
        if used >= cap:
            break
    return chosen


@pytest.mark.parametrize("block", [16, 2048])
@pytest.mark.parametrize("cap", [7, 60, 300, 1500, 6000])
def test_cut_passes_over_hopeless_candidates_in_blocks_with_the_same_result(synthetic, cap, block, monkeypatch):
    """More candidates than a block and a cap that fills up: the nodes taken are the ones the
    one-by-one rule takes (small blocks put many block starts where the room is nearly gone)."""
    import numpy as np

    from graph.explore import subgraphs
    from graph.explore.adjacency import adjacency
    from graph.explore.subgraphs import cut

    monkeypatch.setattr(subgraphs, "_CUT_BLOCK", block)
    adj = adjacency(synthetic)
    rng = np.random.default_rng(cap)
    rows = rng.permutation(len(adj.names))
    assert len(rows) > block
    # a hub first, then its neighbours (each costs itself and its edge to the hub), then the rest
    hub = int(np.argmax(adj.degree))
    steps = np.full(len(adj.names), 2.0)
    steps[adj.any_idx[adj.any_ptr[hub]:adj.any_ptr[hub + 1]]] = 1.0
    steps[hub] = 0.0
    keys = (rng.integers(0, 2, len(rows)).astype(float), steps[rows])
    got = cut(synthetic, adj, rows, keys, cap, total=0)
    assert set(got.nodes) == _cut_one_by_one(adj, rows, keys, cap)
    assert len(got.nodes) + len(got.edges) <= cap

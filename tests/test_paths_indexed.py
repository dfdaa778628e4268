"""The path search steps in numpy (graph/explore/paths.py) and finds exactly
the paths the node-by-node walk found before (tests/path_reference.py):
same paths, same order, for every edge-kind rule, exclusion and ``k`` the
explorer uses — on the sample and on a synthetic network with hubs."""

from __future__ import annotations

import random

import pytest

from graph.explore.paths import HOME_COUNTRY, STRICT_PATH_EDGES, shortest_paths
from loaders import load
from loaders.synthetic import generate
from tests.path_reference import reference_paths

#: (keyword arguments) the explorer and the API ask with: strict (its default), loose, longer and shorter.
ASKS = [dict(k=3, max_length=6, via=STRICT_PATH_EDGES, exclude=[HOME_COUNTRY]),
        dict(k=3, max_length=6),
        dict(k=5, max_length=8, via=STRICT_PATH_EDGES),
        dict(k=2, max_length=3, exclude=[HOME_COUNTRY])]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("paths") / "data"
    generate(folder, nodes=3000, seed=11)
    return load(folder).graph


def _pairs(g, count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    nodes = sorted(g.nx.nodes)
    return [tuple(rng.sample(nodes, 2)) for _ in range(count)]


#: graph fixture → (pairs compared, seed, pairs that must have a path, pairs that must have alternatives)
GRAPHS = {"sample_graph": (150, 1, 50, 0), "synthetic": (60, 2, 0, 10)}


@pytest.mark.parametrize("graph", GRAPHS)
@pytest.mark.parametrize("ask", ASKS, ids=["strict", "loose", "k5", "short"])
def test_the_indexed_search_finds_the_paths_of_the_walk(request, graph, ask):
    """On the sample and on a network with hubs; alternatives (k > 1) mean
    Yen's spur searches with cut edges are compared too, not only empty lists."""
    g = request.getfixturevalue(graph)
    count, seed, connected, alternatives = GRAPHS[graph]
    found = several = 0
    for a, b in _pairs(g, count, seed):
        ours = shortest_paths(g, a, b, **ask)
        assert ours == reference_paths(g, a, b, **ask), (a, b, ask)
        found += bool(ours)
        several += len(ours) > 1
    assert found >= connected and several >= alternatives


def test_an_edit_is_seen_by_the_next_search(sample_graph):
    """The stepping rows are kept per graph generation: a new edge counts at once."""
    import copy

    g = copy.deepcopy(sample_graph)
    a, b = "institution:biug", "country:MOZ"
    before = shortest_paths(g, a, b, k=1, max_length=6, via=STRICT_PATH_EDGES)
    g.add_edge(a, b, "located_in", source="test")
    assert shortest_paths(g, a, b, k=1, max_length=6, via=STRICT_PATH_EDGES) == [[a, b]] != before

"""Per-node metrics of the whole graph for the explorer's size and colour:
degree, betweenness, PageRank and community.

Computed once per graph (the dashboard caches the result per dataset), with
igraph: degree and PageRank exactly; betweenness over paths of at most
:data:`BETWEENNESS_CUTOFF` steps up to :data:`EXACT_BETWEENNESS_LIMIT` nodes,
above that estimated from :data:`BETWEENNESS_SAMPLES` sampled source nodes
(fixed seed; scaled by ``n / k``, Brandes & Pich 2007): on a heavy-tailed
graph four steps from a hub reach nearly every node, so the cut alone took
minutes at 20,000 nodes and hours at 100,000; communities by Louvain
(multilevel) on the simple undirected graph.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph(with_laender=False)
>>> a = g.add_node("institution", "a", label="A", illustrative=True)
>>> b = g.add_node("institution", "b", label="B", illustrative=True)
>>> p = g.add_node("project", "p", label="P", illustrative=True)
>>> _ = g.add_edge(a, p, "participates_in", illustrative=True)
>>> _ = g.add_edge(b, p, "participates_in", illustrative=True)
>>> m = node_metrics(g)
>>> m.values["degree"]["project:p"], m.values["betweenness"]["project:p"] > 0
(2.0, True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig

from graph.analysis.seeded import seeded_igraph
from graph.core.model import PartnerGraph

__all__ = ["NODE_METRICS", "BETWEENNESS_CUTOFF", "EXACT_BETWEENNESS_LIMIT", "BETWEENNESS_SAMPLES", "NodeMetrics",
           "node_metrics"]

NODE_METRICS = ("degree", "betweenness", "pagerank", "community")
BETWEENNESS_CUTOFF = 4
#: Up to this many nodes betweenness is exact (paths ≤ :data:`BETWEENNESS_CUTOFF`); above, sampled.
EXACT_BETWEENNESS_LIMIT = 5000
#: Source nodes sampled above :data:`EXACT_BETWEENNESS_LIMIT` (igraph cannot combine sources with a cutoff).
BETWEENNESS_SAMPLES = 128


@dataclass(frozen=True)
class NodeMetrics:
    """``values[metric][node id]``; ``top[metric]`` the largest value (scaling)."""

    values: dict[str, dict[str, float]]
    top: dict[str, float]


def node_metrics(g: PartnerGraph) -> NodeMetrics:
    """Degree, betweenness (paths ≤ :data:`BETWEENNESS_CUTOFF`), PageRank and
    Louvain community of every node of ``g`` (edges undirected, parallel edges merged)."""
    nodes = list(g.nx.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = {(min(index[u], index[v]), max(index[u], index[v])) for u, v in g.nx.edges() if u != v}
    h = ig.Graph(n=len(nodes), edges=sorted(pairs), directed=False)
    values: dict[str, dict[str, float]] = {}
    if not nodes:
        return NodeMetrics({m: {} for m in NODE_METRICS}, {m: 0.0 for m in NODE_METRICS})
    values["degree"] = dict(zip(nodes, (float(d) for d in h.degree())))
    values["betweenness"] = dict(zip(nodes, _betweenness(h)))
    values["pagerank"] = dict(zip(nodes, (float(p) for p in h.pagerank())))
    with seeded_igraph(0):  # the same communities (and colours) on every start
        membership = h.community_multilevel().membership if h.ecount() else list(range(len(nodes)))
    # communities numbered by size (0 = the largest), so colours are stable between runs
    sizes: dict[int, int] = {}
    for c in membership:
        sizes[c] = sizes.get(c, 0) + 1
    order = {c: i for i, c in enumerate(sorted(sizes, key=lambda c: (-sizes[c], c)))}
    values["community"] = {n: float(order[c]) for n, c in zip(nodes, membership)}
    top = {m: max(v.values(), default=0.0) for m, v in values.items()}
    return NodeMetrics(values, top)


def _betweenness(h: "ig.Graph") -> list[float]:
    """Exact (cut) betweenness of a small graph; estimated from sampled sources on a large one."""
    n = h.vcount()
    if n <= EXACT_BETWEENNESS_LIMIT:
        return [float(b) for b in h.betweenness(cutoff=BETWEENNESS_CUTOFF)]
    sources = sorted(random.Random(0).sample(range(n), BETWEENNESS_SAMPLES))
    scale = n / BETWEENNESS_SAMPLES
    return [float(b) * scale for b in h.betweenness(directed=False, sources=sources)]

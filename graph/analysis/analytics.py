"""Network metrics on the institution–institution projection, computed once.

Institutions are linked when they take part in the same project; the weight
of a link is the number of projects they share. On that projection we compute
degree (distinct partners), strength (weighted degree), betweenness (exact
when the projection is small, estimated from sampled sources when it is
large), PageRank (weighted), communities (Louvain, weighted modularity),
articulation points and bridges — all in one :class:`AnalyticsResult`, meant
to be computed once per loaded dataset and cached.

Two backends give the same numbers: ``networkx`` (the reference, used for
small graphs) and ``igraph`` (C implementation, used at scale). The
projection itself is built with a sparse incidence product (scipy), so large
projects do not cost a Python loop over all member pairs.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph(with_laender=False)
>>> for key in "abc":
...     _ = g.add_node("institution", key, label=key.upper(), source="x")
>>> for p, members in {"P1": "ab", "P2": "bc"}.items():
...     _ = g.add_node("project", p, label=p, source="x")
...     for m in members:
...         g.add_edge(f"institution:{m}", f"project:{p}", "participates_in", source="x")
>>> res = compute(g)
>>> res.brokers(1)[0].node
'institution:b'
>>> res.betweenness["institution:b"]
1.0
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

import networkx as nx
import numpy as np
from scipy import sparse

from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind
from graph.analysis.seeded import seeded_igraph
from graph.core.model import PartnerGraph

__all__ = [
    "Projection",
    "Community",
    "Broker",
    "AnalyticsResult",
    "BACKENDS",
    "institution_projection",
    "projection_to_networkx",
    "compute",
    "key_figures",
]

BACKENDS = ("auto", "networkx", "igraph")

#: Up to this many projection nodes betweenness is exact; above, it is sampled.
EXACT_BETWEENNESS_LIMIT = 5000
#: ``backend="auto"`` uses igraph from this many projection nodes or links on
#: (networkx's exact betweenness already takes minutes at ~2,000 nodes / 26,000 links).
AUTO_IGRAPH_FROM = 1000


# --------------------------------------------------------------------------- projection
@dataclass(frozen=True)
class Projection:
    """Institutions (``nodes``) and weighted links ``(i, j, shared projects)``
    with ``i < j`` as positions in ``nodes``."""

    nodes: list[str]
    sources: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    projects: np.ndarray  # projects per institution, aligned with nodes

    @property
    def n_edges(self) -> int:
        return int(self.sources.shape[0])


def institution_projection(g: PartnerGraph) -> Projection:
    """Link institutions that share projects, weighted by the number shared.

    Every institution is a node, also those without projects (degree 0).

    >>> g = PartnerGraph(with_laender=False)
    >>> institution_projection(g).n_edges
    0
    """
    nodes = sorted(g.nodes(NodeKind.INSTITUTION))
    index = {n: i for i, n in enumerate(nodes)}
    projects: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    seen: set[tuple[int, int]] = set()
    for u, v, data in g.edges(EdgeKind.PARTICIPATES_IN):
        i = index[u]
        j = projects.setdefault(v, len(projects))
        if (i, j) not in seen:  # several roles in one project count once
            seen.add((i, j))
            rows.append(i)
            cols.append(j)
    n = len(nodes)
    if n == 0 or not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Projection(nodes, empty, empty, np.zeros(0), np.zeros(n, dtype=np.int64))
    inc = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(projects)))
    shared = sparse.triu(inc @ inc.T, k=1).tocoo()
    order = np.lexsort((shared.col, shared.row))
    per_inst = np.asarray(inc.sum(axis=1)).ravel().astype(np.int64)
    return Projection(nodes, shared.row[order].astype(np.int64), shared.col[order].astype(np.int64),
                      shared.data[order].astype(float), per_inst)


def projection_to_networkx(p: Projection) -> nx.Graph:
    """The projection as a weighted ``networkx.Graph`` (node ids as in the partner graph)."""
    h = nx.Graph()
    h.add_nodes_from(p.nodes)
    h.add_weighted_edges_from((p.nodes[i], p.nodes[j], float(w))
                              for i, j, w in zip(p.sources.tolist(), p.targets.tolist(), p.weights.tolist()))
    return h


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class Community:
    """One community: ``index`` (0 = largest), members sorted by PageRank."""

    index: int
    members: tuple[str, ...]
    places: tuple[tuple[str, int], ...] = ()       # (land code or country ISO3, members there)
    countries: tuple[tuple[str, int], ...] = ()    # (partner country ISO3, projects there)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Broker:
    """A node with high betweenness and *why*: the communities it links."""

    node: str
    betweenness: float
    degree: int
    community: int
    linked_communities: tuple[tuple[int, int], ...]  # (community, partners in it), own excluded
    articulation: bool
    projects: tuple[str, ...] = ()  # the projects through which it links its partners

    @property
    def bridges_groups(self) -> bool:
        return bool(self.linked_communities)


@dataclass
class AnalyticsResult:
    """Everything the analytics page shows about the projection."""

    nodes: list[str]
    degree: dict[str, int]
    strength: dict[str, float]
    projects: dict[str, int]
    betweenness: dict[str, float]
    pagerank: dict[str, float]
    community: dict[str, int]
    communities: list[Community]
    articulation_points: frozenset[str]
    bridges: list[tuple[str, str]]
    components: int
    largest_component: int
    n_edges: int
    backend: str
    betweenness_sampled: bool
    betweenness_samples: int | None
    seconds: float
    top_brokers: list[Broker] = field(default_factory=list)

    def brokers(self, top: int = 10) -> list[Broker]:
        """The ``top`` nodes by betweenness (ties by id), those with betweenness > 0."""
        return self.top_brokers[:top]

    def central(self, top: int = 10, *, by: str = "pagerank") -> list[str]:
        """The ``top`` nodes by ``pagerank``, ``degree``, ``strength`` or ``betweenness``."""
        scores = {"pagerank": self.pagerank, "degree": self.degree, "strength": self.strength,
                  "betweenness": self.betweenness}.get(by)
        if scores is None:
            raise PartnernetzError(f"unknown centrality {by!r}")
        # rounded so that float noise between backends does not reorder ties
        return sorted(scores, key=lambda n: (-round(scores[n], 8), n))[:top]

    def node_attributes(self) -> dict[str, dict[str, Any]]:
        """``{attribute: {node: value}}`` for GraphML/GEXF export."""
        return {
            "metric_degree": dict(self.degree),
            "metric_strength": dict(self.strength),
            "metric_betweenness": dict(self.betweenness),
            "metric_pagerank": dict(self.pagerank),
            "metric_community": dict(self.community),
            "metric_articulation": {n: n in self.articulation_points for n in self.nodes},
        }


# --------------------------------------------------------------------------- backends
def _sample_sources(n: int, k: int, seed: int) -> list[int]:
    return sorted(random.Random(seed).sample(range(n), k))


def _scale_betweenness(raw: Iterable[float], n: int, k: int | None) -> list[float]:
    """Raw betweenness (every unordered pair once) → normalised to [0, 1].

    With ``k`` sampled sources both backends return half the summed
    dependencies of those sources; scaling by ``n / k`` estimates the exact
    value (Brandes & Pich 2007). With all sources it *is* the exact value.
    """
    if n <= 2:
        return [0.0 for _ in raw]
    norm = 2.0 / ((n - 1) * (n - 2))
    if k is None:
        return [float(b) * norm for b in raw]
    return [float(b) * norm * n / k for b in raw]


def _canonical_communities(groups: Iterable[Iterable[int]], nodes: list[str]) -> list[list[int]]:
    out = [sorted(gr) for gr in groups]
    out.sort(key=lambda gr: (-len(gr), nodes[gr[0]]))
    return out


def _run_networkx(p: Projection, *, k: int | None, seed: int, resolution: float):
    h = nx.Graph()
    h.add_nodes_from(range(len(p.nodes)))
    h.add_weighted_edges_from(zip(p.sources.tolist(), p.targets.tolist(), p.weights.tolist()))
    n = len(p.nodes)
    if k is None:
        bc = nx.betweenness_centrality(h, normalized=False)
        raw = [bc[i] for i in range(n)]
    else:
        sources = _sample_sources(n, k, seed)
        bc = nx.betweenness_centrality_subset(h, sources, list(range(n)), normalized=False)
        raw = [bc[i] for i in range(n)]
    pr = nx.pagerank(h, weight="weight", tol=1e-10, max_iter=1000) if n else {}
    groups = nx.community.louvain_communities(h, weight="weight", resolution=resolution, seed=seed) if n else []
    arts = set(nx.articulation_points(h))
    brs = [tuple(sorted(e)) for e in nx.bridges(h)]
    comps = [len(c) for c in nx.connected_components(h)]
    return raw, [pr.get(i, 0.0) for i in range(n)], groups, arts, brs, comps


def _run_igraph(p: Projection, *, k: int | None, seed: int, resolution: float):
    import igraph as ig

    n = len(p.nodes)
    h = ig.Graph(n=n, edges=list(zip(p.sources.tolist(), p.targets.tolist())), directed=False)
    weights = p.weights.tolist()
    if k is None:
        raw = h.betweenness(directed=False)
    else:
        raw = h.betweenness(directed=False, sources=_sample_sources(n, k, seed))
    pr = h.pagerank(directed=False, weights=weights or None) if n else []
    with seeded_igraph(seed):
        clustering = h.community_multilevel(weights=weights or None, resolution=resolution) if n else []
    groups = [list(c) for c in clustering] if n else []
    arts = set(h.articulation_points())
    brs = [tuple(sorted(h.es[e].tuple)) for e in h.bridges()]
    comps = [len(c) for c in h.connected_components()] if n else []
    return raw, list(pr), groups, arts, brs, comps


# --------------------------------------------------------------------------- compute
def compute(g: PartnerGraph, *, backend: str = "auto", exact_limit: int = EXACT_BETWEENNESS_LIMIT,
            samples: int = 256, seed: int = 0, resolution: float = 1.0, top_brokers: int = 25) -> AnalyticsResult:
    """Compute every metric of the institution projection of ``g``.

    Parameters
    ----------
    backend : "auto", "networkx" or "igraph"
        ``auto`` uses networkx for small projections, igraph from
        ``AUTO_IGRAPH_FROM`` nodes or links on.
    exact_limit : int
        Betweenness is exact up to this many projection nodes, else estimated
        from ``samples`` source nodes drawn with ``seed`` (same sources in
        both backends, so both give the same estimate).
    resolution : float
        Louvain resolution (1.0 = classic modularity).

    Examples
    --------
    >>> compute(PartnerGraph(with_laender=False)).components
    0
    """
    if backend not in BACKENDS:
        raise PartnernetzError(f"unknown analytics backend {backend!r} (choose {', '.join(BACKENDS)})")
    t0 = time.perf_counter()
    p = institution_projection(g)
    n = len(p.nodes)
    if backend == "auto":
        backend = "igraph" if max(n, p.n_edges) >= AUTO_IGRAPH_FROM else "networkx"
    k = None if n <= exact_limit else min(samples, n)
    run = _run_igraph if backend == "igraph" else _run_networkx
    raw, pr, groups, arts, brs, comps = run(p, k=k, seed=seed, resolution=resolution)
    nodes = p.nodes
    bc = _scale_betweenness(raw, n, k)
    degree = np.zeros(n, dtype=np.int64)
    strength = np.zeros(n)
    np.add.at(degree, p.sources, 1)
    np.add.at(degree, p.targets, 1)
    np.add.at(strength, p.sources, p.weights)
    np.add.at(strength, p.targets, p.weights)
    groups = _canonical_communities(groups, nodes)
    membership = np.zeros(n, dtype=np.int64)
    for ci, gr in enumerate(groups):
        membership[gr] = ci
    res = AnalyticsResult(
        nodes=nodes,
        degree=dict(zip(nodes, degree.tolist())),
        strength=dict(zip(nodes, strength.tolist())),
        projects=dict(zip(nodes, p.projects.tolist())),
        betweenness=dict(zip(nodes, bc)),
        pagerank=dict(zip(nodes, (float(x) for x in pr))),
        community=dict(zip(nodes, membership.tolist())),
        communities=[],
        articulation_points=frozenset(nodes[i] for i in arts),
        bridges=sorted((nodes[a], nodes[b]) for a, b in brs),
        components=len(comps),
        largest_component=max(comps, default=0),
        n_edges=p.n_edges,
        backend=backend,
        betweenness_sampled=k is not None,
        betweenness_samples=k,
        seconds=0.0,
    )
    res.communities = _describe_communities(g, res, groups)
    res.top_brokers = _brokers(g, p, res, membership, top_brokers)
    res.seconds = time.perf_counter() - t0
    return res


def _brokers(g: PartnerGraph, p: Projection, res: AnalyticsResult, membership: np.ndarray,
             top: int) -> list[Broker]:
    ranked = [n for n in res.central(top, by="betweenness") if res.betweenness[n] > 0]
    if not ranked:
        return []
    index = {n: i for i, n in enumerate(p.nodes)}
    wanted = {index[n] for n in ranked}
    linked: dict[int, Counter] = {i: Counter() for i in wanted}
    for a, b in zip(p.sources.tolist(), p.targets.tolist()):
        if a in wanted:
            linked[a][int(membership[b])] += 1
        if b in wanted:
            linked[b][int(membership[a])] += 1
    out = []
    for n in ranked:
        i = index[n]
        own = int(membership[i])
        others = tuple(sorted(((c, m) for c, m in linked[i].items() if c != own), key=lambda cm: (-cm[1], cm[0])))
        projects = tuple(sorted({v for v, _ in g.out_edges(n, EdgeKind.PARTICIPATES_IN)}))
        out.append(Broker(node=n, betweenness=res.betweenness[n], degree=res.degree[n], community=own,
                          linked_communities=others, articulation=n in res.articulation_points,
                          projects=projects))
    return out


def _describe_communities(g: PartnerGraph, res: AnalyticsResult, groups: list[list[int]], *,
                          top: int = 3) -> list[Community]:
    out = []
    nx_g = g.nx
    for ci, gr in enumerate(groups):
        members = sorted((res.nodes[i] for i in gr), key=lambda n: (-round(res.pagerank[n], 8), n))
        places: Counter = Counter()
        countries: Counter = Counter()
        projects: set[str] = set()
        for m in members:
            attrs = nx_g.nodes[m]
            place = attrs.get("land") or attrs.get("country")
            if place:
                places[place] += 1
            for _, proj, d in nx_g.out_edges(m, data=True):
                if d.get("kind") == EdgeKind.PARTICIPATES_IN.value:
                    projects.add(proj)
        for proj in projects:
            for _, c, d in nx_g.out_edges(proj, data=True):
                if d.get("kind") == EdgeKind.IMPLEMENTED_IN.value:
                    countries[c.partition(":")[2]] += 1
        out.append(Community(index=ci, members=tuple(members),
                             places=tuple(sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
                             countries=tuple(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))[:top])))
    return out


# --------------------------------------------------------------------------- key figures
def key_figures(g: PartnerGraph, *, year: int | None = None) -> dict[str, int]:
    """Headline numbers: nodes per kind, active projects, Länder and partner
    countries involved in projects.

    ``active_projects`` counts projects with status ``active``; with ``year``
    also ``running_projects``: projects whose years include ``year`` (an open
    end counts as still running).

    >>> key_figures(PartnerGraph())["laender_involved"]
    0
    """
    out = {f"count_{k}": v for k, v in g.counts_by_kind().items()}
    projects = list(g.nodes(NodeKind.PROJECT))
    out["active_projects"] = sum(1 for p in projects if g.nx.nodes[p].get("status") == "active")
    if year is not None:
        running = 0
        for p in projects:
            a = g.nx.nodes[p]
            start, end = a.get("start_year"), a.get("end_year")
            if start is not None and start <= year and (end is None or end >= year):
                running += 1
        out["running_projects"] = running
    laender: set[str] = set()
    countries: set[str] = set()
    for u, v, _ in g.edges(EdgeKind.COFINANCES):
        laender.add(u)
    for u, v, _ in g.edges(EdgeKind.PARTICIPATES_IN):
        land = g.nx.nodes[u].get("land")
        if land:
            laender.add(f"land:{land}")
    for u, v, _ in g.edges(EdgeKind.IMPLEMENTED_IN):
        if u.startswith("project:") and v != "country:DEU":
            countries.add(v)
    out["laender_involved"] = len(laender)
    out["countries_involved"] = len(countries)
    return out

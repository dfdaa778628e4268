"""The aggregated view for views too large to draw: Länder ↔ partner
countries (or themes), weighted by the projects matching a filter, computed
as a few sparse products over a projects × values incidence (built once per
graph generation)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.core.cache import cached
from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, key_of
from graph.core.model import PartnerGraph
from graph.explore.filters import GraphFilter, matching_positions, project_facts

__all__ = ["AggregateNode", "AggregateEdge", "Overview", "OVERVIEW_BY", "OVERVIEW_CACHE", "overview", "incidence"]


@dataclass(frozen=True)
class AggregateNode:
    """A Land, country or theme in the overview, with how many matching
    projects and institutions it stands for."""

    node_id: str
    kind: str
    projects: int
    institutions: int


@dataclass(frozen=True)
class AggregateEdge:
    """Land ↔ country/theme in the overview: ``projects`` matching projects
    link them; ``partnership`` is True for a formal Land–country partnership."""

    source: str
    target: str
    projects: int
    partnership: bool = False


@dataclass(frozen=True)
class Overview:
    """Aggregated view: Länder on one side, countries (or themes) on the
    other, edges weighted by the number of matching projects."""

    by: str
    nodes: tuple[AggregateNode, ...]
    edges: tuple[AggregateEdge, ...]
    projects: int

    @property
    def size(self) -> int:
        return len(self.nodes) + len(self.edges)


OVERVIEW_BY = ("country", "theme")
#: Overviews kept per graph (most recently used filters).
OVERVIEW_CACHE = 64


def overview(g: PartnerGraph, flt: GraphFilter | None = None, *, by: str = "country") -> Overview:
    """Länder ↔ partner countries (``by="country"``) or Länder ↔ themes
    (``by="theme"``), weighted by the projects matching ``flt``.

    A Land counts a project when it cofinances it or one of its institutions
    takes part. Land–country partnerships are always shown (as
    ``partnership=True`` edges) when ``by="country"``, so the start view also
    shows the Länder's formal partnerships without projects. Länder and
    targets without any project or partnership are left out. ``flt.kinds``
    is ignored (the overview has fixed kinds).

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> overview(g).edges
    (AggregateEdge(source='land:DE-RP', target='country:RWA', projects=0, partnership=True),)
    """
    if by not in OVERVIEW_BY:
        raise PartnernetzError(f"overview by must be one of {OVERVIEW_BY}, not {by!r}")
    flt = flt or GraphFilter()
    recent: OrderedDict[tuple[str, GraphFilter], Overview] = cached(g, "explore.overviews", OrderedDict)
    key = (by, flt)
    if key in recent:
        recent.move_to_end(key)
        return recent[key]
    result = recent[key] = _overview(g, flt, by)
    while len(recent) > OVERVIEW_CACHE:
        recent.popitem(last=False)
    return result


def _partnerships(g: PartnerGraph) -> list[tuple[str, str]]:
    """Land → country partnership pairs (found once per graph generation)."""
    def build() -> list[tuple[str, str]]:
        return sorted({(land, v) for land in g.nodes(NodeKind.LAND) for v, d in g.nx._succ[land].items()
                       if any(e["kind"] == EdgeKind.PARTNERS_WITH.value for e in d.values())})
    return cached(g, "explore.partnerships", build)


@dataclass(frozen=True)
class _Incidence:
    """Projects × Länder / countries / themes / institutions as sparse 0/1
    matrices (rows in :func:`project_facts` order; built once per graph
    generation), so an overview is a few sparse products."""

    vocab: dict[str, list[str]]   # "lands" … "institutions" → column values
    matrix: dict[str, Any]        # same keys → scipy CSR matrix (projects × values)


def incidence(g: PartnerGraph) -> _Incidence:
    def build() -> _Incidence:
        from scipy import sparse

        facts = list(project_facts(g).values())
        vocab, matrix = {}, {}
        for name in ("lands", "countries", "themes", "institutions"):
            values = sorted({v for f in facts for v in getattr(f, name)})
            col = {v: i for i, v in enumerate(values)}
            rows = [r for r, f in enumerate(facts) for _ in getattr(f, name)]
            cols = [col[v] for f in facts for v in getattr(f, name)]
            matrix[name] = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                             shape=(len(facts), len(values)))
            vocab[name] = values
        return _Incidence(vocab, matrix)
    return cached(g, "explore.incidence", build)


def _overview(g: PartnerGraph, flt: GraphFilter, by: str) -> Overview:
    inc = incidence(g)
    sel = matching_positions(g, flt)
    target = "countries" if by == "country" else "themes"
    prefix = "country" if by == "country" else "theme"
    wanted_targets = flt.countries if by == "country" else flt.themes

    def columns(name: str, allowed: frozenset[str] | None) -> tuple[Any, list[str]]:
        """The selected projects' matrix of ``name``, restricted to ``allowed`` values."""
        values = inc.vocab[name]
        cols = [i for i, v in enumerate(values) if not allowed or v in allowed]
        return inc.matrix[name][sel][:, cols], [values[i] for i in cols]

    lands_m, land_keys = columns("lands", flt.lands)
    targets_m, target_keys = columns(target, wanted_targets)
    insts_m = inc.matrix["institutions"][sel]
    land_ids = [f"land:{c}" for c in land_keys]
    target_ids = [f"{prefix}:{c}" for c in target_keys]
    node_projects: dict[str, int] = {}
    node_insts: dict[str, int] = {}
    for ids, m in ((land_ids, lands_m), (target_ids, targets_m)):
        counts = np.asarray(m.sum(axis=0)).ravel()
        distinct = np.diff((m.T @ insts_m).tocsr().indptr)  # institutions of those projects, each once
        for j in np.flatnonzero(counts):
            node_projects[ids[j]] = int(counts[j])
            node_insts[ids[j]] = int(distinct[j])
    both = (lands_m.T @ targets_m).tocoo()
    pair = {(land_ids[a], target_ids[b]): int(c) for a, b, c in zip(both.row, both.col, both.data) if c}
    partners: set[tuple[str, str]] = set()
    if by == "country":
        for u, v in _partnerships(g):
            if (not flt.lands or key_of(u) in flt.lands) and (not flt.countries or key_of(v) in flt.countries):
                partners.add((u, v))
    edges = [AggregateEdge(a, b, pair.get((a, b), 0), (a, b) in partners)
             for a, b in sorted(set(pair) | partners)]
    present = {n for e in edges for n in (e.source, e.target)} | set(node_projects)
    present = {n for n in present if n in g.nx}
    nodes = [AggregateNode(n, g.nx.nodes[n]["kind"], node_projects.get(n, 0), node_insts.get(n, 0))
             for n in sorted(present)]
    return Overview(by, tuple(nodes), tuple(e for e in edges if e.source in present and e.target in present),
                    len(sel))

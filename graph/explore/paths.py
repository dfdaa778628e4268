"""How two nodes are connected: up to ``k`` shortest simple paths
(bidirectional breadth-first search and Yen's algorithm, edge direction
ignored), the explorer's strict-path policy, and the steps of a path with
the relation used at each step.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("TZA")
>>> uni = g.add_node("institution", "uni", label="Uni", land="DE-NI", source="s")
>>> p = g.add_node("project", "P1", label="P1", status="active", start_year=2020, source="s")
>>> g.add_edge(uni, p, "participates_in", role="lead", source="s")
>>> g.add_edge(p, "country:TZA", "implemented_in", source="s")
>>> shortest_paths(g, uni, "country:TZA")
[['institution:uni', 'project:P1', 'country:TZA']]
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable

import numpy as np

from graph.core.cache import cached
from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind
from graph.core.model import PartnerGraph
from graph.explore.adjacency import adjacency, gather

__all__ = ["shortest_paths", "PathStep", "describe_path", "STRICT_PATH_EDGES", "HOME_COUNTRY", "build_path_steps"]

#: Edge kinds a "strict" path may use: structural links, not the loose
#: "works on the same theme" links that connect almost everyone.
STRICT_PATH_EDGES = tuple(k.value for k in EdgeKind if k not in (EdgeKind.WORKS_ON, EdgeKind.ABOUT))
#: Hub skipped as an intermediate step of strict paths: every German
#: institution is located in Germany, so "via Germany" explains nothing.
HOME_COUNTRY = "country:DEU"


def shortest_paths(g: PartnerGraph, source: str, target: str, *, k: int = 3, max_length: int = 6,
                   exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
    """Up to ``k`` shortest simple paths from ``source`` to ``target``,
    shortest first, each at most ``max_length`` edges long. Edge direction is
    ignored (a path is "how are they connected", not a flow).

    Nodes in ``exclude`` are never used as intermediate steps (the endpoints
    are always allowed). No hub is skipped unless the caller excludes it: the
    explorer excludes the home country node (``country:DEU``) on request,
    because "both are located in Germany" links every German pair.

    ``via`` restricts the steps to some edge kinds (e.g. projects and
    partnerships only, leaving out the looser ``works_on`` theme links).

    Returns ``[]`` when no path within the limit exists; raises
    ``NodeNotFound`` for unknown endpoints.
    """
    g.node(source)
    g.node(target)
    if k <= 0 or max_length <= 0:
        return []
    if source == target:
        return [[source]]
    banned = set(exclude) - {source, target}
    allowed = None if via is None else frozenset(EdgeKind(e).value for e in via)
    return _k_shortest(partial(_bidirectional, _stepper(g, allowed)), source, target, k=k, limit=max_length,
                       banned=banned)


@dataclass(frozen=True)
class _Steps:
    """Where a path may step from each node: either edge direction, over the
    allowed edge kinds, as CSR rows of node indices (one entry per parallel
    edge, out-edges first — the order the graph's adjacency lists them in,
    so the search meets nodes in the same order as a walk over ``g.nx``)."""

    names: list[str]
    index: dict[str, int]
    ptr: Any
    idx: Any


def _stepper(g: PartnerGraph, allowed: frozenset[str] | None) -> _Steps:
    """The :class:`_Steps` of ``g`` over ``allowed`` edge kinds (all when None),
    built once per graph generation and kind set."""
    adj = adjacency(g)
    if allowed is None:
        return _Steps(adj.names, adj.index, adj.any_ptr, adj.any_idx)

    def build() -> tuple[Any, Any]:  # arrays only: a kept build maps them, and forked workers share them
        succ, pred = g.nx._succ, g.nx._pred
        keep = np.fromiter((d["kind"] in allowed for n in adj.names for side in (succ[n], pred[n])
                            for keys in side.values() for d in keys.values()), dtype=bool, count=len(adj.any_idx))
        rows = np.repeat(np.arange(len(adj.names)), np.diff(adj.any_ptr))
        lens = np.bincount(rows[keep], minlength=len(adj.names))
        return np.concatenate(([0], np.cumsum(lens))), adj.any_idx[keep]

    ptr, idx = cached(g, ("explore.path_steps", tuple(sorted(allowed))), build)
    return _Steps(adj.names, adj.index, ptr, idx)


def build_path_steps(g: PartnerGraph) -> None:
    """Build the stepping rows of the explorer's strict paths now (seconds at
    100k nodes), e.g. in the warm-up, instead of in the first path request."""
    _stepper(g, frozenset(STRICT_PATH_EDGES))


def _bidirectional(steps: _Steps, s: str, t: str, banned: set[str],
                   banned_edges: set[tuple[str, str]], limit: int) -> list[str] | None:
    """A shortest path ``s`` … ``t`` of at most ``limit`` edges avoiding
    ``banned`` nodes and ``banned_edges`` (both directions listed), or None.
    Breadth-first from both ends, always growing the smaller frontier; each
    level is one numpy step over the frontier's rows. Within a level a node
    is reached from the first frontier node (in frontier order, then row
    order) that steps to it, and the first node seen from the other side
    ends the search — the order a node-by-node walk would take."""
    if s == t:
        return [s]
    n = len(steps.names)
    scratch = _SCRATCH
    own = not scratch.busy  # a nested search (none today) gets fresh arrays
    if own and scratch.size != n:
        scratch.size, scratch.arrays = n, _blank(n)
    arrays = scratch.arrays if own else _blank(n)
    scratch.busy = True
    touched: list[Any] = []
    try:
        return _search(steps, s, t, banned, banned_edges, limit, *arrays, touched)
    finally:
        blocked, seen, back, _ = arrays  # the marks are put back by each step
        for nodes in touched:  # back to blank, entry by entry
            blocked[nodes] = False
            seen[0][nodes] = seen[1][nodes] = False
            back[0][nodes] = back[1][nodes] = -1
        if own:
            scratch.busy = False


#: An unmarked entry of the marks array (:func:`_blank`).
_UNMARKED = np.iinfo(np.int64).max


def _blank(n: int) -> tuple[Any, tuple[Any, Any], tuple[Any, Any], Any]:
    """Blank search arrays for ``n`` nodes: blocked, seen and predecessor
    from either end, and the marks that find each node's first appearance in
    a step (:data:`_UNMARKED` between steps)."""
    return (np.zeros(n, dtype=bool), (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)),
            (np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)), np.full(n, _UNMARKED, dtype=np.int64))


class _Scratch(threading.local):
    """This thread's search arrays over all nodes (:func:`_blank`), allocated
    once per graph size and put back to blank entry by entry after each
    search: Yen's algorithm runs ~15–30 searches per path request, and
    filling five arrays of 100,000 entries for each was a fifth of its time."""

    size = -1
    arrays: Any = None
    busy = False


_SCRATCH = _Scratch()


def _search(steps: _Steps, s: str, t: str, banned: set[str], banned_edges: set[tuple[str, str]], limit: int,
            blocked: Any, seen: tuple[Any, Any], back: tuple[Any, Any], mark: Any,
            touched: list[Any]) -> list[str] | None:
    """:func:`_bidirectional` on blank arrays; every index it sets is listed in ``touched``."""
    index, n = steps.index, len(steps.names)
    src, dst = index[s], index[t]
    if banned:
        gone = np.array([index[b] for b in banned if b in index], dtype=np.int64)
        blocked[gone] = True
        touched.append(gone)
    cut = np.array(sorted(index[u] * n + index[w] for u, w in banned_edges if u in index and w in index),
                   dtype=np.int64)
    ends = np.array([src, dst], dtype=np.int64)
    touched.append(ends)
    seen[0][src] = seen[1][dst] = True
    fronts = [np.array([src], dtype=np.int64), np.array([dst], dtype=np.int64)]
    levels = 0

    def chain(side: int, node: int) -> list[int]:
        out = []
        while node != -1:
            out.append(node)
            node = int(back[side][node])
        return out

    while len(fronts[0]) and len(fronts[1]) and levels < limit:
        levels += 1
        side = 0 if len(fronts[0]) <= len(fronts[1]) else 1
        frontier = fronts[side]
        lens = steps.ptr[frontier + 1] - steps.ptr[frontier]
        reached = gather(steps.ptr, steps.idx, frontier).astype(np.int64)
        parents = np.repeat(frontier, lens)
        ok = ~blocked[reached] & ~seen[side][reached]
        if len(cut):
            ok &= ~np.isin(parents * n + reached, cut)
        reached, parents = reached[ok], parents[ok]
        # each node once, reached from its first parent, in order of first appearance
        # (np.unique would sort: 5 ms for a hub's 50,000 entries instead of 0.4 ms)
        order = np.arange(len(reached))
        np.minimum.at(mark, reached, order)
        try:
            first = np.flatnonzero(mark[reached] == order)
        finally:
            mark[reached] = _UNMARKED
        reached, parents = reached[first], parents[first]
        touched.append(reached)
        back[side][reached] = parents
        seen[side][reached] = True
        meets = np.flatnonzero(seen[1 - side][reached])
        if len(meets):
            meet = int(reached[meets[0]])
            forward, backward = chain(0, meet), chain(1, meet)
            return [steps.names[i] for i in forward[::-1] + backward[1:]]
        fronts[side] = reached
    return None


#: ``search(s, t, banned, banned_edges, limit)``: one shortest path avoiding those, or None.
ShortestPath = Callable[[str, str, set[str], set[tuple[str, str]], int], "list[str] | None"]


def _k_shortest(search: ShortestPath, s: str, t: str, *, k: int, limit: int, banned: set[str]) -> list[list[str]]:
    """Yen's algorithm over ``search`` (:func:`_bidirectional` of some
    :class:`_Steps`): up to ``k`` shortest simple paths, none longer than ``limit``."""
    first = search(s, t, banned, set(), limit)
    if first is None:
        return []
    found = [first]
    seen = {tuple(first)}
    candidates: list[tuple[int, int, list[str]]] = []
    counter = 0
    while len(found) < k:
        prev = found[-1]
        for i in range(len(prev) - 1):
            root = prev[: i + 1]
            cut: set[tuple[str, str]] = set()
            for p in found:
                if len(p) > i + 1 and p[: i + 1] == root:
                    cut.add((p[i], p[i + 1]))
                    cut.add((p[i + 1], p[i]))
            rest = search(prev[i], t, banned | set(root[:-1]), cut, limit - i)
            if rest is not None:
                path = root[:-1] + rest
                if tuple(path) not in seen:
                    seen.add(tuple(path))
                    heapq.heappush(candidates, (len(path), counter, path))
                    counter += 1
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[2])
    return found



@dataclass(frozen=True)
class PathStep:
    """One step of a path: the node reached and the relation used to reach
    it (``None`` for the start); ``forward`` tells the edge's direction."""

    node_id: str
    label: str
    kind: str
    relation: str | None = None
    forward: bool = True


def describe_path(g: PartnerGraph, path: Iterable[str], *, lang: str = "de") -> list[PathStep]:
    """The steps of ``path`` with the relation between consecutive nodes.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> [(s.label, s.relation, s.forward) for s in describe_path(g, ["country:RWA", "land:DE-RP"])]
    [('Ruanda', None, True), ('Rheinland-Pfalz', 'partners_with', False)]
    """
    steps: list[PathStep] = []
    prev: str | None = None
    for nid in path:
        g.node(nid)
        relation, forward = None, True
        if prev is not None:
            out = g.nx.get_edge_data(prev, nid) or {}
            back = g.nx.get_edge_data(nid, prev) or {}
            if out:
                relation = next(iter(out.values()))["kind"]
            elif back:
                relation, forward = next(iter(back.values()))["kind"], False
            else:
                raise PartnernetzError(f"{prev} and {nid} are not adjacent")
        steps.append(PathStep(nid, g.label(nid, lang), g.nx.nodes[nid]["kind"], relation, forward))
        prev = nid
    return steps

"""Compressed adjacency of a graph (numpy CSR arrays, built once per graph
generation) and the plain breadth-first steps the other explore modules
build on: counting and cutting many nodes at once runs in numpy instead of
a Python loop.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("RWA")
>>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
>>> distances(g, "country:RWA", 2)
{'country:RWA': 0, 'land:DE-RP': 1}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from graph.core.cache import cached
from graph.core.model import PartnerGraph

__all__ = ["Adjacency", "adjacency", "adjacency_of_edges", "gather", "neighbour_names", "neighbour_rows", "edges_among_rows", "distances",
           "row_distances", "steps_within_two", "row_steps_within_two", "degrees"]


@dataclass(frozen=True)
class Adjacency:
    """Compressed adjacency of ``g.nx`` (built once per graph generation) for
    whole-graph steps of a request: counting the edges among many nodes runs
    in numpy instead of a Python loop."""

    names: list[str]
    index: dict[str, int]
    out_ptr: Any       # CSR of out-edges, one entry per parallel edge
    out_idx: Any
    any_ptr: Any       # CSR of out- and in-edges, one entry per edge (a self-loop twice)
    any_idx: Any
    degree: Any        # degree per row (parallel edges counted; a self-loop twice), = diff(any_ptr)
    name_rank: Any     # position of each row's id in sorted order (ties in a cut break by id)
    # the key of each out-edge (aligned with out_idx) as a code into ``keys``: the edges among
    # many nodes are named without reading the graph's dicts (reading them in a forked worker
    # writes their reference counts, so the pages they share with the other workers are copied)
    out_key: Any = None
    keys: tuple[str, ...] = ()


def adjacency(g: PartnerGraph) -> Adjacency:
    def build() -> Adjacency:
        names = list(g.nx.nodes)
        index = {n: i for i, n in enumerate(names)}
        succ, pred = g.nx._succ, g.nx._pred
        ptr = lambda lens: np.concatenate(([0], np.cumsum(lens)))  # noqa: E731
        out_len = np.fromiter((sum(len(k) for k in succ[n].values()) for n in names), dtype=np.int64, count=len(names))
        out_idx = np.fromiter((index[v] for n in names for v, k in succ[n].items() for _ in k), dtype=np.int32,
                              count=int(out_len.sum()))
        in_len = np.fromiter((sum(len(k) for k in pred[n].values()) for n in names), dtype=np.int64, count=len(names))
        any_idx = np.fromiter((index[v] for n in names for adj in (succ[n], pred[n]) for v, k in adj.items() for _ in k),
                              dtype=np.int32, count=int(out_len.sum() + in_len.sum()))
        codes: dict[str, int] = {}
        out_key = np.fromiter((codes.setdefault(key, len(codes)) for n in names for k in succ[n].values() for key in k),
                              dtype=np.int32, count=len(out_idx))
        name_rank = np.empty(len(names), dtype=np.int64)
        name_rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
        return Adjacency(names, index, ptr(out_len), out_idx, ptr(out_len + in_len), any_idx,
                          out_len + in_len, name_rank, out_key, tuple(codes))
    return cached(g, "explore.adjacency", build)


def adjacency_of_edges(names: list[str], src: Any, dst: Any, out_key: Any = None,
                       keys: tuple[str, ...] = ()) -> Adjacency:
    """The :class:`Adjacency` of the nodes ``names`` and the edges ``src[i] → dst[i]``
    (rows into ``names``; ``out_key[i]`` a code into ``keys``), for a graph known only as
    an edge list (the Neo4j store's part of a view, or its topology).

    >>> adj = adjacency_of_edges(["a", "b", "c"], np.array([0, 0]), np.array([1, 2]), np.array([1, 0]), ("x", "y"))
    >>> neighbour_names(adj, 0), edges_among_rows(adj, np.array([0, 1]))
    (['b', 'c'], [('a', 'b', 'y')])
    """
    n = len(names)
    order = np.argsort(src, kind="stable")
    out_ptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n))))
    both = np.concatenate((src, dst))
    any_ptr = np.concatenate(([0], np.cumsum(np.bincount(both, minlength=n))))
    any_idx = np.concatenate((dst, src))[np.argsort(both, kind="stable")].astype(np.int32)
    name_rank = np.empty(n, dtype=np.int64)
    name_rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(n)
    return Adjacency(names, {name: i for i, name in enumerate(names)}, out_ptr, dst[order].astype(np.int32),
                     any_ptr, any_idx, np.diff(any_ptr), name_rank,
                     None if out_key is None else out_key[order].astype(np.int32), tuple(keys))


def neighbour_rows(adj: Adjacency, row: int) -> Any:
    """The rows adjacent (either direction, each once, ascending) to adjacency row ``row``."""
    return np.unique(adj.any_idx[adj.any_ptr[row]:adj.any_ptr[row + 1]])


def neighbour_names(adj: Adjacency, row: int) -> list[str]:
    """The ids adjacent (either direction, each once) to adjacency row ``row``."""
    names = adj.names
    return [names[r] for r in neighbour_rows(adj, row).tolist()]


def edges_among_rows(adj: Adjacency, rows: Any) -> list[tuple[str, str, str]]:
    """``(source, target, key)`` of every edge between adjacency ``rows``,
    named from the arrays alone (``adj.out_key`` must be set)."""
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    targets = gather(adj.out_ptr, adj.out_idx, rows)
    sources = np.repeat(rows, adj.out_ptr[rows + 1] - adj.out_ptr[rows])
    hit = inside[targets]
    names, keys = adj.names, adj.keys
    codes = gather(adj.out_ptr, adj.out_key, rows)[hit].tolist()
    return [(names[u], names[v], keys[c]) for u, v, c in zip(sources[hit].tolist(), targets[hit].tolist(), codes)]


def gather(ptr: Any, idx: Any, rows: Any) -> Any:
    """The CSR entries of ``rows``, concatenated."""
    starts = ptr[rows]
    lens = ptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return idx[:0]
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return idx[offsets + np.arange(total)]


def distances(g: PartnerGraph, source: str, cutoff: int) -> dict[str, int]:
    """Steps from ``source`` to every node within ``cutoff`` (direction ignored)."""
    succ, pred = g.nx._succ, g.nx._pred
    dist = {source: 0}
    frontier = [source]
    for d in range(1, cutoff + 1):
        nxt = []
        for u in frontier:
            for adj in (succ[u], pred[u]):
                for w in adj:
                    if w not in dist:
                        dist[w] = d
                        nxt.append(w)
        frontier = nxt
    return dist


def row_distances(adj: Adjacency, source: int, cutoff: int) -> tuple[Any, Any]:
    """:func:`distances` in adjacency rows, breadth-first in numpy: the rows
    within ``cutoff`` steps of row ``source`` (ascending) and their steps.
    Radius 2 around a busy node reaches tens of thousands of nodes; a Python
    loop over their dicts cost most of such a request.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> adj = adjacency(g)
    >>> rows, steps = row_distances(adj, adj.index["country:RWA"], 2)
    >>> sorted(zip([adj.names[r] for r in rows.tolist()], steps.tolist()))
    [('country:RWA', 0), ('land:DE-RP', 1)]
    """
    dist = np.full(len(adj.names), -1, dtype=np.int8)
    dist[source] = 0
    frontier = np.array([source], dtype=np.int64)
    for d in range(1, cutoff + 1):
        reached = gather(adj.any_ptr, adj.any_idx, frontier)
        reached = reached[dist[reached] < 0]
        if len(reached) == 0:
            break
        dist[reached] = d
        frontier = np.flatnonzero(dist == d)  # each once, ascending: cheaper than sorting tens of thousands
    rows = np.flatnonzero(dist >= 0)
    return rows, dist[rows]

def steps_within_two(g: PartnerGraph, focus: str, nodes: list[str]) -> dict[str, float]:
    """Steps (0, 1 or 2; direction ignored) from ``focus`` to each of
    ``nodes`` (distinct ids) within two steps, in numpy over adjacency rows:
    the focus 0, its neighbours 1, nodes adjacent to one of them 2 (others
    left out); see :func:`row_steps_within_two`.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> steps_within_two(g, "land:DE-RP", ["country:RWA", "land:DE-HE"])
    {'land:DE-RP': 0, 'country:RWA': 1}
    """
    adj = adjacency(g)
    index = adj.index
    rows = np.fromiter((index.get(n, -1) for n in nodes), dtype=np.int64, count=len(nodes))
    rows = rows[rows >= 0]
    source = index[focus]
    steps = row_steps_within_two(adj, source, rows)
    names = adj.names
    rank: dict[str, float] = {focus: 0}
    for step in (1, 2):
        hit = rows[steps == step]
        rank.update(zip([names[r] for r in hit.tolist()], [step] * len(hit)))
    return rank


def row_steps_within_two(adj: Adjacency, source: int, rows: Any) -> Any:
    """Steps from row ``source`` to each of ``rows`` (distinct adjacency
    rows), aligned with them: 0 for the source, 1 for its neighbours, 2 for
    rows adjacent to one of them, -1 for the others. Checked from the cheaper
    side: the neighbours of ``rows`` or those of the source's neighbours (an
    expanded hub brings tens of thousands of rows)."""
    rows = np.asarray(rows, dtype=np.int64)
    steps = np.full(len(rows), -1, dtype=np.int8)
    steps[rows == source] = 0
    first = np.zeros(len(adj.names), dtype=bool)
    first[gather(adj.any_ptr, adj.any_idx, np.array([source]))] = True
    is_first = first[rows] & (rows != source)
    steps[is_first] = 1
    open_ = np.flatnonzero(~first[rows] & (rows != source))
    if len(open_) == 0:
        return steps
    rest = rows[open_]
    first_rows = np.flatnonzero(first)
    if int(adj.degree[first_rows].sum()) < int(adj.degree[rest].sum()):
        second = np.zeros(len(adj.names), dtype=bool)
        second[gather(adj.any_ptr, adj.any_idx, first_rows)] = True
        near = second[rest]
    else:
        lens = adj.any_ptr[rest + 1] - adj.any_ptr[rest]
        owner = np.repeat(np.arange(len(rest)), lens)
        near = np.zeros(len(rest), dtype=bool)
        near[owner[first[gather(adj.any_ptr, adj.any_idx, rest)]]] = True
    steps[open_[near]] = 2
    return steps


def degrees(g: PartnerGraph) -> dict[str, int]:
    """Degree (parallel edges counted) of every node, once per generation."""
    return cached(g, "explore.degrees", lambda: dict(g.nx.degree()))

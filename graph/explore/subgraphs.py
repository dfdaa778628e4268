"""Views of the graph capped to what a browser can draw: the view on some
nodes with every edge between them (:func:`induced_subgraph`), the
neighbourhood of a node (:func:`ego_network`), a view plus neighbours
(:func:`expand`), and the one rule for cutting a view that is too large
(:func:`cut`).

Every view is capped (``max_elements`` = nodes + edges, 1,500 by default) so
a browser never receives the whole graph; a capped view says so
(``Subgraph.truncated``) and how large it would have been (``Subgraph.total``).

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("TZA")
>>> uni = g.add_node("institution", "uni", label="Uni", land="DE-NI", source="s")
>>> p = g.add_node("project", "P1", label="P1", status="active", start_year=2020, source="s")
>>> g.add_edge(uni, p, "participates_in", role="lead", source="s")
>>> g.add_edge(p, "country:TZA", "implemented_in", source="s")
>>> sorted(ego_network(g, p).nodes)
['country:TZA', 'institution:uni', 'project:P1']
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any, Iterable, Iterator

import numpy as np

from graph.core.errors import PartnernetzError
from graph.core.model import PartnerGraph
from graph.explore.adjacency import (Adjacency, adjacency, distances, edges_among_rows, gather, row_distances,
                                     row_steps_within_two)

__all__ = ["expanded_around", "MAX_ELEMENTS", "Subgraph", "induced_subgraph", "ego_network", "expand", "cut", "subgraph_of_rows",
           "induced_edges"]

#: Most elements (nodes + edges) sent to a browser in one view.
MAX_ELEMENTS = 1500

EdgeRef = tuple[str, str, str]  # (source, target, key) of g.nx


@dataclass(frozen=True)
class Subgraph:
    """A view of the graph: node ids, edges as ``(source, target, key)`` of
    ``g.nx`` and whether the view was cut to fit the element cap.

    ``total`` is the number of elements (nodes + edges) the uncut view has.
    """

    nodes: tuple[str, ...]
    edges: tuple[EdgeRef, ...]
    truncated: bool = False
    total: int = 0

    @property
    def size(self) -> int:
        """Elements in this view (nodes + edges)."""
        return len(self.nodes) + len(self.edges)

    def __contains__(self, nid: object) -> bool:
        return nid in set(self.nodes)


def induced_edges(g: PartnerGraph, nodes: set[str]) -> list[EdgeRef]:
    succ = g.nx._succ  # adjacency dicts: far faster than edge views on large graphs
    if len(nodes) < 200:
        return [(u, v, key) for u in nodes for v, keys in succ[u].items() if v in nodes for key in keys]
    # many nodes (a Land in view has thousands of out-edges): find the pairs
    # inside in numpy, then read only their keys
    adj = adjacency(g)
    rows = np.fromiter((adj.index[n] for n in nodes), dtype=np.int64, count=len(nodes))
    if adj.out_key is not None:  # the keys from the arrays too: no dict of the graph is read
        return edges_among_rows(adj, rows)
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    targets = gather(adj.out_ptr, adj.out_idx, rows)
    sources = np.repeat(rows, adj.out_ptr[rows + 1] - adj.out_ptr[rows])
    hit = inside[targets]
    names = adj.names
    pairs = dict.fromkeys(zip(sources[hit].tolist(), targets[hit].tolist()))  # parallel edges: one pair
    return [(names[u], names[v], key) for u, v in pairs for key in succ[names[u]][names[v]]]



def edges_inside(adj: Adjacency, rows: Any, inside: Any) -> int:
    """How many edges join two of the adjacency ``rows`` (``inside``: the
    same rows as a mask over all rows). Rows holding a third of the edges or
    more (radius 2 around a theme reaches half the graph) are counted with
    one pass over every edge's two ends, cheaper than gathering their
    edges one row at a time.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> adj = adjacency(g); rows = np.array([adj.index["land:DE-RP"], adj.index["country:RWA"]])
    >>> mask = np.zeros(len(adj.names), dtype=bool); mask[rows] = True
    >>> edges_inside(adj, rows, mask)
    1
    """
    out_degree = np.diff(adj.out_ptr)
    if 3 * int(out_degree[rows].sum()) < len(adj.out_idx):
        return int(np.count_nonzero(inside[gather(adj.out_ptr, adj.out_idx, rows)]))
    return int(np.count_nonzero(np.repeat(inside, out_degree) & inside[adj.out_idx]))


def _count_induced_edges(g: PartnerGraph, nodes: set[str]) -> int:
    if len(nodes) < 200:
        succ = g.nx._succ
        return sum(len(keys) for u in nodes for v, keys in succ[u].items() if v in nodes)
    adj = adjacency(g)
    rows = np.fromiter((adj.index[n] for n in nodes), dtype=np.int64, count=len(nodes))
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    return edges_inside(adj, rows, inside)


def induced_subgraph(g: PartnerGraph, nodes: Iterable[str], *, max_elements: int = MAX_ELEMENTS,
                     keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
    """The view on ``nodes`` with every edge between them, cut to
    ``max_elements`` when larger.

    When cutting, nodes in ``keep`` come first, then by ``rank`` (lower is
    kept first, e.g. the distance from a focus), then by degree (higher first).

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> induced_subgraph(g, ["land:DE-HE", "land:DE-BY"], max_elements=1).nodes
    ('land:DE-BY',)
    """
    wanted = [n for n in dict.fromkeys(nodes) if n in g.nx]
    if len(wanted) < 200:
        chosen = set(wanted)
        total = len(chosen) + _count_induced_edges(g, chosen)
        if total <= max_elements:
            return Subgraph(tuple(sorted(chosen)), tuple(sorted(induced_edges(g, chosen))), False, total)
    adj = adjacency(g)
    # many nodes (an expanded hub brings tens of thousands): count, and if
    # needed order and cut, in numpy over adjacency rows
    rows = np.fromiter(map(adj.index.__getitem__, wanted), dtype=np.int64, count=len(wanted))
    rank = rank or {}
    ranks = np.fromiter(map(rank.get, wanted, repeat(0)), dtype=float, count=len(wanted))
    return _ranked_rows(g, adj, rows, ranks, keep, max_elements)


def _ranked_rows(g: PartnerGraph, adj: Adjacency, rows: Any, ranks: Any, keep: Iterable[str],
                 max_elements: int) -> Subgraph:
    """:func:`subgraph_of_rows` of ``rows``, cut (when needed) keeping the
    rows of ``keep`` first, then lower ``ranks`` (aligned with ``rows``)."""
    pinned = np.zeros(len(adj.names), dtype=bool)
    pinned[[adj.index[n] for n in set(keep) if n in adj.index]] = True
    return subgraph_of_rows(g, adj, rows, (ranks, ~pinned[rows]), max_elements)


#: Candidates looked at together by :func:`cut` (those that cannot fit any more are skipped in numpy).
_CUT_BLOCK = 2048


def cut(g: PartnerGraph | None, adj: Adjacency, rows: Any, keys: tuple[Any, ...], max_elements: int,
        total: int, *, degree: Any = None, edges_among: Any = None) -> Subgraph:
    """The truncated view of the nodes ``rows`` (adjacency rows): nodes are
    taken in the order of ``keys`` (numpy arrays aligned with ``rows``, the
    last one deciding first, as in ``np.lexsort``), then degree descending,
    then id, each if it still fits with its edges to the nodes taken so far.

    ``degree`` (per adjacency row) replaces ``adj.degree`` when ``g`` is a
    local part of a larger graph (the Neo4j store cuts with the degrees in
    the database). ``edges_among(chosen ids)`` replaces
    ``induced_edges(g, chosen)`` when there is no ``g`` (the caller knows
    the edges of its own local part)."""
    # degree counts parallel edges
    degree = adj.degree if degree is None else degree
    # links[i]: edges between node i and the nodes chosen so far, kept up to
    # date as nodes are chosen (numpy: a chosen hub updates thousands at once)
    links = np.zeros(len(adj.names), dtype=np.int64)
    any_ptr, any_idx, names = adj.any_ptr, adj.any_idx, adj.names
    chosen: set[str] = set()
    used = 0
    full = False
    blocks = (part[start:start + _CUT_BLOCK] for part in _in_order(rows, (adj.name_rank[rows], -degree[rows], *keys))
              for start in range(0, len(part), _CUT_BLOCK))
    for block in blocks:
        # links only grow and the room only shrinks: a node that does not fit now never will, so
        # each block's hopeless nodes are passed over in numpy (at radius 2 most of tens of thousands)
        for i in block[links[block] < max_elements - used].tolist():
            # adding a node adds itself and its edges to the nodes already chosen
            added = 1 + int(links[i])
            if used + added > max_elements:
                continue
            chosen.add(names[i])
            used += added
            np.add.at(links, any_idx[any_ptr[i]:any_ptr[i + 1]], 1)
            if used >= max_elements:  # every further node costs at least one element
                full = True
                break
        if full:
            break
    edges = induced_edges(g, chosen) if edges_among is None else edges_among(chosen)
    return Subgraph(tuple(sorted(chosen)), tuple(sorted(edges)), True, total)


#: Leading sort keys with at most this many distinct values split the cut's
#: order into groups sorted one at a time (see :func:`_in_order`).
_FEW_VALUES = 16


def _in_order(rows: Any, keys: tuple[Any, ...]) -> Iterator[Any]:
    """``rows[np.lexsort(keys)]`` in consecutive pieces: while the leading
    keys (the last ones) take few distinct small whole values (a pin, a step
    from the focus), the rows are grouped by them and each group is sorted
    only when the cut reaches it — radius 2 around a theme reaches 160,000
    rows at 300k and the view fills from the theme's neighbours, so the
    others are never sorted.

    >>> rows = np.arange(6); steps = np.array([2.0, 1.0, 2.0, 0.0, 1.0, 2.0])
    >>> [r.tolist() for r in _in_order(rows, (-rows, steps))]
    [[3], [4, 1], [5, 2, 0]]
    """
    code, span, lead = np.zeros(len(rows), dtype=np.int64), 1, 0
    for key in reversed(keys[1:]):  # the first key always sorts within a group
        values = _small_whole_values(key)
        if values is None or span * (int(values.max(initial=0)) + 1) > 1 << 15:
            break
        code = code * (int(values.max(initial=0)) + 1) + values
        span *= int(values.max(initial=0)) + 1
        lead += 1
    if lead == 0:
        yield rows[np.lexsort(keys)]
        return
    rest = keys[:len(keys) - lead]
    grouped = np.argsort(code.astype(np.int16), kind="stable")  # a radix sort of small integers
    bounds = np.flatnonzero(np.diff(code[grouped])) + 1
    for part in np.split(grouped, bounds):
        yield rows[part[np.lexsort(tuple(k[part] for k in rest))]]


def _small_whole_values(key: Any) -> Any:
    """``key`` as small non-negative integers (offset by its minimum) when
    its values are whole numbers spanning fewer than :data:`_FEW_VALUES`;
    otherwise None."""
    if key.dtype == bool:
        return key.astype(np.int64)
    if not len(key):
        return np.zeros(0, dtype=np.int64)
    low, high = key.min(), key.max()
    if not np.isfinite(low) or not np.isfinite(high) or high - low >= _FEW_VALUES:
        return None
    shifted = key - low
    whole = shifted.astype(np.int64)
    return whole if np.array_equal(whole, shifted) else None


def ego_network(g: PartnerGraph, node_id: str, *, radius: int = 1,
                max_elements: int = MAX_ELEMENTS) -> Subgraph:
    """Nodes within ``radius`` steps of ``node_id`` (edge direction ignored)
    and the edges between them; nearer nodes are kept first when cut.

    Raises ``NodeNotFound`` for an unknown node and ``PartnernetzError`` for a
    radius outside 0–3.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> ego_network(g, "land:DE-HE", radius=2).nodes
    ('land:DE-HE',)
    """
    g.node(node_id)
    if not 0 <= radius <= 3:
        raise PartnernetzError(f"radius must be 0–3, not {radius}")
    if len(g.nx._succ[node_id]) + len(g.nx._pred[node_id]) < 50 and radius == 1:
        dist = distances(g, node_id, radius)  # a few neighbours: the dicts are cheaper than numpy's set-up
        return induced_subgraph(g, dist, max_elements=max_elements, keep=[node_id], rank=dist)
    # breadth-first in numpy over adjacency rows: radius 2 reaches tens of
    # thousands of nodes, whose names are needed only for the (capped) result
    adj = adjacency(g)
    source = adj.index[node_id]
    rows, steps = row_distances(adj, source, radius)
    return subgraph_of_rows(g, adj, rows, (steps.astype(float), rows != source), max_elements)


def expand(g: PartnerGraph, view_nodes: Iterable[str], node_ids: Iterable[str], *,
           max_elements: int = MAX_ELEMENTS) -> Subgraph:
    """``view_nodes`` plus all neighbours of each of ``node_ids``.

    The nodes already in view and the expanded nodes are kept first when the
    result must be cut.
    """
    base = [n for n in view_nodes if n in g.nx]
    extra: list[str] = []
    for nid in node_ids:
        g.node(nid)
        extra.append(nid)
        extra.extend(sorted(g.neighbours(nid)))
    return induced_subgraph(g, base + extra, max_elements=max_elements, keep=base + list(node_ids))



def expanded_around(g: PartnerGraph, focus: str, nodes: Iterable[str], expand: Iterable[str], *,
                    keep: Iterable[str] = (), max_elements: int = MAX_ELEMENTS) -> Subgraph:
    """The view of ``nodes`` plus every neighbour of each of ``expand``,
    ranked for the cut by steps from ``focus`` (0, 1, 2; farther nodes as
    0, as :func:`induced_subgraph` ranks a node without a step), ``keep``
    first — what ``induced_subgraph(g, nodes + neighbours, keep=keep,
    rank=steps_within_two(...))`` answers, all in adjacency rows: an
    expanded Land or theme brings thousands of neighbours that are never
    named unless they are drawn.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> expanded_around(g, "land:DE-RP", ["land:DE-RP"], ["country:RWA"]).nodes
    ('country:RWA', 'land:DE-RP')
    """
    adj = adjacency(g)
    index = adj.index
    base = np.fromiter((index[n] for n in nodes if n in index), dtype=np.int64)
    hubs = np.fromiter((index[n] for n in expand if n in index), dtype=np.int64)
    rows = np.unique(np.concatenate((base, hubs, gather(adj.any_ptr, adj.any_idx, hubs).astype(np.int64))))
    steps = row_steps_within_two(adj, index[focus], rows).astype(float)
    steps[steps < 0] = 0.0
    return _ranked_rows(g, adj, rows, steps, keep, max_elements)


def subgraph_of_rows(g: PartnerGraph, adj: Adjacency, rows: Any, keys: tuple[Any, ...], max_elements: int,
                     *, degree: Any = None) -> Subgraph:
    """:func:`induced_subgraph` of adjacency ``rows`` (distinct), all in numpy
    until the (at most ``max_elements``) chosen nodes are named; ``keys``
    (arrays aligned with ``rows``, see :func:`cut`) order the cut, then
    ``degree`` (per adjacency row; default the degrees in ``g``)."""
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    total = len(rows) + edges_inside(adj, rows, inside)
    if total <= max_elements:
        names = adj.names
        chosen = {names[i] for i in rows.tolist()}
        return Subgraph(tuple(sorted(chosen)), tuple(sorted(induced_edges(g, chosen))), False, total)
    return cut(g, adj, rows, keys, max_elements, total, degree=degree)

"""Questions the explorer asks of the graph: the neighbourhood of a node,
its neighbours grouped by relation, how two nodes are connected, the part of
the graph matching a filter, and an aggregated overview (Länder ↔ countries
or themes, weighted by projects) for views too large to draw.

Every view returned to a caller is capped (``max_elements`` = nodes + edges,
1,500 by default) so a browser never receives the whole graph; a capped view
says so (``Subgraph.truncated``) and how large it would have been
(``Subgraph.total``).

Per-graph indexes (the undirected simple graph used for paths, a table of
project facts used by filters and the overview) are built once and reused
until ``g.generation`` changes.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> _ = g.add_country("TZA")
>>> uni = g.add_node("institution", "uni", label="Uni", land="DE-NI", source="s")
>>> p = g.add_node("project", "P1", label="P1", status="active", start_year=2020, source="s")
>>> g.add_edge(uni, p, "participates_in", role="lead", source="s")
>>> g.add_edge(p, "country:TZA", "implemented_in", source="s")
>>> sorted(ego_network(g, p).nodes)
['country:TZA', 'institution:uni', 'project:P1']
>>> shortest_paths(g, uni, "country:TZA")
[['institution:uni', 'project:P1', 'country:TZA']]
"""

from __future__ import annotations

import heapq
import weakref
from itertools import repeat
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, key_of, kind_of
from graph.core.model import PartnerGraph

if TYPE_CHECKING:
    from graph.store import GraphStore

__all__ = [
    "MAX_ELEMENTS",
    "Subgraph",
    "Neighbour",
    "GraphFilter",
    "AggregateNode",
    "AggregateEdge",
    "Overview",
    "ProjectFacts",
    "ego_network",
    "expand",
    "induced_subgraph",
    "neighbours_by_relation",
    "relation_key",
    "shortest_paths",
    "filter_subgraph",
    "matching_projects",
    "project_facts",
    "overview",
    "PathStep",
    "describe_path",
    "ExplorerView",
    "explorer_view",
    "STRICT_PATH_EDGES",
    "HOME_COUNTRY",
    "build_indexes",
]

#: Most elements (nodes + edges) sent to a browser in one view.
MAX_ELEMENTS = 1500

EdgeRef = tuple[str, str, str]  # (source, target, key) of g.nx


# --------------------------------------------------------------------- caches
_CACHES: "weakref.WeakKeyDictionary[PartnerGraph, dict[str, Any]]" = weakref.WeakKeyDictionary()


def _cached(g: PartnerGraph, name: str, build: Callable[[], Any]) -> Any:
    """Value of ``build()`` kept per graph until ``g.generation`` changes."""
    slot = _CACHES.get(g)
    if slot is None or slot.get("__generation__") != g.generation:
        slot = _CACHES[g] = {"__generation__": g.generation}
    if name not in slot:
        slot[name] = build()
    return slot[name]


@dataclass(frozen=True)
class _Adjacency:
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


def _adjacency(g: PartnerGraph) -> _Adjacency:
    def build() -> _Adjacency:
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
        name_rank = np.empty(len(names), dtype=np.int64)
        name_rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
        return _Adjacency(names, index, ptr(out_len), out_idx, ptr(out_len + in_len), any_idx,
                          out_len + in_len, name_rank)
    return _cached(g, "adjacency", build)


def _gather(ptr: Any, idx: Any, rows: Any) -> Any:
    """The CSR entries of ``rows``, concatenated."""
    starts = ptr[rows]
    lens = ptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return idx[:0]
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return idx[offsets + np.arange(total)]


def _distances(g: PartnerGraph, source: str, cutoff: int) -> dict[str, int]:
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


def build_indexes(g: PartnerGraph) -> None:
    """Build the per-dataset indexes the queries use (project facts, filter
    index, adjacency arrays, degrees) now, e.g. at start-up, instead of in
    the first request that needs them. They are rebuilt when ``g`` changes.

    >>> from graph.core.model import PartnerGraph
    >>> build_indexes(PartnerGraph())
    """
    project_facts(g)
    _filter_index(g)
    _adjacency(g)
    _node_arrays(g)
    _incidence(g)
    _degrees(g)


# ----------------------------------------------------------------- subgraphs
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


def _induced_edges(g: PartnerGraph, nodes: set[str]) -> list[EdgeRef]:
    succ = g.nx._succ  # adjacency dicts: far faster than edge views on large graphs
    if len(nodes) < 200:
        return [(u, v, key) for u in nodes for v, keys in succ[u].items() if v in nodes for key in keys]
    # many nodes (a Land in view has thousands of out-edges): find the pairs
    # inside in numpy, then read only their keys
    adj = _adjacency(g)
    rows = np.fromiter((adj.index[n] for n in nodes), dtype=np.int64, count=len(nodes))
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    targets = _gather(adj.out_ptr, adj.out_idx, rows)
    sources = np.repeat(rows, adj.out_ptr[rows + 1] - adj.out_ptr[rows])
    hit = inside[targets]
    names = adj.names
    pairs = dict.fromkeys(zip(sources[hit].tolist(), targets[hit].tolist()))  # parallel edges: one pair
    return [(names[u], names[v], key) for u, v in pairs for key in succ[names[u]][names[v]]]


def _degrees(g: PartnerGraph) -> dict[str, int]:
    """Degree (parallel edges counted) of every node, once per generation."""
    return _cached(g, "degrees", lambda: dict(g.nx.degree()))


def _count_induced_edges(g: PartnerGraph, nodes: set[str]) -> int:
    if len(nodes) < 200:
        succ = g.nx._succ
        return sum(len(keys) for u in nodes for v, keys in succ[u].items() if v in nodes)
    adj = _adjacency(g)
    rows = np.fromiter((adj.index[n] for n in nodes), dtype=np.int64, count=len(nodes))
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    return int(inside[_gather(adj.out_ptr, adj.out_idx, rows)].sum())


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
            return Subgraph(tuple(sorted(chosen)), tuple(sorted(_induced_edges(g, chosen))), False, total)
    adj = _adjacency(g)
    # many nodes (an expanded hub brings tens of thousands): count, and if
    # needed order and cut, in numpy over adjacency rows
    rows = np.fromiter(map(adj.index.__getitem__, wanted), dtype=np.int64, count=len(wanted))
    rank = rank or {}
    ranks = np.fromiter(map(rank.get, wanted, repeat(0)), dtype=float, count=len(wanted))
    pinned = np.zeros(len(adj.names), dtype=bool)
    pinned[[adj.index[n] for n in set(keep) if n in adj.index]] = True
    return _subgraph_of_rows(g, adj, rows, (ranks, ~pinned[rows]), max_elements)


def _cut(g: PartnerGraph, adj: _Adjacency, rows: Any, keys: tuple[Any, ...], max_elements: int,
         total: int) -> Subgraph:
    """The truncated view of the nodes ``rows`` (adjacency rows): nodes are
    taken in the order of ``keys`` (numpy arrays aligned with ``rows``, the
    last one deciding first, as in ``np.lexsort``), then degree descending,
    then id, each if it still fits with its edges to the nodes taken so far."""
    # degree counts parallel edges, like the Neo4j store's cut
    order_rows = rows[np.lexsort((adj.name_rank[rows], -adj.degree[rows], *keys))]
    # links[i]: edges between node i and the nodes chosen so far, kept up to
    # date as nodes are chosen (numpy: a chosen hub updates thousands at once)
    links = np.zeros(len(adj.names), dtype=np.int64)
    any_ptr, any_idx, names = adj.any_ptr, adj.any_idx, adj.names
    chosen: set[str] = set()
    used = 0
    for i in order_rows.tolist():
        # adding a node adds itself and its edges to the nodes already chosen
        added = 1 + int(links[i])
        if used + added > max_elements:
            continue
        chosen.add(names[i])
        used += added
        np.add.at(links, any_idx[any_ptr[i]:any_ptr[i + 1]], 1)
        if used >= max_elements:  # every further node costs at least one element
            break
    edges = _induced_edges(g, chosen)
    return Subgraph(tuple(sorted(chosen)), tuple(sorted(edges)), True, total)


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
    dist = _distances(g, node_id, radius)
    return induced_subgraph(g, dist, max_elements=max_elements, keep=[node_id], rank=dist)


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


# ---------------------------------------------------------------- neighbours
@dataclass(frozen=True)
class Neighbour:
    """A node adjacent to the one asked about, with the connecting edge's
    attributes (``role``, ``contribution`` …)."""

    node_id: str
    label: str
    kind: str
    edge: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def relation_key(edge_kind: str, outgoing: bool) -> str:
    """Group key of a relation: ``"participates_in:out"`` / ``"…:in"``."""
    return f"{edge_kind}:{'out' if outgoing else 'in'}"


def neighbours_by_relation(g: PartnerGraph, node_id: str, *, lang: str = "de") -> dict[str, list[Neighbour]]:
    """Neighbours of ``node_id`` grouped by edge kind and direction.

    Keys are :func:`relation_key` strings (``"participates_in:in"`` on a
    project lists its institutions); each list is sorted by label. Groups
    are ordered by size, largest first.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> {k: [n.label for n in v] for k, v in neighbours_by_relation(g, "country:RWA").items()}
    {'partners_with:in': ['Rheinland-Pfalz']}
    """
    groups: dict[str, list[Neighbour]] = defaultdict(list)
    for v, data in g.out_edges(node_id):
        groups[relation_key(data["kind"], True)].append(
            Neighbour(v, g.label(v, lang), g.nx.nodes[v]["kind"], _edge_attrs(data)))
    for u, data in g.in_edges(node_id):
        groups[relation_key(data["kind"], False)].append(
            Neighbour(u, g.label(u, lang), g.nx.nodes[u]["kind"], _edge_attrs(data)))
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return {k: sorted(v, key=lambda n: (n.label.casefold(), n.node_id)) for k, v in ordered}


def _edge_attrs(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "kind"}


# --------------------------------------------------------------------- paths
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
    return _k_shortest(_stepper(g, allowed), source, target, k=k, limit=max_length, banned=banned)


Stepper = Callable[[str], Iterable[str]]


def _stepper(g: PartnerGraph, allowed: frozenset[str] | None) -> Stepper:
    """Neighbours of a node in either direction, over edges of ``allowed`` kinds."""
    succ, pred = g.nx._succ, g.nx._pred
    if allowed is None:
        def steps(n: str) -> Iterable[str]:
            yield from succ[n]
            yield from pred[n]
    else:
        def steps(n: str) -> Iterable[str]:
            for adj in (succ[n], pred[n]):
                for m, keys in adj.items():
                    if any(d["kind"] in allowed for d in keys.values()):
                        yield m
    return steps


def _bidirectional(steps: Stepper, s: str, t: str, banned: set[str],
                   banned_edges: set[tuple[str, str]], limit: int) -> list[str] | None:
    """A shortest path ``s`` … ``t`` of at most ``limit`` edges avoiding
    ``banned`` nodes and ``banned_edges`` (both directions listed), or None.
    Breadth-first from both ends, always growing the smaller frontier."""
    if s == t:
        return [s]
    back_f: dict[str, str | None] = {s: None}
    back_b: dict[str, str | None] = {t: None}
    front_f, front_b = [s], [t]
    levels = 0

    def join(meet: str) -> list[str]:
        left, node = [], meet
        while node is not None:
            left.append(node)
            node = back_f[node]
        right, node = [], back_b[meet]
        while node is not None:
            right.append(node)
            node = back_b[node]
        return left[::-1] + right

    while front_f and front_b and levels < limit:
        levels += 1
        forward = len(front_f) <= len(front_b)
        frontier, mine, other = (front_f, back_f, back_b) if forward else (front_b, back_b, back_f)
        nxt: list[str] = []
        for u in frontier:
            for w in steps(u):
                if w in banned or (u, w) in banned_edges or w in mine:
                    continue
                mine[w] = u
                if w in other:
                    return join(w)
                nxt.append(w)
        if forward:
            front_f = nxt
        else:
            front_b = nxt
    return None


def _k_shortest(steps: Stepper, s: str, t: str, *, k: int, limit: int, banned: set[str]) -> list[list[str]]:
    """Yen's algorithm: up to ``k`` shortest simple paths, none longer than ``limit``."""
    first = _bidirectional(steps, s, t, banned, set(), limit)
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
            rest = _bidirectional(steps, prev[i], t, banned | set(root[:-1]), cut, limit - i)
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


# ------------------------------------------------------------------- filters
@dataclass(frozen=True)
class GraphFilter:
    """What a user narrowed the view to. ``None`` (or empty) means "any".

    Project-level criteria (``lands``, ``countries``, ``themes``,
    ``sectors``, ``statuses``, years) select projects; see
    :func:`filter_subgraph` for how other nodes follow. ``kinds`` limits the
    kinds of node shown.
    """

    kinds: frozenset[str] | None = None
    lands: frozenset[str] | None = None       # ISO 3166-2 codes, e.g. DE-HE
    countries: frozenset[str] | None = None   # ISO alpha-3
    themes: frozenset[str] | None = None      # theme keys
    sectors: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    year_from: int | None = None
    year_to: int | None = None

    @classmethod
    def of(cls, **values: Any) -> "GraphFilter":
        """Build from plain lists/strings (empty values mean "any").

        >>> GraphFilter.of(countries=["TZA"], year_from="2019").countries
        frozenset({'TZA'})
        """
        clean: dict[str, Any] = {}
        for name, value in values.items():
            if name in ("year_from", "year_to"):
                clean[name] = int(value) if value not in (None, "") else None
            elif value:
                clean[name] = frozenset([value] if isinstance(value, str) else value)
        return cls(**clean)

    @property
    def selects_projects(self) -> bool:
        """True when any project-level criterion is set."""
        return any((self.lands, self.countries, self.themes, self.sectors, self.statuses,
                    self.year_from is not None, self.year_to is not None))

    def is_empty(self) -> bool:
        return not self.selects_projects and not self.kinds


@dataclass(frozen=True)
class ProjectFacts:
    """What the filters need to know about one project."""

    node_id: str
    status: str
    start_year: int | None
    end_year: float | None        # inf for open-ended active/planned projects
    lands: frozenset[str]         # cofinancing Länder and Länder of participants
    countries: frozenset[str]
    themes: frozenset[str]
    sectors: frozenset[str]
    institutions: frozenset[str]


def project_facts(g: PartnerGraph) -> dict[str, ProjectFacts]:
    """Facts of every project, built once per graph generation."""
    def build() -> dict[str, ProjectFacts]:
        out = {}
        for pid in g.nodes(NodeKind.PROJECT):
            data = g.nx.nodes[pid]
            lands, countries, themes, sectors, insts = set(), set(), set(), set(), set()
            for u, _, d in g.nx.in_edges(pid, data=True):
                if d["kind"] == EdgeKind.COFINANCES.value:
                    lands.add(key_of(u))
                elif d["kind"] == EdgeKind.PARTICIPATES_IN.value:
                    insts.add(u)
                    inst = g.nx.nodes[u]
                    if inst.get("land"):
                        lands.add(inst["land"])
                    sectors.add(inst.get("sector") or "unknown")
            for _, v, d in g.nx.out_edges(pid, data=True):
                if d["kind"] == EdgeKind.IMPLEMENTED_IN.value:
                    countries.add(key_of(v))
                elif d["kind"] == EdgeKind.ADDRESSES.value:
                    themes.add(key_of(v))
            status = data.get("status") or "unknown"
            start = data.get("start_year")
            end = data.get("end_year")
            if end is None and start is not None:
                end = float("inf") if status in ("active", "planned") else start
            out[pid] = ProjectFacts(pid, status, start, end, frozenset(lands), frozenset(countries),
                                    frozenset(themes), frozenset(sectors), frozenset(insts))
        return out
    return _cached(g, "project_facts", build)


def _project_matches(f: ProjectFacts, flt: GraphFilter) -> bool:
    if flt.statuses and f.status not in flt.statuses:
        return False
    if flt.lands and not (f.lands & flt.lands):
        return False
    if flt.countries and not (f.countries & flt.countries):
        return False
    if flt.themes and not (f.themes & flt.themes):
        return False
    if flt.sectors and not (f.sectors & flt.sectors):
        return False
    if flt.year_from is not None or flt.year_to is not None:
        if f.start_year is None:
            return False
        lo = flt.year_from if flt.year_from is not None else -10**9
        hi = flt.year_to if flt.year_to is not None else 10**9
        if f.start_year > hi or (f.end_year if f.end_year is not None else f.start_year) < lo:
            return False
    return True


@dataclass(frozen=True)
class _FilterIndex:
    """Inverted indexes for the filters, built once per graph generation:
    criterion value → ids, so a filter intersects a few sets instead of
    testing every project and institution."""

    pids: tuple[str, ...]                         # projects in project_facts order
    position: dict[str, int]
    start: Any                                    # numpy float arrays (nan: unknown)
    end: Any
    projects: dict[str, dict[str, frozenset[str]]]       # criterion → value → project ids
    institutions: dict[str, dict[str, frozenset[str]]]   # criterion → value → institution ids


def _filter_index(g: PartnerGraph) -> _FilterIndex:
    def build() -> _FilterIndex:
        facts = project_facts(g)
        pids = tuple(facts)
        proj: dict[str, dict[str, set[str]]] = {c: defaultdict(set) for c in
                                                 ("statuses", "lands", "countries", "themes", "sectors")}
        for pid, f in facts.items():
            proj["statuses"][f.status].add(pid)
            for crit, values in (("lands", f.lands), ("countries", f.countries), ("themes", f.themes),
                                 ("sectors", f.sectors)):
                for v in values:
                    proj[crit][v].add(pid)
        start = np.array([np.nan if f.start_year is None else float(f.start_year) for f in facts.values()])
        end = np.array([np.nan if f.start_year is None else float(f.end_year if f.end_year is not None
                                                                    else f.start_year) for f in facts.values()])
        inst: dict[str, dict[str, set[str]]] = {c: defaultdict(set) for c in ("sectors", "lands", "countries", "themes")}
        works_on = EdgeKind.WORKS_ON.value
        for nid, data in g.nx.nodes(data=True):
            if data["kind"] != "institution":
                continue
            inst["sectors"][data.get("sector") or "unknown"].add(nid)
            inst["lands"][data.get("land")].add(nid)
            inst["countries"][data.get("country")].add(nid)
            for v, keys in g.nx._succ[nid].items():
                if any(d["kind"] == works_on for d in keys.values()):
                    inst["themes"][key_of(v)].add(nid)
        freeze = lambda idx: {c: {v: frozenset(ids) for v, ids in by.items()} for c, by in idx.items()}  # noqa: E731
        return _FilterIndex(pids, {p: i for i, p in enumerate(pids)}, start, end, freeze(proj), freeze(inst))
    return _cached(g, "filter_index", build)


def _intersect(index: dict[str, dict[str, frozenset[str]]], flt: GraphFilter,
               criteria: Iterable[str]) -> set[str] | None:
    """Ids matching every set criterion (any of its values); None: no criterion set."""
    found: set[str] | None = None
    for crit in sorted(criteria, key=lambda c: len(getattr(flt, c) or ())):
        values = getattr(flt, crit)
        if not values:
            continue
        ids: set[str] = set().union(*(index[crit].get(v, frozenset()) for v in values))
        found = ids if found is None else found & ids
        if not found:
            break
    return found


def matching_projects(g: PartnerGraph, flt: GraphFilter | None = None) -> list[str]:
    """Ids of the projects meeting every project-level criterion of ``flt``
    (in a fixed order), intersected from an index built once per dataset."""
    flt = flt or GraphFilter()
    idx = _filter_index(g)
    found = _intersect(idx.projects, flt, ("statuses", "lands", "countries", "themes", "sectors"))
    if flt.year_from is not None or flt.year_to is not None:
        lo = flt.year_from if flt.year_from is not None else -10**9
        hi = flt.year_to if flt.year_to is not None else 10**9
        with np.errstate(invalid="ignore"):
            ok = np.flatnonzero((idx.start <= hi) & (idx.end >= lo))  # nan (no start year) never matches
        in_years = {idx.pids[i] for i in ok}
        found = in_years if found is None else found & in_years
    if found is None:
        return list(idx.pids)
    return sorted(found, key=idx.position.__getitem__)


def _matching_positions(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Positions (in :func:`project_facts` order) of :func:`matching_projects`."""
    position = _filter_index(g).position
    ids = matching_projects(g, flt)
    return np.fromiter((position[p] for p in ids), dtype=np.int64, count=len(ids))


def _node_compatible(g: PartnerGraph, nid: str, flt: GraphFilter) -> bool:
    """Does ``nid`` not contradict a criterion that applies to its own kind?"""
    return _attrs_compatible(nid, g.nx.nodes[nid], flt)


def _attrs_compatible(nid: str, data: dict[str, Any], flt: GraphFilter) -> bool:
    """:func:`_node_compatible` for a node given by its id and attributes."""
    kind = data["kind"]
    if flt.kinds and kind not in flt.kinds:
        return False
    if kind == "land":
        return not flt.lands or key_of(nid) in flt.lands
    if kind == "country":
        return not flt.countries or key_of(nid) in flt.countries
    if kind == "theme":
        return not flt.themes or key_of(nid) in flt.themes
    if kind == "institution":
        return not flt.sectors or (data.get("sector") or "unknown") in flt.sectors
    return True


def _institution_matches(g: PartnerGraph, nid: str, flt: GraphFilter) -> bool:
    """An institution matching the filter on its own attributes (used to show
    institutions that fit but have no matching project yet)."""
    if flt.statuses or flt.year_from is not None or flt.year_to is not None:
        return False  # these criteria are about projects only
    data = g.nx.nodes[nid]
    if flt.sectors and (data.get("sector") or "unknown") not in flt.sectors:
        return False
    if flt.lands and data.get("land") not in flt.lands:
        return False
    if flt.countries and data.get("country") not in flt.countries:
        return False
    if flt.themes and not any(key_of(v) in flt.themes for v, _ in g.out_edges(nid, EdgeKind.WORKS_ON)):
        return False
    return True


def _matching_institutions(g: PartnerGraph, flt: GraphFilter) -> list[str]:
    """The institutions :func:`_institution_matches` accepts, from the index."""
    if flt.statuses or flt.year_from is not None or flt.year_to is not None:
        return []  # these criteria are about projects only
    found = _intersect(_filter_index(g).institutions, flt, ("sectors", "lands", "countries", "themes"))
    return sorted(found) if found is not None else list(g.nodes(NodeKind.INSTITUTION))


def filter_subgraph(g: PartnerGraph, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS) -> Subgraph:
    """The part of the graph matching ``flt``.

    Without project-level criteria the view is every node of ``flt.kinds``
    (all nodes when no kinds are given). With them it is:

    * the matching projects (:func:`matching_projects`);
    * their neighbours (institutions, Länder, countries, themes,
      programmes), unless a neighbour contradicts a criterion on its own kind
      (another country when ``countries`` is set, an institution of another
      sector when ``sectors`` is set …);
    * institutions that match on their own attributes (sector, Land,
      country, themes they work on) even without a matching project, with
      their Land/country.

    Only nodes of ``flt.kinds`` are kept; edges are all edges between kept
    nodes. Larger views are cut to ``max_elements`` (``truncated=True``),
    keeping projects and well-connected nodes first; callers show
    :func:`overview` instead.
    """
    adj = _adjacency(g)
    arrays = _node_arrays(g)
    kind_ok = np.ones(len(adj.names), dtype=bool) if not flt.kinds else np.isin(
        arrays.kind, [arrays.kinds.index(k) for k in flt.kinds if k in arrays.kinds])
    if not flt.selects_projects:
        return _subgraph_of_rows(g, adj, np.flatnonzero(kind_ok), (), max_elements)
    compat = kind_ok & _attrs_compatible_mask(arrays, flt)
    chosen = np.zeros(len(adj.names), dtype=bool)
    projects = _matching_rows(g, flt)
    chosen[projects] = True
    around = _gather(adj.any_ptr, adj.any_idx, projects)
    chosen[around[compat[around]]] = True
    insts = _matching_institution_rows(g, flt)
    insts = insts[~chosen[insts]]
    chosen[insts] = True
    located = _gather(arrays.located_ptr, arrays.located_idx, insts)
    chosen[located[compat[located]]] = True
    is_project = arrays.kind == arrays.kinds.index(NodeKind.PROJECT.value)
    kept = np.flatnonzero(chosen & (compat | is_project) & kind_ok)
    return _subgraph_of_rows(g, adj, kept, ((~is_project[kept]).astype(np.int8),), max_elements)


def _subgraph_of_rows(g: PartnerGraph, adj: _Adjacency, rows: Any, keys: tuple[Any, ...], max_elements: int) -> Subgraph:
    """:func:`induced_subgraph` of adjacency ``rows`` (distinct), all in numpy
    until the (at most ``max_elements``) chosen nodes are named; ``keys``
    (arrays aligned with ``rows``, see :func:`_cut`) order the cut."""
    inside = np.zeros(len(adj.names), dtype=bool)
    inside[rows] = True
    total = len(rows) + int(inside[_gather(adj.out_ptr, adj.out_idx, rows)].sum())
    if total <= max_elements:
        names = adj.names
        chosen = {names[i] for i in rows.tolist()}
        return Subgraph(tuple(sorted(chosen)), tuple(sorted(_induced_edges(g, chosen))), False, total)
    return _cut(g, adj, rows, keys, max_elements, total)


@dataclass(frozen=True)
class _NodeArrays:
    """Per-node facts the filters test, as arrays over the adjacency rows
    (built once per graph generation)."""

    kinds: list[str]          # kind code → kind
    kind: Any                 # kind code per row
    sector: Any               # sector code per row (institutions; -1 otherwise)
    sectors: dict[str, int]   # sector → code
    keyed: dict[str, dict[str, int]]  # "land"/"country"/"theme" → key → row
    located_ptr: Any          # CSR: institution row → rows it is located_in
    located_idx: Any


def _node_arrays(g: PartnerGraph) -> _NodeArrays:
    def build() -> _NodeArrays:
        adj = _adjacency(g)
        kinds = NodeKind.values()
        code = {k: i for i, k in enumerate(kinds)}
        nodes = g.nx.nodes
        kind = np.fromiter((code[nodes[n]["kind"]] for n in adj.names), dtype=np.int8, count=len(adj.names))
        sectors: dict[str, int] = {}
        sector = np.full(len(adj.names), -1, dtype=np.int16)
        keyed: dict[str, dict[str, int]] = {"land": {}, "country": {}, "theme": {}}
        located_len = np.zeros(len(adj.names), dtype=np.int64)
        located: list[int] = []
        loc_kind = EdgeKind.LOCATED_IN.value
        succ, index = g.nx._succ, adj.index
        for i, n in enumerate(adj.names):
            k = kinds[kind[i]]
            if k == "institution":
                sector[i] = sectors.setdefault(nodes[n].get("sector") or "unknown", len(sectors))
                targets = [index[v] for v, keys in succ[n].items() if any(d["kind"] == loc_kind for d in keys.values())]
                located_len[i] = len(targets)
                located += targets
            elif k in keyed:
                keyed[k][key_of(n)] = i
        ptr = np.concatenate(([0], np.cumsum(located_len)))
        return _NodeArrays(kinds, kind, sector, sectors, keyed, ptr, np.array(located, dtype=np.int64))
    return _cached(g, "node_arrays", build)


def _attrs_compatible_mask(arrays: _NodeArrays, flt: GraphFilter) -> Any:
    """:func:`_attrs_compatible` (without the kinds) of every node at once."""
    ok = np.ones(len(arrays.kind), dtype=bool)
    for kind, values in (("land", flt.lands), ("country", flt.countries), ("theme", flt.themes)):
        if values:
            ok[arrays.kind == arrays.kinds.index(kind)] = False
            ok[[arrays.keyed[kind][v] for v in values if v in arrays.keyed[kind]]] = True
    if flt.sectors:
        inst = arrays.kind == arrays.kinds.index("institution")
        allowed = [arrays.sectors[s] for s in flt.sectors if s in arrays.sectors]
        ok[inst] = np.isin(arrays.sector[inst], allowed)
    return ok


def _matching_rows(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Adjacency rows of :func:`matching_projects` (in no particular order)."""
    index = _adjacency(g).index
    ids = matching_projects(g, flt)
    return np.fromiter((index[p] for p in ids), dtype=np.int64, count=len(ids))


def _matching_institution_rows(g: PartnerGraph, flt: GraphFilter) -> Any:
    """Adjacency rows of :func:`_matching_institutions`."""
    index = _adjacency(g).index
    ids = _matching_institutions(g, flt)
    return np.fromiter((index[n] for n in ids), dtype=np.int64, count=len(ids))


# ------------------------------------------------------------------ overview
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
    recent: OrderedDict[tuple[str, GraphFilter], Overview] = _cached(g, "overviews", OrderedDict)
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
    return _cached(g, "partnerships", build)


@dataclass(frozen=True)
class _Incidence:
    """Projects × Länder / countries / themes / institutions as sparse 0/1
    matrices (rows in :func:`project_facts` order; built once per graph
    generation), so an overview is a few sparse products."""

    vocab: dict[str, list[str]]   # "lands" … "institutions" → column values
    matrix: dict[str, Any]        # same keys → scipy CSR matrix (projects × values)


def _incidence(g: PartnerGraph) -> _Incidence:
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
    return _cached(g, "incidence", build)


def _overview(g: PartnerGraph, flt: GraphFilter, by: str) -> Overview:
    inc = _incidence(g)
    sel = _matching_positions(g, flt)
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


# ------------------------------------------------------------ path details
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


# ----------------------------------------------------------- explorer view
#: Edge kinds a "strict" path may use: structural links, not the loose
#: "works on the same theme" links that connect almost everyone.
STRICT_PATH_EDGES = tuple(k.value for k in EdgeKind if k not in (EdgeKind.WORKS_ON, EdgeKind.ABOUT))
#: Hub skipped as an intermediate step of strict paths: every German
#: institution is located in Germany, so "via Germany" explains nothing.
HOME_COUNTRY = "country:DEU"


@dataclass(frozen=True)
class ExplorerView:
    """What the explorer shows for one view state.

    Either ``subgraph`` (a detailed view) or ``overview`` (aggregated) is
    set. ``reason`` says why the overview is shown: ``"start"`` (nothing
    chosen yet) or ``"too_large"`` (the detailed view would have ``total``
    elements, more than the cap). ``unknown`` lists ids from the request
    that are not in the graph (ignored).
    """

    subgraph: Subgraph | None
    overview: Overview | None
    paths: tuple[tuple[str, ...], ...] = ()
    reason: str = ""
    total: int = 0
    unknown: tuple[str, ...] = ()

    @property
    def path_nodes(self) -> frozenset[str]:
        return frozenset(n for p in self.paths for n in p)

    @property
    def path_edges(self) -> frozenset[frozenset[str]]:
        """Consecutive pairs of every path (unordered)."""
        return frozenset(frozenset(pair) for p in self.paths for pair in zip(p, p[1:]))


def explorer_view(g: "PartnerGraph | GraphStore", *, focus: str | None = None, radius: int = 1,
                  expand: Iterable[str] = (), collapse: Iterable[str] = (),
                  highlight: Iterable[str] = (), path: Iterable[str] = (),
                  flt: GraphFilter | None = None, k: int = 3, max_length: int = 6,
                  strict_paths: bool = True, by: str = "country",
                  max_elements: int = MAX_ELEMENTS) -> ExplorerView:
    """Compose the explorer's view from its state.

    ``g`` is a graph or any :class:`graph.store.GraphStore`: the view is
    composed only of the store's answers (a graph is asked through a
    :class:`~graph.store.MemoryStore`), so with the Neo4j store every part
    of it comes from Neo4j.

    * ``focus``: the ego network of radius ``radius`` (nodes contradicting
      ``flt`` are left out; the focus itself always stays);
    * otherwise a filter (``flt`` with any criterion): :func:`filter_subgraph`;
    * ``expand``: adds all neighbours (of the kinds in ``flt.kinds``) of
      these nodes; ``collapse``: hides nodes hanging only on these nodes;
    * ``highlight`` alone (no focus, no filter): the highlighted nodes and
      every node linking two or more of them;
    * ``highlight`` and ``path`` (two ids): those nodes and up to ``k``
      shortest paths (``strict_paths``: via :data:`STRICT_PATH_EDGES`,
      not through :data:`HOME_COUNTRY`) are always in view;
    * with nothing chosen, or when the detailed view would exceed
      ``max_elements``, the aggregated :func:`overview` is returned.
    """
    from graph.store import MemoryStore  # graph.store builds on this module

    store = MemoryStore(g) if isinstance(g, PartnerGraph) else g
    flt = flt or GraphFilter()
    unknown: list[str] = []
    focus_ids = [focus] if focus else []
    expand, collapse, highlight, path = list(expand), list(collapse), list(highlight), list(path)
    requested = [n for n in dict.fromkeys(focus_ids + expand + collapse + highlight + path) if n]
    existing = set(store.node_attrs(requested)) if requested else set()

    def known(ids: Iterable[str]) -> list[str]:
        out = []
        for n in ids:
            if n in existing:
                out.append(n)
            elif n:
                unknown.append(n)
        return list(dict.fromkeys(out))

    focus_l = known(focus_ids)
    expand_l, collapse_l, highlight_l, path_l = known(expand), known(collapse), known(highlight), known(path)
    paths: list[list[str]] = []
    if len(path_l) >= 2:
        opts: dict[str, Any] = {"exclude": [HOME_COUNTRY], "via": STRICT_PATH_EDGES} if strict_paths else {}
        paths = store.shortest_paths(path_l[0], path_l[1], k=k, max_length=max_length, **opts)
    pinned = list(dict.fromkeys(focus_l + expand_l + highlight_l + path_l + [n for p in paths for n in p]))

    rank: dict[str, float] = {}
    base: list[str] = []
    if focus_l:
        ego = store.ego_network(focus_l[0], radius=max(1, min(radius, 2)), max_elements=max_elements)
        attrs = store.node_attrs(ego.nodes) if not flt.is_empty() else {}
        matching = set(store.matching_projects(flt)) if flt.selects_projects else None
        base = [n for n in ego.nodes if n == focus_l[0] or flt.is_empty() or (
            n in attrs and _attrs_compatible(n, attrs[n], flt)
            and (matching is None or kind_of(n) is not NodeKind.PROJECT or n in matching))]
    elif not flt.is_empty():
        sub = store.filter_subgraph(flt, max_elements=max_elements)
        if sub.truncated and not pinned:
            return ExplorerView(None, store.overview(flt, by=by), (), "too_large", sub.total, tuple(unknown))
        base = list(sub.nodes)
    elif not pinned:
        return ExplorerView(None, store.overview(flt, by=by), (), "start", 0, tuple(unknown))

    nodes = list(dict.fromkeys(base + pinned))
    group = not focus_l and flt.is_empty() and len(highlight_l) > 1
    around = list(dict.fromkeys((highlight_l if group else []) + expand_l + collapse_l))
    nbrs = store.neighbours(around) if around else {}
    if group:
        # a highlighted group alone (e.g. a community from the Analysen page):
        # add the nodes linking two or more of its members, so its structure shows
        counts: Counter[str] = Counter()
        for h in highlight_l:
            counts.update(nbrs.get(h, ()))
        nodes += sorted(n for n, c in counts.items() if c >= 2)
    for nid in expand_l:
        nodes += [n for n in sorted(nbrs.get(nid, ())) if not flt.kinds or kind_of(n).value in flt.kinds]
    nodes = list(dict.fromkeys(nodes))
    if collapse_l:
        in_view = set(nodes)
        keep = set(pinned)
        candidates = {c: [n for n in nbrs.get(c, ()) if n in in_view and n not in keep] for c in collapse_l}
        second = store.neighbours({n for ns in candidates.values() for n in ns})
        hidden = {n for c, ns in candidates.items() for n in ns if (second.get(n, frozenset()) & in_view) <= {c}}
        nodes = [n for n in nodes if n not in hidden]
    if focus_l:
        rank = _rank_by_distance(store, focus_l[0], nodes)
    sub = store.induced_subgraph(nodes, max_elements=max_elements, keep=pinned, rank=rank)
    return ExplorerView(sub, None, tuple(tuple(p) for p in paths), "", sub.total, tuple(unknown))


def _rank_by_distance(store: Any, focus: str, nodes: list[str]) -> dict[str, float]:
    """Steps (0, 1 or 2; direction ignored) from ``focus`` to each of ``nodes``
    within two steps, asked of ``store``: the neighbours of the focus, then
    the neighbours of only those nodes in view that are not among them (not
    of every neighbour of the focus, which for a hub is most of the graph)."""
    first = store.neighbours([focus]).get(focus, frozenset())
    rank: dict[str, float] = {focus: 0}
    rank.update((n, 1) for n in nodes if n in first)
    rest = [n for n in nodes if n not in rank]
    if not rest:
        return rank
    if len(first) < len(rest):
        # a node of ``rest`` is two steps away when it is adjacent to one of
        # ``first``: asking for the neighbours of the (fewer) first ones is
        # the same answer at a fraction of the cost (an expanded hub brings
        # tens of thousands of nodes into ``rest``)
        second = set().union(*store.neighbours(list(first)).values())
        rank.update((n, 2) for n in rest if n in second)
    else:
        rank.update((n, 2) for n, adj in store.neighbours(rest).items() if adj & first)
    return rank

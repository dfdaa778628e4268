"""The store interface: the questions the dashboard asks of a partner graph.

Two implementations pass one contract test suite (``tests/neo4j/test_contract.py``):
:class:`MemoryStore` answers from an in-memory :class:`~graph.model.PartnerGraph`,
:class:`graph.neo4j_store.Neo4jStore` answers in Cypher from Neo4j.
:class:`FallbackStore` puts the in-memory store behind a remote one for when
the remote one becomes unreachable. :func:`graph.queries.explorer_view`
composes the explorer's whole view from a store's answers;
:func:`view_graph` gives the element builders the nodes the store returned.

>>> from graph.model import PartnerGraph
>>> store = MemoryStore(PartnerGraph())
>>> store.counts_by_kind()["land"]
16
>>> store.node("land:DE-HE")["label"]
'Hessen'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol, runtime_checkable

from graph import queries
from graph.errors import StoreUnavailable
from graph.kinds import EdgeKind, NodeKind
from graph.model import PartnerGraph
from graph.queries import MAX_ELEMENTS, ExplorerView, GraphFilter, Neighbour, Overview, Subgraph
from graph.search import SearchHit, search

__all__ = ["GraphStore", "MemoryStore", "FallbackStore", "FilterOptions", "filter_options", "view_graph",
           "local_graph", "EdgeRecord"]

#: An edge as stores return it: ``(source, target, key, attributes)``; the
#: attributes hold ``kind`` and the edge's other attributes.
EdgeRecord = tuple[str, str, str, dict[str, Any]]

#: Node kinds offered as filter choices by their names.
_OPTION_KINDS = (NodeKind.LAND, NodeKind.COUNTRY, NodeKind.THEME)


@dataclass(frozen=True)
class FilterOptions:
    """What the explorer's filters can choose from, as the data hold it.

    ``lands``, ``countries``, ``themes``: ``(id, label, label_en)`` sorted by
    id (``label_en`` may be None); ``sectors``: the institutions' sectors,
    ``statuses``: the projects' statuses (each sorted); ``years``: the first
    start year and the last end year of the projects (None without any).
    """

    lands: tuple[tuple[str, str, str | None], ...] = ()
    countries: tuple[tuple[str, str, str | None], ...] = ()
    themes: tuple[tuple[str, str, str | None], ...] = ()
    sectors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    years: tuple[int, int] | None = None

    @classmethod
    def build(cls, named: Iterable[tuple[str, str, str, str | None]], sectors: Iterable[Any],
              statuses: Iterable[Any], years: tuple[Any, Any]) -> "FilterOptions":
        """From ``(id, kind, label, label_en)`` rows, distinct values and ``(first, last)`` years."""
        by_kind: dict[str, list[tuple[str, str, str | None]]] = {k.value: [] for k in _OPTION_KINDS}
        for nid, kind, label, label_en in named:
            if kind in by_kind:
                by_kind[kind].append((nid, label or nid, label_en or None))
        first, last = years
        return cls(
            tuple(sorted(by_kind["land"])), tuple(sorted(by_kind["country"])), tuple(sorted(by_kind["theme"])),
            tuple(sorted({str(v) for v in sectors if v not in (None, "")})),
            tuple(sorted({str(v) for v in statuses if v not in (None, "")})),
            None if first is None or last is None else (int(first), int(last)))


def filter_options(g: PartnerGraph) -> FilterOptions:
    """The :class:`FilterOptions` of an in-memory graph.

    >>> from graph.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_node("project", "P1", label="Wasser", status="active", start_year=2019, end_year=2021, source="s")
    >>> opts = filter_options(g)
    >>> len(opts.lands), opts.statuses, opts.years
    (16, ('active',), (2019, 2021))
    """
    nodes = g.nx.nodes
    named = [(n, a["kind"], a.get("label"), a.get("label_en")) for n, a in nodes(data=True)
             if a.get("kind") in {k.value for k in _OPTION_KINDS}]
    sectors = (nodes[n].get("sector") for n in g.nodes(NodeKind.INSTITUTION))
    projects = [nodes[n] for n in g.nodes(NodeKind.PROJECT)]
    starts = [a["start_year"] for a in projects if a.get("start_year") is not None]
    ends = [a.get("end_year") if a.get("end_year") is not None else a.get("start_year") for a in projects]
    ends = [e for e in ends if e is not None]
    return FilterOptions.build(named, sectors, (a.get("status") for a in projects),
                               (min(starts) if starts else None, max(ends) if ends else None))


@runtime_checkable
class GraphStore(Protocol):
    """What every store answers. Node ids are the namespaced ids of :mod:`graph.kinds`.

    Errors: :class:`~graph.errors.NodeNotFound` for an unknown id;
    :class:`~graph.errors.StoreUnavailable` when the backend cannot be
    reached; :class:`~graph.errors.StoreError` for any other backend failure.
    """

    #: Short human-readable name of the backend (shown in the dashboard).
    name: str

    def node(self, node_id: str) -> dict[str, Any]:
        """Attributes of one node (``kind``, ``label``, …)."""
        ...

    def node_attrs(self, node_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{id: attributes}`` of the given nodes; unknown ids are left out."""
        ...

    def counts_by_kind(self) -> dict[str, int]:
        """Number of nodes per kind, every kind listed."""
        ...

    def search(self, text: str, *, kinds: Iterable[NodeKind | str] | None = None, limit: int = 10,
               lang: str = "de") -> list[SearchHit]:
        """Nodes whose names match ``text``, best first (:func:`graph.search.search`)."""
        ...

    def neighbours_by_relation(self, node_id: str, *, lang: str = "de") -> dict[str, list[Neighbour]]:
        """Neighbours grouped by relation (:func:`graph.queries.neighbours_by_relation`)."""
        ...

    def ego_network(self, node_id: str, *, radius: int = 1, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        """Nodes within ``radius`` steps and the edges between them (:func:`graph.queries.ego_network`)."""
        ...

    def shortest_paths(self, source: str, target: str, *, k: int = 3, max_length: int = 6,
                       exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
        """Up to ``k`` shortest simple paths (:func:`graph.queries.shortest_paths`)."""
        ...

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        """The part of the graph matching ``flt`` (:func:`graph.queries.filter_subgraph`)."""
        ...

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        """``{id: ids adjacent to it}`` (either direction; only nodes of
        ``kinds`` when given) for each known id of ``node_ids``."""
        ...

    def induced_subgraph(self, node_ids: Iterable[str], *, max_elements: int = MAX_ELEMENTS,
                         keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
        """The view on ``node_ids`` with every edge between them, cut like
        :func:`graph.queries.induced_subgraph` (unknown ids left out)."""
        ...

    def matching_projects(self, flt: GraphFilter) -> list[str]:
        """Ids of the projects meeting ``flt`` (:func:`graph.queries.matching_projects`)."""
        ...

    def overview(self, flt: GraphFilter | None = None, *, by: str = "country") -> Overview:
        """The aggregated Länder ↔ countries/themes view (:func:`graph.queries.overview`)."""
        ...

    def edges_between(self, pairs: Iterable[tuple[str, str]], *, directed: bool = False) -> list[EdgeRecord]:
        """Every edge joining the two nodes of each pair, in either direction
        (only from the first to the second with ``directed``), with its
        attributes (e.g. which relations link consecutive path steps)."""
        ...

    def filter_options(self) -> FilterOptions:
        """The values the explorer's filters offer (:func:`filter_options`)."""
        ...

    def snapshot(self) -> PartnerGraph:
        """The whole graph, for pages that are whole-graph by nature
        (matchmaking, analytics …). Read-only; a remote store returns a copy
        taken lazily and refreshed when its data change; its ``meta["snapshot"]``
        then tells the source and the time it was taken."""
        ...


class MemoryStore:
    """The store over an in-memory partner graph (the default).

    Parameters
    ----------
    graph : PartnerGraph
    """

    name = "memory"

    def __init__(self, graph: PartnerGraph):
        self.graph = graph
        self._options: tuple[int, FilterOptions] | None = None

    def __repr__(self) -> str:
        return f"<MemoryStore {self.graph!r}>"

    def node(self, node_id: str) -> dict[str, Any]:
        return dict(self.graph.node(node_id))

    def node_attrs(self, node_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {n: dict(self.graph.nx.nodes[n]) for n in dict.fromkeys(node_ids) if n in self.graph.nx}

    def counts_by_kind(self) -> dict[str, int]:
        return self.graph.counts_by_kind()

    def search(self, text: str, *, kinds: Iterable[NodeKind | str] | None = None, limit: int = 10,
               lang: str = "de") -> list[SearchHit]:
        return search(self.graph, text, kinds=kinds, limit=limit, lang=lang)

    def neighbours_by_relation(self, node_id: str, *, lang: str = "de") -> dict[str, list[Neighbour]]:
        return queries.neighbours_by_relation(self.graph, node_id, lang=lang)

    def ego_network(self, node_id: str, *, radius: int = 1, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        return queries.ego_network(self.graph, node_id, radius=radius, max_elements=max_elements)

    def shortest_paths(self, source: str, target: str, *, k: int = 3, max_length: int = 6,
                       exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
        return queries.shortest_paths(self.graph, source, target, k=k, max_length=max_length,
                                      exclude=exclude, via=via)

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        return queries.filter_subgraph(self.graph, flt, max_elements=max_elements)

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
        nodes = self.graph.nx.nodes
        return {n: frozenset(m for m in self.graph.neighbours(n) if wanted is None or nodes[m]["kind"] in wanted)
                for n in dict.fromkeys(node_ids) if n in self.graph.nx}

    def induced_subgraph(self, node_ids: Iterable[str], *, max_elements: int = MAX_ELEMENTS,
                         keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
        return queries.induced_subgraph(self.graph, node_ids, max_elements=max_elements, keep=keep, rank=rank)

    def matching_projects(self, flt: GraphFilter) -> list[str]:
        return queries.matching_projects(self.graph, flt)

    def overview(self, flt: GraphFilter | None = None, *, by: str = "country") -> Overview:
        return queries.overview(self.graph, flt, by=by)

    def edges_between(self, pairs: Iterable[tuple[str, str]], *, directed: bool = False) -> list[EdgeRecord]:
        out: list[EdgeRecord] = []
        adj = self.graph.nx.adj
        seen: set[tuple[str, str]] = set()
        for a, b in pairs:
            for u, v in ((a, b),) if directed else ((a, b), (b, a)):
                if (u, v) in seen or u not in adj or v not in adj[u]:
                    continue
                seen.add((u, v))
                out.extend((u, v, key, dict(data)) for key, data in adj[u][v].items())
        return sorted(out, key=lambda e: e[:3])

    def filter_options(self) -> FilterOptions:
        cached = self._options
        if cached is None or cached[0] != self.graph.generation:
            cached = self._options = (self.graph.generation, filter_options(self.graph))
        return cached[1]

    def snapshot(self) -> PartnerGraph:
        return self.graph


class FallbackStore:
    """Answer from ``primary``; once it is unreachable, answer from ``fallback``.

    After the first :class:`~graph.errors.StoreUnavailable` the store stays on
    the fallback (no retry storms against a dead server) and :attr:`notice`
    holds the cause, for a banner.

    >>> from graph.model import PartnerGraph
    >>> class Down:
    ...     name = "neo4j"
    ...     def counts_by_kind(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    >>> store = FallbackStore(Down(), MemoryStore(PartnerGraph()))
    >>> store.counts_by_kind()["land"], store.notice
    (16, 'bolt://db:7687: server not reachable')
    """

    def __init__(self, primary: Any, fallback: MemoryStore, *, notice: str | None = None):
        self.primary = primary
        self.fallback = fallback
        self.notice = notice

    @property
    def name(self) -> str:
        return self.fallback.name if self.notice else self.primary.name

    @property
    def active(self) -> Any:
        """The store answering now."""
        return self.fallback if self.notice else self.primary

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr in ("primary", "fallback", "notice"):
            raise AttributeError(attr)
        target = getattr(self.active, attr)
        if not callable(target) or self.notice:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.notice:
                return getattr(self.fallback, attr)(*args, **kwargs)
            try:
                return target(*args, **kwargs)
            except StoreUnavailable as exc:
                self.notice = str(exc)
                return getattr(self.fallback, attr)(*args, **kwargs)

        return call


def view_graph(store: GraphStore, view: ExplorerView, *, edge_attrs: bool = False,
               extra: Iterable[str] = ()) -> PartnerGraph:
    """A small in-memory graph of what ``view`` shows, for the element
    builders: its nodes with their attributes from ``store.node_attrs`` and
    its edges with their kind (read from the edge key, ``kind`` or
    ``kind:discriminator``; with ``edge_attrs`` all their attributes, from
    ``store.edges_between``). ``extra`` names further nodes to include
    (attributes only; unknown ids are left out).

    >>> from graph.model import PartnerGraph
    >>> from graph.queries import explorer_view
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> store = MemoryStore(g)
    >>> local = view_graph(store, explorer_view(store, focus="country:RWA"))
    >>> sorted(local.nx.nodes), [k for _, _, k in local.nx.edges(data="kind")]
    (['country:RWA', 'land:DE-RP'], ['partners_with'])
    """
    if view.overview is not None:
        ids = [n.node_id for n in view.overview.nodes]
        edges: tuple[tuple[str, str, str], ...] = ()
    else:
        assert view.subgraph is not None
        ids, edges = list(view.subgraph.nodes), view.subgraph.edges
    local = PartnerGraph(with_laender=False)
    for nid, attrs in store.node_attrs(list(dict.fromkeys([*ids, *extra]))).items():
        local.nx.add_node(nid, **attrs)
    if edge_attrs and edges:
        wanted = set(edges)
        for u, v, key, attrs in store.edges_between(sorted({(u, v) for u, v, _ in edges}), directed=True):
            if (u, v, key) in wanted and u in local.nx and v in local.nx:
                local.nx.add_edge(u, v, key=key, **attrs)
        return local
    for u, v, key in edges:
        if u in local.nx and v in local.nx:
            local.nx.add_edge(u, v, key=key, kind=key.partition(":")[0])
    return local


def local_graph(store: GraphStore, node_ids: Iterable[str], *,
                pairs: Iterable[tuple[str, str]] = ()) -> PartnerGraph:
    """A small in-memory graph of ``node_ids`` (attributes from the store)
    and every edge joining the given ``pairs`` of them, with its attributes —
    e.g. a path's nodes and steps, for :func:`graph.queries.describe_path`.

    >>> from graph.model import PartnerGraph
    >>> from graph.queries import describe_path
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    >>> path = ["country:RWA", "land:DE-RP"]
    >>> [s.relation for s in describe_path(local_graph(MemoryStore(g), path, pairs=[path]), path)]
    [None, 'partners_with']
    """
    local = PartnerGraph(with_laender=False)
    for nid, attrs in store.node_attrs(node_ids).items():
        local.nx.add_node(nid, **attrs)
    pairs = [tuple(p) for p in pairs]
    for u, v, key, attrs in (store.edges_between(pairs) if pairs else ()):
        if u in local.nx and v in local.nx:
            local.nx.add_edge(u, v, key=key, **attrs)
    return local

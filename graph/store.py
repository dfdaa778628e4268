"""The store interface: the questions the dashboard asks of a partner graph.

Two implementations pass one contract test suite (``tests/neo4j/test_contract.py``):
:class:`MemoryStore` answers from an in-memory :class:`~graph.core.model.PartnerGraph`,
:class:`graph.neo4j_store.Neo4jStore` answers in Cypher from Neo4j.
:class:`FallbackStore` puts in-memory data (the remote store's last
snapshot, else the local dataset) behind a remote store for while it is
unreachable, and switches back when it answers again. :func:`graph.queries.explorer_view`
composes the explorer's whole view from a store's answers;
:func:`view_graph` gives the element builders the nodes the store returned.

>>> from graph.core.model import PartnerGraph
>>> store = MemoryStore(PartnerGraph())
>>> store.counts_by_kind()["land"]
16
>>> store.node("land:DE-HE")["label"]
'Hessen'
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, runtime_checkable

from graph import queries
from graph.core.errors import StoreUnavailable
from graph.core.kinds import EdgeKind, NodeKind
from graph.core.model import PartnerGraph
from graph.queries import MAX_ELEMENTS, ExplorerView, GraphFilter, Neighbour, Overview, Subgraph
from graph.explore.search import SearchHit, search

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

    >>> from graph.core.model import PartnerGraph
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
    """What every store answers. Node ids are the namespaced ids of :mod:`graph.core.kinds`.

    Errors: :class:`~graph.core.errors.NodeNotFound` for an unknown id;
    :class:`~graph.core.errors.StoreUnavailable` when the backend cannot be
    reached; :class:`~graph.core.errors.StoreError` for any other backend failure.
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
        """Nodes whose names match ``text``, best first (:func:`graph.explore.search.search`)."""
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
    #: The whole graph is at hand (see ``Neo4jStore.snapshot_mode``).
    snapshot_mode = "warm"

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
    """Answer from ``primary``; while it is unreachable, answer from a standby.

    On a :class:`~graph.core.errors.StoreUnavailable` the store switches to the
    last data the primary served in full — its last snapshot
    (``primary.last_snapshot``, taken under the primary's contact rule) — or,
    before any snapshot exists, to ``fallback`` (the local dataset).
    :attr:`notice` then holds the cause (for a banner) and :attr:`showing`
    tells which data answer. At most every ``retry_interval`` seconds a call
    starts one background check of the primary (:meth:`retry`); when it
    answers again, the store switches back and the notice disappears.
    ``primary`` None (the connection settings were unusable) never recovers.

    >>> from graph.core.model import PartnerGraph
    >>> class Down:
    ...     name = "neo4j"
    ...     def counts_by_kind(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    ...     def ping(self):
    ...         raise StoreUnavailable("bolt://db:7687: server not reachable")
    >>> store = FallbackStore(Down(), MemoryStore(PartnerGraph()))
    >>> store.counts_by_kind()["land"], store.notice, store.showing
    (16, 'bolt://db:7687: server not reachable', {'source': 'local', 'taken_at': None})
    >>> store.retry()
    False
    """

    def __init__(self, primary: Any, fallback: MemoryStore, *, notice: str | None = None,
                 retry_interval: float = 15.0):
        self.primary = primary
        #: The local dataset's store (the standby before any snapshot exists).
        self.fallback = fallback
        self.retry_interval = float(retry_interval)
        self.notice: str | None = None
        #: The store answering while the primary is down (None while it is up).
        self.standby: MemoryStore | None = None
        self._failed_at = float("-inf")
        self._retrying = False
        self._lock = threading.Lock()
        if notice is not None:
            self.fail(notice)

    @property
    def name(self) -> str:
        return self.active.name

    @property
    def active(self) -> Any:
        """The store answering now."""
        standby = self.standby
        return standby if standby is not None else self.primary

    @property
    def showing(self) -> dict[str, Any] | None:
        """Which data answer while the primary is down: ``{"source":
        "snapshot", "taken_at": <UTC ISO time>}`` (the primary's last
        snapshot) or ``{"source": "local", "taken_at": None}``; None while
        the primary answers."""
        standby = self.standby
        if standby is None:
            return None
        if standby is self.fallback:
            return {"source": "local", "taken_at": None}
        taken = standby.graph.meta.get("snapshot", {}).get("taken_at")
        return {"source": "snapshot", "taken_at": taken}

    @property
    def snapshot_mode(self) -> str:
        """The active store's snapshot mode (see :class:`MemoryStore`)."""
        return getattr(self.active, "snapshot_mode", "warm")

    def fail(self, cause: str) -> None:
        """Switch to the standby (the primary's last snapshot, else the local
        data) with ``cause`` as the notice; the retry clock starts now."""
        with self._lock:
            if self.standby is None:
                last = getattr(self.primary, "last_snapshot", None)
                self.standby = MemoryStore(last) if isinstance(last, PartnerGraph) else self.fallback
            self.notice = cause
            self._failed_at = time.monotonic()

    def retry(self) -> bool:
        """Ask the primary once (``ping``); switch back to it when it answers.
        True when the primary answers now."""
        if self.standby is None:
            return True
        if self.primary is None:
            return False
        try:
            self.primary.ping()
        except StoreUnavailable as exc:
            with self._lock:
                self.notice, self._failed_at = str(exc), time.monotonic()
            return False
        with self._lock:
            invalidate = getattr(self.primary, "invalidate", None)
            if invalidate is not None:  # the server may hold other data now
                invalidate()
            self.standby, self.notice = None, None
        return True

    def _retry_if_due(self) -> None:
        """Start one background :meth:`retry` when ``retry_interval`` has passed."""
        if self.primary is None:
            return
        with self._lock:
            if self._retrying or time.monotonic() - self._failed_at < self.retry_interval:
                return
            self._retrying = True
            self._failed_at = time.monotonic()

        def run() -> None:
            try:
                self.retry()
            except Exception:  # noqa: BLE001 - never let a check kill a request thread; next one retries
                pass
            finally:
                self._retrying = False

        threading.Thread(target=run, name="partnernetz-store-retry", daemon=True).start()

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr in ("primary", "fallback", "notice", "standby", "retry_interval"):
            raise AttributeError(attr)
        standby = self.standby
        if standby is not None:
            self._retry_if_due()
            return getattr(standby, attr)
        target = getattr(self.primary, attr)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            standby = self.standby
            if standby is not None:
                return getattr(standby, attr)(*args, **kwargs)
            try:
                return target(*args, **kwargs)
            except StoreUnavailable as exc:
                self.fail(str(exc))
                return getattr(self.standby or self.fallback, attr)(*args, **kwargs)

        return call


def view_graph(store: GraphStore, view: ExplorerView, *, edge_attrs: bool = False,
               extra: Iterable[str] = ()) -> PartnerGraph:
    """A small in-memory graph of what ``view`` shows, for the element
    builders: its nodes with their attributes from ``store.node_attrs`` and
    its edges with their kind (read from the edge key, ``kind`` or
    ``kind:discriminator``; with ``edge_attrs`` all their attributes, from
    ``store.edges_between``). ``extra`` names further nodes to include
    (attributes only; unknown ids are left out).

    >>> from graph.core.model import PartnerGraph
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

    >>> from graph.core.model import PartnerGraph
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

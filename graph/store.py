"""The store interface: the questions the dashboard asks of a partner graph.

Two implementations pass one contract test suite (``tests/neo4j/test_contract.py``):
:class:`MemoryStore` answers from an in-memory :class:`~graph.model.PartnerGraph`,
:class:`graph.neo4j_store.Neo4jStore` answers in Cypher from Neo4j.
:class:`FallbackStore` puts the in-memory store behind a remote one for when
the remote one becomes unreachable.

>>> from graph.model import PartnerGraph
>>> store = MemoryStore(PartnerGraph())
>>> store.counts_by_kind()["land"]
16
>>> store.node("land:DE-HE")["label"]
'Hessen'
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable

from graph import queries
from graph.errors import StoreUnavailable
from graph.kinds import EdgeKind, NodeKind
from graph.model import PartnerGraph
from graph.queries import MAX_ELEMENTS, GraphFilter, Neighbour, Subgraph
from graph.search import SearchHit, search

__all__ = ["GraphStore", "MemoryStore", "FallbackStore"]


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


class MemoryStore:
    """The store over an in-memory partner graph (the default).

    Parameters
    ----------
    graph : PartnerGraph
    """

    name = "memory"

    def __init__(self, graph: PartnerGraph):
        self.graph = graph

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

"""The store interface: the questions the dashboard asks of a partner graph.

Two implementations pass one contract test suite (``tests/neo4j/test_contract.py``):
:class:`~graph.store.memory.MemoryStore` answers from an in-memory
:class:`~graph.core.model.PartnerGraph`, :class:`graph.store.neo4j.Neo4jStore`
answers in Cypher from Neo4j.
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol, runtime_checkable

from graph.core.kinds import EdgeKind, NodeKind
from graph.core.model import PartnerGraph
from graph.explore.filters import GraphFilter
from graph.explore.neighbours import Neighbour, Relation
from graph.explore.options import FilterOptions
from graph.explore.overview import Overview
from graph.explore.search import SearchHit
from graph.explore.subgraphs import MAX_ELEMENTS, Subgraph

__all__ = ["GraphStore", "EdgeRecord"]

#: An edge as stores return it: ``(source, target, key, attributes)``; the
#: attributes hold ``kind`` and the edge's other attributes.
EdgeRecord = tuple[str, str, str, dict[str, Any]]


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
        """Neighbours grouped by relation (:func:`graph.explore.neighbours_by_relation`)."""
        ...

    def neighbour_groups(self, node_id: str, *, lang: str = "de", limit: int | None = None) -> dict[str, Relation]:
        """Each relation's size and first ``limit`` neighbours by name (:func:`graph.explore.neighbour_groups`)."""
        ...

    def ego_network(self, node_id: str, *, radius: int = 1, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        """Nodes within ``radius`` steps and the edges between them (:func:`graph.explore.ego_network`)."""
        ...

    def shortest_paths(self, source: str, target: str, *, k: int = 3, max_length: int = 6,
                       exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
        """Up to ``k`` shortest simple paths (:func:`graph.explore.shortest_paths`)."""
        ...

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        """The part of the graph matching ``flt`` (:func:`graph.explore.filter_subgraph`)."""
        ...

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        """``{id: ids adjacent to it}`` (either direction; only nodes of
        ``kinds`` when given) for each known id of ``node_ids``."""
        ...

    def neighbour_count(self, node_id: str) -> int:
        """How many nodes ``neighbours([node_id])`` would list for ``node_id``
        (0 for an unknown id), without listing them: a hub has tens of
        thousands."""
        ...

    def induced_subgraph(self, node_ids: Iterable[str], *, max_elements: int = MAX_ELEMENTS,
                         keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
        """The view on ``node_ids`` with every edge between them, cut like
        :func:`graph.explore.induced_subgraph` (unknown ids left out)."""
        ...

    def matching_projects(self, flt: GraphFilter) -> list[str]:
        """Ids of the projects meeting ``flt`` (:func:`graph.explore.matching_projects`)."""
        ...

    def overview(self, flt: GraphFilter | None = None, *, by: str = "country") -> Overview:
        """The aggregated Länder ↔ countries/themes view (:func:`graph.explore.overview`)."""
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

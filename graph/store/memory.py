"""The store over an in-memory partner graph (the default): every answer
comes from :mod:`graph.explore` on the graph itself.

>>> from graph.core.model import PartnerGraph
>>> store = MemoryStore(PartnerGraph())
>>> store.counts_by_kind()["land"]
16
>>> store.node("land:DE-HE")["label"]
'Hessen'
"""

from __future__ import annotations

from typing import Any, Iterable

from graph import explore
from graph.core.cache import cached
from graph.core.kinds import EdgeKind, NodeKind
from graph.core.model import PartnerGraph
from graph.explore.adjacency import adjacency, neighbour_names, neighbour_rows
from graph.explore.filters import GraphFilter
from graph.explore.neighbours import Neighbour, Relation, neighbour_groups
from graph.explore.options import FilterOptions, filter_options
from graph.explore.overview import Overview
from graph.explore.search import SearchHit, search
from graph.explore.subgraphs import MAX_ELEMENTS, Subgraph
from graph.store.protocol import EdgeRecord

#: From this many neighbours on, :meth:`MemoryStore.neighbours` reads the
#: adjacency arrays instead of the node's dicts.
MANY_NEIGHBOURS = 200

__all__ = ["MemoryStore"]


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
        return explore.neighbours_by_relation(self.graph, node_id, lang=lang)

    def neighbour_groups(self, node_id: str, *, lang: str = "de", limit: int | None = None) -> dict[str, Relation]:
        return neighbour_groups(self.graph, node_id, lang=lang, limit=limit)

    def ego_network(self, node_id: str, *, radius: int = 1, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        return explore.ego_network(self.graph, node_id, radius=radius, max_elements=max_elements)

    def shortest_paths(self, source: str, target: str, *, k: int = 3, max_length: int = 6,
                       exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
        return explore.shortest_paths(self.graph, source, target, k=k, max_length=max_length,
                                      exclude=exclude, via=via)

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = MAX_ELEMENTS) -> Subgraph:
        return explore.filter_subgraph(self.graph, flt, max_elements=max_elements)

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
        g, out = self.graph, {}
        succ, pred = g.nx._succ, g.nx._pred
        for n in dict.fromkeys(node_ids):
            if n not in succ:
                continue
            if len(succ[n]) + len(pred[n]) < MANY_NEIGHBOURS:
                found: Iterable[str] = g.neighbours(n)
            else:  # a hub: from the adjacency arrays, without walking (and so touching) its dicts
                adj = adjacency(g)
                found = neighbour_names(adj, adj.index[n])
            # an id starts with its kind (kinds.node_id): no attribute dict is read either
            out[n] = frozenset(m for m in found if wanted is None or m.partition(":")[0] in wanted)
        return out

    def neighbour_count(self, node_id: str) -> int:
        g = self.graph
        if node_id not in g.nx._succ:
            return 0
        if len(g.nx._succ[node_id]) + len(g.nx._pred[node_id]) < MANY_NEIGHBOURS:
            return len(g.neighbours(node_id))
        adj = adjacency(g)  # a hub: its distinct adjacency rows, no names made
        return len(neighbour_rows(adj, adj.index[node_id]))

    def induced_subgraph(self, node_ids: Iterable[str], *, max_elements: int = MAX_ELEMENTS,
                         keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
        return explore.induced_subgraph(self.graph, node_ids, max_elements=max_elements, keep=keep, rank=rank)

    def matching_projects(self, flt: GraphFilter) -> list[str]:
        return explore.matching_projects(self.graph, flt)

    def overview(self, flt: GraphFilter | None = None, *, by: str = "country") -> Overview:
        return explore.overview(self.graph, flt, by=by)

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
        return cached(self.graph, "explore.filter_options", lambda: filter_options(self.graph))

    def snapshot(self) -> PartnerGraph:
        return self.graph

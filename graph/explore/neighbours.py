"""The neighbours of a node grouped by relation (edge kind and direction),
as the explorer's details panel lists them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from graph.core.cache import cached
from graph.core.model import PartnerGraph
from graph.explore.adjacency import adjacency

__all__ = ["Neighbour", "Relation", "relation_key", "neighbours_by_relation", "neighbour_groups", "name_order"]


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


class Relation(NamedTuple):
    """A node's neighbours over one relation: how many there are, and the
    first ones by name (all of them, or the first ``limit``)."""

    total: int
    first: list[Neighbour]


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
    return {key: relation.first for key, relation in neighbour_groups(g, node_id, lang=lang).items()}


def neighbour_groups(g: PartnerGraph, node_id: str, *, lang: str = "de",
                     limit: int | None = None) -> dict[str, Relation]:
    """:func:`neighbours_by_relation` with each group's size, keeping only
    the first ``limit`` of each group (by name, as there) when given: a hub's
    details name 20 of its thousands of neighbours, and only those 20 are
    made into :class:`Neighbour` records.

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph()
    >>> _ = g.add_country("RWA")
    >>> for land in ("DE-RP", "DE-BW", "DE-HE"):
    ...     g.add_edge(f"land:{land}", "country:RWA", "partners_with", source="s")
    >>> group = neighbour_groups(g, "country:RWA", limit=2)["partners_with:in"]
    >>> group.total, [n.label for n in group.first]
    (3, ['Baden-Württemberg', 'Hessen'])
    """
    g.node(node_id)  # an unknown id raises NodeNotFound
    nodes = g.nx._node
    members: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for v, keyed in g.nx._succ[node_id].items():
        for data in keyed.values():
            members[relation_key(data["kind"], True)].append((v, data))
    for u, keyed in g.nx._pred[node_id].items():
        for data in keyed.values():
            members[relation_key(data["kind"], False)].append((u, data))

    def name(nid: str) -> str:  # PartnerGraph.label, without its checks (nid is a neighbour)
        attrs = nodes[nid]
        return (lang == "en" and attrs.get("label_en")) or attrs.get("label", nid)

    out: dict[str, Relation] = {}
    for key, items in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if limit is None or len(items) <= limit:
            # i: a neighbour reached by parallel edges keeps their order
            chosen = [i for _, _, i in sorted((name(v).casefold(), v, i) for i, (v, _) in enumerate(items))]
        else:
            chosen = _first_by_name(g, lang, [v for v, _ in items], limit)
        out[key] = Relation(len(items), [Neighbour(items[i][0], name(items[i][0]), nodes[items[i][0]]["kind"],
                                                   _edge_attrs(items[i][1])) for i in chosen])
    return out


def _first_by_name(g: PartnerGraph, lang: str, ids: list[str], limit: int) -> list[int]:
    """Positions in ``ids`` of the first ``limit`` by (folded name, id), in
    that order (equal ids by position), from the graph's name order: a
    hub's thousands of neighbours are ranked in numpy, not sorted by name."""
    index = adjacency(g).index
    ranks = name_order(g, lang)[np.fromiter((index[v] for v in ids), dtype=np.int64, count=len(ids))]
    cut = np.partition(ranks, limit - 1)[limit - 1]
    among = np.flatnonzero(ranks <= cut)  # ties at the cut: all of them, then by position
    return [int(i) for i in among[np.lexsort((among, ranks[among]))][:limit]]


def name_order(g: PartnerGraph, lang: str = "de") -> Any:
    """Each node's place (by adjacency row) in the order of (folded name in
    ``lang``, id): the order of the details panel's neighbour lists. Built
    once per graph and language (a second at 300k nodes)."""
    def build() -> Any:
        adj, nodes = adjacency(g), g.nx._node
        keys = [(((lang == "en" and nodes[n].get("label_en")) or nodes[n].get("label", n)).casefold(), n)
                for n in adj.names]
        rank = np.empty(len(keys), dtype=np.int32)
        rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys), dtype=np.int32)
        return rank
    return cached(g, ("explore.name_order", lang), build)


def _edge_attrs(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "kind"}

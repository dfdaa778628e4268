"""The neighbours of a node grouped by relation (edge kind and direction),
as the explorer's details panel lists them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.core.model import PartnerGraph

__all__ = ["Neighbour", "relation_key", "neighbours_by_relation"]


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

"""Small in-memory graphs of what the store fetched, for the in-memory rules to run on.

Nodes and edges are added through :meth:`PartnerGraph.put_node` and
:meth:`PartnerGraph.put_edge` (the store's data is already checked), with
the store's tags (:data:`~graph.store.neo4j.rows.TAG_PROPERTIES`) removed.

>>> g = local_graph({"theme:w": {"kind": "theme", "label": "W", "_pn_push": "p"}},
...                 [{"source": "theme:w", "target": "theme:x", "props": {"_pn_key": "about"}}])
>>> g.node("theme:w"), g.nx.number_of_edges()
({'kind': 'theme', 'label': 'W'}, 0)
"""

from __future__ import annotations

from typing import Any, Iterable

from graph.core.kinds import kind_of
from graph.core.model import PartnerGraph
from graph.store.neo4j.rows import TAG_PROPERTIES, plain

__all__ = ["node_attrs", "local_graph", "kind_name"]


def node_attrs(props: dict[str, Any]) -> dict[str, Any]:
    """Stored properties as the in-memory graph holds them: no tags, no ``id``, no nulls."""
    return {k: plain(v) for k, v in props.items() if k not in TAG_PROPERTIES and k != "id" and v is not None}


def local_graph(nodes: dict[str, dict[str, Any]], edges: Iterable[dict[str, Any]]) -> PartnerGraph:
    """A small in-memory graph of fetched nodes (``{id: props}``) and edges
    (``{source, target, props}``). Edges whose ends were not fetched are left out."""
    g = PartnerGraph(with_laender=False)
    for nid in sorted(nodes):
        g.put_node(nid, **node_attrs(nodes[nid]))
    for rec in sorted(edges, key=lambda r: (r["source"], r["target"], r["props"].get("_pn_key", ""))):
        if rec["source"] in g and rec["target"] in g:
            props = rec["props"]
            g.put_edge(rec["source"], rec["target"], props.get("_pn_key"),
                       **{k: plain(v) for k, v in props.items() if k not in TAG_PROPERTIES and v is not None})
    return g


def kind_name(node_id: str) -> str | None:
    """The kind of ``node_id`` as a string, None for an id of no known kind."""
    try:
        return kind_of(node_id).value
    except ValueError:
        return None

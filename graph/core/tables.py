"""Turn a partner graph back into the canonical tables (rows as dicts).

Used by ``export --format csv`` and by the Neo4j pull; loading the tables
again gives the same graph (tested as a round trip).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import networkx as nx

from graph.core.kinds import EDGE_ENDPOINTS, EdgeKind, NodeKind, key_of
from graph.core.model import PartnerGraph

__all__ = ["TABLE_ORDER", "graph_to_tables", "table_rows"]


def _prov(attrs: dict[str, Any]) -> dict[str, Any]:
    return {"source": attrs.get("source", ""), "illustrative": "true" if attrs.get("illustrative") else ""}


def _joined(values: list[str]) -> str:
    return ";".join(values)


def _adjacency(g: PartnerGraph) -> tuple[Any, Callable[[str], bool] | None]:
    """``g``'s out-adjacency as plain dicts, and which nodes are in ``g``
    (``None``: all). A view without some nodes (``PartnerGraph.without``:
    what a download may not carry) filters every row it hands out, which at
    millions of edges costs more than asking the plain rows and the test."""
    h, keep = g.nx, None
    while hasattr(h, "_graph") and hasattr(h, "_NODE_OK") and getattr(h, "_EDGE_OK", None) is nx.filters.no_filter:
        test = h._NODE_OK
        keep = test if keep is None else (lambda n, a=keep, b=test: a(n) and b(n))
        h = h._graph
    if hasattr(h, "_graph"):  # a view of another sort: its own filtered rows
        return g.nx._succ, None
    return h._succ, keep


class _Targets:
    """A node's out-neighbours over edges of one kind, as sorted keys: read
    from the node's own out-edges (a few per node; hubs are never asked)."""

    def __init__(self, g: PartnerGraph):
        self._succ, self._keep = _adjacency(g)

    def __call__(self, nid: str, kind: EdgeKind) -> list[str]:
        wanted, keep = kind.value, self._keep
        return sorted(key_of(v) for v, keyed in self._succ[nid].items() if keep is None or keep(v)
                      for data in keyed.values() if data["kind"] == wanted)


def _edges_of(g: PartnerGraph, kind: EdgeKind) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every edge of ``kind`` as ``(source, target, attributes)``, in the
    graph's own order (sources, then targets, then keys); only the out-edges
    of nodes of the kinds such an edge can start from are looked at."""
    wanted = kind.value
    sources = {k.value for k in EDGE_ENDPOINTS[kind][0]}
    succ, keep = _adjacency(g)
    for u, node_kind in g.nx.nodes(data="kind"):
        if node_kind not in sources:
            continue
        for v, keyed in succ[u].items():
            if keep is not None and not keep(v):
                continue
            for data in keyed.values():
                if data["kind"] == wanted:
                    yield u, v, data


def table_rows(g: PartnerGraph, name: str) -> Iterator[dict[str, Any]]:
    """The rows of one canonical table, made one at a time (a whole-graph
    export at 300k nodes never holds its 3 million rows at once).

    >>> from graph.core.model import PartnerGraph
    >>> g = PartnerGraph(with_laender=False); _ = g.add_node("theme", "wasser", label="Wasser", illustrative=True)
    >>> [r["name_de"] for r in table_rows(g, "themes")]
    ['Wasser']
    """
    return _ROWS[name](g, _Targets(g))


def graph_to_tables(g: PartnerGraph) -> dict[str, list[dict[str, Any]]]:
    """Return ``{table name: rows}`` in the canonical format (tables without rows left out)."""
    tables = {name: list(table_rows(g, name)) for name in TABLE_ORDER}
    return {name: rows for name, rows in tables.items() if rows}


def _themes(g: PartnerGraph, _targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.THEME):
        a = g.node(nid)
        yield {"id": key_of(nid), "name_de": a.get("name_de") or a["label"], "name_en": a.get("name_en", ""), **_prov(a)}


def _programmes(g: PartnerGraph, targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.PROGRAMME):
        a = g.node(nid)
        countries = targets(nid, EdgeKind.IMPLEMENTED_IN)
        yield {"id": key_of(nid), "name": a["label"], "country": countries[0] if countries else "",
               "iati_identifier": a.get("iati_identifier", ""),
               "iati_identifier_unverified": a.get("iati_identifier_unverified", ""), **_prov(a)}


def _institutions(g: PartnerGraph, targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.INSTITUTION):
        a = g.node(nid)
        yield {
            "id": key_of(nid), "name": a["label"], "sector": a.get("sector", ""), "sector_detail": a.get("sector_detail", ""),
            "land": a.get("land", ""), "country": a.get("country", ""), "city": a.get("city", ""),
            "themes": _joined(targets(nid, EdgeKind.WORKS_ON)), "website": a.get("website", ""), **_prov(a),
        }


def _projects(g: PartnerGraph, targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.PROJECT):
        a = g.node(nid)
        programmes = targets(nid, EdgeKind.LINKED_TO)
        yield {
            "id": key_of(nid), "title": a["label"], "countries": _joined(targets(nid, EdgeKind.IMPLEMENTED_IN)),
            "region": a.get("region", ""), "themes": _joined(targets(nid, EdgeKind.ADDRESSES)),
            "start": a.get("start", ""), "end": a.get("end", ""), "phase": a.get("phase", ""),
            "status": "" if a.get("status_derived") else a.get("status", ""),
            "programme": programmes[0] if programmes else "", "description": a.get("description", ""), **_prov(a),
        }


def _participations(g: PartnerGraph, _targets: _Targets) -> Iterator[dict[str, Any]]:
    for u, v, a in _edges_of(g, EdgeKind.PARTICIPATES_IN):
        yield {"project": key_of(v), "institution": key_of(u), "role": a.get("role", ""),
               "inferred": "true" if a.get("inferred") else "", **_prov(a)}


def _cofinancing(g: PartnerGraph, _targets: _Targets) -> Iterator[dict[str, Any]]:
    for u, v, a in _edges_of(g, EdgeKind.COFINANCES):
        yield {"project": key_of(v), "land": key_of(u), "kind": a.get("contribution", ""),
               "amount_eur": a.get("amount_eur", ""), "note": a.get("note", ""),
               "inferred": "true" if a.get("inferred") else "", **_prov(a)}


def _partnerships(g: PartnerGraph, _targets: _Targets) -> Iterator[dict[str, Any]]:
    for u, v, a in _edges_of(g, EdgeKind.PARTNERS_WITH):
        yield {"land": key_of(u), "country": key_of(v), "region": a.get("region", ""),
               "type": a.get("type", ""), "since": a.get("since", ""),
               "since_note": a.get("since_note", ""),
               "agreements": _joined(a.get("agreements", [])), **_prov(a)}


def _contacts(g: PartnerGraph, targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.CONTACT):
        a = g.node(nid)
        inst = targets(nid, EdgeKind.WORKS_AT)
        yield {
            "id": key_of(nid), "name": a["label"], "institution": inst[0] if inst else "", "role": a.get("role", ""),
            "email": a.get("email", ""), "languages": _joined(a.get("languages", [])),
            "themes": _joined(targets(nid, EdgeKind.WORKS_ON)), "consent": "true" if a.get("consent") or a.get("consent_expired") else "false",
            "consent_date": a.get("consent_date", ""), "consent_purposes": _joined(a.get("consent_purposes") or []),
            "consent_source": a.get("consent_source", ""), "consent_expires": a.get("consent_expires", ""), **_prov(a),
        }


def _events(g: PartnerGraph, targets: _Targets) -> Iterator[dict[str, Any]]:
    for nid in g.nodes(NodeKind.EVENT):
        a = g.node(nid)
        countries = targets(nid, EdgeKind.HELD_IN)
        date = a.get("date", "")
        if a.get("end_date"):
            date = f"{date}–{a['end_date']}"
        yield {"id": key_of(nid), "title": a["label"], "kind": a.get("event_kind", ""), "date": date,
               "country": countries[0] if countries else "", "city": a.get("city", ""),
               "themes": _joined(targets(nid, EdgeKind.ABOUT)), **_prov(a)}


def _attendance(g: PartnerGraph, _targets: _Targets) -> Iterator[dict[str, Any]]:
    for u, v, a in _edges_of(g, EdgeKind.ATTENDED):
        yield {"event": key_of(v), "contact": key_of(u), "role": a.get("role", ""), **_prov(a)}


_ROWS: dict[str, Callable[[PartnerGraph, _Targets], Iterator[dict[str, Any]]]] = {
    "themes": _themes, "programmes": _programmes, "institutions": _institutions, "projects": _projects,
    "participations": _participations, "cofinancing": _cofinancing, "partnerships": _partnerships,
    "contacts": _contacts, "events": _events, "attendance": _attendance,
}

#: The canonical tables, in the order they are written.
TABLE_ORDER = tuple(_ROWS)

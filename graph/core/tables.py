"""Turn a partner graph back into the canonical tables (rows as dicts).

Used by ``export --format csv`` and by the Neo4j pull; loading the tables
again gives the same graph (tested as a round trip).
"""

from __future__ import annotations

from typing import Any

from graph.core.kinds import EdgeKind, NodeKind, key_of
from graph.core.model import PartnerGraph

__all__ = ["graph_to_tables"]


def _prov(attrs: dict[str, Any]) -> dict[str, Any]:
    return {"source": attrs.get("source", ""), "illustrative": "true" if attrs.get("illustrative") else ""}


def _joined(values: list[str]) -> str:
    return ";".join(values)


class _Index:
    """Targets and edges of every kind, gathered in one pass over the graph
    (asking each node for its out-edges of one kind costs a scan per call,
    which dominates at a million edges)."""

    def __init__(self, g: PartnerGraph):
        self.targets: dict[tuple[str, str], list[str]] = {}
        self.edges: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        targets, edges = self.targets, self.edges
        for u, nbrs in g.nx._succ.items():
            for v, keyed in nbrs.items():
                for data in keyed.values():
                    kind = data["kind"]
                    targets.setdefault((u, kind), []).append(v)
                    edges.setdefault(kind, []).append((u, v, data))

    def __call__(self, nid: str, kind: EdgeKind) -> list[str]:
        return sorted(key_of(v) for v in self.targets.get((nid, kind.value), ()))

    def of(self, kind: EdgeKind) -> list[tuple[str, str, dict[str, Any]]]:
        return self.edges.get(kind.value, [])


def graph_to_tables(g: PartnerGraph) -> dict[str, list[dict[str, Any]]]:
    """Return ``{table name: rows}`` in the canonical format."""
    _targets_of = _Index(g)

    def _targets(_g: PartnerGraph, nid: str, kind: EdgeKind) -> list[str]:
        return _targets_of(nid, kind)

    t: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "themes", "programmes", "institutions", "projects", "participations", "cofinancing",
        "partnerships", "contacts", "events", "attendance")}
    for nid in g.nodes(NodeKind.THEME):
        a = g.node(nid)
        t["themes"].append({"id": key_of(nid), "name_de": a.get("name_de") or a["label"], "name_en": a.get("name_en", ""), **_prov(a)})
    for nid in g.nodes(NodeKind.PROGRAMME):
        a = g.node(nid)
        countries = _targets(g, nid, EdgeKind.IMPLEMENTED_IN)
        t["programmes"].append({"id": key_of(nid), "name": a["label"], "country": countries[0] if countries else "",
                                "iati_identifier": a.get("iati_identifier", ""),
                                "iati_identifier_unverified": a.get("iati_identifier_unverified", ""), **_prov(a)})
    for nid in g.nodes(NodeKind.INSTITUTION):
        a = g.node(nid)
        t["institutions"].append({
            "id": key_of(nid), "name": a["label"], "sector": a.get("sector", ""), "sector_detail": a.get("sector_detail", ""),
            "land": a.get("land", ""), "country": a.get("country", ""), "city": a.get("city", ""),
            "themes": _joined(_targets(g, nid, EdgeKind.WORKS_ON)), "website": a.get("website", ""), **_prov(a),
        })
    for nid in g.nodes(NodeKind.PROJECT):
        a = g.node(nid)
        programmes = _targets(g, nid, EdgeKind.LINKED_TO)
        t["projects"].append({
            "id": key_of(nid), "title": a["label"], "countries": _joined(_targets(g, nid, EdgeKind.IMPLEMENTED_IN)),
            "region": a.get("region", ""), "themes": _joined(_targets(g, nid, EdgeKind.ADDRESSES)),
            "start": a.get("start", ""), "end": a.get("end", ""), "phase": a.get("phase", ""),
            "status": "" if a.get("status_derived") else a.get("status", ""),
            "programme": programmes[0] if programmes else "", "description": a.get("description", ""), **_prov(a),
        })
    for u, v, a in _targets_of.of(EdgeKind.PARTICIPATES_IN):
        t["participations"].append({"project": key_of(v), "institution": key_of(u), "role": a.get("role", ""),
                                    "inferred": "true" if a.get("inferred") else "", **_prov(a)})
    for u, v, a in _targets_of.of(EdgeKind.COFINANCES):
        t["cofinancing"].append({"project": key_of(v), "land": key_of(u), "kind": a.get("contribution", ""),
                                 "amount_eur": a.get("amount_eur", ""), "note": a.get("note", ""),
                                 "inferred": "true" if a.get("inferred") else "", **_prov(a)})
    for u, v, a in _targets_of.of(EdgeKind.PARTNERS_WITH):
        t["partnerships"].append({"land": key_of(u), "country": key_of(v), "region": a.get("region", ""),
                                  "type": a.get("type", ""), "since": a.get("since", ""),
                                  "since_note": a.get("since_note", ""),
                                  "agreements": _joined(a.get("agreements", [])), **_prov(a)})
    for nid in g.nodes(NodeKind.CONTACT):
        a = g.node(nid)
        inst = _targets(g, nid, EdgeKind.WORKS_AT)
        t["contacts"].append({
            "id": key_of(nid), "name": a["label"], "institution": inst[0] if inst else "", "role": a.get("role", ""),
            "email": a.get("email", ""), "languages": _joined(a.get("languages", [])),
            "themes": _joined(_targets(g, nid, EdgeKind.WORKS_ON)), "consent": "true" if a.get("consent") or a.get("consent_expired") else "false",
            "consent_date": a.get("consent_date", ""), "consent_purposes": _joined(a.get("consent_purposes") or []),
            "consent_source": a.get("consent_source", ""), "consent_expires": a.get("consent_expires", ""), **_prov(a),
        })
    for nid in g.nodes(NodeKind.EVENT):
        a = g.node(nid)
        countries = _targets(g, nid, EdgeKind.HELD_IN)
        date = a.get("date", "")
        if a.get("end_date"):
            date = f"{date}–{a['end_date']}"
        t["events"].append({"id": key_of(nid), "title": a["label"], "kind": a.get("event_kind", ""), "date": date,
                            "country": countries[0] if countries else "", "city": a.get("city", ""),
                            "themes": _joined(_targets(g, nid, EdgeKind.ABOUT)), **_prov(a)})
    for u, v, a in _targets_of.of(EdgeKind.ATTENDED):
        t["attendance"].append({"event": key_of(v), "contact": key_of(u), "role": a.get("role", ""), **_prov(a)})
    return {name: rows for name, rows in t.items() if rows}

"""What candidates are ranked for: a project, a partner country (with
optional themes) or an institution, with its themes, countries, current
participants and the Länder already involved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, kind_of, node_id
from graph.core.model import PartnerGraph

from graph.analysis.matchmaking.index import match_index

__all__ = ["Target", "project_target", "country_target", "institution_target", "resolve_target", "HOME_COUNTRY"]

HOME_COUNTRY = "DEU"  #: the programme's home country


@dataclass(frozen=True)
class Target:
    """What candidates are ranked for.

    ``participants`` seed network proximity and sector complementarity;
    ``exclude`` are never suggested; ``laender`` are the Länder already involved.
    """

    kind: str  # "project" | "country" | "institution"
    node: str | None
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    participants: tuple[str, ...] = ()
    exclude: frozenset[str] = frozenset()
    laender: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "node": self.node, "countries": list(self.countries), "themes": list(self.themes),
                "participants": list(self.participants), "laender": list(self.laender)}



def _require(graph: PartnerGraph, nid: str, kind: NodeKind) -> str:
    if nid not in graph:
        candidate = node_id(kind, nid)
        if candidate in graph:
            nid = candidate
    graph.node(nid)  # raises NodeNotFound
    if kind_of(nid) != kind:
        raise PartnernetzError(f"{nid} is not a {kind.value}")
    return nid


def project_target(graph: PartnerGraph, project: str) -> Target:
    """Target a project (id ``project:BLP-01`` or key ``BLP-01``)."""
    pid = _require(graph, project, NodeKind.PROJECT)
    countries = tuple(sorted(v for v, _ in graph.out_edges(pid, EdgeKind.IMPLEMENTED_IN)))
    themes = tuple(sorted(v for v, _ in graph.out_edges(pid, EdgeKind.ADDRESSES)))
    participants = tuple(sorted({u for u, _ in graph.in_edges(pid, EdgeKind.PARTICIPATES_IN)}))
    laender = {u for u, _ in graph.in_edges(pid, EdgeKind.COFINANCES)}
    for inst in participants:  # a Land whose institution takes part is involved too
        land = graph.node(inst).get("land")
        if land:
            laender.add(node_id(NodeKind.LAND, land))
    return Target("project", pid, countries, themes, participants, frozenset(participants), tuple(sorted(laender)))


def _theme_ids(graph: PartnerGraph, themes: Iterable[str]) -> tuple[str, ...]:
    out = []
    for t in themes:
        out.append(_require(graph, t, NodeKind.THEME))
    return tuple(sorted(set(out)))


def country_target(graph: PartnerGraph, country: str, themes: Iterable[str] = ()) -> Target:
    """Target a partner country (``ETH`` or ``country:ETH``) and optional themes.

    Institutions already in a project in that country (on one of the themes,
    when themes are given) are the current actors: they seed network
    proximity and are not suggested.
    """
    cid = country if country.startswith("country:") else node_id(NodeKind.COUNTRY, country.upper())
    if cid not in graph:
        raise NodeNotFound(cid)
    theme_ids = _theme_ids(graph, themes)
    actors: set[str] = set()
    laender: set[str] = set()
    for pid, _ in graph.in_edges(cid, EdgeKind.IMPLEMENTED_IN):
        if kind_of(pid) != NodeKind.PROJECT:
            continue
        if theme_ids and not {v for v, _ in graph.out_edges(pid, EdgeKind.ADDRESSES)} & set(theme_ids):
            continue
        members = [u for u, _ in graph.in_edges(pid, EdgeKind.PARTICIPATES_IN)]
        actors.update(members)
        laender.update(u for u, _ in graph.in_edges(pid, EdgeKind.COFINANCES))
        laender.update(node_id(NodeKind.LAND, graph.node(m)["land"]) for m in members if graph.node(m).get("land"))
    return Target("country", cid, (cid,), theme_ids, tuple(sorted(actors)), frozenset(actors), tuple(sorted(laender)))


def institution_target(graph: PartnerGraph, institution: str) -> Target:
    """Target an institution: who should meet it (shared themes, countries, projects).

    Its countries are those of its projects and, for institutions outside
    Germany, its seat (a German seat says nothing about partner countries).
    """
    iid = _require(graph, institution, NodeKind.INSTITUTION)
    idx = match_index(graph)
    i = idx.inst_pos[iid]
    themes = tuple(sorted(idx.themes[t] for t in idx.row(idx.AT, i)))
    home = node_id(NodeKind.COUNTRY, HOME_COUNTRY)
    via_projects = {idx.countries[c] for q in idx.row(idx.P, i) for c in idx.row(idx.PC, q)}
    seat = {idx.countries[c] for c in idx.row(idx.L, i)} - {home}
    countries = tuple(sorted(via_projects | seat))
    land = graph.node(iid).get("land")
    laender = (node_id(NodeKind.LAND, land),) if land else ()
    return Target("institution", iid, countries, themes, (iid,), frozenset({iid}), laender)


def resolve_target(graph: PartnerGraph, nid: str, themes: Iterable[str] = ()) -> Target:
    """The target for a node id of kind project, country or institution."""
    kind = kind_of(nid)
    if kind == NodeKind.PROJECT:
        return project_target(graph, nid)
    if kind == NodeKind.COUNTRY:
        return country_target(graph, nid, themes)
    if kind == NodeKind.INSTITUTION:
        return institution_target(graph, nid)
    raise PartnernetzError(f"cannot match for a {kind.value}: {nid}")

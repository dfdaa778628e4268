"""Open opportunities ("Offene Gelegenheiten"): gaps in the network worth acting on.

Three kinds, each with German and English text and the nodes it rests on:

``missing_sector``
    a running project without a science, civil-society or business partner;
``idle_partnership``
    a Land–country partnership with no running project of that Land in the
    country (co-financed by the Land or with one of its institutions);
``theme_gap``
    a theme on which a Land has expertise (its institutions work on it or it
    co-finances projects on it) but no project in a partner country it works with.

A project is *running* when its status is ``active`` or ``planned``, or when
it is ``unknown`` and has no end year before the latest year in the data.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> src = dict(source="https://example.org")
>>> g.add_edge("land:DE-HE", g.add_country("ETH"), "partners_with", since=2019, **src)
>>> [o.text("de") for o in idle_partnerships(g)]
['Hessen kooperiert seit 2019 mit Äthiopien, aber kein laufendes Projekt des Landes dort']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from graph.core.kinds import EdgeKind, NodeKind, kind_of, node_id
from graph.core.labels import SECTOR, label
from graph.core.model import PartnerGraph

__all__ = ["Opportunity", "is_running", "missing_sectors", "idle_partnerships", "theme_gaps", "opportunities",
           "OPPORTUNITY_KINDS"]

OPPORTUNITY_KINDS = ("missing_sector", "idle_partnership", "theme_gap")



@dataclass(frozen=True)
class Opportunity:
    kind: str
    text_de: str
    text_en: str
    nodes: tuple[str, ...]
    weight: float = 1.0  # higher first

    def text(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" else self.text_de

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "de": self.text_de, "en": self.text_en, "nodes": list(self.nodes),
                "weight": self.weight}


def _latest_year(graph: PartnerGraph) -> int:
    years = [y for p in graph.nodes(NodeKind.PROJECT) for y in (graph.node(p).get("start_year"), graph.node(p).get("end_year")) if y]
    return max(years) if years else 0


def is_running(attrs: dict[str, Any], latest_year: int) -> bool:
    """Whether a project (its attributes) counts as running."""
    status = attrs.get("status")
    if status in ("active", "planned"):
        return True
    if status == "completed":
        return False
    end = attrs.get("end_year")
    return end is None or end >= latest_year


def missing_sectors(graph: PartnerGraph) -> list[Opportunity]:
    """Running projects with participants but no science, civil-society or business partner."""
    latest = _latest_year(graph)
    out = []
    for pid in graph.nodes(NodeKind.PROJECT):
        attrs = graph.node(pid)
        if not is_running(attrs, latest):
            continue
        members = [u for u, _ in graph.in_edges(pid, EdgeKind.PARTICIPATES_IN)]
        if not members:
            continue
        present = {graph.node(m).get("sector") for m in members}
        lacking = [s for s in ("science", "civil_society", "business") if s not in present]
        if not lacking:
            continue
        de = ", ".join(label(SECTOR, s, "de", inline=True) for s in lacking)
        en = ", ".join(label(SECTOR, s, "en", inline=True) for s in lacking)
        out.append(Opportunity("missing_sector", f"{graph.label(pid, 'de')}: es fehlt {de}",
                               f"{graph.label(pid, 'en')}: no {en} partner", (pid,), float(len(lacking))))
    return sorted(out, key=lambda o: (-o.weight, o.nodes))


def _land_projects(graph: PartnerGraph) -> dict[str, set[str]]:
    """Land id → projects it co-finances or one of its institutions takes part in."""
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, _ in graph.edges(EdgeKind.COFINANCES):
        out[u].add(v)
    for u, v, _ in graph.edges(EdgeKind.PARTICIPATES_IN):
        land = graph.node(u).get("land")
        if land:
            out[node_id(NodeKind.LAND, land)].add(v)
    return out


def _project_countries(graph: PartnerGraph, pid: str) -> set[str]:
    return {v for v, _ in graph.out_edges(pid, EdgeKind.IMPLEMENTED_IN)}


def _since(d: dict[str, Any]) -> tuple[str, str]:
    if d.get("since"):
        return f" seit {d['since']}", f" since {d['since']}"
    return "", ""


def idle_partnerships(graph: PartnerGraph) -> list[Opportunity]:
    """Land–country partnerships without a running project of the Land in the country."""
    latest = _latest_year(graph)
    land_projects = _land_projects(graph)
    out = []
    for land, country, d in graph.edges(EdgeKind.PARTNERS_WITH):
        running = [p for p in land_projects.get(land, ()) if country in _project_countries(graph, p)
                   and is_running(graph.node(p), latest)]
        if running:
            continue
        since_de, since_en = _since(d)
        verb_en = "has partnered" if since_en else "partners"
        out.append(Opportunity(
            "idle_partnership",
            f"{graph.label(land, 'de')} kooperiert{since_de} mit {graph.label(country, 'de')}, aber kein laufendes Projekt des Landes dort",
            f"{graph.label(land, 'en')} {verb_en} with {graph.label(country, 'en')}{since_en}, but has no running project there",
            (land, country), float(latest - d["since"]) if d.get("since") else 0.0))
    return sorted(out, key=lambda o: (-o.weight, o.nodes))


def theme_gaps(graph: PartnerGraph, *, per_partnership: int = 3) -> list[Opportunity]:
    """Themes a Land has expertise in but no project on in a partner country it works with.

    At most ``per_partnership`` themes (the best-backed) per Land–country pair.
    """
    expertise: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for inst in graph.nodes(NodeKind.INSTITUTION):
        land = graph.node(inst).get("land")
        if not land:
            continue
        for theme, _ in graph.out_edges(inst, EdgeKind.WORKS_ON):
            expertise[node_id(NodeKind.LAND, land)][theme].append(inst)
    for land, pid, _ in graph.edges(EdgeKind.COFINANCES):
        for theme, _ in graph.out_edges(pid, EdgeKind.ADDRESSES):
            expertise[land][theme].append(pid)
    land_projects = _land_projects(graph)
    out = []
    for land, country, _d in graph.edges(EdgeKind.PARTNERS_WITH):
        covered: set[str] = set()
        for p in land_projects.get(land, ()):
            if country in _project_countries(graph, p):
                covered.update(v for v, _ in graph.out_edges(p, EdgeKind.ADDRESSES))
        gaps = sorted(((t, ev) for t, ev in expertise.get(land, {}).items() if t not in covered),
                      key=lambda x: (-len(set(x[1])), x[0]))[:per_partnership]
        for theme, ev in gaps:
            backing = sorted(set(ev), key=lambda n: (kind_of(n) != NodeKind.PROJECT, n))
            n = len(backing)
            out.append(Opportunity(
                "theme_gap",
                f"{graph.label(land, 'de')} hat Expertise zu „{graph.label(theme, 'de')}“ ({n} "
                f"{'Beleg' if n == 1 else 'Belege'}), aber kein Projekt dazu in {graph.label(country, 'de')}",
                f"{graph.label(land, 'en')} has expertise in “{graph.label(theme, 'en')}” ({n} "
                f"item{'s' if n != 1 else ''}) but no project on it in {graph.label(country, 'en')}",
                (land, country, theme, *backing[:5]), float(n)))
    return sorted(out, key=lambda o: (-o.weight, o.nodes))


def opportunities(graph: PartnerGraph) -> list[Opportunity]:
    """All open opportunities, grouped by kind in :data:`OPPORTUNITY_KINDS` order."""
    return missing_sectors(graph) + idle_partnerships(graph) + theme_gaps(graph)

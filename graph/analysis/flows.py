"""Co-financing flows Land → project → partner country, for a Sankey diagram.

Each co-financing contribution (``cofinances`` edge) is one flow from a Land
to a project. Its *value* is the number of contributions (``measure="count"``,
default: most contributions have no amount) or the amount in euro
(``measure="amount_eur"``, contributions without an amount then drop out).
From the project the value flows on to its partner countries, split equally
between them, so that what enters a project leaves it.

Filters: ``kinds`` (``money``, ``staff``, ``rooms``, ``scholarships``,
``training_places``, ``other``) and ``years`` — a project passes when its
years (``start_year``..``end_year``, open end = start year) overlap the range;
projects without a year pass only when no year filter is given.

>>> from graph.core.model import PartnerGraph
>>> cofinancing_flows(PartnerGraph()).links
[]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from graph.core.errors import PartnernetzError
from graph.core.kinds import CofinanceKind
from graph.analysis.matrices import ProjectIndex, project_index
from graph.core.model import PartnerGraph
from graph.analysis.periods import project_years

__all__ = ["Flow", "Flows", "FLOW_MEASURES", "cofinancing_flows"]

FLOW_MEASURES = ("count", "amount_eur")


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    value: float
    kind: str  # contribution kind of the Land → project flow ("" for project → country)


@dataclass(frozen=True)
class Flows:
    nodes: tuple[str, ...]
    links: list[Flow]

    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.nodes)}


def cofinancing_flows(g: PartnerGraph, *, kinds: Iterable[str] | None = None,
                      years: tuple[int, int] | None = None, measure: str = "count",
                      index: ProjectIndex | None = None) -> Flows:
    """Flows Land → project → country (see module docstring).

    Nodes are ordered Länder, projects, countries (each sorted by id).
    """
    if measure not in FLOW_MEASURES:
        raise PartnernetzError(f"unknown flow measure {measure!r} (choose {', '.join(FLOW_MEASURES)})")
    wanted = None if kinds is None else {CofinanceKind(k).value for k in kinds}
    ix = index or project_index(g)
    into: dict[tuple[str, str, str], float] = defaultdict(float)
    for land, project, d in ix.cofinancing:
        kind = d.get("contribution") or CofinanceKind.OTHER.value
        if wanted is not None and kind not in wanted:
            continue
        if years is not None:
            span = project_years(g, project)
            if span is None or span[0] > years[1] or span[1] < years[0]:
                continue
        value = 1.0 if measure == "count" else float(d.get("amount_eur") or 0)
        if value > 0:
            into[(land, project, kind)] += value
    per_project: dict[str, float] = defaultdict(float)
    for (_, project, _), v in into.items():
        per_project[project] += v
    out_links: dict[tuple[str, str], float] = defaultdict(float)
    for project, v in per_project.items():
        countries = sorted(ix.countries.get(project, ()))
        for c in countries:
            out_links[(project, c)] += v / len(countries)
    links = [Flow(l, p, v, k) for (l, p, k), v in sorted(into.items())]
    links += [Flow(p, c, v, "") for (p, c), v in sorted(out_links.items())]
    laender = sorted({l.source for l in links if l.source.startswith("land:")})
    projects = sorted(per_project)
    countries = sorted({l.target for l in links if l.target.startswith("country:")})
    return Flows(tuple(laender + projects + countries), links)

"""Change over time: projects per year and phase, and what changed between
two periods (new, ended and continuing ties; Länder gaining or losing
partner countries).

Programme phases: pilot 2015–2019, II 2019–2023, III 2023–2027 (the phase
years overlap at their boundaries, as the programme's own dates do).

One phase rule for every chart (:func:`phase_of`): a project's phase is its
``phase`` attribute; without one, the phase its start year falls in (a start
in a boundary year belongs to the phase starting then: 2019 → II, 2023 → III).
A project belongs to a phase period when that is its phase — so the timeline's
colours and the period comparison count the same projects. A period given by
years (``2018-2020``) holds the projects whose years ``start_year``..``end_year``
(an open end counts as the start year only) overlap it. Projects without any
year or phase belong to no period.

Ties compared between periods:

* ``land_country`` — a Land is involved (co-financing or an institution) in a
  project in a partner country;
* ``institution_institution`` — two institutions share a project;
* ``institution_country`` — an institution takes part in a project in a country.

>>> PHASES["II"].years
(2019, 2023)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from graph.core.errors import PartnernetzError
from graph.core.kinds import NodeKind
from graph.analysis.matrices import ProjectIndex, project_index
from graph.core.model import PartnerGraph

__all__ = [
    "Period",
    "PHASES",
    "TIE_KINDS",
    "TieChange",
    "PeriodComparison",
    "period_from_key",
    "project_years",
    "phase_of",
    "projects_in_period",
    "timeline",
    "ties",
    "compare_periods",
]

TIE_KINDS = ("land_country", "institution_institution", "institution_country")


@dataclass(frozen=True)
class Period:
    """A named span of years, optionally a programme phase."""

    key: str
    start: int
    end: int
    phase: str | None = None

    @property
    def years(self) -> tuple[int, int]:
        return (self.start, self.end)


PHASES: dict[str, Period] = {
    "pilot": Period("pilot", 2015, 2019, "pilot"),
    "II": Period("II", 2019, 2023, "II"),
    "III": Period("III", 2023, 2027, "III"),
}


def period_from_key(key: str) -> Period:
    """``pilot``/``II``/``III`` or ``YYYY-YYYY`` → :class:`Period`.

    >>> period_from_key("2018-2020")
    Period(key='2018-2020', start=2018, end=2020, phase=None)
    """
    if key in PHASES:
        return PHASES[key]
    a, sep, b = key.partition("-")
    if sep and a.isdigit() and b.isdigit() and int(a) <= int(b):
        return Period(key, int(a), int(b))
    raise PartnernetzError(f"not a period: {key!r} (use pilot, II, III or YYYY-YYYY)")


def project_years(g: PartnerGraph, project: str) -> tuple[int, int] | None:
    """``(first, last)`` year of a project, or None without a start year."""
    a = g.nx.nodes[project]
    start = a.get("start_year")
    if start is None:
        return None
    end = a.get("end_year")
    return (int(start), int(end) if end is not None and int(end) >= int(start) else int(start))


def phase_of(g: PartnerGraph, project: str) -> str | None:
    """The programme phase of ``project`` (see module docstring), None when
    it has neither a phase nor a start year within a phase.

    >>> g = PartnerGraph()
    >>> _ = g.add_node("project", "A", label="A", start_year=2022, source="t")
    >>> _ = g.add_node("project", "B", label="B", start_year=2019, phase="pilot", source="t")
    >>> phase_of(g, "project:A"), phase_of(g, "project:B")
    ('II', 'pilot')
    """
    a = g.nx.nodes[project]
    if a.get("phase"):
        return str(a["phase"])
    start = a.get("start_year")
    if start is None:
        return None
    found = [k for k, ph in PHASES.items() if ph.start <= int(start) <= ph.end]
    return max(found, key=lambda k: PHASES[k].start) if found else None


def projects_in_period(g: PartnerGraph, period: Period) -> set[str]:
    """Projects that belong to ``period`` (see module docstring)."""
    out = set()
    for p in g.nodes(NodeKind.PROJECT):
        if period.phase:
            if phase_of(g, p) == period.phase:
                out.add(p)
            continue
        years = project_years(g, p)
        if years and years[0] <= period.end and years[1] >= period.start:
            out.add(p)
    return out


def timeline(g: PartnerGraph) -> list[dict[str, object]]:
    """Projects started per year and phase: rows ``{year, phase, projects}``.

    ``phase`` is :func:`phase_of` (the rule of the period comparison) or
    ``"unknown"``; projects without a start year are counted under ``year=None``.
    """
    counts: Counter = Counter()
    for p in g.nodes(NodeKind.PROJECT):
        counts[(g.nx.nodes[p].get("start_year"), phase_of(g, p) or "unknown")] += 1
    order = {k: i for i, k in enumerate([*PHASES, "unknown"])}
    return [{"year": y, "phase": ph, "projects": n}
            for (y, ph), n in sorted(counts.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0, order.get(kv[0][1], 9)))]


def ties(g: PartnerGraph, projects: set[str], kind: str, *, index: ProjectIndex | None = None) -> set[tuple[str, str]]:
    """The ties of ``kind`` created by ``projects`` (pairs of node ids)."""
    if kind not in TIE_KINDS:
        raise PartnernetzError(f"unknown tie kind {kind!r} (choose {', '.join(TIE_KINDS)})")
    ix = index or project_index(g)
    out: set[tuple[str, str]] = set()
    for p in projects:
        if kind == "land_country":
            out.update((land, c) for land in ix.laender[p] for c in ix.countries[p])
        elif kind == "institution_institution":
            out.update(combinations(ix.institutions[p], 2))
        else:
            out.update((i, c) for i in ix.institutions[p] for c in ix.countries[p])
    return out


@dataclass(frozen=True)
class TieChange:
    new: frozenset[tuple[str, str]]
    ended: frozenset[tuple[str, str]]
    continuing: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class PeriodComparison:
    before: Period
    after: Period
    projects_before: frozenset[str]
    projects_after: frozenset[str]
    changes: dict[str, TieChange]
    #: Land id → (partner countries gained, partner countries lost), only Länder with a change
    laender: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]

    def summary(self) -> dict[str, dict[str, int]]:
        """``{tie kind: {new, ended, continuing}}`` counts."""
        return {k: {"new": len(c.new), "ended": len(c.ended), "continuing": len(c.continuing)}
                for k, c in self.changes.items()}


def compare_periods(g: PartnerGraph, before: Period | str, after: Period | str, *,
                    index: ProjectIndex | None = None) -> PeriodComparison:
    """What changed from ``before`` to ``after``.

    >>> from graph.core.model import PartnerGraph
    >>> compare_periods(PartnerGraph(), "pilot", "II").summary()["land_country"]
    {'new': 0, 'ended': 0, 'continuing': 0}
    """
    a = before if isinstance(before, Period) else period_from_key(before)
    b = after if isinstance(after, Period) else period_from_key(after)
    ix = index or project_index(g)
    pa, pb = projects_in_period(g, a), projects_in_period(g, b)
    changes = {}
    for kind in TIE_KINDS:
        ta, tb = ties(g, pa, kind, index=ix), ties(g, pb, kind, index=ix)
        changes[kind] = TieChange(frozenset(tb - ta), frozenset(ta - tb), frozenset(ta & tb))
    per_land_a: dict[str, set[str]] = defaultdict(set)
    per_land_b: dict[str, set[str]] = defaultdict(set)
    for land, c in changes["land_country"].ended | changes["land_country"].continuing:
        per_land_a[land].add(c)
    for land, c in changes["land_country"].new | changes["land_country"].continuing:
        per_land_b[land].add(c)
    laender = {}
    for land in sorted(set(per_land_a) | set(per_land_b)):
        gained = tuple(sorted(per_land_b[land] - per_land_a[land]))
        lost = tuple(sorted(per_land_a[land] - per_land_b[land]))
        if gained or lost:
            laender[land] = (gained, lost)
    return PeriodComparison(a, b, frozenset(pa), frozenset(pb), changes, laender)

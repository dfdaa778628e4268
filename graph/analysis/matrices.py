"""Coverage matrices: where the Länder are active, on which themes, and the
white spots where a reason for German involvement exists but none is there.

A Land *is involved in* a project when it co-finances it or an institution
located in it takes part. From that:

* :func:`land_country_matrix` — Land × partner country, measured as
  ``projects`` (distinct projects), ``institutions`` (distinct institutions of
  the Land in projects there), ``cofinancing`` (co-financing contributions of
  the Land to projects there), ``amount_eur`` (their summed amounts, where
  given) or ``partnerships`` (partnership links Land → country);
* :func:`theme_land_matrix` — theme × Land, distinct projects;
* :func:`white_spots` — partner country × theme cells with a *reason* (a TZ
  programme in the country linked to a project on the theme, a BLP project
  there on the theme, or a Land partnership with the country whose Land works
  on the theme) but **no German institution** in a project in that country on
  that theme.

Germany itself (``country:DEU``) is never a partner-country column.

>>> from graph.core.model import PartnerGraph
>>> m = land_country_matrix(PartnerGraph())
>>> len(m.rows), len(m.cols)
(16, 0)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from graph.core.errors import PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, node_id
from graph.core.model import PartnerGraph
from graph.core.text import fold

__all__ = [
    "Matrix",
    "WhiteSpotCell",
    "WhiteSpotGrid",
    "LAND_COUNTRY_MEASURES",
    "project_laender",
    "project_countries",
    "is_german_institution",
    "ProjectIndex",
    "project_index",
    "land_country_matrix",
    "theme_land_matrix",
    "white_spots",
]

LAND_COUNTRY_MEASURES = ("projects", "institutions", "cofinancing", "amount_eur", "partnerships")
GERMANY = node_id(NodeKind.COUNTRY, "DEU")


@dataclass(frozen=True)
class Matrix:
    """A labelled matrix of numbers; missing cells are 0.

    ``rows`` and ``cols`` are node ids; ``values[(row, col)]`` the number.
    """

    rows: tuple[str, ...]
    cols: tuple[str, ...]
    values: dict[tuple[str, str], float]
    measure: str

    def get(self, row: str, col: str) -> float:
        return self.values.get((row, col), 0)

    def z(self) -> list[list[float]]:
        """Row-major values (one list per row), for a heatmap."""
        return [[self.get(r, c) for c in self.cols] for r in self.rows]

    def records(self) -> list[dict[str, object]]:
        """Long format ``{row, col, value}`` for every non-zero cell."""
        return [{"row": r, "col": c, "value": self.get(r, c)}
                for r in self.rows for c in self.cols if self.get(r, c)]

    def total(self) -> float:
        return sum(self.values.values())


@dataclass(frozen=True)
class WhiteSpotCell:
    country: str
    theme: str
    german_institutions: int
    reasons: tuple[str, ...]  # "programme:<id>", "project:<id>", "partnership:<land id>"

    @property
    def is_white_spot(self) -> bool:
        return bool(self.reasons) and self.german_institutions == 0


@dataclass(frozen=True)
class WhiteSpotGrid:
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    cells: dict[tuple[str, str], WhiteSpotCell] = field(default_factory=dict)

    def cell(self, country: str, theme: str) -> WhiteSpotCell:
        return self.cells.get((country, theme)) or WhiteSpotCell(country, theme, 0, ())

    def spots(self) -> list[WhiteSpotCell]:
        """Every white spot, by country then theme."""
        return [c for c in (self.cell(k, t) for k in self.countries for t in self.themes) if c.is_white_spot]


# --------------------------------------------------------------------------- building blocks
def _targets(g: PartnerGraph, nid: str, kind: EdgeKind) -> list[str]:
    return [v for _, v, d in g.nx.out_edges(nid, data=True) if d.get("kind") == kind.value]


def _sources(g: PartnerGraph, nid: str, kind: EdgeKind) -> list[str]:
    return [u for u, _, d in g.nx.in_edges(nid, data=True) if d.get("kind") == kind.value]


def is_german_institution(g: PartnerGraph, nid: str) -> bool:
    """Located in a Land or in Germany."""
    a = g.nx.nodes[nid]
    return bool(a.get("land")) or a.get("country") == "DEU"


def project_countries(g: PartnerGraph, project: str) -> set[str]:
    """Partner countries (ids) a project is implemented in, Germany excluded."""
    return {c for c in _targets(g, project, EdgeKind.IMPLEMENTED_IN) if c != GERMANY}


def project_laender(g: PartnerGraph, project: str) -> set[str]:
    """Länder (ids) involved in a project: co-financing or a participating institution there."""
    laender = set(_sources(g, project, EdgeKind.COFINANCES))
    for inst in _sources(g, project, EdgeKind.PARTICIPATES_IN):
        land = g.nx.nodes[inst].get("land")
        if land:
            laender.add(node_id(NodeKind.LAND, land))
    return laender


@dataclass
class ProjectIndex:
    """Everything the matrices, periods and flows need per project, built in
    one pass over the edges (:func:`project_index`); build it once per dataset
    and pass it as ``index=`` to avoid walking the graph again."""

    projects: tuple[str, ...]
    countries: dict[str, frozenset[str]]
    laender: dict[str, frozenset[str]]
    institutions: dict[str, tuple[str, ...]]
    themes: dict[str, tuple[str, ...]]
    programmes: dict[str, tuple[str, ...]]
    cofinancing: list[tuple[str, str, dict]]
    partnerships: list[tuple[str, str]]
    programme_countries: dict[str, frozenset[str]]
    institution_land: dict[str, str]
    german: frozenset[str]
    land_themes: dict[str, frozenset[str]]


def project_index(g: PartnerGraph) -> ProjectIndex:
    """Index the projects of ``g`` (one pass over all edges).

    >>> project_index(PartnerGraph()).projects
    ()
    """
    nodes = g.nx.nodes
    projects = tuple(sorted(g.nodes(NodeKind.PROJECT)))
    countries: dict[str, set] = defaultdict(set)
    insts: dict[str, set] = defaultdict(set)
    themes: dict[str, list] = defaultdict(list)
    programmes: dict[str, list] = defaultdict(list)
    prog_countries: dict[str, set] = defaultdict(set)
    cofinancing: list[tuple[str, str, dict]] = []
    partnerships: list[tuple[str, str]] = []
    inst_themes: dict[str, set] = defaultdict(set)
    P, I, C, A, L, W, PW, PRG = (EdgeKind.PARTICIPATES_IN.value, EdgeKind.IMPLEMENTED_IN.value, EdgeKind.COFINANCES.value,
                                 EdgeKind.ADDRESSES.value, EdgeKind.LINKED_TO.value, EdgeKind.WORKS_ON.value,
                                 EdgeKind.PARTNERS_WITH.value, "programme:")
    for u, v, d in g.nx.edges(data=True):
        kind = d.get("kind")
        if kind == P:
            insts[v].add(u)
        elif kind == I:
            if u.startswith(PRG):
                prog_countries[u].add(v)
            elif v != GERMANY:
                countries[u].add(v)
        elif kind == C:
            cofinancing.append((u, v, d))
        elif kind == A:
            themes[u].append(v)
        elif kind == L:
            programmes[u].append(v)
        elif kind == PW:
            if v != GERMANY:
                partnerships.append((u, v))
        elif kind == W and u.startswith("institution:"):
            inst_themes[u].add(v)
    institution_land: dict[str, str] = {}
    german = set()
    for inst in g.nodes(NodeKind.INSTITUTION):
        a = nodes[inst]
        if a.get("land"):
            institution_land[inst] = node_id(NodeKind.LAND, a["land"])
        if a.get("land") or a.get("country") == "DEU":
            german.add(inst)
    laender: dict[str, set] = defaultdict(set)
    land_themes: dict[str, set] = defaultdict(set)
    for land, project, _ in cofinancing:
        laender[project].add(land)
        land_themes[land].update(themes.get(project, ()))
    for project, members in insts.items():
        for inst in members:
            if inst in institution_land:
                laender[project].add(institution_land[inst])
    for inst, ths in inst_themes.items():
        if inst in institution_land:
            land_themes[institution_land[inst]].update(ths)
    return ProjectIndex(
        projects=projects,
        countries={p: frozenset(countries.get(p, ())) for p in projects},
        laender={p: frozenset(laender.get(p, ())) for p in projects},
        institutions={p: tuple(sorted(insts.get(p, ()))) for p in projects},
        themes={p: tuple(themes.get(p, ())) for p in projects},
        programmes={p: tuple(programmes.get(p, ())) for p in projects},
        cofinancing=cofinancing,
        partnerships=partnerships,
        programme_countries={k: frozenset(v) for k, v in prog_countries.items()},
        institution_land=institution_land,
        german=frozenset(german),
        land_themes={k: frozenset(v) for k, v in land_themes.items()},
    )


def _land_rows(g: PartnerGraph) -> tuple[str, ...]:
    return tuple(sorted(g.nodes(NodeKind.LAND), key=lambda n: (fold(g.label(n)), n)))


def _country_cols(g: PartnerGraph, ix: ProjectIndex) -> tuple[str, ...]:
    cols: set[str] = set()
    for cs in ix.countries.values():
        cols |= cs
    cols |= {c for _, c in ix.partnerships}
    return tuple(sorted(cols, key=lambda n: (fold(g.label(n)), n)))


# --------------------------------------------------------------------------- matrices
def land_country_matrix(g: PartnerGraph, *, measure: str = "projects", index: ProjectIndex | None = None) -> Matrix:
    """Land × partner-country matrix of ``measure`` (see module docstring).

    Rows are all Länder, columns every partner country with a project or a
    Land partnership, both sorted by German name.

    >>> land_country_matrix(PartnerGraph(), measure="nonsense")
    Traceback (most recent call last):
    ...
    graph.core.errors.PartnernetzError: unknown measure 'nonsense' (choose projects, institutions, cofinancing, amount_eur, partnerships)
    """
    if measure not in LAND_COUNTRY_MEASURES:
        raise PartnernetzError(f"unknown measure {measure!r} (choose {', '.join(LAND_COUNTRY_MEASURES)})")
    ix = index or project_index(g)
    cells: dict[tuple[str, str], set | float] = defaultdict(set) if measure in ("projects", "institutions") else defaultdict(float)
    if measure == "partnerships":
        for land, country in ix.partnerships:
            cells[(land, country)] += 1
    elif measure in ("cofinancing", "amount_eur"):
        for land, project, d in ix.cofinancing:
            for c in ix.countries.get(project, ()):
                cells[(land, c)] += 1 if measure == "cofinancing" else float(d.get("amount_eur") or 0)
    else:
        for project in ix.projects:
            countries = ix.countries[project]
            if not countries:
                continue
            if measure == "projects":
                for land in ix.laender[project]:
                    for c in countries:
                        cells[(land, c)].add(project)
            else:
                for inst in ix.institutions[project]:
                    land = ix.institution_land.get(inst)
                    if land:
                        for c in countries:
                            cells[(land, c)].add(inst)
    values = {k: (len(v) if isinstance(v, set) else v) for k, v in cells.items() if v}
    return Matrix(_land_rows(g), _country_cols(g, ix), values, measure)


def theme_land_matrix(g: PartnerGraph, *, index: ProjectIndex | None = None) -> Matrix:
    """Theme × Land: distinct projects on the theme the Land is involved in.

    Rows are all themes (sorted by German name), columns all Länder.
    """
    ix = index or project_index(g)
    cells: dict[tuple[str, str], set] = defaultdict(set)
    for project in ix.projects:
        for theme in ix.themes[project]:
            for land in ix.laender[project]:
                cells[(theme, land)].add(project)
    rows = tuple(sorted(g.nodes(NodeKind.THEME), key=lambda n: (fold(g.label(n)), n)))
    return Matrix(rows, _land_rows(g), {k: len(v) for k, v in cells.items()}, "projects")


def white_spots(g: PartnerGraph, *, themes: Iterable[str] | None = None, index: ProjectIndex | None = None) -> WhiteSpotGrid:
    """Partner country × theme grid with reasons and German coverage.

    A cell's *reasons*: ``programme:<id>`` (a TZ programme implemented in the
    country is linked to a project on the theme), ``project:<id>`` (a project
    in the country addresses the theme), ``partnership:<land id>`` (the Land
    partners the country and works on the theme). Its coverage: German
    institutions in projects in the country on the theme. A *white spot* has
    reasons and zero coverage.
    """
    ix = index or project_index(g)
    theme_ids = tuple(sorted(themes if themes is not None else g.nodes(NodeKind.THEME), key=lambda n: (fold(g.label(n)), n)))
    wanted = set(theme_ids)
    reasons: dict[tuple[str, str], set[str]] = defaultdict(set)
    german: dict[tuple[str, str], set[str]] = defaultdict(set)
    for project in ix.projects:
        themes_p = [t for t in ix.themes[project] if t in wanted]
        if not themes_p:
            continue
        insts = [i for i in ix.institutions[project] if i in ix.german]
        programmes = ix.programmes[project]
        for c in ix.countries[project]:
            for t in themes_p:
                reasons[(c, t)].add(project)
                german[(c, t)].update(insts)
                for prog in programmes:
                    if c in ix.programme_countries.get(prog, ()):
                        reasons[(c, t)].add(prog)
    for land, country in ix.partnerships:
        for t in ix.land_themes.get(land, ()):
            if t in wanted:
                reasons[(country, t)].add(f"partnership:{land}")
    countries = tuple(sorted({c for c, _ in reasons}, key=lambda n: (fold(g.label(n)), n)))
    cells = {k: WhiteSpotCell(k[0], k[1], len(german.get(k, ())), tuple(sorted(v))) for k, v in reasons.items()}
    return WhiteSpotGrid(countries, theme_ids, cells)

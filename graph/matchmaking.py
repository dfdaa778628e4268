"""Explainable matchmaking: which institutions and Länder should join a
project, start work in a partner country, or meet an institution — and why.

A *target* is a project (``project_target``), a partner country with themes
(``country_target``) or an institution (``institution_target``). Every
candidate not yet involved gets six factor scores in [0, 1]:

``theme``
    share of the target's themes the candidate works on (declared ``works_on``
    themes and themes of its past projects);
``country``
    1 for experience in a target country (located there or a past project
    there), 0.5 for experience in a neighbouring country (same UN M49 region,
    see :mod:`graph.core.regions`);
``land``
    relationship of the candidate's Land with the target: 0.6 when the Land
    ``partners_with`` a target country, +0.4 when it co-finances the target
    project, +0.2 per co-financed related project (same country or theme,
    at most two), capped at 1;
``network``
    Adamic–Adar proximity to the target's current participants over shared
    projects (each shared project ``q`` adds ``1 / log(participants(q))``),
    squashed to [0, 1] by ``1 - exp(-x)``;
``sector``
    1 when the candidate's sector (science, civil society, business) is
    missing among the participants;
``recency``
    1 for activity in the latest year of the data, falling linearly to 0
    over ten years.

The score is the weighted mean of the factors (weights chosen by the user).
A diversity rule keeps one Land (foreign institutions: one country) and one
sector from filling the list. Each candidate carries per-factor
contributions (they sum to its score) and evidence items in German and
English that name the nodes behind them.

Scoring runs on a :class:`MatchIndex` (scipy sparse matrices built once per
graph generation), so one ranking over 100,000 institutions is a few sparse
matrix–vector products.

>>> from graph.core.model import PartnerGraph
>>> g = PartnerGraph()
>>> src = dict(source="https://example.org")
>>> p = g.add_node("project", "P", label="Wasser in Ruanda", **src)
>>> w = g.add_node("theme", "water", label="Wasser", label_en="Water", **src)
>>> g.add_edge(p, w, "addresses", **src)
>>> g.add_edge(p, g.add_country("RWA"), "implemented_in", **src)
>>> a = g.add_node("institution", "a", label="Uni A", sector="science", **src)
>>> b = g.add_node("institution", "b", label="Firma B", sector="business", **src)
>>> g.add_edge(a, w, "works_on", **src)
>>> ranking = rank(g, project_target(g, p))
>>> [c.node for c in ranking.candidates]
['institution:a', 'institution:b']
>>> ranking.candidates[0].evidence[0].text("de")
'arbeitet wie das Projekt zum Thema „Wasser“'
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind, Sector, key_of, kind_of, node_id
from graph.core.model import PartnerGraph
from graph.core.regions import M49_REGIONS, region_label, region_of

__all__ = [
    "FACTORS",
    "DEFAULT_WEIGHTS",
    "FACTOR_LABELS",
    "COMPLEMENTARY_SECTORS",
    "Evidence",
    "Candidate",
    "Target",
    "Ranking",
    "MatchIndex",
    "match_index",
    "project_target",
    "country_target",
    "institution_target",
    "resolve_target",
    "factor_scores",
    "rank",
    "rank_laender",
    "normalise_weights",
]

#: The factors, in display order.
FACTORS: tuple[str, ...] = ("theme", "country", "land", "network", "sector", "recency")

#: Default weights (relative; they need not sum to 1). BLP projects grow out
#: of Land partnerships, so country and Land weigh most; chosen with the
#: leave-one-out evaluation in ``benchmarks/eval_matchmaking.py``.
DEFAULT_WEIGHTS: dict[str, float] = {
    "theme": 2.0, "country": 3.0, "land": 3.0, "network": 2.0, "sector": 0.5, "recency": 0.5,
}

#: Display names of the factors: factor → (German, English).
FACTOR_LABELS: dict[str, tuple[str, str]] = {
    "theme": ("Themen", "Themes"),
    "country": ("Länder-/Regionserfahrung", "Country/region experience"),
    "land": ("Bundesland-Beziehung", "Land relationship"),
    "network": ("Netzwerknähe", "Network proximity"),
    "sector": ("Sektorergänzung", "Sector complement"),
    "recency": ("Aktualität", "Recency"),
}

#: Sectors a project should have at least one partner of.
COMPLEMENTARY_SECTORS: tuple[str, ...] = (Sector.SCIENCE.value, Sector.CIVIL_SOCIETY.value, Sector.BUSINESS.value)

_SECTOR_DE = {"science": "Wissenschaft", "civil_society": "Zivilgesellschaft", "business": "Wirtschaft",
              "public_administration": "öffentliche Verwaltung", "implementing_agency": "Durchführungsorganisation",
              "other": "sonstige"}
_SECTOR_EN = {"science": "science", "civil_society": "civil society", "business": "business",
              "public_administration": "public administration", "implementing_agency": "implementing agency",
              "other": "other"}

HOME_COUNTRY = "DEU"  #: the programme's home country
RECENCY_YEARS = 10  #: activity this many years before the latest year scores 0
REGION_CREDIT = 0.5  #: country factor for experience in a neighbouring country only


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Evidence:
    """One reason behind a factor, in German and English, with the nodes it rests on."""

    factor: str
    text_de: str
    text_en: str
    nodes: tuple[str, ...]

    def text(self, lang: str = "de") -> str:
        return self.text_en if lang == "en" else self.text_de

    def to_dict(self) -> dict[str, Any]:
        return {"factor": self.factor, "de": self.text_de, "en": self.text_en, "nodes": list(self.nodes)}


@dataclass(frozen=True)
class Candidate:
    """A ranked institution or Land with its factor scores and evidence."""

    node: str
    score: float
    factors: dict[str, float]
    contributions: dict[str, float]
    evidence: tuple[Evidence, ...] = ()
    land: str | None = None
    sector: str | None = None
    deferred: bool = False  # moved down by the diversity rule

    @property
    def evidence_nodes(self) -> list[str]:
        """Every node named by the evidence, in order, without repeats."""
        seen: dict[str, None] = {}
        for ev in self.evidence:
            for n in ev.nodes:
                if n != self.node:
                    seen.setdefault(n, None)
        return list(seen)

    def explanation(self, lang: str = "de") -> str:
        """All evidence as one line (for exports and the CLI)."""
        return "; ".join(ev.text(lang) for ev in self.evidence)

    def to_dict(self, graph: PartnerGraph | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "node": self.node, "score": round(self.score, 4),
            "factors": {k: round(v, 4) for k, v in self.factors.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "land": self.land, "sector": self.sector, "deferred": self.deferred,
            "evidence": [ev.to_dict() for ev in self.evidence],
        }
        if graph is not None:
            out["label"] = graph.label(self.node)
        return out


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


@dataclass(frozen=True)
class Ranking:
    target: Target
    weights: dict[str, float]
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self, graph: PartnerGraph | None = None) -> dict[str, Any]:
        return {"target": self.target.to_dict(), "weights": self.weights,
                "candidates": [c.to_dict(graph) for c in self.candidates]}


# --------------------------------------------------------------------------- index
def _csr(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1.0  # binary
    return m


def _row_max(m: sp.csr_matrix, values: np.ndarray) -> np.ndarray:
    """Per row of a binary matrix, the largest ``values`` entry of its columns (0 for empty rows)."""
    out = np.zeros(m.shape[0])
    if m.nnz:
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        np.maximum.at(out, rows, values[m.indices])
    return out


class MatchIndex:
    """Sparse matrices and vectors of one graph generation (build with :func:`match_index`).

    Rows of the institution matrices follow ``institutions``; columns follow
    ``themes``, ``countries``, ``projects``, ``regions``; Länder follow ``laender``.
    """

    def __init__(self, graph: PartnerGraph):
        self.generation = graph.generation
        nxg = graph.nx
        kinds: dict[str, list[str]] = {k.value: [] for k in NodeKind}
        for nid, kind in nxg.nodes(data="kind"):
            kinds[kind].append(nid)
        self.institutions = kinds["institution"]
        self.projects = kinds["project"]
        self.themes = kinds["theme"]
        self.countries = kinds["country"]
        self.laender = kinds["land"]
        self.regions = list(M49_REGIONS)
        self.inst_pos = {n: i for i, n in enumerate(self.institutions)}
        self.proj_pos = {n: i for i, n in enumerate(self.projects)}
        self.theme_pos = {n: i for i, n in enumerate(self.themes)}
        self.country_pos = {n: i for i, n in enumerate(self.countries)}
        self.land_pos = {n: i for i, n in enumerate(self.laender)}
        self.region_pos = {r: i for i, r in enumerate(self.regions)}
        ni, npj, nt, nc, nl = (len(self.institutions), len(self.projects), len(self.themes),
                               len(self.countries), len(self.laender))

        sectors = [s.value for s in Sector]
        self.sectors = sectors
        sector_pos = {s: i for i, s in enumerate(sectors)}
        self.inst_sector = np.full(ni, -1, dtype=np.int32)
        self.inst_land = np.full(ni, -1, dtype=np.int32)
        self.inst_country = np.full(ni, -1, dtype=np.int32)
        for i, nid in enumerate(self.institutions):
            attrs = nxg.nodes[nid]
            self.inst_sector[i] = sector_pos.get(attrs.get("sector"), -1)
            land = attrs.get("land")
            if land:
                self.inst_land[i] = self.land_pos.get(node_id(NodeKind.LAND, land), -1)
            ctry = attrs.get("country")
            if ctry:
                self.inst_country[i] = self.country_pos.get(node_id(NodeKind.COUNTRY, ctry), -1)

        # diversity groups: the Land, or for institutions outside Germany their country
        self.inst_group = np.where(self.inst_land >= 0, self.inst_land, -1000 - self.inst_country)
        # institutions grouped by Land, for per-Land maxima
        with_land = np.flatnonzero(self.inst_land >= 0)
        self.by_land = with_land[np.argsort(self.inst_land[with_land], kind="stable")]
        self.by_land_lands, self.by_land_starts = np.unique(self.inst_land[self.by_land], return_index=True)
        # project years and status
        years = []
        self.proj_year = np.full(npj, np.nan)
        for j, pid in enumerate(self.projects):
            attrs = nxg.nodes[pid]
            y = attrs.get("end_year") or attrs.get("start_year")
            if y:
                self.proj_year[j] = float(y)
                years.append(int(y))
            for key in ("start_year", "end_year"):
                if attrs.get(key):
                    years.append(int(attrs[key]))
        self.ref_year = max(years) if years else 0
        for j, pid in enumerate(self.projects):
            if nxg.nodes[pid].get("status") in ("active", "planned"):
                self.proj_year[j] = float(self.ref_year)
        self.proj_year0 = np.nan_to_num(self.proj_year, nan=0.0)  # unknown year = 0

        part_r, part_c, pt_r, pt_c, pc_r, pc_c, w_r, w_c, loc_r, loc_c = ([] for _ in range(10))
        cof_r, cof_c = [], []
        self.partnerships: dict[tuple[int, int], dict[str, Any]] = {}
        ip, pp, tp, cp, lp = self.inst_pos, self.proj_pos, self.theme_pos, self.country_pos, self.land_pos
        for u, v, d in nxg.edges(data=True):
            kind = d["kind"]
            if kind == "participates_in":
                part_r.append(ip[u]); part_c.append(pp[v])
            elif kind == "addresses":
                pt_r.append(pp[u]); pt_c.append(tp[v])
            elif kind == "implemented_in":
                if u in pp:
                    pc_r.append(pp[u]); pc_c.append(cp[v])
            elif kind == "works_on":
                if u in ip:
                    w_r.append(ip[u]); w_c.append(tp[v])
            elif kind == "located_in":
                if v in cp:
                    loc_r.append(ip[u]); loc_c.append(cp[v])
            elif kind == "cofinances":
                cof_r.append(lp[u]); cof_c.append(pp[v])
            elif kind == "partners_with":
                key = (lp[u], cp[v])
                prev = self.partnerships.get(key)
                if prev is None or (d.get("since") or 9999) < (prev.get("since") or 9999):
                    self.partnerships[key] = d
        # the country attribute counts as location too
        for i, c in enumerate(self.inst_country):
            if c >= 0:
                loc_r.append(i); loc_c.append(int(c))

        self.P = _csr(part_r, part_c, (ni, npj))            # institution × project
        self.PT = _csr(pt_r, pt_c, (npj, nt))               # project × theme
        self.PC = _csr(pc_r, pc_c, (npj, nc))               # project × country
        self.W = _csr(w_r, w_c, (ni, nt))                   # institution × theme (declared)
        self.L = _csr(loc_r, loc_c, (ni, nc))               # institution × country (located)
        self.LCof = _csr(cof_r, cof_c, (nl, npj))           # Land × project (co-finances)
        self.PT_csc = self.PT.tocsc()
        self.PC_csc = self.PC.tocsc()
        self.PtT = self.P.T.tocsr()                         # project × institution
        self.AT = ((self.W + self.P @ self.PT) > 0).astype(np.float64).tocsr()   # institution × theme
        self.AC = ((self.L + self.P @ self.PC) > 0).astype(np.float64).tocsr()   # institution × country
        self.AT_csc = self.AT.tocsc()
        reg_r, reg_c = [], []
        for c, cid in enumerate(self.countries):
            r = region_of(cid)
            if r is not None:
                reg_r.append(c); reg_c.append(self.region_pos[r])
        self.CR = _csr(reg_r, reg_c, (nc, len(self.regions)))  # country × region
        self.country_region = np.full(nc, -1, dtype=np.int32)
        self.country_region[reg_r] = reg_c
        self.AR = (self.AC @ self.CR).tocsr()                # institution × region (country counts)
        self.LP = np.zeros((nl, nc))
        for (l, c) in self.partnerships:
            self.LP[l, c] = 1.0
        self.proj_deg = np.asarray(self.P.sum(axis=0)).ravel()
        self.inst_deg = np.asarray(self.P.sum(axis=1)).ravel()
        self.aa_weight = 1.0 / np.log(np.maximum(self.proj_deg, 2.0))
        # last activity per institution
        self.inst_last_year = _row_max(self.P, self.proj_year0)
        self.inst_recency = self._recency(self.inst_last_year)
        # Land level
        land_member = [(int(l), i) for i, l in enumerate(self.inst_land) if l >= 0]
        self.LI = _csr([a for a, _ in land_member], [b for _, b in land_member], (nl, ni))  # Land × institution
        self.LAT = ((self.LCof @ self.PT + self.LI @ self.AT) > 0).astype(np.float64).tocsr()
        self.LAC = ((self.LCof @ self.PC + self.LI @ self.AC) > 0).astype(np.float64).tocsr()
        self.LAR = (self.LAC @ self.CR).tocsr()
        land_last = _row_max(self.LCof, self.proj_year0)
        inst_last_by_land = np.zeros(nl)
        if len(land_member):
            np.maximum.at(inst_last_by_land, self.inst_land[self.inst_land >= 0], self.inst_last_year[self.inst_land >= 0])
        self.land_last_year = np.maximum(land_last, inst_last_by_land)
        self.land_recency = self._recency(self.land_last_year)

    def _recency(self, last: np.ndarray) -> np.ndarray:
        active = last > 0
        out = np.zeros_like(last, dtype=np.float64)
        out[active] = np.clip(1.0 - (self.ref_year - last[active]) / RECENCY_YEARS, 0.0, 1.0)
        return out

    # ----- small helpers used for explanations
    def row(self, m: sp.csr_matrix, i: int) -> np.ndarray:
        return m.indices[m.indptr[i]:m.indptr[i + 1]]

    def col(self, m_csc: sp.csc_matrix, j: int) -> np.ndarray:
        return m_csc.indices[m_csc.indptr[j]:m_csc.indptr[j + 1]]


_INDEXES: "weakref.WeakKeyDictionary[PartnerGraph, MatchIndex]" = weakref.WeakKeyDictionary()


def match_index(graph: PartnerGraph) -> MatchIndex:
    """The :class:`MatchIndex` of ``graph``, rebuilt only when the graph changed.

    >>> g = PartnerGraph()
    >>> match_index(g) is match_index(g)
    True
    """
    idx = _INDEXES.get(graph)
    if idx is None or idx.generation != graph.generation:
        idx = MatchIndex(graph)
        _INDEXES[graph] = idx
    return idx


# --------------------------------------------------------------------------- targets
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


# --------------------------------------------------------------------------- factors
def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Complete ``weights`` with the defaults; negative weights become 0.

    >>> normalise_weights({"theme": 1, "recency": -2})["recency"]
    0.0
    """
    out = dict(DEFAULT_WEIGHTS)
    for k, v in (weights or {}).items():
        if k not in out:
            raise PartnernetzError(f"unknown factor {k!r}; known: {', '.join(FACTORS)}")
        out[k] = max(0.0, float(v))
    return out


def _vec(pos: Mapping[str, int], ids: Iterable[str], n: int) -> np.ndarray:
    v = np.zeros(n)
    for x in ids:
        if x in pos:
            v[pos[x]] = 1.0
    return v


@dataclass
class _Context:
    """Target quantities shared by the institution and Land factors."""

    t: np.ndarray          # theme vector
    c: np.ndarray          # country vector
    r: np.ndarray          # region vector (regions of the target countries)
    land_score: np.ndarray
    partner: np.ndarray
    cof_target: np.ndarray
    n_related: np.ndarray
    related: np.ndarray
    lacking: tuple[str, ...]
    seeds: np.ndarray      # institution indices of participants
    seed_projects: np.ndarray  # weighted project vector for Adamic–Adar


def _context(idx: MatchIndex, target: Target) -> _Context:
    t = _vec(idx.theme_pos, target.themes, len(idx.themes))
    c = _vec(idx.country_pos, target.countries, len(idx.countries))
    r = np.zeros(len(idx.regions))
    for cid in target.countries:
        reg = region_of(cid)
        if reg is not None:
            r[idx.region_pos[reg]] = 1.0
    # Land relationship
    partner = (idx.LP @ c > 0).astype(np.float64) if len(idx.laender) else np.zeros(0)
    target_proj = idx.proj_pos.get(target.node) if target.kind == "project" else None
    cof_target = np.zeros(len(idx.laender))
    if target_proj is not None:
        cof_target = np.asarray(idx.LCof[:, target_proj].todense()).ravel()
    related = ((idx.PT @ t) > 0) | ((idx.PC @ c) > 0)
    related = related.astype(np.float64)
    if target_proj is not None:
        related[target_proj] = 0.0
    n_related = idx.LCof @ related
    land_score = np.minimum(1.0, 0.6 * partner + 0.4 * cof_target + 0.2 * np.minimum(n_related, 2.0))
    # participants
    seeds = np.array([idx.inst_pos[p] for p in target.participants if p in idx.inst_pos], dtype=np.int64)
    if len(seeds):
        proj_counts = np.asarray(idx.P[seeds].sum(axis=0)).ravel()
    else:
        proj_counts = np.zeros(len(idx.projects))
    if target_proj is not None:
        proj_counts[target_proj] = 0.0
    present = {idx.sectors[s] for s in idx.inst_sector[seeds] if s >= 0} if len(seeds) else set()
    lacking = tuple(s for s in COMPLEMENTARY_SECTORS if s not in present)
    return _Context(t, c, r, land_score, partner, cof_target, n_related, related, lacking, seeds,
                    proj_counts * idx.aa_weight)


def _country_factor(AC: sp.csr_matrix, AR: sp.csr_matrix, ctx: _Context) -> np.ndarray:
    direct = (AC @ ctx.c) > 0
    regional = (AR @ ctx.r) > 0
    return np.maximum(direct.astype(np.float64), REGION_CREDIT * regional)


def _institution_factors(idx: MatchIndex, ctx: _Context) -> np.ndarray:
    n = len(idx.institutions)
    F = np.zeros((n, len(FACTORS)))
    n_themes = ctx.t.sum()
    if n_themes:
        F[:, 0] = (idx.AT @ ctx.t) / n_themes
    if ctx.c.any():
        F[:, 1] = _country_factor(idx.AC, idx.AR, ctx)
    has_land = idx.inst_land >= 0
    F[has_land, 2] = ctx.land_score[idx.inst_land[has_land]]
    if ctx.seed_projects.any():
        F[:, 3] = 1.0 - np.exp(-(idx.P @ ctx.seed_projects))
    if ctx.lacking:
        codes = [idx.sectors.index(s) for s in ctx.lacking]
        F[:, 4] = np.isin(idx.inst_sector, codes).astype(np.float64)
    F[:, 5] = idx.inst_recency
    return F


def factor_scores(graph: PartnerGraph, target: Target, *, index: MatchIndex | None = None) -> tuple[list[str], np.ndarray]:
    """Every institution's factor scores for ``target``: ``(ids, matrix n × 6)``.

    Columns follow :data:`FACTORS`. Excluded institutions are included (the
    caller masks them); used by the ranking and the offline evaluation.
    """
    idx = index or match_index(graph)
    return idx.institutions, _institution_factors(idx, _context(idx, target))


# --------------------------------------------------------------------------- ranking
def _weight_vector(weights: Mapping[str, float]) -> np.ndarray:
    w = np.array([weights[f] for f in FACTORS], dtype=np.float64)
    total = w.sum()
    return w / total if total > 0 else w


def _diversify(order: Sequence[int], groups: Sequence[np.ndarray], caps: Sequence[int | None], top: int
               ) -> list[tuple[int, bool]]:
    """Greedy: take items in ``order`` while no group exceeds its cap; fill up with the deferred."""
    taken: list[tuple[int, bool]] = []
    deferred: list[int] = []
    counts: list[dict[int, int]] = [{} for _ in groups]
    for i in order:
        ok = True
        for g, cap, cnt in zip(groups, caps, counts):
            if cap is not None and g[i] is not None and cnt.get(g[i], 0) >= cap:
                ok = False
                break
        if ok:
            for g, cnt in zip(groups, counts):
                cnt[g[i]] = cnt.get(g[i], 0) + 1
            taken.append((i, False))
            if len(taken) == top:
                return taken
        else:
            deferred.append(i)
    for i in deferred[: top - len(taken)]:
        taken.append((i, True))
    return taken


def _caps(top: int, max_per_land: int | None, max_per_sector: int | None, diversity: bool) -> tuple[int | None, int | None]:
    if not diversity:
        return None, None
    land_cap = max_per_land if max_per_land is not None else max(2, math.ceil(0.4 * top))
    sector_cap = max_per_sector if max_per_sector is not None else max(2, math.ceil(0.6 * top))
    return land_cap, sector_cap


def rank(graph: PartnerGraph, target: Target, *, weights: Mapping[str, float] | None = None, top: int = 10,
         laender: Iterable[str] | None = None, sectors: Iterable[str] | None = None, diversity: bool = True,
         max_per_land: int | None = None, max_per_sector: int | None = None, explain: bool = True,
         index: MatchIndex | None = None) -> Ranking:
    """Rank institutions not yet involved in ``target``.

    Parameters
    ----------
    weights : factor → weight (defaults :data:`DEFAULT_WEIGHTS`); the score is the weighted mean.
    top : number of candidates returned.
    laender, sectors : keep only institutions of these Länder (``DE-HE`` or ``land:DE-HE``) / sectors.
    diversity : cap candidates per Land (foreign institutions: per country) at ``max_per_land``
        (default 40 % of ``top``, at least 2) and per sector at ``max_per_sector`` (default 60 %);
        capped candidates move behind the others (``Candidate.deferred``).
    explain : attach evidence items (off for evaluation loops).

    Candidates scoring 0 are left out. Ties break on the number of projects, then the id.
    """
    idx = index or match_index(graph)
    w = normalise_weights(weights)
    ctx = _context(idx, target)
    F = _institution_factors(idx, ctx)
    scores = F @ _weight_vector(w)
    mask = scores > 0
    excl = [idx.inst_pos[x] for x in target.exclude if x in idx.inst_pos]
    mask[excl] = False
    if laender:
        codes = [idx.land_pos.get(l if l.startswith("land:") else node_id(NodeKind.LAND, l), -2) for l in laender]
        mask &= np.isin(idx.inst_land, codes)
    if sectors:
        codes = [idx.sectors.index(s) for s in sectors if s in idx.sectors]
        mask &= np.isin(idx.inst_sector, codes)
    cand = np.flatnonzero(mask)
    land_cap, sector_cap = _caps(top, max_per_land, max_per_sector, diversity)
    pool = min(len(cand), top * 10 + 50)
    if pool < len(cand):
        part = np.argpartition(-scores[cand], pool - 1)[:pool]
        cand = cand[part]
    order = cand[np.lexsort((cand, -idx.inst_deg[cand], -scores[cand]))]
    chosen = _diversify(order, [idx.inst_group, idx.inst_sector], [land_cap, sector_cap], top)
    wn = _weight_vector(w)
    out = []
    for i, deferred in chosen:
        iid = idx.institutions[i]
        factors = {f: float(F[i, k]) for k, f in enumerate(FACTORS)}
        contributions = {f: float(F[i, k] * wn[k]) for k, f in enumerate(FACTORS)}
        evidence = tuple(_explain_institution(graph, idx, target, ctx, i, factors)) if explain else ()
        land = idx.laender[idx.inst_land[i]] if idx.inst_land[i] >= 0 else None
        sector = idx.sectors[idx.inst_sector[i]] if idx.inst_sector[i] >= 0 else None
        out.append(Candidate(iid, float(scores[i]), factors, contributions, evidence, land, sector, deferred))
    return Ranking(target, w, out)


def rank_laender(graph: PartnerGraph, target: Target, *, weights: Mapping[str, float] | None = None,
                 top: int = 16, explain: bool = True, index: MatchIndex | None = None) -> Ranking:
    """Rank the Länder not yet involved in ``target`` with the same factors.

    A Land's theme and country experience come from the projects it
    co-finances and its institutions; network proximity is the best of its
    institutions'; sector complement is the share of the missing sectors it
    has institutions for; recency is its latest co-financed project or
    institution activity.
    """
    idx = index or match_index(graph)
    w = normalise_weights(weights)
    ctx = _context(idx, target)
    nl = len(idx.laender)
    F = np.zeros((nl, len(FACTORS)))
    if ctx.t.sum():
        F[:, 0] = (idx.LAT @ ctx.t) / ctx.t.sum()
    if ctx.c.any():
        F[:, 1] = _country_factor(idx.LAC, idx.LAR, ctx)
    F[:, 2] = ctx.land_score
    inst_F = _institution_factors(idx, ctx)
    has_land = idx.inst_land >= 0
    inst_ok = has_land.copy()
    inst_ok[[idx.inst_pos[x] for x in target.exclude if x in idx.inst_pos]] = False
    if len(idx.by_land):
        network = np.where(inst_ok, inst_F[:, 3], 0.0)[idx.by_land]
        F[idx.by_land_lands, 3] = np.maximum.reduceat(network, idx.by_land_starts)
    if ctx.lacking:
        for s in ctx.lacking:
            code = idx.sectors.index(s)
            has = np.zeros(nl)
            sel = inst_ok & (idx.inst_sector == code)
            has[idx.inst_land[sel]] = 1.0
            F[:, 4] += has / len(ctx.lacking)
    F[:, 5] = idx.land_recency
    wn = _weight_vector(w)
    scores = F @ wn
    involved = {idx.land_pos[l] for l in target.laender if l in idx.land_pos}
    order = sorted((l for l in range(nl) if l not in involved and scores[l] > 0),
                   key=lambda l: (-scores[l], idx.laender[l]))[:top]
    out = []
    for l in order:
        factors = {f: float(F[l, k]) for k, f in enumerate(FACTORS)}
        contributions = {f: float(F[l, k] * wn[k]) for k, f in enumerate(FACTORS)}
        evidence = tuple(_explain_land(graph, idx, target, ctx, l, factors, inst_F, inst_ok)) if explain else ()
        out.append(Candidate(idx.laender[l], float(scores[l]), factors, contributions, evidence, idx.laender[l]))
    return Ranking(target, w, out)


# --------------------------------------------------------------------------- explanations
MAX_LABEL = 70  #: longer labels are shortened in evidence texts


def _l(graph: PartnerGraph, nid: str, lang: str) -> str:
    label = graph.label(nid, lang)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _list(graph: PartnerGraph, ids: Sequence[str], lang: str, limit: int = 3, total: int | None = None) -> str:
    names = [_l(graph, n, lang) for n in ids[:limit]]
    if total is None:
        total = getattr(ids, "total", len(ids))
    more = total - limit
    if more > 0:
        names.append(f"+{more} weitere" if lang == "de" else f"+{more} more")
    return ", ".join(names)


def _what(target: Target) -> tuple[str, str]:
    return {"project": ("wie das Projekt", "like the project"),
            "institution": ("wie die Institution", "like the institution")}.get(target.kind, ("", ""))


MAX_EVIDENCE_NODES = 5  #: at most this many projects/institutions named per evidence item


class _Named(list):
    """The first few ids of a longer list; ``total`` is the full length."""

    total: int = 0


def _by_recency(idx: MatchIndex, projects: np.ndarray, skip: str | None = None) -> _Named:
    """Up to MAX_EVIDENCE_NODES project ids, the most recent first (ties by id)."""
    out = _Named()
    if skip is not None and skip in idx.proj_pos and len(projects):
        projects = projects[projects != idx.proj_pos[skip]]
    out.total = len(projects)
    if not len(projects):
        return out
    years = idx.proj_year0[projects]
    if len(projects) > MAX_EVIDENCE_NODES:
        keep = np.argpartition(-years, MAX_EVIDENCE_NODES - 1)[:MAX_EVIDENCE_NODES]
        projects, years = projects[keep], years[keep]
    order = np.lexsort((projects, -years))
    out.extend(idx.projects[q] for q in projects[order])
    return out


def _both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two sorted index arrays without repeats."""
    return np.intersect1d(a, b, assume_unique=True)


def _theme_evidence(graph, idx: MatchIndex, target: Target, theme_cols: Sequence[int], projects: np.ndarray,
                    declared: set[int]) -> list[Evidence]:
    out = []
    what_de, what_en = _what(target)
    for tj in theme_cols:
        tid = idx.themes[tj]
        via = _by_recency(idx, _both(projects, idx.col(idx.PT_csc, tj)), target.node)
        de = f"arbeitet {what_de} zum Thema „{_l(graph, tid, 'de')}“".replace("  ", " ")
        en = f"works {what_en} on “{_l(graph, tid, 'en')}”".replace("  ", " ")
        if via:
            also_de, also_en = ("auch im Projekt ", "also in project ") if int(tj) in declared else ("Projekt ", "project ")
            de += f" ({also_de}{_list(graph, via, 'de', 2)})"
            en += f" ({also_en}{_list(graph, via, 'en', 2)})"
        out.append(Evidence("theme", de, en, (tid, *via[:MAX_EVIDENCE_NODES])))
    return out


def _country_evidence(graph, idx: MatchIndex, target: Target, located: set[int], countries: np.ndarray,
                      projects: np.ndarray, subject_de: str = "", subject_en: str = "") -> list[Evidence]:
    out = []
    target_c = {idx.country_pos[c] for c in target.countries if c in idx.country_pos}

    def via(c: int) -> list[str]:
        return _by_recency(idx, _both(projects, idx.col(idx.PC_csc, c)), target.node)

    for c in sorted(target_c & set(countries.tolist())):
        cid = idx.countries[c]
        projs = via(c)
        if c in located:
            out.append(Evidence("country", f"{subject_de}hat seinen Sitz in {_l(graph, cid, 'de')}",
                                f"{subject_en}is based in {_l(graph, cid, 'en')}", (cid,)))
        if projs:
            n = projs.total
            out.append(Evidence(
                "country",
                f"{n} {'früheres Projekt' if n == 1 else 'frühere Projekte'} in {_l(graph, cid, 'de')}: {_list(graph, projs, 'de')}",
                f"{n} earlier project{'s' if n != 1 else ''} in {_l(graph, cid, 'en')}: {_list(graph, projs, 'en')}",
                (cid, *projs[:MAX_EVIDENCE_NODES])))
    if out:
        return out
    target_r = {int(idx.country_region[c]) for c in target_c if idx.country_region[c] >= 0}
    for c in countries:
        reg = int(idx.country_region[c])
        if reg not in target_r or c in target_c:
            continue
        cid = idx.countries[c]
        projs = via(int(c))
        rname = idx.regions[reg]
        where_de = _l(graph, cid, "de") + (f" (Projekt {_list(graph, projs, 'de', 2)})" if projs else " (Sitz)")
        where_en = _l(graph, cid, "en") + (f" (project {_list(graph, projs, 'en', 2)})" if projs else " (based there)")
        out.append(Evidence("country", f"Erfahrung in der Nachbarregion {region_label(rname, 'de')}: {where_de}",
                            f"experience in the same region, {region_label(rname, 'en')}: {where_en}",
                            (cid, *projs[:MAX_EVIDENCE_NODES])))
        if len(out) >= 3:
            break
    return out


def _land_evidence(graph, idx: MatchIndex, target: Target, ctx: _Context, l: int) -> list[Evidence]:
    out = []
    lid = idx.laender[l]
    de_land, en_land = _l(graph, lid, "de"), _l(graph, lid, "en")
    for cid in target.countries:
        c = idx.country_pos.get(cid)
        d = idx.partnerships.get((l, c)) if c is not None else None
        if d is None:
            continue
        since = d.get("since")
        region = d.get("region")
        ctry_de = _l(graph, cid, "de") + (f" ({region})" if region else "")
        ctry_en = _l(graph, cid, "en") + (f" ({region})" if region else "")
        if since:
            de, en = f"Land {de_land} kooperiert seit {since} mit {ctry_de}", f"Land {en_land} has partnered with {ctry_en} since {since}"
        else:
            de, en = f"Land {de_land} kooperiert mit {ctry_de}", f"Land {en_land} partners with {ctry_en}"
        out.append(Evidence("land", de, en, (lid, cid)))
    if ctx.cof_target[l] > 0 and target.node:
        out.append(Evidence("land", f"Land {de_land} kofinanziert das Projekt", f"Land {en_land} co-finances the project",
                            (lid, target.node)))
    if ctx.n_related[l] > 0:
        cof = idx.row(idx.LCof, l)
        rel = _by_recency(idx, cof[ctx.related[cof] > 0], target.node)
        n = rel.total
        out.append(Evidence(
            "land",
            f"Land {de_land} kofinanziert {n} verwandte{'s Projekt' if n == 1 else ' Projekte'}: {_list(graph, rel, 'de')}",
            f"Land {en_land} co-finances {n} related project{'s' if n != 1 else ''}: {_list(graph, rel, 'en')}",
            (lid, *rel[:MAX_EVIDENCE_NODES])))
    return out


def _network_evidence(graph, idx: MatchIndex, target: Target, ctx: _Context, projects: np.ndarray) -> list[Evidence]:
    shared: list[tuple[str, _Named]] = []
    for s in ctx.seeds:
        common = _by_recency(idx, _both(projects, idx.row(idx.P, s)), target.node)
        if common:
            shared.append((idx.institutions[s], common))
    shared.sort(key=lambda x: (-x[1].total, x[0]))
    out = []
    for sid, common in shared[:3]:
        n = common.total
        out.append(Evidence(
            "network",
            f"{n} {'gemeinsames früheres Projekt' if n == 1 else 'gemeinsame frühere Projekte'} mit {_l(graph, sid, 'de')} ({_list(graph, common, 'de', 2)})",
            f"{n} earlier joint project{'s' if n != 1 else ''} with {_l(graph, sid, 'en')} ({_list(graph, common, 'en', 2)})",
            (sid, *common[:MAX_EVIDENCE_NODES])))
    return out


def _explain_institution(graph: PartnerGraph, idx: MatchIndex, target: Target, ctx: _Context, i: int,
                         factors: dict[str, float]) -> list[Evidence]:
    ev: list[Evidence] = []
    projects = idx.row(idx.P, i)
    if factors["theme"] > 0:
        t_cols = [int(tj) for tj in idx.row(idx.AT, i) if ctx.t[tj] > 0]
        ev += _theme_evidence(graph, idx, target, t_cols, projects, set(idx.row(idx.W, i).tolist()))
    if factors["country"] > 0:
        located = set(idx.row(idx.L, i).tolist())
        ev += _country_evidence(graph, idx, target, located, idx.row(idx.AC, i), projects)
    if factors["land"] > 0:
        ev += _land_evidence(graph, idx, target, ctx, int(idx.inst_land[i]))
    if factors["network"] > 0:
        ev += _network_evidence(graph, idx, target, ctx, projects)
    if factors["sector"] > 0:
        s = idx.sectors[idx.inst_sector[i]]
        if target.kind == "institution":
            de, en = (f"bringt {_SECTOR_DE[s]} ein – ein Sektor, der der Institution fehlt",
                      f"adds {_SECTOR_EN[s]} – a sector the institution is not in")
        else:
            who_de, who_en = {"project": ("dem Projekt", "the project lacks"),
                              "country": ("den bisherigen Akteuren", "the current actors lack")}[target.kind]
            de, en = f"bringt {_SECTOR_DE[s]} ein – {who_de} fehlt dieser Sektor", f"adds {_SECTOR_EN[s]} – {who_en} this sector"
        ev.append(Evidence("sector", de, en, (idx.institutions[i],)))
    if factors["recency"] > 0:
        last = idx.inst_last_year[i]
        latest = [p for p in _by_recency(idx, projects) if idx.proj_year[idx.proj_pos[p]] == last][:1]
        ev.append(Evidence("recency", f"zuletzt aktiv {int(last)} ({_list(graph, latest, 'de', 1)})",
                           f"last active {int(last)} ({_list(graph, latest, 'en', 1)})", tuple(latest)))
    return ev


def _explain_land(graph: PartnerGraph, idx: MatchIndex, target: Target, ctx: _Context, l: int,
                  factors: dict[str, float], inst_F: np.ndarray, inst_ok: np.ndarray) -> list[Evidence]:
    ev: list[Evidence] = []
    members = idx.row(idx.LI, l)
    members = members[inst_ok[members]]
    lid = idx.laender[l]
    cof = idx.row(idx.LCof, l)
    if factors["theme"] > 0:
        land_themes = set(idx.row(idx.LAT, l).tolist())
        for tj in np.flatnonzero(ctx.t):
            if tj not in land_themes:
                continue
            tid = idx.themes[tj]
            via_p = _by_recency(idx, _both(cof, idx.col(idx.PT_csc, tj)))
            inst_hits = _both(members, idx.col(idx.AT_csc, tj))
            via_i = [idx.institutions[i] for i in inst_hits[:MAX_EVIDENCE_NODES]]
            names = via_p + via_i
            if not names:
                continue
            total = via_p.total + len(inst_hits)
            de = f"Expertise zum Thema „{_l(graph, tid, 'de')}“: {_list(graph, names, 'de', total=total)}"
            en = f"expertise in “{_l(graph, tid, 'en')}”: {_list(graph, names, 'en', total=total)}"
            ev.append(Evidence("theme", de, en, (tid, *names[:MAX_EVIDENCE_NODES])))
    if factors["country"] > 0:
        member_projects = idx.P[members].indices if len(members) else np.zeros(0, dtype=np.int64)
        projects = np.union1d(cof, member_projects).astype(np.int64)
        located = set(idx.L[members].indices.tolist()) if len(members) else set()
        ev += _country_evidence(graph, idx, target, located, idx.row(idx.LAC, l), projects,
                                "eine Institution des Landes ", "an institution of the Land ")
    if factors["land"] > 0:
        ev += _land_evidence(graph, idx, target, ctx, l)
    if factors["network"] > 0 and len(members):
        best = int(members[np.argmax(inst_F[members, 3])])
        for e in _network_evidence(graph, idx, target, ctx, idx.row(idx.P, best))[:1]:
            ev.append(Evidence("network", f"{_l(graph, idx.institutions[best], 'de')}: {e.text_de}",
                               f"{_l(graph, idx.institutions[best], 'en')}: {e.text_en}",
                               (idx.institutions[best], *e.nodes)))
    if factors["sector"] > 0:
        for s in ctx.lacking:
            code = idx.sectors.index(s)
            have = [idx.institutions[i] for i in members[idx.inst_sector[members] == code][:50]]
            if have:
                n = int((idx.inst_sector[members] == code).sum())
                ev.append(Evidence("sector", f"hat {n} Partner aus {_SECTOR_DE[s]}: {_list(graph, have, 'de')}",
                                   f"has {n} {_SECTOR_EN[s]} partner{'s' if n != 1 else ''}: {_list(graph, have, 'en')}",
                                   tuple(have[:MAX_EVIDENCE_NODES])))
    if factors["recency"] > 0:
        ev.append(Evidence("recency", f"zuletzt aktiv {int(idx.land_last_year[l])}",
                           f"last active {int(idx.land_last_year[l])}", (lid,)))
    return ev

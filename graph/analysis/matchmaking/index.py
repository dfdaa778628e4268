"""The matchmaking index: sparse matrices and vectors of one graph
generation (institutions × projects, themes, countries, regions; Länder ×
projects …), built once per graph, so one ranking over 100,000 institutions
is a few sparse matrix–vector products."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from graph.core.cache import cached
from graph.core.kinds import NodeKind, Sector, node_id
from graph.core.model import PartnerGraph
from graph.core.regions import M49_REGIONS, region_of

__all__ = ["MatchIndex", "match_index", "RECENCY_YEARS", "IDF_FLOOR", "theme_idf"]

RECENCY_YEARS = 10  #: activity this many years before the latest year scores 0
IDF_FLOOR = 0.1  #: weight of a theme at least half of the institutions share (it still names a match)


def theme_idf(df: np.ndarray, n: int) -> np.ndarray:
    """Rarity weight of each theme shared by ``df`` of ``n`` institutions: the
    Robertson–Spärck Jones IDF ``ln((n - df + 0.5) / (df + 0.5))``, at least
    :data:`IDF_FLOOR`. It damps frequent themes much more than the smoothed
    ``1 + ln(n / df)``: on the sample governance (31 of 97 institutions) weighs
    0.47 of water (16 of 97), not 0.77, and environment (43 of 97) 0.14.

    >>> [round(float(x), 2) for x in theme_idf(np.array([1, 16, 31, 60]), 97)]
    [4.16, 1.6, 0.75, 0.1]
    """
    df = np.asarray(df, dtype=np.float64)
    return np.maximum(np.log((n - df + 0.5) / (df + 0.5)), IDF_FLOOR)


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
        # rarity of each theme over the institutions (a theme many share says little)
        self.theme_idf = theme_idf(np.asarray(self.AT.sum(axis=0)).ravel(), ni)
        self.inst_theme_mass = self.AT @ self.theme_idf   # IDF mass of each institution's themes
        self.proj_theme_mass = self.PT @ self.theme_idf   # … and of each project's
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

    def sector_mask(self, codes) -> np.ndarray:
        """1.0 for institutions whose sector code is in ``codes``, else 0.0 (a
        table lookup: ``np.isin`` sorts 100,000 codes per call)."""
        table = np.zeros(len(self.sectors) + 1)
        table[[c for c in codes if 0 <= c < len(self.sectors)]] = 1.0
        return table[self.inst_sector]  # sector -1 (unknown) reads the last cell, 0

    # ----- small helpers used for explanations
    def row(self, m: sp.csr_matrix, i: int) -> np.ndarray:
        return m.indices[m.indptr[i]:m.indptr[i + 1]]

    def col(self, m_csc: sp.csc_matrix, j: int) -> np.ndarray:
        return m_csc.indices[m_csc.indptr[j]:m_csc.indptr[j + 1]]



def match_index(graph: PartnerGraph) -> MatchIndex:
    """The :class:`MatchIndex` of ``graph``, rebuilt only when the graph changed.

    >>> g = PartnerGraph()
    >>> match_index(g) is match_index(g)
    True
    """
    return cached(graph, "analysis.match_index", lambda: MatchIndex(graph))

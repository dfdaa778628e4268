"""The six matchmaking factors, their weights and display names, and the
factor scores of every institution for a target (numpy over the index)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from graph.core.errors import PartnernetzError
from graph.core.kinds import Sector
from graph.core.model import PartnerGraph
from graph.core.regions import region_of

from graph.analysis.matchmaking.index import MatchIndex, match_index
from graph.analysis.matchmaking.targets import Target

__all__ = ["FACTORS", "DEFAULT_WEIGHTS", "FACTOR_LABELS", "COMPLEMENTARY_SECTORS", "REGION_CREDIT",
           "THEME_GATE", "normalise_weights", "factor_scores", "Context", "context", "institution_factors", "country_factor",
           "theme_fit", "theme_gate", "weighted_scores"]

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
REGION_CREDIT = 0.5  #: country factor for experience in a neighbouring country only
#: Share of its score a candidate keeps when the target names themes and it works on none of
#: them (see :func:`theme_gate`); chosen with ``benchmarks/eval_matchmaking.py`` and the two
#: sample journeys (Tanzania + water, the Tunisian administration exchange).
THEME_GATE = 0.4


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
class Context:
    """Target quantities shared by the institution and Land factors."""

    t: np.ndarray          # theme vector
    tw: np.ndarray         # theme vector weighted by rarity (IDF)
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


def context(idx: MatchIndex, target: Target) -> Context:
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
    # a co-financed project is as related as its themes fit (the same measure as an
    # institution's theme fit, so a project sharing only a common theme counts little)
    # or fully when it is in a target country
    tw = t * idx.theme_idf
    related = np.maximum(theme_fit(idx.PT, tw, idx.theme_idf, idx.proj_theme_mass), ((idx.PC @ c) > 0).astype(np.float64))
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
    return Context(t, tw, c, r, land_score, partner, cof_target, n_related, related, lacking, seeds,
                    proj_counts * idx.aa_weight)


def country_factor(AC: sp.csr_matrix, AR: sp.csr_matrix, ctx: Context) -> np.ndarray:
    direct = (AC @ ctx.c) > 0
    regional = (AR @ ctx.r) > 0
    return np.maximum(direct.astype(np.float64), REGION_CREDIT * regional)


def theme_fit(M: sp.csr_matrix, tw: np.ndarray, idf: np.ndarray, own: np.ndarray | None = None) -> np.ndarray:
    """Theme fit of each row of the binary row × theme matrix ``M`` with the
    IDF-weighted target themes ``tw``: coverage (IDF share of the target's
    themes the row has) times focus (square root of the IDF share the target's
    themes make up of the row's own themes, so a specialist counts more than a
    generalist touching the theme once). 0 for every row when ``tw`` is 0.
    ``own`` (``M @ idf``, the IDF mass of each row's themes) may be passed precomputed.
    """
    total = tw.sum()
    if not total:
        return np.zeros(M.shape[0])
    shared = M @ tw
    own = M @ idf if own is None else own  # IDF mass of all the row's themes
    r = np.divide(shared, own, out=np.zeros_like(shared), where=own > 0)
    return (shared / total) * np.sqrt(r)


def theme_gate(F: np.ndarray, wn: np.ndarray, themed: bool) -> np.ndarray:
    """Per row, the factor the weighted mean is multiplied by: ``THEME_GATE +
    (1 - THEME_GATE) × theme`` when the target names themes and the theme
    weight is above 0, else 1. A candidate without any target theme keeps 40 %
    of its score, so a Land relation alone cannot outrank a theme match.

    >>> theme_gate(np.array([[1.0, 0, 0, 0, 0, 0], [0.5, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]]),
    ...            np.array([.2, .2, .2, .2, .1, .1]), True).round(2).tolist()
    [1.0, 0.7, 0.4]
    """
    if not themed or wn[0] <= 0:
        return np.ones(F.shape[0])
    return THEME_GATE + (1.0 - THEME_GATE) * F[:, 0]


def weighted_scores(F: np.ndarray, wn: np.ndarray, themed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Scores (weighted mean of the factors ``F`` with the normalised weights
    ``wn``, times :func:`theme_gate`) and the gate itself."""
    gate = theme_gate(F, wn, themed)
    # column by column: a BLAS matrix–vector product over a 100,000 × 6 matrix costs more in
    # thread start-up than the six vector updates on a shared machine (10 ms against 2)
    mean = np.zeros(F.shape[0])
    for k, w in enumerate(wn):
        if w:
            mean += F[:, k] * w
    return mean * gate, gate


def institution_factors(idx: MatchIndex, ctx: Context) -> np.ndarray:
    n = len(idx.institutions)
    F = np.zeros((n, len(FACTORS)), order="F")  # filled and read column by column
    F[:, 0] = theme_fit(idx.AT, ctx.tw, idx.theme_idf, idx.inst_theme_mass)
    if ctx.c.any():
        F[:, 1] = country_factor(idx.AC, idx.AR, ctx)
    has_land = idx.inst_land >= 0
    F[has_land, 2] = ctx.land_score[idx.inst_land[has_land]]
    if ctx.seed_projects.any():
        F[:, 3] = 1.0 - np.exp(-(idx.P @ ctx.seed_projects))
    if ctx.lacking:
        codes = [idx.sectors.index(s) for s in ctx.lacking]
        F[:, 4] = idx.sector_mask(codes)
    F[:, 5] = idx.inst_recency
    return F


def factor_scores(graph: PartnerGraph, target: Target, *, index: MatchIndex | None = None) -> tuple[list[str], np.ndarray]:
    """Every institution's factor scores for ``target``: ``(ids, matrix n × 6)``.

    Columns follow :data:`FACTORS`. Excluded institutions are included (the
    caller masks them); used by the ranking and the offline evaluation.
    """
    idx = index or match_index(graph)
    return idx.institutions, institution_factors(idx, context(idx, target))

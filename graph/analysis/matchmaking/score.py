"""Ranking: the weighted score of every candidate, the diversity rule
(one Land or sector does not fill the list) and the ranked candidates with
their factor contributions and evidence."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from graph.core.kinds import NodeKind, node_id
from graph.core.model import PartnerGraph

from graph.analysis.matchmaking.explain import Evidence, explain_institution, explain_land
from graph.analysis.matchmaking.factors import (FACTORS, REGION_CREDIT, context, country_factor, institution_factors,
                                                normalise_weights, weighted_scores)
from graph.analysis.matchmaking.index import MatchIndex, match_index
from graph.analysis.matchmaking.targets import Target

__all__ = ["Candidate", "Ranking", "rank", "rank_laender", "SUBSTANTIVE", "EXCLUSIONS", "WhyNot", "why_not"]


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
class Ranking:
    """The listed candidates, and how many real candidates there are.

    ``total`` counts every candidate that passes the filters and has at
    least one substantive reason (:data:`SUBSTANTIVE`); ``without_reason``
    those left out because their only reasons were sector or recency.
    """

    target: Target
    weights: dict[str, float]
    candidates: list[Candidate] = field(default_factory=list)
    total: int = 0
    without_reason: int = 0

    def to_dict(self, graph: PartnerGraph | None = None) -> dict[str, Any]:
        return {"target": self.target.to_dict(), "weights": self.weights, "total": self.total,
                "without_reason": self.without_reason, "candidates": [c.to_dict(graph) for c in self.candidates]}


#: Factors that are a reason on their own to suggest someone; sector
#: complement and recency only reorder candidates that have one of these.
SUBSTANTIVE: tuple[str, ...] = ("theme", "country", "land", "network")

#: Why a candidate is not on the list, in the order the checks apply.
EXCLUSIONS: tuple[str, ...] = ("involved", "land_filter", "sector_filter", "no_theme", "no_country", "no_reason")


@dataclass
class _Scored:
    """Factor matrix, scores, theme gate and the reasons each row is kept out (one mask per :data:`EXCLUSIONS`)."""

    ids: list[str]
    F: np.ndarray
    scores: np.ndarray
    wn: np.ndarray
    keep: dict[str, np.ndarray]
    gate: np.ndarray
    themed: bool

    def contributions(self, i: int) -> dict[str, float]:
        """Factor → share of row ``i``'s score (they sum to the score)."""
        return {f: float(self.F[i, k] * self.wn[k] * self.gate[i]) for k, f in enumerate(FACTORS)}

    @property
    def eligible(self) -> np.ndarray:
        out = np.ones(len(self.ids), dtype=bool)
        for mask in self.keep.values():
            out &= mask
        return out

    def first_exclusion(self, i: int) -> str | None:
        return next((name for name in EXCLUSIONS if not self.keep[name][i]), None)


def _reason_masks(F: np.ndarray, w: np.ndarray, require_theme: bool, require_country: bool) -> dict[str, np.ndarray]:
    n = F.shape[0]
    counted = [k for k, f in enumerate(FACTORS) if f in SUBSTANTIVE and w[k] > 0]
    return {
        "no_theme": F[:, 0] > 0 if require_theme else np.ones(n, dtype=bool),
        "no_country": F[:, 1] >= 1.0 if require_country else np.ones(n, dtype=bool),
        "no_reason": (F[:, counted] > 0).any(axis=1) if counted else np.zeros(n, dtype=bool),
    }


def _land_codes(idx: MatchIndex, laender: Iterable[str]) -> list[int]:
    return [idx.land_pos.get(l if l.startswith("land:") else node_id(NodeKind.LAND, l), -2) for l in laender]


def _score_institutions(idx: MatchIndex, target: Target, w: Mapping[str, float], *, laender, sectors,
                        require_theme: bool, require_country: bool) -> tuple[_Scored, Any]:
    ctx = context(idx, target)
    F = institution_factors(idx, ctx)
    wn = _weight_vector(w)
    themed = bool(ctx.tw.any())
    scores, gate = weighted_scores(F, wn, themed)
    n = len(idx.institutions)
    involved = np.ones(n, dtype=bool)
    involved[[idx.inst_pos[x] for x in target.exclude if x in idx.inst_pos]] = False
    keep = {"involved": involved,
            "land_filter": np.isin(idx.inst_land, _land_codes(idx, laender)) if laender else np.ones(n, dtype=bool),
            "sector_filter": (idx.sector_mask([idx.sectors.index(s) for s in sectors if s in idx.sectors]) > 0
                              if sectors else np.ones(n, dtype=bool))}
    keep.update(_reason_masks(F, wn, require_theme, require_country))
    return _Scored(idx.institutions, F, scores, wn, keep, gate, themed), ctx


def _score_laender(idx: MatchIndex, target: Target, w: Mapping[str, float], *, laender, sectors,
                   require_theme: bool, require_country: bool) -> tuple[_Scored, Any, np.ndarray, np.ndarray]:
    """Land factors (see :func:`rank_laender`); institution-based parts use only
    institutions of ``sectors`` when given."""
    ctx = context(idx, target)
    nl = len(idx.laender)
    F = np.zeros((nl, len(FACTORS)))
    inst_ok = idx.inst_land >= 0
    inst_ok[[idx.inst_pos[x] for x in target.exclude if x in idx.inst_pos]] = False
    sector_codes = [idx.sectors.index(s) for s in sectors or () if s in idx.sectors]
    if sectors:
        inst_ok &= np.isin(idx.inst_sector, sector_codes)
        members = sp.diags(inst_ok.astype(np.float64))
        LI = idx.LI @ members
        LAT = ((idx.LCof @ idx.PT + LI @ idx.AT) > 0).astype(np.float64)
        LAC = ((idx.LCof @ idx.PC + LI @ idx.AC) > 0).astype(np.float64).tocsr()
        LAR = LAC @ idx.CR
    else:
        LAT, LAC, LAR = idx.LAT, idx.LAC, idx.LAR
    total = ctx.tw.sum()
    if total:  # coverage only: a Land works on many themes, its focus says little
        F[:, 0] = (LAT @ ctx.tw) / total
    if ctx.c.any():
        F[:, 1] = country_factor(LAC, LAR, ctx)
    F[:, 2] = ctx.land_score
    inst_F = institution_factors(idx, ctx)
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
    themed = bool(ctx.tw.any())
    scores, gate = weighted_scores(F, wn, themed)
    involved = np.ones(nl, dtype=bool)
    involved[[idx.land_pos[l] for l in target.laender if l in idx.land_pos]] = False
    has_sector = np.ones(nl, dtype=bool)
    if sectors:
        has_sector = np.zeros(nl, dtype=bool)
        has_sector[idx.inst_land[inst_ok]] = True
    keep = {"involved": involved,
            "land_filter": np.isin(np.arange(nl), _land_codes(idx, laender)) if laender else np.ones(nl, dtype=bool),
            "sector_filter": has_sector}
    keep.update(_reason_masks(F, wn, require_theme, require_country))
    return _Scored(idx.laender, F, scores, wn, keep, gate, themed), ctx, inst_F, inst_ok


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
         require_theme: bool = False, require_country: bool = False, index: MatchIndex | None = None) -> Ranking:
    """Rank institutions not yet involved in ``target``.

    Parameters
    ----------
    weights : factor → weight (defaults :data:`DEFAULT_WEIGHTS`); the score is the weighted mean.
    top : number of candidates returned.
    laender, sectors : keep only institutions of these Länder (``DE-HE`` or ``land:DE-HE``) / sectors.
    diversity : cap candidates per Land (foreign institutions: per country) at ``max_per_land``
        (default 40 % of ``top``, at least 2) and per sector at ``max_per_sector`` (default 60 %);
        capped candidates move behind the others (``Candidate.deferred``).
    require_theme : list only candidates working on a target theme.
    require_country : list only candidates with experience in a target country itself (not only its region).
    explain : attach evidence items (off for evaluation loops).

    A candidate is listed only with at least one substantive reason
    (:data:`SUBSTANTIVE`, a factor above 0 whose weight is above 0): sector
    and recency alone never list anyone. Ties break on the number of
    projects, then the id.
    """
    idx = index or match_index(graph)
    w = normalise_weights(weights)
    scored, ctx = _score_institutions(idx, target, w, laender=laender, sectors=sectors,
                                      require_theme=require_theme, require_country=require_country)
    F, scores = scored.F, scored.scores
    base = scored.keep["involved"] & scored.keep["land_filter"] & scored.keep["sector_filter"]
    mask = scored.eligible
    without_reason = int((base & ~scored.keep["no_reason"] & (scores > 0)).sum())
    cand = np.flatnonzero(mask)
    total = len(cand)
    land_cap, sector_cap = _caps(top, max_per_land, max_per_sector, diversity)
    pool = min(len(cand), top * 10 + 50)
    if pool < len(cand):
        part = np.argpartition(-scores[cand], pool - 1)[:pool]
        cand = cand[part]
    order = cand[np.lexsort((cand, -idx.inst_deg[cand], -scores[cand]))]
    chosen = _diversify(order, [idx.inst_group, idx.inst_sector], [land_cap, sector_cap], top)
    out = []
    for i, deferred in chosen:
        out.append(_institution_candidate(graph, idx, target, ctx, scored, i, explain, deferred))
    return Ranking(target, w, out, total, without_reason)


def _institution_candidate(graph, idx: MatchIndex, target: Target, ctx, scored: _Scored, i: int, explain: bool,
                           deferred: bool = False) -> Candidate:
    factors = {f: float(scored.F[i, k]) for k, f in enumerate(FACTORS)}
    contributions = scored.contributions(i)
    evidence = tuple(explain_institution(graph, idx, target, ctx, i, factors)) if explain else ()
    land = idx.laender[idx.inst_land[i]] if idx.inst_land[i] >= 0 else None
    sector = idx.sectors[idx.inst_sector[i]] if idx.inst_sector[i] >= 0 else None
    return Candidate(idx.institutions[i], float(scored.scores[i]), factors, contributions, evidence, land, sector,
                     deferred)


def rank_laender(graph: PartnerGraph, target: Target, *, weights: Mapping[str, float] | None = None,
                 top: int = 16, laender: Iterable[str] | None = None, sectors: Iterable[str] | None = None,
                 require_theme: bool = False, require_country: bool = False, explain: bool = True,
                 index: MatchIndex | None = None) -> Ranking:
    """Rank the Länder not yet involved in ``target`` with the same factors.

    A Land's theme and country experience come from the projects it
    co-finances and its institutions; network proximity is the best of its
    institutions'; sector complement is the share of the missing sectors it
    has institutions for; recency is its latest co-financed project or
    institution activity.

    ``laender`` keeps only these Länder; ``sectors`` counts only institutions
    of these sectors (a Land without one is left out); the substantive-reason
    rule and ``require_theme`` / ``require_country`` apply as in :func:`rank`.
    """
    idx = index or match_index(graph)
    w = normalise_weights(weights)
    scored, ctx, inst_F, inst_ok = _score_laender(idx, target, w, laender=laender, sectors=sectors,
                                                  require_theme=require_theme, require_country=require_country)
    scores = scored.scores
    base = scored.keep["involved"] & scored.keep["land_filter"] & scored.keep["sector_filter"]
    without_reason = int((base & ~scored.keep["no_reason"] & (scores > 0)).sum())
    eligible = np.flatnonzero(scored.eligible)
    order = sorted(eligible, key=lambda l: (-scores[l], idx.laender[l]))
    out = [_land_candidate(graph, idx, target, ctx, scored, int(l), inst_F, inst_ok, explain) for l in order[:top]]
    return Ranking(target, w, out, len(eligible), without_reason)


def _land_candidate(graph, idx: MatchIndex, target: Target, ctx, scored: _Scored, l: int, inst_F, inst_ok,
                    explain: bool) -> Candidate:
    factors = {f: float(scored.F[l, k]) for k, f in enumerate(FACTORS)}
    contributions = scored.contributions(l)
    evidence = tuple(explain_land(graph, idx, target, ctx, l, factors, inst_F, inst_ok)) if explain else ()
    return Candidate(idx.laender[l], float(scored.scores[l]), factors, contributions, evidence, idx.laender[l])


#: Slider steps tried when asking which single weight would list a candidate.
WEIGHT_STEPS: tuple[float, ...] = tuple(x / 2 for x in range(11))  # 0, 0.5, … 5


@dataclass(frozen=True)
class WhyNot:
    """Why ``node`` is (not) on a ranking, and what would change that.

    ``status`` is ``listed`` (on the list at ``rank``), ``below`` (a real
    candidate at ``rank`` behind the list) or one of :data:`EXCLUSIONS`
    (the first rule that keeps it out). ``cutoff`` is the score of the last
    listed candidate; ``needed`` gives, per factor, the value that factor
    would need (with the current weights) to pass the cutoff, where that is
    at most 1; ``weights`` the nearest single slider weight (0–5 in steps of
    0.5, the others unchanged) that would put it on the list.
    """

    node: str
    status: str
    score: float
    factors: dict[str, float]
    contributions: dict[str, float]
    rank: int | None = None
    cutoff: float | None = None
    needed: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "status": self.status, "score": round(self.score, 4), "rank": self.rank,
                "factors": {k: round(v, 4) for k, v in self.factors.items()},
                "cutoff": None if self.cutoff is None else round(self.cutoff, 4),
                "needed": {k: round(v, 4) for k, v in self.needed.items()}, "weights": self.weights,
                "evidence": [ev.to_dict() for ev in self.evidence]}


def _attainable(factor: str, value: float) -> float:
    """The smallest value ``factor`` can really take at or above ``value``:
    country experience is 0, 0.5 (region) or 1; theme, Land relationship
    (related projects count by their theme fit) and network are continuous.

    >>> _attainable("country", 0.65), _attainable("land", 0.15), _attainable("theme", 0.23)
    (1.0, 0.15, 0.23)
    """
    if factor == "country":
        return REGION_CREDIT if value <= REGION_CREDIT else 1.0
    return value


def _needed(row: np.ndarray, wn: np.ndarray, themed: bool, k: int, cutoff: float) -> float | None:
    """The smallest value of factor ``k`` (others as in ``row``) at which the row
    reaches ``cutoff``, or None when even 1 is not enough (bisection: the score
    grows with every factor, the theme factor also through the gate)."""
    def score(x: float) -> float:
        r = row.copy()
        r[k] = x
        return float(weighted_scores(r[None, :], wn, themed)[0][0])

    lo, hi = float(row[k]), 1.0
    if score(hi) < cutoff:
        return None
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if score(mid) < cutoff else (lo, mid)
    return hi


def _better(scores: np.ndarray, eligible: np.ndarray, i: int) -> int:
    """How many eligible rows score above row ``i``."""
    return int((scores[eligible] > scores[i]).sum())


def why_not(graph: PartnerGraph, target: Target, node: str, ranking: Ranking, *, mode: str = "institution",
            laender: Iterable[str] | None = None, sectors: Iterable[str] | None = None, top: int | None = None,
            require_theme: bool = False, require_country: bool = False, index: MatchIndex | None = None) -> WhyNot:
    """Explain where ``node`` (an institution, or a Land in ``mode="land"``)
    stands against ``ranking`` (made with the same target, weights, filters
    and options), and what would change its rank.

    Raises :class:`~graph.core.errors.PartnernetzError` for a node of the wrong kind.
    """
    from graph.core.errors import PartnernetzError

    idx = index or match_index(graph)
    w = dict(ranking.weights)
    top = top if top is not None else max(len(ranking.candidates), 1)
    opts = dict(laender=laender, sectors=sectors, require_theme=require_theme, require_country=require_country)
    if mode == "land":
        if node not in idx.land_pos:
            raise PartnernetzError(f"not a Land: {node}")
        scored, ctx, inst_F, inst_ok = _score_laender(idx, target, w, **opts)
        i = idx.land_pos[node]
        cand = _land_candidate(graph, idx, target, ctx, scored, i, inst_F, inst_ok, True)
    else:
        if node not in idx.inst_pos:
            raise PartnernetzError(f"not an institution: {node}")
        scored, ctx = _score_institutions(idx, target, w, **opts)
        i = idx.inst_pos[node]
        cand = _institution_candidate(graph, idx, target, ctx, scored, i, True)
    listed = [c.node for c in ranking.candidates]
    cutoff = ranking.candidates[-1].score if ranking.candidates else None
    base = dict(node=node, score=cand.score, factors=cand.factors, contributions=cand.contributions,
                cutoff=cutoff, evidence=cand.evidence)
    if node in listed:
        return WhyNot(status="listed", rank=listed.index(node) + 1, **base)
    excluded = scored.first_exclusion(i)
    if excluded is not None:
        return WhyNot(status=excluded, **base)
    rank_ = _better(scored.scores, scored.eligible, i) + 1
    needed: dict[str, float] = {}
    if cutoff is not None:
        for k, f in enumerate(FACTORS):
            if f in SUBSTANTIVE and scored.wn[k] > 0:
                value = _needed(scored.F[i], scored.wn, scored.themed, k, cutoff + 1e-6)
                if value is not None and _attainable(f, value) <= 1.0:
                    needed[f] = float(max(_attainable(f, value), scored.F[i, k]))
    weights: dict[str, float] = {}
    fixed = {name: mask for name, mask in scored.keep.items() if name != "no_reason"}
    fixed_ok = np.logical_and.reduce(list(fixed.values()))
    for k, f in enumerate(FACTORS):
        if f not in SUBSTANTIVE or scored.F[i, k] <= 0:
            continue
        for step in sorted(WEIGHT_STEPS, key=lambda s: abs(s - w[f])):
            if step <= w[f]:
                continue
            trial = _weight_vector({**w, f: step})
            scores, _ = weighted_scores(scored.F, trial, scored.themed)
            eligible = fixed_ok & _reason_masks(scored.F, trial, require_theme, require_country)["no_reason"]
            if _better(scores, eligible, i) < top:
                weights[f] = step
                break
    return WhyNot(status="below", rank=rank_, needed=needed, weights=weights, **base)

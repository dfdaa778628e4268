"""Ranking: the weighted score of every candidate, the diversity rule
(one Land or sector does not fill the list) and the ranked candidates with
their factor contributions and evidence."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from graph.core.kinds import NodeKind, node_id
from graph.core.model import PartnerGraph

from graph.analysis.matchmaking.explain import Evidence, explain_institution, explain_land
from graph.analysis.matchmaking.factors import FACTORS, context, country_factor, institution_factors, normalise_weights
from graph.analysis.matchmaking.index import MatchIndex, match_index
from graph.analysis.matchmaking.targets import Target

__all__ = ["Candidate", "Ranking", "rank", "rank_laender"]


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
    target: Target
    weights: dict[str, float]
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self, graph: PartnerGraph | None = None) -> dict[str, Any]:
        return {"target": self.target.to_dict(), "weights": self.weights,
                "candidates": [c.to_dict(graph) for c in self.candidates]}



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
    ctx = context(idx, target)
    F = institution_factors(idx, ctx)
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
        evidence = tuple(explain_institution(graph, idx, target, ctx, i, factors)) if explain else ()
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
    ctx = context(idx, target)
    nl = len(idx.laender)
    F = np.zeros((nl, len(FACTORS)))
    if ctx.t.sum():
        F[:, 0] = (idx.LAT @ ctx.t) / ctx.t.sum()
    if ctx.c.any():
        F[:, 1] = country_factor(idx.LAC, idx.LAR, ctx)
    F[:, 2] = ctx.land_score
    inst_F = institution_factors(idx, ctx)
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
        evidence = tuple(explain_land(graph, idx, target, ctx, l, factors, inst_F, inst_ok)) if explain else ()
        out.append(Candidate(idx.laender[l], float(scores[l]), factors, contributions, evidence, idx.laender[l]))
    return Ranking(target, w, out)

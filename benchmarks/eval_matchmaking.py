"""Offline evaluation of matchmaking: leave-one-out over real participations.

For every participation (institution ``i`` in project ``p``) of the dataset,
the edge is hidden, the index rebuilt on the remaining graph, and all
institutions not (still) taking part in ``p`` are ranked for ``p``. We report

* hit-rate@10: share of hidden participations whose institution lands in the top 10;
* MRR: mean reciprocal rank of the hidden institution;

for the full model, for each factor alone, and for a popularity baseline
(institutions with the most projects first). Ties are broken at random in
expectation: an institution tied with ``t`` others behind ``h`` better ones is
equally likely at every position ``h+1 … h+t``, so constant or coarse scores
get no lucky ordering. "full model + diversity" scores the list as the
product shows it (Land/sector caps applied, and only candidates with a
substantive reason — theme, country, Land or network — listed). The theme
factor weighs each theme by its rarity (IDF), and when the target names
themes every score is multiplied by the theme gate (see
``graph.analysis.matchmaking.factors.theme_gate``); before/after figures
are in the README.

Leakage: in the bundled sample an institution's ``works_on`` themes are the
union of its projects' themes (data/sample/SOURCES.md), so they would give
the hidden project away. By default (``--profile derived``) the held-out
institution also loses the declared themes that none of its remaining
projects backs. ``--profile kept`` keeps declared themes as they are (right
for data whose institution profiles are collected independently).

    python benchmarks/eval_matchmaking.py [--data PATH] [--k 10] [--profile derived|kept]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.analysis.matchmaking import DEFAULT_WEIGHTS, FACTORS, MatchIndex, factor_scores, project_target, rank  # noqa: E402
from graph.analysis.matchmaking.factors import weighted_scores  # noqa: E402
from graph.core.model import PartnerGraph  # noqa: E402

__all__ = ["Result", "evaluate", "format_table"]


@dataclass
class Result:
    model: str
    hits: float = 0.0
    rr: float = 0.0
    n: int = 0

    @property
    def hit_rate(self) -> float:
        return self.hits / self.n if self.n else 0.0

    @property
    def mrr(self) -> float:
        return self.rr / self.n if self.n else 0.0


def _expected(scores: np.ndarray, mask: np.ndarray, i: int, k: int) -> tuple[float, float]:
    """Expected hit@k and reciprocal rank of ``i`` under random tie-breaking."""
    s = scores[mask]
    better = int((s > scores[i]).sum())
    tied = int((s == scores[i]).sum())  # includes i itself
    positions = np.arange(better + 1, better + tied + 1)
    return float((positions <= k).mean()), float((1.0 / positions).mean())


def _without(graph: PartnerGraph, u: str, v: str, key: str, *, derived_profile: bool) -> PartnerGraph:
    """``graph`` without the participation ``u -> v`` (and, for derived
    profiles, without ``u``'s declared themes its other projects do not back)."""
    h = graph.copy()
    h.remove_edge_key(u, v, key)
    if derived_profile:
        backed = {t for _, p, d in h.nx.out_edges(u, data=True) if d["kind"] == "participates_in"
                  for _, t, e in h.nx.out_edges(p, data=True) if e["kind"] == "addresses"}
        for _, t, k, d in list(h.nx.out_edges(u, keys=True, data=True)):
            if d["kind"] == "works_on" and t not in backed:
                h.remove_edge_key(u, t, k)
    return h


def evaluate(graph: PartnerGraph, *, k: int = 10, derived_profile: bool = True) -> list[Result]:
    """Leave-one-out results for every model, in table order."""
    weight_sets = {"full model": dict(DEFAULT_WEIGHTS)}
    for f in FACTORS:
        weight_sets[f"{f} only"] = {g: (1.0 if g == f else 0.0) for g in FACTORS}
    results = {name: Result(name) for name in [*weight_sets, "full model + diversity", "popularity baseline"]}
    edges = [(u, v, key) for u, v, key, kind in graph.nx.edges(keys=True, data="kind") if kind == "participates_in"]
    for u, v, key in edges:
        h = _without(graph, u, v, key, derived_profile=derived_profile)
        if h.nx.has_edge(u, v):  # same institution in another role: not hidden
            continue
        idx = MatchIndex(h)
        target = project_target(h, v)
        ids, F = factor_scores(h, target, index=idx)
        i = idx.inst_pos[u]
        mask = np.ones(len(ids), dtype=bool)
        mask[[idx.inst_pos[x] for x in target.exclude]] = False
        for name, weights in weight_sets.items():
            w = np.array([weights[f] for f in FACTORS])
            hit, rr = _expected(weighted_scores(F, w / w.sum(), bool(target.themes))[0], mask, i, k)
            results[name].hits += hit
            results[name].rr += rr
            results[name].n += 1
        hit, rr = _expected(idx.inst_deg.astype(float), mask, i, k)
        results["popularity baseline"].hits += hit
        results["popularity baseline"].rr += rr
        results["popularity baseline"].n += 1
        shown = [c.node for c in rank(h, target, top=len(ids), explain=False, index=idx).candidates]
        pos = shown.index(u) + 1 if u in shown else None
        results["full model + diversity"].hits += float(pos is not None and pos <= k)
        results["full model + diversity"].rr += 1.0 / pos if pos else 0.0
        results["full model + diversity"].n += 1
    return list(results.values())


def format_table(results: list[Result], *, k: int = 10) -> str:
    lines = [f"| model | hit-rate@{k} | MRR | n |", "|---|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.model} | {r.hit_rate:.3f} | {r.mrr:.3f} | {r.n} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from loaders import SAMPLE_PATH, load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", action="append", help="dataset (default: the bundled sample)")
    parser.add_argument("--k", type=int, default=10, help="cut-off for the hit rate (default 10)")
    parser.add_argument("--profile", choices=("derived", "kept"), default="derived",
                        help="derived (default): drop the held-out institution's declared themes its other "
                             "projects do not back; kept: keep declared themes")
    args = parser.parse_args(argv)
    graph = (load(*args.data) if args.data else load(SAMPLE_PATH)).graph
    n_inst = sum(1 for _ in graph.nodes("institution"))
    t0 = time.perf_counter()
    results = evaluate(graph, k=args.k, derived_profile=args.profile == "derived")
    elapsed = time.perf_counter() - t0
    print(f"Leave-one-out over {results[0].n} participations, {n_inst} institutions, "
          f"institution themes {args.profile} ({elapsed:.1f} s)\n")
    print(format_table(results, k=args.k))
    full = next(r for r in results if r.model == "full model")
    base = next(r for r in results if r.model == "popularity baseline")
    beats = full.hit_rate > base.hit_rate and full.mrr > base.mrr
    print(f"\nfull model beats the popularity baseline: {'yes' if beats else 'NO'}")
    return 0 if beats else 1


if __name__ == "__main__":
    sys.exit(main())

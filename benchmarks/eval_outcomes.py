"""Learning from outcomes: how did past shortlists fare?

From the pipeline outcomes of saved shortlists (accepted, declined, still
open), compute the acceptance rate by the rank a candidate had and, per
matchmaking factor, for candidates where the factor was high against those
where it was low — with the pipeline's own functions
(:func:`graph.followup.pipeline.acceptance_by_rank`,
:func:`~graph.followup.pipeline.acceptance_by_factor`), so the figures are
the ones the Pipeline page shows. A factor that weighs in the ranking but
goes with no higher acceptance in reality is a weight to check.

Two sources:

* ``--workspace PATH`` — the shortlists saved in a workspace (real outcomes);
* ``--synthetic N`` (default) — N shortlists of the top-10 matchmaking
  candidates for the sample's projects, with outcomes drawn by a seeded
  model in which acceptance depends on *hidden* factor preferences
  (``TRUE_EFFECTS``: theme and country matter, network hardly). The
  evaluation should find those preferences back — a check of the method,
  and a demo. ``--demo-workspace PATH`` also writes them as shortlists with
  their pipeline moves into a new sample workspace, for the Pipeline page.

    python benchmarks/eval_outcomes.py [--synthetic 40] [--seed 7] [--demo-workspace /tmp/demo.sqlite]
    python benchmarks/eval_outcomes.py --workspace ~/partnernetz.sqlite
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.analysis.matchmaking import DEFAULT_WEIGHTS, FACTORS, match_index, project_target, rank  # noqa: E402
from graph.core.model import PartnerGraph  # noqa: E402
from graph.followup.pipeline import (  # noqa: E402
    REASONS, PipelineItem, RankOutcome, Status, acceptance_by_factor, acceptance_by_rank,
)

__all__ = ["TRUE_EFFECTS", "synthetic_shortlists", "draw_outcomes", "report", "main"]

#: The hidden model of the synthetic outcomes: log-odds of acceptance per unit of each factor
#: (plus a base and a small rank penalty). Theme and country fit win partners; network hardly matters.
TRUE_EFFECTS = {"theme": 2.0, "country": 1.5, "land": 0.5, "network": 0.0, "sector": 0.3, "recency": 0.5}
BASE_LOG_ODDS = -1.6
RANK_PENALTY = 0.08
DECIDED_SHARE = 0.75  # the rest is still open (asked, deferred or not yet asked)


def synthetic_shortlists(graph: PartnerGraph, n: int, *, seed: int = 7, top: int = 10) -> list[list[PipelineItem]]:
    """``n`` shortlists: the top-``top`` candidates for projects drawn (seeded) from ``graph``."""
    rng = random.Random(seed)
    projects = sorted(graph.nodes("project"))
    index = match_index(graph)
    out = []
    for number in range(1, n + 1):
        target = project_target(graph, rng.choice(projects))
        ranking = rank(graph, target, top=top, index=index, explain=False)
        out.append([PipelineItem(shortlist=number, node=c.node, rank=r, score=round(float(c.score), 4),
                                 factors={k: round(float(v), 4) for k, v in c.factors.items()},
                                 label=graph.label(c.node), land=c.land, sector=c.sector)
                    for r, c in enumerate(ranking.candidates, 1)])
    return out


def acceptance_probability(item: PipelineItem) -> float:
    """The hidden model's chance that a decided candidate accepts."""
    z = BASE_LOG_ODDS - RANK_PENALTY * (item.rank - 1)
    z += sum(effect * float(item.factors.get(f, 0.0)) for f, effect in TRUE_EFFECTS.items())
    return 1.0 / (1.0 + math.exp(-z))


def draw_outcomes(shortlists: Sequence[Sequence[PipelineItem]], *, seed: int = 7) -> list[PipelineItem]:
    """Every candidate with an outcome drawn from the hidden model (seeded)."""
    rng = random.Random(seed * 7919 + 1)
    out = []
    for items in shortlists:
        for item in items:
            if rng.random() >= DECIDED_SHARE:
                status = rng.choice([Status.PROPOSED, Status.ASKED, Status.DEFERRED])
                out.append(replace(item, status=status, reason="timing" if status == Status.DEFERRED else None))
            elif rng.random() < acceptance_probability(item):
                out.append(replace(item, status=Status.ACCEPTED))
            else:
                out.append(replace(item, status=Status.DECLINED, reason=rng.choice(REASONS[:-1])))
    return out


def _rate(o: RankOutcome) -> str:
    return "   –" if o.acceptance is None else f"{o.acceptance:4.0%}"


def report(items: Sequence[PipelineItem]) -> str:
    """The two tables as text: by rank band, and by factor (high ≥ 0.5 against low)."""
    decided = sum(i.status in (Status.ACCEPTED, Status.DECLINED) for i in items)
    lines = [f"{len(items)} candidates, {decided} decided, "
             f"{sum(i.status == Status.ACCEPTED for i in items)} accepted", "",
             "acceptance by rank", "| rank | decided | accepted | rate | open |", "|---|---:|---:|---:|---:|"]
    for o in acceptance_by_rank(items):
        lines.append(f"| {o.group} | {o.decided} | {o.accepted} | {_rate(o).strip()} | {o.open} |")
    lines += ["", "acceptance by factor (high: factor ≥ 0.5)",
              "| factor | weight | rate high | rate low | lift |", "|---|---:|---:|---:|---:|"]
    for f, hi, lo in acceptance_by_factor(items, list(FACTORS)):
        lift = "–" if hi.acceptance is None or lo.acceptance is None else f"{(hi.acceptance - lo.acceptance) * 100:+.0f} pt"
        lines.append(f"| {f} | {DEFAULT_WEIGHTS.get(f, 0):g} | {_rate(hi).strip()} ({hi.accepted}/{hi.decided}) | "
                     f"{_rate(lo).strip()} ({lo.accepted}/{lo.decided}) | {lift} |")
    return "\n".join(lines)


def write_demo(path: Path, shortlists: Sequence[Sequence[PipelineItem]], outcomes: Sequence[PipelineItem]) -> None:
    """A new sample workspace at ``path`` holding the shortlists and, as pipeline moves, their outcomes."""
    from loaders.workspace.followup import FollowUp
    from loaders.workspace.location import create_workspace

    fu = FollowUp(create_workspace(path, sample=True, user="demo"))
    final = {(i.shortlist, i.node): i for i in outcomes}
    for items in shortlists:
        sid = fu.save_shortlist(f"Demo {items[0].shortlist}", owner="demo", target={}, settings={"demo": True},
                                items=items)
        for item in items:
            done = final[(item.shortlist, item.node)]
            steps = {Status.PROPOSED: [], Status.ASKED: [Status.ASKED], Status.DEFERRED: [Status.DEFERRED],
                     Status.ACCEPTED: [Status.ASKED, Status.ACCEPTED], Status.DECLINED: [Status.ASKED, Status.DECLINED]}
            for to in steps[done.status]:
                fu.move(sid, item.node, to, user="demo", reason=done.reason if to == done.status else None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", help="evaluate the shortlists saved in this workspace")
    parser.add_argument("--synthetic", type=int, default=40, help="number of synthetic shortlists (default 40)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--demo-workspace", help="also write the synthetic shortlists into a new workspace here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.workspace:
        from loaders.workspace import WorkspaceFile
        from loaders.workspace.followup import FollowUp

        items = FollowUp(WorkspaceFile(args.workspace)).items()
        source = f"workspace {args.workspace}"
    else:
        from loaders import load

        graph = load().graph
        shortlists = synthetic_shortlists(graph, args.synthetic, seed=args.seed)
        items = draw_outcomes(shortlists, seed=args.seed)
        source = (f"{args.synthetic} synthetic shortlists on the sample (seed {args.seed}; hidden effects "
                  + ", ".join(f"{k} {v:g}" for k, v in TRUE_EFFECTS.items()) + ")")
        if args.demo_workspace:
            write_demo(Path(args.demo_workspace), shortlists, items)
            source += f"; written to {args.demo_workspace}"
    print(f"# Outcomes of past shortlists — {source}")
    print(report(items))
    print(f"\n{time.perf_counter() - started:.1f} s, load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

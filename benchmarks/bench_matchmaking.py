"""Latency of matchmaking on a large synthetic graph.

Builds a heavy-tailed synthetic PartnerGraph (default 100,000 institutions),
builds the :class:`~graph.analysis.matchmaking.MatchIndex` once, then times ranking
for single projects (top 10 with explanations, diversity rule on), for a
partner country with a theme, for an institution, and for the Länder.
Target: ≤ 100 ms per project ranking.

By default the graph is generated here, straight into the model:
institution activity and project size follow Zipf-like distributions, so a
few institutions take part in thousands of projects and most in none or one.
``--generator loaders`` instead writes a dataset with ``loaders.synthetic``
(``--nodes`` total nodes, about 18 % of them institutions) and loads it
through the real CSV load path (slow at 100k institutions).

    python benchmarks/bench_matchmaking.py [--institutions 100000] [--repeat 20] [--seed 1]
    python benchmarks/bench_matchmaking.py --generator loaders --nodes 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.core.kinds import Sector  # noqa: E402
from graph.analysis.matchmaking import (  # noqa: E402
    country_target, institution_target, match_index, project_target, rank, rank_laender,
)
from graph.core.model import PartnerGraph  # noqa: E402
from graph.core.reference import LAENDER  # noqa: E402

__all__ = ["synthetic_graph"]

COUNTRIES = ("ETH", "KEN", "TZA", "UGA", "RWA", "MOZ", "NAM", "ZAF", "GHA", "SEN", "BEN", "TUN", "MAR", "EGY",
             "PER", "BOL", "MEX", "NIC", "COL", "BRA", "IND", "VNM", "IDN", "PHL", "UKR", "MDA", "GEO", "JOR")
THEMES = ("economic_development", "vocational_training", "governance", "climate_environment", "energy", "water",
          "health", "pandemic_resilience", "mining", "agriculture", "digitalisation", "urban_development",
          "mobility", "gender")


def synthetic_graph(n_institutions: int = 100_000, *, seed: int = 1) -> PartnerGraph:
    """A heavy-tailed synthetic partner graph with ``n_institutions`` institutions.

    Nodes and edges go in through ``put_node``/``put_edge`` (the per-edge
    checks of ``add_edge`` would dominate the set-up time); kinds, attributes
    and edge directions follow the model.
    """
    rng = np.random.default_rng(seed)
    g = PartnerGraph()
    src = "synthetic"
    for c in COUNTRIES:
        g.add_country(c)
    g.add_country("DEU")
    for t in THEMES:
        g.add_node("theme", t, label=t, label_en=t, illustrative=True)
    n_projects = max(10, n_institutions // 5)
    sectors = [s.value for s in Sector]
    sector_p = np.array([0.25, 0.15, 0.2, 0.3, 0.05, 0.05])
    land_codes = [land.code for land in LAENDER]
    inst_ids = [f"institution:s{i}" for i in range(n_institutions)]
    foreign = rng.random(n_institutions) < 0.3
    inst_sector = rng.choice(len(sectors), size=n_institutions, p=sector_p)
    inst_land = rng.integers(0, len(land_codes), size=n_institutions)
    inst_country = rng.integers(0, len(COUNTRIES), size=n_institutions)
    for i, nid in enumerate(inst_ids):
        attrs = {"kind": "institution", "label": f"Institution {i}", "sector": sectors[inst_sector[i]],
                 "illustrative": True}
        if foreign[i]:
            attrs["country"] = COUNTRIES[inst_country[i]]
            g.put_node(nid, **attrs)
            g.put_edge(nid, f"country:{attrs['country']}", "located_in", kind="located_in", source=src)
        else:
            attrs["land"] = land_codes[inst_land[i]]
            attrs["country"] = "DEU"
            g.put_node(nid, **attrs)
            g.put_edge(nid, f"land:{attrs['land']}", "located_in", kind="located_in", source=src)
        for t in rng.choice(len(THEMES), size=rng.integers(1, 4), replace=False):
            g.put_edge(nid, f"theme:{THEMES[t]}", "works_on", kind="works_on", source=src)
    # heavy-tailed activity: Zipf weights over institutions
    activity = 1.0 / np.arange(1, n_institutions + 1) ** 0.9
    activity = activity[rng.permutation(n_institutions)]
    activity /= activity.sum()
    sizes = np.minimum(rng.zipf(2.0, size=n_projects) + 1, 60)
    for j in range(n_projects):
        pid = f"project:S{j}"
        start = int(rng.integers(2012, 2026))
        g.put_node(pid, kind="project", label=f"Projekt {j}", start_year=start, end_year=start + int(rng.integers(1, 4)),
                    status="completed" if start < 2022 else "active", illustrative=True)
        c = COUNTRIES[int(rng.integers(0, len(COUNTRIES)))]
        g.put_edge(pid, f"country:{c}", "implemented_in", kind="implemented_in", source=src)
        for t in rng.choice(len(THEMES), size=rng.integers(1, 3), replace=False):
            g.put_edge(pid, f"theme:{THEMES[t]}", "addresses", kind="addresses", source=src)
        members = rng.choice(n_institutions, size=int(sizes[j]), replace=False, p=activity)
        for m in members:
            g.put_edge(inst_ids[m], pid, "participates_in", kind="participates_in", role="partner", source=src)
        land = land_codes[int(rng.integers(0, len(land_codes)))]
        g.put_edge(f"land:{land}", pid, "cofinances", kind="cofinances", contribution="money", source=src)
    for land in land_codes:
        for c in rng.choice(len(COUNTRIES), size=3, replace=False):
            g.put_edge(f"land:{land}", f"country:{COUNTRIES[c]}", "partners_with", kind="partners_with",
                        since=int(rng.integers(1980, 2020)), source=src)
    g.add_node("theme", THEMES[0], label=THEMES[0], label_en=THEMES[0], illustrative=True)  # bump generation
    return g


def _time(fn, repeat: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per run; CPU time is steadier on a shared machine."""
    out = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    return out


def _graph(args: argparse.Namespace) -> PartnerGraph:
    if args.generator == "direct":
        return synthetic_graph(args.institutions, seed=args.seed)
    import tempfile

    from loaders import load
    from loaders.synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, nodes=args.nodes, seed=args.seed)
        return load(tmp).graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="projects timed (one ranking each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generator", choices=("direct", "loaders"), default="direct",
                        help="direct (default): generate here; loaders: loaders.synthetic + the CSV load path")
    parser.add_argument("--nodes", type=int, default=100_000, help="total nodes for --generator loaders")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    g = _graph(args)
    t_build = time.perf_counter() - t0
    counts = g.counts_by_kind()
    print(f"synthetic graph: {counts['institution']:,} institutions, {counts['project']:,} projects, "
          f"{g.nx.number_of_edges():,} edges (built in {t_build:.1f} s)")
    t0 = time.perf_counter()
    idx = match_index(g)
    print(f"index build (once per graph generation): {(time.perf_counter() - t0) * 1000:.0f} ms")

    rng = np.random.default_rng(args.seed)
    projects = [idx.projects[j] for j in rng.choice(len(idx.projects), size=args.repeat, replace=False)]
    big = max(idx.projects, key=lambda p: idx.proj_deg[idx.proj_pos[p]])
    rows = []

    per_project = []
    for p in projects:
        per_project += _time(lambda p=p: rank(g, project_target(g, p), top=10), 1)
    rows.append(("rank one project (top 10, explained)", per_project))
    rows.append(("largest project (%d participants)" % idx.proj_deg[idx.proj_pos[big]],
                 _time(lambda: rank(g, project_target(g, big), top=10), 5)))
    rows.append(("rank one project, no explanations",
                 _time(lambda: rank(g, project_target(g, projects[0]), top=10, explain=False), 10)))
    rows.append(("Länder for one project", _time(lambda: rank_laender(g, project_target(g, projects[0])), 10)))
    rows.append(("country + theme (ETH, vocational_training)",
                 _time(lambda: rank(g, country_target(g, "ETH", ["vocational_training"]), top=10), 5)))
    hub = idx.institutions[int(np.argmax(idx.inst_deg))]
    rows.append((f"institution (hub, {int(idx.inst_deg.max())} projects)",
                 _time(lambda: rank(g, institution_target(g, hub), top=10), 5)))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(load average {load:.1f} on {os.cpu_count()} CPUs)")
    print("| operation | median wall ms | p95 wall ms | median CPU ms | runs |\n|---|---:|---:|---:|---:|")
    for name, runs in rows:
        wall = sorted(w for w, _ in runs)
        cpu = [c for _, c in runs]
        p95 = wall[min(len(wall) - 1, int(round(0.95 * (len(wall) - 1))))]
        print(f"| {name} | {statistics.median(wall):.1f} | {p95:.1f} | {statistics.median(cpu):.1f} | {len(runs)} |")
    ok = statistics.median(w for w, _ in per_project) <= 100
    print(f"\nmedian project ranking ≤ 100 ms: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

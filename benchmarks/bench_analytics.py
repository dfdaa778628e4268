"""Benchmark: analytics precompute time and peak memory at 10k and 100k nodes.

Builds a heavy-tailed synthetic PartnerGraph — with ``loaders.synthetic``
(issue 9: canonical CSV files loaded through the real loader) when it is
there, else with the small generator below (``--generator builtin``) — then
times, in a fresh subprocess per run so peak memory is clean:

* ``metrics`` — :func:`graph.analysis.analytics.compute` (projection, degree,
  betweenness, PageRank, Louvain, articulation points, bridges) on the igraph
  backend and on plain networkx;
* ``page`` — everything the Analysen page precomputes once per dataset
  (metrics + the five Land × country matrices, theme × Land, white spots,
  timeline, one period comparison).

Peak memory is the rise of the peak RSS over the RSS with the graph loaded
(the kernel's peak mark is reset after loading, Linux ``clear_refs``), i.e.
what the precompute needed on top of the graph.

    python benchmarks/bench_analytics.py                 # 10k and 100k, both backends
    python benchmarks/bench_analytics.py --sizes 10000 --timeout 300
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.core.kinds import CofinanceKind  # noqa: E402
from graph.core.model import PartnerGraph  # noqa: E402
from graph.core.reference import LAENDER, all_countries  # noqa: E402


def synthetic_graph(n_nodes: int, *, seed: int = 42) -> PartnerGraph:
    """About ``n_nodes`` nodes: 60 % institutions, 33 % projects, rest fixed
    vocabularies. Project sizes and institution activity are heavy-tailed
    (Pareto), so a few hubs take part in very many projects."""
    rng = random.Random(seed)
    g = PartnerGraph()
    countries = [c.alpha3 for c in all_countries() if c.alpha3 != "DEU"][:120]
    for c in countries:
        g.add_country(c)
    themes = [f"theme{k}" for k in range(14)]
    for th in themes:
        g.add_node("theme", th, label=th, illustrative=True)
    n_inst = int(n_nodes * 0.6)
    n_proj = max(1, n_nodes - n_inst - len(g))  # total ≈ n_nodes
    laender = [land.code for land in LAENDER]
    insts = []
    for k in range(n_inst):
        german = rng.random() < 0.6
        insts.append(g.add_node("institution", f"i{k}", label=f"Institution {k}", illustrative=True,
                                sector="science", land=rng.choice(laender) if german else None,
                                country="DEU" if german else rng.choice(countries)))
    activity = [rng.paretovariate(1.3) for _ in insts]
    kinds = CofinanceKind.values()
    for k in range(n_proj):
        start = rng.randint(2015, 2026)
        phase = "pilot" if start < 2019 else "II" if start < 2023 else "III"
        p = g.add_node("project", f"p{k}", label=f"Projekt {k}", illustrative=True, start_year=start,
                       end_year=start + rng.randint(0, 4), phase=phase, status="active")
        size = min(200, 1 + int(rng.paretovariate(1.6)))
        for inst in set(rng.choices(insts, weights=activity, k=size)):
            g.add_edge(inst, p, "participates_in", illustrative=True)
        for c in rng.sample(countries[:60], rng.choice([1, 1, 1, 2])):
            g.add_edge(p, f"country:{c}", "implemented_in", illustrative=True)
        for th in rng.sample(themes, rng.randint(1, 3)):
            g.add_edge(p, f"theme:{th}", "addresses", illustrative=True)
        if rng.random() < 0.5:
            g.add_edge(f"land:{rng.choice(laender)}", p, "cofinances", illustrative=True,
                       contribution=rng.choice(kinds), amount_eur=rng.choice([None, 10000, 50000]))
    for land in laender:
        for c in rng.sample(countries[:80], 4):
            g.add_edge(f"land:{land}", f"country:{c}", "partners_with", illustrative=True)
    return g


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> float:
    """Reset the kernel's peak-RSS mark (Linux ``clear_refs`` 5) and return
    the current RSS; falls back to the max RSS so far where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        rss = _status_mb("VmRSS")
        if rss is not None:
            return rss
    except OSError:
        pass
    return _maxrss_mb()


def _peak_since_reset() -> float:
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else _maxrss_mb()


def _has_issue9_generator() -> bool:
    try:
        import loaders.synthetic  # noqa: F401
    except ImportError:
        return False
    return True


def build_graph(n: int, generator: str) -> PartnerGraph:
    if generator == "builtin":
        return synthetic_graph(n)
    import tempfile

    from loaders import load
    from loaders.synthetic import generate

    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, nodes=n, seed=1)
        return load(tmp).graph


def run_one(n: int, backend: str, what: str, generator: str = "builtin") -> dict:
    t0 = time.perf_counter()
    g = build_graph(n, generator)
    build = time.perf_counter() - t0
    import gc

    gc.collect()
    base = _reset_peak()
    t0 = time.perf_counter()
    from graph.analysis.analytics import compute
    res = compute(g, backend=backend)
    metrics_s = time.perf_counter() - t0
    page_s = None
    if what == "page":
        from graph.analysis.matrices import LAND_COUNTRY_MEASURES, land_country_matrix, project_index, theme_land_matrix, white_spots
        from graph.analysis.periods import compare_periods, timeline
        t1 = time.perf_counter()
        ix = project_index(g)
        for m in LAND_COUNTRY_MEASURES:
            land_country_matrix(g, measure=m, index=ix)
        theme_land_matrix(g, index=ix)
        white_spots(g, index=ix)
        timeline(g)
        compare_periods(g, "pilot", "II", index=ix)
        page_s = metrics_s + time.perf_counter() - t1
    return {"n": len(g), "edges": g.nx.number_of_edges(), "backend": res.backend, "build_s": build,
            "metrics_s": metrics_s, "page_s": page_s, "peak_mb": _peak_since_reset() - base, "base_mb": base,
            "projection_nodes": len(res.nodes), "projection_edges": res.n_edges,
            "sampled": res.betweenness_samples}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--backends", nargs="+", default=["igraph", "networkx"])
    ap.add_argument("--timeout", type=float, default=900, help="seconds per run before giving up")
    ap.add_argument("--generator", choices=["synthetic", "builtin"],
                    default="synthetic" if _has_issue9_generator() else "builtin",
                    help="loaders.synthetic (issue 9, default when present) or the generator in this script")
    ap.add_argument("--one", nargs=3, metavar=("N", "BACKEND", "WHAT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], args.one[2], args.generator)))
        return 0
    print(f"generator: {args.generator}", file=sys.stderr)
    rows = []
    for n in args.sizes:
        for backend in args.backends:
            what = "page" if backend == "igraph" else "metrics"
            try:
                out = subprocess.run([sys.executable, __file__, "--one", str(n), backend, what,
                                      "--generator", args.generator], capture_output=True,
                                     text=True, timeout=args.timeout, check=True)
                rows.append({"size": n, **json.loads(out.stdout.strip().splitlines()[-1])})
            except subprocess.TimeoutExpired:
                rows.append({"size": n, "backend": backend, "timeout": args.timeout})
            except subprocess.CalledProcessError as exc:
                rows.append({"size": n, "backend": backend, "error": exc.stderr.strip().splitlines()[-1]})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(f"generator: {args.generator}")
    print("| nodes | edges | projection (nodes / links) | backend | betweenness | metrics s | page precompute s | peak RSS over loaded graph, MB | ratio networkx / igraph |")
    print("|---|---|---|---|---|---|---|---|---|")
    by = {(r["size"], r["backend"]): r for r in rows}
    for r in rows:
        if "metrics_s" not in r:
            print(f"| {r['size']:,} | | | {r['backend']} | | {'> %ss (stopped)' % r['timeout'] if 'timeout' in r else r.get('error')} | | | |")
            continue
        other = by.get((r["size"], "networkx" if r["backend"] == "igraph" else "igraph"), {})
        ratio = ""
        if "metrics_s" in other:
            nx_s = r["metrics_s"] if r["backend"] == "networkx" else other["metrics_s"]
            ig_s = other["metrics_s"] if r["backend"] == "networkx" else r["metrics_s"]
            ratio = f"{nx_s / ig_s:.1f}×"
        elif "timeout" in other and r["backend"] == "igraph":
            ratio = f"> {other['timeout'] / r['metrics_s']:.0f}×"
        bc = f"sampled ({r['sampled']} sources)" if r["sampled"] else "exact"
        page = f"{r['page_s']:.1f}" if r["page_s"] is not None else "–"
        print(f"| {r['n']:,} | {r['edges']:,} | {r['projection_nodes']:,} / {r['projection_edges']:,} | {r['backend']} | {bc} "
              f"| {r['metrics_s']:.2f} | {page} | {r['peak_mb']:.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Server-side latency of the network explorer's queries (not a test).

Times search, ego network (radius 1 and 2), k shortest paths, the aggregated
overview and a whole Netzwerk view (query + elements + positions) over
>= 50 calls each, on the bundled sample and on a large synthetic graph
(``loaders.synthetic``, heavy-tailed degrees), and prints p50/p95/max in ms.
One-time index builds (search index, project facts) are
timed separately: they happen once per dataset, not per request.

    python -m benchmarks.bench_explorer                 # sample + 20,000-node synthetic
    python -m benchmarks.bench_explorer --nodes 50000 --calls 100
    python -m benchmarks.bench_explorer --no-synthetic
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.elements import explorer_elements  # noqa: E402
from graph.core.kinds import NodeKind, key_of  # noqa: E402
from graph.core.model import PartnerGraph  # noqa: E402
from graph.explore import GraphFilter, STRICT_PATH_EDGES, ego_network, overview, project_facts, shortest_paths
from graph.view import explorer_view
from graph.explore.search import search, search_index_size  # noqa: E402

QUERIES = ["tansania", "Wuerzburg", "wasser", "Niedersachen", "berufsbildung", "GIZ", "universitat", "Ministry",
           "energie", "Hamburg", "ruanda", "stadtwerke", "Kenia", "Klima", "hochschule", "Bayern", "digital",
           "Agentur", "Mueller", "Schule"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def run(name: str, calls: list[Callable[[], object]]) -> tuple[str, int, float, float, float]:
    ms = [timed(c) for c in calls]
    return name, len(ms), statistics.median(ms), percentile(ms, 95), max(ms)


def bench(g: PartnerGraph, label: str, n_calls: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    print(f"\n## {label}: {g}")
    builds = [
        ("search index (once per dataset)", lambda: search_index_size(g)),
        ("project facts (once)", lambda: project_facts(g)),
    ]
    for name, fn in builds:
        print(f"  {name:<34} {timed(fn):9.1f} ms")

    insts = list(g.nodes(NodeKind.INSTITUTION))
    countries = [key_of(c) for c in g.nodes(NodeKind.COUNTRY)]
    themes = [key_of(t) for t in g.nodes(NodeKind.THEME)]
    anyone = [n for n in g.nx.nodes if g.nx.nodes[n]["kind"] in ("institution", "project", "country", "land", "theme")]
    pairs = [(rng.choice(insts), rng.choice(insts)) for _ in range(n_calls)]
    filters = []
    seen = set()
    while len(filters) < n_calls:
        flt = GraphFilter.of(countries=rng.sample(countries, rng.randint(0, 2)),
                             themes=rng.sample(themes, rng.randint(0, 1)),
                             statuses=rng.sample(["active", "completed", "planned", "unknown"], rng.randint(0, 2)),
                             year_from=rng.choice([None, 2016, 2019, 2021]))
        if flt not in seen or len(seen) > 10 * n_calls:
            seen.add(flt)
            filters.append(flt)

    rows = [
        run("search (limit 10)", [lambda q=QUERIES[i % len(QUERIES)]: search(g, q) for i in range(n_calls)]),
        run("ego network r=1", [lambda n=rng.choice(anyone): ego_network(g, n, radius=1) for _ in range(n_calls)]),
        run("ego network r=2 (capped 1,500)", [lambda n=rng.choice(anyone): ego_network(g, n, radius=2) for _ in range(n_calls)]),
        run("k=3 shortest paths (strict, <=6)",
            [lambda a=a, b=b: shortest_paths(g, a, b, k=3, max_length=6, exclude=["country:DEU"], via=STRICT_PATH_EDGES)
             for a, b in pairs]),
        run("k=3 shortest paths (any edge)", [lambda a=a, b=b: shortest_paths(g, a, b, k=3, max_length=6) for a, b in pairs]),
        run("overview, distinct filters", [lambda f=f: overview(g, f) for f in filters]),
        run("Netzwerk view: focus r=1 + elements",
            [lambda n=rng.choice(insts): explorer_elements(g, explorer_view(g, focus=n), focus=n) for _ in range(n_calls)]),
        run("Netzwerk view: start overview + elements",
            [lambda: explorer_elements(g, explorer_view(g)) for _ in range(n_calls)]),
    ]
    print(f"  {'function':<40} {'calls':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, n, p50, p95, mx in rows:
        print(f"  {name:<40} {n:>5} {p50:>9.2f} {p95:>9.2f} {mx:>9.2f}")


def synthetic_graph(nodes: int, seed: int) -> tuple[PartnerGraph, str]:
    """The shared synthetic generator when available, else a quick
    heavy-tailed random graph built here."""
    try:
        from loaders import load
        from loaders.synthetic import generate
    except ImportError:
        return _fallback_graph(nodes, seed), "built-in preferential-attachment graph (loaders.synthetic missing)"
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, nodes=nodes, seed=seed)
        return load(tmp).graph, f"loaders.synthetic (nodes={nodes}, seed={seed}), loaded through loaders.load"


def _fallback_graph(nodes: int, seed: int) -> PartnerGraph:
    rng = random.Random(seed)
    g = PartnerGraph()
    for c in ("TZA", "RWA", "ETH", "ZAF", "NAM", "GHA", "KEN", "MEX", "PER", "VNM"):
        g.add_country(c)
    countries = [n for n in g.nodes(NodeKind.COUNTRY)]
    lands = list(g.nodes(NodeKind.LAND))
    themes = [g.add_node("theme", f"t{i}", label=f"Thema {i}", illustrative=True) for i in range(15)]
    insts = []
    for i in range(int(nodes * 0.6)):
        nid = g.add_node("institution", f"i{i}", label=f"Institut {i}", sector="science", illustrative=True)
        g.add_edge(nid, rng.choice(lands), "located_in", illustrative=True)
        insts.append(nid)
    weights = [1] * len(insts)
    for p in range(int(nodes * 0.4)):
        pid = g.add_node("project", f"p{p}", label=f"Projekt {p}", status="active", start_year=2015 + p % 10,
                         illustrative=True)
        for _ in range(rng.randint(2, 6)):
            j = rng.choices(range(len(insts)), weights=weights)[0]  # preferential attachment
            weights[j] += 1
            g.add_edge(insts[j], pid, "participates_in", illustrative=True)
        g.add_edge(pid, rng.choice(countries), "implemented_in", illustrative=True)
        g.add_edge(pid, rng.choice(themes), "addresses", illustrative=True)
        g.add_edge(rng.choice(lands), pid, "cofinances", illustrative=True)
    return g


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=60, help="calls per function (>= 50)")
    parser.add_argument("--nodes", type=int, default=20000, help="size of the synthetic graph")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-synthetic", action="store_true", help="only the bundled sample")
    args = parser.parse_args(argv)
    calls = max(50, args.calls)
    from loaders import SAMPLE_PATH, load

    bench(load(SAMPLE_PATH).graph, "sample (data/sample)", calls)
    if not args.no_synthetic:
        start = time.perf_counter()
        g, how = synthetic_graph(args.nodes, args.seed)
        print(f"\n(synthetic graph: {how}; generated and loaded in {time.perf_counter() - start:.1f} s)")
        bench(g, "synthetic", calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())

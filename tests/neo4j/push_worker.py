"""A push that kills its own process at a chosen point (a test helper).

    python -m tests.neo4j.push_worker URI DIALECT POINT [--user U] [--drop-edges N]

Reads the password from ``NEO4J_PASSWORD``; pushes the sample (with
``--drop-edges N`` the sample without its first N relationships, a changed
dataset) in batches of 20 rows and dies by SIGKILL — no clean-up, no
``finally`` — at ``POINT``:

- ``nodes:K`` / ``edges:K``: after K node / relationship rows were written;
- ``stale``: when the rows are written, before stale data is removed;
- ``verify``: after the removal, before the marker is set to complete;
- ``never``: the push completes (exit 0).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import neo4j

from graph.store.neo4j import Neo4jStore, transfer
from loaders import SAMPLE_PATH, load


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class _Killer:
    """A progress sink that kills the process once ``rows`` rows of the phase were written."""

    def __init__(self, phase: str, rows: int, n_nodes: int):
        self.phase, self.rows, self.n_nodes = phase, rows, n_nodes
        self.done = 0
        self.total = 0

    def update(self, n: int) -> None:
        self.done += n
        written = self.done if self.phase == "nodes" else self.done - self.n_nodes
        if written >= self.rows and (self.phase == "nodes" or self.done > self.n_nodes):
            _die()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("uri")
    p.add_argument("dialect")
    p.add_argument("point")
    p.add_argument("--user")
    p.add_argument("--drop-edges", type=int, default=0)
    args = p.parse_args(argv)
    graph = load(SAMPLE_PATH).graph
    for u, v, key in list(graph.nx.edges(keys=True))[:args.drop_edges]:
        graph.remove_edge_key(u, v, key)
    auth = neo4j.basic_auth(args.user, os.environ.get("NEO4J_PASSWORD", "")) if args.user else None
    driver = neo4j.GraphDatabase.driver(args.uri, auth=auth, connection_timeout=5)
    store = Neo4jStore(driver, dialect=args.dialect, batch_size=20, uri=args.uri)
    progress = None
    phase, _, count = args.point.partition(":")
    if phase in ("nodes", "edges"):
        progress = _Killer(phase, int(count), len(graph))
    elif phase == "stale":
        transfer._delete_stale = lambda *a, **kw: _die()
    elif phase == "verify":
        transfer._verify = lambda *a, **kw: _die()
    result = store.push(graph, progress=progress)
    print(f"pushed {result.nodes} {result.edges}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Push (graph → server) and pull (server → graph): whole-dataset transfers.

A push writes every node and relationship of the graph in ``UNWIND``
batches, tagged with a fresh push id, then removes what an earlier push
wrote but the graph no longer holds; nothing else in the database is
touched. A pull reads back what Partnernetz wrote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ContextManager, Iterator, Protocol

from graph.core.model import PartnerGraph
from graph.store.neo4j import cypher
from graph.store.neo4j.cypher import Dialect
from graph.store.neo4j.rows import PulledGraph, batches, edge_rows, graph_from_records, new_push_id, node_rows

__all__ = ["Progress", "PushResult", "PullResult", "Connection", "push", "pull"]

_DELETE_BATCH = 1000


class Progress(Protocol):
    """What push and pull report progress to: a ``tqdm`` bar fits.

    ``total`` is set to the number of rows before the first ``update(n)``.
    """

    total: Any

    def update(self, n: int) -> Any: ...


class Connection(Protocol):
    """What a transfer needs of the store it runs for (:class:`~graph.store.neo4j.Neo4jStore`)."""

    batch_size: int
    dialect: Dialect

    def ping(self) -> None: ...

    def ensure_index(self) -> str: ...

    def invalidate(self) -> None: ...

    def _translated(self) -> ContextManager[None]: ...

    def _session(self) -> Any: ...

    def _params(self, params: dict[str, Any]) -> dict[str, Any]: ...

    def _run(self, query: str, **params: Any) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class PushResult:
    """What one push wrote and removed."""

    push_id: str
    nodes: int
    edges: int
    deleted_nodes: int
    deleted_edges: int
    seconds: float
    index: str

    @property
    def rows_per_second(self) -> float:
        return (self.nodes + self.edges) / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class PullResult:
    """A graph pulled from the store, with timing and skipped records."""

    graph: PartnerGraph
    problems: list[str]
    nodes: int
    edges: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return (self.nodes + self.edges) / self.seconds if self.seconds > 0 else float("inf")


def push(store: Connection, g: PartnerGraph, *, progress: Progress | None = None) -> PushResult:
    """See :meth:`Neo4jStore.push`."""
    start = time.perf_counter()
    store.ping()
    index = store.ensure_index()
    push_id = new_push_id()
    nodes = node_rows(g, push=push_id)
    edges = edge_rows(g, push=push_id)
    _set_total(progress, sum(map(len, nodes.values())) + sum(map(len, edges.values())))
    n_nodes = sum(_write_batches(store, cypher.MERGE_NODES[k], rows, progress) for k, rows in nodes.items() if rows)
    n_edges = sum(_write_batches(store, cypher.MERGE_EDGES[k], rows, progress) for k, rows in edges.items() if rows)
    deleted_edges = _delete_stale(store, cypher.DELETE_STALE_EDGES, push_id)
    deleted_nodes = _delete_stale(store, cypher.DELETE_STALE_NODES, push_id)
    store.invalidate()
    return PushResult(push_id, n_nodes, n_edges, deleted_nodes, deleted_edges, time.perf_counter() - start, index)


def pull(store: Connection, *, progress: Progress | None = None) -> PullResult:
    """See :meth:`Neo4jStore.pull`."""
    start = time.perf_counter()
    with store._translated(), store._session() as session:
        if progress is not None:
            n = session.run(cypher.COUNT_NODES).single()["n"]
            m = session.run(cypher.COUNT_EDGES).single()["n"]
            _set_total(progress, int(n) + int(m))
        node_recs = list(_records(session.run(cypher.PULL_NODES), progress))
        edge_recs = list(_records(session.run(cypher.PULL_EDGES), progress))
    pulled: PulledGraph = graph_from_records(node_recs, edge_recs)
    return PullResult(pulled.graph, pulled.problems, len(node_recs), len(edge_recs), time.perf_counter() - start)


def _write_batches(store: Connection, query: str, rows: list[dict[str, Any]], progress: Progress | None) -> int:
    overhead = len(query.encode()) + 32
    written = 0
    with store._translated(), store._session() as session:
        for batch in batches(rows, batch_size=store.batch_size, max_bytes=store.dialect.max_statement_bytes,
                             overhead=overhead):
            session.execute_write(_consume, query, store._params({"rows": batch}))
            written += len(batch)
            if progress is not None:
                progress.update(len(batch))
    return written


def _delete_stale(store: Connection, query: str, push_id: str) -> int:
    deleted = 0
    while True:
        rec = store._run(query, push=push_id, limit=_DELETE_BATCH)
        n = int(rec[0]["deleted"]) if rec else 0
        deleted += n
        if n < _DELETE_BATCH:
            return deleted


def _set_total(progress: Progress | None, total: int) -> None:
    if progress is not None:
        progress.total = total
        if hasattr(progress, "refresh"):
            progress.refresh()


def _consume(tx: Any, query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def _records(result: Any, progress: Progress | None) -> Iterator[dict[str, Any]]:
    step = 0
    for record in result:
        yield record.data()
        step += 1
        if progress is not None and step == 500:
            progress.update(step)
            step = 0
    if progress is not None and step:
        progress.update(step)

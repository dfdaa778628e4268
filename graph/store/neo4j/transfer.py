"""Push (graph → server) and pull (server → graph): whole-dataset transfers.

A push writes every node and relationship of the graph in ``UNWIND``
batches, tagged with a fresh push id, then removes what an earlier push
wrote but the graph no longer holds; nothing else in the database is
touched. A pull reads back what Partnernetz wrote.

A push cannot leave a mixed state unnoticed:

1. every row is checked first (a non-finite number stops the push before
   anything is written, naming the row);
2. the push marker (one ``:PartnernetzPush`` node) is set to ``started``;
3. every batch runs in a managed write transaction (the driver retries it
   on transient errors): a batch is written whole or not at all;
4. the rows each batch wrote are counted by the statement itself
   (``RETURN count(*)``: a relationship whose ends are missing is not);
   the summaries' counters give what was created;
5. what earlier pushes wrote and the graph no longer holds is removed
   (nothing to do when the database held no Partnernetz data);
6. the database is counted: the nodes and relationships carrying this
   push's id, and all Partnernetz data, must equal the graph's — else the
   push fails (:class:`~graph.core.errors.StoreError`) and the marker stays
   ``started``;
7. the marker is set to ``complete`` with the counts.

A push killed at any moment leaves the marker at ``started``:
:func:`push_status` (query mode's banner, ``neo4j pull``'s exit code) tells,
and the next push repairs the data (it rewrites everything and removes the
rest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, ContextManager, Iterable, Iterator, Protocol

from graph.core.errors import StoreError
from graph.core.model import PartnerGraph
from graph.store.neo4j import cypher
from graph.store.neo4j.cypher import Dialect
from graph.store.neo4j.rows import (GraphDelta, PulledGraph, batches, chunks, edge_rows, graph_from_records,
                                    new_push_id, node_rows)

__all__ = ["Progress", "PushResult", "PullResult", "PushStatus", "Connection", "push", "pull", "push_status",
           "DeltaResult", "apply_delta", "STARTED", "COMPLETE"]

_DELETE_BATCH = 10_000
#: The push marker's id (one marker per database) and its states.
MARKER = "last"
STARTED, COMPLETE = "started", "complete"


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

    def _run_untimed(self, query: str, **params: Any) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class PushStatus:
    """The push marker: the last push's id, whether it completed, and its counts.

    >>> PushStatus.of({"state": "started", "push_id": "p", "started_at": "2026-01-01T00:00:00+00:00"}).interrupted
    True
    """

    state: str
    push_id: str
    started_at: str | None
    finished_at: str | None
    nodes: int | None
    edges: int | None
    #: Edits written since the marker was created (:func:`apply_delta`).
    revision: int = 0

    @property
    def interrupted(self) -> bool:
        """True when the last push started and did not complete (killed, failed, or still running)."""
        return self.state != COMPLETE

    @classmethod
    def of(cls, props: dict[str, Any]) -> "PushStatus":
        number = lambda v: None if v is None else int(v)  # noqa: E731  (FalkorDB may send floats)
        return cls(str(props.get("state")), str(props.get("push_id")), props.get("started_at"),
                   props.get("finished_at"), number(props.get("nodes")), number(props.get("edges")),
                   number(props.get("revision")) or 0)


@dataclass(frozen=True)
class PushResult:
    """What one push wrote (counted by the statements and checked against
    the database) and removed; ``created_*`` from the result summaries."""

    push_id: str
    nodes: int
    edges: int
    deleted_nodes: int
    deleted_edges: int
    seconds: float
    index: str
    created_nodes: int = 0
    created_edges: int = 0

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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def push_status(store: Connection) -> PushStatus | None:
    """The push marker (None before the first push with a marker)."""
    rows = store._run(cypher.PUSH_STATUS, marker=MARKER)
    return PushStatus.of(rows[0]["props"]) if rows else None


def push(store: Connection, g: PartnerGraph, *, progress: Progress | None = None) -> PushResult:
    """See :meth:`Neo4jStore.push` and the module's docstring."""
    start = time.perf_counter()
    store.ping()
    push_id = new_push_id()
    dates = store.dialect.native_dates
    nodes = node_rows(g, push=push_id, dates=dates, names=store.dialect.fulltext)  # raises on a non-finite number
    edges = edge_rows(g, push=push_id, dates=dates)
    n_nodes = sum(map(len, nodes.values()))
    n_edges = sum(map(len, edges.values()))
    index = store.ensure_index()
    fresh = not store._run_untimed(cypher.COUNT_NODES)[0]["n"]  # nothing of ours yet: CREATE relationships
    _write(store, cypher.PUSH_STARTED, marker=MARKER, state=STARTED, push=push_id, at=_now(), nodes=n_nodes,
           edges=n_edges)
    _set_total(progress, n_nodes + n_edges)
    written_nodes = created_nodes = written_edges = created_edges = 0
    for kind, rows in nodes.items():
        if rows:
            w, c = _write_batches(store, cypher.MERGE_NODES[kind], rows, progress)
            written_nodes, created_nodes = written_nodes + w, created_nodes + c
    statements = cypher.CREATE_EDGES if fresh else cypher.MERGE_EDGES
    for kind, rows in edges.items():
        if rows:
            w, c = _write_batches(store, statements[kind], rows, progress)
            written_edges, created_edges = written_edges + w, created_edges + c
    deleted_edges = deleted_nodes = 0
    if not fresh:  # into a database without Partnernetz data nothing can be stale
        deleted_edges = _delete_stale(store, cypher.DELETE_STALE_EDGES, push_id)
        deleted_nodes = _delete_stale(store, cypher.DELETE_STALE_NODES, push_id)
    _verify(store, push_id, n_nodes, n_edges, written_nodes, written_edges)
    _write(store, cypher.PUSH_COMPLETE, marker=MARKER, state=COMPLETE, push=push_id, at=_now(), nodes=n_nodes,
           edges=n_edges, deleted_nodes=deleted_nodes, deleted_edges=deleted_edges)
    store.invalidate()
    return PushResult(push_id, written_nodes, written_edges, deleted_nodes, deleted_edges,
                      time.perf_counter() - start, index, created_nodes, created_edges)


def _verify(store: Connection, push_id: str, n_nodes: int, n_edges: int, written_nodes: int,
            written_edges: int) -> None:
    """Count the database: this push's nodes and relationships, and all of
    Partnernetz's, must be the graph's; else raise (the marker stays ``started``)."""
    nodes = store._run_untimed(cypher.COUNT_PUSHED_NODES, push=push_id)[0]
    edges = store._run_untimed(cypher.COUNT_PUSHED_EDGES, push=push_id)[0]
    ours_nodes, all_nodes = int(nodes["n"] or 0), int(nodes["total"])  # FalkorDB's sum() is a float
    ours_edges, all_edges = int(edges["n"] or 0), int(edges["total"])
    found = (ours_nodes, ours_edges, all_nodes, all_edges, written_nodes, written_edges)
    if found != (n_nodes, n_edges, n_nodes, n_edges, n_nodes, n_edges):
        raise StoreError(
            f"push incomplete: the graph has {n_nodes} nodes and {n_edges} relationships; the statements wrote "
            f"{written_nodes} and {written_edges}; the database holds {ours_nodes} and {ours_edges} of this push "
            f"({all_nodes} and {all_edges} in all). The push marker says 'started': push again to repair")


@dataclass(frozen=True)
class DeltaResult:
    """What one edit wrote: nodes and relationships written and removed, the
    marker's new revision, and the personal fields an erasure scrubbed."""

    nodes: int
    edges: int
    removed_nodes: int
    removed_edges: int
    revision: int
    seconds: float
    erased: tuple[str, ...] = ()


def apply_delta(store: Connection, delta: GraphDelta, *, erase: Iterable[str] = (),
                within: Callable[[Callable[..., list[dict[str, Any]]], tuple[str, ...]], Any] | None = None
                ) -> DeltaResult:
    """Write ``delta`` (:func:`graph.store.neo4j.rows.graph_delta`) in **one**
    managed write transaction (retried whole on transient errors): the push
    marker's revision counts up (so every instance's version check sees the
    edit), relationships and nodes are removed, nodes and relationships
    written (tagged with the current push id). A node or relationship that
    cannot be written (its ends are missing) fails the whole transaction.

    ``erase``: ids of nodes being erased: their name and e-mail as stored
    are read first and passed to ``within`` (with a ``run(query, **params)``
    in the same transaction) — e.g. to scrub records that name the person —
    and returned as ``erased`` (only the count leaves this function's caller).
    Nothing is written when ``delta`` is empty and nothing is erased.
    """
    start = time.perf_counter()
    erase = sorted(set(erase))
    if delta.empty and not erase and within is None:
        return DeltaResult(0, 0, 0, 0, 0, 0.0)

    def work(tx: Any) -> DeltaResult:
        def run(query: str, **params: Any) -> list[dict[str, Any]]:
            return [r.data() for r in tx.run(query, store._params(params))]

        def each(query: str, rows: list[Any]) -> int:
            """Run ``query`` over ``rows`` (dicts, or plain ids) in batches; the rows it wrote."""
            overhead = len(query.encode()) + 32
            cut = dict(max_bytes=store.dialect.max_statement_bytes, overhead=overhead)
            parts = (batches(rows, batch_size=store.batch_size, **cut) if rows and isinstance(rows[0], dict)
                     else chunks(rows, max_count=store.batch_size, **cut))
            written = 0
            for part in parts:
                rec = run(query, rows=part)
                written += int(rec[0]["written"]) if rec else 0
            return written

        marker = run(cypher.MARK_REVISION, marker=MARKER, state=COMPLETE, push=new_push_id(), at=_now())[0]
        push_id, revision = marker["push"], int(marker["revision"])
        secrets: list[str] = []
        for rec in run(cypher.PERSONAL_OF, ids=erase) if erase else []:
            secrets += [str(v).strip() for v in (rec["name"], rec["email"]) if v and len(str(v).strip()) >= 3]
        secrets = sorted(set(secrets), key=lambda v: (-len(v), v))  # longest first: "Anna Muster" before "Anna"
        removed_edges = each(cypher.DELETE_EDGES_BY_KEY, delta.removed_edges)
        removed_nodes = each(cypher.DELETE_NODES_BY_ID, sorted(set(delta.removed_nodes) | set(erase)))
        written_nodes = written_edges = 0
        for kind, rows in delta.nodes.items():
            for row in rows:
                row["props"]["_pn_push"] = push_id
            written_nodes += each(cypher.MERGE_NODES[kind], rows)
        for kind, rows in delta.edges.items():
            for row in rows:
                row["props"]["_pn_push"] = push_id
            written_edges += each(cypher.MERGE_EDGES[kind], rows)
        wanted = delta.counts()
        if (written_nodes, written_edges) != (wanted["nodes"], wanted["edges"]):
            raise StoreError(f"edit not written: {written_nodes} of {wanted['nodes']} nodes and {written_edges} of "
                             f"{wanted['edges']} relationships could be written (ends missing in the database: "
                             "publish the whole version to repair); nothing was changed")
        if within is not None:
            within(run, tuple(secrets))
        return DeltaResult(written_nodes, written_edges, removed_nodes, removed_edges, revision,
                           0.0, tuple(secrets))

    with store._translated(), store._session() as session:
        result = session.execute_write(work)
    store.invalidate()
    return DeltaResult(result.nodes, result.edges, result.removed_nodes, result.removed_edges, result.revision,
                       time.perf_counter() - start, result.erased)


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


def _write(store: Connection, query: str, **params: Any) -> list[dict[str, Any]]:
    """One statement in a managed write transaction (retried on transient errors)."""
    with store._translated(), store._session() as session:
        return session.execute_write(_data, query, store._params(params))


def _write_batches(store: Connection, query: str, rows: list[dict[str, Any]],
                   progress: Progress | None) -> tuple[int, int]:
    """``(rows written, nodes or relationships created)``, one managed write transaction per batch."""
    overhead = len(query.encode()) + 32
    written = created = 0
    with store._translated(), store._session() as session:
        for batch in batches(rows, batch_size=store.batch_size, max_bytes=store.dialect.max_statement_bytes,
                             overhead=overhead):
            w, c = session.execute_write(_counted, query, store._params({"rows": batch}))
            written += w
            created += c
            if progress is not None:
                progress.update(len(batch))
    return written, created


def _delete_stale(store: Connection, query: str, push_id: str) -> int:
    deleted = 0
    while True:
        rec = _write(store, query, push=push_id, limit=_DELETE_BATCH)
        n = int(rec[0]["deleted"]) if rec else 0
        deleted += n
        if n < _DELETE_BATCH:
            return deleted


def _set_total(progress: Progress | None, total: int) -> None:
    if progress is not None:
        progress.total = total
        if hasattr(progress, "refresh"):
            progress.refresh()


def _data(tx: Any, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [r.data() for r in tx.run(query, params)]


def _counted(tx: Any, query: str, params: dict[str, Any]) -> tuple[int, int]:
    """Rows the statement wrote (its ``written`` column) and what its summary says it created."""
    result = tx.run(query, params)
    record = result.single()
    counters = result.consume().counters
    written = int(record["written"]) if record is not None else 0
    return written, int(counters.nodes_created) + int(counters.relationships_created)


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

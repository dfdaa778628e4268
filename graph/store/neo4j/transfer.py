"""Push (graph → server) and pull (server → graph): whole-dataset transfers.

A push makes the database's Partnernetz data equal to the graph, writing
only what differs; nothing else in the database is touched. Every node it
writes carries ``_pn_hash`` (:func:`~graph.store.neo4j.rows.content_hash` of
its properties) and, once its outgoing relationships are written, ``_pn_out``
(the hash of all of them, :func:`~graph.store.neo4j.rows.out_hashes`). A push
reads the stored hashes once (one compact query), then

- writes the nodes whose hash differs (``CREATE`` into a database without
  Partnernetz data, else ``MERGE`` on the unique id);
- rewrites the outgoing relationships of every node whose ``_pn_out``
  differs (or that was written): per batch of source nodes one transaction
  deletes theirs, ``CREATE``s the graph's and stores the new ``_pn_out`` — so
  an identical second push writes nothing but the marker;
- removes the nodes an earlier push wrote that the graph no longer holds.

A push cannot leave a mixed state unnoticed:

1. every row is checked first (a non-finite number stops the push before
   anything is written, naming the row);
2. the push marker (one ``:PartnernetzPush`` node) is set to ``started``;
3. every batch runs in a managed write transaction (the driver retries it
   on transient errors): a batch is written whole or not at all, and a
   node's ``_pn_out`` is stored only with its relationships;
4. the rows each batch wrote are counted by the statement itself
   (``RETURN count(*)``: a relationship whose ends are missing is not);
   the summaries' counters give what was created;
5. what earlier pushes wrote and the graph no longer holds is removed;
6. the database is counted: rows written plus rows found unchanged, and all
   Partnernetz nodes and relationships, must equal the graph's (relationships
   no hash knows of, e.g. written by hand, are removed first) — else the push
   fails (:class:`~graph.core.errors.StoreError`) and the marker stays
   ``started``;
7. the marker is set to ``complete`` with the counts.

A push killed at any moment leaves the marker at ``started``:
:func:`push_status` (query mode's banner, ``neo4j pull``'s exit code) tells,
and the next push repairs the data (what a killed batch did not write has
no or an old hash, so it is written; the rest is removed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, ContextManager, Iterable, Iterator, Protocol

from graph.core.errors import StoreError
from graph.core.kinds import EdgeKind
from graph.core.model import PartnerGraph
from graph.store.neo4j import cypher
from graph.store.neo4j.cypher import Dialect
from graph.store.neo4j.rows import (GraphDelta, PulledGraph, batches, chunks, edge_rows, graph_from_records,
                                    new_push_id, node_rows, out_hashes)

__all__ = ["Progress", "PushResult", "PullResult", "PushStatus", "Connection", "push", "pull", "push_status",
           "DeltaResult", "apply_delta", "STARTED", "COMPLETE"]

_DELETE_BATCH = 10_000
#: Records per fetch of a whole-dataset read (the driver's default is 1000).
_FETCH = 20_000
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

    def _session(self, **config: Any) -> Any: ...

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
    outs = out_hashes(edges)
    n_nodes = sum(map(len, nodes.values()))
    n_edges = sum(map(len, edges.values()))
    index = store.ensure_index()
    stored = {r["id"]: (r["hash"], r["out"]) for r in _read(store, cypher.STORED_HASHES)}
    fresh = not stored  # nothing of ours yet: CREATE, nothing to compare or remove
    edges_before = 0 if fresh else int(store._run_untimed(cypher.COUNT_EDGES)[0]["n"])
    _write(store, cypher.PUSH_STARTED, marker=MARKER, state=STARTED, push=push_id, at=_now(), nodes=n_nodes,
           edges=n_edges)
    _set_total(progress, n_nodes + n_edges)
    # 1. nodes: only those whose content hash differs from the stored one
    written_nodes = created_nodes = unchanged_nodes = 0
    rewrite: set[str] = set()
    for kind, rows in nodes.items():
        changed = [r for r in rows if stored.get(r["id"], (None,))[0] != r["props"]["_pn_hash"]]
        unchanged_nodes += len(rows) - len(changed)
        if progress is not None and len(rows) > len(changed):
            progress.update(len(rows) - len(changed))
        if changed:
            w, c = _write_batches(store, (cypher.CREATE_NODES if fresh else cypher.MERGE_NODES)[kind], changed,
                                  progress)
            written_nodes, created_nodes = written_nodes + w, created_nodes + c
            rewrite |= {r["id"] for r in changed}  # SET n = … dropped their _pn_out
    # 2. relationships, per source node: rewritten whole (old ones deleted, all
    # created, the new hash stored, in one transaction) when the hash of its
    # outgoing relationships differs from the one stored
    sources = {r["id"] for rows in nodes.values() for r in rows}
    rewrite |= {n for n in sources if outs.get(n) != stored.get(n, (None, None))[1]}
    rewrite &= sources
    unchanged_edges = sum(1 for rows in edges.values() for r in rows if r["source"] not in rewrite)
    if progress is not None and unchanged_edges:
        progress.update(unchanged_edges)
    written_edges, created_edges = _rewrite_out_edges(store, edges, outs, rewrite, fresh=fresh, progress=progress)
    # 3. nodes an earlier push wrote that the graph no longer holds (with their relationships)
    deleted_nodes = 0
    if not fresh:
        deleted_nodes = _delete_stale(store, sorted(set(stored) - sources))
    verified_edges = _verify(store, push_id, n_nodes, n_edges, written_nodes + unchanged_nodes,
                             written_edges + unchanged_edges, edges=edges)
    deleted_edges = max(0, edges_before - verified_edges) if not fresh else 0
    _write(store, cypher.PUSH_COMPLETE, marker=MARKER, state=COMPLETE, push=push_id, at=_now(), nodes=n_nodes,
           edges=n_edges, deleted_nodes=deleted_nodes, deleted_edges=deleted_edges)
    store.invalidate()
    return PushResult(push_id, written_nodes + unchanged_nodes, written_edges + unchanged_edges, deleted_nodes,
                      deleted_edges, time.perf_counter() - start, index, created_nodes, created_edges)


def _rewrite_out_edges(store: Connection, edges: dict[EdgeKind, list[dict[str, Any]]], outs: dict[str, int],
                       rewrite: set[str], *, fresh: bool, progress: Progress | None) -> tuple[int, int]:
    """Rewrite the outgoing relationships of the nodes ``rewrite``: per batch
    of source nodes (about ``batch_size`` relationships) one managed write
    transaction deletes theirs (not on a fresh push), creates the graph's
    and stores their hash. ``(relationships written, created)``."""
    if not rewrite:
        return 0, 0
    by_source: dict[str, list[tuple[EdgeKind, dict[str, Any]]]] = {}
    for kind, rows in edges.items():
        for r in rows:
            if r["source"] in rewrite:
                by_source.setdefault(r["source"], []).append((kind, r))
    groups: list[list[str]] = [[]]
    size = 0
    for source in sorted(rewrite):
        groups[-1].append(source)
        size += len(by_source.get(source, ()))
        if size >= store.batch_size:
            groups.append([])
            size = 0
    # one transaction at a time: measured, two concurrent ones deadlock on the hubs'
    # relationship groups (retried) and were slower
    results = [_rewrite_group(store, group, by_source, outs, fresh, progress) for group in groups if group]
    return sum(r[0] for r in results), sum(r[1] for r in results)


def _rewrite_group(store: Connection, group: list[str], by_source: dict[str, list[tuple[EdgeKind, dict[str, Any]]]],
                   outs: dict[str, int], fresh: bool, progress: Progress | None) -> tuple[int, int]:
    per_kind: dict[EdgeKind, list[dict[str, Any]]] = {}
    for source in group:
        for kind, row in by_source.get(source, ()):
            per_kind.setdefault(kind, []).append(row)
    hashes = [{"id": n, "out": outs.get(n)} for n in group]

    def work(tx: Any) -> tuple[int, int]:
        written = created = 0
        if not fresh:
            _each(store, tx, cypher.DELETE_OUT_EDGES, group)
        for kind, rows in per_kind.items():
            w, c = _each(store, tx, cypher.CREATE_EDGES[kind], rows)
            written, created = written + w, created + c
        _each(store, tx, cypher.SET_OUT_HASH, hashes)
        return written, created

    with store._translated(), store._session() as session:
        result = session.execute_write(work)
    if progress is not None:
        progress.update(sum(map(len, per_kind.values())))
    return result


def _each(store: Connection, tx: Any, query: str, rows: list[Any]) -> tuple[int, int]:
    """Run ``query`` over ``rows`` (dicts, or plain ids) in ``tx``, cut to the
    dialect's statement limits: ``(rows written, nodes or relationships created)``."""
    if not rows:
        return 0, 0
    cut = dict(max_bytes=store.dialect.max_statement_bytes, overhead=len(query.encode()) + 32)
    parts = (batches(rows, batch_size=store.batch_size, **cut) if isinstance(rows[0], dict)
             else chunks(rows, max_count=store.batch_size, **cut))
    written = created = 0
    for part in parts:
        w, c = _counted(tx, query, store._params({"rows": part}))
        written, created = written + w, created + c
    return written, created


def _read(store: Connection, query: str, **params: Any) -> Iterator[dict[str, Any]]:
    """The records of a whole-dataset read (no query timeout; fetched in large batches)."""
    with store._translated(), store._session(fetch_size=_FETCH) as session:
        yield from (r.data() for r in session.run(query, store._params(params)))


def _verify(store: Connection, push_id: str, n_nodes: int, n_edges: int, written_nodes: int,
            written_edges: int, *, edges: dict[EdgeKind, list[dict[str, Any]]] | None = None) -> int:
    """Count the database: the rows written or found unchanged must be the
    graph's, and so must all Partnernetz nodes and relationships; else raise
    (the marker stays ``started``). Relationships the hashes do not know of
    (written by hand between our nodes) are removed first. Returns the
    relationships counted."""
    all_nodes = int(store._run_untimed(cypher.COUNT_NODES)[0]["n"])
    all_edges = int(store._run_untimed(cypher.COUNT_EDGES)[0]["n"])
    if all_edges > n_edges and edges is not None and written_edges == n_edges:
        wanted = {(r["source"], r["target"], r["key"]) for rows in edges.values() for r in rows}
        extra = [{"source": r["source"], "target": r["target"], "key": r["key"]}
                 for r in _read(store, cypher.EDGE_IDENTITIES) if (r["source"], r["target"], r["key"]) not in wanted]
        for part in batches(extra, batch_size=store.batch_size, max_bytes=store.dialect.max_statement_bytes,
                            overhead=len(cypher.DELETE_EDGES_BY_KEY) + 32):
            _write(store, cypher.DELETE_EDGES_BY_KEY, rows=part)
        all_edges = int(store._run_untimed(cypher.COUNT_EDGES)[0]["n"])
    found = (all_nodes, all_edges, written_nodes, written_edges)
    if found != (n_nodes, n_edges, n_nodes, n_edges):
        raise StoreError(
            f"push incomplete: the graph has {n_nodes} nodes and {n_edges} relationships; the statements wrote "
            f"or found unchanged {written_nodes} and {written_edges}; the database holds {all_nodes} and "
            f"{all_edges}. The push marker says 'started': push again to repair")
    return all_edges


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
            return _each(store, tx, query, rows)[0]

        marker = run(cypher.MARK_REVISION, marker=MARKER, state=COMPLETE, push=new_push_id(), at=_now())[0]
        push_id, revision = marker["push"], int(marker["revision"])
        secrets: list[str] = []
        for rec in run(cypher.PERSONAL_OF, ids=erase) if erase else []:
            secrets += [str(v).strip() for v in (rec["name"], rec["email"]) if v and len(str(v).strip()) >= 3]
        secrets = sorted(set(secrets), key=lambda v: (-len(v), v))  # longest first: "Anna Muster" before "Anna"
        removed_edges = each(cypher.DELETE_EDGES_BY_KEY, delta.removed_edges)
        removed_nodes = each(cypher.DELETE_NODES_BY_ID, sorted(set(delta.removed_nodes) | set(erase)))
        # the stored hash of their outgoing relationships no longer holds (a push then rewrites them)
        each(cypher.FORGET_OUT_HASH, sorted({r["source"] for rows in delta.edges.values() for r in rows}
                                            | {r["source"] for r in delta.removed_edges}))
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
    with store._translated(), store._session(fetch_size=_FETCH) as session:
        if progress is not None:
            n = session.run(cypher.COUNT_NODES).single()["n"]
            m = session.run(cypher.COUNT_EDGES).single()["n"]
            _set_total(progress, int(n) + int(m))
        if store.dialect.nested_records:
            node_recs, edge_recs = _nodes_with_out(session.run(cypher.PULL_NODES_WITH_OUT), progress)
        else:
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


def _delete_stale(store: Connection, ids: list[str]) -> int:
    """Remove the nodes ``ids`` (an earlier push wrote them; the graph no
    longer holds them) with their relationships, in batches; how many were removed."""
    deleted = 0
    for part in chunks(ids, max_count=_DELETE_BATCH, max_bytes=store.dialect.max_statement_bytes,
                       overhead=len(cypher.DELETE_NODES_BY_ID) + 32):
        rec = _write(store, cypher.DELETE_NODES_BY_ID, rows=part)
        deleted += int(rec[0]["written"]) if rec else 0
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


def _nodes_with_out(result: Any, progress: Progress | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node records (``id``, ``props``) and relationship records (``source``,
    ``target``, ``props``) from records of one node each with its outgoing
    ``[target, props]`` list (:data:`cypher.PULL_NODES_WITH_OUT`)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    step = 0
    for nid, props, out in result:
        nodes.append({"id": nid, "props": props})
        edges.extend({"source": nid, "target": target, "props": rprops} for target, rprops in out)
        step += 1 + len(out)
        if progress is not None and step >= 500:
            progress.update(step)
            step = 0
    if progress is not None and step:
        progress.update(step)
    return nodes, edges


def _records(result: Any, progress: Progress | None) -> Iterator[dict[str, Any]]:
    """The records as dicts, built from the values as the driver decoded them
    (``record.data()`` walks every value again: a third of a pull's time)."""
    keys = result.keys()
    step = 0
    for record in result:
        yield dict(zip(keys, record.values()))
        step += 1
        if progress is not None and step == 500:
            progress.update(step)
            step = 0
    if progress is not None and step:
        progress.update(step)

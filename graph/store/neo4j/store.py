"""The Neo4j store: query the partner graph over Bolt; push and pull it.

Built on an injected ``neo4j.Driver`` (official driver, v6); :func:`connect`
creates one from a URI for the CLI and the dashboard. Every driver error is
translated (:mod:`.errors`) into :class:`~graph.core.errors.StoreUnavailable`
or :class:`~graph.core.errors.StoreError`; no ``neo4j.exceptions`` type
leaves this package.

Query mode (``serve --neo4j-uri``) uses one store for the whole process:
the explorer's questions are answered per call; what is read once and cached
(names for search, filter facts and choices, masked contacts, the
per-node attributes, relationships, adjacency, breadth-first steps and
degrees a view fetched — bounded, least recently used first out — and the
:meth:`Neo4jStore.snapshot` for whole-graph pages) is rebuilt when the
dataset version (:meth:`Neo4jStore.version`, read at most every
``refresh_interval`` seconds) changes. ``contacts`` sets the privacy rule
every answer keeps to.

Example (needs a running server)::

    with connect("bolt://127.0.0.1:7687", user="neo4j", password=secret) as store:
        store.push(graph)                 # PushResult(nodes=210, edges=698, …)
        store.ego_network("land:DE-HE")   # the same Subgraph as MemoryStore(graph) gives
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

import neo4j
import numpy as np
from neo4j import exceptions as nx_exc

from graph import explore as queries
from graph.core.errors import NodeNotFound, PartnernetzError, SnapshotDisabled, StoreError, StoreUnavailable
from graph.core.kinds import EdgeKind, NodeKind, kind_of
from graph.core.model import PartnerGraph
from graph.core.text import fold
from graph.explore import GraphFilter, Neighbour, Subgraph
from graph.explore.adjacency import Adjacency, adjacency, adjacency_of_edges, edges_among_rows, neighbour_names
from graph.explore.neighbours import Relation
from graph.explore.options import FilterOptions
from graph.explore.search import SearchHit
from graph.explore.search import search as search_names
from graph.explore.subgraphs import cut
from graph.people.privacy import mask_unconsented, without_contacts
from graph.store.neo4j import cypher, transfer
from graph.store.neo4j.caches import LRU
from graph.store.neo4j.cypher import Dialect, get_dialect
from graph.store.neo4j.errors import cause, redact_uri, secrets_of, translated
from graph.store.neo4j.local import kind_name, local_graph, node_attrs
from graph.store.neo4j.rows import GraphDelta, chunks, graph_delta, rendered_size
from graph.store.neo4j.transfer import MARKER, DeltaResult, Progress, PullResult, PushResult, PushStatus
from graph.store.neo4j.walk import Ball, distance, region
from graph.store.protocol import EdgeRecord

__all__ = ["Neo4jStore", "PushResult", "PullResult", "connect", "redact_uri", "Progress", "CONTACT_RULES",
           "SNAPSHOT_MODES"]

#: How a store shows contacts (personal data): ``all`` as stored (push, pull,
#: tests), ``masked`` (those without consent reduced to institution and role,
#: :func:`graph.privacy.mask_unconsented`) or ``none`` (never returned nor
#: walked through, ``serve --no-contacts``).
CONTACT_RULES = ("all", "masked", "none")

#: When a store copies the whole graph for whole-graph pages: ``warm`` (the
#: dashboard's warm-up pulls it at start-up, in the background), ``lazy``
#: (on first use) or ``off`` (never: :meth:`Neo4jStore.snapshot` raises
#: :class:`~graph.errors.SnapshotDisabled`).
SNAPSHOT_MODES = ("warm", "lazy", "off")



#: Nodes whose attributes, outgoing relationships and degree the store keeps
#: per dataset version (least recently used dropped first).
_LRU_SIZE = 20_000
#: Breadth-first steps (frontier → reached ids) kept per dataset version.
_STEP_LRU_SIZE = 256
#: Filtered views (their node and edge ids) kept per dataset version.
_VIEW_LRU_SIZE = 64
#: Views of more nodes than this are read without attributes and cut first
#: (``neo4j`` dialect, :meth:`Neo4jStore._big_view`).
_BIG_VIEW = 1000
#: A node with more relationships than this (by the degree table) is a hub: a
#: view reads only its relationships into the view (:meth:`Neo4jStore._edges_among`).
_HUB_DEGREE = 200
_ID_CHUNK = 5000
#: Ids per statement when the answer comes in one record (``neo4j`` dialect).
_ID_CHUNK_COLLECTED = 20_000
#: Candidates the full-text index returns for one search (scored in memory).
_FULLTEXT_CANDIDATES = 200
_UNLIMITED = 10**12
#: The kinds a filter with project criteria can show (and needs to decide).
_FILTER_KINDS = (NodeKind.PROJECT, NodeKind.INSTITUTION, NodeKind.LAND, NodeKind.COUNTRY,
                 NodeKind.THEME, NodeKind.PROGRAMME)


class Neo4jStore:
    """A partner graph kept in Neo4j (or FalkorDB), reached through ``driver``.

    Parameters
    ----------
    driver : neo4j.Driver
        An open driver; the store does not close it unless it created it
        (:func:`connect`).
    database : str, optional
        Database name; ``None`` uses the server's default.
    dialect : ``"neo4j"`` (default) or ``"falkordb"``
    batch_size : int, optional
        Rows per ``UNWIND`` statement (default per dialect: 1000 / 200;
        FalkorDB batches are further cut to its statement size limit).
    uri : str, optional
        Shown in error messages (passwords are never shown).
    password : str, optional
        Only to keep it out of error messages (the driver holds the auth).
    contacts : ``"all"`` (default), ``"masked"`` or ``"none"``
        The privacy rule every answer and the snapshot keep to (:data:`CONTACT_RULES`).
    refresh_interval : float
        Seconds between two checks of the dataset version (a cheap count
        query); caches (names, filter facts and options, masked contacts,
        the snapshot) are rebuilt when it changes. Default 15.
    snapshot_mode : ``"warm"`` (default), ``"lazy"`` or ``"off"``
        When the whole graph is copied for whole-graph pages (:data:`SNAPSHOT_MODES`);
        the store itself always pulls on first use, the dashboard's warm-up
        asks early only under ``warm``.
    query_timeout : float, optional
        Seconds one read of a question (search, a view's nodes and
        relationships, the version check) may run on the server before it is
        stopped there (the transaction timeout the driver sends with each
        query); it then fails as :class:`StoreUnavailable` "timed out", so
        query mode falls back. None (default): the server's own limit.
        Push, pull and the snapshot are not limited. Not sent to FalkorDB
        (which then ignores the query's parameters; it has its own ``TIMEOUT``).
    """

    def __init__(self, driver: "neo4j.Driver", *, database: str | None = None,
                 dialect: str | Dialect | None = None, batch_size: int | None = None,
                 uri: str | None = None, password: str | None = None, owns_driver: bool = False,
                 contacts: str = "all", refresh_interval: float = 15.0, snapshot_mode: str = "warm",
                 query_timeout: float | None = None):
        self.driver = driver
        if query_timeout is not None and not query_timeout > 0:
            raise StoreError(f"query timeout must be positive, got {query_timeout}")
        self.query_timeout = query_timeout
        self.database = database or None
        self.dialect = get_dialect(dialect)
        self.batch_size = batch_size or self.dialect.default_batch_size
        if self.batch_size < 1:
            raise StoreError(f"batch size must be at least 1, got {self.batch_size}")
        self.uri = redact_uri(uri) if uri else "the Neo4j server"
        self._secrets = secrets_of(uri, password)
        self._owns_driver = owns_driver
        if contacts not in CONTACT_RULES:
            raise StoreError(f"unknown contact rule {contacts!r} (expected one of: {', '.join(CONTACT_RULES)})")
        self.contacts = contacts
        if snapshot_mode not in SNAPSHOT_MODES:
            raise StoreError(f"unknown snapshot mode {snapshot_mode!r} (expected one of: {', '.join(SNAPSHOT_MODES)})")
        self.snapshot_mode = snapshot_mode
        self.refresh_interval = float(refresh_interval)
        self._version: tuple[Any, ...] | None = None
        self._version_checked = float("-inf")
        self._version_lock = threading.Lock()
        self._push_status: PushStatus | None = None
        self._cache: dict[str, tuple[Any, Any]] = {}
        self._cache_locks: dict[str, threading.Lock] = {}
        self._snapshot: tuple[Any, PartnerGraph] | None = None
        # Per dataset version: node attributes, outgoing relationships, degrees (see _fresh_lru).
        self._attr_lru, self._out_lru, self._adj_lru = LRU(_LRU_SIZE), LRU(_LRU_SIZE), LRU(_LRU_SIZE)
        self._degree_lru, self._step_lru = LRU(5 * _LRU_SIZE), LRU(_STEP_LRU_SIZE)
        # Per dataset version: the answers of filter_subgraph (a view seen before costs nothing).
        self._filter_lru, self._view_lru = LRU(_VIEW_LRU_SIZE), LRU(_VIEW_LRU_SIZE)
        self._relation_lru = LRU(_STEP_LRU_SIZE)  # the details panel's neighbours by relation
        self._towards_lru = LRU(_STEP_LRU_SIZE)  # a view's relationships leaving its hubs (_edges_among)
        self._lru_version: tuple[Any, ...] | None = None
        self._snapshot_lock = threading.Lock()
        self._refreshing = False
        self._building: set[str] = set()  # per-version tables being built in the background
        self._facts_degree_rows: tuple[Any, Any, Any] | None = None  # (degree table, facts graph, per-row degrees)
        #: Why the last background refresh of the snapshot failed (None when it did not).
        self.snapshot_error: str | None = None

    # --------------------------------------------------------------- plumbing
    def close(self) -> None:
        """Close the driver if this store created it."""
        if self._owns_driver:
            with self._translated():
                self.driver.close()

    def __enter__(self) -> "Neo4jStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Neo4jStore {self.uri} dialect={self.dialect.name}>"

    def _translated(self) -> "contextlib.AbstractContextManager[None]":
        """Translate driver and socket errors into the Partnernetz error tree (:func:`.errors.translated`)."""
        return translated(self.uri + (f" (database {self.database!r})" if self.database else ""), self._secrets)

    def _session(self, **config: Any) -> "neo4j.Session":
        """A session on :attr:`database` (``config``: the driver's session settings, e.g. ``fetch_size``)."""
        if self.database:
            return self.driver.session(database=self.database, **config)
        return self.driver.session(**config)

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {k: self.dialect.prepare(v) for k, v in params.items()}

    def _query(self, text: str) -> "str | neo4j.Query":
        """``text`` with the :attr:`query_timeout` attached (when one is set and the dialect takes one)."""
        if self.query_timeout is None or not self.dialect.tx_timeout:
            return text
        return neo4j.Query(text, timeout=self.query_timeout)

    def _run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one auto-commit statement (within :attr:`query_timeout`) and return its records as dicts."""
        with self._translated(), self._session() as session:
            return [r.data() for r in session.run(self._query(query), self._params(params))]

    def _run_untimed(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """:meth:`_run` without the query timeout (push and pull: whole-dataset statements)."""
        with self._translated(), self._session() as session:
            return [r.data() for r in session.run(query, self._params(params))]

    def ping(self) -> None:
        """Check the server answers (raises :class:`StoreUnavailable`)."""
        with self._translated():
            self._run(cypher.PING)

    # ------------------------------------------------------------------ push
    def ensure_index(self) -> str:
        """Create a uniqueness constraint (or else an index) on node ids when
        the server supports one; return what exists: ``constraint``,
        ``index`` or ``none``. Under the ``neo4j`` dialect the full-text index
        over the folded names (:data:`cypher.NEO4J_FULLTEXT`) is created too."""
        if self.dialect.name == "falkordb":
            try:
                for rec in self._run_untimed(cypher.FALKORDB_LIST_INDEXES):
                    if rec["label"] == cypher.TAG_LABEL and "id" in (rec["properties"] or []):
                        return "index"
                self._run_untimed(cypher.FALKORDB_INDEX)
                return "index"
            except StoreUnavailable:
                raise
            except StoreError:
                return "none"
        found = "none"
        for statement, what in ((cypher.NEO4J_CONSTRAINT, "constraint"), (cypher.NEO4J_INDEX, "index")):
            try:
                self._run_untimed(statement)
                found = what
                break
            except StoreUnavailable:
                raise
            except StoreError:
                continue
        if self.dialect.fulltext:
            self._run_untimed(cypher.NEO4J_FULLTEXT)
        return found

    def push(self, g: PartnerGraph, *, progress: Progress | None = None) -> PushResult:
        """Write the whole graph (idempotent) and remove what an earlier push
        wrote but ``g`` no longer holds. Nothing else in the database is touched.

        ``progress`` (e.g. a ``tqdm`` bar) gets ``total`` and ``update(rows)`` per batch.
        """
        return transfer.push(self, g, progress=progress)

    def delta(self, old: PartnerGraph, new: PartnerGraph) -> GraphDelta:
        """What changes from ``old`` to ``new``, as this server stores it (for :meth:`apply`)."""
        return graph_delta(old, new, dates=self.dialect.native_dates, names=self.dialect.fulltext)

    def apply(self, delta: "GraphDelta", *, erase: Iterable[str] = (), within: Any = None) -> "DeltaResult":
        """Write one edit — ``delta``, :func:`graph.store.neo4j.rows.graph_delta`
        of the graph before and after it — in one transaction; every instance
        sees it at its next version check (see :func:`.transfer.apply_delta`)."""
        return transfer.apply_delta(self, delta, erase=erase, within=within)

    # ------------------------------------------------------------------ pull
    def pull(self, *, progress: Progress | None = None) -> PullResult:
        """Read every node and relationship this tool wrote back into a graph."""
        return transfer.pull(self, progress=progress)

    # --------------------------------------------------------------- queries
    # The explorer's questions, answered in Cypher. Each method fetches what
    # the question touches (the names; one node's relationships; a ball of
    # radius r; the region holding every short path; the kinds a filter can
    # show) and, where the ranking rules are the in-memory ones, applies the
    # same functions of graph.search / graph.queries to that small part, so
    # both stores give the same answers.
    name = "neo4j"

    # ------------------------------------------------- versions and caches
    def version(self) -> tuple[Any, ...]:
        """The dataset version: ``(nodes, first push id, last push id,
        relationships)``, read at most every :attr:`refresh_interval` seconds
        (two count queries). Data written to the server after start (a push
        from elsewhere, a node created by hand) change it."""
        now = time.monotonic()
        with self._version_lock:
            if self._version is not None and now - self._version_checked < self.refresh_interval:
                return self._version
        with self._translated(), self._session() as session:
            nodes = session.run(self._query(cypher.VERSION_NODES)).single()
            edges = session.run(self._query(cypher.VERSION_EDGES)).single()
            marker = session.run(self._query(cypher.PUSH_STATUS), self._params({"marker": MARKER})).single()
        status = PushStatus.of(marker["props"]) if marker is not None else None
        version = (int(nodes["nodes"]), nodes["first"], nodes["last"], int(edges["edges"]),
                   (status.state, status.push_id, status.revision) if status else None)
        with self._version_lock:
            self._version, self._version_checked, self._push_status = version, now, status
        return version

    def push_status(self) -> PushStatus | None:
        """The push marker as of the last :meth:`version` check (read at most
        every :attr:`refresh_interval` seconds): ``interrupted`` when the last
        push did not complete. None before the first push."""
        self.version()
        return self._push_status

    def invalidate(self) -> None:
        """Forget the version and every cache (the next answer reads afresh)."""
        with self._version_lock:
            self._version, self._version_checked = None, float("-inf")
        self._cache.clear()
        self._clear_lru(None)

    def _clear_lru(self, version: tuple[Any, ...] | None) -> None:
        for lru in (self._attr_lru, self._out_lru, self._adj_lru, self._degree_lru, self._step_lru,
                    self._filter_lru, self._view_lru, self._relation_lru, self._towards_lru):
            lru.clear()
        self._lru_version = version

    def _fresh_lru(self) -> None:
        """Drop the per-node caches when the dataset version changed (read
        at most every :attr:`refresh_interval` seconds, like every cache)."""
        version = self.version()
        if version != self._lru_version:
            with self._version_lock:
                if version != self._lru_version:
                    self._clear_lru(version)

    def _raw_attrs(self, node_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{id: stored properties}`` (tags left out) of the known ids among
        ``node_ids``, in their order; from the per-version cache, the rest
        in one chunked statement."""
        wanted = list(dict.fromkeys(node_ids))
        if not wanted:
            return {}
        self._fresh_lru()
        return self._attr_lru.get_or_fetch(wanted, lambda missing: {
            r["id"]: node_attrs(r["props"]) for r in self._ids_query(cypher.NODES_BY_ID, missing)})

    def _out_edges(self, node_ids: Iterable[str]) -> dict[str, tuple[tuple[str, str, dict[str, Any]], ...]]:
        """``{id: ((target, key, attrs), …)}``: every relationship leaving each
        of ``node_ids`` (none for unknown ids), cached per dataset version,
        fetched with their attributes in one chunked statement."""
        wanted = list(dict.fromkeys(node_ids))
        if not wanted:
            return {}
        self._fresh_lru()

        def fetch(missing: list[str]) -> dict[str, tuple[tuple[str, str, dict[str, Any]], ...]]:
            found: dict[str, list[tuple[str, str, dict[str, Any]]]] = {n: [] for n in missing}
            for r in self._ids_query(cypher.EDGES_FROM, missing):
                found[r["source"]].append((r["target"], r["props"].get("_pn_key", ""), node_attrs(r["props"])))
            return {n: tuple(sorted(v, key=lambda e: e[:2])) for n, v in found.items()}

        return self._out_lru.get_or_fetch(wanted, fetch)

    def prepare(self) -> None:
        """Build the per-version tables a first view needs (the warm-up calls
        this; start-up does not wait for it): every node's degree, so cutting a
        view of thousands of nodes asks Neo4j nothing about them; and the
        topology (every relationship as ids and key), so the neighbours of
        hubs and the relationships among a large view are answered here."""
        self.degree_table()
        self.topology()

    def degree_table(self) -> dict[str, int] | None:
        """``{id: relationships at it}`` of every node, one query per dataset
        version (``neo4j`` dialect: Neo4j's kept counts; about a second and
        5 MB at 100,000 nodes), or None with the ``falkordb`` dialect."""
        if self.dialect.name != "neo4j":
            return None

        def build() -> dict[str, int]:
            record = self._run_untimed(cypher.NEO4J_ALL_DEGREES)  # a warm-up's work: no request waits for it
            return {nid: int(degree) for nid, degree in (record[0]["pairs"] if record else ())}

        return self._versioned("degrees", build)

    def topology(self) -> Adjacency | None:
        """Every node and relationship of the dataset version as an
        :class:`Adjacency` (ids and relationship keys, no attributes: ~40 MB at
        100,000 nodes and a million relationships), read once per version in
        statements of 20,000 nodes; None with the ``falkordb`` dialect."""
        if self.dialect.name != "neo4j":
            return None

        def chunked(ids: list[str]) -> Iterator[dict[str, Any]]:  # one statement's records in memory at a time
            for start in range(0, len(ids), _ID_CHUNK_COLLECTED):
                yield from self._ids_query(cypher.NEO4J_OUT_KEYS, ids[start:start + _ID_CHUNK_COLLECTED])

        def build() -> Adjacency:
            ids = list(self.degree_table() or ())
            return _read_topology(ids, chunked(ids))

        return self._versioned("topology", build)

    def _degree_table_if_built(self) -> dict[str, int] | None:
        """The degree table of the current version when it is built; else None,
        and it is built in the background (a request never waits for it)."""
        return self._if_built("degrees", self.degree_table)

    def _topology_if_built(self) -> Adjacency | None:
        """The topology of the current version when it is built (see :meth:`_degree_table_if_built`)."""
        return self._if_built("topology", self.topology)

    def _if_built(self, name: str, build: Callable[[], Any]) -> Any:
        if self.dialect.name != "neo4j":
            return None
        hit = self._cache.get(name)
        if hit is not None and hit[0] == self.version():
            return hit[1]
        with self._version_lock:
            if name in self._building:
                return None
            self._building.add(name)

        def run() -> None:
            try:
                build()
            except PartnernetzError:
                pass  # the per-node queries answer meanwhile; the next view tries again
            finally:
                self._building.discard(name)

        threading.Thread(target=run, name=f"partnernetz-{name}", daemon=True).start()
        return None

    def _facts_degrees(self, facts: PartnerGraph) -> "np.ndarray | None":
        """The degree table's degrees per adjacency row of ``facts`` (the
        filter's part of the graph), None until the table is built."""
        table = self._degree_table_if_built()
        if table is None:
            return None
        hit = self._facts_degree_rows
        if hit is None or hit[0] is not table or hit[1] is not facts:
            names = adjacency(facts).names
            hit = self._facts_degree_rows = (table, facts, np.fromiter((table.get(n, 0) for n in names),
                                                                       dtype=np.int64, count=len(names)))
        return hit[2]

    def _degrees(self, node_ids: Iterable[str]) -> dict[str, int]:
        """Relationships at each of ``node_ids`` (either direction), cached per dataset version."""
        table = self._degree_table_if_built()
        if table is not None:
            return {n: table[n] for n in node_ids if n in table}
        self._fresh_lru()
        query = cypher.NEO4J_DEGREES_AT if self.dialect.name == "neo4j" else cypher.DEGREES_AT
        return self._degree_lru.get_or_fetch(node_ids, lambda missing: {
            r["id"]: int(r["degree"]) for r in self._ids_query(query, missing, positional=True)})

    def _versioned(self, name: str, build: Any) -> Any:
        """``build()``, cached until the dataset version changes; concurrent
        callers wait for one computation."""
        version = self.version()
        hit = self._cache.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        with self._version_lock:
            lock = self._cache_locks.setdefault(name, threading.Lock())
        with lock:
            hit = self._cache.get(name)
            if hit is None or hit[0] != version:
                hit = self._cache[name] = (version, build())
        return hit[1]

    def _masked_contacts(self) -> dict[str, dict[str, Any]]:
        """Every contact's attributes after :func:`graph.privacy.mask_unconsented`
        (which needs all contacts and their institutions: a person recorded
        twice who withdrew consent in one record is masked in all)."""
        nodes = {r["id"]: r["props"] for r in self._run(cypher.NODES_OF_KIND, kind=NodeKind.CONTACT.value)}
        edges = self._run(cypher.EDGES_OF_KIND_FROM, kind=NodeKind.CONTACT.value, edge_kind=EdgeKind.WORKS_AT.value)
        for rec in edges:
            nodes.setdefault(rec["target"], {"kind": kind_of(rec["target"]).value})
        local = local_graph(nodes, edges)
        mask_unconsented(local)
        return {n: dict(local.node(n)) for n in local.nodes(NodeKind.CONTACT)}

    def _contact_view(self) -> dict[str, dict[str, Any]]:
        return self._versioned("contacts", self._masked_contacts)

    def _hidden_test(self) -> "Callable[[str], bool]":
        """:meth:`_hidden` as a function for many ids (the contact view looked up once)."""
        if self.contacts == "all":
            return lambda node_id: False
        if self.contacts == "none":
            return lambda node_id: node_id.startswith("contact:")
        view = self._contact_view()
        return lambda node_id: node_id.startswith("contact:") and node_id not in view

    def _hidden(self, node_id: str) -> bool:
        if self.contacts == "all" or not node_id.startswith("contact:"):
            return False
        return self.contacts == "none" or node_id not in self._contact_view()

    def _attrs(self, node_id: str, props: dict[str, Any]) -> dict[str, Any]:
        if self.contacts == "masked" and node_id.startswith("contact:"):
            masked = self._contact_view().get(node_id)
            if masked is not None:
                return dict(masked)
        return node_attrs(props)

    # ------------------------------------------------------------ snapshot
    @property
    def last_snapshot(self) -> PartnerGraph | None:
        """The snapshot taken last (None before the first), without asking the server."""
        snap = self._snapshot
        return None if snap is None else snap[1]

    def snapshot(self) -> PartnerGraph:
        """The whole graph, pulled on first use and kept; when the dataset
        version changes, a fresh one is pulled in the background while the
        old one is still returned. Contacts follow :attr:`contacts`.
        ``meta["snapshot"]`` holds ``source`` (the URI), ``taken_at`` (UTC,
        ISO), ``seconds`` and ``problems`` (records skipped). Raises
        :class:`~graph.errors.SnapshotDisabled` under ``snapshot_mode="off"``."""
        if self.snapshot_mode == "off":
            raise SnapshotDisabled(f"{self.uri}: whole-graph snapshot is off (--neo4j-snapshot off)")
        version = self.version()
        snap = self._snapshot
        if snap is None:
            with self._snapshot_lock:
                if self._snapshot is None:
                    self._snapshot = self._take_snapshot(version)
                return self._snapshot[1]
        if snap[0] != version:
            self._refresh_snapshot()
        return snap[1]

    def _take_snapshot(self, version: tuple[Any, ...]) -> tuple[Any, PartnerGraph]:
        pulled = self.pull()
        graph = pulled.graph
        if self.contacts == "none":
            graph = without_contacts(graph)
        elif self.contacts == "masked":
            mask_unconsented(graph)
        graph.meta["snapshot"] = {
            "source": self.uri, "taken_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(pulled.seconds, 3), "problems": list(pulled.problems)}
        return version, graph

    def _refresh_snapshot(self) -> None:
        with self._snapshot_lock:
            if self._refreshing:
                return
            self._refreshing = True

        def run() -> None:
            try:
                old, self._snapshot = self._snapshot, self._take_snapshot(self.version())
                self.snapshot_error = None
                if old is not None:
                    old[1].drop_views()  # freed when the last request using it ends, also if frozen (gc.freeze)
            except PartnernetzError as exc:  # the old snapshot stays; the next change retries
                self.snapshot_error = str(exc)
            finally:
                self._refreshing = False

        threading.Thread(target=run, name="partnernetz-snapshot", daemon=True).start()

    def _visible(self, records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """``{id: props}`` of node records, without hidden contacts, masked ones replaced."""
        out = {}
        for rec in records:
            if not self._hidden(rec["id"]):
                out[rec["id"]] = self._attrs(rec["id"], rec["props"])
        return out

    def node(self, node_id: str) -> dict[str, Any]:
        """Attributes of one node, as the in-memory graph holds them."""
        props = None if self._hidden(node_id) else self._raw_attrs([node_id]).get(node_id)
        if props is None:
            raise NodeNotFound(node_id)
        return self._attrs(node_id, props)

    def node_attrs(self, node_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{id: attributes}`` of the given nodes (unknown ids are left out),
        from the per-version cache where it holds them."""
        raw = self._raw_attrs(n for n in node_ids if not self._hidden(n))
        return {n: self._attrs(n, props) for n, props in raw.items()}

    def counts_by_kind(self) -> dict[str, int]:
        """Number of nodes per kind, every kind listed (no contacts under the rule ``none``)."""
        counts = {rec["kind"]: int(rec["n"]) for rec in self._run(cypher.COUNTS_BY_KIND)}
        if self.contacts == "none":
            counts.pop(NodeKind.CONTACT.value, None)
        return {k.value: counts.get(k.value, 0) for k in NodeKind}

    def search(self, text: str, *, kinds: Iterable[NodeKind | str] | None = None, limit: int = 10,
               lang: str = "de") -> list[SearchHit]:
        """Nodes whose names match ``text``, best first (see :func:`graph.explore.search.search`).

        ``neo4j`` dialect: the full-text index over the folded names
        (``_pn_names``) returns up to :data:`_FULLTEXT_CANDIDATES` candidates —
        nodes where every query word occurs in a name word or is within two
        edits of one (Lucene ``w* OR *w* OR w~``) — and the in-memory search's
        rules score them, so the web process holds no names. Where the two
        differ: a typo is a candidate within two edits (in memory: rapidfuzz
        ratio ≥ 80, which allows more in words over ten letters), and when
        more than the candidate limit match, Lucene's order (not the
        in-memory score) decides which are scored.
        Without the index (data pushed by an older version) and under
        FalkorDB: the names of all nodes are read once per dataset version and
        scored in memory.
        """
        if self.dialect.fulltext:
            try:
                return self._fulltext_search(text, kinds=kinds, limit=limit, lang=lang)
            except StoreUnavailable:
                raise
            except StoreError:
                pass  # no full-text index yet: the names in memory
        return search_names(self._names_graph(), text, kinds=kinds, limit=limit, lang=lang)

    def _fulltext_search(self, text: str, *, kinds: Iterable[NodeKind | str] | None, limit: int,
                         lang: str) -> list[SearchHit]:
        words = fold(text or "").split()
        if not words or limit <= 0:
            return []
        query = " AND ".join(f"({w}* OR *{w}* OR {w}~)" if len(w) >= 4 else f"({w}* OR *{w}*)" for w in words)
        nodes = {}
        for rec in self._run(cypher.FULLTEXT_SEARCH, index=cypher.FULLTEXT_INDEX, search=query,
                             limit=max(_FULLTEXT_CANDIDATES, 10 * limit)):
            nid = rec.pop("id")
            rec.pop("score", None)
            if nid is not None and not self._hidden(nid):
                nodes[nid] = self._attrs(nid, {k: v for k, v in rec.items() if v is not None})
        return search_names(local_graph(nodes, []), text, kinds=kinds, limit=limit, lang=lang)

    def neighbours_by_relation(self, node_id: str, *, lang: str = "de") -> dict[str, list[Neighbour]]:
        """Neighbours grouped by edge kind and direction (see
        :func:`graph.queries.neighbours_by_relation`), kept per dataset version
        (the details panel of a node shown before costs no round trip)."""
        self._fresh_lru()
        key = (node_id, lang)
        found = self._relation_lru.get_or_fetch([key], lambda _: {key: self._neighbours_by_relation(node_id, lang)})
        return {relation: list(items) for relation, items in found[key].items()}

    def neighbour_groups(self, node_id: str, *, lang: str = "de", limit: int | None = None) -> dict[str, Relation]:
        """Each relation's size and first ``limit`` neighbours by name, from
        the lists :meth:`neighbours_by_relation` keeps."""
        return {relation: Relation(len(items), items if limit is None else items[:limit])
                for relation, items in self.neighbours_by_relation(node_id, lang=lang).items()}

    def _neighbours_by_relation(self, node_id: str, lang: str) -> dict[str, list[Neighbour]]:
        nodes = {node_id: self.node(node_id)}
        edges = []
        for query in (cypher.OUT_EDGES, cypher.IN_EDGES):
            for rec in self._ids_query(query, [node_id]):
                other = rec["target"] if query is cypher.OUT_EDGES else rec["source"]
                if not self._hidden(other):
                    nodes[other] = self._attrs(other, rec["other"])
                    edges.append(rec)
        return queries.neighbours_by_relation(local_graph(nodes, edges), node_id, lang=lang)

    def ego_network(self, node_id: str, *, radius: int = 1, max_elements: int = queries.MAX_ELEMENTS) -> Subgraph:
        """Nodes within ``radius`` steps of ``node_id`` (see :func:`graph.queries.ego_network`)."""
        self.node(node_id)
        if not 0 <= radius <= 3:
            raise PartnernetzError(f"radius must be 0–3, not {radius}")
        dist = self._bfs(node_id, radius)
        return self._induced(dist, max_elements=max_elements, keep=[node_id], rank=dist)

    def shortest_paths(self, source: str, target: str, *, k: int = 3, max_length: int = 6,
                       exclude: Iterable[str] = (), via: Iterable[EdgeKind | str] | None = None) -> list[list[str]]:
        """Up to ``k`` shortest simple paths, edge direction ignored (see
        :func:`graph.queries.shortest_paths`). Among equally long paths the
        order may differ from the in-memory store's."""
        found = set(self.node_attrs([source, target]))
        for end in (source, target):
            if end not in found:
                raise NodeNotFound(end)
        if k <= 0 or max_length <= 0:
            return []
        if source == target:
            return [[source]]
        allowed = None if via is None else sorted({EdgeKind(e).value for e in via})
        banned = set(exclude) - {source, target}
        ball_s = Ball(self._step, source, allowed, banned)
        ball_t = Ball(self._step, target, allowed, banned)
        shortest = distance(ball_s, ball_t, max_length)
        if shortest is None:
            return []
        # The k shortest paths all have length <= L as soon as k paths of length
        # <= L exist; every such path lies in region(L). So grow L from the
        # shortest distance until k paths are found (or L = max_length).
        for length in range(shortest, max_length + 1):
            nodes = self.node_attrs(region(ball_s, ball_t, length))
            edges = [{"source": u, "target": v, "props": {**attrs, "_pn_key": key}}
                     for u, out in self._out_edges(nodes).items() for v, key, attrs in out if v in nodes]
            paths = queries.shortest_paths(local_graph(nodes, edges), source, target, k=k, max_length=length,
                                           exclude=exclude, via=via)
            if len(paths) >= k or length == max_length:
                return paths
        return []  # not reached

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = queries.MAX_ELEMENTS) -> Subgraph:
        """The part of the graph matching ``flt`` (see :func:`graph.queries.filter_subgraph`),
        kept per dataset version (a filter shown before is answered from memory)."""
        self._fresh_lru()
        key = (flt, max_elements)
        return self._filter_lru.get_or_fetch([key], lambda _: {key: self._filter_subgraph(flt, max_elements)})[key]

    def _filter_subgraph(self, flt: GraphFilter, max_elements: int) -> Subgraph:
        if not flt.selects_projects:
            kinds = sorted(flt.kinds) if flt.kinds else [k.value for k in NodeKind]
            return self._induced([r["id"] for r in self._run(cypher.NODE_IDS_OF_KINDS, kinds=kinds)
                                  if not self._hidden(r["id"])], max_elements=max_elements)
        # Project criteria: the result holds only these kinds, and deciding it
        # needs every project with its relationships and every institution.
        facts = self._facts_graph()
        degree = self._facts_degrees(facts)
        if degree is not None:  # filtered and cut in numpy, as in memory, by the degrees in the database
            return queries.filter_subgraph(facts, flt, max_elements=max_elements, degree=degree)
        whole = queries.filter_subgraph(facts, flt, max_elements=_UNLIMITED)
        rank = {n: (0 if kind_of(n) is NodeKind.PROJECT else 1) for n in whole.nodes}
        return self._induced(whole.nodes, max_elements=max_elements, rank=rank, edges=whole.edges)

    def neighbour_count(self, node_id: str) -> int:
        """How many nodes :meth:`neighbours` lists for ``node_id``."""
        return len(self.neighbours([node_id]).get(node_id, ()))

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        """``{id: adjacent ids}`` (either direction; only nodes of ``kinds``
        when given) of each known id of ``node_ids``."""
        wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
        hidden = self._hidden_test()
        adjacent = self._adjacent([n for n in node_ids if not hidden(n)])
        if wanted is None and self.contacts == "all":
            return adjacent
        return {n: frozenset(m for m in adj if not hidden(m) and (wanted is None or kind_name(m) in wanted))
                for n, adj in adjacent.items()}

    def _adjacent(self, node_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """``{id: every adjacent id}`` (either direction, hidden contacts
        included) of the known ids among ``node_ids``, cached per dataset version."""
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}
        self._fresh_lru()

        topology = self._topology_if_built()
        if topology is not None:  # no round trip, and nothing to keep per node
            return {n: frozenset(neighbour_names(topology, topology.index[n])) for n in ids if n in topology.index}

        def fetch(missing: list[str]) -> dict[str, frozenset[str]]:
            if self.dialect.name == "neo4j":  # one list per node
                return {r["source"]: frozenset(r["ids"])
                        for r in self._ids_query(cypher.NEO4J_NEIGHBOURS, missing)}
            found: dict[str, set[str]] = {}
            for rec in self._ids_query(cypher.NEIGHBOURS, missing, kinds=None):
                adj = found.setdefault(rec["source"], set())
                if rec["id"] is not None:
                    adj.add(rec["id"])
            return {n: frozenset(v) for n, v in found.items()}

        return self._adj_lru.get_or_fetch(ids, fetch)

    def induced_subgraph(self, node_ids: Iterable[str], *, max_elements: int = queries.MAX_ELEMENTS,
                         keep: Iterable[str] = (), rank: dict[str, float] | None = None) -> Subgraph:
        """The view on ``node_ids`` with every edge between them (see
        :func:`graph.queries.induced_subgraph`; unknown ids are left out)."""
        wanted = list(dict.fromkeys(node_ids))
        if self.dialect.name == "neo4j" and len(wanted) > _BIG_VIEW:  # the one pass leaves out unknown ids
            return self._induced([n for n in wanted if not self._hidden(n)], max_elements=max_elements, keep=keep,
                                 rank=rank)
        found = set(self._raw_attrs(n for n in wanted if not self._hidden(n)))  # the attributes are needed next
        return self._induced([n for n in wanted if n in found], max_elements=max_elements, keep=keep, rank=rank)

    def matching_projects(self, flt: GraphFilter) -> list[str]:
        """Ids of the projects meeting ``flt`` (see :func:`graph.queries.matching_projects`)."""
        return queries.matching_projects(self._facts_graph(), flt)

    def overview(self, flt: GraphFilter | None = None, *, by: str = "country") -> queries.Overview:
        """Länder ↔ countries/themes weighted by matching projects (see :func:`graph.queries.overview`).

        Reads the projects, institutions, Länder, countries, themes and
        programmes with only the fields the filters decide on, once per dataset version."""
        return queries.overview(self._facts_graph(), flt, by=by)

    def edges_between(self, pairs: Iterable[tuple[str, str]], *, directed: bool = False) -> list[EdgeRecord]:
        """Every relationship joining the two nodes of each pair (either
        direction; only first → second with ``directed``) with its
        attributes, as ``(source, target, key, attrs)``."""
        oriented = {(u, v) for a, b in pairs for u, v in (((a, b),) if directed else ((a, b), (b, a)))
                    if u != v and not self._hidden(u) and not self._hidden(v)}
        self._fresh_lru()  # relationships of nodes a view just showed are cached (e.g. for its CSV)
        cached = self._out_lru.get_many({u for u, _ in oriented})
        out = [(u, v, key, dict(attrs)) for u, v in oriented if u in cached
               for target, key, attrs in cached[u] if target == v]
        rest = sorted(p for p in oriented if p[0] not in cached)
        out += [(r["source"], r["target"], r["props"].get("_pn_key", ""), node_attrs(r["props"]))
                for r in self._ids_query(cypher.EDGES_BETWEEN, rest, list_name="pairs")]
        return sorted(out, key=lambda e: e[:3])

    def filter_options(self) -> FilterOptions:
        """The values the explorer's filters offer, read in Cypher once per
        dataset version (see :func:`graph.store.filter_options`)."""
        def build() -> FilterOptions:
            named = [(r["id"], r["kind"], r["label"], r["label_en"])
                     for r in self._run(cypher.OPTION_NODES, kinds=["country", "land", "theme"])]
            sectors = [r["value"] for r in self._run(cypher.DISTINCT_VALUES, kind="institution", field="sector")]
            statuses = [r["value"] for r in self._run(cypher.DISTINCT_VALUES, kind="project", field="status")]
            years = self._run(cypher.PROJECT_YEARS, kind="project")
            span = (years[0]["first"], years[0]["last"]) if years else (None, None)
            return FilterOptions.build(named, sectors, statuses, span)

        return self._versioned("options", build)

    # ------------------------------------------------------- query helpers
    def _facts_graph(self) -> PartnerGraph:
        """The kinds a project filter decides on, with only the fields it
        needs, and the relationships between them; cached until the dataset version changes
        (the in-memory overviews cached on it are kept as long)."""
        def build() -> PartnerGraph:
            kinds = sorted(k.value for k in _FILTER_KINDS)
            nodes = self._visible(self._run(cypher.FILTER_NODES, kinds=kinds))
            return local_graph(nodes, self._run(cypher.FILTER_EDGES, kinds=kinds))

        return self._versioned("facts", build)

    def _ids_query(self, query: str, ids: Iterable[str], *, list_name: str = "ids", positional: bool = False,
                   **params: Any) -> list[dict[str, Any]]:
        """Run ``query`` with the list ``$ids`` (or ``$<list_name>``) in
        chunks small enough for the dialect. ``positional``: the records
        name a position ``i`` in the chunk, returned as ``id``."""
        ids = [list(i) if isinstance(i, tuple) else i for i in dict.fromkeys(ids)]  # pairs travel as lists
        if not ids:
            return []
        overhead = len(query.encode()) + 64 + rendered_size(params)
        statement, columns = cypher.COLLECTED.get(query, (query, None)) if self.dialect.nested_records else (query, None)
        out: list[dict[str, Any]] = []
        # ``CALL { … }`` without a scope clause runs on every Neo4j 5 (``CALL () { … }``
        # needs 5.23) and is only reported as deprecated: not worth a warning per view.
        quiet = {"notifications_disabled_classifications": [neo4j.NotificationDisabledClassification.DEPRECATION]}
        with self._translated(), self._session(**(quiet if columns else {})) as session:
            for chunk in chunks(ids, max_count=_ID_CHUNK_COLLECTED if columns else _ID_CHUNK, max_bytes=self.dialect.max_statement_bytes,
                                overhead=overhead):
                result = session.run(self._query(statement), self._params({list_name: chunk, **params}))
                if columns:  # one record holding every row: the driver's per-record cost paid once
                    record = result.single()
                    records = (dict(zip(columns, row)) for row in (record[0] if record is not None else ()))
                else:
                    records = (r.data() for r in result)
                if positional:
                    records = ({**r, "id": chunk[int(r.pop("i"))]} for r in records)
                out.extend(records)
        return out

    def _bfs(self, start: str, radius: int) -> dict[str, int]:
        """Distances (edge direction ignored) from ``start`` up to ``radius``."""
        ball = Ball(self._step, start, None, frozenset())
        ball.grow_to(radius)
        return ball.dist

    def _step(self, frontier: Iterable[str], kinds: list[str] | None) -> set[str]:
        """Visible nodes adjacent to ``frontier`` over edges of ``kinds`` (the
        adjacency cached per version answers for the nodes it holds)."""
        frontier = list(dict.fromkeys(frontier))
        reached: set[str] = set()
        if frontier:
            self._fresh_lru()
        if kinds is None and frontier:
            cached = self._adj_lru.get_many(frontier)
            for adj in cached.values():
                reached |= adj
            frontier = [n for n in frontier if n not in cached]
        if frontier:  # the same step of a repeated view (ego ball, path search) is kept too
            key = (tuple(sorted(frontier)), tuple(kinds) if kinds is not None else None)
            step = self._step_lru.get_many([key]).get(key)
            if step is None:
                step = frozenset(r["id"] for r in self._ids_query(cypher.NEIGHBOURHOOD, frontier, kinds=kinds))
                self._step_lru.put({key: step})
            reached |= step
        return {n for n in reached if not self._hidden(n)}

    def _induced(self, nodes: Iterable[str], *, max_elements: int, keep: Iterable[str] = (),
                 rank: dict[str, float] | None = None,
                 edges: Iterable[tuple[str, str, str]] | None = None) -> Subgraph:
        """:func:`graph.queries.induced_subgraph` on nodes known to exist: the
        same cut (``keep`` first, then ``rank``, then higher degree, then id)."""
        wanted = list(dict.fromkeys(nodes))
        if edges is None and self.dialect.name == "neo4j" and len(wanted) > _BIG_VIEW:
            return self._big_view(wanted, max_elements, tuple(keep), rank or {})
        edges = self._edges_among(wanted) if edges is None else list(edges)
        total = len(wanted) + len(edges)
        if total <= max_elements:
            return Subgraph(tuple(sorted(wanted)), tuple(sorted(edges)), False, total)
        # the one cut of graph.explore.subgraphs, on numpy arrays of these
        # nodes and edges, ordered by the degrees in the whole database
        return _cut_part(wanted, edges, self._degrees(wanted), max_elements, keep, rank or {}, total)

    def _edges_among(self, wanted: list[str]) -> list[tuple[str, str, str]]:
        """``(source, target, key)`` of every relationship among ``wanted``.
        Each node's relationships are read with their attributes and kept (for
        the view's CSV and the next view) — except a hub's (more than
        :data:`_HUB_DEGREE` by the degree table): of its thousands only the
        few into the view are read."""
        wanted_set = set(wanted)
        table = self._degree_table_if_built()
        hubs = {n for n in wanted if table.get(n, 0) > _HUB_DEGREE} if table is not None else set()
        edges = [(u, v, key) for u, out in self._out_edges(n for n in wanted if n not in hubs).items()
                 for v, key, _ in out if v in wanted_set]
        if hubs:  # kept per view (the same view again asks nothing)
            key = (tuple(sorted(hubs)), tuple(sorted(wanted_set)))
            towards = self._towards_lru.get_many([key]).get(key)
            if towards is None:
                towards = tuple((r["source"], r["target"], r["key"])
                                for r in self._ids_query(cypher.EDGE_KEYS_TOWARDS, sorted(hubs), all=wanted))
                self._towards_lru.put({key: towards})
            edges += towards
        return edges

    def _big_view(self, wanted: list[str], max_elements: int, keep: tuple[str, ...],
                  rank: dict[str, float]) -> Subgraph:
        """:meth:`_induced` of a view of many nodes (``neo4j`` dialect; unknown
        ids left out), kept per dataset version: one pass reads which exist,
        their degrees and the relationships among them without attributes
        (:data:`cypher.NEO4J_VIEW_PART`); the cut runs on numpy arrays of that
        part, and only the nodes it keeps are read with attributes later."""
        self._fresh_lru()
        key = (tuple(wanted), max_elements, keep, tuple(rank.get(n, 0) for n in wanted))
        return self._view_lru.get_or_fetch([key], lambda _: {key: self._cut_view(wanted, max_elements, keep, rank)})[key]

    def _cut_view(self, wanted: list[str], max_elements: int, keep: tuple[str, ...],
                  rank: dict[str, float]) -> Subgraph:
        table, topology = self._degree_table_if_built(), self._topology_if_built()
        if table is not None and topology is not None:  # answered here
            names = [n for n in wanted if n in topology.index]
            edges = edges_among_rows(topology, np.fromiter((topology.index[n] for n in names), dtype=np.int64,
                                                           count=len(names)))
            degree = {n: table.get(n, 0) for n in names}
        else:
            if table is not None:
                records = self._ids_query(cypher.NEO4J_VIEW_EDGES, wanted, all=wanted)
                degree = {r["id"]: table.get(r["id"], 0) for r in records}
            else:
                records = self._ids_query(cypher.NEO4J_VIEW_PART, wanted, all=wanted)
                degree = {r["id"]: int(r["degree"]) for r in records}
                self._degree_lru.put(degree)
            out = {r["id"]: r["out"] for r in records}
            names = [n for n in wanted if n in out]
            edges = [(u, v, k) for u in names for v, k in out[u]]
        total = len(names) + len(edges)
        if total <= max_elements:
            return Subgraph(tuple(sorted(names)), tuple(sorted(edges)), False, total)
        return _cut_part(names, edges, degree, max_elements, keep, rank, total)

    def _names_graph(self) -> PartnerGraph:
        """Every node with its names only, cached until the dataset version changes."""
        def build() -> PartnerGraph:
            nodes = {}
            for rec in self._run(cypher.NAMES):
                nid = rec.pop("id")
                if not self._hidden(nid):
                    nodes[nid] = self._attrs(nid, {k: v for k, v in rec.items() if v is not None})
            return local_graph(nodes, [])

        return self._versioned("names", build)

    # ---------------------------------------------------------------- counts
    def count(self) -> tuple[int, int]:
        """``(nodes, relationships)`` this tool wrote."""
        return (int(self._run(cypher.COUNT_NODES)[0]["n"]), int(self._run(cypher.COUNT_EDGES)[0]["n"]))


def _read_topology(ids: list[str], records: Iterable[dict[str, Any]]) -> Adjacency:
    """The :class:`Adjacency` of the nodes ``ids`` (every relationship as rows and a key
    code, no attributes) from records ``{id, out: [[target, key], …]}``; relationships to
    nodes outside ``ids`` are left out. What the in-memory store answers structure
    questions from, without the attributes (those stay in Neo4j)."""
    index = {n: i for i, n in enumerate(ids)}
    codes: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    key: list[int] = []
    for record in records:
        i = index.get(record["id"])
        if i is None:
            continue
        for target, k in record["out"]:
            j = index.get(target)
            if j is not None:
                src.append(i)
                dst.append(j)
                key.append(codes.setdefault(k, len(codes)))
    return adjacency_of_edges(ids, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
                              np.array(key, dtype=np.int32), tuple(codes))


def _cut_part(names: list[str], edges: list[tuple[str, str, str]], degree: dict[str, int], max_elements: int,
              keep: Iterable[str], rank: dict[str, float], total: int) -> Subgraph:
    """The cut of :func:`graph.explore.subgraphs.cut` of a part of the graph
    (nodes ``names``, the ``edges`` among them), ordered by ``degree`` (in the
    whole database), on compressed adjacency arrays built from the edge list."""
    index = {n: i for i, n in enumerate(names)}
    src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
    adj = adjacency_of_edges(names, src, dst)
    keep_set = set(keep)
    ranks = np.array([rank.get(n, 0) for n in names], dtype=float)
    unpinned = np.array([n not in keep_set for n in names], dtype=bool)
    degrees = np.array([degree.get(n, 0) for n in names], dtype=np.int64)
    out: dict[str, list[tuple[str, str]]] = {}
    for u, v, k in edges:
        out.setdefault(u, []).append((v, k))

    def edges_among(chosen: set[str]) -> list[tuple[str, str, str]]:
        return [(u, v, k) for u in chosen for v, k in out.get(u, ()) if v in chosen]

    return cut(None, adj, np.arange(len(names)), (ranks, unpinned), max_elements, total, degree=degrees,
               edges_among=edges_among)


def connect(uri: str, *, user: str | None = None, password: str | None = None,
            database: str | None = None, dialect: str | None = None, batch_size: int | None = None,
            timeout: float = 10.0, contacts: str = "all", refresh_interval: float = 15.0,
            snapshot_mode: str = "warm", query_timeout: float | None = None) -> Neo4jStore:
    """Open a driver on ``uri`` and return a store that owns it.

    No ``user`` connects without authentication; ``contacts``,
    ``refresh_interval``, ``snapshot_mode`` and ``query_timeout`` are passed
    to :class:`Neo4jStore` (``timeout`` is the connection timeout). Connecting is lazy: the
    first query (or :meth:`Neo4jStore.ping`) reports an unreachable server
    as :class:`StoreUnavailable`.
    """
    auth = neo4j.basic_auth(user, password or "") if user else None
    shown = redact_uri(uri)
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, connection_timeout=timeout,
                                            connection_acquisition_timeout=timeout)
    except (nx_exc.ConfigurationError, ValueError) as exc:
        raise StoreUnavailable(
            f"{shown}: invalid connection settings ({cause(exc, secrets_of(uri, password))})") from None
    return Neo4jStore(driver, database=database, dialect=dialect, batch_size=batch_size, uri=uri,
                      password=password, owns_driver=True, contacts=contacts, refresh_interval=refresh_interval,
                      snapshot_mode=snapshot_mode, query_timeout=query_timeout)

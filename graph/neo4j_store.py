"""The Neo4j store: push, pull and query the partner graph over Bolt.

Built on an injected ``neo4j.Driver`` (official driver, v6); :func:`connect`
creates one from a URI for the CLI and the dashboard. Every driver error is
translated here into :class:`~graph.errors.StoreUnavailable` (server down,
wrong credentials, unknown database, timeout) or
:class:`~graph.errors.StoreError` (anything else), with a message naming the
URI and the cause; no ``neo4j.exceptions`` type leaves this module.

Query mode (``serve --neo4j-uri``) uses one store for the whole process:
the explorer's questions are answered per call; what is read once and cached
(names for search, filter facts and choices, masked contacts, the
per-node attributes, relationships, adjacency, breadth-first steps and
degrees a view fetched — bounded, least recently used first out — and the
:meth:`Neo4jStore.snapshot` for whole-graph pages) is rebuilt when the
dataset version (:meth:`Neo4jStore.version`, read at most every
``refresh_interval`` seconds) changes. ``contacts`` sets the privacy rule
every answer keeps to.

This is the only module of ``graph/`` that imports ``neo4j``; nothing in
``graph/__init__`` imports it.

Example (needs a running server)::

    with connect("bolt://127.0.0.1:7687", user="neo4j", password=secret) as store:
        store.push(graph)                 # PushResult(nodes=210, edges=698, …)
        store.ego_network("land:DE-HE")   # the same Subgraph as MemoryStore(graph) gives
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Protocol
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import exceptions as nx_exc

from graph import cypher
from graph.cypher import Dialect, get_dialect
from graph import explore as queries
from graph.core.errors import NodeNotFound, PartnernetzError, SnapshotDisabled, StoreError, StoreUnavailable
from graph.core.kinds import EdgeKind, NodeKind, kind_of
from graph.core.model import PartnerGraph
from graph.people.privacy import mask_unconsented, without_contacts
from graph.explore import GraphFilter, Neighbour, Subgraph
from graph.store import EdgeRecord, FilterOptions
from graph.explore.search import SearchHit
from graph.explore.search import search as search_names
from graph.neo4j_rows import TAG_PROPERTIES, PulledGraph, chunks, rendered_size, batches, edge_rows, graph_from_records, new_push_id, node_rows

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



class Progress(Protocol):
    """What push and pull report progress to: a ``tqdm`` bar fits.

    ``total`` is set to the number of rows before the first ``update(n)``.
    """

    total: Any

    def update(self, n: int) -> Any: ...


_DELETE_BATCH = 1000
#: Nodes whose attributes, outgoing relationships and degree the store keeps
#: per dataset version (least recently used dropped first).
_LRU_SIZE = 20_000
#: Breadth-first steps (frontier → reached ids) kept per dataset version.
_STEP_LRU_SIZE = 256
_ID_CHUNK = 5000
_UNLIMITED = 10**12
#: The kinds a filter with project criteria can show (and needs to decide).
_FILTER_KINDS = (NodeKind.PROJECT, NodeKind.INSTITUTION, NodeKind.LAND, NodeKind.COUNTRY,
                 NodeKind.THEME, NodeKind.PROGRAMME)


def redact_uri(uri: str) -> str:
    """``uri`` without any password in it (``bolt://u:pw@h`` → ``bolt://u@h``).

    >>> redact_uri("neo4j+s://ann:secret@db.example.org:7687")
    'neo4j+s://ann@db.example.org:7687'
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


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


_REASON = re.compile(r"\(reason (.+)\)\s*$")


def _secrets_of(uri: str | None, password: str | None = None) -> tuple[str, ...]:
    """What must never appear in a message: the password and the raw URI holding one."""
    out = [password] if password else []
    try:
        in_uri = urlsplit(uri).password if uri else None
    except ValueError:
        in_uri = None
    if in_uri:
        out += [uri, in_uri]
    return tuple(out)


def _cause(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """A one-line cause: the server's message, or the driver's first argument,
    with any secret replaced (raw URI first, so it becomes the redacted one)."""
    return _scrub(_raw_cause(exc), secrets)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact_uri(secret) if "://" in secret else "***")
    return text


def _raw_cause(exc: BaseException) -> str:
    if isinstance(exc, nx_exc.Neo4jError):
        text = exc.message or str(exc)
    else:
        text = str(exc.args[0]) if exc.args else str(exc)
    text = " ".join(str(text).split()) or type(exc).__name__
    if "Bolt handshake response" in text:
        deadline = re.search(r"timeout=([0-9.]+)", text)
        within = f" within {deadline.group(1)} s" if deadline else ""
        return f"no Bolt handshake answer{within}: not a Bolt port, or the server hangs"
    reason = _REASON.search(text)
    if reason:  # "Couldn't connect to … (reason [Errno 111] Connection refused)"
        text = reason.group(1)
    return text[:300]


class _LRU:
    """A bounded, thread-safe ``{key: value}`` that forgets the least recently used first.

    >>> lru = _LRU(2)
    >>> lru.put({"a": 1, "b": 2}); lru.get_many(["a"]); lru.put({"c": 3})
    {'a': 1}
    >>> sorted(lru.get_many(["a", "b", "c"]))
    ['a', 'c']
    """

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[Any]) -> dict[Any, Any]:
        out = {}
        with self._lock:
            for key in keys:
                if key in self._data:
                    self._data.move_to_end(key)
                    out[key] = self._data[key]
        return out

    def put(self, items: dict[Any, Any]) -> None:
        with self._lock:
            for key, value in items.items():
                self._data[key] = value
                self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_fetch(self, keys: Iterable[Any], fetch: Callable[[list[Any]], dict[Any, Any]]) -> dict[Any, Any]:
        """``{key: value}`` of ``keys`` (deduplicated, in order): held values,
        and for the others what ``fetch(missing keys)`` returns (kept for next
        time). Keys neither held nor fetched are left out.

        >>> _LRU(4).get_or_fetch(["a", "b", "a"], lambda missing: {k: k.upper() for k in missing if k != "b"})
        {'a': 'A'}
        """
        wanted = list(dict.fromkeys(keys))
        known = self.get_many(wanted)
        missing = [k for k in wanted if k not in known]
        if missing:
            fetched = fetch(missing)
            self.put(fetched)
            known.update(fetched)
        return {k: known[k] for k in wanted if k in known}

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


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
    """

    def __init__(self, driver: "neo4j.Driver", *, database: str | None = None,
                 dialect: str | Dialect | None = None, batch_size: int | None = None,
                 uri: str | None = None, password: str | None = None, owns_driver: bool = False,
                 contacts: str = "all", refresh_interval: float = 15.0, snapshot_mode: str = "warm"):
        self.driver = driver
        self.database = database or None
        self.dialect = get_dialect(dialect)
        self.batch_size = batch_size or self.dialect.default_batch_size
        if self.batch_size < 1:
            raise StoreError(f"batch size must be at least 1, got {self.batch_size}")
        self.uri = redact_uri(uri) if uri else "the Neo4j server"
        self._secrets = _secrets_of(uri, password)
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
        self._cache: dict[str, tuple[Any, Any]] = {}
        self._cache_locks: dict[str, threading.Lock] = {}
        self._snapshot: tuple[Any, PartnerGraph] | None = None
        # Per dataset version: node attributes, outgoing relationships, degrees (see _fresh_lru).
        self._attr_lru, self._out_lru, self._adj_lru = _LRU(_LRU_SIZE), _LRU(_LRU_SIZE), _LRU(_LRU_SIZE)
        self._degree_lru, self._step_lru = _LRU(5 * _LRU_SIZE), _LRU(_STEP_LRU_SIZE)
        self._lru_version: tuple[Any, ...] | None = None
        self._snapshot_lock = threading.Lock()
        self._refreshing = False
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

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """Translate driver and socket errors into the Partnernetz error tree."""
        where = self.uri + (f" (database {self.database!r})" if self.database else "")
        try:
            yield
        except (StoreError, NodeNotFound):
            raise
        except nx_exc.AuthError as exc:
            raise StoreUnavailable(f"{where}: authentication failed – check user and password ({_cause(exc, self._secrets)})") from None
        except nx_exc.ServiceUnavailable as exc:
            raise StoreUnavailable(f"{where}: server not reachable ({_cause(exc, self._secrets)})") from None
        except nx_exc.SessionExpired as exc:
            raise StoreUnavailable(f"{where}: connection lost ({_cause(exc, self._secrets)})") from None
        except nx_exc.ClientError as exc:
            code = exc.code or ""
            if "DatabaseNotFound" in code:
                raise StoreUnavailable(f"{where}: database does not exist ({_cause(exc, self._secrets)})") from None
            if "Security" in code:
                raise StoreUnavailable(f"{where}: access denied ({_cause(exc, self._secrets)})") from None
            raise StoreError(f"{where}: query rejected: {code} {_cause(exc, self._secrets)}".rstrip()) from None
        except nx_exc.DatabaseUnavailable as exc:
            raise StoreUnavailable(f"{where}: database unavailable ({_cause(exc, self._secrets)})") from None
        except nx_exc.Neo4jError as exc:
            raise StoreError(f"{where}: server error: {exc.code or ''} {_cause(exc, self._secrets)}") from None
        except nx_exc.ConfigurationError as exc:
            raise StoreUnavailable(f"{where}: invalid connection settings ({_cause(exc, self._secrets)})") from None
        except nx_exc.DriverError as exc:
            raise StoreUnavailable(f"{where}: driver error ({_cause(exc, self._secrets)})") from None
        except (TimeoutError, OSError) as exc:
            raise StoreUnavailable(f"{where}: timed out or connection failed ({_cause(exc, self._secrets)})") from None
        except ValueError as exc:  # e.g. an unparsable URI scheme inside the driver
            raise StoreUnavailable(f"{where}: invalid connection settings ({_cause(exc, self._secrets)})") from None

    def _session(self) -> "neo4j.Session":
        if self.database:
            return self.driver.session(database=self.database)
        return self.driver.session()

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {k: self.dialect.prepare(v) for k, v in params.items()}

    def _run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run one auto-commit statement and return its records as dicts."""
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
        ``index`` or ``none``."""
        if self.dialect.name == "falkordb":
            try:
                for rec in self._run(cypher.FALKORDB_LIST_INDEXES):
                    if rec["label"] == cypher.TAG_LABEL and "id" in (rec["properties"] or []):
                        return "index"
                self._run(cypher.FALKORDB_INDEX)
                return "index"
            except StoreUnavailable:
                raise
            except StoreError:
                return "none"
        for statement, what in ((cypher.NEO4J_CONSTRAINT, "constraint"), (cypher.NEO4J_INDEX, "index")):
            try:
                self._run(statement)
                return what
            except StoreUnavailable:
                raise
            except StoreError:
                continue
        return "none"

    def _write_batches(self, query: str, rows: list[dict[str, Any]], progress: Progress | None) -> int:
        overhead = len(query.encode()) + 32
        written = 0
        with self._translated(), self._session() as session:
            for batch in batches(rows, batch_size=self.batch_size, max_bytes=self.dialect.max_statement_bytes,
                                 overhead=overhead):
                session.execute_write(_consume, query, self._params({"rows": batch}))
                written += len(batch)
                if progress is not None:
                    progress.update(len(batch))
        return written

    def _delete_stale(self, query: str, push: str) -> int:
        deleted = 0
        while True:
            rec = self._run(query, push=push, limit=_DELETE_BATCH)
            n = int(rec[0]["deleted"]) if rec else 0
            deleted += n
            if n < _DELETE_BATCH:
                return deleted

    def push(self, g: PartnerGraph, *, progress: Progress | None = None) -> PushResult:
        """Write the whole graph (idempotent) and remove what an earlier push
        wrote but ``g`` no longer holds. Nothing else in the database is touched.

        ``progress`` (e.g. a ``tqdm`` bar) gets ``total`` and ``update(rows)`` per batch.
        """
        start = time.perf_counter()
        self.ping()
        index = self.ensure_index()
        push = new_push_id()
        nodes = node_rows(g, push=push)
        edges = edge_rows(g, push=push)
        _set_total(progress, sum(map(len, nodes.values())) + sum(map(len, edges.values())))
        n_nodes = sum(self._write_batches(cypher.MERGE_NODES[k], rows, progress) for k, rows in nodes.items() if rows)
        n_edges = sum(self._write_batches(cypher.MERGE_EDGES[k], rows, progress) for k, rows in edges.items() if rows)
        deleted_edges = self._delete_stale(cypher.DELETE_STALE_EDGES, push)
        deleted_nodes = self._delete_stale(cypher.DELETE_STALE_NODES, push)
        self.invalidate()
        return PushResult(push, n_nodes, n_edges, deleted_nodes, deleted_edges,
                          time.perf_counter() - start, index)

    # ------------------------------------------------------------------ pull
    def pull(self, *, progress: Progress | None = None) -> PullResult:
        """Read every node and relationship this tool wrote back into a graph."""
        start = time.perf_counter()
        with self._translated(), self._session() as session:
            if progress is not None:
                n = session.run(cypher.COUNT_NODES).single()["n"]
                m = session.run(cypher.COUNT_EDGES).single()["n"]
                _set_total(progress, int(n) + int(m))
            node_recs = list(_records(session.run(cypher.PULL_NODES), progress))
            edge_recs = list(_records(session.run(cypher.PULL_EDGES), progress))
        pulled: PulledGraph = graph_from_records(node_recs, edge_recs)
        return PullResult(pulled.graph, pulled.problems, len(node_recs), len(edge_recs),
                          time.perf_counter() - start)

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
            nodes = session.run(cypher.VERSION_NODES).single()
            edges = session.run(cypher.VERSION_EDGES).single()
        version = (int(nodes["nodes"]), nodes["first"], nodes["last"], int(edges["edges"]))
        with self._version_lock:
            self._version, self._version_checked = version, now
        return version

    def invalidate(self) -> None:
        """Forget the version and every cache (the next answer reads afresh)."""
        with self._version_lock:
            self._version, self._version_checked = None, float("-inf")
        self._cache.clear()
        self._clear_lru(None)

    def _clear_lru(self, version: tuple[Any, ...] | None) -> None:
        for lru in (self._attr_lru, self._out_lru, self._adj_lru, self._degree_lru, self._step_lru):
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
            r["id"]: _node_attrs(r["props"]) for r in self._ids_query(cypher.NODES_BY_ID, missing)})

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
                found[r["source"]].append((r["target"], r["props"].get("_pn_key", ""), _node_attrs(r["props"])))
            return {n: tuple(sorted(v, key=lambda e: e[:2])) for n, v in found.items()}

        return self._out_lru.get_or_fetch(wanted, fetch)

    def _degrees(self, node_ids: Iterable[str]) -> dict[str, int]:
        """Relationships at each of ``node_ids`` (either direction), cached per dataset version."""
        self._fresh_lru()
        return self._degree_lru.get_or_fetch(node_ids, lambda missing: {
            r["id"]: int(r["degree"]) for r in self._ids_query(cypher.DEGREES_AT, missing, positional=True)})

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
        local = _local_graph(nodes, edges)
        mask_unconsented(local)
        return {n: dict(local.nx.nodes[n]) for n in local.nodes(NodeKind.CONTACT)}

    def _contact_view(self) -> dict[str, dict[str, Any]]:
        return self._versioned("contacts", self._masked_contacts)

    def _hidden(self, node_id: str) -> bool:
        if self.contacts == "all" or not node_id.startswith("contact:"):
            return False
        return self.contacts == "none" or node_id not in self._contact_view()

    def _attrs(self, node_id: str, props: dict[str, Any]) -> dict[str, Any]:
        if self.contacts == "masked" and node_id.startswith("contact:"):
            masked = self._contact_view().get(node_id)
            if masked is not None:
                return dict(masked)
        return _node_attrs(props)

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
                self._snapshot = self._take_snapshot(self.version())
                self.snapshot_error = None
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
        """Nodes whose names match ``text``, best first (see :func:`graph.search.search`).

        The names of all nodes are read once per dataset version (a few fields per node)
        and scored with the in-memory search's rules.
        """
        return search_names(self._names_graph(), text, kinds=kinds, limit=limit, lang=lang)

    def neighbours_by_relation(self, node_id: str, *, lang: str = "de") -> dict[str, list[Neighbour]]:
        """Neighbours grouped by edge kind and direction (see :func:`graph.queries.neighbours_by_relation`)."""
        nodes = {node_id: self.node(node_id)}
        edges = []
        for query in (cypher.OUT_EDGES, cypher.IN_EDGES):
            for rec in self._ids_query(query, [node_id]):
                other = rec["target"] if query is cypher.OUT_EDGES else rec["source"]
                if not self._hidden(other):
                    nodes[other] = self._attrs(other, rec["other"])
                    edges.append(rec)
        return queries.neighbours_by_relation(_local_graph(nodes, edges), node_id, lang=lang)

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
        ball_s = _Ball(self, source, allowed, banned)
        ball_t = _Ball(self, target, allowed, banned)
        shortest = _distance(ball_s, ball_t, max_length)
        if shortest is None:
            return []
        # The k shortest paths all have length <= L as soon as k paths of length
        # <= L exist; every such path lies in region(L). So grow L from the
        # shortest distance until k paths are found (or L = max_length).
        for length in range(shortest, max_length + 1):
            nodes = self.node_attrs(_region(ball_s, ball_t, length))
            edges = [{"source": u, "target": v, "props": {**attrs, "_pn_key": key}}
                     for u, out in self._out_edges(nodes).items() for v, key, attrs in out if v in nodes]
            paths = queries.shortest_paths(_local_graph(nodes, edges), source, target, k=k, max_length=length,
                                           exclude=exclude, via=via)
            if len(paths) >= k or length == max_length:
                return paths
        return []  # not reached

    def filter_subgraph(self, flt: GraphFilter, *, max_elements: int = queries.MAX_ELEMENTS) -> Subgraph:
        """The part of the graph matching ``flt`` (see :func:`graph.queries.filter_subgraph`)."""
        if not flt.selects_projects:
            kinds = sorted(flt.kinds) if flt.kinds else [k.value for k in NodeKind]
            return self._induced([r["id"] for r in self._run(cypher.NODE_IDS_OF_KINDS, kinds=kinds)
                                  if not self._hidden(r["id"])], max_elements=max_elements)
        # Project criteria: the result holds only these kinds, and deciding it
        # needs every project with its relationships and every institution.
        whole = queries.filter_subgraph(self._facts_graph(), flt, max_elements=_UNLIMITED)
        rank = {n: (0 if kind_of(n) is NodeKind.PROJECT else 1) for n in whole.nodes}
        return self._induced(whole.nodes, max_elements=max_elements, rank=rank, edges=whole.edges)

    def neighbours(self, node_ids: Iterable[str], *,
                   kinds: Iterable[NodeKind | str] | None = None) -> dict[str, frozenset[str]]:
        """``{id: adjacent ids}`` (either direction; only nodes of ``kinds``
        when given) of each known id of ``node_ids``."""
        wanted = None if kinds is None else frozenset(NodeKind(k).value for k in kinds)
        adjacent = self._adjacent([n for n in node_ids if not self._hidden(n)])
        return {n: frozenset(m for m in adj if not self._hidden(m) and (wanted is None or _kind(m) in wanted))
                for n, adj in adjacent.items()}

    def _adjacent(self, node_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """``{id: every adjacent id}`` (either direction, hidden contacts
        included) of the known ids among ``node_ids``, cached per dataset version."""
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return {}
        self._fresh_lru()

        def fetch(missing: list[str]) -> dict[str, frozenset[str]]:
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
        out += [(r["source"], r["target"], r["props"].get("_pn_key", ""), _node_attrs(r["props"]))
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
            return _local_graph(nodes, self._run(cypher.FILTER_EDGES, kinds=kinds))

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
        out: list[dict[str, Any]] = []
        with self._translated(), self._session() as session:
            for chunk in chunks(ids, max_count=_ID_CHUNK, max_bytes=self.dialect.max_statement_bytes,
                                overhead=overhead):
                records = (r.data() for r in session.run(query, self._params({list_name: chunk, **params})))
                if positional:
                    records = ({**r, "id": chunk[int(r.pop("i"))]} for r in records)
                out.extend(records)
        return out

    def _bfs(self, start: str, radius: int) -> dict[str, int]:
        """Distances (edge direction ignored) from ``start`` up to ``radius``."""
        ball = _Ball(self, start, None, frozenset())
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
        wanted_set = set(wanted)
        if edges is None:  # with their attributes, kept for the view's CSV and the next view
            edges = [(u, v, key) for u, out in self._out_edges(wanted).items()
                     for v, key, _ in out if v in wanted_set]
        edges = list(edges)
        total = len(wanted) + len(edges)
        if total <= max_elements:
            return Subgraph(tuple(sorted(wanted)), tuple(sorted(edges)), False, total)
        degree = self._degrees(wanted)
        links: dict[str, Counter[str]] = {n: Counter() for n in wanted}
        for u, v, _ in edges:
            links[u][v] += 1
            links[v][u] += 1
        keep_set, rank = set(keep), rank or {}
        order = sorted(wanted, key=lambda n: (n not in keep_set, rank.get(n, 0), -degree.get(n, 0), n))
        chosen: set[str] = set()
        used = 0
        for n in order:
            added = 1 + sum(c for m, c in links[n].items() if m in chosen)
            if used + added > max_elements:
                continue
            chosen.add(n)
            used += added
            if used >= max_elements:  # every further node costs at least one element
                break
        kept = [e for e in edges if e[0] in chosen and e[1] in chosen]
        return Subgraph(tuple(sorted(chosen)), tuple(sorted(kept)), True, total)

    def _names_graph(self) -> PartnerGraph:
        """Every node with its names only, cached until the dataset version changes."""
        def build() -> PartnerGraph:
            nodes = {}
            for rec in self._run(cypher.NAMES):
                nid = rec.pop("id")
                if not self._hidden(nid):
                    nodes[nid] = self._attrs(nid, {k: v for k, v in rec.items() if v is not None})
            return _local_graph(nodes, [])

        return self._versioned("names", build)

    # ---------------------------------------------------------------- counts
    def count(self) -> tuple[int, int]:
        """``(nodes, relationships)`` this tool wrote."""
        return (int(self._run(cypher.COUNT_NODES)[0]["n"]), int(self._run(cypher.COUNT_EDGES)[0]["n"]))


class _Ball:
    """Breadth-first layers around ``start`` (edge direction ignored) over
    edges of ``kinds``, never entering ``banned``; grown one layer at a time."""

    def __init__(self, store: Neo4jStore, start: str, kinds: list[str] | None, banned: set[str] | frozenset[str]):
        self.store, self.kinds, self.banned = store, kinds, banned
        self.dist = {start: 0}
        self.frontier = [start]
        self.depth = 0

    @property
    def exhausted(self) -> bool:
        return not self.frontier

    def grow_to(self, depth: int) -> None:
        while self.depth < depth:
            self.depth += 1
            if not self.frontier:
                continue
            reached = sorted(self.store._step(self.frontier, self.kinds) - self.banned - self.dist.keys())
            for nid in reached:
                self.dist[nid] = self.depth
            self.frontier = reached

    def neighbours(self, frontier: Iterable[str]) -> set[str]:
        return self.store._step(frontier, self.kinds) - self.banned


def _distance(ball_s: _Ball, ball_t: _Ball, max_length: int) -> int | None:
    """Length of a shortest path between the balls' centres (bidirectional
    search: grow the ball with the smaller frontier), None beyond ``max_length``."""
    while True:
        meet = ball_s.dist.keys() & ball_t.dist.keys()
        if meet:
            shortest = min(ball_s.dist[n] + ball_t.dist[n] for n in meet)
            return shortest if shortest <= max_length else None
        if ball_s.depth + ball_t.depth >= max_length or (ball_s.exhausted and ball_t.exhausted):
            return None
        if ball_t.exhausted or (not ball_s.exhausted and len(ball_s.frontier) <= len(ball_t.frontier)):
            ball_s.grow_to(ball_s.depth + 1)
        else:
            ball_t.grow_to(ball_t.depth + 1)


def _region(ball_s: _Ball, ball_t: _Ball, length: int) -> list[str]:
    """Nodes on some path of at most ``length`` edges between the balls'
    centres: ``d(s, n) + d(n, t) <= length``.

    Each ball is complete to its share of the length (``half`` and
    ``length - half``); beyond that each side's search only follows nodes close
    enough to the other side, which the other ball already knows (a node of
    the region is always reached through nodes of the region)."""
    half = length // 2
    ball_s.grow_to(half)
    ball_t.grow_to(length - half)
    to_s = _extend(ball_s, ball_t.dist, half, length)
    to_t = _extend(ball_t, ball_s.dist, length - half, length)
    return sorted(n for n, d in to_s.items() if n in to_t and d + to_t[n] <= length)


def _extend(ball: _Ball, other: dict[str, int], complete: int, length: int) -> dict[str, int]:
    """Distances from ``ball``'s centre: all up to ``complete``, then only of
    nodes within ``length - layer`` of the other centre (``other`` knows them)."""
    far = float("inf")
    dist = {n: d for n, d in ball.dist.items() if d <= complete}
    frontier = [n for n, d in dist.items() if d == complete and other.get(n, far) <= length - complete]
    for layer in range(complete + 1, length + 1):
        if not frontier:
            break
        if ball.depth >= layer:  # already known from the distance search
            reached = {n for n, d in ball.dist.items() if d == layer}
        else:
            reached = ball.neighbours(frontier) - dist.keys()
        frontier = sorted(n for n in reached if other.get(n, far) <= length - layer)
        for n in frontier:
            dist[n] = layer
    return dist


def _kind(node_id: str) -> str | None:
    try:
        return kind_of(node_id).value
    except ValueError:
        return None


def _node_attrs(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k not in TAG_PROPERTIES and k != "id" and v is not None}


def _local_graph(nodes: dict[str, dict[str, Any]], edges: Iterable[dict[str, Any]]) -> PartnerGraph:
    """A small in-memory graph of fetched nodes (``{id: props}``) and edges
    (``{source, target, props}``), for the in-memory rules to run on. Edges
    whose ends were not fetched are left out."""
    g = PartnerGraph(with_laender=False)
    for nid in sorted(nodes):
        g.nx.add_node(nid, **_node_attrs(nodes[nid]))
    for rec in sorted(edges, key=lambda r: (r["source"], r["target"], r["props"].get("_pn_key", ""))):
        if rec["source"] in g.nx and rec["target"] in g.nx:
            props = rec["props"]
            g.nx.add_edge(rec["source"], rec["target"], key=props.get("_pn_key"),
                          **{k: v for k, v in props.items() if k not in TAG_PROPERTIES and v is not None})
    return g


def _set_total(progress: Progress | None, total: int) -> None:
    if progress is not None:
        progress.total = total
        if hasattr(progress, "refresh"):
            progress.refresh()


def _consume(tx: "neo4j.ManagedTransaction", query: str, params: dict[str, Any]) -> None:
    tx.run(query, params).consume()


def _records(result: "neo4j.Result", progress: Progress | None) -> Iterator[dict[str, Any]]:
    step = 0
    for record in result:
        yield record.data()
        step += 1
        if progress is not None and step == 500:
            progress.update(step)
            step = 0
    if progress is not None and step:
        progress.update(step)


def connect(uri: str, *, user: str | None = None, password: str | None = None,
            database: str | None = None, dialect: str | None = None, batch_size: int | None = None,
            timeout: float = 10.0, contacts: str = "all", refresh_interval: float = 15.0,
            snapshot_mode: str = "warm") -> Neo4jStore:
    """Open a driver on ``uri`` and return a store that owns it.

    No ``user`` connects without authentication; ``contacts``,
    ``refresh_interval`` and ``snapshot_mode`` are passed to :class:`Neo4jStore`. Connecting is lazy: the
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
            f"{shown}: invalid connection settings ({_cause(exc, _secrets_of(uri, password))})") from None
    return Neo4jStore(driver, database=database, dialect=dialect, batch_size=batch_size, uri=uri,
                      password=password, owns_driver=True, contacts=contacts, refresh_interval=refresh_interval,
                      snapshot_mode=snapshot_mode)

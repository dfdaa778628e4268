"""Pushes cannot leave a mixed state unnoticed (both servers): the push marker,
counts written and checked, a push killed at several points is reported
(pull's exit code, query mode's banner) and repaired by the next push; values
as Neo4j types round-trip exactly."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import subprocess
import sys

import pytest

import app
from graph.core.errors import StoreError
from graph.store.neo4j import cypher
from tests.helpers import ROOT
from tests.neo4j.falkordb_server import bolt_handshake

pytestmark = pytest.mark.neo4j


def _same(a, b) -> None:
    public = lambda attrs: {k: v for k, v in attrs.items() if not k.startswith("_")}  # noqa: E731
    assert {n: public(d) for n, d in a.nx.nodes(data=True)} == dict(b.nx.nodes(data=True))
    assert sorted(a.nx.edges(keys=True, data=True)) == sorted(b.nx.edges(keys=True, data=True))


def _absorb(peer) -> None:
    if peer.falkor is not None:
        bolt_handshake(peer.falkor.bolt_port)


def _killed_push(peer, point: str, *, drop_edges: int = 0) -> subprocess.CompletedProcess:
    """Run a push in another process that SIGKILLs itself at ``point`` (see tests/neo4j/push_worker.py)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "tests.neo4j.push_worker", peer.uri, peer.dialect, point,
           "--drop-edges", str(drop_edges)]
    if peer.user:
        cmd += ["--user", peer.user]
        env["NEO4J_PASSWORD"] = peer.password or ""
    try:
        return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        _absorb(peer)


def test_a_push_is_marked_complete_with_the_counts_it_wrote_and_checked(store, peer, sample_graph):
    assert store.push_status() is None
    pushed = store.push(sample_graph)
    status = store.push_status()
    assert status.state == "complete" and not status.interrupted and status.push_id == pushed.push_id
    assert (status.nodes, status.edges) == (pushed.nodes, pushed.edges) == (len(sample_graph),
                                                                          sample_graph.nx.number_of_edges())
    if peer.dialect == "neo4j":  # FalkorDB's summaries carry no counters
        assert (pushed.created_nodes, pushed.created_edges) == (len(sample_graph), sample_graph.nx.number_of_edges())
        again = store.push(sample_graph)
        assert (again.created_nodes, again.created_edges) == (0, 0) and (again.nodes, again.edges) == (
            pushed.nodes, pushed.edges)
    # the marker is no Partnernetz node: never pulled, counted or searched
    assert store.count() == (len(sample_graph), sample_graph.nx.number_of_edges())
    assert peer.run(f"MATCH (m:{cypher.PUSH_LABEL}) RETURN count(m) AS n")[0]["n"] == 1


def test_a_relationship_that_was_not_written_fails_the_push(store, peer, sample_graph, monkeypatch):
    """The counts are of rows written, checked against the database: a
    relationship whose end vanished is not counted, and the push says so."""
    from graph.store.neo4j import transfer

    real = transfer.edge_rows

    def with_a_dangling_row(g, **kw):
        rows = real(g, **kw)
        kind = next(k for k, r in rows.items() if r)
        rows[kind].append({**rows[kind][0], "source": "institution:does-not-exist"})
        return rows

    monkeypatch.setattr(transfer, "edge_rows", with_a_dangling_row)
    with pytest.raises(StoreError, match="push incomplete.*statements wrote"):
        store.push(sample_graph)
    assert store.push_status().interrupted


def test_a_non_finite_amount_is_refused_before_anything_is_written(store, peer, sample_graph):
    g = sample_graph.copy()
    u, v, key = next((u, v, k) for u, v, k, d in g.nx.edges(keys=True, data=True) if "amount_eur" in d)
    attrs = dict(g.nx.edges[u, v, key])
    g.remove_edge_key(u, v, key)
    g.put_edge(u, v, key, **{**attrs, "amount_eur": math.nan})
    with pytest.raises(StoreError, match=re.escape(f"relationship {u} -cofinances-> {v}: attribute 'amount_eur' is nan")):
        store.push(g)
    assert store.count() == (0, 0) and store.push_status() is None


def test_dates_amounts_and_lists_are_neo4j_types_and_round_trip_exactly(store, peer, sample_graph):
    store.push(sample_graph)
    event = next(n for n in sample_graph.nodes("event") if sample_graph.node(n).get("date"))
    date = peer.run("MATCH (n:Partnernetz {id: $id}) RETURN toString(n.date) AS d", id=event)[0]["d"]
    assert date == sample_graph.node(event)["date"]
    amounts = peer.run("MATCH ()-[r:COFINANCES]->() WHERE r.amount_eur IS NOT NULL RETURN r.amount_eur AS a")
    assert amounts and all(isinstance(r["a"], float) for r in amounts)
    languages = peer.run("MATCH (n:Partnernetz:Contact) WHERE n.languages IS NOT NULL RETURN n.languages AS l LIMIT 1")
    assert isinstance(languages[0]["l"], list)
    if peer.dialect == "neo4j":
        kinds = peer.run("MATCH (n:Partnernetz {id: $id}) RETURN valueType(n.date) AS t, "
                         "valueType(n.label) AS l", id=event)[0]
        assert kinds["t"].startswith("DATE") and kinds["l"].startswith("STRING")
        partial = peer.run("MATCH (n:Partnernetz:Project) WHERE n.start IS NOT NULL "
                           "RETURN DISTINCT valueType(n.start) AS t")
        assert {r["t"].split(" ")[0] for r in partial} <= {"DATE", "STRING"}
        native = peer.run("MATCH (n:Partnernetz {id: $id}) RETURN n.date AS d", id=event)[0]["d"]
        assert native.to_native() == dt.date.fromisoformat(sample_graph.node(event)["date"])
    _same(sample_graph, store.pull().graph)


@pytest.mark.parametrize("point, drop", [
    ("nodes:60", 0),      # first push, in the middle of the nodes
    ("edges:200", 0),     # first push, in the middle of the relationships
    ("edges:300", 40),    # update push (a changed dataset): new and stale relationships mixed
    ("stale", 40),        # update push: all written, stale data not yet removed
    ("verify", 0),        # all written and removed, marker not yet complete
])
def test_a_push_killed_midway_is_reported_and_the_next_push_repairs_it(peer, store, sample_graph, monkeypatch,
                                                                        tmp_path, capsys, point, drop):
    if drop:
        store.push(sample_graph)  # the old state an update push starts from
    died = _killed_push(peer, point, drop_edges=drop)
    assert died.returncode == -9, died.stdout + died.stderr
    store.invalidate()
    status = store.push_status()
    assert status is not None and status.interrupted and status.state == "started"

    # pull says so: a warning and its own exit code (the tables are still written)
    code = app.main(["neo4j", "pull", *peer.cli_args(monkeypatch, prefix="--"), "--no-progress",
                     "--out", str(tmp_path / "pulled")])
    _absorb(peer)
    err = capsys.readouterr().err
    assert code == app.EXIT_INCOMPLETE == 5 and "did not complete" in err and "Push again" in err

    # query mode says so: a banner over every page
    from dashboard.shell import push_banner_text

    class Ctx:
        store_notice = None

        class store:  # noqa: N801 - the shape of a FallbackStore
            primary = peer.store(refresh_interval=0)

    assert "nicht abgeschlossen" in push_banner_text(Ctx, "de")
    assert "did not complete" in push_banner_text(Ctx, "en")

    # the next push (of the dataset the killed one was pushing) repairs it
    wanted = sample_graph.copy()
    for u, v, key in list(wanted.nx.edges(keys=True))[:drop]:
        wanted.remove_edge_key(u, v, key)
    store.push(wanted)
    assert not store.push_status().interrupted and push_banner_text(Ctx, "de") is None
    _same(wanted, store.pull().graph)


def test_every_statement_sent_is_a_constant_with_values_as_parameters(store, sample_graph, monkeypatch):
    """At run time, through push, pull, search and the explorer's questions,
    with hostile text in the data: every statement the store sends is one of
    the constants of ``cypher`` (values travel only as parameters)."""
    from graph.view import explorer_view

    known = {v for v in vars(cypher).values() if isinstance(v, str)}
    for table in (cypher.MERGE_NODES, cypher.MERGE_EDGES, cypher.CREATE_EDGES, cypher.CREATE_NODES):
        known |= set(table.values())
    known |= {statement for statement, _ in cypher.COLLECTED.values()}
    sent: list[str] = []
    real = store._session

    class Spy:
        def __init__(self, session):
            self.session = session

        def __enter__(self):
            self.session.__enter__()
            return self

        def __exit__(self, *exc):
            return self.session.__exit__(*exc)

        def run(self, query, *args, **kwargs):
            sent.append(query)
            return self.session.run(query, *args, **kwargs)

        def execute_write(self, work, *args, **kwargs):  # every statement the transaction function runs
            return self.session.execute_write(lambda tx, *a, **kw: work(TxSpy(tx), *a, **kw), *args, **kwargs)

    class TxSpy:
        def __init__(self, tx):
            self.tx = tx

        def run(self, query, *args, **kwargs):
            sent.append(query)
            return self.tx.run(query, *args, **kwargs)

    monkeypatch.setattr(store, "_session", lambda **config: Spy(real(**config)))
    hostile = "x'}) DETACH DELETE n // \" $rows {id: 1}"
    g = sample_graph.copy()
    evil = g.add_node("institution", "evil", label=hostile, source=hostile)
    g.add_edge(evil, "land:DE-HE", "located_in", source=hostile)
    store.push(g)
    store.pull()
    store.search(hostile)
    explorer_view(store, focus=evil, radius=2)
    store.shortest_paths(evil, "country:RWA")
    assert len(sent) > 20 and set(sent) <= known, set(sent) - known
    assert store.node(evil)["label"] == hostile

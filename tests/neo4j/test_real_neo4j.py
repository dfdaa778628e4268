"""What only a real Neo4j can show (FalkorDB accepts any password and database
name, has no constraints and no transactions): authentication and database
errors with Neo4j's own error classes, the uniqueness constraint and the
full-text index created once and reused, the ``neo4j://`` scheme against a
single instance, and a server killed in the middle of a push, restarted on
its data, repaired by the next push.

These tests run on the ``neo4j`` server of the session only.
"""

from __future__ import annotations

import pytest

from graph.core.errors import StoreError, StoreUnavailable
from graph.store.neo4j import connect

pytestmark = [pytest.mark.neo4j, pytest.mark.neo4j_only]


@pytest.fixture
def neo(peer):
    if peer.dialect != "neo4j":  # an external server (NEO4J_TEST_URI) that is not Neo4j
        pytest.skip("Neo4j only: this server has no auth, databases or constraints")
    return peer


def test_a_wrong_password_is_an_authentication_failure_naming_no_secret(neo):
    with connect(neo.uri, user=neo.user, password="wrong-secret-123", timeout=5) as store:
        with pytest.raises(StoreUnavailable, match="authentication failed") as caught:
            store.ping()
    assert "wrong-secret-123" not in str(caught.value) and neo.uri in str(caught.value)
    assert "Neo.ClientError.Security.Unauthorized" in str(caught.value) or "unauthorized" in str(caught.value)


def test_an_unknown_database_is_named(neo):
    with connect(neo.uri, user=neo.user, password=neo.password, database="nosuchdb", timeout=5) as store:
        with pytest.raises(StoreUnavailable, match=r"database 'nosuchdb'.*database does not exist"):
            store.count()


def test_a_query_error_keeps_neo4j_s_error_code(neo):
    store = neo.store()
    with pytest.raises(StoreError, match="Neo.ClientError.Statement.SyntaxError"):
        store._run("MATCH (n RETURN n")


def test_the_constraint_and_full_text_index_are_created_once_and_reused(neo, store, sample_graph):
    assert store.push(sample_graph).index == "constraint"
    assert store.push(sample_graph).index == "constraint"
    rows = neo.run("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties")
    ours = [r for r in rows if r["labelsOrTypes"] == ["Partnernetz"]]
    assert ours == [{"name": "partnernetz_id", "type": "UNIQUENESS", "labelsOrTypes": ["Partnernetz"],
                     "properties": ["id"]}]
    fulltext = neo.run("SHOW FULLTEXT INDEXES YIELD name, properties")
    assert [r for r in fulltext if r["name"] == "partnernetz_search"] == [
        {"name": "partnernetz_search", "properties": ["_pn_names", "label", "label_en", "name_de", "name_en"]}]
    # the constraint holds: a second node with an existing id is refused by the server
    with pytest.raises(Exception, match="already exists"):
        neo.run("CREATE (:Partnernetz {id: 'land:DE-HE'})")


def test_the_neo4j_routing_scheme_works_against_a_single_instance(neo, sample_graph):
    uri = neo.uri.replace("bolt://", "neo4j://")
    with connect(uri, user=neo.user, password=neo.password, timeout=10) as store:
        store.push(sample_graph)
        assert store.count() == (len(sample_graph), sample_graph.nx.number_of_edges())
        assert store.search("Hessen")[0].node_id == "land:DE-HE"


def test_a_server_killed_mid_push_restarts_on_its_data_and_the_next_push_repairs_it(neo, sample_graph):
    """Kill -9 of the server in the middle of the relationships: the batch in
    flight is rolled back (transactions), the push fails naming the server,
    after the restart the marker says ``started`` and a push repairs."""
    import neo4j

    from graph.store.neo4j import Neo4jStore

    server = neo.neo4j
    # The driver's default 30 s of retries (per failing call, twice here) only make
    # the test slow: the behaviour under test is the store's, not the retry budget.
    driver = neo4j.GraphDatabase.driver(neo.uri, auth=neo.auth, connection_timeout=2, max_transaction_retry_time=1)
    store = Neo4jStore(driver, uri=neo.uri, dialect=neo.dialect, database=neo.database,
                       refresh_interval=0, batch_size=20)

    class KillAfter:
        total, done = 0, 0

        def update(self, n):
            self.done += n
            if self.done > len(sample_graph) + 300 and server.alive():
                server.kill()

    with pytest.raises(StoreUnavailable, match=neo.uri):
        store.push(sample_graph, progress=KillAfter())
    with pytest.raises(StoreUnavailable, match="server not reachable"):  # while it is down
        store.count()
    neo.neo4j = server.restart()
    nodes, edges = store.count()
    assert nodes == len(sample_graph) and 0 < edges < sample_graph.nx.number_of_edges()
    assert store.push_status().interrupted
    store.push(sample_graph)
    assert not store.push_status().interrupted
    assert store.count() == (len(sample_graph), sample_graph.nx.number_of_edges())
    driver.close()


@pytest.mark.parametrize("typed", ["Hessen", "hessen", "Hesen", "HESSEN"])
def test_search_in_query_mode_asks_the_full_text_index_not_every_name(neo, store, sample_graph, typed, monkeypatch):
    from graph.store import MemoryStore
    from graph.store.neo4j import cypher

    store.push(sample_graph)
    sent = []
    run = store._run
    monkeypatch.setattr(store, "_run", lambda query, **kw: sent.append(query) or run(query, **kw))
    hits = store.search(typed)
    assert cypher.FULLTEXT_SEARCH in sent and cypher.NAMES not in sent
    assert hits[0].node_id == MemoryStore(sample_graph).search(typed)[0].node_id == "land:DE-HE"


def test_full_text_search_keeps_the_umlaut_and_typo_tolerance_of_the_in_memory_search(neo, store, sample_graph):
    """Every node's label, typed with umlauts spelt out (ü → ue), accents
    dropped and one letter doubled: the same first hit as in memory. Where
    they differ is documented in :meth:`Neo4jStore.search`."""
    from graph.store import MemoryStore

    store.push(sample_graph)
    memory = MemoryStore(sample_graph)
    umlauts = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
    checked = 0
    for nid in sorted(sample_graph.nodes("institution"))[:25] + sorted(sample_graph.nodes("country"))[:10]:
        label = sample_graph.node(nid)["label"]
        for typed in (label.translate(umlauts), label[:4] + label[3:] if len(label) > 6 else label):
            mine = [h.node_id for h in store.search(typed, limit=5)]
            theirs = [h.node_id for h in memory.search(typed, limit=5)]
            assert mine[:1] == theirs[:1], (typed, mine, theirs)
            checked += 1
    assert checked >= 60


#: A read that runs for minutes on any machine (no APOC): counting a huge range.
_ENDLESS = "UNWIND range(1, 4000000000) AS i WITH i WHERE i % 7 = 99 RETURN count(i) AS c"


def test_a_read_longer_than_the_query_timeout_is_stopped_and_named(neo, sample_graph):
    """The driver sends the query timeout with the query; Neo4j stops the
    transaction (``TransactionTimedOutClientConfiguration``) and the store
    says so in one line naming the URI, as :class:`StoreUnavailable`."""
    import time

    store = neo.store(query_timeout=0.5)
    store.push(sample_graph)  # push and pull are not limited by the query timeout
    assert store.pull().nodes == len(sample_graph)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        store._run(_ENDLESS)
    text = str(caught.value)
    assert time.monotonic() - started < 60
    assert text.startswith(f"{neo.uri}: timed out") and "\n" not in text
    assert "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration" in text
    assert neo.password not in text and caught.value.__cause__ is None
    assert store.counts_by_kind()["land"] == 16  # the connection is fine afterwards


def test_serve_falls_back_when_neo4j_reads_time_out(neo, sample_graph, monkeypatch, capsys):
    """``serve --neo4j-query-timeout``: a question that runs too long makes
    the app answer from the local data with a "timed out" notice (the
    documented fallback), and it switches back once Neo4j answers in time."""
    import app
    from graph.store.neo4j import cypher

    neo.store().push(sample_graph)
    monkeypatch.setenv("NEO4J_PASSWORD", neo.password)
    args = app.build_parser().parse_args(["serve", "--neo4j-uri", neo.uri, "--neo4j-user", neo.user,
                                          "--neo4j-query-timeout", "0.5", "--neo4j-retry", "0"])
    store = app._query_store(args, sample_graph)
    assert store.name == "neo4j" and store.notice is None
    slow = _ENDLESS.replace("RETURN count(i) AS c", "WITH count(i) AS c ") + cypher.COUNTS_BY_KIND
    monkeypatch.setattr(cypher, "COUNTS_BY_KIND", slow)
    counts = store.counts_by_kind()
    assert counts["land"] == 16 and store.name == "memory"
    assert store.notice.startswith(f"{neo.uri}: timed out") and "TransactionTimedOut" in store.notice
    assert store.showing == {"source": "local", "taken_at": None}
    monkeypatch.undo()
    assert store.retry() and store.name == "neo4j" and store.notice is None
    store.primary.close()

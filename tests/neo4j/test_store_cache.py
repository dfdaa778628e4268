"""The Neo4j store's per-version caches (node attributes, outgoing
relationships, adjacency, degrees): a repeated view and the view's CSV ask
the server nothing more than the view did, answers stay those of the
in-memory store, and a new dataset version is read afresh."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from dashboard.pages import network
from dashboard.viewstate import parse_query
from graph.explore import GraphFilter
from graph.store.neo4j import cypher
from graph.store.neo4j import Neo4jStore
from graph.view import explorer_view
from graph.store import MemoryStore
from graph.view import view_graph

pytestmark = pytest.mark.neo4j

INSTITUTION = "institution:hlft"


def _count_statements(store: Neo4jStore, monkeypatch) -> Counter:
    """Count the statements ``store`` sends, by the name of their constant in graph.store.neo4j.cypher."""
    names = {v: k for k, v in vars(cypher).items() if isinstance(v, str)}
    seen: Counter = Counter()
    ids_query, run = store._ids_query, store._run

    def counted_ids(query, ids, **kw):
        ids = list(ids)
        if ids:  # an empty list sends nothing
            seen[names.get(query, query)] += 1
        return ids_query(query, ids, **kw)

    def counted_run(query, **kw):
        seen[names.get(query, query)] += 1
        return run(query, **kw)

    monkeypatch.setattr(store, "_ids_query", counted_ids)
    monkeypatch.setattr(store, "_run", counted_run)
    return seen


PER_NODE = {"NODES_BY_ID", "EDGES_FROM", "NEIGHBOURS", "NEO4J_NEIGHBOURS", "NEO4J_VIEW_PART", "NEIGHBOURHOOD", "DEGREES", "DEGREES_AT", "NEO4J_DEGREES_AT",
            "EDGES_BETWEEN", "GET_NODE",
            "EXISTING_IDS", "EDGE_KEYS_FROM"}


@pytest.mark.parametrize("opts", [
    {"focus": INSTITUTION, "radius": 2},
    {"focus": "country:RWA", "expand": ["land:DE-RP"]},
    {"path": [INSTITUTION, "country:RWA"]},
    {"highlight": [INSTITUTION, "country:RWA"]},
    {"flt": GraphFilter.of(countries=["RWA"])},
    {"flt": GraphFilter.of(kinds=["land", "country"])},
], ids=["focus-r2", "expand", "path", "highlight", "filter-country", "filter-kinds"])
def test_a_repeated_view_and_its_csv_reuse_what_the_first_view_fetched(peer, sample_graph, monkeypatch, opts):
    peer.store().push(sample_graph)
    store = peer.store(refresh_interval=3600)
    reference = MemoryStore(sample_graph)
    first = explorer_view(store, **opts)
    local = view_graph(store, first, edge_attrs=True)
    assert first == explorer_view(reference, **opts)
    seen = _count_statements(store, monkeypatch)
    again = explorer_view(store, **opts)
    assert again == first
    edges = sorted(local.nx.edges(keys=True, data=True))
    assert sorted(view_graph(store, again, edge_attrs=True).nx.edges(keys=True, data=True)) == edges
    assert not PER_NODE & set(seen), seen  # nothing per node asked again, edge attributes included
    if "flt" in opts:
        assert not seen, seen  # a filtered view seen before is answered from memory
    expected = view_graph(reference, first, edge_attrs=True)
    assert edges == sorted(expected.nx.edges(keys=True, data=True))
    assert dict(local.nx.nodes(data=True)) == dict(expected.nx.nodes(data=True))


def test_the_csv_of_a_view_asks_for_no_edges_the_view_did_not(peer, sample_graph, monkeypatch):
    peer.store().push(sample_graph)
    store = peer.store(refresh_interval=3600)
    state = parse_query({"focus": INSTITUTION})
    network.compute_view(store, state)  # the page drew the view
    seen = _count_statements(store, monkeypatch)
    nodes_csv, _ = network.view_csv(store, state, "nodes", audit_log=None)
    edges_csv, _ = network.view_csv(store, state, "edges", audit_log=None)
    assert not PER_NODE & set(seen), seen
    assert (nodes_csv, edges_csv) == (network.view_csv(MemoryStore(sample_graph), state, "nodes", audit_log=None)[0],
                                      network.view_csv(MemoryStore(sample_graph), state, "edges", audit_log=None)[0])


def test_a_new_dataset_version_is_read_afresh(peer, sample_graph):
    writer = peer.store()
    writer.push(sample_graph)
    store = peer.store(refresh_interval=0)
    before = store.node(INSTITUTION)
    assert INSTITUTION in store.ego_network("land:DE-HE", radius=2).nodes
    changed = copy.deepcopy(sample_graph)
    changed.set_node_attrs(INSTITUTION, label="Umbenannt")
    for u, v, k in list(changed.nx.out_edges(INSTITUTION, keys=True)):
        changed.remove_edge_key(u, v, k)
    writer.push(changed)  # a new push id: a new dataset version
    assert before["label"] != "Umbenannt" and store.node(INSTITUTION)["label"] == "Umbenannt"
    reference = MemoryStore(changed)
    for node in ("land:DE-HE", INSTITUTION):
        assert store.ego_network(node, radius=2) == reference.ego_network(node, radius=2)
        assert store.neighbours([node]) == reference.neighbours([node])
    assert store.edges_between([(INSTITUTION, "land:DE-HE")]) == reference.edges_between([(INSTITUTION, "land:DE-HE")])


def test_the_caches_are_bounded(peer, sample_graph, monkeypatch):
    from graph.store.neo4j import store as neo4j_store

    monkeypatch.setattr(neo4j_store, "_LRU_SIZE", 10)
    peer.store().push(sample_graph)
    store = peer.store(refresh_interval=3600)
    everything = list(sample_graph.nx.nodes)
    assert store.node_attrs(everything) == MemoryStore(sample_graph).node_attrs(everything)
    store.neighbours(everything)
    assert len(store._attr_lru) == 10 and len(store._adj_lru) == 10


def test_degrees_by_position_across_chunks(peer, sample_graph, monkeypatch):
    """DEGREES_AT (NEO4J_DEGREES_AT: Neo4j's kept counts) names positions in
    each chunk; mapped back they are the in-memory degrees (the sample's ids
    need several FalkorDB-sized chunks)."""
    peer.store().push(sample_graph)
    store = peer.store(refresh_interval=3600)
    seen = _count_statements(store, monkeypatch)
    everything = sorted(sample_graph.nx.nodes, reverse=True)
    degrees = store._degrees([*everything, "project:UNKNOWN"])
    assert degrees == {n: sample_graph.nx.degree(n) for n in everything}
    name = "NEO4J_DEGREES_AT" if store.dialect.name == "neo4j" else "DEGREES_AT"
    assert seen[name] == 1 and store._degrees(everything[:5]) == {n: degrees[n] for n in everything[:5]}
    assert seen[name] == 1  # cached


def test_the_details_of_a_node_shown_before_ask_nothing(peer, sample_graph, monkeypatch):
    peer.store().push(sample_graph)
    store = peer.store(refresh_interval=3600)
    first = store.neighbours_by_relation(INSTITUTION)
    assert first == MemoryStore(sample_graph).neighbours_by_relation(INSTITUTION)
    seen = _count_statements(store, monkeypatch)
    assert store.neighbours_by_relation(INSTITUTION) == first
    assert not seen, seen
    store.invalidate()  # a new dataset version reads afresh
    assert store.neighbours_by_relation(INSTITUTION) == first and seen["OUT_EDGES"] == seen["IN_EDGES"] == 1

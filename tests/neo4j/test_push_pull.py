"""Push and pull against a real Bolt server (FalkorDB by default, Neo4j with NEO4J_TEST_URI)."""

from __future__ import annotations

import copy

import pytest

from graph.core.errors import StoreError
from graph.core.kinds import NodeKind
from graph.core.model import PartnerGraph
from tests.neo4j.conftest import FOREIGN_LABEL

pytestmark = pytest.mark.neo4j


def _public(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if not k.startswith("_")}


def _same_graph(a: PartnerGraph, b: PartnerGraph) -> None:
    assert a.counts_by_kind() == b.counts_by_kind()
    assert a.edge_counts_by_kind() == b.edge_counts_by_kind()
    assert {n: _public(d) for n, d in a.nx.nodes(data=True)} == dict(b.nx.nodes(data=True))
    assert sorted(a.nx.edges(keys=True, data=True)) == sorted(b.nx.edges(keys=True, data=True))


class Bar:
    """A progress sink like tqdm: ``total`` and ``update``."""

    def __init__(self):
        self.total, self.done = None, 0

    def update(self, n):
        self.done += n


def test_push_then_pull_gives_back_the_same_graph(store, sample_graph):
    bar = Bar()
    pushed = store.push(sample_graph, progress=bar)
    assert (pushed.nodes, pushed.edges) == (len(sample_graph), sample_graph.nx.number_of_edges())
    assert bar.total == bar.done == pushed.nodes + pushed.edges
    assert pushed.rows_per_second > 0 and pushed.index in ("constraint", "index")
    assert store.count() == (239, 792)  # the sample since the December 2026 additions

    bar = Bar()
    pulled = store.pull(progress=bar)
    assert pulled.problems == []
    assert bar.total == bar.done == 239 + 792
    _same_graph(sample_graph, pulled.graph)


def test_labels_and_relationship_types_come_from_kinds(store, peer, sample_graph):
    store.push(sample_graph)
    rows = peer.run("MATCH (n:Partnernetz:Institution) RETURN count(n) AS n")
    assert rows[0]["n"] == sample_graph.counts_by_kind()["institution"]
    rows = peer.run("MATCH (:Partnernetz:Contact)-[r:ATTENDED]->(:Partnernetz:Event) RETURN count(r) AS n")
    assert rows[0]["n"] == sample_graph.edge_counts_by_kind()["attended"]
    rows = peer.run("MATCH (n:Partnernetz {id: $id}) RETURN n.source AS source, n.label AS label",
                    id="land:DE-HE")
    assert rows == [{"source": "ISO 3166-2:DE (pycountry)", "label": "Hessen"}]


def test_pushing_twice_leaves_the_same_counts(store, sample_graph):
    store.push(sample_graph)
    second = store.push(sample_graph)
    assert (second.deleted_nodes, second.deleted_edges) == (0, 0)
    assert store.count() == (239, 792)  # the sample since the December 2026 additions
    _same_graph(sample_graph, store.pull().graph)


def test_a_changed_dataset_updates_and_removes_only_what_we_wrote(store, peer, sample_graph):
    g = copy.deepcopy(sample_graph)
    store.push(g)
    # Data in the same database that Partnernetz did not write: a node with one
    # of our kind labels and even our id scheme, and a relationship between them.
    peer.run(f"CREATE (:{FOREIGN_LABEL}:Institution {{id: 'institution:foreign', name: 'keep me'}})")
    peer.run(f"CREATE (:{FOREIGN_LABEL} {{id: 'other'}})")
    peer.run(f"MATCH (a:{FOREIGN_LABEL} {{id: 'institution:foreign'}}), (b:{FOREIGN_LABEL} {{id: 'other'}}) "
             "CREATE (a)-[:WORKS_AT]->(b)")

    inst = next(n for n in g.nodes(NodeKind.INSTITUTION) if g.out_edges(n))
    gone_edge = next((u, v, k) for u, v, k in g.nx.edges(keys=True) if u != inst and v != inst)
    changed = next(n for n in g.nodes(NodeKind.PROJECT))
    g.remove_node(inst)
    g.remove_edge_key(*gone_edge)
    g.set_node_attrs(changed, label="Neuer Titel")
    g.remove_node_attrs(changed, "description")
    g.add_country("ISL")
    second = store.push(g)

    assert second.deleted_nodes == 1
    assert second.deleted_edges >= 1
    pulled = store.pull().graph
    _same_graph(g, pulled)
    assert inst not in pulled and "description" not in pulled.node(changed)
    assert peer.run(f"MATCH (n:{FOREIGN_LABEL}) RETURN n.id AS id ORDER BY id") == [
        {"id": "institution:foreign"}, {"id": "other"}]
    assert peer.run(f"MATCH (:{FOREIGN_LABEL})-[r:WORKS_AT]->(:{FOREIGN_LABEL}) RETURN count(r) AS n") == [{"n": 1}]


INJECTIONS = [
    "O'Brien & Söhne",
    'Verein "Wasser für alle" e.V.',
    "back\\slash and trailing\\",
    "`backticks`} MATCH (n) DETACH DELETE n //",
    "'}) DETACH DELETE n RETURN 1 //",
    "MERGE (x:Land {id: 'land:DE-XX'}) SET x.hacked = true",
    "line\nbreak and \\n literal, tab\t, ünïcödé 中文",
    "$rows {rows} ${id}",
]


def test_names_with_quotes_backticks_braces_and_keywords_round_trip_as_data(store, peer):
    g = PartnerGraph(with_laender=False)
    g.add_land("DE-BE")
    g.add_country("RWA")
    for i, text in enumerate(INJECTIONS):
        nid = g.add_node("institution", f"inj-{i}", label=text, city=text, sector_detail=text, source=text)
        g.add_edge(nid, "country:RWA", "located_in", source=text, note=text)
    g.add_node("contact", "inj", label=INJECTIONS[3], languages=INJECTIONS, consent=False, illustrative=True)
    store.push(g)
    assert store.count() == (len(INJECTIONS) + 3, len(INJECTIONS))
    assert peer.run("MATCH (n) WHERE n.hacked IS NOT NULL RETURN count(n) AS n") == [{"n": 0}]
    assert peer.run("MATCH (n:Partnernetz {id: 'land:DE-XX'}) RETURN count(n) AS n") == [{"n": 0}]
    pulled = store.pull().graph
    _same_graph(g, pulled)
    for i, text in enumerate(INJECTIONS):
        assert pulled.node(f"institution:inj-{i}")["label"] == text
    assert pulled.node("contact:inj")["languages"] == INJECTIONS


def test_batch_size_is_respected_and_small_batches_give_the_same_graph(peer, sample_graph):
    store = peer.store(batch_size=7)
    assert store.batch_size == 7
    store.push(sample_graph)
    _same_graph(sample_graph, store.pull().graph)


def test_index_on_ids_is_detected_not_duplicated(store, sample_graph):
    first = store.ensure_index()
    assert first in ("constraint", "index")
    assert store.ensure_index() == first  # a second run neither fails nor adds another


def test_an_empty_graph_pushes_nothing_and_clears_what_we_wrote(store, sample_graph):
    store.push(sample_graph)
    cleared = store.push(PartnerGraph(with_laender=False))
    assert (cleared.nodes, cleared.edges, cleared.deleted_nodes) == (0, 0, 239)
    assert store.count() == (0, 0)
    assert store.pull().graph.counts_by_kind() == PartnerGraph(with_laender=False).counts_by_kind()


def test_invalid_batch_size_is_a_store_error(peer):
    with pytest.raises(StoreError):
        peer.store(batch_size=-1)

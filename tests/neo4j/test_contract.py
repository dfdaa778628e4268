"""The store contract: the in-memory store and the Neo4j store answer the
explorer's questions identically on the sample.

Each test runs once per store (``memory``, ``neo4j``). It checks facts of the
sample that any store must give, and that the answer equals the in-memory
reference (for the Neo4j store: answered in Cypher from the pushed sample).
"""

from __future__ import annotations

import pytest

from graph.errors import NodeNotFound, PartnernetzError
from graph.kinds import EdgeKind, NodeKind
from graph.model import PartnerGraph
from graph.queries import STRICT_PATH_EDGES, GraphFilter
from graph.store import GraphStore, MemoryStore

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module", params=["memory", "neo4j"])
def contract_store(request, sample_graph):
    if request.param == "memory":
        return MemoryStore(sample_graph)
    peer = request.getfixturevalue("bolt_peer")
    peer.reset()
    store = peer.store()
    store.push(sample_graph)
    return store


@pytest.fixture(scope="module")
def reference(sample_graph) -> MemoryStore:
    return MemoryStore(sample_graph)


def test_both_stores_implement_the_protocol(contract_store):
    assert isinstance(contract_store, GraphStore)
    assert contract_store.name in ("memory", "neo4j")


# ------------------------------------------------------------------- nodes
@pytest.mark.parametrize("nid", ["land:DE-HE", "country:RWA", "institution:hlft", "project:BLP-01",
                                 "theme:water", "contact:c001", "event:e01"])
def test_get_node(contract_store, reference, nid):
    attrs = contract_store.node(nid)
    assert attrs["kind"] == nid.split(":")[0] and attrs["label"]
    assert attrs == reference.node(nid)


def test_get_unknown_node_raises_node_not_found(contract_store):
    with pytest.raises(NodeNotFound):
        contract_store.node("institution:does-not-exist")
    for call in (lambda: contract_store.neighbours_by_relation("theme:nope"),
                 lambda: contract_store.ego_network("theme:nope"),
                 lambda: contract_store.shortest_paths("land:DE-HE", "theme:nope")):
        with pytest.raises(NodeNotFound):
            call()


def test_node_attrs_of_many(contract_store, reference):
    ids = ["land:DE-BY", "project:BLP-02", "nothing:here"]
    got = contract_store.node_attrs(ids)
    assert set(got) == {"land:DE-BY", "project:BLP-02"}
    assert got == reference.node_attrs(ids)


def test_counts_per_kind(contract_store, sample_graph):
    assert contract_store.counts_by_kind() == sample_graph.counts_by_kind()
    assert contract_store.counts_by_kind()["land"] == 16


# ------------------------------------------------------------------ search
@pytest.mark.parametrize("text,kinds,limit", [
    ("hessen", None, 10),
    ("Wuerzburg", None, 10),
    ("wasser", None, 10),
    ("wasser", ["institution", "programme"], 3),
    ("Tansania", None, 5),
    ("tanzania", ["country"], 10),       # English name
    ("Wurzbrug", None, 10),              # typo
    ("uni", None, 25),
    ("", None, 10),
])
def test_search(contract_store, reference, text, kinds, limit):
    hits = contract_store.search(text, kinds=kinds, limit=limit)
    assert hits == reference.search(text, kinds=kinds, limit=limit)
    assert len(hits) <= limit
    if kinds:
        assert {h.kind for h in hits} <= set(kinds)


def test_search_facts(contract_store):
    assert contract_store.search("hessen")[0].node_id == "land:DE-HE"
    assert contract_store.search("hessen", lang="en")[0].label == "Hesse"
    assert contract_store.search("wasser")[0].node_id == "theme:water"
    assert contract_store.search("zzzzqqq") == []


# -------------------------------------------------------------- neighbours
@pytest.mark.parametrize("nid", ["project:BLP-01", "land:DE-HE", "country:RWA", "contact:c001", "theme:water"])
def test_neighbours_by_relation(contract_store, reference, nid):
    got = contract_store.neighbours_by_relation(nid)
    want = reference.neighbours_by_relation(nid)
    assert got == want
    assert list(got) == list(want)  # group order
    assert {k: [n.edge for n in v] for k, v in got.items()} == {k: [n.edge for n in v] for k, v in want.items()}


def test_neighbours_facts(contract_store):
    groups = contract_store.neighbours_by_relation("project:BLP-01")
    assert [n.node_id for n in groups["cofinances:in"]] == ["land:DE-HE"]
    assert "institution:hlft" in {n.node_id for n in groups["participates_in:in"]}


# ------------------------------------------------------------- ego network
@pytest.mark.parametrize("nid,radius,cap", [
    ("project:BLP-01", 0, 1500),
    ("project:BLP-01", 1, 1500),
    ("project:BLP-01", 2, 1500),
    ("land:DE-HE", 1, 1500),
    ("country:DEU", 2, 1500),
    ("country:DEU", 2, 60),       # cut: nearer and better connected nodes first
    ("theme:water", 3, 100),
])
def test_ego_network(contract_store, reference, nid, radius, cap):
    got = contract_store.ego_network(nid, radius=radius, max_elements=cap)
    assert got == reference.ego_network(nid, radius=radius, max_elements=cap)
    assert nid in got.nodes and got.size <= cap


def test_ego_network_facts(contract_store, sample_graph):
    ego = contract_store.ego_network("project:BLP-01", radius=1)
    assert set(ego.nodes) == {"project:BLP-01"} | sample_graph.neighbours("project:BLP-01")
    assert not ego.truncated and ego.total == ego.size
    cut = contract_store.ego_network("country:DEU", radius=2, max_elements=60)
    assert cut.truncated and cut.total > 60
    assert contract_store.ego_network("land:DE-HE", radius=0).nodes == ("land:DE-HE",)
    with pytest.raises(PartnernetzError):
        contract_store.ego_network("land:DE-HE", radius=4)


# ------------------------------------------------------------------- paths
def _is_path(g: PartnerGraph, path: list[str]) -> bool:
    return len(set(path)) == len(path) and all(b in g.neighbours(a) for a, b in zip(path, path[1:]))


PATH_CASES = [
    ("land:DE-HE", "country:RWA", {}),
    ("institution:hlft", "country:NAM", {"k": 5}),
    ("land:DE-HE", "country:RWA", {"exclude": ["country:DEU"], "via": list(STRICT_PATH_EDGES)}),
    ("project:BLP-01", "land:DE-HE", {"k": 1}),
    ("contact:c001", "event:e01", {"k": 2, "max_length": 3}),
    ("land:DE-HE", "country:RWA", {"max_length": 1}),
    ("institution:hlft", "country:RWA", {"k": 12, "max_length": 5}),   # longer paths needed to reach k
    ("programme:provet-nam", "event:e01", {"k": 4}),
]


@pytest.mark.parametrize("source,target,opts", PATH_CASES)
def test_shortest_paths(contract_store, reference, sample_graph, source, target, opts):
    got = contract_store.shortest_paths(source, target, **opts)
    want = reference.shortest_paths(source, target, **opts)
    # Same number of paths and the same lengths; among equally long paths the
    # choice and order may differ (documented), so each is checked for validity.
    assert [len(p) for p in got] == [len(p) for p in want]
    for path in got:
        assert path[0] == source and path[-1] == target and _is_path(sample_graph, path)
        assert len(path) - 1 <= opts.get("max_length", 6)
        assert not set(path[1:-1]) & set(opts.get("exclude", ()))
    if len(want) == 1 or (want and len(want[0]) < len(want[1])):
        assert got[0] == want[0]  # a unique shortest path is the same path


def test_shortest_path_facts(contract_store):
    assert contract_store.shortest_paths("project:BLP-01", "land:DE-HE", k=1) == [["project:BLP-01", "land:DE-HE"]]
    assert contract_store.shortest_paths("land:DE-HE", "land:DE-HE") == [["land:DE-HE"]]
    assert contract_store.shortest_paths("land:DE-HE", "country:RWA", max_length=1) == []
    assert contract_store.shortest_paths("land:DE-HE", "country:RWA", k=0) == []


# ----------------------------------------------------------------- filters
FILTERS = [
    GraphFilter.of(kinds=["institution", "land"]),
    GraphFilter.of(kinds=["theme"]),
    GraphFilter.of(countries=["TZA"]),
    GraphFilter.of(lands=["DE-HE"], year_from=2019),
    GraphFilter.of(themes=["water"], kinds=["project", "institution"]),
    GraphFilter.of(sectors=["science"]),
    GraphFilter.of(statuses=["completed"], year_to=2020),
    GraphFilter.of(lands=["DE-BW", "DE-RP"], countries=["RWA", "BDI"]),
]


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
@pytest.mark.parametrize("cap", [1500, 40])
def test_filtered_subgraph(contract_store, reference, flt, cap):
    got = contract_store.filter_subgraph(flt, max_elements=cap)
    assert got == reference.filter_subgraph(flt, max_elements=cap)
    assert got.size <= cap


def test_filter_facts(contract_store, sample_graph):
    only = contract_store.filter_subgraph(GraphFilter.of(kinds=["land"]))
    assert set(only.nodes) == set(sample_graph.nodes(NodeKind.LAND))
    tza = contract_store.filter_subgraph(GraphFilter.of(countries=["TZA"]))
    assert "country:TZA" in tza.nodes and "country:RWA" not in tza.nodes
    for pid in (n for n in tza.nodes if n.startswith("project:")):
        assert "country:TZA" in {v for v, _ in sample_graph.out_edges(pid, EdgeKind.IMPLEMENTED_IN)}

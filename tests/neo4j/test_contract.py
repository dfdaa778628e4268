"""The store contract: the in-memory store and the Neo4j store answer the
explorer's questions identically on the sample — the single questions and
the composed explorer view (:func:`graph.view.explorer_view` asking the
store) for start, focus, expanded, collapsed, filtered, highlighted, cut and
path views.

The ``*_facts`` tests run once per store (``memory``, ``neo4j``) and check
facts of the sample that any store must give. The other tests compare the two
implementations: the Neo4j store (answered in Cypher from the pushed sample)
against the in-memory reference.
"""

from __future__ import annotations

import pytest

from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.kinds import EdgeKind, NodeKind
from graph.core.model import PartnerGraph
from graph.explore import GraphFilter, STRICT_PATH_EDGES
from graph.store import GraphStore, MemoryStore

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def neo4j_store(bolt_peer, sample_graph):
    """The Neo4j store with the sample pushed."""
    bolt_peer.reset()
    store = bolt_peer.store()
    store.push(sample_graph)
    return store


@pytest.fixture(scope="module", params=["memory", "neo4j"])
def contract_store(request, sample_graph, bolt_peer):
    """Each store; ``bolt_peer`` (parametrized per server) is named here so
    the servers' parameters are known when tests are collected."""
    if request.param == "memory":
        return MemoryStore(sample_graph)
    return request.getfixturevalue("neo4j_store")


@pytest.fixture(scope="module")
def compared_store(neo4j_store):
    """The store compared with the in-memory reference: another implementation."""
    return neo4j_store


@pytest.fixture(scope="module")
def reference(sample_graph) -> MemoryStore:
    return MemoryStore(sample_graph)


def test_the_comparison_is_between_two_implementations(compared_store, reference):
    assert type(compared_store) is not type(reference) and compared_store.name == "neo4j"


def test_both_stores_implement_the_protocol(contract_store):
    assert isinstance(contract_store, GraphStore)
    assert contract_store.name in ("memory", "neo4j")


# ------------------------------------------------------------------- nodes
@pytest.mark.parametrize("nid", ["land:DE-HE", "country:RWA", "institution:hlft", "project:BLP-01",
                                 "theme:water", "contact:c001", "event:e01"])
def test_get_node(compared_store, reference, nid):
    attrs = compared_store.node(nid)
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


def test_node_attrs_of_many(compared_store, reference):
    ids = ["land:DE-BY", "project:BLP-02", "nothing:here"]
    got = compared_store.node_attrs(ids)
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
def test_search(compared_store, reference, text, kinds, limit):
    hits = compared_store.search(text, kinds=kinds, limit=limit)
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
def test_neighbours_by_relation(compared_store, reference, nid):
    got = compared_store.neighbours_by_relation(nid)
    want = reference.neighbours_by_relation(nid)
    assert got == want
    assert list(got) == list(want)  # group order
    assert {k: [n.edge for n in v] for k, v in got.items()} == {k: [n.edge for n in v] for k, v in want.items()}


@pytest.mark.parametrize("nid", ["land:DE-HE", "country:RWA", "theme:water"])
@pytest.mark.parametrize("limit", [None, 1, 3])
def test_neighbour_groups(compared_store, reference, nid, limit):
    got = compared_store.neighbour_groups(nid, limit=limit)
    want = reference.neighbour_groups(nid, limit=limit)
    assert got == want and list(got) == list(want)
    assert {k: [n.edge for n in r.first] for k, r in got.items()} == {k: [n.edge for n in r.first] for k, r in want.items()}


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
def test_ego_network(compared_store, reference, nid, radius, cap):
    got = compared_store.ego_network(nid, radius=radius, max_elements=cap)
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
def test_shortest_paths(compared_store, reference, sample_graph, source, target, opts):
    got = compared_store.shortest_paths(source, target, **opts)
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
def test_filtered_subgraph(compared_store, reference, flt, cap):
    got = compared_store.filter_subgraph(flt, max_elements=cap)
    assert got == reference.filter_subgraph(flt, max_elements=cap)
    assert got.size <= cap


def test_filter_facts(contract_store, sample_graph):
    only = contract_store.filter_subgraph(GraphFilter.of(kinds=["land"]))
    assert set(only.nodes) == set(sample_graph.nodes(NodeKind.LAND))
    tza = contract_store.filter_subgraph(GraphFilter.of(countries=["TZA"]))
    assert "country:TZA" in tza.nodes and "country:RWA" not in tza.nodes
    for pid in (n for n in tza.nodes if n.startswith("project:")):
        assert "country:TZA" in {v for v, _ in sample_graph.out_edges(pid, EdgeKind.IMPLEMENTED_IN)}


# ----------------------------------------------- explorer building blocks
@pytest.mark.parametrize("ids,kinds", [
    (["project:BLP-01", "land:DE-HE", "country:DEU", "nothing:here"], None),
    (["country:DEU", "theme:water"], ["institution"]),
    (["contact:c001", "event:e01"], ["theme", "country"]),
    ([], None),
])
def test_neighbours(compared_store, reference, sample_graph, ids, kinds):
    got = compared_store.neighbours(ids, kinds=kinds)
    assert got == reference.neighbours(ids, kinds=kinds)
    assert set(got) == {n for n in ids if n in sample_graph}
    if kinds is None:
        for n in got:
            assert got[n] == sample_graph.neighbours(n)


@pytest.mark.parametrize("nid", ["project:BLP-01", "land:DE-HE", "country:DEU", "theme:water", "contact:c001",
                                 "nothing:here"])
def test_neighbour_count_is_how_many_neighbours_are_listed(compared_store, reference, nid):
    listed = len(reference.neighbours([nid]).get(nid, ()))
    assert compared_store.neighbour_count(nid) == reference.neighbour_count(nid) == listed


def test_neighbours_none_of_the_kinds_asked_for(compared_store, reference):
    # a known node without such neighbours is listed with none (not left out)
    got = compared_store.neighbours(["land:DE-HE"], kinds=["event"])
    assert got == reference.neighbours(["land:DE-HE"], kinds=["event"]) == {"land:DE-HE": frozenset()}


@pytest.mark.parametrize("cap", [1500, 30])
def test_induced_subgraph(compared_store, reference, sample_graph, cap):
    ids = sorted(sample_graph.neighbours("country:TZA") | {"country:TZA", "land:DE-HE", "ghost:x"})
    keep = ["land:DE-HE"]
    rank = {n: (0 if n.startswith("project:") else 1) for n in ids}
    got = compared_store.induced_subgraph(ids, max_elements=cap, keep=keep, rank=rank)
    assert got == reference.induced_subgraph(ids, max_elements=cap, keep=keep, rank=rank)
    assert "ghost:x" not in got.nodes and "land:DE-HE" in got.nodes and got.size <= cap
    assert got.truncated == (cap == 30)


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_matching_projects(compared_store, reference, flt):
    assert sorted(compared_store.matching_projects(flt)) == sorted(reference.matching_projects(flt))


@pytest.mark.parametrize("flt", [GraphFilter(), *FILTERS], ids=repr)
@pytest.mark.parametrize("by", ["country", "theme"])
def test_overview(compared_store, reference, flt, by):
    got = compared_store.overview(flt, by=by)
    assert got == reference.overview(flt, by=by)
    assert got.by == by


def test_overview_facts(contract_store, sample_graph):
    start = contract_store.overview()
    assert start.projects == len(list(sample_graph.nodes(NodeKind.PROJECT)))
    assert any(e.partnership for e in start.edges)
    hessen = next(n for n in start.nodes if n.node_id == "land:DE-HE")
    assert hessen.kind == "land" and hessen.projects >= 1
    with pytest.raises(PartnernetzError):
        contract_store.overview(by="programme")


# ------------------------------------------------------- the explorer view
VIEWS = {
    "start": {},
    "start-by-theme": {"by": "theme"},
    "focus": {"focus": "institution:hlft"},
    "focus-radius-2": {"focus": "land:DE-HE", "radius": 2},
    "focus-filtered": {"focus": "land:DE-HE", "radius": 2, "flt": GraphFilter.of(statuses=["completed"])},
    "focus-kinds": {"focus": "project:BLP-01", "flt": GraphFilter.of(kinds=["institution", "land", "project"])},
    "expanded": {"focus": "project:BLP-01", "expand": ["country:RWA", "institution:hlft"]},
    "expanded-kinds": {"focus": "project:BLP-01", "expand": ["country:DEU"],
                       "flt": GraphFilter.of(kinds=["project", "institution", "country"])},
    "collapsed": {"focus": "project:BLP-01", "expand": ["country:RWA"], "collapse": ["country:RWA"]},
    "filter": {"flt": GraphFilter.of(countries=["TZA"])},
    "filter-kinds": {"flt": GraphFilter.of(kinds=["land", "country"])},
    "filter-too-large": {"flt": GraphFilter.of(kinds=["institution", "land", "country"]), "max_elements": 60},
    "highlight-group": {"highlight": ["institution:hlft", "land:DE-HE", "country:RWA"]},
    "cut": {"focus": "country:DEU", "radius": 2, "max_elements": 80},
    "unknown-ids": {"focus": "institution:nope", "expand": ["theme:nope"]},
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_explorer_view(compared_store, reference, name):
    from graph.view import explorer_view

    opts = VIEWS[name]
    got = explorer_view(compared_store, **opts)
    want = explorer_view(reference, **opts)
    assert got == want
    if got.subgraph is not None:
        assert got.subgraph.size <= opts.get("max_elements", 1500)
    if "focus" in opts and not got.unknown:
        assert opts["focus"] in got.subgraph.nodes


def test_explorer_view_kinds_of_answer(contract_store):
    from graph.view import explorer_view

    assert explorer_view(contract_store).reason == "start"
    too_large = explorer_view(contract_store, **VIEWS["filter-too-large"])
    assert too_large.reason == "too_large" and too_large.overview is not None and too_large.total > 60
    expanded = explorer_view(contract_store, **VIEWS["expanded"])
    plain = explorer_view(contract_store, focus="project:BLP-01")
    assert set(plain.subgraph.nodes) < set(expanded.subgraph.nodes)
    assert explorer_view(contract_store, **VIEWS["unknown-ids"]).unknown == ("institution:nope", "theme:nope")


@pytest.mark.parametrize("source,target,opts", [
    ("institution:hlft", "institution:dman", {"k": 5}),
    ("institution:hlft", "institution:dman", {"k": 5, "strict_paths": False}),
    ("land:DE-HE", "country:RWA", {"k": 3, "focus": "land:DE-HE"}),
    ("project:BLP-01", "land:DE-HE", {"k": 1}),
])
def test_explorer_path_view(compared_store, reference, sample_graph, source, target, opts):
    from graph.view import explorer_view

    got = explorer_view(compared_store, path=[source, target], highlight=[source], **opts)
    want = explorer_view(reference, path=[source, target], highlight=[source], **opts)
    # ties among equally short paths may be broken differently: same lengths,
    # each a real path, each shown in the view with its edges
    assert [len(p) for p in got.paths] == [len(p) for p in want.paths] and got.paths
    shown = set(got.subgraph.nodes)
    edges = {frozenset((u, v)) for u, v, _ in got.subgraph.edges}
    for path in got.paths:
        assert path[0] == source and path[-1] == target and _is_path(sample_graph, list(path))
        assert set(path) <= shown and all(frozenset(pair) in edges for pair in zip(path, path[1:]))
    if len(want.paths) == 1 or len(want.paths[0]) < len(want.paths[1]):
        assert got.paths[0] == want.paths[0]
    if got.paths == want.paths:
        assert got == want


# ------------------------------------------------- edges, options, snapshot
@pytest.mark.parametrize("pairs", [
    [("institution:hlft", "project:BLP-01")],            # one direction
    [("project:BLP-01", "institution:hlft")],            # asked the other way round
    [("land:DE-HE", "project:BLP-01"), ("project:BLP-01", "country:RWA"), ("land:DE-HE", "country:RWA")],
    [("land:DE-HE", "theme:nope"), ("land:DE-HE", "land:DE-BY")],   # unknown / not adjacent
    [],
])
def test_edges_between(compared_store, reference, sample_graph, pairs):
    got = compared_store.edges_between(pairs)
    assert got == reference.edges_between(pairs)
    for u, v, key, attrs in got:
        assert sample_graph.nx.has_edge(u, v, key) and attrs == dict(sample_graph.nx.edges[u, v, key])
        assert (u, v) in pairs or (v, u) in pairs


def test_edges_between_facts(contract_store, sample_graph):
    got = contract_store.edges_between([("institution:hlft", "project:BLP-01")])
    assert got and all(attrs["kind"] == "participates_in" and attrs.get("role") for *_, attrs in got)
    assert contract_store.edges_between([("land:DE-HE", "land:DE-BY")]) == []
    forward = [("institution:hlft", "project:BLP-01")]
    assert contract_store.edges_between(forward, directed=True) == got
    assert contract_store.edges_between([("project:BLP-01", "institution:hlft")], directed=True) == []


def test_filter_options(compared_store, reference, sample_graph):
    opts = compared_store.filter_options()
    assert opts == reference.filter_options()
    assert len(opts.lands) == 16 and ("land:DE-HE", "Hessen", "Hesse") in opts.lands
    assert {c for c, *_ in opts.countries} == set(sample_graph.nodes("country"))
    assert {t for t, *_ in opts.themes} == set(sample_graph.nodes("theme"))
    projects = [sample_graph.node(p) for p in sample_graph.nodes("project")]
    assert set(opts.statuses) == {p["status"] for p in projects}
    assert opts.years[0] == min(p["start_year"] for p in projects if p.get("start_year"))
    assert set(opts.sectors) == {sample_graph.node(i).get("sector") for i in sample_graph.nodes("institution")} - {None}


def test_snapshot(contract_store, sample_graph):
    snap = contract_store.snapshot()
    assert snap.counts_by_kind() == sample_graph.counts_by_kind()
    assert snap.edge_counts_by_kind() == sample_graph.edge_counts_by_kind()
    assert snap.node("project:BLP-01") == sample_graph.node("project:BLP-01")
    assert contract_store.snapshot() is snap  # kept while the data do not change


@pytest.mark.parametrize("name", ["focus-radius-2", "expanded", "expanded-kinds", "collapsed", "cut",
                                  "filter-kinds", "filter-too-large", "highlight-group"])
def test_explorer_view_of_many_nodes(compared_store, reference, sample_graph, monkeypatch, name):
    """Views of many nodes are read without attributes and cut in numpy
    (``neo4j`` dialect, :meth:`Neo4jStore._big_view`); with the threshold at
    zero every view goes that way and still equals the in-memory one."""
    from graph.store.neo4j import store as store_module
    from graph.view import explorer_view

    monkeypatch.setattr(store_module, "_BIG_VIEW", 0)
    compared_store._clear_lru(compared_store._lru_version)
    opts = VIEWS[name]
    assert explorer_view(compared_store, **opts) == explorer_view(reference, **opts)
    assert (len(compared_store._view_lru) > 0) == (compared_store.dialect.name == "neo4j")
    ids = sorted(sample_graph.neighbours("country:TZA") | {"country:TZA", "land:DE-HE", "ghost:x"})
    rank = {n: (0 if n.startswith("project:") else 1) for n in ids}
    for cap in (1500, 30):
        assert (compared_store.induced_subgraph(ids, max_elements=cap, keep=["land:DE-HE"], rank=rank)
                == reference.induced_subgraph(ids, max_elements=cap, keep=["land:DE-HE"], rank=rank))
    assert (compared_store.ego_network("country:DEU", radius=2, max_elements=60)
            == reference.ego_network("country:DEU", radius=2, max_elements=60))


@pytest.mark.parametrize("name", list(VIEWS))
def test_explorer_view_with_the_degree_table_topology_and_every_node_a_hub(compared_store, reference, sample_graph,
                                                                  monkeypatch, name):
    """With the per-version degree table and topology built (``neo4j`` dialect;
    :meth:`Neo4jStore.prepare`, as the warm-up does), cuts rank by the table, a filter is cut in
    numpy on the filter's part of the graph, neighbours and a large view's relationships come from
    the topology, and of a hub only its relationships into a small view are read — with the hub
    threshold at zero every node is one; the views still equal the in-memory ones."""
    import numpy as np

    from graph.explore.adjacency import edges_among_rows, neighbour_names
    from graph.store.neo4j import store as store_module
    from graph.view import explorer_view

    monkeypatch.setattr(store_module, "_HUB_DEGREE", 0)
    compared_store.prepare()
    compared_store._clear_lru(compared_store._lru_version)
    if compared_store.dialect.name == "neo4j":
        assert compared_store.degree_table() == dict(sample_graph.nx.degree())
        assert compared_store._degree_table_if_built() is compared_store.degree_table()
        topology = compared_store.topology()  # the structure kept per version: the same as the graph's
        assert compared_store._topology_if_built() is topology
        assert (sorted(edges_among_rows(topology, np.arange(len(topology.names))))
                == sorted(sample_graph.nx.edges(keys=True)))
        for hub in ["institution:hlft", "country:RWA", "land:DE-HE"]:
            assert neighbour_names(topology, topology.index[hub]) == sorted(sample_graph.neighbours(hub))
        assert "ghost:x" not in topology.index
        assert (compared_store.neighbours(["land:DE-HE", "ghost:x"])
                == {"land:DE-HE": frozenset(sample_graph.neighbours("land:DE-HE"))})
    else:
        assert compared_store.degree_table() is None and compared_store.topology() is None
    opts = VIEWS[name]
    assert explorer_view(compared_store, **opts) == explorer_view(reference, **opts)
    assert explorer_view(compared_store, **opts) == explorer_view(reference, **opts)  # from the caches

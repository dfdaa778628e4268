"""The explorer's questions (graph.explore, graph.view) on tiny named graphs where the answer is obvious."""

import numpy as np
import pytest

from graph.core.errors import NodeNotFound, PartnernetzError
from graph.core.model import PartnerGraph
from graph.explore import (GraphFilter, Subgraph, ego_network, expand, filter_subgraph, induced_subgraph,
                           matching_projects, neighbours_by_relation, overview, shortest_paths)


@pytest.fixture
def tiny():
    """Hessen: uni-a (science) leads P1 (TZA, water, 2019–2021, completed);
    Bayern: ngo-b (civil society) in P2 (RWA, 2022–, active), cofinanced by
    Bayern; mow (TZA, public admin) partner in P1; Rheinland-Pfalz partners
    with Rwanda; uni-a works on water."""
    g = PartnerGraph()
    for c in ("TZA", "RWA"):
        g.add_country(c)
    g.add_node("theme", "water", label="Wasser", label_en="Water", source="s")
    a = g.add_node("institution", "uni-a", label="Universität A", sector="science", land="DE-HE", source="s")
    b = g.add_node("institution", "ngo-b", label="Verein B", sector="civil_society", land="DE-BY", source="s")
    m = g.add_node("institution", "mow", label="Ministry of Water", sector="public_administration", country="TZA", source="s")
    g.add_node("institution", "lonely", label="Einsam GmbH", sector="business", land="DE-HE", source="s")
    g.add_edge(a, "land:DE-HE", "located_in", source="s")
    g.add_edge(b, "land:DE-BY", "located_in", source="s")
    g.add_edge(m, "country:TZA", "located_in", source="s")
    g.add_edge("institution:lonely", "land:DE-HE", "located_in", source="s")
    p1 = g.add_node("project", "P1", label="Projekt Eins", status="completed", start_year=2019, end_year=2021, source="s")
    p2 = g.add_node("project", "P2", label="Projekt Zwei", status="active", start_year=2022, source="s")
    g.add_edge(a, p1, "participates_in", discriminator="lead", role="lead", source="s")
    g.add_edge(m, p1, "participates_in", discriminator="partner", role="partner", source="s")
    g.add_edge(b, p2, "participates_in", discriminator="lead", role="lead", source="s")
    g.add_edge("land:DE-BY", p2, "cofinances", contribution="money", source="s")
    g.add_edge(p1, "country:TZA", "implemented_in", source="s")
    g.add_edge(p2, "country:RWA", "implemented_in", source="s")
    g.add_edge(p1, "theme:water", "addresses", source="s")
    g.add_edge(a, "theme:water", "works_on", source="s")
    g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    return g


# ------------------------------------------------------------------ ego
def test_ego_radius_one_and_two(tiny):
    one = ego_network(tiny, "project:P1")
    assert set(one.nodes) == {"project:P1", "institution:uni-a", "institution:mow", "country:TZA", "theme:water"}
    # induced edges: also uni-a works_on water and mow located_in TZA
    assert ("institution:uni-a", "theme:water", "works_on") in one.edges
    assert ("institution:mow", "country:TZA", "located_in") in one.edges
    assert not one.truncated and one.total == one.size
    two = ego_network(tiny, "project:P1", radius=2)
    assert {"land:DE-HE", "institution:lonely"} - set(two.nodes) == {"institution:lonely"}
    assert "land:DE-HE" in two.nodes


def test_ego_is_cut_to_the_element_cap_keeping_the_focus_and_nearest(tiny):
    cut = ego_network(tiny, "project:P1", radius=2, max_elements=4)
    assert cut.truncated and cut.size <= 4 and "project:P1" in cut.nodes
    assert cut.total == ego_network(tiny, "project:P1", radius=2).size
    # every kept node but the focus is a direct neighbour (nearer first)
    assert set(cut.nodes) <= set(ego_network(tiny, "project:P1").nodes)


def test_ego_errors(tiny):
    with pytest.raises(NodeNotFound):
        ego_network(tiny, "project:nope")
    with pytest.raises(PartnernetzError):
        ego_network(tiny, "project:P1", radius=7)


def test_expand_adds_neighbours_and_keeps_view(tiny):
    view = expand(tiny, ["project:P2"], ["institution:ngo-b"])
    assert set(view.nodes) == {"project:P2", "institution:ngo-b", "land:DE-BY"}
    assert isinstance(view, Subgraph)


def test_induced_subgraph_ignores_unknown_ids(tiny):
    sub = induced_subgraph(tiny, ["land:DE-HE", "institution:uni-a", "institution:ghost"])
    assert sub.nodes == ("institution:uni-a", "land:DE-HE")
    assert sub.edges == (("institution:uni-a", "land:DE-HE", "located_in"),)


# ------------------------------------------------------------ neighbours
def test_neighbours_grouped_by_kind_and_direction(tiny):
    groups = neighbours_by_relation(tiny, "project:P1")
    assert [n.label for n in groups["participates_in:in"]] == ["Ministry of Water", "Universität A"]
    assert {n.edge["role"] for n in groups["participates_in:in"]} == {"lead", "partner"}
    assert [n.node_id for n in groups["implemented_in:out"]] == ["country:TZA"]
    assert list(groups)[0] == "participates_in:in"  # largest group first
    assert set(groups) == {"participates_in:in", "implemented_in:out", "addresses:out"}
    en = neighbours_by_relation(tiny, "institution:uni-a", lang="en")
    assert [n.label for n in en["works_on:out"]] == ["Water"]
    with pytest.raises(NodeNotFound):
        neighbours_by_relation(tiny, "land:XX")


# ----------------------------------------------------------------- paths
def test_shortest_path_ignores_direction(tiny):
    paths = shortest_paths(tiny, "institution:uni-a", "institution:mow")
    assert paths[0] == ["institution:uni-a", "project:P1", "institution:mow"]


def test_k_alternatives_shortest_first_and_length_limit(tiny):
    paths = shortest_paths(tiny, "institution:uni-a", "country:TZA", k=5)
    assert paths[0] == ["institution:uni-a", "project:P1", "country:TZA"]
    assert len(paths) >= 2 and all(len(a) <= len(b) for a, b in zip(paths, paths[1:]))
    assert len({tuple(p) for p in paths}) == len(paths)
    assert shortest_paths(tiny, "institution:uni-a", "country:TZA", k=1) == [paths[0]]
    assert all(len(p) - 1 <= 2 for p in shortest_paths(tiny, "institution:uni-a", "country:TZA", k=5, max_length=2))


def test_no_path_and_exclusions(tiny):
    # uni-a (Hessen) and ngo-b (Bayern) are not connected at all
    assert shortest_paths(tiny, "institution:uni-a", "institution:ngo-b") == []
    # the theme water offers a detour; excluded, no path uses it
    assert any("theme:water" in p for p in shortest_paths(tiny, "institution:uni-a", "country:TZA", k=5))
    paths = shortest_paths(tiny, "institution:uni-a", "country:TZA", k=5, exclude=["theme:water"])
    assert paths and all("theme:water" not in p for p in paths)
    # P1 is the only bridge
    assert shortest_paths(tiny, "institution:uni-a", "country:TZA", exclude=["project:P1"]) == []
    # only project links: the works_on / located_in shortcuts are not used
    via = shortest_paths(tiny, "institution:uni-a", "institution:mow", k=5, via=["participates_in"])
    assert via == [["institution:uni-a", "project:P1", "institution:mow"]]
    assert shortest_paths(tiny, "project:P1", "project:P1") == [["project:P1"]]
    with pytest.raises(NodeNotFound):
        shortest_paths(tiny, "institution:uni-a", "institution:ghost")


def test_path_cache_follows_graph_changes(tiny):
    assert shortest_paths(tiny, "institution:uni-a", "institution:ngo-b") == []
    tiny.add_edge("institution:ngo-b", "project:P1", "participates_in", source="s")
    assert shortest_paths(tiny, "institution:uni-a", "institution:ngo-b")[0] == [
        "institution:uni-a", "project:P1", "institution:ngo-b"]


# --------------------------------------------------------------- filters
def test_filter_of_plain_values():
    f = GraphFilter.of(countries="TZA", themes=[], year_from="2019", year_to="")
    assert f.countries == frozenset({"TZA"}) and f.themes is None and f.year_from == 2019 and f.year_to is None
    assert f.selects_projects and not GraphFilter().selects_projects and GraphFilter().is_empty()


def test_project_criteria(tiny):
    assert matching_projects(tiny, GraphFilter.of(countries=["TZA"])) == ["project:P1"]
    assert matching_projects(tiny, GraphFilter.of(lands=["DE-BY"])) == ["project:P2"]   # cofinancing
    assert matching_projects(tiny, GraphFilter.of(lands=["DE-HE"])) == ["project:P1"]   # participant's Land
    assert matching_projects(tiny, GraphFilter.of(sectors=["civil_society"])) == ["project:P2"]
    assert matching_projects(tiny, GraphFilter.of(statuses=["active"])) == ["project:P2"]
    assert matching_projects(tiny, GraphFilter.of(themes=["water"])) == ["project:P1"]
    # year overlap: P1 2019–2021, P2 2022– (active, open-ended)
    assert matching_projects(tiny, GraphFilter.of(year_from=2020, year_to=2020)) == ["project:P1"]
    assert matching_projects(tiny, GraphFilter.of(year_from=2030)) == ["project:P2"]
    assert sorted(matching_projects(tiny, GraphFilter())) == ["project:P1", "project:P2"]


def test_filter_subgraph_by_country(tiny):
    sub = filter_subgraph(tiny, GraphFilter.of(countries=["TZA"]))
    assert set(sub.nodes) == {"project:P1", "institution:uni-a", "institution:mow", "country:TZA", "theme:water"}
    assert not sub.truncated


def test_filter_subgraph_by_sector_keeps_matching_institutions_without_projects(tiny):
    sub = filter_subgraph(tiny, GraphFilter.of(sectors=["business"]))
    assert set(sub.nodes) == {"institution:lonely", "land:DE-HE"}


def test_filter_kinds_only(tiny):
    sub = filter_subgraph(tiny, GraphFilter.of(kinds=["project", "country"]))
    assert set(sub.nodes) == {"project:P1", "project:P2", "country:TZA", "country:RWA"}
    assert len(sub.edges) == 2
    sub = filter_subgraph(tiny, GraphFilter.of(kinds=["institution"], countries=["TZA"]))
    assert set(sub.nodes) == {"institution:uni-a", "institution:mow"}


def test_filter_is_capped(tiny):
    sub = filter_subgraph(tiny, GraphFilter(), max_elements=10)
    assert sub.truncated and sub.size <= 10 and sub.total > 10


# -------------------------------------------------------------- overview
def test_overview_land_to_country(tiny):
    o = overview(tiny)
    edges = {(e.source, e.target): (e.projects, e.partnership) for e in o.edges}
    assert edges == {
        ("land:DE-HE", "country:TZA"): (1, False),
        ("land:DE-BY", "country:RWA"): (1, False),
        ("land:DE-RP", "country:RWA"): (0, True),
    }
    nodes = {n.node_id: (n.projects, n.institutions) for n in o.nodes}
    assert nodes["country:TZA"] == (1, 2) and nodes["land:DE-RP"] == (0, 0)
    assert "land:DE-SH" not in nodes  # no activity, left out
    assert o.projects == 2


def test_overview_by_theme_and_filtered(tiny):
    o = overview(tiny, by="theme")
    assert [(e.source, e.target, e.projects) for e in o.edges] == [("land:DE-HE", "theme:water", 1)]
    f = overview(tiny, GraphFilter.of(statuses=["active"]))
    assert {(e.source, e.target) for e in f.edges if e.projects} == {("land:DE-BY", "country:RWA")}
    assert f.projects == 1
    with pytest.raises(PartnernetzError):
        overview(tiny, by="sector")


def test_sample_views_fit_and_are_meaningful(sample_graph):
    o = overview(sample_graph)
    assert 30 < o.size < 1500 and o.projects == 24  # 24 projects since the December 2026 additions
    assert any(e.source == "land:DE-NI" and e.target == "country:TZA" and e.projects >= 2 for e in o.edges)
    path = shortest_paths(sample_graph, "institution:hlft", "institution:dman", exclude=["country:DEU"])
    assert path and all(len(p) <= 7 for p in path)
    ego = ego_network(sample_graph, "country:TZA", radius=2)
    assert not ego.truncated and "institution:dman" in ego.nodes


# ------------------------------------------------------- explorer view
from graph.explore import HOME_COUNTRY, describe_path  # noqa: E402
from graph.view import explorer_view  # noqa: E402


def test_describe_path_names_relations_and_directions(tiny):
    steps = describe_path(tiny, ["institution:uni-a", "project:P1", "country:TZA"], lang="en")
    assert [(s.label, s.relation, s.forward) for s in steps] == [
        ("Universität A", None, True), ("Projekt Eins", "participates_in", True), ("Tanzania", "implemented_in", True)]
    back = describe_path(tiny, ["country:TZA", "project:P1"])
    assert (back[1].relation, back[1].forward) == ("implemented_in", False)
    with pytest.raises(PartnernetzError):
        describe_path(tiny, ["country:TZA", "institution:ngo-b"])


def test_explorer_start_view_is_the_overview(tiny):
    v = explorer_view(tiny)
    assert v.subgraph is None and v.reason == "start" and v.overview.by == "country"
    assert explorer_view(tiny, by="theme").overview.by == "theme"


def test_explorer_focus_expand_collapse(tiny):
    v = explorer_view(tiny, focus="project:P2")
    assert set(v.subgraph.nodes) == {"project:P2", "institution:ngo-b", "land:DE-BY", "country:RWA"}
    wider = explorer_view(tiny, focus="project:P2", expand=["country:RWA"])
    assert "land:DE-RP" in wider.subgraph.nodes  # RWA's partner Land added
    folded = explorer_view(tiny, focus="project:P2", expand=["country:RWA"], collapse=["country:RWA"])
    assert "land:DE-RP" not in folded.subgraph.nodes and "country:RWA" in folded.subgraph.nodes
    two = explorer_view(tiny, focus="project:P2", radius=2)
    assert len(two.subgraph.nodes) > len(v.subgraph.nodes)


def test_explorer_focus_respects_the_filter_but_keeps_the_focus(tiny):
    v = explorer_view(tiny, focus="project:P1", flt=GraphFilter.of(kinds=["institution"]))
    assert set(v.subgraph.nodes) == {"project:P1", "institution:uni-a", "institution:mow"}


def test_explorer_paths_and_highlight_are_in_view(tiny):
    v = explorer_view(tiny, path=["institution:uni-a", "institution:mow"], highlight=["land:DE-RP"])
    assert v.paths[0] == ("institution:uni-a", "project:P1", "institution:mow")
    assert {"institution:uni-a", "project:P1", "institution:mow", "land:DE-RP"} <= set(v.subgraph.nodes)
    assert frozenset({"project:P1", "institution:mow"}) in v.path_edges


def test_explorer_strict_paths_skip_the_home_country(sample_graph):
    loose = explorer_view(sample_graph, path=["institution:hlft", "institution:dman"], strict_paths=False, k=5)
    strict = explorer_view(sample_graph, path=["institution:hlft", "institution:dman"], k=5)
    assert strict.paths and all(HOME_COUNTRY not in p[1:-1] for p in strict.paths)
    assert len(loose.paths[0]) <= len(strict.paths[0])


def test_explorer_filter_too_large_falls_back_to_overview(tiny):
    v = explorer_view(tiny, flt=GraphFilter.of(kinds=["land", "country", "institution"]), max_elements=5)
    assert v.subgraph is None and v.reason == "too_large" and v.total > 5


def test_explorer_ignores_unknown_ids(tiny):
    v = explorer_view(tiny, focus="project:P1", expand=["institution:ghost"])
    assert v.unknown == ("institution:ghost",) and "project:P1" in v.subgraph.nodes


def test_explorer_highlight_alone_shows_the_links_between_the_group(tiny):
    v = explorer_view(tiny, highlight=["institution:uni-a", "institution:mow"])
    # P1 links both members; TZA (only mow) and water (only uni-a) link one each
    assert set(v.subgraph.nodes) == {"institution:uni-a", "institution:mow", "project:P1"}


def test_k_shortest_paths_agree_with_networkx_on_random_graphs():
    import random

    import networkx as nx

    rng = random.Random(3)
    for trial in range(5):
        g = PartnerGraph()
        insts = [g.add_node("institution", f"i{i}", label=f"I{i}", source="s") for i in range(25)]
        projects = [g.add_node("project", f"p{i}", label=f"P{i}", source="s") for i in range(15)]
        for p in projects:
            for inst in rng.sample(insts, rng.randint(1, 4)):
                g.add_edge(inst, p, "participates_in", source="s")
        simple = nx.Graph(g.nx.to_undirected())
        for _ in range(10):
            a, b = rng.sample(insts, 2)
            ours = shortest_paths(g, a, b, k=4, max_length=8)
            try:
                theirs = [p for _, p in zip(range(4), nx.shortest_simple_paths(simple, a, b)) if len(p) - 1 <= 8]
            except nx.NetworkXNoPath:
                theirs = []
            assert [len(p) for p in ours] == [len(p) for p in theirs]
            for p in ours:
                assert p[0] == a and p[-1] == b and len(set(p)) == len(p)
                assert all(simple.has_edge(x, y) for x, y in zip(p, p[1:]))


def test_indexed_filters_agree_with_testing_every_node(sample_graph):
    # the inverted indexes must select exactly what checking each project
    # and institution against the filter selects
    from itertools import product

    from graph.core.kinds import NodeKind
    from graph.explore import GraphFilter, matching_projects, project_facts
    from graph.explore.adjacency import adjacency
    from graph.explore.filters import _institution_matches, _matching_institution_rows, _matching_rows, _project_matches
    g = sample_graph
    facts = project_facts(g)
    names = adjacency(g).names
    combos = product([None, ["TZA"], ["TZA", "NAM"]], [None, ["DE-HE"], ["DE-NI", "DE-HB"]],
                     [None, ["science"], ["unknown", "business"]], [None, ["active"]], [None, 2019], [None, 2021],
                     [None, ["water"], ["water", "vocational_training", "no-such-theme"]])
    checked = institutions = 0
    for countries, lands, sectors, statuses, year_from, year_to, themes in combos:
        flt = GraphFilter.of(countries=countries, lands=lands, sectors=sectors, statuses=statuses,
                             year_from=year_from, year_to=year_to, themes=themes)
        expected = [p for p, f in facts.items() if _project_matches(f, flt)]
        assert matching_projects(g, flt) == expected
        assert sorted(names[r] for r in _matching_rows(g, flt).tolist()) == sorted(expected)
        if flt.selects_projects:
            found = sorted(names[r] for r in _matching_institution_rows(g, flt).tolist())
            assert found == sorted(n for n in g.nodes(NodeKind.INSTITUTION) if _institution_matches(g, n, flt))
            institutions += bool(found)
        checked += bool(expected)
    assert checked > 10 and institutions > 10  # the sample gives non-empty answers for many of the combinations


def test_edges_inside_counts_every_edge_between_the_rows(sample_graph):
    # both ways of counting (few rows: their edges; many: every edge's two ends) give the plain count
    from graph.explore.adjacency import adjacency
    from graph.explore.subgraphs import edges_inside

    g = sample_graph
    adj = adjacency(g)
    rng = np.random.default_rng(8)
    for size in (0, 1, 5, 40, len(adj.names) // 2, len(adj.names)):
        rows = np.sort(rng.permutation(len(adj.names))[:size])
        inside = np.zeros(len(adj.names), dtype=bool)
        inside[rows] = True
        chosen = {adj.names[r] for r in rows.tolist()}
        plain = sum(1 for u, v in g.nx.edges() if u in chosen and v in chosen)
        assert edges_inside(adj, rows, inside) == plain, size


def test_the_cut_order_in_groups_is_the_lexsort_order():
    # the cut sorts group by group of its leading keys (pins, steps): concatenated, the one order
    from graph.explore.subgraphs import _in_order

    rng = np.random.default_rng(3)
    for trial in range(60):
        n = int(rng.integers(0, 400))
        rows = rng.permutation(n * 2)[:n]
        keys = [rng.permutation(n)]  # a unique last tie-break, like the name rank
        for _ in range(int(rng.integers(0, 4))):
            kind = int(rng.integers(0, 5))
            keys.append(rng.integers(-3, 60, n) if kind == 0 else rng.integers(0, 3, n).astype(float) if kind == 1
                        else rng.random(n) < 0.5 if kind == 2 else rng.integers(-2, 2, n).astype(np.int8) if kind == 3
                        else rng.random(n))
        pieces = list(_in_order(rows, tuple(keys)))
        joined = np.concatenate(pieces) if pieces else np.zeros(0, dtype=rows.dtype)
        assert joined.tolist() == rows[np.lexsort(tuple(keys))].tolist()


# ------------------------------------------------- numpy paths vs. plain rules
def _plain_cut(g, wanted, max_elements, keep=(), rank=None):
    """The cut rule written out plainly: take nodes in order (kept, rank,
    degree descending, id) while they fit with their edges to those taken."""
    rank = rank or {}
    order = sorted(wanted, key=lambda n: (n not in set(keep), rank.get(n, 0), -g.nx.degree(n), n))
    chosen, used = set(), 0
    for n in order:
        added = 1 + sum(len(g.nx.get_edge_data(n, m) or {}) + len(g.nx.get_edge_data(m, n) or {}) for m in chosen)
        if used + added <= max_elements:
            chosen.add(n)
            used += added
    return tuple(sorted(chosen))


def _plain_filter_nodes(g, flt):
    """filter_subgraph's node rule written out plainly, node by node."""
    from graph.core.kinds import EdgeKind, NodeKind
    from graph.explore.filters import _institution_matches, _node_compatible

    chosen = set()
    for pid in matching_projects(g, flt):
        chosen.add(pid)
        chosen |= {n for n in g.neighbours(pid) if _node_compatible(g, n, flt)}
    for inst in g.nodes(NodeKind.INSTITUTION):
        if _institution_matches(g, inst, flt) and inst not in chosen:
            chosen.add(inst)
            chosen |= {v for v, _ in g.out_edges(inst, EdgeKind.LOCATED_IN) if _node_compatible(g, v, flt)}
    kept = {n for n in chosen if _node_compatible(g, n, flt) or g.nx.nodes[n]["kind"] == "project"}
    return {n for n in kept if not flt.kinds or g.nx.nodes[n]["kind"] in flt.kinds}


@pytest.mark.parametrize("values", [
    {"countries": ["TZA"]}, {"lands": ["DE-HE"]}, {"themes": ["water"]}, {"sectors": ["science"]},
    {"statuses": ["active"]}, {"countries": ["TZA"], "kinds": ["project", "institution"]},
    {"lands": ["DE-NI", "DE-HB"], "sectors": ["unknown", "business"]}, {"year_from": 2019, "year_to": 2021},
])
@pytest.mark.parametrize("cap", [1500, 40, 7])
def test_filter_subgraph_matches_the_plain_rule(sample_graph, values, cap):
    g = sample_graph
    flt = GraphFilter.of(**values)
    nodes = _plain_filter_nodes(g, flt)
    full = induced_subgraph(g, nodes, max_elements=10**9)
    sub = filter_subgraph(g, flt, max_elements=cap)
    assert sub.total == full.total
    if full.total <= cap:
        assert (sub.nodes, sub.edges, sub.truncated) == (full.nodes, full.edges, False)
    else:
        rank = {n: 0 if n.startswith("project:") else 1 for n in nodes}
        assert sub.truncated and sub.size <= cap
        assert sub.nodes == _plain_cut(g, nodes, cap, rank=rank)
        assert set(sub.edges) == {e for e in full.edges if e[0] in sub.nodes and e[1] in sub.nodes}


def test_kinds_only_filter_is_every_node_of_those_kinds(tiny):
    sub = filter_subgraph(tiny, GraphFilter.of(kinds=["institution", "country"]))
    assert set(sub.nodes) == {n for n, k in tiny.nx.nodes(data="kind") if k in ("institution", "country")}
    assert not sub.truncated


def test_cut_keeps_pinned_then_near_then_well_connected(tiny):
    # a cut to 4 elements: the kept node first, then rank, then degree
    nodes = list(tiny.nx.nodes)
    rank = {"project:P2": 0.5}
    sub = induced_subgraph(tiny, nodes, max_elements=4, keep=["theme:water"], rank=rank)
    assert sub.nodes == _plain_cut(tiny, nodes, 4, keep=["theme:water"], rank=rank)
    assert "theme:water" in sub.nodes and sub.truncated and sub.size <= 4


def test_many_node_induced_edges_equal_the_plain_answer(sample_graph):
    # from 200 nodes on the edges are found in numpy
    from graph.explore.subgraphs import induced_edges

    g = sample_graph
    nodes = set(sorted(g.nx.nodes)[:180] + sorted(g.nx.nodes)[-40:])
    plain = {(u, v, k) for u, v, k in g.nx.edges(keys=True) if u in nodes and v in nodes}
    assert len(nodes) >= 200 and set(induced_edges(g, nodes)) == plain


def _plain_overview(g, flt, by):
    from collections import Counter, defaultdict

    from graph.explore import project_facts
    facts = project_facts(g)
    pair, projects, insts = Counter(), Counter(), defaultdict(set)
    wanted = flt.countries if by == "country" else flt.themes
    for pid in matching_projects(g, flt):
        f = facts[pid]
        lands = [f"land:{c}" for c in f.lands if not flt.lands or c in flt.lands]
        targets = [f"{by}:{c}" for c in (f.countries if by == "country" else f.themes) if not wanted or c in wanted]
        for n in lands + targets:
            projects[n] += 1
            insts[n] |= f.institutions
        pair.update((a, b) for a in lands for b in targets)
    return dict(pair), {n: (projects[n], len(insts[n])) for n in projects}


@pytest.mark.parametrize("values", [{}, {"countries": ["TZA"]}, {"lands": ["DE-HE"]}, {"statuses": ["active"]},
                                    {"themes": ["water"], "sectors": ["science"]}])
@pytest.mark.parametrize("by", ["country", "theme"])
def test_overview_counts_match_the_plain_rule(sample_graph, values, by):
    flt = GraphFilter.of(**values)
    ov = overview(sample_graph, flt, by=by)
    pair, per_node = _plain_overview(sample_graph, flt, by)
    assert {(e.source, e.target): e.projects for e in ov.edges if e.projects} == pair
    assert {n.node_id: (n.projects, n.institutions) for n in ov.nodes if n.projects} == per_node
    assert ov.projects == len(matching_projects(sample_graph, flt))


def test_distance_rank_is_the_same_from_either_side():
    # focus f — a — hub; the hub has many leaves (rest ≫ first) and one
    # leaf also touches a: both ways of asking give distances 0/1/2
    from graph.view import _rank_by_distance
    from graph.store import MemoryStore

    g = PartnerGraph()
    f = g.add_node("institution", "f", label="F", source="s")
    hub = g.add_node("theme", "hub", label="Hub", source="s")
    a = g.add_node("project", "a", label="A", source="s")
    g.add_edge(f, a, "participates_in", source="s")
    g.add_edge(a, hub, "addresses", source="s")
    leaves = [g.add_node("institution", f"l{i}", label=f"L{i}", source="s") for i in range(12)]
    for leaf in leaves:
        g.add_edge(leaf, hub, "works_on", source="s")
    g.add_edge(leaves[0], a, "participates_in", source="s")
    store = MemoryStore(g)
    few_first = _rank_by_distance(store, f, [f, a, hub, *leaves])       # first = {a} < rest
    many_first = _rank_by_distance(store, hub, [hub, a, f, *leaves])    # first = a + 12 leaves > rest = {f}
    assert few_first == {f: 0, a: 1, hub: 2, leaves[0]: 2}
    assert many_first == {hub: 0, a: 1, **{leaf: 1 for leaf in leaves}, f: 2}


@pytest.fixture(scope="module")
def generated_graph(tmp_path_factory):
    from loaders import load
    from loaders.synthetic import generate

    folder = tmp_path_factory.mktemp("gen")
    generate(folder, nodes=3000, seed=5)
    return load(folder).graph


def test_ego_network_in_numpy_equals_the_dict_walk(generated_graph, sample_graph):
    """The breadth-first walk over adjacency rows gives the view of the plain
    walk (distances → induced_subgraph ranked by distance), cut or not, for
    hubs and leaves at radius 1 and 2."""
    from graph.explore.adjacency import distances

    for g in (sample_graph, generated_graph):
        ids = sorted(g.nx.nodes)
        hubs = sorted(ids, key=lambda n: -g.nx.degree(n))[:15]
        for nid in hubs + ids[:: max(1, len(ids) // 60)]:
            for radius in (1, 2):
                for cap in (60, 1500):
                    dist = distances(g, nid, radius)
                    plain = induced_subgraph(g, dist, max_elements=cap, keep=[nid], rank=dist)
                    assert ego_network(g, nid, radius=radius, max_elements=cap) == plain, (nid, radius, cap)


def test_steps_within_two_in_numpy_equal_asking_the_store(generated_graph, sample_graph):
    """The explorer's ranks by distance from the focus: the numpy answer
    equals the store-protocol walk (:func:`graph.view._rank_by_distance`)
    for hubs and leaves, with views of a few or tens of thousands of nodes."""
    import random

    from graph.explore.adjacency import steps_within_two
    from graph.store import MemoryStore
    from graph.view import _rank_by_distance

    rng = random.Random(4)
    for g in (sample_graph, generated_graph):
        store = MemoryStore(g)
        ids = sorted(g.nx.nodes)
        hubs = sorted(ids, key=lambda n: -g.nx.degree(n))[:10]
        for focus in hubs + rng.sample(ids, 30):
            for nodes in (rng.sample(ids, 40), rng.sample(ids, min(len(ids), 2500)),
                          sorted(set(g.neighbours(focus)) | set(rng.sample(ids, 50)))):
                nodes = list(dict.fromkeys([focus, *nodes]))
                assert steps_within_two(g, focus, nodes) == _rank_by_distance(store, focus, nodes), focus


def test_focus_view_from_the_ego_network_equals_the_induced_subgraph(generated_graph, sample_graph):
    """A focus view whose nodes are all in the ego network is taken from it:
    the same view as the induced subgraph of those nodes (radius 1 and 2,
    with and without a filter, hubs included)."""
    import random

    from graph.core.kinds import NodeKind, key_of
    from graph.store import MemoryStore
    from graph.view import _rank_by_distance, explorer_view

    rng = random.Random(8)
    for g in (sample_graph, generated_graph):
        ids = sorted(g.nx.nodes)
        hubs = sorted(ids, key=lambda n: -g.nx.degree(n))[:8]
        themes = [key_of(t) for t in g.nodes(NodeKind.THEME)]
        for focus in hubs + rng.sample(ids, 25):
            for radius in (1, 2):
                for flt in (None, GraphFilter.of(themes=themes[:1]), GraphFilter.of(kinds=["institution", "project"])):
                    view = explorer_view(g, focus=focus, radius=radius, flt=flt)
                    rank = _rank_by_distance(MemoryStore(g), focus, list(view.subgraph.nodes))
                    plain = induced_subgraph(g, view.subgraph.nodes, keep=[focus], rank=rank)
                    assert view.subgraph == plain, (focus, radius, flt)


def test_store_neighbours_of_hubs_from_the_arrays_equal_the_dicts(sample_graph, monkeypatch):
    # from MANY_NEIGHBOURS on the store reads the adjacency arrays (a forked worker then
    # leaves the graph's dicts untouched); the answer is the one the dicts give
    import graph.store.memory as memory
    from graph.store import MemoryStore

    g = sample_graph
    nodes = sorted(g.nx.nodes, key=lambda n: -len(g.neighbours(n)))[:25]
    dicts = MemoryStore(g).neighbours(nodes)
    dicts_kinds = MemoryStore(g).neighbours(nodes, kinds=["institution", "project"])
    monkeypatch.setattr(memory, "MANY_NEIGHBOURS", 1)
    assert MemoryStore(g).neighbours(nodes) == dicts == {n: frozenset(g.neighbours(n)) for n in nodes}
    assert MemoryStore(g).neighbours(nodes, kinds=["institution", "project"]) == dicts_kinds
    assert dicts_kinds == {n: frozenset(m for m in g.neighbours(n) if g.node(m)["kind"] in ("institution", "project"))
                           for n in nodes}
    # and the count of a hub's neighbours is the count of distinct ones, parallel edges and self-loops once
    counts = {n: len(g.neighbours(n)) for n in nodes}
    assert {n: MemoryStore(g).neighbour_count(n) for n in nodes} == counts
    monkeypatch.setattr(memory, "MANY_NEIGHBOURS", 200)
    assert {n: MemoryStore(g).neighbour_count(n) for n in nodes} == counts
    assert MemoryStore(g).neighbour_count("nothing:here") == 0
    assert any(sum(len(k) for k in g.nx._succ[n].values()) + sum(len(k) for k in g.nx._pred[n].values()) > counts[n]
               for n in nodes)  # some of them have parallel edges


# ------------------------------------------------ the first neighbours by name
@pytest.fixture(scope="module")
def hubs(tmp_path_factory):
    """A generated network (hubs with thousands of neighbours), plus one
    institution in a project under three roles (parallel edges of one kind)
    and neighbours of equal names."""
    from loaders import load
    from loaders.synthetic import generate
    folder = tmp_path_factory.mktemp("hubs") / "data"
    generate(folder, nodes=3000, seed=3)
    g = load(folder).graph
    project = sorted(g.nodes("project"))[0]
    inst = sorted(g.nodes("institution"))[0]
    for role in ("lead", "partner", "advisor"):
        g.add_edge(inst, project, "participates_in", discriminator=role, role=role, source="s")
    for nid in sorted(g.nodes("institution"))[1:40]:  # equal names, told apart by id
        g.set_node_attrs(nid, label="Gleicher Name")
    return g


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("limit", [1, 2, 20])
def test_the_first_neighbours_are_the_head_of_the_full_lists(hubs, lang, limit):
    """Every node's groups (hubs ranked in numpy, small groups sorted) are
    the first ``limit`` of :func:`neighbours_by_relation`'s lists, with the
    same edges and sizes, in the same group order."""
    from graph.explore import neighbour_groups
    ranked = 0
    for nid in hubs.nodes():
        full = neighbours_by_relation(hubs, nid, lang=lang)
        first = neighbour_groups(hubs, nid, lang=lang, limit=limit)
        assert list(first) == list(full)
        for key, items in full.items():
            got = first[key]
            assert got.total == len(items)
            assert [(n.node_id, n.label, n.kind, n.edge) for n in got.first] == \
                [(n.node_id, n.label, n.kind, n.edge) for n in items[:limit]]
            ranked += len(items) > limit
    assert ranked > 100  # the numpy ranking was exercised


def test_the_first_neighbours_of_a_hub_are_ordered_by_name(hubs):
    from graph.explore import neighbour_groups
    hub = max(hubs.nodes("country"), key=lambda n: len(hubs.neighbours(n)))
    for key, relation in neighbour_groups(hubs, hub, limit=20).items():
        names = [(n.label.casefold(), n.node_id) for n in relation.first]
        assert names == sorted(names) and len(names) == min(20, relation.total)

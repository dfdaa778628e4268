"""Pure builders of the Netzwerk page (no browser): cytoscape elements,
positions, stylesheet, legend, CSV, the URL view state and the page's
details/path/status builders."""

import csv
import io
import json
import math

import pytest

from dashboard.elements import (
    KIND_ORDER,
    OVERVIEW_FONT,
    csv_tables,
    label_box,
    separate,
    explorer_elements,
    kinds_in,
    legend_entries,
    overview_elements,
    positions,
    safe_cell,
    short_label,
    stylesheet,
    view_elements,
)
from dashboard.viewstate import DEFAULTS, parse_query, parse_search, to_filter, to_search, updated
from graph.core.model import PartnerGraph
from graph.explore import GraphFilter, induced_subgraph, overview
from graph.view import explorer_view


@pytest.fixture
def tiny():
    g = PartnerGraph()
    g.add_country("TZA")
    g.add_country("RWA")
    a = g.add_node("institution", "uni-a", label="Universität A mit einem sehr langen Namen", sector="science",
                   land="DE-HE", source="https://example.org/a ; javascript:alert(1)")
    m = g.add_node("institution", "mow", label="=HYPERLINK(\"x\")", country="TZA", illustrative=True)
    p = g.add_node("project", "P1", label="Projekt Eins", status="active", start_year=2020, source="s")
    g.add_edge(a, p, "participates_in", role="lead", source="s")
    g.add_edge(m, p, "participates_in", role="partner", source="s")
    g.add_edge(p, "country:TZA", "implemented_in", source="s")
    g.add_edge("land:DE-HE", p, "cofinances", contribution="money", source="s")
    g.add_edge("land:DE-RP", "country:RWA", "partners_with", source="s")
    return g


def _by_id(elements):
    return {el["data"]["id"]: el for el in elements}


# ------------------------------------------------------------------ elements
def test_view_elements_nodes_edges_and_classes(tiny):
    sub = induced_subgraph(tiny, ["institution:uni-a", "project:P1", "country:TZA", "institution:mow"])
    els = _by_id(view_elements(tiny, sub, lang="en", focus="project:P1", selected="institution:uni-a",
                               highlight=["country:TZA"]))
    uni = els["institution:uni-a"]
    assert uni["classes"].split() == ["kind-institution", "sector-science", "chosen"]
    assert uni["data"]["name"] == "Universität A mit einem sehr langen Namen"
    assert uni["data"]["label"] == short_label(uni["data"]["name"]) and uni["data"]["label"].endswith("…")
    assert "focus" in els["project:P1"]["classes"] and "highlight" in els["country:TZA"]["classes"]
    assert els["country:TZA"]["data"]["label"] == "Tanzania"
    assert "sector-unknown" in els["institution:mow"]["classes"]
    edge = els["institution:uni-a|project:P1|participates_in"]
    assert edge["data"]["source"] == "institution:uni-a" and edge["classes"] == "edge-participates_in"
    assert len(els) == 4 + 3


def test_path_classes_fade_the_rest(tiny):
    view = explorer_view(tiny, focus="project:P1", path=["institution:uni-a", "country:TZA"])
    els = _by_id(explorer_elements(tiny, view, focus="project:P1"))
    assert "path" in els["institution:uni-a"]["classes"] and "path" in els["country:TZA"]["classes"]
    assert "faded" in els["institution:mow"]["classes"]
    assert "path" in els["project:P1|country:TZA|implemented_in"]["classes"]
    assert "faded" in els["institution:mow|project:P1|participates_in"]["classes"]


def test_overview_elements_size_and_partnership(tiny):
    els = _by_id(overview_elements(tiny, overview(tiny)))
    hesse = els["land:DE-HE"]
    assert hesse["data"]["projects"] == 1 and hesse["data"]["label"] == "Hessen · 1"
    assert hesse["data"]["size"] > els["land:DE-RP"]["data"]["size"]
    assert "partnership" in els["land:DE-RP|country:RWA"]["classes"]
    assert "no-projects" in els["land:DE-RP|country:RWA"]["classes"]
    assert els["land:DE-HE|country:TZA"]["data"]["projects"] == 1
    assert kinds_in(els.values()) == {"land", "country"}


def test_explorer_elements_carry_positions_for_every_node(tiny):
    for layout in ("cose", "concentric", "breadthfirst"):
        els = explorer_elements(tiny, explorer_view(tiny), layout=layout)
        nodes = [e for e in els if "source" not in e["data"]]
        assert nodes and all("position" in e for e in nodes)


def test_markup_stays_plain_data(tiny):
    tiny.add_node("institution", "xss", label="<img src=x onerror=alert(1)>", source="s")
    els = _by_id(view_elements(tiny, induced_subgraph(tiny, ["institution:xss"])))
    assert els["institution:xss"]["data"]["name"] == "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------ layouts
def test_positions_are_deterministic_and_complete():
    nodes = [f"institution:i{i}" for i in range(12)] + ["land:DE-HE", "country:TZA"]
    edges = [(n, "land:DE-HE") for n in nodes[:12]] + [("land:DE-HE", "country:TZA")]
    for layout in ("cose", "concentric", "breadthfirst"):
        a = positions(nodes, edges, layout)
        assert set(a) == set(nodes) and a == positions(nodes, edges, layout)
        assert len(set(a.values())) == len(nodes)  # no two nodes on the same spot


def test_concentric_rings_follow_the_kind_order():
    nodes = ["land:DE-HE", "land:DE-BY", "country:TZA", "institution:a", "institution:b", "institution:c"]
    pos = positions(nodes, [], "concentric")
    radius = {n: round((x * x + y * y) ** 0.5) for n, (x, y) in pos.items()}
    assert radius["land:DE-HE"] < radius["country:TZA"] < radius["institution:a"] == radius["institution:b"]
    centred = positions(nodes, [], "concentric", roots=["institution:c"])
    assert centred["institution:c"] == (0.0, 0.0)


def test_breadthfirst_layers_by_distance_from_the_root():
    nodes = ["project:P", "institution:a", "land:DE-HE", "country:X"]
    edges = [("institution:a", "project:P"), ("institution:a", "land:DE-HE")]
    pos = positions(nodes, edges, "breadthfirst", roots=["project:P"])
    assert pos["project:P"][1] < pos["institution:a"][1] < pos["land:DE-HE"][1] < pos["country:X"][1]


def test_force_layout_packs_components_side_by_side():
    nodes = ["land:A", "land:B", "land:C", "land:D"]
    pos = positions(nodes, [("land:A", "land:B"), ("land:C", "land:D")], "cose")
    xs = [x for x, _ in pos.values()]
    assert max(xs) - min(xs) < 400  # islands are packed, not flung apart


def test_small_islands_are_nestled_beside_the_main_component():
    hub = [f"land:H{i}" for i in range(8)]
    edges = [(hub[0], h) for h in hub[1:]] + [("land:A", "land:B"), ("land:C", "land:D")]
    pos = positions(hub + ["land:A", "land:B", "land:C", "land:D"], edges, "cose")
    assert _crowded(pos) == []  # no island on top of the main picture or of another island
    assert all(isinstance(v, float) for xy in pos.values() for v in xy)

    def extent(nodes):
        xs, ys = [pos[n][0] for n in nodes], [pos[n][1] for n in nodes]
        return max(xs) - min(xs), max(ys) - min(ys)

    (mw, mh), (w, h) = extent(hub), extent(list(pos))
    # the two pairs (about 90 px wide each) fit beside the star: the picture grows by at most one
    # pair plus the gap in each direction, not by a row per island
    assert w <= mw + 200 and h <= mh + 120


def test_islands_of_the_sample_overview_keep_it_readable(sample):
    """The Länder with a single partner region (SH – Westbalkan, TH – Malawi, Saarland, Sachsen-Anhalt)
    form islands; nestled around the main picture they cost little zoom on the 1400 px canvas."""
    from dashboard.elements import CANVAS_ASPECT, OVERVIEW_FONT, OVERVIEW_SPREAD
    from graph.view import explorer_view
    ov = explorer_view(sample.graph).overview
    nodes, edges = [n.node_id for n in ov.nodes], [(e.source, e.target) for e in ov.edges]
    boxes = {n.node_id: label_box(n.node_id, 30, OVERVIEW_FONT) for n in ov.nodes}
    pos = positions(nodes, edges, "cose", spread=OVERVIEW_SPREAD, boxes=boxes)
    assert _crowded(pos, boxes) == []

    def fitted_zoom(names):
        xs = [pos[n][0] + s * boxes[n][0] / 2 for n in names for s in (-1, 1)]
        ys = [pos[n][1] + s * boxes[n][1] / 2 for n in names for s in (-1, 1)]
        return min(CANVAS_ASPECT / (max(xs) - min(xs)), 1 / (max(ys) - min(ys)))

    adjacent = {n: set() for n in nodes}
    for u, v in edges:
        adjacent[u].add(v)
        adjacent[v].add(u)
    main, todo = set(), ["land:DE-NI"]
    while todo:
        n = todo.pop()
        if n not in main:
            main.add(n)
            todo += adjacent[n]
    assert len(main) < len(nodes)  # there are islands
    assert fitted_zoom(nodes) > 0.75 * fitted_zoom(main)


def test_overview_is_tighter_with_larger_labels(sample):
    from dashboard.elements import OVERVIEW_FONT, OVERVIEW_SPREAD
    from graph.view import explorer_view
    assert OVERVIEW_FONT > 13 and OVERVIEW_SPREAD < 1
    agg = [s for s in stylesheet() if s["selector"] == ".agg"][0]
    assert agg["style"]["font-size"] == OVERVIEW_FONT
    ov = explorer_view(sample.graph).overview
    nodes, edges = [n.node_id for n in ov.nodes], [(e.source, e.target) for e in ov.edges]
    boxes = {n.node_id: label_box(n.node_id, 30, OVERVIEW_FONT) for n in ov.nodes}

    def extent(spread):
        pos = positions(nodes, edges, "cose", spread=spread, boxes=boxes).values()
        return max(max(x for x, _ in pos) - min(x for x, _ in pos), max(y for _, y in pos) - min(y for _, y in pos))

    # tighter picture (labels still apart, see the overlap test) → the fitted canvas zooms in further
    assert extent(OVERVIEW_SPREAD) < 0.9 * extent(1.0)


def _crowded(pos, boxes=None):
    """Pairs of nodes whose boxes (node + label) overlap."""
    box = lambda n: (boxes or {}).get(n, (84.0, 34.0))  # noqa: E731
    items = sorted(pos.items())
    return [(a, b) for k, (a, (ax, ay)) in enumerate(items) for b, (bx, by) in items[k + 1:]
            if abs(ax - bx) < (box(a)[0] + box(b)[0]) / 2 - 0.01 and abs(ay - by) < (box(a)[1] + box(b)[1]) / 2 - 0.01]


def test_force_layout_leaves_room_for_labels():
    # a hub with 30 leaves: the spring layout alone crowds the leaves
    nodes = ["land:DE-HE"] + [f"institution:i{i}" for i in range(30)]
    edges = [(n, "land:DE-HE") for n in nodes[1:]]
    assert _crowded(positions(nodes, edges, "cose")) == []
    wide = {n: (200.0, 40.0) for n in nodes}
    assert _crowded(positions(nodes, edges, "cose", boxes=wide), wide) == []
    assert separate({"a": (0.0, 0.0), "b": (0.0, 0.0)}) != {"a": (0.0, 0.0), "b": (0.0, 0.0)}
    far = {"a": (0.0, 0.0), "b": (500.0, 0.0)}
    assert separate(far) == far  # nothing to do


def test_close_pairs_are_exactly_the_pairs_within_reach():
    # against every pair, on clouds that sweep along x, along y, with ties and coincident points
    import numpy as np

    from dashboard.elements import close_pairs

    rng = np.random.default_rng(5)
    clouds = [(rng.uniform(0, 2000, 300), rng.uniform(0, 300, 300)),  # wide: swept along x
              (rng.uniform(0, 300, 300), rng.uniform(0, 2000, 300)),  # tall: swept along y
              (np.round(rng.uniform(0, 400, 200) / 40) * 40, np.round(rng.uniform(0, 400, 200) / 25) * 25),  # ties
              (np.zeros(5), np.zeros(5)), (np.array([1.0]), np.array([2.0])), (np.zeros(0), np.zeros(0))]
    for x, y in clouds:
        i, j = close_pairs(x, y, 80.0, 50.0)
        found = sorted((min(a, b), max(a, b)) for a, b in zip(i.tolist(), j.tolist()))
        every = [(a, b) for a in range(len(x)) for b in range(a + 1, len(x))
                 if abs(x[a] - x[b]) < 80.0 and abs(y[a] - y[b]) < 50.0]
        assert found == every


def test_crowded_hubs_settle_within_the_round_budget():
    # 300 institutions around 4 chained countries, labels of 14–28 letters: an expanded view at 100k.
    # Pushed apart by half their overlap they kept 210 overlapping pairs after the budget; spread
    # first and pushed by the whole overlap, (almost) none
    import random

    rng = random.Random(3)
    hubs = [f"country:H{i}" for i in range(4)]
    leaves = [f"institution:i{i:03d}" for i in range(300)]
    edges = [(leaf, rng.choice(hubs)) for leaf in leaves] + [(hubs[i], hubs[i + 1]) for i in range(3)]
    boxes = {n: label_box("x" * rng.randint(14, 28)) for n in hubs + leaves}
    assert len(_crowded(positions(hubs + leaves, edges, "cose", boxes=boxes), boxes)) <= 3


def test_big_hubs_get_their_leaves_as_discs():
    # an expanded country: 400 projects hanging on it, 40 on a theme, a small core between them
    from dashboard.elements import _leaf_discs

    hubs = ["country:ZAF", "theme:water"]
    core = ["project:focus", "institution:a", "institution:b"]
    leaves = {"country:ZAF": [f"project:p{i:03d}" for i in range(400)],
              "theme:water": [f"project:q{i:03d}" for i in range(40)]}
    few = [f"institution:f{i}" for i in range(3)]  # too few leaves for a disc: laid out with the core
    edges = [(leaf, hub) for hub, ls in leaves.items() for leaf in ls] + [(f, "institution:a") for f in few]
    edges += [("project:focus", hubs[0]), ("project:focus", hubs[1]), ("project:focus", "institution:a"),
              ("institution:a", "institution:b"), ("institution:b", hubs[1])]
    nodes = hubs + core + few + [leaf for ls in leaves.values() for leaf in ls]
    boxes = {n: label_box(n.split(":")[1] * 3) for n in nodes}
    pos = positions(nodes, edges, "cose", boxes=boxes)
    assert set(pos) == set(nodes)
    simple = [(u, v, 1.0) for u, v in edges]
    assert {h: len(ls) for h, ls in _leaf_discs(sorted(nodes), simple).items()} == {"country:ZAF": 400, "theme:water": 40}

    def dist(a, b):
        return math.hypot(pos[a][0] - pos[b][0], pos[a][1] - pos[b][1])

    reach = {hub: max(dist(leaf, hub) for leaf in ls) for hub, ls in leaves.items()}
    assert reach["country:ZAF"] + reach["theme:water"] < dist(*hubs)  # two discs, apart
    assert reach["country:ZAF"] > 2 * reach["theme:water"]  # each as big as its leaves need
    for n in core + few:  # the rest of the picture beside the discs, not in them
        assert all(dist(n, hub) > 0.9 * reach[hub] for hub in hubs)
    assert len(_crowded(pos, boxes)) <= 3
    assert positions(nodes, edges, "cose", boxes=boxes) == pos  # the same view, the same picture
    # the disc's labels keep their laid-out size when the view's labels grow (label_font)
    from dashboard.elements import disc_leaves
    assert disc_leaves(nodes, edges) == {leaf for ls in leaves.values() for leaf in ls}
    assert {"selector": ".small-label", "style": {"font-size": 11.0}} in stylesheet(33.0)


def test_sample_overview_labels_do_not_overlap(sample):
    from graph.view import explorer_view
    els = explorer_elements(sample.graph, explorer_view(sample.graph), lang="en")
    nodes = [e for e in els if "position" in e]
    pos = {e["data"]["id"]: (e["position"]["x"], e["position"]["y"]) for e in nodes}
    boxes = {e["data"]["id"]: label_box(e["data"]["label"], e["data"]["size"], OVERVIEW_FONT) for e in nodes}
    assert len(pos) > 30 and _crowded(pos, boxes) == []


# --------------------------------------------------------- style and legend
def test_stylesheet_covers_every_kind_and_mark():
    selectors = {s["selector"] for s in stylesheet()}
    assert {f".kind-{k}" for k in KIND_ORDER} <= selectors
    assert {".focus", ".chosen", ".highlight", "edge.path", ".faded", ".agg", ".sector-science"} <= selectors
    json.dumps(stylesheet())  # serialisable


def test_legend_lists_present_kinds_and_sectors_for_institutions():
    legend = legend_entries({"land", "country"})
    assert [k for k, _, _ in legend["kinds"]] == ["kind.land", "kind.country"] and legend["sectors"] == []
    assert len(legend_entries({"institution"})["sectors"]) == 7


# ---------------------------------------------------------------------- CSV
def test_csv_of_the_view_neutralises_formulas(tiny):
    view = explorer_view(tiny, focus="project:P1")
    nodes_csv, edges_csv = csv_tables(tiny, view)
    rows = list(csv.DictReader(io.StringIO(nodes_csv)))
    assert {r["id"] for r in rows} == set(view.subgraph.nodes)
    mow = next(r for r in rows if r["id"] == "institution:mow")
    assert mow["label"] == "'=HYPERLINK(\"x\")"
    edges = list(csv.DictReader(io.StringIO(edges_csv)))
    assert {"institution:uni-a", "project:P1", "participates_in", "lead"} <= set(
        next(e for e in edges if e["source"] == "institution:uni-a").values())
    ov_nodes, ov_edges = csv_tables(tiny, explorer_view(tiny))
    assert ov_nodes.startswith("id,label,kind,projects,institutions") and "land:DE-RP,country:RWA,0,yes" in ov_edges
    assert safe_cell("-1") == "'-1" and safe_cell(["a", "b"]) == "a;b" and safe_cell(None) == ""


# --------------------------------------------------------------- view state
def test_view_state_round_trip_and_defaults():
    state = parse_query({"focus": "country:TZA", "radius": "2", "expand": "a:1,b:2", "kinds": "institution,bogus",
                         "from": "2019", "layout": "concentric", "lang": "en"})
    assert state["kinds"] == ["institution"] and state["expand"] == ["a:1", "b:2"] and state["from"] == 2019
    assert parse_search(to_search(state)) == state
    assert to_search(DEFAULTS) == "?lang=de"


def test_view_state_rejects_garbage():
    state = parse_query({"radius": "9", "layout": "<script>", "from": "year", "path": "a:1,b:2,c:3", "k": "99"})
    assert state["radius"] == 1 and state["layout"] == "cose" and state["from"] is None
    assert state["path"] == ["a:1", "b:2"] and state["k"] == 3


def test_view_state_accepts_lists_and_builds_the_filter():
    state = parse_query({"country": ["TZA", "RWA"], "theme": "water", "to": "2022"})
    flt = to_filter(state)
    assert flt == GraphFilter.of(countries=["TZA", "RWA"], themes=["water"], year_to=2022)
    new = updated(state, country=[], loose=True)
    assert new["country"] == [] and new["loose"] is True and "loose=1" in to_search(new)


# ------------------------------------------------------------ page builders
def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json()
                      if hasattr(o, "to_plotly_json") else str(o), ensure_ascii=False)


def test_details_panel_lists_neighbours_and_only_http_links(tiny):
    from dashboard.pages.network import details_panel
    panel = details_panel(tiny, "institution:uni-a", parse_query({}), "de")
    text = _text(panel)
    assert "Projekt Eins" in text and "Beteiligt an Projekten (1)" in text
    assert '"href": "https://example.org/a"' in text
    assert "javascript:alert(1)" in text and '"href": "javascript' not in text
    assert "expand=institution%3Auni-a" in text and "radius=2" in text


def test_details_panel_marks_inferred_links_and_unverified_iati_ids(sample_graph):
    from dashboard.pages.network import details_panel
    meteo = _text(details_panel(sample_graph, "institution:meteo-rwanda", parse_query({}), "de"))
    assert meteo.count('"children": "abgeleitet"') == 2  # BLP-11 and BLP-12, both inferred
    ines = _text(details_panel(sample_graph, "institution:ines-ruhengeri", parse_query({}), "en"))
    assert "inferred" not in ines  # a stated link carries no mark
    provet = _text(details_panel(sample_graph, "programme:provet-nam", parse_query({}), "en"))
    assert "IATI identifier (candidate, unverified)" in provet and "DE-1-201122019" in provet


def test_details_panel_without_selection(tiny):
    from dashboard.pages.network import details_panel
    assert "Klicken Sie" in _text(details_panel(tiny, None, parse_query({}), "de"))
    assert "Click a node" in _text(details_panel(tiny, "node:missing", parse_query({}), "en"))


def test_path_panel_lists_steps(tiny):
    from dashboard.pages.network import path_panel
    state = parse_query({"path": "institution:uni-a,country:TZA"})
    view = explorer_view(tiny, path=state["path"])
    text = _text(path_panel(tiny, view, state, "de"))
    assert "Weg 1: 2 Schritte" in text and "ist beteiligt an → " in text and "läuft in → " in text


def test_status_message_says_when_the_view_is_aggregated(tiny):
    from dashboard.pages.network import status_message
    view = explorer_view(tiny, flt=GraphFilter.of(kinds=["land", "country", "institution"]), max_elements=3)
    text = _text(status_message(view, "de")[0])
    assert "mehr als 1.500" in text and "network-lod-notice" in text
    assert "Übersicht" in _text(status_message(explorer_view(tiny), "de")[0])


def test_network_layout_renders_for_state_from_other_pages(sample):
    from dashboard.app import create_app
    from dashboard.pages import network
    from dashboard.settings import Settings
    app = create_app(sample.graph, Settings(), report=sample.report)
    with app.server.test_request_context("/"):
        text = _text(network.layout(lang="en", focus="institution:hlft", highlight="institution:bmz,project:BLP-01",
                                    country="ETH", theme="vocational_training"))
    assert "Hessische Landesstelle" in text and '"data-view": "?selected' not in text
    assert "highlight" in text and "country=ETH" in text


def test_network_layout_shows_details_of_the_focus_when_nothing_is_selected(sample):
    from dashboard.app import create_app
    from dashboard.pages import network
    from dashboard.settings import Settings
    app = create_app(sample.graph, Settings(), report=sample.report)
    with app.server.test_request_context("/"):
        page = network.layout(lang="en", focus="institution:hlft")
        details = _find(page, network.ID.DETAILS)
        assert "Click a node" not in _text(details)
        assert _title(details) == sample.graph.label("institution:hlft", "en")
        chosen = _find(network.layout(lang="en", focus="institution:hlft", selected="institution:bmz"), network.ID.DETAILS)
        assert _title(chosen) == sample.graph.label("institution:bmz", "en")
        empty = _find(network.layout(lang="en", focus="institution:no-such"), network.ID.DETAILS)
        assert "Click a node" in _text(empty)


def test_a_busy_nodes_neighbour_lists_come_in_a_second_answer(sample):
    """A node with more than INLINE_NEIGHBOURS neighbours: the page carries
    whose lists to fetch, not the lists; the callback answers the same lists
    the panel of a single answer holds. A quiet node's lists are in the page."""
    from dashboard.app import create_app
    from dashboard.pages import network
    from dashboard.settings import Settings
    from dashboard.viewstate import parse_query
    busy = "theme:climate_environment"
    assert len(sample.graph.neighbours(busy)) > network.INLINE_NEIGHBOURS >= len(sample.graph.neighbours("institution:hlft"))
    app = create_app(sample.graph, Settings(), report=sample.report)
    client = app.server.test_client()
    client.get("/")
    with app.server.test_request_context("/"):
        page = network.layout(lang="en", focus=busy)
        details = _find(page, network.ID.NEIGHBOURS)
        assert '"nb-link"' not in _text(details) and "Loading connections" in _text(details)
        assert _find(page, network.ID.NEIGHBOURS_OF).data == {"node": busy}
        state = parse_query({"focus": busy, "lang": "en"})
        at_once = _text(network.details_panel(sample.graph, busy, state, "en"))
        quiet = network.layout(lang="en", focus="institution:hlft")
        assert _find(quiet, network.ID.NEIGHBOURS_OF) is None
        assert _nb_links(json.loads(_text(_find(quiet, network.ID.NEIGHBOURS))))
    payload = {"output": "network-neighbours.children", "outputs": {"id": "network-neighbours", "property": "children"},
               "inputs": [{"id": "network-neighbours-of", "property": "data", "value": {"node": busy}}],
               "state": [{"id": "network-state", "property": "data", "value": state}],
               "changedPropIds": ["network-neighbours-of.data"]}
    resp = client.post("/_dash-update-component", json=payload)
    assert resp.status_code == 200
    links = _nb_links(resp.get_json()["response"]["network-neighbours"]["children"])
    assert len(links) >= 3 and links == _nb_links(json.loads(at_once))
    gone = dict(payload, inputs=[{"id": "network-neighbours-of", "property": "data", "value": {"node": "land:XX"}}])
    assert "No connections" in client.post("/_dash-update-component", json=gone).get_data(as_text=True)


def _nb_links(tree) -> list[tuple[str, str]]:
    """(text, href) of every neighbour link in a rendered component tree."""
    found = []
    if isinstance(tree, dict):
        props = tree.get("props") or {}
        if props.get("className") == "nb-link":
            found.append((props.get("children"), props.get("href")))
        for value in tree.values():
            found += _nb_links(value)
    elif isinstance(tree, list):
        for item in tree:
            found += _nb_links(item)
    return found


def _title(component) -> str | None:
    """Text of the ``details-title`` heading inside ``component``."""
    found = _find(component, "details-title", attr="className")
    return found.children if found is not None else None


def _find(component, value, *, attr="id"):
    """The first descendant of a Dash component tree whose ``attr`` is ``value``."""
    if getattr(component, attr, None) == value:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            found = _find(child, value, attr=attr)
            if found is not None:
                return found
    return None


def test_view_csv_audits_contacts_only(tmp_path):
    from dashboard.pages.network import view_csv
    from graph.people.privacy import mask_unconsented
    from loaders.audit import read_audit
    g = PartnerGraph()
    inst = g.add_node("institution", "a", label="A", source="s")
    person = g.add_node("contact", "c1", label="Erika Muster", consent=True, illustrative=True)
    hidden = g.add_node("contact", "c2", label="Hanna Verborgen", email="h@example.org", consent=False, illustrative=True)
    g.add_edge(person, inst, "works_at", illustrative=True)
    g.add_edge(hidden, inst, "works_at", illustrative=True)
    mask_unconsented(g)  # as served
    log = tmp_path / "audit.jsonl"
    content, name = view_csv(g, parse_query({"focus": inst}), "nodes", audit_log=str(log), user="anna")
    assert name == "partnernetz-knoten.csv" and "Erika Muster" in content
    # the masked contact is not a row (not even its id and source) and not recorded as exported
    assert hidden not in content and "Hanna" not in content
    edges, _ = view_csv(g, parse_query({"focus": inst}), "edges", audit_log=str(log), user="anna")
    assert person in edges and hidden not in edges
    assert view_csv(g, parse_query({"focus": inst, "lang": "en"}), "edges", audit_log=None)[1] == "partnernetz-edges.csv"
    assert view_csv(g, parse_query({"focus": inst, "lang": "en"}), "nodes", audit_log=None)[1] == "partnernetz-nodes.csv"
    first, second = read_audit(log)
    assert first["user"] == "anna" and first["contact_ids"] == ["contact:c1"] and "Erika" not in log.read_text()
    assert (first["what"], first["withheld"], second["what"]) == ("network view nodes", 1, "network view edges")
    view_csv(g, parse_query({"focus": "land:DE-HE"}), "edges", audit_log=str(log))
    assert read_audit(log)[-1]["rows"] == 0  # no contacts in view: recorded with none
    # --no-contacts (rule none): no contact leaves
    content, _ = view_csv(g, parse_query({"focus": inst}), "nodes", audit_log=str(log), rule="none")
    assert "Erika" not in content and read_audit(log)[-1]["rule"] == "none"


def test_every_label_of_the_network_page_is_registered_in_both_languages():
    import re
    from pathlib import Path

    import dashboard.pages.network as network
    from dashboard.i18n import missing_keys
    source = Path(network.__file__).read_text(encoding="utf-8")
    literal = set(re.findall(r'\bt\(\s*"([a-z_.]+)"', source))
    assert literal and missing_keys(sorted(literal)) == []
    from graph.core.kinds import EdgeKind
    dynamic = [f"{p}.{k}.{d}" for p in ("rel", "verb") for k in EdgeKind.values() for d in ("out", "in")]
    dynamic += [f"layout.{n}" for n in ("cose", "concentric", "breadthfirst")]
    dynamic += [f"attr.{a}" for a in network.DETAIL_ATTRS]
    assert missing_keys(dynamic) == []
    from dashboard.domain_labels import domain_key, domain_label
    statuses = ("planned", "active", "completed", "unknown")
    assert [s for s in statuses if domain_label("status", s, "en") == domain_key("status", s)] == []


@pytest.mark.parametrize("query", [
    {},
    {"by": "theme"},
    {"focus": "institution:hlft", "radius": "2"},
    {"focus": "project:BLP-01", "expand": "country:RWA", "layout": "concentric"},
    {"path": "institution:hlft,institution:dman", "highlight": "institution:hlft", "layout": "breadthfirst"},
    {"country": "TZA"},
])
def test_elements_drawn_from_the_store_answers_equal_those_of_the_graph(sample_graph, query):
    # the page draws what the store answered (view_graph); with the in-memory
    # store the picture must be exactly the one drawn from the graph itself
    from dashboard.pages.network import compute_view
    from graph.store import MemoryStore
    from graph.view import view_graph

    state = parse_query({**query, "lang": "de"})
    store = MemoryStore(sample_graph)
    view = compute_view(store, state)
    assert view == compute_view(sample_graph, state)
    opts = dict(lang="de", layout=state["layout"], focus=state["focus"], highlight=state["highlight"])
    local = view_graph(store, view)
    assert set(local.nx.nodes) == ({n.node_id for n in view.overview.nodes} if view.overview else set(view.subgraph.nodes))
    assert explorer_elements(local, view, **opts) == explorer_elements(sample_graph, view, **opts)


def test_highlight_notice_says_why_and_clears():
    from dashboard.pages.network import HIGHLIGHT_NAMES, highlight_notice
    g = PartnerGraph()
    ids = [g.add_node("institution", f"i{n}", label=f"Inst {n}", source="s") for n in range(HIGHLIGHT_NAMES + 2)]
    assert highlight_notice(g, parse_query({}), "de") is None
    assert highlight_notice(g, parse_query({"highlight": "institution:nope"}), "de") is None  # unknown ids: no notice
    state = parse_query({"highlight": ",".join(ids + ["institution:nope"]), "focus": ids[0], "lang": "de"})
    notice = highlight_notice(g, state, "de")
    text = notice.children[0].children
    assert text.startswith(f"Hervorgehoben aus dem Link ({len(ids)}):") and "Inst 0" in text and text.endswith("…")
    assert f"Inst {HIGHLIGHT_NAMES}" not in text  # only the first names, the rest counted
    g.add_node("project", "BLP-01", label="A very long project title " * 5, source="s")
    g.add_node("institution", "long", label="A very long institution name " * 5, source="s")
    long = highlight_notice(g, parse_query({"highlight": "project:BLP-01,institution:long"}), "en").children[0].children
    assert long.startswith("Highlighted from the link (2): BLP-01, A very long") and long.endswith("…")
    assert len(long) < 130  # long names shortened
    clear = _find(notice, "network-highlight-clear")
    after = parse_search(clear.href.partition("?")[2])
    assert after["highlight"] == [] and after["focus"] == ids[0]  # same view, no highlight


def test_network_filter_options_are_locale_aware(sample):
    from dashboard.pages.network import ID, _filters
    countries = _find(_filters(sample.graph, parse_query({}), "de"), ID.COUNTRY).options
    labels = [o["label"] for o in countries]
    assert labels.index("Äthiopien") < labels.index("Burundi")


def test_positions_are_cached_per_input(monkeypatch):
    import dashboard.elements as el

    calls = []
    real = el._positions
    monkeypatch.setattr(el, "_positions", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(el, "_POSITIONS", type(el._POSITIONS)())
    nodes = ["land:DE-HE", "country:TZA", "institution:x"]
    edges = [("institution:x", "land:DE-HE"), ("land:DE-HE", "country:TZA")]
    first = positions(nodes, edges, "cose")
    first["land:DE-HE"] = (1e9, 1e9)  # a caller changing its copy does not change the cache
    again = positions(nodes, edges, "cose")
    assert len(calls) == 1 and again["land:DE-HE"] != (1e9, 1e9)
    assert again == real(nodes, edges, "cose", [], None, 7, 1.0, 1.0, None)
    positions(nodes, edges, "concentric")  # another layout is another entry
    assert len(calls) == 2


def test_positions_cache_is_bounded(monkeypatch):
    import dashboard.elements as el

    monkeypatch.setattr(el, "_POSITIONS", type(el._POSITIONS)())
    monkeypatch.setattr(el, "POSITIONS_CACHE", 3)
    for i in range(6):
        positions([f"institution:n{i}", "land:DE-HE"], [(f"institution:n{i}", "land:DE-HE")], "cose")
    assert len(el._POSITIONS) == 3


def test_big_views_get_fewer_separation_rounds():
    from dashboard.elements import separation_rounds

    assert separation_rounds(10) == 300 and separation_rounds(100) == 300
    assert separation_rounds(600) < separation_rounds(300) < 300
    assert separation_rounds(10_000) == 40


def test_details_panel_of_a_hub_lists_a_bounded_number_of_neighbours():
    """A hub's panel names the first NEIGHBOURS_SHOWN neighbours per relation,
    the full count, and how many more there are (not thousands of links)."""
    from dashboard.pages.network import NEIGHBOURS_SHOWN, details_panel

    g = PartnerGraph()
    g.add_country("TZA")
    for i in range(NEIGHBOURS_SHOWN + 25):
        p = g.add_node("project", f"P{i:03d}", label=f"Projekt {i:03d}", status="active", start_year=2020, source="s")
        g.add_edge(p, "country:TZA", "implemented_in", source="s")
    for lang, more in (("de", "… und 25 weitere"), ("en", "… and 25 more")):
        text = _text(details_panel(g, "country:TZA", parse_query({}), lang))
        assert text.count('"nb-link"') == NEIGHBOURS_SHOWN
        assert f"({NEIGHBOURS_SHOWN + 25})" in text and more in text
    small = _text(details_panel(g, "project:P001", parse_query({}), "en"))
    assert "more:" not in small


def test_network_links_are_the_validated_state_of_their_fields():
    # network_href validates and encodes only the fields it is given: the same link as the whole state's
    import random

    from dashboard.viewstate import network_href, normalise_lang, to_search

    rng = random.Random(4)
    values = {"focus": ["institution:a", "country:TZA", "x y", ""], "radius": ["1", "2", "7", 2],
              "expand": [["theme:water", "project:P"], "a,b", []], "highlight": [["theme:water"] * 60, "project:P"],
              "layout": ["concentric", "nonsense", "cose"], "country": ["BDI", ["TZA", "RWA"]],
              "theme": ["governance"], "from": ["2015", "abc", 1999], "loose": [True, False], "k": ["3", "9"],
              "kinds": [["project"], "land,country"], "selected": ["land:DE-HE"], "nonsense": ["1"]}
    for _ in range(300):
        fields = {name: rng.choice(options) for name, options in rng.sample(sorted(values.items()), rng.randint(0, 6))}
        lang = rng.choice(["de", "en", "xx"])
        assert network_href(lang, **fields) == "/" + to_search({**fields, "lang": normalise_lang(lang)}), fields

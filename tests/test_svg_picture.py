"""The Netzwerk page's SVG export, drawn on the server (dashboard/svg_picture.py):
a valid document of the view's elements styled like the canvas, hostile text
only ever as text, the browser's node positions used when given and checked
strictly before (``decode_image``)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from dashboard.elements import label_font
from dashboard.pages.network import MAX_POSITIONS, decode_image, image_payload
from dashboard.svg_picture import svg_picture
from dashboard.viewstate import parse_query

NS = "{http://www.w3.org/2000/svg}"


def node(nid: str, classes: str, x: float = 0.0, y: float = 0.0, label: str | None = None, **data) -> dict:
    return {"data": {"id": nid, "label": nid if label is None else label, **data}, "classes": classes,
            "position": {"x": x, "y": y}}


def edge(u: str, v: str, classes: str = "edge-participates_in", **data) -> dict:
    return {"data": {"id": f"{u}|{v}", "source": u, "target": v, **data}, "classes": classes}


def parse(doc: str) -> ET.Element:
    root = ET.fromstring(doc)
    assert root.tag == f"{NS}svg"
    return root


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if g.get("class") == cls]


def body(g: ET.Element) -> ET.Element:
    """The shape of a node group (its one child that is not its title)."""
    shapes = [c for c in g if c.tag != f"{NS}title"]
    assert len(shapes) == 1
    return shapes[0]


VIEW = [node("land:DE-HE", "kind-land", 0, 0, "Hessen"),
        node("institution:u", "kind-institution sector-science focus", 200, 0, "Uni"),
        node("project:p", "kind-project chosen", 100, 150, "Projekt"),
        node("theme:w", "kind-theme faded", 300, 150, "Wasser"),
        node("programme:b", "kind-programme highlight", 0, 300, "BLP"),
        node("country:TZA", "kind-country path", 200, 300, "Tansania"),
        node("contact:c1", "kind-contact", 300, 300, "Kontakt ohne Einwilligung"),
        node("event:e", "kind-event", 400, 0, "Tagung"),
        edge("institution:u", "land:DE-HE", "edge-located_in"),
        edge("institution:u", "project:p"),
        edge("project:p", "theme:w", "edge-about faded"),
        edge("institution:u", "country:TZA", "edge-partners_with path"),
        edge("contact:c1", "institution:u", "edge-works_at"),
        edge("contact:c1", "event:e", "edge-attended")]


def test_one_shape_per_node_and_one_path_per_edge_in_a_valid_document():
    root = parse(svg_picture(VIEW))
    nodes, edges = groups(root, "node"), groups(root, "edge")
    assert len(nodes) == 8 and len(edges) == 6
    assert all(len(g.findall(f"{NS}path")) == 1 for g in edges)
    assert [t.text for t in root.iter(f"{NS}text")] == [el["data"]["label"] for el in VIEW[:8]]
    assert root.find(f"{NS}rect").get("fill") == "#ffffff"  # the white background first
    assert not list(root.iter(f"{NS}script")) and "href" not in svg_picture(VIEW)


def test_the_stylesheets_rules_are_drawn():
    """Shapes and colours by kind and sector, emphasis classes, edge styles — as on the canvas."""
    root = parse(svg_picture(VIEW))
    shapes = dict(zip([el["data"]["id"] for el in VIEW[:8]], map(body, groups(root, "node"))))
    land, uni, project, theme = (shapes[n] for n in ("land:DE-HE", "institution:u", "project:p", "theme:w"))
    assert land.tag == f"{NS}rect" and land.get("rx") and land.get("fill") == "#12355b" and land.get("width") == "30"
    assert uni.tag == f"{NS}ellipse" and uni.get("fill") == "#0072B2"  # sector colour over kind colour
    assert (uni.get("rx"), uni.get("stroke"), uni.get("stroke-width")) == ("17", "#1f2933", "4")  # focus: 34 wide
    assert project.tag == f"{NS}polygon" and len(project.get("points").split()) == 4 and project.get("stroke") == "#e02020"
    assert len(theme.get("points").split()) == 8
    assert len(shapes["programme:b"].get("points").split()) == 10 and shapes["programme:b"].get("stroke") == "#f2b705"
    assert len(shapes["country:TZA"].get("points").split()) == 6 and shapes["country:TZA"].get("stroke") == "#e02020"
    assert len(shapes["event:e"].get("points").split()) == 3
    assert shapes["contact:c1"].get("rx") == "7"
    nodes = groups(root, "node")
    assert nodes[3].get("opacity") == "0.25"  # faded
    assert nodes[4].get("opacity") is None  # highlight: opaque
    edges = {g.find(f"{NS}path").get("stroke"): g for g in groups(root, "edge")}
    path = edges["#e02020"].find(f"{NS}path")
    assert path.get("stroke-width") == "4" and path.get("stroke-dasharray") == "6 3"  # partners_with, on the path
    assert edges["#d9cce3"].find(f"{NS}polygon") is not None  # about: light purple, with its arrow
    assert edges["#d9cce3"].get("opacity") == "0.25" and edges["#b8c4d0"].get("opacity") == "0.85"
    texts = {t.text: t for t in root.iter(f"{NS}text")}
    assert texts["Hessen"].get("font-weight") == "bold" and texts["Uni"].get("font-weight") is None
    assert texts["Hessen"].get("font-size") == str(label_font(VIEW)).removesuffix(".0")


def test_the_arrow_meets_the_target_outline():
    els = [node("a", "kind-institution", 0, 0), node("b", "kind-institution", 100, 0), edge("a", "b")]
    g = groups(parse(svg_picture(els)), "edge")[0]
    tip = [tuple(map(float, p.split(","))) for p in g.find(f"{NS}polygon").get("points").split()][0]
    assert tip == (89.0, 0.0)  # b's radius 11
    start = g.find(f"{NS}path").get("d").split()[0]
    assert start == "M11,0"


def test_the_overview_sizes_nodes_and_edges_by_their_data():
    els = [{"data": {"id": "land:DE-HE", "label": "Hessen · 3", "size": 37.6}, "classes": "kind-land agg",
            "position": {"x": 0, "y": 0}},
           {"data": {"id": "country:TZA", "label": "Tansania", "size": 22}, "classes": "kind-country agg",
            "position": {"x": 200, "y": 0}},
           {"data": {"id": "e", "source": "land:DE-HE", "target": "country:TZA", "width": 5.8},
            "classes": "agg-edge partnership"}]
    root = parse(svg_picture(els))
    assert body(groups(root, "node")[0]).get("width") == "37.6"
    g = groups(root, "edge")[0]
    assert g.find(f"{NS}polygon") is None  # no arrow
    assert g.find(f"{NS}path").get("stroke-width") == "5.8" and g.find(f"{NS}path").get("stroke-dasharray") == "6 3"
    assert {t.get("font-size") for t in root.iter(f"{NS}text")} == {"15"}


def test_parallel_edges_are_curves_apart():
    els = [node("a", "kind-land", 0, 0), node("b", "kind-country", 100, 0),
           edge("a", "b", "edge-partners_with"), {**edge("b", "a", "edge-partners_with"), "data": {
               "id": "b|a|1", "source": "b", "target": "a"}}]
    ds = [g.find(f"{NS}path").get("d") for g in groups(parse(svg_picture(els)), "edge")]
    assert all(" Q" in d for d in ds)
    controls = [d.split(" Q")[1].split()[0] for d in ds]
    assert controls[0] != controls[1]  # on both sides of the line


def test_hostile_labels_stay_text():
    label = '<script>alert(1)</script> =HYPERLINK("http://x") & "quotes" \x00\x0b\ufffe'
    els = [node("institution:x", "kind-institution", 0, 0, label, name=label + " (full)")]
    doc = svg_picture(els)
    root = parse(doc)
    assert not list(root.iter(f"{NS}script"))
    text = next(root.iter(f"{NS}text")).text
    assert text == '<script>alert(1)</script> =HYPERLINK("http://x") & "quotes"'
    assert next(root.iter(f"{NS}title")).text == text + " (full)"
    assert "<script>" not in doc and "&lt;script&gt;" in doc and "&amp;" in doc
    assert "\x00" not in doc and "\x0b" not in doc


def test_positions_from_the_browser_win_over_the_elements():
    els = [node("a", "kind-land", 0, 0), node("b", "kind-land", 100, 0), edge("a", "b")]
    root = parse(svg_picture(els, positions={"b": (500.0, -40.0), "unknown": (1e6, 1e6)}))
    b = body(groups(root, "node")[1])
    assert (b.get("x"), b.get("y")) == ("485", "-55")  # 30 wide, centred on (500, -40)
    x, y, w, h = map(float, root.get("viewBox").split())
    assert x < -15 and x + w > 515 and y < -55 and w < 1000  # fitted to the nodes drawn, not to unknown ids


def test_an_empty_view_is_a_small_valid_picture():
    root = parse(svg_picture([]))
    assert float(root.get("width")) <= 100 and float(root.get("height")) <= 100
    assert not groups(root, "node")


def test_a_node_without_position_and_an_edge_to_nowhere():
    root = parse(svg_picture([{"data": {"id": "a", "label": "A"}, "classes": "kind-land"}, edge("a", "gone")]))
    assert len(groups(root, "node")) == 1 and not groups(root, "edge")


# ------------------------------------------------------------ the browser's payload
def test_decode_image_takes_positions():
    assert decode_image({"fmt": "svg", "positions": {"a": [1, -2.5], "b": (0, 0)}, "at": 1}) == (
        {"a": (1.0, -2.5), "b": (0.0, 0.0)}, "svg")
    assert decode_image({"fmt": "svg", "positions": {}}) == ({}, "svg")


@pytest.mark.parametrize("image", [
    None, [], "svg", {"fmt": "svg"}, {"fmt": "svg", "positions": None}, {"fmt": "svg", "positions": [["a", 1, 2]]},
    {"fmt": "svg", "positions": {"a": [1]}}, {"fmt": "svg", "positions": {"a": [1, 2, 3]}},
    {"fmt": "svg", "positions": {"a": ["1", 2]}}, {"fmt": "svg", "positions": {"a": [True, 2]}},
    {"fmt": "svg", "positions": {"a": [math.nan, 2]}}, {"fmt": "svg", "positions": {"a": [1, math.inf]}},
    {"fmt": "svg", "positions": {"a": [1e300, 0]}}, {"fmt": "svg", "positions": {"a": {"x": 1, "y": 2}}},
    {"fmt": "svg", "positions": {"a": [[1], 2]}}, {"fmt": "svg", "positions": {1: [1, 2]}},
    {"fmt": "svg", "positions": {"": [1, 2]}}, {"fmt": "svg", "positions": {"x" * 501: [1, 2]}},
    {"fmt": "svg", "positions": {f"n{i}": [i, i] for i in range(MAX_POSITIONS + 1)}},
    # a document written by the browser is no longer taken
    {"fmt": "svg", "data": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'},
    {"fmt": "gif", "positions": {"a": [1, 2]}}, {"fmt": "png", "data": "data:image/png;base64,!!"},
    {"fmt": "png", "data": "data:image/png;base64,R0lGODlh"},
], ids=lambda v: repr(v)[:40])
def test_decode_image_refuses_anything_else(image):
    assert decode_image(image) is None


def test_the_svg_leaves_with_the_views_contacts_and_masked_ones_unnamed(sample_graph):
    """Drawn from the view the server computes: a consented contact in view is
    named and recorded; a masked one shows only the mask; positions from the
    browser move its nodes."""
    from dashboard.app import create_app
    from dashboard.context import current
    from graph.people.privacy import mask_unconsented

    graph = sample_graph.copy()  # the session's sample stays as loaded
    mask_unconsented(graph)
    masked = [n for n in graph.nodes("contact") if graph.node(n).get("masked")]
    application = create_app(graph)
    state = parse_query({"focus": "country:TZA", "radius": "2", "lang": "de"})
    with application.server.test_request_context("/"):
        payload = image_payload(current().store, state, {"country:TZA": [12345.0, 0.0]}, "svg")
    doc = payload.content.decode("utf-8")
    root = parse(doc)
    assert payload.fmt == "svg" and payload.filename == "partnernetz-netzwerk.svg"
    assert any(float(s.get("points", "0,0").split()[0].split(",")[0]) > 12000
               for s in map(body, groups(root, "node")) if s.tag == f"{NS}polygon")
    assert payload.named and all(graph.label(c) in doc for c in payload.named)
    assert "Kontakt ohne Einwilligung" in doc and masked
    assert not (set(payload.named) & set(masked))

"""Browser tests of issue 20's Netzwerk items: hover tooltips, readable labels
when expanded, the path replacing the view with its steps beside it and no
theme hops, unknown URL values named, size and colour by a metric, duplicate
persons merged."""

from __future__ import annotations

import pytest

from graph.people.dedupe import find_duplicates
from tests.browser.browser_helpers import screenshot, wait_for_dash
from tests.browser.test_network import CY, cy_nodes, goto, settle

pytestmark = pytest.mark.browser


def test_hover_shows_full_name_kind_and_place(served_app, page):
    goto(page, served_app, "/?focus=institution:hlft")
    box = page.locator("#network-cyto").bounding_box()
    pos = page.evaluate(f"() => {CY}.getElementById('institution:hlft').renderedPosition()")
    page.mouse.move(box["x"] + pos["x"] - 30, box["y"] + pos["y"] - 30)
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=4)
    tip = page.locator("#network-tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "Hessische Landesstelle für Technologieausbildung" in text  # the full name, not the cut label
    assert "Institution" in text and "Hessen" in text
    screenshot(page, "network-tooltip")
    page.mouse.move(box["x"] + 5, box["y"] + 5, steps=3)
    tip.wait_for(state="hidden")
    assert page.errors == []


def test_labels_grow_with_a_large_expanded_view(served_app, page):
    goto(page, served_app, "/?focus=institution:hlft")
    small = page.evaluate(f"() => parseFloat({CY}.nodes()[0].style('font-size'))")
    goto(page, served_app, "/?focus=country:TZA&radius=2&expand=land:DE-NI,land:DE-HE")
    assert len(cy_nodes(page)) > 40
    big = page.evaluate(f"() => parseFloat({CY}.nodes()[0].style('font-size'))")
    zoom = page.evaluate(f"() => {CY}.zoom()")
    assert big > small and big * zoom >= 9  # readable on screen (about 11 px), not 4 px
    screenshot(page, "network-expanded-labels")


def test_path_replaces_the_view_and_its_steps_stand_beside_it(served_app, page, sample_graph):
    goto(page, served_app, "/?focus=country:NAM&radius=2")
    before = cy_nodes(page)
    goto(page, served_app, "/?focus=country:NAM&radius=2&path=institution:hlft,country:TZA")
    shown = cy_nodes(page)
    path_nodes = set(page.evaluate(f"() => {CY}.nodes('.path').map(n => n.id())"))
    assert shown == path_nodes  # only the paths: nothing of the previous Namibia view
    assert not (before - path_nodes) & shown
    assert not any(n.startswith("theme:") for n in shown)  # structural links only by default
    canvas = page.locator(".network-canvas").bounding_box()
    steps = page.locator(".path-result").first.bounding_box()
    assert steps["y"] < canvas["y"] + canvas["height"] and steps["x"] > canvas["x"]  # beside, not 1,000 px down
    screenshot(page, "network-path-view")
    assert page.errors == []


@pytest.mark.parametrize("query,named", [("?land=XX", "land=XX"), ("?country=QQQ&theme=water", "country=QQQ"),
                                         ("?kinds=bogus", "kinds=bogus")])
def test_unknown_url_values_are_named(served_app, page, query, named):
    page.goto(served_app.url + "/" + query)  # the page shows the state without the unknown value
    wait_for_dash(page)
    notice = page.locator("#network-url-notice")
    assert named in notice.inner_text()
    assert "0 Knoten" not in page.locator("#network-status").inner_text()
    assert page.errors == []


def test_size_and_colour_by_metric_from_the_url_and_the_controls(served_app, page):
    goto(page, served_app, "/?focus=country:TZA&size=pagerank&colour=community")
    sizes = page.evaluate(f"() => {CY}.nodes('.metric-size').map(n => n.width())")
    colours = page.evaluate(f"() => {CY}.nodes('.metric-colour').map(n => n.style('background-color'))")
    assert len(set(sizes)) > 3 and len(set(colours)) >= 2
    assert "PageRank" in page.locator("#network-metric-note").inner_text()
    page.click("#network-size")
    page.get_by_role("option", name="Grad (Zahl der Verbindungen)").click()
    page.wait_for_url("**size=degree**")
    settle(page)
    degree = page.evaluate(f"() => {CY}.getElementById('country:TZA').width()")
    other = page.evaluate(f"() => Math.min(...{CY}.nodes('.metric-size').map(n => n.width()))")
    assert degree > other
    page.go_back()
    page.wait_for_url("**size=pagerank**")
    screenshot(page, "network-metrics")
    assert page.errors == []


def test_duplicate_persons_are_one_node(served_app, page, sample_graph):
    groups = [g for g in find_duplicates(sample_graph) if len(g.members) > 1]
    assert groups
    group = groups[0]
    inst = next(v for _, v, d in sample_graph.nx.out_edges(group.members[0], data=True) if d["kind"] == "works_at")
    goto(page, served_app, f"/?focus={inst}&kinds=institution,contact")
    shown = cy_nodes(page)
    assert group.primary in shown and not (set(group.members) - {group.primary}) & shown
    assert "zusammengeführt" in page.locator("#network-merged-note").inner_text()
    assert page.errors == []

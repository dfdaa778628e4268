"""The hierarchical layout spaces nodes by their labels: no two label boxes
overlap, measured on cytoscape's own bounding boxes (labels included) in
Chromium, on sample views of growing size and at three widths."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import screenshot
from tests.browser.test_network import CY, settle

pytestmark = pytest.mark.browser

#: Pairs of visible nodes whose boxes (node and label) overlap by more than a pixel each way.
OVERLAPS = """() => { const cy = %s;
  const boxes = cy.nodes().filter(n => n.visible())
    .map(n => [n.id(), n.boundingBox({includeLabels: true, includeOverlays: false})]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1), h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
    if (w > 1 && h > 1) out.push([boxes[i][0], boxes[j][0], Math.round(w), Math.round(h)]);
  }
  return {nodes: boxes.length, overlaps: out}; }""" % CY

VIEWS = {
    "overview": "/?layout=breadthfirst",
    "project": "/?focus=project:BLP-17&layout=breadthfirst",
    "country-r2": "/?focus=country:TZA&radius=2&layout=breadthfirst",
    "land-r2": "/?focus=land:DE-NI&radius=2&layout=breadthfirst",
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_hierarchical_layout_labels_do_not_overlap(served_app, page, name):
    page.goto(served_app.url + VIEWS[name])
    settle(page)
    result = page.evaluate(OVERLAPS)
    assert result["nodes"] >= 10
    assert result["overlaps"] == [], f"{len(result['overlaps'])} overlapping labels in {name}: {result['overlaps'][:5]}"
    assert page.errors == []


@pytest.mark.parametrize("width", [1400, 1024, 400])
def test_hierarchical_layout_at_three_widths(served_app, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served_app.url + VIEWS["land-r2"] + "&selected=land:DE-NI")
    settle(page)
    result = page.evaluate(OVERLAPS)
    assert result["nodes"] > 40 and result["overlaps"] == []
    screenshot(page, f"network-hierarchical-{width}")
    assert page.errors == []

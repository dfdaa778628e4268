"""The first picture of a large Netzwerk view (assets/preview.js) in Chromium.

A view of many elements is drawn on a plain canvas from the server's
positions before cytoscape.js takes it; these tests check that the picture
comes first, shows what cytoscape then shows (same viewport, nearly the same
pixels), gives way to cytoscape, and that small views skip it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.browser_helpers import ROOT, ServedApp, screenshot, wait_for_drawings
from tests.browser.test_network import CY, settle

pytestmark = pytest.mark.browser

#: Views of the generated network with 673 and 1,500 elements (seed 7).
COUNTRY_VIEW = "/?focus=country%3AZAF"
THEME_VIEW = "/?focus=theme%3Aeconomic_development"

#: Records, when the picture is drawn, how many elements cytoscape held then.
RECORD_ORDER = """
window.__pictures = [];
new MutationObserver(muts => {
  for (const m of muts) {
    if (m.target.id === 'network-preview' && m.attributeName === 'data-drawn') {
      const el = document.getElementById('network-cyto');
      const cy = el && el._cyreg && el._cyreg.cy;
      window.__pictures.push({drawn: Number(m.target.getAttribute('data-drawn')),
                              cytoscape: cy ? cy.elements().length : 0});
    }
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-drawn']});
"""

#: Share of pixels where the picture and cytoscape's drawing differ clearly.
COMPARE = """() => {
  const cy = %s;
  const box = document.getElementById('network-cyto');
  const pic = document.getElementById('network-preview');
  const els = cy.json().elements;
  const all = [...(els.nodes || []), ...(els.edges || [])].map(e => ({data: e.data, position: e.position, classes: e.classes}));
  const vp = window.partnernetzPreview.draw(pic, box, all, cy.style().json(), {padding: 30, minZoom: 0.1, maxZoom: 2});
  const w = pic.width, h = pic.height;
  const mine = pic.getContext('2d').getImageData(0, 0, w, h).data;
  // what cytoscape shows: its layered canvases, bottom to top
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const ctx = c.getContext('2d');
  for (const layer of box.querySelectorAll('canvas')) ctx.drawImage(layer, 0, 0, w, h);
  const theirs = ctx.getImageData(0, 0, w, h).data;
  let differ = 0, inked = 0;
  for (let i = 0; i < mine.length; i += 4) {
    // both on the page's background colour where nothing is drawn
    const a = mine[i + 3] ? [mine[i], mine[i + 1], mine[i + 2]] : [251, 252, 253];
    const b = theirs[i + 3] ? [theirs[i], theirs[i + 1], theirs[i + 2]] : [251, 252, 253];
    const d = Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
    if (d > 80) differ++;
    if (Math.min(b[0], b[1], b[2]) < 200) inked++;
  }
  return {differ: differ / (w * h), inked: inked / (w * h), zoom: vp.zoom, cyZoom: cy.zoom()};
}""" % CY


@pytest.fixture(scope="module")
def generated_app(tmp_path_factory):
    """The app on a generated network of 3,000 nodes (views of up to 1,500 elements)."""
    out = tmp_path_factory.mktemp("gen3k")
    subprocess.run([sys.executable, str(ROOT / "app.py"), "generate", "--nodes", "3000", "--seed", "7",
                    "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    app = ServedApp("--data", str(out), env={"PARTNERNETZ_KEPT_DIR": "off"}).wait(120)
    yield app
    app.stop()


def view_state(page) -> dict:
    return page.evaluate(f"""() => {{ const pic = document.getElementById('network-preview'); const cy = {CY};
        return {{pictures: window.__pictures, hidden: pic.hidden, zoom: Number(pic.getAttribute('data-zoom')),
                 pan: (pic.getAttribute('data-pan') || '').split(',').map(Number), cyZoom: cy.zoom(), cyPan: cy.pan(),
                 elements: cy.elements().length}}; }}""")


@pytest.mark.parametrize("path", [COUNTRY_VIEW, THEME_VIEW])
def test_a_large_view_is_painted_as_a_picture_first_then_cytoscape_takes_it(generated_app, page, path):
    page.add_init_script(RECORD_ORDER)
    page.goto(generated_app.url + path)
    settle(page)
    page.wait_for_function("() => document.getElementById('network-preview').hidden")
    got = view_state(page)
    # the picture was drawn once, with every element, while cytoscape held none of them
    assert got["pictures"] == [{"drawn": got["elements"], "cytoscape": 0}]
    assert got["elements"] >= 600
    # cytoscape fitted the view exactly as the picture did: no jump when it takes over
    assert got["zoom"] == pytest.approx(got["cyZoom"], rel=1e-5)
    assert got["pan"] == pytest.approx([got["cyPan"]["x"], got["cyPan"]["y"]], abs=1e-2)
    assert got["hidden"] is True
    assert page.errors == []


def test_the_picture_shows_what_cytoscape_draws(generated_app, page):
    page.goto(generated_app.url + COUNTRY_VIEW)
    settle(page)
    wait_for_drawings(page)
    same = page.evaluate(COMPARE)
    assert same["inked"] > 0.005  # the view is drawn, not an empty canvas
    assert same["differ"] < 0.015, same
    screenshot(page, "network-preview-picture")  # the picture over cytoscape (COMPARE left it shown)


def test_the_comparison_notices_a_picture_at_another_zoom(generated_app, page):
    """The pixel comparison above can fail: a picture drawn 10 % too small differs clearly."""
    page.goto(generated_app.url + COUNTRY_VIEW)
    settle(page)
    wait_for_drawings(page)
    page.evaluate("""() => { const draw = window.partnernetzPreview.draw;
        window.partnernetzPreview.draw = (c, b, e, s, o) => draw(c, b, e, s, {...o, maxZoom: 0.9 * %s.zoom()}); }""" % CY)
    same = page.evaluate(COMPARE)
    assert same["differ"] > 0.015, same


def test_a_new_large_view_in_the_page_is_painted_first_too(generated_app, page):
    page.add_init_script(RECORD_ORDER)
    page.goto(generated_app.url + COUNTRY_VIEW)
    settle(page)
    first = len(page.evaluate("() => window.__pictures"))
    page.locator(".network-left summary").first.wait_for()
    page.evaluate("(s) => { window.history.pushState({}, '', s); window.dispatchEvent(new PopStateEvent('popstate')); }",
                  THEME_VIEW)
    settle(page)
    page.wait_for_function("() => document.getElementById('network-preview').hidden")
    got = view_state(page)
    assert len(got["pictures"]) == first + 1
    assert got["pictures"][-1]["drawn"] == got["elements"] >= 1000
    assert got["zoom"] == pytest.approx(got["cyZoom"], rel=1e-5)


def test_a_small_view_goes_to_cytoscape_directly(served_app, page):
    page.add_init_script(RECORD_ORDER)
    page.goto(served_app.url + "/?focus=land%3ADE-HE")
    settle(page)
    assert page.evaluate("() => window.__pictures") == []
    assert page.evaluate("() => document.getElementById('network-preview').hidden") is True
    assert page.evaluate(f"() => {CY}.elements().length") > 0

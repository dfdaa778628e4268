"""Browser tests of the Netzwerk page (Playwright + Debian's Chromium).

What the graph shows is read from the live cytoscape instance (cytoscape.js
keeps it on its container element), and compared with what ``graph.explore``
says about the same sample loaded in the test process.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard.viewstate import parse_search, to_search
from graph.explore import neighbours_by_relation, shortest_paths
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash
from tests.helpers import write_table

pytestmark = pytest.mark.browser

CY = "document.getElementById('network-cyto')._cyreg.cy"


def cy_nodes(page) -> set[str]:
    return set(page.evaluate(f"() => {CY}.nodes().map(n => n.id())"))


def cy_with_class(page, cls: str, what: str = "nodes") -> set[str]:
    return set(page.evaluate(f"() => {CY}.{what}('.{cls}').map(e => e.id())"))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def settle(page) -> None:
    """Wait until the page shows the view of the current URL (the page root
    carries its state's canonical query string) and cytoscape holds its
    elements (assets/preview.js marks the view it handed over)."""
    wait_for_dash(page)
    canonical = to_search(parse_search(urlparse(page.url).query))
    page.wait_for_function(
        "(c) => { const root = document.querySelector('.network-page');"
        " const el = document.getElementById('network-cyto');"
        " return root && root.dataset.view === c && el && el.dataset.shown === c && el._cyreg && el._cyreg.cy; }",
        arg=canonical)


def goto(page, app, path: str) -> None:
    page.goto(app.url + path)
    settle(page)


def pick(page, role: str, text: str, node_id: str) -> None:
    """Type into a picker and click the suggestion for ``node_id``."""
    page.locator(f".picker-{role} input").fill(text)
    page.locator(f".picker-{role} [data-node='{node_id}'] a").click()
    settle(page)


def tap(page, node_id: str) -> None:
    """A real mouse click on the node's rendered position."""
    box = page.locator("#network-cyto").bounding_box()
    pos = page.evaluate(f"() => {CY}.getElementById('{node_id}').renderedPosition()")
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def test_start_view_is_the_aggregated_overview(served_app, page):
    goto(page, served_app, "/")
    nodes = cy_nodes(page)
    assert nodes and {n.split(":")[0] for n in nodes} == {"land", "country"}
    assert "Übersicht" in page.locator("#network-status").inner_text()
    assert "land:DE-NI" in nodes and "country:TZA" in nodes
    screenshot(page, "network-start-de")
    assert page.errors == []


def test_search_select_shows_details_with_the_right_neighbours(served_app, page, sample_graph):
    goto(page, served_app, "/")
    page.locator(".picker-search input").fill("tansania")
    page.wait_for_selector(".picker-search .suggestion")
    screenshot(page, "network-search-suggestions")
    first = page.locator(".picker-search [data-node]").first
    assert first.get_attribute("data-node") == "country:TZA"
    first.locator("a").click()
    settle(page)
    assert query(page)["focus"] == ["country:TZA"] and query(page)["selected"] == ["country:TZA"]
    assert page.locator(".details-title").inner_text() == "Tansania"
    groups = neighbours_by_relation(sample_graph, "country:TZA")
    for key, items in groups.items():
        block = page.locator(f".nb-group[data-relation='{key}']")
        shown = block.locator(".nb-link").all_inner_texts()
        assert shown == [n.label for n in items], key
    # the graph around the focus holds every neighbour
    assert {n.node_id for items in groups.values() for n in items} <= cy_nodes(page)
    assert cy_with_class(page, "focus") == {"country:TZA"}
    screenshot(page, "network-tansania-selected")
    assert page.errors == []


def test_typo_and_umlaut_tolerant_search(served_app, page):
    goto(page, served_app, "/")
    page.locator(".picker-search input").fill("Niedersachen")
    page.wait_for_selector(".picker-search [data-node='land:DE-NI']")
    page.locator(".picker-search input").fill("Thueringen")
    page.wait_for_selector(".picker-search [data-node='land:DE-TH']")
    assert page.errors == []


def test_enter_in_the_search_box_opens_the_best_hit(served_app, page):
    goto(page, served_app, "/?lang=en")
    page.locator(".picker-search input").fill("hlft")
    page.wait_for_selector(".picker-search [data-node='institution:hlft']")  # what the user sees first
    page.locator(".picker-search input").press("Enter")
    page.wait_for_url(re.compile(r"focus=institution%3Ahlft"))
    settle(page)
    assert page.locator(".details-title").inner_text().startswith("Hessische Landesstelle")
    assert query(page)["lang"] == ["en"]
    assert page.errors == []


def test_tap_selects_and_expand_focus_collapse_change_the_graph(served_app, page):
    goto(page, served_app, "/?focus=institution:hlft&selected=institution:hlft")
    before = cy_nodes(page)
    assert "project:BLP-01" in before and "land:DE-HE" in before
    tap(page, "project:BLP-01")
    page.wait_for_url(re.compile(r"selected=project%3ABLP-01"))
    settle(page)
    assert page.locator(".details-title").inner_text().startswith("Qualifizierung äthiopischer")
    page.click("#network-act-expand")
    page.wait_for_url(re.compile(r"expand=project%3ABLP-01"))
    settle(page)
    expanded = cy_nodes(page)
    assert expanded > before and "country:ETH" in expanded
    screenshot(page, "network-expanded")
    page.click("#network-act-collapse")
    page.wait_for_url(lambda url: "expand=" not in url)
    settle(page)
    assert cy_nodes(page) == before
    page.click("#network-act-focus2")
    page.wait_for_url(re.compile(r"radius=2"))
    settle(page)
    wide = cy_nodes(page)
    assert cy_with_class(page, "focus") == {"project:BLP-01"} and len(wide) > len(expanded)
    page.go_back()
    settle(page)
    assert cy_nodes(page) == before
    assert page.errors == []


def test_path_between_two_real_institutions_is_highlighted_and_listed(served_app, page, sample_graph):
    goto(page, served_app, "/")
    pick(page, "from", "HLfT", "institution:hlft")
    pick(page, "to", "DMAN Celle", "institution:dman")
    assert query(page)["path"] == ["institution:hlft,institution:dman"]
    # structural links only: not via Germany, not via a theme (project → theme → project)
    expected = shortest_paths(sample_graph, "institution:hlft", "institution:dman",
                              exclude=["country:DEU", *sample_graph.nodes("theme")], via=[k for k in _strict_edges()])
    assert expected
    results = page.locator(".path-result")
    assert results.count() == len(expected)
    steps = results.first.locator(".path-steps li").all_inner_texts()
    assert len(steps) == len(expected[0])
    assert steps[0].startswith("Hessische Landesstelle") and "DMAN" in steps[-1]
    assert cy_with_class(page, "path") >= set(expected[0])
    path_edges = page.evaluate(f"() => {CY}.edges('.path').map(e => [e.source().id(), e.target().id()])")
    assert {frozenset(e) for e in path_edges} >= {frozenset(p) for p in zip(expected[0], expected[0][1:])}
    screenshot(page, "network-path")
    assert page.errors == []


def _strict_edges():
    from graph.explore import STRICT_PATH_EDGES
    return STRICT_PATH_EDGES


def pick_country_filter(page, name: str, iso3: str) -> None:
    """Choose partner country ``name`` in the filter panel and wait for the view."""
    page.click("#network-filter-country")
    page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(rf"country={iso3}"))
    settle(page)


def test_filters_and_copied_url_reproduce_the_view(served_app, page, browser):
    goto(page, served_app, "/")
    pick_country_filter(page, "Tansania", "TZA")
    page.click("text=Ringe nach Art")
    page.wait_for_url(re.compile(r"layout=concentric"))
    settle(page)
    tap(page, "institution:dman")
    page.wait_for_url(re.compile(r"selected=institution%3Adman"))
    settle(page)
    nodes = cy_nodes(page)
    assert "project:BLP-03" in nodes and "country:RWA" not in nodes
    positions = page.evaluate(f"() => {CY}.nodes().map(n => [n.id(), n.position()])")
    url = page.url
    screenshot(page, "network-filtered-tza")
    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        other.goto(url)
        settle(other)
        assert cy_nodes(other) == nodes
        assert other.evaluate(f"() => {CY}.nodes().map(n => [n.id(), n.position()])") == positions
        assert other.locator(".details-title").inner_text().startswith("DMAN")
        assert other.locator("#network-layout input[value='concentric']").is_checked()
    finally:
        other.context.close()
    page.go_back()  # back to before the selection, filter still applied
    settle(page)
    assert "selected" not in query(page) and query(page)["country"] == ["TZA"]
    assert page.errors == []


def test_links_from_other_pages_focus_highlight_and_filter(served_app, page):
    goto(page, served_app, "/?focus=institution:hlft&highlight=institution:bmz,project:BLP-01")
    assert cy_with_class(page, "highlight") == {"institution:bmz", "project:BLP-01"}
    assert cy_with_class(page, "focus") == {"institution:hlft"}
    notice = page.locator("#network-highlight-notice").inner_text()
    assert notice.startswith("Hervorgehoben aus dem Link (2):") and "(BMZ)" in notice and "BLP-01" in notice
    screenshot(page, "network-highlight-notice")
    page.click("#network-highlight-clear")
    page.wait_for_function("() => !location.search.includes('highlight')")
    settle(page)
    assert cy_with_class(page, "highlight") == set() and query(page)["focus"] == ["institution:hlft"]
    assert page.locator("#network-highlight-notice").count() == 0
    goto(page, served_app, "/?country=TZA&theme=water")
    nodes = cy_nodes(page)
    assert {"country:TZA", "theme:water", "project:BLP-03"} <= nodes and "country:ETH" not in nodes
    assert page.locator("#network-filter-country").inner_text().strip().startswith("Tansania")
    assert page.errors == []


def test_language_switch_translates_labels_and_keeps_the_view(served_app, page):
    goto(page, served_app, "/?focus=country:TZA&selected=country:TZA")
    assert page.locator(".details-title").inner_text() == "Tansania"
    page.click("#lang-en")
    page.wait_for_url(re.compile(r"lang=en"))
    settle(page)
    assert page.locator("h1").inner_text() == "Network"
    assert page.locator(".details-title").inner_text() == "Tanzania"
    assert page.locator("label[for='network-query-search']").inner_text() == "Search"
    assert "Participating" in page.locator(".nb-groups").inner_text() or "Projects and programmes" in page.locator(".nb-groups").inner_text()
    assert query(page)["focus"] == ["country:TZA"]
    screenshot(page, "network-tansania-en")
    assert page.errors == []


@pytest.mark.parametrize("button,suffix,magic", [
    ("#network-export-png", ".png", b"\x89PNG"),
    ("#network-export-svg", ".svg", b"<"),
    ("#network-export-nodes", ".csv", b"id,label,kind"),
    ("#network-export-edges", ".csv", b"source,target,kind"),
])
def test_exports_download_non_empty_files(served_app, page, tmp_path, button, suffix, magic):
    goto(page, served_app, "/?focus=institution:hlft" + ("&lang=en" if "edges" in button else ""))
    with page.expect_download() as info:
        page.click(button)
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    data = path.read_bytes()
    assert path.suffix == suffix and len(data) > 100 and data.startswith(magic)
    if suffix == ".svg":
        assert b"<svg" in data[:500]
    if button.endswith("nodes"):
        assert b"institution:hlft" in data and path.name == "partnernetz-knoten.csv"
    if button.endswith("edges"):
        assert path.name == "partnernetz-edges.csv"  # English names in English mode
    assert page.errors == []


def test_svg_is_drawn_by_the_server_where_the_nodes_are(served_app, page, tmp_path):
    """The page loads dash-cytoscape's standard bundle (no extra layouts, no
    ``cy.svg``); the SVG export holds every node shown, at the position the
    user moved it to."""
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if "dash_cytoscape" in r.url else None)
    goto(page, served_app, "/?focus=institution:hlft")
    assert scripts and not [u for u in scripts if "extra" in u], scripts
    assert page.evaluate(f"() => typeof {CY}.svg") == "undefined"
    page.evaluate(f"() => {CY}.getElementById('institution:hlft').position({{x: 5000, y: -3000}})")
    shown = cy_nodes(page)
    with page.expect_download() as info:
        page.click("#network-export-svg")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    root = ElementTree.fromstring(path.read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    assert len([g for g in root.iter(f"{ns}g") if g.get("class") == "node"]) == len(shown) > 3
    x, y, w, h = map(float, root.get("viewBox").split())
    assert x + w > 5000 and y < -3000  # the moved node is in the picture
    assert page.errors == []


# ------------------------------------------------- a larger, hostile dataset
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """1,300 institutions (too many to draw) and one named like an XSS probe."""
    folder = tmp_path_factory.mktemp("hostile")
    lands = ["Hessen", "Bayern", "Berlin", "Sachsen"]
    rows = [["id", "name", "sector", "land", "country", "themes", "source"],
            ["xss", XSS, "science", "Hessen", "", "water", "https://example.org/x"]]
    rows += [[f"i{i}", f"Institut {i}", "science", lands[i % 4], "", "", "https://example.org"] for i in range(1300)]
    write_table(folder, "institutions", rows)
    write_table(folder, "projects", [["id", "title", "countries", "themes", "start", "end", "source"],
                                     ["P1", "Projekt " + XSS, "TZA", "water", "2020", "2022", "https://example.org/p1"]])
    write_table(folder, "themes", [["id", "name_de", "name_en"], ["water", "Wasser", "Water"]])
    write_table(folder, "participations", [["project", "institution", "role"], ["P1", "xss", "lead"], ["P1", "i1", "partner"]])
    app = ServedApp("--data", str(folder)).wait()
    yield app
    app.stop()


def test_markup_in_names_renders_as_text(hostile_app, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    goto(page, hostile_app, "/?focus=institution:xss&selected=institution:xss")
    assert page.locator(".details-title").inner_text() == XSS
    assert page.locator("img[src='x']").count() == 0
    assert XSS in page.locator(".nb-groups").inner_text() or "Projekt" in page.locator(".nb-groups").inner_text()
    page.locator(".picker-search input").fill("img src")
    page.wait_for_selector(".picker-search [data-node='institution:xss']")
    assert XSS in page.locator(".picker-search").inner_text()
    assert page.locator("img[src='x']").count() == 0 and dialogs == []
    screenshot(page, "network-xss-as-text")
    assert page.errors == []


def test_too_large_view_falls_back_to_the_aggregated_view_and_says_so(hostile_app, page):
    goto(page, hostile_app, "/?kinds=institution,land")
    notice = page.locator("#network-lod-notice")
    assert notice.is_visible() and "1.500" in notice.inner_text()
    nodes = cy_nodes(page)
    assert len(nodes) < 100 and all(n.startswith(("land:", "country:")) for n in nodes)
    screenshot(page, "network-too-large")
    assert page.errors == []

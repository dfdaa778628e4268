"""Browser tests of the Analysen page: every chart renders without console
errors, the maps render with every non-local request blocked (none is even
attempted), a white-spot cell click opens the filtered network, CSV downloads."""

from __future__ import annotations

import pytest

from dashboard.pages.analytics import ID
from tests.browser.browser_helpers import screenshot, wait_for_dash

pytestmark = pytest.mark.browser

GRAPHS = [ID.LC_GRAPH, ID.TL_GRAPH, ID.WS_GRAPH, ID.SANKEY, ID.MAP_COUNTRIES, ID.MAP_LAENDER, ID.TIMELINE, ID.COMPARISON]


def _block_the_internet(page, base_url: str) -> list[str]:
    attempted: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    page.route("**/*", handle)
    return attempted


#: Which tab shows which chart.
TAB_GRAPHS = {"coverage": [ID.WS_GRAPH, ID.LC_GRAPH, ID.TL_GRAPH], "flows": [ID.SANKEY],
              "maps": [ID.MAP_COUNTRIES, ID.MAP_LAENDER], "time": [ID.TIMELINE, ID.COMPARISON]}


def _open(page, url: str) -> None:
    page.goto(url)
    wait_for_dash(page)


def test_every_chart_renders_offline_without_console_errors(served_app, page):
    attempted = _block_the_internet(page, served_app.url)
    _open(page, served_app.url + "/analysen")
    assert "Vermittler" in page.locator(".analytics").inner_text()
    screenshot(page, "analysen-de")
    for tab, graphs in TAB_GRAPHS.items():
        _open(page, served_app.url + f"/analysen?tab={tab}")
        for gid in graphs:
            page.wait_for_selector(f"#{gid} .main-svg", timeout=20000)
        screenshot(page, f"analysen-{tab}-de")
    _open(page, served_app.url + "/analysen?tab=maps")
    # the choropleth drew its countries from the shipped topojson, the Länder from the shipped GeoJSON
    page.wait_for_function(f"() => document.querySelectorAll('#{ID.MAP_COUNTRIES} path.choroplethlocation').length > 5",
                           timeout=20000)
    page.wait_for_function(f"() => document.querySelectorAll('#{ID.MAP_LAENDER} path.choroplethlocation').length == 16",
                           timeout=20000)
    assert "Natural Earth" in page.locator(".analytics").inner_text()
    # each Land is drawn as its own outline: the largest (Bavaria) covers a small part of the map, not all of it
    areas = page.eval_on_selector_all(f"#{ID.MAP_LAENDER} path.choroplethlocation",
                                      "els => els.map(e => { const b = e.getBBox(); return b.width * b.height; })")
    plot = page.eval_on_selector(f"#{ID.MAP_LAENDER} .geo .bg, #{ID.MAP_LAENDER} .nsewdrag",
                                 "e => { const b = e.getBoundingClientRect(); return b.width * b.height; }")
    assert 0 < max(areas) < 0.4 * plot, (max(areas), plot)
    screenshot(page, "analysen-laender-map")
    _open(page, served_app.url + "/analysen?tab=flows")
    page.wait_for_selector(f"#{ID.SANKEY} .sankey-node")
    assert page.locator(f"#{ID.SANKEY} .sankey-node").count() > 10
    assert attempted == []
    assert page.errors == []


def test_tabs_and_choices_live_in_the_url_back_and_reload_keep_them(served_app, page):
    _open(page, served_app.url + "/analysen")
    page.click(f"#{ID.TABS} .an-tab-coverage")
    page.wait_for_url("**tab=coverage**")
    wait_for_dash(page)
    page.wait_for_selector(f"#{ID.LC_GRAPH} .main-svg")
    page.click(f"#{ID.LC_MEASURE}")
    page.get_by_text("Kofinanzierung in Euro (wo angegeben)").click()
    page.wait_for_url("**measure=amount_eur**")
    wait_for_dash(page)
    page.wait_for_selector(f"#{ID.LC_GRAPH} .main-svg")
    page.reload()
    wait_for_dash(page)
    assert "amount_eur" in page.locator(f"#{ID.LC_MEASURE}").inner_text() or \
        "Euro" in page.locator(f"#{ID.LC_MEASURE}").inner_text()
    # the Euro colour bar writes its ticks out: no two alike, none abbreviated
    page.wait_for_selector(f"#{ID.LC_GRAPH} .colorbar .cbaxis text, #{ID.LC_GRAPH} .cbaxis text")
    ticks = page.eval_on_selector_all(f"#{ID.LC_GRAPH} .cbaxis text", "els => els.map(e => e.textContent)")
    assert len(ticks) >= 2 and len(set(ticks)) == len(ticks) and not any(x.endswith("k") for x in ticks), ticks
    page.go_back()
    page.wait_for_function("() => !location.search.includes('measure=amount_eur') && location.search.includes('tab=coverage')")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('tab=')")
    wait_for_dash(page)
    assert page.locator(f"#{ID.TABS} .an-tab.active").inner_text() == "Überblick"
    assert page.errors == []


def _cell_position(page, iso3: str, theme: str) -> dict:
    return page.evaluate(f"""() => {{
        const gd = document.querySelector('#{ID.WS_GRAPH} .js-plotly-plot');
        const trace = gd.data[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const i = trace.customdata.findIndex(row => row[0][0] === '{iso3}');
        const j = trace.customdata[i].findIndex(c => c[1] === '{theme}');
        const box = gd.getBoundingClientRect();
        return {{x: box.left + xa._offset + xa.l2p(j), y: box.top + ya._offset + ya.l2p(i)}};
    }}""")


def test_clicking_a_white_spot_cell_opens_its_explained_view(served_app, page):
    _open(page, served_app.url + "/analysen?tab=coverage")
    page.wait_for_selector(f"#{ID.WS_GRAPH} .main-svg")
    page.locator(f"#{ID.WS_GRAPH}").scroll_into_view_if_needed()
    pos = _cell_position(page, "BDI", "governance")  # a white spot on the sample (a Land partnership)
    page.mouse.move(pos["x"], pos["y"])
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function("() => location.search.includes('spot=BDI')", timeout=15000)
    wait_for_dash(page)
    assert page.locator(".nav-link.active").inner_text() == "Netzwerk"
    panel = page.locator("#network-spot-panel")
    text = panel.inner_text()
    assert "Burundi" in text and "Governance" in text and "Baden-Württemberg" in text
    assert "keine deutsche Institution" in text
    link = panel.locator(".spot-matchmaking")
    assert "target=country%3ABDI" in link.get_attribute("href") and "themes=theme%3Agovernance" in link.get_attribute("href")
    # the picture holds the country, the theme and the reason (never an empty view)
    page.wait_for_selector(".network-cyto canvas")
    status = page.locator("#network-status").inner_text()
    assert "0 Knoten" not in status
    screenshot(page, "network-white-spot-de")
    link.click()  # Matchmaking for that country and theme
    page.wait_for_url("**/matchmaking?target=country%3ABDI**")
    wait_for_dash(page)
    page.wait_for_function("() => document.querySelector('#matchmaking-themes').innerText.includes('Governance')")
    assert "Burundi" in page.locator("#matchmaking-target").inner_text()
    assert page.errors == []


def test_every_white_spot_link_explains_itself(served_app, page):
    """Held-out walk: no white-spot link opens an empty view without explanation."""
    _open(page, served_app.url + "/analysen?tab=coverage")
    hrefs = page.eval_on_selector_all(f"#{ID.WS_LIST} a", "els => els.map(e => e.getAttribute('href'))")
    items = page.eval_on_selector_all(f"#{ID.WS_LIST} li", "els => els.map(e => e.textContent)")
    assert len(hrefs) > 20 and all("spot=" in h for h in hrefs)
    assert all("–" in item and len(item.split("–", 1)[1].strip()) > 5 for item in items)  # the reason is listed
    for href in hrefs[::7]:
        _open(page, served_app.url + href)
        page.wait_for_selector("#network-spot-panel")
        assert "Weißer Fleck" in page.locator("#network-spot-panel").inner_text()
        nodes = int(page.locator("#network-status").inner_text().split(" Knoten")[0].split()[-1])
        assert nodes >= 2, href
    assert page.errors == []


def test_broker_reasons_name_and_link_projects(served_app, page):
    _open(page, served_app.url + "/analysen")
    links = page.locator(".an-project-link")
    assert links.count() >= 3
    first = links.first
    assert "BLP-" not in first.inner_text() and len(first.inner_text()) > 10
    href = first.get_attribute("href")
    assert href.startswith("/?") and "focus=project%3A" in href
    first.click()
    page.wait_for_url("**focus=project**")
    wait_for_dash(page)
    assert page.locator(".nav-link.active").inner_text() == "Netzwerk"
    assert page.errors == []


def test_csv_download_of_a_chart(served_app, page, tmp_path):
    _open(page, served_app.url + "/analysen?tab=coverage&lang=en")
    with page.expect_download() as info:
        page.click('[id*="white_spots"]')
    assert info.value.suggested_filename == "partnernetz-white-spots.csv"  # English page, English name
    path = tmp_path / "ws.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("country_iso3,country,theme_key,theme,german_institutions,white_spot,reasons")
    assert "BDI,Burundi,governance,Governance,0,True,partnership Baden-Württemberg" in text
    assert page.errors == []

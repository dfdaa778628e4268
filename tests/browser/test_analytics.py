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


def test_every_chart_renders_offline_without_console_errors(served_app, page):
    attempted = _block_the_internet(page, served_app.url)
    page.goto(served_app.url + "/analysen")
    wait_for_dash(page)
    for gid in GRAPHS:
        page.wait_for_selector(f"#{gid} .main-svg", timeout=20000)
    # the choropleth drew its countries from the shipped topojson
    page.wait_for_function(f"() => document.querySelectorAll('#{ID.MAP_COUNTRIES} path.choroplethlocation').length > 5",
                           timeout=20000)
    assert page.locator(f"#{ID.SANKEY} .sankey-node").count() > 10
    assert page.locator(f"#{ID.MAP_LAENDER} .point").count() == 16
    assert "Vermittler" in page.locator(".analytics").inner_text()
    screenshot(page, "analysen-de")
    assert attempted == []
    assert page.errors == []


def test_clicking_a_white_spot_cell_opens_the_filtered_network(served_app, page):
    page.goto(served_app.url + "/analysen")
    wait_for_dash(page)
    page.wait_for_selector(f"#{ID.WS_GRAPH} .main-svg")
    page.locator(f"#{ID.WS_GRAPH}").scroll_into_view_if_needed()
    # screen position of the Burundi × Governance cell (a white spot on the sample)
    pos = page.evaluate(f"""() => {{
        const gd = document.querySelector('#{ID.WS_GRAPH} .js-plotly-plot');
        const trace = gd.data[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const i = trace.customdata.findIndex(row => row[0][0] === 'BDI');
        const j = trace.customdata[i].findIndex(c => c[1] === 'governance');
        const box = gd.getBoundingClientRect();
        return {{x: box.left + xa._offset + xa.l2p(j), y: box.top + ya._offset + ya.l2p(i)}};
    }}""")
    page.mouse.move(pos["x"], pos["y"])
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function("() => location.search.includes('country=BDI')", timeout=15000)
    assert page.url.startswith(served_app.url + "/?country=BDI&theme=governance")
    assert "lang=de" in page.url
    wait_for_dash(page)
    assert page.locator(".nav-link.active").inner_text() == "Netzwerk"
    assert page.errors == []


def test_csv_download_of_a_chart(served_app, page, tmp_path):
    page.goto(served_app.url + "/analysen?lang=en")
    wait_for_dash(page)
    with page.expect_download() as info:
        page.click('[id*="white_spots"]')
    assert info.value.suggested_filename == "partnernetz-white-spots.csv"  # English page, English name
    path = tmp_path / "ws.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("country_iso3,country,theme_key,theme,german_institutions,white_spot,reasons")
    assert "BDI,Burundi,governance,Governance,0,True,partnership Baden-Württemberg" in text
    assert page.errors == []

"""The app served on the bundled sample merged with a real IATI file (serve --data DIR --data FILE.xml)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash
from tests.helpers import ROOT

pytestmark = pytest.mark.browser

BMZ = ROOT / "tests" / "data" / "iati" / "bmz_DE-1_bangladesh_2016-01_iati105.xml"


@pytest.fixture(scope="module")
def iati_app():
    app = ServedApp("--data", str(ROOT / "data" / "sample"), "--data", str(BMZ)).wait()
    yield app
    app.stop()


def test_daten_page_reports_the_iati_tables(iati_app, page):
    page.goto(iati_app.url + "/daten")
    wait_for_dash(page)
    page.wait_for_selector(".ag-row")
    text = page.inner_text("body")
    assert "IATI-Aktivitäten" in text and "IATI-Organisationsnennungen" in text and "table." not in text
    assert "keine Fehler" in page.locator(".status").inner_text()
    assert "organisation without name or identifier skipped" in page.locator("#data-problems").inner_text()
    screenshot(page, "page-daten-iati")
    assert page.errors == []


def test_network_focused_on_an_iati_organisation(iati_app, page):
    page.goto(iati_app.url + "/?focus=" + quote("institution:kfw") + "&radius=1&selected=" + quote("institution:kfw"))
    wait_for_dash(page)
    details = page.locator(".details-panel").inner_text()
    assert "KfW (Kreditanstalt für Wiederaufbau)" in details
    screenshot(page, "page-netzwerk-iati-kfw")
    assert page.errors == []


@pytest.mark.parametrize("path", ["/matchmaking", "/kontakte", "/analysen"])
def test_other_pages_load_with_iati_data(iati_app, page, path):
    page.goto(iati_app.url + path)
    wait_for_dash(page)  # waits for the page's h1 (it used to count h1s before the page had arrived)
    assert page.locator("#page-content h1").count() >= 1
    screenshot(page, f"page-{path.strip('/')}-iati")
    assert page.errors == []

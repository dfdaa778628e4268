"""`serve --neo4j-uri` with Neo4j unreachable: the dashboard runs on the local
data and says so in a banner naming the URI and the cause."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import ServedApp, free_port, screenshot, wait_for_dash

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served_without_neo4j():
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    app = ServedApp("--neo4j-uri", uri, "--neo4j-timeout", "2").wait()
    app.neo4j_uri = uri
    yield app
    app.stop()


def test_banner_names_the_uri_and_the_pages_keep_working(served_without_neo4j, page):
    uri = served_without_neo4j.neo4j_uri
    page.goto(served_without_neo4j.url + "/?selected=project:BLP-01&focus=project:BLP-01&lang=en")
    wait_for_dash(page)
    banner = page.locator("#store-banner")
    banner.wait_for(state="visible")  # a condition, not the moment the page settled (busy machines)
    text = banner.inner_text()
    assert text.startswith("Neo4j unavailable") and uri in text and "not reachable" in text
    assert "Showing: the local dataset (data/sample)" in text and "Retrying at most every 15 s" in text
    details = page.locator("#network-details").inner_text()
    assert "Hesse" in details  # the cofinancing Land, listed by the (fallback) store
    screenshot(page, "neo4j-fallback-banner-en")
    page.goto(served_without_neo4j.url + "/daten")
    wait_for_dash(page)
    german = page.locator("#store-banner").inner_text()
    assert german.startswith("Neo4j nicht erreichbar") and "Angezeigt: lokaler Datensatz (data/sample)" in german
    screenshot(page, "neo4j-fallback-banner-daten-de")
    assert page.errors == []

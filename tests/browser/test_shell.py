"""Browser tests of the app shell: every page loads without console errors,
the language switch works and survives reloads, the Daten page downloads."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import screenshot, wait_for_dash

pytestmark = pytest.mark.browser

PAGES = [("/", "netzwerk"), ("/matchmaking", "matchmaking"), ("/kontakte", "kontakte"), ("/analysen", "analysen"), ("/daten", "daten")]


@pytest.mark.parametrize("path,name", PAGES)
def test_every_page_loads_without_console_errors(served_app, page, path, name):
    page.goto(served_app.url + path)
    wait_for_dash(page)
    assert page.locator(".brand-name").inner_text() == "Partnernetz"
    assert page.locator(".banner").is_visible()
    assert page.locator("h1").count() >= 1
    screenshot(page, f"page-{name}-de")
    assert page.errors == []


def test_language_switch_translates_labels_and_is_in_the_url(served_app, page):
    page.goto(served_app.url + "/daten")
    wait_for_dash(page)
    assert page.locator(".nav-link.active").inner_text() == "Daten"
    page.click("#lang-en")
    page.wait_for_url("**lang=en**")
    wait_for_dash(page)
    assert page.locator(".nav-link.active").inner_text() == "Data"
    assert page.locator("h1").inner_text() == "Data"
    page.reload()
    wait_for_dash(page)
    assert page.locator("h1").inner_text() == "Data"
    screenshot(page, "page-daten-en")
    assert page.errors == []


def test_data_page_shows_report_and_downloads_graphml(served_app, page, tmp_path):
    page.goto(served_app.url + "/daten")
    wait_for_dash(page)
    assert "keine Fehler" in page.locator(".status").inner_text()
    with page.expect_download() as info:
        page.click("text=GraphML")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.stat().st_size > 1000 and b"<graphml" in path.read_bytes()[:2000]


@pytest.mark.parametrize("path, heading", [("/kontakte?lang=en", "Contacts & events"), ("/analysen", "Analysen")])
def test_a_page_load_needs_no_routing_answer(served_app, page, path, heading):
    """The first layout holds the page (dashboard/first_page.py): no callback request of the visit
    asks Dash pages' router for it, and the page is the one in the address bar."""
    bodies: list[str] = []
    page.on("request", lambda r: bodies.append(r.post_data or "") if "_dash-update-component" in r.url else None)
    page.goto(served_app.url + path)
    wait_for_dash(page)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == heading
    assert bodies, "the page's own callbacks ran"
    assert not [b for b in bodies if "_pages_content" in b]
    page.click("text=Matchmaking")  # in-app navigation is routed by Dash as before
    page.wait_for_url("**/matchmaking**")
    wait_for_dash(page)
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.startsWith('Matchmaking')")
    assert [b for b in bodies if "_pages_content" in b]
    assert page.errors == []

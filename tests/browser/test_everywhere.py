"""Browser tests of issue 20's "everywhere" items: a tab title per page and
language, a German 404, German texts in library widgets, "/" jumps to the
search, the help page, and no horizontal scrolling at 400 px on any page."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import screenshot, wait_for_dash, wait_for_drawings

pytestmark = pytest.mark.browser

PAGES = [("/", "Netzwerk", "Network"), ("/matchmaking", "Matchmaking", "Matchmaking"),
         ("/kontakte", "Kontakte & Veranstaltungen", "Contacts & events"), ("/analysen", "Analysen", "Analytics"),
         ("/daten", "Daten", "Data"), ("/hilfe", "Hilfe", "Help")]


def test_every_page_has_its_own_tab_title_in_both_languages(served_app, page):
    seen = set()
    for path, de, en in PAGES:
        page.goto(served_app.url + path)
        wait_for_dash(page)
        page.wait_for_function(f"() => document.title === {de + ' – Partnernetz'!r}")
        page.goto(served_app.url + path + "?lang=en")
        wait_for_dash(page)
        page.wait_for_function(f"() => document.title === {en + ' – Partnernetz'!r}")
        seen.add(de)
    # navigating inside the app (no reload) retitles the tab too
    page.goto(served_app.url + "/daten")
    wait_for_dash(page)
    page.click(".nav-link[href^='/analysen']")
    page.wait_for_function("() => document.title === 'Analysen – Partnernetz'")
    assert len(seen) == len(PAGES)
    assert page.errors == []


def test_unknown_address_gives_a_german_404_naming_it(served_app, page):
    page.goto(served_app.url + "/gibt-es-nicht")
    wait_for_dash(page)
    assert page.locator("h1").inner_text() == "Seite nicht gefunden"
    assert "/gibt-es-nicht" in page.locator("#not-found-path").inner_text()
    page.wait_for_function("() => document.title === 'Seite nicht gefunden – Partnernetz'")
    from dashboard.shell import NAV_ITEMS
    assert page.locator("#not-found a").count() == len(NAV_ITEMS)
    page.goto(served_app.url + "/gibt-es-nicht?lang=en")
    wait_for_dash(page)
    assert page.locator("h1").inner_text() == "Page not found"
    screenshot(page, "not-found-en")


def test_dropdown_texts_are_german(served_app, page):
    page.goto(served_app.url + "/")
    wait_for_dash(page)
    page.click("#network-filter-land")
    search = page.locator("#network-filter-land input[type='search'], .dash-dropdown-search input, input.dash-dropdown-search").first
    search.wait_for()
    assert search.get_attribute("placeholder") == "Suchen"
    search.fill("zzzzzz")
    page.wait_for_selector("text=Keine Treffer")
    page.keyboard.press("Escape")
    assert page.errors == []


@pytest.mark.parametrize("path,field", [("/", ".main-search input"), ("/kontakte", "#contacts-text")])
def test_slash_focuses_the_search(served_app, page, path, field):
    page.goto(served_app.url + path)
    wait_for_dash(page)
    page.locator("h1").click()
    page.keyboard.press("/")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.matches({field!r})")
    assert "/" not in page.locator(field).input_value()  # the slash itself was not typed
    page.keyboard.type("W")
    page.wait_for_function(f"() => document.querySelector({field!r}).value.startsWith('W')")


def test_help_page_explains_each_group_with_working_examples(served_app, page):
    page.goto(served_app.url + "/hilfe")
    wait_for_dash(page)
    for section in ("#help-staff", "#help-events", "#help-analysts"):
        assert page.locator(f"{section} .help-link").count() >= 1
    text = page.locator("#page-content").inner_text()
    for page_name in ("Netzwerk", "Matchmaking", "Kontakte", "Analysen", "Daten"):
        assert page_name in text
    screenshot(page, "hilfe-de")
    page.locator("#help-analysts .help-link").nth(1).click()  # Brazil × health white spot
    page.wait_for_url("**spot=BRA**")
    wait_for_dash(page)
    assert "Brasilien" in page.locator("#network-spot-panel").inner_text()
    page.go_back()
    wait_for_dash(page)
    page.locator("#help-staff .help-link").first.click()
    page.wait_for_url("**/matchmaking?target=country%3ATZA**")
    wait_for_dash(page)
    assert page.errors == []


NARROW_PAGES = ["/", "/?focus=country:TZA", "/?spot=BRA,health", "/matchmaking", "/kontakte", "/analysen",
                "/analysen?tab=coverage", "/analysen?tab=flows", "/analysen?tab=maps", "/analysen?tab=time",
                "/daten", "/hilfe", "/gibt-es-nicht"]


@pytest.mark.parametrize("path", NARROW_PAGES)
def test_no_horizontal_scrolling_at_400px(served_app, browser, path):
    page = browser.new_page(viewport={"width": 400, "height": 860})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(served_app.url + path)
        wait_for_dash(page)
        wait_for_drawings(page)
        page.wait_for_function("() => document.scrollingElement.scrollWidth <= window.innerWidth", timeout=15000)
        header = page.locator(".header").bounding_box()
        assert header["height"] <= 0.15 * 860, header  # the header no longer takes 40 % of the screen
        name = path.strip("/").replace("?", "-").replace("=", "-").replace("&", "-").replace(",", "-").replace(":", "-") or "netzwerk"
        screenshot(page, f"narrow-400-{name}")
        assert errors == []
    finally:
        page.close()


def test_filters_fold_away_on_narrow_screens(served_app, browser):
    page = browser.new_page(viewport={"width": 400, "height": 860})
    try:
        page.goto(served_app.url + "/")
        wait_for_dash(page)
        fold = page.locator("details.filter-fold")
        page.wait_for_function("() => !document.querySelector('details.filter-fold').open")
        assert not page.locator("#network-filter-land").is_visible()
        fold.locator("summary").click()
        page.wait_for_selector("#network-filter-land", state="visible")
    finally:
        page.close()

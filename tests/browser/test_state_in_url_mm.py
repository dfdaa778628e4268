"""Issue 20, programme staff: the Matchmaking view lives in the URL (Back,
reload and a shared link restore it), the ranking lists only candidates with
a substantive reason, filters apply in Bundesländer mode, "Thema
erforderlich" and "Warum nicht …?" work, and weight sliders show their value.
Screenshots at 1400, 1024 and 400 px."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.browser_helpers import screenshot, wait_for_dash, wait_for_no_overflow

pytestmark = pytest.mark.browser

TZA_WATER = "/matchmaking?target=country:TZA&themes=theme:water"


def _order(page) -> list[str]:
    return page.locator(".mm-candidate").evaluate_all("els => els.map(e => e.dataset.node)")


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _ready(page) -> None:
    wait_for_dash(page)
    page.wait_for_selector(".mm-candidate, .mm-none")


def test_back_reload_and_shared_link_restore_the_matchmaking_view(served_app, page, browser):
    page.goto(served_app.url + TZA_WATER)
    _ready(page)
    before = _order(page)
    # "Thema erforderlich": only candidates working on water remain, and the URL says so
    page.get_by_label("Thema erforderlich").check()
    page.wait_for_function("() => location.search.includes('require=theme')")
    page.wait_for_function("(b) => JSON.stringify([...document.querySelectorAll('.mm-candidate')]"
                           ".map(e => e.dataset.node)) !== b", arg=str(before).replace("'", '"'))
    _ready(page)
    themed = _order(page)
    assert themed and themed != before
    assert all(v != "0.00" for v in page.locator(".mm-candidate [data-factor=theme] .mm-factor-value").all_inner_texts())
    assert "institution:dgfz" in themed[:3]
    q = _query(page)
    assert q["target"] == ["country:TZA"] and q["themes"] == ["theme:water"] and q["require"] == ["theme"]

    # reload keeps the view
    page.reload()
    _ready(page)
    assert page.get_by_label("Thema erforderlich").is_checked()
    assert _order(page) == themed

    # into the evidence view and Back: the same view again (not the default project)
    shared = page.url
    page.locator(".mm-candidate a.mm-name").first.click()
    page.wait_for_url("**/?focus=**")
    page.go_back()
    page.wait_for_url("**/matchmaking?**")
    _ready(page)
    assert page.url == shared
    assert _order(page) == themed and page.get_by_label("Thema erforderlich").is_checked()
    # Back once more: the view before "Thema erforderlich"
    page.go_back()
    page.wait_for_function("() => !location.search.includes('require=')")
    _ready(page)
    assert _order(page) == before

    # the language switch keeps the view
    page.go_forward()
    page.wait_for_function("() => location.search.includes('require=theme')")
    _ready(page)
    page.wait_for_function("() => document.querySelector('#lang-en').getAttribute('href').includes('require=theme')")
    page.click("#lang-en")
    page.wait_for_function("() => location.search.includes('lang=en')")
    _ready(page)
    assert page.get_by_label("Theme required").is_checked() and _order(page) == themed
    assert _query(page)["themes"] == ["theme:water"]

    # a shared link opens the same view in a fresh browser context
    other = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        other.goto(shared)
        _ready(other)
        assert _order(other) == themed
    finally:
        other.context.close()
    assert page.errors == []


def test_weights_and_top_n_in_the_url_and_slider_values_visible(served_app, page):
    page.goto(served_app.url + TZA_WATER + "&w=theme:5,land:0.5&top=20")
    _ready(page)
    assert page.locator("#matchmaking-weight-theme-value").inner_text() == "5"
    assert page.locator("#matchmaking-weight-land-value").inner_text() == "0.5"
    assert page.locator("#matchmaking-weight-country-value").inner_text() == "3"
    assert len(_order(page)) > 10
    # theme outweighs the Land relation now: every leading candidate works on water
    assert all(v != "0.00" for v in page.locator(".mm-candidate [data-factor=theme] .mm-factor-value").all_inner_texts()[:3])
    page.click("#matchmaking-reset")
    page.wait_for_function("() => !location.search.includes('w=')")
    assert page.locator("#matchmaking-weight-theme-value").inner_text() == "2"
    assert _query(page)["top"] == ["20"]
    assert page.errors == []


def test_bundeslaender_mode_honours_the_land_filter(served_app, page):
    page.goto(served_app.url + "/matchmaking?target=country:NAM&mode=land&land=DE-NI")
    _ready(page)
    assert _order(page) == ["land:DE-NI"]
    assert "Nur ein Kandidat hat einen sachlichen Grund" in page.locator(".mm-results").inner_text()
    assert page.locator(".mm-summary").inner_text().startswith("1 Vorschlag für Namibia")
    assert page.errors == []


def test_why_not_x_compares_factors_and_says_what_would_change_the_rank(served_app, page):
    page.goto(served_app.url + TZA_WATER)
    _ready(page)
    page.click("#matchmaking-whynot")
    page.keyboard.type("Kiruddu")
    page.get_by_role("option", name="Kiruddu Referral Hospital, Kampala").click()
    page.wait_for_selector(".mm-wn-status")
    page.wait_for_function("() => location.search.includes('whynot=institution%3Akiruddu-hospital')")
    status = page.locator(".mm-wn-status")
    assert status.get_attribute("data-status") == "below"
    assert "ist ein echter Kandidat, aber erst auf Platz" in status.inner_text()
    assert page.locator(".mm-wn-changes li").count() >= 1
    rows = page.locator(".mm-wn-table tbody tr")
    assert rows.count() == 1 + len(_order(page)) and rows.first.get_attribute("data-node") == "institution:kiruddu-hospital"
    # an institution already involved is named as such
    page.goto(served_app.url + "/matchmaking?target=project:BLP-08&whynot=institution:geninsa")
    _ready(page)
    page.wait_for_selector(".mm-wn-status")
    assert page.locator(".mm-wn-status").get_attribute("data-status") in ("listed", "below", "involved")
    assert page.errors == []


@pytest.mark.parametrize("width", [1400, 1024, 400])
def test_matchmaking_screenshots_fit_the_window(served_app, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served_app.url + TZA_WATER + "&whynot=institution:kiruddu-hospital")
    _ready(page)
    page.wait_for_selector(".mm-wn-status")
    assert wait_for_no_overflow(page) <= 1
    screenshot(page, f"matchmaking-state-{width}")
    assert page.errors == []

"""Filters fold away on narrow screens: at 400 px the filter sections of
Kontakte and Matchmaking start folded (the results are on the first
screen), open with one click, and the page never scrolls sideways; at
1400 px they start open. Netzwerk's filter panel is checked in
test_everywhere.py."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import screenshot, wait_for_dash

pytestmark = pytest.mark.browser

#: page → (its fold, a filter inside it, the first result)
PAGES = {
    "/matchmaking": ("#matchmaking-fold", "#matchmaking-laender", ".mm-candidate"),
    "/kontakte": ("#contacts-filter-fold", "#contacts-themes", "#contacts-results .ag-row"),
}
NO_SIDEWAYS = "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"


@pytest.mark.parametrize("path", list(PAGES))
def test_filters_start_folded_at_400px_and_open_with_a_click(served_app, page, path):
    fold, control, result = PAGES[path]
    page.set_viewport_size({"width": 400, "height": 900})
    page.goto(served_app.url + path)
    wait_for_dash(page)
    page.wait_for_selector(result)
    page.wait_for_function(f"() => document.querySelector('{fold}') && !document.querySelector('{fold}').open")
    assert not page.locator(control).is_visible()
    assert page.evaluate(NO_SIDEWAYS)
    # the results start on the first screen, not below the filters
    assert page.locator(result).first.bounding_box()["y"] < 900
    screenshot(page, f"filters-folded-400{path.replace('/', '-')}")
    page.locator(f"{fold} > summary").click()
    page.wait_for_selector(control, state="visible")
    assert page.evaluate(f"() => document.querySelector('{fold}').open")
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, f"filters-opened-400{path.replace('/', '-')}")
    assert page.errors == []


@pytest.mark.parametrize("path", list(PAGES))
def test_filters_start_open_at_1400px(served_app, page, path):
    fold, control, result = PAGES[path]
    page.goto(served_app.url + path)
    wait_for_dash(page)
    page.wait_for_selector(result)
    page.wait_for_selector(control, state="visible")
    assert page.evaluate(f"() => document.querySelector('{fold}').open")
    assert page.evaluate(NO_SIDEWAYS)
    assert page.errors == []

"""The Daten page on a messy dataset: problems listed and sortable, data escaped."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash
from tests.helpers import write_table

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def messy_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("messy")
    write_table(folder, "institutions", [["id", "name", "land", "bemerkung"], ["a", XSS, "Hessen", ""], ["b", "B", "Atlantis", ""]])
    write_table(folder, "projects", [["id", "title", "start"], ["P", "Projekt", "Frühjahr"], ["Q", "Q-Projekt", "2020"],
                                      ["R", "", "2021"]])  # an empty title: the one error
    app = ServedApp("--data", str(folder)).wait()
    yield app
    app.stop()


def test_problems_are_listed_and_markup_is_not_executed(messy_app, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(messy_app.url + "/daten")
    wait_for_dash(page)
    page.wait_for_selector(".ag-row")
    # unknown Land and unreadable start date are warnings (optional columns); the empty title an error
    assert "1 Fehler" in page.locator(".status").inner_text()
    grid_text = page.locator("#data-problems").inner_text()
    assert "Atlantis" in grid_text and "Frühjahr" in grid_text and "bemerkung" in grid_text
    assert "institutions.csv" in grid_text and "Fehler" in grid_text
    assert "Seite" in grid_text and "Page" not in grid_text  # AG Grid's own texts in German too
    assert page.locator(".banner").count() == 0  # not the sample
    screenshot(page, "page-daten-messy")
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.errors == []

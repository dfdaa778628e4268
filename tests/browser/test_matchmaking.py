"""Browser test of the Matchmaking page: choose a real sample project, see
the explained ranking, change a weight and see the order change, follow a
candidate into the network view, download the shortlist."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.browser.browser_helpers import screenshot, wait_for_dash

pytestmark = pytest.mark.browser


def _order(page) -> list[str]:
    return page.locator(".mm-candidate").evaluate_all("els => els.map(e => e.dataset.node)")


def _choose_target(page, search: str, option_text: str) -> None:
    page.click("#matchmaking-target")
    page.get_by_placeholder("Suchen").fill(search)
    page.get_by_role("option", name=option_text).first.click()


def test_rank_explain_reweight_and_export(served_app, page, tmp_path):
    page.goto(served_app.url + "/matchmaking")
    wait_for_dash(page)
    # choose a real sample project by searching for it
    _choose_target(page, "infektiolog", "Projekt: Stärkung der infektiologischen Kapazitäten in Uganda")
    page.wait_for_function("() => document.querySelector('.mm-summary')?.textContent.includes('infektiologischen')")
    wait_for_dash(page)
    # Geninsa is second, behind the Leipzig drug-development institute (both project themes)
    assert _order(page)[:2] == ["institution:uni-leipzig-iwe", "institution:geninsa"]
    first = page.locator(".mm-candidate[data-node='institution:geninsa']")
    evidence = first.locator(".mm-ev-text").all_inner_texts()
    assert "Land Sachsen kooperiert seit 2024 mit Uganda" in evidence
    # BLP-09 has named partners since the December 2026 fidelity check: Geninsa shares BLP-09 and BLP-10
    assert any(e.startswith("2 gemeinsame frühere Projekte mit Sächsische Staatskanzlei") for e in evidence)
    assert first.locator(".mm-factor-row").count() == 6
    before = _order(page)
    assert len(before) == 10
    screenshot(page, "matchmaking-blp08-de")

    # the candidate links into the network view with the evidence highlighted
    href = first.locator("a.mm-name").get_attribute("href")
    assert href.startswith("/?focus=institution%3Ageninsa&highlight=") and "project%3ABLP-10" in href

    # weight change: themes only → a different order
    for factor in ("country", "land", "network", "sector", "recency"):
        slider = page.locator(f"#matchmaking-weight-{factor} .dash-slider-root, #matchmaking-weight-{factor}").first
        _set_slider_to_zero(page, factor)
    page.wait_for_function("(b) => JSON.stringify([...document.querySelectorAll('.mm-candidate')].map(e => e.dataset.node)) !== b",
                           arg=str(before).replace("'", '"'), timeout=20000)
    wait_for_dash(page)
    after = _order(page)
    assert after != before
    screenshot(page, "matchmaking-blp08-themes-only")

    # download the shortlist as CSV and Excel, with explanations
    with page.expect_download() as info:
        page.click("#matchmaking-btn-csv")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r["Knoten-ID"] for r in rows] == after
    assert all(r["Begründung"] for r in rows)
    with page.expect_download() as info:
        page.click("#matchmaking-btn-xlsx")
    xpath = tmp_path / info.value.suggested_filename
    info.value.save_as(xpath)
    ws = load_workbook(xpath).active
    assert ws.cell(1, 2).value == "Knoten-ID" and ws.cell(2, 2).value == after[0]
    assert page.errors == []


def _set_slider_to_zero(page, factor: str) -> None:
    """Drag the slider handle of ``factor`` to its left end (0)."""
    box = page.locator(f"#matchmaking-weight-{factor}-box")
    handle = box.locator("[role=slider]").first
    track = box.locator(".mm-weight-label")
    hb = handle.bounding_box()
    tb = box.bounding_box()
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(tb["x"] - 20, hb["y"] + hb["height"] / 2, steps=5)
    page.mouse.up()


def test_english_page_and_opportunities(served_app, page):
    page.goto(served_app.url + "/matchmaking?lang=en&target=country:ETH")
    wait_for_dash(page)
    page.wait_for_selector(".mm-candidate")
    assert page.locator("h1").inner_text() == "Matchmaking"
    assert "Open opportunities" in page.content()
    kinds = page.locator(".mm-opp").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["missing_sector", "idle_partnership", "theme_gap"]
    assert page.locator(".mm-opp-list li").count() > 5
    screenshot(page, "matchmaking-eth-en")
    assert page.errors == []

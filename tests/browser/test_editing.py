"""Editing where users look: change an institution's sector in the Netzwerk
details panel and the Matchmaking explanation for its project changes at
once; undo it; add an institution and its participation in a project; a
bad value is refused with the loader's message, in German and English."""

from __future__ import annotations

import os
import re
import time

import pytest

from loaders.workspace import WorkspaceFile
from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash

pytestmark = pytest.mark.browser

#: A candidate for BLP-01 whose sector (science) the project lacks while all its participants are administrations.
SCIENCE_EVIDENCE = "bringt Wissenschaft ein – dem Projekt fehlt dieser Sektor"


@pytest.fixture
def edit_app(tmp_path):
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    app = ServedApp("--workspace", str(ws.path)).wait(120)
    app.ws = WorkspaceFile(ws.path)
    yield app
    app.stop()


def _open_record(page, app, node: str, lang: str = "de") -> None:
    page.goto(f"{app.url}/?selected={node}&focus={node}&lang={lang}")
    wait_for_dash(page)
    page.click("#network-edit-open")
    page.wait_for_selector(".edit-form[data-mode=update]")


def _choose(page, column: str, option: str) -> None:
    page.click(f".edit-field[data-column={column}] .edit-select")
    page.get_by_role("option", name=option, exact=True).click()


def _save_and_wait(page, version: int) -> None:
    page.click("#network-edit-save")
    page.wait_for_url(re.compile(rf"rev={version}"), timeout=60000)
    wait_for_dash(page)


def _sector_evidence(page, app) -> list[str]:
    page.goto(app.url + "/matchmaking?target=project:BLP-01")
    wait_for_dash(page)
    page.wait_for_selector(".mm-candidate")
    return page.locator(".mm-ev-sector").all_inner_texts()


def test_change_sector_in_details_panel_changes_matchmaking_and_undo(page, edit_app):
    before = _sector_evidence(page, edit_app)
    assert any(SCIENCE_EVIDENCE in e for e in before)
    _open_record(page, edit_app, "institution:hlft")
    _choose(page, "sector", "Wissenschaft")
    page.fill("#network-edit-message", "Sektor laut Website")
    started = time.perf_counter()
    _save_and_wait(page, 2)
    saved_to_live = time.perf_counter() - started
    assert "Wissenschaft" in page.inner_text(".details-attrs")
    status = page.request.get(edit_app.url + "/_partnernetz/live").json()
    assert (status["live"], status["mode"]) == (2, "updated"), status  # row changes applied, no rebuild
    print(f"\nsave → live in the browser: {saved_to_live:.2f} s (server: {status['seconds']} s; "
          f"load {os.getloadavg()[0]:.1f})")
    screenshot(page, "editing-saved-1400")
    after = _sector_evidence(page, edit_app)
    assert not any(SCIENCE_EVIDENCE in e for e in after)  # the project has science now
    v = edit_app.ws.versions()[0]
    assert (v.id, v.kind, v.message) == (2, "edit", "Sektor laut Website")
    # the history in the details panel names the change
    page.goto(f"{edit_app.url}/?selected=institution:hlft")
    wait_for_dash(page)
    page.click("#network-edit-history summary")
    history = page.inner_text("#network-edit-history")
    assert "v2" in history and "Öffentliche Verwaltung" not in history and "public_administration → science" in history
    page.click("#network-edit-undo")
    page.wait_for_url(re.compile(r"rev=3"), timeout=60000)
    wait_for_dash(page)
    assert "rückgängig" in page.inner_text("#network-edit-feedback")
    assert "Öffentliche Verwaltung" in page.inner_text(".details-attrs")
    assert any(SCIENCE_EVIDENCE in e for e in _sector_evidence(page, edit_app))
    assert page.errors == []


def test_new_institution_and_participation(page, edit_app):
    page.goto(edit_app.url + "/")
    wait_for_dash(page)
    page.click("#network-edit-new-open")
    page.wait_for_selector(".edit-form[data-table=institutions][data-mode=create]")
    page.fill(".edit-field[data-column=id] input", "hs-testhausen")
    page.fill(".edit-field[data-column=name] input", "Hochschule Testhausen")
    page.fill(".edit-field[data-column=land] input", "Bremen")
    _choose(page, "sector", "Wissenschaft")
    _save_and_wait(page, 2)
    assert "Hochschule Testhausen" in page.inner_text(".details-title")
    # Neu → Beteiligungen, pre-filled with the selected institution
    page.click("#network-edit-new-table")
    page.get_by_role("option", name="Beteiligungen", exact=True).click()
    page.click("#network-edit-new-open")
    page.wait_for_selector(".edit-form[data-table=participations]")
    assert page.input_value(".edit-field[data-column=institution] input") == "hs-testhausen"
    page.fill(".edit-field[data-column=project] input", "BLP-01")
    _choose(page, "role", "Partner")
    _save_and_wait(page, 3)
    page.wait_for_selector("[data-relation^='participates_in']")
    assert "Qualifizierung äthiopischer" in page.inner_text("[data-relation^='participates_in']")
    screenshot(page, "editing-new-participation-1400")
    assert edit_app.ws.rows("participations", ["BLP-01|hs-testhausen|partner"])
    assert page.errors == []


@pytest.mark.parametrize("lang,label", [("de", "Ungültiger Wert"), ("en", "Invalid value")])
def test_bad_value_refused_inline_with_the_loader_message(page, edit_app, lang, label):
    _open_record(page, edit_app, "project:BLP-01", lang)
    page.fill(".edit-field[data-column=countries] input", "Atlantis")
    page.click("#network-edit-save")
    problem = page.locator(".edit-field[data-column=countries] .edit-problem")
    problem.wait_for(state="visible")
    page.wait_for_function("() => document.querySelector(\".edit-field[data-column=countries] .edit-problem\").innerText.length > 0")
    text = problem.inner_text()
    assert label in text and "unknown country 'Atlantis'" in text
    assert edit_app.ws.head() == 1  # nothing saved
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"editing-invalid-{lang}-{width}")
    assert page.errors == []


PERSON, PERSON_EMAIL = "Jörg Schäfer", "joerg.schaefer@example.org"
PAGES = ("/", "/matchmaking", "/kontakte", "/analysen", "/daten")


def _page_text(page, url: str) -> str:
    page.goto(url)
    wait_for_dash(page)
    return page.content()


def test_withdraw_consent_masks_everywhere_then_erase(page, edit_app):
    page.on("dialog", lambda dialog: dialog.accept())
    node_url = f"{edit_app.url}/?selected=contact:c003&focus=contact:c003"
    assert PERSON in _page_text(page, node_url)
    page.fill("#network-edit-notes textarea", f"Rückruf bei {PERSON} vereinbart")
    page.click("#network-edit-note-add")
    page.wait_for_url(re.compile(r"note=1"))
    wait_for_dash(page)
    assert "Rückruf bei" in page.inner_text("#network-edit-notes")
    page.click("#network-edit-withdraw button")
    page.wait_for_url(re.compile(r"rev=2"), timeout=60000)
    wait_for_dash(page)
    screenshot(page, "editing-consent-withdrawn-1400")
    assert edit_app.ws.rows("contacts", ["c003"])["c003"]["consent"] == "false"
    for path in PAGES:
        url = node_url if path == "/" else edit_app.url + path
        html_text = _page_text(page, url)
        assert PERSON not in html_text and PERSON_EMAIL not in html_text, path
    assert "Rückruf bei" not in _page_text(page, node_url)  # notes on a masked person are hidden too
    api = page.request.get(f"{edit_app.url}/api/v1/tables/contacts/c003").json()
    assert api["email"] == "" and api["name"] != PERSON
    # erase: gone from the current data and from every version in the file
    page.goto(node_url)
    wait_for_dash(page)
    page.click("#network-edit-erase button")
    page.wait_for_url(re.compile(r"rev=3"), timeout=60000)
    wait_for_dash(page)
    assert "Person gelöscht" in page.inner_text("#network-edit-feedback")
    screenshot(page, "editing-erased-1400")
    assert "c003" not in edit_app.ws.rows("contacts")
    data = edit_app.ws.path.read_bytes()
    assert PERSON.encode() not in data and PERSON_EMAIL.encode() not in data
    assert page.errors == []


def _grid_cell(page, rid: str, column: str):
    return page.locator(f"#data-edit-grid .ag-row[row-id='{rid}'] .ag-cell[col-id='{column}']").first


def test_table_editor_edit_add_delete(page, edit_app):
    page.goto(edit_app.url + "/daten")
    wait_for_dash(page)
    page.fill("#data-edit-filter", "hlft")
    page.keyboard.press("Enter")
    cell = _grid_cell(page, "hlft", "city")
    cell.wait_for()
    cell.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Darmstadt")
    page.keyboard.press("Enter")
    page.wait_for_selector("#data-edit-feedback [data-result=ok]", timeout=60000)
    assert edit_app.ws.rows("institutions", ["hlft"])["hlft"]["city"] == "Darmstadt"
    # a bad value is refused with the loader's message and goes back
    cell = _grid_cell(page, "hlft", "country")
    cell.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Atlantis")
    page.keyboard.press("Enter")
    page.wait_for_selector("#data-edit-feedback [data-result=error]", timeout=60000)
    assert "unknown country" in page.inner_text("#data-edit-feedback")
    page.wait_for_function("() => document.querySelector(\"#data-edit-grid .ag-row[row-id='hlft'] .ag-cell[col-id='country']\").innerText === 'DEU'")
    # add a theme row, save it, delete it
    page.click("#data-edit-table")
    page.get_by_role("option", name="Themen", exact=True).click()
    page.fill("#data-edit-filter", "")
    page.click("#data-edit-add")
    for column, value in (("id", "tiefsee"), ("name_de", "Tiefsee")):
        c = _grid_cell(page, "new:1", column)
        c.wait_for()
        c.dblclick()
        page.keyboard.press("Control+a")
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    page.click("#data-edit-save-new")
    page.wait_for_function("() => (document.querySelector('#data-edit-feedback')?.innerText || '').includes('neue Zeile')",
                           timeout=60000)
    assert edit_app.ws.rows("themes", ["tiefsee"])["tiefsee"]["name_de"] == "Tiefsee"
    screenshot(page, "editing-table-editor-1400")
    page.fill("#data-edit-filter", "tiefsee")
    page.keyboard.press("Enter")
    row = page.locator("#data-edit-grid .ag-row[row-id='tiefsee'] .ag-selection-checkbox input, "
                       "#data-edit-grid .ag-row[row-id='tiefsee'] .ag-checkbox-input").first
    row.wait_for()
    row.click()
    page.click("#data-edit-delete")
    page.wait_for_function("() => (document.querySelector('#data-edit-feedback')?.innerText || '').includes('gelöscht')",
                           timeout=60000)
    assert "tiefsee" not in edit_app.ws.rows("themes")
    assert page.errors == []


def test_merge_two_institutions_and_undo(page, edit_app):
    before = edit_app.ws.rows("participations")
    page.goto(edit_app.url + "/daten")
    wait_for_dash(page)
    pair = page.locator("#data-merge-candidates [data-pair='nds-mu|nds-umweltministerium']")
    assert "dasselbe Ministerium" in pair.inner_text()
    pair.locator("button").click()
    page.wait_for_selector(".merge-table")
    assert "Niedersächsisches Umweltministerium" in page.inner_text(".merge-table")
    page.locator("#data-merge-review .radio label", has_text="A (nds-mu)").click()
    page.click("#data-merge-do")
    page.wait_for_selector("#data-merge-feedback [data-result=ok]", timeout=60000)
    screenshot(page, "editing-merged-1400")
    assert "nds-umweltministerium" not in edit_app.ws.rows("institutions")
    assert not [r for r in edit_app.ws.rows("participations").values() if r["institution"] == "nds-umweltministerium"]
    # the merged institution's links are live in the network view
    page.goto(f"{edit_app.url}/?selected=institution:nds-mu")
    wait_for_dash(page)
    assert "BLP-03|nds-mu|associated" in edit_app.ws.rows("participations")
    title = edit_app.ws.rows("projects", ["BLP-03"])["BLP-03"]["title"]
    assert title[:40] in page.inner_text("[data-relation^='participates_in']")
    page.goto(edit_app.url + "/daten")
    wait_for_dash(page)
    page.click("#data-merge-undo")
    page.wait_for_function("() => (document.querySelector('#data-merge-feedback')?.innerText || '').includes('rückgängig')",
                           timeout=60000)
    assert "nds-umweltministerium" in edit_app.ws.rows("institutions")
    assert set(edit_app.ws.rows("participations")) == set(before)
    page.wait_for_selector("#data-merge-candidates [data-pair='nds-mu|nds-umweltministerium']")
    assert page.errors == []


@pytest.mark.parametrize("path", ["/?selected=contact:c001&focus=contact:c001", "/daten", "/kontakte",
                                  "/?selected=project:BLP-01"])
def test_editing_sections_in_english_no_keys_no_german_no_overflow(page, edit_app, path):
    from tests.browser.test_i18n_all_pages import _chrome_texts, _key_pattern, _registered_keys, german_words
    from tests.browser.browser_helpers import wait_for_no_overflow

    sep = "&" if "?" in path else "?"
    page.goto(f"{edit_app.url}{path}{sep}lang=en")
    wait_for_dash(page)
    if path.startswith("/?"):
        page.click("#network-edit-open")
        page.wait_for_selector(".edit-form")
        page.click("#network-edit-history summary")
        assert page.locator("#network-edit").count() == 1
    elif path == "/daten":
        page.wait_for_selector("#data-edit-grid .ag-row")
        page.locator("#data-merge-candidates button").first.click()
        page.wait_for_selector(".merge-table")
    else:
        page.wait_for_selector("#contacts-consent")
    assert _key_pattern(_registered_keys()).findall(page.inner_text("body")) == []
    title = page.inner_text(".details-title") if page.locator(".details-title").count() else None
    assert german_words([x for x in _chrome_texts(page) if x != title]) == {}  # the record's title is data
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        name = path.strip("/?").split("=")[-1].replace(":", "-") or "network"
        screenshot(page, f"editing-en-{name}-{width}")
        if width >= 1024:
            assert wait_for_no_overflow(page) <= 1, (path, width)
    assert page.errors == []

"""Saved views and "what changed since" in the browser, with accounts: Anna saves a shared
Matchmaking view and a private start-page view; Ben, signed in on his own, sees only the shared
one on the start page and reopens it in the same state; Anna renames and deletes hers. On Daten,
"Was hat sich geändert?" lists exactly the edits since a version — names of persons for the
planner, counts only for the reader — and the meeting export leaves through the gate."""

from __future__ import annotations

import csv
import io
import json

import pytest

from loaders.workspace.accounts import AccountStore
from loaders.workspace.editing import create_record, update_record
from loaders.workspace.followup import FollowUp
from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ARTIFACTS, ServedApp, screenshot, wait_for_dash, wait_for_no_overflow

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-pferd-batterie"
MM_STATE = "/matchmaking?target=project%3ABLP-05&top=20"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("views")
    ws = create_workspace(tmp / "ws.sqlite", sample=True, user="test")
    accounts = AccountStore(ws.path)
    accounts.add("anna", PASSWORD, "planner", display="Anna Planer")
    accounts.add("ben", PASSWORD, "reader", display="Ben Leser")
    app = ServedApp("--workspace", str(ws.path), "--audit-log", str(tmp / "audit.jsonl")).wait(timeout=120)
    app.ws, app.audit = ws, tmp / "audit.jsonl"
    yield app
    app.stop()


def _login(page, app, user: str, start: str) -> None:
    page.goto(app.url + start)
    page.wait_for_selector("#login-form")
    page.fill("#login-user", user)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#page-content h1", timeout=60000)
    wait_for_dash(page)


def _own_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    return context, context.new_page()


def _pick(page, dropdown_id: str, value) -> None:
    page.click(f"#{dropdown_id}")
    page.click(f".dash-dropdown-options [role=option]:has(input[value='{value}'])")
    page.keyboard.press("Escape")
    wait_for_dash(page)


def _open(page, summary_of: str) -> None:
    """Unfold a <details> (no-op when open already)."""
    if not page.evaluate(f"document.querySelector('#{summary_of}').open"):
        page.click(f"#{summary_of} > summary")


def test_a_shared_view_reopens_in_the_same_state_for_another_user(served, page, browser):
    _login(page, served, "anna", MM_STATE)
    page.wait_for_selector(".mm-results li")
    results = page.inner_text(".mm-results")
    _open(page, "matchmaking-views-fold")
    page.fill("#matchmaking-views-name", "Kandidaten BLP-05 (Team)")
    page.fill("#matchmaking-views-description", "für die Sitzung am Montag")
    page.check("#matchmaking-views-shared input[value='shared']")
    page.click("#matchmaking-views-save")
    page.wait_for_selector("#matchmaking-views-message .ok")
    assert "»Kandidaten BLP-05 (Team)« gespeichert (geteilt)" in page.inner_text("#matchmaking-views-message")

    # a private view, saved on the start page: the list shows it at once
    page.goto(served.url + "/?focus=country%3ATZA&radius=2&lang=de")
    wait_for_dash(page)
    _open(page, "network-views-fold")
    page.fill("#network-views-name", "Tansania privat")
    page.click("#network-views-save")
    page.wait_for_function("() => document.querySelector('#network-views-lists .views-mine')?.innerText.includes('Tansania privat')")
    mine = page.inner_text("#network-views-lists .views-mine")
    assert "Kandidaten BLP-05 (Team)" in mine and "Matchmaking · geteilt" in mine and "für die Sitzung am Montag" in mine
    stored = {v.name: v for v in FollowUp(served.ws).views("anna")[0]}
    assert stored["Tansania privat"].state == "focus=country%3ATZA&radius=2" and not stored["Tansania privat"].shared
    assert stored["Kandidaten BLP-05 (Team)"].href == MM_STATE  # the URL state, without the language
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        assert wait_for_no_overflow(page) <= 1, width
        screenshot(page, f"views-start-{width}")
    page.set_viewport_size({"width": 1400, "height": 900})

    # a shared view of Kontakte (role planner and up): not offered to a reader
    FollowUp(served.ws).save_view("Kontakte Hessen", owner="anna", page="/kontakte", state="land=DE-HE", shared=True)

    # Ben, in his own browser session: the shared view only, and it opens as Anna saved it
    context, ben = _own_page(browser)
    try:
        _login(ben, served, "ben", "/")
        _open(ben, "network-views-section")
        shared = ben.inner_text("#network-views-lists .views-shared")
        assert "Kandidaten BLP-05 (Team)" in shared and "von anna" in shared
        assert "Tansania privat" not in ben.inner_text("#network-views-lists")
        assert "Kontakte Hessen" not in ben.inner_text("#network-views-lists")
        assert "Noch keine eigene Ansicht" in ben.inner_text("#network-views-lists .views-mine")
        ben.click("#network-views-lists .views-shared a.views-link")
        ben.wait_for_url("**/matchmaking?target=project%3ABLP-05&top=20&lang=de")
        wait_for_dash(ben)
        ben.wait_for_selector(".mm-results li")
        assert ben.inner_text(".mm-results") == results
        # not his to rename: the owner-only list offers him nothing of Anna's
        ben.goto(served.url + "/?lang=de")
        wait_for_dash(ben)
        _open(ben, "network-views-section")
        ben.click("#network-views-section .views-manage > summary")
        ben.click("#network-views-pick")
        assert ben.locator(".dash-dropdown-options [role=option]").count() == 0
        ben.keyboard.press("Escape")
    finally:
        context.close()

    # Anna renames the shared view and deletes the private one
    page.goto(served.url + "/?lang=de")
    wait_for_dash(page)
    _open(page, "network-views-section")
    page.click("#network-views-section .views-manage > summary")
    _pick(page, "network-views-pick", stored["Kandidaten BLP-05 (Team)"].id)
    page.fill("#network-views-new-name", "BLP-05 Team")
    page.click("#network-views-rename")
    page.wait_for_function("() => document.querySelector('#network-views-lists')?.innerText.includes('BLP-05 Team')")
    _pick(page, "network-views-pick", stored["Tansania privat"].id)
    page.click("#network-views-delete")
    page.wait_for_function("() => !document.querySelector('#network-views-lists')?.innerText.includes('Tansania privat')")
    assert "»Tansania privat« gelöscht." in page.inner_text("#network-views-manage-message")
    actions = [(e["action"], e["user"]) for e in FollowUp(served.ws).view_events()]
    assert actions == [("create", "anna")] * 3 + [("update", "anna"), ("delete", "anna")]
    assert [e for e in page.errors if "Content Security Policy" in e or "Refused to" in e] == []


def test_what_changed_since_lists_the_edits_with_role_rules_and_exports_them(served, page, browser):
    ws = served.ws
    before = ws.head()
    create_record(ws, "projects", {"id": "BLP-98", "title": "Wasserpartnerschaft Sansibar", "countries": "TZA"},
                  user="anna")
    update_record(ws, "contacts", "c001", {"role": "Abteilungsleiter"}, user="anna")
    _login(page, served, "anna", "/daten")
    page.wait_for_selector("#data-changes")
    _pick(page, "data-changes-version", before)
    page.wait_for_function("() => document.querySelector('#data-changes-result')?.innerText.includes('Sansibar')")
    text = page.inner_text("#data-changes-result")
    assert f"2 Änderungen seit Version {before} (Version {before} → {ws.head()})" in text
    assert "Neue Projekte" in text and "Geänderte Kontakte" in text and "Jürgen Müller" in text
    assert "geändert: role" in text
    with page.expect_download() as info:
        page.click("#data-changes-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert rows[0] == ["Bereich", "Name", "Was", "Liste", "Zeit", "Von"]
    assert ["Neue Projekte", "Wasserpartnerschaft Sansibar"] == rows[1][:2] and rows[2][:2] == ["Geänderte Kontakte", "Jürgen Müller"]
    records = [json.loads(line) for line in served.audit.read_text().splitlines()]
    exported = [r for r in records if r.get("what") == "changes since"]
    assert exported and exported[-1]["user"] == "anna" and exported[-1]["contact_ids"] == ["contact:c001"]
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        assert wait_for_no_overflow(page) <= 1, width
        page.locator("#data-changes").screenshot(path=str(ARTIFACTS / "screenshots" / f"changes-{width}.png"))

    context, ben = _own_page(browser)
    try:
        _login(ben, served, "ben", "/daten")
        ben.wait_for_selector("#data-changes")
        _pick(ben, "data-changes-version", before)
        ben.wait_for_function("() => document.querySelector('#data-changes-result')?.innerText.includes('Sansibar')")
        text = ben.inner_text("#data-changes-result")
        assert "Geänderte Kontakte" in text and "1 (Personen nur als Anzahl)" in text and "Jürgen" not in text
        assert "Personen nur als Anzahl: Ihre Rolle sieht keine Kontaktdaten." in text
    finally:
        context.close()

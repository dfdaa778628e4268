"""The workspace in the browser: upload a workbook with one new project, see it
in the preview, publish, find it in the Netzwerk search without restart (also
with two worker processes), see the version in the history, revert, and it is gone."""

from __future__ import annotations

import openpyxl
import pytest

from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash, wait_for_no_overflow

pytestmark = pytest.mark.browser

TITLE = "Kläranlagenpartnerschaft Testhausen"


def _workbook(path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("projects")
    ws.append(["id", "title", "countries", "themes", "start", "source"])
    ws.append(["BLP-UPLOAD", TITLE, "TZA", "water", "2025", "https://example.org/neu"])
    ws = wb.create_sheet("participations")
    ws.append(["project", "institution", "role"])
    ws.append(["BLP-UPLOAD", "hlft", "implementing"])
    wb.save(path)
    return path


@pytest.fixture(params=[1, 2], ids=["one-process", "two-workers"])
def workspace_app(request, tmp_path):
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    args = ["--workspace", str(ws.path)] + (["--workers", str(request.param)] if request.param > 1 else [])
    app = ServedApp(*args).wait(120)
    app.workers = request.param
    yield app
    app.stop()


def _wait_live(page, version: int) -> None:
    page.wait_for_function(
        "(v) => (document.querySelector('#data-ws-live')?.innerText || '').includes(`Version ${v} ist live`)",
        arg=version, timeout=60000)


def _search(page, app, text: str, node: str, *, present: bool) -> None:
    """Search on the Netzwerk page until ``node`` is (or is no longer) a hit. Every
    process switches on its own, so with workers a search may first reach one still
    building: each attempt waits for the answer, then asks again."""
    page.goto(app.url + "/")
    wait_for_dash(page)
    box = page.locator(".picker-search input")
    for attempt in range(300):
        box.fill("")
        box.fill(text + (" " * (attempt % 2)))
        page.wait_for_selector(".picker-search .suggestion, .picker-search .suggestion-empty")
        wait_for_dash(page)
        found = page.locator(f".picker-search [data-node='{node}']").count() > 0
        if found == present:
            return  # else the answering process is still building: ask again (each answer is one round trip)
    raise AssertionError(f"{node} {'never appeared' if present else 'never disappeared'} in the search for {text!r}")


def test_upload_preview_publish_search_history_revert(workspace_app, page, tmp_path):
    book = _workbook(tmp_path / "neues-projekt.xlsx")
    page.goto(workspace_app.url + "/daten")
    wait_for_dash(page)
    _wait_live(page, 1)
    page.locator("#data-ws-mode input[value='update']").check()
    page.locator("#data-ws-upload input[type=file]").set_input_files(str(book))
    page.wait_for_selector("#data-ws-counts")
    wait_for_dash(page)
    preview = page.locator("#data-ws-preview").inner_text()
    assert "BLP-UPLOAD" in preview and TITLE in preview
    assert "Ladebericht: keine Fehler" in preview
    counts = page.locator("#data-ws-counts").inner_text()
    assert "Projekte\t1\t0\t0" in counts and "Beteiligungen\t1\t0\t0" in counts
    if workspace_app.workers == 1:
        for width in (1400, 1024, 400):
            page.set_viewport_size({"width": width, "height": 900})
            screenshot(page, f"page-daten-workspace-preview-{width}")
        page.set_viewport_size({"width": 1400, "height": 900})
    page.locator("#data-ws-message").fill("Neues Projekt Testhausen")
    page.locator("#data-ws-publish").click()
    page.wait_for_selector("#data-ws-published")
    _wait_live(page, 2)
    _search(page, workspace_app, "Testhausen", "project:BLP-UPLOAD", present=True)

    page.goto(workspace_app.url + "/daten")
    wait_for_dash(page)
    versions = page.locator("#data-ws-versions")
    versions.locator(".ag-row", has_text="Neues Projekt Testhausen").wait_for()
    assert "Projekte +1 ~0 −0" in versions.inner_text()
    versions.locator(".ag-row[row-index='1'] input[type=checkbox]").check()  # version 1 (newest first)
    page.locator("#data-ws-revert").click()
    page.wait_for_selector("#data-ws-reverted")
    assert "Stand von Version 1" in page.locator("#data-ws-reverted").inner_text()
    _wait_live(page, 3)
    versions.locator(".ag-row", has_text="Zurückgesetzt").wait_for()
    if workspace_app.workers == 1:
        screenshot(page, "page-daten-workspace-history-1400")
    _search(page, workspace_app, "Testhausen", "project:BLP-UPLOAD", present=False)
    assert page.errors == []


def test_bad_upload_gives_a_clear_message_and_changes_nothing(tmp_path, page):
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    app = ServedApp("--workspace", str(ws.path)).wait(120)
    try:
        bad = tmp_path / "kaputt.xlsx"
        bad.write_bytes(b"this is not a workbook")
        page.goto(app.url + "/daten?lang=en")
        wait_for_dash(page)
        page.locator("#data-ws-upload input[type=file]").set_input_files(str(bad))
        page.wait_for_selector("#data-ws-upload-error")
        assert "kaputt.xlsx: not an .xlsx workbook" in page.locator("#data-ws-upload-error").inner_text()
        assert page.locator("#data-ws-publish").is_disabled()
        assert ws.head() == 1
        screenshot(page, "page-daten-workspace-bad-upload-en")
    finally:
        app.stop()


def test_files_served_read_only_say_how_to_import(mini, page):
    app = ServedApp("--data", str(mini)).wait(60)
    try:
        page.goto(app.url + "/daten")
        wait_for_dash(page)
        note = page.locator("#data-ws-readonly").inner_text()
        assert "nur gelesen" in note and "workspace import" in note
        assert page.locator("#data-ws-upload").count() == 0
    finally:
        app.stop()


def test_a_preview_made_against_an_old_version_asks_for_a_fresh_one(tmp_path, page):
    """Optimistic concurrency: someone else publishes between preview and
    publish; the page refuses with a clear message and a fresh-preview button
    that recomputes the preview against the new head, which then publishes."""
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.diff import Change

    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    app = ServedApp("--workspace", str(ws.path)).wait(120)
    try:
        book = _workbook(tmp_path / "neues-projekt.xlsx")
        page.set_viewport_size({"width": 400, "height": 900})
        page.goto(app.url + "/daten")
        wait_for_dash(page)
        assert wait_for_no_overflow(page) == 0  # the grids settle their width after rendering
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), "horizontal scroll at 400 px"
        page.locator("#data-ws-mode input[value='update']").check()
        page.locator("#data-ws-upload input[type=file]").set_input_files(str(book))
        page.wait_for_selector("#data-ws-counts")
        wait_for_dash(page)
        assert "gegen Version 1" in page.locator("#data-ws-preview-title").inner_text()
        assert wait_for_no_overflow(page) == 0
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), "preview scrolls sideways at 400 px"

        other = WorkspaceFile(ws.path)  # another user publishes meanwhile: version 2
        row = other.rows("projects", ["BLP-01"])["BLP-01"]
        other.publish([Change("projects", "BLP-01", "update", row, {**row, "title": "Von jemand anderem geändert"})],
                      base=1, user="jemand", message="dazwischen", kind="edit")

        page.locator("#data-ws-message").fill("Neues Projekt")
        page.locator("#data-ws-publish").click()
        page.wait_for_selector("#data-ws-conflict")
        conflict = page.locator("#data-ws-conflict").inner_text()
        assert "Version 1" in conflict and "Version 2" in conflict and "nichts wurde geändert" in conflict
        assert ws.head() == 2 and page.locator("#data-ws-publish").is_disabled()
        screenshot(page, "page-daten-workspace-conflict-400")

        page.locator("#data-ws-fresh").click()
        page.wait_for_function("() => (document.querySelector('#data-ws-preview-title')?.innerText || '')"
                               ".includes('gegen Version 2')", timeout=60000)
        page.wait_for_selector("#data-ws-conflict", state="detached")
        assert page.locator("#data-ws-fresh").is_hidden()
        page.wait_for_function("() => !document.querySelector('#data-ws-publish').disabled")
        page.locator("#data-ws-publish").click()
        page.wait_for_selector("#data-ws-published")
        assert ws.head() == 3 and ws.version(3).message == "Neues Projekt"
        assert ws.rows("projects", ["BLP-01"])["BLP-01"]["title"] == "Von jemand anderem geändert"  # kept
        assert "BLP-UPLOAD" in ws.rows("projects", ["BLP-UPLOAD"])
        assert page.errors == []
    finally:
        app.stop()


def test_revert_to_before_an_erasure_keeps_the_person_erased(tmp_path, page):
    from loaders.workspace.consent import erase_person
    from loaders.workspace.editing import update_record

    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    app = ServedApp("--workspace", str(ws.path)).wait(120)
    try:
        erase_person(ws, "c003", user="dpo")  # version 2
        update_record(ws, "projects", "BLP-01", {"region": "Nach der Löschung"}, user="anna")  # version 3
        page.goto(app.url + "/daten")
        wait_for_dash(page)
        _wait_live(page, 3)
        versions = page.locator("#data-ws-versions")
        versions.locator(".ag-row[row-index='2'] input[type=checkbox]").check()  # version 1 (newest first)
        page.locator("#data-ws-revert").click()
        page.wait_for_selector("#data-ws-kept-erased")
        kept = page.locator("#data-ws-kept-erased").inner_text()
        assert "Gelöschte Personen bleiben gelöscht" in kept and "contacts/c003" in kept
        assert "Stand von Version 1" in page.locator("#data-ws-reverted").inner_text()
        _wait_live(page, 4)
        screenshot(page, "page-daten-workspace-revert-erased-1400")
        assert "c003" not in ws.rows("contacts")
        assert page.errors == []
    finally:
        app.stop()

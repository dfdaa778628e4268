"""Follow-up in the browser: save a Matchmaking result as a shortlist, move a
candidate through the pipeline to 'zugesagt', turn it into a participation,
and find that participation in the network once the new version is live."""

from __future__ import annotations


import pytest

from loaders.workspace import WorkspaceFile
from loaders.workspace.followup import FollowUp
from tests.browser.browser_helpers import screenshot, wait_for_dash, wait_for_no_overflow

pytestmark = pytest.mark.browser

TARGET = "project:BLP-05"


def pick(page, dropdown_id: str, value: str) -> None:
    """Choose ``value`` in a Dash 4 dropdown."""
    page.click(f"#{dropdown_id}")
    page.click(f".dash-dropdown-options [role=option]:has(input[value='{value}'])")
    page.keyboard.press("Escape")
    wait_for_dash(page)


def test_shortlist_to_pipeline_to_participation(workspace_app, page):
    app = workspace_app
    page.goto(f"{app.url}/matchmaking?target={TARGET}")
    wait_for_dash(page)
    page.wait_for_selector(".mm-results li")
    page.fill("#matchmaking-save-name", "Kandidaten BLP-05")
    page.click("#matchmaking-save")
    page.wait_for_selector("#matchmaking-save-message .ok")
    assert "als »Kandidaten BLP-05« gespeichert" in page.inner_text("#matchmaking-save-message")

    fu = FollowUp(WorkspaceFile(app.ws.path))
    (shortlist,) = fu.shortlists()
    first = fu.items(shortlist.id)[0]
    assert shortlist.target["node"] == TARGET and first.rank == 1 and first.explanation

    page.click("#matchmaking-save-message a")
    page.wait_for_selector("#pipeline-grid .ag-row")
    wait_for_dash(page)
    assert first.label in page.inner_text("#pipeline-grid")
    page.click(f"#pipeline-grid .ag-row[row-id='{shortlist.id}|{first.node}']")
    page.wait_for_function("() => !document.querySelector('#pipeline-save').disabled")
    assert first.label in page.inner_text("#pipeline-selected")

    pick(page, "pipeline-new-status", "asked")
    page.fill("#pipeline-new-owner", "anna")
    page.fill("#pipeline-next-step", "Anruf bei der Leitung")
    page.fill("#pipeline-new-due", "2026-01-15")  # in the past: overdue
    page.click("#pipeline-save")
    page.wait_for_function("() => (document.querySelector('#pipeline-message')?.innerText || '').includes('angefragt')")
    assert page.inner_text("#pipeline-message") == f"Gespeichert: {first.label} – angefragt."
    row = page.locator(f"#pipeline-grid .ag-row[row-id='{shortlist.id}|{first.node}']").first
    page.wait_for_function(
        "(k) => [...document.querySelectorAll(`#pipeline-grid .ag-row[row-id='${k}']`)]"
        ".some(r => r.classList.contains('pipeline-overdue') || r.classList.contains('pipe-overdue'))",
        arg=f"{shortlist.id}|{first.node}")
    key = f"{shortlist.id}|{first.node}"
    assert "anna" in " ".join(page.locator(f"#pipeline-grid .ag-row[row-id='{key}']").all_inner_texts())
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        assert wait_for_no_overflow(page) <= 1, width
        screenshot(page, f"pipeline-{width}")
    page.set_viewport_size({"width": 1400, "height": 900})

    row.click()
    page.wait_for_function("() => !document.querySelector('#pipeline-save').disabled")
    pick(page, "pipeline-new-status", "accepted")
    page.click("#pipeline-save")
    page.wait_for_function("() => (document.querySelector('#pipeline-message')?.innerText || '').includes('zugesagt')")
    assert fu.item(shortlist.id, first.node).status.value == "accepted"
    events = [(e.from_status, e.to_status) for e in fu.events()]
    assert events == [("proposed", "asked"), ("asked", "accepted")]

    # still listed (accepted, not yet a participation): one step makes it one
    row = page.locator(f"#pipeline-grid .ag-row[row-id='{shortlist.id}|{first.node}']").first
    row.click()
    page.wait_for_function("() => !document.querySelector('#pipeline-to-participation').disabled")
    page.click("#pipeline-to-participation")
    page.wait_for_function("() => (document.querySelector('#pipeline-message')?.innerText || '').includes('Version 2')")
    assert page.inner_text("#pipeline-message").startswith(f"Beteiligung von {first.label} angelegt (Version 2)")
    institution = first.node.partition(":")[2]
    assert f"BLP-05|{institution}|partner" in app.ws.rows("participations")
    assert app.ws.version(2).kind == "edit"

    # the network shows it once version 2 is live (every process notices the new head on its own)
    app.wait_live(2)
    page.goto(f"{app.url}/?selected={TARGET}&focus={TARGET}")
    wait_for_dash(page)
    page.wait_for_selector("#network-details")
    details = page.inner_text("#network-details")
    assert f"{first.label} · partner" in details and "Beteiligte Institutionen (2)" in details

"""Guest lists that become events, in the browser: build a guest list on
Kontakte and save it for an event, import an attendance file with one row
the dedupe rules cannot match, resolve that row by picking a contact, confirm,
and find the event's attendance in the network's details once the new
version is live."""

from __future__ import annotations


import pytest

from loaders.workspace import WorkspaceFile
from loaders.workspace.guestlists import GuestLists
from tests.browser.browser_helpers import screenshot, wait_for_dash, wait_for_no_overflow

pytestmark = pytest.mark.browser

EVENT = "event:e07"  # nobody of the guest list below attended it yet


def pick(page, dropdown: str, value: str) -> None:
    """Choose ``value`` in the Dash 4 dropdown matched by the CSS selector ``dropdown``."""
    page.click(dropdown)
    page.click(f".dash-dropdown-options [role=option]:has(input[value='{value}'])")
    page.keyboard.press("Escape")
    wait_for_dash(page)


def message(page, selector: str, text: str) -> str:
    try:
        page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)",
                               arg=[selector, text])
    except Exception:
        raise AssertionError(f"{selector} says {page.inner_text(selector)!r}, not {text!r}; errors: {page.errors}") from None
    return page.inner_text(selector)


def test_guest_list_to_event_attendance(workspace_app, page):
    app = workspace_app
    page.goto(f"{app.url}/kontakte?size=4")
    wait_for_dash(page)
    page.click("#contacts-build")
    page.wait_for_selector("#contacts-list .ag-row")
    page.fill("#contacts-guestsave-name", "Gender-Training Gäste")
    pick(page, "#contacts-guestsave-event", EVENT)
    page.click("#contacts-guestsave-save")
    assert "Gästeliste »Gender-Training Gäste« mit 4 Personen gespeichert" in message(page, "#contacts-guestsave-message", "gespeichert")

    gl = GuestLists(WorkspaceFile(app.ws.path))
    (record,) = gl.guestlists()
    guests = [g.contact for g in gl.guests(record.id)]
    assert record.event == EVENT and len(guests) == 4 and gl.counts(record.id)["invited"] == 4
    contacts = app.ws.rows("contacts")
    outsider = next(k for k, r in contacts.items()  # comes without invitation: picked in the review
                    if f"contact:{k}" not in guests and r["consent"] == "true" and r["email"])

    page.click("#contacts-guestsave-message a")
    page.wait_for_selector("#pipeline-events-guests .ag-row")
    wait_for_dash(page)
    names = page.inner_text("#pipeline-events-guests")
    assert contacts[guests[0].partition(":")[2]]["name"] in names
    # a reply: the last guest declines
    page.click(f"#pipeline-events-guests .ag-row[row-id='{guests[3]}'] input[type=checkbox]")
    pick(page, "#pipeline-events-new-status", "declined")
    page.click("#pipeline-events-set-status")
    message(page, "#pipeline-events-message", "abgesagt")
    assert gl.counts(record.id)["declined"] == 1

    # the attendance list: two guests by e-mail (any case), one row nobody matches
    rows = ["Name;E-Mail;Organisation"]
    rows += [f"{contacts[g.partition(':')[2]]['name']};{contacts[g.partition(':')[2]]['email'].upper()};" for g in guests[:2]]
    rows.append("Erika Unbekannt;erika.unbekannt@example.net;Irgendwo e. V.")
    sheet = app.tmp / "teilnahme.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.set_input_files("#pipeline-events-upload input[type=file]", str(sheet))
    assert "2 zugeordnet, 1 warten auf Ihre Entscheidung" in message(page, "#pipeline-events-message", "zugeordnet")
    page.wait_for_selector(".events-open-row-4")
    assert "Erika Unbekannt" in page.inner_text(".events-open-row-4")
    assert page.is_disabled("#pipeline-events-confirm")  # nothing is applied while a row waits
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#pipeline-events-review").scroll_into_view_if_needed()
        assert wait_for_no_overflow(page) <= 1, width
        screenshot(page, f"events-review-{width}")
    page.set_viewport_size({"width": 1400, "height": 900})

    # resolve it: this row is a colleague who came without invitation
    pick(page, ".events-open-row-4 .events-row-picker >> nth=0", f"contact:{outsider}")
    page.click(".events-open-row-4 .events-take")
    message(page, "#pipeline-events-message", "Zeile 4 entschieden")
    page.wait_for_function("() => !document.querySelector('#pipeline-events-confirm').disabled")
    page.click("#pipeline-events-confirm")
    text = message(page, "#pipeline-events-message", "Version 2")
    assert "3 neue Teilnahmen im Netzwerk (Version 2)" in text
    assert app.ws.version(2).kind == "edit"
    assert {f"e07|{c.partition(':')[2]}" for c in guests[:2]} | {f"e07|{outsider}"} <= set(app.ws.rows("attendance"))
    counts = gl.counts(record.id)
    assert counts == {"invited": 1, "accepted": 0, "declined": 1, "attended": 3}
    page.wait_for_selector(f"#pipeline-events-guests .ag-row[row-id='contact:{outsider}']")
    row = " ".join(page.locator(f"#pipeline-events-guests .ag-row[row-id='contact:{outsider}']").all_inner_texts())
    assert "kam ohne Einladung" in row and "teilgenommen" in row
    page.locator("#pipeline-events").scroll_into_view_if_needed()
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#pipeline-events-detail").scroll_into_view_if_needed()
        assert wait_for_no_overflow(page) <= 1, width
        screenshot(page, f"events-done-{width}")
    page.set_viewport_size({"width": 1400, "height": 900})

    # the network's details of the event list who came
    app.wait_live(2)
    page.click("#pipeline-events-message a")
    wait_for_dash(page)
    page.wait_for_selector("#network-details")
    page.wait_for_function("(n) => (document.querySelector('#network-details')?.innerText || '').includes(n)",
                           arg=contacts[outsider]["name"])
    details = page.inner_text("#network-details")
    for c in guests[:2]:
        assert contacts[c.partition(":")[2]]["name"] in details
    assert contacts[guests[3].partition(":")[2]]["name"] not in details  # declined, did not come
    screenshot(page, "events-network-details")

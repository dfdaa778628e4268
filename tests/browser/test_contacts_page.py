"""Browser test of 'Kontakte & Veranstaltungen' on the sample: filter
contacts, build a guest list with a sector quota (first infeasible, then
feasible), remove a person, download Excel and CSV and read the files back;
the audit log records both exports."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash

pytestmark = pytest.mark.browser

BUSINESS = {"Jörg Schäfer", "Swantje Meinardus", "Sebastian Krüger-Ilk"}  # the consented business contacts


@pytest.fixture(scope="module")
def contacts_app(tmp_path_factory):
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    app = ServedApp("--audit-log", str(audit)).wait()
    app.audit = audit
    yield app
    app.stop()


def pick(page, dropdown_id: str, value: str) -> None:
    """Choose ``value`` in a Dash 4 dropdown. A multi-select moves its chosen
    options to the top right after opening: wait until the option stays put
    over a few animation frames, so the click does not land on its neighbour."""
    page.click(f"#{dropdown_id}")
    option = f".dash-dropdown-options [role=option]:has(input[value='{value}'])"
    page.wait_for_selector(option)
    page.evaluate("() => { window.__pickSeen = {}; }")
    page.wait_for_function(
        """(sel) => {
            const el = document.querySelector(sel);
            if (!el) { return false; }
            const r = el.getBoundingClientRect(), key = sel + '|' + r.top + '|' + r.left;
            const w = window.__pickSeen = window.__pickSeen || {};
            w[key] = (w[key] || 0) + 1;
            return w[key] >= 4;  // seen at one place on four polls (polling: every animation frame)
        }""", arg=option, polling="raf")
    page.click(option)
    page.keyboard.press("Escape")
    wait_for_dash(page)


def wait_rows(page, grid_id: str, n: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('#{grid_id} .ag-center-cols-container .ag-row').length === {n}")


def grid_names(page, grid_id: str) -> list[str]:
    return page.locator(f"#{grid_id} .ag-row [col-id=name]").all_inner_texts()


def test_filter_build_remove_and_download(contacts_app, page, tmp_path):
    page.goto(contacts_app.url + "/kontakte")
    wait_for_dash(page)
    assert page.locator("h1").inner_text() == "Kontakte & Veranstaltungen"
    assert page.locator("#contacts-result-count").inner_text() == "44 Treffer"

    # --- filter: business and science
    pick(page, "contacts-sectors", "business")
    page.wait_for_function("() => document.querySelector('#contacts-result-count').innerText !== '44 Treffer'")
    business_only = page.locator("#contacts-result-count").inner_text()
    assert business_only == "5 Treffer"  # 3 consented + 2 masked water companies
    wait_rows(page, "contacts-results", 5)
    names = grid_names(page, "contacts-results")
    assert set(names) == BUSINESS | {"Kontakt ohne Einwilligung"}
    assert "Sektor: Wirtschaft" in page.locator("#contacts-results .ag-row [col-id=reason]").first.inner_text()
    pick(page, "contacts-sectors", "science")
    page.wait_for_function("() => document.querySelector('#contacts-result-count').innerText !== '5 Treffer'")
    n_matches = int(page.locator("#contacts-result-count").inner_text().split()[0])
    assert n_matches > 5
    screenshot(page, "kontakte-filter")

    # --- quota Wirtschaft ≥ 4: not available (only 3 with consent)
    page.fill("#contacts-size", "5")
    pick(page, "contacts-quota-value", "business")
    page.fill("#contacts-quota-min", "4")
    page.click("#contacts-quota-add")
    page.wait_for_selector(".chip")
    assert "Wirtschaft: mind. 4" in page.locator(".chip").inner_text()
    page.click("#contacts-build")
    page.wait_for_selector(".list-messages .status.error")
    assert "Wirtschaft: mindestens 4 verlangt, nur 3 verfügbar (es fehlen 1)" in page.locator(".list-messages").inner_text()

    # --- quota Wirtschaft ≥ 3 (replaces the first): a list of 5 with all 3 business people
    page.fill("#contacts-quota-min", "3")
    page.click("#contacts-quota-add")
    page.wait_for_function("() => document.querySelector('.chip').innerText.includes('mind. 3')")
    page.click("#contacts-build")
    page.wait_for_selector(".list-messages .status.ok")
    page.wait_for_function("() => document.querySelector('#contacts-list-count').innerText.startsWith('5 ')")
    wait_rows(page, "contacts-list", 5)
    listed = grid_names(page, "contacts-list")
    assert len(listed) == 5 and BUSINESS <= set(listed)
    screenshot(page, "kontakte-gaesteliste")

    # --- remove one business person by hand: the quota check says what breaks
    page.locator("#contacts-list .ag-row[row-id='contact:c013'] input[type=checkbox]").first.check()
    page.click("#contacts-remove")
    page.wait_for_function("() => document.querySelector('#contacts-list-count').innerText.startsWith('4 ')")
    wait_rows(page, "contacts-list", 4)
    remaining = grid_names(page, "contacts-list")
    assert "Swantje Meinardus" not in remaining and len(remaining) == 4
    msg = page.locator(".list-messages").inner_text()
    assert "Wirtschaft: mindestens 3 verlangt, 2 auf der Liste (es fehlen 1)" in msg
    assert "Listengröße: 5 verlangt, 4 auf der Liste" in msg

    # --- downloads: Excel and CSV (separator ';', UTF-8 with BOM)
    with page.expect_download() as info:
        page.click("#contacts-dl-xlsx")
    xlsx = tmp_path / info.value.suggested_filename
    info.value.save_as(xlsx)
    assert xlsx.name == "gaesteliste.xlsx"
    ws = openpyxl.load_workbook(xlsx).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("Name", "Institution")
    assert sorted(r[0] for r in rows[1:]) == sorted(remaining)

    with page.expect_download() as info:
        page.click("#contacts-dl-csv")
    csv_path = tmp_path / info.value.suggested_filename
    info.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert sorted(r["Name"] for r in records) == sorted(remaining)
    assert all(r["E-Mail"].endswith("@example.org") for r in records)
    assert "Swantje Meinardus" not in {r["Name"] for r in records}

    entries = [json.loads(line) for line in contacts_app.audit.read_text().splitlines()]
    assert [(e["format"], e["rows"], e["what"]) for e in entries] == [("xlsx", 4, "guest list"), ("csv", 4, "guest list")]
    assert all(e["user"].startswith("local") for e in entries)  # no auth configured: the server's account
    screenshot(page, "kontakte-nach-entfernen")
    assert page.errors == []


def test_event_history_and_masking(contacts_app, page):
    page.goto(contacts_app.url + "/kontakte?lang=en")
    wait_for_dash(page)
    # the newest event is preselected: the 2025 annual conference
    wait_rows(page, "contacts-event-attendees", 13)
    attendees = grid_names(page, "contacts-event-attendees")
    assert "Henrike Sandvoß" in attendees and len(attendees) == 13
    counts = page.locator("#contacts-event-counts").inner_text()
    assert "Attendees by Land" in counts and "Saxony\t4" in counts and "Organiser\t2" in counts
    # a contact without consent shows institution and role only — no e-mail anywhere on the page
    page.fill("#contacts-text", "Harzwasserwerke")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#contacts-result-count').innerText === '1 match'")
    wait_rows(page, "contacts-results", 1)
    # the name is pinned left: its cell lives in the pinned row, the rest in the centre row
    cell = lambda col: page.locator(f"#contacts-results .ag-row [col-id={col}]").first  # noqa: E731
    assert cell("name").inner_text() == "Kontakt ohne Einwilligung"
    assert cell("email").inner_text() == ""
    assert "malte" not in page.content().lower() and "overbeck" not in page.content().lower()
    screenshot(page, "kontakte-en")
    assert page.errors == []


def test_no_contacts_instance_shows_events_but_no_people(page):
    app = ServedApp("--no-contacts").wait()
    try:
        page.goto(app.url + "/kontakte")
        wait_for_dash(page)
        assert "ohne Kontaktdaten" in page.locator(".status.error").inner_text()
        wait_rows(page, "contacts-event-list", 9)  # all sample events, without attendees
        assert page.locator("#contacts-event-attendees").count() == 0
        html = page.content()
        assert "example.org" not in html and "Sandvoß" not in html
        assert "Jahreskonferenz der Länderpartner" in html  # events stay
        screenshot(page, "kontakte-no-contacts")
        assert page.errors == []
    finally:
        app.stop()

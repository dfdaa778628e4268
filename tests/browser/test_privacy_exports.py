"""Every export of every page, downloaded in Chromium on a workspace holding
contacts without consent (the sample's eight plus one with a malformed
e-mail): no file holds a name or e-mail of an unconsented contact (but the
full backup, which is recorded with every contact id), each download adds
exactly one audit line, and what a file holds is what its line records.
The Daten page shows the malformed e-mail's finding without the e-mail."""

from __future__ import annotations

import html
import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from loaders import SAMPLE_PATH, load
from loaders.audit import read_audit
from loaders.workspace import make_preview, publish_preview
from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash, wait_for_drawings

pytestmark = pytest.mark.browser

HIDDEN_NAME, HIDDEN_EMAIL = "Hanna Heimlich", "hanna.heimlich(at)privat"

#: Per page: the buttons clicked (CSS selectors; ``full:`` ticks the full-backup box first), the audit
#: ``what`` each must record, and how many such buttons there must be at least.
DOWNLOADS = {
    "/?focus=institution:hlft": [("#network-export-png", "network view image", 1),
                                 ("#network-export-svg", "network view image", 1),
                                 ("#network-export-nodes", "network view nodes", 1),
                                 ("#network-export-edges", "network view edges", 1)],
    "/matchmaking?target=project:BLP-08": [("#matchmaking-btn-csv", "matchmaking shortlist", 1),
                                           ("#matchmaking-btn-xlsx", "matchmaking shortlist", 1)],
    "/kontakte": [("#contacts-dl-xlsx", "guest list", 1), ("#contacts-dl-csv", "guest list", 1),
                  ("#contacts-dl-vcf", "guest list", 1)],
    **{f"/analysen?tab={tab}": [("button.an-csv", "analytics chart", 0)]
       for tab in ("overview", "groups", "coverage", "flows", "maps", "time")},
    "/analysen?tab=export": [("#analytics-btn-graphml", "analytics graph download", 1),
                             ("#analytics-btn-gexf", "analytics graph download", 1)],
    "/daten": [("#data-btn-csv", "graph download", 1), ("#data-btn-graphml", "graph download", 1),
               ("#data-btn-gexf", "graph download", 1),
               ("#data-ws-dl-xlsx", "workspace version", 1), ("#data-ws-dl-csv", "workspace version", 1),
               ("full:#data-ws-dl-csv", "workspace version", 1)],
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("privacy") / "data"
    shutil.copytree(SAMPLE_PATH, folder)
    with (folder / "contacts.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"c900,{HIDDEN_NAME},hlft,Referentin,{HIDDEN_EMAIL},de,,,true\n")
    return folder


@pytest.fixture(scope="module")
def secrets(dataset) -> dict[str, list[str]]:
    graph = load(dataset).graph
    out = {n: [v for v in (graph.node(n).get("label"), graph.node(n).get("email")) if v]
           for n in graph.nodes("contact") if graph.node(n).get("consent") is not True}
    assert "contact:c900" in out and len(out) == 9
    return out


@pytest.fixture(scope="module")
def privacy_app(tmp_path_factory, dataset):
    ws = create_workspace(tmp_path_factory.mktemp("ws") / "ws.sqlite", sample=False)
    publish_preview(ws, make_preview(ws, dataset).token, user="test", message="sample with a hidden contact")
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    app = ServedApp("--workspace", str(ws.path), "--audit-log", str(audit)).wait(timeout=120)
    app.audit = audit
    yield app
    app.stop()


def _lines(path: Path) -> int:
    return len(read_audit(path))


def _wait_for_line(path: Path, count: int, timeout: float = 60) -> dict:
    """Wait (a condition, not a sleep) until the audit log has ``count`` lines; the last one."""
    deadline = time.monotonic() + timeout
    while _lines(path) < count:
        assert time.monotonic() < deadline, f"no audit line {count} within {timeout}s"
        time.sleep(0.05)
    return read_audit(path)[count - 1]


def _download(page, locator):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with page.expect_download(timeout=60000) as info:
            locator.click()
        return info.value
    except PlaywrightTimeout:  # a click before the page was wired: once more
        wait_for_dash(page)
        with page.expect_download(timeout=120000) as info:
            locator.click()
        return info.value


def _text(data: bytes) -> str:
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(html.unescape(zf.read(n).decode("utf-8", "replace")) for n in zf.namelist())
    return html.unescape(data.decode("utf-8", "replace"))


@pytest.mark.parametrize("path", list(DOWNLOADS))
def test_every_export_leaves_through_the_gate_and_is_recorded(privacy_app, page, tmp_path, secrets, path):
    page.goto(privacy_app.url + path)
    wait_for_dash(page)
    if path == "/kontakte":  # a guest list first (the planner's proposal; only people with consent)
        page.fill("#contacts-size", "6")
        page.click("#contacts-build")
        page.wait_for_function("() => document.querySelector('#contacts-list-count').innerText.startsWith('6 ')")
    if path.startswith("/?"):
        wait_for_drawings(page)
    checked = 0
    for selector, what, least in DOWNLOADS[path]:
        full = selector.startswith("full:")
        if full:  # the full backup: tick its box, then the CSV button
            selector = selector.removeprefix("full:")
            page.check("#data-ws-full input")
        buttons = page.locator(selector)
        assert buttons.count() >= least, selector
        for i in range(buttons.count()):
            before = _lines(privacy_app.audit)
            download = _download(page, buttons.nth(i))
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            record = _wait_for_line(privacy_app.audit, before + 1)
            text = _text(target.read_bytes())
            assert record["what"].startswith(what) and record["outcome"] == "released", (selector, record)
            assert target.suffix.lstrip(".") in (record["format"], "zip"), (target.name, record["format"])
            if full:  # the owner's full backup: every contact, every one recorded
                assert set(secrets) <= set(record["contact_ids"]) and record["rule"] == "all"
                assert HIDDEN_EMAIL in text
            else:
                assert record["rule"] == "masked" and not set(record["contact_ids"]) & set(secrets), record
                for cid, values in secrets.items():
                    assert not [v for v in values if v in text], (target.name, cid)
                for cid in record["contact_ids"]:  # recorded = in the file (by id, a guest list by name)
                    assert cid.split(":", 1)[1] in text or target.suffix in (".xlsx", ".vcf", ".png", ".svg") \
                        or path == "/kontakte", (target.name, cid)
            assert _lines(privacy_app.audit) == before + 1  # one line per download, no more
            checked += 1
    assert checked >= sum(least for _, _, least in DOWNLOADS[path])
    log = privacy_app.audit.read_text(encoding="utf-8")
    assert HIDDEN_NAME not in log and "Erika" not in log  # ids only


def test_the_analysen_tabs_offer_chart_csvs(privacy_app, page):
    """The chart CSVs above (at least 0 per tab) are not vacuous: the tabs hold ten or more."""
    found = 0
    for tab in ("overview", "groups", "coverage", "flows", "maps", "time"):
        page.goto(f"{privacy_app.url}/analysen?tab={tab}")
        wait_for_dash(page)
        found += page.locator("button.an-csv").count()
    assert found >= 10


def test_network_picture_of_a_view_with_contacts_records_them(privacy_app, page, tmp_path, secrets):
    """A view showing a consented contact by name: its PNG/SVG is recorded
    with that contact; a masked contact in the same view is not."""
    page.goto(privacy_app.url + "/?focus=contact:c001")
    wait_for_dash(page)
    wait_for_drawings(page)
    for button, suffix in (("#network-export-png", ".png"), ("#network-export-svg", ".svg")):
        before = _lines(privacy_app.audit)
        download = _download(page, page.locator(button))
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        data = target.read_bytes()
        assert target.suffix == suffix
        assert data.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in data[:500]
        record = _wait_for_line(privacy_app.audit, before + 1)
        assert "contact:c001" in record["contact_ids"] and not set(record["contact_ids"]) & set(secrets)
    screenshot(page, "privacy-network-1400")


def test_daten_page_report_names_the_finding_not_the_email(privacy_app, browser):
    """The finding about the malformed e-mail is in the report (checked in
    tests/test_report_redaction.py); the page never carries the e-mail or the name."""
    for width in (1400, 1024, 400):
        context = browser.new_context(viewport={"width": width, "height": 900})
        pg = context.new_page()
        pg.goto(privacy_app.url + "/daten")
        wait_for_dash(pg)
        pg.wait_for_selector("#data-problems .ag-row")
        page_html = pg.content()
        assert HIDDEN_EMAIL not in page_html and HIDDEN_NAME not in page_html
        screenshot(pg, f"privacy-daten-{width}")
        context.close()

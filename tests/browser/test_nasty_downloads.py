"""The server survives every nasty value: a dataset holding formulas, markup,
XML-forbidden characters, bidi overrides, emoji and a 200 KB cell
(``tests/corpus.py``) is served, and every download on every page is clicked
in Chromium. No response may be a 5xx, the server must stay up, and every
downloaded file must be valid for its format and free of formulas."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from lxml import etree

from tests.browser.browser_helpers import ServedApp, screenshot


def wait_for_dash(page, timeout: float = 120000) -> None:
    """Like browser_helpers.wait_for_dash, with room for a busy machine (the dataset holds 200 KB texts)."""
    page.wait_for_selector("#react-entry-point", state="attached", timeout=timeout)
    page.wait_for_selector("#page-content h1", state="attached", timeout=timeout)  # the page content, not only the shell
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout)
    page.wait_for_load_state("networkidle", timeout=timeout)
from tests.corpus import nasty_dataset

# Buttons that download something, by id fragment (pattern-matching ids are JSON, hence the quotes).
DOWNLOAD_SELECTOR = ", ".join(f"button[id*='{part}']" for part in (
    "export", "-dl-", "btn-csv", "btn-xlsx", "graphml", "gexf", "csv"))

#: Downloads each page offers at least (network: PNG, SVG, nodes, edges; analytics: every chart + 2 graphs).
ANALYSEN_TABS = ("overview", "groups", "coverage", "flows", "maps", "time", "export")
MINIMUM = {"/": 4, "/matchmaking": 2, "/kontakte": 3, "/analysen": 13, "/daten": 3}

PAGES = [
    ("/?focus=institution:nasty-0", None),
    ("/?focus=project:NASTY-0&lang=en", None),
    ("/matchmaking?target=project:NASTY-0", None),
    ("/kontakte", "#contacts-build"),
    ("/analysen", None),
    ("/daten", None),
    ("/daten?lang=en", None),
]


@pytest.fixture(scope="module")
def nasty_app(tmp_path_factory):
    folder = nasty_dataset(tmp_path_factory.mktemp("nasty") / "data")
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    app = ServedApp("--data", str(folder), "--audit-log", str(audit)).wait(timeout=120)
    yield app
    app.stop()


def _download(page, locator):
    """Click and return the download. A click that lands while the page is
    still wiring its callbacks (a busy machine) starts nothing: then wait for
    the page to settle and click once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        with page.expect_download(timeout=60000) as info:
            locator.click()
        return info.value
    except PlaywrightTimeout:
        wait_for_dash(page)
        with page.expect_download(timeout=120000) as info:
            locator.click()
        return info.value


def _check_file(name: str, data: bytes) -> None:
    assert data, name
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix in ("graphml", "gexf", "svg"):
        etree.fromstring(data)
    elif suffix == "xlsx":
        import openpyxl

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                if member.endswith(".xml"):
                    etree.fromstring(zf.read(member))
        openpyxl.load_workbook(io.BytesIO(data))
    elif suffix == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for member in zf.namelist():
                _check_file(member, zf.read(member))
    elif suffix == "csv":
        csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))  # the 200 KB description
        text = data.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            assert not any(cell.startswith(("=", "+", "@")) for cell in row), (name, row[:3])
    elif suffix == "vcf":
        text = data.decode("utf-8")
        assert not any(ch in text for ch in "\x00\x0b\x1b"), name


@pytest.mark.parametrize("path,setup", PAGES, ids=[p for p, _ in PAGES])
def test_every_download_on_every_page_survives_nasty_values(nasty_app, page, tmp_path, path, setup):
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    downloaded, ids = [], []
    # the Analysen page shows one tab at a time: every tab's downloads count
    views = [f"{path}?tab={tab}" for tab in ANALYSEN_TABS] if path == "/analysen" else [path]
    for view in views:
        page.goto(nasty_app.url + view)
        wait_for_dash(page)
        if setup:
            page.click(setup)
            wait_for_dash(page)
        buttons = page.locator(DOWNLOAD_SELECTOR)
        found = [buttons.nth(i).get_attribute("id") for i in range(buttons.count())]
        found = [i for i in found if i]
        ids += found
        for button_id in found:
            locator = page.locator(f"[id='{button_id}']")
            if not locator.is_visible() or not locator.is_enabled():
                continue
            download = _download(page, locator)
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            _check_file(target.name, target.read_bytes())
            downloaded.append(target.name)
            assert nasty_app.proc.poll() is None, f"server died after {button_id}"
    assert ids, f"no download button found on {path}"
    assert downloaded, f"no download clicked on {path} (buttons: {ids})"
    assert len(downloaded) >= MINIMUM[path.split("?")[0]], downloaded
    wait_for_dash(page)
    assert failures == []
    assert nasty_app.proc.poll() is None
    assert not [e for e in page.errors if "500" in e]


def test_data_page_shows_the_nasty_report_as_text(nasty_app, browser):
    """The load report of the nasty dataset renders (as text, never markup) at three widths."""
    for width in (1400, 1024, 400):
        context = browser.new_context(viewport={"width": width, "height": 900})
        pg = context.new_page()
        pg.goto(nasty_app.url + "/daten")
        wait_for_dash(pg)
        assert pg.locator("script", has_text="alert('x')").count() == 0
        screenshot(pg, f"daten-nasty-{width}")
        context.close()

"""Cross-page journeys in a real browser: from a matchmaking suggestion into
the network, from the contact finder to a person's institution in the
network, the Daten downloads in English, and the language choice surviving
navigation through the nav bar."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard.i18n import t
from dashboard.shell import NAV_ITEMS
from tests.browser.browser_helpers import screenshot, wait_for_dash
from tests.browser.test_network import cy_with_class, settle

pytestmark = pytest.mark.browser


def test_matchmaking_candidate_opens_the_network_focused_with_its_evidence(served_app, page, sample_graph):
    page.goto(served_app.url + "/matchmaking?lang=en&target=project:BLP-08")
    wait_for_dash(page)
    page.wait_for_selector(".mm-candidate")
    first = page.locator(".mm-candidate[data-node='institution:geninsa']")
    node = first.get_attribute("data-node")
    assert node == "institution:geninsa"
    link = first.locator("a.mm-name")
    href = parse_qs(urlparse(link.get_attribute("href")).query)
    evidence = set(href["highlight"][0].split(","))
    assert "project:BLP-10" in evidence and href["lang"] == ["en"]

    link.click()
    page.wait_for_url("**/?focus=**")
    settle(page)
    assert cy_with_class(page, "focus") == {node}
    assert cy_with_class(page, "highlight") == evidence
    # the details panel shows the focused institution, in English
    assert page.locator(".details-title").inner_text() == sample_graph.label(node, "en")
    details = page.locator("#network-details").inner_text()
    assert "Institution" in details and node in details
    assert page.locator("h1").inner_text() == "Network"
    screenshot(page, "qa-journey-matchmaking-to-network")
    assert page.errors == []


def test_contact_finder_leads_to_the_institution_in_the_network(served_app, page, sample_graph):
    page.goto(served_app.url + "/kontakte?lang=en")
    wait_for_dash(page)
    page.wait_for_selector("#contacts-results .ag-row")
    page.locator("#contacts-text").fill("Uwimbabazi")
    page.locator("#contacts-text").press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#contacts-results .ag-center-cols-container .ag-row').length === 1")
    page.locator("#contacts-results .ag-center-cols-container .ag-row").first.click()
    link = page.locator("#contacts-results-links a").first
    link.wait_for()
    target = parse_qs(urlparse(link.get_attribute("href")).query)
    institution = target["focus"][0]
    assert target["lang"] == ["en"] and institution.startswith("institution:")
    assert sample_graph.label(institution, "en") in link.inner_text()
    screenshot(page, "qa-journey-contacts-link")

    link.click()
    page.wait_for_url("**/?focus=**")
    settle(page)
    assert cy_with_class(page, "focus") == {institution}
    assert page.locator(".details-title").inner_text() == sample_graph.label(institution, "en")
    assert page.errors == []


def test_daten_downloads_in_english(served_app, page, tmp_path):
    page.goto(served_app.url + "/daten?lang=en")
    wait_for_dash(page)
    assert page.locator("h2", has_text="Download the network").is_visible()
    got = {}
    for label in ("CSV tables (ZIP)", "GraphML", "GEXF"):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        got[label] = path
    with zipfile.ZipFile(got["CSV tables (ZIP)"]) as zf:
        names = set(zf.namelist())
        assert {"institutions.csv", "projects.csv", "participations.csv"} <= names
        institutions = zf.read("institutions.csv").decode("utf-8-sig")
    assert institutions.count("\n") > 50
    assert b"<graphml" in got["GraphML"].read_bytes()[:2000]
    assert b"<gexf" in got["GEXF"].read_bytes()[:2000]
    assert page.errors == []


def test_language_choice_survives_navigation_through_the_nav_bar(served_app, page):
    page.goto(served_app.url + "/daten?lang=en")
    wait_for_dash(page)
    for path, key in [*NAV_ITEMS[1:], NAV_ITEMS[0], NAV_ITEMS[-1]]:  # every page, the network last but one
        page.locator(".nav-link", has_text=t(key, "en")).click()
        page.wait_for_function("(p) => location.pathname === p", arg=path)
        wait_for_dash(page)
        assert parse_qs(urlparse(page.url).query)["lang"] == ["en"], page.url
        # the nav's active mark follows the URL in a callback of its own: wait for it
        page.wait_for_function("(text) => (document.querySelector('.nav-link.active')?.innerText || '') === text",
                               arg=t(key, "en"))
        assert page.locator("h1").first.inner_text() == t(key, "en")
        assert page.locator(".brand-sub").inner_text() == t("app.subtitle", "en")
        assert page.locator(".lang-link.active").inner_text() == "EN"
    assert page.errors == []

"""Login and logout in a real browser, once per role, on a served workspace
with accounts; every page of the role renders under the Content-Security-Policy
(no violation in the console); screenshots of the login page at three widths."""

from __future__ import annotations

import re

import pytest

from graph.people.roles import Role
from tests.browser.browser_helpers import ServedApp, screenshot, wait_for_dash, wait_for_drawings, wait_for_no_overflow

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-pferd-batterie"
ROLES = ("reader", "planner", "editor", "admin")
PAGES = {"/": Role.READER, "/matchmaking": Role.READER, "/kontakte": Role.PLANNER, "/analysen": Role.READER,
         "/daten": Role.READER, "/protokoll": Role.ADMIN}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from loaders.workspace.accounts import AccountStore
    from loaders.workspace.location import create_workspace

    tmp = tmp_path_factory.mktemp("login")
    ws = create_workspace(tmp / "ws.sqlite", sample=True, user="test")
    accounts = AccountStore(ws.path)
    for role in ROLES:
        accounts.add(role, PASSWORD, role, display=f"Test {role}")
    app = ServedApp("--workspace", str(ws.path), "--audit-log", str(tmp / "audit.jsonl")).wait(timeout=120)
    yield app
    app.stop()


def _csp_violations(page) -> list[str]:
    return [e for e in page.errors if "Content Security Policy" in e or "Refused to" in e]


def _login(page, served, user: str, password: str = PASSWORD, *, start: str = "/analysen?lang=de"):
    page.goto(served.url + start)
    page.wait_for_selector("#login-form")
    page.fill("#login-user", user)
    page.fill("#login-password", password)
    page.click("#login-submit")


def test_login_page_at_three_widths(page, served):
    page.goto(served.url + "/")
    page.wait_for_selector("#login-form")
    assert page.url.startswith(served.url + "/login?next=/")
    for width in (1400, 1024, 400):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        screenshot(page, f"login-{width}")
    page.click("#login-lang")
    page.wait_for_selector("text=Sign in")
    assert _csp_violations(page) == []


def test_wrong_password_says_so(page, served):
    _login(page, served, "reader", "not-the-password")
    page.wait_for_selector("#login-message")
    assert "falsch" in page.inner_text("#login-message")
    assert page.input_value("#login-user") == "reader"


@pytest.mark.parametrize("role", ROLES)
def test_login_and_logout_per_role(page, served, role):
    _login(page, served, role)
    page.wait_for_url(re.compile(r".*/analysen\?lang=de$"))
    wait_for_dash(page)
    assert f"Test {role}" in page.inner_text("#user-box")
    level = Role.parse(role)
    nav = page.inner_text("#nav")
    assert ("Kontakte" in nav) is (level >= Role.PLANNER)
    assert ("Protokoll" in nav) is (level >= Role.ADMIN)
    for path, needed in PAGES.items():
        if level < needed:
            continue
        page.goto(f"{served.url}{path}?lang=de")
        wait_for_dash(page)
        if path in ("/analysen", "/"):
            wait_for_drawings(page, timeout=60000)
    if role == "reader":  # a page the role may not see says so
        page.goto(f"{served.url}/kontakte?lang=de")
        wait_for_dash(page)
        assert page.is_visible("#contacts-no-access")
        page.goto(f"{served.url}/protokoll?lang=de")
        wait_for_dash(page)
        assert page.is_visible("#audit-denied")
    if role == "admin":
        page.goto(f"{served.url}/protokoll?lang=de")
        wait_for_dash(page)
        page.wait_for_selector("#audit-grid .ag-row")
        assert "Anmeldung" in page.inner_text("#audit-grid")
        screenshot(page, "protokoll-1400")
    screenshot(page, f"signed-in-{role}-1400")
    if role == "planner":  # the header with the user box at narrower widths
        page.goto(f"{served.url}/matchmaking?lang=de")
        wait_for_dash(page)
        for width in (1024, 400):
            page.set_viewport_size({"width": width, "height": 900})
            assert wait_for_no_overflow(page) <= 1
            box = page.locator("#user-box").bounding_box()
            assert box["x"] + box["width"] <= width  # the user box and its sign-out button stay in view
            screenshot(page, f"signed-in-{role}-{width}")
    assert _csp_violations(page) == []
    page.click("#logout-button")
    page.wait_for_selector("#login-message")
    assert "abgemeldet" in page.inner_text("#login-message")
    page.goto(served.url + "/daten")
    page.wait_for_selector("#login-form")  # the session is gone

"""Browser-test fixtures (helpers in browser_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.browser_helpers import CHROMIUM, CHROMIUM_ARGS, ServedApp


@pytest.fixture(scope="session")
def served_app():
    """The app on the bundled sample."""
    app = ServedApp().wait()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium); .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; console errors and page errors are collected in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    context.close()



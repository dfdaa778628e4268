"""Shared fixtures: the loaded sample, a minimal dataset folder, and the
browser (Debian's Chromium through Playwright) with a fresh page per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A UI string missing from the catalogue raises instead of showing its key
# (also in the servers the browser tests start: they inherit the environment).
os.environ.setdefault("PARTNERNETZ_STRICT_MESSAGES", "1")

from tests.browser.browser_helpers import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import MINI_INSTITUTIONS, MINI_PROJECTS, write_table
from loaders import SAMPLE_PATH, load


@pytest.fixture(scope="session")
def sample():
    """The bundled sample, loaded once (do not mutate it)."""
    return load(SAMPLE_PATH)


@pytest.fixture(scope="session")
def sample_graph(sample):
    return sample.graph


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A minimal valid dataset folder: 3 institutions, 2 projects, 3 participations."""
    folder = tmp_path / "mini"
    write_table(folder, "institutions", MINI_INSTITUTIONS)
    write_table(folder, "projects", MINI_PROJECTS)
    write_table(folder, "themes", [["id", "name_de", "name_en"], ["water", "Wasser", "Water"]])
    write_table(folder, "participations", [
        ["project", "institution", "role"],
        ["P1", "uni-a", "lead"], ["P1", "min-c", "partner"], ["P2", "ngo-b", "implementing"],
    ])
    return folder


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



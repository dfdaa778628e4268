"""Browser-test fixtures (helpers in browser_helpers.py; ``browser`` and
``page`` live in tests/conftest.py, shared with the query-mode browser test
in tests/neo4j)."""

from __future__ import annotations

import pytest

from loaders.workspace.location import create_workspace
from tests.browser.browser_helpers import ServedApp


@pytest.fixture(scope="session")
def served_app():
    """The app on the bundled sample."""
    app = ServedApp().wait()
    yield app
    app.stop()


@pytest.fixture
def workspace_app(tmp_path):
    """The app on a fresh workspace made from the sample (``app.ws``), in ``tmp_path`` (``app.tmp``)."""
    ws = create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")
    app = ServedApp("--workspace", str(ws.path)).wait(120)
    app.ws, app.tmp = ws, tmp_path
    yield app
    app.stop()

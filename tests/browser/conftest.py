"""Browser-test fixtures (helpers in browser_helpers.py; ``browser`` and
``page`` live in tests/conftest.py, shared with the query-mode browser test
in tests/neo4j)."""

from __future__ import annotations

import pytest

from tests.browser.browser_helpers import ServedApp


@pytest.fixture(scope="session")
def served_app():
    """The app on the bundled sample."""
    app = ServedApp().wait()
    yield app
    app.stop()

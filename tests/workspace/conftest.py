"""Fixtures of the workspace tests: a fresh workspace on the sample or on a tiny dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.workspace import WorkspaceFile, make_preview, publish_preview
from loaders.workspace.location import create_workspace


@pytest.fixture
def sample_ws(tmp_path: Path) -> WorkspaceFile:
    """A workspace created from the bundled sample (version 1)."""
    return create_workspace(tmp_path / "ws.sqlite", sample=True, user="test")


@pytest.fixture
def mini_ws(tmp_path: Path, mini: Path) -> WorkspaceFile:
    """A workspace holding the ``mini`` dataset as version 1."""
    ws = create_workspace(tmp_path / "mini.sqlite", sample=False)
    publish_preview(ws, make_preview(ws, mini).token, user="test", message="mini")
    return ws

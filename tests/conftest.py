"""Shared fixtures: the loaded sample and a minimal dataset folder."""

from __future__ import annotations

from pathlib import Path

import pytest

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

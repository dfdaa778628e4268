"""The code's map holds: the import-linter contracts in pyproject.toml (the
layering of ``graph``, what ``graph`` and ``loaders`` must not import), no
import cycle among the project's modules, and no write to ``PartnerGraph.nx``
outside the model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

from tests.helpers import ROOT

PACKAGES = ("graph", "dashboard", "loaders")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    """Run the ``lint-imports`` command (installed with import-linter) in ``cwd``."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]
    return subprocess.run([*command, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "5 kept" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("graph/core/text.py", "import graph.view", "graph layers"),
    ("graph/explore/paths.py", "from graph.store import MemoryStore", "graph layers"),
    ("graph/analysis/flows.py", "import graph.people.contacts", "graph layers"),
    ("graph/people/events.py", "import loaders", "graph is pure domain logic"),
    ("loaders/report.py", "import dashboard.i18n", "loaders never import the dashboard"),
    ("dashboard/components.py", "import neo4j", "only the Neo4j store"),
    ("dashboard/ids.py", "import dashboard.components", "no import cycles"),
])
def test_the_contracts_catch_a_wrong_import(tmp_path, module, line, broken):
    """The same configuration on a copy of the code with one wrong import added."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "assets"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # wrong on purpose\n")
    if module == "dashboard/ids.py":  # close a cycle: components -> ids -> components
        comp = tmp_path / "dashboard/components.py"
        comp.write_text(comp.read_text() + "\nimport dashboard.ids  # wrong on purpose\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "Broken contracts" in result.stdout, result.stdout
    assert broken in result.stdout.split("Broken contracts", 1)[1], result.stdout


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import each other in a cycle (also through
    imports inside functions), sorted."""
    edges = nx.DiGraph()
    for module in graph.modules:
        edges.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    return sorted(sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1)


def test_import_cycles_are_found():
    g = grimp.ImportGraph()
    for importer, imported in (("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")):
        g.add_import(importer=importer, imported=imported)
    assert import_cycles(g) == [["a.x", "a.y", "a.z"]]


def test_no_import_cycle_among_the_project_modules():
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert len(graph.modules) > 60
    assert import_cycles(graph) == []
    # app.py is the entry point: nothing in the packages imports it back
    assert not any("app" in graph.find_modules_directly_imported_by(m) for m in graph.modules)

"""The code's map holds: the import-linter contracts in pyproject.toml (the
layering of ``graph``, what ``graph`` and ``loaders`` must not import), no
import cycle among the project's modules, and no write to ``PartnerGraph.nx``
outside the model."""

from __future__ import annotations

import ast
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


# ------------------------------------------------------------ writes to .nx
#: Methods that change a networkx graph or one of its attribute dicts.
MUTATORS = frozenset({
    "add_node", "add_nodes_from", "add_edge", "add_edges_from", "add_weighted_edges_from", "update",
    "remove_node", "remove_nodes_from", "remove_edge", "remove_edges_from", "clear", "clear_edges",
    "pop", "popitem", "setdefault", "__setitem__", "__delitem__",
})
#: The one module allowed to write to ``PartnerGraph.nx`` (it bumps the generation the caches key on).
MODEL = "graph/core/model.py"


def _reaches_nx(node: ast.AST, tainted: set[str], *, calls: bool = True) -> bool:
    """Whether an expression is (part of) ``<x>.nx`` or of a name bound to it,
    following attributes, subscripts and (with ``calls``) method calls, never
    call arguments (``dict(g.nx.nodes[n])`` is a copy)."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr == "nx":
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif calls and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        elif isinstance(node, ast.Name):
            return node.id in tainted
        else:
            return False


def _names(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def nx_writes(source: str) -> list[int]:
    """Line numbers of writes to ``<graph>.nx`` in ``source``: mutating calls
    and assignments on ``x.nx`` itself, on anything reached from it, or on a
    name bound to such a thing (``attrs = g.nx.nodes[n]; attrs["label"] = …``,
    ``for n, attrs in g.nx.nodes(data=True)``).

    >>> nx_writes("g.nx.add_node(1)\\nd = g.nx.nodes[1]\\nd['x'] = 2\\nprint(dict(g.nx.nodes[1]))")
    [1, 3]
    """
    lines: set[int] = set()
    for scope in _scopes(ast.parse(source)):
        lines.update(_scope_writes(scope))
    return sorted(lines)


def _scopes(tree: ast.AST) -> list[list[ast.AST]]:
    """The nodes of the module body and of each function, each function's own
    (names are bound per scope)."""
    scopes: list[list[ast.AST]] = []

    def collect(body: list[ast.AST]) -> None:
        nodes: list[ast.AST] = []
        todo = list(body)
        while todo:
            node = todo.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                collect(node.body if isinstance(node.body, list) else [node.body])
                continue
            nodes.append(node)
            todo.extend(ast.iter_child_nodes(node))
        scopes.append(nodes)

    collect(tree.body)
    return scopes


def _scope_writes(nodes: list[ast.AST]) -> set[int]:
    tainted: set[str] = set()
    for _ in range(2):  # a name bound from another tainted name
        for node in nodes:
            if isinstance(node, ast.Assign) and _reaches_nx(node.value, tainted, calls=False):
                tainted.update(n for t in node.targets if isinstance(t, (ast.Name, ast.Tuple)) for n in _names(t))
            elif isinstance(node, (ast.For, ast.comprehension)) and _reaches_nx(node.iter, tainted):
                tainted.update(_names(node.target))
    lines = set()
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS:
            if _reaches_nx(node.func.value, tainted):
                lines.add(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)) and (
                        _reaches_nx(t, tainted) or (isinstance(t, ast.Attribute) and t.attr == "_generation")):
                    lines.add(node.lineno)
    return lines


def test_the_scan_finds_writes_through_aliases():
    source = "\n".join([
        "g.nx.nodes['a']['label'] = 'x'",          # 1
        "g.nx = other",                            # 2
        "for n, attrs in g.nx.nodes(data=True):",  # 3
        "    attrs.pop('email', None)",            # 4
        "G = graph.nx",                            # 5
        "G.remove_edge('a', 'b', 'k')",            # 6
        "g._generation += 1",                      # 7
        "copy = dict(g.nx.nodes['a']); copy['x'] = 1; counts.update(g.nx.nodes)",  # 8: no write
        "print(g.nx.nodes['a'].get('label'))",     # 9: no write
        "def f(h):",                               # 10: another scope: attrs is not g's here
        "    for _, attrs in h.nodes(data=True):",
        "        attrs.pop('x')",
    ])
    assert nx_writes(source) == [1, 2, 4, 6, 7]


def test_nothing_writes_to_the_networkx_graph_outside_the_model():
    files = [ROOT / "app.py", *[p for d in (*PACKAGES, "tests", "benchmarks") for p in (ROOT / d).rglob("*.py")]]
    found = {}
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel == MODEL or rel == "tests/test_architecture.py":
            continue
        lines = nx_writes(path.read_text())
        if lines:
            found[rel] = lines
    assert found == {}, f"write through PartnerGraph's methods instead: {found}"

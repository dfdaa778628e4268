"""Build the partner graph from a workspace version (what the app serves).

The stored rows are validated by the same loader as files
(:func:`loaders.tabular.build_graph`), so a workspace and the CSV tables it
was imported from give the same graph; findings name the workspace table.
"""

from __future__ import annotations

from loaders.reading import RawTable
from loaders.schema import TABLE_ORDER
from loaders.tabular import LoadResult, build_graph, gc_paused
from loaders.workspace.history import state_at
from loaders.workspace.keys import columns
from loaders.workspace.store import WorkspaceFile

__all__ = ["load_workspace", "raw_tables", "version_label", "version_source", "table_file"]


def raw_tables(state: dict[str, dict[str, dict[str, str]]] | dict[str, list[tuple[int, dict[str, str]]]], *,
               label: str) -> dict[str, RawTable]:
    """Stored rows as the loader's raw tables: ``{key: row}`` per table
    (numbered from 2, as in a sheet) or ``[(number, row), …]`` (numbered
    already, see :meth:`WorkspaceFile.read_head_numbered`)."""
    raw = {}
    for table in TABLE_ORDER:
        rows = state.get(table) or {}
        if rows or table in ("institutions", "projects"):
            numbered = list(enumerate(rows.values(), start=2)) if isinstance(rows, dict) else rows
            raw[table] = RawTable(table, table_file(label, table), list(columns(table)), rows=numbered,
                                  encoding="workspace")
    return raw


def version_label(ws: WorkspaceFile, version: int) -> str:
    """How findings name a version's tables: ``<file name> v<version>``."""
    return f"{ws.path.name} v{version}"


def table_file(label: str, table: str) -> str:
    return f"{label}/{table}"


def load_workspace(ws: WorkspaceFile, version: int | None = None) -> tuple[int, LoadResult]:
    """``(version, LoadResult)`` of ``version`` (default: the head, read in one transaction)."""
    with gc_paused():
        if version is None:  # the head: rows numbered by rowid (see read_head_numbered)
            version, state = ws.read_head_numbered()
        else:
            state = state_at(ws, version)
        result = build_graph(raw_tables(state, label=version_label(ws, version)), source=version_source(ws, version))
    result.graph.meta["workspace_version"] = version
    return version, result


def version_source(ws: WorkspaceFile, version: int) -> str:
    """The load report's ``source`` of a version."""
    return f"{ws.path} (Version {version})"

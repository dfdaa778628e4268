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

__all__ = ["load_workspace", "raw_tables"]


def raw_tables(state: dict[str, dict[str, dict[str, str]]], *, label: str) -> dict[str, RawTable]:
    """Stored rows as the loader's raw tables (row numbers count from 2, as in a sheet)."""
    raw = {}
    for table in TABLE_ORDER:
        rows = state.get(table) or {}
        if rows or table in ("institutions", "projects"):
            raw[table] = RawTable(table, f"{label}/{table}", list(columns(table)),
                                  rows=list(enumerate(rows.values(), start=2)), encoding="workspace")
    return raw


def load_workspace(ws: WorkspaceFile, version: int | None = None) -> tuple[int, LoadResult]:
    """``(version, LoadResult)`` of ``version`` (default: the head, read in one transaction)."""
    with gc_paused():
        if version is None:
            version, state = ws.read_head_state()
        else:
            state = state_at(ws, version)
        label = f"{ws.path.name} v{version}"
        result = build_graph(raw_tables(state, label=label), source=f"{ws.path} (Version {version})")
    result.graph.meta["workspace_version"] = version
    return version, result

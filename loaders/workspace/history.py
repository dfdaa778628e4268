"""Earlier versions of a workspace, rebuilt from the change journal.

* :func:`state_at` — the whole state of version ``n``: the current tables with
  the journal undone from the head back to ``n``;
* :func:`diff_versions` — the changes between two versions, from the journal
  entries between them only (no full rebuild);
* :func:`revert` — make the state of version ``n`` current again, as a new
  version of kind ``revert`` (nothing is ever rewritten).
"""

from __future__ import annotations

from loaders.schema import TABLE_ORDER
from loaders.tabular import gc_paused
from loaders.workspace.diff import Change, diff_states
from loaders.workspace.store import SNAPSHOT, Version, WorkspaceError, WorkspaceFile

__all__ = ["state_at", "diff_versions", "revert", "check_version"]


def check_version(ws: WorkspaceFile, n: int, *, allow_zero: bool = True) -> int:
    """``n`` when it is a version of ``ws`` (0 = the empty start), else :class:`WorkspaceError`."""
    head = ws.head()
    if not (0 if allow_zero else 1) <= n <= head:
        raise WorkspaceError(f"no version {n}: the workspace has versions 1–{head}" if head else
                             f"no version {n}: the workspace has no versions yet")
    return n


def state_at(ws: WorkspaceFile, n: int) -> dict[str, dict[str, dict[str, str]]]:
    """``{table: {key: row}}`` as it was at version ``n`` (0: empty)."""
    check_version(ws, n)
    with gc_paused():
        state = ws.state()  # the journal is read after: a publish in between would only add entries we undo too
        for _version, table, key, op, before, _after in reversed(ws.journal(n, None)):
            rows = state.setdefault(table, {})
            if op == SNAPSHOT:  # the table was empty before this bulk fill
                rows.clear()
            elif op == "insert":
                rows.pop(key, None)
            else:
                rows[key] = before
        return state


def diff_versions(ws: WorkspaceFile, a: int, b: int) -> list[Change]:
    """Changes that turn version ``a`` into version ``b`` (either order), tables in load order."""
    check_version(ws, a)
    check_version(ws, b)
    lo, hi = min(a, b), max(a, b)
    entries = ws.journal(lo, hi)
    if any(op == SNAPSHOT for _v, _t, _k, op, _b, _a in entries):
        # a bulk fill journals no rows: compare the two reconstructed states
        with gc_paused():
            return diff_states(state_at(ws, a), state_at(ws, b))
    first: dict[tuple[str, str], dict | None] = {}
    last: dict[tuple[str, str], dict | None] = {}
    for _version, table, key, op, before, after in entries:
        first.setdefault((table, key), before if op != "insert" else None)
        last[(table, key)] = after if op != "delete" else None
    changes = []
    order = {t: i for i, t in enumerate(TABLE_ORDER)}
    for table, key in sorted(first, key=lambda tk: (order[tk[0]], tk[1])):
        old, new = first[(table, key)], last[(table, key)]
        if a > b:
            old, new = new, old
        if old == new:
            continue
        op = "insert" if old is None else "delete" if new is None else "update"
        changes.append(Change(table, key, op, old, new))
    return changes


def revert(ws: WorkspaceFile, n: int, *, user: str, message: str = "") -> Version:
    """Publish the state of version ``n`` as a new version (kind ``revert``)."""
    check_version(ws, n)
    head = ws.head()
    changes = diff_versions(ws, head, n)
    if not changes:
        raise WorkspaceError(f"version {n} has the same data as the current version {head}: nothing to revert")
    return ws.publish(changes, base=head, user=user, message=message or f"Zurück auf Version {n} / revert to version {n}",
                      kind="revert", source=f"version {n}")

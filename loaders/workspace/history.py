"""Earlier versions of a workspace, rebuilt from the change journal.

* :func:`state_at` — the whole state of version ``n``: the current tables with
  the journal undone from the head back to ``n``;
* :func:`diff_versions` — the changes between two versions, from the journal
  entries between them only (no full rebuild);
* :func:`revert` — make the state of version ``n`` current again, as a new
  version of kind ``revert`` (nothing is ever rewritten). An erased person
  (a tombstone, :func:`loaders.workspace.consent.erase_person`) stays erased:
  their record and the rows referring to it are not brought back, and the
  result (:class:`RevertedVersion`) and the version's message say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.schema import TABLE_ORDER, TABLES, ColumnType
from loaders.tabular import gc_paused
from loaders.workspace.diff import Change, diff_states
from loaders.workspace.store import SNAPSHOT, Version, WorkspaceError, WorkspaceFile

__all__ = ["state_at", "diff_versions", "revert", "check_version", "RevertedVersion", "KEPT_ERASED_NOTE"]


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


@dataclass(frozen=True)
class RevertedVersion(Version):
    """The version a revert made; ``kept_erased``: ``table/key`` of erased
    records (and rows referring to them) the earlier version held but the
    revert did not bring back."""

    kept_erased: tuple[str, ...] = ()


#: Added to a revert's version message when erased persons stayed erased (no names: only how many).
KEPT_ERASED_NOTE = " (gelöschte Personen bleiben gelöscht / erased persons stay erased: {n})"


def _tombstoned(ws: WorkspaceFile) -> set[tuple[str, str]]:
    with ws.connect() as con:
        return {(t, k) for t, k in con.execute("SELECT tbl, key FROM tombstones")}


#: (column, referenced table) of every reference column, per table.
_REF_COLUMNS = {t: [(c.name, c.ref) for c in TABLES[t].columns if c.type is ColumnType.REF and c.ref] for t in TABLE_ORDER}


def _brings_back(change: Change, erased: set[tuple[str, str]]) -> bool:
    """Whether ``change`` would put an erased record (or a row referring to one) back."""
    if change.after is None:
        return False
    if (change.table, change.key) in erased:
        return True
    return any((ref, (change.after.get(column) or "").strip()) in erased for column, ref in _REF_COLUMNS[change.table])


def revert(ws: WorkspaceFile, n: int, *, user: str, message: str = "") -> RevertedVersion:
    """Publish the state of version ``n`` as a new version (kind ``revert``).

    Erased persons stay erased (see the module docstring): raises
    :class:`WorkspaceError` when they are all that differs."""
    check_version(ws, n)
    head = ws.head()
    changes = diff_versions(ws, head, n)
    if not changes:
        raise WorkspaceError(f"version {n} has the same data as the current version {head}: nothing to revert")
    erased = _tombstoned(ws)
    held = [c for c in changes if _brings_back(c, erased)] if erased else []
    changes = [c for c in changes if c not in held]
    kept = tuple(f"{c.table}/{c.key}" for c in held)
    if not changes:
        raise WorkspaceError(f"version {n} differs from the current version {head} only by erased records "
                             f"({', '.join(kept)}), which stay erased: nothing to revert")
    message = message or f"Zurück auf Version {n} / revert to version {n}"
    if held:
        message += KEPT_ERASED_NOTE.format(n=len(held))
    version = ws.publish(changes, base=head, user=user, message=message, kind="revert", source=f"version {n}")
    return RevertedVersion(**version.to_dict(), kept_erased=kept)

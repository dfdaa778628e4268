"""Saving edits from the dashboard and the API: one path for both.

Checks the role (:mod:`dashboard.access`), writes through
:mod:`loaders.workspace.editing` (validation, one version per save) and
then makes the new version live in this process before answering
(:func:`go_live`); every other serving process picks it up on its next
request (``dashboard/live.py``).

In query mode (``serve --neo4j-uri … --workspace …``) the new version is
also written to Neo4j in one transaction
(:func:`loaders.workspace.shared_history.write_edit`) — the change, its
shared-history record and, for an erasure, the person scrubbed from that
history — and every instance sees it at its next version check. When Neo4j
cannot be written, the save stays in the workspace, ``live`` is False and a
warning (code ``store``) names the cause; the next save writes both.
"""

from __future__ import annotations

from typing import Any, Callable

from dashboard.access import Identity, audit_event, contact_rule_for, require_role
from dashboard.context import current
from dashboard.live import live_of
from loaders.workspace.editing import EditError, FieldProblem
from loaders.workspace.store import WorkspaceFile

__all__ = ["workspace", "require_workspace", "save", "go_live", "CONTACT_PERSONAL", "visible_row", "LIVE_WAIT",
           "store_note"]

#: Seconds a save waits for its version to go live in this process (settings.extra["edit_live_wait"] overrides).
LIVE_WAIT = 10.0

#: Columns of a contact row that identify the person (masked or erased).
CONTACT_PERSONAL = ("name", "email", "languages", "consent_source")


def workspace() -> WorkspaceFile | None:
    """The workspace this app serves (None when it serves files read-only)."""
    path = current().settings.workspace
    return WorkspaceFile(path) if path else None


def require_workspace() -> WorkspaceFile:
    ws = workspace()
    if ws is None:
        raise EditError([FieldProblem(None, None, "read-only: this app serves files, not a workspace "
                                      "(serve with --workspace to edit)", "read_only")], status=409)
    return ws


def go_live(version: int, timeout: float | None = None) -> bool:
    """Wait (at most ``timeout`` s) until this process serves ``version`` or newer (swapped in: the
    warm-ups of a large graph's indexes may still run); True when it does."""
    live = live_of()
    if live is None:
        return False
    if timeout is None:
        timeout = float(current().settings.extra.get("edit_live_wait", LIVE_WAIT))
    return live.wait_live(version, timeout)


def save(action: Callable[..., Any], *args: Any, min_role: str = "editor", **kwargs: Any) -> tuple[Any, Identity, bool]:
    """Run ``action(ws, *args, user=<identity>, **kwargs)`` for an identity of at least ``min_role``;
    ``(result, identity, live)``."""
    identity = require_role(min_role)
    ws = require_workspace()
    result = action(ws, *args, user=identity.name, **kwargs)
    version = getattr(getattr(result, "version", None), "id", None)
    if version is not None:  # the audit trail names the version (its journal entries say what changed)
        audit_event("edit", what=f"{getattr(result, 'table', '')} {getattr(result, 'key', '')}".strip(),
                    version=version, source=result.version.source)
    if version is not None and hasattr(current().store, "primary"):  # query mode: Neo4j answers every instance
        result, live = _write_to_store(ws, result)
        return result, identity, live
    live = go_live(version) if version is not None else False
    return result, identity, live


def _write_to_store(ws: WorkspaceFile, result: Any) -> tuple[Any, bool]:
    """Query mode: write the version ``result`` made to Neo4j; ``(result, written)``,
    the result with a ``store`` warning when it could not be written."""
    import dataclasses

    from graph.core.errors import StoreError
    from loaders.workspace.shared_history import write_edit

    ctx = current()
    primary = ctx.store.primary
    erase = (f"contact:{result.key}",) if result.version.source == "erase" else ()
    try:
        if primary is None:
            raise StoreError(ctx.store.notice or "no Neo4j connection")
        write_edit(primary, ws, result.version, contacts=not ctx.settings.no_contacts,
                   audit_log=ctx.settings.audit_log, erase=erase)
    except StoreError as exc:
        from graph.core.errors import StoreUnavailable

        if isinstance(exc, StoreUnavailable) and primary is not None:
            ctx.store.fail(str(exc))  # every page's banner says Neo4j is not answering (retried as usual)
        problem = FieldProblem(None, None, f"saved as version {result.version.id} in the workspace, not yet written "
                               f"to Neo4j ({exc}); the next save writes it", "store")
        if dataclasses.is_dataclass(result) and hasattr(result, "warnings"):
            result = dataclasses.replace(result, warnings=tuple(result.warnings) + (problem,))
        return result, False
    return result, True


def store_note(result: Any, lang: str) -> str:
    """Query mode: the sentence to add to a save's confirmation when the
    version could not be written to Neo4j ("" when it was, or outside query mode)."""
    from dashboard.i18n import t

    for w in getattr(result, "warnings", ()):
        if w.code == "store":
            why = w.message.split(" (", 1)[-1].rsplit("); ", 1)[0]
            return " " + t("edit.not_in_store", lang, why=why)
    return ""


def visible_row(table: str, row: dict[str, str], identity: Identity) -> dict[str, str]:
    """``row`` as ``identity`` may see it: a contact's personal columns are
    emptied (the name replaced by the masked label) for roles below planner
    and, for every role, for contacts the served graph masks (no, withdrawn or
    expired consent): withdrawal masks the person everywhere at once."""
    if table != "contacts":
        return row
    from graph.people.privacy import MASKED_LABEL

    node = current().graph.nx.nodes.get(f"contact:{row.get('id', '')}")
    masked_by_consent = node is None or bool(node.get("masked"))
    if contact_rule_for(identity) != "none" and not masked_by_consent:
        return row
    return {**row, **{c: "" for c in CONTACT_PERSONAL}, "name": MASKED_LABEL}

"""Query mode: a published version goes to Neo4j, and so does its record.

With ``--neo4j-uri`` several app instances answer from one Neo4j database. A
publish (or revert) in any of them first commits to that instance's workspace
file (the transaction and the journal stay local), then

1. pushes the new version's graph with the store's public :meth:`push`
   (idempotent: what the version no longer holds is removed), and
2. appends a version record to the database's shared history: a
   ``PartnernetzVersion`` node with a database-wide sequence number, who,
   when, message, kind, counts per table and a one-line diff summary, plus
   the instance and its local version number.

Every instance lists that shared history (:func:`shared_versions`), so all
see one history. What stays embedded-only (in the instance's own workspace
file): the row journal, the diff between two versions, revert and the
download of earlier versions.

The records are plain nodes outside the graph Partnernetz pushes (they do not
carry its ``Partnernetz`` label), so a pull never reads them and a push never
removes them. Statements are parametrised; this module only needs the store's
``driver`` and ``database`` and its public ``push``.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

from graph.core.errors import StoreError
from loaders.workspace.store import Version, WorkspaceFile

__all__ = ["RECORD_LABEL", "SharedVersion", "summary_line", "record_version", "shared_versions", "publish_to_store",
           "instance_name"]

#: Label of the version records (and ``PartnernetzHistory`` of the one counter node).
RECORD_LABEL = "PartnernetzVersion"
_COUNTER_LABEL = "PartnernetzHistory"

# On Neo4j, MERGE creates one counter node even when two transactions merge
# it at once only under a uniqueness constraint (measured: without it, two
# concurrent first publishes each created one and both got number 1).
_COUNTER_CONSTRAINT = (
    f"CREATE CONSTRAINT partnernetz_history_counter IF NOT EXISTS FOR (h:{_COUNTER_LABEL}) REQUIRE h.name IS UNIQUE"
)
# The counter node is locked (a write) before it is read, so two instances
# publishing at once get consecutive numbers, never the same one.
_APPEND = (
    f"MERGE (h:{_COUNTER_LABEL} {{name: 'history'}}) "
    "SET h.lock = true "
    "WITH h SET h.seq = coalesce(h.seq, 0) + 1 "
    f"CREATE (v:{RECORD_LABEL} {{seq: h.seq, instance: $instance, workspace_version: $workspace_version, "
    "time: $time, user: $user, message: $message, kind: $kind, counts: $counts, summary: $summary, source: $source}) "
    "RETURN v.seq AS seq"
)
_LIST = (
    f"MATCH (v:{RECORD_LABEL}) RETURN v.seq AS seq, v.instance AS instance, v.workspace_version AS workspace_version, "
    "v.time AS time, v.user AS user, v.message AS message, v.kind AS kind, v.counts AS counts, v.summary AS summary, "
    "v.source AS source ORDER BY v.seq DESC LIMIT $limit"
)


@dataclass(frozen=True)
class SharedVersion:
    """One record of the shared history in Neo4j."""

    seq: int
    instance: str
    workspace_version: int
    time: str
    user: str
    message: str
    kind: str
    counts: dict[str, dict[str, int]]
    summary: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "instance": self.instance, "workspace_version": self.workspace_version,
                "time": self.time, "user": self.user, "message": self.message, "kind": self.kind,
                "counts": self.counts, "summary": self.summary, "source": self.source}


def summary_line(counts: dict[str, dict[str, int]]) -> str:
    """``projects +1 ~0 −0, participations +1 ~0 −0`` (tables in load order).

    >>> summary_line({"projects": {"added": 1, "changed": 2, "removed": 0, "rows": 25}})
    'projects +1 ~2 −0'
    """
    return ", ".join(f"{t} +{c.get('added', 0)} ~{c.get('changed', 0)} −{c.get('removed', 0)}" for t, c in counts.items())


def instance_name(ws: WorkspaceFile) -> str:
    """How an instance is named in the shared history: host and workspace file."""
    return f"{socket.gethostname()}:{ws.path}"


def _session(store):
    database = getattr(store, "database", None)
    return store.driver.session(database=database) if database else store.driver.session()


def _run(store, query: str, params: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
    def work(tx):
        return [r.data() for r in tx.run(query, params)]

    try:
        with _session(store) as session:
            return session.execute_write(work) if write else session.execute_read(work)
    except StoreError:
        raise
    except Exception as exc:  # the driver's errors, without importing it here (only the store does)
        where = getattr(store, "uri", "the Neo4j server")
        raise StoreError(f"{where}: the shared version history could not be "
                         f"{'written' if write else 'read'} ({type(exc).__name__}: {exc})") from None


def _ensure_counter(store) -> None:
    """The counter's uniqueness constraint (Neo4j only; once per store object)."""
    dialect = getattr(getattr(store, "dialect", None), "name", "neo4j")
    if dialect != "neo4j" or getattr(store, "_pn_history_counter", False):
        return
    try:
        with _session(store) as session:
            session.run(_COUNTER_CONSTRAINT).consume()
    except Exception:  # noqa: BLE001 – the driver's errors; appending still works, numbers may then repeat
        return
    try:
        store._pn_history_counter = True
    except AttributeError:
        pass


def record_version(store, version: Version, *, instance: str) -> int:
    """Append ``version`` to the shared history; return its sequence number there."""
    _ensure_counter(store)
    rows = _run(store, _APPEND, {
        "instance": instance, "workspace_version": version.id, "time": version.time, "user": version.user,
        "message": version.message, "kind": version.kind, "counts": json.dumps(version.counts, ensure_ascii=False),
        "summary": summary_line(version.counts), "source": version.source,
    }, write=True)
    return int(rows[0]["seq"])


def shared_versions(store, *, limit: int = 500) -> list[SharedVersion]:
    """The shared history, newest first (at most ``limit`` records)."""
    out = []
    for r in _run(store, _LIST, {"limit": int(limit)}, write=False):
        try:
            counts = json.loads(r.get("counts") or "{}")
        except ValueError:
            counts = {}
        out.append(SharedVersion(int(r["seq"]), str(r.get("instance") or ""), int(r.get("workspace_version") or 0),
                                 str(r.get("time") or ""), str(r.get("user") or ""), str(r.get("message") or ""),
                                 str(r.get("kind") or ""), counts, str(r.get("summary") or ""), str(r.get("source") or "")))
    return out


def publish_to_store(store, ws: WorkspaceFile, version: Version, *, contacts: bool = True,
                     audit_log: str | None = None) -> int:
    """Push ``version`` of ``ws`` (its graph, with the store's public push) and record it; return the record's number.

    ``contacts=False`` pushes the graph without contacts (an instance serving
    ``--no-contacts``); otherwise the contacts pushed (personal data leaving
    the workspace) are recorded in ``audit_log`` when given.
    """
    from loaders import egress
    from loaders.workspace.building import load_workspace

    _, result = load_workspace(ws, version.id)
    payload = egress.GraphPayload(result.graph, "neo4j", what=f"workspace version {version.id} pushed to Neo4j")
    rule = egress.rule_for(no_contacts=not contacts, user_rule="all")
    # the contacts about to be written are recorded before the push, its outcome after
    with egress.transfer(payload, user=version.user, audit=audit_log, rule=rule,
                         target=getattr(store, "uri", "neo4j")) as decision:
        store.push(payload.restricted(decision))
    return record_version(store, version, instance=instance_name(ws))

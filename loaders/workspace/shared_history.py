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

An **edit** (one record saved, merged, undone, a consent withdrawn, a person
erased) is not pushed whole: :func:`write_edit` writes what changed since the
version this instance last wrote to Neo4j — nodes and relationships, the
version record, and for an erasure the person's name and e-mail scrubbed from
every record of the shared history — in **one** Neo4j transaction.

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
           "instance_name", "write_edit", "EditWritten"]

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
# The newest workspace version an instance wrote to Neo4j (the base of its next edit).
_LAST_OF_INSTANCE = (
    f"MATCH (v:{RECORD_LABEL}) WHERE v.instance = $instance RETURN max(v.workspace_version) AS version"
)
# An erasure: the person's name or e-mail replaced in every record of the shared history.
_SCRUB = (
    f"MATCH (v:{RECORD_LABEL}) WHERE v.message CONTAINS $secret OR v.summary CONTAINS $secret "
    "SET v.message = replace(v.message, $secret, $erased), v.summary = replace(v.summary, $secret, $erased) "
    "RETURN count(v) AS scrubbed"
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


@dataclass(frozen=True)
class EditWritten:
    """How an edit reached Neo4j: its shared-history number, whether it was
    written as a change (``delta``) or the whole version pushed (``push``, when
    this instance had written nothing before), and what was written."""

    seq: int
    how: str
    counts: dict[str, int]
    seconds: float


#: The graph of the version an instance wrote last, per workspace file (the next edit's base).
_BASE: dict[str, tuple[int, Any]] = {}


def write_edit(store, ws: WorkspaceFile, version: Version, *, contacts: bool = True, audit_log: str | None = None,
               erase: tuple[str, ...] = ()) -> EditWritten:
    """Write the edit that made ``version`` of ``ws`` to Neo4j in one
    transaction and record it in the shared history (same transaction).

    What is written is the change from the version this instance last wrote
    (its newest record in the shared history) to ``version``, so an edit
    whose write failed (Neo4j down) is written with the next one. An
    instance that never wrote to this database pushes the whole version
    (:func:`publish_to_store`). ``erase``: node ids of erased people (their
    name and e-mail as Neo4j holds them are also replaced in every shared
    history record). ``contacts=False`` (``--no-contacts``): no contact is
    written; otherwise the contacts written are recorded in ``audit_log``.
    """
    import time

    from graph.people.privacy import without_contacts
    from loaders import egress
    from loaders.workspace.building import load_workspace
    from loaders.workspace.consent import ERASED

    started = time.perf_counter()
    instance = instance_name(ws)
    rows = _run(store, _LAST_OF_INSTANCE, {"instance": instance}, write=False)
    base = rows[0]["version"] if rows else None
    if base is None or int(base) >= version.id:
        seq = publish_to_store(store, ws, version, contacts=contacts, audit_log=audit_log)
        return EditWritten(seq, "push", {}, time.perf_counter() - started)
    base = int(base)
    with ws.connect() as con:  # people erased since the base (also when that erasure's own write failed)
        erase = tuple(sorted(set(erase) | {f"contact:{key}" for (key,) in con.execute(
            "SELECT key FROM tombstones WHERE tbl = 'contacts' AND version > ? AND version <= ?",
            (base, version.id))}))
    kept = _BASE.get(str(ws.path))
    old = kept[1] if kept is not None and kept[0] == base else load_workspace(ws, base)[1].graph
    new = load_workspace(ws, version.id)[1].graph
    if not contacts:
        old, new = without_contacts(old), without_contacts(new)
    delta = store.delta(old, new)
    written = new.copy(delta.written_ids & set(new.nx))
    payload = egress.GraphPayload(written, "neo4j", what=f"workspace version {version.id} (edit) written to Neo4j")
    rule = egress.rule_for(no_contacts=not contacts, user_rule="all")
    params = {"instance": instance, "workspace_version": version.id, "time": version.time, "user": version.user,
              "message": version.message, "kind": version.kind,
              "counts": json.dumps(version.counts, ensure_ascii=False), "summary": summary_line(version.counts),
              "source": version.source}
    seqs: list[int] = []

    def within(run, secrets: tuple[str, ...]) -> None:
        for secret in secrets:
            run(_SCRUB, secret=secret, erased=ERASED)
        seqs.append(int(run(_APPEND, **params)[0]["seq"]))

    _ensure_counter(store)
    with egress.transfer(payload, user=version.user, audit=audit_log, rule=rule,
                         target=getattr(store, "uri", "neo4j")):
        store.apply(delta, erase=erase if contacts else (), within=within)
    _BASE[str(ws.path)] = (version.id, new)
    return EditWritten(seqs[-1], "delta", delta.counts(), time.perf_counter() - started)

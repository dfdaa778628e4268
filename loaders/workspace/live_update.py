"""Make new workspace versions live by updating the served graph, not rebuilding it.

A serving process that sees a new head (``dashboard/live.py``) asks
:func:`update_graph` first: it reads the journal rows of the versions since
the one served (table, key, before) and the rows as they are now, in one
read transaction; lets the loader's own parser and builders say what each
changed row contributed before and contributes now
(:func:`loaders.tabular.record_row`); applies that to a copy-on-write fork
of the served graph (:func:`graph.core.delta.apply_changes`); masks the
contacts it touched as a load would (:func:`graph.people.privacy.mask_contact`);
and carries the load report over. A save of one record at 100k nodes goes
live in milliseconds instead of a load and build of the whole version.

It returns None — rebuild the version instead — when the change is big (more
than ``max_rows`` rows, e.g. an import or the revert of many rows, or a bulk
``snapshot`` entry), touches the themes table, gives a finding the served
report would have to lose by row number, concerns a person recorded twice
(masking then depends on the other record), or when the graph cannot apply
it exactly (:class:`graph.core.delta.CannotApply`). The reason is kept in
:data:`LAST_FALLBACK` for the live status and the benchmarks.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from graph.core.delta import CannotApply, RowChange, apply_changes, edge_count_change
from graph.core.kinds import NodeKind, node_id
from graph.core.model import PartnerGraph
from graph.core.text import fold
from graph.people.dedupe import email_key, name_key
from graph.people.privacy import mask_contact
from loaders.report import LoadReport
from loaders.schema import TABLES
from loaders.tabular import record_row
from loaders.workspace.building import table_file, version_label, version_source
from loaders.workspace.keys import columns
from loaders.workspace.store import SNAPSHOT, WorkspaceFile, _q

__all__ = ["update_graph", "updater", "Updated", "MAX_ROWS", "ENTITY_KINDS"]

#: More changed rows than this are rebuilt instead (an import, the revert of many rows).
MAX_ROWS = 500

#: Table → kind of the node each of its records is (link tables have none).
ENTITY_KINDS = {"themes": NodeKind.THEME, "programmes": NodeKind.PROGRAMME, "institutions": NodeKind.INSTITUTION,
                "projects": NodeKind.PROJECT, "contacts": NodeKind.CONTACT, "events": NodeKind.EVENT}

#: Findings that say nothing about the row's content (a date read as a span, no consent given):
#: kept in the report as the rebuild would.
_HARMLESS = ("read as ", "no consent given")


@dataclass(frozen=True)
class Updated:
    """The served data at ``version``: the updated graph and its load report."""

    version: int
    graph: PartnerGraph
    report: Any
    rows: int


class _Fallback(Exception):
    """Rebuild instead (the message says why)."""


class _Ids:
    """Accepted keys of one table: the nodes of ``kind`` in ``graph``, less
    ``gone``, plus ``new`` (what ``key in ctx.ids[table]`` asks while parsing)."""

    def __init__(self, graph: PartnerGraph, kind: NodeKind, gone: set[str] = frozenset(), new: set[str] = frozenset()):
        self.nodes, self.kind, self.gone, self.new = graph.nx._node, kind, gone, new

    def __contains__(self, key: object) -> bool:
        key = str(key)
        if key in self.new:
            return True
        return key not in self.gone and node_id(self.kind, key) in self.nodes

    def add(self, key: str) -> None:  # the loader's bookkeeping: nothing to keep
        pass


def update_graph(ws: WorkspaceFile, version: int, graph: PartnerGraph, report: Any, *,
                 max_rows: int = MAX_ROWS, today: dt.date | None = None) -> Updated | None:
    """The served ``graph`` (of ``version``, contacts masked) updated to the
    workspace's head, or None when the head must be rebuilt (see the module
    docstring; the reason is in :data:`LAST_FALLBACK`)."""
    global LAST_FALLBACK
    try:
        updated = _update(ws, version, graph, report, max_rows=max_rows, today=today or dt.date.today())
    except (_Fallback, CannotApply) as exc:
        LAST_FALLBACK = str(exc)
        return None
    LAST_FALLBACK = None
    return updated


#: Why the last :func:`update_graph` fell back to a rebuild (None: it did not).
LAST_FALLBACK: str | None = None


def updater(path: str | Path, *, max_rows: int = MAX_ROWS) -> Callable[[int, PartnerGraph, Any], tuple | None]:
    """``update(version, graph, report)`` for :class:`dashboard.live.LiveData`:
    ``(head, graph, report)`` updated from the served data of ``version``, or
    None (rebuild; ``update.reason`` says why)."""

    def update(version: int, graph: PartnerGraph, report: Any):
        made = update_graph(WorkspaceFile(path), version, graph, report, max_rows=max_rows)
        update.reason = LAST_FALLBACK  # type: ignore[attr-defined]
        return None if made is None else (made.version, made.graph, made.report)

    update.reason = None  # type: ignore[attr-defined]
    return update


def _update(ws: WorkspaceFile, version: int, graph: PartnerGraph, report: Any, *, max_rows: int,
            today: dt.date) -> Updated | None:
    if graph.meta.get("workspace_version") != version:
        raise _Fallback(f"the served graph is not version {version}")
    if graph.meta.get("contacts_removed"):
        raise _Fallback("served without contacts")
    with ws.connect() as con:
        con.execute("BEGIN")
        try:
            head = ws.head(con)
            if head <= version:
                raise _Fallback(f"no newer version than {version}")
            before, order = _journal(con, version, head, max_rows)
            now = {(t, k): _current(con, t, k) for t, k in order}
            themes = _themes(con, graph)
            _check_siblings(con, before, now)
            _check_persons(con, before, now)
        finally:
            con.execute("COMMIT")
    old_label, new_label = version_label(ws, version), version_label(ws, head)
    # what each changed row contributed to the served graph and contributes now
    gone = {t: set() for t in ENTITY_KINDS}
    new = {t: set() for t in ENTITY_KINDS}
    for t, k in order:
        if t in ENTITY_KINDS:
            if before[(t, k)] is not None and now[(t, k)] is None:
                gone[t].add(k)
            elif now[(t, k)] is not None:
                new[t].add(k)
    old_ids = {t: _Ids(graph, kind) for t, kind in ENTITY_KINDS.items()}
    new_ids = {t: _Ids(graph, kind, gone[t], new[t]) for t, kind in ENTITY_KINDS.items()}
    changes: list[RowChange] = []
    new_findings: list = []
    counts: dict[str, int] = {}
    for t, k in order:
        old_row, current = before[(t, k)], now[(t, k)]
        old_made = new_made = None
        if old_row is not None:
            number = current[0] if current is not None else 0
            old_made, found = record_row(t, old_row, file=table_file(old_label, t), number=number, ids=old_ids,
                                         themes=themes, today=today)
            if old_made is None:
                raise _Fallback(f"{t} {k} was rejected in version {version}")
            if found.problems and (current is None or not _harmless(found)):
                raise _Fallback(f"{t} {k} had findings in version {version}")
            counts[t] = counts.get(t, 0) - 1
        if current is not None:
            number, row = current
            new_made, found = record_row(t, row, file=table_file(new_label, t), number=number, ids=new_ids,
                                         themes=themes, today=today)
            if new_made is None or not _harmless(found):
                raise _Fallback(f"{t} {k} gives findings in version {head}")
            new_findings += found.problems
            counts[t] = counts.get(t, 0) + 1
        changes.append(RowChange(t, k, old_made, new_made))
    updated = apply_changes(graph, changes)
    for change in changes:
        if change.table == "contacts" and change.after is not None:
            mask_contact(updated, change.after.node_id)
    updated.meta["workspace_version"] = head
    updated.meta["source"] = version_source(ws, head)
    new_report = _carry_report(report, changes, new_findings, counts, old_label, new_label,
                               version_source(ws, head), updated)
    if new_report is not None:
        updated.meta["report"] = new_report
    return Updated(head, updated, new_report, len(changes))


def _harmless(report: LoadReport) -> bool:
    return all(p.level == "warning" and p.message.startswith(_HARMLESS) for p in report.problems)


def _journal(con: sqlite3.Connection, version: int, head: int, max_rows: int):
    """``({(table, key): row before}, [(table, key) in journal order])`` of the versions after ``version``."""
    (n,) = con.execute("SELECT count(*) FROM journal WHERE version > ? AND version <= ?", (version, head)).fetchone()
    if n > max_rows:
        raise _Fallback(f"{n} changed rows (more than {max_rows}): rebuilt")
    before: dict[tuple[str, str], dict | None] = {}
    for table, key, op, old in con.execute("SELECT tbl, key, op, before FROM journal WHERE version > ? AND version <= ? "
                                           "ORDER BY seq", (version, head)):
        if op == SNAPSHOT:
            raise _Fallback(f"bulk fill of {table}: rebuilt")
        if table not in TABLES:
            raise _Fallback(f"unknown table {table}")
        if table == "themes":
            raise _Fallback("the themes table changed (theme names are looked up by every record): rebuilt")
        before.setdefault((table, key), json.loads(old) if old else None)
    if not before:
        raise _Fallback("no row changes recorded")
    return before, list(before)


def _current(con: sqlite3.Connection, table: str, key: str) -> tuple[int, dict[str, str]] | None:
    cols = columns(table)
    r = con.execute(f"SELECT rowid, {', '.join(map(_q, cols))} FROM {_q(table)} WHERE _key = ?", (key,)).fetchone()
    return (r[0] + 1, dict(zip(cols, r[1:]))) if r else None


def _themes(con: sqlite3.Connection, graph: PartnerGraph) -> dict[str, str]:
    """Folded theme names → theme node, as the loader fills its map from the themes table."""
    out: dict[str, str] = {}
    for tid, de, en in con.execute('SELECT "id", "name_de", "name_en" FROM themes ORDER BY rowid'):
        tid = (tid or "").strip()
        nid = node_id(NodeKind.THEME, tid)
        if not tid or nid not in graph.nx:
            continue
        for name in (tid, (de or "").strip(), (en or "").strip()):
            if name:
                out.setdefault(fold(name), nid)
    return out


#: Link tables whose rows another row of the same table may duplicate as one edge,
#: and the column that finds those rows.
_SIBLING_COLUMN = {"participations": "project", "cofinancing": "project", "attendance": "contact",
                   "partnerships": None}


def _check_siblings(con: sqlite3.Connection, before: dict, now: dict) -> None:
    """Rebuild when a changed link row shares its edge ends with a row not
    changed (spelled differently, e.g. a role in German and in English): the
    loader merges such rows into one edge, and only a rebuild knows which wins."""
    for (table, key), old in before.items():
        if table not in _SIBLING_COLUMN:
            continue
        column = _SIBLING_COLUMN[table]
        rows = [r for r in (old, (now[(table, key)] or (0, None))[1]) if r]
        for row in rows:
            where, args = (f" WHERE {_q(column)} = ?", (row.get(column, ""),)) if column else ("", ())
            for (other,) in con.execute(f"SELECT _key FROM {_q(table)}" + where, args):
                if other != key and (table, other) not in before and _same_ends(table, row, con, other):
                    raise _Fallback(f"{table} {key} and {other} draw the same link")


def _same_ends(table: str, row: dict, con: sqlite3.Connection, other_key: str) -> bool:
    cols = columns(table)
    r = con.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(table)} WHERE _key = ?", (other_key,)).fetchone()
    other = dict(zip(cols, r))
    if table == "participations":
        return other["institution"].strip() == row.get("institution", "").strip()
    if table == "attendance":
        return other["event"].strip() == row.get("event", "").strip()
    return True  # cofinancing of one project, partnerships: too few to tell apart cheaply


def _check_persons(con: sqlite3.Connection, before: dict, now: dict) -> None:
    """Rebuild when a changed contact may be the same person as another
    record (same e-mail, or same name at the same institution): whether one
    is masked depends on the other's consent (graph.people.privacy)."""
    for (table, key), old in before.items():
        if table != "contacts":
            continue
        for row in (old, (now[(table, key)] or (0, None))[1]):
            if not row:
                continue
            mail, name, inst = email_key(row.get("email")), name_key(row.get("name") or ""), row.get("institution", "")
            query = 'SELECT _key, "name", "email", "institution" FROM contacts WHERE "institution" = ?'
            args: tuple = (inst,)
            if mail:
                query += ' OR lower(trim("email")) = ?'
                args += (mail,)
            for other, other_name, other_mail, other_inst in con.execute(query, args):
                if other == key:
                    continue
                if (mail and email_key(other_mail) == mail) or (name and other_inst == inst and name_key(other_name) == name):
                    raise _Fallback(f"contact {key} may be the same person as {other}")


def _carry_report(report: Any, changes: list[RowChange], findings: list, counts: dict[str, int], old_label: str,
                  new_label: str, source: str, graph: PartnerGraph) -> Any:
    """The served load report as a rebuild of the new version would give it:
    table counts, node and edge counts, the changed rows' findings, files named by the new version."""
    if report is None:
        return None
    out = copy.copy(report)
    out.source = source
    out.tables = {name: copy.copy(count) for name, count in report.tables.items()}
    for table, delta in counts.items():
        count = out.table(table)
        count.read += delta
        count.accepted += delta
    old_prefix, new_prefix = old_label + "/", new_label + "/"
    changed = {(table_file(old_label, c.table), c.key) for c in changes}
    kept = []
    for p in report.problems:
        if p.file and p.file.startswith(old_prefix):
            p = type(p)(p.level, new_prefix + p.file[len(old_prefix):], p.row, p.column, p.value, p.message)
        kept.append(p)
    numbers = {(table_file(new_label, c.table), f.row) for c in changes for f in findings}
    out.problems = [p for p in kept if (p.file, p.row) not in numbers] + findings
    out.nodes = graph.counts_by_kind()
    edges = dict(report.edges)
    for kind, delta in edge_count_change(changes).items():
        edges[kind] = edges.get(kind, 0) + delta
    out.edges = edges
    del changed
    return out

"""Edit single records of a workspace: create, update, delete, undo, history.

Every save is validated by the loader's own row parser
(:func:`loaders.tabular._parse_row`: the same parsers, vocabularies and
messages as an import) and becomes **one version** (kind ``edit``, the user,
an optional message) written in one transaction by
:meth:`~loaders.workspace.store.WorkspaceFile.publish`: a save either lands
whole or not at all.

An edit is stricter than an import in one way: a value the loader would
*drop* from an optional column (an unknown country, a malformed e-mail, an
unknown reference) is refused, with the loader's message, instead of being
saved and then silently ignored.

>>> import tempfile, pathlib
>>> from loaders.workspace.store import WorkspaceFile
>>> ws = WorkspaceFile.create(pathlib.Path(tempfile.mkdtemp()) / "ws.sqlite")
>>> create_record(ws, "themes", {"id": "water", "name_de": "Wasser"}, user="anna").version.id
1
>>> update_record(ws, "themes", "water", {"name_en": "Water"}, user="anna").row["name_en"]
'Water'
>>> [(h.op, h.user) for h in record_history(ws, "themes", "water")]
[('update', 'anna'), ('insert', 'anna')]
>>> undo_last(ws, user="anna").version.source
'undo:2'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from loaders.report import LoadReport
from loaders.schema import TABLE_ORDER, TABLES, ColumnType
from loaders.workspace.diff import Change, field_changes
from loaders.workspace.keys import KEY_COLUMNS, columns, normalise_row, row_key
from loaders.workspace.store import ConflictError, Version, WorkspaceError, WorkspaceFile, _q

__all__ = [
    "FieldProblem", "EditError", "EditResult", "HistoryEntry", "validate_row", "create_record", "update_record",
    "delete_record", "create_records", "delete_records", "save_changes", "undo_last", "last_undoable", "record_history", "referencing_rows",
    "NODE_TABLES", "table_of_node", "EDIT_SOURCE", "UNDO_PREFIX",
]

#: ``versions.source`` of a plain edit; undo versions carry ``undo:<n>``.
EDIT_SOURCE = "edit"
UNDO_PREFIX = "undo:"

#: Graph node kind → the table holding its records (Länder and countries are reference data, not records).
NODE_TABLES = {"institution": "institutions", "project": "projects", "theme": "themes", "programme": "programmes",
               "contact": "contacts", "event": "events"}


def table_of_node(node_id: str) -> tuple[str, str] | None:
    """``(table, key)`` of a graph node id such as ``institution:hlft``; None for Länder and countries."""
    kind, _, key = node_id.partition(":")
    table = NODE_TABLES.get(kind)
    return (table, key) if table and key else None


@dataclass(frozen=True)
class FieldProblem:
    """Why a value cannot be saved: the column, the value, the loader's
    message and a ``code`` the UI translates (``required``, ``invalid``,
    ``unknown_ref``, ``duplicate``, ``referenced``, ``unknown_column``, ``not_found``, ``key_change``)."""

    column: str | None
    value: str | None
    message: str
    code: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.column, "value": self.value, "problem": self.message, "code": self.code}


class EditError(WorkspaceError):
    """A save was refused; :attr:`problems` name every field and problem."""

    def __init__(self, problems: list[FieldProblem], status: int = 422):
        self.problems = problems
        self.status = status
        super().__init__("; ".join((f"{p.column}: " if p.column else "") + p.message for p in problems))


@dataclass(frozen=True)
class EditResult:
    version: Version
    table: str
    key: str
    row: dict[str, str] | None
    changes: tuple[Change, ...] = ()
    warnings: tuple[FieldProblem, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a record: who, when, what (``fields``: column, before, after)."""

    version: int
    time: str
    user: str
    message: str
    source: str
    table: str
    key: str
    op: str
    fields: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "time": self.time, "user": self.user, "message": self.message,
                "source": self.source, "table": self.table, "key": self.key, "op": self.op,
                "fields": [{"column": c, "before": b, "after": a} for c, b, a in self.fields]}


# ------------------------------------------------------------------ validation
class _Keys:
    """The keys of one table, looked up in the file on demand (``value in keys``)."""

    def __init__(self, con, table: str):
        self.con, self.table = con, table

    def __contains__(self, value: object) -> bool:
        return self.con.execute(f"SELECT 1 FROM {_q(self.table)} WHERE _key = ?", (str(value),)).fetchone() is not None

    def add(self, value: str) -> None:  # the loader's bookkeeping; nothing to keep here
        pass


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise EditError([FieldProblem(None, table, f"unknown table '{table}' (tables: {', '.join(TABLE_ORDER)})",
                                      "unknown_table")], status=404)


#: Loader warnings that do not stop an edit (the value is used as read).
_HARMLESS = ("read as ", "no consent given")


def validate_row(ws: WorkspaceFile, table: str, values: Mapping[str, Any], *, con=None,
                 today: dt.date | None = None) -> tuple[dict[str, str], list[FieldProblem], list[FieldProblem]]:
    """``(row to store, problems, warnings)`` of ``values`` for ``table``.

    ``problems`` stop the save: the loader's errors, plus its warnings about
    a value it would leave out. ``warnings`` are the loader's other notes
    (an approximate date read as …, a contact without consent).
    """
    from loaders.tabular import _Context, _parse_row  # the loader's own row check (same parsers and messages)
    from graph.core.model import PartnerGraph

    _check_table(table)
    spec = TABLES[table]
    unknown = [k for k in values if k not in spec.column_names]
    problems = [FieldProblem(k, None, f"unknown column '{k}' (columns of {table}: {', '.join(spec.column_names)})",
                             "unknown_column") for k in unknown]
    cells = {k: ("" if v is None else v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v))
             for k, v in values.items() if k in spec.column_names}
    cells = {k: v.strip() for k, v in cells.items()}
    if con is None:
        with ws.connect() as con:
            return validate_row(ws, table, values, con=con, today=today)
    report = LoadReport(source=f"edit/{table}")
    ctx = _Context(PartnerGraph(with_laender=False), report, today=today or dt.date.today())
    ctx.ids = {t: _Keys(con, t) for t in TABLE_ORDER}
    parsed = _parse_row(ctx, spec, f"edit/{table}", 0, cells)
    warnings = []
    for p in report.problems:
        column = spec.column(p.column) if p.column in spec.column_names else None
        code = ("required" if "required value" in p.message else
                "unknown_ref" if column is not None and column.type is ColumnType.REF else "invalid")
        problem = FieldProblem(p.column, p.value, p.message, code)
        if p.level == "error":
            problems.append(problem)
        elif not p.message.startswith(_HARMLESS):  # the loader would drop the value: refused, without "the row is loaded"
            problems.append(FieldProblem(p.column, p.value, p.message.split("; ")[0], code))
        else:
            warnings.append(problem)
    for name in ("consent_purposes",):
        if table == "contacts" and parsed.get(name):
            bad = [x for x in parsed[name] if x not in CONSENT_PURPOSES]
            if bad:
                problems.append(FieldProblem(name, cells.get(name), f"unknown purpose {', '.join(map(repr, bad))} "
                                             f"(allowed: {', '.join(CONSENT_PURPOSES)})", "invalid"))
    return normalise_row(table, cells), problems, warnings


#: Purposes a contact can consent to.
CONSENT_PURPOSES = ("events", "matchmaking", "sharing")


# ------------------------------------------------------------------ references
#: (table, column, required) of every reference column, by referenced table.
_REFERENCES: dict[str, list[tuple[str, str, bool]]] = {}
for _t in TABLE_ORDER:
    for _c in TABLES[_t].columns:
        if _c.type is ColumnType.REF and _c.ref:
            _REFERENCES.setdefault(_c.ref, []).append((_t, _c.name, _c.required))


def referencing_rows(con, table: str, key: str) -> list[tuple[str, str, str, bool, dict[str, str]]]:
    """Rows referring to ``table``/``key``: ``(table, key, column, required, row)``."""
    out = []
    for t, column, required in _REFERENCES.get(table, ()):
        cols = columns(t)
        for r in con.execute(f"SELECT _key, {', '.join(map(_q, cols))} FROM {_q(t)} WHERE {_q(column)} = ?", (key,)):
            out.append((t, r[0], column, required, dict(zip(cols, r[1:]))))
    return out


# ------------------------------------------------------------------ saving
def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _row(con, table: str, key: str) -> dict[str, str] | None:
    cols = columns(table)
    r = con.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(table)} WHERE _key = ?", (key,)).fetchone()
    return dict(zip(cols, r)) if r else None


def save_changes(ws: WorkspaceFile, plan, *, user: str, message: str = "", source: str = EDIT_SOURCE,
                 attempts: int = 3) -> tuple[Version, Any]:
    """Publish the changes ``plan(con)`` returns (``(changes, extra)``) as one
    version. ``plan`` reads the current rows; when another save lands between
    the read and the publish, it runs again on the new head."""
    for attempt in range(attempts):
        with ws.connect() as con:
            con.execute("BEGIN")
            try:
                head = ws.head(con)
                changes, extra = plan(con)
            finally:
                con.execute("COMMIT")
        try:
            return ws.publish(list(changes), base=head, user=user, message=message, kind="edit", source=source), extra
        except ConflictError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _not_found(table: str, key: str) -> EditError:
    return EditError([FieldProblem(None, key, f"no {table} record '{key}'", "not_found")], status=404)


def create_record(ws: WorkspaceFile, table: str, values: Mapping[str, Any], *, user: str, message: str = "",
                  today: dt.date | None = None) -> EditResult:
    """Add one row to ``table`` (refused when its key exists already)."""
    _check_table(table)

    def plan(con):
        row, problems, warnings = validate_row(ws, table, values, con=con, today=today)
        key = row_key(table, row)
        if not problems and _row(con, table, key) is not None:
            column = KEY_COLUMNS[table][0] if len(KEY_COLUMNS[table]) == 1 else None
            problems.append(FieldProblem(column, key, f"duplicate id '{key}' (a {table} record with this key exists)",
                                         "duplicate"))
        if problems:
            raise EditError(problems)
        return [Change(table, key, "insert", None, row)], (key, row, warnings)

    version, (key, row, warnings) = save_changes(ws, plan, user=user, message=message)
    return EditResult(version, table, key, row, (Change(table, key, "insert", None, row),), tuple(warnings))


def update_record(ws: WorkspaceFile, table: str, key: str, values: Mapping[str, Any], *, user: str,
                  message: str = "", today: dt.date | None = None) -> EditResult:
    """Change the given fields of one row (the others stay). Changing the
    ``id`` is refused; changing a link row's key columns replaces the row."""
    _check_table(table)

    def plan(con):
        before = _row(con, table, key)
        if before is None:
            raise _not_found(table, key)
        merged = {**before, **values}
        row, problems, warnings = validate_row(ws, table, merged, con=con, today=today)
        new_key = row_key(table, row)
        if new_key != key and TABLES[table].key:
            problems.append(FieldProblem(TABLES[table].key, row.get(TABLES[table].key),
                                         "the id cannot be changed; create a new record instead", "key_change"))
        elif new_key != key and _row(con, table, new_key) is not None:
            problems.append(FieldProblem(None, new_key, f"duplicate key '{new_key}' (such a {table} row exists)",
                                         "duplicate"))
        if problems:
            raise EditError(problems)
        if new_key != key:
            changes = [Change(table, key, "delete", before, None), Change(table, new_key, "insert", None, row)]
        elif row != before:
            changes = [Change(table, key, "update", before, row)]
        else:
            raise EditError([FieldProblem(None, None, "nothing changed", "unchanged")], status=409)
        return changes, (new_key, row, warnings, changes)

    version, (new_key, row, warnings, changes) = save_changes(ws, plan, user=user, message=message)
    return EditResult(version, table, new_key, row, tuple(changes), tuple(warnings))


def delete_record(ws: WorkspaceFile, table: str, key: str, *, user: str, message: str = "",
                  cascade: bool = False) -> EditResult:
    """Remove one row. Rows referring to it (participations of an institution,
    attendance of a contact …) make the delete fail, naming them, unless
    ``cascade``: then required references are deleted and optional ones
    emptied, all in the same version."""
    _check_table(table)

    def plan(con):
        before = _row(con, table, key)
        if before is None:
            raise _not_found(table, key)
        changes = [Change(table, key, "delete", before, None)]
        refs = referencing_rows(con, table, key)
        if refs and not cascade:
            raise EditError([FieldProblem(None, key, f"{table} '{key}' is referred to by {len(refs)} row(s): "
                                          + ", ".join(f"{t} {k}" for t, k, *_ in refs[:10])
                                          + "; delete them first or delete with cascade", "referenced")], status=409)
        seen = {(table, key)}
        work = list(refs)
        while work:  # a deleted contact takes its attendance along, and so on
            t, k, column, required, row = work.pop(0)
            if (t, k) in seen:
                continue
            seen.add((t, k))
            if required:
                changes.append(Change(t, k, "delete", row, None))
                work.extend(referencing_rows(con, t, k))
            else:
                changes.append(Change(t, k, "update", row, {**row, column: ""}))
        return changes, changes

    version, changes = save_changes(ws, plan, user=user, message=message)
    return EditResult(version, table, key, None, tuple(changes))


def create_records(ws: WorkspaceFile, table: str, rows: list[Mapping[str, Any]], *, user: str, message: str = "",
                   today: dt.date | None = None) -> EditResult:
    """Add several rows to ``table`` in one version: all or none. Problems
    name the row (``row 2: …``, counting from 1) and the field."""
    _check_table(table)

    def plan(con):
        changes, problems, keys = [], [], set()
        for number, values in enumerate(rows, start=1):
            row, found, _warnings = validate_row(ws, table, values, con=con, today=today)
            key = row_key(table, row)
            if not found and (key in keys or _row(con, table, key) is not None):
                found.append(FieldProblem(KEY_COLUMNS[table][0], key, f"duplicate key '{key}'", "duplicate"))
            problems += [FieldProblem(p.column, p.value, f"row {number}: {p.message}", p.code) for p in found]
            keys.add(key)
            changes.append(Change(table, key, "insert", None, row))
        if problems:
            raise EditError(problems)
        if not changes:
            raise EditError([FieldProblem(None, None, "nothing to save", "unchanged")], status=409)
        return changes, changes

    version, changes = save_changes(ws, plan, user=user, message=message)
    return EditResult(version, table, changes[0].key, changes[0].after, tuple(changes))


def delete_records(ws: WorkspaceFile, table: str, keys: list[str], *, user: str, message: str = "") -> EditResult:
    """Remove several rows in one version (refused, naming them, when other rows refer to any)."""
    _check_table(table)

    def plan(con):
        changes, problems = [], []
        for key in dict.fromkeys(keys):
            before = _row(con, table, key)
            if before is None:
                problems.append(FieldProblem(None, key, f"no {table} record '{key}'", "not_found"))
                continue
            refs = referencing_rows(con, table, key)
            if refs:
                problems.append(FieldProblem(None, key, f"{table} '{key}' is referred to by {len(refs)} row(s): "
                                             + ", ".join(f"{t} {k}" for t, k, *_ in refs[:5]), "referenced"))
            changes.append(Change(table, key, "delete", before, None))
        if problems:
            raise EditError(problems, status=409)
        if not changes:
            raise EditError([FieldProblem(None, None, "nothing to delete", "unchanged")], status=409)
        return changes, changes

    version, changes = save_changes(ws, plan, user=user, message=message)
    return EditResult(version, table, changes[0].key, None, tuple(changes))


# ------------------------------------------------------------------ undo
def _version_rows(con, where: str = "", args: tuple = ()) -> list[tuple]:
    return con.execute("SELECT id, user, kind, source, message FROM versions " + where + " ORDER BY id DESC", args).fetchall()


def last_undoable(ws: WorkspaceFile, user: str) -> int | None:
    """The newest edit version of ``user`` not undone yet (undo versions themselves are not undone)."""
    with ws.connect() as con:
        undone = {int(s[len(UNDO_PREFIX):]) for (s,) in con.execute("SELECT source FROM versions WHERE source LIKE ?",
                                                                    (UNDO_PREFIX + "%",))}
        for number, _user, kind, source, _message in _version_rows(con, "WHERE user = ? AND kind = 'edit'", (user,)):
            if source.startswith(UNDO_PREFIX) or source == "erase" or number in undone:
                continue
            return number
    return None


def undo_last(ws: WorkspaceFile, *, user: str, message: str = "") -> EditResult:
    """Undo ``user``'s last change as a new version (source ``undo:<n>``).

    Refused (naming the record) when a later version changed one of the same rows again."""
    number = last_undoable(ws, user)
    if number is None:
        raise EditError([FieldProblem(None, None, "nothing to undo", "nothing_to_undo")], status=409)
    entries = [e for e in ws.journal(number - 1, number)]

    def plan(con):
        changes = []
        for _v, table, key, op, before, after in reversed(entries):
            now = _row(con, table, key)
            if now != after:
                raise EditError([FieldProblem(None, key, f"{table} '{key}' was changed again after version {number}; "
                                              "undo that change first", "conflict")], status=409)
            if op == "insert":
                changes.append(Change(table, key, "delete", after, None))
            elif op == "delete":
                changes.append(Change(table, key, "insert", None, before))
            else:
                changes.append(Change(table, key, "update", after, before))
        return changes, changes

    version, changes = save_changes(ws, plan, user=user, source=f"{UNDO_PREFIX}{number}",
                                    message=message or f"Rückgängig: Version {number} / undo version {number}")
    first = changes[0] if changes else None
    return EditResult(version, first.table if first else "", first.key if first else "",
                      first.after if first else None, tuple(changes))


# ------------------------------------------------------------------ history
_LINK_TABLES = tuple(t for t in TABLE_ORDER if not TABLES[t].key)


def record_history(ws: WorkspaceFile, table: str, key: str, *, relations: bool = True,
                   limit: int = 200) -> list[HistoryEntry]:
    """Every change of one record, newest first (with ``relations``: also of
    the link rows and records referring to it, e.g. an institution's
    participations and contacts)."""
    _check_table(table)
    wanted: list[tuple[str, str]] = [(table, key)]
    with ws.connect() as con:
        cursor = con.execute("SELECT j.version, v.time, v.user, v.message, v.source, j.tbl, j.key, j.op, j.before, j.after "
                             "FROM journal j JOIN versions v ON v.id = j.version WHERE j.tbl = ? AND j.key = ? "
                             "ORDER BY j.seq DESC LIMIT ?", (table, key, limit))
        rows = list(cursor)
        if relations:
            for t, column, _required in _REFERENCES.get(table, ()):
                pattern = f'%"{column}": {json.dumps(key, ensure_ascii=False)}%'
                rows += list(con.execute(
                    "SELECT j.version, v.time, v.user, v.message, v.source, j.tbl, j.key, j.op, j.before, j.after "
                    "FROM journal j JOIN versions v ON v.id = j.version WHERE j.tbl = ? AND (j.before LIKE ? OR j.after LIKE ?) "
                    "AND v.kind = 'edit' ORDER BY j.seq DESC LIMIT ?", (t, pattern, pattern, limit)))
    out = []
    seen = set()
    for version, time, user, message, source, t, k, op, before, after in rows:
        if (version, t, k) in seen:
            continue
        seen.add((version, t, k))
        fields = field_changes(json.loads(before) if before else None, json.loads(after) if after else None)
        out.append(HistoryEntry(version, time, user, message, source, t, k, op, tuple(fields)))
    out.sort(key=lambda h: (-h.version, h.table != table))
    return out[:limit]


def rows_of(ws: WorkspaceFile, table: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    return ws.rows(table, keys)

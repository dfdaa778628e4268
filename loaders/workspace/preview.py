"""Preview an import against the current version, and publish it.

:func:`make_preview` loads a dataset with the ordinary loaders (so the load
report is the one ``check`` prints), turns the graph back into canonical rows
and compares them with the workspace:

* mode ``replace``: the source is the whole dataset *for the tables it
  contains*; rows of those tables it lacks are removed. Tables the source does
  not hold stay as they are, and so do records it could not contain: a partial
  export's manifest says what it leaves out (e.g. contacts without consent and
  their attendance) and those rows are kept. Rows the loader rejected do not
  delete the records they stand for.
* mode ``update``: rows are added and changed, never removed. References to
  records already in the workspace (a participation of an existing
  institution) are resolved against it, so an update can be a single row.

Institutions the source names under another id but that are the same
organisation as an existing one (same IATI identifier, known actor or
normalised name; :mod:`loaders.merge`) are merged into the existing record,
and the preview says by which key.

A preview is stored in the workspace and published by its token only while
its base version is still the head (optimistic concurrency).
"""

from __future__ import annotations

import secrets
import sqlite3
from contextlib import contextmanager
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterator

from graph.core.errors import LoadError
from graph.core.tables import graph_to_tables
from loaders.reading import RawTable, read_dataset
from loaders.report import LoadReport
from loaders.schema import TABLE_ORDER, TABLES
from loaders.tabular import LoadResult, build_graph, gc_paused
from loaders.workspace.diff import Change, diff_table, summarise
from loaders.workspace.keys import columns, keyed_rows, row_key
from loaders.workspace.manifest import ALL_CONTACTS, UNCONSENTED, Manifest, read_manifest
from loaders.workspace.store import Version, WorkspaceError, WorkspaceFile

__all__ = ["MODES", "Preview", "make_preview", "publish_preview", "publish_now"]

MODES = ("replace", "update")

State = dict[str, dict[str, dict[str, str]]]


@dataclass
class Preview:
    """What publishing a dataset would change. ``blocked`` says why it cannot be published."""

    token: str | None  # the stored preview to publish (None: not stored, or not publishable)
    base: int
    mode: str
    source: str
    report: LoadReport
    changes: list[Change]
    merges: list[dict[str, str]] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)
    scope: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    blocked: str | None = None
    #: ``blocked`` as a code for translated messages: no_rows, all_rejected, no_changes
    blocked_code: str | None = None

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return summarise(self.changes)

    @property
    def ok(self) -> bool:
        return self.blocked is None

    def to_dict(self, *, changes: bool = True) -> dict[str, Any]:
        """The ``workspace import --dry-run --json`` shape (see README)."""
        out = {"ok": self.ok, "blocked": self.blocked, "blocked_code": self.blocked_code, "token": self.token, "base": self.base, "mode": self.mode,
               "source": self.source, "manifest": self.manifest.to_dict() if self.manifest else None,
               "scope": list(self.scope), "kept": dict(self.kept), "counts": self.counts,
               "merges": list(self.merges), "report": self.report.to_dict()}
        if changes:
            out["changes"] = [c.to_dict() for c in self.changes]
        return out


# ------------------------------------------------------------------ loading
def _is_tabular(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() == ".xlsx"


def _split(value: Any) -> list[str]:
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def _context(ws: WorkspaceFile, raw: dict[str, RawTable], con: sqlite3.Connection | None = None) -> State:
    """Current rows the upload refers to but does not hold (for mode update):
    all themes and programmes, and the institutions, projects, contacts and
    events named in its rows (with the institutions of those contacts)."""
    ids = {t: {str(r.get(TABLES[t].key) or "").strip() for _, r in raw[t].rows} for t in raw if TABLES[t].key}
    wanted: dict[str, set[str]] = {"institutions": set(), "projects": set(), "contacts": set(), "events": set()}
    refs = {"participations": {"project": "projects", "institution": "institutions"},
            "cofinancing": {"project": "projects"}, "contacts": {"institution": "institutions"},
            "attendance": {"event": "events", "contact": "contacts"}}
    for table, cols in refs.items():
        for _, row in raw.get(table, RawTable(table, "", [])).rows:
            for col, target in cols.items():
                value = str(row.get(col) or "").strip()
                if value:
                    wanted[target].add(value)
    context: State = {"themes": ws.rows("themes", con=con), "programmes": ws.rows("programmes", con=con)}
    context["contacts"] = ws.rows("contacts", wanted["contacts"] - ids.get("contacts", set()), con)
    wanted["institutions"] |= {r["institution"] for r in context["contacts"].values()}
    for table in ("institutions", "projects", "events"):
        context[table] = ws.rows(table, wanted[table] - ids.get(table, set()), con)
    for table in list(context):
        have = ids.get(table, set())
        context[table] = {k: r for k, r in context[table].items() if k not in have}
    return {t: rows for t, rows in context.items() if rows}


def _load_update(ws: WorkspaceFile, path: Path, source: str,
                 con: sqlite3.Connection | None = None) -> tuple[LoadResult, State]:
    """Load ``path`` with the current rows it refers to; the report counts only the upload's rows."""
    raw = read_dataset(path)
    context = _context(ws, raw, con)
    uploaded = set(raw)
    for table in ("institutions", "projects"):  # an update need not repeat the required tables
        raw.setdefault(table, RawTable(table, f"{source}/{table}", list(columns(table))))
    for table, rows in context.items():
        target = raw.setdefault(table, RawTable(table, f"{source}/{table}", list(columns(table))))
        for col in columns(table):
            if col not in target.header:
                target.header.append(col)
        start = max((n for n, _ in target.rows), default=1) + 1
        target.rows.extend((start + i, dict(r)) for i, r in enumerate(rows.values()))
    result = build_graph({t: raw[t] for t in TABLE_ORDER if t in raw}, source=source)
    report = result.report
    for table in list(report.tables):
        if table not in uploaded:  # filled only from the workspace: not part of the upload
            report.tables.pop(table)
        elif table in context:
            report.tables[table].read -= len(context[table])
            report.tables[table].accepted -= len(context[table])
    return result, context


def _rows_of(result: LoadResult) -> State:
    state: State = {t: {} for t in TABLE_ORDER}
    for table, rows in graph_to_tables(result.graph).items():
        state[table] = keyed_rows(table, rows)
    return state


# ------------------------------------------------------------------ comparing with the stored tables
class _Stored(Mapping):
    """The current rows of one table as stored tuples (:meth:`WorkspaceFile.row_values`):
    a row becomes a dict only when looked up, so comparing a large table with
    an upload builds dicts for the rows that differ, not for every row."""

    def __init__(self, table: str, values: dict[str, tuple[str, ...]]):
        self.table, self.values, self.cols = table, values, columns(table)

    def __getitem__(self, key: str) -> dict[str, str]:
        return dict(zip(self.cols, self.values[key]))

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def _diff_stored(table: str, stored: _Stored, new: dict[str, dict[str, str]], *, deletes: bool = True) -> list[Change]:
    """:func:`~loaders.workspace.diff.diff_table` of the stored rows and ``new`` (the same
    changes in the same order), comparing value tuples instead of row dicts."""
    if not stored:
        return diff_table(table, {}, new, deletes=deletes)
    values, cols = stored.values, stored.cols
    width = len(cols)
    get = itemgetter(*cols) if width > 1 else (lambda row: (row[cols[0]],))
    changes = []
    for key in sorted(new):
        row = new[key]
        have = values.get(key)
        if have is None:
            changes.append(Change(table, key, "insert", None, row))
        else:
            try:  # exactly the table's columns (normalised rows): equal tuples are equal rows
                same = len(row) == width and have == get(row)
            except KeyError:
                same = False
            if not same and (before := dict(zip(cols, have))) != row:
                changes.append(Change(table, key, "update", before, row))
    if deletes:
        changes.extend(Change(table, key, "delete", dict(zip(cols, values[key])), None) for key in values if key not in new)
        changes.sort(key=lambda c: c.key)
    return changes


# ------------------------------------------------------------------ merging
def _institution_index(rows: dict[str, dict[str, str]]) -> dict[str, str]:
    from loaders.merge import institution_keys

    index: dict[str, str] = {}
    for key, row in rows.items():
        for k in institution_keys({"label": row.get("name", "")}):
            index.setdefault(k, key)
    return index


def _merge_institutions(new: State, current: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Re-key institutions of ``new`` that are existing ones under another id (in place)."""
    from loaders.merge import institution_keys

    fresh = [k for k in new["institutions"] if k not in current]
    if not fresh or not current:
        return []
    index = _institution_index(current)
    mapping: dict[str, tuple[str, str]] = {}
    for key in fresh:
        keys = institution_keys({"label": new["institutions"][key].get("name", "")})
        for prefix in ("ref:", "known:", "name:"):
            hit = next((index[k] for k in sorted(keys) if k.startswith(prefix) and k in index), None)
            if hit is not None and hit not in new["institutions"]:
                mapping[key] = (hit, next(k for k in sorted(keys) if k.startswith(prefix) and index.get(k) == hit))
                break
    merges = []
    for old_id, (into, by) in mapping.items():
        row = new["institutions"].pop(old_id)
        merged = dict(current[into])
        for col, value in row.items():
            if col != "id" and value and not merged.get(col):
                merged[col] = value
        new["institutions"][into] = merged
        merges.append({"from": old_id, "into": into, "by": by, "name": row.get("name", "")})
    if mapping:
        for table, col in (("participations", "institution"), ("contacts", "institution")):
            rows = new[table]
            for key in [k for k, r in rows.items() if r.get(col) in mapping]:
                row = dict(rows.pop(key))
                row[col] = mapping[row[col]][0]
                rows[row_key(table, row)] = row
    return merges


# ------------------------------------------------------------------ replace rules
def _kept_rows(manifest: Manifest | None, current: State, new: State) -> State:
    """Current rows a partial source could not contain (kept by mode replace)."""
    kept: State = {}
    if manifest is None or not manifest.partial:
        return kept
    if ALL_CONTACTS in manifest.omitted:
        kept["contacts"] = {k: r for k, r in current.get("contacts", {}).items() if k not in new["contacts"]}
    elif UNCONSENTED in manifest.omitted:
        kept["contacts"] = {k: r for k, r in current.get("contacts", {}).items()
                            if k not in new["contacts"] and r.get("consent", "").lower() != "true"}
    if "contacts" in kept:
        people = set(kept["contacts"])
        kept["attendance"] = {k: r for k, r in current.get("attendance", {}).items()
                              if k not in new["attendance"] and r.get("contact") in people}
    return {t: rows for t, rows in kept.items() if rows}


def _rejected_keys(path: Path, report: LoadReport) -> dict[str, set[str]]:
    """Ids of rows the loader rejected, per table (their records must not be removed)."""
    errors = [p for p in report.errors if p.row is not None]
    if not errors or not _is_tabular(path):
        return {}
    try:
        raw = read_dataset(path)
    except LoadError:
        return {}
    by_file = {(t.file, n): (name, row) for name, t in raw.items() for n, row in t.rows}
    out: dict[str, set[str]] = {}
    for p in errors:
        hit = by_file.get((p.file, p.row))
        if hit is None:
            continue
        name, row = hit
        key_col = TABLES[name].key
        if key_col and str(row.get(key_col) or "").strip():
            out.setdefault(name, set()).add(str(row[key_col]).strip())
    return out


# ------------------------------------------------------------------ preview
def make_preview(ws: WorkspaceFile, path: str | Path, *, mode: str = "replace", source: str | None = None,
                 save: bool = True) -> Preview:
    """Preview importing ``path`` into ``ws`` (nothing changes until :func:`publish_preview`).

    Raises :class:`graph.core.errors.LoadError` when ``path`` is not a dataset.
    """
    if mode not in MODES:
        raise WorkspaceError(f"unknown mode {mode!r} (choose {' or '.join(MODES)})")
    with gc_paused():  # millions of short-lived row dicts next to a large graph: no cycles to find
        return _make_preview(ws, Path(path), mode=mode, source=source, save=save)


@contextmanager
def _snapshot(ws: WorkspaceFile) -> Iterator[sqlite3.Connection]:
    """One read transaction: the base version and every row compared with belong together."""
    with ws.connect() as con:
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")


def _make_preview(ws: WorkspaceFile, path: Path, *, mode: str, source: str | None, save: bool) -> Preview:
    from loaders import load

    source = source or str(path)
    manifest = read_manifest(path)
    update_tabular = mode == "update" and _is_tabular(path)
    rejected: dict[str, set[str]] = {}
    if not update_tabular:  # the slow part (a whole dataset) before the read snapshot
        result, context = load(path), {}
        result.report.source = source
        if mode == "replace":
            rejected = _rejected_keys(path, result.report)
    with _snapshot(ws) as con:
        base = ws.head(con)
        if update_tabular:
            result, context = _load_update(ws, path, source, con)
        report = result.report
        new = _rows_of(result)
        for table, rows in context.items():  # context rows are not part of the upload
            for key in rows:
                new[table].pop(key, None)
        read = sum(c.read for c in report.tables.values())
        accepted = sum(c.accepted for c in report.tables.values())
        blocked = code = None
        if read == 0:
            blocked, code = "the upload holds no data rows", "no_rows"
        elif accepted == 0:
            blocked, code = f"none of the {read} rows could be accepted (see the load report)", "all_rejected"
        # the tables the source holds (a file format without tables, IATI: those it gave rows for)
        scope = [t for t in TABLE_ORDER if t in report.tables] if _is_tabular(path) else [t for t in TABLE_ORDER if new[t]]
        kept: dict[str, int] = {}
        if mode == "replace":
            changes, merges, kept = _compare_replace(ws, con, manifest, new, scope, rejected)
        else:
            changes, merges = _compare_update(ws, con, new)
    if blocked is None and not changes:
        blocked, code = "nothing to publish: the data are the same as in the current version", "no_changes"
    preview = Preview(secrets.token_hex(12) if save and blocked is None else None, base, mode, source, report, changes,
                      merges, kept, scope, manifest, blocked, code)
    if preview.token is not None:
        ws.save_preview(preview.token, base, {"base": base, "mode": mode, "source": source,
                                              "changes": [[c.table, c.key, c.op, c.before, c.after] for c in changes]})
    return preview


def _compare_replace(ws: WorkspaceFile, con: sqlite3.Connection, manifest: Manifest | None, new: State,
                     scope: list[str], rejected: dict[str, set[str]]
                     ) -> tuple[list[Change], list[dict[str, str]], dict[str, int]]:
    """Changes, merges and kept-row counts of a *replace*. Only the tables the
    comparison needs are read (those in scope or implied by the upload, the
    institutions for merging, contacts and attendance for a partial source),
    as value tuples: dicts are built for the rows that differ."""
    needed = {*scope, *(t for t in TABLE_ORDER if new[t]), "institutions", *rejected}
    if manifest is not None and manifest.partial:
        needed |= {"contacts", "attendance"}
    current = {t: _Stored(t, ws.row_values(t, con)) for t in TABLE_ORDER if t in needed}
    merges = _merge_institutions(new, current["institutions"])
    keep = _kept_rows(manifest, current, new)
    for table, keys in rejected.items():
        rows = {k: current[table][k] for k in keys if k in current[table] and k not in new[table]}
        if rows:
            keep.setdefault(table, {}).update(rows)
    changes: list[Change] = []
    for table in TABLE_ORDER:
        if table not in scope:
            continue
        target = {**new[table], **keep.get(table, {})}
        changes.extend(_diff_stored(table, current[table], target))
    for table in TABLE_ORDER:  # rows the source implies in tables it does not hold (a theme named
        if table not in scope and new[table]:  # in a project): added, never changed or removed
            stored, rows = current[table], new[table]
            changes.extend(Change(table, key, "insert", None, rows[key]) for key in sorted(rows) if key not in stored)
    return changes, merges, {t: len(r) for t, r in keep.items()}


def _compare_update(ws: WorkspaceFile, con: sqlite3.Connection, new: State) -> tuple[list[Change], list[dict[str, str]]]:
    """Changes and merges of an *update*: only the stored rows with the upload's keys are read."""
    known = ws.rows("institutions", new["institutions"], con)
    fresh = any(k not in known for k in new["institutions"])
    merges = _merge_institutions(new, ws.rows("institutions", con=con)) if fresh else []
    changes: list[Change] = []
    for table in TABLE_ORDER:
        if new[table]:
            changes.extend(diff_table(table, ws.rows(table, new[table], con), new[table], deletes=False))
    return changes, merges


def publish_preview(ws: WorkspaceFile, token: str, *, user: str, message: str) -> Version:
    """Publish a saved preview as one new version (raises :class:`ConflictError` when its base is no longer the head)."""
    payload = ws.load_preview(token)
    changes = [Change(*c) for c in payload["changes"]]
    version = ws.publish(changes, base=payload["base"], user=user, message=message, kind="import",
                         source=payload.get("source", ""))
    ws.drop_preview(token)
    return version


def publish_now(ws: WorkspaceFile, preview: Preview, *, user: str, message: str) -> Version:
    """Publish a preview made in this process (the CLI) without the stored copy."""
    if not preview.ok:
        raise WorkspaceError(preview.blocked or "not publishable")
    return ws.publish(preview.changes, base=preview.base, user=user, message=message, kind="import", source=preview.source)

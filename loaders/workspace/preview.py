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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.core.errors import LoadError
from graph.core.tables import graph_to_tables
from loaders.reading import RawTable, read_dataset
from loaders.report import LoadReport
from loaders.schema import TABLE_ORDER, TABLES
from loaders.tabular import LoadResult, build_graph, gc_paused
from loaders.workspace.diff import Change, diff_table, summarise
from loaders.workspace.keys import KEY_COLUMNS, columns, normalise_row, row_key
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


def _context(ws: WorkspaceFile, raw: dict[str, RawTable], con_state: tuple[int, State] | None = None) -> State:
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
    context: State = {"themes": ws.rows("themes"), "programmes": ws.rows("programmes")}
    context["contacts"] = ws.rows("contacts", wanted["contacts"] - ids.get("contacts", set()))
    wanted["institutions"] |= {r["institution"] for r in context["contacts"].values()}
    for table in ("institutions", "projects", "events"):
        context[table] = ws.rows(table, wanted[table] - ids.get(table, set()))
    for table in list(context):
        have = ids.get(table, set())
        context[table] = {k: r for k, r in context[table].items() if k not in have}
    return {t: rows for t, rows in context.items() if rows}


def _load_update(ws: WorkspaceFile, path: Path, source: str) -> tuple[LoadResult, State]:
    """Load ``path`` with the current rows it refers to; the report counts only the upload's rows."""
    raw = read_dataset(path)
    context = _context(ws, raw)
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
        target = state[table]
        for row in rows:
            clean = normalise_row(table, row)
            target[row_key(table, clean)] = clean
    return state


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


def _make_preview(ws: WorkspaceFile, path: Path, *, mode: str, source: str | None, save: bool) -> Preview:
    from loaders import load

    source = source or str(path)
    manifest = read_manifest(path)
    base = ws.head()
    if mode == "update" and _is_tabular(path):
        result, context = _load_update(ws, path, source)
    else:
        result, context = load(path), {}
        result.report.source = source
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
        base, current = ws.read_head_state(tables=TABLE_ORDER)
        merges = _merge_institutions(new, current["institutions"])
        keep = _kept_rows(manifest, current, new)
        for table, keys in _rejected_keys(path, report).items():
            rows = {k: current.get(table, {})[k] for k in keys if k in current.get(table, {}) and k not in new[table]}
            if rows:
                keep.setdefault(table, {}).update(rows)
        changes: list[Change] = []
        for table in TABLE_ORDER:
            if table not in scope:
                continue
            target = {**new[table], **keep.get(table, {})}
            changes.extend(diff_table(table, current[table], target))
        for table in TABLE_ORDER:  # rows the source implies in tables it does not hold (a theme named
            if table not in scope and new[table]:  # in a project): added, never changed or removed
                changes.extend(c for c in diff_table(table, current[table], new[table], deletes=False) if c.op == "insert")
        kept = {t: len(r) for t, r in keep.items()}
    else:
        known = ws.rows("institutions", new["institutions"])
        fresh = any(k not in known for k in new["institutions"])
        merges = _merge_institutions(new, ws.rows("institutions")) if fresh else []
        changes = []
        for table in TABLE_ORDER:
            if new[table]:
                changes.extend(diff_table(table, ws.rows(table, new[table]), new[table], deletes=False))
    if blocked is None and not changes:
        blocked, code = "nothing to publish: the data are the same as in the current version", "no_changes"
    preview = Preview(secrets.token_hex(12) if save and blocked is None else None, base, mode, source, report, changes,
                      merges, kept, scope, manifest, blocked, code)
    if preview.token is not None:
        ws.save_preview(preview.token, base, {"base": base, "mode": mode, "source": source,
                                              "changes": [[c.table, c.key, c.op, c.before, c.after] for c in changes]})
    return preview


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

"""The Daten page's workspace section: upload → preview → publish, the
versions list, the diff between two versions, revert and downloads.

Callbacks stay thin: they parse the input, call :mod:`loaders.workspace` and
build the view from the plain builders below (unit-tested without a browser).
Previews are stored in the workspace file, so any serving process (also with
``--workers``) can publish them.
"""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard import downloads
from dashboard.auth import current_user, may_see_personal_data
from dashboard.access import audit_event, contact_rule, current_identity, has_role, require_role
from graph.people.roles import Role
from dashboard.components import grid_options
from dashboard.context import current
from dashboard.report_view import report_summary  # the same load report view as for the served data
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from dashboard.live import live_of
from graph.core.errors import LoadError

__all__ = ["ID", "section", "register_callbacks", "change_rows", "counts_rows", "version_rows", "download_version",
           "GRID_LIMIT"]

#: Wrapped cell text at reading line height (the grid's row height would space its lines far apart).
_COMPACT_WRAP = {"lineHeight": "1.45", "paddingTop": "8px", "paddingBottom": "8px"}

#: At most this many change rows go to the browser (the counts above the grid are complete).
GRID_LIMIT = 5000


#: Workspace tables holding personal data (hidden from readers in diffs).
PERSONAL_TABLES = frozenset({"contacts", "attendance"})


class ID:
    NOT_EDITOR = "data-ws-not-editor"
    UPLOAD = "data-ws-upload"
    MODE = "data-ws-mode"
    PREVIEW = "data-ws-preview"
    TOKEN = "data-ws-token"
    MESSAGE = "data-ws-message"
    PUBLISH = "data-ws-publish"
    RESULT = "data-ws-result"
    LIVE = "data-ws-live"
    TICK = "data-ws-tick"
    VERSIONS = "data-ws-versions"
    DIFF_A = "data-ws-diff-a"
    DIFF_B = "data-ws-diff-b"
    DIFF = "data-ws-diff"
    DIFF_GRID = "data-ws-diff-grid"
    CHANGES = "data-ws-changes"
    SECTION = "data-workspace"
    REVERT = "data-ws-revert"
    REVERT_RESULT = "data-ws-revert-result"
    DL_XLSX = "data-ws-dl-xlsx"
    DL_CSV = "data-ws-dl-csv"
    DOWNLOAD = "data-ws-download"
    REFRESH = "data-ws-refresh"
    BLOCKED = "data-ws-blocked"
    BROKEN = "data-ws-broken"
    CONFLICT = "data-ws-conflict"
    COUNTS = "data-ws-counts"
    EMBEDDED_ONLY = "data-ws-embedded-only"
    MERGES = "data-ws-merges"
    PREVIEW_TITLE = "data-ws-preview-title"
    PROBLEMS = "data-ws-problems"
    PUBLISHED = "data-ws-published"
    READONLY = "data-ws-readonly"
    REVERTED = "data-ws-reverted"
    KEPT_ERASED = "data-ws-kept-erased"
    UPLOAD_ERROR = "data-ws-upload-error"
    FRESH = "data-ws-fresh"
    FULL = "data-ws-full"
    STEPS = "data-ws-steps"
    SHARED = "data-ws-shared"
    PUSHED = "data-ws-pushed"
    PUSH_FAILED = "data-ws-push-failed"




# ------------------------------------------------------------------ builders
def counts_rows(counts: dict[str, dict[str, int]], lang: str) -> list[list[Any]]:
    """Rows ``[table, added, changed, removed]`` of a per-table summary."""
    return [[t(f"table.{name}", lang), c.get("added", 0), c.get("changed", 0), c.get("removed", 0)]
            for name, c in counts.items()]


def _short(row: dict[str, str] | None) -> str:
    if not row:
        return ""
    for col in ("name", "title"):
        if row.get(col):
            return row[col]
    return "; ".join(f"{k}: {v}" for k, v in row.items() if v and k not in ("source", "illustrative"))[:200]


#: Tables whose values the changes grid never shows (personal data), and what it shows instead.
PERSONAL_TABLES = ("contacts",)
HIDDEN = "…"


def change_rows(changes: list, lang: str, *, limit: int = GRID_LIMIT) -> list[dict[str, Any]]:
    """Grid rows: one per changed field of a changed row, one per added or removed row."""
    rows: list[dict[str, Any]] = []
    for c in changes:
        op, table = t(f"ws.op.{c.op}", lang), t(f"table.{c.table}", lang)
        personal = c.table in PERSONAL_TABLES  # a contact's values are personal data: the id and column only
        if c.op == "update":
            for col, before, after in c.fields():
                rows.append({"op": op, "table": table, "key": c.key, "column": col,
                             "before": HIDDEN if personal else before, "after": HIDDEN if personal else after})
        else:
            rows.append({"op": op, "table": table, "key": c.key, "column": "",
                         "before": HIDDEN if personal and c.before else _short(c.before),
                         "after": HIDDEN if personal and c.after else _short(c.after)})
        if len(rows) >= limit:
            break
    return rows[:limit]


def version_rows(versions: list, lang: str) -> list[dict[str, Any]]:
    """Grid rows of the versions list, with ``+a ~c −r`` per table (for a
    reader without the contact and attendance tables: contacts are not counted)."""
    hidden = PERSONAL_TABLES if contact_rule() == "none" else frozenset()

    def shown(name: str) -> bool:
        return name not in hidden

    return [{"id": v.id, "time": v.time.replace("T", " ").removesuffix("+00:00"), "user": v.user,
             "kind": t(f"ws.kind.{v.kind}", lang), "message": v.message,
             "summary": ", ".join(f"{t(f'table.{name}', lang)} +{c['added']} ~{c['changed']} −{c['removed']}"
                                  for name, c in v.counts.items() if shown(name))}
            for v in versions]


def _counts_table(counts: dict[str, dict[str, int]], lang: str) -> html.Table:
    header = [t("data.table", lang), t("ws.added", lang), t("ws.changed", lang), t("ws.removed", lang)]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])),
                       html.Tbody([html.Tr([html.Td(str(c)) for c in r]) for r in counts_rows(counts, lang)])],
                      className="counts")


def changes_grid(grid_id: str, changes: list, lang: str) -> html.Div:
    rows = change_rows(changes, lang)
    total = sum(max(len(c.fields()), 1) if c.op == "update" else 1 for c in changes)
    return html.Div([
        html.P(t("ws.grid_more", lang, n=len(rows), total=total), className="muted") if total > len(rows) else None,
        dag.AgGrid(
            id=grid_id, rowData=rows,
            columnDefs=[
                {"field": "op", "headerName": t("ws.op", lang), "width": 120},
                {"field": "table", "headerName": t("data.table", lang), "width": 140},
                {"field": "key", "headerName": t("ws.key", lang), "width": 160},
                {"field": "column", "headerName": t("ws.column", lang), "width": 130},
                {"field": "before", "headerName": t("ws.before", lang), "flex": 1, "wrapText": True, "autoHeight": True,
                 "cellStyle": _COMPACT_WRAP},
                {"field": "after", "headerName": t("ws.after", lang), "flex": 1, "wrapText": True, "autoHeight": True,
                 "cellStyle": _COMPACT_WRAP},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True, "floatingFilter": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
    ])


def preview_view(preview, lang: str) -> html.Div:
    """The preview: load report and per-table counts first, then merges, kept rows and the changes grid."""

    report = preview.report
    parts: list[Any] = [
        html.H3(t("ws.preview_of", lang, source=Path(preview.source).name, base=preview.base,
                  mode=t(f"ws.mode.{preview.mode}", lang)), id=ID.PREVIEW_TITLE),
    ]
    if preview.blocked:
        why = (t(f"ws.blocked.{preview.blocked_code}", lang, n=sum(c.read for c in report.tables.values()))
               if preview.blocked_code else preview.blocked)
        parts.append(html.Div(t("ws.blocked", lang, why=why), className="status error", id=ID.BLOCKED))
    parts.append(html.Div([
        html.Div([html.H4(t("ws.changes", lang)),
                  _counts_table(preview.counts, lang) if preview.changes else html.P(t("ws.no_changes", lang), className="muted")],
                 className="card", id=ID.COUNTS),
        html.Div([html.H4(t("ws.report", lang)), report_summary(report, lang, grid_id=ID.PROBLEMS)], className="card"),
    ], className="cards"))
    if preview.manifest is not None and preview.manifest.partial:
        parts.append(html.P(t("ws.manifest_partial", lang, what=", ".join(preview.manifest.omitted)), className="notice"))
    if preview.kept:
        parts.append(html.P(t("ws.kept", lang, what=", ".join(f"{t(f'table.{k}', lang)} {n}" for k, n in preview.kept.items())),
                            className="notice"))
    if preview.merges:
        parts.append(html.Div([html.H4(t("ws.merges", lang)), html.Ul([
            html.Li(t("ws.merge_line", lang, name=m.get("name", ""), src=m["from"], into=m["into"], by=m["by"]))
            for m in preview.merges])], id=ID.MERGES))
    if preview.changes:
        parts.append(changes_grid(ID.CHANGES, preview.changes, lang))
    return html.Div(parts)


def live_text(status, lang: str) -> str:
    if status.building is not None:
        return t("ws.building", lang, n=status.building, live=status.live)
    if status.error:
        return t("ws.live_error", lang, why=status.error, live=status.live)
    return t("ws.live", lang, n=status.live, since=status.since.replace("T", " ").removesuffix("+00:00"))


# ------------------------------------------------------------------ layout
def _workspace():
    """The served workspace; a callback of a server without one (files served
    read-only) changes nothing (a forged request gets 204, not an error)."""
    from loaders.workspace import WorkspaceFile

    path = current().settings.workspace
    if not path:
        raise dash.exceptions.PreventUpdate
    return WorkspaceFile(path)


def _query_mode() -> bool:
    """Served in query mode (``--neo4j-uri``): the store answers from a primary database."""
    return hasattr(current().store, "primary")


def _push(ws, version, lang: str):
    """Query mode: push ``version`` to Neo4j and record it in the shared history; the line saying how it went."""
    from graph.core.errors import StoreError
    from loaders.workspace.shared_history import publish_to_store

    ctx = current()
    primary = getattr(ctx.store, "primary", None)
    try:
        if primary is None:
            raise StoreError(ctx.store.notice or "no Neo4j connection")
        seq = publish_to_store(primary, ws, version, contacts=not ctx.settings.no_contacts,
                               audit_log=ctx.settings.audit_log)
    except StoreError as exc:
        return html.Div(t("ws.push_failed", lang, n=version.id, why=str(exc)), className="status error", id=ID.PUSH_FAILED)
    return html.Div(t("ws.pushed", lang, n=version.id, seq=seq), className="status ok", id=ID.PUSHED)


def shared_history(lang: str) -> html.Div:
    """Query mode: the history every instance publishing into this Neo4j database shares."""
    from graph.core.errors import StoreError
    from loaders.workspace.shared_history import shared_versions

    primary = getattr(current().store, "primary", None)
    try:
        history = shared_versions(primary) if primary is not None else []
    except StoreError as exc:
        return html.Div([html.H3(t("ws.shared_history", lang)),
                         html.Div(t("ws.error", lang, why=str(exc)), className="status error")], id=ID.SHARED)
    rows = [{"seq": h.seq, "time": h.time.replace("T", " ").removesuffix("+00:00"), "user": h.user,
             "kind": t(f"ws.kind.{h.kind}", lang) if h.kind in ("import", "edit", "revert") else h.kind,
             "message": h.message, "summary": h.summary, "instance": f"{h.instance} (v{h.workspace_version})"}
            for h in history]
    return html.Div([
        html.H3(t("ws.shared_history", lang)),
        html.P(t("ws.shared_note", lang), className="muted"),
        dag.AgGrid(
            id=ID.SHARED + "-grid", rowData=rows,
            columnDefs=[
                {"field": "seq", "headerName": "#", "width": 70},
                {"field": "time", "headerName": t("ws.time", lang), "width": 170},
                {"field": "user", "headerName": t("ws.user", lang), "width": 140},
                {"field": "kind", "headerName": t("ws.kind", lang), "width": 120},
                {"field": "message", "headerName": t("ws.message", lang), "flex": 1, "minWidth": 160},
                {"field": "summary", "headerName": t("ws.summary", lang), "flex": 2, "minWidth": 200, "wrapText": True,
                 "autoHeight": True, "cellStyle": _COMPACT_WRAP},
                {"field": "instance", "headerName": t("ws.instance", lang), "flex": 1, "minWidth": 160},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
    ], id=ID.SHARED)


def _upload_controls(ctx, lang: str) -> list:
    """Upload, preview and publish (editors and admins only)."""
    return [
        dcc.RadioItems(id=ID.MODE, value="replace", className="ws-mode",
                       options=[{"label": t("ws.mode_replace", lang), "value": "replace"},
                                {"label": t("ws.mode_update", lang), "value": "update"}]),
        dcc.Upload(id=ID.UPLOAD, multiple=True, className="ws-upload",
                   children=html.Div([t("ws.drop", lang), html.Br(),
                                      html.Span(".xlsx · ZIP (CSV) · .csv · IATI .xml · "
                                                + t("ws.limit", lang, mb=f"{ctx.settings.upload_limit / 1024 / 1024:g}"),
                                                className="muted")])),
        dcc.Loading(html.Div(id=ID.PREVIEW), type="default"),
        html.Div([
            html.Label(t("ws.message", lang), htmlFor=ID.MESSAGE, className="muted"),
            dcc.Input(id=ID.MESSAGE, type="text", placeholder=t("ws.message_ph", lang), className="ws-message",
                      maxLength=500),
            html.Button(t("ws.publish", lang), id=ID.PUBLISH, className="button", disabled=True),
        ], className="button-row ws-publish"),
    ]


def section(lang: str) -> html.Div:
    """The workspace section, or the notice why the data cannot be edited here."""
    ctx = current()
    query_mode = _query_mode()
    if query_mode and not ctx.settings.workspace:
        return html.P(t("ws.query_mode", lang), className="notice", id=ID.EMBEDDED_ONLY)
    if not ctx.settings.workspace:
        return html.P(t("ws.readonly", lang), className="notice", id=ID.READONLY)
    from loaders.workspace import WorkspaceError

    try:
        ws = _workspace()
        versions = ws.versions()
    except WorkspaceError as exc:  # the file went away or broke while serving: say so, keep the page
        return html.Div(t("ws.error", lang, why=str(exc)), className="status error", id=ID.BROKEN)
    live = live_of()
    status = live.status() if live is not None else None
    numbers = [v.id for v in versions]
    full_allowed = may_see_personal_data(ctx.settings) and has_role(Role.ADMIN)  # unconsented contacts: admins only
    editor = has_role(Role.EDITOR)
    return html.Div([
        html.H2(t("ws.title", lang)),
        html.P(t("ws.intro", lang), className="intro"),
        html.P(t("ws.query_embedded_only", lang), className="notice", id=ID.EMBEDDED_ONLY) if query_mode else None,
        html.Ol([html.Li(t(f"ws.step{i}", lang)) for i in range(1, 5)], className="ws-steps", id=ID.STEPS),
        html.P(live_text(status, lang) if status else "", id=ID.LIVE, className="notice"),
        dcc.Interval(id=ID.TICK, interval=2000),
        dcc.Store(id=ID.TOKEN),
        dcc.Store(id=ID.REFRESH),
        *(_upload_controls(ctx, lang) if editor else
          [html.P(t("access.denied_publish", lang, role=t(f"role.{current_identity().role.key}", lang)),
                  className="notice", id=ID.NOT_EDITOR)]),
        html.Div(id=ID.RESULT),
        html.Button(t("ws.fresh", lang), id=ID.FRESH, className="button", style={"display": "none"}),
        html.H2(t("ws.history", lang)),
        dag.AgGrid(
            id=ID.VERSIONS, rowData=version_rows(versions, lang),
            columnDefs=[
                {"field": "id", "headerName": t("ws.version", lang), "width": 95, "checkboxSelection": True},
                {"field": "time", "headerName": t("ws.time", lang), "width": 170},
                {"field": "user", "headerName": t("ws.user", lang), "width": 140},
                {"field": "kind", "headerName": t("ws.kind", lang), "width": 120},
                {"field": "message", "headerName": t("ws.message", lang), "flex": 1, "minWidth": 160},
                {"field": "summary", "headerName": t("ws.summary", lang), "flex": 2, "minWidth": 200, "wrapText": True,
                 "autoHeight": True, "cellStyle": _COMPACT_WRAP},
            ],
            defaultColDef={"sortable": True, "filter": True, "resizable": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight",
                                         rowSelection="single"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
        html.Div([
            html.Span(t("ws.selected", lang) + ":", className="muted"),
            html.Button(t("ws.revert", lang), id=ID.REVERT, className="button secondary") if editor else None,
            html.Button(t("ws.dl_xlsx", lang), id=ID.DL_XLSX, className="button secondary"),
            html.Button(t("ws.dl_csv", lang), id=ID.DL_CSV, className="button secondary"),
            downloads.target(ID.DOWNLOAD),
        ], className="button-row ws-version-actions"),
        dcc.Checklist(id=ID.FULL, options=[{"label": t("ws.dl_full", lang), "value": "full"}], value=[],
                      className="ws-full", inputClassName="ws-full-input") if full_allowed else None,
        html.P(t("ws.dl_note", lang), className="muted"),
        html.Div(id=ID.REVERT_RESULT),
        shared_history(lang) if query_mode else None,
        html.H3(t("ws.diff", lang)),
        html.Div([
            html.Label([t("ws.diff_from", lang), dcc.Dropdown(id=ID.DIFF_A, options=numbers, clearable=False,
                                                              value=numbers[1] if len(numbers) > 1 else (numbers[0] if numbers else None))]),
            html.Label([t("ws.diff_to", lang), dcc.Dropdown(id=ID.DIFF_B, options=numbers, clearable=False,
                                                            value=numbers[0] if numbers else None)]),
        ], className="ws-diff-pick"),
        html.Div(id=ID.DIFF),
    ], className="workspace-panel", id=ID.SECTION)


# ------------------------------------------------------------------ callbacks
def _decode(contents: list[str], names: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for content, name in zip(contents, names):
        _, _, data = (content or "").partition(",")
        try:
            files.append((name, base64.b64decode(data, validate=False)))
        except (binascii.Error, ValueError) as exc:
            raise LoadError(f"{name}: the upload arrived damaged ({exc})") from exc
    return files


def _selected(rows: list | None) -> int | None:
    return rows[0]["id"] if rows else None


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    @app.callback(
        dash.Output(ID.PREVIEW, "children"),
        dash.Output(ID.TOKEN, "data"),
        dash.Output(ID.PUBLISH, "disabled"),
        dash.Output(ID.FRESH, "style"),
        dash.Output(ID.RESULT, "children", allow_duplicate=True),
        dash.Input(ID.UPLOAD, "contents"),
        dash.Input(ID.MODE, "value"),
        dash.Input(ID.FRESH, "n_clicks"),
        dash.State(ID.UPLOAD, "filename"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _preview(contents, mode, _fresh, names, lang):
        """A preview of the upload against the head (again after a conflict: the fresh-preview button)."""
        require_role(Role.EDITOR)
        return (*_make_preview_view(contents, mode, names, lang), {"display": "none"}, None)

    def _make_preview_view(contents, mode, names, lang):
        from loaders.workspace import make_preview, stage_upload

        lang = lang_from_search(lang)
        if not contents:
            return None, None, True
        ctx = current()
        tmp = tempfile.mkdtemp(prefix="partnernetz-upload-")
        try:
            path = stage_upload(_decode(contents, names or []), tmp, limit=ctx.settings.upload_limit)
            source = names[0] if len(names or []) == 1 else ", ".join(names or [])
            preview = make_preview(_workspace(), path, mode=mode or "replace", source=source)
        except LoadError as exc:  # wrong format, corrupt, over the limit: nothing changed
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error", id=ID.UPLOAD_ERROR), None, True
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return preview_view(preview, lang), (preview.token if preview.ok else None), not preview.ok

    @app.callback(
        dash.Output(ID.RESULT, "children"),
        dash.Output(ID.PUBLISH, "disabled", allow_duplicate=True),
        dash.Output(ID.REFRESH, "data"),
        dash.Output(ID.FRESH, "style", allow_duplicate=True),
        dash.Input(ID.PUBLISH, "n_clicks"),
        dash.State(ID.TOKEN, "data"),
        dash.State(ID.MESSAGE, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _publish(_n, token, message, lang):
        from loaders.workspace import ConflictError, WorkspaceError, publish_preview

        require_role(Role.EDITOR)
        lang = lang_from_search(lang)
        if not token:
            return dash.no_update, True, dash.no_update, dash.no_update
        try:
            version = publish_preview(_workspace(), token, user=current_identity().name, message=(message or "").strip()[:500]
                                      or "Upload")
        except ConflictError as exc:  # someone published since this preview: offer a fresh one
            return (html.Div(t("ws.conflict", lang, head=exc.head, base=exc.base), className="status error",
                             id=ID.CONFLICT), True, dash.no_update, {"display": "inline-block"})
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error"), True, dash.no_update, dash.no_update
        audit_event("publish", what=f"version {version.id}", version=version.id, version_kind=version.kind)
        live = live_of()
        if live is not None:
            live.check(force=True)
        done = html.Div(t("ws.published", lang, n=version.id), className="status ok", id=ID.PUBLISHED)
        if _query_mode():
            done = html.Div([done, _push(_workspace(), version, lang)])
        return done, True, version.id, dash.no_update

    @app.callback(
        dash.Output(ID.LIVE, "children"),
        dash.Input(ID.TICK, "n_intervals"),
        LANG_STATE,
    )
    def _live(_n, lang):
        live = live_of()
        return live_text(live.status(), lang_from_search(lang)) if live is not None else ""

    @app.callback(
        dash.Output(ID.VERSIONS, "rowData"),
        dash.Output(ID.DIFF_A, "options"),
        dash.Output(ID.DIFF_B, "options"),
        dash.Output(ID.DIFF_A, "value"),
        dash.Output(ID.DIFF_B, "value"),
        dash.Input(ID.REFRESH, "data"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _refresh_versions(_version, lang):
        versions = _workspace().versions()
        numbers = [v.id for v in versions]
        return (version_rows(versions, lang_from_search(lang)), numbers, numbers,
                numbers[1] if len(numbers) > 1 else None, numbers[0] if numbers else None)

    @app.callback(
        dash.Output(ID.SHARED, "children"),
        dash.Input(ID.REFRESH, "data"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _refresh_shared(_version, lang):
        """Query mode: the shared history again after a publish or revert here."""
        if not _query_mode():
            raise dash.exceptions.PreventUpdate
        return shared_history(lang_from_search(lang)).children

    @app.callback(
        dash.Output(ID.DIFF, "children"),
        dash.Input(ID.DIFF_A, "value"),
        dash.Input(ID.DIFF_B, "value"),
        LANG_STATE,
    )
    def _diff(a, b, lang):
        from loaders.workspace import WorkspaceError, diff_versions, summarise

        lang = lang_from_search(lang)
        if a is None or b is None:
            return None
        try:
            changes = diff_versions(_workspace(), int(a), int(b))
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error")
        if contact_rule() == "none":  # readers: no rows of contact or attendance tables
            changes = [c for c in changes if c.table not in PERSONAL_TABLES]
        if not changes:
            return html.P(t("ws.no_changes", lang), className="muted")
        return html.Div([_counts_table(summarise(changes), lang), changes_grid(ID.DIFF_GRID, changes, lang)])

    @app.callback(
        dash.Output(ID.REVERT_RESULT, "children"),
        dash.Output(ID.REFRESH, "data", allow_duplicate=True),
        dash.Input(ID.REVERT, "n_clicks"),
        dash.State(ID.VERSIONS, "selectedRows"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _revert(_n, selected, lang):
        from loaders.workspace import WorkspaceError, revert

        require_role(Role.EDITOR)
        lang = lang_from_search(lang)
        target = _selected(selected)
        if target is None:
            return html.Div(t("ws.select_first", lang), className="status error"), dash.no_update
        try:
            version = revert(_workspace(), target, user=current_identity().name)
        except WorkspaceError as exc:
            return html.Div(t("ws.error", lang, why=str(exc)), className="status error"), dash.no_update
        audit_event("revert", what=f"version {version.id}", version=version.id, to=target)
        live = live_of()
        if live is not None:
            live.check(force=True)
        done = html.Div(t("ws.reverted", lang, n=version.id, to=target), className="status ok", id=ID.REVERTED)
        kept = getattr(version, "kept_erased", ())
        if kept:
            done = html.Div([done, html.Div(t("ws.kept_erased", lang, n=len(kept), to=target, which=", ".join(kept)),
                                            className="status", id=ID.KEPT_ERASED)])
        if _query_mode():
            done = html.Div([done, _push(_workspace(), version, lang)])
        return done, version.id

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Output(ID.REVERT_RESULT, "children", allow_duplicate=True),
        dash.Input(ID.DL_XLSX, "n_clicks"),
        dash.Input(ID.DL_CSV, "n_clicks"),
        dash.State(ID.FULL, "value"),
        dash.State(ID.VERSIONS, "selectedRows"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _download(_x, _c, full_box, selected, lang):
        from loaders.workspace import WorkspaceError

        fmt = "csv" if dash.ctx.triggered_id == ID.DL_CSV else "xlsx"
        payload, rule = version_payload(_workspace(), _selected(selected), fmt=fmt, full="full" in (full_box or []),
                                        settings=current().settings)
        try:
            return downloads.send(payload, rule=rule), dash.no_update
        except WorkspaceError as exc:
            return dash.no_update, html.Div(t("ws.error", lang_from_search(lang), why=str(exc)), className="status error")


class VersionDownload(NamedTuple):
    """A version's file as released by the egress gate, with its manifest."""

    content: bytes
    filename: str
    manifest: Any


def version_payload(ws, version: int | None, *, fmt: str, full: bool, settings) -> tuple[Any, str]:
    """The egress payload of a version download and the contact rule it
    leaves under: the full backup (rule ``all``) only when
    :func:`dashboard.auth.may_see_personal_data` allows it (asked again here,
    so a forged request gets the plain, partial export)."""
    from loaders import egress
    from loaders.workspace import WorkspacePayload

    full = full and may_see_personal_data(settings) and has_role(Role.ADMIN)  # unconsented contacts: admins only
    payload = WorkspacePayload(ws, version, fmt, what="workspace version {version}" + (" full backup" if full else ""))
    # the requester's rule (a reader: no contacts at all), "all" for the full backup
    return payload, egress.rule_for(no_contacts=settings.no_contacts, user_rule="all" if full else contact_rule())


def download_version(ws, version: int | None, *, fmt: str, full: bool, settings, user: str) -> VersionDownload:
    """A version as ``fmt`` for ``user``, through the egress gate
    (:mod:`loaders.egress`): the full backup only when
    :func:`dashboard.auth.may_see_personal_data` allows it (asked again here,
    so a forged request gets the plain, partial export); the gate writes the
    audit record before the bytes leave."""
    from loaders import egress

    payload, rule = version_payload(ws, version, fmt=fmt, full=full, settings=settings)
    released = egress.release(payload, user=user, audit=settings.audit_log, rule=rule, dataset=settings.data_label)
    return VersionDownload(released.content, released.filename, payload.manifest)

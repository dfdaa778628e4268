"""The Daten page's table editor: one editable grid per table of the workspace.

Edit a cell and it is saved at once (one version, validated by the loader;
a refused value goes back and the problem is named); add rows and save them
together (one version, all or none); select rows and delete them (one
version; refused while other rows refer to them). At most :data:`ROWS` rows
are sent to the browser: narrow the table with the text filter. A contact's
personal columns are read-only here and masked for people without valid
consent (edit them in the Netzwerk details panel).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.access import AccessDenied, current_identity, has_role
from dashboard.components import grid_options
from dashboard.context import current
from dashboard.edit_service import CONTACT_PERSONAL, save, visible_row, workspace
from dashboard.i18n import LANG_STATE, lang_from_search, t
from loaders.schema import TABLE_ORDER, TABLES
from loaders.workspace.editing import EditError, create_records, delete_records, update_record
from loaders.workspace.keys import columns
from loaders.workspace.store import _q

__all__ = ["ID", "section", "register_callbacks", "grid_rows", "ROWS"]

#: Most rows sent to the browser at once.
ROWS = 500


class ID:
    SECTION = "data-edit"
    TABLE = "data-edit-table"
    FILTER = "data-edit-filter"
    GRID = "data-edit-grid"
    COUNT = "data-edit-count"
    ADD = "data-edit-add"
    SAVE_NEW = "data-edit-save-new"
    DELETE = "data-edit-delete"
    FEEDBACK = "data-edit-feedback"


def grid_rows(table: str, text: str = "") -> tuple[list[dict[str, Any]], int]:
    """``(rows as the current user may see them, total matching)``, at most :data:`ROWS`."""
    ws = workspace()
    if ws is None:
        return [], 0
    cols = columns(table)
    where, args = "", []
    if text:
        where = " WHERE " + " OR ".join(f"instr(lower({_q(c)}), lower(?)) > 0" for c in cols)
        args = [text] * len(cols)
    with ws.connect() as con:
        total = con.execute(f"SELECT count(*) FROM {_q(table)}{where}", args).fetchone()[0]
        rows = con.execute(f"SELECT _key, {', '.join(map(_q, cols))} FROM {_q(table)}{where} ORDER BY rowid LIMIT ?",
                           [*args, ROWS]).fetchall()
    identity = current_identity()
    if table == "contacts" and text and not has_role("planner"):
        pass  # a reader's filter only ever matched what the masked rows below show anyway
    out = []
    for r in rows:
        row = visible_row(table, dict(zip(cols, r[1:])), identity)
        out.append({"_rid": r[0], **row})
    return out, total


def _column_defs(table: str, lang: str) -> list[dict[str, Any]]:
    spec = TABLES[table]
    defs = [{"field": "_rid", "hide": True}]
    for c in spec.columns:
        editable = not (spec.key == c.name) and not (table == "contacts" and c.name in CONTACT_PERSONAL)
        col: dict[str, Any] = {"field": c.name, "headerName": t(f"col.{c.name}", lang) + (" *" if c.required else ""),
                               "editable": editable, "minWidth": 110}
        if spec.key == c.name:
            col["editable"] = {"function": "params.data._rid.startsWith('new:')"}  # only new rows get an id
            col["pinned"] = "left"
        if c.allowed:
            col["cellEditor"] = "agSelectCellEditor"
            col["cellEditorParams"] = {"values": ["", *c.allowed]}
        defs.append(col)
    defs[1]["checkboxSelection"] = True
    return defs


def section(lang: str) -> html.Div | None:
    """The editor (only for a served workspace and role editor or higher)."""
    if current().settings.workspace is None or not has_role("editor"):
        return None
    table = "institutions"
    rows, total = grid_rows(table)
    return html.Div([
        html.H2(t("tedit.title", lang)),
        html.P(t("tedit.intro", lang, n=ROWS), className="muted"),
        html.Div([
            dcc.Dropdown(id=ID.TABLE, options=[{"label": t(f"table.{n}", lang), "value": n} for n in TABLE_ORDER],
                         value=table, clearable=False, searchable=False, className="small-select tedit-table"),
            dcc.Input(id=ID.FILTER, type="search", placeholder=t("tedit.filter", lang), debounce=True, value=""),
            html.Button(t("tedit.add", lang), id=ID.ADD, className="button small secondary"),
            html.Button(t("tedit.save_new", lang), id=ID.SAVE_NEW, className="button small"),
            html.Button(t("tedit.delete", lang), id=ID.DELETE, className="button small secondary danger"),
        ], className="action-row"),
        html.Div(t("tedit.count", lang, shown=len(rows), total=total), id=ID.COUNT, className="muted"),
        html.Div(id=ID.FEEDBACK, role="status"),
        dag.AgGrid(id=ID.GRID, rowData=rows, columnDefs=_column_defs(table, lang), getRowId="params.data._rid",
                   defaultColDef={"resizable": True, "sortable": True},
                   dashGridOptions=grid_options(lang, rowSelection="multiple", suppressRowClickSelection=True,
                                                stopEditingWhenCellsLoseFocus=True, singleClickEdit=True),
                   className="ag-theme-alpine", style={"width": "100%", "height": "420px"}),
    ], id=ID.SECTION, className="section table-editor")


def _feedback(kind: str, text: str) -> html.Div:
    return html.Div(text, className=f"notice {'warn' if kind == 'error' else 'ok'}", **{"data-result": kind})


def _problems(exc: Exception, lang: str) -> html.Div:
    if isinstance(exc, AccessDenied):
        return _feedback("error", t("edit.code.forbidden", lang) + f": {exc}")
    items = [f"{t('col.' + p.column, lang) if p.column in _ALL_COLUMNS else ''}{': ' if p.column in _ALL_COLUMNS else ''}"
             f"{t(f'edit.code.{p.code}', lang)} – {p.message}" for p in exc.problems]
    return html.Div([html.Strong(t("edit.not_saved", lang)), html.Ul([html.Li(i) for i in items])],
                    className="notice warn", **{"data-result": "error"})


_ALL_COLUMNS = {c.name for spec in TABLES.values() for c in spec.columns}


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        dash.Output(ID.GRID, "rowData"),
        dash.Output(ID.GRID, "columnDefs"),
        dash.Output(ID.COUNT, "children"),
        dash.Input(ID.TABLE, "value"),
        dash.Input(ID.FILTER, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _load(table, text, search):
        lang = lang_from_search(search)
        table = table if table in TABLES else "institutions"
        rows, total = grid_rows(table, (text or "").strip())
        return rows, _column_defs(table, lang), t("tedit.count", lang, shown=len(rows), total=total)

    @app.callback(
        dash.Output(ID.GRID, "rowTransaction"),
        dash.Input(ID.ADD, "n_clicks"),
        prevent_initial_call=True,
    )
    def _add(n):
        if not n:
            raise dash.exceptions.PreventUpdate
        return {"add": [{"_rid": f"new:{n}"}], "addIndex": 0}

    @app.callback(
        dash.Output(ID.FEEDBACK, "children"),
        dash.Output(ID.GRID, "rowData", allow_duplicate=True),
        dash.Output(ID.COUNT, "children", allow_duplicate=True),
        dash.Input(ID.GRID, "cellValueChanged"),
        dash.Input(ID.SAVE_NEW, "n_clicks"),
        dash.Input(ID.DELETE, "n_clicks"),
        dash.State(ID.GRID, "virtualRowData"),
        dash.State(ID.GRID, "selectedRows"),
        dash.State(ID.TABLE, "value"),
        dash.State(ID.FILTER, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _save(changed, _save_new, _delete, virtual, selected, table, text, search):
        lang = lang_from_search(search)
        table = table if table in TABLES else "institutions"
        trig = dash.ctx.triggered_id
        try:
            if trig == ID.GRID:
                edits = [c for c in (changed or []) if not str(c.get("rowId", "")).startswith("new:")]
                if not edits:
                    raise dash.exceptions.PreventUpdate
                result = None
                for c in edits:
                    if (c.get("value") or "") == (c.get("oldValue") or ""):
                        continue
                    result, _who, _live = save(update_record, table, c["rowId"], {c["colId"]: c.get("value") or ""})
                if result is None:
                    raise dash.exceptions.PreventUpdate
                message = t("edit.saved", lang, v=result.version.id)
            elif trig == ID.SAVE_NEW:
                new = [{k: ("" if v is None else str(v)) for k, v in r.items() if k != "_rid"}
                       for r in (virtual or []) if str(r.get("_rid", "")).startswith("new:")]
                if not new:
                    raise dash.exceptions.PreventUpdate
                result, _who, _live = save(create_records, table, new)
                message = t("tedit.saved_new", lang, n=len(new), v=result.version.id)
            else:
                keys = [r["_rid"] for r in (selected or []) if not str(r.get("_rid", "")).startswith("new:")]
                if not keys:
                    raise dash.exceptions.PreventUpdate
                result, _who, _live = save(delete_records, table, keys)
                message = t("tedit.deleted", lang, n=len(keys), v=result.version.id)
        except (AccessDenied, EditError) as exc:
            if trig == ID.SAVE_NEW:  # keep the unsaved new rows in the grid for correction
                return _problems(exc, lang), dash.no_update, dash.no_update
            rows, total = grid_rows(table, (text or "").strip())  # the refused value goes back
            return _problems(exc, lang), rows, t("tedit.count", lang, shown=len(rows), total=total)
        rows, total = grid_rows(table, (text or "").strip())
        return _feedback("ok", message), rows, t("tedit.count", lang, shown=len(rows), total=total)

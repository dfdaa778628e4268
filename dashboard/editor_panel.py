"""Editing in the Netzwerk details panel: *Bearbeiten* for the selected
record, *Neu* for any table (pre-filled with the selected record where a
column refers to it), its relations with delete buttons, undo of the user's
last change, and the record's history.

Builders are plain functions (unit-tested without a browser); callbacks
parse the form, call :mod:`dashboard.edit_service` (role check, validation
by the loader, one version per save, live at once) and re-render the page
by writing the URL (``rev=<version>`` makes it a new address).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, dcc, html

from dashboard import ids
from dashboard.access import AccessDenied, current_identity, has_role, require_role
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.edit_service import CONTACT_PERSONAL, save, store_note, workspace
from dashboard.i18n import t
from dashboard.viewstate import parse_search, updated_search
from loaders.schema import TABLE_ORDER, TABLES, ColumnType
from loaders.workspace.editing import (
    NODE_TABLES, EditError, FieldProblem, create_record, delete_record, record_history, referencing_rows,
    table_of_node, undo_last, update_record,
)
from loaders.workspace.consent import erase_person, withdraw_consent
from loaders.workspace.notes import add_note, notes_for

__all__ = ["ID", "edit_section", "record_form", "problem_text", "history_list", "register_callbacks", "node_of"]


class ID:
    SECTION = "network-edit"
    OPEN = "network-edit-open"
    NEW_OPEN = "network-edit-new-open"
    NEW_TABLE = "network-edit-new-table"
    FORM = "network-edit-form"
    TARGET = "network-edit-target"
    SAVE = "network-edit-save"
    MESSAGE = "network-edit-message"
    FEEDBACK = "network-edit-feedback"
    UNDO = "network-edit-undo"
    DELETE = "network-edit-delete"
    HISTORY = "network-edit-history"
    RELATIONS = "network-edit-relations"
    READONLY = "network-edit-readonly"
    # pattern-matching ids
    FIELD = "network-edit-field"
    PROBLEM = "network-edit-problem"
    REL_DELETE = "network-edit-rel-delete"
    # consent and erasure (contacts), notes (any record)
    PRIVACY = "network-edit-privacy"
    WITHDRAW = "network-edit-withdraw"
    ERASE = "network-edit-erase"
    NOTES = "network-edit-notes"
    NOTE_TEXT = "network-edit-note-text"
    NOTE_ADD = "network-edit-note-add"


#: Vocabulary of an enum column → group of its domain labels.
_ENUM_GROUPS = {"sector": "sector", "role": "role", "cofinance_kind": "cofinancing", "status": "status",
                "phase": "phase", "event_kind": "event_kind", "attendance_role": "attendance"}

_KIND_OF_TABLE = {table: kind for kind, table in NODE_TABLES.items()}


def node_of(table: str, key: str) -> str | None:
    """The graph node of a record (None for link rows)."""
    kind = _KIND_OF_TABLE.get(table)
    return f"{kind}:{key}" if kind else None


def _masked_contact(table: str, key: str) -> bool:
    if table != "contacts":
        return False
    node = current().graph.nx.nodes.get(f"contact:{key}")
    return node is None or bool(node.get("masked"))


def _hidden_columns(table: str, key: str | None) -> set[str]:
    """Columns not shown: a contact's personal fields when the person is masked or the role is below planner."""
    if table != "contacts":
        return set()
    if not has_role("planner") or (key and _masked_contact(table, key)):
        return set(CONTACT_PERSONAL)
    return set()


def _field(table: str, column, value: str, lang: str) -> html.Div:
    label = t(f"col.{column.name}", lang) + (" *" if column.required else "")
    fid = {"type": ID.FIELD, "column": column.name}
    if column.type is ColumnType.ENUM:
        group = _ENUM_GROUPS.get(column.vocabulary or "")
        options = [{"label": domain_label(group, v, lang) if group else v, "value": v} for v in column.allowed]
        if value and value not in column.allowed:
            options.append({"label": value, "value": value})
        control = dcc.Dropdown(id=fid, options=options, value=value or None, clearable=not column.required,
                               className="edit-select")
    elif column.type is ColumnType.BOOL:
        control = dcc.Dropdown(id=fid, options=[{"label": t("edit.yes", lang), "value": "true"},
                                                {"label": t("edit.no", lang), "value": "false"}],
                               value=value or None, className="edit-select")
    else:
        # format examples as placeholders (dates, codes, numbers); text examples are German data, not UI
        example = "" if column.type in (ColumnType.TEXT, ColumnType.URL) else column.example
        control = dcc.Input(id=fid, type="text", value=value, debounce=False, className="edit-input",
                            placeholder=example, maxLength=10000)
    return html.Div([html.Label(label, className="field-label"), control,
                     html.Div(id={"type": ID.PROBLEM, "column": column.name}, className="edit-problem")],
                    className="edit-field", **{"data-column": column.name})


def record_form(table: str, row: dict[str, str], lang: str, *, mode: str, key: str | None = None) -> html.Div:
    """The form for ``row`` of ``table`` (``mode`` ``update`` or ``create``)."""
    hidden = _hidden_columns(table, key)
    fields = [_field(table, c, row.get(c.name, ""), lang) for c in TABLES[table].columns if c.name not in hidden]
    title = t("edit.form_update", lang, table=t(f"table.{table}", lang)) if mode == "update" else \
        t("edit.form_create", lang, table=t(f"table.{table}", lang))
    return html.Div([
        html.H4(title),
        html.P(t("edit.masked_fields", lang), className="muted") if hidden else None,
        html.Div(fields, className="edit-fields"),
        html.Div(id={"type": ID.PROBLEM, "column": "_record"}, className="edit-problem"),
        dcc.Input(id=ID.MESSAGE, type="text", placeholder=t("edit.message_ph", lang), className="edit-input", value=""),
        html.Div([html.Button(t("edit.save", lang), id=ID.SAVE, className="button small"),
                  html.Button(t("edit.delete_record", lang), id=ID.DELETE, className="button small secondary danger")
                  if mode == "update" else None], className="action-row"),
    ], className="edit-form", **{"data-table": table, "data-mode": mode})


def problem_text(p: FieldProblem, lang: str) -> str:
    """One problem in words: the kind of problem in ``lang``, then the loader's own message."""
    return f"{t(f'edit.code.{p.code}', lang)}: {p.message}"


def _op(op: str, lang: str) -> str:
    return t(f"edit.op.{op}", lang)


def history_list(table: str, key: str, lang: str, *, limit: int = 20) -> html.Div:
    """Who changed the record, when, before → after (newest first)."""
    ws = workspace()
    entries = record_history(ws, table, key, limit=limit) if ws else []
    hide_personal = table == "contacts" and (_masked_contact(table, key) or not has_role("planner"))
    items = []
    for h in entries:
        fields = []
        for column, before, after in h.fields:
            if hide_personal and column in CONTACT_PERSONAL:
                before, after = ("…" if before else ""), ("…" if after else "")
            fields.append(html.Li([html.Span(t(f"col.{column}", lang), className="muted"),
                                   f": {before or '∅'} → {after or '∅'}"]))
        head = f"v{h.version} · {h.time.replace('T', ' ')[:16]} · {h.user} · {t(f'table.{h.table}', lang)} {h.key} " \
               f"{_op(h.op, lang)}"
        items.append(html.Li([html.Span(head, className="history-head"),
                              html.Span(f" – {h.message}", className="muted") if h.message else None,
                              html.Ul(fields[:12], className="history-fields") if fields and h.table == table else None],
                             **{"data-version": str(h.version)}))
    if not _notes_hidden(table, key):
        for n in notes_for(ws, table, key) if ws else []:
            items.append(html.Li([html.Span(f"v{n.version} · {n.time.replace('T', ' ')[:16]} · {n.author} · "
                                            f"{t('edit.note', lang)}", className="history-head"),
                                  html.Span(f" – {n.text[:200]}", className="muted")], **{"data-version": str(n.version)}))
        items.sort(key=lambda li: -int(li.to_plotly_json()["props"].get("data-version", 0)))
    return html.Details([html.Summary(t("edit.history", lang) + f" ({len(items)})"),
                         html.Ul(items, className="history-list") if items else html.P(t("edit.history_empty", lang),
                                                                                        className="muted")],
                        id=ID.HISTORY, className="edit-history")


def _relations(table: str, key: str, lang: str) -> html.Div | None:
    ws = workspace()
    if ws is None:
        return None
    with ws.connect() as con:
        refs = referencing_rows(con, table, key)
    link_rows = [(t_, k, row) for t_, k, _c, _req, row in refs if not TABLES[t_].key]
    if not link_rows:
        return None
    items = [html.Li([html.Span(f"{t(f'table.{t_}', lang)}: {k.replace('|', ' · ')}"),
                      html.Button("×", id={"type": ID.REL_DELETE, "table": t_, "key": k}, title=t("edit.delete", lang),
                                  className="button tiny secondary")], className="edit-relation")
             for t_, k, _row in link_rows[:50]]
    return html.Details([html.Summary(t("edit.relations", lang) + f" ({len(link_rows)})"), html.Ul(items)],
                        id=ID.RELATIONS, className="edit-relations")


def _version_feedback(rev: Any, lang: str) -> html.Div | None:
    """What the save that led here did (the page is re-rendered with ``rev=<version>`` after a save)."""
    ws = workspace()
    try:
        version = ws.version(int(rev)) if ws is not None and rev else None
    except (ValueError, TypeError, Exception):  # a hand-edited rev: say nothing
        return None
    if version is None:
        return None
    if version.source.startswith("undo:"):
        return _feedback("ok", t("edit.undone", lang, v=version.source.split(":", 1)[1], n=version.id))
    if version.source == "erase":
        return _feedback("ok", t("edit.erased", lang, v=version.id))
    removed_only = all(c.get("removed") and not c.get("added") and not c.get("changed") for c in version.counts.values())
    return _feedback("ok", t("edit.deleted" if removed_only else "edit.saved", lang, v=version.id))


def edit_section(nid: str | None, lang: str, rev: Any = None) -> html.Div | None:
    """The editing block under the details of ``nid`` (and *Neu* even without a selection);
    ``rev``: the version a save just made (its result is shown)."""
    if current().settings.workspace is None:
        return None
    identity = current_identity()
    if not has_role("editor"):
        return html.Div(t("edit.no_role", lang, role=identity.role), id=ID.READONLY, className="muted")
    record = table_of_node(nid) if nid else None
    target = {"table": record[0], "key": record[1], "mode": "update"} if record else None
    new_options = [{"label": t(f"table.{name}", lang), "value": name} for name in TABLE_ORDER]
    default_new = _default_new_table(record)
    controls = html.Div([
        html.Button(t("edit.open", lang), id=ID.OPEN, className="button small", disabled=not record,
                    hidden=not record),  # always there: the callback opening forms listens to it
        html.Div([dcc.Dropdown(id=ID.NEW_TABLE, options=new_options, value=default_new, clearable=False,
                               searchable=False, className="small-select edit-new-table"),
                  html.Button(t("edit.new", lang), id=ID.NEW_OPEN, className="button small secondary")],
                 className="edit-new"),
        html.Button(t("edit.undo", lang), id=ID.UNDO, className="button small secondary"),
    ], className="action-row edit-controls")
    return html.Div([
        html.H3(t("edit.title", lang)),
        controls,
        dcc.Store(id=ID.TARGET, data=target),
        html.Div(_version_feedback(rev, lang), id=ID.FEEDBACK, className="edit-feedback", role="status"),
        html.Div(id=ID.FORM),
        _privacy(*record, lang, identity) if record and record[0] == "contacts" else None,
        _relations(*record, lang) if record else None,
        notes_block(*record, lang) if record else None,
        history_list(*record, lang) if record else None,
    ], id=ID.SECTION, className="edit-section")


def _notes_hidden(table: str, key: str) -> bool:
    """Notes on a person are personal data: hidden below planner and for a masked person."""
    return table == "contacts" and (_masked_contact(table, key) or not has_role("planner"))


def notes_block(table: str, key: str, lang: str) -> html.Div | None:
    """The record's notes (text, author, date) and a box to add one."""
    ws = workspace()
    if ws is None:
        return None
    hidden = _notes_hidden(table, key)
    notes = [] if hidden else notes_for(ws, table, key)
    items = [html.Li([html.Span(f"{n.time.replace('T', ' ')[:16]} · {n.author}: ", className="muted"), n.text],
                     className="note-item") for n in notes]
    return html.Div([
        html.H4(t("edit.notes", lang) + f" ({len(notes)})"),
        html.P(t("edit.notes_hidden", lang), className="muted") if hidden else None,
        html.Ul(items, className="note-list") if items else None,
        dcc.Textarea(id=ID.NOTE_TEXT, placeholder=t("edit.note_ph", lang), value="", maxLength=5000),
        html.Button(t("edit.note_add", lang), id=ID.NOTE_ADD, className="button small secondary"),
    ], id=ID.NOTES, className="edit-notes")


def _privacy(table: str, key: str, lang: str, identity) -> html.Div:
    """Consent withdrawal (editor) and erasure (admin) of a contact, each confirmed first."""
    masked = _masked_contact(table, key)
    buttons = []
    if not masked:
        buttons.append(dcc.ConfirmDialogProvider(
            html.Button(t("edit.withdraw", lang), className="button small secondary"),
            id=ID.WITHDRAW, message=t("edit.withdraw_confirm", lang)))
    if has_role("admin"):
        buttons.append(dcc.ConfirmDialogProvider(
            html.Button(t("edit.erase", lang), className="button small secondary danger"),
            id=ID.ERASE, message=t("edit.erase_confirm", lang)))
    return html.Div([html.H4(t("edit.privacy", lang)),
                     html.P(t("edit.masked_now", lang), className="muted") if masked else None,
                     html.Div(buttons, className="action-row")], id=ID.PRIVACY, className="edit-privacy")


def _default_new_table(record: tuple[str, str] | None) -> str:
    if record is None:
        return "institutions"
    return {"projects": "participations", "institutions": "participations", "events": "attendance",
            "contacts": "attendance", "themes": "projects", "programmes": "projects"}.get(record[0], record[0])


def _prefill(table: str, record: tuple[str, str] | None) -> dict[str, str]:
    """Values for a new ``table`` row that refer to the selected record."""
    if record is None:
        return {}
    out = {}
    for c in TABLES[table].columns:
        if c.type is ColumnType.REF and c.ref == record[0]:
            out[c.name] = record[1]
    return out


# ------------------------------------------------------------------ callbacks
def _feedback(kind: str, text: str) -> html.Div:
    return html.Div(text, className=f"notice {'warn' if kind == 'error' else 'ok'}", **{"data-result": kind})


def _error_outputs(exc: EditError, columns: list[str], lang: str):
    by_column: dict[str, list[str]] = {}
    for p in exc.problems:
        by_column.setdefault(p.column if p.column in columns else "_record", []).append(problem_text(p, lang))
    per_field = [html.Ul([html.Li(x) for x in by_column[c]], className="edit-problem-list") if c in by_column else None
                 for c in columns]
    return per_field, _feedback("error", t("edit.not_saved", lang) + " " + "; ".join(
        problem_text(p, lang) for p in exc.problems))


def _location_after(search: str | None, version: int, node: str | None) -> str:
    state = parse_search(search)
    changes: dict[str, Any] = {}
    if node is not None:
        changes["selected"] = node
    return updated_search(state, **changes) + f"&rev={version}"


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        dash.Output(ID.FORM, "children"),
        dash.Output(ID.TARGET, "data"),
        dash.Input(ID.OPEN, "n_clicks"),
        dash.Input(ID.NEW_OPEN, "n_clicks"),
        dash.State(ID.NEW_TABLE, "value"),
        dash.State(ID.TARGET, "data"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _open(_edit, _new, new_table, target, search):
        lang = parse_search(search)["lang"]
        selected = parse_search(search)["selected"] or parse_search(search)["focus"]
        record = table_of_node(selected) if selected else None
        ws = workspace()
        if ws is None:
            raise dash.exceptions.PreventUpdate
        if dash.ctx.triggered_id == ID.OPEN and record:
            row = ws.rows(record[0], [record[1]]).get(record[1])
            if row is None:
                return _feedback("error", t("edit.code.not_found", lang)), None
            return record_form(record[0], row, lang, mode="update", key=record[1]), \
                {"table": record[0], "key": record[1], "mode": "update"}
        table = new_table if new_table in TABLES else "institutions"
        return record_form(table, _prefill(table, record), lang, mode="create"), \
            {"table": table, "key": None, "mode": "create"}

    @app.callback(
        dash.Output({"type": ID.PROBLEM, "column": ALL}, "children"),
        dash.Output(ID.FEEDBACK, "children"),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.SAVE, "n_clicks"),
        dash.State({"type": ID.FIELD, "column": ALL}, "value"),
        dash.State(ID.TARGET, "data"),
        dash.State(ID.MESSAGE, "value"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _save(n, values, target, message, search):
        if not n or not target:
            raise dash.exceptions.PreventUpdate
        lang = parse_search(search)["lang"]
        fields = [s["id"]["column"] for s in dash.ctx.states_list[0]]
        problem_columns = [o["id"]["column"] for o in dash.ctx.outputs_list[0]]
        row = {c: ("" if v is None else v) for c, v in zip(fields, values)}
        table = target["table"]
        try:
            if target["mode"] == "update":
                result, _who, _live = save(update_record, table, target["key"], row, message=message or "")
            else:
                result, _who, _live = save(create_record, table, row, message=message or "")
        except EditError as exc:
            per_field, feedback = _error_outputs(exc, problem_columns, lang)
            return per_field, feedback, dash.no_update
        except AccessDenied as exc:
            return [None] * len(problem_columns), _feedback("error", t("edit.code.forbidden", lang) + f": {exc}"), \
                dash.no_update
        node = node_of(table, result.key) or (parse_search(search)["selected"] or None)
        return [None] * len(problem_columns), _feedback("ok", t("edit.saved", lang, v=result.version.id) + store_note(result, lang)), \
            _location_after(search, result.version.id, node)

    def _after(search: str | None, result, text: str, node: str | None):
        state = parse_search(search)
        if node is None:
            new = updated_search(state, selected="", focus="" if state["focus"] == state["selected"] else state["focus"])
            return _feedback("ok", text), new + f"&rev={result.version.id}"
        return _feedback("ok", text), _location_after(search, result.version.id, node)

    def _refused(exc: Exception, lang: str):
        if isinstance(exc, AccessDenied):
            return _feedback("error", t("edit.code.forbidden", lang) + f": {exc}"), dash.no_update
        return _feedback("error", t("edit.not_saved", lang) + " " + "; ".join(problem_text(p, lang) for p in exc.problems)), \
            dash.no_update

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.UNDO, "n_clicks"),
        dash.Input({"type": ID.REL_DELETE, "table": ALL, "key": ALL}, "n_clicks"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _undo_or_unlink(_undo, _rel, search):
        trig = dash.ctx.triggered_id
        if not trig or not dash.ctx.triggered or not dash.ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        lang = parse_search(search)["lang"]
        node = parse_search(search)["selected"] or None
        try:
            if trig == ID.UNDO:
                result, _who, _live = save(undo_last)
                text = t("edit.undone", lang, v=result.version.source.split(":", 1)[1], n=result.version.id)
            else:
                result, _who, _live = save(delete_record, trig["table"], trig["key"])
                text = t("edit.deleted", lang, v=result.version.id)
        except (AccessDenied, EditError) as exc:
            return _refused(exc, lang)
        return _after(search, result, text, node)

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.WITHDRAW, "submit_n_clicks"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _withdraw(n, search):
        state = parse_search(search)
        record = table_of_node(state["selected"] or "")
        if not n or not record or record[0] != "contacts":
            raise dash.exceptions.PreventUpdate
        try:
            result, _who, _live = save(withdraw_consent, record[1])
        except (AccessDenied, EditError) as exc:
            return _refused(exc, state["lang"])
        return _after(search, result, t("edit.saved", state["lang"], v=result.version.id)
                      + store_note(result, state["lang"]), state["selected"])

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.ERASE, "submit_n_clicks"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _erase(n, search):
        state = parse_search(search)
        record = table_of_node(state["selected"] or "")
        if not n or not record or record[0] != "contacts":
            raise dash.exceptions.PreventUpdate
        try:
            result, _who, _live = save(erase_person, record[1], min_role="admin")
        except (AccessDenied, EditError) as exc:
            return _refused(exc, state["lang"])
        return _after(search, result, t("edit.erased", state["lang"], v=result.version.id)
                      + store_note(result, state["lang"]), None)

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.NOTE_ADD, "n_clicks"),
        dash.State(ID.NOTE_TEXT, "value"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _note(n, text, search):
        state = parse_search(search)
        record = table_of_node(state["selected"] or "")
        if not n or not record:
            raise dash.exceptions.PreventUpdate
        try:
            identity = require_role("editor")
            ws = workspace()
            if ws is None:
                raise dash.exceptions.PreventUpdate
            note = add_note(ws, record[0], record[1], text or "", user=identity.name)
        except (AccessDenied, EditError) as exc:
            return _refused(exc, state["lang"])
        return _feedback("ok", t("edit.note_saved", state["lang"])), \
            updated_search(state, selected=state["selected"]) + f"&note={note.id}"

    @app.callback(
        dash.Output(ID.FEEDBACK, "children", allow_duplicate=True),
        dash.Output(ids.PAGES_LOCATION, "search", allow_duplicate=True),
        dash.Input(ID.DELETE, "n_clicks"),
        dash.State(ID.TARGET, "data"),
        dash.State(ids.PAGES_LOCATION, "search"),
        prevent_initial_call=True,
    )
    def _delete(n, target, search):
        if not n or not target or target.get("mode") != "update":
            raise dash.exceptions.PreventUpdate
        lang = parse_search(search)["lang"]
        try:
            result, _who, _live = save(delete_record, target["table"], target["key"], cascade=True)
        except (AccessDenied, EditError) as exc:
            return _refused(exc, lang)
        return _after(search, result, t("edit.deleted", lang, v=result.version.id) + store_note(result, lang), None)

"""Page 'Pipeline': every open candidate of every saved shortlist, with
owner, next step and due date, overdue steps on top; moving a candidate
through the pipeline; turning an accepted one into a participation; how
past shortlists fared (acceptance by rank and by factor).

Shortlists are saved on the Matchmaking page. Everything is kept in the
workspace (:mod:`loaders.workspace.followup`); a server that serves files
read-only says so here."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import dash
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.access import current_identity, require_role
from dashboard.components import grid_options, page_header
from dashboard.context import current
from dashboard.domain_labels import domain_label
from dashboard.i18n import LANG_STATE, format_decimal, lang_from_search, normalise_lang, t
from dashboard.pages import events_view
from dashboard.pages.followup_view import outcome_tables, pipeline_rows, shortlist_overview
from graph.analysis.matchmaking.factors import FACTORS
from graph.core.errors import PartnernetzError
from graph.core.kinds import Role
from graph.core.reference import LAENDER
from graph.followup.pipeline import REASONS, Status, allowed_moves, open_items

PATH = "/pipeline"
ORDER = 6
TITLE_KEY = "nav.pipeline"


class ID:
    OWNER = "pipeline-owner"
    FILTER_FOLD = "pipeline-filter-fold"
    STATUS = "pipeline-status"
    LAND = "pipeline-land"
    DUE = "pipeline-due"
    GRID = "pipeline-grid"
    REFRESH = "pipeline-refresh"          # bumped after every save
    SELECTED = "pipeline-selected"
    EDIT = "pipeline-edit"
    NEW_STATUS = "pipeline-new-status"
    REASON = "pipeline-reason"
    REASON_TEXT = "pipeline-reason-text"
    NEW_OWNER = "pipeline-new-owner"
    NEXT_STEP = "pipeline-next-step"
    NEW_DUE = "pipeline-new-due"
    NOTES = "pipeline-notes"
    SAVE = "pipeline-save"
    MESSAGE = "pipeline-message"
    PROJECT = "pipeline-project"
    ROLE = "pipeline-role"
    TO_PARTICIPATION = "pipeline-to-participation"
    SHORTLISTS = "pipeline-shortlists"
    OUTCOMES = "pipeline-outcomes"
    EVENTS = events_view.ID  # the section "Veranstaltungen"


def _followup():
    """The served workspace's follow-up store; ``None`` when files are served read-only."""
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.followup import FollowUp

    path = current().settings.workspace
    return FollowUp(WorkspaceFile(path)) if path else None


def _today() -> _dt.date:
    return _dt.date.today()


def _land_label(graph, lang: str):
    return lambda land: graph.label(land, lang) if land in graph else str(land)


def _rows(fu, graph, lang: str, owner=None, status=None, land=None, due=None) -> list[dict[str, Any]]:
    due_before = _dt.date.fromisoformat(due) if due else None
    items = open_items(fu.items(), _today(), owner=owner or None, status=status or None, land=land or None,
                       due_before=due_before)
    names = {s.id: s.name for s in fu.shortlists()}
    return pipeline_rows(items, names, _land_label(graph, lang), _today(), lang)


def _columns(lang: str) -> list[dict[str, Any]]:
    return [
        {"field": "due", "headerName": t("pipe.due", lang), "width": 115,
         "comparator": {"function": "(a, b, na, nb) => (na.data.due_iso || '9999').localeCompare(nb.data.due_iso || '9999')"}},
        {"field": "status", "headerName": t("pipe.status", lang), "width": 130},
        {"field": "institution", "headerName": t("pipe.institution", lang), "flex": 2, "minWidth": 200,
         "wrapText": True, "autoHeight": True, "pinned": "left"},
        {"field": "land", "headerName": t("pipe.land", lang), "width": 150},
        {"field": "shortlist", "headerName": t("pipe.shortlist", lang), "flex": 1, "minWidth": 140},
        {"field": "rank", "headerName": t("pipe.rank", lang), "width": 80},
        {"field": "owner", "headerName": t("pipe.owner", lang), "width": 130},
        {"field": "next_step", "headerName": t("pipe.next_step", lang), "flex": 1, "minWidth": 140,
         "wrapText": True, "autoHeight": True},
    ]


def _field(label: str, control, cid: str | None = None) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid) if cid else html.Label(label), control], className="pipe-field")


def _summary_views(fu, graph, lang: str, items=None):
    """The shortlist overview and the outcome tables."""
    items = fu.items() if items is None else items
    target_label = lambda n: graph.label(n, lang) if n and n in graph else (n or "–")  # noqa: E731
    return (shortlist_overview(fu.shortlists(), items, target_label, lang),
            outcome_tables(items, lambda f: domain_label("factor", f, lang), FACTORS, lang))


def layout(lang: str = "de", **query: str):
    lang = normalise_lang(lang)
    fu = _followup()
    header = page_header(TITLE_KEY, lang, t("pipe.intro", lang))
    if fu is None:
        return html.Div([header, html.P(t("pipe.no_workspace", lang), className="notice")], className="pipe-page")
    graph = current().graph
    items = fu.items()
    owners = sorted({i.owner for i in items if i.owner})
    filters = html.Div([
        _field(t("pipe.owner", lang), dcc.Dropdown(id=ID.OWNER, options=owners, placeholder=t("pipe.all", lang)), ID.OWNER),
        _field(t("pipe.status", lang), dcc.Dropdown(
            id=ID.STATUS, placeholder=t("pipe.all", lang),
            options=[{"label": domain_label("pipeline_status", s.value, lang), "value": s.value}
                     for s in Status if s.value in ("proposed", "asked", "deferred")]), ID.STATUS),
        _field(t("pipe.land", lang), dcc.Dropdown(
            id=ID.LAND, placeholder=t("pipe.all", lang),
            options=[{"label": graph.label(f"land:{x.code}", lang), "value": f"land:{x.code}"} for x in LAENDER]), ID.LAND),
        _field(t("pipe.due_before", lang), dcc.Input(id=ID.DUE, type="date", className="input"), ID.DUE),
    ], className="card pipe-filters")
    # the filters fold away on narrow screens (keys.js: details.fold-narrow)
    filters = html.Details([html.Summary(t("pipe.filters", lang)), filters], open=True,
                           className="fold-narrow fold-plain", id=ID.FILTER_FOLD)
    grid = dag.AgGrid(
        id=ID.GRID, rowData=_rows(fu, graph, lang), columnDefs=_columns(lang), getRowId="params.data.key",
        defaultColDef={"sortable": True, "resizable": True},
        rowClassRules={"pipe-overdue": "params.data.overdue"},
        dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=20, domLayout="autoHeight",
                                     rowSelection="single"),
        className="ag-theme-alpine", style={"width": "100%"})
    projects = sorted((n for n in graph.nodes("project")), key=lambda n: graph.label(n, lang))
    edit = html.Div([
        html.H2(t("pipe.edit", lang)),
        html.P(t("pipe.pick", lang), id=ID.SELECTED, className="muted"),
        html.Div([
            _field(t("pipe.new_status", lang), dcc.Dropdown(id=ID.NEW_STATUS, clearable=False), ID.NEW_STATUS),
            _field(t("pipe.reason", lang), dcc.Dropdown(
                id=ID.REASON, options=[{"label": domain_label("pipeline_reason", r, lang), "value": r} for r in REASONS]),
                ID.REASON),
            _field(t("pipe.reason_text", lang), dcc.Input(id=ID.REASON_TEXT, type="text", className="input", maxLength=2000),
                   ID.REASON_TEXT),
            _field(t("pipe.owner", lang), dcc.Input(id=ID.NEW_OWNER, type="text", className="input", maxLength=100),
                   ID.NEW_OWNER),
            _field(t("pipe.next_step", lang), dcc.Input(id=ID.NEXT_STEP, type="text", className="input", maxLength=500),
                   ID.NEXT_STEP),
            _field(t("pipe.due", lang), dcc.Input(id=ID.NEW_DUE, type="date", className="input"), ID.NEW_DUE),
            _field(t("pipe.notes", lang), dcc.Textarea(id=ID.NOTES, className="input", maxLength=2000), ID.NOTES),
        ], className="pipe-form"),
        html.Div([html.Button(t("pipe.save", lang), id=ID.SAVE, className="button", disabled=True)], className="button-row"),
        html.Div([
            html.H3(t("pipe.participation", lang)),
            html.P(t("pipe.participation_help", lang), className="muted"),
            html.Div([
                _field(t("pipe.project", lang), dcc.Dropdown(
                    id=ID.PROJECT, options=[{"label": graph.label(p, lang), "value": p} for p in projects]), ID.PROJECT),
                _field(t("pipe.role", lang), dcc.Dropdown(
                    id=ID.ROLE, value=Role.PARTNER.value, clearable=False,
                    options=[{"label": domain_label("role", r.value, lang), "value": r.value} for r in Role]), ID.ROLE),
            ], className="pipe-form"),
            html.Button(t("pipe.to_participation", lang), id=ID.TO_PARTICIPATION, className="button secondary",
                        disabled=True),
        ], className="pipe-participation"),
        html.Div(id=ID.MESSAGE, role="status", className="pipe-message"),
    ], id=ID.EDIT, className="card pipe-edit")
    shortlists_view, outcomes_view = _summary_views(fu, graph, lang, items)
    return html.Div([
        header,
        dcc.Store(id=ID.REFRESH, data=0),
        filters,
        html.H2(t("pipe.open_steps", lang)),
        grid,
        edit,
        html.H2(t("pipe.shortlists", lang)),
        html.Div(shortlists_view, id=ID.SHORTLISTS),
        html.H2(t("pipe.outcomes", lang)),
        html.Div(outcomes_view, id=ID.OUTCOMES),
        events_view.section(lang, query.get("guestlist")),
    ], className="pipe-page")


# --------------------------------------------------------------------------- callbacks
def _selected_key(rows) -> tuple[int, str] | None:
    if not rows:
        return None
    sid, _, node = str(rows[0].get("key", "")).partition("|")
    return (int(sid), node) if sid.isdigit() and node else None


def register_callbacks(app: dash.Dash) -> None:
    events_view.register_callbacks(app)

    @app.callback(dash.Output(ID.GRID, "rowData"),
                  inputs={"filters": {"owner": dash.Input(ID.OWNER, "value"), "status": dash.Input(ID.STATUS, "value"),
                                      "land": dash.Input(ID.LAND, "value"), "due": dash.Input(ID.DUE, "value")},
                          "refresh": dash.Input(ID.REFRESH, "data"), "search": LANG_STATE},
                  prevent_initial_call=True)
    def _grid(filters, refresh, search):
        fu = _followup()
        if fu is None:
            raise dash.exceptions.PreventUpdate
        try:
            return _rows(fu, current().graph, lang_from_search(search), **filters)
        except ValueError:  # a malformed date typed by hand
            raise dash.exceptions.PreventUpdate

    @app.callback(dash.Output(ID.SHORTLISTS, "children"), dash.Output(ID.OUTCOMES, "children"),
                  dash.Input(ID.REFRESH, "data"), LANG_STATE, prevent_initial_call=True)
    def _summaries(refresh, search):
        lang = lang_from_search(search)
        fu = _followup()
        if fu is None:
            raise dash.exceptions.PreventUpdate
        return _summary_views(fu, current().graph, lang)

    @app.callback(dash.Output(ID.SELECTED, "children"), dash.Output(ID.NEW_STATUS, "options"),
                  dash.Output(ID.NEW_STATUS, "value"), dash.Output(ID.REASON, "value"),
                  dash.Output(ID.REASON_TEXT, "value"), dash.Output(ID.NEW_OWNER, "value"),
                  dash.Output(ID.NEXT_STEP, "value"), dash.Output(ID.NEW_DUE, "value"), dash.Output(ID.NOTES, "value"),
                  dash.Output(ID.PROJECT, "value"), dash.Output(ID.SAVE, "disabled"),
                  dash.Output(ID.TO_PARTICIPATION, "disabled"),
                  dash.Input(ID.GRID, "selectedRows"), LANG_STATE, prevent_initial_call=True)
    def _pick(rows, search):
        lang = lang_from_search(search)
        fu, key = _followup(), _selected_key(rows)
        if fu is None or key is None:
            return (t("pipe.pick", lang), [], None, None, "", "", "", None, "", None, True, True)
        try:
            item, shortlist = fu.item(*key), fu.shortlist(key[0])
        except PartnernetzError:
            raise dash.exceptions.PreventUpdate
        options = [{"label": domain_label("pipeline_status", s.value, lang), "value": s.value}
                   for s in [item.status, *allowed_moves(item.status)]]
        target = str(shortlist.target.get("node") or "")
        project = target if target.startswith("project:") else None
        info = [html.Strong(item.label or item.node), f" — {shortlist.name}, ",
                t("pipe.rank", lang), f" {item.rank}, {t('pipe.score', lang)} {format_decimal(item.score, lang)}",
                html.Br(), html.Span(item.explanation, className="muted")]
        return (info, options, item.status.value, item.reason, item.reason_text, item.owner, item.next_step,
                item.due.isoformat() if item.due else None, item.notes, project, False,
                item.status != Status.ACCEPTED or bool(item.participation))

    @app.callback(dash.Output(ID.MESSAGE, "children"), dash.Output(ID.REFRESH, "data"),
                  inputs={"clicks": [dash.Input(ID.SAVE, "n_clicks"), dash.Input(ID.TO_PARTICIPATION, "n_clicks")],
                          "rows": dash.State(ID.GRID, "selectedRows"),
                          "form": {"to": dash.State(ID.NEW_STATUS, "value"), "reason": dash.State(ID.REASON, "value"),
                                   "reason_text": dash.State(ID.REASON_TEXT, "value"),
                                   "owner": dash.State(ID.NEW_OWNER, "value"),
                                   "next_step": dash.State(ID.NEXT_STEP, "value"),
                                   "due": dash.State(ID.NEW_DUE, "value"), "notes": dash.State(ID.NOTES, "value")},
                          "project": dash.State(ID.PROJECT, "value"), "role": dash.State(ID.ROLE, "value"),
                          "refresh": dash.State(ID.REFRESH, "data"), "search": LANG_STATE},
                  prevent_initial_call=True)
    def _save(clicks, rows, form, project, role, refresh, search):
        require_role("editor")  # the pipeline and the data it feeds are changed by editors
        lang = lang_from_search(search)
        fu, key = _followup(), _selected_key(rows)
        if fu is None or key is None:
            raise dash.exceptions.PreventUpdate
        try:
            if dash.ctx.triggered_id == ID.TO_PARTICIPATION:
                if not project:
                    return html.Span(t("pipe.need_project", lang), className="error"), refresh
                version, pkey = fu.to_participation(*key, project=project.partition(":")[2], role=role or "partner",
                                                    user=current_identity().name)
                text = t("pipe.participation_done", lang, version=version, name=fu.item(*key).label)
            else:
                item = fu.move(*key, form["to"], user=current_identity().name, reason=form["reason"],
                               reason_text=form["reason_text"] or "", owner=form["owner"] or "",
                               next_step=form["next_step"] or "", due=form["due"] or "", notes=form["notes"] or "")
                text = t("pipe.saved", lang, name=item.label or item.node,
                         status=domain_label("pipeline_status", item.status.value, lang))
        except PartnernetzError as exc:
            return html.Span(t("pipe.error", lang, error=str(exc)), className="error"), refresh
        return html.Span(text, className="ok"), (refresh or 0) + 1

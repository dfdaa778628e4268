"""The Daten page's section "Was hat sich geändert?": pick a version or a
date and see what changed since — new and ended projects, institutions,
participations and partnerships, changed contacts (counts only for roles
that may not see people), pipeline and invitation moves — and download it
as CSV or Excel for a meeting (through the gate, audited; cells escaped
against formulas). Logic: :mod:`graph.followup.changes`,
:mod:`loaders.workspace.changes`; role rules: :mod:`dashboard.changes_view`."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import downloads
from dashboard.changes_view import detail, export_payload, visible_since
from dashboard.edit_service import workspace
from dashboard.i18n import LANG_STATE, lang_from_search, t
from graph.core.errors import PartnernetzError
from graph.followup.changes import SECTIONS

__all__ = ["ID", "section", "register_callbacks", "report_view"]

#: At most this many items per section on the page (the export holds all).
SHOWN = 30


class ID:
    SECTION = "data-changes"
    VERSION = "data-changes-version"
    DATE = "data-changes-date"
    RESULT = "data-changes-result"
    CSV = "data-changes-csv"
    XLSX = "data-changes-xlsx"
    DOWNLOAD = "data-changes-download"


def _default_version(ws) -> int:
    head = ws.head()
    return head - 1 if head > 1 else head


def _options(ws, lang: str) -> list[dict]:
    return [{"label": t("changes.version_option", lang, n=v.id, time=v.time[:16].replace("T", " "),
                        message=(v.message or v.kind)[:60]), "value": v.id} for v in ws.versions()]


def _since(ws, version, date):
    if date:
        return visible_since(ws, date=str(date))
    return visible_since(ws, version=int(version if version is not None else _default_version(ws)))


def report_view(since, lang: str) -> html.Div:
    """Summary, the persons notice, then one small table per section with changes."""
    report = since.report
    label = since.date or t("changes.since_v", lang, n=since.base)
    if not report.total():
        return html.Div(html.P(t("changes.none", lang, since=label), className="muted"))
    counts = report.counts()
    blocks = []
    for s in SECTIONS:
        if not counts[s]:
            continue
        items = report.sections.get(s, [])
        title = html.H3([t(f"changes.section.{s}", lang), html.Span(f" {counts[s]}", className="badge")])
        if s in report.hidden:
            blocks.append(html.Div([title, html.P(t("changes.hidden_count", lang, n=counts[s]), className="muted small")],
                                   className="changes-block", **{"data-section": s}))
            continue
        shown = items[:SHOWN]
        cells = {"name": [i.label for i in shown], "detail": [detail(i, lang) for i in shown],
                 "context": [i.context for i in shown], "time": [i.time[:16].replace("T", " ") for i in shown],
                 "user": [i.user for i in shown]}
        columns = [c for c, values in cells.items() if c == "name" or any(values)]  # no empty columns
        rows = [html.Tr([html.Td(cells[c][n]) for c in columns]) for n in range(len(shown))]
        more = html.P(f"… +{len(items) - SHOWN}", className="muted small") if len(items) > SHOWN else None
        head = html.Tr([html.Th(t(f"changes.col.{c}", lang)) for c in columns])
        blocks.append(html.Div([title, html.Div(html.Table([html.Thead(head), html.Tbody(rows)], className="table changes-table"),
                                                className="table-scroll"), more],
                               className="changes-block", **{"data-section": s}))
    notice = html.P(t("changes.persons_hidden", lang), className="notice") if any(report.hidden.values()) else None
    return html.Div([
        html.P(t("changes.summary", lang, n=report.total(), since=label, base=since.base, head=since.head),
               className="changes-summary"),
        notice, *blocks])


def section(lang: str) -> html.Div | None:
    """The section (only when a workspace is served)."""
    ws = workspace()
    if ws is None or not ws.head():
        return None
    version = _default_version(ws)
    try:
        body = report_view(_since(ws, version, None), lang)
    except PartnernetzError as exc:
        body = html.P(t("changes.error", lang, error=str(exc)), className="error")
    return html.Div([
        html.H2(t("changes.title", lang)),
        html.P(t("changes.intro", lang), className="muted"),
        html.Div([
            html.Div([html.Label(t("changes.since_version", lang), htmlFor=ID.VERSION),
                      dcc.Dropdown(id=ID.VERSION, options=_options(ws, lang), value=version, clearable=False)],
                     className="changes-field changes-version"),
            html.Div([html.Label(t("changes.since_date", lang), htmlFor=ID.DATE),
                      dcc.Input(id=ID.DATE, type="date", className="input changes-date", debounce=True)],
                     className="changes-field"),
            html.Div([html.Button(t("changes.csv", lang), id=ID.CSV, className="button small secondary"),
                      html.Button(t("changes.xlsx", lang), id=ID.XLSX, className="button small secondary"),
                      downloads.target(ID.DOWNLOAD)], className="button-row"),
        ], className="changes-controls"),
        dcc.Loading(html.Div(body, id=ID.RESULT, role="status"), type="dot", delay_show=300),
    ], id=ID.SECTION, className="card changes-section")


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    @app.callback(dash.Output(ID.RESULT, "children"), dash.Output(ID.DATE, "value"),
                  dash.Input(ID.VERSION, "value"), dash.Input(ID.DATE, "value"), LANG_STATE, prevent_initial_call=True)
    def _show(version, date, search):
        lang = lang_from_search(search)
        ws = workspace()
        if ws is None:
            raise dash.exceptions.PreventUpdate
        if dash.ctx.triggered_id == ID.VERSION:  # picking a version replaces the date
            date = None
        try:
            return report_view(_since(ws, version, date), lang), date
        except PartnernetzError as exc:
            return html.P(t("changes.error", lang, error=str(exc)), className="error"), date

    @app.callback(dash.Output(ID.DOWNLOAD, "data"), dash.Input(ID.CSV, "n_clicks"), dash.Input(ID.XLSX, "n_clicks"),
                  dash.State(ID.VERSION, "value"), dash.State(ID.DATE, "value"), LANG_STATE, prevent_initial_call=True)
    def _download(_csv, _xlsx, version, date, search):
        lang = lang_from_search(search)
        ws = workspace()
        if ws is None:
            raise dash.exceptions.PreventUpdate
        fmt = "xlsx" if dash.ctx.triggered_id == ID.XLSX else "csv"
        try:
            since = _since(ws, version, date)
        except PartnernetzError:
            raise dash.exceptions.PreventUpdate
        return downloads.send(export_payload(since, fmt, lang))

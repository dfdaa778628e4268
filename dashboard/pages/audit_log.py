"""Page 'Protokoll' (admins only): the workspace's audit trail — logins,
failed logins, account and role changes, publishes, every egress of personal
data — filtered by user, kind and time, and exported as CSV.

Every callback checks the role itself (:func:`dashboard.access.require_role`),
so a forged callback by anyone but an admin gets 403.
"""

from __future__ import annotations

import csv
import io
import json

import dash

from dashboard import downloads
from loaders.egress import StaticPayload
import dash_ag_grid as dag
from dash import dcc, html

from dashboard.access import access_config, current_identity, has_role, require_role
from dashboard.components import grid_options, page_header
from dashboard.i18n import LANG_STATE, lang_from_search, normalise_lang, t
from graph.people.roles import Role
from dashboard.elements import safe_cell

__all__ = ["PATH", "ORDER", "TITLE_KEY", "layout", "register_callbacks", "audit_rows", "audit_csv", "KIND_KEYS"]

PATH = "/protokoll"
ORDER = 6
TITLE_KEY = "nav.audit"
MAX_ROWS = 5000

#: The kinds offered in the filter (message keys ``audit.kind.<kind>``).
KIND_KEYS = ("login", "login_failed", "login_throttled", "logout", "egress", "egress_failed", "publish", "revert",
             "edit", "role_change", "user_add", "user_passwd", "user_disable", "user_enable", "token_issue", "denied")


class ID:
    USER = "audit-user"
    KIND = "audit-kind"
    SINCE = "audit-since"
    UNTIL = "audit-until"
    GRID = "audit-grid"
    COUNT = "audit-count"
    EXPORT = "audit-export"
    DOWNLOAD = "audit-download"
    DENIED = "audit-denied"
    NO_TRAIL = "audit-no-trail"


def _trail():
    sink = access_config().audit
    return getattr(sink, "trail", None)


def audit_rows(user: str | None, kinds: list[str] | None, since: str | None, until: str | None,
               lang: str) -> list[dict]:
    """Rows of the grid for the filters (dates ``YYYY-MM-DD``, ``until`` inclusive)."""
    trail = _trail()
    if trail is None:
        return []
    entries = trail.query(user=(user or "").strip() or None, kind=[k for k in kinds or [] if k in KIND_KEYS] or None,
                          since=f"{since}T00:00:00" if since else None,
                          until=f"{until}T23:59:59.999" if until else None, limit=MAX_ROWS)
    return [{"seq": e["seq"], "time": e["time"].replace("T", " ")[:19], "user": e["user"],
             "kind": t(f"audit.kind.{e['kind']}", lang) if e["kind"] in KIND_KEYS else e["kind"],
             "what": e["what"], "format": e["format"], "rows": e["rows"], "address": e["address"],
             "detail": json.dumps(e["detail"], ensure_ascii=False) if e["detail"] else ""} for e in entries]


def audit_csv(rows: list[dict]) -> str:
    """The rows as CSV (cells that a spreadsheet would run as formulas are defused)."""
    buf = io.StringIO()
    fields = ["seq", "time", "user", "kind", "what", "format", "rows", "address", "detail"]
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([safe_cell(row[f]) for f in fields])
    return buf.getvalue()


def layout(lang: str = "de", **_query: str):
    lang = normalise_lang(lang)
    header = page_header(TITLE_KEY, lang, t("audit.intro", lang))
    if not has_role(Role.ADMIN):
        return html.Div([header, html.P(t("access.denied", lang, role=t(f"role.{current_identity().role.key}", lang)),
                                        className="status error", id=ID.DENIED)], className="audit-page")
    if _trail() is None:
        return html.Div([header, html.P(t("audit.no_trail", lang), className="notice", id=ID.NO_TRAIL)],
                        className="audit-page")
    rows = audit_rows(None, None, None, None, lang)
    return html.Div([
        header,
        html.Div([
            html.Label([t("audit.user", lang), dcc.Input(id=ID.USER, type="text", debounce=True, className="audit-input")]),
            html.Label([t("audit.kind", lang), dcc.Dropdown(
                id=ID.KIND, multi=True, placeholder=t("audit.kind_all", lang),
                options=[{"label": t(f"audit.kind.{k}", lang), "value": k} for k in KIND_KEYS])], className="audit-kind"),
            html.Label([t("audit.since", lang), dcc.Input(id=ID.SINCE, type="date", className="audit-input")]),
            html.Label([t("audit.until", lang), dcc.Input(id=ID.UNTIL, type="date", className="audit-input")]),
            html.Button(t("audit.export", lang), id=ID.EXPORT, className="button secondary"),
            downloads.target(ID.DOWNLOAD),
        ], className="audit-filters"),
        html.P(t("audit.count", lang, n=len(rows)), id=ID.COUNT, className="muted"),
        dag.AgGrid(
            id=ID.GRID, rowData=rows,
            columnDefs=[
                {"field": "time", "headerName": t("audit.col.time", lang), "width": 170},
                {"field": "user", "headerName": t("audit.col.user", lang), "width": 140},
                {"field": "kind", "headerName": t("audit.col.kind", lang), "width": 170},
                {"field": "what", "headerName": t("audit.col.what", lang), "flex": 1, "minWidth": 180},
                {"field": "format", "headerName": t("audit.col.format", lang), "width": 90},
                {"field": "rows", "headerName": t("audit.col.rows", lang), "width": 90},
                {"field": "address", "headerName": t("audit.col.address", lang), "width": 130},
                {"field": "detail", "headerName": t("audit.col.detail", lang), "flex": 1, "minWidth": 160},
            ],
            defaultColDef={"sortable": True, "resizable": True},
            dashGridOptions=grid_options(lang, pagination=True, paginationPageSize=50, domLayout="autoHeight"),
            className="ag-theme-alpine", style={"width": "100%"},
        ),
    ], className="audit-page")


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    @app.callback(dash.Output(ID.GRID, "rowData"), dash.Output(ID.COUNT, "children"),
                  dash.Input(ID.USER, "value"), dash.Input(ID.KIND, "value"), dash.Input(ID.SINCE, "value"),
                  dash.Input(ID.UNTIL, "value"), LANG_STATE, prevent_initial_call=True)
    def _filter(user, kinds, since, until, search):
        require_role(Role.ADMIN)
        lang = lang_from_search(search)
        rows = audit_rows(user, kinds, since, until, lang)
        return rows, t("audit.count", lang, n=len(rows))

    @app.callback(dash.Output(ID.DOWNLOAD, "data"), dash.Input(ID.EXPORT, "n_clicks"),
                  dash.State(ID.USER, "value"), dash.State(ID.KIND, "value"), dash.State(ID.SINCE, "value"),
                  dash.State(ID.UNTIL, "value"), LANG_STATE, prevent_initial_call=True)
    def _export(_n, user, kinds, since, until, search):
        require_role(Role.ADMIN)
        lang = lang_from_search(search)
        rows = audit_rows(user, kinds, since, until, lang)
        name = "partnernetz-protokoll.csv" if lang == "de" else "partnernetz-audit-log.csv"
        # the trail names staff and addresses, and contact ids: it leaves through the gate and is recorded
        payload = StaticPayload(audit_csv(rows).encode("utf-8-sig"), name, "csv", "audit log export", strict=False)
        return downloads.send(payload, mime="text/csv")

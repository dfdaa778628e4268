"""The Kontakte page's "consent due" section: contacts whose consent has
expired or expires within N days, exportable as CSV for a re-consent
mailing (planners and up; every download is audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dash
from dash import dcc, html

from dashboard.access import AccessDenied, current_identity, has_role, require_role
from dashboard import downloads
from dashboard.context import current
from dashboard.edit_service import workspace
from dashboard.i18n import LANG_STATE, lang_from_search, t
from loaders.workspace.consent import consent_due, consent_due_csv

__all__ = ["ID", "section", "register_callbacks", "due_rows"]


class ID:
    SECTION = "contacts-consent"
    DAYS = "contacts-consent-days"
    LIST = "contacts-consent-list"
    CSV = "contacts-consent-csv"
    DOWNLOAD = "contacts-consent-download"


def due_rows(days: int, lang: str) -> html.Div:
    ws = workspace()
    due = consent_due(ws, within_days=days) if ws else []
    if not due:
        return html.P(t("consent.none", lang, days=days), className="muted")
    from graph.people.privacy import MASKED_LABEL

    rows = [html.Tr([html.Td(d.name if d.status == "expiring" else f"{MASKED_LABEL} ({d.id})"),
                     html.Td(d.email if d.status == "expiring" else "…"), html.Td(d.institution), html.Td(d.expires),
                     html.Td(t(f"consent.status.{d.status}", lang))], **{"data-contact": d.id}) for d in due]
    head = html.Tr([html.Th(t(k, lang)) for k in ("col.name", "col.email", "col.institution", "col.consent_expires",
                                                   "col.status")])
    return html.Table([html.Thead(head), html.Tbody(rows)], className="consent-due-table")


def section(lang: str) -> html.Div | None:
    """The section (only when a workspace is served and the role is planner or up)."""
    if current().settings.workspace is None or not has_role("planner"):
        return None
    return html.Div([
        html.H2(t("consent.title", lang)),
        html.P(t("consent.intro", lang), className="muted"),
        html.Div([html.Label(t("consent.days", lang), htmlFor=ID.DAYS),
                  dcc.Input(id=ID.DAYS, type="number", min=0, max=3650, step=1, value=30, debounce=True),
                  html.Button(t("consent.csv", lang), id=ID.CSV, className="button small secondary"),
                  downloads.target(ID.DOWNLOAD)], className="action-row"),
        html.Div(due_rows(30, lang), id=ID.LIST),
    ], id=ID.SECTION, className="panel consent-section")


def _days(value) -> int:
    try:
        return max(0, min(3650, int(value)))
    except (TypeError, ValueError):
        return 30


def register_callbacks(app: dash.Dash) -> None:
    downloads.register_target(app, ID.DOWNLOAD)
    @app.callback(
        dash.Output(ID.LIST, "children"),
        dash.Input(ID.DAYS, "value"),
        LANG_STATE,
        prevent_initial_call=True,
    )
    def _list(days, search):
        return due_rows(_days(days), lang_from_search(search))

    @app.callback(
        dash.Output(ID.DOWNLOAD, "data"),
        dash.Input(ID.CSV, "n_clicks"),
        dash.State(ID.DAYS, "value"),
        prevent_initial_call=True,
    )
    def _csv(n, days):
        if not n:
            raise dash.exceptions.PreventUpdate
        try:
            identity = require_role("planner")
        except AccessDenied:
            raise dash.exceptions.PreventUpdate from None
        ws = workspace()
        due = consent_due(ws, within_days=_days(days)) if ws else []
        # through the gate: expired consent is no consent, so only the rows of people whose consent is
        # still valid leave (the expired ones are asked again through their institution)
        return downloads.send(ConsentDuePayload(due), mime="text/csv")


@dataclass
class ConsentDuePayload:
    """The consent-due list as CSV for the egress gate; rows of contacts the gate withholds are left out."""

    due: list
    what: str = "consent due list"
    fmt: str = "csv"
    strict: bool = False

    def contacts(self) -> dict[str, bool]:
        return {f"contact:{d.id}": d.status == "expiring" for d in self.due}

    def render(self, decision) -> tuple[bytes, str]:
        rows = [d for d in self.due if decision.may_leave(f"contact:{d.id}")]
        return consent_due_csv(rows).encode("utf-8"), f"einwilligungen-faellig-{dt.date.today().isoformat()}.csv"

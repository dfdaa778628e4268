"""The Kontakte page's "save as guest list for an event" block.

A planner saves the built guest list for an existing event, or for a new
event (title, date, place, country, theme) — a new event changes the data,
so that needs the editor role and becomes one workspace version. The list
keeps the builder's settings (size, quotas, must-include/exclude) so the
quota check can be repeated against who actually came. Follow-up (statuses,
attendance import) happens in the Pipeline page's section "Veranstaltungen"
(:mod:`dashboard.pages.events_view`).

The block is added to the guest-list section by :mod:`dashboard.pages.contacts`;
the component ids of the list and its settings are handed in, so this module
does not import the page.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard import guestlist_service as service
from dashboard.access import has_role
from dashboard.i18n import LANG_STATE, lang_from_search, t, with_lang
from graph.core.errors import PartnernetzError
from graph.core.reference import all_countries
from graph.core.text import fold
from graph.people.contacts import ContactIndex
from graph.people.events import events_by_date

__all__ = ["ID", "section", "register_callbacks", "EVENTS_PATH"]

#: Where saved guest lists are followed up.
EVENTS_PATH = "/pipeline"


class ID:
    NAME = "contacts-guestsave-name"
    MODE = "contacts-guestsave-mode"
    EVENT = "contacts-guestsave-event"
    EXISTING = "contacts-guestsave-existing"
    NEW = "contacts-guestsave-new"
    TITLE = "contacts-guestsave-title"
    DATE = "contacts-guestsave-date"
    CITY = "contacts-guestsave-city"
    COUNTRY = "contacts-guestsave-country"
    THEME = "contacts-guestsave-theme"
    SAVE = "contacts-guestsave-save"
    MESSAGE = "contacts-guestsave-message"


def _field(label: str, control, cid: str, cls: str = "field") -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className=cls)


def section(index: ContactIndex, lang: str, *, event_options: list[dict[str, Any]] | None = None) -> html.Div:
    """The block: a name, an existing or a new event, and the save button.
    ``event_options``: the events offered at first (default: every event;
    the Kontakte page sends a bounded list and searches on the server)."""
    events = event_options if event_options is not None else [
        {"label": f"{e.date or '?'} – {e.label}", "value": e.id} for e in events_by_date(index)]
    countries = sorted(({"label": c.name_en if lang == "en" else c.name_de, "value": c.alpha3} for c in all_countries()),
                       key=lambda o: fold(o["label"]))
    themes = sorted(({"label": index.label(v, lang), "value": v} for v in index.options("theme")),
                    key=lambda o: fold(o["label"]))
    may_create = has_role("editor")
    return html.Div([
        html.H3(t("guestsave.title", lang)),
        html.P(t("guestsave.intro", lang), className="muted"),
        html.Div([
            _field(t("guestsave.name", lang), dcc.Input(id=ID.NAME, type="text", maxLength=200, className="text-input",
                                                        placeholder=t("guestsave.name_ph", lang)), ID.NAME),
            _field(t("guestsave.for", lang), dcc.RadioItems(
                id=ID.MODE, value="existing", inline=True, className="radio",
                options=[{"label": t("guestsave.existing", lang), "value": "existing"},
                         {"label": t("guestsave.new", lang), "value": "new", "disabled": not may_create}]), ID.MODE),
        ], className="filter-grid two"),
        html.Div(_field(t("guestsave.event", lang), dcc.Dropdown(id=ID.EVENT, options=events,
                                                                 placeholder=t("guestsave.event_ph", lang)), ID.EVENT),
                 id=ID.EXISTING, className="filter-grid two"),
        html.Div([
            _field(t("guestsave.event_title", lang), dcc.Input(id=ID.TITLE, type="text", maxLength=300,
                                                               className="text-input"), ID.TITLE),
            _field(t("guestsave.date", lang), dcc.Input(id=ID.DATE, type="date", className="text-input"), ID.DATE),
            _field(t("guestsave.city", lang), dcc.Input(id=ID.CITY, type="text", maxLength=200, className="text-input"),
                   ID.CITY),
            _field(t("guestsave.country", lang), dcc.Dropdown(id=ID.COUNTRY, options=countries, value="DEU"), ID.COUNTRY),
            _field(t("guestsave.theme", lang), dcc.Dropdown(id=ID.THEME, options=themes), ID.THEME),
        ], id=ID.NEW, className="filter-grid", style={"display": "none"}),
        html.P(t("guestsave.new_needs_editor", lang), className="muted small") if not may_create else None,
        html.Div(html.Button(t("guestsave.save", lang), id=ID.SAVE, className="button"), className="button-row"),
        html.Div(id=ID.MESSAGE, role="status", className="guestsave-message"),
    ], className="guestsave card")


def register_callbacks(app: dash.Dash, *, members: str, quotas: str, size: str, include: str, exclude: str) -> None:
    """``members`` … ``exclude``: the ids of the page's list store and settings controls."""

    @app.callback(dash.Output(ID.EXISTING, "style"), dash.Output(ID.NEW, "style"), dash.Input(ID.MODE, "value"))
    def _mode(mode):
        new = mode == "new"
        return ({"display": "none"} if new else {}), ({} if new else {"display": "none"})

    @app.callback(dash.Output(ID.MESSAGE, "children"),
                  inputs={"click": dash.Input(ID.SAVE, "n_clicks"),
                          "form": {"name": dash.State(ID.NAME, "value"), "mode": dash.State(ID.MODE, "value"),
                                   "event": dash.State(ID.EVENT, "value"), "title": dash.State(ID.TITLE, "value"),
                                   "date": dash.State(ID.DATE, "value"), "city": dash.State(ID.CITY, "value"),
                                   "country": dash.State(ID.COUNTRY, "value"), "theme": dash.State(ID.THEME, "value")},
                          "listed": {"members": dash.State(members, "data"), "quotas": dash.State(quotas, "data"),
                                     "size": dash.State(size, "value"), "include": dash.State(include, "value"),
                                     "exclude": dash.State(exclude, "value")},
                          "search": LANG_STATE},
                  prevent_initial_call=True)
    def _save(click, form, listed, search):
        lang = lang_from_search(search)
        guests = [m for m in listed["members"] or [] if isinstance(m, str)]
        if not click:
            raise dash.exceptions.PreventUpdate
        if not guests:
            return html.Span(t("guestsave.empty", lang), className="status error")
        if not (form["name"] or "").strip():
            return html.Span(t("guestsave.need_name", lang), className="status error")
        if service.store() is None:
            return html.Span(t("pipe.no_workspace", lang), className="status error")
        settings = {"size": listed["size"], "quotas": listed["quotas"] or [], "include": listed["include"] or [],
                    "exclude": listed["exclude"] or []}
        event, new_event = None, None
        if form["mode"] == "new":
            new_event = {"title": form["title"] or "", "date": form["date"] or "", "city": form["city"] or "",
                         "country": form["country"] or "", "themes": (form["theme"] or "").partition(":")[2]}
        elif form["event"]:
            event = form["event"]
        else:
            return html.Span(t("guestsave.need_event", lang), className="status error")
        try:
            gid, version, _live = service.save(form["name"], guests, event=event, new_event=new_event, settings=settings)
        except PartnernetzError as exc:
            return html.Span(t("guestsave.error", lang, error=_problems_text(exc)), className="status error")
        text = (t("guestsave.saved_new", lang, name=form["name"].strip(), n=len(guests), version=version) if version
                else t("guestsave.saved", lang, name=form["name"].strip(), n=len(guests)))
        href = f"{EVENTS_PATH}{with_lang('?guestlist=' + str(gid), lang)}#pipeline-events"
        return html.Span([text, " ", dcc.Link(t("guestsave.follow_up", lang), href=href)], className="status ok")


def _problems_text(exc: PartnernetzError) -> str:
    problems: Any = getattr(exc, "problems", None)
    if problems:
        return "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems)
    return str(exc)

"""Saved views: "Ansicht speichern" on Netzwerk, Matchmaking, Kontakte and
Analysen, and the start page's section "Meine Ansichten / Geteilte Ansichten".

A view is the page's URL state (path and query string, without the
language: a view opens in the language of whoever opens it). The control
reads the address bar in the browser at the moment of saving (every one of
these pages keeps its whole state there, see :mod:`dashboard.urlsync`), so
it needs no knowledge of the page's own stores. Views are kept in the
workspace (:class:`loaders.workspace.followup.FollowUp`), with their owner,
journaled; private ones are seen by their owner only, shared ones by every
signed-in user; only the owner renames or deletes.

Each page gets its own ids (``ids("network")`` → ``network-views-…``),
named in its ``ID`` class, and registers the callbacks with its path.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
from dash import dcc, html

from dashboard.access import current_identity
from dashboard.context import current
from dashboard.i18n import LANG_STATE, lang_from_search, t, with_lang
from graph.core.errors import PartnernetzError

__all__ = ["ids", "save_control", "views_section", "register_callbacks", "strip_lang", "PAGE_TITLES"]

#: Page path → its title key (the list says which page a view opens).
PAGE_TITLES = {"/": "nav.network", "/matchmaking": "nav.matchmaking", "/kontakte": "nav.contacts",
               "/analysen": "nav.analytics"}


def ids(page: str) -> type:
    """The component ids of the views block on the page with id prefix ``page``."""
    p = f"{page}-views"
    return type("ViewIds", (), {
        "FOLD": f"{p}-fold", "NAME": f"{p}-name", "DESCRIPTION": f"{p}-description", "SHARED": f"{p}-shared",
        "SAVE": f"{p}-save", "MESSAGE": f"{p}-message", "WHERE": f"{p}-where",
        # the start page's list
        "SECTION": f"{p}-section", "LISTS": f"{p}-lists", "PICK": f"{p}-pick", "NEW_NAME": f"{p}-new-name",
        "RENAME": f"{p}-rename", "DELETE": f"{p}-delete", "MANAGE_MESSAGE": f"{p}-manage-message",
        "REFRESH": f"{p}-refresh",
    })


def _followup():
    from loaders.workspace import WorkspaceFile
    from loaders.workspace.followup import FollowUp

    path = current().settings.workspace
    return FollowUp(WorkspaceFile(path)) if path else None


def strip_lang(search: str) -> str:
    """The query string without ``lang`` (and without the leading ``?``).

    >>> strip_lang("?focus=country%3ATZA&lang=en&radius=2")
    'focus=country%3ATZA&radius=2'
    """
    return urlencode([(k, v) for k, v in parse_qsl((search or "").lstrip("?"), keep_blank_values=True) if k != "lang"])


def _field(label: str, control, cid: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=cid), control], className="views-field")


def save_control(ID, lang: str, *, on_start_page: bool = False) -> html.Details | None:
    """The folded "Ansicht speichern" form (``None`` without a workspace)."""
    if current().settings.workspace is None:
        return None
    return html.Details([
        html.Summary(t("views.save", lang)),
        html.P(t("views.save_help", lang), className="muted small"),
        _field(t("views.name", lang), dcc.Input(id=ID.NAME, type="text", maxLength=200, className="input"), ID.NAME),
        _field(t("views.description", lang),
               dcc.Input(id=ID.DESCRIPTION, type="text", maxLength=2000, className="input"), ID.DESCRIPTION),
        dcc.RadioItems(id=ID.SHARED, value="private", className="radio views-scope", inline=True,
                       options=[{"label": t("views.private", lang), "value": "private"},
                                {"label": t("views.shared", lang), "value": "shared"}]),
        html.Div(html.Button(t("views.save_button", lang), id=ID.SAVE, className="button small"),
                 className="button-row"),
        dcc.Store(id=ID.WHERE),
        html.Div(id=ID.MESSAGE, role="status", className="views-message"),
        None if on_start_page else html.P(dcc.Link(t("views.where", lang), href=f"/?lang={lang}"), className="small"),
    ], id=ID.FOLD, className="views-save fold-panel")


def _view_link(view, lang: str, *, mine: bool) -> html.Li:
    href = view.page + with_lang("?" + view.state if view.state else "", lang)
    meta = [t(PAGE_TITLES.get(view.page, "nav.network"), lang)]
    if mine:
        meta.append(t("views.shared_tag" if view.shared else "views.scope_private", lang))
    if not mine:
        meta.append(t("views.by", lang, owner=view.owner))
    return html.Li([
        dcc.Link(view.name, href=href, className="views-link", title=view.description or view.name),
        html.Span(" · ".join(meta), className="muted small views-meta"),
        html.Div(view.description, className="small views-description") if view.description else None,
    ], **{"data-view-id": str(view.id)})


def view_lists(lang: str) -> list:
    """The two lists for the signed-in user."""
    fu = _followup()
    if fu is None:
        return [html.P(t("views.no_workspace", lang), className="muted")]
    identity = current_identity()
    mine, shared = fu.views(identity.name)
    from dashboard.shell import NAV_MIN_ROLE

    # a shared view of a page this role may not open (Kontakte below planner) is not offered
    shared = [v for v in shared if identity.role >= NAV_MIN_ROLE.get(v.page, identity.role)]

    def block(title: str, views, empty: str, is_mine: bool, cls: str):
        body = (html.Ul([_view_link(v, lang, mine=is_mine) for v in views], className="views-list")
                if views else html.P(t(empty, lang), className="muted small"))
        return html.Div([html.H3(t(title, lang)), body], className=f"views-block {cls}")

    return [block("views.mine", mine, "views.none_mine", True, "views-mine"),
            block("views.others", shared, "views.none_shared", False, "views-shared")]


def _own_options(lang: str) -> list[dict[str, Any]]:
    fu = _followup()
    if fu is None:
        return []
    return [{"label": v.name, "value": v.id} for v in fu.views(current_identity().name)[0]]


def views_section(ID, lang: str) -> html.Details | None:
    """The start page's section: my views, views shared by others, the save
    form and, for the owner, rename and delete (``None`` without a workspace)."""
    if current().settings.workspace is None:
        return None
    manage = html.Details([
        html.Summary(t("views.manage", lang)),
        _field(t("views.pick", lang), dcc.Dropdown(id=ID.PICK, options=_own_options(lang), clearable=True), ID.PICK),
        _field(t("views.new_name", lang), dcc.Input(id=ID.NEW_NAME, type="text", maxLength=200, className="input"),
               ID.NEW_NAME),
        html.Div([html.Button(t("views.rename", lang), id=ID.RENAME, className="button small secondary"),
                  html.Button(t("views.delete", lang), id=ID.DELETE, className="button small danger")],
                 className="button-row"),
        html.Div(id=ID.MANAGE_MESSAGE, role="status", className="views-message"),
    ], className="views-manage")
    return html.Details([
        html.Summary(t("views.title", lang)),
        html.P(t("views.intro", lang), className="muted small"),
        dcc.Store(id=ID.REFRESH, data=0),
        html.Div(view_lists(lang), id=ID.LISTS),
        save_control(ID, lang, on_start_page=True),
        manage,
    ], open=True, id=ID.SECTION, className="fold-narrow fold-panel views-section")


# The address bar at the moment of the click (the pages write their state there without Dash knowing).
_READ_LOCATION = """
function(n) {
    if (!n) { return window.dash_clientside.no_update; }
    return {path: window.location.pathname, search: window.location.search, n: n};
}
"""


def register_callbacks(app: dash.Dash, ID, path: str, *, start_page: bool = False) -> None:
    """The save callbacks of one page (``path``); with ``start_page`` also the list's."""
    app.clientside_callback(_READ_LOCATION, dash.Output(ID.WHERE, "data"), dash.Input(ID.SAVE, "n_clicks"),
                            prevent_initial_call=True)

    outputs = [dash.Output(ID.MESSAGE, "children"), dash.Output(ID.NAME, "value"),
               dash.Output(ID.DESCRIPTION, "value")]
    if start_page:
        outputs.append(dash.Output(ID.REFRESH, "data", allow_duplicate=True))

    @app.callback(*outputs, dash.Input(ID.WHERE, "data"), dash.State(ID.NAME, "value"),
                  dash.State(ID.DESCRIPTION, "value"), dash.State(ID.SHARED, "value"), LANG_STATE,
                  prevent_initial_call=True)
    def _save(where, name, description, scope, search):
        lang = lang_from_search(search)
        fu = _followup()
        if fu is None or not where:
            raise dash.exceptions.PreventUpdate
        page = where.get("path") if where.get("path") in PAGE_TITLES else path
        shared = scope == "shared"
        try:
            fu.save_view(name or "", owner=current_identity().name, page=page, state=strip_lang(where.get("search", "")),
                         description=description or "", shared=shared)
        except PartnernetzError as exc:
            out = [html.Span(t("views.error", lang, error=str(exc)), className="error"), dash.no_update, dash.no_update]
            return out + ([dash.no_update] if start_page else [])
        text = t("views.saved", lang, name=(name or "").strip(),
                 scope=t("views.scope_shared" if shared else "views.scope_private", lang))
        out = [html.Span(text, className="ok"), "", ""]
        return out + ([time.monotonic_ns()] if start_page else [])

    if not start_page:
        return

    @app.callback(dash.Output(ID.LISTS, "children"), dash.Output(ID.PICK, "options"),
                  dash.Input(ID.REFRESH, "data"), LANG_STATE, prevent_initial_call=True)
    def _lists(_refresh, search):
        lang = lang_from_search(search)
        return view_lists(lang), _own_options(lang)

    @app.callback(dash.Output(ID.MANAGE_MESSAGE, "children"), dash.Output(ID.REFRESH, "data", allow_duplicate=True),
                  dash.Output(ID.PICK, "value"), dash.Output(ID.NEW_NAME, "value"),
                  dash.Input(ID.RENAME, "n_clicks"), dash.Input(ID.DELETE, "n_clicks"),
                  dash.State(ID.PICK, "value"), dash.State(ID.NEW_NAME, "value"),
                  LANG_STATE, prevent_initial_call=True)
    def _manage(_rename, _delete, view_id, new_name, search):
        lang = lang_from_search(search)
        fu = _followup()
        if fu is None:
            raise dash.exceptions.PreventUpdate
        if not view_id:
            return html.Span(t("views.need_pick", lang), className="error"), dash.no_update, dash.no_update, dash.no_update
        user = current_identity().name
        try:
            if dash.ctx.triggered_id == ID.DELETE:
                name = fu.view(int(view_id), user=user).name
                fu.delete_view(int(view_id), user=user)
                text = t("views.deleted", lang, name=name)
            else:
                text = t("views.renamed", lang, name=fu.rename_view(int(view_id), new_name or "", user=user).name)
        except PartnernetzError as exc:
            return html.Span(t("views.error", lang, error=str(exc)), className="error"), dash.no_update, dash.no_update, dash.no_update
        return html.Span(text, className="ok"), time.monotonic_ns(), None, ""
